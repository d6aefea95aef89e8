"""Resizing: ``F.interpolate`` (and ``nn.Upsample``) — nearest and nearest-exact (1-, 2-
and 3-D), linear, bilinear, bicubic, trilinear and area — with torch's arguments, checks and
index arithmetic. Exported by :mod:`minitorch.nn.functional`.

Each mode is separable: output position o along an axis reads input positions given by o
alone, so the resize is y = A_d · A_h · x · A_wᵀ (one constant matrix per spatial axis, row o
holding the weights of the inputs that o reads; :class:`~minitorch.autograd.ops.blocks.
Separable`). With scale = in/out (or 1/scale_factor when the caller gave one), as torch's
kernels compute it:

    nearest        i = min(⌊o·scale⌋, in − 1)                       (float32 arithmetic)
    nearest-exact  i = min(⌊(o + ½)·scale⌋, in − 1)
    linear         s = max((o + ½)·scale − ½, 0)                    (align_corners=False)
                   s = o·(in − 1)/(out − 1)                         (align_corners=True)
                   i₀ = min(⌊s⌋, in − 1), λ = s − i₀: weight 1 − λ on i₀, λ on i₀ + 1
    cubic          s as for linear but not clamped at 0 (it may be negative);
                   weights W(λ + 1), W(λ), W(1 − λ), W(2 − λ) on i₀ − 1 … i₀ + 2
                   with Keys' kernel (A = −0.75; :func:`~minitorch.autograd.ops.
                   sampling.cubic_weights`)
                     W(t) = (A + 2)|t|³ − (A + 3)|t|² + 1           |t| ≤ 1
                     W(t) = A|t|³ − 5A|t|² + 8A|t| − 4A             1 < |t| < 2

(every tap index clamped to [0, in − 1], so the border pixels repeat; the weights in the
input's precision). As torch's kernels do, the linear modes and 2-D nearest copy an axis
whose size does not change, and 2-D nearest reads i = ⌊o/2⌋ on an axis that doubles. Two
torch backward kernels are not their forward's adjoint, and are matched as they are: every
nearest backward (1-D and 3-D too) reads by the 2-D rule, and bicubic's backward copies gy
when no axis changes size (a scale_factor that rounds back to the input size).
"""

from __future__ import annotations

import math
from typing import Any, List, Optional, Sequence, Union

import numpy as np

from minitorch.autograd.ops.blocks import Separable
from minitorch.autograd.ops.nn import require_floating
from minitorch.autograd.ops.sampling import cubic_weights
from minitorch.creation import tensor
from minitorch.foreign import expect_tensor
from minitorch.tensor import Tensor

MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
NODES = {("nearest", 1): "UpsampleNearest1D", ("nearest", 2): "UpsampleNearest2D",
         ("nearest", 3): "UpsampleNearest3D", ("nearest-exact", 1): "UpsampleNearestExact1D",
         ("nearest-exact", 2): "UpsampleNearestExact2D",
         ("nearest-exact", 3): "UpsampleNearestExact3D", ("linear", 1): "UpsampleLinear1D",
         ("bilinear", 2): "UpsampleBilinear2D", ("bicubic", 2): "UpsampleBicubic2D",
         ("trilinear", 3): "UpsampleTrilinear3D", ("area", 3): "AdaptiveAvgPool3D"}
