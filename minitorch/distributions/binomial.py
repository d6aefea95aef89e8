"""The binomial distribution."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

import minitorch
from minitorch.distributions import constraints
from minitorch.distributions.probs_logits import ProbsOrLogits
from minitorch.distributions.utils import broadcast_all, clamp_by_zero, draw, host
from minitorch.tensor import Size, Tensor

__all__ = ["Binomial"]


class Binomial(ProbsOrLogits):
    r"""The number of successes in n (``total_count``) independent trials of success
    probability p (``probs``, or σ(``logits``) = ``logits`` ℓ):

        P(k) = C(n, k) pᵏ (1 - p)ⁿ⁻ᵏ,  k = 0, …, n
        ln P(k) = kℓ - n ln(1 + e^ℓ) + ln n! - ln k! - ln (n - k)!
        mean np,  variance np(1 - p),  mode min(⌊(n + 1)p⌋, n)

    ``total_count`` broadcasts with the probabilities and is stored in their dtype.
    """

    arg_constraints = {"total_count": constraints.nonnegative_integer,
                       "probs": constraints.unit_interval, "logits": constraints.real}
    has_enumerate_support = True
    _is_binary = True

    def __init__(self, total_count: Any = 1, probs: Any = None, logits: Any = None,
                 validate_args: Optional[bool] = None) -> None:
        self._given_count = total_count
        param = self._set_probs_or_logits(probs, logits)
        del self._given_count
        super().__init__(param.size(), validate_args=validate_args)

    def _normalize(self, name: str, value: Any) -> Tensor:
        total_count, value = broadcast_all(self._given_count, value)
        self.total_count = total_count.type_as(value)
        return value

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self) -> constraints.Constraint:
        return constraints.integer_interval(0, self.total_count)

    @property
    def mean(self) -> Tensor:
        return self.total_count * self.probs

    @property
    def mode(self) -> Tensor:
        return minitorch.minimum(((self.total_count + 1) * self.probs).floor(),
                                 self.total_count)

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape: Sequence[int] = Size()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        n = host(self.total_count.expand(shape)).astype(np.int64)
        p = host(self.probs.expand(shape))
        with minitorch.no_grad():
            return draw(lambda g: g.binomial(n, p), self._param)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        n, logits = self.total_count, self.logits
        log_factorial_n = (n + 1).lgamma()
        log_factorial_k = (value + 1).lgamma()
        log_factorial_nmk = (n - value + 1).lgamma()
        # n ln(1 + e^ℓ), written so that it neither overflows nor cancels
        normalize_term = (n * clamp_by_zero(logits) + n * (-logits.abs()).exp().log1p()
                          - log_factorial_n)
        return value * logits - log_factorial_k - log_factorial_nmk - normalize_term

    def _common_count(self, what: str) -> int:
        total_count = int(self.total_count.max())
        if not int(self.total_count.min()) == total_count:
            raise NotImplementedError(f"Inhomogeneous total count not supported by `{what}`.")
        return total_count

    def entropy(self) -> Tensor:
        """-Σₖ P(k) ln P(k) over k = 0 … n (n the same for the whole batch)."""
        self._common_count("entropy")
        log_prob = self.log_prob(self.enumerate_support(False))
        return -(log_prob.exp() * log_prob).sum(0)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        total_count = self._common_count("enumerate_support")
        values = minitorch.arange(1 + total_count, dtype=self._param.dtype,
                                  device=self._param.device)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + tuple(self._batch_shape)) if expand else values
