"""The ``minitorch`` console script, run as ``python -m minitorch ...`` in a subprocess."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import minitorch

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, cwd: Path, timeout: float = 180) -> str:
    env = dict(os.environ, MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-m", "minitorch", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"minitorch {' '.join(args)} failed:\n{proc.stdout}\n" \
                                 f"{proc.stderr}"
    return proc.stdout


def test_summary_shows_the_size_formulas(tmp_path: Path) -> None:
    out = cli("summary", cwd=tmp_path)
    for formula in ["⌊(32 − 5 + 2·2)/1⌋ + 1 = 32", "⌊(32 − 2 + 2·0)/2⌋ + 1 = 16",
                    "⌊(16 − 5 + 2·2)/1⌋ + 1 = 16", "⌊(8 − 2 + 2·0)/2⌋ + 1 = 4"]:
        assert formula in out, out
    assert "[1, 1024]" in out and "[1, 10]" in out
    assert "Total params: 145,578" in out


def test_help_lists_the_commands(tmp_path: Path) -> None:
    out = cli("--help", cwd=tmp_path)
    for command in ("demo", "train", "summary", "parity", "bench"):
        assert command in out


def test_train_writes_checkpoint_tensorboard_and_plot(tmp_path: Path) -> None:
    ea = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    out = tmp_path / "run"
    stdout = cli("train", "--epochs", "1", "--train-samples", "256", "--test-samples", "64",
                 "--batch-size", "32", "--out", str(out), "--quiet", cwd=tmp_path)
    assert "epoch 1: train loss" in stdout and "test loss" in stdout

    checkpoint = minitorch.load(out / "checkpoint.npz")
    assert checkpoint["epochs"] == 1
    assert tuple(checkpoint["model"]["model.8.weight"].shape) == (6, 64)  # six shapes
    assert len(checkpoint["optimizer"]["state"]) == 10  # Adam state for every parameter
    from minitorch.models import TutorialCNN

    model = TutorialCNN(num_classes=6)
    result = model.load_state_dict(checkpoint["model"])
    assert not result.missing_keys and not result.unexpected_keys

    acc = ea.EventAccumulator(str(out / "tensorboard"), size_guidance={ea.SCALARS: 0})
    acc.Reload()
    tags = acc.Tags()
    assert {"train/loss", "train/accuracy", "test/loss", "test/accuracy"} <= set(tags["scalars"])
    losses = acc.Scalars("train/loss")
    assert [e.step for e in losses] == list(range(1, 256 // 32 + 1))  # one per batch
    assert all(e.value > 0 for e in losses)
    (accuracy,) = acc.Scalars("test/accuracy")
    assert accuracy.step == 1 and 0.0 <= accuracy.value <= 1.0
    assert tags["graph"]  # add_graph of the model

    plot = out / "history.png"
    assert plot.is_file() and plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert list(tmp_path.iterdir()) == [out]  # nothing written outside --out


def test_demo_reaches_the_accuracy_target_and_parity_with_torch(tmp_path: Path) -> None:
    """The README's main job with its default settings: the tutorial CNN learns the built-in
    shapes data to ≥ 90% test accuracy, and its logits match torch's with the same weights."""
    pytest.importorskip("torch")
    stdout = cli("demo", "--out", str(tmp_path / "demo"), "--quiet", cwd=tmp_path, timeout=600)
    assert "-> PASS" in stdout
    accuracy = re.search(r"test accuracy ([0-9.]+)%", stdout)
    assert accuracy is not None, stdout
    assert float(accuracy.group(1)) >= 90.0, stdout


def test_help_lists_the_learning_commands(tmp_path: Path) -> None:
    out = cli("--help", cwd=tmp_path)
    for command in ("explain", "exercise", "check", "warmup"):
        assert command in out


def test_explain_writes_text_gif_frames_and_page(tmp_path: Path) -> None:
    from PIL import Image

    out = cli("explain", "conv2d", "--input-size", "1,1,5,5", "--stride", "2", "--padding",
              "1", "--gif", "c.gif", "--backward-gif", "b.gif", "--frames", "frames",
              "--html", "c.html", cwd=tmp_path)
    assert "⌊(5 − 3 + 2·1)/2⌋ + 1 = 3" in out and "im2col" in out and "col2im" in out
    with Image.open(tmp_path / "c.gif") as im:
        assert im.n_frames == 9
    with Image.open(tmp_path / "b.gif") as im:
        assert im.n_frames == 9
    assert len(list((tmp_path / "frames").glob("*.png"))) == 18
    assert (tmp_path / "c.html").read_text().count("data:image/png;base64,") == 18


def test_explain_a_learner_model(tmp_path: Path) -> None:
    (tmp_path / "net.py").write_text(
        "from minitorch import nn\n"
        "model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))\n")
    out = cli("explain", "model", "--model", "net:model", "--input-size", "2,4", "--target",
              "0,1", "--graph", "g.png", cwd=tmp_path)
    assert "0: Linear" in out and "dL/dweight" in out and "L = cross_entropy" in out
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"


