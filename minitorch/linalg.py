"""``minitorch.linalg``: PyTorch's linear-algebra namespace — the cross product; inverse,
determinants, solve; the Cholesky, QR, symmetric eigen- and singular value decompositions and
the pseudo-inverse (``autograd/ops/decompositions.py``); vector and matrix norms,
matrix_power and multi_dot (composed of other ops, as torch composes them)."""

from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple

import numpy as np

from minitorch import return_types
from minitorch.autograd.ops import decompositions
from minitorch.autograd.ops.decompositions import LinAlgError
from minitorch.autograd.ops.products import LinalgCross
from minitorch.autograd.ops.reduction import AMin
from minitorch.creation import eye, tensor
from minitorch.dtypes import finfo, int32
from minitorch.functions import where
from minitorch.shapes import broadcast_shapes, normalize_dim
from minitorch.tensor import Tensor, _same_mm_dtype

__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eig",
           "eigh", "eigvals", "eigvalsh", "inv", "inv_ex", "logdet", "lstsq", "matrix_exp",
           "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr",
           "slogdet", "solve", "solve_triangular", "svd", "svdvals", "vecdot", "vector_norm"]


def cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (of size 3 in both), the other dims
    broadcast: y = (a₁b₂ − a₂b₁, a₂b₀ − a₀b₂, a₀b₁ − a₁b₀) (node ``LinalgCrossBackward0``)."""
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = normalize_dim(dim, input.ndim)
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[d]} and {other.shape[d]}")
    broadcast_shapes(input.shape, other.shape)  # torch's error when the others do not
    _same_mm_dtype(input, other)
    return LinalgCross.apply(input, other, d)


# -- matrix functions (autograd/ops/decompositions.py) -------------------------------------
def _matrices(name: str, a: Tensor, square: bool = True) -> None:
    """PyTorch's checks of a batch of matrices: floating, at least 2-D, square."""
    if not a.dtype.is_floating_point:
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {a.dtype.kind}")
    if a.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if square and a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")


def inv(A: Tensor) -> Tensor:  # noqa: N803 - PyTorch's argument name
    """A⁻¹ for a batch (..., n, n) of invertible matrices (node ``LinalgInvExBackward0``;
    ∂L/∂A = −A⁻ᵀ G A⁻ᵀ). A singular matrix raises :class:`LinAlgError`."""
    _matrices("linalg.inv", A)
    return decompositions.LinalgInvEx.apply(A)


def det(A: Tensor) -> Tensor:  # noqa: N803
    """det A for a batch of square matrices (node ``LinalgDetBackward0``;
    ∂ det A/∂A = det(A)·A⁻ᵀ)."""
    _matrices("linalg.det", A)
    return decompositions.LinalgDet.apply(A)


def slogdet(A: Tensor) -> Any:  # noqa: N803
    """``(sign, logabsdet)`` with det A = sign · exp(logabsdet), as
    ``minitorch.return_types.linalg_slogdet`` (node ``LinalgSlogdetBackward0``;
    ∂ log|det A|/∂A = A⁻ᵀ)."""
    _matrices("linalg.slogdet", A)
    return return_types.linalg_slogdet(*decompositions.LinalgSlogdet.apply(A))


def logdet(A: Tensor) -> Tensor:  # noqa: N803
    """log det A: slogdet's log|det A| where the sign is +1 (or 0: −inf), NaN where it is
    −1 — torch's composition ``where(sign == −1, nan, logabsdet)`` (node WhereBackward0)."""
    _matrices("logdet", A)
    sign, logabs = decompositions.LinalgSlogdet.apply(A)
    return where(sign == -1, float("nan"), logabs)


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:  # noqa: N803
    """X = A⁻¹B, the solution of AX = B, for A (..., n, n) and B (..., n, k) or a batch of
    vectors (..., n) (B is one when it is 1-D, or has A's shape without the last dim), the
    batch dims broadcast (node ``LinalgSolveExBackward0``; ∂L/∂B = A⁻ᵀG,
    ∂L/∂A = −A⁻ᵀG Xᵀ). ``left=False`` solves XA = B, as (Aᵀ)⁻¹Bᵀ transposed."""
    _matrices("linalg.solve", A)
    if not left:
        return solve(A.mT, B.mT).mT
    _same_mm_dtype(A, B)
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    rows = B.shape[-1] if vector else B.shape[-2]
    if rows != A.shape[-1]:
        cols = 1 if vector else B.shape[-1]
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"AX = B ({A.shape[-2]}x{A.shape[-1]} and {rows}x{cols})")
    broadcast_shapes(tuple(A.shape[:-2]), tuple(B.shape[:-1 if vector else -2]))
    return decompositions.LinalgSolveEx.apply(A, B, vector)


