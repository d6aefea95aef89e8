"""The tensor surface beyond the CNN: pointwise math, named products, multiplicative and
running reductions, norms, sort/topk and the gather/scatter family — forward values and every
gradient against torch, per backend (numpy, numba, cuda-emulated) and float dtype; plus the
non-differentiable tests/logic functions and a few error messages."""

from __future__ import annotations

import zlib
from typing import Any, Callable, List, NamedTuple

import numpy as np
import pytest
import torch

import minitorch
from minitorch.parity import on_backend


class Case(NamedTuple):
    name: str
    fn: Callable[..., Any]  # fn(lib, *tensors)
    inputs: Callable[[np.random.Generator], List[np.ndarray]]  # float arrays require grad


def normal(*shape: int) -> Callable[[np.random.Generator], np.ndarray]:
    return lambda g: g.standard_normal(shape)


def positive(*shape: int) -> Callable[[np.random.Generator], np.ndarray]:
    return lambda g: g.uniform(0.5, 2.0, shape)


def ints(high: int, *shape: int) -> Callable[[np.random.Generator], np.ndarray]:
    return lambda g: g.integers(0, high, shape).astype(np.int64)


def with_zeros(*shape: int) -> Callable[[np.random.Generator], np.ndarray]:
    def make(g: np.random.Generator) -> np.ndarray:
        a = g.standard_normal(shape)
        a.reshape(-1)[::3] = 0.0
        return a
    return make


def fixed(array: Any) -> Callable[[np.random.Generator], np.ndarray]:
    return lambda g: np.array(array)


def case(name: str, fn: Callable[..., Any], *makers: Callable) -> Case:
    return Case(name, fn, lambda g: [m(g) for m in makers])


