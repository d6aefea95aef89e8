"""The parity report: every catalogue case against torch, per op × backend.

    minitorch parity                                     # every backend that can start
    minitorch parity --backends numpy,numba --json parity.json
    python -m minitorch.parity --ops conv2d,max_pool2d   # the same command

prints, per op × backend, the worst relative error of the forward and of the gradients
(``max |got - want| / max |want|`` over the op's cases and both float dtypes) and pass/fail
(``|got - want| <= atol + rtol·|want|`` elementwise, as ``torch.testing.assert_close``),
then every failure, then one total line: cases run, passed and failed, per backend. The
``loops`` backend runs only the small cases (``minitorch.parity.case.SMALL_ONLY``).
Progress goes to stderr (``--quiet`` turns it off). Exit status 0 when every case that ran
passed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

import numpy as np

from minitorch.parity.case import DTYPES, Case, runs_on
from minitorch.parity.catalogue import CATALOGUE
from minitorch.parity.run import (
    ALL_BACKENDS,
    backend_unavailable,
    compare,
    run_minitorch,
    run_torch,
)


@dataclass
class Row:
    """One op on one backend: how many cases ran, the worst errors, what failed."""
    op: str
    backend: str
    cases: int = 0
    fwd_err: float = 0.0
    grad_err: float = 0.0
    passed: bool = True
    failures: List[str] = field(default_factory=list)
    skipped: str = ""
    failed_cases: Set[str] = field(default_factory=set)


def _check_into(row: Row, case: Case, dtype: str, backend: str) -> None:
    """Run one case in one dtype and fold its errors and failures into ``row``."""
    try:
        pairs = compare(case, dtype, run_minitorch(case, dtype, backend), run_torch(case, dtype))
    except Exception as error:  # an op that raises is a failure, not a crash
        row.passed = False
        row.failed_cases.add(case.name)
        row.failures.append(f"{case.name}[{dtype}]: {type(error).__name__}: "
                            f"{str(error).splitlines()[0] if str(error) else ''}")
        row.fwd_err = row.grad_err = float("inf")
        return
    for p in pairs:
        problem = p.problem()
        err = p.rel_err() if p.want.dtype.kind == "f" else \
            (0.0 if problem is None else float("inf"))
        if p.is_grad:
            row.grad_err = max(row.grad_err, err)
        else:
            row.fwd_err = max(row.fwd_err, err)
        if problem:
            row.passed = False
            row.failed_cases.add(case.name)
            row.failures.append(f"{case.name}[{dtype}] {problem}")


def report(backends: Sequence[str], dtypes: Sequence[str] = DTYPES,
           cases: Sequence[Case] = CATALOGUE, progress: bool = False) -> List[Row]:
    """One :class:`Row` per op × backend (a backend that cannot run: rows with ``skipped``).
    A small-input backend (``SMALL_ONLY``) runs only the cases within its size limit.
    ``progress``: a progress bar on stderr, one step per case × backend."""
    from tqdm import tqdm

    why = {b: backend_unavailable(b) for b in backends}
    todo = {b: [c for c in cases if runs_on(c, b)] for b in backends}
    rows: Dict[Tuple[str, str], Row] = {}
    bar = tqdm(total=sum(len(todo[b]) for b in backends if not why[b]), file=sys.stderr,
               disable=not progress, unit="case", dynamic_ncols=True)
    with bar:
        for backend in backends:
            for case in todo[backend]:
                row = rows.setdefault((case.op, backend), Row(case.op, backend))
                if why[backend]:
                    row.skipped, row.passed = str(why[backend]), False
                    continue
                bar.set_description(f"{backend} {case.name}"[:40], refresh=False)
                row.cases += 1
                for dtype in dtypes:
                    if dtype in case.dtypes:
                        _check_into(row, case, dtype, backend)
                bar.update()
    return list(rows.values())


def total_line(rows: Sequence[Row], seconds: Optional[float] = None) -> str:
    """``total: 500 cases, 498 passed, 2 failed (numpy: 250 passed, 0 failed; numba: ...)``;
    a case fails on a backend when any of its dtypes fails there."""
    per: Dict[str, List[int]] = {}
    skipped: List[str] = []
    for r in rows:
        if r.skipped:
            if r.backend not in skipped:
                skipped.append(r.backend)
            continue
        counts = per.setdefault(r.backend, [0, 0])
        counts[0] += r.cases - len(r.failed_cases)
        counts[1] += len(r.failed_cases)
    passed = sum(p for p, _ in per.values())
    failed = sum(f for _, f in per.values())
    parts = "; ".join(f"{b}: {p} passed, {f} failed" for b, (p, f) in per.items())
    line = f"total: {passed + failed} cases, {passed} passed, {failed} failed ({parts})"
    if skipped:
        line += f"; skipped: {', '.join(skipped)}"
    if seconds is not None:
        line += f"; {seconds:.1f} s"
    return line


def print_table(rows: List[Row], out: Any = sys.stdout) -> None:
    head = f"{'op':<22}{'backend':<15}{'cases':>6}{'fwd rel err':>14}{'grad rel err':>14}  result"
    print(head, file=out)
    print("-" * len(head), file=out)
    for r in rows:
        if r.skipped:
            continue  # one "skipped" line per backend below
        print(f"{r.op:<22}{r.backend:<15}{r.cases:>6}{r.fwd_err:>14.2e}{r.grad_err:>14.2e}  "
              f"{'pass' if r.passed else 'FAIL'}", file=out)
    skipped = {r.backend: r.skipped for r in rows if r.skipped}
    for backend, why in skipped.items():
        print(f"skipped {backend}: {why}", file=out)
    for r in rows:
        for f in r.failures:
            print(f"FAIL {r.backend}: {f}", file=out)


def _write_json(rows: Sequence[Row], path: str) -> None:
    def plain(v: Any) -> Any:
        if isinstance(v, float) and not np.isfinite(v):
            return None
        return sorted(v) if isinstance(v, set) else v

    with open(path, "w") as f:
        json.dump([{k: plain(v) for k, v in r.__dict__.items()} for r in rows], f, indent=1)


def main(argv: Optional[Sequence[str]] = None, prog: str = "python -m minitorch.parity") -> int:
    """The report command; ``prog`` is how it was invoked (``minitorch parity`` from the
    console script), shown in ``--help`` and in errors."""
    parser = argparse.ArgumentParser(prog=prog, description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default=",".join(ALL_BACKENDS),
                        help="comma-separated backends (default: all; unavailable ones are "
                             "reported as skipped)")
    parser.add_argument("--dtypes", default=",".join(DTYPES))
    parser.add_argument("--ops", default="", help="comma-separated op names to restrict to")
    parser.add_argument("--json", default=None, help="also write the rows to this JSON file")
    parser.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    args = parser.parse_args(argv)
    names = [b for b in args.backends.split(",") if b]
    unknown = [b for b in names if b not in ALL_BACKENDS]
    if unknown:
        parser.error(f"unknown backend(s) {unknown}; expected some of {list(ALL_BACKENDS)}")
    dtypes = [d for d in args.dtypes.split(",") if d]
    bad_dtypes = [d for d in dtypes if d not in DTYPES]
    if bad_dtypes:
        parser.error(f"unknown dtype(s) {bad_dtypes}; expected some of {list(DTYPES)}")
    ops = set(filter(None, args.ops.split(",")))
    known_ops = {c.op for c in CATALOGUE}
    if ops - known_ops:
        parser.error(f"unknown op(s) {sorted(ops - known_ops)}; expected some of "
                     f"{sorted(known_ops)}")
    cases = [c for c in CATALOGUE if not ops or c.op in ops]
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch: "padding='same' with even kernel"
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy, on the cases' inf and NaN
        rows = report(names, dtypes, cases, progress=not args.quiet)
    print_table(rows)
    print(total_line(rows, time.perf_counter() - start))
    if args.json:
        _write_json(rows, args.json)
    ran = [r for r in rows if not r.skipped]
    return 0 if ran and all(r.passed for r in ran) else 1
