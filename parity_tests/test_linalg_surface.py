"""``minitorch.linalg`` against torch beyond the catalogue: the errors (messages and the
LinAlgError class), the named tuples, the options the catalogue does not cover (left=False,
upper=True, UPLO='U', torch.svd's V, matrix_power(0) and on batches), per backend."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch
from minitorch.parity import mt_to_np, on_backend, to_minitorch


def _both(fn, *arrays, backend="numpy"):
    """fn(lib, *tensors) in torch and in minitorch: (values, gradients) of each."""
    out = []
    for lib, to_lib, to_np in ((torch, torch.from_numpy, lambda t: t.detach().numpy()),
                               (minitorch, to_minitorch(backend), mt_to_np)):
        with on_backend(backend) if lib is minitorch else _null():
            xs = [to_lib(a.copy()).requires_grad_() for a in arrays]
            ys = fn(lib, *xs)
            ys = ys if isinstance(ys, tuple) else (ys,)
            sum((y * y).sum() for y in ys).backward()
            out.append(([to_np(y) for y in ys], [to_np(x.grad) for x in xs]))
    return out


class _null:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _assert_same(got, want, rtol=1e-10):
    for g, w in zip(got[0] + got[1], want[0] + want[1]):
        np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol)


RNG = np.random.default_rng(7)
SQUARE = RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3)
RHS = RNG.standard_normal((2, 3, 4))


@pytest.mark.parametrize("name, fn, arrays", [
    ("solve_left_false", lambda m, a, b: m.linalg.solve(a, b, left=False),
     (SQUARE, np.swapaxes(RHS, 1, 2))),
    ("cholesky_upper", lambda m, a: m.linalg.cholesky(a @ a.mT, upper=True), (SQUARE,)),
    ("eigh_upper", lambda m, a: (lambda w, v: (w, v * v))(*m.linalg.eigh(a + a.mT, UPLO="U")),
     (SQUARE,)),
    ("matrix_power_0", lambda m, a: m.linalg.matrix_power(a, 0), (SQUARE,)),
    ("matrix_power_batched_m3", lambda m, a: m.linalg.matrix_power(a, -3), (SQUARE,)),
    ("matrix_power_batched_6", lambda m, a: a.matrix_power(6) * 1e-3, (SQUARE,)),
    ("torch_svd_v", lambda m, a: (lambda u, s, v: (s, v.abs(), u.abs()))(*m.svd(a)),
     (RNG.standard_normal((2, 4, 3)),)),
    ("vector_norm_dtype", lambda m, a: m.linalg.vector_norm(a, 2.5, dim=(0, 1),
                                                            dtype=m.float64), (RHS,)),
    ("norm_1d_ord", lambda m, a: m.linalg.norm(a[0, 0], -1), (RHS,)),
], ids=lambda v: v if isinstance(v, str) else "")
def test_values_and_gradients_match_torch(name, fn, arrays, backend):
    want, got = _both(fn, *arrays, backend=backend)
    _assert_same(got, want)


def test_named_tuples_match_torch():
    a = SQUARE[0]
    for name, call, fields in (
            ("linalg_slogdet", lambda m, x: m.linalg.slogdet(x), ("sign", "logabsdet")),
            ("slogdet", lambda m, x: m.slogdet(x), ("sign", "logabsdet")),
            ("linalg_qr", lambda m, x: m.linalg.qr(x), ("Q", "R")),
            ("linalg_eigh", lambda m, x: m.linalg.eigh(x + x.mT),
             ("eigenvalues", "eigenvectors")),
            ("linalg_svd", lambda m, x: m.linalg.svd(x), ("U", "S", "Vh")),
            ("svd", lambda m, x: m.svd(x), ("U", "S", "V"))):
        want, got = call(torch, torch.tensor(a)), call(minitorch, minitorch.tensor(a))
        assert type(want).__name__ == type(got).__name__ == name
        assert type(got).__module__ == "minitorch.return_types"
        for field in fields:
            w, g = getattr(want, field), getattr(got, field)
            if field in ("sign", "logabsdet", "eigenvalues", "S"):  # the sign-free ones
                np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-12)
        assert repr(got).startswith(f"minitorch.return_types.{name}(\n{fields[0]}=")


def test_slogdet_sign_and_logdet_of_negative_and_singular_matrices():
    for a in (np.diag([-1.0, 2.0, 3.0]), np.zeros((3, 3)), np.diag([1.0, 2.0, 0.5])):
        for call in (lambda m, x: tuple(m.linalg.slogdet(x)), lambda m, x: m.logdet(x),
                     lambda m, x: m.det(x)):
            want = call(torch, torch.tensor(a))
            got = call(minitorch, minitorch.tensor(a))
            for g, w in zip(got if isinstance(got, tuple) else (got,),
                            want if isinstance(want, tuple) else (want,)):
                np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-12)


BAD = [
    ("inv_singular", lambda m: m.linalg.inv(m.zeros(3, 3))),
    ("inv_singular_batch", lambda m: m.linalg.inv(m.stack([m.eye(3), m.zeros(3, 3)]))),
    ("inverse_singular_rank1", lambda m: m.inverse(m.tensor([[1.0, 2.0], [2.0, 4.0]]))),
    ("inv_not_square", lambda m: m.linalg.inv(m.ones(2, 3))),
    ("inv_1d", lambda m: m.linalg.inv(m.ones(3))),
    ("inv_long", lambda m: m.linalg.inv(m.eye(3, dtype=m.int64))),
    ("det_not_square", lambda m: m.linalg.det(m.ones(2, 3))),
    ("slogdet_1d", lambda m: m.linalg.slogdet(m.ones(3))),
    ("solve_singular", lambda m: m.linalg.solve(m.zeros(3, 3), m.ones(3))),
    ("solve_shapes", lambda m: m.linalg.solve(m.eye(3), m.ones(4))),
    ("solve_shapes_matrix", lambda m: m.linalg.solve(m.eye(3), m.ones(2, 5))),
    ("cholesky_not_pd", lambda m: m.linalg.cholesky(-m.eye(3))),
    ("cholesky_not_pd_order2", lambda m: m.linalg.cholesky(m.tensor([[1.0, 2.0], [2.0, 1.0]]))),
    ("cholesky_not_pd_batch", lambda m: m.linalg.cholesky(m.stack([m.eye(2), -m.eye(2)]))),
    ("matrix_power_not_square", lambda m: m.linalg.matrix_power(m.ones(2, 3), 2)),
    ("multi_dot_one", lambda m: m.linalg.multi_dot([m.ones(3)])),
    ("eigh_not_square", lambda m: m.linalg.eigh(m.ones(2, 3))),
    ("matrix_norm_1d", lambda m: m.linalg.matrix_norm(m.ones(3))),
    ("norm_3d_ord", lambda m: m.linalg.norm(m.ones(2, 2, 2), 2)),
]


@pytest.mark.parametrize("name, call", BAD, ids=[b[0] for b in BAD])
def test_errors_match_torch(name, call):
    with pytest.raises(Exception) as want:
        call(torch)
    with pytest.raises(Exception) as got:
        call(minitorch)
    assert str(got.value) == str(want.value)
    assert isinstance(got.value, RuntimeError)
    if isinstance(want.value, torch.linalg.LinAlgError):
        assert isinstance(got.value, minitorch.linalg.LinAlgError)


def test_double_backward_of_det_and_inverse_on_a_batch(backend):
    """Hessian-vector products through det and inv (backward_graph composed of inv)."""
    a = SQUARE
    out = []
    for lib, to_lib, to_np in ((torch, torch.from_numpy, lambda t: t.detach().numpy()),
                               (minitorch, to_minitorch(backend), mt_to_np)):
        with on_backend(backend) if lib is minitorch else _null():
            x = to_lib(a.copy()).requires_grad_()
            y = lib.linalg.det(x).sum() + lib.linalg.inv(x).pow(2).sum()
            (g,) = lib.autograd.grad(y, x, create_graph=True)
            (h,) = lib.autograd.grad((g * g).sum(), x)
            out.append((to_np(g), to_np(h)))
    np.testing.assert_allclose(out[1][0], out[0][0], rtol=1e-9)
    np.testing.assert_allclose(out[1][1], out[0][1], rtol=1e-8)
