"""CUDA graphs: record a region of device work once, replay it on the same arrays.

``minitorch.cuda.CUDAGraph`` and ``minitorch.cuda.graph`` follow ``torch.cuda``'s semantics::

    static_x, static_y = ..., ...                     # inputs the graph reads, allocated first
    for _ in range(3):                                # warm-up, eagerly (creates the optimizer
        step(static_x, static_y)                      # state the graph will update in place)
    g = minitorch.cuda.CUDAGraph()
    with minitorch.cuda.graph(g):                     # recorded, not run
        optimizer.zero_grad(set_to_none=True)
        static_loss = loss_fn(model(static_x), static_y)
        static_loss.backward()
        optimizer.step()
    for x, y in batches:
        static_x.copy_(x); static_y.copy_(y)
        g.replay()                                    # the recorded launches, in order, on the
        print(static_loss.item())                     # current contents of the static arrays

* Inside the ``with`` block nothing visible happens to memory that existed before it: kernels,
  GEMMs, memsets, copies and elementwise operations are recorded. Arrays allocated inside are
  kept alive by the graph, which always replays on those same arrays (static addresses), so
  outputs captured there (``static_loss``) are read after each replay.
* A host synchronisation or a read of device data inside the block (``.item()``, ``float()``,
  ``bool()``, ``.tolist()``, printing, ``minitorch.cuda.synchronize()``) raises
  :class:`StreamCaptureError`: "operation not permitted when stream is capturing", as torch.
* ``g.replay()`` re-runs the recording; ``g.reset()`` drops it and the arrays it keeps;
  ``g.launches`` is the number of device operations one replay runs (``g.launch_counts`` per
  kind).

Two recorders behind that one API:

* ``"cuda"`` (a GPU): CuPy's stream capture. The region runs on a private non-blocking stream
  between ``stream.begin_capture()`` and ``stream.end_capture()``; every CuPy operation,
  cuBLAS call and kernel of ours is captured by the driver into a ``cupy.cuda.Graph``, and
  ``replay`` is ``graph.launch()``. Allocations during capture go through an allocator that
  keeps every block, so the pool never hands a block the graph writes to anyone else.
* ``"cuda-emulated"`` (the CPU emulator, NumPy arrays): there is no driver to capture, so the
  recording is ours. At capture start every live tensor's array (and every optimizer state
  array) is replaced by a :class:`DeviceArray` view of the same memory, whose
  ``__array_ufunc__``/``__array_function__`` and array methods record each operation; kernel
  launches are recorded by :meth:`KernelLauncher.launch`. To give each recorded operation
  the output array it will replay into, the region *is* executed during capture; every array
  that existed before the capture is copied before its first write and restored at the end,
  so memory outside the graph is left exactly as torch leaves it. A replay then runs the list:
  a kernel through the launcher's ``_run`` with its arguments already checked and packed,
  NumPy operations with their ``out=`` arrays fixed.
"""

from __future__ import annotations

import contextlib
import gc
import threading
import weakref
from types import ModuleType
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import numpy as np

from minitorch.fperrors import restore, silence

CAPTURE_ERROR = "operation not permitted when stream is capturing"


class StreamCaptureError(RuntimeError):
    """A host synchronisation or host read of device data inside a graph capture."""


_state = threading.local()  # .graph: the CUDAGraph capturing in this thread, if any
# The graphs capturing in any thread: empty almost always, so a launch tests one list.
_capturing: List[CUDAGraph] = []


def capturing_graph() -> Optional[CUDAGraph]:
    """The graph this thread is capturing into (None outside a capture)."""
    return getattr(_state, "graph", None)


def is_current_stream_capturing() -> bool:
    """True inside ``with minitorch.cuda.graph(g):`` (as ``torch.cuda``)."""
    return capturing_graph() is not None


