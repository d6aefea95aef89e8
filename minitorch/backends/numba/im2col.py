"""The im2col route of 2-D convolution: a column matrix per image, then a GEMM — any dtype,
any geometry. :mod:`minitorch.backends.numba.conv` decides when this route runs.

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
BLAS, one call per thread), or the pure-Numba tiled GEMM when ``gemm_addr == 0``. The
input grad's products (wᵀ @ gy[n], K × Og × L: only Og = O terms each) run on this
backend's panel kernel instead where the pixels fit whole panels
(:func:`panel_lanes`), and with width stride 1 and 2n | Wo the product and the scatter are
one pass (:func:`product_scatter_image`): no column matrix at all. The seed CNN's conv1
(75 × 32 × 1024 an image) in float64: dgemm 100 µs + col2im 19 µs an image on one core →
panel product 80 µs + col2im → fused 73 µs; at batch 64 on 2 threads 4.07 → 3.34 ms
(torch 3.35; ``python -m benchmarks --only conv``).

The three entry points at the bottom have the same signatures as those of
:mod:`minitorch.backends.numba.direct`: ``forward``, ``backward_input`` (the scatter: col2im)
and ``backward_weight``.
"""

from __future__ import annotations

from typing import Optional, Tuple

import numpy as np
from numba import njit, prange

from minitorch.backends.base import Pair, Quad
from minitorch.backends.numba import simd
from minitorch.backends.numba.copies import U, buffers, copy_run, geometry, pad_image
from minitorch.backends.numba.direct import _add_pair, tap
from minitorch.backends.numba.gemm import gemm_into
from minitorch.backends.numba.panel_gemm import pack_panel, product_columns, zeros_of
from minitorch.backends.numba.simd import WIDTH, aligned_scratch, count, simd_lanes, splat
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
    copy its interior to gxn (gradients that land in the padding are dropped). The
    read-modify-write runs stay plain loops: blocks of 8 as in :func:`copy_run` were slower
    here (``benchmarks/README.md``, "Notes"). Serial (the caller is parallel over images).
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
    unpad_into(gpad, pt, pl, gxn)


@njit(cache=True)
def unpad_into(gpad, pt, pl, gxn):  # pragma: no cover
    """gxn[c, h, w] = gpad[c, h + pt, w + pl]: the interior of a padded gradient (what lands
    in the padding is dropped). Cost: C·H·W copies."""
    C, H, W = gxn.shape
    for c in range(C):
        for h in range(H):
            copy_run(gpad[c, h + pt], U(pl), gxn[c, h], U(0), U(W))


