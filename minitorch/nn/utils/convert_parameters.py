"""Parameters as one flat vector and back, as ``torch.nn.utils.convert_parameters``."""

from __future__ import annotations

from typing import Iterable, Optional

from minitorch.functions import cat
from minitorch.tensor import Tensor


def _check_param_device(param: Tensor, old: Optional[str]) -> str:
    """The device of the first parameter; a TypeError when a later one is elsewhere."""
    device = str(param.device)
    if old is not None and device != old:
        raise TypeError("Found two parameters on different devices, this is currently not "
                        "supported.")
    return device


def _typename(obj: object) -> str:
    cls = type(obj)
    return cls.__qualname__ if cls.__module__ == "builtins" else \
        f"{cls.__module__}.{cls.__qualname__}"


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """``cat([p.view(-1) for p in parameters])``: differentiable, one vector of all values."""
    device = None
    vec = []
    for param in parameters:
        device = _check_param_device(param, device)
        vec.append(param.view(-1))
    return cat(vec)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Set each parameter's ``.data`` to the next ``p.numel()`` entries of ``vec`` (viewed as
    ``p``'s shape): the inverse of :func:`parameters_to_vector`, outside autograd."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {_typename(vec)}")
    device = None
    pointer = 0
    for param in parameters:
        device = _check_param_device(param, device)
        n = param.numel()
        param.data = vec[pointer:pointer + n].view_as(param).data
        pointer += n
