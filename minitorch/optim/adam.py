"""Adam and AdamW: adaptive moment estimation (AdamW: with decoupled weight decay)."""

from __future__ import annotations

import math
from typing import Any, Dict, Iterable, Optional, Tuple

import numpy as np

from minitorch.optim.optimizer import Optimizer, check_flags, check_positive, new_step
from minitorch.tensor import Tensor


def check_adam(lr: float, betas: Tuple[float, float], eps: float,
               weight_decay: float) -> None:
    """torch's checks of the hyper-parameters the Adam family shares, in its order."""
    check_positive(lr=lr, eps=eps)
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
    check_positive(weight_decay=weight_decay)


def init_state(state: Dict[str, Any], w: Any, *buffers: str) -> None:
    """A fresh state: torch's ``step`` counter and zero ``buffers`` shaped as ``w``."""
    state["step"] = new_step()
    for name in buffers:
        state[name] = np.zeros_like(w)  # not w * 0: inf * 0 is NaN


def adam_grad(w: Any, grad: Any, group: Dict[str, Any], state: Dict[str, Any]) -> Any:
    """The Adam family's start of a step: count it, negate g when maximizing, and apply the
    weight decay, decoupled (``w = w · (1 - lr · weight_decay)``, in place) or as the L2 term
    ``g + weight_decay · w``; the gradient to use."""
    g = -grad if group["maximize"] else grad
    state["step"] += 1
    if group["weight_decay"]:
        if group.get("decoupled_weight_decay", False):
            w *= 1 - group["lr"] * group["weight_decay"]
        else:
            g = g + group["weight_decay"] * w
    return g


def adam_moments(state: Dict[str, Any], g: Any, beta1: float, beta2: float) -> Tuple[Any, Any]:
    """The running moments, updated in place and returned:
    ``m = β1 · m + (1 - β1) · g`` (as torch's lerp), ``v = β2 · v + (1 - β2) · g²``."""
    m, v = state["exp_avg"], state["exp_avg_sq"]
    m += (g - m) * (1 - beta1)
    v *= beta2
    v += (1 - beta2) * g * g
    return m, v


class Adam(Optimizer):
    """PyTorch's update, per parameter p with gradient g at step t::

        g = -g                          if maximize
        p = p · (1 - lr · weight_decay)  if decoupled_weight_decay (AdamW)
        g = g + weight_decay · p         otherwise
        m = β1 · m + (1 - β1) · g
        v = β2 · v + (1 - β2) · g²
        v̂ = max(v̂, v) if amsgrad else v
        p = p - lr / (1 - β1ᵗ) · m / (√v̂ / √(1 - β2ᵗ) + eps)
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: Optional[bool] = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False,
                 fused: Optional[bool] = None, decoupled_weight_decay: bool = False) -> None:
        check_adam(lr, betas, eps, weight_decay)
        check_flags(foreach, fused, differentiable)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                                      capturable=capturable, differentiable=differentiable,
                                      fused=fused,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def update(self, p: Tensor, grad: Any, group: Dict[str, Any], state: Dict[str, Any]) -> None:
        w = p._data
        beta1, beta2 = group["betas"]
        if not state:
            init_state(state, w, "exp_avg", "exp_avg_sq",
                       *(["max_exp_avg_sq"] if group["amsgrad"] else []))
        g = adam_grad(w, grad, group, state)
        t = float(state["step"])
        m, v = adam_moments(state, g, beta1, beta2)
        if group["amsgrad"]:
            peak = state["max_exp_avg_sq"]
            np.maximum(peak, v, out=peak)  # CuPy arrays take NumPy ufuncs too
            v = peak
        step_size = group["lr"] / (1 - beta1 ** t)
        denom = (v ** 0.5) / math.sqrt(1 - beta2 ** t) + group["eps"]
        w -= step_size * (m / denom)
        p._vc[0] += 1


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): the decay shrinks p directly,
    ``p = p · (1 - lr · weight_decay)``, instead of being added to the gradient."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: Optional[bool] = None,
                 capturable: bool = False, differentiable: bool = False,
                 fused: Optional[bool] = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
