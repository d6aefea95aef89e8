"""LBFGS against torch: the same model, data and closure, parameters after every
``step(closure)`` and the whole optimizer state at the end (evaluation counts, direction,
step length, curvature history), with and without the strong-Wolfe line search; state dict
round trips, the returned loss and the errors.

The problem is a least-squares fit with an isolated minimum (``loss="mse_loss"`` with 32
samples): on a problem without one (cross-entropy on separable points) each L-BFGS iteration
amplifies rounding differences, torch's own float32 run drifts from its float64 run as much.
float32 runs make 4 iterations per step: every further one multiplies the ulp-level
differences (dot products summed in another order), float64 runs make torch's default 20."""

from __future__ import annotations

import pytest
import torch

import minitorch
from parity_tests.optim_pairs import as_torch, assert_params_close, lockstep, small_model

CONFIGS = [
    dict(),
    dict(lr=0.5, history_size=3),
    dict(tolerance_change=1e-3, max_eval=7),
    dict(line_search_fn="strong_wolfe"),
    dict(lr=0.05, line_search_fn="strong_wolfe", history_size=2),   # the step grows
    dict(lr=20, line_search_fn="strong_wolfe"),                     # the bracket is zoomed
]
IDS = ["-".join(f"{k}={v}" for k, v in kw.items()) or "defaults" for kw in CONFIGS]
TOL = {"float32": dict(rtol=3e-4, atol=3e-5), "float64": dict(rtol=1e-7, atol=1e-9)}
# the history's coefficients (``al``) are differences of nearly equal dot products once the
# fit is close: in float64 they keep fewer digits than the parameters
STATE_TOL = dict(TOL, float64=dict(rtol=1e-5, atol=1e-7))
STEPS = 4


def assert_state_close(got, want, key, tol):
    """One state value: tensors (also in lists, as the history) within ``tol``, numbers
    (counts, the last loss, a step length or Hessian scale torch keeps as a number) equal
    within it too."""
    if isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), key
        for g, w in zip(got, want):
            assert_state_close(g, w, key, tol)
    elif isinstance(want, torch.Tensor):
        assert isinstance(got, minitorch.Tensor), key
        torch.testing.assert_close(as_torch(got), want, **tol, msg=lambda m: f"{key}: {m}")
    elif want is None or isinstance(want, int):
        assert got == want, key
    else:
        assert got == pytest.approx(want, rel=tol["rtol"], abs=tol["atol"]), key


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kw", CONFIGS, ids=IDS)
def test_lbfgs_params_and_state_match_torch(kw, dtype, backend):
    if dtype == "float32":
        kw = dict(kw, max_iter=4)
    for step, torch_pair, mini_pair in lockstep("LBFGS", kw, dtype, backend, STEPS,
                                                data_seed=7, weight_seed=3, closure=True,
                                                loss="mse_loss", batch=32):
        assert_params_close(torch_pair[0], mini_pair[0], step, **TOL[dtype])
    t_opt, m_opt = torch_pair[1], mini_pair[1]
    t_sd, m_sd = t_opt.state_dict(), m_opt.state_dict()
    assert m_sd["param_groups"] == t_sd["param_groups"]
    assert list(m_sd["state"]) == list(t_sd["state"]) == [0]  # all under the first parameter
    t_state, m_state = t_sd["state"][0], m_sd["state"][0]
    assert set(m_state) == set(t_state)
    for key, want in t_state.items():
        assert_state_close(m_state[key], want, key, STATE_TOL[dtype])


