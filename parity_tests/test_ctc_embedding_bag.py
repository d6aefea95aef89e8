"""``F.ctc_loss`` / ``nn.CTCLoss`` beyond the parity catalogue (``catalogue/losses.py``),
against torch: infeasible targets and empty inputs (inf losses, NaN and zero gradients),
every error torch raises for bad input (same type, same message), the module, and a tiny CTC
model trained a few SGD steps. ``F.embedding_bag`` / ``nn.EmbeddingBag`` likewise: every mode
with padding, per-sample weights, 2-D input and ``include_last_offset`` in float64 and float32,
torch's errors, the module's repr, state_dict and ``from_pretrained``, ``max_norm``."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
import torch

import minitorch

LIBS = (torch, minitorch)


def assert_same(got: Any, want: Any, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    """Values (NaN and inf where torch has them) to float64 precision."""
    np.testing.assert_allclose(np.asarray(got.detach().numpy()),
                               want.detach().numpy(), rtol=rtol, atol=atol, equal_nan=True)


# ------------------------------------------------------------------------------------ CTC
LOG_PROBS = np.random.default_rng(0).standard_normal((6, 3, 5))
TARGETS = [[1, 2, 2, 3], [4, 4, 1, 1], [2, 3, 1, 4]]


def ctc_run(lib: Any, input_lengths: Any, target_lengths: Any, **kw: Any) -> tuple:
    """The loss and the gradient of log_probs (T, N, C) = (6, 3, 5), float64."""
    x = lib.tensor(LOG_PROBS).log_softmax(2).detach().requires_grad_()
    loss = lib.nn.functional.ctc_loss(x, lib.tensor(TARGETS), lib.tensor(input_lengths),
                                      lib.tensor(target_lengths), **kw)
    loss.backward(lib.ones_like(loss))
    return loss, x.grad


@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_ctc_infeasible_and_empty_inputs(reduction: str, zero_infinity: bool) -> None:
    """Sample 0: 4 labels with a repeat need 5 frames, it has 3 (inf loss, NaN gradient on
    its frames — or 0 and 0 with zero_infinity); sample 1: no frames, an empty target (0);
    sample 2: no frames, one label (inf, zero gradient)."""
    got = ctc_run(minitorch, [3, 0, 0], [4, 0, 1], reduction=reduction,
                  zero_infinity=zero_infinity)
    want = ctc_run(torch, [3, 0, 0], [4, 0, 1], reduction=reduction,
                   zero_infinity=zero_infinity)
    for g, w in zip(got, want):
        assert_same(g, w)
    assert got[0].grad_fn.name() == want[0].grad_fn.name()


def test_ctc_long_target_float32() -> None:
    """Every frame used: float32 against torch's float32 kernel."""
    lp = np.random.default_rng(3).standard_normal((12, 2, 6)).astype(np.float32)
    out = []
    for lib in LIBS:
        x = lib.tensor(lp).log_softmax(2).detach().requires_grad_()
        loss = lib.nn.CTCLoss(blank=5)(x, lib.tensor([[0, 1, 1, 2, 3, 4], [4, 4, 4, 0, 0, 0]]),
                                       (12, 10), (6, 3))
        loss.backward()
        out.append((loss, x.grad))
    for g, w in zip(*out):
        assert_same(g, w, rtol=1e-5, atol=1e-6)


def ctc_call(lib: Any, shape: tuple = (6, 3, 5), targets: Any = TARGETS,
             il: Any = (6, 5, 4), tl: Any = (4, 2, 0), tensors: bool = True,
             **kw: Any) -> Any:
    x = lib.tensor(np.zeros(shape))
    t = lib.tensor(np.asarray(targets, dtype=np.int64))
    if tensors:
        il, tl = lib.tensor(np.asarray(il)), lib.tensor(np.asarray(tl))
    return lib.nn.functional.ctc_loss(x, t, il, tl, **kw)


CTC_ERRORS = {
    "log_probs_1d": dict(shape=(5,)),
    "log_probs_4d": dict(shape=(6, 3, 5, 1)),
    "log_probs_empty": dict(shape=(0, 3, 5)),
    "targets_3d": dict(targets=[TARGETS]),
    "targets_0d": dict(targets=3),
    "blank_too_large": dict(blank=5),
    "blank_negative": dict(blank=-1),
    "input_lengths_batch": dict(il=(6, 5)),
    "target_lengths_batch": dict(tl=(4, 2, 0, 1)),
    "input_length_longer_than_T": dict(il=(7, 5, 4)),
    "input_length_negative": dict(il=(-1, 5, 4)),
    "target_length_longer_than_S": dict(tl=(5, 2, 0)),
    "target_length_negative": dict(tl=(-1, 2, 0)),
    "targets_batch": dict(targets=TARGETS[:2]),
    "concatenated_too_long": dict(targets=[1, 2, 3, 4, 1, 2, 3]),
    "float_lengths": dict(il=(6.0, 5.0, 4.0)),
    "reduction": dict(reduction="avg"),
    "tuple_lengths_too_long": dict(il=(7, 5, 4), tensors=False),
}


