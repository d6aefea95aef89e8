"""``python -m benchmarks.coldstart``: what a new user waits for before the first training step.

A fresh ``python -c`` child trains the seed CNN for one step (batch 8 by default) with
``NUMBA_CACHE_DIR`` pointing to a new empty directory (*cold*: every kernel the step uses
compiles), then the same program runs again on the now filled directory (*warm*: every kernel
loads from the cache). For each run it reports

* ``import_s`` — launch of the interpreter to the end of ``import minitorch``;
* ``first_step_s`` — launch to the end of the first ``optimizer.step()`` (the start-up time
  the targets speak of: cold ≤ 10 s, warm ≤ 1 s);
* ``cpu_s`` — the CPU seconds (user + system, all threads) the child used: compilation is
  single-threaded, so on an idle machine first_step_s ≈ cpu_s; on a busy one the wall time
  grows with the load and cpu_s much less — compare cpu_s across runs on a shared machine;
* per kernel, the seconds Numba spent compiling (or, warm, loading) it: the ``numba:compile``
  events of :mod:`numba.core.event`, timed around each dispatcher's compile; nested compiles
  (a kernel compiling the helpers it calls) are included in the outer kernel's time and
  listed under it with their own.

    python -m benchmarks.coldstart                  # cold + 3 warm runs, table on the terminal
    python -m benchmarks.coldstart --json out.json  # the same as JSON
    python -m benchmarks.coldstart --warm-cache     # cold run with warm_cache() first (setup)

Wall times depend on how busy the machine is: the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
COLD_TARGET_S = 10.0
WARM_TARGET_S = 1.0

_CHILD = '''
import time
_t0 = time.time()
import json, os, sys
from types import ModuleType
from typing import Any
import numpy as np
import minitorch
from minitorch import nn
from minitorch.nn import functional as F
_t_import = time.time()

from numba.core import event as _ev

_compiles = []
_stack = []

class _Timer(_ev.Listener):
    def on_start(self, e):
        _stack.append(time.perf_counter())

    def on_end(self, e):
        start = _stack.pop()
        d = e.data["dispatcher"]
        name = getattr(d, "py_func", d).__module__ + "." + d.__name__
        sig = ", ".join(str(a) for a in e.data.get("args", ()))
        _compiles.append({{"kernel": name, "args": sig, "s": time.perf_counter() - start,
                          "depth": len(_stack)}})

_ev.register("numba:compile", _Timer())
minitorch.set_num_threads({threads})
if {warm_cache!r}:
    from minitorch.backends.numba import warm_cache
    warm_cache()
_t_warm = time.time()
_n_warm = len(_compiles)
{builder}
minitorch.manual_seed(0)
model = seed_cnn_layers(nn)
opt = minitorch.optim.SGD(model.parameters(), lr=0.01)
rng = np.random.default_rng(0)
x = minitorch.from_numpy(rng.random(({batch}, 3, 32, 32), dtype=np.float32))
y = minitorch.from_numpy(rng.integers(0, 10, {batch}).astype(np.int64))
opt.zero_grad()
F.cross_entropy(model(x), y).backward()
opt.step()
_t_step = time.time()
print(json.dumps({{"t0": _t0, "t_import": _t_import, "t_warm": _t_warm, "t_step": _t_step,
                  "compiles": _compiles, "n_warm": _n_warm}}))
'''


def child_code(batch: int, threads: int, warm_cache: bool = False) -> str:
    """The child program: import, (optionally warm the cache), one SGD step, one JSON line."""
    from minitorch.models import seed_cnn_layers

    return _CHILD.format(batch=batch, threads=threads, warm_cache=warm_cache,
                         builder=inspect.getsource(seed_cnn_layers))


def run_child(cache_dir: str, batch: int, threads: int, warm_cache: bool = False,
              timeout: float = 900, root: Path = ROOT) -> Dict[str, Any]:
    """One child on ``cache_dir``; seconds from launch to import / warm-up / first step, and
    its compile events."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    env["PYTHONPATH"] = os.pathsep.join([str(root)] + ([env["PYTHONPATH"]]
                                                       if env.get("PYTHONPATH") else []))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.time()
    proc = subprocess.run([sys.executable, "-c", child_code(batch, threads, warm_cache)],
                          cwd=str(root), env=env, capture_output=True, text=True,
                          timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({proc.returncode}): {proc.stderr[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"interpreter_s": out["t0"] - start, "import_s": out["t_import"] - start,
            "warm_cache_s": out["t_warm"] - out["t_import"],
            "first_step_s": out["t_step"] - start,
            "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "compile_s": sum(c["s"] for c in out["compiles"] if c["depth"] == 0),
            "compiles": out["compiles"],
            # kernels the step itself compiled (after warm_cache(), if it ran)
            "step_compiles": [c["kernel"] for c in out["compiles"][out["n_warm"]:]
                              if c["depth"] == 0]}


def load_average() -> Optional[float]:
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def measure(batch: int = 8, threads: int = 2, warm_runs: int = 3, warm_cache: bool = False,
            root: Path = ROOT) -> Dict[str, Any]:
    """Cold run on an empty cache directory, then ``warm_runs`` runs on the filled one;
    the children import the minitorch of the checkout ``root``."""
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
        cold = run_child(cache, batch, threads, warm_cache, root=root)
        warm = [run_child(cache, batch, threads, root=root) for _ in range(warm_runs)]
    warm_steps = [w["first_step_s"] for w in warm]
    return {"batch": batch, "threads": threads, "warm_cache": warm_cache,
            "cpu_count": os.cpu_count(), "load_before": load_before,
            "load_after": load_average(), "cold": cold, "warm": warm,
            "cold_s": cold["first_step_s"], "cold_cpu_s": cold["cpu_s"],
            "warm_s": statistics.median(warm_steps) if warm_steps else None}


def _table(run: Dict[str, Any], limit: int) -> List[str]:
    lines = [f"  {'s':>7}  kernel (signature)"]
    rows = sorted(run["compiles"], key=lambda c: -c["s"] if c["depth"] == 0 else 0)
    top = [c for c in rows if c["depth"] == 0][:limit]
    for c in top:
        lines.append(f"  {c['s']:7.2f}  {c['kernel']} ({c['args'][:70]})")
    hidden = sum(1 for c in run["compiles"] if c["depth"] == 0) - len(top)
    if hidden > 0:
        lines.append(f"  ... {hidden} more")
    return lines


def format_report(result: Dict[str, Any], limit: int = 25) -> str:
    cold = result["cold"]
    verdict = "PASS" if result["cold_s"] <= COLD_TARGET_S else "MISS"
    lines = [f"cold start (empty NUMBA_CACHE_DIR, batch {result['batch']}, "
             f"{result['threads']} threads; load average {result['load_before']:.2f} on "
             f"{result['cpu_count']} CPUs before, {result['load_after']:.2f} after)",
             f"  interpreter up {cold['interpreter_s']:.2f} s, import done "
             f"{cold['import_s']:.2f} s"
             + (f", warm_cache() {cold['warm_cache_s']:.2f} s" if result["warm_cache"] else "")
             + f", first step done {cold['first_step_s']:.2f} s "
             f"({cold['cpu_s']:.2f} CPU s)",
             f"  [{verdict}] cold start {result['cold_s']:.2f} s  (target <= {COLD_TARGET_S:g})",
             f"  Numba compile time (top-level kernels): {cold['compile_s']:.2f} s in "
             f"{sum(1 for c in cold['compiles'] if c['depth'] == 0)} compiles, "
             f"{len(cold['compiles'])} with helpers"]
    lines += _table(cold, limit)
    if result["warm_cache"]:
        lines.append(f"  compiled by the step itself after warm_cache(): "
                     f"{', '.join(cold['step_compiles']) or 'nothing'}")
    if result["warm"]:
        warm = result["warm"]
        verdict = "PASS" if result["warm_s"] <= WARM_TARGET_S else "MISS"
        lines.append(f"  [{verdict}] warm start {result['warm_s']:.2f} s  (median of "
                     f"{len(warm)}: " + ", ".join(f"{w['first_step_s']:.2f}" for w in warm)
                     + f"; import {statistics.median(w['import_s'] for w in warm):.2f} s; "
                     f"{statistics.median(w['cpu_s'] for w in warm):.2f} CPU s; "
                     f"target <= {WARM_TARGET_S:g})")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.coldstart",
                                description=__doc__.split("\n")[0])
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warm-runs", type=int, default=3)
    p.add_argument("--warm-cache", action="store_true",
                   help="call minitorch.backends.numba.warm_cache() before the step")
    p.add_argument("--json", type=Path, default=None)
    p.add_argument("--root", type=Path, default=ROOT,
                   help="checkout whose minitorch the children import (default: this one)")
    args = p.parse_args(argv)
    result = measure(args.batch, args.threads, args.warm_runs, args.warm_cache, args.root)
    print(format_report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
