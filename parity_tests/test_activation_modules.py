"""The activation modules of ``nn/activation.py`` against torch's: repr, state_dict, output,
the in-place flag, PReLU's learned slope, and the errors of bad arguments. (The functions'
values and gradients, kinks and edges included, are in the catalogue: ``more_activation_cases``.)"""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
import torch

import minitorch

MODULES = [
    ("LeakyReLU", (), {}), ("LeakyReLU", (0.2,), {"inplace": True}), ("ELU", (0.5,), {}),
    ("CELU", (), {"alpha": 2.0}), ("SELU", (), {"inplace": True}), ("Softplus", (2.0, 5.0), {}),
    ("Softsign", (), {}), ("Hardtanh", (-2, 2), {}), ("ReLU6", (), {"inplace": True}),
    ("Hardswish", (), {}), ("Hardsigmoid", (), {}), ("LogSigmoid", (), {}), ("Mish", (), {}),
    ("Softmin", (1,), {}), ("Threshold", (0.1, 20.0), {}), ("Tanhshrink", (), {}),
    ("Softshrink", (), {}), ("Hardshrink", (0.3,), {}), ("GLU", (1,), {}), ("PReLU", (), {}),
    ("PReLU", (4, 0.1), {}),
]


def _x(lib, seed=0):
    return lib.tensor(np.random.default_rng(seed).standard_normal((3, 4, 5)) * 4,
                      dtype=lib.float32)


@pytest.mark.parametrize("name,args,kwargs", MODULES, ids=lambda v: str(v))
def test_module_matches_torch(name, args, kwargs):
    t, m = getattr(torch.nn, name)(*args, **kwargs), getattr(minitorch.nn, name)(*args, **kwargs)
    assert repr(m) == repr(t)
    assert list(m.state_dict()) == list(t.state_dict())
    m.load_state_dict({k: minitorch.tensor(v.numpy()) for k, v in t.state_dict().items()})
    xt, xm = _x(torch), _x(minitorch)
    with torch.no_grad():
        want = t(xt)
    got = m(xm)
    np.testing.assert_allclose(got.detach().numpy(), want.numpy(), rtol=1e-6, atol=1e-7)
    # inplace=True writes the result into the input, as torch's does
    inplace = kwargs.get("inplace", False)
    assert (got is xm) == (want is xt) == inplace


def test_prelu_learns_its_slope_like_torch():
    """One SGD step of a per-channel PReLU: the slopes' gradient is Σ x·g where x ≤ 0."""
    slopes = {}
    for lib in (torch, minitorch):
        layer = lib.nn.PReLU(4, 0.2).double()
        opt = lib.optim.SGD(layer.parameters(), lr=0.5)
        x = lib.tensor(np.random.default_rng(3).standard_normal((2, 4, 3)))
        (layer(x) ** 2).sum().backward()
        opt.step()
        slopes[lib] = layer.weight.detach().numpy().copy()
    np.testing.assert_allclose(slopes[minitorch], slopes[torch], rtol=1e-12)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.glu(lib.ones(3, 5)),
    lambda lib: lib.nn.functional.glu(lib.ones(2, 4), dim=3),
    lambda lib: lib.nn.functional.prelu(lib.ones(2, 3), lib.ones(2)),
    lambda lib: lib.nn.functional.prelu(lib.ones(2, 3, dtype=lib.float64), lib.ones(3)),
    lambda lib: lib.nn.functional.softshrink(lib.ones(3), -1.0),
    lambda lib: lib.nn.functional.celu(lib.ones(2), alpha=0.0),
    lambda lib: lib.nn.functional.hardtanh(lib.ones(2), 2.0, 1.0),
    lambda lib: lib.nn.Hardtanh(2.0, 1.0),
    lambda lib: lib.nn.functional.leaky_relu(lib.tensor([1, 2])),
    lambda lib: lib.nn.functional.elu(lib.tensor([1, 2])),
    lambda lib: lib.nn.functional.mish(lib.tensor([1, 2])),
    lambda lib: lib.nn.functional.softmin(lib.tensor([1, 2]), 0),
    lambda lib: lib.nn.LeakyReLU(inplace=True)(lib.ones(2, requires_grad=True)),
], ids=["glu_odd", "glu_dim", "prelu_channels", "prelu_dtypes", "softshrink_negative",
        "celu_alpha0", "hardtanh_bounds", "Hardtanh_bounds", "leaky_relu_int", "elu_int",
        "mish_int", "softmin_int", "inplace_on_leaf"])
