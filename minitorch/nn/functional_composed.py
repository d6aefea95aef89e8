"""The functional ops built from other differentiable tensor ops, with PyTorch's signatures
and errors: no kernel of their own, so each runs on every backend (CUDA included) and its
gradient comes from autograd. Exported by :mod:`minitorch.nn.functional`."""

from __future__ import annotations

import math
from typing import Any, List, Tuple

import numpy as np

from minitorch import dtypes
from minitorch.creation import arange, tensor
from minitorch.foreign import expect_tensor
from minitorch.functions import stack
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


# ------------------------------------------------------------------------ adaptive pooling
def _adaptive_size(output_size: Any, input: Tensor) -> Tuple[Any, Any]:
    """``output_size`` as (oh, ow): an int for both, or a pair whose None entries take the
    input's size (torch's ``_list_with_default``, with its ValueError for a long tuple)."""
    if isinstance(output_size, int):
        return output_size, output_size
    out = list(output_size)
    if input.ndim <= len(out):
        raise ValueError(f"Input dimension should be at least {len(out) + 1}")
    sizes = tuple(input.shape)[-len(out):]
    return tuple(v if v is not None else d for v, d in zip(out, sizes))


def _check_adaptive_input(input: Tensor, name: str, sep: str) -> None:
    """torch's checks: 3-D or 4-D, non-empty except the batch, floating point."""
    if input.ndim not in (3, 4):
        raise RuntimeError(f"{name}(): Expected 3D or 4D tensor, but got{sep} "
                           f"{list(input.shape)}")
    for i in range(1, input.ndim):
        if input.shape[i] == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {list(input.shape)} with "
                               f"dimension {i} being empty")
    _floating_only(input, name)


def adaptive_windows(n_in: int, n_out: int) -> List[Tuple[int, int]]:
    """Window i of ``n_out`` over ``n_in`` positions: [⌊i·n_in/n_out⌋, ⌈(i+1)·n_in/n_out⌉)
    (torch's start/end index rule; windows overlap when n_out does not divide n_in)."""
    return [((i * n_in) // n_out, -(-(i + 1) * n_in // n_out)) for i in range(n_out)]


def _averaging_matrix(n_in: int, n_out: int, like: Tensor) -> Tensor:
    """A (n_out, n_in) matrix whose row i averages window i: 1/len on the window, else 0."""
    m = np.zeros((n_out, n_in))
    for i, (start, end) in enumerate(adaptive_windows(n_in, n_out)):
        m[i, start:end] = 1.0 / (end - start)
    return tensor(m, dtype=like.dtype, device=like.device)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """y[..., i, j] = mean of x[..., hᵢ₀:hᵢ₁, wⱼ₀:wⱼ₁] over the windows of
    :func:`adaptive_windows`, computed as ``A_h · x · A_wᵀ`` with the averaging matrices
    (so gradients are those of two matrix products); (1, 1) is ``x.mean((-1, -2))``, as
    in torch."""
    expect_tensor(input, "adaptive_avg_pool2d")
    oh, ow = _adaptive_size(output_size, input)
    if oh < 0 or ow < 0:
        raise RuntimeError("adaptive_avg_pool2d: elements of output_size must be greater than "
                           f"or equal to 0 but received {{{oh}, {ow}}}")
    if (oh, ow) == (1, 1):
        return input.mean((-1, -2), keepdim=True)
    _check_adaptive_input(input, "adaptive_avg_pool2d", "")
    h, w = input.shape[-2:]
    return _averaging_matrix(h, oh, input) @ input @ _averaging_matrix(w, ow, input).t()


def adaptive_max_pool2d(input: Tensor, output_size: Any,
                        return_indices: bool = False) -> Any:
    """y[..., i, j] = max of x[..., hᵢ₀:hᵢ₁, wⱼ₀:wⱼ₁] over the windows of
    :func:`adaptive_windows` (the gradient goes to the first maximum of each window);
    ``return_indices``: also where, as flat indices ``h·W + w`` into each (H, W) plane."""
    expect_tensor(input, "adaptive_max_pool2d")
    _check_adaptive_input(input, "adaptive_max_pool2d", ":")
    oh, ow = _adaptive_size(output_size, input)
    if oh < 0 or ow < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(oh, ow)}: "
                           f"{list(input.shape[:-2]) + [oh, ow]}")
    h, w = input.shape[-2:]
    values, indices = [], []
    for h0, h1 in adaptive_windows(h, oh):
        for w0, w1 in adaptive_windows(w, ow):
            v, k = input[..., h0:h1, w0:w1].flatten(-2).max(-1)
            values.append(v)
            indices.append((h0 + k // (w1 - w0)) * w + w0 + k % (w1 - w0))
    shape = tuple(input.shape[:-2]) + (oh, ow)
    if not values:  # an output size of 0
        y = input.new_zeros(shape)
        i = y.long()
    else:
        y = stack(values, -1).reshape(shape)
        i = stack(indices, -1).reshape(shape)
    return (y, i) if return_indices else y
