"""``python -m benchmarks.coldstart`` without running it (a cold run compiles for minutes):
the child program is valid Python that ends in one JSON line with the fields the parent
reads, and the report prints each figure with PASS / MISS and the machine's load."""

from __future__ import annotations

import ast

from benchmarks import coldstart


def test_child_program_parses_and_reports_what_the_parent_reads() -> None:
    for warm in (False, True):
        code = coldstart.child_code(batch=2, threads=1, warm_cache=warm)
        ast.parse(code)
        for key in ('"t0"', '"t_import"', '"t_warm"', '"t_step"', '"compiles"', '"n_warm"'):
            assert key in code
        assert ("warm_cache()" in code) and (f"if {warm!r}:" in code)
        assert "seed_cnn_layers(nn)" in code and "opt.step()" in code


def _run(step_s: float, compiles: list, n_warm: int = 0) -> dict:
    return {"interpreter_s": 0.1, "import_s": 0.5, "warm_cache_s": 0.0,
            "first_step_s": step_s, "cpu_s": step_s / 2,
            "compile_s": sum(c["s"] for c in compiles if c["depth"] == 0),
            "compiles": compiles,
            "step_compiles": [c["kernel"] for c in compiles[n_warm:] if c["depth"] == 0]}


def test_report_names_targets_kernels_and_load() -> None:
    compiles = [{"kernel": "m.helper", "args": "int64", "s": 1.0, "depth": 1},
                {"kernel": "m.big", "args": "array(float32, 4d, C)", "s": 7.5, "depth": 0},
                {"kernel": "m.small", "args": "int64", "s": 0.5, "depth": 0}]
    result = {"batch": 8, "threads": 2, "warm_cache": True, "cpu_count": 2,
              "load_before": 3.25, "load_after": 4.0, "cold": _run(12.0, compiles, n_warm=2),
              "warm": [_run(0.8, []), _run(1.4, []), _run(0.9, [])],
              "cold_s": 12.0, "warm_s": 0.9}
    text = coldstart.format_report(result)
    assert "load average 3.25 on 2 CPUs" in text and "(6.00 CPU s)" in text
    assert "[MISS] cold start 12.00 s" in text and "[PASS] warm start 0.90 s" in text
    lines = text.splitlines()
    big = next(i for i, line in enumerate(lines) if "m.big" in line)
    small = next(i for i, line in enumerate(lines) if "m.small" in line)
    assert big < small and "7.50" in lines[big]
    assert "8.00 s in 2 compiles, 3 with helpers" in text
    assert "after warm_cache(): m.small" in text
