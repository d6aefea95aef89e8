"""The dtypes minitorch knows (the floats float16/32/64, the complex numbers complex64 and
complex128 — pairs of float32 / float64 —, the integers uint8, int8, int16, int32, int64,
and bool), and PyTorch's promotion rule between them."""

from __future__ import annotations

from typing import Any, List, Optional

import numpy as np


class dtype:  # noqa: N801 - the PyTorch name
    """A tensor element type; wraps the NumPy dtype that stores it. ``kind`` is PyTorch's
    C++ name of it as its error messages show it (``'Float'``, ``'Int'``, ``'Byte'``, ...);
    ``scalar_name`` its C++ scalar type (``float``, ``int``, ``unsigned char``, ...)."""

    def __init__(self, name: str, np_dtype: Any, kind: str, scalar_name: str) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.kind, self.scalar_name = kind, scalar_name
        self.is_floating_point = self.np.kind == "f"
        self.is_complex = self.np.kind == "c"
        self.is_signed = self.np.kind in "ifc"
        self.is_integral = self.np.kind in "iu"  # an integer type (bool is not one)
        self.itemsize = self.np.itemsize

    def __repr__(self) -> str:
        return f"minitorch.{self.name}"

    def __reduce__(self) -> str:
        return self.name


float16 = dtype("float16", np.float16, "Half", "c10::Half")
float32 = dtype("float32", np.float32, "Float", "float")
float64 = dtype("float64", np.float64, "Double", "double")
uint8 = dtype("uint8", np.uint8, "Byte", "unsigned char")
int8 = dtype("int8", np.int8, "Char", "signed char")
int16 = dtype("int16", np.int16, "Short", "short int")
int32 = dtype("int32", np.int32, "Int", "int")
int64 = dtype("int64", np.int64, "Long", "long int")
bool_ = dtype("bool", np.bool_, "Bool", "bool")
complex64 = dtype("complex64", np.complex64, "ComplexFloat", "c10::complex<float>")
complex128 = dtype("complex128", np.complex128, "ComplexDouble", "c10::complex<double>")
cfloat, cdouble = complex64, complex128
half = float16
float = float32  # noqa: A001 - torch.float is float32
double = float64
short = int16
int = int32  # noqa: A001 - torch.int is int32
long = int64

ALL = (float16, float32, float64, uint8, int8, int16, int32, int64, bool_, complex64,
       complex128)
_BY_NP = {d.np: d for d in ALL}
_default_float = [float32]


def get_default_dtype() -> dtype:
    return _default_float[0]


def default_complex() -> dtype:
    """The complex dtype that goes with the default float (complex64 for float32, complex128
    for float64): what a Python complex number becomes."""
    return complex128 if _default_float[0] is float64 else complex64


def to_complex(d: dtype) -> dtype:
    """The complex dtype of the same precision as ``d`` (float64 → complex128, any other
    non-complex type → complex64)."""
    if d.is_complex:
        return d
    return complex128 if d is float64 else complex64


def set_default_dtype(d: dtype) -> None:
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default_float[0] = d


def from_numpy_dtype(np_dtype: Any) -> dtype:
    """The minitorch dtype stored as ``np_dtype`` (NumPy's other integer and float types —
    uint16, uint32, uint64 — are refused, as torch.from_numpy refuses them)."""
    found = _BY_NP.get(np_dtype) if isinstance(np_dtype, np.dtype) else None
    if found is not None:  # an array's own dtype: every Tensor.dtype asks, keep it one lookup
        return found
    nd = np.dtype(np_dtype)
    if nd in _BY_NP:
        return _BY_NP[nd]
    raise TypeError(f"can't convert np.ndarray of type numpy.{nd.type.__name__}. The only "
                    "supported types are: float64, float32, float16, complex64, complex128, "
                    "int64, int32, int16, int8, uint64, uint32, uint16, uint8, and bool.")


def to_dtype(d: Optional[Any]) -> Optional[dtype]:
    """Accept a minitorch dtype, a NumPy dtype, or a Python type (float/int/bool)."""
    if d is None or isinstance(d, dtype):
        return d
    if d is builtins_float:
        return get_default_dtype()
    if d is builtins_int:
        return int64
    if d is builtins_bool:
        return bool_
    if d is builtins_complex:
        return default_complex()
    return from_numpy_dtype(d)


