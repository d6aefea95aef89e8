"""Elementwise ops. ``forward`` and ``backward`` use ``self.xp`` (NumPy or CuPy), so the same
code runs on every backend. Binary ops broadcast; their backward sums the gradient back to
each input's shape (:func:`unbroadcast`). An operand may be a Python number; it gets no
gradient (``None``).

Complex operands follow torch's convention: the gradient of a real loss L with respect to
z = x + iy is the conjugate Wirtinger derivative ∂L/∂x + i ∂L/∂y, and for a holomorphic
y = f(z) the chain rule is gz = gy · conj(f′(z)) — hence the ``conj`` in Mul's and Div's
backward (a no-op on real arrays)."""

from __future__ import annotations

import math
from typing import Any

from minitorch.autograd.function import Function
from minitorch.autograd.ops.grad_ops import Mask, sum_to
from minitorch.autograd.ops.util import sum_to_size, unbroadcast


class Add(Function):
    """y = a + b;  ∂y/∂a = ∂y/∂b = 1."""

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = _shape_of(a), _shape_of(b)
        return a + b

    def backward(self, gy: Any) -> Any:
        return _grads(self, gy, gy)

    def backward_graph(self, gy: Any) -> Any:
        return _graph_grads(self, gy, gy)


class AddScalar(Add):
    """y = a + number, as torch's C++ composites add a Scalar (``add(Tensor, Scalar)``):
    torch names that node ``AddBackward1`` (``rms_norm``'s ``+ eps``)."""

    def name(self) -> str:
        return "AddBackward1"


class Sub(Function):
    """y = a - b;  ∂y/∂a = 1, ∂y/∂b = -1."""

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = _shape_of(a), _shape_of(b)
        return a - b

    def backward(self, gy: Any) -> Any:
        return _grads(self, gy, -gy)

    def backward_graph(self, gy: Any) -> Any:
        return _graph_grads(self, gy, -gy)

    def name(self) -> str:  # torch: number - x is rsub(x, number)
        return "RsubBackward1" if self.a is None else "SubBackward0"


class Mul(Function):
    """y = a · b;  ∂y/∂a = b, ∂y/∂b = a (for complex: ga = gy · conj(b), gb = gy · conj(a))."""

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = _shape_of(a), _shape_of(b)
        self.save_for_backward(a if self.b is not None else None, b)  # a only for ∂/∂b
        return a * b

    def backward(self, gy: Any) -> Any:
        a, b = map(conj, self.saved_tensors)
        return _grads(self, gy * b, gy * a if a is not None else None)

    def backward_graph(self, gy: Any) -> Any:
        a, b = self.saved_tensors
        a, b = map(conj, (self.graph_input(0, a), self.graph_input(1, b)))
        return _graph_grads(self, gy * b, gy * a if a is not None else None)


class Div(Function):
    """y = a / b;  ∂y/∂a = 1/b, ∂y/∂b = -a/b² (for complex, conjugated: ga = gy / conj(b),
    gb = -gy · conj(a / b²))."""

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = _shape_of(a), _shape_of(b)
        self.save_for_backward(a if self.b is not None else None, b)  # a only for ∂/∂b
        return a / b

    def backward(self, gy: Any) -> Any:
        a, b = map(conj, self.saved_tensors)
        gb = -gy * a / (b * b) if self.b is not None else None
        return _grads(self, gy / b, gb)

    def backward_graph(self, gy: Any) -> Any:
        a, b = self.saved_tensors
        a, b = map(conj, (self.graph_input(0, a), self.graph_input(1, b)))
        gb = -gy * a / (b * b) if self.b is not None else None
        return _graph_grads(self, gy / b, gb)



class MulByNumber(Mul):
    """y = a · s for a Python number s, as torch's own composite functions multiply
    (``mul(Tensor, Scalar)``, node ``MulBackward1``; Python's ``t * s`` is ``MulBackward0``)."""

    def name(self) -> str:
        return "MulBackward1"


class DivByNumber(Div):
    """y = a / s for a Python number s, as torch's composite functions divide
    (``div(Tensor, Scalar)``, node ``DivBackward1``)."""

    def name(self) -> str:
        return "DivBackward1"


