"""Conv1d and the 1-D pools against torch: reprs, state_dict, outputs and gradients of the
modules (padding modes included), and the 1-D error messages. (The functions' values and
gradients on every backend: the catalogue's ``one_d_cases``.)"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch
from parity_tests.autograd_pairs import assert_module_matches

MODULES = [
    ("Conv1d", (3, 4, 3), {}),
    ("Conv1d", (3, 4, 3), {"stride": 2, "padding": 1, "dilation": 2, "bias": False}),
    ("Conv1d", (4, 4, 4), {"padding": "same", "groups": 2}),
    ("Conv1d", (3, 2, 3), {"padding": 2, "padding_mode": "reflect"}),
    ("Conv1d", (3, 2, 4), {"padding": "same", "padding_mode": "circular"}),
    ("Conv1d", (3, 2, 3), {"padding": 1, "padding_mode": "replicate"}),
    ("MaxPool1d", (2,), {}), ("MaxPool1d", (3, 2, 1, 2), {"ceil_mode": True}),
    ("AvgPool1d", (2,), {}), ("AvgPool1d", (3, 2, 1, True, False), {}),
    ("AdaptiveAvgPool1d", (4,), {}), ("AdaptiveMaxPool1d", (3,), {}),
]


@pytest.mark.parametrize("name,args,kwargs", MODULES, ids=lambda v: str(v))
def test_module_matches_torch(name, args, kwargs):
    x = np.random.default_rng(0).standard_normal((2, args[0] if name == "Conv1d" else 3, 12))
    assert_module_matches(name, args, kwargs, x)


X, W = np.ones((2, 3, 10), np.float32), np.ones((4, 3, 3), np.float32)


def _t(lib, a):
    return lib.tensor(a)


@pytest.mark.parametrize("call", [
    lambda lib, F: F.conv1d(lib.ones(2, 3, 4, 5), _t(lib, W)),
    lambda lib, F: F.conv1d(lib.ones(10), _t(lib, W)),
    lambda lib, F: F.conv1d(_t(lib, X), lib.ones(4, 3, 3, 3)),
    lambda lib, F: F.conv1d(lib.ones(2, 2, 10), _t(lib, W)),
    lambda lib, F: F.conv1d(_t(lib, X), lib.ones(5, 1, 3), groups=3),
    lambda lib, F: F.conv1d(_t(lib, X), _t(lib, W), lib.ones(3)),
    lambda lib, F: F.conv1d(_t(lib, X), lib.ones(4, 3, 13)),
    lambda lib, F: F.conv1d(_t(lib, X), _t(lib, W), stride=0),
    lambda lib, F: F.conv1d(_t(lib, X), _t(lib, W), stride=(1, 1)),
    lambda lib, F: F.conv1d(_t(lib, X), _t(lib, W), padding=-1),
    lambda lib, F: F.conv1d(_t(lib, X), _t(lib, W), dilation=0),
    lambda lib, F: F.conv1d(_t(lib, X), _t(lib, W), padding="same", stride=2),
    lambda lib, F: F.conv1d(_t(lib, X), _t(lib, W), padding="foo"),
    lambda lib, F: F.max_pool1d(lib.ones(2, 3, 4, 5), 2),
    lambda lib, F: F.max_pool1d(_t(lib, X), 11),
    lambda lib, F: F.max_pool1d(_t(lib, X), 2, padding=2),
    lambda lib, F: F.max_pool1d(_t(lib, X), 2, 0),
    lambda lib, F: F.avg_pool1d(lib.ones(2, 3, 4, 5), 2),
    lambda lib, F: F.avg_pool1d(_t(lib, X), 11),
    lambda lib, F: F.avg_pool1d(_t(lib, X), 2, padding=2),
    lambda lib, F: F.adaptive_avg_pool1d(lib.ones(2, 3, 4, 5), 2),
    lambda lib, F: F.adaptive_max_pool1d(lib.ones(2, 3, 4, 5), 2),
], ids=["conv_4d_input", "conv_1d_input", "conv_4d_weight", "conv_channels", "conv_groups",
        "conv_bias", "conv_kernel_too_big", "conv_stride0", "conv_stride_pair",
        "conv_negative_pad", "conv_dilation0", "conv_same_strided", "conv_pad_string",
        "maxpool_4d", "maxpool_too_small", "maxpool_pad", "maxpool_stride0", "avgpool_4d",
        "avgpool_too_small", "avgpool_pad", "adaptive_avg_4d", "adaptive_max_4d"])
def test_bad_arguments_raise_torchs_error(call):
    with pytest.raises(Exception) as want:
        call(torch, torch.nn.functional)
    with pytest.raises(type(want.value)) as got:
        call(minitorch, minitorch.nn.functional)
    assert str(got.value) == str(want.value)


def test_conv1d_is_not_a_conv2d():
    """The modules are siblings, as in torch: code that special-cases nn.Conv2d (an init, a
    summary) does not take a Conv1d for one."""
    assert not isinstance(minitorch.nn.Conv1d(1, 1, 1), minitorch.nn.Conv2d)
    assert not isinstance(minitorch.nn.MaxPool1d(2), minitorch.nn.MaxPool2d)
    assert not isinstance(minitorch.nn.AdaptiveMaxPool2d(2), minitorch.nn.AdaptiveAvgPool2d)
