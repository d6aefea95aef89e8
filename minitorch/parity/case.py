"""The case model: one op call written once against the common API, its inputs, its tolerance.

A :class:`Case` is ``fn(lib, *inputs)`` where ``lib`` is ``torch`` or ``minitorch`` (or
``fn(lib, module, *inputs)`` for a module case), plus one :class:`Arg` per input saying how to
make it. :func:`make_arrays` draws the inputs from the case's seed, so torch and minitorch see
the same numbers.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from minitorch.parity.inputs import Generator, normal

DTYPES = ("float32", "float64")

# Tolerances. float32: torch.testing.assert_close's defaults. float64: 1e-7 for both, which
# a case may multiply by ``f64_factor`` (with a comment saying why).
F32_RTOL, F32_ATOL = 1.3e-6, 1e-5
F64_RTOL = F64_ATOL = 1e-7

# Backends too slow for large inputs (Python loops): each runs only the cases with at most
# this many float input elements. The other cases are not run there at all (not skipped).
SMALL_ONLY: Dict[str, int] = {"loops": 1024}


@dataclass
class Arg:
    """One input: a float tensor (``grad`` says whether it requires grad) or an int64 tensor
    (``high`` set: values in [low, high), or ``values`` for a fixed integer pattern).
    ``noncontig``: the op receives a permuted (non-contiguous) view of a leaf whose dims are
    reversed; the gradient is compared on that leaf."""
    shape: Tuple[int, ...]
    gen: Generator = normal
    grad: bool = True
    noncontig: bool = False
    high: Optional[int] = None
    low: int = 0
    values: Optional[Sequence[int]] = None

    @property
    def is_int(self) -> bool:
        return self.high is not None or self.values is not None


@dataclass
class Case:
    """``fn(lib, *inputs)`` (or ``fn(lib, module, *inputs)`` when ``module(lib, dtype)`` is
    given: the module is built in torch, and minitorch's copy loads torch's state_dict)."""
    name: str
    op: str
    fn: Callable[..., Any]
    args: List[Arg]
    module: Optional[Callable[[Any, Any], Any]] = None
    grad: bool = True              # compare gradients (False: no output is differentiable)
    gradcheck: bool = True         # run minitorch.autograd.gradcheck in float64
    double_backward: bool = True   # compare second derivatives too (False: with a reason)
    tol32: Optional[Tuple[float, float]] = None   # (rtol, atol) for float32, with a reason
    f64_factor: float = 1.0        # multiplies float64's 1e-7, with a reason
    dtypes: Tuple[str, ...] = DTYPES
    seed: int = 0

    @property
    def id(self) -> str:
        return self.name


def tolerance(case: Case, dtype: str) -> Tuple[float, float]:
    """(rtol, atol) for comparing ``case`` in ``dtype``."""
    if dtype == "float64":
        return F64_RTOL * case.f64_factor, F64_ATOL * case.f64_factor
    return case.tol32 if case.tol32 is not None else (F32_RTOL, F32_ATOL)


def make_arrays(case: Case, dtype: str) -> List[np.ndarray]:
    """The inputs as NumPy arrays (leaf layout: reversed dims for ``noncontig`` args)."""
    rng = np.random.default_rng(1000 + case.seed)
    out = []
    for a in case.args:
        shape = tuple(reversed(a.shape)) if a.noncontig else tuple(a.shape)
        if a.values is not None:
            out.append(np.asarray(a.values, dtype=np.int64).reshape(shape))
        elif a.high is not None:
            out.append(rng.integers(a.low, a.high, shape).astype(np.int64))
        else:
            out.append(np.ascontiguousarray(a.gen(rng, shape), dtype=dtype))
    return out


def stable_seed(name: str) -> int:
    """A seed that depends on the case's name only, so adding or moving other cases never
    changes this case's inputs."""
    return zlib.crc32(name.encode()) % 100_000


def float_numel(case: Case) -> int:
    """How many float input elements the case has (module parameters not counted)."""
    return sum(int(np.prod(a.shape)) for a in case.args if not a.is_int)


def runs_on(case: Case, backend: str) -> bool:
    """Whether ``case`` is run on ``backend`` (see ``SMALL_ONLY``)."""
    limit = SMALL_ONLY.get(backend)
    return limit is None or float_numel(case) <= limit
