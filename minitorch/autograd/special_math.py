"""Special functions from scratch, vectorised on ``xp`` (NumPy or CuPy): neither NumPy nor
the project's dependencies have lgamma, digamma, erfinv or the Bessel functions, so each is
written here with its method and its accuracy (measured against PyTorch over wide grids by
``parity_tests/test_special_surface.py``, which asserts these bounds).

Every function takes an array of float32 or float64 and returns one of the same dtype. Where
PyTorch computes in the input's dtype with the same algorithm (trigamma) so does this module,
so that even the values at the poles agree; elsewhere the work is done in float64
and rounded once, which is at least as accurate as PyTorch's float32 kernels."""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

LOG_PI = 1.14472988584940017414  # ln π
LOG_SQRT_2PI = 0.91893853320467274178  # ln √(2π)
MAX_LGAMMA = 2.556348e305  # above it ln Γ(x) overflows float64


def horner(x: Any, coeffs: Sequence[float]) -> Any:
    """c₀xⁿ + c₁xⁿ⁻¹ + … + cₙ (highest power first, as Cephes' ``polevl``)."""
    acc = x * 0 + coeffs[0]
    for c in coeffs[1:]:
        acc = acc * x + c
    return acc


def _f64(xp: Any, x: Any) -> Any:
    return xp.asarray(x, dtype=xp.float64)


def _erf_c(xp: Any, x: Any, name: str) -> Any:
    """The C library's ``erf`` / ``erfc`` element by element (NumPy has neither), or CuPy's
    elementwise kernel on the GPU: the functions PyTorch's own kernels call."""
    if isinstance(x, np.ndarray):
        return np.asarray(_C_ERF[name](x), dtype=x.dtype)
    from cupyx.scipy import special

    return getattr(special, name)(x)


_C_ERF = {"erf": np.frompyfunc(math.erf, 1, 1), "erfc": np.frompyfunc(math.erfc, 1, 1)}


def erf(xp: Any, x: Any) -> Any:
    """erf x = (2/√π) ∫₀ˣ e^(-t²) dt (correctly rounded to within 1 ulp, the C library's)."""
    return _erf_c(xp, x, "erf")


def erfc(xp: Any, x: Any) -> Any:
    """erfc x = 1 - erf x = (2/√π) ∫ₓ^∞ e^(-t²) dt, from the C library's ``erfc``, which keeps
    its relative accuracy (≤ 1 ulp) in the tail where 1 - erf x would be 0 (x ≳ 6)."""
    return _erf_c(xp, x, "erfc")


# -- ln Γ -------------------------------------------------------------------------------------
_LGAMMA_B = (-1.37825152569120859100E3, -3.88016315134637840924E4, -3.31612992738871184744E5,
             -1.16237097492762307383E6, -1.72173700820839662146E6, -8.53555664245765465627E5)
_LGAMMA_C = (1.0, -3.51815701436523470549E2, -1.70642106651881159223E4,
             -2.20528590553854454839E5, -1.13933444367982507207E6, -2.53252307177582951285E6,
             -2.01889141433532773231E6)
_STIRLING = (8.11614167470508450300E-4, -5.95061904284301438324E-4, 7.93650340457716943945E-4,
             -2.77777777730099687205E-3, 8.33333333333331927722E-2)


def _lgamma_large(xp: Any, x: Any) -> Any:
    """ln Γ(x) for x ≥ 13: Stirling's series (x - ½) ln x - x + ln √(2π) + Σ B₂ₖ/(2k(2k-1)x²ᵏ⁻¹),
    its tail a minimax polynomial in 1/x² (Cephes ``lgam``); inf above ``MAX_LGAMMA``."""
    q = (x - 0.5) * xp.log(x) - x + LOG_SQRT_2PI
    p = 1.0 / (x * x)
    q = xp.where(x > 1e8, q, q + horner(p, _STIRLING) / x)
    return xp.where(x > MAX_LGAMMA, xp.inf, q)


