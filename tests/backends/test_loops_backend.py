"""The loops backend: selectable by name like the others, the whole kernel contract of
``Backend`` written in its own loop kernels, each with its formula. Its numbers are checked
against torch by the parity grid (``parity_tests/test_ops.py::test_small_backend_*``)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import minitorch
from minitorch import backends
from minitorch.backends.base import COMPOSITES, Backend
from minitorch.backends.loops import LoopsBackend

CONTRACT = sorted(name for name, f in vars(Backend).items()
                  if callable(f) and not name.startswith("_") and name not in COMPOSITES)
# the layer kernels, forward and backward: these must be written as loops
LOOP_KERNELS = [f"{op}_{part}" for op, parts in [
    ("conv2d", ("forward", "backward_input", "backward_weight", "backward_bias")),
    ("max_pool2d", ("forward", "backward")), ("avg_pool2d", ("forward", "backward")),
    ("relu", ("forward", "backward")), ("tanh", ("forward", "backward")),
    ("sigmoid", ("forward", "backward")), ("linear", ("forward", "backward")),
    ("softmax", ("forward", "backward")), ("log_softmax", ("forward", "backward")),
    ("cross_entropy", ("forward", "backward"))] for part in parts] + ["matmul"]


def test_contract_is_the_kernel_interface() -> None:
    assert set(LOOP_KERNELS) <= set(CONTRACT)
    assert issubclass(LoopsBackend, Backend)
    assert not set(LoopsBackend.BORROWED) & set(LOOP_KERNELS)
    assert set(LoopsBackend.BORROWED) == set(CONTRACT) - set(LOOP_KERNELS)


@pytest.mark.parametrize("method", LOOP_KERNELS)
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


@pytest.mark.parametrize("shape", [(1, 1, 2, 2), (1, 2, 3, 2), (2, 1, 2, 5)])
def test_max_pool_window_of_only_padding(shape: tuple) -> None:
    """Dilation can step a window over the whole image (kernel 2, dilation 3, padding 1):
    such a window is -inf, as PyTorch's, with index -1 and no gradient — the rule of every
    backend (PyTorch's index there is its first pixel, which may alias a pixel of the plane
    or lie past its end, where its own backward writes outside the plane). Every other window
    has PyTorch's index and gradient."""
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal(shape)
    kw = dict(kernel_size=(1, 2), stride=1, padding=(0, 1), dilation=(1, 3),
              return_indices=True)
    yt, it = torch.nn.functional.max_pool2d(torch.tensor(x), **kw)
    width = shape[3]
    padding_only = np.array([all(not 0 <= j - 1 + 3 * q < width for q in range(2))
                             for j in range(yt.shape[3])])
    want_index = np.where(padding_only, -1, it.numpy())
    gy = np.random.default_rng(1).standard_normal(tuple(yt.shape))
    with backends.use_backend("loops"):
        xm = minitorch.tensor(x, requires_grad=True)
        ym, im = minitorch.nn.functional.max_pool2d(xm, **kw)
        ym.backward(minitorch.tensor(gy))
    np.testing.assert_array_equal(ym.detach().numpy(), yt.numpy())
    np.testing.assert_array_equal(im.numpy(), want_index)
    want = np.zeros(shape).reshape(shape[0], shape[1], -1)  # scatter by the kept indices
    flat_index = want_index.reshape(*want_index.shape[:2], -1)
    for n, c, k in np.ndindex(*flat_index.shape):
        if flat_index[n, c, k] >= 0:
            want[n, c, flat_index[n, c, k]] += gy.reshape(*gy.shape[:2], -1)[n, c, k]
    np.testing.assert_array_equal(xm.grad.numpy(), want.reshape(shape))
