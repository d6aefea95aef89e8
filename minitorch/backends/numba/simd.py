"""Eight float32 lanes as one Numba value — the register a SIMD kernel computes in.

LLVM vectorises simple loops by itself (every elementwise kernel of this backend relies on
that), but not a *register-blocked* kernel such as :mod:`minitorch.backends.numba.direct`,
whose twelve running sums must stay in registers across a long loop. Written with scalars or
small arrays, those sums round-trip through memory on every step (``benchmarks/README.md``).
So this module gives Numba a type for them:

* ``f32x8`` is LLVM's ``<8 x float>``: a 256-bit AVX register on x86-64 (two 128-bit NEON
  registers on ARM — LLVM splits it; the results are the same).
* :func:`load8` / :func:`store8` move 8 consecutive float32 of a 1-D C-contiguous array
  (``a[i : i+8]``), :func:`splat8` repeats a scalar in all lanes, :func:`fma8` is one fused
  multiply-add into an accumulator (``acc + s·v`` for a scalar or a vector s, rounded once
  per lane — what ``vfmadd231ps`` computes), :func:`add8` a lane-wise sum, and six fixed
  lane shuffles (:func:`unpack_lo` … :func:`halves_hi`) that transpose 8 × 8 tiles.

A kernel written with these reads like its scalar loop with the innermost 8 iterations folded
into each call, and compiles to one instruction per call. The intrinsics do **no bounds
check**: the caller guarantees ``0 ≤ i`` and ``i + 8 ≤ len(a)``.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, models, register_model

LANES = 8
_VEC = ir.VectorType(ir.FloatType(), LANES)
_I32 = ir.IntType(32)


class F32x8(types.Type):
    """Numba type of a vector of 8 float32 (only inside compiled code; never boxed)."""

    def __init__(self) -> None:
        super().__init__(name="f32x8")


f32x8 = F32x8()


@register_model(F32x8)
class _F32x8Model(models.PrimitiveModel):
    def __init__(self, dmm, fe_type) -> None:
        super().__init__(dmm, fe_type, _VEC)


def _lane_pointer(context, builder, arr_type, arr, index):
    """``(<8 x float>*) &arr[index]``."""
    data = context.make_array(arr_type)(context, builder, value=arr).data
    return builder.bitcast(builder.gep(data, [index]), _VEC.as_pointer())


def _broadcast(builder, scalar):
    """<s, s, s, s, s, s, s, s> (insert into lane 0, then shuffle lane 0 everywhere)."""
    one = builder.insert_element(ir.Constant(_VEC, ir.Undefined), scalar, ir.Constant(_I32, 0))
    return builder.shuffle_vector(one, ir.Constant(_VEC, ir.Undefined),
                                  ir.Constant(ir.VectorType(_I32, LANES), [0] * LANES))


def _check(arr) -> None:
    if not (isinstance(arr, types.Array) and arr.ndim == 1 and arr.layout == "C"
            and arr.dtype == types.float32):
        raise TypeError(f"simd: expected a 1-D C-contiguous float32 array, got {arr}")


@intrinsic
def load8(typingctx, arr, index):
    """``arr[index : index + 8]`` as an ``f32x8`` (unaligned load)."""
    _check(arr)

    def codegen(context, builder, signature, args):
        return builder.load(_lane_pointer(context, builder, signature.args[0], *args), align=4)

    return f32x8(arr, index), codegen


@intrinsic
def store8(typingctx, arr, index, vec):
    """``arr[index : index + 8] = vec`` (unaligned store)."""
    _check(arr)

    def codegen(context, builder, signature, args):
        pointer = _lane_pointer(context, builder, signature.args[0], args[0], args[1])
        builder.store(args[2], pointer, align=4)
        return context.get_dummy_value()

    return types.void(arr, index, f32x8), codegen


@intrinsic
def splat8(typingctx, scalar):
    """An ``f32x8`` with ``scalar`` (cast to float32) in every lane."""
    def codegen(context, builder, signature, args):
        value = context.cast(builder, args[0], signature.args[0], types.float32)
        return _broadcast(builder, value)

    return f32x8(scalar), codegen


@intrinsic
def fma8(typingctx, acc, a, vec):
    """``acc + a · vec`` in every lane, one rounding (``llvm.fma.v8f32``); ``a`` is an
    ``f32x8`` or a scalar (then repeated in every lane)."""
    def codegen(context, builder, signature, args):
        factor = args[1]
        if not isinstance(signature.args[1], F32x8):
            value = context.cast(builder, args[1], signature.args[1], types.float32)
            factor = _broadcast(builder, value)
        fma = cgutils.get_or_insert_function(builder.module,
                                             ir.FunctionType(_VEC, [_VEC, _VEC, _VEC]),
                                             "llvm.fma.v8f32")
        return builder.call(fma, [factor, args[2], args[0]])

    return f32x8(f32x8, a, f32x8), codegen


@intrinsic
def add8(typingctx, a, b):
    """``a + b`` in every lane."""
    def codegen(context, builder, signature, args):
        return builder.fadd(args[0], args[1])

    return f32x8(f32x8, f32x8), codegen


def _shuffle(name: str, mask: tuple):
    """An intrinsic ``name(a, b)``: lane i of the result is lane mask[i] of a‖b (0–7 from a,
    8–15 from b) — LLVM's ``shufflevector`` with a constant mask."""
    def impl(typingctx, a, b):
        def codegen(context, builder, signature, args):
            return builder.shuffle_vector(args[0], args[1],
                                          ir.Constant(ir.VectorType(_I32, LANES), list(mask)))

        return f32x8(f32x8, f32x8), codegen

    impl.__name__ = name
    return intrinsic(impl)


# The three steps of an 8 × 8 transpose (AVX's unpack, shuffle and 128-bit lane permute).
unpack_lo = _shuffle("unpack_lo", (0, 8, 1, 9, 4, 12, 5, 13))
unpack_hi = _shuffle("unpack_hi", (2, 10, 3, 11, 6, 14, 7, 15))
pairs_lo = _shuffle("pairs_lo", (0, 1, 8, 9, 4, 5, 12, 13))
pairs_hi = _shuffle("pairs_hi", (2, 3, 10, 11, 6, 7, 14, 15))
halves_lo = _shuffle("halves_lo", (0, 1, 2, 3, 8, 9, 10, 11))
halves_hi = _shuffle("halves_hi", (4, 5, 6, 7, 12, 13, 14, 15))
