"""``//``, ``%``, ``torch.floor_divide``, ``torch.remainder``, ``torch.fmod`` beyond the float
catalogue cases (``minitorch/parity/catalogue/elementwise.py``): integer and mixed dtypes
with type promotion, numbers on either side, in-place ``//=`` / ``%=``, and torch's errors
(integer division by zero, bool operands, no derivative of floor division)."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
import torch

import minitorch
from minitorch.parity import mt_to_np, on_backend, to_minitorch

INTS = np.array([[7, -7, 0, 6, -6, 1]]).T  # (6, 1): against every divisor
INT_DIVISORS = np.array([3, -3, 2, -4, 1])
FLOATS = np.array([7.5, -7.5, 0.0, 6.0, -2.25])

OPS = {
    "floordiv": lambda lib, a, b: a // b,
    "mod": lambda lib, a, b: a % b,
    "floor_divide": lambda lib, a, b: lib.floor_divide(a, b),
    "remainder": lambda lib, a, b: lib.remainder(a, b),
    "fmod": lambda lib, a, b: lib.fmod(a, b),
    "div_floor": lambda lib, a, b: lib.div(a, b, rounding_mode="floor"),
    "div_trunc": lambda lib, a, b: lib.divide(a, b, rounding_mode="trunc"),
}
# (dividend, divisor): a tensor of which dtype, or a Python number
OPERANDS = {
    "int_int": (INTS, INT_DIVISORS),
    "int_int0d": (INTS, np.array(-3)),
    "int_number": (INTS, -3),
    "int_float_number": (INTS, 2.5),
    "int_float32": (INTS, INT_DIVISORS.astype(np.float32)),
    "float32_int": (FLOATS.reshape(5, 1).astype(np.float32), INT_DIVISORS),
    "float64_float32": (FLOATS.reshape(5, 1), INT_DIVISORS.astype(np.float32) * 0.75),
    "number_int": (7, INT_DIVISORS),
    "number_float": (-7.5, INT_DIVISORS.astype(np.float32)),
}


def _convert(value, convert):
    return convert(value) if isinstance(value, np.ndarray) else value


def _same(m_out, t_out):
    got, want = mt_to_np(m_out), t_out.numpy()
    assert str(m_out.dtype).split(".")[-1] == str(t_out.dtype).split(".")[-1]
    np.testing.assert_array_equal(got, want)
    assert (np.signbit(got) == np.signbit(want)).all()  # -0.0 where torch has it


# torch.fmod and torch.div take no number as their first argument
PAIRS = [(op, o) for op in OPS for o in OPERANDS
         if op not in ("fmod", "div_floor", "div_trunc") or not o.startswith("number")]


@pytest.mark.parametrize(("op", "operands"), PAIRS, ids=lambda v: v)
def test_values_and_dtypes_match_torch(op, operands, backend):
    a, b = OPERANDS[operands]
    want = OPS[op](torch, _convert(a, torch.from_numpy), _convert(b, torch.from_numpy))
    with on_backend(backend):
        convert = to_minitorch(backend)
        got = OPS[op](minitorch, _convert(a, convert), _convert(b, convert))
    _same(got, want)


@pytest.mark.parametrize("op", OPS, ids=str)
@pytest.mark.parametrize("divisor", [0, np.array([1, 0])], ids=["number", "tensor"])
def test_integer_division_by_zero_raises(op, divisor):
    for lib, convert in ((torch, torch.from_numpy), (minitorch, minitorch.tensor)):
        with pytest.raises(RuntimeError, match="^ZeroDivisionError$"):
            OPS[op](lib, convert(np.array([5, -5])), _convert(divisor, convert))


@pytest.mark.parametrize("op", ["floordiv", "mod", "div_trunc"])
def test_bool_operands_raise_as_torch(op):
    errors = []
    for lib in (torch, minitorch):
        with pytest.raises(NotImplementedError) as err:
            OPS[op](lib, lib.tensor([True, False]), lib.tensor([True, True]))
        errors.append(str(err.value))
    assert errors[0] == errors[1]


def test_bad_rounding_mode():
    errors = []
    for lib in (torch, minitorch):
        with pytest.raises(RuntimeError) as err:
            lib.ones(2).div(2, rounding_mode="round")
        errors.append(str(err.value))
    assert errors[0] == errors[1]


@pytest.mark.parametrize("inplace", ["__ifloordiv__", "__imod__", "fmod_", "remainder_",
                                     "floor_divide_"])
def test_inplace_matches_torch(inplace, backend):
    outs = []
    for lib, convert in ((torch, torch.from_numpy), (minitorch, to_minitorch(backend))):
        with on_backend(backend) if lib is minitorch else contextlib.nullcontext():
            x = convert(FLOATS.astype(np.float32))
            view = x[1:]
            y = getattr(view, inplace)(convert(np.float64(-2.5) * np.ones(4)))
            assert y is view
            n = convert(INTS[:, 0].copy())
            getattr(n, inplace)(4)
            with pytest.raises(RuntimeError, match="result type Float can't be cast to the "
                                                   "desired output type Long"):
                getattr(n, inplace)(2.5)
            outs.append((x, n))
    _same(outs[1][0], outs[0][0])  # the view wrote through to its base
    _same(outs[1][1], outs[0][1])


def test_gradients_and_no_derivative_of_floor_divide():
    """remainder/fmod: 1 for the dividend, -⌊a/b⌋ / -trunc(a/b) for the divisor (the
    catalogue checks these on every backend); floor division: the result requires grad, as in
    torch, and backward raises torch's error, also for ``number % tensor``."""
    for lib in (torch, minitorch):
        a = lib.tensor([5.0, -5.0], requires_grad=True)
        for out, name in ((a // 2, "floor_divide"), (3.0 % a, "remainder")):
            assert out.requires_grad
            with pytest.raises(RuntimeError, match=f"derivative for aten::{name} is not "
                                                   "implemented"):
                out.sum().backward()

