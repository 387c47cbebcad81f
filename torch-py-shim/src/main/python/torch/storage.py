"""Tensor storages for serialization: torch.TypedStorage, torch.UntypedStorage and the legacy
torch.FloatStorage-style classes whose names appear in the pickles PyTorch writes.

A storage here is a 1-D view of a Java engine Storage (an org.jtorch.autograd.Variable over the
whole buffer). Storages read from a checkpoint start as raw little-endian bytes and become a Java
buffer on first use, so that every tensor rebuilt over one storage shares that single buffer.

Bytes <-> Java buffers go through java.nio in bulk (one call per chunk, no per-element Python work):
save: float[]/double[]/long[]/int[] -> ByteBuffer -> latin-1 String -> Python bytes;
load: Python bytes -> ByteBuffer.wrap -> typed buffer get() -> new Java array -> Storage.wrap.
If those Java classes cannot be reached, array.array plus the PyBridge helpers do the same, slower.
"""
import array as _array
import struct as _struct
import sys as _sys

from . import _jt
from ._jt import B as _B

__all__ = ["TypedStorage", "UntypedStorage"]

_CHUNK = 1 << 26  # bytes per Java <-> Python transfer (64 MiB)

# ---------------------------------------------------------------------------- dtype tables
# PyTorch dtype name -> (jtorch dtype it loads as, item size in the file)
_FILE_DTYPES = {
    "float32": ("float32", 4), "float64": ("float64", 8), "int64": ("int64", 8), "int32": ("int32", 4),
    "bool": ("bool", 1), "float16": ("float32", 2), "bfloat16": ("float32", 2), "uint8": ("int32", 1),
    "int8": ("int32", 1), "int16": ("int32", 2), "uint16": ("int32", 2), "uint32": ("int64", 4),
    "uint64": ("int64", 8),
}
# dtypes PyTorch may write that jtorch has no way to hold
_UNSUPPORTED = ("complex32", "complex64", "complex128", "qint8", "quint8", "qint32", "quint4x2", "quint2x4",
                "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz", "bits8", "bits16")
# legacy storage class name <-> PyTorch dtype name
_LEGACY_NAMES = {
    "FloatStorage": "float32", "DoubleStorage": "float64", "LongStorage": "int64", "IntStorage": "int32",
    "BoolStorage": "bool", "HalfStorage": "float16", "BFloat16Storage": "bfloat16", "ByteStorage": "uint8",
    "CharStorage": "int8", "ShortStorage": "int16", "ComplexFloatStorage": "complex64",
    "ComplexDoubleStorage": "complex128", "QInt8Storage": "qint8", "QUInt8Storage": "quint8",
    "QInt32Storage": "qint32", "QUInt4x2Storage": "quint4x2", "QUInt2x4Storage": "quint2x4",
}
_STORAGE_NAME_OF = {"float32": "FloatStorage", "float64": "DoubleStorage", "int64": "LongStorage",
                    "int32": "IntStorage", "bool": "BoolStorage"}


def _jdtype(name):
    return _jt.BY_NAME[name]


def check_loadable(src):
    if src in _UNSUPPORTED:
        raise RuntimeError("jtorch cannot load tensors of dtype torch.%s (only float32, float64, int64, int32 and "
                           "bool are held; float16/bfloat16 load as float32 and the small integer types as int32)" % src)
    if src not in _FILE_DTYPES:
        raise RuntimeError("jtorch cannot load tensors of unknown dtype %r" % (src,))


# ---------------------------------------------------------------------------- Java fast path
try:
    import java as _java
    _BB = _java.type("java.nio.ByteBuffer")
    _LE = _java.type("java.nio.ByteOrder").LITTLE_ENDIAN
    _JString = _java.type("java.lang.String")
    _LATIN1 = _java.type("java.nio.charset.StandardCharsets").ISO_8859_1
    _JStorage = _java.type("org.jtorch.engine.Storage")
    _JTensor = _java.type("org.jtorch.engine.Tensor")
    _JARRAY = {"float32": _java.type("float[]"), "float64": _java.type("double[]"),
               "int64": _java.type("long[]"), "int32": _java.type("int[]")}
    _FAST = True
except Exception:  # pragma: no cover - only without the Java engine classes
    _FAST = False

_ITEM = {"float32": 4, "float64": 8, "int64": 8, "int32": 4, "bool": 1}
_TYPECODE = {"float32": "f", "float64": "d", "int64": "q", "int32": "i", "bool": "B"}
_SIGN = bytes(0 if b < 128 else 255 for b in range(256))  # byte -> its sign-extension byte


def _typed_view(bb, name):
    if name == "float32":
        return bb.asFloatBuffer()
    if name == "float64":
        return bb.asDoubleBuffer()
    if name == "int64":
        return bb.asLongBuffer()
    return bb.asIntBuffer()


