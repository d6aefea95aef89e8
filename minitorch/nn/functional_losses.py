"""More losses, composed from differentiable ops with the formulas of torch's kernels (so
values and gradients agree), each with torch's signature and reduction arguments:

    soft_margin_loss            log(1 + e^{−y·x})                          (y = ±1)
    hinge_embedding_loss        x where y = 1, max(0, margin − x) where y = −1
    multilabel_soft_margin_loss −mean_c [y·log σ(x) + (1 − y)·log σ(−x)] (weighted per class)
    poisson_nll_loss            eˣ − y·x (log_input), or x − y·log(x + eps); ``full`` adds
                                Stirling's y·log y − y + ½·log(2πy) where y > 1
    gaussian_nll_loss           ½·(log v + (x − y)²/v) (+ ½·log 2π with ``full``), v ≥ eps
    multi_margin_loss           Σ_{i≠y} w_y·max(0, margin − x_y + x_i)^p / C   (one node)
    multilabel_margin_loss      Σ_{j∈Y} Σ_{i∉Y} max(0, 1 − x_j + x_i) / C        (one node)
    triplet_margin_with_distance_loss  max(0, margin + d(a, p) − d(a, n)), any distance d

Exported by :mod:`minitorch.nn.functional`.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Optional, Union

from minitorch import dtypes
from minitorch.autograd.ops import layers as loss_ops
from minitorch.creation import ones_like
from minitorch.functions import where
from minitorch.nn.functional import _reduce, _reduction  # defined above this import
from minitorch.nn.functional_composed import _kind
from minitorch.nn.functional_distance import clamped_value
from minitorch.tensor import Tensor


def soft_margin_loss(input: Tensor, target: Tensor, size_average: Any = None,
                     reduce: Any = None, reduction: str = "mean") -> Tensor:
    """log(1 + e^{−target·input}): a smooth hinge for targets ±1."""
    reduction = _reduction(size_average, reduce, reduction)
    return _reduce((-input * target).exp().log1p(), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,
                         size_average: Any = None, reduce: Any = None,
                         reduction: str = "mean") -> Tensor:
    """input where target = 1 (a distance to shrink), max(0, margin − input) where
    target = −1 (a distance to push past the margin)."""
    reduction = _reduction(size_average, reduce, reduction)
    pushed = where(target != 1, (margin - input).clamp_min(0), 0.0)
    return _reduce(pushed + where(target != -1, input, 0.0), reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor,
                                weight: Optional[Tensor] = None, size_average: Any = None,
                                reduce: Any = None, reduction: str = "mean") -> Tensor:
    """One binary logistic loss per class (targets 0/1), averaged over the classes (the
    last dim), then reduced over the samples."""
    from minitorch.nn.functional import logsigmoid

    reduction = _reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(input.ndim - 1) / input.shape[-1]
    return _reduce(loss, reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True,
                     full: bool = False, size_average: Any = None, eps: float = 1e-8,
                     reduce: Any = None, reduction: str = "mean") -> Tensor:
    """The negative log-likelihood of ``target`` counts under a Poisson of rate e^input
    (``log_input``) or input."""
    reduction = _reduction(size_average, reduce, reduction)
    loss = input.exp() - target * input if log_input else \
        input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + where(target <= 1, 0.0, stirling)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Union[Tensor, float],
                      full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """The negative log-likelihood of ``target`` under a Gaussian of mean ``input`` and
    variance ``var`` (one per element, or one per sample: one dim short, or 1 along one
    dim); the variance is clamped at ``eps`` in value only (its gradient passes through)."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * ones_like(input)
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif not (input.ndim == var.ndim and sum(
                v for i, v in zip(input.shape, var.shape) if i != v) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = clamped_value(var, eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def _margin_rows(input: Tensor) -> Tensor:
    """(N, C) input as it is, a (C,) vector as one row; torch's check for anything else."""
    if not (input.ndim <= 1 and input.numel() > 0 or input.ndim == 2 and input.shape[1] > 0):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch "
                           f"size, but got: {list(input.shape)}")
    return input.reshape(-1 if input.ndim == 2 else 1, input.shape[-1] if input.ndim else 1)


def _long_target(target: Tensor) -> None:
    if target.dtype is not dtypes.int64:
        raise RuntimeError(f"expected scalar type Long but found {_kind(target)}")


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Optional[Tensor] = None, size_average: Any = None,
                      reduce: Any = None, reduction: str = "mean") -> Tensor:
    """The multi-class hinge loss of each row x with target class y::

        loss = Σ_{i ≠ y} w[y] · max(0, margin − x[y] + x[i])^p / C      (p = 1 or 2)

    (one ``MultiMarginLossBackward0`` node), then the reduction over the rows."""
    reduction = _reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    x = _margin_rows(input)
    n, c = x.shape
    if input.ndim == 2 and (target.ndim != 1 or target.numel() != n):
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal "
                           f"to the number of input samples (batch size). Expected target size "
                           f"[{n}], but got {list(target.shape)}. Input has shape "
                           f"{list(input.shape)}.")
    if input.ndim <= 1 and (target.ndim > 1 or target.numel() != 1):
        raise RuntimeError(f"inconsistent target size, expected 1 but got "
                           f"{list(target.shape)}")
    if weight is not None and weight.numel() != c:
        raise RuntimeError(f"inconsistent weight size, expected {c} but got "
                           f"{list(weight.shape)}")
    _long_target(target)
    if weight is not None and weight.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {_kind(input)} but found {_kind(weight)}")
    t = target.reshape(-1)
    if n and (int(t.min().item()) < 0 or int(t.max().item()) >= c):
        raise RuntimeError("target out of range")
    return loss_ops.MultiMarginLoss.apply(x, t._data, p, margin,
                                          None if weight is None else weight.detach()._data,
                                          reduction,
                                          tuple(target.shape) if input.ndim <= 1 else (n,))


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average: Any = None,
                           reduce: Any = None, reduction: str = "mean") -> Tensor:
    """The multi-label hinge loss of each row x whose classes Y are its target's entries up
    to the first −1::

        loss = Σ_{j ∈ Y} Σ_{i ∉ Y} max(0, 1 − (x[j] − x[i])) / C

    (one ``MultilabelMarginLossBackward0`` node), then the reduction over the rows."""
    reduction = _reduction(size_average, reduce, reduction)
    x = _margin_rows(input)
    fits = tuple(target.shape) == tuple(x.shape) if input.ndim == 2 else \
        target.ndim <= 1 and target.numel() == x.shape[1]
    if not fits:
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of "
                           f"size: {list(input.shape)}")
    _long_target(target)
    t = target.reshape(x.shape)
    if t.numel() and (int(t.min().item()) < -1 or int(t.max().item()) >= x.shape[1]):
        raise RuntimeError("argument #2 'target' is out of range")
    return loss_ops.MultilabelMarginLoss.apply(x, t._data, reduction,
                                               () if input.ndim <= 1 else (x.shape[0],))


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Optional[Callable[[Tensor, Tensor],
                                                                           Tensor]] = None,
                                      margin: float = 1.0, swap: bool = False,
                                      reduction: str = "mean") -> Tensor:
    """max(0, margin + d(a, p) − d(a, n)) for a distance function d (default
    ``pairwise_distance``); ``swap``: d(a, n) is replaced by min(d(a, n), d(p, n))."""
    from minitorch.functions import minimum
    from minitorch.nn.functional import pairwise_distance

    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a_dim, p_dim, n_dim = anchor.ndim, positive.ndim, negative.ndim
    if not a_dim == p_dim == n_dim:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have "
                           f"the same number of dimensions, but got: anchor {a_dim}D, "
                           f"positive {p_dim}D, and negative {n_dim}D inputs")
    distance = pairwise_distance if distance_function is None else distance_function
    dist_pos = distance(anchor, positive)
    dist_neg = distance(anchor, negative)
    if swap:
        dist_neg = minimum(dist_neg, distance(positive, negative))
    return _reduce((margin + dist_pos - dist_neg).clamp_min(0), reduction)
