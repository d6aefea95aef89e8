"""The Numba CPU backend: compiled, multi-threaded kernels — the default for CPU tensors.

=================  ==========================================================================
module             what runs where
=================  ==========================================================================
``conv.py``        conv2d: the router — a table (pass × condition → route), the route
                   predicates, ``routes()`` / ``last_routes()``; it runs no kernel itself
``direct.py``      the direct route: conv2d forward (float32/64, 8 | Wo; also the stride-1
                   input grad as a flipped forward) and weight grad (float32/64) straight from
                   the padded image — register-blocked loops, no column matrix, no BLAS
``im2col.py``      the im2col route: parallel im2col / col2im in Numba, one image per thread
                   at a time (its columns stay in cache), the products in single-threaded BLAS
``bias.py``        the conv bias gradient (one parallel sum)
``simd.py``        ``vec(dtype, n)``: n float32 or float64 lanes as one Numba value, for the
                   above; ``simd_lanes()`` / ``MINITORCH_SIMD_LANES``: the width the kernels
                   use (16 float32 / 8 float64 where LLVM reports AVX-512, else 8 / 4)
``warm.py``        ``warm_cache(progress)``: compile the kernels a training step uses, ahead
                   of it (a set-up step; ``python -m benchmarks.coldstart`` measures both)
``copies.py``      the padded copy of an image that both conv routes start from, their buffers
``gemm.py``        ``gemm_blas`` (NumPy's OpenBLAS, the default) and ``gemm_tiled`` (a blocked
                   pure-Numba GEMM kept for study: ``NumbaBackend(gemm="numba")``)
``pool.py``        max / avg pooling forward and backward, parallel over (n, c) planes
                   (branch-free max-pool scans: a 2×2 / stride-2 path and any-window path;
                   2×2 / stride-2 average pooling as one pass each way)
``activation.py``  relu / tanh / sigmoid, parallel elementwise passes (tanh / sigmoid on
                   ``simd`` vectors)
``vecops.py``      lane-wise arithmetic, compares / selects, exponent shifts on ``simd`` vectors
``vmath.py``       exp on ``simd`` vectors (range reduction + polynomial), for the above
``softmax.py``     softmax / log_softmax / fused cross-entropy, parallel over rows
``linear.py``      linear: BLAS products (single-threaded when small, split over Numba's
                   threads when mid-sized) + NumPy bias passes
``threads.py``     ``set_num_threads`` for Numba's pool and OpenBLAS's pool together;
                   ``parallel_for``: a serial ``nogil`` kernel over a range, one chunk per
                   Python thread (max pooling, the bias grad: half the compile time of a
                   ``parallel=True`` kernel); ``call_native``: a kernel called by address
                   from a small ``prange`` launcher, on Numba's pool (the direct convs: no
                   Python hand-off, no second compile); ``sized_call``: small work runs on
                   the calling thread alone
=================  ==========================================================================

Every kernel is ``@njit(cache=True)`` and compiles lazily, on its first call per dtype (and
per vector width for the direct convolutions) — nothing compiles at import; later processes
load the machine code from ``__pycache__`` (or ``NUMBA_CACHE_DIR``). Kernels assume C-contiguous
float32/float64 arrays (int64 for targets and indices), as the contract of
:mod:`minitorch.backends.base` says; the methods below check it. ``matmul`` (general
broadcasting) is the base class's default — BLAS through NumPy already.

Pooling, activations, softmax and the conv bias grad go through
:func:`~minitorch.backends.numba.threads.sized_call`: below ``SERIAL_WORK`` elements (a batch-1
CNN's pooling, a small softmax) their parallel loop runs on the calling thread, as PyTorch's
kernels do below their grain size — a parallel launch costs more than such work, and on a
busy machine it waits for every worker's time slice. The cross-entropy kernels are serial
(rows of class scores are short), so they are called directly.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence, Tuple, Union

import numpy as np

from minitorch import dtypes
from minitorch.backends.base import (
    Array,
    Backend,
    Pair,
    PoolWindow,
    Quad,
    check_inputs,
    reduce_loss,
)
from minitorch.backends.numba import activation, linear, pool, softmax
from minitorch.backends.numba import conv as conv_router
from minitorch.backends.numba.gemm import blas_gemm_address, gemm_blas, gemm_tiled
from minitorch.backends.numba.simd import set_simd_lanes, simd_lanes
from minitorch.backends.numba.threads import (
    get_num_threads,
    set_num_threads,
    sized_call,
)
from minitorch.backends.numba.warm import warm_cache
from minitorch.shapes import IntOrPair, check_conv2d

__all__ = ["NumbaBackend", "register", "routes", "last_routes", "set_num_threads",
           "get_num_threads", "warm_cache", "simd_lanes", "set_simd_lanes"]

_GEMMS = {"blas": gemm_blas, "numba": gemm_tiled}
_CONVS = ("direct", "im2col")


class NumbaBackend(Backend):
    """Numba kernels for every hot path of the CNN. ``gemm`` picks who multiplies matrices:
    ``"blas"`` (NumPy's BLAS, default) or ``"numba"`` (the tiled study kernel); ``conv`` picks
    the convolution routes: ``"direct"`` (default: the table of ``conv.py``, direct kernels
    wherever they apply) or ``"im2col"`` (always im2col + GEMM, to study or compare the two).
    Every method checks the kernel contract (:func:`~minitorch.backends.base.check_inputs`)
    and calls one module function."""

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

    # conv2d: conv.py routes each pass -------------------------------------------------
    def conv2d_forward(self, x: Array, w: Array, b: Optional[Array], stride: Pair,
                       padding: Quad, dilation: Pair, groups: int, out_hw: Pair) -> Array:
        check_inputs(x, w, b)
        return conv_router.conv2d_forward(x, w, b, stride, padding, dilation, groups, out_hw,
                                          self._addr(x.dtype), self._direct)

    def conv2d_backward_input(self, gy: Array, w: Array, x_shape: Tuple[int, ...],
                              stride: Pair, padding: Quad, dilation: Pair,
                              groups: int) -> Array:
        check_inputs(gy, w)
        return conv_router.conv2d_backward_input(gy, w, x_shape, stride, padding, dilation,
                                                 groups, self._addr(gy.dtype), self._direct)

    def conv2d_backward_weight(self, gy: Array, x: Array, w_shape: Tuple[int, ...],
                               stride: Pair, padding: Quad, dilation: Pair,
                               groups: int) -> Array:
        check_inputs(gy, x)
        return conv_router.conv2d_backward_weight(gy, x, w_shape, stride, padding, dilation,
                                                  groups, self._addr(gy.dtype), self._direct)

    def conv2d_backward_bias(self, gy: Array) -> Array:
        check_inputs(gy)
        return sized_call(gy.size, conv_router.conv2d_backward_bias, gy)

    # pooling ---------------------------------------------------------------------------
    def max_pool2d_forward(self, x: Array, kernel_size: Pair, stride: Pair, padding: Pair,
                           dilation: Pair, out_hw: Pair) -> Tuple[Array, Array]:
        check_inputs(x)
        return sized_call(x.size, pool.max_pool2d_forward, x, kernel_size, stride, padding,
                          dilation, out_hw)

    def max_pool2d_backward(self, gy: Array, indices: Array, x_shape: Tuple[int, ...],
                            window: Optional[PoolWindow] = None) -> Array:
        check_inputs(gy, indices)
        return sized_call(gy.size * 4, pool.max_pool2d_backward, gy, indices, x_shape)

    def avg_pool2d_forward(self, x: Array, kernel_size: Pair, stride: Pair, padding: Pair,
                           out_hw: Pair, count_include_pad: bool,
                           divisor_override: Optional[int]) -> Array:
        check_inputs(x)
        return sized_call(x.size, pool.avg_pool2d_forward, x, kernel_size, stride, padding,
                          out_hw, count_include_pad, divisor_override)

    def avg_pool2d_backward(self, gy: Array, x_shape: Tuple[int, ...], kernel_size: Pair,
                            stride: Pair, padding: Pair, count_include_pad: bool,
                            divisor_override: Optional[int]) -> Array:
        check_inputs(gy)
        return sized_call(gy.size * 4, pool.avg_pool2d_backward, gy, x_shape, kernel_size,
                          stride, padding, count_include_pad, divisor_override)

    # activations -----------------------------------------------------------------------
    def relu_forward(self, x: Array) -> Array:
        check_inputs(x)
        return sized_call(2 * x.size, activation.relu_forward, x)

    def relu_backward(self, gy: Array, y: Array) -> Array:
        check_inputs(gy, y)
        return sized_call(3 * gy.size, activation.relu_backward, gy, y)

    def tanh_forward(self, x: Array) -> Array:
        check_inputs(x)
        return sized_call(2 * x.size, activation.tanh_forward, x)

    def tanh_backward(self, gy: Array, y: Array) -> Array:
        check_inputs(gy, y)
        return sized_call(3 * gy.size, activation.tanh_backward, gy, y)

    def sigmoid_forward(self, x: Array) -> Array:
        check_inputs(x)
        return sized_call(2 * x.size, activation.sigmoid_forward, x)

    def sigmoid_backward(self, gy: Array, y: Array) -> Array:
        check_inputs(gy, y)
        return sized_call(3 * gy.size, activation.sigmoid_backward, gy, y)

    # linear (matmul: Backend's default, BLAS through NumPy) ---------------------------
    def linear_forward(self, x: Array, w: Array, b: Optional[Array]) -> Array:
        check_inputs(x, w, b)
        return linear.linear_forward(x, w, b, gemm=self.gemm)

    def linear_backward(self, gy: Array, x: Array, w: Array,
                        has_bias: bool) -> Tuple[Array, Array, Optional[Array]]:
        check_inputs(gy, x, w)
        return linear.linear_backward(gy, x, w, has_bias, gemm=self.gemm)

    # softmax and losses ----------------------------------------------------------------
    def softmax_forward(self, x: Array, dim: int) -> Array:
        check_inputs(x)
        return sized_call(2 * x.size, softmax.softmax_forward, x, dim)

    def softmax_backward(self, gy: Array, y: Array, dim: int) -> Array:
        check_inputs(gy, y)
        return sized_call(3 * gy.size, softmax.softmax_backward, gy, y, dim)

    def log_softmax_forward(self, x: Array, dim: int) -> Array:
        check_inputs(x)
        return sized_call(2 * x.size, softmax.log_softmax_forward, x, dim)

    def log_softmax_backward(self, gy: Array, y: Array, dim: int) -> Array:
        check_inputs(gy, y)
        return sized_call(3 * gy.size, softmax.log_softmax_backward, gy, y, dim)

    def cross_entropy_forward(self, logits: Array, target: Array, weight: Optional[Array],
                              ignore_index: int, label_smoothing: float) -> Tuple[Array, Array]:
        check_inputs(logits, target, weight)  # a serial kernel: no sized_call
        return softmax.cross_entropy_forward(logits, target, weight, ignore_index,
                                             label_smoothing)[:2]

    def cross_entropy_reduced_forward(self, logits: Array, target: Array,
                                      weight: Optional[Array], ignore_index: int,
                                      label_smoothing: float, reduction: str
                                      ) -> Tuple[Array, Array, Optional[Array]]:
        """The reduction's two sums come out of the forward kernel: one call."""
        check_inputs(logits, target, weight)
        loss, logp, total, kept = softmax.cross_entropy_forward(
            logits, target, weight, ignore_index, label_smoothing)
        if reduction == "none":
            return loss, logp, None
        out, denominator = reduce_loss(
            np, total, None if reduction == "sum" else np.asarray(kept, loss.dtype),
            label_smoothing, loss.dtype)
        return out, logp, denominator

    def cross_entropy_backward(self, gloss: Array, logp: Array, target: Array,
                               weight: Optional[Array], ignore_index: int,
                               label_smoothing: float) -> Array:
        check_inputs(gloss, logp, target, weight)
        return softmax.cross_entropy_backward(gloss, logp, target, weight, ignore_index,
                                              label_smoothing)

    def cross_entropy_reduced_backward(self, gout: Array, logp: Array, target: Array,
                                       weight: Optional[Array], ignore_index: int,
                                       label_smoothing: float, reduction: str,
                                       denominator: Optional[Array]) -> Array:
        """The kernel takes the one gradient of a "sum" or "mean" for every row (1/D' applied
        once here): no (N,) array of it."""
        if reduction == "mean":
            gout = np.divide(gout, denominator)
        return self.cross_entropy_backward(np.asarray(gout, logp.dtype).reshape(-1), logp,
                                           target, weight, ignore_index, label_smoothing)


def routes(input_shape: Sequence[int], weight_shape: Sequence[int], stride: IntOrPair = 1,
           padding: Union[str, IntOrPair] = 0, dilation: IntOrPair = 1, groups: int = 1,
           dtype: Any = np.float32, conv: str = "direct") -> Dict[str, str]:
    """The route each pass of ``conv2d(input, weight, stride=..., padding=..., dilation=...,
    groups=...)`` takes on ``NumbaBackend(conv=conv)``, for a batched (N, C, H, W) input of
    ``dtype`` (``minitorch.float32`` or a NumPy dtype) — {"forward", "input", "weight",
    "bias"} → route name, as in the table of :mod:`minitorch.backends.numba.conv`. Nothing
    runs; bad arguments raise what ``conv2d`` raises. :func:`last_routes` says which routes
    the last passes actually took."""
    np_dtype = dtype.np if isinstance(dtype, dtypes.dtype) else np.dtype(dtype)
    if conv not in _CONVS:
        raise ValueError(f"conv must be one of {sorted(_CONVS)}, got {conv!r}")
    stride_hw, quad, dilation_hw, out_hw = check_conv2d(
        tuple(input_shape), tuple(weight_shape), None, stride, padding, dilation, groups)
    return conv_router.routes(tuple(input_shape), tuple(weight_shape), stride_hw, quad,
                              dilation_hw, groups, out_hw, np_dtype, conv == "direct")


last_routes = conv_router.last_routes


def _factory() -> Backend:
    return NumbaBackend()


def register() -> None:
    """Register this backend as ``"numba"``, the default for CPU tensors."""
    from minitorch.backends import register_backend

    register_backend("numba", _factory, cpu_default=True)
