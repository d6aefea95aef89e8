"""PyTorch programs run on minitorch by changing their imports.

Every program in ``examples/pytorch_programs/`` is written once, for torch. Each runs twice
through ``examples/pytorch_programs/run.py``: on torch, and on minitorch substituted for the
``torch``/``torchvision`` imports. Both runs start from the same random stream
(``--same-random``: the same initial weights, batches and dropout masks) and the same
stand-in data, written here in the real file formats (MNIST/FashionMNIST IDX files, CIFAR-10
pickles; nothing is downloaded). Then:

* the printed text must agree: the words exactly (``minitorch.`` read as ``torch.``, object
  addresses masked), every printed number within the precision it was printed with;
* the final parameters and buffers of every top-level module must agree.

A program that needs a feature minitorch does not have yet is marked ``xfail(strict=True)``
with the feature named, so it turns into a failure (and its mark must go) once it runs."""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = ROOT / "examples" / "pytorch_programs"
RUNNER = PROGRAMS / "run.py"

# program -> (command-line arguments, what it needs that minitorch lacks, or None)
CORPUS: Dict[str, Tuple[List[str], str | None]] = {
    "blitz_tensors.py": ([], None),
    "blitz_autograd.py": ([], None),
    "blitz_neural_networks.py": ([], None),
    "cifar10_classifier.py": ([], None),
    "build_model.py": ([], None),
    "micrograd_tests.py": ([], None),
    "quickstart.py": ([], None),
    "optimization_tutorial.py": ([], None),
    "tensorboard_tutorial.py": ([], None),
    "autograd_tutorial.py": ([], None),
    "polynomial_regression.py": ([], None),
    "mnist_cnn.py": (["--epochs", "2", "--batch-size", "16", "--test-batch-size", "32",
                      "--log-interval", "2", "--save-model"], None),
    "vae.py": (["--epochs", "1", "--batch-size", "16", "--log-interval", "2"], None),
    "gradient_penalty.py": ([], None),
    "custom_function.py": ([], None),
    "batchnorm_eval.py": ([], None),
    "waveform_conv1d.py": ([], None),
    "tone_sequence_lstm.py": ([], None),
    "tone_transformer.py": ([], None),
}

N_TRAIN, N_TEST = 64, 32


