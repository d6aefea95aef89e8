"""``autograd.functional`` (vjp, jvp, jacobian, hessian, vhp, hvp) and ``func`` (grad,
grad_and_value, vjp, jvp, jacrev, hessian) against torch: values, the nesting of the returned
tuples and dicts, ``create_graph`` / nested transforms (results differentiable again, same
higher derivatives), ``strict``, ``argnums``, ``has_aux`` and the errors, on the "numpy"
backend in float64."""

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
    """Same nesting (tuple where torch has a tuple, dict keys), same values, same
    requires_grad."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and list(got) == list(want), (got, want)
        return assert_same(tuple(got.values()), tuple(want.values()))
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


# ------------------------------------------------------------------------------ func
def _func_both(call):
    """``call(lib, func, x, y)`` in torch and in minitorch, on the same X and Y."""
    return [call(lib, lib.func, _tensor(lib, X), _tensor(lib, Y)) for lib in (torch, minitorch)]


def _loss(lib):
    return lambda x, y: (lib.sin(x) * (y * y).sum(dim=0)).sum()


@pytest.mark.parametrize("argnums", [0, 1, -1, (0, 1), (1, 0)])
def test_func_grad_and_value(argnums):
    want, got = _func_both(lambda lib, F, x, y: (
        F.grad(_loss(lib), argnums)(x, y), F.grad_and_value(_loss(lib), argnums)(x, y)))
    assert_same(got, want)


def test_func_has_aux_and_pytrees():
    def call(lib, F, x, y):
        def f(params, scale):
            out = (params["w"] * params["b"].sum() * scale).sum()
            return out, {"out": out, "w2": params["w"] * 2}
        p = {"w": x, "b": y}
        return (F.grad(f, has_aux=True)(p, 3.0), F.grad_and_value(f, has_aux=True)(p, 2.0),
                F.jacrev(lambda d: (d["w"] * d["b"][0], d["w"].sum()))(p))
    want, got = _func_both(call)
    assert_same(got, want)


def test_func_vjp_jvp_jacrev_hessian():
    def call(lib, F, x, y):
        def two_out(a, b):
            return lib.tanh(a) * b[1], (a * b).sum()
        out, vjp_fn = F.vjp(two_out, x, y)
        out_aux, vjp_fn_aux, aux = F.vjp(lambda a: (a * a, a.sum()), x, has_aux=True)
        return (out, vjp_fn((_v_like(lib, out[0]), _tensor(lib, 2.0))),
                out_aux, vjp_fn_aux(x), aux,
                F.jvp(two_out, (x, y), (_v_like(lib, x), _v_like(lib, y))),
                F.jacrev(two_out)(x, y), F.jacrev(two_out, argnums=(0, 1))(x, y),
                F.jacrev(lambda a: (a * a).sum(), has_aux=False)(x),
                F.hessian(_loss(lib))(x, y), F.hessian(_loss(lib), argnums=(0, 1))(x, y))
    want, got = _func_both(call)
    assert_same(got, want)


def test_func_transforms_nest_and_reach_outer_tensors():
    """grad(grad(f)) is the second derivative; a tensor from outside the transform that
    requires grad (a parameter in a closure, an input that requires grad) keeps the graph,
    so backward reaches it; plain inputs give plain results."""
    def run(lib):
        x, w = _tensor(lib, X), _tensor(lib, [1.5, -2.0, 0.5], requires_grad=True)
        F = lib.func
        second = F.grad(F.grad(lambda a: lib.sin(a) * a))(_tensor(lib, 0.8))
        g = F.grad(lambda a: (w * a * a * a).sum())(x)
        g.sum().backward()
        xr = _tensor(lib, X, requires_grad=True)
        h = F.grad(lambda a: (a.exp() * a).sum())(xr)
        h.sum().backward()
        return second, g, w.grad, h, xr.grad
    results = [run(torch), run(minitorch)]
    assert_same(results[1], results[0])


@pytest.mark.parametrize("case", ["not_scalar", "not_tensor", "aux_not_pair", "argnum_range",
                                  "argnums_repeat", "argnums_empty", "argnums_list",
                                  "non_tensor_arg", "vjp_non_tensor", "jvp_primals_list",
                                  "chunk_size"])
def test_func_errors_as_torch(case):
    def make(lib):
        F, x = lib.func, _tensor(lib, X)
        calls = {
            "not_scalar": lambda: F.grad(lambda a: a * 2)(x),
            "not_tensor": lambda: F.grad(lambda a: 2.0)(x),
            "aux_not_pair": lambda: F.grad(lambda a: a.sum(), has_aux=True)(x),
            "argnum_range": lambda: F.grad(lambda a: a.sum(), argnums=1)(x),
            "argnums_repeat": lambda: F.grad(lambda a, b: a.sum(), argnums=(0, 0))(x, x),
            "argnums_empty": lambda: F.grad(lambda a: a.sum(), argnums=())(x),
            "argnums_list": lambda: F.grad(lambda a: a.sum(), argnums=[0])(x),
            "non_tensor_arg": lambda: F.grad(lambda a: x.sum() * a)(2.0),
            "vjp_non_tensor": lambda: F.vjp(lambda a: (a, 3), x),
            "jvp_primals_list": lambda: F.jvp(lambda a: a, [x], [x]),
            "chunk_size": lambda: F.jacrev(lambda a: a, chunk_size=0)(x),
        }
        return calls[case]()
    assert_raises_like_torch(make)


def test_func_vmap_is_refused_clearly():
    with pytest.raises(NotImplementedError, match="vmap"):
        minitorch.func.vmap(lambda a: a)
