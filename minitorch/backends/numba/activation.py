"""Elementwise activations: one parallel pass over the flattened array.

Each kernel takes C-contiguous arrays, views them as 1-D, and runs ``prange`` over the
elements (Numba splits the range into one contiguous block per thread). relu and the
backward passes are a few FLOPs per element, loops LLVM vectorises by itself: memory-bound,
they read 1 (forward) or 2 (backward) arrays and write 1. tanh and sigmoid cost ~30 vector
instructions per vector of elements (an exp, a division, a polynomial) and would be
compute-bound at the 8 float32 lanes LLVM picks on AVX-512 machines (it prefers 256-bit
vectors there); they are written on :mod:`.simd` vectors instead, ``simd_lanes()`` wide
(16 float32 lanes on AVX-512), with :mod:`.vecops` and :mod:`.vmath`. No fastmath: NaN,
±Inf, ±0 and subnormals come out as PyTorch's (within 1.5 ulp for tanh, 3 for sigmoid).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange, types
from numba.extending import overload

from minitorch.backends.numba.simd import (
    WIDTH,
    Vec,
    aligned_empty,
    count,
    load,
    simd_lanes,
    store,
)
from minitorch.backends.numba.vecops import (
    absolute,
    add,
    copysign,
    div,
    minimum,
    mul,
    muladd,
    sub,
    where_less,
    where_nan,
)
from minitorch.backends.numba.vmath import exp_minus_twice, exp_nonpositive


@njit(cache=True, parallel=True)
def _relu_fwd(x):  # pragma: no cover
    """y = 0 where x < 0, else x: NaN kept (``x < 0`` is false for NaN), and -0.0 kept, as
    PyTorch's ``clamp_min(x, 0)`` keeps it."""
    y = np.empty_like(x)
    for k in prange(x.size):
        v = x[k]
        y[k] = 0 if v < 0 else v
    return y


@njit(cache=True, parallel=True)
def _relu_bwd(gy, y):  # pragma: no cover
    """gx = gy · [y > 0], written as PyTorch's ``threshold_backward``: 0 where y ≤ 0, else gy —
    so where y is NaN the gradient passes through, as in PyTorch."""
    gx = np.empty_like(gy)
    for k in prange(gy.size):
        gx[k] = 0 if y[k] <= 0 else gy[k]
    return gx


# tanh near 0 (|x| < 0.625), where (1 − e)/(1 + e) would cancel: Cephes' fits,
# tanh x ≈ x + x³·T(x²) in float32 and x + x³·P(x²)/Q(x²) in float64.
T0, T1, T2, T3, T4 = (np.float32(c) for c in (
    -5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1,
    -3.33332819422e-1))
P0, P1, P2 = -9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3
Q0, Q1, Q2 = 1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3
NEAR_ZERO = 0.625  # below: the fit; above: the exp
FAR = 20.0  # |x| clamped here before the exp: tanh rounds to ±1 beyond 9.1 (f32), 19.1 (f64)


def _tanh_near_zero(v):  # pragma: no cover - only its Numba overload below is ever called
    """tanh v for |v| < 0.625, v a float32 or float64 vector (Numba code only)."""
    raise NotImplementedError("_tanh_near_zero is for Numba-compiled code")


@overload(_tanh_near_zero, inline="always")
def _tanh_near_zero_for(v):
    if not isinstance(v, Vec):
        return None
    if v.dtype == types.float32:
        def near32(v):  # v + v·z·T(z), z = v²
            z = mul(v, v)
            t = muladd(muladd(muladd(muladd(T0, z, T1), z, T2), z, T3), z, T4)
            return muladd(mul(t, z), v, v)
        return near32

    def near64(v):  # v + v·s·P(s)/Q(s), s = v²
        s = mul(v, v)
        p = muladd(muladd(P0, s, P1), s, P2)
        q = muladd(muladd(add(s, Q0), s, Q1), s, Q2)
        return add(v, div(mul(mul(v, s), p), q))
    return near64


@njit(inline="always")
def _tanh_lanes(v):  # pragma: no cover
    """tanh of every lane of v: |v| > 0.625: sign(v)·(1 − e)/(1 + e), e = e^{−2|v|}
    (:func:`~minitorch.backends.numba.vmath.exp_minus_twice`, |v| clamped at 20 first: no
    overflow, ±inf → ±1); |v| ≤ 0.625 — and NaN — :func:`_tanh_near_zero` (subnormals
    come out unchanged). Both are computed, one selected per lane; v's sign bit is put on
    the result (so ±0 → ±0)."""
    a = absolute(v)
    e = exp_minus_twice(minimum(a, FAR))
    far = div(sub(1.0, e), add(e, 1.0))
    return copysign(where_less(NEAR_ZERO, a, far, _tanh_near_zero(v)), v)


@njit(inline="always")
def _sigmoid_lanes(v):  # pragma: no cover
    """σ of every lane of v: r = 1 / (1 + e) for v ≥ 0 and e·r for v < 0, e = e^{−|v|} ≤ 1
    (:func:`~minitorch.backends.numba.vmath.exp_nonpositive`: nothing overflows; subnormal
    results right); NaN in, NaN out."""
    e = exp_nonpositive(mul(absolute(v), -1.0))
    r = div(1.0, add(e, 1.0))
    return where_nan(v, v, where_less(v, 0.0, mul(e, r), r))


