"""The composed functional ops (``nn/functional_composed.py``) and their modules beyond the
catalogue's values and gradients: torch's errors word for word, module reprs, in-place."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
import torch

import minitorch
from minitorch.parity import mt_to_np, on_backend, to_minitorch

LIBS = (torch, minitorch)


def _np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else mt_to_np(t)

ERRORS = {
    "one_hot_negative": lambda L: L.nn.functional.one_hot(L.tensor([0, -1, 1])),
    "one_hot_too_large": lambda L: L.nn.functional.one_hot(L.tensor([0, 3, 1]), 3),
    "one_hot_negative_classes": lambda L: L.nn.functional.one_hot(L.tensor([0, 3]), -2),
    "one_hot_float": lambda L: L.nn.functional.one_hot(L.tensor([0.0, 1.0])),
    "one_hot_bool": lambda L: L.nn.functional.one_hot(L.tensor([True])),
    "one_hot_empty": lambda L: L.nn.functional.one_hot(L.zeros(0, dtype=L.long)),
    "normalize_long": lambda L: L.nn.functional.normalize(L.tensor([3, 4])),
    "normalize_0d": lambda L: L.nn.functional.normalize(L.tensor(3.0)),
    "normalize_bad_dim": lambda L: L.nn.functional.normalize(L.ones(2, 3), dim=2),
    "gelu_approximate": lambda L: L.nn.functional.gelu(L.ones(2), approximate="fast"),
    "gelu_module_approximate": lambda L: L.nn.GELU("exact")(L.ones(2)),
    "gelu_long": lambda L: L.nn.functional.gelu(L.tensor([1, 2])),
    "silu_long": lambda L: L.nn.functional.silu(L.tensor([1, 2])),
    "aap_2d": lambda L: L.nn.functional.adaptive_avg_pool2d(L.ones(2, 5), 2),
    "aap_5d": lambda L: L.nn.functional.adaptive_avg_pool2d(L.ones(1, 2, 3, 5, 6), 2),
    "aap_long_tuple": lambda L: L.nn.functional.adaptive_avg_pool2d(L.ones(2, 5, 7), (2, 3, 4)),
    "aap_negative": lambda L: L.nn.functional.adaptive_avg_pool2d(L.ones(2, 5, 7), (2, -1)),
    "aap_empty_dim": lambda L: L.nn.functional.adaptive_avg_pool2d(L.ones(2, 0, 7), 2),
    "aap_long": lambda L: L.nn.AdaptiveAvgPool2d(2)(L.ones(1, 2, 5, 7, dtype=L.long)),
    "amp_2d": lambda L: L.nn.functional.adaptive_max_pool2d(L.ones(2, 5), 2),
    "amp_negative": lambda L: L.nn.functional.adaptive_max_pool2d(L.ones(2, 5, 7), -1),
    "amp_long": lambda L: L.nn.AdaptiveMaxPool2d(2)(L.ones(2, 5, 7, dtype=L.long)),
    "ln_input_shape": lambda L: L.nn.functional.layer_norm(L.ones(2, 3), (2, 3, 4)),
    "ln_weight_shape": lambda L: L.nn.functional.layer_norm(L.ones(2, 3), (3,), L.ones(4)),
    "ln_bias_shape": lambda L: L.nn.functional.layer_norm(L.ones(2, 3), [3], None, L.ones(2)),
    "ln_int_shape": lambda L: L.nn.functional.layer_norm(L.ones(2, 3), 3),
    "ln_empty_shape": lambda L: L.nn.functional.layer_norm(L.ones(2, 3), []),
    "ln_long": lambda L: L.nn.LayerNorm(3)(L.ones(2, 3, dtype=L.long)),
    "ln_long_no_affine": lambda L: L.nn.functional.layer_norm(L.ones(2, 3, dtype=L.long), [3]),
    "ln_weight_dtype": lambda L: L.nn.functional.layer_norm(L.ones(2, 3, dtype=L.float64), [3],
                                                            L.ones(3)),
    "ln_bias_dtype": lambda L: L.nn.functional.layer_norm(L.ones(2, 3), [3], L.ones(3),
                                                          L.ones(3, dtype=L.float64)),
    "ln_float_in_shape": lambda L: L.nn.functional.layer_norm(L.ones(2, 3), [3.0]),
    "ln_str_in_shape": lambda L: L.nn.functional.layer_norm(L.ones(2, 3), (3, "a")),
    "rms_input_shape": lambda L: L.nn.functional.rms_norm(L.ones(2, 3), (2, 4)),
    "rms_input_ndim": lambda L: L.nn.functional.rms_norm(L.ones(2, 3), (1, 2, 3)),
    "rms_weight_shape": lambda L: L.nn.functional.rms_norm(L.ones(2, 3), (3,), L.ones(4)),
    "rms_weight_before_ndim": lambda L: L.nn.functional.rms_norm(L.ones(3), (1, 3), L.ones(2)),
    "rms_int_shape": lambda L: L.nn.functional.rms_norm(L.ones(2, 3), 3),
    "rms_float_in_shape": lambda L: L.nn.functional.rms_norm(L.ones(2, 3), [3.0]),
    "rms_empty_shape": lambda L: L.nn.functional.rms_norm(L.ones(2, 3), []),
    "rms_long": lambda L: L.nn.RMSNorm(3)(L.ones(2, 3, dtype=L.long)),
    "rms_bool_no_affine": lambda L: L.nn.functional.rms_norm(L.ones(2, 3, dtype=L.bool), [3]),
    "rms_module_shape": lambda L: L.nn.RMSNorm([2, 3])(L.ones(3, 2)),
    "emb_float_index": lambda L: L.nn.functional.embedding(L.tensor([1.0]), L.ones(4, 3)),
    "emb_index_high": lambda L: L.nn.functional.embedding(L.tensor([1, 4]), L.ones(4, 3)),
    "emb_index_negative": lambda L: L.nn.Embedding(4, 3)(L.tensor([[1, -1]])),
    "emb_padding_high": lambda L: L.nn.functional.embedding(L.tensor([1]), L.ones(4, 3),
                                                            padding_idx=4),
    "emb_padding_low": lambda L: L.nn.Embedding(4, 3, padding_idx=-5),
    "emb_weight_1d": lambda L: L.nn.functional.embedding(L.tensor([1]), L.ones(4)),
    "emb_weight_shape": lambda L: L.nn.Embedding(4, 3, _weight=L.ones(3, 4)),
    "emb_pretrained_1d": lambda L: L.nn.Embedding.from_pretrained(L.ones(4)),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors_match_torch(name):
    caught = []
    for lib in LIBS:
        with pytest.raises(Exception) as err:
            ERRORS[name](lib)
        caught.append((type(err.value), str(err.value).replace("minitorch.", "torch.")))
    assert caught[1] == caught[0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rms_norm_default_eps_and_mixed_dtypes_match_torch(dtype):
    """eps=None is the machine epsilon of the input's dtype (it decides the result of an
    all-zero row); a weight of another dtype is multiplied in its dtype and the result cast
    back to the input's (ToCopyBackward0 on top), as torch does."""
    x0 = np.random.default_rng(4).standard_normal((3, 4)).astype(dtype)
    x0[1] = 1e-5  # mean(x²) = 1e-10: the eps in the root matters
    other = "float64" if dtype == "float32" else "float32"
    w0 = np.linspace(0.5, 2.0, 4).astype(other)
    runs = []
    for lib in LIBS:
        x = lib.tensor(x0, requires_grad=True)
        w = lib.tensor(w0, requires_grad=True)
        plain = lib.nn.functional.rms_norm(x, [4])
        mixed = lib.nn.functional.rms_norm(x, (4,), w)
        (plain.sum() + (mixed * mixed).sum()).backward()
        runs.append((str(mixed.dtype).split(".")[-1], type(mixed.grad_fn).__name__
                     if lib is torch else mixed.grad_fn.name(),
                     [_np(t) for t in (plain, mixed, x.grad, w.grad)]))
    assert runs[1][:2] == runs[0][:2]
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-12, atol=1e-12)
    for got, want in zip(runs[1][2], runs[0][2]):
        np.testing.assert_allclose(got, want, **tol)


