"""torch.save / torch.load in PyTorch's own checkpoint format.

A checkpoint is a zip archive (entries stored, not compressed) holding, under one folder name:
  <name>/data.pkl     the object, pickled with protocol 2; each tensor is
                      torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride,
                      requires_grad, backward_hooks) and each storage is the persistent id
                      ('storage', torch.<Type>Storage, key, location, numel)
  <name>/byteorder    "little"
  <name>/data/<key>   the raw little-endian bytes of storage <key> (whole storage, 64-byte aligned)
  <name>/version      "3\\n"
This is what PyTorch 1.6+ writes (the folder is the file's base name, or "archive" for file objects), so
files go both ways between jtorch and PyTorch.

Loading is safe by default (the weights_only semantics of PyTorch 2.6+): the unpickler only resolves
an allowlist of globals (tensor rebuild functions, storage types, dtypes, torch.Size, torch.device,
OrderedDict, builtin containers, plus what torch.serialization.add_safe_globals adds) and raises
pickle.UnpicklingError for anything else, before running it. weights_only=False loads arbitrary
objects (only for files you trust).

Saving pickles everything first, then writes the archive to a temporary file next to the target
and os.replace()s it, so an error or a crash mid-save leaves the previous file intact.

dtypes: float32, float64, int64, int32 and bool round-trip exactly. Reading PyTorch files,
float16 and bfloat16 become float32, uint8/int8/int16/uint16 become int32, uint32/uint64 become
int64 (uint64 values >= 2**63 wrap); complex, quantized and float8 tensors are refused with a
RuntimeError. The legacy pre-1.6 (non-zip) format and TorchScript archives are refused.
"""
import _compat_pickle
import collections
import io
import os
import pickle
import stat
import struct
import sys
import tempfile
import zipfile

from . import _jt
from . import _utils
from . import storage as _st
from ._jt import B as _B

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals", "safe_globals",
           "DEFAULT_PROTOCOL", "default_restore_location", "location_tag"]

DEFAULT_PROTOCOL = 2
_ALIGN = 64
_ZIP_MAGIC = b"PK\x03\x04"
_FORMAT_VERSION = b"3\n"


# ============================================================================ saving

class _GlobalRef:
    """A global written into the pickle by name (e.g. torch._utils._rebuild_tensor_v2), independent of where
    jtorch keeps the matching object, so that PyTorch can read the file."""
    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module = module
        self.name = name

    def __call__(self, *args):  # pickle's save_reduce requires a callable
        raise TypeError("placeholder for %s.%s" % (self.module, self.name))


_REFS = {}


def _ref(module, name):
    r = _REFS.get((module, name))
    if r is None:
        r = _REFS[(module, name)] = _GlobalRef(module, name)
    return r


class _StorageRef:
    __slots__ = ("key", "type_name", "numel", "var", "location")

    def __init__(self, key, type_name, numel, var, location="cpu"):
        self.location = location
        self.key = key
        self.type_name = type_name
        self.numel = numel
        self.var = var


# objects whose __module__ on GraalPy is an implementation module: written under CPython's public name
_PUBLIC_NAMES = {collections.OrderedDict: ("collections", "OrderedDict")}


