"""More of ``minitorch.distributions`` against ``torch.distributions``: Exponential, Laplace,
Cauchy, Gamma, Chi2, Beta, Dirichlet, Poisson, Binomial, Geometric, StudentT, LogNormal,
MultivariateNormal, the transforms and TransformedDistribution, and the KL divergences
between them — values and parameter gradients from the same parameters (float64 and
float32), validation errors, shapes, sampling statistics (seeded, many draws) and the
reparametrised gradients of rsample (statistically, and the implicit Gamma / Dirichlet
gradients exactly against torch's ``_standard_gamma_grad`` / ``_dirichlet_grad``)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.distributions as TD

import minitorch
import minitorch.distributions as MD
from parity_tests.test_distributions import _compare, _raises_like

rng = np.random.default_rng(1)
POS, POS2 = rng.uniform(0.5, 3.0, (3, 4)), rng.uniform(0.5, 3.0, (3, 4))
LOC = rng.standard_normal((3, 4))
X = rng.standard_normal((2, 3, 4)) * 2
XPOS = rng.uniform(0.05, 4.0, (2, 3, 4))
U = rng.uniform(0.02, 0.98, (2, 3, 4))
P = rng.uniform(0.1, 0.9, (3, 4))
COUNTS = rng.integers(0, 6, (2, 3, 4)).astype(float)
CONC = rng.uniform(0.5, 3.0, (3, 5))
SIMPLEX = rng.dirichlet(np.ones(5), (2, 3))
A = rng.standard_normal((2, 3, 3))
COV = A @ A.transpose(0, 2, 1) + np.eye(3)
MU, XV = rng.standard_normal((2, 3)), rng.standard_normal((4, 2, 3))


def _v(L, array, dt):
    return L.tensor(np.asarray(array, dtype=dt))


def _stats(d, L):
    """mean, variance, stddev and mode stacked (those the family defines)."""
    return L.stack([d.mean, d.variance, d.stddev, d.mode])


# family: (parameters, make(D, L, *leaves, dtype), value array, has cdf/icdf)
FAMILIES = {
    "exponential": ((POS,), lambda D, L, r, dt: D.Exponential(r), XPOS, True),
    "laplace": ((LOC, POS), lambda D, L, m, s, dt: D.Laplace(m, s), X, True),
    "cauchy": ((LOC, POS), lambda D, L, m, s, dt: D.Cauchy(m, s), X, True),
    "gamma": ((POS, POS2), lambda D, L, a, r, dt: D.Gamma(a, r), XPOS, False),
    "chi2": ((POS,), lambda D, L, k, dt: D.Chi2(k * 2), XPOS, False),
    "beta": ((POS, POS2), lambda D, L, a, b, dt: D.Beta(a, b), U, False),
    "dirichlet": ((CONC,), lambda D, L, a, dt: D.Dirichlet(a), SIMPLEX, False),
    "poisson": ((POS,), lambda D, L, r, dt: D.Poisson(r), COUNTS, False),
    "binomial_probs": ((P,), lambda D, L, p, dt: D.Binomial(5, probs=p), COUNTS, False),
    "binomial_logits": ((LOC,), lambda D, L, lg, dt: D.Binomial(_v(L, np.full((3, 4), 5.0), dt),
                                                                logits=lg), COUNTS, False),
    "geometric_probs": ((P,), lambda D, L, p, dt: D.Geometric(probs=p), COUNTS, False),
    "geometric_logits": ((LOC,), lambda D, L, lg, dt: D.Geometric(logits=lg), COUNTS, False),
    "student_t": ((POS, LOC, POS2), lambda D, L, df, m, s, dt: D.StudentT(df * 2, m, s), X,
                  False),
    "log_normal": ((LOC, POS), lambda D, L, m, s, dt: D.LogNormal(m, s), XPOS, True),
    "mvn_cov": ((COV, MU), lambda D, L, c, m, dt: D.MultivariateNormal(m, c), XV, False),
    "mvn_precision": ((COV, MU), lambda D, L, c, m, dt: D.MultivariateNormal(
        m, precision_matrix=c), XV, False),
    "mvn_tril": ((COV, MU), lambda D, L, c, m, dt: D.MultivariateNormal(
        m, scale_tril=L.linalg.cholesky(c)), XV, False),
}
NO_ENTROPY = {"poisson"}
NO_MOMENTS = {"cauchy", "dirichlet", "mvn_cov", "mvn_precision", "mvn_tril", "beta"}


def _family_cases():
    cases = {}
    for name, (params, make, value, has_cdf) in FAMILIES.items():
        def log_prob(D, L, *a, make=make, value=value):
            return make(D, L, *a).log_prob(_v(L, value, a[-1]))
        cases[f"{name}_log_prob"] = (params, log_prob)
        if name not in NO_ENTROPY and not name.startswith("binomial"):
            cases[f"{name}_entropy"] = (params, lambda D, L, *a, make=make: make(D, L, *a)
                                        .entropy())
        if name not in NO_MOMENTS:
            cases[f"{name}_moments"] = (params, lambda D, L, *a, make=make: _stats(
                make(D, L, *a), L))
        if has_cdf:
            cases[f"{name}_cdf"] = (params, lambda D, L, *a, make=make, value=value: make(
                D, L, *a).cdf(_v(L, value, a[-1])))
            cases[f"{name}_icdf"] = (params, lambda D, L, *a, make=make: make(D, L, *a).icdf(
                _v(L, U, a[-1])))
    return cases


CASES = _family_cases()
CASES.update({
    "binomial_entropy": ((P,), lambda D, L, p, dt: D.Binomial(4, probs=p).entropy()),
    "beta_dirichlet_moments": ((CONC,), lambda D, L, a, dt: L.cat(
        [D.Dirichlet(a).mean, D.Dirichlet(a).variance, D.Beta(a[..., 0], a[..., 1]).mean
         .unsqueeze(-1), D.Beta(a[..., 0], a[..., 1]).variance.unsqueeze(-1)], -1)),
    "mvn_moments": ((COV, MU), lambda D, L, c, m, dt: L.cat(
        [D.MultivariateNormal(m, c).variance.flatten(),
         D.MultivariateNormal(m, c).scale_tril.flatten(),
         D.MultivariateNormal(m, precision_matrix=c).covariance_matrix.flatten(),
         D.MultivariateNormal(m, c).precision_matrix.flatten()])),
    # Gamma's cdf: torch has no derivative in the concentration (gammainc's first argument)
    "gamma_cdf": ((POS2,), lambda D, L, r, dt: D.Gamma(_v(L, POS, dt), r).cdf(
        _v(L, XPOS, dt))),
    "chi2_cdf": ((), lambda D, L, dt: D.Chi2(_v(L, POS * 2, dt)).cdf(_v(L, XPOS, dt))),
    "transformed_logistic": ((LOC, POS), lambda D, L, m, s, dt: L.stack([
        (lambda d: d.log_prob(_v(L, X, dt)))(_logistic(D, L, m, s)),
        (lambda d: d.cdf(_v(L, X, dt)))(_logistic(D, L, m, s)),
        (lambda d: d.icdf(_v(L, U, dt)))(_logistic(D, L, m, s))])),
    "transformed_decreasing": ((LOC, POS), lambda D, L, m, s, dt: L.stack([
        (lambda d: f(d))(D.TransformedDistribution(D.Normal(m, s), [
            D.transforms.ExpTransform(), D.transforms.AffineTransform(1.0, -2.0)]))
        for f in (lambda d: d.log_prob(_v(L, -XPOS, dt)), lambda d: d.cdf(_v(L, -XPOS, dt)),
                  lambda d: d.icdf(_v(L, U, dt)))])),
})


def _logistic(D, L, m, s):
    """The logistic distribution, as torch's documentation builds it."""
    T = D.transforms
    return D.TransformedDistribution(D.Uniform(L.zeros_like(m), L.ones_like(m)),
                                     [T.SigmoidTransform().inv, T.AffineTransform(m, s)])


