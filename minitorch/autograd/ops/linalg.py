"""Matrix products: ``a @ b`` and the fused ``linear`` (x Wᵀ + b). GEMM runs in the
backend's ``matmul`` (BLAS on CPU, cuBLAS on GPU)."""

from __future__ import annotations

import math
from typing import Any

from minitorch.autograd.function import Function
from minitorch.autograd.ops.elementwise import conj
from minitorch.autograd.ops.grad_ops import sum_to
from minitorch.autograd.ops.util import for_kernel, unbroadcast
from minitorch.shapes import broadcast_shapes


class MatMul(Function):
    """y = a @ b, with NumPy's rules for 1-D operands and batch broadcasting.

    Backward, on 2-D (or batched) operands: ga = gy @ bᴴ, gb = aᴴ @ gy (ᴴ: the conjugate
    transpose, the plain transpose for real operands); a 1-D ``a`` is a row (1, n) and a 1-D
    ``b`` a column (n, 1) for the computation, then squeezed back."""

    def forward(self, a: Any, b: Any) -> Any:
        self.save_for_backward(a, b)
        if a.dtype.kind == "c" or b.dtype.kind == "c":
            return self.xp.matmul(a, b)  # BLAS's complex GEMM (the kernels are real-only)
        return self.backend.matmul(a, b)

    def backward(self, gy: Any) -> Any:
        a, b = map(conj, self.saved_tensors)
        mm = self.xp.matmul if gy.dtype.kind == "c" else self.backend.matmul
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        gy2 = gy.reshape(mm(a2[..., :1, :], b2[..., :, :1]).shape[:-2] + (a2.shape[-2],
                                                                         b2.shape[-1]))
        ga = unbroadcast(self.xp, mm(gy2, b2.swapaxes(-1, -2)), a2.shape).reshape(a.shape)
        gb = unbroadcast(self.xp, mm(a2.swapaxes(-1, -2), gy2), b2.shape).reshape(b.shape)
        return ga, gb

    def backward_graph(self, gy: Any) -> Any:
        a_raw, b_raw = self.saved_tensors
        a, b = map(conj, (self.graph_input(0, a_raw), self.graph_input(1, b_raw)))
        a2 = a.unsqueeze(0) if a.ndim == 1 else a
        b2 = b.unsqueeze(-1) if b.ndim == 1 else b
        batch = broadcast_shapes(tuple(a2.shape[:-2]), tuple(b2.shape[:-2]))
        gy2 = gy.reshape(batch + (a2.shape[-2], b2.shape[-1]))
        ga = sum_to(gy2 @ b2.transpose(-1, -2), a2.shape).reshape(a.shape)
        gb = sum_to(a2.transpose(-1, -2) @ gy2, b2.shape).reshape(b.shape)
        return ga, gb


class Linear(Function):
    """y = x @ wᵀ + b for x of shape (..., in_features); the kernel sees x as (N, in).

    Recorded as torch records ``F.linear`` on a matrix: ``addmm(b, x, wᵀ)`` — node
    ``AddmmBackward0`` with inputs (bias, x, wᵀ) in that order — or ``mm(x, wᵀ)``
    (``MmBackward0``) without a bias. The weight arrives transposed (a view made by the
    ``T`` op, torch's ``TBackward0``) and its gradient leaves transposed."""

    def forward(self, *args: Any) -> Any:
        b, x, wt = args if len(args) == 3 else (None, *args)
        w = wt.T
        self.x_shape, self.has_bias = x.shape, b is not None
        rows = math.prod(x.shape[:-1])  # not -1: NumPy cannot infer it when in_features = 0
        x2 = for_kernel(self.xp, x.reshape(rows, x.shape[-1]))
        w, b = for_kernel(self.xp, w, x2.dtype), for_kernel(self.xp, b, x2.dtype)
        self.save_for_backward(x2, w)
        y = self.backend.linear_forward(x2, w, b)
        return y.reshape(x.shape[:-1] + (w.shape[0],))

    def backward(self, gy: Any) -> Any:
        x2, w = self.saved_tensors
        gy2 = self.xp.ascontiguousarray(gy.reshape(x2.shape[0], gy.shape[-1]))
        gx, gw, gb = self.backend.linear_backward(gy2, x2, w, self.has_bias)
        gx = gx.reshape(self.x_shape)
        return (gb, gx, gw.T) if self.has_bias else (gx, gw.T)

    def backward_graph(self, gy: Any) -> Any:
        x2, w = self.saved_tensors
        first = 1 if self.has_bias else 0  # positions: (bias,) x, wᵀ
        x2 = self.graph_input(first, x2.reshape(self.x_shape)).reshape(x2.shape)
        wt = self.graph_input(first + 1, w.T)
        gy2 = gy.reshape(-1, gy.shape[-1])
        gx = (gy2 @ wt.t()).reshape(self.x_shape)
        gwt = x2.t() @ gy2
        return (gy2.sum(0), gx, gwt) if self.has_bias else (gx, gwt)

    def name(self) -> str:
        return "AddmmBackward0" if self.has_bias else "MmBackward0"
