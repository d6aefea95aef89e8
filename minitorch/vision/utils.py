"""Arranging a batch of images into one picture, as in ``torchvision.utils``."""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np
from PIL import Image

import minitorch

__all__ = ["make_grid", "save_image"]


def _as_numpy(images: Any) -> np.ndarray:
    if isinstance(images, (list, tuple)):
        return np.stack([_as_numpy(im) for im in images])
    if isinstance(images, np.ndarray):
        return images
    return images.detach().cpu().numpy()


def make_grid_array(images: Any, nrow: int = 8, padding: int = 2, normalize: bool = False,
                    value_range: tuple[float, float] | None = None, scale_each: bool = False,
                    pad_value: float = 0.0) -> np.ndarray:
    """:func:`make_grid`, on and to NumPy arrays."""
    batch = _as_numpy(images).astype(np.float32, copy=True)
    if batch.ndim == 2:            # H × W: one grey image
        batch = batch[None, None]
    elif batch.ndim == 3:          # C × H × W: one image (or B × H × W if C would be > 4)
        batch = batch[None] if batch.shape[0] in (1, 3, 4) else batch[:, None]
    if batch.shape[1] == 1:        # grey pictures become RGB, as in torchvision
        batch = np.repeat(batch, 3, axis=1)

    if normalize:
        def rescale(x: np.ndarray) -> np.ndarray:
            low, high = value_range if value_range is not None else (x.min(), x.max())
            return (np.clip(x, low, high) - low) / max(high - low, 1e-5)
        batch = np.stack([rescale(x) for x in batch]) if scale_each else rescale(batch)

    n, channels, height, width = batch.shape
    if n == 1:
        return batch[0]
    cols = min(nrow, n)
    rows = math.ceil(n / cols)
    cell_h, cell_w = height + padding, width + padding
    grid = np.full((channels, rows * cell_h + padding, cols * cell_w + padding), pad_value,
                   dtype=np.float32)
    for k in range(n):
        r, c = divmod(k, cols)
        top, left = r * cell_h + padding, c * cell_w + padding
        grid[:, top:top + height, left:left + width] = batch[k]
    return grid


def make_grid(images: Any, nrow: int = 8, padding: int = 2, normalize: bool = False,
              value_range: tuple[float, float] | None = None, scale_each: bool = False,
              pad_value: float = 0.0) -> Any:
    """Tile a batch ``(B, C, H, W)`` (or a list of ``(C, H, W)`` images) into one image
    ``(C, H', W')``, ``nrow`` images per row, ``padding`` pixels of ``pad_value`` between
    them. ``normalize`` rescales to [0, 1] using ``value_range`` (default: min and max)."""
    return minitorch.from_numpy(make_grid_array(images, nrow, padding, normalize, value_range,
                                                scale_each, pad_value))


def save_image(images: Any, fp: str | os.PathLike, format: str | None = None,
               **grid_kwargs: Any) -> None:
    """Save a batch (or one image) with values in [0, 1] as a picture file, tiled by
    :func:`make_grid`."""
    grid = make_grid_array(images, **grid_kwargs)
    pixels = np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    Image.fromarray(np.ascontiguousarray(pixels)).save(fp, format=format)
