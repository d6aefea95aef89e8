"""Weight initialisation (``minitorch.nn.init``), with PyTorch's formulas."""

from __future__ import annotations

import math
from typing import Tuple

from minitorch.autograd.grad_mode import no_grad
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