class _Pickler(pickle._Pickler):
    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self._buckets = {}
        self.storages = []  # _StorageRef in key order
        from ._tensor import Tensor
        self._Tensor = Tensor
        self._StorageType = _st.TypedStorage

    def _storage_ref(self, var):
        k = _B.storageKey(var)
        bucket = self._buckets.setdefault(k, [])
        for other, ref in bucket:
            if _B.sameStorage(var, other):
                return ref
        dt = _jt.from_j(var.data.dtype)
        jd = var.data.device
        # a CUDA storage is saved from a host copy of the whole storage, tagged with its device (as PyTorch does)
        loc = "cpu" if jd.type() == "cpu" else str(_jt.pydevice(jd))
        ref = _StorageRef(str(len(self.storages)), _st.storage_class_name(dt), _B.storageSize(var), _B.storageOnCpu(var), loc)
        bucket.append((var, ref))
        self.storages.append(ref)
        return ref

    def persistent_id(self, obj):
        t = type(obj)
        if t is _StorageRef:
            return ("storage", _ref("torch", obj.type_name), obj.key, obj.location, obj.numel)
        if isinstance(obj, self._StorageType):
            ref = self._storage_ref(obj._variable())
            return ("storage", _ref("torch", ref.type_name), ref.key, ref.location, ref.numel)
        return None

    def reducer_override(self, obj):
        t = type(obj)
        if t is _jt.Size:
            return _ref("torch", "Size"), (tuple(obj),)
        if t is _jt.device:
            return _ref("torch", "device"), ((obj.type,) if obj.index is None else (obj.type, obj.index))
        if not isinstance(obj, self._Tensor):
            return NotImplemented
        v = obj._v
        pm = sys.modules.get("torch.nn.parameter")
        if pm is not None and isinstance(obj, pm.Parameter):
            from ._tensor import _w
            data = _w(_B.alias(v, False))
            return _ref("torch._utils", "_rebuild_parameter"), (data, obj.requires_grad, collections.OrderedDict())
        d = v.data
        args = (self._storage_ref(v), int(d.offset), tuple(int(s) for s in d.shape()),
                tuple(int(s) for s in d.strides()), bool(v.requiresGrad()), collections.OrderedDict())
        if t is self._Tensor:
            return _ref("torch._utils", "_rebuild_tensor_v2"), args
        state = dict(getattr(obj, "__dict__", None) or {}) or None
        return _ref("torch._tensor", "_rebuild_from_type_v2"), (_ref("torch._utils", "_rebuild_tensor_v2"), t, args, state)

    def _write_global(self, module, name):
        self.write(pickle.GLOBAL + module.encode("utf-8") + b"\n" + name.encode("utf-8") + b"\n")

    def _save_ref(self, obj):
        self._write_global(obj.module, obj.name)
        self.memoize(obj)

    def _save_dtype(self, obj):
        self._write_global("torch", obj.name)
        self.memoize(obj)

    def save_global(self, obj, name=None):
        alias = _PUBLIC_NAMES.get(obj) if name is None else None
        if alias is not None:
            self._write_global(*alias)
            self.memoize(obj)
            return
        super().save_global(obj, name)

    dispatch[_GlobalRef] = _save_ref
    dispatch[_jt.dtype] = _save_dtype


def _pickle(obj, protocol):
    buf = io.BytesIO()
    p = _Pickler(buf, protocol)
    p.dump(obj)
    return buf.getvalue(), p.storages


def _write_record(zf, name, chunks, size):
    zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    zi.compress_type = zipfile.ZIP_STORED
    zi.file_size = size
    zip64 = size * 1.05 > zipfile.ZIP64_LIMIT
    header = 30 + len(name.encode("utf-8")) + (20 if zip64 else 0)
    pad = (-(zf.start_dir + header + 4)) % _ALIGN  # data starts 64-byte aligned, as PyTorch writes it
    zi.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
    written = 0
    with zf.open(zi, "w", force_zip64=zip64) as w:
        for c in chunks:
            w.write(c)
            written += len(c)
    zi.extra = b""  # padding only in the local header
    if written != size:
        raise RuntimeError("torch.save: storage %s changed size while being written" % name)


def _write_archive(fh, archive, pkl, storages):
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        prefix = archive + "/"
        _write_record(zf, prefix + "data.pkl", [pkl], len(pkl))
        _write_record(zf, prefix + "byteorder", [b"little"], 6)
        for ref in storages:
            _write_record(zf, prefix + "data/" + ref.key, _st.storage_chunks(ref.var), _st.storage_nbytes(ref.var))
        _write_record(zf, prefix + "version", [_FORMAT_VERSION], len(_FORMAT_VERSION))


