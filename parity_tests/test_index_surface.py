"""What the parity catalogue cannot express for the NaN-aware and running reductions and the
indexing and splitting ops, each compared with torch: the integer results (tril_indices,
triu_indices, isin, searchsorted, bucketize), the in-place forms (same tensor returned, same
values and gradients), the return types, and bad input (the same exception type and message).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch
from minitorch.parity import mt_to_np


def _t(lib, values, dtype=None):
    """The same data as a tensor of ``lib`` (NumPy's dtype unless ``dtype`` is given)."""
    arr = np.asarray(values) if dtype is None else np.asarray(values, dtype=dtype)
    return lib.tensor(arr)


def _np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else mt_to_np(t)


def _same(got, want):
    """Same values, shape and dtype name (bool/int64 results compared exactly)."""
    if isinstance(want, (tuple, list)):
        assert type(got).__name__ == type(want).__name__ and len(got) == len(want)
        for g, w in zip(got, want):
            _same(g, w)
        return
    g, w = _np(got), _np(want)
    assert g.dtype == w.dtype and g.shape == w.shape
    np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-6, equal_nan=True)


RNG = np.random.default_rng(0)
SEQ = np.array([1, 3, 3, 5, 8])
ROWS = np.array([[1.0, 2.0, 4.0], [0.5, 0.5, 3.0]])
VALUES = np.array([[0.0, 2.0, 3.0, 5.0, 9.0], [-1.0, 0.5, 1.0, 3.0, 7.0]])

INTEGER_RESULTS = {
    "tril_indices": lambda L: L.tril_indices(3, 4),
    "tril_indices_offset": lambda L: L.tril_indices(4, 3, 1),
    "tril_indices_neg_offset": lambda L: L.tril_indices(3, 3, -2),
    "triu_indices": lambda L: L.triu_indices(3, 2, -1),
    "triu_indices_empty": lambda L: L.triu_indices(0, 3),
    "isin": lambda L: L.isin(_t(L, [[1, 2], [3, 8]]), _t(L, [8, 2, 7])),
    "isin_invert": lambda L: L.isin(_t(L, [1.0, 2.5, 3.0]), _t(L, [3.0]), invert=True),
    "isin_number_elements": lambda L: L.isin(3, _t(L, [1, 3])),
    "isin_number_test": lambda L: L.isin(_t(L, [1.0, 2.0]), 2.0),
    "isin_unique": lambda L: L.isin(_t(L, [4, 1, 2]), _t(L, [2, 3]), assume_unique=True),
    "searchsorted": lambda L: L.searchsorted(_t(L, SEQ), _t(L, [[0, 3], [6, 9]])),
    "searchsorted_right": lambda L: L.searchsorted(_t(L, SEQ), _t(L, [3, 5, 8]), right=True),
    "searchsorted_side": lambda L: L.searchsorted(_t(L, SEQ), _t(L, [3, 5]), side="right"),
    "searchsorted_side_left": lambda L: L.searchsorted(_t(L, SEQ), _t(L, [3]), side="left"),
    "searchsorted_scalar": lambda L: L.searchsorted(_t(L, SEQ), 4),
    "searchsorted_rows": lambda L: L.searchsorted(_t(L, ROWS), _t(L, VALUES)),
    "searchsorted_rows_right": lambda L: L.searchsorted(_t(L, ROWS), _t(L, VALUES), right=True),
    "searchsorted_sorter": lambda L: L.searchsorted(_t(L, [5, 1, 3]), _t(L, [3, 6, 0]),
                                                    sorter=_t(L, [1, 2, 0])),
    "searchsorted_mixed_dtypes": lambda L: L.searchsorted(_t(L, [1.0, 3.0]), _t(L, [2, 3])),
    "bucketize": lambda L: L.bucketize(_t(L, [[1, 3], [5, 7]]), _t(L, [1, 3, 5])),
    "bucketize_right": lambda L: L.bucketize(_t(L, [1, 3, 5, 7]), _t(L, [1, 3, 5]), right=True),
    "bucketize_scalar": lambda L: L.bucketize(3, _t(L, [1, 3, 5])),
    "cummax_int": lambda L: L.cummax(_t(L, [3, 1, 4, 4, 2]), 0),
    "cummin_int_ties": lambda L: L.cummin(_t(L, [3, 1, 1, 3]), 0),
    "cummax_bool": lambda L: _t(L, [True, False, True]).cummax(0),
    "nansum_int": lambda L: _t(L, [[1, 2], [3, 4]]).nansum(1),
    "nansum_bool": lambda L: L.nansum(_t(L, [True, True, False])),
    "roll_int": lambda L: _t(L, [[1, 2, 3], [4, 5, 6]]).roll(1),
    "diff_bool": lambda L: L.diff(_t(L, [True, False, False, True])),
    "diff_int_n0": lambda L: _t(L, [1, 4, 9]).diff(n=0),
    "take_int": lambda L: _t(L, [[1, 2], [3, 4]]).take(_t(L, [3, -4])),
    "cartesian_prod_int": lambda L: L.cartesian_prod(_t(L, [1, 2]), _t(L, [3, 4, 5])),
    "var_mean_tuple": lambda L: L.var_mean(_t(L, ROWS, "float32"), 1),
    "std_mean_tuple": lambda L: L.std_mean(_t(L, ROWS, "float32"), True),
    "cummax_named": lambda L: _t(L, ROWS).cummax(1),
    "cummin_named": lambda L: _t(L, ROWS).cummin(0),
}


