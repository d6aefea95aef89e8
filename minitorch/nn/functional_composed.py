"""The functional ops built from other differentiable tensor ops, with PyTorch's signatures
and errors: no kernel of their own, so each runs on every backend (CUDA included) and its
gradient comes from autograd. Exported by :mod:`minitorch.nn.functional`."""

from __future__ import annotations

import math

from minitorch import dtypes
from minitorch.creation import arange
from minitorch.foreign import expect_tensor
from minitorch.tensor import Tensor


def _kind(t: Tensor) -> str:
    return {"int64": "Long", "bool": "Bool"}.get(t.dtype.name, t.dtype.name)


def _floating_only(input: Tensor, kernel: str) -> None:
    """torch's error for an activation called on integers or bools."""
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_kind(input)}\'')


# ----------------------------------------------------------------------------- encodings
def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """``y[..., k] = 1 if tensor[...] == k else 0`` for k in [0, num_classes): shape
    ``(*tensor.shape, num_classes)``, int64. ``num_classes=-1``: ``tensor.max() + 1``."""
    expect_tensor(tensor, "one_hot")
    if tensor.dtype is not dtypes.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() == 0:
        if num_classes == -1:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    else:
        if int(tensor.min().item()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        top = int(tensor.max().item())
        if num_classes == -1:
            num_classes = top + 1
        elif top >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    return (tensor.unsqueeze(-1) == arange(num_classes, device=tensor.device)).long()


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """``x / max(‖x‖_p, eps)``, the p-norm taken along ``dim`` (so rows of zeros stay 0)."""
    expect_tensor(input, "normalize")
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denom


# ---------------------------------------------------------------------------- activations
def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x·Φ(x) = ½·x·(1 + erf(x/√2)); ``approximate='tanh'``:
    ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))."""
    expect_tensor(input, "gelu")
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _floating_only(input, "GeluKernelImpl")
    if approximate == "tanh":
        inner = math.sqrt(2 / math.pi) * (input + 0.044715 * input * input * input)
        return 0.5 * input * (1 + inner.tanh())
    return input * 0.5 * (1 + (input * math.sqrt(0.5)).erf())


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x·σ(x) = x / (1 + e⁻ˣ) (the swish); ∂/∂x = σ(x)·(1 + x·(1 - σ(x)))."""
    expect_tensor(input, "silu")
    _floating_only(input, "silu_cpu")
    y = input * input.sigmoid()
    if not inplace:
        return y
    input._check_inplace()
    return input._inplace(y)
