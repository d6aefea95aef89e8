"""The Laplace (double exponential) distribution."""

from __future__ import annotations

import math
from typing import Sequence

import minitorch
from minitorch.distributions.location_scale import LocationScale
from minitorch.distributions.utils import draw
from minitorch.tensor import Size, Tensor

__all__ = ["Laplace"]


class Laplace(LocationScale):
    r"""The Laplace distribution with location μ (``loc``) and scale b:

        p(x) = exp(-|x - μ| / b) / (2b)
        F(x) = ½ - ½ sign(x - μ) (e^(-|x - μ|/b) - 1)
        mean μ,  variance 2b²,  entropy 1 + ln 2b

    ``rsample`` is μ - b · sign(u) · ln(1 - |u|) with u ~ U(eps - 1, 1), differentiable in
    both parameters.
    """

    @property
    def variance(self) -> Tensor:
        return 2 * self.scale.pow(2)

    @property
    def stddev(self) -> Tensor:
        return math.sqrt(2) * self.scale

    def rsample(self, sample_shape: Sequence[int] = Size()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        eps = minitorch.finfo(self.loc.dtype).eps
        u = draw(lambda g: g.uniform(eps - 1, 1, shape), self.loc).clamp(min=eps - 1,
                                                                          max=1 - eps)
        return self.loc - self.scale * u.sign() * (-u.abs()).log1p()

    def log_prob(self, value: Tensor) -> Tensor:
        """-ln 2b - |x - μ| / b."""
        if self._validate_args:
            self._validate_sample(value)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 - 0.5 * (value - self.loc).sign() * (
            -(value - self.loc).abs() / self.scale).expm1()

    def icdf(self, value: Tensor) -> Tensor:
        """μ - b · sign(p - ½) · ln(1 - 2|p - ½|)."""
        term = value - 0.5
        return self.loc - self.scale * term.sign() * (-2 * term.abs()).log1p()

    def entropy(self) -> Tensor:
        """1 + ln 2b."""
        return 1 + (2 * self.scale).log()