def test_one_hot_shapes_and_dtype():
    for idx, n in (([[0, 2], [1, 1]], -1), (3, 5), ([], 4)):
        got, want = (lib.nn.functional.one_hot(lib.tensor(idx, dtype=lib.long), n)
                     for lib in (minitorch, torch))
        assert got.dtype is minitorch.int64 and tuple(got.shape) == tuple(want.shape)
        np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_adaptive_pool_empty_shapes():
    for build in (lambda L: L.nn.functional.adaptive_avg_pool2d(L.ones(2, 5, 7), 0),
                  lambda L: L.nn.functional.adaptive_avg_pool2d(L.ones(0, 2, 5, 7), 2),
                  lambda L: L.nn.functional.adaptive_max_pool2d(L.ones(2, 5, 7), (0, 3))):
        assert tuple(build(minitorch).shape) == tuple(build(torch).shape)


def test_module_reprs_and_silu_inplace():
    for build in (lambda L: L.nn.GELU(), lambda L: L.nn.GELU(approximate="tanh"),
                  lambda L: L.nn.SiLU(), lambda L: L.nn.SiLU(inplace=True),
                  lambda L: L.nn.AdaptiveAvgPool2d((2, None)), lambda L: L.nn.AdaptiveAvgPool2d(3),
                  lambda L: L.nn.AdaptiveMaxPool2d((2, 3), return_indices=True),
                  lambda L: L.nn.LayerNorm(4), lambda L: L.nn.LayerNorm(4, bias=False),
                  lambda L: L.nn.LayerNorm([2, 3], eps=1e-3, elementwise_affine=False),
                  lambda L: L.nn.RMSNorm(4), lambda L: L.nn.RMSNorm([2, 3], eps=1e-3),
                  lambda L: L.nn.RMSNorm((5,), elementwise_affine=False),
                  lambda L: L.nn.Embedding(10, 3), lambda L: L.nn.Embedding(10, 3, -1),
                  lambda L: L.nn.Embedding(10, 3, max_norm=1.0, norm_type=1.0,
                                           scale_grad_by_freq=True, sparse=True)):
        assert repr(build(minitorch)) == repr(build(torch))
    outs = []
    for lib in LIBS:
        x = lib.tensor([[-1.5, 0.0, 2.0]])
        y = lib.nn.SiLU(inplace=True)(x)
        assert y is x
        outs.append(x.numpy())
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-6)


