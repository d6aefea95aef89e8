"""Learning-rate schedules against torch: the same schedule on both libraries gives exactly
the same float sequence of learning rates (and momenta, for OneCycleLR), the same
state_dict, warnings and errors."""

from __future__ import annotations

import math
import warnings

import pytest
import torch

import minitorch


def _optimizers(kind="SGD", groups=1, **kw):
    """The same optimizer in both libraries, with ``groups`` parameter groups."""
    out = []
    for lib in (torch, minitorch):
        params = [{"params": [lib.nn.Parameter(lib.zeros(2))], "lr": 0.1 * (i + 1)}
                  for i in range(groups)]
        out.append(getattr(lib.optim, kind)(params, **kw))
    return out


SCHEDULES = [
    ("StepLR", dict(step_size=3), {}),
    ("StepLR", dict(step_size=2, gamma=0.7), {}),
    ("MultiStepLR", dict(milestones=[2, 5, 5, 9]), {}),
    ("MultiStepLR", dict(milestones=[1, 4], gamma=0.33), {}),
    ("ExponentialLR", dict(gamma=0.9), {}),
    ("CosineAnnealingLR", dict(T_max=7), {}),
    ("CosineAnnealingLR", dict(T_max=4, eta_min=0.01), {}),
    ("LambdaLR", dict(lr_lambda=lambda e: 0.95 ** e + 1 / (e + 1)), {}),
    ("MultiplicativeLR", dict(lr_lambda=lambda e: 0.9 if e % 2 else 0.97), {}),
    ("ConstantLR", dict(), {}),
    ("ConstantLR", dict(factor=0.5, total_iters=3), {}),
    ("LinearLR", dict(), {}),
    ("LinearLR", dict(start_factor=0.1, end_factor=0.8, total_iters=7), {}),
    ("PolynomialLR", dict(), {}),
    ("PolynomialLR", dict(total_iters=12, power=2.5), {}),
    ("CosineAnnealingWarmRestarts", dict(T_0=3), {}),
    ("CosineAnnealingWarmRestarts", dict(T_0=2, T_mult=2, eta_min=0.005), {}),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=20), {}),
    ("OneCycleLR", dict(max_lr=[0.5, 2.0], epochs=3, steps_per_epoch=4, pct_start=0.25,
                        anneal_strategy="linear", three_phase=True), {"groups": 2}),
    ("OneCycleLR", dict(max_lr=0.3, total_steps=10, cycle_momentum=True),
     {"kind": "Adam"}),
    ("OneCycleLR", dict(max_lr=0.3, total_steps=10, base_momentum=0.7, max_momentum=0.9,
                        div_factor=10.0, final_div_factor=100.0), {"momentum": 0.9}),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=4), {"momentum": 0.9}),
    ("CyclicLR", dict(base_lr=0.02, max_lr=0.5, step_size_up=3, step_size_down=5,
                      mode="triangular2", cycle_momentum=False), {}),
    ("CyclicLR", dict(base_lr=0.001, max_lr=0.01, step_size_up=5, mode="exp_range",
                      gamma=0.95, base_momentum=0.7, max_momentum=0.95), {"kind": "Adam"}),
    ("CyclicLR", dict(base_lr=[0.01, 0.02], max_lr=[0.3, 0.2], step_size_up=2,
                      step_size_down=7, scale_fn=lambda t: 1 / (1 + 0.1 * t),
                      scale_mode="iterations"), {"groups": 2, "momentum": 0.5}),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=3,
                      scale_fn=lambda c: 0.8 ** c), {"momentum": 0.5}),
]
IDS = [f"{name}-{i}" for i, (name, _, _) in enumerate(SCHEDULES)]


def _momenta(opt):
    return [g.get("momentum", g.get("betas", (None,))[0]) for g in opt.param_groups]


