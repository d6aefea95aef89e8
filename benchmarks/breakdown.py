"""``python -m benchmarks.breakdown``: where a seed-CNN training step spends its time, per part,
minitorch (Numba) beside PyTorch, in one process.

    python -m benchmarks.breakdown                    # batches 1, 8, 64
    python -m benchmarks.breakdown --batches 8 --steps 200 --dtype float64

A model row of ``python -m benchmarks`` says how much slower or faster a whole step is; this
says which part that comes from. Each engine's step is split into the same parts:

* minitorch: every call into the backend (``minitorch.backends.get_backend("numba")``) is
  timed, exclusive of the backend calls it makes itself (``conv2d_backward_weight_bias``
  calls ``conv2d_backward_weight``); ``optimizer`` is the time inside ``optimizer.step()``
  and ``zero_grad()``; ``Python, autograd`` is the rest of the step: the Tensor/Function
  layer, the backward engine, the modules.
* torch: ``torch.profiler``'s self CPU time per ATen op (the same parts by op name);
  ``Python, autograd`` is the step's wall time less the ATen ops' self time (the dispatcher,
  the autograd engine and the Python above them). The profiler's own cost makes torch's
  profiled step slower than its plain one; both are printed.

Time is wall time (``time.perf_counter``), both engines on the same threads (``--threads``).
"""

from __future__ import annotations

import argparse
import collections
import time
from typing import Any, Callable, Dict, List, Sequence, Tuple

import numpy as np

PARTS = ("conv forward", "conv backward", "max-pool forward",
         "max-pool backward", "linear", "cross-entropy", "optimizer", "other kernels",
         "Python, autograd")

# minitorch backend method -> part (anything else: "other kernels")
OURS = {"conv2d_forward": "conv forward", "conv2d_backward_input": "conv backward",
        "conv2d_backward_weight": "conv backward", "conv2d_backward_bias": "conv backward",
        "conv2d_backward_weight_bias": "conv backward",
        "max_pool2d_forward": "max-pool forward", "max_pool2d_backward": "max-pool backward",
        "linear_forward": "linear", "linear_backward": "linear"}

# torch ATen op -> part (ops not listed: "other kernels"; the optimizer by its record)
THEIRS = {"aten::mkldnn_convolution": "conv forward",
          "aten::convolution_backward": "conv backward",  # one op: input, weight, bias grads
          "aten::max_pool2d_with_indices": "max-pool forward",
          "aten::max_pool2d_with_indices_backward": "max-pool backward",
          "aten::addmm": "linear", "aten::mm": "linear",
          "aten::_log_softmax": "cross-entropy", "aten::nll_loss_forward": "cross-entropy",
          "aten::_log_softmax_backward_data": "cross-entropy",
          "aten::nll_loss_backward": "cross-entropy"}


def _cross_entropy_part(name: str) -> bool:
    return name.startswith("cross_entropy") or name.startswith("log_softmax")


