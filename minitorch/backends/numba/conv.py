"""conv2d on the Numba backend: the router. Every pass goes to exactly one route, chosen here
and nowhere else; each route is a module of its own with the same entry-point signatures.

Notation (as in :mod:`minitorch.backends.base`): x is (N, C, H, W), w is (O, Cg, kH, kW) with
Cg = C / groups; the output is (N, O, Ho, Wo); sw is the width stride; every padding p of
(top, bottom, left, right) is compared with the reach d·(k − 1) of the kernel along its axis.

================  =========================================================  ================
pass              condition (every part must hold; first matching row wins)  route
================  =========================================================  ================
forward           float · groups = 1 · sw = 1 · Wo % 8 = 0                  ``direct``
forward           otherwise                                                  ``im2col``
input grad        *gather*: stride (1, 1) · groups = 1 · Cg ≥ 16 ·           ``direct-flipped``
                  every padding ≤ d·(k − 1) — and float · W % 8 = 0
input grad        *gather* (as above) and O ≤ Cg                              ``im2col-flipped``
input grad        otherwise                                                  ``col2im``
weight grad       float · groups = 1                                         ``direct``
weight grad       otherwise                                                  ``im2col``
bias grad         always                                                     ``sum``
================  =========================================================  ================

``NumbaBackend(conv="im2col")`` turns the ``direct*`` rows off (everything then takes im2col +
GEMM, to compare the two routes). What each route runs:

* ``direct`` — :mod:`minitorch.backends.numba.direct` (``forward``, ``backward_weight``): reads
  the padded image directly, register-blocked SIMD sums (float = float32 or float64), no
  BLAS. The forward needs
  8 | Wo so that a register block of eight output pixels never crosses a row (its vectors
  run along the output channels: one vector width for every layer).
* ``im2col`` — :mod:`minitorch.backends.numba.im2col` (``forward``, ``backward_weight``): a
  column matrix per image, then a single-threaded GEMM per image; any dtype and geometry.
* ``col2im`` — :func:`minitorch.backends.numba.im2col.backward_input`: gcols = wᵀ @ gy[n],
  then col2im scatters every column back onto the pixels it came from (in float32/float64
  the products on the panel kernel where the pixels fit its panels, fused with the scatter
  when the width stride is 1: no column matrix).
* ``direct-flipped`` / ``im2col-flipped`` — the *gather*: the input gradient of a stride-1,
  one-group convolution is itself a forward convolution, of gy padded by d·(k − 1) − p on each
  side, with the kernel flipped in space and its in/out channels swapped
  (:func:`flipped_convolution`):

      gx[n, c, h, w] = Σ_{o,p,q} gy_pad[n, o, h + p·dh, w + q·dw] · w[o, c, kH−1−p, kW−1−q]

  so it runs on the ``forward`` of the direct or of the im2col route instead of col2im's
  read-modify-write scatter. Few input channels (Cg < 16) make the scatter the faster one;
  the im2col gather also needs O ≤ Cg (the flipped GEMM's rows are the Cg channels).
* ``sum`` — :mod:`minitorch.backends.numba.bias`: gb[o] = Σ_{n,i,j} gy[n, o, i, j].

The route a pass takes is not hidden: :func:`routes` answers for any shapes without running
anything, :func:`last_routes` tells which route each pass took last, and every call logs
``conv2d <pass>: <route>`` at DEBUG level on the ``minitorch.backends.numba.conv`` logger.
(Timings of every route on the seed CNN: ``benchmarks/README.md``.)
"""

from __future__ import annotations

import logging
from typing import Dict, Optional, Tuple

import numpy as np

from minitorch.backends.base import Pair, Quad
from minitorch.backends.numba import bias, direct, im2col
from minitorch.backends.numba.copies import flip_swap

log = logging.getLogger(__name__)

#: Every route each pass can take (the table above).
ROUTES: Dict[str, Tuple[str, ...]] = {
    "forward": ("direct", "im2col"),
    "input": ("direct-flipped", "im2col-flipped", "col2im"),
    "weight": ("direct", "im2col"),
    "bias": ("sum",),
}

GATHER_MIN_CHANNELS = 16  # below this many input channels the col2im scatter is faster

_last: Dict[str, str] = {}


# --------------------------------------------------------------------------- the route predicates
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def direct_forward_applies(dtype, stride: Pair, groups: int, out_w: int) -> bool:
    """Row 1 of the table: float32 or float64, one group, stride 1 along the width and an
    output width that is a multiple of 8 (a block of 8 output pixels never crosses a row)."""
    return (np.dtype(dtype) in _FLOATS and int(groups) == 1 and int(stride[1]) == 1
            and int(out_w) > 0 and int(out_w) % 8 == 0)


def direct_weight_applies(dtype, groups: int) -> bool:
    """The weight grad's direct row: float32 or float64 and one group (any stride, padding,
    dilation)."""
    return np.dtype(dtype) in _FLOATS and int(groups) == 1


def gather_applies(w_shape: Tuple[int, ...], stride: Pair, padding: Quad, dilation: Pair,
                   groups: int) -> bool:
    """The *gather* condition of the input-grad rows: stride 1, one group, at least
    ``GATHER_MIN_CHANNELS`` input channels and every padding at most d·(k − 1) (so the
    flipped convolution's padding is not negative)."""
    O, Cg, kh, kw = (int(s) for s in w_shape)
    reach = (int(dilation[0]) * (kh - 1),) * 2 + (int(dilation[1]) * (kw - 1),) * 2
    return (tuple(int(s) for s in stride) == (1, 1) and int(groups) == 1
            and Cg >= GATHER_MIN_CHANNELS and all(int(p) <= r for p, r in zip(padding, reach)))


