"""Sliding windows: the one idea behind convolution and pooling on arrays.

For a padded image ``xp_`` of shape (N, C, Hp, Wp), the window of output pixel (i, j) reads
rows ``i·sh + p·dh`` and columns ``j·sw + q·dw`` for kernel offsets (p, q). ``as_strided``
builds the 6-D view ``cols[n, c, p, q, i, j] = xp_[n, c, i·sh + p·dh, j·sw + q·dw]`` without
copying a byte — only the strides (bytes to step per index) change:

    stride of p = row_stride · dh      stride of i = row_stride · sh
    stride of q = col_stride · dw      stride of j = col_stride · sw

The adjoint, :func:`add_windows` ("col2im"), adds each window back onto the pixels it read;
overlapping windows add up. It loops over the kH·kW kernel offsets, each a strided slice.
"""

from __future__ import annotations

from typing import Any, Tuple

Pair = Tuple[int, int]


def windows(xp: Any, padded: Any, kernel: Pair, stride: Pair, dilation: Pair,
            out_hw: Pair) -> Any:
    """View (N, C, kH, kW, Ho, Wo) of the windows of ``padded`` (N, C, Hp, Wp). No copy."""
    n, c = padded.shape[:2]
    sn, sc, sh_, sw_ = padded.strides
    shape = (n, c, kernel[0], kernel[1], out_hw[0], out_hw[1])
    strides = (sn, sc, sh_ * dilation[0], sw_ * dilation[1], sh_ * stride[0], sw_ * stride[1])
    return xp.lib.stride_tricks.as_strided(padded, shape=shape, strides=strides)


def add_windows(xp: Any, target: Any, cols: Any, stride: Pair, dilation: Pair) -> None:
    """target[n, c, i·sh + p·dh, j·sw + q·dw] += cols[n, c, p, q, i, j]  (col2im, in place).

    ``target`` is the padded (N, C, Hp, Wp) gradient; one strided slice per kernel offset."""
    _, _, kh, kw, ho, wo = cols.shape
    for p in range(kh):
        for q in range(kw):
            r0, c0 = p * dilation[0], q * dilation[1]
            target[:, :, r0:r0 + stride[0] * (ho - 1) + 1:stride[0],
                   c0:c0 + stride[1] * (wo - 1) + 1:stride[1]] += cols[:, :, p, q]


def pad_after(size: int, out: int, kernel: int, stride: int, dilation: int, pad: int) -> int:
    """Padding needed after the input so that every window fits: ``pad``, or more when
    ``ceil_mode`` lets the last window run past the padding."""
    last_end = (out - 1) * stride + dilation * (kernel - 1) + 1
    return max(pad, last_end - size - pad)


def pad_image(xp: Any, x: Any, top: int, bottom: int, left: int, right: int,
              value: float = 0.0) -> Any:
    """x (N, C, H, W) surrounded by ``value``: ``top`` rows above, ``bottom`` below, ..."""
    n, c, h, w = x.shape
    out = xp.full((n, c, h + top + bottom, w + left + right), value, dtype=x.dtype)
    out[:, :, top:top + h, left:left + w] = x
    return out
