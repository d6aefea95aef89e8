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


# Signed zeros and NaN through the ops that select or clamp: torch keeps -0.0 where the op
# returns its input (relu(-0.0) is -0.0, maximum(a, b) is a on ties), and sign(NaN) is 0.
SIGNED = np.array([-0.0, 0.0, np.nan, -np.inf, 1.5, -2.0, -0.0, np.inf], dtype=np.float32)
SELECTING = {
    "relu": lambda L, F, x: F.relu(x),
    "relu_inplace": lambda L, F, x: F.relu(x * 1.0, inplace=True),
    "clamp_min0": lambda L, F, x: x.clamp(min=0.0),
    "clamp_max0": lambda L, F, x: x.clamp(max=0.0),
    "sign": lambda L, F, x: x.sign(),
    "maximum_zeros": lambda L, F, x: L.maximum(x, L.zeros_like(x)),
    "minimum_zeros": lambda L, F, x: L.minimum(x, L.zeros_like(x)),
    "zeros_maximum": lambda L, F, x: L.maximum(L.zeros_like(x), x),
    "zeros_minimum": lambda L, F, x: L.minimum(L.zeros_like(x), x),
    "max_pool2d_k1": lambda L, F, x: F.max_pool2d(x.reshape(1, 2, 2, 2), 1),
}


@pytest.mark.parametrize("backend", SMALL_INPUT_BACKENDS)
@pytest.mark.parametrize("op", list(SELECTING))
def test_signed_zeros_and_nan_like_torch(op: str, backend: str) -> None:
    _both(SELECTING[op], SIGNED, backend)
    outs = []
    for lib in (torch, minitorch):
        with minitorch.backends.use_backend(backend) if lib is minitorch else _null():
            outs.append(SELECTING[op](lib, lib.nn.functional, lib.tensor(SIGNED.copy()))
                        .detach().numpy().reshape(-1))
    assert np.array_equal(np.signbit(outs[1]), np.signbit(outs[0])), \
        f"[{backend}] sign bits: torch {outs[0]}, minitorch {outs[1]}"


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


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("fn", ["log_softmax", "softmax"])
def test_float32_softmax_over_a_million_logits(fn: str, backend: str) -> None:
    """One row of 10^6 float32 logits: the row's Σ exp (and Σ gy in the backward) must not be
    a serial float32 sum (the CUDA kernels sum a row in one thread: compensated there)."""
    rng = np.random.default_rng(2)
    x = (rng.standard_normal(10**6) * 3).astype(np.float32)
    gy = rng.standard_normal(10**6).astype(np.float32)
    x64, g64 = x.astype(np.float64), gy.astype(np.float64)
    logp = x64 - x64.max() - np.log(np.exp(x64 - x64.max()).sum())
    p = np.exp(logp)
    exact = logp if fn == "log_softmax" else p
    exact_grad = g64 - p * g64.sum() if fn == "log_softmax" else p * (g64 - (g64 * p).sum())
    tx = torch.tensor(x, requires_grad=True)
    ty = getattr(torch, fn)(tx, 0)
    ty.backward(torch.tensor(gy))
    with minitorch.backends.use_backend(backend):
        mx = minitorch.tensor(x, requires_grad=True)
        my = getattr(minitorch.nn.functional, fn)(mx, 0)
        my.backward(minitorch.tensor(gy))
    for ours, theirs, ref in ((my.detach().numpy(), ty.detach().numpy(), exact),
                              (mx.grad.numpy(), tx.grad.numpy(), exact_grad)):
        err = np.abs(ours.astype(np.float64) - ref).max()
        assert err <= max(np.abs(theirs.astype(np.float64) - ref).max(), 1e-6), err


@pytest.mark.parametrize("backend", BACKENDS)
def test_float32_global_average_pool_of_a_million(million: np.ndarray, backend: str) -> None:
    """avg_pool2d with a 1000x1000 window: one output sums 10^6 float32 values."""
    x = million.reshape(1, 1, 1000, 1000)
    exact = x.astype(np.float64).mean()
    theirs = torch.nn.functional.avg_pool2d(torch.tensor(x), 1000).item()
    with minitorch.backends.use_backend(backend):
        ours = minitorch.nn.functional.avg_pool2d(minitorch.tensor(x), 1000).item()
    assert _rel(ours, exact) <= max(_rel(theirs, exact), 1e-6)


