"""The CUDA C sources of the kernels, what their signatures say, and how they are compiled.

Each file ``kernels/<family>.cu`` holds one family of kernels. A kernel is written once as a
template over the element type ``T``::

    template <typename T>
    __global__ void relu_forward(const T* __restrict__ x, T* __restrict__ y, long long n)

and instantiated for ``float`` and ``double`` by *name expressions* (``relu_forward<float>``),
which NVRTC resolves to the mangled symbol. A kernel without a template line has a single
instantiation under its plain name.

The launchers need each kernel's parameter list with exact C types — a real GPU reads a
scalar argument with the width the kernel declared, whatever Python handed over — so this
module parses the ``__global__`` signatures out of the source. Three consumers share the
text produced by :meth:`KernelLibrary.source`: CuPy (``cupy.RawModule``), the NVRTC compile
check (:func:`nvrtc_check`) and the CPU emulator.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

KERNEL_DIR = Path(__file__).parent / "kernels"

# The element types a template kernel is instantiated for, by NumPy dtype.
TEMPLATE_TYPES: Dict[np.dtype, str] = {np.dtype(np.float32): "float",
                                       np.dtype(np.float64): "double"}

# Every C type a kernel parameter may have (after substituting T), with the NumPy dtype of the
# same width: scalar arguments must be NumPy scalars of exactly this dtype, pointer arguments
# arrays of it.
C_TYPES: Dict[str, np.dtype] = {
    "float": np.dtype(np.float32),
    "double": np.dtype(np.float64),
    "int": np.dtype(np.int32),
    "unsigned int": np.dtype(np.uint32),
    "long long": np.dtype(np.int64),
    "unsigned long long": np.dtype(np.uint64),
}

# Options we pass to cupy.RawModule. CuPy appends its own (see cupy_options); the NVRTC check
# compiles with the union, exactly as CuPy will.
RAWMODULE_OPTIONS: Tuple[str, ...] = ("--std=c++17",)
CHECK_ARCH = "compute_90"

_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"\s*$', re.MULTILINE)
_KERNEL = re.compile(
    r"(template\s*<\s*typename\s+T\s*>\s*)?__global__\s+void\s+(\w+)\s*\(([^)]*)\)")


@dataclass(frozen=True)
class Param:
    """One kernel parameter: ``const T* __restrict__ x`` is Param("x", "T", pointer=True,
    const=True)."""

    name: str
    base: str  # "T" or a key of C_TYPES
    pointer: bool
    const: bool

    def c_type(self, element: Optional[str]) -> str:
        """The C spelling with T replaced by ``element`` (e.g. ``const float*``)."""
        base = element if self.base == "T" else self.base
        if base is None:
            raise ValueError(f"parameter {self.name!r} has type T but the kernel is no template")
        return ("const " if self.const else "") + base + ("*" if self.pointer else "")

    def dtype(self, element: Optional[str]) -> np.dtype:
        """The NumPy dtype of the value (or of the pointed-to elements)."""
        base = element if self.base == "T" else self.base
        return C_TYPES[base]  # type: ignore[index]


@dataclass(frozen=True)
class KernelSignature:
    """A ``__global__`` function as declared in family ``family``."""

    name: str
    family: str
    templated: bool
    params: Tuple[Param, ...]

    def element_type(self, dtype: Optional[np.dtype]) -> Optional[str]:
        """The C type T stands for (``None`` for a non-template kernel)."""
        if not self.templated:
            return None
        if dtype is None or np.dtype(dtype) not in TEMPLATE_TYPES:
            raise TypeError(f"kernel {self.name} is instantiated for float32 and float64, "
                            f"not {dtype}")
        return TEMPLATE_TYPES[np.dtype(dtype)]

    def name_expression(self, dtype: Optional[np.dtype]) -> str:
        """``relu_forward<float>``: how NVRTC and CuPy name one instantiation."""
        element = self.element_type(dtype)
        return f"{self.name}<{element}>" if element else self.name

    def all_name_expressions(self) -> List[str]:
        if not self.templated:
            return [self.name]
        return [f"{self.name}<{t}>" for t in TEMPLATE_TYPES.values()]


def _parse_param(text: str, kernel: str) -> Param:
    tokens = text.replace("*", " * ").split()
    if len(tokens) < 2:
        raise ValueError(f"cannot parse parameter {text!r} of kernel {kernel}")
    name = tokens[-1]
    type_tokens = [t for t in tokens[:-1] if t not in ("__restrict__", "const")]
    pointer = type_tokens.count("*")
    base = " ".join(t for t in type_tokens if t != "*")
    if pointer > 1 or (base != "T" and base not in C_TYPES):
        raise ValueError(f"kernel {kernel}: unsupported parameter type {text!r}; use T, "
                         f"{', '.join(C_TYPES)} or a pointer to one of them")
    return Param(name=name, base=base, pointer=pointer == 1, const="const" in tokens[:-1])


def parse_kernels(source: str, family: str) -> List[KernelSignature]:
    """Every ``__global__`` kernel declared in ``source``, in order."""
    kernels = []
    for match in _KERNEL.finditer(source):
        templated, name, params = match.group(1) is not None, match.group(2), match.group(3)
        parsed = tuple(_parse_param(p, name) for p in params.split(",") if p.strip())
        kernels.append(KernelSignature(name, family, templated, parsed))
    return kernels


def inline_includes(text: str, directory: Path) -> str:
    """Replace every ``#include "file"`` with the file's text (recursively), so one string is
    the whole program: NVRTC sees no include path and CuPy's cache key covers every line."""

    def replace(match: re.Match[str]) -> str:
        path = directory / match.group(1)
        body = inline_includes(path.read_text(), path.parent)
        return f"// ---- begin {match.group(1)} ----\n{body}// ---- end {match.group(1)} ----"

    return _INCLUDE.sub(replace, text)


