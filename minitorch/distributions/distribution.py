"""The base of every distribution: batch and event shapes, argument and sample validation
with torch's messages, the shape of a sample, ``expand`` and ``repr``."""

from __future__ import annotations

import warnings
from numbers import Number
from typing import Any, Dict, Optional, Sequence

import minitorch
from minitorch.distributions import constraints
from minitorch.distributions.utils import broadcast_all, formatted, lazy_property
from minitorch.tensor import Size, Tensor

__all__ = ["Distribution"]


class Distribution:
    """A batch of probability distributions of the same family.

    ``batch_shape`` is the shape over which parameters are batched, ``event_shape`` the shape
    of one draw; a sample drawn with ``sample_shape`` has shape
    ``sample_shape + batch_shape + event_shape``. With ``validate_args`` (on by default, as
    in torch, unless Python runs with ``-O``) parameters are checked against
    ``arg_constraints`` when the distribution is made and values against ``support`` when
    they are scored.
    """

    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Turn argument validation on or off for distributions made without
        ``validate_args``."""
        if value not in [True, False]:
            raise ValueError
        Distribution._validate_args = value

    def __init__(self, batch_shape: Sequence[int] = Size(), event_shape: Sequence[int] = Size(),
                 validate_args: Optional[bool] = None) -> None:
        self._batch_shape = Size(batch_shape)
        self._event_shape = Size(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if not self._validate_args:
            return
        try:
            arg_constraints = self.arg_constraints
        except NotImplementedError:
            arg_constraints = {}
            warnings.warn(f"{self.__class__} does not define `arg_constraints`. Please set "
                          "`arg_constraints = {}` or initialize the distribution with "
                          "`validate_args=False` to turn off validation.", stacklevel=2)
        for param, constraint in arg_constraints.items():
            if constraints.is_dependent(constraint):
                continue
            if param not in self.__dict__ and isinstance(getattr(type(self), param, None),
                                                         lazy_property):
                continue  # computed from another parameter on first use
            value = getattr(self, param)
            if not bool(constraint.check(value).all()):
                raise ValueError(f"Expected parameter {param} ({type(value).__name__} of shape "
                                 f"{tuple(value.shape)}) of distribution {self!r} to satisfy "
                                 f"the constraint {constraint!r}, but found invalid values:\n"
                                 f"{formatted(value)}")

    def _broadcast_parameters(self, **params: Any) -> Size:
        """Broadcast the parameters (Tensors or numbers) to one shape, set them as attributes
        and return the batch shape they give: () when all are numbers."""
        for name, tensor in zip(params, broadcast_all(*params.values())):
            setattr(self, name, tensor)
        if all(isinstance(v, Number) for v in params.values()):
            return Size()
        return getattr(self, next(iter(params))).size()

    def expand(self, batch_shape: Sequence[int], _instance: Optional[Distribution] = None
               ) -> Distribution:
        """The distribution with its batch dimensions expanded (Tensor.expand: no copy) to
        ``batch_shape``; parameters are not validated again."""
        new = self.__new__(type(self)) if _instance is None else _instance
        batch_shape = Size(batch_shape)
        new.__dict__.update({k: v for k, v in self.__dict__.items()
                             if not isinstance(v, Tensor)})
        for name in self._parameter_names():
            value = getattr(self, name)
            trailing = value.shape[len(self._batch_shape):]  # the event part (categories)
            setattr(new, name, value.expand(batch_shape + trailing))
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _parameter_names(self) -> list:
        """The names of the parameters this instance holds (those a lazy property has not
        computed yet are left out)."""
        return [k for k in self.arg_constraints if k in self.__dict__]

    @property
    def batch_shape(self) -> Size:
        """The shape over which parameters are batched."""
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        """The shape of a single sample (without batching)."""
        return self._event_shape

    @property
    def arg_constraints(self) -> Dict[str, constraints.Constraint]:
        """Each parameter's constraint."""
        raise NotImplementedError

    @property
    def support(self) -> constraints.Constraint:
        """The constraint every value of the distribution satisfies."""
        raise NotImplementedError

    @property
    def mean(self) -> Tensor:
        raise NotImplementedError

    @property
    def mode(self) -> Tensor:
        raise NotImplementedError(f"{self.__class__} does not implement mode")

    @property
    def variance(self) -> Tensor:
        raise NotImplementedError

    @property
    def stddev(self) -> Tensor:
        return self.variance.sqrt()

    def sample(self, sample_shape: Sequence[int] = Size()) -> Tensor:
        """A sample of shape ``sample_shape + batch_shape + event_shape``, without gradient."""
        with minitorch.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape: Sequence[int] = Size()) -> Tensor:
        """A reparametrised sample: differentiable with respect to the parameters."""
        raise NotImplementedError

    def log_prob(self, value: Tensor) -> Tensor:
        """The log of the density (or mass) at ``value``."""
        raise NotImplementedError

    def cdf(self, value: Tensor) -> Tensor:
        """The cumulative distribution function at ``value``."""
        raise NotImplementedError

    def icdf(self, value: Tensor) -> Tensor:
        """The inverse of the cumulative distribution function at ``value``."""
        raise NotImplementedError

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """Every value of a discrete distribution, along dimension 0."""
        raise NotImplementedError

    def entropy(self) -> Tensor:
        """The entropy, of shape ``batch_shape``."""
        raise NotImplementedError

    def perplexity(self) -> Tensor:
        """exp(entropy)."""
        return self.entropy().exp()

    def _extended_shape(self, sample_shape: Sequence[int] = Size()) -> Size:
        """``sample_shape + batch_shape + event_shape``."""
        return Size(tuple(sample_shape)) + self._batch_shape + self._event_shape

    def _validate_sample(self, value: Tensor) -> None:
        """Raise torch's ValueError unless ``value`` is a Tensor whose rightmost dimensions
        match ``event_shape``, that broadcasts with ``batch_shape + event_shape`` and that
        lies in ``support``."""
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        start = value.dim() - len(self._event_shape)
        if value.size()[start:] != self._event_shape:
            raise ValueError(f"The right-most size of value must match event_shape: "
                             f"{value.size()} vs {self._event_shape}.")
        actual, expected = value.size(), self._batch_shape + self._event_shape
        for i, j in zip(reversed(actual), reversed(expected)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: "
                                 f"{actual} vs {expected}.")
        try:
            support = self.support
        except NotImplementedError:
            warnings.warn(f"{self.__class__} does not define `support` to enable sample "
                          "validation. Please initialize the distribution with "
                          "`validate_args=False` to turn off validation.", stacklevel=2)
            return
        if not bool(support.check(value).all()):
            raise ValueError(f"Expected value argument ({type(value).__name__} of shape "
                             f"{tuple(value.shape)}) to be within the support ({support!r}) "
                             f"of the distribution {self!r}, but found invalid values:\n"
                             f"{formatted(value)}")

    def __repr__(self) -> str:
        def shown(t: Tensor) -> Any:
            return formatted(t) if t.numel() == 1 else t.size()
        args = ", ".join(f"{p}: {shown(self.__dict__[p])}" for p in self._parameter_names())
        return f"{type(self).__name__}({args})"
