"""``minitorch.nn.utils``: gradient clipping, parameters as one flat vector, and
parametrizations (a parameter computed from others: weight and spectral normalization)."""

from minitorch.nn.utils import parametrizations, parametrize, rnn
from minitorch.nn.utils.clip_grad import (
    clip_grad_norm,
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
)
from minitorch.nn.utils.convert_parameters import parameters_to_vector, vector_to_parameters

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_",
           "get_total_norm", "parameters_to_vector", "parametrizations", "parametrize", "rnn",
           "vector_to_parameters"]