def test_bench_runs_from_an_installed_package(tmp_path: Path) -> None:
    """The console script of an installed package has minitorch on sys.path but not the
    checkout's root, where benchmarks/ lives."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "minitorch").symlink_to(ROOT / "minitorch")
    env = dict(os.environ, PYTHONPATH=str(site))
    proc = subprocess.run([sys.executable, "-m", "minitorch", "bench", "--help"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "usage" in proc.stdout and "--quick" in proc.stdout


def test_train_without_cifar10_is_one_clean_line(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "minitorch", "train", "--dataset", "cifar10",
                           "--data-root", str(tmp_path / "nodata")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith("minitorch train: CIFAR10: missing data_batch_1")
    assert "cifar-10-batches-py" in lines[0]
    assert list(tmp_path.iterdir()) == []  # nothing written


# ------------------------------------------------------------------------------ parity
def parity_cli(*args: str, cwd: Path, module: str = "minitorch") -> subprocess.CompletedProcess:
    """``minitorch parity ARGS`` (or ``python -m minitorch.parity ARGS``), stdout and stderr."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT),
                                                       os.environ.get("PYTHONPATH", "")]))
    command = ["-m", "minitorch", "parity"] if module == "minitorch" else ["-m", module]
    return subprocess.run([sys.executable, *command, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("module, prog", [("minitorch", "minitorch parity"),
                                          ("minitorch.parity", "python -m minitorch.parity")])
def test_parity_help_names_the_command_that_was_run(tmp_path: Path, module: str,
                                                    prog: str) -> None:
    proc = parity_cli("--help", cwd=tmp_path, module=module)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"usage: {prog} "), proc.stdout
    bad = parity_cli("--backends", "nope", cwd=tmp_path, module=module)
    assert bad.returncode == 2 and f"{prog}: error: unknown backend(s) ['nope']" in bad.stderr


def test_parity_shows_progress_and_ends_with_a_total(capsys: pytest.CaptureFixture) -> None:
    """``minitorch parity`` (in this process: the console script's own ``main``)."""
    pytest.importorskip("torch")
    from minitorch.cli import main
    from minitorch.parity import CATALOGUE

    ops = ("relu", "softmax")
    n = sum(c.op in ops for c in CATALOGUE)
    assert main(["parity", "--backends", "numpy", "--ops", ",".join(ops)]) == 0
    out, err = capsys.readouterr()
    assert f"{n}/{n}" in err and "100%" in err  # the progress bar, on stderr
    last = out.strip().splitlines()[-1]
    assert re.fullmatch(rf"total: {n} cases, {n} passed, 0 failed \(numpy: {n} passed, "
                        rf"0 failed\); [0-9.]+ s", last), last
    assert main(["parity", "--backends", "numpy", "--ops", "relu", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert "%" not in err and out.strip().splitlines()[-1].startswith("total: "), err


def test_parity_total_counts_failed_cases_per_backend() -> None:
    """A case that computes something else in minitorch fails on every backend it runs on
    (once, however many dtypes fail); an unavailable backend is named as skipped."""
    pytest.importorskip("torch")
    from minitorch.parity import Arg, Case
    from minitorch.parity.report import report, total_line

    wrong = Case("doubled", "mul", lambda m, x: x * (2 if m is minitorch else 1), [Arg((3,))])
    right = Case("same", "mul", lambda m, x: x * 3, [Arg((3,))])
    other = Case("neg", "neg", lambda m, x: -x, [Arg((2, 2))])
    rows = report(["numpy", "numba", "nonexistent"], cases=[wrong, right, other])
    line = total_line(rows)
    assert line == ("total: 6 cases, 4 passed, 2 failed (numpy: 2 passed, 1 failed; "
                    "numba: 2 passed, 1 failed); skipped: nonexistent")
    failures = [f for r in rows for f in r.failures]
    # output and gradient, in both dtypes, on both backends
    assert len(failures) == 8 and all(f.startswith("doubled[float") for f in failures)
    assert sum(" output0: " in f for f in failures) == sum(" grad input0: " in f
                                                           for f in failures) == 4


def test_parity_runs_only_small_cases_on_the_loops_backend() -> None:
    """A case above the loops backend's size limit is not run there (no row, no skip line),
    and still runs on the other backends."""
    pytest.importorskip("torch")
    from minitorch.parity import SMALL_ONLY, Arg, Case, runs_on
    from minitorch.parity.report import report, total_line

    limit = SMALL_ONLY["loops"]
    small = Case("small_relu", "relu", lambda m, x: x.relu(), [Arg((limit,))])
    big = Case("big_relu", "relu", lambda m, x: x.relu(), [Arg((limit + 1,))])
    assert runs_on(small, "loops") and not runs_on(big, "loops") and runs_on(big, "numpy")
    rows = report(["numpy", "loops"], dtypes=["float64"], cases=[small, big])
    assert {(r.backend, r.cases) for r in rows} == {("numpy", 2), ("loops", 1)}
    assert total_line(rows) == ("total: 3 cases, 3 passed, 0 failed (numpy: 2 passed, "
                                "0 failed; loops: 1 passed, 0 failed)")