@njit(cache=True)
def product_scatter_image(at, dests, gyn, sh, wp, ho, wo, gpad, panel, lanes):  # pragma: no cover
    """gpad.flat[dests[m] + i·sh·Wp + j] += Σ_o at[m, o] · gyn[o, i·Wo + j] for every row m of
    ``at`` (K, Og) and output pixel (i, j): col2im's product and scatter in one pass, no
    column matrix. Row m of ``at`` is tap (c, p, q) of the weight (wᵀ's row (c·kH + p)·kW + q),
    dests[m] = (c·Hp + p·dh)·Wp + q·dw where that tap of pixel (0, 0) lands in the padded
    image gpad (C, Hp, Wp) — the adjoint of im2col's gather. Width stride 1, 2n | Wo.

    For each block of 2n pixels of one output row, gy's Og × 2n values are packed into a
    panel (:func:`~minitorch.backends.numba.panel_gemm.pack_panel`), then each block of 8
    taps runs the panel GEMM's register block (:func:`~minitorch.backends.numba.direct.tap`:
    sixteen vector sums over o) and adds its eight rows straight into gpad, 2n contiguous
    values each. The caller orders the taps q-major (all (c, p) of one q, then the next q):
    the eight rows of a block then land on different rows or channels of gpad, not on
    overlapping runs one value apart, whose read-after-write would stall the loads on the
    store just before them. While a panel runs, the next one's lines of gy are prefetched
    (:func:`~minitorch.backends.numba.simd.prefetch`): its Og rows are L values apart, more
    streams than the hardware prefetcher follows (float64 conv1 at batch 64, 2 threads,
    ``--only conv1``: 1.02–1.06 → 0.97–0.99 of torch's time). Serial.
    Cost: 2·K·Og·L FLOPs, K·L additions into gpad (in L1)."""
    K, Og = at.shape
    L = ho * wo
    un = U(count(lanes))
    n2 = 2 * count(lanes)
    af, gf, gyf = at.ravel(), gpad.ravel(), gyn.ravel()
    zero = splat(0.0, gf, lanes)
    for i in range(ho):
        for j0 in range(0, wo, n2):
            pack_panel(gyf, L, 0, Og, i * wo + j0, panel, lanes)
            nxt = i * wo + j0 + n2  # the next panel's columns: fetched while this one runs
            if nxt < L:
                for o in range(Og):
                    simd.prefetch(gyf, U(o * L + nxt))
                    simd.prefetch(gyf, U(o * L + nxt) + un)
            off = U(i * sh * wp + j0)
            m = 0
            while m + 8 <= K:
                acc = (zero, zero, zero, zero, zero, zero, zero, zero,
                       zero, zero, zero, zero, zero, zero, zero, zero)
                ai, bi = U(m * Og), U(0)
                for _ in range(Og):
                    acc = tap(af, ai, U(Og), panel, bi, un, acc, lanes)
                    ai += U(1)
                    bi += un + un
                a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7 = acc
                _add_pair(gf, dests[m] + off, un, False, zero, zero, a0, b0, lanes)
                _add_pair(gf, dests[m + 1] + off, un, False, zero, zero, a1, b1, lanes)
                _add_pair(gf, dests[m + 2] + off, un, False, zero, zero, a2, b2, lanes)
                _add_pair(gf, dests[m + 3] + off, un, False, zero, zero, a3, b3, lanes)
                _add_pair(gf, dests[m + 4] + off, un, False, zero, zero, a4, b4, lanes)
                _add_pair(gf, dests[m + 5] + off, un, False, zero, zero, a5, b5, lanes)
                _add_pair(gf, dests[m + 6] + off, un, False, zero, zero, a6, b6, lanes)
                _add_pair(gf, dests[m + 7] + off, un, False, zero, zero, a7, b7, lanes)
                m += 8
            while m < K:  # the taps left over, one at a time
                a0 = b0 = zero
                ai, bi = U(m * Og), U(0)
                for _ in range(Og):
                    v = af[ai]
                    a0 = simd.fma(a0, v, simd.load(panel, bi, lanes))
                    b0 = simd.fma(b0, v, simd.load(panel, bi + un, lanes))
                    ai += U(1)
                    bi += un + un
                _add_pair(gf, dests[m] + off, un, False, zero, zero, a0, b0, lanes)
                m += 1


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
                         cols, gx, panels, zeros, lanes):  # pragma: no cover
    """gcols = w_gᵀ @ gy[n]_g per group, then col2im into gx[n]; see the module doc.
    ``w3t`` is w already transposed to (G, Kg, Og) and contiguous (a one-off copy of the small
    weight), so the per-image GEMM is a plain NoTrans × NoTrans product — by BLAS
    (:func:`~minitorch.backends.numba.gemm.gemm_into`), or, when ``panels`` has room
    (panels[t]: Og·2n values per thread, ``zeros`` L zeros), by the panel kernel
    (:func:`~minitorch.backends.numba.panel_gemm.product_columns`, 2n | L).
    Cost: 2·N·O·Kg·L FLOPs (GEMM) + N·K·L additions (col2im)."""
    N = gy3.shape[0]
    G, Kg, Og = w3t.shape
    T = cols.shape[0]
    L = ho * wo
    one, no = np.int64(1), panels.shape[1] < 0  # run-time values (see panel_gemm)
    for t in prange(T):
        col, gpad = cols[t], pads[t]
        for n in range(t, N, T):
            gyn = gy3[n]
            for g in range(G):
                if panels.shape[1] > 0:  # A = w_gᵀ (rows Og apart), B = gy[n]_g (Og, L)
                    product_columns(w3t[g].ravel(), Og, one, Kg, Og, gyn[g * Og:(g + 1) * Og],
                                    no, 0, L, col[g * Kg:(g + 1) * Kg].ravel(), L, zeros,
                                    panels[t], lanes)
                else:
                    gemm_into(gemm_addr, False, False, w3t[g], gyn[g * Og:(g + 1) * Og], 0.0,
                              col[g * Kg:(g + 1) * Kg])
            col2im_image(col, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo, gpad, gx[n])


