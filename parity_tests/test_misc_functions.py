"""aminmax, nanmedian, mode, msort, unique_consecutive, cov, corrcoef, block_diag,
diag_embed, diagflat, atleast_1d/2d/3d, vander, renorm, gcd, lcm, frexp, ldexp, nextafter
and cumulative_trapezoid against torch: values, dtypes, the gradient of a weighted sum of
every differentiable output, and errors (type and first line)."""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Dict, List

import numpy as np
import pytest
import torch

import minitorch
from minitorch.parity import mt_to_np, on_backend, to_minitorch

NAN = float("nan")
A = np.array([[1.0, 2.0, 4.0, 7.0], [3.0, 1.0, 0.0, 2.0], [0.5, -2.0, 6.0, 1.5]])
WITH_NAN = np.array([[1.0, NAN, 5.0, 2.0], [NAN, 6.0, NAN, NAN], [4.0, 0.0, NAN, 3.0]])
TIES = np.array([[3.0, 1.0, 1.0, 2.0, 2.0, 5.0], [4.0, 4.0, 0.0, 0.0, 9.0, 4.0]])
INTS = np.array([[12, -4, 0, 7], [18, 6, 0, 21]])
# name → (call, operands): float arrays become leaves that require grad
CASES: Dict[str, Any] = {
    "aminmax": (lambda L, x: L.aminmax(x), [A]),
    "aminmax_dim": (lambda L, x: x.aminmax(dim=0, keepdim=True), [A]),
    "nanmedian_all": (lambda L, x: L.nanmedian(x), [WITH_NAN]),
    "nanmedian_dim": (lambda L, x: x.nanmedian(1), [WITH_NAN]),
    "nanmedian_keepdim": (lambda L, x: L.nanmedian(x, 0, keepdim=True), [A]),
    "mode": (lambda L, x: L.mode(x), [TIES]),
    "mode_dim0": (lambda L, x: x.mode(0, keepdim=True), [TIES]),
    "msort": (lambda L, x: L.msort(x), [A]),
    "unique_consecutive": (lambda L, x: L.unique_consecutive(
        x, return_inverse=True, return_counts=True), [np.array([1, 1, 2, 2, 2, 1, 3])]),
    "unique_consecutive_dim": (lambda L, x: x.unique_consecutive(
        return_inverse=True, return_counts=True, dim=0),
        [np.array([[1, 1], [1, 1], [2, 3], [1, 1]])]),
    "cov": (lambda L, x: L.cov(x), [A]),
    "cov_1d": (lambda L, x: x.cov(correction=0), [A[0]]),
    "cov_weights": (lambda L, x, f, a: L.cov(x, correction=2, fweights=f, aweights=a),
                    [A, np.array([1, 2, 1, 3]), np.array([0.5, 1.0, 2.0, 1.0])]),
    "cov_ints": (lambda L, x: L.cov(x), [INTS]),
    "corrcoef": (lambda L, x: L.corrcoef(x), [A]),
    "corrcoef_1d": (lambda L, x: x.corrcoef(), [A[1]]),
    "block_diag": (lambda L, a, b, c: L.block_diag(a, b, c),
                   [np.array(2.0), A[:2, :3], np.array([1.0, -1.0])]),
    "block_diag_promotes": (lambda L, a, b: L.block_diag(a, b), [np.array([[1, 2]]), A[:1]]),
    "diag_embed": (lambda L, x: L.diag_embed(x), [A]),
    "diag_embed_offset_dims": (lambda L, x: x.diag_embed(-2, 2, 0), [A]),
    "diagflat": (lambda L, x: L.diagflat(x, 1), [A[:2, :2]]),
    "atleast": (lambda L, a, b, c: (L.atleast_1d(a), *L.atleast_2d(a, b), L.atleast_3d(b),
                                    L.atleast_3d(c), *L.atleast_3d([a])),
                [np.array(2.0), A[0], A]),
    "vander": (lambda L, x: L.vander(x), [A[0]]),
    "vander_increasing": (lambda L, x: L.vander(x, N=5, increasing=True), [A[1]]),
    "vander_ints": (lambda L, x: L.vander(x, 3), [INTS[0]]),
    "renorm": (lambda L, x: L.renorm(x, 2, 0, 3.0), [A]),
    "renorm_p1_dim1": (lambda L, x: x.renorm(1, 1, 4.0), [A]),
    "gcd_lcm": (lambda L, a, b: (L.gcd(a, b), a.lcm(b)), [INTS[0], INTS[1]]),
    "frexp": (lambda L, x: L.frexp(x), [np.array([0.0, np.inf, -3.0, 5e-320, 1e300, NAN])]),
    "frexp_grad": (lambda L, x: x.frexp(), [A]),
    "ldexp": (lambda L, x, e: L.ldexp(x, e), [A[0], np.array([1.0, -2.0, 0.5, 3.0])]),
    "ldexp_ints": (lambda L, x, e: L.ldexp(x, e), [INTS[0], INTS[1] % 5]),
    "nextafter": (lambda L, a, b: L.nextafter(a, b), [A[0], A[1]]),
    "cumulative_trapezoid": (lambda L, y: L.cumulative_trapezoid(y), [A]),
    "cumulative_trapezoid_x": (lambda L, y, x: L.cumulative_trapezoid(y, x),
                               [A, np.array([0.0, 1.0, 3.0, 4.5])]),
    "cumulative_trapezoid_dx": (lambda L, y: L.cumulative_trapezoid(y, dx=0.5, dim=0), [A]),
}
# torch's vander backward fails (its in-place cumprod); torch's nextafter has a gradient
# minitorch does not give: values only there
VALUES_ONLY = {"vander", "vander_increasing", "nextafter"}
BACKEND_CASES = ["aminmax_dim", "nanmedian_dim", "mode", "cov_weights", "corrcoef",
                 "block_diag", "diag_embed_offset_dims", "vander_ints", "renorm", "frexp_grad",
                 "ldexp", "cumulative_trapezoid_x"]


