"""``Function``: one differentiable op = a ``forward`` on arrays + a ``backward`` on gradients.

This is the DeZero/Chainer shape. ``Op.apply(*tensors)`` unwraps the tensors to raw arrays,
runs ``forward`` with the kernels of the tensors' device (``self.backend``, ``self.xp``),
wraps the result, and — when any input requires grad — links the result to this Function
instance, which becomes the result's ``grad_fn``: a node of the graph that
:mod:`minitorch.autograd.engine` walks backwards.

    class Exp(Function):
        def forward(self, x):
            y = self.xp.exp(x)
            self.save_for_backward(y)
            return y

        def backward(self, gy):
            (y,) = self.saved_tensors
            return gy * y          # d exp(x)/dx = exp(x)

        def backward_graph(self, gy):       # the same rule on Tensors, for create_graph=True
            (y,) = self.saved_tensors
            return gy * self.graph_output(0, y)

``backward`` is the fast path: arrays in, arrays out, nothing recorded. ``backward_graph``
is the same derivative written with differentiable Tensor ops; the engine calls it when
``backward(create_graph=True)`` or ``autograd.grad(..., create_graph=True)`` asks for a
gradient that can itself be differentiated (gradient penalties, Hessian-vector products).
``graph_input(i, array)`` / ``graph_output(k, array)`` turn a saved array back into a Tensor
attached to the graph where it came from, so the second derivative flows through it.

A second, PyTorch-shaped style is for users: static ``forward(ctx, ...)`` and
``backward(ctx, ...)`` on Tensors (see :class:`FunctionCtx`); ``apply`` tells them apart.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from minitorch.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad
from minitorch.backends import backend_for
from minitorch.fperrors import as_caller, restore, silence

# ``minitorch.tensor.Tensor``, set by that module once the class exists (it imports this
# one, so it cannot be imported here): ``apply`` reads it on every op call.
Tensor: Any = None

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


def _is_ctx_style(cls: type) -> bool:
    """A PyTorch-style Function: ``forward`` is a staticmethod taking ``ctx``."""
    return isinstance(inspect.getattr_static(cls, "forward", None), staticmethod)


class Node:
    """What the engine needs from a graph node: ``next_functions`` and ``run_backward``."""

    next_functions: Tuple[Tuple[Optional[Node], int], ...] = ()
    # hooks registered on this node's outputs: {output nr: [hook, ...]}. Shared and empty
    # until :meth:`hooks_of_output` gives the node a dict of its own (most nodes never do).
    tensor_hooks: Dict[int, List[Any]] = {}

    def hooks_of_output(self, nr: int) -> List[Any]:
        """The list of hooks on output ``nr`` (made on first use), to append to."""
        if "tensor_hooks" not in self.__dict__:
            self.tensor_hooks = {}
        return self.tensor_hooks.setdefault(nr, [])

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{self.name()} object at {hex(id(self))}>"

    def run_backward(self, grads: List[Any], create_graph: bool) -> Sequence[Any]:
        """Gradients for ``next_functions`` from the gradients of this node's outputs: arrays
        (or None) when ``create_graph`` is False, Tensors with a graph when it is True."""
        raise RuntimeError(f"cannot backward through {self!r}")

    def release(self) -> None:
        """Free what forward saved (called by the engine unless ``retain_graph``)."""


class AccumulateGrad(Node):
    """The node of a leaf tensor: its backward adds the incoming gradient into ``variable.grad``."""

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable


class Function(Node):
    """Base class of every differentiable op. Subclasses define ``forward`` and ``backward``
    (and ``backward_graph`` for double backward), or — PyTorch's style — static
    ``forward(ctx, ...)`` and ``backward(ctx, ...)`` on Tensors."""

    is_view = False  # True when the output shares the input's storage (reshape, permute, ...)
    #: float16 operands are computed in float32 and the floating results rounded to float16
    #: once, as torch's CPU kernels compute half-precision ops (and as the kernels here take
    #: float32/float64 only); backward likewise. Off for views (their output shares the
    #: input's storage) and for ops that convert dtypes themselves.
    float16_via_float32 = True
    _half = False  # this node ran float16 operands in float32
    #: for a node with complex operands or results: which inputs are real (their gradient
    #: is the real part of the complex one the backward formula gives, as in torch)
    _real_inputs: Tuple[bool, ...] = ()

    # A node's state starts as these class attributes; ``apply`` and ``save_for_backward``
    # give an instance its own values (a node is made per op call: no __init__ to run).
    saved: Optional[Tuple[Any, ...]] = ()
    needs_input_grad: Tuple[bool, ...] = ()
    _saved_versions: Sequence[Tuple[list, int, Any]] = ()  # (counter, version, what)
    input_positions: Tuple[int, ...] = ()  # which positional args were Tensors

    _ctx_style = False  # a user's torch-style Function (staticmethod forward): set per class
    _no_init = True  # no __init__ of its own (most ops): a node is made without calling one

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._ctx_style = _is_ctx_style(cls)  # decided once here, read by every apply
        cls._no_init = cls.__init__ is object.__init__  # then apply skips the call
        if cls._ctx_style:  # the node class of a user's Function: ``MyFnBackward``
            cls._backward_cls = type(f"{cls.__name__}Backward", (BackwardCFunction,),
                                     {"_forward_cls": cls})

    # -- used inside forward -------------------------------------------------------------
    def save_for_backward(self, *arrays: Any) -> None:
        """Keep arrays that ``backward`` needs (inputs, outputs or intermediates)."""
        self.saved = arrays

    @property
    def saved_tensors(self) -> Tuple[Any, ...]:
        if self.saved is None:
            raise RuntimeError(FREED_MESSAGE)
        for counter, version, what in self._saved_versions:
            if counter[0] != version:
                raise RuntimeError(_modified_message(what, counter[0], version))
        return self.saved

    def release(self) -> None:
        """Free the saved arrays. A node that saved none keeps working: a second backward
        through it is allowed, as in torch (``x.sum().backward()`` twice)."""
        if self.saved:
            self.saved = None

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def backward(self, *grad_outputs: Any) -> Any:
        raise NotImplementedError

    def backward_graph(self, *grad_outputs: Tensor) -> Any:
        """``backward`` written with differentiable Tensor ops. Without one, a gradient made
        with ``create_graph=True`` raises when differentiated again (see ``run_backward``)."""
        raise NotImplementedError

    def name(self) -> str:
        return f"{type(self).__name__}Backward0"

    # -- used inside backward_graph ------------------------------------------------------
    def graph_input(self, position: int, value: Any) -> Any:
        """The forward's positional argument ``position`` as a Tensor on the graph (its
        values are ``value``, e.g. a saved array); a Python number stays a number."""
        if not hasattr(value, "shape"):
            return value
        t = Tensor._wrap(value)
        if position in self.input_positions:
            node, nr = self.next_functions[self.input_positions.index(position)]
            _attach(t, node, nr)
        return t

    def graph_output(self, nr: int, value: Any) -> Tensor:
        """Output ``nr`` of this node (values ``value``) as a Tensor whose grad_fn is this node:
        a derivative that uses the output (eˣ, tanh, softmax) flows back through the op."""
        t = Tensor._wrap(value)
        _attach(t, self, nr)
        return t

    def constant(self, value: Any) -> Tensor:
        """An array (a mask, a sign) as a Tensor that takes no gradient."""
        return Tensor._wrap(value)

    # -- called by the engine --------------------------------------------------------------
    def run_backward(self, grads: List[Any], create_graph: bool) -> Sequence[Any]:
        if self.saved is None:
            raise RuntimeError(FREED_MESSAGE)
        if all(g is None for g in grads):  # no gradient arrived: none flows on
            return (None,) * len(self.next_functions)
        if not create_graph and self._half:
            result = _narrow_half(self.backward(*[_widen_half(g) if g is not None else 0
                                                  for g in grads]))
        elif not create_graph:
            result = self.backward(*[g if g is not None else 0 for g in grads])
        elif type(self).backward_graph is Function.backward_graph:
            result = _once_differentiable_result(self, grads)
        else:
            with enable_grad():
                result = self.backward_graph(*grads)
        result = result if isinstance(result, tuple) else (result,)
        if self._real_inputs:
            result = _real_parts(result, self._real_inputs)
        if len(result) != len(self.next_functions):
            raise RuntimeError(f"function {self.name()} returned an incorrect number of "
                               f"gradients (expected {len(self.next_functions)}, got "
                               f"{len(result)})")
        return result

    # -- the glue between tensors and arrays ---------------------------------------------
    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run the op on tensors: returns a Tensor (or a tuple, if forward returns one).

        Every op call passes here, so it is written for speed: one pass over the arguments,
        the device decided by the arrays' type (``_backend_of``), nothing recorded unless an
        input requires grad."""
        if cls._ctx_style:
            return _apply_ctx_style(cls, args, kwargs)
        tensors, positions, raw = [], [], []
        half = False
        for i, a in enumerate(args):  # one pass: the tensors, where they are, what forward sees
            if isinstance(a, Tensor):
                tensors.append(a)
                positions.append(i)
                a = a._data
                if a.dtype is _FLOAT16:
                    half = True
            raw.append(a)
        fn = cls.__new__(cls) if cls._no_init else cls()
        fn.backend = backend = _backend_of(tensors, cls)
        fn.xp = backend.xp
        half = half and cls.float16_via_float32 and not cls.is_view
        if half:
            fn._half = True
            raw = [_widen_half(a) for a in raw]
        token = silence()  # NumPy's warnings off: 0/0 = nan, log(0) = -inf, as in torch
        try:
            outputs = fn.forward(*raw, **kwargs)
            if half:
                outputs = _narrow_half(outputs)
        finally:
            restore(token)
        single = not isinstance(outputs, tuple)
        wrap = Tensor._wrap
        results = [wrap(outputs)] if single else [wrap(out) for out in outputs]
        record = False
        if is_grad_enabled():
            for t in tensors:
                if t.requires_grad:
                    record = True
                    break
        complex_out = False
        if record:  # floating and complex outputs take gradient; integer ones do not
            for nr, t in enumerate(results):
                kind = t._data.dtype.kind
                if kind in "fc":
                    complex_out = complex_out or kind == "c"
                    t.requires_grad = True
                    t._grad_fn = fn
                    t._output_nr = nr
        if fn.is_view and tensors:
            if fn.xp.may_share_memory(results[0]._data, tensors[0]._data):
                results[0]._vc = tensors[0]._vc
                results[0]._set_view_of(tensors[0], fn.view_step())
            else:  # e.g. reshape of a non-contiguous input copies: not a view, as in torch
                fn.is_view = False
        if record:
            fn.needs_input_grad = tuple([t.requires_grad for t in tensors])
            fn.next_functions = tuple([_edge(t) for t in tensors])
            fn.input_positions = tuple(positions)
            complex_in = False
            for t in tensors:
                if t._data.dtype.kind == "c":
                    complex_in = True
                    break
            if complex_in or complex_out:  # its real inputs get Re of a complex gradient
                fn._real_inputs = tuple(t._data.dtype.kind != "c" for t in tensors)
            if fn.saved:
                fn._track_saved(tensors, results)
        else:
            fn.saved = ()
        return results[0] if single else tuple(results)

    def view_step(self) -> Tuple[str, Any]:
        """How a view op's output is read from its input, as (kind, argument): replayed on
        gradients and on the base after an in-place op (see ``ops/grad_ops.py``)."""
        raise NotImplementedError(f"{type(self).__name__} is not a view op")

    def _track_saved(self, inputs: Sequence[Tensor], outputs: Sequence[Tensor]) -> None:
        """Remember the version of each saved input/output, to catch later in-place edits."""
        versions = []
        for array in self.saved:
            for t in (*inputs, *outputs):
                if array is t._data:
                    fn = self if any(t is o for o in outputs) else t.grad_fn
                    versions.append((t._vc, t._vc[0], _SavedWhat(t, fn)))
                    break
        if versions:
            self._saved_versions = versions


