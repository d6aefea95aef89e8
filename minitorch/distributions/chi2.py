"""The chi-squared distribution."""

from __future__ import annotations

from typing import Any, Optional

from minitorch.distributions import constraints
from minitorch.distributions.gamma import Gamma
from minitorch.tensor import Tensor

__all__ = ["Chi2"]


class Chi2(Gamma):
    r"""The χ² distribution with ``df`` = k degrees of freedom (the sum of k squared
    standard normals): exactly Gamma(k/2, ½),

        p(x) = x^(k/2 - 1) e^(-x/2) / (2^(k/2) Γ(k/2)),  mean k,  variance 2k
    """

    arg_constraints = {"df": constraints.positive}

    def __init__(self, df: Any, validate_args: Optional[bool] = None) -> None:
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    @property
    def df(self) -> Tensor:
        return self.concentration * 2
