"""The bundled picture, the spectrogram example's signal processing, and make_grid."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
from PIL import Image

import minitorch
from minitorch.vision import utils as vutils

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bundled_picture_is_the_generated_one() -> None:
    maker = load(EXAMPLES / "assets" / "make_picture.py")
    bundled = Image.open(EXAMPLES / "assets" / "picture.png")
    assert bundled.mode == "RGB" and bundled.size == (64, 48)
    np.testing.assert_array_equal(np.asarray(bundled), np.asarray(maker.make_picture()))
    assert (EXAMPLES / "assets" / "picture.png").stat().st_size < 20_000


def test_spectrogram_of_a_tone_peaks_at_its_frequency() -> None:
    audio = load(EXAMPLES / "audio_spectrogram.py")
    rate = audio.SAMPLE_RATE
    t = np.arange(4000) / rate
    magnitudes = audio.stft(np.sin(2 * np.pi * 1000 * t), frame=256, hop=64)
    assert magnitudes.shape == (129, (4000 - 256) // 64 + 1)
    assert np.all(magnitudes.argmax(axis=0) == round(1000 * 256 / rate))  # bin 32
    rng = np.random.default_rng(0)
    for label in range(len(audio.CLASSES)):
        image = audio.spectrogram_image(audio.synthesise(label, rng))
        assert image.shape == (1, 32, 32) and image.dtype == np.float32
        assert abs(float(image.mean())) < 1e-4


def test_make_grid_and_save_image(tmp_path: Path) -> None:
    batch = minitorch.rand(5, 3, 4, 6)
    grid = vutils.make_grid(batch, nrow=3, padding=2)
    assert tuple(grid.shape) == (3, 2 * (4 + 2) + 2, 3 * (6 + 2) + 2)
    np.testing.assert_array_equal(grid.numpy()[:, 2:6, 2:8], batch.numpy()[0])
    grey = vutils.make_grid(minitorch.rand(2, 1, 4, 4), padding=0)
    assert tuple(grey.shape) == (3, 4, 8)  # one channel is repeated into RGB
    vutils.save_image(batch, tmp_path / "grid.png", nrow=5)
    assert Image.open(tmp_path / "grid.png").size == (5 * 8 + 2, 4 + 4)
