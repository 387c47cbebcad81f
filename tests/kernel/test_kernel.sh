#!/usr/bin/env bash
# The Jupyter kernel: `jtorch kernel install` writes a kernelspec, `jupyter nbconvert --execute` runs notebooks
# through `jtorch kernel -f CONN` (streams, execute_result, display_data, errors with and without --allow-errors,
# examples/train_mlp.ipynb), and kernel_client.py drives a kernel with jupyter_client (execute, complete,
# is_complete, inspect, input, interrupt, shutdown). Needs Jupyter (nbconvert, jupyter_client): when missing it is
# installed with apt-get if this runs as root, otherwise the test prints one 'skipped: ...' line.
# Prints 'N passed, N failed'; exits 1 on any failure.
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$ROOT/tests/check.sh"

# the Python that runs jupyter (its #! line), which must import nbclient and jupyter_client
jupyter_python() {
  local j py
  j="$(command -v jupyter-nbconvert 2>/dev/null)" || return 1
  py="$(sed -n '1s/^#! *\([^ ]*\).*/\1/p' "$j")"
  [ -n "$py" ] || py=python3
  "$py" -c 'import nbclient, nbconvert, jupyter_client' 2>/dev/null || return 1
  echo "$py"
}
JPY="$(jupyter_python)"
if [ -z "$JPY" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Jupyter: apt-get install jupyter-nbconvert jupyter-client python3-jupyter-client python3-nbclient"
  pkgs=(jupyter-nbconvert jupyter-client python3-jupyter-client python3-nbclient)
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${pkgs[@]}" >"$TMP/apt.log" 2>&1 \
    || { apt-get update -q >>"$TMP/apt.log" 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${pkgs[@]}" >>"$TMP/apt.log" 2>&1; } \
    || tail -n 5 "$TMP/apt.log"
  JPY="$(jupyter_python)"
fi
if [ -z "$JPY" ]; then
  echo "skipped: Jupyter is not installed (apt-get install jupyter-nbconvert jupyter-client, or pip install nbconvert jupyter_client)"
  exit 0
fi

# --- kernelspec
export JUPYTER_DATA_DIR="$TMP/data" JUPYTER_CONFIG_DIR="$TMP/config" JUPYTER_RUNTIME_DIR="$TMP/runtime"
export JUPYTER_PATH="$TMP/prefix/share/jupyter" JUPYTER_PLATFORM_DIRS=0
out="$("$J" kernel install --prefix "$TMP/prefix" 2>&1)"; rc=$?
check "kernel install --prefix" "Installed kernelspec jtorch in $TMP/prefix/share/jupyter/kernels/jtorch|0" "$out|$rc"
spec="$(python3 -c '
import json, sys
k = json.load(open(sys.argv[1]))
print(k["argv"][0] == sys.argv[2], k["argv"][1:], k["display_name"], k["language"], sep="|")' \
  "$TMP/prefix/share/jupyter/kernels/jtorch/kernel.json" "$J" 2>&1)"
check "kernel.json: absolute launcher, -f {connection_file}, names" \
  "True|['kernel', '-f', '{connection_file}']|jtorch (PyTorch on the JVM)|python" "$spec"
out="$("$J" kernel install --user --name jtorch-user 2>&1)"; rc=$?
check "kernel install --user (JUPYTER_DATA_DIR)" "yes|0" \
  "$([ -f "$TMP/data/kernels/jtorch-user/kernel.json" ] && echo yes || echo "no: $out")|$rc"
out="$("$J" kernel install --bogus 2>&1)"; rc=$?
check "kernel install: unknown option" "2" "$rc"
listed="$("$JPY" -c 'from jupyter_client.kernelspec import KernelSpecManager as M; s = M().get_kernel_spec("jtorch"); print(s.display_name, s.language)' 2>&1)"
check "jupyter_client finds the kernelspec" "jtorch (PyTorch on the JVM) python" "$listed"

# --- a notebook through nbconvert --execute
python3 - "$TMP/t.ipynb" <<'PY'
import json, sys
cells = [
    "import torch\nprint('hello from', torch.__name__)\nx = torch.arange(4)\nx.sum()",
    "%%time\ny = x * 2\nprint(y.tolist())",
    "import sys\nprint('to stderr', file=sys.stderr)\ndisplay(x)\nx.shape",
    "def f():\n    return 1 / 0\nf()",
    "print('after the error')",
]
nb = {"cells": [{"cell_type": "code", "metadata": {}, "source": c, "execution_count": None, "outputs": []} for c in cells],
      "metadata": {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}},
      "nbformat": 4, "nbformat_minor": 5}
for i, c in enumerate(nb["cells"]):
    c["id"] = "cell-%d" % i
