"""Complex tensors, ``minitorch.fft`` and ``stft`` / ``istft`` against torch, on the numpy and
numba backends: values and dtypes (float32 → complex64), torch's gradients (the conjugate
Wirtinger convention; rfft/irfft's backward formulas), float64 finite differences on the
real and imaginary parts, errors (type and message), promotion and printing."""

from __future__ import annotations

from typing import Any, Callable, Dict, Tuple

import numpy as np
import pytest
import torch

import minitorch
from minitorch.parity import on_backend
from parity_tests.autograd_pairs import assert_raises_like_torch

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 8))  # real signals
Z = RNG.standard_normal((3, 8)) + 1j * RNG.standard_normal((3, 8))  # complex ones
H = RNG.standard_normal((3, 5)) + 1j * RNG.standard_normal((3, 5))  # half spectra
W = RNG.standard_normal((2, 8)) + 1j * RNG.standard_normal((2, 8))
BACKENDS = ["numpy", "numba"]

# name → (call(L, *leaves), inputs)
CASES: Dict[str, Tuple[Callable[..., Any], Tuple[np.ndarray, ...]]] = {
    # complex arithmetic and the complex-only ops
    "mul": (lambda L, z, w: z * w[:1], (Z, W)),
    "div": (lambda L, z, w: z / (w[1:] + 3), (Z, W)),
    "add_sub_number": (lambda L, z: (z + 1j) - 2 * z * (0.5 - 1j), (Z,)),
    "real_times_complex": (lambda L, x, z: x * z + x, (X, Z)),
    "matmul": (lambda L, z, w: z @ w.transpose(0, 1), (Z, W)),
    "abs": (lambda L, z: z.abs(), (Z,)),
    "angle": (lambda L, z: z.angle(), (Z,)),
    "real_imag": (lambda L, z: z.real * 2 - z.imag * z.real, (Z,)),
    "conj": (lambda L, z, w: z.conj() * w[:1], (Z, W)),
    "view_as_real": (lambda L, z: L.view_as_real(z) ** 2, (Z,)),
    "view_as_complex": (lambda L, x: L.view_as_complex(x.reshape(3, 4, 2)) ** 2, (X,)),
    "complex": (lambda L, x: L.complex(x, x.flip(1) * 2), (X,)),
    "polar": (lambda L, x: L.polar(x.abs(), x * 3), (X,)),
    "sum_mean": (lambda L, z: z.sum(0) * z.mean(), (Z,)),
    # the transforms
    "fft_real": (lambda L, x: L.fft.fft(x), (X,)),
    "fft_complex_n_crop": (lambda L, z: L.fft.fft(z, n=5, norm="ortho"), (Z,)),
    "fft_pad_dim0": (lambda L, z: L.fft.fft(z, n=4, dim=0, norm="forward"), (Z,)),
    "ifft_complex": (lambda L, z: L.fft.ifft(z), (Z,)),
    "ifft_real_pad": (lambda L, x: L.fft.ifft(x, n=11, norm="ortho"), (X,)),
    "rfft": (lambda L, x: L.fft.rfft(x), (X,)),
    "rfft_odd_ortho": (lambda L, x: L.fft.rfft(x, n=7, norm="ortho"), (X,)),
    "irfft": (lambda L, h: L.fft.irfft(h), (H,)),
    "irfft_odd": (lambda L, h: L.fft.irfft(h, n=9, norm="forward"), (H,)),
    "irfft_crop": (lambda L, h: L.fft.irfft(h, n=5, norm="ortho"), (H,)),
    "fft2": (lambda L, x: L.fft.fft2(x), (X,)),
    "ifft2_s": (lambda L, z: L.fft.ifft2(z, s=(4, 6)), (Z,)),
    "rfft2": (lambda L, x: L.fft.rfft2(x, norm="ortho"), (X,)),
    "irfft2": (lambda L, h: L.fft.irfft2(h), (H,)),
    "fftn_all": (lambda L, z: L.fft.fftn(z), (Z,)),
    "ifftn_dim": (lambda L, z: L.fft.ifftn(z, dim=(0,), norm="ortho"), (Z,)),
    "rfftn_s": (lambda L, x: L.fft.rfftn(x, s=(2, 6)), (X,)),
    "irfftn": (lambda L, h: L.fft.irfftn(h, s=(3, 7)), (H,)),
    "hfft": (lambda L, h: L.fft.hfft(h), (H,)),
    "hfft_odd": (lambda L, h: L.fft.hfft(h, n=7, norm="ortho"), (H,)),
    "ihfft": (lambda L, x: L.fft.ihfft(x), (X,)),
    "fftshift": (lambda L, z: L.fft.fftshift(L.fft.fft(z), dim=-1), (Z,)),
    "ifftshift": (lambda L, x: L.fft.ifftshift(x), (X,)),
    "rfft_abs_db": (lambda L, x: 20 * (L.fft.rfft(x).abs() + 1e-3).log10(), (X,)),
    # stft / istft
    "stft": (lambda L, x: L.stft(x.reshape(-1), 8, 2, window=L.hann_window(8, dtype=x.dtype),
                                 return_complex=True), (X,)),
    "stft_batch_win_length": (lambda L, x: L.stft(x, 8, 3, 6, window=L.hann_window(
        6, dtype=x.dtype), pad_mode="constant", normalized=True, return_complex=True), (X,)),
    "stft_no_center_twosided": (lambda L, z: L.stft(z, 4, center=False, window=L.ones(
        4, dtype=z.real.dtype), return_complex=True), (Z,)),
    "stft_real_pairs": (lambda L, x: L.stft(x.reshape(-1), 6, center=False, onesided=True,
                                            window=L.ones(6, dtype=x.dtype),
                                            return_complex=False), (X,)),
    "istft": (lambda L, h: L.istft(h.transpose(0, 1).reshape(5, 3), 8, 2,
                                   window=L.hann_window(8, dtype=h.real.dtype)), (H,)),
    "istft_length": (lambda L, x: L.istft(L.stft(x, 8, 2, window=L.hann_window(
        8, dtype=x.dtype), return_complex=True), 8, 2, window=L.hann_window(
            8, dtype=x.dtype), length=7), (X,)),
}


