"""Floor division and the two remainders, elementwise with broadcasting, on ``self.xp``
(NumPy or CuPy), so every backend runs the same lines. Floats follow PyTorch's kernels bit
for bit (``inf``/``nan`` for a zero divisor, the sign of a zero result); integer operands
never reach these ops (see ``Tensor.floor_divide``: exact integer arithmetic, and a zero
divisor is an error).

==============  ===========================  ===================  ===========================
op              y                            ∂y/∂a                ∂y/∂b
==============  ===========================  ===================  ===========================
FloorDivide     ⌊a / b⌋                      not defined (error)  not defined (error)
ScalarRemainder number a − ⌊a / b⌋·b         —                    not defined (error)
DivFloor        ⌊a / b⌋ (``div(…, 'floor')``) 0                    0
DivTrunc        trunc(a / b) (``'trunc'``)    0                    0
Remainder       a − ⌊a / b⌋·b  (sign of b)   1                    −⌊a / b⌋
Fmod            a − trunc(a / b)·b (sign a)  1                    −trunc(a / b)
==============  ===========================  ===================  ===========================
"""

from __future__ import annotations

from typing import Any

from minitorch.autograd.function import Function
from minitorch.autograd.ops.elementwise import _grads, _graph_grads, _shape_of


def remainder_of(xp: Any, a: Any, b: Any) -> Any:
    """Python's modulus as PyTorch computes it: ``m = fmod(a, b)``, then ``m + b`` where
    ``m ≠ 0`` and ``m`` and ``b`` differ in sign (so ``-7.5 % inf = inf``, ``-0. % 2 = -0.``)."""
    m = xp.fmod(a, b)
    return xp.where((m != 0) & ((b < 0) != (m < 0)), m + b, m)


def floor_quotient(xp: Any, a: Any, b: Any) -> Any:
    """⌊a / b⌋ (``div(…, 'floor')``, and the quotient of :class:`Remainder`)."""
    return xp.floor_divide(a, b)


def trunc_quotient(xp: Any, a: Any, b: Any) -> Any:
    """trunc(a / b) (``div(…, 'trunc')``, and the quotient of :class:`Fmod`)."""
    return xp.trunc(a / b)


class FloorDivide(Function):
    """y = ⌊a / b⌋ (PyTorch's ``div_floor``: ``a / b`` where b = 0, else Python's float
    ``//``: ``(a − fmod(a, b)) / b`` rounded, one less where the remainder's sign differs
    from b's). Like PyTorch, no derivative: backward raises."""

    aten = "floor_divide"

    def forward(self, a: Any, b: Any) -> Any:
        return self.xp.asarray(self.xp.floor_divide(a, b))

    def backward(self, gy: Any) -> Any:
        raise RuntimeError(f"derivative for aten::{self.aten} is not implemented")

    backward_graph = backward


class ScalarRemainder(FloorDivide):
    """y = a − ⌊a / b⌋·b for a number ``a`` (``2.5 % t``): torch defines no derivative for
    this overload, so backward raises."""

    aten = "remainder"

    def forward(self, a: Any, b: Any) -> Any:
        return self.xp.asarray(remainder_of(self.xp, a, b))


class DivFloor(Function):
    """y = ⌊a / b⌋ as ``div(a, b, rounding_mode='floor')``: the values of
    :class:`FloorDivide`, but torch gives this form a gradient, 0 for both operands."""

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = _shape_of(a), _shape_of(b)
        return self.xp.asarray(self.quotient(a, b))

    def quotient(self, a: Any, b: Any) -> Any:
        return floor_quotient(self.xp, a, b)

    def backward(self, gy: Any) -> Any:
        zero = self.xp.zeros_like(gy)
        return _grads(self, zero, zero)

    def backward_graph(self, gy: Any) -> Any:
        zero = gy.detach() * 0
        return _graph_grads(self, zero, zero)

    def name(self) -> str:  # torch's div overload with a rounding mode
        return "DivBackward2"


class DivTrunc(DivFloor):
    """y = trunc(a / b) (``rounding_mode='trunc'``: a / b rounded toward 0); gradient 0."""

    def quotient(self, a: Any, b: Any) -> Any:
        return trunc_quotient(self.xp, a, b)


class Remainder(Function):
    """y = a − ⌊a / b⌋·b (:func:`remainder_of`);  ∂y/∂a = 1, ∂y/∂b = −⌊a / b⌋."""

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = _shape_of(a), _shape_of(b)
        self.save_for_backward(a if self.b is not None else None, b)
        return self.xp.asarray(self.value(a, b))

    def value(self, a: Any, b: Any) -> Any:
        return remainder_of(self.xp, a, b)

    def name(self) -> str:  # torch's overloads: by a number (…Backward0), by a tensor (…1)
        return f"{type(self).__name__}Backward{0 if self.b is None else 1}"

    def quotient(self, a: Any, b: Any) -> Any:
        return floor_quotient(self.xp, a, b)

    def backward(self, gy: Any) -> Any:
        a, b = self.saved_tensors
        return _grads(self, gy, -gy * self.quotient(a, b) if self.b is not None else None)

    def backward_graph(self, gy: Any) -> Any:
        a, b = self.saved_tensors
        q = self.constant(self.quotient(a, b)) if self.b is not None else None
        return _graph_grads(self, gy, -gy * q if q is not None else None)


class Fmod(Remainder):
    """y = a − trunc(a / b)·b (C's ``fmod``: the sign of a);  ∂y/∂a = 1, ∂y/∂b = −trunc(a/b)."""

    def value(self, a: Any, b: Any) -> Any:
        return self.xp.fmod(a, b)

    def quotient(self, a: Any, b: Any) -> Any:
        return trunc_quotient(self.xp, a, b)
