"""Sound as pictures: classify synthetic sounds by looking at their spectrograms with a CNN.

A spectrogram shows how much of each frequency (vertical axis) a sound holds at each moment
(horizontal axis). Once a sound is a picture, the image classifier of the previous chapters
can learn to tell sounds apart — the same idea that speech recognisers use.

1. Synthesise short sounds of five kinds with NumPy: steady tones, rising and falling
   chirps, bursts of noise, and tones whose loudness wobbles (amplitude modulation).
2. Turn each into a log-magnitude spectrogram with a short-time Fourier transform (STFT)
   written out below, resized to 1×32×32.
3. Save a grid of example spectrograms to ``spectrograms.png`` in ``$MINITORCH_EXAMPLE_OUT``
   (default: a new temporary folder; ``--out`` names the file), never into the working folder.
4. Train a small CNN on them and print the test accuracy.

    python examples/audio_spectrogram.py            # about 90%+ test accuracy
    python examples/audio_spectrogram.py --quick    # a smaller run, well under a minute
    python examples/audio_spectrogram.py --quick --epochs 1   # a smoke test
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

import minitorch as torch
from minitorch import nn
from minitorch.utils.data import DataLoader, TensorDataset

SAMPLE_RATE = 8000          # samples per second
DURATION = 0.5              # seconds per sound
CLASSES = ["tone", "chirp up", "chirp down", "noise bursts", "wobbling tone"]
IMAGE_SIZE = 32


# ---------------------------------------------------------------------------------------------
# 1. Sounds
# ---------------------------------------------------------------------------------------------

def synthesise(label: int, rng: np.random.Generator) -> np.ndarray:
    """One sound of class ``CLASSES[label]``: a float array of ``SAMPLE_RATE * DURATION``
    samples, with random pitch, loudness and some background hiss."""
    t = np.arange(int(SAMPLE_RATE * DURATION)) / SAMPLE_RATE
    f0 = rng.uniform(300, 2500)                      # a base frequency, in Hz
    kind = CLASSES[label]
    if kind == "tone":
        sound = np.sin(2 * np.pi * f0 * t) + 0.3 * np.sin(2 * np.pi * 2 * f0 * t)
    elif kind in ("chirp up", "chirp down"):
        f1 = min(f0 * rng.uniform(1.5, 3.0), 3500)   # sweep between f0 and f1 (below 4 kHz)
        start, end = (f0, f1) if kind == "chirp up" else (f1, f0)
        freq = start + (end - start) * t / DURATION
        sound = np.sin(2 * np.pi * np.cumsum(freq) / SAMPLE_RATE)  # phase = ∫ frequency
    elif kind == "noise bursts":
        sound = np.zeros_like(t)
        for _ in range(rng.integers(2, 5)):          # a few short bursts of hiss
            begin = rng.uniform(0, DURATION - 0.08)
            burst = (t >= begin) & (t < begin + rng.uniform(0.03, 0.08))
            sound[burst] = rng.normal(0, 1, burst.sum())
    else:  # wobbling tone: loudness goes up and down 4..12 times a second
        wobble = 0.5 * (1 + np.sin(2 * np.pi * rng.uniform(4, 12) * t))
        sound = wobble * np.sin(2 * np.pi * f0 * t)
    sound = rng.uniform(0.3, 1.0) * sound / (np.abs(sound).max() + 1e-9)
    return sound + rng.normal(0, 0.02, t.shape)      # background hiss


# ---------------------------------------------------------------------------------------------
# 2. Spectrograms
# ---------------------------------------------------------------------------------------------

def stft(signal: np.ndarray, frame: int = 256, hop: int = 64) -> np.ndarray:
    """Short-time Fourier transform: cut the signal into overlapping frames, taper each
    with a Hann window (so its edges don't add false frequencies), and take the FFT of
    each. Returns the magnitudes, frequencies × frames."""
    window = np.hanning(frame)
    starts = range(0, len(signal) - frame + 1, hop)
    frames = np.stack([signal[s:s + frame] * window for s in starts])   # (frames, frame)
    return np.abs(np.fft.rfft(frames, axis=1)).T                       # (frame//2+1, frames)


def spectrogram_image(signal: np.ndarray) -> np.ndarray:
    """A ``(1, 32, 32)`` float32 picture of the sound: log-magnitude STFT (decibels: our
    ears hear loudness logarithmically), low frequencies at the bottom, resized, and scaled
    to zero mean and unit variance."""
    log_mag = 20 * np.log10(stft(signal) + 1e-6)
    picture = Image.fromarray(log_mag[::-1].astype(np.float32))    # row 0 = highest frequency
    picture = picture.resize((IMAGE_SIZE, IMAGE_SIZE), Image.Resampling.BILINEAR)
    pixels = np.asarray(picture, dtype=np.float32)
    return ((pixels - pixels.mean()) / (pixels.std() + 1e-6))[None]


def make_dataset(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` spectrograms ``(n, 1, 32, 32)`` and their labels."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(CLASSES), n)
    images = np.stack([spectrogram_image(synthesise(int(y), rng)) for y in labels])
    return images.astype(np.float32), labels.astype(np.int64)


def save_examples(images: np.ndarray, labels: np.ndarray, path: Path, per_class: int = 4) -> None:
    """A grid: one row per class, ``per_class`` spectrograms in each, 3× enlarged."""
    rows = []
    for c in range(len(CLASSES)):
        picks = images[labels == c][:per_class, 0]
        tiles = [np.pad(p, 1, constant_values=p.max()) for p in picks]
        rows.append(np.concatenate(tiles, axis=1))
    grid = np.concatenate(rows, axis=0)
    grid = (grid - grid.min()) / (grid.max() - grid.min()) * 255
    img = Image.fromarray(grid.astype(np.uint8))
    img.resize((img.width * 3, img.height * 3), Image.Resampling.NEAREST).save(path)


# ---------------------------------------------------------------------------------------------
# 3. The classifier
# ---------------------------------------------------------------------------------------------

class SpectrogramNet(nn.Module):
    """Two convolution blocks (3×3 conv, ReLU, 2×2 max-pool), then a linear classifier."""

    def __init__(self, num_classes: int = len(CLASSES)) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),     # 8 × 16 × 16
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),    # 16 × 8 × 8
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(16 * 8 * 8, 64), nn.ReLU(),
                                        nn.Linear(64, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def accuracy(model: nn.Module, loader: DataLoader) -> float:
    correct = total = 0
    model.eval()
    with torch.no_grad():
        for x, y in loader:
            correct += int((model(x).argmax(dim=1) == y).sum().item())
            total += y.shape[0]
    model.train()
    return correct / total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run (well under a minute)")
    parser.add_argument("--out", default=None, help="where to save the examples (default: "
                        "spectrograms.png in $MINITORCH_EXAMPLE_OUT or a new temporary folder)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="how many epochs (default: 3 with --quick, else 6)")
    args = parser.parse_args()
    if args.out is None:
        folder = os.environ.get("MINITORCH_EXAMPLE_OUT") or tempfile.mkdtemp(prefix="minitorch-")
        os.makedirs(folder, exist_ok=True)
        args.out = os.path.join(folder, "spectrograms.png")
    n_train, n_test, epochs = (800, 300, 3) if args.quick else (3000, 600, 6)
    epochs = epochs if args.epochs is None else args.epochs

    torch.manual_seed(0)
    start = time.time()
    x_train, y_train = make_dataset(n_train, seed=1)
    x_test, y_test = make_dataset(n_test, seed=2)
    save_examples(x_train, y_train, Path(args.out))
    print(f"{n_train} training and {n_test} test spectrograms in {time.time() - start:.1f}s; "
          f"examples saved to {args.out}")

    train_loader = DataLoader(TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train)),
                              batch_size=32, shuffle=True)
    test_loader = DataLoader(TensorDataset(torch.from_numpy(x_test), torch.from_numpy(y_test)),
                             batch_size=100)
    model = SpectrogramNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(1, epochs + 1):
        total_loss = 0.0
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * y.shape[0]
        print(f"epoch {epoch}: train loss {total_loss / n_train:.3f}, "
              f"test accuracy {accuracy(model, test_loader):.1%} ({time.time() - start:.0f}s)")


if __name__ == "__main__":
    main()