class _SavedWhat:
    """How the error message of a saved tensor modified in place names it —
    ``minitorch.FloatTensor [2, 3]], which is output 0 of ReluBackward0`` — formatted only if
    that error is raised (every op's forward records one per saved tensor)."""

    __slots__ = ("shape", "dtype", "cuda", "nr", "fn")

    def __init__(self, t: Tensor, fn: Optional[Node]) -> None:
        # the array's shape and dtype only: the array itself would outlive release()
        self.shape, self.dtype, self.cuda = t._data.shape, t._data.dtype, t.is_cuda
        self.nr, self.fn = t._output_nr, fn

    def __str__(self) -> str:
        from minitorch.tensor import type_description

        return type_description(self.shape, self.dtype, self.cuda) + "]" + (
            f", which is output {self.nr} of {self.fn.name()}" if self.fn else "")


def _modified_message(what: Any, now: int, expected: int) -> str:
    return ("one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [{what}, is at version {now}; expected version {expected} "
            "instead. Hint: the tensor was changed in place after it was saved for backward; "
            "use an out-of-place op (x = x + 1) instead of x += 1 or x.add_(1).")


def _attach(t: Tensor, node: Optional[Node], nr: int) -> None:
    """Make ``t`` a tensor whose gradient flows into ``node`` (input ``nr``)."""
    if node is None:
        return
    t.requires_grad = True
    if isinstance(node, AccumulateGrad):
        t._accumulator = node  # the leaf's own accumulator: gradients reach ``leaf.grad``
    else:
        t.grad_fn, t._output_nr = node, nr


