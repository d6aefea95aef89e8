"""``python -m benchmarks.handoff``: what handing a kernel's second chunk to another thread
costs, at the small batches where the seed CNN's step is slower than torch's.

    python -m benchmarks.handoff                     # batches 1, 2, 4, 8, 16 + the launcher
    python -m benchmarks.handoff --no-launcher       # without the 2-second compile

Max pooling and the conv bias grad spread their work with
:func:`minitorch.backends.numba.threads.parallel_for` (the calling thread runs the first
chunk, a pool of Python threads the others); the direct convolutions run theirs on Numba's
OpenMP pool (``direct.forward_on_pool``: the kernel called by address). Three
measurements, each the best of ``--repeats`` rounds of ``timeit``:

1. **A Python hand-off**: a ``parallel_for`` pool thread handed a no-op, from ``submit``
   to its result (the worker is woken on a futex and takes the GIL).
2. **A convolution's forward at batch N on one and on two threads** (conv1 and conv3 of the
   seed CNN, ``NumbaBackend().conv2d_forward``, as the backend runs it).
3. **conv3's forward kernel three ways on two threads** (``--launcher``): through
   ``parallel_for``, through ``forward_on_pool``, and through a ``parallel=True`` launcher
   that calls the kernel directly — as fast as ``forward_on_pool``, but it compiles the
   kernel into itself again (the time is printed), which is why the backend calls it by
   address (``threads.call_native``).
"""

from __future__ import annotations

import argparse
import time
import timeit
from typing import Any, Callable, Dict, List, Optional, Sequence

import numpy as np

LAYERS = {"conv1 3->32@32": (3, 32, 32), "conv3 32->64@8": (32, 64, 8)}


def best_us(fn: Callable[[], Any], number: int, repeats: int) -> float:
    """The best of ``repeats`` rounds of ``number`` calls, in µs per call."""
    return min(timeit.repeat(fn, number=number, repeat=repeats)) / number * 1e6


def pool_round_trip_us(repeats: int) -> float:
    """A no-op through the ``parallel_for`` pool: submit → result, µs (median of 200 per
    round, best round)."""
    from minitorch.backends.numba import threads

    pool = threads._workers(1)
    rounds = []
    for _ in range(repeats):
        times = []
        for _ in range(200):
            start = time.perf_counter()
            pool.submit(int).result()
            times.append(time.perf_counter() - start)
        rounds.append(sorted(times)[len(times) // 2])
    return min(rounds) * 1e6


def _conv_inputs(layer: str, batch: int, seed: int = 0) -> tuple:
    from minitorch.shapes import check_conv2d

    c, o, h = LAYERS[layer]
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, c, h, h)).astype(np.float32)
    w = rng.standard_normal((o, c, 5, 5)).astype(np.float32)
    b = np.zeros(o, np.float32)
    stride, quad, dil, hw = check_conv2d(x.shape, w.shape, b.shape, 1, 2, 1, 1)
    return x, w, b, stride, quad, dil, hw


def _forward(backend: Any, inputs: tuple) -> Any:
    x, w, b, stride, quad, dil, hw = inputs
    return backend.conv2d_forward(x, w, b, stride, quad, dil, 1, hw)


def conv_threads_table(batches: Sequence[int], number: int, repeats: int
                       ) -> Dict[str, Dict[int, tuple]]:
    """{layer: {batch: (µs on 1 thread, µs on 2 threads)}} for the forward pass."""
    from minitorch.backends.numba import NumbaBackend, get_num_threads, set_num_threads

    backend, before = NumbaBackend(), get_num_threads()
    table: Dict[str, Dict[int, tuple]] = {}
    try:
        for layer in LAYERS:
            table[layer] = {}
            for batch in batches:
                inputs = _conv_inputs(layer, batch)
                row = []
                for threads in (1, 2):
                    set_num_threads(threads)
                    row.append(best_us(lambda inputs=inputs: _forward(backend, inputs), number,
                                       repeats))
                table[layer][batch] = tuple(row)
    finally:
        set_num_threads(before)
    return table


