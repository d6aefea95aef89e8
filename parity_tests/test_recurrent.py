"""RNN, LSTM, GRU and their cells (``nn/recurrent.py``) against torch's: repr, state_dict
keys and shapes, outputs and final states, and the gradients through time of the input, the
initial states and every parameter — for every layer option (layers, directions,
batch_first, no bias, relu, LSTM's projection, unbatched input) on every backend; the
argument and shape errors; dropout between layers."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
import torch

import minitorch
from minitorch.parity import mt_to_np, on_backend, to_minitorch
from parity_tests.autograd_pairs import assert_raises_like_torch

CONFIGS = [
    ("RNN", {}, (5, 2, 3)),
    ("RNN", {"nonlinearity": "relu", "num_layers": 2}, (4, 2, 3)),
    ("RNN", {"bidirectional": True, "batch_first": True}, (2, 5, 3)),
    ("GRU", {}, (5, 2, 3)),
    ("GRU", {"num_layers": 2, "bidirectional": True, "bias": False}, (4, 3, 3)),
    ("GRU", {}, (6, 3)),  # unbatched
    ("LSTM", {}, (5, 2, 3)),
    ("LSTM", {"num_layers": 2, "bidirectional": True}, (4, 2, 3)),
    ("LSTM", {"batch_first": True, "proj_size": 2}, (2, 5, 3)),
    ("LSTM", {"num_layers": 2, "proj_size": 3, "bidirectional": True}, (3, 2, 3)),
    ("LSTM", {"bias": False}, (6, 3)),  # unbatched
]
HIDDEN = 4


def _state_shapes(name: str, kwargs: dict, shape: tuple) -> list:
    """The initial states' shapes: (D·layers, N, H) — no N for unbatched input."""
    lead = ((2 if kwargs.get("bidirectional") else 1) * kwargs.get("num_layers", 1),)
    if len(shape) == 3:
        lead += (shape[0] if kwargs.get("batch_first") else shape[1],)
    h = (*lead, kwargs.get("proj_size") or HIDDEN)
    return [h, (*lead, HIDDEN)] if name == "LSTM" else [h]


def _run(lib, to_lib, name, kwargs, state_dict, arrays, dtype):
    """Build the layer, load the weights, run it on (x, states) and backpropagate a fixed
    weighting of every output: (outputs, gradient of x and of each state, parameter grads)."""
    module = getattr(lib.nn, name)(3, HIDDEN, **kwargs).to(getattr(lib, dtype))
    module.load_state_dict({k: to_lib(v) for k, v in state_dict.items()})
    x, *states = (to_lib(a).requires_grad_() for a in arrays)
    out, final = module(x, tuple(states) if name == "LSTM" else states[0])
    outs = [out, *(final if name == "LSTM" else (final,))]
    rng = np.random.default_rng(9)
    total = sum((o * to_lib(rng.standard_normal(tuple(o.shape)).astype(dtype))).sum()
                for o in outs)
    total.backward()
    return module, outs, [x.grad, *(s.grad for s in states)], \
        [p.grad for p in module.parameters()]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,kwargs,shape", CONFIGS, ids=lambda v: str(v))
def test_recurrent_layer_matches_torch(name, kwargs, shape, dtype, backend):
    torch.manual_seed(0)
    ref = getattr(torch.nn, name)(3, HIDDEN, **kwargs).to(getattr(torch, dtype))
    state_dict = {k: v.detach().numpy().copy() for k, v in ref.state_dict().items()}
    rng = np.random.default_rng(4)
    arrays = [rng.standard_normal(s).astype(dtype)
              for s in [shape, *_state_shapes(name, kwargs, shape)]]
    t_mod, t_outs, t_in, t_par = _run(torch, lambda a: torch.from_numpy(a.copy()), name,
                                      kwargs, state_dict, arrays, dtype)
    with on_backend(backend):
        m_mod, m_outs, m_in, m_par = _run(minitorch, to_minitorch(backend), name, kwargs,
                                          state_dict, arrays, dtype)
    assert repr(m_mod) == repr(t_mod)
    assert [(k, tuple(v.shape)) for k, v in m_mod.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in t_mod.state_dict().items()]
    tol = {"rtol": 1e-10, "atol": 1e-12} if dtype == "float64" else \
        {"rtol": 2e-5, "atol": 2e-6}
    for got, want in zip(m_outs + m_in + m_par, t_outs + t_in + t_par):
        np.testing.assert_allclose(mt_to_np(got), want.detach().numpy(), **tol)


