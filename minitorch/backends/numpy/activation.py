"""Activations, elementwise. Backward passes use the saved *output* y, which is all they need:
tanh' = 1 - y², σ' = y(1 - y), relu' = [y > 0]."""

from __future__ import annotations

from typing import Any


def relu_forward(xp: Any, x: Any) -> Any:
    """y = 0 where x < 0, else x (NaN and -0.0 pass through unchanged, as in PyTorch)."""
    return xp.where(x < 0, xp.zeros((), dtype=x.dtype), x)


def relu_backward(xp: Any, gy: Any, y: Any) -> Any:
    """gx = 0 where y ≤ 0, else gy."""
    return xp.where(y <= 0, xp.zeros((), dtype=gy.dtype), gy)


def tanh_forward(xp: Any, x: Any) -> Any:
    """y = tanh(x)."""
    return xp.tanh(x)


def tanh_backward(xp: Any, gy: Any, y: Any) -> Any:
    """gx = gy · (1 - y²)."""
    return gy * (1 - y * y)


def sigmoid_forward(xp: Any, x: Any) -> Any:
    """y = 1/(1 + e^{-x}), written with e^{-|x|} ≤ 1 so nothing overflows:
    y = 1/(1 + e) for x ≥ 0 and e/(1 + e) for x < 0, with e = e^{-|x|}."""
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def sigmoid_backward(xp: Any, gy: Any, y: Any) -> Any:
    """gx = gy · y · (1 - y)."""
    return gy * y * (1 - y)
