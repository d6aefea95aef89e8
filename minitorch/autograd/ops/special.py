"""Differentiable special functions: ln Γ, ψ and its derivatives, the inverse and
complementary error functions, the normal distribution's log-CDF and quantile, the modified
Bessel functions I₀, I₁ (plain and exponentially scaled) and the entropy term -x ln x.

The numerics live in :mod:`minitorch.autograd.special_math`; each op here states y = f(x)
and f'(x), PyTorch's derivative (``derivatives.yaml``), on arrays for ``backward`` and on
Tensors for ``backward_graph`` (double backward). Class names make torch's node names
(``LgammaBackward0``, ``SpecialI0EBackward0``, ...)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minitorch.autograd import special_math as sm
from minitorch.autograd.function import Function
from minitorch.autograd.ops.elementwise import Where
from minitorch.autograd.ops.pointwise import _Pointwise

HALF_SQRT_PI = math.sqrt(math.pi) / 2
SQRT_2PI = math.sqrt(2 * math.pi)


class Lgamma(_Pointwise):
    """y = ln|Γ(x)|;  y' = ψ(x)."""

    f = staticmethod(sm.lgamma)
    df = staticmethod(lambda xp, x, y: sm.digamma(xp, x))
    dfg = staticmethod(lambda x, y: Digamma.apply(x))


class Digamma(_Pointwise):
    """y = ψ(x) = Γ'(x)/Γ(x);  y' = ψ'(x) (polygamma(1, x))."""

    f = staticmethod(sm.digamma)
    df = staticmethod(lambda xp, x, y: sm.trigamma(xp, x))
    dfg = staticmethod(lambda x, y: Polygamma.apply(x, 1))


class Polygamma(Function):
    """y = ψ⁽ⁿ⁾(x);  y' = ψ⁽ⁿ⁺¹⁾(x)."""

    def forward(self, x: Any, n: int) -> Any:
        self.n = n
        self.save_for_backward(x)
        return self.xp.asarray(sm.polygamma(self.xp, n, x))

    def backward(self, gy: Any) -> Any:
        (x,) = self.saved_tensors
        return (gy * sm.polygamma(self.xp, self.n + 1, x)).astype(gy.dtype, copy=False)

    def backward_graph(self, gy: Any) -> Any:
        (x,) = self.saved_tensors
        return gy * Polygamma.apply(self.graph_input(0, x), self.n + 1)


def _mvl_offsets(p: int) -> list:
    """-i/2 for i = 0 … p-1, the first +0.0: x + 0.0 turns -0 into +0, as torch's
    ``x + arange(…)`` does (ψ(+0) = -inf, ψ(-0) = +inf)."""
    return [0.0] + [-i / 2 for i in range(1, p)]


class Mvlgamma(Function):
    """y = ln Γₚ(x) = p(p - 1)/4 · ln π + Σᵢ₌₀ᵖ⁻¹ ln Γ(x - i/2);  y' = Σᵢ ψ(x - i/2)."""

    def forward(self, x: Any, p: int) -> Any:
        self.p = p
        self.save_for_backward(x)
        return self.xp.asarray(sm.mvlgamma(self.xp, x, p))

    def backward(self, gy: Any) -> Any:
        (x,) = self.saved_tensors
        slope = sum(sm.digamma(self.xp, x + c) for c in _mvl_offsets(self.p))
        return (gy * slope).astype(gy.dtype, copy=False)

    def backward_graph(self, gy: Any) -> Any:
        (x,) = self.saved_tensors
        t = self.graph_input(0, x)
        return gy * sum(Digamma.apply(t + c) for c in _mvl_offsets(self.p))


class Erfinv(_Pointwise):
    """y = erf⁻¹ x;  y' = (√π/2) e^(y²)."""

    f = staticmethod(sm.erfinv)
    df = staticmethod(lambda xp, x, y: HALF_SQRT_PI * xp.exp(y * y))
    dfg = staticmethod(lambda x, y: HALF_SQRT_PI * (y * y).exp())


class Erfc(_Pointwise):
    """y = erfc x = 1 - erf x (accurate in the tail);  y' = -(2/√π) e^(-x²)."""

    f = staticmethod(sm.erfc)
    df = staticmethod(lambda xp, x, y: -sm.TWO_OVER_SQRT_PI * xp.exp(-x * x))
    dfg = staticmethod(lambda x, y: -sm.TWO_OVER_SQRT_PI * (-(x * x)).exp())


