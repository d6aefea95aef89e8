"""A clear error when something that is not a minitorch tensor reaches an op.

PyTorch says ``relu(): argument 'input' (position 1) must be Tensor, not numpy.ndarray``.
With torch imported next to minitorch, a ``torch.Tensor`` passed to a minitorch op would read
"must be Tensor, not Tensor"; here the two are named apart and the conversion is spelled out.
"""

from __future__ import annotations

from typing import Any

from minitorch.autograd import function

TORCH_HINT = ("minitorch and torch tensors do not mix: convert with "
              "minitorch.from_numpy(t.detach().cpu().numpy()) (or minitorch.tensor(t.tolist()))"
              ", and back with torch.from_numpy(x.detach().numpy())")


def type_name(value: Any) -> str:
    """``torch.Tensor``, ``numpy.ndarray``, ``list`` ... as the user would write it."""
    cls = type(value)
    module = cls.__module__.split(".")[0]
    return cls.__name__ if module == "builtins" else f"{module}.{cls.__name__}"


def not_a_tensor(value: Any, op: str, arg: str = "input", position: int = 1) -> TypeError:
    """The TypeError for ``value`` given as ``op``'s argument ``arg``."""
    name = type_name(value)
    if name == "torch.Tensor" or name.startswith("torch.") and hasattr(value, "detach"):
        return TypeError(f"{op}(): argument '{arg}' (position {position}) must be "
                         f"minitorch.Tensor, not {name}: {TORCH_HINT}")
    hint = ": convert it with minitorch.tensor(...)" if name in ("numpy.ndarray", "list") \
        else ""
    return TypeError(f"{op}(): argument '{arg}' (position {position}) must be Tensor, not "
                     f"{name}{hint}")


def expect_tensor(value: Any, op: str, arg: str = "input", position: int = 1) -> None:
    """Raise :func:`not_a_tensor`'s error unless ``value`` is a minitorch Tensor (the class
    as ``Function.apply`` knows it: no import on every call)."""
    if not isinstance(value, function.Tensor):
        raise not_a_tensor(value, op, arg, position)


def expect_tensor_list(tensors: Any, op: str) -> None:
    """PyTorch's check of a tensor list (``cat``, ``stack``): every element a Tensor."""
    from minitorch.tensor import Tensor

    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            name = type_name(t)
            hint = f": {TORCH_HINT}" if name.startswith("torch.") else ""
            raise TypeError(f"{op}(): expected minitorch.Tensor as element {i} in argument 0, "
                            f"but got {name}{hint}")
