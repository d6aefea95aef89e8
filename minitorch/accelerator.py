"""``minitorch.accelerator``: is there an accelerator, which, how many — as
``torch.accelerator``. minitorch's only accelerator is an NVIDIA GPU reached through CuPy,
so the answers are those of :mod:`minitorch.cuda` (no GPU, or no CuPy: none available)."""

from __future__ import annotations

from typing import Any, Optional

from minitorch import cuda


def is_available() -> bool:
    """True when a GPU is usable."""
    return cuda.is_available()


def device_count() -> int:
    """How many accelerators are usable (0 without one)."""
    return cuda.device_count()


def current_accelerator(check_available: bool = False) -> Optional[Any]:
    """``device(type='cuda')`` when a GPU is usable, otherwise None."""
    from minitorch.tensor import device

    if not cuda.is_available():
        return None
    return device("cuda")


def current_device_index() -> int:
    """The index of the current accelerator: 0 with a GPU, -1 without."""
    return 0 if cuda.is_available() else -1


def synchronize(device: Any = None) -> None:
    """Wait for queued GPU work (nothing to wait for without one)."""
    if cuda.is_available():
        cuda.synchronize()


__all__ = ["current_accelerator", "current_device_index", "device_count", "is_available",
           "synchronize"]
