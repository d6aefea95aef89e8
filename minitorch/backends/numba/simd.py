"""N float32 lanes as one Numba value — the register a SIMD kernel computes in.

LLVM vectorises simple loops by itself (every elementwise kernel of this backend relies on
that), but not a *register-blocked* kernel such as :mod:`minitorch.backends.numba.direct`,
whose twelve running sums must stay in registers across a long loop. Written with scalars or
small arrays, those sums round-trip through memory on every step (``benchmarks/README.md``).
So this module gives Numba a type for them:

* ``f32x(n)`` is LLVM's ``<n x float>`` for n = 8 or 16: one 256-bit AVX register or one
  512-bit AVX-512 register on x86-64. LLVM *legalises* a vector wider than the machine's
  registers by splitting it (16 lanes on AVX2 are two ymm registers, on ARM four NEON
  registers): every width computes the same numbers on every CPU, only the speed differs.
* :func:`load` / :func:`store` move ``lanes`` consecutive float32 of a 1-D C-contiguous
  array (``a[i : i+lanes]``), :func:`splat` repeats a scalar in all lanes, :func:`fma` is
  one fused multiply-add into an accumulator (``acc + s·v`` for a scalar or a vector s,
  rounded once per lane — what ``vfmadd231ps`` computes), :func:`add` a lane-wise sum, and
  six fixed 8-lane shuffles (:func:`unpack_lo` … :func:`halves_hi`) that transpose 8 × 8
  tiles.

``lanes`` is a compile-time constant: a literal in the code (``load(a, i, 8)``) or an
argument the calling kernel made literal with :func:`numba.literally`, so that one kernel
source compiles to an 8-lane and a 16-lane machine-code variant (each cached on its own).
:func:`simd_lanes` says which width the backend's kernels use on this machine: 16 where LLVM
reports AVX-512 (``avx512f``) for the host CPU, else 8; ``MINITORCH_SIMD_LANES=8|16`` or
:func:`set_simd_lanes` force one (the tests run both on any CPU).

A kernel written with these reads like its scalar loop with the innermost ``lanes``
iterations folded into each call, and compiles to one instruction per call. The intrinsics
do **no bounds check**: the caller guarantees ``0 ≤ i`` and ``i + lanes ≤ len(a)``.
"""

from __future__ import annotations

import functools
import os
from typing import Optional, Tuple

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, models, register_model

WIDTHS: Tuple[int, ...] = (8, 16)  # the lane counts the kernels are written for
ENV_VAR = "MINITORCH_SIMD_LANES"
_I32 = ir.IntType(32)


class F32xN(types.Type):
    """Numba type of a vector of ``lanes`` float32 (only inside compiled code; never boxed)."""

    def __init__(self, lanes: int) -> None:
        self.lanes = int(lanes)
        super().__init__(name=f"f32x{self.lanes}")


@functools.cache
def f32x(lanes: int) -> F32xN:
    """The (unique) Numba type of ``lanes`` float32."""
    return F32xN(lanes)


@register_model(F32xN)
class _F32xNModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type) -> None:
        super().__init__(dmm, fe_type, ir.VectorType(ir.FloatType(), fe_type.lanes))


def _lanes_of(lanes) -> Optional[int]:
    """The value of a literal lane count; None for a non-literal integer (Numba then types
    the call again with the literal); a typing error for anything else."""
    if isinstance(lanes, types.IntegerLiteral) and lanes.literal_value in WIDTHS:
        return lanes.literal_value
    if isinstance(lanes, types.Integer) and not isinstance(lanes, types.IntegerLiteral):
        return None
    raise TypeError(f"simd: lanes must be a literal in {WIDTHS}, got {lanes}")


def _lane_pointer(context, builder, arr_type, arr, index, lanes: int):
    """``(<lanes x float>*) &arr[index]``."""
    data = context.make_array(arr_type)(context, builder, value=arr).data
    vec = ir.VectorType(ir.FloatType(), lanes)
    return builder.bitcast(builder.gep(data, [index]), vec.as_pointer())


def _broadcast(builder, scalar, lanes: int):
    """<s, s, …, s> (insert into lane 0, then shuffle lane 0 everywhere)."""
    vec = ir.VectorType(ir.FloatType(), lanes)
    one = builder.insert_element(ir.Constant(vec, ir.Undefined), scalar, ir.Constant(_I32, 0))
    return builder.shuffle_vector(one, ir.Constant(vec, ir.Undefined),
                                  ir.Constant(ir.VectorType(_I32, lanes), [0] * lanes))


def _check(arr) -> None:
    if not (isinstance(arr, types.Array) and arr.ndim == 1 and arr.layout == "C"
            and arr.dtype == types.float32):
        raise TypeError(f"simd: expected a 1-D C-contiguous float32 array, got {arr}")


@intrinsic
def load(typingctx, arr, index, lanes):
    """``arr[index : index + lanes]`` as an ``f32x(lanes)`` (unaligned load)."""
    _check(arr)
    n = _lanes_of(lanes)
    if n is None:
        return None

    def codegen(context, builder, signature, args):
        pointer = _lane_pointer(context, builder, signature.args[0], args[0], args[1], n)
        return builder.load(pointer, align=4)

    return f32x(n)(arr, index, lanes), codegen


