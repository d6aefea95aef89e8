"""The matrix functions of ``minitorch.linalg``: inverse, determinant, log-determinant,
linear solve, Cholesky, QR, symmetric eigendecomposition, SVD and pseudo-inverse. Each
forward is one call of the backend's ``xp.linalg`` (LAPACK on CPU, cuSOLVER on GPU) on a
batch ``(..., m, n)``; each backward is PyTorch's formula (``FunctionsManual.cpp``).

The backward formulas are written once, in the ``*_grad`` helpers below, on operands that
are either arrays or Tensors: ``backward`` calls them on the saved arrays and
``backward_graph`` on the same values attached to the graph, with ``solve`` and ``eye``
passed in (the array kernel, or the differentiable op), so the second derivative is the
derivative of the very formula the first one used."""

from __future__ import annotations

from typing import Any, Callable, Optional, Tuple

import numpy as np

from minitorch.autograd.function import Function
from minitorch.autograd.ops.grad_ops import sum_to
from minitorch.autograd.ops.util import unbroadcast

Solve = Callable[[Any, Any], Any]


class LinAlgError(RuntimeError):
    """A matrix the factorization cannot handle (singular, not positive-definite): PyTorch's
    ``torch.linalg.LinAlgError``, a RuntimeError."""


def mT(x: Any) -> Any:  # noqa: N802 - PyTorch's name
    """The transpose of the last two dims (arrays and Tensors alike)."""
    return x.swapaxes(-1, -2)


def _absent(g: Any) -> bool:
    """No gradient arrived for this output (the engine passes 0, or None with a graph)."""
    return g is None or isinstance(g, (int, float))


def _batch_note(index: int, batched: bool) -> str:
    return f"(Batch element {index}): " if batched else ""


def _first_failure(xp: Any, a: Any, test: Callable[[Any], Optional[int]]) -> Tuple[int, int]:
    """(batch index, 1-based order) of the first matrix of ``a`` that ``test`` rejects."""
    host = a.get() if hasattr(a, "get") else a
    flat = host.reshape((-1,) + host.shape[-2:])
    for i, m in enumerate(flat):
        k = test(m)
        if k is not None:
            return i, k
    return 0, host.shape[-1]


def _zero_pivot(m: Any) -> Optional[int]:
    """The 1-based index of the first zero pivot of LU with partial pivoting (LAPACK's
    getrf ``info``), or None when every pivot is non-zero."""
    u = m.astype("float64").copy()
    for j in range(u.shape[0]):
        p = j + int(abs(u[j:, j]).argmax())
        if u[p, j] == 0:
            return j + 1
        u[[j, p]] = u[[p, j]]
        u[j + 1:] -= u[j + 1:, j:j + 1] / u[j, j] * u[j]
    return None


def _not_positive_minor(m: Any) -> Optional[int]:
    """The order of the first leading minor that is not positive-definite (potrf's info)."""
    for k in range(1, m.shape[0] + 1):
        try:
            np.linalg.cholesky(m[:k, :k])
        except np.linalg.LinAlgError:
            return k
    return None


def _checked(xp: Any, a: Any, result: Any, name: str) -> Any:
    """``result`` unless it is not finite where ``a`` is: CuPy returns NaN for a singular or
    indefinite matrix where NumPy raises (so this test runs on CuPy's arrays only); then
    PyTorch's error."""
    if xp is np or bool(xp.isfinite(result).all()) or not bool(xp.isfinite(a).all()):
        return result
    raise _failure(xp, a, name)


def _failure(xp: Any, a: Any, name: str) -> LinAlgError:
    """PyTorch's error for the first matrix of ``a`` that ``name`` cannot factor."""
    batch = a.ndim > 2
    if name.startswith("linalg.cholesky"):
        i, k = _first_failure(xp, a, _not_positive_minor)
        return LinAlgError(
            f"{name}: {_batch_note(i, batch)}The factorization could not be "
            f"completed because the input is not positive-definite (the leading minor of "
            f"order {k} is not positive-definite).")
    if name == "linalg.solve":
        return LinAlgError("torch.linalg.solve: The solver failed because the input matrix "
                           "is singular.")
    i, k = _first_failure(xp, a, _zero_pivot)
    return LinAlgError(f"{name}: {_batch_note(i, batch)}The diagonal element {k} is zero, the "
                       "inversion could not be completed because the input matrix is "
                       "singular.")


