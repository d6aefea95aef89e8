"""Elementwise ops (``autograd/ops/elementwise.py``), with broadcasting: gradients are reduced
to each input's shape. Also the comparisons (bool results, no gradient)."""

from __future__ import annotations

from typing import Tuple

import numpy as np

from minitorch.parity.case import Case
from minitorch.parity.catalogue.builder import A, Cases
from minitorch.parity.inputs import nonzero, positive, spread, ties

INF, NAN = float("inf"), float("nan")
# every dividend against every divisor below: signed zeros, ±inf, NaN, exact multiples
DIVIDENDS = (5.0, -5.0, 7.5, -7.5, 0.0, -0.0, 4.0, INF, -INF, NAN)
DIVISORS = (2.0, -2.0, 0.0, -0.0, INF, -INF, NAN, 2.5)


def dividends(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    return np.broadcast_to(np.array(DIVIDENDS)[:, None], shape).copy()


def divisors(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    return np.broadcast_to(np.array(DIVISORS), shape).copy()


def division_cases(c: Cases) -> None:
    """``//``, ``%`` and ``fmod`` (``autograd/ops/division.py``): ∂/∂a = 1, ∂/∂b = -⌊a/b⌋ or
    -trunc(a/b); floor division has no derivative in torch (backward raises), so grad=False.
    Random divisors stay away from 0 and quotients away from integers (the jumps)."""
    c.add("remainder_bcast", "remainder", lambda m, x, y: x % y, A((2, 3, 4)),
          A((3, 1), gen=nonzero))
    c.add("rmod_scalar", "remainder", lambda m, x: 2.5 % x, A((3, 4), gen=nonzero),
          grad=False)  # torch: "derivative for aten::remainder is not implemented"
    c.add("remainder_scalar", "remainder", lambda m, x: m.remainder(x, -1.5), A((3, 4)))
    c.add("fmod_bcast", "fmod", lambda m, x, y: m.fmod(x, y), A((2, 3, 4)), A((4,), gen=nonzero))
    c.add("fmod_scalar", "fmod", lambda m, x: x.fmod(0.7), A((3, 4)))
    c.add("floor_divide_bcast", "floor_divide", lambda m, x, y: x // y, A((2, 3, 4)),
          A((3, 1), gen=nonzero), grad=False)
    c.add("rfloordiv_scalar", "floor_divide", lambda m, x: -3.0 // x, A((3, 4), gen=nonzero),
          grad=False)
    c.add("div_floor", "div", lambda m, x, y: m.div(x, y, rounding_mode="floor"), A((3, 4)),
          A((4,), gen=nonzero))  # gradient 0 for both, as torch
    c.add("div_trunc_scalar", "div", lambda m, x: x.div(-0.75, rounding_mode="trunc"),
          A((3, 4)))
    for name, fn in (("floor_divide", lambda m, x, y: x // y),
                     ("remainder", lambda m, x, y: x % y),
                     ("fmod", lambda m, x, y: m.fmod(x, y))):
        c.add(f"{name}_specials", name, fn, A((len(DIVIDENDS), len(DIVISORS)), gen=dividends),
              A((len(DIVISORS),), gen=divisors), grad=False)


def cases() -> list[Case]:
    c = Cases()
    c.add("add", "add", lambda m, x, y: x + y, A((3, 4)), A((3, 4)))
    c.add("add_bcast", "add", lambda m, x, y: x + y, A((2, 3, 4)), A((3, 1)))
    c.add("add_bcast_both", "add", lambda m, x, y: x + y, A((4, 1, 5)), A((3, 1)))
    c.add("add_noncontig", "add", lambda m, x, y: x + y, A((3, 4, 2), noncontig=True),
          A((3, 4, 2)))
    c.add("radd_scalar", "add", lambda m, x: 2.5 + x, A((3, 4)))
    c.add("add_0d", "add", lambda m, x, y: x + y, A((3, 4)), A(()))
    c.add("sub_bcast", "sub", lambda m, x, y: x - y, A((2, 3, 4)), A((4,)))
    c.add("rsub_scalar", "sub", lambda m, x: 1.5 - x, A((3, 4)))
    c.add("mul_bcast", "mul", lambda m, x, y: x * y, A((2, 3, 4)), A((2, 1, 4)))
    c.add("rmul_scalar", "mul", lambda m, x: 3.0 * x, A((5,)))
    c.add("mul_noncontig", "mul", lambda m, x, y: x * y, A((4, 3), noncontig=True),
          A((4, 3), noncontig=True))
    c.add("div_bcast", "div", lambda m, x, y: x / y, A((2, 3, 4)), A((3, 1), gen=nonzero))
    c.add("rdiv_scalar", "div", lambda m, x: 2.0 / x, A((3, 4), gen=nonzero))
    c.add("div_scalar", "div", lambda m, x: x / 4.0, A((3, 4)))
    c.add("pow_scalar", "pow", lambda m, x: x ** 2.5, A((3, 4), gen=positive))
    c.add("pow_int", "pow", lambda m, x: x ** 3, A((3, 4)))
    c.add("pow_tensor", "pow", lambda m, x, y: x ** y, A((3, 4), gen=positive), A((4,)))
    c.add("rpow_scalar", "pow", lambda m, x: 2.0 ** x, A((3, 4)))
    c.add("neg", "neg", lambda m, x: -x, A((3, 4)))
    c.add("exp", "exp", lambda m, x: x.exp(), A((3, 4)))
    c.add("exp_noncontig", "exp", lambda m, x: m.exp(x), A((2, 3, 4), noncontig=True))
    c.add("log", "log", lambda m, x: x.log(), A((3, 4), gen=positive))
    c.add("sqrt", "sqrt", lambda m, x: x.sqrt(), A((3, 4), gen=positive))
    c.add("abs", "abs", lambda m, x: x.abs(), A((3, 4), gen=nonzero))
    c.add("clamp", "clamp", lambda m, x: x.clamp(-0.45, 0.45), A((4, 5), gen=spread))
    c.add("clamp_min", "clamp", lambda m, x: x.clamp(min=0.15), A((4, 5), gen=spread))
    c.add("clamp_max", "clamp", lambda m, x: m.clamp(x, max=-0.25), A((4, 5), gen=spread))
    c.add("maximum", "maximum", lambda m, x, y: m.maximum(x, y), A((3, 4)), A((3, 4)))
    c.add("maximum_bcast", "maximum", lambda m, x, y: m.maximum(x, y), A((2, 3, 4)), A((4,)))
    c.add("minimum", "minimum", lambda m, x, y: m.minimum(x, y), A((3, 4)), A((3, 1)))
    c.add("maximum_ties", "maximum", lambda m, x, y: m.maximum(x, y), A((4, 5), gen=ties),
          A((4, 5), gen=ties), gradcheck=False)  # ties: not differentiable there
    c.add("minimum_ties", "minimum", lambda m, x, y: m.minimum(x, y), A((4, 5), gen=ties),
          A((4, 5), gen=ties), gradcheck=False)

    division_cases(c)

    # comparisons: bool results, no grad
    for cmp_name in ("lt", "le", "gt", "ge", "eq", "ne"):
        c.add(f"{cmp_name}_tensor", "compare",
              lambda m, x, y, op=cmp_name: getattr(x, op)(y), A((4, 5), gen=ties),
              A((5,), gen=ties), grad=False)
    c.add("lt_scalar", "compare", lambda m, x: x < 0.5, A((4, 5), gen=ties), grad=False)
    c.add("eq_scalar", "compare", lambda m, x: x == 1, A((4, 5), gen=ties), grad=False)
    c.add("ge_operator", "compare", lambda m, x, y: x >= y, A((3, 4), gen=ties),
          A((3, 4), gen=ties), grad=False)
    return c
