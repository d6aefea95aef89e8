"""Max and average pooling: one parallel pass over the (n, c) planes.

x is (N, C, H, W), y is (N, C, Ho, Wo), the window is kH × kW with stride (sh, sw), symmetric
padding (ph, pw) and (max pooling only) dilation (dh, dw). Every kernel runs in parallel over
the N·C planes — the max pooling forward and general backward as serial kernels over a range
of planes that :func:`~minitorch.backends.numba.threads.parallel_for` hands each thread (half
the compile time of a ``prange`` kernel), the 2×2-block max pooling backward and average
pooling with ``prange``: a plane's outputs only read — and its gradients only write — that
same plane, so threads never collide and the backward scatter-adds need no atomics. The
rare cases (a NaN in a max-pooled plane, an argmax outside its 2×2 block) go back to the
general kernels from Python, plane by plane, so a training step compiles only the fast
paths.
"""

from __future__ import annotations

from typing import Optional, Tuple

import numpy as np
from numba import njit, prange

from minitorch.backends.numba.threads import (
    call_native,
    get_num_threads,
    grain_for,
    parallel_for,
    run_on_pool,
)


@njit(cache=True)
def _max_pool_2x2_plane(plane, yp, ip):  # pragma: no cover
    """The common case kernel = stride = 2, no padding, no dilation, every window inside the
    plane (2·Ho ≤ H, 2·Wo ≤ W): yp[i, j] = max of the 2×2 block at (2i, 2j), ip[i, j] its
    flat index, the four taps unrolled in row-major order with no bounds tests.

    A later tap wins only if ``v > best`` (ties keep the first maximum) — one comparison per
    tap, which compiles to branch-free selects; the exact rule's ``or isnan(v)`` made LLVM emit
    a branch per tap, mispredicted half the time on real data (``benchmarks/README.md``). NaN is
    handled by detection instead: returns True if the plane holds a NaN in some window, and the
    caller then recomputes the plane with the exact rule. Serial (the caller is parallel over
    planes). Cost: 3·Ho·Wo comparisons; reads 4·Ho·Wo, writes 2·Ho·Wo elements."""
    W = plane.shape[1]
    ho, wo = yp.shape
    nan = False
    for i in range(ho):
        r0, r1 = plane[2 * i], plane[2 * i + 1]
        yr, ir = yp[i], ip[i]
        base = 2 * i * W
        for j in range(wo):
            a, b, c, d = r0[2 * j], r0[2 * j + 1], r1[2 * j], r1[2 * j + 1]
            best, k = a, 0
            if b > best:
                best, k = b, 1
            if c > best:
                best, k = c, W
            if d > best:
                best, k = d, W + 1
            yr[j] = best
            ir[j] = base + 2 * j + k
            nan |= (a != a) | (b != b) | (c != c) | (d != d)
    return nan