CASES = [
    *[case(op, lambda L, x, op=op: getattr(x, op)(), normal(3, 4))
      for op in ("sin", "cos", "sinh", "cosh", "expm1", "exp2", "square", "sign", "floor",
                 "ceil", "round", "trunc")],
    case("tan", lambda L, x: L.tan(x), lambda g: g.uniform(-1, 1, (3, 4))),
    *[case(op, lambda L, x, op=op: getattr(L, op)(x), positive(2, 5))
      for op in ("log1p", "log2", "log10", "reciprocal", "rsqrt")],
    case("round_decimals", lambda L, x: x.round(decimals=2), normal(6)),
    case("mm", lambda L, a, b: L.mm(a, b), normal(3, 4), normal(4, 5)),
    case("bmm", lambda L, a, b: L.bmm(a, b), normal(2, 3, 4), normal(2, 4, 5)),
    case("mv", lambda L, a, v: a.mv(v), normal(3, 4), normal(4)),
    case("dot", lambda L, a, b: L.dot(a, b), normal(5), normal(5)),
    case("outer", lambda L, a, b: L.outer(a, b), normal(3), normal(4)),
    case("inner", lambda L, a, b: L.inner(a, b), normal(2, 4), normal(3, 4)),
    case("prod_all", lambda L, x: x.prod(), positive(3, 4)),
    case("prod_dim", lambda L, x: x.prod(1), normal(3, 4)),
    case("prod_dim_keepdim_zeros", lambda L, x: L.prod(x, 0, keepdim=True), with_zeros(4, 3)),
    case("prod_all_zeros", lambda L, x: x.prod(), with_zeros(2, 2)),
    case("cumsum", lambda L, x: L.cumsum(x, 1), normal(3, 4)),
    case("cumsum_neg_dim", lambda L, x: x.cumsum(dim=-3), normal(2, 3, 2)),
    case("cumprod", lambda L, x: L.cumprod(x, 1), normal(3, 4)),
    case("cumprod_zeros", lambda L, x: x.cumprod(0), with_zeros(5, 2)),
    case("logsumexp", lambda L, x: L.logsumexp(x, 1), normal(3, 4)),
    case("logsumexp_dims_keepdim", lambda L, x: x.logsumexp((0, 2), keepdim=True),
         normal(2, 3, 4)),
    case("logsumexp_large", lambda L, x: x.logsumexp(0), lambda g: 500 * g.standard_normal(6)),
    case("norm", lambda L, x: x.norm(), normal(3, 4)),
    case("norm_fro_dims", lambda L, x: L.norm(x, p="fro", dim=(0, 1)), normal(3, 4, 2)),
    case("norm_p1_dim", lambda L, x: x.norm(p=1, dim=1), normal(3, 4)),
    case("norm_inf", lambda L, x: x.norm(p=float("inf")), normal(3, 4)),
    case("norm_neg_inf_dim", lambda L, x: x.norm(p=-float("inf"), dim=0), normal(3, 4)),
    case("norm_p3_keepdim", lambda L, x: x.norm(3, 1, True), normal(3, 4)),
    case("norm_p0", lambda L, x: x.norm(p=0), with_zeros(3, 4)),
    case("norm_zero_vector", lambda L, x: (x * 0).norm(dim=1), normal(2, 3)),
    case("sort", lambda L, x: x.sort(1), normal(3, 5)),
    case("sort_descending_dim0", lambda L, x: L.sort(x, 0, descending=True), normal(4, 3)),
    case("topk", lambda L, x: x.topk(2), normal(3, 5)),
    case("topk_smallest_dim0", lambda L, x: L.topk(x, 3, dim=0, largest=False), normal(4, 3)),
    case("gather", lambda L, x, i: L.gather(x, 1, i), normal(3, 4), ints(4, 3, 6)),
    case("gather_dim0_smaller", lambda L, x, i: x.gather(0, i), normal(4, 3), ints(4, 2, 2)),
    case("scatter_src", lambda L, x, s: x.scatter(1, L.tensor([[0, 2], [3, 1]]), s),
         normal(2, 4), normal(2, 2)),
    case("scatter_value", lambda L, x: L.scatter(x, 0, L.tensor([[1, 0, 1]]), value=2.5),
         normal(2, 3)),
    case("scatter_add", lambda L, x, s, i: x.scatter_add(1, i, s), normal(3, 4),
         normal(3, 5), ints(4, 3, 5)),
    case("index_select", lambda L, x, i: L.index_select(x, 1, i), normal(3, 4),
         fixed([3, 0, 3, 1])),
    case("masked_fill", lambda L, x: x.masked_fill(x > 0.3, -1.5), normal(3, 4)),
    case("masked_fill_broadcast_mask", lambda L, x, m: x.masked_fill(m > 0, 0.0), normal(3, 4),
         normal(4)),
    case("masked_select", lambda L, x: L.masked_select(x, x < 0.2), normal(3, 4)),
    case("flip", lambda L, x: L.flip(x, (0, 2)), normal(2, 3, 4)),
    case("tril", lambda L, x: L.tril(x), normal(4, 5)),
    case("triu_offset_batched", lambda L, x: x.triu(1), normal(2, 3, 3)),
    case("diagonal_offset", lambda L, x: x.diagonal(1), normal(4, 5)),
    case("diagonal_dims", lambda L, x: L.diagonal(x, -1, 0, 2), normal(3, 2, 4)),
    case("diag_vector", lambda L, x: L.diag(x, -1), normal(3)),
    case("diag_matrix", lambda L, x: x.diag(), normal(3, 4)),
    case("trace", lambda L, x: L.trace(x), normal(3, 4)),
    case("narrow", lambda L, x: x.narrow(1, 1, 2), normal(3, 4)),
    case("select", lambda L, x: L.select(x, 0, -1), normal(3, 4)),
    case("movedim", lambda L, x: L.movedim(x, (0, 1), (2, 0)), normal(2, 3, 4)),
    case("repeat_interleave", lambda L, x: x.repeat_interleave(2, dim=0), normal(2, 3)),
    case("repeat_interleave_flat", lambda L, x: L.repeat_interleave(x, 3), normal(2, 2)),
    case("tile", lambda L, x: x.tile((2, 1, 2)), normal(2, 3)),
    case("amin_dims", lambda L, x: x.amin((0, 2)), normal(2, 3, 4)),
    case("remainder", lambda L, x: L.remainder(x, 0.7), normal(3, 4)),
    case("fmod", lambda L, x, y: x.fmod(y), normal(3, 4), positive(4)),
    case("lerp", lambda L, a, b: L.lerp(a, b, 0.3), normal(3), normal(3)),
    case("clamp_min_max", lambda L, x: x.clamp_min(-0.5).clamp_max(0.5), normal(3, 4)),
    case("cdist", lambda L, a, b: L.cdist(a, b), normal(3, 4), normal(5, 4)),
    case("dist_p1", lambda L, a, b: L.dist(a, b, 1), normal(3, 4), normal(3, 4)),
    case("einsum_mm", lambda L, a, b: L.einsum("ij,jk->ik", a, b), normal(3, 4), normal(4, 2)),
    case("einsum_batched", lambda L, a, b: L.einsum("bij,bkj->bik", a, b), normal(2, 3, 4),
         normal(2, 5, 4)),
    case("einsum_implicit_outer", lambda L, a, b: L.einsum("i,j", a, b), normal(3), normal(2)),
    case("einsum_sum_transpose", lambda L, x: L.einsum("ijk->kj", x), normal(2, 3, 4)),
    case("median_all", lambda L, x: x.median(), normal(3, 5)),
    case("median_dim_keepdim", lambda L, x: L.median(x, 1, keepdim=True), normal(3, 5)),
    case("kthvalue", lambda L, x: L.kthvalue(x, 2, 0), normal(4, 3)),
    case("inplace_unary", lambda L, x: ((x * 1).abs_() + 1).sqrt_() * 2 + (x * 1).exp_()
         + (x * 1).neg_() + (x * 1).sigmoid_() + (x * 1).tanh_() + (x * 1).pow_(3),
         normal(3, 4)),
    case("inplace_select_ops", lambda L, x, s: (x * 1).masked_fill_(x > 0.5, 0.0)
         .scatter_add_(1, L.tensor([[0, 1], [2, 2], [3, 0]]), s).clamp_min_(-0.4)
         .clamp_max_(0.9).pow_(2), normal(3, 4), normal(3, 2)),
    case("inplace_lerp_sigmoid", lambda L, a, b: (a * 1).lerp_(b, 0.25).sigmoid_(),
         normal(5), normal(5)),
    case("meshgrid_xy", lambda L, a, b: L.meshgrid(a, b, indexing="xy"), normal(3), normal(2)),
    case("hstack_vstack", lambda L, a, b: L.vstack([L.hstack([a, b]), L.hstack([b, a])]),
         normal(3), normal(2)),
    case("nan_to_num", lambda L, x: L.nan_to_num(x / (x > 0.5).float() * x.sign()),
         normal(3, 4)),
]