def record_new_fill(array: np.ndarray, value: Any) -> np.ndarray:
    """``array`` was just made and filled with ``value`` on the host. Inside a capture on
    "cuda-emulated" that is device memory filled by a kernel (``cupy.full``): the fill is
    recorded and the array returned as a :class:`DeviceArray`, so that what later reads or
    writes it is recorded too. Outside a capture ``array`` comes back as it is."""
    if _capturing:
        graph = capturing_graph()
        if graph is not None:
            graph._record("fill", array.fill, (value,), {}, array.nbytes)
            return array.view(DeviceArray)
    return array


def refuse_during_capture(what: str) -> None:
    """Raise :class:`StreamCaptureError` naming ``what`` if a capture is under way."""
    if capturing_graph() is not None:
        raise StreamCaptureError(f"{what}: {CAPTURE_ERROR} (a host synchronisation or a read "
                                 f"of device data inside `minitorch.cuda.graph`; read the "
                                 f"captured outputs after `g.replay()` instead)")


def _plain(value: Any) -> Any:
    """A DeviceArray as a plain ndarray: the array owning its memory when it views all of it
    alike, else a plain view (other values unchanged). Recorded operations hold these, not
    the DeviceArray, so they add no reference to a tensor's array (the autograd engine
    takes a gradient nobody else holds as ``.grad`` without a copy)."""
    if not isinstance(value, DeviceArray):
        return value
    root = _root(value)
    if (type(root) is np.ndarray and root.shape == value.shape and root.dtype == value.dtype
            and root.strides == value.strides
            and root.__array_interface__["data"][0] == value.__array_interface__["data"][0]):
        return root
    return value.view(np.ndarray)


def _plains(values: Any) -> Any:
    if isinstance(values, tuple):
        return tuple(_plain(v) for v in values)
    if isinstance(values, list):
        return [_plain(v) for v in values]
    return _plain(values)


def _device(value: Any) -> Any:
    if type(value) is np.ndarray:
        return value.view(DeviceArray)
    if isinstance(value, tuple):
        return tuple(_device(v) for v in value)
    return value


