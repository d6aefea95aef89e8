"""Draw the autograd graph of a tensor: Graphviz DOT text, no Graphviz needed to make it.

    >>> from minitorch.viz import to_dot
    >>> loss = model(images).sum()
    >>> dot = to_dot(loss, params=dict(model.named_parameters()))
    >>> open("graph.dot", "w").write(dot)
    $ dot -Tpng graph.dot -o graph.png        # with Graphviz, or paste into any DOT viewer

What you see is what ``loss.backward()`` will walk, drawn in the direction the data flowed:

* one grey box per operation, i.e. per ``grad_fn`` node, labelled ``grad_fn.name()``
  (``ConvolutionBackward0``, ``MaxPool2DWithIndicesBackward0``, ``AddmmBackward0``, ...);
* one blue box per leaf tensor that needs a gradient (an ``AccumulateGrad`` node): its name
  from ``params`` (``model.0.weight``) or ``"input"``/``"leaf"`` and its shape;
* one green box for each tensor the graph was drawn from, with its shape;
* an edge ``a -> b`` for every entry ``a`` of ``b.next_functions`` (the gradient flows the
  other way). An op's input that needs no gradient has no edge.

This is what the ``torchviz`` package does for PyTorch (``make_dot``).

:func:`draw_graph` draws the same graph as a picture (PNG or SVG) with what micrograd's
drawing shows for each value — its shape, its numbers and, after ``backward()``, its gradient:

    >>> loss.backward()
    >>> draw_graph(loss, "graph.png", params=dict(model.named_parameters()),
    ...            named={"conv": h1, "logits": logits})   # intermediates to label

It uses Graphviz's ``dot`` program when it is installed and otherwise lays the graph out in
pure Python (layers by distance from the output, drawn with matplotlib): a missing binary is
never an error.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from typing import Any, Dict, List, Tuple, Union

import numpy as np

from minitorch.tensor import Tensor

__all__ = ["to_dot", "graph_nodes", "draw_graph", "graph_labels"]

Tensors = Union[Tensor, Sequence[Tensor]]

_OP_STYLE = 'shape=box, style=filled, fillcolor="lightgrey"'
_LEAF_STYLE = 'shape=box, style=filled, fillcolor="lightblue"'
_OUT_STYLE = 'shape=box, style=filled, fillcolor="darkolivegreen1"'


def _shape(t: Tensor) -> str:
    return "(" + ", ".join(str(int(d)) for d in t.shape) + ")"


def _quote(text: str) -> str:
    """A DOT string literal; a newline becomes a line break in the label."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def graph_nodes(roots: Sequence[Any]) -> list[Any]:
    """Every autograd node reachable from ``roots`` through ``next_functions``, each once,
    in depth-first order (a root first, then its inputs, first input first)."""
    order: list[Any] = []
    seen: set[int] = set()
    stack = list(reversed(roots))
    while stack:  # iterative: graphs of long loops are deeper than Python's recursion limit
        fn = stack.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        order.append(fn)
        nexts = [n for n, _ in getattr(fn, "next_functions", ()) if n is not None]
        stack.extend(n for n in reversed(nexts) if id(n) not in seen)
    return order