@njit(cache=True, inline="always")
def _taps_inside(start, d, k, size):  # pragma: no cover
    """[lo, hi): the taps p of a window along one axis whose position start + p·d lies in
    [0, size) — so the window loops below need no per-tap bounds test."""
    lo = 0 if start >= 0 else (-start + d - 1) // d
    last = size - 1 - start
    hi = 0 if last < 0 else min(k, last // d + 1)
    return lo, max(hi, lo)


@njit(cache=True)
def _max_pool_plane(plane, kh, kw, sh, sw, ph, pw, dh, dw, yp, ip, exact):  # pragma: no cover
    """One (n, c) plane of :func:`_max_pool_fwd` with any window: yp[i, j] the maximum of the
    in-bounds taps of window (i, j), ip[i, j] its flat index h·W + w.

    The first in-bounds tap starts as the winner, and a later tap wins if ``v > best`` —
    ties keep the first maximum, and the comparison compiles to branch-free selects. That
    misses PyTorch's rule for NaN (a NaN tap always wins), which would need a branch per tap;
    so with ``exact=False`` the plane is scanned fast and True is returned if it held a NaN,
    and the caller redoes it with ``exact=True`` (``v > best or isnan(v)``).
    Serial. Cost: Ho·Wo·kH·kW comparisons."""
    H, W = plane.shape
    ho, wo = yp.shape
    nan = False
    for i in range(ho):
        h0 = i * sh - ph
        p0, p1 = _taps_inside(h0, dh, kh, H)
        for j in range(wo):
            w0 = j * sw - pw
            q0, q1 = _taps_inside(w0, dw, kw, W)
            best = -np.inf
            arg = -1  # a window wholly in the padding: -inf, and no pixel gets its gradient
            if p0 < p1 and q0 < q1:
                arg = (h0 + p0 * dh) * W + w0 + q0 * dw
                best = plane[h0 + p0 * dh, w0 + q0 * dw]
            for p in range(p0, p1):
                h = h0 + p * dh
                row = plane[h]
                for q in range(q0, q1):
                    w = w0 + q * dw
                    v = row[w]
                    if exact:
                        if v > best or np.isnan(v):
                            best = v
                            arg = h * W + w
                    else:
                        take = v > best
                        best = v if take else best
                        arg = h * W + w if take else arg
                        nan |= v != v
            yp[i, j] = best
            ip[i, j] = arg
    return nan


def _pool_outputs(x: np.ndarray, ho: int, wo: int) -> Tuple[np.ndarray, np.ndarray]:
    """Empty (N, C, Ho, Wo) maxima of x's dtype and their int64 argmax indices."""
    shape = (x.shape[0], x.shape[1], ho, wo)
    return np.empty(shape, dtype=x.dtype), np.empty(shape, dtype=np.int64)


def _plane_grain(plane_size: int) -> int:
    """Planes per thread worth a thread of their own (:func:`~minitorch.backends.numba.
    threads.grain_for`): smaller inputs run in one call of the kernel."""
    return grain_for(plane_size)


@njit(cache=True, nogil=True)
def _max_pool_fwd(lo, hi, x, kh, kw, sh, sw, ph, pw, dh, dw, y, idx):  # pragma: no cover
    """y[n,c,i,j] = max_{p,q} x[n, c, i·sh - ph + p·dh, j·sw - pw + q·dw] over in-bounds taps,
    idx[n,c,i,j] = h·W + w of the winner.

    PyTorch's rules: scan taps in row-major order; the first in-bounds tap is the initial
    winner; a later tap wins if ``v > best or isnan(v)`` — so ties keep the first maximum and
    a NaN (the last one, if several) always wins. For the planes t in [lo, hi) of the N·C
    (``parallel_for`` gives each thread a chunk of them), each scanned
    by :func:`_max_pool_plane` without NaN branches; a plane with a NaN in it is redone with
    the exact rule. (The 2×2, stride-2 case with every window in bounds runs
    :func:`_max_pool_2x2_fwd` instead: a kernel of its own, so that a model using only one of
    the two compiles only that one — and its NaN planes come back here.)
    Cost: N·C·Ho·Wo·kH·kW comparisons; reads N·C·H·W, writes 2·N·C·Ho·Wo elements."""
    C = x.shape[1]
    for t in range(lo, hi):
        n, c = t // C, t % C
        plane, yp, ip = x[n, c], y[n, c], idx[n, c]
        if _max_pool_plane(plane, kh, kw, sh, sw, ph, pw, dh, dw, yp, ip, False):
            _max_pool_plane(plane, kh, kw, sh, sw, ph, pw, dh, dw, yp, ip, True)


@njit(cache=True, nogil=True)
def _max_pool_2x2_fwd(lo, hi, x, y, idx, nan):  # pragma: no cover
    """:func:`_max_pool_fwd` for 2×2 windows, stride 2, no padding, every window in bounds
    (2·Ho ≤ H, 2·Wo ≤ W), for the planes t in [lo, hi) of the N·C: each plane by
    :func:`_max_pool_2x2_plane`, and nan[t] = whether it held a NaN — the caller redoes those
    planes with the exact rule (:func:`_max_pool_fwd`; compiled only if a NaN ever comes).
    Same cost."""
    C = x.shape[1]
    for t in range(lo, hi):
        n, c = t // C, t % C
        nan[t] = _max_pool_2x2_plane(x[n, c], y[n, c], idx[n, c])


@njit(cache=True, inline="always")
def _zero_past_blocks(out, ho, wo):  # pragma: no cover
    """out[h, w] = 0 for h ≥ 2·Ho or w ≥ 2·Wo: the leftover row / column of a plane that
    2×2 / stride-2 windows do not cover (an odd H or W)."""
    H, W = out.shape
    for i in range(2 * ho):
        out[i, 2 * wo:] = 0
    for h in range(2 * ho, H):
        out[h, :] = 0


@njit(cache=True)
def _max_unpool_2x2_plane(gp, ip, out):  # pragma: no cover
    """out = the max-pool gradient of one plane when every index ip[i, j] lies in its own 2×2
    block at (2i, 2j) (always so after :func:`_max_pool_2x2_plane`): the blocks are disjoint,
    so each block is written once — four zeros, then gp[i, j] on the argmax — and the
    rows/columns past 2·Ho, 2·Wo are zeroed; no separate zero fill, no scatter-add, no
    data-dependent branches. The store position is clamped into the block, so a stray index
    never writes outside it; returns False if some index was outside its block (the caller then
    redoes the plane with the scatter-add). Serial. Cost: writes H·W, reads 2·Ho·Wo elements."""
    H, W = out.shape
    ho, wo = gp.shape
    ok = True
    for i in range(ho):
        r0, r1 = out[2 * i], out[2 * i + 1]
        gr, ir = gp[i], ip[i]
        base = 2 * i * W
        for j in range(wo):
            k = ir[j] - (base + 2 * j)  # 0, 1, W or W + 1 inside the block
            dr = np.int64(k >= W)
            dc = k - dr * W
            ok &= (dc == 0) | (dc == 1)
            r0[2 * j] = 0
            r0[2 * j + 1] = 0
            r1[2 * j] = 0
            r1[2 * j + 1] = 0
            out[2 * i + dr, 2 * j + (dc & 1)] = gr[j]
    _zero_past_blocks(out, ho, wo)
    return ok


@njit(cache=True, nogil=True)
def _max_unpool_2x2(lo, hi, gy, idx, gx, stray, T):  # pragma: no cover
    """gx = the max-pool gradient when 2·Ho ≤ H and 2·Wo ≤ W (gx is (N, C, H, W)): every
    (n, c) plane by :func:`_max_unpool_2x2_plane`, thread t of T taking planes
    [t·P/T, (t+1)·P/T) of the P = N·C, for t in [lo, hi). stray[p] says whether an index of
    plane p lay outside its 2×2 block (a pooling with another window or stride): that plane
    is for :func:`_max_pool_bwd` to redo. Cost: writes N·C·H·W, reads 2·N·C·Ho·Wo elements.

    Run on Numba's pool by :func:`_unpool_on_pool` (``threads.run_on_pool``), not
    :func:`~minitorch.backends.numba.threads.parallel_for`: the pass is short (well under a
    millisecond at batch 64) and Numba's workers, spinning between loops, start at once,
    where a woken Python thread arrived late enough to cancel the second thread's share. Not
    a ``prange`` over the planes itself: that compiled in 0.8 s more than this kernel (0.14 s)
    and its small launcher."""
    C = gy.shape[1]
    planes = gy.shape[0] * C
    for t in range(lo, hi):
        for p in range(t * planes // T, (t + 1) * planes // T):
            n, c = p // C, p % C
            stray[p] = not _max_unpool_2x2_plane(gy[n, c], idx[n, c], gx[n, c])


@njit(cache=True, parallel=True)
def _unpool_on_pool(address, T, gy, idx, gx, stray, T2):  # pragma: no cover
    """:func:`_max_unpool_2x2` (at ``address``) for t in range(T), one ``prange`` iteration
    each (the calling thread takes t = 0)."""
    for t in prange(T):
        call_native(address, t, t + 1, gy, idx, gx, stray, T2)


@njit(cache=True, nogil=True)
def _max_pool_bwd(lo, hi, gy, idx, gx):  # pragma: no cover
    """gx[n, c, idx[n,c,i,j]] += gy[n, c, i, j]  (scatter-add of each output's gradient onto
    its argmax), for the planes t in [lo, hi) of the N·C (``parallel_for`` gives each thread
    a chunk of them: indices never leave their plane); gx is (N, C, H, W), each plane zeroed
    first. Any window geometry (the 2×2-block layout runs :func:`_max_unpool_2x2`).
    Cost: N·C·Ho·Wo additions; writes N·C·H·W elements (zero fill included)."""
    C, ho, wo = gy.shape[1], gy.shape[2], gy.shape[3]
    H, W = gx.shape[2], gx.shape[3]
    for t in range(lo, hi):
        n = t // C
        c = t % C
        flat = gx[n, c].reshape(H * W)
        for k in range(H * W):
            flat[k] = 0
        for i in range(ho):
            for j in range(wo):
                k = idx[n, c, i, j]
                if k >= 0:  # -1: the window lay wholly in the padding
                    flat[k] += gy[n, c, i, j]


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
    divisor d of :func:`_avg_window` (a nonzero ``divisor`` — negative too, as in torch —
    overrides d; else ``include_pad`` chooses the padded or the clipped window area). Sums
    accumulate in float64. Parallel over the N·C planes. Cost: N·C·Ho·Wo·kH·kW additions;
    reads N·C·H·W, writes N·C·Ho·Wo elements."""
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
                if divisor != 0:
                    d = divisor
                elif include_pad:
                    d = hp * wp
                else:
                    d = (h1 - h0) * (w1 - w0)
                y[n, c, i, j] = acc / d
    return y


@njit(cache=True, parallel=True)
def _avg_pool_2x2_fwd(x, ho, wo):  # pragma: no cover
    """:func:`_avg_pool_fwd` for 2×2 windows, stride 2, no padding, every window inside the
    plane (2·Ho ≤ H, 2·Wo ≤ W; the divisor is then 4 whatever ``count_include_pad``):

        y[n,c,i,j] = (((x[2i, 2j] + x[2i, 2j+1]) + x[2i+1, 2j]) + x[2i+1, 2j+1]) · ¼

    summed in x's dtype in PyTorch's order (its CPU kernel accumulates float32 in float32),
    so the result is bitwise PyTorch's; ·¼ is exactly /4. One pass, no window arithmetic per
    output, a contiguous inner loop LLVM vectorises. Parallel over the N·C planes.
    Cost: 4·N·C·Ho·Wo FLOPs; reads N·C·H·W, writes N·C·Ho·Wo elements."""
    N, C = x.shape[0], x.shape[1]
    y = np.empty((N, C, ho, wo), dtype=x.dtype)
    quarter = x.dtype.type(0.25)
    for t in prange(N * C):
        n, c = t // C, t % C
        plane, yp = x[n, c], y[n, c]
        for i in range(ho):
            r0, r1, yr = plane[2 * i], plane[2 * i + 1], yp[i]
            for j in range(wo):
                yr[j] = (((r0[2 * j] + r0[2 * j + 1]) + r1[2 * j]) + r1[2 * j + 1]) * quarter
    return y


@njit(cache=True, parallel=True)
def _avg_pool_2x2_bwd(gy, H, W):  # pragma: no cover
    """:func:`_avg_pool_bwd` for 2×2 windows, stride 2, no padding, 2·Ho ≤ H, 2·Wo ≤ W: the
    windows are disjoint, so each pixel gets one window's share (a gather, no zero fill):

        gx[n,c,h,w] = gy[n,c,h//2,w//2] · ¼   (h < 2·Ho, w < 2·Wo; 0 in the leftover row/column)

    (·¼ is exactly PyTorch's /4). Parallel over the N·C planes.
    Cost: N·C·Ho·Wo multiplications; reads N·C·Ho·Wo, writes N·C·H·W elements."""
    N, C, ho, wo = gy.shape
    gx = np.empty((N, C, H, W), dtype=gy.dtype)
    quarter = gy.dtype.type(0.25)
    for t in prange(N * C):
        n, c = t // C, t % C
        out, gp = gx[n, c], gy[n, c]
        for i in range(ho):
            r0, r1, gr = out[2 * i], out[2 * i + 1], gp[i]
            for j in range(wo):
                g = gr[j] * quarter
                r0[2 * j] = r0[2 * j + 1] = r1[2 * j] = r1[2 * j + 1] = g
        _zero_past_blocks(out, ho, wo)
    return gx


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
                if divisor != 0:
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
    """(y, indices) of max pooling; see :func:`_max_pool_fwd` (and :func:`_max_pool_2x2_fwd`
    for 2×2 / stride 2 / no padding with every window in bounds)."""
    geo = tuple(int(v) for v in (*kernel_size, *stride, *padding, *dilation))
    ho, wo = int(out_hw[0]), int(out_hw[1])
    y, idx = _pool_outputs(x, ho, wo)
    planes, grain = x.shape[0] * x.shape[1], _plane_grain(x.shape[2] * x.shape[3])
    if geo == (2, 2, 2, 2, 0, 0, 1, 1) and 2 * ho <= x.shape[2] and 2 * wo <= x.shape[3]:
        nan = np.zeros(planes, np.bool_)
        parallel_for(_max_pool_2x2_fwd, planes, x, y, idx, nan, grain=grain)
        if nan.any():  # rare: planes holding a NaN, redone by the general scan
            for t in np.flatnonzero(nan):
                _max_pool_fwd(t, t + 1, x, *geo, y, idx)
    else:
        parallel_for(_max_pool_fwd, planes, x, *geo, y, idx, grain=grain)
    return y, idx


def max_pool2d_backward(gy: np.ndarray, indices: np.ndarray, x_shape) -> np.ndarray:
    """Scatter-add of gy onto the argmax pixels: :func:`_max_unpool_2x2` where the output's
    2×2 blocks fit in the input (planes with an index outside its block redone by
    :func:`_max_pool_bwd`), else :func:`_max_pool_bwd` on every plane."""
    n, c, ho, wo = gy.shape
    H, W = int(x_shape[2]), int(x_shape[3])
    gx = np.empty((n, c, H, W), gy.dtype)
    idx = np.ascontiguousarray(indices, np.int64)
    if 2 * ho <= H and 2 * wo <= W:
        stray = np.zeros(n * c, np.bool_)
        T = max(1, min(get_num_threads(), n * c))
        run_on_pool(_max_unpool_2x2, _unpool_on_pool, (gy.dtype, gy.flags.writeable), T, gy,
                    idx, gx, stray, T)
        stray = np.flatnonzero(stray)
        if stray.size <= 4:  # a stray index or two: redo those planes only
            for t in stray:
                _max_pool_bwd(t, t + 1, gy, idx, gx)
            return gx
    # Another window geometry (every plane's indices leave their blocks): scatter-add all.
    parallel_for(_max_pool_bwd, n * c, gy, idx, gx, grain=_plane_grain(H * W))
    return gx


def _avg_2x2(kernel_size, stride, padding, divisor_override, out_hw, x_shape) -> bool:
    """Whether an average pooling is the 2×2 / stride 2 / no padding one with every window
    inside the input (the divisor then 4, or overridden by 4)."""
    geo = tuple(int(v) for v in (*kernel_size, *stride, *padding))
    return (geo == (2, 2, 2, 2, 0, 0) and int(divisor_override or 4) == 4
            and 2 * int(out_hw[0]) <= int(x_shape[2]) and 2 * int(out_hw[1]) <= int(x_shape[3]))


def avg_pool2d_forward(x: np.ndarray, kernel_size, stride, padding, out_hw,
                       count_include_pad: bool, divisor_override: Optional[int]) -> np.ndarray:
    """Average pooling; see :func:`_avg_pool_fwd` (``divisor_override=None`` is passed as 0),
    and :func:`_avg_pool_2x2_fwd` for 2×2 / stride 2 / no padding with every window inside."""
    if _avg_2x2(kernel_size, stride, padding, divisor_override, out_hw, x.shape):
        return _avg_pool_2x2_fwd(x, int(out_hw[0]), int(out_hw[1]))
    return _avg_pool_fwd(x, int(kernel_size[0]), int(kernel_size[1]), int(stride[0]),
                         int(stride[1]), int(padding[0]), int(padding[1]), int(out_hw[0]),
                         int(out_hw[1]), bool(count_include_pad), int(divisor_override or 0))


def avg_pool2d_backward(gy: np.ndarray, x_shape, kernel_size, stride, padding,
                        count_include_pad: bool, divisor_override: Optional[int]) -> np.ndarray:
    """Gradient of average pooling; see :func:`_avg_pool_bwd` (and :func:`_avg_pool_2x2_bwd`,
    as the forward)."""
    if _avg_2x2(kernel_size, stride, padding, divisor_override, gy.shape[2:], x_shape):
        return _avg_pool_2x2_bwd(gy, int(x_shape[2]), int(x_shape[3]))
    return _avg_pool_bwd(gy, int(x_shape[2]), int(x_shape[3]), int(kernel_size[0]),
                         int(kernel_size[1]), int(stride[0]), int(stride[1]), int(padding[0]),
                         int(padding[1]), bool(count_include_pad), int(divisor_override or 0))
