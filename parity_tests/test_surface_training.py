"""A small model made of the layers a learner reaches for after the CNN — Embedding with
padding_idx, LayerNorm, GELU/SiLU, AdaptiveAvgPool2d, Unflatten, a ParameterList — trained
a few steps with ``clip_grad_norm_`` / ``clip_grad_value_`` and F.one_hot targets, in torch
and in minitorch from the same weights: the losses, the returned gradient norms and the
final weights must agree, per backend."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch
from minitorch.parity import mt_to_np, on_backend

STEPS = 4
TOKENS = np.array([[1, 4, 0, 2, 4, 3], [0, 0, 5, 1, 2, 2], [3, 1, 4, 1, 5, 0]])
LABELS = np.array([2, 0, 1])


def _model(lib):
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(6, 8, padding_idx=0)
            self.body = nn.Sequential(nn.LayerNorm(8), nn.Linear(8, 8), nn.GELU("tanh"),
                                      nn.Unflatten(-1, (2, 4)), nn.AdaptiveAvgPool2d((3, 2)),
                                      nn.Flatten(), nn.SiLU(), nn.Linear(36, 3))
            self.scale = nn.ParameterList([lib.ones(3), lib.zeros(3)])

        def forward(self, tokens):
            h = self.body(self.embed(tokens))  # (B, 6, 8) → (B, 6, 2, 4) → (B, 6, 3, 2) → (B, 3)
            return h * self.scale[0] + self.scale[1]

    return Net()


def _train(lib, model, convert, to_np):
    opt = lib.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    tokens, labels = convert(TOKENS), convert(LABELS)
    losses, norms = [], []
    for step in range(STEPS):
        opt.zero_grad()
        logits = model(tokens)
        target = lib.nn.functional.one_hot(labels, 3).to(logits.dtype)
        loss = -(lib.nn.functional.normalize(target, p=1, dim=1)
                 * logits.log_softmax(-1)).sum(1).mean()
        loss.backward()
        if step % 2:
            lib.nn.utils.clip_grad_value_(model.parameters(), 0.05)
            norms.append(0.0)
        else:
            norms.append(float(lib.nn.utils.clip_grad_norm_(model.parameters(), 0.3)))
        opt.step()
        losses.append(loss.item())
    weights = {k: to_np(v) for k, v in model.state_dict().items()}
    return losses, norms, weights


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_surface_model_trains_like_torch(dtype, backend):
    torch.manual_seed(0)
    t_model = _model(torch).to(getattr(torch, dtype))
    state = {k: v.detach().numpy().copy() for k, v in t_model.state_dict().items()}
    want = _train(torch, t_model, torch.from_numpy, lambda t: t.detach().numpy())
    with on_backend(backend):
        m_model = _model(minitorch).to(getattr(minitorch, dtype))
        m_model.load_state_dict({k: minitorch.tensor(v) for k, v in state.items()})
        if backend == "cuda":
            m_model.cuda()

        def convert(a):
            t = minitorch.tensor(a)
            return t.cuda() if backend == "cuda" else t
        got = _train(minitorch, m_model, convert, mt_to_np)
    rtol = 1e-4 if dtype == "float32" else 1e-9
    np.testing.assert_allclose(got[0], want[0], rtol=rtol)
    np.testing.assert_allclose(got[1], want[1], rtol=rtol)
    assert list(got[2]) == list(want[2])
    for k in want[2]:
        np.testing.assert_allclose(got[2][k], want[2][k], rtol=rtol, atol=rtol, err_msg=k)
