"""``minitorch.save`` / ``minitorch.load``: checkpoints that cannot run code when loaded.

Two formats:

* ``format="minitorch"`` (the default) — a ``.npz`` archive read with ``allow_pickle=False``:
  one array per tensor, plus ``__structure__``, a JSON description of the nested
  dicts/lists/numbers around them. Nothing in the file is ever executed.
* ``format="torch"`` — PyTorch's zip format (``torch.save``'s): ``archive/data.pkl`` names the
  structure and ``archive/data/N`` holds each tensor's bytes; ``torch.load(f,
  weights_only=True)`` reads what minitorch writes, and :func:`load` reads state_dicts that
  PyTorch wrote, through a restricted unpickler (see :mod:`minitorch.torch_zip`).

:func:`load` tells the two apart by their contents. Both readers refuse, with ``ValueError``,
anything :func:`save` would not write: other dtypes, nesting deeper than :data:`MAX_DEPTH`,
sizes the file does not hold. :func:`save` refuses up front whatever :func:`load` would
refuse, so a checkpoint that was written can always be read back.

``save`` to a path writes a temporary file in the same folder and renames it over the
target, so a crash mid-write leaves the previous file intact.
"""

from __future__ import annotations

import io
import json
import os
import struct
import tempfile
import zipfile
import zlib
from typing import Any, Callable, Dict, Union

import numpy as np

from minitorch import dtypes
from minitorch.tensor import Tensor
from minitorch.utils.safe_pickle import Budget, allocation_budget

PathLike = Union[str, "os.PathLike[str]"]
MAGIC = "minitorch-checkpoint-v1"
#: dtypes a stored *tensor* may have (minitorch's)
_TENSOR_DTYPES = {d.name for d in dtypes.ALL}
#: kinds of NumPy arrays a checkpoint may hold: bool, ints, unsigned ints, floats, complex
_ARRAY_KINDS = "biufc"
#: containers (dicts, lists, tuples) may nest this deep, in a checkpoint of either format
MAX_DEPTH = 100

__all__ = ["MAX_DEPTH", "load", "save"]

#: what reading a damaged zip archive raises (a bad CRC, an unknown compression or flag...)
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError,
              RuntimeError, struct.error, zlib.error)


# ---------------------------------------------------------------------------------------------
# Shared by both formats
# ---------------------------------------------------------------------------------------------

def check_array_dtype(dtype: np.dtype, where: str) -> None:
    """Refuse arrays that a checkpoint does not hold: Python objects, records, strings,
    dates. Numbers of every width are fine."""
    if dtype.hasobject:
        raise ValueError(f"{where} holds Python objects; refusing to load it")
    if dtype.kind not in _ARRAY_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise ValueError(f"{where} has unsupported dtype {dtype}")


def native(array: np.ndarray) -> np.ndarray:
    """``array`` in this machine's byte order (the kernels assume it)."""
    if array.dtype.byteorder not in ("=", "|") and not array.dtype.isnative:
        return array.astype(array.dtype.newbyteorder("="))
    return array


def depth_error(kind: str) -> ValueError:
    return ValueError(f"{kind} nests containers more than {MAX_DEPTH} levels deep "
                      "(or refers to itself)")


def check_depth(obj: Any, kind: str, limit: int = MAX_DEPTH) -> None:
    """Raise ``ValueError`` if dicts/lists/tuples in ``obj`` nest deeper than ``limit``
    (iterative: a crafted file cannot exhaust the stack here)."""
    stack = [(obj, 0)]
    deepest: dict[int, int] = {}  # a shared container is walked again only when found deeper
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, (dict, list, tuple)):
            continue
        if depth >= limit:
            raise depth_error(kind)
        if deepest.get(id(node), -1) >= depth:
            continue
        deepest[id(node)] = depth
        items = [*node.keys(), *node.values()] if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in items)


def make_tensor(array: np.ndarray, requires_grad: bool, parameter: bool,
                device: str | None) -> Tensor:
    """A tensor (or ``nn.Parameter``) owning a copy of ``array`` (in its own dtype; bfloat16
    arrives decoded as float32), on ``device``."""
    from minitorch.dtypes import from_numpy_dtype

    array = native(array)
    t = Tensor._wrap(np.array(array, dtype=from_numpy_dtype(array.dtype).np, order="C"))
    if device and device.startswith("cuda"):
        t = t.cuda()
    if parameter:
        from minitorch.nn.parameter import Parameter

        return Parameter(t, requires_grad=requires_grad)
    return t.requires_grad_(True) if requires_grad else t


def check_zip_entries(archive: zipfile.ZipFile, file_size: int, kind: str) -> None:
    """Every entry stored uncompressed, inside the file: then no entry can declare more
    bytes than the file holds (no zip bomb, no huge allocation from a forged size)."""
    for info in archive.infolist():
        if info.compress_type != zipfile.ZIP_STORED or info.file_size != \
                info.compress_size or info.header_offset + info.compress_size > file_size:
            raise ValueError(f"{kind} entry {info.filename!r} is compressed, truncated or "
                             f"declares a size ({info.file_size} bytes) the file does not hold")