@pytest.mark.parametrize("name", INTEGER_RESULTS)
def test_results_match_torch(name):
    fn = INTEGER_RESULTS[name]
    _same(fn(minitorch), fn(torch))


def test_cummax_repr_names_its_fields_like_torch():
    want = repr(torch.tensor([1.0, 3.0, 2.0]).cummax(0)).replace("torch", "minitorch")
    assert repr(minitorch.tensor([1.0, 3.0, 2.0]).cummax(0)) == want


def _inplace_run(lib, method, args):
    """``method`` applied in place to a non-leaf copy; its values, the leaves' gradients, and
    whether the same tensor came back."""
    x = lib.tensor(RNG_X.copy(), requires_grad=True)
    src = lib.tensor(RNG_S.copy(), requires_grad=True)
    y = x * 1
    out = getattr(y, method)(*args(lib, src))
    (out * out).sum().backward()
    return out is y, _np(out), _np(x.grad), None if src.grad is None else _np(src.grad), \
        y._version


RNG_X = RNG.standard_normal((3, 4))
RNG_S = RNG.standard_normal((3, 3))
INPLACE = {
    "index_add_": lambda L, s: (1, _t(L, [3, 0, 3]), s),
    "index_copy_": lambda L, s: (1, _t(L, [3, 0, 1]), s),
    "index_fill_": lambda L, s: (0, _t(L, [2, 0]), -2.0),
    "masked_scatter_": lambda L, s: (_t(L, RNG_X > 0), s),
}


@pytest.mark.parametrize("method", INPLACE)
def test_inplace_forms_match_torch(method):
    want = _inplace_run(torch, method, INPLACE[method])
    got = _inplace_run(minitorch, method, INPLACE[method])
    assert got[0] and want[0]
    for g, w in zip(got[1:], want[1:]):
        if w is None:
            assert g is None
        elif isinstance(w, int):
            assert g == w
        else:
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


def test_index_add_alpha_in_place_on_a_plain_tensor():
    want = torch.zeros(2, 3).index_add_(0, torch.tensor([1, 1]), torch.ones(2, 3), alpha=3)
    got = minitorch.zeros(2, 3).index_add_(0, minitorch.tensor([1, 1]), minitorch.ones(2, 3),
                                           alpha=3)
    _same(got, want)


