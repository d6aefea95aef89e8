"""``minitorch.func``: derivatives as transforms of Python functions (torch.func's API).

``grad(f)`` is a new function: ``grad(f)(x)`` = ∇f(x). Because the result is again a
function of tensors, transforms compose: ``grad(grad(f))`` is the second derivative of a
scalar function, ``hessian(f) = jacrev(jacrev(f))``.

How it works on a reverse-mode engine:

1. The arguments selected by ``argnums`` are replaced by fresh tensors that require grad
   (an argument that already requires grad is replaced by a view of itself, so the
   caller's graph stays connected: that is what lets transforms nest).
2. ``f`` runs with recording on; ``autograd.grad(..., create_graph=True)`` computes vᵀJ
   for the needed cotangents v (the gradient of a scalar: v = 1; row i of a Jacobian:
   v = eᵢ). An argument the output does not depend on gets zeros.
3. Every result that depends only on the fresh tensors is detached, so ``grad(f)(x)`` for
   a plain ``x`` is a plain tensor; one that depends on something outside the transform
   (an outer transform's input, a parameter that requires grad) keeps its graph.

Arguments and outputs may be "pytrees": tensors nested in tuples, lists and dicts; each
result has the structure of what it differentiates with respect to.
``vmap`` (batching a function over a dimension) is not available: it needs batched
tensors, which this engine does not have.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List, Optional, Set, Tuple, Union

from minitorch.autograd.function import AccumulateGrad
from minitorch.autograd.grad_mode import enable_grad, is_grad_enabled
from minitorch.tensor import Tensor

__all__ = ["grad", "grad_and_value", "hessian", "jacrev", "jvp", "vjp", "vmap"]

ArgNums = Union[int, Tuple[int, ...]]


# ----------------------------------------------------------------------------- pytrees
def tree_flatten(tree: Any) -> Tuple[List[Any], Any]:
    """The leaves of a nest of tuples, lists and dicts, and a spec to rebuild it from them."""
    if isinstance(tree, (tuple, list)):
        parts = [tree_flatten(t) for t in tree]
        return [leaf for p in parts for leaf in p[0]], (type(tree), None, [p[1] for p in parts])
    if isinstance(tree, dict):
        keys = list(tree)
        parts = [tree_flatten(tree[k]) for k in keys]
        return [leaf for p in parts for leaf in p[0]], (dict, keys, [p[1] for p in parts])
    return [tree], None


def tree_unflatten(leaves: List[Any], spec: Any) -> Any:
    """The inverse of :func:`tree_flatten`."""
    def build(it: Iterator[Any], spec: Any) -> Any:
        if spec is None:
            return next(it)
        kind, keys, children = spec
        items = [build(it, s) for s in children]
        if kind is dict:
            return dict(zip(keys, items))
        return kind(*items) if hasattr(kind, "_fields") else kind(items)  # a namedtuple
    return build(iter(leaves), spec)


def _map(fn: Callable[[Any], Any], tree: Any) -> Any:
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(leaf) for leaf in leaves], spec)


# ------------------------------------------------------------------------ the machinery
def _select(args: Tuple[Any, ...], argnums: ArgNums) -> Tuple[int, ...]:
    """The positions ``argnums`` names (negative ones from the end), checked as torch does."""
    if not isinstance(argnums, (int, tuple)):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    if isinstance(argnums, tuple):
        if not argnums:
            raise RuntimeError("argnums must be non-empty")
        if len(set(argnums)) != len(argnums):
            raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    positions = []
    for a in argnums if isinstance(argnums, tuple) else (argnums,):
        if not isinstance(a, int):
            raise RuntimeError(f"argnum must be int, got: {type(a)}")
        if not -len(args) <= a < len(args):
            raise RuntimeError(f"Got argnum={a}, but only {len(args)} positional inputs")
        positions.append(a % len(args))
    return tuple(positions)


class _Traced:
    """``f`` run once on fresh differentiable copies of the selected arguments.

    ``diff``: the selected arguments as the function saw them (tuple of pytrees),
    ``leaves``: their tensors flat, ``own``: the fresh leaves this transform created."""

    def __init__(self, func: Callable, args: Tuple[Any, ...], kwargs: Dict[str, Any],
                 positions: Tuple[int, ...]) -> None:
        self.own: List[Tensor] = []
        args = list(args)
        for p in positions:
            args[p] = _map(self._fresh, args[p])
        self.diff = tuple(args[p] for p in positions)
        self.leaves, self.spec = tree_flatten(self.diff)
        with enable_grad():
            self.output = func(*args, **kwargs)

    def _fresh(self, x: Any) -> Tensor:
        if not isinstance(x, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
        if x.requires_grad and is_grad_enabled():
            return x.view_as(x)  # connected to the caller's graph
        leaf = x.detach().requires_grad_(True)
        self.own.append(leaf)
        return leaf

    def pull_back(self, outputs: List[Tensor], cotangents: List[Any]) -> List[Tensor]:
        """vᵀJ for each flat input leaf (zeros where no output reaches it), on a graph
        when recording is on (so that an enclosing transform can differentiate it)."""
        from minitorch.autograd import grad
        from minitorch.creation import zeros_like

        kept = [(o, v) for o, v in zip(outputs, cotangents) if o.requires_grad]
        if not kept:
            return [zeros_like(x) for x in self.leaves]
        with enable_grad():
            found = grad([o for o, _ in kept], self.leaves, [v for _, v in kept],
                         retain_graph=True, create_graph=is_grad_enabled(),
                         allow_unused=True)
        return [zeros_like(x) if g is None else g for g, x in zip(found, self.leaves)]

    def release(self, tree: Any) -> Any:
        """Detach each tensor of ``tree`` that depends on nothing outside this transform."""
        own = {id(t) for t in self.own}
        return _map(lambda t: t if isinstance(t, Tensor) and _reaches_outside(t, own)
                    else (t.detach() if isinstance(t, Tensor) else t), tree)


def _reaches_outside(t: Tensor, own: Set[int]) -> bool:
    """Does ``t``'s graph lead to a leaf that requires grad and is not in ``own``?"""
    if not t.requires_grad:
        return False
    stack, seen = [t.grad_fn or t._grad_accumulator()], set()
    while stack:
        node = stack.pop()
        if isinstance(node, AccumulateGrad):
            if id(node.variable) not in own:
                return True
            continue
        for nxt, _ in node.next_functions:
            if nxt is not None and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


