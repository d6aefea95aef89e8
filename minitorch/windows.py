"""Window functions, as ``torch.hann_window`` & co.: the tapers applied to each frame before
an STFT. Each is computed in the requested dtype with PyTorch's own sequence of operations
(``arange(N) · c``, then cos, scale and shift), so float32 windows match torch's to the last
bit or so. ``periodic=True`` (the default) gives the first N of N + 1 points of the
symmetric window, for spectral analysis; ``periodic=False`` the symmetric N-point window.
Lengths 0 and 1 give ``[]`` and ``[1.]``."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from minitorch import dtypes
from minitorch.autograd.special_math import i0
from minitorch.creation import tensor
from minitorch.fperrors import quietly
from minitorch.tensor import Tensor


def _window(name: str, window_length: int, periodic: bool, dtype: Any, device: Any,
            requires_grad: bool, build: Callable[[np.ndarray, int], np.ndarray]) -> Tensor:
    """PyTorch's checks, its edge cases and its periodic trick around ``build(n, N)``,
    which maps the float positions n = 0 … N-1 (in the window's dtype) to the window."""
    if isinstance(window_length, bool) or not isinstance(window_length, int):
        raise TypeError(f"{name}(): argument 'window_length' (position 1) must be int, not "
                        f"{type(window_length).__name__}")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got "
                           f"window_length={window_length}")
    kind = dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype)
    if not kind.is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: {kind}")
    if window_length <= 1:
        values = np.ones(window_length, kind.np)
    else:
        n = window_length + 1 if periodic else window_length
        values = np.asarray(build(np.arange(n, dtype=kind.np), n), kind.np)[:window_length]
    return tensor(values, dtype=kind, device=device, requires_grad=requires_grad)


def _scalar(n: np.ndarray, value: float) -> Any:
    """A Python number in the window's dtype, as torch's ``mul_(Scalar)`` casts it."""
    return n.dtype.type(value)


def _cosine_sum(alpha: float, beta: float) -> Callable[[np.ndarray, int], np.ndarray]:
    """w[n] = α - β cos(2πn / (N - 1)) (the generalised Hamming window)."""
    def build(n: np.ndarray, size: int) -> np.ndarray:
        phase = np.cos(n * _scalar(n, math.pi * 2.0 / (size - 1)))
        return phase * _scalar(n, -beta) + _scalar(n, alpha)

    return build


@quietly
def hann_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """w[n] = ½ - ½ cos(2πn / (N - 1)) = sin²(πn / (N - 1))."""
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad,
                   _cosine_sum(0.5, 0.5))


@quietly
def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54,
                   beta: float = 0.46, *, dtype: Any = None, layout: Any = None,
                   device: Any = None, requires_grad: bool = False) -> Tensor:
    """w[n] = α - β cos(2πn / (N - 1)), α = 0.54, β = 0.46 by default."""
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   _cosine_sum(alpha, beta))


def _blackman(n: np.ndarray, size: int) -> np.ndarray:
    """w[n] = 0.42 - ½ cos(2πn / (N - 1)) + 0.08 cos(4πn / (N - 1))."""
    t = n * _scalar(n, math.pi / (size - 1))
    return (np.cos(t * _scalar(n, 4)) * _scalar(n, 0.08)
            - np.cos(t * _scalar(n, 2)) * _scalar(n, 0.5) + _scalar(n, 0.42))


@quietly
def blackman_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                    layout: Any = None, device: Any = None,
                    requires_grad: bool = False) -> Tensor:
    """w[n] = 0.42 - ½ cos(2πn / (N - 1)) + 0.08 cos(4πn / (N - 1))."""
    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad,
                   _blackman)


def _bartlett(n: np.ndarray, size: int) -> np.ndarray:
    """w[n] = 2n / (N - 1) on the first half, 2 - 2n / (N - 1) on the rest."""
    w = n * _scalar(n, 2.0 / (size - 1))
    first = ((size - 1) >> 1) + 1
    w[first:] = w[first:] * _scalar(n, -1) + _scalar(n, 2)
    return w


@quietly
def bartlett_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                    layout: Any = None, device: Any = None,
                    requires_grad: bool = False) -> Tensor:
    """The triangle w[n] = 1 - |2n / (N - 1) - 1|."""
    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad,
                   _bartlett)


@quietly
def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *,
                  dtype: Any = None, layout: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
    """w[n] = I₀(β √(1 - ((n - α)/α)²)) / I₀(β), α = (N - 1)/2, with I₀ the modified Bessel
    function of order 0 (:func:`minitorch.autograd.special_math.i0`)."""
    def build(n: np.ndarray, size: int) -> np.ndarray:
        centre = _scalar(n, (size - 1) / 2.0)
        b = _scalar(n, beta)
        arg = b * np.sqrt(np.abs(1 - ((n - centre) / centre) ** 2))
        return i0(np, arg) / i0(np, np.asarray(b))

    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad,
                   build)
