"""``minitorch.fft``: torch.fft's discrete Fourier transforms, differentiable.

Every transform is one of three ops (:mod:`minitorch.autograd.ops.spectral`) after the
input is cropped or zero-padded to the requested sizes (``n`` / ``s``) by differentiable
slicing and concatenation. For one dim of length N, with ω = e^{-2πi/N}:

* ``fft``:   X[k] = Σ_n x[n] ω^{kn}               ``ifft``:  x[n] = 1/N Σ_k X[k] ω^{-kn}
* ``rfft``:  the first ⌊N/2⌋+1 values of ``fft`` of a real x (the rest are their conjugates)
* ``irfft``: the real inverse of ``rfft`` (output length N, by default 2·(m−1) for m inputs)
* ``hfft``:  ``irfft`` of conj(x) with the forward scale — a real spectrum of a Hermitian
  signal; ``ihfft``: conj(``rfft``(x)) with the inverse scale

``norm`` chooses where the 1/N goes: ``"backward"`` (default: on the inverse), ``"forward"``
(on the forward transform) or ``"ortho"`` (1/√N on both). ``fft2`` / ``fftn`` (and the
others) nest the sum over several dims. Real input to ``fft``/``ifft`` is promoted to
complex (float32 → complex64, float64 → complex128); integers become the default float."""

from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple, Union

from minitorch import dtypes
from minitorch.autograd.ops.complex import Conj
from minitorch.autograd.ops.spectral import FftC2C, FftC2R, FftR2C
from minitorch.creation import arange, zeros
from minitorch.foreign import expect_tensor
from minitorch.shapes import normalize_dim
from minitorch.tensor import Tensor

Dims = Optional[Union[int, Sequence[int]]]

__all__ = ["fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn",
           "rfftn", "irfftn", "hfft", "ihfft", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]


# -- arguments --------------------------------------------------------------------------------
def _scale(norm: Optional[str], forward: bool) -> str:
    """torch's ``norm`` as the scale of a transform in the given direction."""
    if norm is None or norm == "backward":
        return "none" if forward else "n"
    if norm == "forward":
        return "n" if forward else "none"
    if norm == "ortho":
        return "sqrt"
    raise RuntimeError(f'Invalid normalization mode: "{norm}"')


def _floating(x: Tensor, name: str) -> Tensor:
    expect_tensor(x, name)
    if x.dtype.is_complex or x.dtype in (dtypes.float32, dtypes.float64):
        return x
    return x._to(dtypes.get_default_dtype(), None)


def _as_complex(x: Tensor) -> Tensor:
    return x if x.dtype.is_complex else x._to(dtypes.to_complex(x.dtype), None)


def _real_only(x: Tensor, name: str) -> None:
    if x.dtype.is_complex:
        raise RuntimeError(f"{name} expects a real input tensor, but got {x.dtype.kind}")


