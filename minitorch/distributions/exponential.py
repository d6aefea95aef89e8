"""The exponential distribution."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import minitorch
from minitorch.distributions import constraints
from minitorch.distributions.distribution import Distribution
from minitorch.distributions.utils import draw
from minitorch.tensor import Size, Tensor

__all__ = ["Exponential"]


class Exponential(Distribution):
    r"""The exponential distribution with ``rate`` λ (the waiting time of a Poisson process):

        p(x) = λ e^(-λx),  F(x) = 1 - e^(-λx)  for x ≥ 0
        mean 1/λ,  variance 1/λ²,  entropy 1 - ln λ

    ``rsample`` is E / λ with E ~ Exp(1), differentiable in λ.
    """

    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, rate: Any, validate_args: Optional[bool] = None) -> None:
        batch_shape = self._broadcast_parameters(rate=rate)
        super().__init__(batch_shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def mode(self) -> Tensor:
        return minitorch.zeros_like(self.rate)

    @property
    def stddev(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def variance(self) -> Tensor:
        return self.rate.pow(-2)

    def rsample(self, sample_shape: Sequence[int] = Size()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        return draw(lambda g: g.standard_exponential(shape), self.rate) / self.rate

    def log_prob(self, value: Tensor) -> Tensor:
        """ln λ - λx."""
        if self._validate_args:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value: Tensor) -> Tensor:
        """1 - e^(-λx)."""
        if self._validate_args:
            self._validate_sample(value)
        return 1 - (-self.rate * value).exp()

    def icdf(self, value: Tensor) -> Tensor:
        """-ln(1 - p) / λ."""
        return -(-value).log1p() / self.rate

    def entropy(self) -> Tensor:
        """1 - ln λ."""
        return 1.0 - self.rate.log()
