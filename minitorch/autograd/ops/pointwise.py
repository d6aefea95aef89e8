"""Unary pointwise math beyond the basics: trigonometric, hyperbolic, logarithms in other
bases, reciprocals and the rounding family.

Each op states y = f(x) and its derivative f'(x); forward and backward are written once on
``self.xp`` (NumPy or CuPy), so every backend runs the same lines. Rounding ops and ``sign``
are piecewise constant: their gradient is 0 everywhere (PyTorch's convention)."""

from __future__ import annotations

import math
from typing import Any, Tuple

from minitorch.autograd.function import Function
from minitorch.autograd.ops.elementwise import _sign
from minitorch.autograd.special_math import erf  # noqa: F401 - activation.py imports it here


class _Pointwise(Function):
    """y = f(x); ∂L/∂x = ∂L/∂y · f'(x). Subclasses define ``f`` and ``df`` (which may use y)."""

    @staticmethod
    def f(xp: Any, x: Any) -> Any:
        raise NotImplementedError

    @staticmethod
    def df(xp: Any, x: Any, y: Any) -> Any:
        raise NotImplementedError

    def forward(self, x: Any) -> Any:
        y = self.xp.asarray(self.f(self.xp, x))
        self.save_for_backward(x, y)
        return y

    def backward(self, gy: Any) -> Any:
        x, y = self.saved_tensors
        return (gy * self.df(self.xp, x, y)).astype(gy.dtype, copy=False)

    def backward_graph(self, gy: Any) -> Any:
        """The same rule on Tensors (x and y on the graph), for double backward."""
        x, y = self.saved_tensors
        return gy * self.dfg(self.graph_input(0, x), self.graph_output(0, y))

    @staticmethod
    def dfg(x: Any, y: Any) -> Any:
        """f'(x) written with Tensor methods."""
        raise NotImplementedError


class Sin(_Pointwise):
    """y = sin x;  y' = cos x."""

    f = staticmethod(lambda xp, x: xp.sin(x))
    df = staticmethod(lambda xp, x, y: xp.cos(x))
    dfg = staticmethod(lambda x, y: x.cos())


class Cos(_Pointwise):
    """y = cos x;  y' = -sin x."""

    f = staticmethod(lambda xp, x: xp.cos(x))
    df = staticmethod(lambda xp, x, y: -xp.sin(x))
    dfg = staticmethod(lambda x, y: -x.sin())


class Tan(_Pointwise):
    """y = tan x;  y' = 1 + y²."""

    f = staticmethod(lambda xp, x: xp.tan(x))
    df = staticmethod(lambda xp, x, y: 1 + y * y)
    dfg = staticmethod(lambda x, y: 1 + y * y)


class Sinh(_Pointwise):
    """y = sinh x;  y' = cosh x."""

    f = staticmethod(lambda xp, x: xp.sinh(x))
    df = staticmethod(lambda xp, x, y: xp.cosh(x))
    dfg = staticmethod(lambda x, y: x.cosh())


class Cosh(_Pointwise):
    """y = cosh x;  y' = sinh x."""

    f = staticmethod(lambda xp, x: xp.cosh(x))
    df = staticmethod(lambda xp, x, y: xp.sinh(x))
    dfg = staticmethod(lambda x, y: x.sinh())


class Log1P(_Pointwise):
    """y = ln(1 + x), accurate for tiny x;  y' = 1 / (1 + x)."""

    f = staticmethod(lambda xp, x: xp.log1p(x))
    df = staticmethod(lambda xp, x, y: 1 / (1 + x))
    dfg = staticmethod(lambda x, y: 1 / (1 + x))


class Log2(_Pointwise):
    """y = log₂ x;  y' = 1 / (x ln 2)."""

    f = staticmethod(lambda xp, x: xp.log2(x))
    df = staticmethod(lambda xp, x, y: 1 / (x * 0.6931471805599453))
    dfg = staticmethod(lambda x, y: 1 / (x * 0.6931471805599453))


class Log10(_Pointwise):
    """y = log₁₀ x;  y' = 1 / (x ln 10)."""

    f = staticmethod(lambda xp, x: xp.log10(x))
    df = staticmethod(lambda xp, x, y: 1 / (x * 2.302585092994046))
    dfg = staticmethod(lambda x, y: 1 / (x * 2.302585092994046))


class Expm1(_Pointwise):
    """y = eˣ - 1, accurate for tiny x;  y' = y + 1."""

    f = staticmethod(lambda xp, x: xp.expm1(x))
    df = staticmethod(lambda xp, x, y: y + 1)
    dfg = staticmethod(lambda x, y: y + 1)


class Exp2(_Pointwise):
    """y = 2ˣ;  y' = y ln 2."""

    f = staticmethod(lambda xp, x: xp.exp2(x))
    df = staticmethod(lambda xp, x, y: y * 0.6931471805599453)
    dfg = staticmethod(lambda x, y: y * 0.6931471805599453)


