"""Elementwise activations: one parallel pass over the flattened array.

Each kernel takes C-contiguous arrays, views them as 1-D, and runs ``prange`` over the
elements (Numba splits the range into one contiguous block per thread). Cost of each: a few
FLOPs per element; memory-bound — reads 1 (forward) or 2 (backward) arrays and writes 1.
No fastmath beyond fused multiply-adds: NaN and ±Inf must come out exactly as PyTorch's.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange, types
from numba.extending import overload

from minitorch.backends.numba.vmath import exp_nonpositive


@njit(cache=True, parallel=True)
def _relu_fwd(x):  # pragma: no cover
    """y = max(x, 0), NaN kept (``not x <= 0`` is true for NaN)."""
    y = np.empty_like(x)
    for k in prange(x.size):
        v = x[k]
        y[k] = v if not v <= 0 else 0
    return y


@njit(cache=True, parallel=True)
def _relu_bwd(gy, y):  # pragma: no cover
    """gx = gy · [y > 0], written as PyTorch's ``threshold_backward``: 0 where y ≤ 0, else gy —
    so where y is NaN the gradient passes through, as in PyTorch."""
    gx = np.empty_like(gy)
    for k in prange(gy.size):
        gx[k] = 0 if y[k] <= 0 else gy[k]
    return gx


# tanh near 0 (|x| < 0.625), where 1 − 2e/(1 + e) would cancel: Cephes' fits,
# tanh x ≈ x + x³·T(x²) in float32 and x + x³·P(x²)/Q(x²) in float64.
T0, T1, T2, T3, T4 = (np.float32(c) for c in (
    -5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1,
    -3.33332819422e-1))
P0, P1, P2 = -9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3
Q0, Q1, Q2 = 1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3


def _tanh_near_zero(v):  # pragma: no cover - only its Numba overload below is ever called
    """tanh v for |v| < 0.625, in v's own precision (Numba code only)."""
    raise NotImplementedError("_tanh_near_zero is for Numba-compiled code")


@overload(_tanh_near_zero, inline="always")
def _tanh_near_zero_for(v):
    if v == types.float32:
        def near32(v):
            z = v * v
            return ((((T0 * z + T1) * z + T2) * z + T3) * z + T4) * z * v + v
        return near32
    if v == types.float64:
        def near64(v):
            s = v * v
            return v + v * s * ((P0 * s + P1) * s + P2) / (((s + Q0) * s + Q1) * s + Q2)
        return near64
    return None


@njit(cache=True, parallel=True, fastmath={"contract"})
def _tanh(x):  # pragma: no cover
    """y = tanh x in x's precision (float32 or float64), as a loop LLVM vectorises:
    |x| ≥ 0.625: sign(x)·(1 − 2e/(1 + e)) with e = e^{−2|x|} (:mod:`.vmath`; no overflow);
    |x| < 0.625: :func:`_tanh_near_zero`. Both are computed and one selected (no branch), ±0
    and NaN pass through unchanged. Within 1 ulp of the exact value (PyTorch's bound too).
    ``fastmath={"contract"}`` only fuses multiply-adds (one rounding instead of two)."""
    y = np.empty_like(x)
    one, two, cut = x.dtype.type(1), x.dtype.type(2), x.dtype.type(0.625)
    for k in prange(x.size):
        v = x[k]
        a = abs(v)
        e = exp_nonpositive(-two * a)
        far = one - two * e / (one + e)
        far = far if v >= 0 else -far
        r = _tanh_near_zero(v) if a < cut else far
        y[k] = r if (v == v and a != 0) else v
    return y


@njit(cache=True, parallel=True)
def _tanh_bwd(gy, y):  # pragma: no cover
    """gx = gy · (1 - y²)."""
    gx = np.empty_like(gy)
    for k in prange(gy.size):
        v = y[k]
        gx[k] = gy[k] * (1 - v * v)
    return gx


@njit(cache=True, parallel=True, fastmath={"contract"})
def _sigmoid(x):  # pragma: no cover
    """y = 1 / (1 + e) for x ≥ 0 and e / (1 + e) for x < 0, with e = e^{−|x|} ≤ 1 from
    :func:`~minitorch.backends.numba.vmath.exp_nonpositive`, all in x's precision (float32
    or float64) — a loop LLVM vectorises (8 lanes in float32). Nothing overflows at ±1000;
    NaN in, NaN out."""
    y = np.empty_like(x)
    one = x.dtype.type(1)
    for k in prange(x.size):
        v = x[k]
        e = exp_nonpositive(-abs(v))
        r = one / (one + e)
        s = r if v >= 0 else e * r
        y[k] = s if v == v else v
    return y


@njit(cache=True, parallel=True)
def _sigmoid_bwd(gy, y):  # pragma: no cover
    """gx = gy · y · (1 - y)."""
    gx = np.empty_like(gy)
    for k in prange(gy.size):
        v = y[k]
        gx[k] = gy[k] * v * (1 - v)
    return gx


def _flat(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a).reshape(-1)


def _float_kernel(kernel, x: np.ndarray) -> np.ndarray:
    """kernel on float32 or float64 data; anything else is computed in float64, cast back."""
    if x.dtype in (np.float32, np.float64):
        return kernel(_flat(x)).reshape(x.shape)
    y = kernel(_flat(x).astype(np.float64))
    return y.astype(x.dtype, copy=False).reshape(x.shape)


def relu_forward(x: np.ndarray) -> np.ndarray:
    """y = max(x, 0); NaN stays NaN."""
    return _relu_fwd(_flat(x)).reshape(x.shape)


def relu_backward(gy: np.ndarray, y: np.ndarray) -> np.ndarray:
    """gx = gy · [y > 0]."""
    return _relu_bwd(_flat(gy), _flat(y).astype(gy.dtype, copy=False)).reshape(gy.shape)


def tanh_forward(x: np.ndarray) -> np.ndarray:
    """y = tanh(x), with a vectorisable exp (see :func:`_tanh`)."""
    return _float_kernel(_tanh, x)


def tanh_backward(gy: np.ndarray, y: np.ndarray) -> np.ndarray:
    """gx = gy · (1 - y²)."""
    return _tanh_bwd(_flat(gy), _flat(y).astype(gy.dtype, copy=False)).reshape(gy.shape)


def sigmoid_forward(x: np.ndarray) -> np.ndarray:
    """y = 1 / (1 + e^{-x}), overflow-free, with a vectorisable exp (see :func:`_sigmoid`)."""
    return _float_kernel(_sigmoid, x)


def sigmoid_backward(gy: np.ndarray, y: np.ndarray) -> np.ndarray:
    """gx = gy · y · (1 - y)."""
    return _sigmoid_bwd(_flat(gy), _flat(y).astype(gy.dtype, copy=False)).reshape(gy.shape)
