"""``minitorch.nn``: modules, parameters, functional, init."""

from minitorch.nn import functional, init
from minitorch.nn.container import ModuleList, Sequential
from minitorch.nn.layers import (
                                 AvgPool2d,
                                 Conv2d,
                                 Flatten,
                                 Identity,
                                 Linear,
                                 LogSoftmax,
                                 MaxPool2d,
                                 ReLU,
                                 Sigmoid,
                                 Softmax,
                                 Tanh,
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
    "AvgPool2d", "BCELoss", "BCEWithLogitsLoss", "Conv2d", "CrossEntropyLoss", "HuberLoss",
    "KLDivLoss", "SmoothL1Loss", "Flatten", "Identity", "L1Loss", "Linear",
    "LogSoftmax", "MSELoss", "MaxPool2d", "Module", "ModuleList", "NLLLoss", "Parameter",
    "ReLU", "Sequential", "Sigmoid", "Softmax", "Tanh", "functional", "init",
]