def _root(array: np.ndarray) -> np.ndarray:
    """The array that owns ``array``'s memory."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


# NumPy functions that write into their first argument and return None.
_IN_PLACE = frozenset({np.copyto, np.put, np.place, np.putmask, np.fill_diagonal})


class DeviceArray(np.ndarray):
    """A NumPy array the emulator treats as device memory: inside a capture every operation on
    it is recorded (and a host read raises); outside one it is a plain ndarray."""

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        graph = capturing_graph()
        plain_in = _plains(inputs)
        out = kwargs.get("out")
        if out is not None:
            kwargs["out"] = _plains(out)
        if graph is not None:
            for o in kwargs.get("out") or ():
                if isinstance(o, np.ndarray):
                    graph._before_write(o)
        result = getattr(ufunc, method)(*plain_in, **kwargs)
        if graph is not None:
            if method == "at":
                graph._record("elementwise", getattr(ufunc, method), plain_in, kwargs)
            else:
                outs = kwargs.get("out") or (result if isinstance(result, tuple) else (result,))
                if all(isinstance(o, np.ndarray) for o in outs):
                    graph._record("gemm" if ufunc is np.matmul else "elementwise",
                                  getattr(ufunc, method), plain_in,
                                  {**kwargs, "out": tuple(outs)})
                else:  # a 0-d reduction NumPy returned as a scalar: redo it into an array
                    return self._scalar_result(graph, ufunc, method, plain_in, kwargs, result)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _device(result)

    @staticmethod
    def _scalar_result(graph: CUDAGraph, ufunc: np.ufunc, method: str, inputs: Any,
                       kwargs: Dict[str, Any], result: Any) -> Any:
        holder = np.asarray(result).copy()
        call = getattr(ufunc, method)
        graph._record("elementwise", lambda: np.copyto(holder, call(*inputs, **kwargs)), (), {},
                      _moved(inputs) + holder.nbytes)
        return holder.view(DeviceArray)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        graph = capturing_graph()
        plain_args = tuple(_plains(a) for a in args)
        plain_kwargs = {k: _plains(v) for k, v in kwargs.items()}
        if graph is not None and func in _IN_PLACE and isinstance(plain_args[0], np.ndarray):
            graph._before_write(plain_args[0])  # copyto(dst, src) and the like write dst
            func(*plain_args, **plain_kwargs)
            graph._record("copy", func, plain_args, plain_kwargs)
            return None
        result = func(*plain_args, **plain_kwargs)
        if graph is None or not isinstance(result, np.ndarray):
            return _device(result)
        sources = [a for a in plain_args if isinstance(a, np.ndarray)]
        if any(np.may_share_memory(result, a) for a in sources):
            return _device(result)  # a view (reshape, transpose, squeeze...): nothing to run
        graph._record_copy(result, lambda: func(*plain_args, **plain_kwargs))
        return _device(result)

    # ---------------------------------------------------------------- array methods that
    # do not dispatch through __array_ufunc__ / __array_function__
    def _produced(self, result: Any, again: Callable[[], Any]) -> Any:
        graph = capturing_graph()
        if (graph is not None and isinstance(result, np.ndarray)
                and not np.may_share_memory(result, self)):
            graph._record_copy(result, again)
        return _device(result)

    def copy(self, order: str = "C") -> Any:  # type: ignore[override]
        plain = _plain(self)
        return self._produced(plain.copy(order), lambda: plain.copy(order))

    def astype(self, dtype: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        plain = _plain(self)
        return self._produced(plain.astype(dtype, *args, **kwargs),
                              lambda: plain.astype(dtype, *args, **kwargs))

    def reshape(self, *shape: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        plain = _plain(self)
        return self._produced(plain.reshape(*shape, **kwargs),
                              lambda: plain.reshape(*shape, **kwargs))

    def ravel(self, order: str = "C") -> Any:  # type: ignore[override]
        plain = _plain(self)
        return self._produced(plain.ravel(order), lambda: plain.ravel(order))

    def flatten(self, order: str = "C") -> Any:  # type: ignore[override]
        plain = _plain(self)
        return self._produced(plain.flatten(order), lambda: plain.flatten(order))

    def argmax(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        plain = _plain(self)
        return self._produced(np.asarray(plain.argmax(*args, **kwargs)),
                              lambda: plain.argmax(*args, **kwargs))

    def argmin(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        plain = _plain(self)
        return self._produced(np.asarray(plain.argmin(*args, **kwargs)),
                              lambda: plain.argmin(*args, **kwargs))

    def __getitem__(self, index: Any) -> Any:
        plain, key = _plain(self), _plains(index)
        result = plain[key]
        if not isinstance(result, np.ndarray):  # one element: a host read
            refuse_during_capture("reading one element of a device array")
            return result
        return self._produced(result, lambda: plain[key])

    def __setitem__(self, index: Any, value: Any) -> None:
        graph = capturing_graph()
        plain, key, source = _plain(self), _plains(index), _plains(value)
        if graph is not None:
            graph._before_write(plain)
            graph._record("copy", plain.__setitem__, (key, source), {},
                          2 * np.asarray(plain[key]).nbytes)
        plain[key] = source

    def fill(self, value: Any) -> None:
        graph = capturing_graph()
        plain = _plain(self)
        if graph is not None:
            graph._before_write(plain)
            graph._record("memset", plain.fill, (value,), {}, plain.nbytes)
        plain.fill(value)

    # ------------------------------------------------------------ host reads: refused
    def item(self, *args: Any) -> Any:
        refuse_during_capture("Tensor.item() / ndarray.item()")
        return _plain(self).item(*args)

    def tolist(self) -> Any:
        refuse_during_capture("tolist()")
        return _plain(self).tolist()

    def __float__(self) -> float:
        refuse_during_capture("float()")
        return float(_plain(self))

    def __int__(self) -> int:
        refuse_during_capture("int()")
        return int(_plain(self))

    def __bool__(self) -> bool:
        refuse_during_capture("bool() (a data-dependent branch)")
        return bool(_plain(self))

    def __repr__(self) -> str:
        refuse_during_capture("printing")
        return repr(_plain(self))

    __str__ = __repr__


_VIEWING = ("asarray", "array", "ascontiguousarray", "asanyarray")
_EMPTY = ("empty", "empty_like")
_FILLED = {"zeros": 0, "ones": 1, "zeros_like": 0, "ones_like": 1}


def _viewing(function: Callable[..., Any]) -> Callable[..., Any]:
    """``asarray``-like: inside a capture a copy it makes of a device array is recorded."""
    def call(a: Any, *args: Any, **kwargs: Any) -> Any:
        graph = capturing_graph()
        if graph is None:
            return function(a, *args, **kwargs)
        source = _plain(a)
        result = function(source, *args, **kwargs)
        if isinstance(source, np.ndarray) and not np.may_share_memory(result, source):
            graph._record_copy(result, lambda: function(source, *args, **kwargs))
        return _device(result)
    return call


def _allocating(function: Callable[..., Any], value: Optional[float]) -> Callable[..., Any]:
    """``empty``/``zeros``-like: inside a capture the array is device memory and its fill a
    recorded memset."""
    def call(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        graph = capturing_graph()
        if graph is None:
            return result
        result = result.view(DeviceArray)
        if value is not None:
            graph._record("memset", _plain(result).fill, (value,), {}, result.nbytes)
        return result
    return call


def device_numpy() -> ModuleType:
    """NumPy as the emulated backend's ``xp``: the same functions, except that array creation
    (``asarray``, ``empty``, ``zeros``...) is seen by a capture. Outside a capture it costs one
    Python call per creation."""
    module = ModuleType("numpy")
    module.__dict__.update(np.__dict__)
    for name in _VIEWING:
        setattr(module, name, _viewing(getattr(np, name)))
    for name in _EMPTY:
        setattr(module, name, _allocating(getattr(np, name), None))
    for name, value in _FILLED.items():
        setattr(module, name, _allocating(getattr(np, name), value))
    full, full_like = np.full, np.full_like
    module.full = lambda shape, value, *a, **k: _allocating(full, value)(shape, value, *a, **k)
    module.full_like = lambda like, value, *a, **k: _allocating(full_like, value)(like, value,
                                                                                  *a, **k)
    return module


# Objects whose ``state`` (a dict of dicts) holds device arrays: the optimizers register
# themselves here (the backends never import the optimizers, which sit above them).
_STATE_OWNERS: weakref.WeakSet[Any] = weakref.WeakSet()


def keeps_device_state(owner: Any) -> None:
    """Let captures see the arrays in ``owner.state`` (called by ``optim.Optimizer``)."""
    _STATE_OWNERS.add(owner)


def _live_arrays() -> Iterator[Tuple[Any, str, Any]]:
    """(owner, key, array) for every live tensor's array and every optimizer state array."""
    from minitorch.tensor import Tensor

    for obj in gc.get_objects():
        kind = type(obj)  # not isinstance: that asks some lazy modules for __class__
        if issubclass(kind, Tensor):
            data = obj.__dict__.get("_data")
            if isinstance(data, np.ndarray):
                yield obj, "_data", data
    for owner in list(_STATE_OWNERS):
        for state in owner.state.values():
            for key, value in state.items():
                if isinstance(value, np.ndarray):
                    yield state, key, value


