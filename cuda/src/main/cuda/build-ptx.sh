#!/usr/bin/env bash
# Compiles the CUDA C kernels in this folder to PTX for each target architecture, into the resources that
# CudaBackend loads with cuModuleLoadData. Run by the Maven build (generate-resources); without nvcc it
# keeps the committed PTX. Only recompiles when the sources' hash differs from the recorded one
# (--force recompiles anyway). The hash (SOURCES.sha256) is what PtxTest checks the committed PTX against.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/../resources/org/jtorch/cuda/ptx}"
force="${2:-}"
archs=(sm_80 sm_90)

cd "$here"
hash="$(for f in $(ls *.cu *.cuh | LC_ALL=C sort); do printf '%s\n' "$f"; cat "$f"; done | sha256sum | cut -d' ' -f1)"
if [[ "$force" != "--force" && -f "$out/SOURCES.sha256" && "$(cat "$out/SOURCES.sha256")" == "$hash" ]]; then
  exit 0
fi
nvcc="$(command -v nvcc || true)"
[[ -z "$nvcc" && -x /usr/local/cuda/bin/nvcc ]] && nvcc=/usr/local/cuda/bin/nvcc
if [[ -z "$nvcc" ]]; then
  echo "[cuda] nvcc not found: the committed PTX (older than the .cu sources) are used; PtxTest will report it" >&2
  exit 0
fi
for arch in "${archs[@]}"; do
  mkdir -p "$out/$arch"
  for cu in *.cu; do
    "$nvcc" -ptx -std=c++17 -O3 -arch="$arch" -o "$out/$arch/${cu%.cu}.ptx" "$cu"
  done
done
printf '%s\n' "$hash" > "$out/SOURCES.sha256"
"$nvcc" --version | tail -1 > "$out/NVCC_VERSION"
echo "[cuda] PTX regenerated for ${archs[*]} with $("$nvcc" --version | tail -1)" >&2
