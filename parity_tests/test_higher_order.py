"""Higher-order gradients against torch: ``autograd.grad(..., create_graph=True)`` and
``backward(create_graph=True)`` on every kind of op (elementwise, reductions, shape ops,
matmul/linear, conv2d, pools, activations, softmax family, cross-entropy), per backend.

For each case f(x₁, …): g = ∂⟨f, v⟩/∂x (create_graph), then the scalar
P = Σᵢ ⟨gᵢ, gᵢ⟩ + ⟨gᵢ, uᵢ⟩ (a gradient penalty plus Hessian-vector products) is
differentiated again; first and second gradients are compared with torch's. On "numpy"
the second gradient is also checked against float64 finite differences of the first
(``gradgradcheck``), with no torch involved."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch
from minitorch.autograd import gradgradcheck
from minitorch.parity import BACKENDS, SMALL_ONLY, backend_unavailable, to_minitorch
from minitorch.parity.case import float_numel
from parity_tests.autograd_pairs import assert_close, leaves, libs


def _r(*shape, low=-1.0, high=1.0, seed=0):
    return np.random.default_rng(seed + sum(shape)).uniform(low, high, shape)


def _pos(*shape):
    return _r(*shape, low=0.5, high=2.0, seed=7)


def _xent_target(lib):
    return lib.tensor([1, 0, 3])


CASES = {
    # elementwise
    "mul_div": (lambda L, F, a, b: a * b / (b * b + 1), [_r(3, 4), _r(4)]),
    "pow_exp_log": (lambda L, F, a, b: a ** 3 + (a * b).exp() + (b + 3).log(), [_r(2, 3), _r(3)]),
    "pow_tensor": (lambda L, F, a, b: a ** b, [_pos(2, 3), _r(2, 3)]),
    "sqrt_neg_sub": (lambda L, F, a: -(a * a + 1).sqrt() - a, [_r(5)]),
    "abs_clamp": (lambda L, F, a: a.abs() * a + a.clamp(-0.3, 0.4) * a * a, [_r(6)]),
    "max_min_where": (lambda L, F, a, b: L.maximum(a, b) * a + L.minimum(a, b) * b +
                      L.where(a > b, a * a, b * a), [_r(4, 3), _r(3, seed=3)]),
    # activations and the softmax family
    "tanh_sigmoid": (lambda L, F, a: a.tanh() * a + F.sigmoid(a * 2), [_r(3, 4)]),
    "relu_times": (lambda L, F, a, b: F.relu(a) * b * a, [_r(3, 4), _r(3, 4, seed=5)]),
    "softmax": (lambda L, F, a: F.softmax(a, dim=1) * a, [_r(3, 5)]),
    "log_softmax": (lambda L, F, a: F.log_softmax(a * a, dim=0), [_r(4, 3)]),
    "cross_entropy": (lambda L, F, a: F.cross_entropy(a * a, _xent_target(L)), [_r(3, 4)]),
    "cross_entropy_opts": (lambda L, F, a, w: F.cross_entropy(
        a * w, _xent_target(L), weight=L.tensor([1.0, 2.0, 0.5, 1.5], dtype=a.dtype),
        label_smoothing=0.2, reduction="sum"), [_r(3, 4), _r(4, seed=2)]),
    "cross_entropy_none": (lambda L, F, a: F.cross_entropy(a.tanh(), _xent_target(L),
                                                           reduction="none"), [_r(3, 4)]),
    # reductions
    "sum_mean": (lambda L, F, a: (a * a).sum(1) * a.mean(1) + a.mean(0).sum(), [_r(4, 3)]),
    "var_std": (lambda L, F, a: a.var(1) + a.std(0).sum(), [_r(3, 4)]),
    "max_all_dim": (lambda L, F, a: a.max() * a.max(1).values * a.min(0, keepdim=True)
                    .values.sum(), [_r(3, 4)]),
    # shape ops
    "view_ops": (lambda L, F, a: (a.reshape(2, 6).t() * a.permute(1, 0).reshape(6, 2))
                 .unsqueeze(0).expand(3, 6, 2) * a.sum(), [_r(3, 4)]),
    "index_cat_stack": (lambda L, F, a: L.cat([a[1:, ::2] * a[:2, 1::2], a[L.tensor([0, 0, 2])]
                        [:, :2] ** 2], 0) * L.stack([a[0, :2], a[2, 2:]], 1).sum(), [_r(3, 4)]),
    "pad": (lambda L, F, a: F.pad(a * a, (1, 2)) + F.pad(a.reshape(1, 3, 4) * a.sum(), (2, 1),
                                                         mode="reflect").reshape(3, 7),
            [_r(3, 4)]),
    "to_dtype": (lambda L, F, a: (a * a).float().double() * a, [_r(4)]),
    # matrix products
    "matmul": (lambda L, F, a, b: (a @ b) * (a @ b), [_r(3, 4), _r(4, 2)]),
    "matmul_batched_1d": (lambda L, F, a, b, v: (a @ b).tanh() @ v + (v @ v) * a.sum(),
                          [_r(2, 3, 4), _r(4, 3), _r(3)]),
    "linear": (lambda L, F, x, w, b: F.linear(x, w, b).tanh() * F.linear(x, w), [
        _r(2, 3, 4), _r(5, 4), _r(5)]),
    # layers
    "conv2d": (lambda L, F, x, w, b: F.conv2d(x, w, b, stride=1, padding=1) ** 2, [
        _r(2, 2, 5, 5), _r(3, 2, 3, 3), _r(3)]),
    "conv2d_groups_stride": (lambda L, F, x, w: F.conv2d(x, w, None, stride=2, padding=1,
                                                         dilation=1, groups=2).tanh(),
                             [_r(1, 4, 6, 6), _r(4, 2, 3, 3)]),
    "max_pool2d": (lambda L, F, x: F.max_pool2d(x * x, 2) * F.max_pool2d(x, 3, 1, 1)[..., ::2,
                                                                                  ::2],
                   [_r(2, 2, 4, 4)]),
    "avg_pool2d": (lambda L, F, x: F.avg_pool2d(x * x, 3, 2, 1) ** 2, [_r(2, 2, 5, 5)]),
    "batch_norm_train": (lambda L, F, x, w, b: F.batch_norm(x, None, None, w, b, training=True)
                         .tanh(), [_r(3, 2, 2, 2), _r(2, seed=4), _r(2, seed=9)]),
    "batch_norm_eval": (lambda L, F, x, w: F.batch_norm(
        x * x, L.tensor([0.1, -0.2], dtype=x.dtype), L.tensor([1.5, 0.5], dtype=x.dtype), w,
        None, training=False) ** 2, [_r(3, 2, 4), _r(2, seed=4)]),
    "batch_norm_no_affine": (lambda L, F, x: F.batch_norm(x, None, None, training=True) ** 3,
                             [_r(4, 3)]),
}


def _first_and_second(lib, fn, xs, create_graph_via_backward=False):
    F = lib.nn.functional
    out = fn(lib, F, *xs)
    v = lib.tensor(np.random.default_rng(1).uniform(-1, 1, tuple(out.shape)).astype(
        str(out.dtype).split(".")[-1]))
    gs = lib.autograd.grad(out, xs, v, create_graph=True)
    penalty = 0
    for i, g in enumerate(gs):
        u = lib.tensor(np.random.default_rng(10 + i).uniform(-1, 1, tuple(g.shape)).astype(
            str(g.dtype).split(".")[-1]))
        penalty = penalty + (g * g).sum() + (g * u).sum()
    penalty.backward()
    return gs, [x.grad for x in xs]


@pytest.mark.small_inputs
@pytest.mark.parametrize("name", list(CASES))
def test_double_backward_matches_torch(name, backend):
    fn, arrays = CASES[name]
    dtypes = ("float64", "float32") if name in ("conv2d", "linear", "softmax", "mul_div") \
        else ("float64",)
    for dtype in dtypes:
        t, m = leaves(backend, arrays, dtype)
        want_g, want_gg = _first_and_second(torch, fn, t)
        with libs(backend):
            got_g, got_gg = _first_and_second(minitorch, fn, m)
        for i in range(len(arrays)):
            assert_close(got_g[i], want_g[i], dtype, f"{name} {dtype} grad {i}")
            assert_close(got_gg[i], want_gg[i], dtype, f"{name} {dtype} grad of grad {i}")


# a float32 round trip is not smooth at the scale of finite differences
SMOOTH = [name for name in CASES if name != "to_dtype"]


@pytest.mark.parametrize("name", SMOOTH)
def test_gradgradcheck_finite_differences(name):
    """The second derivative against float64 central differences of the first (no torch)."""
    fn, arrays = CASES[name]
    _, m = leaves("numpy", arrays)
    with libs("numpy"):
        assert gradgradcheck(lambda *xs: fn(minitorch, minitorch.nn.functional, *xs), m,
                             atol=1e-5, rtol=1e-4)


@pytest.mark.small_inputs
def test_gradient_penalty_reaches_parameters(backend):
    """WGAN-GP style: ‖∂D(x)/∂x‖² differentiated to the critic's parameters (conv, relu,
    max-pool, linear), with backward(create_graph=True) leaving .grad on a graph."""
    rng = np.random.default_rng(3)
    x_np, w1, b1 = rng.standard_normal((2, 1, 6, 6)), rng.standard_normal((2, 1, 3, 3)), \
        rng.standard_normal(2)
    w2, b2 = rng.standard_normal((1, 8)), rng.standard_normal(1)
    t, m = leaves(backend, [x_np, w1, b1, w2, b2])

    def critic_penalty(lib, x, w1, b1, w2, b2):
        F = lib.nn.functional
        h = F.max_pool2d(F.relu(F.conv2d(x, w1, b1, padding=1)), 3)
        d = F.linear(h.flatten(1), w2, b2).sum()
        d.backward(create_graph=True)
        g = x.grad
        assert g.requires_grad and g.grad_fn.name().split("::")[-1] == "CopyBackwards"
        for p in (x, w1, b1, w2, b2):
            p.grad = None
        ((g * g).sum(dim=(1, 2, 3)).sqrt() - 1).pow(2).mean().backward()
        return [p.grad for p in (w1, b1, w2, b2)]

    want = critic_penalty(torch, *t)
    with libs(backend):
        got = critic_penalty(minitorch, *m)
    for i, (g, w) in enumerate(zip(got, want)):
        assert_close(g, w, "float64", f"penalty grad of parameter {i}")


def test_hessian_vector_product_and_third_order(backend):
    rng = np.random.default_rng(4)
    t, m = leaves(backend, [rng.uniform(-1, 1, (4,)), rng.uniform(-1, 1, (4,))])

    def hvp(lib, x, v):
        y = (x.exp() * x.tanh()).sum() + (x @ x) ** 2
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (hv,) = lib.autograd.grad((g * v.detach()).sum(), x, create_graph=True)
        (third,) = lib.autograd.grad(hv.sum(), x)
        return g, hv, third

    with libs(backend):
        got = hvp(minitorch, *m)
    want = hvp(torch, *t)
    for name, g, w in zip(("grad", "hvp", "third"), got, want):
        assert_close(g, w, "float64", name)


def test_grad_api_semantics(backend):
    """retain_graph defaults to create_graph; allow_unused; inputs that are non-leaves; no
    accumulation into .grad; errors as torch's."""
    with libs(backend):
        for lib in (torch, minitorch):
            x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
            z = lib.tensor([3.0], dtype=lib.float64, requires_grad=True)
            h = x * 3
            y = (h * h).sum()
            gh, gx = lib.autograd.grad(y, [h, x], retain_graph=True)
            assert x.grad is None
            np.testing.assert_allclose(gh.detach().cpu().numpy(), [6.0, 12.0])
            np.testing.assert_allclose(gx.detach().cpu().numpy(), [18.0, 36.0])
            assert not gx.requires_grad
            with pytest.raises(RuntimeError, match="index 1 appears to not have been used"):
                lib.autograd.grad(y, [x, z], retain_graph=True)
            gx, gz = lib.autograd.grad(y, [x, z], allow_unused=True, retain_graph=True)
            assert gz is None
            gx, gz = lib.autograd.grad(y, [x, z], materialize_grads=True)
            assert gz.shape == z.shape and float(gz.sum()) == 0.0
            with pytest.raises(RuntimeError, match="second time"):
                lib.autograd.grad(y, [x])
            with pytest.raises(RuntimeError, match="does not require grad"):
                lib.autograd.grad((x * 2).sum(), [lib.ones(2)])
            y = (x ** 3).sum()
            (g,) = lib.autograd.grad(y, x, create_graph=True)
            (g.sum()).backward()  # the graph was retained by create_graph
            np.testing.assert_allclose(x.grad.detach().cpu().numpy(), [6.0, 12.0])