@pytest.mark.parametrize("groups", [1, 3])
@pytest.mark.parametrize("name,kw,opt_kw", SCHEDULES, ids=IDS)
def test_lr_sequence_is_exactly_torch(name, kw, opt_kw, groups):
    opt_kw = dict(opt_kw)
    groups = opt_kw.pop("groups", groups)
    kind = opt_kw.pop("kind", "SGD")
    t_opt, m_opt = _optimizers(kind, groups, **opt_kw)
    t_s = getattr(torch.optim.lr_scheduler, name)(t_opt, **kw)
    m_s = getattr(minitorch.optim.lr_scheduler, name)(m_opt, **kw)
    steps = t_s.total_steps - 1 if name == "OneCycleLR" else 45 if name == "CyclicLR" else 20
    for step in range(steps + 1):
        assert m_s.get_last_lr() == t_s.get_last_lr(), step
        assert [g["lr"] for g in m_opt.param_groups] == [g["lr"] for g in t_opt.param_groups]
        assert _momenta(m_opt) == _momenta(t_opt), step
        assert m_s.last_epoch == t_s.last_epoch
        if step < steps:
            t_opt.step()
            m_opt.step()
            t_s.step()
            m_s.step()
    t_state, m_state = t_s.state_dict(), m_s.state_dict()
    assert set(m_state) == set(t_state)
    for key in ("last_epoch", "base_lrs", "_last_lr", "_step_count"):
        assert m_state[key] == t_state[key], key


@pytest.mark.parametrize("name,kw", [("StepLR", dict(step_size=3)),
                                     ("MultiStepLR", dict(milestones=[2, 4])),
                                     ("ExponentialLR", dict(gamma=0.5)),
                                     ("CosineAnnealingLR", dict(T_max=5)),
                                     ("ConstantLR", dict(factor=0.5, total_iters=4)),
                                     ("LinearLR", dict(start_factor=0.2, total_iters=6)),
                                     ("PolynomialLR", dict(total_iters=8, power=2.0))])
def test_step_with_epoch_uses_the_closed_form_and_warns(name, kw):
    t_opt, m_opt = _optimizers()
    t_s = getattr(torch.optim.lr_scheduler, name)(t_opt, **kw)
    m_s = getattr(minitorch.optim.lr_scheduler, name)(m_opt, **kw)
    for epoch in (3, 7, 1, 4):
        with warnings.catch_warnings(record=True) as t_w:
            warnings.simplefilter("always")
            t_s.step(epoch)
        with warnings.catch_warnings(record=True) as m_w:
            warnings.simplefilter("always")
            m_s.step(epoch)
        assert [str(w.message) for w in m_w] == [str(w.message) for w in t_w]
        assert m_s.get_last_lr() == t_s.get_last_lr()


def _warnings_of(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [(w.category, str(w.message)) for w in caught]


@pytest.mark.parametrize("optimizer_first", [True, False])
def test_scheduler_step_before_optimizer_step_warns_like_torch(optimizer_first):
    got = []
    for lib, opt in zip((torch, minitorch), _optimizers()):
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=1)

        def run(opt=opt, sched=sched):
            if optimizer_first:
                opt.step()
            sched.step()
            opt.step()
            sched.step()
        got.append(_warnings_of(run))
    assert got[1] == got[0]
    assert bool(got[0]) == (not optimizer_first)


def test_get_lr_outside_step_warns_like_torch():
    got = []
    for lib, opt in zip((torch, minitorch), _optimizers()):
        sched = lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
        got.append(_warnings_of(sched.get_lr))
    assert got[1] == got[0] and got[0]


