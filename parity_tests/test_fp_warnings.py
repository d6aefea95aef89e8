"""Silence as torch: 0/0, log 0, exp 1000, inf - inf are nan and ±inf, without a word.

PyTorch prints no "RuntimeWarning: invalid value encountered in ..." for any of them; NumPy
does, unless told otherwise. Every case of the parity catalogue runs forward and backward on
inputs made of inf, -inf, nan, 0, -0.0, the dtype's largest and smallest values, with
RuntimeWarning an error, in torch (the premise: silent) and in minitorch (must be too: numpy
in float32 and float64; numba, cuda-emulated and, for the small cases, loops in float32); then
the paths that compute outside an op: in-place updates, comparisons, printing, creation,
``nn.init``, the optimizers on inf/nan gradients, a training loop with an inf in its data.
And the user's own NumPy keeps warning: minitorch never changes NumPy's error state for good.

    PYTHONPATH=. python -m pytest parity_tests/test_fp_warnings.py -q
"""

from __future__ import annotations

import io
import warnings
from typing import Any, Callable, Dict, List

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minitorch  # noqa: E402
from minitorch.parity import (  # noqa: E402
    CATALOGUE,
    Case,
    backend_unavailable,
    make_arrays,
    runs_on,
)
from minitorch.parity.run import run_minitorch, run_torch  # noqa: E402


def _specials(dtype: str) -> np.ndarray:
    info = np.finfo(dtype)
    big, tiny = info.max / 2, info.tiny  # big · 4 overflows, tiny · tiny underflows
    return np.array([np.inf, -np.inf, np.nan, 0.0, -0.0, big, -big, tiny, 1.5, -2.0], dtype)


# torch refuses some of the above (binary_cross_entropy: "input should be between 0 and 1",
# and nan is not)
PROBABILITIES = np.array([0.0, 1.0, -0.0, 1e-30, 0.5, 1 - 1e-7])


def _special_arrays(case: Case, dtype: str, values: np.ndarray) -> List[np.ndarray]:
    """The case's float inputs filled with ``values``, cycled; each input starts at another
    value, so two inputs meet as inf - inf, 0 · inf, 0 / 0 somewhere. Integer inputs (class
    targets, indices) stay the case's own."""
    out = []
    for i, (arg, arr) in enumerate(zip(case.args, make_arrays(case, dtype))):
        if not arg.is_int:
            arr = np.resize(np.roll(values.astype(dtype), 3 * i), arr.size).reshape(arr.shape)
        out.append(arr)
    return out


