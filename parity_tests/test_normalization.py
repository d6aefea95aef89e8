"""BatchNorm1d/2d and F.batch_norm against torch, per backend and dtype: forward and the
gradients of input, weight and bias in train and eval mode, the running statistics after
several batches (momentum, momentum=None, num_batches_tracked), affine=False,
track_running_stats=False, state_dict keys, reprs and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch
from minitorch.parity import mt_to_np, on_backend, to_minitorch

TOL = {"float32": dict(rtol=2e-5, atol=2e-5), "float64": dict(rtol=1e-10, atol=1e-11)}

CONFIGS = [
    ("BatchNorm2d", (4, 3, 5, 5), dict()),
    ("BatchNorm2d", (2, 3, 3, 4), dict(momentum=None)),
    ("BatchNorm2d", (3, 2, 2, 2), dict(affine=False, eps=1e-3)),
    ("BatchNorm2d", (3, 2, 4, 4), dict(track_running_stats=False)),
    ("BatchNorm2d", (2, 4, 3, 3), dict(momentum=0.3, bias=False)),
    ("BatchNorm1d", (6, 4), dict()),
    ("BatchNorm1d", (5, 3, 7), dict(momentum=None, affine=False)),
    ("BatchNorm1d", (4, 3), dict(track_running_stats=False, momentum=0.5)),
]
IDS = [f"{n}-{shape}-{kw}" for n, shape, kw in CONFIGS]


def _run(lib, to_lib, to_np, name, kw, batches, dtype, device="cpu"):
    layer = getattr(lib.nn, name)(batches[0].shape[1], **kw).to(getattr(lib, dtype))
    if device == "cuda":
        layer.cuda()
    if layer.weight is not None:  # non-trivial affine parameters, the same on both sides
        with lib.no_grad():
            layer.weight.copy_(to_lib(np.linspace(0.5, 1.5, layer.num_features).astype(dtype)))
            if layer.bias is not None:
                layer.bias.copy_(to_lib(np.linspace(-1, 1, layer.num_features).astype(dtype)))
    out = []
    for mode, batch in zip(("train", "train", "train", "eval"), batches):
        layer.train(mode == "train")
        x = to_lib(batch).requires_grad_()
        y = layer(x)
        cot = np.cos(np.arange(y.numel())).reshape(tuple(y.shape)).astype(dtype)
        y.backward(to_lib(cot))
        params = [p.grad for p in layer.parameters()]
        out.append((to_np(y), to_np(x.grad), [to_np(g) for g in params], type(y.grad_fn).__name__
                    if lib is torch else y.grad_fn.name()))
        for p in layer.parameters():
            p.grad = None
    state = {k: to_np(v) for k, v in layer.state_dict().items()}
    return out, state, repr(layer)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,shape,kw", CONFIGS, ids=IDS)
def test_batch_norm_matches_torch_in_train_and_eval(name, shape, kw, dtype, backend):
    rng = np.random.default_rng(3)
    batches = [(rng.standard_normal(shape) * (i + 1) + i).astype(dtype) for i in range(4)]
    want = _run(torch, torch.from_numpy, lambda t: t.detach().numpy(), name, kw, batches,
                dtype)
    with on_backend(backend):
        got = _run(minitorch, to_minitorch(backend), mt_to_np, name, kw, batches, dtype,
                   "cuda" if backend == "cuda" else "cpu")
    for step, (g, w) in enumerate(zip(got[0], want[0])):
        np.testing.assert_allclose(g[0], w[0], **TOL[dtype], err_msg=f"y, step {step}")
        np.testing.assert_allclose(g[1], w[1], **TOL[dtype], err_msg=f"dx, step {step}")
        for gp, wp in zip(g[2], w[2]):
            np.testing.assert_allclose(gp, wp, **TOL[dtype], err_msg=f"dparam, step {step}")
        assert g[3] == w[3] == "NativeBatchNormBackward0"
    assert list(got[1]) == list(want[1])
    for key in want[1]:
        np.testing.assert_allclose(got[1][key], want[1][key], **TOL[dtype], err_msg=key)
        assert got[1][key].dtype == want[1][key].dtype, key
    assert got[2] == want[2]


@pytest.mark.parametrize("training", [True, False])
def test_functional_batch_norm_without_affine_matches_torch(training, backend):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((5, 3, 4))
    rm, rv = rng.standard_normal(3), rng.uniform(0.5, 2, 3)

    def run(lib, to_lib, to_np):
        xs = to_lib(x).requires_grad_()
        mean, var = to_lib(rm.copy()), to_lib(rv.copy())
        y = lib.nn.functional.batch_norm(xs, mean, var, training=training, momentum=0.2)
        (y * y).sum().backward()
        return to_np(y), to_np(xs.grad), to_np(mean), to_np(var)

    want = run(torch, torch.from_numpy, lambda t: t.detach().numpy())
    with on_backend(backend):
        got = run(minitorch, to_minitorch(backend), mt_to_np)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-11)


def test_gradcheck_of_batch_norm_in_training():
    x = minitorch.randn(4, 2, 3, dtype=minitorch.float64, requires_grad=True)
    w = minitorch.randn(2, dtype=minitorch.float64, requires_grad=True)
    b = minitorch.randn(2, dtype=minitorch.float64, requires_grad=True)
    assert minitorch.autograd.gradcheck(
        lambda x, w, b: minitorch.nn.functional.batch_norm(x, None, None, w, b, True) ** 2,
        (x, w, b))


def _error(lib, fn):
    try:
        fn(lib)
    except Exception as e:  # noqa: BLE001 - compared below
        return type(e).__name__, str(e).replace("torch.Size", "Size").replace("miniSize",
                                                                              "Size")
    return None


BAD = [
    lambda lib: lib.nn.BatchNorm2d(3)(lib.randn(2, 3, 4)),
    lambda lib: lib.nn.BatchNorm1d(3)(lib.randn(2, 3, 4, 4)),
    lambda lib: lib.nn.BatchNorm1d(3)(lib.randn(2, 4)),
    lambda lib: lib.nn.BatchNorm1d(3)(lib.randn(1, 3)),
    lambda lib: lib.nn.functional.batch_norm(lib.randn(4, 3), None, None, training=False),
    lambda lib: lib.nn.functional.batch_norm(lib.randn(4, 3), None, None, training=True,
                                             eps=0.0),
    lambda lib: lib.nn.functional.batch_norm(lib.randn(4, 3), lib.zeros(3), lib.ones(3),
                                             eps=-1.0),
    lambda lib: lib.nn.functional.batch_norm(lib.randn(4, 3), None, None, lib.ones(2),
                                             training=True),
]


@pytest.mark.parametrize("i", range(len(BAD)))
def test_bad_input_raises_like_torch(i):
    want = _error(torch, BAD[i])
    assert want is not None
    assert _error(minitorch, BAD[i]) == want


def test_load_state_dict_from_torch_and_eval():
    t_bn = torch.nn.BatchNorm2d(3)
    t_bn(torch.randn(4, 3, 2, 2) * 3 + 1)
    t_bn.eval()
    m_bn = minitorch.nn.BatchNorm2d(3)
    m_bn.load_state_dict({k: minitorch.tensor(v.numpy()) for k, v in t_bn.state_dict().items()})
    m_bn.eval()
    x = np.random.default_rng(0).standard_normal((2, 3, 2, 2)).astype("float32")
    np.testing.assert_allclose(mt_to_np(m_bn(minitorch.tensor(x))),
                               t_bn(torch.from_numpy(x)).detach().numpy(), rtol=1e-6,
                               atol=1e-6)
    assert int(m_bn.num_batches_tracked.item()) == 1
