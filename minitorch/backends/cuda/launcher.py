"""Kernel launchers: how a kernel name, a grid, a block and arguments become a launch.

The backend calls ``launcher.launch("relu_forward", x.dtype, grid, block, (x, y, n))`` and
never knows whether the kernel runs on a GPU (:class:`CupyLauncher`) or in the CPU emulator
(:class:`minitorch.backends.cuda.emulator.EmulatedLauncher`). Both share
:meth:`KernelLauncher.launch`, which checks every argument against the C signature parsed
from the ``.cu`` source:

* a pointer parameter ``const float* x`` takes a C-contiguous array of float32 of this
  launcher's array module;
* a scalar parameter ``long long n`` takes a NumPy scalar of exactly that width
  (``numpy.int64(n)``). A Python ``int`` or ``float`` is refused: CuPy would pass it with a
  width of its own choosing, and a kernel that reads 4 bytes where 8 were pushed (or the
  other way round) gets garbage in this and every later argument.

The checks cost little per launch: everything that does not depend on the argument values
(signature, element type, geometry limits) is resolved once per kernel, dtype and geometry
into a *plan*, and the argument check is a function generated once per kernel and dtype.
Inside a CUDA-graph capture (:mod:`minitorch.backends.cuda.graphs`) a checked launch is also
recorded, and a replay calls ``_run`` directly.
"""

from __future__ import annotations

import threading
from types import ModuleType
from typing import Any, Callable, Dict, Optional, Sequence, Tuple, Union

import numpy as np

from minitorch.backends.cuda.graphs import (
    _capturing,
    _plain,
    capturing_graph,
    refuse_during_capture,
)
from minitorch.backends.cuda.sources import RAWMODULE_OPTIONS, KernelLibrary, KernelSignature

Dim = Union[int, Tuple[int, ...]]
Dim3 = Tuple[int, int, int]


def dim3(value: Dim) -> Dim3:
    """``7 -> (7, 1, 1)``, ``(4, 2) -> (4, 2, 1)``: CUDA's dim3 defaults."""
    values = (value,) if isinstance(value, (int, np.integer)) else tuple(value)
    if not 1 <= len(values) <= 3:
        raise ValueError(f"a grid or block has 1 to 3 dimensions, got {value!r}")
    values = values + (1,) * (3 - len(values))
    if any(int(v) < 1 for v in values):
        raise ValueError(f"every grid and block dimension must be ≥ 1, got {value!r}")
    return (int(values[0]), int(values[1]), int(values[2]))


# The driver's launch limits (compute capability 5.0 and later, sm_90 included). A launch
# outside them never starts on a GPU: cuLaunchKernel returns CUDA_ERROR_INVALID_VALUE (the
# runtime API's <<<...>>> reports cudaErrorInvalidConfiguration).
MAX_GRID = (2**31 - 1, 65535, 65535)
MAX_BLOCK = (1024, 1024, 64)
MAX_THREADS_PER_BLOCK = 1024
# Shared memory per block: 48 KB unless the kernel opts in (cudaFuncSetAttribute with
# cudaFuncAttributeMaxDynamicSharedMemorySize), then up to 227 KB on sm_90.
DEFAULT_SHARED_BYTES = 48 * 1024
OPT_IN_SHARED_BYTES = 227 * 1024


class LaunchError(ValueError):
    """A launch a GPU would refuse (its geometry or shared memory exceeds the limits)."""