def test_inplace_on_a_leaf_that_requires_grad_is_refused_like_torch():
    for lib in (torch, minitorch):
        x = lib.zeros(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            x.index_fill_(0, lib.tensor([0]), 1.0)


X34 = RNG.standard_normal((3, 4))
IDX2 = [0, 2]
BAD = {
    # reductions and scans
    "nanmean_int": lambda L: _t(L, [1, 2]).nanmean(),
    "nansum_dim": lambda L: _t(L, X34).nansum(2),
    "nansum_repeat": lambda L: _t(L, X34).nansum((0, 0)),
    "var_mean_int": lambda L: L.var_mean(_t(L, [1, 2])),
    "std_mean_dim": lambda L: L.std_mean(_t(L, X34), 3),
    "cummax_dim": lambda L: _t(L, X34).cummax(2),
    "cummin_dim": lambda L: L.cummin(_t(L, X34), -3),
    "logcumsumexp_int": lambda L: _t(L, [1, 2]).logcumsumexp(0),
    "logcumsumexp_bool": lambda L: _t(L, [True]).logcumsumexp(0),
    # reorder
    "roll_align": lambda L: _t(L, X34).roll((1, 2), 0),
    "roll_no_dims": lambda L: _t(L, X34).roll((1, 2)),
    "roll_dim": lambda L: _t(L, X34).roll(1, 5),
    "roll_empty_shifts": lambda L: _t(L, X34).roll((), ()),
    "rot90_1d": lambda L: _t(L, [1.0, 2.0]).rot90(),
    "rot90_same": lambda L: _t(L, X34).rot90(1, [0, 0]),
    "rot90_same_wrapped": lambda L: _t(L, X34).rot90(1, [1, -1]),
    "rot90_three": lambda L: _t(L, X34).rot90(1, [0, 1, 1]),
    "rot90_range": lambda L: _t(L, X34).rot90(1, [0, 2]),
    "diff_order": lambda L: _t(L, X34).diff(n=-1),
    "diff_0d": lambda L: _t(L, 1.0).diff(),
    "diff_prepend_rank": lambda L: _t(L, X34).diff(prepend=_t(L, [1.0, 2.0, 3.0])),
    "diff_append_size": lambda L: _t(L, X34).diff(dim=1, append=_t(L, np.ones((2, 1)))),
    "unflatten_sizes": lambda L: _t(L, X34).unflatten(1, (3, -1)),
    "unflatten_empty": lambda L: _t(L, X34).unflatten(1, ()),
    # pick and place
    "take_range": lambda L: _t(L, X34).take(_t(L, [12])),
    "take_negative_range": lambda L: _t(L, X34).take(_t(L, [0, -13])),
    "take_float_index": lambda L: _t(L, X34).take(_t(L, [1.0])),
    "take_along_dim_rank": lambda L: L.take_along_dim(_t(L, X34), _t(L, [0]), 1),
    "take_along_dim_dtype": lambda L: L.take_along_dim(_t(L, X34), _t(L, [[0.0]]), 1),
    "take_along_dim_dim": lambda L: L.take_along_dim(_t(L, X34), _t(L, [[0]]), 2),
    "take_along_dim_broadcast": lambda L: L.take_along_dim(_t(L, X34), _t(L, [[1], [2]]), 1),
    "rot90_range_3d": lambda L: _t(L, np.ones((2, 3, 4))).rot90(1, [0, -3]),
    "index_add_count": lambda L: _t(L, X34).index_add(1, _t(L, IDX2), _t(L, np.ones((3, 3)))),
    "index_add_shape": lambda L: _t(L, X34).index_add(1, _t(L, IDX2), _t(L, np.ones((2, 2)))),
    "index_add_rank": lambda L: _t(L, X34).index_add(1, _t(L, [[0, 1]]), _t(L, X34[:, :2])),
    "index_add_float_index": lambda L: _t(L, X34).index_add(1, _t(L, [0.0, 1.0]),
                                                            _t(L, X34[:, :2])),
    "index_add_range": lambda L: _t(L, X34).index_add(1, _t(L, [0, 4]), _t(L, X34[:, :2])),
    "index_add_negative": lambda L: _t(L, X34).index_add(1, _t(L, [0, -1]), _t(L, X34[:, :2])),
    "index_add_dtype": lambda L: _t(L, X34, "float32").index_add(1, _t(L, IDX2),
                                                                 _t(L, X34[:, :2])),
    "index_add_dim": lambda L: _t(L, X34).index_add(2, _t(L, IDX2), _t(L, X34[:, :2])),
    "index_fill_range": lambda L: _t(L, X34).index_fill(1, _t(L, [0, 4]), 1.0),
    "index_fill_rank": lambda L: _t(L, X34).index_fill(1, _t(L, [[0]]), 1.0),
    "index_fill_float_index": lambda L: _t(L, X34).index_fill(1, _t(L, [0.0]), 1.0),
    "index_fill_value_rank": lambda L: _t(L, X34).index_fill(1, _t(L, IDX2), _t(L, [1.0, 2.0])),
    "index_copy_range": lambda L: _t(L, X34).index_copy(1, _t(L, [0, 4]), _t(L, X34[:, :2])),
    "index_copy_negative": lambda L: _t(L, X34).index_copy(1, _t(L, [0, -1]),
                                                           _t(L, X34[:, :2])),
    "index_copy_count": lambda L: _t(L, X34).index_copy(1, _t(L, IDX2), _t(L, X34[:, :3])),
    "index_copy_slices": lambda L: _t(L, X34).index_copy(1, _t(L, IDX2), _t(L, np.ones((2, 2)))),
    "index_copy_rank": lambda L: _t(L, X34).index_copy(1, _t(L, [[0, 1]]), _t(L, X34[:, :2])),
    "index_copy_float_index": lambda L: _t(L, X34).index_copy(1, _t(L, [0.0, 1.0]),
                                                              _t(L, X34[:, :2])),
    "index_copy_dtype": lambda L: _t(L, X34, "float32").index_copy(1, _t(L, IDX2),
                                                                   _t(L, X34[:, :2])),
    "masked_scatter_short": lambda L: _t(L, X34).masked_scatter(_t(L, X34 > 0), _t(L, [1.0])),
    "masked_scatter_mask_dtype": lambda L: _t(L, X34).masked_scatter(_t(L, X34 > 0).long(),
                                                                     _t(L, X34)),
    "masked_scatter_dtype": lambda L: _t(L, X34).masked_scatter(_t(L, X34 > 0),
                                                                _t(L, X34, "float32")),
    "masked_scatter_shape": lambda L: _t(L, X34).masked_scatter(_t(L, np.ones((2, 4), bool)),
                                                                _t(L, X34)),
    # split and join
    "tensor_split_0d": lambda L: _t(L, 1.0).tensor_split(2),
    "tensor_split_zero": lambda L: _t(L, X34).tensor_split(0, 1),
    "tensor_split_dim": lambda L: _t(L, X34).tensor_split(2, 3),
    "tensor_split_tensor_rank": lambda L: _t(L, X34).tensor_split(_t(L, [[1]]), 1),
    "tensor_split_tensor_dtype": lambda L: _t(L, X34).tensor_split(_t(L, [1.0])),
    "hsplit_divisible": lambda L: L.hsplit(_t(L, X34), 3),
    "hsplit_0d": lambda L: _t(L, 1.0).hsplit(1),
    "vsplit_rank": lambda L: L.vsplit(_t(L, [1.0, 2.0]), 2),
    "vsplit_zero": lambda L: _t(L, X34).vsplit(0),
    "dsplit_rank": lambda L: L.dsplit(_t(L, X34), 2),
    "column_stack_empty": lambda L: L.column_stack([]),
    "dstack_empty": lambda L: L.dstack([]),
    "cartesian_prod_rank": lambda L: L.cartesian_prod(_t(L, X34)),
    # integer results
    "tril_indices_row": lambda L: L.tril_indices(-1, 3),
    "triu_indices_col": lambda L: L.triu_indices(3, -2),
    "tril_indices_float": lambda L: L.tril_indices(3, 3, dtype=L.float32),
    "isin_numbers": lambda L: L.isin(1, 2),
    "searchsorted_side": lambda L: L.searchsorted(_t(L, SEQ), _t(L, [3]), side="lft"),
    "searchsorted_opposites": lambda L: L.searchsorted(_t(L, SEQ), _t(L, [3]), side="left",
                                                       right=True),
    "searchsorted_0d": lambda L: L.searchsorted(_t(L, 1.0), _t(L, [3.0])),
    "searchsorted_rows": lambda L: L.searchsorted(_t(L, ROWS), _t(L, [[3.0]])),
    "searchsorted_scalar_rows": lambda L: L.searchsorted(_t(L, ROWS), 3.0),
    "searchsorted_sorter_size": lambda L: L.searchsorted(_t(L, SEQ), _t(L, [1]),
                                                         sorter=_t(L, [1, 2])),
    "searchsorted_sorter_dtype": lambda L: L.searchsorted(_t(L, [1, 3]), _t(L, [1]),
                                                          sorter=_t(L, [0.0, 1.0])),
    "searchsorted_sorter_range": lambda L: L.searchsorted(_t(L, [1, 3]), _t(L, [1]),
                                                          sorter=_t(L, [0, 2])),
    "bucketize_rank": lambda L: L.bucketize(_t(L, [1, 3]), _t(L, [[1, 3, 5]])),
}


def _raised(fn, lib):
    with pytest.raises(Exception) as info:
        fn(lib)
    return info.type, str(info.value).split("\n")[0]


@pytest.mark.parametrize("name", BAD)
def test_bad_input_raises_like_torch(name):
    want_type, want_msg = _raised(BAD[name], torch)
    got_type, got_msg = _raised(BAD[name], minitorch)
    assert got_type is want_type
    assert got_msg == want_msg


@pytest.mark.parametrize("call", [
    lambda L: L.searchsorted(L.tensor([1, 3, 5]), L.tensor([[2, 6], [0, 3]]), out_int32=True),
    lambda L: L.bucketize(L.tensor([2, 3, 9]), L.tensor([1, 3]), out_int32=True, right=True),
], ids=["searchsorted", "bucketize"])
def test_out_int32_gives_torch_s_int32_indices(call):
    got = [call(lib) for lib in (torch, minitorch)]
    assert str(got[1].dtype).split(".")[1] == str(got[0].dtype).split(".")[1] == "int32"
    assert got[1].tolist() == got[0].tolist()


def test_take_along_dim_index_out_of_range_raises():
    """torch's take_along_dim does not check its indices (an index past the end reads another
    row's element); minitorch refuses it with gather's message."""
    with pytest.raises(RuntimeError, match="index 4 is out of bounds for dimension 1 with size 4"):
        minitorch.tensor(X34).take_along_dim(minitorch.tensor([[4]]), 1)
