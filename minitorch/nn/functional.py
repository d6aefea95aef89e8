"""``minitorch.nn.functional``: the layers as functions, with PyTorch's signatures.

Each function checks its arguments once (:mod:`minitorch.shapes`, shared by all backends),
turns unbatched input into a batch of one, and calls one autograd op.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

from minitorch import shapes
from minitorch.autograd.ops import linalg
from minitorch.autograd.ops import nn as ops
from minitorch.autograd.ops.nn import require_floating as _floating
from minitorch.autograd.ops.nn import softmax_dim as _softmax_dim
from minitorch.autograd.ops.shape import Pad
from minitorch.backends import backend_for
from minitorch.functions import where
from minitorch.tensor import Tensor

IntOrPair = Union[int, Sequence[int]]


def _batched(x: Tensor, op: str) -> tuple:
    """(N, C, H, W) input and whether it was unbatched (C, H, W)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(x).__name__}")
    shapes.check_image_input(x.shape, op)
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
    _floating(x, "conv2d")
    _same_dtype(x, weight, "weight")
    _same_dtype(x, bias, "bias")
    stride_hw, quad, dilation_hw, out_hw = shapes.check_conv2d(
        x.shape, weight.shape, None if bias is None else bias.shape, stride, padding, dilation,
        groups)
    args = (stride_hw, quad, dilation_hw, groups, out_hw)
    y = ops.Conv2d.apply(x, weight, bias, *args) if bias is not None else \
        ops.Conv2d.apply(x, weight, None, *args)
    return y.squeeze(0) if unbatched else y


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
    x, unbatched = _batched(input, "max_pool2d")
    if x.dtype.name == "bool":
        raise NotImplementedError("\"max_pool2d\" not implemented for 'Bool'")
    k, s, p, d, out_hw = shapes.check_pool2d(x.shape, kernel_size, stride, padding, dilation,
                                             ceil_mode)
    shapes.check_max_pool_padding(k, p)
    y, indices = ops.MaxPool2d.apply(x, k, s, p, d, out_hw)
    if unbatched:
        y, indices = y.squeeze(0), indices.squeeze(0)
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
    x, unbatched = _batched(input, "avg_pool2d")
    _floating(x, "avg_pool2d")
    shapes.check_divisor_override(divisor_override)
    k, s, p, _, out_hw = shapes.check_pool2d(x.shape, kernel_size, stride, padding, 1,
                                             ceil_mode)
    y = ops.AvgPool2d.apply(x, k, s, p, out_hw, count_include_pad, divisor_override)
    return y.squeeze(0) if unbatched else y


# ---------------------------------------------------------------------------- activations
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0)."""
    if input.dtype.name == "bool":
        raise RuntimeError("Boolean inputs not supported for relu")
    return _maybe_inplace(input, ops.Relu.apply(input), inplace)


def tanh(input: Tensor) -> Tensor:
    """(eˣ - e⁻ˣ) / (eˣ + e⁻ˣ). Integer input gives the default float dtype, as in torch."""
    return ops.Tanh.apply(input._floating())


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + e⁻ˣ). Integer input gives the default float dtype, as in torch."""
    return ops.Sigmoid.apply(input._floating())


def _maybe_inplace(x: Tensor, y: Tensor, inplace: bool) -> Tensor:
    if not inplace:
        return y
    x._check_inplace()
    return x._inplace(y)


def softmax(input: Tensor, dim: Optional[int] = None, dtype: Any = None) -> Tensor:
    """e^{x_i} / Σ_j e^{x_j} along ``dim``."""
    x = input.to(dtype) if dtype is not None else input
    return ops.Softmax.apply(x, _softmax_dim(x, dim))


def log_softmax(input: Tensor, dim: Optional[int] = None, dtype: Any = None) -> Tensor:
    """x_i - log Σ_j e^{x_j} along ``dim``."""
    x = input.to(dtype) if dtype is not None else input
    return ops.LogSoftmax.apply(x, _softmax_dim(x, dim))


# --------------------------------------------------------------------------------- linear
def linear(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None) -> Tensor:
    """y = x Wᵀ + b over the last dim of x."""
    if input.ndim == 0 or weight.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are "
                           f"{input.ndim}D and {weight.ndim}D")
    if weight.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{weight.ndim}D (weight of size {list(weight.shape)})")
    _same_dtype(input, weight, "weight")
    _same_dtype(input, bias, "bias")
    if weight.ndim == 1 and bias is not None:
        raise RuntimeError(f"mat2 must be a matrix, got 1-D tensor (weight of size "
                           f"{list(weight.shape)} with a bias)")
    if weight.ndim == 1 or (bias is not None and tuple(bias.shape) != (weight.shape[0],)):
        # torch's general path: x @ Wᵀ, then a bias that must expand to the output's shape
        from minitorch.tensor import matmul

        y = matmul(input, weight.t())
        return y if bias is None else y + bias.expand(y.shape)
    if input.shape[-1] != weight.shape[1]:
        rows = input.numel() // max(input.shape[-1], 1) if input.ndim else 1
        w_shape = weight.shape if weight.ndim == 2 else (weight.shape + (1,))
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                           f"({rows}x{input.shape[-1] if input.ndim else 1} and "
                           f"{w_shape[1]}x{w_shape[0]})")
    if bias is not None:
        return linalg.Linear.apply(input, weight, bias)
    return linalg.Linear.apply(input, weight)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    return input.flatten(start_dim, end_dim)


