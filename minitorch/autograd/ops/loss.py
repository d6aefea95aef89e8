"""Fused loss ops: one graph node per loss, as PyTorch shows them (``MseLossBackward0``,
``NllLossBackward0``, ...). Each Function computes the per-element loss ℓ, then the
reduction: ``"none"`` keeps ℓ, ``"sum"`` gives Σℓ, ``"mean"`` Σℓ / n. Backward multiplies
the incoming gradient, spread back over ℓ's shape (÷ n for the mean), by ∂ℓ/∂input.

The math is written once on ``self.xp`` arrays (NumPy or CuPy), so every backend runs the
same code. Targets, class weights and ``pos_weight`` arrive as arrays or tensors as
documented per op; non-tensor arguments get no gradient.
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

from minitorch.autograd.function import Function
from minitorch.autograd.ops.elementwise import Clamp, Where, _sign
from minitorch.autograd.ops.grad_ops import Mask, sum_to
from minitorch.autograd.ops.nn import Sigmoid
from minitorch.autograd.ops.util import mean, unbroadcast


def reduce(xp: Any, loss: Any, reduction: str) -> Any:
    """ℓ, Σℓ or Σℓ / n (a 0-d array of ℓ's dtype)."""
    if reduction == "none":
        return loss
    # the mean of nothing is nan, as in torch
    total = loss.sum() if reduction == "sum" else mean(loss)
    return xp.asarray(total, dtype=loss.dtype)


def spread(xp: Any, gy: Any, shape: Tuple[int, ...], reduction: str) -> Any:
    """∂(reduction)/∂ℓ · gy, with ℓ's shape: gy itself, gy everywhere, or gy / n."""
    if reduction == "none":
        return gy
    n = 1
    for s in shape:
        n *= s
    g = gy / n if reduction == "mean" else gy
    return xp.broadcast_to(g, shape)


def spread_graph(gy: Any, shape: Tuple[int, ...], reduction: str) -> Any:
    """``spread`` on Tensors (for ``backward_graph``)."""
    if reduction == "none":
        return gy
    n = 1
    for s in shape:
        n *= s
    g = gy / n if reduction == "mean" else gy
    return g.expand(shape)


class _Pointwise(Function):
    """A loss of (input, target) that broadcast together; both may get a gradient.
    Subclasses define ``loss(d)`` and ``slope(d)`` of the difference d = input - target."""

    def forward(self, x: Any, t: Any, reduction: str, param: float = 1.0) -> Any:
        self.reduction, self.param = reduction, param
        self.x_shape, self.t_shape = x.shape, t.shape
        d = x - t
        self.save_for_backward(d)
        return reduce(self.xp, self.loss(d), reduction)

    def backward(self, gy: Any) -> Any:
        (d,) = self.saved_tensors
        g = spread(self.xp, gy, d.shape, self.reduction) * self.slope(d)
        need = self.needs_input_grad
        gx = unbroadcast(self.xp, g, self.x_shape) if need[0] else None
        gt = unbroadcast(self.xp, -g, self.t_shape) if len(need) > 1 and need[1] else None
        return gx, gt

    def backward_graph(self, gy: Any) -> Any:
        (d,) = self.saved_tensors
        # d on the graph: its value, plus zero-valued stand-ins of x and t attached to their
        # edges, so that ∂d/∂x = 1 and ∂d/∂t = -1 (d is linear in both)
        x0 = self.graph_input(0, self.xp.zeros(self.x_shape, dtype=d.dtype))
        t0 = self.graph_input(1, self.xp.zeros(self.t_shape, dtype=d.dtype))
        g = spread_graph(gy, d.shape, self.reduction) * self.slope_graph(
            self.constant(d) + (x0 - t0))
        need = self.needs_input_grad
        gx = sum_to(g, self.x_shape) if need[0] else None
        gt = sum_to(-g, self.t_shape) if len(need) > 1 and need[1] else None
        return gx, gt

    def loss(self, d: Any) -> Any:
        raise NotImplementedError

    def slope(self, d: Any) -> Any:
        raise NotImplementedError

    def slope_graph(self, d: Any) -> Any:
        """``slope`` on the Tensor d (differentiable)."""
        raise NotImplementedError


class MseLoss(_Pointwise):
    """ℓ = (x - t)²;  ∂ℓ/∂x = 2(x - t) = -∂ℓ/∂t."""

    def loss(self, d: Any) -> Any:
        return d * d

    def slope(self, d: Any) -> Any:
        return 2 * d

    def slope_graph(self, d: Any) -> Any:
        return 2 * d


class SmoothL1Loss(_Pointwise):
    """ℓ = ½ d² / β if |d| < β else |d| - ½ β  (d = x - t);  ∂ℓ/∂x = d/β or sign(d)."""

    def loss(self, d: Any) -> Any:
        xp, beta = self.xp, self.param
        a = xp.abs(d)
        return xp.where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta)

    def slope(self, d: Any) -> Any:
        xp, beta = self.xp, self.param
        return xp.where(xp.abs(d) < beta, d / beta, xp.sign(d))

    def slope_graph(self, d: Any) -> Any:
        inside = self.xp.abs(d._data) < self.param
        return Where.apply(inside, d / self.param, Mask.apply(d, _sign))


