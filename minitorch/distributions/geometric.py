"""The geometric distribution: failures before the first success."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import minitorch
from minitorch.distributions import constraints
from minitorch.distributions.probs_logits import ProbsOrLogits
from minitorch.distributions.utils import broadcast_all, draw
from minitorch.nn.functional import binary_cross_entropy_with_logits
from minitorch.tensor import Size, Tensor

__all__ = ["Geometric"]


class Geometric(ProbsOrLogits):
    r"""The number of failures before the first success of Bernoulli trials of success
    probability p ∈ (0, 1] (``probs``, or σ(``logits``)):

        P(k) = (1 - p)ᵏ p,  k = 0, 1, …
        mean 1/p - 1,  variance (1/p - 1)/p,  entropy H(Bernoulli(p)) / p

    A sample is ⌊ln u / ln(1 - p)⌋ with u ~ U(tiny, 1).
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer
    _is_binary = True

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: Optional[bool] = None) -> None:
        param = self._set_probs_or_logits(probs, logits)
        super().__init__(param.size(), validate_args=validate_args)  # a number: Size()
        if self._validate_args and probs is not None:
            valid = self.probs > 0
            if not bool(valid.all()):
                value = self.probs
                raise ValueError(f"Expected parameter probs ({type(value).__name__} of shape "
                                 f"{tuple(value.shape)}) of distribution {self!r} to be "
                                 f"positive but found invalid values:\n"
                                 f"{value.detach()[valid.logical_not()]}")

    @property
    def mean(self) -> Tensor:
        return 1.0 / self.probs - 1.0

    @property
    def mode(self) -> Tensor:
        return minitorch.zeros_like(self.probs)

    @property
    def variance(self) -> Tensor:
        return (1.0 / self.probs - 1.0) / self.probs

    def sample(self, sample_shape: Sequence[int] = Size()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        tiny = minitorch.finfo(self.probs.dtype).tiny
        with minitorch.no_grad():
            u = draw(lambda g: g.uniform(tiny, 1, shape), self.probs).clamp(min=tiny)
            return (u.log() / (-self.probs).log1p()).floor()

    def log_prob(self, value: Tensor) -> Tensor:
        """k ln(1 - p) + ln p, with 0 · ln 0 = 0 at p = 1, k = 0."""
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        probs = probs.masked_fill((probs == 1) & (value == 0), 0)
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self) -> Tensor:
        """(-p ln p - (1 - p) ln(1 - p)) / p."""
        return binary_cross_entropy_with_logits(self.logits, self.probs,
                                                reduction="none") / self.probs