# --------------------------------------------------------------------------------- losses
def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _check_target(input: Tensor, target: Tensor, weight: Optional[Tensor],
                  ignore_index: int) -> tuple:
    """Move the class dim last and flatten: (N, C, d1, ...) → (N·d1·…, C); validate target."""
    if not isinstance(target, Tensor):
        raise TypeError(f"cross_entropy(): argument 'target' (position 2) must be Tensor, not "
                        f"{type(target).__name__}")
    if input.ndim == 0:
        raise RuntimeError("Expected input to have at least 1 dimension (the class dimension), "
                           "but got input of size []")
    if target.dtype.is_floating_point or target.dtype.name == "bool":
        kind = target.type_description().split('.')[-1].split('Tensor')[0]
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {kind} (target "
                           f"of size {list(target.shape)}; a floating target means class "
                           f"probabilities and must have the input's size {list(input.shape)})")
    if input.device != target.device:
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least "
                           f"two devices, {input.device} and {target.device}!")
    _same_dtype(input, weight, "weight")
    unbatched = input.ndim == 1
    if unbatched and target.ndim == 1 and target.shape[0] != 1:
        raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: "
                         f"{target.shape[0]}")
    x = input.unsqueeze(0) if unbatched else input
    t = target.unsqueeze(0) if unbatched and target.ndim == 0 else target
    if t.ndim == 0 or x.shape[0] != t.shape[0]:
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target "
                         f"batch_size ({t.shape[0] if t.ndim else 0}).")
    if tuple(x.shape[2:]) != tuple(t.shape[1:]):
        raise RuntimeError(f"only batches of spatial targets supported (3D tensors) but got "
                           f"targets of size: : {list(target.shape)}")
    c = x.shape[1]
    if c == 0 and x.ndim > 2 and t.numel():  # torch's spatial kernel refuses this
        raise RuntimeError(f"size mismatch (got input: {list(x.shape)}, target: "
                           f"{list(t.shape)}): zero classes with spatial dimensions")
    if weight is not None and tuple(weight.shape) != (c,):
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no "
                           f"classes but got weight tensor of shape: {list(weight.shape)}")
    if x.ndim > 2:  # not reshape(-1, c): with c = 0 the -1 cannot be inferred
        x = x.permute(0, *range(2, x.ndim), 1).reshape(t.numel(), c)
        t = t.reshape(-1)
    raw = t.detach().cpu()._data
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
    _floating(input, "log_softmax")
    label_smoothing = max(float(label_smoothing), 0.0)  # torch: a negative value means none
    if isinstance(target, Tensor) and input.ndim > 0 and \
            tuple(target.shape) == tuple(input.shape):  # torch: class probabilities
        if not target.dtype.is_floating_point:
            kind = target.type_description().split('.')[-1].split('Tensor')[0]
            raise RuntimeError(f"Expected floating point type for target with class "
                               f"probabilities, got {kind} (input and target of size "
                               f"{list(input.shape)})")
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing)
    x, t, c, out_shape = _check_target(input, target, weight, ignore_index)
    w_raw = None if weight is None else weight._to(x.dtype, None)._data
    denominator = _mean_denominator(t, weight, ignore_index, x)._data if reduction == "mean" \
        else None
    loss = ops.CrossEntropy.apply(x, t._data, w_raw, ignore_index, label_smoothing, reduction,
                                  denominator)
    if reduction == "mean" and label_smoothing and not bool((denominator != 0).all()):
        # torch: (1-ε)·(0/0) + ε·(Σ/0) — the NaN of the unsmoothed part wins over the inf
        loss = loss * float("nan")
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
                      like: Tensor) -> Tensor:
    """Σ_{n not ignored} w[target[n]] — the count of kept samples when there is no weight."""
    raw = t._data
    valid = raw != ignore_index
    if weight is None:
        total = valid.sum()
    else:
        w = weight.detach()._to(like.dtype, None)._data
        total = (w[raw.clip(0, w.shape[0] - 1)] * valid).sum()
    return Tensor._wrap(backend_for(like.device.type).xp.asarray(total, dtype=like._data.dtype))


def nll_loss(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
             size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
             reduction: str = "mean") -> Tensor:
    """-w[t]·input[n, t] per sample, from log-probabilities ``input``."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    x, t, c, out_shape = _check_target(input, target, weight, ignore_index)
    raw = t._data
    valid = raw != ignore_index
    if c == 0:  # no classes: every target is ignored, every loss 0
        per_sample = x.sum(1) * 0
    else:
        safe = raw.clip(0, c - 1)
        picked = _gather_rows(x, safe)
        w = None if weight is None else weight._to(x.dtype, None)
        per_sample = -picked * (w[Tensor._wrap(safe)] if w is not None else 1.0)
        # select, not multiply by the mask: an ignored row's -inf would give 0·inf = NaN
        per_sample = where(Tensor._wrap(valid), per_sample, 0.0)
    if reduction == "none":
        return per_sample.reshape(out_shape)
    if reduction == "sum":
        return per_sample.sum()
    return per_sample.sum() / _mean_denominator(t, weight, ignore_index, x)


def _gather_rows(x: Tensor, cols: Any) -> Tensor:
    """x[n, cols[n]] for every row n (a differentiable gather)."""
    rows = backend_for(x.device.type).xp.arange(x.shape[0])
    return x[(Tensor._wrap(rows), Tensor._wrap(cols))]


def mse_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
             reduction: str = "mean") -> Tensor:
    """(input - target)², reduced."""
    _floating(input, "mse_loss")
    if input.shape != target.shape:
        shapes.broadcast_shapes(input.shape, target.shape)
    diff = input - target
    return _reduce(diff * diff, reduction)


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """|input - target|, reduced."""
    return _reduce((input - target).abs(), reduction)
