"""What the CUDA kernels cost besides their arithmetic, measured without a GPU.

    .venv/bin/python -m benchmarks.gpu_resources [--out benchmarks/GPU.md]

appends (or replaces) a section of ``benchmarks/GPU.md`` with

* the ptxas table: every kernel and dtype compiled by NVRTC to an sm_90 cubin (as CuPy loads
  it), with registers, stack, spills, static shared memory and the theoretical occupancy of
  the blocks the backend launches it with (128 threads for the implicit GEMMs, else 256);
* launches per training step of the seed CNN (forward, cross-entropy, backward, SGD step),
  counted by the emulator, per kernel;
* host overhead per launch: :meth:`KernelLauncher.launch` (plan look-up, argument check)
  timed on the CPU with a launcher that runs nothing, so neither the emulator nor a GPU is in
  the figure, eagerly and as a CUDA-graph replay of the same launches.
"""

from __future__ import annotations

import argparse
import collections
import os
import platform
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

# benchmarks.gpu_floors rewrites GPU.md above this line and keeps it and what follows.
MARKER = "<!-- generated below by python -m benchmarks.gpu_resources -->"

# Device operations one replayed seed-CNN step may take (tests/cuda/test_graph.py checks it),
# and the count before the optimizer's update became one kernel (a record, not measured here).
STEP_LAUNCH_TARGET = 40
BEFORE_TOTAL = 102
BEFORE_TEXT = ("25 kernels, 6 GEMMs, 3 memsets, 13 copies (10 of them each gradient copied "
               "into `.grad`), 55 elementwise operations (50 of them the SGD update: 5 per "
               "parameter)")
# ... and before the linear layers ran on the implicit-GEMM kernels and the split-K sums were
# added inside the weight-gradient launch (no channel_sum_partial / channel_sum_finish)
BEFORE_IMPLICIT_LINEAR = ("38: 24 kernels (2 add_channel_bias, 2 channel_sum_partial, 3 "
                          "channel_sum_finish among them), 6 cuBLAS GEMMs, 3 memsets, 5 "
                          "elementwise")


