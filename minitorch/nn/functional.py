"""``minitorch.nn.functional``: the layers as functions, with PyTorch's signatures.

Each function checks its arguments once (:mod:`minitorch.shapes`, shared by all backends),
turns unbatched input into a batch of one, and calls one autograd op.
"""

from __future__ import annotations

import math
from typing import Any, Optional, Sequence, Union

import numpy as np

from minitorch import shapes
from minitorch.autograd.function import _common_device
from minitorch.autograd.grad_mode import is_grad_enabled
from minitorch.autograd.ops import linalg
from minitorch.autograd.ops import loss as loss_ops
from minitorch.autograd.ops import nn as ops
from minitorch.autograd.ops import normalization as norm_ops
from minitorch.autograd.ops.nn import require_floating as _floating
from minitorch.autograd.ops.nn import softmax_dim
from minitorch.autograd.ops.shape import NamedView, Pad, T
from minitorch.backends import backend_for
from minitorch.backends.base import mean_denominator
from minitorch.backends.cuda.graphs import is_current_stream_capturing
from minitorch.foreign import expect_tensor
from minitorch.fperrors import quiet
from minitorch.nn.functional_composed import _maybe_inplace
from minitorch.tensor import Tensor

IntOrPair = Union[int, Sequence[int]]


def _image(x: Tensor, op: str) -> Tensor:
    """``x`` after the checks of an image input: a Tensor, (C, H, W) or (N, C, H, W)."""
    expect_tensor(x, op)
    shapes.check_image_input(x.shape, op)
    return x


def _batched(x: Tensor, op: str) -> tuple:
    """(N, C, H, W) input and whether it was unbatched (C, H, W)."""
    x = _image(x, op)
    return (x.unsqueeze(0), True) if x.ndim == 3 else (x, False)


def _same_dtype(x: Tensor, other: Optional[Tensor], what: str) -> None:
    if other is not None and other.dtype != x.dtype:
        raise RuntimeError(f"Input type ({x.type_description().split(' ')[0]}) and {what} type "
                           f"({other.type_description().split(' ')[0]}) should be the same")


# ---------------------------------------------------------------------------- convolution
def conv2d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None,
           stride: IntOrPair = 1, padding: Union[str, IntOrPair] = 0,
           dilation: IntOrPair = 1, groups: int = 1) -> Tensor:
    """2-D cross-correlation (no kernel flip, as in deep learning)::

        out[n, o, i, j] = bias[o]
            + Σ_{c,p,q} input_pad[n, c, i·sh + p·dh, j·sw + q·dw] · weight[o, c, p, q]

    output size: ``floor((H + 2·padding - dilation·(k - 1) - 1) / stride) + 1``."""
    x, unbatched = _batched(input, "conv2d")
    expect_tensor(weight, "conv2d", "weight", 2)
    if bias is not None:
        expect_tensor(bias, "conv2d", "bias", 3)
    y = _convolve(x, weight, bias, x.shape, weight.shape, stride, padding, dilation, groups)
    return y.squeeze(0) if unbatched else y