def check_geometry(kernel: str, grid: Dim3, block: Dim3, shared_bytes: int = 0,
                   max_shared_bytes: int = DEFAULT_SHARED_BYTES) -> None:
    """Raise :class:`LaunchError`, with the driver's error name, unless ``grid`` × ``block``
    with ``shared_bytes`` of dynamic shared memory is a launch a GPU accepts."""
    if (grid[0] <= MAX_GRID[0] and grid[1] <= MAX_GRID[1] and grid[2] <= MAX_GRID[2]
            and block[0] <= MAX_BLOCK[0] and block[1] <= MAX_BLOCK[1]
            and block[2] <= MAX_BLOCK[2] and block[0] * block[1] * block[2]
            <= MAX_THREADS_PER_BLOCK and 0 <= shared_bytes <= max_shared_bytes
            <= OPT_IN_SHARED_BYTES):
        return  # the common case builds no message
    error = ("CUDA_ERROR_INVALID_VALUE (cudaErrorInvalidConfiguration: invalid configuration "
             f"argument) launching {kernel}: ")
    for what, dims, limits in (("grid", grid, MAX_GRID), ("block", block, MAX_BLOCK)):
        for axis, value, limit in zip("xyz", dims, limits, strict=True):
            if value > limit:
                raise LaunchError(f"{error}{what} dimension {axis} is {value}, at most {limit}"
                                  f" (grid={grid}, block={block})")
    threads = block[0] * block[1] * block[2]
    if threads > MAX_THREADS_PER_BLOCK:
        raise LaunchError(f"{error}a block has at most {MAX_THREADS_PER_BLOCK} threads, got "
                          f"{threads} (block={block})")
    if max_shared_bytes > OPT_IN_SHARED_BYTES:
        raise LaunchError(f"{error}at most {OPT_IN_SHARED_BYTES} bytes of shared memory per "
                          f"block can be opted in to, not {max_shared_bytes}")
    raise LaunchError(f"{error}{shared_bytes} bytes of dynamic shared memory, at most "
                      f"{max_shared_bytes} (48 KB unless the kernel opts in to up to 227 KB)")


MAX_PLANS = 4096  # launch plans a launcher remembers before starting again

# (signature, C element type, grid, block, argument check)
_Plan = Tuple[KernelSignature, Optional[str], Dim3, Dim3, Callable[[Sequence[Any]], bool]]


