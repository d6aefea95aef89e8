"""The tutorial's CNN, with torch's weights loaded through ``load_state_dict``: logits, loss,
every parameter's gradient, and 20-step SGD-with-momentum and Adam trajectories — per backend.

torch's side is computed once per configuration and cached (it does not depend on the backend).
"""

from __future__ import annotations

import functools
from typing import Any, Dict, List, Tuple

import numpy as np
import pytest
import torch

import minitorch
from minitorch.parity import mt_to_np, on_backend

# float32 tolerances for the CNN, looser than assert_close's defaults on purpose: each conv
# output sums 3·25, 32·25 products and Linear(1024, 64) sums 1024, and torch (oneDNN) and our
# kernels (BLAS GEMM over im2col columns, chunked differently) add them in different orders;
# the float32 rounding of those sums (~1e-7 relative per add, growing with the length) then
# flows through three conv/pool stages and, in backward, through sums over batch × pixels.
CNN_F32 = dict(rtol=1e-4, atol=1e-5)
# float64: the same accumulation-order argument, at 2^-52 instead of 2^-23; 1e-7 × 10 covers
# the longest sums (25·32·32·8 terms for the first conv's weight gradient).
CNN_F64 = dict(rtol=1e-6, atol=1e-6)
# After 20 optimizer steps the rounding differences above are amplified by the dynamics
# (Adam divides by √v, which is tiny for rarely-updated weights): float32 trajectories are
# compared at 1e-3 relative (still far below the per-step change lr·update ~1e-2), float64 at
# 1e-6.
TRAJ_F32 = dict(rtol=1e-3, atol=1e-4)
TRAJ_F64 = dict(rtol=1e-6, atol=1e-6)


def tutorial_cnn(lib: Any) -> Any:
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(3, 32, 5, 1, 2), nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 5, 1, 2), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, 1, 2), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1024, 64), nn.Linear(64, 10))


def _data(batch: int, dtype: str) -> Tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(123)
    x = rng.standard_normal((batch, 3, 32, 32)).astype(dtype)
    y = rng.integers(0, 10, batch).astype(np.int64)
    return x, y


@functools.cache
def _torch_weights(dtype: str) -> Dict[str, np.ndarray]:
    torch.manual_seed(0)
    model = tutorial_cnn(torch).to(getattr(torch, dtype))
    return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


def _torch_model(dtype: str) -> Any:
    model = tutorial_cnn(torch).to(getattr(torch, dtype))
    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in
                           _torch_weights(dtype).items()})
    return model


def _mt_model(dtype: str, backend: str) -> Any:
    model = tutorial_cnn(minitorch).to(getattr(minitorch, dtype))
    result = model.load_state_dict({k: minitorch.tensor(v) for k, v in
                                    _torch_weights(dtype).items()})
    assert not list(getattr(result, "missing_keys", [])), result
    if backend == "cuda":
        model.cuda()
    return model


def _mt_tensor(a: np.ndarray, backend: str) -> Any:
    t = minitorch.tensor(a)
    return t.cuda() if backend == "cuda" else t


@functools.cache
def _torch_step(dtype: str, batch: int) -> Dict[str, np.ndarray]:
    model = _torch_model(dtype)
    x, y = _data(batch, dtype)
    logits = model(torch.from_numpy(x))
    loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(y))
    loss.backward()
    out = {"logits": logits.detach().numpy(), "loss": loss.detach().numpy()}
    out.update({f"grad {k}": p.grad.numpy().copy() for k, p in model.named_parameters()})
    return out


def _close(got: np.ndarray, want: np.ndarray, what: str, tol: Dict[str, float]) -> None:
    torch.testing.assert_close(torch.from_numpy(np.asarray(got)),
                               torch.from_numpy(np.asarray(want)), **tol,
                               msg=lambda m: f"{what}: {m}")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cnn_logits_loss_and_gradients(dtype, backend, budget):
    want = _torch_step(dtype, budget.cnn_batch)
    x, y = _data(budget.cnn_batch, dtype)
    tol = CNN_F32 if dtype == "float32" else CNN_F64
    with on_backend(backend):
        model = _mt_model(dtype, backend)
        logits = model(_mt_tensor(x, backend))
        loss = minitorch.nn.functional.cross_entropy(logits, _mt_tensor(y, backend))
        loss.backward()
        _close(mt_to_np(logits), want["logits"], "logits", tol)
        _close(mt_to_np(loss), want["loss"], "loss", tol)
        names = [k for k, _ in model.named_parameters()]
        assert [f"grad {k}" for k in names] == [k for k in want if k.startswith("grad")]
        for name, p in model.named_parameters():
            _close(mt_to_np(p.grad), want[f"grad {name}"], f"grad {name}", tol)


OPTIMIZERS = {
    "sgd_momentum": lambda lib, params: lib.optim.SGD(params, lr=0.01, momentum=0.9),
    "adam": lambda lib, params: lib.optim.Adam(params, lr=1e-3),
}


@functools.cache
def _torch_trajectory(opt: str, dtype: str, batch: int, steps: int) -> List[Dict[str, Any]]:
    model = _torch_model(dtype)
    optimizer = OPTIMIZERS[opt](torch, model.parameters())
    x, y = _data(batch, dtype)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    history = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(xt), yt)
        loss.backward()
        optimizer.step()
        history.append({"loss": loss.detach().numpy().copy(),
                        **{k: p.detach().numpy().copy() for k, p in model.named_parameters()}})
    return history


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
def test_cnn_training_trajectory(opt, dtype, backend, budget):
    """Loss and every parameter after each step of a short training run on fixed data."""
    batch, steps = budget.trajectory_batch, budget.trajectory_steps
    if dtype == "float64" and backend == "cuda-emulated":
        steps = 1  # the float32 run walks the whole trajectory; one float64 step keeps it short
    want = _torch_trajectory(opt, dtype, batch, steps)
    tol = TRAJ_F32 if dtype == "float32" else TRAJ_F64
    x, y = _data(batch, dtype)
    with on_backend(backend):
        model = _mt_model(dtype, backend)
        optimizer = OPTIMIZERS[opt](minitorch, model.parameters())
        xm, ym = _mt_tensor(x, backend), _mt_tensor(y, backend)
        for step, expected in enumerate(want):
            optimizer.zero_grad()
            loss = minitorch.nn.functional.cross_entropy(model(xm), ym)
            loss.backward()
            optimizer.step()
            _close(mt_to_np(loss), expected["loss"], f"step {step} loss", tol)
            for name, p in model.named_parameters():
                _close(mt_to_np(p), expected[name], f"step {step} {name}", tol)
