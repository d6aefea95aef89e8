"""In-place ops on views against torch, per backend: the base is rebased onto a CopySlices
node and the view is read again from it (AsStridedBackward0), so gradients see the change;
a view of a leaf that requires grad refuses in-place ops; an expanded view refuses writes.

Every in-place method × every view kind: the loss uses both the base and the changed view,
so a gradient that missed the in-place op (or the rebase) shows up on x and on w."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch
from parity_tests.autograd_pairs import assert_close, leaves, libs

VIEWS = {
    "slice": lambda y: y[1:3],
    "select": lambda y: y[1],
    "step_slice": lambda y: y[:, ::2],
    "view": lambda y: y.view(4, 3),
    "reshape": lambda y: y.reshape(2, 6),
    "transpose": lambda y: y.t(),
    "permute_slice": lambda y: y.permute(1, 0)[1:3],
    "unsqueeze": lambda y: y.unsqueeze(0),
    "squeeze": lambda y: y.unsqueeze(1).squeeze(1),
    "flatten": lambda y: y.flatten(),
    "slice_of_slice": lambda y: y[:, 1:][1:, :2],
}

RANDOM = {"normal_", "uniform_"}
OPS = {
    "add_": lambda v, o: v.add_(o),
    "add_alpha": lambda v, o: v.add_(o, alpha=2.0),
    "sub_": lambda v, o: v.sub_(o),
    "mul_": lambda v, o: v.mul_(o),
    "div_": lambda v, o: v.div_(o + 3),
    "clamp_": lambda v, o: v.clamp_(-0.5, 0.7),
    "zero_": lambda v, o: v.zero_(),
    "fill_": lambda v, o: v.fill_(1.5),
    "copy_": lambda v, o: v.copy_(o),
    "relu_": lambda v, o: v.relu_(),
    "normal_": lambda v, o: v.normal_(),
    "uniform_": lambda v, o: v.uniform_(-1, 1),
    "addcmul_": lambda v, o: v.addcmul_(o, o, value=0.5),
    "addcdiv_": lambda v, o: v.addcdiv_(o, o + 2, value=0.5),
    "setitem": lambda v, o: v.__setitem__(..., o),
}


def _run(lib, x, w, view, op):
    y = x * 2
    v = view(y)
    o = (w * w).sum() * 0.3  # a 0-d tensor that carries w's graph
    out = OPS[op](v, o)
    assert out is v or out is None
    weights = lib.arange(12, dtype=x.dtype).reshape(3, 4) / 10
    # v·v uses the new values; random draws differ between the libraries, so v·2 there
    loss = (y * weights).sum() + (v * (2 if op in RANDOM else v)).sum()
    loss.backward()
    return node_name(y), node_name(v)


def node_name(t):
    """grad_fn.name() without torch's C++ namespace (torch::autograd::CopySlices)."""
    return t.grad_fn.name().split("::")[-1]


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("view", list(VIEWS))
def test_inplace_on_view_matches_torch(view, op, backend):
    rng = np.random.default_rng(0)
    t, m = leaves(backend, [rng.uniform(-1, 1, (3, 4)), rng.uniform(-1, 1, (2,))])
    want = _run(torch, *t, VIEWS[view], op)
    with libs(backend):
        got = _run(minitorch, *m, VIEWS[view], op)
    assert got == want == ("CopySlices", "AsStridedBackward0")
    for i in range(2):
        assert_close(m[i].grad, t[i].grad, what=f"{view} {op} grad {i}")


def test_example_from_the_docs(backend):
    for lib in (torch, minitorch):
        with libs(backend):
            x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
            y = x * 2
            y[0:1].mul_(3)
            y.sum().backward()
            np.testing.assert_allclose(x.grad.detach().cpu().numpy(), [6.0, 2.0, 2.0, 2.0])


def test_other_views_and_the_base_see_the_change(backend):
    """A view made before an in-place op on the base (or on a sibling view) is read again
    from the new base when used afterwards, as in torch."""
    rng = np.random.default_rng(1)
    t, m = leaves(backend, [rng.uniform(-1, 1, (4, 3))])

    def run(lib, x):
        y = x * 2
        a, b = y[0:2], y[1:3].t()
        a.mul_(x[3:4])       # through a view, with a factor that needs grad
        y.add_(1)            # on the base itself
        (a * b.t() + b.t() ** 2).sum().backward()
        return node_name(a), node_name(b)

    want = run(torch, *t)
    with libs(backend):
        got = run(minitorch, *m)
    assert got == want
    assert_close(m[0].grad, t[0].grad)


