"""Rprop (resilient backpropagation: a step size per element, grown or shrunk by the sign of
g · g_prev) and ASGD (averaged SGD with a decaying step and a running average of the
parameters).

The updates are PyTorch's single-tensor ones, on the raw arrays of each parameter (NumPy
or CuPy), in the same operation order."""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional, Tuple

import numpy as np

from minitorch.optim.optimizer import Optimizer, check_flags, check_positive, l2_grad, new_step
from minitorch.tensor import Tensor


class Rprop(Optimizer):
    """Per parameter p with gradient g (its last used gradient g_prev starts at 0, its step
    sizes s at lr)::

        g = -g                               if maximize
        η = etaplus  where g · g_prev > 0,  etaminus  where < 0,  1  where = 0
        s = clamp(s · η, step_size_min, step_size_max)
        g = 0                                where η = etaminus
        p = p - sign(g) · s
        g_prev = g
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2,
                 etas: Tuple[float, float] = (0.5, 1.2),
                 step_sizes: Tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: Optional[bool] = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_positive(lr=lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        check_flags(foreach, None, differentiable)
        super().__init__(params, dict(lr=lr, etas=etas, step_sizes=step_sizes,
                                      foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, capturable=capturable))

    def update(self, p: Tensor, grad: Any, group: Dict[str, Any], state: Dict[str, Any]) -> None:
        w = p._data
        if not state:
            state["step"] = new_step()
            state["prev"] = np.zeros_like(w)
            state["step_size"] = np.full_like(w, group["lr"])
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        g = -grad if group["maximize"] else grad
        state["step"] += 1
        sign = np.sign(g * state["prev"])
        sign[sign > 0] = etaplus
        sign[sign < 0] = etaminus
        sign[sign == 0] = 1
        step_size = state["step_size"]
        step_size *= sign
        np.clip(step_size, step_size_min, step_size_max, out=step_size)
        g = g.copy()
        g[sign == etaminus] = 0
        w -= np.sign(g) * step_size
        state["prev"][...] = g
        p._vc[0] += 1


class ASGD(Optimizer):
    """Averaged SGD (Polyak and Juditsky 1992), per parameter p with gradient g at step t
    (η starts at lr, μ at 1; both float32 scalars, as torch's)::

        g = -g                             if maximize
        g = g + weight_decay · p
        p = p · (1 - λ · η)
        p = p - η · g
        ax = ax + μ · (p - ax)             (ax = p while μ = 1)
        η = lr / (1 + λ · lr · t)^α
        μ = 1 / max(1, t - t0)
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lambd: float = 1e-4,
                 alpha: float = 0.75, t0: float = 1e6, weight_decay: float = 0,
                 foreach: Optional[bool] = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        check_positive(lr=lr, weight_decay=weight_decay)
        check_flags(foreach, None, differentiable)
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0,
                                      weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable,
                                      capturable=capturable))

    def update(self, p: Tensor, grad: Any, group: Dict[str, Any], state: Dict[str, Any]) -> None:
        w = p._data
        lr, lambd = group["lr"], group["lambd"]
        if not state:
            state["step"] = new_step()
            state["eta"] = np.asarray(lr, dtype=np.float32)
            state["mu"] = np.ones((), dtype=np.float32)
            state["ax"] = np.zeros_like(w)
        g = l2_grad(w, grad, group)
        state["step"] += 1
        eta = float(state["eta"])
        w *= 1 - lambd * eta
        w -= eta * g
        ax, mu = state["ax"], float(state["mu"])
        if mu != 1:
            ax += (w - ax) * mu
        else:
            ax[...] = w
        step = float(state["step"])
        # torch makes both new values float32 tensors, also once a loaded state holds them
        # in the parameters' dtype
        state["eta"][...] = np.float32(lr / ((1 + lambd * lr * step) ** group["alpha"]))
        state["mu"][...] = np.float32(1 / max(1, step - group["t0"]))
        p._vc[0] += 1