EULER_GAMMA = 0.57721566490153286061
_NEAR_ONE = 0.2  # the Taylor series about 1 (and 2) within this distance
_TAYLOR_TERMS = 32  # 0.2³² < 1e-22


def _lgamma_near_one(xp: Any, e: Any) -> Any:
    """ln Γ(1 + e) = -γe + Σₖ₌₂ (-1)ᵏ ζ(k) eᵏ / k for |e| ≤ 0.2, in Horner form: keeps the
    relative accuracy at the zero x = 1 (and, with ln(1 + e), at x = 2)."""
    acc = xp.zeros_like(e)
    for k in range(_TAYLOR_TERMS, 1, -1):
        acc = (acc + (-1) ** k * _ZETA_INT[k] / k) * e
    return (acc - EULER_GAMMA) * e + 0.0  # +0 at e = 0, as torch


def lgamma(xp: Any, x: Any) -> Any:
    """ln|Γ(x)| by Cephes' method: for x ≥ 13 Stirling's series; for -34 ≤ x < 13 the
    recurrence Γ(x + 1) = x Γ(x) carries x into [2, 3), where a rational minimax
    approximation of degree (5, 6) holds; below -34 the reflection formula
    ln|Γ(x)| = ln π - ln|x sin πx| - ln Γ(-x). +inf at the poles 0, -1, -2, … and at ±inf.
    Within 0.2 of 1 and 2 (the zeros) the Taylor series about 1 (:func:`_lgamma_near_one`)
    instead, so the relative accuracy holds there too. Error ≤ 4 ulp of max(|y|, 1) in
    float64 (relative near 1 and 2); float32 results are the float64 ones rounded."""
    d = _f64(xp, x)
    big = d >= 13
    mid = (d >= -34) & (d < 13)
    # -- [-34, 13): the recurrence, then the rational approximation on [2, 3)
    xm = xp.where(mid, d, 2.5)
    z = xp.ones_like(xm)
    p = xp.zeros_like(xm)
    u = xm
    for _ in range(10):  # down while u ≥ 3
        step = u >= 3
        p = xp.where(step, p - 1, p)
        u = xm + p
        z = xp.where(step, z * u, z)
    pole = xp.zeros(xm.shape, dtype=bool)
    for _ in range(36):  # up while u < 2
        step = u < 2
        pole = pole | (step & (u == 0))
        z = xp.where(step, z / xp.where(u == 0, 1.0, u), z)
        p = xp.where(step, p + 1, p)
        u = xm + p
    t = u - 2
    small = xp.log(xp.abs(z)) + t * horner(t, _LGAMMA_B) / horner(t, _LGAMMA_C)
    small = xp.where(pole, xp.inf, small)
    # -- ≥ 13 and, reflected, < -34
    q = xp.where(big, d, xp.where(d < -34, -d, 13.0))
    large = _lgamma_large(xp, q)
    fl = xp.floor(q)
    frac = q - fl
    frac = xp.where(frac > 0.5, fl + 1 - q, frac)
    sine = q * xp.sin(math.pi * frac)
    reflected = xp.where((fl == q) | (sine == 0), xp.inf,
                         LOG_PI - xp.log(xp.where(sine == 0, 1.0, sine)) - large)
    out = xp.where(big, large, xp.where(mid, small, reflected))
    e1 = xp.where(xp.abs(d - 1) <= _NEAR_ONE, d - 1, 0.0)
    out = xp.where(xp.abs(d - 1) <= _NEAR_ONE, _lgamma_near_one(xp, e1), out)
    e2 = xp.where(xp.abs(d - 2) <= _NEAR_ONE, d - 2, 0.0)
    out = xp.where(xp.abs(d - 2) <= _NEAR_ONE, _lgamma_near_one(xp, e2) + xp.log1p(e2), out)
    return xp.where(xp.isnan(d), d, out).astype(x.dtype)


# -- ψ and its derivatives ------------------------------------------------------------------
_PSI_ASYMPTOTIC = (8.33333333333333333333E-2, -2.10927960927960927961E-2,
                   7.57575757575757575758E-3, -4.16666666666666666667E-3,
                   3.96825396825396825397E-3, -8.33333333333333333333E-3,
                   8.33333333333333333333E-2)