class SpecialLogNdtr(_Pointwise):
    """y = ln Φ(x);  y' = e^(-x²/2 - y) / √(2π)."""

    f = staticmethod(sm.log_ndtr)
    df = staticmethod(lambda xp, x, y: xp.exp(-(x * x) / 2 - y) / SQRT_2PI)
    dfg = staticmethod(lambda x, y: (-(x * x) / 2 - y).exp() / SQRT_2PI)


class SpecialNdtri(_Pointwise):
    """y = Φ⁻¹(x);  y' = √(2π) e^(y²/2)."""

    f = staticmethod(sm.ndtri)
    df = staticmethod(lambda xp, x, y: SQRT_2PI * xp.exp(y * y / 2))
    dfg = staticmethod(lambda x, y: SQRT_2PI * (y * y / 2).exp())


def entr(xp: Any, x: Any) -> Any:
    """-x ln x for x > 0, 0 at 0, -inf below, NaN for NaN (PyTorch's ``special.entr``)."""
    pos = xp.where(x > 0, x, 1)
    out = xp.where(x > 0, -pos * xp.log(pos), xp.where(x == 0, 0, -xp.inf))
    return xp.where(xp.isnan(x), x, out).astype(x.dtype, copy=False)


class SpecialEntr(_Pointwise):
    """y = -x ln x;  y' = -(1 + ln x) (NaN below 0, +inf at 0, as torch)."""

    f = staticmethod(entr)
    df = staticmethod(lambda xp, x, y: -(1 + xp.log(x)))
    dfg = staticmethod(lambda x, y: -(1 + x.log()))


class I0(_Pointwise):
    """y = I₀(x);  y' = I₁(x)."""

    f = staticmethod(sm.i0)
    df = staticmethod(lambda xp, x, y: sm.i1(xp, x))
    dfg = staticmethod(lambda x, y: SpecialI1.apply(x))


class SpecialI0E(_Pointwise):
    """y = e^(-|x|) I₀(x);  y' = i1e(x) - sgn(x) · y."""

    f = staticmethod(sm.i0e)
    df = staticmethod(lambda xp, x, y: sm.i1e(xp, x) - xp.sign(x) * y)
    dfg = staticmethod(lambda x, y: SpecialI1E.apply(x) - x.sgn() * y)


def _bessel_slope(x: Any, where: Any, eps: float, slope: Any) -> Any:
    """``slope(safe_x)`` where |x| > eps, ½ elsewhere, with safe_x = x there and eps
    elsewhere: PyTorch's ``i1_backward`` / ``i1e_backward``, whose formulas divide by x (the
    guard keeps NaN out of the second derivative too). ``where(mask, a, b)`` on arrays or
    Tensors."""
    big = abs(x) > eps
    return where(big, slope(where(big, x, eps)), 0.5)


def _eps(x: Any) -> float:
    return float(np.finfo(np.dtype(str(x.dtype).split(".")[-1])).eps)


def _where_graph(mask: Any, a: Any, b: Any) -> Any:
    return Where.apply(mask._data, a, b)


class SpecialI1(_Pointwise):
    """y = I₁(x);  y' = I₀(x) - y/x, ½ at 0 (for |x| ≤ eps, as torch)."""

    f = staticmethod(sm.i1)

    @staticmethod
    def df(xp: Any, x: Any, y: Any) -> Any:
        return _bessel_slope(x, xp.where, _eps(x), lambda t: sm.i0(xp, t) - y / t)

    dfg = staticmethod(lambda x, y: _bessel_slope(x, _where_graph, _eps(x),
                                                  lambda t: I0.apply(t) - y / t))


class SpecialI1E(_Pointwise):
    """y = e^(-|x|) I₁(x);  y' = i0e(x) - y (sgn(x) + 1/x), ½ at 0 (|x| ≤ eps, as torch)."""

    f = staticmethod(sm.i1e)

    @staticmethod
    def df(xp: Any, x: Any, y: Any) -> Any:
        return _bessel_slope(x, xp.where, _eps(x),
                             lambda t: sm.i0e(xp, t) - y * (xp.sign(t) + 1 / t))

    dfg = staticmethod(lambda x, y: _bessel_slope(
        x, _where_graph, _eps(x), lambda t: SpecialI0E.apply(t) - y * (t.sgn() + 1 / t)))
