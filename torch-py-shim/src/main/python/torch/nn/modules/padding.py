"""Padding modules (PyTorch 2.x semantics)."""
from .module import Module
from .. import functional as F
from .utils import _pair, _quadruple, _ntuple

__all__ = ['ConstantPad1d', 'ConstantPad2d', 'ZeroPad1d', 'ZeroPad2d', 'ReflectionPad1d',
           'ReflectionPad2d', 'ReplicationPad1d', 'ReplicationPad2d', 'CircularPad1d', 'CircularPad2d']


class _ConstantPadNd(Module):
    __constants__ = ['padding', 'value']

    def __init__(self, value):
        super().__init__()
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, 'constant', self.value)

    def extra_repr(self):
        return f'padding={self.padding}, value={self.value}'


class ConstantPad1d(_ConstantPadNd):
    def __init__(self, padding, value):
        super().__init__(value)
        self.padding = _pair(padding)


class ConstantPad2d(_ConstantPadNd):
    def __init__(self, padding, value):
        super().__init__(value)
        self.padding = _quadruple(padding)


class ZeroPad1d(ConstantPad1d):
    def __init__(self, padding):
        super().__init__(padding, 0.)

    def extra_repr(self):
        return f'{self.padding}'


class ZeroPad2d(ConstantPad2d):
    def __init__(self, padding):
        super().__init__(padding, 0.)

    def extra_repr(self):
        return f'{self.padding}'


class _ModePadNd(Module):
    __constants__ = ['padding']
    _mode = 'constant'

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f'{self.padding}'


class ReflectionPad1d(_ModePadNd):
    _mode = 'reflect'

    def __init__(self, padding):
        super().__init__()
        self.padding = _pair(padding)


class ReflectionPad2d(_ModePadNd):
    _mode = 'reflect'

    def __init__(self, padding):
        super().__init__()
        self.padding = _quadruple(padding)


class ReplicationPad1d(_ModePadNd):
    _mode = 'replicate'

    def __init__(self, padding):
        super().__init__()
        self.padding = _pair(padding)


class ReplicationPad2d(_ModePadNd):
    _mode = 'replicate'

    def __init__(self, padding):
        super().__init__()
        self.padding = _quadruple(padding)


class CircularPad1d(_ModePadNd):
    _mode = 'circular'

    def __init__(self, padding):
        super().__init__()
        self.padding = _pair(padding)


class CircularPad2d(_ModePadNd):
    _mode = 'circular'

    def __init__(self, padding):
        super().__init__()
        self.padding = _quadruple(padding)
