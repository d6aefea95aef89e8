"""``autograd.functional`` (vjp, jvp, jacobian, hessian, vhp, hvp) against torch: values, the
nesting of the returned tuples, ``create_graph`` (results differentiable again, same second
derivatives), ``strict`` and the errors, on the "numpy" backend in float64."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch
from parity_tests.autograd_pairs import assert_raises_like_torch

X = np.array([0.3, -0.5, 0.7])
Y = np.array([[1.0, 2.0, -0.5], [0.2, 0.4, 1.5]])


@pytest.fixture(autouse=True)
def _numpy_backend():
    with minitorch.backends.use_backend("numpy"):
        yield


def _tensor(lib, a, requires_grad=False):
    return lib.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def _pack(lib, arrays, requires_grad=False):
    """One tensor for an array, a tuple of tensors for a tuple of arrays."""
    if isinstance(arrays, tuple):
        return tuple(_tensor(lib, a, requires_grad) for a in arrays)
    return _tensor(lib, arrays, requires_grad)


def assert_same(got, want):
    """Same nesting (tuple where torch has a tuple), same values, same requires_grad."""
    if isinstance(want, torch.Tensor):
        assert isinstance(got, minitorch.Tensor), type(got)
        assert tuple(got.shape) == tuple(want.shape)
        assert got.requires_grad == want.requires_grad
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(),
                                   rtol=1e-12, atol=1e-12)
        return
    assert type(got) is type(want) is tuple and len(got) == len(want), (got, want)
    for g, w in zip(got, want):
        assert_same(g, w)


# Functions of one tensor or of (x, y), returning one tensor or a tuple.
FUNCS = {
    "scalar": lambda lib: lambda x: (x.exp() * x * x).sum(),
    "vector": lambda lib: lambda x: lib.tanh(x) * x,
    "pair_in": lambda lib: lambda x, y: (lib.sin(x) * y).sum(dim=0),
    "pair_in_out": lambda lib: lambda x, y: ((x * y).exp().sum(), y.t() * x.reshape(3, 1)),
    "tuple_of_one": lambda lib: lambda x: (x * x,),
}
SCALAR_OF_PAIR = lambda lib: lambda a, b: (lib.sin(a) * b * b).sum()  # noqa: E731
INPUTS = {"scalar": X, "vector": X, "pair_in": (X, Y), "pair_in_out": (X, Y),
          "tuple_of_one": (X,)}


def _both(name, call):
    """``call(lib, functional, f, inputs)`` in torch and in minitorch."""
    out = []
    for lib in (torch, minitorch):
        out.append(call(lib, lib.autograd.functional, FUNCS[name](lib),
                        _pack(lib, INPUTS[name])))
    return out


def _v_like(lib, tensors):
    """A vector shaped like ``tensors`` (one tensor or a tuple), deterministic values."""
    def one(t):
        return _tensor(lib, np.linspace(-1, 2, t.numel()).reshape(tuple(t.shape)))
    return tuple(one(t) for t in tensors) if isinstance(tensors, tuple) else one(tensors)


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("vectorize", [False, True])
def test_jacobian(name, vectorize):
    want, got = _both(name, lambda lib, F, f, x: F.jacobian(f, x, vectorize=vectorize))
    assert_same(got, want)


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("which", ["vjp", "jvp"])
def test_vjp_jvp(name, which):
    def call(lib, F, f, x):
        v = _v_like(lib, f(*(x if isinstance(x, tuple) else (x,)))) if which == "vjp" \
            else _v_like(lib, x)
        return getattr(F, which)(f, x, v)
    want, got = _both(name, call)
    assert_same(got, want)


@pytest.mark.parametrize("which", ["hessian", "vhp", "hvp"])
@pytest.mark.parametrize("inputs", ["one", "pair"])
def test_second_order(which, inputs):
    def call(lib, F, _, x):
        f = FUNCS["scalar"](lib) if inputs == "one" else SCALAR_OF_PAIR(lib)
        x = x[0] if inputs == "one" else x
        args = (f, x) if which == "hessian" else (f, x, _v_like(lib, x))
        return getattr(F, which)(*args)
    want, got = _both("pair_in", call)
    assert_same(got, want)


@pytest.mark.parametrize("which", ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"])
def test_create_graph_differentiates_again(which):
    """With create_graph the results are on a graph reaching the caller's tensors: their
    gradient (a third derivative for hessian) is torch's."""
    results = []
    for lib in (torch, minitorch):
        x = _tensor(lib, X, requires_grad=True)
        F = lib.autograd.functional
        f = FUNCS["scalar" if which in ("hessian", "vhp", "hvp") else "vector"](lib)
        v = None if which in ("jacobian", "hessian") else _v_like(lib, x)
        res = getattr(F, which)(f, x, create_graph=True) if v is None \
            else getattr(F, which)(f, x, v, create_graph=True)
        flat = res[1] if isinstance(res, tuple) else res
        (flat * flat).sum().backward()
        results.append((res, x.grad))
    assert_same(results[1], results[0])


