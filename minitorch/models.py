"""The tutorial's CIFAR-style CNN, buildable from ``minitorch.nn`` or ``torch.nn`` alike, so
the two can be compared layer by layer with the same ``state_dict``."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from minitorch import nn


def seed_cnn_layers(nn_module: ModuleType) -> Any:
    """``Sequential(Conv2d(3,32,5,1,2), MaxPool2d(2), Conv2d(32,32,5,1,2), MaxPool2d(2),
    Conv2d(32,64,5,1,2), MaxPool2d(2), Flatten(), Linear(64·4·4, 64), Linear(64, 10))``
    built from ``nn_module`` (``minitorch.nn`` or ``torch.nn``). Input: (N, 3, 32, 32)."""
    m = nn_module
    return m.Sequential(m.Conv2d(3, 32, 5, 1, 2), m.MaxPool2d(2),
                        m.Conv2d(32, 32, 5, 1, 2), m.MaxPool2d(2),
                        m.Conv2d(32, 64, 5, 1, 2), m.MaxPool2d(2),
                        m.Flatten(), m.Linear(64 * 4 * 4, 64), m.Linear(64, 10))


class TutorialCNN(nn.Module):
    """The tutorial's ``myNetwork``: its layers live in ``self.model``, so state_dict keys are
    ``model.0.weight`` ... ``model.8.bias``, as in the tutorial's PyTorch version."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.model = seed_cnn_layers(nn)
        if num_classes != 10:
            self.model[8] = nn.Linear(64, num_classes)

    def forward(self, data: Any) -> Any:
        return self.model(data)
