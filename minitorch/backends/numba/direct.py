"""The direct route of 2-D convolution: computed from the padded image — no column matrix,
no BLAS. :mod:`minitorch.backends.numba.conv` decides when this route runs (float32 or
float64, one group; the forward also needs stride 1 along the width and an output width Wo
that is a multiple of 8). Its entry points have the same signatures as those of
:mod:`minitorch.backends.numba.im2col`: :func:`forward` and :func:`backward_weight` (the
input gradient runs here as a flipped forward convolution; the router does the flip).

The forward pass (any row stride, any dilation):

    y[n, o, i, j] = b[o] + Σ_{c,p,q} w[o, c, p, q] · x_pad[n, c, i·sh + p·dh, j + q·dw]

**Why it is faster than im2col + GEMM on small layers.** im2col writes K = C·kH·kW rows of
L = Ho·Wo values per image, OpenBLAS then copies them once more into its packed panels, and
only then multiplies. Here every tap (c, p, q) of output pixel (i, j) is read straight from
the padded image, at a fixed offset from the pixel's own start. With the K tap offsets in a
table

    tap[k] = (c·Hp + p·dh)·Wp + q·dw          k = (c·kH + p)·kW + q

the eight pixels b … b+7 of one output row (8 | Wo) read x_pad.flat[tap[k] + start(b) + r],
r = 0 … 7 — one pointer and eight constant offsets — and the weight, stored tap-major in
panels of 2n output channels, wk (⌈O / 2n⌉, K, 2n) (:func:`weight_panels`), gives the 2n
channels o … o+2n−1 of tap k as two n-lane vectors, the next tap's right after them. The
forward's register block is those 8 pixels × 2n channels: sixteen running sums that stay in
registers for the whole sum over k:

    for k in 0 .. K-1:
        wa, wb = wk[o/2n, k, 0 : n], wk[o/2n, k, n : 2n]   (two vector loads)
        for r in 0 .. 7:                               (unrolled)
            v = x_pad.flat[tap[k] + start(b) + r]      (one scalar, broadcast)
            acc_a[r] += v · wa;  acc_b[r] += v · wb

— per k two vector loads and eight broadcasts (folded into the loads) for sixteen fused
multiply-adds, so the arithmetic units, not the loads, set the pace. The vectors run along
the output channels, not the pixels, so one width serves every output width (conv3 of the
seed CNN, Wo = 8, runs 16 lanes like the others, and only one forward variant compiles);
the sums come out as the output *transposed* (pixels × channels), which an 8 × 8
register transpose (:func:`transpose_into`) turns back, per image. The vectors are
:mod:`minitorch.backends.numba.simd`'s ``f32x(lanes)``; the same arithmetic as the GEMM
(every term a float32 FMA), summed in chunks of at most ``CHUNK_K`` taps, each in the order
of k. The weight and every vector buffer are 64-byte aligned
(:func:`~minitorch.backends.numba.simd.aligned_empty`): a 16-lane load then never
straddles two cache lines.

**Vector width and dtype.** Every kernel here takes the lane count n as a compile-time
constant (``lanes``, a :class:`~minitorch.backends.numba.simd.Width` whose Numba type
carries n) and runs the same blocks with vectors of n values of the arrays' dtype — float32
or float64 (then n is half the float32 width: 4 on AVX2, 8 on AVX-512): 8 pixels × 2n
channels in the forward, 2n channels × 6 taps in the weight gradient (O is rounded up to
whole blocks of 2n with zero weights). n = 16 fills AVX-512's 512-bit registers (32 of
them: sixteen sums plus the two weight vectors); n is
:func:`~minitorch.backends.numba.simd.simd_lanes` unless a caller passes one. Each width is
one machine-code variant, compiled on first use and cached on its own.

**Parallel layout.** Each thread pads images into its own buffers and computes all of their
outputs. The forward's threads take groups of G images (:func:`image_group`: about 512
output pixels, so that each chunk of the weight brought into L1 serves enough blocks) as
they go (:func:`~minitorch.backends.numba.threads.claim`: a thread that starts late, or
loses its core for a while, takes fewer); the weight gradient's thread t takes images t,
t+T, … and sums them into its own partial gradient (a fixed split, so that the sum over
threads runs in the same order on every call). (Timings against the im2col route:
``benchmarks/README.md``.)
"""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np
from numba import njit, prange

