"""``minitorch.autograd.functional``: derivatives of a whole Python function at a point.

``autograd.grad`` differentiates a graph that already exists. These functions take a
function ``f`` and a point ``x``, run ``f(x)`` with recording on, and ask the engine for one
of the classic objects of calculus. For ``f: ℝⁿ → ℝᵐ`` with Jacobian ``J = ∂f/∂x`` (m × n):

* ``vjp(f, x, v)``     = vᵀJ — one reverse pass (this is what ``backward`` computes);
* ``jvp(f, x, v)``     = Jv  — by the *double-vjp trick*: g(u) = uᵀJ is linear in u, so
  its own vjp with v is ∂(uᵀJ)/∂u · v = Jv; two reverse passes, no forward mode needed;
* ``jacobian(f, x)``  = J   — one vjp per output element, with the basis vectors eᵢ: eᵢᵀJ
  is row i;
* ``hessian(f, x)``   = H = ∂²f/∂x² for scalar f — the Jacobian of the gradient;
* ``vhp(f, x, v)``     = vᵀH and ``hvp(f, x, v)`` = Hv — the gradient differentiated once
  more (H is symmetric for a twice continuously differentiable f, so the two agree; hvp
  uses the double-vjp trick on the gradient, as torch does).

Inputs and outputs may be one Tensor or a tuple of Tensors; every result is nested as
torch nests it: per output, then per input, each tuple level present only where the
caller used a tuple. ``create_graph=True`` keeps the results on a graph (to differentiate
again); ``strict=True`` turns "this output does not depend on that input" into an error
instead of a block of zeros.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any, Callable, ContextManager, List, Optional, Sequence, Tuple, Union

from minitorch.autograd.grad_mode import enable_grad
from minitorch.tensor import Tensor

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]

TensorOrTensors = Union[Tensor, Tuple[Tensor, ...]]


# ------------------------------------------------------------------ tuples in, tuples out
def _as_tuple(x: Any, arg_name: str, fn_name: str) -> Tuple[bool, Tuple[Tensor, ...]]:
    """``(was it a tuple, the tensors as a tuple)``; anything but Tensors is a TypeError."""
    is_tuple = isinstance(x, tuple)
    items = x if is_tuple else (x,)
    for i, el in enumerate(items):
        if not isinstance(el, Tensor):
            where = f"value at index {i}" if is_tuple else f"given {arg_name}"
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a "
                            f"tuple of Tensors but the {where} has type {type(el)}.")
    return is_tuple, items


def _unpack(res: Any, outer: bool, inner: Optional[bool] = None) -> Any:
    """Drop the tuple levels the caller did not use (``inner``: the per-input level of a
    per-output tuple of tuples)."""
    if inner is not None and not inner:
        res = tuple(el[0] for el in res)
    return res if outer else res[0]


def _prepare(inputs: Sequence[Tensor], create_graph: bool, need_graph: bool) -> Tuple:
    """Fresh leaves to differentiate with respect to. With ``create_graph`` an input that
    already requires grad is kept connected (a view of it), so the result can be
    differentiated with respect to the caller's tensors too."""
    return tuple(t.view_as(t) if create_graph and t.requires_grad
                 else t.detach().requires_grad_(need_graph) for t in inputs)


def _finish(tensors: Any, create_graph: bool) -> Any:
    """Detach the results (recursively through tuples) unless a graph was asked for."""
    if isinstance(tensors, Tensor):
        return tensors if create_graph else tensors.detach()
    return tuple(_finish(t, create_graph) for t in tensors)


_INDEPENDENT = {
    "outputs": ("Output {i} of the user-provided function does not require gradients. The "
                "outputs must be computed in a differentiable manner from the input when "
                "running in strict mode."),
    "grad_inputs": ("The gradient with respect to input {i} is independent of the inputs of "
                    "the user-provided function. This is not allowed in strict mode."),
    "jacobian": ("While computing the hessian, found that the jacobian of the user-provided "
                 "function with respect to input {i} is independent of the input. This is "
                 "not allowed in strict mode. You should ensure that your function is twice "
                 "differentiable and that the jacobian depends on the inputs (this would be "
                 "violated by a linear function for example)."),
    "hessian": ("The hessian of the user-provided function with respect to input {i} is "
                "independent of the input. This is not allowed in strict mode. You should "
                "ensure that your function is thrice differentiable and that the hessian "
                "depends on the inputs."),
}


