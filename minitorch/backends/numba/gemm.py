"""Matrix products for the Numba backend: BLAS called from inside Numba, and a tiled
pure-Numba GEMM for study.

Everything here computes, for 2-D arrays whose rows are unit-stride (C-contiguous arrays and
row slices of them),

    c = op(a) @ op(b) + beta · c        op(m) = mᵀ if the trans flag is set, else m

with c (M, N), op(a) (M, K), op(b) (K, N). Cost: 2·M·N·K FLOPs; at least M·K + K·N + M·N
elements moved.

**Where the GEMM goes.** :func:`gemm_into` is a Numba function that the convolution kernels call
from *inside* their parallel loops (one image per call, one call per thread at a time):

* If NumPy's OpenBLAS exports ``cblas_?gemm`` with 64-bit integers (the ``scipy_openblas64``
  build that NumPy wheels ship), :func:`gemm_into` calls it directly through its address —
  the intrinsic :func:`_cblas_gemm` turns the integer address into a C function pointer call,
  so there is no Python or ctypes in the loop and the kernels stay cacheable. The backend keeps
  OpenBLAS single-threaded while its parallel loops call it (see ``threads.blas_threads``):
  the parallelism is over images, one BLAS call per thread.
* Otherwise (``addr == 0``, or ``NumbaBackend(gemm="numba")``), it runs :func:`tiled_gemm`, a
  blocked pure-Numba product kept as a study kernel to measure beside BLAS.

:func:`gemm_blas` and :func:`gemm_tiled` are the Python-level forms (``out = a @ b``) used by
the linear layer.
"""

from __future__ import annotations

import ctypes

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.extending import intrinsic

from minitorch.backends.numba.threads import blas_library

# CBLAS enum values (cblas.h): row-major storage, and the two transposition flags.
CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_TRANS = 101, 111, 112

# tiled_gemm blocks: a BK×BN panel of op(b) (128×256 floats = 128 KiB in float32) is copied
# once into a contiguous buffer that stays in L2 while every row of op(a) is run against it.
BK, BN = 128, 256
# gemm_tiled (the Python-level parallel form) hands each thread stripes of BM rows.
BM = 32


# --------------------------------------------------------------------------- BLAS by address
def blas_gemm_address(dtype: np.dtype) -> int:
    """Address of OpenBLAS's ILP64 ``cblas_sgemm`` (float32) or ``cblas_dgemm`` (float64), or 0
    if NumPy's BLAS is not an OpenBLAS with 64-bit integers that we can find."""
    lib = blas_library()
    if lib is None:
        return 0
    letter = "s" if np.dtype(dtype) == np.float32 else "d"
    for name in (f"scipy_cblas_{letter}gemm64_", f"cblas_{letter}gemm64_"):
        if hasattr(lib, name):
            return int(ctypes.cast(getattr(lib, name), ctypes.c_void_p).value or 0)
    return 0


@intrinsic
def _cblas_gemm(typingctx, addr, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c,
                ldc):
    """``((cblas_gemm*) addr)(RowMajor, trans_a, trans_b, m, n, k, alpha, a.data, lda, b.data,
    ldb, beta, c.data, ldc)`` — a call through a function pointer held in an integer.

    The address is an ordinary argument (not a constant baked into the machine code), so the
    kernels that call this can be cached to disk. Integers are ILP64 (``int64``), the enums
    ``int32``, the scalars the arrays' dtype."""
    sig = types.void(addr, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)

    def codegen(context, builder, signature, args):
        tys = signature.args
        flt = context.get_value_type(c.dtype)
        i32, i64 = ir.IntType(32), ir.IntType(64)
        fnty = ir.FunctionType(ir.VoidType(), [i32, i32, i32, i64, i64, i64, flt,
                                               flt.as_pointer(), i64, flt.as_pointer(), i64,
                                               flt, flt.as_pointer(), i64])

        def as_i64(i):
            return context.cast(builder, args[i], tys[i], types.int64)

        def as_i32(i):
            return builder.trunc(as_i64(i), i32)

        def as_flt(i):
            return context.cast(builder, args[i], tys[i], c.dtype)

        def data(i):
            return context.make_array(tys[i])(context, builder, value=args[i]).data

        fn = builder.inttoptr(as_i64(0), fnty.as_pointer())
        builder.call(fn, [ir.Constant(i32, CBLAS_ROW_MAJOR), as_i32(1), as_i32(2), as_i64(3),
                          as_i64(4), as_i64(5), as_flt(6), data(7), as_i64(8), data(9),
                          as_i64(10), as_flt(11), data(12), as_i64(13)])
        return context.get_dummy_value()

    return sig, codegen


