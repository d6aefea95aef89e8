"""``minitorch.testing``: ``assert_close`` and ``make_tensor``, as in ``torch.testing``.

``assert_close(actual, expected)`` passes when every pair of elements satisfies

    |actual - expected| <= atol + rtol · |expected|

(NaN never equals NaN unless ``equal_nan``), after checking that the shapes, devices and
dtypes agree. Without explicit tolerances, each dtype brings its own: roughly the rounding
error a few float operations accumulate in that precision (float32: rtol 1.3e-6, atol 1e-5;
float64: 1e-7 for both), and exact equality for integers and booleans.

Inputs may be tensors, NumPy arrays, Python numbers and booleans, None, or sequences and
mappings of them, compared item by item; a failure names the item. The message reports how
many elements mismatch and where the greatest absolute and relative differences are.
"""

from __future__ import annotations

import cmath
import collections.abc
import math
import warnings
from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

import numpy as np

from minitorch import dtypes
from minitorch.tensor import Tensor

__all__ = ["assert_close", "make_tensor"]

#: dtype → (rtol, atol) when the caller gives neither; other dtypes compare exactly.
_DTYPE_PRECISIONS = {
    dtypes.float16: (0.001, 1e-5),
    dtypes.float32: (1.3e-6, 1e-5),
    dtypes.float64: (1e-7, 1e-7),
}
#: a Python number compares with the tolerances of this dtype (complex: complex128's, the
#: same as float64's)
_NUMBER_DTYPES = {int: dtypes.int64, float: dtypes.float64, complex: dtypes.float64}


class _Failure(Exception):
    """A comparison that failed: the exception type to raise, its message, and the position
    (``id``) of the failing item inside nested sequences and mappings."""

    def __init__(self, kind: type, msg: str, id: Tuple[Any, ...] = ()) -> None:
        super().__init__(msg)
        self.kind, self.msg, self.id = kind, msg, id

    def to_error(self, msg: Union[str, Callable[[str], str], None]) -> Exception:
        if isinstance(msg, str):
            return self.kind(msg)
        text = self.msg
        if self.id:
            text += "\n\nThe failure occurred for item " + "".join(str([i]) for i in self.id)
        return self.kind(msg(text) if callable(msg) else text)


# -------------------------------------------------------------------------- tolerances
def _tolerances(dts: Sequence[Any], rtol: Optional[float], atol: Optional[float],
                id: Tuple[Any, ...]) -> Tuple[float, float]:
    """The caller's (rtol, atol), or the loosest defaults of the dtypes compared."""
    if (rtol is None) != (atol is None):
        raise _Failure(ValueError, "Both 'rtol' and 'atol' must be either specified or "
                       f"omitted, but got no {'rtol' if rtol is None else 'atol'}.", id)
    if rtol is not None:
        return rtol, atol  # type: ignore[return-value]
    pairs = [_DTYPE_PRECISIONS.get(d, (0.0, 0.0)) for d in dts]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _mismatch_msg(what: str, extra: str, equality: bool, abs_diff: Any, rel_diff: Any,
                  abs_idx: Optional[Tuple[int, ...]], rel_idx: Optional[Tuple[int, ...]],
                  rtol: float, atol: float) -> str:
    """``"<what> are not close!"``, ``extra``, then the greatest absolute and relative
    differences (with the tolerances, unless the comparison is exact)."""
    def line(kind: str, diff: Any, idx: Optional[Tuple[int, ...]], tol: float) -> str:
        text = (f"{kind.title()} difference: {diff}" if idx is None
                else f"Greatest {kind} difference: {diff} at index {idx}")
        return text + ("" if equality else f" (up to {tol} allowed)") + "\n"
    msg = f"{what} are not {'equal' if equality else 'close'}!\n\n{extra.strip()}\n"
    msg += line("absolute", abs_diff, abs_idx, atol) + line("relative", rel_diff, rel_idx, rtol)
    return msg.strip()


def _scalar_msg(actual: Any, expected: Any, rtol: float, atol: float) -> str:
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_msg("Scalars", f"Expected {expected} but got {actual}.",
                         rtol == 0 and atol == 0, abs_diff, rel_diff, None, None, rtol, atol)


