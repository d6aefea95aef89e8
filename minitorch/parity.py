"""Parity with PyTorch: one catalogue of cases, run by the tests and by a report command.

Each :class:`Case` is a function written once against the common API
(``fn(lib, *inputs)`` where ``lib`` is ``torch`` or ``minitorch``), plus how to make its inputs.
:func:`run_case` runs it in torch (the reference, on the CPU) and in minitorch on one backend,
backpropagates the same random cotangents through every floating output, and returns each
output and each input gradient side by side with the tolerance that applies.

    python -m minitorch.parity                              # every backend that can start
    python -m minitorch.parity --backends numpy,numba --json parity.json

prints, per op × backend, the worst relative error of the forward and of the gradients
(``max |got - want| / max |want|`` over the op's cases and both float dtypes) and pass/fail
(``|got - want| <= atol + rtol·|want|`` elementwise, as ``torch.testing.assert_close``).
The parity tests (``parity_tests/``) import this catalogue, so the two never drift apart.

torch is imported only when a case runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np

BACKENDS = ("numpy", "numba", "cuda-emulated", "cuda")
DTYPES = ("float32", "float64")

# Tolerances. float32: torch.testing.assert_close's defaults. float64: 1e-7 for both, which
# a case may multiply by ``f64_factor`` (with a comment saying why).
F32_RTOL, F32_ATOL = 1.3e-6, 1e-5
F64_RTOL = F64_ATOL = 1e-7


# ----------------------------------------------------------------------------- inputs
def normal(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    return rng.standard_normal(shape)


def positive(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    """Away from 0 (log, sqrt, pow bases, divisors)."""
    return rng.uniform(0.5, 2.0, shape)


def nonzero(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    """|x| in [0.5, 2] with random sign (abs, 1/x: no kink or pole nearby)."""
    return rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


def ties(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    """Small integers as floats: many exact ties, on purpose."""
    return rng.integers(-2, 3, shape).astype(np.float64)


def with_zeros(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    """Normal values with every third one exactly 0 (relu's kink)."""
    x = rng.standard_normal(shape)
    x.reshape(-1)[::3] = 0.0
    return x


def with_extremes(scale: float) -> Callable[[np.random.Generator, Tuple[int, ...]], np.ndarray]:
    """Normal values with some set to ±scale (overflow checks: sigmoid ±1000, softmax ±1e4)."""
    def gen(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
        x = rng.standard_normal(shape)
        flat = x.reshape(-1)
        flat[::4] = scale
        flat[1::4] = -scale
        return x
    return gen


def with_nan(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    x = rng.standard_normal(shape)
    x.reshape(-1)[5] = np.nan
    return x


def spread(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    """Distinct values at least 0.1 apart (max/min/maximum: no tie within gradcheck's eps)."""
    n = int(np.prod(shape))
    return (rng.permutation(n) * 0.1 - n * 0.05).reshape(shape)


@dataclass
class Arg:
    """One input: a float tensor (``grad`` says whether it requires grad) or an int64 tensor
    (``high`` set: values in [low, high), or ``values`` for a fixed integer pattern).
    ``noncontig``: the op receives a permuted (non-contiguous) view of a leaf whose dims are
    reversed; the gradient is compared on that leaf."""
    shape: Tuple[int, ...]
    gen: Callable[[np.random.Generator, Tuple[int, ...]], np.ndarray] = normal
    grad: bool = True
    noncontig: bool = False
    high: Optional[int] = None
    low: int = 0
    values: Optional[Sequence[int]] = None

    @property
    def is_int(self) -> bool:
        return self.high is not None or self.values is not None


@dataclass
class Case:
    """``fn(lib, *inputs)`` (or ``fn(lib, module, *inputs)`` when ``module(lib, dtype)`` is
    given: the module is built in torch, and minitorch's copy loads torch's state_dict)."""
    name: str
    op: str
    fn: Callable[..., Any]
    args: List[Arg]
    module: Optional[Callable[[Any, Any], Any]] = None
    grad: bool = True              # compare gradients (False: no output is differentiable)
    gradcheck: bool = True         # run minitorch.autograd.gradcheck in float64
    tol32: Optional[Tuple[float, float]] = None   # (rtol, atol) for float32, with a reason
    f64_factor: float = 1.0        # multiplies float64's 1e-7, with a reason
    dtypes: Tuple[str, ...] = DTYPES
    seed: int = 0

    @property
    def id(self) -> str:
        return self.name


def tolerance(case: Case, dtype: str) -> Tuple[float, float]:
    if dtype == "float64":
        return F64_RTOL * case.f64_factor, F64_ATOL * case.f64_factor
    return case.tol32 if case.tol32 is not None else (F32_RTOL, F32_ATOL)


def make_arrays(case: Case, dtype: str) -> List[np.ndarray]:
    """The inputs as NumPy arrays (leaf layout: reversed dims for ``noncontig`` args)."""
    rng = np.random.default_rng(1000 + case.seed)
    out = []
    for a in case.args:
        shape = tuple(reversed(a.shape)) if a.noncontig else tuple(a.shape)
        if a.values is not None:
            out.append(np.asarray(a.values, dtype=np.int64).reshape(shape))
        elif a.high is not None:
            out.append(rng.integers(a.low, a.high, shape).astype(np.int64))
        else:
            out.append(np.ascontiguousarray(a.gen(rng, shape), dtype=dtype))
    return out


# ------------------------------------------------------------------------- the runners
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


def run_torch(case: Case, dtype: str) -> Result:
    import torch

    arrays = make_arrays(case, dtype)
    module = None
    if case.module is not None:
        torch.manual_seed(case.seed)
        module = case.module(torch, getattr(torch, dtype)).to(getattr(torch, dtype))
    return _run(torch, case, arrays, dtype, lambda a: torch.from_numpy(np.array(a)),
                lambda t: t.detach().cpu().numpy(), module)[0]


def torch_state_dict(case: Case, dtype: str) -> Dict[str, np.ndarray]:
    import torch

    torch.manual_seed(case.seed)
    module = case.module(torch, getattr(torch, dtype)).to(getattr(torch, dtype))
    return {k: v.detach().numpy().copy() for k, v in module.state_dict().items()}


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


def run_minitorch(case: Case, dtype: str, backend: str) -> Result:
    import minitorch

    arrays = make_arrays(case, dtype)
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


# --------------------------------------------------------------------------- catalogue
def _F(lib: Any) -> Any:  # noqa: N802 - F as in "import torch.nn.functional as F"
    return lib.nn.functional


def _cases() -> List[Case]:  # noqa: C901 - one flat list is the point
    C: List[Case] = []  # noqa: N806

    def add(name: str, op: str, fn: Callable[..., Any], *args: Arg, **kw: Any) -> None:
        C.append(Case(name, op, fn, list(args), seed=len(C), **kw))

    A = Arg  # noqa: N806

    # --- elementwise, with broadcasting (gradients reduced to each input's shape)
    add("add", "add", lambda m, x, y: x + y, A((3, 4)), A((3, 4)))
    add("add_bcast", "add", lambda m, x, y: x + y, A((2, 3, 4)), A((3, 1)))
    add("add_bcast_both", "add", lambda m, x, y: x + y, A((4, 1, 5)), A((3, 1)))
    add("add_noncontig", "add", lambda m, x, y: x + y, A((3, 4, 2), noncontig=True),
        A((3, 4, 2)))
    add("radd_scalar", "add", lambda m, x: 2.5 + x, A((3, 4)))
    add("add_0d", "add", lambda m, x, y: x + y, A((3, 4)), A(()))
    add("sub_bcast", "sub", lambda m, x, y: x - y, A((2, 3, 4)), A((4,)))
    add("rsub_scalar", "sub", lambda m, x: 1.5 - x, A((3, 4)))
    add("mul_bcast", "mul", lambda m, x, y: x * y, A((2, 3, 4)), A((2, 1, 4)))
    add("rmul_scalar", "mul", lambda m, x: 3.0 * x, A((5,)))
    add("mul_noncontig", "mul", lambda m, x, y: x * y, A((4, 3), noncontig=True),
        A((4, 3), noncontig=True))
    add("div_bcast", "div", lambda m, x, y: x / y, A((2, 3, 4)), A((3, 1), gen=nonzero))
    add("rdiv_scalar", "div", lambda m, x: 2.0 / x, A((3, 4), gen=nonzero))
    add("div_scalar", "div", lambda m, x: x / 4.0, A((3, 4)))
    add("pow_scalar", "pow", lambda m, x: x ** 2.5, A((3, 4), gen=positive))
    add("pow_int", "pow", lambda m, x: x ** 3, A((3, 4)))
    add("pow_tensor", "pow", lambda m, x, y: x ** y, A((3, 4), gen=positive), A((4,)))
    add("rpow_scalar", "pow", lambda m, x: 2.0 ** x, A((3, 4)))
    add("matmul_2d", "matmul", lambda m, x, y: x @ y, A((3, 4)), A((4, 5)))
    add("matmul_batched_bcast", "matmul", lambda m, x, y: x @ y, A((2, 3, 4)), A((4, 5)))
    add("matmul_batched_both", "matmul", lambda m, x, y: x @ y, A((2, 1, 3, 4)),
        A((3, 4, 2)))
    add("matmul_vec_mat", "matmul", lambda m, x, y: x @ y, A((4,)), A((4, 5)))
    add("matmul_mat_vec", "matmul", lambda m, x, y: x @ y, A((3, 4)), A((4,)))
    add("matmul_vec_vec", "matmul", lambda m, x, y: x @ y, A((4,)), A((4,)))
    add("rmatmul", "matmul", lambda m, x, y: y.__rmatmul__(x), A((3, 4)), A((4, 2)))
    add("matmul_noncontig", "matmul", lambda m, x, y: x @ y, A((3, 4), noncontig=True),
        A((4, 5), noncontig=True))
    add("neg", "neg", lambda m, x: -x, A((3, 4)))
    add("exp", "exp", lambda m, x: x.exp(), A((3, 4)))
    add("exp_noncontig", "exp", lambda m, x: m.exp(x), A((2, 3, 4), noncontig=True))
    add("log", "log", lambda m, x: x.log(), A((3, 4), gen=positive))
    add("sqrt", "sqrt", lambda m, x: x.sqrt(), A((3, 4), gen=positive))
    add("abs", "abs", lambda m, x: x.abs(), A((3, 4), gen=nonzero))
    add("clamp", "clamp", lambda m, x: x.clamp(-0.45, 0.45), A((4, 5), gen=spread))
    add("clamp_min", "clamp", lambda m, x: x.clamp(min=0.15), A((4, 5), gen=spread))
    add("clamp_max", "clamp", lambda m, x: m.clamp(x, max=-0.25), A((4, 5), gen=spread))
    add("maximum", "maximum", lambda m, x, y: m.maximum(x, y), A((3, 4)), A((3, 4)))
    add("maximum_bcast", "maximum", lambda m, x, y: m.maximum(x, y), A((2, 3, 4)), A((4,)))
    add("minimum", "minimum", lambda m, x, y: m.minimum(x, y), A((3, 4)), A((3, 1)))
    add("maximum_ties", "maximum", lambda m, x, y: m.maximum(x, y), A((4, 5), gen=ties),
        A((4, 5), gen=ties), gradcheck=False)  # ties: not differentiable there
    add("minimum_ties", "minimum", lambda m, x, y: m.minimum(x, y), A((4, 5), gen=ties),
        A((4, 5), gen=ties), gradcheck=False)

    # --- reductions (values and indices)
    X = (3, 4, 5)  # noqa: N806
    add("sum_all", "sum", lambda m, x: x.sum(), A(X))
    add("sum_dim", "sum", lambda m, x: x.sum(1), A(X))
    add("sum_dims_keepdim", "sum", lambda m, x: x.sum((0, 2), keepdim=True), A(X))
    add("sum_neg_dim", "sum", lambda m, x: m.sum(x, -1), A(X, noncontig=True))
    add("mean_all", "mean", lambda m, x: x.mean(), A(X))
    add("mean_dim_keepdim", "mean", lambda m, x: x.mean(-1, keepdim=True), A(X))
    add("mean_dims", "mean", lambda m, x: x.mean((0, 1)), A(X))
    add("max_all", "max", lambda m, x: x.max(), A(X, gen=spread))
    add("max_dim", "max", lambda m, x: tuple(x.max(1)), A(X, gen=spread))
    add("max_dim_keepdim", "max", lambda m, x: tuple(x.max(-1, keepdim=True)),
        A(X, gen=spread))
    add("max_all_ties", "max", lambda m, x: x.max(), A(X, gen=ties), gradcheck=False)
    add("max_dim_ties", "max", lambda m, x: tuple(x.max(0)), A(X, gen=ties), gradcheck=False)
    add("min_all", "min", lambda m, x: x.min(), A(X, gen=spread))
    add("min_dim", "min", lambda m, x: tuple(x.min(2)), A(X, gen=spread))
    add("min_dim_keepdim_ties", "min", lambda m, x: tuple(x.min(1, keepdim=True)),
        A(X, gen=ties), gradcheck=False)
    add("var_all", "var", lambda m, x: x.var(), A(X))
    add("var_dim", "var", lambda m, x: x.var(1), A(X))
    add("var_dim_biased_keepdim", "var", lambda m, x: x.var(-1, unbiased=False, keepdim=True),
        A(X))
    add("var_dims", "var", lambda m, x: x.var((0, 2)), A(X))
    add("argmax_all", "argmax", lambda m, x: x.argmax(), A(X), grad=False)
    add("argmax_dim", "argmax", lambda m, x: x.argmax(1), A(X), grad=False)
    add("argmax_dim_keepdim_ties", "argmax", lambda m, x: x.argmax(-1, keepdim=True),
        A(X, gen=ties), grad=False)

    # --- shape ops
    add("reshape", "reshape", lambda m, x: x.reshape(4, -1), A((2, 3, 4)))
    add("reshape_noncontig", "reshape", lambda m, x: x.reshape(-1), A((2, 3, 4), noncontig=True))
    add("view", "view", lambda m, x: x.view(6, 4), A((2, 3, 4)))
    add("flatten", "flatten", lambda m, x: x.flatten(), A((2, 3, 4)))
    add("flatten_1_2", "flatten", lambda m, x: x.flatten(1, 2), A((2, 3, 4, 5)))
    add("flatten_neg", "flatten", lambda m, x: m.flatten(x, -3, -2), A((2, 3, 4, 5)))
    add("permute", "permute", lambda m, x: x.permute(2, 0, 1), A((2, 3, 4)))
    add("transpose", "transpose", lambda m, x: x.transpose(0, -1), A((2, 3, 4)))
    add("T", "transpose", lambda m, x: x.T, A((3, 4)))
    add("t", "transpose", lambda m, x: x.t(), A((3, 4)))
    add("squeeze_all", "squeeze", lambda m, x: x.squeeze(), A((1, 3, 1, 4)))
    add("squeeze_dim", "squeeze", lambda m, x: x.squeeze(2), A((1, 3, 1, 4)))
    add("unsqueeze", "unsqueeze", lambda m, x: x.unsqueeze(1), A((3, 4)))
    add("unsqueeze_neg", "unsqueeze", lambda m, x: x.unsqueeze(-1), A((3, 4)))
    add("expand", "expand", lambda m, x: x.expand(2, 3, 4), A((3, 1)))
    add("expand_minus1", "expand", lambda m, x: x.expand(5, -1, 4), A((1, 3, 1)))
    add("cat", "cat", lambda m, x, y: m.cat([x, y], 1), A((2, 3)), A((2, 4)))
    add("cat_three", "cat", lambda m, x, y, z: m.cat([x, y, z]), A((1, 3)), A((2, 3)),
        A((3, 3), noncontig=True))
    add("stack", "stack", lambda m, x, y: m.stack([x, y], 1), A((2, 3)), A((2, 3)))
    add("stack_neg", "stack", lambda m, x, y: m.stack([x, y], -1), A((2, 3)), A((2, 3)))
    add("getitem_int", "getitem", lambda m, x: x[1], A((3, 4)))
    add("getitem_neg_int", "getitem", lambda m, x: x[-1, 2], A((3, 4)))
    add("getitem_slice", "getitem", lambda m, x: x[1:, ::2], A((4, 5)))
    add("getitem_none_ellipsis", "getitem", lambda m, x: x[None, ..., 1], A((2, 3, 4)))
    add("getitem_ellipsis_slice", "getitem", lambda m, x: x[..., 1:3], A((2, 3, 4)))
    add("getitem_int_array", "getitem", lambda m, x, i: x[i], A((4, 3)),
        A((5,), values=[0, 2, 2, 3, 0]))  # repeated indices: gradients add up
    add("getitem_int_arrays_2d", "getitem", lambda m, x, i, j: x[i, j], A((4, 3)),
        A((4,), values=[0, 1, 3, 3]), A((4,), values=[2, 0, 1, 1]))
    add("getitem_slice_array", "getitem", lambda m, x, i: x[:, i], A((3, 4)),
        A((2, 2), values=[3, 0, 0, 1]))
    add("getitem_noncontig", "getitem", lambda m, x: x[1:, 0], A((3, 4, 2), noncontig=True))

    # --- comparisons: bool results, no grad
    for cmp_name in ("lt", "le", "gt", "ge", "eq", "ne"):
        add(f"{cmp_name}_tensor", "compare",
            lambda m, x, y, c=cmp_name: getattr(x, c)(y), A((4, 5), gen=ties),
            A((5,), gen=ties), grad=False)
    add("lt_scalar", "compare", lambda m, x: x < 0.5, A((4, 5), gen=ties), grad=False)
    add("eq_scalar", "compare", lambda m, x: x == 1, A((4, 5), gen=ties), grad=False)
    add("ge_operator", "compare", lambda m, x, y: x >= y, A((3, 4), gen=ties),
        A((3, 4), gen=ties), grad=False)

    # --- conv2d
    def conv(**kw: Any) -> Callable[..., Any]:
        return lambda m, x, w, b=None: _F(m).conv2d(x, w, b, **kw)

    add("conv2d", "conv2d", conv(), A((2, 3, 7, 7)), A((4, 3, 3, 3)), A((4,)))
    add("conv2d_stride2", "conv2d", conv(stride=2), A((2, 3, 7, 7)), A((4, 3, 3, 3)), A((4,)))
    add("conv2d_stride_rect_pad", "conv2d", conv(stride=(2, 1), padding=(1, 2)),
        A((2, 2, 6, 5)), A((3, 2, 3, 2)), A((3,)))
    add("conv2d_pad1", "conv2d", conv(padding=1), A((1, 3, 5, 6)), A((2, 3, 3, 3)), A((2,)))
    add("conv2d_same_odd", "conv2d", conv(padding="same"), A((2, 2, 5, 5)), A((3, 2, 3, 3)),
        A((3,)))
    add("conv2d_same_even", "conv2d", conv(padding="same"), A((2, 2, 6, 5)), A((3, 2, 4, 2)),
        A((3,)))
    add("conv2d_same_even_dilated", "conv2d", conv(padding="same", dilation=(2, 1)),
        A((1, 2, 7, 6)), A((2, 2, 2, 4)), A((2,)))
    add("conv2d_valid", "conv2d", conv(padding="valid"), A((2, 3, 6, 6)), A((2, 3, 3, 3)),
        A((2,)))
    add("conv2d_dilation2", "conv2d", conv(dilation=2, padding=1), A((2, 2, 7, 7)),
        A((3, 2, 3, 3)), A((3,)))
    add("conv2d_groups2", "conv2d", conv(groups=2, padding=1), A((2, 4, 5, 5)),
        A((6, 2, 3, 3)), A((6,)))
    add("conv2d_depthwise", "conv2d", conv(groups=3, padding=1), A((2, 3, 5, 5)),
        A((3, 1, 3, 3)), A((3,)))
    add("conv2d_depthwise_mult", "conv2d", conv(groups=2, stride=2), A((1, 2, 6, 6)),
        A((4, 1, 2, 2)), A((4,)))
    add("conv2d_no_bias", "conv2d", conv(padding=1), A((2, 3, 5, 5)), A((4, 3, 3, 3)))
    add("conv2d_unbatched", "conv2d", conv(padding=1), A((3, 5, 5)), A((2, 3, 3, 3)), A((2,)))
    add("conv2d_batch1_odd", "conv2d", conv(stride=2, padding=2), A((1, 1, 9, 7)),
        A((1, 1, 5, 5)), A((1,)))
    add("conv2d_noncontig", "conv2d", conv(padding=1), A((2, 3, 5, 4), noncontig=True),
        A((2, 3, 3, 3), noncontig=True), A((2,)))
    add("conv2d_1x1", "conv2d", conv(), A((2, 5, 3, 3)), A((4, 5, 1, 1)), A((4,)))

    # nn.Conv2d padding modes (the module pads, then convolves)
    for mode in ("zeros", "reflect", "replicate", "circular"):
        add(f"Conv2d_{mode}", "nn.Conv2d", lambda m, mod, x: mod(x), A((2, 2, 5, 6)),
            module=lambda m, dt, mode=mode: m.nn.Conv2d(2, 3, 3, padding=(1, 2),
                                                        padding_mode=mode))
        add(f"Conv2d_{mode}_same_even", "nn.Conv2d", lambda m, mod, x: mod(x),
            A((1, 2, 5, 5)),
            module=lambda m, dt, mode=mode: m.nn.Conv2d(2, 2, (2, 3), padding="same",
                                                        padding_mode=mode, bias=False))
    add("Conv2d_stride_dil_groups", "nn.Conv2d", lambda m, mod, x: mod(x), A((2, 4, 7, 7)),
        module=lambda m, dt: m.nn.Conv2d(4, 4, 3, stride=2, padding=1, dilation=2, groups=2))

    # --- pooling
    def mp(**kw: Any) -> Callable[..., Any]:
        return lambda m, x: _F(m).max_pool2d(x, **kw)

    add("max_pool2d", "max_pool2d", mp(kernel_size=2), A((2, 3, 6, 6), gen=spread))
    add("max_pool2d_odd", "max_pool2d", mp(kernel_size=2), A((1, 2, 7, 5), gen=spread))
    add("max_pool2d_k3s2p1", "max_pool2d", mp(kernel_size=3, stride=2, padding=1),
        A((2, 2, 7, 7), gen=spread))
    add("max_pool2d_stride1_overlap", "max_pool2d", mp(kernel_size=3, stride=1),
        A((1, 2, 5, 5), gen=spread))
    add("max_pool2d_dilation", "max_pool2d", mp(kernel_size=2, stride=1, dilation=2),
        A((2, 2, 6, 6), gen=spread))
    add("max_pool2d_ceil", "max_pool2d", mp(kernel_size=3, stride=2, ceil_mode=True),
        A((2, 2, 6, 8), gen=spread))
    add("max_pool2d_ceil_pad", "max_pool2d",
        mp(kernel_size=2, stride=2, padding=1, ceil_mode=True), A((1, 2, 6, 7), gen=spread))
    add("max_pool2d_indices", "max_pool2d",
        mp(kernel_size=(2, 3), stride=(2, 1), padding=1, return_indices=True),
        A((2, 2, 5, 6), gen=spread))
    add("max_pool2d_ties", "max_pool2d",
        mp(kernel_size=3, stride=1, padding=1, return_indices=True), A((2, 2, 5, 5), gen=ties),
        gradcheck=False)  # ties: not differentiable
    add("max_pool2d_nan", "max_pool2d", mp(kernel_size=2, return_indices=True),
        A((1, 2, 4, 4), gen=with_nan), gradcheck=False)
    add("max_pool2d_unbatched", "max_pool2d", mp(kernel_size=2), A((2, 5, 5), gen=spread))
    add("max_pool2d_noncontig", "max_pool2d", mp(kernel_size=2),
        A((2, 2, 4, 6), gen=spread, noncontig=True))

    def ap(**kw: Any) -> Callable[..., Any]:
        return lambda m, x: _F(m).avg_pool2d(x, **kw)

    add("avg_pool2d", "avg_pool2d", ap(kernel_size=2), A((2, 3, 6, 6)))
    add("avg_pool2d_k3s2p1", "avg_pool2d", ap(kernel_size=3, stride=2, padding=1),
        A((2, 2, 7, 7)))
    add("avg_pool2d_ceil", "avg_pool2d", ap(kernel_size=3, stride=2, ceil_mode=True),
        A((1, 2, 6, 8)))
    add("avg_pool2d_no_pad_count", "avg_pool2d",
        ap(kernel_size=3, stride=2, padding=1, count_include_pad=False), A((2, 2, 6, 7)))
    add("avg_pool2d_ceil_pad_no_count", "avg_pool2d",
        ap(kernel_size=2, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
        A((1, 2, 5, 6)))
    add("avg_pool2d_ceil_pad_count", "avg_pool2d",
        ap(kernel_size=3, stride=2, padding=1, ceil_mode=True), A((1, 2, 6, 6)))
    add("avg_pool2d_divisor", "avg_pool2d", ap(kernel_size=2, stride=1, divisor_override=3),
        A((2, 2, 5, 5)))
    add("avg_pool2d_rect_unbatched", "avg_pool2d", ap(kernel_size=(3, 2), stride=(1, 2)),
        A((2, 5, 6)))
    add("avg_pool2d_noncontig", "avg_pool2d", ap(kernel_size=2), A((2, 2, 4, 6), noncontig=True))

    # --- activations
    add("relu", "relu", lambda m, x: _F(m).relu(x), A((3, 4, 5)))
    add("relu_exact_zeros", "relu", lambda m, x: x.relu(), A((4, 6), gen=with_zeros),
        gradcheck=False)  # the kink at exactly 0: torch's gradient there is 0
    add("relu_noncontig", "relu", lambda m, x: m.relu(x), A((3, 4), noncontig=True))
    add("tanh", "tanh", lambda m, x: m.tanh(x), A((3, 4, 5)))
    add("tanh_large", "tanh", lambda m, x: x.tanh(), A((4, 5), gen=with_extremes(50.0)))
    add("sigmoid", "sigmoid", lambda m, x: _F(m).sigmoid(x), A((3, 4, 5)))
    add("sigmoid_pm1000", "sigmoid", lambda m, x: m.sigmoid(x),
        A((4, 5), gen=with_extremes(1000.0)))

    # --- linear, flatten
    add("linear", "linear", lambda m, x, w, b: _F(m).linear(x, w, b), A((4, 5)), A((3, 5)),
        A((3,)))
    add("linear_no_bias", "linear", lambda m, x, w: _F(m).linear(x, w), A((4, 5)), A((3, 5)))
    add("linear_3d", "linear", lambda m, x, w, b: _F(m).linear(x, w, b), A((2, 4, 5)),
        A((3, 5)), A((3,)))
    add("linear_batch1", "linear", lambda m, x, w, b: _F(m).linear(x, w, b), A((1, 7)),
        A((3, 7)), A((3,)))
    add("linear_noncontig", "linear", lambda m, x, w, b: _F(m).linear(x, w, b),
        A((4, 5), noncontig=True), A((3, 5), noncontig=True), A((3,)))
    add("F.flatten", "flatten", lambda m, x: m.flatten(x, 1), A((2, 3, 2, 2)))

    # --- softmax family
    add("softmax_dim1", "softmax", lambda m, x: _F(m).softmax(x, dim=1), A((3, 5)))
    add("softmax_dim0_3d", "softmax", lambda m, x: _F(m).softmax(x, dim=0), A((3, 4, 2)))
    add("softmax_last_noncontig", "softmax", lambda m, x: x.softmax(-1),
        A((3, 4, 5), noncontig=True))
    add("softmax_pm1e4", "softmax", lambda m, x: _F(m).softmax(x, dim=1),
        A((4, 6), gen=with_extremes(1e4)), gradcheck=False)  # saturated: all-0/1 outputs
    add("log_softmax_dim1", "log_softmax", lambda m, x: _F(m).log_softmax(x, dim=1), A((3, 5)))
    add("log_softmax_dim0", "log_softmax", lambda m, x: _F(m).log_softmax(x, dim=0),
        A((4, 3, 2)))
    add("log_softmax_pm1e4", "log_softmax", lambda m, x: x.log_softmax(1),
        A((4, 6), gen=with_extremes(1e4)),
        # outputs reach ~2e4: float32's spacing there is 2e-3, so 1.3e-6 relative (= 0.026)
        # is the honest bound; absolute 1e-5 cannot hold for entries that large.
        tol32=(1.3e-6, 1e-5), gradcheck=False)

    # --- losses
    weights5 = np.random.default_rng(5).uniform(0.5, 2.0, 5)
    tgt = [0, 1, 4, 1, 3, 2]  # six samples, class 1 used twice (ignored in some variants)
    for reduction in ("mean", "sum", "none"):
        for weighted in (False, True):
            for ignore in (False, True):
                for smoothing in (0.0, 0.2):
                    name = (f"cross_entropy_{reduction}{'_w' if weighted else ''}"
                            f"{'_ign' if ignore else ''}{'_ls' if smoothing else ''}")

                    def ce(m: Any, x: Any, t: Any, r: str = reduction, w: bool = weighted,
                           ig: bool = ignore, ls: float = smoothing) -> Any:
                        kw: Dict[str, Any] = dict(reduction=r, label_smoothing=ls)
                        if w:
                            kw["weight"] = m.tensor(weights5, dtype=x.dtype).to(x.device)
                        if ig:
                            kw["ignore_index"] = 1
                        return _F(m).cross_entropy(x, t, **kw)
                    add(name, "cross_entropy", ce, A((6, 5)), A((6,), values=tgt))
    add("cross_entropy_NCd", "cross_entropy",
        lambda m, x, t: _F(m).cross_entropy(x, t, ignore_index=2, label_smoothing=0.1),
        A((2, 4, 3)), A((2, 3), values=[0, 2, 3, 1, 1, 2]))
    add("cross_entropy_NCd_w_sum", "cross_entropy",
        lambda m, x, t: _F(m).cross_entropy(
            x, t, weight=m.tensor(weights5[:4], dtype=x.dtype), reduction="sum"),
        A((2, 4, 2, 3)), A((2, 2, 3), high=4))
    add("cross_entropy_unbatched", "cross_entropy",
        lambda m, x, t: _F(m).cross_entropy(x, t), A((5,)), A((), values=[3]))
    add("cross_entropy_pm1e4", "cross_entropy",
        lambda m, x, t: _F(m).cross_entropy(x, t, reduction="none"),
        A((4, 6), gen=with_extremes(1e4)), A((4,), values=[0, 1, 2, 5]), gradcheck=False)
    for reduction in ("mean", "sum", "none"):
        for weighted in (False, True):
            for ignore in (False, True):
                def nll(m: Any, x: Any, t: Any, r: str = reduction, w: bool = weighted,
                        ig: bool = ignore) -> Any:
                    kw: Dict[str, Any] = dict(reduction=r)
                    if w:
                        kw["weight"] = m.tensor(weights5, dtype=x.dtype).to(x.device)
                    if ig:
                        kw["ignore_index"] = 1
                    return _F(m).nll_loss(x.log_softmax(1), t, **kw)
                add(f"nll_loss_{reduction}{'_w' if weighted else ''}{'_ign' if ignore else ''}",
                    "nll_loss", nll, A((6, 5)), A((6,), values=tgt))
    add("nll_loss_NCd", "nll_loss", lambda m, x, t: _F(m).nll_loss(x, t), A((2, 3, 4)),
        A((2, 4), high=3))
    for reduction in ("mean", "sum", "none"):
        add(f"mse_loss_{reduction}", "mse_loss",
            lambda m, x, y, r=reduction: _F(m).mse_loss(x, y, reduction=r), A((3, 4)),
            A((3, 4)))

    # --- modules
    def mod(name: str, op: str, factory: Callable[[Any], Any], *args: Arg, **kw: Any) -> None:
        add(name, op, lambda m, module, *xs: module(*xs), *args,
            module=lambda m, dt, f=factory: f(m), **kw)

    mod("nn.MaxPool2d", "nn.MaxPool2d", lambda m: m.nn.MaxPool2d(3, 2, 1, ceil_mode=True),
        A((2, 2, 6, 6), gen=spread))
    mod("nn.MaxPool2d_indices", "nn.MaxPool2d",
        lambda m: m.nn.MaxPool2d(2, return_indices=True), A((1, 2, 5, 5), gen=spread))
    mod("nn.AvgPool2d", "nn.AvgPool2d",
        lambda m: m.nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
        A((2, 2, 6, 6)))
    mod("nn.AvgPool2d_divisor", "nn.AvgPool2d", lambda m: m.nn.AvgPool2d(2, divisor_override=5),
        A((2, 2, 4, 4)))
    mod("nn.ReLU", "nn.ReLU", lambda m: m.nn.ReLU(), A((3, 4)))
    mod("nn.Tanh", "nn.Tanh", lambda m: m.nn.Tanh(), A((3, 4)))
    mod("nn.Sigmoid", "nn.Sigmoid", lambda m: m.nn.Sigmoid(), A((3, 4)))
    mod("nn.Linear", "nn.Linear", lambda m: m.nn.Linear(5, 3), A((4, 5)))
    mod("nn.Linear_no_bias", "nn.Linear", lambda m: m.nn.Linear(5, 3, bias=False), A((4, 5)))
    mod("nn.Flatten", "nn.Flatten", lambda m: m.nn.Flatten(), A((2, 3, 2, 2)))
    mod("nn.Flatten_args", "nn.Flatten", lambda m: m.nn.Flatten(0, 1), A((2, 3, 2)))
    mod("nn.Softmax", "nn.Softmax", lambda m: m.nn.Softmax(dim=1), A((3, 4)))
    mod("nn.LogSoftmax", "nn.LogSoftmax", lambda m: m.nn.LogSoftmax(dim=-1), A((3, 4)))
    mod("nn.MSELoss", "nn.MSELoss", lambda m: m.nn.MSELoss(reduction="sum"), A((3, 4)),
        A((3, 4)))
    add("nn.CrossEntropyLoss", "nn.CrossEntropyLoss", lambda m, module, x, t: module(x, t),
        A((6, 5)), A((6,), values=tgt),
        module=lambda m, dt: m.nn.CrossEntropyLoss(weight=m.tensor(weights5, dtype=dt),
                                                   ignore_index=4, label_smoothing=0.1))
    add("nn.NLLLoss", "nn.NLLLoss", lambda m, module, x, t: module(x.log_softmax(1), t),
        A((6, 5)), A((6,), values=tgt),
        module=lambda m, dt: m.nn.NLLLoss(weight=m.tensor(weights5, dtype=dt)))
    mod("nn.Sequential", "nn.Sequential",
        lambda m: m.nn.Sequential(m.nn.Conv2d(2, 3, 3, padding=1), m.nn.ReLU(),
                                  m.nn.MaxPool2d(2), m.nn.Conv2d(3, 2, 2), m.nn.Tanh(),
                                  m.nn.AvgPool2d(2), m.nn.Flatten(), m.nn.Linear(2, 3),
                                  m.nn.Sigmoid(), m.nn.Linear(3, 2), m.nn.LogSoftmax(1)),
        A((2, 2, 6, 6)))
    return C


CATALOGUE: List[Case] = _cases()
BY_NAME: Dict[str, Case] = {c.name: c for c in CATALOGUE}
assert len(BY_NAME) == len(CATALOGUE), "case names must be unique"


# ------------------------------------------------------------------------------ report
@dataclass
class Row:
    op: str
    backend: str
    cases: int = 0
    fwd_err: float = 0.0
    grad_err: float = 0.0
    passed: bool = True
    failures: List[str] = field(default_factory=list)
    skipped: str = ""


def report(backends: Sequence[str], dtypes: Sequence[str] = DTYPES,
           cases: Sequence[Case] = CATALOGUE) -> List[Row]:
    rows: Dict[Tuple[str, str], Row] = {}
    for backend in backends:
        why = backend_unavailable(backend)
        for case in cases:
            row = rows.setdefault((case.op, backend), Row(case.op, backend))
            if why:
                row.skipped, row.passed = why, False
                continue
            row.cases += 1
            for dtype in dtypes:
                if dtype not in case.dtypes:
                    continue
                try:
                    pairs = compare(case, dtype, run_minitorch(case, dtype, backend),
                                    run_torch(case, dtype))
                except Exception as error:  # an op that raises is a failure, not a crash
                    row.passed = False
                    row.failures.append(f"{case.name}[{dtype}]: {type(error).__name__}: "
                                        f"{str(error).splitlines()[0] if str(error) else ''}")
                    row.fwd_err = row.grad_err = float("inf")
                    continue
                for p in pairs:
                    err = p.rel_err() if p.want.dtype.kind == "f" else \
                        (0.0 if p.problem() is None else float("inf"))
                    if p.is_grad:
                        row.grad_err = max(row.grad_err, err)
                    else:
                        row.fwd_err = max(row.fwd_err, err)
                    problem = p.problem()
                    if problem:
                        row.passed = False
                        row.failures.append(f"{case.name}[{dtype}] {problem}")
    return list(rows.values())


def _print_table(rows: List[Row], out: Any = sys.stdout) -> None:
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


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m minitorch.parity", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default=",".join(BACKENDS),
                        help="comma-separated backends (default: all; unavailable ones are "
                             "reported as SKIP)")
    parser.add_argument("--dtypes", default=",".join(DTYPES))
    parser.add_argument("--ops", default="", help="comma-separated op names to restrict to")
    parser.add_argument("--json", default=None, help="also write the rows to this JSON file")
    args = parser.parse_args(argv)
    names = [b for b in args.backends.split(",") if b]
    unknown = [b for b in names if b not in BACKENDS]
    if unknown:
        parser.error(f"unknown backend(s) {unknown}; expected some of {list(BACKENDS)}")
    ops = set(filter(None, args.ops.split(",")))
    cases = [c for c in CATALOGUE if not ops or c.op in ops]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch: "padding='same' with even kernel"
        rows = report(names, [d for d in args.dtypes.split(",") if d], cases)
    _print_table(rows)
    if args.json:
        with open(args.json, "w") as f:
            json.dump([{k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                        for k, v in r.__dict__.items()} for r in rows], f, indent=1)
    ran = [r for r in rows if not r.skipped]
    return 0 if ran and all(r.passed for r in ran) else 1


if __name__ == "__main__":
    sys.exit(main())
