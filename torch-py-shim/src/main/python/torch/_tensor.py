"""torch.Tensor: a Python object holding an org.jtorch.autograd.Variable; every op is one call into Java."""
from . import _jt
from ._jt import T, B, BinaryOp as _BO, UnaryOp as _UO, Size, from_j, NAN

_new = object.__new__
_ADD, _SUB, _MUL, _DIV, _FDIV, _REM, _FMOD, _POW = _BO.ADD, _BO.SUB, _BO.MUL, _BO.DIV, _BO.FLOOR_DIV, _BO.REMAINDER, _BO.FMOD, _BO.POW
_MAX, _MIN, _ATAN2 = _BO.MAXIMUM, _BO.MINIMUM, _BO.ATAN2
_EQ, _NE, _LT, _LE, _GT, _GE = _BO.EQ, _BO.NE, _BO.LT, _BO.LE, _BO.GT, _BO.GE
_LAND, _LOR, _LXOR, _BAND, _BOR, _BXOR = _BO.LOGICAL_AND, _BO.LOGICAL_OR, _BO.LOGICAL_XOR, _BO.BITWISE_AND, _BO.BITWISE_OR, _BO.BITWISE_XOR
_IMIN, _IMAX = -(2 ** 31), 2 ** 31 - 1


def _w(v):
    t = _new(Tensor)
    t._v = v
    return t


def _wrap_owned(v):
    """Wrap a Java variable that may already have a Python wrapper (e.g. .grad), keeping identity."""
    if v is None:
        return None
    o = v.owner
    if o is not None:
        return o
    t = _w(v)
    v.owner = t
    return t


def _bin(op, a, b):
    tb = type(b)
    if tb is float:
        return _w(T.binaryScalar(op, a._v, b, 2, False))
    if tb is int:
        return _w(T.binaryScalar(op, a._v, float(b), 1, False))
    if tb is bool:
        return _w(T.binaryScalar(op, a._v, float(b), 0, False))
    if isinstance(b, Tensor):
        return _w(T.binary(op, a._v, b._v))
    return NotImplemented


def _rbin(op, a, b):
    tb = type(b)
    if tb is float:
        return _w(T.binaryScalar(op, a._v, b, 2, True))
    if tb is int:
        return _w(T.binaryScalar(op, a._v, float(b), 1, True))
    if tb is bool:
        return _w(T.binaryScalar(op, a._v, float(b), 0, True))
    if isinstance(b, Tensor):
        return _w(T.binary(op, b._v, a._v))
    return NotImplemented


def _ibin(op, a, b):
    tb = type(b)
    if tb is float:
        T.binaryScalarInPlace(op, a._v, b, 2)
    elif tb is int:
        T.binaryScalarInPlace(op, a._v, float(b), 1)
    elif tb is bool:
        T.binaryScalarInPlace(op, a._v, float(b), 0)
    elif isinstance(b, Tensor):
        T.binaryInPlace(op, a._v, b._v)
    else:
        raise TypeError("unsupported operand type for in-place op: '%s'" % type(b).__name__)
    return a


def _un(op, a, p1=0.0, p2=0.0):
    return _w(T.unary(op, a._v, p1, p2))


def _dims(dim):
    if dim is None:
        return None
    if isinstance(dim, int):
        return [dim]
    return list(dim)


def _shape_args(args):
    if len(args) == 1 and not isinstance(args[0], int):
        return [int(x) for x in args[0]]
    return [int(x) for x in args]


def _as_tensor(x, like=None):
    if isinstance(x, Tensor):
        return x
    from . import tensor
    return tensor(x, dtype=like.dtype if like is not None and isinstance(x, (int, float)) else None)


def _num(x):
    return float(x.item()) if isinstance(x, Tensor) else x