def test_setitem_and_index_put(backend):
    rng = np.random.default_rng(2)
    t, m = leaves(backend, [rng.uniform(-1, 1, (5,)), rng.uniform(-1, 1, (2,))])

    def run(lib, x, w):
        y = x * 1
        y[1:3] = w * w                      # basic index: a view copied into
        y[lib.tensor([0, 4])] = w.exp()     # an index array: index_put
        z = lib.zeros(5, dtype=x.dtype)     # a base that did not require grad
        z[2:4] = w
        (y * y).sum().backward()
        (z * x).sum().backward()
        return node_name(y), node_name(z)

    want = run(torch, *t)
    with libs(backend):
        got = run(minitorch, *m)
    assert got == want == ("IndexPutBackward0", "CopySlices")
    for i in range(2):
        assert_close(m[i].grad, t[i].grad)


@pytest.mark.parametrize("op", list(OPS))
def test_view_of_a_leaf_refuses_inplace(op, backend):
    for lib in (torch, minitorch):
        with libs(backend):
            x = lib.ones(3, 4, dtype=lib.float64, requires_grad=True)
            o = lib.tensor(0.5, dtype=lib.float64)
            for view in (VIEWS["slice"], VIEWS["transpose"], VIEWS["unsqueeze"]):
                with pytest.raises(RuntimeError, match="^a view of a leaf Variable that requires "
                                   "grad is being used in an in-place operation.$"):
                    OPS[op](view(x), o)
            with lib.no_grad():  # allowed without recording, and seen by the leaf
                OPS["mul_"](x[0:1], lib.tensor(3.0, dtype=lib.float64))
            assert float(x.detach()[0, 0]) == 3.0


def test_expanded_view_refuses_writes(backend):
    for lib in (torch, minitorch):
        with libs(backend):
            y = lib.ones(1, 3, dtype=lib.float64, requires_grad=True) * 2
            with pytest.raises(RuntimeError, match="unsupported operation: more than one element "
                               "of the written-to tensor refers to a single memory location"):
                y.expand(2, 3).mul_(2)


def test_saved_base_modified_through_view_is_caught(backend):
    for lib in (torch, minitorch):
        with libs(backend):
            x = lib.ones(4, dtype=lib.float64, requires_grad=True)
            y = x * 2
            z = y.exp()          # saves its output
            z[0:2].mul_(2)       # changes that output through a view
            w = y * y            # saves y
            y[1:2].add_(1)       # changes y through a view
            with pytest.raises(RuntimeError, match="modified by an inplace operation"):
                w.sum().backward()


def test_double_backward_through_copyslices(backend):
    """CopySlices and AsStridedBackward0 have graph backwards: a gradient penalty through an
    in-place op on a view matches torch."""
    rng = np.random.default_rng(3)
    t, m = leaves(backend, [rng.uniform(-1, 1, (4, 3))])

    def run(lib, x):
        y = x * x
        v = y.t()[1:3]
        v.mul_(x[:, :2].t())
        y[0] = x[3] ** 3
        (g,) = lib.autograd.grad((y * v.sum()).sum(), x, create_graph=True)
        (g * g).sum().backward()
        return g

    want = run(torch, *t)
    with libs(backend):
        got = run(minitorch, *m)
    assert_close(got, want)
    assert_close(m[0].grad, t[0].grad)


def test_detach_in_place_refuses_views(backend):
    for lib in (torch, minitorch):
        with libs(backend):
            x = lib.ones(3, 4, dtype=lib.float64, requires_grad=True)
            y = x * 2
            with pytest.raises(RuntimeError, match="^Can't detach views in-place. Use detach"):
                y[0:2].detach_()
            z = y.detach_()  # not a view: it leaves the graph
            assert z is y and y.grad_fn is None and not y.requires_grad


def test_view_made_without_grad_refuses_recorded_inplace(backend):
    for lib in (torch, minitorch):
        with libs(backend):
            x = lib.ones(3, 4, dtype=lib.float64, requires_grad=True)
            y = x * 2
            with lib.no_grad():
                views = [y[0:2], x[1], x.view(12), y.t()[1:]]
            for v in views:
                with pytest.raises(RuntimeError, match="^A view was created in no_grad mode and "
                                   "is being modified inplace with grad mode enabled"):
                    v.mul_(2)
                with lib.no_grad():
                    v.mul_(2)  # both without grad: allowed


def test_a_view_read_again_after_its_base_changed_has_torch_s_node_name():
    """After an in-place change of the base, a view's grad_fn is re-made from the base
    (AsStridedBackward0 in torch)."""
    names = []
    for lib in (torch, minitorch):
        x = lib.zeros(4, requires_grad=True)
        y = x * 1
        view = y[1:3]
        y.add_(1)
        names.append(view.grad_fn.name())
    assert names[1] == names[0]