# ----------------------------------------------------------------------------- pairs
def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float, complex, np.number)) and not isinstance(x, (bool, np.bool_))


def _pairs(actual: Any, expected: Any, id: Tuple[Any, ...]) -> List[Tuple[Any, Any, Tuple]]:
    """Walk nested sequences and mappings in step; the leaf pairs with their positions."""
    def is_seq(x: Any) -> bool:
        return isinstance(x, collections.abc.Sequence) and not isinstance(x, str)
    if is_seq(actual) and is_seq(expected):
        if len(actual) != len(expected):
            raise _Failure(AssertionError, "The length of the sequences mismatch: "
                           f"{len(actual)} != {len(expected)}", id)
        return [p for i in range(len(actual)) for p in _pairs(actual[i], expected[i], (*id, i))]
    if isinstance(actual, collections.abc.Mapping) and \
            isinstance(expected, collections.abc.Mapping):
        a_keys, e_keys = set(actual), set(expected)
        if a_keys != e_keys:
            raise _Failure(AssertionError, "The keys of the mappings do not match:\n"
                           f"Missing keys in the actual mapping: {sorted(e_keys - a_keys)}\n"
                           "Additional keys in the actual mapping: "
                           f"{sorted(a_keys - e_keys)}", id)
        try:
            keys: Any = sorted(a_keys)
        except TypeError:
            keys = a_keys
        return [p for k in keys for p in _pairs(actual[k], expected[k], (*id, k))]
    handled = (actual is None or expected is None
               or isinstance(actual, (bool, np.bool_)) and isinstance(expected, (bool, np.bool_))
               or _is_number(actual) and _is_number(expected)
               or _as_tensor_pair(actual, expected) is not None)
    if not handled:
        raise _Failure(TypeError, "No comparison pair was able to handle inputs of type "
                       f"{type(actual)} and {type(expected)}.", id)
    return [(actual, expected, id)]


def _as_tensor_pair(actual: Any, expected: Any) -> Optional[Tuple[Tensor, Tensor]]:
    """Two tensor-likes of related types (tensors, or arrays) as tensors; else None."""
    from minitorch.creation import as_tensor

    if not (isinstance(actual, type(expected)) or isinstance(expected, type(actual))):
        return None
    if isinstance(actual, Tensor):
        return actual, expected
    try:
        return as_tensor(actual), as_tensor(expected)
    except Exception:
        return None


def _compare(actual: Any, expected: Any, id: Tuple[Any, ...], rtol: Optional[float],
             atol: Optional[float], equal_nan: bool, check_device: bool, check_dtype: bool,
             check_stride: bool, allow_subclasses: bool) -> None:
    if actual is None or expected is None:
        if not (actual is None and expected is None):
            raise _Failure(AssertionError, f"None mismatch: {actual} is not {expected}", id)
    elif isinstance(actual, (bool, np.bool_)):
        if bool(actual) is not bool(expected):
            raise _Failure(AssertionError, f"Booleans mismatch: {actual} is not {expected}", id)
    elif _is_number(actual):
        _compare_numbers(actual, expected, id, rtol, atol, equal_nan, check_dtype)
    else:
        if not allow_subclasses and type(actual) is not type(expected):
            raise _Failure(TypeError, "No comparison pair was able to handle inputs of type "
                           f"{type(actual)} and {type(expected)}.", id)
        a, e = _as_tensor_pair(actual, expected)  # type: ignore[misc]
        _compare_tensors(a, e, id, rtol, atol, equal_nan, check_device, check_dtype,
                         check_stride)


def _compare_numbers(actual: Any, expected: Any, id: Tuple[Any, ...], rtol: Optional[float],
                     atol: Optional[float], equal_nan: bool, check_dtype: bool) -> None:
    actual, expected = (x.item() if isinstance(x, np.number) else x for x in (actual, expected))
    rtol, atol = _tolerances([_NUMBER_DTYPES[type(x)] for x in (actual, expected)], rtol,
                             atol, id)
    if check_dtype and type(actual) is not type(expected):
        raise _Failure(AssertionError, f"The (d)types do not match: {type(actual)} != "
                       f"{type(expected)}.", id)
    if actual == expected or (equal_nan and cmath.isnan(actual) and cmath.isnan(expected)):
        return
    diff = abs(actual - expected)
    if cmath.isfinite(diff) and diff <= atol + rtol * abs(expected):
        return
    raise _Failure(AssertionError, _scalar_msg(actual, expected, rtol, atol), id)


