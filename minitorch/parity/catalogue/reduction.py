"""Reductions (``autograd/ops/reduction.py``): values, and indices for max/min/argmax."""

from __future__ import annotations

from minitorch.parity.case import Case
from minitorch.parity.catalogue.builder import A, Cases
from minitorch.parity.inputs import spread, ties

X = (3, 4, 5)


def cases() -> list[Case]:
    c = Cases()
    c.add("sum_all", "sum", lambda m, x: x.sum(), A(X))
    c.add("sum_dim", "sum", lambda m, x: x.sum(1), A(X))
    c.add("sum_dims_keepdim", "sum", lambda m, x: x.sum((0, 2), keepdim=True), A(X))
    c.add("sum_neg_dim", "sum", lambda m, x: m.sum(x, -1), A(X, noncontig=True))
    c.add("mean_all", "mean", lambda m, x: x.mean(), A(X))
    c.add("mean_dim_keepdim", "mean", lambda m, x: x.mean(-1, keepdim=True), A(X))
    c.add("mean_dims", "mean", lambda m, x: x.mean((0, 1)), A(X))
    c.add("max_all", "max", lambda m, x: x.max(), A(X, gen=spread))
    c.add("max_dim", "max", lambda m, x: tuple(x.max(1)), A(X, gen=spread))
    c.add("max_dim_keepdim", "max", lambda m, x: tuple(x.max(-1, keepdim=True)),
          A(X, gen=spread))
    c.add("max_all_ties", "max", lambda m, x: x.max(), A(X, gen=ties), gradcheck=False)
    c.add("max_dim_ties", "max", lambda m, x: tuple(x.max(0)), A(X, gen=ties),
          gradcheck=False)
    c.add("min_all", "min", lambda m, x: x.min(), A(X, gen=spread))
    c.add("min_dim", "min", lambda m, x: tuple(x.min(2)), A(X, gen=spread))
    c.add("min_dim_keepdim_ties", "min", lambda m, x: tuple(x.min(1, keepdim=True)),
          A(X, gen=ties), gradcheck=False)
    c.add("var_all", "var", lambda m, x: x.var(), A(X))
    c.add("var_dim", "var", lambda m, x: x.var(1), A(X))
    c.add("var_dim_biased_keepdim", "var",
          lambda m, x: x.var(-1, unbiased=False, keepdim=True), A(X))
    c.add("var_dims", "var", lambda m, x: x.var((0, 2)), A(X))
    c.add("std_all", "std", lambda m, x: x.std(), A(X))
    c.add("std_dim_biased_keepdim", "std",
          lambda m, x: x.std(-1, unbiased=False, keepdim=True), A(X))
    c.add("std_dims_correction", "std", lambda m, x: m.std(x, (0, 2), correction=2), A(X))
    c.add("argmax_all", "argmax", lambda m, x: x.argmax(), A(X), grad=False)
    c.add("argmax_dim", "argmax", lambda m, x: x.argmax(1), A(X), grad=False)
    c.add("argmax_dim_keepdim_ties", "argmax", lambda m, x: x.argmax(-1, keepdim=True),
          A(X, gen=ties), grad=False)
    return c
