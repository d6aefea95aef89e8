"""The tensor methods for views and shape ops: reshape, permute, expand, cat, split, …

A mixin of :class:`minitorch.tensor.Tensor`; every differentiable method calls an op's
``apply`` and the math lives in :mod:`minitorch.autograd.ops`. ``Tensor`` (the class
these methods are mixed into) is bound in this module once the class exists.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Sequence, Tuple, Union

from minitorch import dtypes
from minitorch.autograd.grad_mode import is_grad_enabled
from minitorch.autograd.ops import inplace, shape
from minitorch.shapes import check_slice_steps, check_split_sizes, normalize_dim, normalize_dims
from minitorch.tensor.helpers import (
    _convert_index,
    _dims,
    _expand_target,
    _infer_shape,
    _tensor_like,
)

Number = Union[int, float, bool]

if TYPE_CHECKING:
    from minitorch.tensor.core import Tensor


class Shaping:
    """Tensor methods: views and shape ops — reshape, permute, expand, cat, split, …"""

    # ------------------------------------------------------------------ shape ops
    def reshape(self, *shape_args: Any) -> Tensor:
        return shape.Reshape.apply(self, _infer_shape(shape_args, self.numel()))

    def view(self, *shape_args: Any) -> Tensor:
        if len(shape_args) == 1 and isinstance(shape_args[0], dtypes.dtype):
            raise RuntimeError("view(dtype) is not supported; use .to(dtype)")
        return shape.Reshape.apply(self, _infer_shape(shape_args, self.numel()), view=True)

    def view_as(self, other: Tensor) -> Tensor:
        return self.view(other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return self.reshape(other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        if self.ndim == 0:
            return self.reshape(1)
        s, e = normalize_dim(start_dim, self.ndim), normalize_dim(end_dim, self.ndim)
        if s > e:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        sizes = self.shape
        middle = 1
        for d in sizes[s:e + 1]:
            middle *= d
        return self.reshape(*sizes[:s], middle, *sizes[e + 1:])

    def unflatten(self, dim: int, sizes: Sequence[int]) -> Tensor:
        """Split dim ``dim`` (size n) into ``sizes`` (∏ sizes = n; one entry may be -1)."""
        d = normalize_dim(dim, self.ndim)
        if not len(sizes):
            raise RuntimeError("unflatten: sizes must be non-empty")
        n, known = (self.shape[d] if self.ndim else 1), math.prod(s for s in sizes if s != -1)
        if n != known and not (-1 in sizes and known and n % known == 0):
            raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to "
                               f"the size of dim {dim} ({n}) in the input tensor")
        return self.reshape(*self.shape[:d], *sizes, *self.shape[d + 1:])

    def permute(self, *dims: Any) -> Tensor:
        if not dims:
            raise TypeError('permute() missing 1 required positional arguments: "dims"')
        dims = tuple(dims[0]) if len(dims) == 1 and not isinstance(dims[0], int) else dims
        if len(dims) != self.ndim:
            raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input "
                               f"does not match the length of the desired ordering of "
                               f"dimensions i.e. input.dim() = {self.ndim} is not equal to "
                               f"len(dims) = {len(dims)}")
        norm = normalize_dims(dims, self.ndim, one_at_a_time=True,
                              repeated="permute(): duplicate dims are not allowed.")
        return shape.Permute.apply(self, norm)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        order = list(range(self.ndim))
        a, b = normalize_dim(dim0, self.ndim), normalize_dim(dim1, self.ndim)
        order[a], order[b] = order[b], order[a]
        return shape.Permute.apply(self, tuple(order), node="TransposeBackward0") \
            if self.ndim else self

    def t(self) -> Tensor:
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                               f"{self.ndim}D")
        return shape.T.apply(self) if self.ndim == 2 else self

    @property
    def T(self) -> Tensor:  # noqa: N802 - the PyTorch name
        return shape.Permute.apply(self, tuple(reversed(range(self.ndim))))

    @property
    def mT(self) -> Tensor:  # noqa: N802 - the PyTorch name
        return self.transpose(-2, -1)

    def squeeze(self, dim: Any = None) -> Tensor:
        if dim is None:
            new = tuple(s for s in self.shape if s != 1)
        else:
            dims = _dims(dim, self.ndim, True) or ()
            new = tuple(s for i, s in enumerate(self.shape) if not (i in dims and s == 1))
        # torch's overloads: squeeze() 0, squeeze(int) 1, squeeze(tuple) 2
        node = 0 if dim is None else 1 if isinstance(dim, int) else 2
        return shape.Reshape.apply(self, new, node=f"SqueezeBackward{node}")

    def unsqueeze(self, dim: int) -> Tensor:
        d = normalize_dim(dim, self.ndim + 1)
        return shape.Reshape.apply(self, self.shape[:d] + (1,) + self.shape[d:],
                                   node="UnsqueezeBackward0")

    def expand(self, *sizes: Any) -> Tensor:
        sizes = tuple(sizes[0]) if len(sizes) == 1 and not isinstance(sizes[0], int) else sizes
        return shape.Expand.apply(self, _expand_target(self.shape, sizes))

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(other.shape)

    def repeat(self, *sizes: Any) -> Tensor:
        sizes = tuple(sizes[0]) if len(sizes) == 1 and not isinstance(sizes[0], int) else sizes
        if len(sizes) < self.ndim:
            raise RuntimeError(f"Number of dimensions of repeat dims can not be smaller than "
                               f"number of dimensions of tensor (repeat dims {list(sizes)}, "
                               f"tensor of size {list(self.shape)})")
        return shape.Repeat.apply(self, tuple(int(r) for r in sizes))

    def chunk(self, chunks: int, dim: int = 0) -> Tuple[Tensor, ...]:
        if chunks <= 0:
            raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
        size = self.size(dim)
        if size == 0:  # torch: `chunks` empty pieces
            return tuple(self.split(0, dim)[0] for _ in range(chunks))
        step = max(-(-size // chunks), 1)
        return self.split(step, dim)

    def split(self, split_size: Union[int, Sequence[int]], dim: int = 0) -> Tuple[Tensor, ...]:
        d = normalize_dim(dim, self.ndim)
        size = self.shape[d]
        if isinstance(split_size, int) and split_size <= 0 and not (split_size == 0 and
                                                                   size == 0):
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {size}" if split_size == 0 else
                               f"split expects split_size be non-negative, but got "
                               f"split_size={split_size}")
        if isinstance(split_size, int) and split_size == 0:
            return (self,)
        if not isinstance(split_size, int):
            check_split_sizes(list(split_size), size)
        sizes = ([split_size] * max(-(-size // split_size), 1) if isinstance(split_size, int)
                 else list(split_size))
        out, start = [], 0
        for s in sizes:
            s = min(s, size - start)
            index = (slice(None),) * d + (slice(start, start + s),)
            out.append(self[index])
            start += s
        return tuple(out)

    def unbind(self, dim: int = 0) -> Tuple[Tensor, ...]:
        d = normalize_dim(dim, self.ndim)
        return tuple(self[(slice(None),) * d + (i,)] for i in range(self.shape[d]))

    def __getitem__(self, index: Any) -> Tensor:
        check_slice_steps(index)
        idx = _convert_index(index)
        try:
            return shape.GetItem.apply(self, idx)
        except IndexError as e:
            msg = str(e).replace("axis", "dimension")
            if msg.startswith("too many indices"):
                msg = f"too many indices for tensor of dimension {self.ndim}"
            raise IndexError(msg) from None

    def __setitem__(self, index: Any, value: Any) -> None:
        idx = _convert_index(index)
        tracked = is_grad_enabled() and (self.requires_grad or (
            isinstance(value, Tensor) and value.requires_grad))
        if not tracked:
            self._check_inplace()
            self._data[idx] = value._data if isinstance(value, Tensor) else value
            self._vc[0] += 1
        elif shape._is_basic(idx):  # a view written in place: the base gets CopySlices
            self[index].copy_(value)
        else:
            self._check_inplace()
            self._inplace(inplace.IndexPut.apply(self, _tensor_like(value, self)._to(
                self.dtype, None), idx))