KLS = {
    "exponential": ((POS, POS2), lambda D, a, b: (D.Exponential(a), D.Exponential(b))),
    "gamma": ((POS, POS2), lambda D, a, b: (D.Gamma(a, b), D.Gamma(b, a.flip(0)))),
    "chi2_gamma": ((POS, POS2), lambda D, a, b: (D.Chi2(a), D.Gamma(b, a))),
    "exponential_gamma": ((POS, POS2), lambda D, a, b: (D.Exponential(a), D.Gamma(b, a))),
    "gamma_exponential": ((POS, POS2), lambda D, a, b: (D.Gamma(b, a), D.Exponential(a))),
    "beta": ((POS, POS2), lambda D, a, b: (D.Beta(a, b), D.Beta(b, a.flip(1)))),
    "dirichlet": ((CONC, CONC[::-1]), lambda D, a, b: (D.Dirichlet(a), D.Dirichlet(b))),
    "poisson": ((POS, POS2), lambda D, a, b: (D.Poisson(a), D.Poisson(b))),
    "geometric": ((P, LOC), lambda D, a, b: (D.Geometric(probs=a), D.Geometric(logits=b))),
    "binomial": ((P, LOC), lambda D, a, b: (D.Binomial(4, probs=a), D.Binomial(4, logits=b))),
    "laplace": ((LOC, POS), lambda D, a, b: (D.Laplace(a, b), D.Laplace(b, a.exp()))),
    "laplace_normal": ((LOC, POS), lambda D, a, b: (D.Laplace(a, b), D.Normal(b, a.exp()))),
    "normal_laplace": ((LOC, POS), lambda D, a, b: (D.Normal(a, b), D.Laplace(b, a.exp()))),
    "cauchy": ((LOC, POS), lambda D, a, b: (D.Cauchy(a, b), D.Cauchy(b, a.exp()))),
    "log_normal": ((LOC, POS), lambda D, a, b: (D.LogNormal(a, b), D.LogNormal(b, a.exp()))),
    "mvn": ((COV, MU), lambda D, c, m: (D.MultivariateNormal(m, c), D.MultivariateNormal(
        m.flip(0) * 0.5, precision_matrix=c.flip(0) + c))),
}
for _name, (_params, _make) in KLS.items():
    CASES[f"kl_{_name}"] = (_params, lambda D, L, a, b, dt, make=_make: D.kl_divergence(
        *make(D, a, b)))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_values_and_gradients_match_torch(case, dtype):
    params, fn = CASES[case]
    _compare(lambda D, L, *leaves: fn(D, L, *leaves, dtype), params, dtype)


