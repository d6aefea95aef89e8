"""Reverse-mode automatic differentiation: ``Function``, the engine, grad modes, gradcheck."""

from minitorch.autograd.function import Function
from minitorch.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from minitorch.autograd.gradcheck import gradcheck

__all__ = ["Function", "enable_grad", "gradcheck", "is_grad_enabled", "no_grad",
           "set_grad_enabled", "backward"]


def backward(tensors, grad_tensors=None, retain_graph=None):  # noqa: ANN001, ANN201
    """``minitorch.autograd.backward``: like calling ``.backward`` on each tensor."""
    from minitorch.autograd import engine
    from minitorch.creation import ones_like

    tensors = [tensors] if not isinstance(tensors, (list, tuple)) else list(tensors)
    if grad_tensors is None:
        grad_tensors = [ones_like(t) for t in tensors]
    elif not isinstance(grad_tensors, (list, tuple)):
        grad_tensors = [grad_tensors]
    engine.backward(tensors, grad_tensors, bool(retain_graph))
