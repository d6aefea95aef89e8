"""The direct route of 2-D convolution: computed from the padded image — no column matrix,
no BLAS. :mod:`minitorch.backends.numba.conv` decides when this route runs (float32 or
float64, one group; the forward also needs stride 1 along the width and an output width Wo that is a
multiple of 8). Its entry points have the same signatures as those of
:mod:`minitorch.backends.numba.im2col`: :func:`forward` and :func:`backward_weight` (the
input gradient runs here as a flipped forward convolution; the router does the flip).

The forward pass (any row stride, any dilation):

    y[n, o, i, j] = b[o] + Σ_{c,p,q} w[o, c, p, q] · x_pad[n, c, i·sh + p·dh, j + q·dw]

**Why it is faster than im2col + GEMM on small layers.** im2col writes K = C·kH·kW rows of
L = Ho·Wo values per image, OpenBLAS then copies them once more into its packed panels, and
only then multiplies. Here the eight pixels j … j+7 of output row i read eight *consecutive*
padded pixels x_pad[c, i·sh + p·dh, j + q·dw …], for every tap (c, p, q): the padded image
already is the GEMM's packed panel, one 8-lane load per tap. With the K tap offsets in a table

    tap[k] = (c·Hp + p·dh)·Wp + q·dw          k = (c·kH + p)·kW + q

output pixels b … b+15 (two vectors of 8, each inside one row since 8 | Wo) of six output
channels o … o+5 are twelve running sums that stay in registers for the whole sum over k:

    for k in 0 .. K-1:
        xa = x_pad.flat[tap[k] + start(b) : +8]        (vector: pixels b   .. b+7)
        xb = x_pad.flat[tap[k] + start(b+8) : +8]      (vector: pixels b+8 .. b+15)
        for r in 0 .. 5:                               (unrolled)
            acc_a[r] += w[o+r, k] · xa;  acc_b[r] += w[o+r, k] · xb

(the channels left over by blocks of 6 run as 4 channels × 24 pixels, again twelve sums)
— per k two vector loads, six scalar broadcasts and twelve fused multiply-adds, so the
arithmetic units, not the loads, set the pace (12 sums × 8 lanes: the 16 AVX registers hold
them plus xa, xb and one weight). The vectors are :mod:`minitorch.backends.numba.simd`'s
``f32x(lanes)``; the same arithmetic as the GEMM (every term a float32 FMA), summed in chunks
of ``CHUNK_K`` taps, each in the order of k.

**Vector width and dtype.** The above is written for 8 float32 lanes; every kernel here takes
the lane count n as a compile-time constant (``lanes``, a
:class:`~minitorch.backends.numba.simd.Width` whose Numba type carries n) and runs the same
blocks with vectors of n values of the arrays' dtype — float32 or float64 (then n is half
the float32 width: 4 on AVX2, 8 on AVX-512): 2n pixels × 6 channels in the forward (n | Wo needed,
else the forward runs at 8), 2n channels × 6 taps in the weight gradient. n = 16 fills
AVX-512's 512-bit registers (32 of them: the twelve sums fit as before); n is
:func:`~minitorch.backends.numba.simd.simd_lanes` unless a caller passes one. Each width is
one machine-code variant, compiled on first use and cached on its own.

**Parallel layout.** As in the im2col kernels: thread t pads images t, t+T, … into its own
(C, Hp, Wp) buffer and computes all of that image's outputs. (Timings against the im2col
route: ``benchmarks/README.md``.)
"""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np
from numba import njit

from minitorch.backends.base import Pair, Quad
from minitorch.backends.numba.copies import U, buffers, geometry, pad_image, round_up
from minitorch.backends.numba.simd import (
    WIDTH,
    add,
    count,
    fma,
    halves_hi,
    halves_lo,
    load,
    pairs_hi,
    pairs_lo,
    simd_lanes,
    splat,
    store,
    unpack_hi,
    unpack_lo,
)
from minitorch.backends.numba.threads import parallel_for

BLOCK_O = 6    # output channels per register block (the caller pads the weight to whole blocks)
CHUNK_K = 256  # taps summed in registers before they are added to y


@njit(cache=True)
def tap_offsets(C, kh, kw, hp, wp, dh, dw):  # pragma: no cover
    """tap[(c·kH + p)·kW + q] = (c·Hp + p·dh)·Wp + q·dw: where tap (c, p, q) of output pixel
    (0, 0) sits in the flattened padded image (C, Hp, Wp)."""
    taps = np.empty(C * kh * kw, np.uint64)
    for c in range(C):
        for p in range(kh):
            for q in range(kw):
                taps[(c * kh + p) * kw + q] = (c * hp + p * dh) * wp + q * dw
    return taps


