"""jtorch: the PyTorch API over a Java tensor engine (see docs/architecture.md)."""
import builtins as _builtins
import math as _math

from . import _jt
_Parallel = _jt.java.type("org.jtorch.engine.Parallel")
from ._jt import (dtype, Size, device, float32, float64, int64, int32, bool_ as bool, T as _T, B as _B,
                  UnaryOp as _UO, BinaryOp as _BO)
from ._tensor import Tensor, _w, _dims, _shape_args, _un
from . import return_types
from . import autograd
from .autograd import no_grad, enable_grad, set_grad_enabled, inference_mode

__version__ = "2.1.0+jtorch"
float = float32
double = float64
long = int64
int = int32
float16 = half = bfloat16 = float32  # no half-precision storage yet: computed in float32
uint8 = int8 = int16 = int32
_default_dtype = float32
# torch.set_default_device; the launcher's --device / JTORCH_DEFAULT_DEVICE set it for a whole run
_default_device = None


def set_default_device(device):
    global _default_device
    _default_device = None if device is None else _jt.as_device(device)
    if _default_device is not None and _default_device.type == "cpu":
        _default_device = None


def get_default_device():
    return _default_device or _jt.CPU


def _place(t, device):
    """t (made on the CPU) on the requested device, or the default device."""
    d = device if device is not None else _default_device
    if d is None:
        return t
    return t._to_device(_jt.as_device(d))
strided = "strided"
contiguous_format = preserve_format = channels_last = None
e = _math.e
pi = _math.pi
inf = _math.inf
nan = _math.nan


def _seed64(seed):
    """A Python int seed as the signed 64-bit value PyTorch stores (two's complement)."""
    s = _builtins.int(seed) & 0xFFFFFFFFFFFFFFFF
    return s - (1 << 64) if s >= (1 << 63) else s


def _unsigned(v):
    return v + (1 << 64) if v < 0 else v


class Generator:
    """torch.Generator: PyTorch's CPU generator (mt19937), bit-identical streams (org.jtorch.engine.Generator)."""

    def __init__(self, device="cpu", _j=None):
        self._g = _jt.JGenerator() if _j is None else _j
        self.device = _jt.device(device) if not isinstance(device, _jt.device) else device

    def manual_seed(self, seed):
        self._g.manualSeed(_seed64(seed))
        return self

    def initial_seed(self):
        return _unsigned(self._g.initialSeed())

    def seed(self):
        return _unsigned(self._g.seed())

    def get_state(self):
        # uint8 storage is not in the engine yet: the state bytes come back as an int32 tensor of 0..255
        return tensor([b & 0xFF for b in self._g.getState()], dtype=uint8)

    def set_state(self, new_state):
        self._g.setState([((_builtins.int(x) + 128) & 0xFF) - 128 for x in new_state.tolist()])
        return self


default_generator = Generator(_j=_jt.JGenerator.getDefault())


def _gen(generator):
    return _jt.JGenerator.getDefault() if generator is None else generator._g


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(t):
    return t.dtype.is_floating_point


def numel(t):
    return t.numel()


def get_default_dtype():
    return _default_dtype


def set_default_dtype(d):
    global _default_dtype
    if d not in (float32, float64):
        raise TypeError("only floating-point types are supported as the default type")
    _default_dtype = d


def is_grad_enabled():
    return _jt.GradMode.isEnabled()


def manual_seed(seed):
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


def set_num_threads(n):
    if not isinstance(n, _builtins.int) or isinstance(n, _builtins.bool):
        raise TypeError(f"set_num_threads(): argument 'int' (position 1) must be int, not {type(n).__name__}")
    _Parallel.setThreads(n)


def get_num_threads():
    return _Parallel.threads()


def set_num_interop_threads(n):
    if not isinstance(n, _builtins.int) or n <= 0:
        raise RuntimeError("Number of interop threads must be positive")


def get_num_interop_threads():
    return _Parallel.threads()


def set_printoptions(**kwargs):
    from . import _tensor_str
    _tensor_str.set_printoptions(**kwargs)


# ---------------------------------------------------------------------- creation

