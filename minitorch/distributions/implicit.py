r"""Reparametrised sampling of the Gamma and Dirichlet distributions by implicit
differentiation (Figurnov et al., 2018): a draw x of a distribution with CDF F(x; α) moves
with α along the level set F(x; α) = u, so

    dx/dα = -(∂F/∂α) / (∂F/∂x) = -(∂F/∂α) / p(x; α).

∂F/∂α has no closed form; the approximations below are PyTorch's (``_standard_gamma_grad``
and ``_dirichlet_grad`` in ATen's ``Distributions.h``): a Taylor series of the CDF for small
x, Rice saddle-point expansions for large parameters, and fitted rational corrections in
between, vectorised here on ``xp`` (NumPy or CuPy) in float64. The draws themselves come
from minitorch's generator (NumPy's Marsaglia–Tsang gamma sampler)."""

from __future__ import annotations

from typing import Any

import numpy as np

import minitorch
from minitorch.autograd import special_math as sm
from minitorch.autograd.function import Function
from minitorch.distributions.utils import draw, host
from minitorch.tensor import Tensor

__all__ = ["dirichlet_grad", "sample_dirichlet", "standard_gamma", "standard_gamma_grad"]

# the rational approximation of dx/dα for a Gamma(α, 1) draw: coefficients in u = ln(x/α)
# (rows) of a ratio of cubics in v = ln α
_GAMMA_UV = np.array([
    [0.16009398, -0.094634809, 0.025146376, -0.0030648343,
     1, 0.32668115, 0.10406089, 0.0014179084],
    [0.53487893, 0.1298071, 0.065735949, -0.0015649758,
     0.16639465, 0.020070113, -0.0035938915, -0.00058392623],
    [0.040121004, -0.0065914022, -0.0026286047, -0.0013441777,
     0.017050642, -0.0021309326, 0.00085092367, -1.5247877e-07]])

# the rational correction for a Beta(α, β) draw: [numerator/denominator][power of ln x]
# [power of ln(α/x)][cubic in ln(total) - ln(α/x)]
_BETA_C = np.array([
    [[[1.003668233, -0.01061107488, -0.0657888334, 0.01201642863],
      [0.6336835991, -0.3557432599, 0.05486251648, -0.001465281033],
      [-0.03276231906, 0.004474107445, 0.002429354597, -0.0001557569013]],
     [[0.221950385, -0.3187676331, 0.01799915743, 0.01074823814],
      [-0.2951249643, 0.06219954479, 0.01535556598, 0.001550077057],
      [0.02155310298, 0.004170831599, 0.001292462449, 6.976601077e-05]],
     [[-0.05980841433, 0.008441916499, 0.01085618172, 0.002319392565],
      [0.02911413504, 0.01400243777, -0.002721828457, 0.000751041181],
      [0.005900514878, -0.001936558688, -9.495446725e-06, 5.385558597e-05]]],
    [[[1, -0.02924021934, -0.04438342661, 0.007285809825],
      [0.6357567472, -0.3473456711, 0.05454656494, -0.002407477521],
      [-0.03301322327, 0.004845219414, 0.00231480583, -0.0002307248149]],
     [[0.5925320577, -0.1757678135, 0.01505928619, 0.000564515273],
      [0.1014815858, -0.06589186703, 0.01272886114, -0.0007316646956],
      [-0.007258481865, 0.001096195486, 0.0003934994223, -4.12701925e-05]],
     [[0.06469649321, -0.0236701437, 0.002902096474, -5.896963079e-05],
      [0.001925008108, -0.002869809258, 0.0008000589141, -6.063713228e-05],
      [-0.0003477407336, 6.959756487e-05, 1.097287507e-05, -1.650964693e-06]]]])


def _nan_to_zero(xp: Any, v: Any) -> Any:
    return xp.where(xp.isnan(v), 0.0, v)


