"""torch.cuda over jtorch's CUDA backend (the `cuda` module: JCuda driver API, PTX kernels, cuBLAS via FFM).

Without an NVIDIA driver this behaves like a CUDA build of PyTorch on a machine without a GPU:
is_available() is False, device_count() is 0, and anything that needs the device raises
RuntimeError("Found no NVIDIA driver on your system. ...")."""
import builtins as _builtins

from . import _jt

try:
    import java as _java
    _C = _java.type("org.jtorch.cuda.Cuda")
except Exception:  # the cuda module is not on the class path (or a sandbox hides it)
    _C = None

_NOT_COMPILED = "Torch not compiled with CUDA enabled"


def _lazy_init():
    if _C is None:
        raise AssertionError(_NOT_COMPILED)
    _C.init()


def init():
    _lazy_init()


def is_available():
    return _C is not None and _C.isAvailable()


def is_initialized():
    return _C is not None and _C.isInitialized()


def device_count():
    return 0 if _C is None else _C.deviceCount()


def current_device():
    _lazy_init()
    return 0


def set_device(device):
    d = _index(device)
    if d is not None and d != 0:
        _lazy_init()
        raise RuntimeError("CUDA error: invalid device ordinal (jtorch uses one GPU, cuda:0)")


def _index(device):
    if device is None:
        return None
    if isinstance(device, int):
        return device
    d = _jt.as_device(device)
    if d.type != "cuda":
        raise ValueError("Expected a cuda device, but got: %s" % d)
    return d.index or 0


def get_device_name(device=None):
    _lazy_init()
    return _C.deviceName(_index(device) or 0)


def get_device_capability(device=None):
    _lazy_init()
    c = _C.capability(_index(device) or 0)
    return (c[0], c[1])


class _CudaDeviceProperties:
    def __init__(self, i):
        self.name = _C.deviceName(i)
        c = _C.capability(i)
        self.major, self.minor = c[0], c[1]
        self.total_memory = _C.totalMemory(i)

    def __repr__(self):
        return "_CudaDeviceProperties(name='%s', major=%d, minor=%d, total_memory=%dMB)" % (
            self.name, self.major, self.minor, self.total_memory // (1024 * 1024))


def get_device_properties(device=None):
    _lazy_init()
    return _CudaDeviceProperties(_index(device) or 0)


def synchronize(device=None):
    _lazy_init()
    _C.synchronize()


# Random numbers for CUDA tensors are drawn from the CPU generator and copied (so a script gives the same
# numbers on both devices); the CUDA seeds are accepted and have nothing to seed.
def manual_seed(seed):
    pass


def manual_seed_all(seed):
    pass


def seed():
    pass


def seed_all():
    pass


def initial_seed():
    from . import initial_seed as _s
    return _s()


def memory_allocated(device=None):
    return 0 if _C is None else _C.memoryAllocated()


def max_memory_allocated(device=None):
    return 0 if _C is None else _C.maxMemoryAllocated()


def memory_reserved(device=None):
    return 0 if _C is None else _C.memoryReserved()


max_memory_reserved = memory_reserved
memory_cached = memory_reserved


def reset_peak_memory_stats(device=None):
    if _C is not None:
        _C.resetPeakMemoryStats()


def empty_cache():
    if _C is not None:
        _C.emptyCache()


def memory_summary(device=None, abbreviated=False):
    return "allocated: %d bytes, reserved: %d bytes" % (memory_allocated(), memory_reserved())


class device:
    """Context manager that selects a device (only cuda:0 exists here)."""

    def __init__(self, device):
        self.idx = _index(device)

    def __enter__(self):
        set_device(self.idx)

    def __exit__(self, *exc):
        return False


class device_of(device):
    def __init__(self, obj):
        super().__init__(obj.get_device() if obj.is_cuda else None)


def is_bf16_supported(including_emulation=True):
    return False


def get_arch_list():
    return ["sm_80", "sm_90"] if _C is not None else []


class _Amp:
    pass


def _describe():
    return "no cuda module" if _C is None else _C.describe()
