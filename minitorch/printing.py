"""PyTorch-style ``repr`` of a tensor: ``tensor([1.0000, 2.5000], requires_grad=True)``."""

from __future__ import annotations

from typing import TYPE_CHECKING, List

import numpy as np

if TYPE_CHECKING:
    from minitorch.tensor import Tensor

PREFIX = "tensor("


def _float_formatter(values: np.ndarray):  # noqa: ANN202
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return lambda v: _special(v) or f"{v:.4f}"
    absmax, absmin = np.abs(finite).max(), np.abs(finite).min()
    if np.all(finite == np.round(finite)) and absmax < 1e8:
        width = max(len(f"{v:.0f}.") for v in finite)
        return lambda v: (_special(v) or f"{v:.0f}.").rjust(width)
    if absmax > 1e8 or (absmin > 0 and absmin < 1e-4) or (absmin > 0 and absmax / absmin > 1e3):
        return lambda v: _special(v) or f"{v:.4e}"
    width = max(len(f"{v:.4f}") for v in finite)
    return lambda v: (_special(v) or f"{v:.4f}").rjust(width)


def _special(v: float) -> str:
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return ""


def tensor_repr(t: Tensor) -> str:
    data = t.detach().cpu()._data
    if data.dtype.kind == "f":
        fmt = _float_formatter(data.astype(np.float64))
        formatter = {"float_kind": lambda v: fmt(float(v))}
    elif data.dtype.kind == "b":
        formatter = {"bool": lambda v: " True" if v else "False"}
    else:
        formatter = None
    if data.size == 0:
        body = "[]"
    else:
        body = np.array2string(data, separator=", ", prefix=PREFIX, formatter=formatter,
                               threshold=1000, edgeitems=3, max_line_width=80)
    extras: List[str] = []
    if t.is_cuda:
        extras.append("device='cuda:0'")
    if data.dtype == np.float64 or (data.dtype == np.int64 and data.size == 0) \
            or (data.size == 0 and data.dtype == np.bool_):
        extras.append(f"dtype={t.dtype!r}")
    if data.size == 0 and data.ndim > 1:
        extras.insert(0, f"size={tuple(data.shape)}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return PREFIX + body + "".join(", " + e for e in extras) + ")"
