"""The location-scale families: x = loc + scale · ε for a standard variable ε."""

from __future__ import annotations

from typing import Any, Optional

from minitorch.distributions import constraints
from minitorch.distributions.distribution import Distribution
from minitorch.tensor import Tensor

__all__ = ["LocationScale"]


class LocationScale(Distribution):
    """What Normal, Laplace and Cauchy share: a real ``loc`` and a positive ``scale``
    broadcast together into the batch shape, support on the whole line, reparametrised
    sampling (loc + scale · ε), and the mode at ``loc`` — the mean too, where it exists."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: Optional[bool] = None) -> None:
        batch_shape = self._broadcast_parameters(loc=loc, scale=scale)
        super().__init__(batch_shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc
