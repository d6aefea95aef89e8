"""Adagrad, Adadelta and RMSprop: per-element step sizes from running sums of g².

The updates are PyTorch's single-tensor ones, on the raw arrays of each parameter (NumPy
or CuPy), in the same operation order."""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional

import numpy as np

from minitorch.optim.optimizer import Optimizer, check_flags, check_positive, l2_grad, new_step
from minitorch.tensor import Tensor


class Adagrad(Optimizer):
    """Per parameter p with gradient g at step t::

        clr = lr / (1 + (t - 1) · lr_decay)
        sum = sum + g²                       (sum starts at initial_accumulator_value)
        p = p - clr · g / (√sum + eps)
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: Optional[bool] = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 fused: Optional[bool] = None) -> None:
        check_positive(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                       initial_accumulator_value=initial_accumulator_value, eps=eps)
        check_flags(foreach, fused, differentiable)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps,
                                      weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, fused=fused))
        for group in self.param_groups:  # torch creates the state up front
            for p in group["params"]:
                self._init_state(p, group, self.state.setdefault(p, {}))

    @staticmethod
    def _init_state(p: Tensor, group: Dict[str, Any], state: Dict[str, Any]) -> None:
        state["step"] = new_step()
        # full_like, not w * 0 + v: an inf or nan parameter would start a NaN sum
        state["sum"] = np.full_like(p._data, group["initial_accumulator_value"])

    def update(self, p: Tensor, grad: Any, group: Dict[str, Any], state: Dict[str, Any]) -> None:
        if not state:  # a parameter of a group added after construction
            self._init_state(p, group, state)
        g = l2_grad(p._data, grad, group)
        state["step"] += 1
        clr = group["lr"] / (1 + (float(state["step"]) - 1) * group["lr_decay"])
        total = state["sum"]
        total += g * g
        p._data -= clr * (g / (total ** 0.5 + group["eps"]))
        p._vc[0] += 1


class Adadelta(Optimizer):
    """Per parameter p with gradient g (Zeiler 2012)::

        v = ρ · v + (1 - ρ) · g²
        δ = √(u + eps) / √(v + eps) · g
        u = ρ · u + (1 - ρ) · δ²
        p = p - lr · δ
    """

    def __init__(self, params: Iterable[Any], lr: float = 1.0, rho: float = 0.9,
                 eps: float = 1e-6, weight_decay: float = 0, foreach: Optional[bool] = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_positive(lr=lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_positive(eps=eps, weight_decay=weight_decay)
        check_flags(foreach, None, differentiable)
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize, capturable=capturable,
                                      foreach=foreach, differentiable=differentiable))

    def update(self, p: Tensor, grad: Any, group: Dict[str, Any], state: Dict[str, Any]) -> None:
        if not state:
            state["step"] = new_step()
            state["square_avg"] = np.zeros_like(p._data)
            state["acc_delta"] = np.zeros_like(p._data)
        g = l2_grad(p._data, grad, group)
        rho, eps = group["rho"], group["eps"]
        state["step"] += 1
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        square_avg *= rho
        square_avg += (1 - rho) * g * g
        delta = (acc_delta + eps) ** 0.5 / (square_avg + eps) ** 0.5 * g
        acc_delta *= rho
        acc_delta += (1 - rho) * delta * delta
        p._data -= group["lr"] * delta
        p._vc[0] += 1


class RMSprop(Optimizer):
    """Per parameter p with gradient g::

        v = α · v + (1 - α) · g²
        ḡ = α · ḡ + (1 - α) · g                   (centered only)
        d = √(v - ḡ²) + eps  if centered  else  √v + eps
        b = momentum · b + g / d;  p = p - lr · b   (momentum > 0)
        p = p - lr · g / d                         (otherwise)
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, capturable: bool = False,
                 foreach: Optional[bool] = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_positive(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay,
                       alpha=alpha)
        check_flags(foreach, None, differentiable)
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps,
                                      centered=centered, weight_decay=weight_decay,
                                      capturable=capturable, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable))

    def update(self, p: Tensor, grad: Any, group: Dict[str, Any], state: Dict[str, Any]) -> None:
        w = p._data
        if not state:
            state["step"] = new_step()
            state["square_avg"] = np.zeros_like(w)
            if group["momentum"] > 0:
                state["momentum_buffer"] = np.zeros_like(w)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(w)
        g = l2_grad(p._data, grad, group)
        alpha = group["alpha"]
        state["step"] += 1
        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1 - alpha) * g * g
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg += (g - grad_avg) * (1 - alpha)  # lerp
            avg = (square_avg - grad_avg * grad_avg) ** 0.5
        else:
            avg = square_avg ** 0.5
        avg = avg + group["eps"]
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf *= group["momentum"]
            buf += g / avg
            w -= group["lr"] * buf
        else:
            w -= group["lr"] * (g / avg)
        p._vc[0] += 1
