"""Ops that pick, place or reorder elements by index: sort, topk, gather, scatter,
scatter_add, scatter_reduce, index_select, index_add/index_fill/index_copy, take,
masked_fill, masked_scatter, flip, roll, rot90, tril/triu.

Their backward routes each output gradient back to the element it came from (a scatter-add
where one input element feeds several outputs). ``dim`` is a non-negative axis."""

from __future__ import annotations

from typing import Any, Tuple

import numpy as np

from minitorch.autograd.function import Function
from minitorch.autograd.ops.util import scatter_add


def along(xp: Any, index: Any, dim: int) -> Tuple[Any, ...]:
    """The full NumPy index that reads ``a[i_0, ..., index[i], ..., i_n]`` for every position
    ``i`` of ``index``: ``index`` on axis ``dim``, open grids on the others."""
    grids = xp.ogrid[tuple(slice(0, s) for s in index.shape)] if index.ndim else []
    full = list(grids)
    full[dim] = index
    return tuple(full)


def _sort_indices(xp: Any, x: Any, dim: int, descending: bool) -> Any:
    """Stable argsort along ``dim``; NaN counts as the largest value (PyTorch's order)."""
    if x.dtype.kind == "b":
        x = x.astype("int8")
    if not descending:
        return xp.argsort(x, axis=dim, kind="stable")
    if x.dtype.kind == "f":
        nan = xp.isnan(x)
        key = xp.where(nan, -xp.inf, -x)  # NaN first when descending
        return xp.argsort(key, axis=dim, kind="stable")
    return xp.argsort(~x, axis=dim, kind="stable")  # ~x = -1 - x reverses, never overflows


class _PickAlong(Function):
    """Outputs picked from x along ``dim`` at ``self.idx``: ∂L/∂x = scatter of ∂L/∂y there."""

    def backward(self, gy: Any, _gidx: Any = None) -> Any:
        gx = self.xp.zeros(self.shape, dtype=gy.dtype)
        scatter_add(self.xp, gx, along(self.xp, self.idx, self.dim), gy)
        return gx

    def backward_graph(self, gy: Any, _gidx: Any = None) -> Any:
        if self.idx.ndim == 0:
            return gy
        zeros = self.constant(self.xp.zeros(self.shape, dtype=gy._data.dtype))
        return ScatterAdd.apply(zeros, self.dim, self.idx, gy)


class Sort(_PickAlong):
    """(values, indices) = x sorted along ``dim`` (stable: equal values keep their order)."""

    def forward(self, x: Any, dim: int, descending: bool = False) -> Any:
        xp = self.xp
        self.shape, self.dim = x.shape, dim
        if x.ndim == 0:
            self.idx = xp.zeros((), dtype=xp.int64)
            return x.copy(), self.idx
        self.idx = _sort_indices(xp, x, dim, descending).astype(xp.int64)
        return xp.take_along_axis(x, self.idx, axis=dim), self.idx

    def backward(self, gy: Any, _gidx: Any = None) -> Any:
        return gy if self.idx.ndim == 0 else super().backward(gy)


class Topk(_PickAlong):
    """(values, indices) = the k largest (or smallest) along ``dim``, in sorted order."""

    def forward(self, x: Any, k: int, dim: int, largest: bool = True) -> Any:
        xp = self.xp
        self.shape, self.dim = x.shape, dim
        order = _sort_indices(xp, x, dim, descending=largest)
        self.idx = xp.take(order, range(k), axis=dim).astype(xp.int64)
        return xp.take_along_axis(x, self.idx, axis=dim), self.idx


class Gather(_PickAlong):
    """y[i][j][k] = x[i][index[i][j][k]][k] (for dim = 1): ∂L/∂x scatter-adds ∂L/∂y back."""

    def forward(self, x: Any, dim: int, index: Any) -> Any:
        self.shape, self.dim, self.idx = x.shape, dim, index
        return x[along(self.xp, index, dim)]


