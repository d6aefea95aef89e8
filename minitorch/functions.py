"""Top-level functions that take tensors (``minitorch.cat``, ``minitorch.where``, ...). Most
forward to the Tensor method of the same name."""

from __future__ import annotations

import builtins
import math
from typing import Any, Optional, Sequence, Tuple

import numpy as np

from minitorch import dtypes
from minitorch.autograd.ops import binary_math, shape
from minitorch.autograd.ops import elementwise as ew
from minitorch.contraction import einsum  # noqa: F401 - minitorch.einsum
from minitorch.creation import ones_like, zeros
from minitorch.foreign import expect_tensor, expect_tensor_list, type_name
from minitorch.fperrors import quietly
from minitorch.shapes import broadcast_shapes, normalize_dim, normalize_dims
from minitorch.tensor import Tensor, _kind_name, _promote, _tensor_like, expect_tensors


def _same_dtype(tensors: Sequence[Tensor]) -> list:
    target = tensors[0].dtype
    for t in tensors[1:]:
        target = dtypes.promote_types(target, t.dtype)
    return [t if t.dtype is target else t._to(target, None) for t in tensors]


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dim; all other dims must match."""
    expect_tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    legacy = [t for t in tensors if t.ndim == 1 and t.shape[0] == 0]  # skipped, any dim
    if len(legacy) == len(tensors):  # torch: only legacy empties — the dim is not checked
        return shape.Cat.apply(*_same_dtype(list(tensors)), dim=0)
    tensors = [t for t in tensors if not (t.ndim == 1 and t.shape[0] == 0)]
    first = tensors[0]
    d = normalize_dim(dim, first.ndim)
    for i, t in enumerate(tensors[1:], start=1):
        if t.ndim != first.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got "
                               f"{first.ndim} and {t.ndim}")
        for axis in range(first.ndim):
            if axis != d and t.shape[axis] != first.shape[axis]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. "
                                   f"Expected size {first.shape[axis]} but got size "
                                   f"{t.shape[axis]} for tensor number {i} in the list.")
    return shape.Cat.apply(*_same_dtype(tensors), dim=d)


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join same-shaped tensors along a new dim."""
    expect_tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    first = tensors[0]
    for i, t in enumerate(tensors[1:], start=1):
        if t.shape != first.shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(first.shape)} at entry 0 and {list(t.shape)} at entry {i}")
    return shape.Stack.apply(*_same_dtype(list(tensors)), dim=normalize_dim(dim, first.ndim + 1))


def where(condition: Tensor, input: Any, other: Any) -> Tensor:
    """``input`` where ``condition`` is true, else ``other`` (differentiable in both)."""
    if isinstance(condition, Tensor) and condition.dtype is not dtypes.bool_:
        kind = condition.type_description().split(".")[-1].split("Tensor")[0]
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {kind} (condition of size {list(condition.shape)})")
    if isinstance(input, Tensor):
        a, b = _promote(input, other)
    elif isinstance(other, Tensor):  # a number against a tensor: the tensor sets the dtype
        b, a = _promote(other, input)
    else:  # two numbers: the first as a tensor of its default dtype
        a, b = _promote(_tensor_like(input, condition), other)
    # a number is made at the result's dtype directly: 0.6 in a float64 where stays 0.6
    # (through a float32 tensor it would come back as 0.6000000238)
    a = a if isinstance(a, Tensor) else _tensor_like(np.asarray(a, b._data.dtype), condition)
    b = b if isinstance(b, Tensor) else _tensor_like(np.asarray(b, a._data.dtype), condition)
    broadcast_shapes(broadcast_shapes(condition.shape, a.shape), b.shape)
    return ew.Where.apply(condition._data.astype(bool), a, b)


def maximum(a: Tensor, b: Tensor) -> Tensor:
    return a.maximum(b)


def minimum(a: Tensor, b: Tensor) -> Tensor:
    return a.minimum(b)


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def numel(t: Tensor) -> int:
    return t.numel()


@quietly
def allclose(a: Tensor, b: Tensor, rtol: float = 1e-5, atol: float = 1e-8,
             equal_nan: bool = False) -> bool:
    return bool(np.allclose(a.detach().cpu()._data, b.detach().cpu()._data, rtol, atol,
                            equal_nan))


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """The product of two matrices (no broadcasting): ``input`` (n, k) @ ``mat2`` (k, m)."""
    return input.mm(mat2)


