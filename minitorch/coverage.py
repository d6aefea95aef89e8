"""How much of PyTorch's surface minitorch has: ``python -m minitorch.coverage`` compares the
public names of ``torch.Tensor`` and of the ``torch`` namespace with minitorch's and writes
the table ``docs/COVERAGE.md`` (``--check`` only compares, for the test that keeps the
committed table current).

✔ means the name exists in minitorch; what each one computes is checked against torch, op by
op, in ``parity_tests/``. Needs the installed torch (a test dependency), whose version is
recorded in the table's header."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

# What a learner's first programs, the tutorials and the classic examples call.
COMMON_TENSOR = """
abs add add_ all amax amin any argmax argmin argsort backward bmm bool chunk clamp clamp_
clip clone contiguous copy_ cos cpu cuda cumprod cumsum data detach detach_ device diag dim
div div_ dot double dtype eq equal exp expand expand_as fill_ flatten flip float floor gather
ge grad grad_fn gt index_select int is_contiguous is_cuda is_leaf isnan item le log
log_softmax long lt masked_fill matmul max mean min mm mul mul_ ndim ne neg new_zeros
nonzero norm normal_ numel numpy permute pow prod register_hook relu repeat requires_grad
requires_grad_ reshape retain_grad round scatter_ shape sigmoid sin size softmax sort split
sqrt squeeze std sub sub_ sum t tanh to tolist topk transpose tril triu type type_as unbind
unsqueeze var view view_as zero_ T
""".split()

COMMON_TORCH = """
Tensor Size device dtype float32 float64 int64 long float double bool int32 float16 uint8
tensor as_tensor from_numpy zeros zeros_like ones ones_like empty full full_like eye arange
linspace rand randn randint randperm rand_like randn_like manual_seed cat stack where clamp
argmax max min topk sort gather mean sum std var prod cumsum exp log sqrt abs pow sin cos
tanh sigmoid softmax matmul mm bmm einsum norm allclose equal no_grad enable_grad
set_grad_enabled is_grad_enabled inference_mode is_tensor numel flatten reshape squeeze
unsqueeze transpose permute chunk split save load set_printoptions get_default_dtype
set_default_dtype nn optim autograd utils cuda backends accelerator Generator
""".split()


def _probe(obj: Any, name: str) -> bool:
    try:
        return hasattr(obj, name)
    except Exception:  # a property that raises for this instance still exists
        return True


_TORCH_NAMES = r"""
import json, types, torch
def kind(v):
    if isinstance(v, types.ModuleType):
        return "submodules"
    if isinstance(v, torch.dtype):
        return "dtypes"
    if isinstance(v, type):
        return "classes"
    return "functions" if callable(v) else "constants and other objects"
print(json.dumps({"version": torch.__version__.split("+")[0],
                  "tensor": sorted(n for n in dir(torch.Tensor) if not n.startswith("_")),
                  "torch": {n: kind(getattr(torch, n)) for n in sorted(dir(torch))
                            if not n.startswith("_")}}))
"""


def _torch_names() -> Dict[str, Any]:
    """torch's public names, read in a fresh interpreter: ``dir(torch)`` grows as torch's
    submodules are imported, so only a fresh ``import torch`` gives the same list each time."""
    out = subprocess.run([sys.executable, "-c", _TORCH_NAMES], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)


def collect() -> Tuple[str, Dict[str, Dict[str, List[Tuple[str, bool]]]]]:
    """(torch version, {section: {group: [(name, present)]}})."""
    import minitorch

    names = _torch_names()
    sample = minitorch.zeros(2, 2, requires_grad=True)
    sections: Dict[str, Dict[str, List[Tuple[str, bool]]]] = {}
    sections["Commonly used"] = {
        "Tensor methods and attributes": [(n, _probe(sample, n)) for n in COMMON_TENSOR],
        "torch.* names": [(n, _probe(minitorch, n)) for n in COMMON_TORCH]}
    groups: Dict[str, List[Tuple[str, bool]]] = {"methods and attributes": [],
                                                 "in-place methods (name_)": []}
    for n in names["tensor"]:
        key = "in-place methods (name_)" if n.endswith("_") and not n.startswith("is_") \
            else "methods and attributes"
        groups[key].append((n, _probe(sample, n)))
    sections["torch.Tensor"] = groups
    by_kind: Dict[str, List[Tuple[str, bool]]] = {}
    for n, kind in names["torch"].items():
        by_kind.setdefault(kind, []).append((n, _probe(minitorch, n)))
    sections["torch"] = {k: by_kind[k] for k in ("functions", "classes", "dtypes", "submodules",
                                                 "constants and other objects") if k in by_kind}
    return names["version"], sections


def _table(rows: Sequence[Tuple[str, bool]], columns: int = 4) -> List[str]:
    cells = [f"{'✔' if ok else '✘'} `{name}`" for name, ok in rows]
    while len(cells) % columns:
        cells.append("")
    lines = ["|" + " |" * columns, "|" + "---|" * columns]
    for i in range(0, len(cells), columns):
        lines.append("| " + " | ".join(cells[i:i + columns]) + " |")
    return lines


def render() -> str:
    version, sections = collect()
    out = ["# Coverage of PyTorch's API",
           "",
           f"Generated by `python -m minitorch.coverage` against torch {version}: every public",
           "name of `torch.Tensor` and of the `torch` namespace, ✔ where minitorch has it, ✘",
           "where it does not. ✔ says the name exists; what it computes is checked against",
           "torch op by op in `parity_tests/` (values, gradients, errors, printing).",
           "Dtypes: minitorch has float16, float32, float64, uint8, int8, int16, int32, int64",
           "and bool.",
           "",
           "| section | group | present | of |", "|---|---|---|---|"]
    for section, groups in sections.items():
        for group, rows in groups.items():
            out.append(f"| {section} | {group} | {sum(ok for _, ok in rows)} | {len(rows)} |")
    for section, groups in sections.items():
        out += ["", f"## {section}"]
        for group, rows in groups.items():
            out += ["", f"### {group} ({sum(ok for _, ok in rows)} of {len(rows)})", ""]
            out += _table(rows)
    return "\n".join(out) + "\n"


DEFAULT_PATH = Path(__file__).resolve().parents[1] / "docs" / "COVERAGE.md"


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(prog="python -m minitorch.coverage", description=__doc__)
    parser.add_argument("--output", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when the file differs from a fresh table")
    args = parser.parse_args(list(argv))
    text = render()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run python -m minitorch.coverage", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
