"""The activation functions beyond relu / tanh / sigmoid: one Function each, named as torch's
nodes (``LeakyReluBackward0``, ``EluBackward0``, ...), so ``y.grad_fn`` and a graph drawing
show what a learner wrote.

Each op states its value y = f(x) and its slope f'(x) once, as formulas over a small
namespace ``m`` — ``m.where``, ``m.exp``, ``m.sigmoid``, ... — that is :class:`OnArrays`
(NumPy or CuPy: the forward and the fast backward) or :class:`OnTensors` (differentiable
Tensor ops: the slope on the graph, for double backward). So the math of an activation lives
in one place, and every backend runs it.

Piecewise ops use *torch's* branch condition, so value and gradient agree with torch at the
kinks and at NaN: torch's ELU kernel is ``x <= 0 ? α·(eˣ − 1) : x`` and its backward
``x <= 0 ? α·eˣ·g : g`` — at 0 the slope is α, at NaN 1 — hence ``where(x <= 0, …, …)``,
not ``where(x > 0, …)``. A branch that could overflow where it is not selected (softplus's
e^{βx}) is fed a harmless value there: a derivative of ``where`` that is 0 in the unselected
branch would still be NaN as 0·inf in double backward.
"""

from __future__ import annotations

import math
from typing import Any

from minitorch.autograd.function import Function
from minitorch.autograd.ops.pointwise import erf
from minitorch.autograd.ops.util import sum_to_size

SQRT_HALF = math.sqrt(0.5)
INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
GELU_CUBIC = 0.044715


class OnArrays:
    """The formulas' namespace on arrays of one dtype (``xp`` is NumPy or CuPy): a Python
    number in ``where`` is made at that dtype (NumPy would otherwise give float64)."""

    def __init__(self, xp: Any, dtype: Any) -> None:
        self.xp, self.number = xp, dtype.type

    def where(self, condition: Any, a: Any, b: Any) -> Any:
        number = self.number
        return self.xp.where(condition, number(a) if isinstance(a, (int, float)) else a,
                             number(b) if isinstance(b, (int, float)) else b)

    def exp(self, x: Any) -> Any:
        return self.xp.exp(x)

    def expm1(self, x: Any) -> Any:
        return self.xp.expm1(x)

    def log1p(self, x: Any) -> Any:
        return self.xp.log1p(x)

    def tanh(self, x: Any) -> Any:
        return self.xp.tanh(x)

    def isnan(self, x: Any) -> Any:
        return self.xp.isnan(x)

    def sigmoid(self, x: Any) -> Any:  # e⁻ˣ = inf below -88 (float32) gives 1/inf = 0
        return 1 / (1 + self.xp.exp(-x))


class OnTensors:
    """The formulas' namespace on Tensors like ``x``: every step recorded, so a slope computed
    here can be differentiated again. Numbers in ``where`` take x's dtype, as on arrays."""

    def __init__(self, x: Any) -> None:
        self.x = x

    def where(self, condition: Any, a: Any, b: Any) -> Any:
        from minitorch.functions import where  # functions imports the ops: not at load time

        if isinstance(a, (int, float)) and isinstance(b, (int, float)):  # else: float32
            a = self.x.new_full((), a)
        return where(condition, a, b)

    exp = staticmethod(lambda x: x.exp())
    expm1 = staticmethod(lambda x: x.expm1())
    log1p = staticmethod(lambda x: x.log1p())
    tanh = staticmethod(lambda x: x.tanh())
    isnan = staticmethod(lambda x: x.isnan())
    sigmoid = staticmethod(lambda x: x.sigmoid())


class Activation(Function):
    """y = value(m, x, *params);  ∂L/∂x = ∂L/∂y · slope(m, x, *params).

    ``inplace=True`` (``F.elu(x, inplace=True)``, written into x by the caller) keeps a copy
    of x for the backward, since x itself is about to be overwritten; torch's node for some
    in-place forms is then ``…Backward1`` (``inplace_node``)."""

    node = ""  # torch's node name, without "Backward0"
    inplace_node = False  # torch names the in-place form's node "…Backward1"

    @staticmethod
    def value(m: Any, x: Any, *params: Any) -> Any:
        raise NotImplementedError

    @staticmethod
    def slope(m: Any, x: Any, *params: Any) -> Any:
        raise NotImplementedError

    def forward(self, x: Any, *params: Any, inplace: bool = False) -> Any:
        self.params, self.inplace = params, inplace
        self.save_for_backward(x.copy() if inplace else x)
        return self.value(OnArrays(self.xp, x.dtype), x, *params)

    def backward(self, gy: Any) -> Any:
        (x,) = self.saved_tensors
        slope = self.slope(OnArrays(self.xp, x.dtype), x, *self.params)
        return (gy * slope).astype(gy.dtype, copy=False)

    def backward_graph(self, gy: Any) -> Any:
        (x,) = self.saved_tensors
        x = self.graph_input(0, x)
        return gy * self.slope(OnTensors(x), x, *self.params)

    def name(self) -> str:
        return f"{self.node}Backward{1 if self.inplace and self.inplace_node else 0}"


