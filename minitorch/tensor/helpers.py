"""Argument checks and dtype promotion shared by the tensor methods (``Tensor`` is bound
here once the class exists)."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional, Sequence, Tuple

import numpy as np

from minitorch import dtypes
from minitorch.autograd.ops import division, linalg, products
from minitorch.autograd.ops import elementwise as ew
from minitorch.foreign import expect_tensor
from minitorch.fperrors import quietly
from minitorch.shapes import broadcast_shapes, check_python_int, normalize_dim, normalize_dims

if TYPE_CHECKING:
    from minitorch.tensor.core import Tensor


@quietly  # 1e300 → float32 is inf, silently, as in torch
def _as_array(value: Any, dtype: Optional[dtypes.dtype] = None) -> np.ndarray:
    """Python data or an ndarray → a NumPy array of one of minitorch's dtypes."""
    if isinstance(value, Tensor):
        value = value.detach().cpu()._data
    if isinstance(value, (list, tuple)) and any(isinstance(v, Tensor) for v in value):
        value = [_as_array(v) for v in value]
    arr = np.asarray(value)
    if not isinstance(value, (np.ndarray, np.generic)) and (arr.dtype.kind in "uO" or (
            arr.dtype.kind == "f" and arr.size and np.abs(arr).max() >= 2.0 ** 63)):
        # Python ints beyond int64: NumPy would wrap 2**63 to -2**63 or make an object array
        arr = np.asarray(value, dtype=np.float64) if check_python_int(
            value, dtype is not None and dtype.is_floating_point) else arr
    if dtype is not None and dtype.is_integral and dtype is not dtypes.int64 and arr.size and \
            arr.dtype.kind in "iuf" and not isinstance(value, (np.ndarray, np.generic)):
        _check_fits(arr, dtype)
    target = dtype
    if target is None:
        if arr.dtype.kind == "f" and not isinstance(value, (np.ndarray, np.generic)):
            target = dtypes.get_default_dtype()  # Python floats become float32, as in torch
        elif arr.dtype.kind == "c" and not isinstance(value, (np.ndarray, np.generic)):
            target = dtypes.default_complex()  # Python complex numbers: complex64
        else:
            target = dtypes.from_numpy_dtype(arr.dtype)
    return arr.astype(target.np, copy=False)


def _check_fits(arr: np.ndarray, dtype: dtypes.dtype) -> None:
    """torch's refusal of Python numbers outside a narrow integer type's range."""
    info = np.iinfo(dtype.np)
    if arr.min() < info.min or arr.max() > info.max:
        raise RuntimeError(f"value cannot be converted to type {dtype.name} without overflow")


# ------------------------------------------------------------------------- helpers
def _tensor_like(value: Any, like: Tensor) -> Tensor:
    """Wrap a Python number or array as a tensor on ``like``'s device."""
    if isinstance(value, Tensor):
        return value
    t = Tensor._wrap(_as_array(value))
    return t._to(None, like.device) if like.is_cuda else t


def _promote(a: Tensor, other: Any, true_divide: bool = False,
             elementwise: bool = True) -> Tuple[Tensor, Any]:
    """Cast the operands of a binary op to PyTorch's result dtype (``dtypes.result_type``;
    and, for an elementwise op, check that their shapes broadcast). A Python number stays a
    number (NumPy keeps the array's dtype for it); an integer one is first wrapped to an
    integral result type, as torch converts it (``uint8 + 1000`` adds 1000 mod 256)."""
    if isinstance(other, Tensor):
        if a._data.dtype == other._data.dtype and (not true_divide or a._data.dtype.kind == "f"):
            # the common case, nothing to cast: only the shapes to check
            if elementwise and a._data.shape != other._data.shape:
                broadcast_shapes(a.shape, other.shape)
            return a, other
        if elementwise:
            broadcast_shapes(a.shape, other.shape)
    elif isinstance(other, (int, float, bool, complex, np.number, np.bool_)):
        other = other.item() if isinstance(other, (np.number, np.bool_)) else other
        if a._data.dtype.kind == "f" and type(other) is not complex:
            return a, other  # the common case: a real number never widens a float tensor
    else:
        return _promote(a, _tensor_like(other, a), true_divide, elementwise)
    target = dtypes.result_type(a, other)
    if true_divide and not (target.is_floating_point or target.is_complex):
        target = dtypes.get_default_dtype()
    a = a._to(target, None) if a.dtype is not target else a
    if isinstance(other, Tensor):
        if other.dtype is not target:
            other = other._to(target, None)
    else:
        other = _scalar_as(other, target)
    return a, other


