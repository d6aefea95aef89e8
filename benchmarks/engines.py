"""The engines a benchmark compares, and the one thread setting they all share.

=============  ==========================================  ===========  ==========
engine         what runs                                   compared to  device
=============  ==========================================  ===========  ==========
``numpy``      minitorch, NumPy reference backend          ``torch``    CPU
``numba``      minitorch, Numba backend (the default)      ``torch``    CPU
``torch``      PyTorch, CPU                                —            CPU
``cuda``       minitorch, CUDA backend (our .cu kernels)   ``torch-cuda``  GPU
``torch-cuda`` PyTorch, CUDA                               —            GPU
=============  ==========================================  ===========  ==========
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from benchmarks.timing import Clock, CpuClock, CupyClock, TorchCudaClock

CPU_ENGINES = ("numpy", "numba", "torch")
GPU_ENGINES = ("cuda", "torch-cuda")
REFERENCE = {"numpy": "torch", "numba": "torch", "cuda": "torch-cuda"}


@dataclass
class Engine:
    """One side of a comparison: a framework, a backend and a device."""

    name: str
    framework: str  # "minitorch" or "torch"
    device: str  # "cpu" or "cuda"
    backend: Optional[str] = None  # minitorch backend name
    clock: Clock = field(default_factory=CpuClock)

    @property
    def reference(self) -> Optional[str]:
        return REFERENCE.get(self.name)

    @property
    def is_torch(self) -> bool:
        return self.framework == "torch"

    def array(self, a: np.ndarray) -> Any:
        """``a`` as this engine's raw array: NumPy, CuPy or a torch tensor (copied)."""
        if self.is_torch:
            import torch

            t = torch.from_numpy(np.array(a, copy=True))
            return t.cuda() if self.device == "cuda" else t
        if self.device == "cuda":
            import cupy

            return cupy.asarray(a)
        return np.ascontiguousarray(a)

    def tensor(self, a: np.ndarray, requires_grad: bool = False) -> Any:
        """``a`` as this framework's tensor on this engine's device."""
        if self.is_torch:
            return self.array(a).requires_grad_(requires_grad)
        import minitorch

        t = minitorch.from_numpy(np.array(a, copy=True))
        if self.device == "cuda":
            t = t.to("cuda")
        return t.requires_grad_(requires_grad) if requires_grad else t


def gpu_status() -> Dict[str, Any]:
    """Whether minitorch and torch each see a GPU (never raises)."""
    status: Dict[str, Any] = {"minitorch": False, "torch": False, "name": None}
    try:
        import minitorch

        status["minitorch"] = bool(minitorch.cuda.is_available())
    except Exception:  # noqa: BLE001 - a broken CuPy install means no GPU here
        pass
    try:
        import torch

        status["torch"] = bool(torch.cuda.is_available())
        if status["torch"]:
            status["name"] = torch.cuda.get_device_name(0)
    except Exception:  # noqa: BLE001
        pass
    return status


def make_engines(names: Sequence[str], gpu: Dict[str, Any]) -> List[Engine]:
    """The requested engines that can run here (GPU ones only when their framework sees one)."""
    engines: List[Engine] = []
    for name in names:
        if name in ("numpy", "numba"):
            engines.append(Engine(name, "minitorch", "cpu", backend=name))
        elif name == "torch":
            engines.append(Engine(name, "torch", "cpu"))
        elif name == "cuda" and gpu["minitorch"]:
            engines.append(Engine(name, "minitorch", "cuda", backend="cuda", clock=CupyClock()))
        elif name == "torch-cuda" and gpu["torch"]:
            engines.append(Engine(name, "torch", "cuda", clock=TorchCudaClock()))
    return engines


def set_threads(n: int) -> Dict[str, Any]:
    """Give every CPU engine ``n`` threads: minitorch (Numba pool + NumPy's OpenBLAS, one knob)
    and torch (intra-op pool). Returns what each pool reports afterwards, to print."""
    import numba
    import torch

    import minitorch

    minitorch.set_num_threads(n)
    torch.set_num_threads(n)
    try:
        from minitorch.backends.numba.threads import get_blas_num_threads

        blas: Optional[int] = get_blas_num_threads()
    except ImportError:
        blas = None
    return {"requested": n, "numba": int(numba.get_num_threads()), "numpy_blas": blas,
            "torch": int(torch.get_num_threads()), "cpu_count": os.cpu_count(),
            "numba_pool_size": int(numba.config.NUMBA_NUM_THREADS)}