builtins_float, builtins_int, builtins_bool = type(1.0), type(1), bool  # noqa: UP003 - shadowed
builtins_complex = complex


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both ``a`` and ``b`` convert to, as ``torch.promote_types``: bool
    gives way to anything; an integer to any float; between two floats or two signed integers
    the wider one wins; uint8 with a signed integer needs one that holds both ranges (int8 →
    int16, wider ones stay); a complex type with a real one: the complex type wide enough for
    both parts (complex64 with float64 → complex128)."""
    if a is b or b is bool_:
        return a
    if a is bool_:
        return b
    if a.is_complex or b.is_complex:
        wide = float64 in (a, b) or complex128 in (a, b)
        return complex128 if wide else complex64
    if a.is_floating_point != b.is_floating_point:
        return a if a.is_floating_point else b
    if uint8 in (a, b):
        other = b if a is uint8 else a
        return int16 if other is int8 else other
    return a if a.itemsize >= b.itemsize else b


def _category(d: dtype) -> builtins_int:
    return 3 if d.is_complex else 2 if d.is_floating_point else (1 if d.is_integral else 0)


def result_type(*operands: Any) -> dtype:
    """The dtype of an elementwise op between ``operands`` (tensors and Python numbers), by
    PyTorch's rule (``torch.result_type``). The operands fall into three classes — tensors
    with dimensions, 0-dim tensors, Python numbers (a float number counts as the default
    float dtype, an int as int64, a bool as bool, a complex number as the default complex
    dtype) — and each class is promoted within itself with :func:`promote_types`. Then a lower
    class only counts when its category (bool < integer < floating < complex) is higher than
    the higher classes' result: ``uint8 tensor + 1000`` is uint8 (the number wraps), ``int32
    tensor * 2.5`` the default float, ``float16 tensor + 1.0`` float16, ``int8 tensor + 0-dim
    int64 tensor`` int8, but ``int32 tensor + 0-dim float64 tensor`` float64, ``bool tensor +
    1`` int64 and ``float64 tensor + 1j`` complex128 (complex, with the tensor's precision)."""
    classes: List[Optional[dtype]] = [None, None, None]  # dims, 0-dim, numbers
    for x in operands:
        if isinstance(x, (builtins_bool, np.bool_)):
            which, d = 2, bool_
        elif isinstance(x, (builtins_int, np.integer)):
            which, d = 2, int64
        elif isinstance(x, (builtins_float, np.floating)):
            which, d = 2, get_default_dtype()
        elif isinstance(x, (builtins_complex, np.complexfloating)):
            which, d = 2, default_complex()
        else:
            which, d = (1 if x.ndim == 0 else 0), x.dtype
        found = classes[which]
        classes[which] = d if found is None else promote_types(found, d)
    result: Optional[dtype] = None
    for d in classes:
        if d is None:
            continue
        if result is None:
            result = d
        elif _category(d) > _category(result):
            result = promote_types(result, d)
    if result is None:
        raise ValueError("result_type needs at least one operand")
    return result


def can_cast(from_: dtype, to: dtype) -> builtins_bool:
    """Whether an in-place op may store a ``from_`` result in a ``to`` tensor
    (``torch.can_cast``): never a float into an integer or bool, nor an integer into bool."""
    return _category(from_) <= _category(to)


class finfo:  # noqa: N801 - the PyTorch name
    """The limits of a floating dtype (default: the default float dtype), as ``torch.finfo``:
    ``bits``; ``eps``, the gap between 1 and the next number; ``max`` and ``min``;
    ``tiny`` = ``smallest_normal``, the smallest positive normal number; ``resolution``,
    10^−(decimal digits); ``dtype``, the dtype's name."""

    def __init__(self, type: Optional[dtype] = None) -> None:  # noqa: A002 - torch's name
        type = get_default_dtype() if type is None else type
        if not type.is_floating_point:
            raise TypeError("minitorch.finfo() requires a floating point input type. Use "
                            "minitorch.iinfo to handle 'minitorch.finfo'")
        info = np.finfo(type.np)
        self.bits, self.dtype = builtins_int(info.bits), type.name
        self.eps, self.max, self.min = (builtins_float(v) for v in (info.eps, info.max, info.min))
        self.tiny = self.smallest_normal = builtins_float(info.smallest_normal)
        self.resolution = 10.0 ** -builtins_int(info.precision)

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:  # noqa: N801 - the PyTorch name
    """The limits of an integer dtype, as ``torch.iinfo``: ``bits``, ``min``, ``max`` (Python
    ints) and ``dtype``, the dtype's name."""

    def __init__(self, type: dtype) -> None:  # noqa: A002 - torch's name
        if type is bool_:
            raise TypeError("minitorch.bool is not supported by minitorch.iinfo")
        if type.is_floating_point:
            raise TypeError("minitorch.iinfo() requires an integer input type. Use "
                            "minitorch.finfo to handle 'minitorch.iinfo'")
        info = np.iinfo(type.np)
        self.bits, self.min, self.max = (builtins_int(v) for v in (info.bits, info.min, info.max))
        self.dtype = type.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
