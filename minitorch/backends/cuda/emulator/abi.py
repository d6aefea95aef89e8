"""The C ABI of ``cuda_emu.h`` as Python sees it — the one place both :mod:`.build` (which
declares the runtime's prototypes on a freshly loaded library) and :mod:`.launcher` (which
passes arguments and reads faults) take it from.

* :data:`SCALAR_CTYPES` — the ctypes type of each C scalar a kernel signature may name;
* :class:`EmuFault` — the mirror of ``struct EmuFault`` (what a caught fault reports);
* :func:`declare` — the prototypes of ``emu_launch``, ``emu_alloc`` and the other runtime
  functions.
"""

from __future__ import annotations

import ctypes
from typing import Any, Dict

SCALAR_CTYPES: Dict[str, Any] = {
    "float": ctypes.c_float,
    "double": ctypes.c_double,
    "int": ctypes.c_int32,
    "unsigned int": ctypes.c_uint32,
    "long long": ctypes.c_int64,
    "unsigned long long": ctypes.c_uint64,
}


class EmuFault(ctypes.Structure):
    """Mirror of ``struct EmuFault`` in cuda_emu.h."""

    _fields_ = [("kind", ctypes.c_int), ("signal", ctypes.c_int), ("is_write", ctypes.c_int),
                ("address", ctypes.c_ulonglong), ("block", ctypes.c_uint * 3),
                ("thread", ctypes.c_uint * 3), ("region", ctypes.c_int),
                ("offset", ctypes.c_ulonglong), ("access", ctypes.c_int),
                ("other_access", ctypes.c_int), ("other_block", ctypes.c_uint * 3),
                ("other_thread", ctypes.c_uint * 3), ("shared_bytes", ctypes.c_ulonglong),
                ("steps", ctypes.c_ulonglong), ("waiting", ctypes.c_ulonglong)]

    # values of ``kind`` (enum EmuFaultKind)
    OK, SIGNAL, RACE, SHARED_LIMIT, DEADLOCK = 0, 1, 2, 3, 4


def declare(library: ctypes.CDLL) -> None:
    """ctypes prototypes of the runtime functions in cuda_emu.h."""
    uint = ctypes.c_uint
    library.emu_launch.argtypes = [ctypes.c_void_p, ctypes.c_void_p, uint, uint, uint,
                                   uint, uint, uint, ctypes.c_ulonglong, ctypes.c_int,
                                   uint, uint, ctypes.c_ulonglong, ctypes.POINTER(EmuFault)]
    library.emu_track.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, uint,
                                  ctypes.c_int]
    library.emu_track.restype = None
    library.emu_launch.restype = ctypes.c_int
    library.emu_alloc.argtypes = [ctypes.c_size_t]
    library.emu_alloc.restype = ctypes.c_void_p
    library.emu_make_readonly.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    library.emu_make_readonly.restype = ctypes.c_int
    library.emu_canary_damage.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    library.emu_canary_damage.restype = ctypes.c_long
    library.emu_free.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    library.emu_free.restype = None
    library.emu_page_size.restype = ctypes.c_long
    library.emu_shared_name.argtypes = [uint]
    library.emu_shared_name.restype = ctypes.c_char_p
    library.emu_barrier_count.restype = ctypes.c_longlong
