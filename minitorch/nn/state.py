"""Loading a state_dict, with PyTorch's checks and error report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Mapping

import numpy as np

from minitorch.autograd.grad_mode import no_grad
from minitorch.tensor import Tensor

if TYPE_CHECKING:
    from minitorch.nn.module import IncompatibleKeys, Module


def to_numpy(value: Any) -> np.ndarray:
    """A minitorch tensor, a NumPy array, or any tensor with ``.detach().cpu().numpy()``."""
    if isinstance(value, Tensor):
        return value.detach().cpu()._data
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "detach"):  # e.g. a torch.Tensor
        return value.detach().cpu().numpy()
    return np.asarray(value)


def load_state_dict(module: Module, state_dict: Mapping[str, Any],
                    strict: bool = True) -> IncompatibleKeys:
    from minitorch.nn.module import IncompatibleKeys

    own = module.state_dict(keep_vars=True)
    missing = [k for k in own if k not in state_dict]
    unexpected = [k for k in state_dict if k not in own]
    errors: List[str] = []
    for key, target in own.items():
        if key not in state_dict:
            continue
        value = to_numpy(state_dict[key])
        if tuple(value.shape) != tuple(target.shape):
            errors.append(f"size mismatch for {key}: copying a param with shape "
                          f"minitorch.Size({list(value.shape)}) from checkpoint, the shape in "
                          f"current model is {target.shape!r}.")
            continue
        with no_grad():
            target.copy_(Tensor._wrap(np.asarray(value, order="C")))
    if strict:
        if unexpected:
            errors.insert(0, "Unexpected key(s) in state_dict: "
                          + ", ".join(f'"{k}"' for k in unexpected) + ". ")
        if missing:
            errors.insert(0, "Missing key(s) in state_dict: "
                          + ", ".join(f'"{k}"' for k in missing) + ". ")
    if errors:
        raise RuntimeError(f"Error(s) in loading state_dict for {type(module).__name__}:\n\t"
                           + "\n\t".join(errors))
    return IncompatibleKeys(missing, unexpected)
