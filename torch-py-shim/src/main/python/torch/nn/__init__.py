"""torch.nn for jtorch: pure-Python layer over the public torch API (PyTorch 2.x semantics)."""
from .modules import *  # noqa: F403
from .modules import __all__ as _modules_all
from .parameter import Parameter
from . import init
from . import functional
from . import utils


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


__all__ = list(_modules_all) + ['Parameter', 'init', 'functional', 'utils', 'factory_kwargs']
