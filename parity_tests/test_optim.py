"""SGD and Adam, every hyper-parameter, compared with torch after each step (per backend)."""

from __future__ import annotations

import pytest

from parity_tests.optim_pairs import assert_params_close, lockstep

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


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_optimizer_matches_torch_step_by_step(name, kw, dtype, backend):
    for step, (tm, _), (mm, _) in lockstep(name, kw, dtype, backend, STEPS, data_seed=7,
                                           weight_seed=3):
        assert_params_close(tm, mm, step, **TOL[dtype])
