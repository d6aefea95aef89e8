"""The autograd graph as a picture with shapes, values and gradients — drawn with Graphviz
when present, else in pure Python; a missing ``dot`` binary is never an error."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import minitorch
from minitorch import viz

torch = pytest.importorskip("torch")


def small_graph() -> tuple:
    nn = minitorch.nn
    minitorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 1))
    x = minitorch.tensor([[1.0, -2.0, 0.5]], requires_grad=True)
    h = model[0](x)
    h.retain_grad()
    loss = model[2](model[1](h)).sum()
    loss.backward()
    ref = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1))
    ref.load_state_dict({k: torch.from_numpy(np.array(v.numpy())) for k, v in
                         model.state_dict().items()})
    tx = torch.tensor([[1.0, -2.0, 0.5]], requires_grad=True)
    th = ref[0](tx)
    th.retain_grad()
    tloss = ref[2](ref[1](th)).sum()
    tloss.backward()
    return model, x, h, loss, ref, tx, th, tloss


def numbers(line: str) -> list:
    return [float(v) for v in re.findall(r"-?\d+\.?\d*(?:e-?\d+)?", line.split("[", 1)[1])]


def test_labels_hold_torchs_values_and_gradients() -> None:
    model, x, h, loss, ref, tx, th, tloss = small_graph()
    params = {"x": x, **dict(model.named_parameters())}
    nodes, labels, edges = viz.graph_labels(loss, params, {"h": h})
    by_name = {lab.split("\n")[0]: lab for lab in labels.values()}
    for name, p in ref.named_parameters():
        lines = by_name[name].split("\n")
        assert lines[1] == f"shape ({', '.join(map(str, p.shape))})"
        data = numbers(next(s for s in lines if s.startswith("data")))
        grad = numbers(next(s for s in lines if s.startswith("grad")))
        np.testing.assert_allclose(data[:4], p.detach().reshape(-1)[:4].numpy(), rtol=1e-3)
        np.testing.assert_allclose(grad[:4], p.grad.reshape(-1)[:4].numpy(), rtol=1e-3,
                                   atol=1e-4)
    xgrad = numbers(next(s for s in by_name["x"].split("\n") if s.startswith("grad")))
    np.testing.assert_allclose(xgrad, tx.grad.reshape(-1).numpy(), rtol=1e-3, atol=1e-4)
    hlabel = next(lab for lab in labels.values() if "→ h" in lab)
    assert hlabel.startswith(h.grad_fn.name())
    hgrad = numbers(next(s for s in hlabel.split("\n") if s.startswith("grad")))
    np.testing.assert_allclose(hgrad, th.grad.reshape(-1).numpy(), rtol=1e-3, atol=1e-4)
    out = next(lab for lab in labels.values() if "→ output" in lab)
    assert numbers(next(s for s in out.split("\n") if s.startswith("data")))[0] == \
        pytest.approx(tloss.item(), rel=1e-3)
    assert len(edges) == sum(len([n for n, _ in fn.next_functions if n is not None])
                             for fn in nodes)


@pytest.mark.parametrize("ext", ["png", "svg"])
def test_draws_without_graphviz(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                ext: str) -> None:
    model, x, h, loss, *_ = small_graph()
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name == "dot"
                        else real_which(name, *a, **k))
    path = viz.draw_graph(loss, str(tmp_path / f"g.{ext}"), dict(model.named_parameters()),
                          {"h": h})
    data = Path(path).read_bytes()
    if ext == "png":
        with Image.open(path) as im:
            assert im.width > 200 and im.height > 200
    else:
        assert b"<svg" in data and b"AddmmBackward0" in data  # torch's name for F.linear


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
def test_draws_with_graphviz(tmp_path: Path) -> None:
    model, x, h, loss, *_ = small_graph()
    path = viz.draw_graph(loss, str(tmp_path / "g.svg"), dict(model.named_parameters()),
                          engine="dot")
    assert b"<svg" in Path(path).read_bytes()


def test_dot_text_can_carry_values_and_gradients() -> None:
    model, x, h, loss, ref, *_ = small_graph()
    plain = viz.to_dot(loss, params=dict(model.named_parameters()))
    assert "grad [" not in plain  # unchanged by default
    dot = viz.to_dot(loss, params=dict(model.named_parameters()), show_values=True)
    for name, p in ref.named_parameters():
        first = f"{p.grad.reshape(-1)[0].item():.4g}"
        assert re.search(rf'label="{re.escape(name)}\\n\(.*?\)\\n.*grad \[{re.escape(first)}',
                         dot), (name, first, dot)
