"""``minitorch.summary(model, input_size)`` for any model: every row's shapes against torch's
forward hooks on the same model built in torch, parameter counts, mult-adds and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import minitorch
from minitorch import nn

torch = pytest.importorskip("torch")
ROOT = Path(__file__).resolve().parents[2]


def build(lib):  # noqa: ANN001, ANN201 - the same architecture in minitorch or torch
    m = lib.nn
    block = m.Sequential(m.Conv2d(8, 16, 3, stride=2, padding=1, groups=2), m.ReLU(),
                         m.AvgPool2d(3, stride=2, padding=1, ceil_mode=True))
    return m.Sequential(m.Conv2d(3, 8, 5, padding="same", dilation=1), m.Tanh(),
                        m.MaxPool2d(3, stride=2, padding=1, dilation=2, ceil_mode=True),
                        block, m.Flatten(), m.Linear(16 * 3 * 3, 10), m.Sigmoid())


def torch_rows(model, size):  # noqa: ANN001, ANN201
    rows, names = [], {id(m): n for n, m in model.named_modules()}

    def pre(mod, inp):  # noqa: ANN001, ANN202
        rows.append({"name": names[id(mod)], "input_shape": list(inp[0].shape), "mod": mod})

    def post(mod, inp, out):  # noqa: ANN001, ANN202
        next(r for r in reversed(rows) if r["mod"] is mod and "output_shape" not in r)[
            "output_shape"] = list(out.shape)

    hs = [m.register_forward_pre_hook(pre) for m in model.modules() if m is not model]
    hs += [m.register_forward_hook(post) for m in model.modules() if m is not model]
    model(torch.zeros(size))
    for h in hs:
        h.remove()
    return rows


@pytest.mark.parametrize("size", [(1, 3, 20, 20), (2, 3, 19, 21)])
def test_rows_match_torch_hooks(size: tuple) -> None:
    ours = minitorch.summary(build(minitorch), size)
    ref = build(torch)
    theirs = torch_rows(ref, size)
    assert [r["name"] for r in ours.rows] == [r["name"] for r in theirs]
    for a, b in zip(ours.rows, theirs):
        assert a["input_shape"] == b["input_shape"], a["name"]
        assert a["output_shape"] == b["output_shape"], a["name"]
        leaf = not list(b["mod"].children())
        assert a["params"] == sum(p.numel() for p in b["mod"].parameters(recurse=not leaf))
        if isinstance(b["mod"], torch.nn.Conv2d):
            w = b["mod"].weight
            assert a["kernel_shape"] == list(w.shape)
            assert a["mult_adds"] == torch.Size(b["output_shape"]).numel() * w[0].numel()
            assert a["formula"].endswith(f"= {b['output_shape'][2]}")
        if isinstance(b["mod"], torch.nn.Linear):
            assert a["mult_adds"] == b["mod"].weight.numel() * size[0]
        if isinstance(b["mod"], (torch.nn.MaxPool2d, torch.nn.AvgPool2d)):
            assert a["formula"].endswith(f"= {b['output_shape'][2]}"), a["formula"]
    assert ours.total_params == sum(p.numel() for p in ref.parameters())
    assert ours.params_bytes == 4 * ours.total_params
    leaves = [r for r in theirs if not list(r["mod"].children())]
    assert ours.forward_backward_bytes == 2 * 4 * sum(torch.Size(r["output_shape"]).numel()
                                                      for r in leaves)
    text = str(ours)
    assert "Total params: " + f"{ours.total_params:,}" in text
    assert "  3.0 (Conv2d)" in text  # the tree: block's children indented under it


def test_frozen_parameters_and_a_plain_module() -> None:
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(4, 3)
            self.out = nn.Linear(3, 2)

        def forward(self, x):  # noqa: ANN001, ANN201
            return self.out(nn.functional.relu(self.fc(x)))

    net = Net()
    net.fc.weight.requires_grad_(False)
    s = minitorch.summary(net, (5, 4))
    assert [r["name"] for r in s.rows] == ["fc", "out"]
    assert [r["output_shape"] for r in s.rows] == [[5, 3], [5, 2]]
    assert s.total_params == 23 and s.trainable_params == 11


def test_cli_summary_of_a_learner_model(tmp_path: Path) -> None:
    (tmp_path / "mynets.py").write_text(
        "import minitorch.nn as nn\n"
        "model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2),\n"
        "                      nn.Flatten(), nn.Linear(4 * 13 * 13, 10))\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "minitorch", "summary", "--model",
                           "mynets:model", "--input-size", "2,1,28,28"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "⌊(28 − 3 + 2·0)/1⌋ + 1 = 26" in proc.stdout
    assert "⌊(26 − 2 + 2·0)/2⌋ + 1 = 13" in proc.stdout
    assert f"Total params: {4 * 9 + 4 + 676 * 10 + 10:,}" in proc.stdout
    bad = subprocess.run([sys.executable, "-m", "minitorch", "summary", "--model",
                          "mynets:model", "--input-size", "1,3,28,28"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "does not run on input of size [1, 3, 28, 28]" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_one_d_and_transposed_convolutions_count_their_work() -> None:
    """A Conv1d does (output elements)·(C/groups)·k multiply-adds; a transposed convolution
    scatters every input element over (C_out/groups)·kH·kW outputs; pools show their window."""
    model = nn.Sequential(nn.Conv1d(2, 8, 9, stride=2, padding=4, groups=2), nn.MaxPool1d(2),
                          nn.AvgPool1d(3))
    rows = minitorch.summary(model, (3, 2, 64)).rows  # the top container has no row
    assert rows[0]["output_shape"] == [3, 8, 32]
    assert rows[0]["kernel_shape"] == [8, 1, 9]
    assert rows[0]["mult_adds"] == (3 * 8 * 32) * (1 * 9)
    assert rows[1]["kernel_shape"] == [2] and rows[2]["kernel_shape"] == [3]
    up = nn.Sequential(nn.ConvTranspose2d(16, 6, 4, stride=2, padding=1, groups=2))
    row = minitorch.summary(up, (2, 16, 5, 5)).rows[0]
    assert row["output_shape"] == [2, 6, 10, 10]
    assert row["mult_adds"] == (2 * 16 * 5 * 5) * (3 * 4 * 4)