def test_op_without_backward_graph_raises_on_second_derivative():
    """A node with only an array backward still gives correct first derivatives with
    create_graph=True, and differentiating them again raises instead of returning zeros."""
    from minitorch.autograd.function import Function

    class Cube(Function):
        def forward(self, x):
            self.save_for_backward(x)
            return x ** 3

        def backward(self, gy):
            (x,) = self.saved_tensors
            return 3 * x * x * gy

    with libs("numpy"):
        x = minitorch.tensor([1.0, 2.0], requires_grad=True)
        (g,) = minitorch.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
        np.testing.assert_allclose(g.detach().numpy(), [3.0, 12.0])
        with pytest.raises(RuntimeError, match="derivative of CubeBackward0 is not implemented"):
            g.sum().backward()


def test_backward_inputs_and_hooks_with_create_graph(backend):
    """backward(inputs=...) accumulates only there; a tensor hook sees (and may replace) a
    gradient that is itself on the graph; retain_grad keeps it."""
    rng = np.random.default_rng(6)
    t, m = leaves(backend, [rng.uniform(-1, 1, (3,)), rng.uniform(-1, 1, (3,))])
    out = []
    for x, w in (t, m):
        with libs(backend):
            h = x * w
            h.retain_grad()
            seen = []

            def double(g, seen=seen):
                seen.append(g.requires_grad)
                return g * 2

            h.register_hook(double)
            (h.tanh() * x).sum().backward(create_graph=True, inputs=[x])
            assert w.grad is None and seen == [True]
            gx, gh = x.grad, h.grad
            x.grad = None
            (gx * gx).sum().backward(inputs=[w])
            out.append((gx, gh, w.grad))
    for got, want in zip(out[1], out[0]):
        assert_close(got, want)


