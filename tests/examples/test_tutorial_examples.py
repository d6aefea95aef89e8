"""Smoke tests of the example programs: each runs as a subprocess, with its outputs sent to a
temporary folder (``MINITORCH_EXAMPLE_OUT``), and must exit 0 and write what it promises.

Every ``examples/tutorial/*.py`` is run, including ones added later (those need only exit
0 until listed in ``EXPECTED``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TUTORIAL = sorted((EXAMPLES / "tutorial").glob("*.py"))

# file name -> (files it writes, TensorBoard logs holding a graph, text in its output)
EXPECTED: dict[str, tuple[list[str], list[str], list[str]]] = {
    "perceptron.py": ([], [], []),
    "shallow_net.py": ([], [], []),
    "deep_net.py": ([], [], []),
    "conv_image.py": (["conv_output.png"], ["log_conv"], ["[1, 3, 49, 65]"]),
    "pooling_image.py": (["pooling_output.png", "maxpool_output.png"], [],
                         ["[1, 3, 24, 32]"]),
    # f"{t}" of a 0-d tensor is its number, as in torch (not "tensor(...)")
    "nonlinear_image.py": (["nonlinear_input.png", "nonlinear_output.png"], [],
                           ["bias = "]),
    "linear_layer.py": (["linear_output.png"], [], ["[1, 3, 48, 20]", "[1, 20]"]),
    "full_network.py": ([], ["log_nn"], ["[1, 10]"]),
}


def event_accumulator():
    return pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")


def read_events(log_dir: Path) -> object:
    ea = event_accumulator()
    acc = ea.EventAccumulator(str(log_dir), size_guidance={ea.IMAGES: 0, ea.SCALARS: 0})
    acc.Reload()
    return acc


def run(args: list[str], tmp_path: Path, timeout: float = 120) -> tuple[Path, str]:
    """Run ``python *args`` from an empty working folder; return the output folder and the
    program's stdout. Also checks the program wrote nothing into its working folder."""
    out, cwd = tmp_path / "out", tmp_path / "cwd"
    cwd.mkdir()
    env = dict(os.environ, MINITORCH_EXAMPLE_OUT=str(out),
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
               MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, f"{args} failed:\n{proc.stdout}\n{proc.stderr}"
    assert list(cwd.iterdir()) == [], "the example wrote into its working folder"
    return out, proc.stdout


def graph_node_ops(log_dir: Path) -> list[str]:
    acc = read_events(log_dir)
    assert acc.Tags()["graph"], f"no graph in {log_dir}"
    return [node.op for node in acc.Graph().node]


def test_every_tutorial_program_is_listed() -> None:
    assert {p.name for p in TUTORIAL} >= set(EXPECTED)


@pytest.mark.parametrize("path", TUTORIAL, ids=[p.stem for p in TUTORIAL])
def test_tutorial_program(path: Path, tmp_path: Path) -> None:
    out, stdout = run([str(path)], tmp_path)
    files, graphs, texts = EXPECTED.get(path.name, ([], [], []))
    for name in files:
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    for text in texts:
        assert text in stdout, f"{text!r} not in the output of {path.name}:\n{stdout}"
    for log in graphs:
        ops = graph_node_ops(out / log)
        # an op node is its grad_fn's name without "Backward": torch's ConvolutionBackward0
        assert "Convolution" in ops and "IO Node" in ops and "Parameter" in ops, ops
    if path.name == "full_network.py":
        ops = graph_node_ops(out / "log_nn")
        # a Linear layer records torch's graph: addmm(bias, x, weight.t())
        assert ops.count("Convolution") == 3 and ops.count("Addmm") == 2, ops
    if path.name == "pooling_image.py":
        acc = read_events(out / "log_network")
        assert set(acc.Tags()["images"]) == {"Image", "Pooling"}
        pooled = acc.Images("Pooling")[0]
        assert (pooled.width, pooled.height) == (32, 24)


def test_feature_maps(tmp_path: Path) -> None:
    out, stdout = run([str(EXAMPLES / "feature_maps.py")], tmp_path)
    from PIL import Image

    for layer, (channels, size) in {"model_0": (32, 32), "model_2": (32, 16),
                                    "model_4": (64, 8)}.items():
        grid = Image.open(out / f"feature_maps_{layer}.png")
        rows = -(-channels // 8)
        assert grid.size == (8 * (size + 1) + 1, rows * (size + 1) + 1), layer
    assert (out / "input.png").is_file()
    acc = read_events(out / "tensorboard")
    assert set(acc.Tags()["images"]) == {"input", "feature_maps/model.0",
                                         "feature_maps/model.2", "feature_maps/model.4"}


def test_audio_spectrogram_smoke(tmp_path: Path) -> None:
    # --quick takes ~30 s on two cores; one epoch of it keeps the smoke test short
    out = tmp_path / "spec" / "spectrograms.png"
    out.parent.mkdir()
    _, stdout = run([str(EXAMPLES / "audio_spectrogram.py"), "--quick", "--epochs", "1",
                     "--out", str(out)], tmp_path)
    assert out.is_file()
    assert "epoch 1:" in stdout and "epoch 2:" not in stdout


@pytest.mark.parametrize("engine", ["minitorch", "torch"])
def test_spectrogram_runs_on_both_engines(engine: str, tmp_path: Path) -> None:
    """``examples/spectrogram.py`` as written, and with its imports changed to torch's: both
    train (the loss falls) and print the same spectrogram shape."""
    source = (EXAMPLES / "spectrogram.py").read_text()
    if engine == "torch":
        pytest.importorskip("torch")
        source = source.replace("import minitorch as torch\n", "import torch\n")
        source = source.replace("from minitorch import nn\n", "from torch import nn\n")
    program = tmp_path / "spectrogram.py"
    program.write_text(source)
    _, stdout = run([str(program)], tmp_path)
    assert "spectrogram batch: (32, 1, 33, 33)" in stdout
    losses = [float(line.split("loss")[1]) for line in stdout.splitlines() if "loss" in line]
    assert len(losses) == 5 and losses[-1] < losses[0]
