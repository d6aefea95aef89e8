"""ConvTranspose1d/2d against torch: reprs, state_dict, outputs and all gradients of the
modules, ``output_size``, and the errors of bad arguments. (The functions' values and
gradients on every backend: the catalogue's ``conv_transpose_cases``.)"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch
from parity_tests.autograd_pairs import assert_module_matches

MODULES = [
    ("ConvTranspose2d", (3, 4, 3), {}),
    ("ConvTranspose2d", (3, 4, 3), {"stride": 2, "padding": 1, "output_padding": 1}),
    ("ConvTranspose2d", (4, 6, (2, 3)), {"groups": 2, "bias": False, "dilation": 2}),
    ("ConvTranspose2d", (2, 3, 4), {"stride": (2, 3), "padding": (1, 0)}),
    ("ConvTranspose1d", (3, 4, 3), {"stride": 2, "padding": 1, "output_padding": 1}),
]


@pytest.mark.parametrize("name,args,kwargs", MODULES, ids=lambda v: str(v))
def test_module_matches_torch(name, args, kwargs):
    shape = (2, args[0], 5, 6) if name.endswith("2d") else (2, args[0], 7)
    assert_module_matches(name, args, kwargs, np.random.default_rng(0).standard_normal(shape))


@pytest.mark.parametrize("output_size", [None, [10, 10], [9, 9], [9, 10], [1, 4, 10, 9]])
def test_output_size_picks_the_output_padding(output_size):
    t = torch.nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1).double()
    m = minitorch.nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1).double()
    m.load_state_dict({k: minitorch.tensor(v.numpy()) for k, v in t.state_dict().items()})
    x = np.random.default_rng(2).standard_normal((1, 3, 5, 5))
    want = t(torch.tensor(x), output_size=output_size).detach().numpy()
    got = m(minitorch.tensor(x), output_size=output_size).detach().numpy()
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-10)


X, W = np.ones((2, 3, 5, 5)), np.ones((3, 4, 3, 3))


@pytest.mark.parametrize("call", [
    lambda lib, F: F.conv_transpose2d(lib.ones(2, 2, 5, 5, dtype=lib.float64), lib.tensor(W)),
    lambda lib, F: F.conv_transpose2d(lib.tensor(X), lib.ones(3, 2, 3, 3, dtype=lib.float64),
                                      groups=2),
    lambda lib, F: F.conv_transpose2d(lib.tensor(X), lib.tensor(W), lib.ones(3, dtype=lib.float64)),
    lambda lib, F: F.conv_transpose2d(lib.tensor(X), lib.tensor(W), None, 2, 1, 2),
    lambda lib, F: F.conv_transpose2d(lib.tensor(X), lib.tensor(W), padding="same"),
    lambda lib, F: F.conv_transpose2d(lib.tensor(X), lib.tensor(W), padding=-1),
    lambda lib, F: F.conv_transpose2d(lib.tensor(X), lib.tensor(W), stride=0),
    lambda lib, F: F.conv_transpose2d(lib.ones(1, 2, 3, 5, 5), lib.tensor(W)),
    lambda lib, F: F.conv_transpose2d(lib.ones(1, 3, 1, 1, dtype=lib.float64), lib.tensor(W),
                                      padding=3),
    lambda lib, F: F.conv_transpose2d(lib.tensor(X), lib.tensor(W).float()),
    lambda lib, F: lib.nn.ConvTranspose2d(3, 4, 3, padding_mode="reflect"),
    lambda lib, F: lib.nn.ConvTranspose2d(3, 4, 3, stride=2)(lib.ones(1, 3, 5, 5),
                                                              output_size=[13, 13]),
], ids=["channels", "groups", "bias", "output_padding", "padding_string", "negative_padding",
        "stride0", "5d_input", "output_too_small", "dtypes", "padding_mode", "output_size"])
def test_bad_arguments_raise_torchs_error(call):
    with pytest.raises(Exception) as want:
        call(torch, torch.nn.functional)
    with pytest.raises(type(want.value)) as got:
        call(minitorch, minitorch.nn.functional)
    # the message's shape is printed as the library prints a shape
    assert str(got.value) == str(want.value).replace("torch.Size", "minitorch.Size")