# ------------------------------------------------------------------ stand-in data files
def _pictures(g: np.random.Generator, n: int, shape: Tuple[int, ...]) -> Tuple[np.ndarray,
                                                                             np.ndarray]:
    """Learnable pictures: a bright patch whose position gives the label. Every pixel is
    noisy, so no two neighbours tie exactly (a max-pool tie broken differently by the last
    bit of a sum would send a gradient elsewhere in one engine than in the other)."""
    labels = g.integers(0, 10, n)
    images = g.integers(0, 60, (n, *shape)).astype(np.uint8)
    h, w = shape[-2], shape[-1]
    for i, label in enumerate(labels):
        r, c = (label // 5) * (h // 2), (label % 5) * (w // 5)
        patch = images[i, ..., r:r + h // 2, c:c + w // 5]
        patch[...] = g.integers(150, 256, patch.shape)
    return images, labels.astype(np.uint8)


def _write_idx(folder: Path, g: np.random.Generator) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for prefix, n in (("train", N_TRAIN), ("t10k", N_TEST)):
        images, labels = _pictures(g, n, (28, 28))
        header = np.array([2051, n, 28, 28], dtype=">i4").tobytes()
        (folder / f"{prefix}-images-idx3-ubyte").write_bytes(header + images.tobytes())
        header = np.array([2049, n], dtype=">i4").tobytes()
        (folder / f"{prefix}-labels-idx1-ubyte").write_bytes(header + labels.tobytes())


def _write_cifar(folder: Path, g: np.random.Generator) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for name in names:
        n = N_TRAIN // 4 if name != "test_batch" else N_TEST
        images, labels = _pictures(g, n, (3, 32, 32))
        batch = {b"batch_label": name.encode(), b"labels": [int(v) for v in labels],
                 b"data": images.reshape(n, 3072),
                 b"filenames": [f"{name}_{i}.png".encode() for i in range(n)]}
        with open(folder / name, "wb") as f:
            pickle.dump(batch, f, protocol=2)
    meta = {b"num_cases_per_batch": N_TRAIN // 4, b"num_vis": 3072,
            b"label_names": [c.encode() for c in ("airplane", "automobile", "bird", "cat",
                                                   "deer", "dog", "frog", "horse", "ship",
                                                   "truck")]}
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump(meta, f, protocol=2)


@pytest.fixture(scope="module")
def data_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("stand_in_data")
    g = np.random.default_rng(2024)
    _write_idx(root / "data" / "MNIST" / "raw", g)
    _write_idx(root / "data" / "FashionMNIST" / "raw", g)
    _write_cifar(root / "data" / "cifar-10-batches-py", g)
    return root


# ------------------------------------------------------------------------- running
def _run(engine: str, program: str, args: List[str], data_root: Path,
         work: Path) -> Tuple[str, str, Dict[str, np.ndarray]]:
    """The program's stdout, stderr and final state on ``engine``."""
    work.mkdir()
    (work / "data").symlink_to(data_root / "data", target_is_directory=True)
    (work / "results").mkdir()
    state = work / "state.npz"
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, str(RUNNER), "--engine", engine, "--same-random", "--state",
         str(state), str(PROGRAMS / program), *args],
        cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{engine} run of {program} failed:\n{proc.stderr[-4000:]}"
    with np.load(state) as saved:
        return proc.stdout, proc.stderr, {k: saved[k] for k in saved.files}


NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?\b(?:nan|inf)\b")


def _normalise(text: str) -> str:
    text = text.replace("minitorch.", "torch.")
    text = re.sub(r"0x[0-9a-f]+", "0xADDR", text)
    return text


def _tokens(text: str) -> Tuple[str, List[str]]:
    """The text with numbers replaced by '#' and runs of blanks squeezed, and the numbers."""
    numbers = NUMBER.findall(text)
    skeleton = re.sub(r"[ \t]+", " ", NUMBER.sub("#", text))
    skeleton = re.sub(r"\s*\n\s*", "\n", skeleton)
    return skeleton, numbers


def _close(got: str, want: str) -> bool:
    """Equal within the precision ``want`` was printed with (and 0.2% for drift)."""
    g, w = float(got), float(want)
    if np.isnan(w) or np.isinf(w):
        return got.lstrip("+") == want.lstrip("+")
    mantissa = re.split(r"[eE]", want)[0]
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    if "." not in want and "e" not in want.lower():
        return g == w  # integers (counts, indices, shapes) exactly
    if len(re.sub(r"[^0-9]", "", mantissa).lstrip("0")) >= 10:  # a float's full repr
        return abs(g - w) <= 1e-6 + 1e-4 * abs(w)
    step = 10.0 ** -decimals * (10.0 ** int(re.split(r"[eE]", want)[1])
                                if re.search(r"[eE]", want) else 1.0)
    return abs(g - w) <= 1.5 * step + 2e-3 * abs(w)


def compare_outputs(got: str, want: str) -> None:
    got_skeleton, got_numbers = _tokens(_normalise(got))
    want_skeleton, want_numbers = _tokens(_normalise(want))
    assert got_skeleton == want_skeleton, \
        f"the printed text differs:\n--- minitorch\n{got}\n--- torch\n{want}"
    bad = [(i, gn, wn) for i, (gn, wn) in enumerate(zip(got_numbers, want_numbers))
           if not _close(gn, wn)]
    assert not bad, f"printed numbers differ (index, minitorch, torch): {bad[:10]}\n" \
                    f"--- minitorch\n{got}\n--- torch\n{want}"


def compare_warnings(got: str, want: str) -> None:
    """No RuntimeWarning (NumPy's "invalid value encountered in ...") where torch has none."""
    got_lines = [line for line in got.splitlines() if "RuntimeWarning" in line]
    assert not got_lines or "RuntimeWarning" in want, \
        "minitorch warned where torch is silent:\n" + "\n".join(got_lines[:10])


def compare_states(got: Dict[str, np.ndarray], want: Dict[str, np.ndarray]) -> None:
    assert sorted(got) == sorted(want)
    for key in want:
        assert got[key].shape == want[key].shape, key
        np.testing.assert_allclose(got[key].astype(np.float64), want[key].astype(np.float64),
                                   rtol=2e-3, atol=2e-4, err_msg=key)


def _param(name: str) -> object:
    args, missing = CORPUS[name]
    marks = [pytest.mark.xfail(strict=True, reason=missing)] if missing else []
    return pytest.param(name, args, id=name.removesuffix(".py"), marks=marks)


def test_corpus_lists_every_program() -> None:
    on_disk = {p.name for p in PROGRAMS.glob("*.py") if p.name != "run.py"}
    assert on_disk == set(CORPUS)
    assert len(CORPUS) >= 10


@pytest.mark.parametrize("name,args", [_param(n) for n in CORPUS])
def test_program_matches_torch(name: str, args: List[str], data_root: Path,
                               tmp_path: Path) -> None:
    got_out, got_err, got_state = _run("minitorch", name, args, data_root,
                                       tmp_path / "minitorch")
    want_out, want_err, want_state = _run("torch", name, args, data_root, tmp_path / "torch")
    compare_outputs(got_out, want_out)
    compare_warnings(got_err, want_err)
    compare_states(got_state, want_state)
    compare_scalars(tmp_path / "minitorch" / "runs", tmp_path / "torch" / "runs")


def _scalars(runs: Path) -> Dict[str, List[Tuple[int, float]]]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    found: Dict[str, List[Tuple[int, float]]] = {}
    for log_dir in sorted({p.parent for p in runs.rglob("events.out.tfevents.*")}):
        acc = EventAccumulator(str(log_dir))
        acc.Reload()
        for tag in acc.Tags()["scalars"]:
            key = f"{log_dir.relative_to(runs)}/{tag}"
            found[key] = [(e.step, e.value) for e in acc.Scalars(tag)]
    return found


def compare_scalars(got_runs: Path, want_runs: Path) -> None:
    """The TensorBoard scalars a program logged: same tags, steps and values."""
    if not want_runs.exists():
        assert not got_runs.exists()
        return
    got, want = _scalars(got_runs), _scalars(want_runs)
    assert sorted(got) == sorted(want)
    for tag in want:
        assert [s for s, _ in got[tag]] == [s for s, _ in want[tag]], tag
        np.testing.assert_allclose([v for _, v in got[tag]], [v for _, v in want[tag]],
                                   rtol=1e-4, err_msg=tag)


def test_comparison_catches_a_changed_number() -> None:
    want = "loss: 0.123456  [   16/   64]\ntensor([1.0000, 2.5000])"
    compare_outputs(want.replace("minitorch", "torch"), want)
    with pytest.raises(AssertionError):
        compare_outputs(want.replace("0.123456", "0.125456"), want)
    with pytest.raises(AssertionError):
        compare_outputs(want.replace("16/", "17/"), want)
    with pytest.raises(AssertionError):
        compare_outputs(want.replace("loss", "Loss"), want)


def test_comparison_catches_a_runtime_warning() -> None:
    warned = "prog.py:7: RuntimeWarning: invalid value encountered in reduce\n  s = x.sum()\n"
    compare_warnings("", "")
    compare_warnings(warned, warned)  # torch warned too (its own NumPy use)
    with pytest.raises(AssertionError, match="invalid value encountered in reduce"):
        compare_warnings(warned, "")
