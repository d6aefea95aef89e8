"""Files: ``minitorch.load`` never runs code from a file and never allocates what a file
merely declares; ``minitorch.save`` is atomic under SIGKILL; ``SummaryWriter`` flushes on
close, on context exit and at interpreter exit, and a killed run leaves readable events up
to its last flush.

    PYTHONPATH=. python -m pytest tests/reliability/test_files.py -q
"""

from __future__ import annotations

import io
import json
import os
import pickle
import random
import signal
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest

import minitorch

ROOT = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=str(ROOT))


class _Payload:
    """Unpickling this creates ``marker``: proof that loading executed code."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (os.system, (f"touch {self.marker}",))


def _load_fails(path: Path, marker: Path) -> str:
    with pytest.raises(ValueError) as info:
        minitorch.load(path)
    assert not marker.exists(), "loading the file executed code"
    return str(info.value)


def _npz(path: Path, members: dict) -> None:
    """A zip of raw .npy members (bytes), stored like np.savez does."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for name, data in members.items():
            z.writestr(name, data)


def _npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, allow_pickle=False)
    return buf.getvalue()


def _structure(root: object) -> bytes:
    text = json.dumps({"magic": "minitorch-checkpoint-v1", "root": root}).encode()
    return _npy(np.frombuffer(text, dtype=np.uint8))


# -------------------------------------------------------------------- crafted files
def test_pickle_payload_is_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"weight": _Payload(str(marker))}))
    assert "not a minitorch checkpoint" in _load_fails(path, marker)


def test_npz_with_an_object_array_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.npz"
    obj = np.empty(1, dtype=object)
    obj[0] = _Payload(str(marker))
    buf = io.BytesIO()
    np.lib.format.write_array(buf, obj, allow_pickle=True)
    _npz(path, {"__structure__.npy": _structure({"__tensor__": "t0"}),
                "t0.npy": buf.getvalue()})
    assert "Python objects" in _load_fails(path, marker)