def standard_gamma_grad(xp: Any, alpha: Any, x: Any) -> Any:
    """dx/dα for a draw x of Gamma(α, 1), = -(∂F/∂α)/p(x; α):
    x < 0.8: the series F = xᵅ Σₖ (-x)ᵏ / (k! (α + k)) differentiated in α (NaN → 0);
    α > 8: Rice's saddle-point expansion (a polynomial near x = α);
    otherwise exp(p/q), a fitted rational function of ln(x/α) and ln α."""
    a, x = xp.broadcast_arrays(xp.asarray(alpha, dtype=xp.float64),
                               xp.asarray(x, dtype=xp.float64))
    # Taylor series for small x
    numer, denom = xp.ones_like(a), a.copy()
    series1, series2 = numer / denom, numer / (denom * denom)
    for i in range(1, 6):
        numer = numer * (-x / i)
        denom = denom + 1
        series1 = series1 + numer / denom
        series2 = series2 + numer / (denom * denom)
    pow_x_alpha = x ** a
    pdf = x ** (a - 1) * xp.exp(-x)
    cdf = pow_x_alpha * series1
    cdf_alpha = (xp.log(x) - sm.digamma(xp, a)) * cdf - pow_x_alpha * series2
    small = _nan_to_zero(xp, -cdf_alpha / pdf)
    # saddle-point expansion for large α: near the mode, then elsewhere
    near = ((1 + 24 * a * (1 + 12 * a))
            * (1440 * a * a + 6 * x * (53 - 120 * x) - 65 * x * x / a + a * (107 + 3600 * x))
            / (1244160 * a ** 4))
    root = xp.sqrt(8 * a)
    term2 = root / (a - x)
    term3 = (x - a - a * xp.log(x / a)) ** -1.5
    term23 = xp.where(x < a, term2 - term3, term2 + term3)
    term1 = xp.log(x / a) * term23 - xp.sqrt(2 / a) * (a + x) / ((a - x) * (a - x))
    stirling = 1 + 1 / (12 * a) * (1 + 1 / (24 * a))
    far = -stirling * x * term1 / root
    large = xp.where((0.9 * a <= x) & (x <= 1.1 * a), near, far)
    # bivariate rational approximation
    u, v = xp.log(x / a), xp.log(a)
    coef = [_GAMMA_UV[0, i] + u * (_GAMMA_UV[1, i] + u * _GAMMA_UV[2, i]) for i in range(8)]
    p = coef[0] + v * (coef[1] + v * (coef[2] + v * coef[3]))
    q = coef[4] + v * (coef[5] + v * (coef[6] + v * coef[7]))
    rational = xp.exp(p / q)
    return xp.where(x < 0.8, small, xp.where(a > 8, large, rational))


def _beta_grad_alpha_small(xp: Any, x: Any, alpha: Any, beta: Any) -> Any:
    """dx/dα of a Beta(α, β) draw x near 0, from the Taylor series of its CDF."""
    factor = sm.digamma(xp, alpha) - sm.digamma(xp, alpha + beta) - xp.log(x)
    numer = xp.ones_like(x)
    series = numer / alpha * (factor + 1 / alpha)
    for i in range(1, 11):
        numer = numer * (i - beta) * x / i
        denom = alpha + i
        series = series + numer / denom * (factor + 1 / denom)
    return _nan_to_zero(xp, x * (1 - x) ** -beta * series)


def _beta_grad_beta_small(xp: Any, x: Any, alpha: Any, beta: Any) -> Any:
    """dx/dβ of a Beta(α, β) draw x near 0, from the Taylor series of its CDF."""
    factor = sm.digamma(xp, alpha + beta) - sm.digamma(xp, beta)
    numer, betas, dbetas = xp.ones_like(x), xp.ones_like(x), xp.zeros_like(x)
    series = factor / alpha
    for i in range(1, 9):
        numer = numer * (-x / i)
        dbetas = dbetas * (beta - i) + betas
        betas = betas * (beta - i)
        series = series + numer / (alpha + i) * (dbetas + factor * betas)
    return _nan_to_zero(xp, -(1 - x) ** (1 - beta) * series)


def _beta_grad_alpha_mid(xp: Any, x: Any, alpha: Any, beta: Any) -> Any:
    """dx/dα of a Beta(α, β) draw for large α and β: Rice's saddle-point expansion (a
    polynomial within a tenth of a standard deviation of the mean)."""
    total = alpha + beta
    mean = alpha / total
    std = xp.sqrt(alpha * beta / (total + 1)) / total
    b2 = beta * beta
    poly = 47 * x * b2 * b2 + alpha * (
        (43 + 20 * (16 + 27 * beta) * x) * b2 * beta + alpha * (
            3 * (59 + 180 * beta - 90 * x) * b2 + alpha * (
                (453 + 1620 * beta * (1 - x) - 455 * x) * beta + alpha * (
                    8 * (1 - x) * (135 * beta - 11)))))
    prefactor_num = (1 + 12 * alpha) * (1 + 12 * beta) / (total * total)
    prefactor_den = 12960 * alpha ** 3 * b2 * (1 + 12 * total)
    near = prefactor_num / (1 - x) * poly / prefactor_den
    prefactor = -x / xp.sqrt(2 * alpha * beta / total)
    stirling = ((1 + 1 / (12 * alpha) + 1 / (288 * alpha * alpha))
                * (1 + 1 / (12 * beta) + 1 / (288 * b2))
                / (1 + 1 / (12 * total) + 1 / (288 * total * total)))
    term1_num = 2 * alpha * alpha * (x - 1) + alpha * beta * (x - 1) - x * b2
    axbx = alpha * (x - 1) + beta * x
    term1 = term1_num / (xp.sqrt(2 * alpha / beta) * total ** 1.5 * axbx * axbx)
    term2 = 0.5 * xp.log(alpha / (total * x))
    term3 = xp.sqrt(8 * alpha * beta / total) / (beta * x + alpha * (x - 1))
    term4 = (beta * xp.log(beta / (total * (1 - x)))
             + alpha * xp.log(alpha / (total * x))) ** -1.5
    far = stirling * prefactor * (term1 + term2 * (term3 + xp.where(x < mean, term4, -term4)))
    return xp.where((mean - 0.1 * std <= x) & (x <= mean + 0.1 * std), near, far)


