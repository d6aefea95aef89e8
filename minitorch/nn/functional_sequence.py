"""Losses and layers over sequences and bags of tokens, with torch's signatures and checks:

    ctc_loss        −log p(target | log_probs) summed over every alignment of the target
                    with the frames (connectionist temporal classification), one
                    ``CtcLossBackward0`` node (``autograd/ops/ctc.py``)
    embedding_bag   the sum, mean or max of the embeddings of each bag of indices, one
                    ``EmbeddingBagBackward0`` node (``autograd/ops/select.py``)

Exported by :mod:`minitorch.nn.functional`.
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Union

import numpy as np

from minitorch import dtypes
from minitorch.autograd.ops.ctc import CtcLoss, extended_targets
from minitorch.autograd.ops.nn import require_floating
from minitorch.autograd.ops.select import EmbeddingBag
from minitorch.creation import tensor, zeros
from minitorch.functions import where
from minitorch.shapes import check_reduction
from minitorch.tensor import Tensor

Lengths = Union[Tensor, Sequence[int]]

# the function whose checks torch's messages name
_CHECKED = " (while checking arguments for ctc_loss_allocate_outputs)"


def _lengths(input_lengths: Lengths, target_lengths: Lengths) -> tuple:
    """Both lengths as lists of ints: both Tensors (of an integer dtype) or both sequences of
    ints, as torch's two overloads of ``ctc_loss`` take them."""
    if isinstance(input_lengths, Tensor) and isinstance(target_lengths, Tensor):
        for name, t in (("input_lengths", input_lengths), ("target_lengths", target_lengths)):
            if t.dtype.is_floating_point or t.dtype is dtypes.bool_:
                raise RuntimeError(f"{name} must be integral")
        return ([int(v) for v in input_lengths.reshape(-1).tolist()],
                [int(v) for v in target_lengths.reshape(-1).tolist()])
    if all(isinstance(lengths, (tuple, list)) and all(isinstance(v, int) for v in lengths)
           for lengths in (input_lengths, target_lengths)):
        return list(input_lengths), list(target_lengths)
    raise TypeError(f"ctc_loss(): input_lengths and target_lengths must be both Tensors or "
                    f"both tuples of ints, but got {type(input_lengths).__name__} and "
                    f"{type(target_lengths).__name__}")


def _check_ctc(log_probs: Tensor, targets: Tensor, input_lengths: List[int],
               target_lengths: List[int], blank: int) -> None:
    """torch's checks of ``ctc_loss_allocate_outputs``, in its order."""
    if log_probs.numel() == 0:
        raise RuntimeError("log_probs tensor must not be empty")
    if log_probs.ndim != 3:
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {log_probs.ndim}-dimensional "
                           f"tensor for argument #1 'log_probs'{_CHECKED}")
    if not 1 <= targets.ndim <= 2:
        raise RuntimeError(f"Expected 1 to 2 dimensions, but got {targets.ndim}-dimensional "
                           f"tensor for argument #2 'targets'{_CHECKED}")
    t_max, batch, classes = log_probs.shape
    if not 0 <= blank < classes:
        raise RuntimeError("blank must be in label range")
    if len(input_lengths) != batch:
        raise RuntimeError("input_lengths must be of size batch_size")
    if len(target_lengths) != batch:
        raise RuntimeError("target_lengths must be of size batch_size")
    for s in target_lengths:
        if s < 0:
            raise RuntimeError(f"Expected target_lengths to have value at least 0, but got "
                               f"value {s}{_CHECKED}")
    want = sum(target_lengths) if targets.ndim == 1 else batch
    if targets.shape[0] != want:
        raise RuntimeError(f"Expected tensor to have size {want} at dimension 0, but got size "
                           f"{targets.shape[0]} for argument #2 'targets'{_CHECKED}")
    longest = max(target_lengths, default=0)
    if targets.ndim == 2 and targets.shape[1] < longest:
        raise RuntimeError(f"Expected tensor to have size at least {longest} at dimension 1, "
                           f"but got size {targets.shape[1]} for argument #2 'targets'{_CHECKED}")
    for t in input_lengths:
        if t < 0:
            raise RuntimeError(f"Expected input_lengths to have value at least 0, but got value "
                               f"{t}{_CHECKED}")
        if t > t_max:
            raise RuntimeError(f"Expected input_lengths to have value at most {t_max}, but got "
                               f"value {t}{_CHECKED}")


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths: Lengths,
             target_lengths: Lengths, blank: int = 0, reduction: str = "mean",
             zero_infinity: bool = False) -> Tensor:
    """The connectionist temporal classification loss: −log Σ over the alignments of each
    target with its frames of Π_t p_t(label at t) (see ``autograd/ops/ctc.py`` for the
    recursions), on ``log_probs`` (T, N, C) log-softmax outputs, or (T, C) for one sample.

    ``targets``: (N, S) rows padded past each target length, or all the targets one after
    another (1-D); ``input_lengths`` / ``target_lengths``: (N,) integer tensors or tuples of
    ints. ``zero_infinity``: a sample with no feasible alignment (inf loss) counts 0 and gets
    no gradient. Reductions as torch's: 'mean' divides each loss by its target length
    (at least 1), then averages over the batch; 'sum'; 'none'."""
    check_reduction(reduction)
    input_lengths, target_lengths = _lengths(input_lengths, target_lengths)
    batched = log_probs.ndim == 3
    x = log_probs if batched else log_probs.unsqueeze(1)
    require_floating(x, "ctc_loss_cpu")
    _check_ctc(x, targets, input_lengths, target_lengths, blank)
    labels = targets.detach().cpu().numpy().astype(np.int64)
    used = extended_targets(np, labels, tuple(target_lengths), blank, targets.ndim == 1)
    if used.size and (used.min() < 0 or used.max() >= x.shape[2]):
        raise RuntimeError(f"ctc_loss(): targets must be class indices in [0, {x.shape[2]}), "
                           f"but got {int(used.min())} … {int(used.max())}")
    loss = CtcLoss.apply(x, used, np.asarray(input_lengths, dtype=np.int64),
                         np.asarray(target_lengths, dtype=np.int64), zero_infinity)
    if zero_infinity:
        loss = where(loss == float("inf"), zeros((), dtype=loss.dtype, device=loss.device), loss)
    if reduction == "mean":
        per_label = tensor(target_lengths, dtype=loss.dtype, device=loss.device).clamp_min(1)
        return (loss / per_label).mean()
    if reduction == "sum":
        return loss.sum()
    return loss if batched else loss.squeeze(0)


