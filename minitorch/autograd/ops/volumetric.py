"""3-D (volumetric) pooling on (N, C, D, H, W) arrays, written with ``xp`` (NumPy/CuPy)
over the kD·kH·kW taps of the window: each tap is one strided view of the padded input of the
output's shape, x_pad[:, :, a·dd + t·sd, b·dh + i·sh, c·dw + j·sw] for all (t, i, j), so a max
or a sum over the window is an elementwise max or sum over the taps (and the backward adds
back through the same views). 3-D convolution: :mod:`minitorch.autograd.ops.depth_taps`.
"""

from __future__ import annotations

import itertools
from typing import Any, Iterator, Optional, Sequence, Tuple

import numpy as np

from minitorch.autograd.function import Function
from minitorch.autograd.ops.grad_ops import MaxPool2dBackward
from minitorch.autograd.ops.nn import Lifted
from minitorch.autograd.ops.util import for_kernel as _c

Window = Tuple[Tuple[int, ...], Tuple[int, ...], Tuple[int, ...], Tuple[int, ...]]


def _padded(xp: Any, x: Any, window: Window, out: Sequence[int], fill: Any) -> Any:
    """x (N, C, D, H, W) padded with ``fill``: ``padding`` before each spatial dim, and after
    it as far as the last window reaches (ceil_mode windows may pass the padding)."""
    kernel, stride, padding, dilation = window
    pads = [(0, 0), (0, 0)]
    for size, k, s, p, d, o in zip(x.shape[2:], kernel, stride, padding, dilation, out):
        pads.append((p, max((o - 1) * s + d * (k - 1) + 1 - size - p, 0)))
    return xp.pad(x, pads, constant_values=fill)


def _taps(window: Window, out: Sequence[int]) -> Iterator[Tuple[Tuple[int, ...], Tuple[Any, ...]]]:
    """Each tap (a, b, c) of the window, in (depth, row, column) order, with the index of the
    padded input it reads for every output: x_pad[..., a·dd + t·sd, b·dh + i·sh, c·dw + j·sw]."""
    kernel, stride, _, dilation = window
    for tap in itertools.product(*(range(k) for k in kernel)):
        yield tap, (Ellipsis, *(slice(a * d, a * d + s * (o - 1) + 1, s)
                                for a, s, d, o in zip(tap, stride, dilation, out)))


class MaxPool3d(Lifted):
    """(y, indices) = max over each window of (D, H, W), and where it is as the flat index
    (d·H + h)·W + w into the input's volume; padding never wins, a NaN always does (the last
    one, as torch scans the window in (d, h, w) order). An unbatched (C, D, H, W) input is
    seen as a batch of one.

    The gradient goes to the argmax — the 2-D max-pool scatter of the backend, on the views
    (N, C, D·H, W) of the input and (N, C, Do·Ho, Wo) of gy and the indices: an index
    (d·H + h)·W + w is the flat index of row d·H + h, column w there."""

    def forward(self, x: Any, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
                out: Any) -> Any:
        xp = self.xp
        self.lift = 0 if x.ndim == 4 else None
        x = self.up(x)
        self.x_shape = x.shape
        window = (kernel_size, stride, padding, dilation)
        floating = x.dtype.kind == "f"
        fill = -np.inf if floating else np.iinfo(x.dtype).min
        xpad = _padded(xp, x, window, out, fill)
        starts = [np.arange(o) * s - p for o, s, p in zip(out, stride, padding)]
        first = [st + np.maximum(-st + d - 1, 0) // d * d for st, d in zip(starts, dilation)]
        best = xp.full(x.shape[:2] + tuple(out), fill, dtype=x.dtype)
        where = xp.asarray(self._flat(first, x.shape[2:]))
        where = xp.broadcast_to(where, best.shape).copy()
        for tap, index in _taps(window, out):
            v = xpad[index]
            take = (v > best) | xp.isnan(v) if floating else v > best
            best = xp.where(take, v, best)
            at = [st + a * d for st, a, d in zip(starts, tap, dilation)]
            where = xp.where(take, xp.asarray(self._flat(at, x.shape[2:])), where)
        self.indices = _c(xp, where.astype(xp.int64))
        return self.down(best), self.down(self.indices)

    @staticmethod
    def _flat(per_axis: Sequence[Any], sizes: Sequence[int]) -> Any:
        """(d·H + h)·W + w for every output, from the per-axis positions d, h, w."""
        d, h, w = per_axis
        return (d[:, None, None] * sizes[1] + h[None, :, None]) * sizes[2] + w[None, None, :]

    def _planar(self) -> Tuple[Any, Tuple[int, ...]]:
        """The indices as (N, C, Do·Ho, Wo) and the input's shape as (N, C, D·H, W)."""
        n, c, depth, h, w = self.x_shape
        i = self.indices
        return (i.reshape(n, c, -1, i.shape[-1]), (n, c, depth * h, w))

    def backward(self, gy: Any, _gidx: Any = None) -> Any:
        indices, shape = self._planar()
        gy = _c(self.xp, self.up(gy).reshape(indices.shape))
        gx = self.backend.max_pool2d_backward(gy, indices, shape)
        return self.down(gx.reshape(self.x_shape))

    def backward_graph(self, gy: Any, _gidx: Any = None) -> Any:
        indices, shape = self._planar()
        gx = MaxPool2dBackward.apply(self.graph_up(gy).reshape(indices.shape), indices, shape)
        return self.graph_down(gx.reshape(self.x_shape))

    def name(self) -> str:
        return "MaxPool3DWithIndicesBackward0"


def _divisor(x_shape: Sequence[int], window: Window, out: Sequence[int],
             count_include_pad: bool, divisor_override: Optional[int]) -> np.ndarray:
    """(Do, Ho, Wo) divisors of torch's avg_pool3d, a product of one factor per axis: the
    window's length clipped at the padded edge (``count_include_pad``) or at the real edge
    (then 1 for a window wholly in the padding: its sum, 0, stays 0)."""
    if divisor_override:
        return np.full(tuple(out), float(divisor_override))
    kernel, stride, padding, _ = window
    total = np.ones(tuple(out))
    for axis, (size, k, s, p, o) in enumerate(zip(x_shape[2:], kernel, stride, padding, out)):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, size + p)
        length = end - start if count_include_pad else \
            np.minimum(end, size) - np.maximum(start, 0)
        shape = [1, 1, 1]
        shape[axis] = o
        total = total * np.maximum(length, 1).reshape(shape)
    return total


