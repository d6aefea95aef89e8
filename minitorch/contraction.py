"""``einsum``: Einstein summation — torch's equation language (letters, repeated letters,
``'...'``, implicit output, the sublist form) lowered to the ops a learner already knows:
``diagonal``, ``sum``, ``permute``/``reshape`` and one batched matrix product per pair of
operands."""

from __future__ import annotations

import builtins
import math
import string
from typing import Any, Dict, List, Sequence, Tuple

from minitorch.tensor import Tensor

__all__ = ["einsum"]


def einsum(equation: Any, *operands: Any) -> Tensor:
    """Einstein summation, as torch's: ``einsum('bij,bjk->bik', x, y)``.

    Each operand's subscripts name its dims. A letter repeated within one operand takes the
    diagonal (``'ii->i'``, ``'ii'`` the trace); ``'...'`` stands for the dims no letter
    names, broadcast across operands from the right; without ``'->'`` the output is the
    ``'...'`` dims then the letters that appear once, in alphabetical order. The sublist
    form ``einsum(x, [0, 1], y, [1, 2], [0, 2])`` (ints for letters, ``Ellipsis`` for
    '...') is the same. Size-1 dims broadcast.

    Lowering (:func:`_contract`): each repeated letter becomes a ``diagonal``; then the
    operands are combined left to right, two at a time, as torch does — a letter needed by
    neither the output nor a later operand is summed away as soon as only one side has it,
    and the pair's product is one batched matrix product ``bmm`` over (letters both keep,
    letters only the left keeps, the letters summed, letters only the right keeps), so no
    broadcast product of all the letters is ever materialised. The result is ``permute``-d
    into the output's order. Every step is a differentiable op, so the gradient is
    autograd's."""
    if not isinstance(equation, str):
        equation, operands = _sublist_equation((equation,) + operands)
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    inputs, arrow, output = equation.replace(" ", "").partition("->")
    specs = inputs.split(",")
    if len(specs) != len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation" if len(operands) > len(specs) else
                           "einsum(): fewer operands were provided than specified in the "
                           "equation")
    bad = next((i for i, c in enumerate(equation) if not (c.isascii() and c.isalpha())
                and c not in " ,.->"), None)
    if bad is not None:
        raise RuntimeError(f"einsum(): invalid subscript given at index {bad} in the equation "
                           f"string, subscripts must be in [a-zA-Z]")
    ell = builtins.max(t.ndim - len(s.replace(".", "")) for s, t in zip(specs, operands)
                       if "..." in s) if "..." in inputs else 0
    broadcast = "".join(chr(0x100 + k) for k in range(builtins.max(ell, 0)))  # '...' dims
    labels = [_operand_labels(spec, t, n, broadcast) for n, (spec, t) in
              enumerate(zip(specs, operands))]
    if arrow:
        output = output.replace("...", broadcast)
        for c in output:
            if output.count(c) > 1:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once "
                                   f"in the output")
            if not builtins.any(c in spec for spec in labels):
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                                   f"equation for any input operand")
    else:
        letters = "".join(labels)
        output = broadcast + "".join(sorted(c for c in set(letters) if c not in broadcast
                                            and letters.count(c) == 1))
    placed, sizes = [], {}
    for n, (spec, t) in enumerate(zip(labels, operands)):
        spec, t = _take_diagonals(spec, t, n)
        for c, size in zip(spec, t.shape):
            seen = sizes.setdefault(c, size)
            if size != seen and 1 not in (size, seen):
                raise RuntimeError(f"einsum(): subscript {c} has size {size} for operand {n} "
                                   f"which does not broadcast with previously seen size "
                                   f"{seen}")
            sizes[c] = builtins.max(seen, size)
        placed.append((spec, t))
    return _contract(placed, output, sizes)


def _contract(placed: List[Tuple[str, Tensor]], output: str, sizes: Dict[str, int]) -> Tensor:
    """The operands (labels, tensor) — no letter repeated within one — multiplied and summed
    into ``output``'s letters, left to right, two at a time."""
    spec, total = placed[0]
    for n in range(1, len(placed)):
        later = output + "".join(s for s, _ in placed[n + 1:])
        spec, total = _pair(spec, total, *placed[n], later, sizes)
    spec, total = _sum_away(spec, total, output)
    return total.permute(*[spec.index(c) for c in output]) if len(output) > 1 else total


