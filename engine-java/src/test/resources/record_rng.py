#!/usr/bin/python3
"""Records PyTorch's CPU random streams for jtorch's Generator test (GeneratorTest).

Run with the Python that has PyTorch 1.13 (Debian's python3-torch was used):

    /usr/bin/python3 engine-java/src/test/resources/record_rng.py

It writes rng_expected.json next to this file; CI needs only the JSON. Each case seeds the default
generator, then runs its steps in order (the generator state carries over from step to step) and records
what each step returned. Floating results are stored as the hex of their IEEE bits ("bits"), integer
results as numbers ("data"); results of more than 64 elements as the SHA-256 of their little-endian bytes
in row-major order ("sha256", with the first values in "head" for diagnostics).

Most cases run in this process with the CPU kernel variant PyTorch picks here (AVX2); the cases with a
"capability" entry are recorded in a child process run with ATEN_CPU_CAPABILITY set to it (Debian's 1.13
gives AVX2's numbers for "avx512": GeneratorTest checks that too). "libm_probe" holds glibc's log, sin and
cos of a few hundred doubles: the test requires bit-identical float64 normals only where Generator's libm
reproduces them.

Step ops and what GeneratorTest does for them (t = a new contiguous tensor of the dtype and shape):
  rand / randn              torch.rand/randn(shape, dtype)       g.uniform(t, 0, 1) / g.normal(t, 0, 1)
  uniform_ / normal_ / exponential_ / bernoulli_p / random_
                            torch.empty(base).<view>.<op>(...)   the same view of a new tensor, then g.<op>
  randint                   torch.randint(low, high, shape)      g.random(t, low, high)
  randperm                  torch.randperm(n, dtype)             g.randperm(n, dtype)
  bernoulli                 torch.bernoulli(probs)               g.bernoulli(probs)
  multinomial               torch.multinomial(p, n, repl)        g.multinomial(p, n, repl)
  dropout / dropout2d       F.dropout/dropout2d(ones, p)         noise.bernoulli_(1 - p) / (1 - p), times input
  linear / conv2d / embedding / lstm   default init of the nn layer   uniform_/normal_ per parameter
  get_state / set_state     torch.get/set_rng_state              g.getState() / g.setState(saved bytes)
"""
import base64
import hashlib
import json
import math
import os
import struct
import subprocess
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DT = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64, "int32": torch.int32, "bool": torch.bool}
FULL_LIMIT = 64


def dname(dt):
    return str(dt).replace("torch.", "")


def raw_bytes(t):
    t = t.detach().contiguous().reshape(-1)
    if t.dtype == torch.bool:
        return bytes(int(x) for x in t.tolist())
    return t.numpy().tobytes()


def enc(t):
    """A tensor result: dtype, shape and exact values (or their hash)."""
    t = t.detach()
    r = {"dtype": dname(t.dtype), "shape": list(t.shape)}
    flat = t.contiguous().reshape(-1)
    if t.dtype == torch.float32:
        vals = [format(v, "08x") for v in flat.view(torch.int32).numpy().astype("uint32").tolist()]
    elif t.dtype == torch.float64:
        vals = [format(v, "016x") for v in flat.view(torch.int64).numpy().astype("uint64").tolist()]
    else:
        vals = [int(v) for v in flat.tolist()]
    key = "bits" if t.dtype in (torch.float32, torch.float64) else "data"
    if len(vals) <= FULL_LIMIT:
        r[key] = vals
    else:
        r["sha256"] = hashlib.sha256(raw_bytes(t)).hexdigest()
        r["head"] = vals[:8]
    return r


def apply_view(t, view):
    for v in view or []:
        name, args = v[0], v[1:]
        if name == "t":
            t = t.t()
        elif name == "transpose":
            t = t.transpose(*args)
        elif name == "permute":
            t = t.permute(*args)
        elif name == "slice":  # dim, start, stop, step
            d, a, b, s = args
            idx = [slice(None)] * t.dim()
            idx[d] = slice(a, b, s)
            t = t[tuple(idx)]
        elif name == "select":
            t = t.select(*args)
        else:
            raise ValueError(name)
    return t


def make_probs(spec):
    p = torch.tensor(spec["data"], dtype=DT[spec.get("dtype", "float32")]).reshape(spec["shape"])
    return apply_view(p, spec.get("view"))