def _compare_tensors(actual: Tensor, expected: Tensor, id: Tuple[Any, ...],
                     rtol: Optional[float], atol: Optional[float], equal_nan: bool,
                     check_device: bool, check_dtype: bool, check_stride: bool) -> None:
    from minitorch.dtypes import promote_types

    rtol, atol = _tolerances([actual.dtype, expected.dtype], rtol, atol, id)
    checks = [("shape", True, "shape"), ("stride()", check_stride, "stride"),
              ("device", check_device, "device"), ("dtype", check_dtype, "dtype")]
    for name, wanted, attr in checks:
        got, want = (getattr(t, attr) for t in (actual, expected))
        got, want = (got(), want()) if callable(got) else (got, want)
        if wanted and got != want:
            raise _Failure(AssertionError, f"The values for attribute '{name}' do not match: "
                           f"{got} != {want}.", id)
    # what the checks let differ is made equal: both on the CPU, in their common dtype
    dtype = promote_types(actual.dtype, expected.dtype)
    a = actual.detach().cpu().to(dtype).numpy()
    e = expected.detach().cpu().to(dtype).numpy()
    with np.errstate(all="ignore"):
        matches = _isclose(a, e, rtol, atol, equal_nan)
        if matches.all():
            return
        if a.ndim == 0:
            raise _Failure(AssertionError, _scalar_msg(a.item(), e.item(), rtol, atol), id)
        raise _Failure(AssertionError, _tensor_msg(a, e, matches, rtol, atol), id)


def _isclose(a: np.ndarray, e: np.ndarray, rtol: float, atol: float,
             equal_nan: bool) -> np.ndarray:
    """Elementwise: equal, or both NaN (with ``equal_nan``), or within the tolerance (only
    for a finite difference: inf is close only to the same inf)."""
    close = a == e
    if a.dtype.kind == "f":
        if equal_nan:
            close |= np.isnan(a) & np.isnan(e)
        if rtol or atol:
            diff = np.abs(a - e)
            close |= np.isfinite(diff) & (diff <= atol + np.abs(rtol * e))
    elif rtol or atol:
        close |= np.abs(a.astype(np.int64) - e.astype(np.int64)) <= atol + np.abs(rtol * e)
    return close


def _tensor_msg(a: np.ndarray, e: np.ndarray, matches: np.ndarray, rtol: float,
                atol: float) -> str:
    """How many elements mismatch, and the greatest absolute and relative differences among
    them with their indices (integers compared as int64, their ratio as float32)."""
    total, bad = matches.size, int(matches.size - matches.sum())
    if a.dtype.kind != "f":
        a, e = a.astype(np.int64).ravel(), e.astype(np.int64).ravel()
        abs_diff = np.abs(a - e)
        rel_diff = abs_diff.astype(np.float32) / np.abs(e).astype(np.float32)
    else:
        a, e = a.ravel(), e.ravel()
        abs_diff = np.abs(a - e)
        rel_diff = abs_diff / np.abs(e)
    flat = matches.ravel()
    abs_diff[flat], rel_diff[flat] = 0, 0
    abs_i, rel_i = int(np.argmax(abs_diff)), int(np.argmax(rel_diff))
    return _mismatch_msg("Tensor-likes", f"Mismatched elements: {bad} / {total} "
                         f"({bad / total:.1%})", rtol == 0 and atol == 0,
                         abs_diff[abs_i].item(), rel_diff[rel_i].item(),
                         tuple(int(i) for i in np.unravel_index(abs_i, matches.shape)),
                         tuple(int(i) for i in np.unravel_index(rel_i, matches.shape)),
                         rtol, atol)


