"""The emulated launcher: runs the CUDA kernels on the CPU, with bounds checking.

A launch goes like this (the GPU launcher does only the first and last step):

1. :meth:`KernelLauncher.launch` checks the arguments against the kernel's C signature.
2. Every array argument is copied into a *guarded buffer* (``emu_alloc`` in ``cuda_emu.h``):
   its own memory mapping whose data ends exactly where an inaccessible page begins, with a
   second inaccessible page in front and a canary pattern in between. Arrays the kernel
   declares ``const`` are then made read-only.
3. ``emu_launch`` runs the grid's blocks in a seeded random order, several co-resident at a
   time, their threads as fibers switched at random preemption points (memory accesses,
   atomics, barriers), with the race detector watching every array argument and shared array
   (see the header's scheduling model); it catches a segmentation fault if one happens, stops
   at the first race, and stops a launch that makes no progress (a deadlock).
4. A fault's address is matched against the buffers to say which argument was overrun, by
   which element, reading or writing, and in which block and thread; a race names the
   argument or shared array, the element and both threads; the canaries are checked for
   writes just before the start. Each raises :class:`KernelFault` (a race:
   :class:`DataRace`; no progress: :class:`Deadlock`).
5. The non-``const`` buffers are copied back into the caller's arrays.
"""

from __future__ import annotations

import ctypes
import itertools
import os
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
    """An emulated kernel accessed memory it must not touch, or broke a limit of the GPU."""


class DataRace(KernelFault):
    """Two threads of an emulated kernel accessed one word, at least one writing, not both
    atomically, with no barrier between them."""


class Deadlock(KernelFault):
    """An emulated kernel did not finish: its threads kept running without progress (a
    spin-wait on a flag that no running thread will set)."""