def to_dot(tensors: Tensors, params: Mapping[str, Tensor] | None = None,
           name: str = "autograd", show_shapes: bool = True,
           show_values: bool = False) -> str:
    """The autograd graph that produced ``tensors`` (one tensor or several) as DOT text.

    Args:
        tensors: the output(s) to start from, e.g. a loss.
        params: names for leaf tensors: ``dict(model.named_parameters())``; add your own
            (``{"images": x, **dict(model.named_parameters())}``) to name inputs too.
            Leaves not named here are called ``input`` when they are the graph's only
            unnamed leaf, else ``leaf``.
        name: the graph's name in the DOT text.
        show_shapes: put each leaf's and output's shape in its label.
        show_values: also each leaf's numbers and gradient, and the graph output's numbers
            (the labels of :func:`draw_graph`).
    """
    outputs = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    names = {id(t): key for key, t in (params or {}).items()}
    roots = []
    for t in outputs:
        fn = t.grad_fn
        if fn is None and t.requires_grad:  # a leaf: draw its AccumulateGrad node
            fn = t._grad_accumulator()
        if fn is not None:
            roots.append(fn)
    nodes = graph_nodes(roots)
    values = graph_labels(outputs, params)[1] if show_values else {}
    ids = {id(fn): f"n{i}" for i, fn in enumerate(nodes)}
    unnamed = [fn for fn in nodes if hasattr(fn, "variable") and id(fn.variable) not in names]

    lines = [f"digraph {_quote(name)} {{",
             '    graph [rankdir=TB, fontname="Helvetica"];',
             '    node [fontname="Helvetica", fontsize=11];']
    for fn in nodes:
        if hasattr(fn, "variable"):
            variable = fn.variable
            label = names.get(id(variable)) or ("input" if len(unnamed) == 1 else "leaf")
            if show_shapes:
                label += "\n" + _shape(variable)
            if show_values:
                label += "\n" + "\n".join(values[id(fn)].split("\n")[2:])
            lines.append(f"    {ids[id(fn)]} [label={_quote(label)}, {_LEAF_STYLE}];")
        else:
            label = values[id(fn)] if show_values else fn.name()
            lines.append(f"    {ids[id(fn)]} [label={_quote(label)}, {_OP_STYLE}];")
    for fn in nodes:
        for next_fn, _ in getattr(fn, "next_functions", ()):
            if next_fn is not None:
                lines.append(f"    {ids[id(next_fn)]} -> {ids[id(fn)]};")
    for i, t in enumerate(outputs):
        fn = t.grad_fn
        if fn is None:
            continue
        label = "output" if len(outputs) == 1 else f"output {i}"
        if show_shapes:
            label += "\n" + _shape(t)
        lines.append(f"    out{i} [label={_quote(label)}, {_OUT_STYLE}];")
        lines.append(f"    {ids[id(fn)]} -> out{i};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _values(t: Any, limit: int = 4) -> str:
    """A tensor's numbers in a line: all of them when few, else the first few and a range."""
    a = np.asarray(t.detach().numpy() if hasattr(t, "detach") else t, dtype=np.float64)
    flat = a.reshape(-1)
    shown = ", ".join(f"{v:.4g}" for v in flat[:limit])
    if flat.size <= limit:
        return f"[{shown}]"
    return f"[{shown}, …] range {flat.min():.4g}..{flat.max():.4g}"


def graph_labels(tensors: Tensors, params: Mapping[str, Tensor] | None = None,
                 named: Mapping[str, Tensor] | None = None) -> Tuple[List[Any], Dict[int, str],
                                                                     List[Tuple[int, int]]]:
    """(nodes, label per node id, edges input→consumer) of the graph behind ``tensors``.

    A leaf's label: its name, shape, ``data`` and ``grad``; an op's label: its grad_fn name
    and — when the op's output is one of ``named`` (or the graph's output) — that tensor's
    name, shape, data and grad (a non-leaf keeps ``.grad`` only after ``retain_grad()``)."""
    outputs = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    names = {id(t): key for key, t in (params or {}).items()}
    made_by: Dict[int, Tuple[str, Tensor]] = {}
    for i, t in enumerate(outputs):
        if t.grad_fn is not None:
            made_by[id(t.grad_fn)] = ("output" if len(outputs) == 1 else f"output {i}", t)
    for key, t in (named or {}).items():
        if isinstance(t, Tensor) and t.grad_fn is not None:
            made_by.setdefault(id(t.grad_fn), (key, t))
    roots = [t.grad_fn if t.grad_fn is not None else t._grad_accumulator() for t in outputs
             if t.grad_fn is not None or t.requires_grad]
    nodes = graph_nodes(roots)
    labels: Dict[int, str] = {}
    for fn in nodes:
        if hasattr(fn, "variable"):
            v = fn.variable
            lines = [names.get(id(v), "leaf"), f"shape {_shape(v)}", f"data {_values(v)}"]
            if v.grad is not None:
                lines.append(f"grad {_values(v.grad)}")
        else:
            lines = [fn.name()]
            if id(fn) in made_by:
                key, t = made_by[id(fn)]
                lines += [f"→ {key} {_shape(t)}", f"data {_values(t)}"]
                if t.grad is not None:
                    lines.append(f"grad {_values(t.grad)}")
        labels[id(fn)] = "\n".join(lines)
    edges = [(id(n), id(fn)) for fn in nodes for n, _ in getattr(fn, "next_functions", ())
             if n is not None]
    return nodes, labels, edges


def _layers(nodes: List[Any], edges: List[Tuple[int, int]]) -> Dict[int, int]:
    """Each node's layer: its longest distance from an output (outputs at 0)."""
    consumers: Dict[int, List[int]] = {}
    for src, dst in edges:
        consumers.setdefault(src, []).append(dst)
    depth: Dict[int, int] = {}
    for fn in nodes:  # graph_nodes lists every consumer before what it consumes... mostly
        depth[id(fn)] = 0
    changed = True
    while changed:  # relax until stable (a DAG: at most len(nodes) rounds)
        changed = False
        for src, dst in edges:
            if depth[src] < depth[dst] + 1:
                depth[src] = depth[dst] + 1
                changed = True
    return depth


def _draw_python(nodes: List[Any], labels: Dict[int, str], edges: List[Tuple[int, int]],
                 path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    depth = _layers(nodes, edges)
    rows: Dict[int, List[int]] = {}
    for fn in nodes:
        rows.setdefault(depth[id(fn)], []).append(id(fn))
    width = max(len(r) for r in rows.values())
    pos = {}
    for d, ids in rows.items():
        for k, node in enumerate(ids):
            pos[node] = ((k + 0.5) * width / len(ids), -d)
    fig, ax = plt.subplots(figsize=(max(4.0, 3.6 * width), max(3.0, 1.6 * len(rows))))
    for src, dst in edges:  # data flows upward: input (deeper) → consumer
        ax.annotate("", xy=pos[dst], xytext=pos[src],
                    arrowprops=dict(arrowstyle="->", color="grey", shrinkA=22, shrinkB=22))
    for fn in nodes:
        leaf = hasattr(fn, "variable")
        x, y = pos[id(fn)]
        ax.text(x, y, labels[id(fn)], ha="center", va="center",
                fontsize=7, family="monospace",
                bbox=dict(boxstyle="round", fc="lightblue" if leaf else "lightgrey", ec="grey"))
    ax.set_xlim(0, width)
    ax.set_ylim(-max(rows) - 0.7, 0.7)
    ax.axis("off")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def draw_graph(tensors: Tensors, path: str, params: Mapping[str, Tensor] | None = None,
               named: Mapping[str, Tensor] | None = None, engine: str = "auto") -> str:
    """Draw the autograd graph of ``tensors`` into ``path`` (.png or .svg) with shapes,
    values and gradients in each node (see :func:`graph_labels`).

    ``engine``: ``"dot"`` (Graphviz), ``"python"`` (matplotlib layout) or ``"auto"`` — dot
    when the binary is on PATH, else python. ``named``: intermediate tensors to label."""
    fmt = os.path.splitext(path)[1].lstrip(".").lower() or "png"
    if fmt not in ("png", "svg"):
        raise ValueError(f"draw_graph writes .png or .svg, got {path!r}")
    nodes, labels, edges = graph_labels(tensors, params, named)
    if engine == "auto":
        engine = "dot" if shutil.which("dot") else "python"
    if engine == "dot":
        lines = ["digraph autograd {", '    node [shape=box, fontname="Courier", fontsize=9];']
        for fn in nodes:
            style = _LEAF_STYLE if hasattr(fn, "variable") else _OP_STYLE
            lines.append(f"    n{id(fn)} [label={_quote(labels[id(fn)])}, {style}];")
        lines += [f"    n{src} -> n{dst};" for src, dst in edges] + ["}"]
        subprocess.run(["dot", f"-T{fmt}", "-o", path], input="\n".join(lines), text=True,
                       check=True, capture_output=True)
    elif engine == "python":
        _draw_python(nodes, labels, edges, path)
    else:
        raise ValueError(f"engine must be 'auto', 'dot' or 'python', got {engine!r}")
    return path
