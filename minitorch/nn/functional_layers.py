"""Less common layers, with PyTorch's signatures and errors; the ones torch composes from
other ops are composed here the same way (so their graphs have torch's nodes), the others
call one op of :mod:`minitorch.autograd.ops.layers`. Exported by
:mod:`minitorch.nn.functional`.

    max_unpool2d        y[n, c, indices[n, c, k]] = x[n, c, k], 0 elsewhere
    lp_pool2d           (Σ_window x^p)^{1/p}  = (k_h·k_w · avg_pool2d(x^p))^{1/p}
    local_response_norm x / (k + α/n · Σ_{c' near c} x_{c'}²)^β    (n = size channels)
    bilinear            y[b, o] = x1[b]ᵀ W[o] x2[b] + bias[o]
    pdist               ‖x_i − x_j‖_p for every pair of rows i < j
    channel_shuffle     (N, g·k, *) → channels taken k-major: c·k + j → j·g + c
    alpha_dropout       keeps mean 0 and variance 1 of SELU activations: dropped elements
                        are set to −λα, then y = a·x' + b
    rrelu               x ≥ 0: x; else r·x, r ~ U(lower, upper) (training) or
                        (lower + upper)/2 (eval)
    gumbel_softmax      softmax((logits + g)/τ), g ~ Gumbel(0, 1); ``hard``: one-hot forward,
                        the soft gradient (straight-through)
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Optional, Sequence, Tuple

from minitorch import dtypes, shapes
from minitorch.autograd.function import _common_device
from minitorch.autograd.ops import layers as ops
from minitorch.backends import backend_for
from minitorch.foreign import expect_tensor
from minitorch.nn import functional as F
from minitorch.nn.functional_composed import _inplace_or_not, _kind
from minitorch.shapes import IntOrPair, ntuple
from minitorch.tensor import Tensor


# ----------------------------------------------------------------------------- unpooling
def _unpool_output_size(input: Tensor, kernel_size: Sequence[int], stride: Sequence[int],
                        padding: Sequence[int], output_size: Any) -> Tuple[int, ...]:
    """The default size ``(L − 1)·stride + kernel − 2·padding`` per spatial dim, or
    ``output_size`` (its last dims) if given, which must lie strictly within one stride of
    the default (torch's ``_unpool_output_size``)."""
    n = len(kernel_size)
    default = [(input.shape[input.ndim - n + d] - 1) * stride[d] + kernel_size[d] - 2 * padding[d]
               for d in range(n)]
    if output_size is None:
        return tuple(default)
    size = list(output_size)
    if len(size) == n + 2:
        size = size[2:]
    if len(size) != n:
        raise ValueError(f"output_size should be a sequence containing {n} or {n + 2} elements, "
                         f"but it has a length of '{len(size)}'")
    for d in range(n):
        low, high = default[d] - stride[d], default[d] + stride[d]
        if not low < size[d] < high:
            raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between '
                             f'{low} and {high})')
    return tuple(size)


def _unpool(input: Tensor, indices: Tensor, out_hw: Tuple[int, int]) -> Tensor:
    """torch's ``max_unpool2d`` op: checks, then one ``MaxUnpool2DBackward0`` node."""
    if indices.dtype is not dtypes.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: {_kind(indices)}")
    if input.ndim not in (3, 4):
        raise RuntimeError(f"Input to max_unpooling2d should be a 3d or 4d Tensor, but got a "
                           f"tensor with {input.ndim} dimensions.")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: "
                           f"{list(indices.shape)}")
    _common_device([input, indices], "max_unpool2d")
    flat = indices.reshape(-1)
    bad = ((flat < 0) | (flat >= out_hw[0] * out_hw[1])).nonzero()
    if bad.numel():
        raise RuntimeError(f"Found an invalid max index: {int(flat[int(bad[0, 0])])} (output "
                           f"volumes are of size {out_hw[0]}x{out_hw[1]})")
    return ops.MaxUnpool2d.apply(input, indices._data, out_hw)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: IntOrPair,
                 stride: Optional[IntOrPair] = None, padding: IntOrPair = 0,
                 output_size: Optional[Sequence[int]] = None) -> Tensor:
    """The partial inverse of :func:`max_pool2d`: each value goes back to the position its
    ``indices`` (from ``return_indices=True``) name in its (H_out, W_out) plane, every other
    position is 0. H_out = (H − 1)·stride − 2·padding + kernel, unless ``output_size``."""
    expect_tensor(input, "max_unpool2d")
    kernel = ntuple(kernel_size, "kernel_size", 2)
    step = kernel if stride is None else ntuple(stride, "stride", 2)
    size = _unpool_output_size(input, kernel, step, ntuple(padding, "padding", 2), output_size)
    return _unpool(input, indices, size)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size: IntOrPair,
                 stride: Optional[IntOrPair] = None, padding: IntOrPair = 0,
                 output_size: Optional[Sequence[int]] = None) -> Tensor:
    """:func:`max_unpool2d` of (N, C, L) or (C, L) input seen with a width of one, as torch
    computes it (unsqueeze, unpool, squeeze)."""
    expect_tensor(input, "max_unpool1d")
    kernel = ntuple(kernel_size, "kernel_size", 1)
    step = kernel if stride is None else ntuple(stride, "stride", 1)
    size = _unpool_output_size(input, kernel, step, ntuple(padding, "padding", 1), output_size)
    return _unpool(input.unsqueeze(-1), indices.unsqueeze(-1), size + (1,)).squeeze(-1)


