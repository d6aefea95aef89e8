"""e^t on :mod:`.simd` vectors, from operations that vectorise.

A Numba loop that calls ``math.exp`` makes one call into libm per element, and a call cannot
be vectorised. Vector math libraries (SLEEF in PyTorch, SVML, MKL's VML) compute exp from
operations that *can* be, and so do the functions here — the classic method (Cody & Waite's
reduction, then a polynomial, as in Cephes and fdlibm), written with :mod:`.vecops` on whole
vectors (16 float32 / 8 float64 lanes on AVX-512):

1. **Reduce.** Write t = k·ln 2 + r with k = round(t / ln 2), so |r| ≤ ln 2 / 2 and
   e^t = 2^k · e^r. ln 2 is split as ``LN2_HI + LN2_LO`` where ``LN2_HI`` has enough trailing
   zero bits that k·LN2_HI is exact, so r = (t − k·LN2_HI) − k·LN2_LO loses nothing.
   round() is the fused multiply-add kr = t/ln 2 + 1.5·2^52 (1.5·2^23 in float32), whose
   rounding leaves k in the low bits of kr; k = kr − 1.5·2^52.
2. **Approximate** e^r on [−0.347, 0.347] with a polynomial in Horner form: Taylor to degree
   13 in float64 (the next term is below 4·10⁻¹⁸ relative); in float32 1 + r + r²·P(r) with
   P of degree 4, fitted for this module (below) — one multiply-add fewer than Cephes'
   degree-5 P, and as accurate once rounded to float32.
3. **Scale** by 2^k: add k to the exponent field of e^r's bits
   (:func:`~minitorch.backends.numba.vecops.shift_exponent`, two integer instructions). That
   needs a normal result, so :func:`exp_nonpositive` scales by 2^(k+64) (the 64 rides in
   the rounding constant of step 1) and then multiplies by 2^−64 — one rounding, so results
   down in the subnormal range are still right;
   :func:`exp_normal` skips that for callers whose t keeps e^t normal.

Both take t ≤ 0 only (e^t ≤ 1 never overflows); :func:`exp_nonpositive` clamps t at the
point below which e^t rounds to 0. A NaN t gives a NaN or garbage: the caller selects its
own result for NaN. Accuracy, checked against float64/float128 references in the tests:
within 2 ulp over the normal range.
"""

from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.extending import overload

from minitorch.backends.numba.simd import Vec
from minitorch.backends.numba.vecops import add, maximum, mul, muladd, shift_exponent, sub

# fdlibm's split of ln 2: LN2_HI has its low 32 bits zero, so k·LN2_HI is exact for |k| < 2^20.
LN2_HI = 6.93147180369123816490e-01
LN2_LO = 1.90821492927058770002e-10
INV_LN2 = 1.44269504088896338700e+00
ROUND64 = 6755399441055744.0  # 1.5·2^52: t/ln 2 + ROUND64 rounds to an integer (+ ROUND64)
TAYLOR64 = tuple(1 / float(np.prod(np.arange(1, n + 1, dtype=np.float64)))
                 for n in range(13, -1, -1))  # 1/13!, 1/12!, ..., 1/1!, 1/0!

# float32: Cephes' expf reduction constants (C1 + C2 = ln 2, C1 exact in 9 bits). P: least
# squares of (e^r − 1 − r) on 4000 Chebyshev nodes of [−ln 2/2, ln 2/2], reweighted 60 times
# by the error (Lawson's iteration toward minimax) with the error taken relative to e^r;
# max |1 + r + r²·P(r) − e^r| / e^r = 5.3·10⁻⁹ with the float32 coefficients (Cephes' degree
# 5: 2.7·10⁻⁹; a float32 ulp is 6·10⁻⁸). tests/backends/test_vmath.py holds exp, sigmoid and
# tanh to their ulp bounds with it.
LN2_HI32 = np.float32(0.693359375)
LN2_LO32 = np.float32(-2.12194440e-4)
INV_LN2_32 = np.float32(1.44269504088896341)
ROUND32 = np.float32(12582912.0)  # 1.5·2^23
P0, P1, P2, P3, P4 = (np.float32(c) for c in (  # e^r ≈ 1 + r + r²·P(r), degree 4
    0.0013879685429856181, 0.008368696086108685, 0.04166722670197487, 0.1666652113199234,
    0.4999999701976776))
