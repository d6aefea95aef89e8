"""The dtypes after float32/float64/int64/bool — int32, int16, int8, uint8, float16 — against
torch: storage and conversions, type names, creation, limits, the promotion table (every
pair of dtypes × tensor / 0-dim tensor / Python number, for add, mul, div, eq and where),
integer arithmetic that wraps, reductions' result dtypes, indexing and gather index rules,
refusals with torch's messages, and float16 compute (rounded once from float32, as torch's
CPU kernels) with gradients, on the numpy and numba backends."""

from __future__ import annotations

import itertools
from typing import Any, Callable

import numpy as np
import pytest
import torch

import minitorch

NAMES = ("float16", "float32", "float64", "uint8", "int8", "int16", "int32", "int64", "bool")
NEW = ("float16", "uint8", "int8", "int16", "int32")
CPU_BACKENDS = ("numpy", "numba")


def both(name: str) -> tuple:
    """(minitorch dtype, torch dtype) called ``name``."""
    return getattr(minitorch, name), getattr(torch, name)


def same(ours: Any, theirs: Any, exact: bool = True) -> None:
    """Same dtype (by name), shape and values as torch's result."""
    if isinstance(theirs, torch.Tensor):
        assert repr(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1], \
            (ours.dtype, theirs.dtype)
        assert tuple(ours.shape) == tuple(theirs.shape)
        ours, theirs = ours.detach().numpy(), theirs.detach().numpy()
    if exact:
        np.testing.assert_array_equal(ours, theirs)
    else:
        np.testing.assert_allclose(np.asarray(ours, np.float64), np.asarray(theirs, np.float64),
                                   rtol=2e-3, atol=1e-3)


def raises_like(ours: Callable[[], Any], theirs: Callable[[], Any]) -> None:
    """Both raise: the same exception type and message (torch → minitorch in it)."""
    with pytest.raises(Exception) as expected:
        theirs()
    with pytest.raises(type(expected.value)) as got:
        ours()
    assert str(got.value) == str(expected.value).replace("torch.", "minitorch."), \
        (str(got.value), str(expected.value))


# ------------------------------------------------------------------ storage and names
@pytest.mark.parametrize("name", NEW)
def test_storage_conversions_and_names(name: str) -> None:
    ours, theirs = both(name)
    data = [[0, 1, 7], [3, 2, 5]]
    t, r = minitorch.tensor(data, dtype=ours), torch.tensor(data, dtype=theirs)
    same(t, r)
    assert t.type() == r.type().replace("torch.", "minitorch.")
    assert t.element_size() == r.element_size() and t.itemsize == r.itemsize
    assert t.is_floating_point() == r.is_floating_point()
    assert ours.is_floating_point == theirs.is_floating_point
    assert ours.is_signed == theirs.is_signed and ours.itemsize == theirs.itemsize
    method = {"float16": "half", "uint8": "byte", "int8": "char", "int16": "short",
              "int32": "int"}[name]
    f, g = minitorch.tensor([[1.7, -2.5]]), torch.tensor([[1.7, -2.5]])
    same(getattr(f, method)(), getattr(g, method)())
    same(f.to(ours), g.to(theirs))
    same(f.type(r.type().replace("torch.", "minitorch.")), g.type(r.type()))
    legacy = getattr(minitorch, r.type().split(".")[1])
    same(legacy([1, 2]), getattr(torch, r.type().split(".")[1])([1, 2]))
    assert isinstance(t, legacy) and not isinstance(t.double(), legacy)
    array = np.arange(6).reshape(2, 3).astype(ours.np)
    shared = minitorch.from_numpy(array)
    array[0, 0] = 9  # from_numpy shares the memory, in the array's own dtype
    same(shared, torch.from_numpy(array))
    assert repr(t) == repr(r).replace("torch.", "minitorch.")
    info = minitorch.finfo(ours) if ours.is_floating_point else minitorch.iinfo(ours)
    expected = torch.finfo(theirs) if theirs.is_floating_point else torch.iinfo(theirs)
    assert repr(info) == repr(expected)


@pytest.mark.parametrize("name", NEW)
def test_creation_with_dtype(name: str) -> None:
    ours, theirs = both(name)
    for make in (lambda L, d: L.zeros(2, 3, dtype=d), lambda L, d: L.ones((2,), dtype=d),
                 lambda L, d: L.full((2, 2), 7, dtype=d), lambda L, d: L.arange(5, dtype=d),
                 lambda L, d: L.arange(1, 9, 3, dtype=d), lambda L, d: L.empty(3, dtype=d).shape,
                 lambda L, d: L.zeros_like(L.ones(2, 2), dtype=d),
                 lambda L, d: L.full_like(L.ones(2, dtype=d), 3),
                 lambda L, d: L.ones_like(L.ones(2, dtype=d)),
                 lambda L, d: L.randint(0, 5, (4,), dtype=d).dtype,
                 lambda L, d: L.ones(3, dtype=d).new_zeros(2)):
        got, want = make(minitorch, ours), make(torch, theirs)
        if isinstance(want, torch.Tensor):
            same(got, want)
        elif isinstance(want, torch.dtype):
            assert repr(got).split(".")[1] == str(want).split(".")[1]
        else:
            assert tuple(got) == tuple(want)


def test_from_numpy_refuses_other_types() -> None:
    raises_like(lambda: minitorch.from_numpy(np.zeros(2, np.longdouble)),
                lambda: torch.from_numpy(np.zeros(2, np.longdouble)))


# ------------------------------------------------------------------------ promotion
def operand(lib: Any, name: str, kind: str) -> Any:
    """A tensor (kind "tensor"), a 0-dim tensor ("0-dim") or a Python number ("number") of
    ``name``'s category."""
    value = {"bool": True}.get(name, 2.5 if "float" in name else 3)
    if kind == "number":
        return value
    dtype = getattr(lib, name)
    return lib.tensor(value if kind == "0-dim" else [value, 1], dtype=dtype)


OPS = {"add": lambda L, a, b: a + b, "mul": lambda L, a, b: a * b,
       "div": lambda L, a, b: a / b, "eq": lambda L, a, b: a == b,
       "where": lambda L, a, b: L.where(L.tensor([True, False]), a, b)}


def test_promotion_table_against_torch() -> None:
    """Every pair of dtypes, the second operand a tensor, a 0-dim tensor or a number (the
    first a tensor or a 0-dim tensor): the result's dtype and values, and result_type."""
    for a, b, kind_a, kind_b in itertools.product(NAMES, NAMES, ("tensor", "0-dim"),
                                                  ("tensor", "0-dim", "number")):
        x, y = operand(minitorch, a, kind_a), operand(minitorch, b, kind_b)
        tx, ty = operand(torch, a, kind_a), operand(torch, b, kind_b)
        assert repr(minitorch.result_type(x, y)).split(".")[1] == \
            str(torch.result_type(tx, ty)).split(".")[1], (a, b, kind_a, kind_b)
        for name, op in OPS.items():
            try:
                same(op(minitorch, x, y), op(torch, tx, ty))
            except AssertionError as e:
                raise AssertionError(f"{name}({a} {kind_a}, {b} {kind_b}): {e}") from None


def test_promote_types_and_can_cast() -> None:
    for a, b in itertools.product(NAMES, NAMES):
        (ma, ta), (mb, tb) = both(a), both(b)
        assert repr(minitorch.promote_types(ma, mb)).split(".")[1] == \
            str(torch.promote_types(ta, tb)).split(".")[1], (a, b)
        assert minitorch.can_cast(ma, mb) == torch.can_cast(ta, tb), (a, b)
