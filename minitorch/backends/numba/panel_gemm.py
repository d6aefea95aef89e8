"""The linear layer's three products as register-blocked SIMD kernels on Numba's threads.

A linear layer's products are short and wide — the seed CNN's 1024→64 layer at batch 64:

    forward   y  = x @ wᵀ + b      (N, I)·(I, O)     64 × 1024 × 64
    backward  gx = gy @ w          (N, O)·(O, I)     64 × 64 × 1024
              gw = gyᵀ @ x         (O, N)·(N, I)     64 × 64 × 1024

each 8.4 MFLOP, tens of µs. A BLAS library tunes for big squares: OpenBLAS's single-thread
sgemm took ~95 µs for the forward on one core of the benchmark machine (Intel AVX-512),
where the kernel below takes ~55. All three are one shape of computation, C = A·B with B
read in *panels* of 2n columns (n = the vector width,
:func:`~minitorch.backends.numba.simd.simd_lanes`):

    for each panel j0 … j0+2n−1 of B's columns:
        pack B[:, j0:j0+2n] into a contiguous scratch panel (K rows of 2n)
        for each chunk k0 … k1−1 of at most CHUNK_K rows of the panel:
            for each block of 8 rows m … m+7 of A:                     (register block)
                acc[r] = 0  (two n-lane vectors per row: 16 running sums)
                for k in k0 … k1−1:
                    ba, bb = panel[k, 0:n], panel[k, n:2n]             (two vector loads)
                    for r in 0 … 7:                                    (unrolled)
                        v = A[m+r, k]                                  (one scalar, broadcast)
                        acc_a[r] += v · ba;  acc_b[r] += v · bb
                C[m+r, j0:j0+2n] = bias + acc[r]  (first chunk), else += acc[r]

— the register block of :mod:`minitorch.backends.numba.direct`'s forward: two vector loads
and eight broadcasts per sixteen fused multiply-adds; a chunk of the panel (32 KB) stays in
L1 while every row block runs over it, and so does the C panel (M·2n values) between
chunks. A is read through two strides (``a_row``, ``a_col``), so the same kernel reads x,
gy or gyᵀ without copies. **Why pack B:** the rows of a (·, 1024) float32 matrix are 4 KB
apart, so the 2·K cache lines of one unpacked panel all fall into the same two sets of
the 12-way L1 and evict each other on every block (gx: 72 µs on one thread unpacked, 60
packed + 6 of copying, against OpenBLAS's 77). The backward's panels are copies of rows
(:func:`pack_panel`); the forward's B is wᵀ, its panels 2n rows of w turned into columns
(:func:`~minitorch.backends.numba.direct.transpose_into`, ~5 µs for 32 rows of 1024).
float32 sums run in chunks of ``CHUNK_K`` terms, each added to C (as a GEMM's K blocks).

**Threads.** The forward's thread t takes a share of the O/2n panels of the weight (packs
them and computes their columns of y); the backward's thread t takes a share of the I
columns — both gx[:, cols] and gw[:, cols] — so each thread reads only its share of w and
x. The results are 64-byte aligned (:func:`~minitorch.backends.numba.simd.aligned_empty`):
the threads' columns then meet at a cache line's edge, where NumPy's 16-byte alignment put
one line of every row of y in both threads' hands — written by both, bounced between the
cores (the forward on 2 threads 44 → 39 µs). The threads run on Numba's OpenMP pool
through a launcher that calls the kernel by address
(:func:`~minitorch.backends.numba.threads.call_native`, as the direct convolutions do). The
bias is added with the first chunk; the bias gradient (summed in float64, rounded
once) is thread 0's, before its columns.
"""

from __future__ import annotations

import functools
from typing import Optional, Tuple

import numpy as np
from numba import njit, prange

from minitorch.backends.numba.copies import U
from minitorch.backends.numba.direct import _add_pair, add_rows, tap, transpose_into
from minitorch.backends.numba.simd import (
    WIDTH,
    aligned_empty,
    aligned_scratch,
    count,
    fma,
    load,
    simd_lanes,
    splat,
    store,
)
from minitorch.backends.numba.threads import call_native, get_num_threads, run_on_pool

ROWS = 8  # rows of C per register block
CHUNK_K = 256  # rows of a packed panel summed in registers before they are added to C


