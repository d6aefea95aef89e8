"""The special functions (``minitorch.special``, ``lgamma`` … ``i0``) and the window
functions, where the catalogue does not reach: accuracy over wide grids in float64 and
float32, the special values (poles, ±1 for erfinv, ±inf, NaN, ±0, overflow) in values and
gradients, integer inputs, in-place forms, errors, and the windows' values. Every expectation
is torch's own answer, computed here.

Accuracy, measured against torch (its float64 kernels are the C library's and Cephes'):

==============  =====================================  ================================
function        float64: error ≤ (ulp of max(|y|, f))  float32: vs torch's float64 value
==============  =====================================  ================================
lgamma          4 ulp, f = 1 (absolute near the zeros)  ≤ 1 ulp (correctly rounded-ish)
digamma         8 ulp, f = 1                            ≤ 1 ulp
polygamma(1)    4 ulp                                   ≤ 8 ulp of torch's float32 (same
                                                        float32 algorithm, as torch)
polygamma(n≥2)  8 ulp for x > 0, 256 for x < 0          ≤ 1 ulp
                (a sum with cancellation, as torch's)
erfinv, erfc    4 ulp                                   ≤ 1 ulp
ndtri, log_ndtr 8 ulp                                   ≤ 1 ulp
i0, i0e, i1,    16 ulp                                  ≤ 1 ulp
i1e
==============  =====================================  ================================
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Tuple

import numpy as np
import pytest
import torch

import minitorch

INF, NAN = float("inf"), float("nan")
RNG = np.random.default_rng(20240601)


def _grid(lo: float, hi: float, n: int = 4000) -> np.ndarray:
    return np.concatenate([np.linspace(lo, hi, n), RNG.uniform(lo, hi, n)])


def _off_poles(x: np.ndarray) -> np.ndarray:
    """Drop the negative points within 0.01 of an integer (poles of ψ and its derivatives,
    where float32's π·x has no significant digit left)."""
    return x[~((x < 0) & (np.abs(x - np.round(x)) < 1e-2))]


def _geom(lo: float, hi: float, n: int = 1000) -> np.ndarray:
    return np.geomspace(lo, hi, n)


Fn = Callable[[Any, Any], Any]
# name: (fn(lib, tensor), points, floor, float64 bound, float32 bound or None: vs torch32)
GRIDS: Dict[str, Tuple[Fn, np.ndarray, float, float, Any]] = {
    "lgamma": (lambda m, t: m.lgamma(t),
               np.concatenate([_grid(-60, 60), _grid(0, 1e6), _geom(1e-300, 1e300),
                               -_geom(1e-300, 1e300)]), 1.0, 4, 1),
    "digamma": (lambda m, t: m.digamma(t),
                np.concatenate([_grid(-60, 60), _grid(0, 1e6), _grid(1.4, 1.5),
                                _geom(1e-300, 1e300)]), 1.0, 8, 1),
    "trigamma": (lambda m, t: m.polygamma(1, t),
                 np.concatenate([_off_poles(_grid(-60, 60)), _grid(0, 1e6)]), 0.0, 4,
                 ("torch32", 8)),
    "polygamma_pos": (lambda m, t: m.polygamma(3, t), np.concatenate([_grid(0, 60),
                      _grid(0, 1e4)]), 0.0, 8, 1),
    "polygamma_neg": (lambda m, t: m.polygamma(2, t), _off_poles(_grid(-20, 0)), 0.0, 256, 1),
    "erfinv": (lambda m, t: m.erfinv(t), np.concatenate([_grid(-1, 1), 1 - _geom(1e-16, 1),
                                                          _geom(1e-300, 1)]), 0.0, 4, 1),
    "erfc": (lambda m, t: m.erfc(t), _grid(-10, 27), 0.0, 4, 1),
    "ndtri": (lambda m, t: m.special.ndtri(t), np.concatenate([_grid(0, 1),
                                                               _geom(1e-300, 1)]), 0.0, 8, 1),
    "log_ndtr": (lambda m, t: m.special.log_ndtr(t),
                 np.concatenate([_grid(-100, 10), -_geom(1, 1e10)]), 0.0, 8, 1),
    **{op: (lambda m, t, op=op: getattr(m.special, op)(t),
            np.concatenate([_grid(-750, 750), _grid(-40, 40), _geom(1e-300, 1e300)]), 0.0, 16,
            1) for op in ("i0", "i0e", "i1", "i1e")},
}


def _ulps(got: np.ndarray, want: np.ndarray, floor: float, dtype: Any) -> float:
    """The largest |got - want| in ulps of max(|want|, floor) (and of the smallest normal),
    over the points where want is finite."""
    info = np.finfo(dtype)
    ok = np.isfinite(want) & (np.abs(want) <= info.max)
    scale = np.maximum(np.maximum(np.abs(want[ok]), floor), info.tiny)
    return float(np.max(np.abs(got[ok] - want[ok]) / scale, initial=0) / info.eps)


def _same_nonfinite(got: np.ndarray, want: np.ndarray) -> None:
    """Where torch's answer is inf or NaN, minitorch's is the same."""
    bad = ~np.isfinite(want)
    np.testing.assert_array_equal(got[bad], want[bad])


@pytest.mark.parametrize("name", sorted(GRIDS))
def test_float64_accuracy_against_torch(name: str) -> None:
    fn, points, floor, bound, _ = GRIDS[name]
    got = fn(minitorch, minitorch.tensor(points)).numpy()
    want = fn(torch, torch.from_numpy(points)).numpy()
    _same_nonfinite(got, want)
    assert _ulps(got, want, floor, np.float64) <= bound


@pytest.mark.parametrize("name", sorted(GRIDS))
def test_float32_accuracy_against_torch(name: str) -> None:
    """float32 results against torch's float64 value at the same float32 points (the true
    value, to float32's precision): within an ulp, rounded once from float64. trigamma runs
    torch's float32 algorithm, so it is held to torch's float32 answer instead."""
    fn, points, floor, _, bound = GRIDS[name]
    with np.errstate(over="ignore"):  # 1e300 is inf in float32, on purpose
        x = points.astype(np.float32)
    got = fn(minitorch, minitorch.tensor(x)).numpy()
    assert got.dtype == np.float32
    want32 = fn(torch, torch.from_numpy(x)).numpy()
    _same_nonfinite(got, want32)
    if isinstance(bound, tuple):
        assert _ulps(got, want32, floor, np.float32) <= bound[1]
    else:
        want = fn(torch, torch.from_numpy(x.astype(np.float64))).numpy()
        want[~np.isfinite(want32)] = np.nan  # torch's float32 overflows early (e^|x| in i0)
        assert _ulps(got.astype(np.float64), want, floor, np.float32) <= bound


SPECIALS = np.array([0.0, -0.0, 1.0, -1.0, 2.0, -2.0, -2.5, 0.5, -0.5, 1e-300, -1e-300, 1e17,
                     171.7, 1e300, -1e300, INF, -INF, NAN, 0.9999999, -0.9999999])

UNARY: Dict[str, Fn] = {
    "lgamma": lambda m, t: m.lgamma(t),
    "digamma": lambda m, t: t.digamma(),
    "polygamma1": lambda m, t: m.polygamma(1, t),
    "polygamma2": lambda m, t: t.polygamma(2),
    "polygamma4": lambda m, t: m.special.polygamma(4, t),
    "mvlgamma": lambda m, t: m.mvlgamma(t, 2),
    "erfinv": lambda m, t: m.erfinv(t),
    "erfc": lambda m, t: t.erfc(),
    "i0": lambda m, t: m.i0(t),
    "i0e": lambda m, t: m.special.i0e(t),
    "i1": lambda m, t: m.special.i1(t),
    "i1e": lambda m, t: m.special.i1e(t),
    "ndtr": lambda m, t: m.special.ndtr(t),
    "log_ndtr": lambda m, t: m.special.log_ndtr(t),
    "ndtri": lambda m, t: m.special.ndtri(t),
    "entr": lambda m, t: m.special.entr(t),
    "gammaln": lambda m, t: m.special.gammaln(t),
    "psi": lambda m, t: m.special.psi(t),
    "multigammaln": lambda m, t: m.special.multigammaln(t, 3),
}


def _run(lib: Any, fn: Fn, x: np.ndarray, grad: bool) -> Dict[str, Any]:
    t = lib.tensor(x, requires_grad=grad)
    try:
        y = fn(lib, t)
    except (TypeError, RuntimeError) as e:
        return {"error": (type(e).__name__, str(e))}
    out = {"dtype": str(y.dtype).split(".")[-1], "values": y.detach().numpy(),
           "node": None if y.grad_fn is None else y.grad_fn.name()}
    if grad:
        y.backward(lib.ones_like(y))
        out["grad"] = t.grad.numpy()
    return out


def _assert_close(got: np.ndarray, want: np.ndarray, rtol: float, atol: float = 0) -> None:
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)
    zeros = want == 0
    np.testing.assert_array_equal(np.signbit(got[zeros]), np.signbit(want[zeros]))


