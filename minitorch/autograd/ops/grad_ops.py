"""The differentiable-backward layer: ops that a gradient is made of.

With ``create_graph=True`` each op's ``backward_graph`` builds its gradient from Functions
that have a backward of their own, so the gradient can be differentiated again. Most rules
are ordinary Tensor arithmetic (``gy * y`` for eˣ); the ops below are the adjoints that have
no forward op of their own:

* ``IndexAdd``  z = zeros(shape); z[index] += g   — the adjoint of indexing (``GetItem``)
* ``ConvBackwardInput`` / ``ConvBackwardWeight`` — ∂conv/∂x and ∂conv/∂w as ops of (gy, w)
  and (gy, x). Each is bilinear, and its adjoints are the convolution and the other one.
* ``MaxPool2dBackward`` — scatter gy to the argmax; its adjoint gathers from the argmax.
* ``AvgPool2dBackward`` — spread gy over each window; its adjoint is avg_pool2d itself.
* ``AsStrided`` / ``CopySlices`` — a view re-read from its base, and the node a base gets
  when one of its views is changed in place (PyTorch's names).

A *view chain* is a list of steps (kind, argument) with kind one of ``index`` (basic
indexing), ``reshape``, ``permute``, ``expand``, ``as_real`` / ``as_complex`` (a complex array
seen as pairs of reals and back), ``chain``: how a view is read from its base.
"""

from __future__ import annotations

from typing import Any, List, Sequence, Tuple

from minitorch.autograd.function import Function
from minitorch.autograd.ops.depth_taps import conv_kernels
from minitorch.autograd.ops.util import complex_dtype, read_view, real_dtype
from minitorch.autograd.ops.util import for_kernel as _c

Step = Tuple[str, Any]


# -- Tensor helpers ---------------------------------------------------------------------------
def sum_to(g: Any, shape: Sequence[int]) -> Any:
    """Sum the Tensor ``g`` down to ``shape`` (the adjoint of broadcasting), on the graph."""
    shape = tuple(shape)
    if tuple(g.shape) == shape:
        return g
    extra = g.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(extra + i for i, s in enumerate(shape)
                                       if s == 1 and g.shape[extra + i] != 1)
    out = g.sum(axes, keepdim=True) if axes else g
    return out.reshape(shape)


def expand_back(g: Any, shape: Sequence[int], dims: Any, keepdim: bool) -> Any:
    """The adjoint of a reduction over ``dims``: put the reduced axes back (size 1), then
    broadcast the Tensor ``g`` to ``shape``."""
    shape = tuple(shape)
    if not keepdim:
        axes = range(len(shape)) if dims is None else dims
        kept = [1 if i in set(axes) else s for i, s in enumerate(shape)]
        g = g.reshape(tuple(kept))
    return g.expand(shape) if tuple(g.shape) != shape else g


# -- view chains ------------------------------------------------------------------------------
def replay_array(xp: Any, a: Any, steps: Sequence[Step]) -> Any:
    """Read the view described by ``steps`` out of the array ``a`` (a view of ``a``)."""
    for kind, arg in steps:
        if kind == "chain":
            a = replay_array(xp, a, arg)
        elif kind == "index":
            a = read_view(a, arg)
        elif kind == "reshape":
            a = a.reshape(arg)
        elif kind == "permute":
            a = a.transpose(arg)
        elif kind == "as_real":
            a = as_real_array(a)
        elif kind == "as_complex":
            a = as_complex_array(a)
        else:
            a = xp.broadcast_to(a, arg)
    return a


def as_real_array(z: Any) -> Any:
    """The complex array ``z`` seen as its (real, imaginary) pairs: shape (..., 2), same memory."""
    return z[..., None].view(real_dtype(z))


def as_complex_array(a: Any) -> Any:
    """The real array ``a`` of shape (..., 2) (last stride 1) seen as complex: same memory."""
    return a.view(complex_dtype(a))[..., 0]


def replay_tensor(t: Any, steps: Sequence[Step]) -> Any:
    """The same view read out of the Tensor ``t`` with differentiable ops."""
    from minitorch.autograd.ops import shape as sh

    for kind, arg in steps:
        if kind == "chain":
            t = replay_tensor(t, arg)
        elif kind == "index":
            t = sh.GetItem.apply(t, arg)
        elif kind == "reshape":
            t = sh.Reshape.apply(t, arg)
        elif kind == "permute":
            t = sh.Permute.apply(t, arg)
        elif kind == "as_real":
            t = ViewAsReal.apply(t)
        elif kind == "as_complex":
            t = ViewAsComplex.apply(t)
        else:
            t = sh.Expand.apply(t, arg)
    return t


