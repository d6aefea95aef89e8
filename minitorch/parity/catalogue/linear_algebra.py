"""``minitorch.linalg`` (``autograd/ops/decompositions.py``, ``linalg.py``): inverse,
determinants and solve on diagonally dominant matrices; Cholesky on A·Aᵀ + n·I and eigh on
A + Aᵀ (built inside the case, so the gradient reaches both triangles of the leaf, as in
torch's own tests); QR, eigenvectors and singular vectors compared through quantities that
do not depend on their signs (|Q|, |R|, V⊙V, U·Vᴴ, |U|); the norms, matrix_power and
multi_dot."""

from __future__ import annotations

from typing import Any

from minitorch.parity.case import Case
from minitorch.parity.catalogue.builder import A, Cases
from minitorch.parity.inputs import dominant, separated

INF = float("inf")


def spd(m: Any, x: Any) -> Any:
    """x·xᵀ + n·I: symmetric positive-definite, both triangles depending on x."""
    return x @ x.mT + x.shape[-1] * m.eye(x.shape[-1], dtype=x.dtype)


def sign_free_svd(m: Any, x: Any) -> Any:
    """(U·Vᴴ, S, |U|, |Vᴴ|): the SVD without its sign choices (U·Vᴴ on a matrix only, where
    the product is one ``mm``, as in torch)."""
    u, s, vh = m.linalg.svd(x, full_matrices=False)
    return ((u @ vh,) if x.ndim == 2 else ()) + (s, u.abs(), vh.abs())


def inverse_cases(c: Cases) -> None:
    c.add("linalg_inv", "linalg.inv", lambda m, x: m.linalg.inv(x), A((4, 4), gen=dominant))
    c.add("linalg_inv_batched", "linalg.inv", lambda m, x: m.linalg.inv(x),
          A((2, 3, 3, 3), gen=dominant))
    c.add("inverse", "linalg.inv", lambda m, x: m.inverse(x), A((3, 3), gen=dominant))
    c.add("inverse_method_noncontig", "linalg.inv", lambda m, x: x.inverse(),
          A((3, 3), gen=dominant, noncontig=True))
    c.add("linalg_det", "linalg.det", lambda m, x: m.linalg.det(x), A((4, 4), gen=dominant))
    c.add("linalg_det_batched", "linalg.det", lambda m, x: m.linalg.det(x),
          A((3, 3, 3), gen=dominant))
    c.add("det_method", "linalg.det", lambda m, x: x.det(), A((2, 2), gen=dominant))
    c.add("linalg_slogdet", "linalg.slogdet", lambda m, x: tuple(m.linalg.slogdet(x)),
          A((4, 3, 3), gen=dominant))
    c.add("slogdet", "linalg.slogdet", lambda m, x: m.slogdet(x).logabsdet,
          A((3, 3), gen=dominant))
    c.add("logdet", "logdet", lambda m, x: m.logdet(spd(m, x)), A((2, 3, 3)))
    c.add("linalg_solve", "linalg.solve", lambda m, a, b: m.linalg.solve(a, b),
          A((3, 3), gen=dominant), A((3, 2)))
    c.add("linalg_solve_vector", "linalg.solve", lambda m, a, b: m.linalg.solve(a, b),
          A((4, 4), gen=dominant), A((4,)))
    c.add("linalg_solve_batched_vectors", "linalg.solve", lambda m, a, b: m.linalg.solve(a, b),
          A((2, 3, 3), gen=dominant), A((2, 3)))
    c.add("linalg_solve_bcast", "linalg.solve", lambda m, a, b: m.linalg.solve(a, b),
          A((2, 1, 3, 3), gen=dominant), A((4, 3, 2)))