def _real_parts(grads: Tuple[Any, ...], real: Tuple[bool, ...]) -> Tuple[Any, ...]:
    """The gradient of a real input is the real part of a complex gradient: with
    L real and x real, ∂L/∂x = Re(conj-Wirtinger gradient) (torch's ``handle_r_to_c``)."""
    out = []
    for g, is_real in zip(grads, real):
        data = g._data if isinstance(g, Tensor) else g
        if is_real and getattr(data, "dtype", None) is not None and data.dtype.kind == "c":
            g = g.real.clone() if isinstance(g, Tensor) else data.real
        out.append(g)
    return (*out, *grads[len(out):])


def _edge(t: Tensor) -> Tuple[Optional[Node], int]:
    """Where the gradient of input ``t`` flows next: its grad_fn, its AccumulateGrad, or nowhere."""
    if t.grad_fn is not None:
        return (t.grad_fn, t._output_nr)
    if t.requires_grad:
        return (t._grad_accumulator(), 0)
    return (None, 0)


_FLOAT16 = np.dtype(np.float16)


def _widen_half(value: Any) -> Any:
    """A float16 array as float32 (anything else as it is)."""
    return value.astype(np.float32) if getattr(value, "dtype", None) is _FLOAT16 else value


def _narrow_half(values: Any) -> Any:
    """float32 results (an array or a tuple of them) rounded to float16, once."""
    if isinstance(values, tuple):
        return tuple(_narrow_half(v) for v in values)
    if getattr(values, "dtype", None) == np.float32:
        return values.astype(np.float16)
    return values