PSI_10 = 2.25175258906672110764  # ψ(10)


def digamma(xp: Any, x: Any) -> Any:
    """ψ(x) = Γ'(x)/Γ(x), PyTorch's algorithm (Cephes ``psi``) in float64, rounded once:
    reflection ψ(x) = ψ(1 - x) - π / tan(π frac(x)) for x < 0, the recurrence
    ψ(x) = ψ(x + 1) - 1/x up to x ≥ 10, then the asymptotic series
    ln x - 1/(2x) - Σ B₂ₖ/(2k x²ᵏ). ∓inf at ±0, NaN at the negative integers and -inf, +inf
    at +inf. Error ≤ 4 ulp of max(|ψ(x)|, 1) in float64, ≤ ½ ulp of float32."""
    d = _f64(xp, x)
    neg = d < 0
    negint = neg & (d == xp.trunc(d))
    frac = d - xp.trunc(d)
    reflect = xp.where(neg & ~negint, -math.pi / xp.tan(math.pi * frac), 0.0)
    y = xp.where(neg, 1 - d, d)
    y = xp.where(negint | (d == 0) | xp.isnan(d), 11.0, y)
    acc = xp.zeros_like(y)
    for _ in range(10):
        step = y < 10
        acc = xp.where(step, acc - 1 / y, acc)
        y = xp.where(step, y + 1, y)
    z = 1 / (y * y)
    tail = xp.where(y < 1e17, z * horner(z, _PSI_ASYMPTOTIC), 0.0)
    out = xp.where(y == 10, acc + PSI_10, acc + xp.log(y) - 0.5 / y - tail) + reflect
    out = xp.where(negint, xp.nan, out)
    out = xp.where(d == 0, xp.copysign(xp.inf, -d), out)
    return xp.where(xp.isnan(d), d, out).astype(x.dtype)


def trigamma(xp: Any, x: Any) -> Any:
    """ψ'(x) = Σₖ 1/(x + k)², PyTorch's algorithm in the input's dtype: below ½ the
    reflection ψ'(x) = π²/sin²(πx) - ψ'(1 - x), six steps of the recurrence, then the
    asymptotic series 1/x + 1/(2x²) + 1/(6x³) - 1/(30x⁵) + 1/(42x⁷). +inf at 0; at the
    negative integers sin πx is not exactly 0, so the value is large and finite, as torch's.
    Relative error ≤ 1e-15 for x > 0 (float64)."""
    one = xp.ones((), x.dtype)
    low = x < 0.5
    sin_pi_x = xp.sin(math.pi * x)
    acc = xp.where(low, -(math.pi * math.pi) / (sin_pi_x * sin_pi_x), 0 * one)
    y = xp.where(low, one - x, x)
    for _ in range(6):
        acc = acc + one / (y * y)
        y = y + one
    ixx = one / (y * y)
    acc = acc + (one + one / (2 * y) + ixx * (one / 6 - ixx * (one / 30 - ixx * (one / 42)))) / y
    return xp.where(low, -acc, acc).astype(x.dtype, copy=False)


_ZETA_A = (12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9,
           7.47242496e10, -2.950130727918164224e12, 1.1646782814350067249e14,
           -4.5979787224074726105e15, 1.8152105401943546773e17, -7.1661652561756670113e18)


