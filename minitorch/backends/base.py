"""The kernel interface every backend implements.

Autograd ``Function``s never branch on the backend: they ask the registry for the
backend of their inputs and call the methods below on raw arrays (NumPy or CuPy).
Everything that is *not* in this interface (elementwise arithmetic, reshapes,
reductions) is written once, against the array module ``backend.xp``, in the
autograd ops themselves — the DeZero/Chainer way.

Conventions shared by every kernel
----------------------------------
* Arrays arrive C-contiguous, in float32 or float64, every floating input of one call in
  the same dtype (int64 for targets and indices); every output has the dtype of the input
  ``x`` (or ``gy``). The autograd ops (:mod:`minitorch.autograd.ops.nn`) make them so, once;
  backends do not convert, they check (:func:`check_inputs`).
* Image tensors are batched NCHW: ``x`` is ``(N, C, H, W)``. Unbatched input is
  handled above the kernels.
* ``stride``, ``dilation`` and ``kernel_size`` are ``(h, w)`` tuples of ints ≥ 1.
* Convolution ``padding`` is ``(top, bottom, left, right)`` zeros, so that
  ``padding="same"`` with an even kernel (the extra pad goes bottom/right) needs no
  special case. Pooling ``padding`` is ``(ph, pw)``, symmetric.
* Every argument has already been checked by :mod:`minitorch.shapes`, which also
  computes the output size; kernels receive it as ``out_hw = (Ho, Wo)``.

Output size (the tutorial's formula, with dilation)::

    Ho = floor((H + pad_top + pad_bottom - dilation_h * (kH - 1) - 1) / stride_h) + 1

Pooling with ``ceil_mode`` may round up instead; :func:`minitorch.shapes.pool_output_size`
decides, and the kernels just loop over ``out_hw``.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Optional, Tuple

Array = Any  # numpy.ndarray or cupy.ndarray
Pair = Tuple[int, int]
# A pooling window: (kernel_size, stride, padding, dilation).
PoolWindow = Tuple[Pair, Pair, Pair, Pair]
Quad = Tuple[int, int, int, int]


def mean_denominator(xp: ModuleType, target: Array, weight: Optional[Array],
                     ignore_index: int, dtype: Any) -> Array:
    """D = Σ_{n not ignored} w[target[n]] as a 0-d array of ``dtype`` — the count of kept
    samples when ``weight`` is None (counted in ``dtype``: no cast afterwards): what the
    "mean" of the NLL and cross-entropy losses divides by."""
    valid = target != ignore_index
    if weight is None:
        total = valid.sum(dtype=dtype)
    else:
        total = (weight[target.clip(0, weight.shape[0] - 1)] * valid).sum()
    return xp.asarray(total, dtype=dtype)


def reduce_loss(xp: ModuleType, total: Any, denominator: Optional[Array],
                label_smoothing: float, dtype: Any) -> Tuple[Array, Optional[Array]]:
    """A cross-entropy's reduction from its sums: "sum" (``denominator`` None) L = ``total``,
    "mean" L / D' with D' = D, or NaN where D = 0 and ε ≠ 0 (torch: (1-ε)·0/0 + ε·Σ/0 is NaN;
    every sample ignored without smoothing: 0/0 = NaN too). ``total`` is the float64 sum of
    the per-sample losses, rounded once here. Returns (L, D' or None) as 0-d arrays of
    ``dtype``."""
    if denominator is None:
        return xp.asarray(total, dtype=dtype), None
    if label_smoothing:
        denominator = xp.where(denominator == 0, xp.asarray(xp.nan, dtype), denominator)
    out = xp.empty((), dtype=dtype)
    xp.divide(total, denominator, out=out, casting="unsafe")
    return out, denominator


def check_inputs(*arrays: Optional[Array]) -> None:
    """Check the first convention above for a kernel's array inputs (None is skipped): each is
    C-contiguous, and the floating ones share one dtype. Raises ``ValueError`` (not ``assert``:
    the check must hold under ``python -O`` too, since a kernel handed a strided array would
    read the wrong elements). Reached only by code that calls a backend directly: user input
    through the tensor API is converted earlier (``autograd/ops/util.for_kernel``) and refused
    earlier (:mod:`minitorch.shapes`)."""
    first = None  # the first floating dtype: every kernel call passes here, so no set
    for i, a in enumerate(arrays):
        if a is None:
            continue
        if a.dtype.kind == "c":  # not a Numba typing error from inside the kernel
            import sys

            raise TypeError(f"the kernel {sys._getframe(1).f_code.co_name} takes float32 or "
                            f"float64 arrays, not {a.dtype} (complex tensors are not "
                            "supported by this op)")
        if not a.flags.c_contiguous:
            raise ValueError(f"kernel input {i} of shape {tuple(a.shape)} is not C-contiguous "
                             f"(pass xp.ascontiguousarray(...))")
        if a.dtype.kind == "f":
            if first is None:
                first = a.dtype
            elif a.dtype != first:
                floating = {str(b.dtype) for b in arrays if b is not None and b.dtype.kind == "f"}
                raise ValueError(f"kernel inputs of mixed dtypes {sorted(floating)}")


# Methods of Backend that are no kernel of their own but a composition of kernels, with a
# default here that a backend may replace by a fused version (CudaBackend does).
COMPOSITES = ("conv2d_backward_weight_bias", "cross_entropy_reduced_forward",
              "cross_entropy_reduced_backward")


class Backend:
    """The kernel set. Every backend (NumPy, Numba, CUDA) subclasses this class directly and
    implements every method below except ``matmul``, whose default runs on ``self.xp``, and
    the :data:`COMPOSITES`; ``name``, ``xp`` and ``device`` say who they are."""

    name: str = "abstract"
    xp: ModuleType
    device: str = "cpu"

    def __init__(self, xp: ModuleType) -> None:
        self.xp = xp

    # ------------------------------------------------------------------ conv2d
    def conv2d_forward(self, x: Array, w: Array, b: Optional[Array], stride: Pair,
                       padding: Quad, dilation: Pair, groups: int, out_hw: Pair) -> Array:
        """y[n, o, i, j] = b[o] + Σ_{c,p,q} x_pad[n, g·Cg + c, i·sh + p·dh, j·sw + q·dw]
                                         · w[o, c, p, q]

        where g = o // (O / groups), Cg = C / groups, and x_pad is x with zero padding.
        x: (N, C, H, W), w: (O, C/groups, kH, kW), b: (O,) or None -> y: (N, O, Ho, Wo)."""
        raise NotImplementedError

    def conv2d_backward_input(self, gy: Array, w: Array, x_shape: Tuple[int, ...], stride: Pair,
                              padding: Quad, dilation: Pair, groups: int) -> Array:
        """gx = ∂L/∂x: every y[n,o,i,j] scatters gy[n,o,i,j]·w[o,c,p,q] back onto the input
        pixel it read (pixels that fell in the padding are dropped). Returns (N, C, H, W)."""
        raise NotImplementedError

    def conv2d_backward_weight(self, gy: Array, x: Array, w_shape: Tuple[int, ...], stride: Pair,
                               padding: Quad, dilation: Pair, groups: int) -> Array:
        """gw[o, c, p, q] = Σ_{n,i,j} gy[n, o, i, j] · x_pad[n, g·Cg + c, i·sh + p·dh, j·sw + q·dw].
        Returns w_shape = (O, C/groups, kH, kW)."""
        raise NotImplementedError

    def conv2d_backward_bias(self, gy: Array) -> Array:
        """gb[o] = Σ_{n,i,j} gy[n, o, i, j]. Returns (O,)."""
        raise NotImplementedError

    def conv2d_backward_weight_bias(self, gy: Array, x: Array, w_shape: Tuple[int, ...],
                                    stride: Pair, padding: Quad, dilation: Pair,
                                    groups: int) -> Tuple[Array, Array]:
        """(conv2d_backward_weight(...), conv2d_backward_bias(gy)): both gradients of the
        parameters, which a backend may compute in one pass over gy."""
        return (self.conv2d_backward_weight(gy, x, w_shape, stride, padding, dilation, groups),
                self.conv2d_backward_bias(gy))

    # ----------------------------------------------------------------- pooling
    def max_pool2d_forward(self, x: Array, kernel_size: Pair, stride: Pair, padding: Pair,
                           dilation: Pair, out_hw: Pair) -> Tuple[Array, Array]:
        """y[n,c,i,j] = max over the window (padding counts as -inf), and the argmax as a flat
        index ``h * W + w`` into the (unpadded) input plane, int64 — PyTorch's ``indices``.

        Window rows: h = i·sh - ph + p·dh for p in [0, kH), skipping h outside [0, H)
        (likewise columns). Ties keep the first maximum in row-major order; a NaN always
        wins (``val > max or isnan(val)``), so NaN propagates. If every value is -inf the
        index is the first in-bounds element. Returns (y, indices), both (N, C, Ho, Wo)."""
        raise NotImplementedError

    def max_pool2d_backward(self, gy: Array, indices: Array, x_shape: Tuple[int, ...],
                            window: Optional[PoolWindow] = None) -> Array:
        """gx[n, c, indices[n,c,i,j]] += gy[n, c, i, j] (a scatter-add: overlapping windows
        add up, in ascending (i, j) order). ``window`` is the forward's (kernel_size, stride,
        padding, dilation), for a backend that gathers per input element over the windows
        that can hold it (CUDA); a scatter needs only the indices."""
        raise NotImplementedError

    def avg_pool2d_forward(self, x: Array, kernel_size: Pair, stride: Pair, padding: Pair,
                           out_hw: Pair, count_include_pad: bool,
                           divisor_override: Optional[int]) -> Array:
        """y[n,c,i,j] = Σ_window x / divisor, with PyTorch's window rule:

            h0 = i·sh - ph;  h1 = min(h0 + kH, H + ph)   (likewise w0, w1)
            pool_size = (h1 - h0)·(w1 - w0)               # window clipped at the padded edge
            h0, h1 = max(h0, 0), min(h1, H)               # then clipped at the real edge
            divisor = divisor_override or (pool_size if count_include_pad else (h1-h0)·(w1-w0))
        """
        raise NotImplementedError

    def avg_pool2d_backward(self, gy: Array, x_shape: Tuple[int, ...], kernel_size: Pair,
                            stride: Pair, padding: Pair, count_include_pad: bool,
                            divisor_override: Optional[int]) -> Array:
        """gx[n,c,h,w] = Σ over windows (i,j) that contain (h,w) of gy[n,c,i,j] / divisor(i,j)."""
        raise NotImplementedError

    # ------------------------------------------------------------- activations
    def relu_forward(self, x: Array) -> Array:
        """y = 0 where x < 0, else x: NaN stays NaN and -0.0 stays -0.0 (PyTorch's
        ``clamp_min(x, 0)``)."""
        raise NotImplementedError

    def relu_backward(self, gy: Array, y: Array) -> Array:
        """gx = 0 where y ≤ 0, else gy: the gradient at exactly 0 is 0, and a NaN input passes
        the gradient through (PyTorch's ``threshold_backward``)."""
        raise NotImplementedError

    def tanh_forward(self, x: Array) -> Array:
        """y = tanh(x)."""
        raise NotImplementedError

    def tanh_backward(self, gy: Array, y: Array) -> Array:
        """gx = gy · (1 - y²), from the saved output."""
        raise NotImplementedError

    def sigmoid_forward(self, x: Array) -> Array:
        """y = 1 / (1 + e^{-x}), computed without overflow at ±1000."""
        raise NotImplementedError

    def sigmoid_backward(self, gy: Array, y: Array) -> Array:
        """gx = gy · y · (1 - y), from the saved output."""
        raise NotImplementedError

    # ------------------------------------------------------------------ linear
    def matmul(self, a: Array, b: Array) -> Array:
        """a @ b with NumPy's matmul broadcasting (1-D operands promoted as NumPy does).
        Default: ``xp.matmul`` — BLAS through NumPy, cuBLAS through CuPy."""
        return self.xp.matmul(a, b)

    def linear_forward(self, x: Array, w: Array, b: Optional[Array]) -> Array:
        """y[n, o] = Σ_i x[n, i] · w[o, i] + b[o].  x: (N, I), w: (O, I), b: (O,) or None."""
        raise NotImplementedError

    def linear_backward(self, gy: Array, x: Array, w: Array,
                        has_bias: bool) -> Tuple[Array, Array, Optional[Array]]:
        """gx = gy @ w, gw = gyᵀ @ x, gb = Σ_n gy[n, :] (None when has_bias is False)."""
        raise NotImplementedError

    # ------------------------------------------------------ softmax and losses
    def softmax_forward(self, x: Array, dim: int) -> Array:
        """y = exp(x - max) / Σ exp(x - max) along ``dim`` (stable at ±1e4)."""
        raise NotImplementedError

    def softmax_backward(self, gy: Array, y: Array, dim: int) -> Array:
        """gx = y · (gy - Σ_dim gy·y)."""
        raise NotImplementedError

    def log_softmax_forward(self, x: Array, dim: int) -> Array:
        """y = x - max - log Σ exp(x - max) along ``dim``."""
        raise NotImplementedError

    def log_softmax_backward(self, gy: Array, y: Array, dim: int) -> Array:
        """gx = gy - exp(y) · Σ_dim gy."""
        raise NotImplementedError

    def cross_entropy_forward(self, logits: Array, target: Array, weight: Optional[Array],
                              ignore_index: int, label_smoothing: float) -> Tuple[Array, Array]:
        """Fused log_softmax + NLL with label smoothing, per sample (no reduction).

        logits: (N, C); target: (N,) int64 with values in [0, C) or == ignore_index;
        weight: (C,) or None (all ones). With logp = log_softmax(logits, 1) and ε = label_smoothing:

            loss[n] = (1-ε)·w[t]·(-logp[n, t]) + (ε/C)·Σ_c w[c]·(-logp[n, c])   (t = target[n])
            loss[n] = 0 where target[n] == ignore_index

        Returns (loss (N,), logp (N, C)); logp is kept for the backward. The caller divides
        by Σ_{n not ignored} w[target[n]] for reduction="mean", as PyTorch does."""
        raise NotImplementedError

    def cross_entropy_backward(self, gloss: Array, logp: Array, target: Array,
                               weight: Optional[Array], ignore_index: int,
                               label_smoothing: float) -> Array:
        """∂loss[n]/∂logits[n, c] · gloss[n]:

            gx[n, c] = gloss[n] · ( softmax[n,c]·((1-ε)·w[t] + (ε/C)·Σ_k w[k])
                                    - (1-ε)·w[t]·[c == t] - (ε/C)·w[c] )

        and 0 for ignored rows. Returns (N, C)."""
        raise NotImplementedError

    def cross_entropy_reduced_forward(self, logits: Array, target: Array,
                                      weight: Optional[Array], ignore_index: int,
                                      label_smoothing: float, reduction: str
                                      ) -> Tuple[Array, Array, Optional[Array]]:
        """:meth:`cross_entropy_forward` and then its ``reduction``: "none" the per-sample
        losses, "sum" L = Σ_n loss[n], "mean" L / D' with D = Σ_{n not ignored} w[target[n]]
        (the count of kept samples without weights) and D' = D, or NaN where D = 0 and ε ≠ 0
        (torch: (1-ε)·0/0 + ε·Σ/0 is NaN). L is summed in float64 and the quotient rounded
        once. Returns (loss, logp, D' for "mean" else None); :meth:`cross_entropy_reduced_backward`
        takes D' back. This default does the reduction with array operations; a backend may
        fold it into its kernel (CUDA: no device operation besides the kernel)."""
        xp = self.xp
        loss, logp = self.cross_entropy_forward(logits, target, weight, ignore_index,
                                                label_smoothing)
        if reduction == "none":
            return loss, logp, None
        total = loss.sum(dtype=xp.float64)  # a float64 sum, rounded once
        denominator = None if reduction == "sum" else \
            mean_denominator(xp, target, weight, ignore_index, loss.dtype)
        out, denominator = reduce_loss(xp, total, denominator, label_smoothing, loss.dtype)
        return out, logp, denominator

    def cross_entropy_reduced_backward(self, gout: Array, logp: Array, target: Array,
                                       weight: Optional[Array], ignore_index: int,
                                       label_smoothing: float, reduction: str,
                                       denominator: Optional[Array]) -> Array:
        """:meth:`cross_entropy_backward` with gloss[n] = gout[n] ("none"), gout ("sum") or
        gout / D' ("mean", D' from :meth:`cross_entropy_reduced_forward`)."""
        xp = self.xp
        if reduction == "none":
            gloss = gout
        else:  # d(sum)/d(loss[n]) = 1, d(mean)/d(loss[n]) = 1 / D'
            gloss = xp.empty(logp.shape[0], dtype=logp.dtype)
            if reduction == "sum":
                gloss[...] = gout  # broadcast the 0-d gradient
            else:  # the quotient, broadcast into every element: one operation
                xp.divide(gout, denominator, out=gloss)
        return self.cross_entropy_backward(gloss, logp, target, weight, ignore_index,
                                           label_smoothing)