# --------------------------------------------------------------------------- choosing a route
def forward_route(dtype, stride: Pair, groups: int, out_w: int, use_direct: bool = True) -> str:
    """The forward rows of the table."""
    if use_direct and direct_forward_applies(dtype, stride, groups, out_w):
        return "direct"
    return "im2col"


def input_route(dtype, w_shape: Tuple[int, ...], stride: Pair, padding: Quad, dilation: Pair,
                groups: int, in_w: int, use_direct: bool = True) -> str:
    """The input-grad rows of the table."""
    if gather_applies(w_shape, stride, padding, dilation, groups):
        if forward_route(dtype, (1, 1), 1, in_w, use_direct) == "direct":
            return "direct-flipped"
        if int(w_shape[0]) <= int(w_shape[1]):
            return "im2col-flipped"
    return "col2im"


def weight_route(dtype, groups: int, use_direct: bool = True) -> str:
    """The weight-grad rows of the table."""
    return "direct" if use_direct and direct_weight_applies(dtype, groups) else "im2col"


def routes(x_shape: Tuple[int, ...], w_shape: Tuple[int, ...], stride: Pair, padding: Quad,
           dilation: Pair, groups: int, out_hw: Pair, dtype,
           use_direct: bool = True) -> Dict[str, str]:
    """The route every pass of this convolution takes, as the backend's arguments give it
    (``padding`` as (top, bottom, left, right)); nothing runs. See
    :func:`minitorch.backends.numba.routes` for the same question asked with ``conv2d``'s
    arguments."""
    return {"forward": forward_route(dtype, stride, groups, out_hw[1], use_direct),
            "input": input_route(dtype, w_shape, stride, padding, dilation, groups,
                                 x_shape[3], use_direct),
            "weight": weight_route(dtype, groups, use_direct),
            "bias": "sum"}


def last_routes() -> Dict[str, str]:
    """The route each pass took the last time it ran (a pass that has not run is absent)."""
    return dict(_last)


def _took(pass_: str, route: str, shape: Tuple[int, ...]) -> str:
    _last[pass_] = route
    log.debug("conv2d %s: %s (shape %s)", pass_, route, tuple(shape))
    return route


# --------------------------------------------------------------------------- the passes
def flipped_convolution(w: np.ndarray, padding: Quad, dilation: Pair) -> Tuple[np.ndarray, Quad]:
    """The forward convolution whose output is the input gradient (stride 1, one group):
    w'[c, o, p, q] = w[o, c, kH−1−p, kW−1−q] and padding d·(k − 1) − p on every side."""
    kh, kw = int(w.shape[2]), int(w.shape[3])
    dh, dw = int(dilation[0]), int(dilation[1])
    flipped = flip_swap(np.ascontiguousarray(w))
    pad = (dh * (kh - 1) - int(padding[0]), dh * (kh - 1) - int(padding[1]),
           dw * (kw - 1) - int(padding[2]), dw * (kw - 1) - int(padding[3]))
    return flipped, pad


def conv2d_forward(x: np.ndarray, w: np.ndarray, b: Optional[np.ndarray], stride: Pair,
                   padding: Quad, dilation: Pair, groups: int, out_hw: Pair, gemm_addr: int,
                   use_direct: bool = True) -> np.ndarray:
    """y = conv2d(x, w) + b by the forward route of the table."""
    route = _took("forward", forward_route(x.dtype, stride, groups, out_hw[1], use_direct),
                  x.shape)
    module = direct if route == "direct" else im2col
    return module.forward(x, w, b, stride, padding, dilation, groups, out_hw, gemm_addr)


def conv2d_backward_input(gy: np.ndarray, w: np.ndarray, x_shape: Tuple[int, ...],
                          stride: Pair, padding: Quad, dilation: Pair, groups: int,
                          gemm_addr: int, use_direct: bool = True) -> np.ndarray:
    """gx = ∂L/∂x by the input-grad route of the table. Returns (N, C, H, W)."""
    route = _took("input", input_route(gy.dtype, w.shape, stride, padding, dilation, groups,
                                       x_shape[3], use_direct), gy.shape)
    if route == "col2im":
        return im2col.backward_input(gy, w, x_shape, stride, padding, dilation, groups,
                                     gemm_addr, own_gemm=use_direct)
    flipped, pad = flipped_convolution(w, padding, dilation)
    module = direct if route == "direct-flipped" else im2col
    return module.forward(gy, flipped, None, (1, 1), pad, dilation, 1,
                          (int(x_shape[2]), int(x_shape[3])), gemm_addr)


def conv2d_backward_weight(gy: np.ndarray, x: np.ndarray, w_shape: Tuple[int, ...],
                           stride: Pair, padding: Quad, dilation: Pair, groups: int,
                           gemm_addr: int, use_direct: bool = True) -> np.ndarray:
    """gw = ∂L/∂w by the weight-grad route of the table. Returns w_shape."""
    route = _took("weight", weight_route(gy.dtype, groups, use_direct), gy.shape)
    module = direct if route == "direct" else im2col
    return module.backward_weight(gy, x, w_shape, stride, padding, dilation, groups, gemm_addr)


def conv2d_backward_bias(gy: np.ndarray) -> np.ndarray:
    """gb[o] = Σ_{n,i,j} gy[n, o, i, j] (the one bias route)."""
    _took("bias", "sum", gy.shape)
    return bias.backward_bias(gy)
