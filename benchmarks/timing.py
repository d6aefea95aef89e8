"""Interleaved, warmed-up, synchronised timing of several engines on the same work.

The rules every measurement in this package follows:

* **Warm-up outside the timed region.** Each engine's callable runs ``warmup`` times (at least
  once) before any timing; the first call — Numba JIT compile or cache load, cuDNN/cuBLAS
  handle creation, NVRTC compile — is recorded separately as ``first_call_s`` and never
  enters the statistics.
* **Interleaved.** Round r times every engine once (A B C, then B C A, ... — the start rotates
  so no engine is always first after a pause); a machine-wide slowdown hits all engines in the
  same round.
* **Robust statistics.** The median of ``repeats`` rounds per engine, and the ratio to the
  reference engine computed *pair by pair* — ``t_engine[r] / t_ref[r]`` for each round r —
  then the median of those ratios.
* **Short calls are batched.** A call faster than ``min_sample_s`` (10 ms) is repeated
  ``inner`` times per sample (decided once, from the warm-up) and the sample divided by
  ``inner``. 10 ms, not less: on some VMs an engine's first calls after another engine ran
  stay slow for a few calls even after the untimed one below (measured on a 2-core Intel
  AVX-512 VM, conv2 forward at batch 64: numba 4.6, 3.2, then 2.9 ms a call; torch 2.9, then
  2.6), and with 2 ms samples the kernel rows measured that switch, not the steady state of
  a loop of calls (numba conv1 forward 3.09 ms a call with 2 ms samples, 1.54 with 10 ms —
  1.5 ms timed alone; torch 1.46 and 1.27).
* **Quiet, then warm.** Before every sample the process's other threads must be idle (see
  :func:`wait_for_quiet_threads`), and then the engine's callable runs as many times as the
  sample will (``inner``, ≥ 10 ms of calls), untimed: after the other engine's turn the
  first calls stay slow for longer than one call (measured on a 2-core Intel AVX-512 VM,
  the seed CNN's step at batch 8, numba: 5.29 ms timed alone, 6.73 ms interleaved with torch
  after a single warm call; torch 4.2-4.4 alone, 5.29 interleaved).
  A BLAS or OpenMP pool keeps its workers spinning after a call (OpenBLAS's for ~0.1 s),
  and the spinning workers of the engine timed just before would steal the cores of the
  next one (measured: minitorch-numba's training step took 116 ms right after a numpy-engine
  step, 65 ms right after a torch step). But an idle pool, and an idle virtual CPU, start
  slowly (measured: torch's 0.12 ms linear took 1.1 ms per call after 0.3 s of idling); the
  untimed call brings the engine's own threads back to the state of a loop of calls — the
  steady state that training sees.
* **Devices are synchronised.** A GPU engine synchronises before the sample starts and times
  with CUDA events (recorded on the stream around the calls), synchronising on the end event.
"""

from __future__ import annotations

import math
import os
import statistics
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Protocol, Sequence

Fn = Callable[[], object]


def _thread_cpu_clock(tid: int) -> int:
    """Linux's clock id for thread ``tid``'s CPU time (the kernel's MAKE_THREAD_CPUCLOCK)."""
    return ((~tid) << 3) | 6


def _other_threads_cpu_s() -> Optional[float]:
    """CPU seconds used so far by every thread of this process but the calling one (None
    where per-thread CPU clocks cannot be read)."""
    me = threading.get_native_id()
    total = 0.0
    try:
        tids = [int(t) for t in os.listdir("/proc/self/task")]
    except OSError:
        return None
    for tid in tids:
        if tid == me:
            continue
        try:
            total += time.clock_gettime(_thread_cpu_clock(tid))
        except OSError:  # the thread ended meanwhile, or no such clock here
            continue
    return total


def wait_for_quiet_threads(window_s: float = 0.005, busy_fraction: float = 0.1,
                           max_wait_s: float = 0.5) -> float:
    """Wait until the other threads of this process use less than ``busy_fraction`` of a CPU
    over a ``window_s`` window (at most ``max_wait_s``); return the seconds waited.

    Worker pools (OpenBLAS, OpenMP, Numba's) spin for a while after their last task before
    they sleep; this lets them go to sleep before the next sample starts."""
    start = time.perf_counter()
    before = _other_threads_cpu_s()
    if before is None:
        return 0.0
    while time.perf_counter() - start < max_wait_s:
        time.sleep(window_s)
        after = _other_threads_cpu_s()
        if after is None or after - before < busy_fraction * window_s:
            break
        before = after
    return time.perf_counter() - start


