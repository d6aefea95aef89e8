"""Ops that make, take apart or are special to complex numbers z = x + iy.

Gradients follow torch's convention: for a real loss L, the gradient stored for a complex
tensor is the conjugate Wirtinger derivative ``∂L/∂z* · 2 = ∂L/∂x + i ∂L/∂y`` — a step
``z − lr · z.grad`` is plain gradient descent on (x, y). For y = f(z), with gy arriving from
above, torch's rule is gz = conj(∂y/∂z) · gy + (∂y/∂z*) · conj(gy) — for a holomorphic f just
gy · conj(f′(z)). The views ``view_as_real`` / ``view_as_complex`` live in ``grad_ops``."""

from __future__ import annotations

from typing import Any

from minitorch.autograd.function import Function
from minitorch.autograd.ops.util import complex_dtype


class Conj(Function):
    """y = conj(z) = x − iy (a copy);  gz = conj(gy) (y depends on z* only: ∂y/∂z* = 1)."""

    def forward(self, z: Any) -> Any:
        return z.conj()

    def backward(self, gy: Any) -> Any:
        return gy.conj()

    def backward_graph(self, gy: Any) -> Any:
        return Conj.apply(gy)

    def name(self) -> str:
        return "ConjBackward0"


class Angle(Function):
    """y = arg z = atan2(y, x), real. torch's gradient (``angle_backward``): for complex z,
    gz = gy · i z / |z|² (0 at z = 0); for real x the angle is piecewise constant (0 or π),
    so gx = 0."""

    def forward(self, z: Any) -> Any:
        self.save_for_backward(z)
        xp = self.xp
        if z.dtype.kind == "c":
            return xp.angle(z).astype(z.real.dtype)
        return xp.where(xp.isnan(z), z, xp.where(z < 0, xp.pi, 0)).astype(z.dtype)

    def backward(self, gy: Any) -> Any:
        xp = self.xp
        (z,) = self.saved_tensors
        if z.dtype.kind != "c":
            return xp.zeros_like(z)
        r2 = (z * z.conj()).real
        safe = xp.where(r2 == 0, 1, r2)
        return xp.where(r2 == 0, 0, gy * z / safe * 1j).astype(z.dtype)

    def name(self) -> str:
        return "AngleBackward0"


class Complex(Function):
    """z = re + i·im from two real tensors of one dtype (broadcast);
    g_re = Re(gz), g_im = Im(gz), each summed back to its input's shape."""

    def forward(self, re: Any, im: Any) -> Any:
        self.shapes = (re.shape, im.shape)
        z = self.xp.empty(self.xp.broadcast_shapes(re.shape, im.shape),
                          dtype=complex_dtype(re))
        z.real, z.imag = re, im
        return z

    def backward(self, gz: Any) -> Any:
        from minitorch.autograd.ops.util import unbroadcast

        return (unbroadcast(self.xp, self.xp.ascontiguousarray(gz.real), self.shapes[0]),
                unbroadcast(self.xp, self.xp.ascontiguousarray(gz.imag), self.shapes[1]))

    def name(self) -> str:
        return "ComplexBackward0"
