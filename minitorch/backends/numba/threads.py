"""One knob for the two thread pools the Numba backend uses.

The backend's work runs in two places:

* Numba ``prange`` loops (im2col/col2im, average pooling, activations, softmax...) run on
  Numba's thread pool, sized with :func:`numba.set_num_threads`, and so do the direct
  convolutions, whose serial kernels small ``prange`` launchers call by address
  (:func:`call_native`); the serial kernels that :func:`parallel_for` spreads over a range
  (max pooling, bias grad) run on a pool of Python threads of the same count
  (:func:`get_num_threads`). Numba's pool
  is launched with ``NUMBA_NUM_THREADS`` workers (default: the number of cores), and
  ``set_num_threads`` can only *lower* the active count below that.
* Every GEMM (the convolutions' column products, ``linear``) goes to NumPy's BLAS — in this
  venv the OpenBLAS build bundled with NumPy wheels (``scipy_openblas64``), which has its own
  pthread pool.

``threadpoolctl`` is not installed here, so we do what it does by hand: find the OpenBLAS
shared object that NumPy already loaded (``/proc/self/maps`` on Linux), open it again with
:mod:`ctypes` (the loader hands back the same, already-initialised library) and call its
``*_set_num_threads`` entry point. If no OpenBLAS can be found (another BLAS, or not Linux) the
BLAS pool is left alone; set ``OPENBLAS_NUM_THREADS`` / ``OMP_NUM_THREADS`` / ``MKL_NUM_THREADS``
in the environment *before* NumPy is imported to limit it in that case.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterator, List, Optional, Tuple

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic
from numba.np.ufunc import parallel as numba_parallel

# Entry points to try, in order, on the OpenBLAS library (NumPy's wheel prefixes and suffixes
# the names; a system OpenBLAS uses the plain ones).
_SET_NAMES = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
              "openblas_set_num_threads64_", "openblas_set_num_threads")
_GET_NAMES = ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads",
              "openblas_get_num_threads64_", "openblas_get_num_threads")

_blas: Optional[ctypes.CDLL] = None
_blas_searched = False


def _loaded_openblas_paths() -> List[str]:
    """Paths of every loaded shared object whose file name mentions openblas."""
    paths: List[str] = []
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1] if line.strip() else ""
                if "openblas" in os.path.basename(path).lower() and path not in paths:
                    paths.append(path)
    except OSError:
        pass
    return paths


def blas_library() -> Optional[ctypes.CDLL]:
    """NumPy's OpenBLAS as a ctypes library, or None."""
    global _blas, _blas_searched
    if not _blas_searched:
        _blas_searched = True
        np.ones((2, 2)) @ np.ones((2, 2))  # make sure NumPy's BLAS is loaded
        numpy_dir = os.path.dirname(os.path.dirname(np.__file__))
        paths = _loaded_openblas_paths()
        # Prefer the copy that ships with NumPy (torch or others may load their own BLAS).
        paths.sort(key=lambda p: not p.startswith(numpy_dir))
        for path in paths:
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            if any(hasattr(lib, name) for name in _SET_NAMES):
                _blas = lib
                break
    return _blas


_functions: dict = {}


def _blas_function(names: tuple) -> Optional[Callable]:
    """The first of ``names`` that OpenBLAS exports, looked up once (ctypes' attribute lookup
    is a ``dlsym`` plus a new function object: tens of µs, and the conv and linear paths ask
    for these on every call)."""
    if names not in _functions:
        lib = blas_library()
        fn = None
        for name in names if lib is not None else ():
            if hasattr(lib, name):
                fn = getattr(lib, name)
                break
        if fn is not None:
            is_set = names is _SET_NAMES
            fn.argtypes = [ctypes.c_int] if is_set else []
            fn.restype = None if is_set else ctypes.c_int
        _functions[names] = fn
    return _functions[names]


def set_blas_num_threads(n: int) -> bool:
    """Set OpenBLAS's thread count; False if NumPy's BLAS could not be reached."""
    fn = _blas_function(_SET_NAMES)
    if fn is None:
        return False
    fn(int(n))
    return True


def get_blas_num_threads() -> Optional[int]:
    """OpenBLAS's thread count, or None if unknown."""
    fn = _blas_function(_GET_NAMES)
    if fn is None:
        return None
    return int(fn())


