"""Running and multiplicative reductions: cumsum, cumprod, cummax/cummin, logcumsumexp, prod,
logsumexp, vector norms.

``dim`` is a non-negative axis; ``dims`` a tuple of axes or None for all. Forward and
backward are written once on ``self.xp``."""

from __future__ import annotations

from typing import Any, Optional, Tuple

from minitorch.autograd.function import Function
from minitorch.autograd.ops.grad_ops import expand_back
from minitorch.autograd.ops.reduction import _expand_back
from minitorch.autograd.ops.select import _PickAlong

Dims = Optional[Tuple[int, ...]]


def _reverse_cumsum(xp: Any, a: Any, dim: int) -> Any:
    """r_i = Σ_{j ≥ i} a_j along ``dim`` (the adjoint of a cumulative sum)."""
    return xp.flip(xp.cumsum(xp.flip(a, dim), axis=dim), dim)


def _exclusive_cumprod(xp: Any, a: Any, dim: int) -> Any:
    """e_i = Π_{j < i} a_j along ``dim`` (e_0 = 1)."""
    ones = xp.ones_like(xp.take(a, [0], axis=dim))
    shifted = xp.concatenate([ones, xp.take(a, range(a.shape[dim] - 1), axis=dim)], axis=dim)
    return xp.cumprod(shifted, axis=dim)


def _product_of_others(xp: Any, x: Any, dim: int) -> Any:
    """o_i = Π_{j ≠ i} x_j along ``dim``, exact even where x has zeros:
    (product of those before i) · (product of those after i)."""
    if x.shape[dim] == 0:
        return x.copy()
    before = _exclusive_cumprod(xp, x, dim)
    after = xp.flip(_exclusive_cumprod(xp, xp.flip(x, dim), dim), dim)
    return before * after


class Cumsum(Function):
    """y_i = Σ_{j ≤ i} x_j along ``dim``;  ∂L/∂x_i = Σ_{j ≥ i} ∂L/∂y_j."""

    def forward(self, x: Any, dim: int) -> Any:
        self.dim = dim
        return self.xp.cumsum(x, axis=dim, dtype=x.dtype if x.dtype.kind in "fc" else "int64")

    def backward(self, gy: Any) -> Any:
        return _reverse_cumsum(self.xp, gy, self.dim)

    def backward_graph(self, gy: Any) -> Any:
        return gy.flip(self.dim).cumsum(self.dim).flip(self.dim)


class Cumprod(Function):
    """y_i = Π_{j ≤ i} x_j along ``dim``;  ∂L/∂x_i = Σ_{j ≥ i} ∂L/∂y_j · Π_{k ≤ j, k ≠ i} x_k.

    Without zeros that is Σ_{j ≥ i} (∂L/∂y_j · y_j) / x_i. With a zero, each i is computed
    exactly: cumprod of x with x_i replaced by 1 (O(n²) along ``dim``)."""

    def forward(self, x: Any, dim: int) -> Any:
        self.dim = dim
        y = self.xp.cumprod(x, axis=dim, dtype=x.dtype if x.dtype.kind in "fc" else "int64")
        self.save_for_backward(x, y)
        return y

    def backward(self, gy: Any) -> Any:
        xp, d = self.xp, self.dim
        x, y = self.saved_tensors
        if not bool((x == 0).any()):
            return _reverse_cumsum(xp, gy * y, d) / x
        gx = xp.empty_like(x)
        for i in range(x.shape[d]):
            at = (slice(None),) * d + (slice(i, i + 1),)
            without = x.copy()
            without[at] = 1
            partial = xp.cumprod(without, axis=d)
            tail = (slice(None),) * d + (slice(i, None),)
            gx[at] = (gy[tail] * partial[tail]).sum(axis=d, keepdims=True)
        return gx

    def backward_graph(self, gy: Any) -> Any:
        """The exact rule on Tensors, all i at once along a new leading axis: X_i = x with
        x_i replaced by 1, ∂L/∂x_i = Σ_{j ≥ i} ∂L/∂y_j · cumprod(X_i)_j (O(n²) memory)."""
        import numpy as np

        xp, d = self.xp, self.dim
        x, _ = self.saved_tensors
        n = x.shape[d]
        place = [1] * (x.ndim + 1)
        place[0], place[d + 1] = n, n
        eye = xp.asarray(np.eye(n).reshape(place), dtype=x.dtype)
        later = xp.asarray(np.triu(np.ones((n, n))).reshape(place), dtype=x.dtype)  # j ≥ i
        xt = self.graph_input(0, x).unsqueeze(0)
        replaced = xt * self.constant(1 - eye) + self.constant(eye)
        partial = replaced.cumprod(d + 1)
        summed = (gy.unsqueeze(0) * partial * self.constant(later)).sum(d + 1)
        return summed.movedim(0, d)


