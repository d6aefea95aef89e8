"""Variable-length sequences for the recurrent layers, as torch packs them: a batch of
sequences of different lengths, sorted longest first, stored time step by time step with only
the sequences still running — ``PackedSequence(data, batch_sizes, sorted_indices,
unsorted_indices)``, where ``batch_sizes[t]`` is how many sequences have a step t. An RNN,
LSTM or GRU given one runs each sequence for its own length only (no step on padding), and
its final state is each sequence's own last state.

``pad_sequence`` / ``unpad_sequence`` pad a list to one length and back; ``pack_padded_sequence``
/ ``pad_packed_sequence`` pack a padded batch and back; ``pack_sequence`` /
``unpack_sequence`` go straight from and to a list. Every step is a differentiable op.
"""

from __future__ import annotations

from typing import Any, Iterable, List, NamedTuple, Optional, Sequence, Tuple, Union

from minitorch import dtypes
from minitorch.creation import arange, full, tensor
from minitorch.functions import cat, stack
from minitorch.tensor import Tensor


class PackedSequence(NamedTuple):
    """``data`` (Σ batch_sizes, *): the sequences' steps, time step by time step;
    ``batch_sizes`` (T,) int64: the sequences still running at each step; ``sorted_indices``
    / ``unsorted_indices``: the permutation that sorted the batch by length (None when it was
    sorted already) and its inverse."""

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Optional[Tensor] = None
    unsorted_indices: Optional[Tensor] = None

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """The same sequence with ``data`` (and the permutations) moved or cast."""
        data = self.data.to(*args, **kwargs)
        sorted_, unsorted = (None if t is None else t.to(data.device)
                             for t in (self.sorted_indices, self.unsorted_indices))
        return PackedSequence(data, self.batch_sizes, sorted_, unsorted)

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda


def invert_permutation(permutation: Optional[Tensor]) -> Optional[Tensor]:
    """The permutation that undoes ``permutation``."""
    if permutation is None:
        return None
    inverse = permutation.new_zeros(permutation.shape)
    inverse[permutation] = arange(permutation.numel(), device=permutation.device)
    return inverse


def _lengths(lengths: Union[Tensor, Sequence[int]]) -> List[int]:
    values = [int(v) for v in (lengths.tolist() if isinstance(lengths, Tensor) else lengths)]
    if any(v <= 0 for v in values):
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    return values


def pack_padded_sequence(input: Tensor, lengths: Union[Tensor, Sequence[int]],
                         batch_first: bool = False, enforce_sorted: bool = True
                         ) -> PackedSequence:
    """Pack a padded batch (T, B, *) — (B, T, *) with ``batch_first`` — of sequences of
    ``lengths``: step t of the sequences that have one, longest first."""
    values = _lengths(lengths)
    sorted_indices = None
    if enforce_sorted:
        if any(a < b for a, b in zip(values, values[1:])):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                               "`enforce_sorted` is True. You can pass `enforce_sorted=False` "
                               "to pack_padded_sequence and/or pack_sequence to sidestep this "
                               "requirement if you do not need ONNX exportability.")
    else:
        order = sorted(range(len(values)), key=lambda i: -values[i])  # stable, as torch's
        values = [values[i] for i in order]
        sorted_indices = tensor(order, dtype=dtypes.int64, device=input.device)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if batch_first:
        input = input.transpose(0, 1)
    if values and values[0] > input.shape[0]:
        raise RuntimeError(f"pack_padded_sequence: a length of {values[0]} is longer than the "
                           f"{input.shape[0]} steps of the padded input")
    batch_sizes = [sum(1 for v in values if v > t) for t in range(values[0] if values else 0)]
    data = cat([input[t, :b] for t, b in enumerate(batch_sizes)])
    return PackedSequence(data, tensor(batch_sizes, dtype=dtypes.int64), sorted_indices,
                          invert_permutation(sorted_indices))


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: Optional[int] = None
                        ) -> Tuple[Tensor, Tensor]:
    """The padded batch (T, B, *) — (B, T, *) with ``batch_first`` — and the lengths (B,)
    of a packed sequence, in the batch's original order."""
    sizes = [int(b) for b in sequence.batch_sizes.tolist()]
    steps = len(sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError(f"Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {steps}")
        steps = total_length
    data, batch = sequence.data, sizes[0] if sizes else 0
    rows, start = [], 0
    for t in range(steps):
        b = sizes[t] if t < len(sizes) else 0
        step = data[start:start + b]
        start += b
        if b < batch:
            step = cat([step, full((batch - b, *data.shape[1:]), padding_value,
                                   dtype=data.dtype, device=data.device)])
        rows.append(step)
    padded = stack(rows, 0)
    lengths = tensor([sum(1 for b in sizes if b > i) for i in range(batch)], dtype=dtypes.int64)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices.cpu()]
    return (padded.transpose(0, 1) if batch_first else padded), lengths


def pad_sequence(sequences: Union[Tensor, Iterable[Tensor]], batch_first: bool = False,
                 padding_value: float = 0.0, padding_side: str = "right") -> Tensor:
    """Stack sequences of shapes (Lᵢ, *) into (max L, B, *) — (B, max L, *) with
    ``batch_first`` — padding each with ``padding_value`` on ``padding_side``."""
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0))
    elif not isinstance(sequences, Iterable):
        raise RuntimeError(f"pad_sequence: Expected iterable for input sequences, but got arg "
                           f"of type: {type(sequences)}")
    sequences = list(sequences)
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        fill = full((longest - s.shape[0], *s.shape[1:]), padding_value, dtype=s.dtype,
                    device=s.device)
        padded.append(cat([s, fill] if padding_side == "right" else [fill, s]))
    return stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor,
                   batch_first: bool = False) -> List[Tensor]:
    """The sequences of a padded batch, each cut to its length."""
    batch = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    return [batch[i, :int(n)] for i, n in enumerate(lengths.tolist())]


def pack_sequence(sequences: List[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences (Lᵢ, *)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> List[Tensor]:
    """The list of sequences of a packed one, in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