def _lapack(xp: Any, a: Any, name: str, call: Callable[[], Any]) -> Any:
    """``call()``, its failure (NumPy's LinAlgError, CuPy's NaN) raised as PyTorch's."""
    try:
        result = call()
    except Exception as error:
        if type(error).__name__ != "LinAlgError":
            raise
        raise _failure(xp, a, name) from None
    return _checked(xp, a, result, name)


# -- the formulas, on arrays or Tensors --------------------------------------------------------
def inv_grad(y: Any, g: Any) -> Any:
    """y = A⁻¹: ∂L/∂A = −A⁻ᵀ G A⁻ᵀ = −yᵀ G yᵀ."""
    yt = mT(y)
    return -(yt @ g @ yt)


def logdet_grad(g: Any, inv_t: Any) -> Any:
    """log|det A|: ∂L/∂A = g·A⁻ᵀ (Jacobi's formula; det's gradient is g·det(A)·A⁻ᵀ)."""
    return g[..., None, None] * inv_t


def solve_grads(a: Any, x: Any, g: Any, solve: Solve) -> Tuple[Any, Any]:
    """X = A⁻¹B: ∂L/∂B = A⁻ᵀ G, ∂L/∂A = −(∂L/∂B) Xᵀ."""
    gb = solve(mT(a), g)
    return -(gb @ mT(x)), gb


def cholesky_grad(ell: Any, g: Any, solve: Solve) -> Any:
    """A = L Lᵀ: with P = tril(Lᵀ G) and Φ = (P + tril(P, −1)ᵀ)/2 (the symmetric matrix whose
    lower triangle is P's, its diagonal halved), ∂L/∂A = L⁻ᵀ Φ L⁻¹."""
    p = (mT(ell) @ g).tril()
    p = 0.5 * (p + mT(p.tril(-1)))
    left = solve(mT(ell), p)                # L⁻ᵀ Φ
    return mT(solve(mT(ell), mT(left)))     # (L⁻ᵀ Φ) L⁻¹ = (L⁻ᵀ (L⁻ᵀ Φ)ᵀ)ᵀ


def qr_grad(q: Any, r: Any, gq: Any, gr: Any, eye: Any, solve: Solve) -> Any:
    """A = QR (m ≥ n, reduced): with M = triu(G_R Rᵀ − Qᵀ G_Q) and sym(M) = M + Mᵀ − I⊙M,
    ∂L/∂A = (G_Q + Q sym(M)) R⁻ᵀ."""
    m = 0
    if not _absent(gr):
        m = gr @ mT(r)
    if not _absent(gq):
        m = m - mT(q) @ gq
    m = m.triu()
    ga = q @ (m + mT(m) - m * eye)
    if not _absent(gq):
        ga = ga + gq
    return mT(solve(r, mT(ga)))


def eigh_grad(w: Any, v: Any, gw: Any, gv: Any, eye: Any) -> Any:
    """A = V diag(w) Vᵀ: with E_ij = w_j − w_i (1 on the diagonal) and the skew part
    K = (VᵀG_V − G_VᵀV)/2, ∂L/∂A = V (K/E off the diagonal + diag(G_w)) Vᵀ."""
    inner = 0
    if not _absent(gv):
        vg = mT(v) @ gv
        e = w[..., None, :] - w[..., :, None] + eye
        inner = 0.5 * (vg - mT(vg)) / e * (1 - eye)
    if not _absent(gw):
        inner = inner + gw[..., None] * eye
    return v @ inner @ mT(v)


def svd_grad(u: Any, s: Any, vh: Any, gu: Any, gs: Any, gvh: Any, eye: Any) -> Any:
    """A = U diag(S) Vᴴ (reduced, k = min(m, n)): with E_ij = S_j² − S_i² (1 on the diagonal),
    skew(X) = X − Xᵀ, the core
    C = (skew(UᵀG_U) S_j + S_i skew(Vᵀ G_V)) / E + diag(G_S),
    ∂L/∂A = U C Vᵀ + (I − UUᵀ) G_U S⁻¹ Vᵀ + U S⁻¹ G_Vᵀ (I − VVᵀ)."""
    m, n, k = u.shape[-2], vh.shape[-1], s.shape[-1]
    s2 = s * s
    e = s2[..., None, :] - s2[..., :, None] + eye
    core = 0
    if not _absent(gu):
        ug = mT(u) @ gu
        core = (ug - mT(ug)) * s[..., None, :]
    if not _absent(gvh):
        vg = vh @ mT(gvh)
        core = core + s[..., :, None] * (vg - mT(vg))
    core = core / e if not isinstance(core, int) else 0
    if not _absent(gs):
        core = core + gs[..., None] * eye
    ga = u @ core @ vh
    if m > k and not _absent(gu):
        gus = gu / s[..., None, :]
        ga = ga + (gus - u @ (mT(u) @ gus)) @ vh
    if n > k and not _absent(gvh):
        sgv = gvh / s[..., :, None]
        ga = ga + u @ (sgv - (sgv @ mT(vh)) @ vh)
    return ga


