"""Ops that rearrange or resample windows of an image, written once on ``self.xp`` (NumPy or
CuPy) for every backend — no kernel of their own:

* :class:`Separable` — y = A_h · x · A_wᵀ with constant matrices: adaptive average pooling
  and interpolation (nearest, linear, bilinear), each under torch's node name;
* :class:`AdaptiveMaxPool2d` — the max of each adaptive window, gathered;
* :class:`Im2Col` / :class:`Col2Im` — ``F.unfold`` / ``F.fold``: every sliding block as a
  column, and its adjoint.
"""

from __future__ import annotations

from typing import Any, Optional

from minitorch.autograd.function import Function
from minitorch.autograd.ops.grad_ops import MaxPool2dBackward
from minitorch.autograd.ops.nn import Lifted
from minitorch.autograd.ops.util import for_kernel as _c
from minitorch.autograd.ops.util import scatter_add
from minitorch.shapes import conv_output_size


class Separable(Function):
    """y = A_h · x · A_wᵀ over the last two dims (or x · A_wᵀ over the last one, A_h None) —
    and, with ``a_d``, A_d applied along the third-last dim first (x seen as (..., D, H·W)):
    every output value a fixed weighted sum of input values along each axis, the weights
    constant matrices — adaptive average pooling (A: the windows' averages) and
    interpolation (A: nearest neighbours or linear weights). Linear in x:
    ∂L/∂x = A_dᵀ ·_D (A_hᵀ · gy · A_w). ``node``: torch's name for the op
    (``AdaptiveAvgPool2D``, ``AdaptiveAvgPool3D``, ``UpsampleBilinear2D``, ...)."""

    def forward(self, x: Any, a_h: Optional[Any], a_w: Any, node: str,
                a_d: Optional[Any] = None) -> Any:
        self.a_h, self.a_w, self.node, self.a_d = a_h, a_w, node, a_d
        mm = self.backend.matmul
        if a_d is not None:
            x = self._along_depth(x, a_d)
        return mm(x if a_h is None else mm(a_h, x), a_w.T)

    def _along_depth(self, x: Any, a: Any) -> Any:
        """A · x along the third-last dim: (..., D, H, W) -> (..., rows of A, H, W)."""
        lead, (h, w) = x.shape[:-3], x.shape[-2:]
        y = self.backend.matmul(a, _c(self.xp, x.reshape(*lead, x.shape[-3], h * w)))
        return y.reshape(*lead, a.shape[0], h, w)

    def backward(self, gy: Any) -> Any:
        mm = self.backend.matmul
        g = mm(gy, self.a_w)
        g = g if self.a_h is None else mm(self.a_h.T, g)
        return g if self.a_d is None else self._along_depth(g, self.a_d.T)

    def backward_graph(self, gy: Any) -> Any:
        g = gy @ self.constant(self.a_w)
        g = g if self.a_h is None else self.constant(self.a_h.T) @ g
        if self.a_d is None:
            return g
        lead, (h, w) = g.shape[:-3], g.shape[-2:]
        g = self.constant(self.a_d.T) @ g.reshape(*lead, g.shape[-3], h * w)
        return g.reshape(*lead, self.a_d.shape[1], h, w)

    def name(self) -> str:
        return f"{self.node}Backward0"


class AdaptiveMaxPool2d(Lifted):
    """(y, indices) = the max of each adaptive window and where it is (flat h·W + w in its
    plane; ties and NaN: the first in row-major order), from ``table`` (oh·ow, K): each
    window's flat positions, padded with its own first. The gradient goes to the argmax (the
    backend's max-pool scatter). An unbatched (C, H, W) input is seen as a batch of one."""

    def forward(self, x: Any, table: Any, out_hw: Any) -> Any:
        xp = self.xp
        self.lift = 0 if x.ndim == 3 else None
        x = self.up(x)
        n, c, h, w = self.x_shape = x.shape
        windows = x.reshape(n, c, h * w)[:, :, table]  # (n, c, oh·ow, K)
        k = windows.argmax(axis=-1)  # the first maximum, or the first NaN
        y = xp.take_along_axis(windows, k[..., None], axis=-1)[..., 0]
        self.indices = table[xp.arange(table.shape[0]), k].reshape(n, c, *out_hw)
        return self.down(y.reshape(n, c, *out_hw)), self.down(self.indices)

    def backward(self, gy: Any, _gidx: Any = None) -> Any:
        return self.down(self.backend.max_pool2d_backward(_c(self.xp, self.up(gy)),
                                                          self.indices, self.x_shape))

    def backward_graph(self, gy: Any, _gidx: Any = None) -> Any:
        return self.graph_down(MaxPool2dBackward.apply(self.graph_up(gy), self.indices,
                                                       self.x_shape))

    def name(self) -> str:
        return "AdaptiveMaxPool2DBackward0"


