"""The Gamma distribution."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import minitorch
from minitorch.distributions import constraints
from minitorch.distributions.distribution import Distribution
from minitorch.distributions.implicit import standard_gamma
from minitorch.special import gammainc
from minitorch.tensor import Size, Tensor

__all__ = ["Gamma"]


class Gamma(Distribution):
    r"""The Gamma distribution with shape α (``concentration``) and ``rate`` β:

        p(x) = βᵅ xᵅ⁻¹ e^(-βx) / Γ(α),  F(x) = P(α, βx)  for x ≥ 0
        mean α/β,  variance α/β²,  mode max((α - 1)/β, 0)
        entropy α - ln β + ln Γ(α) + (1 - α) ψ(α)

    with P the regularised lower incomplete gamma function (``minitorch.special.gammainc``:
    ``cdf`` is differentiable in β and x, not in α, as torch's). ``rsample`` is G / β with
    G ~ Gamma(α, 1), differentiable in α by implicit reparametrisation
    (:mod:`minitorch.distributions.implicit`).
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, concentration: Any, rate: Any,
                 validate_args: Optional[bool] = None) -> None:
        batch_shape = self._broadcast_parameters(concentration=concentration, rate=rate)
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Sequence[int], _instance: Optional[Distribution] = None
               ) -> Distribution:
        new = self.__new__(type(self)) if _instance is None else _instance
        new.concentration = self.concentration.expand(tuple(batch_shape))
        new.rate = self.rate.expand(tuple(batch_shape))
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape: Sequence[int] = Size()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        value = standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        with minitorch.no_grad():
            value.clamp_(min=minitorch.finfo(value.dtype).tiny)  # not recorded
        return value

    def log_prob(self, value: Any) -> Tensor:
        """α ln β + (α - 1) ln x - βx - ln Γ(α)."""
        value = minitorch.as_tensor(value, dtype=self.rate.dtype, device=self.rate.device)
        if self._validate_args:
            self._validate_sample(value)
        return (minitorch.xlogy(self.concentration, self.rate)
                + minitorch.xlogy(self.concentration - 1, value)
                - self.rate * value - self.concentration.lgamma())

    def cdf(self, value: Tensor) -> Tensor:
        """P(α, βx)."""
        if self._validate_args:
            self._validate_sample(value)
        return gammainc(self.concentration, self.rate * value)

    def entropy(self) -> Tensor:
        a = self.concentration
        return a - self.rate.log() + a.lgamma() + (1.0 - a) * a.digamma()