def _convolve(x: Tensor, weight: Tensor, bias: Optional[Tensor], x_shape: Sequence[int],
              w_shape: Sequence[int], stride: IntOrPair, padding: Union[str, IntOrPair],
              dilation: IntOrPair, groups: int) -> Tensor:
    """One convolution node (ConvolutionBackward0) after torch's checks on the 4-D shapes
    ``x_shape`` and ``w_shape`` — those of x and weight, or (conv1d) of (N, C, L) and
    (O, C, k) seen with a height of one."""
    _floating(x, "conv2d")
    _same_dtype(x, weight, "weight")
    _same_dtype(x, bias, "bias")
    stride_hw, quad, dilation_hw, out_hw = shapes.check_conv2d(
        x_shape, w_shape, None if bias is None else bias.shape, stride, padding, dilation,
        groups)
    return ops.Conv2d.apply(x, weight, bias, stride_hw, quad, dilation_hw, groups, out_hw)


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant",
        value: Optional[float] = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims; ``pad = (left, right, top, bottom, ...)``."""
    if len(pad) % 2:
        raise RuntimeError(f"Padding length must be divisible by 2 (got pad={list(pad)})")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of "
                           f"dimension {input.ndim}")
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unsupported padding mode: {mode}")
    shapes.pad_pairs(pad, input.shape, mode)
    fill = 0.0 if value is None else value
    grow = tuple(max(int(p), 0) for p in pad)
    if min(pad, default=0) >= 0:
        return Pad.apply(input, grow, mode, fill)
    if mode == "circular":  # negative pads crop first; the positive ones wrap what is left
        out = [n + pad[2 * (input.ndim - 1 - d)] + pad[2 * (input.ndim - 1 - d) + 1]
               if input.ndim - 1 - d < len(pad) // 2 else n for d, n in enumerate(input.shape)]
        if 0 in out:  # nothing to wrap: an empty result of the padded shape
            return input.reshape(-1)[:0].reshape(out)
        x = input[_crop(input.shape, pad, grown=False)]
        return Pad.apply(x, grow, mode, fill) if any(grow) else x
    return Pad.apply(input, grow, mode, fill)[_crop(input.shape, pad, grown=True)]


def _crop(shape: Sequence[int], pad: Sequence[int], grown: bool) -> tuple:
    """The index that removes what negative pads take off each padded dim (of the input, or
    of the input already grown by the positive pads)."""
    index = [slice(None)] * len(shape)
    for i in range(len(pad) // 2):
        before, after = pad[2 * i], pad[2 * i + 1]
        size = shape[len(shape) - 1 - i] + (max(before, 0) + max(after, 0) if grown else 0)
        index[len(shape) - 1 - i] = slice(max(-before, 0), size - max(-after, 0))
    return tuple(index)


# -------------------------------------------------------------------------------- pooling
def max_pool2d(input: Tensor, kernel_size: IntOrPair, stride: Optional[IntOrPair] = None,
               padding: IntOrPair = 0, dilation: IntOrPair = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """out[n, c, i, j] = max_{p,q} input_pad[n, c, i·sh + p·dh, j·sw + q·dw] (pad = -inf).
    With ``return_indices`` also the flat index ``h·W + w`` of each maximum."""
    x = _image(input, "max_pool2d")  # (C, H, W) too: one node, as torch's
    if x.dtype.name == "bool":
        raise NotImplementedError("\"max_pool2d\" not implemented for 'Bool'")
    k, s, p, d, out_hw = shapes.check_pool(x.shape, kernel_size, stride, padding, dilation,
                                             ceil_mode)
    shapes.check_max_pool_padding(k, p)
    y, indices = ops.MaxPool2d.apply(x, k, s, p, d, out_hw)
    return (y, indices) if return_indices else y


def avg_pool2d(input: Tensor, kernel_size: IntOrPair, stride: Optional[IntOrPair] = None,
               padding: IntOrPair = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: Optional[int] = None) -> Tensor:
    """out[n, c, i, j] = Σ_window input_pad / divisor (PyTorch's divisor rule)."""
    if isinstance(input, Tensor) and input.ndim < 3:  # torch fails while indexing dim -3
        bound = max(input.ndim, 1)
        raise IndexError(f"Dimension out of range (expected to be in range of [{-bound}, "
                         f"{bound - 1}], but got -3): avg_pool2d expects a 3D (C, H, W) or 4D "
                         f"(N, C, H, W) input, got input of size {list(input.shape)}")
    x = _image(input, "avg_pool2d")  # (C, H, W) too: one node, as torch's
    _floating(x, "avg_pool2d")
    shapes.check_divisor_override(divisor_override)
    k, s, p, _, out_hw = shapes.check_pool(x.shape, kernel_size, stride, padding, 1,
                                             ceil_mode)
    return ops.AvgPool2d.apply(x, k, s, p, out_hw, count_include_pad, divisor_override)


# ---------------------------------------------------------------------------- activations
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0)."""
    expect_tensor(input, "relu")
    if input.dtype.name == "bool":
        raise RuntimeError("Boolean inputs not supported for relu")
    return _maybe_inplace(input, ops.Relu.apply(input), inplace)


def tanh(input: Tensor) -> Tensor:
    """(eˣ - e⁻ˣ) / (eˣ + e⁻ˣ). Integer input gives the default float dtype, as in torch."""
    expect_tensor(input, "tanh")
    return ops.Tanh.apply(input._floating())


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + e⁻ˣ). Integer input gives the default float dtype, as in torch."""
    expect_tensor(input, "sigmoid")
    return ops.Sigmoid.apply(input._floating())


