"""vision.datasets.MNIST / FashionMNIST / KMNIST read torchvision's layout from stand-in files
written here in the IDX format as documented (big-endian header 0x0000TTDD, sizes, data),
plain and gzipped; FakeData. torchvision is not installed: the reference is the format."""

from __future__ import annotations

import gzip
import struct
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import minitorch
from minitorch.utils.data import DataLoader
from minitorch.vision import datasets, transforms

CLASSES = {
    "MNIST": ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
              "6 - six", "7 - seven", "8 - eight", "9 - nine"],
    "FashionMNIST": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                     "Sneaker", "Bag", "Ankle boot"],
    "KMNIST": ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"],
}


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    """An IDX file by the format's definition: two zero bytes, the type code, the number of
    dimensions, each size as a big-endian uint32, then the data big-endian."""
    header = struct.pack(">BBBB", 0, 0, type_code, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    big_endian = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4",
                  0x0E: ">f8"}[type_code]
    return header + array.astype(big_endian).tobytes()


def write_split(raw: Path, split: str, n: int, seed: int, gz: bool) -> tuple:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    raw.mkdir(parents=True, exist_ok=True)
    for name, array in ((f"{split}-images-idx3-ubyte", images),
                        (f"{split}-labels-idx1-ubyte", labels)):
        data = idx_bytes(array)
        if gz:
            (raw / (name + ".gz")).write_bytes(gzip.compress(data))
        else:
            (raw / name).write_bytes(data)
    return images, labels


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzipped"])
@pytest.mark.parametrize("name", ["MNIST", "FashionMNIST", "KMNIST"])
def test_reads_torchvision_layout(tmp_path: Path, name: str, gz: bool) -> None:
    raw = tmp_path / name / "raw"
    train_images, train_labels = write_split(raw, "train", 7, 0, gz)
    test_images, test_labels = write_split(raw, "t10k", 3, 1, gz)
    cls = getattr(datasets, name)
    train = cls(str(tmp_path))
    test = cls(tmp_path, train=False, transform=transforms.ToTensor(),
               target_transform=lambda y: y + 100)
    assert len(train) == 7 and len(test) == 3
    assert train.raw_folder == str(raw) and train.classes == CLASSES[name]
    assert train.class_to_idx == {c: i for i, c in enumerate(CLASSES[name])}
    assert isinstance(train.data, minitorch.Tensor) and tuple(train.data.shape) == (7, 28, 28)
    np.testing.assert_array_equal(train.data.numpy(), train_images)
    assert train.targets.dtype == minitorch.int64
    np.testing.assert_array_equal(train.targets.numpy(), train_labels)
    np.testing.assert_array_equal(test.data.numpy(), test_images)

    img, label = train[5]
    assert isinstance(img, Image.Image) and img.mode == "L" and img.size == (28, 28)
    np.testing.assert_array_equal(np.asarray(img), train_images[5])
    assert type(label) is int and label == int(train_labels[5])
    x, y = test[2]
    np.testing.assert_allclose(x.numpy()[0], test_images[2] / 255, atol=1e-6)
    assert y == int(test_labels[2]) + 100
    assert repr(train).splitlines() == [f"Dataset {name}", "    Number of datapoints: 7",
                                        f"    Root location: {tmp_path}", "    Split: Train"]
    batch, targets = next(iter(DataLoader(test, batch_size=3)))
    assert tuple(batch.shape) == (3, 1, 28, 28) and targets.tolist() == [
        int(v) + 100 for v in test_labels]


def test_data_can_be_replaced_by_a_subset(tmp_path: Path) -> None:
    images, labels = write_split(tmp_path / "MNIST" / "raw", "train", 6, 2, gz=False)
    ds = datasets.MNIST(tmp_path)
    ds.data, ds.targets = ds.data[:2], ds.targets[:2]
    assert len(ds) == 2
    np.testing.assert_array_equal(np.asarray(ds[1][0]), images[1])


def test_missing_files_say_where_to_put_which(tmp_path: Path) -> None:
    for download in (False, True):
        with pytest.raises(RuntimeError) as info:  # torchvision's class; also FileNotFoundError
            datasets.FashionMNIST(tmp_path, download=download)
        assert isinstance(info.value, FileNotFoundError)
        message = str(info.value)
        assert str(tmp_path / "FashionMNIST" / "raw") in message
        assert "train-images-idx3-ubyte.gz" in message and "train-labels-idx1-ubyte" in message
        assert "never downloads" in message
    write_split(tmp_path / "KMNIST" / "raw", "train", 2, 0, gz=False)
    with pytest.raises(RuntimeError, match="t10k-images-idx3-ubyte"):
        datasets.KMNIST(tmp_path, train=False)


