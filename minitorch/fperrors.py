"""IEEE arithmetic without NumPy's floating-point warnings, while minitorch computes.

PyTorch answers 0/0, log(0), exp(1000) and inf - inf with nan and ±inf and says nothing;
NumPy gives the same values but prints "RuntimeWarning: invalid value encountered in ...".
So NumPy's error state is "ignore" exactly while minitorch computes arrays on a user's
behalf, at a few roots rather than op by op:

* ``Function.apply`` around an op's ``forward`` (every differentiable op, every backend);
* the autograd engine around a whole backward pass;
* ``Optimizer.step``, ``nn.init``, printing, and the Tensor methods that compute outside a
  Function (in-place updates, ``isclose``, ...) through :func:`quietly`.

Never globally: ``np.seterr`` is not called, so the user's own NumPy code, before, after or
between minitorch calls, warns (or raises) as it was told to.

NumPy 2 keeps the error state in a context variable; setting that variable to a prepared
"ignore" state and resetting its token costs ~0.17 µs, against ~0.7 µs for entering and
leaving ``np.errstate(all="ignore")``, which builds the state anew each time (2-core Xeon,
``timeit``). The prepared state keeps the buffer size NumPy had at import (``np.setbufsize``
changes only speed). NumPy 1.x, which has no such variable, goes through ``np.errstate``.
CuPy has no error state, and needs none.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

import numpy as np

F = TypeVar("F", bound=Callable[..., Any])

try:  # NumPy >= 2: the error state is the context variable behind np.errstate
    from numpy._core.umath import _extobj_contextvar, _make_extobj

    _IGNORE = _make_extobj(all="ignore")
    # both C callables, no Python frame between: silence() sets the "ignore" state and returns
    # the token that restore(token) takes to put the previous state back
    silence: Callable[[], Any] = functools.partial(_extobj_contextvar.set, _IGNORE)
    restore: Callable[[Any], None] = _extobj_contextvar.reset

except ImportError:  # NumPy 1.x
    def silence() -> Any:  # type: ignore[misc]
        """Set NumPy's floating-point error handling to "ignore"; returns what
        :func:`restore` takes to put the previous state back."""
        state = np.errstate(all="ignore")
        state.__enter__()
        return state

    def restore(token: Any) -> None:  # type: ignore[misc]
        """Put back the state :func:`silence` replaced."""
        token.__exit__(None, None, None)


class quiet:
    """``with quiet():`` — NumPy's floating-point warnings off inside the block (reentrant:
    each ``quiet()`` is a new object)."""

    __slots__ = ("_token",)

    def __enter__(self) -> None:
        self._token = silence()

    def __exit__(self, *exc: Any) -> None:
        restore(self._token)


def quietly(func: F) -> F:
    """``func`` run with NumPy's floating-point warnings off."""
    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        token = silence()
        try:
            return func(*args, **kwargs)
        finally:
            restore(token)
    return run  # type: ignore[return-value]