class HuberLoss(_Pointwise):
    """ℓ = ½ d² if |d| < δ else δ (|d| - ½ δ);  ∂ℓ/∂x = d, clipped to [-δ, δ]."""

    def loss(self, d: Any) -> Any:
        xp, delta = self.xp, self.param
        a = xp.abs(d)
        return xp.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))

    def slope(self, d: Any) -> Any:
        return self.xp.clip(d, -self.param, self.param)

    def slope_graph(self, d: Any) -> Any:
        return Clamp.apply(d, -self.param, self.param)


class _WeightedLoss(Function):
    """A loss with an optional per-element ``weight`` and a ``reduction``: the upstream
    gradient of every element, ∂(reduction)/∂ℓ · gy · w, written once for both losses below."""

    weight: Optional[Any]
    reduction: str

    def upstream(self, gy: Any, shape: Tuple[int, ...]) -> Any:
        g = spread(self.xp, gy, shape, self.reduction)
        return g if self.weight is None else g * self.weight

    def upstream_graph(self, gy: Any, shape: Tuple[int, ...]) -> Any:
        g = spread_graph(gy, shape, self.reduction)
        return g if self.weight is None else g * self.constant(self.weight)


class BinaryCrossEntropy(_WeightedLoss):
    """ℓ = -w (t · log x + (1 - t) · log(1 - x)), each log clamped at -100 (torch's guard
    against log 0 = -inf).

    ∂ℓ/∂x = w (x - t) / max(x (1 - x), 1e-12);   ∂ℓ/∂t = w (log(1 - x) - log x)  (clamped).
    ``weight`` is an array broadcast to x's shape, or None."""

    def forward(self, x: Any, t: Any, weight: Optional[Any], reduction: str) -> Any:
        xp = self.xp
        log_x = xp.maximum(xp.log(x), -100)
        log_1mx = xp.maximum(xp.log(1 - x), -100)
        loss = -(t * log_x + (1 - t) * log_1mx)
        if weight is not None:
            loss = loss * weight
        self.weight, self.reduction = weight, reduction
        self.save_for_backward(x, t)
        return reduce(xp, loss, reduction)

    def backward(self, gy: Any) -> Any:
        xp = self.xp
        x, t = self.saved_tensors
        g = self.upstream(gy, x.shape)
        gx = g * (x - t) / xp.maximum((1 - x) * x, 1e-12)
        gt = None
        if len(self.needs_input_grad) > 1 and self.needs_input_grad[1]:
            gt = g * (xp.maximum(xp.log(1 - x), -100) - xp.maximum(xp.log(x), -100))
        return gx, gt

    def backward_graph(self, gy: Any) -> Any:
        x_raw, t_raw = self.saved_tensors
        x, t = self.graph_input(0, x_raw), self.graph_input(1, t_raw)
        g = self.upstream_graph(gy, x_raw.shape)
        gx = g * (x - t) / ((1 - x) * x).maximum(self.constant(self.xp.asarray(
            1e-12, dtype=x_raw.dtype)))
        gt = None
        if len(self.needs_input_grad) > 1 and self.needs_input_grad[1]:
            floor = self.constant(self.xp.asarray(-100, dtype=x_raw.dtype))
            gt = g * ((1 - x).log().maximum(floor) - x.log().maximum(floor))
        return gx, gt


