"""Image datasets, as in ``torchvision.datasets``.

* :class:`ImageFolder` — your own pictures, one sub-folder per class.
* :class:`CIFAR10` — the CIFAR-10 files, in their original Python format, from a folder you
  filled yourself (nothing is ever downloaded).
* :class:`MNIST`, :class:`FashionMNIST`, :class:`KMNIST` — the IDX files, where torchvision
  keeps them (``<root>/MNIST/raw/``), plain or gzipped.
* :class:`FakeData` — random pictures, for trying a pipeline.
* :class:`ShapesDataset` — coloured shapes drawn on the fly: a small classification problem
  that needs no files at all.

Each returns ``(image, label)`` pairs; ``transform`` is applied to the image and
``target_transform`` to the label. Images are Pillow images, so ``transform`` usually ends
with ``transforms.ToTensor()``.
"""

from __future__ import annotations

import colorsys
import gzip
import math
import os
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np
from PIL import Image, ImageDraw

import minitorch
from minitorch.utils.data import Dataset
from minitorch.utils.safe_pickle import (
    Budget,
    allocation_budget,
    numpy_allow_list,
    restricted_loads,
)
from minitorch.vision.idx import read_idx
from minitorch.vision.transforms import to_pil_image, to_tensor

__all__ = ["CIFAR10", "IMG_EXTENSIONS", "KMNIST", "MNIST", "DatasetFolder",
           "DatasetNotFoundError", "FakeData", "FashionMNIST", "ImageFolder", "ShapesDataset",
           "VisionDataset"]

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


class VisionDataset(Dataset[tuple[Any, Any]]):
    """What every dataset here shares, as in torchvision: a ``root`` and the two transforms,
    applied by :meth:`_transformed` to each ``(sample, target)`` pair."""

    def __init__(self, root: Any, transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[int], Any] | None = None) -> None:
        self.root = root
        self.transform = transform
        self.target_transform = target_transform

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        body = [f"Number of datapoints: {len(self)}"]  # type: ignore[arg-type]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        if self.transform is not None:
            body.append(f"Transform: {self.transform!r}")
        if self.target_transform is not None:
            body.append(f"Target transform: {self.target_transform!r}")
        return "\n".join([f"Dataset {type(self).__name__}", *("    " + b for b in body)])

    def _transformed(self, sample: Any, target: Any) -> tuple[Any, Any]:
        if self.transform is not None:
            sample = self.transform(sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target


# ---------------------------------------------------------------------------------------------
# Folders of files
# ---------------------------------------------------------------------------------------------

def pil_loader(path: str) -> Image.Image:
    """Open a picture as an RGB Pillow image (grey, palette and alpha images are converted)."""
    with open(path, "rb") as f:
        img = Image.open(f)
        return img.convert("RGB")


def find_classes(directory: str) -> tuple[list[str], dict[str, int]]:
    """The sub-folders of ``directory``, sorted, and their indices."""
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    return classes, {name: i for i, name in enumerate(classes)}


class DatasetFolder(VisionDataset):
    """Files sorted into one sub-folder per class::

        root/dog/xxx.png
        root/dog/nested/xxy.png
        root/cat/123.png

    Attributes:
        classes: the class names (the sub-folder names), sorted.
        class_to_idx: class name → label.
        samples: ``(path, label)`` for every file, sorted by class then path.
        targets: the label of each sample.
    """

    def __init__(self, root: str | os.PathLike, loader: Callable[[str], Any],
                 extensions: Sequence[str] | None = None,
                 transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[int], Any] | None = None,
                 is_valid_file: Callable[[str], bool] | None = None,
                 allow_empty: bool = False) -> None:
        super().__init__(os.fspath(root), transform, target_transform)
        self.loader = loader
        self.extensions = tuple(e.lower() for e in extensions) if extensions else None
        if (extensions is None) == (is_valid_file is None):
            raise ValueError("Both extensions and is_valid_file cannot be None or not None "
                             "at the same time")
        if is_valid_file is None:
            def is_valid_file(path: str) -> bool:
                return path.lower().endswith(self.extensions)  # type: ignore[arg-type]

        self.classes, self.class_to_idx = find_classes(self.root)
        self.samples: list[tuple[str, int]] = []
        empty = []
        for name in self.classes:
            label = self.class_to_idx[name]
            folder = os.path.join(self.root, name)
            found = 0
            for dirpath, _, filenames in sorted(os.walk(folder, followlinks=True)):
                for filename in sorted(filenames):
                    path = os.path.join(dirpath, filename)
                    if is_valid_file(path):
                        self.samples.append((path, label))
                        found += 1
            if found == 0:
                empty.append(name)
        if empty and not allow_empty:
            what = f"Supported extensions are: {', '.join(self.extensions)}" \
                if self.extensions else "No file passed is_valid_file"
            raise FileNotFoundError(f"Found no valid file for the classes {', '.join(empty)}. "
                                    f"{what}")
        self.targets = [label for _, label in self.samples]

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        path, target = self.samples[index]
        return self._transformed(self.loader(path), target)

    def __len__(self) -> int:
        return len(self.samples)


