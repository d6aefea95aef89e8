"""Student's t distribution."""

from __future__ import annotations

import math
from typing import Any, Optional, Sequence

import minitorch
from minitorch.distributions import constraints
from minitorch.distributions.chi2 import Chi2
from minitorch.distributions.distribution import Distribution
from minitorch.distributions.utils import standard_normal
from minitorch.tensor import Size, Tensor

__all__ = ["StudentT"]


class StudentT(Distribution):
    r"""Student's t distribution with ν (``df``) degrees of freedom, location μ and scale σ:

        p(x) = Γ((ν+1)/2) / (Γ(ν/2) √(νπ) σ) · (1 + y²/ν)^(-(ν+1)/2),  y = (x - μ)/σ
        mean μ (ν > 1; NaN otherwise),  variance σ²ν/(ν - 2) (ν > 2; ∞ for 1 < ν ≤ 2)
        entropy ln σ + (ν+1)/2 (ψ((ν+1)/2) - ψ(ν/2)) + ½ ln ν + ln B(ν/2, ½)

    ``rsample`` is μ + σ Z / √(V/ν) with Z ~ N(0, 1), V ~ χ²(ν), differentiable in all three
    parameters (V by the Gamma's implicit reparametrisation).
    """

    arg_constraints = {"df": constraints.positive, "loc": constraints.real,
                       "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, df: Any, loc: Any = 0.0, scale: Any = 1.0,
                 validate_args: Optional[bool] = None) -> None:
        self._broadcast_parameters(df=df, loc=loc, scale=scale)
        self._chi2 = Chi2(self.df)
        super().__init__(self.df.size(), validate_args=validate_args)

    def expand(self, batch_shape: Sequence[int], _instance: Optional[Distribution] = None
               ) -> Distribution:
        new = super().expand(batch_shape, _instance)
        new._chi2 = self._chi2.expand(batch_shape)
        return new

    @property
    def mean(self) -> Tensor:
        return self.loc.masked_fill(self.df <= 1, math.nan)

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        df = self.df
        finite = self.scale.pow(2) * df / (df - 2)
        result = minitorch.where(df > 2, finite, minitorch.full_like(df, math.inf))
        return result.masked_fill(df <= 1, math.nan)

    def rsample(self, sample_shape: Sequence[int] = Size()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        x = standard_normal(shape, self.df)
        z = self._chi2.rsample(sample_shape)
        return self.loc + self.scale * (x * (z / self.df).rsqrt())

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        y = (value - self.loc) / self.scale
        df = self.df
        z = (self.scale.log() + 0.5 * df.log() + 0.5 * math.log(math.pi)
             + (0.5 * df).lgamma() - (0.5 * (df + 1.0)).lgamma())
        return -0.5 * (df + 1.0) * (y ** 2.0 / df).log1p() - z

    def entropy(self) -> Tensor:
        df = self.df
        lbeta = (0.5 * df).lgamma() + math.lgamma(0.5) - (0.5 * (df + 1)).lgamma()
        return (self.scale.log()
                + 0.5 * (df + 1) * ((0.5 * (df + 1)).digamma() - (0.5 * df).digamma())
                + 0.5 * df.log() + lbeta)
