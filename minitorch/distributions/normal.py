"""The normal (Gaussian) distribution."""

from __future__ import annotations

import math
from typing import Sequence

from minitorch.distributions.location_scale import LocationScale
from minitorch.distributions.utils import standard_normal
from minitorch.tensor import Size, Tensor

__all__ = ["Normal"]


class Normal(LocationScale):
    r"""The normal distribution N(loc, scale²), batched over the broadcast shape of its
    parameters:

        p(x) = exp(-(x - loc)² / (2 scale²)) / (scale √(2π))

    ``rsample`` is loc + ε · scale with ε ~ N(0, 1), differentiable in both parameters.
    """

    @property
    def stddev(self) -> Tensor:
        return self.scale

    @property
    def variance(self) -> Tensor:
        return self.stddev.pow(2)

    def rsample(self, sample_shape: Sequence[int] = Size()) -> Tensor:
        eps = standard_normal(self._extended_shape(sample_shape), self.loc)
        return self.loc + eps * self.scale

    def log_prob(self, value: Tensor) -> Tensor:
        """-(x - loc)² / (2 scale²) - ln scale - ln √(2π)."""
        if self._validate_args:
            self._validate_sample(value)
        return (-((value - self.loc) ** 2) / (2 * self.scale ** 2) - self.scale.log()
                - math.log(math.sqrt(2 * math.pi)))

    def cdf(self, value: Tensor) -> Tensor:
        """½ (1 + erf((x - loc) / (scale √2)))."""
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 * (1 + ((value - self.loc) * self.scale.reciprocal()
                           / math.sqrt(2)).erf())

    def icdf(self, value: Tensor) -> Tensor:
        """loc + scale · √2 · erf⁻¹(2p - 1)."""
        return self.loc + self.scale * (2 * value - 1).erfinv() * math.sqrt(2)

    def entropy(self) -> Tensor:
        """½ + ½ ln(2π) + ln scale."""
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()
