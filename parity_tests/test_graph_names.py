"""grad_fn names and graph shape against torch: F.linear (addmm/mm with a transposed weight)
and basic indexing (select/slice/unsqueeze/alias), per backend, with the gradients."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
import torch

import minitorch
from minitorch.parity import mt_to_np, on_backend, to_minitorch


def _node_name(n):
    if n is None:
        return None
    return n.name() if type(n).__module__.startswith("minitorch") else type(n).__name__


def _tree(node, depth):
    if node is None or depth == 0:
        return _node_name(node)
    return (_node_name(node), tuple(_tree(f, depth - 1) for f, _ in node.next_functions))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("x_shape", [(4, 3), (3,), (2, 4, 3), (2, 1, 2, 3)], ids=str)
@pytest.mark.parametrize("bias", [True, False])
def test_linear_graph_and_gradients_match_torch(bias, x_shape, dtype, backend):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(x_shape), rng.standard_normal((2, 3)),
              rng.standard_normal(2)]
    arrays = [a.astype(dtype) for a in arrays]

    def run(lib, to_lib, to_np):
        x, w, b = (to_lib(a).requires_grad_() for a in arrays)
        y = lib.nn.functional.linear(x, w, b if bias else None)
        (y * y).sum().backward()
        grads = [to_np(t.grad) for t in ((x, w, b) if bias else (x, w))]
        return _tree(y.grad_fn, 3), to_np(y), grads

    want = run(torch, torch.from_numpy, lambda t: t.detach().numpy())
    with on_backend(backend):
        got = run(minitorch, to_minitorch(backend), mt_to_np)
    assert got[0] == want[0]  # the whole graph: view → addmm/mm → view/T → leaves
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got[1], want[1], **tol)
    for g, w in zip(got[2], want[2]):
        np.testing.assert_allclose(g, w, **tol)


def test_linear_module_node_names_match_torch():
    for bias, want in ((True, "AddmmBackward0"), (False, "MmBackward0")):
        for lib in (torch, minitorch):
            layer = lib.nn.Linear(3, 2, bias=bias)
            y = layer(lib.randn(4, 3))
            assert _node_name(y.grad_fn) == want
            assert _node_name(y.grad_fn.next_functions[-1][0]) == "TBackward0"
            # a 3-D input is viewed as a matrix first: the product node is one level down
            z = layer(lib.randn(5, 4, 3))
            assert _node_name(z.grad_fn.next_functions[0][0]) == want


INDICES = [0, -1, slice(1, 3), slice(None), slice(0, 4, 2), (slice(None), 2), (0, slice(None)),
           (slice(1, 3), slice(None)), (slice(None), slice(None)), (Ellipsis, slice(0, 2)),
           (None, 0), (0, None), Ellipsis, None, (1, 2), (slice(0, 2), 1), (Ellipsis, 1),
           (slice(None), slice(1, None), 0)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("index", INDICES, ids=repr)
def test_basic_indexing_node_names_and_gradients_match_torch(index, dtype, backend):
    a = np.random.default_rng(1).standard_normal((4, 3, 2)).astype(dtype)

    def run(lib, to_lib, to_np):
        x = to_lib(a).requires_grad_()
        y = x[index]
        (y * y).sum().backward()
        return _node_name(y.grad_fn), to_np(y), to_np(x.grad)

    want = run(torch, torch.from_numpy, lambda t: t.detach().numpy())
    with on_backend(backend):
        got = run(minitorch, to_minitorch(backend), mt_to_np)
    assert got[0] == want[0]
    np.testing.assert_array_equal(got[1], want[1])
    np.testing.assert_array_equal(got[2], want[2])


def test_advanced_indexing_is_index_backward_like_torch():
    for lib in (torch, minitorch):
        x = lib.randn(4, 3, requires_grad=True)
        assert _node_name(x[lib.tensor([0, 2])].grad_fn) == "IndexBackward0"


@pytest.mark.parametrize("shape", [(4, 3), (3,), (2, 3, 4), (2, 3, 2, 2)], ids=str)
def test_cross_entropy_node_name_matches_torch(shape):
    x = np.random.default_rng(2).standard_normal(shape)
    target = np.zeros((shape[0],) + shape[2:] if len(shape) > 1 else (), dtype=np.int64)
    names = []
    for lib in (torch, minitorch):
        loss = lib.nn.functional.cross_entropy(lib.tensor(x, requires_grad=True),
                                               lib.tensor(target))
        names.append(_node_name(loss.grad_fn))
    assert names[1] == names[0]


VIEW_METHODS = {
    "view": lambda x: x.view(6, 4), "reshape": lambda x: x.reshape(4, 6),
    "reshape_copy": lambda x: x.transpose(0, 1).reshape(-1), "flatten": lambda x: x.flatten(),
    "flatten_1": lambda x: x.flatten(1), "view_as": lambda x: x.view_as(x),
    "transpose": lambda x: x.transpose(0, 2), "permute": lambda x: x.permute(2, 0, 1),
    "T": lambda x: x[0].T, "t": lambda x: x[0].t(), "mT": lambda x: x.mT,
    "squeeze": lambda x: x.unsqueeze(0).squeeze(), "squeeze_dim": lambda x: x[:1].squeeze(0),
    "squeeze_dims": lambda x: x[:1].squeeze((0,)), "unsqueeze": lambda x: x.unsqueeze(1),
    "expand": lambda x: x[:, :1].expand(2, 5, 4), "clone": lambda x: x.clone(),
    "contiguous": lambda x: x.transpose(0, 1).contiguous(),
}


@pytest.mark.parametrize("method", sorted(VIEW_METHODS))
def test_view_and_copy_methods_record_torchs_node_names(method, backend):
    """Each shape method's grad_fn has torch's name (ViewBackward0, TransposeBackward0,
    SqueezeBackward1, CloneBackward0, ...), and its gradient matches torch's."""
    x0 = np.random.default_rng(1).standard_normal((2, 3, 4))
    got = {}
    for lib, to_lib, to_np in ((torch, torch.from_numpy, lambda t: t.detach().numpy()),
                               (minitorch, to_minitorch(backend), mt_to_np)):
        with on_backend(backend) if lib is minitorch else contextlib.nullcontext():
            x = to_lib(x0).requires_grad_()
            y = VIEW_METHODS[method](x * 1)
            (y * y).sum().backward()
            got[lib.__name__] = (_node_name(y.grad_fn), to_np(x.grad))
    assert got["minitorch"][0] == got["torch"][0]
    np.testing.assert_allclose(got["minitorch"][1], got["torch"][1], rtol=1e-12)



