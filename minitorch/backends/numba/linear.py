"""Fully connected layer: the three products go to BLAS, the bias passes are Numba loops.

x is (N, I), w is (O, I), b is (O,).

    forward   y  = x @ wᵀ + b          GEMM (N, I)·(I, O): 2·N·I·O FLOPs   then bias add
    backward  gx = gy @ w              GEMM (N, O)·(O, I): 2·N·O·I FLOPs
              gw = gyᵀ @ x             GEMM (O, N)·(N, I): 2·N·O·I FLOPs
              gb = Σ_n gy[n, :]        Numba column sum: N·O additions

The GEMMs are ``gemm(a, b, out)`` — NumPy's BLAS by default (``wᵀ`` and ``gyᵀ`` are transposed
views that BLAS reads through its trans flags, no copies), or the tiled Numba study kernel.
"""

from __future__ import annotations

from typing import Optional, Tuple

import numpy as np
from numba import njit, prange

from minitorch.backends.numba.conv import sum_batch_space
from minitorch.backends.numba.gemm import gemm_blas


@njit(cache=True, parallel=True)
def _add_row_bias(y, b):  # pragma: no cover
    """y[n, o] += b[o], in place. Parallel over rows n; N·O additions."""
    N, O = y.shape
    for n in prange(N):
        for o in range(O):
            y[n, o] += b[o]


def linear_forward(x: np.ndarray, w: np.ndarray, b: Optional[np.ndarray],
                   gemm=gemm_blas) -> np.ndarray:
    """y[n, o] = Σ_i x[n, i] · w[o, i] + b[o]."""
    y = np.empty((x.shape[0], w.shape[0]), x.dtype)
    gemm(x, w.T, y)
    if b is not None:
        _add_row_bias(y, np.ascontiguousarray(b, x.dtype))
    return y


def linear_backward(gy: np.ndarray, x: np.ndarray, w: np.ndarray, has_bias: bool,
                    gemm=gemm_blas) -> Tuple[np.ndarray, np.ndarray, Optional[np.ndarray]]:
    """gx = gy @ w, gw = gyᵀ @ x, gb = Σ_n gy[n, :] (None without bias)."""
    gx = np.empty(x.shape, gy.dtype)
    gemm(gy, w, gx)
    gw = np.empty(w.shape, gy.dtype)
    gemm(gy.T, x, gw)
    gb = sum_batch_space(gy.reshape(gy.shape[0], gy.shape[1], 1)) if has_bias else None
    return gx, gw, gb