class ImageFolder(DatasetFolder):
    """Pictures sorted into one sub-folder per class; each opens as an RGB Pillow image.

        >>> ds = ImageFolder("pets", transform=transforms.ToTensor())
        >>> ds.classes                   # ['cat', 'dog']
        >>> image, label = ds[0]         # label 0: a cat

    ``imgs`` is another name for ``samples``.
    """

    def __init__(self, root: str | os.PathLike,
                 transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[int], Any] | None = None,
                 loader: Callable[[str], Any] = pil_loader,
                 is_valid_file: Callable[[str], bool] | None = None,
                 allow_empty: bool = False) -> None:
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None,
                         transform=transform, target_transform=target_transform,
                         is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.imgs = self.samples


# ---------------------------------------------------------------------------------------------
# CIFAR-10
# ---------------------------------------------------------------------------------------------

class DatasetNotFoundError(FileNotFoundError, RuntimeError):
    """A dataset's files are not where they should be. A ``RuntimeError`` as in torchvision
    ("Dataset not found"), and a ``FileNotFoundError``: that is what it is."""


def load_pickle(path: str) -> Any:
    """Read a CIFAR-style pickle: dicts, lists, strings, numbers and NumPy arrays only.

    The CIFAR-10 files are Python pickles, and an ordinary ``pickle.load`` runs whatever
    function the file names. :class:`~minitorch.utils.safe_pickle.RestrictedUnpickler`
    refuses every other global (``pickle.UnpicklingError``, also a ``ValueError``), and
    prices each array and string the file asks for against a budget of a few times the
    file's size. Keys come back as ``str`` whether the file stored them as Python 2 strings
    or as bytes."""
    with open(path, "rb") as f:
        raw = f.read()
    obj = restricted_loads(raw, numpy_allow_list(), Budget(allocation_budget(len(raw)), path),
                           "dataset file", encoding="latin1")
    if isinstance(obj, dict):
        obj = {k.decode("latin1") if isinstance(k, bytes) else k: v for k, v in obj.items()}
    return obj


def _cifar_batch(path: str) -> tuple[np.ndarray, list[int]]:
    """The ``(N, 3072)`` pixels and the N labels of one batch file, checked."""
    entry = load_pickle(path)
    if not isinstance(entry, dict) or "data" not in entry or not (
            "labels" in entry or "fine_labels" in entry):
        raise ValueError(f"{path} is not a CIFAR batch: expected a dict with 'data' and "
                         "'labels'")
    data, labels = entry["data"], entry.get("labels", entry.get("fine_labels"))
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 \
            or data.shape[1] != 3072:
        raise ValueError(f"{path}: 'data' should be a uint8 array of shape (N, 3072), got "
                         f"{getattr(data, 'dtype', type(data).__name__)} "
                         f"{getattr(data, 'shape', '')}")
    if not isinstance(labels, (list, np.ndarray)) or len(labels) != len(data) or not all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in labels):
        raise ValueError(f"{path}: 'labels' should be {len(data)} integers")
    return data, [int(v) for v in labels]