def _swap(owner: Any, key: str, value: Any) -> None:
    if isinstance(owner, dict):
        owner[key] = value
    else:
        owner.__dict__[key] = value


def _moved(values: Any) -> int:
    """Bytes of the arrays among ``values`` (nested in tuples and lists too)."""
    if isinstance(values, np.ndarray):
        return values.nbytes
    if isinstance(values, (tuple, list)):
        return sum(_moved(v) for v in values)
    return 0


class _Op:
    """One recorded device operation: ``call(*args, **kwargs)``, which reads and writes
    ``moved`` bytes of device memory."""

    __slots__ = ("kind", "call", "args", "kwargs", "moved")

    def __init__(self, kind: str, call: Callable[..., Any], args: Any,
                 kwargs: Dict[str, Any], moved: int) -> None:
        self.kind, self.call, self.args, self.kwargs = kind, call, args, kwargs
        self.moved = moved


class CUDAGraph:
    """A recorded sequence of device operations (``torch.cuda.CUDAGraph``)."""

    def __init__(self) -> None:
        self._ops: List[_Op] = []
        self._counts: Dict[str, int] = {}
        self._snapshots: Dict[int, Tuple[np.ndarray, np.ndarray]] = {}
        self._preexisting: Dict[int, np.ndarray] = {}
        self._swapped: List[Tuple[Any, str, Any, Any]] = []
        self._cupy_graph: Any = None
        self._stream: Any = None
        self._previous: Tuple[Any, Any] = (None, None)
        self._kept: List[Any] = []
        self._mode: Optional[str] = None  # "emulated" or "cupy" once captured
        self._captured = False

    # ----------------------------------------------------------------- capture
    def capture_begin(self, pool: Any = None, capture_error_mode: str = "global", *,
                      backend: Any = None) -> None:
        """Start recording (use :func:`graph` rather than calling this directly). ``pool`` and
        ``capture_error_mode`` are accepted for torch programs; ``backend`` is the CUDA
        backend to record for (default: "cuda-emulated" when it is the current backend, else
        "cuda")."""
        if capturing_graph() is not None:
            raise RuntimeError("a CUDA graph capture is already under way in this thread")
        if self._captured:
            raise RuntimeError("this CUDAGraph already holds a capture; call reset() first")
        backend = backend if backend is not None else _graph_backend()
        self._mode = "cupy" if backend.name == "cuda" else "emulated"
        if self._mode == "cupy":
            self._begin_cupy(backend.xp)
        else:
            for owner, key, array in _live_arrays():
                if type(array) is np.ndarray:
                    view = array.view(DeviceArray)
                    self._swapped.append((owner, key, array, view))
                    _swap(owner, key, view)
                    root = _root(array)
                    self._preexisting[id(root)] = root
        _state.graph = self
        _capturing.append(self)

    def capture_end(self) -> None:
        """Stop recording; the graph is ready to replay."""
        _state.graph = None
        if self in _capturing:
            _capturing.remove(self)
        if self._mode == "cupy":
            self._end_cupy()
        else:
            for root, saved in self._snapshots.values():  # memory outside the graph: as before
                np.copyto(root, saved)
            self._snapshots.clear()
            self._preexisting.clear()
            for owner, key, array, view in self._swapped:
                held = owner.get(key) if isinstance(owner, dict) else owner.__dict__.get(key)
                if held is view:  # unless the region replaced it
                    _swap(owner, key, array)
            self._swapped.clear()
        self._captured = True

    # emulated recording ---------------------------------------------------------
    def _before_write(self, array: np.ndarray) -> None:
        root = _root(array)
        if id(root) in self._preexisting and id(root) not in self._snapshots:
            self._snapshots[id(root)] = (root, root.copy())

    def _record(self, kind: str, call: Callable[..., Any], args: Any,
                kwargs: Dict[str, Any], moved: Optional[int] = None) -> None:
        """Record one operation; ``moved``: the bytes it reads and writes (default: those of
        the arrays among its arguments, ``out=`` included)."""
        if moved is None:
            moved = _moved(args) + _moved(tuple(kwargs.values()))
        self._ops.append(_Op(kind, call, args, kwargs, moved))
        self._counts[kind] = self._counts.get(kind, 0) + 1

    def _record_copy(self, result: np.ndarray, produce: Callable[[], Any]) -> None:
        target = _plain(result)
        self._record("copy", lambda: np.copyto(target, produce()), (), {}, 2 * target.nbytes)

    def record_launch(self, run: Callable[..., Any], args: Tuple[Any, ...],
                      written: Tuple[Any, ...]) -> None:
        """Record one kernel launch (``run(*args)`` replays it); ``written`` are the arrays
        it may write, copied first if they existed before the capture."""
        for array in written:
            self._before_write(array)
        self._record("kernel", run, args, {})

    # CuPy stream capture -----------------------------------------------------------
    def _begin_cupy(self, cupy: ModuleType) -> None:
        pool = cupy.get_default_memory_pool()

        def keep(size: int) -> Any:  # allocations stay with the graph: static addresses
            pointer = pool.malloc(size)
            self._kept.append(pointer)
            return pointer

        cupy.cuda.Device().synchronize()  # as torch: eager work finishes before capture
        self._previous = (cupy.cuda.get_current_stream(), cupy.cuda.get_allocator())
        self._stream = cupy.cuda.Stream(non_blocking=True)
        self._stream.use()
        cupy.cuda.set_allocator(keep)
        self._stream.begin_capture()

    def _end_cupy(self) -> None:
        import cupy

        try:
            self._cupy_graph = self._stream.end_capture()
        finally:
            stream, allocator = self._previous
            cupy.cuda.set_allocator(allocator)
            stream.use()

    # ------------------------------------------------------------------ replay
    def replay(self) -> None:
        """Run the recorded operations again, in order, on the same arrays."""
        if not self._captured:
            raise RuntimeError("CUDAGraph.replay() before a capture (use minitorch.cuda.graph)")
        if self._cupy_graph is not None:
            self._cupy_graph.launch()
            return
        token = silence()  # what ran inside Function.apply or backward the first time
        try:
            for op in self._ops:
                op.call(*op.args, **op.kwargs)
        finally:
            restore(token)

    def reset(self) -> None:
        """Forget the recording and release the arrays it kept alive."""
        if capturing_graph() is self:
            raise RuntimeError("CUDAGraph.reset() inside its own capture")
        self._ops, self._counts, self._kept = [], {}, []
        self._cupy_graph, self._stream, self._captured = None, None, False

    @property
    def launches(self) -> int:
        """Device operations one replay runs (the emulator's recording; on a GPU, the
        launches of our kernels counted while capturing)."""
        return sum(self._counts.values())

    @property
    def launch_counts(self) -> Dict[str, int]:
        """:attr:`launches` by kind: kernel, gemm, elementwise, memset, fill, copy."""
        return dict(sorted(self._counts.items()))

    @property
    def operations(self) -> List[Tuple[str, int]]:
        """(kind, bytes read and written) of each device operation one replay runs, in order:
        the emulator's recording (a memset writes its array; an elementwise operation, a
        reduction or a copy reads its inputs and writes its result). Kernels show the bytes
        of their array arguments; ``benchmarks.gpu_model`` counts them from the launch."""
        return [(op.kind, op.moved) for op in self._ops]

    def count_kernel(self) -> None:
        """Count one kernel of ours captured by the GPU's stream capture."""
        self._counts["kernel"] = self._counts.get("kernel", 0) + 1