class Scatter(Function):
    """y = x, then y[i][index[i][j]][k] = src[i][j][k] (dim = 1) — the inverse of gather.

    ∂L/∂x = ∂L/∂y with the overwritten places zeroed; ∂L/∂src = gather(∂L/∂y, index).
    ``src`` may be a Python number (then it has no gradient)."""

    def forward(self, x: Any, dim: int, index: Any, src: Any) -> Any:
        xp = self.xp
        self.dim, self.where, self.src_is_array = dim, along(xp, index, dim), hasattr(src, "shape")
        self.index_shape, self.src_shape = index.shape, getattr(src, "shape", None)
        out = x.copy()
        out[self.where] = src[tuple(slice(0, s) for s in index.shape)] if self.src_is_array \
            else src
        return out

    def backward(self, gy: Any) -> Any:
        gx = gy.copy()
        gx[self.where] = 0
        if not self.src_is_array:
            return gx
        gsrc = self.xp.zeros(self.src_shape, dtype=gy.dtype)
        gsrc[tuple(slice(0, s) for s in self.index_shape)] = gy[self.where]
        return gx, gsrc

    def backward_graph(self, gy: Any) -> Any:
        index = self.where[self.dim]
        gx = Scatter.apply(gy, self.dim, index, 0.0)
        if not self.src_is_array:
            return gx
        return gx, _pad_to(self, Gather.apply(gy, self.dim, index), self.src_shape)

    def name(self) -> str:
        return "ScatterBackward0" if self.src_is_array else "ScatterBackward1"


class ScatterAdd(Function):
    """y = x, then y[i][index[i][j]][k] += src[i][j][k] (dim = 1), repeats adding up.

    ∂L/∂x = ∂L/∂y; ∂L/∂src = gather(∂L/∂y, index)."""

    def forward(self, x: Any, dim: int, index: Any, src: Any) -> Any:
        self.where, self.dim = along(self.xp, index, dim), dim
        self.index_shape, self.src_shape = index.shape, src.shape
        out = x.copy()
        scatter_add(self.xp, out, self.where, src[tuple(slice(0, s) for s in index.shape)])
        return out

    def backward(self, gy: Any) -> Any:
        gsrc = self.xp.zeros(self.src_shape, dtype=gy.dtype)
        gsrc[tuple(slice(0, s) for s in self.index_shape)] = gy[self.where]
        return gy, gsrc

    def backward_graph(self, gy: Any) -> Any:
        gsrc = Gather.apply(gy, self.dim, self.where[self.dim])
        return gy, _pad_to(self, gsrc, self.src_shape)


_COMBINE = {"sum": "add", "mean": "add", "prod": "multiply", "amax": "maximum",
            "amin": "minimum"}


def _identity(xp: Any, reduce: str, dtype: Any) -> Any:
    """The value that leaves ``reduce`` unchanged: 0, 1, or the dtype's lowest/highest."""
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    low_high = (-xp.inf, xp.inf) if dtype.kind == "f" else (
        (False, True) if dtype.kind == "b" else (xp.iinfo(dtype).min, xp.iinfo(dtype).max))
    return low_high[reduce == "amin"]


def combine_at(xp: Any, target: Any, index: Tuple[Any, ...], values: Any, op: str) -> None:
    """target[index] = op(target[index], values), every repeat of a position combined in
    turn (NumPy's ``ufunc.at``). Elsewhere the repeats are taken in rounds: round r writes
    the r-th occurrence of each position, so no round writes one position twice."""
    ufunc = getattr(xp, op)
    if xp.__name__ == "numpy":
        ufunc.at(target, index, values)
        return
    where = xp.broadcast_arrays(*index)
    flat = xp.ravel_multi_index(tuple(w.reshape(-1) for w in where), target.shape)
    values = xp.broadcast_to(values, where[0].shape).reshape(-1)
    order = xp.argsort(flat, kind="stable")
    flat, values = flat[order], values[order]
    first = xp.searchsorted(flat, flat, side="left")
    rank = xp.arange(flat.size) - first
    view = target.reshape(-1)
    for r in range(int(rank.max()) + 1 if flat.size else 0):
        at = rank == r
        view[flat[at]] = ufunc(view[flat[at]], values[at])
    target[...] = view.reshape(target.shape)


