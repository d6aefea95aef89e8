"""Elementwise ops (``autograd/ops/elementwise.py``), with broadcasting: gradients are reduced
to each input's shape. Also the comparisons (bool results, no gradient)."""

from __future__ import annotations

from minitorch.parity.case import Case
from minitorch.parity.catalogue.builder import A, Cases
from minitorch.parity.inputs import nonzero, positive, spread, ties


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
