"""Fully connected layer: the three products go to BLAS, the bias passes are NumPy one-liners.

x is (N, I), w is (O, I), b is (O,).

    forward   y  = x @ wᵀ + b          GEMM (N, I)·(I, O): 2·N·I·O FLOPs   then bias add
    backward  gx = gy @ w              GEMM (N, O)·(O, I): 2·N·O·I FLOPs
              gw = gyᵀ @ x             GEMM (O, N)·(N, I): 2·N·O·I FLOPs
              gb = Σ_n gy[n, :]        column sum: N·O additions

The GEMMs are ``gemm(a, b, out)`` — NumPy's BLAS by default (``wᵀ`` and ``gyᵀ`` are transposed
views that BLAS reads through its trans flags, no copies), or the tiled Numba study kernel.

**Threads.** A layer's products are small (the seed CNN's largest is 64·1024·64 ≈ 4·10⁶
multiply-adds, 0.1 ms on one core), so below :data:`SERIAL_GEMM_MACS` they run on a single
BLAS thread: waking OpenBLAS's pool costs more than it saves, and its workers would then spin
against Numba's (see :func:`minitorch.backends.numba.threads.blas_threads`). Larger products
get the full BLAS pool. The bias passes are serial NumPy: N·O elements, microseconds — a
parallel Numba launch for them cost more than the work.
"""

from __future__ import annotations

import contextlib
from typing import Optional, Tuple

import numpy as np

from minitorch.backends.numba.gemm import gemm_blas
from minitorch.backends.numba.threads import blas_threads

# Products with fewer multiply-adds than this run single-threaded (about 1 ms on one core).
SERIAL_GEMM_MACS = 1 << 25


def _gemm_threads(macs: int):
    """``blas_threads(1)`` for a small product, else a no-op context."""
    return blas_threads(1) if macs < SERIAL_GEMM_MACS else contextlib.nullcontext()


def linear_forward(x: np.ndarray, w: np.ndarray, b: Optional[np.ndarray],
                   gemm=gemm_blas) -> np.ndarray:
    """y[n, o] = Σ_i x[n, i] · w[o, i] + b[o]. The bias add is NumPy broadcasting, in place
    (N·O additions)."""
    y = np.empty((x.shape[0], w.shape[0]), x.dtype)
    with _gemm_threads(x.shape[0] * x.shape[1] * w.shape[0]):
        gemm(x, w.T, y)
    if b is not None:
        y += b
    return y


def linear_backward(gy: np.ndarray, x: np.ndarray, w: np.ndarray, has_bias: bool,
                    gemm=gemm_blas) -> Tuple[np.ndarray, np.ndarray, Optional[np.ndarray]]:
    """gx = gy @ w, gw = gyᵀ @ x, gb = Σ_n gy[n, :] (None without bias; summed in float64,
    then rounded to gy's dtype)."""
    gx = np.empty(x.shape, gy.dtype)
    gw = np.empty(w.shape, gy.dtype)
    with _gemm_threads(x.shape[0] * x.shape[1] * w.shape[0]):
        gemm(gy, w, gx)
        gemm(gy.T, x, gw)
    gb = gy.sum(axis=0, dtype=np.float64).astype(gy.dtype) if has_bias else None
    return gx, gw, gb
