"""Reverse-mode automatic differentiation: ``Function``, the engine, grad modes, gradcheck."""

from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np

from minitorch.autograd import engine, function
from minitorch.autograd.function import Function, FunctionCtx, once_differentiable
from minitorch.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from minitorch.autograd.gradcheck import gradcheck, gradgradcheck
from minitorch.backends.cuda import graphs

__all__ = ["Function", "FunctionCtx", "backward", "enable_grad", "function", "functional", "grad",
           "gradcheck", "gradgradcheck", "is_grad_enabled", "no_grad", "once_differentiable",
           "set_grad_enabled"]

Tensors = Union[Any, Sequence[Any]]


def _as_list(x: Any) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _ones(t: Any) -> Any:
    """The implicit gradient of a scalar output: a raw array of ones like it (the engine
    takes arrays or Tensors), made on its device by a fill, as torch's ``ones_like``: on a
    GPU one fill kernel, which a CUDA graph captures (a host array copied over would replay
    whatever the host staging buffer holds by then). Inside a capture on "cuda-emulated" the
    fill is recorded, so the emulator's count of a step's device operations includes it."""
    data = t._data
    if not isinstance(data, np.ndarray):  # a GPU array
        from minitorch.backends import backend_for

        return backend_for(t.device.type).xp.ones(data.shape, data.dtype)
    return graphs.record_new_fill(np.ones(data.shape, data.dtype), 1)


def _grad_list(outputs: list, grads: Any) -> list:
    """``grad_tensors`` / ``grad_outputs``: None means ones for each (scalar) output."""
    grads = [None] * len(outputs) if grads is None else _as_list(grads)
    if len(grads) != len(outputs):
        raise RuntimeError("grad can be implicitly created only for scalar outputs"
                           if not grads else f"Mismatch in number of gradients: expected "
                           f"{len(outputs)} but got {len(grads)}")
    out = []
    for i, (t, g) in enumerate(zip(outputs, grads)):
        if g is None:
            if t.requires_grad and t.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = _ones(t)
        elif tuple(g.shape) != tuple(t.shape):
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                               f"{g.shape} and output[{i}] has a shape of {t.shape}.")
        out.append(g)
    return out


def backward(tensors: Tensors, grad_tensors: Optional[Tensors] = None,
             retain_graph: Optional[bool] = None, create_graph: bool = False,
             inputs: Optional[Tensors] = None) -> None:
    """``minitorch.autograd.backward``: accumulate d(Σ tensors·grad_tensors)/d(leaf) into
    each leaf's ``.grad``; with ``inputs``, only into those."""
    tensors = _as_list(tensors)
    grads = _grad_list(tensors, grad_tensors)
    retain = create_graph if retain_graph is None else bool(retain_graph)
    if inputs is None:
        engine.backward(tensors, grads, retain, create_graph)
        return
    inputs = _as_list(inputs)
    found = engine.grad(tensors, inputs, grads, retain, create_graph, allow_unused=True)
    for t, g in zip(inputs, found):
        if g is not None:
            engine._accumulate_leaf(t, g if create_graph else g._data, create_graph)


def grad(outputs: Tensors, inputs: Tensors, grad_outputs: Optional[Tensors] = None,
         retain_graph: Optional[bool] = None, create_graph: bool = False,
         only_inputs: bool = True, allow_unused: Optional[bool] = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> Tuple[Any, ...]:
    """d(Σ outputs·grad_outputs)/d(input) for each of ``inputs``, without touching ``.grad``.

    ``create_graph=True`` returns gradients on a graph of their own, so they can be
    differentiated again: a gradient penalty ‖∂out/∂x‖², a Hessian-vector product
    ``grad(grad(f, x, create_graph=True)[0] @ v, x)``."""
    if is_grads_batched:
        raise NotImplementedError("is_grads_batched=True is not supported")
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    outputs, inputs = _as_list(outputs), _as_list(inputs)
    grads = _grad_list(outputs, grad_outputs)
    retain = create_graph if retain_graph is None else bool(retain_graph)
    return engine.grad(outputs, inputs, grads, retain, create_graph,
                       bool(allow_unused) or materialize_grads, materialize_grads)


from minitorch.autograd import functional  # noqa: E402 - needs grad, defined above