def test_download_unpacks_files_already_there(tmp_path: Path) -> None:
    raw = tmp_path / "MNIST" / "raw"
    images, _ = write_split(raw, "t10k", 4, 3, gz=True)
    ds = datasets.MNIST(tmp_path, train=False, download=True)
    for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        assert (raw / name).read_bytes() == gzip.decompress((raw / (name + ".gz")).read_bytes())
    (raw / "t10k-images-idx3-ubyte.gz").unlink()  # the unpacked files are read from now on
    np.testing.assert_array_equal(datasets.MNIST(tmp_path, train=False).data.numpy(), images)
    assert len(ds) == 4


def _write_images(tmp_path: Path, data: bytes, gz: bool = False) -> Path:
    raw = tmp_path / "MNIST" / "raw"
    write_split(raw, "train", 2, 0, gz=False)
    path = raw / "train-images-idx3-ubyte"
    path.unlink()
    if gz:
        path = raw / "train-images-idx3-ubyte.gz"
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def _fails(tmp_path: Path, data: bytes, match: str, gz: bool = False) -> None:
    _write_images(tmp_path, data, gz)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=match):
            datasets.MNIST(tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20, f"peak allocation {peak} bytes"


GOOD = idx_bytes(np.zeros((2, 28, 28), np.uint8))


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzipped"])
@pytest.mark.parametrize("data, match", [
    (b"\x00\x00\x08", "truncated"),
    (b"\x12\x34\x08\x03" + GOOD[4:], "not an IDX file"),
    (b"\x00\x00\x07\x03" + GOOD[4:], "not an IDX file"),  # no such type code
    (b"\x00\x00\x08\x09" + GOOD[4:], "not an IDX file"),  # 9 dimensions
    (GOOD[:-5], "truncated"),
    (GOOD + b"\x00", "more data"),
    (struct.pack(">BBBBIII", 0, 0, 8, 3, 2**31, 2**15, 2**15) + b"\x00" * 64, "declares"),
    (idx_bytes(np.zeros((2, 28, 28), np.float32), 0x0D), "uint8 pictures"),
    (idx_bytes(np.zeros((2, 784), np.uint8)), "uint8 pictures"),
    (idx_bytes(np.zeros((3, 28, 28), np.uint8)), "expected 3 uint8 labels"),
], ids=["short-header", "bad-magic", "bad-type", "bad-ndim", "truncated", "trailing",
        "huge-header", "float-pixels", "2-d", "count-mismatch"])
def test_bad_files_raise_value_error_without_allocating(tmp_path: Path, data: bytes,
                                                         match: str, gz: bool) -> None:
    _fails(tmp_path, data, match, gz)


def test_corrupt_gzip_stream(tmp_path: Path) -> None:
    raw = gzip.compress(GOOD)
    _write_images(tmp_path, b"", gz=False).write_bytes(raw[:10] + b"\xff" * 20 + raw[30:])
    with pytest.raises(ValueError, match="not an IDX|gzip|truncated"):
        datasets.MNIST(tmp_path)


def test_idx_reads_every_documented_type(tmp_path: Path) -> None:
    from minitorch.vision.idx import read_idx

    rng = np.random.default_rng(0)
    for code, dtype in ((0x08, np.uint8), (0x09, np.int8), (0x0B, np.int16),
                        (0x0C, np.int32), (0x0D, np.float32), (0x0E, np.float64)):
        array = (rng.standard_normal((3, 4)) * 100).astype(dtype)
        (tmp_path / "f").write_bytes(idx_bytes(array, code))
        back = read_idx(tmp_path / "f")
        assert back.dtype == np.dtype(dtype) and back.dtype.isnative
        np.testing.assert_array_equal(back, array)


# ------------------------------------------------------------------------------------ FakeData
def test_fake_data() -> None:
    state = minitorch.random.default_generator.rng.bit_generator.state
    ds = datasets.FakeData(size=5, image_size=(3, 6, 8), num_classes=4)
    assert len(ds) == 5
    img, label = ds[2]
    assert isinstance(img, Image.Image) and img.mode == "RGB" and img.size == (8, 6)
    assert type(label) is int and 0 <= label < 4
    again, label_again = ds[2]
    np.testing.assert_array_equal(np.asarray(img), np.asarray(again))
    assert label == label_again
    assert not np.array_equal(np.asarray(ds[3][0]), np.asarray(img))
    shifted = datasets.FakeData(size=5, image_size=(3, 6, 8), num_classes=4, random_offset=1)
    np.testing.assert_array_equal(np.asarray(shifted[1][0]), np.asarray(img))
    assert minitorch.random.default_generator.rng.bit_generator.state == state
    grey = datasets.FakeData(size=2, image_size=(1, 5, 5), transform=transforms.ToTensor(),
                             target_transform=lambda y: -1)
    x, y = grey[0]
    assert tuple(x.shape) == (1, 5, 5) and y == -1
    assert 0.0 <= float(x.min()) and float(x.max()) <= 1.0
    with pytest.raises(IndexError, match="FakeData index out of range"):
        ds[5]
    labels = {datasets.FakeData(size=200, num_classes=3, image_size=(1, 2, 2))[i][1]
              for i in range(200)}
    assert labels == {0, 1, 2}
