"""Checkpoints shared with PyTorch: ``minitorch.load`` reads what ``torch.save`` writes (zip
format: state_dicts, optimizer state, nested containers, views, every storage type), and
``minitorch.save(..., format="torch")`` writes what ``torch.load(weights_only=True)`` reads.
PyTorch itself is the reference: it writes and reads the files here."""

from __future__ import annotations

import io
import pickle
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

import minitorch
from minitorch import nn

torch = pytest.importorskip("torch")


def assert_matches(ours, theirs) -> None:
    """``ours`` (minitorch) holds the same values as ``theirs`` (torch), recursively."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, minitorch.Tensor), type(ours)
        assert tuple(ours.shape) == tuple(theirs.shape)
        assert ours.requires_grad == theirs.requires_grad
        assert isinstance(ours, nn.Parameter) == isinstance(theirs, torch.nn.Parameter)
        expected = theirs.detach().float().numpy() if theirs.dtype in (
            torch.float16, torch.bfloat16) else theirs.detach().numpy()
        np.testing.assert_array_equal(ours.detach().numpy(), expected)
        return
    assert type(ours) is type(theirs), (type(ours), type(theirs))
    if isinstance(theirs, dict):
        assert list(ours) == list(theirs)
        for k in theirs:
            assert_matches(ours[k], theirs[k])
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_matches(a, b)
    elif isinstance(theirs, float) and theirs != theirs:
        assert ours != ours
    else:
        assert ours == theirs


def torch_model() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(),
                               torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                               torch.nn.Linear(4 * 4 * 4, 3))


def minitorch_model() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(4 * 4 * 4, 3))


def test_loads_a_torch_model_and_optimizer(tmp_path: Path) -> None:
    model = torch_model()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2, betas=(0.8, 0.99))
    x, y = torch.randn(8, 1, 8, 8), torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    torch.nn.functional.cross_entropy(model(x), y).backward()
    opt.step()
    checkpoint = {"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}
    torch.save(checkpoint, tmp_path / "ck.pt")
    loaded = minitorch.load(tmp_path / "ck.pt")
    assert_matches(loaded, checkpoint)
    assert isinstance(loaded["model"], OrderedDict)

    ours = minitorch_model()
    result = ours.load_state_dict(loaded["model"])
    assert not result.missing_keys and not result.unexpected_keys
    with torch.no_grad():
        expected = model(x).numpy()
    got = ours(minitorch.from_numpy(x.numpy())).detach().numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_loads_every_storage_type_views_and_plain_values(tmp_path: Path) -> None:
    base = torch.arange(24, dtype=torch.float64).reshape(4, 6)
    obj = {
        "float32": torch.randn(3, 2), "float64": base, "int64": torch.arange(5),
        "bool": torch.tensor([True, False, True]), "scalar": torch.tensor(2.5),
        "empty": torch.zeros(0, 3), "transposed": base.t(), "slice": base[1:3, ::2],
        "expanded": torch.ones(3, 1).expand(3, 4), "offset": base.view(-1)[5:11],
        "int32": torch.arange(-3, 3, dtype=torch.int32),
        "int16": torch.tensor([-7], dtype=torch.int16),
        "int8": torch.tensor([-2, 3], dtype=torch.int8),
        "uint8": torch.tensor([0, 255], dtype=torch.uint8),
        "float16": torch.tensor([0.5, -1.25], dtype=torch.float16),
        "bfloat16": torch.tensor([1.5, -3.0], dtype=torch.bfloat16),
        "complex64": torch.tensor([1 + 2j, -0.5j]),
        "complex128": torch.tensor([3 - 1j], dtype=torch.complex128),
        "grad": torch.ones(2, requires_grad=True), "param": torch.nn.Parameter(torch.ones(2)),
        "frozen": torch.nn.Parameter(torch.zeros(1), requires_grad=False),
        "values": [1, -2**40, 1.5, float("nan"), None, True, "text ✓", (1, (2, 3)), {}, []],
        7: {"nested": [{"deep": torch.ones(1)}]},
    }
    torch.save(obj, tmp_path / "all.pt")
    loaded = minitorch.load(tmp_path / "all.pt")
    kinds = {"int32": minitorch.int32, "int16": minitorch.int16, "int8": minitorch.int8,
             "uint8": minitorch.uint8, "float16": minitorch.float16,
             "bfloat16": minitorch.float32, "complex64": minitorch.complex64,
             "complex128": minitorch.complex128}
    for key, dtype in kinds.items():  # bfloat16 widened to float32, which holds it exactly
        assert loaded[key].dtype == dtype
    for key in ("float32", "float64", "int64", "bool"):
        assert loaded[key].dtype == getattr(minitorch, key if key != "bool" else "bool")
    assert_matches(loaded, obj)
    buffer = io.BytesIO()  # file objects, both ways
    torch.save({"w": torch.ones(2)}, buffer)
    buffer.seek(0)
    assert_matches(minitorch.load(buffer), {"w": torch.ones(2)})


def test_big_endian_torch_files(tmp_path: Path) -> None:
    """A file written on a big-endian machine: byteorder says "big", storages are swapped."""
    torch.save({"w": torch.arange(6, dtype=torch.float32), "i": torch.arange(3)},
               tmp_path / "le.pt")
    with zipfile.ZipFile(tmp_path / "le.pt") as src, \
            zipfile.ZipFile(tmp_path / "be.pt", "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("byteorder"):
                data = b"big"
            elif "/data/" in info.filename:
                itemsize = 4 if data == np.arange(6, dtype="<f4").tobytes() else 8
                data = np.frombuffer(data, f"<u{itemsize}").astype(f">u{itemsize}").tobytes()
            dst.writestr(info.filename, data)
    loaded = minitorch.load(tmp_path / "be.pt")
    np.testing.assert_array_equal(loaded["w"].numpy(), np.arange(6, dtype=np.float32))
    np.testing.assert_array_equal(loaded["i"].numpy(), np.arange(3))
    assert loaded["w"].numpy().dtype.isnative


def test_saves_what_torch_loads(tmp_path: Path) -> None:
    minitorch.manual_seed(0)
    model = minitorch_model()
    opt = minitorch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = minitorch.randn(4, 1, 8, 8)
    nn.functional.cross_entropy(model(x), minitorch.tensor([0, 1, 2, 0])).backward()
    opt.step()
    obj = {"model": model.state_dict(), "optimizer": opt.state_dict(),
           "extras": [minitorch.tensor(3), minitorch.tensor([True, False]),
                      minitorch.rand(3, 4).T, minitorch.zeros(0, 2),
                      minitorch.ones(2, dtype=minitorch.float64, requires_grad=True),
                      nn.Parameter(minitorch.ones(3)), 2**62, -1.5, "s", None, (1, 2),
                      minitorch.tensor([1, 2], dtype=minitorch.uint8),
                      minitorch.tensor([0.5], dtype=minitorch.float16),
                      minitorch.complex(minitorch.tensor([1.0]), minitorch.tensor([-2.0]))]}
    minitorch.save(obj, tmp_path / "ours.pt", format="torch")
    theirs = torch.load(tmp_path / "ours.pt", weights_only=True)
    assert_matches(obj, theirs)
    assert_matches(minitorch.load(tmp_path / "ours.pt"), theirs)
    reference = torch_model()
    reference.load_state_dict(theirs["model"])
    with torch.no_grad():
        expected = reference(torch.from_numpy(x.numpy())).numpy()
    np.testing.assert_allclose(model(x).detach().numpy(), expected, rtol=1e-5, atol=1e-6)
    buffer = io.BytesIO()
    minitorch.save({"w": minitorch.ones(2)}, buffer, format="torch")
    buffer.seek(0)
    assert torch.load(buffer, weights_only=True)["w"].tolist() == [1.0, 1.0]


def test_torch_format_refuses_up_front(tmp_path: Path) -> None:
    path = tmp_path / "x.pt"
    path.write_bytes(b"previous")
    for bad in ({"a": np.ones(2)}, {"a": object()}, {"a": {1, 2}}):
        with pytest.raises(TypeError, match="format='torch'"):
            minitorch.save(bad, path, format="torch")
    assert path.read_bytes() == b"previous"  # nothing written
    with pytest.raises(ValueError, match="format must be"):
        minitorch.save({}, path, format="pickle")


class Evil:
    def __reduce__(self) -> tuple:
        return (print, ("unsafe",))


def test_refused_global_is_named(tmp_path: Path) -> None:
    torch.save({"w": torch.ones(1), "evil": Evil()}, tmp_path / "evil.pt")
    with pytest.raises(ValueError, match="refusing to load '__builtin__.print'") as info:
        minitorch.load(tmp_path / "evil.pt")
    assert isinstance(info.value, pickle.UnpicklingError)  # what torch.load raises too
    torch.save({"w": torch.ones(2, dtype=torch.uint16)}, tmp_path / "uint16.pt")
    with pytest.raises(ValueError, match="torch._utils._rebuild_tensor_v3"):  # no uint16 here
        minitorch.load(tmp_path / "uint16.pt")
    torch.save({"w": torch.ones(2)}, tmp_path / "legacy.pt", _use_new_zipfile_serialization=False)
    with pytest.raises(ValueError, match="legacy format"):
        minitorch.load(tmp_path / "legacy.pt")