# --------------------------------------------------------------------- piecewise linear
class LeakyRelu(Activation):
    """y = x > 0 ? x : slope·x;  y' = x > 0 ? 1 : slope (slope at 0 and at NaN)."""

    node, inplace_node = "LeakyRelu", True
    value = staticmethod(lambda m, x, a: m.where(x > 0, x, x * a))
    slope = staticmethod(lambda m, x, a: m.where(x > 0, 1.0, a))


def _inside(x: Any, lo: float, hi: float) -> Any:
    return (x > lo) & (x < hi)


class Hardtanh(Activation):
    """y = clamp(x, lo, hi) (NaN stays NaN);  y' = 1 strictly inside (lo, hi), else 0."""

    node = "Hardtanh"
    value = staticmethod(lambda m, x, lo, hi: m.where(
        _inside(x, lo, hi), x, m.where(x <= lo, lo, m.where(x >= hi, hi, x))))
    slope = staticmethod(lambda m, x, lo, hi: m.where(_inside(x, lo, hi), 1.0, 0.0))


class Threshold(Activation):
    """y = x <= threshold ? value : x;  y' = x <= threshold ? 0 : 1."""

    node, inplace_node = "Threshold", True
    value = staticmethod(lambda m, x, t, v: m.where(x <= t, v, x))
    slope = staticmethod(lambda m, x, t, v: m.where(x <= t, 0.0, 1.0))


def _outside(x: Any, lambd: float) -> Any:
    return (x < -lambd) | (x > lambd)


class Hardshrink(Activation):
    """y = |x| > λ ? x : 0 (NaN stays NaN);  y' = |x| > λ ? 1 : 0 (0 at NaN)."""

    node = "Hardshrink"
    value = staticmethod(lambda m, x, lambd: m.where(
        _outside(x, lambd), x, m.where(m.isnan(x), x, 0.0)))
    slope = staticmethod(lambda m, x, lambd: m.where(_outside(x, lambd), 1.0, 0.0))


class Softshrink(Activation):
    """y = x − λ above λ, x + λ below −λ, x·0 inside [−λ, λ] (a zero with x's sign);
    y' = 0 inside [−λ, λ], else 1 (1 at NaN)."""

    node = "Softshrink"
    value = staticmethod(lambda m, x, lambd: m.where(
        _within(x, lambd), x * 0.0, m.where(x > lambd, x - lambd, x + lambd)))
    slope = staticmethod(lambda m, x, lambd: m.where(_within(x, lambd), 0.0, 1.0))


def _within(x: Any, lambd: float) -> Any:
    return (x >= -lambd) & (x <= lambd)


class Hardsigmoid(Activation):
    """y = min(max(x + 3, 0), 6) / 6 (NaN stays NaN);  y' = 1/6 for −3 < x < 3, else 0."""

    node = "Hardsigmoid"
    value = staticmethod(lambda m, x: m.where(
        _inside(x, -3.0, 3.0), (x + 3.0) / 6.0,
        m.where(x <= -3.0, 0.0, m.where(x >= 3.0, 1.0, x))))
    slope = staticmethod(lambda m, x: m.where(_inside(x, -3.0, 3.0), 1 / 6, 0.0))


def _hardswish(m: Any, x: Any) -> Any:
    # x·0 from −3 down (−0, and NaN for −inf, as torch's x·0/6); the middle branch is fed
    # only its own lanes
    middle = _inside(x, -3.0, 3.0)
    h = m.where(middle, x, 0.0)
    return m.where(x <= -3.0, x * 0.0, m.where(middle, h * (h + 3.0) / 6.0, x))


class Hardswish(Activation):
    """y = x·min(max(x + 3, 0), 6) / 6;  y' = x <= −3 ? 0 : x < 3 ? x/3 + 1/2 : 1 (torch's
    branches: 0 at −3, 1 at 3 and at NaN)."""

    node = "Hardswish"
    value = staticmethod(_hardswish)
    slope = staticmethod(lambda m, x: m.where(
        x <= -3.0, 0.0, m.where(_inside(x, -3.0, 3.0), x / 3.0 + 0.5, 1.0)))