def _method(name: str):  # noqa: ANN202
    def call(input: Tensor, *args: Any, **kwargs: Any) -> Any:
        expect_tensor(input, name)  # torch's TypeError, not an AttributeError
        return getattr(input, name)(*args, **kwargs)

    call.__name__ = name
    call.__doc__ = f"``minitorch.{name}(t, ...)`` is ``t.{name}(...)``."
    return call


_FORWARDED = ["exp", "log", "sqrt", "abs", "clamp", "clip", "sum", "mean", "var", "std", "max",
              "min", "amax", "argmax", "argmin", "reshape", "flatten", "permute", "transpose",
              "squeeze", "unsqueeze", "t", "relu", "sigmoid", "tanh", "softmax", "log_softmax",
              "neg", "add", "sub", "mul", "div", "pow", "split", "chunk", "unbind", "isnan",
              "clone", "detach", "equal",
              # math (autograd/ops/pointwise.py)
              "sin", "cos", "tan", "erf", "sinh", "cosh", "log1p", "log2", "log10", "expm1", "exp2",
              "reciprocal", "rsqrt", "square", "sign", "floor", "ceil", "round", "trunc", "fix",
              "remainder", "fmod", "floor_divide", "true_divide", "divide", "multiply",
              "subtract", "negative", "absolute", "lerp", "clamp_min", "clamp_max",
              # products, reductions, pick and place
              "bmm", "mv", "dot", "inner", "outer", "ger", "prod", "cumsum", "cumprod",
              "logsumexp", "norm", "amin", "count_nonzero", "sort", "argsort", "topk",
              "gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "masked_fill",
              "masked_select", "flip", "fliplr", "flipud", "tril", "triu", "diagonal", "diag",
              "trace", "nonzero", "argwhere", "select", "narrow", "movedim", "moveaxis",
              "swapaxes", "swapdims", "ravel", "repeat_interleave", "tile", "all", "any",
              # tests and logic (no gradient)
              "isfinite", "isinf", "isposinf", "isneginf", "isclose", "logical_not",
              "logical_and", "logical_or", "logical_xor", "bitwise_not", "nan_to_num",
              "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
              "bitwise_right_shift",
              "median", "kthvalue", "unique", "bincount", "quantile", "nanquantile", "histc",
              "histogram",
              "eq", "ne", "lt", "le", "gt", "ge", "is_floating_point",
              # NaN-aware and running reductions, indexing and splitting
              "nansum", "nanmean", "cummax", "cummin", "logcumsumexp", "roll", "rot90", "diff",
              "unflatten", "take", "take_along_dim", "index_add", "index_fill", "index_copy",
              "index_put",
              "masked_scatter", "tensor_split", "hsplit", "vsplit", "dsplit",
              # β·input + α·product, input + value·(t1 ⊙ t2), kron, cross (products.py)
              "addmm", "addmv", "addr", "baddbmm", "addbmm", "kron",
              "cross",
              # minitorch.linalg under torch's older names
              "inverse", "det", "logdet", "slogdet", "matrix_power", "pinverse", "svd",
              # inverse trigonometry, angles, sinc, logit, signs (autograd/ops/pointwise.py)
              "asin", "acos", "atan", "asinh", "acosh", "atanh", "arcsin", "arccos", "arctan",
              "arcsinh", "arccosh", "arctanh", "frac", "sgn", "sinc", "deg2rad", "rad2deg",
              "logit", "signbit",
              # special functions (autograd/ops/special.py)
              "lgamma", "digamma", "mvlgamma", "erfinv", "erfc", "i0",
              # statistics, diagonal embedding, integer and float helpers (statistics.py)
              "aminmax", "nanmedian", "mode", "msort", "unique_consecutive", "cov", "corrcoef",
              "diag_embed", "diagflat", "renorm", "gcd", "lcm", "frexp", "ldexp", "nextafter"]
for _name in _FORWARDED:
    globals()[_name] = _method(_name)


def _tensor_pair(name: str, arg: str = "other"):  # noqa: ANN202
    """``minitorch.<name>(input, <arg>)``, both Tensors (torch's TypeError names the argument
    that is not one), forwarded to ``input.<name>(<arg>)``."""
    def call(input: Tensor, other: Tensor) -> Tensor:
        expect_tensor(input, name)
        expect_tensor(other, name, arg, 2)
        return getattr(input, name)(other)

    call.__name__ = name
    call.__doc__ = f"``minitorch.{name}(input, {arg})`` is ``input.{name}({arg})``."
    return call