def pinv_grad(a: Any, p: Any, g: Any) -> Any:
    """P = A⁺ (PyTorch's ``pinv_backward``): for m ≤ n, with K = GᵀP,
    ∂L/∂A = −(PK)ᵀ + KPᵀ − AP·KPᵀ + PᵀP (Gᵀ − KA); the transposed formula otherwise."""
    pt, gt = mT(p), mT(g)
    if a.shape[-2] <= a.shape[-1]:
        k = gt @ p
        kpt = k @ pt
        return -mT(p @ k) + kpt - (a @ p) @ kpt + (pt @ p) @ (gt - k @ a)
    k = p @ gt
    ptk = pt @ k
    return -mT(k @ p) + (gt - a @ k) @ p @ pt + ptk - ptk @ p @ a


def on_tensors(xp: Any, formula: Callable[..., Any], *arrays: Any) -> Any:
    """``formula`` (one that uses ``tril``/``triu``, Tensor methods) on arrays: run on Tensors
    that record nothing, with the array solver as its ``solve``; returns the array."""
    from minitorch.tensor import Tensor

    def solve(m: Any, r: Any) -> Any:
        return Tensor._wrap(xp.linalg.solve(m._data, r._data))

    args = [a if _absent(a) or not hasattr(a, "shape") else Tensor._wrap(a) for a in arrays]
    return formula(*args, solve)._data


def _eye_like(xp: Any, n: int, dtype: Any) -> Any:
    return xp.eye(n, dtype=dtype)


# -- the ops -----------------------------------------------------------------------------------
class LinalgInvEx(Function):
    """y = A⁻¹ for a batch of square matrices; ∂L/∂A = −yᵀ G yᵀ (``inv_grad``)."""

    def forward(self, a: Any) -> Any:
        xp = self.xp
        y = _lapack(xp, a, "linalg.inv", lambda: xp.linalg.inv(a))
        self.save_for_backward(y)
        return y

    def backward(self, g: Any) -> Any:
        (y,) = self.saved_tensors
        return inv_grad(y, g)

    def backward_graph(self, g: Any) -> Any:
        (y,) = self.saved_tensors
        return inv_grad(self.graph_output(0, y), g)


class LinalgDet(Function):
    """y = det A (LU: the product of the pivots, signed by the permutation);
    ∂L/∂A = g·det(A)·A⁻ᵀ (Jacobi's formula, for an invertible A)."""

    def forward(self, a: Any) -> Any:
        d = self.xp.linalg.det(a)
        self.save_for_backward(a, d)
        return d

    def backward(self, g: Any) -> Any:
        a, d = self.saved_tensors
        return logdet_grad(g * d, mT(self.xp.linalg.inv(a)))

    def backward_graph(self, g: Any) -> Any:
        a, d = self.saved_tensors
        inv_t = mT(LinalgInvEx.apply(self.graph_input(0, a)))
        return logdet_grad(g * self.graph_output(0, d), inv_t)


class LinalgSlogdet(Function):
    """(sign, log|det A|); the sign is piecewise constant (no gradient), and
    ∂L/∂A = g·A⁻ᵀ for the log-determinant."""

    def forward(self, a: Any) -> Any:
        sign, logabs = self.xp.linalg.slogdet(a)
        self.save_for_backward(a)
        return sign.astype(a.dtype), logabs.astype(a.dtype)

    def backward(self, gsign: Any, glog: Any = 0) -> Any:
        (a,) = self.saved_tensors
        if _absent(glog):
            return None
        return logdet_grad(glog, mT(self.xp.linalg.inv(a)))

    def backward_graph(self, gsign: Any, glog: Any = None) -> Any:
        (a,) = self.saved_tensors
        if _absent(glog):
            return None
        return logdet_grad(glog, mT(LinalgInvEx.apply(self.graph_input(0, a))))


