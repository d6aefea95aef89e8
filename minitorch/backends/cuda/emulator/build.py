"""Compile a kernel family with g++ into a shared library the emulator can call.

The translation unit is ``cuda_emu.h`` + the family's CUDA source (the very text NVRTC and
CuPy compile) + one small ``extern "C"`` *thunk* per kernel instantiation::

    extern "C" void emu__relu_forward__float(void** a) {
        relu_forward<float>(*reinterpret_cast<const float**>(a[0]),
                            *reinterpret_cast<float**>(a[1]),
                            *reinterpret_cast<long long*>(a[2]));
    }

``a[i]`` points at the i-th argument's value, as in CUDA's ``cuLaunchKernel(kernelParams)``.

One edit is made to the kernel text: each ``__shared__`` declaration, ``__shared__ T name[dims];``
(each array of ``__shared__ T a[n], b[m];`` alike),
becomes (on the same line) one copy per co-resident block slot, a reference to the running
block's copy, and a call that lets the emulator fill it with a poison pattern at the start of
every block, watch it for races and count it against the static shared-memory limit::

    static T name__emu_slots[EMU_SLOTS][dims]; auto& name = name__emu_slots[emu::g_slot];
    emu_shared_memory(&name, sizeof(name), "name");

(see ``cuda_emu.h``: blocks run concurrently, so each needs its own copy).

The unit is compiled with g++'s ``-fsanitize=thread`` instrumentation (each memory access of a
kernel calls a hook the header defines: the race detector) and linked, in a second step,
without ThreadSanitizer's runtime. Line numbers, and
everything else, stay as NVRTC sees them.

Libraries are cached under ``$XDG_CACHE_HOME/minitorch/cuda-emulator`` (``~/.cache/...``),
named by a hash of the translation unit and the compiler command, so a changed kernel or
header rebuilds and an unchanged one loads in milliseconds. Two processes building the same
library at once each compile to a private temporary name and ``os.replace`` it into place:
the rename is atomic, so a reader sees either no file or a complete one.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Dict, Iterable, List, Optional

from minitorch.backends.cuda.emulator.abi import declare
from minitorch.backends.cuda.sources import TEMPLATE_TYPES, KernelSignature

HEADER = Path(__file__).parent / "cuda_emu.h"
CXX_FLAGS = ["-O2", "-std=c++17", "-fPIC", "-Wall", "-Wno-unused-function",
             # glibc's checked longjmp refuses to jump from a fiber stack back to the main one
             "-U_FORTIFY_SOURCE",
             # Every load and store of the kernels calls __tsan_read4 / __tsan_write8 / ...,
             # which cuda_emu.h defines (the race detector). Only the instrumentation: the
             # object is linked without ThreadSanitizer's runtime (see LINK_FLAGS).
             "-fsanitize=thread", "--param", "tsan-instrument-func-entry-exit=0"]
LINK_FLAGS = ["-shared"]

_loaded: Dict[str, ctypes.CDLL] = {}
_lock = threading.Lock()


def thunk_name(kernel: str, element: Optional[str]) -> str:
    """The exported symbol that runs one instantiation: ``emu__relu_forward__float``."""
    return f"emu__{kernel}__{element}" if element else f"emu__{kernel}"


def _thunk(sig: KernelSignature, element: Optional[str]) -> str:
    args = ", ".join(f"*reinterpret_cast<{p.c_type(element)}*>(a[{i}])"
                     for i, p in enumerate(sig.params))
    call = f"{sig.name}<{element}>" if element else sig.name
    return f'extern "C" void {thunk_name(sig.name, element)}(void** a) {{ {call}({args}); }}\n'


_DECLARATOR = r"\w+\s*(?:\[[^;\],]*\]\s*)*"
_SHARED = re.compile(r"__shared__\s+(?P<type>[^;=\[,]*?)\b(?P<names>" + _DECLARATOR +
                     r"(?:,\s*" + _DECLARATOR + r")*);")
_ONE = re.compile(r"(?P<name>\w+)\s*(?P<dims>(?:\[[^;\],]*\]\s*)*)")


def instrument_shared(source: str) -> str:
    """Give every ``__shared__`` declaration — each array of ``__shared__ T a[n], b[m];``
    too — one copy per resident block and the ``emu_shared_memory`` call (see the module
    docstring)."""
    def rewrite(match: re.Match) -> str:
        kind = match["type"].strip()
        parts = []
        for one in _ONE.finditer(match["names"]):
            name, dims = one["name"], one["dims"].strip()
            parts.append(f"static {kind} {name}__emu_slots[EMU_SLOTS]{dims}; "
                         f"auto& {name} = {name}__emu_slots[emu::g_slot]; "
                         f'emu_shared_memory(&{name}, sizeof({name}), "{name}");')
        return " ".join(parts)
    return _SHARED.sub(rewrite, source)


def translation_unit(source: str, kernels: Iterable[KernelSignature]) -> str:
    """The C++ file g++ compiles for one family."""
    thunks: List[str] = []
    for sig in kernels:
        elements = list(TEMPLATE_TYPES.values()) if sig.templated else [None]
        thunks.extend(_thunk(sig, element) for element in elements)
    return ('#include "cuda_emu.h"\n'
            "#line 1 \"kernel.cu\"\n"
            f"{instrument_shared(source)}\n"
            "// ---- launch thunks ----\n"
            + "".join(thunks))


def cache_dir() -> Path:
    """Per-user directory for built libraries."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(root) / "minitorch" / "cuda-emulator"


def _compiler() -> str:
    cxx = os.environ.get("CXX", "g++")
    if shutil.which(cxx) is None:
        raise RuntimeError(f"the CUDA emulator needs a C++ compiler; {cxx!r} was not found "
                           f"(install g++ or set CXX)")
    return cxx


def build(source: str, kernels: Iterable[KernelSignature], name: str) -> ctypes.CDLL:
    """Compile (or fetch from the cache) and load the library for one kernel family."""
    unit = translation_unit(source, kernels)
    cxx = _compiler()
    key = hashlib.sha256("\0".join([unit, HEADER.read_text(), cxx, *CXX_FLAGS,
                                    *LINK_FLAGS]).encode())
    digest = key.hexdigest()[:24]
    with _lock:
        if digest in _loaded:
            return _loaded[digest]
        directory = cache_dir()
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / f"{name}-{digest}.so"
        if not target.exists():
            fd, tmp_so = tempfile.mkstemp(prefix=f".{name}-", suffix=".so", dir=directory)
            os.close(fd)
            tmp_cpp, tmp_o = tmp_so[:-3] + ".cpp", tmp_so[:-3] + ".o"
            try:
                Path(tmp_cpp).write_text(unit)
                for command in ([cxx, *CXX_FLAGS, f"-I{HEADER.parent}", "-c", tmp_cpp, "-o",
                                 tmp_o], [cxx, *LINK_FLAGS, tmp_o, "-o", tmp_so]):
                    result = subprocess.run(command, capture_output=True, text=True)
                    if result.returncode != 0:
                        raise RuntimeError(f"g++ could not build the emulated kernels "
                                           f"{name!r}:\n{result.stderr}")
                os.replace(tmp_so, target)
            finally:
                for leftover in (tmp_so, tmp_cpp, tmp_o):
                    if os.path.exists(leftover):
                        os.unlink(leftover)
        library = ctypes.CDLL(str(target))
        declare(library)
        _loaded[digest] = library
        return library
