"""Where the Numba convolution's time goes: our copies (im2col / col2im) versus BLAS.

Passes that the backend sends to its direct kernel (no column matrix, no BLAS) are reported
as such, with their total time only: all of it is our kernel.

The Numba backend's conv kernels (``minitorch/backends/numba/im2col.py``) run one parallel loop:
thread t takes images t, t+T, ... and, per image, builds its column matrix with the module's
own ``pad_image`` + ``im2col_image`` (or scatters it back with ``col2im_image``) and calls
``gemm_into`` (single-threaded ``cblas_sgemm``) on it. Both halves are exported Numba
functions, so this module rebuilds the *same* loop twice — once with only the copies, once
with only the GEMMs (on a column buffer filled once beforehand) — and times the three loops
interleaved. That is a measurement of each part, not an estimate; their sum differs from the
full kernel only by cache effects (in the full kernel the GEMM reads columns im2col has just
left in L2).

If the backend stops exporting those functions, :data:`AVAILABLE` is False and the report
falls back to an *estimate*: one ``numpy.matmul`` with the same FLOPs at the same thread
count, labelled as such.
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple

import numba
import numpy as np
from numba import njit, prange

try:
    from minitorch.backends.numba.gemm import gemm_into
    from minitorch.backends.numba.im2col import col2im_image, im2col_image, pad_image
    from minitorch.backends.numba.threads import blas_threads

    AVAILABLE = True
except ImportError:  # the Numba kernels no longer export these pieces: estimate instead
    AVAILABLE = False

from benchmarks.cases import CONV_LAYERS, KERNEL, PAD, conv_flops
from benchmarks.timing import CpuClock, Fn, time_interleaved

if AVAILABLE:
    @njit(cache=True, parallel=True)
    def _copies_im2col(x, kh, kw, pt, pl, ho, wo, pads, cols):  # pragma: no cover
        """The forward / weight-grad kernels without their GEMMs: pad + im2col per image."""
        N = x.shape[0]
        T = cols.shape[0]
        for t in prange(T):
            for n in range(t, N, T):
                pad_image(x[n], pt, pl, pads[t])
                im2col_image(pads[t], kh, kw, 1, 1, 1, 1, ho, wo, cols[t])

    @njit(cache=True, parallel=True)
    def _copies_col2im(gx, kh, kw, pt, pl, ho, wo, pads, cols):  # pragma: no cover
        """The input-grad kernel without its GEMMs: col2im per image (columns given)."""
        N = gx.shape[0]
        T = cols.shape[0]
        for t in prange(T):
            for n in range(t, N, T):
                col2im_image(cols[t], kh, kw, 1, 1, pt, pl, 1, 1, ho, wo, pads[t], gx[n])

    @njit(cache=True, parallel=True)
    def _gemms(kind, addr, w2, gy3, cols, out):  # pragma: no cover
        """The three kernels' GEMMs alone, per image, on fixed column buffers:
        kind 0: y[n] = w @ cols (forward, accumulating onto a preloaded bias);
        kind 1: cols = wᵀ @ gy[n] (input grad, w2 given transposed);
        kind 2: acc[t] += cols @ gy[n]ᵀ (weight grad, transposed, as the kernel computes it)."""
        N = gy3.shape[0]
        T = cols.shape[0]
        for t in prange(T):
            for n in range(t, N, T):
                if kind == 0:
                    gemm_into(addr, False, False, w2, cols[t], 1.0, out[n])
                elif kind == 1:
                    gemm_into(addr, False, False, w2, gy3[n], 0.0, cols[t])
                else:
                    gemm_into(addr, False, True, cols[t], gy3[n], 1.0, out[t])


def _parts(layer: int, pass_: str, batch: int, backend: object) -> Dict[str, Fn]:
    """Callables for the full kernel, its copies and its GEMMs (layer ``layer``)."""
    c, o, h = CONV_LAYERS[layer]
    rng = np.random.default_rng([8, layer, batch])
    x = rng.standard_normal((batch, c, h, h)).astype(np.float32)
    w = (rng.standard_normal((o, c, KERNEL, KERNEL)) * 0.1).astype(np.float32)
    gy = rng.standard_normal((batch, o, h, h)).astype(np.float32)
    k, length = c * KERNEL * KERNEL, h * h
    threads = max(1, min(numba.get_num_threads(), batch))
    pads = np.zeros((threads, c, h + 2 * PAD, h + 2 * PAD), np.float32)
    cols = rng.standard_normal((threads, k, length)).astype(np.float32)
    addr = backend._addr(np.float32)  # type: ignore[attr-defined]
    w2, gy3 = w.reshape(o, k), gy.reshape(batch, o, length)

    def gemm(kind: int, w_: np.ndarray, out: np.ndarray) -> Fn:
        def run() -> None:
            with blas_threads(1):
                _gemms(kind, addr, w_, gy3, cols, out)
        return run

    total = _parts_total_only(layer, pass_, batch, backend)
    if pass_ == "fwd":
        y = np.zeros((batch, o, length), np.float32)
        return {"total": total,
                "copies": lambda: _copies_im2col(x, KERNEL, KERNEL, PAD, PAD, h, h, pads, cols),
                "gemm": gemm(0, w2, y)}
    if pass_ == "dinput":
        gx = np.empty_like(x)
        return {"total": total,
                "copies": lambda: _copies_col2im(gx, KERNEL, KERNEL, PAD, PAD, h, h, pads, cols),
                "gemm": gemm(1, np.ascontiguousarray(w2.T), cols)}
    acc = np.zeros((threads, k, o), np.float32)
    return {"total": total,
            "copies": lambda: _copies_im2col(x, KERNEL, KERNEL, PAD, PAD, h, h, pads, cols),
            "gemm": gemm(2, w2, acc)}


def _estimate_gemm(layer: int, batch: int) -> Fn:
    """One BLAS call with the pass's FLOPs: (O, K) @ (K, N·L) at the current thread count."""
    c, o, h = CONV_LAYERS[layer]
    rng = np.random.default_rng([9, layer, batch])
    a = rng.standard_normal((o, c * KERNEL * KERNEL)).astype(np.float32)
    bm = rng.standard_normal((c * KERNEL * KERNEL, batch * h * h)).astype(np.float32)
    return lambda: a @ bm