def hurwitz_zeta(xp: Any, s: float, q: Any) -> Any:
    """ζ(s, q) = Σₖ (q + k)⁻ˢ for s > 1, in float64 (Cephes' ``zeta``, as PyTorch): the first
    terms summed until q + k > 9 (at least 9 of them), then the Euler–Maclaurin tail with 12
    Bernoulli terms. inf at q = 0, -1, …; NaN for q < 0 unless s is an integer. Relative
    error ≤ 1e-15."""
    q = _f64(xp, q)
    bad = (q <= 0) & (q == xp.floor(q))
    qq = xp.where(bad | xp.isnan(q), 1.0, q)
    s_sum = qq ** -s
    a = qq
    # Cephes stops once a term is below eps; summing until a > 9 (with ≥ 9 terms) instead
    # only adds terms smaller than that
    steps = max(9, int(math.ceil(9 - float(qq.min()))) + 1) if qq.size else 9
    b = xp.zeros_like(qq)
    for i in range(steps):
        go = (a <= 9) | (i < 9)
        a = xp.where(go, a + 1, a)
        b = xp.where(go, a ** -s, b)
        s_sum = xp.where(go, s_sum + b, s_sum)
    w = a
    s_sum = s_sum + b * w / (s - 1) - 0.5 * b
    fac = xp.ones_like(qq)
    k = 0.0
    for coeff in _ZETA_A:
        fac = fac * (s + k)
        b = b / w
        s_sum = s_sum + fac * b / coeff
        fac = fac * (s + k + 1)
        b = b / w
        k += 2
    out = xp.where(bad, xp.inf, s_sum)
    if s != math.floor(s):
        out = xp.where(q < 0, xp.nan, out)
    return xp.where(xp.isnan(q), q, out)


_ZETA_INT = {k: float(hurwitz_zeta(np, float(k), np.ones(1))[0]) for k in range(2, 33)}
"""ζ(k) for the integers k = 2 … 32, from :func:`hurwitz_zeta` (ln Γ's Taylor series)."""


def polygamma(xp: Any, n: int, x: Any) -> Any:
    """ψ⁽ⁿ⁾(x), the n-th derivative of ψ: ψ for n = 0, :func:`trigamma` for n = 1, and
    (-1)ⁿ⁺¹ n! ζ(n + 1, x) (:func:`hurwitz_zeta`) above, as PyTorch."""
    if n == 0:
        return digamma(xp, x)
    if n == 1:
        return trigamma(xp, x)
    sign = 1.0 if n % 2 else -1.0
    return (sign * math.factorial(n) * hurwitz_zeta(xp, n + 1.0, x)).astype(x.dtype)


def mvlgamma(xp: Any, x: Any, p: int) -> Any:
    """ln Γₚ(x) = p(p - 1)/4 · ln π + Σᵢ₌₀ᵖ⁻¹ ln Γ(x - i/2)."""
    acc = sum(_f64(xp, lgamma(xp, _f64(xp, x) - i / 2)) for i in range(p))
    return (acc + p * (p - 1) / 4 * LOG_PI).astype(x.dtype)


# -- inverse error functions ---------------------------------------------------------------
_GILES_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                  0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_GILES_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
               -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)
TWO_OVER_SQRT_PI = 1.1283791670955126
SQRT1_2 = 0.7071067811865476
SQRT_PI = 1.7724538509055159


def _giles(xp: Any, y: Any, c: Any) -> Any:
    """Giles' single-precision approximation of erfinv y (y ≥ 0 here) from
    w = -ln((1 - y)(1 + y)) = -ln(c (2 - c)), c = 1 - y: a polynomial in w - 2.5 for w < 5,
    in √w - 3 above; relative error ≤ 4e-7 inside float32's range."""
    w = -xp.log(c * (2 - c))
    central = horner(w - 2.5, _GILES_CENTRAL)
    tail = horner(xp.sqrt(xp.where(w < 5, 5.0, w)) - 3.0, _GILES_TAIL)
    return xp.where(w < 5, central, tail) * y


