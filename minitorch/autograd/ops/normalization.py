"""Batch normalization: one Function (torch's ``NativeBatchNormBackward0``) whose math is
written once on ``self.xp`` arrays, so every backend runs it.

For input x of shape (N, C, *) and channel c, over the m = N·∏* values of that channel::

    training:  μ = mean(x),  σ² = mean((x - μ)²)     (the batch's biased variance)
               running_mean ← (1 - m)·running_mean + m·μ
               running_var  ← (1 - m)·running_var  + m·σ²·n/(n - 1)   (unbiased)
    eval:      μ, σ² = running_mean, running_var
    x̂ = (x - μ) / √(σ² + eps),    y = γ·x̂ + β

Backward (training; the statistics depend on x)::

    ∂x = γ / (n √(σ² + eps)) · (n·gy - Σ gy - x̂ · Σ gy·x̂)
    ∂γ = Σ gy·x̂,   ∂β = Σ gy                 (sums over every axis but the channel)

In eval mode μ and σ² are constants, so ∂x = γ·gy / √(σ² + eps).
"""

from __future__ import annotations

from typing import Any, Optional

from minitorch.autograd.function import Function
from minitorch.autograd.ops.util import mean as _mean


class NativeBatchNorm(Function):
    """y = batch_norm(x; γ, β); running statistics (raw arrays) are updated in place."""

    def forward(self, x: Any, weight: Optional[Any], bias: Optional[Any],
                running_mean: Optional[Any], running_var: Optional[Any], training: bool,
                momentum: float, eps: float) -> Any:
        xp = self.xp
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)  # broadcasts a (C,) vector over x
        n = x.size // max(x.shape[1], 1)
        if training:
            mean = _mean(x, axes)
            centred = x - mean.reshape(shape)
            var = _mean(centred * centred, axes)
            if running_mean is not None:
                running_mean *= 1 - momentum
                running_mean += momentum * mean
            if running_var is not None:
                running_var *= 1 - momentum
                running_var += momentum * var * (n / max(n - 1, 1))
        else:
            centred = x - running_mean.reshape(shape)
            var = running_var
        invstd = (1 / xp.sqrt(var + eps)).astype(x.dtype).reshape(shape)
        xhat = centred * invstd
        self.training, self.axes, self.n, self.eps = training, axes, n, eps
        self.has_weight, self.has_bias = weight is not None, bias is not None
        self.save_for_backward(xhat, invstd, weight)
        y = xhat * weight.reshape(shape) if weight is not None else xhat
        return y + bias.reshape(shape) if bias is not None else y

    def backward(self, gy: Any) -> Any:
        xhat, invstd, weight = self.saved_tensors
        axes, n = self.axes, self.n
        shape = invstd.shape
        g = gy * weight.reshape(shape) if weight is not None else gy
        if self.training:
            sum_g = g.sum(axis=axes).reshape(shape)
            sum_gx = (g * xhat).sum(axis=axes).reshape(shape)
            gx = invstd / n * (n * g - sum_g - xhat * sum_gx)
        else:
            gx = g * invstd
        grads = [gx]
        if self.has_weight:
            grads.append((gy * xhat).sum(axis=axes))
        if self.has_bias:
            grads.append(gy.sum(axis=axes))
        return tuple(grads) if len(grads) > 1 else gx

    def backward_graph(self, gy: Any) -> Any:
        """The same rule on Tensors, with x̂ recomputed on the graph (so that the statistics'
        dependence on x is differentiated too): x enters as its centred value x - μ plus a
        zero-valued stand-in attached to x's edge (x̂ is unchanged by the shift μ)."""
        xhat, invstd, weight = self.saved_tensors
        axes, n, shape = self.axes, self.n, invstd.shape
        x = self.constant(xhat / invstd) + self.graph_input(0, self.xp.zeros_like(xhat))
        if self.training:
            centred = x - x.mean(axes, keepdim=True)
            inv = ((centred * centred).mean(axes, keepdim=True) + self.eps) ** -0.5
        else:
            centred, inv = x, self.constant(invstd)
        xh = centred * inv
        w = self.graph_input(1, weight) if self.has_weight else None
        g = gy * w.reshape(shape) if w is not None else gy
        if self.training:
            gx = inv / n * (n * g - g.sum(axes, keepdim=True)
                            - xh * (g * xh).sum(axes, keepdim=True))
        else:
            gx = g * inv
        grads = [gx]
        if self.has_weight:
            grads.append((gy * xh).sum(axes))
        if self.has_bias:
            grads.append(gy.sum(axes))
        return tuple(grads) if len(grads) > 1 else gx