class _BackendTimer:
    """Wraps every public method of a backend instance so that each call's time, exclusive of
    the backend calls nested in it, is added to ``totals[method]``."""

    def __init__(self, backend: Any, clock: Callable[[], float] = time.perf_counter) -> None:
        self.backend, self.clock = backend, clock
        self.totals: Dict[str, float] = collections.defaultdict(float)
        self._stack: List[float] = []  # time spent in nested calls, per open call
        self._names: List[str] = []

    def __enter__(self) -> _BackendTimer:
        for name in dir(type(self.backend)):
            attr = getattr(self.backend, name, None)
            if name.startswith("_") or not callable(attr) or isinstance(attr, type):
                continue
            setattr(self.backend, name, self._wrap(name, attr))
            self._names.append(name)
        return self

    def __exit__(self, *exc: Any) -> None:
        for name in self._names:
            delattr(self.backend, name)  # back to the class's method

    def _wrap(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        stack, totals, clock = self._stack, self.totals, self.clock

        def timed(*args: Any, **kwargs: Any) -> Any:
            stack.append(0.0)
            start = clock()
            try:
                return method(*args, **kwargs)
            finally:
                spent = clock() - start
                nested = stack.pop()
                totals[name] += spent - nested
                if stack:
                    stack[-1] += spent
        return timed


def _ours(batch: int, dtype: str, steps: int, warmup: int) -> Tuple[float, Dict[str, float]]:
    """(plain step seconds, seconds per part) of minitorch's step."""
    import minitorch
    from minitorch import backends
    from minitorch.models import TutorialCNN

    minitorch.manual_seed(0)
    model = TutorialCNN().to(getattr(minitorch, dtype))
    optimizer = minitorch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = minitorch.randn(batch, 3, 32, 32, dtype=getattr(minitorch, dtype))
    y = minitorch.tensor(np.arange(batch) % 10)
    spent = {"optimizer": 0.0}

    def step(timed_optimizer: bool = False) -> None:
        start = time.perf_counter()
        optimizer.zero_grad()
        middle = time.perf_counter()
        minitorch.nn.functional.cross_entropy(model(x), y).backward()
        end = time.perf_counter()
        optimizer.step()
        if timed_optimizer:
            spent["optimizer"] += (middle - start) + (time.perf_counter() - end)

    for _ in range(warmup):
        step()
    plain = _per_step(step, steps)
    with _BackendTimer(backends.get_backend("numba")) as timer:
        for _ in range(warmup):
            step()
        timer.totals.clear()
        start = time.perf_counter()
        for _ in range(steps):
            step(timed_optimizer=True)
        wall = (time.perf_counter() - start) / steps
    parts = dict.fromkeys(PARTS, 0.0)
    for name, seconds in timer.totals.items():
        part = "cross-entropy" if _cross_entropy_part(name) else OURS.get(name, "other kernels")
        parts[part] += seconds / steps
    parts["optimizer"] = spent["optimizer"] / steps
    parts["Python, autograd"] = max(wall - sum(parts.values()), 0.0)
    return plain, parts


def _theirs(batch: int, dtype: str, steps: int, warmup: int) -> Tuple[float, Dict[str, float]]:
    """(plain step seconds, seconds per part) of torch's step, parts from its profiler."""
    import torch
    from torch.profiler import ProfilerActivity, profile

    from minitorch.models import seed_cnn_layers

    torch.manual_seed(0)
    model = seed_cnn_layers(torch.nn).to(getattr(torch, dtype))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(batch, 3, 32, 32, dtype=getattr(torch, dtype))
    y = torch.arange(batch) % 10

    def step() -> None:
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()

    for _ in range(warmup):
        step()
    plain = _per_step(step, steps)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        start = time.perf_counter()
        for _ in range(steps):
            step()
        wall = (time.perf_counter() - start) / steps
    parts = dict.fromkeys(PARTS, 0.0)
    optimizer_self = 0.0
    for event in prof.events():
        if event.name.startswith("Optimizer."):  # step and zero_grad: their whole time
            optimizer_self += event.cpu_time_total
    for avg in prof.key_averages():
        seconds = avg.self_cpu_time_total * 1e-6 / steps
        if avg.key.startswith("Optimizer.") or not avg.key.startswith("aten::"):
            continue
        parts[THEIRS.get(avg.key, "other kernels")] += seconds
    parts["optimizer"] = optimizer_self * 1e-6 / steps
    # the ATen ops inside the optimizer's records are counted there, not twice
    parts["other kernels"] = max(parts["other kernels"] - parts["optimizer"], 0.0)
    parts["Python, autograd"] = max(wall - sum(parts.values()), 0.0)
    return plain, parts


def _per_step(step: Callable[[], None], steps: int) -> float:
    """Median of 5 rounds of ``steps // 5`` steps, seconds per step."""
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(max(steps // 5, 1)):
            step()
        rounds.append((time.perf_counter() - start) / max(steps // 5, 1))
    return float(np.median(rounds))


def table(batch: int, dtype: str, steps: int, warmup: int) -> str:
    ours_plain, ours = _ours(batch, dtype, steps, warmup)
    theirs_plain, theirs = _theirs(batch, dtype, steps, warmup)
    lines = [f"seed CNN training step, batch {batch}, {dtype}: minitorch {ours_plain * 1e3:.3f} "
             f"ms, torch {theirs_plain * 1e3:.3f} ms (plain steps; ratio "
             f"{ours_plain / theirs_plain:.2f})",
             f"{'part':24s} {'minitorch ms':>13s} {'torch ms':>9s} {'difference':>11s}"]
    for part in PARTS:
        a, b = ours[part] * 1e3, theirs[part] * 1e3
        lines.append(f"{part:24s} {a:13.3f} {b:9.3f} {a - b:+11.3f}")
    a, b = sum(ours.values()) * 1e3, sum(theirs.values()) * 1e3
    lines.append(f"{'total (timed/profiled)':24s} {a:13.3f} {b:9.3f} {a - b:+11.3f}")
    return "\n".join(lines)


def main(argv: Sequence[str] = ()) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.breakdown",
                                description=__doc__.split("\n")[0])
    p.add_argument("--batches", default="1,8,64", help="comma-separated batches (1,8,64)")
    p.add_argument("--dtype", default="float32", choices=("float32", "float64"))
    p.add_argument("--steps", type=int, default=100, help="timed steps per engine (100)")
    p.add_argument("--warmup", type=int, default=10, help="untimed steps first (10)")
    p.add_argument("--threads", type=int, default=2, help="threads for both engines (2)")
    args = p.parse_args(list(argv) if argv else None)
    from benchmarks.engines import set_threads

    print(set_threads(args.threads))
    for batch in (int(b) for b in args.batches.split(",") if b.strip()):
        print(table(batch, args.dtype, args.steps, args.warmup))
        print()


if __name__ == "__main__":
    main()
