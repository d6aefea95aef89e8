"""``minitorch.explain``: watch a layer compute, on your own arguments and numbers.

    >>> import minitorch
    >>> e = minitorch.explain("conv2d", input_size=(1, 1, 5, 5), stride=2, padding=1)
    >>> print(e)                      # every window's sum of products, im2col, backward ...
    >>> e.save_gif("conv.gif")        # the window sliding while the output fills in
    >>> e.save_html("conv.html")      # one self-contained page with a step slider

Ops: ``conv2d``, ``max_pool2d``, ``avg_pool2d``, ``linear``, ``relu``, ``sigmoid``, ``tanh``,
``cross_entropy`` — or a model (``nn.Sequential``, any ``nn.Module``), layer by layer.
Inputs: your numbers (list, NumPy, minitorch or torch tensor) or a generated tensor of
``input_size``: ``"arange"`` (1, 2, 3, ...), ``"randint"`` (small integers, readable sums),
``"randn"`` (two decimals), from ``seed``. The backward pass is that of
``L = Σ output · grad_output`` (``grad_output="ones"`` by default: ``L = output.sum()``).
The arithmetic is plain NumPy loops in float64, written once here; the tests compare every
number of the result with PyTorch.
"""

from __future__ import annotations

import sys
import types
from typing import Any, Optional, Sequence, Union

import numpy as np

from minitorch.explain.core import ArrayLike, Explanation, Step, make_array
from minitorch.explain.dense import (
    ACTIVATIONS,
    explain_activation,
    explain_cross_entropy,
    explain_linear,
)
from minitorch.explain.model import explain_model
from minitorch.explain.windowed import explain_avg_pool2d, explain_conv2d, explain_max_pool2d

__all__ = ["explain", "Explanation", "Step", "OPS"]

OPS = ("conv2d", "max_pool2d", "avg_pool2d", "linear", "relu", "sigmoid", "tanh",
       "cross_entropy")

_DEFAULT_SIZE = {"conv2d": (1, 1, 5, 5), "max_pool2d": (1, 1, 5, 5),
                 "avg_pool2d": (1, 1, 5, 5), "linear": (2, 3), "cross_entropy": (2, 3)}
_DEFAULT_INPUT = {"conv2d": "arange", "max_pool2d": "randint", "avg_pool2d": "arange",
                  "linear": "arange", "cross_entropy": "randn"}


def explain(op: Union[str, Any], input: ArrayLike = None, *,
            input_size: Optional[Sequence[int]] = None, seed: int = 0,
            weight: ArrayLike = None, bias: Union[bool, ArrayLike] = True,
            out_channels: int = 1, kernel_size: Any = 3, stride: Any = None,
            padding: Any = 0, dilation: Any = 1, groups: int = 1, ceil_mode: bool = False,
            count_include_pad: bool = True, divisor_override: Optional[int] = None,
            out_features: int = 2, target: ArrayLike = None,
            grad_output: ArrayLike = "ones") -> Explanation:
    """Run ``op`` (a name from :data:`OPS`, or a model) step by step; see the module doc.

    ``stride`` defaults to 1 for conv2d and to ``kernel_size`` for pooling, as in PyTorch.
    ``weight``/``bias`` default to small random integers (``bias=False``: none).
    """
    if not isinstance(op, str):
        if input is None and input_size is None:
            raise ValueError("explain(model) needs input= or input_size=")
        x = make_array(input if input is not None else "randn", input_size or (), seed,
                       "input")
        t = None if target is None else make_array(target, (x.shape[0],), seed + 3, "target")
        gy = None if target is not None or grad_output in (None, "ones") else grad_output
        return explain_model(op, x, t, None if gy is None else make_array(gy, (), seed, "g"))
    if op not in OPS:
        raise ValueError(f"explain: unknown op {op!r}; choose one of {', '.join(OPS)} "
                         "or pass a model")
    if input_size is not None:
        size = tuple(input_size)
    else:  # the learner's numbers keep their own shape
        size = () if input is not None else _DEFAULT_SIZE.get(op, (2, 3))
    x = make_array(input if input is not None else _DEFAULT_INPUT.get(op, "randn"), size, seed,
                   "input")

    def grad_for(shape: Sequence[int]) -> Any:
        return make_array(grad_output, shape, seed + 2, "grad_output")

    if op == "conv2d":
        batched = x if x.ndim != 3 else x[None]
        c_in = batched.shape[1] if batched.ndim == 4 else 1
        kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
        w_shape = (out_channels, c_in // max(groups, 1), kh, kw)
        w = make_array(weight, w_shape if weight is None or isinstance(weight, str) else (),
                       seed + 1, "weight")
        b = None if bias is False or bias is None else make_array(
            None if bias is True else bias, (w.shape[0],), seed + 4, "bias")
        e = explain_conv2d(x, w, b, 1 if stride is None else stride, padding, dilation, groups)
        return _with_grad(e, explain_conv2d, grad_for, x, w, b, 1 if stride is None else stride,
                          padding, dilation, groups)
    if op == "max_pool2d":
        e = explain_max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode)
        return _with_grad(e, explain_max_pool2d, grad_for, x, kernel_size, stride, padding,
                          dilation, ceil_mode)
    if op == "avg_pool2d":
        e = explain_avg_pool2d(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                               divisor_override)
        return _with_grad(e, explain_avg_pool2d, grad_for, x, kernel_size, stride, padding,
                          ceil_mode, count_include_pad, divisor_override)
    if op == "linear":
        w = make_array(weight, (out_features, x.shape[-1]) if weight is None or
                       isinstance(weight, str) else (), seed + 1, "weight")
        b = None if bias is False or bias is None else make_array(
            None if bias is True else bias, (w.shape[0],), seed + 4, "bias")
        return explain_linear(x, w, b, grad_for((x.shape[0], w.shape[0])))
    if op in ACTIVATIONS:
        return explain_activation(op, x, grad_for(x.shape))
    if target is None:  # random classes from the seed
        t = np.random.default_rng(seed + 3).integers(0, x.shape[1], x.shape[0]).astype(float)
    else:
        t = make_array(target, (x.shape[0],), seed + 3, "target")
    return explain_cross_entropy(x, t)


def _with_grad(e: Explanation, fn: Any, grad_for: Any, *args: Any) -> Explanation:
    """Rerun with the learner's dL/dy once the output shape is known (ones: keep ``e``)."""
    gy = grad_for(e.tensors["output"].shape)
    if (gy == e.tensors["grad_output"]).all():
        return e
    return fn(*args, grad_output=gy)


class _CallableModule(types.ModuleType):
    """``minitorch.explain(...)`` works although ``minitorch.explain`` is this package."""

    def __call__(self, *args: Any, **kwargs: Any) -> Explanation:
        return explain(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