def _archive_name(path):
    """The folder name inside the zip: the file's base name without extension (PyTorch's choice)."""
    base = os.path.basename(path)
    dot = base.rfind(".")
    if dot > 0:
        base = base[:dot]
    try:
        base.encode("ascii")
    except UnicodeEncodeError:
        return "archive"
    if not base or "/" in base or "\\" in base or base in (".", ".."):
        return "archive"
    return base


def _new_file_mode(target):
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        pass
    try:
        mask = os.umask(0)
        os.umask(mask)
    except (OSError, AttributeError):
        mask = 0o022
    return 0o666 & ~mask


def _save_to_path(path, pkl, storages):
    path = os.fsdecode(os.fspath(path))
    target = os.path.realpath(path)  # replace a symlink's target, not the link
    folder = os.path.dirname(target) or "."
    if not os.path.isdir(folder):
        raise RuntimeError("Parent directory %s does not exist." % os.path.dirname(os.path.abspath(path)))
    if os.path.isdir(target):
        raise IsADirectoryError(21, "Is a directory", path)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(target) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_archive(fh, _archive_name(path), pkl, storages)
            fh.flush()
            try:
                os.fsync(fh.fileno())
            except OSError:
                pass
        try:
            os.chmod(tmp, _new_file_mode(target))
        except OSError:
            pass
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except (OSError, AttributeError):
        pass


def save(obj, f, pickle_module=None, pickle_protocol=DEFAULT_PROTOCOL, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Saves obj to f (a path, pathlib path or binary file object) in PyTorch's zip checkpoint format."""
    if not _use_new_zipfile_serialization:
        raise RuntimeError("jtorch writes only the zip checkpoint format (_use_new_zipfile_serialization=True)")
    if pickle_protocol is None:
        pickle_protocol = DEFAULT_PROTOCOL
    if not 2 <= pickle_protocol <= pickle.HIGHEST_PROTOCOL:
        raise ValueError("pickle_protocol must be between 2 and %d" % pickle.HIGHEST_PROTOCOL)
    # Everything is pickled before anything is written: a failure here touches no file.
    pkl, storages = _pickle(obj, pickle_protocol)
    if isinstance(f, (str, bytes, os.PathLike)):
        _save_to_path(f, pkl, storages)
        return
    if not hasattr(f, "write"):
        raise AttributeError("torch.save: expected a file path or a binary file object with write(), got %s"
                             % type(f).__name__)
    _write_archive(f, "archive", pkl, storages)
    flush = getattr(f, "flush", None)
    if flush is not None:
        flush()


# ============================================================================ safe globals

_user_globals = []


def add_safe_globals(safe_globals):
    """Marks globals (classes, functions, or (obj, "module.name") pairs) as safe for weights_only loading."""
    for g in safe_globals:
        if isinstance(g, tuple):
            if len(g) != 2 or not isinstance(g[1], str):
                raise ValueError("expected (obj, 'module.name') pairs, got %r" % (g,))
        _user_globals.append(g)


def get_safe_globals():
    """The globals added by add_safe_globals."""
    return list(_user_globals)


def clear_safe_globals():
    del _user_globals[:]


class safe_globals:
    """Context manager: these globals are allowed for weights_only loading within the block."""

    def __init__(self, safe_globals):
        self.safe_globals = list(safe_globals)

    def __enter__(self):
        self._n = len(_user_globals)
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc):
        del _user_globals[self._n:]


def _global_name(g):
    if isinstance(g, tuple):
        return g[1], g[0]
    return "%s.%s" % (getattr(g, "__module__", None), getattr(g, "__qualname__", getattr(g, "__name__", None))), g


def _user_global(full):
    for g in reversed(_user_globals):
        name, obj = _global_name(g)
        if name == full:
            return obj
    return None


# ============================================================================ loading

