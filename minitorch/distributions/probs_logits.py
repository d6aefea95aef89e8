"""The parametrisation shared by the discrete distributions: by ``probs`` or by ``logits``
(exactly one), the other computed from it on first use."""

from __future__ import annotations

from typing import Any, Optional

from minitorch.distributions.distribution import Distribution
from minitorch.distributions.utils import (
    broadcast_all,
    lazy_property,
    logits_to_probs,
    probs_to_logits,
)
from minitorch.tensor import Size, Tensor


class ProbsOrLogits(Distribution):
    """A distribution given by ``probs`` or ``logits``; ``_is_binary``: one probability per
    entry (σ and logit) rather than a vector per event (softmax and log)."""

    _is_binary = False

    def _set_probs_or_logits(self, probs: Optional[Any], logits: Optional[Any]) -> Tensor:
        """Keep the one given (``_normalize``-d) and return it."""
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        self._param_name = "probs" if probs is not None else "logits"
        value = self._normalize(self._param_name, probs if probs is not None else logits)
        setattr(self, self._param_name, value)
        return value

    def _normalize(self, name: str, value: Any) -> Tensor:
        """The parameter as stored: a Tensor (a number becomes a 0-d one)."""
        return broadcast_all(value)[0]

    @property
    def _param(self) -> Tensor:
        return getattr(self, self._param_name)

    @property
    def param_shape(self) -> Size:
        return self._param.size()

    @lazy_property
    def logits(self) -> Tensor:
        return probs_to_logits(self.probs, is_binary=self._is_binary)

    @lazy_property
    def probs(self) -> Tensor:
        return logits_to_probs(self.logits, is_binary=self._is_binary)