def _graph_backend() -> Any:
    """The CUDA backend a capture records for: "cuda-emulated" when it is the current
    backend, else "cuda" (which needs a GPU)."""
    from minitorch.backends import current_backend_name, get_backend
    from minitorch.backends.cuda import device

    if current_backend_name() == "cuda-emulated":
        return get_backend("cuda-emulated")
    if device.gpu_count() > 0:
        return get_backend("cuda")
    raise RuntimeError("CUDA graph capture needs a GPU (" + device.unavailable_reason() +
                       ") or the \"cuda-emulated\" backend (minitorch.backends.use_backend)")


@contextlib.contextmanager
def graph(cuda_graph: CUDAGraph, pool: Any = None, stream: Any = None,
          capture_error_mode: str = "global") -> Iterator[CUDAGraph]:
    """Capture the ``with`` block into ``cuda_graph`` (``torch.cuda.graph``). ``pool`` and
    ``stream`` are accepted for torch programs; every graph has a pool and stream of its own."""
    cuda_graph.capture_begin(pool, capture_error_mode)
    try:
        yield cuda_graph
    except BaseException:
        cuda_graph.capture_end()
        cuda_graph.reset()  # a capture that failed part-way is not replayable
        raise
    cuda_graph.capture_end()


__all__ = ["CUDAGraph", "graph", "is_current_stream_capturing", "StreamCaptureError",
           "DeviceArray"]
