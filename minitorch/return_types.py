"""The named pairs that ``max(dim)``, ``min(dim)``, ``sort``, ``topk``, ``cummax`` and
``cummin`` return:
``values`` and ``indices``, unpackable like a tuple, printed as PyTorch prints them::

    minitorch.return_types.max(
    values=tensor([3., 7.]),
    indices=tensor([3, 3]))"""

from __future__ import annotations

from collections import namedtuple
from typing import Any


def _structseq(name: str) -> Any:
    base = namedtuple(name, ["values", "indices"])

    def __repr__(self: Any) -> str:
        return (f"minitorch.return_types.{name}(\nvalues={self.values!r},\n"
                f"indices={self.indices!r})")

    cls = type(name, (base,), {"__repr__": __repr__, "__slots__": (),
                               "__module__": "minitorch.return_types"})
    return cls


max = _structseq("max")  # noqa: A001 - PyTorch's names
min = _structseq("min")  # noqa: A001
sort = _structseq("sort")
topk = _structseq("topk")
kthvalue = _structseq("kthvalue")
median = _structseq("median")
cummax = _structseq("cummax")
cummin = _structseq("cummin")
