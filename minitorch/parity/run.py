"""Running a case in torch and in minitorch, and comparing the two.

:func:`run_torch` runs a case in torch (the reference, on the CPU) and :func:`run_minitorch`
runs it on one minitorch backend; both backpropagate the same random cotangents through every
floating output and return each output and each input gradient. :func:`compare` pairs them
with the tolerance that applies; :func:`check_case` raises on any mismatch.
:func:`gradcheck_case` checks minitorch's gradients by finite differences (no torch).

torch is imported only when a case runs.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from minitorch.parity.case import SMALL_ONLY, Case, make_arrays, tolerance

# Every case and every parity test runs on these (where they can start) ...
BACKENDS = ("numpy", "numba", "cuda-emulated", "cuda")
# ... and the catalogue's small cases also on these (``case.SMALL_ONLY``).
ALL_BACKENDS = BACKENDS + tuple(SMALL_ONLY)


@dataclass
class Result:
    outputs: List[np.ndarray]
    grads: List[Tuple[str, np.ndarray]]  # (which leaf, gradient), in a fixed order


def _flat_outputs(out: Any) -> List[Any]:
    if isinstance(out, (tuple, list)):
        return [o for x in out for o in _flat_outputs(x)]
    return [out]


def _cotangents(shapes: Sequence[Tuple[int, ...]], dtype: str, seed: int) -> List[np.ndarray]:
    rng = np.random.default_rng(2000 + seed)
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


def _run(lib: Any, case: Case, arrays: List[np.ndarray], dtype: str,
         to_lib: Callable[[np.ndarray], Any], to_np: Callable[[Any], np.ndarray],
         module: Any = None) -> Tuple[Result, List[Any], Any]:
    leaves, inputs = [], []
    for a, arr in zip(case.args, arrays):
        t = to_lib(arr)
        if not a.is_int and a.grad and case.grad:
            t.requires_grad_(True)
        leaves.append(t)
        if a.noncontig:
            t = t.permute(*reversed(range(t.ndim)))
        inputs.append(t)
    out = case.fn(lib, module, *inputs) if module is not None else case.fn(lib, *inputs)
    outs = _flat_outputs(out)
    grads: List[Tuple[str, np.ndarray]] = []
    if case.grad:
        diff = [o for o in outs if o.is_floating_point() and o.requires_grad]
        cot = _cotangents([tuple(o.shape) for o in diff], dtype, case.seed)
        lib.autograd.backward(diff, [to_lib(c) for c in cot])
        for i, t in enumerate(leaves):
            if t.requires_grad:
                grads.append((f"input{i}", _grad_np(t, to_np)))
        if module is not None:
            for name, p in module.named_parameters():
                grads.append((name, _grad_np(p, to_np)))
    return Result([to_np(o.detach()) for o in outs], grads), leaves, out


def _grad_np(t: Any, to_np: Callable[[Any], np.ndarray]) -> np.ndarray:
    if t.grad is None:
        return np.zeros(tuple(t.shape), dtype=str(t.dtype).split(".")[-1])
    return to_np(t.grad)


def run_torch(case: Case, dtype: str, arrays: Optional[List[np.ndarray]] = None) -> Result:
    """The case in torch, on its own inputs or on ``arrays`` (one per ``case.args``)."""
    import torch

    arrays = make_arrays(case, dtype) if arrays is None else arrays
    module = torch_module(case, dtype) if case.module is not None else None
    # force: torch's gradient of a constant-output op (sgn) is a ZeroTensor, read only so
    return _run(torch, case, arrays, dtype, lambda a: torch.from_numpy(np.array(a)),
                lambda t: t.detach().cpu().numpy(force=True), module)[0]


def torch_module(case: Case, dtype: str) -> Any:
    """The case's module in torch, its weights drawn from the case's seed."""
    import torch

    torch.manual_seed(case.seed)
    return case.module(torch, getattr(torch, dtype)).to(getattr(torch, dtype))


def torch_state_dict(case: Case, dtype: str) -> Dict[str, np.ndarray]:
    return {k: v.detach().numpy().copy() for k, v in torch_module(case, dtype).state_dict().items()}


def minitorch_module(case: Case, dtype: str, backend: str) -> Any:
    """The case's module in minitorch, with torch's initial weights."""
    import minitorch

    module = case.module(minitorch, getattr(minitorch, dtype)).to(getattr(minitorch, dtype))
    module.load_state_dict({k: minitorch.tensor(v) for k, v in
                            torch_state_dict(case, dtype).items()})
    if backend == "cuda":
        module.cuda()
    return module


@contextlib.contextmanager
def on_backend(backend: str) -> Iterator[None]:
    """CPU tensors use ``backend`` inside the block ("cuda": tensors are moved instead)."""
    from minitorch import backends

    if backend == "cuda":
        yield
        return
    with backends.use_backend(backend):
        yield


def to_minitorch(backend: str) -> Callable[[np.ndarray], Any]:
    import minitorch

    def convert(a: np.ndarray) -> Any:
        t = minitorch.tensor(np.array(a))
        return t.cuda() if backend == "cuda" else t
    return convert


def mt_to_np(t: Any) -> np.ndarray:
    return np.array(t.detach().cpu().numpy())


def run_minitorch(case: Case, dtype: str, backend: str,
                  arrays: Optional[List[np.ndarray]] = None) -> Result:
    """The case on a minitorch backend, on its own inputs or on ``arrays``."""
    import minitorch

    arrays = make_arrays(case, dtype) if arrays is None else arrays
    with on_backend(backend):
        module = minitorch_module(case, dtype, backend) if case.module is not None else None
        return _run(minitorch, case, arrays, dtype, to_minitorch(backend), mt_to_np, module)[0]


# -------------------------------------------------------------------------- comparing
@dataclass
class Pair:
    label: str            # "output0", "grad input1", "grad weight", ...
    got: np.ndarray
    want: np.ndarray
    rtol: float
    atol: float

    @property
    def is_grad(self) -> bool:
        return self.label.startswith("grad")

    def problem(self) -> Optional[str]:
        """None when equal within tolerance (NaN matches NaN), else what differs."""
        if self.got.shape != self.want.shape:
            return f"{self.label}: shape {self.got.shape} != torch's {self.want.shape}"
        if self.got.dtype != self.want.dtype:
            return f"{self.label}: dtype {self.got.dtype} != torch's {self.want.dtype}"
        if self.want.dtype.kind in "biu":
            if not np.array_equal(self.got, self.want):
                bad = int((self.got != self.want).sum())
                return f"{self.label}: {bad} of {self.want.size} elements differ (exact)"
            return None
        ok = np.isclose(self.got, self.want, rtol=self.rtol, atol=self.atol, equal_nan=True)
        if not ok.all():
            i = np.unravel_index(np.argmin(ok), ok.shape)
            return (f"{self.label}: {int((~ok).sum())} of {ok.size} elements mismatch "
                    f"(rtol={self.rtol:g}, atol={self.atol:g}); worst rel err "
                    f"{self.rel_err():.3g}; e.g. at {tuple(int(j) for j in i)}: got "
                    f"{self.got[i]!r}, torch {self.want[i]!r}")
        return None

    def rel_err(self) -> float:
        """max |got - want| / max |want| over finite entries (0 when both agree exactly)."""
        if self.got.shape != self.want.shape:
            return float("inf")
        g, w = self.got.astype(np.float64), self.want.astype(np.float64)
        both_nan = np.isnan(g) & np.isnan(w)
        same_inf = np.isinf(w) & (g == w)
        mask = ~(both_nan | same_inf)
        if not mask.any():
            return 0.0
        diff = np.abs(g[mask] - w[mask])
        if np.isnan(diff).any():
            return float("inf")
        scale = np.abs(w[mask]).max()
        return float(diff.max() / scale) if scale > 0 else float(diff.max())


def compare(case: Case, dtype: str, got: Result, want: Result) -> List[Pair]:
    rtol, atol = tolerance(case, dtype)
    pairs = []
    if len(got.outputs) != len(want.outputs):
        raise AssertionError(f"{case.name}: {len(got.outputs)} outputs, torch has "
                             f"{len(want.outputs)}")
    for i, (g, w) in enumerate(zip(got.outputs, want.outputs)):
        pairs.append(Pair(f"output{i}", g, w, rtol, atol))
    want_grads = dict(want.grads)
    got_grads = dict(got.grads)
    if set(want_grads) != set(got_grads):
        raise AssertionError(f"{case.name}: gradients for {sorted(got_grads)}, torch has "
                             f"{sorted(want_grads)}")
    for name, w in want.grads:
        pairs.append(Pair(f"grad {name}", got_grads[name], w, rtol, atol))
    return pairs


def check_case(case: Case, dtype: str, backend: str) -> List[Pair]:
    """Run ``case`` in both libraries; raise AssertionError listing every mismatch."""
    want = run_torch(case, dtype)
    got = run_minitorch(case, dtype, backend)
    pairs = compare(case, dtype, got, want)
    problems = [p for p in (pair.problem() for pair in pairs) if p]
    if problems:
        raise AssertionError(f"{case.name} [{backend}, {dtype}] differs from torch:\n  " +
                             "\n  ".join(problems))
    return pairs


def gradcheck_case(case: Case, backend: str) -> bool:
    """minitorch.autograd.gradcheck of ``case`` in float64 (no torch involved)."""
    import minitorch
    from minitorch.autograd import gradcheck

    arrays = make_arrays(case, "float64")
    convert = to_minitorch(backend)
    with on_backend(backend):
        module = None
        if case.module is not None:
            module = case.module(minitorch, minitorch.float64).to(minitorch.float64)
            if backend == "cuda":
                module.cuda()
        leaves = []
        for a, arr in zip(case.args, arrays):
            t = convert(arr)
            if not a.is_int and a.grad:
                t.requires_grad_(True)
            leaves.append(t)
        params = list(module.parameters()) if module is not None else []

        def fn(*xs: Any) -> Any:
            inputs = [x.permute(*reversed(range(x.ndim))) if a.noncontig else x
                      for a, x in zip(case.args, xs[:len(case.args)])]
            out = case.fn(minitorch, module, *inputs) if module is not None else \
                case.fn(minitorch, *inputs)
            return tuple(_flat_outputs(out))

        return gradcheck(fn, [*leaves, *params], eps=1e-6, atol=1e-5, rtol=1e-3)


# ---------------------------------------------------------------------------- backends
def backend_unavailable(name: str) -> Optional[str]:
    """None when backend ``name`` can run here, else why not (naming what is missing)."""
    from minitorch import backends

    if name == "cuda":
        import minitorch.cuda

        if not minitorch.cuda.is_available():
            from minitorch.backends.cuda.device import unavailable_reason

            return (f"cuda: no GPU (minitorch.cuda.is_available() is False: "
                    f"{unavailable_reason()})")
    if name not in backends.available_backends():
        if name == "numba":
            try:
                import numba  # noqa: F401

                import minitorch.backends.numba  # noqa: F401
            except Exception as error:  # ImportError or a compile error at import
                return f"numba: not importable: {error!r}"
        return f"{name}: not registered (available: {backends.available_backends()})"
    try:
        backends.get_backend(name)
    except Exception as error:
        return f"{name}: cannot start: {error}"
    return None

