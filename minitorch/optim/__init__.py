"""``minitorch.optim``: optimizers with PyTorch's update rules, and ``lr_scheduler``."""

from minitorch.optim import lr_scheduler
from minitorch.optim.adam import Adam, AdamW
from minitorch.optim.adaptive import Adadelta, Adagrad, RMSprop
from minitorch.optim.optimizer import Optimizer
from minitorch.optim.sgd import SGD

__all__ = ["SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop",
           "lr_scheduler"]