class _FileDType:
    """A PyTorch dtype that jtorch has no object for (torch.uint16, torch.complex64, ...): kept by name."""

    def __init__(self, name):
        self.name = name
        self._file_name = name

    def __repr__(self):
        return "torch." + self.name

    def __eq__(self, other):
        return isinstance(other, _FileDType) and other.name == self.name

    def __hash__(self):
        return hash(self.name)


_PT_DTYPES = ("float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool",
              "uint16", "uint32", "uint64", "complex32", "complex64", "complex128", "qint8", "quint8", "qint32",
              "quint4x2", "quint2x4", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz",
              "bits1x8", "bits2x4", "bits4x2", "bits8", "bits16")
_ALIASED = {"float16": "float32", "bfloat16": "float32", "int16": "int32", "int8": "int32", "uint8": "int32"}
_file_dtypes = {}


def _dtype_for(name):
    if name in _jt.BY_NAME:
        return _jt.BY_NAME[name]
    if name in _ALIASED:  # jtorch's torch.float16 etc. are these
        return _jt.BY_NAME[_ALIASED[name]]
    d = _file_dtypes.get(name)
    if d is None:
        d = _file_dtypes[name] = _FileDType(name)
    return d


def _get_layout(name):
    return name


def _safe_codecs_encode(obj, encoding="utf-8", errors="strict"):
    """_codecs.encode as protocol-2 pickles use it for bytes objects: str -> bytes, text codecs only."""
    if not isinstance(obj, str) or encoding.replace("-", "").replace("_", "").lower() not in (
            "latin1", "utf8", "ascii", "iso88591", "l1", "latin"):
        raise pickle.UnpicklingError("_codecs.encode is only allowed for str -> bytes with a text encoding")
    return obj.encode(encoding, errors)


_MISSING = object()
_REBUILD_NAMES = ("_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_tensor_v3", "_rebuild_parameter",
                  "_rebuild_parameter_with_state")


def _torch_global(module, name):
    """jtorch's object for a torch global named in a checkpoint, or _MISSING."""
    from ._tensor import Tensor
    if module == "torch":
        if name.endswith("Storage"):
            cls = getattr(_st, name, None)
            if isinstance(cls, type) and issubclass(cls, _st.TypedStorage):
                return cls
            return _MISSING
        if name == "Size":
            return _jt.Size
        if name == "device":
            return _jt.device
        if name == "Tensor":
            return Tensor
        if name in _PT_DTYPES:
            return _dtype_for(name)
        return _MISSING
    if module == "torch._utils" and name in _REBUILD_NAMES:
        return getattr(_utils, name)
    if module in ("torch._tensor", "torch.tensor") and name == "_rebuild_from_type_v2":
        return _utils._rebuild_from_type_v2
    if module == "torch.storage" and name in ("TypedStorage", "UntypedStorage", "_TypedStorage", "_UntypedStorage"):
        return _st.TypedStorage if "Typed" in name and "Untyped" not in name else _st.UntypedStorage
    if module == "torch.nn.parameter" and name == "Parameter":
        from .nn.parameter import Parameter
        return Parameter
    if module == "torch.serialization" and name == "_get_layout":
        return _get_layout
    return _MISSING


_SAFE_BUILTINS = {
    "collections.OrderedDict": collections.OrderedDict, "_collections.OrderedDict": collections.OrderedDict,
    "builtins.set": set, "builtins.frozenset": frozenset, "builtins.bytearray": bytearray,
    "builtins.list": list, "builtins.dict": dict, "builtins.tuple": tuple, "builtins.slice": slice,
    "builtins.complex": complex, "builtins.int": int, "builtins.float": float, "builtins.bool": bool,
    "builtins.str": str, "builtins.bytes": bytes,
    "_codecs.encode": _safe_codecs_encode,
}


