"""Ops that move elements without changing them: reshape, permute, expand, squeeze,
indexing, cat/stack, pad, and dtype/device copies.

Their backward moves the gradient back the same way: reshape it back, permute it by the
inverse permutation, sum it over expanded dims, scatter it into the indexed positions.
Reshape, permute, expand, squeeze and basic indexing are *views*: with NumPy they share the
input's memory (``is_view``), exactly like PyTorch's views.
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

from minitorch.autograd.function import Function
from minitorch.autograd.ops.grad_ops import IndexAdd, sum_to
from minitorch.autograd.ops.util import read_view, scatter_add, unbroadcast


class Reshape(Function):
    """y = x viewed with a new shape (same elements, row-major order).

    One op behind ``view``, ``reshape``, ``flatten``, ``squeeze`` and ``unsqueeze``; ``node`` is
    the grad_fn name torch records for the method that called it (``ViewBackward0``,
    ``SqueezeBackward1``, ...). Without one: ``ViewBackward0`` when the result shares the
    input's memory, else ``UnsafeViewBackward0`` (torch's reshape of a non-contiguous tensor).
    """

    is_view = True

    def forward(self, x: Any, shape: Tuple[int, ...], view: bool = False,
                node: Optional[str] = None) -> Any:
        self.shape, self.out_shape, self.node = x.shape, tuple(shape), node
        if view:
            try:
                return self.xp.reshape(x, shape, copy=False)
            except (ValueError, AttributeError):
                raise RuntimeError(
                    "view size is not compatible with input tensor's size and stride (at least "
                    "one dimension spans across two contiguous subspaces). Use .reshape(...) "
                    "instead.") from None
        y = x.reshape(shape)
        self.is_view = bool(_shares_memory(self.xp, x, y))  # a copy when the strides forbid
        return y

    def backward(self, gy: Any) -> Any:
        return gy.reshape(self.shape)

    def backward_graph(self, gy: Any) -> Any:
        return gy.reshape(self.shape)

    def name(self) -> str:
        return self.node or ("ViewBackward0" if self.is_view else "UnsafeViewBackward0")

    def view_step(self) -> Tuple[str, Any]:
        return ("reshape", self.out_shape)


class Permute(Function):
    """y[i_p0, i_p1, ...] = x[i_0, i_1, ...]; backward permutes by the inverse."""

    is_view = True

    def forward(self, x: Any, dims: Tuple[int, ...], node: str = "PermuteBackward0") -> Any:
        self.dims, self.node = tuple(dims), node  # TransposeBackward0 for transpose
        self.inverse = tuple(int(i) for i in np.argsort(dims))
        return x.transpose(dims)

    def backward(self, gy: Any) -> Any:
        return gy.transpose(self.inverse)

    def backward_graph(self, gy: Any) -> Any:
        return gy.permute(self.inverse)

    def view_step(self) -> Tuple[str, Any]:
        return ("permute", self.dims)

    def name(self) -> str:
        return self.node


class Expand(Function):
    """y = x broadcast to ``shape`` (no copy); backward sums over the broadcast dims."""

    is_view = True

    def forward(self, x: Any, shape: Tuple[int, ...]) -> Any:
        self.shape, self.out_shape = x.shape, tuple(shape)
        return self.xp.broadcast_to(x, shape)

    def backward(self, gy: Any) -> Any:
        return unbroadcast(self.xp, gy, self.shape)

    def backward_graph(self, gy: Any) -> Any:
        return sum_to(gy, self.shape)

    def view_step(self) -> Tuple[str, Any]:
        return ("expand", self.out_shape)


class Repeat(Function):
    """y = x tiled ``sizes[d]`` times along each dim d (x first seen with leading 1s up to
    len(sizes) dims), a copy; ∂L/∂x sums the gradient's tiles: gy seen as
    (r₀, s₀, r₁, s₁, …) — tile index, then position in x — and summed over every r axis."""

    def forward(self, x: Any, sizes: Tuple[int, ...]) -> Any:
        self.in_shape = x.shape
        self.x_shape = (1,) * (len(sizes) - x.ndim) + tuple(x.shape)
        self.tiles = tuple((r, n) for r, n in zip(sizes, self.x_shape))
        return self.xp.tile(x.reshape(self.x_shape), sizes)

    def _tile_axes(self) -> Tuple[Tuple[int, ...], Tuple[int, ...]]:
        return tuple(v for pair in self.tiles for v in pair), tuple(range(0, 2 * len(self.tiles),
                                                                          2))

    def backward(self, gy: Any) -> Any:
        shape, axes = self._tile_axes()
        return gy.reshape(shape).sum(axis=axes).reshape(self.in_shape)

    def backward_graph(self, gy: Any) -> Any:
        shape, axes = self._tile_axes()
        return gy.reshape(shape).sum(axes).reshape(self.in_shape)


class GetItem(Function):
    """y = x[index]. Basic indexing (ints, slices, None, ...) is a view; an integer array on
    one axis gathers a copy. Backward scatters: gx[index] += gy (repeats add up).

    The node is named as torch names the last step of the same indexing: ``x[0]`` →
    SelectBackward0, ``x[1:3]`` → SliceBackward0, ``x[None]`` → UnsqueezeBackward0,
    ``x[...]`` → AliasBackward0, an index array → IndexBackward0. ``node`` names it
    otherwise (``tensor_split``'s pieces are SliceBackward0 even when one is the whole dim)."""

    float16_via_float32 = False  # it moves elements, computes nothing: a float16 view stays one

    def forward(self, x: Any, index: Any, node: Any = None) -> Any:
        self.shape, self.index = x.shape, index
        self.is_view = _is_basic(index)
        self.node = node or (_basic_index_node(index, x.shape) if self.is_view else "Index")
        return read_view(x, index) if self.is_view else x[index]

    def name(self) -> str:
        return f"{self.node}Backward0"

    def backward(self, gy: Any) -> Any:
        gx = self.xp.zeros(self.shape, dtype=gy.dtype)
        if self.is_view:
            gx[self.index] = gy
        else:
            scatter_add(self.xp, gx, self.index, gy)
        return gx

    def backward_graph(self, gy: Any) -> Any:
        return IndexAdd.apply(gy, self.index, self.shape)

    def view_step(self) -> Tuple[str, Any]:
        return ("index", self.index)


class Cat(Function):
    """y = the inputs joined along ``dim``; backward slices the gradient back apart."""

    def forward(self, *arrays: Any, dim: int = 0) -> Any:
        self.dim = dim
        self.sizes = [a.shape[dim] for a in arrays]
        return self.xp.concatenate(arrays, axis=dim)

    def backward(self, gy: Any) -> Any:
        bounds = np.cumsum(self.sizes)[:-1].tolist()
        return tuple(self.xp.split(gy, bounds, axis=self.dim))

    def backward_graph(self, gy: Any) -> Any:
        out, start = [], 0
        for size in self.sizes:
            out.append(GetItem.apply(gy, (slice(None),) * self.dim + (slice(start, start + size),)))
            start += size
        return tuple(out)


class Stack(Function):
    """y = the inputs stacked along a new axis ``dim``."""

    def forward(self, *arrays: Any, dim: int = 0) -> Any:
        self.dim = dim
        return self.xp.stack(arrays, axis=dim)

    def backward(self, gy: Any) -> Any:
        n = gy.shape[self.dim]
        return tuple(self.xp.take(gy, i, axis=self.dim) for i in range(n))

    def backward_graph(self, gy: Any) -> Any:
        n = gy.shape[self.dim]
        return tuple(GetItem.apply(gy, (slice(None),) * self.dim + (i,)) for i in range(n))


class Pad(Function):
    """y = x padded on its last dims. ``pad`` lists (before, after) pairs from the *last* dim
    backwards, as ``torch.nn.functional.pad``. Modes: constant, reflect, replicate, circular.

    Backward for every mode at once: pad an array of *element indices* with the same mode;
    each output position then knows which input element it copied, and the gradient is
    scatter-added back there (constant padding copies nothing, so it gets nothing)."""

    def forward(self, x: Any, pad: Sequence[int], mode: str = "constant",
                value: float = 0.0) -> Any:
        xp = self.xp
        widths: List[Tuple[int, int]] = [(0, 0)] * x.ndim
        for i in range(len(pad) // 2):
            widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
        self.shape, self.widths, self.mode = x.shape, widths, mode
        if mode == "constant":
            return xp.pad(x, widths, mode="constant", constant_values=value)
        np_mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
        self.source = xp.pad(xp.arange(x.size).reshape(x.shape), widths, mode=np_mode)
        return x.reshape(-1)[self.source]

    def backward(self, gy: Any) -> Any:
        xp = self.xp
        if self.mode == "constant":
            return gy[tuple(slice(b, b + n) for (b, _), n in zip(self.widths, self.shape))]
        gx = xp.zeros(int(np.prod(self.shape)), dtype=gy.dtype)
        scatter_add(xp, gx, self.source.reshape(-1), gy.reshape(-1))
        return gx.reshape(self.shape)

    def backward_graph(self, gy: Any) -> Any:
        if self.mode == "constant":
            return GetItem.apply(gy, tuple(slice(b, b + n)
                                           for (b, _), n in zip(self.widths, self.shape)))
        flat = IndexAdd.apply(gy.reshape(-1), self.source.reshape(-1), (int(np.prod(self.shape)),))
        return flat.reshape(self.shape)


class ToCopy(Function):
    """y = x converted to another dtype and/or device; backward converts the gradient back.
    A plain copy (``clone``/``contiguous``) records torch's ``CloneBackward0``."""

    float16_via_float32 = False  # the conversion itself

    def forward(self, x: Any, dtype: Any = None, to_device: Any = None,
                back_device: Any = None, node: str = "ToCopyBackward0") -> Any:
        self.in_dtype, self.back_device, self.to_device = x.dtype, back_device, to_device
        self.node = node
        if to_device is not None:
            x = to_device(x)
        return x.astype(dtype) if dtype is not None and x.dtype != dtype else x.copy()

    def backward(self, gy: Any) -> Any:
        if self.back_device is not None:
            gy = self.back_device(gy)
        if gy.dtype.kind == "c" and self.in_dtype.kind != "c":
            gy = gy.real  # a real input of a complex copy: the real part (torch's rule)
        return gy.astype(self.in_dtype, copy=False)

    def backward_graph(self, gy: Any) -> Any:
        return ToCopy.apply(gy, dtype=self.in_dtype, to_device=self.back_device,
                            back_device=self.to_device)

    def name(self) -> str:
        return self.node


class NamedView(Reshape):
    """A reshape recorded under the node name torch gives the op it stands for
    (``ViewBackward0``, ``UnsafeViewBackward0``, ``UnsqueezeBackward0``, ...): used where a
    composite op must show torch's graph, e.g. ``F.linear`` on input that is not a matrix."""

    def forward(self, x: Any, shape: Tuple[int, ...], node: str = "ViewBackward0") -> Any:
        return super().forward(x, shape, node=node)


class T(Function):
    """y = xᵀ of a matrix (a view), torch's ``t()``; backward transposes the gradient."""

    is_view = True

    def forward(self, x: Any) -> Any:
        self.dims = tuple(reversed(range(x.ndim)))
        return x.T

    def backward(self, gy: Any) -> Any:
        return gy.T

    def backward_graph(self, gy: Any) -> Any:
        return gy.permute(self.dims)

    def view_step(self) -> Tuple[str, Any]:
        return ("permute", self.dims)


def _basic_index_node(index: Any, shape: Tuple[int, ...]) -> str:
    """The op torch records last for a basic index: it applies the items left to right
    (int → select, slice → slice, None → unsqueeze) and skips full slices inside a tuple;
    an index that changes nothing is an alias."""
    if not isinstance(index, tuple):
        return ("Unsqueeze" if index is None else "Alias" if index is Ellipsis else
                "Slice" if isinstance(index, slice) else "Select")
    node, dim = "Alias", 0
    real = sum(1 for i in index if i is not None and i is not Ellipsis)
    for item in index:
        if item is None:
            node = "Unsqueeze"
        elif item is Ellipsis:
            dim += len(shape) - real
        elif isinstance(item, slice):
            if item.indices(shape[dim]) != (0, shape[dim], 1):
                node = "Slice"
            dim += 1
        else:
            node, dim = "Select", dim + 1
    return node


def _is_basic(index: Any) -> bool:
    """True for indices made only of ints, slices, None and Ellipsis (NumPy basic indexing)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, slice, np.integer))
               for p in parts)


def _shares_memory(xp: Any, a: Any, b: Any) -> bool:
    may_share = getattr(xp, "may_share_memory", None)
    return True if may_share is None else bool(may_share(a, b))


def _shuffle(xp: Any, x: Any, r: int) -> Any:
    """(*, C·r², H, W) → (*, C, H·r, W·r): channel c·r² + a·r + b goes to pixel
    (h·r + a, w·r + b) of channel c."""
    *lead, c, h, w = x.shape
    c //= r * r
    k = len(lead)
    y = x.reshape(*lead, c, r, r, h, w).transpose(*range(k), k, k + 3, k + 1, k + 4, k + 2)
    return xp.ascontiguousarray(y).reshape(*lead, c, h * r, w * r)


def _unshuffle(xp: Any, x: Any, r: int) -> Any:
    """The inverse of :func:`_shuffle`: (*, C, H·r, W·r) → (*, C·r², H, W)."""
    *lead, c, hr, wr = x.shape
    h, w = hr // r, wr // r
    k = len(lead)
    y = x.reshape(*lead, c, h, r, w, r).transpose(*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return xp.ascontiguousarray(y).reshape(*lead, c * r * r, h, w)


class PixelShuffle(Function):
    """``F.pixel_shuffle`` (``unshuffle=False``) and ``F.pixel_unshuffle``: channels traded
    for resolution by a factor r (a permutation of the elements, so the gradient is the
    inverse permutation)."""

    def forward(self, x: Any, r: int, unshuffle: bool = False) -> Any:
        self.r, self.unshuffle = r, unshuffle
        return (_unshuffle if unshuffle else _shuffle)(self.xp, x, r)

    def backward(self, gy: Any) -> Any:
        return (_shuffle if self.unshuffle else _unshuffle)(self.xp, gy, self.r)

    def backward_graph(self, gy: Any) -> Any:
        return PixelShuffle.apply(gy, self.r, not self.unshuffle)

    def name(self) -> str:
        return "PixelUnshuffleBackward0" if self.unshuffle else "PixelShuffleBackward0"
