"""Every case of the catalogue (:mod:`minitorch.parity`): forward values and every gradient
against torch, per backend and dtype; and gradcheck (float64, finite differences, no torch)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from minitorch.parity import CATALOGUE, check_case, gradcheck_case
from parity_tests.known_bugs import known_bug

DIFFERENTIABLE = [c for c in CATALOGUE if c.grad and c.gradcheck]


def _xfail_known(request: pytest.FixtureRequest, backend: str, case: str, dtype: str) -> None:
    reason = known_bug(backend, case, dtype)
    if reason:
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CATALOGUE, ids=lambda c: c.name)
def test_matches_torch(case, dtype, backend, request):
    _xfail_known(request, backend, case.name, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch: "padding='same' with even kernel"
        pairs = check_case(case, dtype, backend)
    # check_case compared with np.isclose; torch's own assert_close must agree.
    for p in pairs:
        torch.testing.assert_close(torch.from_numpy(np.array(p.got)),
                                   torch.from_numpy(np.array(p.want)), rtol=p.rtol, atol=p.atol,
                                   equal_nan=True, msg=lambda m, p=p: f"{p.label}: {m}")


@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=lambda c: c.name)
def test_gradcheck(case, backend, request):
    _xfail_known(request, backend, case.name, "float64")
    assert gradcheck_case(case, backend)
