"""Pointwise math beyond the basics: the inverse trigonometric and hyperbolic functions,
frac, sgn, sinc, deg2rad/rad2deg, logit and signbit (``autograd/ops/pointwise.py``); the
binary atan2, hypot, logaddexp(2), xlogy, fmax/fmin, copysign, heaviside
(``autograd/ops/binary_math.py``) and float_power (``pow`` in float64). Inputs stay inside
each op's domain and away from its kinks, except in the ``_specials`` cases, which check the
values only."""

from __future__ import annotations

from minitorch.parity.case import Case
from minitorch.parity.catalogue.builder import A, Cases
from minitorch.parity.catalogue.losses import probability
from minitorch.parity.inputs import (
    above_one,
    inside_unit,
    nonzero,
    positive,
    signed_specials,
    ties,
    with_nan,
    with_zeros,
)

X = (3, 4)
SPECIALS = (2, 8)  # every signed special value of ``signed_specials``, twice


def unary_cases(c: Cases) -> None:
    for op in ("asin", "acos", "atanh"):
        c.add(op, op, lambda m, x, op=op: getattr(x, op)(), A(X, gen=inside_unit))
    c.add("arcsin", "asin", lambda m, x: m.arcsin(x), A(X, gen=inside_unit))
    c.add("arccos", "acos", lambda m, x: x.arccos(), A(X, gen=inside_unit))
    c.add("arctanh", "atanh", lambda m, x: m.arctanh(x), A(X, gen=inside_unit))
    for op in ("atan", "asinh", "sinc", "deg2rad", "rad2deg", "frac"):
        c.add(op, op, lambda m, x, op=op: getattr(m, op)(x), A(X))
    c.add("arctan", "atan", lambda m, x: x.arctan(), A(X))
    c.add("arcsinh", "asinh", lambda m, x: x.arcsinh(), A(X))
    c.add("acosh", "acosh", lambda m, x: x.acosh(), A(X, gen=above_one))
    c.add("arccosh", "acosh", lambda m, x: m.arccosh(x), A(X, gen=above_one))
    c.add("sinc_zeros", "sinc", lambda m, x: x.sinc(), A(X, gen=with_zeros),
          double_backward=False)  # torch's second derivative at 0 is 0/0 (NaN)
    c.add("sgn", "sgn", lambda m, x: m.sgn(x), A(X, gen=nonzero), gradcheck=False)
    c.add("sgn_specials", "sgn", lambda m, x: x.sgn(), A(SPECIALS, gen=signed_specials),
          gradcheck=False)
    c.add("logit", "logit", lambda m, x: m.logit(x), A(X, gen=probability))
    c.add("logit_eps", "logit", lambda m, x: x.logit(eps=0.25), A(X, gen=probability),
          gradcheck=False)  # clamped: flat (gradient 0) outside [0.25, 0.75], a kink there
    c.add("logit_outside", "logit", lambda m, x: m.logit(x), A(X), grad=False)  # NaN outside
    c.add("signbit", "signbit", lambda m, x: x.signbit(), A(SPECIALS, gen=signed_specials),
          grad=False)
    c.add("frac_specials", "frac", lambda m, x: x.frac(), A(SPECIALS, gen=signed_specials),
          grad=False)


def binary_cases(c: Cases) -> None:
    for op in ("atan2", "hypot", "logaddexp", "logaddexp2"):
        c.add(op, op, lambda m, a, b, op=op: getattr(m, op)(a, b), A(X), A(X))
        c.add(f"{op}_bcast", op, lambda m, a, b, op=op: getattr(a, op)(b), A((2, 3, 1)),
              A((4,)))
    c.add("arctan2", "atan2", lambda m, a, b: m.arctan2(a, b), A(X), A((3, 1)))
    c.add("logaddexp_large", "logaddexp", lambda m, a, b: m.logaddexp(a * 500, b * 500),
          A(X), A(X))  # e^500 overflows: the max is taken out first
    c.add("xlogy", "xlogy", lambda m, a, b: m.xlogy(a, b), A(X, gen=with_zeros),
          A(X, gen=positive))
    c.add("xlogy_bcast", "xlogy", lambda m, a, b: a.xlogy(b), A((2, 1, 4)),
          A((3, 1), gen=positive))
    c.add("xlogy_scalar_other", "xlogy", lambda m, a: m.xlogy(a, 2.5), A(X, gen=with_zeros))
    c.add("xlogy_scalar_self", "xlogy", lambda m, b: m.xlogy(3.0, b), A(X, gen=positive))
    c.add("xlogy_specials", "xlogy", lambda m, a, b: m.xlogy(a, b),
          A(SPECIALS, gen=signed_specials), A((8,), gen=signed_specials), gradcheck=False)
    for op in ("fmax", "fmin"):
        c.add(op, op, lambda m, a, b, op=op: getattr(m, op)(a, b), A(X), A((4,)))
        c.add(f"{op}_nan", op, lambda m, a, b, op=op: getattr(a, op)(b), A(X, gen=with_nan),
              A(X, gen=with_nan), gradcheck=False)  # NaN on one side: the other wins
        c.add(f"{op}_ties", op, lambda m, a, b, op=op: getattr(m, op)(a, b), A(X, gen=ties),
              A(X, gen=ties), gradcheck=False)  # ties: the whole gradient to the first
    c.add("copysign", "copysign", lambda m, a, b: m.copysign(a, b), A(X, gen=nonzero),
          A(X, gen=nonzero))
    c.add("copysign_bcast", "copysign", lambda m, a, b: a.copysign(b), A((2, 3, 4)),
          A((3, 1), gen=nonzero))
    c.add("copysign_scalar", "copysign", lambda m, a: a.copysign(-2.0), A(X, gen=nonzero))
    c.add("copysign_specials", "copysign", lambda m, a, b: m.copysign(a, b),
          A(SPECIALS, gen=signed_specials), A((8,), gen=signed_specials), gradcheck=False)
    c.add("float_power", "float_power", lambda m, a, b: m.float_power(a, b),
          A(X, gen=positive), A((4,)))
    c.add("float_power_scalar", "float_power", lambda m, a: a.float_power(2.5),
          A(X, gen=positive))
    c.add("float_power_rscalar", "float_power", lambda m, b: m.float_power(1.5, b), A(X))
    c.add("heaviside", "heaviside", lambda m, a, b: m.heaviside(a, b),
          A(SPECIALS, gen=signed_specials), A((8,)), grad=False)


def cases() -> list[Case]:
    c = Cases()
    unary_cases(c)
    binary_cases(c)
    return c
