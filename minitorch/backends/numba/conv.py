"""2-D convolution as im2col + GEMM: the data movement in Numba, the arithmetic in BLAS.

Notation (as in :mod:`minitorch.backends.base`): x is (N, C, H, W), w is (O, Cg, kH, kW) with
Cg = C / groups and Og = O / groups, y is (N, O, Ho, Wo); L = Ho·Wo output pixels per image;
K = C·kH·kW rows of the column matrix, Kg = Cg·kH·kW per group.

The column matrix of a chunk of ``nb`` images is

    cols[(c·kH + p)·kW + q, b·L + i·Wo + j] = x_pad[n0 + b, c, i·sh + p·dh, j·sw + q·dw]

(zero where the tap falls into the padding), so that every convolution pass is a matrix
product over the group's row block ``cols_g = cols[g·Kg:(g+1)·Kg]``:

    forward        y_g   (Og, nb·L) = w_g (Og, Kg)  @ cols_g (Kg, nb·L)
    input grad     gcol_g (Kg, nb·L) = w_gᵀ (Kg, Og) @ gy_g (Og, nb·L)     then col2im
    weight grad    gw_g  (Og, Kg)  += gy_g (Og, nb·L) @ cols_gᵀ (nb·L, Kg)

**Where the GEMM goes.** The products above are done by the ``gemm(a, b, out)`` callable the
caller passes in. The backend's default is :func:`minitorch.backends.numba.gemm.gemm_blas`,
i.e. ``numpy.matmul(a, b, out=out)``, which calls NumPy's BLAS (OpenBLAS ``sgemm``/``dgemm``,
multi-threaded) from Python. (Numba's ``np.dot`` inside ``@njit`` would need SciPy's BLAS
bindings, which this environment does not have.) The pure-Numba tiled GEMM in ``gemm.py`` can be
selected instead for study.

**Why chunks.** The full column matrix of a batch is K·N·L elements — 52 MB for the seed CNN's
second conv at batch 64 in float32. Building it chunk by chunk (``nb`` images at a time, so the
chunk's columns are a few hundred KB to a few MB) means im2col writes into cache and the GEMM
reads from cache, instead of both streaming from DRAM. When ``nb == 1`` the GEMM writes
straight into ``y[n]``, which is already the (O, L) matrix; with ``nb > 1`` the (O, nb·L)
result is scattered into (nb, O, L) order by a small parallel Numba pass.

Every Numba kernel here is ``parallel=True`` over independent outputs, so no two threads ever
write the same element.
"""

from __future__ import annotations

from typing import Callable, Optional, Tuple

import numpy as np
from numba import njit, prange

from minitorch.backends.numba.gemm import gemm_blas

Gemm = Callable[[np.ndarray, np.ndarray, np.ndarray], None]

# Column chunks aim at about this many bytes (the L2 per core is 512 KiB here, and the whole
# L3 32 MiB; a few MB keeps the im2col output cached for the GEMM that reads it).
CHUNK_BYTES = 2 << 20


