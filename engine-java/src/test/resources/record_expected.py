#!/usr/bin/python3
"""Records reference results from real PyTorch for the engine's value tests.

Run from anywhere with a Python that has torch (PyTorch 1.13 was used):

    /usr/bin/python3 engine-java/src/test/resources/record_expected.py

It writes expected.json next to this file. The Java test (ExpectedValuesTest) replays every case with the
engine's Ops and compares values, shape and dtype (or the kind of error raised). CI needs only the JSON.

Case format:
  {"name": str, "op": str, "args": {...}, "inputs": [input spec...],
   "expected": tensor | [tensor...]  or  "error": "RuntimeError" | "IndexError" | ...,
   "check_strides": bool (optional), "topk_ties": bool (optional)}
jtorch's sort is stable; PyTorch's default CPU sort is not for longer rows, so tie-heavy cases ask PyTorch
for stable=True. topk picks any of the tied elements: those cases are checked by value ("topk_ties").
Input spec: {"dtype", "shape", "data" (flat, row-major), "views": [[name, args...], ...]}: a contiguous
tensor built from data, then the views applied in order (to get non-contiguous operands).
Tensor: {"dtype", "shape", "data", "strides", "contiguous"}.
"""
import json
import math
import operator
import os

import torch
import torch.nn.functional as F

torch.manual_seed(1234)

DT = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64,
      "int32": torch.int32, "bool": torch.bool}


def dname(dt):
    return str(dt).replace("torch.", "")


def flat(t):
    t = t.detach().contiguous().reshape(-1)
    if t.dtype == torch.bool:
        return [1 if v else 0 for v in t.tolist()]
    if t.dtype.is_floating_point:
        return [float(v) for v in t.tolist()]
    return [int(v) for v in t.tolist()]


def enc(t):
    if isinstance(t, bool):
        t = torch.tensor(t)
    return {"dtype": dname(t.dtype), "shape": list(t.shape), "data": flat(t),
            "strides": list(t.stride()), "contiguous": t.is_contiguous()}


def apply_view(t, v):
    name, a = v[0], v[1:]
    if name == "t":
        return t.t()
    if name == "permute":
        return t.permute(a[0])
    if name == "transpose":
        return t.transpose(a[0], a[1])
    if name == "narrow":
        return t.narrow(a[0], a[1], a[2])
    if name == "select":
        return t.select(a[0], a[1])
    if name == "slice":
        idx = [slice(None)] * t.dim()
        idx[a[0]] = slice(a[1], a[2], a[3])
        return t[tuple(idx)]
    if name == "expand":
        return t.expand(a[0])
    if name == "unsqueeze":
        return t.unsqueeze(a[0])
    if name == "squeeze":
        return t.squeeze() if not a else t.squeeze(a[0])
    if name == "view":
        return t.view(a[0])
    if name == "reshape":
        return t.reshape(a[0])
    if name == "flatten":
        return t.flatten(a[0], a[1])
    if name == "contiguous":
        return t.contiguous()
    raise ValueError(name)


class Inp:
    """An input: base values plus a chain of views."""

    def __init__(self, base, views=()):
        self.base = base
        self.views = [list(v) for v in views]

    def spec(self):
        return {"dtype": dname(self.base.dtype), "shape": list(self.base.shape), "data": flat(self.base),
                "views": self.views}

    def tensor(self):
        t = self.base.clone()
        for v in self.views:
            t = apply_view(t, v)
        return t


def T(data, dtype="float32", views=()):
    return Inp(torch.tensor(data, dtype=DT[dtype]), views)


def R(*shape, dtype="float32", views=(), lo=None, hi=None):
    """Random values: normal floats (or uniform in [lo, hi)), small ints, random bools."""
    dt = DT[dtype]
    if dt.is_floating_point:
        if lo is None:
            t = torch.randn(*shape, dtype=torch.float64)
        else:
            t = torch.rand(*shape, dtype=torch.float64) * (hi - lo) + lo
        # round to float32 precision first so that both dtypes see representable values
        t = t.to(torch.float32).to(dt)
    elif dt == torch.bool:
        t = torch.rand(*shape) > 0.5
    else:
        t = torch.randint(-5 if lo is None else int(lo), 6 if hi is None else int(hi), shape, dtype=dt)
    return Inp(t, views)


