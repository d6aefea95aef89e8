"""Image transforms, as in ``torchvision.transforms``.

A transform is a callable that takes one image and returns one image. Pictures arrive as
Pillow images (``PIL.Image.Image``, height × width, channels last, bytes 0..255) and leave
as tensors (channels × height × width, floats), so a typical pipeline is

    >>> preprocess = Compose([
    ...     Resize(36),                  # shorter side -> 36 pixels (Pillow, bilinear)
    ...     CenterCrop(32),              # the middle 32×32
    ...     RandomHorizontalFlip(),      # a mirror image, half of the time
    ...     ToTensor(),                  # PIL (H, W, C) bytes -> tensor (C, H, W) in [0, 1]
    ...     Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),   # -> roughly [-1, 1]
    ... ])
    >>> x = preprocess(picture)

The geometric transforms (``Resize``, ``CenterCrop``, ``RandomCrop``,
``RandomHorizontalFlip``) accept either a Pillow image or a tensor whose last two
dimensions are height and width. The random ones draw from minitorch's global random state
(``minitorch.manual_seed``), like torchvision draws from PyTorch's.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any

import numpy as np
from PIL import Image

import minitorch
from minitorch.fperrors import quietly
from minitorch.functions import is_tensor as _is_tensor

__all__ = [
    "CenterCrop",
    "Compose",
    "InterpolationMode",
    "Lambda",
    "Normalize",
    "PILToTensor",
    "RandomCrop",
    "RandomHorizontalFlip",
    "Resize",
    "ToPILImage",
    "ToTensor",
]


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------

def _to_numpy(t: Any) -> np.ndarray:
    """The values of a tensor as a NumPy array (a copy-free view where possible)."""
    return t.detach().cpu().numpy()


def _from_numpy_like(array: np.ndarray, like: Any) -> Any:
    """A tensor holding ``array``, on the device of tensor ``like``."""
    out = minitorch.from_numpy(np.ascontiguousarray(array))
    device = getattr(like, "device", None)
    if device is not None and getattr(device, "type", "cpu") != "cpu":
        out = out.to(device)
    return out


_fallback_rng = np.random.default_rng()


def _rng() -> np.random.Generator:
    """The NumPy generator behind minitorch's global random state (``manual_seed``)."""
    module = getattr(minitorch, "random", None)
    if module is not None and hasattr(module, "rng"):
        return module.rng()
    return _fallback_rng


def _uniform() -> float:
    """A number in [0, 1) from minitorch's global random state."""
    return float(_rng().random())


def _randint(low: int, high: int) -> int:
    """An integer in [low, high) from minitorch's global random state."""
    return int(_rng().integers(low, high))


def _pair(size: int | Sequence[int], what: str) -> tuple[int, int]:
    """``size`` as (height, width): an int means a square."""
    if isinstance(size, numbers.Number):
        return int(size), int(size)  # type: ignore[call-overload]
    if len(size) == 1:
        return int(size[0]), int(size[0])
    if len(size) != 2:
        raise ValueError(f"{what} should be an int or a sequence of length 1 or 2, got {size}")
    return int(size[0]), int(size[1])


def _image_size(img: Any) -> tuple[int, int]:
    """(height, width) of a Pillow image or of a tensor/array ``(..., H, W)``."""
    if isinstance(img, Image.Image):
        return img.height, img.width
    return int(img.shape[-2]), int(img.shape[-1])


# ---------------------------------------------------------------------------------------------
# Conversions
# ---------------------------------------------------------------------------------------------

class ToTensor:
    """A Pillow image or a ``(H, W, C)`` NumPy array → a ``(C, H, W)`` tensor.

    * bytes (``uint8``, and Pillow modes ``L``, ``RGB``, ``RGBA``, ``P``, ``1``, ...) are
      scaled to floats in [0, 1]: ``value / 255`` in float32;
    * a grey image (``L``) or a 2-d array gets one channel: ``1 × H × W``;
    * any other NumPy dtype (e.g. float64) is only transposed, not scaled — exactly what
      torchvision does.
    """

    def __call__(self, pic: Image.Image | np.ndarray) -> Any:
        return to_tensor(pic)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def to_tensor(pic: Image.Image | np.ndarray) -> Any:
    """The function behind :class:`ToTensor`."""
    chw = _chw_array(pic)
    if chw.dtype == np.uint8:
        default_float = minitorch.get_default_dtype().np if hasattr(
            minitorch, "get_default_dtype") else np.dtype(np.float32)
        chw = chw.astype(default_float) / default_float.type(255)
    return minitorch.from_numpy(chw)


