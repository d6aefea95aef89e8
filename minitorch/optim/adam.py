"""Adam: adaptive moment estimation."""

from __future__ import annotations

import math
from typing import Any, Dict, Iterable, Tuple

import numpy as np

from minitorch.optim.optimizer import Optimizer
from minitorch.tensor import Tensor


class Adam(Optimizer):
    """PyTorch's update, per parameter p with gradient g at step t::

        g = g + weight_decay · p
        m = β1 · m + (1 - β1) · g
        v = β2 · v + (1 - β2) · g²
        p = p - lr / (1 - β1ᵗ) · m / (√v / √(1 - β2ᵗ) + eps)
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, maximize: bool = False) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if eps < 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize))

    def update(self, p: Tensor, grad: Any, group: Dict[str, Any], state: Dict[str, Any]) -> None:
        w = p._data
        g = -grad if group["maximize"] else grad
        beta1, beta2 = group["betas"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(w)  # not w * 0: inf * 0 is NaN
            state["exp_avg_sq"] = np.zeros_like(w)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(w)
        state["step"] += 1
        t = state["step"]
        if group["weight_decay"]:
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
