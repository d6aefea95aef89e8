"""``F.ctc_loss`` / ``nn.CTCLoss`` beyond the parity catalogue (``catalogue/losses.py``),
against torch: infeasible targets and empty inputs (inf losses, NaN and zero gradients),
every error torch raises for bad input (same type, same message), the module, and a tiny CTC
model trained a few SGD steps."""

from __future__ import annotations

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

