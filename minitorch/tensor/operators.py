"""The tensor methods for Python's operators, comparisons and logic tests.

A mixin of :class:`minitorch.tensor.Tensor`; every differentiable method calls an op's
``apply`` and the math lives in :mod:`minitorch.autograd.ops`. ``Tensor`` (the class
these methods are mixed into) is bound in this module once the class exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional, Union

import numpy as np

from minitorch import dtypes
from minitorch.autograd.ops import elementwise as ew
from minitorch.autograd.ops import nn as nn_ops
from minitorch.fperrors import quietly
from minitorch.shapes import broadcast_shapes
from minitorch.tensor.helpers import (
    _dims,
    _integer_power_errors,
    _kind_name,
    _no_bool_subtraction,
    _promote,
    _raw,
    _rounding_op,
    _scalar_as,
    _scaled,
    _tensor_like,
    _xp_of,
    matmul,
)

Number = Union[int, float, bool]

if TYPE_CHECKING:
    from minitorch.tensor.core import Tensor


class Operators:
    """Tensor methods: Python's operators, comparisons and logic tests."""

    # ----------------------------------------------------------------- arithmetic
    def _binary(self, other: Any, op: type, reverse: bool = False) -> Tensor:
        a, b = _promote(self, other)
        return op.apply(b, a) if reverse else op.apply(a, b)

    def __add__(self, other: Any) -> Tensor:
        return self._binary(other, ew.Add)

    def __radd__(self, other: Any) -> Tensor:
        return self._binary(other, ew.Add, reverse=True)

    def __sub__(self, other: Any) -> Tensor:
        _no_bool_subtraction(self, other)
        return self._binary(other, ew.Sub)

    def __rsub__(self, other: Any) -> Tensor:
        _no_bool_subtraction(self, other)
        return self._binary(other, ew.Sub, reverse=True)

    def __mul__(self, other: Any) -> Tensor:
        return self._binary(other, ew.Mul)

    def __rmul__(self, other: Any) -> Tensor:
        return self._binary(other, ew.Mul, reverse=True)

    def __truediv__(self, other: Any) -> Tensor:
        a, b = _promote(self, other, true_divide=True)
        return ew.Div.apply(a, b)

    def __rtruediv__(self, other: Any) -> Tensor:
        if isinstance(other, (int, float)) and not isinstance(other, bool) and \
                not self.dtype.is_complex:
            # torch: number / x is reciprocal(x) · number (MulBackward0, and its values)
            return self.reciprocal() * other
        a, b = _promote(self, other, true_divide=True)
        return ew.Div.apply(b, a)

    def __pow__(self, other: Any) -> Tensor:
        with _integer_power_errors():
            return self._binary(other, ew.Pow)

    def __rpow__(self, other: Any) -> Tensor:
        with _integer_power_errors():
            return self._binary(other, ew.Pow, reverse=True)

    def __matmul__(self, other: Tensor) -> Tensor:
        return matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return matmul(_tensor_like(other, self), self)

    def __neg__(self) -> Tensor:
        if self.dtype is dtypes.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                               "If you are trying to invert a mask, use the `~` or "
                               "`logical_not()` operator instead.")
        return ew.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return self.abs()

    def add(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """self + alpha·other."""
        return self + _scaled(self, other, alpha)

    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """self - alpha·other."""
        return self - _scaled(self, other, alpha)

    mul = __mul__

    def div(self, other: Any, *, rounding_mode: Optional[str] = None) -> Tensor:
        """a / b; ``rounding_mode='floor'``: ⌊a / b⌋, ``'trunc'``: a / b rounded toward 0
        (integers stay integers; the rounded forms have gradient 0, as in torch)."""
        return self._division(other, _rounding_op(rounding_mode)) if rounding_mode \
            is not None else self / other

    pow = __pow__
    matmul = __matmul__
    neg = __neg__

    def exp(self) -> Tensor:
        return ew.Exp.apply(self._floating())

    def log(self) -> Tensor:
        return ew.Log.apply(self._floating())

    def sqrt(self) -> Tensor:
        return ew.Sqrt.apply(self._floating())

    def abs(self) -> Tensor:
        if self.dtype is dtypes.bool_:
            raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
        return ew.Abs.apply(self)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        """min(max(self, min), max): bounds are both numbers or both tensors (broadcast with
        self); the result has the dtype of ``self ⊙ min ⊙ max`` (an integer tensor clamped
        to 2.5 becomes float, as in torch)."""
        return self._clamp(min, max, ew.Clamp)

    def _clamp(self, min: Any, max: Any, op: type) -> Tensor:
        """``clamp``, ``clamp_min`` and ``clamp_max`` (``op`` names the node)."""
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        given = [b for b in (min, max) if b is not None]
        if any(isinstance(b, Tensor) for b in given) and \
                not all(isinstance(b, Tensor) for b in given):
            kinds = ", ".join(f"{name}={type(b).__name__}" for name, b in
                              (("max", max), ("min", min)) if b is not None)
            raise TypeError(f"clamp() received an invalid combination of arguments - got "
                            f"(Tensor, {kinds}), but expected one of:\n"
                            " * (Tensor input, Tensor min = None, Tensor max = None)\n"
                            " * (Tensor input, Number min = None, Number max = None)")
        x = self
        for bound in given:
            x, _ = _promote(x, bound)
        lo, hi = (b._to(x.dtype, None) if isinstance(b, Tensor) and b.dtype is not x.dtype
                  else b for b in (min, max))
        return op.apply(x, lo, hi)

    clip = clamp

    def maximum(self, other: Tensor) -> Tensor:
        return self._binary(other, ew.Maximum)

    def minimum(self, other: Tensor) -> Tensor:
        return self._binary(other, ew.Minimum)

    def relu(self) -> Tensor:
        if self.dtype.is_complex:
            raise NotImplementedError("clamp is not supported for complex types")
        return nn_ops.Relu.apply(self)

    def sigmoid(self) -> Tensor:
        return nn_ops.Sigmoid.apply(self._floating())

    def tanh(self) -> Tensor:
        return nn_ops.Tanh.apply(self._floating())

    def softmax(self, dim: int) -> Tensor:
        return nn_ops.Softmax.apply(self, nn_ops.softmax_dim(self, dim))

    def log_softmax(self, dim: int) -> Tensor:
        return nn_ops.LogSoftmax.apply(self, nn_ops.softmax_dim(self, dim, "log_softmax"))

    def _floating(self) -> Tensor:
        if self.dtype.is_complex:  # the real-valued math functions: not for complex here
            raise NotImplementedError(f"this function of complex tensors ({self.dtype!r}) is "
                                      "not implemented in minitorch (torch has it)")
        return self if self.dtype.is_floating_point else self._to(dtypes.get_default_dtype(), None)

    # ---------------------------------------------------------------- comparisons
    def _compare(self, other: Any, op: Callable[[Any, Any], Any]) -> Tensor:
        if isinstance(other, Tensor):
            broadcast_shapes(self.shape, other.shape)
            return Tensor._wrap(op(self._data, other._data))
        return Tensor._wrap(op(self._data, _scalar_as(other, self.dtype)))

    def _bitwise(self, other: Any, kernel: str, op: Callable[[Any, Any], Any]) -> Tensor:
        """A bitwise op (integers and bool only) in the operands' promoted dtype."""
        a, b = _promote(self, other)
        if a.dtype.is_floating_point:
            raise NotImplementedError(f'"{kernel}_cpu" not implemented for \'{a.dtype.kind}\'')
        return Tensor._wrap(op(a._data, _raw(b)))

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(other, lambda a, b: a < b)

    def __le__(self, other: Any) -> Tensor:
        return self._compare(other, lambda a, b: a <= b)

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(other, lambda a, b: a > b)

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(other, lambda a, b: a >= b)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, lambda a, b: a == b)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, lambda a, b: a != b)

    lt, le, gt, ge, eq, ne = __lt__, __le__, __gt__, __ge__, __eq__, __ne__

    def __and__(self, other: Any) -> Tensor:
        return self._bitwise(other, "bitwise_and", lambda a, b: a & b)

    def __or__(self, other: Any) -> Tensor:
        return self._bitwise(other, "bitwise_or", lambda a, b: a | b)

    def __xor__(self, other: Any) -> Tensor:
        return self._bitwise(other, "bitwise_xor", lambda a, b: a ^ b)

    def __lshift__(self, other: Any) -> Tensor:
        """Shift left; bits past the width are lost (``uint8`` 200 << 1 is 144)."""
        return self._bitwise(other, "lshift", lambda a, b: a << b)

    def __rshift__(self, other: Any) -> Tensor:
        """Arithmetic shift right (a negative number stays negative)."""
        return self._bitwise(other, "rshift", lambda a, b: a >> b)

    bitwise_and, bitwise_or, bitwise_xor = __and__, __or__, __xor__
    bitwise_left_shift, bitwise_right_shift = __lshift__, __rshift__

    def __invert__(self) -> Tensor:
        if self.dtype.is_floating_point:
            raise TypeError("~ (operator.invert) is only implemented on integer and "
                            "Boolean-type tensors")
        return Tensor._wrap(~self._data)

    def equal(self, other: Tensor) -> bool:
        return self.shape == other.shape and bool((self._data == other._data).all())

    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """True where every element (of the whole tensor, or along ``dim``) is non-zero."""
        return self._truth_reduction("all", dim, keepdim)

    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """True where some element (of the whole tensor, or along ``dim``) is non-zero."""
        return self._truth_reduction("any", dim, keepdim)

    def _truth_reduction(self, name: str, dim: Any, keepdim: bool) -> Tensor:
        """``all`` / ``any`` over ``dim`` (an int, a tuple, or None for every dim); bool."""
        dims = _dims(dim, self.ndim)  # checks range and repeats, as torch
        reduce = getattr(self._data, name)
        if dims is None:
            out = reduce()
            out = out.reshape((1,) * self.ndim) if keepdim and dim is not None else out
        else:
            out = reduce(axis=dims, keepdims=keepdim)
        # torch's quirk: all/any of a uint8 tensor is uint8
        return Tensor._wrap(out.astype(np.uint8) if self.dtype is dtypes.uint8 else out)

    def isnan(self) -> Tensor:
        return Tensor._wrap(self._data != self._data)

    # -------------------------------------------------- logic and tests (no gradient)
    def _logic(self, value: Any) -> Tensor:
        return Tensor._wrap(value)

    def isfinite(self) -> Tensor:
        return self._logic(self._isfinite(True))

    def isinf(self) -> Tensor:
        return self._logic(self._isfinite(False))

    def _isfinite(self, finite: bool) -> Any:
        xp = np if isinstance(self._data, np.ndarray) else _xp_of(self._data)
        if not self.dtype.is_floating_point:
            return xp.full(self.shape, finite)
        return xp.isfinite(self._data) if finite else xp.isinf(self._data)

    def isposinf(self) -> Tensor:
        return self.isinf() & (self > 0)

    def isneginf(self) -> Tensor:
        return self.isinf() & (self < 0)

    @quietly  # |a - b| of ±3e38 overflows to inf: not close, as in torch
    def isclose(self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
                equal_nan: bool = False) -> Tensor:
        xp = _xp_of(self._data)
        return self._logic(xp.isclose(self._data, other._data, rtol=rtol, atol=atol,
                                      equal_nan=equal_nan))

    def allclose(self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
                 equal_nan: bool = False) -> bool:
        return bool(self.isclose(other, rtol, atol, equal_nan).all())

    def logical_not(self) -> Tensor:
        return self._logic(self._data == 0)

    def logical_and(self, other: Tensor) -> Tensor:
        return self._logic((self._data != 0) & (_raw(other) != 0))

    def logical_or(self, other: Tensor) -> Tensor:
        return self._logic((self._data != 0) | (_raw(other) != 0))

    def logical_xor(self, other: Tensor) -> Tensor:
        return self._logic((self._data != 0) ^ (_raw(other) != 0))

    def bitwise_not(self) -> Tensor:
        if self.dtype.is_floating_point:
            raise NotImplementedError("\"bitwise_not_cpu\" not implemented for "
                                      f"'{_kind_name(self.dtype)}'")
        return self._logic(~self._data)

    def nan_to_num(self, nan: float = 0.0, posinf: Optional[float] = None,
                   neginf: Optional[float] = None) -> Tensor:
        if not self.dtype.is_floating_point:
            return self.clone()
        info = np.finfo(self._data.dtype)
        big = info.max if posinf is None else posinf
        small = info.min if neginf is None else neginf
        out = self.masked_fill(self.isnan(), nan)
        out = out.masked_fill(self.isposinf(), big)
        return out.masked_fill(self.isneginf(), small)

    divide = div
    multiply = mul
    subtract = sub
    negative = neg
    absolute = abs
