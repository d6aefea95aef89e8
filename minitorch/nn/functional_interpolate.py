"""Resizing: ``F.interpolate`` (and ``nn.Upsample``) — nearest, nearest-exact, linear and
bilinear — with torch's arguments, checks and index arithmetic. Exported by
:mod:`minitorch.nn.functional`.

Each mode is separable: output position o along an axis reads input positions given by o
alone, so the resize is y = A_h · x · A_wᵀ with one constant matrix per axis (row o holds the
weights of the inputs that o reads; :class:`~minitorch.autograd.ops.nn.Separable`). With
scale = in/out (or 1/scale_factor when the caller gave one), as torch's kernels compute it:

    nearest        i = min(⌊o·scale⌋, in − 1)                       (float32 arithmetic)
    nearest-exact  i = min(⌊(o + ½)·scale⌋, in − 1)
    linear         s = max((o + ½)·scale − ½, 0), i₀ = ⌊s⌋, i₁ = min(i₀ + 1, in − 1),
                   weights 1 − λ and λ = s − i₀                   (align_corners=False)
                   s = o·(in − 1)/(out − 1)                         (align_corners=True)

(the weights in the input's precision; an axis whose size does not change is copied).
"""

from __future__ import annotations

import math
from typing import Any, List, Optional, Sequence, Union

import numpy as np

from minitorch.autograd.ops.blocks import Separable
from minitorch.creation import tensor
from minitorch.foreign import expect_tensor
from minitorch.tensor import Tensor

MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
NODES = {("nearest", 1): "UpsampleNearest1D", ("nearest", 2): "UpsampleNearest2D",
         ("nearest-exact", 1): "UpsampleNearestExact1D",
         ("nearest-exact", 2): "UpsampleNearestExact2D", ("linear", 1): "UpsampleLinear1D",
         ("bilinear", 2): "UpsampleBilinear2D"}
NEEDS = {"linear": 3, "bilinear": 4, "trilinear": 5}  # the input rank of each linear mode


def resize_matrix(n_in: int, n_out: int, mode: str, align_corners: bool,
                  scale: Optional[float], dtype: Any) -> np.ndarray:
    """A (n_out, n_in) matrix whose row o holds the weights of the inputs that output o
    reads (the module doc), computed in ``dtype`` as torch's CPU kernels do."""
    a = np.zeros((n_out, n_in), dtype=dtype)
    o = np.arange(n_out)
    if n_in == n_out and mode != "nearest-exact":  # torch copies such an axis
        a[o, o] = 1
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
        source = np.maximum(ratio * (o.astype(dtype) + t(0.5)) - t(0.5), t(0))
    i0 = np.minimum(np.floor(source).astype(np.int64), n_in - 1)
    lam = np.clip(source - i0.astype(dtype), t(0), t(1))
    i1 = np.minimum(i0 + 1, n_in - 1)
    np.add.at(a, (o, i0), t(1) - lam)
    np.add.at(a, (o, i1), lam)
    return a


def interpolate(input: Tensor, size: Optional[Union[int, Sequence[int]]] = None,
                scale_factor: Optional[Union[float, Sequence[float]]] = None,
                mode: str = "nearest", align_corners: Optional[bool] = None,
                recompute_scale_factor: Optional[bool] = None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial dims of (N, C, L) or (N, C, H, W) ``input`` to ``size``, or by
    ``scale_factor`` (output size ⌊in·scale⌋), with ``mode`` nearest, nearest-exact, linear
    (3-D input), bilinear (4-D) or area (adaptive average pooling)."""
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
    if mode in NEEDS and input.ndim != NEEDS[mode] and input.ndim in (3, 4, 5):
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                  f"{NEEDS[mode]}D input")
    node = NODES.get((mode, dims))
    if node is None:
        if input.ndim in (3, 4, 5) and mode in MODES.split(" | "):
            raise NotImplementedError(f"interpolate: mode {mode!r} on {input.ndim}D input is "
                                      f"not supported (nearest, nearest-exact, linear, "
                                      f"bilinear and area are)")
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported "
                                  f"(got {input.ndim}D) for the modes: {MODES} (got {mode})")
    if not input.dtype.is_floating_point:
        kernel = "upsample_" + ("bilinear2d" if mode == "bilinear" else
                                node[len("Upsample"):].lower())
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{input.type_description().split('.')[-1][:-6]}'")
    if any(n <= 0 for n in out):
        names = ("W",) if dims == 1 else ("H", "W")
        raise RuntimeError("Input and output sizes should be greater than 0, but got input ("
                           + ", ".join(f"{a}: {n}" for a, n in zip(names, spatial))
                           + ") output ("
                           + ", ".join(f"{a}: {n}" for a, n in zip(names, out)) + ")")
    mats = [tensor(resize_matrix(n, m, mode, bool(align_corners),
                                 None if scales is None else scales[k], input._data.dtype),
                   device=input.device)._data
            for k, (n, m) in enumerate(zip(spatial, out))]
    return Separable.apply(input, mats[0] if dims == 2 else None, mats[-1], node)


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