# binary math on two tensors (autograd/ops/binary_math.py)
_TENSOR_PAIRS = {"atan2": "other", "arctan2": "other", "hypot": "other", "logaddexp": "other",
                 "logaddexp2": "other", "fmax": "other", "fmin": "other",
                 "heaviside": "values"}
for _name, _arg in _TENSOR_PAIRS.items():
    globals()[_name] = _tensor_pair(_name, _arg)


def polygamma(n: int, input: Tensor) -> Tensor:
    """ψ⁽ⁿ⁾(input), the n-th derivative of the digamma function (torch's argument order)."""
    expect_tensor(input, "polygamma", "input", 2)
    return input.polygamma(n)


def xlogy(input: Any, other: Any) -> Tensor:
    """``input · ln(other)``, 0 where input = 0 (unless other is NaN); either operand may be
    a number, as in torch."""
    if isinstance(input, Tensor):
        return input.xlogy(other)
    expect_tensor(other, "xlogy", "other", 2)
    return other._binary_math(input, binary_math.Xlogy, "xlogy", numbers=True, reverse=True)


def copysign(input: Tensor, other: Any) -> Tensor:
    """``|input|`` with the sign of ``other`` (a tensor or a number)."""
    if not isinstance(input, Tensor):
        got = ", ".join("Tensor" if isinstance(v, Tensor) else type_name(v)
                        for v in (input, other))
        raise TypeError(f"copysign() received an invalid combination of arguments - got "
                        f"({got}), but expected one of:\n"
                        " * (Tensor input, Tensor other, *, Tensor out = None)\n"
                        " * (Tensor input, Number other, *, Tensor out = None)\n")
    return input.copysign(other)


def float_power(input: Any, exponent: Any) -> Tensor:
    """``input ** exponent`` in float64; either may be a number, as in torch."""
    if isinstance(input, Tensor):
        return input.float_power(exponent)
    expect_tensor(exponent, "float_power", "exponent", 2)
    return input ** exponent._to(dtypes.float64, None)


def remainder(input: Any, other: Any) -> Tensor:
    """``input - floor(input / other) * other`` (the sign of ``other``); ``input`` may be a
    number, as in torch."""
    return input.remainder(other) if isinstance(input, Tensor) else other.__rmod__(input)


def floor_divide(input: Any, other: Any) -> Tensor:
    """``floor(input / other)``; ``input`` may be a number, as in torch."""
    return input.floor_divide(other) if isinstance(input, Tensor) else \
        other.__rfloordiv__(input)


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """input + value·tensor1·tensor2 (``Tensor.addcmul``)."""
    return _addc("addcmul", input, tensor1, tensor2, value)


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """input + value·tensor1/tensor2 (``Tensor.addcdiv``)."""
    return _addc("addcdiv", input, tensor1, tensor2, value)


def _addc(name: str, input: Tensor, t1: Tensor, t2: Tensor, value: Any) -> Tensor:
    expect_tensors(name, t1, t2, first=2)  # positions counted from input, as torch counts
    return getattr(input, name)(t1, t2, value=value)


