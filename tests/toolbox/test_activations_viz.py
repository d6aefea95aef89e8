"""``capture_activations`` (forward hooks) and ``to_dot`` (the autograd graph as DOT text)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import minitorch
from minitorch import nn
from minitorch.models import TutorialCNN
from minitorch.utils.activations import capture_activations
from minitorch.viz import graph_nodes, to_dot


@pytest.fixture
def cnn() -> TutorialCNN:
    minitorch.manual_seed(0)
    return TutorialCNN().eval()


def hook_count(model: nn.Module) -> int:
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules())


# ---------------------------------------------------------------------------------------------
# capture_activations
# ---------------------------------------------------------------------------------------------

def test_every_layer_in_order_with_shapes(cnn: TutorialCNN) -> None:
    x = minitorch.rand(2, 3, 32, 32)
    acts = capture_activations(cnn, x)
    assert list(acts) == ["model." + str(i) for i in range(9)] + ["model"]
    shapes = {k: tuple(v.shape) for k, v in acts.items()}
    assert shapes["model.0"] == (2, 32, 32, 32) and shapes["model.1"] == (2, 32, 16, 16)
    assert shapes["model.4"] == (2, 64, 8, 8) and shapes["model.6"] == (2, 1024)
    assert shapes["model"] == shapes["model.8"] == (2, 10)
    # each entry is what that layer really produced: replay the layers one by one
    with minitorch.no_grad():
        h = x
        for i, layer in enumerate(cnn.model):
            h = layer(h)
            np.testing.assert_array_equal(acts[f"model.{i}"].numpy(), h.numpy())
        np.testing.assert_array_equal(acts["model"].numpy(), cnn(x).numpy())
    assert not any(v.requires_grad for v in acts.values())
    assert hook_count(cnn) == 0  # the hooks are gone


def test_filters(cnn: TutorialCNN) -> None:
    x = minitorch.rand(1, 3, 32, 32)
    assert list(capture_activations(cnn, x, layers=[nn.Conv2d])) == [
        "model.0", "model.2", "model.4"]
    assert list(capture_activations(cnn, x, layers=["model.7", "model.1"])) == [
        "model.1", "model.7"]  # in the order they ran
    assert list(capture_activations(cnn, x, layers=lambda n, m: isinstance(m, nn.Linear))) \
        == ["model.7", "model.8"]
    leaves = capture_activations(cnn, x, leaves_only=True, include_model=True)
    assert "model" not in leaves and list(leaves)[-1] == "" and len(leaves) == 10


def test_grad_and_repeated_module() -> None:
    class Twice(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(3, 3)

        def forward(self, x):
            return self.fc(self.fc(x).relu())

    minitorch.manual_seed(0)
    model = Twice()
    acts = capture_activations(model, minitorch.rand(2, 3), grad=True)
    assert list(acts) == ["fc", "fc:1"]
    assert acts["fc"].grad_fn is not None and acts["fc:1"].requires_grad
    acts["fc:1"].sum().backward()
    assert model.fc.weight.grad is not None


def test_hooks_removed_when_forward_fails(cnn: TutorialCNN) -> None:
    with pytest.raises(Exception):  # noqa: B017 - any error of the wrong-shape input
        capture_activations(cnn, minitorch.rand(1, 5, 32, 32))
    assert hook_count(cnn) == 0


# ---------------------------------------------------------------------------------------------
# to_dot
# ---------------------------------------------------------------------------------------------

NODE = re.compile(r'^\s+(\w+) \[label="((?:[^"\\]|\\.)*)"', re.M)
EDGE = re.compile(r"^\s+(\w+) -> (\w+);", re.M)


def parse(dot: str) -> tuple[dict[str, str], set[tuple[str, str]]]:
    """DOT text -> ({node id: label}, {(label from, label to)})."""
    labels = dict(NODE.findall(dot))
    edges = {(labels[a], labels[b]) for a, b in EDGE.findall(dot)}
    return labels, edges


def test_dot_of_the_tutorial_cnn(cnn: TutorialCNN) -> None:
    x = minitorch.rand(2, 3, 32, 32)
    loss = cnn(x).sum()
    dot = to_dot(loss, params=dict(cnn.named_parameters()))
    assert dot.startswith('digraph "autograd" {') and dot.rstrip().endswith("}")
    assert dot.count("{") == dot.count("}")
    labels, edges = parse(dot)
    ops = sorted(v for v in labels.values() if v.endswith("Backward0"))
    assert ops == sorted(["SumBackward0", "AddmmBackward0", "AddmmBackward0",
                          "TBackward0", "TBackward0", "ViewBackward0",
                          *["ConvolutionBackward0"] * 3, *["MaxPool2DWithIndicesBackward0"] * 3])
    leaves = {v for v in labels.values() if "\\n(" in v and not v.startswith("output")}
    assert leaves == {"model.0.weight\\n(32, 3, 5, 5)", "model.0.bias\\n(32)",
                      "model.2.weight\\n(32, 32, 5, 5)", "model.2.bias\\n(32)",
                      "model.4.weight\\n(64, 32, 5, 5)", "model.4.bias\\n(64)",
                      "model.7.weight\\n(64, 1024)", "model.7.bias\\n(64)",
                      "model.8.weight\\n(10, 64)", "model.8.bias\\n(10)"}
    assert ("model.0.weight\\n(32, 3, 5, 5)", "ConvolutionBackward0") in edges
    assert ("model.8.bias\\n(10)", "AddmmBackward0") in edges
    assert ("model.8.weight\\n(10, 64)", "TBackward0") in edges  # torch's F.linear graph
    assert ("TBackward0", "AddmmBackward0") in edges
    assert ("ConvolutionBackward0", "MaxPool2DWithIndicesBackward0") in edges
    assert ("MaxPool2DWithIndicesBackward0", "ViewBackward0") in edges  # Flatten
    assert ("ViewBackward0", "AddmmBackward0") in edges
    assert ("AddmmBackward0", "SumBackward0") in edges
    assert ("SumBackward0", "output\\n()") in edges
    # one edge per non-None entry of next_functions over the graph (x needs no grad)
    fns = graph_nodes([loss.grad_fn])
    n_edges = sum(n is not None for fn in fns for n, _ in fn.next_functions)
    assert len(EDGE.findall(dot)) == n_edges + 1  # + the edge to the output box
    assert to_dot(cnn(x).sum(), params=dict(cnn.named_parameters())) == dot  # deterministic


def test_dot_inputs_shared_leaves_and_several_outputs() -> None:
    a = minitorch.rand(2, 3, requires_grad=True)
    w = nn.Parameter(minitorch.rand(3, 4))
    h = a @ w
    y1, y2 = (h * h).sum(), (h + a.sum()).mean()
    dot = to_dot([y1, y2], params={"w": w})
    labels, edges = parse(dot)
    assert list(labels.values()).count("input\\n(2, 3)") == 1  # one node for a, used twice
    assert {("input\\n(2, 3)", "MmBackward0"), ("w\\n(3, 4)", "MmBackward0"),
            ("input\\n(2, 3)", "SumBackward0"), ("MmBackward0", "MulBackward0"),
            ("MmBackward0", "AddBackward0"), ("AddBackward0", "MeanBackward0")} <= edges
    assert dot.count("n2 -> n1;") == 2  # h * h: both inputs of Mul come from the matmul
    assert "w\\n(3, 4)" in labels.values()
    assert {"output 0\\n()", "output 1\\n()"} <= set(labels.values())
    # a leaf drawn on its own, and quoting
    leaf = to_dot(a, params={'the "a"': a})
    assert 'label="the \\"a\\"\\n(2, 3)"' in leaf and "->" not in leaf
    assert "->" not in to_dot(minitorch.rand(2))  # nothing to draw: an empty graph
