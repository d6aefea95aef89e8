"""``minitorch.nn``: modules, parameters, functional, init."""

from minitorch.nn import functional, init, utils
from minitorch.nn.activation import (
                                 CELU,
                                 ELU,
                                 GLU,
                                 SELU,
                                 Hardshrink,
                                 Hardsigmoid,
                                 Hardswish,
                                 Hardtanh,
                                 LeakyReLU,
                                 LogSigmoid,
                                 Mish,
                                 PReLU,
                                 ReLU6,
                                 Softmin,
                                 Softplus,
                                 Softshrink,
                                 Softsign,
                                 Tanhshrink,
                                 Threshold,
)
from minitorch.nn.attention import MultiheadAttention
from minitorch.nn.batchnorm import (
                                 BatchNorm1d,
                                 BatchNorm2d,
                                 BatchNorm3d,
                                 GroupNorm,
                                 InstanceNorm1d,
                                 InstanceNorm2d,
                                 InstanceNorm3d,
)
from minitorch.nn.container import ModuleDict, ModuleList, ParameterList, Sequential
from minitorch.nn.distance import CosineSimilarity, PairwiseDistance
from minitorch.nn.dropout import Dropout, Dropout1d, Dropout2d, Dropout3d
from minitorch.nn.fold import Fold, PixelShuffle, PixelUnshuffle, Softmax2d, Unfold
from minitorch.nn.layers import (
                                 GELU,
                                 AdaptiveAvgPool1d,
                                 AdaptiveAvgPool2d,
                                 AdaptiveAvgPool3d,
                                 AdaptiveMaxPool1d,
                                 AdaptiveMaxPool2d,
                                 AvgPool1d,
                                 AvgPool2d,
                                 AvgPool3d,
                                 Conv1d,
                                 Conv2d,
                                 Conv3d,
                                 ConvTranspose1d,
                                 ConvTranspose2d,
                                 ConvTranspose3d,
                                 Embedding,
                                 Flatten,
                                 Identity,
                                 LayerNorm,
                                 Linear,
                                 LogSoftmax,
                                 MaxPool1d,
                                 MaxPool2d,
                                 MaxPool3d,
                                 ReLU,
                                 RMSNorm,
                                 Sigmoid,
                                 SiLU,
                                 Softmax,
                                 Tanh,
                                 Unflatten,
)
from minitorch.nn.loss import (
                                 BCELoss,
                                 BCEWithLogitsLoss,
                                 CosineEmbeddingLoss,
                                 CrossEntropyLoss,
                                 GaussianNLLLoss,
                                 HingeEmbeddingLoss,
                                 HuberLoss,
                                 KLDivLoss,
                                 L1Loss,
                                 MarginRankingLoss,
                                 MSELoss,
                                 MultiLabelSoftMarginLoss,
                                 NLLLoss,
                                 PoissonNLLLoss,
                                 SmoothL1Loss,
                                 SoftMarginLoss,
                                 TripletMarginLoss,
)
from minitorch.nn.module import Module
from minitorch.nn.padding import (
                                 CircularPad1d,
                                 CircularPad2d,
                                 CircularPad3d,
                                 ConstantPad1d,
                                 ConstantPad2d,
                                 ConstantPad3d,
                                 ReflectionPad1d,
                                 ReflectionPad2d,
                                 ReflectionPad3d,
                                 ReplicationPad1d,
                                 ReplicationPad2d,
                                 ReplicationPad3d,
                                 ZeroPad1d,
                                 ZeroPad2d,
                                 ZeroPad3d,
)
from minitorch.nn.parameter import Parameter
from minitorch.nn.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from minitorch.nn.transformer import (
                                 Transformer,
                                 TransformerDecoder,
                                 TransformerDecoderLayer,
                                 TransformerEncoder,
                                 TransformerEncoderLayer,
)
from minitorch.nn.upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d

__all__ = [
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d", "AvgPool1d", "AvgPool2d", "AvgPool3d", "BCELoss", "BCEWithLogitsLoss",
    "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "CELU", "CircularPad1d", "CircularPad2d",
    "CircularPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "Conv1d", "Conv2d",
    "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "CosineEmbeddingLoss",
    "CosineSimilarity", "CrossEntropyLoss", "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "ELU",
    "Embedding", "Flatten", "Fold", "GELU", "GLU", "GRU", "GRUCell", "GaussianNLLLoss", "GroupNorm",
    "Hardshrink", "Hardsigmoid", "Hardswish", "Hardtanh", "HingeEmbeddingLoss", "HuberLoss",
    "Identity", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "KLDivLoss", "L1Loss", "LSTM",
    "LSTMCell", "LayerNorm", "LeakyReLU", "Linear", "LogSigmoid", "LogSoftmax", "MSELoss",
    "MarginRankingLoss", "MaxPool1d", "MaxPool2d", "MaxPool3d", "Mish", "Module", "ModuleDict",
    "ModuleList", "MultiLabelSoftMarginLoss", "MultiheadAttention", "NLLLoss", "PReLU",
    "PairwiseDistance", "Parameter", "ParameterList", "PixelShuffle", "PixelUnshuffle",
    "PoissonNLLLoss", "RMSNorm", "RNN", "RNNBase", "RNNCell", "RNNCellBase", "ReLU", "ReLU6",
    "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
    "ReplicationPad3d", "SELU", "Sequential", "SiLU", "Sigmoid", "SmoothL1Loss", "SoftMarginLoss",
    "Softmax", "Softmax2d", "Softmin", "Softplus", "Softshrink", "Softsign", "Tanh", "Tanhshrink",
    "Threshold", "Transformer", "TransformerDecoder", "TransformerDecoderLayer",
    "TransformerEncoder", "TransformerEncoderLayer", "TripletMarginLoss", "Unflatten", "Unfold",
    "Upsample", "UpsamplingBilinear2d", "UpsamplingNearest2d", "ZeroPad1d", "ZeroPad2d",
    "ZeroPad3d", "functional", "init", "utils"
]