def none_or(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else v


BIN = {
    "ADD": torch.add, "SUB": torch.sub, "MUL": torch.mul, "DIV": torch.div,
    "FLOOR_DIV": torch.floor_divide, "REMAINDER": torch.remainder, "FMOD": torch.fmod, "POW": torch.pow,
    "MAXIMUM": torch.maximum, "MINIMUM": torch.minimum, "ATAN2": torch.atan2,
    "EQ": torch.eq, "NE": torch.ne, "LT": torch.lt, "LE": torch.le, "GT": torch.gt, "GE": torch.ge,
    "LOGICAL_AND": torch.logical_and, "LOGICAL_OR": torch.logical_or, "LOGICAL_XOR": torch.logical_xor,
    "BITWISE_AND": torch.bitwise_and, "BITWISE_OR": torch.bitwise_or, "BITWISE_XOR": torch.bitwise_xor,
}
PYOP = {
    "ADD": operator.add, "SUB": operator.sub, "MUL": operator.mul, "DIV": operator.truediv,
    "FLOOR_DIV": operator.floordiv, "REMAINDER": operator.mod, "POW": operator.pow,
    "EQ": operator.eq, "NE": operator.ne, "LT": operator.lt, "LE": operator.le, "GT": operator.gt,
    "GE": operator.ge, "BITWISE_AND": operator.and_, "BITWISE_OR": operator.or_, "BITWISE_XOR": operator.xor,
}
INPLACE = {
    "ADD": "add_", "SUB": "sub_", "MUL": "mul_", "DIV": "div_", "FLOOR_DIV": "floor_divide_",
    "REMAINDER": "remainder_", "FMOD": "fmod_", "POW": "pow_", "BITWISE_AND": "bitwise_and_",
}


def unary(op, x, p1, p2):
    simple = {
        "NEG": torch.neg, "ABS": torch.abs, "SIGN": torch.sign, "EXP": torch.exp, "LOG": torch.log,
        "LOG2": torch.log2, "LOG10": torch.log10, "LOG1P": torch.log1p, "EXPM1": torch.expm1,
        "SQRT": torch.sqrt, "RSQRT": torch.rsqrt, "SIN": torch.sin, "COS": torch.cos, "TAN": torch.tan,
        "ASIN": torch.asin, "ACOS": torch.acos, "ATAN": torch.atan, "SINH": torch.sinh, "COSH": torch.cosh,
        "TANH": torch.tanh, "SIGMOID": torch.sigmoid, "RELU": torch.relu, "FLOOR": torch.floor,
        "CEIL": torch.ceil, "ROUND": torch.round, "TRUNC": torch.trunc, "FRAC": torch.frac,
        "RECIPROCAL": torch.reciprocal, "SQUARE": torch.square, "NOT": torch.logical_not,
        "ISNAN": torch.isnan, "ISINF": torch.isinf, "ISFINITE": torch.isfinite, "SILU": F.silu,
        "ERF": torch.erf, "GELU": F.gelu,
    }
    if op in simple:
        return simple[op](x)
    if op == "CLAMP":
        # the engine takes double bounds: integral bounds stand for Python ints (int tensors stay int)
        lo, hi = none_or(p1), none_or(p2)
        lo = int(lo) if lo is not None and float(lo).is_integer() and not x.dtype.is_floating_point else lo
        hi = int(hi) if hi is not None and float(hi).is_integer() and not x.dtype.is_floating_point else hi
        return torch.clamp(x, min=lo, max=hi)
    if op == "POW":
        return x ** p1
    if op == "RPOW":
        return p1 ** x
    if op == "GELU_TANH":
        return F.gelu(x, approximate="tanh")
    if op == "LEAKY_RELU":
        return F.leaky_relu(x, p1)
    if op == "ELU":
        return F.elu(x, alpha=p1)
    if op == "SOFTPLUS":
        return F.softplus(x, beta=p1, threshold=p2)
    if op == "HARDTANH":
        return F.hardtanh(x, p1, p2)
    raise ValueError(op)


def dims_arg(x, dims):
    return tuple(range(x.dim())) if dims is None else tuple(dims)


def run(op, a, ts):
    x = ts[0] if ts else None
    if op == "identity":
        return x
    if op == "binary":
        return BIN[a["op"]](ts[0], ts[1])
    if op == "binary_scalar":
        s = [bool, int, float][a["cat"]](a["s"])
        if a["op"] == "FMOD":
            return torch.fmod(x, s)
        f = PYOP[a["op"]]
        return f(s, x) if a["reverse"] else f(x, s)
    if op == "binary_inplace":
        return getattr(ts[0], INPLACE[a["op"]])(ts[1])
    if op == "unary":
        return unary(a["op"], x, a.get("p1"), a.get("p2"))
    if op == "to":
        return x.to(DT[a["dtype"]])
    if op in ("sum", "prod", "mean", "amax", "amin"):
        dims, keep = a["dims"], a["keepdim"]
        if op == "prod":
            if dims is None:
                r = torch.prod(x)
                return r.reshape([1] * x.dim()) if keep else r
            return torch.prod(x, dims[0], keepdim=keep)
        f = {"sum": torch.sum, "mean": torch.mean, "amax": torch.amax, "amin": torch.amin}[op]
        if dims is None and not keep:
            return f(x) if op in ("sum", "mean") else f(x, dims_arg(x, None))
        return f(x, dims_arg(x, dims), keepdim=keep)
    if op in ("var", "std"):
        f = torch.var if op == "var" else torch.std
        return f(x, dim=dims_arg(x, a["dims"]), unbiased=a["correction"] == 1, keepdim=a["keepdim"])
    if op == "max_dim":
        f = torch.max if a["max"] else torch.min
        r = f(x, a["dim"], keepdim=a["keepdim"])
        return [r.values, r.indices]
    if op == "argmax":
        f = torch.argmax if a["max"] else torch.argmin
        return f(x, dim=a["dim"], keepdim=a["keepdim"])
    if op == "softmax":
        return (torch.log_softmax if a["log"] else torch.softmax)(x, a["dim"])
    if op == "cumulative":
        return (torch.cumprod if a["prod"] else torch.cumsum)(x, a["dim"])
    if op == "matmul":
        return torch.matmul(ts[0], ts[1])
    if op == "mm":
        return torch.mm(ts[0], ts[1])
    if op == "bmm":
        return torch.bmm(ts[0], ts[1])
    if op == "cat":
        return torch.cat(ts, a["dim"])
    if op == "stack":
        return torch.stack(ts, a["dim"])
    if op == "split":
        return list(torch.split(x, a["sizes"], a["dim"]))
    if op == "split_size":
        return list(torch.split(x, a["size"], a["dim"]))
    if op == "chunk":
        return list(torch.chunk(x, a["chunks"], a["dim"]))
    if op == "flip":
        return torch.flip(x, a["dims"])
    if op == "repeat":
        return x.repeat(*a["reps"])
    if op == "triangle":
        return (torch.triu if a["upper"] else torch.tril)(x, a["k"])
    if op == "sort":
        r = torch.sort(x, dim=a["dim"], descending=a["descending"], stable=a.get("stable", False))
        return [r.values, r.indices]
    if op == "topk":
        r = torch.topk(x, a["k"], a["dim"], largest=a["largest"])
        return [r.values, r.indices]
    if op == "gather":
        return torch.gather(x, a["dim"], ts[1])
    if op == "scatter":
        s = x.clone()
        return s.scatter_add_(a["dim"], ts[1], ts[2]) if a["add"] else s.scatter_(a["dim"], ts[1], ts[2])
    if op == "index_select":
        return torch.index_select(x, a["dim"], ts[1])
    if op == "index_add":
        return x.clone().index_add_(a["dim"], ts[1], ts[2], alpha=a["alpha"])
    if op == "index":
        if a.get("aten"):  # aten::index: a 0-dim integer tensor is an advanced index, not an int
            return torch.ops.aten.index(x, [None if i is None else ts[i] for i in a["idx"]])
        return x[tuple(slice(None) if i is None else ts[i] for i in a["idx"])]
    if op == "index_put":
        s = x.clone()
        if not a["accumulate"]:  # Python's x[idx] = v (casts v to x's dtype)
            s[tuple(slice(None) if i is None else ts[i] for i in a["idx"])] = ts[-1]
            return s
        idx = [None if i is None else ts[i] for i in a["idx"]]
        return torch.ops.aten.index_put_(s, idx, ts[-1], True)
    if op == "nonzero":
        return torch.nonzero(x)
    if op == "where":
        return torch.where(ts[0], ts[1], ts[2])
    if op == "masked_fill":
        return x.masked_fill(ts[1], a["value"])
    if op == "arange":
        return torch.arange(a["start"], a["end"], a["step"], dtype=DT[a["dtype"]])
    if op == "linspace":
        return torch.linspace(a["start"], a["end"], a["steps"], dtype=DT[a["dtype"]])
    if op == "eye":
        return torch.eye(a["n"], a["m"], dtype=DT[a["dtype"]])
    if op == "equal":
        return torch.tensor(torch.equal(ts[0], ts[1]))
    if op == "allclose":
        return torch.tensor(torch.allclose(ts[0], ts[1], rtol=a["rtol"], atol=a["atol"], equal_nan=a["equal_nan"]))
    raise ValueError(op)


CASES = []
NAMES = set()


def case(name, op, args=None, inputs=(), **extra):
    assert name not in NAMES, name
    NAMES.add(name)
    args = args or {}
    c = {"name": name, "op": op, "args": args, "inputs": [i.spec() for i in inputs]}
    c.update(extra)
    try:
        r = run(op, args, [i.tensor() for i in inputs])
        c["expected"] = [enc(t) for t in r] if isinstance(r, (list, tuple)) else enc(r)
    except Exception as e:  # recorded: the Java side must raise the same kind of error
        c["error"] = type(e).__name__
        c["message"] = str(e).split("\n")[0][:200]
    CASES.append(c)


# ---------------------------------------------------------------- elementwise binary, broadcasting, promotion
ALL_ARITH = ["ADD", "SUB", "MUL", "DIV", "MAXIMUM", "MINIMUM", "ATAN2", "POW"]
for op in ALL_ARITH:
    a = R(2, 3, 4) if op != "POW" else R(2, 3, 4, lo=0.5, hi=2.0)
    case(f"bin_{op}_bcast_f32", "binary", {"op": op}, [a, R(3, 1)])
    case(f"bin_{op}_f64", "binary", {"op": op}, [R(3, 4, dtype="float64", lo=0.5, hi=3), R(4, dtype="float64")])
case("bin_add_bcast_both", "binary", {"op": "ADD"}, [R(4, 1, 3), R(1, 5, 1)])
case("bin_mul_bcast_left", "binary", {"op": "MUL"}, [R(1, 3), R(4, 2, 3)])
case("bin_add_empty", "binary", {"op": "ADD"}, [R(0, 3), R(1, 3)])
case("bin_add_mismatch", "binary", {"op": "ADD"}, [R(2, 3), R(4)])
case("bin_add_mismatch2", "binary", {"op": "MUL"}, [R(2, 3, 1), R(3, 2)])
for op in ["EQ", "NE", "LT", "LE", "GT", "GE"]:
    case(f"cmp_{op}", "binary", {"op": op}, [T([1.0, 2.0, 3.0, float("nan")]), T([[2.0], [3.0]])])
    case(f"cmp_{op}_int_float", "binary", {"op": op}, [T([1, 2, 3], "int64"), T([1.5, 2.0, 2.5])])
for op in ["LOGICAL_AND", "LOGICAL_OR", "LOGICAL_XOR"]:
    case(f"logic_{op}", "binary", {"op": op}, [T([0.0, 1.0, -2.0, 0.0]), T([0, 0, 3, 5], "int64")])
    case(f"logic_{op}_bool", "binary", {"op": op}, [T([True, False, True, False], "bool"), T([True, True, False, False], "bool")])
for op in ["BITWISE_AND", "BITWISE_OR", "BITWISE_XOR"]:
    case(f"bitwise_{op}_int", "binary", {"op": op}, [T([12, -7, 5, 0], "int64"), T([10, 3, -1, 9], "int64")])
    case(f"bitwise_{op}_bool", "binary", {"op": op}, [T([True, False, True, False], "bool"), T([True, True, False, False], "bool")])
    case(f"bitwise_{op}_float_error", "binary", {"op": op}, [T([1.0, 2.0]), T([1.0, 2.0])])
# type promotion
PROMO = [
    ("i64_f32", T([1, -2, 3], "int64"), R(3)),
    ("i32_i64", T([1, -2, 3], "int32"), T([4, 5, -6], "int64")),
    ("i32_f64", T([1, -2, 3], "int32"), R(3, dtype="float64")),
    ("f32_f64", R(3), R(3, dtype="float64")),
    ("bool_i32", T([True, False, True], "bool"), T([4, 5, -6], "int32")),
    ("bool_f32", T([True, False, True], "bool"), R(3)),
    ("bool_bool", T([True, False, True], "bool"), T([True, True, False], "bool")),
    ("i64_i64", T([7, -7, 9], "int64"), T([2, 2, -4], "int64")),
    # 0-dim operands: a dimensioned tensor wins within the same category
    ("f32_0dim_f64", R(3), T(2.5, "float64")),
    ("i32_0dim_i64", T([1, -2, 3], "int32"), T(4, "int64")),
    ("i64_0dim_f64", T([1, -2, 3], "int64"), T(1.5, "float64")),
    ("bool_0dim_i64", T([True, False], "bool"), T(3, "int64")),
    ("0dim_f64_i32", T(0.5, "float64"), T([1, -2, 3], "int32")),
    ("0dim_0dim", T(3, "int64"), T(0.25, "float32")),
    ("0dim_i32_f32", T(3, "int32"), R(2)),
]
for tag, a, b in PROMO:
    for op in ["ADD", "SUB", "MUL", "DIV"]:
        case(f"promo_{op}_{tag}", "binary", {"op": op}, [a, b])
# integer arithmetic on negatives
NEG_I = T([7, -7, 7, -7, 0, 5, -5, 9], "int64")
NEG_J = T([2, 2, -2, -2, 3, -3, 3, 4], "int64")
NEG_F = T([7.5, -7.5, 7.5, -7.5, 0.0, 5.0, -5.0, -0.25])
NEG_G = T([2.0, 2.0, -2.0, -2.0, 3.0, -3.0, 3.0, 0.5])
for op in ["FLOOR_DIV", "REMAINDER", "FMOD", "DIV"]:
    case(f"negdiv_{op}_int", "binary", {"op": op}, [NEG_I, NEG_J])
    case(f"negdiv_{op}_float", "binary", {"op": op}, [NEG_F, NEG_G])
    case(f"negdiv_{op}_int32", "binary", {"op": op}, [T([7, -7, 7, -7], "int32"), T([2, 2, -2, -2], "int32")])
case("floor_div_f64_inexact", "binary", {"op": "FLOOR_DIV"},
     [T([1.0, 0.7, -1.0, 5.0], "float64"), T([0.1, 0.1, 0.1, 0.5], "float64")])
case("remainder_f64_inexact", "binary", {"op": "REMAINDER"},
     [T([1.0, 0.7, -1.0, 5.0], "float64"), T([0.1, 0.1, 0.1, 0.5], "float64")])
case("floor_div_int_by_zero", "binary", {"op": "FLOOR_DIV"}, [T([1, 2], "int64"), T([0, 1], "int64")])
case("pow_int_int", "binary", {"op": "POW"}, [T([2, -3, 0, 5], "int64"), T([3, 3, 0, 1], "int64")])
case("pow_int_negexp", "binary", {"op": "POW"}, [T([2, 3], "int64"), T([-1, 2], "int64")])
case("pow_float_neg_base", "binary", {"op": "POW"}, [T([-2.0, -2.0, 0.0, 4.0]), T([2.0, 0.5, 0.0, -0.5])])
case("sub_bool_bool_error", "binary", {"op": "SUB"}, [T([True], "bool"), T([False], "bool")])
case("maximum_nan", "binary", {"op": "MAXIMUM"}, [T([1.0, float("nan"), 3.0]), T([2.0, 1.0, float("nan")])])
case("minimum_int", "binary", {"op": "MINIMUM"}, [T([1, -5, 3], "int64"), T([2, -1, 3], "int32")])

# with Python scalars
SC = [("int", 1, 3), ("float", 2, 2.5), ("negfloat", 2, -1.5), ("bool", 0, True)]
for tag, cat, s in SC:
    for op in ["ADD", "SUB", "MUL", "DIV", "FLOOR_DIV", "REMAINDER", "POW"]:
        if tag == "bool" and op in ("SUB", "FLOOR_DIV", "REMAINDER", "POW", "DIV"):
            continue
        for xt, x in [("f32", T([1.5, -2.0, 3.0, 0.5])), ("i64", T([1, -2, 3, 4], "int64")),
                      ("i32", T([1, -2, 3, 4], "int32")), ("bool", T([True, False, True, True], "bool"))]:
            if xt == "bool" and op in ("SUB", "FLOOR_DIV", "REMAINDER", "POW"):
                continue
            if op == "POW" and xt in ("i64", "i32") and cat == 2 and s < 0:
                continue
            for rev in (False, True):
                if rev and op in ("FLOOR_DIV", "REMAINDER", "DIV") and xt in ("i64", "i32", "bool"):
                    continue  # x may hold zeros / ints: keep the reverse cases well-defined
                if rev and op == "POW" and xt in ("i64", "i32"):
                    continue
                case(f"scalar_{op}_{xt}_{tag}_{'rev' if rev else 'fwd'}", "binary_scalar",
                     {"op": op, "s": float(s), "cat": cat, "reverse": rev}, [x])
for op in ["EQ", "LT", "GE"]:
    case(f"scalar_cmp_{op}", "binary_scalar", {"op": op, "s": 2.0, "cat": 2, "reverse": False}, [T([1, 2, 3], "int64")])
case("scalar_fmod_neg", "binary_scalar", {"op": "FMOD", "s": -2.0, "cat": 1, "reverse": False}, [T([5, -5, 4], "int64")])
case("scalar_fmod_float", "binary_scalar", {"op": "FMOD", "s": 1.5, "cat": 2, "reverse": False}, [T([5.0, -5.0, 4.5])])
case("scalar_pow_0dim_i64_float", "binary_scalar", {"op": "POW", "s": 2.0, "cat": 2, "reverse": False}, [T(3, "int64")])
case("scalar_add_0dim_f64", "binary_scalar", {"op": "ADD", "s": 1.0, "cat": 2, "reverse": False}, [T(3.0, "float64")])
case("scalar_bitand_int", "binary_scalar", {"op": "BITWISE_AND", "s": 6.0, "cat": 1, "reverse": False}, [T([5, 12, -1], "int64")])

# in-place
case("inplace_add_f32_f64", "binary_inplace", {"op": "ADD"}, [R(3), R(3, dtype="float64")])
case("inplace_add_i32_i64", "binary_inplace", {"op": "ADD"}, [T([1, 2, 3], "int32"), T([10, 20, 30], "int64")])
case("inplace_add_i64_f32_error", "binary_inplace", {"op": "ADD"}, [T([1, 2, 3], "int64"), R(3)])
case("inplace_div_int_error", "binary_inplace", {"op": "DIV"}, [T([1, 2, 3], "int64"), T([1, 2, 3], "int64")])
case("inplace_mul_bcast", "binary_inplace", {"op": "MUL"}, [R(2, 3), R(3)])
case("inplace_mul_bcast_error", "binary_inplace", {"op": "MUL"}, [R(3), R(2, 3)])
case("inplace_sub_noncontig", "binary_inplace", {"op": "SUB"}, [R(3, 4, views=[["t"]]), R(4, 3)])
case("inplace_floordiv_int", "binary_inplace", {"op": "FLOOR_DIV"}, [T([7, -7, 8], "int64"), T([2, 2, -3], "int64")])
case("inplace_add_float_0dim_f64", "binary_inplace", {"op": "ADD"}, [R(3), T(1.5, "float64")])
case("inplace_add_bool_int_error", "binary_inplace", {"op": "ADD"}, [T([True], "bool"), T([1], "int64")])

# ---------------------------------------------------------------- unary
POS = R(2, 5, lo=0.2, hi=3.0)
UNIT = R(2, 5, lo=-0.9, hi=0.9)
GEN = R(2, 5, lo=-3.0, hi=3.0)
for op in ["NEG", "ABS", "SIGN", "EXP", "EXPM1", "SIN", "COS", "TAN", "ATAN", "SINH", "COSH", "TANH", "SIGMOID",
           "RELU", "FLOOR", "CEIL", "TRUNC", "FRAC", "SQUARE", "SILU", "ERF", "GELU", "GELU_TANH", "NOT"]:
    case(f"un_{op}", "unary", {"op": op}, [GEN])
    case(f"un_{op}_f64", "unary", {"op": op}, [R(4, dtype="float64", lo=-2, hi=2)])
for op in ["LOG", "LOG2", "LOG10", "LOG1P", "SQRT", "RSQRT", "RECIPROCAL"]:
    case(f"un_{op}", "unary", {"op": op}, [POS])
    case(f"un_{op}_f64", "unary", {"op": op}, [R(4, dtype="float64", lo=0.1, hi=5)])
for op in ["ASIN", "ACOS"]:
    case(f"un_{op}", "unary", {"op": op}, [UNIT])
case("un_ROUND_half_even", "unary", {"op": "ROUND"}, [T([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, -2.6])])
case("un_special_values", "unary", {"op": "EXP"}, [T([float("inf"), float("-inf"), float("nan"), 0.0])])
case("un_log_nonpos", "unary", {"op": "LOG"}, [T([0.0, -1.0, 1.0])])
case("un_sqrt_neg", "unary", {"op": "SQRT"}, [T([-1.0, 4.0])])
for op in ["ISNAN", "ISINF", "ISFINITE"]:
    case(f"un_{op}", "unary", {"op": op}, [T([1.0, float("nan"), float("inf"), float("-inf")])])
    case(f"un_{op}_int", "unary", {"op": op}, [T([1, 2], "int64")])
for op in ["NEG", "ABS", "SIGN", "SQUARE", "RELU"]:
    case(f"un_{op}_int", "unary", {"op": op}, [T([-3, 0, 4, -1], "int64")])
    case(f"un_{op}_int32", "unary", {"op": op}, [T([-3, 0, 4, -1], "int32")])
for op in ["EXP", "SQRT", "SIGMOID", "SIN"]:
    case(f"un_{op}_int_to_float", "unary", {"op": op}, [T([0, 1, 4, 9], "int64")])
case("un_NOT_int", "unary", {"op": "NOT"}, [T([0, 1, -2], "int64")])
case("un_NOT_bool", "unary", {"op": "NOT"}, [T([True, False], "bool")])
case("un_noncontig", "unary", {"op": "EXP"}, [R(3, 4, views=[["t"], ["slice", 0, 0, 4, 2]])])
case("un_pow", "unary", {"op": "POW", "p1": 3.0}, [GEN])
case("un_pow_frac", "unary", {"op": "POW", "p1": 0.5}, [POS])
case("un_pow_neg", "unary", {"op": "POW", "p1": -2.0}, [POS])
case("un_rpow", "unary", {"op": "RPOW", "p1": 2.0}, [GEN])
case("un_leaky", "unary", {"op": "LEAKY_RELU", "p1": 0.1}, [GEN])
case("un_elu", "unary", {"op": "ELU", "p1": 1.5}, [GEN])
case("un_softplus", "unary", {"op": "SOFTPLUS", "p1": 2.0, "p2": 3.0}, [GEN])
case("un_hardtanh", "unary", {"op": "HARDTANH", "p1": -1.0, "p2": 0.5}, [GEN])
# clamp
case("clamp_both", "unary", {"op": "CLAMP", "p1": -1.0, "p2": 1.0}, [GEN])
case("clamp_min", "unary", {"op": "CLAMP", "p1": 0.0, "p2": None}, [GEN])
case("clamp_max", "unary", {"op": "CLAMP", "p1": None, "p2": 0.5}, [GEN])
case("clamp_int", "unary", {"op": "CLAMP", "p1": -2.0, "p2": 3.0}, [T([-5, -2, 0, 3, 7], "int64")])
case("clamp_int_frac_bound", "unary", {"op": "CLAMP", "p1": 1.5, "p2": None}, [T([1, 2, 3], "int64")])
case("clamp_nan", "unary", {"op": "CLAMP", "p1": 0.0, "p2": 1.0}, [T([float("nan"), 2.0, -1.0])])
case("clamp_min_gt_max", "unary", {"op": "CLAMP", "p1": 2.0, "p2": 1.0}, [T([0.0, 1.5, 3.0])])

# dtype conversions
case("to_f32_i64", "to", {"dtype": "int64"}, [T([1.7, -1.7, 0.5, -0.5, 3.0])])
case("to_f32_i32", "to", {"dtype": "int32"}, [T([2.9, -2.9])])
case("to_f32_bool", "to", {"dtype": "bool"}, [T([0.0, -0.0, 0.1, float("nan")])])
case("to_i64_bool", "to", {"dtype": "bool"}, [T([0, 2, -1], "int64")])
case("to_bool_f64", "to", {"dtype": "float64"}, [T([True, False], "bool")])
case("to_i64_f32_noncontig", "to", {"dtype": "float32"}, [R(3, 4, dtype="int64", views=[["t"]])])

# ---------------------------------------------------------------- reductions
X234 = R(2, 3, 4)
for op in ["sum", "mean", "amax", "amin", "prod"]:
    for dims in ([None, [0], [1], [-1], [0, 2], [2, 0]] if op != "prod" else [None, [0], [1], [-1]]):
        for keep in (False, True):
            dn = "all" if dims is None else "_".join(str(d) for d in dims)
            case(f"red_{op}_{dn}_{'k' if keep else 'n'}", op, {"dims": dims, "keepdim": keep}, [X234])
case("red_sum_noncontig", "sum", {"dims": [1], "keepdim": False}, [R(4, 3, views=[["t"]])])
case("red_sum_int", "sum", {"dims": [0], "keepdim": False}, [T([[1, 2], [3, 4]], "int32")])
case("red_sum_bool", "sum", {"dims": None, "keepdim": False}, [T([True, True, False], "bool")])
case("red_sum_0dim", "sum", {"dims": None, "keepdim": False}, [T(2.5)])
case("red_sum_empty", "sum", {"dims": [0], "keepdim": False}, [R(0, 3)])
case("red_sum_int64_big", "sum", {"dims": None, "keepdim": False}, [T([2 ** 53 + 1, 0, 2], "int64")])
case("red_prod_int", "prod", {"dims": None, "keepdim": False}, [T([1, -2, 3, 4], "int64")])
case("red_mean_int_error", "mean", {"dims": None, "keepdim": False}, [T([1, 2], "int64")])
case("red_amax_int", "amax", {"dims": [1], "keepdim": False}, [T([[1, -2, 3], [4, 9, -6]], "int64")])
case("red_amax_nan", "amax", {"dims": [0], "keepdim": False}, [T([1.0, float("nan"), 3.0])])
case("red_dup_dim_error", "sum", {"dims": [0, 0], "keepdim": False}, [X234])
case("red_dim_out_of_range", "sum", {"dims": [3], "keepdim": False}, [X234])
for op in ("var", "std"):
    for dims in (None, [0], [1], [0, 2]):
        for corr in (0, 1):
            for keep in (False, True):
                dn = "all" if dims is None else "_".join(str(d) for d in dims)
                case(f"{op}_{dn}_c{corr}_{'k' if keep else 'n'}", op,
                     {"dims": dims, "correction": corr, "keepdim": keep}, [X234])
case("var_single_unbiased", "var", {"dims": None, "correction": 1, "keepdim": False}, [T([3.0])])
case("var_f64", "var", {"dims": [1], "correction": 1, "keepdim": False}, [R(3, 5, dtype="float64")])
for keep in (False, True):
    for mx in (True, False):
        case(f"maxdim_{'max' if mx else 'min'}_{'k' if keep else 'n'}", "max_dim", {"dim": 1, "keepdim": keep, "max": mx}, [X234])
case("maxdim_ties_first", "max_dim", {"dim": 0, "keepdim": False, "max": True}, [T([1.0, 3.0, 3.0, 2.0, 3.0])])
case("mindim_ties_first", "max_dim", {"dim": 0, "keepdim": False, "max": False}, [T([1.0, 0.0, 3.0, 0.0])])
case("maxdim_int", "max_dim", {"dim": -1, "keepdim": False, "max": True}, [T([[1, 5, 2], [7, 7, 0]], "int64")])
case("maxdim_nan", "max_dim", {"dim": 0, "keepdim": False, "max": True}, [T([1.0, float("nan"), 3.0])])
case("maxdim_0dim", "max_dim", {"dim": 0, "keepdim": False, "max": True}, [T(2.0)])
case("argmax_all", "argmax", {"dim": None, "keepdim": False, "max": True}, [X234])
case("argmin_dim", "argmax", {"dim": 2, "keepdim": True, "max": False}, [X234])
case("argmax_ties", "argmax", {"dim": None, "keepdim": False, "max": True}, [T([[1.0, 4.0], [4.0, 0.0]])])
for d in (0, 1, -1):
    for lg in (False, True):
        case(f"softmax_d{d}_{'log' if lg else 'p'}", "softmax", {"dim": d, "log": lg}, [R(3, 4)])
case("softmax_large", "softmax", {"dim": 0, "log": False}, [T([1000.0, 1001.0, -1000.0])])
case("log_softmax_large", "softmax", {"dim": 0, "log": True}, [T([1000.0, 1001.0, -1000.0])])
case("softmax_noncontig", "softmax", {"dim": 1, "log": False}, [R(4, 3, views=[["t"]])])
case("softmax_f64", "softmax", {"dim": -1, "log": True}, [R(2, 5, dtype="float64")])
case("softmax_int", "softmax", {"dim": 0, "log": False}, [T([1, 2, 3], "int64")])
case("softmax_0dim", "softmax", {"dim": 0, "log": False}, [T(3.0)])
for d in (0, 1, -1):
    case(f"cumsum_d{d}", "cumulative", {"dim": d, "prod": False}, [X234])
    case(f"cumprod_d{d}", "cumulative", {"dim": d, "prod": True}, [R(2, 3, 4, lo=0.5, hi=1.5)])
case("cumsum_int32", "cumulative", {"dim": 0, "prod": False}, [T([1, 2, 3], "int32")])
case("cumsum_bool", "cumulative", {"dim": 0, "prod": False}, [T([True, True, False], "bool")])
case("cumsum_noncontig", "cumulative", {"dim": 0, "prod": False}, [R(4, 3, views=[["t"]])])
case("cumprod_int", "cumulative", {"dim": 0, "prod": True}, [T([1, -2, 3, 4], "int64")])
case("cumsum_0dim", "cumulative", {"dim": 0, "prod": False}, [T(2.5)])

# ---------------------------------------------------------------- matmul
MM = [
    ("1d_1d", (4,), (4,)), ("2d_1d", (3, 4), (4,)), ("1d_2d", (4,), (4, 5)), ("2d_2d", (3, 4), (4, 5)),
    ("3d_3d", (2, 3, 4), (2, 4, 5)), ("3d_2d", (2, 3, 4), (4, 5)), ("2d_3d", (3, 4), (2, 4, 5)),
    ("1d_3d", (4,), (2, 4, 5)), ("3d_1d", (2, 3, 4), (4,)), ("bcast_4d", (2, 1, 3, 4), (5, 4, 2)),
    ("4d_1d", (2, 2, 3, 4), (4,)), ("empty_k", (3, 0), (0, 2)),
]
for tag, sa, sb in MM:
    case(f"matmul_{tag}", "matmul", {}, [R(*sa), R(*sb)])
case("matmul_f64", "matmul", {}, [R(3, 4, dtype="float64"), R(4, 2, dtype="float64")])
case("matmul_int", "matmul", {}, [T([[1, 2], [3, 4]], "int64"), T([[5, -6], [7, 8]], "int64")])
case("matmul_noncontig", "matmul", {}, [R(4, 3, views=[["t"]]), R(2, 4, views=[["t"]])])
case("matmul_mismatch", "matmul", {}, [R(3, 4), R(5, 2)])
case("matmul_1d_mismatch", "matmul", {}, [R(3), R(4)])
case("matmul_batch_mismatch", "matmul", {}, [R(2, 3, 4), R(3, 4, 5)])
case("matmul_0dim", "matmul", {}, [T(1.0), R(3)])
case("matmul_dtype_mismatch", "matmul", {}, [R(2, 2), R(2, 2, dtype="float64")])
case("mm_basic", "mm", {}, [R(2, 3), R(3, 4)])
case("mm_3d_error", "mm", {}, [R(2, 2, 3), R(3, 4)])
case("bmm_basic", "bmm", {}, [R(2, 2, 3), R(2, 3, 4)])
case("bmm_mismatch", "bmm", {}, [R(2, 2, 3), R(3, 3, 4)])

# ---------------------------------------------------------------- joining, splitting
for d in (0, 1, -1):
    case(f"cat_d{d}", "cat", {"dim": d}, [R(2, 3), R(2, 3), R(2, 3)])
    case(f"stack_d{d}", "stack", {"dim": d}, [R(2, 3), R(2, 3)])
case("stack_d2", "stack", {"dim": 2}, [R(2, 3), R(2, 3)])
case("cat_uneven", "cat", {"dim": 1}, [R(2, 1), R(2, 3), R(2, 0)])
case("cat_promote", "cat", {"dim": 0}, [T([1, 2], "int64"), T([0.5])])
case("cat_legacy_empty", "cat", {"dim": 0}, [R(0), R(2, 3)])
case("cat_noncontig", "cat", {"dim": 0}, [R(3, 2, views=[["t"]]), R(1, 3)])
case("cat_mismatch", "cat", {"dim": 0}, [R(2, 3), R(2, 4)])
case("cat_ndim_mismatch", "cat", {"dim": 0}, [R(2, 3), R(3)])
case("cat_0dim_error", "cat", {"dim": 0}, [T(1.0), T(2.0)])
case("stack_mismatch", "stack", {"dim": 0}, [R(2, 3), R(3, 2)])
case("stack_0dim", "stack", {"dim": 0}, [T(1.0), T(2.0)])
case("split_sizes", "split", {"sizes": [1, 3, 0, 2], "dim": 1}, [R(2, 6)])
case("split_sizes_bad", "split", {"sizes": [1, 2], "dim": 1}, [R(2, 6)])
case("split_size_even", "split_size", {"size": 2, "dim": 0}, [R(6, 2)])
case("split_size_uneven", "split_size", {"size": 4, "dim": -1}, [R(2, 10)])
case("split_size_big", "split_size", {"size": 20, "dim": 1}, [R(2, 10)])
case("chunk_uneven", "chunk", {"chunks": 3, "dim": 1}, [R(2, 7)])
case("chunk_more_than_size", "chunk", {"chunks": 4, "dim": 0}, [R(3, 2)])
case("chunk_6_4", "chunk", {"chunks": 4, "dim": 0}, [R(6)])

# ---------------------------------------------------------------- views (values, shape and strides)
B = R(2, 3, 4)
VIEWS = [
    ("t2d", R(3, 4), [["t"]]),
    ("permute", B, [["permute", [2, 0, 1]]]),
    ("permute_neg", B, [["permute", [-1, 0, -2]]]),
    ("transpose", B, [["transpose", 0, 2]]),
    ("narrow", B, [["narrow", 2, 1, 2]]),
    ("narrow_neg_start", B, [["narrow", 1, -2, 2]]),
    ("select", B, [["select", 1, 2]]),
    ("select_neg", B, [["select", -1, -1]]),
    ("slice_step", B, [["slice", 2, 0, 4, 2]]),
    ("slice_neg", B, [["slice", 2, -3, -1, 1]]),
    ("slice_clamped", B, [["slice", 1, 1, 100, 1]]),
    ("slice_empty", B, [["slice", 1, 2, 1, 1]]),
    ("expand", R(3, 1), [["expand", [2, 3, 4]]]),
    ("expand_minus1", R(3, 1), [["expand", [-1, 5]]]),
    ("unsqueeze0", B, [["unsqueeze", 0]]),
    ("unsqueeze_last", B, [["unsqueeze", -1]]),
    ("unsqueeze_mid", B, [["unsqueeze", 2]]),
    ("squeeze_all", R(1, 3, 1, 2), [["squeeze"]]),
    ("squeeze_dim", R(1, 3, 1, 2), [["squeeze", 2]]),
    ("squeeze_dim_noop", R(1, 3, 1, 2), [["squeeze", 1]]),
    ("view", B, [["view", [6, 4]]]),
    ("view_infer", B, [["view", [-1, 2]]]),
    ("view_0dim", T([5.0]), [["view", []]]),
    ("view_of_t", R(4, 6), [["t"], ["view", [2, 3, 4]]]),
    ("view_of_permute_ok", B, [["permute", [1, 2, 0]], ["narrow", 0, 0, 3], ["view", [12, 2]]]),
    ("reshape_copy", R(3, 4), [["t"], ["reshape", [12]]]),
    ("reshape_view", B, [["reshape", [4, -1]]]),
    ("flatten_all", B, [["flatten", 0, -1]]),
    ("flatten_mid", R(2, 3, 4, 5), [["flatten", 1, 2]]),
    ("flatten_noncontig", B, [["transpose", 0, 1], ["flatten", 1, 2]]),
    ("chain_noncontig", R(4, 5, 6), [["transpose", 0, 2], ["narrow", 1, 1, 3], ["select", 2, 1], ["slice", 0, 1, 6, 2]]),
    ("expand_then_permute", R(3, 1), [["expand", [3, 4]], ["t"]]),
    ("contiguous_of_t", R(3, 4), [["t"], ["contiguous"]]),
]
for tag, inp, views in VIEWS:
    case(f"view_{tag}", "identity", {}, [Inp(inp.base, views)], check_strides=True)
VIEW_ERR = [
    ("view_bad_numel", B, [["view", [5, 5]]]),
    ("view_noncontig", R(3, 4), [["t"], ["view", [12]]]),
    ("view_two_infer", B, [["view", [-1, -1]]]),
    ("narrow_oob", B, [["narrow", 2, 2, 3]]),
    ("narrow_bad_dim", B, [["narrow", 3, 0, 1]]),
    ("select_oob", B, [["select", 1, 3]]),
    ("select_oob_neg", B, [["select", 1, -4]]),
    ("permute_dup", B, [["permute", [0, 0, 1]]]),
    ("permute_len", B, [["permute", [0, 1]]]),
    ("expand_bad", R(3, 2), [["expand", [3, 4]]]),
    ("expand_fewer", R(3, 2), [["expand", [2]]]),
    ("unsqueeze_oob", B, [["unsqueeze", 4]]),
    ("transpose_oob", B, [["transpose", 0, 3]]),
    ("t_3d", B, [["t"]]),
    ("slice_step0", B, [["slice", 1, 0, 3, 0]]),
    ("flatten_bad", B, [["flatten", 2, 0]]),
]
for tag, inp, views in VIEW_ERR:
    case(f"viewerr_{tag}", "identity", {}, [Inp(inp.base, views)])
case("view_binary_noncontig_both", "binary", {"op": "SUB"},
     [R(4, 3, views=[["t"]]), R(3, 8, views=[["slice", 1, 0, 8, 2]])])
case("view_binary_expanded", "binary", {"op": "MUL"}, [R(3, 1, views=[["expand", [3, 4]]]), R(4, 3, views=[["t"]])])

# ---------------------------------------------------------------- advanced indexing
X = R(4, 5, 6)
I2 = T([0, 2, 3], "int64")
I3 = T([1, 4, 0], "int64")
case("idx_first", "index", {"idx": [1]}, [X, I2])
case("idx_middle", "index", {"idx": [None, 1]}, [X, I3])
case("idx_last", "index", {"idx": [None, None, 1]}, [X, T([5, 0, -1, 2], "int64")])
case("idx_adjacent", "index", {"idx": [None, 1, 2]}, [X, I3, T([1, 5, 0], "int64")])
case("idx_nonadjacent", "index", {"idx": [1, None, 2]}, [X, I2, T([1, 5, 0], "int64")])
case("idx_all_three", "index", {"idx": [1, 2, 3]}, [X, I2, I3, T([0, 1, 2], "int64")])
case("idx_bcast", "index", {"idx": [1, 2]}, [X, T([[0], [3]], "int64"), T([1, 2, 4], "int64")])
case("idx_bcast_nonadj", "index", {"idx": [1, None, 2]}, [X, T([[0], [3]], "int64"), T([1, 2, 4], "int64")])
case("idx_2d_index", "index", {"idx": [None, 1]}, [X, T([[0, 1], [4, 4]], "int64")])
case("idx_neg", "index", {"idx": [1]}, [X, T([-1, -4], "int64")])
case("idx_dup", "index", {"idx": [1]}, [X, T([2, 2, 0], "int64")])
case("idx_empty", "index", {"idx": [1]}, [X, Inp(torch.zeros(0, dtype=torch.int64))])
case("idx_mask_full", "index", {"idx": [1]}, [R(3, 4), R(3, 4, dtype="bool")])
case("idx_mask_row", "index", {"idx": [1]}, [R(3, 4), T([True, False, True], "bool")])
case("idx_mask_mid", "index", {"idx": [None, 1]}, [X, T([True, False, True, True, False], "bool")])
case("idx_mask_2d_lead", "index", {"idx": [1]}, [X, R(4, 5, dtype="bool")])
case("idx_mask_and_int", "index", {"idx": [1, None, 2]}, [X, T([False, True, True, False], "bool"), T([0, 5], "int64")])
case("idx_noncontig_self", "index", {"idx": [None, 1]}, [R(5, 4, views=[["t"]]), T([0, 3], "int64")])
case("idx_int_tensor", "index", {"idx": [1]}, [T([[1, 2], [3, 4], [5, 6]], "int64"), T([2, 0], "int64")])
case("idx_oob", "index", {"idx": [1]}, [X, T([0, 4], "int64")])
case("idx_oob_neg", "index", {"idx": [None, 1]}, [X, T([-6], "int64")])
case("idx_float_error", "index", {"idx": [1]}, [X, T([0.0, 1.0])])
case("idx_too_many", "index", {"idx": [1, 2]}, [R(3), T([0], "int64"), T([0], "int64")])
case("idx_mask_shape_error", "index", {"idx": [1]}, [R(3, 4), T([True, False], "bool")])
case("idx_bcast_error", "index", {"idx": [1, 2]}, [X, T([0, 1], "int64"), T([0, 1, 2], "int64")])

case("iput_basic", "index_put", {"idx": [1], "accumulate": False}, [R(4, 3), I2, R(3, 3)])
case("iput_scalar_value", "index_put", {"idx": [1], "accumulate": False}, [R(4, 3), I2, T(7.0)])
case("iput_bcast_value", "index_put", {"idx": [1], "accumulate": False}, [R(4, 3), I2, R(3)])
case("iput_acc_dup", "index_put", {"idx": [1], "accumulate": True}, [R(5), T([0, 2, 0, 0, 4], "int64"), R(5)])
case("iput_acc_2d", "index_put", {"idx": [1, 2], "accumulate": True},
     [R(3, 4), T([0, 0, 2, 0], "int64"), T([1, 1, 3, 1], "int64"), R(4)])
case("iput_nonadj", "index_put", {"idx": [1, None, 2], "accumulate": False}, [X, I2, T([1, 5, 0], "int64"), R(3, 5)])
case("iput_nonadj_acc", "index_put", {"idx": [1, None, 2], "accumulate": True},
     [X, T([0, 0, 3], "int64"), T([1, 1, 0], "int64"), R(3, 5)])
case("iput_mid_acc", "index_put", {"idx": [None, 1], "accumulate": True}, [X, T([1, 1], "int64"), R(4, 2, 6)])
case("iput_mask", "index_put", {"idx": [1], "accumulate": False}, [R(3, 4), R(3, 4, dtype="bool"), T(0.0)])
case("iput_mask_rows", "index_put", {"idx": [1], "accumulate": False}, [R(3, 4), T([True, False, True], "bool"), R(4)])
case("iput_int", "index_put", {"idx": [1], "accumulate": True}, [T([1, 2, 3], "int64"), T([0, 0], "int64"), T([5, 6], "int64")])
case("iput_value_cast", "index_put", {"idx": [1], "accumulate": False}, [R(3), T([1], "int64"), T([4], "int64")])
case("iput_oob", "index_put", {"idx": [1], "accumulate": False}, [R(3), T([3], "int64"), T(1.0)])
case("iput_value_shape_error", "index_put", {"idx": [1], "accumulate": False}, [R(4, 3), I2, R(2, 3)])

# gather / scatter / index_select / index_add
GX = R(3, 4)
case("gather_d0", "gather", {"dim": 0}, [GX, T([[0, 1, 2, 0], [2, 2, 1, 0]], "int64")])
case("gather_d1", "gather", {"dim": 1}, [GX, T([[3, 0], [1, 1], [0, 2]], "int64")])
case("gather_d1_small", "gather", {"dim": 1}, [GX, T([[3], [1]], "int64")])
case("gather_neg_dim", "gather", {"dim": -1}, [GX, T([[0, 0, 3]], "int64")])
case("gather_noncontig", "gather", {"dim": 0}, [R(4, 3, views=[["t"]]), T([[2, 1, 0, 0]], "int64")])
case("gather_3d", "gather", {"dim": 1}, [R(2, 3, 4), R(2, 5, 4, dtype="int64", lo=0, hi=3)])
case("gather_oob", "gather", {"dim": 1}, [GX, T([[4]], "int64")])
case("gather_ndim_error", "gather", {"dim": 0}, [GX, T([0, 1], "int64")])
case("gather_float_index_error", "gather", {"dim": 0}, [GX, T([[0.0]])])
SI = T([[0, 1, 2, 0], [2, 0, 0, 1]], "int64")
case("scatter_d0", "scatter", {"dim": 0, "add": False}, [Inp(torch.zeros(3, 4)), T([[0, 1, 2, 0], [2, 0, 1, 1]], "int64"), R(2, 4)])
case("scatter_add_d0", "scatter", {"dim": 0, "add": True}, [R(3, 4), SI, R(2, 4)])
case("scatter_add_d1", "scatter", {"dim": 1, "add": True}, [R(3, 4), T([[0, 0, 3], [1, 1, 1]], "int64"), R(2, 3)])
case("scatter_src_larger", "scatter", {"dim": 1, "add": False}, [Inp(torch.zeros(3, 4)), T([[3, 1], [0, 2]], "int64"), R(3, 5)])
case("scatter_add_src_larger", "scatter", {"dim": 0, "add": True}, [R(3, 4), T([[2, 2], [2, 0]], "int64"), R(4, 4)])
case("scatter_int", "scatter", {"dim": 0, "add": True}, [T([1, 2, 3], "int64"), T([0, 0, 2], "int64"), T([10, 20, 30], "int64")])
case("scatter_oob", "scatter", {"dim": 0, "add": False}, [R(3), T([3], "int64"), R(1)])
case("index_select_d0", "index_select", {"dim": 0}, [GX, T([2, 0, 2], "int64")])
case("index_select_d1", "index_select", {"dim": 1}, [GX, T([3, 1], "int64")])
case("index_select_noncontig", "index_select", {"dim": -1}, [R(4, 3, views=[["t"]]), T([0, 3, 3], "int64")])
case("index_select_oob", "index_select", {"dim": 0}, [GX, T([3], "int64")])
case("index_select_2d_index_error", "index_select", {"dim": 0}, [GX, T([[0]], "int64")])
case("index_add_d0", "index_add", {"dim": 0, "alpha": 1.0}, [GX, T([0, 2, 0], "int64"), R(3, 4)])
case("index_add_d1_alpha", "index_add", {"dim": 1, "alpha": 2.5}, [GX, T([3, 3], "int64"), R(3, 2)])
case("nonzero_2d", "nonzero", {}, [T([[0.0, 1.0, 0.0], [2.0, 0.0, -1.0]])])
case("nonzero_1d_bool", "nonzero", {}, [T([True, False, True], "bool")])
case("nonzero_none", "nonzero", {}, [T([0, 0], "int64")])
case("nonzero_noncontig", "nonzero", {}, [T([[0.0, 1.0, 0.0], [2.0, 0.0, -1.0]], views=[["t"]])])

# ---------------------------------------------------------------- sort / topk
ST = T([[3.0, 1.0, 2.0, 1.0, 3.0], [0.5, -1.0, 0.5, 7.0, -1.0]])
for d in (0, 1):
    for desc in (False, True):
        case(f"sort_d{d}_{'desc' if desc else 'asc'}", "sort", {"dim": d, "descending": desc}, [ST])
case("sort_random", "sort", {"dim": -1, "descending": False}, [R(3, 6)])
case("sort_nan", "sort", {"dim": 0, "descending": False}, [T([2.0, float("nan"), -1.0, float("inf")])])
case("sort_nan_desc", "sort", {"dim": 0, "descending": True}, [T([2.0, float("nan"), -1.0, float("inf")])])
case("sort_int", "sort", {"dim": 0, "descending": True}, [T([3, -1, 3, 2], "int64")])
case("sort_noncontig", "sort", {"dim": 1, "descending": False}, [R(5, 3, views=[["t"]])])
case("sort_0dim", "sort", {"dim": 0, "descending": False}, [T(4.0)])
case("sort_neg_zero", "sort", {"dim": 0, "descending": False}, [T([0.0, -0.0, 1.0, -0.0])])
case("topk_distinct", "topk", {"k": 2, "dim": 1, "largest": True}, [R(3, 5)])
case("topk_smallest", "topk", {"k": 3, "dim": 0, "largest": False}, [R(6, 2)])
case("topk_ties", "topk", {"k": 3, "dim": 1, "largest": True}, [ST], topk_ties=True)
case("topk_ties_smallest", "topk", {"k": 3, "dim": 1, "largest": False}, [ST], topk_ties=True)
case("topk_k0", "topk", {"k": 0, "dim": 0, "largest": True}, [R(4)])
case("topk_too_big", "topk", {"k": 5, "dim": 0, "largest": True}, [R(4)])

# ---------------------------------------------------------------- tril/triu, flip, repeat
for k in (-1, 0, 2):
    for up in (False, True):
        case(f"{'triu' if up else 'tril'}_k{k}", "triangle", {"k": k, "upper": up}, [R(4, 5)])
case("tril_batched", "triangle", {"k": 0, "upper": False}, [R(2, 3, 3)])
case("triu_wide_neg", "triangle", {"k": -2, "upper": True}, [R(3, 6)])
case("tril_int", "triangle", {"k": 0, "upper": False}, [T([[1, 2], [3, 4]], "int64")])
case("tril_noncontig", "triangle", {"k": 0, "upper": False}, [R(4, 3, views=[["t"]])])
case("flip_0", "flip", {"dims": [0]}, [X234])
case("flip_02", "flip", {"dims": [0, 2]}, [X234])
case("flip_neg", "flip", {"dims": [-1]}, [X234])
case("flip_noncontig", "flip", {"dims": [1]}, [R(4, 3, views=[["t"]])])
case("flip_int", "flip", {"dims": [0]}, [T([1, 2, 3], "int64")])
case("repeat_2d", "repeat", {"reps": [2, 3]}, [R(2, 2)])
case("repeat_more_dims", "repeat", {"reps": [2, 1, 3]}, [R(2, 3)])
case("repeat_1d", "repeat", {"reps": [3]}, [T([1, 2], "int64")])
case("repeat_zero", "repeat", {"reps": [0, 2]}, [R(2, 2)])
case("repeat_noncontig", "repeat", {"reps": [1, 2]}, [R(3, 2, views=[["t"]])])
case("repeat_too_few", "repeat", {"reps": [2]}, [R(2, 2)])

# ---------------------------------------------------------------- creation
for tag, a in [("int", (0, 5, 1, "int64")), ("neg_step", (5, -3, -2, "int64")), ("float", (0.0, 1.0, 0.1, "float32")),
               ("float_neg", (-1.0, 1.0, 0.3, "float32")), ("f64", (1.0, 2.5, 0.5, "float64")),
               ("float_to_int", (0.5, 4.2, 1.0, "int64")), ("empty", (3, 3, 1, "int64")),
               ("bad_sign", (0, 5, -1, "int64")), ("zero_step", (0, 5, 0, "int64"))]:
    case(f"arange_{tag}", "arange", {"start": a[0], "end": a[1], "step": a[2], "dtype": a[3]})
for tag, a in [("basic", (0.0, 1.0, 5, "float32")), ("neg", (-3.0, 7.0, 11, "float32")), ("f64", (0.0, 1.0, 7, "float64")),
               ("one", (2.0, 5.0, 1, "float32")), ("zero", (2.0, 5.0, 0, "float32")), ("rev", (1.0, -1.0, 4, "float32")),
               ("odd_len", (0.0, 10.0, 6, "float32")), ("int", (0.0, 10.0, 4, "int64"))]:
    case(f"linspace_{tag}", "linspace", {"start": a[0], "end": a[1], "steps": a[2], "dtype": a[3]})
case("eye_square", "eye", {"n": 3, "m": 3, "dtype": "float32"})
case("eye_rect", "eye", {"n": 2, "m": 4, "dtype": "int64"})

# ---------------------------------------------------------------- where / masked_fill / equal / allclose
COND = T([[True, False, True], [False, False, True]], "bool")
case("where_same", "where", {}, [COND, R(2, 3), R(2, 3)])
case("where_bcast", "where", {}, [T([True, False, True], "bool"), R(2, 1), R(1, 3)])
case("where_promote", "where", {}, [COND, T([1, 2, 3], "int64"), R(2, 3)])
case("where_0dim", "where", {}, [COND, T(1.0, "float64"), R(2, 3)])
case("where_bcast_error", "where", {}, [COND, R(4), R(2, 3)])
case("masked_fill", "masked_fill", {"value": -1.5}, [R(2, 3), COND])
case("masked_fill_bcast_mask", "masked_fill", {"value": 9.0}, [R(2, 3), T([True, False, True], "bool")])
case("masked_fill_int", "masked_fill", {"value": 7.0}, [T([[1, 2, 3], [4, 5, 6]], "int64"), COND])
case("masked_fill_float_mask_error", "masked_fill", {"value": 0.0}, [R(2, 3), R(2, 3)])
case("equal_true", "equal", {}, [T([1.0, 2.0]), T([1.0, 2.0])])
case("equal_false_shape", "equal", {}, [T([1.0, 2.0]), T([[1.0, 2.0]])])
case("equal_false_value", "equal", {}, [T([1.0, 2.0]), T([1.0, 2.5])])
case("allclose_true", "allclose", {"rtol": 1e-5, "atol": 1e-8, "equal_nan": False}, [T([1.0, 2.0]), T([1.0, 2.00001])])
case("allclose_false", "allclose", {"rtol": 1e-5, "atol": 1e-8, "equal_nan": False}, [T([1.0, 2.0]), T([1.0, 2.001])])
case("allclose_nan", "allclose", {"rtol": 1e-5, "atol": 1e-8, "equal_nan": True}, [T([1.0, float("nan")]), T([1.0, float("nan")])])
case("allclose_nan_false", "allclose", {"rtol": 1e-5, "atol": 1e-8, "equal_nan": False}, [T([1.0, float("nan")]), T([1.0, float("nan")])])

# ---------------------------------------------------------------- edge cases
case("edge_idx_0dim_index", "index", {"idx": [1]}, [X, T(2, "int64")])
case("edge_idx_0dim_index_mid", "index", {"idx": [None, 1]}, [X, T(-1, "int64")])
case("edge_idx_0dim_and_vec_nonadj", "index", {"idx": [1, None, 2], "aten": True}, [X, T(1, "int64"), T([0, 5], "int64")])
case("edge_idx_0dim_mask_true", "index", {"idx": [1]}, [R(3), T(True, "bool")])
case("edge_idx_0dim_mask_false", "index", {"idx": [1]}, [R(3), T(False, "bool")])
case("edge_iput_mask_acc", "index_put", {"idx": [1], "accumulate": True}, [R(3, 4), R(3, 4, dtype="bool"), T(1.0)])
case("edge_sum_expanded", "sum", {"dims": [0], "keepdim": False}, [R(1, 4, views=[["expand", [3, 4]]])])
case("edge_cumsum_expanded", "cumulative", {"dim": 1, "prod": False}, [R(3, 1, views=[["expand", [3, 4]]])])
case("edge_matmul_expanded", "matmul", {}, [R(1, 4, views=[["expand", [3, 4]]]), R(4, 1, views=[["expand", [4, 2]]])])
case("edge_div_by_zero_float", "binary", {"op": "DIV"}, [T([1.0, -1.0, 0.0]), T([0.0, 0.0, 0.0])])
case("edge_div_by_zero_int", "binary", {"op": "DIV"}, [T([1, -1, 0], "int64"), T([0, 0, 0], "int64")])
case("edge_remainder_int_zero", "binary", {"op": "REMAINDER"}, [T([1, 2], "int64"), T([0, 1], "int64")])
case("edge_fmod_float_zero", "binary", {"op": "FMOD"}, [T([1.0, -2.0]), T([0.0, 0.0])])
case("edge_remainder_float_zero", "binary", {"op": "REMAINDER"}, [T([1.0, -2.0]), T([0.0, 0.0])])
case("edge_floordiv_float_zero", "binary", {"op": "FLOOR_DIV"}, [T([1.0, -2.0, 0.0]), T([0.0, 0.0, 0.0])])
case("edge_int_overflow_mul", "binary", {"op": "MUL"}, [T([2 ** 62, -(2 ** 62)], "int64"), T([4, 2], "int64")])
case("edge_int32_overflow_add", "binary", {"op": "ADD"}, [T([2 ** 31 - 1], "int32"), T([1], "int32")])
case("edge_pow_float_int_tensor", "binary", {"op": "POW"}, [T([1.5, -2.0, 3.0]), T([2, 3, -1], "int64")])
case("edge_pow_int_scalar_half", "binary_scalar", {"op": "POW", "s": 0.5, "cat": 2, "reverse": False}, [T([1, 4, 9], "int64")])
case("edge_scalar_int_on_f64", "binary_scalar", {"op": "MUL", "s": 3.0, "cat": 1, "reverse": False}, [R(3, dtype="float64")])
case("edge_scalar_float_on_i32", "binary_scalar", {"op": "ADD", "s": 0.5, "cat": 2, "reverse": False}, [T([1, 2], "int32")])
case("edge_scalar_sub_bool", "binary_scalar", {"op": "SUB", "s": 1.0, "cat": 1, "reverse": False}, [T([True, False], "bool")])
case("edge_scalar_rsub_f32", "binary_scalar", {"op": "SUB", "s": 1.0, "cat": 2, "reverse": True}, [T([0.25, 2.0])])
case("edge_scalar_rdiv_f32", "binary_scalar", {"op": "DIV", "s": 1.0, "cat": 2, "reverse": True}, [T([0.25, 2.0])])
case("edge_scalar_rpow_f32", "binary_scalar", {"op": "POW", "s": 2.0, "cat": 2, "reverse": True}, [T([0.5, 3.0])])
case("edge_scalar_floordiv_neg", "binary_scalar", {"op": "FLOOR_DIV", "s": -2.0, "cat": 1, "reverse": False}, [T([5, -5, 4], "int64")])
case("edge_scalar_mod_neg", "binary_scalar", {"op": "REMAINDER", "s": -3.0, "cat": 1, "reverse": False}, [T([5, -5, 4], "int64")])
case("edge_scalar_mod_float_neg", "binary_scalar", {"op": "REMAINDER", "s": -1.5, "cat": 2, "reverse": False}, [T([5.0, -5.0, 4.5])])
case("edge_scalar_pow_int_neg_error", "binary_scalar", {"op": "POW", "s": -1.0, "cat": 1, "reverse": False}, [T([2, 3], "int64")])
case("edge_arange_float_accum", "arange", {"start": 0.0, "end": 0.3, "step": 0.1, "dtype": "float32"})
case("edge_arange_float_accum2", "arange", {"start": 1.0, "end": 2.2, "step": 0.4, "dtype": "float64"})
case("edge_arange_f32_big", "arange", {"start": 0.0, "end": 20.0, "step": 0.7, "dtype": "float32"})
case("edge_linspace_f32_many", "linspace", {"start": -1.0, "end": 3.0, "steps": 50, "dtype": "float32"})
case("edge_var_dim_size1", "var", {"dims": [1], "correction": 1, "keepdim": False}, [R(3, 1)])
case("edge_std_f64", "std", {"dims": [0], "correction": 1, "keepdim": True}, [R(4, 3, dtype="float64")])
case("edge_prod_zeros", "prod", {"dims": [1], "keepdim": False}, [T([[1.0, 0.0, 3.0], [2.0, 2.0, 2.0]])])
case("edge_sum_0dim_dim0", "sum", {"dims": [0], "keepdim": False}, [T(2.5)])
case("edge_sum_0dim_dim0_keep", "sum", {"dims": [-1], "keepdim": True}, [T(2.5)])
case("edge_amax_0dim", "amax", {"dims": [0], "keepdim": False}, [T(2.5)])
case("edge_maxdim_0dim_keep", "max_dim", {"dim": 0, "keepdim": True, "max": True}, [T(2.5)])
case("edge_argmax_0dim", "argmax", {"dim": None, "keepdim": False, "max": True}, [T(2.5)])
case("edge_argmax_keepdim_all", "argmax", {"dim": None, "keepdim": True, "max": True}, [R(2, 3)])
case("edge_unary_empty", "unary", {"op": "EXP"}, [R(0, 3)])
case("edge_repeat_0dim", "repeat", {"reps": [2, 3]}, [T(1.5)])
case("edge_flip_0dim", "flip", {"dims": []}, [T(1.5)])
case("edge_where_0dim_all", "where", {}, [T(True, "bool"), T(1.0), T(2.0)])
case("edge_where_int_int", "where", {}, [T([True, False], "bool"), T([1, 2], "int32"), T([3, 4], "int64")])
case("edge_cat_neg_dim", "cat", {"dim": -2}, [R(2, 1, 3), R(2, 2, 3)])
case("edge_stack_neg_dim", "stack", {"dim": -3}, [R(2, 3), R(2, 3)])
case("edge_stack_int_float", "stack", {"dim": 0}, [T([1, 2], "int64"), T([0.5, 1.5])])
case("edge_tril_k_large", "triangle", {"k": 10, "upper": False}, [R(3, 4)])
case("edge_triu_k_large_neg", "triangle", {"k": -10, "upper": True}, [R(3, 4)])
case("edge_topk_dim0_smallest", "topk", {"k": 2, "dim": 0, "largest": False}, [R(4, 3)])
case("edge_softmax_empty_dim", "softmax", {"dim": 1, "log": False}, [R(2, 0)])
case("edge_masked_fill_0dim_mask", "masked_fill", {"value": 3.0}, [R(2, 2), T(True, "bool")])
case("edge_masked_fill_bool", "masked_fill", {"value": 1.0}, [T([True, False, False], "bool"), T([False, True, False], "bool")])
case("edge_masked_fill_mask_bigger", "masked_fill", {"value": 1.0}, [R(3), R(2, 3, dtype="bool")])
case("edge_gather_empty_index", "gather", {"dim": 0}, [R(3, 2), Inp(torch.zeros(0, 2, dtype=torch.int64))])
case("edge_index_select_empty", "index_select", {"dim": 1}, [R(3, 2), Inp(torch.zeros(0, dtype=torch.int64))])
case("edge_index_select_0dim_index", "index_select", {"dim": 0}, [R(3, 2), T(1, "int64")])
case("edge_sort_stable_many_ties", "sort", {"dim": 0, "descending": False, "stable": True}, [T([2, 1, 2, 1, 0, 2, 1, 0, 0, 2, 1, 1, 2, 0, 1, 2, 2, 0, 1, 0], "int64")])
case("edge_sort_desc_many_ties", "sort", {"dim": 0, "descending": True, "stable": True}, [T([2.0, 1, 2, 1, 0, 2, 1, 0, 0, 2, 1, 1, 2, 0, 1, 2, 2, 0, 1, 0])])
case("edge_nonzero_0dim", "nonzero", {}, [T(3.0)])
case("edge_to_f32_from_big_i64", "to", {"dtype": "float32"}, [T([2 ** 40 + 1, -3], "int64")])
case("edge_to_i32_from_i64_wrap", "to", {"dtype": "int32"}, [T([2 ** 32 + 5, -1], "int64")])
case("edge_amax_int_keep", "amax", {"dims": [0], "keepdim": True}, [T([[1, 5], [7, -2]], "int64")])
case("edge_amax_bool", "amax", {"dims": None, "keepdim": False}, [T([False, True], "bool")])
case("edge_prod_bool", "prod", {"dims": None, "keepdim": False}, [T([True, True], "bool")])
case("edge_sum_big_int32", "sum", {"dims": None, "keepdim": False}, [T([2 ** 31 - 1, 2 ** 31 - 1], "int32")])
case("edge_cumsum_int64_big", "cumulative", {"dim": 0, "prod": False}, [T([2 ** 53 + 1, 2], "int64")])
case("edge_cumprod_zero", "cumulative", {"dim": 0, "prod": True}, [T([2.0, 0.0, 3.0])])
case("edge_equal_dtype_diff", "equal", {}, [T([1, 2], "int64"), T([1.0, 2.0])])
case("edge_allclose_bcast", "allclose", {"rtol": 1e-5, "atol": 1e-8, "equal_nan": False}, [T([1.0, 1.0]), T([1.0])])
case("edge_clamp_int_min_only", "unary", {"op": "CLAMP", "p1": 0.0, "p2": None}, [T([-3, 2], "int64")])
case("edge_round_f64_big", "unary", {"op": "ROUND"}, [T([2.5e15 + 0.5, -0.5, 1e300], "float64")])
case("edge_sign_zero_nan", "unary", {"op": "SIGN"}, [T([0.0, -0.0, float("nan"), -3.0])])
case("edge_abs_int_min", "unary", {"op": "ABS"}, [T([-(2 ** 63)], "int64")])
case("edge_neg_bool_error", "unary", {"op": "NEG"}, [T([True], "bool")])
case("edge_frac_neg", "unary", {"op": "FRAC"}, [T([-1.25, 1.75, -0.0])])
case("edge_trunc_int", "unary", {"op": "TRUNC"}, [T([-3, 3], "int64")])
case("edge_floor_int", "unary", {"op": "FLOOR"}, [T([-3, 3], "int32")])
case("edge_sqrt_int", "unary", {"op": "SQRT"}, [T([4, 2], "int32")])
case("edge_sigmoid_extreme", "unary", {"op": "SIGMOID"}, [T([-100.0, 100.0, -1000.0])])
case("edge_softplus_default", "unary", {"op": "SOFTPLUS", "p1": 1.0, "p2": 20.0}, [T([-30.0, -1.0, 0.0, 19.0, 21.0])])
case("edge_gelu_f64", "unary", {"op": "GELU"}, [T([-3.0, -0.5, 0.0, 0.7, 4.0], "float64")])
case("edge_erf_f64", "unary", {"op": "ERF"}, [T([-3.0, -0.5, 0.0, 0.3, 0.7, 2.0, 5.0], "float64")])
case("edge_relu_int", "unary", {"op": "RELU"}, [T([-3, 3], "int32")])
case("edge_hardtanh_int", "unary", {"op": "HARDTANH", "p1": -1.0, "p2": 1.0}, [T([-3, 0, 3], "int64")])
case("edge_reciprocal_int", "unary", {"op": "RECIPROCAL"}, [T([2, 0, -4], "int64")])


if __name__ == "__main__":
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "expected.json")
    with open(out, "w") as f:
        f.write('{"torch_version": ' + json.dumps(torch.__version__) + ', "cases": [\n')
        f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in CASES))
        f.write("\n]}\n")
    print(f"wrote {len(CASES)} cases to {out}")
