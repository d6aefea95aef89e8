"""The functional ops built from other differentiable tensor ops, with PyTorch's signatures
and errors: no kernel of their own, so each runs on every backend (CUDA included) and its
gradient comes from autograd. Exported by :mod:`minitorch.nn.functional`."""

from __future__ import annotations

import math
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

from minitorch import dtypes
from minitorch.autograd.function import _common_device
from minitorch.autograd.grad_mode import no_grad
from minitorch.autograd.ops import activation as act
from minitorch.autograd.ops.blocks import AdaptiveMaxPool2d, Separable
from minitorch.autograd.ops.elementwise import AddScalar
from minitorch.autograd.ops.normalization import NativeGroupNorm, NativeLayerNorm
from minitorch.autograd.ops.select import Embedding
from minitorch.creation import arange, tensor
from minitorch.foreign import expect_tensor
from minitorch.functions import where
from minitorch.tensor import Tensor
from minitorch.tensor.helpers import INDEX_DTYPES, _index_array


def _kind(t: Tensor) -> str:
    return t.dtype.kind


def _maybe_inplace(input: Tensor, y: Tensor, inplace: bool) -> Tensor:
    """``y``, or (``inplace``) ``y`` written into ``input``, which takes its place on the
    graph (relu: its op keeps its output, which then is ``input``)."""
    if not inplace:
        return y
    input._check_inplace()
    return input._inplace(y)


def _inplace_or_not(op: type, input: Tensor, inplace: bool, *params: Any) -> Tensor:
    """``op`` (an :class:`~minitorch.autograd.ops.activation.Activation`) on ``input``, or
    (``inplace``) written into ``input``, which takes its place on the graph: the op then
    keeps a copy of the input for its backward (silu and the activations of
    ``functional_activations.py``)."""
    if not inplace:
        return op.apply(input, *params)
    input._check_inplace()
    return input._inplace(op.apply(input, *params, inplace=True))


def _floating_only(input: Tensor, kernel: str) -> None:
    """torch's error for an activation called on integers or bools."""
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_kind(input)}\'')


# ----------------------------------------------------------------------------- encodings
def one_hot(input: Tensor, num_classes: int = -1) -> Tensor:
    """``y[..., k] = 1 if input[...] == k else 0`` for k in [0, num_classes): shape
    ``(*input.shape, num_classes)``, int64. ``num_classes=-1``: ``input.max() + 1``."""
    expect_tensor(input, "one_hot")
    if input.dtype is not dtypes.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if input.numel() == 0:
        if num_classes == -1:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    else:
        if int(input.min().item()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        top = int(input.max().item())
        if num_classes == -1:
            num_classes = top + 1
        elif top >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    return (input.unsqueeze(-1) == arange(num_classes, device=input.device)).long()


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
    return act.Gelu.apply(input, approximate == "tanh")


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x·σ(x) = x / (1 + e⁻ˣ) (the swish); ∂/∂x = σ(x)·(1 + x·(1 - σ(x)))."""
    expect_tensor(input, "silu")
    _floating_only(input, "silu_cpu")
    return _inplace_or_not(act.Silu, input, inplace)


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


def _check_adaptive_input(input: Tensor, name: str, sep: str, dims: int = 2,
                          kernel: str = "") -> None:
    """torch's checks: ``dims`` + 1 or ``dims`` + 2 dims (unbatched or batched), non-empty
    except the batch, floating point (``kernel``: the name torch's dtype error gives)."""
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"{name}(): Expected {dims + 1}D or {dims + 2}D tensor, but got{sep} "
                           f"{list(input.shape)}")
    for i in range(1, input.ndim):
        if input.shape[i] == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {list(input.shape)} with "
                               f"dimension {i} being empty")
    _floating_only(input, kernel or name)