@pytest.mark.parametrize("op", sorted(UNARY))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_special_values_and_their_gradients_like_torch(op: str, dtype: str) -> None:
    """Poles (+inf for lgamma, ∓inf or NaN for ψ), ±inf at erfinv(±1) and NaN beyond,
    overflow, ±0, ±inf and NaN: the same values and the same gradients as torch."""
    with np.errstate(over="ignore"):
        x = SPECIALS.astype(dtype)
    want, got = _run(torch, UNARY[op], x, True), _run(minitorch, UNARY[op], x, True)
    assert (got["dtype"], got["node"]) == (want["dtype"], want["node"])
    rtol = 1e-12 if dtype == "float64" else 2e-6
    _assert_close(got["values"], want["values"], rtol)
    # atol: i0e'(1e17) is the difference of two nearly equal terms, ~1e-16 or 0 in float32
    _assert_close(got["grad"], want["grad"], rtol * 100, atol=1e-12)


@pytest.mark.parametrize("op", sorted(UNARY))
@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_integer_inputs_become_the_default_float_like_torch(op: str, dtype: str) -> None:
    x = np.array([0, 1, 2, 3, 5, 1, 0]).astype(dtype)
    want, got = _run(torch, UNARY[op], x, False), _run(minitorch, UNARY[op], x, False)
    assert got.keys() == want.keys()
    if "error" in want:
        assert got["error"] == want["error"]
        return
    assert got["dtype"] == want["dtype"]
    _assert_close(got["values"], want["values"], 2e-6)


