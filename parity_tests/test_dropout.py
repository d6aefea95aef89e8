"""Dropout and Dropout2d: masks are random, so against torch we compare what is determined —
eval mode and p = 0 return the input itself, p = 1 gives zeros, kept values are scaled by
1/(1 - p), the gradient equals mask · scale, the node is MulBackward0 — and the mask's
statistics (fraction kept, whole channels for dropout2d), per backend and dtype."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import minitorch
from minitorch.parity import mt_to_np, on_backend, to_minitorch


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
@pytest.mark.parametrize("fn", ["dropout", "dropout2d", "dropout3d"])
def test_scaling_gradient_and_statistics(fn, p, dtype, backend):
    shape = {"dropout2d": (40, 50, 3, 3), "dropout3d": (40, 50, 2, 2, 2)}.get(fn, (200, 100))
    x_np = np.random.default_rng(0).uniform(1, 2, shape).astype(dtype)
    with on_backend(backend):
        minitorch.manual_seed(1)
        x = to_minitorch(backend)(x_np).requires_grad_()
        y = getattr(minitorch.nn.functional, fn)(x, p)
        y.backward(minitorch.ones_like(y))
        out, grad = mt_to_np(y), mt_to_np(x.grad)
        assert y.grad_fn.name() == "MulBackward0"
        assert y.dtype == x.dtype
    kept = out != 0
    scale = 1 / (1 - p)
    np.testing.assert_allclose(out[kept], x_np[kept] * np.asarray(scale, dtype), rtol=1e-6)
    np.testing.assert_allclose(grad, kept * np.asarray(scale, dtype), rtol=1e-6)
    units = kept.reshape(shape[0], shape[1], -1)
    if fn != "dropout":  # a channel is all kept or all dropped
        assert np.all(units.all(-1) == units.any(-1))
        draws, frac = shape[0] * shape[1], units[..., 0].mean()
    else:
        draws, frac = kept.size, kept.mean()
    sigma = np.sqrt(p * (1 - p) / draws)
    assert abs(frac - (1 - p)) < 5 * sigma


def _same_graph_kind(lib, fn, x, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(lib.nn.functional, fn)(x, **kw)


@pytest.mark.parametrize("fn, shape", [("dropout", (3, 4, 2, 2)), ("dropout2d", (3, 4, 2, 2)),
                                       ("dropout3d", (2, 3, 4, 2, 2))])
def test_identity_cases_and_p_one_like_torch(fn, shape, backend):
    for lib in (torch, minitorch):
        with on_backend(backend) if lib is minitorch else warnings.catch_warnings():
            x = lib.randn(*shape, requires_grad=True)
            assert _same_graph_kind(lib, fn, x, p=0.5, training=False) is x
            assert _same_graph_kind(lib, fn, x, p=0.0) is x
            y = _same_graph_kind(lib, fn, x, p=1.0)
            assert not y.detach().abs().sum().item()
            name = y.grad_fn.name() if lib is minitorch else type(y.grad_fn).__name__
            assert name == "MulBackward0"


def test_unbatched_dropout3d_is_a_squeezed_batch_of_one_like_torch(backend):
    """(C, D, H, W) input: unsqueezed, dropped, squeezed back — a new SqueezeBackward1 view
    in eval mode and at p = 0 too, as in torch."""
    for lib in (torch, minitorch):
        with on_backend(backend) if lib is minitorch else warnings.catch_warnings():
            x = lib.randn(3, 4, 2, 2, requires_grad=True)
            for kw in ({"p": 0.5, "training": False}, {"p": 0.0}, {"p": 1.0}):
                y = lib.nn.functional.dropout3d(x, **kw)
                name = y.grad_fn.name() if lib is minitorch else type(y.grad_fn).__name__
                assert name == "SqueezeBackward1" and y is not x and y.shape == x.shape
                assert bool((y == 0).all()) if kw["p"] == 1.0 else bool((y == x).all())


@pytest.mark.parametrize("module", ["Dropout", "Dropout2d", "Dropout3d"])
def test_module_train_eval_and_repr(module):
    for kw in ({}, {"p": 0.3}, {"p": 0.7, "inplace": True}):
        t_mod, m_mod = getattr(torch.nn, module)(**kw), getattr(minitorch.nn, module)(**kw)
        assert repr(m_mod) == repr(t_mod)
        m_mod.eval()
        shape = (2, 3, 4, 4, 4) if module == "Dropout3d" else (2, 3, 4, 4)
        x = minitorch.randn(*shape)
        assert m_mod(x) is x
        m_mod.train()
        minitorch.manual_seed(0)
        out = mt_to_np(m_mod(minitorch.ones(*shape)))
        assert (out == 0).any() and (out != 0).any()


def test_inplace_writes_into_the_input_and_scales():
    minitorch.manual_seed(0)
    x = minitorch.ones(1000)
    y = minitorch.nn.functional.dropout(x, 0.25, inplace=True)
    assert y is x
    values = set(np.unique(mt_to_np(x)).tolist())
    assert values == {0.0, np.float32(1 / 0.75).item()}


def _outcome(lib, fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fn(lib)
        except Exception as e:  # noqa: BLE001 - compared below
            return type(e).__name__, str(e)
    return [str(w.message) for w in caught]


BAD = [
    lambda lib: lib.nn.functional.dropout(lib.ones(3), -0.1),
    lambda lib: lib.nn.functional.dropout(lib.ones(3), 1.5),
    lambda lib: lib.nn.Dropout(2.0),
    lambda lib: lib.nn.Dropout2d(-1.0),
    lambda lib: lib.nn.functional.dropout2d(lib.ones(3), 0.5),
    lambda lib: lib.nn.functional.dropout2d(lib.ones(3, 4), 0.5),
    lambda lib: lib.nn.functional.dropout2d(lib.ones(2, 3, 4), 0.5),
    lambda lib: lib.nn.functional.dropout3d(lib.ones(2, 3, 4), 0.5),
    lambda lib: lib.nn.Dropout3d(1.5),
    lambda lib: lib.nn.functional.dropout(lib.ones(3, requires_grad=True), 0.5, inplace=True),
    lambda lib: lib.nn.functional.dropout(lib.arange(3), 0.5),
]


@pytest.mark.parametrize("i", range(len(BAD)))
def test_bad_arguments_and_warnings_like_torch(i):
    assert _outcome(minitorch, BAD[i]) == _outcome(torch, BAD[i])
