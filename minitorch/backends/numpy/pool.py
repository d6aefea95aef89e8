"""Max and average pooling, vectorised over windows (reference implementation).

Both build the (N, C, kH, kW, Ho, Wo) window view of the padded input (see
:mod:`windows`) and reduce over the two kernel axes. Max pooling pads with -inf, so padding
never wins; average pooling pads with 0 and divides by PyTorch's divisor.
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

import numpy as np

from minitorch.backends.numpy.windows import add_windows, pad_after, pad_image, windows

Pair = Tuple[int, int]


def _pads(x_shape: Tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair, dilation: Pair,
          out_hw: Pair) -> Tuple[int, int, int, int]:
    """(top, bottom, left, right) so that every window, ceil_mode's last one included, fits."""
    h, w = x_shape[2:]
    return (padding[0], pad_after(h, out_hw[0], kernel[0], stride[0], dilation[0], padding[0]),
            padding[1], pad_after(w, out_hw[1], kernel[1], stride[1], dilation[1], padding[1]))


def max_pool2d_forward(xp: Any, x: Any, kernel: Pair, stride: Pair, padding: Pair,
                       dilation: Pair, out_hw: Pair) -> Tuple[Any, Any]:
    """y[n,c,i,j] = max_{p,q} x_pad[n, c, i·sh + p·dh, j·sw + q·dw], and its flat input index.

    Which element wins, as in PyTorch's loop ``if (val > max || isnan(val)) take it``:
    the first maximum in row-major order; the *last* NaN if there is one; and, when every
    value is -inf, the first element inside the image (never the padding). A window wholly
    in the padding (dilation can skip over the image) gives -inf and index -1."""
    n, c, h, w = x.shape
    kh, kw = kernel
    ho, wo = out_hw
    pads = _pads(x.shape, kernel, stride, padding, dilation, out_hw)
    win = windows(xp, pad_image(xp, x, *pads, value=-np.inf), kernel, stride, dilation, out_hw)
    win = win.transpose(0, 1, 4, 5, 2, 3).reshape(n, c, ho, wo, kh * kw)   # windows last

    # where each window offset lands in the input (same for every n, c)
    rows = (xp.arange(ho) * stride[0] - padding[0])[:, None] + xp.arange(kh) * dilation[0]
    cols = (xp.arange(wo) * stride[1] - padding[1])[:, None] + xp.arange(kw) * dilation[1]
    inside = ((rows >= 0) & (rows < h))[:, None, :, None] & \
        ((cols >= 0) & (cols < w))[None, :, None, :]                          # (Ho, Wo, kH, kW)
    flat = (rows[:, None, :, None] * w + cols[None, :, None, :]).reshape(ho, wo, kh * kw)
    inside = inside.reshape(ho, wo, kh * kw)

    k = xp.argmax(win, axis=-1)                                   # first maximum (or first NaN)
    is_nan = xp.isnan(win)
    last_nan = kh * kw - 1 - xp.argmax(is_nan[..., ::-1], axis=-1)
    k = xp.where(is_nan.any(axis=-1), last_nan, k)
    first_inside = xp.argmax(inside, axis=-1)                     # for all -inf windows
    k = xp.where(xp.take_along_axis(xp.broadcast_to(inside, win.shape), k[..., None],
                                    axis=-1)[..., 0], k, first_inside)
    y = xp.take_along_axis(win, k[..., None], axis=-1)[..., 0]
    indices = xp.take_along_axis(xp.broadcast_to(flat, win.shape), k[..., None], axis=-1)[..., 0]
    indices = xp.where(inside.any(axis=-1), indices, -1)  # a window wholly in the padding
    return xp.ascontiguousarray(y), indices.astype(xp.int64)


def max_pool2d_backward(xp: Any, gy: Any, indices: Any, x_shape: Tuple[int, ...]) -> Any:
    """gx[n, c, indices[n,c,i,j]] += gy[n,c,i,j], as one ``bincount`` over flat positions
    (index -1 sends nothing)."""
    n, c, h, w = x_shape
    plane = xp.arange(n * c).reshape(n, c, 1, 1) * (h * w)
    kept = (indices >= 0).ravel()                 # -1: a window wholly in the padding
    gx = xp.bincount((indices + plane).ravel()[kept], weights=gy.ravel()[kept],
                     minlength=n * c * h * w)
    return gx.astype(gy.dtype).reshape(x_shape)


def avg_divisor(xp: Any, x_shape: Tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair,
                out_hw: Pair, count_include_pad: bool, divisor_override: Optional[int],
                dtype: Any) -> Any:
    """The (Ho, Wo) divisors, by PyTorch's rule (see ``Backend.avg_pool2d_forward``)."""
    if divisor_override:
        return xp.full(out_hw, divisor_override, dtype=dtype)
    sizes = []
    for axis in range(2):
        size = x_shape[2 + axis]
        start = xp.arange(out_hw[axis]) * stride[axis] - padding[axis]
        end = xp.minimum(start + kernel[axis], size + padding[axis])
        padded_len = end - start                                  # clipped at the padded edge
        real_len = xp.minimum(end, size) - xp.maximum(start, 0)   # clipped at the real edge
        sizes.append(padded_len if count_include_pad else real_len)
    return (sizes[0][:, None] * sizes[1][None, :]).astype(dtype)


def avg_pool2d_forward(xp: Any, x: Any, kernel: Pair, stride: Pair, padding: Pair, out_hw: Pair,
                       count_include_pad: bool, divisor_override: Optional[int]) -> Any:
    """y[n,c,i,j] = Σ_{p,q} x_pad[n, c, i·sh + p, j·sw + q] / divisor[i, j]."""
    pads = _pads(x.shape, kernel, stride, padding, (1, 1), out_hw)
    win = windows(xp, pad_image(xp, x, *pads), kernel, stride, (1, 1), out_hw)
    total = win.sum(axis=(2, 3))
    return total / avg_divisor(xp, x.shape, kernel, stride, padding, out_hw, count_include_pad,
                               divisor_override, x.dtype)


def avg_pool2d_backward(xp: Any, gy: Any, x_shape: Tuple[int, ...], kernel: Pair, stride: Pair,
                        padding: Pair, count_include_pad: bool,
                        divisor_override: Optional[int]) -> Any:
    """Each window spreads gy[n,c,i,j] / divisor[i,j] evenly over the pixels it averaged."""
    n, c, h, w = x_shape
    out_hw = gy.shape[2:]
    share = gy / avg_divisor(xp, x_shape, kernel, stride, padding, out_hw, count_include_pad,
                             divisor_override, gy.dtype)
    cols = xp.broadcast_to(share[:, :, None, None], (n, c, kernel[0], kernel[1]) + out_hw)
    top, bottom, left, right = _pads(x_shape, kernel, stride, padding, (1, 1), out_hw)
    gx_pad = xp.zeros((n, c, h + top + bottom, w + left + right), dtype=gy.dtype)
    add_windows(xp, gx_pad, cols, stride, (1, 1))
    return gx_pad[:, :, top:top + h, left:left + w]
