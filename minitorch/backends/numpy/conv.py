"""Convolution as matrix multiplication (im2col), the reference implementation.

Forward, for groups g with Cg = C/G input and Og = O/G output channels each::

    cols[n, g, k, l]  = x_pad[n, g·Cg + c, i·sh + p·dh, j·sw + q·dw]   k = (c, p, q), l = (i, j)
    y[n, g, o, l]     = Σ_k w[g, o, k] · cols[n, g, k, l]               (a batched GEMM)

so a convolution is one matrix product per group: (Og × K) @ (K × L), K = Cg·kH·kW,
L = Ho·Wo. Backward is two more products and a col2im:

    gcols = wᵀ @ gy          (then added back onto the pixels each column came from)
    gw    = Σ_n gy @ colsᵀ
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

from minitorch.backends.numpy.windows import add_windows, pad_image, windows

Pair = Tuple[int, int]
Quad = Tuple[int, int, int, int]


def _columns(xp: Any, x: Any, w_shape: Tuple[int, ...], stride: Pair, padding: Quad,
             dilation: Pair, groups: int, out_hw: Pair) -> Any:
    """im2col: (N, G, Cg·kH·kW, Ho·Wo) — a copy of every window, one column per output pixel."""
    n, c = x.shape[:2]
    _, cg, kh, kw = w_shape
    padded = pad_image(xp, x, *padding)
    cols = windows(xp, padded, (kh, kw), stride, dilation, out_hw)  # (N, C, kH, kW, Ho, Wo)
    return cols.reshape(n, groups, cg * kh * kw, out_hw[0] * out_hw[1])


def conv2d_forward(xp: Any, x: Any, w: Any, b: Optional[Any], stride: Pair, padding: Quad,
                   dilation: Pair, groups: int, out_hw: Pair) -> Any:
    """y = W @ im2col(x) + b, per group.  Cost: 2·N·O·Cg·kH·kW·Ho·Wo FLOPs."""
    n = x.shape[0]
    o = w.shape[0]
    cols = _columns(xp, x, w.shape, stride, padding, dilation, groups, out_hw)
    w_mat = w.reshape(groups, o // groups, -1)                      # (G, Og, K)
    y = xp.matmul(w_mat, cols).reshape(n, o, out_hw[0], out_hw[1])  # (N, G, Og, L) → NCHW
    if b is not None:
        y += b.reshape(1, o, 1, 1)
    return y


def conv2d_backward_input(xp: Any, gy: Any, w: Any, x_shape: Tuple[int, ...], stride: Pair,
                          padding: Quad, dilation: Pair, groups: int) -> Any:
    """gcols = Wᵀ @ gy per group, then col2im adds each column back onto its window."""
    n, c, h, wd = x_shape
    o, cg, kh, kw = w.shape
    ho, wo = gy.shape[2:]
    w_mat = w.reshape(groups, o // groups, cg * kh * kw)
    gy_mat = gy.reshape(n, groups, o // groups, ho * wo)
    gcols = xp.matmul(w_mat.transpose(0, 2, 1), gy_mat)            # (N, G, K, L)
    gcols = gcols.reshape(n, c, kh, kw, ho, wo)
    top, bottom, left, right = padding
    gx_pad = xp.zeros((n, c, h + top + bottom, wd + left + right), dtype=gy.dtype)
    add_windows(xp, gx_pad, gcols, stride, dilation)
    return gx_pad[:, :, top:top + h, left:left + wd]


def conv2d_backward_weight(xp: Any, gy: Any, x: Any, w_shape: Tuple[int, ...], stride: Pair,
                           padding: Quad, dilation: Pair, groups: int) -> Any:
    """gw[g] = Σ_n gy[n, g] @ cols[n, g]ᵀ  — (Og × L) @ (L × K), summed over the batch."""
    n = x.shape[0]
    o = w_shape[0]
    out_hw = gy.shape[2:]
    cols = _columns(xp, x, w_shape, stride, padding, dilation, groups, out_hw)
    gy_mat = gy.reshape(n, groups, o // groups, -1)
    gw = xp.matmul(gy_mat, cols.transpose(0, 1, 3, 2)).sum(axis=0)  # (G, Og, K)
    return gw.reshape(w_shape)


def conv2d_backward_bias(xp: Any, gy: Any) -> Any:
    """gb[o] = Σ_{n,i,j} gy[n, o, i, j]."""
    return gy.sum(axis=(0, 2, 3))