class BinaryCrossEntropyWithLogits(_WeightedLoss):
    """Sigmoid + BCE in one stable formula (lw = 1 + (pos_weight - 1) · t)::

        ℓ = w ((1 - t) · x - lw · log σ(x)),   log σ(x) = min(x, 0) - log(1 + e^{-|x|})
        ∂ℓ/∂x = w (lw · σ(x) - pos_weight · t)     (= w (σ(x) - t) without pos_weight)
        ∂ℓ/∂t = -w (x + (pos_weight - 1) · log σ(x))

    ``weight`` and ``pos_weight`` are arrays broadcast against x, or None."""

    def forward(self, x: Any, t: Any, weight: Optional[Any], pos_weight: Optional[Any],
                reduction: str) -> Any:
        xp = self.xp
        log_sig = xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))
        lw = 1 if pos_weight is None else (pos_weight - 1) * t + 1
        loss = (1 - t) * x - lw * log_sig
        if weight is not None:
            loss = loss * weight
        self.weight, self.pos_weight, self.reduction = weight, pos_weight, reduction
        self.save_for_backward(x, t)
        return reduce(xp, loss, reduction)

    def backward(self, gy: Any) -> Any:
        xp = self.xp
        x, t = self.saved_tensors
        g = self.upstream(gy, x.shape)
        sig = 1 / (1 + xp.exp(-x))
        pw = self.pos_weight
        gx = g * (sig - t) if pw is None else g * (((pw - 1) * t + 1) * sig - pw * t)
        gt = None
        if len(self.needs_input_grad) > 1 and self.needs_input_grad[1]:
            log_sig = xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))
            gt = -g * x if pw is None else -g * (x + (pw - 1) * log_sig)
        return gx, gt

    def backward_graph(self, gy: Any) -> Any:
        x_raw, t_raw = self.saved_tensors
        x, t = self.graph_input(0, x_raw), self.graph_input(1, t_raw)
        g = self.upstream_graph(gy, x_raw.shape)
        sig = Sigmoid.apply(x)
        pw = None if self.pos_weight is None else self.constant(self.pos_weight)
        gx = g * (sig - t) if pw is None else g * (((pw - 1) * t + 1) * sig - pw * t)
        gt = None
        if len(self.needs_input_grad) > 1 and self.needs_input_grad[1]:
            zero = self.constant(self.xp.zeros((), dtype=x_raw.dtype))
            log_sig = x.minimum(zero) - (1 + (-x.abs()).exp()).log()
            gt = -g * x if pw is None else -g * (x + (pw - 1) * log_sig)
        return gx, gt


class NllLoss(Function):
    """ℓ_n = -w[t_n] · x[n, t_n] on (N, C) log-probabilities; samples whose target is
    ``ignore_index`` count 0. "mean" divides Σℓ by ``denominator`` = Σ w[t_n] over the kept
    samples (from the caller). ``target`` and ``weight`` are raw arrays (no gradient).

    Backward: ∂ℓ_n/∂x[n, c] = -w[t_n] if c = t_n (and n kept) else 0.
    ``spatial``: the caller flattened (N, C, d1, ...) input; torch names that node
    ``NllLoss2DBackward0``. ``out_shape``: the shape of the unreduced loss, when not (N,)."""

    def forward(self, x: Any, target: Any, weight: Optional[Any], ignore_index: int,
                reduction: str, denominator: Optional[Any], spatial: bool = False,
                out_shape: Optional[Tuple[int, ...]] = None) -> Any:
        xp = self.xp
        self.spatial = spatial
        n, c = x.shape
        valid = target != ignore_index
        safe = xp.clip(target, 0, max(c - 1, 0))
        scale = valid.astype(x.dtype)
        if weight is not None:
            scale = scale * weight[safe]
        rows = xp.arange(n)
        # select, never multiply by the mask: an ignored row's -inf would give 0·inf = NaN;
        # with no classes at all (every target ignored) there is nothing to pick
        loss = xp.where(valid, -x[rows, safe] * scale, 0).astype(x.dtype) if n and c else \
            xp.zeros(n, dtype=x.dtype)
        self.rows, self.cols, self.scale, self.x_shape = rows, safe, scale, x.shape
        self.valid = valid
        self.reduction, self.denominator = reduction, denominator
        if reduction == "none" and out_shape is not None:
            return loss.reshape(out_shape)
        if reduction != "mean":
            return reduce(xp, loss, reduction)
        # every sample ignored: 0/0 = nan, as in torch
        return xp.asarray(loss.sum() / denominator, dtype=x.dtype)

    def backward(self, gy: Any) -> Any:
        xp = self.xp
        g = gy if self.reduction != "mean" else gy / self.denominator
        if self.reduction == "none":
            g = g.reshape(-1)
        gx = xp.zeros(self.x_shape, dtype=gy.dtype)
        if self.x_shape[0] and self.x_shape[1]:
            # ignored rows get 0 even when g is inf or NaN (mean over 0)
            gx[self.rows, self.cols] = xp.where(self.valid, -self.scale * g, 0)
        return gx

    def name(self) -> str:
        return "NllLoss2DBackward0" if self.spatial else "NllLossBackward0"

    def backward_graph(self, gy: Any) -> Any:
        g = gy if self.reduction != "mean" else gy / float(self.denominator)
        coef = self.xp.zeros(self.x_shape, dtype=gy._data.dtype)  # ∂ℓ_n/∂x[n, c]: a constant
        if self.x_shape[0] and self.x_shape[1]:
            coef[self.rows, self.cols] = -self.scale
        return self.constant(coef) * g.reshape(-1, 1)
