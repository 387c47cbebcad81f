"""torch.optim for jtorch (PyTorch 2.x semantics, single-tensor implementations).

Optimizer is loaded eagerly; the optimizers and ``lr_scheduler`` are loaded on first use."""
from .optimizer import Optimizer

_LAZY = {'SGD': 'sgd', 'Adam': 'adam', 'AdamW': 'adamw', 'RMSprop': 'rmsprop', 'Adagrad': 'adagrad',
         'Adadelta': 'adadelta'}

__all__ = ['Optimizer', 'SGD', 'Adam', 'AdamW', 'RMSprop', 'Adagrad', 'Adadelta', 'lr_scheduler']


def __getattr__(name):
    import importlib
    if name == 'lr_scheduler':
        return importlib.import_module('.lr_scheduler', __name__)
    file = _LAZY.get(name)
    if file is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module('.' + file, __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