def _weights_only_error(module, name, detail=None):
    full = "%s.%s" % (module, name)
    msg = detail or ("Unsupported global: GLOBAL %s was not an allowed global by default. Please use "
                     "`torch.serialization.add_safe_globals([%s])` or the `torch.serialization.safe_globals([%s])` "
                     "context manager to allowlist this global if you trust this class/function." % (full, name, name))
    return pickle.UnpicklingError(
        "Weights only load failed. This file can still be loaded, to do so you have two options, do those steps "
        "only if you trust the source of the checkpoint.\n\t(1) Re-running `torch.load` with `weights_only` set to "
        "`False` will likely succeed, but it can result in arbitrary code execution. Do it only if you got the file "
        "from a trusted source.\n\t(2) Alternatively, to load with `weights_only=True` please check the recommended "
        "steps in the following error message.\n\tWeightsUnpickler error: " + msg)


class _CheckpointError(RuntimeError):
    pass


class _Unpickler(pickle._Unpickler):
    dispatch = dict(pickle._Unpickler.dispatch)

    def __init__(self, file, ctx, weights_only):
        super().__init__(file, encoding="utf-8")
        self._ctx = ctx
        self._safe = weights_only

    def find_class(self, module, name):
        if self.proto < 3 and self.fix_imports:
            if (module, name) in _compat_pickle.NAME_MAPPING:
                module, name = _compat_pickle.NAME_MAPPING[(module, name)]
            elif module in _compat_pickle.IMPORT_MAPPING:
                module = _compat_pickle.IMPORT_MAPPING[module]
        obj = _torch_global(module, name)
        if obj is not _MISSING:
            return obj
        full = "%s.%s" % (module, name)
        if self._safe:
            obj = _SAFE_BUILTINS.get(full)
            if obj is None:
                obj = _user_global(full)
            if obj is None:
                raise _weights_only_error(module, name)
            return obj
        if module == "torch" and name.endswith("Storage"):
            raise _CheckpointError("torch.load: unknown storage type torch.%s" % name)
        return super().find_class(module, name)

    def persistent_load(self, pid):
        return self._ctx.persistent_load(pid)

    def _load_build_safe(self):
        inst = self.stack[-2] if len(self.stack) >= 2 else None
        t = type(inst)
        from ._tensor import Tensor
        allowed = t is collections.OrderedDict or isinstance(inst, Tensor) or any(
            _global_name(g)[1] is t for g in _user_globals)
        if not allowed:
            raise _weights_only_error(t.__module__, t.__qualname__,
                                      "Can only build Tensor, Parameter, OrderedDict or types allowlisted via "
                                      "add_safe_globals, but got %s.%s" % (t.__module__, t.__qualname__))
        if isinstance(inst, Tensor):
            state = self.stack.pop()
            _utils._set_obj_state(inst, state)
            return
        pickle._Unpickler.load_build(self)

    def load_build(self):
        if self._safe:
            return self._load_build_safe()
        return pickle._Unpickler.load_build(self)

    dispatch[pickle.BUILD[0]] = load_build


def default_restore_location(storage, location):
    if location is None or str(location).startswith("cpu"):
        return storage
    loc = str(location)
    if loc.startswith("cuda") and _cuda_ok():
        storage._device = loc  # the tensors rebuilt over it are moved there (torch._utils)
        return storage
    if loc.startswith("cuda"):
        raise RuntimeError("Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. "
                           "If you are running on a CPU-only machine, please use torch.load with "
                           "map_location=torch.device('cpu') to map your storages to the CPU.")
    raise RuntimeError("don't know how to restore data location of %s (tagged with %s); jtorch loads to the cpu "
                       "only: pass map_location='cpu'" % (type(storage).__name__, loc))


def _cuda_ok():
    from . import cuda
    return cuda.is_available()


def location_tag(storage):
    return "cpu"


