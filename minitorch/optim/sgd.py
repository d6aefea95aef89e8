"""Stochastic gradient descent with momentum, dampening, weight decay and Nesterov."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional

from minitorch.backends import backend_for
from minitorch.optim.optimizer import Optimizer, check_flags, l2_grad
from minitorch.tensor import Tensor


class SGD(Optimizer):
    """PyTorch's update, per parameter p with gradient g::

        g = g + weight_decay · p
        buf = g                      (first step)
        buf = momentum · buf + (1 - dampening) · g
        g = g + momentum · buf  if nesterov  else  buf
        p = p - lr · g
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: Optional[bool] = None,
                 differentiable: bool = False, fused: Optional[bool] = None) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        check_flags(foreach, fused, differentiable)
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize, foreach=foreach,
                                      differentiable=differentiable, fused=fused))

    def update_group(self, group: Dict[str, Any], params: List[Tensor]) -> None:
        """Every parameter of the group in as few kernels as the backend needs where it has a
        multi-tensor step (the CUDA backend's ``sgd_update``: bitwise the array operations of
        :meth:`update`); the parameters it does not take, one by one with :meth:`update`."""
        fused = getattr(backend_for(params[0].device.type), "sgd_update", None) \
            if params else None
        if fused is None:
            return super().update_group(group, params)
        xp = backend_for(params[0].device.type).xp
        same = [p for p in params if p.device == params[0].device]
        rest = [p for p in params if p.device != params[0].device]
        momentum = group["momentum"]
        # with momentum, the parameters whose buffer is made now (filled from the gradient)
        # go in launches of their own
        for first in (False, True) if momentum else (False,):
            todo = [p for p in same if not momentum or
                    (self.state.setdefault(p, {}).get("momentum_buffer") is None) == first]
            if not todo:
                continue
            bufs = [xp.empty_like(p._data) if first else
                    self.state[p]["momentum_buffer"] if momentum else None for p in todo]
            refused = set(fused([(p._data, p.grad._data, b) for p, b in zip(todo, bufs)],
                                group["lr"], momentum, group["dampening"],
                                group["weight_decay"], group["nesterov"], group["maximize"],
                                first))
            for position, (p, buf) in enumerate(zip(todo, bufs)):
                if position in refused:
                    rest.append(p)
                    continue
                if first:
                    self.state.setdefault(p, {})["momentum_buffer"] = buf
                p._vc[0] += 1
        super().update_group(group, rest)

    def update(self, p: Tensor, grad: Any, group: Dict[str, Any], state: Dict[str, Any]) -> None:
        w = p._data
        g = l2_grad(w, grad, group)
        momentum = group["momentum"]
        if momentum:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = g.copy()
            else:
                buf *= momentum
                buf += (1 - group["dampening"]) * g
            g = g + momentum * buf if group["nesterov"] else buf
        w -= group["lr"] * g
        p._vc[0] += 1
