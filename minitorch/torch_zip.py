"""PyTorch's checkpoint format (``torch.save``), read and written without PyTorch.

A ``torch.save`` file is a zip archive whose entries share one folder name (``archive/``)::

    archive/data.pkl      the structure: a pickle (protocol 2) of dicts, lists, numbers...
    archive/data/0        the bytes of storage "0" (one per tensor storage), little-endian
    archive/byteorder     "little" (older files have none and are little-endian)
    archive/version       "3"

In ``data.pkl`` a tensor is a call ``torch._utils._rebuild_tensor_v2(storage, storage_offset,
size, stride, requires_grad, backward_hooks)``, and its storage a *persistent id*
``("storage", torch.FloatStorage, "0", "cpu", numel)`` that points at ``archive/data/0``.
Element ``(i, j, ...)`` of the tensor is ``storage[storage_offset + i*stride[0] +
j*stride[1] + ...]``.

Reading goes through :class:`~minitorch.utils.safe_pickle.RestrictedUnpickler`: it knows
exactly the globals a state_dict is made of (``collections.OrderedDict``, the two rebuild
functions, the storage types, ``torch.Size``) and refuses every other one, naming it. Each
tensor's layout is checked against its storage, and every byte allocated is charged to a
budget proportional to the file's size.

Writing emits the same opcodes by hand (``pickle`` itself would need the ``torch`` module to
name its globals): tensors become ``FloatStorage``/``DoubleStorage``/``LongStorage``/
``BoolStorage`` records, dicts, lists, tuples, strings, numbers and ``None`` themselves.
"""

from __future__ import annotations

import io
import math
import struct
import zipfile
from collections import OrderedDict
from typing import Any

import numpy as np

from minitorch import dtypes
from minitorch.serialization import (
    MAX_DEPTH,
    ZIP_ERRORS,
    check_depth,
    check_zip_entries,
    depth_error,
    make_tensor,
)
from minitorch.tensor import Size, Tensor
from minitorch.utils.safe_pickle import (
    Budget,
    UnsafePickleError,
    _copy_cost,
    allocation_budget,
    array_bytes,
    restricted_loads,
)

__all__ = ["dumps", "loads"]

#: PyTorch's storage classes and the NumPy dtype of their elements ("bfloat16" is decoded
#: by hand: NumPy has no such type)
STORAGE_DTYPES = {
    "FloatStorage": "float32", "DoubleStorage": "float64", "HalfStorage": "float16",
    "BFloat16Storage": "bfloat16", "LongStorage": "int64", "IntStorage": "int32",
    "ShortStorage": "int16", "CharStorage": "int8", "ByteStorage": "uint8",
    "BoolStorage": "bool", "ComplexFloatStorage": "complex64",
    "ComplexDoubleStorage": "complex128",
}
_STORAGE_OF = {dtype: name for name, dtype in STORAGE_DTYPES.items() if dtype != "bfloat16"}


class _StorageType:
    """What ``torch.FloatStorage`` & co. stand for while reading: an element type."""

    def __init__(self, name: str, dtype: str) -> None:
        self.name, self.dtype = name, dtype
        self.itemsize = 2 if dtype == "bfloat16" else np.dtype(dtype).itemsize

    def __repr__(self) -> str:
        return f"torch.{self.name}"


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------