def _split_aux(output: Any, has_aux: bool, api: str) -> Tuple[Any, Any]:
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) if "
                           "has_aux is True")
    return output


def _tensor_outputs(output: Any, api: str) -> List[Tensor]:
    flat, _ = tree_flatten(output)
    if not flat:
        raise RuntimeError(f"{api}: Expected f to be a function that has non-empty output "
                           f"(got output = {flat})")
    for o in flat:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"{api}: expected f(*primals) to return only tensors, got "
                               f"unsupported type {type(o)}")
    return flat


def _unpack(per_arg: Tuple[Any, ...], argnums: ArgNums) -> Any:
    """One result per selected argument; just the one for an integer ``argnums``."""
    return per_arg[0] if isinstance(argnums, int) else per_arg


# ----------------------------------------------------------------------- the transforms
def grad_and_value(func: Callable, argnums: ArgNums = 0,
                   has_aux: bool = False) -> Callable[..., Tuple[Any, Any]]:
    """``f ↦ (x ↦ (∇f(x), f(x)))`` for a function returning a 0-dim tensor; the gradient
    is d f / d args[argnums] (a tuple of them for a tuple ``argnums``). With ``has_aux``, f
    returns ``(value, aux)`` and the result is ``(gradient, (value, aux))``."""
    api = "grad_and_value(f)(*args)"

    def wrapper(*args: Any, **kwargs: Any) -> Tuple[Any, Any]:
        traced = _Traced(func, args, kwargs, _select(args, argnums))
        value, aux = _split_aux(traced.output, has_aux, api)
        if not isinstance(value, Tensor):
            raise RuntimeError(f"{api}: Expected f(*args) to return a Tensor, got "
                               f"{type(value)}")
        if value.dim() != 0:
            raise RuntimeError(f"{api}: Expected f(*args) to return a scalar Tensor, got "
                               f"tensor with {value.dim()} dims. Maybe you wanted to use the "
                               "vjp or jacrev APIs instead?")
        from minitorch.creation import ones_like

        grads = tree_unflatten(traced.pull_back([value], [ones_like(value)]), traced.spec)
        grads = traced.release(_unpack(grads, argnums))
        value = traced.release(value)
        return (grads, (value, traced.release(aux))) if has_aux else (grads, value)
    return wrapper


