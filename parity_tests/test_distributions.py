"""``minitorch.distributions`` against ``torch.distributions``: log_prob, cdf, icdf, entropy,
mean, variance, KL divergences and their gradients with respect to the parameters (from the
same parameter values in both libraries, float64 and float32); validation errors (type and
message, with minitorch's Size repr); sample shapes; sampling statistics (seeded, many
draws) and the reparametrised gradient of rsample."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.distributions as TD

import minitorch
import minitorch.distributions as MD

rng = np.random.default_rng(0)
TOL = {"float64": dict(rtol=1e-10, atol=1e-12), "float32": dict(rtol=1e-5, atol=1e-6)}


def _leaves(arrays, dtype):
    """The arrays as leaf tensors requiring grad: (torch's, minitorch's)."""
    arrays = [np.array(a, dtype=dtype) for a in arrays]
    return ([torch.tensor(a, requires_grad=True) for a in arrays],
            [minitorch.tensor(a, requires_grad=True) for a in arrays])


def _compare(fn, params, dtype):
    """fn(distributions module, lib, *parameter leaves) in both libraries: equal shapes,
    values and gradients of a random weighting of the result."""
    ts, ms = _leaves(params, dtype)
    yt, ym = fn(TD, torch, *ts), fn(MD, minitorch, *ms)
    assert tuple(ym.shape) == tuple(yt.shape)
    np.testing.assert_allclose(ym.detach().numpy(), yt.detach().numpy(), **TOL[dtype])
    if not yt.requires_grad:
        return
    w = rng.standard_normal(tuple(yt.shape)).astype(dtype)
    finite = np.isfinite(yt.detach().numpy())
    (yt[torch.tensor(finite)] * torch.tensor(w)[torch.tensor(finite)]).sum().backward()
    (ym * minitorch.tensor(np.where(finite, w, 0).astype(dtype))).masked_fill(
        minitorch.tensor(~finite), 0).sum().backward()
    for t, m in zip(ts, ms):
        assert (m.grad is None) == (t.grad is None)
        if t.grad is not None:
            np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), **TOL[dtype])


def _value(lib, array, dtype):
    return lib.tensor(np.asarray(array, dtype=dtype))


LOC, SCALE = rng.standard_normal((3, 4)), rng.uniform(0.5, 2.0, (4,))
X = rng.standard_normal((2, 3, 4)) * 2
P = rng.uniform(0.05, 0.95, (3, 4))
BITS = (rng.random((2, 3, 4)) < 0.5).astype(float)
CAT = rng.uniform(0.1, 1.0, (3, 5))
IDX = rng.integers(0, 5, (2, 3))
LOW, WIDTH = rng.standard_normal((3, 4)), rng.uniform(0.5, 2.0, (3, 4))
UNIFORM_X = np.clip(X, LOW - 0.9, LOW + 0.4)

# (name, parameters, fn(D, lib, *leaves, dtype) -> Tensor)
CASES = {
    "normal_log_prob": ((LOC, SCALE), lambda D, L, m, s, dt: D.Normal(m, s).log_prob(
        _value(L, X, dt))),
    "normal_cdf": ((LOC, SCALE), lambda D, L, m, s, dt: D.Normal(m, s).cdf(_value(L, X, dt))),
    "normal_icdf": ((LOC, SCALE), lambda D, L, m, s, dt: D.Normal(m, s).icdf(
        _value(L, rng_fixed_u, dt))),
    "normal_entropy": ((LOC, SCALE), lambda D, L, m, s, dt: D.Normal(m, s).entropy()),
    "normal_moments": ((LOC, SCALE), lambda D, L, m, s, dt: L.stack(
        [D.Normal(m, s).mean, D.Normal(m, s).variance, D.Normal(m, s).stddev])),
    "normal_scalar_scale": ((LOC,), lambda D, L, m, dt: D.Normal(m, 1.5).log_prob(
        _value(L, X, dt))),
    "bernoulli_probs_log_prob": ((P,), lambda D, L, p, dt: D.Bernoulli(probs=p).log_prob(
        _value(L, BITS, dt))),
    "bernoulli_logits_log_prob": ((LOC,), lambda D, L, lg, dt: D.Bernoulli(
        logits=lg).log_prob(_value(L, BITS, dt))),
    "bernoulli_probs_entropy": ((P,), lambda D, L, p, dt: D.Bernoulli(probs=p).entropy()),
    "bernoulli_logits_entropy": ((LOC,), lambda D, L, lg, dt: D.Bernoulli(
        logits=lg).entropy()),
    "bernoulli_moments": ((LOC,), lambda D, L, lg, dt: L.stack(
        [D.Bernoulli(logits=lg).mean, D.Bernoulli(logits=lg).variance,
         D.Bernoulli(logits=lg).probs, D.Bernoulli(probs=lg.sigmoid()).logits])),
    "categorical_probs_log_prob": ((CAT,), lambda D, L, p, dt: D.Categorical(
        probs=p).log_prob(L.tensor(IDX))),
    "categorical_logits_log_prob": ((CAT,), lambda D, L, lg, dt: D.Categorical(
        logits=lg).log_prob(L.tensor(IDX))),
    "categorical_probs_entropy": ((CAT,), lambda D, L, p, dt: D.Categorical(
        probs=p).entropy()),
    "categorical_logits_entropy": ((LOC,), lambda D, L, lg, dt: D.Categorical(
        logits=lg).entropy()),
    "categorical_params": ((CAT,), lambda D, L, p, dt: L.stack(
        [D.Categorical(probs=p).logits, D.Categorical(logits=p).probs])),
    "one_hot_log_prob": ((CAT,), lambda D, L, p, dt: D.OneHotCategorical(probs=p).log_prob(
        L.nn.functional.one_hot(L.tensor(IDX), 5).to(p.dtype))),
    "one_hot_entropy_moments": ((CAT,), lambda D, L, p, dt: L.cat(
        [D.OneHotCategorical(logits=p).entropy().unsqueeze(-1),
         D.OneHotCategorical(probs=p).mean, D.OneHotCategorical(probs=p).variance], -1)),
    # values on both sides of [low, high): validation off
    "uniform_log_prob": ((LOW, WIDTH), lambda D, L, lo, w, dt: D.Uniform(
        lo, lo + w, validate_args=False).log_prob(_value(L, UNIFORM_X, dt))),
    "uniform_cdf": ((LOW, WIDTH), lambda D, L, lo, w, dt: D.Uniform(
        lo, lo + w, validate_args=False).cdf(_value(L, UNIFORM_X, dt))),
    "uniform_icdf_entropy": ((LOW, WIDTH), lambda D, L, lo, w, dt: L.stack(
        [D.Uniform(lo, lo + w).icdf(_value(L, rng_fixed_u[0], dt)),
         D.Uniform(lo, lo + w).entropy()])),
    "uniform_moments": ((LOW, WIDTH), lambda D, L, lo, w, dt: L.stack(
        [D.Uniform(lo, lo + w).mean, D.Uniform(lo, lo + w).variance,
         D.Uniform(lo, lo + w).stddev])),
    "independent_log_prob": ((LOC, SCALE), lambda D, L, m, s, dt: D.Independent(
        D.Normal(m, s), 2).log_prob(_value(L, X, dt))),
    "independent_entropy": ((LOC, SCALE), lambda D, L, m, s, dt: D.Independent(
        D.Normal(m, s), 1).entropy()),
    "kl_normal": ((LOC, SCALE), lambda D, L, m, s, dt: D.kl_divergence(
        D.Normal(m, s), D.Normal(m.flip(0) * 0.5, s.flip(0) + 0.3))),
    "kl_bernoulli": ((P, LOC), lambda D, L, p, lg, dt: D.kl_divergence(
        D.Bernoulli(probs=p), D.Bernoulli(logits=lg))),
    "kl_categorical": ((CAT, CAT[::-1]), lambda D, L, p, lg, dt: D.kl_divergence(
        D.Categorical(probs=p), D.Categorical(logits=lg))),
    "kl_one_hot": ((CAT, CAT[::-1]), lambda D, L, p, lg, dt: D.kl_divergence(
        D.OneHotCategorical(probs=p), D.OneHotCategorical(logits=lg))),
    "kl_uniform": ((LOW, WIDTH), lambda D, L, lo, w, dt: D.kl_divergence(
        D.Uniform(lo + 0.1 * w, lo + 0.5 * w), D.Uniform(lo - 0.2, lo + w.flip(0)))),
    "kl_independent": ((LOC, SCALE), lambda D, L, m, s, dt: D.kl_divergence(
        D.Independent(D.Normal(m, s), 1), D.Independent(D.Normal(m * 2, s + 1), 1))),
}
rng_fixed_u = rng.uniform(0.01, 0.99, (2, 3, 4))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_values_and_gradients_match_torch(case, dtype):
    params, fn = CASES[case]
    _compare(lambda D, L, *leaves: fn(D, L, *leaves, dtype), params, dtype)


def test_edge_values_match_torch():
    """Probabilities 0 and 1, values outside a Uniform, infinite KLs."""
    def check(fn):
        yt, ym = fn(TD, torch), fn(MD, minitorch)
        np.testing.assert_allclose(ym.detach().numpy(), yt.detach().numpy(), rtol=1e-12)

    p = [0.0, 1.0, 0.5, 0.3]
    check(lambda D, L: D.Bernoulli(probs=L.tensor(p, dtype=L.float64)).entropy())
    check(lambda D, L: D.Bernoulli(probs=L.tensor(p, dtype=L.float64)).mode)
    check(lambda D, L: D.Bernoulli(probs=L.tensor(p, dtype=L.float64)).log_prob(
        L.tensor([0.0, 1.0, 1.0, 0.0], dtype=L.float64)))
    check(lambda D, L: D.kl_divergence(D.Bernoulli(probs=L.tensor(p, dtype=L.float64)),
                                       D.Bernoulli(probs=L.tensor(p[::-1], dtype=L.float64))))
    probs = [[0.0, 0.5, 0.5], [0.2, 0.0, 0.8]]
    check(lambda D, L: D.Categorical(probs=L.tensor(probs, dtype=L.float64)).entropy())
    check(lambda D, L: D.kl_divergence(D.Categorical(probs=L.tensor(probs, dtype=L.float64)),
                                       D.Categorical(probs=L.tensor(probs[::-1],
                                                                    dtype=L.float64))))
    check(lambda D, L: D.Uniform(L.tensor([0.0, 0.0]), L.tensor([1.0, 2.0]),
                                 validate_args=False).log_prob(L.tensor([1.0, -0.5])))
    check(lambda D, L: D.kl_divergence(D.Uniform(L.tensor([0.0, 0.0]), L.tensor([1.0, 2.0])),
                                       D.Uniform(L.tensor([-1.0, 0.5]), L.tensor([2.0, 3.0]))))
    check(lambda D, L: D.Normal(0.0, 1.0).icdf(L.tensor([0.0, 1.0, 0.5, 1e-6],
                                                        dtype=L.float64)))
    check(lambda D, L: D.Categorical(probs=L.tensor(probs)).mean)


def _raises_like(make):
    """make(D, L) raises the same exception type and message in both libraries."""
    with pytest.raises(Exception) as et:
        make(TD, torch)
    with pytest.raises(Exception) as em:
        make(MD, minitorch)
    assert type(em.value) is type(et.value)
    assert str(em.value) == str(et.value).replace("torch.Size", "minitorch.Size")


BAD = {
    "negative_scale": lambda D, L: D.Normal(L.tensor([0.0, 1.0]), L.tensor([1.0, -1.0])),
    "nan_loc": lambda D, L: D.Normal(L.tensor([float("nan")]), 1.0),
    "scalar_scale": lambda D, L: D.Normal(0.0, 0.0),
    "probs_above_one": lambda D, L: D.Bernoulli(probs=L.tensor([0.5, 1.5])),
    "both_probs_logits": lambda D, L: D.Bernoulli(probs=L.tensor(0.5), logits=L.tensor(0.0)),
    "neither": lambda D, L: D.Categorical(),
    "not_simplex": lambda D, L: D.Categorical(probs=L.tensor([[0.5, -0.1], [0.5, 0.5]])),
    "zero_dim_probs": lambda D, L: D.Categorical(probs=L.tensor(1.0)),
    "zero_dim_logits": lambda D, L: D.Categorical(logits=L.tensor(1.0)),
    "low_not_below_high": lambda D, L: D.Uniform(L.tensor([0.0, 1.0]), L.tensor([1.0, 0.5])),
    "one_hot_nan_logits": lambda D, L: D.OneHotCategorical(logits=L.tensor([0.0,
                                                                           float("nan")])),
    "value_not_tensor": lambda D, L: D.Normal(0.0, 1.0).log_prob(0.5),
    "value_nan": lambda D, L: D.Normal(L.zeros(2), L.ones(2)).log_prob(
        L.tensor([0.0, float("nan")])),
    "value_not_broadcastable": lambda D, L: D.Normal(L.zeros(3), L.ones(3)).log_prob(
        L.zeros(2)),
    "bernoulli_value_not_binary": lambda D, L: D.Bernoulli(probs=L.tensor([0.3])).log_prob(
        L.tensor([0.5])),
    "categorical_value_too_big": lambda D, L: D.Categorical(logits=L.zeros(2, 3)).log_prob(
        L.tensor([1, 3])),
    "uniform_value_outside": lambda D, L: D.Uniform(0.0, 1.0).log_prob(L.tensor([1.5])),
    "one_hot_wrong_event": lambda D, L: D.OneHotCategorical(probs=L.ones(3) / 3).log_prob(
        L.tensor([1.0, 0.0])),
    "one_hot_not_one_hot": lambda D, L: D.OneHotCategorical(probs=L.ones(3) / 3).log_prob(
        L.tensor([1.0, 1.0, 0.0])),
    "independent_too_many": lambda D, L: D.Independent(D.Normal(L.zeros(2), 1.0), 2),
    "independent_value": lambda D, L: D.Independent(D.Normal(L.zeros(2, 3), 1.0), 1).log_prob(
        L.tensor([[0.0, 0.0, float("nan")]])),
    "kl_not_registered": lambda D, L: D.kl_divergence(
        D.Independent(D.Normal(L.zeros(2), 1.0), 1), D.Categorical(probs=L.ones(2))),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_validation_errors_match_torch(case):
    _raises_like(BAD[case])


def test_register_kl_rejects_a_non_type():
    """torch's own check fails inside issubclass (TypeError, "issubclass() arg 1 must be a
    class"); minitorch raises the TypeError its check means to."""
    with pytest.raises(TypeError):
        TD.register_kl(TD.Normal, 3)
    with pytest.raises(TypeError, match="Expected type_q to be a Distribution subclass"):
        MD.register_kl(MD.Normal, 3)