def test_v_may_be_omitted_for_one_element():
    for which in ("vjp", "jvp", "vhp", "hvp"):
        want, got = (getattr(lib.autograd.functional, which)(
            lambda a: (a * a * a).sum(), _tensor(lib, [0.7])) for lib in (torch, minitorch))
        assert_same(got, want)


def test_independent_outputs_give_zeros_or_strict_errors():
    def f(lib):
        return lambda x, y: (x * 2, x.sum() + 0 * y.sum())

    def linear(lib):
        return lambda x: (x * 3).sum()

    for lib_f, which in ((f, "jacobian"), (f, "vjp"), (linear, "hessian"), (linear, "vhp"),
                         (linear, "hvp")):
        def run(lib, strict, lib_f=lib_f, which=which):
            F = lib.autograd.functional
            if which == "vjp":
                x = _pack(lib, (X, Y))
                return F.vjp(lambda a, b: a * 2, x, _tensor(lib, X), strict=strict)
            x = _pack(lib, (X, Y)) if lib_f is f else _tensor(lib, X)
            args = (x,) if which in ("jacobian", "hessian") else (x, _v_like(lib, x))
            return getattr(F, which)(lib_f(lib), *args, strict=strict)
        assert_same(run(minitorch, False), run(torch, False))
        assert_raises_like_torch(lambda lib, run=run: run(lib, True))


@pytest.mark.parametrize("case", ["list_output", "list_input", "v_size", "v_length",
                                  "v_missing", "hessian_vector", "hessian_tuple",
                                  "bad_strategy", "strict_vectorize"])
def test_errors_as_torch(case):
    def make(lib):
        F, x = lib.autograd.functional, _tensor(lib, X)
        if case == "list_output":
            return F.jacobian(lambda a: [a * 2], x)
        if case == "list_input":
            return F.vjp(lambda a: a.sum(), [x])
        if case == "v_size":
            return F.jvp(lambda a: a * 2, x, _tensor(lib, [1.0, 2.0]))
        if case == "v_length":
            return F.vjp(lambda a: (a, a), x, (x,))
        if case == "v_missing":
            return F.vjp(lambda a: a * 2, x)
        if case == "hessian_vector":
            return F.hessian(lambda a: a * a, x)
        if case == "hessian_tuple":
            return F.hvp(lambda a: (a.sum(),), x, x)
        if case == "bad_strategy":
            return F.jacobian(lambda a: a, x, strategy="sideways")
        return F.jacobian(lambda a: a * a, x, strict=True, vectorize=True)
    assert_raises_like_torch(make)


def test_forward_mode_is_refused_clearly():
    x = _tensor(minitorch, X)
    with pytest.raises(NotImplementedError, match="forward-mode"):
        minitorch.autograd.functional.jacobian(lambda a: a * 2, x, strategy="forward-mode")