def scatter_reduced(xp: Any, x: Any, where: Tuple[Any, ...], src: Any, reduce: str,
                    include_self: bool) -> Any:
    """x with each src value combined into x[where] by ``reduce`` (see ScatterReduce)."""
    out = x.copy()
    if not include_self:
        out[where] = _identity(xp, reduce, x.dtype)
    combine_at(xp, out, where, src, _COMBINE[reduce])
    if reduce == "mean":
        count = _counts(xp, x, where, include_self)
        out = out // count if x.dtype.kind in "iub" else out / count
    return out


def _counts(xp: Any, x: Any, where: Tuple[Any, ...], include_self: bool) -> Any:
    """How many values each position of x averages: the src values scattered there (plus
    self's, when included), and at least 1 (an untouched position keeps self)."""
    count = xp.full(x.shape, 1 if include_self else 0, dtype=x.dtype)
    scatter_add(xp, count, where, xp.ones((), x.dtype))
    return xp.where(count == 0, xp.ones((), x.dtype), count)


class ScatterReduce(Function):
    """y = x, then each src[i][j][k] is combined into y[i][index[i][j][k]][k] (dim = 1) by
    ``reduce``: "sum" Σ, "prod" Π, "mean" Σ / n, "amax" max, "amin" min. With
    ``include_self`` x's own value takes part (and counts in n); without it a written
    position reduces only the src values sent there. A position nothing is sent to keeps x.
    Integer means round down.

    Gradients (torch's ``scatter_reduce_backward``), with g = ∂L/∂y and s = src:

    * sum:  ∂L/∂x = g,  ∂L/∂s = g[index];
    * mean: ∂L/∂x = g / n,  ∂L/∂s = (g / n)[index];
    * prod: ∂L/∂x = g · y' / x' where x' is x with its zeros set to 1 and y' its product (the
      product of the *other* factors, even where x = 0); ∂L/∂s = (g · y)[index] / s, except
      where s is the only zero sent to its position: there (g · y'')[index], y'' the product
      with that zero set to 1;
    * amax / amin: the gradient is split evenly among the values equal to the result (x's,
      when it equals it, and every src value equal to it): with m = [x = y] + Σ [s = y[index]]
      sent there, ∂L/∂x = [x = y] · g / m,  ∂L/∂s = [s = y[index]] · (g / m)[index].

    Without ``include_self`` the written positions of ∂L/∂x are 0."""

    def forward(self, x: Any, dim: int, index: Any, src: Any, reduce: str,
                include_self: bool) -> Any:
        self.where = along(self.xp, index, dim)
        self.reduce, self.include_self = reduce, include_self
        self.src_shape = src.shape
        self.x, self.src = x, src[tuple(slice(0, s) for s in index.shape)]
        self.y = scatter_reduced(self.xp, x, self.where, self.src, reduce, include_self)
        return self.y

    def backward(self, gy: Any) -> Any:
        xp, where, x, s, y = self.xp, self.where, self.x, self.src, self.y
        if self.reduce == "sum":
            gx, gs = gy, gy[where]
        elif self.reduce == "mean":
            gx = gy / _counts(xp, x, where, self.include_self)
            gs = gx[where]
        elif self.reduce == "prod":
            gx, gs = self._prod_grads(gy)
        else:
            x_is, s_is = x == y, s == y[where]
            m = x_is.astype(gy.dtype)
            scatter_add(xp, m, where, s_is.astype(gy.dtype))
            share = gy / m
            gx, gs = x_is * share, s_is * share[where]
        if not self.include_self:
            gx = gx.copy()
            gx[where] = 0
        gsrc = xp.zeros(self.src_shape, dtype=gy.dtype)
        gsrc[tuple(slice(0, n) for n in gs.shape)] = gs
        return gx, gsrc

    def _prod_grads(self, gy: Any) -> Tuple[Any, Any]:
        xp, where, x, s, y = self.xp, self.where, self.x, self.src, self.y
        one = xp.ones((), x.dtype)
        x1 = xp.where(x == 0, one, x)
        gx = gy * scatter_reduced(xp, x1, where, s, "prod", self.include_self) / x1
        s_zero = s == 0
        zeros_sent = xp.zeros(x.shape, x.dtype)
        scatter_add(xp, zeros_sent, where, s_zero.astype(x.dtype))
        lone_zero = s_zero & (zeros_sent[where] == 1)
        y_without = scatter_reduced(xp, x, where, xp.where(lone_zero, one, s), "prod",
                                    self.include_self)
        gs = xp.where(lone_zero, (gy * y_without)[where],
                      (gy * y)[where] / xp.where(s_zero, one, s))
        return gx, gs