class Addc(Function):
    """y = c + v·f(t1, t2) for a Python number v, all three tensors broadcast together
    (``addcmul``: f = t1·t2, ``addcdiv``: f = t1/t2). ∂y/∂c = 1; the others in
    ``term_grads``, each summed back to its input's shape."""

    def forward(self, c: Any, t1: Any, t2: Any, value: Any) -> Any:
        self.shapes, self.value = (c.shape, t1.shape, t2.shape), value
        self.save_for_backward(t1, t2)
        return c + self.term(t1, t2, value)

    def term(self, t1: Any, t2: Any, value: Any) -> Any:
        raise NotImplementedError

    def term_grads(self, gy: Any, t1: Any, t2: Any) -> tuple:
        raise NotImplementedError

    def backward(self, gy: Any) -> Any:
        t1, t2 = self.saved_tensors
        grads = (gy, *self.term_grads(gy, t1, t2))
        return tuple(unbroadcast(self.xp, g, s) for g, s in zip(grads, self.shapes))

    def backward_graph(self, gy: Any) -> Any:
        t1, t2 = self.saved_tensors
        grads = (gy, *self.term_grads(gy, self.graph_input(1, t1), self.graph_input(2, t2)))
        return tuple(sum_to(g, s) for g, s in zip(grads, self.shapes))


class Addcmul(Addc):
    """y = c + v·t1·t2;  ∂y/∂t1 = v·t2, ∂y/∂t2 = v·t1."""

    def term(self, t1: Any, t2: Any, value: Any) -> Any:
        return value * t1 * t2

    def term_grads(self, gy: Any, t1: Any, t2: Any) -> tuple:
        return gy * (t2 * self.value), gy * (t1 * self.value)


class Addcdiv(Addc):
    """y = c + v·t1/t2;  ∂y/∂t1 = v/t2, ∂y/∂t2 = −v·t1/t2²."""

    def term(self, t1: Any, t2: Any, value: Any) -> Any:
        return value * (t1 / t2)

    def term_grads(self, gy: Any, t1: Any, t2: Any) -> tuple:
        return gy * (self.value / t2), -gy * (t1 * self.value) / (t2 * t2)


class Pow(Function):
    """y = a ** b;  ∂y/∂a = b·a^(b-1),  ∂y/∂b = y·ln(a) (taken as 0 where a = 0 and b ≥ 0,
    as PyTorch does, so that 0 ** 2 has a finite gradient)."""

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = _shape_of(a), _shape_of(b)
        y = a ** b
        self.save_for_backward(a, b, y)
        return y

    def backward(self, gy: Any) -> Any:
        xp = self.xp
        a, b, y = self.saved_tensors
        zero = xp.zeros((), dtype=gy.dtype)
        ga = gb = None
        if self.a is not None:  # conj: the holomorphic rule for complex operands
            ga = xp.where(b == 0, zero, gy * conj(b * a ** (b - 1)))
        if self.b is not None:
            gb = xp.where((a == 0) & (b >= 0), zero, gy * conj(y * xp.log(a)))
        return _grads(self, ga, gb)

    def backward_graph(self, gy: Any) -> Any:
        xp = self.xp
        a_raw, b_raw, y = self.saved_tensors
        a, b = self.graph_input(0, a_raw), self.graph_input(1, b_raw)
        ga = gb = None
        if self.a is not None:
            ga = Where.apply(xp.asarray(b_raw == 0), 0.0, gy * b * a ** (b - 1))
        if self.b is not None:
            log_a = a.log() if hasattr(a, "log") else math.log(a) if a > 0 else math.nan
            gb = Where.apply(xp.asarray((a_raw == 0) & (b_raw >= 0)), 0.0,
                             gy * self.graph_output(0, y) * log_a)
        return _graph_grads(self, ga, gb)

    def name(self) -> str:  # torch's overloads: x ** number, x ** tensor, number ** x
        return f"PowBackward{0 if self.b is None else 2 if self.a is None else 1}"


class Neg(Function):
    """y = -x."""

    def forward(self, x: Any) -> Any:
        return -x

    def backward(self, gy: Any) -> Any:
        return -gy

    def backward_graph(self, gy: Any) -> Any:
        return -gy


class Exp(Function):
    """y = eˣ;  ∂y/∂x = y."""

    def forward(self, x: Any) -> Any:
        y = self.xp.exp(x)
        self.save_for_backward(y)
        return y

    def backward(self, gy: Any) -> Any:
        (y,) = self.saved_tensors
        return gy * y

    def backward_graph(self, gy: Any) -> Any:
        (y,) = self.saved_tensors
        return gy * self.graph_output(0, y)


class Log(Function):
    """y = ln x;  ∂y/∂x = 1/x."""

    def forward(self, x: Any) -> Any:
        self.save_for_backward(x)
        return self.xp.log(x)

    def backward(self, gy: Any) -> Any:
        (x,) = self.saved_tensors
        return gy / x

    def backward_graph(self, gy: Any) -> Any:
        (x,) = self.saved_tensors
        return gy / self.graph_input(0, x)


class Sqrt(Function):
    """y = √x;  ∂y/∂x = 1/(2y)."""

    def forward(self, x: Any) -> Any:
        y = self.xp.sqrt(x)
        self.save_for_backward(y)
        return y

    def backward(self, gy: Any) -> Any:
        (y,) = self.saved_tensors
        return gy / (2 * y)

    def backward_graph(self, gy: Any) -> Any:
        (y,) = self.saved_tensors
        return gy / (2 * self.graph_output(0, y))


