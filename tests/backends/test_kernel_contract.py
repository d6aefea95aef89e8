"""The kernel contract of ``backends/base.py``: kernels receive C-contiguous arrays of one
floating dtype. The autograd ops establish it once (non-contiguous views and transposed
weights reach every backend's kernels as contiguous copies, and the results equal torch's);
the backends only check it and refuse an input that breaks it."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch
from minitorch.backends import get_backend, use_backend

torch = pytest.importorskip("torch")

BACKENDS = ["numpy", "numba", "cuda-emulated"]


@pytest.mark.parametrize("name", ["numba", "cuda-emulated"])
def test_backends_refuse_what_breaks_the_contract(name):
    backend = get_backend(name)
    x = np.random.default_rng(0).standard_normal((2, 3, 8, 8)).astype(np.float32)
    w = np.ones((4, 3, 3, 3), np.float32)
    geometry = ((1, 1), (1, 1, 1, 1), (1, 1), 1, (8, 8))
    with pytest.raises(ValueError, match="not C-contiguous"):
        backend.conv2d_forward(x[:, :, :, ::-1], w, None, *geometry)
    with pytest.raises(ValueError, match="mixed dtypes"):
        backend.conv2d_forward(x, w.astype(np.float64), None, *geometry)
    with pytest.raises(ValueError, match="not C-contiguous"):
        backend.relu_forward(x.transpose(0, 1, 3, 2))
    with pytest.raises(ValueError, match="not C-contiguous"):
        backend.linear_forward(x.reshape(2, -1), np.ones((192, 5), np.float32).T, None)
    assert backend.conv2d_forward(x, w, None, *geometry).shape == (2, 4, 8, 8)


@pytest.mark.parametrize("name", BACKENDS)
def test_views_reach_the_kernels_through_the_ops(name):
    """Transposed and strided views as input, weight and bias of conv2d, linear, pooling, relu,
    softmax and cross_entropy: the ops make them contiguous, values and grads match torch."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 9, 8))
    w = rng.standard_normal((3, 4, 3, 3))       # used as w.transpose(1, 0, 2, 3)
    lin = rng.standard_normal((6, 16))          # used as lin.T: (16, 6) -> weight (6, 16)
    b = rng.standard_normal(12)                 # used as b[::2]
    target = np.array([1, 3])

    def run(lib, arr):
        xs = arr(x).requires_grad_()
        ws = arr(w).requires_grad_()
        ls = arr(lin).requires_grad_()
        bs = arr(b).requires_grad_()
        F = lib.nn.functional
        y = F.conv2d(xs.transpose(2, 3), ws.transpose(0, 1), None, 1, 1)   # (2, 4, 8, 9)
        y = F.max_pool2d(F.relu(y.transpose(2, 3)), 2)                      # (2, 4, 4, 4)
        z = F.linear(y.flatten(1)[:, ::4].contiguous().t().t(), ls.t().t(), bs[::2])
        z = F.softmax(z.t(), 0).t()
        loss = F.cross_entropy(z, lib.tensor(target))
        loss.backward()
        return [loss, xs.grad, ws.grad, ls.grad, bs.grad]

    ref = run(torch, torch.tensor)
    with use_backend(name):
        ours = run(minitorch, minitorch.tensor)
    for o, r in zip(ours, ref):
        np.testing.assert_allclose(o.detach().numpy(), r.detach().numpy(), rtol=1e-7,
                                   atol=1e-9)


def test_the_contract_holds_under_python_O():
    """The check is a raise, not an assert: ``python -O`` strips asserts."""
    import subprocess
    import sys

    code = ("import numpy as np\nfrom minitorch.backends.base import check_inputs\n"
            "try:\n    check_inputs(np.ones((3, 4), np.float32).T)\n"
            "except ValueError as e:\n    print('refused', e)\n")
    out = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.startswith("refused") and "not C-contiguous" in out