def adaptive_windows(n_in: int, n_out: int) -> List[Tuple[int, int]]:
    """Window i of ``n_out`` over ``n_in`` positions: [⌊i·n_in/n_out⌋, ⌈(i+1)·n_in/n_out⌉)
    (torch's start/end index rule; windows overlap when n_out does not divide n_in)."""
    return [((i * n_in) // n_out, -(-(i + 1) * n_in // n_out)) for i in range(n_out)]


def _averaging_matrix(n_in: int, n_out: int, like: Tensor) -> Any:
    """A (n_out, n_in) matrix whose row i averages window i: 1/len on the window, else 0 —
    an array of ``like``'s dtype on its device."""
    m = np.zeros((n_out, n_in))
    for i, (start, end) in enumerate(adaptive_windows(n_in, n_out)):
        m[i, start:end] = 1.0 / (end - start)
    return tensor(m, dtype=like.dtype, device=like.device)._data


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """y[..., i, j] = mean of x[..., hᵢ₀:hᵢ₁, wⱼ₀:wⱼ₁] over the windows of
    :func:`adaptive_windows`, computed as ``A_h · x · A_wᵀ`` with the averaging matrices
    (one ``AdaptiveAvgPool2DBackward0`` node); (1, 1) is ``x.mean((-1, -2))``, as in
    torch."""
    expect_tensor(input, "adaptive_avg_pool2d")
    oh, ow = _adaptive_size(output_size, input)
    if oh < 0 or ow < 0:
        raise RuntimeError("adaptive_avg_pool2d: elements of output_size must be greater than "
                           f"or equal to 0 but received {{{oh}, {ow}}}")
    if (oh, ow) == (1, 1):
        return input.mean((-1, -2), keepdim=True)
    _check_adaptive_input(input, "adaptive_avg_pool2d", "")
    h, w = input.shape[-2:]
    return Separable.apply(input, (_averaging_matrix(h, oh, input),
                                   _averaging_matrix(w, ow, input)), "AdaptiveAvgPool2D")


def _window_table(h: int, w: int, oh: int, ow: int) -> np.ndarray:
    """(oh·ow, K) flat positions ``r·w + c`` of each window of :func:`adaptive_windows`,
    row by row; a window smaller than the largest K is padded with its own first position
    (a repeat never changes the max, and the first occurrence is the one chosen)."""
    wins = [(h0, h1, w0, w1) for h0, h1 in adaptive_windows(h, oh)
            for w0, w1 in adaptive_windows(w, ow)]
    k = max((h1 - h0) * (w1 - w0) for h0, h1, w0, w1 in wins)
    table = np.empty((len(wins), k), dtype=np.int64)
    for i, (h0, h1, w0, w1) in enumerate(wins):
        flat = (np.arange(h0, h1)[:, None] * w + np.arange(w0, w1)).reshape(-1)
        table[i] = np.concatenate([flat, np.full(k - flat.size, flat[0])])
    return table


def adaptive_max_pool2d(input: Tensor, output_size: Any,
                        return_indices: bool = False) -> Any:
    """y[..., i, j] = max of x[..., hᵢ₀:hᵢ₁, wⱼ₀:wⱼ₁] over the windows of
    :func:`adaptive_windows` (ties: the first in row-major order, which also gets the
    gradient); ``return_indices``: also where, as flat indices ``h·W + w`` into each (H, W)
    plane. One gather of every window's pixels (:func:`_window_table`), then the first
    maximum of each (one ``AdaptiveMaxPool2DBackward0`` node)."""
    expect_tensor(input, "adaptive_max_pool2d")
    _check_adaptive_input(input, "adaptive_max_pool2d", ":")
    oh, ow = _adaptive_size(output_size, input)
    if oh < 0 or ow < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(oh, ow)}: "
                           f"{list(input.shape[:-2]) + [oh, ow]}")
    h, w = input.shape[-2:]
    shape = tuple(input.shape[:-2]) + (oh, ow)
    if oh * ow == 0:
        y = input.new_zeros(shape)
        return (y, y.long()) if return_indices else y
    table = tensor(_window_table(h, w, oh, ow), device=input.device)._data
    y, indices = AdaptiveMaxPool2d.apply(input, table, (oh, ow))
    return (y, indices) if return_indices else y


# ----------------------------------------------------------------------- layer norm
def _shape_list(shape: Sequence[int]) -> str:
    return "[" + ", ".join(str(n) for n in shape) + "]"