class CIFAR10(VisionDataset):
    """The CIFAR-10 dataset: 60,000 colour pictures of 32×32 pixels in 10 classes.

    minitorch never downloads anything: get ``cifar-10-python.tar.gz`` from
    https://www.cs.toronto.edu/~kriz/cifar.html and unpack it into ``root``, so that
    ``root/cifar-10-batches-py/`` holds ``data_batch_1`` … ``data_batch_5``, ``test_batch``
    and ``batches.meta``.

    Each batch file is a pickled dict: ``b"data"`` is a uint8 array ``(N, 3072)`` — per row
    the 1024 red, then green, then blue pixels — and ``b"labels"`` a list of N labels.

    Attributes:
        data: uint8 array ``(N, 32, 32, 3)`` (height, width, channels).
        targets: list of N labels.
        classes: the 10 class names; ``class_to_idx`` maps them to labels.
    """

    base_folder = "cifar-10-batches-py"
    train_list: ClassVar[list[str]] = [f"data_batch_{i}" for i in range(1, 6)]
    test_list: ClassVar[list[str]] = ["test_batch"]
    meta_file = "batches.meta"
    meta_key = "label_names"

    def __init__(self, root: str | os.PathLike, train: bool = True,
                 transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[int], Any] | None = None,
                 download: bool = False) -> None:
        super().__init__(os.fspath(root), transform, target_transform)
        self.train = train
        folder = os.path.join(self.root, self.base_folder)
        names = self.train_list if train else self.test_list
        missing = [n for n in [*names, self.meta_file]
                   if not os.path.isfile(os.path.join(folder, n))]
        if missing:
            raise DatasetNotFoundError(
                f"{type(self).__name__}: missing {', '.join(missing)} in {folder}. minitorch "
                "does not download datasets"
                + (" (download=True has no effect)" if download else "")
                + ": get cifar-10-python.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html"
                f" and unpack it into {self.root}, which creates {self.base_folder}/ there.")

        data, self.targets = [], []
        for name in names:
            pixels, labels = _cifar_batch(os.path.join(folder, name))
            data.append(pixels)
            self.targets.extend(labels)
        self.data = np.vstack(data).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        self.data = np.ascontiguousarray(self.data)

        meta_path = os.path.join(folder, self.meta_file)
        meta = load_pickle(meta_path)
        label_names = meta.get(self.meta_key) if isinstance(meta, dict) else None
        if not isinstance(label_names, list) or not all(isinstance(c, (str, bytes))
                                                        for c in label_names):
            raise ValueError(f"{meta_path}: expected a dict with {self.meta_key!r}, a list of "
                             "class names")
        self.classes = [c.decode() if isinstance(c, bytes) else c for c in label_names]
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        return self._transformed(Image.fromarray(self.data[index]), self.targets[index])

    def __len__(self) -> int:
        return len(self.data)


# ---------------------------------------------------------------------------------------------
# MNIST, Fashion-MNIST, KMNIST
# ---------------------------------------------------------------------------------------------

