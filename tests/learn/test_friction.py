"""First-contact friction: a torch tensor passed to a minitorch op says which Tensor is
which and how to convert; the audio example writes only where examples write."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

import minitorch
from minitorch import nn
from minitorch.nn import functional as F

torch = pytest.importorskip("torch")
ROOT = Path(__file__).resolve().parents[2]

a = minitorch.ones(2, 3)
img = minitorch.ones(1, 1, 4, 4)
T = torch.ones(2, 3)
TIMG = torch.ones(1, 1, 4, 4)

CALLS: dict[str, Callable[[], Any]] = {
    "conv2d input": lambda: F.conv2d(TIMG, minitorch.ones(1, 1, 2, 2)),
    "conv2d weight": lambda: F.conv2d(img, torch.ones(1, 1, 2, 2)),
    "Conv2d module": lambda: nn.Conv2d(1, 1, 2)(TIMG),
    "max_pool2d": lambda: F.max_pool2d(TIMG, 2),
    "avg_pool2d": lambda: F.avg_pool2d(TIMG, 2),
    "MaxPool2d module": lambda: nn.MaxPool2d(2)(TIMG),
    "linear input": lambda: F.linear(T, minitorch.ones(4, 3)),
    "linear weight": lambda: F.linear(a, torch.ones(4, 3)),
    "Linear module": lambda: nn.Linear(3, 4)(T),
    "relu": lambda: F.relu(T),
    "ReLU module": lambda: nn.ReLU()(T),
    "sigmoid": lambda: F.sigmoid(T),
    "tanh": lambda: F.tanh(T),
    "softmax": lambda: F.softmax(T, 1),
    "cross_entropy input": lambda: F.cross_entropy(T, minitorch.tensor([0, 1])),
    "cross_entropy target": lambda: F.cross_entropy(a, torch.tensor([0, 1])),
    "matmul": lambda: a @ T.T,
    "cat": lambda: minitorch.cat([a, T]),
    "stack": lambda: minitorch.stack([a, T]),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_torch_tensor_is_named_and_the_conversion_given(name: str) -> None:
    with pytest.raises(TypeError) as info:
        CALLS[name]()
    msg = str(info.value)
    assert "minitorch.Tensor" in msg and "torch.Tensor" in msg, msg
    assert "not Tensor" not in msg.replace("not torch.Tensor", "")
    assert "minitorch.from_numpy(t.detach().cpu().numpy())" in msg
    # and the conversion it gives works
    converted = minitorch.from_numpy(T.detach().cpu().numpy())
    assert isinstance(converted, minitorch.Tensor)
    np.testing.assert_array_equal(torch.from_numpy(converted.detach().numpy()).numpy(),
                                  T.numpy())


@pytest.mark.parametrize("op", ["relu", "sigmoid", "tanh"])
def test_other_non_tensors_keep_torchs_message(op: str) -> None:
    arr = np.ones(3)
    with pytest.raises(TypeError) as theirs:
        getattr(torch.nn.functional, op)(arr) if op == "relu" else getattr(torch, op)(arr)
    with pytest.raises(TypeError) as ours:
        getattr(F, op)(arr)
    assert str(ours.value).startswith(str(theirs.value)), (ours.value, theirs.value)


def test_audio_example_writes_into_the_example_folder_only(tmp_path: Path) -> None:
    out, cwd = tmp_path / "out", tmp_path / "cwd"
    cwd.mkdir()
    env = dict(os.environ, MINITORCH_EXAMPLE_OUT=str(out), PYTHONPATH=str(ROOT),
               MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "audio_spectrogram.py"),
                           "--quick", "--epochs", "0"], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert list(cwd.iterdir()) == []
    assert (out / "spectrograms.png").read_bytes()[:4] == b"\x89PNG"
    assert str(out / "spectrograms.png") in proc.stdout