def flatten_steps(steps: Sequence[Step]) -> List[Step]:
    out: List[Step] = []
    for kind, arg in steps:
        out += flatten_steps(arg) if kind == "chain" else [(kind, arg)]
    return out


# -- piecewise-constant factors ----------------------------------------------------------------
class Mask(Function):
    """m = step(x) for a piecewise-constant ``step`` (x > 0, sign x, lo ≤ x ≤ hi): ∂m/∂x = 0.
    A relu's gradient is gy·m; keeping m linked to x (with a zero derivative) makes the
    gradient of that gradient with respect to x zeros, not missing — as in PyTorch."""

    def forward(self, x: Any, step: Any) -> Any:
        return self.xp.asarray(step(self.xp, x)).astype(x.dtype)

    def backward(self, gm: Any) -> Any:
        return self.xp.zeros_like(gm)

    def backward_graph(self, gm: Any) -> Any:
        return gm * 0


# -- indexing ---------------------------------------------------------------------------------
class IndexAdd(Function):
    """z = zeros(shape); z[index] += g (repeated indices add up). Adjoint: gg[index]."""

    def forward(self, g: Any, index: Any, shape: Tuple[int, ...]) -> Any:
        from minitorch.autograd.ops.shape import _is_basic
        from minitorch.autograd.ops.util import scatter_add

        self.index = index
        z = self.xp.zeros(shape, dtype=g.dtype)
        if _is_basic(index):  # a view: every position at most once
            z[index] = g
        else:
            scatter_add(self.xp, z, index, g)
        return z

    def backward(self, gg: Any) -> Any:
        return self.xp.ascontiguousarray(gg[self.index])

    def backward_graph(self, gg: Any) -> Any:
        from minitorch.autograd.ops.shape import GetItem

        return GetItem.apply(gg, self.index)


# -- cross-entropy ----------------------------------------------------------------------------
def cross_entropy_targets(xp: Any, logp: Any, target: Any, weight: Any, ignore_index: int,
                          label_smoothing: float) -> Any:
    """q[n, c] with loss[n] = -Σ_c q[n, c]·logp[n, c]:
    q = valid[n]·((1-ε)·w[t[n]]·[c = t[n]] + (ε/C)·w[c])."""
    n, c = logp.shape
    w = xp.ones(c, dtype=logp.dtype) if weight is None else weight.astype(logp.dtype)
    valid = target != ignore_index
    t = xp.where(valid, target, 0)
    q = xp.zeros((n, c), dtype=logp.dtype)
    q[xp.arange(n), t] = (1 - label_smoothing) * w[t]
    if label_smoothing:
        q += (label_smoothing / c) * w[None, :]
    return q * valid[:, None]


# -- convolution ------------------------------------------------------------------------------
class ConvBackwardInput(Function):
    """gx = conv2d_backward_input(gy, w): bilinear in (gy, w).
    ⟨ggx, gx⟩ = ⟨conv2d(ggx, w), gy⟩, so ∂/∂gy = conv2d(ggx, w), ∂/∂w = backward_weight(gy, ggx)."""

    def forward(self, gy: Any, w: Any, x_shape: Tuple[int, ...], args: Tuple[Any, ...]) -> Any:
        gy, w = _c(self.xp, gy), _c(self.xp, w)
        self.x_shape, self.w_shape, self.args = x_shape, w.shape, args
        self.out_hw = gy.shape[2:]
        self.save_for_backward(gy, w)
        return conv_kernels(self, gy).conv2d_backward_input(gy, w, x_shape, *args)

    def backward(self, ggx: Any) -> Any:
        gy, w = self.saved_tensors
        ggx, k = _c(self.xp, ggx), conv_kernels(self, gy)
        return (k.conv2d_forward(ggx, w, None, *self.args, self.out_hw),
                k.conv2d_backward_weight(gy, ggx, self.w_shape, *self.args))

    def backward_graph(self, ggx: Any) -> Any:
        from minitorch.autograd.ops.nn import Conv2d

        gy, w = self.saved_tensors
        return (Conv2d.apply(ggx, self.graph_input(1, w), None, *self.args, self.out_hw),
                ConvBackwardWeight.apply(self.graph_input(0, gy), ggx, self.w_shape, self.args))


