"""``minitorch.cuda``: is there a GPU, how many, wait for it — as ``torch.cuda``."""

from __future__ import annotations

from minitorch.backends.cuda import device as _device


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

    cupy = _device.require_cupy()
    cupy.cuda.get_current_stream().synchronize()
    check_device_errors()


__all__ = ["is_available", "device_count", "synchronize"]
