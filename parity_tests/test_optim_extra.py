"""Adadelta, Adagrad, RMSprop, AdamW, Adamax, NAdam, RAdam, Rprop, ASGD (and SGD/Adam's
remaining options)
against torch: the same model, data and hyper-parameters, parameters after every step and
optimizer state at the end, per backend; state_dict layout and the hyper-parameter errors."""

from __future__ import annotations

import pytest
import torch

import minitorch
from minitorch.parity import mt_to_np
from parity_tests.optim_pairs import as_torch, assert_params_close, lockstep, small_model

CONFIGS = [
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1)),
    ("Adadelta", dict(maximize=True)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.05, lr_decay=0.1, weight_decay=0.05, initial_accumulator_value=0.2)),
    ("Adagrad", dict(lr=0.05, eps=1e-6, maximize=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.005, alpha=0.9, momentum=0.8)),
    ("RMSprop", dict(lr=0.005, centered=True, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.005, momentum=0.5, centered=True, maximize=True)),
    ("AdamW", dict()),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.01, betas=(0.8, 0.9), maximize=True)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, maximize=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.5, weight_decay=0.01)),
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.01, betas=(0.8, 0.9), eps=1e-4, weight_decay=0.1)),
    ("Adamax", dict(lr=0.01, maximize=True)),
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.01, betas=(0.8, 0.95), momentum_decay=0.05, weight_decay=0.1)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict()),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.08))),
    ("Rprop", dict(lr=0.02, maximize=True)),
    ("ASGD", dict()),
    ("ASGD", dict(lr=0.05, lambd=0.1, alpha=0.5, t0=2, weight_decay=0.05)),
    ("ASGD", dict(lr=0.05, t0=0, maximize=True)),
]
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}" for n, kw in CONFIGS]
STEPS = 5
TOL = {"float32": dict(rtol=2e-5, atol=2e-6), "float64": dict(rtol=1e-9, atol=1e-10)}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_optimizer_params_and_state_match_torch(name, kw, dtype, backend):
    _params_and_state_match_torch(name, kw, dtype, backend, STEPS)


# RAdam's rectified step starts once ρₜ > 5: at step 6 with β2 = 0.9, step 7 with β2 = 0.999
LONG = [("RAdam", dict(lr=0.01, betas=(0.8, 0.9))),
        ("RAdam", dict(lr=0.01, weight_decay=0.05, decoupled_weight_decay=True)),
        ("NAdam", dict(lr=0.01, momentum_decay=0.1))]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kw", LONG, ids=[f"{n}-{kw}" for n, kw in LONG])
def test_longer_runs_match_torch(name, kw, dtype, backend):
    _params_and_state_match_torch(name, kw, dtype, backend, 12)


def _params_and_state_match_torch(name, kw, dtype, backend, steps):
    for step, torch_pair, mini_pair in lockstep(name, kw, dtype, backend, steps,
                                                data_seed=11, weight_seed=5):
        assert_params_close(torch_pair[0], mini_pair[0], step, **TOL[dtype])
    t_opt, m_opt = torch_pair[1], mini_pair[1]
    # the state after the last step (centered RMSprop in float32 subtracts nearly equal
    # numbers, so a mid-run element can differ by more than the tolerance and recover)
    t_sd, m_sd = t_opt.state_dict(), m_opt.state_dict()
    assert m_sd["param_groups"] == t_sd["param_groups"]
    assert set(m_sd["state"]) == set(t_sd["state"])
    for i, t_state in t_sd["state"].items():
        assert set(m_sd["state"][i]) == set(t_state), i
        for key, want in t_state.items():
            got = m_sd["state"][i][key]
            assert isinstance(got, minitorch.Tensor)
            if key in ("step", "mu_product", "eta", "mu"):
                assert got.dtype == minitorch.float32 and got.ndim == 0
            torch.testing.assert_close(as_torch(got), want, **TOL[dtype])


ROUND_TRIP = CONFIGS[:13:3] + CONFIGS[19:27:3] + [("NAdam", dict(decoupled_weight_decay=True,
                                                                  weight_decay=0.1))] \
    + CONFIGS[27:]


@pytest.mark.parametrize("name,kw", ROUND_TRIP, ids=[f"{n}-{kw}" for n, kw in ROUND_TRIP])
def test_state_dict_round_trip_continues_like_torch(name, kw):
    """Two steps, save, a fresh optimizer loads it, two more steps: same as torch's."""
    torch.manual_seed(2)
    tm = small_model(torch).double()
    mm = small_model(minitorch).double()
    mm.load_state_dict({k: minitorch.tensor(v.detach().numpy())
                        for k, v in tm.state_dict().items()})
    x = torch.randn(4, 5, dtype=torch.float64)
    runs = []
    for lib, model, xs in ((torch, tm, x), (minitorch, mm, minitorch.tensor(x.numpy()))):
        opt = getattr(lib.optim, name)(model.parameters(), **kw)
        for i in range(4):
            if i == 2:
                saved = opt.state_dict()
                opt = getattr(lib.optim, name)(model.parameters(), **kw)
                opt.load_state_dict(saved)
            opt.zero_grad()
            (model(xs) ** 2).sum().backward()
            opt.step()
        runs.append([p.detach() for p in model.parameters()])
    for tp, mp in zip(*runs):
        torch.testing.assert_close(as_torch(mp), tp, rtol=1e-10, atol=1e-12)