SEED_VARIABLE = "MINITORCH_CUDA_EMU_SEED"
SWITCH_VARIABLE = "MINITORCH_CUDA_EMU_SWITCH_EVERY"
#: Mean preemption points between thread switches when neither the argument nor the
#: environment says: cheap enough for CI, and still splits barrier phases at random points.
#: CPU time of the grid's cuda-emulated CNN cases against the emulator without preemption
#: (load 8-15 on 2 cores): 1.35x at 32, 1.55x at 8.
DEFAULT_SWITCH_EVERY = 32
#: Preemption points without progress (a write, a barrier passed, a thread returned) after
#: which a launch is stopped as a deadlock.
DEFAULT_STALL_BUDGET = 1 << 24
_ACCESS = {0: "read", 1: "write", 2: "atomic"}


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

    Every launch draws its schedule — the order of the blocks, and which thread of the
    co-resident blocks runs after each preemption point — from ``seed`` and the launch's
    serial number, so a run is reproducible and consecutive launches see different schedules.
    ``seed`` defaults to the environment variable ``MINITORCH_CUDA_EMU_SEED`` (else 0):
    rerunning the tests with other values tries other schedules. ``switch_every`` is the mean
    number of preemption points (global or shared memory accesses, atomics, fences, barriers)
    between thread switches: 1 switches at every one (the deep mode), the default comes from
    ``MINITORCH_CUDA_EMU_SWITCH_EVERY`` (else :data:`DEFAULT_SWITCH_EVERY`). ``resident`` is
    how many blocks run at once (at most 8, and 2048 threads in all). ``stall_budget``:
    preemption points without progress before a launch is stopped as a deadlock.
    ``race_check`` turns the race detector on (the default)."""

    xp = np
    poison_outputs = True

    def __init__(self, library: Optional[KernelLibrary] = None, seed: Optional[int] = None,
                 race_check: bool = True, switch_every: Optional[int] = None,
                 resident: int = 4, stall_budget: int = DEFAULT_STALL_BUDGET) -> None:
        super().__init__(library)
        self.seed = int(os.environ.get(SEED_VARIABLE, "0")) if seed is None else int(seed)
        self.race_check = race_check
        if switch_every is None:
            switch_every = int(os.environ.get(SWITCH_VARIABLE, DEFAULT_SWITCH_EVERY))
        if switch_every < 1 or resident < 1 or stall_budget < 1:
            raise ValueError(f"switch_every, resident and stall_budget must be positive, got "
                             f"{switch_every}, {resident}, {stall_budget}")
        self.switch_every, self.resident = switch_every, resident
        self.stall_budget = stall_budget
        self._serial = itertools.count()
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
             args: Sequence[Any], shared_bytes: int = 0) -> None:
        if shared_bytes:
            raise NotImplementedError(f"{sig.name}: the emulator has no dynamic shared memory "
                                      f"(extern __shared__); no kernel uses it yet")
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
            seed = (self.seed << 32) + next(self._serial)
            with _launch_lock:
                for index, buffer in enumerate(buffers):
                    library.emu_track(buffer.address, buffer.nbytes, index,
                                      buffer.array.itemsize, int(self.race_check))
                status = library.emu_launch(thunk, pointers, *grid, *block, seed,
                                            int(self.race_check), self.switch_every,
                                            self.resident, self.stall_budget,
                                            ctypes.byref(fault))
                # a race on a __shared__ array names it by its index (one per array and slot)
                shared_name = (library.emu_shared_name(-1 - fault.region).decode()
                               if status > 0 and fault.region < 0 else "")
            expression = f"{sig.name}<{element}>" if element else sig.name
            if status < 0:
                raise ValueError(f"{expression}: invalid launch geometry grid={grid} "
                                 f"block={block}")
            if status > 0 and fault.kind == EmuFault.RACE:
                raise DataRace(self._explain_race(expression, fault, buffers, shared_name,
                                                  seed))
            if status > 0 and fault.kind == EmuFault.DEADLOCK:
                raise Deadlock(self._explain_deadlock(expression, fault, seed))
            if status > 0 and fault.kind == EmuFault.SHARED_LIMIT:
                raise KernelFault(f"{expression} uses too much shared data "
                                  f"({fault.shared_bytes:#x} bytes, 0xc000 max): ptxas refuses "
                                  f"it for a GPU (static __shared__ arrays are limited to "
                                  f"48 KB per block)")
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
    def _explain_race(expression: str, fault: EmuFault, buffers: List[_Buffer],
                      shared_name: str, seed: int) -> str:
        if fault.region >= 0:
            buffer = buffers[fault.region]
            where = (f"argument {buffer.param.name!r}, element "
                     f"{fault.offset // buffer.array.itemsize}")
        else:
            where = (f"__shared__ {shared_name}, byte {fault.offset} "
                     f"(4-byte word {fault.offset // 4})")

        def thread(block: Any, thread: Any) -> str:
            return (f"block ({block[0]}, {block[1]}, {block[2]}) thread "
                    f"({thread[0]}, {thread[1]}, {thread[2]})")

        barrier = ("the same block with no __syncthreads() between them"
                   if list(fault.block) == list(fault.other_block)
                   else "different blocks, which nothing orders")
        return (f"{expression}: data race on {where}: {_ACCESS[fault.access]} by "
                f"{thread(fault.block, fault.thread)} and {_ACCESS[fault.other_access]} by "
                f"{thread(fault.other_block, fault.other_thread)}, threads of {barrier} "
                f"(schedule seed {seed})")

    @staticmethod
    def _explain_deadlock(expression: str, fault: EmuFault, seed: int) -> str:
        who = (f"block ({fault.block[0]}, {fault.block[1]}, {fault.block[2]}) thread "
               f"({fault.thread[0]}, {fault.thread[1]}, {fault.thread[2]})")
        if fault.steps == 0:
            why = (f"{who} ran for 1 s of CPU time without touching memory (a spin-wait the "
                   f"compiler turned into an endless loop? read the flag with an atomic or "
                   f"through a volatile pointer)")
        else:
            why = (f"{fault.steps} memory accesses with no thread writing memory, passing a "
                   f"barrier or returning (the last by {who}; {fault.waiting} threads waiting "
                   f"at a barrier): a spin-wait on a flag that no running thread will set?")
        return f"{expression}: kernel did not finish (deadlock?): {why} (schedule seed {seed})"

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
