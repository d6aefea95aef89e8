"""The floor of every CUDA kernel at the benchmark shapes: the time it would take if it moved
only the bytes it must and ran its arithmetic at the GPU's peak.

    floor = max(FLOPs / peak_flops, bytes / bandwidth)        H100: 67 TFLOP/s fp32, 3 TB/s

*FLOPs* count the arithmetic of the formula in the kernel's comment (an ``exp``, ``tanh``,
comparison or division counts as one operation; the memory-bound kernels are insensitive to
it). *Bytes* are the fewest any implementation must move through DRAM: every input element
it needs read once and every output element written once (float32 = 4 B, int64 = 8 B); for
col2im, only the column entries that land inside the image. The GEMMs go to cuBLAS (not our
kernels); they are listed for scale and marked ``ours = no``.

    .venv/bin/python -m benchmarks.gpu_floors [--batch 256] [--out benchmarks/GPU.md]

writes ``benchmarks/GPU.md``; :func:`kernel_floors` is what the benchmark uses to print
"% of floor" when a GPU is present, and :func:`gpu_callables` what it times.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

from benchmarks.cases import ACT_SHAPE, CLASSES, CONV_LAYERS, KERNEL, LINEAR_IN, LINEAR_OUT, PAD

H100_FLOPS = 67e12  # fp32, CUDA cores (no tensor cores)
H100_BYTES_PER_S = 3e12  # HBM3
F32, I64 = 4, 8
GPU_BATCH = 256


@dataclass
class Floor:
    """One kernel launch at one shape."""

    key: str  # unique, e.g. "im2col conv2"
    kernel: str  # the __global__ function (or "cuBLAS GEMM")
    source: str  # its .cu file
    shape: str  # the shapes it works on, in words
    flops: float
    bytes: float
    ours: bool = True

    def floor_s(self, peak_flops: float = H100_FLOPS,
                bandwidth: float = H100_BYTES_PER_S) -> float:
        return max(self.flops / peak_flops, self.bytes / bandwidth)

    def bound(self, peak_flops: float = H100_FLOPS, bandwidth: float = H100_BYTES_PER_S) -> str:
        return "compute" if self.flops / peak_flops >= self.bytes / bandwidth else "memory"


def _in_bounds_taps(size: int, out: int) -> int:
    """Σ over kernel taps p of the outputs i whose input row i + p - PAD lies in [0, size)."""
    return sum(1 for p in range(KERNEL) for i in range(out) if 0 <= i + p - PAD < size)


def conv_floors(n: int) -> List[Floor]:
    """im2col, col2im, bias add and bias grad (ours) and the three GEMMs (cuBLAS) per layer."""
    rows: List[Floor] = []
    for index, (c, o, h) in enumerate(CONV_LAYERS):
        layer = f"conv{index + 1}"
        k, length = c * KERNEL * KERNEL, h * h
        x, cols, y, w = n * c * h * h, n * k * length, n * o * length, o * k
        desc = f"x ({n},{c},{h},{h}), cols ({n},{k},{length})"
        taps = n * c * _in_bounds_taps(h, h) ** 2
        gemm = 2.0 * n * o * k * length
        rows += [
            Floor(f"im2col {layer}", "im2col", "conv.cu", desc, 0.0, F32 * (x + cols)),
            Floor(f"gemm fwd {layer}", "cuBLAS GEMM", "-", f"({o},{k}) @ ({n},{k},{length})",
                  gemm, F32 * (w + cols + y), ours=False),
            Floor(f"add_channel_bias {layer}", "add_channel_bias", "conv.cu",
                  f"y ({n},{o},{length})", float(y), F32 * (2 * y + o)),
            Floor(f"gemm dinput {layer}", "cuBLAS GEMM", "-",
                  f"({k},{o}) @ ({n},{o},{length})", gemm, F32 * (w + y + cols), ours=False),
            Floor(f"col2im {layer}", "col2im", "conv.cu", desc, float(taps - x),
                  F32 * (taps + x)),
            Floor(f"gemm dweight {layer}", "cuBLAS GEMM", "-",
                  f"Σ_n ({o},{length}) @ ({length},{k})", gemm, F32 * (y + cols + w), ours=False),
            Floor(f"channel_sum {layer}", "channel_sum", "reduction.cu",
                  f"gy ({n},{o},{length}) -> ({o},)", float(y), F32 * (y + o)),
        ]
    return rows


def pool_floors(n: int) -> List[Floor]:
    c, h, _ = ACT_SHAPE
    x, y = n * c * h * h, n * c * (h // 2) ** 2
    desc = f"x ({n},{c},{h},{h}), 2x2 stride 2"
    return [
        Floor("max_pool2d_forward", "max_pool2d_forward", "pool.cu", desc, 3.0 * y,
              F32 * x + (F32 + I64) * y),
        Floor("max_pool2d_backward", "max_pool2d_backward", "pool.cu",
              desc + " (gx zero-filled)", float(y), (F32 + I64) * y + F32 * x),
        Floor("avg_pool2d_forward", "avg_pool2d_forward", "pool.cu", desc, 4.0 * y,
              F32 * (x + y)),
        Floor("avg_pool2d_backward", "avg_pool2d_backward", "pool.cu", desc, float(x),
              F32 * (x + y)),
    ]


# (kernel, FLOPs per element, arrays read, arrays written)
_ELEMENTWISE = (("relu_forward", 1, 1, 1), ("relu_backward", 1, 2, 1),
                ("tanh_forward", 1, 1, 1), ("tanh_backward", 3, 2, 1),
                ("sigmoid_forward", 3, 1, 1), ("sigmoid_backward", 3, 2, 1))


def activation_floors(n: int) -> List[Floor]:
    size = n * ACT_SHAPE[0] * ACT_SHAPE[1] * ACT_SHAPE[2]
    desc = f"({n},{','.join(map(str, ACT_SHAPE))})"
    return [Floor(name, name, "activation.cu", desc, float(f * size), F32 * (r + w) * size)
            for name, f, r, w in _ELEMENTWISE]


def linear_floors(n: int) -> List[Floor]:
    i, o = LINEAR_IN, LINEAR_OUT
    gemm = 2.0 * n * i * o
    return [
        Floor("gemm linear fwd", "cuBLAS GEMM", "-", f"({n},{i}) @ ({i},{o})", gemm,
              F32 * (n * i + i * o + n * o), ours=False),
        Floor("add_channel_bias linear", "add_channel_bias", "conv.cu", f"y ({n},{o})",
              float(n * o), F32 * (2 * n * o + o)),
        Floor("gemm linear bwd", "cuBLAS GEMM", "-", f"gx, gw of ({n},{o})x({o},{i})",
              2 * gemm, F32 * 2 * (n * o + n * i + i * o), ours=False),
        Floor("channel_sum linear", "channel_sum", "reduction.cu", f"gy ({n},{o}) -> ({o},)",
              float(n * o), F32 * (n * o + o)),
    ]


def softmax_floors(n: int) -> List[Floor]:
    c = CLASSES
    nc = n * c
    desc = f"({n},{c}), dim 1"
    return [
        Floor("softmax_forward", "softmax_forward", "softmax.cu", desc, 4.0 * nc, F32 * 2 * nc),
        Floor("softmax_backward", "softmax_backward", "softmax.cu", desc, 4.0 * nc,
              F32 * 3 * nc),
        Floor("log_softmax_forward", "log_softmax_forward", "softmax.cu", desc, 4.0 * nc,
              F32 * 2 * nc),
        Floor("log_softmax_backward", "log_softmax_backward", "softmax.cu", desc, 3.0 * nc,
              F32 * 3 * nc),
        Floor("cross_entropy_forward", "cross_entropy_forward", "softmax.cu",
              f"logits ({n},{c}), no class weights", 6.0 * nc,
              F32 * (2 * nc + n + c) + I64 * n),
        Floor("cross_entropy_backward", "cross_entropy_backward", "softmax.cu",
              f"logp ({n},{c}), no class weights", 5.0 * nc,
              F32 * (2 * nc + n + c) + I64 * n),
    ]


def kernel_floors(batch: int = GPU_BATCH) -> List[Floor]:
    """Every CUDA kernel launch of the benchmark (and the cuBLAS GEMMs) at ``batch``."""
    return (conv_floors(batch) + pool_floors(batch) + activation_floors(batch)
            + linear_floors(batch) + softmax_floors(batch))


# --------------------------------------------------------------------------- timing on a GPU
def gpu_callables(backend: Any, batch: int = GPU_BATCH) -> Dict[str, Callable[[], object]]:
    """For each :func:`kernel_floors` key, a callable that launches just that kernel (or GEMM)
    on the GPU through ``backend`` (a CudaBackend on CuPy). Data is random, made once."""
    import numpy as np

    from minitorch.backends.cuda.backend import _i32, _i64

    xp = backend.xp
    rng = np.random.default_rng(11)

    def arr(*shape: int) -> Any:
        return xp.asarray(rng.standard_normal(shape).astype(np.float32))

    fns: Dict[str, Callable[[], object]] = {}
    n, s1, pad4, k2 = batch, (1, 1), (PAD,) * 4, (KERNEL, KERNEL)
    for index, (c, o, h) in enumerate(CONV_LAYERS):
        layer, k, length = f"conv{index + 1}", c * KERNEL * KERNEL, h * h
        x, w, b, gy = arr(n, c, h, h), arr(o, c, KERNEL, KERNEL), arr(o), arr(n, o, h, h)
        cols, y = backend._im2col(x, k2, s1, pad4, s1, (h, h)), arr(n, o, h, h)
        geometry = backend._conv_geometry(x.shape, k2, s1, pad4, s1, (h, h))
        w_t = w.reshape(1, 1, o, k).transpose(0, 1, 3, 2)
        gx = xp.empty_like(x)
        fns.update({
            f"im2col {layer}": lambda x=x, h=h: backend._im2col(x, k2, s1, pad4, s1, (h, h)),
            f"gemm fwd {layer}": lambda w=w, cols=cols, o=o, k=k, length=length: xp.matmul(
                w.reshape(1, 1, o, k), cols.reshape(n, 1, k, length)),
            f"add_channel_bias {layer}": lambda y=y, b=b, o=o, length=length:
                backend._add_channel_bias(y, b, n, o, length),
            f"gemm dinput {layer}": lambda w_t=w_t, gy=gy, o=o, length=length: xp.matmul(
                w_t, gy.reshape(n, 1, o, length)),
            f"col2im {layer}": lambda cols=cols, gx=gx, geometry=geometry: backend._launch_1d(
                "col2im", gx.dtype, gx.size, cols, gx, *geometry),
            f"gemm dweight {layer}": lambda gy=gy, cols=cols, o=o, k=k, length=length: xp.matmul(
                gy.reshape(n, 1, o, length),
                cols.reshape(n, 1, k, length).transpose(0, 1, 3, 2)).sum(axis=0),
            f"channel_sum {layer}": lambda gy=gy, o=o, length=length:
                backend._channel_sum(gy, n, o, length),
        })
    c, h, _ = ACT_SHAPE
    x, gyp = arr(n, c, h, h), arr(n, c, h // 2, h // 2)
    _, idx = backend.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0), (1, 1), (h // 2, h // 2))
    half = (h // 2, h // 2)
    fns.update({
        "max_pool2d_forward": lambda: backend.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0),
                                                                 (1, 1), half),
        "max_pool2d_backward": lambda: backend.max_pool2d_backward(gyp, idx, x.shape),
        "avg_pool2d_forward": lambda: backend.avg_pool2d_forward(x, (2, 2), (2, 2), (0, 0),
                                                                 half, True, None),
        "avg_pool2d_backward": lambda: backend.avg_pool2d_backward(gyp, x.shape, (2, 2), (2, 2),
                                                                   (0, 0), True, None),
    })
    a, ga = arr(n, *ACT_SHAPE), arr(n, *ACT_SHAPE)
    for name, *_ in _ELEMENTWISE:
        method = getattr(backend, name)
        fns[name] = (lambda m=method: m(a)) if name.endswith("forward") else (
            lambda m=method: m(ga, a))
    xl, wl, bl, gl = arr(n, LINEAR_IN), arr(LINEAR_OUT, LINEAR_IN), arr(LINEAR_OUT), arr(
        n, LINEAR_OUT)
    yl = arr(n, LINEAR_OUT)
    fns.update({
        "gemm linear fwd": lambda: xp.matmul(xl, wl.T),
        "add_channel_bias linear": lambda: backend._add_channel_bias(yl, bl, n, LINEAR_OUT, 1),
        "gemm linear bwd": lambda: (xp.matmul(gl, wl), xp.matmul(gl.T, xl)),
        "channel_sum linear": lambda: backend._channel_sum(gl, n, LINEAR_OUT, 1),
    })
    z, gz = arr(n, CLASSES), arr(n, CLASSES)
    target = xp.asarray(rng.integers(0, CLASSES, n).astype(np.int64))
    ones, loss, out = xp.ones((CLASSES,), xp.float32), xp.empty((n,), xp.float32), xp.empty_like(z)
    gloss = xp.full((n,), 1.0 / n, xp.float32)
    ce = (_i32(n), _i32(CLASSES), _i64(-100), np.float32(0.0))
    fns.update({
        "softmax_forward": lambda: backend.softmax_forward(z, 1),
        "softmax_backward": lambda: backend.softmax_backward(gz, z, 1),
        "log_softmax_forward": lambda: backend.log_softmax_forward(z, 1),
        "log_softmax_backward": lambda: backend.log_softmax_backward(gz, z, 1),
        "cross_entropy_forward": lambda: backend._launch_1d(
            "cross_entropy_forward", z.dtype, n, z, target, ones, loss, out, *ce),
        "cross_entropy_backward": lambda: backend._launch_1d(
            "cross_entropy_backward", z.dtype, n, gloss, z, target, ones, out, *ce),
    })
    return fns


# --------------------------------------------------------------------------- GPU.md
def _fmt_time(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3f} ms"
    return f"{seconds * 1e6:.2f} µs"


def _fmt_count(value: float) -> str:
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= scale:
            return f"{value / scale:.2f} {unit}"
    return f"{value:.0f}"


def markdown(batch: int = GPU_BATCH, measured: Optional[Dict[str, float]] = None) -> str:
    """GPU.md: the floor table (and measured times, when given, in seconds by key)."""
    measured = measured or {}
    lines = [
        "# CUDA kernels: floors at the benchmark shapes",
        "",
        f"Generated by `python -m benchmarks.gpu_floors --batch {batch}` — do not edit by hand.",
        "",
        "The conv and linear rows below are the im2col route (`CudaBackend(conv=\"im2col\")`: "
        "a column matrix in global memory and cuBLAS GEMMs; the linear layers' GEMMs, bias "
        "add and channel sum). The default route, implicit GEMM — the linear layers as 1 × 1 "
        "convolutions on the same kernels — is modelled kernel by kernel in the last section "
        "(`python -m benchmarks.gpu_model`).",
        "",
        f"Batch {batch}, float32. Floor = max(FLOPs / {H100_FLOPS / 1e12:.0f} TFLOP/s, "
        f"bytes / {H100_BYTES_PER_S / 1e12:.0f} TB/s) — an H100's fp32 peak without tensor "
        "cores and its HBM3 bandwidth. FLOPs: the arithmetic of the formula in the kernel's "
        "comment (exp, tanh, a comparison or a division count as one). Bytes: the fewest any "
        "implementation must move — each needed input element read once, each output element "
        "written once (float32 4 B, int64 8 B). `ours = no`: a cuBLAS GEMM, listed for scale.",
        "",
        "A floor below a few µs is below the cost of a kernel launch itself (~2-5 µs): such "
        "kernels (bias and loss kernels on (N, 10)) cannot come within 3× of it; the benchmark "
        "still reports them.",
        "",
        "| kernel launch | source | shapes | FLOPs | bytes | bound | floor (H100) | measured |",
        "|---|---|---|---:|---:|---|---:|---:|",
    ]
    for row in kernel_floors(batch):
        name = row.key if row.ours else f"{row.key} (cuBLAS)"
        got = measured.get(row.key)
        seen = "— (no GPU run yet)" if got is None else (
            f"{_fmt_time(got)} ({got / row.floor_s():.1f}× floor)")
        lines.append(f"| {name} | {row.source} | {row.shape} | {_fmt_count(row.flops)} | "
                     f"{_fmt_count(row.bytes)}B | {row.bound()} | {_fmt_time(row.floor_s())} | "
                     f"{seen} |")
    ours = [r for r in kernel_floors(batch) if r.ours]
    lines += ["", f"Sum of the floors of our kernels: {_fmt_time(sum(r.floor_s() for r in ours))}"
              f"; of the cuBLAS GEMMs: "
              f"{_fmt_time(sum(r.floor_s() for r in kernel_floors(batch) if not r.ours))}.", ""]
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=GPU_BATCH)
    parser.add_argument("--out", default=str(Path(__file__).with_name("GPU.md")))
    args = parser.parse_args(argv)
    from benchmarks.gpu_resources import MARKER  # keep the section that script maintains

    out = Path(args.out)
    kept = out.read_text(encoding="utf-8").partition(MARKER) if out.exists() else ("", "", "")
    out.write_text(markdown(args.batch) + ("\n" + kept[1] + kept[2] if kept[1] else ""),
                   encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