class IndexSelect(Function):
    """y = x with only the entries ``index`` kept along ``dim`` (repeats allowed);
    ∂L/∂x scatter-adds ∂L/∂y back to the selected positions."""

    def forward(self, x: Any, dim: int, index: Any) -> Any:
        self.shape, self.dim, self.index = x.shape, dim, index
        return self.xp.take(x, index, axis=dim)

    def backward(self, gy: Any) -> Any:
        gx = self.xp.zeros(self.shape, dtype=gy.dtype)
        scatter_add(self.xp, gx, (slice(None),) * self.dim + (self.index,), gy)
        return gx

    def backward_graph(self, gy: Any) -> Any:
        xp = self.xp
        place = [1] * gy.ndim
        place[self.dim] = -1
        index = xp.broadcast_to(self.index.reshape(place), tuple(gy.shape))
        zeros = self.constant(xp.zeros(self.shape, dtype=gy._data.dtype))
        return ScatterAdd.apply(zeros, self.dim, xp.ascontiguousarray(index), gy)


class MaskedFill(Function):
    """y = value where mask else x;  ∂L/∂x = ∂L/∂y where not mask, else 0. A 0-d tensor
    ``value`` gets ∂L/∂value = Σ ∂L/∂y over the masked places (torch's MaskedFillBackward1;
    a number: MaskedFillBackward0)."""

    def forward(self, x: Any, mask: Any, value: Any) -> Any:
        self.mask = mask
        return self.xp.where(mask, self.xp.asarray(value, dtype=x.dtype), x)

    def _value_is_tensor(self) -> bool:
        return len(self.input_positions) > 1

    def backward(self, gy: Any) -> Any:
        zero = self.xp.zeros((), dtype=gy.dtype)
        gx = self.xp.where(self.mask, zero, gy)
        if not self._value_is_tensor():
            return gx
        return gx, self.xp.where(self.mask, gy, zero).sum()

    def backward_graph(self, gy: Any) -> Any:
        mask = self.xp.broadcast_to(self.mask, tuple(gy.shape))
        gx = MaskedFill.apply(gy, mask, 0.0)
        if not self._value_is_tensor():
            return gx
        return gx, (gy - gx).sum()

    def name(self) -> str:
        return "MaskedFillBackward1" if self._value_is_tensor() else "MaskedFillBackward0"


class Flip(Function):
    """y = x reversed along ``dims`` (a copy, as in PyTorch); backward flips back."""

    def forward(self, x: Any, dims: Tuple[int, ...]) -> Any:
        self.dims = dims
        return self.xp.flip(x, dims).copy()

    def backward(self, gy: Any) -> Any:
        return self.xp.flip(gy, self.dims).copy()

    def backward_graph(self, gy: Any) -> Any:
        return Flip.apply(gy, self.dims)


