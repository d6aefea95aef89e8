"""``minitorch.cuda``: is there a GPU, how many, wait for it, capture and replay graphs — as
``torch.cuda``.

CUDA graphs (:class:`CUDAGraph`, :func:`graph`, :func:`is_current_stream_capturing`): the
``with minitorch.cuda.graph(g):`` block is recorded, not run; ``g.replay()`` runs the
recording again on the same arrays, reading the current contents of the static inputs. On a GPU
this is CuPy's stream capture (``cupy.cuda.Graph``); on the ``"cuda-emulated"`` backend the
emulator records and replays the launch list. A host synchronisation or host read inside the
block raises "operation not permitted when stream is capturing". Details and an example:
:mod:`minitorch.backends.cuda.graphs`."""

from __future__ import annotations

from minitorch.backends.cuda import device as _device
from minitorch.backends.cuda.graphs import (
    CUDAGraph,
    StreamCaptureError,
    graph,
    is_current_stream_capturing,
    refuse_during_capture,
)


def is_available() -> bool:
    """True when CuPy is installed and sees at least one GPU (never raises)."""
    return _device.gpu_count() > 0


def device_count() -> int:
    """Number of usable GPUs (0 without CuPy, a driver or a device)."""
    return _device.gpu_count()


def synchronize() -> None:
    """Block until every kernel queued on the current GPU stream has finished, then raise the
    first error a kernel recorded in a device-side flag (e.g. an out-of-range target)."""
    from minitorch.backends.cuda.errors import check_device_errors

    refuse_during_capture("minitorch.cuda.synchronize()")
    cupy = _device.require_cupy()
    cupy.cuda.get_current_stream().synchronize()
    check_device_errors()


__all__ = ["is_available", "device_count", "synchronize"]


def current_device() -> int:
    """The index of the current GPU (0); a RuntimeError naming what is missing without one."""
    _device.require_cupy()
    return 0


def get_device_name(device: object = None) -> str:
    """The GPU's name as the driver reports it."""
    cupy = _device.require_cupy()
    name = cupy.cuda.runtime.getDeviceProperties(0)["name"]
    return name.decode() if isinstance(name, bytes) else str(name)


def manual_seed(seed: int) -> None:
    """Accepted for PyTorch programs: minitorch draws GPU random numbers from its one host
    generator (seeded by ``minitorch.manual_seed``), so there is no separate GPU seed."""


manual_seed_all = manual_seed


def empty_cache() -> None:
    """Return the GPU blocks CuPy keeps for reuse to the driver (nothing without a GPU)."""
    if is_available():
        import cupy

        cupy.get_default_memory_pool().free_all_blocks()


__all__ += ["current_device", "get_device_name", "manual_seed", "manual_seed_all",
            "empty_cache"]

__all__ += ["CUDAGraph", "graph", "is_current_stream_capturing", "StreamCaptureError"]