def softmax(input: Tensor, dim: Optional[int] = None, dtype: Any = None) -> Tensor:
    """e^{x_i} / Σ_j e^{x_j} along ``dim``."""
    expect_tensor(input, "softmax")
    x = input.to(dtype) if dtype is not None else input
    return ops.Softmax.apply(x, _softmax_dim(x, dim, "softmax"))


def log_softmax(input: Tensor, dim: Optional[int] = None, dtype: Any = None) -> Tensor:
    """x_i - log Σ_j e^{x_j} along ``dim``."""
    expect_tensor(input, "log_softmax")
    x = input.to(dtype) if dtype is not None else input
    return ops.LogSoftmax.apply(x, _softmax_dim(x, dim, "log_softmax"))


def _softmax_dim(x: Tensor, dim: Optional[int], name: str) -> int:
    """The softmax dim; an implicit one (None) warns as torch's functional does."""
    if dim is None:
        import warnings

        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the "
                      "call to include dim=X as an argument.", stacklevel=3)
    return softmax_dim(x, dim, name)


# --------------------------------------------------------------------------------- linear
def linear(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None) -> Tensor:
    """y = x Wᵀ + b over the last dim of x."""
    expect_tensor(input, "linear")
    expect_tensor(weight, "linear", "weight", 2)
    if bias is not None:
        expect_tensor(bias, "linear", "bias", 3)
    if input.ndim == 0 or weight.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are "
                           f"{input.ndim}D and {weight.ndim}D")
    if weight.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{weight.ndim}D (weight of size {list(weight.shape)})")
    _same_dtype(input, weight, "weight")
    _same_dtype(input, bias, "bias")
    # torch takes its fused path, addmm(bias, x viewed as (rows, in), Wᵀ), for a 2-D input, or
    # for a contiguous input with a contiguous bias that squeezes to one dim; there the bias
    # must expand to (rows, out), not to the output's shape, and Wᵀ must be a matrix
    vector_like = bias is not None and (bias.ndim == 1 or sum(d != 1 for d in bias.shape) == 1)
    fused = bias is not None and (input.ndim == 2 or (
        vector_like and input.is_contiguous() and bias.is_contiguous()))
    if weight.ndim == 1 and fused:
        raise RuntimeError(f"mat2 must be a matrix, got 1-D tensor (weight of size "
                           f"{list(weight.shape)} with a bias)")
    if weight.ndim == 1 or (bias is not None and tuple(bias.shape) != (weight.shape[0],)):
        from minitorch.tensor import matmul

        if fused:
            rows = math.prod(input.shape[:-1])
            y = matmul(input.reshape(rows, input.shape[-1]), weight.t())
            y = y + bias.expand(y.shape)
            return y if input.ndim == 2 else y.view(tuple(input.shape[:-1]) + (y.shape[-1],))
        # torch's general path: x @ Wᵀ, then y.add_(bias) — the bias must broadcast to the
        # output's shape without growing it (add_'s two errors)
        y = matmul(input, weight.t())
        if bias is None:
            return y
        shape = shapes.broadcast_shapes(y.shape, bias.shape)
        if tuple(shape) != tuple(y.shape):
            raise RuntimeError(f"output with shape {list(y.shape)} doesn't match the "
                               f"broadcast shape {list(shape)}")
        return y + bias
    if input.shape[-1] != weight.shape[1]:
        rows = input.numel() // max(input.shape[-1], 1) if input.ndim else 1
        w_shape = weight.shape if weight.ndim == 2 else (weight.shape + (1,))
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                           f"({rows}x{input.shape[-1] if input.ndim else 1} and "
                           f"{w_shape[1]}x{w_shape[0]})")
    _common_device([t for t in (input, weight, bias) if t is not None], "addmm")
    # torch's graph has a TBackward0 node for Wᵀ; with nothing to record (no_grad, or a
    # frozen weight) the transposed view is all Linear needs
    wt = T.apply(weight) if weight.requires_grad and is_grad_enabled() else \
        Tensor._wrap(weight._data.T)
    if input.ndim == 2:  # torch's graph: addmm(bias, x, wᵀ) or mm(x, wᵀ)
        return linalg.Linear.apply(bias, input, wt) if bias is not None else \
            linalg.Linear.apply(input, wt)
    # other ranks are viewed as a matrix and back, under the names torch's views show
    into, out = (("ViewBackward0", "ViewBackward0") if bias is not None else
                 ("UnsqueezeBackward0", "SqueezeBackward4") if input.ndim == 1 else
                 ("ViewBackward0", "UnsafeViewBackward0"))
    rows = math.prod(input.shape[:-1])  # not -1: it cannot be inferred when in_features = 0
    x = NamedView.apply(input, (rows, input.shape[-1]), node=into)
    y = linalg.Linear.apply(bias, x, wt) if bias is not None else linalg.Linear.apply(x, wt)
    return NamedView.apply(y, tuple(input.shape[:-1]) + (weight.shape[0],), node=out)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    return input.flatten(start_dim, end_dim)


