"""Compiling the Numba kernels ahead of the first training step: :func:`warm_cache`.

Every kernel of this backend is ``@njit(cache=True)`` and compiles on its first call (per
dtype and, for the direct convolutions, per vector width), so the first training step of a
fresh install waits for LLVM (``python -m benchmarks.coldstart`` measures it). A set-up step
can pay that once, beforehand: :func:`warm_cache` runs each kernel the seed CNN's float32
training step uses — conv2d forward, input grad (not of the first layer: images need no
gradient), weight grad and bias grad at the seed CNN's three layer shapes (so each route and
vector width it takes compiles), 2×2 max pooling
forward and backward, the 1024→64 linear layer's panel kernels (at batch 32, where they
start: :mod:`~minitorch.backends.numba.panel_gemm`), fused cross-entropy forward and
backward — on batch-1 inputs, so each
compiles (or loads from ``NUMBA_CACHE_DIR`` / ``__pycache__``) and later processes find it in
the cache; with more than one thread, also a two-image convolution, whose threads run on
Numba's pool (``direct.forward_on_pool``, ``direct.weight_grad_on_pool``).
``everything=True`` adds the other kernel families (activations, softmax, average pooling)
and ``dtypes`` adds float64.
"""

from __future__ import annotations

import time
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np

from minitorch.backends.numba.threads import get_num_threads
from minitorch.shapes import check_conv2d

# The seed CNN's convolutions: (C_in, C_out, H = W), kernel 5, padding 2 — then 2×2 max pools.
SEED_CONVS: Tuple[Tuple[int, int, int], ...] = ((3, 32, 32), (32, 32, 16), (32, 64, 8))

Progress = Callable[[int, int, str], None]


def _conv_case(rng: np.random.Generator, n: int, c: int, o: int, h: int, dtype: np.dtype
               ) -> tuple:
    """(x, w, b, gy, geometry, out_hw) of a seed-CNN layer (C → O channels, H × H, kernel 5,
    padding 2) at batch ``n``: the arguments of its backend calls."""
    x = rng.standard_normal((n, c, h, h)).astype(dtype)
    w = rng.standard_normal((o, c, 5, 5)).astype(dtype)
    b = np.zeros(o, dtype)
    stride, quad, dil, out_hw = check_conv2d(x.shape, w.shape, b.shape, 1, 2, 1, 1)
    gy = np.ones((n, o) + tuple(out_hw), dtype)
    return x, w, b, gy, (stride, quad, dil, 1), out_hw


def _plan(backend, dtype: np.dtype, everything: bool) -> List[Tuple[str, Callable[[], object]]]:
    """(name, call) for every kernel family to compile at ``dtype``; each call runs it once
    on small arrays."""
    rng = np.random.default_rng(0)
    steps: List[Tuple[str, Callable[[], object]]] = []
    name = np.dtype(dtype).name
    for c, o, h in SEED_CONVS:
        x, w, b, gy, geo, out_hw = _conv_case(rng, 1, c, o, h, dtype)
        label = f"conv2d {c}->{o} {h}x{h} {name}"
        steps.append((f"{label} forward", lambda x=x, w=w, b=b, geo=geo, hw=out_hw:
                      backend.conv2d_forward(x, w, b, *geo, hw)))
        if c != SEED_CONVS[0][0] or everything:  # the images need no gradient
            steps.append((f"{label} input grad", lambda gy=gy, w=w, x=x, geo=geo:
                          backend.conv2d_backward_input(gy, w, x.shape, *geo)))
        steps.append((f"{label} weight grad", lambda gy=gy, x=x, w=w, geo=geo:
                      backend.conv2d_backward_weight(gy, x, w.shape, *geo)))
    if get_num_threads() > 1:  # two images: the launchers on Numba's pool compile too
        x2, w2, b2, gy2, geo2, out_hw2 = _conv_case(rng, 2, *SEED_CONVS[-1], dtype)
        steps.append((f"conv2d on Numba's thread pool {name}", lambda: (
            backend.conv2d_forward(x2, w2, b2, *geo2, out_hw2),
            backend.conv2d_backward_weight(gy2, x2, w2.shape, *geo2))))
    # the 1024->64 layer from batch 32 on runs on the panel kernels (linear.SPLIT_GEMM_MACS)
    x = rng.standard_normal((32, 1024)).astype(dtype)
    w = rng.standard_normal((64, 1024)).astype(dtype)
    steps.append((f"linear 1024->64 panel kernels {name}", lambda x=x, w=w:
                  backend.linear_backward(backend.linear_forward(x, w, w[0, :64]), x, w, True)))
    gy = np.ones((1, 32, 32, 32), dtype)
    steps.append((f"conv2d bias grad {name}", lambda: backend.conv2d_backward_bias(gy)))
    x = rng.standard_normal((1, 4, 8, 8)).astype(dtype)
    pool = ((2, 2), (2, 2), (0, 0), (1, 1), (4, 4))
    steps.append((f"max_pool2d 2x2 {name}", lambda: backend.max_pool2d_backward(
        *backend.max_pool2d_forward(x, *pool), x.shape)))
    logits = rng.standard_normal((2, 10)).astype(dtype)
    target = np.array([1, 3], np.int64)

    def cross_entropy() -> object:
        loss, logp = backend.cross_entropy_forward(logits, target, None, -100, 0.0)
        return backend.cross_entropy_backward(np.ones(2, dtype), logp, target, None, -100, 0.0)

    steps.append((f"cross_entropy {name}", cross_entropy))
    if everything:
        for act in ("relu", "tanh", "sigmoid"):
            fwd, bwd = getattr(backend, f"{act}_forward"), getattr(backend, f"{act}_backward")
            steps.append((f"{act} {name}", lambda fwd=fwd, bwd=bwd: bwd(x, fwd(x))))
        for kind in ("softmax", "log_softmax"):
            fwd, bwd = (getattr(backend, f"{kind}_forward"),
                        getattr(backend, f"{kind}_backward"))
            steps.append((f"{kind} {name}", lambda fwd=fwd, bwd=bwd: bwd(logits,
                                                                         fwd(logits, 1), 1)))
        avg = ((2, 2), (2, 2), (0, 0))
        steps.append((f"avg_pool2d {name}", lambda: backend.avg_pool2d_backward(
            backend.avg_pool2d_forward(x, *avg, (4, 4), True, None), x.shape, *avg, True,
            None)))
    return steps


def warm_cache(progress: Optional[Progress] = None, dtypes: Sequence = (np.float32,),
               everything: bool = False) -> List[Tuple[str, float]]:
    """Compile (or load from the cache) the kernels a seed-CNN training step uses, so that
    the first real step does not wait for them (see the module doc). ``progress(done, total,
    name)`` is called before each kernel family (``done`` of ``total`` finished) and once at
    the end with ``done == total``. Returns (name, seconds) per family."""
    from minitorch.backends.numba import NumbaBackend

    backend = NumbaBackend()
    steps = [s for dt in dtypes for s in _plan(backend, np.dtype(dt), everything)]
    timings: List[Tuple[str, float]] = []
    for i, (name, call) in enumerate(steps):
        if progress is not None:
            progress(i, len(steps), name)
        start = time.perf_counter()
        call()
        timings.append((name, time.perf_counter() - start))
    if progress is not None:
        progress(len(steps), len(steps), "done")
    return timings