def avg_pool3d_forward(xp: Any, x: Any, window: Window, out: Sequence[int],
                       divisor: Any) -> Any:
    """y = Σ over the window's taps of x_pad (zeros in the padding) / divisor."""
    xpad, y = _padded(xp, x, window, out, 0), None
    for _, index in _taps(window, out):
        y = xpad[index] if y is None else y + xpad[index]
    return _c(xp, y / divisor)


def avg_pool3d_backward(xp: Any, gy: Any, x_shape: Sequence[int], window: Window,
                        divisor: Any) -> Any:
    """gx = Σ over the taps of gy / divisor, added back where each tap read (the adjoint of
    :func:`avg_pool3d_forward`); what lands in the padding is dropped."""
    out = gy.shape[2:]
    g = gy / divisor
    gpad = xp.zeros_like(_padded(xp, xp.zeros(x_shape, dtype=gy.dtype), window, out, 0))
    for _, index in _taps(window, out):
        gpad[index] += g
    crop = tuple(slice(p, p + size) for p, size in zip(window[2], x_shape[2:]))
    return _c(xp, gpad[(Ellipsis, *crop)])


class AvgPool3d(Lifted):
    """y = mean over each window of (D, H, W), with torch's divisor rules (see
    :func:`_divisor`); an unbatched (C, D, H, W) input is seen as a batch of one."""

    def forward(self, x: Any, kernel_size: Any, stride: Any, padding: Any, out: Any,
                count_include_pad: bool, divisor_override: Optional[int]) -> Any:
        self.lift = 0 if x.ndim == 4 else None
        x = self.up(x)
        self.x_shape = x.shape
        self.args = (kernel_size, stride, padding, out, count_include_pad, divisor_override)
        window, divisor = _avg_window(self.xp, x.shape, x.dtype, self.args)
        return self.down(avg_pool3d_forward(self.xp, x, window, out, divisor))

    def backward(self, gy: Any) -> Any:
        gy = self.up(gy)
        window, divisor = _avg_window(self.xp, self.x_shape, gy.dtype, self.args)
        return self.down(avg_pool3d_backward(self.xp, gy, self.x_shape, window, divisor))

    def backward_graph(self, gy: Any) -> Any:
        gx = AvgPool3dBackward.apply(self.graph_up(gy), self.x_shape, self.args)
        return self.graph_down(gx)

    def name(self) -> str:
        return "AvgPool3DBackward0"


def _avg_window(xp: Any, x_shape: Sequence[int], dtype: Any,
                args: Tuple[Any, ...]) -> Tuple[Window, Any]:
    """The window (no dilation) and the divisors of an avg_pool3d, from its arguments."""
    kernel_size, stride, padding, out, count_include_pad, divisor_override = args
    window = (kernel_size, stride, padding, (1, 1, 1))
    divisor = _divisor(x_shape, window, out, count_include_pad, divisor_override)
    return window, xp.asarray(divisor, dtype=dtype)


class AvgPool3dBackward(Function):
    """gx = avg_pool3d_backward(gy): linear in gy; its adjoint is avg_pool3d itself."""

    def forward(self, gy: Any, x_shape: Any, args: Tuple[Any, ...]) -> Any:
        self.args = args
        window, divisor = _avg_window(self.xp, x_shape, gy.dtype, args)
        return avg_pool3d_backward(self.xp, gy, x_shape, window, divisor)

    def backward(self, gg: Any) -> Any:
        window, divisor = _avg_window(self.xp, gg.shape, gg.dtype, self.args)
        return avg_pool3d_forward(self.xp, gg, window, self.args[3], divisor)

    def backward_graph(self, gg: Any) -> Any:
        return AvgPool3d.apply(gg, *self.args)
