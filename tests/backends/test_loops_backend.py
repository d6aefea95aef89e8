"""The loops backend: selectable by name like the others, the whole kernel contract of
``Backend`` written in its own loop kernels, each with its formula. Its numbers are checked
against torch by the parity grid (``parity_tests/test_ops.py::test_small_backend_*``)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import minitorch
from minitorch import backends
from minitorch.backends.base import Backend
from minitorch.backends.loops import LoopsBackend

CONTRACT = sorted(name for name, f in vars(Backend).items()
                  if callable(f) and not name.startswith("_"))


def test_contract_is_the_kernel_interface() -> None:
    assert {"conv2d_forward", "max_pool2d_backward", "matmul", "cross_entropy_backward"} <= \
        set(CONTRACT)
    assert issubclass(LoopsBackend, Backend)


@pytest.mark.parametrize("method", CONTRACT)
def test_every_kernel_is_a_loop_kernel_with_its_formula(method: str) -> None:
    kernel = getattr(LoopsBackend, method)
    assert kernel is not getattr(Backend, method)
    assert kernel.__module__.startswith("minitorch.backends.loops."), kernel.__module__
    assert "=" in (kernel.__doc__ or ""), f"{method}: no formula in the docstring"


def _conv_on_current_backend() -> np.ndarray:
    x = minitorch.tensor(np.arange(2 * 5 * 5, dtype=np.float32).reshape(1, 2, 5, 5) / 10)
    w = minitorch.tensor(np.linspace(-1, 1, 3 * 2 * 3 * 3, dtype=np.float32).reshape(3, 2, 3, 3))
    return minitorch.nn.functional.conv2d(x, w, padding=1, stride=2).numpy()


def test_use_backend_and_set_backend_select_loops() -> None:
    torch = pytest.importorskip("torch")
    before = backends.current_backend_name()
    with backends.use_backend("loops") as chosen:
        assert isinstance(chosen, LoopsBackend) and chosen.name == "loops"
        assert backends.current_backend_name() == "loops"
        got = _conv_on_current_backend()
    assert backends.current_backend_name() == before

    x = torch.arange(2 * 5 * 5, dtype=torch.float32).reshape(1, 2, 5, 5) / 10
    w = torch.linspace(-1, 1, 3 * 2 * 3 * 3, dtype=torch.float32).reshape(3, 2, 3, 3)
    want = torch.nn.functional.conv2d(x, w, padding=1, stride=2).numpy()
    np.testing.assert_allclose(got, want, rtol=1.3e-6, atol=1e-5)

    seen = {}

    def in_a_thread() -> None:  # set_backend is per thread: this one only
        backends.set_backend("loops")
        seen["name"] = backends.current_backend_name()
        seen["y"] = _conv_on_current_backend()

    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join()
    assert seen["name"] == "loops" and backends.current_backend_name() == before
    np.testing.assert_array_equal(seen["y"], got)
