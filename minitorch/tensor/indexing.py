"""The tensor methods for pick and place: indexing, gather/scatter, masks, index_*.

A mixin of :class:`minitorch.tensor.Tensor`; every differentiable method calls an op's
``apply`` and the math lives in :mod:`minitorch.autograd.ops`. ``Tensor`` (the class
these methods are mixed into) is bound in this module once the class exists.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any, List, Optional, Sequence, Tuple, Union

import numpy as np

from minitorch import dtypes, return_types
from minitorch.autograd.ops import inplace, select, shape
from minitorch.shapes import broadcast_shapes, normalize_dim, normalize_dims
from minitorch.tensor.helpers import (
    INDEX_DTYPES,
    _convert_index,
    _dims,
    _index_array,
    _kind_name,
    _scalar_name,
)

Number = Union[int, float, bool]
return_sort, return_topk = return_types.sort, return_types.topk

if TYPE_CHECKING:
    from minitorch.tensor.core import Tensor


class Indexing:
    """Tensor methods: pick and place — indexing, gather/scatter, masks, index_*."""

    # ---------------------------------------------- pick and place (ops/select.py)
    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        d = normalize_dim(dim, self.ndim) if self.ndim else 0
        values, indices = select.Sort.apply(self, d, descending)
        return return_sort(values, indices)

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
        return self.detach().sort(dim, descending, stable).indices

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
        d = normalize_dim(dim, self.ndim) if self.ndim else 0
        size = self.shape[d] if self.ndim else 1
        if k < 0 or k > size:
            raise RuntimeError("selected index k out of range")
        x = self if self.ndim else self.reshape(1)
        values, indices = select.Topk.apply(x, k, d, largest)
        if not self.ndim:
            values, indices = values.reshape(()), indices.reshape(())
        return return_topk(values, indices)

    def _index_arg(self, index: Tensor, op: str, dim: int) -> int:
        """Check a gather/scatter index (int64 or int32, same rank, in range); returns the
        axis."""
        if not isinstance(index, Tensor) or index.dtype not in INDEX_DTYPES:
            raise RuntimeError(f"{op}(): Expected dtype int32/int64 for index")
        d = normalize_dim(dim, self.ndim)
        if index.ndim != self.ndim:
            raise RuntimeError("Index tensor must have the same number of dimensions as input "
                               "tensor")
        if index.numel():
            bad = index._data[(index._data < 0) | (index._data >= self.shape[d])]
            if bad.size:
                raise RuntimeError(f"index {int(bad.reshape(-1)[0])} is out of bounds for "
                                   f"dimension {d} with size {self.shape[d]}")
        return d

    def gather(self, dim: int, index: Tensor) -> Tensor:
        d = self._index_arg(index, "gather", dim)
        return select.Gather.apply(self, d, _index_array(index))

    def scatter(self, dim: int, index: Tensor, src: Any = None, value: Any = None,
                reduce: Optional[str] = None) -> Tensor:
        d = self._index_arg(index, "scatter", dim)
        src = value if src is None else src
        if reduce is not None:
            raise NotImplementedError("minitorch's scatter supports reduce=None; use "
                                      "scatter_add for sums")
        if isinstance(src, Tensor):
            return select.Scatter.apply(self, d, _index_array(index), src._to(self.dtype, None))
        return select.Scatter.apply(self, d, _index_array(index), src)

    def scatter_(self, dim: int, index: Tensor, src: Any = None, value: Any = None,
                 reduce: Optional[str] = None) -> Tensor:
        return self._apply_(lambda x: x.scatter(dim, index, src, value, reduce))

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        d = self._index_arg(index, "scatter_add", dim)
        return select.ScatterAdd.apply(self, d, _index_array(index), src._to(self.dtype, None))

    def scatter_add_(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return self._apply_(lambda x: x.scatter_add(dim, index, src))

    def scatter_reduce(self, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                       include_self: bool = True) -> Tensor:
        """Combine each ``src`` value into ``self`` at its ``index`` along ``dim`` by
        ``reduce`` ("sum", "prod", "mean", "amax", "amin"; torch also takes "max" and "min"
        for the last two); see ``ScatterReduce``."""
        reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)
        if reduce not in select._COMBINE:
            raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, "
                               f"got {reduce}")
        d = self._index_arg(index, "scatter", dim)
        if not isinstance(src, Tensor) or src.dtype is not self.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
        return select.ScatterReduce.apply(self, d, _index_array(index), src, reduce,
                                          include_self)

    def scatter_reduce_(self, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                        include_self: bool = True) -> Tensor:
        return self._apply_(lambda x: x.scatter_reduce(dim, index, src, reduce,
                                                       include_self=include_self))

    def index_select(self, dim: int, index: Tensor) -> Tensor:
        if not isinstance(index, Tensor) or index.dtype not in INDEX_DTYPES:
            raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
        if index.ndim > 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        d = normalize_dim(dim, self.ndim)
        size = self.shape[d] if self.ndim else 1
        bad = index._data[(index._data < 0) | (index._data >= size)]
        if bad.size:
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={int(bad[0])} "
                               f"axis_dim={size}")
        if not self.ndim:
            return self.reshape(1)[index].reshape(index.shape)
        return select.IndexSelect.apply(self, d, _index_array(index).reshape(-1))

    def masked_fill(self, mask: Tensor, value: Any) -> Tensor:
        if mask.dtype is not dtypes.bool_:
            raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with "
                               f"dtype {_scalar_name(mask.dtype)}")
        broadcast_shapes(self.shape, mask.shape)
        if isinstance(value, Tensor):
            if value.ndim != 0:
                raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, "
                                   f"but got tensor with {value.ndim} dimension(s).")
            value = value._to(self.dtype, None)  # a tensor value: it gets a gradient
        return select.MaskedFill.apply(self, mask._data, value)

    def masked_fill_(self, mask: Tensor, value: Any) -> Tensor:
        return self._apply_(lambda x: x.masked_fill(mask, value))

    def masked_select(self, mask: Tensor) -> Tensor:
        if mask.dtype is not dtypes.bool_:
            raise RuntimeError("masked_select: expected BoolTensor for mask")
        shape_ = broadcast_shapes(self.shape, mask.shape)
        return self.expand(shape_)[mask.expand(shape_)]

    def flip(self, *dims: Any) -> Tensor:
        dims = tuple(dims[0]) if len(dims) == 1 and not isinstance(dims[0], int) else dims
        return select.Flip.apply(self, _dims(dims, self.ndim, True) or ())

    def fliplr(self) -> Tensor:
        return self.flip(1)

    def flipud(self) -> Tensor:
        return self.flip(0)

    def tril(self, diagonal: int = 0) -> Tensor:
        if self.ndim < 2:
            raise RuntimeError("tril: input tensor must have at least 2 dimensions")
        return select.Tril.apply(self, diagonal)

    def triu(self, diagonal: int = 0) -> Tensor:
        if self.ndim < 2:
            raise RuntimeError("triu: input tensor must have at least 2 dimensions")
        return select.Triu.apply(self, diagonal)

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        """Shift the elements cyclically by ``shifts[i]`` along ``dims[i]``; with ``dims``
        None (or empty), the elements in row-major order by one shift."""
        s = (shifts,) if isinstance(shifts, int) else tuple(shifts)
        d = () if dims is None else (dims,) if isinstance(dims, int) else tuple(dims)
        if not s:
            raise RuntimeError("`shifts` required")
        if len(s) != len(d) and not (not d and len(s) == 1):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(s)}, "
                               f"dims:{len(d)}")
        wrapped = tuple(normalize_dim(a, self.ndim) for a in d) if d else None
        return select.Roll.apply(self, tuple(int(v) for v in s), wrapped)

    def rot90(self, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
        """Turn the plane ``dims`` by k quarter turns, from the first dim towards the second."""
        dims = tuple(dims)
        if len(dims) != 2:
            raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
        if self.ndim < 2:
            raise RuntimeError(f"expected total dims >= 2, but got total dims = {self.ndim}")
        a, b = normalize_dim(dims[0], self.ndim), normalize_dim(dims[1], self.ndim)
        if a == b:
            raise RuntimeError(f"expected rotation dims to be different, but got dim0 = "
                               f"{dims[0]} and dim1 = {dims[1]}")
        return select.Rot90.apply(self, int(k), (a, b))

    def diff(self, n: int = 1, dim: int = -1, prepend: Optional[Tensor] = None,
             append: Optional[Tensor] = None) -> Tensor:
        """The n-th forward difference along ``dim``: out_i = x_{i+1} - x_i, n times (xor for
        bool), after joining ``prepend`` and ``append`` on that dim; composed as torch
        composes it (slices and a subtraction: SubBackward0)."""
        if self.ndim == 0:
            raise RuntimeError("diff expects input to be at least one-dimensional")
        if n < 0:
            raise RuntimeError(f"order must be non-negative but got {n}")
        d = normalize_dim(dim, self.ndim)
        parts = [t for t in (prepend, self, append) if t is not None]
        for t in parts:
            if t.ndim != self.ndim:
                raise RuntimeError("diff expects prepend or append to be the same dimension as "
                                   "input")
            for i, (have, want) in enumerate(zip(t.shape, self.shape)):
                if i != d and have != want:
                    raise RuntimeError(
                        "diff expects the shape of tensor to prepend or append to match that "
                        f"of input except along the differencing dimension; input.size({i}) = "
                        f"{want}, but got tensor.size({i}) = {have}")
        from minitorch.functions import cat

        x = cat(parts, d) if len(parts) > 1 else self
        if n == 0:
            return self._new("zeros", x.shape).copy_(x)
        length = x.shape[d] - 1
        for _ in range(min(n, x.shape[d])):
            later, earlier = x.narrow(d, 1, length), x.narrow(d, 0, length)
            x = later.logical_xor(earlier) if x.dtype is dtypes.bool_ else later - earlier
            length -= 1
        return x

    def take(self, index: Tensor) -> Tensor:
        """y = the elements of the flattened tensor at ``index`` (shaped like ``index``;
        negative indices count from the end)."""
        if index.dtype is not dtypes.int64:
            raise RuntimeError(f"take(): Expected a long tensor for index, but got "
                               f"{_kind_name(index.dtype)}")
        n = self.numel()
        i = index._data
        bad = i[(i < -n) | (i >= n)]
        if bad.size:
            raise IndexError(f"out of range: tried to access index {int(bad.reshape(-1)[0])} "
                             f"on a tensor of {n} elements.")
        return select.Take.apply(self, i % max(n, 1))

    def take_along_dim(self, indices: Tensor, dim: Optional[int] = None) -> Tensor:
        """``gather`` along ``dim`` with ``indices`` and the input broadcast against each other
        (every dim but ``dim``); with ``dim`` None, of the flattened tensor."""
        if dim is None:
            return self.reshape(-1).gather(0, indices.reshape(-1))
        if self.ndim != indices.ndim:
            raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                               f"number of dimensions, but got {self.ndim} dimensions for "
                               f"input, and {indices.ndim} dimensions for indices")
        if indices.dtype is not dtypes.int64:
            raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but "
                               f"got {_kind_name(indices.dtype)}")
        d = normalize_dim(dim, self.ndim)

        def with_size_at_d(shape: Sequence[int], size: int) -> List[int]:
            return [size if i == d else n for i, n in enumerate(shape)]

        index_shape = broadcast_shapes(with_size_at_d(self.shape, indices.shape[d]),
                                       indices.shape)
        self_shape = broadcast_shapes(with_size_at_d(indices.shape, self.shape[d]), self.shape)
        return self.expand(self_shape).gather(d, indices.expand(index_shape))

    def _index_along(self, op: str, dim: int, index: Tensor) -> Tuple[int, Any]:
        """The checks index_add/index_fill/index_copy share, in torch's words: the wrapped dim
        and the index as a 1-D array (index_fill wraps negative indices; the others refuse)."""
        d = normalize_dim(dim, self.ndim)
        if op == "index_fill":
            if index.ndim > 1:
                raise RuntimeError("Index has to be a vector/scalar")
            if index.dtype is not dtypes.int64:
                raise IndexError("index_fill_(): Expected dtype int64 for index.")
        elif index.ndim > 1:
            raise IndexError(f"index_add_(): Index is supposed to be a vector, but got dim: "
                             f"{index.ndim} with type: {_kind_name(index.dtype)} and size: "
                             f"{list(index.shape)}" if op == "index_add" else
                             f"index_copy_(): Index should have dimension 1 or 0 (got "
                             f"{index.ndim})")
        elif index.dtype is not dtypes.int64 and (op != "index_add" or
                                                  index.dtype not in INDEX_DTYPES):
            raise RuntimeError(f"index_add_(): Expected dtype int32/int64 for index but got: "
                               f"{_kind_name(index.dtype)}" if op == "index_add" else
                               f"index_copy_(): Expected a long tensor for index, but got "
                               f"{_kind_name(index.dtype)}")
        size = self.shape[d] if self.ndim else 1
        i = _index_array(index).reshape(-1)
        low = -size if op == "index_fill" else 0
        bad = i[(i < low) | (i >= size)]
        if bad.size:
            where = "index_copy_(): " if op == "index_copy" else ""
            kind = RuntimeError if op == "index_add" else IndexError
            raise kind(f"{where}index {int(bad[0])} is out of bounds for dimension {d} with "
                       f"size {size}")
        return d, i % size if op == "index_fill" else i

    def _check_source(self, op: str, d: int, index: Tensor, source: Tensor) -> None:
        """index_add/index_copy: ``source`` has self's dtype and shape, but index.numel()
        entries along ``d``."""
        if source.dtype is not self.dtype:
            raise RuntimeError(f"index_add_(): self ({_kind_name(self.dtype)}) and source "
                               f"({_kind_name(source.dtype)}) must have the same scalar type"
                               if op == "index_add" else
                               f"index_copy_(): self and source expected to have the same "
                               f"dtype, but got (self) {_kind_name(self.dtype)} and (source) "
                               f"{_kind_name(source.dtype)}")
        rest = [n for i, n in enumerate(self.shape) if i != d]
        source_rest = [n for i, n in enumerate(source.shape) if i != d]
        along = source.shape[d] if d < source.ndim else 1
        if op == "index_add":
            if index.numel() != along:
                raise RuntimeError(f"index_add_(): Number of indices ({index.numel()}) should be "
                                   f"equal to source.size(dim): ({along}), for dim: {d}")
            if source.ndim != self.ndim or rest != source_rest:
                raise RuntimeError(f"source tensor shape must match self tensor shape, excluding "
                                   f"the specified dimension. Got self.shape = "
                                   f"{list(self.shape)} source.shape = {list(source.shape)}")
            return
        if index.numel() != along:
            raise IndexError(f"index_copy_(): Number of indices ({index.numel()}) should be "
                             f"equal to source.size(dim) ({along})")
        if source.ndim != self.ndim or rest != source_rest:
            raise RuntimeError(
                "index_copy_(): Source/destination tensor must have same slice shapes. "
                f"Destination slice shape: {' '.join(map(str, rest))} at dimension {d} and "
                f"source slice shape: {' '.join(map(str, source_rest))} at dimension 0.")

    def index_add(self, dim: int, index: Tensor, source: Tensor, *, alpha: Number = 1) -> Tensor:
        """y = x with α·source[..., i, ...] added to row index[i] of ``dim`` (repeats add up)."""
        d, i = self._index_along("index_add", dim, index)
        self._check_source("index_add", d, index, source)
        return select.IndexAdd.apply(self, d, i, source, alpha)

    def index_add_(self, dim: int, index: Tensor, source: Tensor, *,
                   alpha: Number = 1) -> Tensor:
        return self._apply_(lambda x: x.index_add(dim, index, source, alpha=alpha))

    def index_copy(self, dim: int, index: Tensor, source: Tensor) -> Tensor:
        """y = x with row index[i] of ``dim`` replaced by source[..., i, ...]."""
        d, i = self._index_along("index_copy", dim, index)
        self._check_source("index_copy", d, index, source)
        return select.IndexCopy.apply(self, d, i, source)

    def index_copy_(self, dim: int, index: Tensor, source: Tensor) -> Tensor:
        return self._apply_(lambda x: x.index_copy(dim, index, source))

    def index_fill(self, dim: int, index: Tensor, value: Any) -> Tensor:
        """y = x with the rows ``index`` of ``dim`` set to ``value`` (a number or a 0-d
        tensor, which then takes a gradient)."""
        d, i = self._index_along("index_fill", dim, index)
        if isinstance(value, Tensor):
            if value.ndim:
                raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but "
                                   f"got tensor with {value.ndim} dimension(s).")
            value = value._to(self.dtype, None)
        return select.IndexFill.apply(self, d, i, value)

    def index_fill_(self, dim: int, index: Tensor, value: Any) -> Tensor:
        return self._apply_(lambda x: x.index_fill(dim, index, value))

    def index_put(self, indices: Sequence[Tensor], values: Tensor,
                  accumulate: bool = False) -> Tensor:
        """y = x with y[indices] = values (``x[indices] = values`` out of place); with
        ``accumulate`` y[indices] += values, repeated indices adding up."""
        if not isinstance(indices, (tuple, list)):
            raise TypeError("index_put(): argument 'indices' (position 1) must be tuple of "
                            f"Tensors, not {type(indices).__name__}")
        if not isinstance(values, Tensor):
            raise TypeError("index_put(): argument 'values' (position 2) must be Tensor, not "
                            f"{type(values).__name__}")
        if values.dtype is not self.dtype:
            raise RuntimeError(f"Index put requires the source and destination dtypes match, "
                               f"got {_kind_name(self.dtype)} for the destination and "
                               f"{_kind_name(values.dtype)} for the source.")
        index = _convert_index(tuple(indices))
        try:
            self._data[index]  # noqa: B018 - an index out of range: torch's IndexError
        except IndexError as e:
            raise IndexError(str(e).replace("axis", "dimension")) from None
        return inplace.IndexPut.apply(self, values, index, bool(accumulate))

    def index_put_(self, indices: Sequence[Tensor], values: Tensor,
                   accumulate: bool = False) -> Tensor:
        return self._apply_(lambda x: x.index_put(indices, values, accumulate))

    def masked_scatter(self, mask: Tensor, source: Tensor) -> Tensor:
        """y = x, where ``mask`` (broadcast with x) is true taking source's elements in turn
        (row-major order)."""
        if mask.dtype is not dtypes.bool_:
            raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with "
                               f"dtype {_kind_name(mask.dtype)}")
        if source.dtype is not self.dtype:
            raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes "
                               f"but got{_kind_name(self.dtype)} and {_kind_name(source.dtype)}")
        shape_ = broadcast_shapes(mask.shape, self.shape)
        m = mask.expand(shape_)._data
        if int(m.sum()) > source.numel():
            raise RuntimeError("Number of elements of source < number of ones in mask")
        x = self if tuple(self.shape) == tuple(shape_) else self.expand(shape_)
        return select.MaskedScatter.apply(x, m, source)

    def masked_scatter_(self, mask: Tensor, source: Tensor) -> Tensor:
        return self._apply_(lambda x: x.masked_scatter(mask, source))

    def tensor_split(self, indices_or_sections: Any, dim: int = 0) -> Tuple[Tensor, ...]:
        """Views along ``dim``: n near-equal pieces (the first size % n one longer), or the
        pieces between the given indices. Each is a slice (SliceBackward0)."""
        if self.ndim == 0:
            raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                               "tensor with 0 dims")
        spec = indices_or_sections
        if isinstance(spec, Tensor):
            if spec.ndim > 1:
                raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a "
                                   f"zero-dimensional or one-dimensional tensor, but got a tensor "
                                   f"with {spec.ndim} dims")
            if spec.dtype is not dtypes.int64:
                raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have "
                                   f"dtype of long, but got {_kind_name(spec.dtype)}")
            spec = spec.item() if spec.ndim == 0 else spec.tolist()
        d = normalize_dim(dim, self.ndim)
        size = self.shape[d]
        if isinstance(spec, int):
            if spec <= 0:
                raise RuntimeError(f"number of sections must be larger than 0, got {spec}")
            q, r = divmod(size, spec)
            spec = list(itertools.accumulate([q + 1] * r + [q] * (spec - r)))[:-1]
        bounds = [0, *spec, size]
        return tuple(shape.GetItem.apply(self, (slice(None),) * d + (slice(a, b),), "Slice")
                     for a, b in zip(bounds[:-1], bounds[1:]))

    def _split_exactly(self, sections: Any, dim: int, name: str, min_ndim: int) -> Tuple[Tensor,
                                                                                         ...]:
        """hsplit/vsplit/dsplit: ``tensor_split`` along ``dim``, a number of sections only if
        it divides the size."""
        if self.ndim < min_ndim:
            raise RuntimeError(f"torch.{name} requires a tensor with at least {min_ndim} "
                               f"dimension, but got a tensor with {self.ndim} dimensions!")
        if isinstance(sections, int) and (sections == 0 or self.shape[dim] % sections):
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the "
                               f"size of the dimension {self.shape[dim]} is not divisible by "
                               f"the split_size {sections}!")
        return self.tensor_split(sections, dim)

    def hsplit(self, sections: Any) -> Tuple[Tensor, ...]:
        """Split along dim 1 (dim 0 of a 1-D tensor)."""
        return self._split_exactly(sections, 1 if self.ndim > 1 else 0, "hsplit", 1)

    def vsplit(self, sections: Any) -> Tuple[Tensor, ...]:
        """Split along dim 0 (at least 2-D)."""
        return self._split_exactly(sections, 0, "vsplit", 2)

    def dsplit(self, sections: Any) -> Tuple[Tensor, ...]:
        """Split along dim 2 (at least 3-D)."""
        return self._split_exactly(sections, 2, "dsplit", 3)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        a, b = normalize_dim(dim1, self.ndim), normalize_dim(dim2, self.ndim)
        if a == b:
            raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
        rest = [d for d in range(self.ndim) if d not in (a, b)]
        x = self.permute(*rest, a, b)
        n = max(0, min(x.shape[-2] - max(-offset, 0), x.shape[-1] - max(offset, 0)))
        rows = np.arange(n) + max(-offset, 0)
        return x[..., rows, rows + offset]

    def diag(self, diagonal: int = 0) -> Tensor:
        if self.ndim == 2:
            return self.diagonal(diagonal)
        if self.ndim != 1:
            raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {self.ndim}D")
        n = self.shape[0] + abs(diagonal)
        out = Tensor._wrap(self._host(np.zeros((n * n,))))
        start = diagonal if diagonal >= 0 else -diagonal * n
        flat_index = Tensor._wrap(np.arange(self.shape[0]) * (n + 1) + start)
        return out.scatter(0, flat_index, self).reshape(n, n) if self.shape[0] else \
            out.reshape(n, n)

    def trace(self) -> Tensor:
        if self.ndim != 2:
            raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {self.ndim}")
        return self.diagonal().sum()

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        idx = np.nonzero(self.cpu()._data.reshape(self.shape or (1,)))
        if as_tuple:
            return tuple(Tensor._wrap(i.astype(np.int64))._to(None, self.device) for i in idx)
        return Tensor._wrap(np.stack(idx, axis=1).astype(np.int64).reshape(
            -1, max(self.ndim, 1) if self.ndim else 0))._to(None, self.device)

    def argwhere(self) -> Tensor:
        return self.nonzero()

    def where(self, condition: Tensor, y: Any) -> Tensor:
        from minitorch.functions import where

        return where(condition, self, y)

    def select(self, dim: int, index: int) -> Tensor:
        d = normalize_dim(dim, self.ndim)
        size = self.shape[d]
        if not -size <= index < size:
            raise IndexError(f"select(): index {index} out of range for tensor of size "
                             f"{list(self.shape)} at dimension {d}")
        return self[(slice(None),) * d + (index,)]

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        d = normalize_dim(dim, self.ndim)
        start = int(start) + (self.shape[d] if int(start) < 0 else 0)
        if start + length > self.shape[d]:
            raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                               f"({self.shape[d]}).")
        return self[(slice(None),) * d + (slice(start, start + length),)]

    def movedim(self, source: Any, destination: Any) -> Tensor:
        if isinstance(source, int) != isinstance(destination, int):
            kinds = ", ".join("int" if isinstance(a, int) else type(a).__name__
                              for a in (source, destination))
            raise TypeError(f"movedim() received an invalid combination of arguments - got "
                            f"({kinds}), but expected one of:\n * (int source, int destination)"
                            f"\n * (tuple of ints source, tuple of ints destination)")
        src = [source] if isinstance(source, int) else list(source)
        dst = [destination] if isinstance(destination, int) else list(destination)
        if len(src) != len(dst):
            raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} "
                               f"dims) should contain the same number of dims as destination "
                               f"({dst} dims)")
        for d in src + dst:  # torch wraps both lists before it looks for repeats
            normalize_dim(d, self.ndim)
        src = list(normalize_dims(src, self.ndim, repeated="movedim: repeated dim in `source` "
                                                           "({dims})"))
        dst = list(normalize_dims(dst, self.ndim, repeated="movedim: repeated dim in "
                                                           "`destination` ({dims})"))
        order = [d for d in range(self.ndim) if d not in src]
        for s, t in sorted(zip(dst, src)):
            order.insert(s, t)
        return self.permute(*order) if self.ndim else self

    moveaxis = movedim

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        return self.transpose(axis0, axis1)

    swapdims = swapaxes

    def ravel(self) -> Tensor:
        return self.reshape(-1)

    def repeat_interleave(self, repeats: Any, dim: Optional[int] = None) -> Tensor:
        x = self.reshape(-1) if dim is None else self
        d = 0 if dim is None else normalize_dim(dim, self.ndim)
        size = x.shape[d]
        counts = repeats._data if isinstance(repeats, Tensor) else repeats
        counts = np.broadcast_to(np.asarray(counts), (size,)) if np.ndim(counts) == 0 else \
            np.asarray(counts)
        if counts.shape != (size,):
            raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {counts.shape[0]} and input.size({d}) = "
                               f"{size}")
        index = np.repeat(np.arange(size), counts)
        return x.index_select(d, Tensor._wrap(index.astype(np.int64))._to(None, self.device))

    def tile(self, *dims: Any) -> Tensor:
        dims = tuple(dims[0]) if len(dims) == 1 and not isinstance(dims[0], int) else dims
        return self.repeat(*((1,) * (self.ndim - len(dims)) + tuple(dims)))
