"""Softmax, log-softmax and the fused cross-entropy, one parallel pass per row.

``softmax(x, dim)`` views x as (outer, D, inner) — D the size of ``dim``, outer/inner the
products of the sizes before/after it — so a "row" is the D elements x[o, :, k], with stride
``inner`` (1 for the last dim). Rows are independent: ``prange`` over the outer·inner rows.
Sums accumulate in float64. No fastmath: NaN/±Inf must propagate as in PyTorch (a NaN
anywhere in a row makes the whole row NaN, as does a row of all -inf).

Cost per element: one exp (forward) and a handful of FLOPs; reads 1–2 arrays, writes 1.
"""

from __future__ import annotations

import functools
import math
from typing import Optional, Tuple

import numpy as np
from numba import njit, prange


@njit(cache=True, inline="always")
def _row_max(x, o, k):  # pragma: no cover
    """max_d x[o, d, k], skipping nothing: a NaN makes the later x - max NaN anyway."""
    m = -np.inf
    for d in range(x.shape[1]):
        v = x[o, d, k]
        if v > m:
            m = v
    return m


@njit(cache=True, parallel=True)
def _softmax_fwd(x, log):  # pragma: no cover
    """y[o,:,k] = exp(x - m) / Σ exp(x - m), or (log=True) x - m - log Σ exp(x - m),
    with m = max_d x[o, d, k]. Parallel over the outer·inner rows."""
    outer, D, inner = x.shape
    y = np.empty_like(x)
    for t in prange(outer * inner):
        o = t // inner
        k = t % inner
        m = _row_max(x, o, k)
        s = 0.0
        for d in range(D):
            s += np.exp(x[o, d, k] - m)
        if log:
            lse = m + np.log(s)
            for d in range(D):
                y[o, d, k] = x[o, d, k] - lse
        else:
            for d in range(D):
                y[o, d, k] = np.exp(x[o, d, k] - m) / s
    return y


@njit(cache=True, parallel=True)
def _softmax_bwd(gy, y, log):  # pragma: no cover
    """softmax:     gx = y · (gy - Σ_d gy·y)
    log_softmax: gx = gy - exp(y) · Σ_d gy.   Parallel over the outer·inner rows."""
    outer, D, inner = y.shape
    gx = np.empty_like(gy)
    for t in prange(outer * inner):
        o = t // inner
        k = t % inner
        s = 0.0
        if log:
            for d in range(D):
                s += gy[o, d, k]
            for d in range(D):
                gx[o, d, k] = gy[o, d, k] - np.exp(y[o, d, k]) * s
        else:
            for d in range(D):
                s += gy[o, d, k] * y[o, d, k]
            for d in range(D):
                gx[o, d, k] = y[o, d, k] * (gy[o, d, k] - s)
    return gx


@njit(cache=True)
def _cross_entropy_fwd(logits, target, weight, ignore_index, eps):  # pragma: no cover
    """logp = log_softmax(logits, 1) and, per row n with t = target[n]:

        loss[n] = (1-ε)·w[t]·(-logp[n,t]) + (ε/C)·Σ_c w[c]·(-logp[n,c]),  0 if t == ignore_index

    and the two sums a reduction needs, in float64: total = Σ_n loss[n] and
    kept = Σ_{n not ignored} w[target[n]] ("mean" divides the one by the other).
    The ε term is formed only when ε ≠ 0 (with a -inf logit it is +inf, and 0·inf is NaN).
    Serial: rows of class scores are too short to be worth threads (and a ``parallel=True``
    kernel compiles for twice as long). Cost: N·C exps + ~5·N·C FLOPs; reads N·C, writes
    N·C + N."""
    N, C = logits.shape
    logp = np.empty_like(logits)
    loss = np.empty(N, dtype=logits.dtype)
    total = 0.0
    kept = 0.0
    for n in range(N):
        m = -np.inf
        for c in range(C):
            if logits[n, c] > m:
                m = logits[n, c]
        s = 0.0
        for c in range(C):
            s += np.exp(logits[n, c] - m)
        lse = m + np.log(s)
        smooth = 0.0
        for c in range(C):
            lp = logits[n, c] - lse
            logp[n, c] = lp
            if eps != 0:
                smooth -= weight[c] * lp
        t = target[n]
        if t == ignore_index:
            loss[n] = 0
        else:
            kept += weight[t]
            if eps == 0:  # no 0·inf: a -inf logit makes the smoothing sum +inf
                loss[n] = -weight[t] * (logits[n, t] - lse)
            else:
                loss[n] = -(1 - eps) * weight[t] * (logits[n, t] - lse) + eps / C * smooth
        total += loss[n]
    return loss, logp, total, kept


