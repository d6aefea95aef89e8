"""Module hooks against torch: forward hooks see (module, inputs, output); full backward
hooks see (module, grad_input, grad_output) with the same numbers as torch's."""

from __future__ import annotations

import numpy as np
import torch

import minitorch
from minitorch import nn


def _pair(requires_grad: bool):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3)).astype(np.float32)
    t_lin, m_lin = torch.nn.Linear(3, 2), nn.Linear(3, 2)
    m_lin.load_state_dict(t_lin.state_dict())
    tx = torch.tensor(x, requires_grad=requires_grad)
    mx = minitorch.tensor(x, requires_grad=requires_grad)
    return (t_lin, tx), (m_lin, mx)


def _record(module, store):
    def hook(mod, grad_input, grad_output):
        store.append(([None if g is None else g.detach().numpy() for g in grad_input],
                      [g.detach().numpy() for g in grad_output]))
    return module.register_full_backward_hook(hook)


def test_forward_hook_sees_inputs_and_output_and_can_replace_it() -> None:
    (t_lin, tx), (m_lin, mx) = _pair(False)
    seen = []
    handle = m_lin.register_forward_hook(lambda mod, inp, out: seen.append((inp[0], out)))
    out = m_lin(mx)
    assert seen[0][0] is mx and seen[0][1] is out
    handle.remove()
    m_lin(mx)
    assert len(seen) == 1
    m_lin.register_forward_hook(lambda mod, inp, out: out * 0)
    assert float(m_lin(mx).abs().sum()) == 0.0


def test_full_backward_hook_matches_torch() -> None:
    for requires_grad in (True, False):
        (t_lin, tx), (m_lin, mx) = _pair(requires_grad)
        t_seen, m_seen = [], []
        _record(t_lin, t_seen)
        _record(m_lin, m_seen)
        t_lin(tx).pow(2).sum().backward()
        (m_lin(mx) ** 2).sum().backward()
        assert len(t_seen) == len(m_seen) == 1
        (t_in, t_out), (m_in, m_out) = t_seen[0], m_seen[0]
        np.testing.assert_allclose(m_out[0], t_out[0], rtol=1e-6, atol=1e-6)
        assert (t_in[0] is None) == (m_in[0] is None) == (not requires_grad)
        if requires_grad:
            np.testing.assert_allclose(m_in[0], t_in[0], rtol=1e-6, atol=1e-6)
