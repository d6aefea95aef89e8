"""The convolution's bias gradient — one route for every dtype and geometry:

    gb[o] = Σ_{n,i,j} gy[n, o, i, j]
"""

from __future__ import annotations

import numpy as np
from numba import njit

from minitorch.backends.numba.threads import grain_for, parallel_for


@njit(cache=True, nogil=True, fastmath={"reassoc"})
def plane_sums(lo, hi, g, part):  # pragma: no cover
    """part[t] = Σ_l g[t, l] in float64, for the planes t in [lo, hi) of g (P, L) — run by
    :func:`~minitorch.backends.numba.threads.parallel_for` over range(P), a chunk of planes
    per thread. ``fastmath={"reassoc"}`` (reassociation only; NaN and Inf are untouched) lets
    LLVM split each plane's sum over SIMD lanes instead of one serial chain of dependent
    additions. Cost: P·L additions, P·L elements read once."""
    for t in range(lo, hi):
        row = g[t]
        acc = 0.0
        for k in range(row.shape[0]):
            acc += row[k]
        part[t] = acc


# Elements a chunk of the bias gradient must hold to pay for a second thread. A plain sum
# streams ~7·10⁹ float32 elements a second on one core here, so a chunk of 2^18 takes ~40 µs
# — less than handing it to a Python pool thread (70-90 µs, ``python -m benchmarks.handoff``).
# Seed CNN at batch 64, µs per call (``timeit`` of ``NumbaBackend().conv2d_backward_bias``
# on each layer's gy, best of 5 × 100), chunks of 2^18 → 2^20 elements: conv2's gradient
# (2^19 elements, now on one thread) 138 → 72, conv1's (2^21) 348 → 296, conv3's 35 → 35.
BIAS_MIN_ELEMENTS = 1 << 20


def backward_bias(gy: np.ndarray) -> np.ndarray:
    """gb[o] = Σ_{n,i,j} gy[n, o, i, j]: each of the N·O contiguous planes gy[n, o] summed
    into one float64 partial (:func:`plane_sums`, parallel over the planes), then the N
    partials of every o added in order of n (N·O additions) and rounded to gy's dtype, so
    float32 sums over 10⁵ terms keep float32 precision. Returns (O,)."""
    n, o = gy.shape[0], gy.shape[1]
    g = gy.reshape(n * o, int(np.prod(gy.shape[2:])))
    part = np.empty(n * o, np.float64)
    parallel_for(plane_sums, n * o, g, part, grain=grain_for(g.shape[1], BIAS_MIN_ELEMENTS))
    return part.reshape(n, o).sum(axis=0).astype(gy.dtype)
