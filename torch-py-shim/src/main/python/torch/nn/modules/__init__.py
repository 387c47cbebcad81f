"""torch.nn.modules. Module is loaded eagerly; every other class is loaded from its file on first
use (PEP 562 module __getattr__), which keeps ``import torch.nn`` cheap."""
from .module import Module

_LAZY = {}
for _file, _names in (
    ('linear', ('Identity', 'Linear', 'Bilinear')),
    ('activation', ('Threshold', 'ReLU', 'Hardtanh', 'ReLU6', 'Sigmoid', 'Tanh', 'Softmax', 'Softmax2d',
                    'LogSoftmax', 'ELU', 'SELU', 'CELU', 'GELU', 'Hardshrink', 'LeakyReLU', 'LogSigmoid',
                    'Softplus', 'Softshrink', 'PReLU', 'Softsign', 'Softmin', 'Tanhshrink', 'GLU',
                    'Hardsigmoid', 'Hardswish', 'SiLU', 'Mish')),
    ('loss', ('L1Loss', 'NLLLoss', 'KLDivLoss', 'MSELoss', 'BCELoss', 'BCEWithLogitsLoss', 'NLLLoss2d',
              'CosineEmbeddingLoss', 'HingeEmbeddingLoss', 'MarginRankingLoss', 'MultiLabelSoftMarginLoss',
              'SmoothL1Loss', 'HuberLoss', 'SoftMarginLoss', 'CrossEntropyLoss', 'TripletMarginLoss',
              'PoissonNLLLoss', 'GaussianNLLLoss')),
    ('container', ('Container', 'Sequential', 'ModuleList', 'ModuleDict', 'ParameterList', 'ParameterDict')),
    ('batchnorm', ('BatchNorm1d', 'BatchNorm2d', 'BatchNorm3d')),
    ('normalization', ('LayerNorm', 'GroupNorm')),
    ('dropout', ('Dropout', 'Dropout1d', 'Dropout2d', 'Dropout3d')),
    ('padding', ('ConstantPad1d', 'ConstantPad2d', 'ZeroPad1d', 'ZeroPad2d', 'ReflectionPad1d', 'ReflectionPad2d',
                 'ReplicationPad1d', 'ReplicationPad2d', 'CircularPad1d', 'CircularPad2d')),
    ('sparse', ('Embedding',)),
    ('distance', ('PairwiseDistance', 'CosineSimilarity')),
    ('flatten', ('Flatten', 'Unflatten')),
    ('conv', ('Conv1d', 'Conv2d', 'ConvTranspose1d', 'ConvTranspose2d')),
    ('pooling', ('MaxPool1d', 'MaxPool2d', 'AvgPool1d', 'AvgPool2d', 'AdaptiveAvgPool1d', 'AdaptiveAvgPool2d')),
    ('rnn', ('RNNBase', 'RNN', 'LSTM', 'GRU', 'RNNCellBase', 'RNNCell', 'LSTMCell', 'GRUCell')),
    ('attention', ('MultiheadAttention',)),
    ('transformer', ('Transformer', 'TransformerEncoder', 'TransformerDecoder', 'TransformerEncoderLayer',
                     'TransformerDecoderLayer')),
    ('upsampling', ('Upsample', 'UpsamplingNearest2d', 'UpsamplingBilinear2d')),
):
    for _name in _names:
        _LAZY[_name] = _file
del _file, _names, _name

__all__ = ['Module'] + list(_LAZY)


def __getattr__(name):
    file = _LAZY.get(name)
    if file is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib
    value = getattr(importlib.import_module('.' + file, __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
