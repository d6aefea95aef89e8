"""Where CPU tensors get their memory, and why minitorch asks glibc to keep what is freed.

A training step allocates the same arrays every time: each layer's output, its saved inputs,
every gradient — for the tutorial's CNN at batch 64 about 16 MB in blocks of 0.1–8 MB, all
freed again by the end of the step. NumPy and Numba take these from ``malloc``. By default
glibc serves a block above its *mmap threshold* (128 KiB at first, raised up to 32 MiB as
blocks are freed) with a fresh ``mmap`` and gives it back with ``munmap`` on free; and it
gives the top of its heap back to the kernel once more than the *trim threshold* is free.
Either way the next step's arrays land on pages the kernel has to find and zero again, one
page fault per 4 KiB page, thousands per step (the measured counts and step times are in
``benchmarks/README.md``, "Notes").

:func:`keep_freed_memory` sets both thresholds once (``mallopt``), so blocks up to
``mmap_threshold`` come from the heap and up to ``trim_threshold`` of free heap is kept for
reuse: after the first step, a step touches no new page. The cost is that freed memory up to
that bound stays in the process (it is reused, not leaked: the soak test checks that the
resident size stops growing). ``import minitorch`` calls it; set
``MINITORCH_KEEP_FREED_MEMORY=0`` before the import to leave glibc's defaults alone. It does
nothing where the C library is not glibc.
"""

from __future__ import annotations

import ctypes
import os
import platform

# mallopt parameters (glibc's malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3

# glibc accepts an mmap threshold of at most HEAP_MAX_SIZE / 2 = 32 MiB on 64-bit systems.
MMAP_THRESHOLD = 32 * 2**20
TRIM_THRESHOLD = 256 * 2**20

_applied = False


def is_glibc() -> bool:
    """True on Linux with glibc, the C library whose ``mallopt`` this module calls."""
    return platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"


def keep_freed_memory(mmap_threshold: int = MMAP_THRESHOLD,
                      trim_threshold: int = TRIM_THRESHOLD) -> bool:
    """Ask glibc to serve blocks below ``mmap_threshold`` bytes from its heap and to keep up
    to ``trim_threshold`` bytes of freed heap for reuse. Returns True if both were set."""
    global _applied
    if not is_glibc():
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    ok = bool(mallopt(M_MMAP_THRESHOLD, int(mmap_threshold)))
    ok = bool(mallopt(M_TRIM_THRESHOLD, int(trim_threshold))) and ok
    _applied = _applied or ok
    return ok


def keeps_freed_memory() -> bool:
    """True once :func:`keep_freed_memory` has taken effect in this process."""
    return _applied


if os.environ.get("MINITORCH_KEEP_FREED_MEMORY", "1").strip().lower() not in (
        "0", "false", "no", "off"):
    keep_freed_memory()
