"""The categorical distribution over {0, …, K - 1}."""

from __future__ import annotations

import math
from typing import Any, Optional, Sequence

import minitorch
from minitorch.distributions import constraints
from minitorch.distributions.probs_logits import ProbsOrLogits
from minitorch.tensor import Size, Tensor

__all__ = ["Categorical"]


class Categorical(ProbsOrLogits):
    r"""The categorical distribution over K categories, given by the last dimension of
    ``probs`` (normalised to sum to 1) or of ``logits`` (normalised by their logsumexp):

        P(x = k) = pₖ = exp(logitsₖ) / Σⱼ exp(logitsⱼ)

    Its batch shape is the parameter's shape without the last dimension.
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    has_enumerate_support = True

    def __init__(self, probs: Optional[Tensor] = None, logits: Optional[Tensor] = None,
                 validate_args: Optional[bool] = None) -> None:
        param = self._set_probs_or_logits(probs, logits)
        self._num_events = param.size()[-1]
        batch_shape = param.size()[:-1] if param.dim() > 1 else Size()
        super().__init__(batch_shape, validate_args=validate_args)

    def _normalize(self, name: str, value: Any) -> Tensor:
        if value.dim() < 1:
            raise ValueError(f"`{name}` parameter must be at least one-dimensional.")
        if name == "probs":
            return value / value.sum(-1, keepdim=True)
        return value - value.logsumexp(dim=-1, keepdim=True)

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self) -> constraints.Constraint:
        return constraints.integer_interval(0, self._num_events - 1)

    @property
    def mean(self) -> Tensor:
        """Undefined: NaN."""
        return minitorch.full(tuple(self._extended_shape()), math.nan, dtype=self.probs.dtype,
                              device=self.probs.device)

    @property
    def mode(self) -> Tensor:
        return self.probs.argmax(dim=-1)

    @property
    def variance(self) -> Tensor:
        """Undefined: NaN."""
        return self.mean

    def sample(self, sample_shape: Sequence[int] = Size()) -> Tensor:
        """Category indices (int64) of shape ``sample_shape + batch_shape``."""
        shape = self._extended_shape(sample_shape)
        probs_2d = self.probs.detach().reshape(-1, self._num_events)
        draws = minitorch.multinomial(probs_2d, Size(tuple(sample_shape)).numel(), True)
        return draws.transpose(0, 1).reshape(tuple(shape))

    def log_prob(self, value: Tensor) -> Tensor:
        """ln p_value: the normalised logits picked at the category indices."""
        if self._validate_args:
            self._validate_sample(value)
        value, log_pmf = minitorch.broadcast_tensors(value.long().unsqueeze(-1), self.logits)
        return log_pmf.gather(-1, value[..., :1]).squeeze(-1)

    def entropy(self) -> Tensor:
        """-Σₖ pₖ ln pₖ (logits clamped at the dtype's lowest value, so p = 0 adds 0)."""
        logits = self.logits.clamp(min=minitorch.finfo(self.logits.dtype).min)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        values = minitorch.arange(self._num_events, dtype=minitorch.long,
                                  device=self._param.device)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + tuple(self._batch_shape)) if expand else values
