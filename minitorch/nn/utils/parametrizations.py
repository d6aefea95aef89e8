"""``nn.utils.parametrizations``: weight normalization and spectral normalization, as
parametrizations (see :mod:`minitorch.nn.utils.parametrize`).

* ``weight_norm``: ``w = g · v / ‖v‖``, the norm taken over every dimension but ``dim``
  (per output unit, by default). Training ``g`` (the length) and ``v`` (the direction)
  separately conditions the optimization better (Salimans & Kingma, 2016). Stored as
  ``parametrizations.weight.original0`` (g) and ``original1`` (v).
* ``spectral_norm``: ``W / σ(W)``, σ the largest singular value of W viewed as a matrix,
  so the layer is 1-Lipschitz (Miyato et al., 2018; used in GAN discriminators). σ is
  estimated by power iteration, one step per training-mode forward: with the buffers u, v
  (unit vectors), ``u ← normalize(W v)``, ``v ← normalize(Wᵀ u)``, then ``σ ≈ uᵀ W v``.
"""

from __future__ import annotations

from typing import Optional

from minitorch.autograd.grad_mode import no_grad
from minitorch.nn.functional import normalize
from minitorch.nn.module import Module
from minitorch.nn.utils.parametrize import register_parametrization
from minitorch.tensor import Tensor

__all__ = ["spectral_norm", "weight_norm"]


def _norm_except_dim(v: Tensor, dim: int) -> Tensor:
    """‖v‖₂ over every dimension but ``dim`` (shape 1 except along ``dim``); over all of v
    for ``dim == -1``."""
    if dim == -1:
        return v.norm()
    others = tuple(d for d in range(v.dim()) if d != dim)
    return v.norm(2, others, keepdim=True) if others else v.abs()


class _WeightNorm(Module):
    def __init__(self, dim: Optional[int] = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        """w = g · v / ‖v‖."""
        return weight_v * (weight_g / _norm_except_dim(weight_v, self.dim))

    def right_inverse(self, weight: Tensor) -> tuple:
        """(g, v) = (‖w‖, w): the pair that gives w back."""
        return _norm_except_dim(weight, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: Optional[int] = 0) -> Module:
    """Reparametrize ``module.<name>`` as ``g · v / ‖v‖`` (see the module docstring)."""
    return register_parametrization(module, name, _WeightNorm(dim), unsafe=True)


class _SpectralNorm(Module):
    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError("Dimension out of range (expected to be in range of "
                             f"[-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.shape
            u = weight_mat.new_empty(h).normal_(0, 1)
            v = weight_mat.new_empty(w).normal_(0, 1)
            self.register_buffer("_u", normalize(u, dim=0, eps=self.eps))
            self.register_buffer("_v", normalize(v, dim=0, eps=self.eps))
            self._power_method(weight_mat, 15)  # start from a good estimate

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        """``dim`` first, the rest flattened: the matrix whose σ is normalized."""
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim())
                                                if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat: Tensor, n_power_iterations: int) -> None:
        """u ← normalize(W v), v ← normalize(Wᵀ u): u, v converge to the top singular
        vectors. Not differentiated (the buffers are constants for backward)."""
        with no_grad():
            for _ in range(n_power_iterations):
                self._u = normalize(weight_mat.mv(self._v), dim=0, eps=self.eps)
                self._v = normalize(weight_mat.t().mv(self._u), dim=0, eps=self.eps)

    def forward(self, weight: Tensor) -> Tensor:
        """W / σ with σ = uᵀ W v (a 1-d weight is just normalized)."""
        if weight.ndim == 1:
            return normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()
        sigma = (u * weight_mat.mv(v)).sum()
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: Optional[int] = None) -> Module:
    """Reparametrize ``module.<name>`` as ``W / σ(W)`` (see the module docstring); ``dim``
    defaults to 1 for transposed convolutions (their output channels), else 0."""
    from minitorch.nn import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d

    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) \
            else 0
    return register_parametrization(module, name,
                                    _SpectralNorm(weight, n_power_iterations, dim, eps))
