"""``scatter_reduce``, ``quantile``/``nanquantile``, ``histc``/``histogram`` and ``einsum``
against torch, on every backend: values, dtypes, gradients (torch's, from a weighted sum of
the output) and torch's errors, word for word."""

from __future__ import annotations

import contextlib
import types
from typing import Any, Callable, List

import numpy as np
import pytest
import torch

import minitorch
from minitorch.autograd.ops.select import combine_at
from minitorch.parity import mt_to_np, on_backend, to_minitorch

RNG = np.random.default_rng(7)


def _both(backend: str, call: Callable, operands: List[np.ndarray], grad: bool = True) -> Any:
    """``call(lib, *tensors)`` in torch and in minitorch on ``backend``: for each library the
    output(s) and, with ``grad``, the float operands' gradients of Σ w · output."""
    got = []
    for lib, to_lib, to_np in ((torch, torch.from_numpy, lambda t: t.detach().numpy()),
                               (minitorch, to_minitorch(backend), mt_to_np)):
        with on_backend(backend) if lib is minitorch else contextlib.nullcontext():
            leaves = [to_lib(np.array(a)) for a in operands]
            for t in leaves:
                t.requires_grad_(grad and t.is_floating_point())
            y = call(lib, *leaves)
            outs = list(y) if isinstance(y, tuple) else [y]
            grads = []
            if grad:
                w = np.random.default_rng(1).standard_normal(tuple(outs[0].shape))
                (outs[0] * to_lib(w.astype(operands[0].dtype))).sum().backward()
                grads = [to_np(t.grad) for t in leaves if t.requires_grad]
            got.append(([to_np(o) for o in outs], grads))
    (outs_t, grads_t), (outs_m, grads_m) = got
    for m, t in zip(outs_m + grads_m, outs_t + grads_t):
        assert m.dtype == t.dtype and m.shape == t.shape
        np.testing.assert_allclose(m, t, rtol=1e-6, atol=1e-12)


def _same_error(call: Callable, *operands: Any) -> None:
    """``call(lib, ...)`` raises the same exception type and message in both libraries."""
    errors = []
    for lib, to_lib in ((torch, torch.tensor), (minitorch, minitorch.tensor)):
        with pytest.raises(Exception) as info:
            call(lib, *[to_lib(a) if isinstance(a, (list, np.ndarray)) else a
                        for a in operands])
        errors.append((type(info.value), str(info.value).split("\n")[0]))
    assert errors[0] == errors[1]


# ------------------------------------------------------------------------- scatter_reduce
# small integers: ties for amax/amin, zeros (one or several per position) for prod
X = RNG.integers(-2, 3, (3, 4)).astype(np.float64)
SRC = RNG.integers(-2, 3, (3, 5)).astype(np.float64)
INDEX = np.array([[0, 1, 0, 3, 0], [2, 2, 2, 2, 2], [1, 3, 1, 3, 1]])


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
def test_scatter_reduce_values_and_gradients(reduce: str, include_self: bool,
                                             backend: str) -> None:
    for dtype in (np.float64, np.float32):
        _both(backend, lambda L, x, s: x.scatter_reduce(
            1, L.from_numpy(INDEX) if L is torch else L.tensor(INDEX), s, reduce,
            include_self=include_self), [X.astype(dtype), SRC.astype(dtype)])
    ints = [X.astype(np.int64), SRC.astype(np.int64)]  # integer mean rounds down
    _both(backend, lambda L, x, s: L.scatter_reduce(x, 0, L.tensor(INDEX[:2, :4] % 3), s, reduce,
                                                    include_self=include_self), ints, False)


def test_scatter_reduce_in_place_nan_and_errors(backend: str) -> None:
    x, s = X.copy(), SRC.copy()
    s[0, 0] = np.nan
    _both(backend, lambda L, a, b: a.clone().scatter_reduce_(
        1, L.tensor(INDEX), b, "amax", include_self=False), [x, s])
    _same_error(lambda L, a, i: a.scatter_reduce(0, i, a, "add"), [1.0, 2.0], [0, 1])
    _same_error(lambda L, a, i: a.scatter_reduce(0, i, a.double(), "sum"), [1.0, 2.0], [0, 1])
    _same_error(lambda L, a, i: a.scatter_reduce(0, i, a, "sum"), [1.0, 2.0], [0.0, 1.0])


