"""``Bilinear`` (y = x1ᵀ W x2 + b per output feature) and ``LazyLinear`` (a Linear whose
in_features come from its first input)."""

from __future__ import annotations

import math
from typing import Any

from minitorch.autograd.grad_mode import no_grad
from minitorch.creation import empty
from minitorch.nn import functional as F
from minitorch.nn import init
from minitorch.nn.layers import Linear
from minitorch.nn.module import Module
from minitorch.nn.parameter import Parameter, UninitializedParameter
from minitorch.tensor import Tensor


class Bilinear(Module):
    """y[..., o] = x1ᵀ · W[o] · x2 + b[o], W of shape (out, in1, in2); W and b start
    U(±1/√in1_features), as in torch."""

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in1_features, self.in2_features = in1_features, in2_features
        self.out_features = out_features
        factory = {"device": device, "dtype": dtype}
        self.weight = Parameter(empty(out_features, in1_features, in2_features, **factory))
        self.bias = Parameter(empty(out_features, **factory)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class LazyLinear(Linear):
    """A :class:`Linear` with in_features = 0 and uninitialized parameters until its first
    call, which takes in_features from the input's last dim, initializes weight and bias as
    Linear does, and turns the module into a plain ``Linear``."""

    def __init__(self, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(0, 0, False)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def has_uninitialized_params(self) -> bool:
        return any(isinstance(p, UninitializedParameter) for p in (self.weight, self.bias))

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:
        """in_features from ``input``'s last dim, then weight and bias get their shapes and
        Linear's initialization."""
        if self.has_uninitialized_params():
            with no_grad():
                self.in_features = input.shape[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()

    def forward(self, input: Tensor) -> Tensor:
        if self.has_uninitialized_params():
            self.initialize_parameters(input)
            self.__class__ = Linear
        return Linear.forward(self, input)