# -- every op of the parity catalogue --------------------------------------------------------
def _catalogue():
    from minitorch.parity import CATALOGUE

    return [c for c in CATALOGUE if c.grad and c.module is None and "float64" in c.dtypes]


CATALOGUE_CASES = _catalogue()
LAYER_OPS = {"conv2d", "max_pool2d", "avg_pool2d", "linear", "cross_entropy", "relu", "tanh",
             "sigmoid", "softmax", "log_softmax", "matmul"}


def _catalogue_double(lib, case, arrays, to_lib, dtype):
    """First gradients (create_graph) of ⟨outputs, v⟩, then ∂⟨g, u⟩/∂leaves."""
    from minitorch.parity.run import _flat_outputs

    leaves_, inputs = [], []
    for a, arr in zip(case.args, arrays):
        t = to_lib(arr)
        if not a.is_int and a.grad:
            t.requires_grad_(True)
            leaves_.append(t)
        inputs.append(t.permute(*reversed(range(t.ndim))) if a.noncontig else t)
    outs = [o for o in _flat_outputs(case.fn(lib, *inputs))
            if o.is_floating_point() and o.requires_grad]
    rng = np.random.default_rng(5)
    vs = [to_lib(rng.standard_normal(tuple(o.shape)).astype(dtype)) for o in outs]
    gs = lib.autograd.grad(outs, leaves_, vs, create_graph=True, allow_unused=True)
    us = [to_lib(rng.standard_normal(tuple(x.shape)).astype(dtype))
          for x in leaves_]
    terms = [(g * u).sum() for g, u in zip(gs, us) if g is not None and g.requires_grad]
    if not terms:  # the first gradient is constant: nothing to differentiate again
        return gs, None
    second = lib.autograd.grad(sum(terms), leaves_, allow_unused=True)
    return gs, [s if s is not None else lib.zeros_like(x) for s, x in zip(second, leaves_)]


