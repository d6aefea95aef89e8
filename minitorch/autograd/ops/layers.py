"""The ops of the less common layers, one Function each, named as torch's nodes: max
unpooling, the bilinear form (``_trilinear``), pairwise distances (``pdist``), channel
shuffle, randomized leaky ReLU (its noise drawn by the caller), and the two margin losses
that torch computes in one kernel (multi-margin, multi-label margin).

Integer operands (indices, targets) and the caller's noise arrive as raw arrays: they take
no gradient. Each forward and backward is written once on ``self.xp`` (NumPy or CuPy).
"""

from __future__ import annotations

from typing import Any, Optional

from minitorch.autograd.function import Function
from minitorch.autograd.ops.select import along


class MaxUnpool2d(Function):
    """y[..., p] = x[..., k] where p = indices[..., k] (flat into each (oh, ow) plane), 0
    elsewhere: the adjoint of max pooling's pick. ∂L/∂x[..., k] = ∂L/∂y[..., indices[..., k]]
    (a gather), itself linear in ∂L/∂y, so double backward is the same gather."""

    def forward(self, x: Any, indices: Any, out_hw: Any) -> Any:
        xp = self.xp
        self.x_shape, self.out_hw = x.shape, tuple(out_hw)
        self.flat = indices.reshape(x.shape[:-2] + (-1,))
        y = xp.zeros(x.shape[:-2] + (out_hw[0] * out_hw[1],), dtype=x.dtype)
        y[along(xp, self.flat, y.ndim - 1)] = x.reshape(self.flat.shape)
        return y.reshape(x.shape[:-2] + self.out_hw)

    def backward(self, gy: Any) -> Any:
        g = gy.reshape(gy.shape[:-2] + (-1,))
        return g[along(self.xp, self.flat, g.ndim - 1)].reshape(self.x_shape)

    def backward_graph(self, gy: Any) -> Any:
        g = gy.flatten(gy.ndim - 2)
        return g.gather(g.ndim - 1, self.constant(self.flat)).view(self.x_shape)

    def name(self) -> str:
        return "MaxUnpool2DBackward0"


class Trilinear(Function):
    """y[b, o] = Σ_{i,j} x1[b, i] · w[o, i, j] · x2[b, j] (torch's ``_trilinear`` as
    ``bilinear`` calls it); each gradient is the same contraction with its operand left
    out and ∂L/∂y put in."""

    def forward(self, x1: Any, w: Any, x2: Any) -> Any:
        self.save_for_backward(x1, w, x2)
        return self.xp.einsum("bi,oij,bj->bo", x1, w, x2)

    @staticmethod
    def _grads(einsum: Any, need: Any, gy: Any, x1: Any, w: Any, x2: Any) -> Any:
        return (einsum("bo,oij,bj->bi", gy, w, x2) if need[0] else None,
                einsum("bo,bi,bj->oij", gy, x1, x2) if need[1] else None,
                einsum("bo,bi,oij->bj", gy, x1, w) if need[2] else None)

    def backward(self, gy: Any) -> Any:
        return self._grads(self.xp.einsum, self.needs_input_grad, gy, *self.saved_tensors)

    def backward_graph(self, gy: Any) -> Any:
        from minitorch.functions import einsum

        operands = [self.graph_input(i, a) for i, a in enumerate(self.saved_tensors)]
        return self._grads(einsum, self.needs_input_grad, gy, *operands)


class Pdist(Function):
    """d[k] = ‖x_i − x_j‖_p over the pairs i < j of rows of x (N, M), in row-major order.
    ∂d/∂(x_i − x_j) = sign(δ)·|δ|^{p−1} / d^{p−1} (p = 2: δ / d; p = ∞: sign(δ) where |δ| = d;
    p = 0: 0), 0 where d = 0, as torch's ``_pdist_backward``; torch has no double backward
    for it, nor has this op."""

    def forward(self, x: Any, p: float) -> Any:
        xp = self.xp
        self.p, self.n = p, x.shape[0]
        self.pairs = xp.triu_indices(self.n, 1)  # rows i < j, torch's order
        diff = x[self.pairs[0]] - x[self.pairs[1]]
        a = xp.abs(diff)
        if p == 0:
            d = (a != 0).sum(axis=1).astype(x.dtype)
        elif p == float("inf"):
            d = a.max(axis=1, initial=0)
        elif p == 2:
            d = xp.sqrt((a * a).sum(axis=1))
        else:
            d = (a ** p).sum(axis=1) ** (1.0 / p)
        self.save_for_backward(diff, d)
        return d

    def backward(self, gy: Any) -> Any:
        xp = self.xp
        diff, d = self.saved_tensors
        p, dcol = self.p, d[:, None]
        if p == 0:
            slope = xp.zeros_like(diff)
        elif p == 1:
            slope = xp.sign(diff)
        elif p == float("inf"):
            slope = xp.sign(diff) * (xp.abs(diff) == dcol)
        elif p < 1:
            slope = xp.where(diff == 0, 0, xp.sign(diff) * xp.abs(diff) ** (p - 1)
                             / dcol ** (p - 1))
        else:
            slope = xp.sign(diff) * xp.abs(diff) ** (p - 1) / dcol ** (p - 1)
        g = xp.where(dcol == 0, 0, slope * gy[:, None]).astype(diff.dtype)
        by_pair = xp.zeros((self.n, self.n, diff.shape[1]), dtype=diff.dtype)
        by_pair[self.pairs] = g  # [i, j] = ∂L/∂(x_i − x_j): x_i gets it, x_j its negative
        return by_pair.sum(axis=1) - by_pair.sum(axis=0)

    def name(self) -> str:
        return "PdistBackward0"