def erfcinv_positive(xp: Any, c: Any) -> Any:
    """t ≥ 0 with erfc t = c, for c in (0, 1] (float64). First guess: Giles' approximation
    while w = -ln(c (2 - c)) < 16 (its range), beyond it the asymptotic
    erfc t ≈ e^(-t²) (1 - 1/(2t²)) / (t√π) solved for t² by fixed-point steps. Then four
    Newton steps on ln erfc t - ln c (nearly quadratic in t, so no overshoot in the tail):
    t ← t + (ln erfc t - ln c) · erfc t · e^(t²) · √π/2. The residual goes through erfc, not
    erf, so it stays exact where c is tiny (down to the smallest subnormal, t ≈ 26.5)."""
    w = -xp.log(c * (2 - c))
    log_c = xp.log(c)
    t = xp.sqrt(-log_c)
    for _ in range(3):
        t = xp.sqrt(xp.maximum(-log_c - xp.log(t * SQRT_PI) + xp.log1p(-0.5 / (t * t)), 1.0))
    t = xp.where(w < 16, _giles(xp, 1 - c, c), t)
    for _ in range(4):
        t = xp.minimum(t, 26.5)
        e = erfc(xp, t)
        t = t + (xp.log(e) - log_c) * e * xp.exp(t * t) * (SQRT_PI / 2)
    return t


def erfinv(xp: Any, y: Any) -> Any:
    """erf⁻¹ y for y in [-1, 1]: Giles' approximation polished by Newton's method (three
    steps on erf y for |y| ≤ ½, on erfc with c = 1 - |y|, exact there, above), in float64.
    ±inf at ±1, NaN outside [-1, 1]. Relative error ≤ 2 ulp (float64)."""
    d = _f64(xp, y)
    a = xp.abs(d)
    inner = a <= 0.5
    ya = xp.where(inner, a, 0.25)
    t = _giles(xp, ya, 1 - ya)
    for _ in range(3):
        t = t - (erf(xp, t) - ya) / (TWO_OVER_SQRT_PI * xp.exp(-t * t))
    c = xp.where(inner | (a >= 1) | xp.isnan(a), 0.5, 1 - a)
    out = xp.where(inner, t, erfcinv_positive(xp, c))
    out = xp.where(a == 1, xp.inf, xp.where(a > 1, xp.nan, out))
    return xp.where(xp.isnan(d), d, xp.copysign(out, d)).astype(y.dtype)


def ndtri(xp: Any, p: Any) -> Any:
    """Φ⁻¹(p), the standard normal quantile: -√2 erfc⁻¹(2p) below ½ and √2 erfc⁻¹(2(1 - p))
    above (1 - p exact there), so the lower tail keeps its relative accuracy (≤ 4 ulp).
    In [¼, ¾] it is √2 erf⁻¹(2p - 1) instead, accurate near the root at ½. ∓inf at 0 and 1,
    NaN outside [0, 1]."""
    d = _f64(xp, p)
    lower = d < 0.5
    c = 2 * xp.where(lower, d, 1 - d)
    ok = (c > 0) & (c <= 1)
    t = erfcinv_positive(xp, xp.where(ok, c, 0.5)) * math.sqrt(2)
    out = xp.where(lower, -t, t)
    middle = (d >= 0.25) & (d <= 0.75)  # 2p - 1 exact: erf⁻¹ keeps the relative accuracy at ½
    out = xp.where(middle, math.sqrt(2) * erfinv(xp, 2 * xp.where(middle, d, 0.5) - 1), out)
    out = xp.where(d == 0, -xp.inf, xp.where(d == 1, xp.inf, out))
    out = xp.where((d < 0) | (d > 1) | xp.isnan(d), xp.nan, out)
    return out.astype(p.dtype)


def log_ndtr(xp: Any, x: Any) -> Any:
    """ln Φ(x) = ln(erfc(-x/√2) / 2): ln1p(-erfc(x/√2)/2) for x ≥ -1; below, ln(erfc(-x/√2)/2)
    while erfc does not underflow, and for x < -37 the asymptotic series
    -x²/2 - ln(-x√(2π)) + ln(1 - 1/x² + 3/x⁴ - 15/x⁶ + …) (8 terms). Relative error ≤ 4 ulp."""
    d = _f64(xp, x)
    t = d * SQRT1_2  # rounded as torch's, whose tails follow it
    upper = xp.log1p(-erfc(xp, t) / 2)
    direct = xp.log(erfc(xp, -t) / 2)
    inv = 1.0 / (d * d)
    series = xp.ones_like(d)
    term = xp.ones_like(d)
    for k in range(1, 9):
        term = -term * (2 * k - 1) * inv
        series = series + term
    far = -d * d / 2 - xp.log(-d * math.sqrt(2 * math.pi)) + xp.log(series)
    out = xp.where(d >= -1, upper, xp.where(d >= -37, direct, far))
    return xp.where(xp.isnan(d), d, out).astype(x.dtype)