@intrinsic
def store(typingctx, arr, index, vec):
    """``arr[index : index + lanes] = vec`` (unaligned store; lanes is vec's)."""
    _check(arr)
    if not isinstance(vec, F32xN):
        raise TypeError(f"simd: store expects a vector, got {vec}")

    def codegen(context, builder, signature, args):
        pointer = _lane_pointer(context, builder, signature.args[0], args[0], args[1],
                                vec.lanes)
        builder.store(args[2], pointer, align=4)
        return context.get_dummy_value()

    return types.void(arr, index, vec), codegen


@intrinsic
def splat(typingctx, scalar, lanes):
    """An ``f32x(lanes)`` with ``scalar`` (cast to float32) in every lane."""
    n = _lanes_of(lanes)
    if n is None:
        return None

    def codegen(context, builder, signature, args):
        value = context.cast(builder, args[0], signature.args[0], types.float32)
        return _broadcast(builder, value, n)

    return f32x(n)(scalar, lanes), codegen


@intrinsic
def fma(typingctx, acc, a, vec):
    """``acc + a · vec`` in every lane, one rounding (``llvm.fma.vNf32``); ``a`` is a vector
    of the same width or a scalar (then repeated in every lane)."""
    if not isinstance(acc, F32xN) or vec != acc:
        raise TypeError(f"simd: fma expects two vectors of one width, got {acc}, {vec}")
    n = acc.lanes

    def codegen(context, builder, signature, args):
        factor = args[1]
        if not isinstance(signature.args[1], F32xN):
            value = context.cast(builder, args[1], signature.args[1], types.float32)
            factor = _broadcast(builder, value, n)
        v = ir.VectorType(ir.FloatType(), n)
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(v, [v, v, v]),
                                            f"llvm.fma.v{n}f32")
        return builder.call(fn, [factor, args[2], args[0]])

    return acc(acc, a, vec), codegen


@intrinsic
def add(typingctx, a, b):
    """``a + b`` in every lane."""
    if not isinstance(a, F32xN) or a != b:
        raise TypeError(f"simd: add expects two vectors of one width, got {a}, {b}")

    def codegen(context, builder, signature, args):
        return builder.fadd(args[0], args[1])

    return a(a, b), codegen


def _shuffle(name: str, mask: tuple):
    """An intrinsic ``name(a, b)`` on two 8-lane vectors: lane i of the result is lane
    mask[i] of a‖b (0–7 from a, 8–15 from b) — LLVM's ``shufflevector`` with a constant
    mask."""
    vec8 = f32x(8)

    def impl(typingctx, a, b):
        def codegen(context, builder, signature, args):
            return builder.shuffle_vector(args[0], args[1],
                                          ir.Constant(ir.VectorType(_I32, 8), list(mask)))

        return vec8(vec8, vec8), codegen

    impl.__name__ = name
    return intrinsic(impl)


# The three steps of an 8 × 8 transpose (AVX's unpack, shuffle and 128-bit lane permute).
unpack_lo = _shuffle("unpack_lo", (0, 8, 1, 9, 4, 12, 5, 13))
unpack_hi = _shuffle("unpack_hi", (2, 10, 3, 11, 6, 14, 7, 15))
pairs_lo = _shuffle("pairs_lo", (0, 1, 8, 9, 4, 5, 12, 13))
pairs_hi = _shuffle("pairs_hi", (2, 3, 10, 11, 6, 7, 14, 15))
halves_lo = _shuffle("halves_lo", (0, 1, 2, 3, 8, 9, 10, 11))
halves_hi = _shuffle("halves_hi", (4, 5, 6, 7, 12, 13, 14, 15))


# --------------------------------------------------------------------------- which width runs
def host_features() -> frozenset:
    """The CPU features LLVM reports for this machine (e.g. ``"avx2"``, ``"avx512f"``) —
    what Numba compiles for."""
    from llvmlite import binding

    try:
        text = binding.get_host_cpu_features().flatten()
    except RuntimeError:  # LLVM cannot tell on some platforms
        return frozenset()
    return frozenset(f[1:] for f in text.split(",") if f.startswith("+"))


def detected_lanes() -> int:
    """16 where the host CPU has AVX-512 (512-bit float registers), else 8."""
    return 16 if "avx512f" in host_features() else 8


def _lanes_from_env() -> Optional[int]:
    text = os.environ.get(ENV_VAR, "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) not in WIDTHS:
        raise ValueError(f"{ENV_VAR} must be one of {', '.join(map(str, WIDTHS))}, "
                         f"got {text!r}")
    return int(text)


_forced: Optional[int] = None


def simd_lanes() -> int:
    """The vector width (float32 lanes) of the direct conv kernels: :func:`set_simd_lanes`'s,
    else ``MINITORCH_SIMD_LANES``, else :func:`detected_lanes`."""
    if _forced is not None:
        return _forced
    env = _lanes_from_env()
    return env if env is not None else detected_lanes()


def set_simd_lanes(lanes: Optional[int]) -> None:
    """Force the vector width of the direct conv kernels (8 or 16); ``None`` goes back to
    ``MINITORCH_SIMD_LANES`` / detection."""
    global _forced
    if lanes is not None and lanes not in WIDTHS:
        raise ValueError(f"lanes must be one of {WIDTHS} or None, got {lanes!r}")
    _forced = lanes
