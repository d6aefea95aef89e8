"""The special functions (``autograd/ops/special.py``, ``minitorch.special``): ln Γ, ψ,
ψ⁽ⁿ⁾, the multivariate ln Γ, erfinv, erfc, I₀ and I₁ (plain and scaled), Φ and its log and
inverse, entr, xlog1py, and the aliases ``torch.special`` gathers. Inputs stay away from
the poles (``off_integers``) and inside each domain, except in the ``_specials`` cases,
which check the values only."""

from __future__ import annotations

from minitorch.parity.case import Case
from minitorch.parity.catalogue.builder import A, Cases
from minitorch.parity.catalogue.losses import probability
from minitorch.parity.inputs import (
    above_one,
    inside_unit,
    off_integers,
    positive,
    signed_specials,
    with_zeros,
)

X = (3, 4)
SPECIALS = (2, 8)  # every signed special value of ``signed_specials``, twice


def gamma_cases(c: Cases) -> None:
    c.add("lgamma", "lgamma", lambda m, x: m.lgamma(x), A(X, gen=off_integers))
    c.add("lgamma_method", "lgamma", lambda m, x: (x * 4).lgamma(), A(X, gen=positive))
    c.add("special_gammaln", "lgamma", lambda m, x: m.special.gammaln(x), A(X, gen=positive))
    c.add("digamma", "digamma", lambda m, x: m.digamma(x), A(X, gen=off_integers))
    c.add("digamma_method", "digamma", lambda m, x: (x * 8).digamma(), A(X, gen=positive))
    c.add("special_psi", "digamma", lambda m, x: m.special.psi(x), A(X, gen=off_integers))
    for n in (0, 1, 2, 3):
        c.add(f"polygamma_{n}", "polygamma", lambda m, x, n=n: m.polygamma(n, x),
              A(X, gen=off_integers))
    c.add("polygamma_method", "polygamma", lambda m, x: (x * 6).polygamma(2), A(X, gen=positive))
    c.add("special_polygamma", "polygamma", lambda m, x: m.special.polygamma(1, x),
          A(X, gen=positive))
    for p in (1, 2, 3):
        c.add(f"mvlgamma_{p}", "mvlgamma", lambda m, x, p=p: m.mvlgamma(x + p / 2, p),
              A(X, gen=positive))
    c.add("special_multigammaln", "mvlgamma", lambda m, x: m.special.multigammaln(x, 4),
          A(X, gen=above_one))
    for op in ("lgamma", "digamma"):
        c.add(f"{op}_specials", op, lambda m, x, op=op: getattr(x, op)(),
              A(SPECIALS, gen=signed_specials), grad=False)
    c.add("polygamma_specials", "polygamma", lambda m, x: m.polygamma(2, x),
          A(SPECIALS, gen=signed_specials), grad=False)


def error_function_cases(c: Cases) -> None:
    c.add("erfinv", "erfinv", lambda m, x: m.erfinv(x), A(X, gen=inside_unit))
    c.add("special_erfinv", "erfinv", lambda m, x: m.special.erfinv(x), A(X, gen=inside_unit))
    c.add("erfc", "erfc", lambda m, x: m.erfc(x), A(X))
    c.add("erfc_tail", "erfc", lambda m, x: (x * 4).erfc(), A(X, gen=positive))
    c.add("special_erfc", "erfc", lambda m, x: m.special.erfc(x), A(X))
    c.add("special_erf", "erf", lambda m, x: m.special.erf(x), A(X))
    c.add("special_ndtr", "ndtr", lambda m, x: m.special.ndtr(x), A(X))
    c.add("special_log_ndtr", "log_ndtr", lambda m, x: m.special.log_ndtr(x * 4), A(X))
    c.add("special_ndtri", "ndtri", lambda m, x: m.special.ndtri(x), A(X, gen=probability))
    for op in ("erfinv", "erfc"):
        c.add(f"{op}_specials", op, lambda m, x, op=op: getattr(x, op)(),
              A(SPECIALS, gen=signed_specials), grad=False)
    for op in ("log_ndtr", "ndtri"):
        c.add(f"special_{op}_specials", op, lambda m, x, op=op: getattr(m.special, op)(x),
              A(SPECIALS, gen=signed_specials), grad=False)


def bessel_cases(c: Cases) -> None:
    c.add("i0", "i0", lambda m, x: m.i0(x * 4), A(X))
    c.add("i0_method", "i0", lambda m, x: x.i0(), A(X, gen=with_zeros))
    for op in ("i0", "i0e", "i1", "i1e"):
        c.add(f"special_{op}", op, lambda m, x, op=op: getattr(m.special, op)(x * 4), A(X))
        c.add(f"special_{op}_zeros", op, lambda m, x, op=op: getattr(m.special, op)(x),
              A(X, gen=with_zeros))
        c.add(f"special_{op}_specials", op, lambda m, x, op=op: getattr(m.special, op)(x),
              A(SPECIALS, gen=signed_specials), grad=False)


def alias_cases(c: Cases) -> None:
    c.add("special_entr", "entr", lambda m, x: m.special.entr(x), A(X, gen=positive))
    c.add("special_entr_specials", "entr", lambda m, x: m.special.entr(x),
          A(SPECIALS, gen=signed_specials), grad=False)
    c.add("special_xlog1py", "xlog1py", lambda m, a, b: m.special.xlog1py(a, b),
          A(X, gen=with_zeros), A(X, gen=positive))
    c.add("special_xlog1py_bcast", "xlog1py", lambda m, a, b: m.special.xlog1py(a, b),
          A((2, 1, 4)), A((3, 1), gen=positive))
    c.add("special_xlog1py_scalar_other", "xlog1py",
          lambda m, a: m.special.xlog1py(a, 2.5), A(X, gen=with_zeros))
    c.add("special_xlog1py_scalar_self", "xlog1py",
          lambda m, b: m.special.xlog1py(3.0, b), A(X, gen=positive))
    c.add("special_xlog1py_specials", "xlog1py", lambda m, a, b: m.special.xlog1py(a, b),
          A(SPECIALS, gen=signed_specials), A((8,), gen=signed_specials), grad=False)
    c.add("special_expit", "sigmoid", lambda m, x: m.special.expit(x), A(X))
    c.add("special_logit", "logit", lambda m, x: m.special.logit(x), A(X, gen=probability))
    c.add("special_xlogy", "xlogy", lambda m, a, b: m.special.xlogy(a, b),
          A(X, gen=with_zeros), A(X, gen=positive))
    c.add("special_log1p", "log1p", lambda m, x: m.special.log1p(x), A(X, gen=positive))
    c.add("special_expm1", "expm1", lambda m, x: m.special.expm1(x), A(X))
    c.add("special_exp2", "exp2", lambda m, x: m.special.exp2(x), A(X))
    c.add("special_sinc", "sinc", lambda m, x: m.special.sinc(x), A(X))
    c.add("special_round", "round", lambda m, x: m.special.round(x * 10), A(X),
          gradcheck=False)
    c.add("special_round_decimals", "round", lambda m, x: m.special.round(x, decimals=2),
          A(X), gradcheck=False)
    c.add("special_softmax", "softmax", lambda m, x: m.special.softmax(x, 1), A(X))
    c.add("special_log_softmax", "log_softmax", lambda m, x: m.special.log_softmax(x, 0), A(X))
    c.add("special_logsumexp", "logsumexp", lambda m, x: m.special.logsumexp(x, 1), A(X))


def cases() -> list[Case]:
    c = Cases()
    gamma_cases(c)
    error_function_cases(c)
    bessel_cases(c)
    alias_cases(c)
    return c