@contextlib.contextmanager
def blas_threads(n: int) -> Iterator[None]:
    """Run the block with OpenBLAS limited to ``n`` threads, then restore its count.

    The convolution kernels call BLAS from inside Numba's parallel loops (one image per thread);
    BLAS must then be single-threaded, or each call would try to fan out over cores that are
    already busy. Cheap: OpenBLAS just stores the number (about a µs per call through ctypes).

    The linear layer's small products use it too (see ``linear.py``): a multi-threaded OpenBLAS
    call leaves its worker threads spinning for a while afterwards, and on a machine with few
    cores they then fight Numba's workers (themselves spinning after each parallel loop) — the
    next small kernel on either pool waits for a scheduler time slice (``benchmarks/README.md``).
    Keeping every BLAS call of a training step single-threaded means OpenBLAS's workers never
    wake up."""
    previous = get_blas_num_threads()
    if previous is None or previous == n:
        yield
        return
    set_blas_num_threads(n)
    try:
        yield
    finally:
        set_blas_num_threads(previous)


# Work (elements read and written) below which a parallel kernel runs on the calling thread
# alone. Waking the pool for a few microseconds of work costs more than it saves (about 10 µs
# per launch on a quiet 2-core machine), and on a busy one a parallel loop waits for every
# worker to get a time slice — milliseconds. PyTorch's CPU kernels likewise stay serial below
# a grain of 32768 elements.
SERIAL_WORK = 1 << 16


def sized_call(work: int, kernel: Callable, *args: Any) -> Any:
    """``kernel(*args)``; when ``work < SERIAL_WORK`` with Numba's pool cut to the calling
    thread for the call (the count is per calling thread, so other threads are unaffected;
    a ``prange`` loop, and :func:`parallel_for`, then run inline: no worker wakes). Under
    a µs."""
    if work >= SERIAL_WORK:
        return kernel(*args)
    n = _get_threads()
    if n == 1:
        return kernel(*args)
    _set_threads(1)
    try:
        return kernel(*args)
    finally:
        _set_threads(n)


# Numba's parallel loops run on its OpenMP layer here (GNU libgomp), whose workers spin for a
# while after each loop before they sleep (``GOMP_SPINCOUNT``: 300,000 ``pause`` instructions
# by default — 3.5 ms on a 2-core Intel AVX-512 VM). The kernels of :func:`parallel_for` run
# on Python threads beside them: a worker still spinning after a ``prange`` loop holds the
# core that the next direct convolution's thread needs, until the scheduler preempts it. The
# pool is therefore launched with a short spin, 10,000 pauses (~0.1 ms): long enough to catch
# the next loop of a run of elementwise kernels (with no spin at all each loop waits for its
# worker to wake: relu forward 1.9× torch's time instead of 1.0), short enough to leave the
# core to a convolution soon (measured on that VM with `GOMP_SPINCOUNT=<n> python -m
# benchmarks --engines numba,torch --only model`: seed CNN step at batch 64 0.86× torch with
# 10,000, 0.89× with 0, 1.17× with the default; batch 8 1.35, 1.24, 1.58).
# A libgomp reads the setting when it loads; the variable is removed again at once, so
# torch's bundled libgomp, loaded before or after, keeps its own — and the layer is loaded
# with ``RTLD_DEEPBIND``, so it runs on the libgomp it was linked with even when torch's,
# imported first, already exports the same symbols (it would otherwise bind to that one and
# spin with its settings). Set ``GOMP_SPINCOUNT`` or ``OMP_WAIT_POLICY`` yourself to choose
# otherwise.
POOL_SPINCOUNT = "10000"


