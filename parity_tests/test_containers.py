"""ModuleList, ModuleDict, Softmax, LogSoftmax, Identity against torch: reprs, indexing,
append/extend/insert/delete, state_dict keys and forward values."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import minitorch
from minitorch.parity import mt_to_np


def _both(build):
    return build(torch), build(minitorch)


def _keys(module):
    return list(module.state_dict())


def test_module_list_operations_match_torch():
    def build(lib):
        return lib.nn.ModuleList([lib.nn.Linear(2, 2), lib.nn.Linear(2, 2), lib.nn.ReLU()])

    t_list, m_list = _both(build)
    assert repr(m_list) == repr(t_list)  # (0-1): 2 x Linear(...)
    steps = [
        lambda lib, ml: ml.append(lib.nn.Tanh()),
        lambda lib, ml: ml.extend([lib.nn.Linear(2, 3), lib.nn.Linear(2, 3)]),
        lambda lib, ml: ml.insert(1, lib.nn.Sigmoid()),
        lambda lib, ml: ml.__delitem__(0),
        lambda lib, ml: ml.__delitem__(slice(1, 3)),
        lambda lib, ml: ml.__setitem__(-1, lib.nn.Identity()),
        lambda lib, ml: ml.__iadd__([lib.nn.Softmax(dim=1)]),
        lambda lib, ml: ml.insert(0, lib.nn.LogSoftmax(dim=0)),
        lambda lib, ml: ml.pop(2),
    ]
    for step in steps:
        step(torch, t_list)
        step(minitorch, m_list)
        assert repr(m_list) == repr(t_list)
        assert _keys(m_list) == _keys(t_list)
        assert len(m_list) == len(t_list)
    for ml in (t_list, m_list):  # torch's insert takes no negative index
        with pytest.raises(KeyError):
            ml.insert(-1, minitorch.nn.ReLU())
    assert repr(m_list[1:3]) == repr(t_list[1:3])
    assert repr(m_list[-2]) == repr(t_list[-2])
    assert repr(m_list + m_list[:1]) == repr(t_list + t_list[:1])
    for ml in (t_list, m_list):
        with pytest.raises(IndexError, match="index 10 is out of range"):
            ml[10]
    assert repr(minitorch.nn.ModuleList()) == repr(torch.nn.ModuleList()) == "ModuleList()"


def test_module_dict_operations_match_torch():
    def build(lib):
        return lib.nn.ModuleDict({"conv": lib.nn.Conv2d(1, 2, 3), "act": lib.nn.ReLU()})

    t_dict, m_dict = _both(build)
    assert repr(m_dict) == repr(t_dict)
    assert _keys(m_dict) == _keys(t_dict)
    for lib, md in ((torch, t_dict), (minitorch, m_dict)):
        md["head"] = lib.nn.Linear(3, 1)
        md.update([("norm", lib.nn.BatchNorm2d(2))])
        md.pop("act")
    assert repr(m_dict) == repr(t_dict)
    assert _keys(m_dict) == _keys(t_dict)
    assert list(m_dict) == list(t_dict) == list(m_dict.keys())
    assert ("head" in m_dict) and ("act" not in m_dict)
    assert [type(m).__name__ for m in m_dict.values()] == \
        [type(m).__name__ for m in t_dict.values()]
    with pytest.raises(KeyError):
        m_dict["missing"]
    m_dict.clear()
    assert len(m_dict) == 0 and repr(m_dict) == "ModuleDict()"


def test_containers_register_parameters_for_optimizers():
    class Net(minitorch.nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = minitorch.nn.ModuleList([minitorch.nn.Linear(3, 3) for _ in range(2)])
            self.heads = minitorch.nn.ModuleDict({"a": minitorch.nn.Linear(3, 1)})

        def forward(self, x):
            for block in self.blocks:
                x = block(x)
            return self.heads["a"](x)

    net = Net()
    assert len(list(net.parameters())) == 6
    assert _keys(net) == ["blocks.0.weight", "blocks.0.bias", "blocks.1.weight",
                          "blocks.1.bias", "heads.a.weight", "heads.a.bias"]
    net(minitorch.randn(2, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())


@pytest.mark.parametrize("name,kw", [("Softmax", dict(dim=1)), ("LogSoftmax", dict(dim=-1)),
                                     ("Softmax", {}), ("LogSoftmax", {}), ("Identity", {}),
                                     ("Identity", dict(unused=3))])
def test_activation_modules_match_torch(name, kw):
    """Values, node names and reprs; an implicit softmax dim warns as in torch."""
    t_mod, m_mod = getattr(torch.nn, name)(**kw), getattr(minitorch.nn, name)(**kw)
    assert repr(m_mod) == repr(t_mod)
    x = np.random.default_rng(0).standard_normal((3, 4))
    tx, mx = torch.tensor(x, requires_grad=True), minitorch.tensor(x, requires_grad=True)
    with warnings.catch_warnings(record=True) as t_w:
        warnings.simplefilter("always")
        ty = t_mod(tx)
    with warnings.catch_warnings(record=True) as m_w:
        warnings.simplefilter("always")
        my = m_mod(mx)
    assert [str(w.message) for w in m_w] == [str(w.message) for w in t_w]
    np.testing.assert_allclose(mt_to_np(my), ty.detach().numpy(), rtol=1e-12)
    if name == "Identity":
        assert my is mx
    else:
        assert my.grad_fn.name() == type(ty.grad_fn).__name__


def test_parameter_list_matches_torch():
    """ParameterList: plain tensors become Parameters, other values stay attributes; repr,
    state_dict keys, slicing, gradients through a model that holds one, and its errors."""
    def build(lib):
        lib.manual_seed(0)
        pl = lib.nn.ParameterList([lib.nn.Parameter(lib.ones(2, 3)), lib.zeros(3), "note"])
        pl.append(lib.full((3,), 2.0, dtype=lib.float64))
        pl += [lib.ones(1)]
        return pl

    t_pl, m_pl = _both(build)
    assert repr(m_pl).replace("minitorch.", "torch.") == repr(t_pl)
    assert _keys(m_pl) == _keys(t_pl) == ["0", "1", "3", "4"]
    assert len(m_pl) == len(t_pl) == 5 and m_pl[2] == "note"
    assert type(m_pl[1]).__name__ == "Parameter" and m_pl[1].requires_grad
    assert repr(m_pl[-2:]).replace("minitorch.", "torch.") == repr(t_pl[-2:])
    assert [k for k in dir(m_pl) if k.isdigit()] == []
    grads = []
    for lib, pl in ((torch, t_pl), (minitorch, m_pl)):
        model = lib.nn.Module()
        model.params = pl
        assert [n for n, _ in model.named_parameters()] == ["params.0", "params.1", "params.3",
                                                            "params.4"]
        x = lib.tensor([[1.0, -2.0], [0.5, 3.0]])
        (x @ pl[0] + pl[1]).pow(2).sum().backward()
        grads.append([p.grad for p in (pl[0], pl[1])])
    for got, want in zip(grads[1], grads[0]):
        np.testing.assert_allclose(mt_to_np(got), want.numpy(), rtol=1e-6)
    for bad in (lambda pl: pl(), lambda pl: pl[5], lambda pl: pl.extend(pl[0]),
                lambda pl: pl.__setitem__(-6, None)):
        errors = []
        for pl in (t_pl, m_pl):
            with pytest.raises((RuntimeError, IndexError, TypeError)) as err:
                bad(pl)
            errors.append((type(err.value), str(err.value)))
        assert errors[0] == errors[1]


def test_unflatten_matches_torch():
    t_u, m_u = _both(lambda lib: lib.nn.Unflatten(-1, [2, 3]))
    assert repr(m_u) == repr(t_u)
    x = np.arange(12.0).reshape(2, 6)
    np.testing.assert_array_equal(mt_to_np(m_u(minitorch.tensor(x))),
                                  t_u(torch.tensor(x)).numpy())
    for bad in (3, (2, 3.0), None):
        errors = []
        for lib in (torch, minitorch):
            with pytest.raises(TypeError) as err:
                lib.nn.Unflatten(1, bad)
            errors.append(str(err.value))
        assert errors[0] == errors[1]


@pytest.mark.parametrize("sizes", [(2, 2), (), (-1, 4), (-1, 2), (3, -1), (6,)])
def test_unflatten_sizes_checked_as_torch(sizes):
    """Tensor.unflatten (and so nn.Unflatten): sizes whose product is not the dim's size, or
    no sizes, raise torch's RuntimeError; sizes that fit (one -1 inferred) give its shape."""
    outcomes = []
    for lib in (torch, minitorch):
        try:
            outcomes.append(tuple(lib.zeros(2, 6).unflatten(1, sizes).shape))
        except RuntimeError as err:
            outcomes.append(str(err))
    assert outcomes[0] == outcomes[1]


def test_reassigned_parameter_and_child_keep_their_place_as_torch():
    """Assigning a new Parameter or Module to an existing name keeps its place in
    state_dict / named_children (torch replaces the entry; it does not move it last)."""
    def build(lib):
        seq = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Tanh())
        seq[0].weight = lib.nn.Parameter(lib.zeros(2, 2))
        seq[0] = lib.nn.Linear(2, 2, bias=False)
        return seq

    assert list(build(minitorch).state_dict()) == list(build(torch).state_dict())
    lin_t, lin_m = torch.nn.Linear(2, 2), minitorch.nn.Linear(2, 2)
    lin_t.weight = torch.nn.Parameter(torch.ones(2, 2))
    lin_m.weight = minitorch.nn.Parameter(minitorch.ones(2, 2))
    assert list(lin_m.state_dict()) == list(lin_t.state_dict()) == ["weight", "bias"]