def _sign(xp: Any, x: Any) -> Any:
    return xp.where(x != x, 0, xp.sign(x))  # torch: sgn(NaN) = 0


class Abs(Function):
    """y = |x|;  ∂y/∂x = sign(x) (0 at 0). For complex z, |z| = √(x² + y²) is real and
    torch's gradient is gz = gy · sgn(z) = gy · z/|z| (0 at z = 0)."""

    def forward(self, x: Any) -> Any:
        self.save_for_backward(x)
        return self.xp.abs(x)

    def backward(self, gy: Any) -> Any:
        (x,) = self.saved_tensors
        if x.dtype.kind == "c":
            return gy * sgn(self.xp, x)
        sign = self.xp.sign(x)
        return gy * self.xp.where(x != x, 0, sign).astype(sign.dtype)  # torch: sgn(NaN) = 0

    def backward_graph(self, gy: Any) -> Any:
        (x,) = self.saved_tensors
        if x.dtype.kind == "c":
            return gy * self.constant(sgn(self.xp, x))
        return gy * Mask.apply(self.graph_input(0, x), _sign)


def sgn(xp: Any, z: Any) -> Any:
    """z/|z| for a complex array (0 where z = 0), torch's ``sgn``."""
    r = xp.abs(z)
    return xp.where(r == 0, 0, z / xp.where(r == 0, 1, r)).astype(z.dtype)


def conj(v: Any) -> Any:
    """The complex conjugate of an array, a Tensor or a number; a real one as it is."""
    if isinstance(v, complex):
        return v.conjugate()
    data = getattr(v, "_data", v)
    if getattr(data, "dtype", None) is not None and data.dtype.kind == "c":
        return v.conj()
    return v


class Clamp(Function):
    """y = min(max(x, lo), hi), each bound a number or an array broadcast with x (a NaN bound
    gives NaN, as torch's ``maximum``/``minimum`` do; lo > hi gives hi). torch's subgradients
    (``clamp_backward``, ``clamp_backward_min_max``)::

        ∂y/∂x  = 1 where lo ≤ x ≤ hi                     (a missing bound always holds)
        ∂y/∂lo = 1 where x < lo, and lo < hi when both are given
        ∂y/∂hi = 1 where x > hi, or where hi < lo

    each summed back to its operand's shape; a number bound gets no gradient."""

    def forward(self, x: Any, lo: Any = None, hi: Any = None) -> Any:
        xp = self.xp
        self.save_for_backward(x)
        self.lo, self.hi = lo, hi
        y = x
        if lo is not None:
            y = xp.where((x < lo) | (lo != lo), xp.asarray(lo, dtype=x.dtype), y)  # NaN in x
        if hi is not None:                                                        # stays NaN
            y = xp.where((y > hi) | (hi != hi), xp.asarray(hi, dtype=x.dtype), y)
        return xp.asarray(y).copy() if y is x else y

    def _masks(self, x: Any) -> list:
        """Where the gradient flows, for each tensor operand (x, then the tensor bounds)."""
        lo, hi, both = self.lo, self.hi, self.lo is not None and self.hi is not None
        masks = []
        for position in self.input_positions:
            if position == 0:
                mask = self.xp.ones(x.shape, dtype=bool)
                if lo is not None:
                    mask = mask & (x >= lo)
                if hi is not None:
                    mask = mask & (x <= hi)
            elif position == 1:
                mask = (x < lo) & (lo < hi) if both else x < lo
            else:
                mask = (x > hi) | (hi < lo) if both else x > hi
            masks.append((mask, (x, lo, hi)[position]))
        return masks

    def backward(self, gy: Any) -> Any:
        (x,) = self.saved_tensors
        out = [unbroadcast(self.xp, gy * mask, operand.shape)
               for mask, operand in self._masks(x)]
        return out[0] if len(out) == 1 else tuple(out)

    def backward_graph(self, gy: Any) -> Any:
        (x,) = self.saved_tensors
        dtype = gy._data.dtype
        out = [sum_to(gy * self.constant(mask.astype(dtype)), operand.shape)
               for mask, operand in self._masks(x)]
        return out[0] if len(out) == 1 else tuple(out)

    def name(self) -> str:  # torch: number bounds ClampBackward1, tensor bounds ClampBackward0
        return "ClampBackward0" if self._tensor_bounds() else "ClampBackward1"

    def _tensor_bounds(self) -> bool:
        return len(self.input_positions) > 1


class ClampMin(Clamp):
    """``clamp_min(x, lo)``: Clamp without an upper bound, under torch's node name."""

    def name(self) -> str:
        return "ClampMinBackward1" if self._tensor_bounds() else "ClampMinBackward0"