# Cases whose output node is not torch's, by design: matmul on the shapes torch reshapes
# around bmm (its last node is then a view or a clone: UnsafeViewBackward0, ...; on the
# shapes of mm, mv and dot it is their node here too); cross-entropy with label smoothing
# or (N, C, d) input is a sum of two terms in torch; pairwise_distance and soft_margin_loss
# (below). Everything else must match.
NAMED_PRODUCTS = {(2, 2), (2, 1), (1, 1)}  # matmul shapes torch runs as mm, mv and dot


def _named_as_torch(case) -> bool:
    smoothed = case.op in ("cross_entropy", "nn.CrossEntropyLoss") and (
        "_ls" in case.name or case.name in ("cross_entropy_NCd", "nn.CrossEntropyLoss"))
    reshaped = case.op == "matmul" and \
        tuple(len(a.shape) for a in case.args) not in NAMED_PRODUCTS
    # torch's pairwise_distance ends in its legacy ``norm`` overload (NormBackward1); the
    # norm here is one op whatever the call (LinalgVectorNormBackward0, torch's newer name)
    legacy_norm = case.op in ("pairwise_distance", "nn.PairwiseDistance")
    # torch's soft_margin_loss is one fused kernel (SoftMarginLossBackward0); composed here
    fused = case.op == "soft_margin_loss"
    return case.grad and not reshaped and not smoothed and not legacy_norm and not fused


NAMED_CASES = [c for c in __import__("minitorch.parity", fromlist=["CATALOGUE"]).CATALOGUE
               if _named_as_torch(c)]


@pytest.mark.parametrize("case", NAMED_CASES, ids=[c.name for c in NAMED_CASES])
def test_catalogue_output_nodes_have_torchs_names(case):
    """The node a learner sees in ``y.grad_fn`` (and in a graph drawing) is named as torch's:
    ConvolutionBackward0, MaxPool2DWithIndicesBackward0, SumBackward1 for a sum over dims…"""
    from minitorch.parity.case import make_arrays
    from minitorch.parity.run import (
        _flat_outputs,
        _run,
        minitorch_module,
        mt_to_np,
        to_minitorch,
        torch_module,
    )

    arrays = make_arrays(case, "float64")  # each library runs the case as the grid runs it
    with_module = case.module is not None
    _, _, want = _run(torch, case, arrays, "float64", lambda a: torch.from_numpy(a.copy()),
                      lambda t: t.detach().numpy(force=True), torch_module(case, "float64")
                      if with_module else None)
    with on_backend("numpy"):
        _, _, got = _run(minitorch, case, arrays, "float64", to_minitorch("numpy"), mt_to_np,
                         minitorch_module(case, "float64", "numpy") if with_module else None)
    names = [[_node_name(o.grad_fn) for o in _flat_outputs(out) if o.requires_grad]
             for out in (want, got)]
    assert names[1] == names[0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_number_over_tensor_is_reciprocal_times_number(dtype):
    """torch computes ``3 / x`` as ``reciprocal(x) * 3`` (MulBackward0 over
    ReciprocalBackward0): the same nodes here, and the same bits (3 / x would differ from it
    in the last bit for some x)."""
    x0 = (np.random.default_rng(2).random(1000) * 7 + 0.1).astype(dtype)
    got, want = {}, {}
    for lib, out in ((torch, want), (minitorch, got)):
        x = lib.tensor(x0, requires_grad=True)
        y = 3 / x
        y.sum().backward()
        out["values"], out["grad"] = y.detach().numpy(), x.grad.numpy()
        out["nodes"] = (y.grad_fn.name(), y.grad_fn.next_functions[0][0].name())
    assert got["nodes"] == want["nodes"] == ("MulBackward0", "ReciprocalBackward0")
    np.testing.assert_array_equal(got["values"], want["values"])
    np.testing.assert_allclose(got["grad"], want["grad"], rtol=1e-6 if dtype == "float32"
                               else 1e-14)
