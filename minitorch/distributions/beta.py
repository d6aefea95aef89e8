"""The Beta distribution on [0, 1]."""

from __future__ import annotations

from numbers import Number
from typing import Any, Optional, Sequence

import minitorch
from minitorch.distributions import constraints
from minitorch.distributions.dirichlet import Dirichlet
from minitorch.distributions.distribution import Distribution
from minitorch.distributions.utils import broadcast_all
from minitorch.tensor import Size, Tensor

__all__ = ["Beta"]


class Beta(Distribution):
    r"""The Beta distribution with α (``concentration1``) and β (``concentration0``), the
    first coordinate of a Dirichlet(α, β) (which it holds):

        p(x) = x^(α-1) (1 - x)^(β-1) / B(α, β),  B(α, β) = Γ(α)Γ(β)/Γ(α + β)
        mean α/(α + β),  variance αβ / ((α + β)² (α + β + 1))

    ``rsample`` is differentiable in both parameters (the Dirichlet's implicit
    reparametrisation).
    """

    arg_constraints = {"concentration1": constraints.positive,
                       "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1: Any, concentration0: Any,
                 validate_args: Optional[bool] = None) -> None:
        if isinstance(concentration1, Number) and isinstance(concentration0, Number):
            both = minitorch.tensor([float(concentration1), float(concentration0)])
        else:
            concentration1, concentration0 = broadcast_all(concentration1, concentration0)
            both = minitorch.stack([concentration1, concentration0], -1)
        self._dirichlet = Dirichlet(both, validate_args=validate_args)
        super().__init__(self._dirichlet.batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Sequence[int], _instance: Optional[Distribution] = None
               ) -> Beta:
        new = self.__new__(type(self)) if _instance is None else _instance
        new._dirichlet = self._dirichlet.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def concentration1(self) -> Tensor:
        return self._dirichlet.concentration[..., 0]

    @property
    def concentration0(self) -> Tensor:
        return self._dirichlet.concentration[..., 1]

    @property
    def mean(self) -> Tensor:
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self) -> Tensor:
        return self._dirichlet.mode[..., 0]

    @property
    def variance(self) -> Tensor:
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape: Sequence[int] = Size()) -> Tensor:
        return self._dirichlet.rsample(sample_shape).select(-1, 0)

    def log_prob(self, value: Tensor) -> Tensor:
        """The Dirichlet's log-density at (x, 1 - x)."""
        if self._validate_args:
            self._validate_sample(value)
        return self._dirichlet.log_prob(minitorch.stack([value, 1.0 - value], -1))

    def entropy(self) -> Tensor:
        return self._dirichlet.entropy()