def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """Σ over paired dims: ``dims`` = n pairs the last n dims of ``a`` with the first n of
    ``b``; ``dims`` = (dims_a, dims_b) pairs them as listed. The result has a's free dims
    then b's. Computed as torch does: a dim of size 1 against a longer one is summed first,
    then one ``mm`` of a permuted to (free, contracted) and b to (contracted, free), viewed
    to the result's shape (``ViewBackward0`` over ``MmBackward0``)."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > builtins.min(a.ndim, b.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        dims = (list(range(-dims, 0)), list(range(dims)))
    if not isinstance(dims, (list, tuple)) or len(dims) != 2:
        raise RuntimeError(f"tensordot expects dims to be int or Tuple[List[int], List[int]] or "
                           f"List[List[int]] containing two lists, but got dims={dims}")
    dims_a, dims_b = dims
    for position, (name, given) in enumerate((("dims_self", dims_a), ("dims_other", dims_b))):
        if not isinstance(given, (list, tuple)):
            raise TypeError(f"tensordot(): argument '{name}' (position {position + 3}) must be "
                            f"tuple of ints, not {type(given).__name__}")
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    if a.dtype != b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    contracted = 1
    for da, db in zip(dims_a, dims_b):
        s1, s2 = a.shape[normalize_dim(da, a.ndim)], b.shape[normalize_dim(db, b.ndim)]
        if s2 == 1:  # a broadcast dim: summed right away
            a = a.sum(da, keepdim=True)
        elif s1 == 1:
            b = b.sum(db, keepdim=True)
        elif s1 != s2:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {s1} "
                               f"in dim {da} and second has size {s2} in dim {db}")
        else:
            contracted *= s1
    ca, cb = list(normalize_dims(dims_a, a.ndim)), list(normalize_dims(dims_b, b.ndim))
    free_a = [i for i in range(a.ndim) if i not in ca]
    free_b = [i for i in range(b.ndim) if i not in cb]
    rows, cols = math.prod(a.shape[i] for i in free_a), math.prod(b.shape[i] for i in free_b)
    left = a.permute(*free_a, *ca).reshape(rows, contracted)
    right = b.permute(*cb, *free_b).reshape(contracted, cols)
    return left.mm(right).reshape(*(a.shape[i] for i in free_a), *(b.shape[i] for i in free_b))


def trapezoid(y: Tensor, x: Optional[Tensor] = None, *, dx: Optional[float] = None,
              dim: int = -1) -> Tensor:
    """The trapezoidal rule along ``dim``: Σ_i (x_{i+1} − x_i)·(y_i + y_{i+1}) / 2 at sample
    points ``x`` (1-D along ``dim``, or broadcasting with y), else with a constant spacing
    ``dx`` (default 1): dx·(Σ_i y_i − (y_0 + y_last) / 2). Composed as torch composes it, so
    the nodes are torch's (``DivBackward1`` with x, ``MulBackward1`` without)."""
    if x is not None and dx is not None:
        raise TypeError(f"trapezoid() received an invalid combination of arguments - got "
                        f"(Tensor, Tensor, dx={type(dx).__name__}), but expected one of:\n"
                        f" * (Tensor y, Tensor x, *, int dim)\n"
                        f" * (Tensor y, *, Number dx, int dim)")
    if y.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = normalize_dim(dim, y.ndim)
    n = y.shape[d]
    if n == 0:  # numpy's answer for no samples: 0
        return zeros(y.shape[:d] + y.shape[d + 1:], dtype=y.dtype, device=y.device)
    if y.dtype is dtypes.bool_:
        raise RuntimeError("trapezoid: received a bool input for `y`, but bool is not "
                           "supported")
    if not y.dtype.is_floating_point:  # the result is floating (a division by 2)
        y = y._to(dtypes.get_default_dtype(), None)
    if x is None:
        ends = ew.MulByNumber.apply(y.select(d, 0) + y.select(d, -1), 0.5)
        return ew.MulByNumber.apply(y.sum(d) - ends, builtins.float(1 if dx is None else dx))
    steps = _sample_steps("trapezoid", x, y.ndim, d, n)
    return ew.DivByNumber.apply((steps * (y.narrow(d, 1, n - 1) + y.narrow(d, 0, n - 1)))
                                .sum(d), 2.0)


def _sample_steps(name: str, x: Tensor, ndim: int, d: int, n: int) -> Tensor:
    """x_{i+1} − x_i along ``d`` for sample points ``x`` (1-D along ``d``, or broadcasting
    with the ``ndim``-dim samples)."""
    if x.ndim == 1:
        if x.shape[0] != n:
            raise RuntimeError(f"{name}: There must be one `x` value for each sample point")
        x = x.view(*(n if i == d else 1 for i in range(ndim)))
    elif x.ndim < ndim:
        x = x.view(*(1,) * (ndim - x.ndim), *x.shape)
    return x.narrow(d, 1, x.shape[d] - 1) - x.narrow(d, 0, x.shape[d] - 1)


