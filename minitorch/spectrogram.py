"""``stft`` and ``istft``, torch's short-time Fourier transform and its inverse, composed of
differentiable ops — padding, framing by indexing, a window multiply, ``fft.rfft`` /
``fft.fft`` (and, back, ``fft.irfft``, overlap-add by ``F.fold``) — so gradients reach the
signal and the window.

For a signal x (after ``center`` padding by ⌊n_fft/2⌋ on both sides), window w (zero-padded
to n_fft, centred) and hop H, frame t, frequency k:

    X[k, t] = s · Σ_{n=0}^{n_fft−1} w[n] · x[tH + n] · e^{−2πi kn/n_fft}

with s = 1/√n_fft when ``normalized`` (else 1). ``istft`` inverts it by least squares
(Griffin–Lim's formula): y[m] = Σ_t w[m − tH] · x_t[m − tH] / Σ_t w²[m − tH], x_t the
inverse DFT of frame t."""

from __future__ import annotations

import warnings
from typing import Optional

from minitorch import fft
from minitorch.creation import arange, ones, zeros
from minitorch.functions import cat
from minitorch.tensor import Tensor
from minitorch.tensor.complexes import complex as make_complex
from minitorch.tensor.complexes import view_as_real

RETURN_COMPLEX_REQUIRED = ("stft requires the return_complex parameter be given for real "
                           "inputs, and will further require that return_complex=True in a "
                           "future PyTorch release.")


def _full_window(window: Optional[Tensor], win_length: int, n_fft: int, like: Tensor) -> Tensor:
    """The window (ones when None) zero-padded on both sides to n_fft, centred."""
    dtype = like.real.dtype if like.dtype.is_complex else like.dtype
    w = ones(win_length, dtype=dtype, device=like.device) if window is None else window
    left = (n_fft - win_length) // 2
    if left or n_fft - win_length - left:
        parts = [zeros(left, dtype=w.dtype, device=w.device), w,
                 zeros(n_fft - win_length - left, dtype=w.dtype, device=w.device)]
        w = cat(parts)
    return w


def _describe(name: str, x: Tensor, n_fft: int, hop: int, win: int) -> str:
    return (f"{name}({x.type()}{list(x.shape)}, n_fft={n_fft}, hop_length={hop}, "
            f"win_length={win}) : ")


