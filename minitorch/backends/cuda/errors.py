"""Device-side error flags: how a kernel reports bad input without the host waiting for it.

Checking a kernel's input on the host (``bool((target >= C).any())``) copies a result back from
the GPU and so waits for every kernel queued before it: two such waits per training step are
enough to keep the GPU idle part of the time, and they make a step impossible to capture as a
CUDA graph. Instead, a kernel that meets bad input records it in a small device array
(``error[0]`` = what went wrong, ``error[1]`` = the offending value; the first thread to find
a problem wins an ``atomicCAS``), writes NaN where its result would have been, and carries on.
The host looks at the flag only at the next point where it waits for the GPU anyway — a copy
to the host (``Tensor.cpu()``, ``.item()``, ``.numpy()``, printing), or an explicit
:meth:`ErrorFlag.check` / ``backend.synchronize()`` — and raises there, as PyTorch reports a
device-side assert at the next synchronisation.
"""

from __future__ import annotations

import weakref
from types import ModuleType
from typing import Any, Callable, Dict, Optional

import numpy as np

# error[0] codes, and how each becomes an exception (the value is error[1]).
TARGET_OUT_OF_BOUNDS = 1
_RAISE: Dict[int, Callable[[int], Exception]] = {
    TARGET_OUT_OF_BOUNDS: lambda value: IndexError(f"Target {value} is out of bounds."),
}

_flags: weakref.WeakSet[ErrorFlag] = weakref.WeakSet()


class ErrorFlag:
    """One backend's error array (two ``unsigned long long``: code, value), allocated on first
    use and passed to every kernel that checks its input."""

    def __init__(self, xp: ModuleType) -> None:
        self.xp = xp
        self._array: Optional[Any] = None
        _flags.add(self)

    @property
    def array(self) -> Any:
        """The device array a kernel's ``unsigned long long* error`` argument points at."""
        if self._array is None:
            self._array = self.xp.zeros(2, np.uint64)
        return self._array

    def check(self) -> None:
        """Raise (and clear) the first error a kernel recorded since the last check. On a GPU
        this copies 16 bytes to the host, so call it only where the host waits anyway."""
        if self._array is None:
            return
        from minitorch.backends.cuda.graphs import refuse_during_capture

        refuse_during_capture("reading the device error flag (a host synchronisation)")
        array = self._array
        host = array.get() if hasattr(array, "get") else array
        code = int(host[0])
        if code:
            value = int(np.int64(host[1].astype(np.uint64).view(np.int64)))
            array[...] = 0
            raise _RAISE[code](value)


def check_device_errors() -> None:
    """Check every backend's flag (called at the host's synchronisation points)."""
    for flag in list(_flags):
        flag.check()