def test_edge_values_match_torch():
    """Zero rates and counts, p = 1, infinite KLs, moments where they are undefined."""
    def check(fn):
        yt, ym = fn(TD, torch), fn(MD, minitorch)
        np.testing.assert_allclose(ym.detach().numpy(), yt.detach().numpy(), rtol=1e-12)

    check(lambda D, L: D.Poisson(L.tensor([0.0, 2.0])).log_prob(L.tensor([0.0, 0.0])))
    check(lambda D, L: D.Geometric(probs=L.tensor([1.0, 0.5])).log_prob(L.tensor([0.0, 3.0])))
    check(lambda D, L: D.StudentT(L.tensor([0.5, 1.5, 3.0])).mean)
    check(lambda D, L: D.StudentT(L.tensor([0.5, 1.5, 3.0])).variance)
    check(lambda D, L: D.Cauchy(0.0, 1.0).variance)
    check(lambda D, L: D.Dirichlet(L.tensor([[0.5, 0.7], [2.0, 3.0]])).mode)
    check(lambda D, L: D.Beta(L.tensor([0.5, 2.0]), L.tensor([0.7, 3.0])).mode)
    check(lambda D, L: D.Gamma(L.tensor([0.5, 2.0]), 1.0).mode)
    check(lambda D, L: D.kl_divergence(D.Binomial(L.tensor([5.0, 4.0]), probs=L.tensor(
        [0.3, 0.3])), D.Binomial(4, probs=L.tensor([0.5, 0.5]))))
    a, x = [0.0, 1.0, 2.0, 2.0, 0.5], [1.0, 0.0, float("inf"), 3.0, 1e-3]
    for fn in ("gammainc", "gammaincc"):
        check(lambda D, L, fn=fn: getattr(L.special, fn)(L.tensor(a, dtype=L.float64),
                                                        L.tensor(x, dtype=L.float64)))