def _outputs(y: Any) -> List[Any]:
    return list(y) if isinstance(y, tuple) else [y]


def _run(lib: Any, to_lib: Callable, call: Callable, operands: List[Any], grad: bool) -> Any:
    leaves = [to_lib(np.array(a)) for a in operands]
    for t in leaves:
        if grad and t.is_floating_point():
            t.requires_grad_(True)
    outs = _outputs(call(lib, *leaves))
    rng = np.random.default_rng(0)
    total = None
    for y in outs:
        if y.requires_grad:
            term = (y * to_lib(rng.standard_normal(tuple(y.shape)))).sum()
            total = term if total is None else total + term
    if total is not None:
        total.backward()
    return outs, leaves


def _compare(name: str, backend: str) -> None:
    call, operands = CASES[name]
    got = {}
    for lib, to_lib, to_np in ((torch, torch.from_numpy, lambda t: t.detach().numpy()),
                               (minitorch, to_minitorch(backend), mt_to_np)):
        with on_backend(backend) if lib is minitorch else contextlib.nullcontext():
            outs, leaves = _run(lib, to_lib, call, operands, name not in VALUES_ONLY)
            got[lib.__name__] = ([(str(y.dtype).split(".")[-1], to_np(y)) for y in outs],
                                 [None if t.grad is None else to_np(t.grad) for t in leaves])
    (outs_m, grads_m), (outs_t, grads_t) = got["minitorch"], got["torch"]
    assert len(outs_m) == len(outs_t)
    for (dtype_m, y_m), (dtype_t, y_t) in zip(outs_m, outs_t):
        assert dtype_m == dtype_t
        np.testing.assert_allclose(y_m, y_t, rtol=1e-12, atol=1e-12)
    for g_m, g_t in zip(grads_m, grads_t):
        assert (g_m is None) == (g_t is None)
        if g_t is not None:
            np.testing.assert_allclose(g_m, g_t, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_dtypes_and_gradients_match_torch(name: str) -> None:
    _compare(name, "numpy")


@pytest.mark.parametrize("name", BACKEND_CASES)
def test_on_every_backend(name: str, backend: str) -> None:
    _compare(name, backend)


ERRORS: Dict[str, Callable[[Any], Any]] = {
    "aminmax_empty": lambda L: L.aminmax(L.ones(0)),
    "mode_empty": lambda L: L.mode(L.ones(0)),
    "diag_embed_same_dims": lambda L: L.diag_embed(L.ones(3), 0, -1, -1),
    "block_diag_3d": lambda L: L.block_diag(L.ones(1, 1), L.ones(1, 1, 1)),
    "cov_3d": lambda L: L.cov(L.ones(2, 2, 2)),
    "corrcoef_3d": lambda L: L.corrcoef(L.ones(2, 2, 2)),
    "cov_float_fweights": lambda L: L.cov(L.ones(2, 3), fweights=L.ones(3)),
    "cov_long_aweights": lambda L: L.cov(L.ones(2, 3), aweights=L.tensor([1, 1, 1])),
    "cov_negative_fweights": lambda L: L.cov(L.ones(2, 3), fweights=L.tensor([1, -1, 1])),
    "cov_fweights_numel": lambda L: L.cov(L.ones(2, 3), fweights=L.tensor([1, 1])),
    "vander_2d": lambda L: L.vander(L.ones(2, 2)),
    "vander_negative_n": lambda L: L.vander(L.ones(2), N=-1),
    "gcd_float": lambda L: L.gcd(L.ones(2), L.ones(2)),
    "lcm_float": lambda L: L.lcm(L.ones(2), L.ones(2)),
    "nextafter_long": lambda L: L.nextafter(L.tensor([1]), L.tensor([2])),
    "frexp_long": lambda L: L.frexp(L.tensor([1])),
    "renorm_dim": lambda L: L.renorm(L.ones(2, 2), 2, 5, 1.0),
    "renorm_p": lambda L: L.renorm(L.ones(2, 2), -1, 0, 1.0),
    "renorm_maxnorm": lambda L: L.renorm(L.ones(2, 2), 2, 0, -1.0),
    "unique_consecutive_dim": lambda L: L.unique_consecutive(L.ones(2), dim=3),
    "cumulative_trapezoid_0d": lambda L: L.cumulative_trapezoid(L.tensor(1.0)),
    "cumulative_trapezoid_x": lambda L: L.cumulative_trapezoid(L.ones(3), L.ones(2)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_torch(name: str) -> None:
    errors = []
    for lib in (torch, minitorch):
        with pytest.raises(Exception) as info:
            ERRORS[name](lib)
        errors.append(info.value)
    assert type(errors[1]) is type(errors[0])
    assert str(errors[1]).splitlines()[0] == str(errors[0]).splitlines()[0]


def test_cov_warns_when_degrees_of_freedom_run_out() -> None:
    for lib in (torch, minitorch):
        with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
            out = lib.cov(lib.tensor([[1.0, 2.0]]), correction=2)
        assert np.isinf(float(out)) or np.isnan(float(out))


def test_named_tuples_have_torch_fields() -> None:
    x = minitorch.tensor([[1.0, 2.0], [2.0, 2.0]])
    assert x.aminmax()._fields == ("min", "max")
    assert minitorch.frexp(x)._fields == ("mantissa", "exponent")
    assert type(x.mode()).__name__ == "mode" and x.nanmedian(0)._fields == ("values", "indices")