def _infer(data):
    """Flattens nested Python data; returns (flat values, shape, kind) with kind 0 bool, 1 int, 2 float."""
    if isinstance(data, Tensor):
        return data.reshape(-1).tolist(), tuple(data.shape), data.dtype._cat
    if isinstance(data, (list, tuple)):
        if len(data) == 0:
            return [], (0,), 2
        flat = []
        kind = 0
        sub = None
        for x in data:
            f, s, k = _infer(x)
            if sub is None:
                sub = s
            elif s != sub:
                raise ValueError("expected sequence of length %d at dim %d (got %d)" % (sub[0] if sub else 0, 1, s[0] if s else 0))
            flat.extend(f)
            kind = k if k > kind else kind
        return flat, (len(data),) + sub, kind
    t = type(data)
    if t is _builtins.bool:
        return [data], (), 0
    if t is _builtins.int:
        return [data], (), 1
    if t is _builtins.float:
        return [data], (), 2
    if hasattr(data, "__float__") and not isinstance(data, str):
        return [_builtins.float(data)], (), 2
    raise TypeError("new(): invalid data type '%s'" % type(data).__name__)


def _make(flat, shape, dt):
    if dt.is_floating_point:
        return _B.fromDoubles([_builtins.float(x) for x in flat], list(shape), dt._j)
    return _B.fromLongs([_builtins.int(x) for x in flat], list(shape), dt._j)


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    if isinstance(data, Tensor):
        r = data.detach().clone()
        if dtype is not None:
            r = r.to(dtype)
        if device is not None:
            r = r.to(device)
        return r.requires_grad_(requires_grad) if requires_grad else r
    flat, shape, kind = _infer(data)
    if dtype is None:
        dtype = (bool, int64, _default_dtype)[kind]
    t = _place(_w(_make(flat, shape, dtype)), device)
    if requires_grad:
        t.requires_grad_(True)
    return t


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor):
        r = data if dtype is None else data.to(dtype)
        return r if device is None else r.to(device)
    return tensor(data, dtype=dtype, device=device)


from_numpy = as_tensor


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = size[0]
    return [_builtins.int(s) for s in size]


