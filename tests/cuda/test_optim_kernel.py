"""The CUDA backend's multi-tensor SGD kernel (``kernels/optim.cu``) against the same step as
NumPy array operations (bitwise), on the emulator with its race detector; and the autograd
engine taking an unshared gradient as ``.grad`` without copying a shared one."""

from __future__ import annotations

from typing import Any, Dict, List

import numpy as np
import pytest

import minitorch
from minitorch import backends

# 20 tensors: two launches of 16 slots, sizes that end inside a block and span several
SHAPES = [(3, 4), (5,), (2, 3, 2, 2), (300,)] * 5
FLAGS: List[Dict[str, Any]] = [
    dict(lr=0.1),
    dict(lr=0.1, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01, maximize=True),
    dict(lr=0.05, momentum=0.8, weight_decay=0.02, nesterov=True),
]


def stepped(backend: str, kw: Dict[str, Any], dtype: Any, steps: int = 3) -> List[np.ndarray]:
    rng = np.random.default_rng(1)
    init = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(steps)]
    with backends.use_backend(backend):
        params = [minitorch.tensor(a, requires_grad=True) for a in init]
        optimizer = minitorch.optim.SGD(params, **kw)
        for gs in grads:
            for p, g in zip(params, gs, strict=True):
                p.grad = minitorch.tensor(g)
            optimizer.step()
        return [p.detach().numpy().copy() for p in params]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kw", FLAGS, ids=lambda kw: "-".join(f"{k}={v}" for k, v in kw.items()))
def test_sgd_kernel_equals_array_operations_bitwise(kw: Dict[str, Any], dtype: Any) -> None:
    want = stepped("numpy", kw, dtype)
    launches: List[str] = []
    backend = backends.get_backend("cuda-emulated")
    original = backend.launcher.launch
    backend.launcher.launch = lambda kernel, *a, **k: (launches.append(kernel),
                                                       original(kernel, *a, **k))
    try:
        got = stepped("cuda-emulated", kw, dtype)
    finally:
        del backend.launcher.launch
    assert launches == ["sgd_update"] * 2 * 3  # 20 tensors: 2 launches a step
    for g, w in zip(got, want, strict=True):
        assert np.array_equal(g, w)


def test_arrays_the_kernel_does_not_take_are_stepped_with_array_operations() -> None:
    """A non-contiguous gradient is refused by the kernel and stepped by SGD.update."""
    kw = dict(lr=0.1, momentum=0.9)
    rng = np.random.default_rng(2)
    w0, g0 = rng.standard_normal((4, 3)).astype(np.float32), rng.standard_normal((3, 4))
    results = []
    for name in ("numpy", "cuda-emulated"):
        with backends.use_backend(name):
            p = minitorch.tensor(w0, requires_grad=True)
            optimizer = minitorch.optim.SGD([p], **kw)
            for _ in range(2):
                p.grad = minitorch.tensor(g0.astype(np.float32)).t()  # a transposed view
                optimizer.step()
            results.append(p.detach().numpy().copy())
    assert np.array_equal(*results)


def test_gradient_reaching_two_leaves_is_copied_for_one() -> None:
    a = minitorch.tensor([1.0, 2.0], requires_grad=True)
    b = minitorch.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()  # AddBackward hands the same array to both leaves
    assert not np.shares_memory(a.grad._data, b.grad._data)
    a.grad.add_(1.0)
    assert b.grad.tolist() == [1.0, 1.0]


def test_gradient_held_elsewhere_is_copied() -> None:
    a = minitorch.tensor([1.0, 2.0], requires_grad=True)
    g = minitorch.tensor([5.0, 6.0])
    a.backward(g)  # the caller still holds g
    assert not np.shares_memory(a.grad._data, g._data)
    g.add_(1.0)
    assert a.grad.tolist() == [5.0, 6.0]
