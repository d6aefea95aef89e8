"""What every catalogue module uses to write its cases: :class:`Cases` and ``F``."""

from __future__ import annotations

from typing import Any, Callable, List

from minitorch.parity.case import Arg, Case, stable_seed

A = Arg  # short, because the catalogue writes hundreds of them


def F(lib: Any) -> Any:  # noqa: N802 - F as in "import torch.nn.functional as F"
    """``torch.nn.functional`` or ``minitorch.nn.functional``."""
    return lib.nn.functional


class Cases(List[Case]):
    """A list of cases, written one :meth:`add` per line. Each case's seed comes from its name
    (:func:`~minitorch.parity.case.stable_seed`), so the order of the list does not matter."""

    def add(self, name: str, op: str, fn: Callable[..., Any], *args: Arg, **kw: Any) -> None:
        """A case calling ``fn(lib, *inputs)``, one input per ``Arg``."""
        self.append(Case(name, op, fn, list(args), seed=stable_seed(name), **kw))

    def module(self, name: str, op: str, factory: Callable[[Any], Any], *args: Arg,
               **kw: Any) -> None:
        """A case calling ``factory(lib)(*inputs)``: the module is built in torch and minitorch
        loads torch's state_dict, so both start from the same weights."""
        self.add(name, op, lambda m, module, *xs: module(*xs), *args,
                 module=lambda m, dt, f=factory: f(m), **kw)
