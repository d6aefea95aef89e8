"""Finding the GPU, and moving arrays to and from it.

Nothing here imports CuPy until it is needed; every failure says what is missing: CuPy
itself, or a GPU with a working driver.
"""

from __future__ import annotations

import functools
from types import ModuleType
from typing import Any, Optional, Tuple

import numpy as np


@functools.cache
def _probe() -> Tuple[Optional[ModuleType], int, str]:
    """(cupy or None, number of GPUs, why there is none)."""
    try:
        import cupy
    except ImportError as error:
        return None, 0, f"CuPy is not installed ({error}); install cupy-cuda12x or cupy-cuda13x"
    try:
        count = int(cupy.cuda.runtime.getDeviceCount())
    except Exception as error:  # CUDARuntimeError: no driver, driver too old, no device
        return cupy, 0, f"no usable NVIDIA GPU: the CUDA driver/runtime reports {error}"
    if count == 0:
        return cupy, 0, "no usable NVIDIA GPU: the CUDA driver sees no device"
    return cupy, count, ""


def gpu_count() -> int:
    """How many GPUs CuPy can use (0 without CuPy, driver or device)."""
    return _probe()[1]


def unavailable_reason() -> str:
    """Why the GPU cannot be used ("" when it can)."""
    return _probe()[2]


def require_cupy() -> ModuleType:
    """CuPy, when a GPU is usable; otherwise a RuntimeError naming what is missing."""
    cupy, count, reason = _probe()
    if cupy is None or count == 0:
        raise RuntimeError(f"the CUDA backend cannot start: {reason}")
    return cupy


def to_gpu(array: Any) -> Any:
    """Copy a NumPy array to the current GPU (a CuPy array passes through)."""
    cupy = require_cupy()
    return cupy.asarray(array)


def to_cpu(array: Any) -> np.ndarray:
    """Copy a CuPy array back to host memory (a NumPy array passes through). The copy waits
    for the GPU, so it is where an error a kernel recorded in a device-side flag is raised."""
    if isinstance(array, np.ndarray):
        return array
    from minitorch.backends.cuda.graphs import refuse_during_capture

    refuse_during_capture("copying device data to the host")
    get = getattr(array, "get", None)
    host = np.asarray(array) if get is None else get()
    from minitorch.backends.cuda.errors import check_device_errors

    check_device_errors()
    return host