def _running(xp: Any, x: Any, dim: int, step: Any, *state: Any) -> Tuple[Any, ...]:
    """A scan along ``dim``, vectorised over the other dims: ``state = step(i, x_i, *state)``
    for i = 0 … n-1 (``state`` starts as given; ``x_i`` is the slice at i). Returns each state
    component at every i, stacked back along ``dim``."""
    moved = xp.moveaxis(x, dim, 0)
    outs = [xp.empty(moved.shape, dtype=s.dtype) for s in state]
    for i in range(moved.shape[0]):
        state = step(i, moved[i], *state)
        for out, s in zip(outs, state):
            out[i] = s
    return tuple(xp.ascontiguousarray(xp.moveaxis(out, 0, dim)) for out in outs)


class CumExtreme(_PickAlong):
    """(values, indices) = cummax(x, dim) (``largest``) or cummin: values_i = max_{j ≤ i} x_j
    and indices_i the j it came from — the latest one on ties, and a NaN, once seen, is the
    extreme until the next NaN (torch's rule). ∂L/∂x_j = Σ_{i: indices_i = j} ∂L/∂values_i."""

    def forward(self, x: Any, dim: int, largest: bool = True) -> Any:
        xp = self.xp
        self.shape, self.dim, self.largest = x.shape, dim, largest
        if x.ndim == 0:
            self.idx = xp.zeros((), dtype=xp.int64)
            return x.copy(), self.idx
        floating = x.dtype.kind == "f"

        def step(i: int, v: Any, best: Any, at: Any) -> Tuple[Any, Any]:
            take = (v >= best) if largest else (v <= best)  # at i = 0: v is best, taken
            if floating:
                take = take | xp.isnan(v)
            return xp.where(take, v, best), xp.where(take, i, at)

        start = xp.take(x, 0, axis=dim) if x.shape[dim] else \
            xp.zeros(x.shape[:dim] + x.shape[dim + 1:], dtype=x.dtype)
        values, self.idx = _running(xp, x, dim, step, start,
                                    xp.zeros(start.shape, dtype=xp.int64))
        return values, self.idx

    def backward(self, gy: Any, _gidx: Any = None) -> Any:
        return gy if self.idx.ndim == 0 else super().backward(gy)

    def name(self) -> str:
        return "CummaxBackward0" if self.largest else "CumminBackward0"


def logcumsumexp_array(xp: Any, x: Any, dim: int) -> Any:
    """y_i = log Σ_{j ≤ i} e^{x_j} along ``dim`` as a running log(e^a + e^b) (``logaddexp``,
    stable: no e^x is ever formed), vectorised over the other dims."""
    if x.ndim == 0 or x.shape[dim] == 0:
        return x.copy()
    first = xp.full(x.shape[:dim] + x.shape[dim + 1:], -xp.inf, dtype=x.dtype)
    (y,) = _running(xp, x, dim, lambda i, v, acc: (xp.logaddexp(acc, v),), first)
    return y


class Logcumsumexp(Function):
    """y_i = log Σ_{j ≤ i} e^{x_j} along ``dim``;  ∂L/∂x_j = Σ_{i ≥ j} ∂L/∂y_i · e^{x_j - y_i}.

    The sum is taken as torch takes it, in log space with the positive and negative parts of
    the gradient apart (no overflow): with r(a) the reverse logcumsumexp along ``dim``,
    ∂L/∂x = exp(r(log g⁺ - y) + x) - exp(r(log g⁻ - y) + x), log g± = log |g| where g ≷ 0,
    else the lowest finite number."""

    def forward(self, x: Any, dim: int) -> Any:
        self.dim = dim
        y = logcumsumexp_array(self.xp, x, dim)
        self.save_for_backward(x, y)
        return y

    def backward(self, gy: Any) -> Any:
        xp, d = self.xp, self.dim
        x, y = self.saved_tensors
        if gy.ndim == 0 or gy.size == 0:
            return gy
        lowest = xp.asarray(xp.finfo(x.dtype).min, dtype=x.dtype)
        log_abs = xp.log(xp.abs(gy))

        def part(sign_mask: Any) -> Any:
            shifted = xp.flip(xp.where(sign_mask, log_abs, lowest) - y, d)
            return xp.exp(xp.flip(logcumsumexp_array(xp, shifted, d), d) + x)

        return part(gy > 0) - part(gy < 0)

    def backward_graph(self, gy: Any) -> Any:
        from minitorch.functions import where

        x, y = self.saved_tensors
        d = self.dim
        if gy.ndim == 0 or gy.numel() == 0:
            return gy
        xt, yt = self.graph_input(0, x), self.graph_output(0, y)
        lowest = float(self.xp.finfo(x.dtype).min)
        log_abs = gy.abs().log()

        def part(sign_mask: Any) -> Any:
            shifted = (where(sign_mask, log_abs, lowest) - yt).flip(d)
            return (shifted.logcumsumexp(d).flip(d) + xt).exp()

        return part(gy > 0) - part(gy < 0)