BAD = {
    "exponential_rate": lambda D, L: D.Exponential(L.tensor([1.0, -1.0])),
    "gamma_concentration": lambda D, L: D.Gamma(L.tensor([0.0]), 1.0),
    "gamma_value": lambda D, L: D.Gamma(1.0, 1.0).log_prob(L.tensor([-1.0])),
    "beta_value": lambda D, L: D.Beta(1.0, 2.0).log_prob(L.tensor([1.5])),
    "dirichlet_scalar": lambda D, L: D.Dirichlet(L.tensor(1.0)),
    "dirichlet_value": lambda D, L: D.Dirichlet(L.ones(3)).log_prob(L.tensor([0.5, 0.6, 0.1])),
    "poisson_value": lambda D, L: D.Poisson(L.tensor([1.0])).log_prob(L.tensor([0.5])),
    "binomial_count": lambda D, L: D.Binomial(L.tensor([2.5]), probs=L.tensor([0.5])),
    "binomial_both": lambda D, L: D.Binomial(3, probs=L.tensor([0.5]), logits=L.tensor([0.])),
    "binomial_value": lambda D, L: D.Binomial(3, probs=L.tensor([0.5])).log_prob(
        L.tensor([4.0])),
    "binomial_entropy": lambda D, L: D.Binomial(L.tensor([2.0, 3.0]), probs=L.tensor(
        [0.5, 0.5])).entropy(),
    "geometric_zero": lambda D, L: D.Geometric(probs=L.tensor([0.0, 0.5])),
    "student_df": lambda D, L: D.StudentT(L.tensor([-1.0])),
    "lognormal_value": lambda D, L: D.LogNormal(0.0, 1.0).log_prob(L.tensor([-1.0])),
    "mvn_two": lambda D, L: D.MultivariateNormal(L.zeros(2), L.eye(2), scale_tril=L.eye(2)),
    "mvn_scalar_loc": lambda D, L: D.MultivariateNormal(L.tensor(0.0), L.eye(2)),
    "mvn_vector_cov": lambda D, L: D.MultivariateNormal(L.zeros(2), L.ones(2)),
    "mvn_not_pd": lambda D, L: D.MultivariateNormal(L.zeros(2), L.tensor([[1.0, 2.0],
                                                                          [2.0, 1.0]])),
    "mvn_not_tril": lambda D, L: D.MultivariateNormal(L.zeros(2), scale_tril=L.ones(2, 2)),
    "kl_mvn_event": lambda D, L: D.kl_divergence(D.MultivariateNormal(L.zeros(2), L.eye(2)),
                                                 D.MultivariateNormal(L.zeros(3), L.eye(3))),
    "kl_binomial_counts": lambda D, L: D.kl_divergence(D.Binomial(2, probs=L.tensor([0.5])),
                                                       D.Binomial(3, probs=L.tensor([0.5]))),
    "transforms_not_list": lambda D, L: D.TransformedDistribution(D.Normal(0.0, 1.0), 3),
    "gammainc_grad_a": lambda D, L: L.special.gammainc(L.tensor([2.0], requires_grad=True),
                                                       L.tensor([1.0])).sum().backward(),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_validation_errors_match_torch(case):
    _raises_like(BAD[case])


SHAPED = {
    "exponential": lambda D, L: D.Exponential(L.ones(3, 1)),
    "laplace": lambda D, L: D.Laplace(L.zeros(3, 1), L.ones(4)),
    "cauchy": lambda D, L: D.Cauchy(0.0, 1.0),
    "gamma": lambda D, L: D.Gamma(L.ones(2, 3), 2.0),
    "chi2": lambda D, L: D.Chi2(L.ones(3)),
    "beta": lambda D, L: D.Beta(L.ones(2, 1), L.ones(3)),
    "beta_scalar": lambda D, L: D.Beta(1.0, 2.0),
    "dirichlet": lambda D, L: D.Dirichlet(L.ones(2, 4)),
    "poisson": lambda D, L: D.Poisson(L.ones(3)),
    "binomial": lambda D, L: D.Binomial(L.full((2, 3), 4.0), probs=L.full((3,), 0.3)),
    "geometric": lambda D, L: D.Geometric(logits=L.zeros(2)),
    "student_t": lambda D, L: D.StudentT(L.full((3,), 3.0), 0.0, L.ones(2, 1)),
    "log_normal": lambda D, L: D.LogNormal(L.zeros(3), 1.0),
    "mvn": lambda D, L: D.MultivariateNormal(L.zeros(2, 3), L.eye(3)),
    "mvn_tril": lambda D, L: D.MultivariateNormal(L.zeros(3), scale_tril=L.eye(3).expand(
        2, 3, 3)),
    "affine_event": lambda D, L: D.TransformedDistribution(
        D.Normal(L.zeros(2, 3), 1.0), D.transforms.AffineTransform(L.zeros(3), 2.0, 1)),
}


@pytest.mark.parametrize("sample_shape", [(), (2, 5)])
@pytest.mark.parametrize("name", sorted(SHAPED))
def test_shapes_and_support_match_torch(name, sample_shape):
    dt, dm = SHAPED[name](TD, torch), SHAPED[name](MD, minitorch)
    for a, b in ((dm, dt), (dm.expand((4,) + tuple(dm.batch_shape)),
                            dt.expand((4,) + tuple(dt.batch_shape)))):
        assert (tuple(a.batch_shape), tuple(a.event_shape)) == (tuple(b.batch_shape),
                                                                tuple(b.event_shape))
        assert a.has_rsample == b.has_rsample
        st, sm = b.sample(sample_shape), a.sample(sample_shape)
        assert tuple(sm.shape) == tuple(st.shape)
        assert tuple(a.log_prob(sm).shape) == tuple(b.log_prob(st).shape)
        if b.has_rsample:
            assert tuple(a.rsample(sample_shape).shape) == tuple(b.rsample(sample_shape).shape)
    assert repr(dm.support) == repr(dt.support)
    assert repr(dm).replace("minitorch.", "torch.") == repr(dt)


STATS = {
    "exponential": lambda D, L: D.Exponential(L.tensor([0.5, 2.0])),
    "laplace": lambda D, L: D.Laplace(L.tensor([1.0, -2.0]), L.tensor([0.5, 2.0])),
    "gamma": lambda D, L: D.Gamma(L.tensor([0.3, 4.0]), L.tensor([1.0, 2.0])),
    "chi2": lambda D, L: D.Chi2(L.tensor([1.0, 5.0])),
    "beta": lambda D, L: D.Beta(L.tensor([0.5, 3.0]), L.tensor([2.0, 3.0])),
    "dirichlet": lambda D, L: D.Dirichlet(L.tensor([0.5, 1.0, 3.0])),
    "poisson": lambda D, L: D.Poisson(L.tensor([0.5, 30.0])),
    "binomial": lambda D, L: D.Binomial(L.tensor([3.0, 50.0]), probs=L.tensor([0.2, 0.7])),
    "geometric": lambda D, L: D.Geometric(probs=L.tensor([0.2, 0.9])),
    "student_t": lambda D, L: D.StudentT(L.tensor([5.0, 10.0]), L.tensor([1.0, 0.0]), 2.0),
    "log_normal": lambda D, L: D.LogNormal(L.tensor([0.0, 1.0]), L.tensor([0.5, 0.25])),
    "mvn": lambda D, L: D.MultivariateNormal(L.tensor([1.0, -1.0]),
                                             L.tensor([[2.0, 0.5], [0.5, 1.0]])),
}
N_DRAWS = 100_000


@pytest.mark.parametrize("name", sorted(STATS))
def test_sample_moments_match_torch(name):
    """The mean of N seeded draws is within 5 standard errors of torch's mean; the sample
    variance within 5 % (the families' fourth moments are moderate at these parameters)."""
    minitorch.manual_seed(0)
    dt, dm = STATS[name](TD, torch), STATS[name](MD, minitorch)
    draws = dm.sample((N_DRAWS,)).numpy().astype(np.float64)
    mean, var = dt.mean.numpy(), dt.variance.numpy()
    np.testing.assert_allclose(draws.mean(0), mean, atol=5 * np.sqrt(var / N_DRAWS).max())
    np.testing.assert_allclose(draws.var(0), var, rtol=0.05)


def test_cauchy_quantiles_match_torch():
    """Cauchy has no moments: the empirical CDF at torch's quartiles is within a KS-style
    bound 2/√N of 1/4, 1/2, 3/4."""
    minitorch.manual_seed(0)
    draws = MD.Cauchy(1.0, 2.0).sample((N_DRAWS,)).numpy()
    quartiles = TD.Cauchy(1.0, 2.0).icdf(torch.tensor([0.25, 0.5, 0.75])).numpy()
    np.testing.assert_allclose([(draws <= q).mean() for q in quartiles], [0.25, 0.5, 0.75],
                               atol=2 / np.sqrt(N_DRAWS))


# rsample: parameters of shape (N,) (each draw has its own leaf entry), so that param.grad
# holds one d sample / d parameter per draw; its mean is d mean / d parameter.
REPARAM = {
    "exponential": ((1.5,), lambda D, r: D.Exponential(r)),
    "laplace": ((0.5, 2.0), lambda D, m, s: D.Laplace(m, s)),
    "gamma": ((0.7, 2.0), lambda D, a, r: D.Gamma(a, r)),
    "gamma_large": ((12.0, 1.0), lambda D, a, r: D.Gamma(a, r)),
    "beta": ((0.8, 2.5), lambda D, a, b: D.Beta(a, b)),
    "dirichlet": ((1.5, 0.7), lambda D, a, b: D.Dirichlet(
        minitorch.stack([a, b, minitorch.ones_like(a)], -1))),
    "student_t": ((6.0, 0.5, 1.5), lambda D, df, m, s: D.StudentT(df, m, s)),
    "log_normal": ((0.2, 0.5), lambda D, m, s: D.LogNormal(m, s)),
}


@pytest.mark.parametrize("name", sorted(REPARAM))
def test_rsample_gradient_is_the_gradient_of_the_mean(name):
    values, make = REPARAM[name]
    n = 20_000
    minitorch.manual_seed(3)
    leaves = [minitorch.full((n,), v, dtype=minitorch.float64, requires_grad=True)
              for v in values]
    x = make(MD, *leaves).rsample()
    (x[..., 0] if x.dim() > 1 else x).sum().backward()
    tleaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values]
    tmake = {"dirichlet": lambda D, a, b: D.Dirichlet(torch.stack([a, b, torch.ones_like(a)],
                                                                  -1))}.get(name, make)
    mean = tmake(TD, *tleaves).mean
    (mean[..., 0] if mean.dim() > 0 else mean).backward()
    for leaf, tleaf in zip(leaves, tleaves):
        g = leaf.grad.numpy()
        expected = 0.0 if tleaf.grad is None else tleaf.grad.item()  # the mean ignores it
        bound = 5 * g.std() / np.sqrt(n) + 1e-3 * abs(expected)
        assert abs(g.mean() - expected) < bound, (g.mean(), expected)