class LinalgSolveEx(Function):
    """X = A⁻¹B for A (..., n, n) and B (..., n, k) (or a batch of vectors (..., n),
    ``vector``), the batch dims broadcast. Backward: ``solve_grads`` (∂L/∂B = A⁻ᵀG,
    ∂L/∂A = −(∂L/∂B)Xᵀ), each summed back to its input's shape."""

    def forward(self, a: Any, b: Any, vector: bool) -> Any:
        xp = self.xp
        self.vector, self.a_shape, self.b_shape = vector, a.shape, b.shape
        b2 = b[..., None] if vector else b
        batch = np.broadcast_shapes(a.shape[:-2], b2.shape[:-2])
        a_full = xp.broadcast_to(a, batch + a.shape[-2:])
        b_full = xp.broadcast_to(b2, batch + b2.shape[-2:])
        x = _lapack(xp, a_full, "linalg.solve", lambda: xp.linalg.solve(a_full, b_full))
        self.save_for_backward(a, x)
        return x[..., 0] if vector else x

    def _grads(self, a: Any, x: Any, g: Any, solve: Solve, to_shape: Callable) -> Any:
        g2 = g[..., None] if self.vector else g
        ga, gb = solve_grads(a, x, g2, solve)
        gb = gb[..., 0] if self.vector else gb
        return to_shape(ga, self.a_shape), to_shape(gb, self.b_shape)

    def backward(self, g: Any) -> Any:
        a, x = self.saved_tensors
        xp = self.xp
        return self._grads(a, x, g, lambda m, r: xp.linalg.solve(
            xp.broadcast_to(m, r.shape[:-2] + m.shape[-2:]), r),
            lambda t, shape: unbroadcast(xp, t, shape))

    def backward_graph(self, g: Any) -> Any:
        a, x = self.saved_tensors
        x_t = self.graph_output(0, x[..., 0] if self.vector else x)
        x_t = x_t.unsqueeze(-1) if self.vector else x_t
        return self._grads(self.graph_input(0, a), x_t, g, _graph_solve, sum_to)


def _graph_solve(m: Any, r: Any) -> Any:
    return LinalgSolveEx.apply(m, r, False)


class LinalgCholeskyEx(Function):
    """L lower-triangular with A = L Lᵀ (A's lower triangle is read); ``cholesky_grad``."""

    def forward(self, a: Any) -> Any:
        xp = self.xp
        ell = _lapack(xp, a, "linalg.cholesky", lambda: xp.linalg.cholesky(a))
        self.save_for_backward(ell)
        return ell

    def backward(self, g: Any) -> Any:
        (ell,) = self.saved_tensors
        return on_tensors(self.xp, cholesky_grad, ell, g)

    def backward_graph(self, g: Any) -> Any:
        (ell,) = self.saved_tensors
        return cholesky_grad(self.graph_output(0, ell), g, _graph_solve)


class LinalgQr(Function):
    """(Q, R) with A = QR, Q (..., m, k) orthonormal columns, R (..., k, n) upper-triangular,
    k = min(m, n) (``mode='reduced'``); ``qr_grad`` (m ≥ n)."""

    def forward(self, a: Any) -> Any:
        q, r = self.xp.linalg.qr(a)
        self.save_for_backward(q, r)
        return q, r

    def backward(self, gq: Any, gr: Any = 0) -> Any:
        q, r = self.saved_tensors
        eye = _eye_like(self.xp, r.shape[-1], r.dtype)
        return on_tensors(self.xp, qr_grad, q, r, gq, gr, eye)

    def backward_graph(self, gq: Any, gr: Any = None) -> Any:
        q, r = self.saved_tensors
        eye = self.constant(_eye_like(self.xp, r.shape[-1], r.dtype))
        return qr_grad(self.graph_output(0, q), self.graph_output(1, r), gq, gr, eye,
                       _graph_solve)


class LinalgEigh(Function):
    """(w, V) with A = V diag(w) Vᵀ, w ascending (A's lower triangle is read); ``eigh_grad``."""

    def forward(self, a: Any) -> Any:
        w, v = self.xp.linalg.eigh(a)
        self.save_for_backward(w, v)
        return w, v

    def backward(self, gw: Any, gv: Any = 0) -> Any:
        w, v = self.saved_tensors
        return eigh_grad(w, v, gw, gv, _eye_like(self.xp, w.shape[-1], w.dtype))

    def backward_graph(self, gw: Any, gv: Any = None) -> Any:
        w, v = self.saved_tensors
        eye = self.constant(_eye_like(self.xp, w.shape[-1], w.dtype))
        return eigh_grad(self.graph_output(0, w), self.graph_output(1, v), gw, gv, eye)


