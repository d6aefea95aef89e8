"""Rearranging ops: ``F.unfold`` (im2col: every sliding block of an image as a column — a
convolution is then one matrix product, ``weight.view(O, -1) @ unfold(x)``), its adjoint
``F.fold`` (col2im), and ``F.pixel_shuffle`` / ``F.pixel_unshuffle`` (channels traded for
resolution), with torch's arguments and checks. Exported by :mod:`minitorch.nn.functional`."""

from __future__ import annotations

from typing import Any, Sequence, Tuple, Union

from minitorch.autograd.ops.blocks import Col2Im, Im2Col, blocks_hw
from minitorch.autograd.ops.shape import PixelShuffle
from minitorch.foreign import expect_tensor
from minitorch.shapes import ntuple
from minitorch.tensor import Tensor

IntOrPair = Union[int, Sequence[int]]


def _block_args(kernel_size: IntOrPair, dilation: IntOrPair, padding: IntOrPair,
                stride: IntOrPair) -> Tuple[Tuple[int, int], ...]:
    """The four pairs, checked as torch's im2col / col2im check them."""
    k, d = ntuple(kernel_size, "kernel_size", 2), ntuple(dilation, "dilation", 2)
    p, s = ntuple(padding, "padding", 2), ntuple(stride, "stride", 2)
    for (a, b), what, word, positive in ((k, "kernel size", "kernel", True),
                                         (d, "dilation", "dilation", True),
                                         (p, "padding", "pad", False),
                                         (s, "stride", "stride", True)):
        if (min(a, b) <= 0) if positive else (min(a, b) < 0):
            rule = "greater than zero" if positive else "non-negative"
            raise RuntimeError(f"{what} should be {rule}, but got {word}_height: {a} "
                               f"{word}_width: {b}")
    return k, d, p, s


def _described(k: Any, d: Any, p: Any, s: Any) -> str:
    return f"kernel_size={k}, dilation={d}, padding={p}, stride={s}"


def unfold(input: Tensor, kernel_size: IntOrPair, dilation: IntOrPair = 1,
           padding: IntOrPair = 0, stride: IntOrPair = 1) -> Tensor:
    """(N, C, H, W) → (N, C·kH·kW, L): column l holds the l-th sliding block (row-major over
    the block positions), its rows the block's values channel by channel, row by row;
    (C, H, W) → (C·kH·kW, L)."""
    expect_tensor(input, "unfold")
    if input.ndim not in (3, 4) or 0 in input.shape[1:]:
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with possibly 0 batch size "
                           f"and other non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")
    k, d, p, s = _block_args(kernel_size, dilation, padding, stride)
    blocks = blocks_hw(input.shape[-2:], k, d, p, s)
    if min(blocks) < 1:
        raise RuntimeError(f"Given input with spatial size {tuple(input.shape[-2:])}, "
                           f"kernel_size={k}, dilation={d}, padding={p}, calculated shape of "
                           f"the array of sliding blocks as {blocks}, but its components must "
                           f"be at least one.")
    return Im2Col.apply(input, k, d, p, s)  # (C, H, W) too: one node, as torch's


def fold(input: Tensor, output_size: IntOrPair, kernel_size: IntOrPair,
         dilation: IntOrPair = 1, padding: IntOrPair = 0, stride: IntOrPair = 1) -> Tensor:
    """(N, C·kH·kW, L) columns → (N, C, H, W) with (H, W) = ``output_size``: each block's
    values added back where :func:`unfold` read them (overlaps add up)."""
    expect_tensor(input, "fold")
    if input.ndim not in (2, 3) or 0 in input.shape[1:]:
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor with possibly 0 batch size "
                           f"and non-zero dimensions for input, but got: {list(input.shape)}")
    k, d, p, s = _block_args(kernel_size, dilation, padding, stride)
    out = ntuple(output_size, "output_size", 2)
    cols = input.unsqueeze(0) if input.ndim == 2 else input
    if cols.shape[1] % (k[0] * k[1]):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the "
                           f"product of kernel_size, but got input.size(1)={cols.shape[1]} "
                           f"and kernel_size={k}.")
    blocks = blocks_hw(out, k, d, p, s)
    if blocks[0] * blocks[1] != cols.shape[2]:
        raise RuntimeError(f"Given output_size={out}, {_described(k, d, p, s)}, expected size "
                           f"of input's dimension 2 to match the calculated number of sliding "
                           f"blocks {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but "
                           f"got input.size(2)={cols.shape[2]}.")
    return Col2Im.apply(input, out, k, d, p, s)  # (C·kH·kW, L) too: one node


def _check_shuffle(input: Tensor, factor: int, op: str, name: str) -> None:
    expect_tensor(input, op)
    if input.ndim < 3:
        raise RuntimeError(f"{op} expects input to have at least 3 dimensions, but got input "
                           f"with {input.ndim} dimension(s)")
    if factor <= 0:
        raise RuntimeError(f"{op} expects a positive {name}, but got {factor}")


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C·r², H, W) → (*, C, H·r, W·r) (r = ``upscale_factor``): sub-pixel upsampling."""
    r = upscale_factor
    _check_shuffle(input, r, "pixel_shuffle", "upscale_factor")
    if input.shape[-3] % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)="
                           f"{input.shape[-3]} is not divisible by {r * r}")
    return PixelShuffle.apply(input, r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H·r, W·r) → (*, C·r², H, W): the inverse of :func:`pixel_shuffle`."""
    r = downscale_factor
    _check_shuffle(input, r, "pixel_unshuffle", "downscale_factor")
    for axis, name in ((-2, "height"), (-1, "width")):
        if input.shape[axis] % r:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by "
                               f"downscale_factor, but input.size({axis})="
                               f"{input.shape[axis]} is not divisible by {r}")
    return PixelShuffle.apply(input, r, True)
