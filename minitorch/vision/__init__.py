"""Pictures for minitorch, as ``torchvision`` is for PyTorch.

* :mod:`minitorch.vision.transforms` — Pillow image ↔ tensor conversions, resizing,
  cropping, flipping, normalising;
* :mod:`minitorch.vision.datasets` — ``ImageFolder``, ``CIFAR10``, ``MNIST``,
  ``FashionMNIST``, ``KMNIST`` (from files you provide), ``FakeData`` and ``ShapesDataset``
  (drawn on the fly, no files needed);
* :mod:`minitorch.vision.utils` — ``make_grid`` and ``save_image``.

A PyTorch program switches over with ``import minitorch.vision as torchvision``.
"""

from minitorch.vision import datasets, transforms, utils

__all__ = ["datasets", "transforms", "utils"]
