"""What every loop kernel shares: float64 arithmetic, IEEE special values.

Each kernel reads its inputs as float64 (exact for float32), computes every sum in float64
and rounds once, to the input's dtype, when it returns — one rounding per output element.
NaN and ±inf follow IEEE 754 as in PyTorch (``inf - inf = nan``, ``0·inf = nan``), silently:
the kernels run inside ``Function.apply`` or the backward pass, which turn NumPy's
floating-point warnings off (:mod:`minitorch.fperrors`).
"""

from __future__ import annotations

import numpy as np


def f64(a: np.ndarray) -> np.ndarray:
    """``a`` as float64 (no copy when it already is)."""
    return np.asarray(a, dtype=np.float64)


