"""The layers' ops: convolution, pooling, activations, softmax and cross-entropy.

Each Function checks nothing itself (``minitorch.nn.functional`` ran :mod:`minitorch.shapes`
first) and calls one kernel of the backend per direction, so a learner can follow a tensor
from ``nn.Conv2d`` to ``backend.conv2d_forward`` and back through ``conv2d_backward_*``.

Every kernel input is made what the kernels take here, with one helper (the contract of
:mod:`minitorch.backends.base`): C-contiguous, and every floating input in the input's dtype
(``_c`` = :func:`minitorch.autograd.ops.util.for_kernel`, which ``linalg.Linear`` uses too).
Backends check this; they never convert.
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

from minitorch.autograd.function import Function
from minitorch.autograd.ops.depth_taps import conv_kernels
from minitorch.autograd.ops.grad_ops import (
    AvgPool2dBackward,
    ConvBackwardInput,
    ConvBackwardWeight,
    Mask,
    MaxPool2dBackward,
)
from minitorch.autograd.ops.util import for_kernel as _c
from minitorch.shapes import normalize_dim


def require_floating(x: Any, op: str) -> None:
    """Refuse a non-floating tensor ``x`` for ``op`` as torch does (NotImplementedError, a
    RuntimeError subclass, naming the op and the dtype)."""
    if not x.dtype.is_floating_point:
        raise NotImplementedError(f"\"{op}\" not implemented for '"
                                  f"{x.type_description().split('.')[-1].split('Tensor')[0]}'")


def softmax_dim(x: Any, dim: Optional[int], op: str = "softmax") -> int:
    """The dim a softmax (``op``: or log_softmax) of tensor ``x`` runs along: ``dim``
    normalised, or PyTorch's legacy implicit choice when it is None (0 for 0-, 1- and 3-d
    input, else 1); a non-floating ``x`` is refused naming torch's kernel for that dim."""
    if dim is None:
        dim = 0 if x.ndim in (0, 1, 3) else 1
    dim = normalize_dim(dim, x.ndim)  # a 0-d tensor accepts -1 and 0 only
    require_floating(x, f"{op}_lastdim_kernel_impl" if dim == max(x.ndim - 1, 0)
                     else f"{op}_kernel_impl")
    return dim if x.ndim else 0


class Lifted(Function):
    """An op whose kernels are 4-D (N, C, H, W), called on operands with one axis fewer —
    conv1d's (N, C, L) seen as (N, C, 1, L) (``lift`` = 2), an unbatched pool's (C, H, W) as
    (1, C, H, W) (``lift`` = 0) — so that the node has torch's name (ConvolutionBackward0,
    MaxPool2DWithIndicesBackward0) and its inputs their own shapes: the kernels see views
    with the axis inserted (``up``), the results leave without it (``down``)."""

    lift: Optional[int] = None

    def up(self, a: Any) -> Any:
        return a if self.lift is None or a is None else self.xp.expand_dims(a, self.lift)

    def down(self, a: Any) -> Any:
        return a if self.lift is None or a is None else a.squeeze(self.lift)

    def up_shape(self, shape: Any) -> Any:
        return shape if self.lift is None else \
            tuple(shape[:self.lift]) + (1,) + tuple(shape[self.lift:])

    def graph_up(self, t: Any) -> Any:
        return t if self.lift is None or t is None else t.unsqueeze(self.lift)

    def graph_down(self, t: Any) -> Any:
        return t if self.lift is None or t is None else t.squeeze(self.lift)


def _conv_operands(fn: Function, x: Any, w: Any, b: Optional[Any], stride: Any, padding: Any,
                   dilation: Any, groups: int) -> Any:
    """x, w and b as the kernels take them (C-contiguous, w and b in x's dtype), with what the
    backward needs remembered on ``fn`` (arguments, shapes, x and w): the forward of Conv2d
    and of ConvTranspose2d alike."""
    xp = fn.xp
    x = _c(xp, x)
    w, b = _c(xp, w, x.dtype), _c(xp, b, x.dtype)
    fn.args = (stride, padding, dilation, groups)
    fn.lift = 2 if x.ndim == 3 else None  # (N, C, L): a 1-D convolution
    fn.x_shape, fn.w_shape = fn.up_shape(x.shape), fn.up_shape(w.shape)  # as the kernels see
    fn.has_bias = b is not None
    fn.save_for_backward(x, w)
    return fn.up(x), fn.up(w), b


def _spatial(a: Any) -> Tuple[int, ...]:
    """The dims a bias gradient sums over: all but the channels (dim 1)."""
    return (0, *range(2, a.ndim))