def test_layer_norm_and_embedding_state():
    """state_dict keys and initial values: LayerNorm γ = 1, β = 0; Embedding's padding row
    0; from_pretrained keeps the table and freezes it."""
    for build, keys in ((lambda L: L.nn.LayerNorm((2, 3)), ["weight", "bias"]),
                        (lambda L: L.nn.LayerNorm(3, bias=False), ["weight"]),
                        (lambda L: L.nn.LayerNorm(3, elementwise_affine=False), []),
                        (lambda L: L.nn.Embedding(4, 2, padding_idx=-1), ["weight"])):
        got, want = build(minitorch).state_dict(), build(torch).state_dict()
        assert list(got) == list(want) == keys
        for k in keys:
            assert tuple(got[k].shape) == tuple(want[k].shape)
    emb = minitorch.nn.Embedding(4, 2, padding_idx=-1)
    assert emb.padding_idx == 3 and float(emb.weight[3].abs().sum()) == 0.0
    assert float(emb.weight[:3].abs().sum()) > 0
    table = minitorch.tensor([[1.0, 2.0], [3.0, 4.0]])
    frozen = minitorch.nn.Embedding.from_pretrained(table)
    assert not frozen.weight.requires_grad and repr(frozen) == "Embedding(2, 2)"
    np.testing.assert_array_equal(frozen(minitorch.tensor([1, 1])).numpy(), [[3, 4], [3, 4]])


def test_normalize_zero_rows_value_and_gradient(backend):
    """Rows of exact zeros stay 0 and their gradient is g / eps, as in torch (the norm's
    gradient at 0 is taken as 0)."""
    x = np.random.default_rng(3).standard_normal((3, 4))
    x[1] = 0.0
    g = np.random.default_rng(4).standard_normal((3, 4))
    results = []
    for lib, convert in ((torch, torch.from_numpy), (minitorch, to_minitorch(backend))):
        with on_backend(backend) if lib is minitorch else contextlib.nullcontext():
            t = convert(x.copy()).requires_grad_()
            y = lib.nn.functional.normalize(t, dim=1, eps=1e-6)
            y.backward(convert(g.copy()))
            results.append((_np(y), _np(t.grad)))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-9)


KEYWORD_CALLS = {  # every argument by torch's keyword name
    "one_hot": lambda L, x, i: L.nn.functional.one_hot(input=i, num_classes=5),
    "normalize": lambda L, x, i: L.nn.functional.normalize(input=x, p=3.0, dim=0, eps=1e-6),
    "gelu": lambda L, x, i: L.nn.functional.gelu(input=x, approximate="tanh"),
    "silu": lambda L, x, i: L.nn.functional.silu(input=x, inplace=False),
    "adaptive_avg_pool2d": lambda L, x, i: L.nn.functional.adaptive_avg_pool2d(
        input=x.reshape(1, 2, 3), output_size=(1, 2)),
    "adaptive_max_pool2d": lambda L, x, i: L.nn.functional.adaptive_max_pool2d(
        input=x.reshape(1, 2, 3), output_size=2, return_indices=True),
    "layer_norm": lambda L, x, i: L.nn.functional.layer_norm(
        input=x, normalized_shape=(3,), weight=x[0], bias=x[1], eps=1e-3),
    "embedding": lambda L, x, i: L.nn.functional.embedding(
        input=i, weight=x.reshape(6, 1).repeat(1, 2), padding_idx=1, max_norm=None,
        norm_type=2.0, scale_grad_by_freq=False, sparse=False),
    "remainder": lambda L, x, i: L.remainder(input=x, other=0.7),
    "fmod": lambda L, x, i: L.fmod(input=x, other=0.7),
    "floor_divide": lambda L, x, i: L.floor_divide(input=x, other=0.7),
    "div": lambda L, x, i: L.div(input=x, other=0.7, rounding_mode="trunc"),
    "erf": lambda L, x, i: L.erf(input=x),
    "parameters_to_vector": lambda L, x, i: L.nn.utils.parameters_to_vector(parameters=[x, x]),
}


@pytest.mark.parametrize("name", KEYWORD_CALLS)
def test_keyword_arguments_match_torch(name):
    x = np.array([[0.5, -1.25, 2.0], [1.5, 0.25, -0.75]])
    i = np.array([[0, 4, 1], [1, 1, 3]])
    got = KEYWORD_CALLS[name](minitorch, minitorch.tensor(x), minitorch.tensor(i))
    want = KEYWORD_CALLS[name](torch, torch.from_numpy(x), torch.from_numpy(i))
    for g, w in zip(got if isinstance(got, tuple) else (got,),
                    want if isinstance(want, tuple) else (want,)):
        np.testing.assert_allclose(_np(g), _np(w), rtol=1e-12, atol=1e-12)
