"""SummaryWriter against torch.utils.tensorboard.SummaryWriter: the same calls on both, every
run read back with TensorBoard's own reader (EventMultiplexer), and the contents compared —
tags as spelt, scalars, images (decoded pixels), histograms, text, PR curves, figures,
hparams, embeddings. Also: a writer reused after close() keeps every event."""

from __future__ import annotations

import io
import os
import re
import socket
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import minitorch
from minitorch import nn
from minitorch.utils.tensorboard import SummaryWriter

torch = pytest.importorskip("torch")  # the reference
event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
tensor_util = pytest.importorskip("tensorboard.util.tensor_util")
from torch.utils.tensorboard import SummaryWriter as TorchWriter  # noqa: E402


def dump(log_dir: Path) -> dict:
    """Every run under ``log_dir`` (each folder with event files): tag -> what TensorBoard
    reads (wall times left out)."""
    out: dict = {}
    for folder in sorted({p.parent for p in log_dir.rglob("events.out.tfevents.*")}):
        run = str(folder.relative_to(log_dir))
        acc = reader(folder)
        tags = acc.Tags()
        got: dict = {}
        for tag in tags["scalars"]:
            got[("scalar", tag)] = [(e.step, e.value) for e in acc.Scalars(tag)]
        for tag in tags["images"]:
            got[("image", tag)] = [(e.step, e.width, e.height,
                                    np.asarray(Image.open(io.BytesIO(e.encoded_image_string))))
                                   for e in acc.Images(tag)]
        for tag in tags["histograms"]:
            got[("histogram", tag)] = [
                (e.step, e.histogram_value.min, e.histogram_value.max, e.histogram_value.num,
                 e.histogram_value.sum, e.histogram_value.sum_squares,
                 list(e.histogram_value.bucket_limit), list(e.histogram_value.bucket))
                for e in acc.Histograms(tag)]
        for tag in tags["tensors"]:
            got[("tensor", tag)] = [(e.step, tensor_util.make_ndarray(e.tensor_proto))
                                    for e in acc.Tensors(tag)]
            meta = acc.SummaryMetadata(tag)
            got[("plugin", tag)] = (meta.plugin_data.plugin_name, meta.plugin_data.content)
        out[run] = got
    return out


def reader(folder: Path):
    acc = event_accumulator.EventAccumulator(str(folder), size_guidance={
        event_accumulator.SCALARS: 0, event_accumulator.IMAGES: 0,
        event_accumulator.HISTOGRAMS: 0, event_accumulator.TENSORS: 0})
    acc.Reload()
    return acc


def assert_same(ours: dict, theirs: dict) -> None:
    assert ours.keys() == theirs.keys()
    for run in theirs:
        assert ours[run].keys() == theirs[run].keys(), run
        for key, expected in theirs[run].items():
            got = ours[run][key]
            if key[0] in ("image", "tensor"):
                assert len(got) == len(expected), key
                for g, e in zip(got, expected):
                    assert g[:-1] == e[:-1], key
                    np.testing.assert_array_equal(g[-1], e[-1], err_msg=str(key))
            else:
                assert got == expected, key


def both(tmp_path: Path, write, **kwargs) -> tuple[dict, dict]:
    """``write(writer, tensor)`` with each writer; ``tensor`` makes a framework tensor."""
    with SummaryWriter(tmp_path / "ours", **kwargs) as w:
        write(w, lambda a: minitorch.from_numpy(np.asarray(a)))
    with TorchWriter(str(tmp_path / "torch"), **kwargs) as w:
        write(w, lambda a: torch.from_numpy(np.asarray(a)))
    return dump(tmp_path / "ours"), dump(tmp_path / "torch")


TAGS = ["training loss", "loss/train", "acc (%)", "weird:chars*?", "ünïcode"]


