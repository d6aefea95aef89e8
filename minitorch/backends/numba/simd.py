"""N float lanes as one Numba value — the register a SIMD kernel computes in.

LLVM vectorises simple loops by itself (every elementwise kernel of this backend relies on
that), but not a *register-blocked* kernel such as :mod:`minitorch.backends.numba.direct`,
whose twelve running sums must stay in registers across a long loop. Written with scalars or
small arrays, those sums round-trip through memory on every step (``benchmarks/README.md``).
So this module gives Numba a type for them:

* ``vec(dtype, n)`` is LLVM's ``<n x float>`` (float32) or ``<n x double>`` (float64) for
  n = 4, 8 or 16: 8 float32 or 4 float64 fill one 256-bit AVX register, 16 float32 or 8
  float64 one 512-bit AVX-512 register. LLVM *legalises* a vector wider than the machine's
  registers by splitting it (16 float32 on AVX2 are two ymm registers, on ARM four NEON
  registers): every width computes the same numbers on every CPU, only the speed differs.
* :func:`load` / :func:`store` move ``lanes`` consecutive values of a 1-D C-contiguous
  float32 or float64 array (``a[i : i+lanes]``; the vector has the array's dtype),
  :func:`splat` repeats a scalar in all lanes (of the dtype of the array it is given),
  :func:`fma` is one fused multiply-add into an accumulator (``acc + s·v`` for a scalar or
  a vector s, rounded once per lane — what ``vfmadd231ps`` / ``pd`` computes), :func:`add` a
  lane-wise sum, and six fixed 8-lane shuffles (:func:`unpack_lo` … :func:`halves_hi`) that
  transpose 8 × 8 tiles.

``lanes`` is a compile-time constant: a literal in the code (``load(a, i, 8)``) or a
:class:`Width` argument (``WIDTH[16]``) whose type carries the count, so that one kernel
source compiles to one machine-code variant per width (each cached on its own).
:func:`simd_lanes` says which width the backend's kernels use on this machine: 16 float32
(8 float64) where LLVM reports AVX-512 (``avx512f``) for the host CPU, else 8 float32 (4
float64); ``MINITORCH_SIMD_LANES=8|16`` or :func:`set_simd_lanes` force the float32 width,
float64 runs at half of it (the tests run both on any CPU).

A kernel written with these reads like its scalar loop with the innermost ``lanes``
iterations folded into each call, and compiles to one instruction per call. The intrinsics
do **no bounds check**: the caller guarantees ``0 ≤ i`` and ``i + lanes ≤ len(a)``.
"""

from __future__ import annotations

import functools
import math
import os
import threading
from typing import Optional, Tuple

import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import NativeValue, intrinsic, models, register_model, typeof_impl, unbox

WIDTHS: Tuple[int, ...] = (4, 8, 16)  # the lane counts a vector may have
FLOAT32_WIDTHS: Tuple[int, ...] = (8, 16)  # the float32 widths one can ask for
ENV_VAR = "MINITORCH_SIMD_LANES"
_I32 = ir.IntType(32)


class Vec(types.Type):
    """Numba type of a vector of ``lanes`` float32 or float64 (only inside compiled code;
    never boxed)."""

    def __init__(self, dtype, lanes: int) -> None:
        self.dtype, self.lanes = dtype, int(lanes)
        prefix = "f32" if dtype == types.float32 else "f64"
        super().__init__(name=f"{prefix}x{self.lanes}")

    def ir_type(self):
        scalar = ir.FloatType() if self.dtype == types.float32 else ir.DoubleType()
        return ir.VectorType(scalar, self.lanes)


@functools.cache
def vec(dtype, lanes: int) -> Vec:
    """The (unique) Numba type of ``lanes`` values of ``dtype`` (float32 or float64)."""
    return Vec(dtype, lanes)


def f32x(lanes: int) -> Vec:
    """``vec(float32, lanes)``."""
    return vec(types.float32, lanes)


@register_model(Vec)
class _VecModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type) -> None:
        super().__init__(dmm, fe_type, fe_type.ir_type())


