"""Autograd semantics that must behave as in torch (backend-independent, on "numpy")."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch
from minitorch.parity import backend_unavailable


@pytest.fixture(autouse=True)
def _numpy_backend():
    if backend_unavailable("numpy"):
        pytest.skip(backend_unavailable("numpy"))
    with minitorch.backends.use_backend("numpy"):
        yield


def both(data):
    """The same leaf in both libraries (float64, requires grad)."""
    return (torch.tensor(data, dtype=torch.float64, requires_grad=True),
            minitorch.tensor(np.asarray(data, dtype=np.float64), requires_grad=True))


def assert_grad_equal(t, m):
    np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_accumulates_across_uses_and_calls():
    t, m = both([1.0, 2.0, 3.0])
    for x in (t, m):
        (x * x + x.exp() * x).sum().backward()  # x used three times in one graph
        (x * 3).sum().backward()                # and again in a second call
    assert_grad_equal(t, m)


def test_second_backward_needs_retain_graph():
    for x in both([0.5, 1.5]):
        y = (x.exp() * x).sum()
        y.backward(retain_graph=True)
        y.backward()  # allowed: the graph was retained
        z = (x.exp() * x).sum()
        z.backward()
        with pytest.raises(RuntimeError, match="second time"):
            z.backward()
    t, m = both([0.5, 1.5])
    for x in (t, m):
        y = (x.exp() * x).sum()
        y.backward(retain_graph=True)
        y.backward()
    assert_grad_equal(t, m)


def test_long_chain_has_no_recursion_limit():
    x = minitorch.tensor(np.ones(3), requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full(3, 1.0001 ** 10_000), rtol=1e-9)


def test_no_grad_context_and_decorator_and_enable_grad():
    for lib, x in zip((torch, minitorch), both([1.0, 2.0])):
        with lib.no_grad():
            y = x * 2
            with lib.enable_grad():
                z = x * 2
        assert not y.requires_grad and y.grad_fn is None
        assert z.requires_grad and z.grad_fn is not None

        @lib.no_grad()
        def f(a):
            return a * 2

        assert not f(x).requires_grad
        assert lib.is_grad_enabled()
        assert (x * 2).requires_grad


def test_register_hook_sees_and_replaces_gradient():
    seen = {}
    t, m = both([1.0, -2.0, 3.0])
    for name, x in (("torch", t), ("minitorch", m)):
        y = x * x
        y.register_hook(lambda g, n=name: seen.setdefault(n, g.detach().clone()) * 2)
        x.register_hook(lambda g: g + 1)
        y.sum().backward()
    np.testing.assert_allclose(seen["minitorch"].numpy(), seen["torch"].numpy())
    assert_grad_equal(t, m)


def test_inplace_on_leaf_requiring_grad_raises():
    for x in both([1.0, 2.0]):
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            x.add_(1)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            x.mul_(2)


def test_modifying_a_saved_tensor_in_place_is_caught():
    for x in both([1.0, 2.0]):
        y = x * 1
        z = y.exp()  # saves its output ...
        w = y * y    # ... and y
        y.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            w.sum().backward()
        del z


def test_backward_on_non_scalar_needs_gradient():
    for x in both([1.0, 2.0]):
        with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
            (x * 2).backward()
    t, m = both([1.0, 2.0])
    (t * t).backward(torch.tensor([1.0, -1.0], dtype=torch.float64))
    (m * m).backward(minitorch.tensor(np.array([1.0, -1.0])))
    assert_grad_equal(t, m)


def test_comparisons_have_no_grad():
    for x in both([1.0, 2.0]):
        c = x > 1.5
        assert not c.requires_grad and c.grad_fn is None
        assert str(c.dtype).endswith("bool")


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_node_prints_as_torchs(reduction):
    """The loss a learner prints shows torch's node name, and its gradient is torch's."""
    t, m = both(np.random.default_rng(3).standard_normal((4, 5)))
    target = [0, 3, -100, 4]
    losses = [F.cross_entropy(x, lib.tensor(target), reduction=reduction)
              for F, x, lib in ((torch.nn.functional, t, torch),
                                (minitorch.nn.functional, m, minitorch))]
    assert type(losses[0].grad_fn).__name__ == "NllLossBackward0"
    assert losses[1].grad_fn.name() == "NllLossBackward0"
    assert repr(losses[1]).endswith("grad_fn=<NllLossBackward0>)")
    for loss in losses:
        (loss * (1 + loss.detach())).sum().backward()  # a non-uniform upstream gradient
    assert_grad_equal(t, m)


def test_second_backward_accumulates_into_the_same_grad_tensor():
    """torch's AccumulateGrad adds into ``.grad`` in place (outside create_graph): a reference
    taken after the first backward sees the sum, and the grad's version goes up by one."""
    for x in both([1.0, 2.0, 3.0]):
        (x * 2).sum().backward()
        held = x.grad
        before = held._version
        (x * x).sum().backward()
        assert x.grad is held
        assert held._version == before + 1
    t, m = both([1.0, 2.0, 3.0])
    for x in (t, m):
        (x * 2).sum().backward()
        (x * x).sum().backward()
    assert_grad_equal(t, m)