def _run(lib: Any, c: Case, arrays: List[np.ndarray], dtype: str) -> tuple:
    """Outputs and input gradients of L = Σ_k Σ (out_k · w_k) with fixed weights w_k."""
    leaves = []
    for a in arrays:
        if a.dtype.kind == "f":
            leaves.append(lib.tensor(a.astype(dtype), requires_grad=True))
        else:
            leaves.append(lib.tensor(a))
    out = c.fn(lib, *leaves)
    outs = list(out) if isinstance(out, tuple) else [out]
    g = np.random.default_rng(7)
    loss = None
    for o in outs:
        if o.dtype.is_floating_point and o.requires_grad:
            w = lib.tensor(g.standard_normal(tuple(o.shape)).astype(dtype))
            term = (o * w).sum()
            loss = term if loss is None else loss + term
    if loss is not None:
        loss.backward()
    values = [o.detach().cpu().numpy() for o in outs]
    grads = [t.grad.detach().cpu().numpy() if t.grad is not None else None for t in leaves]
    names = [getattr(o.grad_fn, "name", lambda: None)() if o.grad_fn is not None else None
             for o in outs]
    return values, grads, names


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_matches_torch(c: Case, dtype: str, backend: str) -> None:
    arrays = c.inputs(np.random.default_rng(zlib.crc32(c.name.encode())))
    want_v, want_g, want_names = _run(torch, c, arrays, dtype)
    with on_backend(backend):
        got_v, got_g, got_names = _run(minitorch, c, arrays, dtype)
    tol = {"rtol": 1e-4, "atol": 1e-5} if dtype == "float32" else {"rtol": 1e-9, "atol": 1e-11}
    assert len(got_v) == len(want_v)
    for k, (got, want) in enumerate(zip(got_v, want_v)):
        assert got.shape == want.shape, f"output {k}: shape {got.shape} != {want.shape}"
        assert got.dtype == want.dtype, f"output {k}: dtype {got.dtype} != {want.dtype}"
        np.testing.assert_allclose(got, want, **tol, err_msg=f"output {k}", equal_nan=True)
    for k, (got, want) in enumerate(zip(got_g, want_g)):
        assert (got is None) == (want is None), f"grad of input {k}: presence differs"
        if want is not None:
            np.testing.assert_allclose(got, want, **tol, err_msg=f"grad of input {k}")
    for got, want in zip(got_names, want_names):
        if want is not None and "Backward" in want and want.startswith(
                ("Sin", "Cos", "Tan", "Log", "Exp", "Reciprocal", "Rsqrt", "Mm", "Bmm", "Mv",
                 "Dot", "Cum", "Prod", "Logsumexp", "LinalgVectorNorm", "Sort", "Topk",
                 "Gather", "Scatter", "IndexSelect", "MaskedFill", "Flip", "Tril", "Triu")):
            assert got == want


