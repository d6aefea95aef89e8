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
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Optional, Sequence, Tuple

from minitorch.autograd.grad_mode import is_grad_enabled
from minitorch.backends import backend_for

if TYPE_CHECKING:
    from minitorch.tensor import Tensor

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


class Node:
    """What the engine needs from a graph node: ``next_functions`` and ``backward``."""

    next_functions: Tuple[Tuple[Optional[Node], int], ...] = ()

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{self.name()} object at {hex(id(self))}>"


class AccumulateGrad(Node):
    """The node of a leaf tensor: its backward adds the incoming gradient into ``variable.grad``."""

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable


class Function(Node):
    """Base class of every differentiable op. Subclasses define ``forward`` and ``backward``."""

    is_view = False  # True when the output shares the input's storage (reshape, permute, ...)

    def __init__(self) -> None:
        self.saved: Optional[Tuple[Any, ...]] = ()
        self.needs_input_grad: Tuple[bool, ...] = ()
        self._saved_versions: List[Tuple[list, int, str]] = []  # (counter, version, what)
        self.tensor_hooks: dict = {}

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
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified "
                    f"by an inplace operation: [{what}, is "
                    f"at version {counter[0]}; expected version {version} instead. Hint: the "
                    "tensor was changed in place after it was saved for backward; use an "
                    "out-of-place op (x = x + 1) instead of x += 1 or x.add_(1).")
        return self.saved

    def release(self) -> None:
        """Free what forward saved (called by the engine unless ``retain_graph``)."""
        self.saved = None

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def backward(self, *grad_outputs: Any) -> Any:
        raise NotImplementedError

    def name(self) -> str:
        return f"{type(self).__name__}Backward0"

    # -- the glue between tensors and arrays ---------------------------------------------
    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run the op on tensors: returns a Tensor (or a tuple, if forward returns one)."""
        from minitorch.tensor import Tensor

        tensors = [a for a in args if isinstance(a, Tensor)]
        device = _common_device(tensors, cls.__name__)
        fn = cls()
        fn.backend = backend_for(device)
        fn.xp = fn.backend.xp
        raw = [a._data if isinstance(a, Tensor) else a for a in args]
        outputs = fn.forward(*raw, **kwargs)
        single = not isinstance(outputs, tuple)
        outputs = (outputs,) if single else outputs

        record = is_grad_enabled() and any(t.requires_grad for t in tensors)
        results = []
        for nr, out in enumerate(outputs):
            t = Tensor._wrap(out)
            if record and t.dtype.is_floating_point:
                t.requires_grad = True
                t.grad_fn = fn
                t._output_nr = nr
            results.append(t)
        if fn.is_view and tensors:
            if fn.xp.may_share_memory(results[0]._data, tensors[0]._data):
                results[0]._vc = tensors[0]._vc
            else:  # e.g. reshape of a non-contiguous input copies: not a view, as in torch
                fn.is_view = False
        if record:
            fn.needs_input_grad = tuple(t.requires_grad for t in tensors)
            fn.next_functions = tuple(_edge(t) for t in tensors)
            fn._track_saved(tensors, results)
        else:
            fn.saved = ()
        return results[0] if single else tuple(results)

    def _track_saved(self, inputs: Sequence[Tensor], outputs: Sequence[Tensor]) -> None:
        """Remember the version of each saved input/output, to catch later in-place edits."""
        for array in self.saved or ():
            for t in (*inputs, *outputs):
                if array is t._data:
                    fn = self if any(t is o for o in outputs) else t.grad_fn
                    what = t.type_description() + "]" + (
                        f", which is output {t._output_nr} of {fn.name()}" if fn else "")
                    self._saved_versions.append((t._vc, t._vc[0], what))
                    break


def _edge(t: Tensor) -> Tuple[Optional[Node], int]:
    """Where the gradient of input ``t`` flows next: its grad_fn, its AccumulateGrad, or nowhere."""
    if t.grad_fn is not None:
        return (t.grad_fn, t._output_nr)
    if t.requires_grad:
        return (t._grad_accumulator(), 0)
    return (None, 0)


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
