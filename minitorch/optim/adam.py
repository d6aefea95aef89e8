"""Adam and AdamW: adaptive moment estimation (AdamW: with decoupled weight decay)."""

from __future__ import annotations

import math
from typing import Any, Dict, Iterable, Optional, Tuple

import numpy as np

from minitorch.optim.optimizer import Optimizer, check_flags, check_positive, new_step
from minitorch.tensor import Tensor


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
        check_positive(lr=lr, eps=eps)
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        check_positive(weight_decay=weight_decay)
        check_flags(foreach, fused, differentiable)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                                      capturable=capturable, differentiable=differentiable,
                                      fused=fused,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def update(self, p: Tensor, grad: Any, group: Dict[str, Any], state: Dict[str, Any]) -> None:
        w = p._data
        g = -grad if group["maximize"] else grad
        beta1, beta2 = group["betas"]
        if not state:
            state["step"] = new_step()
            state["exp_avg"] = np.zeros_like(w)  # not w * 0: inf * 0 is NaN
            state["exp_avg_sq"] = np.zeros_like(w)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(w)
        state["step"] += 1
        t = float(state["step"])
        if group["weight_decay"]:
            if group["decoupled_weight_decay"]:
                w *= 1 - group["lr"] * group["weight_decay"]
            else:
                g = g + group["weight_decay"] * w
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (g - m) * (1 - beta1)                      # lerp, as PyTorch computes it
        v *= beta2
        v += (1 - beta2) * g * g
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