# ------------------------------------------------------------ no gradient: tests and logic
LOGIC = [
    ("argsort", lambda L, x: L.argsort(x, dim=1, descending=True)),
    ("nonzero", lambda L, x: (x > 0).nonzero()),
    ("nonzero_tuple", lambda L, x: L.nonzero(x > 0, as_tuple=True)),
    ("argwhere", lambda L, x: L.argwhere(x > 0.5)),
    ("count_nonzero_dim", lambda L, x: L.count_nonzero(x > 0, dim=0)),
    ("isfinite_isinf", lambda L, x: (L.isfinite(x / (x > 0).float()),
                                     (x / (x > 0).float()).isinf(),
                                     L.isposinf(-1 / (x > 0).float()),
                                     L.isneginf(-1 / (x > 0).float()))),
    ("isclose", lambda L, x: L.isclose(x, x + 1e-6)),
    ("logical", lambda L, x: (L.logical_and(x > 0, x < 1), (x > 0).logical_or(x < -1),
                              L.logical_xor(x > 0, x > 1), L.logical_not(x > 0),
                              L.bitwise_not(x > 0), (x > 0) ^ (x > 1))),
    ("int_math", lambda L, x: ((x * 10).long().remainder(3), L.fmod((x * 10).long(), 3),
                               (x * 10).long().floor_divide(4), (x * 10).long().sign(),
                               (x * 10).long().floor(), (x * 10).long().abs().sqrt(),
                               (x * 10).long().cumsum(0), (x > 0).sum(), (x > 0).prod(0))),
    ("unique_bincount", lambda L, x: (L.unique((x * 3).long()), (x * 3).long().unique(
        return_inverse=True, return_counts=True), L.bincount((x.abs() * 3).long().reshape(-1)),
        (x.abs() * 3).long().reshape(-1).bincount((x * 4).round().reshape(-1), minlength=20))),
    ("apply_", lambda L, x: x.clone().apply_(lambda v: v * 2 + 1)),
    ("new_like", lambda L, x: (x.new_zeros(2, 3), x.double().new_ones((2,)),
                               x.new_full((2, 2), 7), x.new_tensor([1, 2]).dtype == L.float32,
                               x.new_empty(0).shape)),
    ("broadcast", lambda L, x: (*L.broadcast_tensors(x, x[:1]), L.broadcast_to(x[0], (2, 4)))),
    ("random_like_shapes", lambda L, x: (L.randint_like(x, 5).shape, L.normal(x, 1.0).shape,
                                         L.multinomial(x.abs() + 0.1, 2).shape,
                                         L.bernoulli(x.abs().clamp(0, 1)).shape)),
    ("allclose_equal", lambda L, x: (x.allclose(x + 1e-9), L.allclose(x, x + 1), L.equal(x, x),
                                     L.is_nonzero(L.tensor([1.5])), L.is_floating_point(x))),
    ("type_strings", lambda L, x: (x.type().split(".")[-1], x.long().type().split(".")[-1],
                                   x.type(L.float64).dtype == L.float64,
                                   x.type("torch.DoubleTensor").dtype == L.float64,
                                   x.type(L.LongTensor).dtype == L.int64,
                                   isinstance(x, L.FloatTensor), isinstance(x, L.LongTensor),
                                   L.FloatTensor(2, 3).shape, L.LongTensor([1, 2]).dtype ==
                                   L.int64, x.get_device(), x.ndimension())),
]


