"""Property: whatever ``minitorch.save`` writes, ``minitorch.load`` reads back equal — and
whatever ``load`` would refuse, ``save`` refuses up front (the file is not touched).

Trees like state_dicts: nested dicts/lists/tuples of tensors of every minitorch dtype (with
requires_grad, as Parameters, 0-d, empty), NumPy arrays of every numeric dtype, numbers,
strings, None — and, mixed in, things no checkpoint holds (object/str/date/record arrays,
sets, complex numbers, arbitrary objects). Both formats; what the torch format writes is
also read by ``torch.load(weights_only=True)``.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch
from minitorch import nn
from minitorch.serialization import MAX_DEPTH

SETTINGS = settings(derandomize=True, max_examples=40, deadline=None, print_blob=True)
DTYPES = [minitorch.float32, minitorch.float64, minitorch.int64, minitorch.bool]
NUMPY_DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                "uint64", "float16", "float32", "float64", "complex64", "complex128", ">f4",
                ">i8", ">u4"]


@st.composite
def tensors(draw: st.DrawFn) -> minitorch.Tensor:
    dtype = draw(st.sampled_from(DTYPES))
    shape = tuple(draw(st.lists(st.integers(0, 3), max_size=3)))
    seed = draw(st.integers(0, 2**16))
    values = np.random.default_rng(seed).normal(size=shape) * 10
    t = minitorch.from_numpy(np.asarray(values).astype(dtype.np))
    if dtype.is_floating_point:
        kind = draw(st.sampled_from(["plain", "grad", "param", "frozen"]))
        if kind == "grad":
            t.requires_grad_(True)
        elif kind in ("param", "frozen"):
            t = nn.Parameter(t, requires_grad=kind == "param")
    return t


@st.composite
def arrays(draw: st.DrawFn) -> np.ndarray:
    dtype = np.dtype(draw(st.sampled_from(NUMPY_DTYPES)))
    shape = tuple(draw(st.lists(st.integers(0, 3), max_size=2)))
    raw = np.random.default_rng(draw(st.integers(0, 2**16))).integers(0, 100, size=shape)
    return raw.astype(dtype)


plain = (st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.text(max_size=8)
         | st.floats(allow_nan=True, allow_infinity=True))
keys = st.text(max_size=6) | st.integers(-5, 5)


def trees(leaves: st.SearchStrategy) -> st.SearchStrategy:
    return st.recursive(leaves, lambda children: (
        st.lists(children, max_size=3) | st.tuples(children, children)
        | st.dictionaries(keys, children, max_size=3)), max_leaves=8)


class Opaque:
    pass


unstorable = st.sampled_from([
    lambda: np.array(["text"]), lambda: np.array([Opaque()], dtype=object),
    lambda: np.array(["2020-01-01"], dtype="datetime64[D]"),
    lambda: np.zeros(2, dtype=[("a", "f4"), ("b", "i4")]), lambda: {1, 2}, lambda: 1 + 2j,
    lambda: Opaque(), lambda: np.complex64(1), lambda: b"bytes",
]).map(lambda make: make())


def same(a: object, b: object) -> bool:
    """Equal values, types, dtypes, shapes, requires_grad; NaN equals NaN."""
    if isinstance(b, minitorch.Tensor):
        return (type(a) is type(b) and a.dtype == b.dtype and a.shape == b.shape
                and a.requires_grad == b.requires_grad
                and np.array_equal(a.detach().numpy(), b.detach().numpy(), equal_nan=True))
    if isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and a.dtype.newbyteorder("=") == b.dtype.newbyteorder(
            "=") and a.shape == b.shape and np.array_equal(a, b, equal_nan=b.dtype.kind in "fc")
                and a.dtype.isnative)
    if type(a) is not type(b):
        return False
    if isinstance(b, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in b)
    if isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(b, float) and math.isnan(b):
        return math.isnan(a)
    return a == b


def from_torch(torch: object, obj: object) -> object:
    """What torch.load returned, with minitorch tensors in place of torch's."""
    if isinstance(obj, torch.Tensor):
        t = minitorch.from_numpy(obj.detach().numpy().copy())
        if isinstance(obj, torch.nn.Parameter):
            return nn.Parameter(t, requires_grad=obj.requires_grad)
        return t.requires_grad_(True) if obj.requires_grad else t
    if isinstance(obj, dict):
        return type(obj)((k, from_torch(torch, v)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return type(obj)(from_torch(torch, v) for v in obj)
    return obj


def check(tree: object, fmt: str) -> bool:
    """Save ``tree``; if save refuses it, the file is untouched; else load gives it back.
    Returns whether it was saved."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ck.pt"
        path.write_bytes(b"previous")
        try:
            minitorch.save(tree, path, format=fmt)
        except (TypeError, ValueError):
            assert path.read_bytes() == b"previous"
            return False
        back = minitorch.load(path)
        assert same(back, tree), (back, tree)
        if fmt == "torch":
            torch = pytest.importorskip("torch")
            theirs = from_torch(torch, torch.load(path, weights_only=True))
            assert same(theirs, tree), (theirs, tree)
        return True


@SETTINGS
@given(trees(tensors() | arrays() | plain))
def test_minitorch_format_round_trip(tree: object) -> None:
    assert check(tree, "minitorch")  # every one of these is storable


@SETTINGS
@given(trees(tensors() | plain))
def test_torch_format_round_trip(tree: object) -> None:
    assert check(tree, "torch")


@SETTINGS
@given(trees(tensors() | arrays() | plain | unstorable), st.sampled_from(["minitorch", "torch"]))
def test_save_refuses_up_front_what_load_refuses(tree: object, fmt: str) -> None:
    check(tree, fmt)  # either refused with the file untouched, or read back equal


@pytest.mark.parametrize("fmt", ["minitorch", "torch"])
def test_nesting_limit_is_the_same_for_save_and_load(fmt: str) -> None:
    def nest(depth: int) -> object:
        tree: object = minitorch.ones(1)
        for i in range(depth):
            tree = [tree] if i % 3 == 0 else ({"k": tree} if i % 3 == 1 else (tree,))
        return tree

    assert check(nest(MAX_DEPTH), fmt)
    assert not check(nest(MAX_DEPTH + 1), fmt)
    looped: list = []
    looped.append(looped)
    assert not check(looped, fmt)  # refers to itself: refused, not a RecursionError