class Clock(Protocol):
    """How one engine's samples are taken."""

    def sync(self) -> None: ...

    def measure(self, fn: Fn, inner: int) -> float: ...


class CpuClock:
    """``time.perf_counter`` around ``inner`` calls."""

    def sync(self) -> None:
        pass

    def measure(self, fn: Fn, inner: int) -> float:
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        return (time.perf_counter() - start) / inner


class TorchCudaClock:
    """torch.cuda events around ``inner`` calls, device synchronised before and after."""

    def __init__(self) -> None:
        import torch

        self.torch = torch

    def sync(self) -> None:
        self.torch.cuda.synchronize()

    def measure(self, fn: Fn, inner: int) -> float:
        cuda = self.torch.cuda
        start, end = cuda.Event(enable_timing=True), cuda.Event(enable_timing=True)
        cuda.synchronize()
        start.record()
        for _ in range(inner):
            fn()
        end.record()
        end.synchronize()
        return start.elapsed_time(end) / 1e3 / inner


class CupyClock:
    """CuPy events around ``inner`` calls, device synchronised before and after."""

    def __init__(self) -> None:
        import cupy

        self.cupy = cupy

    def sync(self) -> None:
        self.cupy.cuda.get_current_stream().synchronize()

    def measure(self, fn: Fn, inner: int) -> float:
        cuda = self.cupy.cuda
        cuda.Device().synchronize()
        start, end = cuda.Event(), cuda.Event()
        start.record()
        for _ in range(inner):
            fn()
        end.record()
        end.synchronize()
        return cuda.get_elapsed_time(start, end) / 1e3 / inner


@dataclass
class Timing:
    """One engine's samples on one case (seconds per call)."""

    samples: List[float] = field(default_factory=list)
    first_call_s: float = math.nan
    inner: int = 1
    error: Optional[str] = None  # set when the engine's first call raised

    @property
    def median(self) -> float:
        return statistics.median(self.samples) if self.samples else math.nan

    @property
    def spread(self) -> float:
        """(p75 - p25) / median: how noisy the samples were."""
        if len(self.samples) < 4:
            return math.nan
        q = statistics.quantiles(self.samples, n=4)
        return (q[2] - q[0]) / self.median


def paired_ratio(samples: Sequence[float], reference: Sequence[float]) -> float:
    """Median over rounds r of samples[r] / reference[r] (the rounds were interleaved)."""
    ratios = [a / b for a, b in zip(samples, reference) if b > 0]
    return statistics.median(ratios) if ratios else math.nan


def _quiet_then_warm(fn: Fn, clock: Clock, calls: int = 1) -> Clock:
    """``clock``, once the other threads are idle and ``fn`` has run ``calls`` more times,
    untimed."""
    wait_for_quiet_threads()
    for _ in range(calls):
        fn()
    clock.sync()
    return clock


def time_interleaved(fns: Dict[str, Fn], clocks: Dict[str, Clock], repeats: int,
                     warmup: int = 2, min_sample_s: float = 1e-2,
                     max_inner: int = 200) -> Dict[str, Timing]:
    """Time every callable of ``fns`` (engine name -> zero-argument callable), interleaved.

    Each engine is warmed up ``warmup`` times first (its very first call timed apart, as
    ``first_call_s``); then ``repeats`` rounds, each timing every engine once. An engine whose
    first call raises gets ``Timing.error`` and no samples; the others go on."""
    timings = {name: Timing() for name in fns}
    for name in list(fns):
        fn, clock, timing = fns[name], clocks[name], timings[name]
        clock.sync()
        wait_for_quiet_threads()
        start = time.perf_counter()
        try:
            fn()
        except Exception as error:  # noqa: BLE001 - reported in the results, not fatal
            timing.error = f"{type(error).__name__}: {error}"
            continue
        clock.sync()
        timing.first_call_s = time.perf_counter() - start
        warm = [_quiet_then_warm(fn, clock).measure(fn, 1) for _ in range(max(1, warmup))]
        fastest = max(min(warm), 1e-9)
        timing.inner = int(min(max_inner, max(1, math.ceil(min_sample_s / fastest))))
    names = [name for name in fns if timings[name].error is None]
    for r in range(repeats):
        if not names:
            break
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            clock = _quiet_then_warm(fns[name], clocks[name], timings[name].inner)
            timings[name].samples.append(clock.measure(fns[name], timings[name].inner))
    return timings


def time_one(fn: Fn, repeats: int, warmup: int = 2, clock: Optional[Clock] = None) -> Timing:
    """Median timing of a single callable (same rules, nothing to interleave with)."""
    clock = clock or CpuClock()
    return time_interleaved({"x": fn}, {"x": clock}, repeats, warmup)["x"]