@njit(cache=True)
def direct_conv_image(xpad, wk, bias, taps, sh, ho, wo, yn, lanes):  # pragma: no cover
    """yn[o, i·Wo + j] = bias[o] + Σ_k wk[k, o] · xpad.flat[taps[k] + i·sh·Wp + j] for one
    padded image ``xpad`` (C, Hp, Wp); ``wk`` is the weight as (K, Op) (tap-major; O rounded
    up to whole blocks of 6 with zero columns, so a last block of 5 channels runs the same
    code and stores only its real rows; the last 1–4, or 8 as 4 + 4, go to
    :func:`_four_channels`), ``yn`` (O, Ho·Wo). Serial (the caller is
    parallel over images); see the module doc for the register block. The sum over k runs
    in chunks of ``CHUNK_K`` taps, each summed from zero in registers and then added to y
    (as a GEMM's K blocks are): float32 error then grows with the chunk, not with all K
    terms.
    Cost: 2·O·K·L FLOPs; the image and weight are read from cache, y written once per chunk."""
    K = wk.shape[0]
    O = yn.shape[0]
    wp = xpad.shape[2]
    L = ho * wo
    xf, wf = xpad.ravel(), wk.ravel()
    uO = U(wk.shape[1])
    n = count(lanes)
    o = np.int64(0)  # not the literal 0: _four_channels is compiled for one type of o
    while o < O:
        rest = O - o
        if rest == 8 or rest <= 4:  # 32 = 6+6+6+6+4+4: the 4 × 24 block takes the remainder
            rows = min(4, rest)
            _four_channels(xf, wf, uO, taps, K, o, rows, sh, wp, wo, L, bias, yn, lanes)
            o += rows
            continue
        rows = min(BLOCK_O, rest)  # 6, or 5 in a last block (the spare row is not stored)
        for b in range(0, L, 2 * n):
            two = b + n < L  # the last block may hold one vector only (L = n mod 2n)
            bb = b + n if two else b
            xa0 = U((b // wo) * sh * wp + b % wo)
            xb0 = U((bb // wo) * sh * wp + bb % wo)
            for k0 in range(0, K, CHUNK_K):
                k1 = U(min(k0 + CHUNK_K, K))
                first = k0 == 0
                a0 = a1 = a2 = a3 = a4 = a5 = splat(0.0, xf, lanes)
                b0 = b1 = b2 = b3 = b4 = b5 = a0
                wi = U(k0) * uO + U(o)
                for k in range(U(k0), k1):
                    xa = load(xf, taps[k] + xa0, lanes)
                    xb = load(xf, taps[k] + xb0, lanes)
                    w = wf[wi]
                    a0, b0 = fma(a0, w, xa), fma(b0, w, xb)
                    w = wf[wi + U(1)]
                    a1, b1 = fma(a1, w, xa), fma(b1, w, xb)
                    w = wf[wi + U(2)]
                    a2, b2 = fma(a2, w, xa), fma(b2, w, xb)
                    w = wf[wi + U(3)]
                    a3, b3 = fma(a3, w, xa), fma(b3, w, xb)
                    w = wf[wi + U(4)]
                    a4, b4 = fma(a4, w, xa), fma(b4, w, xb)
                    w = wf[wi + U(5)]
                    a5, b5 = fma(a5, w, xa), fma(b5, w, xb)
                    wi += uO
                _add_block(yn[o], b, two, first, bias[o], a0, b0, lanes)
                if rows > 1:
                    _add_block(yn[o + 1], b, two, first, bias[o + 1], a1, b1, lanes)
                if rows > 2:
                    _add_block(yn[o + 2], b, two, first, bias[o + 2], a2, b2, lanes)
                if rows > 3:
                    _add_block(yn[o + 3], b, two, first, bias[o + 3], a3, b3, lanes)
                if rows > 4:
                    _add_block(yn[o + 4], b, two, first, bias[o + 4], a4, b4, lanes)
                if rows > 5:
                    _add_block(yn[o + 5], b, two, first, bias[o + 5], a5, b5, lanes)
        o += rows


@njit(cache=True)
def _four_channels(xf, wf, uO, taps, K, o, rows, sh, wp, wo, L, bias, yn,
                   lanes):  # pragma: no cover
    """The last 1–4 channels o … o+rows-1 of :func:`direct_conv_image`, as blocks of 4
    channels × 24 pixels (three vectors): twelve sums again, so the remainder of O mod 6
    runs at the main block's pace instead of padding a 6-wide block with zero channels
    (O = 32: 36 channels' work → 32.3). Per k three vector loads, four broadcasts, twelve
    FMAs; vectors past L repeat the first one and are not stored."""
    n = count(lanes)
    for b in range(0, L, 3 * n):
        p1 = b + n if b + n < L else b
        p2 = b + 2 * n if b + 2 * n < L else b
        x0 = U((b // wo) * sh * wp + b % wo)
        x1 = U((p1 // wo) * sh * wp + p1 % wo)
        x2 = U((p2 // wo) * sh * wp + p2 % wo)
        for k0 in range(0, K, CHUNK_K):
            a0 = a1 = a2 = a3 = splat(0.0, xf, lanes)
            b0 = b1 = b2 = b3 = c0 = c1 = c2 = c3 = a0
            wi = U(k0) * uO + U(o)
            for k in range(U(k0), U(min(k0 + CHUNK_K, K))):
                xa, xb, xc = load(xf, taps[k] + x0, lanes), load(xf, taps[k] + x1, lanes), \
                    load(xf, taps[k] + x2, lanes)
                w = wf[wi]
                a0, b0, c0 = fma(a0, w, xa), fma(b0, w, xb), fma(c0, w, xc)
                w = wf[wi + U(1)]
                a1, b1, c1 = fma(a1, w, xa), fma(b1, w, xb), fma(c1, w, xc)
                w = wf[wi + U(2)]
                a2, b2, c2 = fma(a2, w, xa), fma(b2, w, xb), fma(c2, w, xc)
                w = wf[wi + U(3)]
                a3, b3, c3 = fma(a3, w, xa), fma(b3, w, xb), fma(c3, w, xc)
                wi += uO
            first = k0 == 0
            _add_three(yn[o], b, p1, p2, first, bias[o], a0, b0, c0, lanes)
            if rows > 1:
                _add_three(yn[o + 1], b, p1, p2, first, bias[o + 1], a1, b1, c1, lanes)
            if rows > 2:
                _add_three(yn[o + 2], b, p1, p2, first, bias[o + 2], a2, b2, c2, lanes)
            if rows > 3:
                _add_three(yn[o + 3], b, p1, p2, first, bias[o + 3], a3, b3, c3, lanes)


@njit(cache=True, inline="always")
def _add_three(row, b, p1, p2, first, bias, va, vb, vc, lanes):  # pragma: no cover
    """:func:`_add_vec` of va at b, and of vb at p1 and vc at p2 where they are not b."""
    _add_vec(row, b, first, bias, va, lanes)
    if p1 != b:
        _add_vec(row, p1, first, bias, vb, lanes)
    if p2 != b:
        _add_vec(row, p2, first, bias, vc, lanes)


@njit(cache=True, inline="always")
def _add_vec(row, p, first, bias, v, lanes):  # pragma: no cover
    """row[p : p+lanes] = (bias if first else row[p : p+lanes]) + v."""
    up = U(p)
    store(row, up, add(splat(bias, row, lanes) if first else load(row, up, lanes), v))


@njit(cache=True, inline="always")
def _add_block(row, b, two, first, bias, va, vb, lanes):  # pragma: no cover
    """:func:`_add_vec` of va at b, and of vb at b+lanes if the block has two vectors."""
    _add_vec(row, b, first, bias, va, lanes)
    if two:
        _add_vec(row, b + count(lanes), first, bias, vb, lanes)


@njit(cache=True, nogil=True)
def direct_forward(lo, hi, x, wk, bias, kh, kw, sh, pt, pl, dh, dw, ho, wo, pads, y,
                   lanes):  # pragma: no cover
    """y[n] = the convolution of image n (see :func:`direct_conv_image`) for the images
    n = t, t+T, … of the threads t in [lo, hi) (T = len(pads), thread t pads into pads[t]);
    run by :func:`~minitorch.backends.numba.threads.parallel_for` over range(T), a chunk per
    thread; y is (N, O, Ho·Wo). ``lanes`` is the vector width
    as a :class:`~minitorch.backends.numba.simd.Width` (its count dividing Wo): a
    compile-time constant, one machine-code variant per width."""
    N = x.shape[0]
    T, C, hp, wp = pads.shape
    taps = tap_offsets(C, kh, kw, hp, wp, dh, dw)
    for t in range(lo, hi):
        xpad = pads[t]
        for n in range(t, N, T):
            pad_image(x[n], pt, pl, xpad)
            direct_conv_image(xpad, wk, bias, taps, sh, ho, wo, y[n], lanes)


# --------------------------------------------------------------------------- weight gradient
GRAD_BLOCK_K = 6   # taps per register block of the weight gradient
GRAD_CHUNK_L = 128  # pixels per pass over the blocks (their gy rows stay in L1)


@njit(cache=True)
def pixel_starts(ho, wo, sh, sw, wp):  # pragma: no cover
    """start[i·Wo + j] = i·sh·Wp + j·sw: where output pixel (i, j) reads tap (0, 0, 0) in the
    flattened padded image."""
    starts = np.empty(ho * wo, np.uint64)
    for i in range(ho):
        for j in range(wo):
            starts[i * wo + j] = i * sh * wp + j * sw
    return starts


@njit(cache=True)
def transpose_into(a, out):  # pragma: no cover
    """out[l, o] = a[o, l] for a (O, L) into out (L, ≥ O).

    Whole 8 × 8 tiles are transposed in registers: eight row vectors r0..r7 of a are loaded,
    then three rounds of lane shuffles (pairs of lanes, pairs of pairs, 128-bit halves —
    AVX's unpack / shuffle / permute) turn them into the tile's eight columns, stored as rows
    of out: 8 loads, 24 shuffles and 8 stores per 64 values. Rows or columns left over (O or
    L not a multiple of 8) are copied one value at a time."""
    O, L = a.shape
    O8, L8 = O - O % 8, L - L % 8
    for o0 in range(0, O8, 8):
        for l0 in range(0, L8, 8):
            ul = U(l0)
            r0, r1, r2, r3 = load(a[o0], ul, 8), load(a[o0 + 1], ul, 8), \
                load(a[o0 + 2], ul, 8), load(a[o0 + 3], ul, 8)
            r4, r5, r6, r7 = load(a[o0 + 4], ul, 8), load(a[o0 + 5], ul, 8), \
                load(a[o0 + 6], ul, 8), load(a[o0 + 7], ul, 8)
            t0, t1, t2, t3 = unpack_lo(r0, r1), unpack_hi(r0, r1), unpack_lo(r2, r3), \
                unpack_hi(r2, r3)
            t4, t5, t6, t7 = unpack_lo(r4, r5), unpack_hi(r4, r5), unpack_lo(r6, r7), \
                unpack_hi(r6, r7)
            s0, s1, s2, s3 = pairs_lo(t0, t2), pairs_hi(t0, t2), pairs_lo(t1, t3), \
                pairs_hi(t1, t3)
            s4, s5, s6, s7 = pairs_lo(t4, t6), pairs_hi(t4, t6), pairs_lo(t5, t7), \
                pairs_hi(t5, t7)
            uo = U(o0)
            store(out[l0], uo, halves_lo(s0, s4))
            store(out[l0 + 1], uo, halves_lo(s1, s5))
            store(out[l0 + 2], uo, halves_lo(s2, s6))
            store(out[l0 + 3], uo, halves_lo(s3, s7))
            store(out[l0 + 4], uo, halves_hi(s0, s4))
            store(out[l0 + 5], uo, halves_hi(s1, s5))
            store(out[l0 + 6], uo, halves_hi(s2, s6))
            store(out[l0 + 7], uo, halves_hi(s3, s7))
    for o in range(O):
        row = a[o]
        for l in range(L8 if o < O8 else 0, L):
            out[l, o] = row[l]


@njit(cache=True, nogil=True)
def direct_weight_grad(lo, hi, gy, x, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo, pads, gyt, parts,
                       lanes):  # pragma: no cover
    """For the threads t in [lo, hi) (run by
    :func:`~minitorch.backends.numba.threads.parallel_for` over range(T), T = len(pads)):
    parts[t, k, o] = Σ over the images n = t, t+T, … of Σ_l gy[n, o, l] ·
    x_pad[n].flat[taps[k] + start(l)] — the weight gradient

        gw[o, c, p, q] = Σ_{n,i,j} gy[n, o, i, j] · x_pad[n, c, i·sh + p·dh, j·sw + q·dw]

    transposed to (K, O) and before its sum over threads (the caller does it). Shapes:
    gy (N, O, L); pads (T, C, Hp, Wp); gyt (T, L, Op) and parts (T, Kp, Op) with Op = O and
    Kp = K rounded up to whole blocks (the extra channels are zeros, the extra taps repeat
    tap 0; the caller drops both).

    Per image, gy is first transposed to gyt (L, Op), so that 8 consecutive output channels
    of one pixel are one vector. The register block is 16 channels (two vectors) × 6 taps:

        for l in pixels:
            ga, gb = gyt[l, o : o+8], gyt[l, o+8 : o+16]
            for r in 0 .. 5:                       (unrolled)
                v = x_pad.flat[taps[k+r] + start(l)]          (one scalar, broadcast)
                acc_a[r] += v · ga;  acc_b[r] += v · gb

    — two vector loads, six broadcasts, twelve FMAs per pixel, as in the forward kernel; any
    stride and dilation (the scalar reads need no 8 consecutive pixels). Sums run over
    ``CHUNK_K`` pixels in registers, then are added to parts.
    Cost: 2·O·K·N·L FLOPs; N·O·L transposed copies, N·C·Hp·Wp pad writes."""
    N, O, L = gy.shape
    T, Kp, Op = parts.shape
    C, hp, wp = pads.shape[1], pads.shape[2], pads.shape[3]
    K = C * kh * kw
    taps = np.empty(Kp, np.uint64)
    real = tap_offsets(C, kh, kw, hp, wp, dh, dw)
    for k in range(Kp):  # a loop, not taps[:K] = real: an array slice assignment compiles
        taps[k] = real[k if k < K else 0]  # Numba's shape-mismatch message (str, join, ...)
    starts = pixel_starts(ho, wo, sh, sw, wp)
    lanes_n = count(lanes)
    uOp, uL = U(Op), U(lanes_n)
    for t in range(lo, hi):
        part, g, xpad = parts[t], gyt[t], pads[t]
        part[:, :] = 0
        g[:, :] = 0
        gf, xf = g.ravel(), xpad.ravel()
        for n in range(t, N, T):
            pad_image(x[n], pt, pl, xpad)
            transpose_into(gy[n], g)
            for l0 in range(0, L, GRAD_CHUNK_L):
                l1 = U(min(l0 + GRAD_CHUNK_L, L))
                for o0 in range(0, Op, 2 * lanes_n):
                    for k0 in range(0, Kp, GRAD_BLOCK_K):
                        t0, t1, t2 = taps[k0], taps[k0 + 1], taps[k0 + 2]
                        t3, t4, t5 = taps[k0 + 3], taps[k0 + 4], taps[k0 + 5]
                        a0 = a1 = a2 = a3 = a4 = a5 = splat(0.0, xf, lanes)
                        b0 = b1 = b2 = b3 = b4 = b5 = a0
                        gi = U(l0) * uOp + U(o0)
                        for l in range(U(l0), l1):
                            s = starts[l]
                            ga, gb = load(gf, gi, lanes), load(gf, gi + uL, lanes)
                            v = xf[t0 + s]
                            a0, b0 = fma(a0, v, ga), fma(b0, v, gb)
                            v = xf[t1 + s]
                            a1, b1 = fma(a1, v, ga), fma(b1, v, gb)
                            v = xf[t2 + s]
                            a2, b2 = fma(a2, v, ga), fma(b2, v, gb)
                            v = xf[t3 + s]
                            a3, b3 = fma(a3, v, ga), fma(b3, v, gb)
                            v = xf[t4 + s]
                            a4, b4 = fma(a4, v, ga), fma(b4, v, gb)
                            v = xf[t5 + s]
                            a5, b5 = fma(a5, v, ga), fma(b5, v, gb)
                            gi += uOp
                        _accumulate(part[k0], o0, a0, b0, lanes)
                        _accumulate(part[k0 + 1], o0, a1, b1, lanes)
                        _accumulate(part[k0 + 2], o0, a2, b2, lanes)
                        _accumulate(part[k0 + 3], o0, a3, b3, lanes)
                        _accumulate(part[k0 + 4], o0, a4, b4, lanes)
                        _accumulate(part[k0 + 5], o0, a5, b5, lanes)


@njit(cache=True, inline="always")
def _accumulate(row, o0, va, vb, lanes):  # pragma: no cover
    """row[o0 : o0+n] += va; row[o0+n : o0+2n] += vb (n = lanes)."""
    uo, un = U(o0), U(count(lanes))
    store(row, uo, add(load(row, uo, lanes), va))
    store(row, uo + un, add(load(row, uo + un, lanes), vb))


# --------------------------------------------------------------------------- Python entry points
def forward_lanes(out_w: int, dtype=np.float32, lanes: Optional[int] = None) -> int:
    """The vector width the forward runs at for output width ``out_w`` (a multiple of 8):
    ``lanes`` (default :func:`~minitorch.backends.numba.simd.simd_lanes` of ``dtype``) where
    it divides Wo, else 8 (a vector of output pixels must not cross a row)."""
    lanes = simd_lanes(dtype) if lanes is None else int(lanes)
    return lanes if int(out_w) % lanes == 0 else 8


def weight_lanes(dtype=np.float32, lanes: Optional[int] = None) -> int:
    """The vector width of the weight gradient (any shape runs at any width)."""
    return simd_lanes(dtype) if lanes is None else int(lanes)


def forward(x: np.ndarray, w: np.ndarray, b: Optional[np.ndarray], stride: Pair, padding: Quad,
            dilation: Pair, groups: int, out_hw: Pair, gemm_addr: int = 0,
            lanes: Optional[int] = None) -> np.ndarray:
    """y[n, o, i, j] = b[o] + Σ_{c,p,q} w[o, c, p, q] · x_pad[n, c, i·sh + p·dh, j + q·dw]
    (see :func:`direct_forward`). float32 or float64, one group, sw = 1 and 8 | Wo only
    (the router checks); ``gemm_addr`` is unused (no GEMM here); ``lanes`` as
    :func:`forward_lanes`. Returns (N, O, Ho, Wo)."""
    assert x.dtype in (np.float32, np.float64) and int(groups) == 1 and int(stride[1]) == 1
    assert int(out_hw[1]) % 8 == 0
    N = x.shape[0]
    O, Cg, kh, kw = w.shape
    ho, wo = int(out_hw[0]), int(out_hw[1])
    bias = np.zeros(O, x.dtype) if b is None else b
    y = np.empty((N, O, ho * wo), x.dtype)
    pads, _ = buffers(x.shape, padding, 0, 0, x.dtype)
    wk = np.zeros((Cg * kh * kw, round_up(O, BLOCK_O)), x.dtype)  # (K, Op): tap-major
    wk[:, :O] = w.reshape(O, Cg * kh * kw).T
    kh, kw, sh, _sw, pt, pl, dh, dw = geometry(w.shape, stride, padding, dilation)
    parallel_for(direct_forward, pads.shape[0], x, wk, bias, kh, kw, sh, pt, pl, dh, dw, ho, wo,
                 pads, y, WIDTH[forward_lanes(wo, x.dtype, lanes)])
    return y.reshape(N, O, ho, wo)


def backward_weight(gy: np.ndarray, x: np.ndarray, w_shape: Tuple[int, ...], stride: Pair,
                    padding: Quad, dilation: Pair, groups: int, gemm_addr: int = 0,
                    lanes: Optional[int] = None) -> np.ndarray:
    """gw[o, c, p, q] = Σ_{n,i,j} gy[n, o, i, j] · x_pad[n, c, i·sh + p·dh, j·sw + q·dw]
    (see :func:`direct_weight_grad`). float32 or float64 and one group only (the router
    checks); any stride, padding and dilation; ``gemm_addr`` is unused; ``lanes`` as
    :func:`weight_lanes`. Returns w_shape."""
    assert gy.dtype in (np.float32, np.float64) and int(groups) == 1
    N = x.shape[0]
    O, Cg, kh, kw = (int(s) for s in w_shape)
    ho, wo = gy.shape[2], gy.shape[3]
    lanes = weight_lanes(gy.dtype, lanes)
    K, Op = Cg * kh * kw, round_up(O, 2 * lanes)
    pads, gyt = buffers(x.shape, padding, ho * wo, Op, gy.dtype)
    parts = np.empty((pads.shape[0], round_up(K, GRAD_BLOCK_K), Op), gy.dtype)
    parallel_for(direct_weight_grad, pads.shape[0], gy.reshape(N, O, ho * wo), x,
                 *geometry(w_shape, stride, padding, dilation), ho, wo, pads, gyt, parts,
                 WIDTH[lanes])
    gwt = parts[0] if parts.shape[0] == 1 else parts.sum(axis=0)  # (Kp, Op)
    return np.ascontiguousarray(gwt[:K, :O].T).reshape(O, Cg, kh, kw)