NEEDS = {"linear": 3, "bilinear": 4, "trilinear": 5}  # the input rank of each linear mode
def resize_matrix(n_in: int, n_out: int, mode: str, align_corners: bool,
                  scale: Optional[float], dtype: Any, dims: int = 2) -> np.ndarray:
    """A (n_out, n_in) matrix whose row o holds the weights of the inputs that output o
    reads (the module doc), computed in ``dtype`` as torch's CPU kernels do for an input of
    ``dims`` spatial axes: the linear modes copy an axis that keeps its size; 2-D nearest
    does too, and reads i = ⌊o/2⌋ for an axis that doubles (whatever the scale_factor)."""
    a = np.zeros((n_out, n_in), dtype=dtype)
    o = np.arange(n_out)
    nearest_2d = mode == "nearest" and dims == 2
    if n_in == n_out and (mode in NEEDS or nearest_2d):
        a[o, o] = 1
        return a
    if nearest_2d and n_out == 2 * n_in:
        a[o, o // 2] = 1
        return a
    if mode in ("nearest", "nearest-exact"):
        ratio = np.float32(1.0 / scale) if scale else np.float32(n_in) / np.float32(n_out)
        where = (o.astype(np.float32) * ratio) if mode == "nearest" else (o + 0.5) * ratio
        a[o, np.minimum(np.floor(np.float32(where)).astype(np.int64), n_in - 1)] = 1
        return a
    t = np.dtype(dtype).type
    if align_corners:
        ratio = t(n_in - 1) / t(n_out - 1) if n_out > 1 else t(0)
        source = ratio * o.astype(dtype)
    else:
        ratio = t(1.0 / scale) if scale else t(n_in) / t(n_out)
        source = ratio * (o.astype(dtype) + t(0.5)) - t(0.5)
        if mode != "bicubic":
            source = np.maximum(source, t(0))
    i0 = np.minimum(np.floor(source).astype(np.int64), n_in - 1)
    lam = np.clip(source - i0.astype(dtype), t(0), t(1))
    taps = zip((-1, 0, 1, 2), cubic_weights(lam)) if mode == "bicubic" else \
        ((0, t(1) - lam), (1, lam))
    for offset, weight in taps:
        np.add.at(a, (o, np.clip(i0 + offset, 0, n_in - 1)), weight)
    return a


def interpolate(input: Tensor, size: Optional[Union[int, Sequence[int]]] = None,
                scale_factor: Optional[Union[float, Sequence[float]]] = None,
                mode: str = "nearest", align_corners: Optional[bool] = None,
                recompute_scale_factor: Optional[bool] = None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial dims of (N, C, L), (N, C, H, W) or (N, C, D, H, W) ``input`` to
    ``size``, or by ``scale_factor`` (output size ⌊in·scale⌋), with ``mode`` nearest,
    nearest-exact, linear (3-D input), bilinear or bicubic (4-D), trilinear (5-D) or area
    (adaptive average pooling)."""
    expect_tensor(input, "interpolate")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dims = input.ndim - 2
    spatial = list(input.shape[2:])
    scales: Optional[List[float]] = None
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        out = _per_axis(size, dims, spatial, ("output", "output size of", "output size", "o"))
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in out):
            raise TypeError(f"expected size to be one of int or Tuple[int] or Tuple[int, int] "
                            f"or Tuple[int, int, int], but got size with types "
                            f"{[type(v) for v in out]}")
        if recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    elif scale_factor is not None:
        scales = [float(v) for v in _per_axis(scale_factor, dims, spatial, (
            "scale_factor", "scale_factor of shape", "scale_factor", "s"))]
        out = [math.floor(n * s) for n, s in zip(spatial, scales)]
        if recompute_scale_factor or mode == "area":
            scales = None  # the kernels take in/out instead
    else:
        raise ValueError("either size or scale_factor should be defined")
    if antialias:
        if not (mode in ("bilinear", "bicubic", "lanczos") and input.ndim == 4):
            raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and "
                             "lanczos modes and requires a 4-D tensor as input")
        raise NotImplementedError("interpolate: antialias=True is not supported")
    if mode == "area" and dims in (1, 2):
        from minitorch.nn import functional as F

        pool = F.adaptive_avg_pool1d if dims == 1 else F.adaptive_avg_pool2d
        return pool(input, out[0] if dims == 1 else tuple(out))
    if mode == "lanczos" and input.ndim == 4:
        raise ValueError("Lanczos mode does not support align_corners=True" if align_corners
                         else "Lanczos mode requires antialias=True")
    if mode in NEEDS and input.ndim != NEEDS[mode] and input.ndim in (3, 4, 5):
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                  f"{NEEDS[mode]}D input")
    node = NODES.get((mode, dims))
    if node is None:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported "
                                  f"(got {input.ndim}D) for the modes: {MODES} (got {mode})")
    require_floating(input, _kernel_name(mode, dims))
    if mode == "area":  # 3-D: torch's adaptive_avg_pool3d
        from minitorch.nn.functional_3d import adaptive_avg_pool3d

        return adaptive_avg_pool3d(input, tuple(out))
    if any(n <= 0 for n in out):
        names = ("D", "H", "W")[-dims:]
        raise RuntimeError("Input and output sizes should be greater than 0, but got input ("
                           + ", ".join(f"{a}: {n}" for a, n in zip(names, spatial))
                           + ") output ("
                           + ", ".join(f"{a}: {n}" for a, n in zip(names, out)) + ")")
    def matrices(rule: int) -> List[Any]:  # one per axis, computed by ``rule``-D kernels
        return [tensor(resize_matrix(n, m, mode, bool(align_corners),
                                     None if scales is None else scales[k],
                                     input._data.dtype, rule), device=input.device)._data
                for k, (n, m) in enumerate(zip(spatial, out))]

    grad_mats: Optional[List[Any]] = None  # where torch's backward is not its forward's adjoint
    if mode == "nearest" and dims != 2:
        grad_mats = matrices(2)  # every nearest backward reads by the 2-D rule
    elif mode == "bicubic" and out == spatial:
        grad_mats = [None, None]  # bicubic's backward copies gy
    return Separable.apply(input, matrices(dims), node, grad_mats)


def _kernel_name(mode: str, dims: int) -> str:
    """The torch kernel that names itself in the error for an integer input."""
    if dims == 3 and mode == "area":
        return "adaptive_avg_pool3d_cpu"
    if dims == 2 and mode in ("nearest", "nearest-exact", "bilinear"):
        return f"upsample_{'bilinear' if mode == 'bilinear' else 'nearest'}2d_channels_last"
    kind = "cubic" if mode == "bicubic" else "nearest" if "nearest" in mode else "linear"
    return f"compute_indices_weights_{kind}"


def _per_axis(value: Any, dims: int, spatial: List[int], words: Sequence[str]) -> List[Any]:
    """``size`` or ``scale_factor``, one per spatial axis (a number is used for each); a
    sequence of another length gets torch's message (``words``: how it names the value)."""
    if not isinstance(value, (list, tuple)):
        return [value] * dims
    if len(value) != dims:
        subject, described, name, letter = words
        raise ValueError(f"Input and {subject} must have the same number of spatial "
                         f"dimensions, but got input with spatial dimensions of {spatial} and "
                         f"{described} {value}. Please provide input tensor in (N, C, d1, d2, "
                         f"...,dK) format and {name} in ({letter}1, {letter}2, ...,{letter}K) "
                         f"format.")
    return list(value)


def upsample(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
             align_corners: Optional[bool] = None) -> Tensor:
    """The deprecated name of :func:`interpolate`."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """``interpolate(..., mode="nearest")`` (deprecated in torch)."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """``interpolate(..., mode="bilinear", align_corners=True)`` (deprecated in torch)."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
