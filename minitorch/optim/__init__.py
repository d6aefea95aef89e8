"""``minitorch.optim``: optimizers with PyTorch's update rules, and ``lr_scheduler``."""

from minitorch.optim import lr_scheduler
from minitorch.optim.adam import Adam, AdamW
from minitorch.optim.adam_variants import Adamax, NAdam, RAdam
from minitorch.optim.adaptive import Adadelta, Adagrad, RMSprop
from minitorch.optim.lbfgs import LBFGS
from minitorch.optim.optimizer import Optimizer
from minitorch.optim.rprop_asgd import ASGD, Rprop
from minitorch.optim.sgd import SGD

__all__ = ["ASGD", "SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "LBFGS", "NAdam",
           "Optimizer", "RAdam", "RMSprop", "Rprop", "lr_scheduler"]
