"""SummaryWriter: write events, read them back with TensorBoard's own reader."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import minitorch
from minitorch import nn
from minitorch.utils.tensorboard import SummaryWriter

event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")


def read(log_dir: Path | str) -> object:
    acc = event_accumulator.EventAccumulator(str(log_dir), size_guidance={
        event_accumulator.SCALARS: 0, event_accumulator.IMAGES: 0,
        event_accumulator.HISTOGRAMS: 0, event_accumulator.TENSORS: 0})
    acc.Reload()
    return acc


def test_scalars(tmp_path: Path) -> None:
    with SummaryWriter(tmp_path) as writer:
        for step in range(5):
            writer.add_scalar("loss/train", 1.0 / (step + 1), step)
        writer.add_scalar("loss/tensor", minitorch.tensor(2.5), 7)
        writer.add_scalar("loss/numpy", np.float32(0.25), 8)
        writer.add_scalar("loss/requires_grad", minitorch.ones(1, requires_grad=True) * 3, 9)
    acc = read(tmp_path)
    events = acc.Scalars("loss/train")
    assert [e.step for e in events] == [0, 1, 2, 3, 4]
    np.testing.assert_allclose([e.value for e in events], [1, 1 / 2, 1 / 3, 1 / 4, 1 / 5],
                               rtol=1e-6)
    assert [(e.step, e.value) for e in acc.Scalars("loss/tensor")] == [(7, 2.5)]
    assert acc.Scalars("loss/numpy")[0].value == 0.25
    assert acc.Scalars("loss/requires_grad")[0].value == 3.0
    with pytest.raises(ValueError):
        SummaryWriter(tmp_path / "other").add_scalar("x", minitorch.ones(2))


def test_add_scalars_writes_one_run_per_key(tmp_path: Path) -> None:
    with SummaryWriter(tmp_path) as writer:
        for step in range(3):
            writer.add_scalars("loss", {"train": step * 1.0, "test": minitorch.tensor(-step)},
                               step)
    runs = sorted(p.name for p in tmp_path.iterdir() if p.is_dir())
    assert runs == ["loss_test", "loss_train"]
    assert [e.value for e in read(tmp_path / "loss_test").Scalars("loss")] == [0, -1, -2]


def test_images(tmp_path: Path) -> None:
    with SummaryWriter(tmp_path) as writer:
        writer.add_image("chw", minitorch.rand(3, 10, 12), 0)
        writer.add_image("hwc", np.zeros((5, 6, 3), np.uint8), 1, dataformats="HWC")
        writer.add_image("grey", minitorch.rand(1, 4, 4), 2)
        writer.add_images("batch", minitorch.rand(4, 3, 8, 8), 3)
        writer.add_images("list", [minitorch.rand(3, 8, 8), minitorch.rand(3, 8, 8)], 4)
    acc = read(tmp_path)
    image = acc.Images("chw")[0]
    assert (image.width, image.height, image.step) == (12, 10, 0)
    assert image.encoded_image_string.startswith(b"\x89PNG")
    assert (acc.Images("hwc")[0].width, acc.Images("hwc")[0].height) == (6, 5)
    assert acc.Images("grey")[0].width == 4
    assert acc.Images("batch")[0].width > 8 and acc.Images("list")[0].step == 4


def test_histogram_and_text(tmp_path: Path) -> None:
    values = minitorch.from_numpy(np.random.default_rng(0).normal(size=1000).astype(np.float32))
    with SummaryWriter(tmp_path) as writer:
        writer.add_histogram("weights", values, 3)
        writer.add_histogram("small", [1.0, 2.0, 2.0, 3.0], 4, bins="auto")
        writer.add_text("notes", "hello **world**", 5)
    acc = read(tmp_path)
    hist = acc.Histograms("weights")[0]
    assert hist.step == 3 and hist.histogram_value.num == 1000
    assert hist.histogram_value.min == pytest.approx(float(values.numpy().min()))
    assert hist.histogram_value.sum == pytest.approx(float(values.numpy().sum()), abs=1e-3)
    assert acc.Histograms("small")[0].histogram_value.num == 4
    (tag,) = [t for t in acc.Tags()["tensors"] if t.startswith("notes")]
    text = acc.Tensors(tag)[0]
    assert text.step == 5 and text.tensor_proto.string_val[0] == b"hello **world**"


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x: minitorch.Tensor) -> minitorch.Tensor:
        return nn.functional.relu(self.conv(x))


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.block = Block()
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(4 * 6 * 6, 5))

    def forward(self, x: minitorch.Tensor) -> minitorch.Tensor:
        return self.head(self.block(x)) * 2


def test_graph(tmp_path: Path) -> None:
    model = Net()
    with SummaryWriter(tmp_path) as writer:
        writer.add_graph(model, minitorch.randn(2, 3, 8, 8))
    assert model.training  # put back in training mode
    graph = read(tmp_path).Graph()
    nodes = {node.name: node for node in graph.node}
    names = set(nodes)
    assert "input/input.1" in names and "output/output.1" in names
    assert {"Net/Block[block]/Conv2d[conv]/weight", "Net/Block[block]/Conv2d[conv]/bias",
            "Net/Sequential[head]/Linear[1]/weight"} <= names
    scopes = {name.rsplit("/", 1)[0] for name in names}
    assert {"Net", "Net/Block[block]", "Net/Block[block]/Conv2d[conv]",
            "Net/Sequential[head]/Flatten[0]", "Net/Sequential[head]/Linear[1]"} <= scopes

    def shape(name: str) -> list[int]:
        return [d.size for d in nodes[name].attr["_output_shapes"].list.shape[0].dim]

    assert shape("input/input.1") == [2, 3, 8, 8]
    assert shape("output/output.1") == [2, 5]
    assert shape("Net/Block[block]/Conv2d[conv]/weight") == [4, 3, 3, 3]
    (conv,) = [n for n in names if n.startswith("Net/Block[block]/Conv2d[conv]/")
               and nodes[n].op not in ("Parameter",)]
    assert shape(conv) == [2, 4, 6, 6]
    assert "input/input.1" in nodes[conv].input
    assert "Net/Block[block]/Conv2d[conv]/weight" in nodes[conv].input
    (last,) = nodes["output/output.1"].input
    assert last.startswith("Net/") and shape(last) == [2, 5]  # the `* 2` in Net.forward
    # every edge points at a node of the graph
    assert all(i.split(":")[0] in names for node in graph.node for i in node.input)


def test_close_flush_and_exit(tmp_path: Path) -> None:
    writer = SummaryWriter(tmp_path, flush_secs=1000)
    writer.add_scalar("a", 1.0, 0)
    writer.flush()
    assert [e.value for e in read(tmp_path).Scalars("a")] == [1.0]
    writer.close()
    writer.close()  # closing twice is fine

    # events still waiting in memory are written when the program exits
    script = textwrap.dedent(f"""
        from minitorch.utils.tensorboard import SummaryWriter
        writer = SummaryWriter({str(tmp_path / "exit")!r}, flush_secs=1000)
        for step in range(3):
            writer.add_scalar("b", step * 2.0, step)
        import sys; print("torch" in sys.modules)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, cwd=Path(__file__).resolve().parents[2], check=True)
    assert result.stdout.strip() == "False"  # PyTorch is not loaded behind minitorch's back
    assert [e.value for e in read(tmp_path / "exit").Scalars("b")] == [0.0, 2.0, 4.0]


def test_default_log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    writer = SummaryWriter(comment="_lr0.1")
    writer.close()
    (run,) = (tmp_path / "runs").iterdir()
    assert run.name.endswith("_lr0.1") and writer.get_logdir() == str(Path("runs") / run.name)