def test_scalars_images_histograms_text_keep_tags(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    img = rng.random((3, 9, 7)).astype(np.float32)
    batch = rng.random((5, 3, 4, 4)).astype(np.float32)
    values = rng.normal(size=500).astype(np.float32)

    def write(w, t) -> None:
        for i, tag in enumerate(TAGS):
            w.add_scalar(tag, 0.5 * i, i)
            w.add_scalar(tag, t(np.float32(1.25 * i)), i + 10)
        w.add_scalar("new style", 3.5, 2, new_style=True)
        w.add_scalar("double", 1 / 3, 2, new_style=True, double_precision=True)
        w.add_image("an image", t(img), 4)
        w.add_image("hwc image", (img.transpose(1, 2, 0) * 255).astype(np.uint8), 5,
                    dataformats="HWC")
        w.add_images("a batch", t(batch), 6)
        w.add_histogram("weights hist", t(values), 7)
        w.add_histogram("auto bins", t(values), 8, bins="auto")
        w.add_histogram("ten bins", values, 9, bins=10)
        w.add_text("some notes", "hello **world**", 10)

    ours, theirs = both(tmp_path, write)
    assert ("scalar", "training loss") in ours["."]
    assert_same(ours, theirs)


def test_pr_curves(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, size=200)
    predictions = rng.random(200).astype(np.float32)
    weights = rng.random(200).astype(np.float32)

    def write(w, t) -> None:
        for step in range(3):
            w.add_pr_curve("pr curve", t(labels), t(predictions ** (step + 1)), step)
        w.add_pr_curve("few thresholds", t(labels.astype(bool)), t(predictions), 0,
                       num_thresholds=11)
        w.add_pr_curve("weighted", labels, predictions, 0, weights=weights)
        w.add_pr_curve("capped", labels, predictions, 0, num_thresholds=500)

    ours, theirs = both(tmp_path, write)
    assert len(ours["."][("tensor", "pr curve")]) == 3
    assert_same(ours, theirs)


def test_figures(tmp_path: Path) -> None:
    plt = pytest.importorskip("matplotlib.pyplot", reason="matplotlib (the plot extra)")

    def figure(k: int):
        fig = plt.figure(figsize=(2, 1.5), dpi=40)
        plt.plot([0, 1, 2], [0, k, 2 * k])
        return fig

    def write(w, t) -> None:
        w.add_figure("one figure", figure(1), 0)
        fig = figure(2)
        w.add_figure("kept open", fig, 1, close=False)
        assert plt.fignum_exists(fig.number)
        plt.close(fig)
        w.add_figure("a list", [figure(3), figure(4)], 2)

    ours, theirs = both(tmp_path, write)
    (step, width, height, pixels), = ours["."][("image", "one figure")]
    assert (step, width, height) == (0, 80, 60) and pixels.std() > 0
    assert_same(ours, theirs)


def test_hparams(tmp_path: Path) -> None:
    def write(w, t) -> None:
        w.add_hparams({"lr": 0.1, "batch size": 32, "optim": "sgd", "nesterov": True,
                       "unused": None, "decay": t(np.float32([0.5]))},
                      {"hparam/accuracy": 0.75, "hparam/loss": t(np.float32(0.25))},
                      hparam_domain_discrete={"optim": ["sgd", "adam"], "batch size": [32, 64]},
                      run_name="run one")
        w.add_hparams({"lr": 0.01}, {"hparam/accuracy": 0.5}, run_name="run two",
                      global_step=3)

    ours, theirs = both(tmp_path, write)
    assert "run one" in ours and ("scalar", "hparam/accuracy") in ours["run one"]
    assert_same(ours, theirs)
    with pytest.raises(TypeError):
        SummaryWriter(tmp_path / "bad").add_hparams({"a": 1}, {"m": 1},
                                                    hparam_domain_discrete={"a": ["x"]})


def test_embedding_files_match_torch(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    mat = rng.normal(size=(10, 4)).astype(np.float32)
    images = rng.random((10, 3, 6, 6)).astype(np.float32)
    labels = [f"label {i}" for i in range(10)]
    table = [[f"a{i}", i] for i in range(10)]

    def write(w, t) -> None:
        w.add_embedding(t(mat), metadata=labels, label_img=t(images), global_step=1)
        w.add_embedding(t(mat[:5]), metadata=table[:5], metadata_header=["name", "i"],
                        tag="with/slash", global_step=2)
        w.add_embedding(t(mat[:7]), tag="grey", label_img=t(images[:7, :1]))

    both(tmp_path, write)
    ours, theirs = tmp_path / "ours", tmp_path / "torch"
    files = sorted(str(p.relative_to(theirs)) for p in theirs.rglob("*")
                   if p.is_file() and "tfevents" not in p.name)
    assert files == sorted(str(p.relative_to(ours)) for p in ours.rglob("*")
                           if p.is_file() and "tfevents" not in p.name)
    assert "00001/default/sprite.png" in files and "00002/with%2fslash/metadata.tsv" in files
    for name in files:
        if name.endswith(".png"):
            np.testing.assert_array_equal(np.asarray(Image.open(ours / name)),
                                          np.asarray(Image.open(theirs / name)))
        elif name.endswith(".tsv"):
            assert (ours / name).read_text() == (theirs / name).read_text(), name
    from google.protobuf import text_format
    from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig

    configs = [text_format.Parse((d / "projector_config.pbtxt").read_text(), ProjectorConfig())
               for d in (ours, theirs)]
    assert configs[0] == configs[1] and len(configs[0].embeddings) == 3
    back = np.loadtxt(ours / "00001" / "default" / "tensors.tsv", delimiter="\t")
    np.testing.assert_allclose(back, mat, rtol=1e-6)


class Small(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x: minitorch.Tensor) -> minitorch.Tensor:
        return self.fc(x).relu()


def test_reuse_after_close_keeps_every_event(tmp_path: Path) -> None:
    """close(), then more events, several times within one second: one file each, none
    replaced (the file names of torch's writer: ...tfevents.<time>.<host>.<pid>.<n>)."""
    rng = np.random.default_rng(3)
    writer = SummaryWriter(tmp_path)
    for round_ in range(4):
        writer.add_scalar("loss", float(round_), round_)
        writer.add_pr_curve("pr", rng.integers(0, 2, 50), rng.random(50), round_)
        writer.add_image("img", minitorch.rand(3, 4, 4), round_)
        writer.close()
    writer.add_graph(Small(), minitorch.randn(3, 4))
    writer.add_hparams({"lr": 0.1}, {"m": 1.0}, run_name="hp")
    writer.close()
    names = sorted(p.name for p in tmp_path.iterdir() if p.is_file())
    pattern = re.compile(r"events\.out\.tfevents\.\d{10}\." + re.escape(socket.gethostname())
                         + rf"\.{os.getpid()}\.\d+$")
    assert len(names) == 5 and all(pattern.match(n) for n in names), names
    data = dump(tmp_path)["."]  # files are read in name order: "...10" before "...9"
    assert sorted(data[("scalar", "loss")]) == [(i, float(i)) for i in range(4)]
    assert sorted(s for s, _ in data[("tensor", "pr")]) == [0, 1, 2, 3]
    assert sorted(e[0] for e in data[("image", "img")]) == [0, 1, 2, 3]
    assert any(n.name == "Small/Linear[fc]/weight" for n in reader(tmp_path).Graph().node)
    assert ("scalar", "m") in dump(tmp_path)["hp"]


def test_add_scalars_and_purge_step_like_torch(tmp_path: Path) -> None:
    def write(w, t) -> None:
        for step in range(3):
            w.add_scalars("loss curves", {"train set": float(step), "test": t(np.float32(-step))},
                          step)

    ours, theirs = both(tmp_path, write, purge_step=1)
    assert set(ours) == {".", "loss curves_train set", "loss curves_test"}
    assert_same(ours, theirs)
