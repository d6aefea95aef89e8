"""2-D convolution as im2col + GEMM, parallel over the images of the batch.

Notation (as in :mod:`minitorch.backends.base`): x is (N, C, H, W), w is (O, Cg, kH, kW) with
Cg = C / groups and Og = O / groups, y is (N, O, Ho, Wo); L = Ho·Wo output pixels per image;
K = C·kH·kW rows of an image's column matrix, Kg = Cg·kH·kW per group.

The column matrix of image n is

    cols[(c·kH + p)·kW + q, i·Wo + j] = x_pad[n, c, i·sh + p·dh, j·sw + q·dw]

(zero where the tap falls into the padding), and with cols_g = cols[g·Kg:(g+1)·Kg] and
w_g = w[g·Og:(g+1)·Og] viewed as (Og, Kg), every pass of the convolution is a matrix product
per image and group:

    forward       y[n]_g  (Og, L)  = w_g (Og, Kg)  @ cols_g (Kg, L)   (+ bias, preloaded in y)
    input grad    gcols_g (Kg, L)  = w_gᵀ (Kg, Og) @ gy[n]_g (Og, L)   then col2im into gx[n]
    weight grad   gw_g    (Og, Kg) += gy[n]_g (Og, L) @ cols_gᵀ (L, Kg)

**Parallel layout.** Each kernel runs ``prange`` over the T threads; thread t takes images
t, t+T, t+2T, ... and owns one (K, L) column buffer (and, for the weight gradient, one
(O, Kg) accumulator, summed at the end). An image's columns are at most a few hundred KB for
the seed CNN, so im2col writes them into the thread's L2 and the GEMM reads them from there;
nothing of size N·K·L is ever allocated. No two threads write the same element.

**Where the GEMM goes.** To :func:`minitorch.backends.numba.gemm.gemm_into`, called inside the
parallel loop: OpenBLAS's ``cblas_sgemm``/``cblas_dgemm`` through its address (single-threaded
BLAS, one call per thread), or the pure-Numba tiled GEMM when ``gemm_addr == 0``.
"""

from __future__ import annotations

from typing import Optional, Tuple

import numba
import numpy as np
from numba import njit, prange

from minitorch.backends.numba.gemm import gemm_into
from minitorch.backends.numba.threads import blas_threads