class Prod(Function):
    """y = Π_dims x;  ∂y/∂x_i = Π_{j ≠ i} x_j (exact with zeros: products before · after)."""

    def forward(self, x: Any, dims: Dims = None, keepdim: bool = False) -> Any:
        self.shape, self.dims, self.keepdim = x.shape, dims, keepdim
        self.save_for_backward(x)
        dtype = x.dtype if x.dtype.kind in "fc" else "int64"
        return self.xp.asarray(x.prod(axis=dims, keepdims=keepdim, dtype=dtype))

    def backward(self, gy: Any) -> Any:
        xp = self.xp
        (x,) = self.saved_tensors
        gy = _expand_back(xp, gy, self.shape, self.dims, self.keepdim)
        dims = tuple(range(x.ndim)) if self.dims is None else self.dims
        rest = tuple(d for d in range(x.ndim) if d not in dims)
        moved = xp.transpose(x, rest + dims)  # reduced axes last, flattened into one
        flat = moved.reshape(moved.shape[:len(rest)] + (-1,))
        others = _product_of_others(xp, flat, flat.ndim - 1).reshape(moved.shape)
        back = [0] * x.ndim
        for i, d in enumerate(rest + dims):
            back[d] = i
        return gy * xp.transpose(others, back)

    def backward_graph(self, gy: Any) -> Any:
        """Π_{j ≠ i} x_j as products before · after (cumprod of shifted copies), on Tensors."""
        (x,) = self.saved_tensors
        xt = self.graph_input(0, x)
        dims = tuple(range(x.ndim)) if self.dims is None else self.dims
        rest = tuple(d for d in range(x.ndim) if d not in dims)
        moved = xt.permute(*(rest + dims)) if x.ndim else xt.reshape(1)
        flat = moved.reshape(*moved.shape[:len(rest)], -1)
        ones = flat.narrow(-1, 0, 1).detach() * 0 + 1
        shifted = _cat_last(ones, flat.narrow(-1, 0, flat.shape[-1] - 1))
        before = shifted.cumprod(-1)
        rev = flat.flip(-1)
        after = _cat_last(ones, rev.narrow(-1, 0, rev.shape[-1] - 1)).cumprod(-1).flip(-1)
        others = (before * after).reshape(*moved.shape)
        if x.ndim:
            back = [0] * x.ndim
            for i, d in enumerate(rest + dims):
                back[d] = i
            others = others.permute(*back)
        else:
            others = others.reshape(())
        return expand_back(gy, self.shape, self.dims, self.keepdim) * others

    def name(self) -> str:
        return "ProdBackward0" if self.dims is None else "ProdBackward1"


class Logsumexp(Function):
    """y = log Σ_dims eˣ, computed as m + log Σ e^(x - m) with m = max x (no overflow);
    ∂y/∂x = e^(x - y) (the softmax)."""

    def forward(self, x: Any, dims: Dims, keepdim: bool = False) -> Any:
        xp = self.xp
        self.shape, self.dims, self.keepdim = x.shape, dims, keepdim
        m = x.max(axis=dims, keepdims=True) if x.size else xp.zeros((1,) * x.ndim, x.dtype)
        m = xp.where(xp.isinf(m), xp.zeros((), dtype=x.dtype), m)
        y = xp.log(xp.exp(x - m).sum(axis=dims, keepdims=True)) + m
        self.save_for_backward(x, y)
        self._out_shape = tuple(s for i, s in enumerate(y.shape)
                                if i not in (dims or range(x.ndim)))
        return y if keepdim else y.reshape(self._out_shape)

    def backward(self, gy: Any) -> Any:
        x, y = self.saved_tensors
        gy = _expand_back(self.xp, gy, self.shape, self.dims, self.keepdim)
        return gy * self.xp.exp(x - y)

    def backward_graph(self, gy: Any) -> Any:
        x, y = self.saved_tensors
        out = self.graph_output(0, y if self.keepdim else y.reshape(self._out_shape))
        y_kept = expand_back(out, self.shape, self.dims, self.keepdim)
        return expand_back(gy, self.shape, self.dims, self.keepdim) * \
            (self.graph_input(0, x) - y_kept).exp()