def _backend_of(tensors: Sequence[Tensor], cls: type) -> Any:
    """The kernels for the tensors' device: the CPU backend when every array is a NumPy one
    (the common case, decided without building a device object), else ``_common_device``'s
    (which raises for tensors on two devices)."""
    for t in tensors:
        if not isinstance(t._data, np.ndarray):
            return backend_for(_common_device(tensors, cls.__name__))
    return backend_for("cpu")


def _common_device(tensors: Sequence[Tensor], op: str) -> str:
    if not tensors:
        return "cpu"
    first = tensors[0].device.type
    for t in tensors[1:]:
        if t.device.type != first:
            raise RuntimeError(
                "Expected all tensors to be on the same device, but found at least two devices, "
                f"{_device_name(first)} and {_device_name(t.device.type)}! (in {op})")
    return first


def _device_name(kind: str) -> str:
    return "cuda:0" if kind == "cuda" else "cpu"


# ------------------------------------------------------------------------------------------
# Double backward through a node that has no ``backward_graph``
# ------------------------------------------------------------------------------------------
def _once_differentiable_result(node: Function, grads: List[Any]) -> Tuple[Any, ...]:
    """Run the array ``backward`` and wrap its results; differentiating them again raises
    (the values are right, only their own derivative is missing)."""
    with no_grad():
        result = node.backward(*[g._data if g is not None else 0 for g in grads])
    result = result if isinstance(result, tuple) else (result,)
    out = tuple(None if r is None else Tensor._wrap(r) for r in result)
    return tuple(_delayed_error(t, f"the derivative of {node.name()} is not implemented")
                 for t in out)


