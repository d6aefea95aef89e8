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


def targets(report: Dict[str, Any]) -> List[Target]:
    """The issue's targets, evaluated on what this run measured."""
    results = report["results"]
    batch = report["settings"]["batch"]
    note = "" if batch == 64 else f"measured at batch {batch}, the target is at batch 64"
    out = [
        _at_most("CNN training step, numba/torch", _ratio(results, "cnn train step", batch,
                                                          "numba"), 1.5, note),
        _at_most("CNN forward, numba/torch", _ratio(results, "cnn forward", batch, "numba"),
                 1.5, note),
    ]
    for r in results:
        if r["group"] == "kernel" and r["name"].startswith("conv") and r["batch"] == batch:
            out.append(_at_most(f"{r['name']}, numba/torch",
                                _ratio(results, r["name"], batch, "numba"), 2.0, note))
    step = _find(results, "cnn train step", batch)
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
    out.append(_at_most("warm start to first finished step [s]", start.get("warm_s"), 3.0,
                        skipped))
    out.append(_at_most("cold start (empty Numba cache) [s]", start.get("cold_s"), 60.0,
                        skipped))
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
