"""Differential fuzzing against PyTorch: random ops, shapes and hyper-parameters, valid or not.

Every case runs on torch and on each minitorch CPU backend ("numpy", "numba", "cuda-emulated",
"loops"; the real "cuda" backend too when a GPU is present). Either both raise — the same exception
class — or both return the same values (float64, tight tolerance) and, for valid cases, the
same gradients for a seeded random upstream gradient.

In CI the run is small and derandomized (profile ``ci``); far more cases on demand::

    HYPOTHESIS_PROFILE=deep PYTHONPATH=. python -m pytest parity_tests/test_fuzz_differential.py

(``deep``: 2,000 random examples per op family, not derandomized, so each run explores new
cases; a failure prints the ``@example`` to paste below as a regression test.)
Every case the fuzzer found wrong is pinned below with ``@example``.
"""

from __future__ import annotations

import os
from typing import Any, Callable, List, Sequence, Tuple

import numpy as np
import pytest

torch = pytest.importorskip("torch")
hypothesis = pytest.importorskip("hypothesis")

from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import minitorch  # noqa: E402

# ------------------------------------------------------------------------------ profiles
_PROFILES = {
    "ci": dict(max_examples=25, derandomize=True, deadline=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]),
    "deep": dict(max_examples=2000, derandomize=False, deadline=None, print_blob=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]),
}
for _name, _kwargs in _PROFILES.items():
    try:  # never clobber a profile someone else (a conftest) registered
        settings.get_profile(_name)
    except hypothesis.errors.InvalidArgument:
        settings.register_profile(_name, **_kwargs)
_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
FUZZ = settings(settings.get_profile(_PROFILE if _PROFILE in _PROFILES else "ci"))

BACKENDS = ["numpy", "numba", "cuda-emulated", "loops"] + (
    ["cuda"] if minitorch.cuda.is_available() else [])
RTOL, ATOL = 1e-6, 1e-9


class Lib:
    """torch and minitorch behind one spelling; tensors from seeded float64 NumPy data."""

    def __init__(self, name: str, device: str = "cpu") -> None:
        self.m = torch if name == "torch" else minitorch
        self.F, self.nn, self.device = self.m.nn.functional, self.m.nn, device
        self.inputs: List[Any] = []

    def t(self, shape: Sequence[int], seed: int = 0, grad: bool = True, scale: float = 1.0,
          positive: bool = False) -> Any:
        arr = np.random.default_rng(seed).standard_normal(tuple(shape)) * scale
        if positive:
            arr = np.abs(arr) + 0.5
        out = self.m.tensor(arr.astype(np.float64))
        if self.device != "cpu":
            out = out.cuda()
        if grad:
            out.requires_grad_(True)
            self.inputs.append(out)
        return out

    def long(self, values: Any) -> Any:
        out = self.m.tensor(np.asarray(values, dtype=np.int64))
        return out.cuda() if self.device != "cpu" else out


def _np(t: Any) -> np.ndarray:
    return np.asarray(t.detach().cpu().numpy() if hasattr(t, "detach") else t)


def _run(lib: Lib, build: Callable[[Lib], Any]) -> Tuple[str, Any, Any]:
    """('raise', exception, None) or ('ok', [outputs], [input grads])."""
    try:
        out = build(lib)
    except Exception as e:  # noqa: BLE001 - any exception is an outcome to compare
        return "raise", e, None
    outs = list(out) if isinstance(out, tuple) else [out]
    floats = [o for o in outs if o.dtype in (torch.float64, minitorch.float64, torch.float32,
                                             minitorch.float32) and o.requires_grad]
    grads: List[Any] = []
    if floats and lib.inputs:
        total = None
        for i, o in enumerate(floats):
            g = np.random.default_rng(100 + i).standard_normal(tuple(o.shape))
            term = (o * lib.m.tensor(g.astype(np.float64))).sum()
            total = term if total is None else total + term
        total.backward()
        grads = [None if x.grad is None else _np(x.grad) for x in lib.inputs]
    return "ok", [_np(o) for o in outs], grads


