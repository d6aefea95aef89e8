"""The Numba CPU backend: compiled, multi-threaded kernels — the default for CPU tensors.

=================  ==========================================================================
module             what runs where
=================  ==========================================================================
``conv.py``        conv2d: parallel im2col / col2im in Numba, one image per thread at a time
                   (its columns stay in cache), the products in single-threaded BLAS; picks
                   the direct kernel where it applies
``direct.py``      conv2d forward (and the stride-1 input grad; float32, 8 | Wo) and weight
                   grad (float32) straight from the padded image: register-blocked loops,
                   no column matrix, no BLAS
``simd.py``        ``f32x8``: eight float32 lanes as one Numba value, for the above
``copies.py``      the padded copy of an image that both conv routes start from
``gemm.py``        ``gemm_blas`` (NumPy's OpenBLAS, the default) and ``gemm_tiled`` (a blocked
                   pure-Numba GEMM kept for study: ``NumbaBackend(gemm="numba")``)
``pool.py``        max / avg pooling forward and backward, parallel over (n, c) planes
                   (branch-free max-pool scans: a 2×2 / stride-2 path and any-window path)
``activation.py``  relu / tanh / sigmoid, parallel elementwise passes that LLVM vectorises
``vmath.py``       exp written for SIMD loops (range reduction + polynomial), for the above
``softmax.py``     softmax / log_softmax / fused cross-entropy, parallel over rows
``linear.py``      linear: BLAS products (single-threaded when small) + NumPy bias passes
``threads.py``     ``set_num_threads`` for Numba's pool and OpenBLAS's pool together
=================  ==========================================================================

Every kernel is ``@njit(cache=True)``: the first call per dtype compiles (a few seconds), later
processes load the machine code from ``__pycache__``. Kernels assume C-contiguous
float32/float64 arrays (int64 for targets and indices); the methods below make sure of that.
``matmul`` (general broadcasting) is inherited from the NumPy reference backend — it is BLAS
already.
"""

from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from minitorch.backends.base import Array, Backend, Pair, Quad
from minitorch.backends.numba import activation, conv, linear, pool, softmax
from minitorch.backends.numba.gemm import blas_gemm_address, gemm_blas, gemm_tiled
from minitorch.backends.numba.threads import get_num_threads, set_num_threads
from minitorch.backends.numpy import NumpyBackend

__all__ = ["NumbaBackend", "register", "set_num_threads", "get_num_threads"]

_GEMMS = {"blas": gemm_blas, "numba": gemm_tiled}
_CONVS = ("direct", "im2col")


def _c(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a)


def _like(a: Optional[np.ndarray], dtype: np.dtype) -> Optional[np.ndarray]:
    return None if a is None else np.ascontiguousarray(a, dtype=dtype)


