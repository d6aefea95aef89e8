"""Padding layers: ``F.pad`` as a module, one class per mode and number of padded dims, with
torch's names, arguments and ``repr`` — ``ZeroPad2d((1, 1, 2, 0))``,
``ConstantPad1d(padding=(2, 2), value=3.5)``, ``ReflectionPad2d``, ``ReplicationPad1d``,
``CircularPad2d`` and their 1-D and 3-D forms. ``padding`` is one int for every side, or
(left, right[, top, bottom[, front, back]]) from the last dim backwards, as ``F.pad`` takes
it."""

from __future__ import annotations

from typing import Sequence, Tuple, Union

from minitorch.nn import functional as F
from minitorch.nn.module import Module
from minitorch.tensor import Tensor

Padding = Union[int, Sequence[int]]


class _PadNd(Module):
    """``F.pad(input, padding, mode)`` over the last ``_dims`` dims."""

    mode = "constant"
    _dims = 1

    def __init__(self, padding: Padding) -> None:
        super().__init__()
        self.padding: Tuple[int, ...] = tuple(padding) if isinstance(padding, (tuple, list)) \
            else (padding,) * (2 * self._dims)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    """Pads with ``value``: every new position holds it."""

    def __init__(self, padding: Padding, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class _ZeroPad:
    """Pads with zeros: ``ConstantPad`` with value 0, shown without the value."""

    def __init__(self, padding: Padding) -> None:
        super().__init__(padding, 0.0)  # type: ignore[call-arg]

    def extra_repr(self) -> str:
        return f"{self.padding}"  # type: ignore[attr-defined]


class _ReflectionPadNd(_PadNd):
    """Mirror images of the edge (the edge itself not repeated): [1, 2, 3] → [3, 2, 1, 2, 3]
    with padding (2, 0)."""

    mode = "reflect"


class _ReplicationPadNd(_PadNd):
    """Copies of the edge value: [1, 2, 3] → [1, 1, 1, 2, 3] with padding (2, 0)."""

    mode = "replicate"


class _CircularPadNd(_PadNd):
    """Wrap-around: the other end's values: [1, 2, 3] → [2, 3, 1, 2, 3] with padding (2, 0)."""

    mode = "circular"


def _padding(name: str, bases: Tuple[type, ...], dims: int) -> type:
    """The class ``name``: ``bases`` over the last ``dims`` dims."""
    where = {1: "on the last dim", 2: "around the last two dims",
             3: "around the last three dims"}[dims]
    return type(name, bases, {"_dims": dims, "__module__": __name__,
                              "__doc__": f"{bases[0].__doc__.split(':')[0]}, {where}."})


ConstantPad1d, ConstantPad2d, ConstantPad3d = (
    _padding(f"ConstantPad{d}d", (_ConstantPadNd,), d) for d in (1, 2, 3))
ZeroPad1d, ZeroPad2d, ZeroPad3d = (
    _padding(f"ZeroPad{d}d", (_ZeroPad, constant), d)
    for d, constant in ((1, ConstantPad1d), (2, ConstantPad2d), (3, ConstantPad3d)))
ReflectionPad1d, ReflectionPad2d, ReflectionPad3d = (
    _padding(f"ReflectionPad{d}d", (_ReflectionPadNd,), d) for d in (1, 2, 3))
ReplicationPad1d, ReplicationPad2d, ReplicationPad3d = (
    _padding(f"ReplicationPad{d}d", (_ReplicationPadNd,), d) for d in (1, 2, 3))
CircularPad1d, CircularPad2d, CircularPad3d = (
    _padding(f"CircularPad{d}d", (_CircularPadNd,), d) for d in (1, 2, 3))