class Reciprocal(_Pointwise):
    """y = 1 / x;  y' = -y²."""

    f = staticmethod(lambda xp, x: 1 / x)
    df = staticmethod(lambda xp, x, y: -y * y)
    dfg = staticmethod(lambda x, y: -y * y)


class Rsqrt(_Pointwise):
    """y = 1 / √x;  y' = -y³ / 2."""

    f = staticmethod(lambda xp, x: 1 / xp.sqrt(x))
    df = staticmethod(lambda xp, x, y: -0.5 * y * y * y)
    dfg = staticmethod(lambda x, y: -0.5 * y * y * y)


class Erf(_Pointwise):
    """y = erf x;  y' = (2/√π) e^(-x²)."""

    f = staticmethod(erf)
    df = staticmethod(lambda xp, x, y: 1.1283791670955126 * xp.exp(-x * x))
    dfg = staticmethod(lambda x, y: 1.1283791670955126 * (-(x * x)).exp())


class _Flat(_Pointwise):
    """Piecewise-constant ops: y' = 0 (the jumps are ignored, as in PyTorch). The gradient is
    zeros whatever arrives (torch's ``zeros_like``: 0 even for an inf or NaN input or
    incoming gradient), and not on the graph."""

    def backward(self, gy: Any) -> Any:
        return self.xp.zeros_like(gy)

    def backward_graph(self, gy: Any) -> Any:
        return gy.new_zeros(gy.shape)


class Sign(_Flat):
    """y = -1, 0 or 1 by the sign of x; 0 for NaN, as PyTorch's ``(0 < x) - (x < 0)``."""

    f = staticmethod(lambda xp, x: _sign(xp, x))


class Floor(_Flat):
    """y = ⌊x⌋."""

    f = staticmethod(lambda xp, x: xp.floor(x))


class Ceil(_Flat):
    """y = ⌈x⌉."""

    f = staticmethod(lambda xp, x: xp.ceil(x))


class Round(_Flat):
    """y = x rounded to the nearest integer, halves to even (as PyTorch and NumPy)."""

    f = staticmethod(lambda xp, x: xp.round(x))


class RoundDecimals(_Flat):
    """y = x rounded to ``decimals`` places, halves to even: round(x · 10ᵈ) / 10ᵈ, or
    round(x / 10⁻ᵈ) · 10⁻ᵈ for negative d (PyTorch's kernel and its ``RoundBackward1``)."""

    def forward(self, x: Any, decimals: int = 0) -> Any:
        xp = self.xp
        if decimals == 0:
            return xp.round(x)
        scale = xp.asarray(10.0 ** abs(decimals), x.dtype)
        return xp.round(x * scale) / scale if decimals > 0 else xp.round(x / scale) * scale

    def name(self) -> str:
        return "RoundBackward1"


class Trunc(_Flat):
    """y = x rounded toward zero."""

    f = staticmethod(lambda xp, x: xp.trunc(x))


# -- inverse trigonometric and hyperbolic functions ------------------------------------------
class Asin(_Pointwise):
    """y = arcsin x (NaN outside [-1, 1]);  y' = 1 / √(1 - x²)."""

    f = staticmethod(lambda xp, x: xp.arcsin(x))
    df = staticmethod(lambda xp, x, y: 1 / xp.sqrt(1 - x * x))
    dfg = staticmethod(lambda x, y: (1 - x * x).rsqrt())


class Acos(_Pointwise):
    """y = arccos x (NaN outside [-1, 1]);  y' = -1 / √(1 - x²)."""

    f = staticmethod(lambda xp, x: xp.arccos(x))
    df = staticmethod(lambda xp, x, y: -1 / xp.sqrt(1 - x * x))
    dfg = staticmethod(lambda x, y: -(1 - x * x).rsqrt())


class Atan(_Pointwise):
    """y = arctan x;  y' = 1 / (x² + 1)."""

    f = staticmethod(lambda xp, x: xp.arctan(x))
    df = staticmethod(lambda xp, x, y: 1 / (x * x + 1))
    dfg = staticmethod(lambda x, y: 1 / (x * x + 1))


class Asinh(_Pointwise):
    """y = arsinh x = ln(x + √(x² + 1));  y' = 1 / √(x² + 1)."""

    f = staticmethod(lambda xp, x: xp.arcsinh(x))
    df = staticmethod(lambda xp, x, y: 1 / xp.sqrt(x * x + 1))
    dfg = staticmethod(lambda x, y: (x * x + 1).rsqrt())


class Acosh(_Pointwise):
    """y = arcosh x = ln(x + √(x² - 1)) (NaN below 1);  y' = 1 / √(x² - 1)."""

    f = staticmethod(lambda xp, x: xp.arccosh(x))
    df = staticmethod(lambda xp, x, y: 1 / xp.sqrt(x * x - 1))
    dfg = staticmethod(lambda x, y: (x * x - 1).rsqrt())