class _Reader:
    """Reads one archive: storages on demand (each once), tensors from their layout."""

    def __init__(self, archive: zipfile.ZipFile, prefix: str, byteorder: str, where: str,
                 device: str | None, budget: Budget) -> None:
        self.archive, self.prefix, self.byteorder = archive, prefix, byteorder
        self.where, self.device, self.budget = where, device, budget
        self.storages: dict[str, np.ndarray] = {}

    def persistent_load(self, pid: Any) -> np.ndarray:
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"
                and isinstance(pid[1], _StorageType) and isinstance(pid[2], str)
                and isinstance(pid[4], int) and pid[4] >= 0):
            raise UnsafePickleError(f"{self.where}: unexpected persistent id {pid!r}")
        _, kind, key, _location, numel = pid
        if key in self.storages:
            return self.storages[key]
        name = f"{self.prefix}data/{key}"
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            raise UnsafePickleError(f"{self.where}: storage {key!r} has no entry {name}") \
                from None
        nbytes = numel * kind.itemsize
        if nbytes > info.file_size:
            raise UnsafePickleError(f"{self.where}: storage {key!r} declares {numel} elements "
                                    f"({nbytes} bytes) but {name} holds {info.file_size} "
                                    "bytes: truncated or corrupt file")
        self.budget.charge(nbytes, f"storage {key!r}")
        raw = self.archive.read(name)[:nbytes]
        order = "<" if self.byteorder == "little" else ">"
        if kind.dtype == "bfloat16":  # the high 16 bits of a float32
            halves = np.frombuffer(raw, dtype=order + "u2").astype(np.uint32)
            array = (halves << 16).view(np.float32)
        else:
            array = np.frombuffer(raw, dtype=np.dtype(kind.dtype).newbyteorder(order))
            array = array.astype(array.dtype.newbyteorder("="), copy=False)
        self.storages[key] = array
        return array

    def rebuild_tensor(self, storage: Any, storage_offset: Any, size: Any, stride: Any,
                       requires_grad: Any = False, backward_hooks: Any = None,
                       metadata: Any = None) -> Tensor:
        """``storage`` seen through ``(storage_offset, size, stride)``, as a tensor that owns
        a contiguous copy."""
        if not isinstance(storage, np.ndarray):
            raise UnsafePickleError(f"{self.where}: a tensor's storage is {type(storage)}")
        ints = (int, np.integer)
        if not (isinstance(storage_offset, ints) and storage_offset >= 0
                and isinstance(size, tuple) and isinstance(stride, tuple)
                and len(size) == len(stride)
                and all(isinstance(v, ints) and v >= 0 for v in (*size, *stride))):
            raise UnsafePickleError(f"{self.where}: invalid tensor layout offset="
                                    f"{storage_offset!r} size={size!r} stride={stride!r}")
        numel = math.prod(size)
        if numel and storage_offset + sum((n - 1) * s for n, s in zip(size, stride)) \
                >= storage.size:
            raise UnsafePickleError(
                f"{self.where}: tensor of size {size}, stride {stride} at offset "
                f"{storage_offset} reaches past its storage of {storage.size} elements")
        target = dtypes.from_numpy_dtype(storage.dtype).np
        self.budget.charge(array_bytes(size, target.itemsize), f"a tensor of size {size}")
        if numel:
            view = np.lib.stride_tricks.as_strided(
                storage[storage_offset:], shape=size,
                strides=[s * storage.itemsize for s in stride], writeable=False)
        else:
            view = np.empty(size, dtype=storage.dtype)
        wants_grad = bool(requires_grad) and target.kind == "f"
        return make_tensor(view, wants_grad, False, self.device)

    def rebuild_parameter(self, data: Any, requires_grad: Any = True,
                          backward_hooks: Any = None, state: Any = None) -> Tensor:
        if not isinstance(data, Tensor):
            raise UnsafePickleError(f"{self.where}: a Parameter of {type(data).__name__}")
        from minitorch.nn.parameter import Parameter

        return Parameter(data.detach(), requires_grad=bool(requires_grad)
                         and data.dtype.is_floating_point)

    def allowed(self) -> dict[tuple[str, str], tuple[Any, Any]]:
        def tensor_cost(*_: Any) -> int:
            return 0  # charged inside, once the layout is checked

        allowed: dict[tuple[str, str], tuple[Any, Any]] = {
            ("collections", "OrderedDict"): (OrderedDict, _copy_cost),
            ("torch._utils", "_rebuild_tensor_v2"): (self.rebuild_tensor, tensor_cost),
            ("torch._utils", "_rebuild_parameter"): (self.rebuild_parameter, tensor_cost),
            ("torch._utils", "_rebuild_parameter_with_state"): (self.rebuild_parameter,
                                                                 tensor_cost),
            ("torch", "Size"): (Size, _copy_cost),
        }
        for name, dtype in STORAGE_DTYPES.items():
            allowed[("torch", name)] = (_StorageType(name, dtype), tensor_cost)
        for name in ("float", "double", "half", "long", "int", "short"):
            allowed[("torch", name)] = (getattr(dtypes, name), tensor_cost)
        for d in dtypes.ALL:
            allowed[("torch", d.name)] = (d, tensor_cost)
        return allowed


def _prefix(names: list[str], where: str) -> str:
    """The archive's folder (``archive/``): the one that holds ``data.pkl``."""
    pkl = [n for n in names if n.endswith("/data.pkl") and n.count("/") == 1]
    if len(pkl) != 1:
        raise ValueError(f"{where} is not a PyTorch checkpoint: expected one <name>/data.pkl "
                         f"entry, found {pkl or 'none'}")
    return pkl[0][: -len("data.pkl")]


def loads(raw: bytes, where: str, device: str | None = None) -> Any:
    """The object in ``raw``, the bytes of a file written by ``torch.save``."""
    try:
        return _loads(raw, where, device)
    except ZIP_ERRORS as e:
        raise ValueError(f"{where} is not a valid PyTorch checkpoint: {type(e).__name__}: "
                         f"{e}") from None


def _loads(raw: bytes, where: str, device: str | None) -> Any:
    archive = zipfile.ZipFile(io.BytesIO(raw))
    check_zip_entries(archive, len(raw), "checkpoint")
    prefix = _prefix(archive.namelist(), where)
    names = set(archive.namelist())
    byteorder = "little"
    if f"{prefix}byteorder" in names:
        byteorder = archive.read(f"{prefix}byteorder").decode("ascii", "replace").strip()
        if byteorder not in ("little", "big"):
            raise ValueError(f"{where}: unknown byte order {byteorder!r}")
    reader = _Reader(archive, prefix, byteorder, where, device,
                     Budget(allocation_budget(len(raw)), where))
    data = archive.read(f"{prefix}data.pkl")
    try:
        obj = restricted_loads(data, reader.allowed(), reader.budget, f"checkpoint ({where})",
                               persistent_load=reader.persistent_load, encoding="utf-8",
                               holds="tensors, dicts, lists, tuples, strings, numbers and "
                               "None, as a state_dict does")
    except RecursionError:
        raise depth_error(where) from None
    check_depth(obj, where)
    return obj


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

