"""Binary pointwise math with broadcasting: atan2, hypot, logaddexp, logaddexp2, xlogy, fmax,
fmin, copysign, heaviside (``float_power`` is ``pow`` in float64: ``Tensor.float_power``).

Each op states y = f(a, b) and its gradients, which are PyTorch's (``derivatives.yaml``).
The gradients are written once, in :meth:`_Binary.grads`, on a namespace ``m`` that is the
array module (``self.xp``: NumPy or CuPy) in ``backward`` and :class:`_OnGraph` (the same
functions as Tensor ops) in ``backward_graph``, so one formula serves both. A Python-number
operand gets no gradient."""

from __future__ import annotations

import math
from typing import Any, Tuple

from minitorch.autograd import special_math
from minitorch.autograd.function import Function
from minitorch.autograd.ops.division import FloorDivide
from minitorch.autograd.ops.elementwise import (
    Where,
    _first_on_ties,
    _grads,
    _graph_grads,
    _shape_of,
)


class _OnGraph:
    """``exp``, ``log``, ``isnan``, ``zeros_like`` and ``where`` as Tensor ops: what ``grads``
    calls in ``backward_graph`` (a mask is a bool Tensor, off the graph)."""

    exp = staticmethod(lambda t: t.exp())
    log = staticmethod(lambda t: t.log())
    log1p = staticmethod(lambda t: t.log1p())
    isnan = staticmethod(lambda t: t.isnan())
    zeros_like = staticmethod(lambda t: t.new_zeros(t.shape))

    @staticmethod
    def where(cond: Any, a: Any, b: Any) -> Any:
        return Where.apply(cond._data, a, b)


class _Binary(Function):
    """y = f(a, b); the gradients ∂L/∂a, ∂L/∂b from g = ∂L/∂y, each summed back to its
    input's shape. Subclasses define ``f(xp, a, b)`` and ``grads(m, g, a, b, y)``."""

    @staticmethod
    def f(xp: Any, a: Any, b: Any) -> Any:
        raise NotImplementedError

    @staticmethod
    def grads(m: Any, g: Any, a: Any, b: Any, y: Any) -> Tuple[Any, Any]:
        """(∂L/∂a, ∂L/∂b) from g = ∂L/∂y, on arrays (``m`` = NumPy/CuPy) or on Tensors
        (``m`` = _OnGraph)."""
        raise NotImplementedError

    def forward(self, a: Any, b: Any) -> Any:
        xp = self.xp
        self.a, self.b = _shape_of(a), _shape_of(b)
        dtype = (a if self.a is not None else b).dtype
        a, b = (v if hasattr(v, "shape") else xp.asarray(v, dtype) for v in (a, b))
        y = xp.asarray(self.f(xp, a, b)).astype(dtype, copy=False)
        self.save_for_backward(a, b, y)
        return y

    def backward(self, gy: Any) -> Any:
        ga, gb = self.grads(self.xp, gy, *self.saved_tensors)
        return _grads(self, ga.astype(gy.dtype, copy=False), gb.astype(gy.dtype, copy=False))

    def backward_graph(self, gy: Any) -> Any:
        a, b, y = self.saved_tensors
        a, b = (self.graph_input(i, v) if like is not None else self.constant(v)
                for i, (v, like) in enumerate(((a, self.a), (b, self.b))))
        return _graph_grads(self, *self.grads(_OnGraph, gy, a, b, self.graph_output(0, y)))


class Atan2(_Binary):
    """y = atan2(a, b), the angle of the point (b, a);  ∂y/∂a = b / (a² + b²),
    ∂y/∂b = -a / (a² + b²), both 0 where a² + b² is 0."""

    f = staticmethod(lambda xp, a, b: xp.arctan2(a, b))

    @staticmethod
    def grads(m: Any, g: Any, a: Any, b: Any, y: Any) -> Tuple[Any, Any]:
        r2 = a * a + b * b
        recip = m.where(r2 == 0, 0, 1 / r2)  # 0 at the origin (and on underflow), as torch
        return g * b * recip, g * -a * recip


