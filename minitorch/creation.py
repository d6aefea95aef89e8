"""Ways to make a tensor: from data, filled with a value, random, ranges.

Every function takes ``dtype``, ``device`` and ``requires_grad`` keywords like PyTorch's.
Random numbers come from minitorch's one generator (``manual_seed``)."""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

import numpy as np

from minitorch import dtypes, shapes
from minitorch.backends.cuda import graphs
from minitorch.random import Generator, rng
from minitorch.tensor import Tensor, _as_array

Shape = Union[int, Sequence[int]]


def _sizes(size: Sequence[Any]) -> tuple:
    if len(size) == 1 and not isinstance(size[0], (int, np.integer)):
        size = size[0]
    out = tuple(int(s) for s in size)
    shapes.check_sizes(out)
    return out


def _finish(array: np.ndarray, dtype: Optional[Any], device: Any,
            requires_grad: bool) -> Tensor:
    """Cast to ``dtype`` (default float32 for floats), move to ``device``, set the flag."""
    d = _dtype_or_default(dtype, array.dtype)
    t = Tensor._wrap(np.asarray(array, dtype=d.np, order="C"))  # keeps 0-d
    if _on_cuda(device):
        t = t._to(None, "cuda")
    return t.requires_grad_(True) if requires_grad else t


def _dtype_or_default(dtype: Optional[Any], values: np.dtype) -> dtypes.dtype:
    """``dtype``, or for None the default dtype (float32) for float ``values``, else theirs."""
    d = dtypes.to_dtype(dtype)
    if d is not None:
        return d
    return dtypes.get_default_dtype() if values.kind == "f" else dtypes.from_numpy_dtype(values)


def _on_cuda(device: Any) -> bool:
    return device is not None and str(device).startswith("cuda")


def tensor(data: Any, dtype: Optional[Any] = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, numbers, ndarrays, tensors).
    Python floats give float32, Python ints int64, bools bool — as in PyTorch."""
    array = np.array(_as_array(data, dtypes.to_dtype(dtype)), copy=True)
    return _finish(array, dtype or dtypes.from_numpy_dtype(array.dtype), device, requires_grad)


def as_tensor(data: Any, dtype: Optional[Any] = None, device: Any = None) -> Tensor:
    if isinstance(data, Tensor) and dtype is None and device is None:
        return data
    return tensor(data, dtype, device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (no copy), of the same dtype."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    dtypes.from_numpy_dtype(array.dtype)
    return Tensor._wrap(array)


def zeros(*size: Any, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    return _filled(_sizes(size), 0.0, dtype, device, requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    return _filled(_sizes(size), 1.0, dtype, device, requires_grad)


def _filled(size: tuple, value: Any, dtype: Any, device: Any, requires_grad: bool) -> Tensor:
    """A tensor of ``size`` holding ``value`` everywhere, made where it will live: on a GPU
    by a fill kernel there (one device operation, which a CUDA graph can capture), not as a
    host array copied over (a host-to-device copy inside a capture would replay whatever
    the host staging buffer holds by then). ``dtype`` None: float32 for a float ``value``
    (the default dtype), else the value's own kind."""
    d = _dtype_or_default(dtype, np.asarray(value).dtype)
    if _on_cuda(device):
        from minitorch.backends import get_backend

        array = get_backend("cuda").xp.full(size, value, d.np)
    else:
        array = np.full(size, value, d.np)
        array = graphs.record_new_fill(array, array.flat[0] if array.size else value)
    t = Tensor._wrap(array)
    return t.requires_grad_(True) if requires_grad else t


def empty(*size: Any, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Uninitialised in PyTorch; zero-filled here, so results never depend on garbage."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(size: Sequence[int], fill_value: Any, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    d = dtypes.to_dtype(dtype)
    shapes.check_fill_int(fill_value, d is not None and d.is_floating_point)
    value = np.asarray(fill_value)
    if dtype is None and value.dtype.kind in "ib":
        dtype = dtypes.from_numpy_dtype(value.dtype)
    return _filled(_sizes((size,)), fill_value, dtype, device, requires_grad)


def _like(t: Tensor, dtype: Any) -> dict:
    return {"dtype": dtype or t.dtype, "device": t.device}


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return zeros(t.shape, **_like(t, dtype), requires_grad=requires_grad)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return ones(t.shape, **_like(t, dtype), requires_grad=requires_grad)


def empty_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return zeros_like(t, dtype, requires_grad)


def full_like(t: Tensor, fill_value: Any, dtype: Any = None,
              requires_grad: bool = False) -> Tensor:
    return full(t.shape, fill_value, **_like(t, dtype), requires_grad=requires_grad)


def rand(*size: Any, generator: Optional[Generator] = None, dtype: Any = None,
         device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform on [0, 1)."""
    return _finish(rng(generator).random(_sizes(size)), dtype, device, requires_grad)


def randn(*size: Any, generator: Optional[Generator] = None, dtype: Any = None,
          device: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal."""
    return _finish(rng(generator).standard_normal(_sizes(size)), dtype, device, requires_grad)


def rand_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return rand(t.shape, **_like(t, dtype), requires_grad=requires_grad)


def randn_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return randn(t.shape, **_like(t, dtype), requires_grad=requires_grad)


def randint(low: int, high: Optional[int] = None, size: Sequence[int] = (), *,
            generator: Optional[Generator] = None, dtype: Any = None,
            device: Any = None) -> Tensor:
    """Integers uniform on [low, high) (``randint(high, size)`` means low = 0)."""
    if high is None or (not isinstance(high, int) and size == ()):
        low, high, size = 0, low, high if high is not None else size
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    values = rng(generator).integers(low, high, size=_sizes((size,)))
    return _finish(values, dtype or dtypes.int64, device, False)


def randperm(n: int, *, generator: Optional[Generator] = None, dtype: Any = None,
             device: Any = None) -> Tensor:
    shapes.check_count(n, "n")
    return _finish(rng(generator).permutation(n), dtype or dtypes.int64, device, False)


def arange(start: float, end: Optional[float] = None, step: float = 1, *, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    if end is None:
        start, end = 0, start
    shapes.check_range(start, end, step)
    values = np.arange(start, end, step)
    if dtype is None and all(isinstance(v, int) for v in (start, end, step)):
        dtype = dtypes.int64
    return _finish(values, dtype, device, requires_grad)


def linspace(start: float, end: float, steps: int, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    shapes.check_count(steps, "steps")
    return _finish(np.linspace(start, end, steps), dtype, device, requires_grad)


def eye(n: int, m: Optional[int] = None, *, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    shapes.check_count(n, "n")
    if m is not None:
        shapes.check_count(m, "n")
    return _finish(np.eye(n, m), dtype, device, requires_grad)