def norm_cases(c: Cases) -> None:
    vn = lambda *a, **k: lambda m, x: m.linalg.vector_norm(x, *a, **k)  # noqa: E731
    c.add("linalg_vector_norm", "linalg.vector_norm", vn(), A((3, 4)))
    c.add("linalg_vector_norm_l1_dim", "linalg.vector_norm", vn(1, dim=1), A((3, 4)))
    c.add("linalg_vector_norm_inf_keepdim", "linalg.vector_norm",
          vn(INF, dim=(0, 2), keepdim=True), A((2, 3, 4)))
    c.add("linalg_vector_norm_p3", "linalg.vector_norm", vn(3.5, dim=-1), A((3, 4)))
    mn = lambda *a, **k: lambda m, x: m.linalg.matrix_norm(x, *a, **k)  # noqa: E731
    c.add("linalg_matrix_norm_fro", "linalg.matrix_norm", mn(), A((2, 3, 4)))
    for ord_, name in ((1, "1"), (-1, "m1"), (INF, "inf"), (-INF, "minf")):
        c.add(f"linalg_matrix_norm_{name}", "linalg.matrix_norm", mn(ord_), A((2, 3, 4)))
    c.add("linalg_matrix_norm_inf_dims_keepdim", "linalg.matrix_norm",
          mn(INF, dim=(2, 0), keepdim=True), A((3, 2, 4)))
    c.add("linalg_matrix_norm_1_dims", "linalg.matrix_norm", mn(1, dim=(0, 2)), A((3, 2, 4)))
    for ord_, name in (("nuc", "nuc"), (2, "2"), (-2, "m2")):
        c.add(f"linalg_matrix_norm_{name}", "linalg.matrix_norm", mn(ord_),
              A((2, 4, 3), gen=separated))
    c.add("linalg_matrix_norm_nuc_dims_keepdim", "linalg.matrix_norm",
          mn("nuc", dim=(0, 2), keepdim=True), A((3, 2, 4), gen=separated))
    c.add("linalg_norm", "linalg.norm", lambda m, x: m.linalg.norm(x), A((2, 3, 4)))
    c.add("linalg_norm_ord2_matrix", "linalg.norm", lambda m, x: m.linalg.norm(x, 2),
          A((4, 3), gen=separated))
    c.add("linalg_norm_vector_dim", "linalg.norm", lambda m, x: m.linalg.norm(x, 1, dim=1),
          A((3, 4)))
    c.add("linalg_norm_inf_matrix_dims", "linalg.norm",
          lambda m, x: m.linalg.norm(x, -INF, dim=(1, 2)), A((2, 3, 4)))


def product_cases(c: Cases) -> None:
    for n in (2, 3, 5, -2, 1):
        c.add(f"linalg_matrix_power_{n}".replace("-", "m"), "linalg.matrix_power",
              lambda m, x, n=n: m.linalg.matrix_power(x, n), A((3, 3), gen=dominant))
    c.add("matrix_power_method", "linalg.matrix_power", lambda m, x: x.matrix_power(4),
          A((3, 3)))
    md = lambda m, *xs: m.linalg.multi_dot(list(xs))  # noqa: E731
    c.add("linalg_multi_dot", "linalg.multi_dot", md, A((2, 5)), A((5, 3)), A((3, 4)))
    c.add("linalg_multi_dot_vector_ends", "linalg.multi_dot", md, A((4,)), A((4, 2)),
          A((2, 6)), A((6,)))
    c.add("linalg_multi_dot_two", "linalg.multi_dot", md, A((3, 4)), A((4, 2)))


def decomposition_cases(c: Cases) -> None:
    c.add("linalg_cholesky", "linalg.cholesky", lambda m, x: m.linalg.cholesky(spd(m, x)),
          A((4, 4)))
    c.add("linalg_cholesky_batched", "linalg.cholesky",
          lambda m, x: m.linalg.cholesky(spd(m, x)), A((2, 3, 3)))
    qr_abs = lambda m, x: tuple(t.abs() for t in m.linalg.qr(x))  # noqa: E731
    c.add("linalg_qr", "linalg.qr", qr_abs, A((4, 3)))
    c.add("linalg_qr_square_batched", "linalg.qr", qr_abs, A((2, 3, 3), gen=dominant))

    def eigh(m: Any, x: Any) -> Any:
        w, v = m.linalg.eigh(x + x.mT)
        return w, v * v

    c.add("linalg_eigh", "linalg.eigh", eigh, A((4, 4)))
    c.add("linalg_eigh_batched", "linalg.eigh", eigh, A((2, 3, 3)))
    c.add("linalg_eigvalsh", "linalg.eigvalsh", lambda m, x: m.linalg.eigvalsh(x + x.mT),
          A((3, 4, 4)))
    c.add("linalg_svd_tall", "linalg.svd", sign_free_svd, A((5, 3), gen=separated))
    c.add("linalg_svd_wide", "linalg.svd", sign_free_svd, A((3, 5), gen=separated))
    c.add("linalg_svd_batched", "linalg.svd", sign_free_svd, A((2, 4, 4), gen=separated))
    c.add("linalg_svdvals", "linalg.svdvals", lambda m, x: m.linalg.svdvals(x),
          A((2, 3, 5), gen=separated))
    c.add("svd", "linalg.svd", lambda m, x: (lambda u, s, v: (u @ v.mT, s, v.abs()))(*m.svd(x)),
          A((5, 3), gen=separated))
    c.add("linalg_pinv_tall", "linalg.pinv", lambda m, x: m.linalg.pinv(x),
          A((5, 3), gen=separated))
    c.add("linalg_pinv_wide_batched", "linalg.pinv", lambda m, x: m.linalg.pinv(x),
          A((2, 3, 4), gen=separated))
    c.add("pinverse", "linalg.pinv", lambda m, x: m.pinverse(x), A((4, 4), gen=separated))


def cases() -> list[Case]:
    c = Cases()
    inverse_cases(c)
    norm_cases(c)
    product_cases(c)
    decomposition_cases(c)
    return c
