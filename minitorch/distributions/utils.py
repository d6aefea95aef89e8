"""Helpers shared by the distributions: parameter broadcasting, probabilities ↔ logits,
parameters computed on first use."""

from __future__ import annotations

from numbers import Number
from typing import Any, Callable, Sequence, Tuple

import numpy as np

import minitorch
from minitorch.random import rng
from minitorch.tensor import Size, Tensor

euler_constant = 0.57721566490153286060  # Euler–Mascheroni


def broadcast_all(*values: Any) -> Tuple[Tensor, ...]:
    """The values (Tensors or numbers) broadcast to one shape; numbers become Tensors of the
    first Tensor's dtype and device, or of the default dtype when all are numbers."""
    if not all(isinstance(v, (Tensor, Number)) for v in values):
        raise ValueError("Input arguments must all be instances of Number, "
                         "torch.Tensor or objects implementing __torch_function__.")
    like = next((v for v in values if isinstance(v, Tensor)), None)
    options = (dict(dtype=like.dtype, device=like.device) if like is not None
               else dict(dtype=minitorch.get_default_dtype()))
    tensors = [v if isinstance(v, Tensor) else minitorch.tensor(v, **options) for v in values]
    return tuple(minitorch.broadcast_tensors(*tensors))


def formatted(value: Any) -> Any:
    """What torch's f-strings show for a value: a 0-d Tensor as its number."""
    return value.item() if isinstance(value, Tensor) and value.dim() == 0 else value


def standard_normal(shape: Sequence[int], like: Tensor) -> Tensor:
    """N(0, 1) draws of ``like``'s dtype and device (from minitorch's generator)."""
    return minitorch.randn(tuple(shape), dtype=like.dtype, device=like.device)


def draw(sampler: Callable[[np.random.Generator], Any], like: Tensor) -> Tensor:
    """``sampler(generator)`` — an array drawn from minitorch's generator (NumPy's samplers:
    gamma, Poisson, binomial, ...) — as a Tensor of ``like``'s dtype and device."""
    return minitorch.tensor(np.asarray(sampler(rng())), dtype=like.dtype, device=like.device)


def host(t: Tensor) -> np.ndarray:
    """A Tensor's values as a NumPy array (float64), for a sampler's parameters."""
    return np.asarray(t.detach().cpu().numpy(), dtype=np.float64)


def broadcast_shapes(*shapes: Sequence[int]) -> Size:
    """The shape the given shapes broadcast to."""
    return Size(np.broadcast_shapes(*(tuple(s) for s in shapes)))


def clamp_by_zero(x: Tensor) -> Tensor:
    """max(x, 0), with gradient ½ at 0 (as torch's, so that gradients match there)."""
    return (x.clamp(min=0) + x - x.clamp(max=0)) / 2


def sum_rightmost(value: Tensor, dim: int) -> Tensor:
    """Sum over the rightmost ``dim`` dimensions."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:-dim]) + (-1,)).sum(-1)


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """σ(logits) for binary outcomes, softmax over the last dimension otherwise."""
    return logits.sigmoid() if is_binary else logits.softmax(-1)


def clamp_probs(probs: Tensor) -> Tensor:
    """Probabilities clamped into [eps, 1 - eps] of their dtype."""
    eps = minitorch.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """log p − log(1 − p) for binary outcomes, log p otherwise (p clamped away from 0, 1)."""
    p = clamp_probs(probs)
    return p.log() - (-p).log1p() if is_binary else p.log()


class lazy_property:  # noqa: N801 - torch's name
    """A parameter computed from another on first use (``probs`` from ``logits``, ...) with
    gradient recording on, then stored on the instance (where ``repr`` and ``expand`` see
    it)."""

    def __init__(self, wrapped: Callable[[Any], Any]) -> None:
        self.wrapped = wrapped
        self.__name__ = wrapped.__name__
        self.__doc__ = wrapped.__doc__

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        with minitorch.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.__name__, value)
        return value
