"""Every route of the Numba conv router (the table in ``minitorch/backends/numba/conv.py``) is
reached through ``nn.functional.conv2d`` and its backward: each case asserts which route every
pass took (predicted by ``routes()`` beforehand, recorded by ``last_routes()`` and the debug log
afterwards) and that the values and gradients equal torch's on the same data."""

from __future__ import annotations

import logging

import numpy as np
import pytest

import minitorch
from minitorch.backends import use_backend
from minitorch.backends.numba import NumbaBackend, last_routes, routes
from minitorch.backends.numba.conv import ROUTES
from minitorch.shapes import check_conv2d

torch = pytest.importorskip("torch")

# (input shape, weight shape, stride, padding, dilation, groups, dtype) -> the expected route
# of (forward, input grad, weight grad); the bias grad always takes "sum".
CASES = [
    ((2, 3, 8, 8), (5, 3, 3, 3), 1, 1, 1, 1, "float32", ("direct", "col2im", "direct")),
    ((2, 3, 8, 8), (5, 3, 3, 3), 1, 1, 1, 1, "float64", ("direct", "col2im", "direct")),
    ((2, 16, 6, 8), (8, 16, 3, 3), 1, 1, 1, 1, "float32",
     ("direct", "direct-flipped", "direct")),
    ((2, 16, 6, 8), (24, 16, 3, 3), 1, 1, 1, 1, "float32",       # O > Cg: still direct
     ("direct", "direct-flipped", "direct")),
    ((2, 16, 6, 7), (8, 16, 3, 3), 1, 1, 1, 1, "float32",        # W = 7: no direct forward
     ("im2col", "im2col-flipped", "direct")),
    ((2, 16, 5, 6), (16, 16, 2, 3), 1, (1, 2), (2, 1), 1, "float64",   # Wo = 8, W = 6
     ("direct", "im2col-flipped", "direct")),
    ((2, 16, 5, 5), (24, 16, 3, 3), 1, 1, 1, 1, "float64",       # O > Cg, W = 5: scatter
     ("im2col", "col2im", "direct")),
    ((2, 16, 5, 5), (8, 16, 1, 1), 1, 1, 1, 1, "float64",        # padding > d·(k−1): scatter
     ("im2col", "col2im", "direct")),
    ((2, 16, 6, 8), (24, 16, 3, 3), 1, 1, 1, 1, "float64",       # float64 direct, flipped too
     ("direct", "direct-flipped", "direct")),
    ((2, 4, 9, 8), (6, 2, 3, 3), 1, 1, 1, 2, "float64",          # two groups
     ("im2col", "col2im", "im2col")),
    ((2, 4, 9, 8), (6, 2, 3, 3), 1, 1, 1, 2, "float32",          # two groups
     ("im2col", "col2im", "im2col")),
    ((2, 16, 9, 17), (8, 16, 3, 3), 2, 1, 1, 1, "float32",       # stride 2 (Wo = 9)
     ("im2col", "col2im", "direct")),
    ((1, 5, 9, 20), (6, 5, 3, 5), (2, 1), (0, 2), (2, 2), 1, "float32",  # row stride 2
     ("direct", "col2im", "direct")),
]


def _run(case, bias=True):
    """conv2d forward and backward on the current backend and on torch; returns the torch
    tensors and minitorch's results."""
    x_shape, w_shape, s, p, d, g, dtype, _ = case
    rng = np.random.default_rng(len(x_shape) + sum(x_shape) + sum(w_shape))
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(w_shape[0]).astype(dtype)
    tx, tw, tb = (torch.from_numpy(a).requires_grad_() for a in (x, w, b))
    ty = torch.nn.functional.conv2d(tx, tw, tb, s, p, d, g)
    gy = rng.standard_normal(tuple(ty.shape)).astype(dtype)
    ty.backward(torch.from_numpy(gy))
    mx, mw, mb = (minitorch.from_numpy(a).requires_grad_() for a in (x, w, b))
    my = minitorch.nn.functional.conv2d(mx, mw, mb, s, p, d, g)
    my.backward(minitorch.from_numpy(gy))
    return (ty, tx.grad, tw.grad, tb.grad), (my, mx.grad, mw.grad, mb.grad)


def _close(ours, ref):
    ours = torch.from_numpy(np.asarray(ours.detach().numpy()))
    if ref.dtype == torch.float64:
        torch.testing.assert_close(ours, ref.detach(), rtol=1e-7, atol=1e-7)
    else:  # sums of up to 432 float32 terms of size ~1, in another order than torch's
        torch.testing.assert_close(ours, ref.detach(), rtol=1e-5, atol=1e-4)


def test_every_route_is_in_the_cases():
    taken = {(pass_, route) for *_, expected in CASES
             for pass_, route in zip(("forward", "input", "weight"), expected)}
    assert taken | {("bias", "sum")} == {(p, r) for p, rs in ROUTES.items() for r in rs}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[6]}-{'-'.join(c[7])}")
def test_route_taken_and_parity_with_torch(case, caplog):
    x_shape, w_shape, s, p, d, g, dtype, expected = case
    want = dict(zip(("forward", "input", "weight"), expected), bias="sum")
    assert routes(x_shape, w_shape, s, p, d, g, np.dtype(dtype)) == want
    assert routes(x_shape, w_shape, s, p, d, g, getattr(minitorch, dtype)) == want
    with use_backend("numba"), caplog.at_level(logging.DEBUG, "minitorch.backends.numba.conv"):
        ref, ours = _run(case)
    assert last_routes() == want
    logged = {r.getMessage().split(":")[0].split()[1]: r.getMessage().split(": ")[1].split()[0]
              for r in caplog.records if r.name == "minitorch.backends.numba.conv"}
    assert logged == want
    for o, r in zip(ours, ref):
        _close(o, r)


@pytest.mark.parametrize("case", CASES[2:5], ids=["direct-flipped", "O>Cg", "im2col-flipped"])
def test_im2col_backend_takes_no_direct_route(case):
    """``NumbaBackend(conv="im2col")`` (the routes compared in benchmarks) turns the direct rows
    off, and still agrees with torch."""
    x_shape, w_shape, s, p, d, g, dtype, _ = case
    got = routes(x_shape, w_shape, s, p, d, g, np.dtype(dtype), conv="im2col")
    assert not any(r.startswith("direct") for r in got.values())
    backend = NumbaBackend(conv="im2col")
    rng = np.random.default_rng(5)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    stride, quad, dil, out_hw = check_conv2d(x_shape, w_shape, None, s, p, d, g)
    y = backend.conv2d_forward(x, w, None, stride, quad, dil, g, out_hw)
    gy = rng.standard_normal(y.shape).astype(dtype)
    gx = backend.conv2d_backward_input(gy, w, x_shape, stride, quad, dil, g)
    assert last_routes()["forward"] == got["forward"] == "im2col"
    assert last_routes()["input"] == got["input"]
    tx = torch.from_numpy(x).requires_grad_()
    ty = torch.nn.functional.conv2d(tx, torch.from_numpy(w), None, s, p, d, g)
    ty.backward(torch.from_numpy(gy))
    _close(minitorch.from_numpy(y), ty)
    _close(minitorch.from_numpy(gx), tx.grad)


def test_routes_checks_its_arguments_like_conv2d():
    with pytest.raises(RuntimeError, match="expected input"):
        routes((1, 3, 8, 8), (4, 2, 3, 3))
    with pytest.raises(ValueError, match="conv must be one of"):
        routes((1, 3, 8, 8), (4, 3, 3, 3), conv="winograd")
