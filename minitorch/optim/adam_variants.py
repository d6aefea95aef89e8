"""Adamax, NAdam and RAdam: Adam's moments with another step (infinity norm, Nesterov
momentum, rectified variance).

The updates are PyTorch's single-tensor ones, on the raw arrays of each parameter (NumPy
or CuPy), in the same operation order; they share Adam's checks, weight decay and moments
(:mod:`minitorch.optim.adam`), as torch's do."""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional, Tuple

import numpy as np

from minitorch.optim.adam import adam_grad, adam_moments, check_adam, init_state
from minitorch.optim.optimizer import Optimizer, check_flags, check_positive
from minitorch.tensor import Tensor


class Adamax(Optimizer):
    """Adam with the infinity norm in place of the second moment, per parameter p with
    gradient g at step t::

        g = -g                          if maximize
        g = g + weight_decay · p
        m = β1 · m + (1 - β1) · g
        u = max(β2 · u, |g| + eps)
        p = p - lr / (1 - β1ᵗ) · m / u
    """

    def __init__(self, params: Iterable[Any], lr: float = 2e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: Optional[bool] = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        check_adam(lr, betas, eps, weight_decay)
        check_flags(foreach, None, differentiable)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, capturable=capturable))

    def update(self, p: Tensor, grad: Any, group: Dict[str, Any], state: Dict[str, Any]) -> None:
        w = p._data
        beta1, beta2 = group["betas"]
        if not state:
            init_state(state, w, "exp_avg", "exp_inf")
        g = adam_grad(w, grad, group, state)
        m, u = state["exp_avg"], state["exp_inf"]
        m += (g - m) * (1 - beta1)                      # lerp, as PyTorch computes it
        u *= beta2
        np.maximum(u, abs(g) + group["eps"], out=u)     # CuPy arrays take NumPy ufuncs too
        clr = group["lr"] / (1 - beta1 ** float(state["step"]))
        w += (-clr * m) / u                             # addcdiv's order: (value · m) / u
        p._vc[0] += 1


class NAdam(Optimizer):
    """Adam with Nesterov momentum (Dozat 2016) and a momentum schedule, per parameter p
    with gradient g at step t::

        g = -g                           if maximize
        p = p · (1 - lr · weight_decay)  if decoupled_weight_decay
        g = g + weight_decay · p         otherwise
        μₜ = β1 · (1 - ½ · 0.96^(t · momentum_decay))
        Πₜ = μ₁ · … · μₜ                  (``mu_product``, a float32 scalar as torch's)
        m = β1 · m + (1 - β1) · g
        v = β2 · v + (1 - β2) · g²
        d = √(v / (1 - β2ᵗ)) + eps
        p = p - lr · (1 - μₜ) / (1 - Πₜ) · g / d - lr · μₜ₊₁ / (1 - Πₜ · μₜ₊₁) · m / d
    """

    def __init__(self, params: Iterable[Any], lr: float = 2e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: Optional[bool] = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        check_adam(lr, betas, eps, weight_decay)
        check_positive(momentum_decay=momentum_decay)
        check_flags(foreach, None, differentiable)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize, foreach=foreach,
                                      capturable=capturable, differentiable=differentiable))

    def update(self, p: Tensor, grad: Any, group: Dict[str, Any], state: Dict[str, Any]) -> None:
        w = p._data
        beta1, beta2 = group["betas"]
        lr, decay = group["lr"], group["momentum_decay"]
        if not state:
            init_state(state, w, "exp_avg", "exp_avg_sq")
            state["mu_product"] = np.ones((), dtype=np.float32)  # a float32 0-d, as "step"
        g = adam_grad(w, grad, group, state)
        t = float(state["step"])
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (t * decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * decay)))
        state["mu_product"] *= mu
        mu_product = float(state["mu_product"])
        m, v = adam_moments(state, g, beta1, beta2)
        denom = (v / (1 - beta2 ** t)) ** 0.5
        denom += group["eps"]
        w += (-lr * (1.0 - mu) / (1.0 - mu_product) * g) / denom
        w += ((-lr * mu_next) / (1.0 - mu_product * mu_next) * m) / denom
        p._vc[0] += 1


class RAdam(Optimizer):
    """Adam with the variance of its adaptive step rectified (Liu et al. 2019), per parameter
    p with gradient g at step t::

        g = -g                           if maximize
        p = p · (1 - lr · weight_decay)  if decoupled_weight_decay
        g = g + weight_decay · p         otherwise
        m = β1 · m + (1 - β1) · g
        v = β2 · v + (1 - β2) · g²
        ρ∞ = 2 / (1 - β2) - 1,   ρₜ = ρ∞ - 2t · β2ᵗ / (1 - β2ᵗ)
        r = √((ρₜ - 4)(ρₜ - 2) ρ∞ / ((ρ∞ - 4)(ρ∞ - 2) ρₜ))
        p = p - lr · m / (1 - β1ᵗ) · √(1 - β2ᵗ) / (√v + eps) · r    if ρₜ > 5
        p = p - lr · m / (1 - β1ᵗ)                                 otherwise
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: Optional[bool] = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        check_adam(lr, betas, eps, weight_decay)
        check_flags(foreach, None, differentiable)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize, foreach=foreach,
                                      capturable=capturable,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      differentiable=differentiable))

    def update(self, p: Tensor, grad: Any, group: Dict[str, Any], state: Dict[str, Any]) -> None:
        w = p._data
        beta1, beta2 = group["betas"]
        if not state:
            init_state(state, w, "exp_avg", "exp_avg_sq")
        g = adam_grad(w, grad, group, state)
        t = float(state["step"])
        m, v = adam_moments(state, g, beta1, beta2)
        bias_correction1 = 1 - beta1 ** t
        bias_correction2 = 1 - beta2 ** t
        corrected = m / bias_correction1
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * (beta2 ** t) / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            # torch's number / tensor is reciprocal(tensor) · number
            adaptive_lr = 1 / (v ** 0.5 + group["eps"]) * bias_correction2 ** 0.5
            w -= corrected * group["lr"] * adaptive_lr * rect
        else:
            w -= corrected * group["lr"]
        p._vc[0] += 1