def _plain(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if hasattr(value, "detach"):
        return ("tensor", str(value.dtype).split(".")[-1], value.detach().cpu().numpy().tolist())
    if hasattr(value, "__len__") and not isinstance(value, str):  # Size
        return list(value)
    return value


@pytest.mark.parametrize("name,fn", LOGIC, ids=[n for n, _ in LOGIC])
def test_logic_matches_torch(name: str, fn: Callable[..., Any]) -> None:
    x = np.random.default_rng(3).standard_normal((4, 4)).astype(np.float32)
    got = _plain(fn(minitorch, minitorch.tensor(x)))
    want = _plain(fn(torch, torch.tensor(x)))
    assert got == want


# ------------------------------------------------------------------------ error messages
ERRORS = [
    lambda L, x: L.mm(x, x),
    lambda L, x: L.mm(x[0], x),
    lambda L, x: L.bmm(x, x),
    lambda L, x: L.bmm(x[None], x[None]),
    lambda L, x: L.dot(x[0], x[1, :3]),
    lambda L, x: x.gather(1, L.zeros(3, 2)),
    lambda L, x: x.gather(1, L.zeros(3, dtype=L.long)),
    lambda L, x: x.gather(1, L.full((3, 2), 7)),
    lambda L, x: x.index_select(1, L.tensor([[0]])),
    lambda L, x: x.masked_fill(L.zeros(3, 4), 1.0),
    lambda L, x: x.topk(5),
    lambda L, x: x.sort(dim=3),
    lambda L, x: x.narrow(0, 2, 5),
    lambda L, x: x.type("torch.Blah"),
    lambda L, x: x.repeat_interleave(L.tensor([1, 2])),
    lambda L, x: x.tril() if x.ndim < 2 else x[0].tril(),
    lambda L, x: L.multinomial(x[0], 9),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_match_torch(k: int) -> None:
    x = np.random.default_rng(0).random((3, 4)).astype(np.float32)
    with pytest.raises(Exception) as want:
        ERRORS[k](torch, torch.tensor(x))
    with pytest.raises(type(want.value)) as got:
        ERRORS[k](minitorch, minitorch.tensor(x))
    assert str(got.value).split("\n")[0] == str(want.value).split("\n")[0]


def test_storage_queries_match_torch():
    """data_ptr, storage_offset, nbytes and itemsize: a view starts storage_offset elements
    into its base (slices, select, transpose, view, narrow), as in torch; an empty tensor's
    data_ptr is 0; a clone owns its storage."""
    got = {}
    for lib in (torch, minitorch):
        x = lib.arange(24.0).reshape(4, 6)
        views = [x, x[1:], x[2], x[:, 3], x.t(), x[1:3, 2:5], x.view(24)[5:],
                 x.reshape(6, 4)[1], x.unsqueeze(0), x.select(1, 4), x.narrow(0, 2, 2),
                 x.transpose(0, 1)[2]]
        got[lib] = ([v.storage_offset() for v in views],
                    [(v.data_ptr() - x.data_ptr()) // x.element_size() for v in views],
                    x.nbytes, x.itemsize, lib.zeros(0).data_ptr(), x.clone().storage_offset(),
                    x.clone().data_ptr() != x.data_ptr())
    assert got[minitorch] == got[torch]


def test_size_slices_and_sums_stay_sizes():
    """A slice, a concatenation (either side) or a repetition of a shape is a Size, as
    torch's; an index is an int; a Size still equals and hashes as its tuple."""
    for lib in (torch, minitorch):
        s = lib.ones(2, 3, 4).shape
        results = [s[1:], s[::-1], s + (5,), (1,) + s, s * 2, 2 * s]
        assert all(type(r) is type(s) for r in results), lib
        assert [tuple(r) for r in results] == [(3, 4), (4, 3, 2), (2, 3, 4, 5), (1, 2, 3, 4),
                                               (2, 3, 4) * 2, (2, 3, 4) * 2]
        assert type(s[0]) is int and s == (2, 3, 4) and hash(s) == hash((2, 3, 4))
        assert repr(s[1:]) == f"{lib.__name__}.Size([3, 4])"


TRUTH_ARGS = [(), (1,), (0,), (-1,), ((0, 1),), ((1, -1),)]


@pytest.mark.parametrize("name", ["all", "any"])
@pytest.mark.parametrize("args", TRUTH_ARGS)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("backend", ["numpy", "numba", "cuda-emulated"])
def test_all_any_along_dims_match_torch(name, args, keepdim, backend):
    """``x.all(dim, keepdim)`` / ``minitorch.any(x, dims)``: bool results as torch's, for one
    dim, a tuple of dims and every dim, with zeros, NaN and negative values in the input."""
    data = np.array([[[1.0, 0.0, np.nan], [2.0, -3.0, 4.0]], [[0.0, 0.0, 0.0], [5.0, 6.0, 7.0]]])
    kw = {"keepdim": keepdim} if args else {}
    want = getattr(torch.from_numpy(data), name)(*args, **kw)
    with on_backend(backend):
        x = minitorch.tensor(data)
        got = getattr(x, name)(*args, **kw)
        got_fn = getattr(minitorch, name)(x, *args, **kw)
        assert got.dtype == minitorch.bool and tuple(got.shape) == tuple(want.shape)
        np.testing.assert_array_equal(got.cpu().numpy(), want.numpy())
        np.testing.assert_array_equal(got_fn.cpu().numpy(), want.numpy())


@pytest.mark.parametrize("dim", [2, -3, (0, 0)])
def test_all_any_bad_dims_raise_like_torch(dim):
    x = np.ones((2, 3))
    with pytest.raises(Exception) as want:
        torch.from_numpy(x).all(dim)
    with pytest.raises(type(want.value)):
        minitorch.tensor(x).all(dim)


@pytest.mark.parametrize("spec", ["", ".3f", "8.2e", ">10"])
def test_zero_d_tensor_formats_as_its_number_like_torch(spec):
    """``f"{loss:.3f}"`` and ``f"{loss}"`` on a 0-d tensor print the number, as in torch; a
    format spec on a tensor of more elements is torch's TypeError."""
    assert format(minitorch.tensor(1.2345), spec) == format(torch.tensor(1.2345), spec)
    assert format(minitorch.tensor([1.0, 2.0])) == format(torch.tensor([1.0, 2.0]))
    if spec:
        with pytest.raises(TypeError, match="unsupported format string"):
            format(minitorch.tensor([1.0, 2.0]), spec)


@pytest.mark.parametrize("name", ["pi", "e", "inf", "nan", "newaxis"])
def test_constants_are_torch_s(name: str) -> None:
    ours, theirs = getattr(minitorch, name), getattr(torch, name)
    assert type(ours) is type(theirs)
    assert ours == theirs or (ours != ours and theirs != theirs)  # nan: both nan