# --------------------------------------------------------------------------------- losses
def _reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    """``reduction``, or what the legacy ``size_average`` / ``reduce`` say; checked."""
    return shapes.check_reduction(shapes.legacy_reduction(size_average, reduce, reduction))


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _check_target(input: Tensor, target: Tensor, weight: Optional[Tensor],
                  ignore_index: int, kernel_checks: bool = False) -> tuple:
    """Move the class dim last and flatten: (N, C, d1, ...) → (N·d1·…, C); validate target.
    ``kernel_checks``: the CUDA kernel checks the target itself (a device-side error flag), so
    a GPU target is not copied to the host here — that would wait for the GPU."""
    expect_tensor(target, "cross_entropy", "target", 2)
    xd, td = input._data, target._data  # shapes read off the arrays: this runs every step
    if xd.ndim == 0:
        raise RuntimeError("Expected input to have at least 1 dimension (the class dimension), "
                           "but got input of size []")
    if td.dtype != np.int64:
        if td.dtype != np.uint8:
            why = (f" (target of size {list(target.shape)}; a floating target means class "
                   f"probabilities and must have the input's size {list(input.shape)})"
                   if td.dtype.kind in "fb" else "")
            raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                               f"{target.dtype.kind}{why}")
        target = target.long()
        td = target._data
    if type(xd) is not type(td) and input.device != target.device:
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least "
                           f"two devices, {input.device} and {target.device}!")
    _same_dtype(input, weight, "weight")
    unbatched = xd.ndim == 1
    if unbatched and td.ndim == 1 and td.shape[0] != 1:
        raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: "
                         f"{td.shape[0]}")
    x = input.unsqueeze(0) if unbatched else input
    t = target.unsqueeze(0) if unbatched and td.ndim == 0 else target
    xs, ts = x._data.shape, t._data.shape
    if not ts or xs[0] != ts[0]:
        raise ValueError(f"Expected input batch_size ({xs[0]}) to match target "
                         f"batch_size ({ts[0] if ts else 0}).")
    if xs[2:] != ts[1:]:
        raise RuntimeError(f"only batches of spatial targets supported (3D tensors) but got "
                           f"targets of size: : {list(target.shape)}")
    c = xs[1]
    if c == 0 and len(xs) > 2 and t.numel():  # torch's spatial kernel refuses this
        raise RuntimeError(f"size mismatch (got input: {list(x.shape)}, target: "
                           f"{list(t.shape)}): zero classes with spatial dimensions")
    if weight is not None and tuple(weight.shape) != (c,):
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no "
                           f"classes but got weight tensor of shape: {list(weight.shape)}")
    if len(xs) > 2:  # not reshape(-1, c): with c = 0 the -1 cannot be inferred
        x = x.permute(0, *range(2, x.ndim), 1).reshape(t.numel(), c)
        t = t.reshape(-1)
    # On a GPU, and inside a graph capture (where a host read is refused), the kernel checks
    # the targets and raises its device-side error flag instead.
    on_host = isinstance(t._data, np.ndarray)
    if not (kernel_checks and (not on_host or is_current_stream_capturing())):
        raw = t._data if on_host else t.detach().cpu()._data
        # one reduction when all are fine: read as unsigned, a negative target is huge
        unsigned = raw.view(f"u{raw.itemsize}") if raw.dtype.kind == "i" else raw
        if raw.size and unsigned.max() >= c:
            bad = (raw != ignore_index) & ((raw < 0) | (raw >= c))
            if bad.any():
                raise IndexError(f"Target {int(raw[bad][0])} is out of bounds.")
    return x, t, c, target.shape if not unbatched else tuple(target.shape)