# ----------------------------------------- one ±inf/NaN rule: masked classes and padding
NEG = -np.inf
MASKED = np.array([[0.5, NEG, 1.0, -0.3], [NEG, 2.0, NEG, 0.1], [1.0, 2.0, 3.0, 4.0]],
                  dtype=np.float32)


@pytest.mark.parametrize("backend", SMALL_INPUT_BACKENDS)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("target", [[0, 1, 3], [-100, 3, 2], [1, -100, -100], [2, 3, 0]])
def test_cross_entropy_with_masked_classes(target: list, weighted: bool, reduction: str,
                                           backend: str) -> None:
    """A -inf logit is a masked class: as long as no kept sample targets it, the loss and the
    gradient are finite (a fused kernel's 0·inf in its label-smoothing sum gave NaN), and an
    ignored row may hold -inf at the column ``ignore_index`` clips to."""
    w = np.array([1.0, 0.5, 2.0, 1.5], dtype=np.float32) if weighted else None

    def fn(L: Any, F: Any, x: Any) -> Any:
        weight = None if w is None else L.tensor(w)
        return F.cross_entropy(x, L.tensor(target), weight=weight, reduction=reduction)

    _both(fn, MASKED, backend)


@pytest.mark.parametrize("backend", SMALL_INPUT_BACKENDS)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_ignored_rows_holding_inf(reduction: str, backend: str) -> None:
    """The ignored rows are selected away, not multiplied by 0 (0·-inf = NaN)."""
    logp = np.array([[NEG, 0.0, -1.0], [-1.0, -2.0, NEG], [-0.5, NEG, -3.0]], dtype=np.float32)
    _both(lambda L, F, x: F.nll_loss(x, L.tensor([-100, 1, 2]), reduction=reduction), logp,
          backend)
    _both(lambda L, F, x: F.nll_loss(x, L.tensor([1, -100, 0]), ignore_index=-100,
                                     weight=L.tensor([1.0, 2.0, 0.5]), reduction=reduction),
          logp, backend)


@pytest.mark.parametrize("backend", SMALL_INPUT_BACKENDS)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
def test_losses_with_zero_classes_and_every_target_ignored(loss: str, reduction: str,
                                                           backend: str) -> None:
    """(N, 0) input, all targets ignored: mean is 0/0 = NaN, sum 0, none zeros — never
    uninitialised memory (CUDA) or a NumPy reduction error."""
    data = np.zeros((3, 0), dtype=np.float32)
    _both(lambda L, F, x: getattr(F, loss)(x, L.tensor([-100, -100, -100]),
                                          reduction=reduction), data, backend,
          grad=reduction != "none")


@pytest.mark.parametrize("backend", SMALL_INPUT_BACKENDS)
@pytest.mark.parametrize("shape,dim", [((2, 0), 1), ((0, 3), 1), ((2, 0, 3), 1), ((0,), 0)])
@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
def test_softmax_over_zero_size_dims(fn: str, shape: tuple, dim: int, backend: str) -> None:
    _both(lambda L, F, x: getattr(F, fn)(x, dim), np.zeros(shape, dtype=np.float32), backend)


@pytest.mark.parametrize("backend", SMALL_INPUT_BACKENDS)
@pytest.mark.parametrize("divisor", [-2, -3, 5])
@pytest.mark.parametrize("ceil_mode", [False, True])
def test_avg_pool2d_divisor_override_of_any_sign(divisor: int, ceil_mode: bool,
                                                 backend: str) -> None:
    data = np.arange(50, dtype=np.float32).reshape(1, 2, 5, 5) / 7
    _both(lambda L, F, x: F.avg_pool2d(x, 2, 2, 1, ceil_mode, divisor_override=divisor),
          data, backend)


def _max_pool_reference(x: np.ndarray, k: int, s: int, p: int, d: int, out: int) -> tuple:
    """Loops, float64: max over the in-bounds taps; -inf and no gradient target (-1) for a
    window with none."""
    n, c, h, w = x.shape
    y = np.full((n, c, out, out), -np.inf)
    at = np.full((n, c, out, out), -1)
    for i in range(out):
        for j in range(out):
            for a in range(k):
                for b in range(k):
                    r, q = i * s - p + a * d, j * s - p + b * d
                    if 0 <= r < h and 0 <= q < w:
                        better = x[:, :, r, q] > y[:, :, i, j]
                        first = at[:, :, i, j] < 0
                        take = better | first
                        y[:, :, i, j] = np.where(take, x[:, :, r, q], y[:, :, i, j])
                        at[:, :, i, j] = np.where(take, r * w + q, at[:, :, i, j])
    return y, at


