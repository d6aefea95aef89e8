"""Lane-wise arithmetic, comparisons and bit tricks on :mod:`.simd` vectors.

An elementwise kernel whose loop LLVM vectorises by itself gets 256-bit vectors on AVX-512
machines (LLVM prefers them there) — 8 float32 lanes where the registers hold 16. A kernel
written with :mod:`.simd` vectors (``vec(dtype, lanes)``) runs at the width it names. These
are the operations such a kernel needs, each one LLVM instruction (or intrinsic) applied to
every lane:

* :func:`add`, :func:`sub`, :func:`mul`, :func:`div` and :func:`muladd` (``a·b + c``, one
  rounding — ``llvm.fma``): operands are vectors of one type, or scalars (cast to the
  vectors' dtype and repeated in every lane); at least one is a vector;
* :func:`absolute` (``llvm.fabs``), :func:`copysign` (``llvm.copysign``: |a| with b's sign
  bit);
* :func:`minimum` / :func:`maximum`: ``b if b < a else a`` / ``b if b > a else a`` — a NaN
  in ``a`` comes out unchanged (x86's ``vminps b, a``; one instruction);
* :func:`where_less`: ``x if a < b else y`` lane by lane (an ordered compare: false where
  either is NaN), and :func:`where_nan`: ``x if a is NaN else y``;
* :func:`shift_exponent`: ``p · 2^k`` for ``kr = k + 1.5·2^m`` (m = 23 / 52), by adding the
  low bits of ``kr``'s IEEE pattern to ``p``'s exponent field — what an exp's last step needs.

Like :mod:`.simd`, there are no checks at run time: the operations are exactly LLVM's.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from minitorch.backends.numba.simd import Vec, _broadcast


def _vector_type(*operands) -> Vec:
    """The one vector type among ``operands`` (the others must be scalars)."""
    vecs = {t for t in operands if isinstance(t, Vec)}
    if len(vecs) != 1 or not all(isinstance(t, (Vec, types.Number)) for t in operands):
        raise TypeError(f"vecops: expected vectors of one type and scalars, got {operands}")
    return vecs.pop()


def _lanes(context, builder, value, typ, vt: Vec):
    """``value`` as a ``vt`` vector: a vector as it is, a scalar cast and repeated."""
    if isinstance(typ, Vec):
        return value
    return _broadcast(builder, context.cast(builder, value, typ, vt.dtype), vt)


def _args(context, builder, signature, args, vt: Vec):
    return [_lanes(context, builder, a, t, vt) for a, t in zip(args, signature.args)]


def _call(builder, name: str, vt: Vec, values):
    """``llvm.<name>.v<lanes>f<bits>(*values)``."""
    t = vt.ir_type()
    bits = 32 if vt.dtype == types.float32 else 64
    fn = cgutils.get_or_insert_function(
        builder.module, ir.FunctionType(t, [t] * len(values)), f"llvm.{name}.v{vt.lanes}f{bits}")
    return builder.call(fn, values)


def _binary(name: str, emit):
    """An intrinsic ``name(a, b)``: ``emit(builder, a, b)`` on two vectors of one type."""
    def impl(typingctx, a, b):
        vt = _vector_type(a, b)

        def codegen(context, builder, signature, args):
            return emit(builder, *_args(context, builder, signature, args, vt))

        return vt(a, b), codegen

    impl.__name__ = name
    return intrinsic(impl)


add = _binary("add", lambda b, x, y: b.fadd(x, y))
sub = _binary("sub", lambda b, x, y: b.fsub(x, y))
mul = _binary("mul", lambda b, x, y: b.fmul(x, y))
div = _binary("div", lambda b, x, y: b.fdiv(x, y))
minimum = _binary("minimum", lambda b, x, y: b.select(b.fcmp_ordered("<", y, x), y, x))
maximum = _binary("maximum", lambda b, x, y: b.select(b.fcmp_ordered(">", y, x), y, x))


@intrinsic
def muladd(typingctx, a, b, c):
    """``a·b + c`` in every lane, rounded once (``llvm.fma``)."""
    vt = _vector_type(a, b, c)

    def codegen(context, builder, signature, args):
        return _call(builder, "fma", vt, _args(context, builder, signature, args, vt))

    return vt(a, b, c), codegen


@intrinsic
def absolute(typingctx, a):
    """|a| in every lane (clears the sign bit: NaN stays NaN)."""
    vt = _vector_type(a)

    def codegen(context, builder, signature, args):
        return _call(builder, "fabs", vt, args)

    return vt(a), codegen


@intrinsic
def copysign(typingctx, a, b):
    """|a| with the sign bit of b, in every lane."""
    vt = _vector_type(a, b)

    def codegen(context, builder, signature, args):
        return _call(builder, "copysign", vt, _args(context, builder, signature, args, vt))

    return vt(a, b), codegen


@intrinsic
def where_less(typingctx, a, b, x, y):
    """``x if a < b else y`` in every lane (false where a or b is NaN)."""
    vt = _vector_type(a, b, x, y)

    def codegen(context, builder, signature, args):
        va, vb, vx, vy = _args(context, builder, signature, args, vt)
        return builder.select(builder.fcmp_ordered("<", va, vb), vx, vy)

    return vt(a, b, x, y), codegen


@intrinsic
def where_nan(typingctx, a, x, y):
    """``x if a is NaN else y`` in every lane."""
    vt = _vector_type(a, x, y)

    def codegen(context, builder, signature, args):
        va, vx, vy = _args(context, builder, signature, args, vt)
        return builder.select(builder.fcmp_unordered("uno", va, va), vx, vy)

    return vt(a, x, y), codegen


@intrinsic
def shift_exponent(typingctx, p, kr):
    """``p · 2^k`` in every lane, where ``kr = k + 1.5·2^m`` (m = 23 for float32, 52 for
    float64 — the sum that rounds k·ln 2's quotient to an integer) and the result is a
    normal number: ``p``'s bit pattern plus ``kr``'s shifted left by m. kr's pattern is
    that of 1.5·2^m plus k in its low bits, and the shift pushes everything but k out of
    the word, so the sum adds k to p's exponent field (two integer instructions)."""
    vt = _vector_type(p, kr)
    if p != kr:
        raise TypeError(f"vecops: shift_exponent expects two vectors of one type, got {p}, {kr}")
    bits, m = (32, 23) if vt.dtype == types.float32 else (64, 52)
    ivec = ir.VectorType(ir.IntType(bits), vt.lanes)

    def codegen(context, builder, signature, args):
        pi, ki = (builder.bitcast(a, ivec) for a in args)
        shifted = builder.shl(ki, ir.Constant(ivec, [m] * vt.lanes))
        return builder.bitcast(builder.add(pi, shifted), vt.ir_type())

    return vt(p, kr), codegen