@njit(cache=True, parallel=True)
def _conv_backward_input_fused(gy3, at, dests, sh, pt, pl, ho, wo, pads, gx, panels,
                               lanes):  # pragma: no cover
    """gx[n] for the images of each thread t (t, t+T, …): gpad zeroed, then for every group
    g the products of its taps scattered into its Cg channels of gpad
    (:func:`product_scatter_image`, at[g] (Kg, Og) in the q-major tap order of ``dests``),
    then gpad's interior copied to gx[n]. Cost: 2·N·O·Kg·L FLOPs; no column matrix."""
    N = gy3.shape[0]
    G, Kg, Og = at.shape
    T, C = pads.shape[0], pads.shape[1]
    Cg = C // G
    wp = pads.shape[3]
    for t in prange(T):
        gpad = pads[t]
        for n in range(t, N, T):
            gpad[:, :, :] = 0
            for g in range(G):
                product_scatter_image(at[g], dests, gy3[n, g * Og:(g + 1) * Og], sh, wp, ho,
                                      wo, gpad[g * Cg:(g + 1) * Cg], panels[t], lanes)
            unpad_into(gpad, pt, pl, gx[n])


@njit(cache=True, parallel=True)
def _conv_backward_weight(gy3, x, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo, gemm_addr, pads,
                          cols, gw_parts):  # pragma: no cover
    """gw_parts[t, g] = Σ_{n handled by thread t} cols_g(x[n]) @ gy[n]_gᵀ — the weight grad
    of group g *transposed*, (Kg, Og); the caller sums over t and transposes (OpenBLAS runs
    this (Kg × L) @ (L × Og) product faster than the (Og × L) @ (L × Kg) one on the seed
    CNN's shapes: ``benchmarks/README.md``, "Notes").
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


# --------------------------------------------------------------------------- Python entry points
def forward(x: np.ndarray, w: np.ndarray, b: Optional[np.ndarray], stride: Pair, padding: Quad,
            dilation: Pair, groups: int, out_hw: Pair, gemm_addr: int) -> np.ndarray:
    """y[n, o, i, j] = b[o] + Σ_{c,p,q} x_pad[n, g·Cg + c, i·sh + p·dh, j·sw + q·dw] · w[o, c, p, q]
    (see :func:`_conv_forward`). Returns (N, O, Ho, Wo)."""
    N, C = x.shape[0], x.shape[1]
    O, Cg, kh, kw = w.shape
    G = int(groups)
    ho, wo = int(out_hw[0]), int(out_hw[1])
    bias = np.zeros(O, x.dtype) if b is None else b
    y = np.empty((N, O, ho * wo), x.dtype)
    pads, cols = buffers(x.shape, padding, C * kh * kw, ho * wo, x.dtype)
    with blas_threads(1):  # one single-threaded BLAS call per Numba thread
        _conv_forward(x, w.reshape(G, O // G, Cg * kh * kw), bias,
                      *geometry(w.shape, stride, padding, dilation), ho, wo, gemm_addr, pads,
                      cols, y)
    return y.reshape(N, O, ho, wo)


def backward_input(gy: np.ndarray, w: np.ndarray, x_shape: Tuple[int, ...], stride: Pair,
                   padding: Quad, dilation: Pair, groups: int, gemm_addr: int,
                   own_gemm: bool = True) -> np.ndarray:
    """gx = ∂L/∂x by the scatter: gcols = wᵀ @ gy[n], then col2im adds every column back onto
    the pixels it came from (see :func:`_conv_backward_input`). The per-image product runs on
    the panel kernel where it fits (:func:`panel_lanes`) — fused with the scatter when the
    width stride is 1 and 2n | Wo (:func:`_conv_backward_input_fused`) — else on
    ``gemm_addr``'s GEMM (see the module doc). Returns (N, C, H, W)."""
    N, C, H, W = (int(s) for s in x_shape)
    O, Cg, kh, kw = w.shape
    G = int(groups)
    ho, wo = gy.shape[2], gy.shape[3]
    gx = np.empty((N, C, H, W), gy.dtype)
    lanes = panel_lanes(gy.dtype, ho * wo, gemm_addr, own_gemm)
    kh, kw, sh, sw, pt, pl, dh, dw = geometry(w.shape, stride, padding, dilation)
    fused = fused_scatter(gy.dtype, wo, sw, gemm_addr, own_gemm)
    # per thread: a padded image, and a column matrix unless the scatter is fused
    pads, cols = buffers(x_shape, padding, 0 if fused else C * kh * kw, ho * wo, gy.dtype)
    if fused:  # product and scatter in one pass
        hp, wp = pads.shape[2], pads.shape[3]
        q, c, p = np.meshgrid(np.arange(kw), np.arange(Cg), np.arange(kh), indexing="ij")
        order = ((c * kh + p) * kw + q).ravel()  # the taps q-major: (q, c, p)
        at = np.ascontiguousarray(w.reshape(G, O // G, Cg * kh * kw).transpose(0, 2, 1)
                                  [:, order])
        dests = ((c * hp + p * dh) * wp + q * dw).ravel().astype(np.uint64)
        panels = aligned_scratch("col2im panels", (pads.shape[0], (O // G) * 2 * lanes),
                                 gy.dtype)
        _conv_backward_input_fused(gy.reshape(N, O, ho * wo), at, dests, sh, pt, pl, ho, wo,
                                   pads, gx, panels, WIDTH[lanes])
        return gx
    panels = aligned_scratch("col2im panels", (cols.shape[0], (O // G) * 2 * lanes), gy.dtype)
    zeros = zeros_of(ho * wo if lanes else 0, gy.dtype)
    with blas_threads(1):  # one single-threaded BLAS call per Numba thread
        w3t = np.ascontiguousarray(w.reshape(G, O // G, Cg * kh * kw).transpose(0, 2, 1))
        _conv_backward_input(gy.reshape(N, O, ho * wo), w3t,
                             *geometry(w.shape, stride, padding, dilation), ho, wo, gemm_addr,
                             pads, cols, gx, panels, zeros, WIDTH[lanes or 8])
    return gx


def fused_scatter(dtype: np.dtype, out_w: int, width_stride: int, gemm_addr: int,
                  own_gemm: bool = True) -> bool:
    """Whether :func:`backward_input` runs its products and scatter as one pass
    (:func:`_conv_backward_input_fused`): the panel kernel applies (:func:`panel_lanes`),
    the width stride is 1 and each output row is whole panels (2n | Wo)."""
    lanes = panel_lanes(dtype, int(out_w), gemm_addr, own_gemm)
    return bool(lanes) and int(width_stride) == 1 and int(out_w) % (2 * lanes) == 0


def panel_lanes(dtype: np.dtype, pixels: int, gemm_addr: int, own_gemm: bool = True) -> int:
    """The vector width n at which :func:`backward_input`'s per-image products run on the
    panel kernel — float32 or float64, a BLAS ``gemm_addr`` (not the tiled study GEMM),
    ``own_gemm`` and whole panels (2n | pixels, the L = Ho·Wo columns) — else 0 (BLAS)."""
    if not (own_gemm and gemm_addr != 0 and dtype in (np.float32, np.float64)):
        return 0
    lanes = simd_lanes(dtype)
    return lanes if pixels % (2 * lanes) == 0 else 0


def backward_weight(gy: np.ndarray, x: np.ndarray, w_shape: Tuple[int, ...], stride: Pair,
                    padding: Quad, dilation: Pair, groups: int, gemm_addr: int) -> np.ndarray:
    """gw[o, c, p, q] = Σ_{n,i,j} gy[n, o, i, j] · x_pad[n, g·Cg + c, i·sh + p·dh, j·sw + q·dw]
    (see :func:`_conv_backward_weight`). Returns w_shape."""
    N, C = x.shape[0], x.shape[1]
    O, Cg, kh, kw = (int(s) for s in w_shape)
    G = int(groups)
    ho, wo = gy.shape[2], gy.shape[3]
    pads, cols = buffers(x.shape, padding, C * kh * kw, ho * wo, gy.dtype)
    parts = np.empty((cols.shape[0], G, Cg * kh * kw, O // G), gy.dtype)
    with blas_threads(1):  # one single-threaded BLAS call per Numba thread
        _conv_backward_weight(gy.reshape(N, O, ho * wo), x,
                              *geometry(w_shape, stride, padding, dilation), ho, wo, gemm_addr,
                              pads, cols, parts)
    gwt = parts[0] if parts.shape[0] == 1 else parts.sum(axis=0)  # (G, Kg, Og)
    return np.ascontiguousarray(gwt.transpose(0, 2, 1)).reshape(O, Cg, kh, kw)
