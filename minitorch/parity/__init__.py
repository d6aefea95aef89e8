"""Parity with PyTorch: one catalogue of cases, run by the tests and by a report command.

Each case is a function written once against the common API (``fn(lib, *inputs)`` where
``lib`` is ``torch`` or ``minitorch``), plus how to make its inputs. The parity tests
(``parity_tests/``) and the report (``minitorch parity``) read the same catalogue, so the two
never drift apart.

=====================  ===================================================================
module                 role
=====================  ===================================================================
:mod:`.inputs`         input generators (ties, kinks, extremes, NaN, …)
:mod:`.case`           :class:`Arg`, :class:`Case`, tolerances, :func:`make_arrays`
:mod:`.run`            runners (torch, minitorch per backend), comparison, gradcheck
:mod:`.catalogue`      the cases, one module per group of ops
:mod:`.report`         the report command (``minitorch parity``, ``python -m minitorch.parity``)
=====================  ===================================================================
"""

from minitorch.parity.case import (
    DTYPES,
    F32_ATOL,
    F32_RTOL,
    F64_ATOL,
    F64_RTOL,
    SMALL_ONLY,
    Arg,
    Case,
    float_numel,
    make_arrays,
    runs_on,
    stable_seed,
    tolerance,
)
from minitorch.parity.catalogue import BY_NAME, CATALOGUE
from minitorch.parity.inputs import (
    nonzero,
    normal,
    positive,
    spread,
    ties,
    with_extremes,
    with_nan,
    with_zeros,
)
from minitorch.parity.run import (
    ALL_BACKENDS,
    BACKENDS,
    Pair,
    Result,
    backend_unavailable,
    check_case,
    compare,
    gradcheck_case,
    minitorch_module,
    mt_to_np,
    on_backend,
    run_minitorch,
    run_torch,
    to_minitorch,
    torch_state_dict,
)

__all__ = [
    "ALL_BACKENDS", "BACKENDS", "BY_NAME", "CATALOGUE", "DTYPES", "F32_ATOL", "F32_RTOL",
    "F64_ATOL", "F64_RTOL", "SMALL_ONLY", "Arg", "Case", "Pair", "Result", "backend_unavailable",
    "check_case", "compare", "float_numel", "gradcheck_case", "make_arrays", "minitorch_module",
    "mt_to_np", "nonzero", "normal", "on_backend", "positive", "run_minitorch", "run_torch",
    "runs_on", "spread", "stable_seed", "ties", "to_minitorch", "tolerance", "torch_state_dict",
    "with_extremes", "with_nan", "with_zeros",
]