class Conv2d(Lifted):
    """y = conv2d(x, w) + b on batched NCHW input — or conv1d's (N, C, L) input and (O, C, k)
    weight, seen as a height of one, or conv3d's (N, C, D, H, W) and (O, C, kD, kH, kW),
    computed by the 2-D kernels over the depth taps
    (:class:`~minitorch.autograd.ops.depth_taps.DepthTaps`)."""

    def forward(self, x: Any, w: Any, b: Optional[Any], stride: Any, padding: Any,
                dilation: Any, groups: int, out_hw: Any) -> Any:
        x, w, b = _conv_operands(self, x, w, b, stride, padding, dilation, groups)
        return self.down(conv_kernels(self, x).conv2d_forward(x, w, b, stride, padding,
                                                              dilation, groups, out_hw))

    def backward(self, gy: Any) -> Any:
        x, w = (self.up(a) for a in self.saved_tensors)
        gy = _c(self.xp, self.up(gy))
        need = self.needs_input_grad
        kernels = conv_kernels(self, x)
        gx = kernels.conv2d_backward_input(gy, w, self.x_shape, *self.args) if need[0] else None
        if self.has_bias and need[1] and need[2]:  # one pass over gy for both (if fused)
            gw, gb = kernels.conv2d_backward_weight_bias(gy, x, self.w_shape, *self.args)
            return self.down(gx), self.down(gw), gb
        gw = kernels.conv2d_backward_weight(gy, x, self.w_shape, *self.args) if need[1] else None
        if not self.has_bias:
            return self.down(gx), self.down(gw)
        gb = kernels.conv2d_backward_bias(gy) if need[2] else None
        return self.down(gx), self.down(gw), gb

    def name(self) -> str:  # torch's node for every convolution
        return "ConvolutionBackward0"

    def backward_graph(self, gy: Any) -> Any:
        x, w = self.saved_tensors
        need = self.needs_input_grad
        gy = self.graph_up(gy)
        gx = ConvBackwardInput.apply(gy, self.graph_up(self.graph_input(1, w)), self.x_shape,
                                     self.args) if need[0] else None
        gw = ConvBackwardWeight.apply(gy, self.graph_up(self.graph_input(0, x)), self.w_shape,
                                      self.args) if need[1] else None
        gx, gw = self.graph_down(gx), self.graph_down(gw)
        if not self.has_bias:
            return gx, gw
        return gx, gw, gy.sum(_spatial(gy)) if need[2] else None


class ConvTranspose2d(Lifted):
    """y = conv_transpose2d(x, w) + b: the adjoint of conv2d. Every input pixel x[n, c, i, j]
    adds x·w[c, o, p, q] onto output pixel (i·sh − pt + p·dh, j·sw − pl + q·dw) — the
    scatter that is conv2d's input gradient, so the backend's ``conv2d_backward_input``
    computes it with x in the gradient's place and w (C_in, C_out / groups, kH, kW) as conv2d's
    weight. Backward swaps roles the same way: gx = conv2d(gy, w), gw =
    conv2d_backward_weight(x, gy) (x as the gradient, gy as the input), gb = Σ gy. 1-D
    (N, C, L) operands are seen as a height of one, and 3-D ones run over the depth taps, as
    in :class:`Conv2d`."""

    def forward(self, x: Any, w: Any, b: Optional[Any], stride: Any, padding: Any,
                dilation: Any, groups: int, out_shape: Any) -> Any:
        x, w, b = _conv_operands(self, x, w, b, stride, padding, dilation, groups)
        y = conv_kernels(self, x).conv2d_backward_input(x, w, out_shape, *self.args)
        return self.down(y + b.reshape(1, -1, *(1,) * (y.ndim - 2)) if b is not None else y)

    def backward(self, gy: Any) -> Any:
        x, w = (self.up(a) for a in self.saved_tensors)
        gy, need = _c(self.xp, self.up(gy)), self.needs_input_grad
        kernels = conv_kernels(self, x)
        gx = kernels.conv2d_forward(gy, w, None, *self.args, self.x_shape[2:]) \
            if need[0] else None
        gw = kernels.conv2d_backward_weight(x, gy, self.w_shape, *self.args) if need[1] else None
        if not self.has_bias:
            return self.down(gx), self.down(gw)
        return self.down(gx), self.down(gw), \
            kernels.conv2d_backward_bias(gy) if need[2] else None

    def backward_graph(self, gy: Any) -> Any:
        x, w = self.saved_tensors
        need = self.needs_input_grad
        gy = self.graph_up(gy)
        gx = Conv2d.apply(gy, self.graph_up(self.graph_input(1, w)), None, *self.args,
                          self.x_shape[2:]) if need[0] else None
        gw = ConvBackwardWeight.apply(self.graph_up(self.graph_input(0, x)), gy, self.w_shape,
                                      self.args) if need[1] else None
        gx, gw = self.graph_down(gx), self.graph_down(gw)
        if not self.has_bias:
            return gx, gw
        return gx, gw, gy.sum(_spatial(gy)) if need[2] else None

    def name(self) -> str:  # torch's node for every convolution, transposed too
        return "ConvolutionBackward0"


