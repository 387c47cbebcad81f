"""Small private helpers shared by torch.nn (PyTorch's nn/modules/utils.py plus shim helpers)."""
import collections.abc as _abc
from itertools import repeat

import torch

__all__ = []


def _ntuple(n, name="parse"):
    def parse(x):
        if isinstance(x, _abc.Iterable) and not isinstance(x, str):
            return tuple(x)
        return tuple(repeat(x, n))

    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
_quadruple = _ntuple(4, "_quadruple")


_LEGACY_TENSOR_NAMES = (
    ('float32', 'FloatTensor'), ('float64', 'DoubleTensor'), ('float16', 'HalfTensor'),
    ('bfloat16', 'BFloat16Tensor'), ('int64', 'LongTensor'), ('int32', 'IntTensor'),
    ('int16', 'ShortTensor'), ('int8', 'CharTensor'), ('uint8', 'ByteTensor'),
    ('bool', 'BoolTensor'),
)


def _tensor_type_name(t):
    dt = t.dtype
    name = None
    for attr, legacy in _LEGACY_TENSOR_NAMES:
        if getattr(torch, attr, None) == dt:
            name = legacy
            break
    if name is None:
        return 'torch.Tensor'
    dev = getattr(t.device, 'type', 'cpu')
    if dev == 'cpu':
        return 'torch.' + name
    return 'torch.' + dev + '.' + name


def _typename(o):
    """Same as torch.typename(o)."""
    if isinstance(o, torch.Tensor):
        return _tensor_type_name(o)
    module = ''
    class_name = ''
    mod = getattr(o, '__module__', None)
    if mod is not None and mod != 'builtins' and mod != '__builtin__':
        module = mod + '.'
    if hasattr(o, '__qualname__'):
        class_name = o.__qualname__
    elif hasattr(o, '__name__'):
        class_name = o.__name__
    else:
        class_name = o.__class__.__name__
    return module + class_name


def _factory_kwargs(device, dtype):
    """Keyword arguments for torch.empty & co, leaving out the ones that are None."""
    kw = {}
    if device is not None:
        kw['device'] = device
    if dtype is not None:
        kw['dtype'] = dtype
    return kw
