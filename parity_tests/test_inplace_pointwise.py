"""The in-place forms of pointwise math (``sin_``, ``atan2_``, ``xlogy_``, ...) against
torch: the values written, the version counter, gradients through the in-place op on a
non-leaf and on a view of one (the base rebased onto the op), and torch's refusals."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch
from minitorch.parity import mt_to_np

IN_0_1 = (0.1, 0.9)
ABOVE_1 = (1.2, 3.0)
ANY = (-2.0, 2.0)
# method, its arguments ("other": a tensor of the input's shape), the input range
UNARY = [("sin_", IN_0_1), ("cos_", ANY), ("tan_", IN_0_1), ("asin_", IN_0_1),
         ("arcsin_", IN_0_1), ("acos_", IN_0_1), ("arccos_", IN_0_1), ("atan_", ANY),
         ("arctan_", ANY), ("sinh_", ANY), ("cosh_", ANY), ("asinh_", ANY),
         ("arcsinh_", ANY), ("acosh_", ABOVE_1), ("arccosh_", ABOVE_1), ("atanh_", IN_0_1),
         ("arctanh_", IN_0_1), ("erf_", ANY), ("exp2_", ANY), ("expm1_", ANY),
         ("log2_", ABOVE_1), ("log10_", ABOVE_1), ("log1p_", IN_0_1), ("reciprocal_", ABOVE_1),
         ("rsqrt_", ABOVE_1), ("square_", ANY), ("sign_", ANY), ("sgn_", ANY), ("sinc_", ANY),
         ("deg2rad_", ANY), ("rad2deg_", ANY), ("frac_", ANY), ("trunc_", ANY), ("fix_", ANY),
         ("floor_", ANY), ("ceil_", ANY), ("round_", ANY), ("logit_", IN_0_1)]
ALL = [(name, (), {}, domain) for name, domain in UNARY] + [
    ("round_", (), {"decimals": 1}, ANY),
    ("logit_", (), {"eps": 0.2}, IN_0_1),
    ("nan_to_num_", (), {}, ANY),
    ("atan2_", ("other",), {}, ANY),
    ("arctan2_", ("other",), {}, ANY),
    ("hypot_", ("other",), {}, ANY),
    ("xlogy_", ("other",), {}, ABOVE_1),
    ("xlogy_", (2.5,), {}, ANY),
    ("copysign_", ("other",), {}, ANY),
    ("copysign_", (-1.0,), {}, ANY),
    ("float_power_", ("other",), {}, ABOVE_1),
    ("float_power_", (1.5,), {}, ABOVE_1),
    ("clip_", (-0.5, 0.7), {}, ANY),
    ("divide_", ("other",), {}, ABOVE_1),
    ("true_divide_", (3.0,), {}, ANY),
    ("multiply_", ("other",), {}, ANY),
    ("subtract_", ("other",), {"alpha": 2}, ANY),
    ("negative_", (), {}, ANY),
    ("absolute_", (), {}, ANY),
]
# torch has no derivative for these in place: backward through them raises (tested below)
UNRECORDED = {"asinh_", "arcsinh_", "acosh_", "arccosh_", "atanh_", "arctanh_"}
CASES = [case for case in ALL if case[0] not in UNRECORDED]
IDS = [f"{name}-{args}-{kw}" for name, args, kw, _ in CASES]
# float_power_ needs a float64 tensor (see the refusals)
ROUNDED = [case for case in ALL if case[0] != "float_power_"]
# the out-of-place op is composed here, so its last node has another name than torch's
# fused one (RoundBackward1, NanToNumBackward0); values and gradients are still compared
COMPOSED = {("round_", "decimals"), ("nan_to_num_", None)}


def _inputs(domain, seed):
    rng = np.random.default_rng(seed)
    return rng.uniform(*domain, (3, 4)), rng.uniform(*domain, (3, 4))


def _run(lib, name, args, kw, x, other, view):
    """d = x · 1 (a non-leaf); the op in place on d (or on its middle columns); returns
    (values written, version bump, grad_fn name, x's gradient, other's gradient)."""
    xt = lib.tensor(x, requires_grad=True)
    ot = lib.tensor(other, requires_grad=True)
    d = xt * 1
    target = d[:, 1:3] if view else d
    before = target._version
    out = getattr(target, name)(*[ot[:, 1:3] if view and a == "other" else
                                  ot if a == "other" else a for a in args], **kw)
    assert out is target
    bump = target._version - before
    values = np.asarray(mt_to_np(d) if lib is minitorch else d.detach().numpy())
    (d * lib.tensor(np.arange(12.0).reshape(3, 4))).sum().backward()
    grads = [None if t.grad is None else
             np.asarray(mt_to_np(t.grad) if lib is minitorch else t.grad.numpy(force=True))
             for t in (xt, ot)]
    return values, bump, d.grad_fn.name().split("::")[-1], *grads


@pytest.mark.parametrize("view", [False, True])
@pytest.mark.parametrize("name,args,kw,domain", CASES, ids=IDS)
def test_inplace_pointwise_values_and_gradients_match_torch(name, args, kw, domain, view):
    x, other = _inputs(domain, 3)
    t_values, t_bump, t_node, t_gx, t_go = _run(torch, name, args, kw, x, other, view)
    m_values, m_bump, m_node, m_gx, m_go = _run(minitorch, name, args, kw, x, other, view)
    np.testing.assert_allclose(m_values, t_values, rtol=1e-12, atol=1e-14)
    assert m_bump == t_bump == 1
    if (name, next(iter(kw), None)) not in COMPOSED:
        assert m_node == t_node
    np.testing.assert_allclose(m_gx, t_gx, rtol=1e-12, atol=1e-14)
    assert (m_go is None) == (t_go is None)
    if t_go is not None:
        np.testing.assert_allclose(m_go, t_go, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name,args,kw,domain", ROUNDED,
                         ids=[f"{name}-{args}-{kw}" for name, args, kw, _ in ROUNDED])
def test_inplace_pointwise_float32_with_float64_other_matches_torch(name, args, kw, domain):
    """The result is rounded to the tensor's own dtype."""
    x, other = _inputs(domain, 5)
    got = []
    for lib in (torch, minitorch):
        t = lib.tensor(x, dtype=lib.float32)
        call = [lib.tensor(other) if a == "other" else a for a in args]
        out = getattr(t, name)(*call, **kw)
        got.append((str(out.dtype).split(".")[-1], np.asarray(mt_to_np(out) if lib is minitorch
                                               else out.numpy())))
    assert got[1][0] == got[0][0]
    np.testing.assert_allclose(got[1][1], got[0][1], rtol=1e-6, atol=1e-7)


