"""Probability distributions with PyTorch's API (``torch.distributions``): parameters with
validation, sampling (reparametrised where torch's is), differentiable ``log_prob``,
``entropy``, ``cdf`` / ``icdf``, and ``kl_divergence`` with its registry.

    from minitorch.distributions import Normal, kl_divergence
"""

from minitorch.distributions import constraints
from minitorch.distributions.bernoulli import Bernoulli
from minitorch.distributions.categorical import Categorical
from minitorch.distributions.distribution import Distribution
from minitorch.distributions.independent import Independent
from minitorch.distributions.kl import kl_divergence, register_kl
from minitorch.distributions.normal import Normal
from minitorch.distributions.one_hot_categorical import OneHotCategorical
from minitorch.distributions.uniform import Uniform

__all__ = ["Bernoulli", "Categorical", "Distribution", "Independent", "Normal",
           "OneHotCategorical", "Uniform", "constraints", "kl_divergence", "register_kl"]
