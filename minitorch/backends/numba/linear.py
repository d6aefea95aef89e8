"""Fully connected layer: the three products go to BLAS — or, mid-sized and in whole panels,
to this backend's own register-blocked kernels (:mod:`~minitorch.backends.numba.panel_gemm`);
the bias passes are NumPy one-liners, or part of the kernels' calls.

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
get the full BLAS pool. In between — from :data:`SPLIT_GEMM_MACS` (the seed CNN's 1024→64
layer from batch 16 on) — with BLAS, and Numba's pool holding more than one thread, the
products are split instead over Numba's threads (already awake in a training step), one
single-threaded BLAS call per stripe (:func:`_split_forward`, :func:`_split_backward`):
PyTorch runs these on both cores too. The stripes run along I, the long dimension, so that
each thread reads only its share of both operands (a layer's products are short and wide:
N, O ≪ I) — stripes of rows made every thread read all of w (forward) or of w and x
(backward): 64·1024·64 on 2 threads, forward 69 → 54 µs, backward 84 → 77 µs. The split
kernels then sum the stripes and add the bias (or sum the bias gradient) on the calling
thread, in the same call; unsplit products leave the bias passes to NumPy (N·O elements,
microseconds). The split kernels call BLAS through ``blas_gemm_into``: with the tiled
GEMM's fallback compiled in (``gemm_into``) they took 1.7 and 3.0 s to compile, against
0.9 and 1.2 s.

**Panel kernels.** Where the products fit them — float32 or float64, C-contiguous, O (the
forward) or I (the backward) a whole number of 2n-column panels
(:func:`~minitorch.backends.numba.panel_gemm.lanes_for`) — products in the split range run
on :mod:`~minitorch.backends.numba.panel_gemm` instead (``PANEL_GEMM``): the seed CNN's
1024→64 layer at batch 64, 2 threads, forward 61 → 47 µs and backward 95 → 80 µs (torch 47
and 66; ``python -m benchmarks --only linear``). Both passes are one compiled kernel (2.1 s
to compile, and its launcher 0.3 s, against the split kernels' 2.1 s).
"""

from __future__ import annotations

import contextlib
import functools
from typing import Optional, Tuple

import numpy as np
from numba import njit, prange

from minitorch.backends.numba import panel_gemm
from minitorch.backends.numba.gemm import blas_gemm_address, blas_gemm_into, gemm_blas
from minitorch.backends.numba.threads import blas_threads, get_num_threads

# Products with fewer multiply-adds than this run single-threaded (about 1 ms on one core).
SERIAL_GEMM_MACS = 1 << 25
# ... and from this many on (about 20 µs on one core) they are split over Numba's threads.
SPLIT_GEMM_MACS = 1 << 21
# ... on the register-blocked panel kernels where the shapes fit (panel_gemm.lanes_for), else
# on BLAS stripes.
PANEL_GEMM = True


# OpenBLAS itself runs a product of at most this many multiply-adds on one thread
# (``65536 · GEMM_MULTITHREAD_THRESHOLD``, 4 by default, in its interface/gemm.c): no need to
# set its thread count around such a product (three ctypes calls, ~2 µs).
BLAS_SERIAL_MACS = 65536 * 4


def _gemm_threads(macs: int):
    """``blas_threads(1)`` for a small product, else a no-op context (also for a product
    OpenBLAS keeps on one thread anyway)."""
    if macs <= BLAS_SERIAL_MACS or macs >= SERIAL_GEMM_MACS:
        return contextlib.nullcontext()
    return blas_threads(1)


@functools.cache
def _blas_address(dtype: np.dtype) -> int:
    return blas_gemm_address(dtype)


def _split_address(macs: int, gemm, dtype: np.dtype) -> int:
    """The cblas_?gemm address when a product of ``macs`` multiply-adds is to be split over
    Numba's threads (see the module doc), else 0."""
    if gemm is not gemm_blas or not SPLIT_GEMM_MACS <= macs < SERIAL_GEMM_MACS:
        return 0
    if dtype not in (np.float32, np.float64) or get_num_threads() < 2:
        return 0
    return _blas_address(np.dtype(dtype))


def _panel_route(macs: int, gemm) -> bool:
    """Whether a product of ``macs`` multiply-adds runs on the panel kernels
    (:mod:`~minitorch.backends.numba.panel_gemm`): the BLAS route's mid-sized products, the
    split kernels' range."""
    return gemm is gemm_blas and PANEL_GEMM and SPLIT_GEMM_MACS <= macs < SERIAL_GEMM_MACS


@njit(cache=True, inline="always")
def _stripe(s, parts, n):  # pragma: no cover
    """[lo, hi): stripe s of ``parts`` near-equal stripes of range(n)."""
    return s * n // parts, (s + 1) * n // parts


@njit(cache=True, parallel=True)
def _split_forward(addr, parts, x, w, b, has_bias, ys, y):  # pragma: no cover
    """ys[s] = x[:, lo:hi] @ w[:, lo:hi]ᵀ for ``parts`` stripes [lo, hi) of the inner
    dimension I, one single-threaded BLAS call
    (:func:`~minitorch.backends.numba.gemm.blas_gemm_into`) each; then, on the calling thread,
    y[n, o] = (ys[0, n, o] + ys[1, n, o] + ...) + b[o] (the stripes in a fixed order, the bias
    if ``has_bias``). Cost: 2·N·I·O FLOPs, then parts·N·O additions."""
    for s in prange(parts):
        lo, hi = _stripe(s, parts, x.shape[1])
        blas_gemm_into(addr, False, True, x[:, lo:hi], w[:, lo:hi], 0.0, ys[s])
    _sum_stripes(ys, b, has_bias, y)