class DelayedError(Function):
    """Identity whose backward raises: marks a gradient that cannot be differentiated again."""

    def forward(self, x: Any, message: str) -> Any:
        self.message = message
        return x

    def backward(self, gy: Any) -> Any:
        raise RuntimeError(self.message)

    def name(self) -> str:
        return "DelayedError"


def _delayed_error(t: Optional[Tensor], message: str) -> Optional[Tensor]:
    if t is None or not is_grad_enabled():
        return t
    with enable_grad():
        out = DelayedError.apply(t.detach().requires_grad_(t.dtype.is_floating_point), message)
    return out


# ------------------------------------------------------------------------------------------
# PyTorch's style: static forward(ctx, ...) / backward(ctx, ...) on Tensors
# ------------------------------------------------------------------------------------------
class FunctionCtx:
    """The ``ctx`` of a PyTorch-style Function: what forward leaves for backward."""

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep Tensors (or None) for backward; they come back as ``ctx.saved_tensors``, still
        on the graph, so a backward written with Tensor ops can be differentiated again."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} "
                                f"is of type {type(t).__name__}")
        self.to_save = tensors

    def mark_dirty(self, *tensors: Tensor) -> None:
        """Declare inputs that forward modified in place (forward returns them)."""
        self.dirty_tensors = tensors

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """Declare outputs that get no gradient (e.g. indices)."""
        self.non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """With False, backward receives None (not zeros) for outputs that got no gradient."""
        self.materialize_grads = value


class BackwardCFunction(FunctionCtx, Node):
    """The node of one call of a PyTorch-style Function; it is also that call's ``ctx``."""

    _forward_cls: Any = None

    def __init__(self) -> None:
        self.to_save: Tuple[Any, ...] = ()
        self.dirty_tensors: Tuple[Tensor, ...] = ()
        self.non_differentiable: Tuple[Tensor, ...] = ()
        self.materialize_grads = True
        self.needs_input_grad: Tuple[bool, ...] = ()
        self._saved: Optional[List[Tuple[Any, int]]] = []
        self._outputs: List[Tuple[Any, ...]] = []  # (shape, dtype, device) of each output
        self._arg_is_tensor: Tuple[bool, ...] = ()

    @property
    def saved_tensors(self) -> Tuple[Any, ...]:
        if self._saved is None:
            raise RuntimeError(FREED_MESSAGE)
        out = []
        for t, version in self._saved:
            if t is not None and t._version != version:
                raise RuntimeError(_modified_message(
                    t.type_description() + "]", t._version, version))
            out.append(t)
        return tuple(out)

    def release(self) -> None:
        self._saved = None

    def run_backward(self, grads: List[Any], create_graph: bool) -> Sequence[Any]:
        if self._saved is None:
            raise RuntimeError(FREED_MESSAGE)
        tensors: List[Any] = []
        for nr, g in enumerate(grads):
            if g is not None and not isinstance(g, Tensor):
                g = Tensor._wrap(g)
            if g is None and self.materialize_grads and nr < len(self._outputs):
                g = _zeros_like(self._outputs[nr])
            tensors.append(g)
        tensors += [_zeros_like(o) if self.materialize_grads else None
                    for o in self._outputs[len(tensors):]]
        with enable_grad() if create_graph else no_grad(), as_caller():  # the user's code
            result = self._forward_cls.backward(self, *tensors)
        return self._match_inputs(result if isinstance(result, tuple) else (result,),
                                  create_graph)

    def _match_inputs(self, result: Tuple[Any, ...], create_graph: bool) -> List[Any]:
        """One gradient per Tensor input (torch's checks on count, position and shape)."""
        from minitorch.shapes import broadcast_shapes

        n = len(self._arg_is_tensor)
        if len(result) > n and all(r is None for r in result[n:]):
            result = result[:n]
        if len(result) != n:
            raise RuntimeError(f"function {self.name()} returned an incorrect number of "
                               f"gradients (expected {n}, got {len(result)})")
        out = []
        inputs = iter(self._inputs_meta)
        for pos, (g, is_tensor) in enumerate(zip(result, self._arg_is_tensor)):
            if not is_tensor:
                if g is not None:
                    raise RuntimeError(f"function {self.name()} returned a gradient different "
                                       f"than None at position {pos + 1}, but the "
                                       "corresponding forward input was not a Variable")
                continue
            shape, dtype = next(inputs)
            if g is not None and tuple(g.shape) != shape:
                try:
                    ok = broadcast_shapes(shape, tuple(g.shape)) == tuple(g.shape)
                except RuntimeError:
                    ok = False
                if not ok:
                    raise RuntimeError(
                        f"Function {self.name()} returned an invalid gradient at index {pos} - "
                        f"got {list(g.shape)} but expected shape compatible with {list(shape)}")
                g = _sum_to(g, shape)
            if g is not None and g.dtype != dtype:
                g = g._to(dtype, None)
            out.append(g if create_graph or g is None else g._data)
        return out