def blocks_hw(hw: Any, kernel: Any, dilation: Any, padding: Any, stride: Any) -> Any:
    """(Ho, Wo): how many blocks fit along each axis of a padded (H, W) image."""
    return tuple(conv_output_size(n, k, s, 2 * p, d)
                 for n, k, d, p, s in zip(hw, kernel, dilation, padding, stride))


def _taps(xp: Any, out_hw: Any, kernel: Any, dilation: Any, stride: Any) -> Any:
    """(rows, cols): for block (i, j) and kernel tap (p, q), the padded image's row
    i·sh + p·dh and column j·sw + q·dw — index arrays that broadcast to (kH, kW, Ho, Wo)."""
    (ho, wo), (kh, kw), (dh, dw), (sh, sw) = out_hw, kernel, dilation, stride
    rows = (xp.arange(kh) * dh)[:, None, None, None] + (xp.arange(ho) * sh)[None, None, :, None]
    cols = (xp.arange(kw) * dw)[None, :, None, None] + (xp.arange(wo) * sw)[None, None, None, :]
    return rows, cols


def im2col(xp: Any, x: Any, kernel: Any, dilation: Any, padding: Any, stride: Any) -> Any:
    """y[n, (c·kH + p)·kW + q, i·Wo + j] = x_pad[n, c, i·sh + p·dh, j·sw + q·dw]: every
    sliding block of (N, C, H, W) as a column."""
    (ph, pw), (kh, kw) = padding, kernel
    n, c = x.shape[0], x.shape[1]
    x_pad = xp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    rows, cols = _taps(xp, blocks_hw(x.shape[2:], kernel, dilation, padding, stride), kernel,
                       dilation, stride)
    return xp.ascontiguousarray(x_pad[:, :, rows, cols]).reshape(n, c * kh * kw, -1)


def col2im(xp: Any, cols: Any, x_shape: Any, kernel: Any, dilation: Any, padding: Any,
           stride: Any) -> Any:
    """The adjoint of :func:`im2col`: x[n, c, r, s] = Σ of the columns' entries that read
    (r, s) (overlapping blocks add up; entries that read padding are dropped)."""
    (n, c, h, w), (ph, pw), (kh, kw) = x_shape, padding, kernel
    ho, wo = blocks_hw((h, w), kernel, dilation, padding, stride)
    rows, cols_ = _taps(xp, (ho, wo), kernel, dilation, stride)
    x_pad = xp.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    scatter_add(xp, x_pad, (slice(None), slice(None), rows, cols_),
                cols.reshape(n, c, kh, kw, ho, wo))
    return xp.ascontiguousarray(x_pad[:, :, ph:ph + h, pw:pw + w])


class Im2Col(Lifted):
    """``F.unfold``: the sliding blocks of (N, C, H, W) — or unbatched (C, H, W) — as columns
    (:func:`im2col`): the column matrix that turns a convolution into one matrix product.
    Linear; its adjoint is :class:`Col2Im`."""

    def forward(self, x: Any, kernel: Any, dilation: Any, padding: Any, stride: Any) -> Any:
        self.lift = 0 if x.ndim == 3 else None
        self.args, self.x_shape = (kernel, dilation, padding, stride), x.shape
        return self.down(im2col(self.xp, self.up(x), *self.args))

    def backward(self, gy: Any) -> Any:
        return self.down(col2im(self.xp, self.up(gy), self.up_shape(self.x_shape), *self.args))

    def backward_graph(self, gy: Any) -> Any:
        return Col2Im.apply(gy, self.x_shape[-2:], *self.args)

    def name(self) -> str:
        return "Im2ColBackward0"


class Col2Im(Lifted):
    """``F.fold``: (N, C·kH·kW, L) — or unbatched (C·kH·kW, L) — columns summed back into
    (N, C, H, W) (:func:`col2im`); its adjoint is :class:`Im2Col`."""

    def forward(self, cols: Any, output_size: Any, kernel: Any, dilation: Any, padding: Any,
                stride: Any) -> Any:
        self.lift = 0 if cols.ndim == 2 else None
        self.args = (kernel, dilation, padding, stride)
        cols = self.up(cols)
        shape = (cols.shape[0], cols.shape[1] // (kernel[0] * kernel[1])) + tuple(output_size)
        return self.down(col2im(self.xp, cols, shape, *self.args))

    def backward(self, gy: Any) -> Any:
        return self.down(im2col(self.xp, self.up(gy), *self.args))

    def backward_graph(self, gy: Any) -> Any:
        return Im2Col.apply(gy, *self.args)

    def name(self) -> str:
        return "Col2ImBackward0"