# Every case on "numpy" in float64; the layer ops (whose kernels differ per backend) on every
# backend, in float64 and float32.
PAIRS = [(c, b, d) for c in CATALOGUE_CASES if c.double_backward
         for b in BACKENDS + tuple(SMALL_ONLY) for d in ("float64", "float32")
         if (b == "numpy" and d == "float64") or (c.op in LAYER_OPS and d in c.dtypes and
                                                  float_numel(c) <= SMALL_ONLY.get(b, 10**9))]


@pytest.mark.parametrize("case,backend,dtype", PAIRS,
                         ids=[f"{b}-{d}-{c.name}" for c, b, d in PAIRS])
def test_catalogue_double_backward_matches_torch(case, backend, dtype):
    from minitorch.parity.case import make_arrays

    if backend_unavailable(backend):
        pytest.skip(backend_unavailable(backend))
    arrays = make_arrays(case, dtype)
    want_g, want_gg = _catalogue_double(torch, case, arrays, torch.from_numpy, dtype)
    with libs(backend):
        got_g, got_gg = _catalogue_double(minitorch, case, arrays, to_minitorch(backend),
                                          dtype)
    for i, (g, w) in enumerate(zip(got_g, want_g)):
        assert_close(g, w, dtype, f"{case.name} grad {i}")
    # A gradient that is piecewise constant in the inputs (max-pool's scatter) has a zero
    # derivative: one library may leave it off the graph where the other links it with zeros.
    got_gg = got_gg or [minitorch.zeros_like(g) for g in got_g]
    want_gg = want_gg or [torch.zeros_like(g) for g in want_g]
    for i, (g, w) in enumerate(zip(got_gg, want_gg)):
        assert_close(g, w, dtype, f"{case.name} grad of grad {i}")


