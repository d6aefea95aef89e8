"""Gradient clipping, as ``torch.nn.utils.clip_grad``: in place on each parameter's ``.grad``,
outside autograd (the rescaling is not recorded). ``foreach`` is accepted everywhere and
changes nothing (the result is the same either way)."""

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


def get_total_norm(tensors: TensorOrTensors, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: Optional[bool] = None) -> Tensor:
    """``‖(‖t₁‖_p, …, ‖tₖ‖_p)‖_p``: the p-norm of all the tensors viewed as one vector
    (``max |t|`` for p = inf), on the first tensor's device; ``tensor(0.)`` for none.
    ``error_if_nonfinite``: raise when it is nan or ±inf."""
    del foreach
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return tensor(0.0)
    with no_grad():
        first = tensors[0].device
        total = stack([t.norm(norm_type).to(first) for t in tensors]).norm(norm_type)
    if error_if_nonfinite and bool((total.isnan() | total.isinf()).item()):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
    return total


def clip_grads_with_norm_(parameters: TensorOrTensors, max_norm: float, total_norm: Tensor,
                          foreach: Optional[bool] = None) -> None:
    """g ← g · min(max_norm / (total_norm + 1e-6), 1) for every gradient (None skipped)."""
    del foreach
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    if not grads:
        return
    with no_grad():
        coef = (float(max_norm) / (total_norm + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(coef.to(g.device))


def clip_grad_norm_(parameters: TensorOrTensors, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: Optional[bool] = None) -> Tensor:
    """Rescale the gradients so that their total ``norm_type``-norm is at most ``max_norm``:

        total = ‖(‖g₁‖_p, …, ‖gₖ‖_p)‖_p,    g ← g · min(max_norm / (total + 1e-6), 1)

    (``p = inf``: ``total = max |g|``; :func:`get_total_norm`, then
    :func:`clip_grads_with_norm_`). Parameters whose ``.grad`` is None are skipped. Returns
    ``total`` (computed before clipping), a 0-d tensor."""
    is_generator = isinstance(parameters, types.GeneratorType)
    params = _as_list(parameters)
    if is_generator and not params:
        warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                      stacklevel=2)
    grads = [p.grad for p in params if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(params, max_norm, total, foreach)
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
    whose ``.grad`` is None are skipped."""
    del foreach
    clip_value = float(clip_value)
    with no_grad():
        for p in _as_list(parameters):
            if p.grad is not None:
                p.grad.clamp_(min=-clip_value, max=clip_value)
