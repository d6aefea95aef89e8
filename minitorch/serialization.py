"""``minitorch.save`` / ``minitorch.load``: checkpoints that cannot run code when loaded.

A checkpoint is a ``.npz`` archive read with ``allow_pickle=False``: one array per tensor,
plus ``__structure__``, a JSON description of the nested dicts/lists/numbers around them.
Nothing in the file is ever executed. ``save`` writes to a temporary file in the same folder
and renames it over the target, so a crash mid-write leaves the previous file intact.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from typing import Any, Dict, Union

import numpy as np

from minitorch.tensor import Tensor

PathLike = Union[str, "os.PathLike[str]"]
MAGIC = "minitorch-checkpoint-v1"
_ALLOWED_DTYPES = {"float32", "float64", "int64", "bool"}


def _pack(obj: Any, arrays: Dict[str, np.ndarray]) -> Any:
    """Replace every tensor by a reference to an array entry; keep JSON-able structure."""
    if isinstance(obj, Tensor):
        key = f"t{len(arrays)}"
        arrays[key] = np.asarray(obj.detach().cpu()._data, order="C")  # keeps 0-d
        return {"__tensor__": key, "requires_grad": bool(obj.requires_grad),
                "parameter": type(obj).__name__ == "Parameter"}
    if isinstance(obj, np.ndarray):
        key = f"t{len(arrays)}"
        arrays[key] = np.asarray(obj, order="C")
        return {"__ndarray__": key}
    if isinstance(obj, dict):
        items = [[_pack(k, arrays), _pack(v, arrays)] for k, v in obj.items()]
        return {"__dict__": items}
    if isinstance(obj, (list, tuple)):
        return {"__list__" if isinstance(obj, list) else "__tuple__":
                [_pack(v, arrays) for v in obj]}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"minitorch.save cannot store objects of type {type(obj).__name__}; "
                    "use tensors, numbers, strings, lists, tuples and dicts")


def save(obj: Any, f: PathLike) -> None:
    """Write ``obj`` (a tensor, a state_dict, or nested containers of them) to ``f``."""
    arrays: Dict[str, np.ndarray] = {}
    structure = {"magic": MAGIC, "root": _pack(obj, arrays)}
    arrays["__structure__"] = np.frombuffer(json.dumps(structure).encode(), dtype=np.uint8)
    path = os.fspath(f)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            np.savez(out, **arrays)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _check_member(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse an entry whose header declares more bytes than the entry holds (no huge
    allocation from a crafted size) or a dtype minitorch does not store."""
    with archive.open(name) as fh:
        fmt = np.lib.format
        version = fmt.read_magic(fh)
        read_header = fmt.read_array_header_1_0 if version == (1, 0) else \
            fmt.read_array_header_2_0
        shape, _, dtype = read_header(fh)
    if dtype.hasobject:
        raise ValueError(f"checkpoint entry {name!r} holds Python objects; refusing to load it")
    if dtype.name not in _ALLOWED_DTYPES and name != "__structure__.npy":
        raise ValueError(f"checkpoint entry {name!r} has unsupported dtype {dtype}")
    declared = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if declared > archive.getinfo(name).file_size:
        raise ValueError(f"checkpoint entry {name!r} declares shape {shape} ({declared} bytes) "
                         f"but holds only {archive.getinfo(name).file_size} bytes: truncated or "
                         "corrupt file")


def load(f: PathLike, map_location: Any = None, weights_only: bool = True) -> Any:
    """Read a checkpoint written by :func:`save`. Raises ``ValueError`` for anything that
    is not one (a pickle, a truncated file, wrong metadata)."""
    path = os.fspath(f)
    with open(path, "rb") as fh:
        raw = fh.read()
    if not raw.startswith(b"PK"):
        raise ValueError(f"{path!r} is not a minitorch checkpoint (expected a .npz archive "
                         "written by minitorch.save)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        names = archive.namelist()
        for info in archive.infolist():
            # minitorch.save stores entries uncompressed: then no entry can declare more bytes
            # than the file holds (no zip bomb, no huge allocation from a forged size)
            if info.compress_type != zipfile.ZIP_STORED or info.file_size != \
                    info.compress_size or info.header_offset + info.compress_size > len(raw):
                raise ValueError(f"checkpoint entry {info.filename!r} is compressed, truncated "
                                 f"or declares a size ({info.file_size} bytes) the file does "
                                 "not hold")
        if "__structure__.npy" not in names:
            raise ValueError("missing __structure__ entry")
        for name in names:
            _check_member(archive, name)
        data = np.load(io.BytesIO(raw), allow_pickle=False)
        structure = json.loads(bytes(data["__structure__"]).decode())
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, EOFError, OSError,
            UnicodeDecodeError) as e:
        raise ValueError(f"{path!r} is not a valid minitorch checkpoint: {e}") from None
    if not isinstance(structure, dict) or structure.get("magic") != MAGIC:
        raise ValueError(f"{path!r} is not a minitorch checkpoint (bad magic)")
    device = None if map_location is None else str(map_location)
    try:
        return _unpack(structure["root"], data, device)
    except (KeyError, TypeError, AttributeError) as e:
        raise ValueError(f"{path!r} is not a valid minitorch checkpoint: corrupt structure "
                         f"({type(e).__name__}: {e})") from None


def _unpack(node: Any, data: Any, device: Any) -> Any:
    if isinstance(node, dict):
        if "__tensor__" in node:
            t = Tensor._wrap(np.array(data[node["__tensor__"]]))
            if device and device.startswith("cuda"):
                t = t.cuda()
            if node.get("parameter"):
                from minitorch.nn.parameter import Parameter

                return Parameter(t, requires_grad=bool(node.get("requires_grad", True)))
            return t.requires_grad_(True) if node.get("requires_grad") else t
        if "__ndarray__" in node:
            return np.array(data[node["__ndarray__"]])
        if "__dict__" in node:
            return {_unpack(k, data, device): _unpack(v, data, device)
                    for k, v in node["__dict__"]}
        if "__list__" in node:
            return [_unpack(v, data, device) for v in node["__list__"]]
        if "__tuple__" in node:
            return tuple(_unpack(v, data, device) for v in node["__tuple__"])
        raise ValueError("corrupt checkpoint structure")
    return node
