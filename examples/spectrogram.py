"""Two tones told apart by their spectrograms, with the library's own STFT.

1. Make a synthetic sequence of tone bursts with NumPy (no downloads): class 0 sounds at
   440 Hz, class 1 at 660 Hz, each with a random phase and a little noise.
2. ``stft`` (a Hann window, 64-point frames, hop 16) → magnitude → decibels:
   20·log10(|X| + 1e-6) — the picture of each sound, frequencies down, time across.
3. Train a small CNN on the pictures for a few Adam steps and print the loss.

It is a PyTorch program: change ``import minitorch as torch`` to ``import torch`` and it runs
on PyTorch, printing the same losses (to the printed precision).

    python examples/spectrogram.py
"""

from __future__ import annotations

import numpy as np

import minitorch as torch
from minitorch import nn

SAMPLE_RATE = 4000
SAMPLES = 512
TONES = (440.0, 660.0)  # Hz, one per class
N_FFT, HOP = 64, 16


def tone_bursts(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n waveforms (n, SAMPLES) and their labels: a tone of the class's pitch, faded in
    and out, random phase, plus white noise."""
    g = np.random.default_rng(seed)
    labels = g.integers(0, len(TONES), n)
    t = np.arange(SAMPLES) / SAMPLE_RATE
    freqs = np.array(TONES)[labels][:, None]
    envelope = np.sin(np.pi * np.arange(SAMPLES) / SAMPLES) ** 2
    waves = envelope * np.sin(2 * np.pi * freqs * t + g.uniform(0, 2 * np.pi, (n, 1)))
    waves = waves + 0.1 * g.standard_normal((n, SAMPLES))
    return waves.astype(np.float32), labels


def spectrogram_db(waves: torch.Tensor) -> torch.Tensor:
    """(N, samples) → (N, 1, frequencies, frames) log-magnitude spectrograms."""
    window = torch.hann_window(N_FFT)
    spec = torch.stft(waves, N_FFT, HOP, window=window, return_complex=True)
    return (20 * torch.log10(spec.abs() + 1e-6)).unsqueeze(1)


class SpectrogramCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d((4, 4)))
        self.head = nn.Linear(8 * 4 * 4, len(TONES))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x).flatten(1))


def main() -> None:
    torch.manual_seed(0)
    waves, labels = tone_bursts(32)
    x = spectrogram_db(torch.tensor(waves))
    x = (x - x.mean()) / x.std()  # standardised decibels
    y = torch.tensor(labels)
    print("spectrogram batch:", tuple(x.shape))
    model = SpectrogramCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    for step in range(1, 16):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        if step % 3 == 0:
            print(f"step {step:2d}: loss {loss.item():.3f}")
    accuracy = (model(x).argmax(1) == y).float().mean().item()
    print(f"training accuracy: {accuracy:.2f}")


if __name__ == "__main__":
    main()
