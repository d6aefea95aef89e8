"""Helpers around the tensor library, as in ``torch.utils``.

* :mod:`minitorch.utils.data` — ``Dataset``, ``DataLoader`` and friends: feeding a model with
  batches of examples.
* :mod:`minitorch.utils.tensorboard` — ``SummaryWriter``: logging scalars, images, histograms
  and the model's graph for TensorBoard.

``data`` is imported with the package; ``tensorboard`` is loaded on first use, because it
pulls in the event-file writer and protocol buffers, which most programs never need.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from minitorch.utils import data

__all__ = ["data", "tensorboard"]


def __getattr__(name: str) -> ModuleType:
    if name == "tensorboard":
        return importlib.import_module("minitorch.utils.tensorboard")
    raise AttributeError(f"module 'minitorch.utils' has no attribute '{name}'")