class _Pickler:
    """Writes the opcodes of a protocol-2 pickle for a tree of plain values and tensors,
    naming PyTorch's globals without importing PyTorch. No memo: every tensor gets its own
    storage."""

    def __init__(self) -> None:
        self.out = io.BytesIO()
        self.storages: list[bytes] = []

    def op(self, code: bytes, payload: bytes = b"") -> None:
        self.out.write(code + payload)

    def global_(self, module: str, name: str) -> None:
        self.op(b"c", f"{module}\n{name}\n".encode("ascii"))

    def text(self, s: str) -> None:
        data = s.encode("utf-8", "surrogatepass")
        self.op(b"X", struct.pack("<I", len(data)) + data)

    def integer(self, n: int) -> None:
        if -(2**31) <= n < 2**31:
            self.op(b"J", struct.pack("<i", n))
            return
        data = n.to_bytes((n.bit_length() + 8) // 8, "little", signed=True)
        if len(data) > 255:
            raise ValueError(f"format='torch' cannot store an integer of {n.bit_length()} bits")
        self.op(b"\x8a", bytes([len(data)]) + data)

    def tensor(self, t: Tensor) -> None:
        array = np.asarray(t.detach().cpu()._data, order="C")  # keeps 0-d
        key = str(len(self.storages))
        self.storages.append(array.astype(array.dtype.newbyteorder("<")).tobytes())
        is_param = type(t).__name__ == "Parameter"
        if is_param:
            self.global_("torch._utils", "_rebuild_parameter")
            self.op(b"(")
        self.global_("torch._utils", "_rebuild_tensor_v2")
        self.op(b"((")  # the arguments; the persistent id
        self.text("storage")
        self.global_("torch", _STORAGE_OF[array.dtype.name])
        self.text(key)
        self.text("cpu")
        self.integer(array.size)
        self.op(b"tQ")  # TUPLE, BINPERSID
        self.integer(0)
        self.op(b"(")
        for n in array.shape:
            self.integer(n)
        self.op(b"t(")
        for s in array.strides:
            self.integer(s // array.itemsize if array.itemsize else 0)
        self.op(b"t")
        self.op(b"\x88" if t.requires_grad and not is_param else b"\x89")
        self.global_("collections", "OrderedDict")
        self.op(b")R")  # OrderedDict(): no backward hooks
        self.op(b"tR")  # the arguments tuple; call _rebuild_tensor_v2
        if is_param:
            self.op(b"\x88" if t.requires_grad else b"\x89")
            self.global_("collections", "OrderedDict")
            self.op(b")RtR")

    def value(self, obj: Any, depth: int = 0) -> None:
        if isinstance(obj, Tensor):
            self.tensor(obj)
        elif obj is None:
            self.op(b"N")
        elif isinstance(obj, bool):
            self.op(b"\x88" if obj else b"\x89")
        elif isinstance(obj, int):
            self.integer(obj)
        elif isinstance(obj, float):
            self.op(b"G", struct.pack(">d", obj))
        elif isinstance(obj, str):
            self.text(obj)
        elif isinstance(obj, (dict, list, tuple)):
            if depth >= MAX_DEPTH:
                raise depth_error("the object to save")
            self.container(obj, depth)
        else:
            raise TypeError(f"minitorch.save(format='torch') cannot store objects of type "
                            f"{type(obj).__name__}; use tensors, numbers, strings, None, "
                            "lists, tuples and dicts")

    def container(self, obj: Any, depth: int) -> None:
        if isinstance(obj, dict):
            if type(obj) is OrderedDict:
                self.global_("collections", "OrderedDict")
                self.op(b")R")
            else:
                self.op(b"}")
            self.op(b"(")
            for k, v in obj.items():
                self.value(k, depth + 1)
                self.value(v, depth + 1)
            self.op(b"u")  # SETITEMS
        elif isinstance(obj, list):
            self.op(b"](")
            for v in obj:
                self.value(v, depth + 1)
            self.op(b"e")  # APPENDS
        else:
            self.op(b"(")
            for v in obj:
                self.value(v, depth + 1)
            self.op(b"t")


def dumps(obj: Any, archive_name: str = "archive") -> bytes:
    """The bytes of a ``torch.save`` file holding ``obj``."""
    pickler = _Pickler()
    pickler.op(b"\x80\x02")  # PROTO 2
    pickler.value(obj)
    pickler.op(b".")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr(f"{archive_name}/data.pkl", pickler.out.getvalue())
        z.writestr(f"{archive_name}/byteorder", "little")
        for i, data in enumerate(pickler.storages):
            z.writestr(f"{archive_name}/data/{i}", data)
        z.writestr(f"{archive_name}/version", "3\n")
    return buf.getvalue()
