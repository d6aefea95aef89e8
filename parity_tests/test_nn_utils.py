"""``nn.utils``: clip_grad_norm_ / clip_grad_value_ / parameters_to_vector /
vector_to_parameters against torch, per backend: the returned total norm, the clipped
gradients, the errors and warnings."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import minitorch
from minitorch.parity import mt_to_np, on_backend, to_minitorch

ARRAYS = [np.random.default_rng(0).standard_normal(s) for s in ((3, 4), (5,), (2, 1, 2))]


def _params(lib, convert, dtype="float32", grads=(0, 1, 2), scale=3.0):
    """Three parameters; those in ``grads`` get ``scale`` · their values as gradient."""
    ps = []
    for i, a in enumerate(ARRAYS):
        p = lib.nn.Parameter(convert(a.astype(dtype)))
        if i in grads:
            p.grad = convert((a * scale).astype(dtype))
        ps.append(p)
    return ps


def _np(t):
    return t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else mt_to_np(t)


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, float("inf"), -float("inf"), 0])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(backend, norm_type, max_norm):
    convert = to_minitorch(backend)
    t_ps = _params(torch, torch.from_numpy, grads=(0, 2))
    with on_backend(backend):
        m_ps = _params(minitorch, convert, grads=(0, 2))
        m_total = minitorch.nn.utils.clip_grad_norm_(m_ps, max_norm, norm_type, foreach=True)
    t_total = torch.nn.utils.clip_grad_norm_(t_ps, max_norm, norm_type)
    assert m_total.shape == t_total.shape == ()
    assert str(m_total.dtype).split(".")[-1] == str(t_total.dtype).split(".")[-1]
    assert not m_total.requires_grad and m_total.grad_fn is None
    np.testing.assert_allclose(_np(m_total), _np(t_total), rtol=1e-6)
    for m, t in zip(m_ps, t_ps):
        assert (m.grad is None) == (t.grad is None)
        if t.grad is not None:
            np.testing.assert_allclose(_np(m.grad), _np(t.grad), rtol=1e-6, atol=1e-7)


def test_clip_grad_norm_single_tensor_float64_and_empty():
    for lib, convert in ((torch, torch.from_numpy), (minitorch, minitorch.tensor)):
        p = _params(lib, convert, "float64")[0]
        total = lib.nn.utils.clip_grad_norm_(p, 1.0)  # one tensor, not a list
        assert str(total.dtype).endswith("float64")
        assert abs(float(p.grad.norm()) - 1.0) < 1e-5
    m_empty, t_empty = (lib.nn.utils.clip_grad_norm_([], 1.0) for lib in (minitorch, torch))
    assert float(m_empty) == float(t_empty) == 0.0 and str(m_empty.dtype).endswith("float32")
    for lib in (minitorch, torch):
        with pytest.warns(UserWarning, match="`parameters` is an empty generator"):
            lib.nn.utils.clip_grad_norm_((p for p in []), 1.0)
        with pytest.warns(FutureWarning, match="clip_grad_norm` is now deprecated"):
            lib.nn.utils.clip_grad_norm([], 1.0)


@pytest.mark.parametrize("bad", [float("inf"), float("nan")])
def test_clip_grad_norm_nonfinite(bad):
    messages, grads = [], []
    for lib, convert in ((torch, torch.from_numpy), (minitorch, minitorch.tensor)):
        ps = _params(lib, convert)
        ps[1].grad[2] = bad
        with pytest.raises(RuntimeError) as err:
            lib.nn.utils.clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
        messages.append(str(err.value))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            total = lib.nn.utils.clip_grad_norm_(ps, 1.0)  # scaled by the non-finite norm
        grads.append((_np(total), _np(ps[0].grad)))
    assert messages[0] == messages[1]
    np.testing.assert_array_equal(grads[0][0], grads[1][0])
    np.testing.assert_array_equal(grads[0][1], grads[1][1])


def test_clip_grad_value_matches_torch(backend):
    convert = to_minitorch(backend)
    t_ps = _params(torch, torch.from_numpy, grads=(1, 2))
    with on_backend(backend):
        m_ps = _params(minitorch, convert, grads=(1, 2))
        assert minitorch.nn.utils.clip_grad_value_(m_ps, 2, foreach=False) is None
    torch.nn.utils.clip_grad_value_(t_ps, 2)
    for m, t in zip(m_ps, t_ps):
        assert (m.grad is None) == (t.grad is None)
        if t.grad is not None:
            np.testing.assert_array_equal(_np(m.grad), _np(t.grad))


def test_parameters_to_vector_and_back(backend):
    convert = to_minitorch(backend)
    t_ps = _params(torch, torch.from_numpy, grads=())
    with on_backend(backend):
        m_ps = _params(minitorch, convert, grads=())
        m_vec = minitorch.nn.utils.parameters_to_vector(m_ps)
        (m_vec * m_vec).sum().backward()  # differentiable: the gradient reaches each p
    t_vec = torch.nn.utils.parameters_to_vector(t_ps)
    (t_vec * t_vec).sum().backward()
    np.testing.assert_array_equal(_np(m_vec), _np(t_vec))
    assert m_vec.grad_fn is not None and m_vec.shape == t_vec.shape
    for m, t in zip(m_ps, t_ps):
        np.testing.assert_allclose(_np(m.grad), _np(t.grad), rtol=1e-6)
    with on_backend(backend):
        new = convert(np.arange(m_vec.numel(), dtype=np.float32))
        minitorch.nn.utils.vector_to_parameters(new, m_ps)
    torch.nn.utils.vector_to_parameters(torch.arange(t_vec.numel(), dtype=torch.float32), t_ps)
    for m, t in zip(m_ps, t_ps):
        assert isinstance(m, minitorch.nn.Parameter) and m.requires_grad
        np.testing.assert_array_equal(_np(m), _np(t))
    for bad in ([1.0, 2.0], np.zeros(3)):
        errors = []
        for lib in (torch, minitorch):
            with pytest.raises(TypeError) as err:
                lib.nn.utils.vector_to_parameters(bad, t_ps)
            errors.append(str(err.value))
        assert errors[0] == errors[1]


def test_get_total_norm_and_clip_grads_with_norm():
    """The two halves of clip_grad_norm_, public in torch.nn.utils."""
    got, want = [], []
    for lib, convert, out in ((minitorch, minitorch.tensor, got), (torch, torch.from_numpy, want)):
        ps = _params(lib, convert)
        out.append(_np(lib.nn.utils.get_total_norm([p.grad for p in ps], "inf")))
        out.append(_np(lib.nn.utils.get_total_norm(ps[0].grad)))  # one tensor
        total = convert(np.array(7.5, dtype=np.float32))
        assert lib.nn.utils.clip_grads_with_norm_(ps, 2.0, total) is None
        out.extend(_np(p.grad) for p in ps)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-6)
