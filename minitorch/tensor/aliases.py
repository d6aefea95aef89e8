"""The tensor methods that are another name, or a method form, of what exists elsewhere:
``greater`` for ``gt``, ``x.dist(y)`` for ``minitorch.dist(x, y)``, ``x.H`` for the conjugate
transpose, ``x.unfold`` for sliding windows, the small ``is_*`` questions. Each says where
the real work is done.

A mixin of :class:`minitorch.tensor.Tensor` (``Tensor`` is bound here once the class exists).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Sequence

from minitorch import dtypes
from minitorch.shapes import normalize_dim

if TYPE_CHECKING:
    from minitorch.tensor.core import Tensor


_MH_HINT = " For batches of matrices, consider using tensor.mH"


def _functions() -> Any:
    from minitorch import functions

    return functions


class Aliases:
    """Tensor methods: other names and method forms of functions defined elsewhere."""

    # --------------------------------------------------------------- comparison names
    def greater(self, other: Any) -> Tensor:
        return self.gt(other)

    def greater_equal(self, other: Any) -> Tensor:
        return self.ge(other)

    def less(self, other: Any) -> Tensor:
        return self.lt(other)

    def less_equal(self, other: Any) -> Tensor:
        return self.le(other)

    def not_equal(self, other: Any) -> Tensor:
        return self.ne(other)

    def positive(self) -> Tensor:
        """``+x``: the tensor itself (torch refuses it for bool)."""
        if self.dtype is dtypes.bool_:
            raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
        return self

    # ----------------------------------------------------------------- small questions
    @property
    def is_cpu(self) -> bool:
        return not self.is_cuda

    def is_signed(self) -> bool:
        """Whether the dtype holds negative numbers (every dtype but uint8 and bool)."""
        return self.dtype not in (dtypes.uint8, dtypes.bool_)

    def is_same_size(self, other: Tensor) -> bool:
        return tuple(self.shape) == tuple(other.shape)

    def is_nonzero(self) -> bool:
        """``bool(x)`` for a one-element tensor, with torch's errors otherwise."""
        if self.numel() == 0:
            raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
        if self.numel() > 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.item())

    def isreal(self) -> Tensor:
        """True where the imaginary part is 0 (everywhere, for a real tensor)."""
        if self.is_complex():
            return self.imag == 0
        return self.new_ones(self.shape, dtype=dtypes.bool_)

    @property
    def retains_grad(self) -> bool:
        """Whether ``retain_grad()`` was called on this non-leaf tensor."""
        return bool(getattr(self, "_retains", False))

    @property
    def output_nr(self) -> int:
        """Which output of its ``grad_fn`` this tensor is."""
        return self._output_nr

    # ---------------------------------------------------- transposes and conversions
    @property
    def H(self) -> Tensor:  # noqa: N802 - torch's name
        """The conjugate transpose of a matrix (a 0-d or 2-D tensor)."""
        if self.ndim not in (0, 2):
            raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got "
                               f"{self.ndim}-D tensor.{_MH_HINT if self.ndim > 2 else ''}")
        return self.mH if self.ndim == 2 else self

    @property
    def mH(self) -> Tensor:  # noqa: N802 - torch's name
        """The conjugate transpose of the last two dims."""
        if self.ndim < 2:
            raise RuntimeError(f"tensor.mH is only supported on matrices or batches of matrices. "
                               f"Got {self.ndim}-D tensor.")
        t = self.transpose(-2, -1)
        return t.conj() if self.is_complex() else t

    def adjoint(self) -> Tensor:
        if self.ndim < 2:
            raise RuntimeError(f"tensor.adjoint() is only supported on matrices or batches of "
                               f"matrices. Got {self.ndim}-D tensor.")
        return self.mH

    def cfloat(self) -> Tensor:
        return self.to(dtypes.complex64)

    def cdouble(self) -> Tensor:
        return self.to(dtypes.complex128)

    # ---------------------------------------------------------------- shape helpers
    def unfold(self, dimension: int, size: int, step: int) -> Tensor:
        """Sliding windows along ``dimension``: that dim becomes the ⌊(n − size)/step⌋ + 1
        window starts, and a new last dim of length ``size`` holds each window —
        y[..., i, ..., j] = x[..., i·step + j, ...]. Read with ``index_select`` (a copy, not
        torch's view; its gradient adds the overlapping windows back)."""
        d = normalize_dim(dimension, max(self.ndim, 1))
        n = self.shape[d] if self.ndim else 1
        if size > n:
            raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is "
                               f"{size}")
        if step <= 0:
            raise RuntimeError(f"step is {step} but must be > 0")
        if size < 0:
            raise RuntimeError(f"size is {size} but must be >= 0")
        if self.ndim == 0:  # torch: the one window of a 0-d tensor is a 1-D tensor
            return self.reshape(1)
        x = self
        starts = (n - size) // step + 1
        index = (self.new_tensor(range(starts), dtype=dtypes.int64).unsqueeze(1) * step
                 + self.new_tensor(range(size), dtype=dtypes.int64))
        windows = x.index_select(d, index.reshape(-1))
        shape = list(x.shape[:d]) + [starts, size] + list(x.shape[d + 1:])
        return windows.reshape(shape).movedim(d + 1, -1)

    def sum_to_size(self, *size: Any) -> Tensor:
        """Sum the dims that ``size`` broadcasts to this tensor's shape (the inverse of
        ``expand``)."""
        from minitorch.autograd.ops.grad_ops import sum_to

        target = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) \
            else tuple(size)
        lead = self.ndim - len(target)
        if lead < 0 or any(t not in (1, n) for t, n in zip(target, self.shape[lead:])):
            raise RuntimeError(f"size {{{list(target)}}} is not expandable to size "
                               f"{{{list(self.shape)}}}.")
        return sum_to(self, target)

    def split_with_sizes(self, split_sizes: Sequence[int], dim: int = 0) -> tuple:
        return self.split(list(split_sizes), dim)

    def narrow_copy(self, dim: int, start: int, length: int) -> Tensor:
        return self.narrow(dim, start, length).clone()

    # ------------------------------------------------- method forms of functions
    def broadcast_to(self, size: Sequence[int]) -> Tensor:
        return _functions().broadcast_to(self, size)

    def dist(self, other: Tensor, p: float = 2) -> Tensor:
        return _functions().dist(self, other, p)

    def vdot(self, other: Tensor) -> Tensor:
        """Σ conj(self) · other over two 1-D tensors."""
        a = self.conj() if self.is_complex() else self
        return a.dot(other)

    def multinomial(self, num_samples: int, replacement: bool = False, *,
                    generator: Any = None) -> Tensor:
        return _functions().multinomial(self, num_samples, replacement, generator=generator)

    def bernoulli(self, p: Optional[float] = None, *, generator: Any = None) -> Tensor:
        """0/1 draws: with the probabilities in this tensor, or with ``p`` everywhere."""
        if p is not None:
            return self.new_empty(self.shape).bernoulli_(p, generator=generator)
        return _functions().bernoulli(self, generator=generator)

    def stft(self, *args: Any, **kwargs: Any) -> Tensor:
        from minitorch.spectrogram import stft

        return stft(self, *args, **kwargs)

    def istft(self, *args: Any, **kwargs: Any) -> Tensor:
        from minitorch.spectrogram import istft

        return istft(self, *args, **kwargs)

    def matrix_exp(self) -> Tensor:
        from minitorch import linalg

        return linalg.matrix_exp(self)

    def cholesky(self, upper: bool = False) -> Tensor:
        from minitorch import linalg

        return linalg.cholesky(self, upper=upper)

    def qr(self, some: bool = True) -> tuple:
        from minitorch import linalg

        return linalg.qr(self, mode="reduced" if some else "complete")
