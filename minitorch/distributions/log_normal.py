"""The log-normal distribution."""

from __future__ import annotations

from typing import Any, Optional

from minitorch.distributions import constraints
from minitorch.distributions.normal import Normal
from minitorch.distributions.transformed_distribution import TransformedDistribution
from minitorch.distributions.transforms import ExpTransform
from minitorch.tensor import Tensor

__all__ = ["LogNormal"]


class LogNormal(TransformedDistribution):
    r"""Y = e^X for X ~ N(μ, σ²) (``loc``, ``scale``):

        p(y) = exp(-(ln y - μ)² / (2σ²)) / (y σ √(2π))  for y > 0
        mean e^(μ + σ²/2),  variance (e^(σ²) - 1) e^(2μ + σ²),  mode e^(μ - σ²)
        entropy H(N(μ, σ²)) + μ
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: Optional[bool] = None) -> None:
        base_dist = Normal(loc, scale, validate_args=validate_args)
        super().__init__(base_dist, ExpTransform(), validate_args=validate_args)

    @property
    def loc(self) -> Tensor:
        return self.base_dist.loc

    @property
    def scale(self) -> Tensor:
        return self.base_dist.scale

    @property
    def mean(self) -> Tensor:
        return (self.loc + self.scale.pow(2) / 2).exp()

    @property
    def mode(self) -> Tensor:
        return (self.loc - self.scale.square()).exp()

    @property
    def variance(self) -> Tensor:
        scale_sq = self.scale.pow(2)
        return scale_sq.expm1() * (2 * self.loc + scale_sq).exp()

    def entropy(self) -> Tensor:
        return self.base_dist.entropy() + self.loc