class Hypot(_Binary):
    """y = √(a² + b²);  ∂y/∂a = a / y, ∂y/∂b = b / y."""

    f = staticmethod(lambda xp, a, b: xp.hypot(a, b))
    grads = staticmethod(lambda m, g, a, b, y: (g * a / y, g * b / y))


def log_add(xp: Any, a: Any, b: Any, exp: Any, scale: float) -> Any:
    """max(a, b) + log1p(exp(-|a - b|)) · scale, and a itself where a = b = ±inf: PyTorch's
    kernel for logaddexp (exp = eˣ, scale 1) and logaddexp2 (2ˣ, 1 / ln 2)."""
    y = xp.maximum(a, b) + xp.log1p(exp(-xp.abs(a - b))) * scale
    return xp.where(xp.isinf(a) & (a == b), a, y)


class Logaddexp(_Binary):
    """y = ln(eᵃ + eᵇ), computed as max + ln(1 + e^-|a-b|);  ∂y/∂a = 1 / (1 + e^(b-a)),
    ∂y/∂b = 1 / (1 + e^(a-b))."""

    f = staticmethod(lambda xp, a, b: log_add(xp, a, b, xp.exp, 1.0))

    @staticmethod
    def grads(m: Any, g: Any, a: Any, b: Any, y: Any) -> Tuple[Any, Any]:
        return g / (1 + m.exp(b - a)), g / (1 + m.exp(a - b))


class Logaddexp2(_Binary):
    """y = log₂(2ᵃ + 2ᵇ);  ∂y/∂a = 1 / (1 + 2^(b-a)), ∂y/∂b = 1 / (1 + 2^(a-b))."""

    f = staticmethod(lambda xp, a, b: log_add(xp, a, b, xp.exp2, 1 / math.log(2)))
    grads = staticmethod(lambda m, g, a, b, y: (g / (1 + 2 ** (b - a)), g / (1 + 2 ** (a - b))))


def xlogy(m: Any, a: Any, b: Any) -> Any:
    """a · ln b, 0 where a = 0 unless b is NaN (PyTorch's convention)."""
    return m.where(m.isnan(b), math.nan, m.where(a == 0, 0, a * m.log(b)))


class Xlogy(_Binary):
    """y = a · ln b (0 where a = 0, NaN where b is NaN);  ∂L/∂a = xlogy(g, b), set to 0
    where a = 0 and b ≤ 0 (PyTorch's rule), ∂L/∂b = g · a / b."""

    f = staticmethod(xlogy)

    @staticmethod
    def grads(m: Any, g: Any, a: Any, b: Any, y: Any) -> Tuple[Any, Any]:
        return m.where((a == 0) & (b <= 0), 0, xlogy(m, g, b)), g * a / b

    def name(self) -> str:  # torch's overloads: tensor-tensor, number-tensor, tensor-number
        return f"{self.node}Backward{2 if self.b is None else 1 if self.a is None else 0}"

    node = "Xlogy"


def xlog1py(m: Any, a: Any, b: Any) -> Any:
    """a · ln(1 + b), 0 where a = 0 unless b is NaN (PyTorch's ``special.xlog1py``)."""
    return m.where(m.isnan(b), math.nan, m.where(a == 0, 0, a * m.log1p(b)))


class Xlog1py(Xlogy):
    """y = a · ln(1 + b) (0 where a = 0, NaN where b is NaN);  ∂L/∂a = xlog1py(g, b), set to
    0 where a = 0 and b ≤ -1, ∂L/∂b = g · a / (1 + b)."""

    f = staticmethod(xlog1py)
    node = "SpecialXlog1Py"

    @staticmethod
    def grads(m: Any, g: Any, a: Any, b: Any, y: Any) -> Tuple[Any, Any]:
        return m.where((a == 0) & (b <= -1), 0, xlog1py(m, g, b)), g * a / (b + 1)


def _either(m: Any, g: Any, to_a: Any) -> Tuple[Any, Any]:
    """g to a where ``to_a``, to b elsewhere (fmax and fmin: PyTorch's ``masked_fill``)."""
    return m.where(to_a, g, 0), m.where(to_a, 0, g)


