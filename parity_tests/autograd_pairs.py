"""Helpers for the autograd parity tests: the same leaves in torch and minitorch, and the
comparison of values and gradients (float64 tight, float32 loose)."""

from __future__ import annotations

from typing import Any, List, Sequence, Tuple

import numpy as np
import torch

import minitorch
from minitorch.parity import on_backend, to_minitorch

TOL = {"float64": dict(rtol=1e-9, atol=1e-10), "float32": dict(rtol=2e-4, atol=2e-5)}


def leaves(backend: str, arrays: Sequence[np.ndarray], dtype: str = "float64",
           requires_grad: bool = True) -> Tuple[List[torch.Tensor], List[Any]]:
    """The arrays as leaves of both libraries (minitorch's on ``backend``'s device)."""
    convert = to_minitorch(backend)
    t = [torch.tensor(a.astype(dtype), requires_grad=requires_grad) for a in arrays]
    m = [convert(a.astype(dtype)).requires_grad_(requires_grad) for a in arrays]
    return t, m


def to_np(x: Any) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().numpy(force=True)  # force: torch may answer with a ZeroTensor
    return x.detach().cpu().numpy()


def assert_close(got: Any, want: Any, dtype: str = "float64", what: str = "") -> None:
    assert (got is None) == (want is None), f"{what}: one side is None"
    if got is None:
        return
    assert tuple(got.shape) == tuple(want.shape), f"{what}: {got.shape} vs {want.shape}"
    np.testing.assert_allclose(to_np(got), to_np(want), err_msg=what, **TOL[dtype])


def libs(backend: str):
    """(torch, minitorch) with minitorch running on ``backend`` inside the block."""
    return on_backend(backend)


__all__ = ["assert_close", "leaves", "libs", "minitorch", "to_np", "TOL"]


def assert_module_matches(name: str, args: tuple, kwargs: dict, x: np.ndarray) -> None:
    """``torch.nn.<name>(*args, **kwargs)`` and minitorch's, in float64 from torch's weights:
    the same repr, state_dict keys and weight shapes, output, input gradient and parameter
    gradients (for a random cotangent)."""
    t = getattr(torch.nn, name)(*args, **kwargs).double()
    m = getattr(minitorch.nn, name)(*args, **kwargs).double()
    assert repr(m) == repr(t)
    assert list(m.state_dict()) == list(t.state_dict())
    assert [tuple(p.shape) for p in m.parameters()] == [tuple(p.shape) for p in t.parameters()]
    m.load_state_dict({k: minitorch.tensor(v.numpy()) for k, v in t.state_dict().items()})
    xt, xm = torch.tensor(x, requires_grad=True), minitorch.tensor(x, requires_grad=True)
    yt, ym = t(xt), m(xm)
    np.testing.assert_allclose(ym.detach().numpy(), yt.detach().numpy(), rtol=1e-10)
    g = np.random.default_rng(1).standard_normal(tuple(yt.shape))
    yt.backward(torch.tensor(g))
    ym.backward(minitorch.tensor(g))
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    for (k, pt), pm in zip(t.named_parameters(), m.parameters()):
        np.testing.assert_allclose(pm.grad.numpy(), pt.grad.numpy(), rtol=1e-10, err_msg=k)


def assert_raises_like_torch(make: Any) -> None:
    """``make(lib)`` raises in torch and in minitorch: the same exception type and the same
    message (``minitorch.`` read as ``torch.``)."""
    import pytest

    errors = []
    for lib in (torch, minitorch):
        with pytest.raises(Exception) as info:
            make(lib)
        errors.append(info.value)
    want, got = errors
    assert type(got) is type(want)
    assert str(got).replace("minitorch.", "torch.") == str(want)