class MaxPool2d(Lifted):
    """(y, indices) = max over each window; the gradient goes to the argmax. An unbatched
    (C, H, W) input is seen as a batch of one."""

    def forward(self, x: Any, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
                out_hw: Any) -> Any:
        self.lift = 0 if x.ndim == 3 else None
        x = _c(self.xp, self.up(x))
        self.x_shape = x.shape
        y, indices = self.backend.max_pool2d_forward(x, kernel_size, stride, padding, dilation,
                                                     out_hw)
        self.indices, self.window = indices, (kernel_size, stride, padding, dilation)
        return self.down(y), self.down(indices)

    def backward(self, gy: Any, _gidx: Any = None) -> Any:
        return self.down(self.backend.max_pool2d_backward(_c(self.xp, self.up(gy)),
                                                          self.indices, self.x_shape,
                                                          self.window))

    def backward_graph(self, gy: Any, _gidx: Any = None) -> Any:
        return self.graph_down(MaxPool2dBackward.apply(self.graph_up(gy), self.indices,
                                                       self.x_shape, self.window))

    def name(self) -> str:
        return "MaxPool2DWithIndicesBackward0"


class AvgPool2d(Lifted):
    """y = mean over each window (PyTorch's divisor rules); (C, H, W) as a batch of one."""

    def forward(self, x: Any, kernel_size: Any, stride: Any, padding: Any, out_hw: Any,
                count_include_pad: bool, divisor_override: Optional[int]) -> Any:
        self.lift = 0 if x.ndim == 3 else None
        x = _c(self.xp, self.up(x))
        self.x_shape = x.shape
        self.args = (kernel_size, stride, padding, count_include_pad, divisor_override)
        return self.down(self.backend.avg_pool2d_forward(x, kernel_size, stride, padding,
                                                         out_hw, count_include_pad,
                                                         divisor_override))

    def backward(self, gy: Any) -> Any:
        return self.down(self.backend.avg_pool2d_backward(_c(self.xp, self.up(gy)),
                                                          self.x_shape, *self.args))

    def backward_graph(self, gy: Any) -> Any:
        return self.graph_down(AvgPool2dBackward.apply(self.graph_up(gy), self.x_shape,
                                                       self.args))

    def name(self) -> str:
        return "AvgPool2DBackward0"


class _Activation(Function):
    """y = f(x), with a backward computed from the saved output y."""

    kernel = ""

    def forward(self, x: Any) -> Any:
        self.shape = x.shape  # a 0-d input runs as shape (1,) and comes back 0-d
        y = getattr(self.backend, f"{self.kernel}_forward")(_c(self.xp, x.reshape(x.shape
                                                                                   or (1,))))
        self.save_for_backward(y)
        return y if len(self.shape) else y.reshape(())

    def backward(self, gy: Any) -> Any:
        (y,) = self.saved_tensors
        gy = _c(self.xp, gy.reshape(y.shape))
        return getattr(self.backend, f"{self.kernel}_backward")(gy, y).reshape(self.shape)

    def backward_graph(self, gy: Any) -> Any:
        (y,) = self.saved_tensors
        return self.derivative(gy, self.graph_output(0, y.reshape(self.shape)))

    def derivative(self, gy: Any, y: Any) -> Any:
        """∂L/∂x from ∂L/∂y and the output y, as Tensor ops."""
        raise NotImplementedError


def _positive(xp: Any, y: Any) -> Any:
    return ~(y <= 0)  # NaN passes its gradient, as in torch's threshold_backward


class Relu(_Activation):
    """y = max(x, 0)."""

    kernel = "relu"

    def derivative(self, gy: Any, y: Any) -> Any:  # 1 where y > 0
        return gy * Mask.apply(y, _positive)


class Tanh(_Activation):
    """y = tanh(x)."""

    kernel = "tanh"

    def derivative(self, gy: Any, y: Any) -> Any:
        return gy * (1 - y * y)


