"""Measurements that need a fresh process: peak memory of a training step, and start-up time.

**Peak RSS.** Each engine trains the seed CNN in its own ``python -c`` child that imports only
its own framework (the minitorch child never imports torch, and the torch child builds the
same ``Sequential`` from ``torch.nn`` without importing minitorch). The child records

* ``baseline``: VmRSS right after its imports;
* one warm-up step (Numba compiles or loads its kernels here — LLVM's compile-time memory is
  not the training step's);
* then resets the kernel's high-water mark (``echo 5 > /proc/self/clear_refs``, Linux ≥ 4.0)
  and runs ``steps`` more steps; ``peak`` is VmHWM afterwards — the exact peak RSS of those
  steps, not a sample.

The compared number is ``peak - baseline``: the memory the model, its data and the training
step need on top of the framework itself. The child's whole-life peak (VmHWM before the reset,
imports and compile included) is reported beside it as ``process_peak``. Where the high-water
mark cannot be reset, ``peak`` is that whole-life VmHWM and ``hwm_reset`` is false.
(``ru_maxrss`` is not used: Linux carries the parent's high-water mark across fork + exec,
so a child started by a big benchmark process would report the parent's peak.)

**Start-up.** Wall time from launching ``python -c`` to the end of the first finished training
step (the child prints ``time.time()`` right after ``optimizer.step()``; the parent took its
own ``time.time()`` just before launching). *Cold*: ``NUMBA_CACHE_DIR`` points to a new empty
directory, so every kernel compiles. *Warm*: the same directory again, now filled by the
cold run — every kernel loads from the cache. Warm runs are repeated and the median kept.
"""

from __future__ import annotations

import inspect
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

ROOT = Path(__file__).resolve().parents[1]

_PRELUDE = '''
from __future__ import annotations
import json, os, sys, time
from types import ModuleType
from typing import Any

def _status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0

ENGINE, BATCH, STEPS, THREADS = {engine!r}, {batch}, {steps}, {threads}
if ENGINE.startswith("torch"):
    import numpy as np
    import torch as fw
    import torch.nn as nn
    import torch.nn.functional as F
    fw.set_num_threads(THREADS)
else:
    import numpy as np
    import minitorch as fw
    from minitorch import nn
    from minitorch.nn import functional as F
    fw.set_num_threads(THREADS)
    fw.backends.set_backend(ENGINE)
baseline = _status("VmRSS")
'''

_BODY = '''
{builder}
fw.manual_seed(0)
model = seed_cnn_layers(nn)
opt = fw.optim.SGD(model.parameters(), lr=0.01)
rng = np.random.default_rng(0)
x = fw.from_numpy(rng.random((BATCH, 3, 32, 32), dtype=np.float32))
y = fw.from_numpy(rng.integers(0, 10, BATCH).astype(np.int64))

def step():
    opt.zero_grad()
    F.cross_entropy(model(x), y).backward()
    opt.step()

step()
first_step_end = time.time()
after_warmup = _status("VmRSS")
process_peak = _status("VmHWM")  # imports + warm-up step (compile) so far
try:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    reset = True
except OSError:
    reset = False
for _ in range(STEPS):
    step()
peak = _status("VmHWM")
print(json.dumps({{"first_step_end": first_step_end, "baseline": baseline,
                  "after_warmup": after_warmup, "peak": peak, "hwm_reset": reset,
                  "process_peak": max(process_peak, peak)}}))
'''


def child_code(engine: str, batch: int, steps: int, threads: int) -> str:
    """The ``python -c`` program: imports, the seed CNN, one step, ``steps`` more, a JSON line."""
    from minitorch.models import seed_cnn_layers

    builder = inspect.getsource(seed_cnn_layers)
    return (_PRELUDE.format(engine=engine, batch=batch, steps=steps, threads=threads)
            + _BODY.format(builder=builder))


def _run_child(engine: str, batch: int, steps: int, threads: int,
               env: Optional[Dict[str, str]] = None, timeout: float = 900) -> Dict[str, Any]:
    """Run one child; its JSON line plus ``start_to_step_s`` (launch to end of first step)."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT)] + ([full_env["PYTHONPATH"]] if full_env.get("PYTHONPATH") else []))
    full_env.update(env or {})
    start = time.time()
    proc = subprocess.run([sys.executable, "-c", child_code(engine, batch, steps, threads)],
                          cwd=str(ROOT), env=full_env, capture_output=True, text=True,
                          timeout=timeout)
    wall = time.time() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{engine} child failed ({proc.returncode}): {proc.stderr[-2000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["start_to_step_s"] = out["first_step_end"] - start
    out["process_wall_s"] = wall
    return out


def peak_memory(engines: List[str], batch: int, threads: int, steps: int = 3) -> Dict[str, Any]:
    """Per engine: baseline, peak and peak - baseline RSS in bytes (see the module doc)."""
    out: Dict[str, Any] = {"batch": batch, "steps": steps, "method": (
        "step_peak = VmHWM over the steps after one warm-up step (high-water mark reset via "
        "/proc/self/clear_refs) minus VmRSS after imports; process_peak = VmHWM of the whole "
        "child (imports and Numba compile included)")}
    for engine in engines:
        try:
            r = _run_child(engine, batch, steps, threads)
        except (RuntimeError, subprocess.TimeoutExpired, ValueError) as error:
            out[engine] = {"error": str(error)}
            continue
        out[engine] = {"baseline": r["baseline"], "after_warmup": r["after_warmup"],
                       "peak": r["peak"], "step_peak": r["peak"] - r["baseline"],
                       "process_peak": r["process_peak"], "hwm_reset": r["hwm_reset"]}
    return out


def startup(batch: int, threads: int, warm_runs: int = 3,
            engines: tuple = ("numba", "torch")) -> Dict[str, Any]:
    """Cold and warm start (seconds from ``python -c`` to the end of the first step)."""
    out: Dict[str, Any] = {"batch": batch, "warm_runs": warm_runs}
    for engine in engines:
        try:
            with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
                env = {"NUMBA_CACHE_DIR": cache}
                cold = _run_child(engine, batch, 0, threads, env)["start_to_step_s"]
                warm = [_run_child(engine, batch, 0, threads, env)["start_to_step_s"]
                        for _ in range(warm_runs)]
        except (RuntimeError, subprocess.TimeoutExpired, ValueError) as error:
            out[engine] = {"error": str(error)}
            continue
        out[engine] = {"cold_s": cold, "warm_s": statistics.median(warm), "warm_all_s": warm}
    return out