def cross_entropy(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                  size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """-Σ_c q_c log softmax(x)_c with q the (smoothed) one-hot target, weighted per class.

    ``reduction="mean"`` divides by Σ w[target] over the non-ignored samples (PyTorch)."""
    if label_smoothing > 1.0:  # torch checks only the upper bound
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing}")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    expect_tensor(input, "cross_entropy")
    _floating(input, "log_softmax")
    label_smoothing = max(float(label_smoothing), 0.0)  # torch: a negative value means none
    if isinstance(target, Tensor) and input.ndim > 0 and \
            target._data.shape == input._data.shape:  # torch: class probabilities
        if not target.dtype.is_floating_point:
            kind = target.type_description().split('.')[-1].split('Tensor')[0]
            raise RuntimeError(f"Expected floating point type for target with class "
                               f"probabilities, got {kind} (input and target of size "
                               f"{list(input.shape)})")
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing)
    x, t, c, out_shape = _check_target(input, target, weight, ignore_index, kernel_checks=True)
    w_raw = None if weight is None else weight._to(x.dtype, None)._data
    # "mean": the backend divides by Σ w[target] over the kept samples (NaN where that is 0
    # and label_smoothing ≠ 0: torch's (1-ε)·(0/0) + ε·(Σ/0), the NaN wins over the inf)
    loss = ops.CrossEntropy.apply(x, t._data, w_raw, ignore_index, label_smoothing, reduction,
                                  input.ndim > 2)
    if reduction == "none" and tuple(loss.shape) != tuple(out_shape):  # (N, d1, ...) targets
        return loss.reshape(out_shape)
    return loss


def _cross_entropy_probs(input: Tensor, target: Tensor, weight: Optional[Tensor],
                         reduction: str, label_smoothing: float) -> Tensor:
    """Class-probability targets (same shape as the input):
    loss = -Σ_c w_c·q_c·log_softmax(x)_c with q = (1-ε)·target + ε/C; "mean" divides by the
    number of samples (torch ignores the weights there)."""
    class_dim = 0 if input.ndim == 1 else 1
    c = input.shape[class_dim]
    if weight is not None and tuple(weight.shape) != (c,):
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no "
                           f"classes but got weight tensor of shape: {list(weight.shape)}")
    _same_dtype(input, weight, "weight")
    q = target if label_smoothing == 0 else target * (1 - label_smoothing) + label_smoothing / c
    terms = log_softmax(input, class_dim) * q
    if weight is not None:
        terms = terms * weight.reshape((c,) + (1,) * (input.ndim - class_dim - 1))
    losses = -terms.sum(class_dim)
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    return losses.mean()


def _mean_denominator(t: Tensor, weight: Optional[Tensor], ignore_index: int,
                      like: Tensor) -> Any:
    """Σ_{n not ignored} w[target[n]] — the count of kept samples when there is no weight —
    as a 0-d array of ``like``'s dtype on its device
    (:func:`minitorch.backends.base.mean_denominator`)."""
    w = None if weight is None else weight.detach()._to(like.dtype, None)._data
    return mean_denominator(backend_for(like.device.type).xp, t._data, w, ignore_index,
                            like._data.dtype)


def nll_loss(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
             size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
             reduction: str = "mean") -> Tensor:
    """-w[t]·input[n, t] per sample, from log-probabilities ``input`` (one NllLossBackward0
    node); "mean" divides by Σ w[t] over the samples not ignored."""
    reduction = _reduction(size_average, reduce, reduction)
    _floating(input, "nll_loss")
    x, t, c, out_shape = _check_target(input, target, weight, ignore_index)
    w_raw = None if weight is None else weight.detach()._to(x.dtype, None)._data
    denominator = _mean_denominator(t, weight, ignore_index, x) if reduction == "mean" \
        else None
    fused_shape = tuple(out_shape) if input.ndim in (1, 2, 4) else None  # torch's graph
    loss = loss_ops.NllLoss.apply(x, t._data, w_raw, ignore_index, reduction, denominator,
                                  input.ndim > 2, fused_shape)
    if reduction == "none" and tuple(loss.shape) != tuple(out_shape):
        return loss.reshape(out_shape)
    return loss


def _tensor_args(op: str, input: Tensor, target: Tensor) -> None:
    for position, (name, value) in enumerate((("input", input), ("target", target)), 1):
        if not isinstance(value, Tensor):
            raise TypeError(f"{op}(): argument '{name}' (position {position}) must be Tensor, "
                            f"not {type(value).__name__}")


