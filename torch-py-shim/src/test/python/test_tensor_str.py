"""Differential test: jtorch's pure-Python torch/_tensor_str.py vs real PyTorch.

Run with a CPython that has real PyTorch installed:
    /usr/bin/python3 torch-py-shim/src/test/python/test_tensor_str.py
The shim module is loaded by file path so it does not clash with real torch.
"""

import importlib.util
import math
import os
import random
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
MODULE_PATH = os.path.normpath(
    os.path.join(HERE, "..", "..", "main", "python", "torch", "_tensor_str.py"))

_spec = importlib.util.spec_from_file_location("jtorch_tensor_str", MODULE_PATH)
ts = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ts)

DTYPES = {
    "float32": torch.float32, "float64": torch.float64, "float16": torch.float16,
    "bfloat16": torch.bfloat16, "int64": torch.int64, "int32": torch.int32,
    "int16": torch.int16, "int8": torch.int8, "uint8": torch.uint8,
    "bool": torch.bool,
}
DEFAULT_NO_SUFFIX = ("float32", "int64", "bool")

PRINT_OPTION_SETS = [
    {}, {"precision": 2}, {"precision": 8}, {"precision": 0}, {"threshold": 10},
    {"threshold": 50, "edgeitems": 1}, {"edgeitems": 2}, {"edgeitems": 5},
    {"linewidth": 40}, {"linewidth": 120}, {"linewidth": 200}, {"linewidth": 10},
    {"sci_mode": True}, {"sci_mode": False}, {"profile": "short"},
    {"profile": "full"}, {"profile": "short", "precision": 6, "sci_mode": True},
]

passed = 0
failed = 0
failures = []


def set_both(opts):
    torch.set_printoptions(profile="default")
    ts.set_printoptions(profile="default")
    torch.set_printoptions(**opts)
    ts.set_printoptions(**opts)


def expected_suffixes(t, dtype_name, caller_adds_empty_dtype=False):
    """The suffixes the jtorch caller passes (PyTorch's order: dtype, grad)."""
    sfx = []
    if dtype_name not in DEFAULT_NO_SUFFIX or (
            caller_adds_empty_dtype and t.numel() == 0 and dtype_name != "float32"):
        sfx.append("dtype=" + str(t.dtype))
    if t.grad_fn is not None:
        sfx.append("grad_fn=<{}>".format(type(t.grad_fn).__name__))
    elif t.requires_grad:
        sfx.append("requires_grad=True")
    return sfx


def check(t, dtype_name, desc, opts, prefix="tensor(", **kw):
    global passed, failed
    want = repr(t)
    values = t.detach().flatten().tolist()
    got = ts.tensor_repr(values, tuple(t.shape), dtype_name,
                         suffixes=expected_suffixes(t, dtype_name, **kw),
                         prefix=prefix)
    if got == want:
        passed += 1
    else:
        failed += 1
        if len(failures) < 15:
            failures.append("%s opts=%s shape=%s dtype=%s\n--- torch:\n%s\n--- shim:\n%s"
                            % (desc, opts, tuple(t.shape), dtype_name, want, got))


def rand_values(rng, n, kind):
    """A torch float64 tensor of n values of the given flavour."""
    g = torch.Generator().manual_seed(rng.randrange(1 << 30))
    if kind == "normal":
        x = torch.randn(n, generator=g, dtype=torch.float64)
    elif kind == "scaled":
        x = torch.randn(n, generator=g, dtype=torch.float64) * 10.0 ** rng.randint(-9, 12)
    elif kind == "mixed_mag":
        x = torch.randn(n, generator=g, dtype=torch.float64) * torch.pow(
            10.0, torch.randint(-6, 7, (n,), generator=g).double())
    elif kind == "intlike":
        x = torch.randint(-50, 50, (n,), generator=g).double()
    elif kind == "intlike_big":
        x = torch.randint(-3, 3, (n,), generator=g).double() * 10.0 ** rng.randint(2, 12)
    elif kind == "small_ints":
        x = torch.randint(0, 3, (n,), generator=g).double()
    elif kind == "zeros":
        x = torch.zeros(n, dtype=torch.float64)
    elif kind == "negzero":
        x = -torch.zeros(n, dtype=torch.float64)
        if n > 1:
            x[0] = 1.5
    else:
        raise ValueError(kind)
    if rng.random() < 0.3 and n > 0:
        for _ in range(rng.randint(1, 3)):
            x[rng.randrange(n)] = rng.choice(
                [math.nan, math.inf, -math.inf, -0.0, 0.0])
    return x


def random_shape(rng, big=False):
    r = rng.random()
    if big:
        return rng.choice([(2000,), (1001,), (40, 40), (10, 11, 12), (3, 500),
                           (7, 7, 7, 7), (2, 600), (600, 2), (5, 5, 5, 5, 5),
                           (1, 1200), (1200, 1), (4, 3, 100)])
    if r < 0.08:
        return ()
    if r < 0.14:
        return rng.choice([(0,), (0, 3), (2, 0, 4), (3, 0), (0, 0)])
    if r < 0.4:
        return (rng.randint(1, 60),)
    if r < 0.7:
        return (rng.randint(1, 8), rng.randint(1, 20))
    if r < 0.9:
        return (rng.randint(1, 4), rng.randint(1, 5), rng.randint(1, 9))
    return (rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 4), rng.randint(1, 6))


