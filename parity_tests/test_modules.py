"""Modules print and name their state exactly as torch does."""

from __future__ import annotations

import pytest
import torch

import minitorch

MODULES = {
    "conv": lambda nn: nn.Conv2d(3, 8, 3),
    "conv_full": lambda nn: nn.Conv2d(4, 8, (3, 2), stride=2, padding=1, dilation=2, groups=2,
                                      bias=False),
    "conv_same_reflect": lambda nn: nn.Conv2d(2, 4, 4, padding="same", padding_mode="reflect"),
    "conv_valid_circular": lambda nn: nn.Conv2d(2, 4, 3, padding="valid",
                                                padding_mode="circular"),
    "conv_replicate": lambda nn: nn.Conv2d(2, 4, 3, padding=(1, 2), padding_mode="replicate"),
    "maxpool": lambda nn: nn.MaxPool2d(2),
    "maxpool_full": lambda nn: nn.MaxPool2d(3, stride=2, padding=1, dilation=2,
                                            return_indices=True, ceil_mode=True),
    "avgpool": lambda nn: nn.AvgPool2d(2),
    "avgpool_full": lambda nn: nn.AvgPool2d((3, 2), stride=(2, 1), padding=1, ceil_mode=True,
                                            count_include_pad=False, divisor_override=2),
    "relu": lambda nn: nn.ReLU(),
    "relu_inplace": lambda nn: nn.ReLU(inplace=True),
    "tanh": lambda nn: nn.Tanh(),
    "sigmoid": lambda nn: nn.Sigmoid(),
    "linear": lambda nn: nn.Linear(5, 3),
    "linear_no_bias": lambda nn: nn.Linear(5, 3, bias=False),
    "flatten": lambda nn: nn.Flatten(),
    "flatten_args": lambda nn: nn.Flatten(0, 2),
    "softmax": lambda nn: nn.Softmax(dim=1),
    "softmax_none": lambda nn: nn.Softmax(),
    "log_softmax": lambda nn: nn.LogSoftmax(dim=-1),
    "cross_entropy": lambda nn: nn.CrossEntropyLoss(),
    "cross_entropy_args": lambda nn: nn.CrossEntropyLoss(ignore_index=3, reduction="sum",
                                                         label_smoothing=0.1),
    "mse": lambda nn: nn.MSELoss(reduction="none"),
    "nll": lambda nn: nn.NLLLoss(),
    "sequential": lambda nn: nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.MaxPool2d(2),
                                           nn.Flatten(), nn.Sequential(nn.Linear(4, 2),
                                                                       nn.Tanh())),
    "tutorial_cnn": lambda nn: nn.Sequential(
        nn.Conv2d(3, 32, 5, 1, 2), nn.MaxPool2d(2), nn.Conv2d(32, 32, 5, 1, 2), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, 1, 2), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1024, 64),
        nn.Linear(64, 10)),
}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_repr_matches_torch(name):
    ours = repr(MODULES[name](minitorch.nn)).replace("minitorch.", "")
    theirs = repr(MODULES[name](torch.nn)).replace("torch.", "")
    assert ours == theirs


@pytest.mark.parametrize("name", sorted(MODULES))
def test_state_dict_keys_and_shapes_match_torch(name):
    ours = MODULES[name](minitorch.nn).state_dict()
    theirs = MODULES[name](torch.nn).state_dict()
    assert list(ours) == list(theirs)
    assert [tuple(v.shape) for v in ours.values()] == [tuple(v.shape) for v in theirs.values()]
    assert [tuple(p.shape) for p in MODULES[name](minitorch.nn).parameters()] == \
        [tuple(p.shape) for p in MODULES[name](torch.nn).parameters()]


def test_weighted_loss_state_dict_has_the_weight_buffer():
    ours = minitorch.nn.CrossEntropyLoss(weight=minitorch.ones(3)).state_dict()
    theirs = torch.nn.CrossEntropyLoss(weight=torch.ones(3)).state_dict()
    assert list(ours) == list(theirs)


def _with_buffers(lib):
    module = lib.nn.Linear(2, 1)
    module.register_buffer("steps", lib.zeros(1), persistent=False)
    module.register_buffer("scale", lib.ones(1))
    return module


def test_non_persistent_buffers_stay_out_of_the_state_dict_as_in_torch():
    """register_buffer(..., persistent=False): a buffer (moved by .to, listed by
    named_buffers) that state_dict and load_state_dict leave out; re-registering it as
    persistent, or deleting it, forgets that."""
    seen = []
    for lib in (torch, minitorch):
        module = _with_buffers(lib)
        keys = list(module.state_dict())
        buffers = [name for name, _ in module.named_buffers()]
        result = module.load_state_dict({k: v for k, v in module.state_dict().items()})
        module.register_buffer("steps", lib.zeros(1))
        again = list(module.state_dict())
        module.register_buffer("gone", lib.zeros(1), persistent=False)
        del module.gone
        module.register_buffer("gone", lib.zeros(1))
        seen.append((keys, buffers, list(result.missing_keys), again,
                     list(module.state_dict())))
    assert seen[1] == seen[0]


@pytest.mark.parametrize("call", [
    lambda L, m: m.register_buffer(3, None), lambda L, m: m.register_buffer("a.b", None),
    lambda L, m: m.register_buffer("", None), lambda L, m: m.register_buffer("weight", None),
    lambda L, m: m.register_buffer("training", None), lambda L, m: m.register_buffer("x", 3),
    lambda L, m: m.register_parameter(3, None), lambda L, m: m.register_parameter("a.b", None),
    lambda L, m: m.register_parameter("", None),
    lambda L, m: m.register_parameter("in_features", None),
    lambda L, m: m.register_parameter("x", L.ones(1)), lambda L, m: m.register_parameter("x", 3),
], ids=["buffer_name_type", "buffer_dot", "buffer_empty", "buffer_taken", "buffer_attribute",
        "buffer_value", "parameter_name_type", "parameter_dot", "parameter_empty",
        "parameter_attribute", "parameter_tensor", "parameter_value"])
def test_registering_a_bad_name_or_value_fails_as_in_torch(call):
    errors = []
    for lib in (torch, minitorch):
        with pytest.raises(Exception) as info:
            call(lib, lib.nn.Linear(1, 1))
        errors.append(info.value)
    assert type(errors[1]) is type(errors[0])
    assert str(errors[1]).replace("minitorch", "torch") == str(errors[0])