@pytest.mark.parametrize("kw", CONFIGS[::2] + CONFIGS[3:5], ids=IDS[::2] + IDS[3:5])
def test_lbfgs_state_dict_round_trip_continues_like_torch(kw):
    """Two steps, save, a fresh optimizer loads it, two more steps: same as torch's."""
    kw = dict(kw, max_iter=5)
    torch.manual_seed(2)
    tm = small_model(torch).double()
    mm = small_model(minitorch).double()
    mm.load_state_dict({k: minitorch.tensor(v.detach().numpy())
                        for k, v in tm.state_dict().items()})
    x, y = torch.randn(32, 5, dtype=torch.float64), torch.randn(32, 3, dtype=torch.float64)
    runs = []
    for lib, model, xs, ys in ((torch, tm, x, y), (minitorch, mm, minitorch.tensor(x.numpy()),
                                                   minitorch.tensor(y.numpy()))):
        opt = lib.optim.LBFGS(model.parameters(), **kw)

        def closure(model=model, xs=xs, ys=ys, lib=lib):
            model.zero_grad()
            loss = lib.nn.functional.mse_loss(model(xs), ys)
            loss.backward()
            return loss

        for i in range(4):
            if i == 2:
                saved = opt.state_dict()
                opt = lib.optim.LBFGS(model.parameters(), **kw)
                opt.load_state_dict(saved)
            opt.step(closure)
        runs.append([p.detach() for p in model.parameters()])
    for tp, mp in zip(*runs):
        torch.testing.assert_close(as_torch(mp), tp, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_fits_a_curve_like_torch(line_search_fn):
    """The classic use: fit y = a · exp(b · x) + c to noisy points, one step(closure) of
    up to 100 iterations; the fitted coefficients, the loss returned and the counts."""
    x = torch.linspace(0, 2, 50, dtype=torch.float64)
    y = 1.5 * torch.exp(-1.2 * x) + 0.3 + 0.01 * torch.sin(17 * x)
    results = []
    for lib in (torch, minitorch):
        coef = lib.nn.Parameter(lib.tensor([1.0, -0.5, 0.0], dtype=lib.float64))
        xs, ys = lib.tensor(x.numpy()), lib.tensor(y.numpy())
        opt = lib.optim.LBFGS([coef], max_iter=100, line_search_fn=line_search_fn, lr=0.5)

        def closure(coef=coef, xs=xs, ys=ys, opt=opt, lib=lib):
            opt.zero_grad()
            loss = ((coef[0] * lib.exp(coef[1] * xs) + coef[2] - ys) ** 2).mean()
            loss.backward()
            return loss

        first = opt.step(closure)
        state = opt.state[coef]
        results.append((coef.detach(), state["func_evals"], state["n_iter"], float(first.detach()),
                        float(closure().detach())))
    (t_coef, *t_rest), (m_coef, *m_rest) = results
    torch.testing.assert_close(as_torch(m_coef), t_coef, rtol=1e-7, atol=1e-9)
    assert m_rest[:2] == t_rest[:2]
    assert m_rest[2:] == pytest.approx(t_rest[2:], rel=1e-9)


def test_lbfgs_stops_at_once_when_the_gradient_is_small():
    for lib in (torch, minitorch):
        p = lib.nn.Parameter(lib.tensor([1.0, 2.0]))
        opt = lib.optim.LBFGS([p], tolerance_grad=10.0)

        def closure(p=p, opt=opt):
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            return loss

        assert float(opt.step(closure).detach()) == 5.0
        assert dict(opt.state[p]) == {"func_evals": 1, "n_iter": 0}
        assert p.tolist() == [1.0, 2.0]


def test_lbfgs_errors_match_torch():
    cases = [(ValueError, lambda lib, p: lib.optim.LBFGS([p], lr=-1)),
             (ValueError, lambda lib, p: lib.optim.LBFGS([{"params": [p]},
                                                          {"params": [p * 1]}])),
             (ValueError, lambda lib, p: lib.optim.LBFGS(
                 [{"params": [p]}, {"params": [lib.nn.Parameter(lib.zeros(1))]}]))]
    for error, make in cases:
        messages = []
        for lib in (torch, minitorch):
            with pytest.raises(error) as caught:
                make(lib, lib.nn.Parameter(lib.zeros(2)))
            messages.append(str(caught.value))
        assert messages[1] == messages[0]
    messages = []
    for lib in (torch, minitorch):
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.LBFGS([p], line_search_fn="armijo")

        def closure(p=p, opt=opt):
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            return loss

        with pytest.raises(RuntimeError) as caught:
            opt.step(closure)
        messages.append(str(caught.value))
    assert messages[1] == messages[0] == "only 'strong_wolfe' is supported"
