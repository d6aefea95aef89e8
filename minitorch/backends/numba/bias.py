"""The convolution's bias gradient — one route for every dtype and geometry:

    gb[o] = Σ_{n,i,j} gy[n, o, i, j]
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, parallel=True, fastmath={"reassoc"})
def sum_batch_space(g):  # pragma: no cover
    """gb[o] = Σ_{n,l} g[n, o, l] for g of shape (N, O, L) — the conv bias grad.

    Parallel over the N·O contiguous planes g[n, o, :]: each is summed into one float64
    partial, then a serial pass adds the N partials of every o (N·O additions) and rounds to
    g's dtype, so float32 sums over 10⁵ terms keep float32 precision. ``fastmath={"reassoc"}``
    (reassociation only; NaN and Inf are untouched) lets LLVM split each plane's sum over SIMD
    lanes instead of one serial chain of dependent additions.
    Cost: N·O·L additions, N·O·L elements read once."""
    N, O, L = g.shape
    part = np.empty((N, O), dtype=np.float64)
    for t in prange(N * O):
        row = g[t // O, t % O]
        acc = 0.0
        for k in range(L):
            acc += row[k]
        part[t // O, t % O] = acc
    out = np.empty(O, dtype=g.dtype)
    for o in range(O):
        acc = 0.0
        for n in range(N):
            acc += part[n, o]
        out[o] = acc
    return out


def backward_bias(gy: np.ndarray) -> np.ndarray:
    """gb[o] = Σ_{n,i,j} gy[n, o, i, j] (see :func:`sum_batch_space`). Returns (O,)."""
    return sum_batch_space(gy.reshape(gy.shape[0], gy.shape[1], -1))
