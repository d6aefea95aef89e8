"""2-D convolution as im2col + GEMM, parallel over the images of the batch — and the router
that sends float32 one-group passes to the direct kernels
(:mod:`minitorch.backends.numba.direct`, no GEMM; the forward only with stride 1 along the
width and 8 | Wo), which are faster there.

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
    weight grad   gw_gᵀ   (Kg, Og) += cols_g (Kg, L) @ gy[n]_gᵀ (L, Og)   (transposed at the end)

**Parallel layout.** Each kernel runs ``prange`` over the T threads; thread t takes images
t, t+T, t+2T, ... and owns one (K, L) column buffer (and, for the weight gradient, one
(Kg, Og) accumulator per group, summed at the end). An image's columns are at most a few
hundred KB for the seed CNN, so im2col writes them into the thread's L2 and the GEMM reads them
from there; nothing of size N·K·L is ever allocated. No two threads write the same element.

**Where the GEMM goes.** To :func:`minitorch.backends.numba.gemm.gemm_into`, called inside the
parallel loop: OpenBLAS's ``cblas_sgemm``/``cblas_dgemm`` through its address (single-threaded
BLAS, one call per thread), or the pure-Numba tiled GEMM when ``gemm_addr == 0``.
"""

from __future__ import annotations

from typing import Optional, Tuple

import numba
import numpy as np
from numba import njit, prange

from minitorch.backends.numba.copies import U, copy_run, pad_image
from minitorch.backends.numba.direct import (
    BLOCK_O,
    GRAD_BLOCK_K,
    GRAD_BLOCK_O,
    direct_applies,
    direct_forward,
    direct_grad_applies,
    direct_weight_grad,
)
from minitorch.backends.numba.gemm import gemm_into
from minitorch.backends.numba.threads import blas_threads

# --------------------------------------------------------------------------- im2col / col2im

@njit(cache=True)
def im2col_image(xpad, kh, kw, sh, sw, dh, dw, ho, wo, cols):  # pragma: no cover
    """cols[(c·kH + p)·kW + q, i·Wo + j] = xpad[c, i·sh + p·dh, j·sw + q·dw] for one padded
    image ``xpad`` (C, Hp, Wp) (see :func:`pad_image`). Serial (the caller is parallel over
    images).

    Every (row, i) is a run of Wo elements — a unit-stride copy (:func:`copy_run`) when
    sw = 1. Cost: 0 FLOPs; K·L elements written, each padded pixel read up to kH·kW times
    (from L1/L2)."""
    C = xpad.shape[0]
    uwo, usw = U(wo), U(sw)
    for c in range(C):
        for p in range(kh):
            for q in range(kw):
                dst = cols[(c * kh + p) * kw + q]
                off = U(q * dw)
                for i in range(ho):
                    src = xpad[c, i * sh + p * dh]
                    base = U(i * wo)
                    if sw == 1:
                        copy_run(src, off, dst, base, uwo)
                    else:
                        for j in range(uwo):
                            dst[base + j] = src[off + j * usw]


@njit(cache=True)
def col2im_image(cols, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo, gpad, gxn):  # pragma: no cover
    """gxn[c, h, w] = Σ_{p,q,i,j : i·sh - pt + p·dh = h, j·sw - pl + q·dw = w}
    cols[(c·kH + p)·kW + q, i·Wo + j] — the adjoint of :func:`im2col_image` (then of
    :func:`pad_image`), for one image.

    Scatter-add every (row, i) run into the zeroed padded buffer ``gpad`` (C, Hp, Wp), then
    copy its interior to gxn (gradients that land in the padding are dropped). (Blocks of 8
    as in :func:`copy_run` made these read-modify-write runs slower, measured 12–26%, so they
    stay plain loops.) Serial (the caller is parallel over images).
    Cost: K·L additions; K·L read, C·H·W written."""
    C, H, W = gxn.shape
    gpad[:, :, :] = 0
    uwo, usw = U(wo), U(sw)
    for c in range(C):
        for p in range(kh):
            for q in range(kw):
                src = cols[(c * kh + p) * kw + q]
                off = U(q * dw)
                for i in range(ho):
                    dst = gpad[c, i * sh + p * dh]
                    base = U(i * wo)
                    if sw == 1:
                        for j in range(uwo):
                            dst[off + j] += src[base + j]
                    else:
                        for j in range(uwo):
                            dst[off + j * usw] += src[base + j]
        for h in range(H):
            copy_run(gpad[c, h + pt], U(pl), gxn[c, h], U(0), U(W))