def make_tensor(rng, shape, dtype_name):
    n = 1
    for s in shape:
        n *= s
    dtype = DTYPES[dtype_name]
    g = torch.Generator().manual_seed(rng.randrange(1 << 30))
    if dtype_name == "bool":
        t = torch.rand(n, generator=g) > 0.5
    elif dtype_name in ("int64", "int32", "int16", "int8", "uint8"):
        lo, hi = rng.choice([(-5, 5), (0, 10), (-100000, 100000), (-2**31, 2**31 - 1)])
        info = torch.iinfo(dtype)
        lo, hi = max(lo, info.min), min(hi, info.max)
        t = torch.randint(lo, hi, (n,), generator=g, dtype=torch.int64).to(dtype)
    else:
        kind = rng.choice(["normal", "scaled", "mixed_mag", "intlike",
                           "intlike_big", "small_ints", "zeros", "negzero"])
        t = rand_values(rng, n, kind).to(dtype)
    return t.reshape(shape)


def main():
    rng = random.Random(1234)
    dtype_names = list(DTYPES)
    weights = [6, 3, 1, 1, 3, 2, 1, 1, 1, 2]
    for i in range(600):
        opts = PRINT_OPTION_SETS[i % len(PRINT_OPTION_SETS)]
        big = rng.random() < 0.2 and opts.get("profile") != "full"
        shape = random_shape(rng, big)
        dtype_name = rng.choices(dtype_names, weights)[0]
        t = make_tensor(rng, shape, dtype_name)
        set_both(opts)
        check(t, dtype_name, "random#%d" % i, opts)
        if dtype_name in ("float32", "float64") and rng.random() < 0.3:
            leaf = t.clone().requires_grad_()
            check(leaf, dtype_name, "requires_grad#%d" % i, opts)
            check(leaf * 2, dtype_name, "grad_fn#%d" % i, opts)
            check(torch.nn.Parameter(t.clone()), dtype_name, "param#%d" % i, opts,
                  prefix="Parameter containing:\ntensor(")
        if t.numel() == 0:
            check(t, dtype_name, "empty-caller-dtype#%d" % i, opts,
                  caller_adds_empty_dtype=True)

    # hand-picked edge cases
    set_both({})
    specials = [
        torch.tensor(3.5), torch.tensor(-0.0), torch.tensor(math.nan),
        torch.tensor(math.inf), torch.tensor(1e-10), torch.tensor(1e20),
        torch.tensor(7), torch.tensor(True), torch.tensor([]),
        torch.tensor([], dtype=torch.int64), torch.tensor([], dtype=torch.bool),
        torch.tensor([[1.0, 2.0], [3.0, 4.0]]), torch.tensor([1e-5, 1.0]),
        torch.tensor([1e8, 1.0]), torch.tensor([1.5e8, 1.0]), torch.tensor([1000.0, 1.0]),
        torch.tensor([1001.0, 1.0]), torch.tensor([-0.0, 0.0, 1.0]),
        torch.tensor([math.nan, math.inf, -math.inf]),
        torch.tensor([math.nan, 1.25, -math.inf]), torch.tensor([0.1, 0.2, 0.30000001]),
        torch.arange(10000).reshape(100, 100), torch.arange(2000.0),
        torch.ones(3, 4, 5, 6, 7), torch.tensor([[True, False]]),
        torch.full((3, 40), -123456789, dtype=torch.int64),
        torch.tensor([123456789.0, 1.0]), torch.tensor([[1e-8, 2e-8], [3e-7, 4e300]],
                                                        dtype=torch.float64),
        torch.linspace(-1, 1, 300), torch.randn(2, 3, 4, 5, 6, generator=torch.Generator().manual_seed(0)),
    ]
    for j, t in enumerate(specials):
        name = str(t.dtype).replace("torch.", "")
        for opts in ({}, {"sci_mode": True}, {"sci_mode": False}, {"precision": 1},
                     {"threshold": 5, "edgeitems": 1}, {"linewidth": 30}):
            set_both(opts)
            check(t, name, "special#%d" % j, opts)

    # one very large tensor: must be summarised quickly
    set_both({})
    big = torch.randn(1000, 1000, generator=torch.Generator().manual_seed(1))
    values = big.flatten().tolist()
    start = time.time()
    got = ts.tensor_repr(values, (1000, 1000), "float32")
    elapsed = time.time() - start
    global passed, failed
    if got == repr(big) and elapsed < 1.0:
        passed += 1
    else:
        failed += 1
        failures.append("1e6-element tensor: equal=%s, %.3fs" % (got == repr(big), elapsed))

    # printoptions API
    set_both({"profile": "full"})
    opts_ok = ts.get_printoptions() == {"precision": 4, "threshold": math.inf,
                                        "edgeitems": 3, "linewidth": 80,
                                        "sci_mode": None}
    set_both({})
    opts_ok = opts_ok and ts.get_printoptions()["threshold"] == 1000
    if opts_ok:
        passed += 1
    else:
        failed += 1
        failures.append("get_printoptions mismatch: %s" % ts.get_printoptions())
    torch.set_printoptions(profile="default")

    for f in failures:
        print(f)
        print("=" * 60)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