class PILToTensor:
    """A Pillow image → a ``(C, H, W)`` tensor of its own element type, not scaled: uint8
    for ``L``, ``RGB``, ``RGBA``, ... (torchvision's ``PILToTensor``)."""

    def __call__(self, pic: Image.Image) -> Any:
        return pil_to_tensor(pic)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def pil_to_tensor(pic: Image.Image) -> Any:
    """The function behind :class:`PILToTensor`."""
    if not isinstance(pic, Image.Image):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    return minitorch.from_numpy(_chw_array(pic))


def _chw_array(pic: Image.Image | np.ndarray) -> np.ndarray:
    """A picture's values as a ``(C, H, W)`` array of its own dtype."""
    if isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        array = pic[:, :, None] if pic.ndim == 2 else pic
    elif isinstance(pic, Image.Image):
        # Pillow's 32-bit integer, 16-bit integer and float modes keep their values.
        dtypes = {"I": np.int32, "I;16": np.int16, "F": np.float32}
        array = np.array(pic, dtype=dtypes.get(pic.mode, np.uint8), copy=True)
        if pic.mode == "1":  # one bit per pixel: True -> 255
            array = array * np.uint8(255)
        array = array.reshape(pic.height, pic.width, len(pic.getbands()))
    else:
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")

    return np.ascontiguousarray(array.transpose(2, 0, 1))


class ToPILImage:
    """A ``(C, H, W)`` tensor or a ``(H, W, C)`` NumPy array → a Pillow image.

    Floats are taken to lie in [0, 1] and become bytes by ``value * 255``, truncated (the
    result is clipped to 0..255 first, so values slightly outside [0, 1] stay black/white).
    The mode follows the number of channels: 1 → ``"L"``, 2 → ``"LA"``, 3 → ``"RGB"``,
    4 → ``"RGBA"``; ``mode`` may ask for another mode of the same channel count
    (e.g. ``"F"`` keeps one float channel, ``"YCbCr"`` reads three bytes as such).
    """

    def __init__(self, mode: str | None = None) -> None:
        self.mode = mode

    def __call__(self, pic: Any) -> Image.Image:
        return to_pil_image(pic, self.mode)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(mode={self.mode})"


@quietly  # NaN → a byte, silently, as torch's ``mul(255).byte()``
def _float_to_bytes(array: np.ndarray) -> np.ndarray:
    return np.clip(array * 255, 0, 255).astype(np.uint8)


def to_pil_image(pic: Any, mode: str | None = None) -> Image.Image:
    """The function behind :class:`ToPILImage`."""
    if _is_tensor(pic):
        if pic.dim() not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.dim()} dimensions.")
        array = _to_numpy(pic)
        if array.ndim == 2:
            array = array[None]
        if array.shape[0] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {array.shape[0]} channels.")
        if np.issubdtype(array.dtype, np.floating) and mode != "F":
            array = _float_to_bytes(array)
        array = array.transpose(1, 2, 0)
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        array = pic[:, :, None] if pic.ndim == 2 else pic
        if array.shape[-1] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {array.shape[-1]} channels.")
        if np.issubdtype(array.dtype, np.floating) and mode != "F":
            array = _float_to_bytes(array)
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")

    channels = array.shape[2]
    if channels == 1:
        array = array[:, :, 0]
        by_dtype = {np.dtype(np.uint8): "L", np.dtype(np.int16): "I;16",
                    np.dtype(np.int32): "I", np.dtype(np.float32): "F"}
        expected = by_dtype.get(array.dtype)
        if mode is not None and mode != expected:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {array.dtype}. "
                             f"Should be {expected}")
        mode = expected
    else:
        permitted = {2: ["LA"], 3: ["RGB", "YCbCr", "HSV"], 4: ["RGBA", "CMYK", "RGBX"]}
        if mode is not None and mode not in permitted[channels]:
            raise ValueError(f"Only modes {permitted[channels]} are supported for "
                             f"{channels}D inputs")
        if mode is None and array.dtype == np.uint8:
            mode = permitted[channels][0]
    if mode is None:
        raise TypeError(f"Input type {array.dtype} is not supported")

    array = np.ascontiguousarray(array)
    if mode == "I;16":
        return Image.fromarray(array.astype(np.uint16))
    if mode in ("L", "I", "F", "LA", "RGB", "RGBA"):
        return Image.fromarray(array)
    height, width = array.shape[:2]
    return Image.frombytes(mode, (width, height), array.tobytes())