def test_wrong_magic_truncated_and_garbage(tmp_path: Path) -> None:
    marker = tmp_path / "never"
    good = tmp_path / "good.pt"
    minitorch.save({"w": minitorch.randn(64, 64)}, good)
    raw = good.read_bytes()
    cases = {
        "garbage": b"\x00\x01 not a checkpoint",
        "truncated": raw[: len(raw) // 2],
        "empty": b"",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        _load_fails(tmp_path / name, marker)
    bad_magic = tmp_path / "bad_magic.npz"
    text = json.dumps({"magic": "something-else", "root": 1}).encode()
    _npz(bad_magic, {"__structure__.npy": _npy(np.frombuffer(text, dtype=np.uint8))})
    assert "bad magic" in _load_fails(bad_magic, marker)
    no_structure = tmp_path / "plain.npz"
    np.savez(no_structure, a=np.ones(3))
    _load_fails(no_structure, marker)


def test_wrong_dtype_and_dangling_metadata(tmp_path: Path) -> None:
    marker = tmp_path / "never"
    wide = tmp_path / "uint32.npz"  # a NumPy dtype minitorch has no tensor of
    _npz(wide, {"__structure__.npy": _structure({"__tensor__": "t0"}),
                "t0.npy": _npy(np.ones(3, dtype=np.uint32))})
    assert "unsupported dtype" in _load_fails(wide, marker)
    dangling = tmp_path / "dangling.npz"
    _npz(dangling, {"__structure__.npy": _structure({"__tensor__": "t7"}),
                    "t0.npy": _npy(np.ones(3, dtype=np.float32))})
    assert "corrupt structure" in _load_fails(dangling, marker)


def test_huge_declared_size_fails_fast_without_allocating(tmp_path: Path) -> None:
    """A .npy header declaring a 100 GB float32 array over a few real bytes."""
    marker = tmp_path / "never"
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f4", "fortran_order": False, "shape": (25_000_000_000,)})
    path = tmp_path / "huge.npz"
    _npz(path, {"__structure__.npy": _structure({"__tensor__": "t0"}),
                "t0.npy": header.getvalue() + b"\x00" * 64})
    tracemalloc.start()
    start = time.perf_counter()
    try:
        message = _load_fails(path, marker)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 2.0
    assert peak < 16 * 2**20, f"peak allocation {peak} bytes"
    assert "100000000000 bytes" in message


def test_forged_zip_entry_size_is_refused(tmp_path: Path) -> None:
    """The zip directory itself lies: an entry claims 100 GB uncompressed."""
    good = tmp_path / "good.pt"
    minitorch.save({"w": minitorch.ones(4)}, good)
    raw = bytearray(good.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as z:
        info = z.getinfo("t0.npy")
    cd = raw.find(b"PK\x01\x02")
    while cd != -1:
        name_len = int.from_bytes(raw[cd + 28:cd + 30], "little")
        if raw[cd + 46:cd + 46 + name_len] == b"t0.npy":
            raw[cd + 24:cd + 28] = (0xFFFFFFF0).to_bytes(4, "little")  # uncompressed size
        cd = raw.find(b"PK\x01\x02", cd + 4)
    forged = tmp_path / "forged.pt"
    forged.write_bytes(bytes(raw))
    assert info.file_size < 0xFFFFFFF0
    tracemalloc.start()
    try:
        _load_fails(forged, tmp_path / "never")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20


def test_round_trip_keeps_shapes_dtypes_and_zero_d(tmp_path: Path) -> None:
    state = {"w": minitorch.randn(3, 4), "step": minitorch.tensor(7),
             "scale": minitorch.tensor(0.5, dtype=minitorch.float64), "ids": [1, 2]}
    minitorch.save(state, tmp_path / "ck.pt")
    back = minitorch.load(tmp_path / "ck.pt")
    for key in ("w", "step", "scale"):
        assert back[key].shape == state[key].shape and back[key].dtype == state[key].dtype
        assert back[key].equal(state[key])
    assert back["ids"] == [1, 2]


def test_every_numeric_array_dtype_survives_a_checkpoint(tmp_path: Path) -> None:
    """A uint32 (or float16, complex...) array beside the weights used to make load() refuse
    the whole file: the weights were lost. Now load reads what save writes."""
    extras = {name: np.arange(6).astype(name).reshape(2, 3) for name in (
        "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "float16",
        "complex64", "bool")}
    state = {"w": minitorch.randn(3, 2), "extras": extras}
    minitorch.save(state, tmp_path / "ck.pt")
    back = minitorch.load(tmp_path / "ck.pt")
    assert back["w"].equal(state["w"])
    for name, array in extras.items():
        assert back["extras"][name].dtype == array.dtype
        np.testing.assert_array_equal(back["extras"][name], array)
    for bad in (np.array(["s"]), np.array([object()]), np.zeros(1, dtype="M8[D]")):
        with pytest.raises(TypeError):
            minitorch.save({"w": state["w"], "bad": bad}, tmp_path / "ck.pt")
    assert minitorch.load(tmp_path / "ck.pt")["w"].equal(state["w"])  # untouched


# --------------------------------------------------------------------- atomic save
SAVER = r"""
import sys
import numpy as np
import minitorch
path = sys.argv[1]
i = 1
while True:
    w = minitorch.from_numpy(np.full((1024, 1024 * 4), float(i), dtype=np.float32))  # 16 MB
    minitorch.save({"version": i, "w": w}, path)
    print(i, flush=True)
    i += 1
"""


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_save_killed_mid_write_keeps_the_previous_checkpoint(tmp_path: Path,
                                                             seed: int) -> None:
    path = tmp_path / "ck.pt"
    proc = subprocess.Popen([sys.executable, "-c", SAVER, str(path)], env=ENV,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "1"  # one complete checkpoint exists
        time.sleep(random.Random(seed).uniform(0.0, 0.4))  # then die mid-write, somewhere
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    ck = minitorch.load(path)
    version = ck["version"]
    assert version >= 1
    w = ck["w"].numpy()
    assert w.shape == (1024, 4096) and (w == version).all()


# --------------------------------------------------------------------- SummaryWriter
def _scalars(logdir: Path, tag: str) -> list:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(logdir), size_guidance={"scalars": 0})
    acc.Reload()
    return [(e.step, e.value) for e in acc.Scalars(tag)] if tag in acc.Tags()["scalars"] \
        else []


WRITER = r"""
import sys, time
from minitorch.utils.tensorboard import SummaryWriter
logdir, mode = sys.argv[1], sys.argv[2]
if mode == "context":
    with SummaryWriter(logdir, flush_secs=3600) as w:
        for i in range(20):
            w.add_scalar("loss", float(i), i)
elif mode == "exit":
    w = SummaryWriter(logdir, flush_secs=3600)
    for i in range(20):
        w.add_scalar("loss", float(i), i)
    # no close(): the interpreter's exit must flush
elif mode == "close":
    w = SummaryWriter(logdir, flush_secs=3600)
    for i in range(20):
        w.add_scalar("loss", float(i), i)
    w.close()
else:  # killed after a flush
    w = SummaryWriter(logdir, flush_secs=3600, max_queue=1000)
    for i in range(20):
        w.add_scalar("loss", float(i), i)
    w.flush()
    print("flushed", flush=True)
    for i in range(20, 40):
        w.add_scalar("loss", float(i), i)
    time.sleep(60)
"""


@pytest.mark.parametrize("mode", ["close", "context", "exit"])
def test_summary_writer_flushes(tmp_path: Path, mode: str) -> None:
    subprocess.run([sys.executable, "-c", WRITER, str(tmp_path), mode], env=ENV, check=True,
                   timeout=120)
    assert _scalars(tmp_path, "loss") == [(i, float(i)) for i in range(20)]


def test_summary_writer_killed_after_flush_is_readable(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), "kill"], env=ENV,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "flushed"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    got = _scalars(tmp_path, "loss")
    assert got[:20] == [(i, float(i)) for i in range(20)]