class LinalgVectorNorm(Function):
    """y = ‖x‖_p over ``dims``: (Σ |x|^p)^(1/p); p = inf: max |x|; p = -inf: min |x|;
    p = 0: the count of non-zeros (no gradient).

    ∂y/∂x = sign(x) |x|^(p-1) / y^(p-1) (p = 2: x / y; p = 1: sign(x)); for p = ±inf the
    gradient sign(x) is shared evenly by the elements that attain the extreme.
    Where y = 0 the gradient is 0."""

    def forward(self, x: Any, p: float, dims: Dims, keepdim: bool = False) -> Any:
        xp = self.xp
        self.shape, self.dims, self.keepdim, self.p = x.shape, dims, keepdim, p
        a = xp.abs(x)
        if p == float("inf"):
            y = a.max(axis=dims, keepdims=True)
        elif p == float("-inf"):
            y = a.min(axis=dims, keepdims=True)
        elif p == 0:
            y = (a != 0).sum(axis=dims, keepdims=True).astype(x.dtype)
        elif p == 1:
            y = a.sum(axis=dims, keepdims=True)
        elif p == 2:
            y = xp.sqrt((a * a).sum(axis=dims, keepdims=True))
        else:
            y = ((a ** p).sum(axis=dims, keepdims=True)) ** (1.0 / p)
        y = xp.asarray(y, dtype=x.dtype)
        self.save_for_backward(x, y)
        self._out_shape = tuple(y.shape)
        if keepdim:
            return y
        kept = [s for i, s in enumerate(y.shape) if dims is not None and i not in dims]
        self._out_shape = tuple(kept)
        return y.reshape(kept)

    def backward(self, gy: Any) -> Any:
        xp, p = self.xp, self.p
        x, y = self.saved_tensors
        gy = _expand_back(xp, gy, self.shape, self.dims, self.keepdim)
        zero = xp.zeros((), dtype=x.dtype)
        if p == 0:
            return None  # a count has no gradient (PyTorch leaves .grad unset)
        if p in (float("inf"), float("-inf")):
            hit = xp.abs(x) == y
            count = hit.sum(axis=self.dims, keepdims=True)
            return xp.where(hit, gy * xp.sign(x) / count, zero).astype(x.dtype)
        if p == 1:
            return gy * xp.sign(x)
        if p == 2:
            return xp.where(y == 0, zero, gy * x / y)
        scale = xp.sign(x) * xp.abs(x) ** (p - 1) / y ** (p - 1)
        return xp.where(y == 0, zero, gy * scale).astype(x.dtype)

    def backward_graph(self, gy: Any) -> Any:
        p = self.p
        x, y = self.saved_tensors
        if p == 0:
            return None
        xt = self.graph_input(0, x)
        out = self.graph_output(0, y if self.keepdim else y.reshape(self._out_shape))
        yk = expand_back(out, self.shape, self.dims, self.keepdim)
        g = expand_back(gy, self.shape, self.dims, self.keepdim)
        zero = self.constant(self.xp.broadcast_to(y == 0, x.shape))
        if p in (float("inf"), float("-inf")):
            hit = self.xp.abs(x) == y
            count = hit.sum(axis=self.dims, keepdims=True)
            return g * self.constant((hit * self.xp.sign(x) / count).astype(x.dtype))
        if p == 1:
            return g * self.constant(self.xp.sign(x))
        safe = yk.masked_fill(zero, 1.0)
        if p == 2:
            return (g * xt / safe).masked_fill(zero, 0.0)
        scale = xt.sign() * xt.abs() ** (p - 1) / safe ** (p - 1)
        return (g * scale).masked_fill(zero, 0.0)


def _cat_last(a: Any, b: Any) -> Any:
    from minitorch.functions import cat

    return cat([a, b], -1)
