"""``minitorch.backends.mps``: Apple's Metal backend, which minitorch does not have — the
same questions as ``torch.backends.mps`` answered honestly."""

from __future__ import annotations


def is_available() -> bool:
    """False: minitorch has no Metal kernels."""
    return False


def is_built() -> bool:
    """False: minitorch is not built with Metal support."""
    return False


__all__ = ["is_available", "is_built"]
