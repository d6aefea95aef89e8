"""``str(tensor)`` is PyTorch's, character for character: the same numbers in the same
layout (line width, precision, int mode, scientific notation, summarisation with ``...``) and
the same suffixes (dtype, size, requires_grad, grad_fn), under ``set_printoptions`` too.
Compared with torch on a seeded grid of shapes × value kinds and on hypothesis arrays; dtype
names differ only by the module (``minitorch.float64`` for ``torch.float64``)."""

from __future__ import annotations

import itertools
import re
import zlib
from typing import Any, Callable, Dict

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minitorch

SHAPES = [(), (0,), (0, 3), (2, 0, 1), (1,), (5,), (9,), (17,), (3, 4), (2, 3, 4),
          (2, 1, 2, 3), (1001,), (40, 30), (7, 200), (3, 400), (11, 11, 11)]


def _kinds() -> Dict[str, Callable[[np.random.Generator, tuple], np.ndarray]]:
    def special(g: np.random.Generator, s: tuple) -> np.ndarray:
        a = g.standard_normal(s)
        flat = a.reshape(-1)
        flat[::4] = np.inf
        flat[1::5] = np.nan
        flat[2::7] = -np.inf
        return a

    return {
        "normal": lambda g, s: g.standard_normal(s),
        "tiny": lambda g, s: g.standard_normal(s) * 1e-6,
        "huge": lambda g, s: g.standard_normal(s) * 1e9,
        "wide_range": lambda g, s: g.standard_normal(s) * 10.0 ** g.integers(-3, 5, s),
        "hundreds": lambda g, s: g.uniform(-999, 999, s),
        "integral_float": lambda g, s: np.round(g.standard_normal(s) * 100),
        "integral_huge": lambda g, s: np.round(g.standard_normal(s) * 1e9),
        "zeros": lambda g, s: np.zeros(s),
        "negative_zero": lambda g, s: -np.zeros(s),
        "special": special,
        "all_nan": lambda g, s: np.full(s, np.nan),
        "float64": lambda g, s: g.standard_normal(s).astype(np.float64) * 3,
        "ints": lambda g, s: g.integers(-1000, 1000, s).astype(np.int64),
        "big_ints": lambda g, s: g.integers(-2**62, 2**62, s).astype(np.int64),
        "bools": lambda g, s: g.random(s) > 0.5,
    }


KINDS = _kinds()


def _both(a: np.ndarray, dtype: Any = "keep") -> tuple:
    if a.dtype == np.float64 and dtype == "keep":
        return minitorch.tensor(a), torch.tensor(a)
    if a.dtype.kind == "f":
        return minitorch.tensor(a.astype(np.float32)), torch.tensor(a.astype(np.float32))
    return minitorch.tensor(a), torch.tensor(a)


def _unwrap_suffixes(text: str) -> str:
    """``minitorch.float64`` is 4 characters longer than ``torch.float64``, which can move a
    following suffix to its own line; compare suffixes without their line breaks."""
    return re.sub(r",\s+(?=(grad_fn|requires_grad|dtype|size|device)=)", ", ", text)


def _same(got: Any, want: Any) -> None:
    mine, theirs = str(got), str(want).replace("torch.", "minitorch.")
    if "dtype=" in theirs:
        mine, theirs = _unwrap_suffixes(mine), _unwrap_suffixes(theirs)
    assert mine == theirs, f"\nminitorch:\n{got}\ntorch:\n{want}"
    assert repr(got) == str(got)


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_grid_matches_torch(shape: tuple, kind: str) -> None:
    g = np.random.default_rng(zlib.crc32(f"{shape}{kind}".encode()))
    a = KINDS[kind](g, shape)
    if kind != "float64" and a.dtype == np.float64:
        a = a.astype(np.float32)
    got, want = _both(np.asarray(a))
    _same(got, want)


OPTIONS = [dict(precision=2), dict(precision=8), dict(sci_mode=True), dict(sci_mode=False),
           dict(linewidth=120), dict(linewidth=30), dict(threshold=10), dict(edgeitems=1),
           dict(threshold=10, edgeitems=0), dict(profile="short"), dict(profile="full")]


@pytest.mark.parametrize("options", OPTIONS, ids=str)
@pytest.mark.parametrize("kind", ["normal", "wide_range", "integral_float", "ints", "bools"])
def test_printoptions_match_torch(options: dict, kind: str) -> None:
    a = KINDS[kind](np.random.default_rng(5), (6, 300))
    a = a.astype(np.float32) if a.dtype.kind == "f" else a
    got, want = _both(a)
    before_mt, before_torch = minitorch.get_printoptions(), torch._tensor_str.get_printoptions()
    try:
        minitorch.set_printoptions(**options)
        torch.set_printoptions(**options)
        assert minitorch.get_printoptions() == torch._tensor_str.get_printoptions()
        _same(got, want)
        _same(got[0, :7], want[0, :7])
    finally:
        minitorch.set_printoptions(**before_mt)
        torch.set_printoptions(**before_torch)


@pytest.mark.parametrize("make", [
    lambda L, a: L.tensor(a, requires_grad=True),
    lambda L, a: L.tensor(a, requires_grad=True) * 2,
    lambda L, a: L.tensor(a, requires_grad=True).sum(),
    lambda L, a: L.tensor(a, requires_grad=True).double().exp(),
    lambda L, a: L.tensor(a, requires_grad=True).abs(),
    lambda L, a: L.tensor(a[:0], requires_grad=True),
    lambda L, a: L.nn.Parameter(L.tensor(a)),
    lambda L, a: L.tensor(np.full((3, 9), 123456.7, np.float32), requires_grad=True) + 0,
], ids=["leaf", "mul", "sum", "double_exp", "abs", "empty_leaf", "parameter",
        "suffix_wraps"])
def test_autograd_suffixes_match_torch(make: Callable[[Any, np.ndarray], Any]) -> None:
    a = np.random.default_rng(1).standard_normal((2, 3)).astype(np.float32)
    _same(make(minitorch, a), make(torch, a))


@given(hnp.arrays(dtype=st.sampled_from([np.float32, np.float64, np.int64, np.bool_]),
                  shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=7),
                  elements={"allow_subnormal": False}))
def test_hypothesis_arrays_match_torch(a: np.ndarray) -> None:
    _same(minitorch.tensor(a), torch.tensor(a))


def test_every_kind_and_shape_is_exercised() -> None:
    """The grid covers summarised (> 1000 elements), wrapped and 0-d layouts."""
    sizes = [int(np.prod(s)) for s in SHAPES]
    assert max(sizes) > 1000 and 0 in sizes and () in SHAPES
    assert len(list(itertools.product(SHAPES, KINDS))) >= 200
