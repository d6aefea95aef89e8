"""The pointwise math surface (asin … logit, atan2 … heaviside) where the catalogue does not
reach: errors with torch's class and text, dtype promotion of integer and bool inputs, Python
numbers as operands, and the special values (NaN, ±inf, ±0, the ends of logit's domain) in
values and gradients. Every expectation is torch's own answer, computed here."""

from __future__ import annotations

from typing import Any, Callable, Dict, Tuple

import numpy as np
import pytest
import torch

import minitorch

INF, NAN = float("inf"), float("nan")


def _run(lib: Any, fn: Callable[..., Any], arrays: Tuple[Any, ...], grad: bool) -> Dict:
    """``fn(lib, *tensors)``: its values, dtype and node name, the leaves' gradients (for
    a cotangent of ones), or the exception it raised."""
    ts = [lib.tensor(a, requires_grad=grad) if isinstance(a, np.ndarray) else a
          for a in arrays]
    try:
        y = fn(lib, *ts)
        out: Dict[str, Any] = {"dtype": str(y.dtype).split(".")[-1],
                               "values": y.detach().numpy()}
        node = y.grad_fn
        out["node"] = None if node is None else node.name()
        if grad and y.requires_grad:
            y.backward(lib.ones_like(y))
            out["grads"] = [t.grad.numpy(**({"force": True} if lib is torch else {}))
                            for t in ts if isinstance(t, lib.Tensor)]
        return out
    except (TypeError, RuntimeError, NotImplementedError) as e:
        return {"error": (type(e).__name__, str(e))}


def assert_like_torch(fn: Callable[..., Any], *arrays: Any, grad: bool = True) -> None:
    want = _run(torch, fn, arrays, grad)
    got = _run(minitorch, fn, arrays, grad)
    assert got.keys() == want.keys(), (got, want)
    if "error" in want:
        assert got["error"] == want["error"]
        return
    assert (got["dtype"], got["node"]) == (want["dtype"], want["node"])
    np.testing.assert_allclose(got["values"], want["values"], rtol=1e-6, atol=1e-12)
    zeros = want["values"] == 0  # -0.0 is not 0.0 (the sign of a NaN means nothing)
    np.testing.assert_array_equal(np.signbit(got["values"][zeros]),
                                  np.signbit(want["values"][zeros]))
    for g, w in zip(got.get("grads", ()), want.get("grads", ())):
        np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-12)


SPECIALS = np.array([0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -3.0, INF, -INF, NAN])
UNIT = np.array([0.0, 1.0, -0.1, 1.1, 0.25, 0.5, 0.75, 1e-9, NAN])

UNARY = ["asin", "acos", "atan", "asinh", "acosh", "atanh", "arcsin", "arccos", "arctan",
         "arcsinh", "arccosh", "arctanh", "sinc", "deg2rad", "rad2deg", "logit", "sgn",
         "frac", "signbit"]


@pytest.mark.parametrize("op", UNARY)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_unary_dtypes_and_integer_inputs_like_torch(op: str, dtype: str) -> None:
    """Integers and bools become the default float (or keep their dtype: sgn, signbit), or
    are refused in torch's words (frac)."""
    x = np.array([-2, -1, 0, 1, 2, 3]).astype(dtype)
    assert_like_torch(lambda m, t: getattr(m, op)(t), x, grad=False)
    assert_like_torch(lambda m, t: getattr(t, op)(), x, grad=False)


@pytest.mark.parametrize("op", UNARY)
def test_unary_special_values_and_their_gradients_like_torch(op: str) -> None:
    """NaN, ±inf, ±0 and the ends of each domain, in values and gradients (sinc's gradient at
    0 is 0; sgn's and signbit's are torch's zeros and none)."""
    assert_like_torch(lambda m, t: getattr(m, op)(t), SPECIALS.copy(),
                      grad=op != "signbit")


