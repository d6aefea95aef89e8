"""The tensor methods for in-place updates: fills, copies, ``add_``, random fills, …

A mixin of :class:`minitorch.tensor.Tensor`; every differentiable method calls an op's
``apply`` and the math lives in :mod:`minitorch.autograd.ops`. ``Tensor`` (the class
these methods are mixed into) is bound in this module once the class exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Union

import numpy as np

from minitorch import dtypes
from minitorch.autograd.grad_mode import is_grad_enabled
from minitorch.autograd.ops import elementwise as ew
from minitorch.autograd.ops import inplace
from minitorch.autograd.ops import nn as nn_ops
from minitorch.shapes import broadcast_shapes
from minitorch.tensor.helpers import (
    _ADDCDIV_INTEGERS,
    _check_inplace_result_type,
    _inplace_form,
    _kind_name,
    _rounding_op,
    _scalar_as,
    _scaled,
    expect_tensors,
)

Number = Union[int, float, bool]

if TYPE_CHECKING:
    from minitorch.tensor.core import Tensor


class InPlace:
    """Tensor methods: in-place updates — fills, copies, ``add_``, random fills, …"""

    # ------------------------------------------------------------ in-place updates
    def _check_inplace(self) -> None:
        """PyTorch's refusals: a leaf that requires grad (or a view of one) cannot change in
        place while recording, and no tensor whose elements overlap (an expand) ever can."""
        if is_grad_enabled():
            if self._view_without_grad:
                raise RuntimeError(
                    "A view was created in no_grad mode and is being modified inplace with grad "
                    "mode enabled. Given that this use case is ambiguous and error-prone, it is "
                    "forbidden. You can clarify your code by moving both the view and the "
                    "inplace either both inside the no_grad block (if you don't want the inplace "
                    "to be tracked) or both outside (if you want the inplace to be tracked).")
            if self.requires_grad and self.is_leaf:
                raise RuntimeError("a leaf Variable that requires grad is being used in an "
                                   "in-place operation.")
            base = self._base
            if base is not None and base.requires_grad and base.is_leaf:
                raise RuntimeError("a view of a leaf Variable that requires grad is being "
                                   "used in an in-place operation.")
        if self._data.size > 1 and any(st == 0 and n > 1 for st, n in
                                        zip(self._data.strides, self._data.shape)):
            raise RuntimeError("unsupported operation: more than one element of the written-to "
                               "tensor refers to a single memory location. Please clone() the "
                               "tensor before performing the operation.")
        flags = getattr(self._data, "flags", None)
        if flags is not None and not flags.writeable:
            # a slice of an expanded view without repeats: NumPy marks it read-only, yet each
            # element has its own memory, so torch writes through to the base
            try:
                flags.writeable = True
            except ValueError:
                pass

    def _inplace(self, result: Tensor) -> Tensor:
        """Write ``result`` into this tensor's storage (views see it) and take over its
        graph position, as PyTorch's in-place ops do."""
        if tuple(result.shape) != tuple(self.shape):
            raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the "
                               f"broadcast shape {list(result.shape)}")
        if result.dtype.is_floating_point and not self.dtype.is_floating_point or \
                result.dtype is not dtypes.bool_ and self.dtype is dtypes.bool_:
            # torch's can_cast: no float into an integer tensor, nothing else into a bool
            raise RuntimeError(f"result type {_kind_name(result.dtype)} can't be cast to the "
                               f"desired output type {_kind_name(self.dtype)}")
        old_node = self.grad_fn if self._base is not None else None  # before the bump
        self._data[...] = result._data
        self._vc[0] += 1
        if result.grad_fn is not None:
            # an op that saved its output (relu, sigmoid, ...) now saves this tensor: a later
            # in-place edit of it must fail backward, as in torch
            fn = result.grad_fn
            fn._saved_versions = [(self._vc, self._vc[0], what) if counter is result._vc
                                  else (counter, version, what)
                                  for counter, version, what in fn._saved_versions]
            if self._base is not None:
                # torch reads a view changed in place from its rebased base: the view's old
                # nodes leave the gradient's path, and hooks registered on them never fire
                node, nr = old_node, self._output_nr
                while node is not None and node.is_view:
                    node.tensor_hooks.pop(nr, None)
                    node, nr = node.next_functions[0] if node.next_functions else (None, 0)
            self._rebase(result)
        return self

    def _rebase(self, result: Tensor) -> None:
        """Put this tensor, just changed in place to ``result``'s values, on the graph. For a
        view, the base takes a ``CopySlices`` node (the old base outside the view, ``result``
        inside it) and the view is read from the new base (``AsStridedBackward0``)."""
        from minitorch.autograd.ops.grad_ops import AsStrided, CopySlices

        base = self._base
        if base is None:
            self.grad_fn, self._output_nr = result.grad_fn, result._output_nr
            self.requires_grad = True
            return
        node = CopySlices.apply(base, result, self._view_steps).grad_fn
        base.grad_fn, base._output_nr, base.requires_grad = node, 0, True
        self.grad_fn = AsStrided.apply(base, self._view_steps).grad_fn
        self._output_nr, self.requires_grad = 0, True
        self._view_version = self._vc[0]

    def _inplace_op(self, other: Any, op: type, alpha: Optional[Number] = None) -> Tensor:
        self._check_inplace()
        if isinstance(other, Tensor):  # torch's broadcast error, not NumPy's
            broadcast_shapes(self.shape, other.shape)
        _check_inplace_result_type(self, other, op)
        other = _scaled(self, other, alpha)
        a = self._original(other)
        b = other
        if isinstance(b, Tensor) and b.dtype != a.dtype:
            b = b._to(a.dtype, None)
        else:
            b = _scalar_as(b, a.dtype)
        return self._inplace(op.apply(a, b))

    def _original(self, other: Any = None) -> Tensor:
        """The operand of an in-place op. While recording, a copy of the current values on
        the same graph position: the op may save it for backward, and the storage is about to
        be overwritten (PyTorch saves ``original_self`` the same way)."""
        from minitorch.autograd.function import _attach, _edge

        if not self._recording(other):
            return self
        t = Tensor._wrap(self._data.copy())
        if self.requires_grad:
            _attach(t, *_edge(self))
        return t

    def add_(self, other: Any, alpha: Optional[Number] = None) -> Tensor:
        return self._inplace_op(other, ew.Add, alpha)

    def sub_(self, other: Any, alpha: Optional[Number] = None) -> Tensor:
        return self._inplace_op(other, ew.Sub, alpha)

    def mul_(self, other: Any) -> Tensor:
        return self._inplace_op(other, ew.Mul)

    def div_(self, other: Any, *, rounding_mode: Optional[str] = None) -> Tensor:
        if rounding_mode is not None:
            return self._division_(other, _rounding_op(rounding_mode))
        return self._inplace_op(other, ew.Div)

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_

    def clamp_(self, min: Optional[Number] = None, max: Optional[Number] = None) -> Tensor:
        self._check_inplace()
        return self._inplace(self._original().clamp(min, max))

    def addcmul(self, tensor1: Tensor, tensor2: Tensor, *, value: Number = 1) -> Tensor:
        """self + value·tensor1·tensor2, the three broadcast together; one fused node
        (``AddcmulBackward0``), whose backward multiplies before it sums over broadcast dims
        (Σ g·t2, not (Σ g)·t2: they differ when t2 holds ±inf)."""
        return self._addc(ew.Addcmul, tensor1, tensor2, value)

    def addcdiv(self, tensor1: Tensor, tensor2: Tensor, *, value: Number = 1) -> Tensor:
        """self + value·tensor1/tensor2, the three broadcast together (``AddcdivBackward0``);
        two integer operands are refused, as in PyTorch."""
        return self._addc(ew.Addcdiv, tensor1, tensor2, value)

    def _addc(self, op: type, t1: Tensor, t2: Tensor, value: Number) -> Tensor:
        name = op.__name__.lower()
        expect_tensors(name, t1, t2)
        if op is ew.Addcdiv and not (t1.dtype.is_floating_point or t2.dtype.is_floating_point):
            raise RuntimeError(_ADDCDIV_INTEGERS)
        broadcast_shapes(broadcast_shapes(self.shape, t1.shape), t2.shape)  # torch's error
        target = dtypes.result_type(self, t1, t2)
        if target is dtypes.bool_:
            raise NotImplementedError(f"\"{name}_cpu_out\" not implemented for 'Bool'")
        c, t1, t2 = (t if t.dtype is target else t._to(target, None) for t in (self, t1, t2))
        return op.apply(c, t1, t2, value if target.is_floating_point else int(value))

    def _fill_raw(self, array: Any) -> Tensor:
        self._check_inplace()
        self._data[...] = array
        self._vc[0] += 1
        return self

    def _recording(self, src: Any = None) -> bool:
        return is_grad_enabled() and (self.requires_grad or (
            isinstance(src, Tensor) and src.requires_grad))

    def _fill_values(self, values: Any, node_name: str) -> Tensor:
        """Overwrite every element (a number or an array of this shape); while recording, the
        old values get a zero gradient through a node called ``node_name``."""
        if not self._recording():
            return self._fill_raw(values)
        self._check_inplace()
        return self._inplace(inplace.Fill.apply(self, values, node_name))

    def zero_(self) -> Tensor:
        return self._fill_values(0, "ZeroBackward0")

    def fill_(self, value: Any) -> Tensor:
        """Every element set to ``value``: a number, or a 0-d tensor, whose gradient is the
        sum of the result's (FillBackward3)."""
        if not isinstance(value, Tensor):
            return self._fill_values(value, "FillBackward2")
        if value.ndim != 0:
            raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value.ndim} dimensions.")
        if not self._recording(value):
            return self._fill_raw(value.item())
        self._check_inplace()
        return self._inplace(inplace.FillWithTensor.apply(self, value._to(self.dtype, None)))

    def copy_(self, src: Any) -> Tensor:
        if not isinstance(src, Tensor):
            return self.fill_(src)
        src = src._to(self.dtype, self.device)
        shape = broadcast_shapes(self.shape, src.shape)
        if tuple(shape) != tuple(self.shape):
            raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the "
                               f"broadcast shape {list(shape)}")
        if not self._recording(src):
            return self._fill_raw(src._data)
        self._check_inplace()
        return self._inplace(inplace.CopyFrom.apply(self, src))

    def relu_(self) -> Tensor:
        self._check_inplace()
        return self._inplace(nn_ops.Relu.apply(self))

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
        from minitorch.random import rng

        return self._fill_values(self._host(rng(generator).uniform(a, b, self.shape)),
                                 "UniformBackward0")

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
        from minitorch.random import rng

        return self._fill_values(self._host(rng(generator).normal(mean, std, self.shape)),
                                 "NormalBackward0")

    def _host(self, array: np.ndarray) -> Any:
        """A NumPy array moved to this tensor's device and dtype."""
        array = array.astype(self._data.dtype)
        if self.is_cuda:
            from minitorch.backends.cuda.device import to_gpu

            return to_gpu(array)
        return array

    clip_ = clamp_
    divide_ = true_divide_ = div_
    multiply_ = mul_
    subtract_ = sub_
    addcmul_ = _inplace_form("addcmul")
    addcdiv_ = _inplace_form("addcdiv")
