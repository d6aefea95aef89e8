"""Sampling an image at given points, written once on ``self.xp`` (NumPy or CuPy) for every
backend: :class:`GridSampler` (``F.grid_sample``) and :class:`AffineGridGenerator`
(``F.affine_grid``), with torch's coordinate arithmetic.

A grid coordinate c ∈ [−1, 1] along an axis of size n is the pixel position

    p = (c + 1)/2 · (n − 1)            align_corners=True  (−1, 1: the corner pixels' centres)
    p = ((c + 1)·n − 1)/2              align_corners=False (−1, 1: the image's outer edges)

then, by ``padding_mode``: zeros — taps outside the image read 0; border — p clamped to
[0, n − 1]; reflection — p reflected about the edges (−½ and n − ½, or 0 and n − 1 with
align_corners) until it is inside, then clamped. Each mode reads taps along each axis and
multiplies their weights across axes (:func:`axis_taps`):

    nearest   the tap round(p) (half to even), weight 1
    bilinear  ⌊p⌋ and ⌊p⌋ + 1, weights 1 − λ and λ (λ = p − ⌊p⌋)
    bicubic   ⌊p⌋ − 1 … ⌊p⌋ + 2 with the cubic convolution weights of ``interpolate``
              (each tap index padded on its own, as torch's kernel does)

The gradient w.r.t. the grid is Σ_taps value · ∂weight/∂p · ∂p/∂c (the clamp's derivative
is 0 on and beyond the border, the reflection's ±1); nearest's is 0.
"""

from __future__ import annotations

import itertools
import math
from typing import Any, List, Sequence, Tuple

from minitorch.autograd.function import Function
from minitorch.autograd.ops.util import scatter_add

CUBIC_A = -0.75  # the cubic convolution constant of torch's kernels

Tap = Tuple[Any, Any, Any, Any]  # (index, in-bounds mask, weight, ∂weight/∂c) along one axis


def cubic_weights(lam: Any) -> List[Any]:
    """The weights of the taps i₀ − 1 … i₀ + 2 at fraction λ: W(λ + 1), W(λ), W(1 − λ),
    W(2 − λ) with Keys' kernel (A = −0.75)

        W(t) = (A + 2)|t|³ − (A + 3)|t|² + 1           |t| ≤ 1
        W(t) = A|t|³ − 5A|t|² + 8A|t| − 4A             1 < |t| < 2

    in ``lam``'s precision (an array of NumPy or CuPy)."""
    t = lam.dtype.type
    a = t(CUBIC_A)

    def near(x: Any) -> Any:  # |x| ≤ 1
        return ((a + t(2)) * x - (a + t(3))) * x * x + t(1)

    def far(x: Any) -> Any:  # 1 < |x| < 2
        return ((a * x - t(5) * a) * x + t(8) * a) * x - t(4) * a

    return [far(lam + t(1)), near(lam), near(t(1) - lam), far(t(2) - lam)]


def cubic_weight_grads(lam: Any) -> List[Any]:
    """∂/∂λ of :func:`cubic_weights`: W′(λ + 1), W′(λ), −W′(1 − λ), −W′(2 − λ)."""
    t = lam.dtype.type
    a = t(CUBIC_A)

    def near(x: Any) -> Any:  # W′ for |x| ≤ 1
        return (t(3) * (a + t(2)) * x - t(2) * (a + t(3))) * x

    def far(x: Any) -> Any:  # W′ for 1 < |x| < 2
        return (t(3) * a * x - t(10) * a) * x + t(8) * a

    return [far(lam + t(1)), near(lam), -near(t(1) - lam), -far(t(2) - lam)]


def unnormalize(c: Any, n: int, align_corners: bool) -> Tuple[Any, float]:
    """The pixel position of grid coordinate ``c`` on an axis of ``n`` pixels, and ∂p/∂c."""
    if align_corners:
        return (c + 1) / 2 * (n - 1), (n - 1) / 2
    return ((c + 1) * n - 1) / 2, n / 2


