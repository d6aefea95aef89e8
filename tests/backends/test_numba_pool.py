"""Numba's OpenMP workers sleep soon after a parallel loop instead of spinning on a core that
the Python-thread kernels of ``parallel_for`` need (``threads.launch_numba_pool``)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROGRAM = r"""
import os, sys, threading, time
if sys.argv[1] == "torch-first":     # torch's own libgomp loads first, with global symbols
    import torch
    torch.ones(64, 64) @ torch.ones(64, 64)
import numpy as np
import minitorch
from minitorch.backends.numba import activation

def others_cpu_s():
    me, total = threading.get_native_id(), 0.0
    for tid in map(int, os.listdir("/proc/self/task")):
        if tid != me:
            try:
                total += time.clock_gettime(((~tid) << 3) | 6)
            except OSError:
                pass
    return total

minitorch.backends.get_backend("numba")
x = np.ones(1 << 20, np.float32)
activation.relu_forward(x)
idle_cpu = 0.0
for _ in range(5):
    activation.relu_forward(x)          # a parallel loop: the worker runs, then waits
    before = others_cpu_s()
    time.sleep(0.02)
    idle_cpu += others_cpu_s() - before
print(idle_cpu, os.environ.get("GOMP_SPINCOUNT"))
"""


def _idle_worker_cpu_s(env: dict, order: str) -> tuple:
    out = subprocess.run([sys.executable, "-c", PROGRAM, order], env=env, capture_output=True,
                         text=True, check=True, timeout=300)
    cpu, leaked = out.stdout.split()
    return float(cpu), leaked


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs 2 CPUs for a worker thread")
@pytest.mark.parametrize("order", ["alone", "torch-first"])
def test_workers_sleep_after_a_parallel_loop_and_the_setting_does_not_leak(order: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY")}
    env["NUMBA_NUM_THREADS"] = "2"
    if order == "torch-first":
        pytest.importorskip("torch", reason="torch is not installed")
    cpu, leaked = _idle_worker_cpu_s(env, order)
    # 10,000 pauses are ~0.1 ms a loop; libgomp's default (300,000) spun 3.5 ms a loop here
    assert cpu < 0.005, f"Numba's workers used {cpu * 1e3:.1f} ms of CPU in 5 × 20 ms idling"
    assert leaked == "None", "GOMP_SPINCOUNT was left in the environment"