class Normalize:
    """``(x - mean) / std``, channel by channel, on a float tensor ``(..., C, H, W)``.

    ``Normalize((0.5,) * 3, (0.5,) * 3)`` maps [0, 1] to [-1, 1]. The result is a new tensor
    (``inplace`` is accepted for compatibility).
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> None:
        self.mean = list(mean)
        self.std = list(std)
        self.inplace = inplace

    def __call__(self, tensor: Any) -> Any:
        if not _is_tensor(tensor):
            raise TypeError(f"Input tensor should be a minitorch tensor. Got {type(tensor)}.")
        if not tensor.dtype.is_floating_point:
            raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
        if tensor.dim() < 3:
            raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                             f"tensor.size() = {tuple(tensor.shape)}")
        dtype = tensor.dtype.np
        mean = np.asarray(self.mean, dtype=dtype).reshape(-1, 1, 1)
        std = np.asarray(self.std, dtype=dtype).reshape(-1, 1, 1)
        if (std == 0).any():
            raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, "
                             "leading to division by zero.")
        return (tensor - _from_numpy_like(mean, tensor)) / _from_numpy_like(std, tensor)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"


# ---------------------------------------------------------------------------------------------
# Composition
# ---------------------------------------------------------------------------------------------

class Compose:
    """Apply several transforms one after the other."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    def __call__(self, img: Any) -> Any:
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        lines = "".join(f"\n    {t}" for t in self.transforms)
        return f"{type(self).__name__}({lines}\n)"


class Lambda:
    """Use a function as a transform: ``Lambda(lambda x: x * 2)``."""

    def __init__(self, lambd: Callable[[Any], Any]) -> None:
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd

    def __call__(self, img: Any) -> Any:
        return self.lambd(img)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


# ---------------------------------------------------------------------------------------------
# Geometry
# ---------------------------------------------------------------------------------------------

class InterpolationMode(Enum):
    """How ``Resize`` computes the new pixels (the names of torchvision)."""

    NEAREST = "nearest"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


_PIL_FILTERS = {
    InterpolationMode.NEAREST: Image.Resampling.NEAREST,
    InterpolationMode.BILINEAR: Image.Resampling.BILINEAR,
    InterpolationMode.BICUBIC: Image.Resampling.BICUBIC,
    InterpolationMode.BOX: Image.Resampling.BOX,
    InterpolationMode.HAMMING: Image.Resampling.HAMMING,
    InterpolationMode.LANCZOS: Image.Resampling.LANCZOS,
}


def resized_size(height: int, width: int, size: int | Sequence[int],
                 max_size: int | None = None) -> tuple[int, int]:
    """The (height, width) that :class:`Resize` produces, by torchvision's rule.

    An ``int`` (or a 1-sequence) is the new length of the *shorter* side; the longer side
    keeps the aspect ratio, rounded down; ``max_size`` caps the longer side. A pair is
    (height, width) as is.
    """
    if not isinstance(size, numbers.Number) and len(size) == 2:
        return int(size[0]), int(size[1])
    requested = int(size if isinstance(size, numbers.Number) else size[0])  # type: ignore
    short, long = (width, height) if width <= height else (height, width)
    new_short, new_long = requested, int(requested * long / short)
    if max_size is not None:
        if max_size <= requested:
            raise ValueError(f"max_size = {max_size} must be strictly greater than the "
                             f"requested size for the smaller edge size = {size}")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    return (new_long, new_short) if width <= height else (new_short, new_long)


class Resize:
    """Resize the image.

    Args:
        size: an ``int`` — the shorter side becomes ``size``, keeping the aspect ratio — or
            ``(height, width)``.
        interpolation: an :class:`InterpolationMode` (default bilinear, with Pillow's
            antialiasing when shrinking).
        max_size: the longest the longer side may get (only with an ``int`` size).
        antialias: accepted for compatibility; Pillow always antialiases.

    A tensor ``(..., H, W)`` is resized channel by channel with the same Pillow filter, on
    32-bit floats, so tensors and pictures give the same result.
    """

    def __init__(self, size: int | Sequence[int],
                 interpolation: InterpolationMode | int = InterpolationMode.BILINEAR,
                 max_size: int | None = None, antialias: bool | None = True) -> None:
        self.size = size
        self.interpolation = interpolation
        self.max_size = max_size
        self.antialias = antialias

    def _filter(self) -> int:
        if isinstance(self.interpolation, InterpolationMode):
            return _PIL_FILTERS[self.interpolation]
        return int(self.interpolation)

    def __call__(self, img: Any) -> Any:
        height, width = _image_size(img)
        new_h, new_w = resized_size(height, width, self.size, self.max_size)
        if isinstance(img, Image.Image):
            if (new_h, new_w) == (height, width):
                return img
            return img.resize((new_w, new_h), self._filter())
        array = _to_numpy(img)
        planes = array.reshape(-1, height, width).astype(np.float32)
        out = np.stack([np.asarray(Image.fromarray(p).resize(
            (new_w, new_h), self._filter())) for p in planes])
        out = out.reshape(*array.shape[:-2], new_h, new_w)
        if not np.issubdtype(array.dtype, np.floating):
            out = np.round(out)
        return _from_numpy_like(out.astype(array.dtype), img)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(size={self.size}, interpolation={self.interpolation}, "
                f"max_size={self.max_size})")