def pad_coordinates(xp: Any, p: Any, n: int, padding: str, align_corners: bool) -> Any:
    """(p, ∂p'/∂p) after ``padding``: border clamps p to [0, n − 1] (derivative 0 on and
    beyond the edges, as in torch); reflection first folds p about the edges (twice_low,
    twice_high = 0, 2(n − 1) with align_corners, else −1, 2n − 1; derivative ±1)."""
    if padding == "zeros":
        return p, 1
    grad: Any = 1
    if padding == "reflection":
        low, high = (0, 2 * (n - 1)) if align_corners else (-1, 2 * n - 1)
        if low == high:
            return xp.zeros_like(p), xp.zeros_like(p)
        lo, span = low / 2, (high - low) / 2
        p = p - lo
        sign = xp.where(p < 0, -1, 1).astype(p.dtype)
        p = xp.abs(p)
        extra = xp.fmod(p, span)
        odd = xp.floor(p / span) % 2 == 1
        p = xp.where(odd, span - extra + lo, extra + lo)
        grad = xp.where(odd, -sign, sign)
    inside = ((p > 0) & (p < n - 1)).astype(p.dtype)
    return xp.clip(p, 0, n - 1), grad * inside


def axis_taps(xp: Any, c: Any, n: int, mode: str, padding: str,
              align_corners: bool) -> List[Tap]:
    """The taps that grid coordinates ``c`` read along an axis of ``n`` pixels (the module
    doc): integer index (0 for a tap outside the image), mask of the taps inside it, weight,
    and the weight's derivative w.r.t. c."""
    p, scale = unnormalize(c, n, align_corners)
    if mode == "bicubic":
        start = xp.floor(p)
        lam = p - start
        grads = cubic_weight_grads(lam)
        taps = [(pad_coordinates(xp, start + (k - 1), n, padding, align_corners)[0], w,
                 grads[k] * scale) for k, w in enumerate(cubic_weights(lam))]
    else:
        p, dp = pad_coordinates(xp, p, n, padding, align_corners)
        dp = dp * scale
        if mode == "nearest":
            taps = [(xp.rint(p), xp.ones_like(p), xp.zeros_like(p))]
        else:
            start = xp.floor(p)
            lam = p - start
            dp = dp + xp.zeros_like(p)  # an array even where the padding's derivative is 1
            taps = [(start, 1 - lam, -dp), (start + 1, lam, dp)]
    out = []
    for where, w, dw in taps:
        inside = (where >= 0) & (where <= n - 1)
        index = xp.where(inside, where, 0).astype(xp.int64)  # NaN and ±inf: outside
        out.append((index, inside, w, dw))
    return out