REFUSALS = [
    ("sin_", lambda lib: (lib.arange(3), ())),
    ("atan2_", lambda lib: (lib.arange(3), (lib.ones(3),))),
    ("xlogy_", lambda lib: (lib.arange(3), (2.5,))),
    ("float_power_", lambda lib: (lib.ones(3), (2.0,))),
    ("float_power_", lambda lib: (lib.ones(3, dtype=lib.float64), (lib.ones(2),))),
    ("hypot_", lambda lib: (lib.ones(3), (lib.ones(2, 3),))),
    ("asin_", lambda lib: (lib.ones(3, requires_grad=True), ())),
    ("copysign_", lambda lib: (lib.ones(3, requires_grad=True), (-1.0,))),
]


@pytest.mark.parametrize("name,make", REFUSALS,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(REFUSALS)])
def test_inplace_pointwise_refusals_match_torch(name, make):
    messages = []
    for lib in (torch, minitorch):
        t, args = make(lib)
        with pytest.raises(RuntimeError) as caught:
            getattr(t, name)(*args)
        messages.append(str(caught.value))
    # minitorch's cast refusal names the op and size after torch's sentence
    assert messages[1].startswith(messages[0])


@pytest.mark.parametrize("name", ["sign_", "square_", "trunc_", "floor_", "round_", "sgn_"])
def test_integer_results_stay_in_integer_tensors_like_torch(name):
    got = [getattr(lib.tensor([-3, 0, 5]), name)().tolist() for lib in (torch, minitorch)]
    assert got[1] == got[0]


def test_saved_input_changed_in_place_fails_backward_like_torch():
    """sin saves its input; changing that input in place afterwards breaks backward."""
    messages = []
    for lib in (torch, minitorch):
        x = lib.tensor([0.3, 0.6], requires_grad=True)
        d = x * 1
        y = d.sin()
        d.cos_()
        with pytest.raises(RuntimeError) as caught:
            y.sum().backward()
        # (the rest of the message names the tensor and its creator)
        messages.append(str(caught.value).split(": [")[0])
    assert messages[1] == messages[0]


@pytest.mark.parametrize("name", sorted(UNRECORDED))
def test_unrecorded_inplace_inverse_hyperbolics_match_torch(name):
    """torch computes them, records a node, and backward through it raises."""
    runs = []
    scale = 1.0 if "cosh" in name else 0.5  # inside the domain
    for lib in (torch, minitorch):
        d = lib.tensor([1.2, 1.5], requires_grad=True) * scale
        getattr(d, name)()
        node = d.grad_fn.name()
        with pytest.raises(NotImplementedError) as caught:
            d.sum().backward()
        with lib.no_grad():
            plain = getattr(lib.tensor([1.2, 1.5]) * scale, name)().tolist()
        runs.append((node, str(caught.value), d.tolist(), plain))
    assert runs[1][:2] == runs[0][:2]
    np.testing.assert_allclose(runs[1][2:], runs[0][2:], rtol=1e-6)
