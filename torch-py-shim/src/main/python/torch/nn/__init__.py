"""torch.nn for jtorch: pure-Python layer over the public torch API (PyTorch 2.x semantics).

Module and Parameter are loaded eagerly; layers, ``functional``, ``init`` and ``utils`` are
loaded on first use (PEP 562 module __getattr__), which keeps ``import torch.nn`` cheap.
"""
from .parameter import Parameter
from . import modules as _modules
from .modules import Module

_SUBMODULES = ('functional', 'init', 'utils', 'parameter', 'modules')

__all__ = list(_modules.__all__) + ['Parameter', 'init', 'functional', 'utils', 'factory_kwargs']


def __getattr__(name):
    if name in _SUBMODULES:
        import importlib
        return importlib.import_module('.' + name, __name__)
    if name in _modules._LAZY:
        value = getattr(_modules, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))


def factory_kwargs(kwargs):
    r"""Given kwargs, returns a canonicalized dict of factory kwargs (device, dtype, memory_format)."""
    if kwargs is None:
        return {}
    simple_keys = {"device", "dtype", "memory_format"}
    expected_keys = simple_keys | {"factory_kwargs"}
    if not kwargs.keys() <= expected_keys:
        raise TypeError(f"unexpected kwargs {kwargs.keys() - expected_keys}")

    # guarantee no input kwargs is untouched
    r = dict(kwargs.get("factory_kwargs", {}))
    for k in simple_keys:
        if k in kwargs:
            if k in r:
                raise TypeError(f"{k} specified twice, in **kwargs and in factory_kwargs")
            r[k] = kwargs[k]

    return r