def _restore_location(map_location):
    if map_location is None:
        return default_restore_location
    if isinstance(map_location, dict):
        return lambda s, loc: default_restore_location(s, str(map_location.get(loc, loc)))
    if isinstance(map_location, (str, _jt.device)):
        target = str(map_location)
        return lambda s, loc: default_restore_location(s, target)
    if callable(map_location):
        def restore(s, loc):
            r = map_location(s, loc)
            if r is None:
                return default_restore_location(s, loc)
            if not isinstance(r, _st.TypedStorage):
                raise RuntimeError("map_location returned %s, not a storage" % type(r).__name__)
            return r
        return restore
    raise TypeError("map_location should be a string, torch.device, dict or callable, not %s" % type(map_location).__name__)


class _Archive:
    def __init__(self, zf, prefix, where, restore):
        self.zf = zf
        self.prefix = prefix
        self.where = where
        self.restore = restore
        self.loaded = {}
        self.byteorder = "little"

    def read(self, rel):
        name = self.prefix + rel
        try:
            return self.zf.read(name)
        except KeyError:
            raise _CheckpointError("PytorchStreamReader failed locating file %s: file not found (%s is incomplete "
                                   "or corrupt)" % (rel, self.where)) from None
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, struct.error, NotImplementedError) as e:
            raise _CheckpointError("PytorchStreamReader failed reading file %s of %s: %s (file corrupt or truncated?)"
                                   % (rel, self.where, e)) from None

    def has(self, rel):
        try:
            self.zf.getinfo(self.prefix + rel)
            return True
        except KeyError:
            return False

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or not pid:
            raise pickle.UnpicklingError("persistent_load: expected a tuple id, got %r" % (type(pid).__name__,))
        typename = pid[0].decode("ascii") if isinstance(pid[0], bytes) else pid[0]
        if typename != "storage":
            raise pickle.UnpicklingError("Unknown typename for persistent_load, expected 'storage' but got %r" % (typename,))
        if len(pid) != 5:
            raise pickle.UnpicklingError("persistent_load: malformed storage id %r" % (pid,))
        storage_type, key, location, numel = pid[1:]
        key = key.decode("ascii") if isinstance(key, bytes) else str(key)
        location = location.decode("ascii") if isinstance(location, bytes) else location
        got = self.loaded.get(key)
        if got is not None:
            return got
        if not (isinstance(storage_type, type) and issubclass(storage_type, _st.TypedStorage)):
            raise pickle.UnpicklingError("persistent_load: %r is not a storage type" % (storage_type,))
        if type(numel) is not int or numel < 0:
            raise pickle.UnpicklingError("persistent_load: bad element count %r" % (numel,))
        src = _st.file_dtype_of(storage_type)
        _st.check_loadable(src)
        item = _st._FILE_DTYPES[src][1]
        data = self.read("data/" + key)
        nbytes = numel * item
        if len(data) < nbytes:
            raise _CheckpointError("storage data/%s of %s has %d bytes, expected %d (file truncated or corrupt)"
                                   % (key, self.where, len(data), nbytes))
        if len(data) > nbytes:
            data = data[:nbytes]
        if self.byteorder == "big":
            data = _st.byteswap(data, item)
        s = _st.TypedStorage._from_file(data, src)
        s = self.restore(s, location)
        self.loaded[key] = s
        return s


def _open_zip(fh, where):
    head = fh.read(4)
    fh.seek(-len(head), 1)
    if head != _ZIP_MAGIC:
        if not head:
            raise RuntimeError("torch.load: %s is empty, not a checkpoint" % where)
        if head[:1] == b"\x80":
            raise RuntimeError("torch.load: %s is in the legacy (pre-1.6, non-zip) torch.save format, which jtorch "
                               "does not read. Re-save it with PyTorch >= 1.6: torch.save(torch.load(path), path)." % where)
        raise RuntimeError("torch.load: %s is not a PyTorch checkpoint (no zip archive header); "
                           "the file is corrupt or of another kind" % where)
    try:
        return zipfile.ZipFile(fh, "r")
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, struct.error, IndexError) as e:
        raise RuntimeError("PytorchStreamReader failed reading zip archive: failed finding central directory "
                           "(%s is truncated or corrupt: %s)" % (where, e)) from None