class Width:
    """A lane count as a Python value whose Numba *type* carries it (``WidthType(n)``): passed
    to a kernel, it makes every use of ``lanes`` inside a compile-time constant, and each
    width a signature of its own — compiled on first use, cached on its own — with no
    wrapper function around the kernel. Use :data:`WIDTH` ``[n]``."""

    def __init__(self, lanes: int) -> None:
        self.lanes = int(lanes)

    def __repr__(self) -> str:
        return f"Width({self.lanes})"


class WidthType(types.Type):
    """Numba type of a :class:`Width` (no run-time value)."""

    def __init__(self, lanes: int) -> None:
        self.lanes = int(lanes)
        super().__init__(name=f"Width({self.lanes})")


@typeof_impl.register(Width)
def _typeof_width(value: Width, context) -> WidthType:
    return _width_type(value.lanes)


@functools.cache
def _width_type(lanes: int) -> WidthType:
    """The type of ``Width(lanes)``, made once: each direct conv call types its Width
    argument, and making a Numba type costs microseconds (it is interned on creation)."""
    return WidthType(lanes)


register_model(WidthType)(models.OpaqueModel)


@unbox(WidthType)
def _unbox_width(typ, obj, c):
    return NativeValue(c.context.get_dummy_value())


#: lanes → its :class:`Width`.
WIDTH = {n: Width(n) for n in WIDTHS}


def _lanes_of(lanes) -> Optional[int]:
    """The value of a lane count — a :class:`Width` or a literal integer; None for a
    non-literal integer (Numba then types the call again with the literal); a typing error
    for anything else."""
    if isinstance(lanes, WidthType) and lanes.lanes in WIDTHS:
        return lanes.lanes
    if isinstance(lanes, types.IntegerLiteral) and lanes.literal_value in WIDTHS:
        return lanes.literal_value
    if isinstance(lanes, types.Integer) and not isinstance(lanes, types.IntegerLiteral):
        return None
    raise TypeError(f"simd: lanes must be a literal in {WIDTHS}, got {lanes}")


def _lane_pointer(context, builder, arr_type, arr, index, vec_type: Vec):
    """``(<lanes x float|double>*) &arr[index]``."""
    data = context.make_array(arr_type)(context, builder, value=arr).data
    return builder.bitcast(builder.gep(data, [index]), vec_type.ir_type().as_pointer())


def _broadcast(builder, scalar, vec_type: Vec):
    """<s, s, …, s> (insert into lane 0, then shuffle lane 0 everywhere)."""
    v, lanes = vec_type.ir_type(), vec_type.lanes
    one = builder.insert_element(ir.Constant(v, ir.Undefined), scalar, ir.Constant(_I32, 0))
    return builder.shuffle_vector(one, ir.Constant(v, ir.Undefined),
                                  ir.Constant(ir.VectorType(_I32, lanes), [0] * lanes))


def _check(arr) -> None:
    if not (isinstance(arr, types.Array) and arr.ndim == 1 and arr.layout == "C"
            and arr.dtype in (types.float32, types.float64)):
        raise TypeError(f"simd: expected a 1-D C-contiguous float32/float64 array, got {arr}")


@intrinsic
def count(typingctx, lanes):
    """The number of lanes of a :class:`Width` (or literal) as an int64 constant."""
    n = _lanes_of(lanes)
    if n is None:
        return None

    def codegen(context, builder, signature, args):
        return ir.Constant(ir.IntType(64), n)

    return types.int64(lanes), codegen


@intrinsic
def load(typingctx, arr, index, lanes):
    """``arr[index : index + lanes]`` as a ``vec(arr.dtype, lanes)`` (unaligned load)."""
    _check(arr)
    n = _lanes_of(lanes)
    if n is None:
        return None
    out = vec(arr.dtype, n)

    def codegen(context, builder, signature, args):
        pointer = _lane_pointer(context, builder, signature.args[0], args[0], args[1], out)
        return builder.load(pointer, align=4)

    return out(arr, index, lanes), codegen


