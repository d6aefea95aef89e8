"""Matrix products as triple loops: matmul (with NumPy's broadcasting rules) and linear."""

from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from minitorch.backends.loops.common import f64


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """y[..., m, n] = Σ_k a[..., m, k] · b[..., k, n], batch dims broadcast as NumPy does.

    A 1-D ``a`` is a row (1, K) and a 1-D ``b`` a column (K, 1); the added dim is dropped
    from the result, as in ``numpy.matmul``."""
    dtype = np.result_type(a, b)
    a2 = f64(a)[None, :] if a.ndim == 1 else f64(a)
    b2 = f64(b)[:, None] if b.ndim == 1 else f64(b)
    (m_, k_), n_ = a2.shape[-2:], b2.shape[-1]
    batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    a2 = np.broadcast_to(a2, batch + a2.shape[-2:])
    b2 = np.broadcast_to(b2, batch + b2.shape[-2:])
    y = np.zeros(batch + (m_, n_))
    for r in np.ndindex(*batch):
        for m in range(m_):
            for n in range(n_):
                acc = 0.0
                for k in range(k_):
                    acc += a2[r + (m, k)] * b2[r + (k, n)]
                y[r + (m, n)] = acc
    if a.ndim == 1:
        y = y[..., 0, :]
    if b.ndim == 1:
        y = y[..., 0]
    return y.astype(dtype)


def linear_forward(x: np.ndarray, w: np.ndarray, b: Optional[np.ndarray]) -> np.ndarray:
    """y[n, o] = b[o] + Σ_i x[n, i] · w[o, i].  x: (N, I), w: (O, I), b: (O,) or None."""
    (n_, i_), o_ = x.shape, w.shape[0]
    dtype, x, w = x.dtype, f64(x), f64(w)
    y = np.zeros((n_, o_))
    for n in range(n_):
        for o in range(o_):
            acc = 0.0 if b is None else float(b[o])
            for i in range(i_):
                acc += x[n, i] * w[o, i]
            y[n, o] = acc
    return y.astype(dtype)


def linear_backward(gy: np.ndarray, x: np.ndarray, w: np.ndarray,
                    has_bias: bool) -> Tuple[np.ndarray, np.ndarray, Optional[np.ndarray]]:
    """gx[n, i] = Σ_o gy[n, o] · w[o, i];   gw[o, i] = Σ_n gy[n, o] · x[n, i];
    gb[o] = Σ_n gy[n, o] (None without a bias)."""
    (n_, i_), o_ = x.shape, w.shape[0]
    dtype, gy, x, w = gy.dtype, f64(gy), f64(x), f64(w)
    gx, gw, gb = np.zeros((n_, i_)), np.zeros((o_, i_)), np.zeros(o_)
    for n in range(n_):
        for o in range(o_):
            gb[o] += gy[n, o]
            for i in range(i_):
                gx[n, i] += gy[n, o] * w[o, i]
                gw[o, i] += gy[n, o] * x[n, i]
    return gx.astype(dtype), gw.astype(dtype), gb.astype(dtype) if has_bias else None