@njit(cache=True)
def _sum_stripes(ys, b, has_bias, y):  # pragma: no cover
    """y = ys[0] + ys[1] + ... (+ b[o] on each row): serial loops, each vectorised (in the
    ``parallel=True`` caller an array expression would become a parallel loop of its own)."""
    N, O = y.shape
    for n in range(N):
        for o in range(O):
            y[n, o] = ys[0, n, o]
    for s in range(1, ys.shape[0]):
        for n in range(N):
            for o in range(O):
                y[n, o] += ys[s, n, o]
    if has_bias:
        for n in range(N):
            for o in range(O):
                y[n, o] += b[o]


@njit(cache=True, parallel=True)
def _split_backward(addr, parts, gy, x, w, gx, gw, gb, has_bias):  # pragma: no cover
    """gx = gy @ w and gw = gyᵀ @ x as 2·parts tasks over Numba's threads, one single-threaded
    BLAS call each, on ``parts`` stripes [lo, hi) of the I columns: gx[:, lo:hi] =
    gy @ w[:, lo:hi], gw[:, lo:hi] = gyᵀ @ x[:, lo:hi] (each element summed over the N rows
    as in one call); then, on the calling thread and if ``has_bias``, gb[o] = Σ_n gy[n, o]
    summed in float64 and rounded once. Cost: 4·N·I·O FLOPs + N·O additions."""
    for task in prange(2 * parts):
        s = task % parts
        lo, hi = _stripe(s, parts, x.shape[1])
        if task < parts:
            blas_gemm_into(addr, False, False, gy, w[:, lo:hi], 0.0, gx[:, lo:hi])
        else:
            blas_gemm_into(addr, True, False, gy, x[:, lo:hi], 0.0, gw[:, lo:hi])
    if has_bias:
        N, O = gy.shape
        for o in range(O):
            acc = 0.0
            for n in range(N):
                acc += gy[n, o]
            gb[o] = acc


@njit(cache=True)
def _outer_into(gy, x, gw):  # pragma: no cover
    """gw[o, i] = gy[0, o] · x[0, i]: the weight gradient of one sample, an outer product.
    Serial, vectorised along i. Cost: O·I multiplies; writes O·I."""
    for o in range(gw.shape[0]):
        g = gy[0, o]
        for i in range(gw.shape[1]):
            gw[o, i] = g * x[0, i]


def _weight_product(gemm, gy: np.ndarray, x: np.ndarray, gw: np.ndarray) -> None:
    """gw = gyᵀ @ x. One sample (N = 1) is an outer product, gw[o, i] = gy[0, o]·x[0, i]
    (:func:`_outer_into`): NumPy's matmul takes a slow loop, not BLAS, for an inner dimension
    of 1 (the 1024→64 layer at batch 1: 71 µs), and even its broadcast multiply
    ``gy.T * x`` took 24 µs against 4 here. The same products as the GEMM's (one term
    each), so the same values."""
    if gy.shape[0] == 1:
        _outer_into(gy, x, gw)
    else:
        gemm(gy.T, x, gw)


def linear_forward(x: np.ndarray, w: np.ndarray, b: Optional[np.ndarray],
                   gemm=gemm_blas) -> np.ndarray:
    """y[n, o] = Σ_i x[n, i] · w[o, i] + b[o]. The bias add is NumPy broadcasting, in place
    (N·O additions)."""
    macs = x.shape[0] * x.shape[1] * w.shape[0]
    lanes = panel_gemm.lanes_for(x, w, backward=False) if _panel_route(macs, gemm) else 0
    if lanes:
        return panel_gemm.linear_forward(x, w, b, lanes)
    y = np.empty((x.shape[0], w.shape[0]), x.dtype)
    addr = _split_address(macs, gemm, x.dtype)
    with _gemm_threads(macs):
        if addr:  # the stripes' sum and the bias inside the kernel's call
            parts = get_num_threads()
            ys = np.empty((parts,) + y.shape, y.dtype)
            _split_forward(addr, parts, x, w, y[0] if b is None else b, b is not None, ys, y)
            return y
        gemm(x, w.T, y)
    if b is not None:
        y += b
    return y


def linear_backward(gy: np.ndarray, x: np.ndarray, w: np.ndarray, has_bias: bool,
                    gemm=gemm_blas) -> Tuple[np.ndarray, np.ndarray, Optional[np.ndarray]]:
    """gx = gy @ w, gw = gyᵀ @ x, gb = Σ_n gy[n, :] (None without bias; summed in float64,
    then rounded to gy's dtype)."""
    macs = x.shape[0] * x.shape[1] * w.shape[0]
    lanes = panel_gemm.lanes_for(x, w, backward=True) if _panel_route(macs, gemm) else 0
    if lanes and gy.dtype == x.dtype and gy.flags.c_contiguous:
        return panel_gemm.linear_backward(gy, x, w, has_bias, lanes)
    gx = np.empty(x.shape, gy.dtype)
    gw = np.empty(w.shape, gy.dtype)
    addr = _split_address(macs, gemm, gy.dtype)
    with _gemm_threads(macs):
        if addr:  # the bias gradient inside the kernel's call
            gb = np.empty(w.shape[0], gy.dtype)
            _split_backward(addr, get_num_threads(), gy, x, w, gx, gw, gb, has_bias)
            return gx, gw, gb if has_bias else None
        gemm(gy, w, gx)
        _weight_product(gemm, gy, x, gw)
    gb = gy.sum(axis=0, dtype=np.float64).astype(gy.dtype) if has_bias else None
    return gx, gw, gb