# -- modified Bessel functions of the first kind -------------------------------------------
_BESSEL_SWITCH = 30.0  # power series below, asymptotic expansion above
_SERIES_TERMS = 110  # enough for the series at x = 30 (terms ≤ 1e-18 of the sum)
_ASYMPTOTIC_TERMS = 30


def _bessel_scaled(xp: Any, nu: int, x: Any) -> Any:
    """e^(-|x|) Iᵥ(|x|) for ν = 0 or 1, float64. Below 30 the power series
    Iᵥ(x) = Σₖ (x/2)^(2k+ν) / (k! (k+ν)!) (positive terms: no cancellation); above, the
    asymptotic expansion e^(-x) Iᵥ(x) ~ (2πx)^(-½) Σₖ (-1)ᵏ Πⱼ₌₁ᵏ (4ν² - (2j-1)²) / (k! (8x)ᵏ),
    whose terms at x ≥ 30 fall below 1e-17 of the sum before they grow. Relative error
    ≤ 1e-15."""
    a = xp.abs(_f64(xp, x))
    small = xp.where(a < _BESSEL_SWITCH, a, 1.0)
    q = small * small / 4
    term = small / 2 if nu else xp.ones_like(small)
    total = term
    for k in range(1, _SERIES_TERMS):
        term = term * q / (k * (k + nu))
        total = total + term
    series = total * xp.exp(-small)
    large = xp.where(a < _BESSEL_SWITCH, _BESSEL_SWITCH, a)
    term = xp.ones_like(large)
    total = term
    for k in range(1, _ASYMPTOTIC_TERMS):
        term = -term * (4 * nu * nu - (2 * k - 1) ** 2) / (k * 8 * large)
        total = total + term
    asymptotic = total / xp.sqrt(2 * math.pi * large)
    out = xp.where(a < _BESSEL_SWITCH, series, asymptotic)
    return xp.where(xp.isnan(a), a, out)


def _overflow_like_torch(xp: Any, x: Any, out: Any) -> Any:
    """±inf where PyTorch's float32 kernel, which forms e^|x| in float32, overflows (|x| above
    ln of float32's largest value) though the product would still fit."""
    if x.dtype == np.float32:
        over = (xp.abs(x) > 88.72283935546875) & xp.isfinite(x)
        return xp.where(over, xp.copysign(xp.inf, out), out)
    return out


def i0e(xp: Any, x: Any) -> Any:
    """e^(-|x|) I₀(x) (:func:`_bessel_scaled`); 0 at ±inf."""
    return _bessel_scaled(xp, 0, x).astype(x.dtype)


def i0(xp: Any, x: Any) -> Any:
    """I₀(x) = Σₖ (x/2)²ᵏ / (k!)², even; e^|x| times :func:`i0e` (inf beyond ~713, NaN at ±inf as
    torch's)."""
    d = _f64(xp, x)
    out = _bessel_scaled(xp, 0, d) * xp.exp(xp.abs(d))
    out = xp.where(xp.isinf(d), xp.nan, out)  # torch's e^|x| · (… / √|x|): inf/inf
    return _overflow_like_torch(xp, x, out).astype(x.dtype)


def i1e(xp: Any, x: Any) -> Any:
    """e^(-|x|) I₁(x), odd (:func:`_bessel_scaled`); ±0 at ±inf, +0 at -0 (as torch)."""
    d = _f64(xp, x)
    scaled = _bessel_scaled(xp, 1, d)
    return xp.where(d < 0, -scaled, scaled).astype(x.dtype)  # +0 at -0, as torch


