"""The tensor methods for pointwise math: sin … atanh, special functions, binary math.

A mixin of :class:`minitorch.tensor.Tensor`; every differentiable method calls an op's
``apply`` and the math lives in :mod:`minitorch.autograd.ops`. ``Tensor`` (the class
these methods are mixed into) is bound in this module once the class exists.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from minitorch import dtypes
from minitorch.autograd.ops import binary_math, division, inplace, pointwise, special
from minitorch.autograd.ops import elementwise as ew
from minitorch.foreign import expect_tensor
from minitorch.shapes import broadcast_shapes
from minitorch.tensor.helpers import (
    _DIVISION_KERNELS,
    _check_cast,
    _check_inplace_result_type,
    _floating_only,
    _kind_name,
    _promote,
    _xp_of,
)

Number = Union[int, float, bool]

if TYPE_CHECKING:
    from minitorch.tensor.core import Tensor


class PointwiseMath:
    """Tensor methods: pointwise math — sin … atanh, special functions, binary math."""

    # ------------------------------------------------------- more math (ops/pointwise.py)
    def _unary(self, op: type, floating: bool = True) -> Tensor:
        """Apply a pointwise op; integer inputs are promoted to the default float first
        (``floating``) or, for rounding-like ops, returned as a copy."""
        if not self.dtype.is_floating_point:
            return op.apply(self._floating()) if floating else self.clone()
        return op.apply(self)

    def sin(self) -> Tensor:
        return self._unary(pointwise.Sin)

    def erf(self) -> Tensor:
        """The error function, (2/√π) ∫₀ˣ e^(-t²) dt; ∂/∂x = (2/√π) e^(-x²)."""
        return self._unary(pointwise.Erf)

    def cos(self) -> Tensor:
        return self._unary(pointwise.Cos)

    def tan(self) -> Tensor:
        return self._unary(pointwise.Tan)

    def sinh(self) -> Tensor:
        return self._unary(pointwise.Sinh)

    def cosh(self) -> Tensor:
        return self._unary(pointwise.Cosh)

    def log1p(self) -> Tensor:
        return self._unary(pointwise.Log1P)

    def log2(self) -> Tensor:
        return self._unary(pointwise.Log2)

    def log10(self) -> Tensor:
        return self._unary(pointwise.Log10)

    def expm1(self) -> Tensor:
        return self._unary(pointwise.Expm1)

    def exp2(self) -> Tensor:
        return self._unary(pointwise.Exp2)

    def reciprocal(self) -> Tensor:
        return self._unary(pointwise.Reciprocal)

    def rsqrt(self) -> Tensor:
        return self._unary(pointwise.Rsqrt)

    def square(self) -> Tensor:
        """x² as torch computes it: ``pow(x, 2)`` (PowBackward0); bools become int64."""
        return self.pow(2) if self.dtype is not dtypes.bool_ else self.long().pow(2)

    def sign(self) -> Tensor:
        return self._signum(pointwise.Sign)

    def sgn(self) -> Tensor:
        """The sign (-1, 0 or 1; 0 for NaN) of a real tensor; gradient 0 (SgnBackward0)."""
        return self._signum(pointwise.Sgn)

    def _signum(self, op: type) -> Tensor:
        """``sign`` or ``sgn``: bools are copied, integers keep their dtype, no gradient."""
        if self.dtype is dtypes.bool_:
            return self.clone()
        if self.dtype.is_floating_point:
            return op.apply(self)
        return Tensor._wrap(_xp_of(self._data).sign(self._data))

    def floor(self) -> Tensor:
        return self._unary(pointwise.Floor, floating=False)

    def ceil(self) -> Tensor:
        return self._unary(pointwise.Ceil, floating=False)

    def trunc(self) -> Tensor:
        return self._unary(pointwise.Trunc, floating=False)

    fix = trunc

    def round(self, decimals: int = 0) -> Tensor:
        if decimals == 0:
            return self._unary(pointwise.Round, floating=False)
        scale = 10.0 ** decimals
        return (self * scale)._unary(pointwise.Round, floating=False) / scale

    def asin(self) -> Tensor:
        """arcsin x;  ∂/∂x = 1 / √(1 - x²)."""
        return self._unary(pointwise.Asin)

    def acos(self) -> Tensor:
        """arccos x;  ∂/∂x = -1 / √(1 - x²)."""
        return self._unary(pointwise.Acos)

    def atan(self) -> Tensor:
        """arctan x;  ∂/∂x = 1 / (1 + x²)."""
        return self._unary(pointwise.Atan)

    def asinh(self) -> Tensor:
        """arsinh x;  ∂/∂x = 1 / √(x² + 1)."""
        return self._unary(pointwise.Asinh)

    def acosh(self) -> Tensor:
        """arcosh x (NaN below 1);  ∂/∂x = 1 / √(x² - 1)."""
        return self._unary(pointwise.Acosh)

    def atanh(self) -> Tensor:
        """artanh x (±inf at ±1);  ∂/∂x = 1 / (1 - x²)."""
        return self._unary(pointwise.Atanh)

    arcsin, arccos, arctan = asin, acos, atan
    arcsinh, arccosh, arctanh = asinh, acosh, atanh

    def deg2rad(self) -> Tensor:
        """x · π/180."""
        return self._unary(pointwise.Deg2Rad)

    def rad2deg(self) -> Tensor:
        """x · 180/π."""
        return self._unary(pointwise.Rad2Deg)

    def sinc(self) -> Tensor:
        """sin(πx) / (πx), 1 at 0."""
        return self._unary(pointwise.Sinc)

    def frac(self) -> Tensor:
        """x - trunc(x), for floating tensors only (as torch);  ∂/∂x = 1."""
        _floating_only(self, "frac")
        return pointwise.Frac.apply(self)

    def logit(self, eps: Optional[float] = None) -> Tensor:
        """ln(x / (1 - x)), x clamped to [eps, 1 - eps] first when ``eps`` is given;
        ∂/∂x = 1 / (x (1 - x)) inside that range, outside 0 (with eps) or NaN (without)."""
        return pointwise.Logit.apply(self._floating(), eps)

    # ------------------------------------------- special functions (ops/special.py)
    def lgamma(self) -> Tensor:
        """ln|Γ(x)| (+inf at 0, -1, -2, …);  ∂/∂x = ψ(x)."""
        return self._unary(special.Lgamma)

    def digamma(self) -> Tensor:
        """ψ(x) = Γ'(x)/Γ(x) (∓inf at ±0, NaN at the negative integers);  ∂/∂x = ψ'(x)."""
        return self._unary(special.Digamma)

    def polygamma(self, n: int) -> Tensor:
        """ψ⁽ⁿ⁾(x), the n-th derivative of ψ (n ≥ 0);  ∂/∂x = ψ⁽ⁿ⁺¹⁾(x)."""
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"polygamma(): argument 'n' (position 1) must be int, not "
                            f"{type(n).__name__}")
        if n < 0:
            raise RuntimeError("polygamma(n, x) does not support negative n.")
        return special.Polygamma.apply(self._floating(), n)

    def mvlgamma(self, p: int) -> Tensor:
        """ln Γₚ(x), the multivariate log-gamma of dimension p ≥ 1."""
        if self.dtype is dtypes.bool_:
            raise RuntimeError("The input tensor may not be a boolean tensor.")
        if p < 1:
            raise RuntimeError("p has to be greater than or equal to 1")
        return special.Mvlgamma.apply(self._floating(), p)

    def erfinv(self) -> Tensor:
        """erf⁻¹ x (±inf at ±1, NaN outside [-1, 1]);  ∂/∂x = (√π/2) e^(y²)."""
        return self._unary(special.Erfinv)

    def erfc(self) -> Tensor:
        """1 - erf x, accurate where it is tiny;  ∂/∂x = -(2/√π) e^(-x²)."""
        return self._unary(special.Erfc)

    def i0(self) -> Tensor:
        """I₀(x), the modified Bessel function of the first kind of order 0;  ∂/∂x = I₁(x)."""
        return self._unary(special.I0)

    def signbit(self) -> Tensor:
        """True where the sign bit is set (-0.0 and -NaN included); no gradient."""
        if self.dtype is dtypes.bool_:
            return self._logic(_xp_of(self._data).zeros(self.shape, dtype=bool))
        return self._logic(_xp_of(self._data).signbit(self._data))

    # ------------------------------------------------ binary math (ops/binary_math.py)
    def _binary_math(self, other: Any, op: type, name: str, *, numbers: bool = False,
                     integers: str = "float", reverse: bool = False) -> Tensor:
        """``op`` on ``self`` and ``other`` promoted as torch promotes them (``reverse``:
        ``other`` is the first operand). ``other`` must be a Tensor unless ``numbers``; an
        integer result type becomes the default float (``integers="float"``), stays
        (``"keep"``) or is refused (``"error"``)."""
        if not numbers:
            expect_tensor(other, name, "other", 1)
        a, b = _promote(self, other, true_divide=integers == "float")
        if integers == "error":
            _floating_only(a, name)
        return op.apply(b, a) if reverse else op.apply(a, b)

    def atan2(self, other: Tensor) -> Tensor:
        """atan2(self, other), the angle of (other, self);  ∂/∂self = other / r²,
        ∂/∂other = -self / r² with r² = self² + other²."""
        return self._binary_math(other, binary_math.Atan2, "atan2")

    def arctan2(self, other: Tensor) -> Tensor:
        """The alias of :meth:`atan2` (its errors name ``arctan2``, as torch's)."""
        return self._binary_math(other, binary_math.Atan2, "arctan2")

    def hypot(self, other: Tensor) -> Tensor:
        """√(self² + other²) (floating tensors only);  ∂/∂self = self / y."""
        return self._binary_math(other, binary_math.Hypot, "hypot", integers="error")

    def logaddexp(self, other: Tensor) -> Tensor:
        """ln(eˢᵉˡᶠ + eᵒᵗʰᵉʳ) without overflow;  ∂/∂self = 1 / (1 + e^(other - self))."""
        return self._binary_math(other, binary_math.Logaddexp, "logaddexp", integers="error")

    def logaddexp2(self, other: Tensor) -> Tensor:
        """log₂(2ˢᵉˡᶠ + 2ᵒᵗʰᵉʳ);  ∂/∂self = 1 / (1 + 2^(other - self))."""
        return self._binary_math(other, binary_math.Logaddexp2, "logaddexp2",
                                 integers="error")

    def xlogy(self, other: Any) -> Tensor:
        """self · ln(other), 0 where self = 0 (unless other is NaN); ``other`` may be a
        number;  ∂/∂self = ln(other) (0 where self = 0), ∂/∂other = self / other."""
        return self._binary_math(other, binary_math.Xlogy, "xlogy", numbers=True)

    def fmax(self, other: Tensor) -> Tensor:
        """The larger of the two, ignoring a NaN (NaN only where both are)."""
        return self._binary_math(other, binary_math.Fmax, "fmax", integers="keep")

    def fmin(self, other: Tensor) -> Tensor:
        """The smaller of the two, ignoring a NaN (NaN only where both are)."""
        return self._binary_math(other, binary_math.Fmin, "fmin", integers="keep")

    def copysign(self, other: Any) -> Tensor:
        """|self| with the sign of ``other`` (a tensor or a number);  ∂/∂self = ±1 (0 where
        self = 0), ∂/∂other = 0."""
        return self._binary_math(other, binary_math.Copysign, "copysign", numbers=True)

    def float_power(self, exponent: Any) -> Tensor:
        """self ** exponent computed in float64 (the result is float64 whatever the inputs,
        as torch: ``pow`` on the operands converted to double)."""
        base = self._to(dtypes.float64, None)
        if isinstance(exponent, Tensor):
            exponent = exponent._to(dtypes.float64, None)
        return base ** exponent

    def heaviside(self, values: Tensor) -> Tensor:
        """0 where self < 0, ``values`` where self = 0, 1 where self > 0; both tensors of
        one dtype. No derivative (backward raises, as in torch)."""
        expect_tensor(values, "heaviside", "values", 1)
        if values.dtype is not self.dtype:
            raise RuntimeError("heaviside is not yet implemented for tensors with different "
                               "dtypes.")
        return binary_math.Heaviside.apply(*_promote(self, values))

    def _division(self, other: Any, op: type, reverse: bool = False) -> Tensor:
        """``op`` (FloorDivide, Remainder, Fmod, DivFloor or DivTrunc:
        ``autograd/ops/division.py``) on the promoted operands (``reverse``: ``other`` is
        the dividend). Integers are divided exactly, outside autograd; a zero integer
        divisor raises, as in torch."""
        t, other = _promote(self, other)
        a, b = (other, t) if reverse else (t, other)
        if t.dtype is dtypes.bool_:
            raise NotImplementedError(f'"{_DIVISION_KERNELS[op][0]}" not implemented for '
                                      "'Bool'")
        if t.dtype.is_floating_point:
            if reverse and op is division.Remainder and not isinstance(a, Tensor):
                op = division.ScalarRemainder  # torch: no derivative for number % tensor
            return op.apply(a, b)
        xp = _xp_of(t._data)
        a, b = (v._data if isinstance(v, Tensor) else v for v in (a, b))
        if bool((xp.asarray(b) == 0).any()):
            raise RuntimeError("ZeroDivisionError")
        name = _DIVISION_KERNELS[op][1]
        if name == "trunc_divide":  # C's integer division: (a - fmod(a, b)) / b is exact
            return Tensor._wrap(xp.asarray(xp.floor_divide(a - xp.fmod(a, b), b)))
        return Tensor._wrap(xp.asarray(getattr(xp, name)(a, b)))

    def _division_(self, other: Any, op: type) -> Tensor:
        """The in-place form of :meth:`_division` (``//=``, ``%=``)."""
        self._check_inplace()
        if isinstance(other, Tensor):
            broadcast_shapes(self.shape, other.shape)
        _check_inplace_result_type(self, other, op)
        return self._inplace(self._original(other)._division(other, op))

    def remainder(self, other: Any) -> Tensor:
        """Python's modulus, ``a - floor(a / b) * b`` (the sign of the divisor; torch's
        ``fmod``-then-fix formula, exact for floats); ∂/∂a = 1, ∂/∂b = -floor(a / b)."""
        return self._division(other, division.Remainder)

    def fmod(self, other: Any) -> Tensor:
        """C's modulus, ``a - trunc(a / b) * b`` (the sign of the dividend); ∂/∂a = 1,
        ∂/∂b = -trunc(a / b)."""
        return self._division(other, division.Fmod)

    def floor_divide(self, other: Any) -> Tensor:
        """``floor(a / b)`` (Python's ``//``); no derivative (backward raises, as in torch).
        Floats: ``inf``/``nan`` for a zero divisor; integers: RuntimeError."""
        return self._division(other, division.FloorDivide)

    remainder_ = functools.partialmethod(_division_, op=division.Remainder)
    fmod_ = functools.partialmethod(_division_, op=division.Fmod)
    floor_divide_ = functools.partialmethod(_division_, op=division.FloorDivide)
    __floordiv__ = floor_divide
    __mod__ = remainder
    __ifloordiv__ = floor_divide_
    __imod__ = remainder_

    def __rfloordiv__(self, other: Any) -> Tensor:
        return self._division(other, division.FloorDivide, reverse=True)

    def __rmod__(self, other: Any) -> Tensor:
        return self._division(other, division.Remainder, reverse=True)

    def true_divide(self, other: Any) -> Tensor:
        return self / other


    def lerp(self, end: Tensor, weight: Any) -> Tensor:
        """self + weight · (end - self)."""
        return self + weight * (end - self)

    def clamp_min(self, min: Any) -> Tensor:
        return self._clamp(min, None, ew.ClampMin)

    def clamp_max(self, max: Any) -> Tensor:
        return self._clamp(None, max, ew.ClampMax)

    def _apply_(self, fn: Callable[[Tensor], Tensor]) -> Tensor:
        """Change this tensor in place to ``fn(self)``, computed from a copy of the current
        values while recording (see ``_original``)."""
        self._check_inplace()
        return self._inplace(fn(self._original()))

    def exp_(self) -> Tensor:
        return self._apply_(lambda x: x.exp())

    def log_(self) -> Tensor:
        return self._apply_(lambda x: x.log())

    def sqrt_(self) -> Tensor:
        return self._apply_(lambda x: x.sqrt())

    def abs_(self) -> Tensor:
        return self._apply_(lambda x: x.abs())

    def neg_(self) -> Tensor:
        return self._apply_(lambda x: -x)

    def pow_(self, exponent: Any) -> Tensor:
        return self._apply_(lambda x: x ** exponent)

    def sigmoid_(self) -> Tensor:
        return self._apply_(lambda x: x.sigmoid())

    def tanh_(self) -> Tensor:
        return self._apply_(lambda x: x.tanh())

    def clamp_min_(self, min: Any) -> Tensor:
        return self._apply_(lambda x: x.clamp_min(min))

    def clamp_max_(self, max: Any) -> Tensor:
        return self._apply_(lambda x: x.clamp_max(max))

    def lerp_(self, end: Tensor, weight: Any) -> Tensor:
        return self._apply_(lambda x: x.lerp(end, weight))

    def _pointwise_(self, name: str, *args: Any, **kwargs: Any) -> Tensor:
        """The in-place form of the pointwise method ``name``: ``self.name(*args, **kwargs)``
        written into this tensor, refused (torch's error) when its result type cannot be
        stored here (a float result in an integer tensor); a result of a wider float type
        is rounded to this tensor's, through a cast node while recording. As in torch,
        ``asinh_``, ``acosh_`` and ``atanh_`` record a node whose backward raises."""
        self._check_inplace()
        other = args[0] if args else None
        if isinstance(other, Tensor):  # torch's broadcast error, not NumPy's
            broadcast_shapes(self.shape, other.shape)
        if name == "float_power" and self.dtype is not dtypes.float64:
            raise RuntimeError(f"the base given to float_power_ has dtype "
                               f"{_kind_name(self.dtype)} but the operation's result requires "
                               f"dtype Double")
        result = getattr(self._original(other), name)(*args, **kwargs)
        _check_cast(result.dtype, self, name)
        if name in ("asinh", "acosh", "atanh") and result.requires_grad:
            result = inplace.NoDerivative.apply(self._original(), result._data, name)
        if result.dtype is not self.dtype:
            result = result.to(self.dtype)
        return self._inplace(result)

    sin_ = functools.partialmethod(_pointwise_, "sin")
    cos_ = functools.partialmethod(_pointwise_, "cos")
    tan_ = functools.partialmethod(_pointwise_, "tan")
    asin_ = arcsin_ = functools.partialmethod(_pointwise_, "asin")
    acos_ = arccos_ = functools.partialmethod(_pointwise_, "acos")
    atan_ = arctan_ = functools.partialmethod(_pointwise_, "atan")
    sinh_ = functools.partialmethod(_pointwise_, "sinh")
    cosh_ = functools.partialmethod(_pointwise_, "cosh")
    asinh_ = arcsinh_ = functools.partialmethod(_pointwise_, "asinh")
    acosh_ = arccosh_ = functools.partialmethod(_pointwise_, "acosh")
    atanh_ = arctanh_ = functools.partialmethod(_pointwise_, "atanh")
    erf_ = functools.partialmethod(_pointwise_, "erf")
    exp2_ = functools.partialmethod(_pointwise_, "exp2")
    expm1_ = functools.partialmethod(_pointwise_, "expm1")
    log2_ = functools.partialmethod(_pointwise_, "log2")
    log10_ = functools.partialmethod(_pointwise_, "log10")
    log1p_ = functools.partialmethod(_pointwise_, "log1p")
    reciprocal_ = functools.partialmethod(_pointwise_, "reciprocal")
    rsqrt_ = functools.partialmethod(_pointwise_, "rsqrt")
    square_ = functools.partialmethod(_pointwise_, "square")
    sign_ = functools.partialmethod(_pointwise_, "sign")
    sgn_ = functools.partialmethod(_pointwise_, "sgn")
    sinc_ = functools.partialmethod(_pointwise_, "sinc")
    deg2rad_ = functools.partialmethod(_pointwise_, "deg2rad")
    rad2deg_ = functools.partialmethod(_pointwise_, "rad2deg")
    frac_ = functools.partialmethod(_pointwise_, "frac")
    trunc_ = fix_ = functools.partialmethod(_pointwise_, "trunc")
    floor_ = functools.partialmethod(_pointwise_, "floor")
    ceil_ = functools.partialmethod(_pointwise_, "ceil")
    round_ = functools.partialmethod(_pointwise_, "round")
    logit_ = functools.partialmethod(_pointwise_, "logit")
    lgamma_ = functools.partialmethod(_pointwise_, "lgamma")
    digamma_ = functools.partialmethod(_pointwise_, "digamma")
    polygamma_ = functools.partialmethod(_pointwise_, "polygamma")
    mvlgamma_ = functools.partialmethod(_pointwise_, "mvlgamma")
    erfinv_ = functools.partialmethod(_pointwise_, "erfinv")
    erfc_ = functools.partialmethod(_pointwise_, "erfc")
    i0_ = functools.partialmethod(_pointwise_, "i0")
    nan_to_num_ = functools.partialmethod(_pointwise_, "nan_to_num")
    atan2_ = arctan2_ = functools.partialmethod(_pointwise_, "atan2")
    hypot_ = functools.partialmethod(_pointwise_, "hypot")
    xlogy_ = functools.partialmethod(_pointwise_, "xlogy")
    copysign_ = functools.partialmethod(_pointwise_, "copysign")
    float_power_ = functools.partialmethod(_pointwise_, "float_power")
    negative_ = neg_
    absolute_ = abs_
