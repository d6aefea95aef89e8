"""``python -m benchmarks`` (or ``minitorch bench``): minitorch's kernels, ops and the seed CNN
against PyTorch, with the same thread count, interleaved, warm, median of repeats.

    python -m benchmarks                       # the full run (takes a while: numpy is slow)
    python -m benchmarks --quick               # smoke test: batch 8, 3 repeats, no subprocesses
    python -m benchmarks --only conv1,relu     # cases whose name contains one of these
    python -m benchmarks --engines numba,torch --threads 2 --repeats 20

See benchmarks/README.md for what is measured and how the comparison is kept fair.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from benchmarks import report as rep
from benchmarks.cases import Case, all_cases
from benchmarks.engines import (
    CPU_ENGINES,
    GPU_ENGINES,
    Engine,
    gpu_status,
    make_engines,
    set_threads,
)
from benchmarks.timing import CpuClock, Fn, paired_ratio, time_interleaved

RESULTS = Path(__file__).resolve().parent / "results"
ENV_VAR_HINT = "MINITORCH_SIMD_LANES=8|16 forces one"


def _ints(text: str) -> List[int]:
    return [int(v) for v in text.split(",") if v.strip()]


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="smoke test: batch 8, 3 repeats, 1 warm-up, small GEMM peak, "
                        "no subprocess measurements unless --subprocess")
    p.add_argument("--threads", type=int, default=2, help="threads for every engine (2)")
    p.add_argument("--repeats", type=int, default=None, help="timed rounds (10; quick 3)")
    p.add_argument("--warmup", type=int, default=None, help="untimed calls first (2; quick 1)")
    p.add_argument("--batch", type=int, default=None,
                   help="batch of the CPU kernel/op cases and of the targets (64; quick 8)")
    p.add_argument("--model-batches", type=_ints, default=None,
                   help="CPU batches of the CNN cases (1,8,64,256; quick 8)")
    p.add_argument("--gpu-batches", type=_ints, default=None,
                   help="GPU batches, every case (64,256,1024; quick 8)")
    p.add_argument("--numpy-max-batch", type=int, default=64,
                   help="largest CNN batch the (slow) numpy engine runs (64)")
    p.add_argument("--engines", default=",".join(CPU_ENGINES + GPU_ENGINES),
                   help="comma-separated subset of numpy,numba,torch,cuda,torch-cuda")
    p.add_argument("--only", default=None,
                   help="comma-separated substrings of case names, or groups kernel/op/model")
    p.add_argument("--gemm-n", type=int, default=None, help="size of the GEMM-peak matmul "
                   "(2048; quick 256)")
    p.add_argument("--no-split", action="store_true",
                   help="skip the Numba conv copies/BLAS split and the GEMM study")
    sub = p.add_mutually_exclusive_group()
    sub.add_argument("--subprocess", dest="subprocess", action="store_true", default=None,
                     help="measure peak RSS and cold/warm start (default unless --quick)")
    sub.add_argument("--no-subprocess", dest="subprocess", action="store_false")
    p.add_argument("--json", default=str(RESULTS / "latest.json"), help="JSON output path")
    p.add_argument("--png", default=str(RESULTS / "latest.png"), help="chart output path")
    p.add_argument("--no-png", action="store_true")
    args = p.parse_args(list(argv))
    quick = args.quick
    args.repeats = args.repeats or (3 if quick else 10)
    args.warmup = args.warmup or (1 if quick else 2)
    args.batch = args.batch or (8 if quick else 64)
    args.model_batches = args.model_batches or ([8] if quick else [1, 8, 64, 256])
    args.gpu_batches = args.gpu_batches or ([8] if quick else [64, 256, 1024])
    args.gemm_n = args.gemm_n or (256 if quick else 2048)
    if args.subprocess is None:
        args.subprocess = not quick
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    args.only = [s.strip() for s in args.only.split(",")] if args.only else None
    return args


# --------------------------------------------------------------------------- GEMM peak
def gemm_peak(n: int, repeats: int, warmup: int) -> Dict[str, float]:
    """The machine's fp32 GEMM rate at the current thread count: an (n × n) float32 matmul in
    NumPy's BLAS and in torch, interleaved. A peak is a best case: each library's rate is taken
    from its fastest sample, and the faster library gives the peak."""
    import torch

    rng = np.random.default_rng(12)
    a, b = (rng.standard_normal((n, n)).astype(np.float32) for _ in range(2))
    out = np.empty((n, n), np.float32)
    at, bt = torch.from_numpy(a), torch.from_numpy(b)
    fns: Dict[str, Fn] = {"numpy": lambda: np.matmul(a, b, out=out),
                          "torch": lambda: torch.mm(at, bt)}
    t = time_interleaved(fns, {k: CpuClock() for k in fns}, max(repeats, 5), warmup)
    flops = 2.0 * n ** 3
    rates = {k: flops / min(v.samples) for k, v in t.items()}
    return {"n": n, "numpy_flops": rates["numpy"], "torch_flops": rates["torch"],
            "peak_flops": max(rates.values())}


# --------------------------------------------------------------------------- cases
def _engines_for(case: Case, engines: List[Engine], args: argparse.Namespace) -> List[Engine]:
    """Which engines run ``case``: CPU engines at the CPU batches (numpy capped for the CNN),
    GPU engines at the GPU batches."""
    cpu_batches = args.model_batches if case.group == "model" else [args.batch]
    chosen = []
    for e in engines:
        if e.device == "cuda":
            ok = case.batch in args.gpu_batches
        else:
            ok = case.batch in cpu_batches
            if e.name == "numpy" and case.group == "model":
                ok = ok and case.batch <= args.numpy_max_batch
        if ok:
            chosen.append(e)
    return chosen


def by_reference(engines: List[Engine], name: str) -> Optional[str]:
    """The engine ``name`` is compared with (its ``reference``), if it is among ``engines``."""
    return next((e.reference for e in engines if e.name == name), None)


def run_case(case: Case, engines: List[Engine], args: argparse.Namespace,
             peak_flops: float) -> Optional[Dict[str, Any]]:
    """Build, warm up and time one case on its engines; None if no engine runs it."""
    fns: Dict[str, Fn] = {}
    errors: Dict[str, str] = {}
    for e in engines:
        try:
            fns[e.name] = case.build(e)
        except Exception as error:  # noqa: BLE001 - report and carry on with the others
            errors[e.name] = f"{type(error).__name__}: {error}"
    if not fns and not errors:
        return None
    clocks = {e.name: e.clock for e in engines if e.name in fns}
    # The NumPy reference engine takes its turns apart: on some VMs the engine timed right
    # after it stays slow for several calls (numba's conv, after a NumPy-engine conv and a
    # quiet wait: 6.2, 5.9, 5.5, 3.7 ms against 3.0-2.9 after its own call), so the columns
    # of the other engines come from an interleaving without it, and numpy's own columns
    # (and numpy/numba) from a second interleaving of numpy with those it is compared to.
    main = {k: f for k, f in fns.items() if k != "numpy"} or fns
    timings = time_interleaved(main, {k: clocks[k] for k in main}, args.repeats, args.warmup)
    beside: Dict[str, Any] = {}
    if "numpy" in fns and main is not fns:
        partners = [k for k in ("numba", by_reference(engines, "numpy")) if k in fns]
        group = {k: fns[k] for k in ["numpy", *dict.fromkeys(partners)]}
        beside = time_interleaved(group, {k: clocks[k] for k in group}, args.repeats,
                                  args.warmup)
        timings["numpy"] = beside["numpy"]
    result: Dict[str, Any] = {"name": case.name, "group": case.group, "batch": case.batch,
                              "flops": case.flops, "engines": {}}
    by_name = {e.name: e for e in engines}
    for name, t in timings.items():
        entry: Dict[str, Any] = {"median_s": t.median, "first_call_s": t.first_call_s,
                                 "spread": t.spread, "inner": t.inner, "samples_s": t.samples}
        if t.error:
            entry = {"error": t.error}
        ref = by_name[name].reference
        pairs = beside if name == "numpy" else timings  # the rounds ``t`` was taken in
        if not t.error and ref in pairs and not pairs[ref].error:
            entry["ref"] = ref
            entry["ratio_to_ref"] = paired_ratio(t.samples, pairs[ref].samples)
        if not t.error and case.flops:
            entry["gflops"] = case.flops / t.median / 1e9
            if by_name[name].device == "cpu":
                entry["pct_peak"] = 100.0 * case.flops / t.median / peak_flops
        result["engines"][name] = entry
    for name, message in errors.items():
        result["engines"][name] = {"error": message}
    np_t, nb_t = timings.get("numpy"), (beside or timings).get("numba")
    if np_t and nb_t and not np_t.error and not nb_t.error:
        result["numpy_over_numba"] = paired_ratio(np_t.samples, nb_t.samples)
    return result


# --------------------------------------------------------------------------- extras
def numba_split(args: argparse.Namespace) -> Dict[str, Any]:
    """Copies vs BLAS inside the Numba conv kernels, and the tiled-GEMM study kernel."""
    from benchmarks import numba_split as ns
    from benchmarks.cases import CONV_LAYERS

    rows = []
    for layer in range(len(CONV_LAYERS)):
        for pass_ in ("fwd", "dinput", "dweight"):
            if args.only and not any(s in f"conv{layer + 1}" or s == "split" for s in args.only):
                continue
            r = ns.conv_split(layer, pass_, args.batch, args.repeats, args.warmup)
            copies, gemm, total, tiled = r.get("copies"), r["gemm"], r["total"], r["tiled"]
            im2col = r.get("im2col")  # the im2col route of a direct pass
            blas_route = im2col or total
            rows.append({"layer": f"conv{layer + 1}", "pass": pass_, "batch": args.batch,
                         "route": ns.route(layer, pass_),
                         "total_s": total, "copies_s": copies, "gemm_s": gemm,
                         "blas_share": 0.0 if gemm is None else gemm / (gemm + (copies or 0.0)),
                         "im2col_total_s": im2col,
                         "direct_over_im2col": total / im2col if im2col else None,
                         "tiled_total_s": tiled,
                         "tiled_over_blas": tiled / blas_route if tiled and blas_route else None,
                         "gemm_gflops": None if gemm is None else r["flops"] / gemm / 1e9,
                         "kernel_gflops": r["flops"] / total / 1e9,
                         "measured": bool(r["measured"])})
    n = min(args.gemm_n, 1024)
    blas_s, tiled_s = ns.raw_gemm(n, args.repeats, args.warmup)
    study = {"n": n, "blas_s": blas_s, "tiled_s": tiled_s,
             "blas_gflops": 2.0 * n ** 3 / blas_s / 1e9, "tiled_gflops": 2.0 * n ** 3 / tiled_s
             / 1e9}
    return {"available": ns.AVAILABLE, "convs": rows, "gemm_study": study}


def print_split(split: Dict[str, Any]) -> None:
    how = ("measured: the kernel's own im2col/col2im loop and its gemm_into loop, run apart; "
           "BLAS % = BLAS / (copies + BLAS); route direct (or fused: col2im and its products "
           "in one pass) = no BLAS, all our kernel, timed beside the same pass on the im2col "
           "route; tiled = im2col with the tiled GEMM"
           if split["available"] else
           "ESTIMATE: BLAS = one matmul of the same FLOPs, BLAS % = BLAS / total")
    print(f"\nNumba conv: where the time goes ({how})")
    print(f"{'layer':<7}{'pass':<9}{'route':<8}{'total ms':>10}{'GF/s':>7}{'copies ms':>11}"
          f"{'BLAS ms':>9}{'BLAS %':>8}{'BLAS GF/s':>10}{'im2col ms':>11}{'dir/im2col':>11}"
          f"{'tiled ms':>10}{'tiled/BLAS':>11}")
    for r in split["convs"]:
        print(f"{r['layer']:<7}{r['pass']:<9}{r.get('route', 'im2col'):<8}"
              f"{rep.ms(r['total_s']):>10}{rep.num(r.get('kernel_gflops'), '.1f'):>7}"
              f"{rep.ms(r['copies_s']):>11}{rep.ms(r['gemm_s']):>9}"
              f"{rep.num(100 * r['blas_share'], '.0f'):>8}{rep.num(r['gemm_gflops'], '.1f'):>10}"
              f"{rep.ms(r.get('im2col_total_s')):>11}{rep.num(r.get('direct_over_im2col')):>11}"
              f"{rep.ms(r['tiled_total_s']):>10}{rep.num(r['tiled_over_blas']):>11}")
    s = split["gemm_study"]
    print(f"GEMM study ({s['n']}x{s['n']} float32): BLAS {rep.ms(s['blas_s'])} ms "
          f"({s['blas_gflops']:.1f} GFLOP/s), pure-Numba tiled {rep.ms(s['tiled_s'])} ms "
          f"({s['tiled_gflops']:.1f} GFLOP/s)")


def gpu_kernels(args: argparse.Namespace) -> List[Dict[str, Any]]:
    """Every CUDA kernel at batch 256 timed alone (CUDA events), against its floor."""
    from benchmarks.gpu_floors import GPU_BATCH, gpu_callables, kernel_floors
    from benchmarks.timing import CupyClock
    from minitorch.backends import get_backend

    fns = gpu_callables(get_backend("cuda"), GPU_BATCH)
    clock = CupyClock()
    rows = []
    for floor in kernel_floors(GPU_BATCH):
        t = time_interleaved({floor.key: fns[floor.key]}, {floor.key: clock}, args.repeats,
                             args.warmup)[floor.key]
        rows.append({"key": floor.key, "kernel": floor.kernel, "ours": floor.ours,
                     "flops": floor.flops, "bytes": floor.bytes, "floor_s": floor.floor_s(),
                     "measured_s": t.median, "x_floor": t.median / floor.floor_s(),
                     "error": t.error})
    return rows


def print_gpu_kernels(rows: List[Dict[str, Any]]) -> None:
    print("\nCUDA kernels at batch 256 vs their H100 floor (see benchmarks/GPU.md)")
    print(f"{'kernel':<28}{'measured ms':>12}{'floor ms':>10}{'x floor':>9}{'% of floor':>12}")
    for r in rows:
        status = ("PASS" if r["x_floor"] <= 3 else "MISS") if r["ours"] else "(cuBLAS)"
        print(f"{r['key']:<28}{rep.ms(r['measured_s']):>12}{rep.ms(r['floor_s']):>10}"
              f"{rep.num(r['x_floor'], '.1f'):>9}{rep.num(100 / r['x_floor'], '.0f'):>11}%"
              f"  {status}")


def machine(gpu: Dict[str, Any]) -> Dict[str, Any]:
    import numba
    import torch

    from minitorch.backends.numba import simd

    features = simd.host_features()
    isa = [f for f in ("avx512f", "avx2", "fma", "neon") if f in features]
    return {"platform": platform.platform(), "processor": platform.processor(),
            "python": platform.python_version(), "numpy": np.__version__,
            "numba": numba.__version__, "torch": torch.__version__, "gpu": gpu,
            "simd": {"isa": isa, "detected_lanes": simd.detected_lanes(),
                     "lanes": simd.simd_lanes(), "forced_by": simd.ENV_VAR
                     if os.environ.get(simd.ENV_VAR) else None},
            "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None}


# --------------------------------------------------------------------------- main
def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = time.perf_counter()
    threads = set_threads(args.threads)
    gpu = gpu_status()
    engines = make_engines(args.engines, gpu)
    print(f"threads: requested {threads['requested']} -> numba {threads['numba']}, "
          f"numpy BLAS {threads['numpy_blas']}, torch {threads['torch']} "
          f"(cpu_count {threads['cpu_count']})")
    if threads["numba"] != args.threads or threads["torch"] != args.threads:
        print(f"WARNING: not every engine got {args.threads} threads (Numba's pool has "
              f"{threads['numba_pool_size']}; set NUMBA_NUM_THREADS before starting)")
    print(f"engines: {', '.join(e.name for e in engines)}; GPU: "
          f"{gpu['name'] or 'none'}; repeats {args.repeats} (interleaved, median), "
          f"warm-up {args.warmup}")
    info = machine(gpu)
    simd_info = info["simd"]
    print(f"CPU SIMD (LLVM host features): {', '.join(simd_info['isa']) or 'none known'} -> "
          f"direct conv kernels at {simd_info['lanes']} float32 lanes"
          + (f" (forced by {simd_info['forced_by']})" if simd_info["forced_by"] else
             f" (detected; {ENV_VAR_HINT})")
          + f"; load average {info['load_average']:.2f}")
    peak = gemm_peak(args.gemm_n, args.repeats, args.warmup)
    print(f"fp32 GEMM peak ({args.gemm_n}^3, {args.threads} threads): numpy "
          f"{peak['numpy_flops'] / 1e9:.1f}, torch {peak['torch_flops'] / 1e9:.1f} GFLOP/s "
          f"-> peak {peak['peak_flops'] / 1e9:.1f} GFLOP/s")

    kernel_batches = sorted({args.batch, *args.gpu_batches}) if any(
        e.device == "cuda" for e in engines) else [args.batch]
    model_batches = sorted({*args.model_batches, *(
        args.gpu_batches if any(e.device == "cuda" for e in engines) else [])})
    groups = all_cases(kernel_batches, model_batches, args.only)
    names = [e.name for e in engines]
    results: List[Dict[str, Any]] = []
    for group, cases in groups.items():
        if not cases:
            continue
        print(f"\n{group}-level (ms = median per call; ratios = median of paired ratios)")
        print(rep.table_header(names))
        for case in cases:
            result = run_case(case, _engines_for(case, engines, args), args, peak["peak_flops"])
            if result is not None:
                results.append(result)
                print(rep.result_row(result, names), flush=True)
                for name, entry in result["engines"].items():
                    if "error" in entry:
                        print(f"    {name}: {entry['error']}")

    report: Dict[str, Any] = {
        "schema": rep.SCHEMA, "created": datetime.datetime.now().isoformat(timespec="seconds"),
        "argv": list(sys.argv[1:] if argv is None else argv), "quick": args.quick,
        "machine": info, "threads": threads,
        "settings": {"repeats": args.repeats, "warmup": args.warmup, "batch": args.batch,
                     "model_batches": args.model_batches, "gpu_batches": args.gpu_batches,
                     "engines": names, "only": args.only},
        "gemm_peak": peak, "results": results, "numba_split": None, "gpu_kernels": [],
        "memory": None, "startup": None,
    }
    if "numba" in names and not args.no_split and (
            not args.only or any(s in ("conv", "split") or s.startswith("conv")
                                 for s in args.only)):
        report["numba_split"] = numba_split(args)
        print_split(report["numba_split"])
    if "cuda" in names and not args.only:
        report["gpu_kernels"] = gpu_kernels(args)
        print_gpu_kernels(report["gpu_kernels"])
    if args.subprocess:
        from benchmarks import subproc

        mem_engines = [n for n in ("numba", "torch") if n in names]
        print(f"\npeak RSS of a training step (batch {args.batch}, fresh process each) ...",
              flush=True)
        report["memory"] = subproc.peak_memory(mem_engines, args.batch, args.threads)
        for name in mem_engines:
            m = report["memory"][name]
            print(f"  {name:<6} " + (m["error"] if "error" in m else
                  f"step peak {m['step_peak'] / 2**20:.0f} MiB (peak {m['peak'] / 2**20:.0f} "
                  f"- baseline {m['baseline'] / 2**20:.0f}); whole process "
                  f"{m['process_peak'] / 2**20:.0f} MiB"))
        print("start-up to the first finished training step (cold: empty NUMBA_CACHE_DIR) ...",
              flush=True)
        report["startup"] = subproc.startup(args.batch, args.threads, engines=tuple(mem_engines))
        for name in mem_engines:
            s = report["startup"][name]
            print(f"  {name:<6} " + (s["error"] if "error" in s else
                  f"cold {s['cold_s']:.2f} s, warm {s['warm_s']:.2f} s (median of "
                  f"{len(s['warm_all_s'])})"))

    goals = rep.targets(report)
    report["targets"] = [t.as_dict() for t in goals]
    report["elapsed_s"] = time.perf_counter() - started
    caveat = " - quick run: smoke-test numbers, not the real ones" if args.quick else ""
    print(f"\ntargets ({args.threads} threads){caveat}:")
    for t in goals:
        print(t.line())
    json_path = Path(args.json)
    rep.write_json(report, json_path)
    print(f"\nJSON: {json_path}")
    if not args.no_png:
        message = rep.write_png(report, Path(args.png))
        print(f"chart: {args.png}" if message is None else f"chart skipped: {message}")
    print(f"total {report['elapsed_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