@njit(cache=True)
def _cross_entropy_bwd(gloss, logp, target, weight, ignore_index, eps):  # pragma: no cover
    """gx[n,c] = g[n]·( softmax[n,c]·((1-ε)·w[t] + (ε/C)·Σ_k w[k])
                        - (1-ε)·w[t]·[c == t] - (ε/C)·w[c] ),  softmax·0 for ignored rows
    (0, or NaN where the row's softmax is NaN — torch's log_softmax backward gives that),
    with softmax = exp(logp) and g[n] = gloss[n], or gloss[0] for every row when gloss holds
    one element (the gradient of a "sum" or "mean" reduction). Serial, as the forward.
    Cost: N·C exps + ~6·N·C FLOPs."""
    N, C = logp.shape
    gx = np.empty_like(logp)
    one = gloss.shape[0] == 1
    wsum = 0.0
    for c in range(C):
        wsum += weight[c]
    for n in range(N):
        t = target[n]
        if t == ignore_index:  # 0, or NaN where the row's softmax is NaN, as torch's chain
            for c in range(C):
                gx[n, c] = np.exp(logp[n, c]) * 0.0
            continue
        g = gloss[0] if one else gloss[n]
        wt = (1 - eps) * weight[t]
        scale = wt + eps / C * wsum
        for c in range(C):
            v = np.exp(logp[n, c]) * scale - eps / C * weight[c]
            if c == t:
                v -= wt
            gx[n, c] = g * v
    return gx


def _three_d(a: np.ndarray, dim: int) -> np.ndarray:
    """View a as (outer, D, inner) around axis ``dim`` (0-d arrays count as shape (1,))."""
    shape = a.shape if a.ndim else (1,)
    dim = dim % len(shape)
    outer = math.prod(shape[:dim])
    inner = math.prod(shape[dim + 1:])
    return np.ascontiguousarray(a).reshape(outer, shape[dim], inner)


def softmax_forward(x: np.ndarray, dim: int) -> np.ndarray:
    """y = exp(x - max) / Σ exp(x - max) along ``dim``."""
    return _softmax_fwd(_three_d(x, dim), False).reshape(x.shape)


def log_softmax_forward(x: np.ndarray, dim: int) -> np.ndarray:
    """y = x - max - log Σ exp(x - max) along ``dim``."""
    return _softmax_fwd(_three_d(x, dim), True).reshape(x.shape)


def softmax_backward(gy: np.ndarray, y: np.ndarray, dim: int) -> np.ndarray:
    """gx = y · (gy - Σ_dim gy·y)."""
    return _softmax_bwd(_three_d(gy, dim), _three_d(y, dim).astype(gy.dtype, copy=False),
                        False).reshape(gy.shape)


def log_softmax_backward(gy: np.ndarray, y: np.ndarray, dim: int) -> np.ndarray:
    """gx = gy - exp(y) · Σ_dim gy."""
    return _softmax_bwd(_three_d(gy, dim), _three_d(y, dim).astype(gy.dtype, copy=False),
                        True).reshape(gy.shape)


@functools.lru_cache(maxsize=64)
def _unit_weight(n_classes: int, dtype: np.dtype) -> np.ndarray:
    """w[c] = 1 for every class: the kernels' weight when the caller gives none, made once
    per (C, dtype) and only read (left writeable: a read-only array is another Numba type,
    compiled again)."""
    return np.ones(n_classes, dtype=dtype)


def _ce_args(target: np.ndarray, weight: Optional[np.ndarray], n_classes: int, dtype):
    target = np.ascontiguousarray(target, dtype=np.int64).reshape(-1)
    if weight is None:
        return target, _unit_weight(n_classes, np.dtype(dtype))
    return target, np.ascontiguousarray(weight, dtype=dtype)


def cross_entropy_forward(logits: np.ndarray, target: np.ndarray, weight: Optional[np.ndarray],
                          ignore_index: int, label_smoothing: float
                          ) -> Tuple[np.ndarray, np.ndarray, float, float]:
    """Per-sample loss, the log-probabilities and the float64 sums (total, kept) of
    :func:`_cross_entropy_fwd`."""
    logits = np.ascontiguousarray(logits)
    t, w = _ce_args(target, weight, logits.shape[1], logits.dtype)
    return _cross_entropy_fwd(logits, t, w, int(ignore_index), float(label_smoothing))


def cross_entropy_backward(gloss: np.ndarray, logp: np.ndarray, target: np.ndarray,
                           weight: Optional[np.ndarray], ignore_index: int,
                           label_smoothing: float) -> np.ndarray:
    """Gradient of the per-sample loss w.r.t. the logits, ``gloss`` (N,) or one value for
    every row; see :func:`_cross_entropy_bwd`."""
    logp = np.ascontiguousarray(logp)
    t, w = _ce_args(target, weight, logp.shape[1], logp.dtype)
    if gloss.size != 1 and gloss.shape != (logp.shape[0],):
        gloss = np.broadcast_to(gloss, (logp.shape[0],))
    g = np.ascontiguousarray(gloss, dtype=logp.dtype).reshape(-1)
    return _cross_entropy_bwd(g, logp, t, w, int(ignore_index), float(label_smoothing))