# --------------------------------------------------------------------------- the three passes
@njit(cache=True, parallel=True)
def _conv_forward(x, w3, bias, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo, gemm_addr, pads, cols,
                  y):  # pragma: no cover
    """y[n] = bias + w_g @ cols_g(x[n]) for every image and group; see the module doc.
    Cost: 2·N·O·Kg·L FLOPs (GEMM) + N·K·L column writes + N·O·L bias writes."""
    N = x.shape[0]
    G, Og, Kg = w3.shape
    T = cols.shape[0]
    for t in prange(T):
        col, xpad = cols[t], pads[t]
        for n in range(t, N, T):
            pad_image(x[n], pt, pl, xpad)
            im2col_image(xpad, kh, kw, sh, sw, dh, dw, ho, wo, col)
            yn = y[n]
            for o in range(G * Og):
                yn[o, :] = bias[o]
            for g in range(G):
                gemm_into(gemm_addr, False, False, w3[g], col[g * Kg:(g + 1) * Kg], 1.0,
                          yn[g * Og:(g + 1) * Og])


@njit(cache=True, parallel=True)
def _conv_backward_input(gy3, w3t, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo, gemm_addr, pads,
                         cols, gx):  # pragma: no cover
    """gcols = w_gᵀ @ gy[n]_g per group, then col2im into gx[n]; see the module doc.
    ``w3t`` is w already transposed to (G, Kg, Og) and contiguous (a one-off copy of the small
    weight), so the per-image GEMM is a plain NoTrans × NoTrans product.
    Cost: 2·N·O·Kg·L FLOPs (GEMM) + N·K·L additions (col2im)."""
    N = gy3.shape[0]
    G, Kg, Og = w3t.shape
    T = cols.shape[0]
    for t in prange(T):
        col, gpad = cols[t], pads[t]
        for n in range(t, N, T):
            gyn = gy3[n]
            for g in range(G):
                gemm_into(gemm_addr, False, False, w3t[g], gyn[g * Og:(g + 1) * Og], 0.0,
                          col[g * Kg:(g + 1) * Kg])
            col2im_image(col, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo, gpad, gx[n])


@njit(cache=True, parallel=True)
def _conv_backward_weight(gy3, x, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo, gemm_addr, pads,
                          cols, gw_parts):  # pragma: no cover
    """gw_parts[t, g] = Σ_{n handled by thread t} cols_g(x[n]) @ gy[n]_gᵀ — the weight grad
    of group g *transposed*, (Kg, Og); the caller sums over t and transposes. (OpenBLAS runs
    this (Kg × L) @ (L × Og) product 13–15% faster than the (Og × L) @ (L × Kg) one on the seed
    CNN's shapes: measured 72.7 vs 63.4 GFLOP/s per thread for conv2.)
    Cost: 2·N·O·Kg·L FLOPs (GEMM) + N·K·L column writes."""
    N = x.shape[0]
    T, G, Kg, Og = gw_parts.shape
    for t in prange(T):
        col, xpad = cols[t], pads[t]
        acc = gw_parts[t]
        acc[:, :, :] = 0
        for n in range(t, N, T):
            pad_image(x[n], pt, pl, xpad)
            im2col_image(xpad, kh, kw, sh, sw, dh, dw, ho, wo, col)
            gyn = gy3[n]
            for g in range(G):
                gemm_into(gemm_addr, False, True, col[g * Kg:(g + 1) * Kg],
                          gyn[g * Og:(g + 1) * Og], 1.0, acc[g])