def ptxas_rows() -> List[str]:
    from minitorch.backends.cuda.backend import BLOCK, IG_THREADS
    from minitorch.backends.cuda.sources import KernelLibrary, cubin_check

    library = KernelLibrary.default()
    rows = ["| kernel | dtype | registers | stack (B) | spill stores / loads (B) | "
            "static smem (B) | block | occupancy |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for family in library.families:
        for r in cubin_check(library.source(family), family, library.name_expressions(family)):
            name, _, dtype = r.expression.partition("<")
            block = IG_THREADS if name.startswith("conv2d_implicit") else BLOCK
            rows.append(f"| {name} ({family}.cu) | {dtype.rstrip('>') or '-'} | {r.registers} | "
                        f"{r.stack} | {r.spill_stores} / {r.spill_loads} | {r.shared} | "
                        f"{block} | {r.occupancy(block):.0%} |")
    return rows


def launches_per_step(batch: int = 4) -> Tuple[int, Dict[str, int]]:
    """Kernel launches of one SGD step of the seed CNN on "cuda-emulated"."""
    from benchmarks.gpu_model import seed_cnn_step

    counts: Dict[str, int] = collections.Counter()

    def counting(original: Any, kernel: str, *args: Any, **kwargs: Any) -> None:
        counts[kernel] += 1
        original(kernel, *args, **kwargs)

    seed_cnn_step(batch, counting)
    return sum(counts.values()), dict(sorted(counts.items()))


def graph_launches(batch: int = 4) -> Dict[str, int]:
    """Device operations per replay of one captured SGD step of the seed CNN on
    "cuda-emulated", by kind (after one eager warm-up step, as torch's recipe)."""
    import minitorch
    from minitorch import backends
    from minitorch.models import TutorialCNN

    with backends.use_backend("cuda-emulated"):
        minitorch.manual_seed(0)
        model = TutorialCNN()
        optimizer = minitorch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        x = minitorch.randn(batch, 3, 32, 32)
        y = minitorch.tensor(np.arange(batch) % 10)

        def step() -> None:
            optimizer.zero_grad(set_to_none=True)
            minitorch.nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()

        step()
        graph = minitorch.cuda.CUDAGraph()
        with minitorch.cuda.graph(graph):
            step()
        return graph.launch_counts


def host_overhead(repeats: int = 2000, rounds: int = 7) -> List[Tuple[str, float, float]]:
    """(launch, µs per eager KernelLauncher.launch call, µs per launch of a graph replay) on
    a launcher whose ``_run`` does nothing, so neither the emulator nor a GPU is in the
    figures: eager is the plan look-up and the argument check; replay is the recorded list
    (the calls ``_run`` would get, checked once at capture). Best of ``rounds`` rounds, so
    other load on the machine inflates them as little as possible."""
    from types import SimpleNamespace

    from minitorch.backends.cuda.graphs import CUDAGraph
    from minitorch.backends.cuda.launcher import KernelLauncher

    class Null(KernelLauncher):
        xp = np

        def _run(self, *args: Any) -> None:
            pass

    def best(run: Any) -> float:
        fastest = float("inf")
        for _ in range(rounds):
            start = time.perf_counter()
            run()
            fastest = min(fastest, (time.perf_counter() - start) / repeats * 1e6)
        return fastest

    launcher = Null()
    x, y = np.zeros(1024, np.float32), np.zeros(1024, np.float32)
    cols = np.zeros(1024, np.float32)
    cases = [("relu_forward (3 arguments)", (x, y, np.int64(1024))),
             ("im2col (16 arguments)", (x, cols, *[np.int32(1)] * 14))]
    results = []
    for label, args in cases:
        kernel = label.split()[0]

        def eager(kernel: str = kernel, args: Any = args) -> None:
            for _ in range(repeats):
                launcher.launch(kernel, np.float32, 4, 256, args)

        graph = CUDAGraph()
        graph.capture_begin(backend=SimpleNamespace(name="cuda-emulated"))
        try:
            eager()
        finally:
            graph.capture_end()
        results.append((label, best(eager), best(graph.replay)))
    return results


def _load() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{os.cpu_count()} CPUs, load average {load:.1f} when measured"


def markdown() -> str:
    total, per_kernel = launches_per_step()
    replayed = graph_launches()
    lines = [MARKER, "", "# CUDA kernels: resources, launches, host overhead", "",
             "Generated by `python -m benchmarks.gpu_resources` — do not edit by hand.", "",
             "## ptxas for sm_90", "",
             "Every instantiation compiled by NVRTC to an sm_90 cubin with CuPy's options "
             "(`--ptxas-options=-v`); the CI test `tests/cuda/test_cuda_compile.py` fails on "
             "spills and on any ptxas error. Occupancy: active warps / 64 per SM for the block "
             "size the backend launches the kernel with (65536 registers, allocated per warp "
             "in units of 256; 228 KB shared memory, 1 KB reserved per block; at most 32 "
             "blocks).", "", *ptxas_rows(), "",
             "## Launches per training step", "",
             f"One SGD step (forward, cross-entropy, backward, optimizer step) of the seed CNN "
             f"(`minitorch.models.TutorialCNN`, batch 4), counted by the emulator: **{total} "
             f"kernel launches** of our kernels (the optimizer's update included: one "
             f"`sgd_update` launch steps up to 16 parameters; the linear layers run on the "
             f"implicit-GEMM kernels, so there is no cuBLAS GEMM; `xp` array arithmetic is "
             f"not a kernel of ours and is not counted here).", "",
             "| kernel | launches |", "|---|---:|",
             *[f"| {k} | {v} |" for k, v in per_kernel.items()], "",
             f"The same step captured with `minitorch.cuda.graph` (after one eager warm-up "
             f"step) replays **{replayed.get('kernel', 0)} kernel launches** — the eager "
             f"step's {total} — and {replayed.get('gemm', 0)} cuBLAS GEMMs; on the emulator, "
             f"which records NumPy's work too, **{sum(replayed.values())} device operations** "
             f"in all (target: at most {STEP_LAUNCH_TARGET}; on a GPU each is one launch or "
             f"memset/copy node of the CUDA graph). Before the multi-tensor SGD kernel, the "
             f"gradient taken as `.grad` without a copy and the cross-entropy's mean in one "
             f"operation, the same count was {BEFORE_TOTAL}: {BEFORE_TEXT}; before the linear "
             f"layers ran on the implicit-GEMM kernels and the split-K sums were added inside "
             f"the launches, {BEFORE_IMPLICIT_LINEAR}.", "",
             "| kind | per replay |", "|---|---:|",
             *[f"| {k} | {v} |" for k, v in replayed.items()],
             f"| **total** | **{sum(replayed.values())}** |", "",
             "## Host overhead per launch", "",
             "Eager: `KernelLauncher.launch` on a launcher that runs nothing (emulator and GPU "
             "excluded) — one dictionary look-up of the launch plan (signature, element type, "
             "checked geometry, made once per kernel, dtype and geometry) and the argument "
             "check generated once per kernel and dtype; error text only for a wrong argument. "
             "Replay: the same launches captured into a `minitorch.cuda.CUDAGraph` and "
             "replayed (no checks, no look-ups: the recorded calls). Best of 7 rounds of 2000 "
             f"launches, on this machine's CPU ({platform.machine()}, {_load()}).", "",
             "| launch | eager µs per launch | graph replay µs per launch |", "|---|---:|---:|",
             *[f"| {label} | {eager:.2f} | {replay:.2f} |"
               for label, eager, replay in host_overhead()], ""]
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(Path(__file__).with_name("GPU.md")))
    args = parser.parse_args(argv)
    out = Path(args.out)
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    head = text.split(MARKER)[0].rstrip("\n")
    out.write_text((head + "\n\n" if head else "") + markdown(), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