@pytest.mark.parametrize("mode,threshold_mode,kw", [
    ("min", "rel", dict(patience=2)),
    ("min", "abs", dict(patience=1, threshold=0.05, cooldown=2)),
    ("max", "rel", dict(patience=0, factor=0.5, min_lr=0.02)),
    ("max", "abs", dict(patience=1, factor=0.3, min_lr=[0.01, 0.05, 0.0], eps=1e-3)),
])
def test_reduce_lr_on_plateau_matches_torch(mode, threshold_mode, kw):
    t_opt, m_opt = _optimizers(groups=3)
    t_s = torch.optim.lr_scheduler.ReduceLROnPlateau(t_opt, mode, threshold_mode=threshold_mode,
                                                     **kw)
    m_s = minitorch.optim.lr_scheduler.ReduceLROnPlateau(m_opt, mode,
                                                         threshold_mode=threshold_mode, **kw)
    metrics = [1.0, 0.9, 0.95, 0.95, 0.9, 0.899, 1.2, 0.5, 0.5, 0.5, 0.5, 0.6, 0.49, 0.7]
    for i, metric in enumerate(metrics):
        t_s.step(torch.tensor(metric) if i % 2 else metric)
        m_s.step(minitorch.tensor(metric) if i % 2 else metric)
        assert m_s.get_last_lr() == t_s.get_last_lr(), i
        assert (m_s.best, m_s.num_bad_epochs, m_s.cooldown_counter, m_s.last_epoch) == \
            (t_s.best, t_s.num_bad_epochs, t_s.cooldown_counter, t_s.last_epoch)
    assert m_s.state_dict().keys() == t_s.state_dict().keys()


def test_state_dict_resumes_the_schedule():
    t_opt, m_opt = _optimizers(momentum=0.9)
    scheds = [lib.optim.lr_scheduler.CosineAnnealingLR(o, T_max=6)
              for lib, o in ((torch, t_opt), (minitorch, m_opt))]
    for _ in range(3):
        for o, s in zip((t_opt, m_opt), scheds):
            o.step()
            s.step()
    saved = scheds[1].state_dict()
    resumed = minitorch.optim.lr_scheduler.CosineAnnealingLR(m_opt, T_max=6)
    resumed.load_state_dict(saved)
    for _ in range(5):
        t_opt.step()
        scheds[0].step()
        m_opt.step()
        resumed.step()
        assert resumed.get_last_lr() == scheds[0].get_last_lr()


def test_lambda_lr_state_dict_keeps_callable_objects_state():
    class Decay:
        def __init__(self, rate):
            self.rate = rate

        def __call__(self, epoch):
            return self.rate ** epoch

    states = []
    for lib, opt in zip((torch, minitorch), _optimizers(groups=2)):
        sched = lib.optim.lr_scheduler.LambdaLR(opt, [Decay(0.5), lambda e: 1.0])
        states.append(sched.state_dict())
    assert states[1]["lr_lambdas"] == states[0]["lr_lambdas"] == [{"rate": 0.5}, None]


ERRORS = [
    ("StepLR", dict(step_size=2, last_epoch=3), KeyError),
    ("LambdaLR", dict(lr_lambda=[lambda e: 1.0, lambda e: 1.0]), ValueError),
    ("OneCycleLR", dict(max_lr=1.0), ValueError),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=0), ValueError),
    ("OneCycleLR", dict(max_lr=1.0, epochs=0, steps_per_epoch=2), ValueError),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=5, pct_start=1.5), ValueError),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=5, anneal_strategy="sin"), ValueError),
    ("OneCycleLR", dict(max_lr=[1.0, 2.0], total_steps=5), ValueError),
    ("ReduceLROnPlateau", dict(factor=1.0), ValueError),
    ("MultiplicativeLR", dict(lr_lambda=0.5), TypeError),
    ("MultiplicativeLR", dict(lr_lambda=[0.5, 0.5]), ValueError),
    ("ConstantLR", dict(factor=1.5), ValueError),
    ("LinearLR", dict(start_factor=0.0), ValueError),
    ("LinearLR", dict(end_factor=-0.5), ValueError),
    ("CosineAnnealingWarmRestarts", dict(T_0=0), ValueError),
    ("CosineAnnealingWarmRestarts", dict(T_0=2, T_mult=0), ValueError),
    ("SequentialLR", dict(schedulers=[], milestones=[]), ValueError),
    ("ReduceLROnPlateau", dict(mode="avg"), ValueError),
    ("ReduceLROnPlateau", dict(threshold_mode="pct"), ValueError),
    ("ReduceLROnPlateau", dict(min_lr=[0.1, 0.2]), ValueError),
    ("CyclicLR", dict(base_lr=0.1, max_lr=1.0, mode="sine"), ValueError),
    ("CyclicLR", dict(base_lr=[0.1, 0.2], max_lr=1.0), ValueError),
    ("CyclicLR", dict(base_lr=0.1, max_lr=[1.0, 2.0]), ValueError),
]


