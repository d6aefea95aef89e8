"""e^t written so that LLVM can vectorise the loop that calls it.

A Numba loop that calls ``math.exp`` makes one call into libm per element, and a call cannot
be vectorised. Vector math libraries (SLEEF in PyTorch, SVML) compute exp from operations that
*can* be, and so do the two functions here — the classic method (Cody & Waite's reduction,
then a polynomial, as in Cephes and fdlibm):

1. **Reduce.** Write t = k·ln 2 + r with k = round(t / ln 2), so |r| ≤ ln 2 / 2 and
   e^t = 2^k · e^r. ln 2 is split as ``LN2_HI + LN2_LO`` where ``LN2_HI`` has enough trailing
   zero bits that k·LN2_HI is exact, so r = (t − k·LN2_HI) − k·LN2_LO loses nothing.
   round() is the add-and-subtract of 1.5·2^52 (or 1.5·2^23): plain floating-point adds,
   no libm call.
2. **Approximate** e^r on [−0.347, 0.347] with a polynomial in Horner form: Taylor to degree
   13 in float64 (the next term is below 4·10⁻¹⁸ relative), Cephes' degree-7 fit in float32.
3. **Scale** by 2^k, built directly as the bits of a float: exponent field k + bias, mantissa
   0 (an integer shift and a bitcast). k is split in two halves, 2^k = 2^(k//2)·2^(k−k//2), so
   results down in the subnormal range (k < −1022, resp. −126) are still right.

Both take t ≤ 0 only (what sigmoid needs: e^{−|x|} ≤ 1, never overflows) and clamp t at the
point below which e^t rounds to 0. A NaN is the caller's to handle (the bit tricks would turn
it into garbage). Accuracy, checked against float64/float128 references in the tests: within
2 ulp over the normal range.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic, overload

# fdlibm's split of ln 2: LN2_HI has its low 32 bits zero, so k·LN2_HI is exact for |k| < 2^20.
LN2_HI = 6.93147180369123816490e-01
LN2_LO = 1.90821492927058770002e-10
INV_LN2 = 1.44269504088896338700e+00
ROUND64 = 6755399441055744.0  # 1.5·2^52: x + ROUND64 − ROUND64 = x rounded to an integer

# float32: Cephes' expf constants (C1 + C2 = ln 2, C1 exact in 9 bits).
LN2_HI32 = np.float32(0.693359375)
LN2_LO32 = np.float32(-2.12194440e-4)
INV_LN2_32 = np.float32(1.44269504088896341)
ROUND32 = np.float32(12582912.0)  # 1.5·2^23
P0, P1, P2 = np.float32(1.9875691500e-4), np.float32(1.3981999507e-3), np.float32(8.3334519073e-3)
P3, P4, P5 = np.float32(4.1665795894e-2), np.float32(1.6666665459e-1), np.float32(5.0000001201e-1)
ONE32 = np.float32(1.0)
MIN_ARG32 = np.float32(-104.0)  # e^-104 < 2^-150: rounds to 0 in float32
MIN_ARG64 = -746.0  # e^-746 < 2^-1075: rounds to 0 in float64


@intrinsic
def _float64_from_bits(typingctx, bits):
    """The float64 whose IEEE-754 bit pattern is the int64 ``bits`` (a bitcast)."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


@intrinsic
def _float32_from_bits(typingctx, bits):
    """The float32 whose IEEE-754 bit pattern is the int32 ``bits`` (a bitcast)."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.FloatType())

    return types.float32(types.int32), codegen


@njit(inline="always")
def exp_nonpositive64(t):  # pragma: no cover
    """e^t for a float64 t ≤ 0 (see the module doc)."""
    t = max(t, MIN_ARG64)
    k = (t * INV_LN2 + ROUND64) - ROUND64
    r = (t - k * LN2_HI) - k * LN2_LO
    p = 1.0 + r * (1.0 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (
        1 / 720 + r * (1 / 5040 + r * (1 / 40320 + r * (1 / 362880 + r * (1 / 3628800 + r * (
            1 / 39916800 + r * (1 / 479001600 + r * (1 / 6227020800)))))))))))))
    ki = np.int64(k)
    k1 = ki >> 1
    k2 = ki - k1
    return p * _float64_from_bits((k1 + 1023) << 52) * _float64_from_bits((k2 + 1023) << 52)


@njit(inline="always")
def exp_nonpositive32(t):  # pragma: no cover
    """e^t for a float32 t ≤ 0, in float32 arithmetic (see the module doc)."""
    t = max(t, MIN_ARG32)
    k = (t * INV_LN2_32 + ROUND32) - ROUND32
    r = (t - k * LN2_HI32) - k * LN2_LO32
    p = ((((((P0 * r + P1) * r + P2) * r + P3) * r + P4) * r + P5) * (r * r) + r) + ONE32
    ki = np.int32(k)
    k1 = ki >> np.int32(1)
    k2 = ki - k1
    s1 = _float32_from_bits((k1 + np.int32(127)) << np.int32(23))
    s2 = _float32_from_bits((k2 + np.int32(127)) << np.int32(23))
    return p * s1 * s2


def exp_nonpositive(t):  # pragma: no cover - only its Numba overload below is ever called
    """e^t for t ≤ 0 in t's own precision: :func:`exp_nonpositive32` for a float32,
    :func:`exp_nonpositive64` for a float64 (usable from Numba code only)."""
    raise NotImplementedError("exp_nonpositive is for Numba-compiled code")


@overload(exp_nonpositive, inline="always")
def _exp_nonpositive_for(t):
    if t == types.float32:
        return lambda t: exp_nonpositive32(t)
    if t == types.float64:
        return lambda t: exp_nonpositive64(t)
    return None
