"""Exhaustive accuracy of the Numba backend's float32 tanh and sigmoid (and torch's, for
comparison): every finite float32 input (or every ``--stride``-th bit pattern), each result's
distance from the float64 value in units of the last place of the float32 result:

* *exact*: |ours − f(x)| / ulp(f(x)), f(x) in float64 (its own error, 2⁻⁵³ relative, is
  negligible at float32's scale);
* *rounded*: |ours − fl(f(x))| / ulp(fl(f(x))), fl the rounding to float32 — the measure of
  ``tests/backends/test_vmath.py``, which holds a grid of inputs to it.

Results below the smallest normal float32 are left out (as in the tests; torch flushes them).
Usage (a deep run: minutes per function at 2 threads, not part of ``make test``)::

    python -m benchmarks.ulp                       # tanh and sigmoid, minitorch
    python -m benchmarks.ulp --op tanh --torch     # torch's tanh instead
    python -m benchmarks.ulp --stride 97           # every 97th bit pattern: seconds
"""

from __future__ import annotations

import argparse
import math
import time
from typing import Callable, Dict, Tuple

import numpy as np
from numba import njit, prange

CHUNK = 1 << 24  # bit patterns per call
TINY = float(np.finfo(np.float32).tiny)


@njit(inline="always")
def _reference(op: int, x: float) -> float:  # pragma: no cover
    """tanh (op 0) or the logistic sigmoid (op 1) of x in float64."""
    if op == 0:
        return math.tanh(x)
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


@njit(inline="always")
def _ulp32(v: float) -> float:  # pragma: no cover
    """The spacing of float32 numbers at |v| (a normal v)."""
    return math.ldexp(1.0, math.frexp(abs(v))[1] - 24)


@njit(parallel=True, cache=True)
def _errors(op, x, y):  # pragma: no cover
    """Per block of 4096 inputs: (max error vs exact, its input, max error vs rounded)."""
    blocks = (x.size + 4095) // 4096
    worst, where, rounded = np.zeros(blocks), np.zeros(blocks), np.zeros(blocks)
    for b in prange(blocks):
        w, at, r = 0.0, 0.0, 0.0
        for i in range(b * 4096, min(x.size, (b + 1) * 4096)):
            exact = _reference(op, np.float64(x[i]))
            if not abs(exact) >= TINY:  # subnormal results, and NaN
                continue
            e = abs(np.float64(y[i]) - exact) / _ulp32(exact)
            if e > w:
                w, at = e, x[i]
            near = np.float64(np.float32(exact))
            r = max(r, abs(np.float64(y[i]) - near) / _ulp32(near))
        worst[b], where[b], rounded[b] = w, at, r
    return worst, where, rounded


def _functions(use_torch: bool) -> Dict[str, Callable[[np.ndarray], np.ndarray]]:
    if use_torch:
        import torch

        return {name: (lambda x, f=f: f(torch.from_numpy(x)).numpy())
                for name, f in (("tanh", torch.tanh), ("sigmoid", torch.sigmoid))}
    from minitorch.backends.numba import activation

    return {"tanh": activation.tanh_forward, "sigmoid": activation.sigmoid_forward}


def sweep(name: str, fn: Callable[[np.ndarray], np.ndarray],
          stride: int = 1) -> Tuple[float, float, float]:
    """(max ulp vs exact, the input where, max ulp vs rounded) over every ``stride``-th
    finite float32 bit pattern, both signs."""
    op = ("tanh", "sigmoid").index(name)
    top = int(np.float32(np.inf).view(np.uint32))
    worst, where, rounded = 0.0, 0.0, 0.0
    for sign in (0, 1 << 31):
        for lo in range(0, top, CHUNK * stride):
            bits = np.arange(lo, min(lo + CHUNK * stride, top), stride, dtype=np.uint32) | sign
            x = bits.view(np.float32)
            w, at, r = _errors(op, x, fn(x))
            k = int(w.argmax())
            if w[k] > worst:
                worst, where = float(w[k]), float(at[k])
            rounded = max(rounded, float(r.max()))
    return worst, where, rounded


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--op", choices=("tanh", "sigmoid", "all"), default="all")
    p.add_argument("--torch", action="store_true", help="measure torch's functions instead")
    p.add_argument("--stride", type=int, default=1, help="every n-th bit pattern (1: all)")
    args = p.parse_args(argv)
    functions = _functions(args.torch)
    for name in (("tanh", "sigmoid") if args.op == "all" else (args.op,)):
        start = time.time()
        worst, where, rounded = sweep(name, functions[name], args.stride)
        print(f"{'torch' if args.torch else 'minitorch'} {name} float32, every "
              f"{'' if args.stride == 1 else f'{args.stride}th '}finite input: max "
              f"{worst:.4f} ulp of the exact value (at x = {where!r}), {rounded:.4f} of the "
              f"rounded one ({time.time() - start:.0f} s)")


if __name__ == "__main__":
    main()
