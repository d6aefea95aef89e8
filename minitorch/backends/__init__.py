"""Backend registry: which kernels run for a tensor.

A tensor on ``cuda`` always uses the ``"cuda"`` backend. A tensor on ``cpu`` uses the
*current CPU backend*: ``"numba"`` by default (fast kernels), ``"numpy"`` (the readable
reference), or ``"cuda-emulated"`` (the CUDA kernels run on the CPU by an emulator).

    >>> import minitorch
    >>> minitorch.backends.set_backend("numpy")          # globally
    >>> with minitorch.backends.use_backend("numba"):    # for a block
    ...     ...

Backends register a factory under a name; the factory runs on first use, so importing
minitorch never compiles a kernel or imports CuPy.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Callable, Dict, Iterator, List

from minitorch.backends.base import Backend

_factories: Dict[str, Callable[[], Backend]] = {}
_instances: Dict[str, Backend] = {}
_lock = threading.Lock()
_state = threading.local()
_default_cpu = ["numpy"]


def register_backend(name: str, factory: Callable[[], Backend], cpu_default: bool = False) -> None:
    """Make ``factory()`` available as backend ``name``; ``cpu_default`` makes it the default
    for CPU tensors."""
    _factories[name] = factory
    if cpu_default:
        _default_cpu[0] = name


def available_backends() -> List[str]:
    """Names of every registered backend (whether or not it can start on this machine)."""
    return list(_factories)


def get_backend(name: str) -> Backend:
    """The backend instance called ``name`` (created on first use)."""
    if name not in _factories:
        raise ValueError(f"unknown backend {name!r}; expected one of {available_backends()}")
    backend = _instances.get(name)
    if backend is None:
        with _lock:
            backend = _instances.get(name)
            if backend is None:
                backend = _factories[name]()
                _instances[name] = backend
    return backend


def current_backend_name() -> str:
    """The name of the backend used for CPU tensors right now."""
    return getattr(_state, "name", None) or _default_cpu[0]


def set_backend(name: str) -> None:
    """Use backend ``name`` for CPU tensors from now on (in this thread)."""
    get_backend(name)
    _state.name = name


@contextlib.contextmanager
def use_backend(name: str) -> Iterator[Backend]:
    """Use backend ``name`` for CPU tensors inside the ``with`` block."""
    backend = get_backend(name)
    previous = getattr(_state, "name", None)
    _state.name = name
    try:
        yield backend
    finally:
        _state.name = previous


def backend_for(device_type: str) -> Backend:
    """The kernels for arrays living on ``device_type`` ("cpu" or "cuda")."""
    name = "cuda" if device_type == "cuda" else current_backend_name()
    backend = _instances.get(name)  # every op asks: one lookup once the backend exists
    return backend if backend is not None else get_backend(name)


def _numpy_factory() -> Backend:
    from minitorch.backends.numpy import NumpyBackend

    return NumpyBackend()


def _loops_factory() -> Backend:
    from minitorch.backends.loops import LoopsBackend

    return LoopsBackend()


register_backend("numpy", _numpy_factory)
register_backend("loops", _loops_factory)

# Faster backends register themselves when their package imports cleanly.
with contextlib.suppress(ImportError):
    from minitorch.backends.numba import register as _register_numba

    _register_numba()
with contextlib.suppress(ImportError):
    from minitorch.backends.cuda import register as _register_cuda

    _register_cuda()