class Roll(Function):
    """y = x shifted cyclically, y[(i + s) mod n] = x[i], along each dim of ``dims`` by its
    shift (``dims`` None: the elements in row-major order, one shift); backward rolls back
    by -s."""

    def forward(self, x: Any, shifts: Tuple[int, ...], dims: Any) -> Any:
        self.shifts, self.dims = shifts, dims
        return self.xp.roll(x, shifts if dims is not None else shifts[0], dims)

    def _back(self) -> Tuple[int, ...]:
        return tuple(-s for s in self.shifts)

    def backward(self, gy: Any) -> Any:
        return self.xp.roll(gy, self._back() if self.dims is not None else -self.shifts[0],
                            self.dims)

    def backward_graph(self, gy: Any) -> Any:
        return Roll.apply(gy, self._back(), self.dims)


class Rot90(Function):
    """y = x turned k quarter turns in the plane ``dims``, from the first dim towards the second
    (k = 1: y[i, j] = x[j, n-1-i]); backward turns back by -k."""

    def forward(self, x: Any, k: int, dims: Tuple[int, int]) -> Any:
        self.k, self.dims = k, dims
        return self.xp.ascontiguousarray(self.xp.rot90(x, k, dims))

    def backward(self, gy: Any) -> Any:
        return self.xp.ascontiguousarray(self.xp.rot90(gy, -self.k, self.dims))

    def backward_graph(self, gy: Any) -> Any:
        return Rot90.apply(gy, -self.k, self.dims)


class Take(Function):
    """y[j] = x.flatten()[index[j]] (``index`` already wrapped into [0, numel));
    ∂L/∂x adds ∂L/∂y_j at flat position index[j] (repeats add up)."""

    def forward(self, x: Any, index: Any) -> Any:
        self.shape, self.index = x.shape, index
        return self.xp.asarray(x.reshape(-1)[index])

    def backward(self, gy: Any) -> Any:
        gx = self.xp.zeros(int(np.prod(self.shape)), dtype=gy.dtype)
        scatter_add(self.xp, gx, self.index, gy)
        return gx.reshape(self.shape)

    def backward_graph(self, gy: Any) -> Any:
        from minitorch.autograd.ops.grad_ops import IndexAdd as AddAt

        return AddAt.apply(gy, self.index, (int(np.prod(self.shape)),)).reshape(self.shape)


class IndexAlong(Function):
    """Base of index_add / index_fill / index_copy: rows ``index`` of ``dim`` are written."""

    def at(self, dim: int, index: Any) -> Tuple[Any, ...]:
        """The NumPy index of positions ``index`` along ``dim``."""
        self.dim, self.index = dim, index
        return (slice(None),) * dim + (index,)

    def _source_grad(self, gy: Any, index: Any = None) -> Any:
        """∂L/∂source = index_select(∂L/∂y, dim, index), on arrays or on the graph (a Tensor
        ``gy``, from ``backward_graph``)."""
        index = self.index if index is None else index
        if _on_graph(gy):
            return IndexSelect.apply(gy, self.dim, index)
        return self.xp.take(gy, index, axis=self.dim)

    def _written_zeroed(self, gy: Any) -> Any:
        """∂L/∂y with the written rows set to 0 (what the old values of x get)."""
        if _on_graph(gy):
            return IndexFill.apply(gy, self.dim, self.index, 0.0)
        gx = gy.copy()
        gx[(slice(None),) * self.dim + (self.index,)] = 0
        return gx