def test_validation_off_accepts_bad_values():
    for D, L in ((TD, torch), (MD, minitorch)):
        d = D.Normal(L.tensor([0.0]), L.tensor([-1.0]), validate_args=False)
        assert d.log_prob(L.tensor([float("nan")])).isnan().all()


REPRS = [
    lambda D, L: D.Normal(L.zeros(2), L.ones(2)),
    lambda D, L: D.Normal(0.0, 1.0),
    lambda D, L: D.Normal(L.tensor([0.5]), 2.0),
    lambda D, L: D.Bernoulli(logits=L.zeros(3)),
    lambda D, L: D.Bernoulli(probs=0.25),
    lambda D, L: D.Categorical(probs=L.ones(2, 3)),
    lambda D, L: D.Uniform(L.zeros(2), 1.0),
    lambda D, L: D.OneHotCategorical(logits=L.zeros(4)),
    lambda D, L: D.Independent(D.Normal(L.zeros(2, 3), 1.0), 1),
    lambda D, L: D.Normal(L.zeros(2), 1.0).expand((4, 2)),
    lambda D, L: D.constraints.real_vector,
    lambda D, L: D.constraints.integer_interval(0, 4),
    lambda D, L: D.constraints.unit_interval,
]


@pytest.mark.parametrize("i", range(len(REPRS)))
def test_reprs_match_torch(i):
    expected = repr(REPRS[i](TD, torch)).replace("torch.", "minitorch.")
    assert repr(REPRS[i](MD, minitorch)) == expected


