"""Crafted files of every kind a loader reads — minitorch checkpoints, torch zip checkpoints,
CIFAR-10 pickle batches, MNIST IDX files — fail with ValueError: never another exception
(RecursionError, MemoryError, KeyError...), never code run, never an allocation the file's
size does not justify (tracemalloc peak), and quickly. Byte-flip fuzzing of valid files of
each kind checks the same for files nobody designed.

    PYTHONPATH=. python -m pytest tests/reliability/test_crafted_files.py -q
"""

from __future__ import annotations

import gzip
import io
import json
import os
import pickle
import struct
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

import minitorch
from minitorch.vision import datasets

PEAK = 16 * 2**20  # no loader may allocate more than this for the few-hundred-byte files here


def fails_small(load: Callable[[], object], match: str = "") -> str:
    """``load()`` raises ValueError (matching ``match``) within 5 s, allocating < 16 MiB."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ValueError, match=match or None) as info:
            load()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 5.0
    assert peak < PEAK, f"peak allocation {peak} bytes"
    return str(info.value)


# ------------------------------------------------------------------------------ pickle pieces
def glob(module: str, name: str) -> bytes:
    return b"c" + f"{module}\n{name}\n".encode()


def text(s: str) -> bytes:
    data = s.encode()
    return b"X" + struct.pack("<I", len(data)) + data


def long1(n: int) -> bytes:
    data = n.to_bytes((n.bit_length() + 8) // 8, "little", signed=True)
    return b"\x8a" + bytes([len(data)]) + data


def call(func: bytes, *args: bytes) -> bytes:
    return func + b"(" + b"".join(args) + b"tR"


def pickled_dict(**items: bytes) -> bytes:
    return b"\x80\x02}(" + b"".join(text(k) + v for k, v in items.items()) + b"u."


def nested_lists(depth: int) -> bytes:
    """``[[[...]]]``, ``depth`` deep, built without recursion: EMPTY_LIST ×depth, APPEND."""
    return b"\x80\x02" + b"]" * depth + b"a" * (depth - 1) + b"."


# ---------------------------------------------------------------------------------- CIFAR-10
def write_cifar_batch(root: Path, payload: bytes) -> None:
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "test_batch").write_bytes(payload)
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({b"label_names": [b"a"] * 10}, f, protocol=2)


ONE = b"K\x01"
NDARRAY = glob("numpy", "ndarray")
RECONSTRUCT = glob("numpy.core.multiarray", "_reconstruct")
DTYPE_U1 = call(glob("numpy", "dtype"), text("u1"), b"\x89", b"\x88")


CIFAR_CASES = {
    # 4 GiB of zeros from 50 bytes: bytearray(2**32), bytes(2**32)
    "bytearray-4GiB": pickled_dict(data=call(glob("__builtin__", "bytearray"), long1(2**32)),
                                   labels=b"]"),
    "bytes-4GiB": pickled_dict(data=call(glob("builtins", "bytes"), long1(2**32))),
    # numpy.ndarray((2**32,), 'u1'): an uninitialised 4 GiB array
    "ndarray-4GiB": pickled_dict(data=call(NDARRAY, b"(" + long1(2**32) + b"t", text("u1"))),
    # _reconstruct(ndarray, (2**32,), b'b')
    "reconstruct-4GiB": pickled_dict(data=call(RECONSTRUCT, NDARRAY,
                                               b"(" + long1(2**32) + b"t", text("b"))),
    # _reconstruct(ndarray, (0,), b'b') then BUILD with a huge shape and 3 bytes of data
    "build-huge-shape": pickled_dict(data=call(RECONSTRUCT, NDARRAY, b"K\x00\x85", text("b"))
                                     + b"(" + ONE + b"(" + long1(2**32) + b"t" + DTYPE_U1
                                     + b"\x89" + b"C\x03abc" + b"tb"),
    "refused-global": pickled_dict(data=call(glob("os", "system"), text("true"))),
    "deep-nesting": nested_lists(50_000),
    "not-a-dict": pickle.dumps([1, 2, 3], protocol=2),
    "no-labels": pickle.dumps({"data": np.zeros((1, 3072), np.uint8)}, protocol=2),
    "bad-shape": pickle.dumps({"data": np.zeros((2, 10), np.uint8), "labels": [0, 1]},
                              protocol=2),
    "bad-dtype": pickle.dumps({"data": np.zeros((1, 3072), np.float32), "labels": [0]},
                              protocol=2),
    "label-count": pickle.dumps({"data": np.zeros((2, 3072), np.uint8), "labels": [0]},
                                protocol=2),
    "truncated": pickle.dumps({"data": np.zeros((1, 3072), np.uint8), "labels": [0]},
                              protocol=2)[:-40],
    "memo-index": b"\x80\x02}r\xff\xff\xff\xff" + b"h\x00.",  # LONG_BINPUT 2**32-1, BINGET 0
    "empty": b"",
}


@pytest.mark.parametrize("case", list(CIFAR_CASES))
def test_crafted_cifar_batches(tmp_path: Path, case: str) -> None:
    payload = CIFAR_CASES[case]
    assert len(payload) < 200_000
    write_cifar_batch(tmp_path, payload)
    message = fails_small(lambda: datasets.CIFAR10(tmp_path, train=False))
    if case.endswith("GiB") or case == "build-huge-shape":
        assert "budget" in message
    if case == "refused-global":
        assert "refusing to load 'os.system'" in message


# ----------------------------------------------------------------------------- torch zip files
def torch_zip(path: Path, pkl: bytes, storages: dict[str, bytes] | None = None,
              compress: bool = False) -> Path:
    mode = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", mode) as z:
        z.writestr("archive/data.pkl", pkl)
        z.writestr("archive/byteorder", "little")
        for key, data in (storages or {}).items():
            z.writestr(f"archive/data/{key}", data)
        z.writestr("archive/version", "3\n")
    return path


def tensor(numel: int, offset: int, size: tuple, stride: tuple, key: str = "0",
           kind: str = "FloatStorage") -> bytes:
    """``_rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())``."""
    pid = b"(" + text("storage") + glob("torch", kind) + text(key) + text("cpu") \
        + long1(numel) + b"tQ"
    ints = b"".join(long1(v) for v in size)
    strides = b"".join(long1(v) for v in stride)
    return call(glob("torch._utils", "_rebuild_tensor_v2"), pid, long1(offset),
                b"(" + ints + b"t", b"(" + strides + b"t", b"\x89",
                call(glob("collections", "OrderedDict")))


FLOATS = np.arange(4, dtype="<f4").tobytes()

TORCH_CASES = {
    "storage-larger-than-entry": (pickled_dict(w=tensor(2**33, 0, (2**33,), (1,))),
                                  {"0": FLOATS}, "declares"),
    "view-past-storage": (pickled_dict(w=tensor(4, 2, (3,), (1,))), {"0": FLOATS},
                          "reaches past"),
    "expanded-to-4GiB": (pickled_dict(w=tensor(4, 0, (2**20, 2**10), (0, 0))), {"0": FLOATS},
                         "budget"),
    "same-storage-many-times": (b"\x80\x02](" + tensor(2**18, 0, (2**18,), (1,)) * 40
                                + b"e.", {"0": b"\0" * 2**20}, "budget"),
    "missing-storage": (pickled_dict(w=tensor(4, 0, (4,), (1,), key="9")), {"0": FLOATS},
                        "no entry"),
    "negative-stride": (pickled_dict(w=tensor(4, 3, (4,), (-1,))), {"0": FLOATS},
                        "invalid tensor layout"),
    "refused-global": (pickled_dict(w=call(glob("posix", "system"), text("true"))), {},
                       "refusing to load 'posix.system'"),
    "refused-storage": (pickled_dict(w=tensor(4, 0, (4,), (1,), kind="QInt8Storage")),
                        {"0": FLOATS}, "torch.QInt8Storage"),
    "callable-from-data": (pickled_dict(w=text("x") + b")R"), {}, "refusing to call"),
    "deep-nesting": (nested_lists(50_000), {}, "levels deep"),
    "newobj": (b"\x80\x02" + glob("collections", "OrderedDict") + b")\x81.", {}, "opcode"),
    "garbage-pickle": (b"\x80\x02\xff\xfe", {}, ""),
    "truncated-pickle": (pickled_dict(w=tensor(4, 0, (4,), (1,)))[:-7], {"0": FLOATS}, ""),
    "build-on-tensor": (b"\x80\x02" + tensor(4, 0, (4,), (1,)) + b"}" + text("_data") + ONE
                        + b"sb.", {"0": FLOATS}, "refusing to set the state"),
}


@pytest.mark.parametrize("case", list(TORCH_CASES))
def test_crafted_torch_checkpoints(tmp_path: Path, case: str) -> None:
    pkl, storages, match = TORCH_CASES[case]
    path = torch_zip(tmp_path / "ck.pt", pkl, storages)
    fails_small(lambda: minitorch.load(path), match)


def test_torch_zip_structure_errors(tmp_path: Path) -> None:
    good = pickled_dict(w=tensor(4, 0, (4,), (1,)))
    assert minitorch.load(torch_zip(tmp_path / "ok.pt", good, {"0": FLOATS}))["w"].tolist() \
        == [0.0, 1.0, 2.0, 3.0]
    bomb = torch_zip(tmp_path / "bomb.pt", good, {"0": b"\0" * 2**24}, compress=True)
    assert bomb.stat().st_size < 2**16
    fails_small(lambda: minitorch.load(bomb), "compressed")
    with zipfile.ZipFile(tmp_path / "two.pt", "w") as z:
        z.writestr("a/data.pkl", good)
        z.writestr("b/data.pkl", good)
    fails_small(lambda: minitorch.load(tmp_path / "two.pt"), "one <name>/data.pkl")
    raw = (tmp_path / "ok.pt").read_bytes()
    (tmp_path / "cut.pt").write_bytes(raw[: len(raw) - 30])
    fails_small(lambda: minitorch.load(tmp_path / "cut.pt"))


# --------------------------------------------------------------------- minitorch checkpoints
def npz(path: Path, structure: object | bytes, arrays: dict[str, np.ndarray]) -> Path:
    def npy(array: np.ndarray) -> bytes:
        buf = io.BytesIO()
        np.lib.format.write_array(buf, array, allow_pickle=False)
        return buf.getvalue()

    text_ = structure if isinstance(structure, bytes) else json.dumps(
        {"magic": "minitorch-checkpoint-v1", "root": structure}).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("__structure__.npy", npy(np.frombuffer(text_, dtype=np.uint8)))
        for name, array in arrays.items():
            z.writestr(f"{name}.npy", npy(array))
    return path


def test_deeply_nested_header_is_a_value_error(tmp_path: Path) -> None:
    deep = b'{"magic": "minitorch-checkpoint-v1", "root": ' + b"[" * 100_000 \
        + b"]" * 100_000 + b"}"
    path = npz(tmp_path / "deep.npz", deep, {})
    assert "levels deep" in fails_small(lambda: minitorch.load(path))
    node: object = 1
    for _ in range(150):  # well-formed, just deeper than save() writes
        node = {"__list__": [node]}
    path = npz(tmp_path / "deep2.npz", node, {})
    assert "levels deep" in fails_small(lambda: minitorch.load(path))


def test_one_entry_referenced_many_times(tmp_path: Path) -> None:
    refs = {"__list__": [{"__tensor__": "t0"}] * 5_000}
    path = npz(tmp_path / "refs.npz", refs, {"t0": np.zeros(2**16, np.float64)})  # 512 KiB
    assert "budget" in fails_small(lambda: minitorch.load(path))


def test_big_endian_entries_become_native(tmp_path: Path) -> None:
    values = np.arange(12, dtype=np.float32).reshape(3, 4)
    path = npz(tmp_path / "be.npz", {"__dict__": [["w", {"__tensor__": "t0"}],
                                                  ["i", {"__tensor__": "t1"}],
                                                  ["a", {"__ndarray__": "t2"}]]},
               {"t0": values.astype(">f4"), "t1": np.arange(3).astype(">i8"),
                "t2": np.arange(3).astype(">u4")})
    loaded = minitorch.load(path)
    w = loaded["w"]
    assert w.dtype == minitorch.float32 and w.numpy().dtype.isnative
    np.testing.assert_array_equal((w @ w.T + 1).numpy(), values @ values.T + 1)
    np.testing.assert_array_equal(loaded["i"].numpy(), [0, 1, 2])
    assert loaded["a"].dtype == np.uint32 and loaded["a"].dtype.isnative


# ------------------------------------------------------------------------------- fuzzing
def flips(data: bytes, seed: int, count: int) -> list[bytes]:
    """``count`` copies of ``data`` with 1-4 random bytes replaced, or cut short."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        mutated = bytearray(data)
        if rng.random() < 0.15:
            out.append(bytes(mutated[: int(rng.integers(0, len(data)))]))
            continue
        for _ in range(int(rng.integers(1, 5))):
            mutated[int(rng.integers(0, len(data)))] = int(rng.integers(0, 256))
        out.append(bytes(mutated))
    return out