@pytest.mark.parametrize("backend", SMALL_INPUT_BACKENDS)
@pytest.mark.parametrize("size,k,s,p,d,ceil_mode", [(2, 2, 1, 1, 3, False),
                                                    (2, 2, 2, 1, 4, True),
                                                    (1, 3, 3, 1, 2, True),
                                                    (3, 2, 1, 1, 4, False),
                                                    (1, 2, 1, 1, 2, False)])
def test_max_pool_window_wholly_in_padding(size: int, k: int, s: int, p: int, d: int,
                                           ceil_mode: bool, backend: str) -> None:
    """Dilation can make a window skip over the whole image: its maximum is -inf (as torch's
    forward), its index -1, and its gradient reaches no pixel (numba sent it to pixel 0,
    numpy failed in bincount, the CUDA kernel wrote before its buffer). torch's backward
    scatters such a window to an out-of-range index, so the gradient reference is a loop."""
    x = np.random.default_rng(3).standard_normal((1, 2, size, size))
    ty = torch.nn.functional.max_pool2d(torch.tensor(x), k, s, p, d, ceil_mode)
    out = ty.shape[-1]
    ref_y, ref_at = _max_pool_reference(x, k, s, p, d, out)
    assert np.isneginf(ref_y).any(), "the premise: some window lies wholly in the padding"
    np.testing.assert_array_equal(ty.numpy(), ref_y)
    gy = np.random.default_rng(4).standard_normal(ref_y.shape)
    ref_gx = np.zeros(x.shape)
    for idx in np.ndindex(*ref_y.shape):
        if ref_at[idx] >= 0:
            ref_gx[idx[0], idx[1]].flat[ref_at[idx]] += gy[idx]
    with minitorch.backends.use_backend(backend):
        mx = minitorch.tensor(x, requires_grad=True)
        my, mi = minitorch.nn.functional.max_pool2d(mx, k, s, p, d, ceil_mode,
                                                    return_indices=True)
        my.backward(minitorch.tensor(gy))
    np.testing.assert_array_equal(my.detach().numpy(), ref_y)
    np.testing.assert_array_equal(mi.numpy(), ref_at)
    np.testing.assert_allclose(mx.grad.numpy(), ref_gx, rtol=1e-12, atol=0)


# --------------------------------------------------------------------- optimizers at ±inf
@pytest.mark.parametrize("backend", SMALL_INPUT_BACKENDS)
@pytest.mark.parametrize("opt,kwargs", [("Adam", {}), ("Adam", {"amsgrad": True}),
                                        ("SGD", {"lr": 0.1, "momentum": 0.9}),
                                        ("Adagrad", {}), ("Adadelta", {}), ("RMSprop", {}),
                                        ("RMSprop", {"momentum": 0.9, "centered": True}),
                                        ("Adamax", {}), ("NAdam", {}), ("RAdam", {})])
def test_optimizer_keeps_inf_parameters_with_zero_gradient(opt: str, kwargs: dict,
                                                           backend: str) -> None:
    """A ±inf parameter whose gradient is 0 stays ±inf (Adam's, and Adagrad's, Adadelta's and
    RMSprop's, zero state was built as ``p * 0`` = NaN); NaN stays NaN; finite entries move
    as in torch."""
    data = np.array([np.inf, -np.inf, np.nan, 1.0, -2.0], dtype=np.float32)
    grads = [np.array([0.0, 0.0, 0.0, 0.5, -1.0], dtype=np.float32),
             np.array([0.0, 0.0, 1.0, 0.25, 2.0], dtype=np.float32)]
    results = []
    for lib in (torch, minitorch):
        ctx = minitorch.backends.use_backend(backend) if lib is minitorch else _null()
        with ctx:
            p = lib.nn.Parameter(lib.tensor(data.copy()))
            o = getattr(lib.optim, opt)([p], **kwargs)
            for g in grads:
                p.grad = lib.tensor(g)
                o.step()
            results.append(p.detach().numpy().copy())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-6, equal_nan=True)
    assert np.isposinf(results[1][0]) and np.isneginf(results[1][1])