class IndexAdd(IndexAlong):
    """y = x, then y[..., index[i], ...] += α · source[..., i, ...] along ``dim`` (repeats add
    up);  ∂L/∂x = ∂L/∂y,  ∂L/∂source = α · index_select(∂L/∂y, dim, index)."""

    def forward(self, x: Any, dim: int, index: Any, source: Any, alpha: Any = 1) -> Any:
        self.alpha = alpha
        out = x.copy()
        scatter_add(self.xp, out, self.at(dim, index), source * alpha if alpha != 1 else source)
        return out

    def backward(self, gy: Any) -> Any:
        g = self._source_grad(gy)
        return gy, g * self.alpha if self.alpha != 1 else g

    backward_graph = backward


class IndexFill(IndexAlong):
    """y = x with rows ``index`` of ``dim`` set to ``value`` (a number, or a 0-d tensor);
    ∂L/∂x = ∂L/∂y with those rows 0;  ∂L/∂value = Σ ∂L/∂y over the filled rows (each once)."""

    def forward(self, x: Any, dim: int, index: Any, value: Any) -> Any:
        self.value_is_array = hasattr(value, "shape")
        out = x.copy()
        out[self.at(dim, index)] = value
        return out

    def backward(self, gy: Any) -> Any:
        gx = self._written_zeroed(gy)
        if not self.value_is_array:
            return gx
        gvalue = self._source_grad(gy, self.xp.unique(self.index)).sum()
        return gx, gvalue if _on_graph(gvalue) else self.xp.asarray(gvalue)

    backward_graph = backward

    def name(self) -> str:
        return "IndexFillBackward1" if self.value_is_array else "IndexFillBackward0"


class IndexCopy(IndexAlong):
    """y = x, then y[..., index[i], ...] = source[..., i, ...] along ``dim``;
    ∂L/∂x = ∂L/∂y with the written rows 0,  ∂L/∂source = index_select(∂L/∂y, dim, index)."""

    def forward(self, x: Any, dim: int, index: Any, source: Any) -> Any:
        out = x.copy()
        out[self.at(dim, index)] = source
        return out

    def backward(self, gy: Any) -> Any:
        return self._written_zeroed(gy), self._source_grad(gy)

    backward_graph = backward


class MaskedScatter(Function):
    """y = x, with the positions where ``mask`` is true (row-major order) taking source's
    first elements in turn;  ∂L/∂x = ∂L/∂y where not mask,  ∂L/∂source = ∂L/∂y[mask] in
    source's first elements, 0 in the rest."""

    def forward(self, x: Any, mask: Any, source: Any) -> Any:
        self.mask, self.source_shape = mask, source.shape
        self.count = int(mask.sum())
        out = x.copy()
        out[mask] = source.reshape(-1)[:self.count]
        return out

    def backward(self, gy: Any) -> Any:
        xp = self.xp
        gsource = xp.zeros(int(np.prod(self.source_shape)), dtype=gy.dtype)
        gsource[:self.count] = gy[self.mask]
        return xp.where(self.mask, xp.zeros((), dtype=gy.dtype), gy), \
            gsource.reshape(self.source_shape)

    def backward_graph(self, gy: Any) -> Any:
        from minitorch.autograd.ops.shape import GetItem

        picked = _pad_to(self, GetItem.apply(gy, self.mask), (int(np.prod(self.source_shape)),))
        return MaskedFill.apply(gy, self.mask, 0.0), picked.reshape(self.source_shape)


class Tril(Function):
    """y = x with the entries above diagonal ``k`` of the last two dims set to 0."""

    def forward(self, x: Any, k: int = 0) -> Any:
        self.k = k
        return self.xp.tril(x, k)

    def backward(self, gy: Any) -> Any:
        return self.xp.tril(gy, self.k)

    def backward_graph(self, gy: Any) -> Any:
        return Tril.apply(gy, self.k)


class Triu(Function):
    """y = x with the entries below diagonal ``k`` of the last two dims set to 0."""

    def forward(self, x: Any, k: int = 0) -> Any:
        self.k = k
        return self.xp.triu(x, k)

    def backward(self, gy: Any) -> Any:
        return self.xp.triu(gy, self.k)

    def backward_graph(self, gy: Any) -> Any:
        return Triu.apply(gy, self.k)