def _java_array_to_chunks(arr, name):
    """Yields the little-endian bytes of a Java float[]/double[]/long[]/int[] in chunks."""
    item = _ITEM[name]
    n = len(arr)
    per = _CHUNK // item
    pos = 0
    while pos < n:
        k = min(per, n - pos)
        bb = _BB.allocate(k * item).order(_LE)
        _typed_view(bb, name).put(arr, pos, k)
        yield _JString(bb.array(), _LATIN1).encode("latin-1")
        pos += k


def _variable_over(jstorage):
    n = jstorage.size()
    return _jt.Variable(_JTensor(jstorage, [n], [1], 0))


def _fast_from_bytes(data, name):
    """A Java Variable (1-D, whole storage) of dtype `name` (float32/float64/int64/int32) from bytes."""
    item = _ITEM[name]
    n = len(data) // item
    arr = _JARRAY[name](n)
    per = _CHUNK // item
    pos = 0
    while pos < n:
        k = min(per, n - pos)
        chunk = data[pos * item:(pos + k) * item] if (pos or k != n) else data
        _typed_view(_BB.wrap(bytes(chunk)).order(_LE), name).get(arr, pos, k)
        pos += k
    return _variable_over(_JStorage.wrap(arr))


def _slow_from_bytes(data, name):
    vals = _array.array(_TYPECODE[name], bytes(data))
    if _sys.byteorder != "little" and name != "bool":
        vals.byteswap()
    vals = vals.tolist()
    dj = _jdtype(name)._j
    if name in ("float32", "float64"):
        return _B.storageFromDoubles(vals, dj)
    return _B.storageFromLongs(vals, dj)


def _native_from_bytes(data, name):
    """Variable over a new storage of jtorch dtype `name` holding the little-endian bytes `data`."""
    if name == "bool":
        if _FAST:
            wide = bytearray(len(data) * 4)
            wide[0::4] = data
            iv = _fast_from_bytes(wide, "int32")
            return _jt.T.toDtype(iv, _jdtype("bool")._j)
        return _slow_from_bytes(data, "bool")
    if _FAST:
        return _fast_from_bytes(data, name)
    return _slow_from_bytes(data, name)


def _widen(data, src):
    """File bytes of PyTorch dtype `src` -> little-endian bytes of the jtorch dtype it loads as."""
    if src in ("float32", "float64", "int64", "int32", "bool"):
        return data
    if src == "float16":
        n = len(data) // 2
        return _array.array("f", _struct.unpack("<%de" % n, data)).tobytes() if _sys.byteorder == "little" else \
            _struct.pack("<%df" % n, *_struct.unpack("<%de" % n, data))
    out = None
    if src == "bfloat16":  # the high half of a float32
        out = bytearray(len(data) * 2)
        out[2::4] = data[0::2]
        out[3::4] = data[1::2]
    elif src == "uint8":
        out = bytearray(len(data) * 4)
        out[0::4] = data
    elif src == "int8":
        out = bytearray(len(data) * 4)
        out[0::4] = data
        sign = data.translate(_SIGN)
        out[1::4] = sign
        out[2::4] = sign
        out[3::4] = sign
    elif src in ("int16", "uint16"):
        out = bytearray(len(data) * 2)
        out[0::4] = data[0::2]
        out[1::4] = data[1::2]
        if src == "int16":
            sign = data[1::2].translate(_SIGN)
            out[2::4] = sign
            out[3::4] = sign
    elif src == "uint32":
        out = bytearray(len(data) * 2)
        for j in range(4):
            out[j::8] = data[j::4]
    elif src == "uint64":  # reinterpreted as int64: values >= 2**63 wrap around
        return data
    return bytes(out)


def byteswap(data, item):
    if item == 1:
        return data
    out = bytearray(len(data))
    for j in range(item):
        out[j::item] = data[item - 1 - j::item]
    return bytes(out)


def variable_from_file_bytes(data, src):
    """Java Variable over a new storage from a checkpoint record of PyTorch dtype `src` (little-endian)."""
    check_loadable(src)
    name, _ = _FILE_DTYPES[src]
    return _native_from_bytes(_widen(data, src), name)


def storage_chunks(var):
    """Yields the little-endian bytes of the whole storage under Java Variable `var`."""
    name = _jt.from_j(var.data.dtype).name
    if _FAST:
        js = var.data.storage
        if name == "bool":
            iv = _jt.T.toDtype(_variable_over(js), _jdtype("int32")._j)
            for chunk in _java_array_to_chunks(iv.data.storage.array(), "int32"):
                yield chunk[0::4]
        else:
            yield from _java_array_to_chunks(js.array(), name)
        return
    vals = list(_B.storageValues(var))
    a = _array.array(_TYPECODE[name], vals)
    if _sys.byteorder != "little" and name != "bool":
        a.byteswap()
    yield a.tobytes()


def storage_nbytes(var):
    return _B.storageSize(var) * _ITEM[_jt.from_j(var.data.dtype).name]


