"""Top-level functions that take tensors (``minitorch.cat``, ``minitorch.where``, ...). Most
forward to the Tensor method of the same name."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from minitorch import dtypes
from minitorch.autograd.ops import elementwise as ew
from minitorch.autograd.ops import shape
from minitorch.foreign import expect_tensor_list
from minitorch.shapes import broadcast_shapes, normalize_dim
from minitorch.tensor import Tensor, _promote, _tensor_like, matmul


def _same_dtype(tensors: Sequence[Tensor]) -> list:
    target = tensors[0].dtype
    for t in tensors[1:]:
        target = dtypes.promote(target, t.dtype)
    return [t if t.dtype is target else t._to(target, None) for t in tensors]


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dim; all other dims must match."""
    expect_tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    legacy = [t for t in tensors if t.ndim == 1 and t.shape[0] == 0]  # skipped, any dim
    if len(legacy) == len(tensors):  # torch: only legacy empties — the dim is not checked
        return shape.Cat.apply(*_same_dtype(list(tensors)), dim=0)
    tensors = [t for t in tensors if not (t.ndim == 1 and t.shape[0] == 0)]
    first = tensors[0]
    d = normalize_dim(dim, first.ndim)
    for i, t in enumerate(tensors[1:], start=1):
        if t.ndim != first.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got "
                               f"{first.ndim} and {t.ndim}")
        for axis in range(first.ndim):
            if axis != d and t.shape[axis] != first.shape[axis]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. "
                                   f"Expected size {first.shape[axis]} but got size "
                                   f"{t.shape[axis]} for tensor number {i} in the list.")
    return shape.Cat.apply(*_same_dtype(tensors), dim=d)


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join same-shaped tensors along a new dim."""
    expect_tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    first = tensors[0]
    for i, t in enumerate(tensors[1:], start=1):
        if t.shape != first.shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(first.shape)} at entry 0 and {list(t.shape)} at entry {i}")
    return shape.Stack.apply(*_same_dtype(list(tensors)), dim=normalize_dim(dim, first.ndim + 1))


def where(condition: Tensor, input: Any, other: Any) -> Tensor:
    """``input`` where ``condition`` is true, else ``other`` (differentiable in both)."""
    if isinstance(condition, Tensor) and condition.dtype is not dtypes.bool_:
        kind = condition.type_description().split(".")[-1].split("Tensor")[0]
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {kind} (condition of size {list(condition.shape)})")
    a = input if isinstance(input, Tensor) else _tensor_like(input, condition)
    a, b = _promote(a, other)
    b = b if isinstance(b, Tensor) else _tensor_like(b, condition)._to(a.dtype, None)
    broadcast_shapes(broadcast_shapes(condition.shape, a.shape), b.shape)
    return ew.Where.apply(condition._data.astype(bool), a, b)


def maximum(a: Tensor, b: Tensor) -> Tensor:
    return a.maximum(b)


def minimum(a: Tensor, b: Tensor) -> Tensor:
    return a.minimum(b)


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def numel(t: Tensor) -> int:
    return t.numel()


def allclose(a: Tensor, b: Tensor, rtol: float = 1e-5, atol: float = 1e-8,
             equal_nan: bool = False) -> bool:
    return bool(np.allclose(a.detach().cpu()._data, b.detach().cpu()._data, rtol, atol,
                            equal_nan))


def mm(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError("self must be a matrix" if a.ndim != 2 else "mat2 must be a matrix")
    return matmul(a, b)


def _method(name: str):  # noqa: ANN202
    def call(input: Tensor, *args: Any, **kwargs: Any) -> Any:
        return getattr(input, name)(*args, **kwargs)

    call.__name__ = name
    call.__doc__ = f"``minitorch.{name}(t, ...)`` is ``t.{name}(...)``."
    return call


_FORWARDED = ["exp", "log", "sqrt", "abs", "clamp", "clip", "sum", "mean", "var", "std", "max",
              "min", "amax", "argmax", "argmin", "reshape", "flatten", "permute", "transpose",
              "squeeze", "unsqueeze", "t", "relu", "sigmoid", "tanh", "softmax", "log_softmax",
              "neg", "add", "sub", "mul", "div", "pow", "split", "chunk", "unbind", "isnan",
              "clone", "detach", "equal"]
for _name in _FORWARDED:
    globals()[_name] = _method(_name)


def from_dlpack(ext: Any) -> Tensor:
    """Wrap an object that speaks DLPack (NumPy, torch, CuPy) without copying when possible."""
    if hasattr(ext, "__dlpack_device__") and ext.__dlpack_device__()[0] == 2:  # CUDA
        import cupy

        return Tensor._wrap(cupy.from_dlpack(ext))
    return Tensor._wrap(np.from_dlpack(ext))

