"""Every case of the catalogue (:mod:`minitorch.parity`): forward values and every gradient
against torch, per backend and dtype; and gradcheck (float64, finite differences, no torch).

The small-input backends (``SMALL_ONLY``: "loops", the nested-loop kernels) run the cases
within their size limit; only those are collected for them, so nothing is skipped there."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from minitorch.parity import (
    CATALOGUE,
    SMALL_ONLY,
    backend_unavailable,
    check_case,
    float_numel,
    gradcheck_case,
    runs_on,
)
from parity_tests.known_bugs import known_bug

DIFFERENTIABLE = [c for c in CATALOGUE if c.grad and c.gradcheck]
# gradcheck checks autograd's formulas, which are the same on every backend; it needs
# (numel + outputs) forward/backward passes, which is cheap on NumPy but slow through the
# Numba dispatcher and the CUDA emulator. So every case runs on "numpy", and the other
# backends run the cases with at most GRADCHECK_FAST_NUMEL input elements (their kernels are
# compared with torch by test_matches_torch in any case).
GRADCHECK_FAST_NUMEL = 40


def _xfail_known(request: pytest.FixtureRequest, backend: str, case: str, dtype: str) -> None:
    reason = known_bug(backend, case, dtype)
    if reason:
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))


def _assert_matches_torch(case, dtype, backend, request):
    _xfail_known(request, backend, case.name, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch: "padding='same' with even kernel"
        warnings.simplefilter("error", RuntimeWarning)  # silent on inf and NaN, as torch is
        pairs = check_case(case, dtype, backend)
    # check_case compared with np.isclose; torch's own assert_close must agree.
    for p in pairs:
        torch.testing.assert_close(torch.from_numpy(np.array(p.got)),
                                   torch.from_numpy(np.array(p.want)), rtol=p.rtol, atol=p.atol,
                                   equal_nan=True, msg=lambda m, p=p: f"{p.label}: {m}")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CATALOGUE, ids=lambda c: c.name)
def test_matches_torch(case, dtype, backend, request):
    _assert_matches_torch(case, dtype, backend, request)


SMALL_BACKEND_CASES = [(b, c) for b in SMALL_ONLY for c in CATALOGUE if runs_on(c, b)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("backend, case", SMALL_BACKEND_CASES,
                         ids=[f"{b}-{c.name}" for b, c in SMALL_BACKEND_CASES])
def test_small_backend_matches_torch(case, dtype, backend, request):
    """The catalogue's small cases on the small-input backends."""
    _assert_matches_torch(case, dtype, backend, request)


@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=lambda c: c.name)
def test_gradcheck(case, request):
    """Every differentiable case, float64 finite differences, on the reference backend."""
    if backend_unavailable("numpy"):
        pytest.skip(backend_unavailable("numpy"))
    _xfail_known(request, "numpy", case.name, "float64")
    assert gradcheck_case(case, "numpy")


SMALL = [c for c in DIFFERENTIABLE
         if c.module is None and float_numel(c) <= GRADCHECK_FAST_NUMEL]


@pytest.mark.parametrize("case", SMALL, ids=lambda c: c.name)
def test_gradcheck_per_backend(case, backend, request):
    """The small cases again, through each backend's kernels."""
    _xfail_known(request, backend, case.name, "float64")
    assert gradcheck_case(case, backend)


SMALL_BACKEND_GRADCHECK = [(b, c) for b in SMALL_ONLY for c in SMALL if runs_on(c, b)]


@pytest.mark.parametrize("backend, case", SMALL_BACKEND_GRADCHECK,
                         ids=[f"{b}-{c.name}" for b, c in SMALL_BACKEND_GRADCHECK])
def test_gradcheck_small_backend(case, backend, request):
    """The same gradchecks through the small-input backends' kernels."""
    _xfail_known(request, backend, case.name, "float64")
    assert gradcheck_case(case, backend)