def check(build: Callable[[Lib], Any]) -> None:
    """Run ``build`` on torch and on every minitorch backend; compare the outcomes."""
    kind, ref, ref_grads = _run(Lib("torch"), build)
    for backend in BACKENDS:
        with minitorch.backends.use_backend("numba" if backend == "cuda" else backend):
            got_kind, got, grads = _run(Lib("minitorch", "cuda" if backend == "cuda" else "cpu"),
                                        build)
        where = f"[{backend}]"
        if kind == "raise":
            assert got_kind == "raise", f"{where} torch raised {type(ref).__name__}: {ref}; " \
                                        f"minitorch returned a result"
            assert type(got) is type(ref), f"{where} torch raised {type(ref).__name__}: " \
                                           f"{ref}; minitorch raised {type(got).__name__}: {got}"
            continue
        assert got_kind == "ok", f"{where} minitorch raised {type(got).__name__}: {got}; " \
                                 f"torch returned a result"
        assert len(got) == len(ref)
        for a, b in zip(got, ref):
            assert a.shape == b.shape, f"{where} shape {a.shape} != torch {b.shape}"
            assert a.dtype == b.dtype, f"{where} dtype {a.dtype} != torch {b.dtype}"
            np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg=where)
        assert len(grads) == len(ref_grads)
        for i, (a, b) in enumerate(zip(grads, ref_grads)):
            if b is None or a is None:
                assert a is None and b is None or np.all(
                    (a if b is None else b) == 0), f"{where} grad {i}: {a} vs {b}"
                continue
            np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL,
                                       err_msg=f"{where} grad of input {i}")


small = st.integers(1, 3)
seeds = st.integers(0, 2**16)


# --------------------------------------------------------------------------------- conv2d
@FUZZ
@given(n=st.integers(1, 2), c=st.integers(1, 4), o=st.integers(1, 4), h=st.integers(1, 6),
       w=st.integers(1, 6), kh=st.integers(0, 4), kw=st.integers(0, 4),
       stride=st.sampled_from([1, 1, 2, 3, 0, -1, (1, 2)]),
       padding=st.sampled_from([0, 0, 1, 2, (1, 0), "same", "valid", -1]),
       dilation=st.sampled_from([1, 1, 2, 0]), groups=st.sampled_from([1, 1, 2, 3, 0]),
       bias=st.booleans(), unbatched=st.booleans(), seed=seeds)
@example(n=1, c=1, o=1, h=3, w=3, kh=0, kw=3, stride=1, padding=0, dilation=1, groups=1,
         bias=False, unbatched=False, seed=0)  # zero-size kernel: torch raises, we returned
def test_conv2d(n: int, c: int, o: int, h: int, w: int, kh: int, kw: int, stride: Any,
                padding: Any, dilation: int, groups: int, bias: bool, unbatched: bool,
                seed: int) -> None:
    cg = max(c // groups, 1) if groups > 0 else 1

    def build(L: Lib) -> Any:
        x = L.t((c, h, w) if unbatched else (n, c, h, w), seed)
        weight = L.t((o, cg, kh, kw), seed + 1)
        b = L.t((o,), seed + 2) if bias else None
        return L.F.conv2d(x, weight, b, stride=stride, padding=padding, dilation=dilation,
                          groups=groups)

    check(build)


# -------------------------------------------------------------------------------- pooling
@FUZZ
@given(n=st.integers(1, 2), c=small, h=st.integers(1, 7), w=st.integers(1, 7),
       k=st.sampled_from([1, 2, 2, 3, (2, 3), 0, 4]), stride=st.sampled_from(
           [None, 1, 2, 3, 0, -1]), padding=st.sampled_from([0, 0, 1, 2]),
       dilation=st.sampled_from([1, 1, 2, 0]), ceil_mode=st.booleans(),
       kind=st.sampled_from(["max", "avg"]), count_include_pad=st.booleans(),
       divisor=st.sampled_from([None, None, 1, 3, 0]), unbatched=st.booleans(), seed=seeds)
@example(n=1, c=1, h=4, w=4, k=2, stride=-1, padding=0, dilation=1, ceil_mode=False,
         kind="avg", count_include_pad=True, divisor=None, unbatched=False, seed=0)
def test_pool2d(n: int, c: int, h: int, w: int, k: Any, stride: Any, padding: int,
                dilation: int, ceil_mode: bool, kind: str, count_include_pad: bool,
                divisor: Any, unbatched: bool, seed: int) -> None:
    def build(L: Lib) -> Any:
        x = L.t((c, h, w) if unbatched else (n, c, h, w), seed)
        if kind == "max":
            return L.F.max_pool2d(x, k, stride, padding, dilation, ceil_mode)
        return L.F.avg_pool2d(x, k, stride, padding, ceil_mode, count_include_pad, divisor)

    check(build)


# ---------------------------------------------------------------------------- activations
shapes = st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple)