@njit(cache=True)
def panel_rows(af, a_row, a_col, M, k0, k1, panel, cf, c0, ldc, first, bias,
               lanes):  # pragma: no cover
    """cf[c0 + m·ldc + j] (= bias[j] + …, if ``first``; else += …)
    Σ_{k0 ≤ k < k1} af[m·a_row + k·a_col] · panel[(k − k0)·2n + j]
    for every row m < M and j < 2n: the rows of A times one packed panel of B (k1 − k0 rows
    of 2n). Blocks of 8 rows (sixteen vector sums, see the module doc), then the rows left
    over one at a time. Serial. Cost: 2·M·(k1 − k0)·2n FLOPs."""
    un = U(count(lanes))
    ar, ac, ld = U(a_row), U(a_col), U(ldc)
    ba, bb = bias
    zero = splat(0.0, cf, lanes)
    m = 0
    while m + ROWS <= M:
        acc = (zero, zero, zero, zero, zero, zero, zero, zero,
               zero, zero, zero, zero, zero, zero, zero, zero)
        ai = U(m) * ar + U(k0) * ac
        bi = U(0)
        for _ in range(k0, k1):
            acc = tap(af, ai, ar, panel, bi, un, acc, lanes)
            ai += ac
            bi += un + un
        add_rows(cf, U(c0) + U(m) * ld, ld, un, first, ba, bb, acc, lanes)
        m += ROWS
    while m < M:  # the rows left over, one at a time
        a0 = b0 = zero
        ai = U(m) * ar + U(k0) * ac
        bi = U(0)
        for _ in range(k0, k1):
            v = af[ai]
            a0, b0 = fma(a0, v, load(panel, bi, lanes)), fma(b0, v, load(panel, bi + un, lanes))
            ai += ac
            bi += un + un
        _add_pair(cf, U(c0) + U(m) * ld, un, first, ba, bb, a0, b0, lanes)
        m += 1


@njit(cache=True)
def pack_panel(bf, ldb, k0, k1, j0, panel, lanes):  # pragma: no cover
    """panel[(k − k0)·2n + j] = bf[k·ldb + j0 + j] for k0 ≤ k < k1, j < 2n: one panel of a
    row-major B, its rows made contiguous (two vector moves a row)."""
    un = U(count(lanes))
    d = U(0)
    for k in range(k0, k1):
        s = U(k) * U(ldb) + U(j0)
        store(panel, d, load(bf, s, lanes))
        store(panel, d + un, load(bf, s + un, lanes))
        d += un + un


@njit(cache=True)
def product_columns(af, a_row, a_col, M, K, b2, b_rows, j_lo, j_hi, cf, ldc, bias, panel,
                    lanes):  # pragma: no cover
    """C[:, j_lo:j_hi] = bias[j_lo:j_hi] + A · B[:, j_lo:j_hi] for A (M, K) read as
    af[m·a_row + k·a_col] and C (M, ·) with rows ``ldc`` apart. B (K, ·) is ``b2`` itself,
    row-major — or, if ``b_rows``, b2's transpose: B[k, j] = b2[j, k] (the forward's wᵀ).
    Panel by panel of 2n columns: packed into ``panel`` (K·2n values: a copy of each row
    (:func:`pack_panel`), or 2n rows of b2 turned into columns
    (:func:`~minitorch.backends.numba.direct.transpose_into`)), then multiplied by every row
    of A, ``CHUNK_K`` of its rows at a time (:func:`panel_rows`; the C panel, M·2n values,
    stays in L1 between chunks). 2n | j_hi − j_lo. Serial."""
    n = count(lanes)
    n2 = 2 * n
    panel2 = panel[:K * n2].reshape(K, n2)
    for j0 in range(j_lo, j_hi, n2):
        if b_rows:
            transpose_into(b2[j0:j0 + n2], panel2)
        else:
            pack_panel(b2.ravel(), b2.shape[1], 0, K, j0, panel, lanes)
        b = (load(bias, U(j0), lanes), load(bias, U(j0 + n), lanes))
        for k0 in range(0, K, CHUNK_K):
            k1 = min(k0 + CHUNK_K, K)
            panel_rows(af, a_row, a_col, M, k0, k1, panel[k0 * n2:], cf, j0, ldc, k0 == 0, b,
                       lanes)


@njit(cache=True, inline="always")
def _share(t, T, parts):  # pragma: no cover
    """[lo, hi): thread t's share of range(parts), T near-equal shares."""
    return t * parts // T, (t + 1) * parts // T