class KernelLibrary:
    """A set of kernel families: family name -> complete CUDA source.

    The default library is the ``kernels/*.cu`` files of this package; tests build small
    libraries from strings (``KernelLibrary({"planted": src})``)."""

    def __init__(self, sources: Mapping[str, str]) -> None:
        self._sources = dict(sources)
        self._kernels: Dict[str, KernelSignature] = {}
        for family, text in self._sources.items():
            for sig in parse_kernels(text, family):
                if sig.name in self._kernels:
                    raise ValueError(f"kernel {sig.name} is defined twice "
                                     f"({self._kernels[sig.name].family}, {family})")
                self._kernels[sig.name] = sig

    @classmethod
    @functools.cache
    def default(cls) -> KernelLibrary:
        """The kernels of this package, read once per process."""
        return cls({path.stem: inline_includes(path.read_text(), path.parent)
                    for path in sorted(KERNEL_DIR.glob("*.cu"))})

    @property
    def families(self) -> List[str]:
        return list(self._sources)

    def source(self, family: str) -> str:
        return self._sources[family]

    def kernels(self, family: Optional[str] = None) -> List[KernelSignature]:
        return [k for k in self._kernels.values() if family is None or k.family == family]

    def signature(self, kernel: str) -> KernelSignature:
        try:
            return self._kernels[kernel]
        except KeyError:
            raise KeyError(f"no kernel named {kernel!r}; known: {sorted(self._kernels)}") from None

    def name_expressions(self, family: str) -> List[str]:
        return [e for k in self.kernels(family) for e in k.all_name_expressions()]


def cupy_options(arch: str = CHECK_ARCH) -> Tuple[str, ...]:
    """The NVRTC options a ``cupy.RawModule(code, options=RAWMODULE_OPTIONS)`` ends up with:
    ours, then what CuPy's compiler adds — its header directory and the CUDA toolkit's include
    directory (``-I``; our sources include neither), ``-ftz=true``, the architecture and
    ``--device-as-default-execution-space``. (CuPy may also add ``--pch``, which only caches
    parsed headers.)"""
    extra: Tuple[str, ...] = ()
    try:
        import cupy.cuda
        from cupy._core.core import _get_header_dir_path

        extra = (f"-I{_get_header_dir_path()}",)
        cuda_path = cupy.cuda.get_cuda_path()
        if cuda_path is not None:
            extra += (f"-I{os.path.join(cuda_path, 'include')}",)
    except ImportError:  # CuPy missing: then nothing of it is added either
        pass
    return RAWMODULE_OPTIONS + extra + ("-ftz=true", f"-arch={arch}",
                                        "--device-as-default-execution-space")


class CompileError(RuntimeError):
    """NVRTC rejected a source (errors, or warnings — they count as errors here)."""


def _nvrtc_compile(source: str, name: str, name_expressions: Sequence[str],
                   options: Sequence[str], binary: str) -> Tuple[str, Dict[str, str], bytes]:
    """Compile with NVRTC; return (log, {mangled symbol: name expression}, the PTX or cubin
    as ``binary`` says). Raises CompileError with NVRTC's log if it fails."""
    from cupy_backends.cuda.libs import nvrtc

    program = nvrtc.createProgram(source, f"{name}.cu", (), ())
    try:
        for expression in name_expressions:
            nvrtc.addNameExpression(program, expression)
        try:
            nvrtc.compileProgram(program, tuple(options))
        except nvrtc.NVRTCError as error:
            raise CompileError(f"{name}.cu does not compile:\n"
                               f"{nvrtc.getProgramLog(program)}") from error
        log = nvrtc.getProgramLog(program).replace("\x00", "").strip()
        # getLoweredName raises if an expression was not instantiated
        symbols = {nvrtc.getLoweredName(program, e): e for e in name_expressions}
        output = nvrtc.getPTX(program) if binary == "ptx" else nvrtc.getCUBIN(program)
        return log, symbols, output
    finally:
        nvrtc.destroyProgram(program)