def _zeros_like(meta: Tuple[Any, ...]) -> Tensor:
    from minitorch.creation import zeros

    shape, dtype, device = meta
    return zeros(shape, dtype=dtype, device=device)


def _sum_to(g: Tensor, shape: Tuple[int, ...]) -> Tensor:
    from minitorch.autograd.ops.grad_ops import sum_to

    return sum_to(g, shape)


def _apply_ctx_style(cls: Any, args: Tuple[Any, ...], kwargs: dict) -> Any:
    """``MyFn.apply(*args)``: forward on Tensors without recording, then one node for it all."""
    ctx = cls._backward_cls()
    tensors = [a for a in args if isinstance(a, Tensor)]
    _common_device(tensors, cls.__name__)
    ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
    separate_setup = cls.setup_context is not Function.setup_context
    with no_grad():
        outputs = cls.forward(*args, **kwargs) if separate_setup else \
            cls.forward(ctx, *args, **kwargs)
        if separate_setup:
            cls.setup_context(ctx, args, outputs)
    single = not isinstance(outputs, tuple)
    outputs = (outputs,) if single else outputs
    record = is_grad_enabled() and any(t.requires_grad for t in tensors)
    if record:  # the edges first: a dirty input is about to become this node's output
        ctx.next_functions = tuple(_edge(t) for t in tensors)
    dirty = {id(t) for t in ctx.dirty_tensors}
    skip = {id(t) for t in ctx.non_differentiable}
    results = []
    for nr, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            results.append(out)
            continue
        if id(out) in dirty:
            out._check_inplace()  # forward changed it in place (and bumped its version)
        elif any(out is t for t in tensors) or out.requires_grad:
            out = out.detach()  # an input returned as is: a new tensor on the same storage
        ctx._outputs.append((tuple(out.shape), out.dtype, out.device))
        if record and out.dtype.is_floating_point and id(outputs[nr]) not in skip:
            if id(out) in dirty and out._base is not None:  # a view changed in place
                changed = Tensor._wrap(out._data)
                _attach(changed, ctx, nr)
                out._rebase(changed)
            else:
                out.requires_grad = True
                out.grad_fn, out._output_nr = ctx, nr
        elif id(outputs[nr]) in skip:
            out.requires_grad = False
        results.append(out)
    if record:
        ctx._arg_is_tensor = tuple(isinstance(a, Tensor) for a in args)
        ctx._inputs_meta = [(tuple(t.shape), t.dtype) for t in tensors]
        ctx._saved = [(t, t._version if t is not None else 0) for t in ctx.to_save]
    ctx.to_save = ()
    return results[0] if single else tuple(results)


def _setup_context_default(ctx: Any, inputs: Tuple[Any, ...], output: Any) -> None:
    raise NotImplementedError


Function.setup_context = staticmethod(_setup_context_default)  # type: ignore[attr-defined]


def once_differentiable(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a PyTorch-style ``backward`` that is written with non-differentiable code: it
    runs without recording, and differentiating its result again raises."""

    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any) -> Any:
        with no_grad():
            outputs = fn(ctx, *args)
        if not is_grad_enabled():
            return outputs
        if not any(isinstance(a, Tensor) and a.requires_grad for a in args):
            return outputs
        message = "trying to differentiate twice a function that was marked with " \
                  "@once_differentiable"
        if not isinstance(outputs, tuple):
            return _delayed_error(outputs, message) if isinstance(outputs, Tensor) else outputs
        return tuple(_delayed_error(o, message) if isinstance(o, Tensor) else o
                     for o in outputs)

    return wrapper