@intrinsic
def store(typingctx, arr, index, value):
    """``arr[index : index + lanes] = value`` (unaligned store; lanes is the vector's)."""
    _check(arr)
    if not isinstance(value, Vec) or value.dtype != arr.dtype:
        raise TypeError(f"simd: store expects a vector of {arr.dtype}, got {value}")

    def codegen(context, builder, signature, args):
        pointer = _lane_pointer(context, builder, signature.args[0], args[0], args[1], value)
        builder.store(args[2], pointer, align=4)
        return context.get_dummy_value()

    return types.void(arr, index, value), codegen


@intrinsic
def prefetch(typingctx, arr, index):
    """Ask for the cache line holding ``arr[index]`` to be brought into the caches ahead of
    its use (``llvm.prefetch``: a read, kept in every level); a hint only — it returns
    nothing, and compiles to nothing on a CPU without such an instruction. The caller keeps
    ``index`` inside ``arr``."""
    _check(arr)

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, value=args[0]).data
        i8p = ir.IntType(8).as_pointer()
        pointer = builder.bitcast(builder.gep(data, [args[1]]), i8p)
        fn = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [i8p, _I32, _I32, _I32]),
            "llvm.prefetch.p0i8")
        builder.call(fn, [pointer, ir.Constant(_I32, 0), ir.Constant(_I32, 3),
                          ir.Constant(_I32, 1)])
        return context.get_dummy_value()

    return types.void(arr, index), codegen


@intrinsic
def splat(typingctx, scalar, like, lanes):
    """A ``vec(like.dtype, lanes)`` with ``scalar`` (cast to that dtype) in every lane;
    ``like`` is an array (only its dtype is used)."""
    _check(like)
    n = _lanes_of(lanes)
    if n is None:
        return None
    out = vec(like.dtype, n)

    def codegen(context, builder, signature, args):
        value = context.cast(builder, args[0], signature.args[0], out.dtype)
        return _broadcast(builder, value, out)

    return out(scalar, like, lanes), codegen


@intrinsic
def fma(typingctx, acc, a, v):
    """``acc + a · v`` in every lane, one rounding (``llvm.fma.vNf32`` / ``vNf64``); ``a``
    is a vector of the same type or a scalar (then repeated in every lane)."""
    if not isinstance(acc, Vec) or v != acc:
        raise TypeError(f"simd: fma expects two vectors of one type, got {acc}, {v}")
    suffix = f"v{acc.lanes}f{32 if acc.dtype == types.float32 else 64}"

    def codegen(context, builder, signature, args):
        factor = args[1]
        if not isinstance(signature.args[1], Vec):
            value = context.cast(builder, args[1], signature.args[1], acc.dtype)
            factor = _broadcast(builder, value, acc)
        t = acc.ir_type()
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(t, [t, t, t]),
                                            f"llvm.fma.{suffix}")
        return builder.call(fn, [factor, args[2], args[0]])

    return acc(acc, a, v), codegen


@intrinsic
def add(typingctx, a, b):
    """``a + b`` in every lane."""
    if not isinstance(a, Vec) or a != b:
        raise TypeError(f"simd: add expects two vectors of one type, got {a}, {b}")

    def codegen(context, builder, signature, args):
        return builder.fadd(args[0], args[1])

    return a(a, b), codegen


def _shuffle(name: str, mask: tuple):
    """An intrinsic ``name(a, b)`` on two 8-lane vectors of one type: lane i of the result
    is lane mask[i] of a‖b (0–7 from a, 8–15 from b) — LLVM's ``shufflevector`` with a
    constant mask."""
    def impl(typingctx, a, b):
        if not isinstance(a, Vec) or a != b or a.lanes != 8:
            raise TypeError(f"simd: {name} expects two 8-lane vectors of one type, "
                            f"got {a}, {b}")

        def codegen(context, builder, signature, args):
            return builder.shuffle_vector(args[0], args[1],
                                          ir.Constant(ir.VectorType(_I32, 8), list(mask)))

        return a(a, b), codegen

    impl.__name__ = name
    return intrinsic(impl)