class KernelLauncher:
    """Shared argument checking; subclasses implement :meth:`_run`."""

    xp: ModuleType
    max_threads_per_block = MAX_THREADS_PER_BLOCK
    poison_outputs = False  # whether the backend fills new output arrays with 0xFF bytes

    def __init__(self, library: Optional[KernelLibrary] = None) -> None:
        self.library = library or KernelLibrary.default()
        self._arg_specs: Dict[Tuple[str, Optional[str]], Tuple[Tuple[bool, np.dtype], ...]] = {}
        self._plans: Dict[Tuple[Any, ...], _Plan] = {}
        self._fits: Dict[Tuple[str, Optional[str]], Callable[[Sequence[Any]], bool]] = {}

    def launch(self, kernel: str, dtype: Any, grid: Dim, block: Dim,
               args: Sequence[Any], shared_bytes: int = 0,
               max_shared_bytes: int = DEFAULT_SHARED_BYTES) -> None:
        """Run ``kernel`` (instantiated for ``dtype`` if it is a template) on ``grid`` blocks
        of ``block`` threads with ``args``; ``shared_bytes`` of dynamic shared memory, within
        ``max_shared_bytes`` (the kernel's opt-in limit).

        The host's work per launch is one dictionary look-up of the launch's *plan* (kernel
        signature, C element type, checked geometry and a generated argument check, made once
        per kernel, dtype and geometry by :meth:`_plan`) and that check; the full
        :meth:`check_args`, and any error text, only when the quick check says no."""
        try:
            plan = self._plans[(kernel, dtype, grid, block, shared_bytes, max_shared_bytes)]
        except (KeyError, TypeError):  # a new geometry, or an unhashable one (a list)
            plan = self._plan(kernel, dtype, grid, block, shared_bytes, max_shared_bytes)
        sig, element, grid3, block3, fits = plan
        if not fits(args):
            self.check_args(sig, element, args)  # raises (or accepts an equal dtype spelling)
        if _capturing and capturing_graph() is not None:
            self._capture(capturing_graph(), sig, element, grid3, block3, args, shared_bytes)
        else:
            self._run(sig, element, grid3, block3, args, shared_bytes)

    def _capture(self, graph: Any, sig: KernelSignature, element: Optional[str], grid: Dim3,
                 block: Dim3, args: Sequence[Any], shared_bytes: int) -> None:
        """Inside a graph capture: record the launch (already checked) so that a replay runs
        it on the same arrays, then run it (see :mod:`minitorch.backends.cuda.graphs`)."""
        plain = tuple(_plain(a) if isinstance(a, np.ndarray) else a for a in args)
        written = tuple(a for p, a in zip(sig.params, plain, strict=True)
                        if p.pointer and not p.const)
        graph.record_launch(self._run, (sig, element, grid, block, plain, shared_bytes),
                            written)
        self._run(sig, element, grid, block, plain, shared_bytes)

    def _plan(self, kernel: str, dtype: Any, grid: Dim, block: Dim, shared_bytes: int,
              max_shared_bytes: int) -> _Plan:
        """Resolve and check everything about a launch that does not depend on the argument
        values, and remember it (up to MAX_PLANS geometries)."""
        sig = self.library.signature(kernel)
        element = sig.element_type(np.dtype(dtype) if dtype is not None else None)
        grid3, block3 = dim3(grid), dim3(block)
        check_geometry(kernel, grid3, block3, shared_bytes, max_shared_bytes)
        fits = self._fits.get((sig.name, element))
        if fits is None:
            fits = self._fits[(sig.name, element)] = self._argument_check(sig, element)
        plan = (sig, element, grid3, block3, fits)
        if len(self._plans) >= MAX_PLANS:
            self._plans.clear()
        try:
            self._plans[(kernel, dtype, grid, block, shared_bytes, max_shared_bytes)] = plan
        except TypeError:
            pass
        return plan

    def _argument_check(self, sig: KernelSignature,
                        element: Optional[str]) -> Callable[[Sequence[Any]], bool]:
        """A function ``args -> bool`` generated for one kernel and element type: True when
        every argument is exactly what the C signature takes (an array of this launcher's
        module with the pointed-to dtype, C-contiguous; a NumPy scalar of the exact type),
        written out argument by argument with no loop. False sends the launch to
        :meth:`check_args`."""
        names = [f"a{i}" for i in range(len(sig.params))]
        env: Dict[str, Any] = {"A": self.xp.ndarray}
        tests = []
        for i, param in enumerate(sig.params):
            want = param.dtype(element)
            if param.pointer:
                env[f"D{i}"] = want
                tests.append(f"isinstance(a{i}, A) and a{i}.dtype == D{i} "
                             f"and a{i}.flags.c_contiguous")
            else:
                env[f"S{i}"] = want.type
                tests.append(f"type(a{i}) is S{i}")
        unpack = f"    {', '.join(names)}, = args\n" if names else ""
        source = (f"def fits(args):\n    if len(args) != {len(names)}:\n        return False\n"
                  f"{unpack}    return {' and '.join(tests) or 'True'}\n")
        exec(compile(source, f"<argument check of {sig.name}<{element}>>", "exec"), env)
        return env["fits"]

    def check_args(self, sig: KernelSignature, element: Optional[str],
                   args: Sequence[Any]) -> None:
        """Raise TypeError unless ``args`` match the kernel's C parameter types exactly.

        Runs on every launch, so it only compares: the expected (pointer?, dtype) of each
        parameter is worked out once per kernel and element type, and the error text is
        built by :meth:`_refuse_args` only when an argument is wrong."""
        key = (sig.name, element)
        specs = self._arg_specs.get(key)
        if specs is None:
            specs = tuple((p.pointer, p.dtype(element)) for p in sig.params)
            self._arg_specs[key] = specs
        array, generic = self.xp.ndarray, np.generic
        if len(args) == len(specs):
            for (pointer, want), arg in zip(specs, args):  # noqa: B905 (lengths checked)
                if pointer:
                    if not (isinstance(arg, array) and arg.dtype == want
                            and arg.flags.c_contiguous):
                        break
                elif not (isinstance(arg, generic) and arg.dtype == want):
                    break
            else:
                return
        self._refuse_args(sig, element, args)

    def _refuse_args(self, sig: KernelSignature, element: Optional[str],
                     args: Sequence[Any]) -> None:
        """Raise the TypeError that says which argument is wrong and how."""
        expression = f"{sig.name}<{element}>" if element else sig.name
        if len(args) != len(sig.params):
            raise TypeError(f"{expression} takes {len(sig.params)} arguments "
                            f"({', '.join(p.name for p in sig.params)}), got {len(args)}")
        for param, arg in zip(sig.params, args, strict=True):
            c_type, want = param.c_type(element), param.dtype(element)
            where = f"argument {param.name!r} of {expression} (C type `{c_type}`)"
            if param.pointer:
                if not isinstance(arg, self.xp.ndarray):
                    raise TypeError(f"{where} must be a {self.xp.__name__}.ndarray, "
                                    f"got {type(arg).__name__}")
                if arg.dtype != want:
                    raise TypeError(f"{where} must be an array of {want}, got {arg.dtype}")
                if not arg.flags.c_contiguous:
                    raise TypeError(f"{where} must be C-contiguous")
            elif isinstance(arg, np.generic):  # first: numpy.float64 is also a Python float
                if arg.dtype != want:
                    raise TypeError(f"{where} must be a numpy.{want.name} scalar, "
                                    f"got {arg.dtype}")
            elif isinstance(arg, (bool, int, float)):
                raise TypeError(f"{where} got a Python {type(arg).__name__}; pass numpy."
                                f"{want.name}(...) — a GPU reads exactly {want.itemsize} bytes "
                                f"for this argument, whatever width Python's value is sent as")
            else:
                raise TypeError(f"{where} must be a numpy.{want.name} scalar, "
                                f"got {type(arg).__name__}")

    def _run(self, sig: KernelSignature, element: Optional[str], grid: Dim3, block: Dim3,
             args: Sequence[Any], shared_bytes: int = 0) -> None:
        raise NotImplementedError

    def synchronize(self) -> None:
        """Wait for every launched kernel (the emulator is synchronous already)."""