# --------------------------------------------------------------------------- shape helpers
@njit(cache=True)
def _valid_range(offset, stride, size, n_out):  # pragma: no cover
    """The output indices j in [lo, hi) whose input index j·stride + offset lies in [0, size).

    lo = ceil(-offset / stride), hi = floor((size - 1 - offset) / stride) + 1, clipped to
    [0, n_out] (integer ``//`` floors toward -∞, as the math needs)."""
    lo = max(-(offset // stride), 0)
    hi = min((size - 1 - offset) // stride + 1, n_out)
    return lo, max(hi, lo)


# --------------------------------------------------------------------------- im2col / col2im
@njit(cache=True)
def im2col_image(xn, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo, cols):  # pragma: no cover
    """cols[(c·kH + p)·kW + q, i·Wo + j] = x_pad[c, i·sh + p·dh, j·sw + q·dw] for one image
    ``xn`` (C, H, W). Serial (the caller is parallel over images).

    The in-bounds column range of each tap q is computed once, so the inner loop is a
    branch-free strided copy (unit stride when sw = 1). Cost: 0 FLOPs; K·L elements written,
    each input pixel read up to kH·kW times (from L1/L2)."""
    C, H, W = xn.shape
    zero = cols.dtype.type(0)
    for c in range(C):
        for p in range(kh):
            for q in range(kw):
                row = cols[(c * kh + p) * kw + q]
                off_w = q * dw - pl
                j_lo, j_hi = _valid_range(off_w, sw, W, wo)
                for i in range(ho):
                    h = i * sh - pt + p * dh
                    base = i * wo
                    if h < 0 or h >= H:
                        row[base:base + wo] = zero
                        continue
                    row[base:base + j_lo] = zero
                    src = xn[c, h]
                    if sw == 1:
                        row[base + j_lo:base + j_hi] = src[j_lo + off_w:j_hi + off_w]
                    else:
                        for j in range(j_lo, j_hi):
                            row[base + j] = src[j * sw + off_w]
                    row[base + j_hi:base + wo] = zero


@njit(cache=True)
def col2im_image(cols, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo, gxn):  # pragma: no cover
    """gxn[c, h, w] = Σ_{p,q,i,j : i·sh - pt + p·dh = h, j·sw - pl + q·dw = w}
    cols[(c·kH + p)·kW + q, i·Wo + j] — the adjoint of :func:`im2col_image`, for one image.

    Zero the image, then every tap scatter-adds its in-bounds strided block. Serial (the caller
    is parallel over images). Cost: K·L additions; K·L elements read, C·H·W written."""
    C, H, W = gxn.shape
    gxn[:, :, :] = 0
    for c in range(C):
        for p in range(kh):
            for q in range(kw):
                row = cols[(c * kh + p) * kw + q]
                off_w = q * dw - pl
                j_lo, j_hi = _valid_range(off_w, sw, W, wo)
                for i in range(ho):
                    h = i * sh - pt + p * dh
                    if h < 0 or h >= H:
                        continue
                    dst = gxn[c, h]
                    base = i * wo
                    if sw == 1:
                        dst[j_lo + off_w:j_hi + off_w] += row[base + j_lo:base + j_hi]
                    else:
                        for j in range(j_lo, j_hi):
                            dst[j * sw + off_w] += row[base + j]


# --------------------------------------------------------------------------- the three passes
@njit(cache=True, parallel=True)
def _conv_forward(x, w3, bias, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo, gemm_addr, cols,
                  y):  # pragma: no cover
    """y[n] = bias + w_g @ cols_g(x[n]) for every image and group; see the module doc.
    Cost: 2·N·O·Kg·L FLOPs (GEMM) + N·K·L column writes + N·O·L bias writes."""
    N = x.shape[0]
    G, Og, Kg = w3.shape
    L = ho * wo
    T = cols.shape[0]
    for t in prange(T):
        col = cols[t]
        for n in range(t, N, T):
            im2col_image(x[n], kh, kw, sh, sw, pt, pl, dh, dw, ho, wo, col)
            yn = y[n]
            for o in range(G * Og):
                yn[o, :] = bias[o]
            for g in range(G):
                gemm_into(gemm_addr, False, False, w3[g], col[g * Kg:(g + 1) * Kg], 1.0,
                          yn[g * Og:(g + 1) * Og])


@njit(cache=True, parallel=True)
def _conv_backward_input(gy3, w3, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo, gemm_addr, cols,
                         gx):  # pragma: no cover
    """gcols = w_gᵀ @ gy[n]_g per group, then col2im into gx[n]; see the module doc.
    Cost: 2·N·O·Kg·L FLOPs (GEMM) + N·K·L additions (col2im)."""
    N = gy3.shape[0]
    G, Og, Kg = w3.shape
    T = cols.shape[0]
    for t in prange(T):
        col = cols[t]
        for n in range(t, N, T):
            gyn = gy3[n]
            for g in range(G):
                gemm_into(gemm_addr, True, False, w3[g], gyn[g * Og:(g + 1) * Og], 0.0,
                          col[g * Kg:(g + 1) * Kg])
            col2im_image(col, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo, gx[n])


@njit(cache=True, parallel=True)
def _conv_backward_weight(gy3, x, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo, gemm_addr, cols,
                          gw_parts):  # pragma: no cover
    """gw_parts[t, g] = Σ_{n handled by thread t} gy[n]_g @ cols_g(x[n])ᵀ; the caller sums
    over t. Cost: 2·N·O·Kg·L FLOPs (GEMM) + N·K·L column writes."""
    N = x.shape[0]
    T, G, Og, Kg = gw_parts.shape
    for t in prange(T):
        col = cols[t]
        acc = gw_parts[t]
        acc[:, :, :] = 0
        for n in range(t, N, T):
            im2col_image(x[n], kh, kw, sh, sw, pt, pl, dh, dw, ho, wo, col)
            gyn = gy3[n]
            for g in range(G):
                gemm_into(gemm_addr, False, True, gyn[g * Og:(g + 1) * Og],
                          col[g * Kg:(g + 1) * Kg], 1.0, acc[g])


@njit(cache=True, parallel=True)
def sum_batch_space(g):  # pragma: no cover
    """gb[o] = Σ_{n,l} g[n, o, l] for g of shape (N, O, L) — conv bias grad (and, with L = 1,
    linear bias grad).

    Parallel over o; each thread sums N contiguous runs of L. Accumulates in float64 (then
    rounds to g's dtype), so float32 sums over 10⁵ terms keep float32 precision.
    Cost: N·O·L additions, N·O·L elements read."""
    N, O, L = g.shape
    out = np.empty(O, dtype=g.dtype)
    for o in prange(O):
        acc = 0.0
        for n in range(N):
            for l in range(L):
                acc += g[n, o, l]
        out[o] = acc
    return out


# --------------------------------------------------------------------------- Python entry points
Geometry = Tuple[int, int, int, int, int, int, int, int]


def _geometry(w_shape, stride, padding, dilation) -> Geometry:
    """(kh, kw, sh, sw, pt, pl, dh, dw) as Python ints (one compiled signature for all)."""
    return (int(w_shape[2]), int(w_shape[3]), int(stride[0]), int(stride[1]), int(padding[0]),
            int(padding[2]), int(dilation[0]), int(dilation[1]))


def _buffers(n_images: int, rows: int, cols: int, dtype) -> np.ndarray:
    """One (rows, cols) column buffer per thread that will have work."""
    threads = max(1, min(numba.get_num_threads(), n_images))
    return np.empty((threads, rows, cols), dtype)


def conv2d_forward(x: np.ndarray, w: np.ndarray, b: Optional[np.ndarray], stride, padding,
                   dilation, groups: int, out_hw, gemm_addr: int) -> np.ndarray:
    """y[n, o, i, j] = b[o] + Σ_{c,p,q} x_pad[n, g·Cg + c, i·sh + p·dh, j·sw + q·dw] · w[o, c, p, q]
    (see :func:`_conv_forward`)."""
    N, C = x.shape[0], x.shape[1]
    O, Cg, kh, kw = w.shape
    G = int(groups)
    ho, wo = int(out_hw[0]), int(out_hw[1])
    bias = np.zeros(O, x.dtype) if b is None else b
    y = np.empty((N, O, ho * wo), x.dtype)
    cols = _buffers(N, C * kh * kw, ho * wo, x.dtype)
    with blas_threads(1):  # one single-threaded BLAS call per Numba thread
        _conv_forward(x, w.reshape(G, O // G, Cg * kh * kw), bias,
                      *_geometry(w.shape, stride, padding, dilation), ho, wo, gemm_addr, cols, y)
    return y.reshape(N, O, ho, wo)


def conv2d_backward_input(gy: np.ndarray, w: np.ndarray, x_shape, stride, padding, dilation,
                          groups: int, gemm_addr: int) -> np.ndarray:
    """gx = ∂L/∂x (see :func:`_conv_backward_input`). Returns (N, C, H, W)."""
    N, C, H, W = (int(s) for s in x_shape)
    O, Cg, kh, kw = w.shape
    G = int(groups)
    ho, wo = gy.shape[2], gy.shape[3]
    gx = np.empty((N, C, H, W), gy.dtype)
    cols = _buffers(N, C * kh * kw, ho * wo, gy.dtype)
    with blas_threads(1):  # one single-threaded BLAS call per Numba thread
        _conv_backward_input(gy.reshape(N, O, ho * wo), w.reshape(G, O // G, Cg * kh * kw),
                             *_geometry(w.shape, stride, padding, dilation), ho, wo, gemm_addr,
                             cols, gx)
    return gx


def conv2d_backward_weight(gy: np.ndarray, x: np.ndarray, w_shape, stride, padding, dilation,
                           groups: int, gemm_addr: int) -> np.ndarray:
    """gw[o, c, p, q] = Σ_{n,i,j} gy[n, o, i, j] · x_pad[n, g·Cg + c, i·sh + p·dh, j·sw + q·dw]
    (see :func:`_conv_backward_weight`). Returns w_shape."""
    N, C = x.shape[0], x.shape[1]
    O, Cg, kh, kw = (int(s) for s in w_shape)
    G = int(groups)
    ho, wo = gy.shape[2], gy.shape[3]
    cols = _buffers(N, C * kh * kw, ho * wo, gy.dtype)
    parts = np.empty((cols.shape[0], G, O // G, Cg * kh * kw), gy.dtype)
    with blas_threads(1):  # one single-threaded BLAS call per Numba thread
        _conv_backward_weight(gy.reshape(N, O, ho * wo), x,
                              *_geometry(w_shape, stride, padding, dilation), ho, wo, gemm_addr,
                              cols, parts)
    gw = parts[0] if parts.shape[0] == 1 else parts.sum(axis=0)
    return gw.reshape(O, Cg, kh, kw)


def conv2d_backward_bias(gy: np.ndarray) -> np.ndarray:
    """gb[o] = Σ_{n,i,j} gy[n, o, i, j] (see :func:`sum_batch_space`)."""
    return sum_batch_space(gy.reshape(gy.shape[0], gy.shape[1], -1))