# ---------------------------------------------------------------------------- storage classes
class TypedStorage:
    """A typed 1-D buffer shared by the tensors built over it (what torch.load's rebuild functions receive)."""
    is_sparse = False
    is_cuda = False
    _src = None  # PyTorch dtype name of not-yet-converted file bytes

    def __init__(self, *args, wrap_storage=None, dtype=None, device=None, _internal=False):
        self._var = None
        self._raw = None
        cls_dtype = type(self).__dict__.get("dtype")
        if dtype is None:
            dtype = cls_dtype if cls_dtype is not None else _jt.float32
        if isinstance(dtype, str):
            dtype = _jt.BY_NAME[dtype]
        self.dtype = dtype
        if wrap_storage is not None:
            if isinstance(wrap_storage, TypedStorage):
                self._var = wrap_storage._variable() if wrap_storage.dtype is dtype else \
                    _jt.T.toDtype(wrap_storage._variable(), dtype._j)
            else:
                self._var = wrap_storage
            return
        if len(args) == 1 and isinstance(args[0], int):
            self._var = _B.full([args[0]], 0.0, dtype._j)
        elif len(args) == 1:
            from . import tensor
            self._var = tensor(list(args[0]), dtype=dtype)._v
        elif not args:
            self._var = _B.full([0], 0.0, dtype._j)
        else:
            raise TypeError("TypedStorage(): expected a size or a sequence")

    @classmethod
    def _from_file(cls, data, src):
        """A storage over checkpoint bytes of PyTorch dtype `src`, converted on first use."""
        s = object.__new__(cls)
        s._var = None
        s._raw = data
        s._src = src
        s.dtype = _jt.BY_NAME[_FILE_DTYPES[src][0]] if src in _FILE_DTYPES else None
        return s

    @classmethod
    def _from_variable(cls, var):
        s = object.__new__(cls)
        s._var = var
        s._raw = None
        s.dtype = _jt.from_j(var.data.dtype)
        return s

    def _variable(self):
        if self._var is None:
            self._var = variable_from_file_bytes(self._raw, self._src)
            self._raw = None
        return self._var

    def _as_dtype(self, src):
        """This storage's bytes read as PyTorch dtype `src` (for untyped storages in _rebuild_tensor_v3)."""
        if self._var is None and self._src == "uint8" and src != "uint8":
            item = _FILE_DTYPES[src][1] if src in _FILE_DTYPES else 1
            check_loadable(src)
            if len(self._raw) % item:
                raise RuntimeError("storage of %d bytes is not a whole number of %s elements" % (len(self._raw), src))
            return TypedStorage._from_file(self._raw, src)
        return self

    # -- the usual storage API
    def size(self):
        if self._var is None:
            return len(self._raw) // _FILE_DTYPES[self._src][1]
        return _B.storageSize(self._var)

    def __len__(self):
        return self.size()

    def element_size(self):
        return self.dtype.itemsize

    def nbytes(self):
        return self.size() * self.element_size()

    @property
    def device(self):
        return _jt.CPU

    def cpu(self):
        return self

    def untyped(self):
        return self

    def _tensor(self):
        from ._tensor import _w
        return _w(self._variable())

    def tolist(self):
        return self._tensor().tolist()

    def __getitem__(self, i):
        return self._tensor()[i].item() if isinstance(i, int) else self._tensor()[i].tolist()

    def __iter__(self):
        return iter(self.tolist())

    def _pickle_storage_type(self):
        return _STORAGE_NAME_OF[self.dtype.name]

    def __repr__(self):
        data = self.tolist()
        body = "\n".join(" " + str(x) for x in data)
        return "%s\n[%s(dtype=%s, device=cpu) of size %d]" % (body, "torch.storage.TypedStorage", self.dtype, len(data))

    def __reduce__(self):
        raise TypeError("pickle a jtorch storage with torch.save, not pickle.dumps")


TypedStorage.__module__ = "torch.storage"


class UntypedStorage(TypedStorage):
    """Bytes (uint8). PyTorch writes torch.UntypedStorage for storages it saves without a dtype."""
    dtype = _jt.BY_NAME["int32"]  # uint8 values, held as int32 in jtorch
    _file_dtype = "uint8"


UntypedStorage.__module__ = "torch"


class _LegacyStorage(TypedStorage):
    pass


_legacy = {}


def _make_legacy(name, src):
    jt = _FILE_DTYPES.get(src, (None,))[0]
    cls = type(name, (_LegacyStorage,), {"dtype": _jt.BY_NAME[jt] if jt else None, "_file_dtype": src,
                                         "__module__": "torch"})
    cls.__qualname__ = name
    return cls


for _name, _src in _LEGACY_NAMES.items():
    _legacy[_name] = _make_legacy(_name, _src)
globals().update(_legacy)
__all__ += list(_legacy)
del _name, _src


def file_dtype_of(storage_type):
    """PyTorch dtype name recorded by a storage class from a pickle (torch.FloatStorage -> 'float32')."""
    src = getattr(storage_type, "_file_dtype", None)
    if src is None:
        dt = getattr(storage_type, "dtype", None)
        src = getattr(dt, "name", None)
    if src is None:
        raise RuntimeError("torch.load: storage type %s has no dtype" % getattr(storage_type, "__name__", storage_type))
    return src


def storage_class_name(dtype):
    return _STORAGE_NAME_OF[dtype.name]