json.dump(nb, open(sys.argv[1], "w"), indent=1)
PY
nbconvert() {  # extra args...
  (cd "$TMP" && timeout 900 jupyter-nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name=jtorch \
     --ExecutePreprocessor.timeout=600 "$@")
}
nbconvert --allow-errors --output out.ipynb t.ipynb >"$TMP/log" 2>&1; rc=$?
check "nbconvert --execute --allow-errors exit status" "0" "$rc"
[ $rc = 0 ] || tail -n 30 "$TMP/log"
summary="$(python3 - "$TMP/out.ipynb" <<'PY' 2>&1
import json, re, sys
nb = json.load(open(sys.argv[1]))
def text(v):
    return v if isinstance(v, str) else "".join(v)
for cell in nb["cells"]:
    parts = []
    outs = []
    for o in cell["outputs"]:  # consecutive stream messages of one stream are one output
        if outs and o["output_type"] == "stream" and outs[-1]["output_type"] == "stream" and outs[-1]["name"] == o["name"]:
            outs[-1] = dict(outs[-1], text=text(outs[-1]["text"]) + text(o["text"]))
        else:
            outs.append(o)
    for o in outs:
        t = o["output_type"]
        if t == "stream":
            s = re.sub(r"Wall time: .*", "Wall time: T", re.sub(r"CPU times: .*\n", "", text(o["text"])))
            parts.append("%s:%s" % (o["name"], s.replace("\n", "\\n")))
        elif t in ("execute_result", "display_data"):
            parts.append("%s:%s%s" % (t, text(o["data"]["text/plain"]), "@%d" % o["execution_count"] if t == "execute_result" else ""))
        elif t == "error":
            tb = "\n".join(o["traceback"])
            parts.append("error:%s:%s:%s" % (o["ename"], o["evalue"], "Cell In[4]" in tb and "return 1 / 0" in tb))
    print("%s|%s" % (cell["execution_count"], " ; ".join(parts)))
print("language_info:", nb["metadata"].get("language_info", {}).get("name"))
PY
)"
expected="1|stdout:hello from torch\\n ; execute_result:tensor(6)@1
2|stdout:[0, 2, 4, 6]\\nWall time: T\\n
3|stderr:to stderr\\n ; display_data:tensor([0, 1, 2, 3]) ; execute_result:torch.Size([4])@3
4|error:ZeroDivisionError:division by zero:True
5|stdout:after the error\\n
language_info: python"
check "executed notebook: streams, execute_result, display_data, error, counts" "$expected" "$summary"

rm -f "$TMP/out2.ipynb"
nbconvert --output out2.ipynb t.ipynb >"$TMP/log2" 2>&1; rc=$?
check "a failing cell stops nbconvert (status, error shown, no notebook written)" "nonzero|yes|no" \
  "$([ $rc != 0 ] && echo nonzero || echo zero)|$(grep -q 'ZeroDivisionError' "$TMP/log2" && echo yes || echo no)|$([ -f "$TMP/out2.ipynb" ] && echo yes || echo no)"

# --- the example notebook
cp "$ROOT/examples/train_mlp.ipynb" "$TMP/train_mlp.ipynb"
nbconvert --output train_out.ipynb train_mlp.ipynb >"$TMP/log3" 2>&1; rc=$?
check "examples/train_mlp.ipynb through the kernel" "0" "$rc"
[ $rc = 0 ] || tail -n 30 "$TMP/log3"
train="$(python3 - "$TMP/train_out.ipynb" <<'PY' 2>&1
import json, re, sys
nb = json.load(open(sys.argv[1]))
text = lambda v: v if isinstance(v, str) else "".join(v)
out = []
for cell in nb["cells"]:
    for o in cell.get("outputs", []):
        if o["output_type"] == "stream":
            out.append(text(o["text"]))
        elif o["output_type"] == "execute_result":
            out.append(text(o["data"]["text/plain"]) + "\n")
        elif o["output_type"] == "error":
            out.append("ERROR " + o["ename"] + "\n")
sys.stdout.write("".join(out))
PY
)"
echo "$train" | sed 's/^/    /'
check "train_mlp: progress lines" "5" "$(grep -c '^step *[0-9]*  loss [0-9.]*  accuracy [0-9.]*$' <<<"$train")"
acc="$(sed -n "s/^'final accuracy \([0-9.]*\)'$/\1/p" <<<"$train")"
check "train_mlp: final accuracy >= 0.9" "yes" "$(python3 -c "import sys; print('yes' if float(sys.argv[1] or 0) >= 0.9 else 'no')" "${acc:-0}")"

# --- jupyter_client: execute, complete, is_complete, inspect, input, interrupt, shutdown
cout="$(cd "$TMP" && timeout 900 "$JPY" "$ROOT/tests/kernel/kernel_client.py" 2>&1)"
echo "$cout" | grep -v '^PASS' | sed 's/^/    /'
read -r cp cf <<<"$(tail -n1 <<<"$cout" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')"
if [ -z "${cp:-}" ]; then fail=$((fail+1)); echo "FAIL kernel_client.py did not finish"
else pass=$((pass+cp)); fail=$((fail+cf)); fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
