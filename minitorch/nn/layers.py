"""The tutorial's layers as Modules: each holds its hyper-parameters (and weights) and calls
one function of :mod:`minitorch.nn.functional` in ``forward``."""

from __future__ import annotations

import math
from typing import Any, Optional, Sequence, Union

from minitorch import shapes
from minitorch.autograd.grad_mode import no_grad
from minitorch.creation import empty
from minitorch.nn import functional as F
from minitorch.nn import init
from minitorch.nn.functional_composed import _padding_index
from minitorch.nn.module import Module
from minitorch.nn.parameter import Parameter
from minitorch.tensor import Tensor

IntOrPair = Union[int, Sequence[int]]


def _uniform_fan_in(weight: Tensor, bias: Optional[Tensor]) -> None:
    """PyTorch's ``reset_parameters``: W ~ kaiming_uniform(a=√5) = U(±1/√fan_in) and
    b ~ U(±1/√fan_in)."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = init.calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(bias, -bound, bound)


def _functional(module: Module, stem: str) -> Any:
    """The function a layer with ``_dims`` spatial dims calls: ``F.conv2d`` for a Conv2d,
    ``F.max_pool1d`` for a MaxPool1d, ..."""
    return getattr(F, f"{stem}{module._dims}d")


class _ConvNd(Module):
    """What Conv1d and Conv2d share: the hyper-parameters as tuples of ``_dims`` ints, the
    weight (out_channels, in_channels / groups, *kernel_size), the padding modes (the module
    pads, then convolves) and torch's ``repr``."""

    _dims = 2
    _transposed = False  # ConvTranspose: weight (in, out / groups, *k), output_padding

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntOrPair,
                 stride: IntOrPair = 1, padding: Union[str, IntOrPair] = 0,
                 dilation: IntOrPair = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None,
                 *, output_padding: IntOrPair = 0) -> None:
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError(f"padding_mode must be one of ['zeros', 'reflect', 'replicate', "
                             f"'circular'], but got padding_mode='{padding_mode}'")
        n = self._dims
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = shapes.ntuple(kernel_size, "kernel_size", n)
        self.stride = shapes.ntuple(stride, "stride", n)
        self.dilation = shapes.ntuple(dilation, "dilation", n)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 "['valid', 'same']")
            if padding == "same" and self.stride != (1,) * n:
                raise ValueError("padding='same' is not supported for strided convolutions")
            self.padding: Union[str, tuple] = padding
        else:
            self.padding = shapes.ntuple(padding, "padding", n)
        self.padding_mode = padding_mode
        self.output_padding = shapes.ntuple(output_padding, "output_padding", n)
        factory = {"device": device, "dtype": dtype}
        rows, cols = (in_channels, out_channels) if self._transposed else \
            (out_channels, in_channels)
        self.weight = Parameter(empty(rows, cols // groups, *self.kernel_size, **factory))
        self.bias = Parameter(empty(out_channels, **factory)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _uniform_fan_in(self.weight, self.bias)

    def _convolve(self, input: Tensor, padding: Union[str, tuple]) -> Tensor:
        return _functional(self, "conv")(input, self.weight, self.bias, self.stride, padding,
                                         self.dilation, self.groups)

    def _pads(self) -> tuple:
        """The padding as ``F.pad`` takes it: (left, right) of the last dim first. "same"
        puts an odd total's extra element at the end, as torch."""
        if self.padding == "valid":
            return (0, 0) * self._dims
        if self.padding == "same":
            totals = [d * (k - 1) for k, d in zip(self.kernel_size, self.dilation)]
            per_dim = [(t // 2, t - t // 2) for t in totals]
        else:
            per_dim = [(p, p) for p in self.padding]
        return tuple(v for pair in reversed(per_dim) for v in pair)

    def forward(self, input: Tensor) -> Tensor:
        if self.padding_mode == "zeros":
            return self._convolve(input, self.padding)
        padded = F.pad(input, self._pads(), mode=self.padding_mode)
        return self._convolve(padded, 0)

    def extra_repr(self) -> str:
        n = self._dims
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
    """2-D convolution: ``out = conv2d(input, weight, bias, stride, padding, dilation, groups)``.

    Output size: ``(H + 2·padding - dilation·(kernel - 1) - 1) // stride + 1`` — for the
    tutorial's ``Conv2d(3, 32, 5, 1, 2)`` on 32×32: (32 - 5 + 2·2)/1 + 1 = 32."""

    _dims = 2


class Conv3d(_ConvNd):
    """3-D convolution over (N, C, D, H, W) or (C, D, H, W): ``conv3d(input, weight, bias,
    ...)``, weight (out_channels, in_channels / groups, kD, kH, kW); output size per dim as
    Conv2d's."""

    _dims = 3


class Conv1d(_ConvNd):
    """1-D convolution over (N, C, L): ``conv1d(input, weight, bias, ...)`` (a sequence, an
    audio signal, a spectrogram's frames); output length as Conv2d's, along L."""

    _dims = 1


class _ConvTransposeNd(_ConvNd):
    """ConvTranspose1d/2d: torch's argument order (output_padding before groups, dilation
    last); only zero padding; ``forward(input, output_size)`` may name the output size
    instead of ``output_padding``."""

    _transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntOrPair,
                 stride: IntOrPair = 1, padding: IntOrPair = 0, output_padding: IntOrPair = 0,
                 groups: int = 1, bias: bool = True, dilation: IntOrPair = 1,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for '
                             f"{type(self).__name__}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype,
                         output_padding=output_padding)

    def _output_padding(self, input: Tensor, output_size: Optional[Sequence[int]]) -> tuple:
        """``output_padding``, or the one that gives ``output_size`` (its last dims): each
        size must lie in [minimum, minimum + stride − 1], as in torch."""
        if output_size is None:
            return self.output_padding
        n = self._dims
        wanted = [int(v) for v in output_size][-n:]
        if len(wanted) != n:
            raise ValueError(f"ConvTranspose{n}D: for {input.ndim}D input, output_size must "
                             f"have {n} or {n + 2} elements (got {len(list(output_size))})")
        sizes = input.shape[-n:]
        low = [(i - 1) * s - 2 * p + d * (k - 1) + 1 for i, s, p, d, k in
               zip(sizes, self.stride, self.padding, self.dilation, self.kernel_size)]
        high = [lo + s - 1 for lo, s in zip(low, self.stride)]
        if any(not lo <= w <= hi for w, lo, hi in zip(wanted, low, high)):
            raise ValueError(f"requested an output size of {wanted}, but valid sizes range "
                             f"from {low} to {high} (for an input of {input.shape[-n:]})")
        return tuple(w - lo for w, lo in zip(wanted, low))

    def forward(self, input: Tensor, output_size: Optional[Sequence[int]] = None) -> Tensor:
        return _functional(self, "conv_transpose")(
            input, self.weight, self.bias, self.stride, self.padding,
            self._output_padding(input, output_size), self.groups, self.dilation)


class ConvTranspose2d(_ConvTransposeNd):
    """Transposed 2-D convolution (the adjoint of Conv2d: it upsamples): output size
    ``(H − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1``."""

    _dims = 2


class ConvTranspose3d(_ConvTransposeNd):
    """Transposed 3-D convolution over (N, C, D, H, W) (the adjoint of Conv3d)."""

    _dims = 3


class ConvTranspose1d(_ConvTransposeNd):
    """Transposed 1-D convolution over (N, C, L)."""

    _dims = 1


class _MaxPoolNd(Module):
    """Max over each window; ``stride`` defaults to ``kernel_size``."""

    def __init__(self, kernel_size: IntOrPair, stride: Optional[IntOrPair] = None,
                 padding: IntOrPair = 0, dilation: IntOrPair = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    _dims = 2

    def forward(self, input: Tensor) -> Any:
        return _functional(self, "max_pool")(input, self.kernel_size, self.stride,
                                             self.padding, self.dilation,
                                             ceil_mode=self.ceil_mode,
                                             return_indices=self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool2d(_MaxPoolNd):
    """Max over each (kH, kW) window of (H, W)."""


class MaxPool3d(_MaxPoolNd):
    """Max over each (kD, kH, kW) window of (D, H, W)."""

    _dims = 3


class AvgPool2d(Module):
    """Mean over each window; ``stride`` defaults to ``kernel_size``."""

    _dims = 2

    def __init__(self, kernel_size: IntOrPair, stride: Optional[IntOrPair] = None,
                 padding: IntOrPair = 0, ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: Optional[int] = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return _functional(self, "avg_pool")(input, self.kernel_size, self.stride, self.padding,
                                             self.ceil_mode, self.count_include_pad,
                                             self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool3d(AvgPool2d):
    """Mean over each (kD, kH, kW) window of (D, H, W)."""

    _dims = 3


class _AdaptivePoolNd(Module):
    """``output_size`` windows per spatial dim, ⌊i·H/oh⌋ to ⌈(i+1)·H/oh⌉ (None: keep that
    input size); the max pools can also return where each maximum is."""

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_AdaptivePoolNd):
    """The mean of each window."""

    def __init__(self, output_size: Any) -> None:
        super().__init__(output_size)

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(input, self.output_size)


class AdaptiveAvgPool3d(AdaptiveAvgPool2d):
    """The mean of each window of (D, H, W)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool3d(input, self.output_size)


class AdaptiveMaxPool2d(_AdaptivePoolNd):
    """The max of each window (and, ``return_indices``, where it is)."""

    def forward(self, input: Tensor) -> Any:
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)


class MaxPool1d(_MaxPoolNd):
    """Max over each window of L (torch's repr: ints, as given)."""

    _dims = 1


class AvgPool1d(Module):
    """Mean over each window of L; torch keeps its arguments as 1-tuples (its ``repr``)."""

    _dims = 1

    def __init__(self, kernel_size: IntOrPair, stride: Optional[IntOrPair] = None,
                 padding: IntOrPair = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size = shapes.ntuple(kernel_size, "kernel_size", 1)
        self.stride = shapes.ntuple(stride if stride is not None else kernel_size, "stride", 1)
        self.padding = shapes.ntuple(padding, "padding", 1)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool1d(_AdaptivePoolNd):
    """The mean of each of ``output_size`` windows along L."""

    def __init__(self, output_size: Any) -> None:
        super().__init__(output_size)

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool1d(input, self.output_size)


class AdaptiveMaxPool1d(_AdaptivePoolNd):
    """The max of each of ``output_size`` windows along L."""

    def forward(self, input: Tensor) -> Any:
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)


class ReLU(Module):
    """max(x, 0)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Tanh(Module):
    """tanh(x)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.tanh(input)


class Sigmoid(Module):
    """1 / (1 + e⁻ˣ)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.sigmoid(input)


class GELU(Module):
    """x·Φ(x) = ½·x·(1 + erf(x/√2)), or its tanh approximation (``approximate='tanh'``)."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(ReLU):
    """x·σ(x) (the swish)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.silu(input, inplace=self.inplace)


class Softmax(Module):
    def __init__(self, dim: Optional[int] = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self.dim)


class Identity(Module):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """y = x Wᵀ + b (the fully connected layer)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        factory = {"device": device, "dtype": dtype}
        self.weight = Parameter(empty(out_features, in_features, **factory))
        self.bias = Parameter(empty(out_features, **factory)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _uniform_fan_in(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Flatten(Module):
    """Merge dims ``start_dim..end_dim`` into one (default: all but the batch dim)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size`` (the inverse of :class:`Flatten`)."""

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError("unflattened_size must be a tuple of ints, but found type "
                            f"{type(unflattened_size).__name__}")
        for idx, elem in enumerate(unflattened_size):
            if not isinstance(elem, int):
                raise TypeError("unflattened_size must be tuple of ints, but found element of "
                                f"type {type(elem).__name__} at pos {idx}")
        self.dim, self.unflattened_size = dim, unflattened_size

    def forward(self, input: Tensor) -> Tensor:
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class LayerNorm(Module):
    """(x - μ) / √(σ² + eps) · γ + β over the last dims (``normalized_shape``) of each
    sample; γ = 1 and β = 0 to start (``elementwise_affine``, ``bias``)."""

    def __init__(self, normalized_shape: Union[int, Sequence[int]], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        factory = {"device": device, "dtype": dtype}
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        affine = elementwise_affine
        self.weight = Parameter(empty(self.normalized_shape, **factory)) if affine else None
        self.bias = Parameter(empty(self.normalized_shape, **factory)) if affine and bias \
            else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.elementwise_affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class RMSNorm(Module):
    """x / √(mean(x²) + eps) · γ over the last dims (``normalized_shape``) of each sample
    (:func:`functional.rms_norm`; ``eps=None``: the machine epsilon of the input's dtype);
    γ = 1 to start (``elementwise_affine``)."""

    def __init__(self, normalized_shape: Union[int, Sequence[int]], eps: Optional[float] = None,
                 elementwise_affine: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        self.weight = Parameter(empty(self.normalized_shape, device=device, dtype=dtype)) \
            if elementwise_affine else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.elementwise_affine:
            init.ones_(self.weight)

    def forward(self, x: Tensor) -> Tensor:
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, looked up by index
    (:func:`functional.embedding`); weights ~ N(0, 1), the ``padding_idx`` row zero."""

    def __init__(self, num_embeddings: int, embedding_dim: int,
                 padding_idx: Optional[int] = None, max_norm: Optional[float] = None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, _weight: Optional[Tensor] = None,
                 _freeze: bool = False, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = _padding_index(padding_idx, num_embeddings)
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        if _weight is None:
            self.weight = Parameter(empty((num_embeddings, embedding_dim), device=device,
                                          dtype=dtype), requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if list(_weight.shape) != [num_embeddings, embedding_dim]:
                raise AssertionError("Shape of weight does not match num_embeddings and "
                                     "embedding_dim")
            self.weight = Parameter(_weight, requires_grad=not _freeze)
        self.sparse = sparse

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx].fill_(0)

    def forward(self, input: Tensor) -> Tensor:
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm,
                           self.norm_type, self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        return s + (", sparse=True" if self.sparse is not False else "")

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True,
                        padding_idx: Optional[int] = None, max_norm: Optional[float] = None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> Embedding:
        """An Embedding whose table is ``embeddings`` (2-D); ``freeze``: no gradient."""
        if embeddings.dim() != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
                   _weight=embeddings, _freeze=freeze)


class EmbeddingBag(Embedding):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim`` whose bags of looked-up
    rows are reduced to one vector each by ``mode`` — 'sum', 'mean' or 'max'
    (:func:`functional.embedding_bag`); weights ~ N(0, 1), the ``padding_idx`` row zero."""

    def __init__(self, num_embeddings: int, embedding_dim: int,
                 max_norm: Optional[float] = None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                 _weight: Optional[Tensor] = None, include_last_offset: bool = False,
                 padding_idx: Optional[int] = None, device: Any = None,
                 dtype: Any = None) -> None:
        if padding_idx is not None and not -num_embeddings <= padding_idx < num_embeddings:
            raise AssertionError("padding_idx must be within num_embeddings")
        super().__init__(num_embeddings, embedding_dim, padding_idx, max_norm, norm_type,
                         scale_grad_by_freq, sparse, _weight, device=device, dtype=dtype)
        self.mode, self.include_last_offset = mode, include_last_offset

    def forward(self, input: Tensor, offsets: Optional[Tensor] = None,
                per_sample_weights: Optional[Tensor] = None) -> Tensor:
        return F.embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type,
                               self.scale_grad_by_freq, self.mode, self.sparse,
                               per_sample_weights, self.include_last_offset, self.padding_idx)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        s += f", mode={self.mode!r}"
        return s + (f", padding_idx={self.padding_idx}" if self.padding_idx is not None else "")

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True,  # type: ignore[override]
                        max_norm: Optional[float] = None, norm_type: float = 2.0,
                        scale_grad_by_freq: bool = False, mode: str = "mean",
                        sparse: bool = False, include_last_offset: bool = False,
                        padding_idx: Optional[int] = None) -> EmbeddingBag:
        """An EmbeddingBag whose table is ``embeddings`` (2-D); ``freeze``: no gradient."""
        if embeddings.dim() != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        bag = cls(rows, cols, max_norm, norm_type, scale_grad_by_freq, mode, sparse,
                  embeddings, include_last_offset, padding_idx)
        bag.weight.requires_grad = not freeze
        return bag
