"""The tensor methods of complex numbers: ``real`` / ``imag`` (views), ``conj``, ``angle``.

A mixin of :class:`minitorch.tensor.Tensor`; the math lives in
:mod:`minitorch.autograd.ops.complex`. ``Tensor`` is bound in this module once the class
exists."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from minitorch import dtypes
from minitorch.autograd.ops import complex as cx
from minitorch.autograd.ops.grad_ops import ViewAsComplex, ViewAsReal

if TYPE_CHECKING:
    from minitorch.tensor.core import Tensor


class Complexes:
    """``real``, ``imag``, ``conj``, ``angle`` and the two views between complex and real."""

    @property
    def real(self) -> Tensor:
        """Re z, a view sharing z's memory (writes go through, as in torch): the first of
        the pairs of ``view_as_real(z)``. A real tensor is its own real part."""
        if not self.dtype.is_complex:
            return self
        return ViewAsReal.apply(self)[..., 0]

    @real.setter
    def real(self, value: Any) -> None:
        self.real.copy_(value) if isinstance(value, Tensor) else self.real.fill_(value)

    @property
    def imag(self) -> Tensor:
        """Im z, a view sharing z's memory; torch refuses it for a real tensor."""
        if not self.dtype.is_complex:
            raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
        return ViewAsReal.apply(self)[..., 1]

    @imag.setter
    def imag(self, value: Any) -> None:
        self.imag.copy_(value) if isinstance(value, Tensor) else self.imag.fill_(value)

    def conj(self) -> Tensor:
        """conj(z) = x − iy, a conjugated copy (``is_conj()`` stays False: torch's lazy
        conjugate bit is not modelled); a real tensor is returned as it is."""
        return cx.Conj.apply(self) if self.dtype.is_complex else self

    def conj_physical(self) -> Tensor:
        return self.conj()

    def resolve_conj(self) -> Tensor:
        return self

    def angle(self) -> Tensor:
        """arg z ∈ (−π, π], real (float32 for complex64); for a real x: π where x < 0, else 0."""
        if not (self.dtype.is_complex or self.dtype.is_floating_point):
            return cx.Angle.apply(self._to(dtypes.get_default_dtype(), None))
        return cx.Angle.apply(self)


def view_as_real(input: Tensor) -> Tensor:  # noqa: A002 - torch's name
    """The complex tensor as real pairs (…, 2), sharing its memory."""
    if not input.dtype.is_complex:
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return ViewAsReal.apply(input)


def view_as_complex(input: Tensor) -> Tensor:  # noqa: A002 - torch's name
    """A float32/float64 tensor of shape (…, 2) whose last dim has stride 1, as complex."""
    if input.dtype not in (dtypes.float32, dtypes.float64):
        raise RuntimeError("view_as_complex is only supported for float and double tensors, "
                           f"but got a tensor of scalar type: {input.dtype.kind}")
    if input.ndim == 0 or input.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if input.stride(-1) != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    return ViewAsComplex.apply(input)


def real(input: Tensor) -> Tensor:  # noqa: A002 - torch's name
    return input.real


def imag(input: Tensor) -> Tensor:  # noqa: A002 - torch's name
    return input.imag


def conj(input: Tensor) -> Tensor:  # noqa: A002 - torch's name
    return input.conj()


def angle(input: Tensor) -> Tensor:  # noqa: A002 - torch's name
    return input.angle()


def is_complex(input: Tensor) -> bool:  # noqa: A002 - torch's name
    return input.is_complex()


def complex(real: Tensor, imag: Tensor) -> Tensor:  # noqa: A001 - torch's name
    """real + i·imag from two float tensors of one dtype (float32 → complex64, float64 →
    complex128), broadcast together; torch's errors for other dtypes."""
    for t in (real, imag):
        if t.dtype not in (dtypes.float32, dtypes.float64, dtypes.float16):
            raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but "
                               f"got {real.dtype.kind} and {imag.dtype.kind}")
    if real.dtype is not imag.dtype:
        raise RuntimeError(f"Expected object of scalar type {real.dtype.kind} but got scalar "
                           f"type {imag.dtype.kind} for second argument")
    return cx.Complex.apply(real, imag)


def polar(abs: Tensor, angle: Tensor) -> Tensor:  # noqa: A002 - torch's names
    """abs · (cos angle + i sin angle), built from differentiable ops (so the gradient is
    the chain rule through cos, sin, mul and ``complex``)."""
    return complex(abs * angle.cos(), abs * angle.sin())