@pytest.mark.parametrize("name,kw,exc", ERRORS, ids=[f"{n}-{i}" for i, (n, _, _) in
                                                      enumerate(ERRORS)])
def test_errors_match_torch(name, kw, exc):
    t_opt, m_opt = _optimizers()
    with pytest.raises(exc) as want:
        getattr(torch.optim.lr_scheduler, name)(t_opt, **kw)
    with pytest.raises(exc) as got:
        getattr(minitorch.optim.lr_scheduler, name)(m_opt, **kw)
    assert str(got.value) == str(want.value)


def test_sequential_warmup_then_cosine_matches_torch():
    runs = []
    for lib, opt in zip((torch, minitorch), _optimizers(groups=2, momentum=0.9)):
        sch = lib.optim.lr_scheduler
        warm = sch.LinearLR(opt, start_factor=0.1, total_iters=3)
        cos = sch.CosineAnnealingLR(opt, T_max=8, eta_min=0.001)
        seq = sch.SequentialLR(opt, [warm, cos], milestones=[3])
        lrs = [seq.get_last_lr()]
        for _ in range(14):
            opt.step()
            seq.step()
            lrs.append(seq.get_last_lr())
        state = seq.state_dict()
        runs.append((lrs, state["last_epoch"], [s["last_epoch"] for s in state["_schedulers"]]))
    assert runs[1] == runs[0]


def test_warm_restarts_with_fractional_epochs_match_torch():
    lrs = []
    for lib, opt in zip((torch, minitorch), _optimizers()):
        sched = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=3)
        seq = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for epoch in (0.25, 0.5, 1.75, 2.0, 3.5, 7.9, 8.0, 12.3):
                opt.step()
                sched.step(epoch)
                seq.append((sched.get_last_lr(), sched.T_cur, sched.T_i, sched.last_epoch))
        lrs.append(seq)
    assert lrs[1] == lrs[0]


def test_old_name_lr_scheduler_subclass_works():
    class Halve(minitorch.optim.lr_scheduler._LRScheduler):
        def get_lr(self):
            return [base / 2 ** self.last_epoch for base in self.base_lrs]

    _, m_opt = _optimizers()
    sched = Halve(m_opt)
    for want in (0.1, 0.05, 0.025):
        assert sched.get_last_lr() == [want]
        m_opt.step()
        sched.step()


def test_not_an_optimizer_and_too_many_steps():
    for lib in (torch, minitorch):
        with pytest.raises(TypeError, match="^int is not an Optimizer$"):
            lib.optim.lr_scheduler.StepLR(3, step_size=1)
    msgs = []
    for lib, opt in zip((torch, minitorch), _optimizers()):
        sched = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=2)
        opt.step()
        sched.step()
        sched.step()
        with pytest.raises(ValueError) as err:
            sched.step()
        msgs.append(str(err.value))
    assert msgs[0] == msgs[1]


def test_cosine_is_the_closed_form_at_t_max():
    (_, m_opt) = _optimizers()
    sched = minitorch.optim.lr_scheduler.CosineAnnealingLR(m_opt, T_max=10, eta_min=0.001)
    for _ in range(10):
        m_opt.step()
        sched.step()
    assert math.isclose(sched.get_last_lr()[0], 0.001, rel_tol=1e-9)


def test_cyclic_lr_needs_momentum_to_cycle_it_like_torch():
    messages = []
    for lib in (torch, minitorch):
        opt = lib.optim.Adagrad([lib.nn.Parameter(lib.zeros(2))])
        with pytest.raises(ValueError) as caught:
            lib.optim.lr_scheduler.CyclicLR(opt, 0.1, 1.0)
        messages.append(str(caught.value))
        lib.optim.lr_scheduler.CyclicLR(opt, 0.1, 1.0, cycle_momentum=False)
    assert messages[1] == messages[0]


