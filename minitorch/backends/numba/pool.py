"""Max and average pooling: one parallel pass over the (n, c) planes.

x is (N, C, H, W), y is (N, C, Ho, Wo), the window is kH × kW with stride (sh, sw), symmetric
padding (ph, pw) and (max pooling only) dilation (dh, dw). Every kernel runs ``prange`` over the
N·C planes: a plane's outputs only read — and its gradients only write — that same plane, so
threads never collide and the backward scatter-adds need no atomics.
"""

from __future__ import annotations

from typing import Optional, Tuple

import numpy as np
from numba import njit, prange


@njit(cache=True, parallel=True)
def _max_pool_fwd(x, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo):  # pragma: no cover
    """y[n,c,i,j] = max_{p,q} x[n, c, i·sh - ph + p·dh, j·sw - pw + q·dw] over in-bounds taps,
    idx[n,c,i,j] = h·W + w of the winner.

    PyTorch's rules: scan taps in row-major order; the first in-bounds tap is the initial
    winner; a later tap wins if ``v > best or isnan(v)`` — so ties keep the first maximum and
    a NaN (the last one, if several) always wins. Parallel over the N·C planes.
    Cost: N·C·Ho·Wo·kH·kW comparisons; reads N·C·H·W, writes 2·N·C·Ho·Wo elements."""
    N, C, H, W = x.shape
    y = np.empty((N, C, ho, wo), dtype=x.dtype)
    idx = np.empty((N, C, ho, wo), dtype=np.int64)
    for t in prange(N * C):
        n = t // C
        c = t % C
        plane = x[n, c]
        for i in range(ho):
            h0 = i * sh - ph
            for j in range(wo):
                w0 = j * sw - pw
                best = -np.inf
                arg = -1
                for p in range(kh):
                    h = h0 + p * dh
                    if h < 0 or h >= H:
                        continue
                    for q in range(kw):
                        w = w0 + q * dw
                        if w < 0 or w >= W:
                            continue
                        v = plane[h, w]
                        if arg < 0 or v > best or np.isnan(v):
                            best = v
                            arg = h * W + w
                y[n, c, i, j] = best
                idx[n, c, i, j] = max(arg, 0)
    return y, idx


@njit(cache=True, parallel=True)
def _max_pool_bwd(gy, idx, H, W):  # pragma: no cover
    """gx[n, c, idx[n,c,i,j]] += gy[n, c, i, j]  (scatter-add of each output's gradient onto
    its argmax). Parallel over the N·C planes (indices never leave their plane).
    Cost: N·C·Ho·Wo additions; writes N·C·H·W elements (zero fill included)."""
    N, C, ho, wo = gy.shape
    gx = np.empty((N, C, H * W), dtype=gy.dtype)
    for t in prange(N * C):
        n = t // C
        c = t % C
        for k in range(H * W):
            gx[n, c, k] = 0
        for i in range(ho):
            for j in range(wo):
                gx[n, c, idx[n, c, i, j]] += gy[n, c, i, j]
    return gx.reshape(N, C, H, W)


@njit(cache=True, inline="always")
def _avg_window(i, s, p, k, size):  # pragma: no cover
    """PyTorch's avg-pool window along one axis: (start, end, padded_len) where [start, end) is
    the window clipped to the real input and padded_len = end - start before that clip (but
    after clipping at the padded edge, size + p)."""
    start = i * s - p
    end = min(start + k, size + p)
    padded = end - start
    return max(start, 0), min(end, size), padded


