"""Capture what every layer of a model outputs, for one input: feature maps, activations.

    >>> from minitorch.utils.activations import capture_activations
    >>> acts = capture_activations(model, images)
    >>> for name, t in acts.items():
    ...     print(name, tuple(t.shape))
    model.0 (1, 32, 32, 32)
    model.1 (1, 32, 16, 16)
    ...

It works with forward hooks (:meth:`Module.register_forward_hook`): one on each submodule
records its output while the model runs once; the hooks are removed afterwards, even when
the forward pass raises, so the model is left as it was.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, Union

import minitorch
from minitorch.nn.module import Module
from minitorch.tensor import Tensor

__all__ = ["capture_activations"]

LayerFilter = Union[Iterable[str], Iterable[type], Callable[[str, Module], bool], None]


def _selector(layers: LayerFilter, leaves_only: bool) -> Callable[[str, Module], bool]:
    if callable(layers) and not isinstance(layers, type):
        chosen = layers
    elif layers is None:
        def chosen(name: str, module: Module) -> bool:
            return True
    else:
        wanted = list(layers)
        names = {w for w in wanted if isinstance(w, str)}
        types = tuple(w for w in wanted if isinstance(w, type))

        def chosen(name: str, module: Module) -> bool:
            return name in names or (bool(types) and isinstance(module, types))

    if not leaves_only:
        return chosen
    return lambda name, module: next(module.children(), None) is None and chosen(name, module)


def _detach(output: Any) -> Any:
    """The output with every tensor detached (tuples/lists/dicts kept as they are)."""
    if isinstance(output, Tensor):
        return output.detach()
    if isinstance(output, (tuple, list)):
        return type(output)(_detach(o) for o in output)
    if isinstance(output, dict):
        return {k: _detach(v) for k, v in output.items()}
    return output


def capture_activations(model: Module, *inputs: Any, layers: LayerFilter = None,
                        leaves_only: bool = False, include_model: bool = False,
                        grad: bool = False) -> OrderedDict[str, Any]:
    """Run ``model(*inputs)`` once and return the output of each of its submodules.

    Args:
        model: any :class:`~minitorch.nn.Module`.
        inputs: what to call the model with.
        layers: which submodules to record: ``None`` (all of them), names as in
            ``named_modules()`` (``"model.0"``), module types (``nn.Conv2d``), or a
            function ``(name, module) -> bool``.
        leaves_only: record only modules without children (skip containers such as
            ``Sequential``, whose output is that of their last layer).
        include_model: also record the model's own output, under the name ``""``.
        grad: keep the outputs attached to the autograd graph (default: the model runs
            under ``no_grad`` and the outputs are plain tensors).

    Returns:
        an ``OrderedDict`` ``name -> output`` in the order the modules *finished* running
        (for a ``Sequential``: layer by layer). A module that runs more than once gets one
        entry per call: ``name``, ``name:1``, ``name:2``, ...
    """
    select = _selector(layers, leaves_only)
    captured: OrderedDict[str, Any] = OrderedDict()
    calls: dict[str, int] = {}
    handles = []

    def recorder(name: str) -> Callable[[Module, Any, Any], None]:
        def hook(module: Module, args: Any, output: Any) -> None:
            count = calls.get(name, 0)
            calls[name] = count + 1
            captured[name if count == 0 else f"{name}:{count}"] = \
                output if grad else _detach(output)
        return hook

    try:
        for name, module in model.named_modules():
            if module is model and not include_model:
                continue
            if module is model or select(name, module):
                handles.append(module.register_forward_hook(recorder(name)))
        if grad:
            model(*inputs)
        else:
            with minitorch.no_grad():
                model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
    return captured