def _dims_and_sizes(x: Tensor, s: Optional[Sequence[int]], dim: Dims,
                    default_all: bool = True) -> Tuple[Tuple[int, ...], list]:
    """torch's canonical (dims, sizes): ``dim`` None with ``s`` → the last len(s) dims; both
    None → every dim; ``s`` None → the current sizes (−1 in ``s`` keeps one)."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        dims = tuple(normalize_dim(d, x.ndim) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError("FFT dims must be unique")
    elif s is not None:
        dims = tuple(range(x.ndim - len(s), x.ndim))
    else:
        dims = tuple(range(x.ndim))
    if s is not None and len(s) != len(dims):
        raise RuntimeError("When given, dim and shape arguments must have the same length")
    sizes = [x.shape[d] if s is None or s[i] == -1 else int(s[i]) for i, d in enumerate(dims)]
    for n in sizes:
        if n < 1:
            raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return dims, sizes


def _resize(x: Tensor, dims: Sequence[int], sizes: Sequence[int]) -> Tensor:
    """Crop (a slice) or zero-pad at the end (a concatenation) each of ``dims`` to its size."""
    for d, n in zip(dims, sizes):
        have = x.shape[d]
        if have > n:
            x = x.narrow(d, 0, n)
        elif have < n:
            shape = list(x.shape)
            shape[d] = n - have
            x = _cat(x, zeros(shape, dtype=x.dtype, device=x.device), d)
    return x


def _cat(a: Tensor, b: Tensor, dim: int) -> Tensor:
    from minitorch.functions import cat

    return cat([a, b], dim)


# -- the transforms ---------------------------------------------------------------------------
def _c2c_or_r2c(x: Tensor, dims: Tuple[int, ...], norm: Optional[str], forward: bool) -> Tensor:
    """fftn / ifftn of a resized input: complex → FftC2C; real → FftR2C (two-sided), which
    only computes forward transforms: the inverse of a real x is conj(forward DFT of x)."""
    scale = _scale(norm, forward)
    if x.dtype.is_complex:
        return FftC2C.apply(x, dims, scale, forward)
    y = FftR2C.apply(x, dims, scale, False)
    return y if forward else Conj.apply(y)


def fftn(input: Tensor, s: Optional[Sequence[int]] = None, dim: Dims = None,  # noqa: A002
         norm: Optional[str] = None) -> Tensor:
    """X[k₁…k_d] = Σ_{n₁…n_d} x[n₁…n_d] Π_j e^{-2πi k_j n_j / N_j} over ``dim``."""
    x = _floating(input, "fftn")
    dims, sizes = _dims_and_sizes(x, s, dim)
    return _c2c_or_r2c(_resize(x, dims, sizes), dims, norm, True)


def ifftn(input: Tensor, s: Optional[Sequence[int]] = None, dim: Dims = None,  # noqa: A002
          norm: Optional[str] = None) -> Tensor:
    """x[n₁…n_d] = 1/ΠN_j Σ_{k₁…k_d} X[k₁…k_d] Π_j e^{+2πi k_j n_j / N_j} over ``dim``."""
    x = _floating(input, "ifftn")
    dims, sizes = _dims_and_sizes(x, s, dim)
    return _c2c_or_r2c(_resize(x, dims, sizes), dims, norm, False)


def rfftn(input: Tensor, s: Optional[Sequence[int]] = None, dim: Dims = None,  # noqa: A002
          norm: Optional[str] = None) -> Tensor:
    """``fftn`` of a real x, keeping the first ⌊N/2⌋+1 frequencies of the last dim."""
    x = _floating(input, "rfftn")
    _real_only(x, "rfftn")
    dims, sizes = _dims_and_sizes(x, s, dim)
    return FftR2C.apply(_resize(x, dims, sizes), dims, _scale(norm, True), True)


def irfftn(input: Tensor, s: Optional[Sequence[int]] = None, dim: Dims = None,  # noqa: A002
           norm: Optional[str] = None) -> Tensor:
    """The real inverse of ``rfftn``: the last dim's output length is ``s[-1]`` (default
    2·(m−1) for m input frequencies); the input is resized to ⌊N/2⌋+1 there first."""
    x = _as_complex(_floating(input, "irfftn"))
    dims, sizes = _dims_and_sizes(x, s, dim)
    return _c2r(x, dims, sizes, s is None or s[-1] == -1, _scale(norm, False))


def _c2r(x: Tensor, dims: Tuple[int, ...], sizes: list, default_last: bool,
         scale: str) -> Tensor:
    last = 2 * (x.shape[dims[-1]] - 1) if default_last else sizes[-1]
    if last < 1:
        raise RuntimeError(f"Invalid number of data points ({last}) specified")
    sizes = sizes[:-1] + [last // 2 + 1]
    return FftC2R.apply(_resize(x, dims, sizes), dims, scale, last)


def _one(n: Optional[int], dim: int) -> Tuple[Optional[Sequence[int]], Tuple[int]]:
    return (None if n is None else (n,)), (dim,)


def fft(input: Tensor, n: Optional[int] = None, dim: int = -1,  # noqa: A002 - torch's name
        norm: Optional[str] = None) -> Tensor:
    """X[k] = Σ_{n=0}^{N-1} x[n] e^{-2πi kn/N} along ``dim`` (N = ``n``: x cropped or padded)."""
    return fftn(input, *_one(n, dim), norm=norm)


def ifft(input: Tensor, n: Optional[int] = None, dim: int = -1,  # noqa: A002
         norm: Optional[str] = None) -> Tensor:
    """x[n] = 1/N Σ_{k=0}^{N-1} X[k] e^{+2πi kn/N} along ``dim``."""
    return ifftn(input, *_one(n, dim), norm=norm)


def rfft(input: Tensor, n: Optional[int] = None, dim: int = -1,  # noqa: A002
         norm: Optional[str] = None) -> Tensor:
    """X[k] = Σ_n x[n] e^{-2πi kn/N} for k = 0 … ⌊N/2⌋, x real."""
    x = _floating(input, "rfft")
    _real_only(x, "rfft")
    return rfftn(x, *_one(n, dim), norm=norm)


def irfft(input: Tensor, n: Optional[int] = None, dim: int = -1,  # noqa: A002
          norm: Optional[str] = None) -> Tensor:
    """x[n] = 1/N Σ_{k=0}^{N-1} X[k] e^{+2πi kn/N}, X[N−k] = conj X[k]: real, length N = ``n``
    (default 2·(m−1))."""
    return irfftn(input, *_one(n, dim), norm=norm)


def hfft(input: Tensor, n: Optional[int] = None, dim: int = -1,  # noqa: A002
         norm: Optional[str] = None) -> Tensor:
    """The real spectrum of a Hermitian signal given by its first half:
    X[k] = Σ_{n=0}^{N-1} x[n] e^{-2πi kn/N} with x[N−n] = conj x[n] — ``irfft(conj(x))``
    with the forward transform's scale (1 for ``norm="backward"``)."""
    x = _as_complex(_floating(input, "hfft"))
    dims, sizes = _dims_and_sizes(x, *_one(n, dim))
    return _c2r(Conj.apply(x), dims, sizes, n is None, _scale(norm, True))


