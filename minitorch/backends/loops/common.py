"""What every loop kernel shares: float64 arithmetic and IEEE special values without warnings.

Each kernel reads its inputs as float64 (exact for float32), computes every sum in float64
and rounds once, to the input's dtype, when it returns — one rounding per output element.
NaN and ±inf follow IEEE 754 as in PyTorch (``inf - inf = nan``, ``0·inf = nan``), silently:
NumPy would otherwise warn at each scalar operation.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

import numpy as np

K = TypeVar("K", bound=Callable[..., Any])


def f64(a: np.ndarray) -> np.ndarray:
    """``a`` as float64 (no copy when it already is)."""
    return np.asarray(a, dtype=np.float64)


def ieee(kernel: K) -> K:
    """Run ``kernel`` with NumPy's floating-point warnings off (the values stay IEEE's)."""
    @functools.wraps(kernel)
    def run(*args: Any, **kwargs: Any) -> Any:
        with np.errstate(all="ignore"):
            return kernel(*args, **kwargs)
    return run  # type: ignore[return-value]