# ------------------------------------------------------------------------ power-average
def _lp_from_average(out: Tensor, norm_type: float, window: int) -> Tensor:
    """(window · avg)^{1/p}, with torch's sign(avg)·relu(|avg|) in front."""
    return (out.sign() * F.relu(out.abs())).mul(window).pow(1.0 / norm_type)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: IntOrPair,
              stride: Optional[IntOrPair] = None, ceil_mode: bool = False) -> Tensor:
    """y = (Σ_window x^p)^{1/p} over (kh, kw) windows, no padding; p = ±inf: the max (min)
    of |x|, by max pooling."""
    expect_tensor(input, "lp_pool2d")
    kw, kh = ntuple(kernel_size, "kernel_size", 2)
    if norm_type == math.inf:
        return F.max_pool2d(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -math.inf:
        return -F.max_pool2d(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    out = F.avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _lp_from_average(out, norm_type, kw * kh)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int,
              stride: Optional[IntOrPair] = None, ceil_mode: bool = False) -> Tensor:
    """:func:`lp_pool2d` over windows of ``kernel_size`` along the last dim."""
    expect_tensor(input, "lp_pool1d")
    if norm_type == math.inf:
        return F.max_pool1d(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -math.inf:
        return -F.max_pool1d(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    out = F.avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _lp_from_average(out, norm_type, kernel_size)


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """y = x / (k + α · mean_{c'} x_{c'}²)^β, the mean over the ``size`` channels around c
    (⌊size/2⌋ before, ⌊(size−1)/2⌋ after, zeros beyond the edges), at every position:
    x² seen as (N, 1, C, rest), zero-padded along C, averaged by (size, 1) windows. torch
    runs 4-D and larger input through avg_pool3d; the values are the same."""
    expect_tensor(input, "local_response_norm")
    dim = input.ndim
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          "
                         f"input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    div = input.mul(input)
    div = div.unsqueeze(1) if dim == 3 else div.view(input.shape[0], 1, input.shape[1], -1)
    div = F.pad(div, (0, 0, size // 2, (size - 1) // 2))
    div = F.avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    if dim > 3:
        div = div.view(input.shape)
    return input / div.mul(alpha).add(k).pow(beta)


# ------------------------------------------------------------------------ bilinear, pdist
def _c_name(t: Tensor) -> str:
    """The C type name torch's messages give a dtype (float, double, long, ...)."""
    return {"float64": "double", "float32": "float", "int64": "long"}.get(t.dtype.name,
                                                                          t.dtype.name)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor,
             bias: Optional[Tensor] = None) -> Tensor:
    """y[..., o] = Σ_{i,j} input1[..., i] · weight[o, i, j] · input2[..., j] + bias[o]:
    the batch dims flattened, one ``TrilinearBackward0`` node, viewed back (as torch)."""
    expect_tensor(input1, "bilinear")
    if input1.ndim != input2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.ndim} and "
                           f"{input2.ndim}")
    for i in range(input1.ndim - 1):
        if input1.shape[i] != input2.shape[i]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: "
                               f"got {input1.shape[i]} and {input2.shape[i]}")
    for name, got, want in (("input1", input1.shape[-1], weight.shape[1]),
                            ("input2", input2.shape[-1], weight.shape[2])):
        if got != want:
            raise RuntimeError(f"bilinear(): {name} size does not match weight size: got {got} "
                               f"but expected {want}")
    if bias is not None and bias.shape[0] != weight.shape[0]:
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got "
                           f"{bias.shape[0]} but expected {weight.shape[0]}")
    if not input1.dtype == input2.dtype == weight.dtype:
        raise RuntimeError(f"All tensors must have the same dtype, got input1: "
                           f"{_c_name(input1)}, input2: {_c_name(input2)}, weight: "
                           f"{_c_name(weight)}")
    x1 = input1.reshape(-1, input1.shape[-1])
    x2 = input2.reshape(-1, input2.shape[-1])
    y = ops.Trilinear.apply(x1, weight, x2).reshape(*input1.shape[:-1], weight.shape[0])
    return y if bias is None else y + bias


