"""``minitorch.backends.cudnn``: the flags programs set for cuDNN, accepted and kept.

minitorch's GPU convolutions are its own CUDA kernels, not cuDNN's, so no flag changes what
runs: ``benchmark`` (cuDNN's algorithm search) has nothing to search, and every minitorch
kernel is already deterministic. ``is_available()`` answers whether cuDNN is in use: never.
"""

from __future__ import annotations

from typing import Optional

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    """False: minitorch does not call cuDNN."""
    return False


def version() -> Optional[int]:
    """None: no cuDNN is loaded."""
    return None


__all__ = ["allow_tf32", "benchmark", "deterministic", "enabled", "is_available", "version"]
