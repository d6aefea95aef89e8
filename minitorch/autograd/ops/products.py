"""The named matrix products ``mm``, ``bmm``, ``mv`` and ``dot``: the same GEMM as
:class:`~minitorch.autograd.ops.linalg.MatMul` (and its backward), each under PyTorch's
node name so that ``grad_fn`` reads ``MmBackward0``, ``BmmBackward0``, ...; the fused
``β·input + α·product`` ops (``addmm``, ``addmv``, ``addr``, ``baddbmm``, ``addbmm``), whose
GEMM is the backend's ``matmul`` too; and the cross product of 3-vectors."""

from __future__ import annotations

import operator
from typing import Any, Callable, Tuple

from minitorch.autograd.function import Function
from minitorch.autograd.ops.grad_ops import sum_to
from minitorch.autograd.ops.linalg import MatMul
from minitorch.autograd.ops.util import unbroadcast


class Mm(MatMul):
    """y = a @ b for matrices a (n, k) and b (k, m)."""


class Bmm(MatMul):
    """y[i] = a[i] @ b[i] for batches of matrices a (B, n, k) and b (B, k, m)."""


class Mv(MatMul):
    """y = a @ v for a matrix a (n, k) and a vector v (k,)."""


class Dot(MatMul):
    """y = Σ a_i b_i for two vectors of the same length."""


# -- a matrix product added to a tensor: addmm, addmv, addr, baddbmm, addbmm -------------------
class AddProduct(Function):
    """y = β·c + α·P(a, b), where P(a, b) is one GEMM ``A(a) @ B(b)`` of views of the
    operands (``matrices``) reshaped to the output; ``c`` broadcasts to the output's shape.
    With β = 0, c is not read at all (its NaN and inf do not reach y), as in PyTorch.

    Backward, with ḡ = gy seen as the GEMM's output: ∂/∂c = β·gy summed to c's shape,
    ∂/∂A = α·ḡ @ Bᵀ and ∂/∂B = α·Aᵀ @ ḡ, each taken back to its operand's shape."""

    def forward(self, c: Any, a: Any, b: Any, beta: Any, alpha: Any) -> Any:
        self.save_for_backward(a, b)
        a2, b2 = self.matrices(a, b)
        p = self.backend.matmul(a2, b2)
        self.c_shape, self.p_shape, self.beta, self.alpha = c.shape, p.shape, beta, alpha
        y = self.output(p)
        y = y * alpha if alpha != 1 else y
        return y if beta == 0 else y + (c * beta if beta != 1 else c)

    def matrices(self, a: Any, b: Any) -> Tuple[Any, Any]:
        """The GEMM's operands (views of ``a`` and ``b``; arrays or Tensors alike)."""
        return a, b

    def output(self, p: Any) -> Any:
        """The GEMM's result in the op's output shape."""
        return p

    def a_grad(self, ga2: Any, a: Any) -> Any:
        """The gradient of ``A(a)`` back in ``a``'s layout (the adjoint of ``matrices``)."""
        return ga2.reshape(a.shape)

    def _grads(self, gy: Any, a: Any, b: Any, mm: Callable[[Any, Any], Any],
               to_shape: Callable[[Any, Any], Any]) -> Tuple[Any, Any, Any]:
        a2, b2 = self.matrices(a, b)
        g = gy.reshape(self.p_shape)
        g = g * self.alpha if self.alpha != 1 else g
        ga = self.a_grad(mm(g, b2.swapaxes(-1, -2)), a)
        gb = mm(a2.swapaxes(-1, -2), g).reshape(b.shape)
        return to_shape(gy * self.beta if self.beta != 1 else gy, self.c_shape), ga, gb

    def backward(self, gy: Any) -> Any:
        a, b = self.saved_tensors
        return self._grads(gy, a, b, self.backend.matmul,
                           lambda g, shape: unbroadcast(self.xp, g, shape))

    def backward_graph(self, gy: Any) -> Any:
        a, b = self.saved_tensors
        return self._grads(gy, self.graph_input(1, a), self.graph_input(2, b),
                           operator.matmul, sum_to)


class Addmm(AddProduct):
    """y = β·c + α·(a @ b) for matrices a (n, k), b (k, p); c broadcasts to (n, p)."""


class Baddbmm(AddProduct):
    """y[i] = β·c[i] + α·(a[i] @ b[i]) for batches a (B, n, k), b (B, k, p)."""


class Addmv(AddProduct):
    """y = β·c + α·(a @ v) for a matrix a (n, k) and a vector v (k,); v is the GEMM's
    column (k, 1)."""

    def matrices(self, a: Any, v: Any) -> Tuple[Any, Any]:
        return a, v.reshape(v.shape[0], 1)

    def output(self, p: Any) -> Any:
        return p.reshape(p.shape[0])


class Addr(AddProduct):
    """y = β·c + α·(u ⊗ v), the outer product y_ij = β·c_ij + α·u_i·v_j: the GEMM of the
    column u (n, 1) and the row v (1, m), which has one term per element (exact)."""

    def matrices(self, u: Any, v: Any) -> Tuple[Any, Any]:
        return u.reshape(u.shape[0], 1), v.reshape(1, v.shape[0])


class Addbmm(AddProduct):
    """y = β·c + α·Σ_i a[i] @ b[i] for batches a (B, n, k), b (B, k, p): one GEMM of
    a laid out as (n, B·k) (the batches side by side) and b as (B·k, p)."""

    def matrices(self, a: Any, b: Any) -> Tuple[Any, Any]:
        batches, n, k = a.shape
        return (a.swapaxes(0, 1).reshape(n, batches * k),
                b.reshape(batches * k, b.shape[2]))

    def a_grad(self, ga2: Any, a: Any) -> Any:
        batches, n, k = a.shape
        return ga2.reshape(n, batches, k).swapaxes(0, 1)


class LinalgCross(Function):
    """y = a × b along ``dim`` (of size 3), broadcasting the other dims:
    y₀ = a₁b₂ − a₂b₁, y₁ = a₂b₀ − a₀b₂, y₂ = a₀b₁ − a₁b₀.

    Backward (the triple product is cyclic): ∂/∂a = b × gy, ∂/∂b = gy × a, each summed to
    its input's shape."""

    def forward(self, a: Any, b: Any, dim: int) -> Any:
        self.dim = dim
        self.save_for_backward(a, b)
        return self.xp.cross(a, b, axis=dim)

    def backward(self, gy: Any) -> Any:
        a, b = self.saved_tensors
        xp, dim = self.xp, self.dim
        return (unbroadcast(xp, xp.cross(b, gy, axis=dim), a.shape),
                unbroadcast(xp, xp.cross(gy, a, axis=dim), b.shape))

    def backward_graph(self, gy: Any) -> Any:
        a_raw, b_raw = self.saved_tensors
        a, b = self.graph_input(0, a_raw), self.graph_input(1, b_raw)
        return (sum_to(LinalgCross.apply(b, gy, self.dim), a.shape),
                sum_to(LinalgCross.apply(gy, a, self.dim), b.shape))
