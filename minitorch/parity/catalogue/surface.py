"""The tensor surface beyond the CNN's ops: pointwise math (``autograd/ops/pointwise.py``),
the named matrix products (``products.py``), running and multiplicative reductions and norms
(``scan.py``), and sort/topk/gather/scatter/index_select/masked_fill/flip/tril/triu
(``select.py``)."""

from __future__ import annotations

from minitorch.parity.case import Case
from minitorch.parity.catalogue.builder import A, Cases
from minitorch.parity.inputs import positive, spread, with_zeros

X = (3, 4)


def cases() -> list[Case]:
    c = Cases()
    for op in ("sin", "cos", "sinh", "cosh", "expm1", "exp2", "square", "erf"):
        c.add(op, op, lambda m, x, op=op: getattr(x, op)(), A(X))
    for op in ("floor", "ceil", "round", "trunc", "sign"):  # gradient 0 almost everywhere
        c.add(op, op, lambda m, x, op=op: getattr(m, op)(x), A(X), gradcheck=False)
    for op in ("log1p", "log2", "log10", "reciprocal", "rsqrt"):
        c.add(op, op, lambda m, x, op=op: getattr(m, op)(x), A(X, gen=positive))
    c.add("mm", "mm", lambda m, a, b: m.mm(a, b), A((3, 4)), A((4, 5)))
    c.add("mm_noncontig", "mm", lambda m, a, b: a.mm(b), A((3, 4), noncontig=True), A((4, 2)))
    c.add("bmm", "bmm", lambda m, a, b: m.bmm(a, b), A((2, 3, 4)), A((2, 4, 5)))
    c.add("mv", "mv", lambda m, a, v: a.mv(v), A((3, 4)), A((4,)))
    c.add("dot", "dot", lambda m, a, b: m.dot(a, b), A((5,)), A((5,)))
    c.add("prod_all", "prod", lambda m, x: x.prod(), A(X, gen=positive))
    c.add("prod_dim_zeros", "prod", lambda m, x: x.prod(0, keepdim=True), A(X, gen=with_zeros))
    c.add("cumsum", "cumsum", lambda m, x: m.cumsum(x, 1), A(X))
    c.add("cumprod", "cumprod", lambda m, x: x.cumprod(0), A(X))
    c.add("cumprod_zeros", "cumprod", lambda m, x: x.cumprod(1), A(X, gen=with_zeros))
    c.add("logsumexp", "logsumexp", lambda m, x: m.logsumexp(x, 1), A(X))
    c.add("norm_fro", "norm", lambda m, x: x.norm(), A(X))
    c.add("norm_p1_dim", "norm", lambda m, x: x.norm(p=1, dim=1), A(X, gen=spread))
    c.add("norm_inf_keepdim", "norm", lambda m, x: m.norm(x, float("inf"), 0, True),
          A(X, gen=positive))  # distinct |x|: spread's values come in ± pairs
    c.add("norm_p3", "norm", lambda m, x: x.norm(3, dim=(0, 1)), A(X))
    c.add("sort", "sort", lambda m, x: tuple(x.sort(1)), A(X, gen=spread))
    c.add("sort_descending", "sort", lambda m, x: tuple(m.sort(x, 0, descending=True)),
          A(X, gen=spread))
    c.add("topk", "topk", lambda m, x: tuple(x.topk(2)), A(X, gen=spread))
    c.add("gather", "gather", lambda m, x, i: x.gather(1, i), A(X), A((3, 6), high=4))
    c.add("scatter_add", "scatter_add", lambda m, x, s, i: x.scatter_add(0, i, s), A(X),
          A((2, 4)), A((2, 4), high=3))
    c.add("index_select", "index_select", lambda m, x, i: m.index_select(x, 1, i), A(X),
          A((5,), values=[3, 0, 3, 1, 2]))
    c.add("masked_fill", "masked_fill", lambda m, x: x.masked_fill(x > 0.2, 0.5), A(X))
    c.add("flip", "flip", lambda m, x: m.flip(x, (0, 1)), A(X))
    c.add("tril", "tril", lambda m, x: x.tril(-1), A((4, 4)))
    c.add("triu", "triu", lambda m, x: m.triu(x, 1), A((2, 3, 3)))
    return c