def test_cauchy_rsample_gradient_is_the_reparametrisation():
    loc = minitorch.tensor([0.5, -1.0], dtype=minitorch.float64, requires_grad=True)
    scale = minitorch.tensor([2.0, 3.0], dtype=minitorch.float64, requires_grad=True)
    x = MD.Cauchy(loc, scale).rsample((100,))
    x.sum().backward()
    eps = (x.detach().numpy() - loc.detach().numpy()) / scale.detach().numpy()
    np.testing.assert_allclose(loc.grad.numpy(), [100.0, 100.0])
    np.testing.assert_allclose(scale.grad.numpy(), eps.sum(0), rtol=1e-10)


def test_implicit_gradients_equal_torchs():
    """d sample / d concentration of Gamma and Dirichlet draws equal torch's
    ``_standard_gamma_grad`` / ``_dirichlet_grad`` at the same draws, over all their
    regimes (small x, large α, the rational fits)."""
    minitorch.manual_seed(5)
    alpha = minitorch.tensor(np.exp(rng.uniform(-3, 3.5, 4000)), requires_grad=True,
                             dtype=minitorch.float64)
    x = MD.Gamma(alpha, 1.0).rsample()
    x.sum().backward()
    expected = torch._standard_gamma_grad(torch.tensor(alpha.detach().numpy()),
                                          torch.tensor(x.detach().numpy()))
    np.testing.assert_allclose(alpha.grad.numpy(), expected.numpy(), rtol=1e-10)
    conc = minitorch.tensor(np.exp(rng.uniform(-2, 3, (2000, 3))), requires_grad=True,
                            dtype=minitorch.float64)
    y = MD.Dirichlet(conc).rsample()
    w = rng.standard_normal((2000, 3))
    (y * minitorch.tensor(w)).sum().backward()
    tc, ty, tw = (torch.tensor(a) for a in (conc.detach().numpy(), y.detach().numpy(), w))
    grad = torch._dirichlet_grad(ty, tc, tc.sum(-1, True).expand_as(tc))
    expected = grad * (tw - (ty * tw).sum(-1, True))
    np.testing.assert_allclose(conc.grad.numpy(), expected.numpy(), rtol=1e-9, atol=1e-12)