MIN_ARG32 = np.float32(-104.0)  # e^-104 < 2^-150: rounds to 0 in float32
MIN_ARG64 = -746.0  # e^-746 < 2^-1075: rounds to 0 in float64
BIAS, SCALE_BACK = 64.0, 2.0 ** -64  # exp_nonpositive scales by 2^(k + 64), then by 2^-64


@njit(inline="always")
def _exp_parts32(t, rounder):  # pragma: no cover
    """(e^r, kr) for a float32 vector t: t = k·ln 2 + r, kr = k + rounder (1.5·2^23, plus
    any bias b < 2^21 wanted in kr: the same rounding, so kr = k + b + 1.5·2^23 exactly)."""
    kr = muladd(t, INV_LN2_32, rounder)
    k = sub(kr, rounder)
    r = muladd(k, -LN2_LO32, muladd(k, -LN2_HI32, t))
    p = muladd(muladd(muladd(muladd(P0, r, P1), r, P2), r, P3), r, P4)
    return add(muladd(p, mul(r, r), r), 1.0), kr


@njit(inline="always")
def _exp_parts64(t, rounder):  # pragma: no cover
    """(e^r, kr) for a float64 vector t: t = k·ln 2 + r, kr = k + rounder (1.5·2^52 plus a
    bias, as in :func:`_exp_parts32`)."""
    kr = muladd(t, INV_LN2, rounder)
    k = sub(kr, rounder)
    r = muladd(k, -LN2_LO, muladd(k, -LN2_HI, t))
    c = TAYLOR64  # Horner written out: a loop here, inlined, upsets Numba's SSA check
    p = muladd(muladd(muladd(muladd(muladd(muladd(muladd(c[0], r, c[1]), r, c[2]), r, c[3]), r,
                                           c[4]), r, c[5]), r, c[6]), r, c[7])
    p = muladd(muladd(muladd(muladd(muladd(muladd(p, r, c[8]), r, c[9]), r, c[10]), r, c[11]), r,
                      c[12]), r, c[13])
    return p, kr


def exp_parts(t, bias):  # pragma: no cover - only its Numba overload below is ever called
    """(e^r, k + bias + 1.5·2^m) with t = k·ln 2 + r, in t's precision (a float32 or float64
    vector; ``bias`` a constant integer: added in the rounding step, it costs nothing;
    Numba code only)."""
    raise NotImplementedError("exp_parts is for Numba-compiled code")


@overload(exp_parts, inline="always")
def _exp_parts_for(t, bias):
    if isinstance(t, Vec):
        if t.dtype == types.float32:
            return lambda t, bias: _exp_parts32(t, ROUND32 + np.float32(bias))
        return lambda t, bias: _exp_parts64(t, ROUND64 + bias)
    return None


@njit(inline="always")
def exp_normal(t):  # pragma: no cover
    """e^t for a vector t ≤ 0 whose e^t is a normal number (t > −87 in float32, −708 in
    float64)."""
    p, kr = exp_parts(t, 0.0)
    return shift_exponent(p, kr)


# exp_minus_twice's polynomials in h = −r/2: each coefficient times the power of −2 that
# makes every Horner step the original's scaled by an exact power of two (float64); float32's
# is 1 + r + r²·P(r) as one polynomial, coefficients of h^6 … h^0.
EXP32_H = tuple(np.float32(c * (-2.0) ** (6 - i))
                for i, c in enumerate((P0, P1, P2, P3, P4, 1.0, 1.0)))
TAYLOR64_H = tuple(c * (-2.0) ** (13 - i) for i, c in enumerate(TAYLOR64))
LN2_HALF32 = np.float32(np.log(2.0) / 2)  # ln 2 / 2 rounded to float32: 9.5·10⁻¹⁰ too high


