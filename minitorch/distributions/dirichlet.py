"""The Dirichlet distribution over the probability simplex."""

from __future__ import annotations

from typing import Optional, Sequence

import minitorch
from minitorch.distributions import constraints
from minitorch.distributions.distribution import Distribution
from minitorch.distributions.implicit import sample_dirichlet
from minitorch.nn.functional import one_hot
from minitorch.tensor import Size, Tensor

__all__ = ["Dirichlet"]


class Dirichlet(Distribution):
    r"""The Dirichlet distribution with ``concentration`` α = (α₁, …, α_K) (the last
    dimension; the others are the batch), over vectors x with xᵢ ≥ 0, Σ xᵢ = 1:

        p(x) = Γ(α₀) / Πᵢ Γ(αᵢ) · Πᵢ xᵢ^(αᵢ - 1),  α₀ = Σᵢ αᵢ
        mean αᵢ/α₀,  variance αᵢ(α₀ - αᵢ) / (α₀² (α₀ + 1)),  mode (αᵢ - 1)⁺ / Σ (αⱼ - 1)⁺
        entropy Σ ln Γ(αᵢ) - ln Γ(α₀) - (K - α₀) ψ(α₀) - Σ (αᵢ - 1) ψ(αᵢ)

    ``rsample`` normalises K Gamma(αᵢ, 1) draws and is differentiable in α by implicit
    reparametrisation (:mod:`minitorch.distributions.implicit`).
    """

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration: Tensor, validate_args: Optional[bool] = None) -> None:
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:],
                         validate_args=validate_args)

    def rsample(self, sample_shape: Sequence[int] = Size()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        return sample_dirichlet(self.concentration.expand(shape))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        a = self.concentration
        return (minitorch.xlogy(a - 1.0, value).sum(-1) + a.sum(-1).lgamma()
                - a.lgamma().sum(-1))

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self) -> Tensor:
        """(αᵢ - 1)⁺ normalised; where every αᵢ < 1 (the density is unbounded at the
        corners) the first corner, as torch's."""
        positive_part = (self.concentration - 1).clamp(min=0.0)
        mode = positive_part / positive_part.sum(-1, True)
        corner = one_hot(mode.argmax(dim=-1), positive_part.shape[-1]).to(mode)
        all_below_one = (self.concentration < 1).all(dim=-1, keepdim=True)
        return minitorch.where(all_below_one, corner, mode)

    @property
    def variance(self) -> Tensor:
        a = self.concentration
        a0 = a.sum(-1, True)
        return a * (a0 - a) / (a0.pow(2) * (a0 + 1))

    def entropy(self) -> Tensor:
        a = self.concentration
        k, a0 = a.size(-1), a.sum(-1)
        return (a.lgamma().sum(-1) - a0.lgamma() - (k - a0) * a0.digamma()
                - ((a - 1.0) * a.digamma()).sum(-1))
