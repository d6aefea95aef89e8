"""The discrete Fourier transform, as torch's three primitives ``_fft_c2c``, ``_fft_r2c`` and
``_fft_c2r``, with torch's backward formulas (``FunctionsManual.cpp``).

Over the transformed dims (one dim of length N shown; several dims nest the same sum):

    forward:  X[k] = s · Σ_{n=0}^{N-1} x[n] · e^{-2πi kn/N}
    inverse:  x[n] = s · Σ_{k=0}^{N-1} X[k] · e^{+2πi kn/N}

with the scale s one of ``"none"`` (1), ``"sqrt"`` (1/√N) or ``"n"`` (1/N) — torch's
``norm`` argument picks it per direction (``minitorch.fft``). The sums run in NumPy's (or
CuPy's) ``xp.fft`` — the FFT is plumbing here, like BLAS for matmul; NumPy computes float32
input in complex64 or complex128, and the result is cast to complex64 for float32/complex64
input, complex128 for float64/complex128.

Gradients (torch's conjugate-Wirtinger convention, ``gz = Aᴴ gy`` for a linear y = A z):
the adjoint of a DFT with scale s is the DFT of the opposite direction with the same s."""

from __future__ import annotations

from typing import Any, Sequence, Tuple

from minitorch.autograd.function import Function
from minitorch.autograd.ops.util import complex_dtype, real_dtype

_FORWARD_NORM = {"none": "backward", "sqrt": "ortho", "n": "forward"}  # xp.fft.fftn's name
_INVERSE_NORM = {"none": "forward", "sqrt": "ortho", "n": "backward"}  # xp.fft.ifftn's name


def c2c(xp: Any, z: Any, dims: Sequence[int], scale: str, forward: bool) -> Any:
    """The complex DFT of ``z`` over ``dims`` (forward: e^{-2πi kn/N}, else e^{+2πi kn/N})."""
    if forward:
        out = xp.fft.fftn(z, axes=dims, norm=_FORWARD_NORM[scale])
    else:
        out = xp.fft.ifftn(z, axes=dims, norm=_INVERSE_NORM[scale])
    return out.astype(complex_dtype(z), copy=False)


class FftC2C(Function):
    """y = DFT(z) over ``dims`` (forward or inverse, scale ``scale``), complex → complex.
    Backward (``_fft_c2c`` of the gradient, ``!forward``): gz = the opposite-direction DFT
    of gy with the same scale, the adjoint Aᴴ of the linear map."""

    def forward(self, z: Any, dims: Tuple[int, ...], scale: str, forward: bool) -> Any:
        self.args = (dims, scale, forward)
        return c2c(self.xp, z, dims, scale, forward)

    def backward(self, gy: Any) -> Any:
        dims, scale, forward = self.args
        return c2c(self.xp, gy, dims, scale, not forward)

    def backward_graph(self, gy: Any) -> Any:
        dims, scale, forward = self.args
        return FftC2C.apply(gy, dims, scale, not forward)

    def name(self) -> str:
        return "FftC2CBackward0"


class FftR2C(Function):
    """y = forward DFT of the real x over ``dims``; ``onesided`` keeps only the
    ⌊N/2⌋+1 non-redundant frequencies of the last of ``dims`` (X[N−k] = conj X[k]).

    Backward (torch's ``fft_r2c_backward``): the onesided gradient is first zero-filled to
    the full length N along the last dim — the dropped half had no gradient —, then
    gx = Re(inverse DFT of it, same scale): the adjoint of "embed reals in ℂ, DFT, crop"."""

    def forward(self, x: Any, dims: Tuple[int, ...], scale: str, onesided: bool) -> Any:
        self.args, self.last_size = (dims, scale, onesided), x.shape[dims[-1]]
        xp = self.xp
        if onesided:
            out = xp.fft.rfftn(x, axes=dims, norm=_FORWARD_NORM[scale])
            return out.astype(complex_dtype(x), copy=False)
        return c2c(xp, x.astype(complex_dtype(x)), dims, scale, True)

    def backward(self, gy: Any) -> Any:
        xp = self.xp
        dims, scale, onesided = self.args
        last = dims[-1] % gy.ndim
        if onesided and gy.shape[last] < self.last_size:
            shape = list(gy.shape)
            shape[last] = self.last_size
            full = xp.zeros(shape, dtype=gy.dtype)
            full[(slice(None),) * last + (slice(0, gy.shape[last]),)] = gy
            gy = full
        return xp.ascontiguousarray(c2c(xp, gy, dims, scale, False).real)

    def name(self) -> str:
        return "FftR2CBackward0"


class FftC2R(Function):
    """y = inverse DFT over ``dims`` of the Hermitian signal whose non-redundant half z is
    given (last of ``dims``: ⌊N/2⌋+1 entries, N = ``last_size``), real output:
    y[n] = s · Σ_{k=0}^{N-1} Z[k] e^{+2πi kn/N} with Z[k] = z[k] for k ≤ N/2 and
    Z[k] = conj z[N−k] above.

    Backward (torch's ``fft_c2r_backward``): gz = forward onesided DFT of gy (same scale),
    and the entries whose mirror N−k also lands outside the half — k = 1 … N − (⌊N/2⌋+1) —
    are doubled, since each feeds y twice (as itself and as its conjugate mirror)."""

    def forward(self, z: Any, dims: Tuple[int, ...], scale: str, last_size: int) -> Any:
        self.args = (dims, scale, last_size)
        sizes = [z.shape[d] for d in dims[:-1]] + [last_size]
        out = self.xp.fft.irfftn(z, s=sizes, axes=dims, norm=_INVERSE_NORM[scale])
        return out.astype(real_dtype(z), copy=False)

    def backward(self, gy: Any) -> Any:
        dims, scale, last_size = self.args
        gz = self.xp.fft.rfftn(gy, axes=dims, norm=_FORWARD_NORM[scale])
        gz = gz.astype(complex_dtype(gy), copy=False)
        last = dims[-1] % gy.ndim
        double = last_size - gz.shape[last]
        if double > 0:
            gz[(slice(None),) * last + (slice(1, 1 + double),)] *= 2
        return gz

    def name(self) -> str:
        return "FftC2RBackward0"
