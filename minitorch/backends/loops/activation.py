"""relu, tanh and sigmoid: one formula per element, applied by one loop (:func:`each`).
Backward passes use the saved output y: relu' = [y > 0], tanh' = 1 - y², σ' = y·(1 - y)."""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from minitorch.backends.loops.common import f64


def each(formula: Callable[..., float], *arrays: np.ndarray) -> np.ndarray:
    """out[k] = formula(a[k], b[k], …) for every element k of the same-shaped ``arrays``,
    in float64, rounded once to the first array's dtype."""
    flat = [f64(a).reshape(-1) for a in arrays]
    out = np.zeros(flat[0].size)
    for k in range(out.size):
        out[k] = formula(*(a[k] for a in flat))
    return out.reshape(arrays[0].shape).astype(arrays[0].dtype)


def _sigmoid(x: float) -> float:
    """1 / (1 + e^{-x}) with e = e^{-|x|} ≤ 1, so nothing overflows at ±1000:
    1 / (1 + e) for x ≥ 0, e / (1 + e) for x < 0."""
    e = math.exp(-abs(x))
    return 1 / (1 + e) if x >= 0 else e / (1 + e)


def relu_forward(x: np.ndarray) -> np.ndarray:
    """y = 0 if x < 0 else x  (NaN < 0 is false: NaN stays NaN; -0.0 stays -0.0)."""
    return each(lambda x: 0.0 if x < 0 else x, x)


def relu_backward(gy: np.ndarray, y: np.ndarray) -> np.ndarray:
    """gx = 0 if y ≤ 0 else gy  (0 at the kink y = 0; a NaN passes the gradient through)."""
    return each(lambda g, y: 0.0 if y <= 0 else g, gy, y)


def tanh_forward(x: np.ndarray) -> np.ndarray:
    """y = tanh(x)."""
    return each(math.tanh, x)


def tanh_backward(gy: np.ndarray, y: np.ndarray) -> np.ndarray:
    """gx = gy · (1 - y²)."""
    return each(lambda g, y: g * (1 - y * y), gy, y)


def sigmoid_forward(x: np.ndarray) -> np.ndarray:
    """y = 1 / (1 + e^{-x}) (see :func:`_sigmoid`)."""
    return each(_sigmoid, x)


def sigmoid_backward(gy: np.ndarray, y: np.ndarray) -> np.ndarray:
    """gx = gy · y · (1 - y)."""
    return each(lambda g, y: g * y * (1 - y), gy, y)
