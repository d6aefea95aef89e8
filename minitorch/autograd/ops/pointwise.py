"""Unary pointwise math beyond the basics: trigonometric, hyperbolic, logarithms in other
bases, reciprocals and the rounding family.

Each op states y = f(x) and its derivative f'(x); forward and backward are written once on
``self.xp`` (NumPy or CuPy), so every backend runs the same lines. Rounding ops and ``sign``
are piecewise constant: their gradient is 0 everywhere (PyTorch's convention)."""

from __future__ import annotations

from typing import Any

from minitorch.autograd.function import Function
from minitorch.autograd.ops.elementwise import _sign


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


class _Flat(_Pointwise):
    """Piecewise-constant ops: y' = 0 (the jumps are ignored, as in PyTorch)."""

    df = staticmethod(lambda xp, x, y: xp.zeros_like(x))
    dfg = staticmethod(lambda x, y: x.detach() * 0)


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


class Trunc(_Flat):
    """y = x rounded toward zero."""

    f = staticmethod(lambda xp, x: xp.trunc(x))