# ------------------------------------------------------------------------ exponential
def _negative(m: Any, x: Any) -> Any:
    """x where x <= 0, else 0: the exponential branch's input, which then never overflows."""
    return m.where(x <= 0, x, 0.0)


class Elu(Activation):
    """ELU, SELU and CELU: y = scale·(x <= 0 ? α·(e^{x/d} − 1) : x) and
    y' = scale·(x <= 0 ? (α/d)·e^{x/d} : 1) — ELU: scale = d = 1 (y' = α at 0, 1 at NaN);
    SELU: the fixed α ≈ 1.6733, scale ≈ 1.0507; CELU: d = α (y' = 1 at 0)."""

    node, inplace_node = "Elu", True
    value = staticmethod(lambda m, x, alpha, scale, d: scale * m.where(
        x <= 0, alpha * m.expm1(_negative(m, x) / d), x))
    slope = staticmethod(lambda m, x, alpha, scale, d: scale * m.where(
        x <= 0, alpha / d * m.exp(_negative(m, x) / d), 1.0))


class Celu(Elu):
    """CELU's node: :class:`Elu` with d = α."""

    node = "Celu"


def _softplus_parts(m: Any, x: Any, beta: float, threshold: float) -> Any:
    scaled = x * beta
    linear = scaled > threshold
    return linear, m.exp(m.where(linear, 0.0, scaled))  # e^{βx}, never where it overflows


def _softplus(m: Any, x: Any, beta: float, threshold: float) -> Any:
    linear, e = _softplus_parts(m, x, beta, threshold)
    return m.where(linear, x, m.log1p(e) / beta)


class Softplus(Activation):
    """y = log(1 + e^{βx}) / β, and x itself where βx > threshold;  y' = σ(βx), or 1 above
    the threshold."""

    node = "Softplus"
    value = staticmethod(_softplus)

    @staticmethod
    def slope(m: Any, x: Any, beta: float, threshold: float) -> Any:
        linear, e = _softplus_parts(m, x, beta, threshold)
        return m.where(linear, 1.0, e / (1 + e))


def _halves(m: Any, x: Any) -> Any:
    negative = x < 0
    return negative, m.where(negative, x, 0.0), m.where(negative, 0.0, x)  # NaN: above


class LogSigmoid(Activation):
    """y = log σ(x) = x − log(1 + eˣ) for x < 0, −log(1 + e⁻ˣ) otherwise (each branch fed only
    its own half: no overflow);  y' = 1 − σ(x) = 1 / (1 + eˣ)."""

    node = "LogSigmoid"

    @staticmethod
    def value(m: Any, x: Any) -> Any:
        negative, below, above = _halves(m, x)
        # 0 − log(1 + e⁻ˣ): +0 at x = inf, as torch (a negation would give −0)
        return m.where(negative, below - m.log1p(m.exp(below)), 0.0 - m.log1p(m.exp(-above)))

    @staticmethod
    def slope(m: Any, x: Any) -> Any:
        negative, below, above = _halves(m, x)
        e = m.exp(-above)
        return m.where(negative, 1 / (1 + m.exp(below)), e / (1 + e))


class Mish(Activation):
    """y = x·tanh(softplus(x)) (softplus with β = 1, threshold 20);
    y' = t + x·(1 − t²)·σ(x) with t = tanh(softplus(x)) (torch's backward)."""

    node = "Mish"
    value = staticmethod(lambda m, x: x * m.tanh(_softplus(m, x, 1.0, 20.0)))

    @staticmethod
    def slope(m: Any, x: Any) -> Any:
        t = m.tanh(_softplus(m, x, 1.0, 20.0))
        return t + x * (1 - t * t) * m.sigmoid(x)


class Silu(Activation):
    """y = x·σ(x) (the swish);  y' = σ(x)·(1 + x·(1 − σ(x)))."""

    node = "Silu"
    value = staticmethod(lambda m, x: x * m.sigmoid(x))

    @staticmethod
    def slope(m: Any, x: Any) -> Any:
        s = m.sigmoid(x)
        return s * (1 + x * (1 - s))


