"""The four dtypes minitorch knows, and PyTorch's promotion rule between them."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np


class dtype:  # noqa: N801 - the PyTorch name
    """A tensor element type; wraps the NumPy dtype that stores it."""

    def __init__(self, name: str, np_dtype: Any, is_floating_point: bool) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = is_floating_point
        self.itemsize = self.np.itemsize

    def __repr__(self) -> str:
        return f"minitorch.{self.name}"

    def __reduce__(self) -> str:
        return self.name


float32 = dtype("float32", np.float32, True)
float64 = dtype("float64", np.float64, True)
int64 = dtype("int64", np.int64, False)
bool_ = dtype("bool", np.bool_, False)
float = float32  # noqa: A001 - torch.float is float32
double = float64
long = int64

_ALL = (float32, float64, int64, bool_)
_BY_NP = {d.np: d for d in _ALL}
_RANK = {bool_: 0, int64: 1, float32: 2, float64: 3}
_default_float = [float32]


def get_default_dtype() -> dtype:
    return _default_float[0]


def set_default_dtype(d: dtype) -> None:
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default_float[0] = d


def from_numpy_dtype(np_dtype: Any) -> dtype:
    """The minitorch dtype that stores ``np_dtype`` (other ints map to int64, other floats to
    float32 — e.g. float16 — and are converted by the caller)."""
    found = _BY_NP.get(np_dtype) if isinstance(np_dtype, np.dtype) else None
    if found is not None:  # an array's own dtype: every Tensor.dtype asks, keep it one lookup
        return found
    nd = np.dtype(np_dtype)
    if nd in _BY_NP:
        return _BY_NP[nd]
    if nd.kind in "iu":
        return int64
    if nd.kind == "f":
        return float32 if nd.itemsize <= 4 else float64
    if nd.kind == "b":
        return bool_
    raise TypeError(f"can't convert np.ndarray of type {nd}. The only supported types are: "
                    "float64, float32, int64, int32, int16, int8, uint8, and bool.")


def to_dtype(d: Optional[Any]) -> Optional[dtype]:
    """Accept a minitorch dtype, a NumPy dtype, or a Python type (float/int/bool)."""
    if d is None or isinstance(d, dtype):
        return d
    if d is builtins_float:
        return get_default_dtype()
    if d is builtins_int:
        return int64
    if d is builtins_bool:
        return bool_
    return from_numpy_dtype(d)


builtins_float, builtins_int, builtins_bool = type(1.0), int, bool  # noqa: UP003 - float is shadowed


def promote(a: dtype, b: dtype) -> dtype:
    """Result dtype of an op between two tensors: the higher of bool < int64 < float32 < float64."""
    return a if _RANK[a] >= _RANK[b] else b


def promote_scalar(a: dtype, scalar: Any) -> dtype:
    """Result dtype of tensor ⊙ Python number: a float number lifts an integral tensor to the
    default float type; otherwise the tensor's dtype wins (PyTorch's rule)."""
    if isinstance(scalar, builtins_bool):
        return a
    if isinstance(scalar, builtins_float) and not a.is_floating_point:
        return get_default_dtype()
    if isinstance(scalar, builtins_int) and a is bool_:
        return int64
    return a


class finfo:  # noqa: N801 - the PyTorch name
    """The limits of a floating dtype (default: the default float dtype), as ``torch.finfo``:
    ``bits``; ``eps``, the gap between 1 and the next number; ``max`` and ``min``;
    ``tiny`` = ``smallest_normal``, the smallest positive normal number; ``resolution``,
    10^−(decimal digits); ``dtype``, the dtype's name."""

    def __init__(self, type: Optional[dtype] = None) -> None:  # noqa: A002 - torch's name
        type = get_default_dtype() if type is None else type
        if not type.is_floating_point:
            raise TypeError("minitorch.finfo() requires a floating point input type. Use "
                            "minitorch.iinfo to handle 'minitorch.finfo'")
        info = np.finfo(type.np)
        self.bits, self.dtype = int(info.bits), type.name
        self.eps, self.max, self.min = (builtins_float(v) for v in (info.eps, info.max, info.min))
        self.tiny = self.smallest_normal = builtins_float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:  # noqa: N801 - the PyTorch name
    """The limits of an integer dtype, as ``torch.iinfo``: ``bits``, ``min``, ``max`` (Python
    ints) and ``dtype``, the dtype's name."""

    def __init__(self, type: dtype) -> None:  # noqa: A002 - torch's name
        if type is bool_:
            raise TypeError("minitorch.bool is not supported by minitorch.iinfo")
        if type.is_floating_point:
            raise TypeError("minitorch.iinfo() requires an integer input type. Use "
                            "minitorch.finfo to handle 'minitorch.iinfo'")
        info = np.iinfo(type.np)
        self.bits, self.min, self.max, self.dtype = int(info.bits), int(info.min), \
            int(info.max), type.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
