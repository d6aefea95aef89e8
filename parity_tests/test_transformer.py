"""The Transformer layers (``nn/transformer.py``) against torch's: repr, state_dict keys,
outputs and the gradients of the inputs and every parameter — encoder and decoder layers
(post- and pre-norm, relu and gelu, batch_first, masks), the stacks with a final norm, the
whole ``nn.Transformer`` with a causal target mask — on every backend; the causal mask
helper; dropout in training."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import minitorch
from minitorch.parity import mt_to_np, on_backend, to_minitorch

CAUSAL4 = np.triu(np.full((4, 4), -np.inf), 1)
PADDING = np.array([[False] * 4 + [True], [False] * 5, [True] + [False] * 4])
CASES = {
    "encoder_layer": (lambda L: L.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0),
                      [(5, 3, 8)], {}),
    "encoder_layer_prenorm_gelu_batch_first": (
        lambda L: L.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation="gelu",
                                               batch_first=True, norm_first=True),
        [(3, 5, 8)], {}),
    "decoder_layer": (lambda L: L.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0),
                      [(4, 3, 8), (5, 3, 8)], {"tgt_mask": CAUSAL4}),
    "decoder_layer_prenorm": (
        lambda L: L.nn.TransformerDecoderLayer(8, 4, 12, dropout=0.0, norm_first=True,
                                               bias=False),
        [(4, 2, 8), (6, 2, 8)], {}),
    "encoder_stack_padding": (
        lambda L: L.nn.TransformerEncoder(L.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0),
                                          2, L.nn.LayerNorm(8)),
        [(5, 3, 8)], {"src_key_padding_mask": PADDING}),
    "transformer": (lambda L: L.nn.Transformer(8, 2, 2, 1, 16, dropout=0.0),
                    [(5, 3, 8), (4, 3, 8)], {"tgt_mask": CAUSAL4}),
}


def _run(lib, to_lib, make, shapes, kwargs, state, dtype):
    module = make(lib).to(getattr(lib, dtype))
    module.load_state_dict({k: to_lib(v) for k, v in state.items()})
    rng = np.random.default_rng(1)
    xs = [to_lib(rng.standard_normal(s).astype(dtype)).requires_grad_() for s in shapes]
    kw = {k: to_lib(v if v.dtype == bool else v.astype(dtype)) for k, v in kwargs.items()}
    y = module(*xs, **kw)
    weights = np.cos(np.arange(int(np.prod(tuple(y.shape))))).reshape(tuple(y.shape))
    (y * to_lib(weights.astype(dtype))).sum().backward()
    return module, [y] + [x.grad for x in xs] + [p.grad for p in module.parameters()]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_transformer_module_matches_torch(name, dtype, backend):
    make, shapes, kwargs = CASES[name]
    torch.manual_seed(0)
    with warnings.catch_warnings():  # torch's notice about its nested-tensor fast path
        warnings.simplefilter("ignore")
        ref = make(torch)
    state = {k: v.detach().numpy().astype(dtype) for k, v in ref.state_dict().items()}
    t_mod, t_vals = _run(torch, lambda a: torch.from_numpy(a.copy()), make, shapes, kwargs,
                         state, dtype)
    with on_backend(backend):
        m_mod, m_vals = _run(minitorch, to_minitorch(backend), make, shapes, kwargs, state,
                             dtype)
    assert repr(m_mod) == repr(t_mod)
    assert list(m_mod.state_dict()) == list(t_mod.state_dict())
    tol = {"rtol": 1e-10, "atol": 1e-12} if dtype == "float64" else \
        {"rtol": 1e-4, "atol": 1e-5}
    for ours, want in zip(m_vals, t_vals):
        np.testing.assert_allclose(mt_to_np(ours), want.detach().numpy(), **tol)


def test_square_subsequent_mask_as_torch():
    for size in (1, 3, 6):
        np.testing.assert_array_equal(
            minitorch.nn.Transformer.generate_square_subsequent_mask(size).numpy(),
            torch.nn.Transformer.generate_square_subsequent_mask(size).numpy())


def test_dropout_in_training():
    """With dropout the training-mode output is random (two calls differ) and differs from
    the eval-mode output; gradients reach every parameter."""
    layer = minitorch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.3)
    x = minitorch.tensor(np.random.default_rng(2).standard_normal((5, 3, 8)),
                         dtype=minitorch.float32)
    a, b = layer(x), layer(x)
    evaluated = layer.eval()(x)
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())
    assert not np.allclose(a.detach().numpy(), evaluated.detach().numpy())
    a.sum().backward()
    assert all(p.grad is not None for p in layer.parameters())