@pytest.mark.parametrize("name", ["RNNCell", "GRUCell", "LSTMCell"])
@pytest.mark.parametrize("batched", [True, False])
def test_cell_matches_torch(name, batched, backend):
    torch.manual_seed(1)
    ref = getattr(torch.nn, name)(3, HIDDEN).double()
    rng = np.random.default_rng(5)
    x0 = rng.standard_normal((2, 3) if batched else (3,))
    h0 = rng.standard_normal((2, HIDDEN) if batched else (HIDDEN,))
    got = {}
    for lib, to_lib, to_np in ((torch, lambda a: torch.from_numpy(a.copy()),
                                lambda t: t.detach().numpy()),
                               (minitorch, to_minitorch(backend), mt_to_np)):
        with on_backend(backend) if lib is minitorch else contextlib.nullcontext():
            cell = getattr(lib.nn, name)(3, HIDDEN).double()
            cell.load_state_dict({k: to_lib(v.detach().numpy()) for k, v in
                                  ref.state_dict().items()})
            x, h = to_lib(x0).requires_grad_(), to_lib(h0).requires_grad_()
            out = cell(x, (h, h * 0.5) if name == "LSTMCell" else h)
            outs = out if isinstance(out, tuple) else (out,)
            sum(o.sum() * (i + 1) for i, o in enumerate(outs)).backward()
            got[lib.__name__] = ([to_np(o) for o in outs], to_np(x.grad), to_np(h.grad),
                                 [to_np(p.grad) for p in cell.parameters()], repr(cell))
    want, ours = got["torch"], got["minitorch"]
    assert ours[4] == want[4]
    for a, b in zip([*ours[0], ours[1], ours[2], *ours[3]], [*want[0], want[1], want[2],
                                                           *want[3]]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_dropout_between_layers():
    """dropout applies to every layer's output but the last, in training only: in eval the
    layer equals torch's; in training outputs differ from eval, change from call to call,
    and the gradient reaches every parameter."""
    torch.manual_seed(2)
    ref = torch.nn.LSTM(3, HIDDEN, num_layers=2, dropout=0.5)
    lstm = minitorch.nn.LSTM(3, HIDDEN, num_layers=2, dropout=0.5)
    lstm.load_state_dict({k: minitorch.tensor(v.numpy()) for k, v in ref.state_dict().items()})
    x0 = np.random.default_rng(6).standard_normal((5, 2, 3)).astype(np.float32)
    ref.eval()
    lstm.eval()
    np.testing.assert_allclose(lstm(minitorch.tensor(x0))[0].detach().numpy(),
                               ref(torch.from_numpy(x0))[0].detach().numpy(), rtol=1e-5,
                               atol=1e-6)
    lstm.train()
    a, b = lstm(minitorch.tensor(x0))[0], lstm(minitorch.tensor(x0))[0]
    evaluated = lstm.eval()(minitorch.tensor(x0))[0]
    assert not np.allclose(a.detach().numpy(), evaluated.detach().numpy())
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())
    a.sum().backward()
    assert all(p.grad is not None and np.abs(p.grad.numpy()).sum() > 0
               for p in lstm.parameters())


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.LSTM(3, 4)(lib.zeros(5, 2, 7)),
    lambda lib: lib.nn.GRU(3, 4)(lib.zeros(5, 2, 3), lib.zeros(2, 2, 4)),
    lambda lib: lib.nn.RNN(3, 4)(lib.zeros(5, 2, 3), lib.zeros(2, 4)),
    lambda lib: lib.nn.LSTM(3, 4)(lib.zeros(5, 2, 3), (lib.zeros(1, 2, 4), lib.zeros(1, 3, 4))),
    lambda lib: lib.nn.LSTM(3, 4)(lib.zeros(5, 3), (lib.zeros(1, 1, 4), lib.zeros(1, 1, 4))),
    lambda lib: lib.nn.GRU(3, 4)(lib.zeros(2, 5, 2, 3)),
    lambda lib: lib.nn.RNN(3, 4)(lib.zeros(5, 2, 3, dtype=lib.float64)),
    lambda lib: lib.nn.GRU(3, 4, proj_size=2),
    lambda lib: lib.nn.RNN(3, 4, nonlinearity="sigmoid"),
    lambda lib: lib.nn.LSTM(3, 4, proj_size=4),
    lambda lib: lib.nn.LSTM(3, 0),
    lambda lib: lib.nn.LSTM(3, 4, num_layers=0),
    lambda lib: lib.nn.LSTM(3, 4, dropout=1.5),
    lambda lib: lib.nn.LSTM(3, 4, bias=1),
    lambda lib: lib.nn.GRUCell(3, 4)(lib.zeros(2, 5)),
    lambda lib: lib.nn.RNNCell(3, 4)(lib.zeros(2, 2, 3)),
], ids=["input_size", "hidden_size", "hidden_rank", "cell_size", "unbatched_rank", "input_rank",
        "dtype", "gru_proj", "nonlinearity", "proj_too_big", "hidden_zero", "layers_zero",
        "dropout_range", "bias_type", "cell_input_size", "cell_rank"])
def test_bad_arguments_raise_torchs_error(make):
    assert_raises_like_torch(make)


def test_dropout_warning_for_one_layer():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        minitorch.nn.GRU(3, 4, dropout=0.3)