def _strict(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` with every RuntimeWarning an error (other warnings are not this test's)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", RuntimeWarning)
        return fn(*args)


BACKENDS = {"numpy": ("float32", "float64"), "numba": ("float32",),
            "cuda-emulated": ("float32",), "loops": ("float32",)}
# torch's grid sampler reads out of bounds (a segmentation fault) for a NaN grid coordinate
# with border padding: those cases are run on minitorch alone, in test_sampling_surface.py
NOT_WITH_TORCH = {"grid_sample"}
CASES = [(backend, case) for backend in BACKENDS for case in CATALOGUE
         if runs_on(case, backend) and case.op not in NOT_WITH_TORCH]


@pytest.mark.parametrize("backend, case", CASES, ids=[f"{b}-{c.name}" for b, c in CASES])
def test_catalogue_is_silent_on_inf_nan_zero_huge(backend: str, case: Case) -> None:
    """Forward and backward (the catalogue's cotangents) of every case, torch then minitorch,
    on the same special inputs: neither warns."""
    if backend_unavailable(backend):
        pytest.skip(backend_unavailable(backend))
    for dtype in BACKENDS[backend]:
        arrays = _special_arrays(case, dtype, _specials(dtype))
        try:
            _strict(run_torch, case, dtype, arrays)  # the premise: torch is silent
        except (RuntimeError, ValueError):  # torch refuses them (a negative variance); a
            # RuntimeWarning would not land here: it is not a subclass of either
            arrays = _special_arrays(case, dtype, PROBABILITIES)
            _strict(run_torch, case, dtype, arrays)
        _strict(run_minitorch, case, dtype, backend, arrays)


# ------------------------------------------------------- outside an op: the tensor surface
def _data(lib: Any, dtype: str = "float32", shift: int = 0) -> Any:
    return lib.tensor(np.roll(_specials(dtype), shift))


def _printing(L: Any) -> None:
    for dtype in ("float32", "float64"):
        x = _data(L, dtype)
        for t in (x, x.reshape(2, 5), x[0], x[3], x[5:8], L.tensor([np.inf, np.nan]),
                  L.tensor([1e30, 1e-30]), L.tensor([[np.inf], [1e-30]])):
            str(t), repr(t)
        print(x, file=io.StringIO())
        x.tolist(), x[0].item(), float(x[2]), x.numpy()


def _inplace(L: Any) -> None:
    for op in ("add_", "sub_", "mul_", "div_"):
        getattr(_data(L), op)(_data(L, shift=3))
        getattr(_data(L), op)(0.0)
    for op in ("exp_", "log_", "sqrt_", "abs_", "neg_", "sigmoid_", "tanh_", "relu_"):
        getattr(_data(L), op)()
    _data(L).pow_(2), _data(L).pow_(_data(L, shift=2)), _data(L).clamp_(-1, 1)
    _data(L).addcmul_(_data(L, shift=1), _data(L, shift=2), value=2)
    _data(L).addcdiv_(_data(L, shift=1), _data(L, shift=2))
    _data(L).lerp_(_data(L, shift=1), 0.5), _data(L).copy_(_data(L, shift=4))
    x = _data(L)
    x[1:3] = np.inf
    x += _data(L, shift=1)
    x *= 0
    x /= _data(L, shift=3)
    x **= 2


def _compare(L: Any) -> None:
    a, b = _data(L), _data(L, shift=1)
    a < b, a <= b, a > b, a >= b, a == b, a != b, a == np.nan, a.equal(b)
    L.allclose(a, b, equal_nan=True), L.isclose(a, b), a.isclose(a, equal_nan=True)
    L.maximum(a, b), L.minimum(a, b), a.isnan(), a.isinf(), a.isfinite(), a.sign()
    a.argmax(), a.max(), a.sort(), a.topk(3), a.median(), a.unique(), a.nonzero()


def _math(L: Any) -> None:
    a, b = _data(L), _data(L, shift=1)
    a.fmod(b), a.remainder(b), a.floor_divide(b), a.true_divide(b), a.fmod(0.0)
    a.norm(), a.norm(p=1), a.norm(p=float("inf")), a.std(), a.var(), a.prod(), a.cumprod(0)
    a.logsumexp(0), a.log1p(), a.expm1(), a.log2(), a.exp2(), a.rsqrt(), a.reciprocal()
    a.double().float(), L.where(a > 0, a, b), a.lerp(b, 0.5), a.softmax(0), a.log_softmax(0)


def _creation(L: Any) -> None:
    L.full((3,), np.inf), L.tensor([np.inf, np.nan]), L.as_tensor(np.array([np.inf]))
    L.linspace(0, 1e38, 5), L.logspace(0, 40, 5), L.zeros(3) / 0, L.ones(3).div(0)
    L.tensor([1e300]), L.tensor(np.array([1e300]), dtype=L.float32)


def _init(L: Any) -> None:
    init = L.nn.init
    for fn in (init.xavier_uniform_, init.xavier_normal_, init.kaiming_uniform_,
               init.kaiming_normal_, init.uniform_, init.normal_):
        fn(L.empty(3, 4))
    init.constant_(L.empty(2), np.inf), init.normal_(L.empty(3), std=np.inf)


def _empty(L: Any) -> None:
    """Reductions over nothing: NaN (mean), 0 (sum), and no NumPy "Mean of empty slice"."""
    e = L.zeros(0, 3, requires_grad=True)
    for y in (e.mean(), e.mean(0), e.sum(), e.var(0), e.std(), e.logsumexp(0),
              L.nn.functional.mse_loss(e, L.zeros(0, 3)),
              L.nn.functional.cross_entropy(e, L.zeros(0, dtype=L.int64))):
        y.sum().backward()


SURFACE: Dict[str, Callable[[Any], None]] = {
    "printing": _printing, "inplace": _inplace, "compare": _compare, "math": _math,
    "creation": _creation, "init": _init, "empty": _empty}


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("what", SURFACE)
def test_tensor_surface_is_silent(what: str, backend: str) -> None:
    _strict(SURFACE[what], torch)
    with minitorch.backends.use_backend(backend):
        _strict(SURFACE[what], minitorch)


OPTIMIZERS = [("SGD", {"lr": 0.1}),
              ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
              ("Adam", {"lr": 0.1}), ("Adam", {"lr": 0.1, "amsgrad": True, "weight_decay": 0.1}),
              ("AdamW", {"lr": 0.1}), ("RMSprop", {"lr": 0.1}),
              ("RMSprop", {"lr": 0.1, "momentum": 0.9, "centered": True}),
              ("Adagrad", {"lr": 0.1}), ("Adadelta", {"lr": 1.0})]


@pytest.mark.parametrize("backend", ["numpy", "numba"])
@pytest.mark.parametrize("opt, kwargs", OPTIMIZERS, ids=[f"{o}{k}" for o, k in OPTIMIZERS])
def test_optimizer_steps_silently_on_inf_nan(opt: str, kwargs: dict, backend: str) -> None:
    """Parameters and gradients of inf, nan, 0 and huge values, two steps."""
    def steps(L: Any) -> None:
        for shift in (0, 2):
            p = L.nn.Parameter(_data(L, shift=shift))
            o = getattr(L.optim, opt)([p], **kwargs)
            for _ in range(2):
                o.zero_grad()
                p.grad = _data(L, shift=shift + 5)
                o.step()
    _strict(steps, torch)
    with minitorch.backends.use_backend(backend):
        _strict(steps, minitorch)


def _training(L: Any) -> None:
    """The tutorial's loop, one sample holding inf and one a huge value: the loss turns
    inf/nan and the weights nan, silently."""
    L.manual_seed(0)
    model = L.nn.Sequential(L.nn.Linear(4, 8), L.nn.ReLU(), L.nn.Linear(8, 3))
    opt = L.optim.Adam(model.parameters(), lr=0.01)
    x = L.tensor(np.array([[1, 2, np.inf, 0], [0, 0, 0, 0], [-1, 1e30, 2, 3]], np.float32))
    y = L.tensor([0, 1, 2])
    for _ in range(3):
        opt.zero_grad()
        loss = L.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        loss.item(), print(f"loss {loss.item():.4f}", loss, model(x), file=io.StringIO())


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_training_loop_with_inf_in_data_is_silent(backend: str) -> None:
    _strict(_training, torch)
    with minitorch.backends.use_backend(backend):
        _strict(_training, minitorch)


# ----------------------------------------------------------------- the user's own NumPy
def _warns(fn: Callable[[], Any]) -> int:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return sum(issubclass(w.category, RuntimeWarning) for w in caught)


def test_users_numpy_still_warns_after_minitorch() -> None:
    before = np.geterr()
    x = minitorch.tensor([np.inf, -np.inf, 0.0], requires_grad=True)
    (x.log() * x).sum().backward()
    minitorch.optim.Adam([x], lr=0.1).step()
    str(x)
    assert np.geterr() == before
    assert _warns(lambda: np.float64(1) / np.float64(0)) == 1
    with np.errstate(all="raise"):  # the user's own setting holds around minitorch's ops
        minitorch.tensor([0.0]) / 0
        with pytest.raises(FloatingPointError):
            np.float64(1) / np.float64(0)


def test_users_numpy_in_a_hook_or_custom_function_still_warns() -> None:
    """A backward pass silences NumPy, but the user's code inside it (a hook, a custom
    Function's forward and backward) runs with the user's state, as it would in torch."""
    counts = []

    def user_numpy() -> None:
        counts.append(_warns(lambda: np.log(np.zeros(1))))

    class Double(minitorch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, a: Any) -> Any:
            user_numpy()
            return a * 2

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            user_numpy()
            return g * 2

    x = minitorch.tensor([0.0, 1.0], requires_grad=True)
    x.register_hook(lambda g: user_numpy())
    (Double.apply(x) / 0).sum().backward()
    assert counts == [1, 1, 1]  # forward, backward, hook
