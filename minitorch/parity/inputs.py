"""Input generators for parity cases: ``gen(rng, shape) -> float64 array``.

Each one exists for a reason a case names: away from a pole, exact ties, kinks, overflow.
"""

from __future__ import annotations

from typing import Callable, Dict, Tuple

import numpy as np

Generator = Callable[[np.random.Generator, Tuple[int, ...]], np.ndarray]


def normal(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    return rng.standard_normal(shape)


def positive(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    """Away from 0 (log, sqrt, pow bases, divisors)."""
    return rng.uniform(0.5, 2.0, shape)


def nonzero(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    """|x| in [0.5, 2] with random sign (abs, 1/x: no kink or pole nearby)."""
    return rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


def ties(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    """Small integers as floats: many exact ties, on purpose."""
    return rng.integers(-2, 3, shape).astype(np.float64)


def with_zeros(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    """Normal values with every third one exactly 0 (relu's kink)."""
    x = rng.standard_normal(shape)
    x.reshape(-1)[::3] = 0.0
    return x


def with_extremes(scale: float) -> Generator:
    """Normal values with some set to ±scale (overflow checks: sigmoid ±1000, softmax ±1e4)."""
    def gen(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
        x = rng.standard_normal(shape)
        flat = x.reshape(-1)
        flat[::4] = scale
        flat[1::4] = -scale
        return x
    return gen


def with_nan(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    x = rng.standard_normal(shape)
    x.reshape(-1)[5] = np.nan
    return x


def spread(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    """Distinct values at least 0.1 apart (max/min/maximum: no tie within gradcheck's eps)."""
    n = int(np.prod(shape))
    return (rng.permutation(n) * 0.1 - n * 0.05).reshape(shape)


def with_values(values: Dict[int, float]) -> Generator:
    """Normal values with ``values[k]`` placed at flat position k (single ±inf or NaN entries
    at chosen places: a padded border, one window, one row)."""
    def gen(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
        x = rng.standard_normal(shape)
        for k, v in values.items():
            x.reshape(-1)[k] = v
        return x
    return gen


def neg_inf_rows(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    """Distinct values, the first half of the last-but-one axis all -inf (pooling windows and
    softmax rows where nothing is finite), and one +inf, one NaN further on."""
    x = spread(rng, shape)
    x[..., : shape[-2] // 2, :] = -np.inf
    flat = x.reshape(-1)
    flat[-1], flat[-7] = np.inf, np.nan
    return x


def inside_unit(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    """In (-0.9, 0.9): the domain of arcsin, arccos and artanh, away from the poles at ±1."""
    return rng.uniform(-0.9, 0.9, shape)


def above_one(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    """In [1.2, 3]: arcosh's domain, away from its pole at 1."""
    return rng.uniform(1.2, 3.0, shape)


def off_integers(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    """In (-3, 3), at least 0.2 from every integer: ln Γ, ψ and ψ⁽ⁿ⁾ on both sides of 0,
    away from their poles at 0, -1, -2, …"""
    return rng.integers(-3, 3, shape) + rng.uniform(0.2, 0.8, shape)


SIGNED_SPECIALS = (0.0, -0.0, 1.5, -1.5, np.inf, -np.inf, np.nan, -np.nan)


def signed_specials(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    """±0, ±1.5, ±inf and NaN with either sign bit, repeated to fill ``shape`` (signbit,
    copysign, heaviside: the ops whose result turns on a sign)."""
    flat = np.resize(np.array(SIGNED_SPECIALS), int(np.prod(shape)))
    flat[-1] = np.copysign(np.nan, -1.0)  # np.array drops -nan's sign on some platforms
    return flat.reshape(shape)


def dominant(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    """Square matrices (..., n, n), normal values plus ±n on the diagonal (random signs):
    strictly diagonally dominant in expectation, so invertible and well-conditioned (inv,
    det, solve), with determinants of either sign (slogdet)."""
    n = shape[-1]
    signs = rng.choice([-1.0, 1.0], shape[:-1])
    return rng.standard_normal(shape) + n * signs[..., None] * np.eye(n)


def separated(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    """Matrices (..., m, n) with singular values 1, 2, …, k (k = min(m, n)) between random
    orthonormal bases: the SVD's and the pseudo-inverse's gradients divide by σᵢ² − σⱼ² and
    by σᵢ, which stay away from 0."""
    m, n = shape[-2], shape[-1]
    k = min(m, n)
    u, _ = np.linalg.qr(rng.standard_normal(shape[:-2] + (m, k)))
    v, _ = np.linalg.qr(rng.standard_normal(shape[:-2] + (n, k)))
    return (u * np.arange(1.0, k + 1)) @ np.swapaxes(v, -1, -2)
