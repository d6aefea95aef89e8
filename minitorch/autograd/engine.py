"""Reverse-mode automatic differentiation: walk the graph from the output back to the leaves.

1. Collect every node reachable from the roots and count, for each, how many of those
   nodes feed gradient into it (its consumers). This is an iterative DFS — no recursion,
   so a 10,000-op chain is fine.
2. Process nodes in topological order (Kahn's algorithm): a node runs its backward only
   once all its consumers have added their contribution to its output gradients.
3. Leaves (``AccumulateGrad``) add the gradient into ``tensor.grad``.
4. Unless ``retain_graph``, each node frees what it saved once it has run.

Two modes. Normally gradients are raw arrays and each node runs its fast array ``backward``
with recording off. With ``create_graph=True`` gradients are Tensors, recording stays on,
and each node runs ``backward_graph`` (the same derivative written with differentiable ops),
so the gradients are themselves on a graph and can be differentiated again.

``grad(outputs, inputs)`` (``autograd.grad``) runs the same walk restricted to the nodes that
lead to ``inputs`` and returns the gradients that reach them instead of accumulating.
"""

from __future__ import annotations

import sys
import threading
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

import numpy as np

from minitorch.autograd import function as _function
from minitorch.autograd.function import AccumulateGrad, Node
from minitorch.autograd.grad_mode import is_grad_enabled, set_grad_enabled
from minitorch.fperrors import as_caller, restore_after_pass, silence_for_pass

if TYPE_CHECKING:
    from minitorch.tensor import Tensor

Edge = Tuple[Node, int]


def backward(tensors: Sequence[Tensor], grad_tensors: Sequence[Any],
             retain_graph: bool = False, create_graph: bool = False) -> None:
    """Accumulate d(Σ tensors·grad_tensors)/d(leaf) into every leaf's ``.grad``."""
    roots = _roots(tensors, grad_tensors, create_graph)
    _execute(roots, retain_graph, create_graph)


def grad(outputs: Sequence[Tensor], inputs: Sequence[Tensor], grad_outputs: Sequence[Any],
         retain_graph: bool = False, create_graph: bool = False,
         allow_unused: bool = False, materialize_grads: bool = False) -> Tuple[Any, ...]:
    """d(Σ outputs·grad_outputs)/d(inputs), returned (nothing is accumulated in ``.grad``)."""
    from minitorch.autograd.function import _edge
    Tensor = _function.Tensor  # the class, set once minitorch.tensor is loaded

    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    roots = _roots(outputs, grad_outputs, create_graph)
    targets = [_edge(t) for t in inputs]
    captured = _execute(roots, retain_graph, create_graph, targets)
    result = []
    for i, (t, g) in enumerate(zip(inputs, captured)):
        if g is None:
            if materialize_grads:
                g = _zeros(t)
            elif not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not "
                                   "have been used in the graph. Set allow_unused=True if "
                                   "this is the desired behavior.")
        elif not isinstance(g, Tensor):
            g = Tensor._wrap(g)
        result.append(g)
    return tuple(result)


def _zeros(t: Tensor) -> Tensor:
    from minitorch.creation import zeros_like

    return zeros_like(t)


def _roots(tensors: Sequence[Tensor], grad_tensors: Sequence[Any],
           create_graph: bool) -> List[Tuple[Node, int, Any]]:
    Tensor = _function.Tensor  # the class, set once minitorch.tensor is loaded

    roots = []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        if not t.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not "
                               "have a grad_fn")
        node = t.grad_fn if t.grad_fn is not None else t._grad_accumulator()
        if create_graph:
            g = g if isinstance(g, Tensor) else Tensor._wrap(g)
        else:
            g = g._data if isinstance(g, Tensor) else g
        roots.append((node, t._output_nr, g))
    return roots


def _execute(roots: List[Tuple[Node, int, Any]], retain_graph: bool, create_graph: bool,
             targets: Optional[List[Edge]] = None) -> List[Any]:
    """Run every node's backward in topological order, NumPy's floating-point warnings off
    for the whole pass (a gradient of inf or nan is an answer, as in torch). With ``targets``
    (``grad``): run only the nodes that lead to a target, and return the gradient that
    reaches each target."""
    tokens = silence_for_pass()
    try:
        return _walk(roots, retain_graph, create_graph, targets)
    finally:
        restore_after_pass(tokens)