from minitorch.backends.base import Pair, Quad
from minitorch.backends.numba.copies import U, geometry, pad_image, padded_hw, round_up
from minitorch.backends.numba.simd import (
    WIDTH,
    add,
    aligned_scratch,
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
from minitorch.backends.numba.threads import call_native, claim, get_num_threads, run_on_pool

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


@njit(cache=True, inline="always")
def even_chunk(K, most):  # pragma: no cover
    """The size of ⌈K / most⌉ equal chunks covering K (K = 800, most 256: 200, not 3 × 256
    and a short 32 whose set-up would cost as much as a full one)."""
    return -(-K // -(-K // most))


@njit(cache=True)
def direct_conv_image(xpads, wk, bias, taps, sh, ho, wo, yt, lanes):  # pragma: no cover
    """yt[g·L + i·Wo + j, o] = bias[o] + Σ_k wk[k, o] · xpads[g].flat[taps[k] + i·sh·Wp + j]
    for a group of G padded images ``xpads`` (G, C, Hp, Wp): their outputs *transposed*, one
    after the other, yt (G·L, Op) (L = Ho·Wo), from the weight as panels wk (Op / 2n, K, 2n)
    (:func:`weight_panels`: tap-major, O rounded up to whole blocks of 2n channels with zero
    columns; here wk[k, o] means wk[o // 2n, k, o % 2n]) and ``bias`` (Op). Serial (the
    caller is parallel over groups); 8 | Wo.

    The register block is 8 pixels b … b+7 of one output row of one image × 2n output
    channels o … o+2n−1 (two vectors): sixteen running sums, for every tap k

        wa, wb = wk[k, o : o+n], wk[k, o+n : o+2n]           (two vector loads)
        for r in 0 .. 7:                                      (unrolled)
            v = xpad.flat[taps[k] + start(b) + r]             (one scalar, broadcast)
            acc_a[r] += v · wa;  acc_b[r] += v · wb

    — ten loads (eight of them ``vbroadcastss``) per sixteen FMAs; the eight x addresses
    are one pointer plus constants. The loop runs two taps a trip (:func:`tap` each): its
    own counter and pointer updates are scalar instructions that can take an FMA port's
    slot, now once per 32 FMAs (image kernel 1–3% faster). The sum over k runs in chunks of
    ``CHUNK_K`` taps (outermost, so that a chunk of wk stays in L1 while every block — of
    every image of the group — runs over it: a small image alone has too few blocks to
    repay bringing the chunk in, see :func:`image_group`), each summed from zero in
    registers and then added to yt (as a GEMM's K blocks are): float32 error then grows
    with the chunk, not with all K terms. (Tried:
    turning each block around in registers — a 24-shuffle 8 × n transpose — and storing y
    directly: conv1 about 5% faster, conv2 and conv3 5–10% slower, the shuffles competing
    with the FMAs for one port once per 8 pixels.)
    Cost: 2·Op·K·G·L FLOPs; yt written once per chunk."""
    P, K, n2 = wk.shape
    Op = P * n2
    G, wp = xpads.shape[0], xpads.shape[3]
    image = U(xpads.shape[1] * xpads.shape[2] * wp)
    L = ho * wo
    xf, wf, yf = xpads.ravel(), wk.ravel(), yt.ravel()
    uO, u2n = U(Op), U(n2)
    n = count(lanes)
    un = U(n)
    chunk = even_chunk(K, CHUNK_K)
    for k0 in range(0, K, chunk):
        k1 = U(min(k0 + chunk, K))
        first = k0 == 0
        for o in range(0, Op, 2 * n):
            uo = U(o)
            ba, bb = load(bias, uo, lanes), load(bias, uo + un, lanes)
            for b in range(0, G * L, 8):
                bl = b % L  # pixel bl of image b // L
                s = U(b // L) * image + U((bl // wo) * sh * wp + bl % wo)
                a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = splat(0.0, xf, lanes)
                b0 = b1 = b2 = b3 = b4 = b5 = b6 = b7 = a0
                wi = U(o) * U(K) + U(k0) * u2n  # panel o // 2n, row k0
                acc = (a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7)
                k = U(k0)
                while k + U(1) < k1:  # two taps a trip: half the loop's own instructions
                    acc = tap(xf, taps[k] + s, U(1), wf, wi, un, acc, lanes)
                    acc = tap(xf, taps[k + U(1)] + s, U(1), wf, wi + u2n, un, acc,
                              lanes)
                    wi += u2n + u2n
                    k += U(2)
                if k < k1:
                    acc = tap(xf, taps[k] + s, U(1), wf, wi, un, acc, lanes)
                add_rows(yf, U(b) * uO + uo, uO, un, first, ba, bb, acc, lanes)


# The register block's pieces (tap, add_rows, _add_pair) are plain compiled functions that
# LLVM inlines into each caller (the same FMAs and no calls in the machine code), not Numba's
# ``inline="always"``: that copies and re-types a function's body at every call site, in
# Python — the first training step of a fresh install then compiled for 1.4 s longer
# (``python -m benchmarks.coldstart --batch 64``: Numba's compile time 9.34 → 7.93 s; the
# panel GEMM's kernel 2.26 → 1.51 s, the forward's 2.23 → 2.13 s).
@njit(cache=True)
def tap(xf, t, step, wf, wi, un, acc, lanes):  # pragma: no cover
    """One tap of the forward's register block: acc_a[r] += xf[t + r·step] · wf[wi : wi+n]
    and acc_b[r] += xf[t + r·step] · wf[wi+n : wi+2n] for r = 0 … 7 (acc = acc_a ‖ acc_b):
    two vector loads, eight broadcasts, sixteen FMAs. The forward's eight pixels are
    neighbours (step 1, a constant once inlined: one pointer and eight offsets); the panel
    GEMM's eight rows are ``step`` apart (:mod:`~minitorch.backends.numba.panel_gemm`)."""
    a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7 = acc
    wa, wb = load(wf, wi, lanes), load(wf, wi + un, lanes)
    v = xf[t]
    a0, b0 = fma(a0, v, wa), fma(b0, v, wb)
    v = xf[t + U(1) * step]
    a1, b1 = fma(a1, v, wa), fma(b1, v, wb)
    v = xf[t + U(2) * step]
    a2, b2 = fma(a2, v, wa), fma(b2, v, wb)
    v = xf[t + U(3) * step]
    a3, b3 = fma(a3, v, wa), fma(b3, v, wb)
    v = xf[t + U(4) * step]
    a4, b4 = fma(a4, v, wa), fma(b4, v, wb)
    v = xf[t + U(5) * step]
    a5, b5 = fma(a5, v, wa), fma(b5, v, wb)
    v = xf[t + U(6) * step]
    a6, b6 = fma(a6, v, wa), fma(b6, v, wb)
    v = xf[t + U(7) * step]
    a7, b7 = fma(a7, v, wa), fma(b7, v, wb)
    return (a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7)


@njit(cache=True)
def _add_pair(yf, i, un, first, ba, bb, va, vb, lanes):  # pragma: no cover
    """yf[i : i+2n] = (ba‖bb if first else yf[i : i+2n]) + va‖vb (n = lanes)."""
    if first:
        store(yf, i, add(ba, va))
        store(yf, i + un, add(bb, vb))
    else:
        store(yf, i, add(load(yf, i, lanes), va))
        store(yf, i + un, add(load(yf, i + un, lanes), vb))


@njit(cache=True)
def add_rows(yf, yi, ld, un, first, ba, bb, acc, lanes):  # pragma: no cover
    """The register block's eight rows r = 0 … 7 (acc = acc_a ‖ acc_b) into
    yf[yi + r·ld : … + 2n] (:func:`_add_pair`: the bias ba‖bb added with the first chunk)."""
    a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7 = acc
    _add_pair(yf, yi, un, first, ba, bb, a0, b0, lanes)
    _add_pair(yf, yi + ld, un, first, ba, bb, a1, b1, lanes)
    _add_pair(yf, yi + U(2) * ld, un, first, ba, bb, a2, b2, lanes)
    _add_pair(yf, yi + U(3) * ld, un, first, ba, bb, a3, b3, lanes)
    _add_pair(yf, yi + U(4) * ld, un, first, ba, bb, a4, b4, lanes)
    _add_pair(yf, yi + U(5) * ld, un, first, ba, bb, a5, b5, lanes)
    _add_pair(yf, yi + U(6) * ld, un, first, ba, bb, a6, b6, lanes)
    _add_pair(yf, yi + U(7) * ld, un, first, ba, bb, a7, b7, lanes)


@njit(cache=True, nogil=True)
def direct_forward(lo, hi, x, wk, bias, kh, kw, sh, pt, pl, dh, dw, ho, wo, pads, yts, y,
                   next_group, lanes):  # pragma: no cover
    """y[n] = the convolution of image n (see :func:`direct_conv_image`), for the threads t
    in [lo, hi); run over range(T) (T = len(pads)), one t per thread, by
    :func:`forward_on_pool`. The images go in groups of G
    (pads (T, G, C, Hp, Wp)): images q·G … q·G+G−1 (fewer in the last group). The threads
    share the groups as they go: each takes the next one (``claim(next_group)``, an atomic
    counter from 0) until none is left — a thread that starts late takes fewer, instead of
    holding up the call (every image's output is computed the same way whoever computes
    it). Thread t pads the group's images into pads[t], computes their outputs transposed
    into yts[t] (G·L, Op) and transposes each into y[n] (Op, L) (:func:`transpose_into`).
    ``lanes`` is the vector width as a :class:`~minitorch.backends.numba.simd.Width`: a
    compile-time constant, one machine-code variant per width (any width runs any shape)."""
    N = x.shape[0]
    G, C, hp, wp = pads.shape[1], pads.shape[2], pads.shape[3], pads.shape[4]
    L = ho * wo
    taps = tap_offsets(C, kh, kw, hp, wp, dh, dw)
    for t in range(lo, hi):
        xpads, yt = pads[t], yts[t]
        n0 = claim(next_group) * G
        while n0 < N:
            g = min(G, N - n0)
            for i in range(g):
                pad_image(x[n0 + i], pt, pl, xpads[i])
            direct_conv_image(xpads[:g], wk, bias, taps, sh, ho, wo, yt, lanes)
            for i in range(g):
                transpose_into(yt[i * L:(i + 1) * L], y[n0 + i])
            n0 = claim(next_group) * G


GROUP_PIXELS = 512  # output pixels the forward's blocks run over per chunk of the weight
GROUPS_PER_THREAD = 4  # at least this many groups per thread, for the threads to share


def image_group(N: int, L: int, threads: int) -> int:
    """G, the images the forward computes together: about ``GROUP_PIXELS`` output pixels
    (G·L), while every thread still gets ``GROUPS_PER_THREAD`` groups to share. Each chunk
    of the weight is brought into L1 once per group and then read by every block of it:
    conv3 of the seed CNN (L = 64) runs only 8 blocks per chunk alone, and its image kernel
    went 176 → 196 GFLOP/s with G = 8 (benchmarks/README.md)."""
    return max(1, min(GROUP_PIXELS // max(1, L), N // (GROUPS_PER_THREAD * max(1, threads))))


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
    L not a multiple of 8) are copied one value at a time. The tiles go down a's rows first
    (o0 inner), so that the eight rows of out being written stay the same eight cache lines
    until they are full: with o0 outer, out's rows 4 KB apart (the forward's (32, 1024)
    output of conv1) all fall into one L1 set and evict each other — 15 → 6 µs for that one.
    Used both ways: gy (O, L) → (L, O) in the weight gradient, the forward's (L, O) sums →
    y (O, L)."""
    O, L = a.shape
    O8, L8 = O - O % 8, L - L % 8
    for l0 in range(0, L8, 8):
        for o0 in range(0, O8, 8):
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
    :func:`weight_grad_on_pool` over range(T), T = len(pads)):
    parts[t, k, o] = Σ over the images n = t, t+T, … of Σ_l gy[n, o, l] ·
    x_pad[n].flat[taps[k] + start(l)] — the weight gradient

        gw[o, c, p, q] = Σ_{n,i,j} gy[n, o, i, j] · x_pad[n, c, i·sh + p·dh, j·sw + q·dw]

    transposed to (K, O) and before its sum over threads (the caller does it). Shapes:
    gy (N, O, L); pads (T, C, Hp, Wp); gyt (T, L, Op) and parts (T, Kp, Op) with Op = O and
    Kp = K rounded up to whole blocks of 2n channels and 6 taps (the extra channels are
    zeros, the extra taps repeat tap 0; the caller drops both).

    Per image, gy is first transposed to gyt (L, Op), so that n consecutive output channels
    of one pixel are one vector. The register block is 2n channels (two vectors) × 6 taps:

        for l in pixels:
            ga, gb = gyt[l, o : o+n], gyt[l, o+n : o+2n]
            for r in 0 .. 5:                       (unrolled)
                v = x_pad.flat[taps[k+r] + start(l)]          (one scalar, broadcast)
                acc_a[r] += v · ga;  acc_b[r] += v · gb

    — two vector loads, six broadcasts, twelve FMAs per pixel, as in the forward kernel; any
    stride and dilation (the scalar reads need no 8 consecutive pixels). Sums run over
    ``GRAD_CHUNK_L`` pixels in registers, then are added to parts. (Tried: 12 taps × 2n,
    24 sums — the twelve tap pointers no longer fit the general registers and spill, 1.5×
    slower; images grouped so that conv3's 64-pixel loop runs 256 long — no change.)
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


# --------------------------------------------------------------------------- on Numba's pool
# The kernels above run on Numba's OpenMP pool, one ``prange`` iteration per thread, through
# these launchers: the OpenMP workers spin after a loop and need no GIL, where handing a chunk
# to ``threads.parallel_for``'s Python threads costs 70-80 µs on a 2-core VM (the worker is
# woken on a futex and must take the GIL; ``python -m benchmarks.handoff``) — a third of a
# batch-8 convolution. The launchers call the kernel through its address
# (``threads.call_native``), so each compiles in a fraction of a second: one that called
# the kernel directly compiled it into itself again (conv3's forward: 1.7 s more).


@njit(cache=True, parallel=True)
def forward_on_pool(address, T, x, wk, bias, kh, kw, sh, pt, pl, dh, dw, ho, wo, pads, yts,
                    y, next_group, lanes):  # pragma: no cover
    """:func:`direct_forward` (at ``address``) for the threads t in range(T), one ``prange``
    iteration each (the calling thread takes t = 0)."""
    for t in prange(T):
        call_native(address, t, t + 1, x, wk, bias, kh, kw, sh, pt, pl, dh, dw, ho, wo, pads,
                    yts, y, next_group, lanes)


@njit(cache=True, parallel=True)
def weight_grad_on_pool(address, T, gy, x, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo, pads, gyt,
                        parts, lanes):  # pragma: no cover
    """:func:`direct_weight_grad` (at ``address``) for the threads t in range(T), as
    :func:`forward_on_pool`."""
    for t in prange(T):
        call_native(address, t, t + 1, gy, x, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo, pads, gyt,
                    parts, lanes)


# --------------------------------------------------------------------------- Python entry points
def forward_lanes(out_w: int = 8, dtype=np.float32, lanes: Optional[int] = None) -> int:
    """The vector width the forward runs at: ``lanes``, default
    :func:`~minitorch.backends.numba.simd.simd_lanes` of ``dtype``, for every output width
    ``out_w`` (a multiple of 8; the vectors run along the output channels)."""
    return simd_lanes(dtype) if lanes is None else int(lanes)


def weight_lanes(dtype=np.float32, lanes: Optional[int] = None) -> int:
    """The vector width of the weight gradient (any shape runs at any width)."""
    return simd_lanes(dtype) if lanes is None else int(lanes)


def weight_panels(w2: np.ndarray, width: int) -> np.ndarray:
    """The (O, K) weight as the forward's panels: wk[p, k, j] = w2[p·width + j, k] (zero for
    channels ≥ O), shape (⌈O / width⌉, K, width), 64-byte aligned. One register block reads
    one panel, row after row: a contiguous stream (with (K, O) rows, a block of conv3's
    64 channels read half of each 256-byte row: its chunk's lines fell into half of L1's
    sets). Each panel is one :func:`transpose_into` (8 × 8 register tiles)."""
    O, K = w2.shape
    P = -(-O // width)
    wk = aligned_scratch("weight panels", (P, K, width), w2.dtype)  # every element written
    for p in range(P):
        rows = w2[p * width:(p + 1) * width]
        if rows.shape[0] < width:
            wk[p, :, rows.shape[0]:] = 0
        transpose_into(rows, wk[p])
    return wk


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
    lanes = forward_lanes(wo, x.dtype, lanes)
    Op = round_up(O, 2 * lanes)
    # scratch buffers (aligned_scratch): the bias is filled here, each thread pads its
    # images into pads[t] and writes every element of yts[t] it then reads
    bias = aligned_scratch("bias", (Op,), x.dtype)
    bias[O:] = 0
    bias[:O] = 0 if b is None else b
    threads = max(1, min(get_num_threads(), N))
    G = image_group(N, ho * wo, threads)
    threads = min(threads, -(-N // G))
    pads = aligned_scratch("forward pads", (threads, G, Cg) + padded_hw(x.shape, padding),
                           x.dtype)
    yts = aligned_scratch("forward sums", (threads, G * ho * wo, Op), x.dtype)
    y = np.empty((N, Op, ho * wo), x.dtype)
    wk = weight_panels(np.ascontiguousarray(w.reshape(O, Cg * kh * kw)), 2 * lanes)
    kh, kw, sh, _sw, pt, pl, dh, dw = geometry(w.shape, stride, padding, dilation)
    key = (x.dtype, lanes, x.flags.writeable)  # what decides the kernel's argument types
    run_on_pool(direct_forward, forward_on_pool, key, pads.shape[0], x, wk, bias,
                 kh, kw, sh, pt, pl, dh, dw, ho, wo, pads, yts, y, np.zeros(1, np.int64),
                 WIDTH[lanes])
    if Op != O:
        y = np.ascontiguousarray(y[:, :O])
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
    # scratch buffers (aligned_scratch): each thread zeroes its gyt[t] and parts[t] and pads
    # its images into pads[t] before reading them
    threads = max(1, min(get_num_threads(), N))
    pads = aligned_scratch("weight-grad pads", (threads, x.shape[1]) +
                           padded_hw(x.shape, padding), gy.dtype)
    gyt = aligned_scratch("weight-grad gy", (threads, ho * wo, Op), gy.dtype)
    parts = aligned_scratch("weight-grad parts", (threads, round_up(K, GRAD_BLOCK_K), Op),
                            gy.dtype)
    key = (gy.dtype, lanes, gy.flags.writeable, x.flags.writeable)
    run_on_pool(direct_weight_grad, weight_grad_on_pool, key, pads.shape[0],
                 gy.reshape(N, O, ho * wo), x, *geometry(w_shape, stride, padding, dilation), ho,
                 wo, pads, gyt, parts, WIDTH[lanes])
    gwt = parts[0]  # (Kp, Op): the threads' parts summed into the first, in order
    for part in parts[1:]:
        gwt += part
    gw = np.empty((Op, K), gy.dtype)
    transpose_into(gwt[:K], gw)  # a strided NumPy copy took 0.1 ms for conv3's (800, 64)
    return gw[:O].reshape(O, Cg, kh, kw)