def _on_graph(g: Any) -> bool:
    """Whether a gradient is a Tensor (``backward_graph``) rather than an array."""
    return hasattr(g, "grad_fn")


def _pad_to(fn: Function, g: Any, shape: Tuple[int, ...]) -> Any:
    """``g`` (the index's shape) placed at the start of zeros of ``shape`` (src's shape)."""
    if tuple(g.shape) == tuple(shape):
        return g
    from minitorch.autograd.ops.shape import Pad

    widths = []
    for have, want in reversed(list(zip(g.shape, shape))):
        widths += [0, want - have]
    return Pad.apply(g, widths)


class Embedding(Function):
    """y[..., :] = w[indices[...], :] — a row lookup (``F.embedding``). ∂L/∂w[r] adds the
    gradient of every output row that looked up row r, each divided by how often r is looked
    up with ``scale_grad_by_freq``; the ``padding_idx`` row gets none."""

    def forward(self, w: Any, indices: Any, padding_idx: Any, scale_grad_by_freq: bool) -> Any:
        self.flat, self.w_shape = indices.reshape(-1), w.shape
        self.padding_idx, self.scale_grad_by_freq = padding_idx, scale_grad_by_freq
        return w[self.flat].reshape(indices.shape + (w.shape[1],))

    def _factor(self, dtype: Any) -> Any:
        """Each lookup's weight in ∂L/∂w, as a column (None when every one is 1)."""
        xp, flat = self.xp, self.flat
        factor = None
        if self.scale_grad_by_freq:
            counts = xp.bincount(flat, minlength=self.w_shape[0])[flat]
            factor = (1 / counts).astype(dtype)
        if self.padding_idx is not None:
            keep = (flat != self.padding_idx).astype(dtype)
            factor = keep if factor is None else factor * keep
        return None if factor is None else factor[:, None]

    def backward(self, gy: Any) -> Any:
        g = gy.reshape(-1, self.w_shape[1])
        factor = self._factor(gy.dtype)
        gw = self.xp.zeros(self.w_shape, dtype=gy.dtype)
        scatter_add(self.xp, gw, self.flat, g if factor is None else g * factor)
        return gw

    def backward_graph(self, gy: Any) -> Any:
        from minitorch.autograd.ops.grad_ops import IndexAdd

        g = gy.reshape(-1, self.w_shape[1])
        factor = self._factor(gy._data.dtype)
        return IndexAdd.apply(g if factor is None else g * self.constant(factor), self.flat,
                              self.w_shape)