def cumulative_trapezoid(y: Tensor, x: Optional[Tensor] = None, *, dx: Optional[float] = None,
                         dim: int = -1) -> Tensor:
    """The running trapezoidal rule along ``dim``: out_k = Σ_{i≤k} (x_{i+1} − x_i)·(y_i +
    y_{i+1}) / 2 (one element fewer than ``y``), with a constant spacing ``dx`` (default 1)
    when there are no sample points ``x``."""
    if y.ndim == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    d = normalize_dim(dim, y.ndim)
    n = y.shape[d]
    if not y.dtype.is_floating_point:
        y = y._to(dtypes.get_default_dtype(), None)
    pairs = y.narrow(d, 0, builtins.max(n - 1, 0)) + y.narrow(d, builtins.min(1, n),
                                                              builtins.max(n - 1, 0))
    if x is None:
        return (builtins.float(1 if dx is None else dx) / 2.0 * pairs).cumsum(d)
    return ((pairs * _sample_steps("cumulative_trapezoid", x, y.ndim, d, n)).cumsum(d)
            / 2.0)


def block_diag(*tensors: Tensor) -> Tensor:
    """The tensors (0-D as 1×1, 1-D as one row) placed along the diagonal of one matrix,
    zero elsewhere, at their common dtype; differentiable (a ``cat`` of zero-padded rows)."""
    for i, t in enumerate(tensors):
        expect_tensor(t, "block_diag", "tensors", i + 1)
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {i} has {t.ndim} dimensions")
    if not tensors:
        return zeros(1, 0)
    mats = _same_dtype([t.reshape(1, -1) if t.ndim < 2 else t for t in tensors])
    width = builtins.sum(m.shape[1] for m in mats)
    rows, left = [], 0
    for m in mats:
        height, cols = m.shape
        pad = [zeros(height, w, dtype=m.dtype, device=m.device)
               for w in (left, width - left - cols)]
        rows.append(cat([pad[0], m, pad[1]], 1))
        left += cols
    return cat(rows, 0)


def _atleast(ndim: int):  # noqa: ANN202
    """``atleast_<ndim>d``: each tensor viewed with at least ``ndim`` dims, as torch adds
    them (1-D (n) → (1, n) and (1, n, 1); 2-D (m, n) → (m, n, 1))."""
    def grow(t: Tensor) -> Tensor:
        if t.ndim >= ndim:
            return t
        if t.ndim == 0:
            return t.reshape((1,) * ndim)
        return t.unsqueeze(0) if t.ndim == 1 and ndim == 2 else \
            (t.unsqueeze(0) if t.ndim == 1 else t).unsqueeze(-1)

    def call(*tensors: Any) -> Any:
        listed = len(tensors) == 1 and isinstance(tensors[0], (list, tuple))
        given = tensors[0] if listed else tensors
        for t in given:
            expect_tensor(t, f"atleast_{ndim}d")
        out = tuple(grow(t) for t in given)
        return out if listed or len(out) != 1 else out[0]

    call.__name__ = f"atleast_{ndim}d"
    call.__doc__ = f"Each tensor with at least {ndim} dims (one tensor, or a tuple of them)."
    return call


atleast_1d, atleast_2d, atleast_3d = _atleast(1), _atleast(2), _atleast(3)


def vander(x: Tensor, N: Optional[int] = None, increasing: bool = False) -> Tensor:  # noqa: N803
    """The Vandermonde matrix of the 1-D ``x``: column j is x^(N−1−j) (x^j when
    ``increasing``), N = len(x) by default; integer inputs give int64. The powers are a
    ``cumprod``, so differentiable."""
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    x = x._to(dtypes.promote_types(x.dtype, dtypes.int64), None)
    columns = [ones_like(x).unsqueeze(1)[:, :builtins.min(n, 1)]]
    if n > 1:
        columns.append(x.unsqueeze(1).expand(x.shape[0], n - 1).cumprod(1))
    result = cat(columns, 1)
    return result if increasing else result.flip(1)


trapz = trapezoid


def from_dlpack(ext: Any) -> Tensor:
    """Wrap an object that speaks DLPack (NumPy, torch, CuPy) without copying when possible."""
    if hasattr(ext, "__dlpack_device__") and ext.__dlpack_device__()[0] == 2:  # CUDA
        import cupy

        return Tensor._wrap(cupy.from_dlpack(ext))
    return Tensor._wrap(np.from_dlpack(ext))



def is_nonzero(input: Tensor) -> bool:
    if input.numel() != 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous"
                           if input.numel() else
                           "Boolean value of Tensor with no values is ambiguous")
    return bool(input.item())


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along dim 1 (dim 0 for 1-D tensors)."""
    tensors = [t.reshape(1) if t.ndim == 0 else t for t in tensors]
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along dim 0, 1-D tensors becoming rows."""
    return cat([t.reshape(1, -1) if t.ndim < 2 else t for t in tensors], 0)


