"""The sets a distribution's parameters and values must lie in, as in ``torch.distributions.
constraints``: each constraint's ``check(value)`` is a boolean Tensor (one entry per event)
and its ``repr`` is torch's (``GreaterThan(lower_bound=0.0)``), which validation errors
quote."""

from __future__ import annotations

from typing import Any, Callable, Optional

import minitorch
from minitorch.distributions.utils import formatted
from minitorch.tensor import Tensor

__all__ = ["Constraint", "boolean", "dependent", "dependent_property", "greater_than",
           "greater_than_eq", "independent", "integer_interval", "interval", "is_dependent",
           "less_than", "lower_cholesky", "nonnegative", "nonnegative_integer", "one_hot",
           "positive", "positive_definite", "positive_integer", "real", "real_vector",
           "simplex", "unit_interval"]


def _all_last(flags: Tensor) -> Tensor:
    """Whether every entry along the last dimension is True."""
    return flags.logical_not().sum(-1) == 0


class Constraint:
    """A region of values: ``check`` says, per event, whether a value lies in it."""

    is_discrete = False
    event_dim = 0

    def check(self, value: Tensor) -> Tensor:
        raise NotImplementedError

    def _bounds(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__[1:]}({self._bounds()})"


class _Dependent(Constraint):
    """A constraint that depends on other parameters: it cannot be checked by itself."""

    def __init__(self, *, is_discrete: bool = False, event_dim: int = 0) -> None:
        self.is_discrete = is_discrete
        self.event_dim = event_dim

    def check(self, value: Tensor) -> Tensor:
        raise ValueError("Cannot determine validity of dependent constraint")


def is_dependent(constraint: Any) -> bool:
    return isinstance(constraint, _Dependent)


class _DependentProperty(property, _Dependent):
    """``@dependent_property``: a property on a distribution (its ``support`` built from its
    parameters) that is, on the class, a dependent constraint."""

    def __init__(self, fn: Optional[Callable] = None, *, is_discrete: bool = False,
                 event_dim: int = 0) -> None:
        property.__init__(self, fn)
        _Dependent.__init__(self, is_discrete=is_discrete, event_dim=event_dim)

    def __call__(self, fn: Callable) -> _DependentProperty:
        return _DependentProperty(fn, is_discrete=self.is_discrete, event_dim=self.event_dim)


class _Real(Constraint):
    def check(self, value: Tensor) -> Tensor:
        return value == value  # noqa: PLR0124 - False for NaN only


class _Boolean(Constraint):
    is_discrete = True

    def check(self, value: Tensor) -> Tensor:
        return (value == 0) | (value == 1)


class _GreaterThan(Constraint):
    def __init__(self, lower_bound: Any) -> None:
        self.lower_bound = lower_bound

    def check(self, value: Tensor) -> Tensor:
        return value > self.lower_bound

    def _bounds(self) -> str:
        return f"lower_bound={formatted(self.lower_bound)}"


class _GreaterThanEq(_GreaterThan):
    def check(self, value: Tensor) -> Tensor:
        return value >= self.lower_bound


class _IntegerGreaterThan(_GreaterThan):
    """Integers ≥ ``lower_bound``."""

    is_discrete = True

    def check(self, value: Tensor) -> Tensor:
        return (value % 1 == 0) & (value >= self.lower_bound)


class _LessThan(Constraint):
    def __init__(self, upper_bound: Any) -> None:
        self.upper_bound = upper_bound

    def check(self, value: Tensor) -> Tensor:
        return value < self.upper_bound

    def _bounds(self) -> str:
        return f"upper_bound={formatted(self.upper_bound)}"


class _Interval(Constraint):
    """The closed interval [lower_bound, upper_bound]."""

    def __init__(self, lower_bound: Any, upper_bound: Any) -> None:
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound

    def check(self, value: Tensor) -> Tensor:
        return (value >= self.lower_bound) & (value <= self.upper_bound)

    def _bounds(self) -> str:
        return (f"lower_bound={formatted(self.lower_bound)}, "
                f"upper_bound={formatted(self.upper_bound)}")


class _IntegerInterval(_Interval):
    is_discrete = True

    def check(self, value: Tensor) -> Tensor:
        return (value % 1 == 0) & super().check(value)


class _Simplex(Constraint):
    """Vectors of non-negative entries that sum to 1 (within 1e-6)."""

    event_dim = 1

    def check(self, value: Tensor) -> Tensor:
        return _all_last(value >= 0) & ((value.sum(-1) - 1).abs() < 1e-6)


class _OneHot(Constraint):
    is_discrete = True
    event_dim = 1

    def check(self, value: Tensor) -> Tensor:
        return _all_last((value == 0) | (value == 1)) & (value.sum(-1) == 1)


class _LowerCholesky(Constraint):
    """Lower-triangular matrices with a positive diagonal."""

    event_dim = 2

    def check(self, value: Tensor) -> Tensor:
        flat = tuple(value.shape[:-2]) + (-1,)
        lower = _all_last((value.tril() == value).reshape(flat))
        return lower & _all_last(value.diagonal(dim1=-2, dim2=-1) > 0)


class _PositiveDefinite(Constraint):
    """Symmetric (within 1e-6) matrices whose eigenvalues are all positive."""

    event_dim = 2

    def check(self, value: Tensor) -> Tensor:
        flat = tuple(value.shape[:-2]) + (-1,)
        if value.shape[-2] != value.shape[-1]:
            return minitorch.zeros(tuple(value.shape[:-2]), dtype=minitorch.bool)
        symmetric = _all_last(((value - value.mT).abs() <= 1e-6 + 1e-5 * value.mT.abs())
                              .reshape(flat))
        if not bool(symmetric.all()):
            return symmetric
        return _all_last(minitorch.linalg.eigvalsh(value) > 0)


class _IndependentConstraint(Constraint):
    """``base_constraint`` over the rightmost ``reinterpreted_batch_ndims`` dimensions too:
    an event is valid when all its entries are."""

    def __init__(self, base_constraint: Constraint, reinterpreted_batch_ndims: int) -> None:
        self.base_constraint = base_constraint
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims
        self.is_discrete = base_constraint.is_discrete
        self.event_dim = base_constraint.event_dim + reinterpreted_batch_ndims

    def check(self, value: Tensor) -> Tensor:
        result = self.base_constraint.check(value)
        if result.dim() < self.reinterpreted_batch_ndims:
            expected = self.base_constraint.event_dim + self.reinterpreted_batch_ndims
            raise ValueError(f"Expected value.dim() >= {expected} but got {value.dim()}")
        keep = result.dim() - self.reinterpreted_batch_ndims
        return _all_last(result.reshape(tuple(result.shape[:keep]) + (-1,)))

    def _bounds(self) -> str:
        return f"{self.base_constraint!r}, {self.reinterpreted_batch_ndims}"


dependent = _Dependent()
dependent_property = _DependentProperty
independent = _IndependentConstraint
real = _Real()
real_vector = _IndependentConstraint(real, 1)
boolean = _Boolean()
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
nonnegative_integer = _IntegerGreaterThan(0)
positive_integer = _IntegerGreaterThan(1)
greater_than = _GreaterThan
greater_than_eq = _GreaterThanEq
less_than = _LessThan
interval = _Interval
integer_interval = _IntegerInterval
unit_interval = _Interval(0.0, 1.0)
simplex = _Simplex()
one_hot = _OneHot()
lower_cholesky = _LowerCholesky()
positive_definite = _PositiveDefinite()