def launcher_study(batch: int, number: int, repeats: int) -> Dict[str, float]:
    """conv3's forward kernel at ``batch`` on two threads — through ``parallel_for``'s Python
    threads, through ``direct.forward_on_pool`` (Numba's OpenMP pool, the kernel called by
    address: what the backend runs), through a launcher compiled here that calls the kernel
    directly — and on one thread, in µs per call; and what each launcher took to compile (s;
    the one here has no cache, as at a cold start)."""
    from numba import njit, prange

    from minitorch.backends.numba import NumbaBackend, direct, get_num_threads, set_num_threads
    from minitorch.backends.numba import threads as pool

    captured: Dict[str, Any] = {}
    original = direct.run_on_pool

    def capture(kernel: Any, launcher: Any, key: Any, threads: int, *args: Any) -> None:
        if kernel is direct.direct_forward:
            captured.update(kernel=kernel, key=key, n=threads, args=args)
        original(kernel, launcher, key, threads, *args)

    before = get_num_threads()
    set_num_threads(2)
    direct.run_on_pool = capture
    try:
        _forward(NumbaBackend(), _conv_inputs("conv3 32->64@8", batch))
    finally:
        direct.run_on_pool = original
    kernel, n, args = captured["kernel"], captured["n"], captured["args"]
    counter = args[-2]  # the image groups' claim counter, 0 before each call
    address = pool.native_address(kernel, captured["key"], args)

    @njit(parallel=True, nogil=True)
    def inline_launch(threads, x, wk, bias, kh, kw, sh, pt, pl, dh, dw, ho, wo, pads, yts, y,
                      next_group, lanes):  # pragma: no cover - compiled by Numba
        for t in prange(threads):
            kernel(t, t + 1, x, wk, bias, kh, kw, sh, pt, pl, dh, dw, ho, wo, pads, yts, y,
                   next_group, lanes)

    def through(run: Callable[[], None]) -> Callable[[], None]:
        def call() -> None:
            counter[0] = 0
            run()
        return call

    python_pool = through(lambda: pool.parallel_for(kernel, n, *args))
    by_address = through(lambda: direct.forward_on_pool(address, n, *args))
    inline = through(lambda: inline_launch(n, *args))
    try:
        start = time.perf_counter()
        inline()
        inline_compile = time.perf_counter() - start
        result = {"parallel_for": best_us(python_pool, number, repeats),
                  "forward_on_pool": best_us(by_address, number, repeats),
                  "launcher calling the kernel inline": best_us(inline, number, repeats)}
        set_num_threads(1)
        result["one thread"] = best_us(python_pool, number, repeats)
    finally:
        set_num_threads(before)
    result["inline launcher compile s"] = inline_compile
    return result


def report(round_trip: float, table: Dict[str, Dict[int, tuple]],
           launcher: Optional[Dict[str, float]], batch: int) -> List[str]:
    lines = [f"parallel_for pool: a no-op handed to a worker thread and back {round_trip:.1f} µs",
             "", "conv forward, µs per call: 1 thread -> 2 threads (NumbaBackend.conv2d_forward)"]
    for layer, rows in table.items():
        cells = "  ".join(f"N={n}: {one:.0f} -> {two:.0f}" for n, (one, two) in rows.items())
        lines.append(f"  {layer:15s} {cells}")
    if launcher is not None:
        lines += ["", f"conv3 forward kernel at batch {batch} on 2 threads, µs per call: "
                  + ", ".join(f"{k} {v:.0f}" for k, v in launcher.items()
                              if not k.endswith(" s")),
                  f"the launcher calling the kernel inline compiled in "
                  f"{launcher['inline launcher compile s']:.2f} s (no cache; forward_on_pool's "
                  f"compile time: python -m benchmarks.coldstart)"]
    return lines


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.handoff", description=__doc__
                                     .split("\n\n")[0])
    parser.add_argument("--batches", default="1,2,4,8,16")
    parser.add_argument("--number", type=int, default=300, help="calls per round (300)")
    parser.add_argument("--repeats", type=int, default=5, help="rounds, the best kept (5)")
    parser.add_argument("--launcher-batch", type=int, default=8)
    parser.add_argument("--no-launcher", action="store_true",
                        help="skip the launchers (one compiles for ~2 s)")
    args = parser.parse_args(argv)
    batches = [int(b) for b in args.batches.split(",")]
    round_trip = pool_round_trip_us(args.repeats)
    table = conv_threads_table(batches, args.number, args.repeats)
    launcher = None if args.no_launcher else launcher_study(args.launcher_batch, args.number,
                                                            args.repeats)
    print("\n".join(report(round_trip, table, launcher, args.launcher_batch)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
