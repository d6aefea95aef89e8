"""3-D convolution on (N, C, D, H, W) arrays: :class:`DepthTaps` offers the backend's
``conv2d_*`` kernel contract for 5-D operands, so the convolution Functions of
:mod:`minitorch.autograd.ops.nn` (and their double-backward helpers in
:mod:`~minitorch.autograd.ops.grad_ops`) run 3-D convolutions unchanged. It splits the depth
axis into the kernel's taps: with x_pad zero-padded in depth (front pf, back pb),

    y[n, o, t, i, j] = b[o] + Σ_a conv2d(x_pad[n, :, t·sd + a·dd - pf], w[:, :, a])[o, i, j]

— for each of the kD taps a, the input planes it reads (t·sd + a·dd for t < Do, in padded
coordinates) are folded into the batch, (N·Do, C, H, W), and one 2-D convolution of the
backend convolves them with the weight's slice w[:, :, a] (groups, stride, padding and
dilation of (H, W) as in 2-D). So the 2-D kernels, tuned on every backend, do the (H, W) work,
and kD (small) is a Python loop; an im2col over the whole (D, H, W) window would need a
kD·kH·kW-times larger copy of the input. The gradients are the same sum: gx scatters each
tap's 2-D input gradient back onto its planes, gw[:, :, a] is the 2-D weight gradient of tap a.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple

from minitorch.autograd.ops.util import for_kernel as _c


def conv_kernels(fn: Any, a: Any) -> Any:
    """The kernels a convolution Function runs on operand ``a``: the backend's conv2d kernels
    for 4-D operands, :class:`DepthTaps` over them for 5-D ones."""
    return DepthTaps(fn.backend) if a.ndim == 5 else fn.backend


class DepthTaps:
    """The backend's ``conv2d_*`` kernels for (N, C, D, H, W) operands: the stride, dilation
    and output size have three entries, the padding six (front, back, top, bottom, left,
    right). See the module doc for the index formula."""

    def __init__(self, backend: Any) -> None:
        self.backend, self.xp = backend, backend.xp

    @staticmethod
    def _taps(a: int, stride: int, dilation: int, depth_out: int) -> slice:
        """The padded depth planes tap ``a`` reads for outputs t < depth_out."""
        return slice(a * dilation, a * dilation + stride * (depth_out - 1) + 1, stride)

    def _depth_first(self, x: Any, front: int, back: int) -> Any:
        """(N, C, D, H, W) as (N, D + front + back, C, H, W), zero planes in the padding."""
        return self.xp.pad(x.transpose(0, 2, 1, 3, 4), ((0, 0), (front, back), (0, 0), (0, 0),
                                                        (0, 0)))

    def _planes(self, xt: Any, tap: slice) -> Any:
        """The planes of depth-first ``xt`` a tap reads, folded into the batch (N·Do, C, H, W)."""
        return _c(self.xp, xt[:, tap].reshape(-1, *xt.shape[2:]))

    def _folded(self, gy: Any) -> Any:
        """(N, O, Do, Ho, Wo) as (N·Do, O, Ho, Wo)."""
        return _c(self.xp, gy.transpose(0, 2, 1, 3, 4).reshape(-1, gy.shape[1], *gy.shape[3:]))

    def conv2d_forward(self, x: Any, w: Any, b: Optional[Any], stride: Sequence[int],
                       padding: Sequence[int], dilation: Sequence[int], groups: int,
                       out: Sequence[int]) -> Any:
        xt, y = self._depth_first(x, padding[0], padding[1]), None
        for a in range(w.shape[2]):
            planes = self._planes(xt, self._taps(a, stride[0], dilation[0], out[0]))
            part = self.backend.conv2d_forward(planes, _c(self.xp, w[:, :, a]),
                                               b if a == 0 else None, stride[1:], padding[2:],
                                               dilation[1:], groups, out[1:])
            y = part if y is None else y + part
        y = y.reshape(x.shape[0], out[0], *y.shape[1:])
        return _c(self.xp, y.transpose(0, 2, 1, 3, 4))

    def conv2d_backward_input(self, gy: Any, w: Any, x_shape: Sequence[int],
                              stride: Sequence[int], padding: Sequence[int],
                              dilation: Sequence[int], groups: int) -> Any:
        n, c, depth, h, width = x_shape
        front, back = padding[0], padding[1]
        folded, depth_out = self._folded(gy), gy.shape[2]
        gxt = self.xp.zeros((n, depth + front + back, c, h, width), dtype=gy.dtype)
        for a in range(w.shape[2]):
            part = self.backend.conv2d_backward_input(
                folded, _c(self.xp, w[:, :, a]), (n * depth_out, c, h, width), stride[1:],
                padding[2:], dilation[1:], groups)
            gxt[:, self._taps(a, stride[0], dilation[0], depth_out)] += \
                part.reshape(n, depth_out, c, h, width)
        return _c(self.xp, gxt[:, front:front + depth].transpose(0, 2, 1, 3, 4))

    def conv2d_backward_weight(self, gy: Any, x: Any, w_shape: Sequence[int],
                               stride: Sequence[int], padding: Sequence[int],
                               dilation: Sequence[int], groups: int) -> Any:
        xt, folded, depth_out = self._depth_first(x, padding[0], padding[1]), self._folded(gy), \
            gy.shape[2]
        plane_shape = (w_shape[0], w_shape[1], *w_shape[3:])
        taps = [self.backend.conv2d_backward_weight(
            folded, self._planes(xt, self._taps(a, stride[0], dilation[0], depth_out)),
            plane_shape, stride[1:], padding[2:], dilation[1:], groups)
            for a in range(w_shape[2])]
        return _c(self.xp, self.xp.stack(taps, axis=2))

    def conv2d_backward_bias(self, gy: Any) -> Any:
        n, o = gy.shape[:2]  # Σ over (n, t, i, j): the 2-D kernel on (N, O, Do·Ho, Wo)
        return self.backend.conv2d_backward_bias(gy.reshape(n, o, -1, gy.shape[-1]))

    def conv2d_backward_weight_bias(self, gy: Any, x: Any, w_shape: Sequence[int],
                                    *args: Any) -> Tuple[Any, Any]:
        return self.conv2d_backward_weight(gy, x, w_shape, *args), self.conv2d_backward_bias(gy)
