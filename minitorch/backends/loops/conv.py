"""conv2d as the textbook writes it: seven nested loops, one multiply-add per line.

Notation: x (N, C, H, W), w (O, Cg, kH, kW) with Cg = C / groups input channels per group and
Og = O / groups output channels per group; output channel o belongs to group g = o // Og and
reads input channels g·Cg … g·Cg + Cg - 1. Output pixel (i, j) with kernel offset (p, q)
reads input pixel

    h = i·sh - pad_top + p·dh,      v = j·sw - pad_left + q·dw

which lies in the zero padding when it falls outside [0, H) × [0, W). A padding pixel still
*multiplies*: it reads as 0, and 0·inf = nan — as in PyTorch (and the im2col reference).
"""

from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from minitorch.backends.loops.common import f64

Pair = Tuple[int, int]
Quad = Tuple[int, int, int, int]


def _read(x: np.ndarray, n: int, c: int, h: int, v: int) -> float:
    """x_pad[n, c, h, v]: the input pixel, or 0 in the padding."""
    inside = 0 <= h < x.shape[2] and 0 <= v < x.shape[3]
    return x[n, c, h, v] if inside else 0.0


def conv2d_forward(x: np.ndarray, w: np.ndarray, b: Optional[np.ndarray], stride: Pair,
                   padding: Quad, dilation: Pair, groups: int, out_hw: Pair) -> np.ndarray:
    """y[n, o, i, j] = b[o] + Σ_{c, p, q} x_pad[n, g·Cg + c, h, v] · w[o, c, p, q]

    over c < Cg, p < kH, q < kW, with g = o // Og, h = i·sh - pad_top + p·dh and
    v = j·sw - pad_left + q·dw."""
    n_, o_, (ho, wo) = x.shape[0], w.shape[0], out_hw
    _, cg, kh, kw = w.shape
    og = o_ // groups
    (sh, sw), (dh, dw), top, left = stride, dilation, padding[0], padding[2]
    dtype, x, w = x.dtype, f64(x), f64(w)
    y = np.zeros((n_, o_, ho, wo))
    for n in range(n_):
        for o in range(o_):
            g = o // og
            for i in range(ho):
                for j in range(wo):
                    acc = 0.0 if b is None else float(b[o])
                    for c in range(cg):
                        for p in range(kh):
                            for q in range(kw):
                                h, v = i * sh - top + p * dh, j * sw - left + q * dw
                                acc += _read(x, n, g * cg + c, h, v) * w[o, c, p, q]
                    y[n, o, i, j] = acc
    return y.astype(dtype)


def conv2d_backward_input(gy: np.ndarray, w: np.ndarray, x_shape: Tuple[int, ...],
                          stride: Pair, padding: Quad, dilation: Pair,
                          groups: int) -> np.ndarray:
    """gx[n, g·Cg + c, h, v] += gy[n, o, i, j] · w[o, c, p, q]  for every (n, o, i, j, c, p, q)
    whose input pixel (h, v) is inside the image (gradient for the padding is dropped)."""
    n_, _, hh, ww = x_shape
    o_, cg, kh, kw = w.shape
    ho, wo = gy.shape[2:]
    og = o_ // groups
    (sh, sw), (dh, dw), top, left = stride, dilation, padding[0], padding[2]
    dtype, gy, w = gy.dtype, f64(gy), f64(w)
    gx = np.zeros(x_shape)
    for n in range(n_):
        for o in range(o_):
            g = o // og
            for i in range(ho):
                for j in range(wo):
                    for c in range(cg):
                        for p in range(kh):
                            for q in range(kw):
                                h, v = i * sh - top + p * dh, j * sw - left + q * dw
                                if 0 <= h < hh and 0 <= v < ww:
                                    gx[n, g * cg + c, h, v] += gy[n, o, i, j] * w[o, c, p, q]
    return gx.astype(dtype)


def conv2d_backward_weight(gy: np.ndarray, x: np.ndarray, w_shape: Tuple[int, ...],
                           stride: Pair, padding: Quad, dilation: Pair,
                           groups: int) -> np.ndarray:
    """gw[o, c, p, q] = Σ_{n, i, j} gy[n, o, i, j] · x_pad[n, g·Cg + c, h, v]
    with g = o // Og, h = i·sh - pad_top + p·dh, v = j·sw - pad_left + q·dw."""
    o_, cg, kh, kw = w_shape
    n_, _, ho, wo = gy.shape
    og = o_ // groups
    (sh, sw), (dh, dw), top, left = stride, dilation, padding[0], padding[2]
    dtype, gy, x = gy.dtype, f64(gy), f64(x)
    gw = np.zeros(w_shape)
    for o in range(o_):
        g = o // og
        for c in range(cg):
            for p in range(kh):
                for q in range(kw):
                    acc = 0.0
                    for n in range(n_):
                        for i in range(ho):
                            for j in range(wo):
                                h, v = i * sh - top + p * dh, j * sw - left + q * dw
                                acc += gy[n, o, i, j] * _read(x, n, g * cg + c, h, v)
                    gw[o, c, p, q] = acc
    return gw.astype(dtype)


def conv2d_backward_bias(gy: np.ndarray) -> np.ndarray:
    """gb[o] = Σ_{n, i, j} gy[n, o, i, j]."""
    n_, o_, ho, wo = gy.shape
    dtype, gy = gy.dtype, f64(gy)
    gb = np.zeros(o_)
    for o in range(o_):
        for n in range(n_):
            for i in range(ho):
                for j in range(wo):
                    gb[o] += gy[n, o, i, j]
    return gb.astype(dtype)
