from .module import Module
from .linear import Identity, Linear, Bilinear
from .activation import Threshold, ReLU, Hardtanh, ReLU6, Sigmoid, Tanh, \
    Softmax, Softmax2d, LogSoftmax, ELU, SELU, CELU, GELU, Hardshrink, LeakyReLU, LogSigmoid, \
    Softplus, Softshrink, PReLU, Softsign, Softmin, Tanhshrink, GLU, \
    Hardsigmoid, Hardswish, SiLU, Mish
from .loss import L1Loss, NLLLoss, KLDivLoss, MSELoss, BCELoss, BCEWithLogitsLoss, NLLLoss2d, \
    CosineEmbeddingLoss, HingeEmbeddingLoss, MarginRankingLoss, \
    MultiLabelSoftMarginLoss, SmoothL1Loss, HuberLoss, \
    SoftMarginLoss, CrossEntropyLoss, TripletMarginLoss, PoissonNLLLoss, GaussianNLLLoss
from .container import Container, Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict
from .batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d
from .normalization import LayerNorm, GroupNorm
from .dropout import Dropout, Dropout1d, Dropout2d, Dropout3d
from .padding import ConstantPad1d, ConstantPad2d, ZeroPad1d, ZeroPad2d, ReflectionPad1d, ReflectionPad2d, \
    ReplicationPad1d, ReplicationPad2d, CircularPad1d, CircularPad2d
from .sparse import Embedding
from .distance import PairwiseDistance, CosineSimilarity
from .flatten import Flatten, Unflatten

__all__ = [
    'Module', 'Identity', 'Linear', 'Bilinear', 'Threshold', 'ReLU', 'Hardtanh', 'ReLU6',
    'Sigmoid', 'Tanh', 'Softmax', 'Softmax2d', 'LogSoftmax', 'ELU', 'SELU', 'CELU', 'GLU', 'GELU', 'Hardshrink',
    'LeakyReLU', 'LogSigmoid', 'Softplus', 'Softshrink', 'PReLU', 'Softsign', 'Softmin',
    'Tanhshrink', 'L1Loss', 'NLLLoss', 'KLDivLoss', 'MSELoss', 'BCELoss', 'BCEWithLogitsLoss',
    'NLLLoss2d', 'PoissonNLLLoss', 'CosineEmbeddingLoss', 'HingeEmbeddingLoss', 'MarginRankingLoss',
    'MultiLabelSoftMarginLoss', 'SmoothL1Loss', 'GaussianNLLLoss',
    'HuberLoss', 'SoftMarginLoss', 'CrossEntropyLoss', 'TripletMarginLoss', 'Container', 'Sequential',
    'ModuleList', 'ModuleDict', 'ParameterList', 'ParameterDict', 'BatchNorm1d', 'BatchNorm2d', 'BatchNorm3d',
    'LayerNorm', 'GroupNorm', 'Dropout', 'Dropout1d', 'Dropout2d', 'Dropout3d',
    'ConstantPad1d', 'ConstantPad2d', 'ZeroPad1d', 'ZeroPad2d', 'ReflectionPad1d', 'ReflectionPad2d',
    'ReplicationPad1d', 'ReplicationPad2d', 'CircularPad1d', 'CircularPad2d',
    'Embedding', 'PairwiseDistance', 'CosineSimilarity', 'Flatten', 'Unflatten',
    'Hardsigmoid', 'Hardswish', 'SiLU', 'Mish',
]
