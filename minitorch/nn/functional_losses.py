"""More losses, composed from differentiable ops with the formulas of torch's kernels (so
values and gradients agree), each with torch's signature and reduction arguments:

    soft_margin_loss            log(1 + e^{−y·x})                          (y = ±1)
    hinge_embedding_loss        x where y = 1, max(0, margin − x) where y = −1
    multilabel_soft_margin_loss −mean_c [y·log σ(x) + (1 − y)·log σ(−x)] (weighted per class)
    poisson_nll_loss            eˣ − y·x (log_input), or x − y·log(x + eps); ``full`` adds
                                Stirling's y·log y − y + ½·log(2πy) where y > 1
    gaussian_nll_loss           ½·(log v + (x − y)²/v) (+ ½·log 2π with ``full``), v ≥ eps

Exported by :mod:`minitorch.nn.functional`.
"""

from __future__ import annotations

import math
from typing import Any, Optional, Union

from minitorch.creation import ones_like
from minitorch.functions import where
from minitorch.nn.functional import _reduce, _reduction  # defined above this import
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