DISTS = {
    "normal": lambda D, L: D.Normal(L.zeros(3, 1), L.ones(4)),
    "normal_scalar": lambda D, L: D.Normal(0.0, 1.0),
    "bernoulli": lambda D, L: D.Bernoulli(probs=L.full((2, 3), 0.3)),
    "categorical": lambda D, L: D.Categorical(logits=L.zeros(2, 5)),
    "categorical_1d": lambda D, L: D.Categorical(probs=L.ones(4)),
    "uniform": lambda D, L: D.Uniform(L.zeros(2), L.ones(3, 2)),
    "one_hot": lambda D, L: D.OneHotCategorical(probs=L.ones(3, 4)),
    "independent": lambda D, L: D.Independent(D.Normal(L.zeros(2, 3, 4), 1.0), 2),
}


@pytest.mark.parametrize("sample_shape", [(), (5,), (2, 3)])
@pytest.mark.parametrize("name", sorted(DISTS))
def test_shapes_match_torch(name, sample_shape):
    dt, dm = DISTS[name](TD, torch), DISTS[name](MD, minitorch)
    assert tuple(dm.batch_shape) == tuple(dt.batch_shape)
    assert tuple(dm.event_shape) == tuple(dt.event_shape)
    st, sm = dt.sample(sample_shape), dm.sample(sample_shape)
    assert tuple(sm.shape) == tuple(st.shape)
    assert sm.dtype.__repr__().split(".")[-1] == str(st.dtype).split(".")[-1]
    assert tuple(dm.log_prob(sm).shape) == tuple(dt.log_prob(st).shape)
    if dt.has_rsample:
        assert tuple(dm.rsample(sample_shape).shape) == tuple(dt.rsample(sample_shape).shape)
    et, em = dt.expand((6,) + tuple(dt.batch_shape)), dm.expand((6,) + tuple(dm.batch_shape))
    assert tuple(em.batch_shape) == tuple(et.batch_shape)
    assert tuple(em.sample(sample_shape).shape) == tuple(et.sample(sample_shape).shape)
    if dt.has_enumerate_support:
        for expand in (True, False):
            np.testing.assert_array_equal(dm.enumerate_support(expand).numpy(),
                                          dt.enumerate_support(expand).numpy())


