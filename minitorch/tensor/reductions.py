"""The tensor methods for reductions, order statistics, scans and counting.

A mixin of :class:`minitorch.tensor.Tensor`; every differentiable method calls an op's
``apply`` and the math lives in :mod:`minitorch.autograd.ops`. ``Tensor`` (the class
these methods are mixed into) is bound in this module once the class exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional

import numpy as np

from minitorch import dtypes, return_types
from minitorch.autograd.ops import reduction, scan
from minitorch.shapes import normalize_dim
from minitorch.tensor.helpers import _dims, _kind_name

return_max, return_min = return_types.max, return_types.min

if TYPE_CHECKING:
    from minitorch.tensor.core import Tensor


class Reductions:
    """Tensor methods: reductions, order statistics, scans and counting."""

    # ----------------------------------------------------------------- reductions
    def sum(self, dim: Any = None, keepdim: bool = False,
            dtype: Optional[dtypes.dtype] = None) -> Tensor:
        x = self._to(dtype, None) if dtype is not None else self
        x = x if x.dtype is not dtypes.bool_ else x.long()
        return reduction.Sum.apply(x, _dims(dim, self.ndim), keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False,
             dtype: Optional[dtypes.dtype] = None) -> Tensor:
        x = self._to(dtype, None) if dtype is not None else self
        if not (x.dtype.is_floating_point or x.dtype.is_complex):
            raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either "
                               f"a floating point or complex dtype. Got: "
                               f"{x.type_description().split('.')[-1].split('Tensor')[0]}")
        return reduction.Mean.apply(x, _dims(dim, self.ndim), keepdim)

    def var(self, dim: Any = None, unbiased: Optional[bool] = None, keepdim: bool = False, *,
            correction: Optional[float] = None) -> Tensor:
        return self._spread(reduction.Var, dim, unbiased, keepdim, correction)

    def std(self, dim: Any = None, unbiased: Optional[bool] = None, keepdim: bool = False, *,
            correction: Optional[float] = None) -> Tensor:
        return self._spread(reduction.Std, dim, unbiased, keepdim, correction)

    def _spread(self, op: type, dim: Any, unbiased: Optional[bool], keepdim: bool,
                correction: Optional[float]) -> Tensor:
        """``var`` or ``std``: ``var(unbiased)`` positional form; correction 1 by default."""
        if not self.dtype.is_floating_point:
            raise RuntimeError("std and var only support floating point and complex dtypes")
        if isinstance(dim, bool):
            dim, unbiased = None, dim
        if correction is None:
            correction = 0 if unbiased is False else 1
        return op.apply(self._floating(), _dims(dim, self.ndim, True), correction, keepdim)

    def _extreme(self, dim: Any, keepdim: bool, largest: bool) -> Any:
        if isinstance(dim, Tensor):
            return self.maximum(dim) if largest else self.minimum(dim)
        if dim is None:
            return reduction.MaxMinAll.apply(self, largest)
        values, indices = reduction.MaxMinDim.apply(self, normalize_dim(dim, self.ndim),
                                                    keepdim, largest)
        return (return_max if largest else return_min)(values, indices)

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        return self._extreme(dim, keepdim, largest=True)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        return self._extreme(dim, keepdim, largest=False)

    def amax(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        dims = _dims(dim, self.ndim)  # checks range and repeats
        if dims is None:
            out = self.max()
            return out.reshape((1,) * self.ndim) if keepdim and dim is not None else out
        return reduction.AMax.apply(self, dims, keepdim)  # ties share the gradient

    def argmax(self, dim: Optional[int] = None, keepdim: bool = False) -> Tensor:
        if dim is None:
            if self.numel() == 0:
                raise IndexError("argmax(): Expected reduction dim to be specified for "
                                 "input.numel() == 0.")
            return Tensor._wrap(self._data.argmax().astype(np.int64))
        return self.detach().max(dim, keepdim).indices

    def argmin(self, dim: Optional[int] = None, keepdim: bool = False) -> Tensor:
        if dim is None:
            if self.numel() == 0:
                raise IndexError("argmin(): Expected reduction dim to be specified for "
                                 "input.numel() == 0.")
            return Tensor._wrap(self._data.argmin().astype(np.int64))
        return self.detach().min(dim, keepdim).indices

    # ------------------------------------------------ order statistics and counting
    def median(self, dim: Optional[int] = None, keepdim: bool = False) -> Any:
        """The lower median (element ⌊(n-1)/2⌋ in sorted order), as in PyTorch; with ``dim``,
        ``(values, indices)``. Differentiable through the sort."""
        if dim is None:
            flat = self.reshape(-1)
            return flat.sort().values[(flat.numel() - 1) // 2]
        return self._order_statistic(None, dim, keepdim, return_types.median)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:
        """``(values, indices)`` of the k-th smallest element (1-based) along ``dim``."""
        return self._order_statistic(k, dim, keepdim, return_types.kthvalue)

    def _order_statistic(self, k: Optional[int], dim: int, keepdim: bool, kind: Any) -> Any:
        d = normalize_dim(dim, self.ndim) if self.ndim else 0
        x = self if self.ndim else self.reshape(1)
        n = x.shape[d]
        if k is not None and not 1 <= k <= n:
            raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
        position = (n - 1) // 2 if k is None else k - 1
        ordered = x.sort(d)
        values, indices = ordered.values.select(d, position), ordered.indices.select(d, position)
        if keepdim and self.ndim:
            values, indices = values.unsqueeze(d), indices.unsqueeze(d)
        return kind(values, indices)

    def quantile(self, q: Any, dim: Optional[int] = None, keepdim: bool = False, *,
                 interpolation: str = "linear") -> Tensor:
        """The q-th quantiles along ``dim`` (of all elements when None); a NaN in a slice
        makes its quantiles NaN. See ``_quantile``."""
        return self._quantile(q, dim, keepdim, interpolation, "quantile")

    def nanquantile(self, q: Any, dim: Optional[int] = None, keepdim: bool = False, *,
                    interpolation: str = "linear") -> Tensor:
        """``quantile`` of the non-NaN values of each slice (NaN where all are NaN)."""
        return self._quantile(q, dim, keepdim, interpolation, "nanquantile")

    def _quantile(self, q: Any, dim: Optional[int], keepdim: bool, interpolation: str,
                  name: str) -> Tensor:
        """Sort each slice (NaN last) into v₀ ≤ … ≤ vₙ₋₁ and read it at the rank
        r = q · (m - 1), m = n (``quantile``) or the count of non-NaN values
        (``nanquantile``); a slice with a NaN (resp. only NaNs) reads r = n - 1, a NaN.
        Between ranks ⌊r⌋ and ⌈r⌉: "linear" lerps v⌊r⌋ + (r - ⌊r⌋)(v⌈r⌉ - v⌊r⌋),
        "midpoint" takes their mean, "lower"/"higher" v⌊r⌋/v⌈r⌉, "nearest" v at r
        rounded half to even. A 1-D ``q`` puts its quantiles on a new leading dim.
        Built from sort, gather and lerp, so the gradient flows to the elements read."""
        qs = _quantile_checks(self, q, interpolation)
        x = self.reshape(-1) if dim is None or self.ndim == 0 else \
            self.movedim(normalize_dim(dim, self.ndim), -1)
        ordered = x.sort(-1).values
        n = x.shape[-1]
        nan = ordered.detach().isnan()
        if name == "quantile":
            void = nan.narrow(-1, n - 1, 1)  # NaN sorts last
            top = void.new_full(tuple(void.shape), n - 1, dtype=self.dtype)
        else:
            valid = (~nan).sum(-1, keepdim=True)
            void, top = valid == 0, (valid - 1).to(self.dtype)
        rank = (qs * top).masked_fill(void, n - 1)
        rank = {"lower": rank.floor, "higher": rank.ceil,
                "nearest": rank.round}.get(interpolation, lambda: rank)()
        below = ordered.gather(-1, rank.long())
        if interpolation in ("linear", "midpoint"):
            above = ordered.gather(-1, rank.ceil().long())
            weight = rank - rank.floor() if interpolation == "linear" else 0.5
            below = below.lerp(above, weight)
        out = below.movedim(-1, 0)
        if keepdim:
            kept = list(self.shape) if dim is not None and self.ndim else [1] * self.ndim
            if dim is not None and self.ndim:
                kept[normalize_dim(dim, self.ndim)] = 1
            out = out.reshape([out.shape[0]] + kept)
        return out.squeeze(0) if not isinstance(q, Tensor) or q.ndim == 0 else out

    def histc(self, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
        """Counts of the elements in ``bins`` equal-width bins over [min, max] (the data's
        range when min = max = 0; a zero-width range widens to [min - 1, max + 1]); values
        outside are ignored, the max edge belongs to the last bin. No gradient."""
        if not self.is_floating_point():
            raise NotImplementedError(f'"histogram_cpu" not implemented for '
                               f"'{_kind_name(self.dtype)}'")
        if bins <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                               "dimension 0")
        data = self.detach().cpu()._data
        lo, hi = float(min), float(max)
        if lo == hi and data.size:
            lo, hi = float(data.min()), float(data.max())
        if lo == hi:
            lo, hi = lo - 1, hi + 1
        if lo > hi:
            raise RuntimeError("torch.histc: max must be larger than min")
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise RuntimeError(f"torch.histc: range of [{lo:g}, {hi:g}] is not finite")
        counts = _bin_counts(data.reshape(-1), None, bins, lo, hi)
        return Tensor._wrap(counts.astype(data.dtype))._to(None, self.device)

    def histogram(self, bins: Any, *, range: Optional[Any] = None,
                  weight: Optional[Tensor] = None, density: bool = False) -> Any:
        """``(hist, bin_edges)``: ``bins`` equal-width bins over ``range`` (default the data's
        min and max) or the given increasing edges (a 1-D tensor); bin i holds
        eᵢ ≤ x < eᵢ₊₁, the last also its right edge. With ``weight`` each element adds its
        weight instead of 1; ``density`` divides by (Σ hist) · width. No gradient."""
        data = self.detach().cpu()._data.reshape(-1)
        w = None if weight is None else weight.detach().cpu()._data.reshape(-1)
        if isinstance(bins, Tensor):
            edges = bins.detach().cpu()._data.astype(data.dtype)
        else:
            lo, hi = (float(data.min()), float(data.max())) if range is None and data.size \
                else (0.0, 0.0) if range is None else map(float, range)
            if lo > hi:
                raise RuntimeError(f"torch.histogram(): min should not exceed max, but got "
                                   f"min {lo} max {hi}")
            if lo == hi:
                lo, hi = lo - 0.5, hi + 0.5
            edges = np.linspace(lo, hi, int(bins) + 1).astype(data.dtype)
        hist = _bin_counts(data, w, edges.size - 1, edges[0], edges[-1], edges)
        hist = hist.astype(data.dtype)
        if density:
            hist = hist / (hist.sum() * np.diff(edges))
        return return_types.histogram(Tensor._wrap(hist.astype(data.dtype))._to(None, self.device),
                                      Tensor._wrap(edges)._to(None, self.device))

    def unique(self, sorted: bool = True, return_inverse: bool = False,
               return_counts: bool = False, dim: Optional[int] = None) -> Any:
        """The distinct elements in increasing order (optionally where each element went,
        and how often each value occurs). No gradient."""
        if dim is not None:
            raise NotImplementedError("minitorch's unique works on all elements (dim=None)")
        values, inverse, counts = np.unique(self.cpu()._data, return_inverse=True,
                                            return_counts=True)
        out = [Tensor._wrap(values)._to(None, self.device)]
        if return_inverse:
            out.append(Tensor._wrap(inverse.reshape(self.shape).astype(np.int64))
                       ._to(None, self.device))
        if return_counts:
            out.append(Tensor._wrap(counts.astype(np.int64))._to(None, self.device))
        return out[0] if len(out) == 1 else tuple(out)

    def bincount(self, weights: Optional[Tensor] = None, minlength: int = 0) -> Tensor:
        """How often each non-negative integer occurs (or the sum of its ``weights``)."""
        if self.ndim != 1 or self.dtype.is_floating_point or self.dtype is dtypes.bool_:
            raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
        w = None if weights is None else weights.detach().cpu()._data
        counts = np.bincount(self.cpu()._data, w, minlength)
        if weights is None:
            counts = counts.astype(np.int64)
        elif weights.dtype is dtypes.float32:
            counts = counts.astype(np.float32)
        return Tensor._wrap(counts)._to(None, self.device)

    def apply_(self, callable: Callable[[Any], Any]) -> Tensor:
        """Replace every element x by ``callable(x)`` (CPU tensors; slow, for small ones)."""
        if self.is_cuda:
            raise TypeError("apply_ is only implemented on CPU tensors")
        flat = self._data.reshape(-1)
        return self._fill_raw(np.array([callable(v) for v in flat.tolist()],
                                       dtype=self._data.dtype).reshape(self.shape))

    def pin_memory(self) -> Tensor:
        """Page-locked host memory speeds up copies to a GPU; minitorch's copies go through
        CuPy, so this returns the tensor unchanged."""
        return self

    def is_pinned(self) -> bool:
        return False

    # ----------------------------------------------- more reductions (ops/scan.py)
    def prod(self, dim: Optional[int] = None, keepdim: bool = False,
             dtype: Optional[dtypes.dtype] = None) -> Tensor:
        x = self._to(dtype, None) if dtype is not None else self
        x = x if x.dtype is not dtypes.bool_ else x.long()
        dims = None if dim is None else _dims(dim, self.ndim)
        return scan.Prod.apply(x, dims, keepdim and dims is not None)

    def cumsum(self, dim: int, dtype: Optional[dtypes.dtype] = None) -> Tensor:
        x = self._to(dtype, None) if dtype is not None else self
        x = x if x.dtype is not dtypes.bool_ else x.long()
        if x.ndim == 0:
            return x.clone()
        return scan.Cumsum.apply(x, normalize_dim(dim, self.ndim))

    def cumprod(self, dim: int, dtype: Optional[dtypes.dtype] = None) -> Tensor:
        x = self._to(dtype, None) if dtype is not None else self
        x = x if x.dtype is not dtypes.bool_ else x.long()
        if x.ndim == 0:
            return x.clone()
        return scan.Cumprod.apply(x, normalize_dim(dim, self.ndim))

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        return scan.Logsumexp.apply(self._floating(), _dims(dim, self.ndim), keepdim)

    def logcumsumexp(self, dim: int) -> Tensor:
        """y_i = log Σ_{j ≤ i} e^{x_j} along ``dim``, computed without overflow."""
        if not self.dtype.is_floating_point:
            raise NotImplementedError(f'"logcumsumexp_out_cpu" not implemented for '
                                      f"'{_kind_name(self.dtype)}'")
        return scan.Logcumsumexp.apply(self, normalize_dim(dim, self.ndim))

    def cummax(self, dim: int) -> Any:
        """``(values, indices)``: the running maximum along ``dim`` and where it was found
        (the latest position on ties; a NaN stays the maximum)."""
        values, indices = scan.CumExtreme.apply(self, normalize_dim(dim, self.ndim), True)
        return return_types.cummax(values, indices)

    def cummin(self, dim: int) -> Any:
        """``(values, indices)``: the running minimum along ``dim`` (as :meth:`cummax`)."""
        values, indices = scan.CumExtreme.apply(self, normalize_dim(dim, self.ndim), False)
        return return_types.cummin(values, indices)

    def nansum(self, dim: Any = None, keepdim: bool = False, *,
               dtype: Optional[dtypes.dtype] = None) -> Tensor:
        """Σ over ``dim`` (all dims when None) of the elements that are not NaN."""
        x = self._to(dtype, None) if dtype is not None else self
        x = x if x.dtype is not dtypes.bool_ else x.long()
        return reduction.Nansum.apply(x, _dims(dim, self.ndim, True), keepdim)

    def nanmean(self, dim: Any = None, keepdim: bool = False, *,
                dtype: Optional[dtypes.dtype] = None) -> Tensor:
        """The mean of the elements that are not NaN: nansum(x) / #(x not NaN), composed as
        torch composes it (the result's node is DivBackward0)."""
        x = self._to(dtype, None) if dtype is not None else self
        if not x.dtype.is_floating_point:
            raise RuntimeError(f"nanmean(): expected input to have floating point or complex "
                               f"dtype but got {_kind_name(x.dtype)}")
        count = (~x.isnan()).sum(dim, keepdim)
        return x.nansum(dim, keepdim) / count

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False,
             dtype: Optional[dtypes.dtype] = None) -> Tensor:
        """The vector p-norm over ``dim`` (all elements when None): ``p`` a number, ``inf``,
        ``-inf`` or ``'fro'`` (= 2)."""
        x = self._to(dtype, None) if dtype is not None else self
        if not x.dtype.is_floating_point:
            raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex "
                               f"tensor as input. Got {x.dtype.kind}")
        if p is None or p == "fro":
            if isinstance(dim, (list, tuple)) and len(dim) > 2:
                raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got "
                                   + " ".join(str(d) for d in dim))
            p = 2
        elif isinstance(p, str):
            raise RuntimeError(f"minitorch supports the vector norms (p a number, inf or "
                               f"'fro'); got p={p!r}")
        dims = None if dim is None else _dims(dim, self.ndim, True)
        return scan.LinalgVectorNorm.apply(x, float(p), dims, keepdim)

    def amin(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return -((-self).amax(dim, keepdim)) if self.dtype is not dtypes.bool_ else \
            (~(~self).amax(dim, keepdim))

    def count_nonzero(self, dim: Any = None) -> Tensor:
        return (self != 0).sum(dim)


def _quantile_checks(x: Tensor, q: Any, interpolation: str) -> Tensor:
    """torch's checks of quantile's arguments, in its order and words (which say
    "quantile()" for nanquantile too); ``q`` as a 1-D tensor of x's dtype."""
    if not isinstance(q, Tensor) and not 0 <= q <= 1:
        raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q}")
    if interpolation not in ("linear", "lower", "higher", "midpoint", "nearest"):
        raise RuntimeError(f"quantile() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    if x.numel() == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if isinstance(q, Tensor) and q.ndim > 1:
        raise RuntimeError("quantile() q must be a scalar or 1D tensor")
    if x.dtype not in (dtypes.float32, dtypes.float64):
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if not isinstance(q, Tensor):
        return Tensor._wrap(np.array([q], dtype=x._data.dtype))._to(None, x.device)
    if q.dtype is not x.dtype:
        raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
    values = q.detach().cpu()._data
    if not ((values >= 0) & (values <= 1)).all():
        raise RuntimeError("quantile() q values must be in the range [0, 1]")
    return q.detach().reshape(-1)


def _bin_counts(data: np.ndarray, weight: Optional[np.ndarray], bins: int, lo: Any, hi: Any,
                edges: Optional[np.ndarray] = None) -> np.ndarray:
    """Σ weight (or the count) of the values in each of ``bins`` bins over [lo, hi]: equal
    widths, bin ⌊bins · (x - lo) / (hi - lo)⌋ (torch's arithmetic), or given ``edges``
    (the last edge in the last bin); values outside [lo, hi] and NaN are left out."""
    keep = (data >= lo) & (data <= hi)
    data = data[keep]
    if edges is None:
        where = ((data - lo) * bins / (hi - lo)).astype(np.int64)
    else:
        where = np.searchsorted(edges, data, side="right") - 1
    where = np.minimum(where, bins - 1)
    return np.bincount(where, None if weight is None else weight[keep], minlength=bins)