def _scalar_as(value: Any, dtype: dtypes.dtype) -> Any:
    """A Python number as torch converts it for an op in ``dtype``: an int in a narrower
    integral type wraps modulo 2^bits (``uint8 + 1000`` adds 232); anything else stays."""
    if type(value) is int and dtype.is_integral and dtype is not dtypes.int64:
        return np.array(value).astype(dtype.np)[()]
    return value


#: the index dtypes gather/scatter/index_select/index_add/embedding and ``t[index]`` take
INDEX_DTYPES = (dtypes.int64, dtypes.int32)


def _index_array(index: Tensor) -> Any:
    """An index tensor's array as int64, the kernels' index type."""
    data = index._data
    return data if data.dtype == np.int64 else data.astype(np.int64)


# the kernel torch names for bool operands, the NumPy/CuPy function for integers
_DIVISION_KERNELS = {division.FloorDivide: ("div_floor_cpu", "floor_divide"),
                     division.DivFloor: ("div_floor_cpu", "floor_divide"),
                     division.DivTrunc: ("div_trunc_cpu", "trunc_divide"),
                     division.Remainder: ("remainder_cpu", "remainder"),
                     division.Fmod: ("fmod_cpu", "fmod")}


def _rounding_op(rounding_mode: str) -> type:
    """The Function of ``div``'s ``rounding_mode``."""
    if rounding_mode == "floor":
        return division.DivFloor
    if rounding_mode == "trunc":
        return division.DivTrunc
    raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                       f"found '{rounding_mode}'")


def _check_inplace_result_type(t: Tensor, other: Any, op: type) -> None:
    """torch refuses an in-place op whose result type cannot be stored in ``t``."""
    if isinstance(other, (np.number, np.bool_)):
        other = other.item()
    if not isinstance(other, (Tensor, bool, int, float)):
        return
    result = dtypes.result_type(t, other)
    if op is ew.Div and not (result.is_floating_point or result.is_complex):
        result = dtypes.get_default_dtype()
    _check_cast(result, t, op.__name__.lower())


def _check_cast(result: dtypes.dtype, t: Tensor, op: str) -> None:
    """torch refuses to store a float result in an integral tensor, or a non-bool in a bool
    (``dtypes.can_cast``)."""
    if not dtypes.can_cast(result, t.dtype):
        raise RuntimeError(f"result type {_kind_name(result)} can't be cast to the desired "
                           f"output type {_kind_name(t.dtype)} (in-place {op} on a tensor of "
                           f"size {list(t.shape)})")


def _dims(dim: Any, ndim: int, one_at_a_time: bool = False) -> Optional[Tuple[int, ...]]:
    """A reduction's ``dim`` argument as wrapped dims (None: every dim); see
    ``shapes.normalize_dims`` for the two orders in which torch checks a list."""
    if dim is None:
        return None
    if isinstance(dim, int):
        d = normalize_dim(dim, ndim)  # a 0-d tensor accepts -1 and 0 only
        return (d,) if ndim else None
    dims = normalize_dims(tuple(dim), ndim, one_at_a_time=one_at_a_time)
    return dims if dims and ndim else None


