"""The out-of-place halves of in-place ops that replace values: ``fill_``/``zero_``,
``copy_``, item assignment with an index array, and the in-place ops torch records without
a derivative. ``Tensor._inplace`` writes their result
into the tensor and moves the tensor onto their node (on a view, via ``CopySlices``)."""

from __future__ import annotations

from typing import Any, Tuple

from minitorch.autograd.function import Function
from minitorch.autograd.ops.grad_ops import sum_to
from minitorch.autograd.ops.util import scatter_add, unbroadcast


class Fill(Function):
    """y = value everywhere (a number, or an array of x's shape: random draws); the old values
    get no gradient (∂y/∂x = 0)."""

    def forward(self, x: Any, value: Any, node_name: str) -> Any:
        self.node_name = node_name
        y = self.xp.empty(x.shape, dtype=x.dtype)
        y[...] = value
        return y

    def backward(self, gy: Any) -> Any:
        return self.xp.zeros_like(gy)

    def backward_graph(self, gy: Any) -> Any:
        return gy * 0

    def name(self) -> str:
        return self.node_name


class FillWithTensor(Fill):
    """y = a 0-d tensor's value everywhere: the old values get no gradient, the value
    ∂L/∂v = Σ ∂L/∂y (torch's FillBackward3)."""

    def forward(self, x: Any, value: Any) -> Any:
        return super().forward(x, value, "FillBackward3")

    def backward(self, gy: Any) -> Any:
        return self.xp.zeros_like(gy), gy.sum()

    def backward_graph(self, gy: Any) -> Any:
        return gy * 0, gy.sum()


class CopyFrom(Function):
    """y = src broadcast to x's shape; the gradient goes to src (summed back), none to x."""

    def forward(self, x: Any, src: Any) -> Any:
        self.src_shape = src.shape
        return self.xp.broadcast_to(src, x.shape).copy()

    def backward(self, gy: Any) -> Any:
        return self.xp.zeros_like(gy), unbroadcast(self.xp, gy, self.src_shape)

    def backward_graph(self, gy: Any) -> Any:
        return gy * 0, sum_to(gy, self.src_shape)

    def name(self) -> str:
        return "CopyBackwards"


class IndexPut(Function):
    """y = x with y[index] = v (an index array), or with ``accumulate`` y[index] += v (repeated
    indices adding up); ∂L/∂v = (∂L/∂y)[index] summed back to v's shape, ∂L/∂x = ∂L/∂y
    except where v replaced x."""

    def forward(self, x: Any, v: Any, index: Any, accumulate: bool = False) -> Any:
        self.index, self.v_shape, self.accumulate = index, v.shape, accumulate
        y = x.copy()
        if accumulate:
            scatter_add(self.xp, y, index, self.xp.broadcast_to(v, y[index].shape))
        else:
            y[index] = v
        return y

    def _outside(self, gy: Any) -> Any:
        mask = self.xp.ones(gy.shape, dtype=gy.dtype)
        mask[self.index] = 0
        return mask

    def backward(self, gy: Any) -> Tuple[Any, Any]:
        gx = gy if self.accumulate else gy * self._outside(gy)
        return gx, unbroadcast(self.xp, gy[self.index], self.v_shape)

    def backward_graph(self, gy: Any) -> Tuple[Any, Any]:
        from minitorch.autograd.ops.shape import GetItem

        gx = gy if self.accumulate else gy * self.constant(self._outside(gy._data))
        return gx, sum_to(GetItem.apply(gy, self.index), self.v_shape)


class NoDerivative(Function):
    """y = ``values`` (computed by ``op`` from x); backward raises torch's error: torch has
    no derivative for ``op`` in place (``asinh_``, ``acosh_``, ``atanh_``) and records a node
    that fails only when the gradient reaches it."""

    def forward(self, x: Any, values: Any, op: str) -> Any:
        self.op = op
        return values

    def backward(self, gy: Any) -> Any:
        raise NotImplementedError(f"the derivative for 'inplace version of {self.op}' is not "
                                  "implemented.")

    backward_graph = backward

    def name(self) -> str:
        return f"{self.op.capitalize()}Backward1"