def _pointwise_args(op: str, input: Tensor, target: Tensor) -> None:
    _tensor_args(op, input, target)
    shapes.warn_target_size(input.shape, target.shape)


def _weighted(loss: Tensor, weight: Optional[Tensor], input: Tensor, reduction: str,
              mean_by_weight: bool) -> Tensor:
    """torch's weighted pointwise losses: w·ℓ, reduced; "mean" divides by Σw
    (``mean_by_weight``) or by the element count."""
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "mean" and mean_by_weight:
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


def mse_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
             reduction: str = "mean", weight: Optional[Tensor] = None) -> Tensor:
    """(input - target)², reduced: one ``MseLossBackward0`` node."""
    _pointwise_args("mse_loss", input, target)
    reduction = shapes.legacy_reduction(size_average, reduce, reduction)
    _floating(input, "mse_cpu")
    if weight is not None:
        return _weighted((input - target) ** 2, weight, input, reduction, True)
    return loss_ops.MseLoss.apply(input, target, shapes.check_reduction(reduction))


def l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
            reduction: str = "mean", weight: Optional[Tensor] = None) -> Tensor:
    """|input - target|, reduced (torch builds it from sub, abs and mean/sum too)."""
    _pointwise_args("l1_loss", input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if weight is not None:
        return _weighted((input - target).abs(), weight, input, reduction, True)
    return _reduce((input - target).abs(), reduction)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """½ d²/β where |d| < β, |d| - ½β elsewhere (d = input - target); β = 0 is l1_loss."""
    _pointwise_args("smooth_l1_loss", input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return _reduce((input - target).abs(), reduction)
    _floating(input, "smooth_l1_cpu")
    return loss_ops.SmoothL1Loss.apply(input, target, reduction, float(beta))


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Optional[Tensor] = None) -> Tensor:
    """½ d² where |d| < δ, δ(|d| - ½δ) elsewhere (d = input - target)."""
    _pointwise_args("huber_loss", input, target)
    shapes.check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _floating(input, "huber_cpu")
    if weight is not None:
        return _weighted(loss_ops.HuberLoss.apply(input, target, "none", float(delta)), weight,
                         input, reduction, False)
    return loss_ops.HuberLoss.apply(input, target, reduction, float(delta))


def _broadcast_weight(weight: Optional[Tensor], input: Tensor, what: str,
                      arg: str = "weight", expand: bool = False) -> Any:
    """A weight (``arg``) as a raw array that broadcasts against the input (no gradient);
    ``expand``: torch expands it to the input's shape first (binary_cross_entropy)."""
    if weight is None:
        return None
    if weight.requires_grad:
        raise RuntimeError(f"The function '{what}' is not differentiable with respect to "
                           f"argument '{arg}'. This input cannot have requires_grad True.")
    shapes.check_loss_weight(weight.shape, input.shape, expand)
    return weight.detach()._to(input.dtype, None)._data


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                         size_average: Any = None, reduce: Any = None,
                         reduction: str = "mean") -> Tensor:
    """-w (t log x + (1 - t) log(1 - x)), each log clamped at -100, reduced."""
    _tensor_args("binary_cross_entropy", input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({shapes._size(target.shape)}) that is "
                         f"different to the input size ({shapes._size(input.shape)}) is "
                         "deprecated. Please ensure they have the same size.")
    _floating(input, "binary_cross_entropy")
    raw = input._data
    if input.numel() and bool(((raw < 0) | (raw > 1)).any()):
        raise RuntimeError("all elements of input should be between 0 and 1")
    w = _broadcast_weight(weight, input, "binary_cross_entropy", expand=True)
    return loss_ops.BinaryCrossEntropy.apply(input, target._to(input.dtype, None), w,
                                             reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Optional[Tensor] = None, size_average: Any = None,
                                     reduce: Any = None, reduction: str = "mean",
                                     pos_weight: Optional[Tensor] = None) -> Tensor:
    """BCE on σ(input), computed stably from the logits; ``pos_weight`` scales the positive
    term: ℓ = w((1 - t)x - (1 + (p - 1)t) log σ(x))."""
    _tensor_args("binary_cross_entropy_with_logits", input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({shapes._size(target.shape)}) must be the same as "
                         f"input size ({shapes._size(input.shape)})")
    _floating(input, "binary_cross_entropy_with_logits")
    what = "binary_cross_entropy_with_logits"
    w = _broadcast_weight(weight, input, what)
    pw = _broadcast_weight(pos_weight, input, what, "pos_weight")
    return loss_ops.BinaryCrossEntropyWithLogits.apply(input, target._to(input.dtype, None), w,
                                                       pw, reduction)


