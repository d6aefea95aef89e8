"""The CUDA backend: our own CUDA C kernels, on a GPU through CuPy or on the CPU through an
emulator.

* ``"cuda"`` — kernels compiled by NVRTC into ``cupy.RawModule``s and run on the GPU.
* ``"cuda-emulated"`` — the same kernel sources compiled by g++ against ``cuda_emu.h`` and
  run on NumPy arrays, with bounds checking, a race detector and seeded random schedules.

Layout: ``kernels/*.cu`` (one file per kernel family), ``sources.py`` (reading and parsing
them, the NVRTC check), ``launcher.py`` (argument checking, the CuPy launcher),
``emulator/`` (the emulator), ``backend.py`` (:class:`CudaBackend`), ``device.py``
(GPU discovery, ``to_gpu``/``to_cpu``), ``graphs.py`` (CUDA-graph capture and replay behind
``minitorch.cuda.CUDAGraph``: CuPy's stream capture, or the emulator's recorded launch list).
"""

from __future__ import annotations

from minitorch.backends.base import Backend


def _cuda_factory() -> Backend:
    from minitorch.backends.cuda.device import require_cupy

    cupy = require_cupy()  # RuntimeError naming what is missing
    from minitorch.backends.cuda.backend import CudaBackend
    from minitorch.backends.cuda.launcher import CupyLauncher

    return CudaBackend(cupy, CupyLauncher(), name="cuda", device="cuda")


def _emulated_factory() -> Backend:
    from minitorch.backends.cuda.backend import CudaBackend
    from minitorch.backends.cuda.emulator import EmulatedLauncher
    from minitorch.backends.cuda.graphs import device_numpy

    return CudaBackend(device_numpy(), EmulatedLauncher(), name="cuda-emulated", device="cpu")


def register() -> None:
    """Register "cuda" and "cuda-emulated". Imports nothing heavy and compiles nothing: the
    factories run on first use."""
    from minitorch.backends import register_backend

    register_backend("cuda", _cuda_factory)
    register_backend("cuda-emulated", _emulated_factory)


__all__ = ["register"]