@pytest.mark.parametrize("eps", [None, 0.25, 1e-6, -0.5, 0.0])
def test_logit_eps_clamps_and_zeroes_the_gradient_outside_like_torch(eps: Any) -> None:
    """With eps the input is clamped to [eps, 1 - eps] and the gradient is 0 outside; without
    it (or with a negative eps) NaN outside [0, 1], ±inf at the ends."""
    assert_like_torch(lambda m, t: m.logit(t, eps), UNIT.copy())
    assert_like_torch(lambda m, t: t.logit(eps=eps), UNIT.astype(np.float32))


@pytest.mark.parametrize("op", ["atan2", "arctan2", "hypot", "logaddexp", "logaddexp2",
                                "xlogy", "fmax", "fmin", "copysign", "float_power",
                                "heaviside"])
@pytest.mark.parametrize("dtypes", [("int64", "int64"), ("int64", "float32"),
                                    ("float32", "float64"), ("bool", "bool")], ids=str)
def test_binary_dtype_promotion_like_torch(op: str, dtypes: Tuple[str, str]) -> None:
    """Integers become the default float (atan2, xlogy, copysign), stay integers (fmax, fmin,
    heaviside), become float64 (float_power) or are refused (hypot, logaddexp); heaviside
    wants one dtype."""
    a = np.array([-2, 0, 1, 3]).astype(dtypes[0])
    b = np.array([1, -1, 0, 2]).astype(dtypes[1])
    assert_like_torch(lambda m, x, y: getattr(m, op)(x, y), a, b, grad=False)


@pytest.mark.parametrize("op", ["atan2", "hypot", "logaddexp", "logaddexp2", "xlogy", "fmax",
                                "fmin", "copysign", "float_power"])
def test_binary_special_values_and_gradients_like_torch(op: str) -> None:
    """Every special value against every other: NaN-ignoring fmax/fmin, xlogy's 0 at x = 0,
    copysign of ±0, and torch's gradient rules there."""
    a = np.repeat(SPECIALS, len(SPECIALS))
    b = np.tile(SPECIALS, len(SPECIALS))
    assert_like_torch(lambda m, x, y: getattr(m, op)(x, y), a, b)


@pytest.mark.parametrize("number", [2.5, -3, 0.0, -0.0, True])
@pytest.mark.parametrize("call", ["xlogy", "rxlogy", "copysign", "float_power",
                                  "rfloat_power", "atan2", "arctan2", "hypot", "fmax",
                                  "heaviside", "rcopysign", "rhypot"])
def test_python_numbers_as_operands_like_torch(call: str, number: Any) -> None:
    """Where torch takes a number (xlogy and float_power either side, copysign's sign) the
    node is torch's overload (XlogyBackward1/2, CopysignBackward1, PowBackward0/2); where it
    does not, the same TypeError."""
    x = np.array([0.0, 0.5, -1.5, 2.0, NAN])
    op = call[1:] if call.startswith("r") else call
    if call.startswith("r"):
        assert_like_torch(lambda m, t: getattr(m, op)(number, t), x)
    else:
        assert_like_torch(lambda m, t: getattr(m, op)(t, number), x)
        assert_like_torch(lambda m, t: getattr(t, op)(number), x)


def test_heaviside_has_no_derivative_like_torch() -> None:
    """torch names the node ``NotImplemented`` and its backward raises."""
    assert_like_torch(lambda m, a, b: m.heaviside(a, b), np.array([-1.0, 0.0, 2.0]),
                      np.array([0.5, 0.5, 0.5]))


def test_float_power_of_float32_converts_on_the_graph_like_torch() -> None:
    """float_power converts a float32 input to float64 first (ToCopyBackward0 below the
    PowBackward node), so the gradient comes back as float32."""
    names = []
    for lib in (torch, minitorch):
        x = lib.tensor(np.array([0.5, 2.0], dtype=np.float32), requires_grad=True)
        y = lib.float_power(x, 3)
        y.sum().backward()
        names.append((y.grad_fn.name(), y.grad_fn.next_functions[0][0].name(),
                      str(x.grad.dtype)))
    assert names[1][:2] == names[0][:2] == ("PowBackward0", "ToCopyBackward0")
    assert names[1][2].split(".")[-1] == names[0][2].split(".")[-1] == "float32"