def run_step(s, saved):
    op = s["op"]
    dt = DT[s.get("dtype", "float32")]
    if op == "rand":
        return enc(torch.rand(s["shape"], dtype=dt))
    if op == "randn":
        return enc(torch.randn(s["shape"], dtype=dt))
    if op in ("uniform_", "normal_", "exponential_", "bernoulli_p", "random_"):
        t = apply_view(torch.empty(s["shape"], dtype=dt), s.get("view"))
        if op == "uniform_":
            t.uniform_(s["a"], s["b"])
        elif op == "normal_":
            t.normal_(s["a"], s["b"])
        elif op == "exponential_":
            t.exponential_(s["a"])
        elif op == "bernoulli_p":
            t.bernoulli_(s["a"])
        elif "a" in s:
            t.random_(s["a"], s["b"])
        else:
            t.random_()
        return enc(t)
    if op == "randint":
        return enc(torch.randint(s["a"], s["b"], s["shape"], dtype=DT[s.get("dtype", "int64")]))
    if op == "randperm":
        return enc(torch.randperm(s["n"], dtype=DT[s.get("dtype", "int64")]))
    if op == "bernoulli":
        return enc(torch.bernoulli(make_probs(s["probs"])))
    if op == "multinomial":
        return enc(torch.multinomial(make_probs(s["probs"]), s["n"], replacement=s["replacement"]))
    if op == "dropout":
        return enc(F.dropout(torch.ones(s["shape"], dtype=dt), p=s["p"], training=True))
    if op == "dropout2d":
        return enc(F.dropout2d(torch.ones(s["shape"], dtype=dt), p=s["p"], training=True))
    if op == "linear":
        m = nn.Linear(s["fin"], s["fout"], bias=s.get("bias", True))
        return [enc(p) for p in m.parameters()]
    if op == "conv2d":
        m = nn.Conv2d(s["fin"], s["fout"], s["k"], groups=s.get("groups", 1), bias=s.get("bias", True))
        return [enc(p) for p in m.parameters()]
    if op == "embedding":
        m = nn.Embedding(s["n"], s["d"], padding_idx=s.get("padding_idx"))
        return [enc(p) for p in m.parameters()]
    if op == "lstm":
        m = nn.LSTM(s["in"], s["hidden"], num_layers=s.get("layers", 1), bidirectional=s.get("bidirectional", False))
        return [enc(p) for p in m.parameters()]
    if op == "get_state":
        st = torch.get_rng_state()
        if "save" in s:
            saved[s["save"]] = st
        return {"b64": base64.b64encode(bytes(st.tolist())).decode()}
    if op == "set_state":
        torch.set_rng_state(saved[s["name"]])
        return None
    if op == "initial_seed":
        return {"data": [torch.initial_seed()]}
    raise ValueError(op)


def run_case(c):
    torch.manual_seed(c["seed"])
    saved = {}
    steps = []
    for s in c["steps"]:
        s = dict(s)
        out = run_step(s, saved)
        if out is not None:
            s["out"] = out
        steps.append(s)
    d = dict(c)
    d["steps"] = steps
    return d


def P(data, shape=None, dtype="float32", view=None):
    d = {"data": data, "shape": shape if shape is not None else [len(data)], "dtype": dtype}
    if view:
        d["view"] = view
    return d