def _infer_shape(args: Sequence[Any], numel: int) -> Tuple[int, ...]:
    sizes = tuple(args[0]) if len(args) == 1 and not isinstance(args[0], int) else tuple(args)
    sizes = tuple(int(s) for s in sizes)
    if sizes.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in sizes:
        if s != -1:
            known *= s
    if -1 in sizes:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(sizes)}' is invalid for input of size {numel}")
        sizes = tuple(numel // known if s == -1 else s for s in sizes)
    elif known != numel:
        raise RuntimeError(f"shape '{list(sizes)}' is invalid for input of size {numel}")
    return sizes


def _no_bool_subtraction(a: Tensor, b: Any) -> None:
    if a.dtype is dtypes.bool_ and (isinstance(b, bool) or (isinstance(b, Tensor) and
                                                            b.dtype is dtypes.bool_)):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")


@contextlib.contextmanager
def _integer_power_errors() -> Iterator[None]:
    """NumPy's ValueError for an integer to a negative integer power → torch's RuntimeError."""
    try:
        yield
    except ValueError as e:
        if "negative integer powers" not in str(e):
            raise
        raise RuntimeError("Integers to negative integer powers are not allowed.") from None


def _expand_target(have: Tuple[int, ...], sizes: Tuple[int, ...]) -> Tuple[int, ...]:
    """The shape ``expand(*sizes)`` gives a tensor of shape ``have`` (-1 keeps a dim), with
    torch's errors when it cannot."""
    if len(sizes) < len(have):
        raise RuntimeError(f"expand(minitorch.FloatTensor{{{list(have)}}}, size={list(sizes)}): "
                           f"the number of sizes provided ({len(sizes)}) must be greater or "
                           f"equal to the number of dimensions in the tensor ({len(have)})")
    lead = len(sizes) - len(have)
    target = tuple(have[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    for i, (size, want) in enumerate(zip(have, target[lead:])):
        if size != want and size != 1:
            raise RuntimeError(f"The expanded size of the tensor ({want}) must match the "
                               f"existing size ({size}) at non-singleton dimension "
                               f"{i + lead}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                               f"{list(have)}")
    return target


def _convert_index(index: Any) -> Any:
    """Tensor/list indices → arrays, so NumPy's indexing rules apply."""
    if isinstance(index, tuple):
        return tuple(_convert_index(i) for i in index)
    if isinstance(index, Tensor):
        if index.dtype not in (*INDEX_DTYPES, dtypes.bool_, dtypes.uint8):
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        if index.dtype is dtypes.uint8:  # torch: a mask, with a deprecation warning
            import warnings

            warnings.warn("indexing with dtype minitorch.uint8 is now deprecated, please use a "
                          "dtype minitorch.bool instead.", UserWarning, stacklevel=4)
            return index._data.astype(bool)
        return index._data
    if isinstance(index, list):
        return np.asarray(index)
    return index


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """Matrix product with NumPy's broadcasting rules (``a @ b``)."""
    _check_matmul(a, b)
    # the shapes torch's matmul sends to mm, mv and dot show those nodes (MmBackward0, ...)
    op = _NAMED_PRODUCTS.get((a.ndim, b.ndim), linalg.MatMul)
    return op.apply(a, b)


def _check_matmul(a: Tensor, b: Tensor) -> None:
    """torch's checks (and messages) for ``a @ b``: dtypes, inner sizes, batch dims."""
    if not isinstance(b, Tensor):
        from minitorch.foreign import not_a_tensor

        raise not_a_tensor(b, "matmul", "other", 1)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{a.ndim}D and {b.ndim}D")
    if a.dtype != b.dtype:  # torch never promotes inside matmul
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{a.dtype.name} != {b.dtype.name} (shapes {list(a.shape)} and "
                           f"{list(b.shape)})")
    if a.dtype is dtypes.bool_:
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")
    k_a = a.shape[-1]
    k_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k_a != k_b:
        if a.ndim == 1 and b.ndim == 1:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{k_a}] and src "
                               f"[{k_b}] to have the same number of elements, but got "
                               f"{k_a} and {k_b} elements respectively")
        if b.ndim == 1:
            rows = a.numel() // max(k_a, 1)
            raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{k_a}), vec "
                               f"({k_b}) (shapes {list(a.shape)} and {list(b.shape)})")
        if a.ndim <= 2 and b.ndim <= 2:
            rows = a.shape[0] if a.ndim == 2 else 1
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k_a} and "
                               f"{k_b}x{b.shape[1]})")
        batch = 1
        for d in broadcast_shapes(a.shape[:-2], b.shape[:-2]):
            batch *= d
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{batch}, {k_a}] but got: [{batch}, {k_b}]. (shapes "
                           f"{list(a.shape)} and {list(b.shape)})")
    broadcast_shapes(a.shape[:-2], b.shape[:-2])  # batch dims must broadcast


_NAMED_PRODUCTS = {(2, 2): products.Mm, (2, 1): products.Mv, (1, 1): products.Dot}


def _xp_of(array: Any) -> Any:
    """NumPy for host arrays, CuPy for device arrays."""
    if isinstance(array, np.ndarray):
        return np
    import cupy

    return cupy


def _raw(value: Any) -> Any:
    return value._data if isinstance(value, Tensor) else value