class Tensor:
    __slots__ = ("_v", "__dict__", "__weakref__")

    # ------------------------------------------------------------------ construction
    def __new__(cls, *args, **kwargs):
        from . import tensor as _tensor_fn, empty
        if len(args) == 1 and not isinstance(args[0], int):
            t = _tensor_fn(args[0], dtype=_jt.float32)
        else:
            t = empty(*args)
        if cls is Tensor:
            return t
        return Tensor._make_subclass(cls, t, False)

    @staticmethod
    def _make_subclass(cls, data, require_grad=False):
        t = _new(cls)
        t._v = B.alias(data._v, bool(require_grad))
        return t

    # ------------------------------------------------------------------ properties
    @property
    def shape(self):
        return Size(self._v.data.shape())

    def size(self, dim=None):
        if dim is None:
            return Size(self._v.data.shape())
        return self._v.data.size(dim)

    @property
    def dtype(self):
        return from_j(self._v.data.dtype)

    @property
    def device(self):
        return _jt.pydevice(self._v.data.device)

    @property
    def is_cuda(self):
        return self._v.data.device.type() == "cuda"

    def get_device(self):
        d = self._v.data.device
        return -1 if d.type() == "cpu" else d.index()

    @property
    def ndim(self):
        return self._v.data.dim()

    def dim(self):
        return self._v.data.dim()

    ndimension = dim

    def numel(self):
        return self._v.data.numel()

    nelement = numel

    def element_size(self):
        return self.dtype.itemsize

    def stride(self, dim=None):
        s = tuple(self._v.data.strides())
        return s if dim is None else s[dim]

    def storage_offset(self):
        return self._v.data.offset

    def is_contiguous(self, memory_format=None):
        return self._v.data.isContiguous()

    def is_floating_point(self):
        return self._v.data.dtype.isFloating()

    @property
    def requires_grad(self):
        return self._v.requiresGrad()

    @requires_grad.setter
    def requires_grad(self, r):
        self._v.setRequiresGrad(bool(r))

    def requires_grad_(self, requires_grad=True):
        self._v.setRequiresGrad(bool(requires_grad))
        return self

    @property
    def is_leaf(self):
        return self._v.isLeaf()

    @property
    def grad(self):
        return _wrap_owned(self._v.grad())

    @grad.setter
    def grad(self, g):
        if g is None:
            self._v.setGrad(None)
        else:
            self._v.setGrad(g._v)
            g._v.owner = g

    @grad.deleter
    def grad(self):
        self._v.setGrad(None)

    @property
    def grad_fn(self):
        n = self._v.gradFn()
        if n is None:
            return None
        from .autograd import _Node
        return _Node(n)

    @property
    def data(self):
        return _w(B.alias(self._v, False))

    @data.setter
    def data(self, other):
        self._v.data = other._v.data

    def retain_grad(self):
        self._v.retainGrad()

    @property
    def retains_grad(self):
        return self._v.retainsGrad()

    def register_hook(self, hook):
        def jhook(jg):
            r = hook(_w(jg))
            return None if r is None else r._v
        self._v.registerHook(jhook)
        v = self._v

        class _Handle:
            def remove(self_inner):
                v.removeHook(jhook)
        return _Handle()

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        return _w(B.alias(self._v, False))

    def detach_(self):
        self._v.detachInPlace()
        return self

    # ------------------------------------------------------------------ conversion
    def item(self):
        d = self._v.data
        if d.numel() != 1:
            raise RuntimeError("a Tensor with %d elements cannot be converted to Scalar" % d.numel())
        dt = d.dtype
        if dt.isFloating():
            return float(d.item())
        if dt.isBool():
            return bool(d.itemLong())
        return int(d.itemLong())

    def tolist(self):
        vals = list(B.values(self._v))
        dt = self.dtype
        if dt is _jt.bool_:
            vals = [bool(x) for x in vals]
        elif not dt.is_floating_point:
            vals = [int(x) for x in vals]
        else:
            vals = [float(x) for x in vals]
        shape = tuple(self._v.data.shape())
        if not shape:
            return vals[0]

        def build(off, dim):
            n = shape[dim]
            if dim == len(shape) - 1:
                return vals[off:off + n]
            step = 1
            for s in shape[dim + 1:]:
                step *= s
            return [build(off + i * step, dim + 1) for i in range(n)]
        return build(0, 0)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self.numel() != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.item())

    def __index__(self):
        if self.dtype.is_floating_point or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __len__(self):
        if self.dim() == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._v.data.size(0)

    def __iter__(self):
        if self.dim() == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter([_w(T.select(self._v, 0, i)) for i in range(self._v.data.size(0))])

    def __hash__(self):
        return id(self)

    def __format__(self, spec):
        if self.dim() == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __repr__(self, *, tensor_contents=None):
        from . import _tensor_str
        v = self._v
        vals = list(B.values(v))
        dt = self.dtype
        if dt is _jt.bool_:
            vals = [bool(x) for x in vals]
        elif not dt.is_floating_point:
            vals = [int(x) for x in vals]
        suffixes = []
        if dt not in (_jt.float32, _jt.int64, _jt.bool_):
            suffixes.append("dtype=" + repr(dt))
        n = v.gradFnName()
        if n is not None:
            suffixes.append("grad_fn=<%s>" % n)
        elif v.requiresGrad():
            suffixes.append("requires_grad=True")
        return _tensor_str.tensor_repr(vals, tuple(v.data.shape()), dt.name, suffixes=suffixes)

    __str__ = __repr__

    def to(self, *args, **kwargs):
        dt = kwargs.get("dtype")
        dev = kwargs.get("device")
        copy = kwargs.get("copy", False)
        for a in args:
            if isinstance(a, _jt.dtype):
                dt = a
            elif isinstance(a, Tensor):
                dt, dev = a.dtype, a.device
            elif isinstance(a, (str, _jt.device)) or (isinstance(a, int) and not isinstance(a, bool)):
                dev = a
        r = self
        if dev is not None:
            r = r._to_device(_jt.as_device(dev))
        if dt is not None and dt is not r.dtype:
            r = _w(T.toDtype(r._v, dt._j))
        if copy and r is self:
            r = self.clone()
        return r

    def _to_device(self, dev):
        if dev.type == "cuda":
            from . import cuda
            cuda._lazy_init()
        jd = _jt.jdevice(dev)
        if self._v.data.device.equals(jd):
            return self
        return _w(T.toDevice(self._v, jd))

    def type(self, dtype=None):
        if dtype is None:
            return "torch." + {"float32": "FloatTensor", "float64": "DoubleTensor", "int64": "LongTensor", "int32": "IntTensor", "bool": "BoolTensor"}[self.dtype.name]
        return self.to(dtype)

    def float(self):
        return self.to(_jt.float32)

    def double(self):
        return self.to(_jt.float64)

    def long(self):
        return self.to(_jt.int64)

    def int(self):
        return self.to(_jt.int32)

    def bool(self):
        return self.to(_jt.bool_)

    def cpu(self, memory_format=None):
        return self._to_device(_jt.CPU)

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        return self._to_device(_jt.device("cuda" if device is None else device))

    def numpy(self):
        raise RuntimeError("numpy is not available in jtorch")

    def clone(self, memory_format=None):
        return _w(T.clone(self._v))

    def contiguous(self, memory_format=None):
        return _w(T.contiguous(self._v))

    # ------------------------------------------------------------------ operators
    def __add__(self, o): return _bin(_ADD, self, o)
    def __radd__(self, o): return _rbin(_ADD, self, o)
    def __iadd__(self, o): return _ibin(_ADD, self, o)
    def __sub__(self, o): return _bin(_SUB, self, o)
    def __rsub__(self, o): return _rbin(_SUB, self, o)
    def __isub__(self, o): return _ibin(_SUB, self, o)
    def __mul__(self, o): return _bin(_MUL, self, o)
    def __rmul__(self, o): return _rbin(_MUL, self, o)
    def __imul__(self, o): return _ibin(_MUL, self, o)
    def __truediv__(self, o): return _bin(_DIV, self, o)
    def __rtruediv__(self, o): return _rbin(_DIV, self, o)
    def __itruediv__(self, o): return _ibin(_DIV, self, o)
    def __floordiv__(self, o): return _bin(_FDIV, self, o)
    def __rfloordiv__(self, o): return _rbin(_FDIV, self, o)
    def __ifloordiv__(self, o): return _ibin(_FDIV, self, o)
    def __mod__(self, o): return _bin(_REM, self, o)
    def __rmod__(self, o): return _rbin(_REM, self, o)
    def __imod__(self, o): return _ibin(_REM, self, o)
    def __pow__(self, o):
        if type(o) in (int, float) and not isinstance(o, bool) and self.dtype.is_floating_point:
            return _un(_UO.POW, self, float(o))
        return _bin(_POW, self, o)
    def __rpow__(self, o): return _rbin(_POW, self, o)
    def __ipow__(self, o): return _ibin(_POW, self, o)
    def __matmul__(self, o):
        if not isinstance(o, Tensor):
            return NotImplemented
        return _w(T.matmul(self._v, o._v))
    def __rmatmul__(self, o):
        if not isinstance(o, Tensor):
            return NotImplemented
        return _w(T.matmul(o._v, self._v))
    def __neg__(self): return _un(_UO.NEG, self)
    def __pos__(self): return self
    def __abs__(self): return _un(_UO.ABS, self)
    def __invert__(self):
        if self.dtype is _jt.bool_:
            return _un(_UO.NOT, self)
        return _bin(_BXOR, self, -1)
    def __eq__(self, o): return _bin(_EQ, self, o)
    def __ne__(self, o): return _bin(_NE, self, o)
    def __lt__(self, o): return _bin(_LT, self, o)
    def __le__(self, o): return _bin(_LE, self, o)
    def __gt__(self, o): return _bin(_GT, self, o)
    def __ge__(self, o): return _bin(_GE, self, o)
    def __and__(self, o): return _bin(_BAND, self, o)
    def __rand__(self, o): return _rbin(_BAND, self, o)
    def __iand__(self, o): return _ibin(_BAND, self, o)
    def __or__(self, o): return _bin(_BOR, self, o)
    def __ror__(self, o): return _rbin(_BOR, self, o)
    def __ior__(self, o): return _ibin(_BOR, self, o)
    def __xor__(self, o): return _bin(_BXOR, self, o)
    def __rxor__(self, o): return _rbin(_BXOR, self, o)
    def __ixor__(self, o): return _ibin(_BXOR, self, o)

    # named arithmetic
    def add(self, other, *, alpha=1):
        return self + (other * alpha if alpha != 1 else other)
    def add_(self, other, *, alpha=1):
        if alpha != 1 and type(alpha) in (float, int) and isinstance(other, Tensor):
            T.addScaledInPlace(self._v, other._v, float(alpha))
            return self
        return _ibin(_ADD, self, other * alpha if alpha != 1 else other)
    def sub(self, other, *, alpha=1):
        return self - (other * alpha if alpha != 1 else other)
    def sub_(self, other, *, alpha=1):
        return _ibin(_SUB, self, other * alpha if alpha != 1 else other)
    def mul(self, o): return _bin(_MUL, self, o)
    def mul_(self, o): return _ibin(_MUL, self, o)
    def div(self, o, *, rounding_mode=None):
        if rounding_mode == "floor":
            return _bin(_FDIV, self, o)
        if rounding_mode == "trunc":
            return (self / o).trunc()
        return _bin(_DIV, self, o)
    def div_(self, o): return _ibin(_DIV, self, o)
    true_divide = div
    multiply = mul
    subtract = sub
    def floor_divide(self, o): return _bin(_FDIV, self, o)
    def remainder(self, o): return _bin(_REM, self, o)
    def fmod(self, o): return _bin(_FMOD, self, o)
    def pow(self, o): return self.__pow__(o)
    def pow_(self, o): return _ibin(_POW, self, o)
    def maximum(self, o): return _bin(_MAX, self, o)
    def minimum(self, o): return _bin(_MIN, self, o)
    def atan2(self, o): return _bin(_ATAN2, self, o)
    def eq(self, o): return _bin(_EQ, self, o)
    def ne(self, o): return _bin(_NE, self, o)
    def lt(self, o): return _bin(_LT, self, o)
    def le(self, o): return _bin(_LE, self, o)
    def gt(self, o): return _bin(_GT, self, o)
    def ge(self, o): return _bin(_GE, self, o)
    greater, less, greater_equal, less_equal, not_equal = gt, lt, ge, le, ne
    def logical_and(self, o): return _bin(_LAND, self, o)
    def logical_or(self, o): return _bin(_LOR, self, o)
    def logical_xor(self, o): return _bin(_LXOR, self, o)
    def logical_not(self): return _un(_UO.NOT, self)
    def addcmul_(self, t1, t2, *, value=1): return self.add_(t1 * t2 * value if value != 1 else t1 * t2)
    def addcdiv_(self, t1, t2, *, value=1): return self.add_(t1 / t2 * value if value != 1 else t1 / t2)
    def addcmul(self, t1, t2, *, value=1): return self + t1 * t2 * value
    def addcdiv(self, t1, t2, *, value=1): return self + t1 / t2 * value
    def lerp(self, end, weight): return self + (end - self) * weight
    def lerp_(self, end, weight): return self.add_((end - self) * weight)

    # unary math
    def neg(self): return _un(_UO.NEG, self)
    negative = neg
    def neg_(self): T.unaryInPlace(_UO.NEG, self._v, 0.0, 0.0); return self
    def abs(self): return _un(_UO.ABS, self)
    def abs_(self): T.unaryInPlace(_UO.ABS, self._v, 0.0, 0.0); return self
    def sign(self): return _un(_UO.SIGN, self)
    def exp(self): return _un(_UO.EXP, self)
    def exp_(self): T.unaryInPlace(_UO.EXP, self._v, 0.0, 0.0); return self
    def log(self): return _un(_UO.LOG, self)
    def log_(self): T.unaryInPlace(_UO.LOG, self._v, 0.0, 0.0); return self
    def log2(self): return _un(_UO.LOG2, self)
    def log10(self): return _un(_UO.LOG10, self)
    def log1p(self): return _un(_UO.LOG1P, self)
    def expm1(self): return _un(_UO.EXPM1, self)
    def sqrt(self): return _un(_UO.SQRT, self)
    def sqrt_(self): T.unaryInPlace(_UO.SQRT, self._v, 0.0, 0.0); return self
    def rsqrt(self): return _un(_UO.RSQRT, self)
    def sin(self): return _un(_UO.SIN, self)
    def cos(self): return _un(_UO.COS, self)
    def tan(self): return _un(_UO.TAN, self)
    def asin(self): return _un(_UO.ASIN, self)
    def acos(self): return _un(_UO.ACOS, self)
    def atan(self): return _un(_UO.ATAN, self)
    def sinh(self): return _un(_UO.SINH, self)
    def cosh(self): return _un(_UO.COSH, self)
    def tanh(self): return _un(_UO.TANH, self)
    def tanh_(self): T.unaryInPlace(_UO.TANH, self._v, 0.0, 0.0); return self
    def sigmoid(self): return _un(_UO.SIGMOID, self)
    def sigmoid_(self): T.unaryInPlace(_UO.SIGMOID, self._v, 0.0, 0.0); return self
    def relu(self): return _un(_UO.RELU, self)
    def relu_(self): T.unaryInPlace(_UO.RELU, self._v, 0.0, 0.0); return self
    def floor(self): return _un(_UO.FLOOR, self)
    def ceil(self): return _un(_UO.CEIL, self)
    def round(self, decimals=0):
        if decimals:
            f = 10.0 ** decimals
            return (self * f).round() / f
        return _un(_UO.ROUND, self)
    def trunc(self): return _un(_UO.TRUNC, self)
    def frac(self): return _un(_UO.FRAC, self)
    def reciprocal(self): return _un(_UO.RECIPROCAL, self)
    def square(self): return _un(_UO.SQUARE, self)
    def erf(self): return _un(_UO.ERF, self)
    def isnan(self): return _un(_UO.ISNAN, self)
    def isinf(self): return _un(_UO.ISINF, self)
    def isfinite(self): return _un(_UO.ISFINITE, self)

    def clamp(self, min=None, max=None):
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            r = self
            if min is not None:
                r = r.maximum(_as_tensor(min, self))
            if max is not None:
                r = r.minimum(_as_tensor(max, self))
            return r
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        return _un(_UO.CLAMP, self, NAN if min is None else float(min), NAN if max is None else float(max))
    clip = clamp

    def clamp_(self, min=None, max=None):
        T.unaryInPlace(_UO.CLAMP, self._v, NAN if min is None else float(min), NAN if max is None else float(max))
        return self
    clip_ = clamp_

    def clamp_min(self, m): return self.clamp(min=m)
    def clamp_max(self, m): return self.clamp(max=m)

    # ------------------------------------------------------------------ reductions
    def sum(self, dim=None, keepdim=False, dtype=None):
        return _w(T.sum(self._v, _dims(dim), keepdim, None if dtype is None else dtype._j))
    def mean(self, dim=None, keepdim=False, dtype=None):
        x = self if dtype is None else self.to(dtype)
        return _w(T.mean(x._v, _dims(dim), keepdim))
    def prod(self, dim=None, keepdim=False, dtype=None):
        return _w(T.prod(self._v, _dims(dim), keepdim))
    def nansum(self, dim=None, keepdim=False):
        from . import where, zeros_like
        return where(self.isnan(), zeros_like(self), self).sum(dim, keepdim)

    def _minmax(self, dim, keepdim, is_max, name):
        if dim is None:
            return _w(T.amax(self._v, None, False, is_max, name))
        if isinstance(dim, Tensor):
            return self.maximum(dim) if is_max else self.minimum(dim)
        r = T.maxDim(self._v, dim, keepdim, is_max)
        from .return_types import _make
        return _make("max" if is_max else "min", _w(r[0]), _w(r[1]))

    def max(self, dim=None, keepdim=False):
        return self._minmax(dim, keepdim, True, "MaxBackward1")
    def min(self, dim=None, keepdim=False):
        return self._minmax(dim, keepdim, False, "MinBackward1")
    def amax(self, dim=(), keepdim=False):
        return _w(T.amax(self._v, _dims(dim), keepdim, True, "AmaxBackward0"))
    def amin(self, dim=(), keepdim=False):
        return _w(T.amax(self._v, _dims(dim), keepdim, False, "AminBackward0"))
    def argmax(self, dim=None, keepdim=False):
        return _w(T.argmax(self._v, dim, keepdim, True))
    def argmin(self, dim=None, keepdim=False):
        return _w(T.argmax(self._v, dim, keepdim, False))

    @staticmethod
    def _correction(unbiased, correction):
        if correction is not None:
            return int(correction)
        return 1 if unbiased in (None, True) else 0

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        if isinstance(dim, bool):
            unbiased, dim = dim, None
        return _w(T.var(self._v, _dims(dim), self._correction(unbiased, correction), keepdim, False))
    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        if isinstance(dim, bool):
            unbiased, dim = dim, None
        return _w(T.var(self._v, _dims(dim), self._correction(unbiased, correction), keepdim, True))
    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        p = 2.0 if p in ("fro", None) else float(p)
        return _w(T.norm(self._v, p, _dims(dim), keepdim))
    def logsumexp(self, dim, keepdim=False):
        return _w(T.logsumexp(self._v, _dims(dim), keepdim))
    def any(self, dim=None, keepdim=False):
        return _w(T.any(self._v, _dims(dim), keepdim))
    def all(self, dim=None, keepdim=False):
        return _w(T.all(self._v, _dims(dim), keepdim))
    def cumsum(self, dim, dtype=None):
        x = self if dtype is None else self.to(dtype)
        return _w(T.cumsum(x._v, dim))
    def cumprod(self, dim, dtype=None):
        return _w(T.cumprod(self._v, dim))
    def softmax(self, dim, dtype=None):
        x = self if dtype is None else self.to(dtype)
        return _w(T.softmax(x._v, dim, False))
    def log_softmax(self, dim, dtype=None):
        x = self if dtype is None else self.to(dtype)
        return _w(T.softmax(x._v, dim, True))
    def count_nonzero(self, dim=None):
        return (self != 0).sum(dim)

    # ------------------------------------------------------------------ linear algebra
    def matmul(self, o): return _w(T.matmul(self._v, o._v))
    def mm(self, o): return _w(T.mm(self._v, o._v))
    def bmm(self, o): return _w(T.bmm(self._v, o._v))
    def mv(self, o): return _w(T.matmul(self._v, o._v))
    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        return _w(T.addmm(self._v, mat1._v, mat2._v, float(beta), float(alpha)))
    def diagonal(self, offset=0, dim1=0, dim2=1):
        return _w(T.diagonal(self._v, int(offset), int(dim1), int(dim2)))
    def diag(self, diagonal=0):
        if self.dim() == 1:
            from . import zeros
            n = self.shape[0] + abs(diagonal)
            z = zeros(n, n, dtype=self.dtype)
            z.diagonal(diagonal).copy_(self)
            return z
        return self.diagonal(diagonal)
    def trace(self): return self.diagonal().sum()
    def outer(self, o): return self.unsqueeze(1) * o.unsqueeze(0)
    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        p = batch1.bmm(batch2)
        if alpha != 1:
            p = p * alpha
        return (self * beta if beta != 1 else self) + p
    def roll(self, shifts, dims=None):
        if dims is None:
            return self.flatten().roll(shifts, 0).view(self.shape)
        if isinstance(shifts, int):
            shifts, dims = (shifts,), (dims,) if isinstance(dims, int) else dims
        from . import cat
        r = self
        for sh, d in zip(shifts, dims):
            n = r.shape[d]
            if n == 0:
                continue
            k = sh % n
            if k:
                r = cat([r.narrow(d, n - k, k), r.narrow(d, 0, n - k)], d)
        return r
    def repeat_interleave(self, repeats, dim=None, *, output_size=None):
        from . import arange, tensor
        x = self.flatten() if dim is None else self
        d = 0 if dim is None else dim
        n = x.shape[d]
        if isinstance(repeats, int):
            idx = arange(n).unsqueeze(1).expand(n, repeats).reshape(-1)
        else:
            r = repeats if isinstance(repeats, Tensor) else tensor(repeats)
            if r.numel() == 1:
                return self.repeat_interleave(int(r.item()), dim)
            # position j of the output takes element i where cumsum(r)[i-1] <= j < cumsum(r)[i]
            ends = r.cumsum(0)
            total = int(ends[-1].item()) if n else 0
            idx = (arange(total).unsqueeze(1) >= ends.unsqueeze(0)).sum(1)
        return x.index_select(d, idx)
    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        from . import unique
        return unique(self, sorted, return_inverse, return_counts, dim)
    def bincount(self, weights=None, minlength=0):
        from . import bincount
        return bincount(self, weights, minlength)
    def histc(self, bins=100, min=0, max=0):
        from . import histc
        return histc(self, bins, min, max)
    def __deepcopy__(self, memo):
        r = self.detach().clone()
        if type(self) is not Tensor:
            r = type(self)._make_subclass(type(self), r, self.requires_grad) if hasattr(type(self), '_make_subclass') else r
        elif self.requires_grad:
            r.requires_grad_(True)
        if self.__dict__:
            import copy
            r.__dict__.update(copy.deepcopy(self.__dict__, memo))
        memo[id(self)] = r
        return r
    def dot(self, o): return _w(T.matmul(self._v, o._v))

    # ------------------------------------------------------------------ shape
    def view(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], _jt.dtype):
            raise RuntimeError("view(dtype) is not supported by jtorch")
        return _w(T.view(self._v, _shape_args(shape)))
    def view_as(self, other): return self.view(other.shape)
    def reshape(self, *shape): return _w(T.reshape(self._v, _shape_args(shape)))
    def reshape_as(self, other): return self.reshape(other.shape)
    def permute(self, *dims): return _w(T.permute(self._v, _shape_args(dims)))
    def transpose(self, d0, d1): return _w(T.transpose(self._v, d0, d1))
    swapaxes = transpose
    def t(self): return _w(T.t(self._v))
    @property
    def T(self):
        n = self.dim()
        return self if n < 2 else self.permute(*range(n - 1, -1, -1))
    @property
    def mT(self): return self.transpose(-2, -1)
    def unsqueeze(self, d): return _w(T.unsqueeze(self._v, d))
    def squeeze(self, dim=None):
        if dim is None:
            return _w(T.squeeze(self._v))
        return _w(T.squeezeDim(self._v, dim))
    def expand(self, *shape): return _w(T.expand(self._v, _shape_args(shape)))
    def expand_as(self, other): return self.expand(other.shape)
    def flatten(self, start_dim=0, end_dim=-1): return _w(T.flatten(self._v, start_dim, end_dim))
    def unflatten(self, dim, sizes):
        s = list(self.shape)
        d = dim % len(s)
        return self.reshape(s[:d] + list(sizes) + s[d + 1:])
    def narrow(self, dim, start, length): return _w(T.narrow(self._v, dim, int(start), int(length)))
    def select(self, dim, index): return _w(T.select(self._v, dim, int(index)))
    def unbind(self, dim=0): return tuple(self.select(dim, i) for i in range(self.shape[dim]))
    def split(self, split_size, dim=0):
        n = self.shape[dim]
        if isinstance(split_size, int):
            sizes = []
            p = 0
            while p < n:
                sizes.append(min(split_size, n - p))
                p += split_size
            if not sizes:
                sizes = [0]
        else:
            sizes = list(split_size)
        return tuple(_w(v) for v in T.split(self._v, sizes, dim))
    def chunk(self, chunks, dim=0):
        n = self.shape[dim]
        size = -(-n // chunks)
        return self.split(max(size, 1), dim)
    def repeat(self, *sizes): return _w(T.repeat(self._v, _shape_args(sizes)))
    def flip(self, *dims): return _w(T.flip(self._v, _shape_args(dims)))
    def tril(self, diagonal=0): return _w(T.triangle(self._v, diagonal, False))
    def triu(self, diagonal=0): return _w(T.triangle(self._v, diagonal, True))
    def masked_fill(self, mask, value): return _w(T.maskedFill(self._v, mask._v, float(_num(value))))
    def masked_fill_(self, mask, value):
        T.maskedFillInPlace(self._v, mask._v, float(_num(value)))
        return self
    def where(self, cond, other):
        from . import where
        return where(cond, self, other)
    def sort(self, dim=-1, descending=False, stable=False):
        r = T.sort(self._v, dim, descending)
        from .return_types import _make
        return _make("sort", _w(r[0]), _w(r[1]))
    def argsort(self, dim=-1, descending=False, stable=False):
        return self.sort(dim, descending)[1]
    def topk(self, k, dim=-1, largest=True, sorted=True):
        r = T.topk(self._v, k, dim, largest)
        from .return_types import _make
        return _make("topk", _w(r[0]), _w(r[1]))
    def gather(self, dim, index): return _w(T.gather(self._v, dim, index._v))
    def scatter(self, dim, index, src=None, value=None, reduce=None):
        return self.clone().scatter_(dim, index, src if src is not None else value)
    def scatter_(self, dim, index, src=None, value=None, reduce=None):
        if src is None:
            src = value
        if isinstance(src, Tensor):
            T.scatterInPlace(self._v, dim, index._v, src._v, reduce == "add")
        else:
            T.scatterValueInPlace(self._v, dim, index._v, float(src))
        return self
    def scatter_add_(self, dim, index, src):
        T.scatterInPlace(self._v, dim, index._v, src._v, True)
        return self
    def scatter_add(self, dim, index, src):
        return _w(T.scatter(self._v, dim, index._v, src._v, True))
    def index_select(self, dim, index): return _w(T.indexSelect(self._v, dim, index._v))
    def index_add_(self, dim, index, source, *, alpha=1):
        T.indexAddInPlace(self._v, dim, index._v, source._v, float(alpha))
        return self
    def index_add(self, dim, index, source, *, alpha=1):
        return _w(T.indexAdd(self._v, dim, index._v, source._v, float(alpha)))
    def nonzero(self, as_tuple=False):
        r = _w(T.nonzero(self._v))
        if as_tuple:
            return tuple(r[:, i] for i in range(self.dim()))
        return r
    def masked_select(self, mask):
        return self[mask.expand_as(self)] if mask.shape != self.shape else self[mask]
    def equal(self, other): return T.equal(self._v, other._v)
    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return T.allclose(self._v, other._v, rtol, atol, equal_nan)
    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return (self - other).abs() <= (atol + rtol * other.abs())

    # ------------------------------------------------------------------ in-place fills
    def zero_(self):
        T.fillInPlace(self._v, 0.0)
        return self
    def fill_(self, value):
        T.fillInPlace(self._v, float(_num(value)))
        return self
    def copy_(self, src, non_blocking=False):
        if not isinstance(src, Tensor):
            src = _as_tensor(src)
        T.copyInPlace(self._v, src._v)
        return self
    def _rng(self, generator):
        self._check_inplace_leaf()
        d = self._v.data
        d.storage.version = d.storage.version + 1
        return _jt.JGenerator.getDefault() if generator is None else generator._g

    def _draw(self, generator, fill):
        """Random draws come from the CPU generator (so a CUDA run sees the CPU run's numbers): tensors on
        another device are filled on the host and copied over."""
        g = self._rng(generator)
        d = self._v.data
        if d.device.type() == "cpu":
            fill(g, d)
        else:
            h = B.empty(list(d.shape()), d.dtype).data
            fill(g, h)
            d.copyFrom(h)
        return self
    def _check_inplace_leaf(self):
        v = self._v
        if v.requiresGrad() and v.isLeaf() and _jt.GradMode.isEnabled():
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        return self._draw(generator, lambda g, d: g.uniform(d, float(a), float(b)))
    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        return self._draw(generator, lambda g, d: g.normal(d, float(mean), float(std)))
    def exponential_(self, lambd=1.0, *, generator=None):
        return self._draw(generator, lambda g, d: g.exponential(d, float(lambd)))
    def random_(self, from_=None, to=None, *, generator=None):
        if from_ is None:
            return self._draw(generator, lambda g, d: g.random(d))
        if to is None:
            return self._draw(generator, lambda g, d: g.random(d, 0, int(from_)))
        return self._draw(generator, lambda g, d: g.random(d, int(from_), int(to)))
    def bernoulli_(self, p=0.5, *, generator=None):
        if isinstance(p, Tensor):
            ph = p._v.data.to(_jt.JDevice.CPU)
            return self._draw(generator, lambda g, d: g.bernoulli(d, ph))
        return self._draw(generator, lambda g, d: g.bernoulli(d, float(p)))
    def bernoulli(self, p=None, *, generator=None):
        from . import bernoulli
        return bernoulli(self, p, generator=generator)
    def multinomial(self, num_samples, replacement=False, *, generator=None):
        from . import multinomial
        return multinomial(self, num_samples, replacement, generator=generator)

    # ------------------------------------------------------------------ creation from a tensor
    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        from . import zeros
        return zeros(*size, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)
    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        from . import ones
        return ones(*size, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)
    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        from . import full
        return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)
    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        from . import empty
        return empty(*size, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)
    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        from . import tensor
        return tensor(data, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)

    # ------------------------------------------------------------------ indexing
    def _index_parts(self, idx):
        """Applies basic indexing; returns (view variable, [advanced index variables or None per dim])."""
        if not isinstance(idx, tuple):
            idx = (idx,)
        v = self._v
        nd = v.data.dim()
        spec = 0
        for it in idx:
            if it is None or it is Ellipsis:
                continue
            if isinstance(it, Tensor) and it.dtype is _jt.bool_:
                spec += max(it.dim(), 1)
            else:
                spec += 1
        if spec > nd:
            raise IndexError("too many indices for tensor of dimension %d" % nd)
        dim = 0
        adv = None
        for it in idx:
            t = type(it)
            if t is int:
                v = T.select(v, dim, it)
            elif t is slice:
                start, stop, step = it.start, it.stop, it.step
                if start is None and stop is None and step is None:
                    dim += 1
                    continue
                v = T.slice(v, dim, _IMIN if start is None else int(_num(start)), _IMAX if stop is None else int(_num(stop)), 1 if step is None else int(step))
                dim += 1
            elif it is None:
                v = T.unsqueeze(v, dim)
                dim += 1
            elif it is Ellipsis:
                dim += nd - spec
            else:
                if isinstance(it, Tensor) and it.dtype is _jt.bool_ and it.dim() == 0:
                    v = T.unsqueeze(v, dim)
                    iv = it.reshape(1)
                elif isinstance(it, Tensor):
                    iv = it
                elif isinstance(it, (list, tuple)):
                    from . import tensor
                    iv = tensor(it)
                elif t is bool:
                    from . import tensor
                    v = T.unsqueeze(v, dim)
                    iv = tensor([it])
                else:
                    try:
                        i = it.__index__()
                    except AttributeError:
                        raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got %s)" % type(it).__name__)
                    v = T.select(v, dim, i)
                    continue
                if adv is None:
                    adv = []
                while len(adv) < dim:
                    adv.append(None)
                if iv.dtype is _jt.bool_ and iv.dim() > 1:
                    adv.append(iv._v)
                    for _ in range(iv.dim() - 1):
                        adv.append(_SKIP)
                    dim += iv.dim()
                else:
                    if iv.dim() == 0 and iv.dtype is not _jt.bool_ and not iv.dtype.is_floating_point:
                        v = T.select(v, dim, int(iv.item()))
                        continue
                    adv.append(iv._v)
                    dim += 1
        if adv is not None:
            adv = [a for a in adv if a is not _SKIP]
        return v, adv

    def __getitem__(self, idx):
        if type(idx) is int:
            return _w(T.select(self._v, 0, idx))
        v, adv = self._index_parts(idx)
        if adv:
            return _w(T.index(v, adv))
        return _w(v)

    def __setitem__(self, idx, value):
        v, adv = self._index_parts(idx)
        if isinstance(value, Tensor):
            val = value._v if value.dtype is self.dtype else T.toDtype(value._v, self.dtype._j)
        else:
            from . import tensor
            val = tensor(value, dtype=self.dtype)._v
        if adv:
            T.indexPutInPlace(v, adv, val, False)
        else:
            T.copyInPlace(v, val)


_SKIP = object()
