"""3-D (volumetric) layers as functions — video clips, medical volumes — on (N, C, D, H, W)
input or unbatched (C, D, H, W). The argument checks are the 2-D ones generalised
(:mod:`minitorch.shapes`); the ops are the convolution Functions of 2-D on the depth taps
(:mod:`minitorch.autograd.ops.depth_taps`) and the volumetric pools
(:mod:`minitorch.autograd.ops.volumetric`). Exported by :mod:`minitorch.nn.functional`.

    conv3d:     out[n, o, t, i, j] = bias[o]
                    + Σ_{c,a,b,e} input_pad[n, c, t·sd + a·dd, i·sh + b·dh, j·sw + e·dw]
                                  · weight[o, c, a, b, e]
    max_pool3d: out[n, c, t, i, j] = max_{a,b,e} input_pad[n, c, t·sd + a·dd, i·sh + b·dh,
                                                          j·sw + e·dw]
    size per dim: floor((in + 2·padding - dilation·(k - 1) - 1) / stride) + 1
"""

from __future__ import annotations

from typing import Any, Optional, Tuple, Union

from minitorch import shapes
from minitorch.autograd.ops import nn as ops
from minitorch.autograd.ops import volumetric
from minitorch.autograd.ops.blocks import Separable
from minitorch.foreign import expect_tensor
from minitorch.nn.functional_composed import (
    _averaging_matrix,
    _check_adaptive_input,
    _floating_only,
)
from minitorch.nn.functional_transposed import _same_type, convolve_transposed
from minitorch.shapes import IntOrPair
from minitorch.tensor import Tensor


def _volume(input: Tensor, message: str) -> Tuple[Tensor, bool]:
    """(N, C, D, H, W) and whether the input was unbatched (C, D, H, W); ``message`` for any
    other rank."""
    if input.ndim not in (4, 5):
        raise RuntimeError(message)
    return (input.unsqueeze(0), True) if input.ndim == 4 else (input, False)


def conv3d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None,
           stride: IntOrPair = 1, padding: Union[str, IntOrPair] = 0,
           dilation: IntOrPair = 1, groups: int = 1) -> Tensor:
    """3-D cross-correlation of (N, C, D, H, W) or (C, D, H, W) ``input`` with ``weight``
    (O, C / groups, kD, kH, kW): see the module doc. One ``ConvolutionBackward0`` node."""
    expect_tensor(input, "conv3d")
    expect_tensor(weight, "conv3d", "weight", 2)
    if bias is not None:
        expect_tensor(bias, "conv3d", "bias", 3)
    x, unbatched = _volume(input, f"Expected 4D (unbatched) or 5D (batched) input to conv3d, "
                                  f"but got input of size: {list(input.shape)}")
    _same_type(x, weight)
    _same_type(x, bias)
    _floating_only(x, "conv3d")
    s, pads, d, out = shapes.check_conv(x.shape, weight.shape,
                                        None if bias is None else bias.shape, stride, padding,
                                        dilation, groups)
    y = ops.Conv2d.apply(x, weight, bias, s, pads, d, groups, out)
    return y.squeeze(0) if unbatched else y


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None,
                     stride: IntOrPair = 1, padding: IntOrPair = 0,
                     output_padding: IntOrPair = 0, groups: int = 1,
                     dilation: IntOrPair = 1) -> Tensor:
    """The transposed 3-D convolution of (N, C_in, D, H, W) or (C_in, D, H, W) ``input`` with
    ``weight`` (C_in, C_out / groups, kD, kH, kW), the adjoint of :func:`conv3d`::

        out[n, o, t·sd − pd + a·dd, i·sh − ph + b·dh, j·sw − pw + e·dw]
            += Σ_c input[n, c, t, i, j] · weight[c, o, a, b, e]

    size per dim: (in − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1."""
    expect_tensor(input, "conv_transpose3d")
    expect_tensor(weight, "conv_transpose3d", "weight", 2)
    if bias is not None:
        expect_tensor(bias, "conv_transpose3d", "bias", 3)
    x, unbatched = _volume(input, f"Expected 4D (unbatched) or 5D (batched) input to "
                                  f"conv_transpose3d, but got input of size: "
                                  f"{list(input.shape)}")
    y = convolve_transposed(x, weight, bias, x.shape, weight.shape, stride, padding,
                            output_padding, groups, dilation)
    return y.squeeze(0) if unbatched else y