@njit(inline="always")
def _exp_minus_twice32(a):  # pragma: no cover
    """e^{−2a} for a float32 vector a ∈ [0, 20] — tanh's exp: kr from a·(−2/ln 2); h = a +
    k·ln 2/2 (= −r/2) in one multiply-add, with ln 2/2 rounded to float32, which puts a
    relative error of |k|·1.9·10⁻⁹ on the result (|k| ≤ 58); e^r = 1 + r + r²·P(r) as one
    Horner pass in h (``EXP32_H``, six multiply-adds), then 2^k. Two vector operations fewer
    than :func:`exp_normal` (−2a); within 0.9 ulp of e^{−2a} for a ≤ 3, 2.4 ulp up to 20
    (1 and 2 ulp of the rounded value: tests/backends/test_vmath.py) — tanh's exp branch
    scales the error of e^{−2a} by 2e/(1 − e²), at most 0.62 (a = 0.625), 0.04 from a = 2."""
    kr = muladd(a, np.float32(-2) * INV_LN2_32, ROUND32)
    h = muladd(sub(kr, ROUND32), LN2_HALF32, a)
    c = EXP32_H
    p = muladd(muladd(muladd(muladd(muladd(muladd(c[0], h, c[1]), h, c[2]), h, c[3]), h, c[4]),
                      h, c[5]), h, c[6])
    return shift_exponent(p, kr)


@njit(inline="always")
def _exp_minus_twice64(a):  # pragma: no cover
    """e^{−2a} for a float64 vector a ∈ [0, 354], bit for bit :func:`exp_normal` of −2a with
    the multiplication by −2 folded away: kr from a·(−2/ln 2); h = a + k·ln 2/2 (= −r/2, ln 2
    in two parts, as exact as r); the Taylor polynomial in h with ``TAYLOR64_H``, each
    Horner step the original's scaled by a power of two."""
    kr = muladd(a, -2.0 * INV_LN2, ROUND64)
    k = sub(kr, ROUND64)
    h = muladd(k, LN2_LO / 2, muladd(k, LN2_HI / 2, a))
    c = TAYLOR64_H
    p = muladd(muladd(muladd(muladd(muladd(muladd(muladd(c[0], h, c[1]), h, c[2]), h, c[3]), h,
                                           c[4]), h, c[5]), h, c[6]), h, c[7])
    p = muladd(muladd(muladd(muladd(muladd(muladd(p, h, c[8]), h, c[9]), h, c[10]), h, c[11]), h,
                      c[12]), h, c[13])
    return shift_exponent(p, kr)


def exp_minus_twice(a):  # pragma: no cover - only its Numba overload below is ever called
    """e^{−2a} for a vector a ∈ [0, 20] (float64: up to 354, bit for bit :func:`exp_normal`
    (−2a), one vector operation fewer; float32: see :func:`_exp_minus_twice32`; Numba code
    only)."""
    raise NotImplementedError("exp_minus_twice is for Numba-compiled code")


@overload(exp_minus_twice, inline="always")
def _exp_minus_twice_for(a):
    if isinstance(a, Vec):
        return (lambda a: _exp_minus_twice32(a)) if a.dtype == types.float32 else (
            lambda a: _exp_minus_twice64(a))
    return None


def exp_nonpositive(t):  # pragma: no cover - only its Numba overload below is ever called
    """e^t for a vector t ≤ 0: any t, subnormal results too (see the module doc)."""
    raise NotImplementedError("exp_nonpositive is for Numba-compiled code")


@overload(exp_nonpositive, inline="always")
def _exp_nonpositive_for(t):
    if not isinstance(t, Vec):
        return None
    low = MIN_ARG32 if t.dtype == types.float32 else MIN_ARG64

    def impl(t):  # pragma: no cover
        p, kr = exp_parts(maximum(t, low), BIAS)
        return mul(shift_exponent(p, kr), SCALE_BACK)

    return impl
