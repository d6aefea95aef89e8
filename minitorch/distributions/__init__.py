"""Probability distributions with PyTorch's API (``torch.distributions``): parameters with
validation, sampling (reparametrised where torch's is), differentiable ``log_prob``,
``entropy``, ``cdf`` / ``icdf``, transformed distributions, and ``kl_divergence`` with its
registry.

    from minitorch.distributions import Normal, kl_divergence
"""

from minitorch.distributions import constraints, transforms
from minitorch.distributions.bernoulli import Bernoulli
from minitorch.distributions.beta import Beta
from minitorch.distributions.binomial import Binomial
from minitorch.distributions.categorical import Categorical
from minitorch.distributions.cauchy import Cauchy
from minitorch.distributions.chi2 import Chi2
from minitorch.distributions.dirichlet import Dirichlet
from minitorch.distributions.distribution import Distribution
from minitorch.distributions.exponential import Exponential
from minitorch.distributions.gamma import Gamma
from minitorch.distributions.geometric import Geometric
from minitorch.distributions.independent import Independent
from minitorch.distributions.kl import kl_divergence, register_kl
from minitorch.distributions.laplace import Laplace
from minitorch.distributions.log_normal import LogNormal
from minitorch.distributions.multivariate_normal import MultivariateNormal
from minitorch.distributions.normal import Normal
from minitorch.distributions.one_hot_categorical import OneHotCategorical
from minitorch.distributions.poisson import Poisson
from minitorch.distributions.studentT import StudentT
from minitorch.distributions.transformed_distribution import TransformedDistribution
from minitorch.distributions.transforms import (
                                                AffineTransform,
                                                ComposeTransform,
                                                ExpTransform,
                                                SigmoidTransform,
                                                Transform,
)
from minitorch.distributions.uniform import Uniform

__all__ = ["AffineTransform", "Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy", "Chi2",
           "ComposeTransform", "Dirichlet", "Distribution", "ExpTransform", "Exponential",
           "Gamma", "Geometric", "Independent", "Laplace", "LogNormal", "MultivariateNormal",
           "Normal", "OneHotCategorical", "Poisson", "SigmoidTransform", "StudentT",
           "Transform", "TransformedDistribution", "Uniform", "constraints", "kl_divergence",
           "register_kl", "transforms"]
