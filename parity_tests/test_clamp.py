"""``clamp`` / ``clip`` / ``clamp_min`` / ``clamp_max`` (and their in-place forms) against
torch, on every backend: number bounds and tensor bounds (broadcast with the input, even to a
larger result), NaN in the input or in a bound, a lower bound above the upper one, the
result dtype (an integer tensor clamped to 2.5 becomes float), the node names, and the
gradients torch gives the input *and* the tensor bounds. Also the class of silent errors the
in-place forms had: a float result written into an integer or bool tensor is torch's error."""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Dict, List

import numpy as np
import pytest
import torch

import minitorch
from minitorch.parity import mt_to_np, on_backend, to_minitorch

NAN = float("nan")
X = np.array([[0.5, 2.0, -1.0, 1.0, NAN, 0.3], [1.5, -0.2, 0.0, 3.0, 0.7, -2.0]])
LO = np.array([0.0, 0.0, 0.0, 2.0, 0.0, NAN])  # 2.0 > hi: the upper bound wins there
HI = np.array([[1.5], [0.25]])
# name → (call, operands): arrays become tensors of both libraries, numbers stay numbers
CASES: Dict[str, Any] = {
    "numbers": (lambda L, x: x.clamp(-0.45, 0.45), [X]),
    "number_min_nan": (lambda L, x: L.clamp(x, min=NAN), [X]),
    "number_max_nan": (lambda L, x: x.clip(0.0, NAN), [X]),
    "tensor_both": (lambda L, x, lo, hi: L.clamp(x, lo, hi), [X, LO, HI]),
    "tensor_min": (lambda L, x, lo: x.clamp(min=lo), [X, LO]),
    "tensor_max": (lambda L, x, hi: L.clip(x, max=hi), [X, HI]),
    "bounds_broadcast_larger": (lambda L, x, lo, hi: x.clamp(lo, hi), [X[:, :1], LO, HI]),
    "bound_0d": (lambda L, x, lo: x.clamp(min=lo), [X, np.array(0.25)]),
    "clamp_min_number": (lambda L, x: x.clamp_min(0.1), [X]),
    "clamp_min_tensor": (lambda L, x, lo: L.clamp_min(x, lo), [X, LO]),
    "clamp_max_number": (lambda L, x: L.clamp_max(x, 0.1), [X]),
    "clamp_max_tensor": (lambda L, x, hi: x.clamp_max(hi), [X, HI]),
}
# torch's backward fails when a bound is smaller than the result and the other is larger (an
# in-place logical_or_ into the smaller mask: "output with shape [2, 1] doesn't match the
# broadcast shape [2, 6]"): values only there
VALUES_ONLY = {"bounds_broadcast_larger"}


def _run(lib: Any, to_lib: Callable, call: Callable, operands: List[Any], grad: bool,
         dtype: Any) -> Any:
    leaves = [to_lib(np.asarray(a, dtype=dtype)).requires_grad_(grad) for a in operands]
    y = call(lib, *leaves)
    if grad:
        weights = np.random.default_rng(1).standard_normal(tuple(y.shape)).astype(dtype)
        (y * to_lib(weights)).sum().backward()
    return y, leaves


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(CASES))
def test_clamp_values_gradients_and_nodes_match_torch(name: str, dtype: Any,
                                                       backend: str) -> None:
    call, operands = CASES[name]
    got = {}
    for lib, to_lib, to_np in ((torch, torch.from_numpy, lambda t: t.detach().numpy()),
                               (minitorch, to_minitorch(backend), mt_to_np)):
        with on_backend(backend) if lib is minitorch else contextlib.nullcontext():
            y, leaves = _run(lib, to_lib, call, operands, name not in VALUES_ONLY, dtype)
            node = y.grad_fn.name() if y.grad_fn is not None else None
            got[lib.__name__] = (node, to_np(y),
                                 [None if t.grad is None else to_np(t.grad) for t in leaves])
    name_m, y_m, grads_m = got["minitorch"]
    name_t, y_t, grads_t = got["torch"]
    assert name_m == name_t
    np.testing.assert_array_equal(y_m, y_t)  # a clamp picks values: exactly equal
    for g_m, g_t in zip(grads_m, grads_t):
        assert (g_m is None) == (g_t is None)
        if g_t is not None:
            np.testing.assert_allclose(g_m, g_t, rtol=1e-6)


