"""``nn.utils.parametrize`` and ``nn.utils.parametrizations`` (weight_norm, spectral_norm)
against torch: state_dict keys, reprs, the class swap, values and gradients from the same
initial weights (spectral_norm's random u, v: torch's buffers loaded into minitorch), the
power iteration over several training steps, right_inverse on assignment, caching, removal
and the errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch

RNG = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _numpy_backend():
    with minitorch.backends.use_backend("numpy"):
        yield


def _np(t):
    return t.detach().numpy()


def _same_module(make, register, x_shape, steps=1):
    """``make(lib)`` in both libraries with torch's initial values, ``register(lib, m)``
    applied, then ``steps`` train-mode forwards/backwards and one eval forward: keys,
    repr, every state_dict value, outputs and gradients equal."""
    t_mod = make(torch).double()
    register(torch, t_mod)
    m_mod = make(minitorch).double()
    register(minitorch, m_mod)
    m_mod.load_state_dict({k: v.numpy() for k, v in t_mod.state_dict().items()})
    assert list(m_mod.state_dict()) == list(t_mod.state_dict())
    assert repr(m_mod) == repr(t_mod) and type(m_mod).__name__ == type(t_mod).__name__
    x = RNG.standard_normal(x_shape)
    for step in range(steps + 1):
        if step == steps:
            t_mod.eval(), m_mod.eval()
        outs = [mod(lib.tensor(x)) for lib, mod in ((torch, t_mod), (minitorch, m_mod))]
        for o in outs:
            (o * o).sum().backward()
        np.testing.assert_allclose(_np(outs[1]), _np(outs[0]), rtol=1e-10, atol=1e-12)
        t_state, m_state = t_mod.state_dict(keep_vars=True), m_mod.state_dict(keep_vars=True)
        for key, t_val in t_state.items():
            np.testing.assert_allclose(_np(m_state[key]), _np(t_val), rtol=1e-10,
                                       atol=1e-12, err_msg=key)
            if t_val.grad is not None:
                np.testing.assert_allclose(_np(m_state[key].grad), _np(t_val.grad),
                                           rtol=1e-9, atol=1e-12, err_msg=key)
    return t_mod, m_mod


@pytest.mark.parametrize("dim", [0, 1, None, -1])
def test_weight_norm(dim):
    _same_module(lambda lib: lib.nn.Conv2d(2, 3, 3),
                 lambda lib, m: lib.nn.utils.parametrizations.weight_norm(m, dim=dim),
                 (2, 2, 5, 5))


@pytest.mark.parametrize("make, x_shape, kwargs", [
    (lambda lib: lib.nn.Linear(4, 5), (3, 4), {}),
    (lambda lib: lib.nn.Linear(4, 5), (3, 4), {"n_power_iterations": 3, "eps": 1e-6}),
    (lambda lib: lib.nn.ConvTranspose2d(3, 2, 3), (1, 3, 4, 4), {}),
    (lambda lib: lib.nn.Conv1d(2, 3, 2), (1, 2, 5), {"dim": 1}),
])
def test_spectral_norm(make, x_shape, kwargs):
    t_mod, m_mod = _same_module(
        make, lambda lib, m: lib.nn.utils.parametrizations.spectral_norm(m, **kwargs),
        x_shape, steps=3)
    # the normalized weight's largest singular value is close to 1 after a few steps
    dim = kwargs.get("dim", 1 if isinstance(t_mod, torch.nn.ConvTranspose2d) else 0)
    w = np.moveaxis(_np(m_mod.weight), dim, 0).reshape(m_mod.weight.shape[dim], -1)
    assert abs(np.linalg.svd(w, compute_uv=False)[0] - 1) < 0.1


class Symmetric:
    """P(X) = triu(X) + triu(X, 1)ᵀ, with right_inverse triu(X) (a Module of each lib)."""

    @staticmethod
    def make(lib):
        class Sym(lib.nn.Module):
            def forward(self, x):
                return x.triu() + x.triu(1).transpose(-1, -2)

            def right_inverse(self, a):
                return a.triu()
        return Sym()


class Double:
    @staticmethod
    def make(lib):
        class Twice(lib.nn.Module):
            def forward(self, x):
                return x * 2

            def right_inverse(self, x):
                return x / 2
        return Twice()


def _run_custom(lib):
    """Register, chain, assign, cache, remove: everything observable along the way."""
    P = lib.nn.utils.parametrize
    mod = lib.nn.Linear(3, 3).double()
    with lib.no_grad():
        mod.weight.copy_(lib.tensor(np.arange(9.0).reshape(3, 3)))
    weight_param = mod.weight
    P.register_parametrization(mod, "weight", Symmetric.make(lib))
    seen = [P.is_parametrized(mod), P.is_parametrized(mod, "weight"),
            P.is_parametrized(mod, "bias"), _np(mod.weight),
            mod.parametrizations.weight.original is weight_param,
            [n for n, _ in mod.named_parameters()], P.type_before_parametrizations(mod).__name__]
    P.register_parametrization(mod, "weight", Double.make(lib))  # applied after Symmetric
    seen += [_np(mod.weight), repr(mod)]
    mod.weight = lib.tensor(np.ones((3, 3)))  # right_inverse: Twice's, then Sym's
    seen.append(_np(mod.parametrizations.weight.original))
    with P.cached():
        assert mod.weight is mod.weight
    assert mod.weight is not mod.weight
    mod.weight.sum().backward()
    seen.append(_np(mod.parametrizations.weight.original.grad))
    P.remove_parametrizations(mod, "weight", leave_parametrized=False)
    seen += [type(mod).__name__, _np(mod.weight), list(mod.state_dict())]
    return seen


def test_custom_parametrization_lifecycle():
    got, want = _run_custom(minitorch), _run_custom(torch)
    for g, w in zip(got, want):
        if isinstance(w, np.ndarray):
            np.testing.assert_array_equal(g, w)
        else:
            assert g == w


def test_remove_keeps_value_and_errors():
    outcomes = []
    for lib in (torch, minitorch):
        mod = lib.nn.Linear(2, 2)
        with pytest.raises(ValueError) as no_param:
            lib.nn.utils.parametrize.remove_parametrizations(mod, "weight")
        lib.nn.utils.parametrizations.weight_norm(mod)
        with pytest.raises(ValueError) as sequence:
            lib.nn.utils.parametrize.remove_parametrizations(mod, "weight",
                                                             leave_parametrized=False)
        with pytest.raises(ValueError) as bad_power:
            lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(2, 2),
                                                        n_power_iterations=0)
        with pytest.raises(RuntimeError) as no_inverse:
            plain = lib.nn.utils.parametrize.register_parametrization(
                lib.nn.Linear(2, 2), "bias", Double.make(lib))
            del type(plain.parametrizations.bias[0]).right_inverse
            plain.bias = lib.zeros(2)
        with pytest.raises(IndexError) as bad_dim:
            lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(2, 2), dim=2)
        before = _np(mod.weight)
        lib.nn.utils.parametrize.remove_parametrizations(mod, "weight")
        assert type(mod).__name__ == "Linear" and not hasattr(mod, "parametrizations")
        np.testing.assert_allclose(_np(mod.weight), before, rtol=1e-6)
        outcomes.append([str(e.value).replace("minitorch.", "torch.")
                         for e in (no_param, sequence, bad_power, no_inverse, bad_dim)]
                        + [list(mod.state_dict()), mod.weight.requires_grad])
    assert outcomes[1] == outcomes[0]