def test_create_graph_accumulates_out_of_place():
    """With create_graph the sum is a new tensor on the graph (torch: ``grad = grad + new``);
    the first gradient is left as it was."""
    for x in both([1.0, 2.0]):
        (x * 2).sum().backward()
        held = x.grad
        (x * x).sum().backward(create_graph=True)
        assert x.grad is not held
        np.testing.assert_allclose(np.asarray(held.detach().numpy()), [2.0, 2.0])
        np.testing.assert_allclose(np.asarray(x.grad.detach().numpy()), [4.0, 6.0])


def test_expanded_grad_cannot_take_the_sum_in_place():
    """A ``.grad`` set to an expanded tensor (one element at three places) cannot take the
    sum in place: torch's error, in both libraries."""
    for lib, x in zip((torch, minitorch), both([1.0, 2.0, 3.0])):
        x.grad = lib.ones(1, dtype=lib.float64).expand(3)
        with pytest.raises(RuntimeError, match="more than one element of the written-to"):
            (x * 2).sum().backward()


def test_read_only_grad_is_replaced_not_written():
    """A ``.grad`` the user set to a read-only NumPy array gets a new array holding the sum;
    the user's array is left as it was."""
    values = np.full(3, 5.0)
    values.flags.writeable = False
    x = minitorch.tensor(np.ones(3), requires_grad=True)
    x.grad = minitorch.from_numpy(values)
    (x * 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [7.0, 7.0, 7.0])
    np.testing.assert_allclose(values, [5.0, 5.0, 5.0])


@pytest.mark.parametrize("owner", ["module", "optimizer"])
def test_zero_grad_without_none_zeroes_the_same_tensor(owner):
    """``zero_grad(set_to_none=False)`` zeroes each ``.grad`` in place: a reference taken
    before sees zeros, the next backward adds into that tensor, and the values match torch."""
    grads = {}
    for lib in (torch, minitorch):
        model = lib.nn.Linear(3, 2).double()
        model.weight.data.copy_(lib.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]],
                                           dtype=lib.float64))
        model.bias.data.copy_(lib.tensor([0.1, -0.2], dtype=lib.float64))
        opt = lib.optim.SGD(model.parameters(), lr=0.1)
        x = lib.tensor([[1.0, 2.0, 3.0]], dtype=lib.float64)
        (model(x) ** 2).sum().backward()
        held = model.weight.grad
        (model if owner == "module" else opt).zero_grad(set_to_none=False)
        assert model.weight.grad is held
        assert float(held.abs().sum()) == 0.0
        (model(x) ** 2).sum().backward()
        assert model.weight.grad is held
        grads[lib] = held.detach().numpy().copy()
    np.testing.assert_allclose(grads[minitorch], grads[torch], rtol=1e-12)


@pytest.mark.parametrize("make", [
    lambda L, x, y: x.sum(), lambda L, x, y: x.mean(), lambda L, x, y: (x + y).sum(),
    lambda L, x, y: (x - 1).reshape(2, 1).sum(), lambda L, x, y: x.exp().sum(),
    lambda L, x, y: (x * y).sum(), lambda L, x, y: x.sin().sum(),
], ids=["sum", "mean", "add", "sub_reshape", "exp", "mul", "sin"])
def test_second_backward_without_retain_graph_fails_only_where_torch_does(make):
    """The graph's saved tensors are freed after a backward: a second one fails through a node
    that saved some (exp, mul, sin), and works through nodes that saved none (sum, add), as in
    torch."""
    outcomes = []
    for lib in (torch, minitorch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = lib.tensor([3.0, 4.0], requires_grad=True)
        loss = make(lib, x, y)
        loss.backward()
        try:
            loss.backward()
            outcomes.append(("ok", x.grad.tolist()))
        except RuntimeError as e:
            outcomes.append(("error", str(e).split(" (")[0]))
    assert outcomes[1] == outcomes[0]
