"""Handles on the Java side (engine, autograd, bridge) and the small value types: dtype, Size, device."""
import builtins
import java
import polyglot

T = java.type("org.jtorch.autograd.Torch")
Variable = java.type("org.jtorch.autograd.Variable")
Engine = java.type("org.jtorch.autograd.Engine")
GradMode = java.type("org.jtorch.autograd.GradMode")
B = java.type("org.jtorch.bridge.PyBridge")
JDType = java.type("org.jtorch.engine.DType")
BinaryOp = java.type("org.jtorch.engine.BinaryOp")
UnaryOp = java.type("org.jtorch.engine.UnaryOp")
JGenerator = java.type("org.jtorch.engine.Generator")
JDevice = java.type("org.jtorch.engine.Device")
NAN = float("nan")


def _raise(kind, msg):
    return getattr(builtins, kind)(msg)


polyglot.export_value("jtorch_raise", _raise)


class dtype:
    __slots__ = ("name", "_j", "is_floating_point", "itemsize", "_cat", "is_complex", "is_signed")

    def __init__(self, name, j, cat, itemsize):
        self.name = name
        self._j = j
        self._cat = cat
        self.is_floating_point = cat == 2
        self.is_complex = False
        self.is_signed = cat != 0
        self.itemsize = itemsize

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))


float32 = dtype("float32", JDType.FLOAT32, 2, 4)
float64 = dtype("float64", JDType.FLOAT64, 2, 8)
int64 = dtype("int64", JDType.INT64, 1, 8)
int32 = dtype("int32", JDType.INT32, 1, 4)
bool_ = dtype("bool", JDType.BOOL, 0, 1)
# ordinal order of org.jtorch.engine.DType
BY_ORDINAL = (bool_, int32, int64, float32, float64)
BY_NAME = {d.name: d for d in BY_ORDINAL}


def _dtype_by_name(name):
    return BY_NAME[name]


def from_j(jd):
    return BY_ORDINAL[jd.ordinal()]


class Size(tuple):
    def __repr__(self):
        return "torch.Size([" + ", ".join(str(x) for x in self) + "])"

    __str__ = __repr__

    def numel(self):
        n = 1
        for x in self:
            n *= x
        return n

    def __getitem__(self, i):
        r = tuple.__getitem__(self, i)
        return Size(r) if isinstance(i, slice) else r

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))


class device:
    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, builtins.bool):
            type, index = "cuda", type  # torch.device(0) is cuda:0
        if not isinstance(type, str):
            raise TypeError("device() received an invalid combination of arguments - got (%s)" % builtins.type(type).__name__)
        if ":" in type:
            type, idx = type.split(":")
            if not idx.isdigit():
                raise RuntimeError("Invalid device string: '%s:%s'" % (type, idx))
            index = int(idx)
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        if type not in ("cpu", "cuda", "meta"):
            raise RuntimeError("Expected one of cpu, cuda device type at start of device string: " + type)
        self.type = type
        self.index = index

    def __repr__(self):
        return "device(type='%s'%s)" % (self.type, "" if self.index is None else ", index=%d" % self.index)

    def __str__(self):
        return self.type if self.index is None else "%s:%d" % (self.type, self.index)

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))


CPU = device("cpu")
_JDEV = {}
_PYDEV = {}


def as_device(d):
    """A torch.device from a device, a string or an int (cuda ordinal)."""
    return d if isinstance(d, device) else device(d)


def jdevice(d):
    """The engine's Device for a torch.device/str/int ("cuda" means cuda:0, the current device)."""
    d = as_device(d)
    key = (d.type, d.index)
    j = _JDEV.get(key)
    if j is None:
        if d.type == "meta":
            raise NotImplementedError("jtorch has no meta tensors")
        j = _JDEV[key] = JDevice.parse(str(d) if d.type == "cpu" or d.index is not None else "cuda:0")
    return j


def pydevice(jd):
    """The torch.device of an engine Device (tensors on cuda report an index, as in PyTorch)."""
    key = jd.toString()
    d = _PYDEV.get(key)
    if d is None:
        d = _PYDEV[key] = CPU if key == "cpu" else device(key)
    return d