def test_gradgradcheck_catches_a_wrong_backward_graph():
    """gradgradcheck fails a backward_graph whose values are off, and one whose values are
    right but that cuts the graph (second derivative missing); it passes the right one."""
    from minitorch.autograd.function import Function

    class Square(Function):
        scale = 2.0  # the true derivative of x² is 2x
        cut = False

        def forward(self, x):
            self.save_for_backward(x)
            return x * x

        def backward(self, gy):
            (x,) = self.saved_tensors
            return 2 * x * gy

        def backward_graph(self, gy):
            (x,) = self.saved_tensors
            x = self.constant(x) if self.cut else self.graph_input(0, x)
            return self.scale * x * gy

    with libs("numpy"):
        x = minitorch.tensor([0.3, -1.2, 2.0], dtype=minitorch.float64, requires_grad=True)
        assert gradgradcheck(Square.apply, x)
        Square.scale = 2.5
        with pytest.raises(RuntimeError, match="differs from the one without it"):
            gradgradcheck(Square.apply, x)
        Square.scale, Square.cut = 2.0, True
        with pytest.raises(RuntimeError, match="Jacobian mismatch for output"):
            gradgradcheck(Square.apply, x)


def test_grad_runs_the_hooks_of_leaves_and_non_leaves(backend):
    out = []
    for lib in (torch, minitorch):
        with libs(backend):
            x = lib.tensor([1.0, -2.0, 3.0], dtype=lib.float64, requires_grad=True)
            x.register_hook(lambda g: g * 10)
            h = x * x
            h.register_hook(lambda g: g + 1)
            out.append(lib.autograd.grad(h.sum(), x)[0])
            assert x.grad is None
    assert_close(out[1], out[0])
