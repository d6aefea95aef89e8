"""The tensor methods that name or forward to something that exists elsewhere (``greater``,
``x.dist(y)``, ``x.H``, ``x.unfold`` windows, ``is_signed``, ...) against torch: values,
dtypes, gradients where they flow, and torch's refusals."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
import torch

import minitorch
from parity_tests.autograd_pairs import assert_raises_like_torch

X = np.random.default_rng(3).standard_normal((3, 5))


def _plain(v: Any) -> Any:
    if isinstance(v, (torch.Tensor, minitorch.Tensor)):
        return (str(v.dtype).split(".")[-1], tuple(v.shape), v.detach().tolist())
    if isinstance(v, (tuple, list)):
        return [_plain(x) for x in v]
    return v


# name → f(lib, x): x is a (3, 5) float64 leaf requiring grad
CASES = {
    "greater": lambda L, x: x.greater(0.1), "greater_equal": lambda L, x: x.greater_equal(x),
    "less": lambda L, x: x.less(0.1), "less_equal": lambda L, x: x.less_equal(0),
    "not_equal": lambda L, x: x.not_equal(x[0]), "positive": lambda L, x: x.positive() * 2,
    "is_cpu": lambda L, x: x.is_cpu, "is_signed": lambda L, x: (
        x.is_signed(), L.ones(1, dtype=L.uint8).is_signed(), L.ones(1, dtype=L.int8).is_signed(),
        L.ones(1, dtype=L.bool).is_signed()),
    "is_same_size": lambda L, x: (x.is_same_size(x * 2), x.is_same_size(x.T)),
    "is_nonzero": lambda L, x: (L.tensor([0.5]).is_nonzero(), L.tensor(0).is_nonzero()),
    "isreal": lambda L, x: (x.isreal(), L.tensor([1 + 0j, 1j]).isreal()),
    "retains_grad": lambda L, x: (lambda y: (y.retains_grad, y.retain_grad(),
                                             y.retains_grad))(x * 2),
    "output_nr": lambda L, x: [t.output_nr for t in x.max(1)],
    "H": lambda L, x: x.H * 1, "mH": lambda L, x: x.reshape(1, 3, 5).mH * 1,
    "adjoint": lambda L, x: x.adjoint() * 1, "H_complex": lambda L, x: L.tensor(
        [[1 + 2j, 3j]]).H, "cfloat": lambda L, x: x.detach().cfloat(),
    "cdouble": lambda L, x: x.detach().float().cdouble(),
    "unfold": lambda L, x: x.unfold(1, 2, 2), "unfold_overlap": lambda L, x: x.unfold(0, 2, 1),
    "unfold_all": lambda L, x: x.unfold(-1, 5, 3),
    "unfold_0d": lambda L, x: x[0, 0].unfold(0, 1, 1),
    "sum_to_size": lambda L, x: x.sum_to_size(1, 5), "sum_to_size_tuple": lambda L, x:
        x.sum_to_size((3, 1)),
    "split_with_sizes": lambda L, x: x.split_with_sizes([2, 3], 1),
    "narrow_copy": lambda L, x: x.narrow_copy(1, 1, 2),
    "broadcast_to": lambda L, x: x[0].broadcast_to((2, 5)), "dist": lambda L, x: x.dist(x[0], 3),
    "vdot": lambda L, x: x[0].vdot(x[1]),
    "matrix_exp": lambda L, x: (x[:, :3] * 0.3).matrix_exp(),
    "cholesky": lambda L, x: (x @ x.T + L.eye(3, dtype=L.float64)).cholesky(),
    "qr": lambda L, x: list(x.qr()),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_alias_matches_torch(name: str) -> None:
    got = []
    for lib in (torch, minitorch):
        x = lib.tensor(X, requires_grad=True)
        y = CASES[name](lib, x)
        grad = None
        if isinstance(y, (torch.Tensor, minitorch.Tensor)) and y.requires_grad:
            y.backward(lib.tensor(np.cos(np.arange(y.numel()).reshape(tuple(y.shape)))))
            grad = x.grad.tolist()
        got.append((_plain(y), grad))
    assert got[1][0] == got[0][0] or np.allclose(
        np.asarray(got[1][0][2], dtype=complex), np.asarray(got[0][0][2], dtype=complex),
        rtol=1e-12, atol=1e-12)
    assert (got[1][1] is None) == (got[0][1] is None)
    if got[0][1] is not None:
        np.testing.assert_allclose(got[1][1], got[0][1], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("call", [
    lambda L: L.tensor([True]).positive(),
    lambda L: L.zeros(2, 3).unfold(1, 4, 1), lambda L: L.zeros(2, 3).unfold(1, 2, 0),
    lambda L: L.zeros(2, 3).sum_to_size(2, 2), lambda L: L.zeros(2, 2, 2).H,
    lambda L: L.zeros(3).mH, lambda L: L.zeros(3).adjoint(),
    lambda L: L.zeros(2).is_nonzero(), lambda L: L.zeros(0).is_nonzero(),
], ids=["positive_bool", "unfold_too_big", "unfold_step_0", "sum_to_size", "H_3d", "mH_1d",
        "adjoint_1d", "is_nonzero_two", "is_nonzero_empty"])
def test_refusals_match_torch(call: Callable[[Any], Any]) -> None:
    assert_raises_like_torch(call)
