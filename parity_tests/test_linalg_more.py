"""``minitorch.linalg``'s second batch against torch: solve_triangular, vecdot, diagonal,
matrix_rank, cond, inv_ex, cholesky_ex, lstsq, matrix_exp, eig and eigvals — values and gradients in
float64 (and float32), the named tuples, info codes and error messages."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch
from parity_tests.autograd_pairs import assert_raises_like_torch
from parity_tests.test_linalg_surface import _assert_same, _both

RNG = np.random.default_rng(11)
SQUARE = RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3)
RHS = RNG.standard_normal((2, 3, 4))
TALL = RNG.standard_normal((2, 5, 3))


def _st(**kw):
    return lambda m, a, b: m.linalg.solve_triangular(a, b, **kw)


CASES = [
    ("st_upper", _st(upper=True), (SQUARE, RHS)),
    ("st_lower_unit", _st(upper=False, unitriangular=True), (SQUARE, RHS)),
    ("st_right", _st(upper=True, left=False), (SQUARE, np.swapaxes(RHS, 1, 2))),
    ("st_right_lower_unit", _st(upper=False, left=False, unitriangular=True),
     (SQUARE, np.swapaxes(RHS, 1, 2))),
    ("st_broadcast", _st(upper=False), (SQUARE[0], RHS)),
    ("vecdot", lambda m, x, y: m.linalg.vecdot(x, y, dim=1), (RHS, RHS[:1])),
    ("diagonal", lambda m, a: m.linalg.diagonal(a, offset=1, dim1=0, dim2=2), (RHS,)),
    ("cond_2", lambda m, a: m.linalg.cond(a), (TALL,)),
    ("cond_m2", lambda m, a: m.linalg.cond(a, -2), (SQUARE,)),
    ("inv_ex", lambda m, a: m.linalg.inv_ex(a).inverse, (SQUARE,)),
    ("cholesky_ex", lambda m, a: m.linalg.cholesky_ex(a @ a.mT, upper=True).L, (SQUARE,)),
    ("lstsq", lambda m, a, b: m.linalg.lstsq(a, b).solution, (TALL, RHS[:, :1, :2].repeat(
        5, 1))),
    ("lstsq_vector", lambda m, a, b: m.linalg.lstsq(a, b).solution, (TALL, TALL[:, :, 0])),
    ("lstsq_wide", lambda m, a, b: m.linalg.lstsq(a, b).solution,
     (np.swapaxes(TALL, 1, 2), RHS)),
    ("matrix_exp", lambda m, a: m.linalg.matrix_exp(a), (SQUARE,)),
    ("matrix_exp_small", lambda m, a: m.linalg.matrix_exp(a * 1e-3), (SQUARE,)),
    ("matrix_exp_large", lambda m, a: m.linalg.matrix_exp(a * 3) * 1e-6, (SQUARE,)),
]


@pytest.mark.parametrize("name, fn, arrays", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_match_torch(name, fn, arrays):
    want, got = _both(fn, *arrays)
    _assert_same(got, want, rtol=1e-9)


@pytest.mark.parametrize("name, fn, arrays", [CASES[0], CASES[-3]], ids=["st", "expm"])
def test_float32_and_backends(name, fn, arrays, backend):
    want, got = _both(fn, *(a.astype(np.float32) for a in arrays), backend=backend)
    _assert_same(got, want, rtol=1e-4)


def test_matrix_exp_double_backward():
    out = []
    for lib in (torch, minitorch):
        x = lib.tensor(SQUARE[0] * 0.5, requires_grad=True)
        (g,) = lib.autograd.grad((lib.linalg.matrix_exp(x) ** 2).sum(), x, create_graph=True)
        (h,) = lib.autograd.grad((g * g).sum(), x)
        out.append([g.detach().numpy(), h.numpy()])
    np.testing.assert_allclose(out[1][0], out[0][0], rtol=1e-10)
    np.testing.assert_allclose(out[1][1], out[0][1], rtol=1e-9)


def test_cond_of_the_inverse_based_norms():
    """Values only: torch's own backward of these fails (its inverse is modified in place)."""
    for p in ("fro", "nuc", 1, -1, float("inf"), float("-inf")):
        np.testing.assert_allclose(minitorch.linalg.cond(minitorch.tensor(SQUARE), p).numpy(),
                                   torch.linalg.cond(torch.tensor(SQUARE), p).numpy(),
                                   rtol=1e-12)


def test_matrix_rank_and_lstsq_rank():
    low = RNG.standard_normal((3, 4, 2)) @ RNG.standard_normal((3, 2, 5))
    sym = low @ low.mT
    for call in (lambda m, a: m.linalg.matrix_rank(a),
                 lambda m, a: m.linalg.matrix_rank(a, atol=1.0),
                 lambda m, a: m.linalg.matrix_rank(a, atol=0.5, rtol=0.3),
                 lambda m, a: m.linalg.matrix_rank(a @ a.mT, hermitian=True),
                 lambda m, a: m.linalg.lstsq(a, a).rank):
        want = call(torch, torch.tensor(low))
        got = call(minitorch, minitorch.tensor(low))
        assert got.dtype == minitorch.int64
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    got = minitorch.linalg.matrix_rank(minitorch.tensor(sym), hermitian=True)
    assert got.tolist() == [2, 2, 2]