def _bags(offsets: Tensor, n: int, include_last_offset: bool) -> tuple:
    """(the bag of each of the ``n`` indices; the number of bags; the offsets), from 1-D
    ``offsets``. With ``include_last_offset`` the last offset starts no bag: the last bag
    runs from the one before to the end of the input, as in torch."""
    starts = offsets.detach().cpu().numpy().astype(np.int64)
    if starts.size and starts[0] != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the "
                           f"mini-batch has to start from position 0. However, got {starts[0]}"
                           f"\n[ torch.LongTensor{{}} ]")
    if starts.size and starts[-1] > n:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {n} but got "
                           f"offsets[-1] of {starts[-1]}")
    n_bags = len(starts) - 1 if include_last_offset else len(starts)
    bag = np.searchsorted(starts, np.arange(n), side="right") - 1
    if include_last_offset:
        bag = np.minimum(bag, n_bags - 1)
    return bag, n_bags, starts


def embedding_bag(input: Tensor, weight: Tensor, offsets: Optional[Tensor] = None,
                  max_norm: Optional[float] = None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Optional[Tensor] = None,
                  include_last_offset: bool = False,
                  padding_idx: Optional[int] = None) -> Tensor:
    """One vector per bag of indices: the sum (weighted by ``per_sample_weights``), mean or
    max of the rows of ``weight`` they look up (see ``autograd/ops/select.py``). Bags are the
    rows of a 2-D ``input``, or the runs of a 1-D ``input`` that start at ``offsets`` (with
    ``include_last_offset`` its last entry closes the last bag). Entries equal to
    ``padding_idx`` are left out; an empty bag gives zeros. ``max_norm``: the looked-up rows
    are first renormalized in place (:func:`embedding_renorm_`); ``sparse`` is accepted, the
    gradient is dense."""
    from minitorch.nn.functional_composed import embedding_renorm_

    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) "
                         f"is not None, then it must have the same shape as the input "
                         f"({input.shape})")
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.ndim}")
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError(f"if input is 2D, then offsets has to be None, as input is treated "
                             f"is a mini-batch of fixed length sequences. However, found "
                             f"offsets of type {type(offsets)}")
        offsets = tensor(np.arange(0, input.numel(), input.shape[1]))
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.ndim}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    if max_norm is not None:
        embedding_renorm_(weight, input, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. "
                                  f"per_sample_weights is only supported for mode='sum' (got "
                                  f"mode='{mode}'). Please open a feature request on GitHub.")
    for t in (input, offsets):
        if t.dtype is not dtypes.int64:
            raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                               f"following scalar types: Long, Int; but got {t.type()} instead "
                               f"(while checking arguments for embedding_bag)")
    if per_sample_weights is not None and per_sample_weights.dtype != weight.dtype:
        raise RuntimeError(f"Expected tensor for argument #1 'weight' to have the same type as "
                           f"tensor for argument #1 'per_sample_weights'; but type "
                           f"{weight.type()} does not equal {per_sample_weights.type()} (while "
                           f"checking arguments for embedding_bag)")
    rows = weight.shape[0]
    if padding_idx is not None:
        if not -rows <= padding_idx < rows:
            raise RuntimeError(f"padding_idx must be within the number of embeddings, -{rows} "
                               f"through {rows - 1}, but got {padding_idx}")
        padding_idx %= rows
    indices = input.detach().cpu().numpy().astype(np.int64)
    bag, n_bags, starts = _bags(offsets, indices.size, include_last_offset)
    bad = indices[(indices < 0) | (indices >= rows)]
    if bad.size:
        raise RuntimeError(f"embedding_bag: Expected idx >= 0 && idx < num_embeddings but "
                           f"found idx to be {bad[0]}")
    return EmbeddingBag.apply(weight, indices, bag, n_bags, mode, per_sample_weights,
                              padding_idx, scale_grad_by_freq, starts)