# --------------------------------------------------------------------------- tiled Numba GEMM
@njit(cache=True, fastmath={"contract"})
def tiled_gemm(trans_a, trans_b, a, b, beta, c):  # pragma: no cover
    """c = op(a) @ op(b) + beta·c, blocked BK × BN, serial (callers parallelise around it).

    For each (BK, BN) block of op(b): copy it into a contiguous panel (transposing on the way
    if trans_b), then for every row i and every k of the block add op(a)[i, k]·panel[k, :] into
    c[i, block] — a unit-stride inner loop that LLVM vectorises into fused multiply-adds
    (``fastmath={"contract"}`` only allows the FMA: one rounding instead of two per term; NaN
    and Inf are untouched). Accumulates in c's dtype, like sgemm/dgemm."""
    M, N = c.shape
    K = a.shape[0] if trans_a else a.shape[1]
    if beta == 0:
        c[:, :] = 0
    panel = np.empty((BK, BN), dtype=c.dtype)
    for k0 in range(0, K, BK):
        k1 = min(k0 + BK, K)
        for j0 in range(0, N, BN):
            j1 = min(j0 + BN, N)
            for k in range(k0, k1):
                for j in range(j0, j1):
                    panel[k - k0, j - j0] = b[j, k] if trans_b else b[k, j]
            for i in range(M):
                for k in range(k0, k1):
                    aik = a[k, i] if trans_a else a[i, k]
                    for j in range(j1 - j0):
                        c[i, j0 + j] += aik * panel[k - k0, j]


@njit(cache=True)
def _leading_dim(m):  # pragma: no cover
    """Row stride of a row-major matrix in elements (≥ its row length, as BLAS requires)."""
    return max(m.strides[0] // m.itemsize, m.shape[1], 1)


@njit(cache=True)
def gemm_into(addr, trans_a, trans_b, a, b, beta, c):  # pragma: no cover
    """c = op(a) @ op(b) + beta·c: through BLAS at ``addr`` (:func:`blas_gemm_into`), or with
    :func:`tiled_gemm` when ``addr == 0``. ``beta`` is 0 (overwrite) or 1 (accumulate)."""
    K = a.shape[0] if trans_a else a.shape[1]
    if addr == 0 and c.shape[0] and c.shape[1] and K:
        tiled_gemm(trans_a, trans_b, a, b, beta, c)
        return
    blas_gemm_into(addr, trans_a, trans_b, a, b, beta, c)


@njit(cache=True)
def blas_gemm_into(addr, trans_a, trans_b, a, b, beta, c):  # pragma: no cover
    """c = op(a) @ op(b) + beta·c through the BLAS ``cblas_?gemm`` at ``addr`` (nonzero; see
    :func:`_cblas_gemm`) — no tiled fallback compiled in, for kernels that only run with
    BLAS. An empty inner dimension gives beta·c (no call)."""
    M, N = c.shape
    K = a.shape[0] if trans_a else a.shape[1]
    if M == 0 or N == 0:
        return
    if K == 0:
        if beta == 0:
            c[:, :] = 0
        return
    ta = CBLAS_TRANS if trans_a else CBLAS_NO_TRANS
    tb = CBLAS_TRANS if trans_b else CBLAS_NO_TRANS
    _cblas_gemm(addr, ta, tb, M, N, K, 1.0, a, _leading_dim(a), b, _leading_dim(b), beta, c,
                _leading_dim(c))


# --------------------------------------------------------------------------- Python-level forms
def gemm_blas(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """out = a @ b through NumPy's BLAS (``numpy.matmul(..., out=out)``, multi-threaded)."""
    np.matmul(a, b, out=out)


@njit(cache=True, parallel=True)
def _gemm_tiled_parallel(a, b, out):  # pragma: no cover
    """out = a @ b: parallel over stripes of BM rows, each stripe a :func:`tiled_gemm`."""
    M = out.shape[0]
    for s in prange((M + BM - 1) // BM):
        i0, i1 = s * BM, min(s * BM + BM, M)
        tiled_gemm(False, False, a[i0:i1], b, 0.0, out[i0:i1])


def gemm_tiled(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """out = a @ b with the pure-Numba tiled kernel, parallel over row stripes (study kernel)."""
    _gemm_tiled_parallel(np.ascontiguousarray(a), np.ascontiguousarray(b), out)