class ChannelShuffle(Function):
    """(N, C, *) → (N, g, C/g, *) → swap the two → (N, C, *): channel c·(C/g)+k moves to
    k·g+c. Its adjoint is the shuffle with C/g groups."""

    def forward(self, x: Any, groups: int) -> Any:
        n, c = x.shape[:2]
        self.groups, self.channels = groups, c
        y = x.reshape((n, groups, c // groups) + x.shape[2:]).swapaxes(1, 2)
        return self.xp.ascontiguousarray(y).reshape(x.shape)

    def backward(self, gy: Any) -> Any:
        return self.forward(gy, self.channels // self.groups)

    def backward_graph(self, gy: Any) -> Any:
        return ChannelShuffle.apply(gy, self.channels // self.groups)


class RreluWithNoise(Function):
    """y = x · noise, ∂L/∂x = ∂L/∂y · noise: the noise holds the slope of every element
    (1 where the caller kept x, a random or the fixed negative slope elsewhere)."""

    def forward(self, x: Any, noise: Any, inplace: bool = False) -> Any:
        self.noise, self.inplace = noise, inplace
        return x * noise

    def backward(self, gy: Any) -> Any:
        return gy * self.noise

    def backward_graph(self, gy: Any) -> Any:
        return gy * self.constant(self.noise)

    def name(self) -> str:
        return f"RreluWithNoiseBackward{1 if self.inplace else 0}"


def _reduce_rows(xp: Any, losses: Any, reduction: str, out_shape: Any) -> Any:
    """The per-row losses in ``out_shape`` (a vector input's is 0-d or its target's shape),
    or their sum or mean."""
    if reduction == "none":
        return losses.reshape(out_shape)
    total = losses.sum()
    return total / max(losses.size, 1) if reduction == "mean" else total


def _row_weights(gout: Any, n: int, reduction: str) -> Any:
    """∂L/∂loss_n for every sample n, from the gradient of the reduced loss."""
    if reduction == "none":
        return gout.reshape(n, 1)
    return (gout / n if reduction == "mean" else gout).reshape(1, 1)


class MultiMarginLoss(Function):
    """loss_n = Σ_{i≠y} w[y] · max(0, margin − x[y] + x[i])^p / C for each row x (C classes,
    target y), then the reduction. Backward: each active term i adds
    w[y]·p·z^{p−1}/C to x[i] and takes it from x[y]. torch has no double backward for it."""

    def forward(self, x: Any, target: Any, p: int, margin: float, weight: Optional[Any],
                reduction: str, out_shape: Any) -> Any:
        xp = self.xp
        n, c = x.shape
        rows = xp.arange(n)
        z = margin - x[rows, target][:, None] + x
        z[rows, target] = 0
        active = z > 0
        scale = (weight[target][:, None] if weight is not None else 1) / c
        self.args = (target, p, reduction, active, z, scale)
        terms = xp.where(active, z ** p, 0) * scale
        return _reduce_rows(xp, terms.sum(axis=1).astype(x.dtype), reduction, out_shape)

    def backward(self, gout: Any) -> Any:
        xp = self.xp
        target, p, reduction, active, z, scale = self.args
        n = z.shape[0]
        g = xp.where(active, p * z ** (p - 1), 0) * scale * _row_weights(gout, n, reduction)
        g[xp.arange(n), target] = -g.sum(axis=1)
        return g.astype(z.dtype)


class MultilabelMarginLoss(Function):
    """loss_n = Σ_{j ∈ Y} Σ_{i ∉ Y} max(0, 1 − (x[j] − x[i])) / C, where Y is the targets
    of row n up to its first −1. Backward: each active pair adds 1/C to x[i] and takes it from
    x[j]. torch has no double backward for it."""

    def forward(self, x: Any, target: Any, reduction: str, out_shape: Any) -> Any:
        xp = self.xp
        n, c = x.shape
        valid = xp.cumprod(target >= 0, axis=1).astype(bool)  # up to the first -1
        member = xp.zeros((n, c), dtype=bool)
        rows = xp.broadcast_to(xp.arange(n)[:, None], target.shape)
        member[rows[valid], target[valid]] = True
        picked = xp.where(valid, target, 0)
        xj = x[rows, picked]  # (n, c): x at each target slot
        z = 1 - xj[:, :, None] + x[:, None, :]  # (n, slot, i)
        active = (z > 0) & valid[:, :, None] & ~member[:, None, :]
        self.args = (picked, reduction, active, c)
        return _reduce_rows(xp, (xp.where(active, z, 0).sum(axis=(1, 2)) / c).astype(x.dtype),
                            reduction, out_shape)

    def backward(self, gout: Any) -> Any:
        xp = self.xp
        picked, reduction, active, c = self.args
        n = active.shape[0]
        w = active.astype(gout.dtype) * (_row_weights(gout, n, reduction)[:, :, None] / c)
        g = w.sum(axis=1)
        rows = xp.broadcast_to(xp.arange(n)[:, None], picked.shape)
        if hasattr(xp, "add") and hasattr(xp.add, "at"):
            xp.add.at(g, (rows, picked), -w.sum(axis=2))
        else:  # CuPy
            import cupyx

            cupyx.scatter_add(g, (rows, picked), -w.sum(axis=2))
        return g

