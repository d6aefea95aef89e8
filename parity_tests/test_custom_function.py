"""PyTorch-style custom Functions (static ``forward(ctx, ...)`` / ``backward(ctx, ...)`` on
Tensors, used through ``apply``) against torch, per backend: ctx.save_for_backward /
saved_tensors / needs_input_grad / arbitrary attributes, non-tensor arguments,
mark_non_differentiable, mark_dirty, set_materialize_grads, once_differentiable, the node's
name, double backward through a Tensor-written backward, and torch's errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch
from parity_tests.autograd_pairs import assert_close, leaves, libs


def make_functions(lib):
    """The same user-defined Functions written against ``lib`` (torch or minitorch)."""
    Function = lib.autograd.Function
    once_differentiable = lib.autograd.function.once_differentiable

    class ScaledCube(Function):
        """y = k·x³ + b: a non-tensor argument, saved tensors, ctx attributes."""

        @staticmethod
        def forward(ctx, x, k, b):
            ctx.k = k
            ctx.seen = ctx.needs_input_grad
            ctx.save_for_backward(x, b)
            return k * x ** 3 + b

        @staticmethod
        def backward(ctx, grad_out):
            x, b = ctx.saved_tensors
            gx = grad_out * 3 * ctx.k * x * x if ctx.needs_input_grad[0] else None
            gb = grad_out if ctx.needs_input_grad[2] else None
            return gx, None, gb

    class SortWithIndex(Function):
        """Two outputs, the second non-differentiable (indices)."""

        @staticmethod
        def forward(ctx, x):
            values, idx = x.max(dim=1)
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(idx)
            ctx.shape = x.shape
            return values * 2, idx

        @staticmethod
        def backward(ctx, g_values, g_idx):
            (idx,) = ctx.saved_tensors
            onehot = (lib.arange(ctx.shape[1]).reshape(1, -1) == idx.reshape(-1, 1))
            return onehot.to(g_values.dtype) * g_values.reshape(-1, 1) * 2

    class TwoOut(Function):
        """Two differentiable outputs; with materialize off, an unused one arrives as None."""

        @staticmethod
        def forward(ctx, x, materialize):
            ctx.set_materialize_grads(materialize)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            ctx.got_none = ga is None or gb is None
            ga = 0 if ga is None else ga
            gb = 0 if gb is None else gb
            return ga * 2 + gb * 3, None

    class MulInPlace(Function):
        @staticmethod
        def forward(ctx, x, k):
            x.mul_(k)
            ctx.mark_dirty(x)
            ctx.k = k
            return x

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None

    class OnceSquare(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    return ScaledCube, SortWithIndex, TwoOut, MulInPlace, OnceSquare


def test_forward_backward_and_ctx(backend):
    rng = np.random.default_rng(0)
    t, m = leaves(backend, [rng.uniform(-1, 1, (3, 4)), rng.uniform(-1, 1, (4,))])
    results = []
    for lib, (x, b) in ((torch, t), (minitorch, m)):
        with libs(backend):
            cube = make_functions(lib)[0]
            y = cube.apply(x, 2.5, b)
            assert type(y.grad_fn).__name__ == "ScaledCubeBackward"
            assert y.grad_fn.name() == "ScaledCubeBackward"
            assert y.grad_fn.seen == (True, False, True)
            assert len(y.grad_fn.next_functions) == 2  # one per Tensor argument
            (y * y).sum().backward()
            results.append((y, x.grad, b.grad))
    for got, want in zip(results[1], results[0]):
        assert_close(got, want)


def test_double_backward_through_tensor_backward(backend):
    """The backward is written with Tensor ops, so create_graph differentiates it again."""
    rng = np.random.default_rng(1)
    t, m = leaves(backend, [rng.uniform(-1, 1, (5,)), rng.uniform(-1, 1, (5,))])
    out = []
    for lib, (x, b) in ((torch, t), (minitorch, m)):
        with libs(backend):
            cube = make_functions(lib)[0]
            (gx, gb) = lib.autograd.grad(cube.apply(x, 1.5, b).sum(), [x, b], create_graph=True)
            (gx * gx).sum().backward()
            out.append((gx, x.grad))
    for got, want in zip(out[1], out[0]):
        assert_close(got, want)


def test_non_differentiable_output_and_materialize(backend):
    rng = np.random.default_rng(2)
    t, m = leaves(backend, [rng.uniform(-1, 1, (3, 4))])
    grads = []
    for lib, (x,) in ((torch, t), (minitorch, m)):
        with libs(backend):
            _, sort_idx, two, _, _ = make_functions(lib)
            values, idx = sort_idx.apply(x)
            assert not idx.requires_grad and values.requires_grad
            values.sum().backward()
            a, _ = two.apply(x, True)
            a.sum().backward()
            assert a.grad_fn.got_none is False  # zeros were materialised for the unused output
            a, _ = two.apply(x, False)
            a.sum().backward()
            assert a.grad_fn.got_none is True
            grads.append(x.grad)
    assert_close(grads[1], grads[0])


def test_mark_dirty_and_once_differentiable(backend):
    rng = np.random.default_rng(3)
    t, m = leaves(backend, [rng.uniform(-1, 1, (4,))])
    grads = []
    for lib, (x,) in ((torch, t), (minitorch, m)):
        with libs(backend):
            _, _, _, mul_inplace, once = make_functions(lib)
            h = x * 1
            version = h._version
            y = mul_inplace.apply(h, 3.0)
            assert y is h and h._version > version and h.grad_fn.name() == "MulInPlaceBackward"
            with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
                mul_inplace.apply(x, 2.0)
            y.sum().backward()
            (g,) = lib.autograd.grad(once.apply(x * 1).sum(), x, create_graph=True)
            assert not g.requires_grad  # the incoming gradient had no graph: nothing to wrap
            (g2,) = lib.autograd.grad(once.apply(x * 1).sum() * (x * x).sum(), x,
                                      create_graph=True)
            with pytest.raises(RuntimeError, match="trying to differentiate twice a function "
                                                   "that was marked with @once_differentiable"):
                g2.sum().backward()
            grads.append(x.grad)
    assert_close(grads[1], grads[0])


def test_errors_like_torch(backend):
    for lib in (torch, minitorch):
        with libs(backend):
            x = lib.ones(3, requires_grad=True)

            class TooMany(lib.autograd.Function):
                @staticmethod
                def forward(ctx, x):
                    return x * 2

                @staticmethod
                def backward(ctx, g):
                    return g, g

            class BadShape(lib.autograd.Function):
                @staticmethod
                def forward(ctx, x):
                    return x * 2

                @staticmethod
                def backward(ctx, g):
                    return g[:2]

            class GradForNumber(lib.autograd.Function):
                @staticmethod
                def forward(ctx, x, k):
                    return x * k

                @staticmethod
                def backward(ctx, g):
                    return g, g

            class Freed(lib.autograd.Function):
                @staticmethod
                def forward(ctx, x):
                    ctx.save_for_backward(x)
                    return x * 2

                @staticmethod
                def backward(ctx, g):
                    return g * ctx.saved_tensors[0]

            with pytest.raises(RuntimeError, match=r"function TooManyBackward returned an "
                               r"incorrect number of gradients \(expected 1, got 2\)"):
                TooMany.apply(x).sum().backward()
            with pytest.raises(RuntimeError, match=r"Function BadShapeBackward returned an "
                               r"invalid gradient at index 0 - got \[2\] but expected shape "
                               r"compatible with \[3\]"):
                BadShape.apply(x).sum().backward()
            with pytest.raises(RuntimeError, match="returned a gradient different than None at "
                                                   "position 2, but the corresponding forward "
                                                   "input was not a Variable"):
                GradForNumber.apply(x, 2).sum().backward()
            y = Freed.apply(x).sum()
            y.backward()
            with pytest.raises(RuntimeError, match="second time"):
                y.backward()
            z = x * 1
            w = Freed.apply(z)
            z.add_(1)
            with pytest.raises(RuntimeError, match="modified by an inplace operation"):
                w.sum().backward()


def test_mark_dirty_on_a_view_rebases_the_base(backend):
    rng = np.random.default_rng(4)
    t, m = leaves(backend, [rng.uniform(-1, 1, (4,))])
    names = []
    for lib, (x,) in ((torch, t), (minitorch, m)):
        with libs(backend):
            mul_inplace = make_functions(lib)[3]
            y = x * 2
            v = y[1:3]
            assert mul_inplace.apply(v, 5.0) is v
            names.append((y.grad_fn.name().split("::")[-1], v.grad_fn.name()))
            (y * lib.arange(4, dtype=x.dtype)).sum().backward()
            with pytest.raises(TypeError, match="save_for_backward can only save variables, "
                                                "but argument 0 is of type int"):
                class SavesNumber(lib.autograd.Function):
                    @staticmethod
                    def forward(ctx, x):
                        ctx.save_for_backward(3)
                        return x

                SavesNumber.apply(x)
    assert names[0] == names[1] == ("CopySlices", "AsStridedBackward0")
    assert_close(m[0].grad, t[0].grad)