def kl_div(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """KL(target ‖ exp(input)) pointwise, ``input`` being log-probabilities::

        ℓ = t (log t - x)            (xlogy: 0 where t = 0)
        ℓ = eᵗ (t - x)               (log_target: t holds log-probabilities)

    "batchmean" divides Σℓ by the batch size (the true KL divergence per sample); "mean"
    divides by the element count and warns, as torch does. Built from elementwise ops, as
    torch builds it."""
    _tensor_args("kl_div", input, target)
    if size_average is not None or reduce is not None:
        reduction = shapes.legacy_reduction(size_average, reduce, reduction)
    else:
        shapes.check_reduction(reduction, ("batchmean",))
        if reduction == "mean":
            import warnings

            warnings.warn("reduction: 'mean' divides the total loss by both the batch size "
                          "and the support size.'batchmean' divides only by the batch size, "
                          "and aligns with the KL div math definition.'mean' will be changed "
                          "to behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = _xlogx(target) - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.ndim else total
    return _reduce(loss, reduction)


def _xlogx(t: Tensor) -> Tensor:
    """t · log t, taken as 0 where t = 0 (torch's xlogy(t, t))."""
    if not t.requires_grad:
        xp = backend_for(t.device.type).xp
        raw = t._data
        with quiet():  # 0 · log 0 = 0 · -inf: masked out
            return Tensor._wrap(xp.where(raw == 0, 0, raw * xp.log(raw)).astype(raw.dtype))
    from minitorch.functions import where

    return where(t == 0, 0.0, t * t.log())  # the gradient at t = 0 is nan, as torch's


# -------------------------------------------------------------------------- normalization
def batch_norm(input: Tensor, running_mean: Optional[Tensor], running_var: Optional[Tensor],
               weight: Optional[Tensor] = None, bias: Optional[Tensor] = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize each channel (dim 1) by the batch's statistics (``training``) or by the
    running ones, then scale by ``weight`` and shift by ``bias``. In training the running
    statistics, when given, are updated in place with ``momentum`` (unbiased variance).
    One ``NativeBatchNormBackward0`` node; see :mod:`minitorch.autograd.ops.normalization`."""
    if training:
        shapes.check_batch_norm_batch(input.shape)
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    _floating(input, "batch_norm")
    c = input.shape[1] if input.ndim > 1 else 0
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("running_mean must be defined in evaluation mode")
    stats = []
    for t in (running_mean, running_var):
        if t is not None and training:
            t._vc[0] += 1  # updated in place below
        stats.append(None if t is None else t._data)
    args = (*stats, bool(training), float(momentum), float(eps))
    return norm_ops.NativeBatchNorm.apply(input, weight, bias, *args)


# -------------------------------------------------------------------------------- dropout
def _dropout_mask(x: Tensor, p: float, shape: Sequence[int],
                  scale: Optional[float] = None) -> Tensor:
    """Bernoulli(1 - p) keep-mask of ``shape``, scaled by ``scale`` (default 1/(1 - p), 0
    everywhere at p = 1), in x's dtype and on x's device; drawn from minitorch's generator."""
    from minitorch.random import rng

    keep = rng(None).random(tuple(shape)) >= p
    if scale is None:
        scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
    xp = backend_for(x.device.type).xp
    return Tensor._wrap(xp.asarray(keep * scale, dtype=x._data.dtype))


def _float_mask_fits(x: Tensor) -> None:
    if not x.dtype.is_floating_point:  # the scaled mask is float: it can't go in place
        kind = x.type_description().split(".")[-1].split("Tensor")[0]
        raise RuntimeError(f"result type Float can't be cast to the desired output type {kind}")


def _apply_mask(input: Tensor, mask: Tensor, inplace: bool) -> Tensor:
    """input · mask (one MulBackward0 node: ∂/∂input = mask, 1/(1-p) where kept)."""
    return input.mul_(mask) if inplace else input * mask


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the kept ones by 1/(1 - p), so the
    expectation is unchanged; identity when not ``training`` or p = 0."""
    shapes.check_dropout_p(p)
    if not training or p == 0:
        return input
    _float_mask_fits(input)
    return _apply_mask(input, _dropout_mask(input, p, input.shape), inplace)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) input: one Bernoulli draw per channel,
    kept channels scaled by 1/(1 - p)."""
    shapes.check_dropout_p(p)
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D "
                           f"input. Note that dropout1d exists to provide channel-wise dropout "
                           f"on inputs with 1 spatial dimension, a channel dimension, and an "
                           f"optional batch dimension (i.e. 2D or 3D inputs).")
    if not training or p == 0:
        return input
    _float_mask_fits(input)
    shape = tuple(input.shape[:-1]) + (1,)
    return _apply_mask(input, _dropout_mask(input, p, shape), inplace)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels: one Bernoulli draw per (n, c), broadcast over the spatial dims,
    kept channels scaled by 1/(1 - p). A 3-D input is read as (N, C, L), as torch does."""
    shapes.check_dropout_p(p)
    shapes.warn_dropout2d_rank(input.ndim)
    if not training or p == 0:
        return input
    if input.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    _float_mask_fits(input)
    shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    return _apply_mask(input, _dropout_mask(input, p, shape), inplace)



# composed of the ops above, re-exported here: ``F.gelu``, ``F.layer_norm``, ...
from minitorch.nn.functional_1d import (  # noqa: E402, F401
    adaptive_avg_pool1d,
    adaptive_max_pool1d,
    avg_pool1d,
    conv1d,
    conv_transpose1d,
    max_pool1d,
)
from minitorch.nn.functional_3d import (  # noqa: E402, F401
    adaptive_avg_pool3d,
    avg_pool3d,
    conv3d,
    conv_transpose3d,
    max_pool3d,
)
from minitorch.nn.functional_activations import (  # noqa: E402, F401
    celu,
    elu,
    glu,
    hardshrink,
    hardsigmoid,
    hardswish,
    hardtanh,
    leaky_relu,
    logsigmoid,
    mish,
    prelu,
    relu6,
    selu,
    softmin,
    softplus,
    softshrink,
    softsign,
    tanhshrink,
    threshold,
)
from minitorch.nn.functional_attention import (  # noqa: E402, F401
    multi_head_attention_forward,
    scaled_dot_product_attention,
)
from minitorch.nn.functional_composed import (  # noqa: E402, F401
    adaptive_avg_pool2d,
    adaptive_max_pool2d,
    embedding,
    gelu,
    group_norm,
    instance_norm,
    layer_norm,
    normalize,
    one_hot,
    rms_norm,
    silu,
)
from minitorch.nn.functional_distance import (  # noqa: E402, F401
    cosine_embedding_loss,
    cosine_similarity,
    margin_ranking_loss,
    pairwise_distance,
    triplet_margin_loss,
)
from minitorch.nn.functional_interpolate import (  # noqa: E402, F401
    interpolate,
    upsample,
    upsample_bilinear,
    upsample_nearest,
)
from minitorch.nn.functional_layers import (  # noqa: E402, F401
    alpha_dropout,
    bilinear,
    channel_shuffle,
    dropout3d,
    feature_alpha_dropout,
    gumbel_softmax,
    local_response_norm,
    lp_pool1d,
    lp_pool2d,
    max_unpool1d,
    max_unpool2d,
    native_channel_shuffle,
    pdist,
    rrelu,
    rrelu_,
)
from minitorch.nn.functional_losses import (  # noqa: E402, F401
    gaussian_nll_loss,
    hinge_embedding_loss,
    multi_margin_loss,
    multilabel_margin_loss,
    multilabel_soft_margin_loss,
    poisson_nll_loss,
    soft_margin_loss,
    triplet_margin_with_distance_loss,
)
from minitorch.nn.functional_sampling import affine_grid, grid_sample  # noqa: E402, F401
from minitorch.nn.functional_sequence import ctc_loss, embedding_bag  # noqa: E402, F401
from minitorch.nn.functional_transposed import conv_transpose2d  # noqa: E402, F401
from minitorch.nn.functional_unfold import (  # noqa: E402, F401
    fold,
    pixel_shuffle,
    pixel_unshuffle,
    unfold,
)
