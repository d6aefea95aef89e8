"""Softmax, log-softmax and cross-entropy, each subtracting the row maximum first so that
e^x never overflows (stable at ±1e4)."""

from __future__ import annotations

from typing import Any, Optional, Tuple


def softmax_forward(xp: Any, x: Any, dim: int) -> Any:
    """y = e^{x - m} / Σ e^{x - m}, m = max along dim (-inf over an empty dim)."""
    e = xp.exp(x - x.max(axis=dim, keepdims=True, initial=-xp.inf))
    return e / e.sum(axis=dim, keepdims=True)


def softmax_backward(xp: Any, gy: Any, y: Any, dim: int) -> Any:
    """gx = y · (gy - Σ gy·y)."""
    return y * (gy - (gy * y).sum(axis=dim, keepdims=True))


def log_softmax_forward(xp: Any, x: Any, dim: int) -> Any:
    """y = (x - m) - log Σ e^{x - m}."""
    shifted = x - x.max(axis=dim, keepdims=True, initial=-xp.inf)
    return shifted - xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True))


def log_softmax_backward(xp: Any, gy: Any, y: Any, dim: int) -> Any:
    """gx = gy - e^y · Σ gy."""
    return gy - xp.exp(y) * gy.sum(axis=dim, keepdims=True)


def _class_weights(xp: Any, weight: Optional[Any], c: int, dtype: Any) -> Any:
    return xp.ones(c, dtype=dtype) if weight is None else weight.astype(dtype, copy=False)


def cross_entropy_forward(xp: Any, logits: Any, target: Any, weight: Optional[Any],
                          ignore_index: int, label_smoothing: float) -> Tuple[Any, Any]:
    """loss[n] = (1-ε)·w[t]·(-logp[n,t]) + (ε/C)·Σ_c w[c]·(-logp[n,c]); 0 if t is ignored."""
    n, c = logits.shape
    logp = log_softmax_forward(xp, logits, 1)
    if c == 0:  # no classes: every target was ignored (others are out of bounds)
        return xp.zeros(n, dtype=logits.dtype), logp
    w = _class_weights(xp, weight, c, logits.dtype)
    valid = target != ignore_index
    t = xp.where(valid, target, 0)
    nll = -logp[xp.arange(n), t] * w[t]
    loss = (1 - label_smoothing) * nll
    if label_smoothing:
        loss = loss + (label_smoothing / c) * -(logp * w).sum(axis=1)
    return xp.where(valid, loss, 0).astype(logits.dtype, copy=False), logp


def cross_entropy_backward(xp: Any, gloss: Any, logp: Any, target: Any, weight: Optional[Any],
                           ignore_index: int, label_smoothing: float) -> Any:
    """gx[n,c] = gloss[n]·(p[n,c]·((1-ε)·w[t] + (ε/C)·Σw) - (1-ε)·w[t]·[c = t] - (ε/C)·w[c])."""
    n, c = logp.shape
    if c == 0:
        return xp.zeros_like(logp)
    eps = label_smoothing
    w = _class_weights(xp, weight, c, logp.dtype)
    valid = target != ignore_index
    t = xp.where(valid, target, 0)
    w_t = w[t]
    gx = xp.exp(logp) * ((1 - eps) * w_t + (eps / c) * w.sum())[:, None]
    gx[xp.arange(n), t] -= (1 - eps) * w_t
    if eps:
        gx -= (eps / c) * w[None, :]
    gx *= xp.where(valid, gloss, 0)[:, None]
    return gx.astype(logp.dtype, copy=False)