def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:  # noqa: N803
    """L lower-triangular with A = L Lᵀ for a batch of symmetric positive-definite matrices
    (A's lower triangle is read; node ``LinalgCholeskyExBackward0``); ``upper``: Lᵀ."""
    _matrices("linalg.cholesky", A)
    ell = decompositions.LinalgCholeskyEx.apply(A)
    return ell.mT if upper else ell


def qr(A: Tensor, mode: str = "reduced") -> Any:  # noqa: N803
    """(Q, R), A = QR with Q (..., m, k) of orthonormal columns and R (..., k, n)
    upper-triangular, k = min(m, n) (``mode='reduced'``; node ``LinalgQrBackward0``)."""
    _matrices("linalg.qr", A, square=False)
    if mode != "reduced":
        raise NotImplementedError(f"linalg.qr: mode={mode!r} (only 'reduced' is implemented)")
    return return_types.linalg_qr(*decompositions.LinalgQr.apply(A))


def eigh(A: Tensor, UPLO: str = "L") -> Any:  # noqa: N803
    """(eigenvalues ascending, eigenvectors as columns), A = V diag(w) Vᵀ, of a batch of
    symmetric matrices whose lower triangle is read (node ``LinalgEighBackward0``).
    Each eigenvector is defined up to its sign."""
    _matrices("linalg.eigh", A)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return return_types.linalg_eigh(*decompositions.LinalgEigh.apply(A if UPLO == "L"
                                                                      else A.mT))


def eig(A: Tensor) -> Any:  # noqa: N803
    """(eigenvalues, eigenvectors as columns), complex, A V = V diag(w), of a batch of square
    matrices, as ``minitorch.return_types.linalg_eig``; each eigenvector of unit norm with
    its largest component real (LAPACK's geev, as torch's CPU). Forward only: backward
    raises NotImplementedError."""
    _matrices("linalg.eig", A)
    return return_types.linalg_eig(*decompositions.LinalgEig.apply(A))


def eigvals(A: Tensor) -> Tensor:  # noqa: N803
    """The (complex) eigenvalues of ``eig``, in LAPACK's order."""
    _matrices("linalg.eigvals", A)
    return decompositions.LinalgEig.apply(A)[0]


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:  # noqa: N803
    """The eigenvalues of ``eigh``, ascending."""
    return eigh(A, UPLO)[0]


def svd(A: Tensor, full_matrices: bool = True) -> Any:  # noqa: N803
    """(U, S, Vᴴ), A = U diag(S) Vᴴ, S descending; the reduced SVD (k = min(m, n) columns of
    U and rows of Vᴴ; ``full_matrices=True`` is accepted where it is the same: square A).
    Node ``LinalgSvdBackward0``; singular vectors are defined up to a common sign."""
    _matrices("linalg.svd", A, square=False)
    if full_matrices and A.shape[-1] != A.shape[-2]:
        raise NotImplementedError("linalg.svd: full_matrices=True on a non-square matrix "
                                  "(use full_matrices=False)")
    return return_types.linalg_svd(*decompositions.LinalgSvd.apply(A))


def svdvals(A: Tensor) -> Tensor:  # noqa: N803
    """The singular values of A, descending (node ``LinalgSvdBackward0``)."""
    _matrices("linalg.svdvals", A, square=False)
    return decompositions.LinalgSvd.apply(A)[1]


def pinv(A: Tensor, *, rtol: Optional[float] = None, hermitian: bool = False) -> Tensor:  # noqa: N803
    """A⁺, the Moore–Penrose pseudo-inverse through the SVD, singular values below
    rtol·σ_max dropped (default rtol = ε·max(m, n), as torch's); node ``LinalgPinvBackward0``."""
    _matrices("linalg.pinv", A, square=False)
    if rtol is None:
        rtol = finfo(A.dtype).eps * max(A.shape[-2], A.shape[-1])
    return decompositions.LinalgPinv.apply(A, float(rtol))


# -- norms and products ------------------------------------------------------------------------
def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
                dtype: Any = None) -> Tensor:
    """‖x‖_ord over ``dim`` (every element when None): (Σ|x|^ord)^(1/ord), max|x| (inf),
    min|x| (−inf), the count of non-zeros (0); node ``LinalgVectorNormBackward0``."""
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    return x.norm(ord, dim, keepdim, dtype)


