"""The activation functions beyond relu / tanh / sigmoid / gelu / silu, with PyTorch's
signatures and argument checks. Each runs one Function of
:mod:`minitorch.autograd.ops.activation` (its value, its slope and torch's node name, on
every backend; the slope is written on Tensors too, for double backward); softsign,
tanhshrink, softmin and prelu are composed from other ops, as torch composes the first
three. Exported by :mod:`minitorch.nn.functional`.
"""

from __future__ import annotations

from typing import Any, Optional

from minitorch.autograd.ops import activation as act
from minitorch.foreign import expect_tensor
from minitorch.nn.functional import softmax  # defined above its import of this module
from minitorch.nn.functional_composed import _floating_only, _inplace_or_not, _kind
from minitorch.shapes import normalize_dim
from minitorch.tensor import Tensor

# SELU's constants (Klambauer et al., 2017), as torch has them
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _activation(input: Tensor, name: str, kernel: Optional[str]) -> None:
    """The checks every activation makes: a Tensor, and (``kernel`` given) floating point,
    with torch's message naming its CPU kernel."""
    expect_tensor(input, name)
    if kernel is not None:
        _floating_only(input, kernel)


# --------------------------------------------------------------------- piecewise linear
def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x > 0 ? x : slope·x; gradient x > 0 ? 1 : slope (slope at 0 and at NaN, as torch)."""
    _activation(input, "leaky_relu", "leaky_relu_cpu")
    return _inplace_or_not(act.LeakyRelu, input, inplace, negative_slope)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """clamp(x, min_val, max_val); gradient 1 strictly inside (min_val, max_val), else 0 —
    also at NaN, whose value stays NaN (taken from a detached x)."""
    _activation(input, "hardtanh", None)
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _inplace_or_not(act.Hardtanh, input, inplace, min_val, max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6): :func:`hardtanh` on [0, 6]."""
    return hardtanh(input, 0.0, 6.0, inplace)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x <= threshold ? value : x (NaN stays NaN); gradient 0 where replaced, else 1."""
    _activation(input, "threshold", None)
    return _inplace_or_not(act.Threshold, input, inplace, threshold, value)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """|x| > λ ? x : 0; gradient 1 where |x| > λ, else 0 (also at NaN, whose value stays
    NaN)."""
    _activation(input, "hardshrink", "hardshrink_cpu")
    return act.Hardshrink.apply(input, lambd)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - λ above λ, x + λ below -λ, x·0 inside [-λ, λ] (a zero with x's sign); gradient 0
    inside [-λ, λ], else 1 (NaN: value NaN, gradient 1)."""
    _activation(input, "softshrink", "softshrink_check")
    if lambd < 0:
        raise RuntimeError(f"lambda must be in range [0, 3.40282e+38] for input dtype "
                           f"{_kind(input)}, but found {lambd:g}")
    return act.Softshrink.apply(input, lambd)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x + 3, 0), 6) / 6; gradient 1/6 for -3 < x < 3, else 0 (also at NaN, whose
    value stays NaN: the middle branch is taken by a detached x there)."""
    _activation(input, "hardsigmoid", "hardsigmoid_cpu")
    return _inplace_or_not(act.Hardsigmoid, input, inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x·min(max(x + 3, 0), 6) / 6; gradient x <= -3 ? 0 : x < 3 ? x/3 + 1/2 : 1 (torch's
    branches: 0 at -3, 1 at 3 and at NaN). From -3 down the value is x·0, which is -0 (and
    NaN for -inf), as torch's x·0/6; the middle branch is fed only its own lanes."""
    _activation(input, "hardswish", "hardswish_cpu")
    return _inplace_or_not(act.Hardswish, input, inplace)


# ------------------------------------------------------------------------ exponential
def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x <= 0 ? α·(eˣ − 1) : x; gradient x <= 0 ? α·eˣ : 1 (α at 0, 1 at NaN)."""
    _activation(input, "elu", "elu_cpu")
    return _inplace_or_not(act.Elu, input, inplace, alpha, 1.0, 1.0)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x <= 0 ? α·(e^{x/α} − 1) : x (continuously differentiable: gradient 1 at 0)."""
    _activation(input, "celu", "elu_cpu")
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _inplace_or_not(act.Celu, input, inplace, alpha, 1.0, alpha)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale·(x <= 0 ? α·(eˣ − 1) : x), with the self-normalising α ≈ 1.6733, scale ≈ 1.0507."""
    _activation(input, "selu", "elu_cpu")
    return _inplace_or_not(act.Elu, input, inplace, SELU_ALPHA, SELU_SCALE, 1.0)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^{βx}) / β, and x itself where βx > threshold (torch: there the two agree to
    float precision); gradient σ(βx), or 1 above the threshold."""
    _activation(input, "softplus", "softplus_cpu")
    return act.Softplus.apply(input, beta, threshold)


def logsigmoid(input: Tensor) -> Tensor:
    """log σ(x) = -log(1 + e⁻ˣ), computed without overflow: x - log(1 + eˣ) for x < 0,
    -log(1 + e⁻ˣ) otherwise (each branch fed only its own half); gradient 1 - σ(x)."""
    _activation(input, "logsigmoid", "log_sigmoid_cpu")
    return act.LogSigmoid.apply(input)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x·tanh(softplus(x)) (softplus with β = 1, threshold 20, as torch's kernel)."""
    _activation(input, "mish", "mish_cpu")
    return _inplace_or_not(act.Mish, input, inplace)


# ------------------------------------------------------------------------------ others
def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|); integers give the default float dtype, as in torch."""
    _activation(input, "softsign", None)
    x = input._floating()
    return x / (1 + x.abs())


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x); integers give the default float dtype, as in torch."""
    _activation(input, "tanhshrink", None)
    x = input._floating()
    return x - x.tanh()


def softmin(input: Tensor, dim: Optional[int] = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """softmax(-x) along ``dim``."""
    _activation(input, "softmin", None)
    x = input.to(dtype) if dtype is not None else input
    _floating_only(x, "softmax_lastdim_kernel_impl")
    return softmax(-x, dim)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a·σ(b), where a and b are the two halves of ``input`` along ``dim``."""
    _activation(input, "glu", None)
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = normalize_dim(dim, input.ndim)
    size = input.shape[d]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {size}")
    _floating_only(input, "glu_cpu")
    return act.Glu.apply(input, d)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x > 0 ? x : w·x, with one learned slope w for all channels or one per channel
    (channel = dim 1; an input of fewer than 2 dims has one channel)."""
    _activation(input, "prelu", None)
    expect_tensor(weight, "prelu", "weight", 2)
    if weight.dtype != input.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {_kind(input)} and "
                           f"{_kind(weight)}")
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.numel() != 1:
        if weight.ndim != 1:
            raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but "
                               f"got: ndim = {weight.ndim}")
        if weight.numel() != channels:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {weight.numel()} and channel size = "
                               f"{channels}.")
        w = weight.reshape((channels,) + (1,) * (input.ndim - 2))
    else:
        w = weight.reshape(())
    return act.Prelu.apply(input, w)
