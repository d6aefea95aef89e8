"""Losses: cross_entropy (``autograd/ops/nn.py:CrossEntropy``) in every combination of
reduction, class weights, ignore_index and label smoothing; nll_loss; the fused pointwise
losses of ``autograd/ops/loss.py`` (mse, smooth L1, Huber, binary cross-entropy with and
without logits) and the composite ones (l1, kl_div), every reduction; CTC."""

from __future__ import annotations

from typing import Any, Dict, Tuple

import numpy as np

from minitorch.parity.case import Case
from minitorch.parity.catalogue.builder import A, Cases, F
from minitorch.parity.inputs import with_extremes, with_values

WEIGHTS5 = np.random.default_rng(5).uniform(0.5, 2.0, 5)  # class weights for 5 classes
TARGETS = [0, 1, 4, 1, 3, 2]  # six samples, class 1 used twice (ignored in some variants)


def cross_entropy_cases(c: Cases) -> None:
    for reduction in ("mean", "sum", "none"):
        for weighted in (False, True):
            for ignore in (False, True):
                for smoothing in (0.0, 0.2):
                    name = (f"cross_entropy_{reduction}{'_w' if weighted else ''}"
                            f"{'_ign' if ignore else ''}{'_ls' if smoothing else ''}")

                    def ce(m: Any, x: Any, t: Any, r: str = reduction, w: bool = weighted,
                           ig: bool = ignore, ls: float = smoothing) -> Any:
                        kw: Dict[str, Any] = dict(reduction=r, label_smoothing=ls)
                        if w:
                            kw["weight"] = m.tensor(WEIGHTS5, dtype=x.dtype).to(x.device)
                        if ig:
                            kw["ignore_index"] = 1
                        return F(m).cross_entropy(x, t, **kw)
                    c.add(name, "cross_entropy", ce, A((6, 5)), A((6,), values=TARGETS))
    c.add("cross_entropy_NCd", "cross_entropy",
          lambda m, x, t: F(m).cross_entropy(x, t, ignore_index=2, label_smoothing=0.1),
          A((2, 4, 3)), A((2, 3), values=[0, 2, 3, 1, 1, 2]))
    c.add("cross_entropy_NCd_w_sum", "cross_entropy",
          lambda m, x, t: F(m).cross_entropy(
              x, t, weight=m.tensor(WEIGHTS5[:4], dtype=x.dtype), reduction="sum"),
          A((2, 4, 2, 3)), A((2, 2, 3), high=4))
    c.add("cross_entropy_unbatched", "cross_entropy",
          lambda m, x, t: F(m).cross_entropy(x, t), A((5,)), A((), values=[3]))
    c.add("cross_entropy_pm1e4", "cross_entropy",
          lambda m, x, t: F(m).cross_entropy(x, t, reduction="none"),
          A((4, 6), gen=with_extremes(1e4)), A((4,), values=[0, 1, 2, 5]), gradcheck=False)
    inf, nan = float("inf"), float("nan")
    # -inf on another class (finite loss: no 0·inf from an absent smoothing term), on the
    # target (inf loss), a NaN row
    c.add("cross_entropy_neg_inf_logits", "cross_entropy",
          lambda m, x, t: F(m).cross_entropy(x, t, reduction="none"),
          A((4, 5), gen=with_values({1: -inf, 6: -inf, 11: nan})),
          A((4,), values=[0, 1, 2, 3]), gradcheck=False)
    # with smoothing, -inf anywhere makes the loss inf; an ignored row's NaN still reaches
    # its gradient (torch backpropagates 0 through log_softmax: 0·nan = nan)
    c.add("cross_entropy_ignored_nan_row_ls", "cross_entropy",
          lambda m, x, t: F(m).cross_entropy(x, t, reduction="none", label_smoothing=0.1,
                                             ignore_index=2),
          A((4, 5), gen=with_values({1: -inf, 11: nan, 17: inf})),
          A((4,), values=[0, 3, 2, 1]), gradcheck=False)