PACKED = [
    ("LSTM", {}, [5, 3, 2], True),
    ("GRU", {"num_layers": 2, "bidirectional": True}, [2, 5, 3], False),
    ("RNN", {"bidirectional": True}, [4, 4, 1], True),
    ("LSTM", {"proj_size": 2, "bidirectional": True, "num_layers": 2}, [3, 5, 1, 4], False),
]


def _packed_run(lib, to_lib, name, kwargs, state, arrays, lengths, enforce_sorted):
    rnn = lib.nn.utils.rnn
    module = getattr(lib.nn, name)(3, HIDDEN, **kwargs).double()
    module.load_state_dict({k: to_lib(v) for k, v in state.items()})
    x, *states = (to_lib(a).requires_grad_() for a in arrays)
    packed = rnn.pack_padded_sequence(x, lengths, enforce_sorted=enforce_sorted)
    out, final = module(packed, tuple(states) if name == "LSTM" else states[0])
    padded, found = rnn.pad_packed_sequence(out, padding_value=-1.0)
    finals = list(final) if name == "LSTM" else [final]
    weights = np.cos(np.arange(int(np.prod(tuple(padded.shape))))).reshape(tuple(padded.shape))
    total = (padded * to_lib(weights)).sum() + sum((f * (i + 2)).sum()
                                                   for i, f in enumerate(finals))
    total.backward()
    return ([padded, *finals, x.grad, *(s.grad for s in states)]
            + [p.grad for p in module.parameters()], found)


@pytest.mark.parametrize("name,kwargs,lengths,enforce_sorted", PACKED, ids=lambda v: str(v))
def test_packed_sequences_match_torch(name, kwargs, lengths, enforce_sorted, backend):
    """A packed batch runs each sequence for its own length: the padded output, the final
    states (each sequence's own last step, in the batch's order) and every gradient equal
    torch's — sorted or not, both directions, several layers, LSTM projections."""
    torch.manual_seed(0)
    ref = getattr(torch.nn, name)(3, HIDDEN, **kwargs).double()
    state = {k: v.detach().numpy().copy() for k, v in ref.state_dict().items()}
    rng = np.random.default_rng(7)
    shape = (max(lengths), len(lengths), 3)
    arrays = [rng.standard_normal(s) for s in [shape, *_state_shapes(name, kwargs, shape)]]
    lengths = sorted(lengths, reverse=True) if enforce_sorted else lengths
    want, t_found = _packed_run(torch, lambda a: torch.from_numpy(a.copy()), name, kwargs,
                                state, arrays, lengths, enforce_sorted)
    with on_backend(backend):
        got, m_found = _packed_run(minitorch, to_minitorch(backend), name, kwargs, state,
                                   arrays, lengths, enforce_sorted)
    np.testing.assert_array_equal(m_found.numpy(), t_found.numpy())
    for ours, theirs in zip(got, want):
        np.testing.assert_allclose(mt_to_np(ours), theirs.detach().numpy(), rtol=1e-10,
                                   atol=1e-12)


@pytest.mark.parametrize("call", [
    lambda R, L: R.pad_sequence([L.ones(3, 2), L.ones(1, 2) * 2], batch_first=True,
                                padding_value=-1),
    lambda R, L: R.pad_sequence([L.ones(3), L.ones(1) * 2], padding_side="left"),
    lambda R, L: R.pack_sequence([L.ones(1, 2), L.ones(3, 2) * 2, L.ones(2, 2) * 3],
                                 enforce_sorted=False).batch_sizes,
    lambda R, L: R.pad_packed_sequence(R.pack_sequence([L.ones(3), L.ones(2) * 2]),
                                       batch_first=True, total_length=5)[0],
    lambda R, L: R.unpack_sequence(R.pack_sequence([L.ones(1), L.ones(3) * 2],
                                                   enforce_sorted=False))[1],
    lambda R, L: R.unpad_sequence(L.ones(4, 2), L.tensor([4, 2]))[1],
], ids=["pad_batch_first", "pad_left", "batch_sizes_unsorted", "total_length", "unpack",
        "unpad"])
def test_sequence_utilities_match_torch(call):
    got, want = (call(lib.nn.utils.rnn, lib) for lib in (minitorch, torch))
    np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("make", [
    lambda L: L.nn.utils.rnn.pack_padded_sequence(L.zeros(4, 3, 2), [2, 3, 1]),
    lambda L: L.nn.utils.rnn.pack_padded_sequence(L.zeros(4, 3, 2), [2, 0, 1],
                                                  enforce_sorted=False),
    lambda L: L.nn.utils.rnn.pad_packed_sequence(
        L.nn.utils.rnn.pack_sequence([L.ones(3), L.ones(2)]), total_length=2),
    lambda L: L.nn.utils.rnn.pad_sequence([L.ones(3), L.ones(2)], padding_side="middle"),
], ids=["unsorted", "zero_length", "total_length", "padding_side"])
def test_packing_errors_as_torch(make):
    assert_raises_like_torch(make)