def test_combine_at_in_rounds_matches_ufunc_at() -> None:
    """The round-by-round path (taken off NumPy, e.g. on CuPy) agrees with ``ufunc.at``."""
    not_numpy = types.SimpleNamespace(**{n: getattr(np, n) for n in dir(np)
                                         if not n.startswith("__")}, __name__="other")
    index = (np.array([[0], [1]]), np.array([[2, 0, 2, 2], [1, 1, 0, 1]]))
    values = RNG.standard_normal((2, 4))
    for op in ("add", "multiply", "maximum", "minimum"):
        want, got = np.ones((2, 3)), np.ones((2, 3))
        getattr(np, op).at(want, index, values)
        combine_at(not_numpy, got, index, values, op)
        np.testing.assert_allclose(got, want)


# ------------------------------------------------------------------- quantile, nanquantile
# distinct values (the gradient follows the sort); ranks landing on .5 test "nearest"'s
# half-to-even rounding; a NaN row and a NaN element
Q = np.array([0.0, 0.125, 0.3, 0.5, 0.625, 1.0])
XQ = RNG.permutation(20).astype(np.float64).reshape(4, 5) / 7
XNAN = XQ.copy()
XNAN[1, 2], XNAN[3] = np.nan, np.nan


@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
def test_quantile_values_and_gradients(interpolation: str, backend: str) -> None:
    def quantile(L: Any, x: Any, q: Any, dim: Any, keepdim: bool, name: str = "quantile") -> Any:
        qs = L.tensor(q, dtype=x.dtype) if isinstance(q, np.ndarray) else q
        return getattr(L, name)(x, qs, dim, keepdim, interpolation=interpolation)

    for dim, keepdim in ((None, False), (None, True), (1, False), (0, True)):
        for q in (0.3, Q):
            for x in (XQ, XQ.astype(np.float32)):
                _both(backend, lambda L, t, a=(q, dim, keepdim): quantile(L, t, *a), [x])
    for name in ("quantile", "nanquantile"):
        _both(backend, lambda L, t, n=name: quantile(L, t, Q, 1, False, n), [XNAN], False)


@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
def test_quantile_errors(name: str) -> None:
    def call(*args: Any, **kwargs: Any) -> Callable:
        return lambda L, x: getattr(L, name)(x, *[a(L) if callable(a) else a for a in args],
                                             **kwargs)

    _same_error(call(1.5), [1.0, 2.0])
    _same_error(call(lambda L: L.tensor([0.5, -0.1])), [1.0, 2.0])
    _same_error(call(0.5), np.zeros(0))
    _same_error(call(0.5), [1, 2])
    _same_error(call(lambda L: L.tensor([[0.5]])), [1.0, 2.0])
    _same_error(call(lambda L: L.tensor([0.5], dtype=L.float64)), [1.0, 2.0])
    _same_error(call(0.5, interpolation="mean"), [1.0])


# --------------------------------------------------------------------- histc, histogram
XH = np.array([0.0, 1.0, 2.0, 2.5, 3.0, 5.0, -1.0, 0.5])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_histc_and_histogram(dtype: Any) -> None:
    x, w = XH.astype(dtype), np.arange(XH.size).astype(dtype)
    with_nan = np.append(x, np.nan).astype(dtype)
    for args in ((4,), (3, 0, 3), (5, 1, 1), (7, -0.5, 2.2), (4, 2, 2), (3, 0.5, 4)):
        _both("numpy", lambda L, t, a=args: L.histc(t, *a), [x], False)
        if len(args) == 3 and args[1] != args[2]:  # NaN left out of a given range
            _both("numpy", lambda L, t, a=args: t.histc(*a), [with_nan], False)
    edges = np.array([-1.0, 0.5, 2.0, 10.0], dtype=dtype)
    for kw in (dict(bins=4), dict(bins=3, range=(0.0, 3.0)), dict(bins=4, density=True)):
        _both("numpy", lambda L, t, k=kw: L.histogram(t, **k), [x], False)
    _both("numpy", lambda L, t, ww: t.histogram(4, weight=ww), [x, w], False)
    _both("numpy", lambda L, t, e, ww: L.histogram(t, e, weight=ww, density=True),
          [x, edges, w], False)
    hist = minitorch.histogram(minitorch.tensor(x), 2)
    assert hist.hist is hist[0] and type(hist).__name__ == "histogram"
    _same_error(lambda L, t: L.histc(t, 4), [1, 2])
    _same_error(lambda L, t: L.histc(t, 4, 3, 1), [1.0, 2.0])
    _same_error(lambda L, t: L.histc(t, bins=0), [1.0, 2.0])
    _same_error(lambda L, t: L.histc(t, bins=-1), [1.0, 2.0])


# ------------------------------------------------------------------------------ einsum
def _t(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape)


EINSUM = [("ii->i", [_t(3, 3)]), ("ii", [_t(3, 3)]), ("iij->j", [_t(3, 3, 4)]),
          ("iji->j", [_t(3, 2, 3)]), ("...ii->...i", [_t(2, 3, 3)]),
          ("...ij,...jk->...ik", [_t(2, 3, 4), _t(4, 5)]),
          ("b...,b...->b", [_t(2, 3, 4), _t(2, 3, 4)]), ("i...->...", [_t(3, 2, 4)]),
          ("...,...", [_t(2, 3), _t(3)]), ("ij,jk", [_t(2, 3), _t(3, 4)]),
          (" i j , j k -> i k ", [_t(2, 3), _t(3, 4)]), ("ji", [_t(2, 3)]),
          ("Ab,bA->A", [_t(2, 3), _t(3, 2)]), ("ij,kj->ik", [_t(2, 1), _t(4, 3)]),
          ("i,j,k->ijk", [_t(2), _t(3), _t(4)]), ("", [_t()]),
          # contracted pairwise by bmm: attention's shapes, chains, a letter summed early,
          # size-1 dims meeting larger ones on a kept and on a summed letter, empty dims
          ("bhqd,bhkd->bhqk", [_t(2, 3, 4, 5), _t(2, 3, 6, 5)]),
          ("ij,jk,kl->il", [_t(2, 3), _t(3, 4), _t(4, 5)]), ("ab,b,a", [_t(3, 4), _t(4), _t(3)]),
          ("abc,cd->ad", [_t(2, 3, 4), _t(4, 5)]), ("i,i->i", [_t(1), _t(4)]),
          ("ij,j->i", [_t(3, 1), _t(4)]), ("ij,jk->ik", [_t(2, 0), _t(0, 3)])]


@pytest.mark.parametrize("equation,operands", EINSUM, ids=[e for e, _ in EINSUM])
def test_einsum_values_and_gradients(equation: str, operands: List[np.ndarray],
                                     backend: str) -> None:
    _both(backend, lambda L, *ts: L.einsum(equation, *ts), operands)


def test_einsum_sublist_format() -> None:
    _both("numpy", lambda L, a, b: L.einsum(a, [0, 1], b, [1, 2], [0, 2]),
          [_t(2, 3), _t(3, 4)])
    _both("numpy", lambda L, a: L.einsum(a, [Ellipsis, 1]), [_t(2, 3)])


@pytest.mark.parametrize("equation,shapes", [
    ("ij,jk", [(2, 3)]), ("ij", [(2, 3), (3, 3)]), ("i1->i", [(2, 3)]), ("i.j", [(2, 3)]),
    ("..i", [(2, 3)]), ("...i...", [(2, 3)]), ("ijk", [(2, 3)]), ("ijkl...", [(2, 3)]),
    ("ii", [(2, 3)]), ("ij->ii", [(2, 3)]), ("ij->k", [(2, 3)]),
    ("ij,ij->ij", [(2, 3), (3, 3)])])
def test_einsum_errors(equation: str, shapes: List[tuple]) -> None:
    _same_error(lambda L, *ts: L.einsum(equation, *ts), *[np.ones(s) for s in shapes])