def _check_requires_grad(tensors: Sequence[Optional[Tensor]], kind: str,
                         strict: bool) -> None:
    """In strict mode every tensor must exist and be on the graph."""
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError(f"The output of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode.")
        if not t.requires_grad:
            raise RuntimeError(_INDEPENDENT[kind].format(i=i))


def _validate_v(v: Sequence[Tensor], like: Sequence[Tensor], like_is_tuple: bool) -> None:
    if len(v) != len(like):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(like)} but got "
                           f"{len(v)}." if like_is_tuple
                           else "The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, like)):
        if a.size() != b.size():
            prefix = f"Entry {i} in " if like_is_tuple else ""
            raise RuntimeError(f"{prefix}v has invalid size: should be {b.size()} but got "
                               f"{a.size()}.")


def _grad(outputs: Sequence[Optional[Tensor]], inputs: Sequence[Tensor],
          grad_outputs: Optional[Sequence[Any]] = None, create_graph: bool = False,
          retain_graph: Optional[bool] = None) -> Tuple[Optional[Tensor], ...]:
    """``autograd.grad`` over the outputs that are on the graph (None for an input no
    output reaches)."""
    from minitorch.autograd import grad

    grad_outputs = (None,) * len(outputs) if grad_outputs is None else grad_outputs
    kept = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not kept:
        return (None,) * len(inputs)
    return grad([o for o, _ in kept], list(inputs), [g for _, g in kept],
                retain_graph=retain_graph, create_graph=create_graph, allow_unused=True)


_ZERO_FILL = {
    "back": "The output of the user-provided function is independent of input {i}. This is "
            "not allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
                  "grad_outputs when using the double backward trick to compute forward mode "
                  "gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. "
                   "This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry "
                         "{i} in the grad_jacobian. This is not allowed in strict mode as it "
                         "prevents from using the double backward trick to replace forward "
                         "mode AD.",
}


def _fill_in_zeros(grads: Sequence[Optional[Tensor]], like: Sequence[Tensor], strict: bool,
                   create_graph: bool, stage: str) -> Tuple[Tensor, ...]:
    """A gradient that never arrived is mathematically zero: fill it in (or, strict,
    refuse)."""
    from minitorch.creation import zeros_like

    out = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_ZERO_FILL[stage].format(i=i))
            g = zeros_like(like[i])
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode when "
                               "create_graph=True.")
        out.append(g)
    return tuple(out)


def _recording(create_graph: bool) -> ContextManager:
    """The last pass records a graph if one was asked for; otherwise the caller's mode."""
    return enable_grad() if create_graph else nullcontext()


def _run(func: Callable, inputs: Tuple[Tensor, ...], fn_name: str,
         strict: bool) -> Tuple[bool, Tuple[Tensor, ...]]:
    """``func(*inputs)`` as a tuple of output Tensors (and whether it returned a tuple)."""
    is_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                  fn_name)
    _check_requires_grad(outputs, "outputs", strict)
    return is_tuple, outputs


def _vector(v: Optional[TensorOrTensors], like: Tuple[Tensor, ...], like_is_tuple: bool,
            fn_name: str, create_graph: bool, none_message: str) -> Optional[Tuple]:
    """The vector ``v`` checked against the shapes it multiplies; may be None only when
    there is one single-element tensor (then it is 1)."""
    if v is None:
        if len(like) != 1 or like[0].nelement() != 1:
            raise RuntimeError(none_message)
        return None
    _, v = _as_tuple(v, "v", fn_name)
    v = _prepare(v, create_graph, need_graph=False)
    _validate_v(v, like, like_is_tuple)
    return v


# -------------------------------------------------------------------------- the functions
def vjp(func: Callable[..., TensorOrTensors], inputs: TensorOrTensors,
        v: Optional[TensorOrTensors] = None, create_graph: bool = False,
        strict: bool = False) -> Tuple[TensorOrTensors, TensorOrTensors]:
    """``(f(x), vᵀJ)``: the vector-Jacobian product, one reverse pass.

    ``vᵀJ`` has the shape of the inputs: ``(vᵀJ)ⱼ = Σᵢ vᵢ ∂fᵢ/∂xⱼ``. ``v`` has the shape of
    the outputs; it may be omitted when ``f`` returns a single element (v = 1: the
    gradient)."""
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        outputs_tuple, outputs = _run(func, inputs, "vjp", strict)
        v = _vector(v, outputs, outputs_tuple, "vjp", create_graph,
                    "The vector v can only be None if the user-provided function returns a "
                    "single Tensor with a single element.")
    with _recording(create_graph):
        grads = _grad(outputs, inputs, v, create_graph)
        result = _fill_in_zeros(grads, inputs, strict, create_graph, "back")
    return (_unpack(_finish(outputs, create_graph), outputs_tuple),
            _unpack(_finish(result, create_graph), inputs_tuple))