def _walk(roots: List[Tuple[Node, int, Any]], retain_graph: bool, create_graph: bool,
          targets: Optional[List[Edge]]) -> List[Any]:
    """:func:`_execute`'s walk."""
    consumers = _count_consumers([r[0] for r in roots])
    needed = None if targets is None else _leading_to({n for n, _ in targets}, consumers,
                                                     [r[0] for r in roots])
    captured: Dict[Edge, Any] = {}
    buffers: Dict[Node, List[Optional[Any]]] = {}  # node → the gradients of its outputs
    for node, nr, g in roots:
        _accumulate(buffers.setdefault(node, [None]), nr, g)

    ready = list(dict.fromkeys(r[0] for r in roots if consumers[r[0]] == 0))
    previous_mode = is_grad_enabled()
    set_grad_enabled(create_graph)  # graph recording on only for create_graph
    try:
        while ready:
            node = ready.pop()
            grads = buffers.pop(node, None)
            if grads is None:  # every gradient into this node was None: nothing flows on
                if not isinstance(node, AccumulateGrad):
                    ready.extend(_release_edges(node, consumers, retain_graph))
                continue
            if node.tensor_hooks:
                _run_tensor_hooks(node, grads)
            if targets is not None:
                if isinstance(node, AccumulateGrad) and node.variable._hooks and \
                        grads[0] is not None:  # a leaf's hooks still run
                    grads[0] = _run_hooks(node.variable._hooks, grads[0])
                for nr, g in enumerate(grads):
                    if (node, nr) in targets:
                        captured[(node, nr)] = g
            if needed is not None and not any(n in needed for n, _ in node.next_functions):
                input_grads: Sequence[Any] = [None] * len(node.next_functions)
            elif isinstance(node, AccumulateGrad):
                if targets is None:
                    _accumulate_leaf(node.variable, grads[0], create_graph)
                continue
            else:
                input_grads = node.run_backward(grads, create_graph)
                if not retain_graph:
                    node.release()
            for (next_node, nr), g in zip(node.next_functions, input_grads):
                if next_node is None:
                    continue
                if g is not None:
                    _accumulate(buffers.setdefault(next_node, [None]), nr, g)
                consumers[next_node] -= 1
                if consumers[next_node] == 0:
                    ready.append(next_node)
            input_grads = g = None  # the buffers hold them now (see _unshared)
    finally:
        set_grad_enabled(previous_mode)
    return [captured.get(edge) for edge in targets or ()]


def _release_edges(node: Node, consumers: Dict[Node, int], retain_graph: bool) -> List[Node]:
    """Count ``node``'s outgoing edges as done (no gradient on them); the nodes that become
    ready."""
    if not retain_graph and hasattr(node, "release"):
        node.release()
    now_ready = []
    for next_node, _ in node.next_functions:
        if next_node is not None:
            consumers[next_node] -= 1
            if consumers[next_node] == 0:
                now_ready.append(next_node)
    return now_ready


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


def _leading_to(targets: Set[Node], consumers: Dict[Node, int],
                roots: Sequence[Node]) -> Set[Node]:
    """The nodes from which some target can be reached (targets included): a Kahn walk over
    a copy of the consumer counts gives a topological order; reversed, each node is needed
    when one of its next nodes is."""
    remaining = dict(consumers)
    order: List[Node] = []
    ready = list(dict.fromkeys(n for n in roots if remaining.get(n, 0) == 0))
    while ready:
        node = ready.pop()
        order.append(node)
        for next_node, _ in node.next_functions:
            if next_node is None:
                continue
            remaining[next_node] -= 1
            if remaining[next_node] == 0:
                ready.append(next_node)
    needed: Set[Node] = set()
    for node in reversed(order):
        if node in targets or any(n in needed for n, _ in node.next_functions if n is not None):
            needed.add(node)
    return needed


def _accumulate(buffer: List[Optional[Any]], nr: int, g: Any) -> None:
    while len(buffer) <= nr:
        buffer.append(None)
    buffer[nr] = g if buffer[nr] is None else buffer[nr] + g


def _run_tensor_hooks(node: Node, grads: List[Optional[Any]]) -> None:
    for nr, hooks in node.tensor_hooks.items():
        if nr < len(grads) and grads[nr] is not None:
            grads[nr] = _run_hooks(hooks, grads[nr])


def _run_hooks(hooks: List[Any], g: Any) -> Any:
    """Call each hook with the gradient as a Tensor; a returned Tensor replaces it (kept a
    Tensor in ``create_graph`` mode, an array otherwise)."""
    Tensor = _function.Tensor  # the class, set once minitorch.tensor is loaded

    is_tensor = isinstance(g, Tensor)
    # retain_grad's hook runs last: .grad holds the gradient the other hooks made (torch)
    for hook in sorted(hooks, key=lambda h: getattr(h, "retains_grad", False)):
        with as_caller():  # the user's code: its own NumPy warns as the user set it
            out = hook(g if is_tensor else Tensor._wrap(g))
        if out is not None:
            _check_hook_result(hook, g if is_tensor else Tensor._wrap(g), out)
            g = out if is_tensor else out._data
    return g


def _check_hook_result(hook: Any, g: Tensor, out: Any) -> None:
    """A hook may replace a gradient only by a tensor of the same shape, dtype and device
    (torch's messages); anything else would be broadcast or cast silently later."""
    Tensor = _function.Tensor  # the class, set once minitorch.tensor is loaded

    name = getattr(hook, "__name__", type(hook).__name__)
    if not isinstance(out, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(out).__name__}'")
    if tuple(out.shape) != tuple(g.shape):
        raise RuntimeError(f"hook '{name}' has changed the size of value")
    if out.dtype != g.dtype or out.device != g.device:
        raise RuntimeError(f"hook '{name}' has changed the type of value (was "
                           f"{g.type_description()} got {out.type_description()})")


