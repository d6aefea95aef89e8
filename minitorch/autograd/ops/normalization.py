"""Batch, layer and group normalization: one Function each (torch's
``NativeBatchNormBackward0``, ``NativeLayerNormBackward0``, ``NativeGroupNormBackward0``)
whose math is written once on ``self.xp`` arrays, so every backend runs it — the three share
it, over different axes (:class:`_Normalization`).

For input x of shape (N, C, *) and channel c, over the m = N·∏* values of that channel::

    training:  μ = mean(x),  σ² = mean((x - μ)²)     (the batch's biased variance)
               running_mean ← (1 - m)·running_mean + m·μ
               running_var  ← (1 - m)·running_var  + m·σ²·n/(n - 1)   (unbiased)
    eval:      μ, σ² = running_mean, running_var
    x̂ = (x - μ) / √(σ² + eps),    y = γ·x̂ + β

Backward (training; the statistics depend on x)::

    ∂x = γ / (n √(σ² + eps)) · (n·gy - Σ gy - x̂ · Σ gy·x̂)
    ∂γ = Σ gy·x̂,   ∂β = Σ gy                 (sums over every axis but the channel)

In eval mode μ and σ² are constants, so ∂x = γ·gy / √(σ² + eps). Layer norm is the
training-mode formula over the last dims of each sample, with ∂γ, ∂β summed over the others.
"""

from __future__ import annotations

from typing import Any, Optional

from minitorch.autograd.function import Function
from minitorch.autograd.ops.util import mean as _mean


class _Normalization(Function):
    """x̂ = (x − μ)·invstd over the statistics axes ``axes`` (n values each), then
    y = γ·x̂ + β with γ, β broadcast as ``pshape``; their gradients are summed over
    ``paxes``. Batch norm and layer norm differ only in those axes: batch norm's statistics
    run over every axis but the channel and γ has one value per channel; layer norm's
    statistics run over the last dims of each sample, and γ has their shape."""

    axes: tuple = ()
    paxes: tuple = ()
    pshape: tuple = ()
    stats_shape: Optional[tuple] = None  # group norm: x seen as (N, G, C/G·…) for the stats

    def _affine(self, xhat: Any, invstd: Any, weight: Optional[Any], bias: Optional[Any],
                training: bool, n: int, eps: float) -> Any:
        self.training, self.n, self.eps = training, n, eps
        self.has_weight, self.has_bias = weight is not None, bias is not None
        self.save_for_backward(xhat, invstd, weight)
        y = xhat * weight.reshape(self.pshape) if weight is not None else xhat
        return y + bias.reshape(self.pshape) if bias is not None else y

    def _stats_view(self, a: Any) -> Any:
        """``a`` (x's shape) as the statistics see it."""
        return a if self.stats_shape is None else a.reshape(self.stats_shape)

    def backward(self, gy: Any) -> Any:
        xhat, invstd, weight = self.saved_tensors
        axes, n = self.axes, self.n
        g = gy * weight.reshape(self.pshape) if weight is not None else gy
        if self.training:
            g, xs = self._stats_view(g), self._stats_view(xhat)
            sum_g = g.sum(axis=axes, keepdims=True)
            sum_gx = (g * xs).sum(axis=axes, keepdims=True)
            gx = (invstd / n * (n * g - sum_g - xs * sum_gx)).reshape(gy.shape)
        else:
            gx = g * invstd
        grads = [gx]
        if self.has_weight:
            grads.append((gy * xhat).sum(axis=self.paxes))
        if self.has_bias:
            grads.append(gy.sum(axis=self.paxes))
        return tuple(grads) if len(grads) > 1 else gx

    def backward_graph(self, gy: Any) -> Any:
        """The same rule on Tensors, with x̂ recomputed on the graph (so that the statistics'
        dependence on x is differentiated too): x enters as its centred value x - μ plus a
        zero-valued stand-in attached to x's edge (x̂ is unchanged by the shift μ)."""
        xhat, invstd, weight = self.saved_tensors
        axes, n = self.axes, self.n
        stats = self.stats_shape or xhat.shape
        x = self.constant(self._stats_view(xhat) / invstd) + \
            self.graph_input(0, self.xp.zeros_like(xhat)).reshape(stats)
        if self.training:
            centred = x - x.mean(axes, keepdim=True)
            inv = ((centred * centred).mean(axes, keepdim=True) + self.eps) ** -0.5
        else:
            centred, inv = x, self.constant(invstd)
        xh = centred * inv
        w = self.graph_input(1, weight) if self.has_weight else None
        g = (gy * w.reshape(self.pshape) if w is not None else gy).reshape(stats)
        if self.training:
            gx = inv / n * (n * g - g.sum(axes, keepdim=True)
                            - xh * (g * xh).sum(axes, keepdim=True))
        else:
            gx = g * inv
        gx, xh = gx.reshape(xhat.shape), xh.reshape(xhat.shape)
        grads = [gx]
        if self.has_weight:
            grads.append((gy * xh).sum(self.paxes))
        if self.has_bias:
            grads.append(gy.sum(self.paxes))
        return tuple(grads) if len(grads) > 1 else gx


