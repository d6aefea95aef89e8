"""Smoke test of ``python -m benchmarks``: a tiny ``--quick`` run in a fresh process, and the
JSON it writes. Speed targets are *not* asserted here — they live in the benchmark output."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import gpu_floors
from benchmarks.timing import CpuClock, paired_ratio, time_interleaved

TOP_KEYS = {"schema", "created", "argv", "quick", "machine", "threads", "settings", "gemm_peak",
            "results", "numba_split", "gpu_kernels", "memory", "startup", "targets",
            "elapsed_s"}
ROOT = Path(__file__).resolve().parents[2]  # where ``python -m benchmarks`` runs


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("bench")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "benchmarks", "--quick", "--only", "relu,linear",
           "--engines", "numba,torch", "--repeats", "2", "--json", str(out / "r.json"),
           "--png", str(out / "r.png")]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    text = (out / "r.json").read_text()
    return {"stdout": proc.stdout, "json": json.loads(text), "json_text": text,
            "png": out / "r.png"}


def test_quick_run_prints_table_and_targets(quick_run: dict) -> None:
    text = quick_run["stdout"]
    assert "threads: requested 2" in text
    assert "CPU SIMD (LLVM host features)" in text and "float32 lanes" in text
    assert "relu fwd" in text and "linear 1024->64 bwd" in text
    assert "targets" in text and "[N/A ]" in text  # no CNN, no subprocesses in this subset


def test_json_schema(quick_run: dict) -> None:
    report = quick_run["json"]
    assert TOP_KEYS <= set(report)
    assert report["schema"] == "minitorch-bench/1" and report["quick"] is True
    assert report["threads"]["requested"] == 2
    assert report["machine"]["simd"]["lanes"] in (8, 16)
    assert report["settings"]["engines"] == ["numba", "torch"]
    assert report["gemm_peak"]["peak_flops"] > 0
    names = {r["name"] for r in report["results"]}
    assert {"relu fwd", "relu bwd", "linear 1024->64 fwd", "linear 1024->64 bwd"} <= names
    for result in report["results"]:
        assert {"name", "group", "batch", "flops", "engines"} <= set(result)
        assert result["batch"] == 8
        numba, torch = result["engines"]["numba"], result["engines"]["torch"]
        for entry in (numba, torch):
            assert entry["median_s"] > 0 and len(entry["samples_s"]) == 2
            assert entry["first_call_s"] > 0 and entry["inner"] >= 1
        assert numba["ref"] == "torch" and math.isfinite(numba["ratio_to_ref"])
        if result["name"].startswith("linear"):
            assert numba["gflops"] > 0 and "pct_peak" in numba
    for target in report["targets"]:
        assert {"name", "limit", "value", "status", "note"} <= set(target)
        assert target["status"] in {"PASS", "MISS", "N/A"}
    assert report["memory"] is None and report["startup"] is None
    assert "NaN" not in (quick_run["json_text"])


def test_chart_written_when_matplotlib_present(quick_run: dict) -> None:
    pytest.importorskip("matplotlib")
    assert quick_run["png"].stat().st_size > 0


def test_paired_ratio_is_median_of_pairs() -> None:
    assert paired_ratio([2.0, 4.0, 30.0], [1.0, 2.0, 3.0]) == 2.0


def test_time_interleaved_warms_up_and_reports_errors() -> None:
    calls: list = []

    def boom() -> None:
        raise ValueError("no")

    timings = time_interleaved({"a": lambda: calls.append(1), "b": boom},
                               {"a": CpuClock(), "b": CpuClock()}, repeats=3, warmup=2,
                               min_sample_s=0.0)
    # first call, 2 warm-ups and 3 samples; each warm-up and sample after one untimed call
    assert len(timings["a"].samples) == 3 and len(calls) == 1 + 2 * 2 + 2 * 3
    assert timings["b"].error == "ValueError: no" and not timings["b"].samples


def test_gpu_md_is_generated_from_the_floor_table() -> None:
    from benchmarks.gpu_resources import MARKER

    text = (ROOT / "benchmarks" / "GPU.md").read_text(encoding="utf-8")
    floors = text.partition(MARKER)[0]  # the sections after it come from gpu_resources/model
    assert floors.rstrip("\n") == gpu_floors.markdown(gpu_floors.GPU_BATCH).rstrip("\n")
    relu = next(r for r in gpu_floors.kernel_floors(256) if r.key == "relu_forward")
    assert relu.bytes == 256 * 32 * 32 * 32 * 8
    assert relu.floor_s() == pytest.approx(relu.bytes / 3e12)


def test_breakdown_times_every_backend_call_once() -> None:
    """benchmarks.breakdown: each backend call's time is counted once, exclusive of the
    backend calls nested in it (a weight+bias gradient that calls the weight gradient)."""
    from benchmarks.breakdown import _BackendTimer

    now = [0.0]

    class Backend:  # a clock that only the methods move: 2 s inside inner, 1 s in outer
        def inner(self) -> None:
            now[0] += 2.0

        def outer(self) -> None:
            now[0] += 1.0
            self.inner()

    backend = Backend()
    with _BackendTimer(backend, clock=lambda: now[0]) as timer:
        backend.outer()
        backend.inner()
    assert dict(timer.totals) == {"inner": 4.0, "outer": 1.0}  # outer: not the 3 s it took
    assert "outer" not in vars(backend)  # the class's methods are back


def test_breakdown_table_has_every_part() -> None:
    from benchmarks.breakdown import PARTS, table

    text = table(batch=1, dtype="float32", steps=2, warmup=1)
    for part in PARTS:
        assert part in text


def test_handoff_tables_every_layer_and_batch_on_one_and_two_threads(capsys) -> None:
    """benchmarks.handoff (without the compiled launcher): a row per layer with both thread
    counts at each batch, the pool's round trip, and the thread count restored."""
    from benchmarks.handoff import LAYERS, main
    from minitorch.backends.numba import get_num_threads

    before = get_num_threads()
    assert main(["--batches", "1,2", "--number", "1", "--repeats", "1", "--no-launcher"]) == 0
    out = capsys.readouterr().out
    assert "handed to a worker thread and back" in out
    for layer in LAYERS:
        row = next(line for line in out.splitlines() if line.strip().startswith(layer))
        assert "N=1:" in row and "N=2:" in row and row.count(" -> ") == 2
    assert "prange launcher" not in out
    assert get_num_threads() == before
