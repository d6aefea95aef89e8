"""Distances between embeddings and the losses built on them, composed from differentiable
ops with the formulas of torch's kernels (so values and gradients agree):

    cosine_similarity(x₁, x₂) = Σ (x₁ / max(‖x₁‖, ε)) · (x₂ / max(‖x₂‖, ε))
    pairwise_distance(x₁, x₂) = ‖x₁ − x₂ + ε‖_p                      (along the last dim)
    margin_ranking_loss       = max(0, −y·(x₁ − x₂) + margin)
    cosine_embedding_loss     = 1 − cos (y = 1),  max(0, cos − margin) (y = −1)
    triplet_margin_loss       = max(0, margin + d(a, p) − d(a, n))

The ε clamp of cosine_similarity is applied to the norm's value only: the gradient is the
norm's own, as torch clamps in place under no_grad. Exported by :mod:`minitorch.nn.functional`.
"""

from __future__ import annotations

from typing import Any

from minitorch import shapes
from minitorch.autograd.grad_mode import no_grad
from minitorch.foreign import expect_tensor
from minitorch.functions import where
from minitorch.nn.functional import _reduce, _reduction  # defined above this import
from minitorch.tensor import Tensor


def clamped_value(t: Tensor, least: float) -> Tensor:
    """``t`` with its value at least ``least`` and its gradient ``t``'s own (torch clamps such
    tensors in place under no_grad: the cosine's norms, the Gaussian NLL's variance)."""
    with no_grad():
        lift = t.clamp_min(least) - t
    return t + lift


def _clamped_norm(x: Tensor, dim: int, eps: float) -> Tensor:
    """‖x‖₂ along ``dim`` (kept), its value at least ``eps``, its gradient the norm's."""
    return clamped_value(x.norm(2, dim, keepdim=True), eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """The cosine of the angle between x1 and x2 along ``dim`` (broadcast together)."""
    expect_tensor(x1, "cosine_similarity")
    expect_tensor(x2, "cosine_similarity", "x2", 2)
    shape = shapes.broadcast_shapes(x1.shape, x2.shape)  # the norms of the broadcast pair
    x1, x2 = x1.expand(shape), x2.expand(shape)
    return ((x1 / _clamped_norm(x1, dim, eps)) * (x2 / _clamped_norm(x2, dim, eps))).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """‖x1 − x2 + eps‖_p along the last dim."""
    expect_tensor(x1, "pairwise_distance")
    expect_tensor(x2, "pairwise_distance", "x2", 2)
    dim = max(x1.ndim, x2.ndim) - 1
    return (x1 - x2 + eps).norm(p, dim, keepdim=keepdim)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """max(0, −target·(input1 − input2) + margin): target 1 wants input1 ranked higher."""
    reduction = _reduction(size_average, reduce, reduction)
    if not (input1.ndim == input2.ndim == target.ndim):
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.shape}, input2: {input2.shape}, "
                           f"target: {target.shape} ")
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          size_average: Any = None, reduce: Any = None,
                          reduction: str = "mean") -> Tensor:
    """1 − cos(input1, input2) where target = 1, max(0, cos − margin) where target = −1
    (cos along the last dim, with 1e-12 added to each squared norm)."""
    reduction = _reduction(size_average, reduce, reduction)
    dim = target.ndim
    if target.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input1.ndim != target.ndim + 1 or input2.ndim != input1.ndim:
        raise RuntimeError(f"{target.ndim}D target tensor expects {target.ndim + 1}D input "
                           f"tensors, but found inputs with sizes {list(input1.shape)} and "
                           f"{list(input2.shape)}.")
    products = (input1 * input2).sum(dim)
    squares1 = (input1 * input1).sum(dim) + 1e-12
    squares2 = (input2 * input2).sum(dim) + 1e-12
    cos = products / (squares1 * squares2).sqrt()
    loss = where(target == 1, 1 - cos, 0.0) + where(target == -1, (cos - margin).clamp_min(0),
                                                   0.0)
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2, eps: float = 1e-6,
                        swap: bool = False, size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """max(0, margin + d(anchor, positive) − d(anchor, negative)) with d the pairwise
    distance; ``swap``: d(anchor, negative) replaced by d(positive, negative) where smaller."""
    reduction = _reduction(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dims = (anchor.ndim, positive.ndim, negative.ndim)
    if len(set(dims)) != 1:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have "
                           f"the same number of dimensions, but got: anchor {dims[0]}D, "
                           f"positive {dims[1]}D, and negative {dims[2]}D inputs")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = d_neg.minimum(pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)