def test_named_tuples_and_info_match_torch():
    a = np.stack([np.eye(3), np.zeros((3, 3)), np.diag([1.0, -2.0, 3.0])])
    for name, call in (("linalg_inv_ex", lambda m, x: m.linalg.inv_ex(x)),
                       ("linalg_cholesky_ex", lambda m, x: m.linalg.cholesky_ex(x)),
                       ("linalg_lstsq", lambda m, x: m.linalg.lstsq(x[0], x[2]))):
        want, got = call(torch, torch.tensor(a)), call(minitorch, minitorch.tensor(a))
        assert type(got).__name__ == type(want).__name__ == name
        assert len(got) == len(want) and all(hasattr(want, f) for f in got._fields)
        info_field = got._fields[-1] if name != "linalg_lstsq" else "residuals"
        w, g = getattr(want, info_field), getattr(got, info_field)
        assert str(g.dtype).split(".")[-1] == str(w.dtype).split(".")[-1]
        np.testing.assert_array_equal(g.numpy(), w.numpy())
        first = getattr(got, got._fields[0]).numpy()
        np.testing.assert_allclose(first[0], want[0].numpy()[0])
    assert minitorch.linalg.lstsq(minitorch.eye(2), minitorch.eye(2)).singular_values.shape \
        == (0,)
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    assert minitorch.linalg.cond(minitorch.tensor(singular), 1).item() == \
        torch.linalg.cond(torch.tensor(singular), 1).item()


def test_eig_forward_matches_torch_and_backward_is_not_implemented():
    a = RNG.standard_normal((2, 4, 4))
    for dtype, tol in ((np.float64, 1e-12), (np.float32, 1e-5)):
        want = torch.linalg.eig(torch.tensor(a.astype(dtype)))
        got = minitorch.linalg.eig(minitorch.tensor(a.astype(dtype)))
        assert type(got).__name__ == "linalg_eig"
        assert str(got.eigenvalues.dtype).split(".")[-1] == str(want[0].dtype).split(".")[-1]
        for g, w in ((got.eigenvalues, want[0]), (got.eigenvectors.abs(), want[1].abs()),
                     (minitorch.linalg.eigvals(minitorch.tensor(a.astype(dtype))), want[0])):
            np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=tol, atol=tol)
    x = minitorch.tensor(a, requires_grad=True)
    with pytest.raises(NotImplementedError, match="linalg.eig"):
        minitorch.linalg.eigvals(x).abs().sum().backward()


BAD = [
    ("st_b_1d", lambda m: m.linalg.solve_triangular(m.eye(3), m.ones(3), upper=True)),
    ("st_shapes", lambda m: m.linalg.solve_triangular(m.eye(3), m.ones(4, 2), upper=True)),
    ("st_shapes_right", lambda m: m.linalg.solve_triangular(m.eye(3), m.ones(2, 4),
                                                            upper=True, left=False)),
    ("st_not_square", lambda m: m.linalg.solve_triangular(m.ones(2, 3), m.ones(2, 4),
                                                          upper=True)),
    ("vecdot_dtype", lambda m: m.linalg.vecdot(m.ones(3), m.ones(3, dtype=m.float64))),
    ("vecdot_long", lambda m: m.linalg.vecdot(m.ones(3).long(), m.ones(3).long())),
    ("rank_1d", lambda m: m.linalg.matrix_rank(m.ones(3))),
    ("cond_1d", lambda m: m.linalg.cond(m.ones(3))),
    ("cond_ord", lambda m: m.linalg.cond(m.eye(3), 3)),
    ("cond_fro_wide", lambda m: m.linalg.cond(m.ones(3, 4), "fro")),
    ("inv_ex_check", lambda m: m.linalg.inv_ex(m.stack([m.eye(3), m.zeros(3, 3)]),
                                               check_errors=True)),
    ("cholesky_ex_check", lambda m: m.linalg.cholesky_ex(-m.eye(3), check_errors=True)),
    ("lstsq_rows", lambda m: m.linalg.lstsq(m.ones(4, 3), m.ones(5, 2))),
    ("lstsq_driver", lambda m: m.linalg.lstsq(m.ones(4, 3), m.ones(4, 2), driver="foo")),
    ("lstsq_1d", lambda m: m.linalg.lstsq(m.ones(4), m.ones(4, 2))),
    ("expm_not_square", lambda m: m.linalg.matrix_exp(m.ones(2, 3))),
    ("expm_1d", lambda m: m.linalg.matrix_exp(m.ones(3))),
    ("eigvals_not_square", lambda m: m.linalg.eigvals(m.ones(2, 3))),
    ("eig_1d", lambda m: m.linalg.eig(m.ones(3))),
    ("expm_long", lambda m: m.linalg.matrix_exp(m.ones(3, 3).long())),
]


@pytest.mark.parametrize("name, call", BAD, ids=[b[0] for b in BAD])
def test_errors_match_torch(name, call):
    if not name.endswith("_check"):
        assert_raises_like_torch(call)
        return
    with pytest.raises(torch.linalg.LinAlgError) as want:
        call(torch)
    with pytest.raises(minitorch.linalg.LinAlgError) as got:
        call(minitorch)
    assert str(got.value) == str(want.value)
