"""Reverse-mode automatic differentiation: walk the graph from the output back to the leaves.

1. Collect every node reachable from the roots and count, for each, how many of those
   nodes feed gradient into it (its consumers). This is an iterative DFS — no recursion,
   so a 10,000-op chain is fine.
2. Process nodes in topological order (Kahn's algorithm): a node runs its ``backward`` only
   once all its consumers have added their contribution to its output gradients.
3. Leaves (``AccumulateGrad``) add the gradient into ``tensor.grad``.
4. Unless ``retain_graph``, each node frees what it saved once it has run.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence

from minitorch.autograd.function import FREED_MESSAGE, AccumulateGrad, Function, Node
from minitorch.autograd.grad_mode import no_grad

if TYPE_CHECKING:
    from minitorch.tensor import Tensor


def backward(tensors: Sequence[Tensor], grad_tensors: Sequence[Any],
             retain_graph: bool = False) -> None:
    """Accumulate d(Σ tensors·grad_tensors)/d(leaf) into every leaf's ``.grad``."""
    from minitorch.tensor import Tensor

    roots: List[tuple] = []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        if not t.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not "
                               "have a grad_fn")
        node = t.grad_fn if t.grad_fn is not None else t._grad_accumulator()
        roots.append((node, t._output_nr, g._data if isinstance(g, Tensor) else g))

    consumers = _count_consumers([r[0] for r in roots])
    buffers: Dict[Node, List[Optional[Any]]] = defaultdict(lambda: [None])
    for node, nr, g in roots:
        _accumulate(buffers[node], nr, g)

    ready = [r[0] for r in roots if consumers[r[0]] == 0]
    ready = list(dict.fromkeys(ready))
    with no_grad():
        while ready:
            node = ready.pop()
            grads = buffers.pop(node)
            if isinstance(node, AccumulateGrad):
                _accumulate_leaf(node.variable, grads[0])
                continue
            for nr, hooks in node.tensor_hooks.items():
                if nr < len(grads) and grads[nr] is not None:
                    grads[nr] = _run_hooks(hooks, grads[nr])
            input_grads = _call_backward(node, grads)
            if not retain_graph:
                node.release()
            for (next_node, nr), g in zip(node.next_functions, input_grads):
                if next_node is None:
                    continue
                if g is not None:
                    _accumulate(buffers[next_node], nr, g)
                consumers[next_node] -= 1
                if consumers[next_node] == 0:
                    ready.append(next_node)


def _count_consumers(roots: Sequence[Node]) -> Dict[Node, int]:
    """Number of edges into each reachable node (iterative DFS)."""
    consumers: Dict[Node, int] = defaultdict(int)
    seen = set()
    stack = list(dict.fromkeys(roots))
    seen.update(stack)
    while stack:
        node = stack.pop()
        for next_node, _ in node.next_functions:
            if next_node is None:
                continue
            consumers[next_node] += 1
            if next_node not in seen:
                seen.add(next_node)
                stack.append(next_node)
    return consumers


def _call_backward(node: Node, grads: List[Optional[Any]]) -> Sequence[Optional[Any]]:
    if not isinstance(node, Function):
        raise RuntimeError(f"cannot backward through {node!r}")
    if node.saved is None:
        raise RuntimeError(FREED_MESSAGE)
    if any(g is None for g in grads):
        grads = [g if g is not None else 0 for g in grads]
    result = node.backward(*grads)
    if not isinstance(result, tuple):
        result = (result,)
    if len(result) != len(node.next_functions):
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                           f"(expected {len(node.next_functions)}, got {len(result)})")
    return result


def _accumulate(buffer: List[Optional[Any]], nr: int, g: Any) -> None:
    while len(buffer) <= nr:
        buffer.append(None)
    buffer[nr] = g if buffer[nr] is None else buffer[nr] + g


def _run_hooks(hooks: List[Any], g: Any) -> Any:
    from minitorch.tensor import Tensor

    for hook in hooks:
        out = hook(Tensor._wrap(g))
        if out is not None:
            _check_hook_result(hook, g, out)
            g = out._data
    return g


def _check_hook_result(hook: Any, g: Any, out: Any) -> None:
    """A hook may replace a gradient only by a tensor of the same shape, dtype and device
    (torch's messages); anything else would be broadcast or cast silently later."""
    from minitorch.tensor import Tensor

    name = getattr(hook, "__name__", type(hook).__name__)
    if not isinstance(out, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(out).__name__}'")
    if tuple(out.shape) != tuple(g.shape):
        raise RuntimeError(f"hook '{name}' has changed the size of value")
    if out._data.dtype != g.dtype or type(out._data) is not type(g):
        was, got = Tensor._wrap(g).type_description(), out.type_description()
        raise RuntimeError(f"hook '{name}' has changed the type of value (was {was} got {got})")


# One lock for every leaf's ``.grad``: backward passes running in several threads may reach
# the same leaf, and ``grad = grad + g`` is a read-modify-write that would lose updates.
_LEAF_LOCK = threading.Lock()


def _accumulate_leaf(leaf: Tensor, g: Any) -> None:
    from minitorch.tensor import Tensor

    if leaf._hooks:
        g = _run_hooks(leaf._hooks, g)
    if g.shape != leaf.shape:
        raise RuntimeError(f"gradient of shape {tuple(g.shape)} does not match the leaf's shape "
                           f"{tuple(leaf.shape)}")
    with _LEAF_LOCK:
        if leaf.grad is None:
            # a copy: the same gradient array may flow to several leaves (e.g. through a + b)
            leaf.grad = Tensor._wrap(g.astype(leaf._data.dtype, copy=True))
        else:
            leaf.grad = Tensor._wrap((leaf.grad._data + g).astype(leaf._data.dtype,
                                                                  copy=False))