row_stack = vstack


def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along dim 1, 0-d and 1-D tensors (n elements) first made columns (n, 1)."""
    expect_tensor_list(tensors, "column_stack")
    if not tensors:
        raise RuntimeError("column_stack expects a non-empty TensorList")
    return hstack([t.reshape(t.numel(), 1) if t.ndim <= 1 else t for t in tensors])


def dstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along dim 2 (depth), each tensor first seen with at least 3 dims."""
    expect_tensor_list(tensors, "dstack")
    if not tensors:
        raise RuntimeError("dstack expects a non-empty TensorList")
    return cat([atleast_3d(t) for t in tensors], 2)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """Every combination of one element from each 1-D tensor, in row-major order: row r of
    the (∏ nᵢ, k) result is (a[i], b[j], …) for r = i·n_b·… + j·… (one tensor: itself)."""
    for t in tensors:
        if t.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    return stack([g.flatten() for g in meshgrid(*tensors, indexing="ij")], 1)


def broadcast_to(input: Tensor, size: Sequence[int]) -> Tensor:
    return input.expand(*size)


def broadcast_tensors(*tensors: Tensor) -> Tuple[Tensor, ...]:
    target: Tuple[int, ...] = ()
    for t in tensors:
        target = broadcast_shapes(target, t.shape)
    return tuple(t.expand(*target) for t in tensors)


def meshgrid(*tensors: Any, indexing: Optional[str] = None) -> Tuple[Tensor, ...]:
    """Coordinate grids: with ``indexing='ij'`` (the default) output i varies along dim i."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape_ = [t.numel() for t in tensors]
    if indexing == "xy" and len(tensors) >= 2:
        shape_[0], shape_[1] = shape_[1], shape_[0]
    out = []
    for i, t in enumerate(tensors):
        axis = i
        if indexing == "xy" and i < 2 and len(tensors) >= 2:
            axis = 1 - i
        view = [1] * len(tensors)
        view[axis] = t.numel()
        out.append(t.reshape(view).expand(*shape_))
    return tuple(out)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0) -> Tensor:
    """Pairwise p-norm distances between the rows of ``x1`` (.., P, M) and ``x2`` (.., R, M)."""
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return diff.norm(p=p, dim=-1)


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    return (input - other).norm(p=p)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Any = None) -> Tensor:
    """Draw category indices with probabilities proportional to the rows of ``input``."""
    from minitorch.random import rng

    probs = input.detach().cpu()._data.astype(np.float64)
    out = draw_categories(probs.reshape(-1, probs.shape[-1]), num_samples, replacement,
                          rng(generator))
    return Tensor._wrap(out.reshape(probs.shape[:-1] + (num_samples,)))._to(None, input.device)


def draw_categories(rows: np.ndarray, num_samples: int, replacement: bool,
                    g: np.random.Generator) -> np.ndarray:
    """``num_samples`` category indices per row of the (k, n) weights ``rows``, as int64
    (k, num_samples), with torch's checks and their words (which differ between its two
    kernels). Without replacement (or for one sample) torch's exponential race: each
    category's key is wᵢ / Eᵢ, Eᵢ ~ Exp(1), and the largest keys win, in order (categories
    of weight 0 come last); with replacement, independent draws of P(i) = wᵢ / Σw."""
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if not replacement or num_samples == 1:
        if (rows < 0).any() or not np.isfinite(rows).all():
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element "
                               "< 0")
        if (rows.sum(axis=1) <= 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        keys = rows / g.exponential(1.0, rows.shape)
        return np.argsort(-keys, axis=1, kind="stable")[:, :num_samples].astype(np.int64)
    for r in rows:
        bad = np.flatnonzero(~(r >= 0) | np.isinf(r))
        if bad.size:
            word = "< 0" if not r[bad[0]] >= 0 else "= infinity or NaN"
            raise RuntimeError(f"invalid multinomial distribution (encountering probability "
                               f"entry {word})")
        if not r.sum() > 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    return np.stack([g.choice(rows.shape[1], num_samples, p=r / r.sum())
                     for r in rows]).astype(np.int64)


def bernoulli(input: Tensor, *, generator: Any = None) -> Tensor:
    """0/1 draws with the probabilities in ``input``."""
    from minitorch.random import rng

    draws = rng(generator).random(input.shape) < input.detach().cpu()._data
    return Tensor._wrap(draws.astype(input._data.dtype))._to(None, input.device)


@quietly  # float64 draws beyond float32's range become ±inf, as in torch
def normal(mean: Any, std: Any = 1.0, size: Optional[Sequence[int]] = None, *,
           generator: Any = None) -> Tensor:
    """Normal draws with the given mean(s) and standard deviation(s)."""
    from minitorch.random import rng

    m = mean.detach().cpu()._data if isinstance(mean, Tensor) else mean
    s = std.detach().cpu()._data if isinstance(std, Tensor) else std
    shape_ = tuple(size) if size is not None else np.broadcast(np.asarray(m), np.asarray(s)).shape
    out = rng(generator).normal(m, s, shape_)
    like = mean if isinstance(mean, Tensor) else std if isinstance(std, Tensor) else None
    return Tensor._wrap(out.astype(like._data.dtype if like is not None
                                   else dtypes.get_default_dtype().np))


@quietly  # base ** 40 in float32 is inf
def logspace(start: float, end: float, steps: int, base: float = 10.0, *, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    from minitorch.creation import tensor

    return tensor(np.logspace(start, end, steps, base=base).astype(
        (dtypes.to_dtype(dtype) or dtypes.get_default_dtype()).np), device=device,
        requires_grad=requires_grad)


def randint_like(input: Tensor, low: int = 0, high: Optional[int] = None, *,
                 dtype: Any = None) -> Tensor:
    from minitorch.creation import randint

    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), dtype=dtype or input.dtype,
                   device=input.device)


def seed() -> int:
    """Seed the default generator from the operating system's entropy; returns the seed."""
    import os

    from minitorch.random import manual_seed

    s = int.from_bytes(os.urandom(8), "little") >> 1
    manual_seed(s)
    return s