def _pad(img: Any, left: int, top: int, right: int, bottom: int, fill: float = 0) -> Any:
    """Pad with a constant border (Pillow image or tensor ``(..., H, W)``)."""
    if isinstance(img, Image.Image):
        out = Image.new(img.mode, (img.width + left + right, img.height + top + bottom),
                        fill if img.mode in ("L", "F", "I") else (int(fill),) * len(
                            img.getbands()))
        out.paste(img, (left, top))
        return out
    array = _to_numpy(img)
    widths = [(0, 0)] * (array.ndim - 2) + [(top, bottom), (left, right)]
    return _from_numpy_like(np.pad(array, widths, constant_values=fill), img)


def _crop(img: Any, top: int, left: int, height: int, width: int) -> Any:
    if isinstance(img, Image.Image):
        return img.crop((left, top, left + width, top + height))
    return _from_numpy_like(_to_numpy(img)[..., top:top + height, left:left + width], img)


class CenterCrop:
    """The middle ``size`` (an int for a square, or ``(height, width)``) of the image; a
    crop larger than the image pads it with zeros first, as torchvision does."""

    def __init__(self, size: int | Sequence[int]) -> None:
        self.size = _pair(size, "size")

    def __call__(self, img: Any) -> Any:
        crop_h, crop_w = self.size
        height, width = _image_size(img)
        if crop_h > height or crop_w > width:
            img = _pad(img,
                       (crop_w - width) // 2 if crop_w > width else 0,
                       (crop_h - height) // 2 if crop_h > height else 0,
                       (crop_w - width + 1) // 2 if crop_w > width else 0,
                       (crop_h - height + 1) // 2 if crop_h > height else 0)
            height, width = _image_size(img)
            if (crop_h, crop_w) == (height, width):
                return img
        top = round((height - crop_h) / 2.0)
        left = round((width - crop_w) / 2.0)
        return _crop(img, top, left, crop_h, crop_w)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size})"


class RandomCrop:
    """A random ``size`` window of the image, after an optional constant ``padding``
    (an int for all sides, or ``(left/right, top/bottom)``, or ``(left, top, right,
    bottom)``) — the classic CIFAR augmentation is ``RandomCrop(32, padding=4)``."""

    def __init__(self, size: int | Sequence[int], padding: int | Sequence[int] | None = None,
                 pad_if_needed: bool = False, fill: float = 0) -> None:
        self.size = _pair(size, "size")
        self.padding = padding
        self.pad_if_needed = pad_if_needed
        self.fill = fill

    def __call__(self, img: Any) -> Any:
        if self.padding is not None:
            p = self.padding
            if isinstance(p, numbers.Number):
                left = top = right = bottom = int(p)  # type: ignore[call-overload]
            elif len(p) == 2:
                left, top = right, bottom = int(p[0]), int(p[1])
            else:
                left, top, right, bottom = (int(v) for v in p)
            img = _pad(img, left, top, right, bottom, self.fill)
        crop_h, crop_w = self.size
        height, width = _image_size(img)
        if self.pad_if_needed and width < crop_w:
            img = _pad(img, crop_w - width, 0, crop_w - width, 0, self.fill)
        if self.pad_if_needed and height < crop_h:
            img = _pad(img, 0, crop_h - height, 0, crop_h - height, self.fill)
        height, width = _image_size(img)
        if height < crop_h or width < crop_w:
            raise ValueError(f"Required crop size {(crop_h, crop_w)} is larger than input image "
                             f"size {(height, width)}")
        top = _randint(0, height - crop_h + 1)
        left = _randint(0, width - crop_w + 1)
        return _crop(img, top, left, crop_h, crop_w)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    """Mirror the image left ↔ right with probability ``p``."""

    def __init__(self, p: float = 0.5) -> None:
        self.p = p

    def __call__(self, img: Any) -> Any:
        if _uniform() < self.p:
            return hflip(img)
        return img

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"


def hflip(img: Any) -> Any:
    """The mirror image (left ↔ right) of a Pillow image or a tensor ``(..., H, W)``."""
    if isinstance(img, Image.Image):
        return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return _from_numpy_like(_to_numpy(img)[..., ::-1].copy(), img)