class GridSampler(Function):
    """y[n, c, o] = Σ_taps w(o) · x[n, c, tap(o)] for every output point o of ``grid``
    (N, *out, k) — k = 2 for (N, C, H, W) input, 3 for (N, C, D, H, W); grid[..., 0] is the
    coordinate along the last axis (x, then y, then z). The taps of each output point are the
    products of the per-axis taps of :func:`axis_taps`. ∂L/∂x scatters gy·w back to the
    taps; ∂L/∂grid sums value · ∂w/∂c · gy over the taps and channels."""

    def forward(self, x: Any, grid: Any, mode: str, padding: str, align_corners: bool) -> Any:
        xp = self.xp
        n, c, *spatial = x.shape
        k = len(spatial)
        self.x_shape, self.grid_shape, self.mode = x.shape, grid.shape, mode
        axes = [axis_taps(xp, grid[..., k - 1 - d], size, mode, padding, align_corners)
                for d, size in enumerate(spatial)]
        strides = [math.prod(spatial[d + 1:]) for d in range(k)]
        self.batch = xp.arange(n).reshape((n,) + (1,) * k)
        self.flat_x = xp.moveaxis(x.reshape(n, c, math.prod(spatial)), 1, 2)  # (N, P, C)
        self.taps = []
        out = xp.zeros(grid.shape[:-1] + (c,), dtype=x.dtype)
        for combo in itertools.product(*axes):
            flat = sum(tap[0] * s for tap, s in zip(combo, strides))
            inside = combo[0][1]
            for tap in combo[1:]:
                inside = inside & tap[1]
            weight = math.prod(tap[2] for tap in combo) * inside
            self.taps.append((flat, inside, weight, combo))
            out += weight[..., None] * xp.where(inside[..., None],
                                                 self.flat_x[self.batch, flat], 0)
        return xp.ascontiguousarray(xp.moveaxis(out, -1, 1))

    def backward(self, gy: Any) -> Any:
        xp = self.xp
        g = xp.moveaxis(gy, 1, -1)  # (N, *out, C)
        k = len(self.x_shape) - 2
        gx = xp.zeros_like(self.flat_x)
        ggrid = xp.zeros(self.grid_shape, dtype=gy.dtype)
        for flat, inside, weight, combo in self.taps:
            scatter_add(xp, gx, (self.batch, flat), weight[..., None] * g)
            if self.mode == "nearest":
                continue
            vg = (xp.where(inside[..., None], self.flat_x[self.batch, flat], 0) * g).sum(-1)
            for d in range(k):
                others = math.prod(tap[2] for e, tap in enumerate(combo) if e != d)
                ggrid[..., k - 1 - d] += vg * combo[d][3] * others
        gx = xp.ascontiguousarray(xp.moveaxis(gx, 2, 1)).reshape(self.x_shape)
        return gx, ggrid

    def name(self) -> str:
        return f"GridSampler{len(self.x_shape) - 2}DBackward0"


def base_grid(xp: Any, spatial: Sequence[int], align_corners: bool, dtype: Any) -> Any:
    """(∏spatial, k + 1) rows [x, y, (z,) 1] of every output point in row-major order: along
    an axis of n points, linspace(−1, 1, n) (scaled by (n − 1)/n without align_corners; 0
    when n = 1)."""
    def steps(m: int) -> Any:
        if m <= 1:
            return xp.zeros(1, dtype=dtype)
        r = xp.linspace(-1, 1, m, dtype=dtype)
        return r if align_corners else r * dtype.type((m - 1) / m)

    axes = xp.meshgrid(*[steps(m) for m in spatial], indexing="ij")  # z, y, x order
    cols = [a.reshape(-1) for a in reversed(axes)] + [xp.ones(math.prod(spatial), dtype)]
    return xp.stack(cols, axis=1)


class AffineGridGenerator(Function):
    """grid[n, o] = θ[n] · [x_o, y_o, (z_o,) 1]ᵀ: the points of a (D,) H, W output grid
    (:func:`base_grid`) mapped by each affine matrix θ (N, k, k + 1); shape (N, (D,) H, W, k).
    Linear in θ: ∂L/∂θ[n] = Σ_o g[n, o] · base_oᵀ."""

    def forward(self, theta: Any, spatial: Sequence[int], align_corners: bool) -> Any:
        self.base = base_grid(self.xp, spatial, align_corners, theta.dtype)
        n, k = theta.shape[0], len(spatial)
        self.shape = (n, math.prod(spatial), k)
        grid = self.backend.matmul(self.base, theta.transpose(0, 2, 1))  # (N, points, k)
        return grid.reshape((n,) + tuple(spatial) + (k,))

    def backward(self, gy: Any) -> Any:
        g = self.backend.matmul(self.base.T, gy.reshape(self.shape))  # (N, k + 1, k)
        return self.xp.ascontiguousarray(g.transpose(0, 2, 1))

    def backward_graph(self, gy: Any) -> Any:
        return (self.constant(self.base.T) @ gy.reshape(self.shape)).transpose(1, 2)

    def name(self) -> str:
        return "AffineGridGeneratorBackward0"