def _double_vjp(outputs: Sequence[Tensor], inputs: Sequence[Tensor],
                v: Optional[Sequence[Tensor]], create_graph: bool, strict: bool,
                stage: str) -> Tuple[Tensor, ...]:
    """Jv by the double-vjp trick. With a dummy u (zeros, requiring grad), g(u) = uᵀJ is
    computed *on a graph*; g is linear in u, so ∂(g·v)/∂u = Jv. The value of u never
    matters, only that the engine can differentiate through it."""
    from minitorch.creation import zeros_like

    with enable_grad():
        u = tuple(zeros_like(o, requires_grad=True) for o in outputs)
        u_t_j = _grad(outputs, inputs, u, create_graph=True)
        if stage == "back_trick":
            _check_requires_grad(u_t_j, "grad_inputs", strict)
    with _recording(create_graph):
        return _fill_in_zeros(_grad(u_t_j, u, v, create_graph), outputs, strict,
                              create_graph, stage)


def jvp(func: Callable[..., TensorOrTensors], inputs: TensorOrTensors,
        v: Optional[TensorOrTensors] = None, create_graph: bool = False,
        strict: bool = False) -> Tuple[TensorOrTensors, TensorOrTensors]:
    """``(f(x), Jv)``: the Jacobian-vector product (a directional derivative), computed
    with two reverse passes by the double-vjp trick, as torch does.

    ``Jv`` has the shape of the outputs: ``(Jv)ᵢ = Σⱼ ∂fᵢ/∂xⱼ vⱼ``; ``v`` has the shape of
    the inputs."""
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        v = _vector(v, inputs, inputs_tuple, "jvp", create_graph,
                    "The vector v can only be None if the input to the user-provided "
                    "function is a single Tensor with a single element.")
        outputs_tuple, outputs = _run(func, inputs, "jvp", strict)
    result = _double_vjp(outputs, inputs, v, create_graph, strict, "back_trick")
    return (_unpack(_finish(outputs, create_graph), outputs_tuple),
            _unpack(_finish(result, create_graph), outputs_tuple))


