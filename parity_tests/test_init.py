"""nn.init's trunc_normal_, orthogonal_, eye_ and dirac_ against torch: the deterministic
fills element for element (per backend), the errors and warning word for word, and the random
fills by their properties (bounds, moments of the truncated normal, orthogonality) and by
their seeding (the numbers themselves are minitorch's own)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import minitorch
from minitorch.nn import init
from minitorch.parity import mt_to_np, on_backend

LIBS = (torch, minitorch)

FILLS = [
    ("eye_", (3, 5), {}), ("eye_", (4, 2), {}), ("eye_", (3, 3), {}), ("eye_", (0, 2), {}),
    ("dirac_", (4, 3, 5), {}), ("dirac_", (2, 4, 3, 3), {}), ("dirac_", (6, 2, 2, 4), {}),
    ("dirac_", (6, 2, 3, 3), dict(groups=3)), ("dirac_", (4, 3, 3, 2, 3), dict(groups=2)),
    ("dirac_", (4, 2, 3), dict(groups=-2)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("name,shape,kw", FILLS, ids=[f"{n}-{s}-{k}" for n, s, k in FILLS])
def test_deterministic_fills_match_torch(name, shape, kw, dtype, backend):
    want = getattr(torch.nn.init, name)(torch.full(shape, 7, dtype=getattr(torch, dtype)), **kw)
    with on_backend(backend):
        t = minitorch.full(shape, 7, dtype=getattr(minitorch, dtype))
        if backend == "cuda":
            t = t.cuda()
        got = getattr(init, name)(t, **kw)
        assert got is t
        np.testing.assert_array_equal(mt_to_np(got), want.numpy())
        assert got.dtype == getattr(minitorch, dtype)


def test_fills_keep_a_parameter_a_leaf_that_requires_grad():
    for fill in (init.eye_, lambda p: init.trunc_normal_(p, std=0.1), init.orthogonal_):
        p = minitorch.nn.Parameter(minitorch.zeros(3, 4))
        assert fill(p) is p
        assert p.is_leaf and p.requires_grad and p.grad_fn is None


ERRORS = {
    "eye_1d": lambda L: L.nn.init.eye_(L.empty(3)),
    "eye_3d": lambda L: L.nn.init.eye_(L.empty(2, 2, 2)),
    "dirac_2d": lambda L: L.nn.init.dirac_(L.empty(3, 2)),
    "dirac_6d": lambda L: L.nn.init.dirac_(L.empty(1, 1, 1, 1, 1, 1)),
    "dirac_groups": lambda L: L.nn.init.dirac_(L.empty(3, 2, 3), groups=2),
    "dirac_zero_groups": lambda L: L.nn.init.dirac_(L.empty(4, 2, 3), groups=0),
    "orthogonal_1d": lambda L: L.nn.init.orthogonal_(L.empty(3)),
    "orthogonal_long": lambda L: L.nn.init.orthogonal_(L.empty(3, 2, dtype=L.long)),
    "trunc_normal_long": lambda L: L.nn.init.trunc_normal_(L.empty(3, dtype=L.long)),
    "trunc_normal_long_narrow": lambda L: L.nn.init.trunc_normal_(L.empty(3, dtype=L.long),
                                                                  a=-0.1, b=0.1),
    "trunc_normal_reversed": lambda L: L.nn.init.trunc_normal_(L.empty(3), a=2.5, b=-2.0),
    "trunc_normal_zero_std": lambda L: L.nn.init.trunc_normal_(L.empty(3), std=0),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors_match_torch(name):
    caught = []
    for lib in LIBS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(Exception) as err:
                ERRORS[name](lib)
        caught.append((type(err.value), str(err.value)))
    assert caught[1] == caught[0]


def test_trunc_normal_warns_like_torch_when_mean_is_far_from_the_bounds():
    messages = []
    for lib in LIBS:
        with pytest.warns(UserWarning) as record:
            lib.nn.init.trunc_normal_(lib.empty(5), mean=5.0, a=-1.0, b=1.0)
        messages.append([str(w.message) for w in record])
    assert messages[1] == messages[0]


def test_empty_tensors_are_left_alone():
    for lib in LIBS:
        for fill in (lib.nn.init.orthogonal_, lib.nn.init.trunc_normal_):
            t = lib.empty(0, 3)
            assert fill(t) is t and tuple(t.shape) == (0, 3)


# mean, std, a, b: wide bounds (torch redraws normals), narrow and one-sided bounds (torch
# samples uniforms on [a, b] and accepts by the density), a point interval
TRUNC = [(0.0, 1.0, -2.0, 2.0), (0.5, 2.0, -1.0, 4.0), (0.0, 1.0, 0.5, 0.6),
         (1.0, 0.5, 1.5, 3.0), (0.0, 0.02, -0.04, 0.04), (-3.0, 1.0, -2.0, 5.0),
         (0.3, 1.0, 0.3, 0.3)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("mean,std,a,b", TRUNC, ids=str)
def test_trunc_normal_bounds_and_moments_match_torch(mean, std, a, b, dtype):
    """All samples inside [a, b] (after rounding to the dtype); the sample mean and standard
    deviation agree with torch's sample of the same distribution within 6 standard errors."""
    n = 200_000
    torch.manual_seed(0)
    minitorch.manual_seed(0)
    samples = []
    for lib in LIBS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = lib.nn.init.trunc_normal_(lib.empty(n, dtype=getattr(lib, dtype)), mean, std,
                                          a, b)
        x = t.numpy()
        lo, hi = np.array([a, b], dtype=dtype)
        assert x.min() >= lo and x.max() <= hi
        samples.append(x.astype(np.float64))
    got, want = samples[1], samples[0]
    se = max(want.std(), 1e-12) / np.sqrt(n)
    assert abs(got.mean() - want.mean()) < 6 * np.sqrt(2) * se
    assert abs(got.std() - want.std()) < 6 * np.sqrt(2) * se + 1e-7 * abs(mean)