def _normalized_shape(op: str, normalized_shape: Any, **params: Optional[Tensor]
                      ) -> Tuple[int, ...]:
    """torch's checks of ``normalized_shape`` (a tuple or list of ints, at least one) and of
    the shape of each affine parameter in ``params`` (None: absent); the shape as a tuple."""
    if not isinstance(normalized_shape, (tuple, list)):
        raise TypeError(f"{op}(): argument 'normalized_shape' (position 2) must be tuple of "
                        f"ints, not {type(normalized_shape).__name__}")
    for i, n in enumerate(normalized_shape):
        if isinstance(n, float):
            raise TypeError(f"{op}(): argument 'normalized_shape' (position 2) must be tuple "
                            f"of ints, but found element of type float at pos {i}")
        if not isinstance(n, int):
            raise TypeError(f"{op}(): argument 'normalized_shape' failed to unpack the object "
                            f"at pos 2 with error \"type must be tuple of ints,but got "
                            f"{type(n).__name__}\"")
    shape = tuple(normalized_shape)
    if not shape:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                           "containing at least one element, but got normalized_shape = []")
    for name, t in params.items():
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but "
                               f"got {name} of shape {_shape_list(t.shape)} and "
                               f"normalized_shape = {_shape_list(shape)}")
    return shape


def layer_norm(input: Tensor, normalized_shape: Sequence[int], weight: Optional[Tensor] = None,
               bias: Optional[Tensor] = None, eps: float = 1e-5) -> Tensor:
    """Normalize over the last ``len(normalized_shape)`` dims of each sample::

        μ = mean(x),  σ² = mean((x - μ)²)  (biased),  y = (x - μ) / √(σ² + eps) · γ + β

    (one ``NativeLayerNormBackward0`` node: :mod:`minitorch.autograd.ops.normalization`)."""
    expect_tensor(input, "layer_norm")
    shape = _normalized_shape("layer_norm", normalized_shape, weight=weight, bias=bias)
    if tuple(input.shape[input.ndim - len(shape):]) != shape or input.ndim < len(shape):
        raise RuntimeError(f"Given normalized_shape={_shape_list(shape)}, expected input with "
                           f"shape [*, {', '.join(str(n) for n in shape)}], but got input of "
                           f"size{_shape_list(input.shape)}")
    if weight is not None and weight.dtype != input.dtype or \
            weight is None and bias is not None and bias.dtype != input.dtype:
        raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")
    if bias is not None and bias.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {_kind(input)} but found {_kind(bias)}")
    _floating_only(input, "LayerNormKernelImpl")
    return NativeLayerNorm.apply(input, weight, bias, len(shape), eps)


def rms_norm(input: Tensor, normalized_shape: Sequence[int], weight: Optional[Tensor] = None,
             eps: Optional[float] = None) -> Tensor:
    """Root-mean-square normalization over the last ``len(normalized_shape)`` dims of each
    sample (no centring, no bias)::

        y = x / √(mean(x²) + eps) · γ        (eps None: the machine epsilon of x's dtype)

    Composed as torch composes it, so the graph has torch's nodes: ``PowBackward0`` →
    ``MeanBackward1`` (over the normalized dims, last first) → ``AddBackward1`` →
    ``RsqrtBackward0`` → ``MulBackward0`` (then ``MulBackward0`` by the weight, and
    ``ToCopyBackward0`` back to x's dtype when the weight's differs, and ``CloneBackward0``
    when x's layout made the result non-contiguous)."""
    expect_tensor(input, "rms_norm")
    shape = _normalized_shape("rms_norm", normalized_shape, weight=weight)
    if input.ndim < len(shape):
        raise ValueError(f"Input tensor must have at least {len(shape)} dimensions, but got "
                         f"{input.ndim}")
    if tuple(input.shape[input.ndim - len(shape):]) != shape:
        raise RuntimeError(f"Given normalized_shape={_shape_list(shape)}, expected input with "
                           f"shape [*{', '.join(str(n) for n in shape)}], but got input of "
                           f"size{_shape_list(input.shape)}")
    _floating_only(input, "rms_norm")
    if eps is None:
        eps = float(np.finfo(input.dtype.name).eps)
    dims = tuple(input.ndim - 1 - i for i in range(len(shape)))
    mean_square = input.pow(2).mean(dims, keepdim=True)
    y = input * mean_square._binary(eps, AddScalar).rsqrt()
    if weight is not None:
        out = y * weight
        y = out if out.dtype == y.dtype else out.to(y.dtype)
    return y.contiguous()


