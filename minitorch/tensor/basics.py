"""What a tensor is described with: ``Size``, ``device``, and the array behind it."""

from __future__ import annotations

from typing import Any, Optional, Tuple, Union

import numpy as np

from minitorch import dtypes


class Size(tuple):
    """The shape of a tensor: a tuple of ints with PyTorch's repr."""

    def __repr__(self) -> str:
        return f"minitorch.Size({list(self)})"

    # a slice, a concatenation or a repetition of a Size is a Size, as in torch
    def __getitem__(self, index: Any) -> Any:
        item = tuple.__getitem__(self, index)
        return Size(item) if isinstance(index, slice) else item

    def __add__(self, other: Any) -> Size:
        return Size(tuple.__add__(self, other))

    def __radd__(self, other: Any) -> Size:
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def __mul__(self, times: Any) -> Size:
        return Size(tuple.__mul__(self, times))

    __rmul__ = __mul__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n


class device:  # noqa: N801 - the PyTorch name
    """Where a tensor lives: ``device("cpu")`` or ``device("cuda")`` (= ``cuda:0``)."""

    def __init__(self, spec: Union[str, device], index: Optional[int] = None) -> None:
        if isinstance(spec, device):
            spec, index = spec.type, spec.index
        kind, _, idx = str(spec).partition(":")
        if kind not in ("cpu", "cuda"):
            raise RuntimeError(f"Expected one of cpu, cuda device type at start of device "
                               f"string: {spec}")
        self.type = kind
        self.index = int(idx) if idx else index
        if kind == "cuda" and self.index is None:
            self.index = 0

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


_DTYPES = dtypes._BY_NP  # NumPy dtype → minitorch dtype: the dtype property's one lookup


def _device_of(array: Any) -> device:
    return CPU if isinstance(array, np.ndarray) else device("cuda")


def type_description(shape: Tuple[int, ...], np_dtype: Any, cuda: bool) -> str:
    """``minitorch.FloatTensor [2, 3]`` (``minitorch.cuda.`` on the GPU): how error messages
    name a tensor of that shape and (NumPy) dtype."""
    prefix = "minitorch.cuda." if cuda else "minitorch."
    return f"{prefix}{dtypes.from_numpy_dtype(np_dtype).kind}Tensor {list(shape)}"
