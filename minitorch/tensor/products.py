"""The tensor methods for matrix products and torch's older linalg names.

A mixin of :class:`minitorch.tensor.Tensor`; every differentiable method calls an op's
``apply`` and the math lives in :mod:`minitorch.autograd.ops`. ``Tensor`` (the class
these methods are mixed into) is bound in this module once the class exists.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Optional, Tuple, Union

from minitorch import dtypes, return_types
from minitorch.autograd.ops import products, shape
from minitorch.tensor.helpers import (
    _CROSS_DEFAULT_DIM,
    _check_bmm,
    _check_matmul,
    _check_mv,
    _check_same_dtype,
    _check_vectors,
    _expand_target,
    _inplace_form,
    _kind_name,
    _same_mm_dtype,
    _scalar_name,
    matmul,
)

Number = Union[int, float, bool]

if TYPE_CHECKING:
    from minitorch.tensor.core import Tensor


class Products:
    """Tensor methods: matrix products and torch's older linalg names."""

    # ------------------------------------------------- products (ops/products.py)
    def mm(self, mat2: Tensor) -> Tensor:
        if self.ndim != 2:
            raise RuntimeError("self must be a matrix")
        if mat2.ndim != 2:
            raise RuntimeError("mat2 must be a matrix")
        _check_matmul(self, mat2)  # same checks and messages as torch.mm
        return products.Mm.apply(self, mat2)

    def bmm(self, mat2: Tensor) -> Tensor:
        _check_bmm(self, mat2)
        if mat2.shape[0] != self.shape[0] or mat2.shape[1] != self.shape[2]:
            raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to "
                               f"be: [{self.shape[0]}, {self.shape[2]}] but got: "
                               f"[{mat2.shape[0]}, {mat2.shape[1]}].")
        _same_mm_dtype(self, mat2)
        return products.Bmm.apply(self, mat2)

    def mv(self, vec: Tensor) -> Tensor:
        _check_mv(1, self, vec)
        _check_matmul(self, vec)
        return products.Mv.apply(self, vec)

    def dot(self, other: Tensor) -> Tensor:
        if self.ndim != 1 or other.ndim != 1:
            raise RuntimeError(f"1D tensors expected, but got {self.ndim}D and {other.ndim}D "
                               f"tensors")
        _check_matmul(self, other)
        return products.Dot.apply(self, other)

    def inner(self, other: Tensor) -> Tensor:
        if self.ndim == 0 or other.ndim == 0:
            return self * other
        return matmul(self, other.transpose(-1, -2) if other.ndim > 1 else other)

    def outer(self, vec2: Tensor) -> Tensor:
        """y_ij = a_i b_j (a broadcast product, as in PyTorch)."""
        _check_vectors("outer", ("self", self), ("vec2", vec2))
        return self.unsqueeze(1) * vec2.unsqueeze(0)

    ger = outer

    def kron(self, other: Tensor) -> Tensor:
        """The Kronecker product: y[i·q + k, ...] = a[i, ...]·b[k, ...] for b of shape
        (q, ...), the shorter shape padded with leading 1s. Computed as torch does: a viewed
        as (a₀, 1, a₁, 1, ...) times b viewed as (1, b₀, 1, b₁, ...), viewed back
        (``UnsafeViewBackward0`` over ``MulBackward0``)."""
        ndim = max(self.ndim, other.ndim)
        a = (1,) * (ndim - self.ndim) + tuple(self.shape)
        b = (1,) * (ndim - other.ndim) + tuple(other.shape)
        a_view = tuple(x for size in a for x in (size, 1))
        b_view = tuple(x for size in b for x in (1, size))
        product = (shape.Reshape.apply(self, a_view, False, "UnsafeViewBackward0")
                   * shape.Reshape.apply(other, b_view, False, "UnsafeViewBackward0"))
        return shape.Reshape.apply(product, tuple(m * n for m, n in zip(a, b)), False,
                                   "UnsafeViewBackward0")

    # -- minitorch.linalg under torch's older names ------------------------------------------
    def inverse(self) -> Tensor:
        """A⁻¹ (``minitorch.linalg.inv``)."""
        from minitorch import linalg as la

        return la.inv(self)

    def det(self) -> Tensor:
        """det A (``minitorch.linalg.det``)."""
        from minitorch import linalg as la

        return la.det(self)

    def logdet(self) -> Tensor:
        """log det A, NaN where det A < 0 (``minitorch.linalg.logdet``)."""
        from minitorch import linalg as la

        return la.logdet(self)

    def slogdet(self) -> Any:
        """(sign, log|det A|) as ``return_types.slogdet`` (``minitorch.linalg.slogdet``)."""
        from minitorch import linalg as la

        return return_types.slogdet(*la.slogdet(self))

    def matrix_power(self, n: int) -> Tensor:
        """Aⁿ (``minitorch.linalg.matrix_power``)."""
        from minitorch import linalg as la

        return la.matrix_power(self, n)

    def pinverse(self, rcond: float = 1e-15) -> Tensor:
        """A⁺ with singular values below rcond·σ_max dropped (``minitorch.linalg.pinv``)."""
        from minitorch import linalg as la

        return la.pinv(self, rtol=rcond)

    def svd(self, some: bool = True, compute_uv: bool = True) -> Any:
        """torch.svd's (U, S, V) — V, not Vᴴ (a transpose of ``linalg.svd``'s Vh); the reduced
        SVD only (``some=True``)."""
        from minitorch import linalg as la

        if not some and self.shape[-1] != self.shape[-2]:
            raise NotImplementedError("svd: some=False on a non-square matrix")
        u, s, vh = la.svd(self, full_matrices=False)
        return return_types.svd(u, s, vh.mT)

    def cross(self, other: Tensor, dim: Optional[int] = None) -> Tensor:
        """The cross product along ``dim``; without a dim, the first of size 3 (PyTorch's
        deprecated default, with its warning; ``minitorch.linalg.cross`` takes the last)."""
        from minitorch.linalg import cross

        if dim is None:
            warnings.warn(_CROSS_DEFAULT_DIM, UserWarning, stacklevel=2)
            dim = next((i for i, size in enumerate(self.shape) if size == 3), None)
            if dim is None:
                raise RuntimeError("no dimension of size 3 in input")
        return cross(self, other, dim=dim)

    # ----------------- β·self + α·(a product): addmm, addmv, addr, baddbmm, addbmm (and _)
    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta: Number = 1,
              alpha: Number = 1) -> Tensor:
        """β·self + α·(mat1 @ mat2) for matrices mat1 (n, k) and mat2 (k, p); self
        broadcasts to (n, p). With β = 0 self is not read (its NaN and inf do not
        propagate), as in PyTorch."""
        for name, m in (("mat1", mat1), ("mat2", mat2)):
            if m.ndim != 2:
                raise RuntimeError(f"{name} must be a matrix, got {m.ndim}-D tensor")
        _check_same_dtype("self and mat2", self, mat2)
        _check_same_dtype("mat1 and mat2", mat1, mat2)
        _check_matmul(mat1, mat2)
        return self._add_product(products.Addmm, mat1, mat2, (mat1.shape[0], mat2.shape[1]),
                                 beta, alpha)

    def addmv(self, mat: Tensor, vec: Tensor, *, beta: Number = 1,
              alpha: Number = 1) -> Tensor:
        """β·self + α·(mat @ vec) for a matrix mat (n, k) and a vector vec (k,); self is
        (n,), (1,) or 0-d."""
        _check_mv(self.ndim, mat, vec)
        if not self.dtype == mat.dtype == vec.dtype:
            raise RuntimeError("addmv input tensors must have the same dtype, but got " +
                               ", ".join(_kind_name(t.dtype) for t in (self, mat))
                               + f", and {_kind_name(vec.dtype)}")
        (n, k), size = mat.shape, self.shape[0] if self.ndim else 1
        if vec.shape[0] != k or size not in (1, n):
            raise RuntimeError(f"size mismatch, got input ({size}), mat ({n}x{k}), vec "
                               f"({vec.shape[0]})")
        return self._add_product(products.Addmv, mat, vec, (n,), beta, alpha)

    def addr(self, vec1: Tensor, vec2: Tensor, *, beta: Number = 1,
             alpha: Number = 1) -> Tensor:
        """β·self + α·(vec1 ⊗ vec2): y_ij = β·self_ij + α·vec1_i·vec2_j, self broadcasting
        to (n, m); the three dtypes are promoted together, as in PyTorch."""
        _check_vectors("addr", ("vec1", vec1), ("vec2", vec2))
        target = dtypes.result_type(self, vec1, vec2)
        if not target.is_floating_point:
            for name, number in (("beta", beta), ("alpha", alpha)):
                if isinstance(number, float):
                    raise RuntimeError(f"For integral input tensors, argument {name} must "
                                       f"not be a floating point number.")
        c, u, v = (t if t.dtype is target else t._to(target, None) for t in (self, vec1, vec2))
        return c._add_product(products.Addr, u, v, (u.shape[0], v.shape[0]), beta, alpha)

    def baddbmm(self, batch1: Tensor, batch2: Tensor, *, beta: Number = 1,
                alpha: Number = 1) -> Tensor:
        """y[i] = β·self[i] + α·(batch1[i] @ batch2[i]); self broadcasts to (B, n, p)."""
        _check_bmm(batch1, batch2)
        if batch2.shape[0] != batch1.shape[0] or batch2.shape[1] != batch1.shape[2]:
            raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to "
                               f"be: [{batch1.shape[0]}, {batch1.shape[2]}] but got: "
                               f"[{batch2.shape[0]}, {batch2.shape[1]}].")
        _same_mm_dtype(batch1, batch2)
        if self.dtype != batch1.dtype:
            raise RuntimeError(f"Input dtypes must be the same, got: input "
                               f"{_scalar_name(self.dtype)}, batch1: "
                               f"{_scalar_name(batch1.dtype)}, batch2: "
                               f"{_scalar_name(batch2.dtype)}")
        return self._add_product(products.Baddbmm, batch1, batch2,
                                 batch1.shape[:2] + batch2.shape[2:], beta, alpha)

    def addbmm(self, batch1: Tensor, batch2: Tensor, *, beta: Number = 1,
               alpha: Number = 1) -> Tensor:
        """β·self + α·Σ_i batch1[i] @ batch2[i] (the batch summed away); self broadcasts to
        (n, p)."""
        _check_bmm(batch1, batch2)
        if batch1.shape[0] != batch2.shape[0]:
            raise RuntimeError(f"batch1 and batch2 must have same number of batches, got "
                               f"{batch1.shape[0]} and {batch2.shape[0]}")
        if batch1.shape[2] != batch2.shape[1]:
            raise RuntimeError(f"Incompatible matrix sizes for bmm ({batch1.shape[1]}x"
                               f"{batch1.shape[2]} and {batch2.shape[1]}x{batch2.shape[2]})")
        _check_same_dtype("self and mat2", self, batch2)
        _check_same_dtype("mat1 and mat2", batch1, batch2)
        return self._add_product(products.Addbmm, batch1, batch2,
                                 (batch1.shape[1], batch2.shape[2]), beta, alpha)

    def _add_product(self, op: type, a: Tensor, b: Tensor, out: Tuple[int, ...],
                     beta: Number, alpha: Number) -> Tensor:
        """β·self + α·P(a, b) of shape ``out`` once the op's own checks passed; an integral
        result takes β and α as integers (truncated), as in PyTorch."""
        _expand_target(self.shape, tuple(out))  # self must broadcast to the output
        if not self.dtype.is_floating_point:
            beta, alpha = int(beta), int(alpha)
        return op.apply(self, a, b, beta, alpha)

    # the in-place forms: the product written into this tensor
    addmm_ = _inplace_form("addmm")
    addmv_ = _inplace_form("addmv")
    addr_ = _inplace_form("addr")
    baddbmm_ = _inplace_form("baddbmm")
    addbmm_ = _inplace_form("addbmm")
