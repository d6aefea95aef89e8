"""The composed functional ops (``nn/functional_composed.py``) and their modules beyond the
catalogue's values and gradients: torch's errors word for word, module reprs, in-place."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch

LIBS = (torch, minitorch)

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
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors_match_torch(name):
    caught = []
    for lib in LIBS:
        with pytest.raises(Exception) as err:
            ERRORS[name](lib)
        caught.append((type(err.value), str(err.value)))
    assert caught[1] == caught[0]


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
                  lambda L: L.nn.AdaptiveMaxPool2d((2, 3), return_indices=True)):
        assert repr(build(minitorch)) == repr(build(torch))
    outs = []
    for lib in LIBS:
        x = lib.tensor([[-1.5, 0.0, 2.0]])
        y = lib.nn.SiLU(inplace=True)(x)
        assert y is x
        outs.append(x.numpy())
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-6)