def dirichlet_grad(xp: Any, x: Any, alpha: Any, total: Any) -> Any:
    """dxᵢ/dαᵢ of a Dirichlet draw through its Beta(αᵢ, total - αᵢ) marginal, divided by
    (1 - xᵢ) (the other coordinates move in proportion): -(∂F/∂α)/p/(1 - x)."""
    x, alpha, total = xp.broadcast_arrays(*(xp.asarray(v, dtype=xp.float64)
                                            for v in (x, alpha, total)))
    beta = total - alpha
    boundary = total * x * (1 - x)
    near_zero = _beta_grad_alpha_small(xp, x, alpha, beta)
    near_one = -_beta_grad_beta_small(xp, 1 - x, beta, alpha)
    mid = _beta_grad_alpha_mid(xp, x, alpha, beta)
    u = xp.log(x)
    a = xp.log(alpha) - u
    b = xp.log(total) - a
    p, q = xp.zeros_like(x), xp.zeros_like(x)
    for i in range(3):
        for j in range(3):
            ua = u ** i * a ** j
            cp, cq = _BETA_C[0, i, j], _BETA_C[1, i, j]
            p = p + ua * (cp[0] + b * (cp[1] + b * (cp[2] + b * cp[3])))
            q = q + ua * (cq[0] + b * (cq[1] + b * (cq[2] + b * cq[3])))
    approx = x * (sm.digamma(xp, total) - sm.digamma(xp, alpha)) / beta
    rational = p / q * approx
    return xp.where((x <= 0.5) & (boundary < 2.5), near_zero,
                    xp.where((x >= 0.5) & (boundary < 0.75), near_one,
                             xp.where((alpha > 6) & (beta > 6), mid, rational)))


class StandardGamma(Function):
    """y = x, a Gamma(α, 1) draw given to ``forward``;  ∂L/∂α = g · dx/dα (implicit
    reparametrisation)."""

    def forward(self, alpha: Any, x: Any) -> Any:
        self.save_for_backward(alpha, x)
        return x.copy()

    def backward(self, gy: Any) -> Any:
        alpha, x = self.saved_tensors
        grad = standard_gamma_grad(self.xp, alpha, x).astype(gy.dtype, copy=False)
        return gy * grad, self.xp.zeros_like(gy)


class Dirichlet(Function):
    """y = x, a Dirichlet(α) draw given to ``forward`` (along the last dimension);
    ∂L/∂αᵢ = dᵢ (gᵢ - Σⱼ xⱼ gⱼ) with dᵢ = ``dirichlet_grad``(xᵢ, αᵢ, Σα)."""

    def forward(self, alpha: Any, x: Any) -> Any:
        self.save_for_backward(alpha, x)
        return x.copy()

    def backward(self, gy: Any) -> Any:
        alpha, x = self.saved_tensors
        total = alpha.sum(-1, keepdims=True)
        grad = dirichlet_grad(self.xp, x, alpha, total).astype(gy.dtype, copy=False)
        return grad * (gy - (x * gy).sum(-1, keepdims=True)), self.xp.zeros_like(gy)


def _gamma_draws(alpha: np.ndarray) -> Any:
    """Gamma(α, 1) draws from minitorch's generator, at least the smallest positive float64
    (a draw of a tiny α can underflow to 0)."""
    return lambda g: np.maximum(g.standard_gamma(alpha), np.finfo(np.float64).tiny)


def standard_gamma(concentration: Tensor) -> Tensor:
    """A Gamma(α, 1) draw for each entry of ``concentration``, differentiable in α."""
    x = draw(_gamma_draws(host(concentration)), concentration)
    return StandardGamma.apply(concentration, x)


def sample_dirichlet(concentration: Tensor) -> Tensor:
    """A Dirichlet draw for each vector along the last dimension of ``concentration``
    (normalised Gamma draws), differentiable in the concentration."""
    gammas = _gamma_draws(host(concentration))
    x = draw(lambda g: (lambda y: y / y.sum(-1, keepdims=True))(gammas(g)), concentration)
    tiny = minitorch.finfo(concentration.dtype).tiny
    return Dirichlet.apply(concentration, x.clamp(min=tiny, max=1 - tiny))