def cases():
    C = []

    def case(name, steps, seed=0, **kw):
        C.append(dict(name=name, seed=seed, steps=steps, **kw))

    # ---------------------------------------------------------------- the brief's sequence, one stream
    case("brief_sequence", [
        {"op": "rand", "shape": [5]},
        {"op": "rand", "shape": [20]},
        {"op": "randn", "shape": [3]},
        {"op": "randn", "shape": [16]},
        {"op": "randn", "shape": [100]},
        {"op": "randint", "a": 0, "b": 10, "shape": [20]},
        {"op": "randint", "a": 0, "b": 2 ** 40, "shape": [4]},
        {"op": "randperm", "n": 10},
        {"op": "get_state"},
        {"op": "rand", "shape": [4], "dtype": "float64"},
        {"op": "randn", "shape": [20], "dtype": "float64"},
        {"op": "uniform_", "shape": [5], "a": -2, "b": 3},
        {"op": "normal_", "shape": [20], "a": 1, "b": 2},
        {"op": "bernoulli", "probs": P([0.3] * 20)},
        {"op": "bernoulli_p", "shape": [20], "a": 0.5},
        {"op": "exponential_", "shape": [5], "a": 1.0},
        {"op": "multinomial", "probs": P([0.1, 0.2, 0.7]), "n": 10, "replacement": True},
        {"op": "multinomial", "probs": P([0.1, 0.2, 0.3, 0.4], [1, 4]), "n": 3, "replacement": False},
        {"op": "get_state"},
    ])
    case("randperm_100000_head", [{"op": "randperm", "n": 100000}, {"op": "get_state"}])
    for seed in (0, 1, 42, -1, 2 ** 32 + 5, 2 ** 63 + 12345):
        case("seed_%d" % seed, [{"op": "get_state"}, {"op": "rand", "shape": [3]}, {"op": "initial_seed"}], seed=seed)

    # ---------------------------------------------------------------- uniform
    for dt in ("float32", "float64"):
        case("rand_sizes_" + dt, [{"op": "rand", "shape": [n], "dtype": dt} for n in (1, 2, 7, 15, 16, 17, 33)] + [{"op": "get_state"}], seed=7)
        case("uniform_bounds_" + dt, [
            {"op": "uniform_", "shape": [40], "dtype": dt, "a": -2, "b": 3},
            {"op": "uniform_", "shape": [40], "dtype": dt, "a": -0.1, "b": 0.1},
            {"op": "uniform_", "shape": [40], "dtype": dt, "a": 1e-3, "b": 7.5},
            {"op": "uniform_", "shape": [3, 4], "dtype": dt, "a": -1, "b": 1, "view": [["t"]]},
            {"op": "uniform_", "shape": [4, 6], "dtype": dt, "a": 0, "b": 1, "view": [["slice", 1, 0, 6, 2]]},
            {"op": "uniform_", "shape": [2, 3, 4], "dtype": dt, "a": 0, "b": 1, "view": [["permute", 2, 0, 1]]},
            {"op": "uniform_", "shape": [5, 6], "dtype": dt, "a": 0, "b": 1, "view": [["slice", 0, 1, 4, 1], ["t"]]},
            {"op": "rand", "shape": [1000], "dtype": dt},
            {"op": "uniform_", "shape": [1000], "dtype": dt, "a": -3.3, "b": 1.7},
        ], seed=11)
    # ---------------------------------------------------------------- normal
    for dt in ("float32", "float64"):
        case("randn_sizes_" + dt, [{"op": "randn", "shape": [n], "dtype": dt} for n in (1, 2, 3, 15, 16, 17, 31, 32, 33, 100)]
             + [{"op": "get_state"}], seed=3)
        case("normal_params_" + dt, [
            {"op": "normal_", "shape": [20], "dtype": dt, "a": 1, "b": 2},
            {"op": "normal_", "shape": [5], "dtype": dt, "a": -3, "b": 0.5},
            {"op": "normal_", "shape": [37], "dtype": dt, "a": 0.25, "b": 3.5},
            {"op": "normal_", "shape": [4, 8], "dtype": dt, "a": 0, "b": 1, "view": [["t"]]},
            {"op": "normal_", "shape": [6, 6], "dtype": dt, "a": 2, "b": 1, "view": [["slice", 1, 0, 6, 2]]},
            {"op": "get_state"},
        ], seed=5)
        case("randn_big_" + dt, [{"op": "randn", "shape": [100000], "dtype": dt}, {"op": "randn", "shape": [257, 3], "dtype": dt},
                                 {"op": "normal_", "shape": [5000], "dtype": dt, "a": -1.5, "b": 0.3}, {"op": "get_state"}], seed=9)
    case("randn_2d_shapes", [{"op": "randn", "shape": [3, 5]}, {"op": "randn", "shape": [2, 3, 4]}, {"op": "randn", "shape": [1, 1]},
                             {"op": "randn", "shape": [0]}, {"op": "randn", "shape": [4, 4]}, {"op": "get_state"}], seed=13)
    case("normal_cache_mixing", [
        {"op": "randn", "shape": [1]},
        {"op": "get_state", "save": "cached"},
        {"op": "randn", "shape": [1], "dtype": "float64"},
        {"op": "randn", "shape": [3], "dtype": "float64"},
        {"op": "randn", "shape": [16]},
        {"op": "randn", "shape": [1]},
        {"op": "set_state", "name": "cached"},
        {"op": "randn", "shape": [2], "dtype": "float64"},
        {"op": "get_state"},
        {"op": "rand", "shape": [2]},
        {"op": "get_state", "save": "s2"},
        {"op": "randn", "shape": [5]},
        {"op": "set_state", "name": "s2"},
        {"op": "randn", "shape": [5]},
    ], seed=17)
    # ---------------------------------------------------------------- integers
    case("randint_ranges", [
        {"op": "randint", "a": 0, "b": 10, "shape": [20]},
        {"op": "randint", "a": -5, "b": 5, "shape": [3, 4]},
        {"op": "randint", "a": 0, "b": 2 ** 32 - 1, "shape": [4]},
        {"op": "randint", "a": 0, "b": 2 ** 32, "shape": [4]},
        {"op": "randint", "a": -2 ** 40, "b": 2 ** 40, "shape": [4]},
        {"op": "randint", "a": -2 ** 63, "b": 2 ** 63 - 1, "shape": [4]},
        {"op": "randint", "a": 0, "b": 100, "shape": [8], "dtype": "int32"},
        {"op": "randint", "a": 0, "b": 2, "shape": [8], "dtype": "bool"},
        {"op": "randint", "a": 0, "b": 10, "shape": [6], "dtype": "float32"},
        {"op": "randint", "a": 0, "b": 2 ** 33, "shape": [6], "dtype": "float64"},
        {"op": "random_", "shape": [3, 4], "dtype": "int64", "a": 0, "b": 7, "view": [["t"]]},
        {"op": "random_", "shape": [5], "dtype": "int64"},
        {"op": "random_", "shape": [5], "dtype": "int32"},
        {"op": "random_", "shape": [5], "dtype": "float32"},
        {"op": "random_", "shape": [5], "dtype": "float64"},
        {"op": "random_", "shape": [5], "dtype": "bool"},
        {"op": "random_", "shape": [], "dtype": "int64"},
        {"op": "get_state"},
    ], seed=19)
    case("randperm_sizes", [{"op": "randperm", "n": n} for n in (0, 1, 2, 3, 10, 64)]
         + [{"op": "randperm", "n": 20, "dtype": "int32"}, {"op": "randperm", "n": 20, "dtype": "float32"},
            {"op": "randperm", "n": 5000}, {"op": "get_state"}], seed=23)
    # ---------------------------------------------------------------- bernoulli, dropout
    case("bernoulli_kinds", [
        {"op": "bernoulli", "probs": P([0.3] * 20)},
        {"op": "bernoulli", "probs": P([0.3] * 20, dtype="float64")},
        {"op": "bernoulli", "probs": P([i / 11 for i in range(12)], [3, 4])},
        {"op": "bernoulli", "probs": P([i / 11 for i in range(12)], [3, 4], view=[["t"]])},
        {"op": "bernoulli_p", "shape": [20], "a": 0.5},
        {"op": "bernoulli_p", "shape": [20], "dtype": "float64", "a": 0.25},
        {"op": "bernoulli_p", "shape": [7], "dtype": "int64", "a": 0.9},
        {"op": "bernoulli_p", "shape": [7], "dtype": "bool", "a": 0.5},
        {"op": "bernoulli_p", "shape": [4, 5], "a": 0.5, "view": [["t"]]},
        {"op": "bernoulli_p", "shape": [300], "a": 0.8},
        {"op": "get_state"},
    ], seed=29)
    case("dropout", [
        {"op": "dropout", "shape": [20], "p": 0.5},
        {"op": "dropout", "shape": [4, 8], "p": 0.1},
        {"op": "dropout", "shape": [3, 5], "p": 0.3, "dtype": "float64"},
        {"op": "dropout", "shape": [10], "p": 0.0},
        {"op": "get_state"},
        {"op": "dropout", "shape": [10], "p": 1.0},
        {"op": "get_state"},
        {"op": "dropout", "shape": [64, 100], "p": 0.2},
        {"op": "dropout2d", "shape": [2, 6, 3, 3], "p": 0.5},
        {"op": "get_state"},
    ], seed=31)
    # ---------------------------------------------------------------- exponential, multinomial
    case("exponential", [
        {"op": "exponential_", "shape": [5], "a": 1.0},
        {"op": "exponential_", "shape": [20], "a": 2.5},
        {"op": "exponential_", "shape": [20], "dtype": "float64", "a": 0.5},
        {"op": "exponential_", "shape": [3, 4], "a": 1.0, "view": [["t"]]},
        {"op": "exponential_", "shape": [2000], "dtype": "float64", "a": 1.0},
        {"op": "get_state"},
    ], seed=37)
    case("multinomial", [
        {"op": "multinomial", "probs": P([0.1, 0.2, 0.7]), "n": 10, "replacement": True},
        {"op": "multinomial", "probs": P([0.1, 0.2, 0.3, 0.4], [1, 4]), "n": 3, "replacement": False},
        {"op": "multinomial", "probs": P([1, 2, 3, 4, 0, 6], [2, 3]), "n": 5, "replacement": True},
        {"op": "multinomial", "probs": P([1, 2, 3, 4, 0.5, 6], [2, 3]), "n": 3, "replacement": False},
        {"op": "multinomial", "probs": P([0.25, 0.25, 0.5]), "n": 1, "replacement": True},
        {"op": "multinomial", "probs": P([0.25, 0.25, 0.5]), "n": 1, "replacement": False},
        {"op": "multinomial", "probs": P([0.1, 0.2, 0.3, 0.4], dtype="float64"), "n": 4, "replacement": False},
        {"op": "multinomial", "probs": P([0.1, 0.2, 0.3, 0.4], dtype="float64"), "n": 12, "replacement": True},
        {"op": "multinomial", "probs": P([float(i % 7 + 1) for i in range(50)]), "n": 30, "replacement": False},
        {"op": "multinomial", "probs": P([float(i % 7 + 1) for i in range(50)]), "n": 200, "replacement": True},
        {"op": "multinomial", "probs": P([1.0, 2, 3, 4, 5, 6], [2, 3], view=[["t"]]), "n": 2, "replacement": False},
        {"op": "get_state"},
    ], seed=41)
    # ---------------------------------------------------------------- nn default init
    case("nn_init", [
        {"op": "linear", "fin": 4, "fout": 3},
        {"op": "linear", "fin": 20, "fout": 30},
        {"op": "linear", "fin": 5, "fout": 2, "bias": False},
        {"op": "conv2d", "fin": 3, "fout": 4, "k": 3},
        {"op": "conv2d", "fin": 4, "fout": 4, "k": 1, "groups": 2},
        {"op": "embedding", "n": 10, "d": 3},
        {"op": "embedding", "n": 3, "d": 5},
        {"op": "embedding", "n": 5, "d": 4, "padding_idx": 0},
        {"op": "lstm", "in": 3, "hidden": 4},
        {"op": "lstm", "in": 2, "hidden": 3, "layers": 2, "bidirectional": True},
        {"op": "get_state"},
    ], seed=43)
    # ---------------------------------------------------------------- other CPU kernel variants
    for cap in ("default", "avx512"):
        case("capability_" + cap, [
            {"op": "uniform_", "shape": [40], "a": -2, "b": 3},
            {"op": "uniform_", "shape": [40], "dtype": "float64", "a": -2, "b": 3},
            {"op": "randn", "shape": [100]},
            {"op": "randn", "shape": [100], "dtype": "float64"},
            {"op": "normal_", "shape": [10], "a": 1, "b": 2},
            {"op": "normal_", "shape": [37], "a": 1, "b": 2},
            {"op": "normal_", "shape": [37], "dtype": "float64", "a": 1, "b": 2},
            {"op": "randn", "shape": [20000]},
            {"op": "get_state"},
        ], seed=47, capability=cap)
    return C


