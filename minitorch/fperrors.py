"""IEEE arithmetic without NumPy's floating-point warnings, while minitorch computes.

PyTorch answers 0/0, log(0), exp(1000) and inf - inf with nan and ±inf and says nothing;
NumPy gives the same values but prints "RuntimeWarning: invalid value encountered in ...".
So NumPy's error state is "ignore" exactly while minitorch computes arrays on a user's
behalf, at a few roots rather than op by op:

* ``Function.apply`` around an op's ``forward`` (every differentiable op, every backend);
* the autograd engine around a whole backward pass (a user's hook or custom Function's
  ``backward`` inside it runs with the caller's state again: :class:`as_caller`);
* ``Optimizer.step``, and an emulated CUDA graph's replay;
* through :func:`quietly`, what computes outside a Function: tensor creation's cast
  (``tensor([1e300])`` is inf), ``isclose``/``allclose``, ``logspace``, ``normal``,
  printing, ``ToPILImage``.

(In-place ops, comparisons and ``nn.init`` go through Functions or draw from the generator.)
``errstate`` does not reach NumPy's warnings made by ``warnings.warn`` in Python ("Mean of
empty slice"): those ops avoid them (``autograd.ops.util.mean``).

Never globally: ``np.seterr`` is not called, so the user's own NumPy code, before, after or
between minitorch calls, warns (or raises) as it was told to.

NumPy 2 keeps the error state in a context variable; setting that variable to a prepared
"ignore" state and resetting its token costs ~0.11 µs, against ~0.7 µs for entering and
leaving ``np.errstate(all="ignore")``, which builds the state anew each time (2-core Xeon,
``timeit``); one ``np.errstate`` object cannot be reused either, as NumPy 2 refuses to enter
it twice (nested ops, threads). The prepared state keeps the buffer size NumPy had at
import (``np.setbufsize`` changes only speed). NumPy 1.x, which has no such variable, goes
through ``np.errstate``. CuPy has no error state, and needs none.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar
from typing import Any, Callable, Tuple, TypeVar

import numpy as np

F = TypeVar("F", bound=Callable[..., Any])

try:  # NumPy >= 2: the error state is the context variable behind np.errstate
    from numpy._core.umath import _extobj_contextvar, _make_extobj

    _IGNORE = _make_extobj(all="ignore")
    # C callables, no Python frame between: silence() sets the "ignore" state and returns the
    # token that restore(token) takes to put the previous state back; current() is the state
    # now, which reinstate(state) sets again (returning a token for restore)
    silence: Callable[[], Any] = functools.partial(_extobj_contextvar.set, _IGNORE)
    restore: Callable[[Any], None] = _extobj_contextvar.reset
    current: Callable[[], Any] = _extobj_contextvar.get
    reinstate: Callable[[Any], Any] = _extobj_contextvar.set

except ImportError:  # NumPy 1.x
    def silence() -> Any:  # type: ignore[misc]
        """Set NumPy's floating-point error handling to "ignore"; returns what
        :func:`restore` takes to put the previous state back."""
        return reinstate({"all": "ignore"})

    def restore(token: Any) -> None:  # type: ignore[misc]
        """Put back the state :func:`silence` replaced."""
        token.__exit__(None, None, None)

    def current() -> Any:  # type: ignore[misc]
        """NumPy's floating-point error handling now."""
        return np.geterr()

    def reinstate(state: Any) -> Any:  # type: ignore[misc]
        """Set ``state`` (from :func:`current`); returns what :func:`restore` takes."""
        token = np.errstate(**state)
        token.__enter__()
        return token

# The caller's state while a backward pass runs silenced: a user's hook or custom Function's
# backward runs in it (user code: its own NumPy warns as it would in torch).
_CALLER: ContextVar[Any] = ContextVar("minitorch_caller_fp_state", default=None)


def silence_for_pass() -> Tuple[Any, Any]:
    """:func:`silence`, remembering the caller's state for :class:`as_caller`; returns what
    :func:`restore_after_pass` takes."""
    caller = _CALLER.set(current())
    return caller, silence()


def restore_after_pass(tokens: Tuple[Any, Any]) -> None:
    """Undo :func:`silence_for_pass`."""
    restore(tokens[1])
    _CALLER.reset(tokens[0])


class as_caller:
    """``with as_caller():`` — user code called from a silenced pass (a hook) runs with the
    error state its caller had; outside a pass, nothing changes."""

    __slots__ = ("_token",)

    def __enter__(self) -> None:
        state = _CALLER.get()
        self._token = None if state is None else reinstate(state)

    def __exit__(self, *exc: Any) -> None:
        if self._token is not None:
            restore(self._token)


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
