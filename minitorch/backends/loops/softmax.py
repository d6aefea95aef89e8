"""softmax, log_softmax and cross-entropy as loops over rows.

A "row" is every element along ``dim`` with the other indices fixed: :func:`rows` yields, for
each, the index tuple of its k-th element. Each row subtracts its maximum m first, so e^{x - m}
≤ 1 never overflows (stable at ±1e4); a NaN anywhere in the row makes m NaN, and the whole
row NaN, as in PyTorch.
"""

from __future__ import annotations

import math
from typing import Callable, Iterator, Optional, Tuple

import numpy as np

from minitorch.backends.loops.common import f64

Index = Callable[[int], Tuple[int, ...]]


def rows(shape: Tuple[int, ...], dim: int) -> Iterator[Index]:
    """For every row along ``dim``: a function k ↦ the full index of its k-th element."""
    dim = dim % len(shape)
    others = shape[:dim] + shape[dim + 1:]
    for r in np.ndindex(*others):
        yield lambda k, r=r: r[:dim] + (k,) + r[dim:]


def row_max(x: np.ndarray, at: Index, size: int) -> float:
    """m = max_k x[at(k)]; NaN if any element is NaN."""
    m = -math.inf
    for k in range(size):
        if x[at(k)] > m or math.isnan(x[at(k)]):
            m = x[at(k)]
    return m


def row_sum(term: Callable[[int], float], size: int) -> float:
    """Σ_{k < size} term(k)."""
    total = 0.0
    for k in range(size):
        total += term(k)
    return total


def max_and_sum_exp(x: np.ndarray, at: Index, size: int) -> Tuple[float, float]:
    """(m, Σ_k e^{x[at(k)] - m}) for one row; the sum is ≥ 1 (the max's own term) or NaN."""
    m = row_max(x, at, size)
    return m, row_sum(lambda k: np.exp(x[at(k)] - m), size)


def softmax_forward(x: np.ndarray, dim: int) -> np.ndarray:
    """y[k] = e^{x[k] - m} / Σ_l e^{x[l] - m} along ``dim``, m = the row's max."""
    size, y, x64 = x.shape[dim], np.zeros(x.shape), f64(x)
    for at in rows(x.shape, dim):
        m, total = max_and_sum_exp(x64, at, size)
        for k in range(size):
            y[at(k)] = np.exp(x64[at(k)] - m) / total
    return y.astype(x.dtype)


def softmax_backward(gy: np.ndarray, y: np.ndarray, dim: int) -> np.ndarray:
    """gx[k] = y[k] · (gy[k] - Σ_l gy[l] · y[l]) along ``dim``."""
    size, gx, g, y = gy.shape[dim], np.zeros(gy.shape), f64(gy), f64(y)
    for at in rows(gy.shape, dim):
        dot = row_sum(lambda k, at=at: g[at(k)] * y[at(k)], size)
        for k in range(size):
            gx[at(k)] = y[at(k)] * (g[at(k)] - dot)
    return gx.astype(gy.dtype)


def log_softmax_forward(x: np.ndarray, dim: int) -> np.ndarray:
    """y[k] = x[k] - m - log Σ_l e^{x[l] - m} along ``dim``."""
    size, y, x64 = x.shape[dim], np.zeros(x.shape), f64(x)
    for at in rows(x.shape, dim):
        m, total = max_and_sum_exp(x64, at, size)
        for k in range(size):
            y[at(k)] = x64[at(k)] - m - np.log(total)
    return y.astype(x.dtype)


def log_softmax_backward(gy: np.ndarray, y: np.ndarray, dim: int) -> np.ndarray:
    """gx[k] = gy[k] - e^{y[k]} · Σ_l gy[l] along ``dim``."""
    size, gx, g, y = gy.shape[dim], np.zeros(gy.shape), f64(gy), f64(y)
    for at in rows(gy.shape, dim):
        total = row_sum(lambda k, at=at: g[at(k)], size)
        for k in range(size):
            gx[at(k)] = g[at(k)] - np.exp(y[at(k)]) * total
    return gx.astype(gy.dtype)


def _weights(weight: Optional[np.ndarray], c_: int) -> np.ndarray:
    """The class weights w[c] in float64 (all ones when there are none)."""
    return np.ones(c_) if weight is None else f64(weight)


def cross_entropy_forward(logits: np.ndarray, target: np.ndarray, weight: Optional[np.ndarray],
                          ignore_index: int, label_smoothing: float) -> Tuple[np.ndarray,
                                                                               np.ndarray]:
    """With logp = log_softmax(logits, 1), ε = label_smoothing and t = target[n]:

        loss[n] = (1-ε)·w[t]·(-logp[n, t]) + (ε/C)·Σ_c w[c]·(-logp[n, c])
        loss[n] = 0 where t == ignore_index

    (the smoothing term only when ε ≠ 0, so a -inf logp does not turn 0·inf into NaN).
    Returns (loss (N,), logp (N, C))."""
    n_, c_ = logits.shape
    eps, w = label_smoothing, _weights(weight, c_)
    logp = f64(log_softmax_forward(f64(logits), 1))
    loss = np.zeros(n_)
    for n in range(n_):
        t = int(target[n])
        if t == ignore_index:
            continue
        loss[n] = (1 - eps) * w[t] * -logp[n, t]
        if eps:
            for c in range(c_):
                loss[n] += (eps / c_) * w[c] * -logp[n, c]
    return loss.astype(logits.dtype), logp.astype(logits.dtype)


def cross_entropy_backward(gloss: np.ndarray, logp: np.ndarray, target: np.ndarray,
                           weight: Optional[np.ndarray], ignore_index: int,
                           label_smoothing: float) -> np.ndarray:
    """With p = e^{logp} (the softmax), t = target[n] and g = gloss[n] (0 for ignored rows):

        gx[n, c] = g · ( p[n,c]·((1-ε)·w[t] + (ε/C)·Σ_k w[k]) - (1-ε)·w[t]·[c = t] - (ε/C)·w[c] )

    An ignored row multiplies by g = 0 (t read as class 0), so NaN logits there stay NaN, as
    in PyTorch."""
    n_, c_ = logp.shape
    eps, w = label_smoothing, _weights(weight, c_)
    w_sum = row_sum(lambda c: w[c], c_)
    gx = np.zeros((n_, c_))
    for n in range(n_):
        ignored = int(target[n]) == ignore_index
        t, g = (0, 0.0) if ignored else (int(target[n]), float(gloss[n]))
        for c in range(c_):
            p = np.exp(logp[n, c])
            gx[n, c] = g * (p * ((1 - eps) * w[t] + (eps / c_) * w_sum)
                            - (1 - eps) * w[t] * (c == t) - (eps / c_) * w[c])
    return gx.astype(logp.dtype)