def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """‖x_i − x_j‖_p for every pair of rows i < j of (N, M) input, in row-major order: the
    upper triangle of ``cdist(x, x)`` without its diagonal, N·(N − 1)/2 values."""
    expect_tensor(input, "pdist")
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if not input.dtype.is_floating_point:
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    return ops.Pdist.apply(input, float(p))


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """Split the C channels into ``groups`` groups of C/g and interleave them: (N, g, C/g, *)
    transposed to (N, C/g, g, *), flattened back to (N, C, *)."""
    expect_tensor(input, "channel_shuffle")
    if input.ndim <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {list(input.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    if input.shape[1] % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got "
                           f"{input.shape[1]} channels and {groups} groups.")
    return ops.ChannelShuffle.apply(input, groups)


native_channel_shuffle = channel_shuffle


# ------------------------------------------------------------------- randomized layers
def _keep(x: Tensor, p: float, shape: Sequence[int]) -> Tensor:
    """A Bernoulli(1 − p) mask of 0s and 1s of ``shape``, in x's dtype on x's device."""
    return F._dropout_mask(x, p, shape, scale=1.0)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input: one Bernoulli draw per
    channel, kept channels scaled by 1/(1 − p). Unbatched input gets a batch dim of one
    around the op, as in torch."""
    shapes.check_dropout_p(p)
    if input.ndim not in (4, 5):
        warnings.warn(f"dropout3d: Received a {input.ndim}-D input to dropout3d, which is "
                      "deprecated and will result in an error in a future release. To retain "
                      "the behavior and silence this warning, please use dropout instead. Note "
                      "that dropout3d exists to provide channel-wise dropout on inputs with 3 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension "
                      "(i.e. 4D or 5D inputs).", stacklevel=2)
    batched = input.ndim == 5
    x = input if batched else (input.unsqueeze_(0) if inplace else input.unsqueeze(0))
    y = _feature_dropout(x, p, training, inplace)
    return y if batched else (y.squeeze_(0) if inplace else y.squeeze(0))


def _feature_dropout(x: Tensor, p: float, training: bool, inplace: bool) -> Tensor:
    """torch's ``feature_dropout``: one draw per (n, c), scaled by 1/(1 − p)."""
    if not training or p == 0 or x.numel() == 0:
        return x
    if x.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    F._float_mask_fits(x)
    shape = tuple(x.shape[:2]) + (1,) * (x.ndim - 2)
    return F._apply_mask(x, F._dropout_mask(x, p, shape), inplace)


SELU_ALPHA_SCALE = 1.7580993408473766  # λ·α of SELU: the value a dropped element takes is −λα


def _alpha_dropout(input: Tensor, p: float, training: bool, inplace: bool,
                   feature: bool) -> Tensor:
    """torch's ``_dropout_impl`` with alpha: keep ~ Bernoulli(1 − p) (per element, or per
    (n, c) if ``feature``); a = 1/√((λα²·p + 1)(1 − p)), b = (keep − 1)·λα·a + λα·a·p;
    y = x·(keep·a) + b, so a dropped element is a·(−λα) + λα·a·p and unit-variance SELU
    activations keep mean 0 and variance 1."""
    shapes.check_dropout_p(p)
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        zero = input.new_zeros(())
        return input.mul_(zero) if inplace else input * zero
    if feature and input.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2) if feature else input.shape
    keep = _keep(input, p, shape)
    a = 1.0 / math.sqrt((SELU_ALPHA_SCALE ** 2 * p + 1) * (1 - p))
    b = (keep - 1) * (SELU_ALPHA_SCALE * a) + SELU_ALPHA_SCALE * a * p
    if inplace:
        return input.mul_(keep * a).add_(b)
    return input * (keep * a) + b


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """Dropout for SELU networks: see :func:`_alpha_dropout` (per element)."""
    return _alpha_dropout(input, p, training, inplace, feature=False)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:
    """Alpha dropout of whole channels: one draw per (n, c) (see :func:`_alpha_dropout`)."""
    return _alpha_dropout(input, p, training, inplace, feature=True)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
          training: bool = False, inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU: x where x > 0 (training: x > 0 or NaN), else r·x with r drawn
    from U(lower, upper) per element in training, (lower + upper)/2 in eval. One
    ``RreluWithNoiseBackward0`` node; the gradient is the slope each element got."""
    expect_tensor(input, "rrelu")
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if not input.dtype.is_floating_point:
        kernel = "rrelu_with_noise_out_cpu" if training else "leaky_relu_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_kind(input)}'")
    from minitorch.random import rng

    xp = backend_for(input.device.type).xp
    x = input._data
    if training:
        slopes = xp.asarray(rng(None).uniform(lower, upper, tuple(input.shape)), dtype=x.dtype)
        noise = xp.where(x <= 0, slopes, xp.ones((), dtype=x.dtype))
    else:
        noise = xp.where(x > 0, xp.ones((), dtype=x.dtype),
                         xp.asarray((lower + upper) / 2, dtype=x.dtype))
    return _inplace_or_not(ops.RreluWithNoise, input, inplace, noise)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Tensor:
    """:func:`rrelu` in place."""
    return rrelu(input, lower, upper, training, inplace=True)


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """A sample of the relaxed categorical distribution: softmax((logits + g)/τ) along
    ``dim`` with g = −log(E), E ~ Exp(1) (Gumbel(0, 1) noise). ``hard``: the one-hot of its
    argmax in the forward, the soft sample's gradient (y_hard − y_soft.detach() + y_soft)."""
    from minitorch.creation import empty_like, zeros_like

    expect_tensor(logits, "gumbel_softmax")
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -empty_like(logits).exponential_().log()
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft
