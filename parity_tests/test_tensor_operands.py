"""A 0-d tensor where a number usually goes, and a single element read as a view — against
torch on every backend. Each was a silent wrong answer: ``masked_fill(mask, v)`` and
``fill_(v)`` dropped v's gradient, ``y[0, 1] = v`` (v requiring grad) wrote nothing, and
``x[1].fill_(7)`` changed a copy (NumPy returns a scalar for one element; torch a view).
Also ``add``/``sub`` with ``alpha`` and ``index_put``/``index_put_``."""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Dict

import numpy as np
import pytest
import torch

import minitorch
from minitorch.parity import mt_to_np, on_backend, to_minitorch
from parity_tests.autograd_pairs import assert_raises_like_torch

X = np.array([[0.5, -1.0, 2.0], [1.5, 0.2, -0.3]])
W = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])  # weights the result before backward


def _setitem(x: Any, index: Any, v: Any) -> Any:
    x[index] = v
    return x


# name → f(lib, x (a non-leaf made from a leaf requiring grad), v (a 0-d leaf))
CASES: Dict[str, Callable[..., Any]] = {
    "masked_fill": lambda L, x, v: x.masked_fill(x > 0.4, v),
    "masked_fill_": lambda L, x, v: x.masked_fill_(x > 0.4, v),
    "masked_fill_fn": lambda L, x, v: L.masked_fill(x, L.tensor([True, False, True]), v),
    "fill_": lambda L, x, v: x.fill_(v),
    "index_fill": lambda L, x, v: x.index_fill(1, L.tensor([0, 2]), v),
    "setitem_element": lambda L, x, v: _setitem(x, (0, 1), v),
    "setitem_negative": lambda L, x, v: _setitem(x, (-1, -1), v * 2),
    "setitem_row_element": lambda L, x, v: _setitem(x[1], 2, v),
    "setitem_mask": lambda L, x, v: _setitem(x, x > 0.4, v),
    "element_view_fill_": lambda L, x, v: (x[0, 2].fill_(v), x)[1],
    "element_view_mul_": lambda L, x, v: (x[1, 0].mul_(v), x)[1],
    "select_view_add_": lambda L, x, v: (x.select(1, 1)[0].add_(v), x)[1],
    "narrow_view_copy_": lambda L, x, v: (x.narrow(1, 2, 1)[1, 0].copy_(v), x)[1],
    "add_alpha": lambda L, x, v: x.add(v, alpha=2),
    "sub_alpha": lambda L, x, v: L.sub(x, v, alpha=-0.5),
    "add_alpha_fn": lambda L, x, v: L.add(x, x * v, alpha=3),
    "index_put": lambda L, x, v: x.index_put((L.tensor([0, 1]), L.tensor([1, 2])), v),
    "index_put_accumulate": lambda L, x, v: x.index_put(
        (L.tensor([0, 0, 1]), L.tensor([1, 1, 0])), v * L.tensor([1.0, 2.0, 3.0],
                                                                 dtype=v.dtype),
        accumulate=True),
    "index_put_bool": lambda L, x, v: x.index_put((L.tensor([True, False]),), v.expand(3)),
    "index_put_": lambda L, x, v: x.index_put_((L.tensor([1]),), v, accumulate=True),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(CASES))
def test_tensor_operand_values_gradients_and_nodes_match_torch(name: str, dtype: Any,
                                                               backend: str) -> None:
    got = {}
    for lib, to_lib, to_np in ((torch, torch.from_numpy, lambda t: t.detach().numpy()),
                               (minitorch, to_minitorch(backend), mt_to_np)):
        with on_backend(backend) if lib is minitorch else contextlib.nullcontext():
            leaf = to_lib(X.astype(dtype)).requires_grad_()
            v = to_lib(np.array(0.7, dtype=dtype)).requires_grad_()
            y = CASES[name](lib, leaf * 1, v)
            (y * to_lib(W.astype(dtype))).sum().backward()
            node = y.grad_fn.name().replace("torch::autograd::", "")
            got[lib.__name__] = (node, to_np(y), to_np(leaf.grad), to_np(v.grad))
    assert got["minitorch"][0] == got["torch"][0]
    for ours, theirs in zip(got["minitorch"][1:], got["torch"][1:]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-12)


VIEWS: Dict[str, Callable[[Any], Any]] = {
    "x[1]": lambda x: x[1], "x[-1]": lambda x: x[-1], "select": lambda x: x.select(0, 1),
    "unbind": lambda x: x.unbind()[2], "view[1, 0]": lambda x: x.view(3, 1)[1, 0],
    "flatten[1]": lambda x: x.flatten()[1], "reshape[0][2]": lambda x: x.reshape(1, 3)[0][2],
    "unsqueeze[0, 1]": lambda x: x.unsqueeze(0)[0, 1], "split[1][0]": lambda x: x.split(1)[1][0],
    "x[..., 2]": lambda x: x[..., 2],
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_one_element_is_a_view_written_through_as_in_torch(name: str) -> None:
    written = []
    for lib in (torch, minitorch):
        x = lib.zeros(3)
        element = VIEWS[name](x)
        element.fill_(7)
        element += 1
        written.append((x.tolist(), element.item()))
    assert written[1] == written[0]


@pytest.mark.parametrize("call", [
    lambda L: L.tensor([1, 2]).add(L.tensor([1, 1]), alpha=2.5),
    lambda L: L.tensor([1, 2]).sub_(1, alpha=1.5),
    lambda L: L.zeros(2, 3).masked_fill(L.tensor([True, False, True]), L.tensor([1.0])),
    lambda L: L.zeros(2, 3).fill_(L.tensor([1.0])),
    lambda L: L.zeros(3, 4).index_put((L.tensor([0]),), L.tensor([1.0], dtype=L.float64)),
    lambda L: L.zeros(3, 4).index_put(L.tensor([0]), L.tensor(1.0)),
    lambda L: L.zeros(3, 4).index_put((L.tensor([0.0]),), L.tensor(1.0)),
    lambda L: L.zeros(3, 4).index_put((L.tensor([5]),), L.tensor(1.0)),
    lambda L: L.zeros(3, 4).index_put((L.tensor([0]),), 5.0),
], ids=["int_float_alpha", "int_float_alpha_", "masked_fill_1d_value", "fill_1d_value",
        "index_put_dtypes", "index_put_not_tuple", "index_put_float_index",
        "index_put_out_of_range", "index_put_number"])
def test_refusals_match_torch(call: Callable[[Any], Any]) -> None:
    assert_raises_like_torch(call)
