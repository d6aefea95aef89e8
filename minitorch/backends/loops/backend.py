"""``LoopsBackend``: the kernel contract of :class:`~minitorch.backends.base.Backend`, each
method one loop kernel of this package (their signatures are the contract's, without self).

A kernel of the contract that has no loop version here (one added to ``Backend`` later) runs
the NumPy reference's; ``LoopsBackend.BORROWED`` names them.
"""

from __future__ import annotations

from typing import Any, Callable, Tuple

import numpy

from minitorch.backends.base import COMPOSITES, Backend
from minitorch.backends.loops import activation, conv, linear, pool, softmax


class LoopsBackend(Backend):
    """The textbook's nested loops, on NumPy arrays: slow, exact in float64, for small inputs.
    Everything outside the kernel contract (elementwise arithmetic, reductions, views) runs
    as NumPy array code, through ``xp`` — as on the ``numpy`` backend."""

    name = "loops"
    device = "cpu"
    BORROWED: Tuple[str, ...] = ()  # contract kernels run by the NumPy backend (see below)

    def __init__(self) -> None:
        super().__init__(numpy)

    conv2d_forward = staticmethod(conv.conv2d_forward)
    conv2d_backward_input = staticmethod(conv.conv2d_backward_input)
    conv2d_backward_weight = staticmethod(conv.conv2d_backward_weight)
    conv2d_backward_bias = staticmethod(conv.conv2d_backward_bias)

    max_pool2d_forward = staticmethod(pool.max_pool2d_forward)
    max_pool2d_backward = staticmethod(pool.max_pool2d_backward)
    avg_pool2d_forward = staticmethod(pool.avg_pool2d_forward)
    avg_pool2d_backward = staticmethod(pool.avg_pool2d_backward)

    relu_forward = staticmethod(activation.relu_forward)
    relu_backward = staticmethod(activation.relu_backward)
    tanh_forward = staticmethod(activation.tanh_forward)
    tanh_backward = staticmethod(activation.tanh_backward)
    sigmoid_forward = staticmethod(activation.sigmoid_forward)
    sigmoid_backward = staticmethod(activation.sigmoid_backward)

    matmul = staticmethod(linear.matmul)
    linear_forward = staticmethod(linear.linear_forward)
    linear_backward = staticmethod(linear.linear_backward)

    softmax_forward = staticmethod(softmax.softmax_forward)
    softmax_backward = staticmethod(softmax.softmax_backward)
    log_softmax_forward = staticmethod(softmax.log_softmax_forward)
    log_softmax_backward = staticmethod(softmax.log_softmax_backward)
    cross_entropy_forward = staticmethod(softmax.cross_entropy_forward)
    cross_entropy_backward = staticmethod(softmax.cross_entropy_backward)


def _from_numpy(name: str) -> Callable[..., Any]:
    def kernel(self: LoopsBackend, *args: Any, **kwargs: Any) -> Any:
        from minitorch.backends import get_backend

        return getattr(get_backend("numpy"), name)(*args, **kwargs)
    kernel.__name__ = kernel.__qualname__ = name
    kernel.__doc__ = f"The NumPy reference's ``{name}`` (no loop version written)."
    return kernel


def _borrow_the_rest() -> Tuple[str, ...]:
    contract = [n for n, f in vars(Backend).items()
                if callable(f) and not n.startswith("_") and n not in COMPOSITES]
    borrowed = tuple(n for n in contract if n not in vars(LoopsBackend))
    for name in borrowed:
        setattr(LoopsBackend, name, _from_numpy(name))
    return borrowed


LoopsBackend.BORROWED = _borrow_the_rest()
