"""The array-style ``Function`` (``forward`` / ``backward`` on arrays): what ``apply`` makes of
a subclass — its own ``__init__`` still runs, a tuple (or a named tuple) from ``forward`` is
several outputs, and a node that saved nothing records no versions."""

from __future__ import annotations

from collections import namedtuple

import numpy as np

import minitorch
from minitorch.autograd.function import Function


class Scale(Function):
    """y = k·x with k set in ``__init__`` (a subclass's own state)."""

    def __init__(self) -> None:
        super().__init__()
        self.k = 3.0

    def forward(self, x):
        return x * self.k

    def backward(self, gy):
        return gy * self.k


Pair = namedtuple("Pair", "doubled halved")


class Split(Function):
    """Two outputs, returned as a named tuple."""

    def forward(self, x):
        return Pair(x * 2, x / 2)

    def backward(self, g2, g_half):
        return g2 * 2 + g_half / 2


def test_a_subclass_init_runs_for_every_node() -> None:
    x = minitorch.tensor([1.0, -2.0], requires_grad=True)
    y = Scale.apply(x)
    np.testing.assert_array_equal(y.detach().numpy(), [3.0, -6.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])
    assert y.grad_fn.k == 3.0


def test_a_named_tuple_from_forward_is_two_outputs() -> None:
    x = minitorch.tensor([4.0], requires_grad=True)
    doubled, halved = Split.apply(x)
    assert isinstance(doubled, minitorch.Tensor) and isinstance(halved, minitorch.Tensor)
    assert doubled.grad_fn is halved.grad_fn
    (doubled + halved).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.5])


def test_nodes_start_empty_and_keep_hooks_apart() -> None:
    """A node's saved state and hook lists start shared and empty; a hook registered on one
    output lands in that node alone."""
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    a, b = x * 2, x * 3
    assert a.grad_fn.tensor_hooks == {} and b.grad_fn.tensor_hooks == {}
    seen = []
    a.register_hook(lambda g: seen.append("a"))
    assert list(a.grad_fn.tensor_hooks) == [0] and b.grad_fn.tensor_hooks == {}
    (a + b).sum().backward()
    assert seen == ["a"]
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 5.0])
