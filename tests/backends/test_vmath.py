"""The Numba backend's vectorisable exp, sigmoid and tanh, measured in ulp against the exact
value (computed in x87 extended precision, ``numpy.longdouble``) and against torch.

Inputs: a fixed-seed normal sample, dense grids over the interesting ranges (the switch-over
at |x| = 0.625, the underflow region), powers of ten down to the subnormals, ±0, ±inf, NaN.
"""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from minitorch.backends.numba import activation
from minitorch.backends.numba.simd import WIDTH, count, load, simd_lanes, store
from minitorch.backends.numba.vecops import mul
from minitorch.backends.numba.vmath import exp_minus_twice, exp_nonpositive, exp_normal

torch = pytest.importorskip("torch")

if np.finfo(np.longdouble).nmant < 60:  # pragma: no cover - x86 Linux has 80-bit long double
    pytest.skip("needs an extended-precision numpy.longdouble for the exact reference",
                allow_module_level=True)


def inputs(dtype, scale: float, low: float, high: float) -> np.ndarray:
    rng = np.random.default_rng(17)
    powers = 10.0 ** np.arange(-40, 3, 0.01)
    return np.concatenate([
        rng.standard_normal(200_000) * scale, np.linspace(low, high, 200_001),
        np.linspace(-1, 1, 20_001), powers, -powers,
        [0.0, -0.0, np.inf, -np.inf, np.nan, 0.625, -0.625]]).astype(dtype)


def max_ulp(ours: np.ndarray, exact: np.ndarray) -> float:
    """Largest |ours − exact| in units of the last place of exact, over normal results."""
    normal = np.isfinite(exact) & (np.abs(exact) >= np.finfo(exact.dtype).tiny)
    diff = np.abs(ours[normal].astype(np.longdouble) - exact[normal])
    return float((diff / np.spacing(np.abs(exact[normal]))).max())


@njit
def _exp_lanes(t, lanes):  # pragma: no cover
    """exp_nonpositive over t (a multiple of ``lanes`` long), one vector at a time."""
    out = np.empty_like(t)
    for i in range(0, t.size, count(lanes)):
        store(out, i, exp_nonpositive(load(t, i, lanes)))
    return out


def exp_of(t: np.ndarray) -> np.ndarray:
    """exp_nonpositive of every element of t (padded with zeros to whole vectors)."""
    lanes = simd_lanes(t.dtype)
    padded = np.zeros(-(-t.size // lanes) * lanes, t.dtype)
    padded[:t.size] = t
    return _exp_lanes(padded, WIDTH[lanes])[:t.size]


@pytest.mark.parametrize("dtype, ulps", [(np.float32, 2), (np.float64, 2)])
def test_exp_of_nonpositive_arguments(dtype, ulps):
    t = -np.abs(inputs(dtype, 30.0, -800.0, 0.0))
    t = t[np.isfinite(t)]
    exact = np.exp(t.astype(np.longdouble)).astype(dtype)
    ours = exp_of(t)
    assert max_ulp(ours, exact) <= ulps
    # Subnormal results: off by at most one subnormal step; and exactly 0 below the range.
    tiny = np.abs(exact) < np.finfo(dtype).tiny
    assert np.all(np.abs(ours[tiny] - exact[tiny]) <= np.finfo(dtype).smallest_subnormal)
    assert exp_of(np.array([-1e4, -np.inf], dtype)).tolist() == [0.0, 0.0]


@njit
def _exp_pair(a, lanes):  # pragma: no cover
    """(exp_minus_twice(a), exp_normal(−2a)) over a (a multiple of ``lanes`` long)."""
    folded, plain = np.empty_like(a), np.empty_like(a)
    for i in range(0, a.size, count(lanes)):
        v = load(a, i, lanes)
        store(folded, i, exp_minus_twice(v))
        store(plain, i, exp_normal(mul(v, -2.0)))
    return folded, plain


@pytest.mark.parametrize("dtype, top", [(np.float32, 20.0), (np.float64, 354.0)])
def test_exp_minus_twice(dtype, top):
    """float64: the −2 folded into the reduction and the polynomial changes no bit of
    exp_normal(−2a). float32 (tanh's exp, one multiply-add of reduction with ln 2 rounded):
    within 1 ulp of the rounded e^{−2a} for a ≤ 3 (0.9 of the exact one), 2 up to 20."""
    a = np.abs(inputs(dtype, 10.0, 0.0, top))
    a = a[np.isfinite(a) & (a <= top)]
    lanes = simd_lanes(dtype)
    a = np.concatenate([a, np.zeros(-a.size % lanes, dtype)])
    folded, plain = _exp_pair(a, WIDTH[lanes])
    if dtype == np.float64:
        np.testing.assert_array_equal(folded, plain)
        return
    exact = np.exp(-2 * a.astype(np.longdouble)).astype(dtype)
    near = a <= 3
    assert max_ulp(folded[near], exact[near]) <= 1
    assert max_ulp(folded, exact) <= 2


CASES = [  # (name, ours, torch's, exact in long double, ulp bound, range of the grid)
    ("sigmoid", activation.sigmoid_forward, torch.sigmoid,
     lambda x: 1 / (1 + np.exp(-x)), 3, 800.0),
    ("tanh", activation.tanh_forward, torch.tanh, np.tanh, 1, 30.0),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, ours_fn, torch_fn, exact_fn, ulps, span", CASES,
                         ids=[c[0] for c in CASES])
def test_activation_accuracy(name, ours_fn, torch_fn, exact_fn, ulps, span, dtype):
    x = inputs(dtype, 5.0, -span, span)
    with np.errstate(over="ignore"):
        exact = exact_fn(x.astype(np.longdouble)).astype(dtype)
    ours = ours_fn(x)
    theirs = torch_fn(torch.from_numpy(x)).numpy()
    assert ours.dtype == x.dtype and ours.shape == x.shape
    assert max_ulp(ours, exact) <= ulps
    # NaN, ±inf and ±0 come out as torch's, sign included (a NaN's sign means nothing).
    special = ~np.isfinite(x) | (x == 0)
    np.testing.assert_array_equal(ours[special], theirs[special])
    signed = (x == 0) | np.isinf(x)
    np.testing.assert_array_equal(np.signbit(ours[signed]), np.signbit(theirs[signed]))
    # Subnormal results: within one subnormal step of the exact value (torch flushes these
    # to 0, so it is not the reference there).
    tiny = np.isfinite(exact) & (np.abs(exact) < np.finfo(dtype).tiny)
    assert np.all(np.abs(ours[tiny] - exact[tiny]) <= np.finfo(dtype).smallest_subnormal)
    normal = ~special & ~tiny
    torch.testing.assert_close(torch.from_numpy(ours[normal]), torch.from_numpy(theirs[normal]),
                               rtol=4 * np.finfo(dtype).eps, atol=0)
