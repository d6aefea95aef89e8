"""Weight initialisation (``minitorch.nn.init``), with PyTorch's formulas."""

from __future__ import annotations

import math
import warnings
from typing import Optional, Tuple

import numpy as np

from minitorch.autograd.grad_mode import no_grad
from minitorch.creation import tensor as _tensor
from minitorch.nn.functional_composed import _floating_only
from minitorch.random import Generator, rng
from minitorch.tensor import Tensor


def calculate_fan_in_and_fan_out(t: Tensor) -> Tuple[int, int]:
    """fan_in = in_channels · kH · kW (weight dim 1 × receptive field); fan_out likewise."""
    if t.ndim < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         "dimensions")
    receptive = 1
    for s in t.shape[2:]:
        receptive *= s
    return t.shape[1] * receptive, t.shape[0] * receptive


_calculate_fan_in_and_fan_out = calculate_fan_in_and_fan_out


def calculate_gain(nonlinearity: str, param: float = None) -> float:
    if nonlinearity in ("linear", "conv2d", "sigmoid", "identity"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope ** 2))
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


@no_grad()
def uniform_(t: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    return t.uniform_(a, b)


@no_grad()
def normal_(t: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    return t.normal_(mean, std)


@no_grad()
def zeros_(t: Tensor) -> Tensor:
    return t.zero_()


@no_grad()
def ones_(t: Tensor) -> Tensor:
    return t.fill_(1.0)


@no_grad()
def constant_(t: Tensor, val: float) -> Tensor:
    return t.fill_(val)


@no_grad()
def kaiming_uniform_(t: Tensor, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu") -> Tensor:
    """U(-bound, bound), bound = gain · √(3 / fan). PyTorch's layers use a = √5, which gives
    bound = 1/√fan_in."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(t)
    fan = fan_in if mode == "fan_in" else fan_out
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / fan) if fan else 0.0
    return t.uniform_(-bound, bound)


@no_grad()
def kaiming_normal_(t: Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu") -> Tensor:
    fan_in, fan_out = calculate_fan_in_and_fan_out(t)
    fan = fan_in if mode == "fan_in" else fan_out
    return t.normal_(0.0, calculate_gain(nonlinearity, a) / math.sqrt(fan))


@no_grad()
def xavier_uniform_(t: Tensor, gain: float = 1.0) -> Tensor:
    fan_in, fan_out = calculate_fan_in_and_fan_out(t)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return t.uniform_(-bound, bound)


@no_grad()
def xavier_normal_(t: Tensor, gain: float = 1.0) -> Tensor:
    fan_in, fan_out = calculate_fan_in_and_fan_out(t)
    return t.normal_(0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def _write(t: Tensor, values: np.ndarray) -> Tensor:
    """Overwrite ``t`` (any device and dtype) with the host array ``values`` of its shape."""
    t.copy_(_tensor(values.reshape(tuple(t.shape))))
    return t


def _norm_cdf(x: float) -> float:
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


def _trunc_normal(shape: Tuple[int, ...], mean: float, std: float, a: float, b: float,
                  gen: np.random.Generator) -> np.ndarray:
    """Samples of N(mean, std²) restricted to [a, b], by torch's two rejection samplers:
    when [a, b] holds more than 30 % of the mass, draw normals and redraw those outside;
    otherwise draw uniforms on [a, b] and keep each with probability pdf(x) / pdf(mode)."""
    p = _norm_cdf((b - mean) / std) - _norm_cdf((a - mean) / std)
    if p > 0.3:
        x = gen.normal(mean, std, shape)
        out = (x < a) | (x > b)
        while out.any():
            x[out] = gen.normal(mean, std, int(out.sum()))
            out = (x < a) | (x > b)
        return x
    mode = max(a, min(mean, b))
    log_peak = -0.5 * ((mode - mean) / std) ** 2
    x = np.empty(shape)
    pending = np.ones(shape, dtype=bool)
    while pending.any():
        n = int(pending.sum())
        candidates = gen.uniform(a, b, n)
        log_ratio = -0.5 * ((candidates - mean) / std) ** 2 - log_peak
        accept = np.log(gen.uniform(0.0, 1.0, n)) <= log_ratio
        where = np.flatnonzero(pending)
        x.flat[where[accept]] = candidates[accept]
        pending.flat[where[accept]] = False
    return x


@no_grad()
def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator: Optional[Generator] = None) -> Tensor:
    """Fill ``tensor`` with N(mean, std²) truncated to [a, b]: values outside the bounds are
    redrawn, so the density is φ((x - mean) / std) / (std · (Φ(β) - Φ(α))) on [a, b],
    α = (a - mean) / std, β = (b - mean) / std. Warns, as torch, when mean is more than
    2 std outside [a, b]."""
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=2)
    normal = _norm_cdf((b - mean) / std) - _norm_cdf((a - mean) / std) > 0.3
    _floating_only(tensor, "normal_kernel_cpu" if normal else "check_uniform_bounds")
    if not normal and a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={a:g} > to={b:g}")
    return _write(tensor, _trunc_normal(tuple(tensor.shape), mean, std, a, b, rng(generator)))


@no_grad()
def eye_(tensor: Tensor) -> Tensor:
    """Fill the 2-D ``tensor`` with the identity matrix (ones on the main diagonal)."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _write(tensor, np.eye(*tensor.shape))


@no_grad()
def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill the 3-, 4- or 5-D convolution weight ``tensor`` (out, in, *kernel) with Dirac
    deltas: in each of ``groups`` groups of output channels, output channel d takes input
    channel d at the kernel's centre (``size // 2``), for d < min(out / groups, in); zero
    elsewhere, so the convolution passes those channels through."""
    dims = tensor.ndim
    if dims not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tuple(tensor.shape)
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    per_group = sizes[0] // groups
    values = np.zeros(sizes)
    centre = tuple(n // 2 for n in sizes[2:])
    for g in range(groups):
        for d in range(min(per_group, sizes[1])):
            values[(g * per_group + d, d) + centre] = 1
    return _write(tensor, values)


@no_grad()
def orthogonal_(tensor: Tensor, gain: float = 1, generator: Optional[Generator] = None
                ) -> Tensor:
    """Fill ``tensor`` (≥ 2-D; the dims after the first flattened: rows × cols) with a
    (semi-)orthogonal matrix times ``gain``: Q of the QR factorization of a Gaussian matrix,
    each column's sign set by R's diagonal (Q · sign(diag R), uniform over the orthogonal
    group, Mezzadri 2007). Then Q Qᵀ = I (rows ≤ cols) or Qᵀ Q = I (rows ≥ cols)."""
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    _floating_only(tensor, "normal_kernel_cpu")
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = rng(generator).normal(0.0, 1.0, (rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _write(tensor, q * gain)
