"""Transposed convolution ("deconvolution"): the adjoint of conv2d, as generators and
decoders upsample with it. No kernel of its own: the backend's conv2d input gradient is this
very scatter (see :class:`~minitorch.autograd.ops.nn.ConvTranspose2d`). Exported by
:mod:`minitorch.nn.functional`.

    out[n, o, i·s − p + a·d, j·s − p + b·d] += Σ_c input[n, c, i, j] · weight[c, o, a, b]
    size: (in − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1
"""

from __future__ import annotations

from typing import Optional, Sequence

from minitorch.autograd.ops import nn as ops
from minitorch.foreign import expect_tensor
from minitorch.nn.functional_composed import _kind
from minitorch.shapes import IntOrPair, check_conv_transpose
from minitorch.tensor import Tensor


def _same_type(input: Tensor, other: Optional[Tensor]) -> None:
    if other is not None and other.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {_kind(input)} but found {_kind(other)}")


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None,
                     stride: IntOrPair = 1, padding: IntOrPair = 0,
                     output_padding: IntOrPair = 0, groups: int = 1,
                     dilation: IntOrPair = 1) -> Tensor:
    """The transposed 2-D convolution of (N, C_in, H, W) or (C_in, H, W) ``input`` with
    ``weight`` (C_in, C_out / groups, kH, kW): see the module doc. ``output_padding`` adds
    rows/columns at the bottom/right (it picks one of the sizes that a stride > 1 makes
    ambiguous: all of them convolve back to the input's size)."""
    expect_tensor(input, "conv_transpose2d")
    expect_tensor(weight, "conv_transpose2d", "weight", 2)
    if bias is not None:
        expect_tensor(bias, "conv_transpose2d", "bias", 3)
    if input.ndim not in (3, 4):
        raise RuntimeError(f"Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, "
                           f"but got input of size: {list(input.shape)}")
    x = input.unsqueeze(0) if input.ndim == 3 else input
    y = convolve_transposed(x, weight, bias, x.shape, weight.shape, stride, padding,
                            output_padding, groups, dilation)
    return y.squeeze(0) if input.ndim == 3 else y


def convolve_transposed(x: Tensor, weight: Tensor, bias: Optional[Tensor],
                        x_shape: Sequence[int], w_shape: Sequence[int], stride: IntOrPair,
                        padding: IntOrPair, output_padding: IntOrPair, groups: int,
                        dilation: IntOrPair) -> Tensor:
    """One transposed-convolution node (ConvolutionBackward0) after torch's checks on the 4-D
    or 5-D shapes ``x_shape`` and ``w_shape`` — those of x and weight, or (conv_transpose1d)
    of (N, C, L) and (C, O, k) seen with a height of one."""
    _same_type(x, weight)
    _same_type(x, bias)
    if not x.dtype.is_floating_point:
        raise NotImplementedError(f"\"slow_conv_transpose{len(x_shape) - 2}d_out_cpu\" not "
                                  f"implemented for '{_kind(x)}'")
    stride_hw, quad, dilation_hw, out_shape = check_conv_transpose(
        x_shape, w_shape, None if bias is None else bias.shape, stride, padding,
        output_padding, groups, dilation)
    return ops.ConvTranspose2d.apply(x, weight, bias, stride_hw, quad, dilation_hw, groups,
                                     out_shape)