class ConvBackwardWeight(Function):
    """gw = conv2d_backward_weight(gy, x): bilinear in (gy, x).
    ⟨ggw, gw⟩ = ⟨conv2d(x, ggw), gy⟩, so ∂/∂gy = conv2d(x, ggw), ∂/∂x = backward_input(gy, ggw)."""

    def forward(self, gy: Any, x: Any, w_shape: Tuple[int, ...], args: Tuple[Any, ...]) -> Any:
        gy, x = _c(self.xp, gy), _c(self.xp, x)
        self.x_shape, self.w_shape, self.args = x.shape, w_shape, args
        self.out_hw = gy.shape[2:]
        self.save_for_backward(gy, x)
        return conv_kernels(self, gy).conv2d_backward_weight(gy, x, w_shape, *args)

    def backward(self, ggw: Any) -> Any:
        gy, x = self.saved_tensors
        ggw, k = _c(self.xp, ggw), conv_kernels(self, gy)
        return (k.conv2d_forward(x, ggw, None, *self.args, self.out_hw),
                k.conv2d_backward_input(gy, ggw, self.x_shape, *self.args))

    def backward_graph(self, ggw: Any) -> Any:
        from minitorch.autograd.ops.nn import Conv2d

        gy, x = self.saved_tensors
        return (Conv2d.apply(self.graph_input(1, x), ggw, None, *self.args, self.out_hw),
                ConvBackwardInput.apply(self.graph_input(0, gy), ggw, self.x_shape, self.args))


# -- pooling ----------------------------------------------------------------------------------
def _plane_index(xp: Any, indices: Any) -> Tuple[Any, Any, Any]:
    """(n, c, flat h·W + w) index arrays that pick each window's argmax out of (N, C, H·W)."""
    n, c = indices.shape[:2]
    return (xp.arange(n).reshape(n, 1, 1, 1), xp.arange(c).reshape(1, c, 1, 1), indices)


class MaxPool2dBackward(Function):
    """gx = zeros; gx[n, c, argmax] += gy — linear in gy; its adjoint gathers gg at the argmax."""

    def forward(self, gy: Any, indices: Any, x_shape: Tuple[int, ...],
                window: Any = None) -> Any:
        self.indices, self.x_shape = indices, x_shape
        return self.backend.max_pool2d_backward(_c(self.xp, gy), indices, x_shape, window)

    def _gather_index(self) -> Tuple[Any, Any, Any]:
        return _plane_index(self.xp, self.indices)

    def backward(self, gg: Any) -> Any:
        n, c, h, w = self.x_shape
        return gg.reshape(n, c, h * w)[self._gather_index()]

    def backward_graph(self, gg: Any) -> Any:
        from minitorch.autograd.ops.shape import GetItem

        n, c, h, w = self.x_shape
        return GetItem.apply(gg.reshape(n, c, h * w), self._gather_index())


class AvgPool2dBackward(Function):
    """gx = avg_pool2d_backward(gy): linear in gy; its adjoint is avg_pool2d itself."""

    def forward(self, gy: Any, x_shape: Tuple[int, ...], args: Tuple[Any, ...]) -> Any:
        self.args, self.out_hw = args, gy.shape[2:]
        return self.backend.avg_pool2d_backward(_c(self.xp, gy), x_shape, *args)

    def _pool_args(self) -> Tuple[Any, ...]:
        k, s, p, count_include_pad, divisor = self.args
        return (k, s, p, self.out_hw, count_include_pad, divisor)

    def backward(self, gg: Any) -> Any:
        return self.backend.avg_pool2d_forward(_c(self.xp, gg), *self._pool_args())

    def backward_graph(self, gg: Any) -> Any:
        from minitorch.autograd.ops.nn import AvgPool2d

        return AvgPool2d.apply(gg, *self._pool_args())