class NumbaBackend(NumpyBackend):
    """Numba kernels for every hot path of the CNN. ``gemm`` picks who multiplies matrices:
    ``"blas"`` (NumPy's BLAS, default) or ``"numba"`` (the tiled study kernel); ``conv`` picks
    the convolution route: ``"direct"`` (default: the im2col-free kernels of ``direct.py``
    wherever they apply, im2col elsewhere) or ``"im2col"`` (always im2col + GEMM, to study
    or compare the two)."""

    name = "numba"
    device = "cpu"

    def __init__(self, gemm: str = "blas", conv: str = "direct") -> None:
        super().__init__(np)
        if gemm not in _GEMMS:
            raise ValueError(f"gemm must be one of {sorted(_GEMMS)}, got {gemm!r}")
        if conv not in _CONVS:
            raise ValueError(f"conv must be one of {sorted(_CONVS)}, got {conv!r}")
        self.conv_route = conv
        self._direct = conv == "direct"
        self.gemm_name = gemm
        self.gemm = _GEMMS[gemm]
        # Addresses of cblas_sgemm / cblas_dgemm for the conv kernels (0: use the tiled GEMM).
        self._gemm_addr = {dt: blas_gemm_address(dt) if gemm == "blas" else 0
                           for dt in (np.dtype(np.float32), np.dtype(np.float64))}

    def _addr(self, dtype: np.dtype) -> int:
        return self._gemm_addr[np.dtype(dtype)]

    # conv2d ----------------------------------------------------------------------------
    def conv2d_forward(self, x: Array, w: Array, b: Optional[Array], stride: Pair,
                       padding: Quad, dilation: Pair, groups: int, out_hw: Pair) -> Array:
        x = _c(x)
        return conv.conv2d_forward(x, _like(w, x.dtype), _like(b, x.dtype), stride, padding,
                                   dilation, groups, out_hw, self._addr(x.dtype), self._direct)

    def conv2d_backward_input(self, gy: Array, w: Array, x_shape: Tuple[int, ...],
                              stride: Pair, padding: Quad, dilation: Pair,
                              groups: int) -> Array:
        gy = _c(gy)
        return conv.conv2d_backward_input(gy, _like(w, gy.dtype), x_shape, stride, padding,
                                          dilation, groups, self._addr(gy.dtype), self._direct)

    def conv2d_backward_weight(self, gy: Array, x: Array, w_shape: Tuple[int, ...],
                               stride: Pair, padding: Quad, dilation: Pair,
                               groups: int) -> Array:
        gy = _c(gy)
        return conv.conv2d_backward_weight(gy, _like(x, gy.dtype), w_shape, stride, padding,
                                           dilation, groups, self._addr(gy.dtype),
                                           self._direct)

    def conv2d_backward_bias(self, gy: Array) -> Array:
        return conv.conv2d_backward_bias(_c(gy))

    # pooling ---------------------------------------------------------------------------
    def max_pool2d_forward(self, x: Array, kernel_size: Pair, stride: Pair, padding: Pair,
                           dilation: Pair, out_hw: Pair) -> Tuple[Array, Array]:
        return pool.max_pool2d_forward(_c(x), kernel_size, stride, padding, dilation, out_hw)

    def max_pool2d_backward(self, gy: Array, indices: Array, x_shape: Tuple[int, ...]) -> Array:
        return pool.max_pool2d_backward(_c(gy), indices, x_shape)

    def avg_pool2d_forward(self, x: Array, kernel_size: Pair, stride: Pair, padding: Pair,
                           out_hw: Pair, count_include_pad: bool,
                           divisor_override: Optional[int]) -> Array:
        return pool.avg_pool2d_forward(_c(x), kernel_size, stride, padding, out_hw,
                                       count_include_pad, divisor_override)

    def avg_pool2d_backward(self, gy: Array, x_shape: Tuple[int, ...], kernel_size: Pair,
                            stride: Pair, padding: Pair, count_include_pad: bool,
                            divisor_override: Optional[int]) -> Array:
        return pool.avg_pool2d_backward(_c(gy), x_shape, kernel_size, stride, padding,
                                        count_include_pad, divisor_override)

    # activations -----------------------------------------------------------------------
    def relu_forward(self, x: Array) -> Array:
        return activation.relu_forward(x)

    def relu_backward(self, gy: Array, y: Array) -> Array:
        return activation.relu_backward(gy, y)

    def tanh_forward(self, x: Array) -> Array:
        return activation.tanh_forward(x)

    def tanh_backward(self, gy: Array, y: Array) -> Array:
        return activation.tanh_backward(gy, y)

    def sigmoid_forward(self, x: Array) -> Array:
        return activation.sigmoid_forward(x)

    def sigmoid_backward(self, gy: Array, y: Array) -> Array:
        return activation.sigmoid_backward(gy, y)

    # linear ----------------------------------------------------------------------------
    def linear_forward(self, x: Array, w: Array, b: Optional[Array]) -> Array:
        x = _c(x)
        return linear.linear_forward(x, _like(w, x.dtype), _like(b, x.dtype), gemm=self.gemm)

    def linear_backward(self, gy: Array, x: Array, w: Array,
                        has_bias: bool) -> Tuple[Array, Array, Optional[Array]]:
        gy = _c(gy)
        return linear.linear_backward(gy, _like(x, gy.dtype), _like(w, gy.dtype), has_bias,
                                      gemm=self.gemm)

    # softmax and losses ----------------------------------------------------------------
    def softmax_forward(self, x: Array, dim: int) -> Array:
        return softmax.softmax_forward(x, dim)

    def softmax_backward(self, gy: Array, y: Array, dim: int) -> Array:
        return softmax.softmax_backward(gy, y, dim)

    def log_softmax_forward(self, x: Array, dim: int) -> Array:
        return softmax.log_softmax_forward(x, dim)

    def log_softmax_backward(self, gy: Array, y: Array, dim: int) -> Array:
        return softmax.log_softmax_backward(gy, y, dim)

    def cross_entropy_forward(self, logits: Array, target: Array, weight: Optional[Array],
                              ignore_index: int, label_smoothing: float) -> Tuple[Array, Array]:
        return softmax.cross_entropy_forward(logits, target, weight, ignore_index,
                                             label_smoothing)

    def cross_entropy_backward(self, gloss: Array, logp: Array, target: Array,
                               weight: Optional[Array], ignore_index: int,
                               label_smoothing: float) -> Array:
        return softmax.cross_entropy_backward(gloss, logp, target, weight, ignore_index,
                                              label_smoothing)


def _factory() -> Backend:
    return NumbaBackend()


def register() -> None:
    """Register this backend as ``"numba"``, the default for CPU tensors."""
    from minitorch.backends import register_backend

    register_backend("numba", _factory, cpu_default=True)