def nll_loss_cases(c: Cases) -> None:
    for reduction in ("mean", "sum", "none"):
        for weighted in (False, True):
            for ignore in (False, True):
                def nll(m: Any, x: Any, t: Any, r: str = reduction, w: bool = weighted,
                        ig: bool = ignore) -> Any:
                    kw: Dict[str, Any] = dict(reduction=r)
                    if w:
                        kw["weight"] = m.tensor(WEIGHTS5, dtype=x.dtype).to(x.device)
                    if ig:
                        kw["ignore_index"] = 1
                    return F(m).nll_loss(x.log_softmax(1), t, **kw)
                c.add(f"nll_loss_{reduction}{'_w' if weighted else ''}"
                      f"{'_ign' if ignore else ''}", "nll_loss", nll, A((6, 5)),
                      A((6,), values=TARGETS))
    c.add("nll_loss_NCd", "nll_loss", lambda m, x, t: F(m).nll_loss(x, t), A((2, 3, 4)),
          A((2, 4), high=3))


def probability(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    """Values in [0.05, 0.95]: BCE inputs and targets away from log 0."""
    return rng.uniform(0.05, 0.95, shape)


def pointwise_loss_cases(c: Cases) -> None:
    """input and target both require grad (torch differentiates both)."""
    for r in ("mean", "sum", "none"):
        c.add(f"mse_loss_{r}", "mse_loss",
              lambda m, x, y, r=r: F(m).mse_loss(x, y, reduction=r), A((3, 4)), A((3, 4)))
        c.add(f"l1_loss_{r}", "l1_loss", lambda m, x, y, r=r: F(m).l1_loss(x, y, reduction=r),
              A((3, 4)), A((3, 4)))
        c.add(f"smooth_l1_loss_{r}", "smooth_l1_loss",
              lambda m, x, y, r=r: F(m).smooth_l1_loss(x, y, reduction=r, beta=0.5),
              A((3, 4)), A((3, 4)))
        c.add(f"huber_loss_{r}", "huber_loss",
              lambda m, x, y, r=r: F(m).huber_loss(x, y, reduction=r, delta=0.7), A((3, 4)),
              A((3, 4)))
        c.add(f"binary_cross_entropy_{r}", "binary_cross_entropy",
              lambda m, x, y, r=r: F(m).binary_cross_entropy(x, y, reduction=r),
              A((3, 4), gen=probability), A((3, 4), gen=probability))
        c.add(f"bce_with_logits_{r}", "binary_cross_entropy_with_logits",
              lambda m, x, y, r=r: F(m).binary_cross_entropy_with_logits(x, y, reduction=r),
              A((3, 4)), A((3, 4), gen=probability))
        c.add(f"kl_div_{r}", "kl_div",
              lambda m, x, y, r=r: F(m).kl_div(x.log_softmax(1), y, reduction=r),
              A((3, 4)), A((3, 4), gen=probability))
    c.add("mse_loss_bcast", "mse_loss", lambda m, x, y: F(m).mse_loss(x, y.expand(3, 4)),
          A((3, 4)), A((4,)))
    c.add("smooth_l1_loss_beta0", "smooth_l1_loss",
          lambda m, x, y: F(m).smooth_l1_loss(x, y, beta=0.0), A((2, 3, 2)), A((2, 3, 2)))
    c.add("binary_cross_entropy_weight", "binary_cross_entropy",
          lambda m, x, y: F(m).binary_cross_entropy(
              x, y, weight=m.tensor(WEIGHTS5[:4], dtype=x.dtype).to(x.device)),
          A((3, 4), gen=probability), A((3, 4), gen=probability))
    c.add("bce_with_logits_pos_weight", "binary_cross_entropy_with_logits",
          lambda m, x, y: F(m).binary_cross_entropy_with_logits(
              x, y, weight=m.tensor(WEIGHTS5[1:], dtype=x.dtype).to(x.device),
              pos_weight=m.tensor(WEIGHTS5[:4] * 2, dtype=x.dtype).to(x.device),
              reduction="sum"),
          A((3, 4)), A((3, 4), gen=probability))
    c.add("bce_with_logits_pm100", "binary_cross_entropy_with_logits",
          lambda m, x, y: F(m).binary_cross_entropy_with_logits(x, y, reduction="none"),
          A((3, 4), gen=with_extremes(100.0)), A((3, 4), gen=probability), gradcheck=False)
    c.add("kl_div_batchmean", "kl_div",
          lambda m, x, y: F(m).kl_div(x.log_softmax(1), y, reduction="batchmean"), A((3, 4)),
          A((3, 4), gen=probability))
    c.add("kl_div_log_target", "kl_div",
          lambda m, x, y: F(m).kl_div(x.log_softmax(1), y.log_softmax(1),
                                      reduction="batchmean", log_target=True),
          A((3, 4)), A((3, 4)))


def signs(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    """Targets of ±1 (similar / dissimilar, ranked first / second), both present."""
    out = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    out.reshape(-1)[:2] = (1.0, -1.0)
    return out


def embedding_loss_cases(c: Cases) -> None:
    """Distances between embeddings and the losses on them (``nn/functional_distance.py``):
    cosine similarity (broadcast, a zero vector at the ε clamp), pairwise distance (p = 2, 1),
    margin ranking, cosine embedding, triplet margin (with swap)."""
    c.add("cosine_similarity", "cosine_similarity",
          lambda m, x, y: F(m).cosine_similarity(x, y), A((4, 5)), A((4, 5)))
    c.add("cosine_similarity_bcast_dim0", "cosine_similarity",
          lambda m, x, y: F(m).cosine_similarity(x, y, dim=0), A((4, 5)), A((1, 5)))
    c.add("cosine_similarity_zero", "cosine_similarity",
          lambda m, x, y: F(m).cosine_similarity(x * 0, y), A((3, 4)), A((3, 4)),
          gradcheck=False, double_backward=False)  # at the clamp: each library's convention
    c.add("pairwise_distance", "pairwise_distance",
          lambda m, x, y: F(m).pairwise_distance(x, y), A((4, 5)), A((4, 5)))
    c.add("pairwise_distance_p1_keepdim", "pairwise_distance",
          lambda m, x, y: F(m).pairwise_distance(x, y, p=1.0, keepdim=True), A((4, 5)),
          A((4, 5)), gradcheck=False)
    c.add("margin_ranking_loss", "margin_ranking_loss",
          lambda m, x, y, t: F(m).margin_ranking_loss(x, y, t, margin=0.3), A((6,)), A((6,)),
          A((6,), gen=signs, grad=False))
    c.add("cosine_embedding_loss", "cosine_embedding_loss",
          lambda m, x, y, t: F(m).cosine_embedding_loss(x, y, t, margin=0.1), A((6, 4)),
          A((6, 4)), A((6,), gen=signs, grad=False))
    c.add("cosine_embedding_loss_none", "cosine_embedding_loss",
          lambda m, x, y, t: F(m).cosine_embedding_loss(x, y, t, reduction="none"), A((6, 4)),
          A((6, 4)), A((6,), gen=signs, grad=False))
    c.add("triplet_margin_loss", "triplet_margin_loss",
          lambda m, a, p, n: F(m).triplet_margin_loss(a, p, n), A((5, 4)), A((5, 4)),
          A((5, 4)))
    c.add("triplet_margin_loss_swap_p1", "triplet_margin_loss",
          lambda m, a, p, n: F(m).triplet_margin_loss(a, p, n, margin=2.0, p=1, swap=True),
          A((5, 4)), A((5, 4)), A((5, 4)), gradcheck=False)


def binary(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    """Multi-label targets of 0 and 1."""
    return (rng.random(shape) < 0.5).astype(np.float64)


def counts(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    """Poisson-like counts 0 … 5 (0 and 1 included: Stirling's term is masked there)."""
    out = rng.integers(0, 6, shape).astype(np.float64)
    out.reshape(-1)[:2] = (0.0, 1.0)
    return out


def margin_and_likelihood_cases(c: Cases) -> None:
    """``nn/functional_losses.py``: soft margin, hinge embedding, multi-label soft margin
    (weighted), Poisson NLL (log input or not, Stirling's term), Gaussian NLL (per element
    and per sample variances, a variance below eps)."""
    c.add("soft_margin_loss", "soft_margin_loss",
          lambda m, x, t: F(m).soft_margin_loss(x, t), A((3, 4)), A((3, 4), gen=signs,
                                                                 grad=False))
    c.add("hinge_embedding_loss", "hinge_embedding_loss",
          lambda m, x, t: F(m).hinge_embedding_loss(x, t, margin=0.5, reduction="sum"),
          A((3, 4)), A((3, 4), gen=signs, grad=False))
    c.add("multilabel_soft_margin_loss", "multilabel_soft_margin_loss",
          lambda m, x, t, w: F(m).multilabel_soft_margin_loss(x, t, weight=w), A((3, 5)),
          A((3, 5), gen=binary, grad=False), A((5,), gen=probability, grad=False))
    c.add("poisson_nll_loss", "poisson_nll_loss",
          lambda m, x, t: F(m).poisson_nll_loss(x, t), A((3, 4)), A((3, 4), gen=counts,
                                                                 grad=False))
    c.add("poisson_nll_loss_rate_full", "poisson_nll_loss",
          lambda m, x, t: F(m).poisson_nll_loss(x, t, log_input=False, full=True,
                                                reduction="none"),
          A((3, 4), gen=probability), A((3, 4), gen=counts, grad=False))
    c.add("gaussian_nll_loss", "gaussian_nll_loss",
          lambda m, x, t, v: F(m).gaussian_nll_loss(x, t, v), A((3, 4)), A((3, 4)),
          A((3, 4), gen=probability))
    c.add("gaussian_nll_loss_per_sample_full", "gaussian_nll_loss",
          lambda m, x, t, v: F(m).gaussian_nll_loss(x, t, v, full=True, reduction="sum"),
          A((3, 4)), A((3, 4)), A((3,), gen=probability))
    c.add("gaussian_nll_loss_tiny_var", "gaussian_nll_loss",
          lambda m, x, t, v: F(m).gaussian_nll_loss(x, t, v * 1e-9, reduction="none"),
          A((2, 3)), A((2, 3)), A((2, 1), gen=probability), gradcheck=False)


MULTILABEL = [[0, 2, -1, 1], [3, -1, 0, 0], [1, 0, 3, 2], [-1, 2, 2, 2], [2, 3, -1, -1]]


def multi_margin_cases(c: Cases) -> None:
    """The multi-class and multi-label hinge losses (torch has no double backward for
    either) and the triplet loss with any distance function (composed)."""
    mm = lambda **kw: lambda m, x, t, w=None: F(m).multi_margin_loss(x, t, weight=w, **kw)  # noqa: E731
    c.add("multi_margin_loss", "multi_margin_loss", mm(), A((6, 5)), A((6,), values=TARGETS),
          double_backward=False)
    c.add("multi_margin_loss_p2_weight_none", "multi_margin_loss",
          mm(p=2, margin=0.7, reduction="none"), A((6, 5)), A((6,), values=TARGETS),
          A((5,), gen=probability, grad=False), double_backward=False)
    c.add("multi_margin_loss_vector_sum", "multi_margin_loss", mm(reduction="sum"), A((5,)),
          A((1,), values=[3]), double_backward=False)
    ml = lambda **kw: lambda m, x, t: F(m).multilabel_margin_loss(x, t, **kw)  # noqa: E731
    c.add("multilabel_margin_loss", "multilabel_margin_loss", ml(), A((5, 4)),
          A((5, 4), values=MULTILABEL), double_backward=False)
    c.add("multilabel_margin_loss_none", "multilabel_margin_loss", ml(reduction="none"),
          A((5, 4)), A((5, 4), values=MULTILABEL), double_backward=False)
    c.add("multilabel_margin_loss_vector", "multilabel_margin_loss", ml(reduction="none"),
          A((4,)), A((4,), values=MULTILABEL[0]), double_backward=False)
    tl = lambda **kw: lambda m, a, p, n: F(m).triplet_margin_with_distance_loss(a, p, n, **kw)  # noqa: E731
    c.add("triplet_margin_with_distance_loss", "triplet_margin_with_distance_loss", tl(),
          A((4, 3)), A((4, 3)), A((4, 3)))
    c.add("triplet_margin_with_distance_loss_cosine_swap", "triplet_margin_with_distance_loss",
          lambda m, a, p, n: F(m).triplet_margin_with_distance_loss(
              a, p, n, distance_function=lambda x, y: 1 - F(m).cosine_similarity(x, y),
              margin=0.5, swap=True, reduction="sum"), A((4, 3)), A((4, 3)), A((4, 3)))


# four samples: a repeated label (needs a blank between), a sample whose target is empty,
# one whose input is shorter than T; rows padded past their lengths with a class
CTC_TARGETS = [[1, 3, 3, 2], [2, 4, 4, 4], [4, 1, 1, 1], [3, 1, 2, 4]]
CTC_INPUT_LENGTHS, CTC_TARGET_LENGTHS = (7, 7, 5, 4), (4, 1, 0, 2)


def ctc_cases(c: Cases) -> None:
    """Connectionist temporal classification (``autograd/ops/ctc.py``) on (T, N, C) = (7, 4,
    5) log-softmax outputs: every reduction, padded and concatenated targets, lengths as
    tensors and as tuples, another blank, an infeasible target with ``zero_infinity``, one
    unbatched sample. torch has no second derivative of its CTC backward."""
    def ctc(m: Any, x: Any, t: Any, blank: int = 0, lengths: Any = None, **kw: Any) -> Any:
        il, tl = lengths or (m.tensor(CTC_INPUT_LENGTHS), m.tensor(CTC_TARGET_LENGTHS))
        return F(m).ctc_loss(x.log_softmax(-1), t, il, tl, blank=blank, **kw)

    targets = A((4, 4), values=CTC_TARGETS)
    for r in ("mean", "sum", "none"):
        c.add(f"ctc_loss_{r}", "ctc_loss", lambda m, x, t, r=r: ctc(m, x, t, reduction=r),
              A((7, 4, 5)), targets, double_backward=False)
    concatenated = [v for row, n in zip(CTC_TARGETS, CTC_TARGET_LENGTHS) for v in row[:n]]
    c.add("ctc_loss_concatenated_tuples", "ctc_loss",
          lambda m, x, t: ctc(m, x, t, reduction="sum",
                              lengths=(CTC_INPUT_LENGTHS, CTC_TARGET_LENGTHS)),
          A((7, 4, 5)), A((len(concatenated),), values=concatenated), double_backward=False)
    c.add("ctc_loss_blank_last", "ctc_loss",
          lambda m, x, t: ctc(m, x, t - 1, blank=4, reduction="none"), A((7, 4, 5)),
          targets, double_backward=False)
    # sample 0 needs 4 labels + 1 blank (a repeat) > 4 frames: inf, counted 0
    c.add("ctc_loss_zero_infinity", "ctc_loss",
          lambda m, x, t: ctc(m, x, t, lengths=(m.tensor([4, 3, 0, 2]),
                                                m.tensor(CTC_TARGET_LENGTHS)),
                              reduction="none", zero_infinity=True),
          A((7, 4, 5)), targets, double_backward=False)
    c.add("ctc_loss_unbatched", "ctc_loss",
          lambda m, x, t: ctc(m, x, t, lengths=(m.tensor(6), m.tensor(3)), reduction="none"),
          A((7, 5)), A((3,), values=[2, 2, 1]), double_backward=False)


def cases() -> list[Case]:
    c = Cases()
    ctc_cases(c)
    multi_margin_cases(c)
    cross_entropy_cases(c)
    embedding_loss_cases(c)
    margin_and_likelihood_cases(c)
    nll_loss_cases(c)
    pointwise_loss_cases(c)
    c.add("nll_loss_NCHW", "nll_loss",
          lambda m, x, t: F(m).nll_loss(x, t, reduction="none"), A((2, 3, 2, 2)),
          A((2, 2, 2), high=3))
    return c