def var_mean(input: Tensor, dim: Any = None, unbiased: Optional[bool] = None,
             keepdim: bool = False, *, correction: Optional[float] = None
             ) -> Tuple[Tensor, Tensor]:
    """(var, mean) over ``dim``, as ``var`` takes its arguments; one node for both."""
    return _spread_and_mean(input, "var_mean", dim, unbiased, keepdim, correction)


def std_mean(input: Tensor, dim: Any = None, unbiased: Optional[bool] = None,
             keepdim: bool = False, *, correction: Optional[float] = None
             ) -> Tuple[Tensor, Tensor]:
    """(std, mean) over ``dim``, as ``std`` takes its arguments; one node for both."""
    return _spread_and_mean(input, "std_mean", dim, unbiased, keepdim, correction)


def _spread_and_mean(input: Tensor, name: str, dim: Any, unbiased: Optional[bool],
                     keepdim: bool, correction: Optional[float]) -> Tuple[Tensor, Tensor]:
    from minitorch.autograd.ops import reduction

    if not input.dtype.is_floating_point:
        raise RuntimeError(f"{name} only support floating point and complex dtypes")
    op = reduction.VarMean if name == "var_mean" else reduction.StdMean
    return input._spread(op, dim, unbiased, keepdim, correction)


# -- integer results, no gradient ---------------------------------------------------------------
def _indices_result(array: np.ndarray, device: Any) -> Tensor:
    from minitorch.creation import tensor

    return tensor(array.astype(np.int64), device=device)


def _triangle_indices(name: str, row: int, col: int, offset: int, dtype: Any,
                      device: Any) -> Tensor:
    """The (2, N) coordinates of a row × col matrix's lower (``tril``) or upper triangle from
    diagonal ``offset``, in row-major order."""
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    wanted = dtypes.to_dtype(dtype) if dtype is not None else dtypes.int64
    if wanted is not dtypes.int64:
        raise NotImplementedError(f'"{name}" not implemented for \'{_kind_name(wanted)}\'')
    maker = np.tril_indices if name == "tril_indices" else np.triu_indices
    return _indices_result(np.stack(maker(row, offset, col)).reshape(2, -1), device)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None,
                 device: Any = None) -> Tensor:
    """Coordinates of the lower triangle (on and below diagonal ``offset``) of a row × col
    matrix: a (2, N) int64 tensor, row-major."""
    return _triangle_indices("tril_indices", row, col, offset, dtype, device)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None,
                 device: Any = None) -> Tensor:
    """Coordinates of the upper triangle (on and above diagonal ``offset``)."""
    return _triangle_indices("triu_indices", row, col, offset, dtype, device)


