"""The Poisson distribution."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import minitorch
from minitorch.distributions import constraints
from minitorch.distributions.distribution import Distribution
from minitorch.distributions.utils import broadcast_all, draw, host
from minitorch.tensor import Size, Tensor

__all__ = ["Poisson"]


class Poisson(Distribution):
    r"""The Poisson distribution with ``rate`` λ ≥ 0, the count of events of a process of
    rate λ in unit time:

        P(k) = λᵏ e^(-λ) / k!,  k = 0, 1, …
        mean λ,  variance λ,  mode ⌊λ⌋

    Samples are counts (floating point, as torch's), not differentiable.
    """

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate: Any, validate_args: Optional[bool] = None) -> None:
        batch_shape = self._broadcast_parameters(rate=rate)
        super().__init__(batch_shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.rate

    @property
    def mode(self) -> Tensor:
        return self.rate.floor()

    @property
    def variance(self) -> Tensor:
        return self.rate

    def sample(self, sample_shape: Sequence[int] = Size()) -> Tensor:
        rate = host(self.rate.expand(tuple(self._extended_shape(sample_shape))))
        with minitorch.no_grad():
            return draw(lambda g: g.poisson(rate), self.rate)

    def log_prob(self, value: Tensor) -> Tensor:
        """k ln λ - λ - ln k!  (0 · ln 0 = 0, so P(0) = 1 when λ = 0)."""
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return value.xlogy(rate) - rate - (value + 1).lgamma()