def _statistics(x: Any, axes: tuple) -> Any:
    """(x − μ, μ, σ²) over ``axes`` (σ² biased; μ and σ² keep the axes, to broadcast)."""
    mean = _mean(x, axes, True)
    centred = x - mean
    var = _mean(centred * centred, axes, True)
    return centred, mean, var


class NativeBatchNorm(_Normalization):
    """y = batch_norm(x; γ, β); running statistics (raw arrays) are updated in place."""

    def forward(self, x: Any, weight: Optional[Any], bias: Optional[Any],
                running_mean: Optional[Any], running_var: Optional[Any], training: bool,
                momentum: float, eps: float) -> Any:
        xp = self.xp
        self.axes = self.paxes = (0,) + tuple(range(2, x.ndim))
        self.pshape = (1, x.shape[1]) + (1,) * (x.ndim - 2)  # a (C,) vector over x
        n = x.size // max(x.shape[1], 1)
        if training:
            centred, mean, var = _statistics(x, self.axes)
            mean, var = mean.reshape(-1), var.reshape(-1)
            if running_mean is not None:
                running_mean *= 1 - momentum
                running_mean += momentum * mean
            if running_var is not None:
                running_var *= 1 - momentum
                running_var += momentum * var * (n / max(n - 1, 1))
        else:
            centred = x - running_mean.reshape(self.pshape)
            var = running_var
        invstd = (1 / xp.sqrt(var + eps)).astype(x.dtype).reshape(self.pshape)
        return self._affine(centred * invstd, invstd, weight, bias, training, n, eps)


class NativeLayerNorm(_Normalization):
    """y = layer_norm(x; γ, β) over the last ``dims`` dims of each sample (γ, β of that
    shape): x̂ = (x − μ)/√(σ² + eps) with μ, σ² (biased) of each sample's values;
    ∂x as batch norm's, over those dims; ∂γ = Σ gy·x̂, ∂β = Σ gy over the leading dims."""

    def forward(self, x: Any, weight: Optional[Any], bias: Optional[Any], dims: int,
                eps: float) -> Any:
        self.axes = tuple(range(x.ndim - dims, x.ndim))
        self.paxes = tuple(range(x.ndim - dims))
        self.pshape = x.shape[x.ndim - dims:]
        n = 1
        for axis in self.axes:
            n *= x.shape[axis]
        centred, _, var = _statistics(x, self.axes)
        invstd = (1 / self.xp.sqrt(var + eps)).astype(x.dtype)
        return self._affine(centred * invstd, invstd, weight, bias, True, n, eps)


class NativeGroupNorm(_Normalization):
    """y = group_norm(x; γ, β): the C channels of each sample in G groups of C/G, each group
    normalised by its own statistics (over its channels and every position), then γ, β per
    channel — the statistics of x seen as (N, G, C/G·…), the affine step on x's shape."""

    def forward(self, x: Any, weight: Optional[Any], bias: Optional[Any], groups: int,
                eps: float) -> Any:
        n_, c = x.shape[0], x.shape[1]
        self.stats_shape, self.axes = (n_, groups, -1), (2,)
        self.pshape = (1, c) + (1,) * (x.ndim - 2)
        self.paxes = (0,) + tuple(range(2, x.ndim))
        xs = x.reshape(self.stats_shape)
        centred, _, var = _statistics(xs, self.axes)
        invstd = (1 / self.xp.sqrt(var + eps)).astype(x.dtype)
        xhat = (centred * invstd).reshape(x.shape)
        return self._affine(xhat, invstd, weight, bias, True, xs.shape[2], eps)