def _size_arg(size: Sequence[Any]) -> Tuple[int, ...]:
    if len(size) == 1 and not isinstance(size[0], (int, np.integer)):
        return tuple(int(s) for s in size[0])
    return tuple(int(s) for s in size)


def _floating_only(t: Tensor, op: str) -> None:
    """torch's error for an op whose kernel has no integer or bool version."""
    if not t.dtype.is_floating_point:
        raise NotImplementedError(f'"{op}_cpu" not implemented for \'{_kind_name(t.dtype)}\'')


def _kind_name(d: dtypes.dtype) -> str:
    """PyTorch's name of ``d`` in its kernels' errors: Float, Double, Half, Long, Int, ..."""
    return d.kind


def _scalar_name(d: dtypes.dtype) -> str:
    """PyTorch's C++ scalar-type name: float, double, long int, bool, ..."""
    return d.scalar_name


def _check_same_dtype(what: str, a: Tensor, b: Tensor) -> None:
    if a.dtype != b.dtype:
        raise RuntimeError(f"{what} must have the same dtype, but got {_kind_name(a.dtype)} "
                           f"and {_kind_name(b.dtype)}")


def _check_bmm(batch1: Tensor, batch2: Tensor) -> None:
    for name, t in (("batch1", batch1), ("batch2", batch2)):
        if t.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")


def _check_mv(input_ndim: int, mat: Tensor, vec: Tensor) -> None:
    """mv's and addmv's ranks: a vector (or, for addmv's input, a number), a matrix, a
    vector."""
    if input_ndim > 1 or mat.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input_ndim}, {mat.ndim}, "
                           f"{vec.ndim}")


def _check_vectors(op: str, *named: Tuple[str, Tensor]) -> None:
    for name, t in named:
        if t.ndim != 1:
            raise RuntimeError(f"{op}: Expected 1-D argument {name}, but got {t.ndim}-D")


def expect_tensors(op: str, tensor1: Any, tensor2: Any, first: int = 1) -> None:
    """addcmul's and addcdiv's operands must be tensors (torch's TypeError, counting
    positions from ``first``)."""
    expect_tensor(tensor1, op, "tensor1", first)
    expect_tensor(tensor2, op, "tensor2", first + 1)


_ADDCDIV_INTEGERS = (
    "Integer division with addcdiv is no longer supported, and in a future  release addcdiv "
    "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can "
    "be implemented as (input + value * minitorch.trunc(tensor1 / tensor2)).to(input.dtype) for "
    "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
    "addcdiv behavior is just the latter implementation: (input + value * tensor1 / "
    "tensor2), for all dtypes.")
_CROSS_DEFAULT_DIM = (
    "Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the "
    "dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will change "
    "to agree with that of linalg.cross in a future release.")


def _same_mm_dtype(a: Tensor, b: Tensor) -> None:
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_kind_name(a.dtype)} but found "
                           f"{_kind_name(b.dtype)}")


def _inplace_form(name: str) -> Callable[..., Tensor]:
    """``t.<name>_(...)``: ``t.<name>(...)`` written into ``t``, which takes over its node;
    refused when the result's dtype cannot be stored in ``t`` (a float into an integer)."""

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        if name.startswith("addc") and len(args) == 2:
            expect_tensors(f"{name}_", *args)
        self._check_inplace()
        result = getattr(self._original(), name)(*args, **kwargs)
        _check_cast(result.dtype, self, name)
        return self._inplace(result)

    method.__name__ = method.__qualname__ = f"{name}_"
    method.__doc__ = f"In-place ``{name}``: the result is written into this tensor."
    return method


def _scaled(t: Tensor, other: Any, alpha: Any) -> Any:
    """``alpha · other`` for ``add``/``sub`` (and their in-place forms); torch refuses a
    float alpha when both operands are integral."""
    if isinstance(alpha, Tensor):
        alpha = alpha.item()
    if isinstance(alpha, float) and not t.dtype.is_floating_point and not (
            isinstance(other, Tensor) and other.dtype.is_floating_point or
            isinstance(other, float)):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    if alpha is None or alpha == 1 or (t.dtype is dtypes.bool_ and alpha and isinstance(
            other, Tensor) and other.dtype is dtypes.bool_):
        return other  # (two bools add in bool: alpha·b is b for any alpha ≠ 0)
    return other * alpha
