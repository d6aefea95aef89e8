"""The emulated launcher: runs the CUDA kernels on the CPU, with bounds checking.

A launch goes like this (the GPU launcher does only the first and last step):

1. :meth:`KernelLauncher.launch` checks the arguments against the kernel's C signature.
2. Every array argument is copied into a *guarded buffer* (``emu_alloc`` in ``cuda_emu.h``):
   its own memory mapping whose data ends exactly where an inaccessible page begins, with a
   second inaccessible page in front and a canary pattern in between. Arrays the kernel
   declares ``const`` are then made read-only.
3. ``emu_launch`` runs the grid block by block, each block's threads as fibers (see the
   header), and catches a segmentation fault if one happens.
4. A fault's address is matched against the buffers to say which argument was overrun, by
   which element, reading or writing, and in which block and thread; the canaries are checked
   for writes just before the start. Either raises :class:`KernelFault`.
5. The non-``const`` buffers are copied back into the caller's arrays.
"""

from __future__ import annotations

import ctypes
import threading
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from minitorch.backends.cuda.emulator import build
from minitorch.backends.cuda.emulator.abi import SCALAR_CTYPES, EmuFault
from minitorch.backends.cuda.launcher import Dim3, KernelLauncher
from minitorch.backends.cuda.sources import KernelLibrary, KernelSignature, Param

# The emulator's globals (threadIdx, the fibers, the signal handlers) are per process.
_launch_lock = threading.Lock()


class KernelFault(RuntimeError):
    """An emulated kernel accessed memory it must not touch."""


class _Buffer:
    """One argument's guarded copy."""

    def __init__(self, library: ctypes.CDLL, param: Param, array: np.ndarray) -> None:
        self.library, self.param, self.array = library, param, array
        self.nbytes = array.nbytes
        self.address = library.emu_alloc(self.nbytes)
        if not self.address:
            raise MemoryError(f"cannot map {self.nbytes} bytes for argument {param.name!r}")
        ctypes.memmove(self.address, array.ctypes.data, self.nbytes)
        if param.const and library.emu_make_readonly(self.address, self.nbytes) != 0:
            raise OSError(f"mprotect failed for argument {param.name!r}")
        self.value = ctypes.c_void_p(self.address)

    def describe(self, address: int, page: int) -> Optional[str]:
        """Where ``address`` lies relative to this argument, if near it."""
        start, end = self.address, self.address + self.nbytes
        itemsize = self.array.itemsize
        name = f"argument {self.param.name!r} ({self.array.size} elements)"
        if start <= address < end:
            return (f"{name}, element {(address - start) // itemsize}: the argument is const "
                    f"(read-only)")
        if end <= address < end + page:
            return (f"{name}, element {(address - start) // itemsize}: "
                    f"{address - end} bytes past the end")
        first_page = end - ((self.nbytes + page - 1) // page) * page
        if first_page - page <= address < start:
            return f"{name}: {start - address} bytes before the start"
        return None

    def copy_back(self) -> None:
        if not self.param.const:
            ctypes.memmove(self.array.ctypes.data, self.address, self.nbytes)

    def free(self) -> None:
        self.library.emu_free(self.address, self.nbytes)


class EmulatedLauncher(KernelLauncher):
    """Runs kernels with the CPU emulator (``xp`` is NumPy).

    ``reverse=True`` runs the threads of a block in decreasing ``threadIdx`` order between
    barriers, which exposes the races that the default increasing order hides (a thread that
    reads what a *lower* thread should have written before a missing barrier)."""

    xp = np

    def __init__(self, library: Optional[KernelLibrary] = None, reverse: bool = False) -> None:
        super().__init__(library)
        self.reverse = reverse
        self._libraries: Dict[str, ctypes.CDLL] = {}

    def shared_library(self, family: str) -> ctypes.CDLL:
        """The g++-built library of a family (built at most once per process)."""
        library = self._libraries.get(family)
        if library is None:
            library = build.build(self.library.source(family), self.library.kernels(family),
                                  family)
            self._libraries[family] = library
        return library

    def barrier_count(self, family: str) -> int:
        """How many times a thread of this family's kernels has called __syncthreads()."""
        return int(self.shared_library(family).emu_barrier_count())

    def _run(self, sig: KernelSignature, element: Optional[str], grid: Dim3, block: Dim3,
             args: Sequence[Any]) -> None:
        library = self.shared_library(sig.family)
        thunk = ctypes.cast(getattr(library, build.thunk_name(sig.name, element)),
                            ctypes.c_void_p)
        buffers: List[_Buffer] = []
        values: List[Any] = []
        try:
            for param, arg in zip(sig.params, args, strict=True):
                if param.pointer:
                    buffers.append(_Buffer(library, param, arg))
                    values.append(buffers[-1].value)
                else:
                    values.append(SCALAR_CTYPES[param.c_type(element)](arg.item()))
            pointers = (ctypes.c_void_p * max(len(values), 1))(
                *[ctypes.cast(ctypes.pointer(v), ctypes.c_void_p) for v in values])
            fault = EmuFault()
            with _launch_lock:
                status = library.emu_launch(thunk, pointers, *grid, *block, int(self.reverse),
                                            ctypes.byref(fault))
            expression = f"{sig.name}<{element}>" if element else sig.name
            if status < 0:
                raise ValueError(f"{expression}: invalid launch geometry grid={grid} "
                                 f"block={block}")
            if status > 0:
                raise KernelFault(self._explain(expression, fault, buffers,
                                                int(library.emu_page_size())))
            for buffer in buffers:
                damage = library.emu_canary_damage(buffer.address, buffer.nbytes)
                if damage:
                    raise KernelFault(f"{expression} wrote before the start of argument "
                                      f"{buffer.param.name!r} (up to {damage} bytes before it)")
            for buffer in buffers:
                buffer.copy_back()
        finally:
            for buffer in buffers:
                buffer.free()

    @staticmethod
    def _explain(expression: str, fault: EmuFault, buffers: List[_Buffer], page: int) -> str:
        kinds = {11: "invalid memory access", 7: "bus error", 8: "arithmetic error "
                 "(integer division by zero?)"}
        access = {1: "write", 0: "read"}.get(fault.is_write, "access")
        who = (f"block ({fault.block[0]}, {fault.block[1]}, {fault.block[2]}), "
               f"thread ({fault.thread[0]}, {fault.thread[1]}, {fault.thread[2]})")
        what = kinds.get(fault.signal, f"signal {fault.signal}")
        if fault.signal == 8:
            return f"{expression}: {what} in {who}"
        for buffer in buffers:
            place = buffer.describe(fault.address, page)
            if place is not None:
                return f"{expression}: out-of-bounds {access} in {who}: {place}"
        return (f"{expression}: {what} ({access} at address {fault.address:#x}, not next to "
                f"any array argument) in {who}")
