"""Differential fuzzing against PyTorch: random ops, shapes and hyper-parameters, valid or not.

Every case runs on torch and on each minitorch CPU backend ("numpy", "numba", "cuda-emulated",
"loops"; the real "cuda" backend too when a GPU is present). Either both raise — the same exception
class — or both return the same values (float64, tight tolerance) and, for valid cases, the
same gradients for a seeded random upstream gradient.

In CI the run is small and derandomized (profile ``ci``); far more cases on demand::

    HYPOTHESIS_PROFILE=deep PYTHONPATH=. python -m pytest parity_tests/test_fuzz_differential.py
    make fuzz      # HYPOTHESIS_PROFILE=fuzz: 10,000 random cases per family

(``deep``/``fuzz``: 2,000/10,000 random examples per op family, not derandomized, so each run
explores new cases; a failure prints the ``@example`` to paste below as a regression test.)

Families, beyond the ops one at a time: pooling corners (dilation × padding × ceil_mode,
windows reaching into the padding), ±inf/NaN inputs and masked (-inf) classes, zero-size
dims, cross-entropy's ignore_index × label_smoothing × weight, negative and wrapping pads,
split sizes and slice steps, optimizers at ±inf, small programs mixing in-place ops, views
and gradient hooks, and backward run from several threads at once.
Every case the fuzzer found wrong is pinned below with ``@example``.
"""

from __future__ import annotations

import os
import warnings
from typing import Any, Callable, List, Sequence, Tuple

import numpy as np
import pytest

torch = pytest.importorskip("torch")
hypothesis = pytest.importorskip("hypothesis")

from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import minitorch  # noqa: E402

# ------------------------------------------------------------------------------ profiles
# This file's own profiles, under names of their own: ``HYPOTHESIS_PROFILE=deep`` selects
# ``differential-deep`` here (2,000 cases a family) while conftest's ``deep`` (400) keeps
# serving the other Hypothesis tests; the two no longer shadow each other.
_PROFILES = {
    "ci": dict(max_examples=25, derandomize=True, deadline=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]),
    "deep": dict(max_examples=2000, derandomize=False, deadline=None, print_blob=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]),
    # ``make fuzz``: 10,000 random cases per family
    "fuzz": dict(max_examples=int(os.environ.get("MINITORCH_FUZZ_EXAMPLES", 10_000)),
                 derandomize=False, deadline=None, print_blob=True,
                 suppress_health_check=list(HealthCheck)),
}
for _name, _kwargs in _PROFILES.items():
    settings.register_profile(f"differential-{_name}", **_kwargs)
_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
FUZZ = settings(settings.get_profile(
    f"differential-{_PROFILE if _PROFILE in _PROFILES else 'ci'}"))

def test_profiles_are_not_shadowed_by_conftest() -> None:
    """``deep`` here means 2,000 cases a family even though conftest registers a ``deep`` of
    its own (400) for the other Hypothesis tests; ``FUZZ`` follows ``HYPOTHESIS_PROFILE``."""
    for name, kwargs in _PROFILES.items():
        assert settings.get_profile(f"differential-{name}").max_examples == kwargs["max_examples"]
    assert settings.get_profile("differential-deep").max_examples == 2000
    assert FUZZ.max_examples == _PROFILES.get(_PROFILE, _PROFILES["ci"])["max_examples"]


BACKENDS = ["numpy", "numba", "cuda-emulated", "loops"] + (
    ["cuda"] if minitorch.cuda.is_available() else [])
RTOL, ATOL = 1e-6, 1e-9
LAYOUTS = ("contiguous", "transposed", "strided")


class Lib:
    """torch and minitorch behind one spelling; tensors from seeded float64 NumPy data."""

    def __init__(self, name: str, device: str = "cpu") -> None:
        self.m = torch if name == "torch" else minitorch
        self.F, self.nn, self.device = self.m.nn.functional, self.m.nn, device
        self.inputs: List[Any] = []
        self.made = 0  # inputs made so far: picks the next one's layout

    def t(self, shape: Sequence[int], seed: int = 0, grad: bool = True, scale: float = 1.0,
          positive: bool = False) -> Any:
        arr = np.random.default_rng(seed).standard_normal(tuple(shape)) * scale
        if positive:
            arr = np.abs(arr) + 0.5
        return self.array(arr, grad)

    def array(self, arr: np.ndarray, grad: bool = True) -> Any:
        """A float64 tensor holding ``arr``; an input to differentiate if ``grad``.

        The i-th input of a case is laid out in memory in one of three ways, in turn:
        contiguous; the transpose of a contiguous tensor (last two dims swapped); every
        second element of a wider tensor (a step-2 slice along the last dim). Every op thus
        also meets views with strides it did not make; the gradients compared are those of
        the leaves underneath."""
        arr = arr.astype(np.float64)
        layout = LAYOUTS[self.made % len(LAYOUTS)] if grad else "contiguous"
        self.made += 1
        if layout == "transposed" and arr.ndim >= 2:
            leaf = self._leaf(np.ascontiguousarray(np.swapaxes(arr, -1, -2)), grad)
            return leaf.transpose(-1, -2)
        if layout == "strided" and arr.ndim >= 1:
            wide = np.zeros(arr.shape[:-1] + (2 * arr.shape[-1],))
            wide[..., ::2] = arr
            return self._leaf(wide, grad)[..., ::2]
        return self._leaf(arr, grad)

    def _leaf(self, arr: np.ndarray, grad: bool) -> Any:
        out = self.m.tensor(arr)
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
        try:  # a hook may refuse the gradient: an outcome like any other
            total.backward()
        except Exception as e:  # noqa: BLE001
            return "raise", e, None
        grads = [None if x.grad is None else _np(x.grad) for x in lib.inputs]
    return "ok", [_np(o) for o in outs], grads


def _run_strict(lib: Lib, build: Callable[[Lib], Any]) -> Tuple[str, Any, Any]:
    """``_run`` with RuntimeWarning an error: NumPy's "invalid value encountered" where torch
    is silent is an outcome that differs from torch's."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return _run(lib, build)


def check(build: Callable[[Lib], Any]) -> None:
    """Run ``build`` on torch and on every minitorch backend; compare the outcomes."""
    kind, ref, ref_grads = _run_strict(Lib("torch"), build)
    for backend in BACKENDS:
        with minitorch.backends.use_backend("numba" if backend == "cuda" else backend):
            got_kind, got, grads = _run_strict(
                Lib("minitorch", "cuda" if backend == "cuda" else "cpu"), build)
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


def _pool_out(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    num = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = num // s + 1
    return out - 1 if ceil_mode and (out - 1) * s >= size + p else out


def _assume_no_empty_max_window(hw: Sequence[int], k: Sequence[int], s: Sequence[int],
                                p: Sequence[int], d: Sequence[int], ceil_mode: bool) -> None:
    """Skip a valid max-pool call with a window wholly in the padding: torch's backward
    writes outside the input there (heap corruption); test_reliability_numerics checks
    ours against loops."""
    if min(k) <= 0 or min(s) <= 0 or min(d) <= 0 or min(p) < 0:
        return
    outs = [_pool_out(hw[i], k[i], s[i], p[i], d[i], ceil_mode) for i in range(2)]
    valid = all(p[i] <= k[i] // 2 and p[i] <= (d[i] * (k[i] - 1) + 1) // 2 and outs[i] >= 1
                for i in range(2))
    hypothesis.assume(not valid or not any(
        any(all(not 0 <= o * s[i] - p[i] + a * d[i] < hw[i] for a in range(k[i]))
            for o in range(outs[i])) for i in range(2)))


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
    if kind == "max":
        kk = (k, k) if isinstance(k, int) else k
        ss = kk if stride is None else (stride, stride)
        _assume_no_empty_max_window((h, w), kk, ss, (padding, padding), (dilation, dilation),
                                    ceil_mode)
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
       fout=small,
       bias=st.sampled_from(["none", "vector", "wrong", "matrix", "rows", "ones", "column"]),
       w1d=st.booleans(), seed=seeds)
@example(batch=(2,), fin=3, fin_w=3, fout=2, bias="matrix", w1d=False, seed=0)
@example(batch=(2,), fin=3, fin_w=3, fout=2, bias="none", w1d=True, seed=0)
@example(batch=(1,), fin=1, fin_w=1, fout=1, bias="vector", w1d=True, seed=0)  # torch raises
@example(batch=(1, 1), fin=1, fin_w=1, fout=2, bias="matrix", w1d=False, seed=0)  # 3-D: addmm
@example(batch=(2, 3), fin=2, fin_w=2, fout=2, bias="rows", w1d=False, seed=0)  # bias (6, out)
@example(batch=(), fin=2, fin_w=2, fout=2, bias="ones", w1d=False, seed=0)  # 1-D x, (1, out) bias
@example(batch=(3,), fin=2, fin_w=2, fout=1, bias="column", w1d=False, seed=0)  # (3, 1): addmm
def test_linear(batch: Tuple[int, ...], fin: int, fin_w: int, fout: int, bias: str, w1d: bool,
                seed: int) -> None:
    def build(L: Lib) -> Any:
        x = L.t(batch + (fin,), seed)
        weight = L.t((fin_w,) if w1d else (fout, fin_w), seed + 1)
        b = {"none": None, "vector": (fout,), "wrong": (fout + 1,),
             "matrix": batch + (fout,), "rows": (int(np.prod(batch)), fout),
             "ones": (1,) * len(batch) + (fout,), "column": (int(np.prod(batch)), 1)}[bias]
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


# ============================================================ edges: where silent bugs hide
def _special(shape: Sequence[int], seed: int, kinds: Sequence[float]) -> np.ndarray:
    """Seeded normal data with about a quarter of the entries replaced by ``kinds``."""
    rng = np.random.default_rng(seed)
    arr = rng.standard_normal(tuple(shape))
    if kinds and arr.size:
        mask = rng.random(arr.shape) < 0.25
        arr[mask] = rng.choice(np.asarray(kinds, dtype=np.float64), size=int(mask.sum()))
    return arr


SPECIALS = st.sampled_from([(), (np.inf,), (-np.inf,), (np.nan,), (np.inf, -np.inf, np.nan)])






# ------------------------------------------------- pooling: dilation × padding × ceil_mode
@FUZZ
@given(h=st.integers(1, 8), w=st.integers(1, 8), kh=st.integers(1, 4), kw=st.integers(1, 4),
       sh=st.integers(1, 4), sw=st.integers(1, 4), ph=st.integers(0, 3), pw=st.integers(0, 3),
       dh=st.integers(1, 4), dw=st.integers(1, 4), ceil_mode=st.booleans(),
       kind=st.sampled_from(["max", "max_indices", "avg", "avg_exclude"]),
       divisor=st.sampled_from([None, None, None, 2, -3]), specials=SPECIALS, seed=seeds)
@example(h=8, w=8, kh=2, kw=2, sh=2, sw=2, ph=2, pw=2, dh=3, dw=3, ceil_mode=False,
         kind="max", divisor=None, specials=(), seed=0)  # pad > kernel/2: torch raises
@example(h=4, w=4, kh=2, kw=2, sh=2, sw=2, ph=1, pw=1, dh=1, dw=1, ceil_mode=False,
         kind="avg", divisor=-3, specials=(), seed=0)  # negative divisor divides (numba: 1)
@example(h=5, w=5, kh=3, kw=3, sh=2, sw=2, ph=1, pw=1, dh=2, dw=2, ceil_mode=True,
         kind="max_indices", divisor=None, specials=(-np.inf,), seed=1)
def test_pool_corners(h: int, w: int, kh: int, kw: int, sh: int, sw: int, ph: int, pw: int,
                      dh: int, dw: int, ceil_mode: bool, kind: str, divisor: Any,
                      specials: Sequence[float], seed: int) -> None:
    if kind.startswith("max"):
        _assume_no_empty_max_window((h, w), (kh, kw), (sh, sw), (ph, pw), (dh, dw), ceil_mode)

    def build(L: Lib) -> Any:
        x = L.array(_special((2, 2, h, w), seed, specials))
        if kind.startswith("max"):
            return L.F.max_pool2d(x, (kh, kw), (sh, sw), (ph, pw), (dh, dw), ceil_mode,
                                  return_indices=kind == "max_indices")
        return L.F.avg_pool2d(x, (kh, kw), (sh, sw), (ph, pw), ceil_mode,
                              kind == "avg", divisor)

    check(build)


# ------------------------------------------------------------- ±inf/NaN through every op
SPECIAL_OPS = {
    "relu": lambda L, x: L.F.relu(x),
    "sigmoid": lambda L, x: L.F.sigmoid(x),
    "tanh": lambda L, x: L.F.tanh(x),
    "softmax": lambda L, x: L.F.softmax(x, -1),
    "log_softmax": lambda L, x: L.F.log_softmax(x, 1),
    "exp": lambda L, x: x.exp(),
    "abs": lambda L, x: x.abs(),
    "clamp": lambda L, x: x.clamp(-1.0, 0.5),
    "sum": lambda L, x: x.sum(1),
    "mean": lambda L, x: x.mean(),
    "amax": lambda L, x: x.amax(-1),
    "max_dim": lambda L, x: x.max(1),
    "square": lambda L, x: x * x,
    "scale_shift": lambda L, x: x * 2.0 - 1.0,
    "max_pool": lambda L, x: L.F.max_pool2d(x.reshape(1, 1, *x.shape), 2, 1, 1),
    "avg_pool": lambda L, x: L.F.avg_pool2d(x.reshape(1, 1, *x.shape), 2, 1, 1, True, False),
    "linear": lambda L, x: L.F.linear(x, L.m.ones(2, x.shape[-1], dtype=L.m.float64) * 0.5),
    "mse": lambda L, x: L.F.mse_loss(x, L.m.zeros(*x.shape, dtype=L.m.float64)),
}


@FUZZ
@given(op=st.sampled_from(sorted(SPECIAL_OPS)), rows=st.integers(1, 4), cols=st.integers(1, 5),
       specials=SPECIALS, seed=seeds)
@example(op="log_softmax", rows=2, cols=3, specials=(-np.inf,), seed=3)
@example(op="amax", rows=2, cols=2, specials=(np.inf,), seed=2)  # ties share amax's gradient
def test_special_values(op: str, rows: int, cols: int, specials: Sequence[float],
                        seed: int) -> None:
    check(lambda L: SPECIAL_OPS[op](L, L.array(_special((rows, cols), seed, specials))))


# ------------------------------- cross_entropy: ignore_index × label_smoothing × weight
@FUZZ
@given(n=st.integers(1, 4), c=st.integers(1, 5), spatial=st.sampled_from([(), (2,)]),
       masked=st.floats(0.0, 0.6), ignored=st.floats(0.0, 1.0),
       ignore_index=st.sampled_from([-100, 0, 1, 7]), weighted=st.booleans(),
       zero_weight=st.booleans(), smoothing=st.sampled_from([0.0, 0.0, 0.1, 1.0]),
       reduction=st.sampled_from(["mean", "sum", "none"]),
       loss=st.sampled_from(["cross_entropy", "nll_loss"]), seed=seeds)
@example(n=2, c=3, spatial=(), masked=0.4, ignored=0.0, ignore_index=-100, weighted=False,
         zero_weight=False, smoothing=0.0, reduction="mean", loss="cross_entropy", seed=0)
@example(n=2, c=2, spatial=(), masked=0.5, ignored=0.5, ignore_index=-100, weighted=False,
         zero_weight=False, smoothing=0.0, reduction="mean", loss="nll_loss", seed=5)
@example(n=1, c=2, spatial=(), masked=0.0, ignored=0.0, ignore_index=-100, weighted=True,
         zero_weight=True, smoothing=0.1, reduction="mean", loss="cross_entropy", seed=1)
def test_cross_entropy_masked(n: int, c: int, spatial: Tuple[int, ...], masked: float,
                              ignored: float, ignore_index: int, weighted: bool,
                              zero_weight: bool, smoothing: float, reduction: str, loss: str,
                              seed: int) -> None:
    """-inf logits (masked classes), ignored targets landing on them, zero class weights."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c) + spatial)
    x[rng.random(x.shape) < masked] = -np.inf
    labels = rng.integers(0, c, size=(n,) + spatial)
    labels[rng.random(labels.shape) < ignored] = ignore_index
    w = rng.random(c) + 0.5
    if zero_weight:
        w[rng.integers(0, c)] = 0.0

    def build(L: Lib) -> Any:
        logits = L.array(x)
        weight = L.array(w, grad=False) if weighted else None
        if loss == "nll_loss":
            return L.F.nll_loss(logits, L.long(labels), weight=weight,
                                ignore_index=ignore_index, reduction=reduction)
        return L.F.cross_entropy(logits, L.long(labels), weight=weight,
                                 ignore_index=ignore_index, reduction=reduction,
                                 label_smoothing=smoothing)

    check(build)


# --------------------------------------------------------------------- zero-size dims
@FUZZ
@given(shape=st.lists(st.integers(0, 3), min_size=1, max_size=3).map(tuple).filter(
           lambda s: 0 in s),
       op=st.sampled_from(["sum", "mean", "amax", "softmax", "log_softmax", "relu", "linear",
                           "matmul", "reshape", "cat", "mse", "cross_entropy", "argmax",
                           "max", "var"]),
       dim=st.integers(-3, 2), seed=seeds)
@example(shape=(2, 0), op="softmax", dim=1, seed=0)  # NumPy max over an empty axis
@example(shape=(2, 0), op="linear", dim=1, seed=0)  # reshape(-1, 0) fails in NumPy
@example(shape=(0,), op="linear", dim=0, seed=0)  # 1-D input, no features
@example(shape=(2, 0), op="cross_entropy", dim=1, seed=0)
@example(shape=(0,), op="cat", dim=1, seed=0)  # legacy 1-D empties: torch checks no dim
@example(shape=(1, 0, 1), op="cross_entropy", dim=0, seed=0)  # zero classes, spatial dims
def test_zero_size(shape: Tuple[int, ...], op: str, dim: int, seed: int) -> None:
    def build(L: Lib) -> Any:
        x = L.t(shape, seed)
        if op in ("sum", "mean", "amax", "var"):
            return getattr(x, op)(dim)
        if op in ("argmax", "max"):
            return x.argmax() if op == "argmax" else x.max()
        if op in ("softmax", "log_softmax"):
            return getattr(L.F, op)(x, dim)
        if op == "relu":
            return L.F.relu(x)
        if op == "linear":
            return L.F.linear(x, L.t((2, shape[-1]), seed + 1))
        if op == "matmul":
            return x @ L.t((shape[-1], 2), seed + 1)
        if op == "reshape":
            return x.reshape(-1, 2) if len(shape) > 1 else x.reshape(0, -1)
        if op == "cat":
            return L.m.cat([x, L.t(shape, seed + 1)], dim)
        if op == "mse":
            return L.F.mse_loss(x, L.t(shape, seed + 1, grad=False))
        target = L.long(np.full((shape[0],) + shape[2:], -100))
        return L.F.cross_entropy(x, target, reduction=["mean", "sum", "none"][seed % 3])

    check(build)


