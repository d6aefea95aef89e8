"""Spatial transformers: ``F.grid_sample`` (sample an image at the points of a grid) and
``F.affine_grid`` (the grid of an affine map), with torch's arguments, checks, warnings and
coordinate arithmetic (:mod:`minitorch.autograd.ops.sampling`). Exported by
:mod:`minitorch.nn.functional`."""

from __future__ import annotations

import warnings
from typing import Optional, Sequence

from minitorch.autograd.function import _common_device
from minitorch.autograd.ops.nn import require_floating
from minitorch.autograd.ops.sampling import AffineGridGenerator, GridSampler
from minitorch.foreign import expect_tensor
from minitorch.tensor import Tensor

ALIGN_CORNERS_WARNING = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since "
    "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
    "documentation of grid_sample for details.")


def _align_corners(align_corners: Optional[bool]) -> bool:
    """``align_corners``, False (with torch's warning) when not given."""
    if align_corners is None:
        warnings.warn(ALIGN_CORNERS_WARNING, UserWarning, stacklevel=3)
        return False
    return bool(align_corners)


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear",
                padding_mode: str = "zeros", align_corners: Optional[bool] = None) -> Tensor:
    """out[n, :, o] = ``input`` (N, C, H, W) — or (N, C, D, H, W) — sampled at the point
    grid[n, o] ∈ [−1, 1]ᵏ (x along W first; grid (N, Ho, Wo, 2) or (N, Do, Ho, Wo, 3)) by
    ``mode`` nearest, bilinear or bicubic (4-D only), points outside read by
    ``padding_mode`` zeros, border or reflection (the formulas:
    :mod:`minitorch.autograd.ops.sampling`). Differentiable w.r.t. input and grid."""
    expect_tensor(input, "grid_sample")
    expect_tensor(grid, "grid_sample", "grid", 2)
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    corners = _align_corners(align_corners)
    _common_device([input, grid], "grid_sampler")
    sizes = f"input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
    if input.ndim < 1 or grid.ndim < 1 or input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, "
                           f"but got {sizes}")
    if grid.shape[-1] != input.ndim - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.ndim - 2} in "
                           f"last dimension, but got grid with sizes {list(grid.shape)}")
    for i in range(2, input.ndim):
        if input.shape[i] == 0:
            raise RuntimeError("grid_sampler(): expected input to have non-empty spatial "
                               f"dimensions, but input has sizes {list(input.shape)} with "
                               f"dimension {i} being empty")
    rank = 4 if input.ndim == 4 else 5
    if input.ndim != rank or grid.ndim != rank:
        raise RuntimeError(f"grid_sampler(): expected {rank}D input and grid with same number "
                           f"of dimensions, but got {sizes}")
    if rank == 5 and mode == "bicubic":
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    require_floating(input, f"grid_sampler_{rank - 2}d_cpu_kernel_impl")
    if grid.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {input.dtype.kind} but found "
                           f"{grid.dtype.kind}")
    return GridSampler.apply(input, grid, mode, padding_mode, corners)


def affine_grid(theta: Tensor, size: Sequence[int],
                align_corners: Optional[bool] = None) -> Tensor:
    """The sampling grid (N, H, W, 2) — or (N, D, H, W, 3) — of the affine maps ``theta``
    (N, 2, 3) — or (N, 3, 4) — for an output of ``size`` (N, C, H, W) — or (N, C, D, H, W):
    grid[n, h, w] = θ[n] · [x_w, y_h, 1]ᵀ with x, y evenly spaced in [−1, 1] (pixel centres
    without align_corners); for :func:`grid_sample`."""
    expect_tensor(theta, "affine_grid", "theta")
    corners = _align_corners(align_corners)
    if not theta.dtype.is_floating_point:
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    k = len(size) - 2
    if k in (2, 3):
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (k, k + 1):
            shape = "Nx2x3" if k == 2 else "Nx3x4"
            raise ValueError(f"Expected a batch of {k}D affine matrices of shape {shape} for "
                             f"size {size}. Got {theta.shape}.")
    else:
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    spatial = [int(v) for v in size[2:]]
    if corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size "
                      "grids when align_corners=True. This is not an intended use case of "
                      "affine_grid. See the documentation of affine_grid for details.",
                      UserWarning, stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if theta.shape[0] != size[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{size[0]}, {k + 1}] but got: [{theta.shape[0]}, {k + 1}].")
    return AffineGridGenerator.apply(theta, spatial, corners)
