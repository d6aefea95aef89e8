"""Grad mode: whether ops record the graph for backward.

``no_grad()`` is what optimizers and evaluation loops use: inside it, results have no
``grad_fn`` and nothing is saved for backward.
"""

from __future__ import annotations

import functools
import threading
from typing import Any, Callable, TypeVar

_state = threading.local()
F = TypeVar("F", bound=Callable[..., Any])


def is_grad_enabled() -> bool:
    """True when new ops are recorded for backward."""
    return getattr(_state, "enabled", True)


def set_grad_enabled(mode: bool) -> None:
    _state.enabled = bool(mode)


class _GradMode:
    """Context manager and decorator that sets grad mode to ``self.mode`` and restores it."""

    mode = True

    def __enter__(self) -> None:
        self.previous = is_grad_enabled()
        set_grad_enabled(self.mode)

    def __exit__(self, *exc: object) -> None:
        set_grad_enabled(self.previous)

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.__class__():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_GradMode):  # noqa: N801 - the PyTorch name
    """Disable graph recording: ``with minitorch.no_grad(): ...`` or ``@minitorch.no_grad()``."""

    mode = False


class enable_grad(_GradMode):  # noqa: N801 - the PyTorch name
    """Re-enable graph recording inside a ``no_grad`` block."""

    mode = True