def group_norm(input: Tensor, num_groups: int, weight: Optional[Tensor] = None,
               bias: Optional[Tensor] = None, eps: float = 1e-5) -> Tensor:
    """Normalize each of ``num_groups`` groups of channels of each sample (over its channels
    and every position), then scale and shift per channel::

        x̂ = (x − μ_group) / √(σ²_group + eps),  y = x̂ · γ[c] + β[c]

    (one ``NativeGroupNormBackward0`` node: :mod:`minitorch.autograd.ops.normalization`)."""
    expect_tensor(input, "group_norm")
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.ndim}")
    c = input.shape[1]
    if c % num_groups:  # num_groups = 0: Python's ZeroDivisionError, as torch
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {_shape_list(input.shape)} "
                           f"and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t.numel() != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number "
                               f"of channels in input, but got {name} of shape "
                               f"{_shape_list(t.shape)} and input of shape "
                               f"{_shape_list(input.shape)}")
    _floating_only(input, "GroupNormKernelImpl")
    return NativeGroupNorm.apply(input, weight, bias, num_groups, eps)


def instance_norm(input: Tensor, running_mean: Optional[Tensor] = None,
                  running_var: Optional[Tensor] = None, weight: Optional[Tensor] = None,
                  bias: Optional[Tensor] = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize each channel of each sample by its own statistics (``use_input_stats``) or
    by the running ones, then γ, β per channel — as torch computes it: batch norm of x seen
    as (1, N·C, …), with γ, β and the running statistics repeated N times; the running
    statistics then take the mean of their N updated copies."""
    from minitorch.nn.functional import batch_norm

    expect_tensor(input, "instance_norm")
    if use_input_stats and math.prod(input.shape[2:]) == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"{input.shape}")
    b, c = input.shape[0], input.shape[1]
    copies = [None if t is None else t.repeat(b)
              for t in (running_mean, running_var, weight, bias)]
    out = batch_norm(input.contiguous().view(1, b * c, *input.shape[2:]), *copies[:2],
                     *copies[2:], use_input_stats, momentum, eps)
    with no_grad():
        for stat, updated in zip((running_mean, running_var), copies):
            if stat is not None:
                stat.copy_(updated.view(b, c).mean(0))
    return out.view(input.shape)


# ------------------------------------------------------------------------ embedding
def _padding_index(padding_idx: Optional[int], num_embeddings: int) -> Optional[int]:
    """``padding_idx`` as a row number (a negative one counts from the end), checked."""
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx % num_embeddings


def embedding_renorm_(weight: Tensor, input: Tensor, max_norm: float,
                      norm_type: float = 2.0) -> Tensor:
    """In place, outside autograd: each row r of ``weight`` that ``input`` looks up with
    ‖w_r‖_p > max_norm is scaled by max_norm / (‖w_r‖_p + 1e-7)."""
    with no_grad():
        rows = input.reshape(-1).unique()
        picked = weight.index_select(0, rows)
        norms = picked.norm(norm_type, 1, keepdim=True)
        scale = where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight[rows] = picked * scale
    return weight


def embedding(input: Tensor, weight: Tensor, padding_idx: Optional[int] = None,
              max_norm: Optional[float] = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """y[..., :] = weight[input[...], :] (a row lookup, one ``EmbeddingBackward0`` node: the
    gradient adds each output row's gradient into its weight row). ``padding_idx``: that row gets no
    gradient; ``max_norm``: the looked-up rows are first renormalized in place
    (:func:`embedding_renorm_`); ``scale_grad_by_freq``: a row's gradient is divided by how
    often the batch looks it up. ``sparse`` is accepted; the gradient is dense."""
    expect_tensor(input, "embedding")
    padding_idx = _padding_index(padding_idx, weight.shape[0])
    if max_norm is not None:
        embedding_renorm_(weight, input, max_norm, norm_type)
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    if input.dtype not in INDEX_DTYPES:
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           "following scalar types: Long, Int; but got "
                           f"{input.type()} instead (while checking arguments for embedding)")
    flat = input.reshape(-1)
    if flat.numel() and (int(flat.min().item()) < 0 or
                         int(flat.max().item()) >= weight.shape[0]):
        raise IndexError("index out of range in self")
    _common_device([weight, input], "embedding")  # the indices go in as a raw array
    return Embedding.apply(weight, _index_array(input), padding_idx, scale_grad_by_freq)