def _device_of(map_location: Any) -> str | None:
    if map_location is None or callable(map_location) or isinstance(map_location, dict):
        return None
    return str(map_location)


def _write(f: Any, write: Callable[[Any], None]) -> None:
    """Call ``write(binary_file)``: directly for a file object, else through a temporary
    file renamed over ``f`` once complete (atomic)."""
    if hasattr(f, "write"):
        write(f)
        return
    path = os.fspath(f)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".pt", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# ---------------------------------------------------------------------------------------------
# minitorch's format
# ---------------------------------------------------------------------------------------------

def _pack(obj: Any, arrays: Dict[str, np.ndarray], depth: int = 0) -> Any:
    """Replace every tensor by a reference to an array entry; keep JSON-able structure."""
    if isinstance(obj, Tensor):
        key = f"t{len(arrays)}"
        arrays[key] = native(np.asarray(obj.detach().cpu()._data, order="C"))  # keeps 0-d
        return {"__tensor__": key, "requires_grad": bool(obj.requires_grad),
                "parameter": type(obj).__name__ == "Parameter"}
    if isinstance(obj, np.ndarray):
        try:
            check_array_dtype(obj.dtype, "a NumPy array")
        except ValueError:
            raise TypeError(f"minitorch.save cannot store a NumPy array of dtype {obj.dtype}: "
                            "checkpoints hold arrays of numbers (bool, ints, floats, "
                            "complex)") from None
        key = f"t{len(arrays)}"
        arrays[key] = native(np.asarray(obj, order="C"))
        return {"__ndarray__": key}
    if isinstance(obj, (dict, list, tuple)):
        if depth >= MAX_DEPTH:
            raise depth_error("the object to save")
        if isinstance(obj, dict):
            return {"__dict__": [[_pack(k, arrays, depth + 1), _pack(v, arrays, depth + 1)]
                                 for k, v in obj.items()]}
        return {"__list__" if isinstance(obj, list) else "__tuple__":
                [_pack(v, arrays, depth + 1) for v in obj]}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, np.generic) and obj.dtype.kind in "biuf":
        return obj.item()
    raise TypeError(f"minitorch.save cannot store objects of type {type(obj).__name__}; "
                    "use tensors, numbers, strings, lists, tuples and dicts")


def _minitorch_arrays(obj: Any) -> Dict[str, np.ndarray]:
    """The arrays of ``obj`` and its ``__structure__``: the entries of the ``.npz`` file."""
    arrays: Dict[str, np.ndarray] = {}
    structure = {"magic": MAGIC, "root": _pack(obj, arrays)}
    text = json.dumps(structure, ensure_ascii=True)
    arrays["__structure__"] = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    return arrays