def stft(input: Tensor, n_fft: int, hop_length: Optional[int] = None,  # noqa: A002
         win_length: Optional[int] = None, window: Optional[Tensor] = None,
         center: bool = True, pad_mode: str = "reflect", normalized: bool = False,
         onesided: Optional[bool] = None, return_complex: Optional[bool] = None) -> Tensor:
    """The short-time Fourier transform of a signal (L,) or batch (B, L): complex
    (freq, frames) or (B, freq, frames), freq = ⌊n_fft/2⌋+1 when onesided (the default for
    a real signal and window) else n_fft; ``return_complex=False`` gives real pairs (…, 2)."""
    from minitorch.nn.functional import pad

    is_complex = input.dtype.is_complex or (window is not None and window.dtype.is_complex)
    if return_complex is None:
        if not is_complex:
            raise RuntimeError(RETURN_COMPLEX_REQUIRED)
        return_complex = True
    if not return_complex:
        warnings.warn("stft with return_complex=False is deprecated. In a future pytorch "
                      "release, stft will return complex tensors for all inputs, and "
                      "return_complex=False will raise an error.", UserWarning, stacklevel=2)
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    if center:
        dims = input.ndim
        extended = input.reshape([1] * (3 - dims) + list(input.shape)) if dims <= 3 else input
        input = pad(extended, [n_fft // 2, n_fft // 2], pad_mode)
        input = input.reshape(input.shape[-dims:])
    where = _describe("stft", input, n_fft, hop, win)
    if input.ndim not in (1, 2):
        raise RuntimeError(where + "expected a 1D or 2D tensor")
    length = input.shape[-1]
    if not 0 < n_fft <= length:
        raise RuntimeError(where + f"expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    if hop <= 0:
        raise RuntimeError(where + f"expected hop_length > 0, but got hop_length={hop}")
    if not 0 < win <= n_fft:
        raise RuntimeError(where + f"expected 0 < win_length <= n_fft, but got win_length={win}")
    if window is not None and (window.ndim != 1 or window.shape[0] != win):
        raise RuntimeError(where + "expected a 1D window tensor of size equal to win_length="
                           f"{win}, but got window with size {list(window.shape)}")
    if onesided is None:
        onesided = not is_complex
    elif onesided and is_complex:
        raise RuntimeError(where + "Cannot have onesided output if window or input is complex")
    batch = input.reshape(1, length) if input.ndim == 1 else input
    frames_count = 1 + (length - n_fft) // hop
    index = arange(frames_count, device=input.device).unsqueeze(1) * hop + \
        arange(n_fft, device=input.device)
    frames = batch[:, index] * _full_window(window, win, n_fft, input)  # (B, T, n_fft)
    norm = "ortho" if normalized else "backward"
    spec = (fft.rfft if onesided else fft.fft)(frames, dim=-1, norm=norm).transpose(1, 2)
    spec = spec.squeeze(0) if input.ndim == 1 else spec
    return spec if return_complex else view_as_real(spec)


def _overlap_add(frames: Tensor, hop: int, total: int) -> Tensor:
    """y[tH + n] += frames[:, t, n] for real frames (B, T, n_fft) → (B, total) (``F.fold``)."""
    from minitorch.nn.functional import fold

    n_fft = frames.shape[-1]
    out = fold(frames.transpose(1, 2), (1, total), (1, n_fft), stride=(1, hop))
    return out.reshape(frames.shape[0], total)


def istft(input: Tensor, n_fft: int, hop_length: Optional[int] = None,  # noqa: A002
          win_length: Optional[int] = None, window: Optional[Tensor] = None,
          center: bool = True, normalized: bool = False, onesided: Optional[bool] = None,
          length: Optional[int] = None, return_complex: bool = False) -> Tensor:
    """The inverse of :func:`stft` (complex (freq, frames) or (B, freq, frames) in): each
    frame's inverse DFT, windowed, overlap-added, divided by the overlap-added squared
    window; ``center`` trims ⌊n_fft/2⌋ at both ends, ``length`` sets the output length."""
    if not input.dtype.is_complex:
        raise RuntimeError("istft requires a complex-valued input tensor matching the output "
                           "from stft with return_complex=True.")
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    where = _describe("istft", input, n_fft, hop, win)
    if input.ndim not in (2, 3):
        raise RuntimeError(where + f"Expected a tensor with 2 or 3 dimensions of complex "
                           f"dtype, but got {input.ndim}")
    batch = input.unsqueeze(0) if input.ndim == 2 else input
    fft_size, frames_count = batch.shape[1], batch.shape[2]
    if onesided is None:
        onesided = fft_size != n_fft
    if onesided and n_fft // 2 + 1 != fft_size:
        raise RuntimeError(where + "expected the frequency dimension (3rd to the last) of the "
                           f"input tensor to match n_fft / 2 + 1 when onesided=True, but got "
                           f"{fft_size}")
    if not onesided and n_fft != fft_size:
        raise RuntimeError(where + "expected the frequency dimension (3rd to the last) of the "
                           f"input tensor to match n_fft when onesided=False, but got "
                           f"{fft_size}")
    if not 0 < hop or not 0 < win <= n_fft:
        raise RuntimeError(where + f"expected 0 < hop_length and 0 < win_length <= n_fft, "
                           f"but got hop_length={hop}, win_length={win}")
    norm = "ortho" if normalized else "backward"
    spec = batch.transpose(1, 2)  # (B, T, freq)
    if return_complex:
        if onesided:
            raise RuntimeError(where + "cannot have onesided output if window or input is "
                               "complex")
        frames = fft.ifft(spec, n=n_fft, dim=-1, norm=norm)
    else:
        spec = spec if onesided else spec.narrow(-1, 0, n_fft // 2 + 1)
        frames = fft.irfft(spec, n=n_fft, dim=-1, norm=norm)
    w = _full_window(window, win, n_fft, frames)
    frames = frames * w
    total = n_fft + hop * (frames_count - 1)
    if frames.dtype.is_complex:
        y = make_complex(_overlap_add(frames.real, hop, total),
                         _overlap_add(frames.imag, hop, total))
    else:
        y = _overlap_add(frames, hop, total)
    w2 = (w * w.conj()).real if w.dtype.is_complex else w * w
    envelope = _overlap_add(w2.reshape(1, 1, n_fft).expand(1, frames_count, n_fft)
                            .contiguous(), hop, total).reshape(total)
    start = n_fft // 2 if center else 0
    end = start + length if length is not None else total - n_fft // 2 if center else total
    end = min(end, total)
    y, envelope = y[:, start:end], envelope[start:end]
    if float(envelope.abs().min()) < 1e-11:
        raise RuntimeError(where + "window overlap add min: "
                           f"{float(envelope.abs().min()):g}")
    y = y / envelope
    if length is not None and y.shape[-1] < length:
        shape = (y.shape[0], length - y.shape[-1])
        y = cat([y, zeros(shape, dtype=y.dtype, device=y.device)], -1)
    return y.squeeze(0) if input.ndim == 2 else y