def test_trunc_normal_histogram_matches_torch():
    """The shapes of the distributions, beyond two moments: the two samples' histograms over
    [a, b] agree bin by bin (a two-sample chi-square statistic within its 99.9 % bound)."""
    n, bins = 100_000, 20
    torch.manual_seed(1)
    minitorch.manual_seed(1)
    counts = [np.histogram(lib.nn.init.trunc_normal_(lib.empty(n), 0.5, 1.0, -0.5, 1.0)
                           .numpy(), bins=bins, range=(-0.5, 1.0))[0] for lib in LIBS]
    got, want = (np.asarray(c, dtype=np.float64) for c in counts)
    chi2 = ((got - want) ** 2 / np.maximum(got + want, 1)).sum()
    assert chi2 < 43.8  # the 0.999 quantile of chi-square with 19 degrees of freedom


def _seeded_fills(fill, seed):
    minitorch.manual_seed(seed)
    from_default = fill(minitorch.empty(4, 6), None).numpy()
    from_generator = fill(minitorch.empty(4, 6), minitorch.Generator().manual_seed(seed)).numpy()
    return from_default, from_generator


@pytest.mark.parametrize("name", ["trunc_normal_", "orthogonal_"])
def test_random_fills_repeat_with_the_seed(name):
    fill = (lambda t, g: init.trunc_normal_(t, 0.0, 1.0, -0.5, 0.5, generator=g)) \
        if name == "trunc_normal_" else (lambda t, g: init.orthogonal_(t, generator=g))
    first, again = _seeded_fills(fill, 5), _seeded_fills(fill, 5)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    np.testing.assert_array_equal(first[0], first[1])  # the default generator, seeded alike
    other = _seeded_fills(fill, 6)
    assert not np.array_equal(first[0], other[0])


ORTHO = [((3, 5), 1), ((5, 3), 1), ((4, 4), 2.5), ((2, 3, 2), 1), ((6, 2, 1, 2), 0.5),
         ((1, 7), 1), ((7, 1), 3)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,gain", ORTHO, ids=str)
def test_orthogonal_rows_or_columns_are_orthonormal_like_torch(shape, gain, dtype, backend):
    """Flattened to rows × cols, Q Qᵀ = gain² I when rows ≤ cols and Qᵀ Q = gain² I when
    rows ≥ cols, as torch's; shape and dtype kept."""
    tol = 1e-5 if dtype == "float32" else 1e-12
    torch.manual_seed(0)
    want = torch.nn.init.orthogonal_(torch.empty(shape, dtype=getattr(torch, dtype)), gain)
    with on_backend(backend):
        t = minitorch.empty(shape, dtype=getattr(minitorch, dtype))
        if backend == "cuda":
            t = t.cuda()
        got = init.orthogonal_(t, gain)
        assert got is t and tuple(got.shape) == shape and got.dtype == getattr(minitorch, dtype)
        values = mt_to_np(got)
    for q in (values, want.numpy()):
        q = q.reshape(shape[0], -1).astype(np.float64)
        gram = q @ q.T if q.shape[0] <= q.shape[1] else q.T @ q
        np.testing.assert_allclose(gram, gain ** 2 * np.eye(len(gram)), atol=tol * gain ** 2)


def test_orthogonal_is_not_always_the_same_matrix():
    """Q · sign(diag R) spreads the result over the orthogonal group: the first entry takes
    both signs over draws (an unsigned QR would fix sign conventions)."""
    minitorch.manual_seed(3)
    signs = {float(np.sign(init.orthogonal_(minitorch.empty(3, 3)).numpy()[0, 0]))
             for _ in range(40)}
    assert signs == {-1.0, 1.0}