def route(layer: int, pass_: str) -> str:
    """Which kernel the Numba backend runs for this float32 pass: ``"direct"`` (the
    im2col-free kernel of ``backends/numba/direct.py``: no BLAS at all), ``"fused"`` (a
    scattered input grad whose products and col2im run as one pass of our panel kernel:
    no column matrix, no BLAS either) or ``"im2col"`` (the column matrix and BLAS; col2im
    for a scattered input grad)."""
    from minitorch.backends.numba import routes
    from minitorch.backends.numba.gemm import blas_gemm_address
    from minitorch.backends.numba.im2col import fused_scatter

    c, o, h = CONV_LAYERS[layer]
    route = routes((1, c, h, h), (o, c, KERNEL, KERNEL), 1, PAD)
    taken = route[{"fwd": "forward", "dinput": "input", "dweight": "weight"}[pass_]]
    if taken == "col2im" and fused_scatter(np.dtype(np.float32), h, 1,
                                           blas_gemm_address(np.dtype(np.float32))):
        return "fused"
    return "direct" if taken.startswith("direct") else "im2col"


def conv_split(layer: int, pass_: str, batch: int, repeats: int,
               warmup: int) -> Dict[str, Optional[float]]:
    """Median seconds of the full Numba conv pass, of its copies and of its GEMMs; the study
    kernel (pure-Numba tiled GEMM) in the same pass; and which of these are estimates.
    A pass that runs the direct (or fused) kernel has no copies/GEMM parts to take apart: its
    total is timed beside the same pass forced onto the im2col route
    (``NumbaBackend(conv="im2col")``, key ``"im2col"``), and the study kernel runs in that
    im2col route."""
    from minitorch.backends import get_backend
    from minitorch.backends.numba import NumbaBackend

    backend = get_backend("numba")
    study = NumbaBackend(gemm="numba", conv="im2col")
    fns: Dict[str, Fn]
    if route(layer, pass_) in ("direct", "fused"):
        fns = {"total": _parts_total_only(layer, pass_, batch, backend),
               "im2col": _parts_total_only(layer, pass_, batch, NumbaBackend(conv="im2col")),
               "tiled": _parts_total_only(layer, pass_, batch, study)}
        timings = time_interleaved(fns, {k: CpuClock() for k in fns}, repeats, warmup)
        result: Dict[str, Optional[float]] = {k: t.median for k, t in timings.items()}
        result.update(copies=None, gemm=None, measured=1.0,
                      flops=conv_flops(batch, *CONV_LAYERS[layer]))
        return result
    if AVAILABLE:
        fns = _parts(layer, pass_, batch, backend)
    else:
        full = _parts_total_only(layer, pass_, batch, backend)
        fns = {"total": full, "gemm": _estimate_gemm(layer, batch)}
    fns["tiled"] = _parts_total_only(layer, pass_, batch, study)
    timings = time_interleaved(fns, {k: CpuClock() for k in fns}, repeats, warmup)
    out: Dict[str, Optional[float]] = {k: t.median for k, t in timings.items()}
    out.setdefault("copies", None)
    out["flops"] = conv_flops(batch, *CONV_LAYERS[layer])
    out["measured"] = 1.0 if AVAILABLE else 0.0
    return out


def _parts_total_only(layer: int, pass_: str, batch: int, backend: object) -> Fn:
    """The full conv pass of ``backend`` (any Numba backend instance)."""
    c, o, h = CONV_LAYERS[layer]
    rng = np.random.default_rng([8, layer, batch])
    x = rng.standard_normal((batch, c, h, h)).astype(np.float32)
    w = (rng.standard_normal((o, c, KERNEL, KERNEL)) * 0.1).astype(np.float32)
    gy = rng.standard_normal((batch, o, h, h)).astype(np.float32)
    b = np.zeros(o, np.float32)
    s1, pad4 = (1, 1), (PAD,) * 4
    k = backend
    if pass_ == "fwd":
        return lambda: k.conv2d_forward(x, w, b, s1, pad4, s1, 1, (h, h))  # type: ignore
    if pass_ == "dinput":
        return lambda: k.conv2d_backward_input(gy, w, x.shape, s1, pad4, s1, 1)  # type: ignore
    return lambda: k.conv2d_backward_weight(gy, x, w.shape, s1, pad4, s1, 1)  # type: ignore


def raw_gemm(n: int, repeats: int, warmup: int) -> Tuple[float, float]:
    """Median seconds of an (n × n) float32 product: NumPy's BLAS vs the tiled Numba GEMM
    (``gemm_tiled``, parallel over row stripes), same thread count."""
    from minitorch.backends.numba.gemm import gemm_tiled

    rng = np.random.default_rng(10)
    a, b = (rng.standard_normal((n, n)).astype(np.float32) for _ in range(2))
    out = np.empty((n, n), np.float32)
    fns: Dict[str, Fn] = {"blas": lambda: np.matmul(a, b, out=out),
                          "tiled": lambda: gemm_tiled(a, b, out)}
    t = time_interleaved(fns, {k: CpuClock() for k in fns}, repeats, warmup)
    return t["blas"].median, t["tiled"].median
