"""What every Numba convolution route starts with: a padded copy of one image, and the
per-thread buffers it is written into.

:func:`pad_image` writes one image into a zeroed (C, Hp, Wp) buffer; :func:`copy_run` is the
short unit-stride copy it (and im2col) is made of; :func:`flip_swap` turns a weight into the
input gradient's; :func:`buffers` allocates one padded image and one scratch matrix per
thread, :func:`geometry` turns the backend's arguments into the kernels' ints.
"""

from __future__ import annotations

from typing import Tuple

import numpy as np
from numba import njit

from minitorch.backends.numba.threads import get_num_threads

# Indices in the copy loops below are unsigned (np.uint64): Numba wraps negative *signed*
# indices around (x[-1] is the last element), and that per-element check stops LLVM from
# vectorising the copies.
U = np.uint64


@njit(cache=True, inline="always")
def copy_run(src, s, dst, d, n):  # pragma: no cover
    """dst[d : d+n] = src[s : s+n] for 1-D unit-stride arrays and unsigned offsets.

    The seed CNN's runs are short (Wo = 8–32 elements), so a plain loop spends more time in
    its set-up (LLVM's run-time overlap test, the remainder loop) than copying. Here every
    block of 8 is loaded into 8 values, then stored: the loads cannot overlap the stores, so
    LLVM makes one 8-wide SIMD move of them (``benchmarks/README.md``, "Notes")."""
    n8 = n - n % U(8)
    j = U(0)
    while j < n8:
        a0, a1, a2, a3 = src[s + j], src[s + j + U(1)], src[s + j + U(2)], src[s + j + U(3)]
        a4, a5, a6, a7 = src[s + j + U(4)], src[s + j + U(5)], src[s + j + U(6)], src[s + j + U(7)]
        dst[d + j], dst[d + j + U(1)], dst[d + j + U(2)], dst[d + j + U(3)] = a0, a1, a2, a3
        dst[d + j + U(4)], dst[d + j + U(5)], dst[d + j + U(6)], dst[d + j + U(7)] = a4, a5, a6, a7
        j += U(8)
    while j < n:
        dst[d + j] = src[s + j]
        j += U(1)


@njit(cache=True)
def pad_image(xn, pt, pl, xpad):  # pragma: no cover
    """xpad = x_pad for one image: zeros, with xn (C, H, W) copied to xpad[:, pt:pt+H, pl:pl+W].
    Cost: C·Hp·Wp writes."""
    C, H, W = xn.shape
    xpad[:, :, :] = 0
    for c in range(C):
        for h in range(H):
            copy_run(xn[c, h], U(0), xpad[c, h + pt], U(pl), U(W))


@njit(cache=True)
def flip_swap(w):  # pragma: no cover
    """wf[c, o, p, q] = w[o, c, kH−1−p, kW−1−q]: the weight of the input gradient's forward
    convolution (channels swapped, taps turned by 180°). Turning both tap axes reverses
    the kH·kW taps as one run, so each (c, o) is one reversed copy of kH·kW contiguous
    values: conv3's float32 weight in 6.5 µs, where NumPy's copy of the equivalent
    strided view took 15.
    Cost: O·C·kH·kW reads and writes."""
    O, C, kh, kw = w.shape
    T = U(kh * kw)
    src = w.reshape(O, C, kh * kw)
    wf = np.empty((C, O, kh, kw), w.dtype)
    dst = wf.reshape(C, O, kh * kw)
    for c in range(C):
        for o in range(O):
            s, d = src[o, c], dst[c, o]
            for t in range(T):
                d[t] = s[T - U(1) - t]
    return wf


# --------------------------------------------------------------------- set-up shared by the routes
def geometry(w_shape, stride, padding, dilation) -> Tuple[int, int, int, int, int, int, int, int]:
    """(kh, kw, sh, sw, pt, pl, dh, dw) as Python ints — the geometry arguments of every
    conv kernel, in that order (one compiled signature for all)."""
    return (int(w_shape[2]), int(w_shape[3]), int(stride[0]), int(stride[1]), int(padding[0]),
            int(padding[2]), int(dilation[0]), int(dilation[1]))


def round_up(n: int, block: int) -> int:
    """n rounded up to a whole number of blocks."""
    return -(-n // block) * block


def padded_hw(x_shape, padding) -> Tuple[int, int]:
    """(H + pt + pb, W + pl + pr): the padded image's size for an (N, C, H, W) input."""
    return (int(x_shape[2]) + int(padding[0]) + int(padding[1]),
            int(x_shape[3]) + int(padding[2]) + int(padding[3]))


def buffers(x_shape, padding, rows: int, cols: int, dtype) -> Tuple[np.ndarray, np.ndarray]:
    """Per thread that will have work: one padded image (C, :func:`padded_hw`) and one
    (rows, cols) scratch matrix (the column matrix of im2col)."""
    n, c = int(x_shape[0]), int(x_shape[1])
    threads = max(1, min(get_num_threads(), n))
    pads = np.empty((threads, c) + padded_hw(x_shape, padding), dtype)
    return pads, np.empty((threads, rows, cols), dtype)
