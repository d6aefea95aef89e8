"""Max and average pooling as loops over every window, PyTorch's rules spelled out.

Output pixel (i, j) with kernel offset (p, q) reads input pixel h = i·sh - ph + p·dh,
v = j·sw - pw + q·dw (average pooling has no dilation: dh = dw = 1). Pixels outside the
image are padding: max pooling never picks them, average pooling counts them as zeros (in the
divisor only when ``count_include_pad``).
"""

from __future__ import annotations

import math
from typing import Iterator, Optional, Tuple

import numpy as np

from minitorch.backends.loops.common import f64

Pair = Tuple[int, int]


def first_not_before_zero(start: int, dilation: int) -> int:
    """The first of start, start + d, start + 2d, … that is ≥ 0 (PyTorch's
    ``while (start < 0) start += dilation``)."""
    while start < 0:
        start += dilation
    return start


def max_pool2d_forward(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair,
                       dilation: Pair, out_hw: Pair) -> Tuple[np.ndarray, np.ndarray]:
    """y[n, c, i, j] = max_{p, q} x[n, c, h, v] over the window's pixels inside the image, and
    indices[n, c, i, j] = h·W + v of the one taken, by PyTorch's loop: start from -inf at the
    window's first pixel that is not above or left of the image, then scan in row-major order;
    a pixel replaces the best so far when ``val > best or isnan(val)`` — so ties keep the
    first maximum, a NaN wins (the last NaN), and an all -inf window keeps its first pixel.
    A window made only of padding (dilation can step over the whole image) gives -inf and
    index -1, as on every backend (PyTorch's index there is out of range).
    """
    n_, c_, hh, ww = x.shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw), (ho, wo) = kernel, stride, padding, dilation, out_hw
    y = np.zeros((n_, c_, ho, wo), dtype=x.dtype)
    indices = np.zeros((n_, c_, ho, wo), dtype=np.int64)
    for n in range(n_):
        for c in range(c_):
            for i in range(ho):
                for j in range(wo):
                    h0 = first_not_before_zero(i * sh - ph, dh)
                    v0 = first_not_before_zero(j * sw - pw, dw)
                    best, index, inside = -math.inf, h0 * ww + v0, False
                    for p in range(kh):
                        for q in range(kw):
                            h, v = i * sh - ph + p * dh, j * sw - pw + q * dw
                            if not (0 <= h < hh and 0 <= v < ww):
                                continue
                            inside, val = True, x[n, c, h, v]
                            if val > best or math.isnan(val):
                                best, index = val, h * ww + v
                    y[n, c, i, j] = best
                    indices[n, c, i, j] = index if inside else -1  # only padding: no pixel
    return y, indices


def max_pool2d_backward(gy: np.ndarray, indices: np.ndarray, x_shape: Tuple[int, ...],
                        window: object = None) -> np.ndarray:
    """gx[n, c, h, v] += gy[n, c, i, j] where (h, v) = divmod(indices[n, c, i, j], W):
    each output's gradient goes to the pixel it took (overlapping windows add up). A window
    made only of padding has index -1 (divmod gives h = -1): its gradient goes nowhere.
    ``window`` (the forward's geometry) is not needed by a scatter."""
    n_, c_, ho, wo = gy.shape
    hh, ww = x_shape[2:]
    dtype, gy = gy.dtype, f64(gy)
    gx = np.zeros(x_shape)
    for n in range(n_):
        for c in range(c_):
            for i in range(ho):
                for j in range(wo):
                    h, v = divmod(int(indices[n, c, i, j]), ww)
                    if 0 <= h < hh:
                        gx[n, c, h, v] += gy[n, c, i, j]
    return gx.astype(dtype)


def avg_window(i: int, size: int, kernel: int, stride: int, pad: int) -> Tuple[int, int, int]:
    """Along one axis, PyTorch's window of output i: (first, last + 1) pixel inside the image,
    and the window's length clipped at the *padded* edge (what count_include_pad counts)."""
    start = i * stride - pad
    end = min(start + kernel, size + pad)
    padded_len = end - start
    return max(start, 0), min(end, size), padded_len


def avg_windows(x_shape: Tuple[int, ...], out_hw: Tuple[int, ...], kernel: Pair, stride: Pair,
                padding: Pair, count_include_pad: bool,
                divisor_override: Optional[int]) -> Iterator[Tuple[int, ...]]:
    """For every output pixel (i, j): (i, j, h0, h1, v0, v1, divisor) — its window clipped to
    the image, h0 ≤ h < h1 and v0 ≤ v < v1 (:func:`avg_window`), and what the sum is divided
    by: divisor_override, else the window's area with padding (count_include_pad) or
    without."""
    for i in range(out_hw[0]):
        h0, h1, h_len = avg_window(i, x_shape[2], kernel[0], stride[0], padding[0])
        for j in range(out_hw[1]):
            v0, v1, v_len = avg_window(j, x_shape[3], kernel[1], stride[1], padding[1])
            area = h_len * v_len if count_include_pad else (h1 - h0) * (v1 - v0)
            yield i, j, h0, h1, v0, v1, divisor_override or area


def avg_pool2d_forward(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair, out_hw: Pair,
                       count_include_pad: bool, divisor_override: Optional[int]) -> np.ndarray:
    """y[n, c, i, j] = Σ_{h0 ≤ h < h1} Σ_{v0 ≤ v < v1} x[n, c, h, v] / divisor(i, j), the window
    clipped to the image and the divisor by PyTorch's rule (:func:`avg_windows`)."""
    n_, c_ = x.shape[:2]
    dtype, x = x.dtype, f64(x)
    y = np.zeros((n_, c_) + tuple(out_hw))
    for i, j, h0, h1, v0, v1, divisor in avg_windows(x.shape, out_hw, kernel, stride, padding,
                                                     count_include_pad, divisor_override):
        for n in range(n_):
            for c in range(c_):
                total = 0.0
                for h in range(h0, h1):
                    for v in range(v0, v1):
                        total += x[n, c, h, v]
                y[n, c, i, j] = total / divisor
    return y.astype(dtype)


def avg_pool2d_backward(gy: np.ndarray, x_shape: Tuple[int, ...], kernel: Pair, stride: Pair,
                        padding: Pair, count_include_pad: bool,
                        divisor_override: Optional[int]) -> np.ndarray:
    """gx[n, c, h, v] += gy[n, c, i, j] / divisor(i, j) for every window (i, j) whose clipped
    range contains (h, v)."""
    n_, c_ = gy.shape[:2]
    dtype, gy = gy.dtype, f64(gy)
    gx = np.zeros(x_shape)
    for i, j, h0, h1, v0, v1, divisor in avg_windows(x_shape, gy.shape[2:], kernel, stride,
                                                     padding, count_include_pad,
                                                     divisor_override):
        for n in range(n_):
            for c in range(c_):
                for h in range(h0, h1):
                    for v in range(v0, v1):
                        gx[n, c, h, v] += gy[n, c, i, j] / divisor
    return gx.astype(dtype)
