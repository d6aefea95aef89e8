"""Small array helpers shared by the ops: the kernel contract's input (:func:`for_kernel`) and
the backward passes' reductions."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np


def for_kernel(xp: Any, a: Any, dtype: Any = None) -> Any:
    """``a`` as a backend kernel takes it (the contract of :mod:`minitorch.backends.base`):
    C-contiguous and, when ``dtype`` is given, of that dtype. None stays None, a 0-d array
    stays 0-d, and at most one copy is made. The ops call this once per kernel input;
    backends only check."""
    if a is None:
        return None
    if dtype is not None and a.dtype != dtype:
        a = a.astype(dtype)
    return a if a.flags.c_contiguous else xp.ascontiguousarray(a)


def unbroadcast(xp: Any, grad: Any, shape: Sequence[int]) -> Any:
    """Sum ``grad`` back to ``shape``: the adjoint of broadcasting.

    Broadcasting copies an input along new leading dims and along dims of size 1, so the
    gradient adds up over exactly those dims. E.g. bias (64,) + x (N, 64): grad_bias = Σ_n grad.
    """
    if tuple(grad.shape) == tuple(shape):
        return grad
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, size in enumerate(shape) if size == 1 and grad.shape[extra + i] != 1)
    out = grad.sum(axis=axes, keepdims=True) if axes else grad
    return out.reshape(tuple(shape))


def scatter_add(xp: Any, target: Any, index: Any, values: Any) -> None:
    """target[index] += values, adding up repeated indices (NumPy's ``add.at``)."""
    if xp.__name__ == "numpy":
        xp.add.at(target, index, values)
    else:  # CuPy
        import cupyx

        cupyx.scatter_add(target, index, values)


def sum_to_size(xp: Any, grad: Any, like: Any) -> Any:
    """Gradient for an input that may be a Python number (then there is nothing to return)."""
    if not hasattr(like, "shape"):
        return None
    return unbroadcast(xp, grad, like.shape)


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """``x.mean(axis, keepdims)``, but the mean of nothing is 0/0 = NaN without NumPy's
    "RuntimeWarning: Mean of empty slice": a ``warnings.warn`` in NumPy's Python code, which
    the ``errstate`` of :mod:`minitorch.fperrors` does not reach (torch is silent)."""
    if x.size:
        return x.mean(axis=axis, keepdims=keepdims)
    count = 1
    for a in range(x.ndim) if axis is None else (axis,) if isinstance(axis, int) else axis:
        count *= x.shape[a]
    return x.sum(axis=axis, keepdims=keepdims) / x.dtype.type(count)


def read_view(a: Any, index: Any) -> Any:
    """``a[index]`` for a basic index, always a view: where the ints pick one element NumPy
    returns a scalar (a copy), so ``t[0, 1].fill_(5)`` would not reach ``t``; the same
    element as a 0-d view is ``a[index + (...,)]``."""
    y = a[index]
    if isinstance(y, np.generic):
        y = a[(index if isinstance(index, tuple) else (index,)) + (Ellipsis,)]
    return y


def complex_dtype(a: Any) -> str:
    """The complex dtype of ``a``'s precision: complex128 for float64 or complex128 data,
    complex64 otherwise (torch's float32 ↔ complex64, float64 ↔ complex128)."""
    return "complex128" if a.dtype.name in ("float64", "complex128") else "complex64"


def real_dtype(z: Any) -> str:
    """The real dtype of complex ``z``'s precision: float64 for complex128, else float32."""
    return "float64" if z.dtype.name == "complex128" else "float32"