@pytest.mark.parametrize("name", CTC_ERRORS)
def test_ctc_errors_as_torch(name: str) -> None:
    """The same exception type and message as torch."""
    def caught(lib: Any) -> BaseException:
        with pytest.raises(Exception) as info:
            ctc_call(lib, **CTC_ERRORS[name])
        return info.value

    want, got = caught(torch), caught(minitorch)
    assert type(got) is type(want)
    assert str(got) == str(want)


def test_ctc_mixed_lengths_type_error() -> None:
    """A Tensor and a tuple, or a bare int: torch finds no overload (TypeError)."""
    for lib in LIBS:
        with pytest.raises(TypeError):
            ctc_call(lib, il=lib.tensor([6, 5, 4]), tl=(4, 2, 0), tensors=False)
        with pytest.raises(TypeError):
            ctc_call(lib, il=6, tl=4, tensors=False)


def test_ctc_module() -> None:
    for lib in LIBS:
        assert repr(lib.nn.CTCLoss(blank=2, reduction="sum", zero_infinity=True)) == "CTCLoss()"
        assert list(lib.nn.CTCLoss().state_dict()) == []


def test_ctc_training_matches_torch() -> None:
    """A linear layer over 4 features per frame, log-softmax, CTC: three SGD steps."""
    rng = np.random.default_rng(7)
    feats = rng.standard_normal((8, 2, 4))
    w, b = rng.standard_normal((5, 4)) * 0.5, rng.standard_normal(5) * 0.1
    results = []
    for lib in LIBS:
        layer = lib.nn.Linear(4, 5).double()
        layer.load_state_dict({"weight": lib.tensor(w), "bias": lib.tensor(b)})
        opt = lib.optim.SGD(layer.parameters(), lr=0.5, momentum=0.9)
        loss_fn = lib.nn.CTCLoss()
        losses = []
        for _ in range(3):
            opt.zero_grad()
            loss = loss_fn(layer(lib.tensor(feats)).log_softmax(2),
                           lib.tensor([[1, 2, 2], [3, 4, 0]]), lib.tensor([8, 6]),
                           lib.tensor([3, 2]))
            loss.backward()
            opt.step()
            losses.append(loss.item())
        results.append((losses, layer.weight.detach().numpy().copy()))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-10)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-10, atol=1e-12)

# ---------------------------------------------------------------------------- EmbeddingBag
TABLE = np.random.default_rng(2).standard_normal((6, 3))
INDICES, OFFSETS = [1, 2, 2, 0, 5, 3, 1, 4], [0, 3, 3, 5]


def bag_run(lib: Any, indices: Any = INDICES, offsets: Any = OFFSETS, weights: bool = False,
            dtype: str = "float64", **kw: Any) -> tuple:
    """The bags' vectors and the gradients of the table (and of the per-sample weights)."""
    w = lib.tensor(TABLE.astype(dtype)).requires_grad_()
    a = lib.tensor(np.linspace(0.5, 2.0, len(INDICES)).astype(dtype)).reshape(
        np.shape(indices)).requires_grad_() if weights else None
    out = lib.nn.functional.embedding_bag(
        lib.tensor(indices), w, None if offsets is None else lib.tensor(offsets),
        per_sample_weights=a, **kw)
    cotangent = np.random.default_rng(4).standard_normal(tuple(out.shape)).astype(dtype)
    out.backward(lib.tensor(cotangent))
    return (out, w.grad) + ((a.grad,) if weights else ())


