"""Reductions: sum, nansum, mean, var/std (alone or with the mean), max/min (with indices
along a dim), argmax/argmin.

A reduction's backward *broadcasts* the gradient back over the reduced dims — the adjoint
of summing. ``dims`` is a tuple of non-negative axes, or None for all axes.
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

from minitorch.autograd.function import Function
from minitorch.autograd.ops.grad_ops import expand_back
from minitorch.autograd.ops.util import mean

Dims = Optional[Tuple[int, ...]]


def _expand_back(xp: Any, gy: Any, shape: Tuple[int, ...], dims: Dims, keepdim: bool) -> Any:
    """Reinsert the reduced axes (size 1) so ``gy`` broadcasts against the input: one reshape
    (a view; ``expand_dims`` axis by axis cost ~1.5 µs each). A plain number (the 0 that
    stands for a missing gradient) broadcasts as it is."""
    if keepdim or not hasattr(gy, "reshape"):
        return gy
    return gy.reshape(tuple(1 if dims is None or axis in dims else n
                            for axis, n in enumerate(shape)))


class Sum(Function):
    """y = Σ_dims x;  ∂y/∂x = 1 (the gradient is copied to every summed element)."""

    def forward(self, x: Any, dims: Dims = None, keepdim: bool = False) -> Any:
        self.shape, self.dims, self.keepdim = x.shape, dims, keepdim
        dtype = x.dtype if x.dtype.kind in "fc" else "int64"
        return self.xp.asarray(x.sum(axis=dims, keepdims=keepdim, dtype=dtype))

    def backward(self, gy: Any) -> Any:
        gy = _expand_back(self.xp, gy, self.shape, self.dims, self.keepdim)
        return self.xp.broadcast_to(gy, self.shape).copy()

    def backward_graph(self, gy: Any) -> Any:
        return expand_back(gy, self.shape, self.dims, self.keepdim)

    def name(self) -> str:  # torch: 0 for the whole tensor, 1 with dims
        return "SumBackward0" if self.dims is None else "SumBackward1"


class Nansum(Function):
    """y = Σ_dims x over the elements that are not NaN;  ∂y/∂x = [x is not NaN] (0 at a NaN)."""

    def forward(self, x: Any, dims: Dims = None, keepdim: bool = False) -> Any:
        xp = self.xp
        self.shape, self.dims, self.keepdim = x.shape, dims, keepdim
        if x.dtype.kind == "f":
            self.kept = ~xp.isnan(x)
            x = xp.where(self.kept, x, xp.zeros((), dtype=x.dtype))
        dtype = x.dtype if x.dtype.kind in "fc" else "int64"
        return xp.asarray(x.sum(axis=dims, keepdims=keepdim, dtype=dtype))

    def backward(self, gy: Any) -> Any:
        gy = _expand_back(self.xp, gy, self.shape, self.dims, self.keepdim)
        return self.xp.broadcast_to(gy, self.shape) * self.kept  # torch's grad · ~isnan(x)

    def backward_graph(self, gy: Any) -> Any:
        kept = self.constant(self.kept.astype(gy._data.dtype))
        return expand_back(gy, self.shape, self.dims, self.keepdim) * kept


class Mean(Function):
    """y = Σ_dims x / n;  ∂y/∂x = 1/n."""

    def forward(self, x: Any, dims: Dims = None, keepdim: bool = False) -> Any:
        self.shape, self.dims, self.keepdim = x.shape, dims, keepdim
        axes = range(x.ndim) if dims is None else dims
        self.count = 1
        for axis in axes:
            self.count *= x.shape[axis]
        return self.xp.asarray(mean(x, dims, keepdim))

    def backward(self, gy: Any) -> Any:
        gy = _expand_back(self.xp, gy, self.shape, self.dims, self.keepdim)
        return self.xp.broadcast_to(gy / self.count, self.shape).copy()

    def backward_graph(self, gy: Any) -> Any:
        return expand_back(gy / self.count, self.shape, self.dims, self.keepdim)

    def name(self) -> str:
        return "MeanBackward0" if self.dims is None else "MeanBackward1"


class Var(Function):
    """y = Σ (x - mean)² / (n - correction);  ∂y/∂x = 2 (x - mean) / (n - correction)."""

    def forward(self, x: Any, dims: Dims = None, correction: float = 1,
                keepdim: bool = False) -> Any:
        xp = self.xp
        self.shape, self.dims, self.keepdim = x.shape, dims, keepdim
        axes = range(x.ndim) if dims is None else dims
        n = 1
        for axis in axes:
            n *= x.shape[axis]
        self.count, self.denominator = n, max(n - correction, 0)
        centred = x - mean(x, dims, True)
        self.save_for_backward(centred, x)
        total = (centred * centred).sum(axis=dims, keepdims=keepdim)
        return xp.asarray(total / x.dtype.type(self.denominator))

    def backward(self, gy: Any) -> Any:
        centred, _ = self.saved_tensors
        gy = _expand_back(self.xp, gy, self.shape, self.dims, self.keepdim)
        return gy * centred * (2 / centred.dtype.type(self.denominator))

    def backward_graph(self, gy: Any) -> Any:
        _, x = self.saved_tensors
        x = self.graph_input(0, x)
        centred = x - x.mean(self.dims, keepdim=True)
        gy = expand_back(gy, self.shape, self.dims, self.keepdim)
        # n ≤ correction: 2/0 = inf, as in the array path
        scale = 2 / x._data.dtype.type(self.denominator)
        return gy * centred * scale


class Std(Var):
    """y = √Var(x);  ∂y/∂x = (x - mean) / ((n - correction)·y) (torch's StdBackward0: NaN
    where y = 0, as 0/0)."""

    def forward(self, x: Any, dims: Dims = None, correction: float = 1,
                keepdim: bool = False) -> Any:
        y = self.xp.sqrt(super().forward(x, dims, correction, keepdim))
        self.save_for_backward(*self.saved, y)
        return y

    def backward(self, gy: Any) -> Any:
        centred, _, y = self.saved_tensors
        scale = _expand_back(self.xp, gy / y, self.shape, self.dims, self.keepdim)
        return scale * centred / centred.dtype.type(self.denominator)

    def backward_graph(self, gy: Any) -> Any:
        _, x, y = self.saved_tensors
        x = self.graph_input(0, x)
        centred = x - x.mean(self.dims, keepdim=True)
        scale = expand_back(gy / self.graph_output(0, y), self.shape, self.dims, self.keepdim)
        return scale * centred / x._data.dtype.type(self.denominator)


class _WithMean:
    """Mixin for :class:`Var` / :class:`Std`: the spread s and the mean m of the same dims as one
    node with two outputs (torch's ``var_mean``, ``std_mean``)::

        ∂L/∂x = ∂L/∂s · ∂s/∂x + ∂L/∂m / n

    An output that received no gradient adds nothing (torch skips its term)."""

    shape: Tuple[int, ...]
    dims: Dims
    keepdim: bool
    count: int
    xp: Any

    def forward(self, x: Any, dims: Dims = None, correction: float = 1,
                keepdim: bool = False) -> Any:
        spread = super().forward(x, dims, correction, keepdim)  # type: ignore[misc]
        return spread, self.xp.asarray(mean(x, dims, keepdim))

    def backward(self, gs: Any, gm: Any = 0) -> Any:
        parts = [super().backward(gs)] if hasattr(gs, "shape") else []  # type: ignore[misc]
        if hasattr(gm, "shape"):
            gm = _expand_back(self.xp, gm / self.count, self.shape, self.dims, self.keepdim)
            parts.append(self.xp.broadcast_to(gm, self.shape))
        return parts[0] if len(parts) == 1 else parts[0] + parts[1]

    def backward_graph(self, gs: Any, gm: Any = None) -> Any:
        parts = [super().backward_graph(gs)] if gs is not None else []  # type: ignore[misc]
        if gm is not None:
            parts.append(expand_back(gm / self.count, self.shape, self.dims, self.keepdim))
        return parts[0] if len(parts) == 1 else parts[0] + parts[1]


class VarMean(_WithMean, Var):
    """(Var(x), mean(x)) over ``dims``: one ``VarMeanBackward0`` node."""


class StdMean(_WithMean, Std):
    """(Std(x), mean(x)) over ``dims``: one ``StdMeanBackward0`` node."""


class MaxMinAll(Function):
    """y = max(x) (or min) over all elements. Ties share the gradient evenly (PyTorch's
    ``amax`` rule for a full reduction)."""

    def forward(self, x: Any, largest: bool = True) -> Any:
        xp = self.xp
        if x.size == 0:
            raise RuntimeError("max(): Expected reduction dim to be specified for input.numel() "
                               "== 0. Specify the reduction dim with the 'dim' argument.")
        y = xp.asarray(x.max() if largest else x.min())
        self.largest = largest
        self.save_for_backward(x, y)
        return y

    def name(self) -> str:  # torch: max() is MaxBackward1, max(dim) MaxBackward0
        return "MaxBackward1" if self.largest else "MinBackward1"

    def _mask(self) -> Any:
        x, y = self.saved_tensors
        return (x == y) | (self.xp.isnan(x) & self.xp.isnan(y))

    def backward(self, gy: Any) -> Any:
        mask = self._mask()
        return mask * (gy / mask.sum())

    def backward_graph(self, gy: Any) -> Any:
        mask = self._mask()
        return self.constant(mask.astype(gy._data.dtype)) * (gy / int(mask.sum()))


class MaxMinDim(Function):
    """(values, indices) = max(x, dim) (or min). The gradient goes to the element at the
    returned index: the first extreme along ``dim`` (a NaN counts as the extreme)."""

    def forward(self, x: Any, dim: int, keepdim: bool = False, largest: bool = True) -> Any:
        xp = self.xp
        if x.ndim and x.shape[dim] == 0:
            raise IndexError(f"max(): Expected reduction dim {dim} to have non-zero size.")
        self.shape, self.dim, self.keepdim, self.largest = x.shape, dim, keepdim, largest
        if x.ndim == 0:
            self.idx = None
            return x.copy(), xp.zeros((), dtype=xp.int64)
        idx = xp.argmax(x, axis=dim) if largest else xp.argmin(x, axis=dim)
        idx = xp.expand_dims(idx, dim)
        values = xp.take_along_axis(x, idx, axis=dim)
        self.idx = idx
        if not keepdim:
            values, idx = values.squeeze(dim), idx.squeeze(dim)
        return values, idx.astype(xp.int64)

    def backward(self, gy: Any, _gidx: Any = None) -> Any:
        xp = self.xp
        if self.idx is None:
            return gy
        if not self.keepdim:
            gy = xp.expand_dims(gy, self.dim)
        gx = xp.zeros(self.shape, dtype=gy.dtype)
        xp.put_along_axis(gx, self.idx, gy, axis=self.dim)
        return gx

    def backward_graph(self, gy: Any, _gidx: Any = None) -> Any:
        xp = self.xp
        if self.idx is None:
            return gy
        onehot = xp.zeros(self.shape, dtype=gy._data.dtype)
        xp.put_along_axis(onehot, self.idx, 1, axis=self.dim)
        return expand_back(gy, self.shape, (self.dim,), self.keepdim) * self.constant(onehot)

    def name(self) -> str:
        return "MaxBackward0" if self.largest else "MinBackward0"


class AMax(Function):
    """y = amax(x, dims): the maximum over ``dims``. Ties share the gradient evenly, as in
    PyTorch's ``amax`` backward (``max(x, dim)`` instead sends it to the returned index)::

        gx = gy · [x == y] / #{x == y}     (a NaN maximum: 0/0, NaN, as torch's)
    """

    largest = True

    def forward(self, x: Any, dims: Tuple[int, ...], keepdim: bool = False) -> Any:
        for d in dims:
            if x.shape[d] == 0:
                raise IndexError(f"{self.label}(): Expected reduction dim {d} to have non-zero "
                                 f"size.")
        y = (x.max if self.largest else x.min)(axis=dims, keepdims=True)
        self.save_for_backward(x, y)
        self.dims, self.keepdim = dims, keepdim
        return y if keepdim else y.reshape(tuple(n for i, n in enumerate(x.shape)
                                                 if i not in dims))

    def backward(self, gy: Any) -> Any:
        x, y = self.saved_tensors
        mask = x == y
        gy = gy.reshape(y.shape)
        # a NaN row divides by 0
        return (mask * (gy / mask.sum(axis=self.dims, keepdims=True))).astype(x.dtype)

    def backward_graph(self, gy: Any) -> Any:
        x, y = self.saved_tensors
        mask = x == y
        share = mask / mask.sum(axis=self.dims, keepdims=True)
        return gy.reshape(y.shape) * self.constant(share.astype(x.dtype))

    @property
    def label(self) -> str:
        return "amax" if self.largest else "amin"

    def name(self) -> str:
        return f"{self.label.capitalize()}Backward0"


class AMin(AMax):
    """y = amin(x, dims): the minimum over ``dims``; ties share the gradient (as ``AMax``)."""

    largest = False
