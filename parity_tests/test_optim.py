"""SGD and Adam, every hyper-parameter, compared with torch after each step (per backend)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch
from minitorch.parity import mt_to_np, on_backend

SGD = [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3),
    dict(lr=0.05, momentum=0.8, nesterov=True),
    dict(lr=0.05, weight_decay=0.1),
    dict(lr=0.02, momentum=0.9, dampening=0.1, weight_decay=0.05),
    dict(lr=0.02, momentum=0.5, weight_decay=0.05, nesterov=True),
]
ADAM = [
    dict(),
    dict(lr=0.01),
    dict(lr=0.01, betas=(0.8, 0.95)),
    dict(lr=0.01, eps=1e-4),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.005, betas=(0.5, 0.9), eps=1e-6, weight_decay=0.01),
]
CONFIGS = [("SGD", kw) for kw in SGD] + [("Adam", kw) for kw in ADAM]
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}" for n, kw in CONFIGS]
STEPS = 6
# float32: parameters and optimizer state are updated in a different operation order than
# torch's foreach kernels (e.g. Adam's denominator), so a few ulps per step accumulate.
TOL = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-7, atol=1e-7)}


def _model(lib):
    return lib.nn.Sequential(lib.nn.Linear(5, 4), lib.nn.Tanh(), lib.nn.Linear(4, 3))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_optimizer_matches_torch_step_by_step(name, kw, dtype, backend):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((6, 5)).astype(dtype)
    y = rng.integers(0, 3, 6)
    torch.manual_seed(3)
    tm = _model(torch).to(getattr(torch, dtype))
    t_opt = getattr(torch.optim, name)(tm.parameters(), **kw)
    with on_backend(backend):
        mm = _model(minitorch).to(getattr(minitorch, dtype))
        mm.load_state_dict({k: minitorch.tensor(v.detach().numpy())
                            for k, v in tm.state_dict().items()})
        xm, ym = minitorch.tensor(x), minitorch.tensor(y)
        if backend == "cuda":
            mm.cuda()
            xm, ym = xm.cuda(), ym.cuda()
        m_opt = getattr(minitorch.optim, name)(mm.parameters(), **kw)
        for step in range(STEPS):
            t_opt.zero_grad()
            torch.nn.functional.cross_entropy(tm(torch.from_numpy(x)),
                                              torch.from_numpy(y)).backward()
            t_opt.step()
            m_opt.zero_grad()
            minitorch.nn.functional.cross_entropy(mm(xm), ym).backward()
            m_opt.step()
            for (k, tp), (_, mp) in zip(tm.named_parameters(), mm.named_parameters()):
                torch.testing.assert_close(torch.from_numpy(mt_to_np(mp)), tp.detach(),
                                           **TOL[dtype], msg=lambda m, k=k, s=step:
                                           f"step {s} {k}: {m}")