def _host(value: Any) -> Any:
    """A tensor's values as a host array; a number as is."""
    return value.detach().cpu()._data if isinstance(value, Tensor) else value


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False,
         invert: bool = False) -> Tensor:
    """``elements[i] in test_elements`` for every element (a bool tensor shaped as
    ``elements``); either one may be a number, not both."""
    like = elements if isinstance(elements, Tensor) else test_elements
    if not isinstance(like, Tensor):
        raise TypeError(f"isin() received an invalid combination of arguments - got "
                        f"({type(elements).__name__}, {type(test_elements).__name__}), but "
                        f"expected one of:\n * (Tensor elements, Tensor test_elements)\n"
                        f" * (Number element, Tensor test_elements)\n"
                        f" * (Tensor elements, Number test_element)")
    found = np.isin(_host(elements), _host(test_elements), assume_unique=assume_unique,
                    invert=invert)
    return Tensor._wrap(np.asarray(found))._to(None, like.device)


def searchsorted(sorted_sequence: Tensor, input: Any, *, out_int32: bool = False,
                 right: bool = False, side: Optional[str] = None,
                 sorter: Optional[Tensor] = None) -> Tensor:
    """For each value v of ``input``, the index where v would be inserted into the sorted
    last dim of ``sorted_sequence`` to keep it sorted: the first i with seq[i] ≥ v
    (``right``/``side='right'``: seq[i] > v). An N-D sequence pairs its rows with the rows of
    ``input`` (same leading dims); ``sorter`` sorts an unsorted sequence. The indices are
    int64, or int32 with ``out_int32``."""
    what = "torch.searchsorted(): "
    if side is not None and side not in ("left", "right"):
        raise RuntimeError(f"{what}side can only be 'left' or 'right' but got {side}")
    if side == "left" and right:
        raise RuntimeError(f"{what}side and right can't be set to opposites, got side of left "
                           f"while right was True")
    if sorted_sequence.ndim == 0:
        raise RuntimeError(f"{what}boundaries tensor should have positive dimension, but got 0 "
                           f"dimension")
    seq = _host(sorted_sequence)
    values = np.asarray(_host(input))
    if seq.ndim > 1 and values.ndim == 0:
        raise RuntimeError(f"{what}input value can be a scalar only when boundaries tensor "
                           f"dimension is 1, but we got boundaries tensor dim({seq.ndim}) and "
                           f"input value's dim(0) numel(1)")
    if seq.ndim > 1 and seq.shape[:-1] != values.shape[:-1]:
        raise RuntimeError(f"{what}boundaries tensor should be 1 dimension or the first N-1 "
                           f"dimensions of boundaries tensor and input value tensor must "
                           f"match, but we got boundaries tensor {list(seq.shape)} and input "
                           f"value tensor {list(values.shape)}")
    if sorter is not None:
        if sorter.dtype is not dtypes.int64:
            raise RuntimeError(f"{what}sorter must be a tensor of long dtype but got dtype "
                               f"{_kind_name(sorter.dtype)}")
        order = _host(sorter)
        if order.shape != seq.shape:
            raise RuntimeError(f"{what}boundary and sorter must have the same size, but got "
                               f"boundary tensor {list(seq.shape)}and got sorter tensor "
                               f"{list(order.shape)}")
        if order.size and (order.min() < 0 or order.max() >= seq.shape[-1]):
            raise RuntimeError(f"{what}sorter index out of range")
        seq = np.take_along_axis(seq, order, axis=-1)
    how = "right" if right or side == "right" else "left"
    if seq.ndim == 1:
        found = np.searchsorted(seq, values, side=how)
    else:
        rows, wanted = seq.reshape(-1, seq.shape[-1]), values.reshape(-1, values.shape[-1])
        found = np.stack([np.searchsorted(r, v, side=how) for r, v in zip(rows, wanted)])
    like = sorted_sequence if not isinstance(input, Tensor) else input
    result = _indices_result(np.asarray(found).reshape(values.shape), like.device)
    return result._to(dtypes.int32, None) if out_int32 else result


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False,
              right: bool = False) -> Tensor:
    """The bucket of each value of ``input`` among the sorted 1-D ``boundaries``: i with
    boundaries[i-1] < v ≤ boundaries[i] (``right``: boundaries[i-1] ≤ v < boundaries[i])."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)
