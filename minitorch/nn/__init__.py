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
                                 RReLU,
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
                                 GroupNorm,
                                 InstanceNorm1d,
                                 InstanceNorm2d,
)
from minitorch.nn.container import (
                                 ModuleDict,
                                 ModuleList,
                                 ParameterDict,
                                 ParameterList,
                                 Sequential,
)
from minitorch.nn.distance import CosineSimilarity, PairwiseDistance
from minitorch.nn.dropout import (
                                 AlphaDropout,
                                 Dropout,
                                 Dropout1d,
                                 Dropout2d,
                                 Dropout3d,
                                 FeatureAlphaDropout,
)
from minitorch.nn.fold import Fold, PixelShuffle, PixelUnshuffle, Softmax2d, Unfold
from minitorch.nn.layers import (
                                 GELU,
                                 AdaptiveAvgPool1d,
                                 AdaptiveAvgPool2d,
                                 AdaptiveMaxPool1d,
                                 AdaptiveMaxPool2d,
                                 AvgPool1d,
                                 AvgPool2d,
                                 Conv1d,
                                 Conv2d,
                                 ConvTranspose1d,
                                 ConvTranspose2d,
                                 Embedding,
                                 Flatten,
                                 Identity,
                                 LayerNorm,
                                 Linear,
                                 LogSoftmax,
                                 MaxPool1d,
                                 MaxPool2d,
                                 ReLU,
                                 RMSNorm,
                                 Sigmoid,
                                 SiLU,
                                 Softmax,
                                 Tanh,
                                 Unflatten,
)
from minitorch.nn.linear import Bilinear, LazyLinear
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
                                 MultiLabelMarginLoss,
                                 MultiLabelSoftMarginLoss,
                                 MultiMarginLoss,
                                 NLLLoss,
                                 PoissonNLLLoss,
                                 SmoothL1Loss,
                                 SoftMarginLoss,
                                 TripletMarginLoss,
                                 TripletMarginWithDistanceLoss,
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
from minitorch.nn.parameter import Parameter, UninitializedParameter
from minitorch.nn.pooling import (
                                 ChannelShuffle,
                                 LocalResponseNorm,
                                 LPPool1d,
                                 LPPool2d,
                                 MaxUnpool1d,
                                 MaxUnpool2d,
)
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
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
    "AlphaDropout", "AvgPool1d", "AvgPool2d", "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d",
    "BatchNorm2d", "Bilinear", "CELU", "ChannelShuffle", "CircularPad1d", "CircularPad2d",
    "CircularPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "Conv1d", "Conv2d",
    "ConvTranspose1d", "ConvTranspose2d", "CosineEmbeddingLoss", "CosineSimilarity",
    "CrossEntropyLoss", "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "ELU", "Embedding",
    "FeatureAlphaDropout", "Flatten", "Fold", "GELU", "GLU", "GRU", "GRUCell", "GaussianNLLLoss",
    "GroupNorm", "Hardshrink", "Hardsigmoid", "Hardswish", "Hardtanh", "HingeEmbeddingLoss",
    "HuberLoss", "Identity", "InstanceNorm1d", "InstanceNorm2d", "KLDivLoss", "L1Loss", "LPPool1d",
    "LPPool2d", "LSTM", "LSTMCell", "LayerNorm", "LazyLinear", "LeakyReLU", "Linear",
    "LocalResponseNorm", "LogSigmoid", "LogSoftmax", "MSELoss", "MarginRankingLoss", "MaxPool1d",
    "MaxPool2d", "MaxUnpool1d", "MaxUnpool2d", "Mish", "Module", "ModuleDict", "ModuleList",
    "MultiLabelMarginLoss", "MultiLabelSoftMarginLoss", "MultiMarginLoss", "MultiheadAttention",
    "NLLLoss", "PReLU", "PairwiseDistance", "Parameter", "ParameterDict", "ParameterList",
    "PixelShuffle", "PixelUnshuffle", "PoissonNLLLoss", "RMSNorm", "RNN", "RNNBase", "RNNCell",
    "RNNCellBase", "RReLU", "ReLU", "ReLU6", "ReflectionPad1d", "ReflectionPad2d",
    "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "SELU",
    "Sequential", "SiLU", "Sigmoid", "SmoothL1Loss", "SoftMarginLoss", "Softmax", "Softmax2d",
    "Softmin", "Softplus", "Softshrink", "Softsign", "Tanh", "Tanhshrink", "Threshold",
    "Transformer", "TransformerDecoder", "TransformerDecoderLayer", "TransformerEncoder",
    "TransformerEncoderLayer", "TripletMarginLoss", "TripletMarginWithDistanceLoss", "Unflatten",
    "Unfold", "UninitializedParameter", "Upsample", "UpsamplingBilinear2d", "UpsamplingNearest2d",
    "ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "functional", "init", "utils"
]
