"""Device helpers behave without a GPU; real-GPU tests skip with the reason."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch.cuda
from minitorch.backends.cuda import device

GPU_REASON = device.unavailable_reason() or "a GPU is present"
needs_gpu = pytest.mark.skipif(not minitorch.cuda.is_available(),
                               reason=f"needs a CUDA GPU: {GPU_REASON}")
no_gpu = pytest.mark.skipif(minitorch.cuda.is_available(), reason="a GPU is present")


def test_is_available_never_raises() -> None:
    assert isinstance(minitorch.cuda.is_available(), bool)
    assert minitorch.cuda.device_count() >= 0


@no_gpu
def test_without_gpu_errors_name_what_is_missing() -> None:
    assert minitorch.cuda.device_count() == 0
    with pytest.raises(RuntimeError, match="CuPy|GPU"):
        device.to_gpu(np.zeros(3))
    with pytest.raises(RuntimeError, match="CuPy|GPU"):
        minitorch.cuda.synchronize()
    from minitorch.backends import get_backend

    with pytest.raises(RuntimeError, match="CUDA backend cannot start"):
        get_backend("cuda")


def test_to_cpu_passes_numpy_through() -> None:
    a = np.arange(4.0)
    assert device.to_cpu(a) is a


def test_register_is_lazy() -> None:
    from minitorch.backends import available_backends

    assert {"cuda", "cuda-emulated"} <= set(available_backends())


@needs_gpu
def test_gpu_backend_matches_emulator() -> None:
    from minitorch.backends import get_backend

    gpu, emu = get_backend("cuda"), get_backend("cuda-emulated")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 9, 9)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    args = ((1, 2), (1, 0, 2, 1), (1, 1), 1, (8, 5))
    want = emu.conv2d_forward(x, w, b, *args)
    got = device.to_cpu(gpu.conv2d_forward(device.to_gpu(x), device.to_gpu(w),
                                           device.to_gpu(b), *args))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    y, idx = gpu.max_pool2d_forward(device.to_gpu(x), (3, 3), (2, 2), (1, 1), (1, 1), (5, 5))
    ey, eidx = emu.max_pool2d_forward(x, (3, 3), (2, 2), (1, 1), (1, 1), (5, 5))
    np.testing.assert_array_equal(device.to_cpu(idx), eidx)
    gb = gpu.conv2d_backward_bias(device.to_gpu(x))
    np.testing.assert_allclose(device.to_cpu(gb), x.sum(axis=(0, 2, 3)), rtol=1e-5)