class Atanh(_Pointwise):
    """y = artanh x = ½ ln((1 + x) / (1 - x)) (±inf at ±1);  y' = 1 / (1 - x²)."""

    f = staticmethod(lambda xp, x: xp.arctanh(x))
    df = staticmethod(lambda xp, x, y: 1 / (1 - x * x))
    dfg = staticmethod(lambda x, y: 1 / (1 - x * x))


# -- angles, fractional part, sinc --------------------------------------------------------------
DEG2RAD = math.pi / 180
RAD2DEG = 180 / math.pi


class Deg2Rad(_Pointwise):
    """y = x · π/180;  y' = π/180."""

    f = staticmethod(lambda xp, x: x * DEG2RAD)
    df = staticmethod(lambda xp, x, y: DEG2RAD)
    dfg = staticmethod(lambda x, y: DEG2RAD)


class Rad2Deg(_Pointwise):
    """y = x · 180/π;  y' = 180/π."""

    f = staticmethod(lambda xp, x: x * RAD2DEG)
    df = staticmethod(lambda xp, x, y: RAD2DEG)
    dfg = staticmethod(lambda x, y: RAD2DEG)


class Frac(_Pointwise):
    """y = x - trunc(x) (the sign of x; NaN for ±inf);  y' = 1."""

    f = staticmethod(lambda xp, x: x - xp.trunc(x))
    df = staticmethod(lambda xp, x, y: 1)
    dfg = staticmethod(lambda x, y: 1)


def _sinc_slope(x: Any, cos: Any, sin: Any, where: Any) -> Any:
    """sinc'(x) = (πx cos πx - sin πx) / (πx²), 0 where πx² is 0 (PyTorch's
    ``sinc_backward``), on arrays or Tensors: ``where(mask, 0, value)`` picks."""
    x_pi = x * math.pi
    x2_pi = x * x * math.pi
    return where(x2_pi == 0, (x_pi * cos(x_pi) - sin(x_pi)) / x2_pi)


class Sinc(_Pointwise):
    """y = sin(πx) / (πx), 1 at x = 0;  y' = (πx cos πx - sin πx) / (πx²), taken as 0
    where πx² is 0 (PyTorch's rule)."""

    @staticmethod
    def f(xp: Any, x: Any) -> Any:
        x_pi = x * math.pi
        return xp.where(x == 0, xp.ones((), x.dtype), xp.sin(x_pi) / x_pi)

    @staticmethod
    def df(xp: Any, x: Any, y: Any) -> Any:
        return _sinc_slope(x, xp.cos, xp.sin,
                           lambda mask, v: xp.where(mask, xp.zeros((), v.dtype), v))

    @staticmethod
    def dfg(x: Any, y: Any) -> Any:
        from minitorch.autograd.ops.elementwise import Where

        return _sinc_slope(x, lambda t: t.cos(), lambda t: t.sin(),
                           lambda mask, v: Where.apply(mask._data, 0.0, v))


class Sgn(Sign):
    """y = sgn x: for real x the sign (-1, 0 or 1; 0 for NaN);  y' = 0."""


class Logit(Function):
    """y = ln(x / (1 - x)), x first clamped to [eps, 1 - eps] when ``eps`` is given (a
    negative eps is no eps, as in PyTorch);  y' = 1 / (x (1 - x)) inside [eps, 1 - eps]
    (or [0, 1]), outside it 0 with eps and NaN without; without eps ±inf at 0 and 1 (the
    sign of the incoming gradient, also at -0.0, as PyTorch's kernel)."""

    def forward(self, x: Any, eps: Any = None) -> Any:
        xp = self.xp
        self.lo = None if eps is None or eps < 0 else eps
        self.save_for_backward(x)
        if self.lo is not None:
            lo = xp.asarray(self.lo, x.dtype)
            hi = 1 - lo  # in x's dtype, as PyTorch's kernel
            x = xp.where(x < lo, lo, xp.where(x > hi, hi, x))  # NaN stays NaN
        return xp.asarray(xp.log(x / (1 - x)))

    def _outside(self, x: Any) -> Tuple[Any, float]:
        """Where the gradient is not 1 / (x (1 - x)), and what it is there."""
        lo = 0.0 if self.lo is None else self.lo
        return (x < lo) | (x > 1 - lo), math.nan if self.lo is None else 0.0

    def backward(self, gy: Any) -> Any:
        xp = self.xp
        (x,) = self.saved_tensors
        outside, fill = self._outside(x)
        inside = gy / (x * (1 - x))
        if self.lo is None:  # PyTorch's kernel: dy · inf at the ends (also at -0.0)
            inside = xp.where((x == 0) | (x == 1), gy * math.inf, inside)
        return xp.where(outside, xp.asarray(fill, gy.dtype), inside)

    def backward_graph(self, gy: Any) -> Any:
        from minitorch.autograd.ops.elementwise import Where

        (x,) = self.saved_tensors
        outside, fill = self._outside(x)
        t = self.graph_input(0, x)
        return Where.apply(outside, fill, gy / (t * (1 - t)))