def ihfft(input: Tensor, n: Optional[int] = None, dim: int = -1,  # noqa: A002
          norm: Optional[str] = None) -> Tensor:
    """The inverse of ``hfft``: conj(``rfft``(x)) with the inverse scale (1/N by default),
    x real: x̂[k] = 1/N Σ_n x[n] e^{+2πi kn/N}, k = 0 … ⌊N/2⌋."""
    x = _floating(input, "ihfft")
    _real_only(x, "ihfft")
    dims, sizes = _dims_and_sizes(x, *_one(n, dim))
    return Conj.apply(FftR2C.apply(_resize(x, dims, sizes), dims, _scale(norm, False), True))


def fft2(input: Tensor, s: Optional[Sequence[int]] = None,  # noqa: A002
         dim: Sequence[int] = (-2, -1), norm: Optional[str] = None) -> Tensor:
    """``fftn`` over two dims (the last two by default)."""
    return fftn(input, s, dim, norm)


def ifft2(input: Tensor, s: Optional[Sequence[int]] = None,  # noqa: A002
          dim: Sequence[int] = (-2, -1), norm: Optional[str] = None) -> Tensor:
    """``ifftn`` over two dims (the last two by default)."""
    return ifftn(input, s, dim, norm)


def rfft2(input: Tensor, s: Optional[Sequence[int]] = None,  # noqa: A002
          dim: Sequence[int] = (-2, -1), norm: Optional[str] = None) -> Tensor:
    """``rfftn`` over two dims (the last two by default)."""
    return rfftn(input, s, dim, norm)


def irfft2(input: Tensor, s: Optional[Sequence[int]] = None,  # noqa: A002
           dim: Sequence[int] = (-2, -1), norm: Optional[str] = None) -> Tensor:
    """``irfftn`` over two dims (the last two by default)."""
    return irfftn(input, s, dim, norm)


# -- frequencies and shifts -------------------------------------------------------------------
def fftfreq(n: int, d: float = 1.0, *, dtype: Any = None, device: Any = None,
            requires_grad: bool = False) -> Tensor:
    """The frequency of each ``fft`` output: [0, 1, …, ⌈n/2⌉−1, −⌊n/2⌋, …, −1] / (d·n)."""
    k = arange(n, dtype=dtype or dtypes.get_default_dtype(), device=device)
    k = (k - ((k >= (n + 1) // 2) * n)._to(k.dtype, None)) / (d * n)
    return k.requires_grad_(requires_grad)


def rfftfreq(n: int, d: float = 1.0, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """The frequency of each ``rfft`` output: [0, 1, …, ⌊n/2⌋] / (d·n)."""
    k = arange(n // 2 + 1, dtype=dtype or dtypes.get_default_dtype(), device=device)
    return (k / (d * n)).requires_grad_(requires_grad)


def _shift(x: Tensor, dim: Dims, sign: int) -> Tensor:
    dims = tuple(range(x.ndim)) if dim is None else (dim,) if isinstance(dim, int) else \
        tuple(dim)
    if not dims:
        return x
    shifts = [sign * (x.shape[d] // 2) for d in dims]
    return x.roll(shifts, dims)


def fftshift(input: Tensor, dim: Dims = None) -> Tensor:  # noqa: A002 - torch's name
    """Move frequency 0 to the centre: roll each of ``dim`` by ⌊N/2⌋."""
    return _shift(input, dim, 1)


def ifftshift(input: Tensor, dim: Dims = None) -> Tensor:  # noqa: A002 - torch's name
    """The inverse of ``fftshift``: roll each of ``dim`` by −⌊N/2⌋."""
    return _shift(input, dim, -1)


