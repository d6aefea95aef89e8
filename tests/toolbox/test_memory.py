"""minitorch.memory: freed blocks are reused, not handed back to the kernel and faulted in
again (glibc only)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys

import numpy as np
import pytest

import minitorch

glibc = pytest.mark.skipif(not minitorch.memory.is_glibc(),
                           reason="needs Linux with glibc (mallopt)")


@glibc
def test_import_sets_the_thresholds():
    assert minitorch.memory.keeps_freed_memory()


@glibc
def test_an_8_mib_array_allocated_again_touches_no_new_page():
    def cycle():
        a = np.empty(2 * 2**20, np.float32)  # 8 MiB: above glibc's default mmap threshold
        a.fill(1.0)
        del a

    cycle()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(10):
        cycle()
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    # glibc's default would mmap/munmap each time: 2,048 faults per cycle (4 KiB pages).
    assert faults < 200, faults


@glibc
@pytest.mark.parametrize("value, expected", [("0", "False"), ("1", "True")])
def test_the_environment_variable_turns_it_off(value, expected):
    env = dict(os.environ, MINITORCH_KEEP_FREED_MEMORY=value)
    out = subprocess.run(
        [sys.executable, "-c", "import minitorch; print(minitorch.memory.keeps_freed_memory())"],
        env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert out == expected
