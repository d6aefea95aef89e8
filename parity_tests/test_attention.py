"""``F.scaled_dot_product_attention`` and ``nn.MultiheadAttention`` against torch's:
outputs, attention weights and the gradients of every input and parameter, for the masks
(boolean and float, causal, key padding), batch_first, unbatched input, separate key/value
sizes, bias_k/bias_v and zero attention, on every backend; repr and state_dict keys; torch's
errors."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
import torch

import minitorch
from minitorch.parity import mt_to_np, on_backend, to_minitorch
from parity_tests.autograd_pairs import assert_raises_like_torch

RNG = np.random.default_rng(0)
SDPA = [
    ({}, [(2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 7)]),
    ({"is_causal": True}, [(2, 5, 4), (2, 5, 4), (2, 5, 3)]),
    ({"scale": 0.3}, [(5, 4), (6, 4), (6, 2)]),
    ({"attn_mask": RNG.random((5, 6)) > 0.3}, [(2, 5, 4), (2, 6, 4), (2, 6, 3)]),
    ({"attn_mask": RNG.standard_normal((1, 5, 6))}, [(2, 5, 4), (2, 6, 4), (2, 6, 3)]),
    ({"enable_gqa": True}, [(2, 4, 5, 4), (2, 2, 6, 4), (2, 2, 6, 3)]),
]


def _weights(shape, dtype, fn=np.cos):
    return fn(np.arange(int(np.prod(shape)))).reshape(shape).astype(dtype)


def _tolerance(dtype):
    return {"rtol": 1e-10, "atol": 1e-12} if dtype == "float64" else \
        {"rtol": 2e-5, "atol": 2e-6}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kwargs,shapes", SDPA, ids=lambda v: str(v)[:40])
def test_scaled_dot_product_attention_matches_torch(kwargs, shapes, dtype, backend):
    arrays = [np.random.default_rng(1).standard_normal(s).astype(dtype) for s in shapes]
    got = {}
    for lib, to_lib, to_np in ((torch, lambda a: torch.from_numpy(a.copy()),
                                lambda t: t.detach().numpy()),
                               (minitorch, to_minitorch(backend), mt_to_np)):
        with on_backend(backend) if lib is minitorch else contextlib.nullcontext():
            ts = [to_lib(a).requires_grad_() for a in arrays]
            kw = dict(kwargs)
            if "attn_mask" in kw:
                mask = kw["attn_mask"]
                kw["attn_mask"] = to_lib(mask if mask.dtype == bool else mask.astype(dtype))
            y = lib.nn.functional.scaled_dot_product_attention(*ts, **kw)
            (y * to_lib(_weights(tuple(y.shape), dtype))).sum().backward()
            got[lib.__name__] = [to_np(y)] + [to_np(t.grad) for t in ts]
    for ours, want in zip(got["minitorch"], got["torch"]):
        np.testing.assert_allclose(ours, want, **_tolerance(dtype))


CAUSAL = np.triu(np.ones((5, 5), bool), 1)
PADDING = np.array([[False] * 4 + [True], [False] * 5, [False, True, False, False, True]])
MHA = [
    ({}, {}, [(5, 3, 8)], True),
    ({"batch_first": True}, {"average_attn_weights": False}, [(3, 5, 8)], True),
    ({"num_heads": 4, "kdim": 6, "vdim": 5}, {}, [(4, 2, 8), (7, 2, 6), (7, 2, 5)], False),
    ({"bias": False, "add_bias_kv": True, "add_zero_attn": True}, {},
     [(4, 2, 8), (6, 2, 8), (6, 2, 8)], False),
    ({}, {"attn_mask": CAUSAL}, [(5, 3, 8)], True),
    ({}, {"key_padding_mask": PADDING}, [(5, 3, 8)], True),
    ({}, {"need_weights": False, "attn_mask": RNG.standard_normal((5, 5))}, [(5, 3, 8)],
     True),
    ({}, {}, [(5, 8)], True),  # unbatched
]


def _mha(lib, to_lib, kwargs, forward_kwargs, arrays, state, self_attention, dtype):
    module = lib.nn.MultiheadAttention(**{"embed_dim": 8, "num_heads": 2, **kwargs}).to(
        getattr(lib, dtype))
    module.load_state_dict({k: to_lib(v) for k, v in state.items()})
    ts = [to_lib(a).requires_grad_() for a in arrays]
    q, k, v = (ts[0],) * 3 if self_attention else ts
    fk = dict(forward_kwargs)
    for name in ("attn_mask", "key_padding_mask"):
        if name in fk:
            fk[name] = to_lib(fk[name] if fk[name].dtype == bool else fk[name].astype(dtype))
    out, weights = module(q, k, v, **fk)
    total = (out * to_lib(_weights(tuple(out.shape), dtype))).sum()
    if weights is not None:
        total = total + (weights * to_lib(_weights(tuple(weights.shape), dtype, np.sin))).sum()
    total.backward()
    return module, [out, weights], [t.grad for t in ts], [p.grad for p in module.parameters()]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kwargs,forward_kwargs,shapes,self_attention", MHA,
                         ids=lambda v: str(v)[:40])
def test_multihead_attention_matches_torch(kwargs, forward_kwargs, shapes, self_attention,
                                           dtype, backend):
    torch.manual_seed(0)
    ref = torch.nn.MultiheadAttention(**{"embed_dim": 8, "num_heads": 2, **kwargs})
    state = {k: v.detach().numpy().astype(dtype) for k, v in ref.state_dict().items()}
    arrays = [np.random.default_rng(2).standard_normal(s).astype(dtype) for s in shapes]
    t_mod, t_out, t_in, t_par = _mha(torch, lambda a: torch.from_numpy(a.copy()), kwargs,
                                     forward_kwargs, arrays, state, self_attention, dtype)
    with on_backend(backend):
        m_mod, m_out, m_in, m_par = _mha(minitorch, to_minitorch(backend), kwargs,
                                         forward_kwargs, arrays, state, self_attention, dtype)
    assert repr(m_mod) == repr(t_mod)
    assert list(m_mod.state_dict()) == list(t_mod.state_dict())
    assert (m_out[1] is None) == (t_out[1] is None)
    for ours, want in zip([o for o in m_out if o is not None] + m_in + m_par,
                          [o for o in t_out if o is not None] + t_in + t_par):
        np.testing.assert_allclose(mt_to_np(ours), want.detach().numpy(), **_tolerance(dtype))


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.MultiheadAttention(0, 2),
    lambda lib: lib.nn.MultiheadAttention(6, 4),
    lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.zeros(5, 3, 8), lib.zeros(5, 8),
                                               lib.zeros(5, 8)),
    lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.zeros(5, 3, 8), lib.zeros(5, 3, 8),
                                               lib.zeros(5, 3, 8),
                                               attn_mask=lib.zeros(4, 5)),
    lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.zeros(5, 3, 6), lib.zeros(5, 3, 6),
                                               lib.zeros(5, 3, 6)),
    lambda lib: lib.nn.functional.scaled_dot_product_attention(
        lib.zeros(2, 5, 4), lib.zeros(2, 5, 4), lib.zeros(2, 5, 4),
        attn_mask=lib.zeros(5, 5), is_causal=True),
    lambda lib: lib.nn.MultiheadAttention(8, 2)(lib.zeros(5, 3, 8), lib.zeros(5, 3, 8),
                                               lib.zeros(5, 3, 8),
                                               key_padding_mask=lib.zeros(3, 4, dtype=lib.bool)),
], ids=["zero_embed", "not_divisible", "key_rank", "attn_mask_shape", "embed_dim",
        "causal_with_mask", "key_padding_mask_shape"])
def test_bad_arguments_raise_torchs_error(make):
    assert_raises_like_torch(make)
