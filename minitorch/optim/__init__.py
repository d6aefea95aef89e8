"""``minitorch.optim``: optimizers with PyTorch's update rules, and ``lr_scheduler``."""

from minitorch.optim import lr_scheduler
from minitorch.optim.adam import Adam, AdamW
from minitorch.optim.adam_variants import Adamax, NAdam, RAdam
from minitorch.optim.adaptive import Adadelta, Adagrad, RMSprop
from minitorch.optim.optimizer import Optimizer
from minitorch.optim.sgd import SGD

__all__ = ["SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "NAdam", "Optimizer",
           "RAdam", "RMSprop", "lr_scheduler"]