def matrix_norm(A: Tensor, ord: Any = "fro", dim: Tuple[int, int] = (-2, -1),  # noqa: N803, A002
                keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """A matrix norm over the two dims ``dim``, composed as torch composes it:
    'fro' = √Σ a²; 'nuc' = Σ σᵢ; 2 / −2 = max / min σᵢ; 1 / −1 = max / min column sum of
    |a|; inf / −inf = max / min row sum of |a|."""
    A = A.to(dtype) if dtype is not None else A
    _matrices("linalg.matrix_norm", A, square=False)
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dim}")
    rows, cols = (normalize_dim(d, A.ndim) for d in dim)
    if rows == cols:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, "
                           f"{dim[1]})")
    if ord == "fro":
        return vector_norm(A, 2, (rows, cols), keepdim)
    if ord in ("nuc", 2, -2):
        # torch's order: the two dims moved last, reduced, and (keepdim) moved back
        order = [d for d in range(A.ndim) if d not in (rows, cols)] + [rows, cols]
        s = svdvals(A.permute(*order))
        out = s.sum(-1) if ord == "nuc" else (s.amax(-1) if ord == 2 else
                                                  AMin.apply(s, (s.ndim - 1,), False))
        if keepdim:
            out = out.unsqueeze(-1).unsqueeze(-1).permute(*[order.index(d)
                                                           for d in range(A.ndim)])
        return out
    if ord not in (1, -1, float("inf"), float("-inf")):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    first, second = (rows, cols) if abs(ord) == 1 else (cols, rows)
    if not keepdim and first < second:
        second -= 1
    sums = vector_norm(A, 1, first, keepdim)
    return sums.amax(second, keepdim) if ord > 0 else AMin.apply(sums, (second,), keepdim)


def norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *,  # noqa: N803, A002
         dtype: Any = None) -> Tensor:
    """A vector norm (``dim`` an int, or a 1-D input, or ``ord`` None) or a matrix norm
    (``dim`` a 2-tuple or a 2-D input with ``ord`` given), as torch's ``linalg.norm``."""
    if isinstance(dim, int) or (isinstance(dim, (tuple, list)) and len(dim) == 1):
        return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if dim is None:
        if A.ndim == 1 and not isinstance(ord, str):
            return vector_norm(A, ord, None, keepdim, dtype=dtype)
        if A.ndim != 2:
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input "
                               f"must be 1D or 2D. Got {A.ndim}D.")
        dim = (-2, -1)
    return matrix_norm(A, ord, dim, keepdim, dtype=dtype)


def matrix_power(A: Tensor, n: int) -> Tensor:  # noqa: N803
    """Aⁿ by repeated squaring (torch's order of products); n = 0: the identity, n < 0:
    (A⁻¹)^|n|; n = 1 is a copy (CloneBackward0)."""
    _matrices("linalg.matrix_power", A)
    if n == 0:
        return A * 0 + eye(A.shape[-1], dtype=A.dtype, device=A.device)
    a = inv(A) if n < 0 else A
    n = abs(n)
    if n == 1:
        return a.clone()
    if n <= 3:
        return a @ a if n == 2 else (a @ a) @ a
    z: Optional[Tensor] = None
    result: Optional[Tensor] = None
    while n > 0:
        bit, n = n % 2, n // 2
        z = a if z is None else z @ z
        if bit:
            result = z if result is None else result @ z
    assert result is not None
    return result


def multi_dot(tensors: Sequence[Tensor]) -> Tensor:
    """The product of a chain of matrices in the order of fewest multiplications (a 1-D first
    operand is a row, a 1-D last one a column, both dropped from the result)."""
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    first, last = tensors[0].ndim == 1, tensors[-1].ndim == 1
    mats = list(tensors)
    if first:
        mats[0] = mats[0].unsqueeze(0)
    if last:
        mats[-1] = mats[-1].unsqueeze(-1)
    for i, t in enumerate(mats):
        if t.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    dims = [mats[0].shape[0]] + [t.shape[1] for t in mats]
    count = len(mats)
    cost = [[0] * count for _ in range(count)]
    split = [[0] * count for _ in range(count)]
    for length in range(1, count):  # the textbook matrix-chain order
        for i in range(count - length):
            j = i + length
            cost[i][j], split[i][j] = min(
                (cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1], k)
                for k in range(i, j))

    def product(i: int, j: int) -> Tensor:
        if i == j:
            return mats[i]
        k = split[i][j]
        return product(i, k).mm(product(k + 1, j))

    out = product(0, count - 1)
    shape = [s for s, drop in ((out.shape[0], first), (out.shape[1], last)) if not drop]
    return out.view(shape)