# ------------------------------------------------------------------ pads of every sign
@FUZZ
@given(shape=st.sampled_from([(1, 1, 3, 4), (2, 3, 5), (1, 2, 4, 3)]),
       pads=st.lists(st.integers(-5, 5), min_size=2, max_size=4).filter(
           lambda p: len(p) % 2 == 0),
       mode=st.sampled_from(["constant", "reflect", "replicate", "circular"]), seed=seeds)
@example(shape=(1, 1, 3, 4), pads=[-1, -1, 0, 0], mode="circular", seed=0)  # NumPy error
@example(shape=(1, 1, 3, 4), pads=[5, 5, 0, 0], mode="circular", seed=0)  # wraps twice
@example(shape=(1, 1, 3, 4), pads=[-5, 0, 0, 0], mode="constant", seed=0)
def test_pad(shape: Tuple[int, ...], pads: List[int], mode: str, seed: int) -> None:
    if mode == "circular":  # where torch reads its own unwritten output, we raise (see F.pad)
        dims = [(pads[2 * i], pads[2 * i + 1], shape[-1 - i]) for i in range(len(pads) // 2)]
        out = [n + b + a for b, a, n in dims]
        hypothesis.assume(min(out) <= 0 or all(max(b, a, 0) <= n + min(b, 0) + min(a, 0)
                                               for b, a, n in dims))
        hypothesis.assume(min(out) != 0 or all(max(b, a) <= n for b, a, n in dims) and
                          all(o >= 0 for o in out) and False)  # torch: internal errors

    check(lambda L: L.F.pad(L.t(shape, seed), pads, mode=mode))


# ----------------------------------------------------- split sizes, slices, big ints
@FUZZ
@given(size=st.integers(0, 6), sizes=st.lists(st.integers(-1, 4), max_size=4),
       start=st.one_of(st.none(), st.integers(-7, 7)), stop=st.one_of(st.none(),
                                                                       st.integers(-7, 7)),
       step=st.one_of(st.none(), st.integers(-3, 3)),
       op=st.sampled_from(["split_sizes", "split_int", "chunk", "slice", "tensor_int"]),
       big=st.sampled_from([0, 2 ** 62, 2 ** 63 - 1, 2 ** 63, -2 ** 63, -2 ** 63 - 1, 2 ** 70]),
       seed=seeds)
@example(size=5, sizes=[2, 2], start=None, stop=None, step=None, op="split_sizes", big=0,
         seed=0)  # sizes not summing to the dim: torch raises, we returned the pieces
@example(size=5, sizes=[], start=None, stop=None, step=-1, op="slice", big=0, seed=0)
@example(size=1, sizes=[], start=None, stop=None, step=None, op="tensor_int", big=2 ** 63,
         seed=0)  # NumPy wrapped 2**63 to -2**63
@example(size=0, sizes=[], start=None, stop=None, step=None, op="chunk", big=0, seed=0)
def test_split_slice_and_ints(size: int, sizes: List[int], start: Any, stop: Any, step: Any,
                              op: str, big: int, seed: int) -> None:
    def build(L: Lib) -> Any:
        x = L.t((size, 2), seed)
        if op == "split_sizes":
            return x.split(sizes)
        if op == "split_int":
            return x.split(sizes[0] if sizes else 2)
        if op == "chunk":
            return x.chunk(sizes[0] if sizes else 2)
        if op == "slice":
            return x[start:stop:step]
        return L.m.tensor([[big, 1]] * size) if size else L.m.tensor(big)

    check(build)


# -------------------------------------------------------------------- optimizers at ±inf
@FUZZ
@given(opt=st.sampled_from(["SGD", "Adam"]), momentum=st.sampled_from([0.0, 0.9]),
       amsgrad=st.booleans(), weight_decay=st.sampled_from([0.0, 0.0, 0.1]),
       specials=SPECIALS, grad_specials=SPECIALS, zero_grad=st.floats(0.0, 1.0),
       steps=st.integers(1, 3), seed=seeds)
@example(opt="Adam", momentum=0.0, amsgrad=False, weight_decay=0.0, specials=(np.inf,),
         grad_specials=(), zero_grad=1.0, steps=1, seed=0)  # Adam turned inf into NaN
def test_optimizer_special_values(opt: str, momentum: float, amsgrad: bool,
                                  weight_decay: float, specials: Sequence[float],
                                  grad_specials: Sequence[float], zero_grad: float,
                                  steps: int, seed: int) -> None:
    rng = np.random.default_rng(seed + 1)
    grads = [np.where(rng.random(6) >= zero_grad, _special((6,), seed + 10 + i, grad_specials),
                      0.0) for i in range(steps)]

    def build(L: Lib) -> Any:
        p = L.m.nn.Parameter(L.m.tensor(_special((6,), seed, specials)))
        if opt == "SGD":
            o = L.m.optim.SGD([p], lr=0.1, momentum=momentum, weight_decay=weight_decay)
        else:
            o = L.m.optim.Adam([p], lr=0.1, amsgrad=amsgrad, weight_decay=weight_decay)
        for g in grads:
            p.grad = L.m.tensor(g)
            o.step()
        return p.detach()

    check(build)


# ------------------------------------------- programs: in-place ops, views and hooks
PROGRAM_STEPS = ["add_", "mul_", "relu_", "sigmoid", "tanh", "transpose", "slice", "reshape",
                 "hook_scale", "hook_bad", "retain", "square", "sum_keep", "clone", "expand",
                 "detach_mix", "add_other", "mul_other", "addcmul_other", "copy_other"]
# Operands of the "*_other" steps: shapes that broadcast to the program's value, shapes that
# would need the value itself to grow (torch refuses those in place), and scalars.
OTHER_SHAPES = [(), (1,), (3,), (2,), (1, 1), (2, 1), (1, 3), (3, 1), (2, 3), (3, 3),
                (2, 2, 3), (1, 2, 3)]


@FUZZ
@given(steps=st.lists(st.sampled_from(PROGRAM_STEPS), min_size=1, max_size=8),
       rows=st.integers(1, 3), cols=st.integers(1, 3), specials=SPECIALS, seed=seeds)
@example(steps=["hook_bad"], rows=2, cols=3, specials=(), seed=0)  # broadcast silently
@example(steps=["clone", "mul_", "hook_scale", "relu_"], rows=2, cols=2, specials=(),
         seed=0)
@example(steps=["transpose", "hook_scale", "add_"], rows=1, cols=1, specials=(), seed=0)
@example(steps=["transpose", "add_", "hook_scale", "add_"], rows=1, cols=1, specials=(), seed=0)
@example(steps=["relu_", "add_"], rows=1, cols=1, specials=(), seed=0)  # saved output edited
@example(steps=["expand", "slice", "add_"], rows=1, cols=1, specials=(), seed=0)
@example(steps=["transpose", "hook_scale", "transpose", "add_"], rows=1, cols=1, specials=(),
         seed=0)  # hooks on views changed in place never fire, as in torch
@example(steps=["transpose", "add_", "hook_scale", "transpose", "add_"], rows=1, cols=1,
         specials=(), seed=0)
@example(steps=["expand", "sigmoid", "expand", "reshape", "add_"], rows=1, cols=1,
         specials=(), seed=0)  # reshape of an expanded tensor copies: not a view
@example(steps=["transpose", "add_", "square"], rows=1, cols=1, specials=(np.inf,), seed=3)
@example(steps=["add_other", "mul_other", "copy_other"], rows=2, cols=3, specials=(), seed=1)
@example(steps=["clone", "addcmul_other", "slice", "add_other"], rows=3, cols=1, specials=(),
         seed=5)
def test_programs(steps: List[str], rows: int, cols: int, specials: Sequence[float],
                  seed: int) -> None:
    def build(L: Lib) -> Any:
        x = L.array(_special((rows, cols), seed, specials))
        y = x * 1.5
        kept = []
        for i, step in enumerate(steps):
            if step == "add_":
                y = y.add_(0.5)
            elif step == "mul_":
                y = y.mul_(-2.0)
            elif step == "relu_":
                y = L.F.relu(y, inplace=True)
            elif step in ("sigmoid", "tanh"):
                y = getattr(L.F, step)(y)
            elif step == "transpose":
                y = y.transpose(0, 1) if y.ndim == 2 else y
            elif step == "slice":
                y = y[: max(y.shape[0] - 1, 1)] if y.ndim else y
            elif step == "reshape":
                y = y.reshape(-1)
            elif step == "hook_scale":
                y.register_hook(lambda g: g * 3.0)
            elif step == "hook_bad":
                y.register_hook(lambda g: g.sum().reshape(1).expand(1, 1) if g.numel() > 1
                                else g.reshape(1, 1, 1))
            elif step == "retain":
                y.retain_grad()
                kept.append(y)
            elif step == "square":
                y = y * y
            elif step == "sum_keep":
                y = y.sum(0, keepdim=True) if y.ndim else y
            elif step == "clone":
                y = y.clone()
            elif step == "expand":
                y = y.reshape(1, -1).expand(2, -1)
            elif step == "detach_mix":
                y = y + y.detach() * 0.25
            elif step.endswith("_other"):  # an in-place op with an operand of another shape
                shape = OTHER_SHAPES[(seed + 7 * i) % len(OTHER_SHAPES)]
                other = L.array(_special(shape, seed + i, specials))
                if step == "add_other":
                    y = y.add_(other, alpha=0.5)
                elif step == "mul_other":
                    y = y.mul_(other)
                elif step == "addcmul_other":
                    y = y.addcmul_(other, other, value=-0.25)
                else:
                    y = y.copy_(other)
        return y

    check(build)


# --------------------------------------------------------- backward from several threads
@FUZZ
@given(threads=st.integers(2, 6), repeats=st.integers(1, 20), size=st.integers(1, 300),
       shared_graph=st.booleans(), seed=seeds)
@example(threads=4, repeats=20, size=300, shared_graph=False, seed=0)
def test_backward_from_threads(threads: int, repeats: int, size: int, shared_graph: bool,
                               seed: int) -> None:
    """Each thread runs ``repeats`` backward passes into the same leaf (through its own
    graph, or through one graph kept with retain_graph): no update may be lost."""
    import threading

    scale = np.random.default_rng(seed).standard_normal(size)
    results = []
    for lib in (torch, minitorch):
        w = lib.tensor(np.zeros(size), requires_grad=True)
        s = lib.tensor(scale)
        shared = (w * s).sum() if shared_graph else None

        def work(lib: Any = lib, w: Any = w, s: Any = s, shared: Any = shared) -> None:
            for _ in range(repeats):
                if shared is not None:
                    shared.backward(retain_graph=True)
                else:
                    (w * s).sum().backward()

        workers = [threading.Thread(target=work) for _ in range(threads)]
        for t in workers:
            t.start()
        for t in workers:
            t.join()
        results.append(_np(w.grad))
    np.testing.assert_allclose(results[1], results[0], rtol=1e-12)
    np.testing.assert_allclose(results[1], scale * threads * repeats, rtol=1e-12)