def _check_member(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse an entry whose header declares more bytes than the entry holds (no huge
    allocation from a crafted size) or a dtype a checkpoint does not hold."""
    with archive.open(name) as fh:
        fmt = np.lib.format
        version = fmt.read_magic(fh)
        read_header = fmt.read_array_header_1_0 if version == (1, 0) else \
            fmt.read_array_header_2_0
        shape, _, dtype = read_header(fh)
    check_array_dtype(dtype, f"checkpoint entry {name!r}")
    declared = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if declared > archive.getinfo(name).file_size:
        raise ValueError(f"checkpoint entry {name!r} declares shape {shape} ({declared} bytes) "
                         f"but holds only {archive.getinfo(name).file_size} bytes: truncated or "
                         "corrupt file")


def _load_minitorch(raw: bytes, where: str, device: str | None) -> Any:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        check_zip_entries(archive, len(raw), "checkpoint")
        names = archive.namelist()
        if "__structure__.npy" not in names:
            raise ValueError("missing __structure__ entry")
        for name in names:
            _check_member(archive, name)
        data = np.load(io.BytesIO(raw), allow_pickle=False)
        structure = json.loads(bytes(data["__structure__"]).decode())
    except RecursionError:
        raise depth_error(f"{where}: the checkpoint") from None
    except (*ZIP_ERRORS, KeyError, json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f"{where} is not a valid minitorch checkpoint: {e}") from None
    if not isinstance(structure, dict) or structure.get("magic") != MAGIC:
        raise ValueError(f"{where} is not a minitorch checkpoint (bad magic)")
    # before any recursion: a saved container is at most three JSON levels
    # ({"__dict__": [[key, value]]}), a tensor one; unpack() then counts containers exactly
    check_depth(structure.get("root"), f"{where}: the checkpoint", 3 * MAX_DEPTH + 1)
    reader = _Unpacker(data, device, Budget(allocation_budget(len(raw)), where))
    try:
        return reader.unpack(structure["root"])
    except (*ZIP_ERRORS, KeyError, TypeError, AttributeError) as e:
        raise ValueError(f"{where} is not a valid minitorch checkpoint: corrupt structure "
                         f"({type(e).__name__}: {e})") from None


class _Unpacker:
    """Rebuilds the objects of a ``__structure__`` tree. Each array entry is read once, and
    every copy made of it is charged to ``budget`` (an entry referenced a million times
    cannot allocate a million copies)."""

    def __init__(self, data: Any, device: str | None, budget: Budget) -> None:
        self.data = data
        self.device = device
        self.budget = budget
        self.arrays: Dict[str, np.ndarray] = {}

    def array(self, key: Any) -> np.ndarray:
        if not isinstance(key, str):
            raise KeyError(key)
        if key not in self.arrays:
            self.arrays[key] = native(self.data[key])
        array = self.arrays[key]
        self.budget.charge(array.nbytes, f"entry {key!r}")
        return array

    def unpack(self, node: Any, depth: int = 0) -> Any:
        """The object of ``node``; ``depth``: the containers around it (as in ``_pack``)."""
        if not isinstance(node, dict):
            return node
        if "__tensor__" in node:
            array = self.array(node["__tensor__"])
            if array.dtype.name not in _TENSOR_DTYPES:
                raise ValueError(f"checkpoint entry {node['__tensor__']!r} has unsupported "
                                 f"dtype {array.dtype} for a tensor")
            return make_tensor(array, bool(node.get("requires_grad")),
                               bool(node.get("parameter")), self.device)
        if "__ndarray__" in node:
            return np.array(self.array(node["__ndarray__"]))
        if depth >= MAX_DEPTH:
            raise depth_error("the checkpoint")
        if "__dict__" in node:
            return {self.unpack(k, depth + 1): self.unpack(v, depth + 1)
                    for k, v in node["__dict__"]}
        if "__list__" in node:
            return [self.unpack(v, depth + 1) for v in node["__list__"]]
        if "__tuple__" in node:
            return tuple(self.unpack(v, depth + 1) for v in node["__tuple__"])
        raise ValueError("corrupt checkpoint structure")


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------

def save(obj: Any, f: Any, *, format: str = "minitorch") -> None:  # noqa: A002 - the word
    """Write ``obj`` (a tensor, a state_dict, or nested dicts/lists/tuples of tensors,
    numbers, strings and ``None``) to ``f`` (a path or a binary file object).

    ``format="minitorch"`` (default) also stores NumPy arrays of numbers; ``format="torch"``
    writes PyTorch's zip format, which ``torch.load(f, weights_only=True)`` reads.
    Raises ``TypeError`` for objects the format cannot store and ``ValueError`` for nesting
    deeper than :data:`MAX_DEPTH`, before anything is written.
    """
    if format == "minitorch":
        arrays = _minitorch_arrays(obj)  # refuses up front, before the file is touched

        def write(out: Any) -> None:
            np.savez(out, **arrays)
    elif format == "torch":
        from minitorch import torch_zip

        archive_name = "archive" if hasattr(f, "write") else \
            os.path.splitext(os.path.basename(os.fspath(f)))[0] or "archive"
        payload = torch_zip.dumps(obj, archive_name)

        def write(out: Any) -> None:
            out.write(payload)
    else:
        raise ValueError(f"format must be 'minitorch' or 'torch', got {format!r}")
    _write(f, write)


def load(f: Any, map_location: Any = None, weights_only: bool = True) -> Any:
    """Read a checkpoint written by :func:`save` (either format) or by ``torch.save`` (a
    state_dict or nested containers of tensors and plain values). ``f`` is a path or a
    binary file object. Raises ``ValueError`` for anything else: a pickle, a truncated file,
    wrong metadata, a refused global (named in the message)."""
    if hasattr(f, "read"):
        raw, where = f.read(), "the checkpoint"
    else:
        path = os.fspath(f)
        with open(path, "rb") as fh:
            raw = fh.read()
        where = repr(path)
    if not raw.startswith(b"PK"):
        hint = " (PyTorch's legacy format: re-save it with torch.save in the default zip " \
            "format)" if raw[:2] in (b"\x80\x02", b"\x80\x04") else ""
        raise ValueError(f"{where} is not a minitorch checkpoint (expected a zip archive "
                         f"written by minitorch.save or torch.save){hint}")
    device = _device_of(map_location)
    try:
        names = zipfile.ZipFile(io.BytesIO(raw)).namelist()
    except (*ZIP_ERRORS, ValueError) as e:
        raise ValueError(f"{where} is not a valid minitorch checkpoint: {e}") from None
    if "__structure__.npy" not in names and any(n.endswith("data.pkl") for n in names):
        from minitorch import torch_zip

        return torch_zip.loads(raw, where, device)
    return _load_minitorch(raw, where, device)
