"""The named matrix products ``mm``, ``bmm``, ``mv`` and ``dot``: the same GEMM as
:class:`~minitorch.autograd.ops.linalg.MatMul` (and its backward), each under PyTorch's
node name so that ``grad_fn`` reads ``MmBackward0``, ``BmmBackward0``, ..."""

from __future__ import annotations

from minitorch.autograd.ops.linalg import MatMul


class Mm(MatMul):
    """y = a @ b for matrices a (n, k) and b (k, m)."""


class Bmm(MatMul):
    """y[i] = a[i] @ b[i] for batches of matrices a (B, n, k) and b (B, k, m)."""


class Mv(MatMul):
    """y = a @ v for a matrix a (n, k) and a vector v (k,)."""


class Dot(MatMul):
    """y = Σ a_i b_i for two vectors of the same length."""