@FUZZ
@given(shape=shapes, op=st.sampled_from(["relu", "sigmoid", "tanh", "softmax", "log_softmax"]),
       dim=st.integers(-4, 3), scale=st.sampled_from([1.0, 30.0]), seed=seeds)
@example(shape=(), op="softmax", dim=1, scale=1.0, seed=0)  # 0-d: dim 1 is out of range
@example(shape=(), op="log_softmax", dim=0, scale=1.0, seed=0)  # 0-d stays 0-d
@example(shape=(), op="relu", dim=0, scale=1.0, seed=0)  # 0-d gradient came back as (1,)
def test_activations(shape: Tuple[int, ...], op: str, dim: int, scale: float,
                     seed: int) -> None:
    def build(L: Lib) -> Any:
        x = L.t(shape, seed, scale=scale)
        if op in ("softmax", "log_softmax"):
            return getattr(L.F, op)(x, dim)
        return getattr(L.F, op)(x)

    check(build)


# --------------------------------------------------------------------------------- linear
@FUZZ
@given(batch=st.lists(st.integers(1, 3), max_size=2).map(tuple), fin=small, fin_w=small,
       fout=small, bias=st.sampled_from(["none", "vector", "wrong", "matrix"]),
       w1d=st.booleans(), seed=seeds)
@example(batch=(2,), fin=3, fin_w=3, fout=2, bias="matrix", w1d=False, seed=0)
@example(batch=(2,), fin=3, fin_w=3, fout=2, bias="none", w1d=True, seed=0)
@example(batch=(1,), fin=1, fin_w=1, fout=1, bias="vector", w1d=True, seed=0)  # torch raises
def test_linear(batch: Tuple[int, ...], fin: int, fin_w: int, fout: int, bias: str, w1d: bool,
                seed: int) -> None:
    def build(L: Lib) -> Any:
        x = L.t(batch + (fin,), seed)
        weight = L.t((fin_w,) if w1d else (fout, fin_w), seed + 1)
        b = {"none": None, "vector": (fout,), "wrong": (fout + 1,),
             "matrix": batch + (fout,)}[bias]
        return L.F.linear(x, weight, None if b is None else L.t(b, seed + 2))

    check(build)


# --------------------------------------------------------------------------- cross_entropy
@FUZZ
@given(n=st.integers(1, 3), c=st.integers(1, 4), spatial=st.sampled_from([(), (2,), (2, 1)]),
       target_kind=st.sampled_from(["valid", "valid", "bad", "probs", "ignore"]),
       weighted=st.booleans(), smoothing=st.sampled_from([0.0, 0.0, 0.2, 1.0, -0.1]),
       reduction=st.sampled_from(["mean", "sum", "none"]), unbatched=st.booleans(),
       seed=seeds)
@example(n=2, c=3, spatial=(), target_kind="probs", weighted=True, smoothing=0.2,
         reduction="mean", unbatched=False, seed=0)  # class-probability targets
@example(n=1, c=3, spatial=(), target_kind="valid", weighted=False, smoothing=-0.1,
         reduction="mean", unbatched=True, seed=0)  # torch accepts negative smoothing