# The three steps of an 8 × 8 transpose (AVX's unpack, shuffle and 128-bit lane permute).
unpack_lo = _shuffle("unpack_lo", (0, 8, 1, 9, 4, 12, 5, 13))
unpack_hi = _shuffle("unpack_hi", (2, 10, 3, 11, 6, 14, 7, 15))
pairs_lo = _shuffle("pairs_lo", (0, 1, 8, 9, 4, 5, 12, 13))
pairs_hi = _shuffle("pairs_hi", (2, 3, 10, 11, 6, 7, 14, 15))
halves_lo = _shuffle("halves_lo", (0, 1, 2, 3, 8, 9, 10, 11))
halves_hi = _shuffle("halves_hi", (4, 5, 6, 7, 12, 13, 14, 15))


# --------------------------------------------------------------------------- aligned buffers
ALIGN = 64  # bytes: one cache line, and one AVX-512 register


def aligned_empty(shape, dtype) -> np.ndarray:
    """``np.empty(shape, dtype)`` whose data starts on a 64-byte boundary. NumPy aligns to 16
    bytes only, so a 16-float vector load at a multiple of 16 elements would straddle two
    cache lines — every one of them, and such a split load costs a second load slot (the
    direct forward: 150 → 175 GFLOP/s per thread on conv3's weight, benchmarks/README.md)."""
    dtype = np.dtype(dtype)
    count = math.prod(shape) if isinstance(shape, (tuple, list)) else int(shape)
    raw = np.empty(count * dtype.itemsize + ALIGN, np.uint8)
    return np.ndarray(shape, dtype, raw, -raw.ctypes.data % ALIGN)  # one view, at the offset


_scratch = threading.local()
SCRATCH_BUFFERS = 24  # per thread: a few per conv pass of a handful of layer shapes


def aligned_scratch(tag: str, shape: Tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A 64-byte aligned (``aligned_empty``) buffer that the calling thread gets back on every
    call with the same ``tag``, ``shape`` and ``dtype``: scratch space that a kernel writes
    before it reads it (it holds what the last call left). An allocation costs ~2 µs, and a
    direct convolution needs three to five per call — at batch 1 a sixth of its time.
    Each thread keeps its own (two threads never share one), the oldest dropped beyond
    :data:`SCRATCH_BUFFERS`. Never for a result: the next call would overwrite it."""
    buffers = getattr(_scratch, "buffers", None)
    if buffers is None:
        buffers = _scratch.buffers = {}
    key = (tag, shape, dtype)
    buf = buffers.get(key)
    if buf is None:
        if len(buffers) >= SCRATCH_BUFFERS:
            del buffers[next(iter(buffers))]
        buf = buffers[key] = aligned_empty(shape, dtype)
    return buf


# --------------------------------------------------------------------------- which width runs
@functools.cache
def host_features() -> frozenset:
    """The CPU features LLVM reports for this machine (e.g. ``"avx2"``, ``"avx512f"``) —
    what Numba compiles for. Asked of LLVM once per process (about a millisecond per
    question, and every direct conv call needs the answer)."""
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
    if not text.isdigit() or int(text) not in FLOAT32_WIDTHS:
        raise ValueError(f"{ENV_VAR} must be one of {', '.join(map(str, FLOAT32_WIDTHS))}, "
                         f"got {text!r}")
    return int(text)


_forced: Optional[int] = None


def simd_lanes(dtype=np.float32) -> int:
    """The vector width of the direct conv kernels for ``dtype``: in float32 lanes
    :func:`set_simd_lanes`'s, else ``MINITORCH_SIMD_LANES``, else :func:`detected_lanes`;
    float64 vectors have half as many lanes (the same register width)."""
    if _forced is not None:
        lanes = _forced
    else:
        env = _lanes_from_env()
        lanes = env if env is not None else detected_lanes()
    return lanes // 2 if np.dtype(dtype) == np.float64 else lanes


def set_simd_lanes(lanes: Optional[int]) -> None:
    """Force the vector width of the direct conv kernels (8 or 16 float32 lanes; float64
    runs at half); ``None`` goes back to ``MINITORCH_SIMD_LANES`` / detection."""
    global _forced
    if lanes is not None and lanes not in FLOAT32_WIDTHS:
        raise ValueError(f"lanes must be one of {FLOAT32_WIDTHS} or None, got {lanes!r}")
    _forced = lanes