class Gelu(Function):
    """y = x·Φ(x) with Φ(x) = ½·(1 + erf(x/√2)), y' = Φ(x) + x·φ(x), φ(x) = e^{−x²/2}/√(2π);
    ``approximate="tanh"``: Φ(x) ≈ ½·(1 + t), t = tanh(√(2/π)·(x + 0.044715·x³)), and
    y' = ½·(1 + t) + ½·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²). Φ (or t) is kept from the
    forward: erf is the costly part on NumPy (one C call per element)."""

    def forward(self, x: Any, tanh: bool) -> Any:
        self.tanh = tanh
        if tanh:
            t = self.xp.tanh(SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x))
            self.save_for_backward(x, t)
            return 0.5 * x * (1 + t)
        cdf = 0.5 * (1 + erf(self.xp, x * SQRT_HALF))
        self.save_for_backward(x, cdf)
        return x * cdf

    def backward(self, gy: Any) -> Any:
        x, kept = self.saved_tensors
        return (gy * self.slope(self.xp.exp, x, kept)).astype(gy.dtype, copy=False)

    def slope(self, exp: Any, x: Any, kept: Any) -> Any:
        """y' from x and what the forward kept (Φ(x), or t), on arrays or on Tensors."""
        if self.tanh:
            return 0.5 * (1 + kept) + 0.5 * x * (1 - kept * kept) * SQRT_2_OVER_PI * (
                1 + 3 * GELU_CUBIC * x * x)
        return kept + x * exp(-0.5 * x * x) * INV_SQRT_2PI

    def backward_graph(self, gy: Any) -> Any:
        x, _ = self.saved_tensors
        x = self.graph_input(0, x)
        kept = (SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x)).tanh() if self.tanh else \
            0.5 * (1 + (x * SQRT_HALF).erf())
        return gy * self.slope(lambda v: v.exp(), x, kept)

    def name(self) -> str:
        return "GeluBackward0"


class Glu(Function):
    """y = a·σ(b) with a, b the two halves of x along ``dim``;
    ∂L/∂a = g·σ(b), ∂L/∂b = g·a·σ(b)·(1 − σ(b)) (the two halves of ∂L/∂x)."""

    def forward(self, x: Any, dim: int) -> Any:
        self.dim = dim
        self.save_for_backward(x)
        a, b = self.xp.split(x, 2, axis=dim)
        return a * OnArrays(self.xp, x.dtype).sigmoid(b)

    def backward(self, gy: Any) -> Any:
        (x,) = self.saved_tensors
        a, b = self.xp.split(x, 2, axis=self.dim)
        s = OnArrays(self.xp, x.dtype).sigmoid(b)
        g = gy * s
        return self.xp.concatenate([g, g * a * (1 - s)], axis=self.dim).astype(gy.dtype,
                                                                               copy=False)

    def backward_graph(self, gy: Any) -> Any:
        from minitorch.functions import cat

        (x,) = self.saved_tensors
        a, b = self.graph_input(0, x).chunk(2, self.dim)
        s = b.sigmoid()
        g = gy * s
        return cat([g, g * a * (1 - s)], self.dim)


class Prelu(Function):
    """y = x > 0 ? x : w·x, with w one slope per channel (or one for all), broadcast along
    x (the caller reshapes it to (C, 1, …) or ());  ∂L/∂x = x > 0 ? g : w·g and
    ∂L/∂w = Σ over the broadcast positions of (x > 0 ? 0 : x·g). The slope's branch sees
    only its own lanes: an infinite x in the other branch would add 0·inf = NaN to ∂L/∂w."""

    def forward(self, x: Any, w: Any) -> Any:
        self.save_for_backward(x, w)
        positive = x > 0
        return self.xp.where(positive, x, w * self.xp.where(positive, x.dtype.type(0), x))

    def backward(self, gy: Any) -> Any:
        x, w = self.saved_tensors
        xp, zero = self.xp, x.dtype.type(0)
        positive = x > 0
        gx = xp.where(positive, gy, w * gy).astype(gy.dtype, copy=False)
        gw = sum_to_size(xp, xp.where(positive, zero, x) * gy, w)
        return gx, gw.astype(gy.dtype, copy=False)

    def backward_graph(self, gy: Any) -> Any:
        from minitorch.autograd.ops.grad_ops import sum_to

        x, w = self.saved_tensors
        x, w = self.graph_input(0, x), self.graph_input(1, w)
        m = OnTensors(x)
        positive = x > 0
        return m.where(positive, gy, w * gy), sum_to(m.where(positive, 0.0, x) * gy, w.shape)

    def name(self) -> str:
        return "PreluKernelBackward0"
