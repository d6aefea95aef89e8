"""Draw the autograd graph of a tensor: Graphviz DOT text, no Graphviz needed to make it.

    >>> from minitorch.viz import to_dot
    >>> loss = model(images).sum()
    >>> dot = to_dot(loss, params=dict(model.named_parameters()))
    >>> open("graph.dot", "w").write(dot)
    $ dot -Tpng graph.dot -o graph.png        # with Graphviz, or paste into any DOT viewer

What you see is what ``loss.backward()`` will walk, drawn in the direction the data flowed:

* one grey box per operation, i.e. per ``grad_fn`` node, labelled ``grad_fn.name()``
  (``Conv2dBackward0``, ``MaxPool2dBackward0``, ``AddmmBackward0``, ...);
* one blue box per leaf tensor that needs a gradient (an ``AccumulateGrad`` node): its name
  from ``params`` (``model.0.weight``) or ``"input"``/``"leaf"`` and its shape;
* one green box for each tensor the graph was drawn from, with its shape;
* an edge ``a -> b`` for every entry ``a`` of ``b.next_functions`` (the gradient flows the
  other way). An op's input that needs no gradient has no edge.

This is what the ``torchviz`` package does for PyTorch (``make_dot``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Union

from minitorch.tensor import Tensor

__all__ = ["to_dot", "graph_nodes"]

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
           name: str = "autograd", show_shapes: bool = True) -> str:
    """The autograd graph that produced ``tensors`` (one tensor or several) as DOT text.

    Args:
        tensors: the output(s) to start from, e.g. a loss.
        params: names for leaf tensors: ``dict(model.named_parameters())``; add your own
            (``{"images": x, **dict(model.named_parameters())}``) to name inputs too.
            Leaves not named here are called ``input`` when they are the graph's only
            unnamed leaf, else ``leaf``.
        name: the graph's name in the DOT text.
        show_shapes: put each leaf's and output's shape in its label.
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
            lines.append(f"    {ids[id(fn)]} [label={_quote(label)}, {_LEAF_STYLE}];")
        else:
            lines.append(f"    {ids[id(fn)]} [label={_quote(fn.name())}, {_OP_STYLE}];")
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
