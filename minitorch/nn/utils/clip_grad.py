"""Gradient clipping, as ``torch.nn.utils.clip_grad``: in place on each parameter's ``.grad``,
outside autograd (the rescaling is not recorded)."""

from __future__ import annotations

import types
import warnings
from typing import Iterable, List, Optional, Union

from minitorch.autograd.grad_mode import no_grad
from minitorch.creation import tensor
from minitorch.functions import stack
from minitorch.tensor import Tensor

TensorOrTensors = Union[Tensor, Iterable[Tensor]]


def _as_list(parameters: TensorOrTensors) -> List[Tensor]:
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def _total_norm(grads: List[Tensor], norm_type: float) -> Tensor:
    """``‖(‖g₁‖_p, …, ‖gₖ‖_p)‖_p``: the p-norm of all gradients viewed as one vector
    (``max |g|`` for p = inf). ``tensor(0.)`` when there are none."""
    if not grads:
        return tensor(0.0)
    first = grads[0].device
    return stack([g.norm(norm_type).to(first) for g in grads]).norm(norm_type)


def clip_grad_norm_(parameters: TensorOrTensors, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: Optional[bool] = None) -> Tensor:
    """Rescale the gradients so that their total ``norm_type``-norm is at most ``max_norm``:

        total = ‖(‖g₁‖_p, …, ‖gₖ‖_p)‖_p,    g ← g · min(max_norm / (total + 1e-6), 1)

    (``p = inf``: ``total = max |g|``). Parameters whose ``.grad`` is None are skipped.
    Returns ``total`` (computed before clipping), a 0-d tensor. ``error_if_nonfinite``: raise
    when ``total`` is nan or ±inf instead of scaling by it. ``foreach`` is accepted and changes
    nothing (the result is the same either way)."""
    del foreach
    is_generator = isinstance(parameters, types.GeneratorType)
    params = _as_list(parameters)
    if is_generator and not params:
        warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                      stacklevel=2)
    norm_type = float(norm_type)
    with no_grad():
        grads = [p.grad for p in params if p.grad is not None]
        total = _total_norm(grads, norm_type)
        if error_if_nonfinite and bool((total.isnan() | total.isinf()).item()):
            raise RuntimeError(
                f"The total norm of order {norm_type} for gradients from `parameters` is "
                "non-finite, so it cannot be clipped. To disable this error and scale the "
                "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
        coef = (float(max_norm) / (total + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(coef.to(g.device))
    return total


def clip_grad_norm(parameters: TensorOrTensors, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: Optional[bool] = None) -> Tensor:
    """Deprecated spelling of :func:`clip_grad_norm_` (torch warns with a FutureWarning)."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: TensorOrTensors, clip_value: float,
                     foreach: Optional[bool] = None) -> None:
    """Clamp every gradient in place: ``g ← clamp(g, -clip_value, clip_value)``. Parameters
    whose ``.grad`` is None are skipped; ``foreach`` is accepted and changes nothing."""
    del foreach
    clip_value = float(clip_value)
    with no_grad():
        for p in _as_list(parameters):
            if p.grad is not None:
                p.grad.clamp_(min=-clip_value, max=clip_value)
