"""``minitorch.nn``: modules, parameters, functional, init."""

from minitorch.nn import functional, init, utils
from minitorch.nn.batchnorm import BatchNorm1d, BatchNorm2d
from minitorch.nn.container import ModuleDict, ModuleList, ParameterList, Sequential
from minitorch.nn.dropout import Dropout, Dropout2d
from minitorch.nn.layers import (
                                 GELU,
                                 AdaptiveAvgPool2d,
                                 AdaptiveMaxPool2d,
                                 AvgPool2d,
                                 Conv2d,
                                 Embedding,
                                 Flatten,
                                 Identity,
                                 LayerNorm,
                                 Linear,
                                 LogSoftmax,
                                 MaxPool2d,
                                 ReLU,
                                 Sigmoid,
                                 SiLU,
                                 Softmax,
                                 Tanh,
                                 Unflatten,
)
from minitorch.nn.loss import (
                                 BCELoss,
                                 BCEWithLogitsLoss,
                                 CrossEntropyLoss,
                                 HuberLoss,
                                 KLDivLoss,
                                 L1Loss,
                                 MSELoss,
                                 NLLLoss,
                                 SmoothL1Loss,
)
from minitorch.nn.module import Module
from minitorch.nn.parameter import Parameter

__all__ = [
    "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "AvgPool2d", "BCELoss", "BCEWithLogitsLoss",
    "BatchNorm1d", "BatchNorm2d", "Conv2d", "CrossEntropyLoss", "Dropout", "Dropout2d", "Embedding",
    "Flatten", "GELU", "HuberLoss", "Identity", "KLDivLoss", "L1Loss", "LayerNorm", "Linear",
    "LogSoftmax", "MSELoss", "MaxPool2d", "Module", "ModuleDict", "ModuleList", "NLLLoss",
    "Parameter", "ParameterList", "ReLU", "Sequential", "SiLU", "Sigmoid", "SmoothL1Loss",
    "Softmax", "Tanh", "Unflatten", "functional", "init", "utils"
]