BAG_VARIANTS = {
    "sum": dict(mode="sum"),
    "mean_padding": dict(mode="mean", padding_idx=2),
    "max_negative_padding": dict(mode="max", padding_idx=-1),
    "sum_weights_padding": dict(mode="sum", weights=True, padding_idx=1),
    "mean_last_offset": dict(mode="mean", offsets=OFFSETS + [8], include_last_offset=True),
    "max_2d": dict(mode="max", indices=[INDICES[:4], INDICES[4:]], offsets=None),
    "sum_2d_weights": dict(mode="sum", indices=[INDICES[:4], INDICES[4:]], offsets=None,
                           weights=True),
    # every index once or twice where torch's CPU kernel reads the right count (see the note
    # in ``autograd/ops/select.py``): the frequency scaling proper
    "mean_freq": dict(mode="mean", indices=[1, 1, 2, 2, 3, 3, 4, 4], scale_grad_by_freq=True),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", BAG_VARIANTS)
def test_embedding_bag_matches_torch(name: str, dtype: str) -> None:
    got, want = (bag_run(lib, dtype=dtype, **BAG_VARIANTS[name]) for lib in (minitorch, torch))
    tol = dict(rtol=1e-10, atol=1e-12) if dtype == "float64" else dict(rtol=1e-5, atol=1e-6)
    for g, w in zip(got, want):
        assert_same(g, w, **tol)
    assert got[0].grad_fn.name() == want[0].grad_fn.name() == "EmbeddingBagBackward0"


def bag_call(lib: Any, indices: Any = INDICES, offsets: Any = OFFSETS, table: Any = TABLE,
             weights: Any = None, **kw: Any) -> Any:
    as_tensor = lambda v: None if v is None else lib.tensor(np.asarray(v))  # noqa: E731
    return lib.nn.functional.embedding_bag(as_tensor(indices), as_tensor(table),
                                           as_tensor(offsets), per_sample_weights=as_tensor(
                                               weights), **kw)


BAG_ERRORS = {
    "offsets_not_from_0": dict(offsets=[1, 3]),
    "offsets_past_input": dict(offsets=[0, 9]),
    "index_too_large": dict(indices=[1, 6], offsets=[0, 1]),
    "index_negative": dict(indices=[1, -1], offsets=[0, 1]),
    "no_offsets": dict(offsets=None),
    "offsets_2d": dict(offsets=[[0, 3], [3, 5]]),
    "offsets_with_2d_input": dict(indices=[INDICES]),
    "input_3d": dict(indices=[[INDICES]], offsets=None),
    "mode": dict(mode="min"),
    "table_1d": dict(table=TABLE[0]),
    "weights_mean": dict(weights=np.ones(8)),
    "weights_shape": dict(weights=np.ones(6), mode="sum"),
    "weights_dtype": dict(weights=np.ones(8, np.float32), mode="sum"),
    "max_freq": dict(mode="max", scale_grad_by_freq=True),
    "max_sparse": dict(mode="max", sparse=True),
    "float_indices": dict(indices=np.asarray(INDICES, np.float64)),
    "float_offsets": dict(offsets=np.asarray(OFFSETS, np.float64)),
    "padding_idx_too_large": dict(padding_idx=6),
    "padding_idx_too_small": dict(padding_idx=-7),
}


@pytest.mark.parametrize("name", BAG_ERRORS)
def test_embedding_bag_errors_as_torch(name: str) -> None:
    """torch's type and message, up to the library's own name in type names
    (minitorch.DoubleTensor, minitorch.Size)."""
    def caught(lib: Any) -> BaseException:
        with pytest.raises(Exception) as info:
            bag_call(lib, **BAG_ERRORS[name])
        return info.value

    want, got = caught(torch), caught(minitorch)
    assert type(got) is type(want)
    assert re.sub(r"minitorch(\.tensor)?\.", "torch.", str(got)) == str(want)


def test_embedding_bag_module() -> None:
    """repr, state_dict, padding row, from_pretrained (frozen or not), a forward pass."""
    kw = dict(max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True, mode="sum",
              padding_idx=-2, include_last_offset=True)
    for lib in LIBS:
        assert repr(lib.nn.EmbeddingBag(6, 3)) == "EmbeddingBag(6, 3, mode='mean')"
        bag = lib.nn.EmbeddingBag(6, 3, **kw)
        assert repr(bag) == ("EmbeddingBag(6, 3, max_norm=1.0, norm_type=1.0, "
                             "scale_grad_by_freq=True, mode='sum', padding_idx=4)")
        assert list(bag.state_dict()) == ["weight"]
        assert not bag.weight[4].any().item()
        with pytest.raises(AssertionError, match="padding_idx must be within num_embeddings"):
            lib.nn.EmbeddingBag(6, 3, padding_idx=6)
        frozen = lib.nn.EmbeddingBag.from_pretrained(lib.tensor(TABLE), mode="max")
        assert not frozen.weight.requires_grad and frozen.mode == "max"
        assert lib.nn.EmbeddingBag.from_pretrained(lib.tensor(TABLE),
                                                   freeze=False).weight.requires_grad
    outs = [lib.nn.EmbeddingBag.from_pretrained(lib.tensor(TABLE), mode="max")(
        lib.tensor(INDICES), lib.tensor(OFFSETS)) for lib in (minitorch, torch)]
    assert_same(*outs)


def test_embedding_bag_max_norm() -> None:
    """max_norm renormalizes the looked-up rows of the table in place first, as torch."""
    tables = []
    for lib in (minitorch, torch):
        w = lib.tensor(TABLE)
        out = lib.nn.functional.embedding_bag(lib.tensor(INDICES), w, lib.tensor(OFFSETS),
                                              max_norm=0.8, mode="mean")
        tables.append((out, w))
    for g, w in zip(*tables):
        assert_same(g, w)
