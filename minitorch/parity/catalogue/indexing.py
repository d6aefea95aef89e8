"""NaN-aware and running reductions, and indexing and splitting: nansum/nanmean and
var_mean/std_mean (``autograd/ops/reduction.py``), cummax/cummin and logcumsumexp
(``scan.py``), roll/rot90/take/index_add/index_fill/index_copy/masked_scatter (``select.py``),
and the ops composed of others as torch composes them: diff, unflatten, take_along_dim,
tensor_split/hsplit/vsplit/dsplit, column_stack, dstack, cartesian_prod."""

from __future__ import annotations

from minitorch.parity.case import Case
from minitorch.parity.catalogue.builder import A, Cases
from minitorch.parity.inputs import spread, ties, with_extremes, with_nan, with_values

X = (3, 4)
NAN_AT_2 = with_values({2: float("nan"), 9: float("nan")})  # NaN inside a running scan


def cases() -> list[Case]:
    c = Cases()
    # -- NaN-aware reductions, spread with mean
    c.add("nansum_all", "nansum", lambda m, x: x.nansum(), A(X, gen=with_nan))
    c.add("nansum_dim", "nansum", lambda m, x: m.nansum(x, 1, keepdim=True), A(X, gen=with_nan))
    c.add("nansum_dims", "nansum", lambda m, x: x.nansum((0, 2)), A((2, 3, 4), gen=with_nan))
    c.add("nanmean_all", "nanmean", lambda m, x: m.nanmean(x), A(X, gen=with_nan))
    c.add("nanmean_dim", "nanmean", lambda m, x: x.nanmean(0), A(X, gen=with_nan))
    c.add("var_mean_all", "var_mean", lambda m, x: m.var_mean(x), A(X))
    c.add("var_mean_dim", "var_mean", lambda m, x: m.var_mean(x, 1, keepdim=True), A(X))
    c.add("var_mean_correction0", "var_mean",
          lambda m, x: m.var_mean(x, (0, 2), correction=0), A((2, 3, 4)))
    c.add("var_mean_unbiased_false", "var_mean", lambda m, x: m.var_mean(x, 0, False), A(X))
    c.add("var_mean_var_only", "var_mean", lambda m, x: m.var_mean(x, 1)[0], A(X))
    c.add("var_mean_mean_only", "var_mean", lambda m, x: m.var_mean(x, 1)[1], A(X))
    c.add("std_mean_all", "std_mean", lambda m, x: m.std_mean(x), A(X))
    c.add("std_mean_dim", "std_mean", lambda m, x: m.std_mean(x, -1, correction=0), A(X))
    c.add("std_mean_std_only", "std_mean", lambda m, x: m.std_mean(x, 0)[0] * 2, A(X))
    # -- running extremes (indices compared too) and logcumsumexp
    c.add("cummax", "cummax", lambda m, x: tuple(x.cummax(1)), A(X, gen=spread))
    c.add("cummin", "cummin", lambda m, x: tuple(m.cummin(x, 0)), A(X, gen=spread))
    c.add("cummax_ties", "cummax", lambda m, x: tuple(x.cummax(-1)), A((3, 6), gen=ties),
          gradcheck=False)  # ties: not differentiable there
    c.add("cummin_ties", "cummin", lambda m, x: tuple(x.cummin(0)), A((6, 3), gen=ties),
          gradcheck=False)
    c.add("cummax_nan", "cummax", lambda m, x: tuple(x.cummax(1)), A(X, gen=NAN_AT_2),
          gradcheck=False)  # NaN outputs
    c.add("cummin_nan", "cummin", lambda m, x: tuple(x.cummin(1)), A(X, gen=NAN_AT_2),
          gradcheck=False)
    c.add("cummax_0d", "cummax", lambda m, x: tuple(x[1].cummax(0)), A((2,)))
    c.add("logcumsumexp", "logcumsumexp", lambda m, x: x.logcumsumexp(1), A(X))
    c.add("logcumsumexp_dim0", "logcumsumexp", lambda m, x: m.logcumsumexp(x, 0),
          A((5, 2, 3)))
    c.add("logcumsumexp_large", "logcumsumexp", lambda m, x: x.logcumsumexp(-1),
          A((2, 8), gen=with_extremes(80.0)), gradcheck=False)  # e^±80: no overflow
    # -- reorder: roll, rot90, diff, unflatten
    c.add("roll_flat", "roll", lambda m, x: x.roll(5), A(X))
    c.add("roll_dim", "roll", lambda m, x: m.roll(x, -1, 0), A(X))
    c.add("roll_dims", "roll", lambda m, x: x.roll((1, -2), (1, 2)), A((2, 3, 4)))
    c.add("rot90", "rot90", lambda m, x: x.rot90(), A(X))
    c.add("rot90_k2", "rot90", lambda m, x: m.rot90(x, 2, (1, 2)), A((2, 3, 4)))
    c.add("rot90_k_neg", "rot90", lambda m, x: x.rot90(-3, [2, 0]), A((2, 3, 4)))
    c.add("rot90_k0", "rot90", lambda m, x: x.rot90(0), A(X))
    c.add("diff", "diff", lambda m, x: x.diff(), A(X))
    c.add("diff_n2_dim0", "diff", lambda m, x: m.diff(x, n=2, dim=0), A((5, 3)))
    c.add("diff_prepend_append", "diff",
          lambda m, x, p, a: m.diff(x, dim=1, prepend=p, append=a), A(X), A((3, 1)), A((3, 2)))
    c.add("diff_n_past_length", "diff", lambda m, x: x.diff(n=5), A(X))
    c.add("unflatten", "unflatten", lambda m, x: x.unflatten(1, (2, -1)), A((3, 6)))
    c.add("unflatten_fn", "unflatten", lambda m, x: m.unflatten(x, -1, (2, 1, 2)), A(X))
    # -- pick and place by index
    c.add("take", "take", lambda m, x, i: x.take(i), A(X), A((2, 3), values=[0, 11, -1, 5, 5, 2]))
    c.add("take_along_dim", "take_along_dim", lambda m, x, i: m.take_along_dim(x, i, 1),
          A(X), A((3, 2), high=4))
    c.add("take_along_dim_broadcast", "take_along_dim",
          lambda m, x, i: x.take_along_dim(i, dim=0), A((3, 1, 4)), A((2, 5, 1), high=3))
    c.add("take_along_dim_flat", "take_along_dim", lambda m, x, i: m.take_along_dim(x, i),
          A(X), A((5,), values=[11, 0, 3, 3, 7]))
    idx = A((3,), values=[2, 0, 2])
    c.add("index_add", "index_add", lambda m, x, s, i: x.index_add(1, i, s), A(X), A((3, 3)), idx)
    c.add("index_add_alpha", "index_add", lambda m, x, s, i: m.index_add(x, 0, i, s, alpha=-2.5),
          A((3, 2)), A((3, 2)), idx)
    c.add("index_fill", "index_fill", lambda m, x, i: x.index_fill(1, i, -1.5), A(X),
          A((3,), values=[3, -1, 0]))
    c.add("index_fill_tensor", "index_fill",
          lambda m, x, v, i: m.index_fill(x, 0, i, v[0]), A(X), A((1,)),
          A((2,), values=[2, 2]))  # an input is at least 1-D: the 0-d value is v[0]
    c.add("index_copy", "index_copy", lambda m, x, s, i: x.index_copy(0, i, s), A((4, 3)),
          A((2, 3)), A((2,), values=[3, 1]))
    c.add("index_add_inplace", "index_add",
          lambda m, x, s, i: (x * 1).index_add_(1, i, s, alpha=2), A(X), A((3, 3)), idx)
    c.add("index_fill_inplace", "index_fill", lambda m, x, i: (x * 2).index_fill_(0, i, 3.0),
          A(X), A((1,), values=[1]))
    c.add("index_copy_inplace", "index_copy",
          lambda m, x, s, i: (x + 0).index_copy_(1, i, s), A(X), A((3, 2)),
          A((2,), values=[0, 3]))
    c.add("masked_scatter", "masked_scatter", lambda m, x, s: x.masked_scatter(x > 0, s), A(X),
          A((15,)))
    c.add("masked_scatter_broadcast", "masked_scatter",
          lambda m, x, s: m.masked_scatter(x, s[0] > 0, s), A((2, 4)), A((3, 4)))
    c.add("masked_scatter_inplace", "masked_scatter",
          lambda m, x, s: (x * 1).masked_scatter_(x < 0.5, s), A(X), A((2, 6)))
    # -- split and join
    c.add("tensor_split_sections", "tensor_split", lambda m, x: x.tensor_split(3, 1), A((3, 5)))
    c.add("tensor_split_indices", "tensor_split",
          lambda m, x: m.tensor_split(x, [1, 1, 6], dim=-1), A((3, 5)))
    c.add("tensor_split_whole", "tensor_split", lambda m, x: x.tensor_split(1), A(X))
    c.add("hsplit", "hsplit", lambda m, x: m.hsplit(x, 2), A(X))
    c.add("hsplit_1d", "hsplit", lambda m, x: x.hsplit([2]), A((5,)))
    c.add("vsplit", "vsplit", lambda m, x: x.vsplit([1, 2]), A(X))
    c.add("dsplit", "dsplit", lambda m, x: m.dsplit(x, 2), A((2, 3, 4)))
    c.add("column_stack", "column_stack", lambda m, a, b, c_: m.column_stack([a, b, c_]),
          A((3,)), A((3, 2)), A((3,)))
    c.add("dstack", "dstack", lambda m, a, b, c_: m.dstack([a, b, c_]), A((1, 3)), A((3,)),
          A((1, 3, 2)))
    c.add("cartesian_prod", "cartesian_prod", lambda m, a, b, c_: m.cartesian_prod(a, b, c_),
          A((3,)), A((2,)), A((2,)))
    return c