class EmbeddingBag(Function):
    """Bags of rows of ``w`` (V, D) reduced to one vector each (``F.embedding_bag``): entry i
    of ``indices`` (M,) belongs to bag ``bags[i]`` (−1: to none), and is left out when it is
    ``padding_idx``. With a_i the per-sample weight of entry i (1 without ``weights``) and
    n_b the number of entries kept in bag b::

        sum:   y[b] = Σ_{i ∈ b} a_i · w[indices[i]]
               ∂L/∂w[r] = Σ_{i : indices[i] = r} a_i · g[bag of i]
        mean:  y[b] = (Σ_{i ∈ b} w[indices[i]]) / n_b
               ∂L/∂w[r] = Σ_{i : indices[i] = r} g[bag of i] / n_{bag of i}
        max:   y[b, d] = max_{i ∈ b} w[indices[i], d]
               ∂L/∂w[r, d] = Σ_{b : bag b's maximum in feature d is row r} g[b, d]
        ∂L/∂a_i = ⟨g[bag of i], w[indices[i]]⟩      (sum mode only)

    An empty bag gives zeros (and no gradient); max takes the first of equal maxima.
    ``scale_grad_by_freq`` divides each row's gradient by how often ``indices`` holds it.
    (torch 2.13's CPU kernel for sum and mean divides the gradient of the k-th distinct row,
    in sorted order, by the count of the k-th entry of the sorted indices instead: the same
    whenever those counts agree — e.g. when every index occurs equally often; here the
    frequency is the row's own.)
    torch has no second derivative of this op (nor does it here)."""

    def forward(self, w: Any, indices: Any, bags: Any, n_bags: int, mode: str,
                weights: Any, padding_idx: Any, scale_grad_by_freq: bool,
                offsets: Any) -> Any:
        xp = self.xp
        idx, bag = xp.asarray(indices), xp.asarray(bags)
        keep = bag >= 0
        if padding_idx is not None:
            keep = keep & (idx != padding_idx)
        self.idx, self.bag, self.keep, self.w_shape = idx, xp.maximum(bag, 0), keep, w.shape
        self.mode, self.scale_grad_by_freq, self.n_bags = mode, scale_grad_by_freq, n_bags
        rows = w[idx]
        if mode == "max":
            return self._max(xp, rows, xp.asarray(offsets))
        picked = rows if weights is None else rows * weights[:, None]
        out = xp.zeros((n_bags, w.shape[1]), dtype=w.dtype)
        scatter_add(xp, out, self.bag[keep], picked[keep])
        self.count = xp.bincount(self.bag[keep], minlength=n_bags)
        self.save_for_backward(w, weights)
        if mode == "mean":
            out = out / xp.maximum(self.count, 1)[:, None].astype(w.dtype)
        return out

    def _max(self, xp: Any, rows: Any, offsets: Any) -> Any:
        """The largest kept entry of each bag and feature, by a dense (bags, longest bag, D)
        array padded with −inf; which row of ``w`` it came from is kept for backward."""
        kept = xp.nonzero(self.keep)[0]
        pos = kept - offsets[self.bag[kept]]  # the entry's place within its bag
        longest = int(pos.max()) + 1 if kept.size else 1
        d = rows.shape[1]
        dense = xp.full((self.n_bags, longest, d), float("-inf"), dtype=rows.dtype)
        dense[self.bag[kept], pos] = rows[kept]
        source = xp.full((self.n_bags, longest), -1, dtype=xp.int64)
        source[self.bag[kept], pos] = self.idx[kept]
        arg = dense.argmax(axis=1)  # (bags, D): the first of equal maxima
        best = xp.take_along_axis(dense, arg[:, None, :], axis=1)[:, 0]
        row_of = xp.take_along_axis(source, arg, axis=1)
        self.max_rows = row_of  # −1 for an empty bag
        self.save_for_backward()
        return xp.where(row_of >= 0, best, 0).astype(rows.dtype)

    def backward(self, gy: Any) -> Any:
        xp = self.xp
        v, d = self.w_shape
        if self.mode == "max":
            gw = xp.zeros(v * d, dtype=gy.dtype)
            found = self.max_rows >= 0
            flat = self.max_rows * d + xp.arange(d)
            scatter_add(xp, gw, flat[found], gy[found])
            return gw.reshape(v, d)
        w, weights = self.saved_tensors
        g = gy[self.bag]  # each entry's bag gradient (M, D)
        factor = self.keep.astype(gy.dtype)
        if self.mode == "mean":
            factor = factor / xp.maximum(self.count, 1)[self.bag]
        if self.scale_grad_by_freq:
            factor = factor / xp.bincount(self.idx, minlength=v)[self.idx]
        if weights is not None:
            factor = factor * weights
        gw = xp.zeros((v, d), dtype=gy.dtype)
        scatter_add(xp, gw, self.idx, g * factor[:, None].astype(gy.dtype))
        if weights is None:
            return gw
        g_weights = xp.where(self.keep, (g * w[self.idx]).sum(axis=1), 0).astype(gy.dtype)
        return gw, g_weights
