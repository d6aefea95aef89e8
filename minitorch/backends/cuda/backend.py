"""The CUDA backend: every kernel of the interface as our own CUDA C kernel.

The same class serves two modes, which differ only in the launcher they are given:

* ``"cuda"`` — ``xp`` is CuPy and :class:`~minitorch.backends.cuda.launcher.CupyLauncher`
  runs the kernels on the GPU;
* ``"cuda-emulated"`` — ``xp`` is NumPy and
  :class:`~minitorch.backends.cuda.emulator.EmulatedLauncher` runs the very same kernels on
  the CPU, with the very same grids and blocks, bounds-checked.

What is ours and what is not: the matrix products (``matmul``, ``linear`` and the GEMM inside
convolution) go to the vendor BLAS through ``xp.matmul`` — cuBLAS on a GPU. Everything else
that touches pixels is a kernel in ``kernels/*.cu``: im2col/col2im and the bias add and bias
gradient of convolution, the four pooling kernels, the activations, softmax, log-softmax and
the fused cross-entropy. Allocation, reshapes and the batch sum of the weight gradient are
plain ``xp`` array operations.

Launch geometry: elementwise-style kernels use :func:`grid_1d` (256 threads per block, at most
4096 blocks, grid-stride loops inside); ``channel_sum`` uses one block of 256 threads per
channel. Scalars are passed as NumPy scalars of the exact C width (``_i32`` for ``int``,
``_i64`` for ``long long``, ``dtype.type`` for ``T``).
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any, Optional, Tuple

import numpy as np

from minitorch.backends.base import Array, Backend, Pair, Quad, check_inputs
from minitorch.backends.cuda.errors import ErrorFlag
from minitorch.backends.cuda.launcher import KernelLauncher

BLOCK = 256          # threads per block for 1-D launches
MAX_BLOCKS = 4096    # enough to fill any current GPU; grid-stride loops do the rest
REDUCE_THREADS = 256  # must equal REDUCE_THREADS in reduction.cu


def grid_1d(total: int) -> int:
    """Blocks for a 1-D launch over ``total`` items: ceil(total / BLOCK), capped."""
    return max(1, min(-(-total // BLOCK), MAX_BLOCKS))


def _i32(value: int) -> np.int32:
    """A C ``int`` argument (refusing values that do not fit rather than wrapping)."""
    if not -2**31 <= value < 2**31:
        raise OverflowError(f"{value} does not fit a C int")
    return np.int32(value)


def _i64(value: int) -> np.int64:
    """A C ``long long`` argument."""
    return np.int64(value)


class CudaBackend(Backend):
    """All kernels of :class:`~minitorch.backends.base.Backend` as CUDA C kernels, launched
    by ``launcher`` on arrays of ``xp`` (see the module docstring)."""

    def __init__(self, xp: ModuleType, launcher: KernelLauncher, name: str = "cuda",
                 device: str = "cuda") -> None:
        super().__init__(xp)
        self.launcher = launcher
        self.name = name
        self.device = device
        self.errors = ErrorFlag(xp)

    # ------------------------------------------------------------------ helpers
    def empty(self, shape: Tuple[int, ...], dtype: Any) -> Array:
        """An uninitialised output array. Under the emulator it is filled with 0xFF bytes (NaN
        for floats, -1 for integers), so an element a kernel forgets to write shows up instead
        of passing with whatever the allocator left there."""
        out = self.xp.empty(shape, dtype)
        if self.launcher.poison_outputs:
            out.reshape(-1).view(np.uint8).fill(0xFF)
        return out

    def _launch_1d(self, kernel: str, dtype: Any, total: int, *args: Any) -> None:
        """One thread per item (grid-stride); nothing to do for zero items."""
        if total > 0:
            self.launcher.launch(kernel, dtype, grid_1d(total), BLOCK, args)

    def _im2col(self, x: Array, kernel: Pair, stride: Pair, padding: Quad, dilation: Pair,
                out_hw: Pair) -> Array:
        """cols (N, C·kH·kW, Ho·Wo) of the padded input, as the GEMM wants it."""
        n, c, h, w = x.shape
        cols = self.empty((n, c * kernel[0] * kernel[1], out_hw[0] * out_hw[1]), x.dtype)
        self._launch_1d("im2col", x.dtype, cols.size, x, cols,
                        *self._conv_geometry(x.shape, kernel, stride, padding, dilation, out_hw))
        return cols

    @staticmethod
    def _conv_geometry(x_shape: Tuple[int, ...], kernel: Pair, stride: Pair, padding: Quad,
                       dilation: Pair, out_hw: Pair) -> Tuple[np.int32, ...]:
        """The 14 int arguments shared by im2col and col2im."""
        n, c, h, w = x_shape
        values = (n, c, h, w, kernel[0], kernel[1], out_hw[0], out_hw[1], stride[0],
                  stride[1], padding[0], padding[2], dilation[0], dilation[1])
        return tuple(_i32(v) for v in values)

    def _channel_sum(self, x: Array, n: int, o: int, length: int) -> Array:
        """out[o] = Σ_{n, l} x[n, o, l] for x viewed as (n, o, length)."""
        out = self.xp.zeros((o,), x.dtype)
        if o > 0 and n * length > 0:
            self.launcher.launch("channel_sum", x.dtype, o, REDUCE_THREADS,
                                 (x, out, _i32(n), _i32(o), _i64(length)))
        return out

    def _add_channel_bias(self, y: Array, b: Array, n: int, o: int, length: int) -> None:
        """y[n, o, l] += b[o] in place, y viewed as (n, o, length)."""
        self._launch_1d("add_channel_bias", y.dtype, y.size, y, b, _i32(n), _i32(o),
                        _i64(length))

    # ------------------------------------------------------------------- conv2d
    def conv2d_forward(self, x: Array, w: Array, b: Optional[Array], stride: Pair,
                       padding: Quad, dilation: Pair, groups: int, out_hw: Pair) -> Array:
        """im2col kernel, one batched GEMM per group (cuBLAS), bias kernel."""
        check_inputs(x, w, b)
        n = x.shape[0]
        o, cg, kh, kw = w.shape
        og, k, length = o // groups, cg * kh * kw, out_hw[0] * out_hw[1]
        cols = self._im2col(x, (kh, kw), stride, padding, dilation, out_hw)
        # (1, G, Og, K) @ (N, G, K, L) -> (N, G, Og, L)
        y = self.xp.matmul(w.reshape(1, groups, og, k), cols.reshape(n, groups, k, length))
        y = self.xp.ascontiguousarray(y.reshape(n, o, out_hw[0], out_hw[1]))
        if b is not None:
            self._add_channel_bias(y, b, n, o, length)
        return y

    def conv2d_backward_input(self, gy: Array, w: Array, x_shape: Tuple[int, ...], stride: Pair,
                              padding: Quad, dilation: Pair, groups: int) -> Array:
        """GEMM wᵀ·gy per group (cuBLAS) into columns, then the col2im gather kernel."""
        check_inputs(gy, w)
        n, o, ho, wo = gy.shape
        _, cg, kh, kw = w.shape
        og, k, length = o // groups, cg * kh * kw, ho * wo
        # (1, G, K, Og) @ (N, G, Og, L) -> (N, G, K, L)
        w_t = w.reshape(1, groups, og, k).transpose(0, 1, 3, 2)
        gcols = self.xp.ascontiguousarray(self.xp.matmul(w_t, gy.reshape(n, groups, og, length)))
        gx = self.empty(tuple(x_shape), gy.dtype)
        self._launch_1d("col2im", gy.dtype, gx.size, gcols, gx,
                        *self._conv_geometry(x_shape, (kh, kw), stride, padding, dilation,
                                             (ho, wo)))
        return gx

    def conv2d_backward_weight(self, gy: Array, x: Array, w_shape: Tuple[int, ...], stride: Pair,
                               padding: Quad, dilation: Pair, groups: int) -> Array:
        """im2col kernel, GEMM gy·colsᵀ per sample and group (cuBLAS), sum over the batch."""
        check_inputs(gy, x)
        n, o, ho, wo = gy.shape
        _, cg, kh, kw = w_shape
        og, k, length = o // groups, cg * kh * kw, ho * wo
        cols = self._im2col(x, (kh, kw), stride, padding, dilation, (ho, wo))
        # (N, G, Og, L) @ (N, G, L, K) -> (N, G, Og, K), summed over N
        gw = self.xp.matmul(gy.reshape(n, groups, og, length),
                            cols.reshape(n, groups, k, length).transpose(0, 1, 3, 2))
        return self.xp.ascontiguousarray(gw.sum(axis=0).reshape(tuple(w_shape)))

    def conv2d_backward_bias(self, gy: Array) -> Array:
        """channel_sum kernel (shared-memory tree reduction, one block per channel)."""
        check_inputs(gy)
        n, o = gy.shape[0], gy.shape[1]
        return self._channel_sum(gy, n, o, math.prod(gy.shape[2:]))

    # ------------------------------------------------------------------ pooling
    def max_pool2d_forward(self, x: Array, kernel_size: Pair, stride: Pair, padding: Pair,
                           dilation: Pair, out_hw: Pair) -> Tuple[Array, Array]:
        check_inputs(x)
        n, c, h, w = x.shape
        y = self.empty((n, c, out_hw[0], out_hw[1]), x.dtype)
        indices = self.empty(y.shape, self.xp.int64)
        self._launch_1d("max_pool2d_forward", x.dtype, y.size, x, y, indices,
                        *(_i32(v) for v in (n, c, h, w, out_hw[0], out_hw[1], *kernel_size,
                                            *stride, *padding, *dilation)))
        return y, indices

    def max_pool2d_backward(self, gy: Array, indices: Array, x_shape: Tuple[int, ...]) -> Array:
        check_inputs(gy, indices)
        n, c, h, w = x_shape
        gx = self.xp.zeros(tuple(x_shape), gy.dtype)
        self._launch_1d("max_pool2d_backward", gy.dtype, gy.size, gy, indices, gx,
                        _i64(n * c), _i64(h * w), _i64(gy.shape[2] * gy.shape[3]))
        return gx

    @staticmethod
    def _avg_flags(count_include_pad: bool, divisor_override: Optional[int]) -> Tuple[Any, Any]:
        return _i32(int(bool(count_include_pad))), _i32(divisor_override or 0)

    def avg_pool2d_forward(self, x: Array, kernel_size: Pair, stride: Pair, padding: Pair,
                           out_hw: Pair, count_include_pad: bool,
                           divisor_override: Optional[int]) -> Array:
        check_inputs(x)
        n, c, h, w = x.shape
        y = self.empty((n, c, out_hw[0], out_hw[1]), x.dtype)
        self._launch_1d("avg_pool2d_forward", x.dtype, y.size, x, y,
                        *(_i32(v) for v in (n, c, h, w, out_hw[0], out_hw[1], *kernel_size,
                                            *stride, *padding)),
                        *self._avg_flags(count_include_pad, divisor_override))
        return y

    def avg_pool2d_backward(self, gy: Array, x_shape: Tuple[int, ...], kernel_size: Pair,
                            stride: Pair, padding: Pair, count_include_pad: bool,
                            divisor_override: Optional[int]) -> Array:
        check_inputs(gy)
        n, c, h, w = x_shape
        gx = self.empty(tuple(x_shape), gy.dtype)
        self._launch_1d("avg_pool2d_backward", gy.dtype, gx.size, gy, gx,
                        *(_i32(v) for v in (n, c, h, w, gy.shape[2], gy.shape[3],
                                            *kernel_size, *stride, *padding)),
                        *self._avg_flags(count_include_pad, divisor_override))
        return gx

    # -------------------------------------------------------------- activations
    def _unary(self, kernel: str, x: Array) -> Array:
        check_inputs(x)
        y = self.empty(x.shape, x.dtype)
        self._launch_1d(kernel, x.dtype, x.size, x, y, _i64(x.size))
        return y

    def _unary_backward(self, kernel: str, gy: Array, y: Array) -> Array:
        check_inputs(gy, y)
        gx = self.empty(gy.shape, gy.dtype)
        self._launch_1d(kernel, gy.dtype, gy.size, gy, y, gx, _i64(gy.size))
        return gx

    def relu_forward(self, x: Array) -> Array:
        return self._unary("relu_forward", x)

    def relu_backward(self, gy: Array, y: Array) -> Array:
        return self._unary_backward("relu_backward", gy, y)

    def tanh_forward(self, x: Array) -> Array:
        return self._unary("tanh_forward", x)

    def tanh_backward(self, gy: Array, y: Array) -> Array:
        return self._unary_backward("tanh_backward", gy, y)

    def sigmoid_forward(self, x: Array) -> Array:
        return self._unary("sigmoid_forward", x)

    def sigmoid_backward(self, gy: Array, y: Array) -> Array:
        return self._unary_backward("sigmoid_backward", gy, y)

    # ------------------------ linear (matmul: Backend's default, cuBLAS through CuPy)
    def linear_forward(self, x: Array, w: Array, b: Optional[Array]) -> Array:
        """GEMM x·wᵀ (cuBLAS), then the add_channel_bias kernel with L = 1."""
        check_inputs(x, w, b)
        y = self.xp.ascontiguousarray(self.matmul(x, w.T))
        if b is not None:
            self._add_channel_bias(y, b, y.shape[0], y.shape[1], 1)
        return y

    def linear_backward(self, gy: Array, x: Array, w: Array,
                        has_bias: bool) -> Tuple[Array, Array, Optional[Array]]:
        """Two GEMMs (cuBLAS) and the channel_sum kernel for gb (gy viewed as (N, O, 1))."""
        check_inputs(gy, x, w)
        gb = self._channel_sum(gy, gy.shape[0], gy.shape[1], 1) if has_bias else None
        return self.matmul(gy, w), self.matmul(gy.T, x), gb

    # ------------------------------------------------------ softmax and losses
    @staticmethod
    def _rows(shape: Tuple[int, ...], dim: int) -> Tuple[Any, Any, Any]:
        """(outer, D, inner) for reducing ``shape`` along ``dim``."""
        if len(shape) == 0:
            return _i64(1), _i32(1), _i64(1)
        dim = dim % len(shape)
        return (_i64(math.prod(shape[:dim])), _i32(shape[dim]),
                _i64(math.prod(shape[dim + 1:])))

    def _row_kernel(self, kernel: str, dim: int, *arrays: Array) -> Array:
        check_inputs(*arrays)
        out = self.empty(arrays[0].shape, arrays[0].dtype)
        outer, d, inner = self._rows(arrays[0].shape, dim)
        self._launch_1d(kernel, out.dtype, int(outer) * int(inner) if d > 0 else 0,
                        *arrays, out, outer, d, inner)
        return out

    def softmax_forward(self, x: Array, dim: int) -> Array:
        return self._row_kernel("softmax_forward", dim, x)

    def softmax_backward(self, gy: Array, y: Array, dim: int) -> Array:
        return self._row_kernel("softmax_backward", dim, gy, y)

    def log_softmax_forward(self, x: Array, dim: int) -> Array:
        return self._row_kernel("log_softmax_forward", dim, x)

    def log_softmax_backward(self, gy: Array, y: Array, dim: int) -> Array:
        return self._row_kernel("log_softmax_backward", dim, gy, y)

    def _class_weights(self, weight: Optional[Array], c: int, dtype: Any) -> Array:
        if weight is None:
            return self.xp.ones((c,), dtype)
        return weight

    def cross_entropy_forward(self, logits: Array, target: Array, weight: Optional[Array],
                              ignore_index: int, label_smoothing: float) -> Tuple[Array, Array]:
        """One thread per sample. A target outside [0, C) is not checked here (that would wait
        for the GPU): the kernel raises the device-side error flag, which
        :meth:`synchronize` (and every copy to the host) turns into IndexError."""
        check_inputs(logits, target, weight)
        n, c = logits.shape
        loss = self.empty((n,), logits.dtype)
        logp = self.empty(logits.shape, logits.dtype)
        self._launch_1d("cross_entropy_forward", logits.dtype, n, logits, target,
                        self._class_weights(weight, c, logits.dtype), loss, logp, _i32(n),
                        _i32(c), _i64(ignore_index), logits.dtype.type(label_smoothing),
                        self.errors.array)
        return loss, logp

    def cross_entropy_backward(self, gloss: Array, logp: Array, target: Array,
                               weight: Optional[Array], ignore_index: int,
                               label_smoothing: float) -> Array:
        check_inputs(gloss, logp, target, weight)
        n, c = logp.shape
        gx = self.empty(logp.shape, logp.dtype)
        if c > 0:
            self._launch_1d("cross_entropy_backward", logp.dtype, n, gloss, logp, target,
                            self._class_weights(weight, c, logp.dtype), gx, _i32(n), _i32(c),
                            _i64(ignore_index), logp.dtype.type(label_smoothing),
                            self.errors.array)
        return gx

    def synchronize(self) -> None:
        """Wait for the kernels launched so far and raise the first error one of them
        recorded in the device-side flag (see :mod:`minitorch.backends.cuda.errors`)."""
        self.launcher.synchronize()
        self.errors.check()
