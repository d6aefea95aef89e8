"""The Bernoulli distribution."""

from __future__ import annotations

import math
from typing import Any, Optional, Sequence

import minitorch
from minitorch.distributions import constraints
from minitorch.distributions.probs_logits import ProbsOrLogits
from minitorch.distributions.utils import broadcast_all
from minitorch.nn.functional import binary_cross_entropy_with_logits
from minitorch.tensor import Size, Tensor

__all__ = ["Bernoulli"]


class Bernoulli(ProbsOrLogits):
    r"""The Bernoulli distribution: 1 with probability p (``probs``, or σ(``logits``)), 0
    otherwise:

        P(x) = pˣ (1 - p)¹⁻ˣ,  x ∈ {0, 1}
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True
    _is_binary = True

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: Optional[bool] = None) -> None:
        param = self._set_probs_or_logits(probs, logits)
        super().__init__(param.size(), validate_args=validate_args)  # a number: Size()

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def mode(self) -> Tensor:
        """1 where p > ½, 0 where p < ½, NaN where p = ½."""
        mode = (self.probs >= 0.5).to(self.probs)
        return mode.masked_fill(self.probs == 0.5, math.nan)

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Sequence[int] = Size()) -> Tensor:
        with minitorch.no_grad():
            return minitorch.bernoulli(self.probs.expand(self._extended_shape(sample_shape)))

    def log_prob(self, value: Tensor) -> Tensor:
        """x ln p + (1 - x) ln(1 - p), from the logits (as a negated binary cross-entropy)."""
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self) -> Tensor:
        """-p ln p - (1 - p) ln(1 - p)."""
        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    def enumerate_support(self, expand: bool = True) -> Tensor:
        values = minitorch.arange(2, dtype=self._param.dtype, device=self._param.device)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + tuple(self._batch_shape)) if expand else values
