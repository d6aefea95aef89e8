"""``Tensor``: an n-dimensional array that remembers how it was computed.

A tensor holds a backend-native array (``_data``: NumPy on CPU, CuPy on GPU), a
``requires_grad`` flag, and — when it is the result of a recorded op — ``grad_fn``, the
Function that made it. ``backward()`` walks those links in reverse (see
:mod:`minitorch.autograd.engine`) and leaves ``.grad`` on every leaf that requires grad.

The class is assembled from one file per family of methods; read :mod:`.core` first:

    core.py        the tensor itself: data, dtype, device, views, autograd, conversions, repr
    operators.py   + - * / @ **, comparisons, logic tests
    shaping.py     reshape, view, permute, expand, cat, split, ...
    indexing.py    t[i], gather/scatter, masks, index_select/add/fill/copy, ...
    reductions.py  sum, mean, max, sort, cumsum, ...
    pointwise.py   sin … atanh, special functions, binary math (atan2, hypot, ...)
    products.py    mm, bmm, matmul, addmm, ... and torch's older linalg names
    inplace.py     fills, copies and ``op_`` forms
    complexes.py   real/imag views, angle, conj: complex tensors
    statistics.py  aminmax, mode, nanmedian, cov, corrcoef, gcd, frexp, ...
    aliases.py     other names and method forms: greater, x.dist(y), x.H, x.unfold, ...
    basics.py      Size and device;  helpers.py  argument checks and dtype promotion

Every differentiable method is a one-liner that calls ``SomeOp.apply``; the math lives in
:mod:`minitorch.autograd.ops`.
"""

from minitorch.tensor.basics import CPU, Size, device, type_description
from minitorch.tensor.core import Tensor, _rebuild
from minitorch.tensor.helpers import (
    _as_array,
    _kind_name,
    _promote,
    _same_mm_dtype,
    _tensor_like,
    expect_tensors,
    matmul,
)

__all__ = ["CPU", "Size", "Tensor", "device", "expect_tensors", "matmul", "type_description"]
_ = (_rebuild, _as_array, _kind_name, _promote, _same_mm_dtype, _tensor_like)