def _finish(t, requires_grad):
    return t.requires_grad_(True) if requires_grad else t


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, out=None):
    if dtype is None:
        dtype = bool if type(fill_value) is _builtins.bool else int64 if type(fill_value) is _builtins.int else _default_dtype
    return _finish(_place(_w(_B.full(_size((size,)) if isinstance(size, _builtins.int) else _size((size,)), _builtins.float(fill_value), dtype._j)), device), requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    return _finish(_place(_w(_B.full(_size(size), 0.0, (dtype or _default_dtype)._j)), device), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    return _finish(_place(_w(_B.full(_size(size), 1.0, (dtype or _default_dtype)._j)), device), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None, memory_format=None, pin_memory=False):
    return _finish(_place(_w(_B.empty(_size(size), (dtype or _default_dtype)._j)), device), requires_grad)


def zeros_like(t, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return zeros(t.shape, dtype=dtype or t.dtype, device=device or t.device, requires_grad=requires_grad)


def ones_like(t, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return ones(t.shape, dtype=dtype or t.dtype, device=device or t.device, requires_grad=requires_grad)


def empty_like(t, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return empty(t.shape, dtype=dtype or t.dtype, device=device or t.device, requires_grad=requires_grad)


def full_like(t, fill_value, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return full(t.shape, fill_value, dtype=dtype or t.dtype, device=device or t.device, requires_grad=requires_grad)


def rand_like(t, *, dtype=None, device=None, requires_grad=False):
    return rand(t.shape, dtype=dtype or t.dtype, device=device or t.device, requires_grad=requires_grad)


def randn_like(t, *, dtype=None, device=None, requires_grad=False):
    return randn(t.shape, dtype=dtype or t.dtype, device=device or t.device, requires_grad=requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False, out=None):
    if end is None:
        start, end = 0, start
    start, end, step = (x.item() if isinstance(x, Tensor) else x for x in (start, end, step))
    if dtype is None:
        allint = _builtins.all(type(x) is _builtins.int for x in (start, end, step))
        dtype = int64 if allint else _default_dtype
    return _finish(_place(_w(_B.arange(_builtins.float(start), _builtins.float(end), _builtins.float(step), dtype._j)), device), requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    return _finish(_place(_w(_B.linspace(_builtins.float(start), _builtins.float(end), _builtins.int(steps), (dtype or _default_dtype)._j)), device), requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    return _finish(_place(_w(_B.eye(n, n if m is None else m, (dtype or _default_dtype)._j)), device), requires_grad)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    t = empty(*size, dtype=dtype, device="cpu")
    _gen(generator).uniform(t._v.data, 0.0, 1.0)
    return _finish(_place(t, device), requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    t = empty(*size, dtype=dtype, device="cpu")
    _gen(generator).normal(t._v.data, 0.0, 1.0)
    return _finish(_place(t, device), requires_grad)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    if size is None and isinstance(high, (tuple, list, Size)):
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    t = empty(_size((size,)), dtype=dtype or int64, device="cpu")
    _gen(generator).random(t._v.data, _builtins.int(low), _builtins.int(high))
    return _place(t, device)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    return _place(_w(_jt.Variable(_gen(generator).randperm(_builtins.int(n), (dtype or int64)._j))), device)


def multinomial(input, num_samples, replacement=False, *, generator=None):
    r = _w(_jt.Variable(_gen(generator).multinomial(input._v.data.to(_jt.JDevice.CPU), _builtins.int(num_samples), _builtins.bool(replacement))))
    return r.to(input.device)


def normal(mean, std, size=None, *, generator=None):
    if size is not None:
        return randn(size) * std + mean
    return randn_like(mean if isinstance(mean, Tensor) else std) * std + mean


def bernoulli(input, p=None, *, generator=None):
    if p is not None:
        return empty_like(input).bernoulli_(p, generator=generator)
    return _w(_jt.Variable(_gen(generator).bernoulli(input._v.data.to(_jt.JDevice.CPU)))).to(input.device)


# ---------------------------------------------------------------------- functions mirroring methods

def _method(name):
    def f(input, *args, out=None, **kwargs):
        if out is None:
            return getattr(input, name)(*args, **kwargs)
        return _with_out(name, input, args, kwargs, out)
    f.__name__ = name
    return f


# out= forms computed straight into the out tensor by the engine (others compute, then copy)
_OUT_BINARY = {"add": _jt.BinaryOp.ADD, "sub": _jt.BinaryOp.SUB, "mul": _jt.BinaryOp.MUL, "div": _jt.BinaryOp.DIV,
               "true_divide": _jt.BinaryOp.DIV, "maximum": _jt.BinaryOp.MAXIMUM, "minimum": _jt.BinaryOp.MINIMUM}
_OUT_MATMUL = {"mm": _jt.T.mmOut, "bmm": _jt.T.bmmOut, "matmul": _jt.T.matmulOut}


def _with_out(name, input, args, kwargs, out):
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if _jt.GradMode.isEnabled() and (input.requires_grad or _builtins.any(
            isinstance(a, Tensor) and a.requires_grad for a in args)):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic differentiation, "
                           "but one of the arguments requires grad.")
    other = args[0] if len(args) == 1 and not kwargs else None
    if isinstance(other, Tensor):
        op = _OUT_BINARY.get(name)
        if op is not None:
            _jt.T.binaryOut(op, input._v, other._v, out._v)
            return out
        mm = _OUT_MATMUL.get(name)
        if mm is not None:
            mm(input._v, other._v, out._v)
            return out
    r = getattr(input, name)(*args, **kwargs)
    if not isinstance(r, Tensor):
        raise TypeError(f"{name}(): out= is not supported for this function in jtorch")
    _jt.T.writeOut(out._v, r._v.data)
    return out


for _name in ("add", "sub", "mul", "div", "true_divide", "floor_divide", "remainder", "fmod", "pow", "maximum",
              "minimum", "atan2", "eq", "ne", "lt", "le", "gt", "ge", "greater", "less", "logical_and", "logical_or",
              "logical_xor", "logical_not", "neg", "negative", "abs", "sign", "exp", "log", "log2", "log10", "log1p",
              "expm1", "sqrt", "rsqrt", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "sigmoid",
              "relu", "floor", "ceil", "round", "trunc", "frac", "reciprocal", "square", "erf", "isnan", "isinf",
              "isfinite", "clamp", "clip", "sum", "mean", "prod", "nansum", "amax", "amin", "argmax", "argmin", "var",
              "std", "logsumexp", "any", "all", "cumsum", "cumprod", "softmax", "log_softmax", "matmul", "mm", "bmm",
              "mv", "dot", "reshape", "permute", "transpose", "swapaxes", "t", "unsqueeze", "squeeze", "flatten",
              "narrow", "select", "unbind", "split", "chunk", "flip", "tril", "triu", "masked_fill", "sort", "argsort",
              "topk", "gather", "scatter", "scatter_add", "index_select", "index_add", "nonzero", "masked_select",
              "equal", "allclose", "isclose", "clone", "detach", "addcmul", "addcdiv", "lerp", "count_nonzero",
              "unflatten", "relu_", "clamp_", "exp_", "sigmoid_", "tanh_", "diagonal", "diag", "trace"):
    globals()[_name] = _method(_name)
del _name


def max(input, dim=None, keepdim=False, *, out=None):
    if isinstance(dim, Tensor):
        return input.maximum(dim)
    return input.max(dim, keepdim)


def min(input, dim=None, keepdim=False, *, out=None):
    if isinstance(dim, Tensor):
        return input.minimum(dim)
    return input.min(dim, keepdim)


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    return input.norm(p, dim, keepdim)


def std_mean(input, dim=None, unbiased=True, keepdim=False, *, correction=None):
    return input.std(dim, unbiased, keepdim, correction=correction), input.mean(dim, keepdim)


def var_mean(input, dim=None, unbiased=True, keepdim=False, *, correction=None):
    return input.var(dim, unbiased, keepdim, correction=correction), input.mean(dim, keepdim)


def where(condition, input=None, other=None):
    if input is None:
        return condition.nonzero(as_tuple=True)
    if not isinstance(input, Tensor):
        input = tensor(input, dtype=other.dtype if isinstance(other, Tensor) and isinstance(input, (_builtins.float, _builtins.int)) and (other.dtype.is_floating_point or type(input) is _builtins.int) else None)
    if not isinstance(other, Tensor):
        other = tensor(other, dtype=input.dtype if isinstance(other, (_builtins.float, _builtins.int)) and (input.dtype.is_floating_point or type(other) is _builtins.int) else None)
    return _w(_T.where(condition._v, input._v, other._v))


def cat(tensors, dim=0, *, out=None):
    return _w(_T.cat([t._v for t in tensors], dim))


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    return _w(_T.stack([t._v for t in tensors], dim))


def hstack(tensors):
    return cat(tensors, 0 if tensors[0].dim() == 1 else 1)


def vstack(tensors):
    return cat([t.unsqueeze(0) if t.dim() == 1 else t for t in tensors], 0)


def clamp_min(input, m):
    return input.clamp(min=m)


def clamp_max(input, m):
    return input.clamp(max=m)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    return _w(_T.addmm(input._v, mat1._v, mat2._v, _builtins.float(beta), _builtins.float(alpha)))


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    return input.baddbmm(batch1, batch2, beta=beta, alpha=alpha)


def roll(input, shifts, dims=None):
    return input.roll(shifts, dims)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    if repeats is None:  # torch.repeat_interleave(repeats): indices repeated
        return arange(input.numel()).repeat_interleave(input)
    return input.repeat_interleave(repeats, dim)


def meshgrid(*tensors, indexing="ij"):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    ts = list(tensors)
    if indexing == "xy" and len(ts) >= 2:
        ts[0], ts[1] = ts[1], ts[0]
    shape = [t.numel() for t in ts]
    out = []
    for i, t in enumerate(ts):
        view = [1] * len(ts)
        view[i] = -1
        out.append(t.reshape(view).expand(shape))
    if indexing == "xy" and len(out) >= 2:
        out[0], out[1] = out[1], out[0]
    return tuple(out)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    if dim is not None:
        raise NotImplementedError("torch.unique(dim=...) is not supported by jtorch yet")
    flat = input.flatten()
    vals, order = flat.sort()
    if flat.numel() == 0:
        res = [vals]
        if return_inverse:
            res.append(zeros(input.shape, dtype=int64))
        if return_counts:
            res.append(zeros(0, dtype=int64))
        return res[0] if len(res) == 1 else tuple(res)
    new = ones(vals.shape, dtype=bool)
    new[1:] = vals[1:] != vals[:-1]
    group = new.long().cumsum(0) - 1
    uniq = vals[new]
    res = [uniq]
    if return_inverse:
        inv = zeros(flat.shape, dtype=int64)
        inv[order] = group
        res.append(inv.view(input.shape))
    if return_counts:
        counts = zeros(uniq.shape, dtype=int64).index_add_(0, group, ones(group.shape, dtype=int64))
        res.append(counts)
    return res[0] if len(res) == 1 else tuple(res)


def bincount(input, weights=None, minlength=0):
    if input.dim() != 1:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if input.numel() and input.min().item() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    n = _builtins.max(minlength, (input.max().item() + 1) if input.numel() else 0)
    if weights is None:
        return zeros(n, dtype=int64).index_add_(0, input, ones(input.shape, dtype=int64))
    w = weights if weights.dtype.is_floating_point else weights.double()
    return zeros(n, dtype=float64 if w.dtype is float64 or not weights.dtype.is_floating_point else w.dtype).index_add_(0, input, w.to(float64) if w.dtype is float64 else w)


def histc(input, bins=100, min=0, max=0):
    lo, hi = _builtins.float(min), _builtins.float(max)
    x = input.flatten()
    if lo == hi and x.numel():
        lo, hi = x.min().item(), x.max().item()
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    keep = (x >= lo) & (x <= hi)
    xs = x[keep]
    idx = ((xs - lo) * (bins / (hi - lo))).floor().long().clamp(0, bins - 1)
    return zeros(bins, dtype=input.dtype).index_add_(0, idx, ones(idx.shape, dtype=input.dtype))


def frombuffer(buffer, *, dtype=None, count=-1, offset=0, requires_grad=False):
    """A 1-D tensor from a bytes-like object (copied: jtorch storages are Java arrays)."""
    from . import storage as _storage
    dt = dtype or float32
    src = {"float32": "float32", "float64": "float64", "int64": "int64", "int32": "int32", "bool": "bool"}.get(dt.name, dt.name)
    if dtype is uint8 or dt is int32 and dtype is not int32:
        src = "uint8"
    item = {"uint8": 1, "bool": 1, "int32": 4, "float32": 4, "int64": 8, "float64": 8}[src]
    data = bytes(memoryview(buffer)[offset:])
    if count >= 0:
        data = data[:count * item]
    v = _storage.variable_from_file_bytes(data[:len(data) // item * item], src)
    return _finish(_w(v), requires_grad)


def outer(a, b):
    return a.unsqueeze(1) * b.unsqueeze(0)


from ._einsum import einsum
from ._nn_ops import conv1d, conv2d, conv_transpose1d, conv_transpose2d, max_pool1d, max_pool2d, avg_pool1d, \
    avg_pool2d, adaptive_avg_pool1d, adaptive_avg_pool2d


def load(f, map_location=None, pickle_module=None, *, weights_only=None, **kwargs):
    from . import serialization
    return serialization.load(f, map_location=map_location, weights_only=weights_only)


def save(obj, f, pickle_module=None, pickle_protocol=2, **kwargs):
    from . import serialization
    return serialization.save(obj, f)


def _lazy(name):
    import importlib
    return importlib.import_module("torch." + name)


def __getattr__(name):
    if name in ("nn", "optim", "utils", "serialization", "cuda", "backends", "linalg"):
        m = _lazy(name)
        globals()[name] = m
        return m
    if name.endswith("Storage"):  # torch.FloatStorage, torch.UntypedStorage, ... (names in checkpoints)
        from . import storage as _storage
        if hasattr(_storage, name):
            return getattr(_storage, name)
    raise AttributeError("module 'torch' has no attribute '%s'" % name)


def _default_device_from_env():
    try:
        import os
        d = os.environ.get("JTORCH_DEFAULT_DEVICE")
    except Exception:  # sandboxed sessions see no environment
        return
    if d:
        set_default_device(d)


_default_device_from_env()