def nvrtc_check(source: str, name: str, name_expressions: Sequence[str],
                arch: str = CHECK_ARCH) -> str:
    """Compile ``source`` to PTX with NVRTC as CuPy would, plus ``-Werror=all-warnings``.

    Needs only the NVRTC library (no GPU, no driver). Returns the PTX; raises CompileError with
    NVRTC's log on any error or warning."""
    options = cupy_options(arch) + ("-Werror=all-warnings",)
    log, _, ptx = _nvrtc_compile(source, name, name_expressions, options, "ptx")
    if log:
        raise CompileError(f"{name}.cu compiles with diagnostics:\n{log}")
    return ptx.decode() if isinstance(ptx, bytes) else str(ptx)


# The architecture the cubin check compiles for (an H100/H200), and its per-SM resources for
# the occupancy estimate (CUDA occupancy calculator, compute capability 9.0).
CUBIN_ARCH = "sm_90"
SM90 = {"registers": 65536, "register_granularity": 256, "max_registers": 255,
        "warps": 64, "blocks": 32, "shared": 233472, "shared_reserved": 1024,
        "shared_granularity": 128}

_PTXAS_ENTRY = re.compile(r"Compiling entry function '(\w+)' for '(\w+)'")
_PTXAS_STACK = re.compile(r"(\d+) bytes stack frame, (\d+) bytes spill stores, "
                          r"(\d+) bytes spill loads")
_PTXAS_USED = re.compile(r"Used (\d+) registers(?:, used (\d+) barriers)?"
                         r"(?:, \d+ bytes cumulative stack size)?(?:, (\d+) bytes smem)?")


@dataclass(frozen=True)
class KernelResources:
    """What ptxas reports for one instantiation compiled for a real architecture."""

    expression: str  # relu_forward<float>
    registers: int
    stack: int
    spill_stores: int
    spill_loads: int
    shared: int  # static shared memory, bytes

    def occupancy(self, threads_per_block: int) -> float:
        """Theoretical occupancy on sm_90 (active warps / 64) for blocks of that many
        threads: the least of the register, shared-memory, warp and block limits."""
        warps = -(-threads_per_block // 32)
        granule = SM90["register_granularity"]
        regs_per_warp = -(-max(self.registers, 1) * 32 // granule) * granule
        by_registers = (SM90["registers"] // regs_per_warp) // warps
        shared = -(-self.shared // SM90["shared_granularity"]) * SM90["shared_granularity"]
        by_shared = SM90["shared"] // (shared + SM90["shared_reserved"])
        blocks = min(by_registers, by_shared, SM90["warps"] // warps, SM90["blocks"])
        return blocks * warps / SM90["warps"]


def cubin_check(source: str, name: str, name_expressions: Sequence[str],
                arch: str = CUBIN_ARCH) -> List[KernelResources]:
    """Compile ``source`` with NVRTC all the way to an ``arch`` cubin — through ptxas, as the
    driver does when CuPy loads a module — and return ptxas's resource report per
    instantiation. Raises CompileError on any error or warning (ptxas's too: too much shared
    data, too many registers), and on spills."""
    options = cupy_options(arch) + ("-Werror=all-warnings", "--ptxas-options=-v")
    log, by_symbol, _ = _nvrtc_compile(source, name, name_expressions, options, "cubin")
    return _parse_ptxas(log, name, by_symbol)


def _parse_ptxas(log: str, name: str, by_symbol: Mapping[str, str]) -> List[KernelResources]:
    diagnostics = [line for line in log.splitlines()
                   if line.strip() and not line.startswith("ptxas")]
    if diagnostics:
        raise CompileError(f"{name}.cu compiles with diagnostics:\n" + "\n".join(diagnostics))
    resources: List[KernelResources] = []
    current: Optional[str] = None
    stack = (0, 0, 0)
    for line in log.splitlines():
        if (entry := _PTXAS_ENTRY.search(line)) is not None:
            current = entry.group(1)
        elif (frame := _PTXAS_STACK.search(line)) is not None:
            stack = (int(frame.group(1)), int(frame.group(2)), int(frame.group(3)))
        elif (used := _PTXAS_USED.search(line)) is not None and current in by_symbol:
            resources.append(KernelResources(by_symbol[current], int(used.group(1)), *stack,
                                             shared=int(used.group(3) or 0)))
            current = None
    missing = set(by_symbol.values()) - {r.expression for r in resources}
    if missing:
        raise CompileError(f"{name}.cu: ptxas reported nothing for {sorted(missing)}:\n{log}")
    spills = [r for r in resources if r.spill_stores or r.spill_loads]
    if spills:
        raise CompileError(f"{name}.cu: registers spill to local memory in " + ", ".join(
            f"{r.expression} ({r.spill_stores} bytes stored, {r.spill_loads} loaded)"
            for r in spills))
    return resources