def assert_close(actual: Any, expected: Any, *, allow_subclasses: bool = True,
                 rtol: Optional[float] = None, atol: Optional[float] = None,
                 equal_nan: bool = False, check_device: bool = True, check_dtype: bool = True,
                 check_layout: bool = True, check_stride: bool = False,
                 msg: Union[str, Callable[[str], str], None] = None) -> None:
    """Raise ``AssertionError`` unless ``actual`` and ``expected`` are close (see the module
    docstring); ``msg`` replaces the message (a callable receives it and returns the new
    one). ``check_layout`` is accepted: every minitorch tensor is strided."""
    try:
        pairs = _pairs(actual, expected, ())
        for a, e, id in pairs:
            _compare(a, e, id, rtol, atol, equal_nan, check_device, check_dtype, check_stride,
                     allow_subclasses)
    except _Failure as failure:
        raise failure.to_error(msg) from None


# ------------------------------------------------------------------------- make_tensor
def make_tensor(*shape: Union[int, Sequence[int]], dtype: Any, device: Any,
                low: Optional[float] = None, high: Optional[float] = None,
                requires_grad: bool = False, noncontiguous: bool = False,
                exclude_zero: bool = False, memory_format: Any = None) -> Tensor:
    """A tensor of random values from minitorch's generator: floats uniform in
    ``[low, high)`` (default [-9, 9)), integers uniform in ``[low, high)`` (default
    [-9, 10), clamped to the dtype), booleans True or False. ``noncontiguous`` returns
    every other element of a twice-wider tensor; ``exclude_zero`` replaces zeros by 1
    (integers) or the smallest normal float."""
    from minitorch.creation import empty, randint

    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = tuple(shape[0])
    if noncontiguous and memory_format is not None:
        raise ValueError("The parameters `noncontiguous` and `memory_format` are mutually "
                         f"exclusive, but got noncontiguous={noncontiguous} and "
                         f"memory_format={memory_format}")
    floating = dtype.is_floating_point
    if requires_grad and not floating:
        raise ValueError("`requires_grad=True` is not supported for boolean and integral "
                         f"dtypes, but got dtype={dtype}")
    noncontiguous = noncontiguous and math.prod(shape) > 1  # type: ignore[arg-type]
    size = (*shape[:-1], 2 * shape[-1]) if noncontiguous else shape
    if dtype == dtypes.bool_:
        lo, hi = _interval(low, high, dtype, 0, 2, 0, 2)
        result = randint(int(lo), int(hi), size, dtype=dtype, device=device)
    elif floating:
        info = dtypes.finfo(dtype)
        lo, hi = _interval(low, high, dtype, info.min, info.max, -9, 9)
        result = empty(size, dtype=dtype, device=device)
        if hi - lo >= info.max:  # the width itself would overflow: draw half, double it
            result.uniform_(lo / 2, hi / 2).mul_(2)
        else:
            result.uniform_(lo, hi)
    else:
        info = dtypes.iinfo(dtype)
        lo, hi = _interval(low, high, dtype, info.min,
                           info.max + (dtype != dtypes.int64), -9, 10)
        result = randint(int(lo), int(hi), size, dtype=dtype, device=device)
    if noncontiguous:
        result = result[..., 1::2]
    if exclude_zero:
        result[result == 0] = dtypes.finfo(dtype).tiny if floating else 1
    if floating:
        result.requires_grad_(requires_grad)
    return result


def _interval(low: Optional[float], high: Optional[float], dtype: Any, lowest: float,
              highest: float, default_low: float, default_high: float) -> Tuple[float, float]:
    """``[low, high)`` checked and clamped to what ``dtype`` holds (integers: ceil'd)."""
    low = default_low if low is None else low
    high = default_high if high is None else high
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
    if low == high and dtype.is_floating_point:
        warnings.warn("Passing `low==high` to `torch.testing.make_tensor` for floating or "
                      "complex types is deprecated since 2.1 and will be removed in 2.3. Use "
                      "`torch.full(...)` instead.", FutureWarning, stacklevel=3)
    elif low >= high:
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    elif high < lowest or low >= highest:
        raise ValueError(f"The value interval specified by `low` and `high` is [{low}, "
                         f"{high}), but {dtype} only supports [{lowest}, {highest})")
    low, high = min(max(low, lowest), highest), min(max(high, lowest), highest)
    if not dtype.is_floating_point:
        return math.ceil(low), math.ceil(high)
    return low, high