def _loss_weights(shape: Tuple[int, ...], complex_out: bool) -> np.ndarray:
    w = np.random.default_rng(1).standard_normal(tuple(shape) + ((2,) if complex_out else ()))
    return w


def _run(lib: Any, name: str, dtype: str) -> Tuple[Any, list]:
    call, inputs = CASES[name]
    leaves = []
    for a in inputs:
        a = a.astype({"float32": np.complex64, "float64": np.complex128}[dtype]) \
            if np.iscomplexobj(a) else a.astype(dtype)
        leaves.append(lib.tensor(a).requires_grad_())
    y = call(lib, *leaves)
    w = _loss_weights(tuple(y.shape), y.is_complex())
    flat = lib.view_as_real(y.resolve_conj()) if y.is_complex() else y
    (flat * lib.tensor(w.astype(dtype))).sum().backward()
    return y, leaves


def _np(t: Any) -> np.ndarray:
    return np.asarray(t.detach().resolve_conj().numpy() if isinstance(t, torch.Tensor) else
                      t.detach().numpy())


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("backend", BACKENDS)
def test_values_dtypes_and_gradients_match_torch(name: str, dtype: str, backend: str) -> None:
    want, want_leaves = _run(torch, name, dtype)
    with on_backend(backend):
        got, got_leaves = _run(minitorch, name, dtype)
    assert str(got.dtype).replace("minitorch", "torch") == str(want.dtype)
    assert tuple(got.shape) == tuple(want.shape)
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == "float32" else dict(rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(_np(got), _np(want), **tol)
    for g, w in zip(got_leaves, want_leaves):
        assert str(g.grad.dtype).replace("minitorch", "torch") == str(w.grad.dtype)
        np.testing.assert_allclose(_np(g.grad), _np(w.grad), **tol)


FD_CASES = ["mul", "div", "abs", "angle", "real_imag", "fft_complex_n_crop", "ifft_real_pad",
            "rfft_odd_ortho", "irfft", "irfft_odd", "hfft_odd", "ihfft", "irfftn", "stft",
            "istft", "polar"]


@pytest.mark.parametrize("name", FD_CASES)
def test_gradients_match_finite_differences(name: str) -> None:
    """∂L/∂Re z + i ∂L/∂Im z by central differences in float64, for the first input."""
    call, inputs = CASES[name]
    first = inputs[0]
    rest = [minitorch.tensor(a) for a in inputs[1:]]

    def loss(a: np.ndarray) -> float:
        y = call(minitorch, minitorch.tensor(a), *rest)
        w = _loss_weights(tuple(y.shape), y.is_complex())
        flat = minitorch.view_as_real(y) if y.is_complex() else y
        return float((flat * minitorch.tensor(w)).sum())

    leaf = minitorch.tensor(first).requires_grad_()
    y = call(minitorch, leaf, *rest)
    w = _loss_weights(tuple(y.shape), y.is_complex())
    ((minitorch.view_as_real(y) if y.is_complex() else y) * minitorch.tensor(w)).sum().backward()
    eps, numeric = 1e-6, np.zeros(first.shape, dtype=first.dtype)
    for idx in np.ndindex(first.shape):
        for unit in ((1.0, 1j) if np.iscomplexobj(first) else (1.0,)):
            step = np.zeros(first.shape, dtype=first.dtype)
            step[idx] = eps * unit
            numeric[idx] += unit * (loss(first + step) - loss(first - step)) / (2 * eps)
    np.testing.assert_allclose(leaf.grad.numpy(), numeric, rtol=1e-5, atol=1e-6)


def test_views_write_through_and_promotion() -> None:
    for lib in (torch, minitorch):
        z = lib.tensor([1 + 2j, 3 - 1j])
        z.real[0] = 5
        z.imag.mul_(2)
        lib.view_as_real(z)[1, 0] = -1
        assert z.tolist() == [5 + 4j, -1 - 2j]
        assert z.sum().item() == 4 + 2j and not z.is_conj() and z.is_complex()
    pairs = [(np.float32, 1j), (np.float64, 1j), (np.int32, 2.5j), (np.float64, np.complex64)]
    for dtype, other in pairs:
        dts = []
        for lib in (torch, minitorch):
            x = lib.tensor(np.ones(2, dtype=dtype))
            o = lib.tensor(np.ones(2, dtype=other)) if isinstance(other, type) else other
            dts.append(str((x + o).dtype).split(".")[-1])
        assert dts[0] == dts[1]
    assert str(minitorch.promote_types(minitorch.float64, minitorch.cfloat)) == \
        "minitorch.complex128"
    for a, b in ((torch.ones(2).dtype, minitorch.ones(2).dtype),):
        assert str(a).split(".")[-1] == str(b).split(".")[-1]
    assert minitorch.fft.fftfreq(5).tolist() == pytest.approx(torch.fft.fftfreq(5).tolist())
    assert minitorch.fft.rfftfreq(6, 0.5).tolist() == \
        pytest.approx(torch.fft.rfftfreq(6, 0.5).tolist())


@pytest.mark.parametrize("data", [[1 + 2j, -3.5 - 1j, 0.25j], [[1.5 - 2j]], [1e5 + 1j, 1e-5j],
                                  [0j, 2 + 0j]])
def test_printing_matches_torch(data: Any) -> None:
    for dtype in ("complex64", "complex128"):
        want = repr(torch.tensor(data, dtype=getattr(torch, dtype)))
        got = repr(minitorch.tensor(data, dtype=getattr(minitorch, dtype)))
        assert got.replace("minitorch.", "torch.") == want


@pytest.mark.parametrize("make", [
    lambda L: L.fft.rfft(L.ones(3, dtype=L.complex64)),
    lambda L: L.fft.irfft(L.ones(1)),
    lambda L: L.fft.fft(L.ones(3), n=0),
    lambda L: L.fft.fft(L.ones(3), norm="x"),
    lambda L: L.fft.fft(L.ones(3), dim=2),
    lambda L: L.stft(L.ones(40), 16),
    lambda L: L.istft(L.ones(9, 3), 16),
    lambda L: L.view_as_real(L.ones(3)),
    lambda L: L.view_as_complex(L.ones(3)),
    lambda L: L.ones(3).imag,
    lambda L: L.tensor([1j]).relu(),
])
def test_errors_match_torch(make: Callable[[Any], Any]) -> None:
    assert_raises_like_torch(make)


@pytest.mark.parametrize("make, tail", [
    (lambda L: L.stft(L.ones(40), 0, return_complex=True), "expected 0 < n_fft < 40, but "
     "got n_fft=0"),
    (lambda L: L.stft(L.ones(40), 16, 0, return_complex=True), "expected hop_length > 0, "
     "but got hop_length=0"),
    (lambda L: L.stft(L.ones(40), 16, win_length=20, return_complex=True),
     "expected 0 < win_length <= n_fft, but got win_length=20"),
    (lambda L: L.stft(L.ones(40), 16, window=L.ones(5), return_complex=True),
     "expected a 1D window tensor of size equal to win_length=16, but got window with size "
     "[5]"),
    (lambda L: L.stft(L.ones(2, 2, 40), 16, return_complex=True), "expected a 1D or 2D tensor"),
])
def test_stft_argument_errors_end_as_torch_s(make: Callable[[Any], Any], tail: str) -> None:
    """torch prefixes these with a description of the call (its C++ types): the checks and
    their wording after it are compared."""
    for lib in (torch, minitorch):
        with pytest.raises(RuntimeError) as info:
            make(lib)
        assert str(info.value).endswith(tail)


def test_stft_istft_round_trip_and_warns_like_torch() -> None:
    x = minitorch.tensor(X[0].repeat(4))
    window = minitorch.hann_window(8, dtype=minitorch.float64)
    spec = minitorch.stft(x, 8, 2, window=window, return_complex=True)
    back = minitorch.istft(spec, 8, 2, window=window, length=x.shape[0])
    np.testing.assert_allclose(back.numpy(), x.numpy(), atol=1e-12)
