"""``minitorch.linalg``: PyTorch's linear-algebra namespace (so far the cross product)."""

from __future__ import annotations

from minitorch.autograd.ops.products import LinalgCross
from minitorch.shapes import broadcast_shapes, normalize_dim
from minitorch.tensor import Tensor, _same_mm_dtype


def cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (of size 3 in both), the other dims
    broadcast: y = (a₁b₂ − a₂b₁, a₂b₀ − a₀b₂, a₀b₁ − a₁b₀) (node ``LinalgCrossBackward0``)."""
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = normalize_dim(dim, input.ndim)
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[d]} and {other.shape[d]}")
    broadcast_shapes(input.shape, other.shape)  # torch's error when the others do not
    _same_mm_dtype(input, other)
    return LinalgCross.apply(input, other, d)