@njit(cache=True, parallel=True)
def _tanh(x, y, lanes):  # pragma: no cover
    """y = tanh x (x, y 1-D of one size, float32 or float64, at least ``lanes`` long),
    ``lanes`` elements at a time (:func:`_tanh_lanes`): the whole vectors in parallel, then
    the last ``lanes`` elements again if the size is not a multiple. float32: within 1.504 ulp
    of the exact value over every input (float64 reference; PyTorch's MKL tanh: 0.57), 1 ulp
    of the rounded value on tests/backends/test_vmath.py's grid."""
    n = count(lanes)
    for b in prange(x.size // n):
        store(y, b * n, _tanh_lanes(load(x, b * n, lanes)))
    if x.size % n:
        store(y, x.size - n, _tanh_lanes(load(x, x.size - n, lanes)))


@njit(cache=True, parallel=True)
def _tanh_bwd(gy, y):  # pragma: no cover
    """gx = gy · (1 - y²), in gy's dtype (a plain ``1`` would be an int64 and turn the float32
    arithmetic into float64: 12 conversions per 32 elements)."""
    gx = np.empty_like(gy)
    one = gy.dtype.type(1)
    for k in prange(gy.size):
        v = y[k]
        gx[k] = gy[k] * (one - v * v)
    return gx


@njit(cache=True, parallel=True)
def _sigmoid(x, y, lanes):  # pragma: no cover
    """y = σ(x) (x, y 1-D of one size, float32 or float64, at least ``lanes`` long), ``lanes``
    elements at a time (:func:`_sigmoid_lanes`), as :func:`_tanh` runs them. Within 3 ulp."""
    n = count(lanes)
    for b in prange(x.size // n):
        store(y, b * n, _sigmoid_lanes(load(x, b * n, lanes)))
    if x.size % n:
        store(y, x.size - n, _sigmoid_lanes(load(x, x.size - n, lanes)))


@njit(cache=True, parallel=True)
def _sigmoid_bwd(gy, y):  # pragma: no cover
    """gx = gy · y · (1 - y), in gy's dtype (see :func:`_tanh_bwd`)."""
    gx = np.empty_like(gy)
    one = gy.dtype.type(1)
    for k in prange(gy.size):
        v = y[k]
        gx[k] = gy[k] * v * (one - v)
    return gx


def _flat(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a).reshape(-1)


def _lanes_kernel(kernel, x: np.ndarray) -> np.ndarray:
    """``kernel(flat, y, lanes)`` on float32 or float64 data at the backend's SIMD width
    (:func:`~minitorch.backends.numba.simd.simd_lanes`); anything else is computed in
    float64 and cast back. An array shorter than one vector is zero-padded to one. y is
    64-byte aligned (:func:`~minitorch.backends.numba.simd.aligned_empty`): a 16-lane store
    across two cache lines costs two (tanh at 1 thread: 0.77 ms aligned, 0.83–0.87 ms with
    x or y 16 or 32 bytes off; Numba's own ``np.empty`` aligns to 32)."""
    flat = _flat(x) if x.dtype in (np.float32, np.float64) else _flat(x).astype(np.float64)
    lanes = simd_lanes(flat.dtype)
    if flat.size < lanes:
        padded = np.zeros(lanes, flat.dtype)
        padded[:flat.size] = flat
        y = np.empty_like(padded)
        kernel(padded, y, WIDTH[lanes])
        y = y[:flat.size]
    else:
        y = aligned_empty(flat.size, flat.dtype)
        kernel(flat, y, WIDTH[lanes])
    return y.astype(x.dtype, copy=False).reshape(x.shape)


def relu_forward(x: np.ndarray) -> np.ndarray:
    """y = max(x, 0); NaN stays NaN."""
    return _relu_fwd(_flat(x)).reshape(x.shape)


def relu_backward(gy: np.ndarray, y: np.ndarray) -> np.ndarray:
    """gx = gy · [y > 0]."""
    return _relu_bwd(_flat(gy), _flat(y).astype(gy.dtype, copy=False)).reshape(gy.shape)


def tanh_forward(x: np.ndarray) -> np.ndarray:
    """y = tanh(x), with a vectorisable exp (see :func:`_tanh`)."""
    return _lanes_kernel(_tanh, x)


def tanh_backward(gy: np.ndarray, y: np.ndarray) -> np.ndarray:
    """gx = gy · (1 - y²)."""
    return _tanh_bwd(_flat(gy), _flat(y).astype(gy.dtype, copy=False)).reshape(gy.shape)


def sigmoid_forward(x: np.ndarray) -> np.ndarray:
    """y = 1 / (1 + e^{-x}), overflow-free, with a vectorisable exp (see :func:`_sigmoid`)."""
    return _lanes_kernel(_sigmoid, x)


def sigmoid_backward(gy: np.ndarray, y: np.ndarray) -> np.ndarray:
    """gx = gy · y · (1 - y)."""
    return _sigmoid_bwd(_flat(gy), _flat(y).astype(gy.dtype, copy=False)).reshape(gy.shape)