# --------------------------------------------------------------------------- shape helpers
@njit(cache=True, inline="always")
def _valid_range(offset: int, stride: int, size: int, n_out: int) -> Tuple[int, int]:
    """The output indices j in [lo, hi) whose input index j·stride + offset lies in [0, size).

    lo = ceil(-offset / stride), hi = floor((size - 1 - offset) / stride) + 1, both clipped to
    [0, n_out] (Python's floor division on ints floors toward -∞, as the math needs)."""
    lo = -(offset // stride)  # ceil(-offset / stride)
    if lo < 0:
        lo = 0
    hi = (size - 1 - offset) // stride + 1
    if hi > n_out:
        hi = n_out
    if hi < lo:
        hi = lo
    return lo, hi


def chunk_size(n: int, k_rows: int, l_cols: int, itemsize: int) -> int:
    """Images per chunk: enough that a chunk's columns are about CHUNK_BYTES (at least 1, at
    most n)."""
    per_image = max(1, k_rows * l_cols * itemsize)
    return int(max(1, min(n, CHUNK_BYTES // per_image)))


# --------------------------------------------------------------------------- im2col / col2im
@njit(cache=True, parallel=True)
def im2col(x, n0, nb, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo, cols):  # pragma: no cover
    """cols[(c·kH + p)·kW + q, b·L + i·Wo + j] = x_pad[n0+b, c, i·sh + p·dh, j·sw + q·dw].

    Parallel over the K = C·kH·kW rows (each thread fills whole rows, contiguous writes).
    The in-bounds column range of a (q) tap is computed once, so the inner loop is a branch-free
    strided copy. Cost: 0 FLOPs; reads ≤ nb·C·H·W elements (each up to kH·kW times, mostly from
    cache), writes K·nb·L elements."""
    C, H, W = x.shape[1], x.shape[2], x.shape[3]
    L = ho * wo
    kk = kh * kw
    zero = x.dtype.type(0)
    for r in prange(C * kk):
        c = r // kk
        p = (r // kw) % kh
        q = r % kw
        off_w = q * dw - pl
        j_lo, j_hi = _valid_range(off_w, sw, W, wo)
        for b in range(nb):
            plane = x[n0 + b, c]
            for i in range(ho):
                h = i * sh - pt + p * dh
                base = b * L + i * wo
                if h < 0 or h >= H:
                    for j in range(wo):
                        cols[r, base + j] = zero
                    continue
                for j in range(j_lo):
                    cols[r, base + j] = zero
                for j in range(j_lo, j_hi):
                    cols[r, base + j] = plane[h, j * sw + off_w]
                for j in range(j_hi, wo):
                    cols[r, base + j] = zero


@njit(cache=True, parallel=True)
def col2im(gcols, n0, nb, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo, gx):  # pragma: no cover
    """gx[n0+b, c, h, w] = Σ_{p,q,i,j : i·sh - pt + p·dh = h, j·sw - pl + q·dw = w}
    gcols[(c·kH + p)·kW + q, b·L + i·Wo + j]   (the adjoint of :func:`im2col`).

    Parallel over the nb·C planes (b, c): a plane's pixels only receive from its own kH·kW rows,
    so threads never collide. Each plane is zeroed, then every tap scatter-adds a strided
    block. Cost: K·nb·L additions; reads K·nb·L, writes nb·C·H·W elements."""
    C, H, W = gx.shape[1], gx.shape[2], gx.shape[3]
    L = ho * wo
    for t in prange(nb * C):
        b = t // C
        c = t % C
        plane = gx[n0 + b, c]
        for h in range(H):
            for w in range(W):
                plane[h, w] = 0
        for p in range(kh):
            for q in range(kw):
                r = (c * kh + p) * kw + q
                off_w = q * dw - pl
                j_lo, j_hi = _valid_range(off_w, sw, W, wo)
                for i in range(ho):
                    h = i * sh - pt + p * dh
                    if h < 0 or h >= H:
                        continue
                    base = b * L + i * wo
                    for j in range(j_lo, j_hi):
                        plane[h, j * sw + off_w] += gcols[r, base + j]


@njit(cache=True, parallel=True)
def chunk_to_nol(buf, n0, nb, bias, y):  # pragma: no cover
    """y[n0+b, o, l] = buf[o, b·L + l] + bias[o]   (GEMM result (O, nb·L) -> NCHW order).

    Parallel over the nb·O output rows; each is a contiguous copy of L elements.
    Cost: nb·O·L additions, 2·nb·O·L elements moved."""
    O, L = y.shape[1], y.shape[2]
    for t in prange(nb * O):
        b = t // O
        o = t % O
        bo = bias[o]
        for l in range(L):
            y[n0 + b, o, l] = buf[o, b * L + l] + bo


@njit(cache=True, parallel=True)
def nol_to_chunk(g, n0, nb, buf):  # pragma: no cover
    """buf[o, b·L + l] = g[n0+b, o, l]   ((nb, O, L) slice of gy -> the (O, nb·L) GEMM operand).

    Parallel over the nb·O rows; contiguous copies. Cost: 2·nb·O·L elements moved."""
    O, L = g.shape[1], g.shape[2]
    for t in prange(nb * O):
        b = t // O
        o = t % O
        for l in range(L):
            buf[o, b * L + l] = g[n0 + b, o, l]


@njit(cache=True, parallel=True)
def add_bias_nol(y, n0, nb, bias):  # pragma: no cover
    """y[n0+b, o, l] += bias[o], in place. Parallel over nb·O rows. Cost: nb·O·L additions."""
    O, L = y.shape[1], y.shape[2]
    for t in prange(nb * O):
        b = t // O
        o = t % O
        bo = bias[o]
        for l in range(L):
            y[n0 + b, o, l] += bo


@njit(cache=True, parallel=True)
def sum_batch_space(g):  # pragma: no cover
    """gb[o] = Σ_{n,l} g[n, o, l] for g of shape (N, O, L) — conv bias grad (and, with L = 1,
    linear bias grad).

    Parallel over o; each thread sums N contiguous runs of L. Accumulates in float64 (then
    rounds to g's dtype), so float32 sums over 10⁵ terms stay exact to float32 precision.
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


# --------------------------------------------------------------------------- the three passes
def _view(mem: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """A C-contiguous (rows, cols) matrix on the front of a flat scratch buffer (so a short
    last chunk still hands Numba a contiguous array: one compiled specialisation)."""
    return mem[: rows * cols].reshape(rows, cols)


def _geometry(stride, padding, dilation):
    sh, sw = int(stride[0]), int(stride[1])
    pt, pl = int(padding[0]), int(padding[2])
    dh, dw = int(dilation[0]), int(dilation[1])
    return sh, sw, pt, pl, dh, dw


def conv2d_forward(x: np.ndarray, w: np.ndarray, b: Optional[np.ndarray], stride, padding,
                   dilation, groups: int, out_hw, gemm: Gemm = gemm_blas) -> np.ndarray:
    """y[n, o, i, j] = b[o] + Σ_{c,p,q} x_pad[n, g·Cg + c, i·sh + p·dh, j·sw + q·dw] · w[o, c, p, q].

    Per chunk of nb images: parallel im2col (Numba), then one GEMM per group (``gemm``, BLAS by
    default), written into y directly (nb = 1) or through :func:`chunk_to_nol`.
    Cost: 2·N·O·Kg·L FLOPs (all in the GEMM); K·N·L column elements written and read (in
    cache-sized chunks), N·O·L output elements written."""
    N, C = x.shape[0], x.shape[1]
    O, Cg, kh, kw = w.shape
    ho, wo = int(out_hw[0]), int(out_hw[1])
    L = ho * wo
    G = int(groups)
    Og, Kg = O // G, Cg * kh * kw
    K = C * kh * kw
    sh, sw, pt, pl, dh, dw = _geometry(stride, padding, dilation)
    dtype = x.dtype
    w2 = w.reshape(G, Og, Kg)
    bias = np.zeros(O, dtype) if b is None else np.ascontiguousarray(b, dtype)
    y = np.empty((N, O, L), dtype)
    nb = chunk_size(N, K, L, dtype.itemsize)
    cols_mem = np.empty(K * nb * L, dtype)
    buf_mem = np.empty(O * nb * L, dtype)
    for n0 in range(0, N, nb):
        m = min(nb, N - n0)
        c = _view(cols_mem, K, m * L)
        im2col(x, n0, m, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo, c)
        target = y[n0] if m == 1 else _view(buf_mem, O, m * L)
        for g in range(G):
            gemm(w2[g], c[g * Kg:(g + 1) * Kg], target[g * Og:(g + 1) * Og])
        if m == 1:
            if b is not None:
                add_bias_nol(y, n0, 1, bias)
        else:
            chunk_to_nol(target, n0, m, bias, y)
    return y.reshape(N, O, ho, wo)


def conv2d_backward_input(gy: np.ndarray, w: np.ndarray, x_shape, stride, padding, dilation,
                          groups: int, gemm: Gemm = gemm_blas) -> np.ndarray:
    """gx = ∂L/∂x: gcols_g = w_gᵀ @ gy_g per chunk and group (GEMM), then col2im scatters the
    columns back onto the pixels they were read from (padding taps dropped).

    Cost: 2·N·O·Kg·L FLOPs in the GEMM, K·N·L additions in col2im."""
    N, C, H, W = (int(s) for s in x_shape)
    O, Cg, kh, kw = w.shape
    ho, wo = gy.shape[2], gy.shape[3]
    L = ho * wo
    G = int(groups)
    Og, Kg = O // G, Cg * kh * kw
    K = C * kh * kw
    sh, sw, pt, pl, dh, dw = _geometry(stride, padding, dilation)
    dtype = gy.dtype
    w2 = w.reshape(G, Og, Kg)
    g3 = gy.reshape(N, O, L)
    gx = np.empty((N, C, H, W), dtype)
    nb = chunk_size(N, K, L, dtype.itemsize)
    gcols_mem = np.empty(K * nb * L, dtype)
    buf_mem = np.empty(O * nb * L, dtype)
    for n0 in range(0, N, nb):
        m = min(nb, N - n0)
        gc = _view(gcols_mem, K, m * L)
        if m == 1:
            src = g3[n0]
        else:
            src = _view(buf_mem, O, m * L)
            nol_to_chunk(g3, n0, m, src)
        for g in range(G):
            gemm(w2[g].T, src[g * Og:(g + 1) * Og], gc[g * Kg:(g + 1) * Kg])
        col2im(gc, n0, m, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo, gx)
    return gx


def conv2d_backward_weight(gy: np.ndarray, x: np.ndarray, w_shape, stride, padding, dilation,
                           groups: int, gemm: Gemm = gemm_blas) -> np.ndarray:
    """gw[o, c, p, q] = Σ_{n,i,j} gy[n, o, i, j] · x_pad[n, g·Cg + c, i·sh + p·dh, j·sw + q·dw].

    Per chunk: im2col again (cheaper than keeping the forward's columns for the whole batch),
    then gw_g += gy_g @ cols_gᵀ (GEMM with inner dimension nb·L).
    Cost: 2·N·O·Kg·L FLOPs in the GEMM, K·N·L column elements written and read."""
    N, C = x.shape[0], x.shape[1]
    O, Cg, kh, kw = (int(s) for s in w_shape)
    ho, wo = gy.shape[2], gy.shape[3]
    L = ho * wo
    G = int(groups)
    Og, Kg = O // G, Cg * kh * kw
    K = C * kh * kw
    sh, sw, pt, pl, dh, dw = _geometry(stride, padding, dilation)
    dtype = gy.dtype
    g3 = gy.reshape(N, O, L)
    gw = np.zeros((G, Og, Kg), dtype)
    part = np.empty((Og, Kg), dtype)
    nb = chunk_size(N, K, L, dtype.itemsize)
    cols_mem = np.empty(K * nb * L, dtype)
    buf_mem = np.empty(O * nb * L, dtype)
    for n0 in range(0, N, nb):
        m = min(nb, N - n0)
        c = _view(cols_mem, K, m * L)
        im2col(x, n0, m, kh, kw, sh, sw, pt, pl, dh, dw, ho, wo, c)
        if m == 1:
            src = g3[n0]
        else:
            src = _view(buf_mem, O, m * L)
            nol_to_chunk(g3, n0, m, src)
        for g in range(G):
            if n0 == 0:
                gemm(src[g * Og:(g + 1) * Og], c[g * Kg:(g + 1) * Kg].T, gw[g])
            else:
                gemm(src[g * Og:(g + 1) * Og], c[g * Kg:(g + 1) * Kg].T, part)
                gw[g] += part
    return gw.reshape(O, Cg, kh, kw)


def conv2d_backward_bias(gy: np.ndarray) -> np.ndarray:
    """gb[o] = Σ_{n,i,j} gy[n, o, i, j] (see :func:`sum_batch_space`)."""
    N, O = gy.shape[0], gy.shape[1]
    return sum_batch_space(gy.reshape(N, O, -1))