class CupyLauncher(KernelLauncher):
    """Launches on the GPU. Each family is compiled by NVRTC once per process into a
    ``cupy.RawModule`` (CuPy also keeps the binary in its on-disk cache), with every
    instantiation named up front through ``name_expressions``."""

    def __init__(self, library: Optional[KernelLibrary] = None) -> None:
        super().__init__(library)
        import cupy

        self.xp = cupy
        self._modules: Dict[str, Any] = {}
        self._functions: Dict[Tuple[str, Optional[str]], Any] = {}
        self._lock = threading.Lock()

    def module(self, family: str) -> Any:
        """The compiled ``cupy.RawModule`` of a family."""
        module = self._modules.get(family)
        if module is None:
            with self._lock:
                module = self._modules.get(family)
                if module is None:
                    module = self.xp.RawModule(code=self.library.source(family),
                                               options=RAWMODULE_OPTIONS,
                                               name_expressions=self.library.name_expressions(
                                                   family))
                    self._modules[family] = module
        return module

    def _run(self, sig: KernelSignature, element: Optional[str], grid: Dim3, block: Dim3,
             args: Sequence[Any], shared_bytes: int = 0) -> None:
        function = self._functions.get((sig.name, element))
        if function is None:  # once per kernel and dtype
            expression = f"{sig.name}<{element}>" if element else sig.name
            function = self.module(sig.family).get_function(expression)
            self._functions[(sig.name, element)] = function
        function(grid, block, args if type(args) is tuple else tuple(args),
                 shared_mem=shared_bytes)

    def _capture(self, graph: Any, sig: KernelSignature, element: Optional[str], grid: Dim3,
                 block: Dim3, args: Sequence[Any], shared_bytes: int) -> None:
        """On a GPU the stream capture records the launch itself; count it."""
        graph.count_kernel()
        self._run(sig, element, grid, block, args, shared_bytes)

    def synchronize(self) -> None:
        refuse_during_capture("synchronize()")
        self.xp.cuda.get_current_stream().synchronize()