# One lock for every leaf's ``.grad``: backward passes running in several threads may reach
# the same leaf, and ``grad = grad + g`` is a read-modify-write that would lose updates.
_LEAF_LOCK = threading.Lock()


def _accumulate_leaf(leaf: Tensor, g: Any, create_graph: bool = False) -> None:
    Tensor = _function.Tensor  # the class, set once minitorch.tensor is loaded

    if leaf._hooks:
        g = _run_hooks(leaf._hooks, g)
    if g.shape != leaf._data.shape:
        raise RuntimeError(f"gradient of shape {tuple(g.shape)} does not match the leaf's shape "
                           f"{tuple(leaf.shape)}")
    with _LEAF_LOCK:
        if create_graph:  # out of place, on the graph: leaf.grad can be differentiated again
            g = g if g.dtype == leaf.dtype else g._to(leaf.dtype, None)
            leaf.grad = _copy_on_graph(g) if leaf.grad is None else leaf.grad + g
        elif leaf.grad is None:
            # a copy, unless nothing else holds the array (torch's AccumulateGrad steals it
            # then too): the same gradient array may flow to several leaves (a + b)
            leaf.grad = Tensor._wrap(g if _unshared(g, leaf) else
                                     g.astype(leaf._data.dtype, copy=True))
        elif _in_place_target(leaf.grad._data, g):
            # in place, as torch's AccumulateGrad: a reference to .grad sees the new sum
            grad = leaf.grad
            grad._data += g
            grad._vc[0] += 1
        else:  # a read-only .grad (set by the user from a read-only array): a new array
            leaf.grad = Tensor._wrap((leaf.grad._data + g).astype(leaf._data.dtype,
                                                                  copy=False))


def zero_grads(params: Iterable[Tensor], set_to_none: bool) -> None:
    """``zero_grad`` of a module or an optimizer: each ``.grad`` set to None, or (``set_to_none
    =False``) cut from any graph and zeroed in place — the same tensor, as in torch, so a
    reference to it sees zeros and the next backward adds into it."""
    for p in params:
        grad = p.grad
        if grad is None:
            continue
        if set_to_none:
            p.grad = None
            continue
        if grad.grad_fn is not None:
            grad.detach_()
        else:
            grad.requires_grad_(False)
        grad.zero_()


def _in_place_target(grad: Any, g: Any) -> bool:
    """Whether ``grad += g`` may run: arrays of one kind (NumPy or CuPy), ``grad`` writeable.
    A ``.grad`` with two elements at one address (an expanded tensor, stride 0) raises
    torch's error, as torch's in-place sum would."""
    if grad.size and any(s == 0 for s, n in zip(grad.strides, grad.shape) if n > 1):
        raise RuntimeError("unsupported operation: more than one element of the written-to "
                           "tensor refers to a single memory location. Please clone() the "
                           "tensor before performing the operation.")
    if isinstance(grad, np.ndarray) != isinstance(g, np.ndarray):
        return False
    return not isinstance(grad, np.ndarray) or bool(grad.flags.writeable)


# References to a gradient array that nobody else holds, at _unshared's test: the engine's
# gradient list, _accumulate_leaf's argument, _unshared's argument, getrefcount's; to a view's
# base: the view's .base, the loop variable, getrefcount's.
_OWN_REFERENCES, _BASE_REFERENCES = 4, 3


def _unshared(g: Any, leaf: Tensor) -> bool:
    """Whether ``g`` can become ``leaf.grad`` as it is (torch's AccumulateGrad steals such a
    gradient too): an array of the leaf's type and dtype, C-contiguous and writeable,
    referenced only by the engine (no other leaf, node or tensor holds it), no hooks on the
    leaf; owning its memory, or a view of all of it (a transpose undone, a reshape) through
    bases nothing else holds — except, in an emulated graph capture, the memory's owner,
    which the recorded operations hold. Saves one copy per parameter (a launch on a GPU)."""
    if not (type(g) is type(leaf._data) and g.dtype == leaf._data.dtype and not leaf._hooks
            and g.flags.c_contiguous and g.flags.writeable
            and sys.getrefcount(g) <= _OWN_REFERENCES):
        return False
    owner = g.base
    if owner is None:
        return True
    if not isinstance(g, np.ndarray):
        return False
    from minitorch.backends.cuda.graphs import DeviceArray

    address = g.__array_interface__["data"][0]
    while owner is not None:
        if (not isinstance(owner, np.ndarray)  # memory another library owns (Numba's)
                or owner.__array_interface__["data"][0] != address or owner.nbytes != g.nbytes
                or (sys.getrefcount(owner) > _BASE_REFERENCES
                    and not (owner.base is None and isinstance(g, DeviceArray)))):
            return False
        owner = owner.base
    return True


def _copy_on_graph(g: Tensor) -> Tensor:
    """A copy of ``g`` that stays on its graph (torch's node for it: CopyBackwards)."""
    from minitorch.autograd.ops.inplace import CopyFrom
    from minitorch.creation import empty_like

    return CopyFrom.apply(empty_like(g), g)