class ClampMax(Clamp):
    """``clamp_max(x, hi)``: Clamp without a lower bound, under torch's node name."""

    def name(self) -> str:
        return "ClampMaxBackward1" if self._tensor_bounds() else "ClampMaxBackward0"


def _first_on_ties(xp: Any, a: Any, b: Any, y: Any) -> Any:
    """``y`` (max or min of a and b) with ``a`` where a == b, as PyTorch returns it: the two
    differ only for -0.0 and +0.0, which compare equal (NumPy may return either)."""
    return xp.where(a == b, a, y).astype(y.dtype, copy=False)


class Maximum(Function):
    """y = max(a, b); the gradient goes to the larger input, split in half on ties (PyTorch)."""

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = _shape_of(a), _shape_of(b)
        self.save_for_backward(a, b)
        return _first_on_ties(self.xp, a, b, self.xp.maximum(a, b))

    def backward(self, gy: Any) -> Any:
        a, b = self.saved_tensors
        return _split_between(self, gy, a_loses=a < b, b_loses=a > b, ties=a == b)

    def backward_graph(self, gy: Any) -> Any:
        a, b = self.saved_tensors
        return _graph_split(self, gy, a_loses=a < b, b_loses=a > b, ties=a == b)


class Minimum(Function):
    """y = min(a, b); the gradient goes to the smaller input, split in half on ties (PyTorch)."""

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = _shape_of(a), _shape_of(b)
        self.save_for_backward(a, b)
        return _first_on_ties(self.xp, a, b, self.xp.minimum(a, b))

    def backward(self, gy: Any) -> Any:
        a, b = self.saved_tensors
        return _split_between(self, gy, a_loses=a > b, b_loses=a < b, ties=a == b)

    def backward_graph(self, gy: Any) -> Any:
        a, b = self.saved_tensors
        return _graph_split(self, gy, a_loses=a > b, b_loses=a < b, ties=a == b)


class Where(Function):
    """y = cond ? a : b — the gradient flows to the chosen side."""

    def forward(self, cond: Any, a: Any, b: Any) -> Any:
        self.a, self.b = _shape_of(a), _shape_of(b)
        self.cond = cond
        return self.xp.where(cond, a, b)

    def backward(self, gy: Any) -> Any:
        zero = self.xp.zeros((), dtype=gy.dtype)
        ga, gb = self.xp.where(self.cond, gy, zero), self.xp.where(self.cond, zero, gy)
        return _grads(self, ga, gb)  # cond arrives as a raw array: it has no edge

    def backward_graph(self, gy: Any) -> Any:
        keep = self.constant(self.xp.asarray(self.cond, dtype=gy._data.dtype))
        return _graph_grads(self, gy * keep, gy * (1 - keep))


# -- helpers ----------------------------------------------------------------------------------
def _shape_of(v: Any) -> Any:
    return v if hasattr(v, "shape") else None


def _grads(fn: Function, ga: Any, gb: Any) -> tuple:
    """Reduce both gradients to their input's shape; drop the ones for Python numbers."""
    xp = fn.xp
    out = []
    for like, g in ((fn.a, ga), (fn.b, gb)):
        if like is not None and g is not None:
            out.append(sum_to_size(xp, g, like))
    return tuple(out) if len(out) != 1 else out[0]


def _split_between(fn: Function, gy: Any, a_loses: Any, b_loses: Any, ties: Any) -> Any:
    """PyTorch's rule: each side gets the gradient unless it lost; ties split it in half
    (with a NaN nobody loses, so both sides get it)."""
    xp = fn.xp
    share = xp.where(ties, gy * 0.5, gy)
    zero = xp.zeros((), dtype=gy.dtype)
    return _grads(fn, xp.where(a_loses, zero, share), xp.where(b_loses, zero, share))



def _graph_grads(fn: Function, ga: Any, gb: Any) -> Any:
    """``_grads`` on Tensors: sum each gradient to its input's shape, on the graph."""
    from minitorch.autograd.ops.grad_ops import sum_to

    out = []
    for like, g in ((fn.a, ga), (fn.b, gb)):
        if like is not None and g is not None:
            out.append(sum_to(g, like.shape))
    return tuple(out) if len(out) != 1 else out[0]


def _graph_split(fn: Function, gy: Any, a_loses: Any, b_loses: Any, ties: Any) -> Any:
    """``_split_between`` on Tensors: the shares are constants, gy stays on the graph."""
    xp = fn.xp
    dtype = gy._data.dtype
    share = xp.where(ties, 0.5, 1.0).astype(dtype)
    to_a = fn.constant(xp.where(a_loses, 0, share).astype(dtype))
    to_b = fn.constant(xp.where(b_loses, 0, share).astype(dtype))
    return _graph_grads(fn, gy * to_a, gy * to_b)