def test_tensor_bounds_have_torch_second_derivative() -> None:
    x = minitorch.tensor([0.5, 2.0, -1.0, 1.3], dtype=minitorch.float64, requires_grad=True)
    lo = minitorch.tensor([0.0, 0.0, 0.0, 2.0], dtype=minitorch.float64, requires_grad=True)
    hi = minitorch.tensor([1.5], dtype=minitorch.float64, requires_grad=True)

    def f(a: Any, b: Any, c: Any) -> Any:
        return a.clamp(b, c) ** 3

    assert minitorch.autograd.gradcheck(f, (x, lo, hi))
    assert minitorch.autograd.gradgradcheck(f, (x, lo, hi))


@pytest.mark.parametrize("x, bounds", [
    ([1, 5], (2.5, None)), ([1, 5], (None, 3)), ([True, False], (0.5, None)),
    ([1, 5], ("float", None)), ([1.0, 5.0], ("long0d", None)), ([1.0, 5.0], ("double", None)),
    ([1.0, 5.0], ("double0d", None)), ([1, 5], (None, "long")),
])
def test_clamp_result_dtype_matches_torch(x: List[Any], bounds: Any) -> None:
    def bound(lib: Any, b: Any) -> Any:
        made = {"float": lambda: lib.tensor([2.5, 0.0]), "long": lambda: lib.tensor([2, 9]),
                "long0d": lambda: lib.tensor(2), "double": lambda: lib.tensor([2.0],
                                                                              dtype=lib.float64),
                "double0d": lambda: lib.tensor(2.0, dtype=lib.float64)}
        return made[b]() if isinstance(b, str) else b

    got = [lib.clamp(lib.tensor(x), *(bound(lib, b) for b in bounds))
           for lib in (torch, minitorch)]
    assert str(got[1].dtype).split(".")[1] == str(got[0].dtype).split(".")[1]
    np.testing.assert_array_equal(got[1].numpy(), got[0].numpy())


def _raises_like_torch(call: Callable[[Any], Any]) -> None:
    """The same exception type and first line (torch's TypeError lists its overloads after
    it; torch names a number bound's target type "long int", its C++ name)."""
    errors = []
    for lib in (torch, minitorch):
        with pytest.raises(Exception) as info:
            call(lib)
        errors.append(info.value)
    assert type(errors[1]) is type(errors[0])
    first = [str(e).splitlines()[0].replace("long int", "Long") for e in errors]
    assert first[1] == first[0]


@pytest.mark.parametrize("call", [
    lambda L: L.clamp(L.tensor([1.0, 5.0]), min=L.tensor([3.0]), max=4.0),
    lambda L: L.clamp(L.tensor([1.0, 5.0])),
    lambda L: L.tensor([1, 5]).clamp_(min=2.5),
    lambda L: L.tensor([1, 5]).clamp_min_(L.tensor(2.5)),
    lambda L: L.tensor([1.0, 5.0]).clamp_(min=L.tensor([[2.5], [1.0]])),
    lambda L: L.tensor([1, 2]).exp_(),
    lambda L: L.tensor([1, 2]).sigmoid_(),
    lambda L: L.tensor([True, False]).sqrt_(),
], ids=["mixed_bounds", "no_bound", "int_clamp_", "int_clamp_min_", "broadcast_clamp_",
        "int_exp_", "int_sigmoid_", "bool_sqrt_"])
def test_refusals_match_torch(call: Callable[[Any], Any]) -> None:
    _raises_like_torch(call)