STATS = {
    "normal": (lambda D, L: D.Normal(L.tensor([1.0, -2.0]), L.tensor([0.5, 3.0]))),
    "bernoulli": (lambda D, L: D.Bernoulli(logits=L.tensor([-1.0, 0.0, 2.0]))),
    "uniform": (lambda D, L: D.Uniform(L.tensor([-1.0, 2.0]), L.tensor([3.0, 2.5]))),
    "one_hot": (lambda D, L: D.OneHotCategorical(probs=L.tensor([0.1, 0.6, 0.3]))),
}


@pytest.mark.parametrize("name", sorted(STATS))
def test_sample_statistics_match_torch_moments(name):
    """The mean and variance of 200,000 seeded draws are torch's mean and variance."""
    minitorch.manual_seed(0)
    dt, dm = STATS[name](TD, torch), STATS[name](MD, minitorch)
    draws = dm.sample((200_000,)).numpy().astype(np.float64)
    mean, var = dt.mean.numpy(), dt.variance.numpy()
    np.testing.assert_allclose(draws.mean(0), mean, atol=5 * np.sqrt(var / 200_000).max())
    np.testing.assert_allclose(draws.var(0), var, rtol=0.02, atol=1e-3)


def test_categorical_frequencies_match_probs():
    minitorch.manual_seed(1)
    probs = np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]])
    draws = MD.Categorical(probs=minitorch.tensor(probs)).sample((100_000,)).numpy()
    freq = np.stack([(draws == k).mean(0) for k in range(3)], -1)
    np.testing.assert_allclose(freq, probs, atol=0.01)


