"""vision.datasets: ImageFolder, CIFAR10 (from files in the original format), ShapesDataset."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import minitorch
from minitorch.utils.data import DataLoader
from minitorch.vision import datasets, transforms

# --------------------------------------------------------------------------------- ImageFolder


def make_folder(root: Path) -> None:
    colours = {"cat": (200, 10, 10), "dog": (10, 200, 10), "bird": (10, 10, 200)}
    for name, colour in colours.items():
        (root / name / "more").mkdir(parents=True)
        for k in range(2):
            Image.new("RGB", (6, 4), colour).save(root / name / f"{k}.png")
        Image.new("L", (6, 4), 99).save(root / name / "more" / "grey.jpg")
        (root / name / "notes.txt").write_text("not a picture")


def test_image_folder(tmp_path: Path) -> None:
    make_folder(tmp_path)
    ds = datasets.ImageFolder(tmp_path, transform=transforms.ToTensor())
    assert ds.classes == ["bird", "cat", "dog"]
    assert ds.class_to_idx == {"bird": 0, "cat": 1, "dog": 2}
    assert len(ds) == 9 and ds.imgs is ds.samples
    assert [label for _, label in ds.samples] == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert [os.path.relpath(p, tmp_path) for p, _ in ds.samples[:3]] == [
        os.path.join("bird", "0.png"), os.path.join("bird", "1.png"),
        os.path.join("bird", "more", "grey.jpg")]
    x, y = ds[3]
    assert y == 1 and tuple(x.shape) == (3, 4, 6)
    np.testing.assert_allclose(x.numpy()[:, 0, 0], np.array([200, 10, 10]) / 255, rtol=1e-6)
    grey, _ = ds[2]  # a grey picture is opened as RGB
    assert tuple(grey.shape) == (3, 4, 6)
    images, labels = next(iter(DataLoader(ds, batch_size=4, shuffle=True, generator=0)))
    assert tuple(images.shape) == (4, 3, 4, 6) and labels.dtype == minitorch.int64


def test_image_folder_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        datasets.ImageFolder(tmp_path)  # no class folders
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="empty"):
        datasets.ImageFolder(tmp_path)
    assert len(datasets.ImageFolder(tmp_path, allow_empty=True)) == 0


# --------------------------------------------------------------------------------- CIFAR10
CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
           "truck"]


def write_cifar(root: Path, per_batch: int = 3, protocol: int = 2) -> dict:
    """Batch files in CIFAR-10's python format: dicts with b"data" (N, 3072) uint8 and
    b"labels"; batches.meta with b"label_names"."""
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    written = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        data = rng.integers(0, 256, size=(per_batch, 3072), dtype=np.uint8)
        labels = [int(v) for v in rng.integers(0, 10, size=per_batch)]
        entry = {b"batch_label": name.encode(), b"labels": labels, b"data": data,
                 b"filenames": [f"{name}_{i}.png".encode() for i in range(per_batch)]}
        with open(folder / name, "wb") as f:
            pickle.dump(entry, f, protocol=protocol)
        written[name] = entry
    meta = {b"num_cases_per_batch": per_batch, b"label_names": [c.encode() for c in CLASSES],
            b"num_vis": 3072}
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump(meta, f, protocol=protocol)
    return written


@pytest.mark.parametrize("protocol", [2, pickle.HIGHEST_PROTOCOL])
def test_cifar10_reads_the_python_format(tmp_path: Path, protocol: int) -> None:
    written = write_cifar(tmp_path, protocol=protocol)
    train = datasets.CIFAR10(tmp_path, train=True)
    test = datasets.CIFAR10(str(tmp_path), train=False, transform=transforms.ToTensor())
    assert len(train) == 15 and len(test) == 3
    assert train.classes == CLASSES and train.class_to_idx["cat"] == 3
    assert train.data.shape == (15, 32, 32, 3) and train.data.dtype == np.uint8
    assert train.targets[3:6] == written["data_batch_2"][b"labels"]

    img, label = train[4]  # the second example of data_batch_2
    row = written["data_batch_2"][b"data"][1]
    assert isinstance(img, Image.Image) and img.size == (32, 32)
    # each row: 1024 red, then 1024 green, then 1024 blue values, row-major
    np.testing.assert_array_equal(np.asarray(img), row.reshape(3, 32, 32).transpose(1, 2, 0))
    assert label == written["data_batch_2"][b"labels"][1]

    x, y = test[0]
    assert tuple(x.shape) == (3, 32, 32)
    np.testing.assert_allclose(x.numpy() * 255, written["test_batch"][b"data"][0]
                               .reshape(3, 32, 32), atol=1e-4)
    assert y == written["test_batch"][b"labels"][0]


def test_cifar10_missing_files_say_where_to_put_them(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as info:
        datasets.CIFAR10(tmp_path, download=True)
    assert isinstance(info.value, RuntimeError)  # torchvision's "Dataset not found" class
    message = str(info.value)
    assert "cifar-10-batches-py" in message and str(tmp_path) in message
    assert "data_batch_1" in message and "does not download" in message


class Boom:
    def __reduce__(self) -> tuple:
        return (os.system, ("echo unsafe",))


def test_cifar10_refuses_pickles_that_run_code(tmp_path: Path) -> None:
    write_cifar(tmp_path)
    with open(tmp_path / "cifar-10-batches-py" / "test_batch", "wb") as f:
        pickle.dump({b"data": Boom(), b"labels": [0]}, f, protocol=2)
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        datasets.CIFAR10(tmp_path, train=False)


# --------------------------------------------------------------------------------- Shapes
def test_shapes_dataset_items() -> None:
    ds = datasets.ShapesDataset(train=True, num_samples=60, seed=3)
    assert len(ds) == 60 and len(ds.classes) == 6
    x, y = ds[0]
    assert isinstance(x, minitorch.Tensor) and tuple(x.shape) == (3, 32, 32)
    assert x.dtype == minitorch.float32 and isinstance(y, int) and 0 <= y < 6
    values = x.numpy()
    assert 0.0 <= values.min() and values.max() <= 1.0
    assert set(ds.targets) == set(range(6))  # every class shows up
    pil, label = datasets.ShapesDataset(num_samples=2, seed=3, transform=lambda im: im)[0]
    assert isinstance(pil, Image.Image) and pil.size == (32, 32) and label == y


def test_shapes_dataset_is_deterministic() -> None:
    a = datasets.ShapesDataset(train=True, num_samples=20, seed=1)
    b = datasets.ShapesDataset(train=True, num_samples=30, seed=1)
    np.testing.assert_array_equal(a.data, b.data[:20])  # example i depends on (seed, split, i)
    assert a.targets == b.targets[:20]
    other_seed = datasets.ShapesDataset(train=True, num_samples=20, seed=2)
    test = datasets.ShapesDataset(train=False, num_samples=20, seed=1)
    assert not np.array_equal(a.data, other_seed.data)
    assert not np.array_equal(a.data, test.data)
    assert len(datasets.ShapesDataset(train=False, num_samples=None)) == 1000


def test_shapes_dataset_batches() -> None:
    ds = datasets.ShapesDataset(num_samples=10, transform=transforms.Compose([
        transforms.ToTensor(), transforms.Normalize((0.5,) * 3, (0.5,) * 3)]))
    images, labels = next(iter(DataLoader(ds, batch_size=4)))
    assert tuple(images.shape) == (4, 3, 32, 32) and labels.tolist() == ds.targets[:4]
    assert images.numpy().min() >= -1.0 and images.numpy().max() <= 1.0
