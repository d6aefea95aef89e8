"""Unpooling, power-average pooling, local response normalization and channel shuffle as
modules: thin wrappers over :mod:`minitorch.nn.functional_layers` (torch's signatures,
attributes and reprs)."""

from __future__ import annotations

from typing import Any, Optional, Sequence

from minitorch.nn import functional as F
from minitorch.nn.module import Module
from minitorch.shapes import IntOrPair, ntuple
from minitorch.tensor import Tensor


class _MaxUnpoolNd(Module):
    """Holds kernel_size, stride (default: the kernel) and padding as n-tuples."""

    n = 2

    def __init__(self, kernel_size: IntOrPair, stride: Optional[IntOrPair] = None,
                 padding: IntOrPair = 0) -> None:
        super().__init__()
        self.kernel_size = ntuple(kernel_size, "kernel_size", self.n)
        self.stride = ntuple(stride if stride is not None else kernel_size, "stride", self.n)
        self.padding = ntuple(padding, "padding", self.n)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """The partial inverse of ``MaxPool1d`` (``F.max_unpool1d``)."""

    n = 1

    def forward(self, input: Tensor, indices: Tensor,
                output_size: Optional[Sequence[int]] = None) -> Tensor:
        return F.max_unpool1d(input, indices, self.kernel_size, self.stride, self.padding,
                              output_size)


class MaxUnpool2d(_MaxUnpoolNd):
    """The partial inverse of ``MaxPool2d`` (``F.max_unpool2d``)."""

    def forward(self, input: Tensor, indices: Tensor,
                output_size: Optional[Sequence[int]] = None) -> Tensor:
        return F.max_unpool2d(input, indices, self.kernel_size, self.stride, self.padding,
                              output_size)


class _LPPoolNd(Module):
    def __init__(self, norm_type: float, kernel_size: Any, stride: Any = None,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.norm_type, self.kernel_size = norm_type, kernel_size
        self.stride, self.ceil_mode = stride, ceil_mode

    def extra_repr(self) -> str:
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """(Σ_window x^p)^{1/p} over windows along the last dim (``F.lp_pool1d``)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.lp_pool1d(input, self.norm_type, self.kernel_size, self.stride,
                           self.ceil_mode)


class LPPool2d(_LPPoolNd):
    """(Σ_window x^p)^{1/p} over 2-D windows (``F.lp_pool2d``)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.lp_pool2d(input, self.norm_type, self.kernel_size, self.stride,
                           self.ceil_mode)


class LocalResponseNorm(Module):
    """x / (k + α · mean of x² over ``size`` neighbouring channels)^β
    (``F.local_response_norm``)."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75,
                 k: float = 1.0) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input: Tensor) -> Tensor:
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class ChannelShuffle(Module):
    """Interleave ``groups`` groups of channels (``F.channel_shuffle``)."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input: Tensor) -> Tensor:
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