def test_sampling_is_seeded():
    d = MD.Normal(minitorch.zeros(3), minitorch.ones(3))
    minitorch.manual_seed(7)
    a = d.sample((4,))
    minitorch.manual_seed(7)
    np.testing.assert_array_equal(d.sample((4,)).numpy(), a.numpy())


@pytest.mark.parametrize("name", ["normal", "uniform"])
def test_rsample_gradient_is_the_reparametrisation(name):
    """d rsample / d params: ε and scale·… for Normal (loc + ε·scale), 1 - u and u for
    Uniform (low + u·(high - low)), u recovered from the draw."""
    a = minitorch.tensor([0.5, -1.0], dtype=minitorch.float64, requires_grad=True)
    b = minitorch.tensor([2.0, 3.0], dtype=minitorch.float64, requires_grad=True)
    d = MD.Normal(a, b) if name == "normal" else MD.Uniform(a, b)
    x = d.rsample((1000,))
    assert x.requires_grad and not d.sample((2,)).requires_grad
    x.sum().backward()
    xs, a0, b0 = x.detach().numpy(), a.detach().numpy(), b.detach().numpy()
    unit = (xs - a0) / b0 if name == "normal" else (xs - a0) / (b0 - a0)  # ε or u
    grad_a = np.full(2, 1000.0) if name == "normal" else (1 - unit).sum(0)
    np.testing.assert_allclose(a.grad.numpy(), grad_a, rtol=1e-10)
    np.testing.assert_allclose(b.grad.numpy(), unit.sum(0), rtol=1e-10)


def test_lazy_parameters_and_default_validation():
    d = MD.Bernoulli(logits=minitorch.tensor([0.0, 1.0]))
    assert "probs" not in d.__dict__
    assert d.probs.shape == (2,) and "probs" in d.__dict__
    MD.Distribution.set_default_validate_args(False)
    try:
        MD.Normal(0.0, -1.0)
    finally:
        MD.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        MD.Normal(0.0, -1.0)


def test_register_kl_picks_the_most_specific():
    class MyNormal(MD.Normal):
        pass

    @MD.register_kl(MyNormal, MD.Normal)
    def _kl(p, q):
        return minitorch.tensor(42.0)

    assert MD.kl_divergence(MyNormal(0.0, 1.0), MD.Normal(0.0, 1.0)).item() == 42.0
    assert MD.kl_divergence(MD.Normal(0.0, 1.0), MyNormal(0.0, 1.0)).item() == 0.0


def test_importable_like_torch():
    from minitorch.distributions import Normal, kl_divergence  # noqa: F401
    assert minitorch.distributions.kl_divergence is kl_divergence
    assert minitorch.distributions.Normal is Normal
