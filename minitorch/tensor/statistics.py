"""Tensor methods: more order statistics (``aminmax``, ``nanmedian``, ``mode``, ``msort``,
``unique_consecutive``), covariance and correlation (``cov``, ``corrcoef``), diagonal
embedding (``diag_embed``, ``diagflat``), ``renorm``, and the integer and floating-point
helpers ``gcd``, ``lcm``, ``frexp``, ``ldexp``, ``nextafter``.

The differentiable ones are built from differentiable ops (``gather``, ``index_select``,
``where``, ``mm``, ``norm``, ...), so autograd gives torch's gradients."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Callable, Optional, Tuple

import numpy as np

from minitorch import dtypes, return_types
from minitorch.shapes import normalize_dim
from minitorch.tensor.helpers import _kind_name, _promote

if TYPE_CHECKING:
    from minitorch.tensor.core import Tensor


def _wrap_like(data: np.ndarray, like: Tensor) -> Tensor:
    """A NumPy result as a tensor (no gradient) on ``like``'s device."""
    return type(like)._wrap(data)._to(None, like.device)


def _host(t: Tensor) -> np.ndarray:
    return t.detach().cpu()._data


class Statistics:
    """Tensor methods: order statistics, covariance, diagonal embedding, renorm, and
    integer / floating-point helpers."""

    # ----------------------------------------------------------- order statistics
    def aminmax(self, *, dim: Optional[int] = None, keepdim: bool = False) -> Any:
        """``(min, max)`` over ``dim`` (all elements when None); ties share the gradient, as
        in ``amin`` / ``amax``."""
        if dim is None:
            if self.numel() == 0:
                raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension "
                                   "as the operation has no identity.")
            low, high = self.amin(), self.amax()
            if keepdim:
                low, high = low.reshape((1,) * self.ndim), high.reshape((1,) * self.ndim)
            return return_types.aminmax(low, high)
        if self.ndim and self.shape[normalize_dim(dim, self.ndim)] == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as "
                               "the operation has no identity.")
        return return_types.aminmax(self.amin(dim, keepdim), self.amax(dim, keepdim))

    def _pick(self, name: str, dim: int, keepdim: bool, kind: Any,
              choose: Callable[[np.ndarray, int], np.ndarray]) -> Any:
        """``(values, indices)`` along ``dim``: ``choose(data, d)`` gives the index of the
        picked element of each slice (kept dim); the values are ``gather``-ed from ``self``,
        so the gradient flows to the picked elements."""
        d = normalize_dim(dim, self.ndim) if self.ndim else 0
        x = self if self.ndim else self.reshape(1)
        if x.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
        indices = _wrap_like(choose(_host(x), d).astype(np.int64), x)
        values = x.gather(d, indices)
        if not (keepdim and self.ndim):
            values, indices = values.squeeze(d), indices.squeeze(d)
        return kind(values, indices)

    def nanmedian(self, dim: Optional[int] = None, keepdim: bool = False) -> Any:
        """The lower median of the non-NaN elements: with k of them in a slice, element
        ⌊(k−1)/2⌋ in sorted order (NaN when all are NaN); with ``dim``, ``(values,
        indices)``."""
        if dim is None:
            if self.numel() == 0:
                return _wrap_like(np.array(np.nan, _host(self).dtype), self)
            return self.reshape(-1).nanmedian(0).values

        def choose(data: np.ndarray, d: int) -> np.ndarray:
            order = np.argsort(data, axis=d, kind="stable")  # NaN sorts last
            count = (data == data).sum(axis=d, keepdims=True)
            return np.take_along_axis(order, np.maximum(count - 1, 0) // 2, axis=d)

        return self._pick("nanmedian", dim, keepdim, return_types.nanmedian, choose)

    def mode(self, dim: int = -1, keepdim: bool = False) -> Any:
        """``(values, indices)``: the most frequent value of each slice along ``dim`` (the
        smallest one on a tie in count) and the last index where it occurs, as torch."""
        def choose(data: np.ndarray, d: int) -> np.ndarray:
            rows = np.moveaxis(data, d, -1)
            flat = rows.reshape(-1, rows.shape[-1])
            picked = np.empty(len(flat), np.int64)
            for r, row in enumerate(flat):
                values, counts = np.unique(row, return_counts=True)  # increasing values
                value = values[np.argmax(counts)]  # first of the largest counts: the smallest
                picked[r] = np.flatnonzero((row == value) | ((row != row) & (value != value)))[-1]
            return np.moveaxis(picked.reshape(rows.shape[:-1] + (1,)), -1, d)

        return self._pick("mode", dim, keepdim, return_types.mode, choose)

    def msort(self) -> Tensor:
        """``sort(dim=0).values``: sorted along the first dim."""
        return self.sort(0).values if self.ndim else self.clone()

    def unique_consecutive(self, return_inverse: bool = False, return_counts: bool = False,
                           dim: Optional[int] = None) -> Any:
        """Collapse each run of equal consecutive elements (slices along ``dim``) to one;
        optionally where each element went (``inverse``) and each run's length. No
        gradient."""
        data = _host(self)
        if dim is None:
            items = data.reshape(-1)
            starts = np.ones(items.shape[0], bool)
            starts[1:] = items[1:] != items[:-1]
            values = items[starts]
            inverse_shape = self.shape
        else:
            d = normalize_dim(dim, self.ndim)
            items = np.moveaxis(data, d, 0).reshape(data.shape[d], -1)
            starts = np.ones(items.shape[0], bool)
            starts[1:] = (items[1:] != items[:-1]).any(axis=1)
            values = np.take(data, np.flatnonzero(starts), axis=d)
            inverse_shape = (data.shape[d],)
        out = [_wrap_like(values, self)]
        if return_inverse:
            inverse = np.cumsum(starts) - 1
            out.append(_wrap_like(inverse.reshape(inverse_shape).astype(np.int64), self))
        if return_counts:
            counts = np.diff(np.append(np.flatnonzero(starts), len(starts)))
            out.append(_wrap_like(counts.astype(np.int64), self))
        return out[0] if len(out) == 1 else tuple(out)

    # ------------------------------------------------------ covariance, correlation
    def cov(self, *, correction: int = 1, fweights: Optional[Tensor] = None,
            aweights: Optional[Tensor] = None) -> Tensor:
        """The covariance of the variables in the rows (observations in the columns):
        with weights w = fweights·aweights, μ = Σ_j w_j x_j / Σ w and
        C = (x − μ) diag(w) (x − μ)ᵀ / (Σ w − correction·Σ w·a / Σ w) (the last term only
        with aweights; Σ w − correction without); unweighted, w = 1."""
        _expect_at_most_2d(self, "cov")
        x = self.reshape(1, -1) if self.ndim < 2 else self
        observations = x.shape[1]
        w = None
        for name, given, integral in (("fweights", fweights, True),
                                      ("aweights", aweights, False)):
            if given is None:
                continue
            if given.ndim > 1:
                raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions "
                                   f"but got {name} with {given.ndim} dimensions")
            if (not given.dtype.is_floating_point) != integral or given.dtype is dtypes.bool_:
                wanted = "integral" if integral else "floating point"
                raise RuntimeError(f"cov(): expected {name} to have {wanted} dtype but got "
                                   f"{name} with {_kind_name(given.dtype)} dtype")
            if given.numel() != observations:
                raise RuntimeError(f"cov(): expected {name} to have the same numel as there "
                                   f"are observations in the input but got {given.numel()} "
                                   f"!= {observations}")
            if observations and bool((given < 0).any()):
                raise RuntimeError(f"cov(): {name} cannot be negative")
            w = given if w is None else w * given
        if w is None:
            w_sum: Any = observations
            avg = x.sum(1) / w_sum
            norm_factor: Any = observations - correction
            too_few = norm_factor <= 0
        else:
            w_sum = w.sum()
            avg = (x * w).sum(1) / w_sum
            norm_factor = w_sum - correction * (w * aweights).sum() / w_sum \
                if aweights is not None and correction != 0 else w_sum - correction
            too_few = bool(norm_factor <= 0)
        if too_few:
            warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly "
                          "less than the number of observations.", stacklevel=2)
            norm_factor = 0
        centred = x - avg.unsqueeze(1)
        c = centred.mm((centred if w is None else centred * w).t())
        return (c / norm_factor).squeeze()

    def corrcoef(self) -> Tensor:
        """Pearson's correlation coefficients R_ij = C_ij / √(C_ii C_jj) of the rows, C the
        covariance (``cov``), clipped to [−1, 1]."""
        _expect_at_most_2d(self, "corrcoef")
        c = self.cov()
        if c.ndim == 0:
            return c / c
        stddev = c.diagonal().sqrt()
        return (c / stddev.reshape(-1, 1) / stddev.reshape(1, -1)).clip(-1, 1)

    # --------------------------------------------------------- diagonal embedding
    def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
        """A tensor with one more dim whose 2-D planes (``dim1``, ``dim2``) hold the last dim
        of ``self`` on their ``offset``-th diagonal, out[..., i, i + offset] = self[..., i],
        zero elsewhere (planes of size n + |offset|)."""
        out_ndim = self.ndim + 1
        d1, d2 = normalize_dim(dim1, out_ndim), normalize_dim(dim2, out_ndim)
        if d1 == d2:
            raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
        x = self if self.ndim else self.reshape(1)
        n = x.shape[-1]
        m = n + abs(offset)
        rows, cols = np.arange(m)[:, None], np.arange(m)[None, :]
        on_diagonal = (cols - rows == offset) & (rows - max(-offset, 0) < n)
        plane = x.shape[:-1] + (m, m)
        if n == 0 or m == 0:
            out = x.new_zeros(plane)
        else:
            source = np.where(on_diagonal, rows - max(-offset, 0), 0).reshape(-1)
            picked = x.index_select(-1, _wrap_like(source.astype(np.int64), x)).reshape(plane)
            from minitorch.functions import where

            out = where(_wrap_like(on_diagonal, x), picked, x.new_zeros(()))
        return out.movedim((-2, -1), (d1, d2))

    def diagflat(self, offset: int = 0) -> Tensor:
        """A 2-D tensor with the flattened input on its ``offset``-th diagonal."""
        return self.reshape(-1).diag_embed(offset)

    def renorm(self, p: float, dim: int, maxnorm: float) -> Tensor:
        """Each slice along ``dim`` whose p-norm ‖x‖ exceeds ``maxnorm`` scaled by
        maxnorm / (‖x‖ + 1e-7); the others unchanged. The gradient includes the norm's."""
        d = normalize_dim(dim, self.ndim)
        if p <= 0:
            raise RuntimeError("renorm: non-positive-norm not supported")
        if maxnorm < 0:
            raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm:g}")
        others = tuple(i for i in range(self.ndim) if i != d)
        norm = self.norm(p, dim=others, keepdim=True)
        from minitorch.functions import where

        factor = where(norm.detach() > maxnorm, maxnorm / (norm + 1e-7), norm.new_ones(()))
        return self * factor

    # ------------------------------------------- integer and floating-point helpers
    def _numpy_pair(self, other: Any, name: str, kinds: str,
                    fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Tensor:
        """``fn`` on the promoted operands (no gradient); torch's error for a dtype whose
        NumPy kind is not in ``kinds``."""
        a, b = _promote(self, other)
        b = b if hasattr(b, "_data") else _wrap_like(np.asarray(b, _host(a).dtype), a)
        if _host(a).dtype.kind not in kinds:
            raise NotImplementedError(f'"{name}_cpu" not implemented for '
                                      f"'{_kind_name(a.dtype)}'")
        return _wrap_like(np.asarray(fn(_host(a), _host(b))), a)

    def gcd(self, other: Any) -> Tensor:
        """The greatest common divisor, elementwise (≥ 0; gcd(0, 0) = 0). Integers only."""
        return self._numpy_pair(other, "gcd", "iu", np.gcd)

    def lcm(self, other: Any) -> Tensor:
        """The least common multiple |a·b| / gcd(a, b), elementwise. Integers only."""
        return self._numpy_pair(other, "lcm", "iu", np.lcm)

    def nextafter(self, other: Any) -> Tensor:
        """The next representable floating-point value after ``self`` towards ``other``."""
        return self._numpy_pair(other, "nextafter", "f", np.nextafter)

    def frexp(self) -> Any:
        """``(mantissa, exponent)`` with self = mantissa · 2^exponent, 0.5 ≤ |mantissa| < 1
        (0, ±inf and NaN have exponent 0); the exponent is int32. The mantissa is
        self / 2^exponent (exact), so its gradient is 2^−exponent."""
        if not self.dtype.is_floating_point:
            raise RuntimeError("torch.frexp() only supports floating-point dtypes")
        data = _host(self)
        _, exponent = np.frexp(data)
        scale = np.ldexp(np.ones_like(data), exponent)
        return return_types.frexp(self / _wrap_like(scale, self),
                                  _wrap_like(exponent.astype(np.int32), self))

    def ldexp(self, other: Tensor) -> Tensor:
        """self · 2^other (floating; differentiable in both)."""
        return self * (2.0 ** other)


def _expect_at_most_2d(t: Tensor, name: str) -> None:
    if t.ndim > 2:
        raise RuntimeError(f"{name}(): expected input to have two or fewer dimensions but got "
                           f"an input with {t.ndim} dimensions")


__all__: Tuple[str, ...] = ("Statistics",)