class LinalgSvd(Function):
    """(U, S, Vᴴ), the reduced SVD (``full_matrices=False``), S descending; ``svd_grad``."""

    def forward(self, a: Any) -> Any:
        u, s, vh = self.xp.linalg.svd(a, full_matrices=False)
        self.save_for_backward(u, s, vh)
        return u, s, vh

    def backward(self, gu: Any, gs: Any = 0, gvh: Any = 0) -> Any:
        u, s, vh = self.saved_tensors
        return svd_grad(u, s, vh, gu, gs, gvh, _eye_like(self.xp, s.shape[-1], s.dtype))

    def backward_graph(self, gu: Any, gs: Any = None, gvh: Any = None) -> Any:
        u, s, vh = self.saved_tensors
        eye = self.constant(_eye_like(self.xp, s.shape[-1], s.dtype))
        return svd_grad(self.graph_output(0, u), self.graph_output(1, s),
                        self.graph_output(2, vh), gu, gs, gvh, eye)


class LinalgPinv(Function):
    """P = A⁺ through the SVD, singular values below ``rtol``·σ_max dropped; ``pinv_grad``."""

    def forward(self, a: Any, rtol: float) -> Any:
        p = self.xp.linalg.pinv(a, rtol)
        self.save_for_backward(a, p)
        return p

    def backward(self, g: Any) -> Any:
        a, p = self.saved_tensors
        return pinv_grad(a, p, g)

    def backward_graph(self, g: Any) -> Any:
        a, p = self.saved_tensors
        return pinv_grad(self.graph_input(0, a), self.graph_output(0, p), g)


def expm(xp: Any, a: Any) -> Any:
    """exp(A) = Σ Aᵏ/k! for a batch of square arrays by scaling and squaring: each matrix is
    scaled by 2⁻ˢ to a 1-norm ≤ 1/2, its Taylor series summed to degree 18 (a remainder
    below 2⁻¹⁹/19! relative, under float64's rounding), and the result squared s times."""
    n = a.shape[-1]
    norm = xp.abs(a).sum(-2).max(-1) if n else xp.zeros(a.shape[:-2])
    finite = xp.where(xp.isfinite(norm), norm, 1.0)
    s = xp.clip(xp.ceil(xp.log2(xp.maximum(finite, 1e-300) / 0.5)), 0, 64).astype("int64")
    scaled = a / (2.0 ** s).astype(a.real.dtype)[..., None, None]
    eye = xp.broadcast_to(xp.eye(n, dtype=a.dtype), a.shape)
    term, result = eye, eye.copy()
    for k in range(1, 19):
        term = term @ scaled / k
        result = result + term
    for i in range(int(s.max()) if s.size else 0):
        result = xp.where((i < s)[..., None, None], result @ result, result)
    return result


class LinalgMatrixExp(Function):
    """y = exp(A) (``expm``). Backward, as PyTorch's ``differential_analytic_matrix_function``:
    the Fréchet derivative of exp at Aᴴ along G is the top-right block of
    exp([[Aᴴ, G], [0, Aᴴ]]), and ∂L/∂A is that block."""

    def forward(self, a: Any) -> Any:
        self.save_for_backward(a)
        return expm(self.xp, a)

    def backward(self, g: Any) -> Any:
        (a,) = self.saved_tensors
        xp, n = self.xp, a.shape[-1]
        ah = xp.broadcast_to(mT(a.conj()), g.shape)
        block = xp.concatenate([xp.concatenate([ah, g], -1),
                                xp.concatenate([xp.zeros_like(g), ah], -1)], -2)
        return expm(xp, block)[..., :n, n:]

    def backward_graph(self, g: Any) -> Any:
        from minitorch.functions import cat

        (a,) = self.saved_tensors
        ah = mT(self.graph_input(0, a).conj()) + g * 0
        block = cat([cat([ah, g], -1), cat([g * 0, ah], -1)], -2)
        return LinalgMatrixExp.apply(block)[..., :a.shape[-1], a.shape[-1]:]


class LinalgEig(Function):
    """(w, V) with A V = V diag(w), complex (LAPACK's geev: each eigenvector of unit norm,
    its largest component real). Forward only: the backward is not implemented."""

    def forward(self, a: Any) -> Any:
        w, v = self.xp.linalg.eig(a)
        kind = np.result_type(a.dtype, np.complex64)  # float32 → complex64, float64 → 128
        return w.astype(kind), v.astype(kind)

    def backward(self, gw: Any, gv: Any = 0) -> Any:
        raise NotImplementedError("linalg.eig: the backward of the non-symmetric "
                                  "eigendecomposition is not implemented")