@pytest.mark.parametrize("name", ["lgamma_", "digamma_", "erfinv_", "erfc_", "i0_"])
def test_in_place_forms_like_torch(name: str) -> None:
    x = np.array([0.1, 0.5, -0.3, 0.9])
    want = getattr(torch.tensor(x), name)().numpy()
    got = getattr(minitorch.tensor(x), name)().numpy()
    np.testing.assert_allclose(got, want, rtol=1e-13)
    np.testing.assert_allclose(minitorch.tensor(x + 2).polygamma_(2).numpy(),
                               torch.tensor(x + 2).polygamma_(2).numpy(), rtol=1e-13)
    np.testing.assert_allclose(minitorch.tensor(x + 2).mvlgamma_(3).numpy(),
                               torch.tensor(x + 2).mvlgamma_(3).numpy(), rtol=1e-13)


ERRORS = [
    lambda m: m.polygamma(-1, m.tensor([1.0])),
    lambda m: m.tensor([1.0]).polygamma(-2),
    lambda m: m.polygamma(1.5, m.tensor([1.0])),
    lambda m: m.mvlgamma(m.tensor([3.0]), 0),
    lambda m: m.special.multigammaln(m.tensor([3.0]), -1),
    lambda m: m.hann_window(-1),
    lambda m: m.kaiser_window(-3),
    lambda m: m.hamming_window(2.5),
]


@pytest.mark.parametrize("call", range(len(ERRORS)))
def test_errors_like_torch(call: int) -> None:
    def outcome(lib: Any) -> Tuple[str, str]:
        with pytest.raises((TypeError, RuntimeError)) as info:
            ERRORS[call](lib)
        return type(info.value).__name__, str(info.value)

    assert outcome(minitorch) == outcome(torch)


def test_window_with_an_integer_dtype_is_refused_like_torch() -> None:
    """torch's message goes on with its TensorOptions; the start is what matters."""
    with pytest.raises(RuntimeError) as want:
        torch.hann_window(4, dtype=torch.int64)
    with pytest.raises(RuntimeError) as got:
        minitorch.hann_window(4, dtype=minitorch.int64)
    prefix = "hann_window expects floating point dtypes, got: "
    assert str(want.value).startswith(prefix) and str(got.value).startswith(prefix)


WINDOWS = {
    "hann": lambda m, n, p, **kw: m.hann_window(n, p, **kw),
    "hamming": lambda m, n, p, **kw: m.hamming_window(n, p, **kw),
    "hamming_ab": lambda m, n, p, **kw: m.hamming_window(n, p, 0.6, 0.4, **kw),
    "blackman": lambda m, n, p, **kw: m.blackman_window(n, p, **kw),
    "bartlett": lambda m, n, p, **kw: m.bartlett_window(n, p, **kw),
    "kaiser": lambda m, n, p, **kw: m.kaiser_window(n, p, **kw),
    "kaiser_beta5": lambda m, n, p, **kw: m.kaiser_window(n, p, 5.0, **kw),
}


@pytest.mark.parametrize("name", sorted(WINDOWS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("periodic", [True, False])
def test_windows_like_torch(name: str, dtype: str, periodic: bool) -> None:
    """Every length from 0 to 20 and the usual STFT sizes: torch's values (within 16 ulp:
    the cosines' last bit, kaiser's I₀), dtype and shape."""
    for n in [*range(21), 255, 256, 400, 512, 1024, 2048]:
        want = WINDOWS[name](torch, n, periodic, dtype=getattr(torch, dtype)).numpy()
        got = WINDOWS[name](minitorch, n, periodic, dtype=getattr(minitorch, dtype)).numpy()
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=0, atol=16 * np.finfo(dtype).eps)


def test_window_defaults_and_requires_grad_like_torch() -> None:
    want = torch.hann_window(8, requires_grad=True)
    got = minitorch.hann_window(8, requires_grad=True)
    assert got.requires_grad and got.dtype == minitorch.float32 and got.is_leaf
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), atol=1e-7)
    minitorch.set_default_dtype(minitorch.float64)
    try:
        assert minitorch.kaiser_window(5).dtype == minitorch.float64
    finally:
        minitorch.set_default_dtype(minitorch.float32)