class Fmax(_Binary):
    """y = max(a, b) ignoring NaN (NaN only where both are; a where a = b, so fmax(0., -0.)
    is 0.);  the gradient goes to a where
    a ≥ b or b is NaN, else to b (PyTorch's rule: ties go to a)."""

    f = staticmethod(lambda xp, a, b: _first_on_ties(xp, a, b, xp.fmax(a, b)))
    grads = staticmethod(lambda m, g, a, b, y: _either(m, g, (a >= b) | m.isnan(b)))


class Fmin(_Binary):
    """y = min(a, b) ignoring NaN;  the gradient goes to a where a ≤ b or b is NaN, else
    to b."""

    f = staticmethod(lambda xp, a, b: _first_on_ties(xp, a, b, xp.fmin(a, b)))
    grads = staticmethod(lambda m, g, a, b, y: _either(m, g, (a <= b) | m.isnan(b)))


class Copysign(_Binary):
    """y = |a| with the sign of b (of -0.0 too);  ∂y/∂a = y / a (±1), 0 where a = 0;
    ∂L/∂b = 0 (zeros, off the graph, as torch's ``zeros_like``)."""

    f = staticmethod(lambda xp, a, b: xp.copysign(a, b))
    grads = staticmethod(lambda m, g, a, b, y: (g * m.where(a == 0, 0, y / a), m.zeros_like(g)))

    def name(self) -> str:  # torch: a tensor sign is CopysignBackward0, a number's 1
        return "CopysignBackward0" if self.b is not None else "CopysignBackward1"


class Heaviside(FloorDivide):
    """y = 0 where a < 0, ``values`` where a = 0, 1 where a > 0 (0 for NaN). PyTorch defines
    no derivative: backward raises, and the node is named ``NotImplemented``."""

    aten = "heaviside"

    def forward(self, a: Any, values: Any) -> Any:
        xp = self.xp
        return xp.asarray(xp.where(a == 0, values, a > 0).astype(a.dtype, copy=False))

    def name(self) -> str:
        return "NotImplemented"


class Igamma(_Binary):
    """y = P(a, x) = γ(a, x)/Γ(a), the regularised lower incomplete gamma function;
    ∂y/∂x = x^(a-1) e^(-x) / Γ(a) (the Gamma(a, 1) density). PyTorch has no derivative in
    a, and neither has this op: asking for one raises its NotImplementedError."""

    f = staticmethod(lambda xp, a, x: special_math.gammainc_pair(xp, a, x)[0])
    sign = 1

    def _refuse_a(self) -> None:
        if self.needs_input_grad and self.needs_input_grad[0] and self.a is not None:
            raise NotImplementedError(f"the derivative for '{type(self).__name__.lower()}: "
                                      "input' is not implemented.")

    def backward(self, gy: Any) -> Any:
        self._refuse_a()
        xp = self.xp
        a, x, _ = self.saved_tensors
        density = xp.exp((a - 1) * xp.log(x) - x - special_math.lgamma(xp, a))
        gx = (self.sign * gy * density).astype(gy.dtype, copy=False)
        return _grads(self, xp.zeros_like(gy), gx)  # a takes no gradient (refused above)

    def backward_graph(self, gy: Any) -> Any:
        self._refuse_a()
        a, x, _ = self.saved_tensors
        a = self.constant(a)
        x = self.graph_input(1, x) if self.b is not None else self.constant(x)
        density = ((a - 1) * x.log() - x - a.lgamma()).exp()
        return _graph_grads(self, gy * 0, gy * density * self.sign)


class Igammac(Igamma):
    """y = Q(a, x) = 1 - P(a, x), the regularised upper incomplete gamma function;
    ∂y/∂x = -x^(a-1) e^(-x) / Γ(a); no derivative in a (as PyTorch)."""

    f = staticmethod(lambda xp, a, x: special_math.gammainc_pair(xp, a, x)[1])
    sign = -1
