"""Turning timings into the terminal table, the issue's targets, the JSON file and the chart."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

SCHEMA = "minitorch-bench/1"


def ms(seconds: Optional[float]) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "-"
    return f"{seconds * 1e3:.3f}" if seconds < 0.1 else f"{seconds * 1e3:.1f}"


def num(value: Optional[float], fmt: str = ".2f") -> str:
    if value is None or not math.isfinite(value):
        return "-"
    return format(value, fmt)


def result_row(result: Dict[str, Any], engines: Sequence[str]) -> str:
    """One line of the table: per-engine median ms, ratios to the reference, FLOP/s."""
    cells = [f"{result['name']:<26}", f"{result['batch']:>5}"]
    per = result["engines"]
    for name in engines:
        cells.append(f"{ms(per.get(name, {}).get('median_s')):>10}")
    for name in engines:
        if name in ("numpy", "numba", "cuda"):
            cells.append(f"{num(per.get(name, {}).get('ratio_to_ref')):>8}")
    best = next((per[n] for n in ("numba", "cuda") if n in per and per[n].get("gflops")), None)
    if best is not None:
        cells.append(f"{num(best['gflops'], '.1f'):>8}")
        cells.append(f"{num(best.get('pct_peak'), '.0f'):>6}")
    return " ".join(cells)


def table_header(engines: Sequence[str]) -> str:
    cells = [f"{'case':<26}", f"{'batch':>5}"] + [f"{n + ' ms':>10}" for n in engines]
    refs = {"numpy": "np/torch", "numba": "nb/torch", "cuda": "cu/tcuda"}
    cells += [f"{refs[n]:>8}" for n in engines if n in refs]
    cells += [f"{'GFLOP/s':>8}", f"{'%peak':>6}"]
    return " ".join(cells)


@dataclass
class Target:
    name: str
    limit: str  # e.g. "<= 1.5"
    value: Optional[float]
    ok: Optional[bool]  # None: not measured
    note: str = ""

    @property
    def status(self) -> str:
        return "N/A" if self.ok is None else ("PASS" if self.ok else "MISS")

    def line(self) -> str:
        value = num(self.value)
        note = f"  ({self.note})" if self.note else ""
        return f"  [{self.status:<4}] {self.name:<52} {value:>8} {self.limit:<8}{note}"

    def as_dict(self) -> Dict[str, Any]:
        return {"name": self.name, "limit": self.limit, "value": self.value,
                "status": self.status, "note": self.note}


def _find(results: List[Dict[str, Any]], name: str, batch: int) -> Optional[Dict[str, Any]]:
    return next((r for r in results if r["name"] == name and r["batch"] == batch), None)


def _ratio(results: List[Dict[str, Any]], name: str, batch: int,
           engine: str) -> Optional[float]:
    r = _find(results, name, batch)
    value = None if r is None else r["engines"].get(engine, {}).get("ratio_to_ref")
    return value if value is not None and math.isfinite(value) else None


def _at_most(name: str, value: Optional[float], limit: float, note: str = "") -> Target:
    ok = None if value is None else value <= limit
    return Target(name, f"<= {limit:g}", value, ok, note)


def _at_least(name: str, value: Optional[float], limit: float, note: str = "") -> Target:
    ok = None if value is None else value >= limit
    return Target(name, f">= {limit:g}", value, ok, note)


# The CPU targets: every numba row at most torch's time; the float32 step at least this share
# of the measured sgemm peak; start-up to the first finished step.
RATIO_LIMIT = 1.0
STEP_PEAK_SHARE = 70.0  # percent
COLD_START_S = 10.0
WARM_START_S = 1.0
MODEL_BATCHES = (1, 8, 64, 256)


def targets(report: Dict[str, Any]) -> List[Target]:
    """The targets, evaluated on what this run measured: every kernel / op / model row of
    the numba engine at the target batch (64), and the model rows at every batch of
    ``MODEL_BATCHES``, at most ``RATIO_LIMIT`` × torch (float64 rows against torch in
    float64); the float32 training step at ``STEP_PEAK_SHARE`` % of the sgemm peak or more;
    cold and warm start."""
    results = report["results"]
    batch = report["settings"]["batch"]
    note = "" if batch == 64 else f"measured at batch {batch}, the target is at batch 64"
    out = []
    for r in results:
        model_batch = r["group"] == "model" and r["batch"] in MODEL_BATCHES
        if "numba" not in r["engines"] or not (r["batch"] == batch or model_batch):
            continue
        out.append(_at_most(f"{r['name']} b{r['batch']}, numba/torch",
                            _ratio(results, r["name"], r["batch"], "numba"), RATIO_LIMIT,
                            "" if model_batch else note))
    if not any(r["group"] == "model" for r in results):
        out.append(_at_most("cnn train step, numba/torch", None, RATIO_LIMIT,
                            "not measured (no model rows)"))
    step = _find(results, "cnn train step", batch)
    share = None if step is None else step["engines"].get("numba", {}).get("pct_peak")
    out.append(_at_least("float32 cnn train step, % of sgemm peak", share, STEP_PEAK_SHARE,
                         note))
    speedup = None if step is None else step.get("numpy_over_numba")
    out.append(_at_least("CNN training step, numpy/numba (numba speed-up)", speedup, 5.0, note))
    memory = report.get("memory") or {}
    mem_ratio = None
    if "step_peak" in memory.get("numba", {}) and "step_peak" in memory.get("torch", {}):
        mem_ratio = memory["numba"]["step_peak"] / memory["torch"]["step_peak"]
    out.append(_at_most("training step peak RSS, numba/torch", mem_ratio, 1.5,
                        "" if memory else "not measured (--subprocess)"))
    start = (report.get("startup") or {}).get("numba", {})
    skipped = "" if start else "not measured (--subprocess)"
    load = report["machine"].get("load_average")
    loaded = skipped or (f"load average {load:.1f}" if load is not None else "")
    out.append(_at_most("warm start to first finished step [s]", start.get("warm_s"),
                        WARM_START_S, loaded))
    out.append(_at_most("cold start (empty Numba cache) [s]", start.get("cold_s"),
                        COLD_START_S, loaded + ("" if skipped else
                                                "; per-kernel compile times: "
                                                "python -m benchmarks.coldstart")))
    if report["machine"]["gpu"].get("minitorch"):
        out.append(_at_most("CNN training step batch 256, cuda/torch-cuda",
                            _ratio(results, "cnn train step", 256, "cuda"), 2.0))
        ours = [k for k in report.get("gpu_kernels", []) if k["ours"] and k.get("x_floor")]
        worst = max((k["x_floor"] for k in ours), default=None)
        misses = sum(1 for k in ours if k["x_floor"] > 3.0)
        out.append(_at_most("every CUDA kernel / its floor (worst)", worst, 3.0,
                            f"{misses} of {len(ours)} kernels above 3x"))
    return out


def write_json(report: Dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(_clean(report), indent=1, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")


def _clean(value: Any) -> Any:
    """Strict JSON: NaN / inf become null, NumPy scalars plain numbers, tuples lists."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def write_png(report: Dict[str, Any], path: Path) -> Optional[str]:
    """Bar chart of every case's time relative to torch (log scale); returns a message
    instead when matplotlib is missing or there is nothing to draw."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed (pip install -e '.[plot]'): no chart"
    series = [e for e in ("numba", "numpy", "cuda") if any(
        e in r["engines"] and r["engines"][e].get("ratio_to_ref") for r in report["results"])]
    rows = [r for r in report["results"]
            if any(r["engines"].get(e, {}).get("ratio_to_ref") for e in series)]
    if not rows:
        return "nothing to chart"
    labels = [f"{r['name']} (b{r['batch']})" for r in rows]
    fig, ax = plt.subplots(figsize=(9, 0.28 * len(rows) * max(1, len(series)) + 1.5))
    height = 0.8 / len(series)
    for s, engine in enumerate(series):
        values = [r["engines"].get(engine, {}).get("ratio_to_ref") or float("nan") for r in rows]
        ref = "torch-cuda" if engine == "cuda" else "torch"
        ax.barh([i + s * height for i in range(len(rows))], values, height=height,
                label=f"{engine} / {ref}")
    for limit, style in ((1.0, "-"), (1.5, "--"), (2.0, ":")):
        ax.axvline(limit, color="k", linestyle=style, linewidth=0.8)
    ax.set_xscale("log")
    ax.set_yticks([i + height * (len(series) - 1) / 2 for i in range(len(rows))])
    ax.set_yticklabels(labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("time relative to torch (median of paired ratios; < 1 is faster)")
    ax.set_title(f"minitorch vs torch, {report['threads']['requested']} threads")
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return None