class Sigmoid(_Activation):
    """y = 1 / (1 + e^{-x})."""

    kernel = "sigmoid"

    def derivative(self, gy: Any, y: Any) -> Any:
        return gy * y * (1 - y)


class _AlongDim(Function):
    """y = f(x) along ``dim`` (the softmax family), backward from the saved output y."""

    kernel = ""

    def forward(self, x: Any, dim: int) -> Any:
        self.dim, self.shape = dim, x.shape
        forward = getattr(self.backend, f"{self.kernel}_forward")
        y = forward(_c(self.xp, x.reshape(x.shape or (1,))), dim)
        self.save_for_backward(y)
        return y if len(self.shape) else y.reshape(())  # a 0-d input stays 0-d

    def backward(self, gy: Any) -> Any:
        (y,) = self.saved_tensors
        gy = _c(self.xp, gy.reshape(y.shape))
        backward = getattr(self.backend, f"{self.kernel}_backward")
        return backward(gy, y, self.dim).reshape(self.shape)

    def backward_graph(self, gy: Any) -> Any:
        (y,) = self.saved_tensors
        return self.derivative(gy, self.graph_output(0, y.reshape(self.shape)))

    def derivative(self, gy: Any, y: Any) -> Any:
        raise NotImplementedError


class Softmax(_AlongDim):
    """y = softmax(x) along ``dim``."""

    kernel = "softmax"

    def derivative(self, gy: Any, y: Any) -> Any:  # y ⊙ (gy - Σ gy ⊙ y)
        return y * (gy - (gy * y).sum(self.dim, keepdim=True))


class LogSoftmax(_AlongDim):
    """y = log_softmax(x) along ``dim``."""

    kernel = "log_softmax"

    def derivative(self, gy: Any, y: Any) -> Any:  # gy - softmax ⊙ Σ gy
        return gy - y.exp() * gy.sum(self.dim, keepdim=True)


class CrossEntropy(Function):
    """Fused log_softmax + NLL (+ label smoothing) on (N, C) logits, then the reduction:
    ``"none"`` returns the per-sample losses, ``"sum"`` their sum, ``"mean"`` their sum
    divided by Σ w[target] over the samples not ignored (the backend's
    ``cross_entropy_reduced_forward``, which returns that denominator for the backward).
    ``target`` and ``weight`` arrive as raw arrays: they get no gradient.

    PyTorch computes cross_entropy as nll_loss(log_softmax(x)) and shows its node as
    ``NllLossBackward0`` (``NllLoss2DBackward0`` for (N, C, d1, ...) input); this one
    Function does both steps and shows the same name."""

    def forward(self, logits: Any, target: Any, weight: Optional[Any], ignore_index: int,
                label_smoothing: float, reduction: str, spatial: bool = False) -> Any:
        xp = self.xp
        self.spatial = spatial  # (N, C, d1, ...) input, flattened by the caller
        self.args = (_c(xp, target, xp.int64), _c(xp, weight, logits.dtype), ignore_index,
                     label_smoothing)
        loss, logp, self.denominator = self.backend.cross_entropy_reduced_forward(
            _c(xp, logits), *self.args, reduction)
        self.save_for_backward(logp, logits)
        self.reduction = reduction
        return loss

    def backward(self, gout: Any) -> Any:
        logp, _ = self.saved_tensors
        return self.backend.cross_entropy_reduced_backward(
            _c(self.xp, gout), logp, *self.args, self.reduction, self.denominator)

    def backward_graph(self, gout: Any) -> Any:
        """gx[n] = gloss[n]·(softmax(x[n])·Σ_c q[n,c] - q[n]) with loss[n] = -Σ_c q[n,c]·logp[n,c]:
        q holds the (smoothed, weighted) target distribution, a constant."""
        from minitorch.autograd.ops.grad_ops import cross_entropy_targets

        logp, logits = self.saved_tensors
        q = cross_entropy_targets(self.xp, logp, *self.args)
        x = self.graph_input(0, logits)
        gloss = gout if self.reduction == "none" else gout.reshape(1).expand(logp.shape[0])
        if self.reduction == "mean":
            gloss = gloss / self.denominator
        p = LogSoftmax.apply(x, 1).exp()
        q_sum = self.constant(q.sum(axis=1, keepdims=True))
        return (p * q_sum - self.constant(q)) * gloss.reshape(-1, 1)

    def name(self) -> str:
        return "NllLoss2DBackward0" if self.spatial else "NllLossBackward0"