def test_transforms_match_torch():
    """Forward, inverse, log |det J|, sign, domain and codomain of each transform, of
    their inverses and of a composition; the inverse of a cached transform is its input."""
    x = rng.standard_normal((3, 4))
    for make in (lambda T, L: T.ExpTransform(), lambda T, L: T.SigmoidTransform(),
                 lambda T, L: T.AffineTransform(L.tensor(LOC), L.tensor(-POS)),
                 lambda T, L: T.AffineTransform(1.0, 2.0, event_dim=1),
                 lambda T, L: T.ExpTransform().inv,
                 lambda T, L: T.ComposeTransform([T.AffineTransform(0.5, 3.0),
                                                  T.SigmoidTransform()])):
        out = []
        for T, L in ((TD.transforms, torch), (MD.transforms, minitorch)):
            t = make(T, L)
            xin = L.tensor(x if "Inverse" not in repr(t) else np.abs(x) + 0.1)
            y = t(xin)
            out.append([y.numpy(), t.inv(y).numpy(), t.log_abs_det_jacobian(xin, y).numpy(),
                        repr(t.domain), repr(t.codomain), t.bijective])
        for a, b in zip(*out):
            if isinstance(a, np.ndarray):
                np.testing.assert_allclose(b, a, rtol=1e-6)
            else:
                assert a == b
    t = MD.transforms.ExpTransform(cache_size=1)
    xm = minitorch.tensor(x)
    assert t.inv(t(xm)) is xm
    assert MD.transforms.ExpTransform().inv.inv == MD.transforms.ExpTransform()