def test_bad_arguments_raise_torchs_error(call):
    with pytest.raises(Exception) as want:
        call(torch)
    with pytest.raises(type(want.value)) as got:
        call(minitorch)
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.hardtanh(lib.tensor([1, 2, -3]), 0.5, 1.5),
    lambda lib: lib.nn.functional.relu6(lib.tensor([1, 9, -3])),
    lambda lib: lib.nn.functional.threshold(lib.tensor([1, 2, -3]), 1, 7),
    lambda lib: lib.nn.functional.softsign(lib.tensor([1, 2, -3])),
    lambda lib: lib.nn.functional.tanhshrink(lib.tensor([1, 2, -3])),
], ids=["hardtanh", "relu6", "threshold", "softsign", "tanhshrink"])
def test_integer_inputs_as_torch(call):
    """The activations torch runs on integers: same dtype and values."""
    want, got = call(torch), call(minitorch)
    assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_where_makes_a_number_at_the_result_dtype(dtype):
    """where(c, x, 0.6) in float64 holds 0.6 itself (not 0.6 rounded through float32), on
    either side; the result dtypes of numbers against tensors are torch's."""
    for lib in (torch, minitorch):
        x = lib.tensor([1.0, 2.0, 3.0], dtype=getattr(lib, dtype))
        c = x > 1.5
        got = [lib.where(c, x, 0.6), lib.where(c, 0.6, x)]
        want = np.where([False, True, True], [1.0, 2.0, 3.0], np.asarray(0.6, dtype))
        np.testing.assert_array_equal(got[0].numpy(), want.astype(dtype))
        np.testing.assert_array_equal(got[1].numpy(), np.where([False, True, True],
                                                               np.asarray(0.6, dtype),
                                                               [1.0, 2.0, 3.0]).astype(dtype))
    i = [lib.tensor([1, 2, 3]) for lib in (torch, minitorch)]
    for a, b in [(torch.where(i[0] > 1, i[0], 0.5), minitorch.where(i[1] > 1, i[1], 0.5)),
                 (torch.where(i[0] > 1, 2, i[0]), minitorch.where(i[1] > 1, 2, i[1]))]:
        assert str(b.dtype).split(".")[-1] == str(a.dtype).split(".")[-1]
        np.testing.assert_array_equal(b.numpy(), a.numpy())


INPLACE_FORMS = {
    "leaky_relu": lambda F, x: F.leaky_relu(x, 0.2, inplace=True),
    "elu": lambda F, x: F.elu(x, 0.7, inplace=True),
    "celu": lambda F, x: F.celu(x, 1.5, inplace=True),
    "selu": lambda F, x: F.selu(x, inplace=True),
    "hardtanh": lambda F, x: F.hardtanh(x, -0.5, 0.5, inplace=True),
    "relu6": lambda F, x: F.relu6(x, inplace=True),
    "threshold": lambda F, x: F.threshold(x, 0.1, 2.0, inplace=True),
    "silu": lambda F, x: F.silu(x, inplace=True),
    "mish": lambda F, x: F.mish(x, inplace=True),
    "hardswish": lambda F, x: F.hardswish(x, inplace=True),
    "hardsigmoid": lambda F, x: F.hardsigmoid(x, inplace=True),
}


@pytest.mark.parametrize("name", sorted(INPLACE_FORMS))
def test_inplace_activation_node_and_gradients_match_torch(name, backend):
    """``F.<activation>(x, inplace=True)`` on a non-leaf: the result is x, its node has
    torch's name (``LeakyReluBackward1`` for the in-place forms torch names so), and the
    gradient — taken from the input as it was before it was overwritten — is torch's, on
    every backend."""
    from minitorch.parity import mt_to_np, on_backend, to_minitorch

    x0 = np.random.default_rng(3).standard_normal((3, 5)) * 4
    x0[0, :3] = (0.0, -3.0, 3.0)  # kinks
    got = {}
    for lib, to_lib, to_np in ((torch, torch.from_numpy, lambda t: t.detach().numpy()),
                               (minitorch, to_minitorch(backend), mt_to_np)):
        with on_backend(backend) if lib is minitorch else contextlib.nullcontext():
            leaf = to_lib(x0.copy()).requires_grad_()
            x = leaf * 1
            y = INPLACE_FORMS[name](lib.nn.functional, x)
            assert y is x
            (y * y).sum().backward()
            got[lib.__name__] = (y.grad_fn.name(), to_np(y), to_np(leaf.grad))
    assert got["minitorch"][0] == got["torch"][0]
    np.testing.assert_allclose(got["minitorch"][1], got["torch"][1], rtol=1e-7)
    np.testing.assert_allclose(got["minitorch"][2], got["torch"][2], rtol=1e-7, atol=1e-12)