def jacobian(func: Callable[..., TensorOrTensors], inputs: TensorOrTensors,
             create_graph: bool = False, strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode") -> Any:
    """The Jacobian J = ∂f/∂x, built row by row: row i is eᵢᵀJ, one vjp with the i-th
    standard basis vector of the output.

    For output ``fᵢ`` of shape ``S`` and input ``xⱼ`` of shape ``T`` the block
    ``∂fᵢ/∂xⱼ`` has shape ``S + T``. The blocks nest as ``result[i][j]``, each level a tuple
    only if the outputs (resp. inputs) were. ``vectorize`` is accepted and computes the
    same thing (this engine has no batched gradients: always one pass per row).
    ``strategy="forward-mode"`` needs forward-mode AD, which this engine does not have."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or '
                             '"reverse-mode". Hint: If your function has more outputs than '
                             'inputs, "forward-mode" tends to be more performant. Otherwise, '
                             'prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        raise NotImplementedError('jacobian(strategy="forward-mode") needs forward-mode '
                                  'automatic differentiation, which minitorch does not have; '
                                  'use strategy="reverse-mode" (the same Jacobian).')
    from minitorch.creation import zeros, zeros_like
    from minitorch.functions import stack

    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        outputs_tuple, outputs = _run(func, inputs, "jacobian", strict)
        if vectorize and strict:
            raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and "
                               "`vectorized=True` are not supported together. Please either "
                               "set `strict=False` or `vectorize=False`.")
        blocks = []
        for i, out in enumerate(outputs):
            rows: List[List[Tensor]] = [[] for _ in inputs]
            for k in range(out.nelement()):
                basis = zeros(out.nelement(), dtype=out.dtype, device=out.device)
                basis[k] = 1
                row = _grad((out,), inputs, (basis.view(out.shape),), create_graph,
                            retain_graph=True)
                for j, (g, x) in enumerate(zip(row, inputs)):
                    if g is None and strict:
                        raise RuntimeError(f"Output {i} of the user-provided function is "
                                           f"independent of input {j}. This is not allowed "
                                           "in strict mode.")
                    if g is not None and strict and create_graph and not g.requires_grad:
                        raise RuntimeError(f"The jacobian of the user-provided function is "
                                           f"independent of input {i}. This is not allowed "
                                           "in strict mode when create_graph=True.")
                    rows[j].append(zeros_like(x) if g is None else g)
            blocks.append(tuple(
                (stack(r) if r else zeros(0, *x.shape, dtype=x.dtype, device=x.device))
                .view(*out.shape, *x.shape) for r, x in zip(rows, inputs)))
    return _unpack(_finish(tuple(blocks), create_graph), outputs_tuple, inputs_tuple)


def _single_output(func: Callable, fn_name: str, strict: bool) -> Callable:
    """``func`` checked to return one single-element Tensor (what a Hessian needs)."""
    def wrapped(*inputs: Tensor) -> Tensor:
        out = func(*inputs)
        is_tuple, outs = _as_tuple(out, "outputs of the user-provided function", fn_name)
        _check_requires_grad(outs, "outputs", strict)
        if is_tuple:
            raise RuntimeError(f"The function given to {fn_name} should return a single "
                               "Tensor")
        if out.nelement() != 1:
            raise RuntimeError(f"The Tensor returned by the function given to {fn_name} "
                               "should contain a single element")
        return out
    return wrapped


def hessian(func: Callable[..., Tensor], inputs: TensorOrTensors, create_graph: bool = False,
            strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian of a scalar function, H = ∂²f/∂x² — the Jacobian of the gradient:
    ``Hᵢⱼ = ∂²f/∂xᵢ∂xⱼ``. For inputs ``xᵢ`` (shape Sᵢ) and ``xⱼ`` (shape Sⱼ) the block
    ``result[i][j]`` has shape ``Sᵢ + Sⱼ``."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or '
                             '"reverse-mode".')
    scalar = _single_output(func, "hessian", strict)

    def gradient(*xs: Tensor) -> Tuple[Tensor, ...]:
        g = jacobian(lambda *a: scalar(*a).squeeze(), xs, create_graph=True)
        _check_requires_grad(g, "jacobian", strict)
        return g

    res = jacobian(gradient, inputs, create_graph, strict, vectorize, outer_jacobian_strategy)
    return _unpack(res, inputs_tuple, inputs_tuple)


def _second_order(func: Callable, inputs: TensorOrTensors, v: Optional[TensorOrTensors],
                  create_graph: bool, strict: bool, fn_name: str) -> Tuple:
    """What vhp and hvp share: the inputs prepared, v checked, f(x) and its gradient on a
    graph."""
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
        inputs = _prepare(inputs, create_graph, need_graph=True)
        v = _vector(v, inputs, inputs_tuple, fn_name, create_graph,
                    "The vector v can only be None if the input to the user-provided "
                    "function is a single Tensor with a single element.")
        out = _single_output(func, fn_name, strict)(*inputs)
        gradient = _grad((out,), inputs, create_graph=True)
        _check_requires_grad(gradient, "jacobian", strict)
    return inputs_tuple, inputs, v, out, gradient


def vhp(func: Callable[..., Tensor], inputs: TensorOrTensors,
        v: Optional[TensorOrTensors] = None, create_graph: bool = False,
        strict: bool = False) -> Tuple[Tensor, TensorOrTensors]:
    """``(f(x), vᵀH)``: the gradient ∇f is itself a function of x; its vjp with v is vᵀH
    (``(vᵀH)ⱼ = Σᵢ vᵢ ∂²f/∂xᵢ∂xⱼ``). Two reverse passes, never the whole H."""
    inputs_tuple, inputs, v, out, gradient = _second_order(func, inputs, v, create_graph,
                                                           strict, "vhp")
    with _recording(create_graph):
        result = _fill_in_zeros(_grad(gradient, inputs, v, create_graph), inputs, strict,
                                create_graph, "double_back")
    return _finish(out, create_graph), _unpack(_finish(result, create_graph), inputs_tuple)


def hvp(func: Callable[..., Tensor], inputs: TensorOrTensors,
        v: Optional[TensorOrTensors] = None, create_graph: bool = False,
        strict: bool = False) -> Tuple[Tensor, TensorOrTensors]:
    """``(f(x), Hv)``: the Jacobian-vector product of the gradient, by the double-vjp trick
    (three reverse passes). Equal to vᵀH when f is twice continuously differentiable
    (H symmetric); :func:`vhp` is cheaper."""
    inputs_tuple, inputs, v, out, gradient = _second_order(func, inputs, v, create_graph,
                                                           strict, "hvp")
    result = _double_vjp(gradient, inputs, v, create_graph, strict, "double_back_trick")
    return _finish(out, create_graph), _unpack(_finish(result, create_graph), inputs_tuple)
