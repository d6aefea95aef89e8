"""A pickle reader that runs nothing and allocates nothing a file does not pay for.

An ordinary ``pickle.load`` calls whatever function the file names, with whatever arguments
the file chooses: a file that merely claims to be a dataset or a checkpoint can run any code
on your machine. Even with the callable functions restricted to harmless constructors, the
*arguments* stay the file's choice: ``bytearray(4294967296)`` or ``numpy.ndarray((2**30,))``
are 30 bytes of pickle that allocate gigabytes. And CPython's fast unpickler grows its memo
table to whatever index the file names (``LONG_BINPUT 0xffffffff`` reserves 64 GiB).

:class:`RestrictedUnpickler` closes all three doors:

* it is the pure-Python unpickler (``pickle._Unpickler``), whose memo is a dict;
* ``find_class`` answers only the ``(module, name)`` pairs of an allow-list, and refuses every
  other global with :class:`UnsafePickleError` naming it;
* every call the file makes (``REDUCE``) and every ``BUILD`` is priced *before* it runs, by a
  cost function per allowed callable, against a :class:`Budget` proportional to the file's
  size. Opcodes that call classes without pricing (``NEWOBJ``, ``INST``, ``OBJ``) are refused.

What is not priced: the plain objects opcodes create one by one (an empty list, a small int,
a string read from the file). Each costs at most some tens of bytes per byte of pickle, so a
file cannot make them grow faster than its own size.

Every failure is an :class:`UnsafePickleError`, which is both a ``pickle.UnpicklingError``
(what ``torch.load(weights_only=True)`` raises) and a ``ValueError``.
"""

from __future__ import annotations

import io
import math
import pickle
import sys
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

__all__ = ["Budget", "RestrictedUnpickler", "UnsafePickleError", "allocation_budget",
           "array_bytes", "numpy_allow_list"]


class UnsafePickleError(pickle.UnpicklingError, ValueError):
    """A pickle that names a refused global, uses a refused opcode, or asks for more memory
    than its file could justify."""


def allocation_budget(file_size: int) -> int:
    """What a loader may allocate for a file of ``file_size`` bytes: four times the file
    (a stored array is read, decoded and copied) plus 1 MiB for bookkeeping."""
    return 4 * int(file_size) + 2**20


class Budget:
    """Bytes a loader may still allocate. ``charge`` raises ``ValueError`` (as
    :class:`UnsafePickleError`) before an allocation that would overdraw it."""

    def __init__(self, limit: int, what: str = "file") -> None:
        self.limit = int(limit)
        self.used = 0
        self.what = what

    def charge(self, nbytes: int, reason: str) -> None:
        nbytes = int(nbytes)
        if nbytes < 0 or self.used + nbytes > self.limit:
            raise UnsafePickleError(
                f"{self.what}: {reason} needs {nbytes} bytes, more than a file of its size can "
                f"hold (budget {self.limit} bytes, {self.used} used): corrupt or crafted file")
        self.used += nbytes


def array_bytes(shape: Any, itemsize: int) -> int:
    """``prod(shape) * itemsize`` for a shape given by a file, refusing anything that is not
    a sequence of non-negative ints."""
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not all(
            isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 0
            for d in shape):
        raise UnsafePickleError(f"invalid array shape {shape!r}")
    return math.prod(int(d) for d in shape) * int(itemsize)


def _copy_cost(*args: Any) -> int:
    """A constructor that copies its argument (``list(x)``, ``str(x)``) or, given an int,
    allocates that many bytes (``bytes(n)``, ``bytearray(n)``)."""
    total = 0
    for a in args:
        if isinstance(a, int) and not isinstance(a, bool):
            total += abs(a)
        else:
            total += sys.getsizeof(a)
    return total


def _dtype_itemsize(dtype: Any) -> int:
    try:
        return np.dtype(dtype).itemsize
    except (TypeError, ValueError) as e:
        raise UnsafePickleError(f"invalid dtype {dtype!r}: {e}") from None


def _reconstruct_cost(subtype: Any = None, shape: Any = (), dtype: Any = "b", *_: Any) -> int:
    return array_bytes(shape, _dtype_itemsize(dtype))


def _ndarray_cost(shape: Any = (), dtype: Any = float, buffer: Any = None, *_: Any) -> int:
    return array_bytes(shape, _dtype_itemsize(dtype)) if buffer is None else 0


def numpy_allow_list() -> dict[tuple[str, str], tuple[Any, Callable[..., int]]]:
    """Plain containers, numbers, strings and NumPy arrays, each with its cost function: what
    a pickled dict of NumPy arrays (CIFAR's batches) is made of, under the module names of
    Python 2 and 3 and of NumPy 1 and 2."""
    import codecs

    try:  # NumPy 2 moved the array internals to numpy._core; old pickles name numpy.core
        from numpy._core import multiarray, numeric
    except ImportError:  # pragma: no cover - NumPy 1
        from numpy.core import multiarray, numeric  # type: ignore[no-redef]
    allowed: dict[tuple[str, str], tuple[Any, Callable[..., int]]] = {}
    for module in ("builtins", "__builtin__"):
        for obj in (dict, list, tuple, bytes, bytearray, str, int, float, bool):
            allowed[(module, obj.__name__)] = (obj, _copy_cost)
    for module in ("numpy.core.multiarray", "numpy._core.multiarray"):
        allowed[(module, "_reconstruct")] = (multiarray._reconstruct, _reconstruct_cost)
    for module in ("numpy.core.numeric", "numpy._core.numeric"):  # protocol-5 arrays: a view
        allowed[(module, "_frombuffer")] = (numeric._frombuffer, lambda buf, *_: 0)
    allowed[("numpy", "ndarray")] = (np.ndarray, _ndarray_cost)
    allowed[("numpy", "dtype")] = (np.dtype, lambda *_: 0)
    allowed[("_codecs", "encode")] = (codecs.encode, _copy_cost)  # protocol 2's bytes
    import numpy.dtypes

    for name in dir(numpy.dtypes):  # e.g. numpy.dtypes.UInt8DType, in NumPy 2 pickles
        if name.endswith("DType") and isinstance(getattr(numpy.dtypes, name), type):
            allowed[("numpy.dtypes", name)] = (getattr(numpy.dtypes, name), lambda *_: 0)
    return allowed