@njit(cache=True, parallel=True, fastmath={"reassoc"})
def sum_batch_space(g):  # pragma: no cover
    """gb[o] = Σ_{n,l} g[n, o, l] for g of shape (N, O, L) — the conv bias grad.

    Parallel over the N·O contiguous planes g[n, o, :]: each is summed into one float64
    partial, then a serial pass adds the N partials of every o (N·O additions) and rounds to
    g's dtype, so float32 sums over 10⁵ terms keep float32 precision. ``fastmath={"reassoc"}``
    (reassociation only; NaN and Inf are untouched) lets LLVM split each plane's sum over SIMD
    lanes instead of one serial chain of dependent additions.
    Cost: N·O·L additions, N·O·L elements read once."""
    N, O, L = g.shape
    part = np.empty((N, O), dtype=np.float64)
    for t in prange(N * O):
        row = g[t // O, t % O]
        acc = 0.0
        for k in range(L):
            acc += row[k]
        part[t // O, t % O] = acc
    out = np.empty(O, dtype=g.dtype)
    for o in range(O):
        acc = 0.0
        for n in range(N):
            acc += part[n, o]
        out[o] = acc
    return out


# --------------------------------------------------------------------------- Python entry points
Geometry = Tuple[int, int, int, int, int, int, int, int]


def _geometry(w_shape, stride, padding, dilation) -> Geometry:
    """(kh, kw, sh, sw, pt, pl, dh, dw) as Python ints (one compiled signature for all)."""
    return (int(w_shape[2]), int(w_shape[3]), int(stride[0]), int(stride[1]), int(padding[0]),
            int(padding[2]), int(dilation[0]), int(dilation[1]))


def _round_up(n: int, block: int) -> int:
    return -(-n // block) * block


def _buffers(x_shape, padding, rows: int, cols: int, dtype) -> Tuple[np.ndarray, np.ndarray]:
    """Per thread that will have work: one padded image (C, H + pt + pb, W + pl + pr) and one
    (rows, cols) column matrix."""
    n, c, h, w = (int(v) for v in x_shape)
    threads = max(1, min(numba.get_num_threads(), n))
    pads = np.empty((threads, c, h + int(padding[0]) + int(padding[1]),
                     w + int(padding[2]) + int(padding[3])), dtype)
    return pads, np.empty((threads, rows, cols), dtype)


def conv2d_forward(x: np.ndarray, w: np.ndarray, b: Optional[np.ndarray], stride, padding,
                   dilation, groups: int, out_hw, gemm_addr: int,
                   direct: bool = True) -> np.ndarray:
    """y[n, o, i, j] = b[o] + Σ_{c,p,q} x_pad[n, g·Cg + c, i·sh + p·dh, j·sw + q·dw] · w[o, c, p, q]
    (see :func:`_conv_forward`; the direct kernel where it applies, unless ``direct`` is
    False)."""
    N, C = x.shape[0], x.shape[1]
    O, Cg, kh, kw = w.shape
    G = int(groups)
    ho, wo = int(out_hw[0]), int(out_hw[1])
    bias = np.zeros(O, x.dtype) if b is None else b
    y = np.empty((N, O, ho * wo), x.dtype)
    if direct and direct_applies(x.dtype, stride, G, wo):
        pads, _ = _buffers(x.shape, padding, 0, 0, x.dtype)
        wk = np.zeros((Cg * kh * kw, _round_up(O, BLOCK_O)), x.dtype)  # (K, Op): tap-major
        wk[:, :O] = w.reshape(O, Cg * kh * kw).T
        geo = _geometry(w.shape, stride, padding, dilation)
        direct_forward(x, wk, bias, geo[0], geo[1], geo[2], geo[4], geo[5], geo[6], geo[7],
                       ho, wo, pads, y)
        return y.reshape(N, O, ho, wo)
    pads, cols = _buffers(x.shape, padding, C * kh * kw, ho * wo, x.dtype)
    with blas_threads(1):  # one single-threaded BLAS call per Numba thread
        _conv_forward(x, w.reshape(G, O // G, Cg * kh * kw), bias,
                      *_geometry(w.shape, stride, padding, dilation), ho, wo, gemm_addr, pads,
                      cols, y)
    return y.reshape(N, O, ho, wo)


def input_grad_as_convolution(w_shape, stride, padding, dilation, groups: int, dtype,
                               in_w: int, direct: bool = True) -> bool:
    """Whether :func:`conv2d_backward_input` takes the gather route: stride 1, one group, every
    padding at most d·(k − 1) (so the flipped convolution's padding is not negative), at least
    16 input channels, and either no more output than input channels (the im2col GEMM then
    has enough rows) or a flipped convolution that the direct kernel runs
    (:func:`minitorch.backends.numba.direct.direct_applies`: float32, width a multiple of 8;
    not when ``direct`` is False)."""
    O, Cg, kh, kw = (int(s) for s in w_shape)
    reach = (int(dilation[0]) * (kh - 1),) * 2 + (int(dilation[1]) * (kw - 1),) * 2
    if not (tuple(int(s) for s in stride) == (1, 1) and int(groups) == 1 and Cg >= 16
            and all(int(p) <= r for p, r in zip(padding, reach))):
        return False
    return O <= Cg or (direct and direct_applies(dtype, (1, 1), 1, in_w))


def conv2d_backward_input(gy: np.ndarray, w: np.ndarray, x_shape, stride, padding, dilation,
                          groups: int, gemm_addr: int, direct: bool = True) -> np.ndarray:
    """gx = ∂L/∂x. Returns (N, C, H, W). Two routes to the same sum:

    * **scatter** (any geometry, :func:`_conv_backward_input`): gcols = wᵀ @ gy[n], then
      col2im adds every column back onto the pixels it came from;
    * **gather** (stride 1, see :func:`input_grad_as_convolution`): the input gradient of a
      stride-1 convolution is itself a convolution — of gy, padded by d·(k − 1) − p on each
      side, with the kernel flipped in space and its in/out channels swapped:

          gx[n, c, h, w] = Σ_{o,p,q} gy_pad[n, o, h + p·dh, w + q·dw] · w[o, c, kH−1−p, kW−1−q]

      so it runs on the forward kernels — the direct one where it applies, else im2col of gy
      (a plain copy) and a GEMM with K = O·kH·kW — instead of col2im's read-modify-write
      scatter. Measured on the seed CNN (float32, batch 64, 2 threads), gather vs scatter:
      conv2 (32→32, 16×16) 7.3 vs 11.6 ms, conv3 (32→64, 8×8) 3.7 vs 5.4 ms (both direct);
      with few input channels (conv1: 3) the scatter wins (4.5 vs 8.1 ms), hence the rule."""
    N, C, H, W = (int(s) for s in x_shape)
    O, Cg, kh, kw = w.shape
    if input_grad_as_convolution(w.shape, stride, padding, dilation, groups, gy.dtype, W,
                                 direct):
        dh, dw = int(dilation[0]), int(dilation[1])
        flipped = np.ascontiguousarray(w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))
        pad = (dh * (kh - 1) - int(padding[0]), dh * (kh - 1) - int(padding[1]),
               dw * (kw - 1) - int(padding[2]), dw * (kw - 1) - int(padding[3]))
        return conv2d_forward(np.ascontiguousarray(gy), flipped, None, (1, 1), pad, dilation,
                              1, (H, W), gemm_addr, direct)
    G = int(groups)
    ho, wo = gy.shape[2], gy.shape[3]
    gx = np.empty((N, C, H, W), gy.dtype)
    pads, cols = _buffers(x_shape, padding, C * kh * kw, ho * wo, gy.dtype)
    with blas_threads(1):  # one single-threaded BLAS call per Numba thread
        w3t = np.ascontiguousarray(w.reshape(G, O // G, Cg * kh * kw).transpose(0, 2, 1))
        _conv_backward_input(gy.reshape(N, O, ho * wo), w3t,
                             *_geometry(w.shape, stride, padding, dilation), ho, wo, gemm_addr,
                             pads, cols, gx)
    return gx


def conv2d_backward_weight(gy: np.ndarray, x: np.ndarray, w_shape, stride, padding, dilation,
                           groups: int, gemm_addr: int, direct: bool = True) -> np.ndarray:
    """gw[o, c, p, q] = Σ_{n,i,j} gy[n, o, i, j] · x_pad[n, g·Cg + c, i·sh + p·dh, j·sw + q·dw]
    (see :func:`_conv_backward_weight`; float32 with one group runs
    :func:`minitorch.backends.numba.direct.direct_weight_grad` instead). Returns w_shape."""
    N, C = x.shape[0], x.shape[1]
    O, Cg, kh, kw = (int(s) for s in w_shape)
    G = int(groups)
    ho, wo = gy.shape[2], gy.shape[3]
    if direct and direct_grad_applies(gy.dtype, G):
        K, Op = Cg * kh * kw, _round_up(O, GRAD_BLOCK_O)
        pads, gyt = _buffers(x.shape, padding, ho * wo, Op, gy.dtype)
        parts = np.empty((pads.shape[0], _round_up(K, GRAD_BLOCK_K), Op), gy.dtype)
        geo = _geometry(w_shape, stride, padding, dilation)
        direct_weight_grad(gy.reshape(N, O, ho * wo), x, *geo, ho, wo, pads, gyt, parts)
        gwt = parts[0] if parts.shape[0] == 1 else parts.sum(axis=0)  # (Kp, Op)
        return np.ascontiguousarray(gwt[:K, :O].T).reshape(O, Cg, kh, kw)
    pads, cols = _buffers(x.shape, padding, C * kh * kw, ho * wo, gy.dtype)
    parts = np.empty((cols.shape[0], G, Cg * kh * kw, O // G), gy.dtype)
    with blas_threads(1):  # one single-threaded BLAS call per Numba thread
        _conv_backward_weight(gy.reshape(N, O, ho * wo), x,
                              *_geometry(w_shape, stride, padding, dilation), ho, wo, gemm_addr,
                              pads, cols, parts)
    gwt = parts[0] if parts.shape[0] == 1 else parts.sum(axis=0)  # (G, Kg, Og)
    return np.ascontiguousarray(gwt.transpose(0, 2, 1)).reshape(O, Cg, kh, kw)


def conv2d_backward_bias(gy: np.ndarray) -> np.ndarray:
    """gb[o] = Σ_{n,i,j} gy[n, o, i, j] (see :func:`sum_batch_space`)."""
    return sum_batch_space(gy.reshape(gy.shape[0], gy.shape[1], -1))