# -- triangular solve, the "_ex" variants, least squares, rank and condition number -----------
def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True,  # noqa: N803
                     unitriangular: bool = False) -> Tensor:
    """X = T⁻¹B (``left``) or X = BT⁻¹ (``left=False``, solved as Tᵀ Xᵀ = Bᵀ), T the upper or
    lower triangle of A (its diagonal read as ones when ``unitriangular``), the batch dims
    broadcast. Composed as T = triu(A) / tril(A) (+ I) and the solve, so the gradient is
    torch's ``linalg_solve_triangular_backward``: ∂L/∂B = T⁻ᵀG, ∂L/∂A = the same triangle
    of −(T⁻ᵀG)Xᵀ (its diagonal zero when ``unitriangular``)."""
    name = "linalg.solve_triangular"
    _matrices(name, A)
    if B.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor B must have at least 2 dimensions.")
    n = A.shape[-1]
    rows, cols = (B.shape[-2], B.shape[-1]) if left else (B.shape[-1], B.shape[-2])
    if rows != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation {eq} "
                           f"({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")
    _same_mm_dtype(A, B)
    broadcast_shapes(tuple(A.shape[:-2]), tuple(B.shape[:-2]))
    if not left:
        return solve_triangular(A.mT, B.mT, upper=not upper, unitriangular=unitriangular).mT
    shift = 1 if unitriangular else 0
    t = A.triu(shift) if upper else A.tril(-shift)
    if unitriangular:
        t = t + eye(n, dtype=A.dtype, device=A.device)
    return decompositions.LinalgSolveEx.apply(t, B, False)


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """Σᵢ conj(xᵢ) yᵢ along ``dim``, the other dims broadcast."""
    if x.dtype != y.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found "
                           f"x of type {x.dtype.kind} and y of type {y.dtype.kind} instead")
    if not x.dtype.is_floating_point:
        raise RuntimeError(f"linalg.vecdot: Expected a floating point or complex tensor as "
                           f"input. Got {x.dtype.kind}")
    return (x.conj() * y).sum(dim)


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: N803
    """The ``offset`` diagonal of the matrices in dims (dim1, dim2), appended last (a view)."""
    return A.diagonal(offset, dim1, dim2)


def _tolerance(A: Tensor, s: Tensor, atol: Optional[float], rtol: Optional[float]) -> Tensor:  # noqa: N803
    """max(atol, rtol·σ_max): torch's rank cut-off; rtol defaults to ε·max(m, n) when atol
    is not given, to 0 when it is."""
    if rtol is None:
        rtol = finfo(A.dtype).eps * max(A.shape[-2], A.shape[-1]) if atol is None else 0.0
    top = s.amax(-1, keepdim=True) if s.shape[-1] else s.sum(-1, keepdim=True)
    return (top * rtol).clamp(min=0.0 if atol is None else atol)


def matrix_rank(A: Tensor, *, atol: Optional[float] = None, rtol: Optional[float] = None,  # noqa: N803
                hermitian: bool = False) -> Tensor:
    """The number of singular values (|eigenvalues| when ``hermitian``) above
    max(atol, rtol·σ_max), an int64 tensor of A's batch shape; no gradient."""
    if A.ndim < 2:
        raise RuntimeError("torch.linalg.matrix_rank: The input tensor input must have at "
                           "least 2 dimensions.")
    if not A.dtype.is_floating_point:
        raise RuntimeError("This function doesn't handle types other than float and double")
    A = A.detach()
    s = eigvalsh(A).abs() if hermitian else svdvals(A)
    return (s > _tolerance(A, s, atol, rtol)).sum(-1)


def cond(A: Tensor, p: Any = None) -> Tensor:  # noqa: N803
    """κ_p(A) = ‖A‖_p ‖A⁻¹‖_p; for p = None / 2 / −2 the ratio σ_max/σ_min (σ_min/σ_max),
    which any (m, n) matrix has; the other norms ('fro', 'nuc', ±1, ±inf) need square A
    and give inf for a singular one (torch's result)."""
    if A.ndim < 2:
        raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")
    if p in (None, 2, -2):
        s = svdvals(A)
        ratio = s[..., 0] / s[..., -1]
        return 1 / ratio if p == -2 else ratio
    if p not in ("fro", "nuc", 1, -1, float("inf"), float("-inf")):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    _matrices(f"linalg.cond(ord={p})", A)
    failed, _ = _lu_info(A)
    if bool(failed.any()):
        ok = where(failed[..., None, None], eye(A.shape[-1], dtype=A.dtype, device=A.device),
                   A)
        return where(failed, float("inf"), matrix_norm(ok, p) * matrix_norm(inv(ok), p))
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


