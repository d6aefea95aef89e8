"""The NumPy reference backend: every kernel of :class:`~minitorch.backends.base.Backend`,
vectorised with array operations and written to be read.

The kernels take the array module ``xp`` as a parameter (NumPy here), so that each one reads
as the formula it computes, with no array library spelled out. They work on any memory
layout; ``matmul`` is :class:`~minitorch.backends.base.Backend`'s default (``xp.matmul``).
"""

from __future__ import annotations

from types import ModuleType
from typing import Optional, Tuple

import numpy

from minitorch.backends.base import Array, Backend, Pair, PoolWindow, Quad
from minitorch.backends.numpy import activation, conv, pool, softmax


class NumpyBackend(Backend):
    """Reference kernels: im2col convolution, window-view pooling, textbook activations."""

    name = "numpy"
    device = "cpu"

    def __init__(self, xp: ModuleType = numpy) -> None:
        super().__init__(xp)

    # conv2d ----------------------------------------------------------------------------
    def conv2d_forward(self, x: Array, w: Array, b: Optional[Array], stride: Pair,
                       padding: Quad, dilation: Pair, groups: int, out_hw: Pair) -> Array:
        return conv.conv2d_forward(self.xp, x, w, b, stride, padding, dilation, groups, out_hw)

    def conv2d_backward_input(self, gy: Array, w: Array, x_shape: Tuple[int, ...],
                              stride: Pair, padding: Quad, dilation: Pair,
                              groups: int) -> Array:
        return conv.conv2d_backward_input(self.xp, gy, w, x_shape, stride, padding, dilation,
                                          groups)

    def conv2d_backward_weight(self, gy: Array, x: Array, w_shape: Tuple[int, ...],
                               stride: Pair, padding: Quad, dilation: Pair,
                               groups: int) -> Array:
        return conv.conv2d_backward_weight(self.xp, gy, x, w_shape, stride, padding, dilation,
                                           groups)

    def conv2d_backward_bias(self, gy: Array) -> Array:
        return conv.conv2d_backward_bias(self.xp, gy)

    # pooling ---------------------------------------------------------------------------
    def max_pool2d_forward(self, x: Array, kernel_size: Pair, stride: Pair, padding: Pair,
                           dilation: Pair, out_hw: Pair) -> Tuple[Array, Array]:
        return pool.max_pool2d_forward(self.xp, x, kernel_size, stride, padding, dilation,
                                       out_hw)

    def max_pool2d_backward(self, gy: Array, indices: Array, x_shape: Tuple[int, ...],
                            window: Optional[PoolWindow] = None) -> Array:
        return pool.max_pool2d_backward(self.xp, gy, indices, x_shape)

    def avg_pool2d_forward(self, x: Array, kernel_size: Pair, stride: Pair, padding: Pair,
                           out_hw: Pair, count_include_pad: bool,
                           divisor_override: Optional[int]) -> Array:
        return pool.avg_pool2d_forward(self.xp, x, kernel_size, stride, padding, out_hw,
                                       count_include_pad, divisor_override)

    def avg_pool2d_backward(self, gy: Array, x_shape: Tuple[int, ...], kernel_size: Pair,
                            stride: Pair, padding: Pair, count_include_pad: bool,
                            divisor_override: Optional[int]) -> Array:
        return pool.avg_pool2d_backward(self.xp, gy, x_shape, kernel_size, stride, padding,
                                        count_include_pad, divisor_override)

    # activations -----------------------------------------------------------------------
    def relu_forward(self, x: Array) -> Array:
        return activation.relu_forward(self.xp, x)

    def relu_backward(self, gy: Array, y: Array) -> Array:
        return activation.relu_backward(self.xp, gy, y)

    def tanh_forward(self, x: Array) -> Array:
        return activation.tanh_forward(self.xp, x)

    def tanh_backward(self, gy: Array, y: Array) -> Array:
        return activation.tanh_backward(self.xp, gy, y)

    def sigmoid_forward(self, x: Array) -> Array:
        return activation.sigmoid_forward(self.xp, x)

    def sigmoid_backward(self, gy: Array, y: Array) -> Array:
        return activation.sigmoid_backward(self.xp, gy, y)

    # linear ----------------------------------------------------------------------------
    def linear_forward(self, x: Array, w: Array, b: Optional[Array]) -> Array:
        """y = x @ wᵀ + b (one BLAS GEMM)."""
        y = self.matmul(x, w.T)
        if b is not None:
            y += b
        return y

    def linear_backward(self, gy: Array, x: Array, w: Array,
                        has_bias: bool) -> Tuple[Array, Array, Optional[Array]]:
        """gx = gy @ w, gw = gyᵀ @ x, gb = Σ_n gy (two GEMMs and a column sum)."""
        gb = gy.sum(axis=0) if has_bias else None
        return self.matmul(gy, w), self.matmul(gy.T, x), gb

    # softmax and losses ----------------------------------------------------------------
    def softmax_forward(self, x: Array, dim: int) -> Array:
        return softmax.softmax_forward(self.xp, x, dim)

    def softmax_backward(self, gy: Array, y: Array, dim: int) -> Array:
        return softmax.softmax_backward(self.xp, gy, y, dim)

    def log_softmax_forward(self, x: Array, dim: int) -> Array:
        return softmax.log_softmax_forward(self.xp, x, dim)

    def log_softmax_backward(self, gy: Array, y: Array, dim: int) -> Array:
        return softmax.log_softmax_backward(self.xp, gy, y, dim)

    def cross_entropy_forward(self, logits: Array, target: Array, weight: Optional[Array],
                              ignore_index: int, label_smoothing: float) -> Tuple[Array, Array]:
        return softmax.cross_entropy_forward(self.xp, logits, target, weight, ignore_index,
                                             label_smoothing)

    def cross_entropy_backward(self, gloss: Array, logp: Array, target: Array,
                               weight: Optional[Array], ignore_index: int,
                               label_smoothing: float) -> Array:
        return softmax.cross_entropy_backward(self.xp, gloss, logp, target, weight,
                                              ignore_index, label_smoothing)


__all__ = ["NumpyBackend"]
