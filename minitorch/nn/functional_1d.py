"""1-D convolution and pooling — sequences, audio frames — as the 2-D ops on a height of
one: (N, C, L) becomes (N, C, 1, L), the window (1, k), and the result is squeezed back. The
kernels, their gradients and every backend are the 2-D ones; only the argument checks are
1-D, with torch's 1-D messages (:func:`~minitorch.shapes.check_conv1d` and below). Exported
by :mod:`minitorch.nn.functional`.

    conv1d: out[n, o, i] = bias[o] + Σ_{c,q} input_pad[n, c, i·s + q·d] · weight[o, c, q]
    length: floor((L + 2·padding - dilation·(k - 1) - 1) / stride) + 1
"""

from __future__ import annotations

from typing import Any, Optional, Tuple, Union

from minitorch.foreign import expect_tensor
from minitorch.nn import functional as F
from minitorch.nn.functional_composed import adaptive_avg_pool2d, adaptive_max_pool2d
from minitorch.nn.functional_transposed import convolve_transposed
from minitorch.shapes import IntOrPair, check_conv1d, ntuple, pool_output_size, pool_stride
from minitorch.tensor import Tensor


def _batched_1d(input: Tensor, message: str) -> Tuple[Tensor, bool]:
    """(N, C, L) and whether the input was unbatched (C, L); ``message`` for any other rank."""
    if input.ndim not in (2, 3):
        raise RuntimeError(message)
    return (input.unsqueeze(0), True) if input.ndim == 2 else (input, False)


def _out(y: Tensor, unbatched: bool) -> Tensor:
    """(N, C, 1, L') back to (N, C, L') — or (C, L') for an unbatched input."""
    y = y.squeeze(2)
    return y.squeeze(0) if unbatched else y


def _ranks(op: str, input: Tensor) -> str:
    """torch's message for a 1-D pooling input that is not 2-D or 3-D."""
    return (f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for argument "
            f"#1 'self' (while checking arguments for {op})")


def conv1d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None,
           stride: IntOrPair = 1, padding: Union[str, IntOrPair] = 0,
           dilation: IntOrPair = 1, groups: int = 1) -> Tensor:
    """1-D cross-correlation over (N, C, L) or (C, L): see the module doc."""
    expect_tensor(input, "conv1d")
    expect_tensor(weight, "conv1d", "weight", 2)
    x, unbatched = _batched_1d(input, f"Expected 2D (unbatched) or 3D (batched) input to "
                                      f"conv1d, but got input of size: {list(input.shape)}")
    F._same_dtype(x, weight, "weight")
    F._same_dtype(x, bias, "bias")
    check_conv1d(x.shape, weight.shape, None if bias is None else bias.shape, stride, padding,
                  dilation, groups)
    (s,), (d,) = ntuple(stride, "stride", 1), ntuple(dilation, "dilation", 1)
    pad = padding if isinstance(padding, str) else (0, ntuple(padding, "padding", 1)[0])
    # one ConvolutionBackward0 node on the (N, C, L) operands, checked as a height of one
    y = F._convolve(x, weight, bias, _height_one(x.shape), _height_one(weight.shape), (1, s),
                    pad, (1, d), groups)
    return y.squeeze(0) if unbatched else y


def _height_one(shape: Any) -> Tuple[int, ...]:
    """(N, C, L) as (N, C, 1, L): the 2-D shape a 1-D operand is checked and computed as."""
    return tuple(shape[:2]) + (1,) + tuple(shape[2:])


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None,
                     stride: IntOrPair = 1, padding: IntOrPair = 0,
                     output_padding: IntOrPair = 0, groups: int = 1,
                     dilation: IntOrPair = 1) -> Tensor:
    """The transposed 1-D convolution of (N, C_in, L) or (C_in, L) with weight (C_in,
    C_out / groups, k): :func:`~minitorch.nn.functional_transposed.conv_transpose2d` on a
    height of one."""
    expect_tensor(input, "conv_transpose1d")
    expect_tensor(weight, "conv_transpose1d", "weight", 2)
    x, unbatched = _batched_1d(input, f"Expected 2D (unbatched) or 3D (batched) input to "
                                      f"conv_transpose1d, but got input of size: "
                                      f"{list(input.shape)}")
    one = [ntuple(v, name, 1)[0] for v, name in ((stride, "stride"), (padding, "padding"),
                                                  (output_padding, "output_padding"),
                                                  (dilation, "dilation"))]
    s, p, op, d = one
    # one ConvolutionBackward0 node on the (N, C, L) operands, checked as a height of one
    y = convolve_transposed(x, weight, bias, _height_one(x.shape), _height_one(weight.shape),
                            (1, s), (0, p), (0, op), groups, (1, d))
    return y.squeeze(0) if unbatched else y