def _lu_info(A: Tensor) -> Tuple[Tensor, Tensor]:  # noqa: N803
    """(singular mask, getrf's ``info``: the 1-based first zero pivot, 0 if none), per
    matrix of the batch."""
    return _info(A, decompositions._zero_pivot)


def _info(A: Tensor, test: Any) -> Tuple[Tensor, Tensor]:  # noqa: N803
    host = A.detach().numpy()
    flat = host.reshape((-1,) + host.shape[-2:])
    codes = np.array([test(m) or 0 for m in flat], dtype=np.int32).reshape(host.shape[:-2])
    info = tensor(codes, dtype=int32, device=A.device)
    return info != 0, info


def _ex(name: str, A: Tensor, test: Any, safe: Any, call: Any, check_errors: bool) -> Any:  # noqa: N803
    """``(call(A), info)``: matrices that ``test`` rejects have info ≠ 0 and a NaN result
    (``call`` runs on ``safe`` in their place); with ``check_errors`` torch's error."""
    _matrices(name, A)
    failed, info = _info(A, test)
    if not bool(failed.any()):
        return call(A), info
    if check_errors:
        raise decompositions._failure(np, A.detach().numpy(), name)
    mask = failed[..., None, None]
    return where(mask, float("nan"), call(where(mask, safe, A))), info


def inv_ex(A: Tensor, *, check_errors: bool = False) -> Any:  # noqa: N803
    """``(inverse, info)`` as ``minitorch.return_types.linalg_inv_ex``: A⁻¹ and getrf's int32
    ``info`` (0, or the 1-based index of the first zero pivot of a singular matrix, whose
    inverse is NaN here where torch leaves LAPACK's partial result)."""
    ident = eye(A.shape[-1], dtype=A.dtype, device=A.device) if A.ndim >= 2 else A
    return return_types.linalg_inv_ex(*_ex("linalg.inv_ex", A, decompositions._zero_pivot,
                                           ident, inv, check_errors))


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False) -> Any:  # noqa: N803
    """``(L, info)`` as ``minitorch.return_types.linalg_cholesky_ex``: the Cholesky factor
    and potrf's int32 ``info`` (0, or the order of the first leading minor that is not
    positive-definite; that matrix's L is NaN here, LAPACK's partial factor in torch)."""
    ident = eye(A.shape[-1], dtype=A.dtype, device=A.device) if A.ndim >= 2 else A
    return return_types.linalg_cholesky_ex(*_ex(
        "linalg.cholesky_ex", A, decompositions._not_positive_minor, ident,
        lambda a: cholesky(a, upper=upper), check_errors))


def lstsq(A: Tensor, B: Tensor, rcond: Optional[float] = None, *,  # noqa: N803
          driver: Optional[str] = None) -> Any:
    """The least-squares solution X = argmin ‖AX − B‖ (the minimum-norm one), as
    ``minitorch.return_types.linalg_lstsq`` filled as torch's CPU default driver 'gelsy'
    fills it: ``solution``, ``rank`` (int64), ``residuals`` and ``singular_values`` empty.
    X = A⁺B, composed of ``pinv`` (rcond its cut-off), so ∂L/∂A, ∂L/∂B are torch's.
    B is a batch of vectors when it has A's dims less one."""
    if A.ndim < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    if driver not in (None, "gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of "
                           "(gels, gelsy, gelsd, gelss)")
    if driver not in (None, "gelsy"):
        raise NotImplementedError(f"linalg.lstsq: driver={driver!r} (only 'gelsy')")
    vector = B.ndim == A.ndim - 1
    b = B.unsqueeze(-1) if vector else B
    if b.shape[-2] != A.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    _same_mm_dtype(A, B)
    if rcond is None:
        rcond = finfo(A.dtype).eps * max(A.shape[-2], A.shape[-1])
    x = pinv(A, rtol=rcond) @ b
    empty = x.new_zeros((0,))
    rank = matrix_rank(A, rtol=rcond)
    return return_types.linalg_lstsq(x[..., 0] if vector else x, empty, rank, empty)


def matrix_exp(A: Tensor) -> Tensor:  # noqa: N803
    """exp(A) = Σₖ Aᵏ/k! for a batch of square matrices, by scaling and squaring (node
    ``LinalgMatrixExpBackward0``; ∂L/∂A is the top-right block of exp([[Aᴴ, G], [0, Aᴴ]]))."""
    _matrices("linalg.matrix_exp", A)
    return decompositions.LinalgMatrixExp.apply(A)
