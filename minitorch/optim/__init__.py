"""``minitorch.optim``: SGD and Adam with PyTorch's update rules."""

from minitorch.optim.adam import Adam
from minitorch.optim.optimizer import Optimizer
from minitorch.optim.sgd import SGD

__all__ = ["SGD", "Adam", "Optimizer"]