def i1(xp: Any, x: Any) -> Any:
    """I₁(x) = Σₖ (x/2)²ᵏ⁺¹ / (k! (k+1)!), odd; e^|x| times :func:`i1e` (NaN at ±inf as torch's)."""
    d = _f64(xp, x)
    scaled = _bessel_scaled(xp, 1, d) * xp.exp(xp.abs(d))
    scaled = xp.where(xp.isinf(d), xp.nan, scaled)  # torch's inf/inf
    return _overflow_like_torch(xp, x, xp.where(d < 0, -scaled, scaled)).astype(x.dtype)


def _gammainc_series(xp: Any, a: Any, x: Any, log_front: Any) -> Any:
    """P(a, x) = xᵃ e⁻ˣ / Γ(a) · Σₙ xⁿ / (a (a + 1) ⋯ (a + n)), for x < a + 1."""
    term = 1 / a
    total = term
    denom = a
    for _ in range(2000):
        denom = denom + 1
        term = term * x / denom
        total = total + term
        if not bool(xp.any(xp.abs(term) > xp.abs(total) * 1e-17)):
            break
    return xp.exp(log_front) * total


def _gammaincc_fraction(xp: Any, a: Any, x: Any, log_front: Any) -> Any:
    """Q(a, x) = xᵃ e⁻ˣ / Γ(a) · 1/(x + 1 - a - 1·(1 - a)/(x + 3 - a - 2·(2 - a)/(x + 5 - a -
    …))), the Legendre continued fraction evaluated by the modified Lentz method, for
    x ≥ a + 1."""
    tiny = 1e-300
    b = x + 1 - a
    c = xp.full_like(x, 1 / tiny)
    d = 1 / b
    h = d
    for i in range(1, 2000):
        an = -i * (i - a)
        b = b + 2
        d = an * d + b
        d = xp.where(xp.abs(d) < tiny, tiny, d)
        c = b + an / c
        c = xp.where(xp.abs(c) < tiny, tiny, c)
        d = 1 / d
        delta = d * c
        h = h * delta
        if not bool(xp.any(xp.abs(delta - 1) > 1e-16)):
            break
    return xp.exp(log_front) * h


def gammainc_pair(xp: Any, a: Any, x: Any) -> Any:
    """(P(a, x), Q(a, x)): the regularised lower and upper incomplete gamma functions
    γ(a, x)/Γ(a) and Γ(a, x)/Γ(a), P + Q = 1, for a, x ≥ 0 (NaN for negative arguments,
    P(0, x > 0) = 1, P(a, ∞) = 1, P(0, 0) NaN: PyTorch's conventions). Each is computed
    where it is the smaller — the series for x < a + 1, the continued fraction above — and
    the other as its complement, in float64 (relative error ~1e-15 for moderate a)."""
    dtype = xp.result_type(a, x)
    a, x = xp.broadcast_arrays(_f64(xp, a), _f64(xp, x))
    bad = (a < 0) | (x < 0) | xp.isnan(a) | xp.isnan(x) | ((a == 0) & (x == 0))
    series = (x < a + 1) & ~bad & (a > 0) & (x > 0) & xp.isfinite(x)
    fraction = (x >= a + 1) & ~bad & (a > 0) & xp.isfinite(x)
    p = xp.where(x == 0, 0.0, 1.0)  # x = 0 (a > 0), x = ∞ and a = 0 < x
    q = 1 - p
    for region, method, default_x in ((series, _gammainc_series, 0.5),
                                      (fraction, _gammaincc_fraction, 3.0)):
        if bool(xp.any(region)):
            ra, rx = xp.where(region, a, 1.0), xp.where(region, x, default_x)
            value = method(xp, ra, rx, ra * xp.log(rx) - rx - lgamma(xp, ra))
            small, large = (p, q) if method is _gammainc_series else (q, p)
            small = xp.where(region, value, small)
            large = xp.where(region, 1 - value, large)
            p, q = (small, large) if method is _gammainc_series else (large, small)
    p, q = xp.where(bad, math.nan, p), xp.where(bad, math.nan, q)
    return p.astype(dtype, copy=False), q.astype(dtype, copy=False)