def _pooled(input: Tensor, op: str) -> Tensor:
    """``input`` after the checks of a pooling input: a Tensor, (C, D, H, W) or
    (N, C, D, H, W), non-empty but for the batch."""
    expect_tensor(input, op)
    if input.ndim not in (4, 5) or 0 in input.shape[-4:]:
        raise RuntimeError(f"non-empty 4D or 5D (batch mode) tensor expected for input, but got "
                           f"input of size: {list(input.shape)}")
    return input


def max_pool3d(input: Tensor, kernel_size: IntOrPair, stride: Optional[IntOrPair] = None,
               padding: IntOrPair = 0, dilation: IntOrPair = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """out[n, c, t, i, j] = max over the window (padding = -inf, never chosen); with
    ``return_indices`` also the flat index (d·H + h)·W + w of each maximum in its volume.
    One ``MaxPool3DWithIndicesBackward0`` node."""
    x = _pooled(input, "max_pool3d")
    if x.dtype.name == "bool":
        raise NotImplementedError("\"max_pool3d\" not implemented for 'Bool'")
    k, s, p, d, out = shapes.check_pool(x.shape, kernel_size, stride, padding, dilation,
                                        ceil_mode, dims=3)
    shapes.check_max_pool_padding(k, p)
    y, indices = volumetric.MaxPool3d.apply(x, k, s, p, d, out)
    return (y, indices) if return_indices else y


def avg_pool3d(input: Tensor, kernel_size: IntOrPair, stride: Optional[IntOrPair] = None,
               padding: IntOrPair = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: Optional[int] = None) -> Tensor:
    """out[n, c, t, i, j] = Σ_window input_pad / divisor, the divisor as avg_pool2d's (the
    window's size clipped at the padded edge, or at the real edge without
    ``count_include_pad``, or ``divisor_override``). One ``AvgPool3DBackward0`` node."""
    x = _pooled(input, "avg_pool3d")
    _floating_only(x, "avg_pool3d_out_frame")
    shapes.check_divisor_override(divisor_override, "avg_pool3d")
    k, s, p, _, out = shapes.check_pool(x.shape, kernel_size, stride, padding, 1, ceil_mode,
                                        dims=3, input_covers_kernel=True)
    return volumetric.AvgPool3d.apply(x, k, s, p, out, count_include_pad, divisor_override)


def _adaptive_size_3d(output_size: Any, input: Tensor) -> Tuple[int, ...]:
    """``output_size`` as (od, oh, ow): an int for all three, or three entries whose None
    ones take the input's size."""
    if isinstance(output_size, int):
        return (output_size,) * 3
    out = list(output_size)
    if len(out) != 3:
        raise RuntimeError("adaptive_avg_pool3d: output_size must be 3")
    if input.ndim <= len(out):
        raise ValueError(f"Input dimension should be at least {len(out) + 1}")
    return tuple(v if v is not None else size for v, size in zip(out, input.shape[-3:]))


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:
    """y[..., t, i, j] = mean of x over the window [⌊t·D/od⌋, ⌈(t+1)·D/od⌉) × (likewise in H,
    W): the averaging matrices applied along each axis (one ``AdaptiveAvgPool3DBackward0``
    node); (1, 1, 1) is ``x.mean((-1, -2, -3))``, as in torch."""
    expect_tensor(input, "adaptive_avg_pool3d")
    od, oh, ow = _adaptive_size_3d(output_size, input)
    if min(od, oh, ow) < 0:
        raise RuntimeError(f"adaptive_avg_pool3d: elements of output_size must be greater than "
                           f"or equal to 0 but received {{{od}, {oh},{ow}}}")
    if (od, oh, ow) == (1, 1, 1):
        return input.mean((-1, -2, -3), keepdim=True)
    _check_adaptive_input(input, "adaptive_avg_pool3d", "", dims=3,
                          kernel="adaptive_avg_pool3d_cpu")
    d, h, w = input.shape[-3:]
    return Separable.apply(input, (_averaging_matrix(d, od, input),
                                   _averaging_matrix(h, oh, input),
                                   _averaging_matrix(w, ow, input)), "AdaptiveAvgPool3D")