@njit(cache=True)
def linear_threads(lo, hi, backward, x, w, gy, y, gx, gw, b, has_bias, zeros, panels,
                   lanes):  # pragma: no cover
    """The linear layer's products for the threads t in [lo, hi) of T = len(panels) (one
    kernel for both passes, so that :func:`panel_rows` compiles once):

    forward (``backward`` False): y[:, cols] = x @ w[cols]ᵀ + b[cols] on thread t's share of
    the O columns (whole panels of 2n); gy, gx and gw are not used.
    backward: gx[:, cols] = gy @ w[:, cols] and gw[:, cols] = gyᵀ @ x[:, cols] on thread t's
    share of the I columns; thread 0 first sums the bias gradient b[o] = Σ_n gy[n, o]
    (float64, rounded once) if ``has_bias``; y is not used.

    x (N, I), w (O, I), gy and y (N, O), gx (N, I), gw (O, I): C-contiguous; ``zeros`` holds
    I zeros (the products of the backward add no bias); panels[t] is thread t's packing
    space (K·2n values for the longest K)."""
    N, I = x.shape
    O, T = w.shape[0], panels.shape[0]
    n2 = 2 * count(lanes)
    # run-time values, not literals: each call of product_columns then has the same
    # argument types, and it (with panel_rows) compiles once, not once per call site
    one, transposed = np.int64(1), not backward
    for t in range(lo, hi):
        if not backward:
            c_lo, c_hi = _share(t, T, O // n2)
            product_columns(x.ravel(), I, one, N, I, w, transposed, c_lo * n2, c_hi * n2,
                            y.ravel(), O, b, panels[t], lanes)
            continue
        if t == 0 and has_bias:  # row after row, vectorised along o
            acc = np.zeros(O, np.float64)
            for n in range(N):
                for o in range(O):
                    acc[o] += gy[n, o]
            for o in range(O):
                b[o] = acc[o]
        c_lo, c_hi = _share(t, T, I // n2)
        # gx = gy @ w: A = gy (rows O apart), B = w (O, I)
        product_columns(gy.ravel(), O, one, N, O, w, transposed, c_lo * n2, c_hi * n2,
                        gx.ravel(), I, zeros, panels[t], lanes)
        # gw = gyᵀ @ x: A = gyᵀ (its row o is column o of gy: a_row 1, a_col O), B = x
        product_columns(gy.ravel(), one, O, O, N, x, transposed, c_lo * n2, c_hi * n2,
                        gw.ravel(), I, zeros, panels[t], lanes)


@njit(cache=True, parallel=True)
def linear_on_pool(address, T, backward, x, w, gy, y, gx, gw, b, has_bias, zeros, panels,
                   lanes):  # pragma: no cover
    """:func:`linear_threads` (at ``address``) for t in range(T), one ``prange`` iteration
    each, on Numba's pool (the calling thread takes t = 0)."""
    for t in prange(T):
        call_native(address, t, t + 1, backward, x, w, gy, y, gx, gw, b, has_bias, zeros,
                    panels, lanes)


# --------------------------------------------------------------------------- Python entry points
def lanes_for(x: np.ndarray, w: np.ndarray, backward: bool) -> int:
    """The vector width n these products run at here — or 0 where they cannot: they need
    float32 or float64, C-contiguous x and w, and whole panels (2n | O for the forward,
    2n | I for the backward)."""
    if x.dtype != w.dtype or x.dtype not in _DTYPES:
        return 0
    if not (x.flags.c_contiguous and w.flags.c_contiguous):
        return 0
    lanes = simd_lanes(x.dtype)
    cols = x.shape[1] if backward else w.shape[0]
    return lanes if cols > 0 and cols % (2 * lanes) == 0 else 0


_DTYPES = (np.float32, np.float64)


def _run(T: int, *args) -> None:
    """:func:`linear_threads` for t in range(T) (T = len(panels)), on Numba's pool when
    T > 1."""
    x, w, gy, b = args[1], args[2], args[3], args[7]
    key = (x.dtype, args[-1].lanes, x.flags.writeable, w.flags.writeable,
           gy.flags.writeable, b.flags.writeable)  # what decides the argument types
    run_on_pool(linear_threads, linear_on_pool, key, T, *args)


def linear_forward(x: np.ndarray, w: np.ndarray, b: Optional[np.ndarray], lanes: int
                   ) -> np.ndarray:
    """y[n, o] = b[o] + Σ_i x[n, i] · w[o, i] (see :func:`linear_threads`) at the width
    :func:`lanes_for` gave."""
    (N, I), O = x.shape, w.shape[0]
    y = aligned_empty((N, O), x.dtype)  # the threads' columns meet at a cache line's edge
    T = max(1, min(get_num_threads(), O // (2 * lanes)))
    bias = np.zeros(O, x.dtype) if b is None else np.ascontiguousarray(b, x.dtype)
    panels = aligned_scratch("linear panels", (T, I * 2 * lanes), x.dtype)
    _run(T, False, x, w, y, y, y, y, bias, False, bias, panels, WIDTH[lanes])
    return y


def linear_backward(gy: np.ndarray, x: np.ndarray, w: np.ndarray, has_bias: bool,
                    lanes: int) -> Tuple[np.ndarray, np.ndarray, Optional[np.ndarray]]:
    """gx = gy @ w, gw = gyᵀ @ x, gb = Σ_n gy[n, :] (see :func:`linear_threads`) at the
    width :func:`lanes_for` gave (the caller also checks that gy is C-contiguous, of x's
    dtype)."""
    (N, I), O = x.shape, w.shape[0]
    gx = aligned_empty(x.shape, gy.dtype)  # (see linear_forward)
    gw = aligned_empty(w.shape, gy.dtype)
    gb = np.empty(O, gy.dtype)
    T = max(1, min(get_num_threads(), I // (2 * lanes)))
    panels = aligned_scratch("linear panels", (T, max(N, O) * 2 * lanes), gy.dtype)
    zeros = zeros_of(I, gy.dtype)
    _run(T, True, x, w, gy, gx, gx, gw, gb, has_bias, zeros, panels, WIDTH[lanes])
    return gx, gw, gb if has_bias else None


@functools.lru_cache(maxsize=8)
def zeros_of(n: int, dtype: np.dtype) -> np.ndarray:
    """n zeros of dtype, made once: the bias of products that add none (read only, by
    contract; left writeable, as a read-only array would be another Numba type)."""
    return np.zeros(n, dtype)