def libm_probe():
    """glibc's log/sin/cos on a few hundred inputs: the test checks that Generator's libm agrees."""
    g = torch.Generator().manual_seed(99)
    u = torch.rand(300, dtype=torch.float64, generator=g).tolist()
    xs = [1.0 - v for v in u] + [2.0 * math.pi * v for v in u]
    rows = []
    for x in xs:
        rows.append([struct.pack(">d", x).hex(), struct.pack(">d", math.log(x)).hex(),
                     struct.pack(">d", math.sin(x)).hex(), struct.pack(">d", math.cos(x)).hex()])
    return rows


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        todo = json.loads(sys.stdin.read())
        print(json.dumps([run_case(c) for c in todo]))
        return
    out = []
    for c in cases():
        cap = c.get("capability")
        if cap:
            env = dict(os.environ, ATEN_CPU_CAPABILITY=cap)
            r = subprocess.run([sys.executable, os.path.abspath(__file__), "--child"], input=json.dumps([c]),
                               capture_output=True, text=True, env=env, check=True)
            out.extend(json.loads(r.stdout))
        else:
            out.append(run_case(c))
    doc = {"torch_version": torch.__version__, "cpu_capability": "AVX2", "libm_probe": libm_probe(), "cases": out}
    path = os.path.join(HERE, "rng_expected.json")
    with open(path, "w") as f:
        f.write('{"torch_version": %s, "cpu_capability": "AVX2",\n"libm_probe": [\n' % json.dumps(torch.__version__))
        f.write(",\n".join(json.dumps(r) for r in doc["libm_probe"]))
        f.write('],\n"cases": [\n')
        f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in out))
        f.write("\n]}\n")
    print("wrote", path, len(out), "cases")


if __name__ == "__main__":
    main()
