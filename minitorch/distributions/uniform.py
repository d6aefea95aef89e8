"""The continuous uniform distribution on [low, high)."""

from __future__ import annotations

import math
from typing import Any, Dict, Optional, Sequence

import minitorch
from minitorch.distributions import constraints
from minitorch.distributions.distribution import Distribution
from minitorch.tensor import Size, Tensor

__all__ = ["Uniform"]


class Uniform(Distribution):
    r"""The uniform distribution on the half-open interval [low, high):

        p(x) = 1 / (high - low)  for low ≤ x < high, 0 elsewhere

    ``rsample`` is low + u · (high - low) with u ~ U[0, 1), differentiable in both bounds.
    """

    has_rsample = True

    def __init__(self, low: Any, high: Any, validate_args: Optional[bool] = None) -> None:
        batch_shape = self._broadcast_parameters(low=low, high=high)
        super().__init__(batch_shape, validate_args=validate_args)

    @property
    def arg_constraints(self) -> Dict[str, constraints.Constraint]:
        return {"low": constraints.less_than(self.high),
                "high": constraints.greater_than(self.low)}

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self) -> constraints.Constraint:
        return constraints.interval(self.low, self.high)

    @property
    def mean(self) -> Tensor:
        return (self.high + self.low) / 2

    @property
    def mode(self) -> Tensor:
        return math.nan * self.high

    @property
    def stddev(self) -> Tensor:
        return (self.high - self.low) / 12 ** 0.5

    @property
    def variance(self) -> Tensor:
        return (self.high - self.low).pow(2) / 12

    def rsample(self, sample_shape: Sequence[int] = Size()) -> Tensor:
        u = minitorch.rand(tuple(self._extended_shape(sample_shape)), dtype=self.low.dtype,
                           device=self.low.device)
        return self.low + u * (self.high - self.low)

    def log_prob(self, value: Tensor) -> Tensor:
        """-ln(high - low) inside [low, high), -inf outside."""
        if self._validate_args:
            self._validate_sample(value)
        inside = self.low.le(value).type_as(self.low) * self.high.gt(value).type_as(self.low)
        return inside.log() - (self.high - self.low).log()

    def cdf(self, value: Tensor) -> Tensor:
        """(x - low) / (high - low), clamped to [0, 1]."""
        if self._validate_args:
            self._validate_sample(value)
        return ((value - self.low) / (self.high - self.low)).clamp(min=0, max=1)

    def icdf(self, value: Tensor) -> Tensor:
        """low + p · (high - low)."""
        return value * (self.high - self.low) + self.low

    def entropy(self) -> Tensor:
        """ln(high - low)."""
        return (self.high - self.low).log()