BAD = [("Adadelta", dict(lr=-1)), ("Adadelta", dict(rho=1.5)), ("Adadelta", dict(eps=-1)),
       ("Adadelta", dict(weight_decay=-1)), ("Adagrad", dict(lr_decay=-1)),
       ("Adagrad", dict(initial_accumulator_value=-1)), ("Adagrad", dict(eps=-1)),
       ("RMSprop", dict(alpha=-1)), ("RMSprop", dict(momentum=-1)),
       ("RMSprop", dict(weight_decay=-0.5)), ("AdamW", dict(betas=(1.0, 0.9))),
       ("AdamW", dict(betas=(0.9, -0.1))), ("AdamW", dict(lr=-0.1)),
       ("Adamax", dict(lr=-1)), ("Adamax", dict(eps=-1)), ("Adamax", dict(betas=(0.9, 1.0))),
       ("Adamax", dict(weight_decay=-1)), ("NAdam", dict(betas=(-0.1, 0.9))),
       ("NAdam", dict(momentum_decay=-1)), ("NAdam", dict(weight_decay=-1, momentum_decay=-1)),
       ("RAdam", dict(lr=-0.5)), ("RAdam", dict(betas=(0.9, 1.5))),
       ("RAdam", dict(weight_decay=-0.1)), ("Rprop", dict(lr=-1)),
       ("Rprop", dict(etas=(1.0, 1.2))), ("Rprop", dict(etas=(0.5, 0.9))),
       ("ASGD", dict(lr=-0.1)), ("ASGD", dict(weight_decay=-1))]


@pytest.mark.parametrize("name,kw", BAD, ids=[f"{n}-{kw}" for n, kw in BAD])
def test_bad_hyper_parameters_raise_like_torch(name, kw):
    with pytest.raises(ValueError) as want:
        getattr(torch.optim, name)([torch.nn.Parameter(torch.zeros(2))], **kw)
    with pytest.raises(ValueError) as got:
        getattr(minitorch.optim, name)([minitorch.nn.Parameter(minitorch.zeros(2))], **kw)
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adagrad"])
@pytest.mark.parametrize("flags", [dict(fused=True, foreach=True),
                                   dict(fused=True, differentiable=True)])
def test_incompatible_implementation_flags_raise_like_torch(name, flags):
    with pytest.raises(RuntimeError) as want:
        getattr(torch.optim, name)([torch.nn.Parameter(torch.zeros(2))], **flags)
    with pytest.raises(RuntimeError) as got:
        getattr(minitorch.optim, name)([minitorch.nn.Parameter(minitorch.zeros(2))], **flags)
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("name", ["SGD", "Adam", "Adadelta", "RMSprop", "Adamax", "NAdam",
                                  "RAdam", "Rprop", "ASGD"])
def test_differentiable_updates_are_refused_not_ignored(name):
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        getattr(minitorch.optim, name)([minitorch.nn.Parameter(minitorch.zeros(2))],
                                       differentiable=True)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adagrad"])
def test_fused_and_foreach_give_the_same_steps(name):
    """The flags only pick torch's loop; the update is the same."""
    runs = []
    for flags in ({}, {"fused": True}, {"foreach": True}):
        p = minitorch.nn.Parameter(minitorch.tensor([1.0, -2.0, 3.0]))
        opt = getattr(minitorch.optim, name)([p], lr=0.1, **flags)
        for _ in range(3):
            opt.zero_grad()
            (p * p).sum().backward()
            opt.step()
        runs.append(mt_to_np(p).tolist())
        assert all(opt.param_groups[0][k] is v for k, v in flags.items())
    assert runs[0] == runs[1] == runs[2]


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adadelta", "Adagrad", "RMSprop",
                                  "Adamax", "NAdam", "RAdam", "Rprop", "ASGD", "LBFGS"])
def test_repr_and_defaults_match_torch(name):
    t_opt = getattr(torch.optim, name)([torch.nn.Parameter(torch.zeros(2))], lr=0.1)
    m_opt = getattr(minitorch.optim, name)([minitorch.nn.Parameter(minitorch.zeros(2))], lr=0.1)
    assert repr(m_opt) == repr(t_opt)
    assert m_opt.defaults == t_opt.defaults
    t_sd, m_sd = t_opt.state_dict(), m_opt.state_dict()
    assert m_sd["param_groups"] == t_sd["param_groups"]
    assert set(m_sd["state"]) == set(t_sd["state"])  # Adagrad's state exists from the start
