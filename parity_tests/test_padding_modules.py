"""The padding modules (``nn/padding.py``) against torch's: repr, the padded values and the
gradient, for every mode and number of padded dims, on every backend; class relations as
torch's (ZeroPad2d is a ConstantPad2d; ReflectionPad2d is not a ReflectionPad1d); torch's
errors for bad padding."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
import torch

import minitorch
from minitorch.parity import mt_to_np, on_backend, to_minitorch

MODULES = [
    ("ZeroPad1d", ((1, 2),), (2, 3, 5)), ("ZeroPad2d", ((1, 1, 2, 0),), (2, 3, 4, 5)),
    ("ZeroPad2d", (2,), (3, 4, 5)), ("ZeroPad3d", (1,), (1, 2, 3, 3, 3)),
    ("ConstantPad1d", (2, 3.5), (2, 3, 5)), ("ConstantPad2d", ((0, 1, 2, 3), -1.0), (1, 2, 3, 4)),
    ("ConstantPad3d", ((1, 0, 0, 1, 1, 1), 2.0), (1, 2, 3, 3, 3)),
    ("ReflectionPad1d", (2,), (2, 3, 5)), ("ReflectionPad2d", ((1, 2, 2, 1),), (2, 3, 4, 5)),
    ("ReflectionPad2d", (1,), (3, 4, 5)), ("ReplicationPad1d", ((3, 1),), (2, 3, 5)),
    ("ReplicationPad2d", (2,), (1, 2, 4, 5)), ("ReplicationPad3d", (1,), (1, 2, 3, 3, 3)),
    ("CircularPad1d", ((2, 1),), (2, 3, 5)), ("CircularPad2d", (1,), (1, 2, 4, 5)),
]


@pytest.mark.parametrize("name,args,shape", MODULES, ids=lambda v: str(v))
def test_padding_module_matches_torch(name, args, shape, backend):
    x0 = np.random.default_rng(0).standard_normal(shape)
    got = {}
    for lib, to_lib, to_np in ((torch, torch.from_numpy, lambda t: t.detach().numpy()),
                               (minitorch, to_minitorch(backend), mt_to_np)):
        with on_backend(backend) if lib is minitorch else contextlib.nullcontext():
            module = getattr(lib.nn, name)(*args)
            x = to_lib(x0.copy()).requires_grad_()
            y = module(x)
            (y * y.detach() + y).sum().backward()  # a gradient that differs per position
            got[lib.__name__] = (repr(module), to_np(y), to_np(x.grad))
    assert got["minitorch"][0] == got["torch"][0]
    for ours, want in zip(got["minitorch"][1:], got["torch"][1:]):
        np.testing.assert_allclose(ours, want, rtol=1e-12)


def test_class_relations_as_torch():
    for a, b in (("ZeroPad2d", "ConstantPad2d"), ("ReflectionPad2d", "ReflectionPad1d"),
                 ("ReplicationPad1d", "ReflectionPad1d"), ("ZeroPad1d", "ConstantPad1d")):
        assert issubclass(getattr(minitorch.nn, a), getattr(minitorch.nn, b)) == \
            issubclass(getattr(torch.nn, a), getattr(torch.nn, b))


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.ReflectionPad1d(3)(lib.zeros(1, 2, 3)),
    lambda lib: lib.nn.ZeroPad2d((1, 2, 3))(lib.zeros(1, 2, 3, 3)),
    lambda lib: lib.nn.ReplicationPad2d(1)(lib.zeros(3)),
], ids=["reflect_too_wide", "odd_padding", "rank"])
def test_bad_padding_raises_torchs_error_type(make):
    errors = []
    for lib in (torch, minitorch):
        with pytest.raises(Exception) as info:
            make(lib)
        errors.append(type(info.value))
    assert errors[0] is errors[1]