def test_cross_entropy(n: int, c: int, spatial: Tuple[int, ...], target_kind: str,
                       weighted: bool, smoothing: float, reduction: str, unbatched: bool,
                       seed: int) -> None:
    rng = np.random.default_rng(seed)
    lead = () if unbatched else (n,)
    spatial = () if unbatched else spatial
    labels = rng.integers(0, c, size=lead + spatial)
    if target_kind == "bad":
        labels.flat[0] = c if seed % 2 else -1
    if target_kind == "ignore":
        labels.flat[0] = -100

    def build(L: Lib) -> Any:
        x = L.t(lead + (c,) + spatial, seed)
        if target_kind == "probs":
            target = L.t(lead + (c,) + spatial, seed + 1, grad=False).softmax(
                0 if unbatched else 1)
        else:
            target = L.long(labels)
        weight = L.t((c,), seed + 2, grad=False, positive=True) if weighted else None
        return L.F.cross_entropy(x, target, weight=weight, reduction=reduction,
                                 label_smoothing=smoothing)

    check(build)


# ------------------------------------------------------------- elementwise and broadcasting
@FUZZ
@given(a=shapes, b=shapes, op=st.sampled_from(["add", "sub", "mul", "div", "maximum",
                                               "minimum", "pow", "mse", "where"]),
       seed=seeds)
@example(a=(), b=(), op="where", seed=0)  # WhereBackward returned 3 gradients for 2 inputs
@example(a=(2, 3), b=(3,), op="where", seed=0)
def test_elementwise_broadcasting(a: Tuple[int, ...], b: Tuple[int, ...], op: str,
                                  seed: int) -> None:
    def build(L: Lib) -> Any:
        x = L.t(a, seed, positive=op == "pow")
        y = L.t(b, seed + 1)
        if op == "mse":
            return L.F.mse_loss(x, y, reduction="sum")
        if op == "where":
            return L.m.where(x.detach() > 0, x, y)
        return getattr(L.m, op)(x, y)

    check(build)


# ----------------------------------------------------------------------------- reductions
@FUZZ
@given(shape=shapes, op=st.sampled_from(["sum", "mean", "var", "max", "min", "amax"]),
       dim=st.sampled_from([None, 0, 1, -1, 3, -4, (0, 1), (0, 0), (1, -1)]),
       keepdim=st.booleans(), seed=seeds)
@example(shape=(2, 3), op="mean", dim=(1, -1), keepdim=False, seed=0)  # repeated dim
@example(shape=(), op="sum", dim=1, keepdim=False, seed=0)  # 0-d accepts only dims -1, 0
@example(shape=(), op="amax", dim=(0, 1), keepdim=False, seed=0)  # amax over a tuple of dims
@example(shape=(2, 3), op="amax", dim=(0, 1), keepdim=True, seed=0)
def test_reductions(shape: Tuple[int, ...], op: str, dim: Any, keepdim: bool,
                    seed: int) -> None:
    if op in ("max", "min") and isinstance(dim, tuple):
        dim = dim[0]  # max/min take one dim

    def build(L: Lib) -> Any:
        x = L.t(shape, seed)
        if dim is None:
            return getattr(x, op)()
        out = getattr(x, op)(dim, keepdim=keepdim)
        return tuple(out) if op in ("max", "min") else out

    check(build)


# ------------------------------------------------------------------- reshape and permute
@FUZZ
@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple),
       op=st.sampled_from(["reshape", "view", "permute", "transpose", "flatten", "squeeze",
                           "unsqueeze", "matmul"]),
       target=st.lists(st.integers(-1, 4), min_size=0, max_size=3).map(tuple),
       other=st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple), seed=seeds)
@example(shape=(2, 3, 4), op="matmul", target=(), other=(3, 4, 5), seed=0)  # batch mismatch
@example(shape=(2,), op="permute", target=(), other=(1,), seed=0)  # permute(): TypeError
def test_shape_ops(shape: Tuple[int, ...], op: str, target: Tuple[int, ...],
                   other: Tuple[int, ...], seed: int) -> None:
    def build(L: Lib) -> Any:
        x = L.t(shape, seed)
        if op in ("reshape", "view"):
            return getattr(x, op)(*target) if target else getattr(x, op)(())
        if op == "permute":
            return x.permute(*target)
        if op == "transpose":
            return x.transpose(*(target + (0, 0))[:2])
        if op == "flatten":
            return x.flatten(*(target + (0, -1))[:2])
        if op == "squeeze":
            return x.squeeze(target[0]) if target else x.squeeze()
        if op == "unsqueeze":
            return x.unsqueeze(target[0] if target else 0)
        return x @ L.t(other, seed + 1)

    check(build)