def _pool_args(kernel_size: IntOrPair, stride: Optional[IntOrPair], padding: IntOrPair,
               dilation: IntOrPair) -> Tuple[int, int, int, int]:
    """(k, s, p, d) as ints; ``stride`` None (or empty) means the kernel size."""
    kernel = ntuple(kernel_size, "kernel_size", 1)
    (k,), (s,) = kernel, pool_stride(stride, kernel)
    return k, s, ntuple(padding, "padding", 1)[0], ntuple(dilation, "dilation", 1)[0]


def max_pool1d(input: Tensor, kernel_size: IntOrPair, stride: Optional[IntOrPair] = None,
               padding: IntOrPair = 0, dilation: IntOrPair = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """out[n, c, i] = max_q input_pad[n, c, i·s + q·d] (pad = -inf); with ``return_indices``
    also the position of each maximum along L."""
    expect_tensor(input, "max_pool1d")
    x, unbatched = _batched_1d(input, f"max_pool1d: Expected 2D or 3D (batch mode) tensor with "
                                      f"optional 0 dim batch size for input, but got:"
                                      f"{list(input.shape)}")
    k, s, p, d = _pool_args(kernel_size, stride, padding, dilation)
    for name, value in (("kernel_size", k), ("stride", s), ("dilation", d)):
        if value <= 0:
            raise RuntimeError(f"max_pool1d() {name} must be greater than zero, but got {value}")
    if p < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but "
                           f"got padding={p} and kernel_size={k}")
    length = pool_output_size(x.shape[2], k, s, p, d, ceil_mode)
    if length < 1:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {length}")
    y, indices = F.max_pool2d(x.unsqueeze(2), (1, k), (1, s), (0, p), (1, d), ceil_mode,
                              return_indices=True)
    y = _out(y, unbatched)
    return (y, _out(indices, unbatched)) if return_indices else y


def avg_pool1d(input: Tensor, kernel_size: IntOrPair, stride: Optional[IntOrPair] = None,
               padding: IntOrPair = 0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """out[n, c, i] = Σ_window input_pad / divisor (torch's divisor rule, as avg_pool2d)."""
    expect_tensor(input, "avg_pool1d")
    x, unbatched = _batched_1d(input, _ranks("avg_pool1d", input))
    k, s, p, _ = _pool_args(kernel_size, stride, padding, 1)
    return _out(F.avg_pool2d(x.unsqueeze(2), (1, k), (1, s), (0, p), ceil_mode,
                             count_include_pad), unbatched)


def adaptive_avg_pool1d(input: Tensor, output_size: IntOrPair) -> Tensor:
    """The mean over windows [⌊i·L/n⌋, ⌈(i+1)·L/n⌉) for each of the n = ``output_size``
    outputs."""
    expect_tensor(input, "adaptive_avg_pool1d")
    x, unbatched = _batched_1d(input, _ranks("adaptive_avg_pool1d", input))
    (n,) = ntuple(output_size, "output_size", 1)
    return _out(adaptive_avg_pool2d(x.unsqueeze(2), (1, n)), unbatched)


def adaptive_max_pool1d(input: Tensor, output_size: IntOrPair,
                        return_indices: bool = False) -> Any:
    """The max over the same windows as :func:`adaptive_avg_pool1d`."""
    expect_tensor(input, "adaptive_max_pool1d")
    x, unbatched = _batched_1d(input, _ranks("adaptive_max_pool1d", input))
    (n,) = ntuple(output_size, "output_size", 1)
    y, indices = adaptive_max_pool2d(x.unsqueeze(2), (1, n), return_indices=True)
    y = _out(y, unbatched)
    return (y, _out(indices, unbatched)) if return_indices else y
