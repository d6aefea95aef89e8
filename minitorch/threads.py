"""``set_num_threads`` / ``get_num_threads``: one knob for every CPU thread pool.

With Numba installed this sets Numba's pool and the BLAS pool together (see
:mod:`minitorch.backends.numba.threads`), so kernels never oversubscribe the cores."""

from __future__ import annotations

import os

try:
    from minitorch.backends.numba import threads as _impl
except ImportError:  # Numba missing: only BLAS threads are left, set by environment
    _impl = None


def set_num_threads(n: int) -> None:
    """Use ``n`` threads for parallel kernels and BLAS."""
    if n < 1:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {n}")
    if _impl is not None:
        _impl.set_num_threads(n)


def get_num_threads() -> int:
    """Threads used for parallel kernels."""
    if _impl is not None:
        return _impl.get_num_threads()
    return os.cpu_count() or 1