class RestrictedUnpickler(pickle._Unpickler):  # type: ignore[name-defined,misc]
    """Unpickles only what ``allowed`` names, within ``budget``.

    Args:
        file: a binary file object.
        allowed: ``(module, name) -> (object, cost)``; ``cost(*args)`` is the number of bytes
            a call ``object(*args)`` may allocate.
        budget: shared by every call and ``BUILD``.
        what: how error messages name the file ("dataset file", "checkpoint").
        persistent_load: optional, for formats that keep data outside the pickle (PyTorch's).
        holds: what the file may hold, for the message that refuses a global.
    """

    def __init__(self, file: Any, allowed: Mapping[tuple[str, str], tuple[Any, Callable]],
                 budget: Budget, what: str = "file",
                 persistent_load: Callable[[Any], Any] | None = None,
                 encoding: str = "ASCII",
                 holds: str = "dicts, lists, strings, numbers and arrays") -> None:
        super().__init__(file, encoding=encoding)
        self._allowed = allowed
        self._costs = {id(obj): (obj, cost) for obj, cost in allowed.values()}
        self._budget = budget
        self._what = what
        self._persistent = persistent_load
        self._holds = holds

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self._allowed:
            return self._allowed[(module, name)][0]
        raise UnsafePickleError(
            f"refusing to load '{module}.{name}': a {self._what} may only hold {self._holds}")

    def persistent_load(self, pid: Any) -> Any:
        if self._persistent is None:
            raise UnsafePickleError(f"{self._what}: unexpected persistent id {pid!r}")
        return self._persistent(pid)

    # -- priced opcodes ---------------------------------------------------------------------
    def _load_reduce(self) -> None:
        stack = self.stack
        args = stack.pop()
        func = stack[-1]
        entry = self._costs.get(id(func))
        if entry is None or entry[0] is not func:
            raise UnsafePickleError(f"{self._what}: refusing to call {func!r}")
        if not isinstance(args, tuple):
            raise UnsafePickleError(f"{self._what}: call arguments are not a tuple")
        name = getattr(func, "__name__", repr(func))
        try:
            cost = entry[1](*args)
        except TypeError as e:
            raise UnsafePickleError(f"{self._what}: bad arguments for {name}: {e}") from None
        self._budget.charge(cost, f"{name}(...)")
        try:
            stack[-1] = func(*args)
        except UnsafePickleError:
            raise
        except (TypeError, ValueError, OverflowError, LookupError, AttributeError) as e:
            raise UnsafePickleError(f"{self._what}: {name} failed: {e}") from None

    def _load_build(self) -> None:
        stack = self.stack
        state = stack.pop()
        inst = stack[-1]
        if isinstance(inst, np.ndarray):
            if not isinstance(state, tuple) or len(state) != 5:
                raise UnsafePickleError(f"{self._what}: invalid array state")
            _, shape, dtype, _, raw = state
            self._budget.charge(array_bytes(shape, _dtype_itemsize(dtype)), "array data")
            try:
                inst.__setstate__(state)
            except (TypeError, ValueError) as e:
                raise UnsafePickleError(f"{self._what}: invalid array: {e}") from None
            return
        if isinstance(inst, np.dtype):  # byte order, fields: no allocation
            try:
                inst.__setstate__(state)
            except (TypeError, ValueError) as e:
                raise UnsafePickleError(f"{self._what}: invalid dtype: {e}") from None
            return
        if isinstance(inst, dict) and isinstance(state, dict) and hasattr(inst, "__dict__") \
                and all(isinstance(k, str) and not k.startswith("__") for k in state):
            inst.__dict__.update(state)  # an OrderedDict's attributes (PyTorch's _metadata)
            return
        raise UnsafePickleError(f"{self._what}: refusing to set the state of "
                                f"{type(inst).__name__}")

    def _refuse(self) -> None:
        raise UnsafePickleError(f"{self._what}: refusing a pickle opcode that creates objects "
                                "without listing them")

    dispatch = dict(pickle._Unpickler.dispatch)  # type: ignore[attr-defined]
    dispatch[pickle.REDUCE[0]] = _load_reduce
    dispatch[pickle.BUILD[0]] = _load_build
    for _op in (pickle.NEWOBJ, pickle.NEWOBJ_EX, pickle.INST, pickle.OBJ):
        dispatch[_op[0]] = _refuse
    del _op


def restricted_loads(data: bytes, allowed: Mapping[tuple[str, str], tuple[Any, Callable]],
                     budget: Budget, what: str = "file", **kwargs: Any) -> Any:
    """Unpickle ``data`` with :class:`RestrictedUnpickler`; every failure (truncated data,
    bad opcodes, refused globals) is an :class:`UnsafePickleError`."""
    try:
        return RestrictedUnpickler(io.BytesIO(data), allowed, budget, what, **kwargs).load()
    except UnsafePickleError:
        raise
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, KeyError, IndexError,
            AttributeError, OverflowError, UnicodeDecodeError, MemoryError) as e:
        raise UnsafePickleError(f"{what} is corrupt: {type(e).__name__}: {e}") from None