def grad(func: Callable, argnums: ArgNums = 0, has_aux: bool = False) -> Callable[..., Any]:
    """``f ↦ ∇f``: the gradient of a scalar function with respect to ``args[argnums]``
    (``(gradient, aux)`` with ``has_aux``)."""
    with_value = grad_and_value(func, argnums, has_aux)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        grads, value = with_value(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads
    return wrapper


def vjp(func: Callable, *primals: Any, has_aux: bool = False) -> Tuple[Any, ...]:
    """``(f(primals), vjp_fn)`` (and ``aux``): ``vjp_fn(v)`` = vᵀJ, one tuple entry per
    primal; ``v`` has the structure of the output. ``vjp_fn`` may be called many times
    (the graph is kept)."""
    api = "vjp(f, *primals)"
    traced = _Traced(func, primals, {}, tuple(range(len(primals))))
    output, aux = _split_aux(traced.output, has_aux, api)
    flat_out = _tensor_outputs(output, api)
    _, out_spec = tree_flatten(output)

    def vjp_fn(cotangents: Any, retain_graph: bool = True,
               create_graph: Optional[bool] = None) -> Tuple[Any, ...]:
        flat_v, v_spec = tree_flatten(cotangents)
        if v_spec != out_spec:
            raise RuntimeError("Expected pytree structure of cotangents to be the same as "
                               "pytree structure of outputs to the function.")
        return traced.release(tree_unflatten(traced.pull_back(flat_out, flat_v),
                                             traced.spec))

    result = (traced.release(output), vjp_fn)
    return result + (traced.release(aux),) if has_aux else result


def jvp(func: Callable, primals: Tuple[Any, ...], tangents: Tuple[Any, ...], *,
        has_aux: bool = False) -> Tuple[Any, ...]:
    """``(f(primals), J·tangents)`` by the double-vjp trick: u ↦ uᵀJ is linear in u, so
    its own vjp with the tangent t is J t (two reverse passes, no forward mode)."""
    api = "jvp(f, primals, tangents)"
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{api}: Expected primals to be a tuple. E.g. it should be valid "
                           "to call f(*primals).")
    flat_t, t_spec = tree_flatten(tangents)
    if not isinstance(tangents, tuple) or t_spec != tree_flatten(primals)[1]:
        raise RuntimeError(f"{api}: Expected primals and tangents to have the same python "
                           "structure. For example, if primals is a tuple of 3 tensors, "
                           "tangents also must be.")
    from minitorch.autograd import grad as autograd_grad
    from minitorch.creation import zeros_like

    traced = _Traced(func, primals, {}, tuple(range(len(primals))))
    output, aux = _split_aux(traced.output, has_aux, api)
    flat_out, out_spec = _tensor_outputs(output, api), tree_flatten(output)[1]
    with enable_grad():
        u = [zeros_like(o).requires_grad_(True) for o in flat_out]
        u_t_j = traced.pull_back(flat_out, u)
        pairs = [(g, t) for g, t in zip(u_t_j, flat_t) if g.requires_grad]
        found = autograd_grad([g for g, _ in pairs], u, [t for _, t in pairs],
                              create_graph=is_grad_enabled(), allow_unused=True) \
            if pairs else [None] * len(u)
    jv = [zeros_like(o) if g is None else g for g, o in zip(found, flat_out)]
    result = (traced.release(output), traced.release(tree_unflatten(jv, out_spec)))
    return result + (traced.release(aux),) if has_aux else result


def jacrev(func: Callable, argnums: ArgNums = 0, *, has_aux: bool = False,
           chunk_size: Optional[int] = None) -> Callable[..., Any]:
    """``f ↦ J``: the Jacobian by reverse mode, row i = eᵢᵀJ (one vjp per output element;
    ``chunk_size`` is accepted, the rows are always computed one at a time).

    For an output of shape S and an argument of shape T the block has shape S + T. The
    result has the output's structure, each entry the structure of ``args[argnums]``."""
    if chunk_size is not None and chunk_size <= 0:
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from minitorch.creation import zeros
        from minitorch.functions import stack

        traced = _Traced(func, args, kwargs, _select(args, argnums))
        output, aux = _split_aux(traced.output, has_aux, "vjp(f, *primals)")
        flat_out, out_spec = _tensor_outputs(output, "vjp(f, *primals)"), \
            tree_flatten(output)[1]
        per_output = []
        for out in flat_out:
            rows = []
            for k in range(out.numel()):
                e_k = zeros(out.numel(), dtype=out.dtype, device=out.device)
                e_k[k] = 1
                rows.append(traced.pull_back([out], [e_k.view(out.shape)]))
            blocks = [(stack([r[j] for r in rows]) if rows else
                       zeros(0, *x.shape, dtype=x.dtype, device=x.device))
                      .view(*out.shape, *x.shape) for j, x in enumerate(traced.leaves)]
            per_output.append(_unpack(tree_unflatten(blocks, traced.spec), argnums))
        jac = traced.release(tree_unflatten(per_output, out_spec))
        return (jac, traced.release(aux)) if has_aux else jac
    return wrapper


def hessian(func: Callable, argnums: ArgNums = 0) -> Callable[..., Any]:
    """``f ↦ H``, the matrix of second derivatives ∂²f/∂xᵢ∂xⱼ: the Jacobian of the
    gradient, ``jacrev(jacrev(f))`` (torch computes the outer Jacobian in forward mode,
    ``jacfwd(jacrev(f))``: the same numbers)."""
    return jacrev(jacrev(func, argnums), argnums)


def vmap(func: Callable, *args: Any, **kwargs: Any) -> Callable[..., Any]:
    """Not available: vectorizing a function over a batch dimension needs batched tensors
    (a batching rule per op), which minitorch does not have."""
    raise NotImplementedError("minitorch.func.vmap is not implemented: minitorch has no "
                              "batched tensors (batching rules); call the function in a "
                              "loop and stack the results instead")
