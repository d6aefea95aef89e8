"""Matrix products for the Numba backend: BLAS (the default) and a pure-Numba tiled GEMM.

Both compute ``out = a @ b`` for 2-D ``a`` (M, K), ``b`` (K, N), ``out`` (M, N) with the
dtype of ``a``; ``a`` and ``b`` may be transposed views (the convolution passes use ``wᵀ`` and
``colsᵀ``). Cost: 2·M·N·K FLOPs; at least (M·K + K·N + M·N) elements moved.

* :func:`gemm_blas` hands the product to NumPy's BLAS (OpenBLAS here), from Python. BLAS
  reads transposed views through its ``trans`` flags, packs panels into cache-sized blocks
  and runs an assembly micro-kernel on all its threads: this is what the backend uses.
* :func:`gemm_tiled` is the same product in ~30 lines of Numba, kept as a study kernel (select
  it with ``NumbaBackend(gemm="numba")``) to measure beside BLAS. It blocks the loops so a
  (BK × BN) panel of ``b`` is copied once into a small contiguous buffer and reused by BM rows of
  ``a``, and its inner loop is a contiguous ``out[i, j] += a[i, k]·b[k, j]`` that LLVM turns
  into SIMD fused multiply-adds (``fastmath={"contract"}`` allows the FMA; rounding changes by at
  most one ulp per term, and NaN/Inf are untouched).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

# Block sizes: a BK×BN panel of b (128×256 floats = 128 KiB in float32) fits a core's L2;
# a BM-row stripe of out is one thread's unit of work.
BM, BK, BN = 32, 128, 256


def gemm_blas(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """out = a @ b through NumPy's BLAS (``numpy.matmul(..., out=out)``)."""
    np.matmul(a, b, out=out)


@njit(cache=True, parallel=True, fastmath={"contract"})
def _gemm_tiled(a, b, out):  # pragma: no cover
    """out[i, j] = Σ_k a[i, k] · b[k, j], blocked BM × BK × BN.

    Parallel over stripes of BM rows of ``out`` (threads never share an output row). Inside a
    stripe, for each (BK, BN) block of ``b``: copy the block into a contiguous buffer, then
    for each row i and each k, add a[i, k]·bblock[k, :] into out[i, block] — the inner loop is
    unit-stride over j and vectorises. Accumulates in out's dtype, like sgemm/dgemm."""
    M, K = a.shape
    N = b.shape[1]
    n_stripes = (M + BM - 1) // BM
    for s in prange(n_stripes):
        i0 = s * BM
        i1 = min(i0 + BM, M)
        for i in range(i0, i1):
            for j in range(N):
                out[i, j] = 0
        panel = np.empty((BK, BN), dtype=out.dtype)
        for k0 in range(0, K, BK):
            k1 = min(k0 + BK, K)
            for j0 in range(0, N, BN):
                j1 = min(j0 + BN, N)
                for k in range(k0, k1):
                    for j in range(j0, j1):
                        panel[k - k0, j - j0] = b[k, j]
                for i in range(i0, i1):
                    for k in range(k0, k1):
                        aik = a[i, k]
                        for j in range(j1 - j0):
                            out[i, j0 + j] += aik * panel[k - k0, j]


def gemm_tiled(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """out = a @ b with the pure-Numba blocked kernel (study kernel; see the module doc)."""
    _gemm_tiled(a, b, out)