def _load_zip(zf, where, map_location, weights_only):
    names = zf.namelist()
    if not names:
        raise RuntimeError("PytorchStreamReader failed reading zip archive: archive does not contain any files (%s)" % where)
    prefix = names[0].split("/", 1)[0] + "/"  # the folder of the first entry, as PyTorch's reader does
    ar = _Archive(zf, prefix, where, _restore_location(map_location))
    if ar.has("constants.pkl") or any(n.startswith(prefix + "code/") for n in names):
        raise RuntimeError("torch.load: %s is a TorchScript archive (torch.jit.save); jtorch cannot run TorchScript. "
                           "Save a state_dict with torch.save instead." % where)
    if not ar.has("data.pkl"):
        raise RuntimeError("PytorchStreamReader failed locating file data.pkl: file not found (%s)" % where)
    for rel in (".data/version", "version"):
        if ar.has(rel):
            v = ar.read(rel).strip()
            try:
                ver = int(v)
            except ValueError:
                raise RuntimeError("torch.load: %s has a malformed version record %r" % (where, v)) from None
            if not 1 <= ver <= 10:
                raise RuntimeError("torch.load: %s has unsupported file format version %d" % (where, ver))
            break
    if ar.has("byteorder"):
        bo = ar.read("byteorder").strip().decode("ascii", "replace")
        if bo not in ("little", "big"):
            raise RuntimeError("torch.load: %s has an unknown byteorder %r" % (where, bo))
        ar.byteorder = bo
    pkl = ar.read("data.pkl")
    up = _Unpickler(io.BytesIO(pkl), ar, weights_only)
    try:
        return up.load()
    except (pickle.UnpicklingError, _CheckpointError):
        raise
    except (EOFError, struct.error) as e:
        raise pickle.UnpicklingError("torch.load: the pickled data of %s is truncated or corrupt (%s: %s)"
                                     % (where, type(e).__name__, e)) from None
    except (IndexError, KeyError, TypeError, ValueError, AttributeError) as e:
        if not weights_only:
            raise
        raise pickle.UnpicklingError("torch.load: the pickled data of %s is malformed (%s: %s)"
                                     % (where, type(e).__name__, e)) from None


def _default_weights_only():
    if os.environ.get("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "0") not in ("0", ""):
        return True
    if os.environ.get("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "0") not in ("0", ""):
        return False
    return True


def load(f, map_location=None, weights_only=None, pickle_module=None, *, mmap=None, **pickle_load_args):
    """Loads an object saved with torch.save (by jtorch or PyTorch >= 1.6) from a path or binary file object.

    weights_only (default True) allows only tensors, dtypes, containers and allowlisted globals;
    weights_only=False loads arbitrary pickled objects and must only be used for trusted files."""
    if weights_only is None:
        weights_only = _default_weights_only()
    if os.environ.get("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "0") not in ("0", ""):
        weights_only = True
    if pickle_module is not None and pickle_module is not pickle and weights_only:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    _restore_location(map_location)  # validate early
    if isinstance(f, (str, bytes, os.PathLike)):
        path = os.fsdecode(os.fspath(f))
        with open(path, "rb") as fh:
            return _load_from(fh, repr(path), map_location, weights_only)
    if not hasattr(f, "read"):
        raise AttributeError("torch.load: expected a file path or a binary file object with read(), got %s"
                             % type(f).__name__)
    fh = f
    seekable = getattr(f, "seekable", None)
    if seekable is None or not seekable():
        fh = io.BytesIO(f.read())
    return _load_from(fh, "the file object", map_location, weights_only)


def _load_from(fh, where, map_location, weights_only):
    zf = _open_zip(fh, where)
    with zf:
        return _load_zip(zf, where, map_location, weights_only)