class MNIST(VisionDataset):
    """The MNIST handwritten digits: 60,000 training and 10,000 test pictures, 28×28 grey.

    The files are read where torchvision keeps them, ``<root>/MNIST/raw/``::

        train-images-idx3-ubyte   train-labels-idx1-ubyte     (train=True)
        t10k-images-idx3-ubyte    t10k-labels-idx1-ubyte      (train=False)

    each of them plain or gzipped (``.gz``, as distributed). minitorch never downloads: with
    ``download=True``, gzipped files found there are unpacked beside themselves (what
    torchvision's download ends with); files that are missing raise
    :class:`DatasetNotFoundError` saying which files to put where. The format is described
    in :mod:`minitorch.vision.idx`.

    Attributes:
        data: the pictures, a uint8 tensor ``(N, 28, 28)``, as torchvision's. It may be
            replaced, e.g. by a slice, to use a subset.
        targets: the labels, an int64 tensor ``(N,)``.
        classes: the 10 class names; ``class_to_idx`` maps them to labels.

    ``dataset[i]`` is ``(picture, label)``: a Pillow image of mode ``"L"`` and an int.
    """

    mirrors: ClassVar[list[str]] = ["https://ossci-datasets.s3.amazonaws.com/mnist/",
                                    "http://yann.lecun.com/exdb/mnist/"]
    classes: ClassVar[list[str]] = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
                                    "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root: str | os.PathLike, train: bool = True,
                 transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[int], Any] | None = None,
                 download: bool = False) -> None:
        root = os.path.expanduser(root) if isinstance(root, str) else os.fspath(root)
        super().__init__(root, transform, target_transform)
        self.train = train
        if download:
            self.download()
        paths = self._paths()
        images, labels = read_idx(paths[0]), read_idx(paths[1])
        if images.dtype != np.uint8 or images.ndim != 3:
            raise ValueError(f"{paths[0]}: expected uint8 pictures (N, H, W), got "
                             f"{images.dtype} of shape {images.shape}")
        if labels.dtype != np.uint8 or labels.ndim != 1 or len(labels) != len(images):
            raise ValueError(f"{paths[1]}: expected {len(images)} uint8 labels, got "
                             f"{labels.dtype} of shape {labels.shape}")
        self.data = images
        self.targets = minitorch.from_numpy(labels.astype(np.int64))

    # -- where the files are --------------------------------------------------------------------
    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root, type(self).__name__, "raw")

    @property
    def processed_folder(self) -> str:
        return os.path.join(self.root, type(self).__name__, "processed")

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.classes)}

    def _file_names(self) -> list[str]:
        split = "train" if self.train else "t10k"
        return [f"{split}-images-idx3-ubyte", f"{split}-labels-idx1-ubyte"]

    def _paths(self) -> list[str]:
        """The files of this split, each plain or gzipped; missing ones are named."""
        found, missing = [], []
        for name in self._file_names():
            path = os.path.join(self.raw_folder, name)
            if os.path.isfile(path):
                found.append(path)
            elif os.path.isfile(path + ".gz"):
                found.append(path + ".gz")
            else:
                missing.append(name)
        if missing:
            raise DatasetNotFoundError(
                f"Dataset not found: {type(self).__name__} needs "
                + ", ".join(f"{n}.gz (or {n} unpacked)" for n in missing)
                + f" in {self.raw_folder}. minitorch never downloads: get "
                + ", ".join(f"{n}.gz" for n in missing)
                + f" from {self.mirrors[0]} and put them in {self.raw_folder}.")
        return found

    def _check_exists(self) -> bool:
        try:
            self._paths()
        except DatasetNotFoundError:
            return False
        return True

    def download(self) -> None:
        """Unpack the gzipped files found in :attr:`raw_folder` (nothing is fetched): what is
        left of torchvision's ``download`` without a network."""
        for path in self._paths():
            if path.endswith(".gz") and not os.path.isfile(path[:-3]):
                array = read_idx(path)  # checked before anything is written
                with gzip.open(path, "rb") as src:
                    payload = src.read(4 + 4 * array.ndim + array.nbytes)  # header, data
                tmp = path[:-3] + ".tmp"
                with open(tmp, "wb") as dst:
                    dst.write(payload)
                os.replace(tmp, path[:-3])

    # -- items ----------------------------------------------------------------------------------
    @property
    def data(self) -> Any:
        if self._data is None:  # the pixels themselves, shared
            self._data = minitorch.from_numpy(self._pixels)
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        array = value.numpy() if hasattr(value, "numpy") else np.asarray(value)
        self._pixels = np.asarray(array, dtype=np.uint8)
        self._data = None

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        img = Image.fromarray(np.ascontiguousarray(self._pixels[index]), mode="L")
        return self._transformed(img, int(self.targets[index]))

    def __len__(self) -> int:
        return len(self._pixels)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: 28×28 grey pictures of 10 kinds of clothing, as MNIST, read
    from ``<root>/FashionMNIST/raw/``."""

    mirrors: ClassVar[list[str]] = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    classes: ClassVar[list[str]] = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


class KMNIST(MNIST):
    """Kuzushiji-MNIST: 28×28 grey pictures of 10 cursive Japanese characters, as MNIST, read
    from ``<root>/KMNIST/raw/``."""

    mirrors: ClassVar[list[str]] = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    classes: ClassVar[list[str]] = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]


# ---------------------------------------------------------------------------------------------
# FakeData
# ---------------------------------------------------------------------------------------------

class FakeData(VisionDataset):
    """Random pictures with random labels, for trying a pipeline without any files.

    Item ``i`` depends only on ``i + random_offset``: the picture is standard normal noise of
    shape ``image_size`` ``(C, H, W)`` turned into a Pillow image by ``ToPILImage`` (values
    clipped to [0, 1]), the label a random integer below ``num_classes``. The numbers are
    minitorch's own (NumPy's generator), not torchvision's; the global seed is not touched.
    """

    def __init__(self, size: int = 1000, image_size: tuple[int, int, int] = (3, 224, 224),
                 num_classes: int = 10, transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[int], Any] | None = None,
                 random_offset: int = 0) -> None:
        super().__init__(None, transform, target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        if index >= len(self):
            raise IndexError(f"{type(self).__name__} index out of range")
        rng = np.random.default_rng(index + self.random_offset)
        img = rng.standard_normal(self.image_size).astype(np.float32)
        target = int(rng.integers(0, self.num_classes))
        return self._transformed(to_pil_image(minitorch.from_numpy(img)), target)

    def __len__(self) -> int:
        return self.size


# ---------------------------------------------------------------------------------------------
# Shapes: a dataset drawn on the fly
# ---------------------------------------------------------------------------------------------

def _polygon(cx: float, cy: float, radius: float, angle: float,
             corners: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """``corners`` (in units of ``radius``) rotated by ``angle`` and moved to (cx, cy)."""
    cos, sin = math.cos(angle), math.sin(angle)
    return [(cx + radius * (x * cos - y * sin), cy + radius * (x * sin + y * cos))
            for x, y in corners]


_SQUARE = [(-0.82, -0.82), (0.82, -0.82), (0.82, 0.82), (-0.82, 0.82)]
_TRIANGLE = [(0.0, -1.0), (math.sqrt(3) / 2, 0.5), (-math.sqrt(3) / 2, 0.5)]
_BAR = [(-1.0, -0.3), (1.0, -0.3), (1.0, 0.3), (-1.0, 0.3)]
_W = 0.3  # half the width of the arms of the cross
_CROSS = [(-_W, -1), (_W, -1), (_W, -_W), (1, -_W), (1, _W), (_W, _W), (_W, 1), (-_W, 1),
          (-_W, _W), (-1, _W), (-1, -_W), (-_W, -_W)]


def _random_colour(rng: np.random.Generator, bright: bool) -> tuple[int, int, int]:
    """A random hue: bright (value 0.8..1) for shapes, dark (0.05..0.3) for backgrounds."""
    value = rng.uniform(0.8, 1.0) if bright else rng.uniform(0.05, 0.3)
    r, g, b = colorsys.hsv_to_rgb(rng.random(), rng.uniform(0.5, 1.0), value)
    return int(255 * r), int(255 * g), int(255 * b)


def draw_shape(rng: np.random.Generator, label: int, size: int = 32,
               noise: float = 6.0) -> np.ndarray:
    """Draw shape ``ShapesDataset.classes[label]`` as a ``(size, size, 3)`` uint8 array.

    The shape gets a random bright colour, size, position and a small tilt, on a random dark
    background; the picture is drawn 4× larger and shrunk (smooth edges), then Gaussian
    noise of standard deviation ``noise`` (in 0..255 units) is added.
    """
    scale = 4
    big = size * scale
    background = _random_colour(rng, bright=False)
    colour = _random_colour(rng, bright=True)
    img = Image.new("RGB", (big, big), background)
    draw = ImageDraw.Draw(img)
    radius = rng.uniform(0.25, 0.375) * big
    margin = radius + scale
    cx, cy = rng.uniform(margin, big - margin), rng.uniform(margin, big - margin)
    tilt = rng.uniform(-math.pi / 12, math.pi / 12)

    name = ShapesDataset.classes[label]
    if name == "circle":
        r = 0.85 * radius
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)
    elif name == "ring":
        draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=colour)
        r = 0.55 * radius
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=background)
    elif name == "square":
        draw.polygon(_polygon(cx, cy, radius, tilt, _SQUARE), fill=colour)
    elif name == "triangle":
        draw.polygon(_polygon(cx, cy + 0.15 * radius, 1.1 * radius, tilt, _TRIANGLE),
                     fill=colour)
    elif name == "cross":
        draw.polygon(_polygon(cx, cy, radius, tilt, _CROSS), fill=colour)
    elif name == "bar":  # lying or standing, at random
        upright = math.pi / 2 if rng.random() < 0.5 else 0.0
        draw.polygon(_polygon(cx, cy, radius, tilt + upright, _BAR), fill=colour)
    else:  # pragma: no cover - classes and this function are kept in step
        raise ValueError(f"unknown shape {name}")

    pixels = np.asarray(img.resize((size, size), Image.Resampling.BOX), dtype=np.float32)
    pixels = pixels + rng.normal(0.0, noise, pixels.shape)
    return np.clip(np.round(pixels), 0, 255).astype(np.uint8)


class ShapesDataset(VisionDataset):
    """Coloured shapes on noisy backgrounds: a 6-class image problem that needs no download.

    Every example is a 3×32×32 picture of one of ``classes`` — circle, square, triangle,
    cross, ring, bar — with a random colour, size, position and tilt. A small CNN learns it to
    well over 90% test accuracy in two or three epochs, so it is the first dataset of the
    examples and tests; ``CIFAR10`` is the real thing.

    Example ``i`` depends only on ``(seed, train, i)``: the same seed gives the same pictures
    on every machine, and the training and test sets never share a picture.

    Args:
        root: ignored (accepted so that the signature matches the other datasets).
        train: the training split (``num_samples`` defaults to 6000) or the test split (1000).
        transform: applied to each Pillow image; without one, the image is returned as a
            float32 tensor ``(3, 32, 32)`` in [0, 1] (``ToTensor()`` of the picture).
        target_transform: applied to each label.
        num_samples: the number of examples.
        seed: which pictures.

    Attributes:
        data: uint8 array ``(N, 32, 32, 3)``, like ``CIFAR10.data``.
        targets: list of N labels.
    """

    classes: ClassVar[list[str]] = ["circle", "square", "triangle", "cross", "ring", "bar"]
    class_to_idx: ClassVar[dict[str, int]] = {name: i for i, name in enumerate(classes)}

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True,
                 transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[int], Any] | None = None,
                 num_samples: int | None = None, seed: int = 0) -> None:
        super().__init__(root, transform, target_transform)
        self.train = train
        self.seed = seed
        n = (6000 if train else 1000) if num_samples is None else int(num_samples)
        self.data = np.empty((n, 32, 32, 3), dtype=np.uint8)
        self.targets: list[int] = []
        split = 0 if train else 1
        for i in range(n):
            rng = np.random.default_rng([seed, split, i])
            label = int(rng.integers(len(self.classes)))
            self.data[i] = draw_shape(rng, label)
            self.targets.append(label)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        picture = self.data[index]  # without a transform: ToTensor() of the picture
        sample = to_tensor(picture) if self.transform is None else Image.fromarray(picture)
        return self._transformed(sample, self.targets[index])

    def __len__(self) -> int:
        return len(self.data)
