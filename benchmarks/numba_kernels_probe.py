"""Scratch probe: Numba-backend conv kernels vs torch on the seed CNN's layer shapes.

    .venv/bin/python benchmarks/numba_kernels_probe.py [--batch 64] [--threads 2] [--gemm blas]

Prints, per conv layer and pass, the median time of our kernel and of torch (same threads),
and the ratio ours/torch; then maxpool/relu forward; then the sum over the conv passes a
training step needs (not the first conv's input grad) and the max-pool forwards.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F

from minitorch.backends.numba import NumbaBackend, set_num_threads

CONVS = [(3, 32, 32), (32, 32, 16), (32, 64, 8)]  # (C_in, C_out, H=W) of the seed CNN


def bench(fn, reps: int = 10) -> float:
    fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def conv_passes(be, x, w, b, gy):
    """The three conv passes (ours, torch's) for one layer, as zero-argument callables."""
    h, o = x.shape[2], w.shape[0]
    pad, s1 = (2, 2, 2, 2), (1, 1)
    xt, wt, bt, gyt = (torch.from_numpy(a) for a in (x, w, b, gy))

    def torch_backward(mask):
        return torch.ops.aten.convolution_backward(gyt, xt, wt, [o], [1, 1], [2, 2], [1, 1],
                                                   False, [0, 0], 1, mask)

    ours = {
        "fwd": lambda: be.conv2d_forward(x, w, b, s1, pad, s1, 1, (h, h)),
        "dinput": lambda: be.conv2d_backward_input(gy, w, x.shape, s1, pad, s1, 1),
        "dweight": lambda: be.conv2d_backward_weight(gy, x, w.shape, s1, pad, s1, 1),
    }
    theirs = {
        "fwd": lambda: F.conv2d(xt, wt, bt, 1, 2),
        "dinput": lambda: torch_backward([True, False, False]),
        "dweight": lambda: torch_backward([False, True, False]),
    }
    return ours, theirs


def elementwise_passes(be, x):
    """maxpool 2x2 and relu forward (ours, torch's) as zero-argument callables."""
    h = x.shape[2]
    xt = torch.from_numpy(x)
    return {
        "maxpool": (lambda: be.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0), (1, 1),
                                                  (h // 2, h // 2)),
                    lambda: F.max_pool2d(xt, 2, return_indices=True)),
        "relu": (lambda: be.relu_forward(x), lambda: F.relu(xt)),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--gemm", default="blas")
    ap.add_argument("--reps", type=int, default=10)
    args = ap.parse_args()
    set_num_threads(args.threads)
    torch.set_num_threads(args.threads)
    be = NumbaBackend(gemm=args.gemm)
    rng = np.random.default_rng(0)
    n = args.batch
    tot_ours = tot_torch = 0.0
    print(f"batch {n}, threads {args.threads}, gemm {args.gemm}")
    print(f"{'layer':<22}{'pass':<8}{'ours ms':>9}{'torch ms':>10}{'ratio':>7}")
    for c, o, h in CONVS:
        x = rng.standard_normal((n, c, h, h)).astype(np.float32)
        w = (rng.standard_normal((o, c, 5, 5)) * 0.1).astype(np.float32)
        b = rng.standard_normal(o).astype(np.float32)
        gy = rng.standard_normal((n, o, h, h)).astype(np.float32)
        ours, theirs = conv_passes(be, x, w, b, gy)
        with torch.no_grad():
            for key in ours:
                t_o, t_t = bench(ours[key], args.reps), bench(theirs[key], args.reps)
                if not (key == "dinput" and c == 3):  # the first conv's input needs no grad
                    tot_ours += t_o
                    tot_torch += t_t
                print(f"conv {c}->{o} @{h:<11}{key:<8}{t_o * 1e3:9.2f}{t_t * 1e3:10.2f}"
                      f"{t_o / t_t:7.2f}")
        # accuracy against a float64 reference
        xt, wt, bt = (torch.from_numpy(a) for a in (x, w, b))
        y = ours["fwd"]()
        ref = F.conv2d(xt.double(), wt.double(), bt.double(), 1, 2).numpy()
        yt = F.conv2d(xt, wt, bt, 1, 2).numpy()
        print(f"{'':22}max|err| vs f64: ours {np.abs(y - ref).max():.2e}, "
              f"torch {np.abs(yt - ref).max():.2e}")
    # the rest of the step: pools and relus
    with torch.no_grad():
        for c, h in [(32, 32), (32, 16), (64, 8)]:
            x = rng.standard_normal((n, c, h, h)).astype(np.float32)
            for name, (mine, ref) in elementwise_passes(be, x).items():
                t_o, t_t = bench(mine, args.reps), bench(ref, args.reps)
                if name == "maxpool":
                    tot_ours += t_o
                    tot_torch += t_t
                print(f"{name} {c}@{h:<14}{'fwd':<8}{t_o * 1e3:9.2f}{t_t * 1e3:10.2f}"
                      f"{t_o / t_t:7.2f}")
    print(f"{'total (convs, maxpools)':<30}{tot_ours * 1e3:9.2f}{tot_torch * 1e3:10.2f}"
          f"{tot_ours / tot_torch:7.2f}")


if __name__ == "__main__":
    main()