def survives(path: Path, variants: list[bytes], load: Callable[[], object]) -> int:
    """Each variant loads or raises ValueError. Returns how many were refused."""
    refused = 0
    tracemalloc.start()
    try:
        for data in variants:
            path.write_bytes(data)
            try:
                load()
            except ValueError:
                refused += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20, f"peak allocation {peak} bytes"
    return refused


def test_fuzzed_checkpoints(tmp_path: Path) -> None:
    state = {"w": minitorch.randn(4, 3), "b": minitorch.zeros(3), "step": 7,
             "groups": [{"lr": 0.1, "betas": (0.9, 0.99)}]}
    for fmt in ("minitorch", "torch"):
        good = tmp_path / f"good.{fmt}"
        minitorch.save(state, good, format=fmt)
        path = tmp_path / f"fuzz.{fmt}"
        refused = survives(path, flips(good.read_bytes(), 0, 150),
                           lambda p=path: minitorch.load(p))
        assert refused > 50  # most mutations are caught, none crashes another way


def test_fuzzed_dataset_files(tmp_path: Path) -> None:
    write_cifar_batch(tmp_path, b"")
    batch = tmp_path / "cifar-10-batches-py" / "test_batch"
    rng = np.random.default_rng(0)
    good = pickle.dumps({b"data": rng.integers(0, 256, (2, 3072), dtype=np.uint8),
                         b"labels": [1, 2]}, protocol=2)
    survives(batch, flips(good, 1, 100), lambda: datasets.CIFAR10(tmp_path, train=False))
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    labels = raw / "t10k-labels-idx1-ubyte"
    labels.write_bytes(struct.pack(">BBBBI", 0, 0, 8, 1, 2) + b"\x01\x02")
    images = raw / "t10k-images-idx3-ubyte.gz"
    idx = struct.pack(">BBBBIII", 0, 0, 8, 3, 2, 4, 4) + bytes(range(32))
    survives(images, flips(gzip.compress(idx), 2, 100), lambda: datasets.MNIST(
        tmp_path, train=False))
    os.remove(images)
    images = raw / "t10k-images-idx3-ubyte"
    survives(images, flips(idx, 3, 100), lambda: datasets.MNIST(tmp_path, train=False))
