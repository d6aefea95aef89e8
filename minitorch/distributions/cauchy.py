"""The Cauchy (Lorentz) distribution."""

from __future__ import annotations

import math
from typing import Sequence

import minitorch
from minitorch.distributions.location_scale import LocationScale
from minitorch.distributions.utils import draw
from minitorch.tensor import Size, Tensor

__all__ = ["Cauchy"]


class Cauchy(LocationScale):
    r"""The Cauchy distribution with median x₀ (``loc``) and half width γ (``scale``) — the
    ratio of two independent centred normals:

        p(x) = 1 / (π γ (1 + ((x - x₀)/γ)²)),  F(x) = atan((x - x₀)/γ) / π + ½
        no mean (NaN), infinite variance, entropy ln 4πγ

    ``rsample`` is x₀ + γ · C with C standard Cauchy, differentiable in both parameters.
    """

    def _full(self, fill: float) -> Tensor:
        return minitorch.full(tuple(self._extended_shape()), fill, dtype=self.loc.dtype,
                              device=self.loc.device)

    @property
    def mean(self) -> Tensor:
        """Undefined: NaN."""
        return self._full(math.nan)


    @property
    def variance(self) -> Tensor:
        """Infinite."""
        return self._full(math.inf)

    def rsample(self, sample_shape: Sequence[int] = Size()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        return self.loc + draw(lambda g: g.standard_cauchy(shape), self.loc) * self.scale

    def log_prob(self, value: Tensor) -> Tensor:
        """-ln π - ln γ - ln(1 + ((x - x₀)/γ)²)."""
        if self._validate_args:
            self._validate_sample(value)
        return (-math.log(math.pi) - self.scale.log()
                - (((value - self.loc) / self.scale) ** 2).log1p())

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return ((value - self.loc) / self.scale).atan() / math.pi + 0.5

    def icdf(self, value: Tensor) -> Tensor:
        """x₀ + γ tan(π (p - ½))."""
        return (math.pi * (value - 0.5)).tan() * self.scale + self.loc

    def entropy(self) -> Tensor:
        """ln 4π + ln γ."""
        return math.log(4 * math.pi) + self.scale.log()
