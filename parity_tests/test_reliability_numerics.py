"""Numerics as torch: NaN and ±inf propagate the same way through every op and its gradient;
sigmoid/tanh/softmax/log_softmax/cross_entropy stay finite at ±1e4 where torch's do; float32
accumulation over 10^6 elements (sums, means, a conv whose one output sums 10^6 products)
stays within torch's own error against a float64 reference.

    PYTHONPATH=. python -m pytest parity_tests/test_reliability_numerics.py -q
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minitorch  # noqa: E402

BACKENDS = ["numpy", "numba", "cuda-emulated"]
SMALL_INPUT_BACKENDS = BACKENDS + ["loops"]  # the nested-loop kernels: not for 10^6 elements
SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, 1.5, -2.0, 1e30, -1e-30], dtype=np.float32)


def _both(fn: Callable[[Any, Any, np.ndarray], Any], data: np.ndarray, backend: str,
          grad: bool = True) -> None:
    """fn(lib, F, x) on torch and minitorch; same values (NaN == NaN, inf == inf) and
    the same gradient for an all-ones upstream gradient."""
    results = []
    for lib in (torch, minitorch):
        x = lib.tensor(data.copy(), requires_grad=grad)
        ctx = minitorch.backends.use_backend(backend) if lib is minitorch else _null()
        with ctx:
            y = fn(lib, lib.nn.functional, x)
            if grad:
                y.backward(lib.ones_like(y))
        results.append((y.detach().numpy(), x.grad.numpy() if grad else None))
    (ty, tg), (my, mg) = results
    assert my.shape == ty.shape and my.dtype == ty.dtype
    np.testing.assert_allclose(my, ty, rtol=1e-5, atol=1e-6, equal_nan=True,
                               err_msg=f"forward [{backend}]")
    if grad:
        np.testing.assert_allclose(mg, tg, rtol=1e-5, atol=1e-6, equal_nan=True,
                                   err_msg=f"gradient [{backend}]")


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *a: object) -> None:
        return None


UNARY = {
    "relu": lambda L, F, x: F.relu(x),
    "sigmoid": lambda L, F, x: F.sigmoid(x),
    "tanh": lambda L, F, x: F.tanh(x),
    "exp": lambda L, F, x: x.exp(),
    "abs": lambda L, F, x: x.abs(),
    "neg_mul": lambda L, F, x: -x * 3.0,
    "add_scalar": lambda L, F, x: x + 1.0,
    "div_scalar": lambda L, F, x: x / 4.0,
    "square": lambda L, F, x: x * x,
    "clamp": lambda L, F, x: x.clamp(-1.0, 1.0),
    "softmax": lambda L, F, x: F.softmax(x.reshape(2, 4), 1),
    "log_softmax": lambda L, F, x: F.log_softmax(x.reshape(2, 4), 1),
    "sum": lambda L, F, x: x.sum(),
    "mean": lambda L, F, x: x.reshape(2, 4).mean(1),
    "max_dim": lambda L, F, x: x.reshape(2, 4).max(1).values,
    "max_all": lambda L, F, x: x.max(),
    "max_pool2d": lambda L, F, x: F.max_pool2d(x.reshape(1, 2, 2, 2), 2),
    "avg_pool2d": lambda L, F, x: F.avg_pool2d(x.reshape(1, 2, 2, 2), 2),
    "conv2d": lambda L, F, x: F.conv2d(x.reshape(1, 2, 2, 2),
                                       L.ones(1, 2, 1, 1) * 0.5),
    "linear": lambda L, F, x: F.linear(x.reshape(2, 4), L.ones(3, 4) * 0.25),
    "matmul": lambda L, F, x: x.reshape(2, 4) @ (L.ones(4, 2) * 0.5),
    "cross_entropy_none": lambda L, F, x: F.cross_entropy(
        x.reshape(2, 4), L.tensor([1, 3]), reduction="none"),
}
# Positions where NumPy's and torch's grads legitimately differ in sign convention only at
# special points are none here: every op above is compared element by element.


@pytest.mark.parametrize("backend", SMALL_INPUT_BACKENDS)
@pytest.mark.parametrize("op", list(UNARY))
def test_nan_and_inf_propagate_like_torch(op: str, backend: str) -> None:
    _both(UNARY[op], SPECIAL, backend)


@pytest.mark.parametrize("backend", SMALL_INPUT_BACKENDS)
@pytest.mark.parametrize("op", ["log", "sqrt"])
def test_nan_from_domain_errors_like_torch(op: str, backend: str) -> None:
    data = np.array([-1.0, 0.0, np.inf, np.nan, 4.0], dtype=np.float32)
    _both(lambda L, F, x: getattr(x, op)(), data, backend)


BIG = np.array([-1e4, -1e3, -20.0, 0.0, 20.0, 1e3, 1e4, 5.0], dtype=np.float32)
STABLE = {
    "sigmoid": lambda L, F, x: F.sigmoid(x),
    "tanh": lambda L, F, x: F.tanh(x),
    "softmax": lambda L, F, x: F.softmax(x.reshape(2, 4), 1),
    "log_softmax": lambda L, F, x: F.log_softmax(x.reshape(2, 4), 1),
    "cross_entropy": lambda L, F, x: F.cross_entropy(x.reshape(2, 4), L.tensor([0, 3])),
    "cross_entropy_smoothed": lambda L, F, x: F.cross_entropy(
        x.reshape(2, 4), L.tensor([0, 3]), label_smoothing=0.1),
}


@pytest.mark.parametrize("backend", SMALL_INPUT_BACKENDS)
@pytest.mark.parametrize("scale", [1.0, -1.0])
@pytest.mark.parametrize("op", list(STABLE))
def test_finite_at_large_inputs_where_torch_is(op: str, scale: float, backend: str) -> None:
    data = BIG * np.float32(scale)
    t = STABLE[op](torch, torch.nn.functional, torch.tensor(data, requires_grad=True))
    assert torch.isfinite(t).all(), "the premise: torch's result is finite"
    _both(STABLE[op], data, backend)


# ------------------------------------------------------------------- float32 accumulation
def _rel(value: float, exact: float) -> float:
    return abs(value - exact) / abs(exact)


@pytest.fixture(scope="module")
def million() -> np.ndarray:
    return np.random.default_rng(0).random(10**6, dtype=np.float32) + np.float32(0.5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_float32_sum_and_mean_of_a_million(million: np.ndarray, backend: str) -> None:
    exact = million.astype(np.float64).sum()
    theirs = torch.tensor(million).sum().item()
    with minitorch.backends.use_backend(backend):
        x = minitorch.tensor(million)
        ours, our_mean = x.sum().item(), x.mean().item()
        rows = x.reshape(1000, 1000).sum(1).numpy()
    bound = max(2 * _rel(theirs, exact), 1e-6)
    assert _rel(ours, exact) <= bound
    assert _rel(our_mean, exact / million.size) <= bound
    np.testing.assert_allclose(rows, million.reshape(1000, 1000).astype(np.float64).sum(1),
                               rtol=1e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_float32_conv_accumulating_a_million_products(backend: str) -> None:
    """One output pixel = Σ of 10^6 products (kernel as large as the input); and the weight
    gradient of a 1x1 conv sums 10^6 products too."""
    rng = np.random.default_rng(1)
    x = rng.random((1, 1, 1000, 1000), dtype=np.float32)
    w = rng.random((1, 1, 1000, 1000), dtype=np.float32)
    exact = (x.astype(np.float64) * w).sum()
    theirs = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w)).item()
    with minitorch.backends.use_backend(backend):
        ours = minitorch.nn.functional.conv2d(minitorch.tensor(x), minitorch.tensor(w)).item()
        w1 = minitorch.ones(1, 1, 1, 1, requires_grad=True)
        minitorch.nn.functional.conv2d(minitorch.tensor(x), w1).sum().backward()
        gw = w1.grad.item()
    assert _rel(ours, exact) <= max(2 * _rel(theirs, exact), 1e-6)
    assert _rel(gw, x.astype(np.float64).sum()) <= 1e-5