def test_cyclic_lr_state_dict_keeps_a_callable_objects_state_and_resumes():
    class Halving:
        def __init__(self, base):
            self.base = base

        def __call__(self, cycle):
            return self.base ** cycle

    runs = []
    for lib, opt in zip((torch, minitorch), _optimizers(momentum=0.9)):
        sch = lib.optim.lr_scheduler
        kw = dict(base_lr=0.01, max_lr=0.2, step_size_up=3, scale_fn=Halving(0.5))
        sched = sch.CyclicLR(opt, **kw)
        for _ in range(5):
            opt.step()
            sched.step()
        state = sched.state_dict()
        saved = (sorted(state), state["_scale_fn_custom"])
        resumed = sch.CyclicLR(opt, **dict(kw, scale_fn=Halving(0.9)))
        resumed.load_state_dict(state)
        lrs = []
        for _ in range(12):
            opt.step()
            resumed.step()
            lrs.append((resumed.get_last_lr(), _momenta(opt)))
        runs.append((saved, resumed._scale_fn_custom.base, lrs))
    assert runs[1] == runs[0]
    assert runs[0][0][1] == {"base": 0.5}


def test_chained_scheduler_matches_torch():
    runs = []
    for lib, opt in zip((torch, minitorch), _optimizers(groups=2, momentum=0.9)):
        sch = lib.optim.lr_scheduler
        chained = sch.ChainedScheduler([sch.ConstantLR(opt, factor=0.1, total_iters=2),
                                        sch.ExponentialLR(opt, gamma=0.9),
                                        sch.CosineAnnealingLR(opt, T_max=6)])
        lrs = [chained.get_last_lr()]
        for _ in range(15):
            opt.step()
            chained.step()
            lrs.append((chained.get_last_lr(), [g["lr"] for g in opt.param_groups]))
        state = chained.state_dict()
        runs.append((lrs, sorted(state), [sorted(s) for s in state["_schedulers"]],
                     [s["last_epoch"] for s in state["_schedulers"]]))
    assert runs[1] == runs[0]


def test_chained_scheduler_state_dict_resumes_like_torch():
    runs = []
    for lib, opt in zip((torch, minitorch), _optimizers()):
        sch = lib.optim.lr_scheduler

        def make(opt=opt, sch=sch):
            return sch.ChainedScheduler([sch.StepLR(opt, step_size=2, gamma=0.5),
                                         sch.LinearLR(opt, start_factor=0.5, total_iters=4)],
                                        optimizer=opt)

        chained = make()
        for _ in range(3):
            opt.step()
            chained.step()
        state = chained.state_dict()
        resumed = make()
        resumed.load_state_dict(state)
        assert "_schedulers" in state  # restored after loading, as torch's
        lrs = []
        for _ in range(6):
            opt.step()
            resumed.step()
            lrs.append(resumed.get_last_lr())
        runs.append(lrs)
    assert runs[1] == runs[0]


def test_chained_scheduler_errors_match_torch():
    def cases(lib, opt, other):
        sch = lib.optim.lr_scheduler
        yield ValueError, lambda: sch.ChainedScheduler([])
        yield ValueError, lambda: sch.ChainedScheduler([sch.StepLR(opt, 2),
                                                        sch.StepLR(other, 2)])
        yield ValueError, lambda: sch.ChainedScheduler([sch.ReduceLROnPlateau(opt)])
        yield TypeError, lambda: sch.ChainedScheduler([object()], optimizer=opt)

    (t_opt, m_opt), (t_other, m_other) = _optimizers(), _optimizers()
    for (error, t_make), (_, m_make) in zip(cases(torch, t_opt, t_other),
                                            cases(minitorch, m_opt, m_other)):
        with pytest.raises(error) as want:
            t_make()
        with pytest.raises(error) as got:
            m_make()
        # the message names the other optimizer by its repr, which differs only in the
        # class's module
        assert str(got.value).split(" has ")[0] == str(want.value).split(" has ")[0]
