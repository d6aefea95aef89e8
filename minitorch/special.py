"""``minitorch.special``, as ``torch.special``: the special functions (ln Γ, ψ and its
derivatives, the error functions and their inverses, the normal distribution's CDF, log-CDF
and quantile, the modified Bessel functions I₀, I₁ and their scaled forms, entropy terms)
and the aliases torch gathers there (expit, logit, xlogy, log1p, expm1, exp2, sinc, round,
softmax, log_softmax, logsumexp).

The numerics are :mod:`minitorch.autograd.special_math`, the differentiable ops
:mod:`minitorch.autograd.ops.special`; everything here takes and returns Tensors."""

from __future__ import annotations

from typing import Any, Optional

from minitorch.autograd.ops import binary_math
from minitorch.autograd.ops import special as ops
from minitorch.autograd.ops.elementwise import AddScalar, MulByNumber
from minitorch.autograd.ops.pointwise import RoundDecimals
from minitorch.autograd.special_math import SQRT1_2
from minitorch.foreign import expect_tensor
from minitorch.tensor import Tensor


def _method(name: str, torch_name: str, doc: str) -> Any:
    """``special.<torch_name>(input, ...)`` as ``input.<name>(...)``."""
    def call(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        expect_tensor(input, f"special_{torch_name}")
        return getattr(input, name)(*args, **kwargs)

    call.__name__ = torch_name
    call.__doc__ = doc
    return call


def _unary(op: type, torch_name: str) -> Any:
    """``special.<torch_name>(input)``: ``op`` with integer inputs promoted to float."""
    def call(input: Tensor) -> Tensor:
        expect_tensor(input, f"special_{torch_name}")
        return input._unary(op)

    call.__name__ = torch_name
    call.__doc__ = op.__doc__
    return call


gammaln = _method("lgamma", "gammaln", "ln|Γ(x)|.")
digamma = _method("digamma", "digamma", "ψ(x) = Γ'(x)/Γ(x).")
psi = _method("digamma", "psi", "ψ(x), the alias of :func:`digamma`.")
erf = _method("erf", "erf", "(2/√π) ∫₀ˣ e^(-t²) dt.")
erfc = _method("erfc", "erfc", "1 - erf x, accurate in the tail.")
erfinv = _method("erfinv", "erfinv", "erf⁻¹ x.")
expit = _method("sigmoid", "expit", "1 / (1 + e^(-x)), the logistic sigmoid.")
logit = _method("logit", "logit", "ln(x / (1 - x)), x clamped to [eps, 1 - eps] with eps.")
log1p = _method("log1p", "log1p", "ln(1 + x).")
expm1 = _method("expm1", "expm1", "eˣ - 1.")
exp2 = _method("exp2", "exp2", "2ˣ.")
sinc = _method("sinc", "sinc", "sin(πx) / (πx), 1 at 0.")
logsumexp = _method("logsumexp", "logsumexp", "ln Σ eˣ along ``dim``, without overflow.")
i0 = _method("i0", "i0", "I₀(x), the modified Bessel function of order 0.")
i0e = _unary(ops.SpecialI0E, "i0e")
i1 = _unary(ops.SpecialI1, "i1")
i1e = _unary(ops.SpecialI1E, "i1e")
entr = _unary(ops.SpecialEntr, "entr")
log_ndtr = _unary(ops.SpecialLogNdtr, "log_ndtr")
ndtri = _unary(ops.SpecialNdtri, "ndtri")


def round(input: Tensor, decimals: int = 0) -> Tensor:  # noqa: A001 - torch's name
    """x rounded to ``decimals`` places, halves to even (torch's ``round.decimals``)."""
    expect_tensor(input, "special_round")
    if not input.dtype.is_floating_point:
        return input.round()
    return RoundDecimals.apply(input, decimals)


def polygamma(n: int, input: Tensor) -> Tensor:
    """ψ⁽ⁿ⁾(x), the n-th derivative of ψ."""
    expect_tensor(input, "special_polygamma", "input", 2)
    return input.polygamma(n)


def multigammaln(input: Tensor, p: int) -> Tensor:
    """ln Γₚ(x) = p(p - 1)/4 · ln π + Σᵢ₌₀ᵖ⁻¹ ln Γ(x - i/2)."""
    expect_tensor(input, "special_multigammaln")
    return input.mvlgamma(p)


def ndtr(input: Tensor) -> Tensor:
    """Φ(x) = (1 + erf(x/√2)) / 2, the standard normal CDF, composed as PyTorch's (so its
    lower tail has erf's absolute, not relative, accuracy; ``log_ndtr`` keeps it)."""
    expect_tensor(input, "special_ndtr")
    half = AddScalar.apply(MulByNumber.apply(input._floating(), SQRT1_2).erf(), 1.0)
    return MulByNumber.apply(half, 0.5)


def xlogy(input: Any, other: Any) -> Tensor:
    """input · ln(other), 0 where input = 0 (unless other is NaN)."""
    from minitorch.functions import xlogy as _xlogy

    return _xlogy(input, other)


def xlog1py(input: Any, other: Any) -> Tensor:
    """input · ln(1 + other), 0 where input = 0 (unless other is NaN); either may be a
    number."""
    if isinstance(input, Tensor):
        return input._binary_math(other, binary_math.Xlog1py, "special_xlog1py", numbers=True)
    expect_tensor(other, "special_xlog1py", "other", 2)
    return other._binary_math(input, binary_math.Xlog1py, "special_xlog1py", numbers=True,
                              reverse=True)


def gammainc(input: Tensor, other: Tensor) -> Tensor:
    """P(a, x) = γ(a, x)/Γ(a) = (1/Γ(a)) ∫₀ˣ tᵃ⁻¹ e⁻ᵗ dt, the regularised lower incomplete
    gamma function (a = ``input``, x = ``other``); differentiable in x only, as torch's."""
    expect_tensor(input, "special_gammainc")
    return input._binary_math(other, binary_math.Igamma, "special_gammainc")


def gammaincc(input: Tensor, other: Tensor) -> Tensor:
    """Q(a, x) = 1 - P(a, x) = Γ(a, x)/Γ(a), the regularised upper incomplete gamma
    function; differentiable in x only, as torch's."""
    expect_tensor(input, "special_gammaincc")
    return input._binary_math(other, binary_math.Igammac, "special_gammaincc")


def softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """e^(xᵢ) / Σⱼ e^(xⱼ) along ``dim`` (in ``dtype`` when given)."""
    from minitorch.nn import functional

    return functional.softmax(input, dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int, *, dtype: Optional[Any] = None) -> Tensor:
    """xᵢ - ln Σⱼ e^(xⱼ) along ``dim`` (in ``dtype`` when given)."""
    from minitorch.nn import functional

    return functional.log_softmax(input, dim, dtype=dtype)