@njit(cache=True, parallel=True)
def _avg_pool_fwd(x, kh, kw, sh, sw, ph, pw, ho, wo, include_pad, divisor):  # pragma: no cover
    """y[n,c,i,j] = Σ_{h∈[h0,h1), w∈[w0,w1)} x[n,c,h,w] / d(i, j), with the window and the
    divisor d of :func:`_avg_window` (``divisor > 0`` overrides d; else ``include_pad``
    chooses the padded or the clipped window area). Sums accumulate in float64.
    Parallel over the N·C planes. Cost: N·C·Ho·Wo·kH·kW additions; reads N·C·H·W,
    writes N·C·Ho·Wo elements."""
    N, C, H, W = x.shape
    y = np.empty((N, C, ho, wo), dtype=x.dtype)
    for t in prange(N * C):
        n = t // C
        c = t % C
        plane = x[n, c]
        for i in range(ho):
            h0, h1, hp = _avg_window(i, sh, ph, kh, H)
            for j in range(wo):
                w0, w1, wp = _avg_window(j, sw, pw, kw, W)
                acc = 0.0
                for h in range(h0, h1):
                    for w in range(w0, w1):
                        acc += plane[h, w]
                if divisor > 0:
                    d = divisor
                elif include_pad:
                    d = hp * wp
                else:
                    d = (h1 - h0) * (w1 - w0)
                y[n, c, i, j] = acc / d
    return y


@njit(cache=True, parallel=True)
def _avg_pool_bwd(gy, H, W, kh, kw, sh, sw, ph, pw, include_pad, divisor):  # pragma: no cover
    """gx[n,c,h,w] = Σ_{(i,j) whose window holds (h,w)} gy[n,c,i,j] / d(i, j) — each output
    scatter-adds gy/d over its clipped window. Parallel over the N·C planes.
    Cost: N·C·Ho·Wo·kH·kW additions; writes N·C·H·W elements."""
    N, C, ho, wo = gy.shape
    gx = np.empty((N, C, H, W), dtype=gy.dtype)
    for t in prange(N * C):
        n = t // C
        c = t % C
        plane = gx[n, c]
        for h in range(H):
            for w in range(W):
                plane[h, w] = 0
        for i in range(ho):
            h0, h1, hp = _avg_window(i, sh, ph, kh, H)
            for j in range(wo):
                w0, w1, wp = _avg_window(j, sw, pw, kw, W)
                if divisor > 0:
                    d = divisor
                elif include_pad:
                    d = hp * wp
                else:
                    d = (h1 - h0) * (w1 - w0)
                g = gy[n, c, i, j] / d
                for h in range(h0, h1):
                    for w in range(w0, w1):
                        plane[h, w] += g
    return gx


def max_pool2d_forward(x: np.ndarray, kernel_size, stride, padding, dilation,
                       out_hw) -> Tuple[np.ndarray, np.ndarray]:
    """(y, indices) of max pooling; see :func:`_max_pool_fwd`."""
    return _max_pool_fwd(x, int(kernel_size[0]), int(kernel_size[1]), int(stride[0]),
                         int(stride[1]), int(padding[0]), int(padding[1]), int(dilation[0]),
                         int(dilation[1]), int(out_hw[0]), int(out_hw[1]))


def max_pool2d_backward(gy: np.ndarray, indices: np.ndarray, x_shape) -> np.ndarray:
    """Scatter-add of gy onto the argmax pixels; see :func:`_max_pool_bwd`."""
    return _max_pool_bwd(gy, np.ascontiguousarray(indices, np.int64), int(x_shape[2]),
                         int(x_shape[3]))


def avg_pool2d_forward(x: np.ndarray, kernel_size, stride, padding, out_hw,
                       count_include_pad: bool, divisor_override: Optional[int]) -> np.ndarray:
    """Average pooling; see :func:`_avg_pool_fwd` (``divisor_override=None`` is passed as 0)."""
    return _avg_pool_fwd(x, int(kernel_size[0]), int(kernel_size[1]), int(stride[0]),
                         int(stride[1]), int(padding[0]), int(padding[1]), int(out_hw[0]),
                         int(out_hw[1]), bool(count_include_pad), int(divisor_override or 0))


def avg_pool2d_backward(gy: np.ndarray, x_shape, kernel_size, stride, padding,
                        count_include_pad: bool, divisor_override: Optional[int]) -> np.ndarray:
    """Gradient of average pooling; see :func:`_avg_pool_bwd`."""
    return _avg_pool_bwd(gy, int(x_shape[2]), int(x_shape[3]), int(kernel_size[0]),
                         int(kernel_size[1]), int(stride[0]), int(stride[1]), int(padding[0]),
                         int(padding[1]), bool(count_include_pad), int(divisor_override or 0))
