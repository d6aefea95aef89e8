"""Device questions a PyTorch program asks get honest answers: ``torch.accelerator``,
``torch.cuda``, ``torch.backends.mps`` and the ``torch.backends.cudnn`` flags."""

from __future__ import annotations

import pytest

import minitorch
from minitorch.backends.cuda import device as cuda_device


def _gpu_really_usable() -> bool:
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def test_cuda_and_accelerator_agree_with_the_driver() -> None:
    usable = _gpu_really_usable()
    assert minitorch.cuda.is_available() is usable
    assert minitorch.accelerator.is_available() is usable
    assert minitorch.accelerator.device_count() == minitorch.cuda.device_count()
    if usable:
        assert minitorch.accelerator.current_accelerator() == minitorch.device("cuda")
        assert minitorch.accelerator.current_device_index() == 0
    else:
        assert minitorch.accelerator.current_accelerator() is None
        assert minitorch.accelerator.current_device_index() == -1
        assert minitorch.accelerator.device_count() == 0
        with pytest.raises(RuntimeError, match="cannot start"):
            minitorch.cuda.current_device()


def test_accelerator_reports_a_gpu_when_one_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cuda_device, "gpu_count", lambda: 2)
    assert minitorch.accelerator.is_available()
    assert minitorch.accelerator.device_count() == 2
    acc = minitorch.accelerator.current_accelerator()
    assert acc.type == "cuda" and str(acc) == "cuda:0"


def test_tutorial_device_line_picks_cpu_without_a_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cuda_device, "gpu_count", lambda: 0)
    torch = minitorch
    device = (torch.accelerator.current_accelerator().type
              if torch.accelerator.is_available() else "cpu")
    assert device == "cpu"
    legacy = ("cuda" if torch.cuda.is_available() else "mps"
              if torch.backends.mps.is_available() else "cpu")
    assert legacy == "cpu"
    assert torch.zeros(2).to(device).device == torch.device("cpu")


def test_mps_is_neither_available_nor_built() -> None:
    assert minitorch.backends.mps.is_available() is False
    assert minitorch.backends.mps.is_built() is False


def test_cudnn_flags_are_accepted_and_kept() -> None:
    cudnn = minitorch.backends.cudnn
    before = (cudnn.benchmark, cudnn.deterministic, cudnn.enabled)
    try:
        cudnn.benchmark = True
        cudnn.deterministic = True
        cudnn.enabled = False
        assert (cudnn.benchmark, cudnn.deterministic, cudnn.enabled) == (True, True, False)
    finally:
        cudnn.benchmark, cudnn.deterministic, cudnn.enabled = before
    assert cudnn.is_available() is False and cudnn.version() is None


def test_cuda_seeding_and_cache_calls_are_accepted() -> None:
    minitorch.cuda.manual_seed(1)
    minitorch.cuda.manual_seed_all(1)
    minitorch.cuda.empty_cache()
