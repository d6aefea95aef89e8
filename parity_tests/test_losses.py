"""Loss functions and modules against torch, per backend and dtype: forward value, gradient
of every differentiable input, the grad_fn name (one fused node where torch has one), every
reduction, weights, and the errors/warnings for bad arguments."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import torch

import minitorch
from minitorch.parity import mt_to_np, on_backend, to_minitorch

TOL = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-10, atol=1e-12)}
REDUCTIONS = ["mean", "sum", "none"]


def _normal(rng, shape):
    return rng.standard_normal(shape)


def _prob(rng, shape):
    return rng.uniform(0.02, 0.98, shape)


def _logp(rng, shape):
    a = rng.standard_normal(shape)
    return a - np.log(np.exp(a).sum(-1, keepdims=True))


def _prob_with_zeros(rng, shape):
    p = rng.uniform(0, 1, shape)
    p.flat[::3] = 0.0
    return p


# name, kwargs, (input maker, shape), (target maker, shape), target differentiable
POINTWISE = [
    ("mse_loss", {}, _normal, _normal),
    ("l1_loss", {}, _normal, _normal),
    ("smooth_l1_loss", {}, _normal, _normal),
    ("smooth_l1_loss", dict(beta=0.4), _normal, _normal),
    ("smooth_l1_loss", dict(beta=0.0), _normal, _normal),
    ("huber_loss", {}, _normal, _normal),
    ("huber_loss", dict(delta=0.3), _normal, _normal),
    ("binary_cross_entropy", {}, _prob, _prob),
    ("binary_cross_entropy_with_logits", {}, _normal, _prob),
    ("kl_div", {}, _logp, _prob_with_zeros),
    ("kl_div", dict(log_target=True), _logp, _logp),
]
SHAPES = [(5, 4), (2, 3, 4), ()]


def _run(lib, to_lib, fn_name, kw, arrays, grads, to_np):
    tensors = [to_lib(a) for a in arrays]
    for t, g in zip(tensors, grads):
        t.requires_grad_(g)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = getattr(lib.nn.functional, fn_name)(*tensors, **kw)
    cot = np.random.default_rng(3).standard_normal(tuple(out.shape)).astype(arrays[0].dtype)
    out.backward(to_lib(cot))
    name = out.grad_fn.name() if out.grad_fn is not None else None
    return to_np(out), [to_np(t.grad) if g else None for t, g in zip(tensors, grads)], name


def _compare(fn_name, kw, arrays, grads, dtype, backend):
    want = _run(torch, torch.from_numpy, fn_name, kw, arrays, grads,
                lambda t: t.detach().numpy())
    with on_backend(backend):
        got = _run(minitorch, to_minitorch(backend), fn_name, kw, arrays, grads, mt_to_np)
    np.testing.assert_allclose(got[0], want[0], **TOL[dtype])
    for g, w in zip(got[1], want[1]):
        if w is not None:
            np.testing.assert_allclose(g, w, **TOL[dtype])
    assert got[2] == want[2]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("fn_name,kw,make_x,make_t", POINTWISE,
                         ids=[f"{n}-{kw}" for n, kw, _, _ in POINTWISE])
def test_pointwise_losses_match_torch(fn_name, kw, make_x, make_t, reduction, shape, dtype,
                                      backend):
    rng = np.random.default_rng(len(shape) + 7)
    if fn_name.startswith("kl") and shape == ():
        shape = (3,)
    arrays = [make_x(rng, shape).astype(dtype), make_t(rng, shape).astype(dtype)]
    _compare(fn_name, dict(kw, reduction=reduction), arrays, (True, True), dtype, backend)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_kl_div_batchmean_and_weighted_bce_match_torch(dtype, backend):
    rng = np.random.default_rng(1)
    x, p = _logp(rng, (4, 5)).astype(dtype), _prob_with_zeros(rng, (4, 5)).astype(dtype)
    _compare("kl_div", dict(reduction="batchmean"), [x, p], (True, True), dtype, backend)
    _compare("kl_div", dict(reduction="batchmean", log_target=True), [x, x[::-1].copy()],
             (True, True), dtype, backend)
    probs, target = _prob(rng, (4, 5)).astype(dtype), _prob(rng, (4, 5)).astype(dtype)
    logits = _normal(rng, (4, 5)).astype(dtype)
    weight, pos_weight = _prob(rng, (5,)).astype(dtype), (3 * _prob(rng, (5,))).astype(dtype)
    for reduction in REDUCTIONS:
        want_w = dict(reduction=reduction)
        for lib_kw in ({"weight": weight}, {"pos_weight": pos_weight},
                       {"weight": weight, "pos_weight": pos_weight}):
            _compare_weighted("binary_cross_entropy_with_logits", lib_kw, want_w,
                              [logits, target], dtype, backend)
        _compare_weighted("binary_cross_entropy", {"weight": weight}, want_w, [probs, target],
                          dtype, backend)


def _compare_weighted(fn_name, weights, kw, arrays, dtype, backend):
    def run(lib, to_lib, to_np):
        extra = {k: to_lib(v) for k, v in weights.items()}
        x, t = to_lib(arrays[0]).requires_grad_(), to_lib(arrays[1]).requires_grad_()
        out = getattr(lib.nn.functional, fn_name)(x, t, **extra, **kw)
        out.sum().backward()
        return to_np(out), to_np(x.grad), to_np(t.grad), out.grad_fn.name()

    want = run(torch, torch.from_numpy, lambda t: t.detach().numpy())
    with on_backend(backend):
        got = run(minitorch, to_minitorch(backend), mt_to_np)
    for g, w in zip(got[:3], want[:3]):
        np.testing.assert_allclose(g, w, **TOL[dtype])
    assert got[3] == want[3]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss_matches_torch(weighted, reduction, dtype, backend):
    rng = np.random.default_rng(4)
    for shape, target in (((5, 4), np.array([0, 3, -100, 1, 3])),
                          ((2, 3, 2, 2), rng.integers(0, 3, (2, 2, 2))),
                          ((3,), np.array(1))):
        x = _logp(rng, shape).astype(dtype)
        weight = _prob(rng, (shape[1] if len(shape) > 1 else shape[0],)).astype(dtype)

        def run(lib, to_lib, to_np, x=x, weight=weight, target=target):
            xs = to_lib(x).requires_grad_()
            kw = dict(reduction=reduction, ignore_index=-100)
            if weighted:
                kw["weight"] = to_lib(weight)
            out = lib.nn.functional.nll_loss(xs, to_lib(target), **kw)
            out.sum().backward()
            return to_np(out), to_np(xs.grad), out.grad_fn.name()

        want = run(torch, torch.from_numpy, lambda t: t.detach().numpy())
        with on_backend(backend):
            got = run(minitorch, to_minitorch(backend), mt_to_np)
        np.testing.assert_allclose(got[0], want[0], **TOL[dtype])
        np.testing.assert_allclose(got[1], want[1], **TOL[dtype])
        assert got[2] == want[2]
        assert got[2] == ("NllLoss2DBackward0" if len(shape) == 4 else "NllLossBackward0")


def test_bce_clamps_the_log_at_minus_100_like_torch():
    x = np.array([0.0, 1.0, 1e-30, 0.5])
    t = np.array([1.0, 0.0, 1.0, 0.5])
    got = minitorch.nn.functional.binary_cross_entropy(
        minitorch.tensor(x, requires_grad=True), minitorch.tensor(t), reduction="none")
    want = torch.nn.functional.binary_cross_entropy(torch.tensor(x), torch.tensor(t),
                                                    reduction="none")
    np.testing.assert_allclose(mt_to_np(got), want.numpy())
    assert np.all(np.isfinite(mt_to_np(got)))


MODULES = [
    ("MSELoss", {}, _normal, _normal), ("L1Loss", dict(reduction="sum"), _normal, _normal),
    ("SmoothL1Loss", dict(beta=0.5), _normal, _normal),
    ("HuberLoss", dict(delta=0.5, reduction="none"), _normal, _normal),
    ("BCELoss", {}, _prob, _prob), ("BCEWithLogitsLoss", {}, _normal, _prob),
    ("KLDivLoss", dict(reduction="batchmean"), _logp, _prob),
]


@pytest.mark.parametrize("name,kw,make_x,make_t", MODULES, ids=[m[0] for m in MODULES])
def test_loss_modules_match_torch(name, kw, make_x, make_t):
    rng = np.random.default_rng(9)
    x, t = make_x(rng, (3, 4)), make_t(rng, (3, 4))
    t_mod = getattr(torch.nn, name)(**kw)
    m_mod = getattr(minitorch.nn, name)(**kw)
    assert repr(m_mod) == repr(t_mod)
    assert m_mod.reduction == t_mod.reduction
    want = t_mod(torch.tensor(x, requires_grad=True), torch.tensor(t))
    got = m_mod(minitorch.tensor(x, requires_grad=True), minitorch.tensor(t))
    np.testing.assert_allclose(mt_to_np(got), want.detach().numpy(), rtol=1e-12)
    assert got.grad_fn.name() == want.grad_fn.name()


def test_weighted_loss_modules_state_dict_keys_match_torch():
    for name, kw in (("BCELoss", {"weight": 1}), ("BCEWithLogitsLoss", {"pos_weight": 1}),
                     ("BCEWithLogitsLoss", {"weight": 1, "pos_weight": 1}),
                     ("NLLLoss", {"weight": 1})):
        t_mod = getattr(torch.nn, name)(**{k: torch.ones(3) for k in kw})
        m_mod = getattr(minitorch.nn, name)(**{k: minitorch.ones(3) for k in kw})
        assert list(m_mod.state_dict()) == list(t_mod.state_dict())


def test_legacy_size_average_and_reduce_map_like_torch():
    for size_average, reduce in ((False, None), (None, False), (True, True), (False, True)):
        with pytest.warns(UserWarning) as t_w:
            t_mod = torch.nn.MSELoss(size_average=size_average, reduce=reduce)
        with pytest.warns(UserWarning) as m_w:
            m_mod = minitorch.nn.MSELoss(size_average=size_average, reduce=reduce)
        assert m_mod.reduction == t_mod.reduction
        assert str(m_w[0].message) == str(t_w[0].message)


def _local(text):
    return re.sub(r"(?<!mini)torch\.", "minitorch.", text)


def _message(lib, fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fn(lib)
        except Exception as e:  # noqa: BLE001 - the class is compared below
            return type(e).__name__, _local(str(e)), None
    return None, None, [_local(str(w.message)) for w in caught]


BAD = [
    lambda lib: lib.nn.functional.mse_loss(lib.zeros(4, 3), lib.zeros(3)),
    lambda lib: lib.nn.functional.l1_loss(lib.zeros(4, 3), lib.zeros(4, 1)),
    lambda lib: lib.nn.functional.mse_loss(lib.zeros(4, 3), lib.zeros(5)),
    lambda lib: lib.nn.functional.mse_loss(lib.zeros(3), lib.zeros(3), reduction="avg"),
    lambda lib: lib.nn.functional.kl_div(lib.zeros(3), lib.zeros(3), reduction="avg"),
    lambda lib: lib.nn.functional.kl_div(lib.zeros(3), lib.zeros(3)),
    lambda lib: lib.nn.functional.smooth_l1_loss(lib.zeros(3), lib.zeros(3), beta=-1.0),
    lambda lib: lib.nn.functional.huber_loss(lib.zeros(3), lib.zeros(3), delta=0.0),
    lambda lib: lib.nn.functional.binary_cross_entropy(lib.zeros(4, 3), lib.zeros(3)),
    lambda lib: lib.nn.functional.binary_cross_entropy(lib.ones(3) * 2, lib.zeros(3)),
    lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(lib.zeros(4, 3),
                                                                   lib.zeros(3)),
    lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(
        lib.zeros(4, 3), lib.zeros(4, 3), pos_weight=lib.ones(4)),
    lambda lib: lib.nn.functional.mse_loss(lib.zeros(3), lib.zeros(3), weight=lib.ones(2)),
    lambda lib: lib.nn.functional.binary_cross_entropy(lib.zeros(4, 3), lib.zeros(4, 3),
                                                       weight=lib.ones(4)),
    lambda lib: lib.nn.functional.binary_cross_entropy(lib.zeros(2, 4, 3), lib.zeros(2, 4, 3),
                                                       weight=lib.ones(3, 3)),
    lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(
        lib.zeros(4, 3), lib.zeros(4, 3), weight=lib.ones(2, 1, 1)),
    lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(
        lib.zeros(4, 3), lib.zeros(4, 3), pos_weight=lib.ones(3, requires_grad=True)),
    lambda lib: lib.nn.functional.mse_loss(lib.zeros(3, dtype=lib.int64),
                                           lib.zeros(3, dtype=lib.int64)),
]


@pytest.mark.parametrize("i", range(len(BAD)))
def test_bad_arguments_fail_or_warn_like_torch(i):
    assert _message(minitorch, BAD[i]) == _message(torch, BAD[i])


def test_mse_walks_to_addmm_like_the_tutorial():
    """loss.grad_fn → MseLossBackward0 → AddmmBackward0 → AccumulateGrad (the bias),
    as the PyTorch 60-minute blitz prints it."""
    names = []
    for lib in (torch, minitorch):
        lib.manual_seed(0)
        net = lib.nn.Sequential(lib.nn.Linear(4, 3), lib.nn.ReLU(), lib.nn.Linear(3, 2))
        loss = lib.nn.MSELoss()(net(lib.randn(5, 4)), lib.randn(5, 2))
        node = loss.grad_fn
        chain = [type(node).__name__ if lib is torch else node.name()]
        for _ in range(2):
            node = node.next_functions[0][0]
            chain.append(type(node).__name__ if lib is torch else node.name())
        names.append(chain)
    assert names[1] == names[0] == ["MseLossBackward0", "AddmmBackward0", "AccumulateGrad"]


@pytest.mark.parametrize("fn", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
                                "binary_cross_entropy", "binary_cross_entropy_with_logits",
                                "kl_div"])
def test_a_target_that_is_not_a_tensor_is_a_clear_type_error(fn):
    with pytest.raises(TypeError, match=rf"^{fn}\(\): argument 'target' \(position 2\) must "
                                        r"be Tensor, not float$"):
        getattr(minitorch.nn.functional, fn)(minitorch.zeros(2), 1.0)