def _pair(a_spec: str, a: Tensor, b_spec: str, b: Tensor, later: str,
          sizes: Dict[str, int]) -> Tuple[str, Tensor]:
    """Σ over the shared letters ``later`` does not need of a ⊙ b, as one ``bmm``:

        a → (batch, left, summed)    b → (batch, summed, right)    a @ b → (batch, left, right)

    batch: letters in both that ``later`` needs; left / right: letters of one side only that
    it needs; summed: letters in both that it does not. A letter of one side only that it
    does not need is summed away first. A size-1 dim meeting a larger one is expanded."""
    a_spec, a = _sum_away(a_spec, a, b_spec + later)
    b_spec, b = _sum_away(b_spec, b, a_spec + later)
    batch = [c for c in a_spec if c in b_spec and c in later]
    summed = [c for c in a_spec if c in b_spec and c not in later]
    left = [c for c in a_spec if c not in b_spec]
    right = [c for c in b_spec if c not in a_spec]

    def arrange(spec: str, t: Tensor, groups: List[List[str]]) -> Tensor:
        order = [c for group in groups for c in group]
        t = t.permute(*[spec.index(c) for c in order]) if len(order) > 1 else t
        t = t.expand(*[sizes[c] for c in order]) if order else t
        return t.reshape([math.prod(sizes[c] for c in group) for group in groups])

    product = arrange(a_spec, a, [batch, left, summed]).bmm(
        arrange(b_spec, b, [batch, summed, right]))
    spec = "".join(batch + left + right)
    return spec, product.reshape([sizes[c] for c in spec])


def _sum_away(spec: str, t: Tensor, needed: str) -> Tuple[str, Tensor]:
    """Sum ``t`` over its letters that ``needed`` does not name."""
    gone = [i for i, c in enumerate(spec) if c not in needed]
    if not gone:
        return spec, t
    return "".join(c for c in spec if c in needed), t.sum(dim=gone)


def _sublist_equation(args: Tuple[Any, ...]) -> Tuple[str, Tuple[Any, ...]]:
    """``(x, [0, 1], y, [1, 2], [0, 2])`` → ``('ab,bc->ac', (x, y))``: subscript k is the
    k-th letter of a-zA-Z, ``Ellipsis`` is '...'."""
    def word(sub: Sequence[Any]) -> str:
        return "".join("..." if s is Ellipsis else
                       (string.ascii_lowercase + string.ascii_uppercase)[s] for s in sub)
    tensors, subs = args[0:len(args) - len(args) % 2:2], args[1::2]
    out = "->" + word(args[-1]) if len(args) % 2 else ""
    return ",".join(word(s) for s in subs) + out, tuple(tensors)


def _operand_labels(spec: str, t: Tensor, n: int, broadcast: str) -> str:
    """Operand n's subscripts with its '...' spelled as its dims of ``broadcast`` (the
    rightmost ones), after torch's checks of the ellipsis and the number of dims."""
    dots = spec.count(".")
    if dots and (dots % 3 or "..." not in spec):
        raise RuntimeError(f"einsum(): found '.' for operand {n} that is not part of any "
                           f"ellipsis")
    if dots > 3:
        raise RuntimeError(f"einsum(): found '.' for operand {n} for which an ellipsis was "
                           f"already found")
    letters = len(spec) - dots
    if not dots and letters != t.ndim:
        raise RuntimeError(f"einsum(): the number of subscripts in the equation ({letters}) "
                           f"does not match the number of dimensions ({t.ndim}) for operand "
                           f"{n} and no ellipsis was given")
    if letters > t.ndim:
        raise RuntimeError(f"einsum(): the number of subscripts in the equation ({letters}) "
                           f"is more than the number of dimensions ({t.ndim}) for operand {n}")
    mine = t.ndim - letters
    return spec.replace("...", broadcast[len(broadcast) - mine:])


def _take_diagonals(spec: str, t: Tensor, n: int) -> Tuple[str, Tensor]:
    """Replace each letter repeated in operand n by one dim: the diagonal over its dims."""
    for c in spec:
        while spec.count(c) > 1:
            i = spec.index(c)
            j = spec.index(c, i + 1)
            if t.shape[i] != t.shape[j]:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {n} but "
                                   f"the sizes don't match, {t.shape[j]} != {t.shape[i]}")
            t = t.diagonal(0, i, j)
            spec = spec[:i] + spec[i + 1:j] + spec[j + 1:] + c
    return spec, t