# -- views and in-place -----------------------------------------------------------------------
class AsStrided(Function):
    """y = the view ``steps`` read again from its base (after the base changed in place).
    Backward undoes the steps in reverse: index → scatter into zeros, reshape → reshape back,
    permute → inverse permutation, expand → sum."""

    is_view = True

    def forward(self, base: Any, steps: Sequence[Step]) -> Any:
        self.steps = flatten_steps(steps)
        self.shapes = []
        y = base
        for step in self.steps:
            self.shapes.append(y.shape)
            y = replay_array(self.xp, y, [step])
        return y

    def view_step(self) -> Step:
        return ("chain", self.steps)

    def backward(self, gy: Any) -> Any:
        from minitorch.autograd.ops.util import unbroadcast

        xp = self.xp
        for (kind, arg), shape in zip(reversed(self.steps), reversed(self.shapes)):
            if kind == "index":
                z = xp.zeros(shape, dtype=gy.dtype)
                z[arg] = gy
                gy = z
            elif kind == "reshape":
                gy = gy.reshape(shape)
            elif kind == "permute":
                gy = gy.transpose(tuple(_inverse(arg)))
            elif kind == "as_real":
                gy = as_complex_array(xp.ascontiguousarray(gy))
            elif kind == "as_complex":
                gy = as_real_array(gy)
            else:
                gy = unbroadcast(xp, gy, shape)
        return gy

    def backward_graph(self, gy: Any) -> Any:
        for (kind, arg), shape in zip(reversed(self.steps), reversed(self.shapes)):
            if kind == "index":
                gy = IndexAdd.apply(gy, arg, shape)
            elif kind == "reshape":
                gy = gy.reshape(shape)
            elif kind == "permute":
                gy = gy.permute(_inverse(arg))
            elif kind == "as_real":
                gy = ViewAsComplex.apply(gy.contiguous())
            elif kind == "as_complex":
                gy = ViewAsReal.apply(gy)
            else:
                gy = sum_to(gy, shape)
        return gy

    def name(self) -> str:
        return "AsStridedBackward0"


class ViewAsReal(Function):
    """y = view_as_real(z): the complex z = x + iy as the real pairs (x, y) along a new last
    dim of size 2, sharing z's memory. For a real loss, ∂L/∂z = ∂L/∂x + i ∂L/∂y (torch's
    conjugate Wirtinger gradient), so gz = gy[..., 0] + i gy[..., 1] = view_as_complex(gy)."""

    is_view = True

    def forward(self, z: Any) -> Any:
        return as_real_array(z)

    def backward(self, gy: Any) -> Any:
        return as_complex_array(self.xp.ascontiguousarray(gy))

    def backward_graph(self, gy: Any) -> Any:
        return ViewAsComplex.apply(gy.contiguous())

    def view_step(self) -> Step:
        return ("as_real", None)


class ViewAsComplex(Function):
    """z = view_as_complex(a) = a[..., 0] + i a[..., 1] for a real a of shape (..., 2) whose
    last dim has stride 1, sharing a's memory; its adjoint is ViewAsReal: ga = view_as_real(gz)."""

    is_view = True

    def forward(self, a: Any) -> Any:
        return as_complex_array(a)

    def backward(self, gz: Any) -> Any:
        return as_real_array(self.xp.asarray(gz, dtype=complex_dtype(gz)))

    def backward_graph(self, gz: Any) -> Any:
        return ViewAsReal.apply(gz)

    def view_step(self) -> Step:
        return ("as_complex", None)


def _inverse(perm: Sequence[int]) -> List[int]:
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return inv


class CopySlices(Function):
    """The node of a base tensor after its view was changed in place by an op whose result is
    ``value``: base_new = base_old outside the view, ``value`` inside it. Backward: the
    gradient outside the view goes to base_old, the gradient read through the view to value."""

    def forward(self, base: Any, value: Any, steps: Sequence[Step]) -> Any:
        self.steps = list(steps)
        return base  # the values are already written (through the view)

    def _outside(self, g: Any) -> Any:
        mask = self.xp.ones(g.shape, dtype=g.dtype)
        view = replay_array(self.xp, mask, self.steps)
        flags = getattr(view, "flags", None)
        if flags is not None and not flags.writeable:
            flags.writeable = True  # through an expand: NumPy marks it read-only, yet the
            # in-place op was allowed, so no two of its elements share memory
        view[...] = 0
        return mask

    def backward(self, g: Any) -> Any:
        view = replay_array(self.xp, g, self.steps)
        inside = self.xp.ascontiguousarray(view).reshape(view.shape)  # (a 0-d view stays 0-d)
        if g.dtype.kind == "c":  # a view of real parts (``z.real``): zero what it wrote
            outside = g.copy()
            replay_array(self.xp, outside, self.steps)[...] = 0
            return outside, inside
        # select, not multiply by the 0/1 mask: an inf gradient inside the view is not NaN
        return self.xp.where(self._outside(g) != 0, g, 0).astype(g.dtype), inside

    def backward_graph(self, g: Any) -> Any:
        return g * self.constant(self._outside(g._data)), replay_tensor(g, self.steps)

    def name(self) -> str:
        return "CopySlices"
