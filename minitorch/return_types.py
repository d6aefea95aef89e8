"""The named pairs that ``max(dim)``, ``min(dim)``, ``sort``, ``topk``, ``cummax`` and
``cummin`` return:
``values`` and ``indices``, unpackable like a tuple, printed as PyTorch prints them::

    minitorch.return_types.max(
    values=tensor([3., 7.]),
    indices=tensor([3, 3]))"""

from __future__ import annotations

from collections import namedtuple
from typing import Any, Tuple


def _structseq(name: str, fields: Tuple[str, ...] = ("values", "indices")) -> Any:
    base = namedtuple(name, fields)

    def __repr__(self: Any) -> str:
        body = ",\n".join(f"{f}={getattr(self, f)!r}" for f in fields)
        return f"minitorch.return_types.{name}(\n{body})"

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
histogram = _structseq("histogram", ("hist", "bin_edges"))
nanmedian = _structseq("nanmedian")
mode = _structseq("mode")
aminmax = _structseq("aminmax", ("min", "max"))
frexp = _structseq("frexp", ("mantissa", "exponent"))
# minitorch.linalg's factorizations (and the older torch.slogdet / torch.svd names)
linalg_slogdet = _structseq("linalg_slogdet", ("sign", "logabsdet"))
slogdet = _structseq("slogdet", ("sign", "logabsdet"))
linalg_qr = _structseq("linalg_qr", ("Q", "R"))
linalg_eigh = _structseq("linalg_eigh", ("eigenvalues", "eigenvectors"))
linalg_svd = _structseq("linalg_svd", ("U", "S", "Vh"))
svd = _structseq("svd", ("U", "S", "V"))
linalg_inv_ex = _structseq("linalg_inv_ex", ("inverse", "info"))
linalg_cholesky_ex = _structseq("linalg_cholesky_ex", ("L", "info"))
linalg_lstsq = _structseq("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
linalg_eig = _structseq("linalg_eig", ("eigenvalues", "eigenvectors"))