def launch_numba_pool() -> None:
    """Start Numba's thread pool (a no-op once started) on its own libgomp, with workers that
    spin ``POOL_SPINCOUNT`` pauses after a loop — unless the environment already says how
    they should wait."""
    if numba_parallel._is_initialized:
        return
    ours = not any(name in os.environ for name in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY"))
    if ours:
        os.environ["GOMP_SPINCOUNT"] = POOL_SPINCOUNT
    flags = sys.getdlopenflags()
    try:
        # RTLD_DEEPBIND: the layer's calls bind to the libgomp it was linked with, even when
        # another libgomp is already loaded with global symbols (torch's, when torch is
        # imported first): that one read its settings when it loaded, and spins.
        sys.setdlopenflags(flags | getattr(os, "RTLD_DEEPBIND", 0))
        numba.get_num_threads()  # loads the threading layer and launches its workers
    finally:
        sys.setdlopenflags(flags)
        if ours:
            del os.environ["GOMP_SPINCOUNT"]


launch_numba_pool()  # now, before anything (set_num_threads, a kernel) launches it otherwise
# Numba's own get/set of the calling thread's active thread count — what
# ``numba.get_num_threads`` / ``numba.set_num_threads`` call after taking a lock and checking
# the argument (4 µs a pair; these: 0.3 µs). They exist once the pool is launched.
_get_threads, _set_threads = numba_parallel._get_num_threads, numba_parallel._set_num_threads


def set_num_threads(n: int) -> None:
    """Use ``n`` threads for both Numba's parallel loops and BLAS.

    ``n`` is clipped to ``[1, NUMBA_NUM_THREADS]`` (the size of Numba's launched pool)."""
    n = max(1, min(int(n), numba.config.NUMBA_NUM_THREADS))
    numba.set_num_threads(n)
    set_blas_num_threads(n)


def get_num_threads() -> int:
    """Numba's active thread count for the calling thread (BLAS is kept equal to it by
    :func:`set_num_threads`). Asked by every conv and linear call: Numba's raw getter."""
    return int(_get_threads())


# --------------------------------------------------------------------------- the parallel driver
_executor: Optional[ThreadPoolExecutor] = None
_executor_workers = 0
_executor_lock = threading.Lock()


def _workers(n: int) -> ThreadPoolExecutor:
    """A pool of at least ``n`` worker threads, made once (and remade larger if asked)."""
    global _executor, _executor_workers
    with _executor_lock:
        if _executor is None or _executor_workers < n:
            if _executor is not None:
                _executor.shutdown(wait=False)
            _executor = ThreadPoolExecutor(max_workers=n, thread_name_prefix="minitorch")
            _executor_workers = n
        return _executor


# Elements of memory-bound work (a pooling or bias-gradient pass) a chunk of parallel_for
# must hold to pay for its thread. Handing a chunk to the pool's Python thread costs 20-90 µs
# — the worker takes the GIL to pick the task up, call the kernel and report back (measured
# on a 2-core VM: `parallel_for` of a 1-µs kernel took 19 µs after an idle pause, 93 µs back
# to back) — about what one core needs to stream 2^18 float32 elements (1 MiB).
THREAD_MIN_ELEMENTS = 1 << 18


def grain_for(item_elements: int, min_elements: Optional[int] = None) -> int:
    """The ``grain`` (items per chunk) of a memory-bound :func:`parallel_for` whose items
    hold ``item_elements`` elements each: chunks of at least ``min_elements``
    (:data:`THREAD_MIN_ELEMENTS` by default; a lighter pass per element needs more)."""
    least = THREAD_MIN_ELEMENTS if min_elements is None else min_elements
    return max(1, least // max(1, int(item_elements)))


def parallel_for(kernel: Callable[..., object], n: int, *args: object, grain: int = 1) -> None:
    """Run ``kernel(lo, hi, *args)`` over ``range(n)`` cut into :func:`get_num_threads`
    contiguous chunks [lo, hi) (fewer if a chunk would hold less than ``grain`` items: work
    too small to be worth a thread runs in one call), one per thread: the calling thread
    takes the first, a pool of Python threads the others, and the call returns when all are
    done (an exception in any chunk is raised here).

    ``kernel`` is a serial ``@njit(nogil=True, cache=True)`` function whose body loops
    ``for t in range(lo, hi)`` — what a ``parallel=True`` kernel would write as
    ``for t in prange(n)``. The threads then run compiled code side by side, without the GIL.
    Why not ``parallel=True``: Numba compiles a ``prange`` kernel's loop body into a
    gufunc, links it into two wrapper libraries and then into the kernel, optimising and
    generating machine code for it at each step (four times), after its parfor analysis
    passes — about twice the compile time of the serial kernel (``python -m
    benchmarks.coldstart`` lists it per kernel; with this driver a first training step
    compiles in about half the time). Launching the chunks costs tens of µs, like
    Numba's own thread pool; with one thread (or n ≤ 1) the kernel runs inline."""
    chunks = max(1, min(int(n) // max(1, int(grain)), get_num_threads()))
    if chunks == 1:
        kernel(0, n, *args)
        return
    bounds = [n * i // chunks for i in range(chunks + 1)]
    pool = _workers(chunks - 1)
    futures = [pool.submit(kernel, bounds[i], bounds[i + 1], *args) for i in range(1, chunks)]
    try:
        kernel(bounds[0], bounds[1], *args)
    finally:
        for f in futures:
            f.result()


# --------------------------------------------------------------------------- Numba's own pool
@intrinsic
def call_native(typingctx, address, *args):
    """``f(*args)`` for the compiled Numba function f whose machine code starts at ``address``
    (:func:`native_address`): an indirect call, so a ``parallel=True`` launcher that runs a
    big kernel on Numba's OpenMP pool — ``for t in prange(T): call_native(address, t, t+1,
    ...)`` — compiles in a fraction of a second instead of compiling the kernel into itself
    again (1-2 s per kernel: Numba links the callee's code into the launcher and optimises
    and generates it anew). f must return nothing and raise nothing (its status is not
    checked): the kernels run this way are loops over arrays without exceptions."""
    argtys = tuple(args[0]) if len(args) == 1 and isinstance(args[0], types.StarArgTuple) \
        else tuple(args)
    if not isinstance(address, types.Integer):
        raise TypeError(f"call_native expects an integer address, got {address}")

    def codegen(context, builder, signature, llargs):
        call_conv = context.call_conv
        fnty = call_conv.get_function_type(types.none, argtys)
        fnptr = builder.inttoptr(llargs[0], fnty.as_pointer())
        values = [builder.extract_value(llargs[1], i) for i in range(len(argtys))]
        call_conv.call_function(builder, fnptr, types.none, argtys, values)
        return context.get_dummy_value()

    return types.none(address, types.StarArgTuple(argtys)), codegen


_addresses: dict = {}


def native_address(kernel: Any, key: Any, args: Tuple[Any, ...]) -> int:
    """The address of the machine code of ``kernel(lo, hi, *args)`` — a ``parallel_for``
    kernel — for :func:`call_native`: compiled (or loaded from the cache) by one call over
    an empty range the first time, then remembered under ``key`` (what decides the
    argument types, e.g. the dtype and vector width: the caller knows it cheaply)."""
    address = _addresses.get((kernel, key))
    if address is None:
        kernel(0, 0, *args)  # compiles or loads it; an empty range runs nothing
        signature = tuple(kernel.typeof_pyval(a) for a in (0, 0, *args))
        compiled = kernel.overloads[signature]
        address = compiled.library.get_pointer_to_function(compiled.fndesc.llvm_func_name)
        _addresses[(kernel, key)] = address
    return address


def run_on_pool(kernel: Any, launcher: Any, key: Any, threads: int, *args: Any) -> None:
    """``kernel(t, t + 1, *args)`` for t in range(threads): on Numba's pool through
    ``launcher(address, threads, *args)`` — a ``prange`` loop of :func:`call_native` — when
    there is more than one, else on the calling thread. ``key`` names the kernel's argument
    types for :func:`native_address` (dtype, vector width, which inputs are read-only)."""
    if threads > 1:
        launcher(native_address(kernel, key, args), threads, *args)
    else:
        kernel(0, threads, *args)


@intrinsic
def claim(typingctx, counter):
    """``counter[0]``, then ``counter[0] += 1``, as one atomic step (LLVM ``atomicrmw add``):
    the next item of work, for threads that share the items of one :func:`parallel_for`
    call as they go — ``n = claim(c)`` until ``n`` runs past the last item. A thread that
    starts late (waking a pool thread costs tens of µs) or loses its core for a while then
    takes fewer items instead of holding up the call. ``counter`` is a 1-element int64
    array, 0 before the call; the ordering is ``monotonic`` (the items' results are
    disjoint, and the pool's join orders them before the caller reads them)."""
    if not (isinstance(counter, types.Array) and counter.dtype == types.int64
            and counter.ndim == 1):
        raise TypeError(f"claim expects a 1-D int64 array, got {counter}")

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, value=args[0]).data
        return builder.atomic_rmw("add", data, ir.Constant(ir.IntType(64), 1), "monotonic")

    return types.int64(counter), codegen
