"""The CUDA backend: every kernel of the interface as our own CUDA C kernel.

The same class serves two modes, which differ only in the launcher they are given:

* ``"cuda"`` — ``xp`` is CuPy and :class:`~minitorch.backends.cuda.launcher.CupyLauncher`
  runs the kernels on the GPU;
* ``"cuda-emulated"`` — ``xp`` is NumPy and
  :class:`~minitorch.backends.cuda.emulator.EmulatedLauncher` runs the very same kernels on
  the CPU, with the very same grids and blocks, bounds-checked.

What is ours and what is not: ``matmul`` goes to the vendor BLAS through ``xp.matmul`` —
cuBLAS on a GPU. Convolution and the linear layers (a 1 × 1 convolution of 1 × 1 images)
have two routes, chosen by ``CudaBackend(..., conv=...)``:

* ``"implicit"`` (the default): three implicit-GEMM kernels of ours (``kernels/conv.cu``) —
  forward with the bias fused (split-K when its grid would leave most of the GPU idle: a
  linear layer's long reduction), the weight gradient (and with it the bias gradient: a
  column of ones in its GEMM) as one split-K GEMM over the whole batch, the input gradient
  as a gather — which build their tiles of the column matrix in shared memory straight from
  the image; no column matrix exists in global memory. A split-K launch adds its splits
  itself, in a fixed order (the last blocks to arrive, see ``ig_split_k_store``): one launch
  per product, no bias or finish pass;
* ``"im2col"``: the im2col/col2im kernels materialise the columns and cuBLAS does the GEMMs
  (per sample for the weight gradient, summed by ``xp``), and the linear layers' GEMMs.

Everything else that touches pixels is a kernel in ``kernels/*.cu``: the bias add and the
two-pass channel sum (the bias gradients on the im2col route, and of convolutions when the
weight gradient is not wanted), the four pooling kernels, the activations, softmax,
log-softmax and the fused cross-entropy. Allocation and reshapes are plain ``xp`` array
operations.

Launch geometry: elementwise-style kernels use :func:`grid_1d` (256 threads per block, at most
4096 blocks, grid-stride loops inside); ``channel_sum_partial`` uses a (B, channels) grid of
256-thread blocks (:func:`reduce_blocks`); the implicit-GEMM convolution kernels one block of
128 threads (4 × 4 outputs each) per 32 × 64 output tile (:meth:`CudaBackend._launch_gemm`).
Scalars are passed as NumPy scalars of the exact C width (``_i32`` for ``int``, ``_i64`` for
``long long``, ``dtype.type`` for ``T``).
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from minitorch.backends.base import Array, Backend, Pair, Quad, check_inputs
from minitorch.backends.cuda.errors import ErrorFlag
from minitorch.backends.cuda.graphs import DeviceArray, capturing_graph, refuse_during_capture
from minitorch.backends.cuda.launcher import KernelLauncher

BLOCK = 256          # threads per block for 1-D launches
MAX_BLOCKS = 4096    # enough to fill any current GPU; grid-stride loops do the rest
REDUCE_THREADS = 256  # must equal REDUCE_THREADS in reduction.cu
REDUCE_ITEMS_PER_BLOCK = 4096  # 256 threads x 4 loads in flight x 4 steps
REDUCE_MAX_BLOCKS = 1024       # blocks over all channels: ~8 per SM of a 132-SM GPU
SGD_TENSORS = 16  # tensors one sgd_update launch steps: its 16 (w, grad, buf) slots


def grid_1d(total: int) -> int:
    """Blocks for a 1-D launch over ``total`` items: ceil(total / BLOCK), capped."""
    return max(1, min(-(-total // BLOCK), MAX_BLOCKS))


CONV_ROUTES = ("implicit", "im2col")
IG_ROWS, IG_COLUMNS = 32, 64  # IG_M × IG_N in conv.cu: the output tile of one block
IG_THREADS = 128              # IG_THREADS in conv.cu: 4 × 4 outputs per thread


SPLIT_K_BLOCKS = 528     # blocks a weight-gradient launch aims for: 4 per SM of a 132-SM GPU
SPLIT_K_MIN_CHUNK = 512  # pixels each split reduces over at least (32 steps of IG_K = 16)
SMS = 132                # SMs of the GPU the launch geometry is made for (H100/H200)
SMALL_GRID_MIN_CHUNK = 64  # split-K of a small grid: reduction indices per split at least


def split_k(pixels: int, tiles: int, blocks: int = SPLIT_K_BLOCKS,
            min_chunk: int = SPLIT_K_MIN_CHUNK) -> Tuple[int, int]:
    """(splits, chunk) for a split-K implicit GEMM: split its reduction over ``pixels``
    into chunks (multiples of 16, at least ``min_chunk``) until ``tiles`` output tiles ×
    splits reach about ``blocks`` blocks."""
    wanted = max(1, min(blocks // max(tiles, 1), pixels // min_chunk))
    chunk = -(-pixels // wanted)
    chunk = -(-chunk // 16) * 16
    return -(-pixels // chunk) if pixels else 1, max(chunk, 16)


def reduce_blocks(per_channel: int, channels: int) -> int:
    """Blocks per channel B for ``channel_sum_partial``: enough that each block has about
    REDUCE_ITEMS_PER_BLOCK values to add, but no more than REDUCE_MAX_BLOCKS in all."""
    wanted = -(-per_channel // REDUCE_ITEMS_PER_BLOCK)
    return max(1, min(wanted, REDUCE_MAX_BLOCKS // max(channels, 1)))


def _i32(value: int) -> np.int32:
    """A C ``int`` argument (refusing values that do not fit rather than wrapping)."""
    if not -2**31 <= value < 2**31:
        raise OverflowError(f"{value} does not fit a C int")
    return np.int32(value)


def _i64(value: int) -> np.int64:
    """A C ``long long`` argument."""
    return np.int64(value)


class CudaBackend(Backend):
    """All kernels of :class:`~minitorch.backends.base.Backend` as CUDA C kernels, launched
    by ``launcher`` on arrays of ``xp`` (see the module docstring)."""

    def __init__(self, xp: ModuleType, launcher: KernelLauncher, name: str = "cuda",
                 device: str = "cuda", conv: str = "implicit") -> None:
        super().__init__(xp)
        if conv not in CONV_ROUTES:
            raise ValueError(f"conv must be one of {CONV_ROUTES}, got {conv!r}")
        self.conv = conv
        self.launcher = launcher
        self.name = name
        self.device = device
        self.errors = ErrorFlag(xp)
        self._ones: Dict[Tuple[int, np.dtype], Array] = {}
        self._kept: Dict[Tuple[Any, ...], Array] = {}  # small constant device arrays

    # ------------------------------------------------------------------ helpers
    def empty(self, shape: Tuple[int, ...], dtype: Any) -> Array:
        """An uninitialised output array. Under the emulator it is filled with 0xFF bytes (NaN
        for floats, -1 for integers), so an element a kernel forgets to write shows up instead
        of passing with whatever the allocator left there."""
        out = self.xp.empty(shape, dtype)
        if self.launcher.poison_outputs:  # on a plain view: a capture does not record it
            out.view(np.ndarray).reshape(-1).view(np.uint8).fill(0xFF)
            if capturing_graph() is not None:  # the emulator records what reads it
                out = out.view(DeviceArray)
        return out

    def full(self, shape: Tuple[int, ...], value: float, dtype: Any) -> Array:
        """An array filled with ``value``: a memset, which a graph capture records."""
        out = self.empty(shape, dtype)
        out.fill(value)
        return out

    def _launch_1d(self, kernel: str, dtype: Any, total: int, *args: Any) -> None:
        """One thread per item (grid-stride); nothing to do for zero items."""
        if total > 0:
            self.launcher.launch(kernel, dtype, grid_1d(total), BLOCK, args)

    def _im2col(self, x: Array, kernel: Pair, stride: Pair, padding: Quad, dilation: Pair,
                out_hw: Pair) -> Array:
        """cols (N, C·kH·kW, Ho·Wo) of the padded input, as the GEMM wants it."""
        n, c, h, w = x.shape
        cols = self.empty((n, c * kernel[0] * kernel[1], out_hw[0] * out_hw[1]), x.dtype)
        self._launch_1d("im2col", x.dtype, cols.size, x, cols,
                        *self._conv_geometry(x.shape, kernel, stride, padding, dilation, out_hw))
        return cols

    @staticmethod
    def _conv_geometry(x_shape: Tuple[int, ...], kernel: Pair, stride: Pair, padding: Quad,
                       dilation: Pair, out_hw: Pair) -> Tuple[np.int32, ...]:
        """The 14 int arguments shared by im2col and col2im."""
        n, c, h, w = x_shape
        values = (n, c, h, w, kernel[0], kernel[1], out_hw[0], out_hw[1], stride[0],
                  stride[1], padding[0], padding[2], dilation[0], dilation[1])
        return tuple(_i32(v) for v in values)

    def _channel_sum(self, x: Array, n: int, o: int, length: int,
                     blocks: Optional[int] = None) -> Array:
        """out[o] = Σ_{n, l} x[n, o, l] for x viewed as (n, o, length): ``channel_sum_partial``
        on a (B, o) grid (B blocks per channel, ``blocks`` or :func:`reduce_blocks`), then
        ``channel_sum_finish`` adds each channel's B partial sums in a fixed order (with B = 1
        the first pass writes ``out`` itself). Both passes write every element of their
        output, so nothing is zero-filled first (no memset launch) unless there is nothing
        to add."""
        if o == 0 or n * length == 0:
            return self.full((o,), 0, x.dtype)
        out = self.empty((o,), x.dtype)
        b = blocks if blocks is not None else reduce_blocks(n * length, o)
        partial = self.empty((o * b,), x.dtype) if b > 1 else out  # B = 1: one pass
        self.launcher.launch("channel_sum_partial", x.dtype, (b, o), REDUCE_THREADS,
                             (x, partial, _i32(n), _i32(o), _i64(length)))
        if b > 1:
            self._launch_1d("channel_sum_finish", x.dtype, o, partial, out, _i32(o), _i32(b))
        return out

    def _add_channel_bias(self, y: Array, b: Array, n: int, o: int, length: int) -> None:
        """y[n, o, l] += b[o] in place, y viewed as (n, o, length)."""
        self._launch_1d("add_channel_bias", y.dtype, y.size, y, b, _i32(n), _i32(o),
                        _i64(length))

    # ------------------------------------------------------------------- conv2d
    def _conv2d_forward_im2col(self, x: Array, w: Array, b: Optional[Array], stride: Pair,
                       padding: Quad, dilation: Pair, groups: int, out_hw: Pair) -> Array:
        """im2col kernel, one batched GEMM per group (cuBLAS), bias kernel."""
        check_inputs(x, w, b)
        n = x.shape[0]
        o, cg, kh, kw = w.shape
        og, k, length = o // groups, cg * kh * kw, out_hw[0] * out_hw[1]
        cols = self._im2col(x, (kh, kw), stride, padding, dilation, out_hw)
        # (1, G, Og, K) @ (N, G, K, L) -> (N, G, Og, L)
        y = self.xp.matmul(w.reshape(1, groups, og, k), cols.reshape(n, groups, k, length))
        y = self.xp.ascontiguousarray(y.reshape(n, o, out_hw[0], out_hw[1]))
        if b is not None:
            self._add_channel_bias(y, b, n, o, length)
        return y

    def _conv2d_backward_input_im2col(self, gy: Array, w: Array, x_shape: Tuple[int, ...],
                                      stride: Pair, padding: Quad, dilation: Pair,
                                      groups: int) -> Array:
        """GEMM wᵀ·gy per group (cuBLAS) into columns, then the col2im gather kernel."""
        check_inputs(gy, w)
        n, o, ho, wo = gy.shape
        _, cg, kh, kw = w.shape
        og, k, length = o // groups, cg * kh * kw, ho * wo
        # (1, G, K, Og) @ (N, G, Og, L) -> (N, G, K, L)
        w_t = w.reshape(1, groups, og, k).transpose(0, 1, 3, 2)
        gcols = self.xp.ascontiguousarray(self.xp.matmul(w_t, gy.reshape(n, groups, og, length)))
        gx = self.empty(tuple(x_shape), gy.dtype)
        self._launch_1d("col2im", gy.dtype, gx.size, gcols, gx,
                        *self._conv_geometry(x_shape, (kh, kw), stride, padding, dilation,
                                             (ho, wo)))
        return gx

    def _conv2d_backward_weight_im2col(self, gy: Array, x: Array, w_shape: Tuple[int, ...],
                                       stride: Pair, padding: Quad, dilation: Pair,
                                      groups: int) -> Array:
        """im2col kernel, GEMM gy·colsᵀ per sample and group (cuBLAS), sum over the batch."""
        check_inputs(gy, x)
        n, o, ho, wo = gy.shape
        _, cg, kh, kw = w_shape
        og, k, length = o // groups, cg * kh * kw, ho * wo
        cols = self._im2col(x, (kh, kw), stride, padding, dilation, (ho, wo))
        # (N, G, Og, L) @ (N, G, L, K) -> (N, G, Og, K), summed over N
        gw = self.xp.matmul(gy.reshape(n, groups, og, length),
                            cols.reshape(n, groups, k, length).transpose(0, 1, 3, 2))
        return self.xp.ascontiguousarray(gw.sum(axis=0).reshape(tuple(w_shape)))

    def _check_int32(self, *sizes: int) -> None:
        """The implicit-GEMM kernels index with 32-bit ints: every array size and GEMM
        dimension must stay below 2³¹ (else use ``conv="im2col"``)."""
        if max(sizes) >= 2**31:
            raise OverflowError(f"conv2d sizes {sizes} exceed the 32-bit indexing of the "
                                f"implicit-GEMM kernels; use CudaBackend(conv='im2col')")

    def _implicit_geometry(self, x_shape: Tuple[int, ...], o: int, groups: int, kernel: Pair,
                           out_hw: Pair, stride: Pair, padding: Quad,
                           dilation: Pair) -> Tuple[np.int32, ...]:
        """N, C, H, W, O, groups, kH, kW, Ho, Wo, sh, sw, pad_top, pad_left, dh, dw."""
        n, c, h, w = x_shape
        self._check_int32(n * c * h * w, n * o * out_hw[0] * out_hw[1],
                          o * c * kernel[0] * kernel[1], n * out_hw[0] * out_hw[1])
        return tuple(_i32(v) for v in (n, c, h, w, o, groups, *kernel, *out_hw, *stride,
                                       padding[0], padding[2], *dilation))

    def _launch_gemm(self, kernel: str, dtype: Any, rows: int, columns: int, groups: int,
                     *args: Any) -> None:
        """An implicit-GEMM kernel: one IG_THREADS-thread block per 32 × 64 tile of each
        group's rows × columns output."""
        if rows > 0 and columns > 0 and groups > 0:
            grid = (-(-columns // IG_COLUMNS), -(-rows // IG_ROWS), groups)
            self.launcher.launch(kernel, dtype, grid, IG_THREADS, args)

    def conv2d_forward(self, x: Array, w: Array, b: Optional[Array], stride: Pair,
                       padding: Quad, dilation: Pair, groups: int, out_hw: Pair) -> Array:
        """The implicit-GEMM kernel with the bias in its epilogue (``conv="implicit"``), or
        im2col + GEMM."""
        if self.conv == "im2col":
            return self._conv2d_forward_im2col(x, w, b, stride, padding, dilation, groups,
                                               out_hw)
        check_inputs(x, w, b)
        n, o = x.shape[0], w.shape[0]
        y = self.empty((n, o, out_hw[0], out_hw[1]), x.dtype)
        if y.size == 0:
            return y
        geometry = self._implicit_geometry(x.shape, o, groups, w.shape[2:], out_hw, stride,
                                           padding, dilation)
        bias = b if b is not None else self.full((1,), 0, x.dtype)
        og, columns, k = o // groups, n * out_hw[0] * out_hw[1], math.prod(w.shape[1:])
        tiles = -(-og // IG_ROWS) * -(-columns // IG_COLUMNS) * groups
        splits, chunk = self._small_grid_split(k, tiles)
        partial, counters, fan_in = self._split_k_buffers(x.dtype, tiles, splits, y.size)
        self._launch_gemm("conv2d_implicit_forward", x.dtype, og, columns, groups * splits,
                          x, w, bias, y, partial, counters, _i32(int(b is not None)),
                          *geometry, _i32(splits), _i32(chunk), _i32(fan_in))
        return y

    @staticmethod
    def _small_grid_split(reduction: int, tiles: int) -> Tuple[int, int]:
        """(splits, chunk) of the forward and input-gradient kernels: split-K only for a grid
        that leaves most of the GPU idle (a linear layer's long K; a deep layer's input
        gradient at a small batch), in chunks of at least SMALL_GRID_MIN_CHUNK."""
        if 2 * tiles > SMS:
            return 1, max(reduction, 1)
        return split_k(reduction, tiles, SMS, SMALL_GRID_MIN_CHUNK)

    def _split_k_buffers(self, dtype: Any, tiles: int, splits: int,
                         size: int) -> Tuple[Array, Array, int]:
        """(partial, counters, fan_in) of a split-K launch (see ig_split_k_store in conv.cu)
        of ``tiles`` output tiles and ``splits`` splits into a result of ``size`` elements:
        fan_in F = ceil(√S), partial (S + ceil(S / F))·size elements, counters ceil(S / F) + 1
        ints per tile (kept, at 0). Unused one-element stand-ins when S = 1."""
        if splits == 1:
            return self._unused_slot(dtype), self._tile_counters(0), 1
        fan_in = math.isqrt(splits - 1) + 1
        groups_of_splits = -(-splits // fan_in)
        self._check_int32((splits + groups_of_splits) * size)  # slot · R + row is an int
        return (self.empty(((splits + groups_of_splits) * size,), dtype),
                self._tile_counters(tiles * (groups_of_splits + 1)), fan_in)

    def conv2d_backward_input(self, gy: Array, w: Array, x_shape: Tuple[int, ...], stride: Pair,
                              padding: Quad, dilation: Pair, groups: int) -> Array:
        """The implicit-GEMM gather kernel (``conv="implicit"``), or GEMM + col2im."""
        if self.conv == "im2col":
            return self._conv2d_backward_input_im2col(gy, w, x_shape, stride, padding,
                                                      dilation, groups)
        check_inputs(gy, w)
        n, c, h, wd = x_shape
        gx = self.empty(tuple(x_shape), gy.dtype)
        if gx.size > 0 and (gy.size == 0 or w.size == 0):  # a GEMM with an empty reduction
            gx.fill(0)
        if gx.size == 0 or gy.size == 0 or w.size == 0:
            return gx
        geometry = self._implicit_geometry(x_shape, w.shape[0], groups, w.shape[2:],
                                           gy.shape[2:], stride, padding, dilation)
        cg, columns, r = c // groups, n * h * wd, (w.shape[0] // groups) * math.prod(w.shape[2:])
        tiles = -(-cg // IG_ROWS) * -(-columns // IG_COLUMNS) * groups
        splits, chunk = self._small_grid_split(r, tiles)
        partial, counters, fan_in = self._split_k_buffers(gy.dtype, tiles, splits, gx.size)
        self._launch_gemm("conv2d_implicit_backward_input", gy.dtype, cg, columns,
                          groups * splits, gy, w, gx, partial, counters, *geometry,
                          _i32(splits), _i32(chunk), _i32(fan_in))
        return gx

    def conv2d_backward_weight(self, gy: Array, x: Array, w_shape: Tuple[int, ...], stride: Pair,
                               padding: Quad, dilation: Pair, groups: int) -> Array:
        """One implicit GEMM gy · colsᵀ over the whole batch (``conv="implicit"``), or im2col
        + per-sample GEMMs summed."""
        if self.conv == "im2col":
            return self._conv2d_backward_weight_im2col(gy, x, w_shape, stride, padding,
                                                       dilation, groups)
        return self._implicit_weight_bias(gy, x, w_shape, stride, padding, dilation, groups)[0]

    def conv2d_backward_weight_bias(self, gy: Array, x: Array, w_shape: Tuple[int, ...],
                                    stride: Pair, padding: Quad, dilation: Pair,
                                    groups: int) -> Tuple[Array, Array]:
        """Both parameter gradients from the one weight-gradient launch (its column of ones
        gives the bias gradient, and it adds its split-K sums itself, see conv.cu): no
        separate pass over gy for the bias, no finish pass."""
        if self.conv == "im2col":
            return super().conv2d_backward_weight_bias(gy, x, w_shape, stride, padding,
                                                       dilation, groups)
        return self._implicit_weight_bias(gy, x, w_shape, stride, padding, dilation, groups)

    def _implicit_weight_bias(self, gy: Array, x: Array, w_shape: Tuple[int, ...],
                              stride: Pair, padding: Quad, dilation: Pair,
                              groups: int) -> Tuple[Array, Array]:
        """(gw, gb) from one launch of conv2d_implicit_backward_weight over K + 1 columns:
        split-K over the pixels, the splits added by the kernel itself (two levels of
        ceil(√S), see conv.cu) into gw and gb — arrays of their own, so autograd keeps them as
        the parameters' .grad without a copy."""
        check_inputs(gy, x)
        o, cg, kh, kw = w_shape
        geometry = self._implicit_geometry(x.shape, o, groups, (kh, kw), gy.shape[2:], stride,
                                           padding, dilation)
        pixels, k = gy.shape[0] * gy.shape[2] * gy.shape[3], cg * kh * kw
        if gy.size == 0 or x.size == 0:  # an empty reduction, or gb alone (no channels in)
            return self.full(tuple(w_shape), 0, gy.dtype), self.conv2d_backward_bias(gy)
        og = o // groups
        tiles = -(-(k + 1) // IG_COLUMNS) * -(-og // IG_ROWS) * groups
        splits, chunk = split_k(pixels, tiles)
        partial, counters, fan_in = self._split_k_buffers(gy.dtype, tiles, splits, o * k + o)
        gw, gb = self.empty(tuple(w_shape), gy.dtype), self.empty((o,), gy.dtype)
        self._launch_gemm("conv2d_implicit_backward_weight", gy.dtype, og, k + 1,
                          groups * splits, gy, x, partial, gw, gb, counters, *geometry,
                          _i32(splits), _i32(chunk), _i32(fan_in))
        return gw, gb

    def _tile_counters(self, count: int) -> Array:
        """At least ``count`` int32 arrival counters, all 0, for the split-K weight gradient
        (which leaves them at 0): made once (zeros), remade larger when a launch needs more."""
        kept = self._kept.get(("counters",))
        if kept is None or kept.size < count:
            kept = self._kept[("counters",)] = self.xp.zeros((max(count, 64),), np.int32)
        return kept

    def conv2d_backward_bias(self, gy: Array) -> Array:
        """Two-pass multi-block channel sum (see ``kernels/reduction.cu``)."""
        check_inputs(gy)
        n, o = gy.shape[0], gy.shape[1]
        return self._channel_sum(gy, n, o, math.prod(gy.shape[2:]))

    # ------------------------------------------------------------------ pooling
    def max_pool2d_forward(self, x: Array, kernel_size: Pair, stride: Pair, padding: Pair,
                           dilation: Pair, out_hw: Pair) -> Tuple[Array, Array]:
        check_inputs(x)
        n, c, h, w = x.shape
        y = self.empty((n, c, out_hw[0], out_hw[1]), x.dtype)
        indices = self.empty(y.shape, self.xp.int64)
        self._launch_1d("max_pool2d_forward", x.dtype, y.size, x, y, indices,
                        *(_i32(v) for v in (n, c, h, w, out_hw[0], out_hw[1], *kernel_size,
                                            *stride, *padding, *dilation)))
        return y, indices

    def max_pool2d_backward(self, gy: Array, indices: Array, x_shape: Tuple[int, ...]) -> Array:
        check_inputs(gy, indices)
        n, c, h, w = x_shape
        gx = self.full(tuple(x_shape), 0, gy.dtype)
        self._launch_1d("max_pool2d_backward", gy.dtype, gy.size, gy, indices, gx,
                        _i64(n * c), _i64(h * w), _i64(gy.shape[2] * gy.shape[3]))
        return gx

    @staticmethod
    def _avg_flags(count_include_pad: bool, divisor_override: Optional[int]) -> Tuple[Any, Any]:
        return _i32(int(bool(count_include_pad))), _i32(divisor_override or 0)

    def avg_pool2d_forward(self, x: Array, kernel_size: Pair, stride: Pair, padding: Pair,
                           out_hw: Pair, count_include_pad: bool,
                           divisor_override: Optional[int]) -> Array:
        check_inputs(x)
        n, c, h, w = x.shape
        y = self.empty((n, c, out_hw[0], out_hw[1]), x.dtype)
        self._launch_1d("avg_pool2d_forward", x.dtype, y.size, x, y,
                        *(_i32(v) for v in (n, c, h, w, out_hw[0], out_hw[1], *kernel_size,
                                            *stride, *padding)),
                        *self._avg_flags(count_include_pad, divisor_override))
        return y

    def avg_pool2d_backward(self, gy: Array, x_shape: Tuple[int, ...], kernel_size: Pair,
                            stride: Pair, padding: Pair, count_include_pad: bool,
                            divisor_override: Optional[int]) -> Array:
        check_inputs(gy)
        n, c, h, w = x_shape
        gx = self.empty(tuple(x_shape), gy.dtype)
        self._launch_1d("avg_pool2d_backward", gy.dtype, gx.size, gy, gx,
                        *(_i32(v) for v in (n, c, h, w, gy.shape[2], gy.shape[3],
                                            *kernel_size, *stride, *padding)),
                        *self._avg_flags(count_include_pad, divisor_override))
        return gx

    # -------------------------------------------------------------- activations
    def _unary(self, kernel: str, x: Array) -> Array:
        check_inputs(x)
        y = self.empty(x.shape, x.dtype)
        self._launch_1d(kernel, x.dtype, x.size, x, y, _i64(x.size))
        return y

    def _unary_backward(self, kernel: str, gy: Array, y: Array) -> Array:
        check_inputs(gy, y)
        gx = self.empty(gy.shape, gy.dtype)
        self._launch_1d(kernel, gy.dtype, gy.size, gy, y, gx, _i64(gy.size))
        return gx

    def relu_forward(self, x: Array) -> Array:
        return self._unary("relu_forward", x)

    def relu_backward(self, gy: Array, y: Array) -> Array:
        return self._unary_backward("relu_backward", gy, y)

    def tanh_forward(self, x: Array) -> Array:
        return self._unary("tanh_forward", x)

    def tanh_backward(self, gy: Array, y: Array) -> Array:
        return self._unary_backward("tanh_backward", gy, y)

    def sigmoid_forward(self, x: Array) -> Array:
        return self._unary("sigmoid_forward", x)

    def sigmoid_backward(self, gy: Array, y: Array) -> Array:
        return self._unary_backward("sigmoid_backward", gy, y)

    # --------------------------------------------------------------------- linear
    # A linear layer is a 1 × 1 convolution of 1 × 1 images: x (N, I) as (N, I, 1, 1), w
    # (O, I) as (O, I, 1, 1). So it runs on the implicit-GEMM kernels (conv="implicit"): the
    # bias in the forward kernel's epilogue, gb in the weight gradient's column of ones — one
    # launch per product and no bias or channel-sum launch. With conv="im2col", cuBLAS GEMMs
    # (``matmul``) and the bias kernels, as the convolutions there.
    _LINEAR_GEOMETRY = ((1, 1), (0, 0, 0, 0), (1, 1), 1)  # stride, padding, dilation, groups

    def linear_forward(self, x: Array, w: Array, b: Optional[Array]) -> Array:
        """conv2d_implicit_forward on 1 × 1 images (``conv="implicit"``); else the GEMM x·wᵀ
        (cuBLAS), then the add_channel_bias kernel with L = 1."""
        check_inputs(x, w, b)
        (n, i), o = x.shape, w.shape[0]
        if self.conv == "implicit":
            y = self.conv2d_forward(x.reshape(n, i, 1, 1), w.reshape(o, i, 1, 1), b,
                                    *self._LINEAR_GEOMETRY, (1, 1))
            return y.reshape(n, o)
        y = self.xp.ascontiguousarray(self.matmul(x, w.T))
        if b is not None:
            self._add_channel_bias(y, b, n, o, 1)
        return y

    def linear_backward(self, gy: Array, x: Array, w: Array,
                        has_bias: bool) -> Tuple[Array, Array, Optional[Array]]:
        """The input-gradient and weight-gradient kernels on 1 × 1 images, gb from the
        latter's column of ones (``conv="implicit"``); else two GEMMs (cuBLAS) and the
        channel_sum kernel for gb (gy viewed as (N, O, 1))."""
        check_inputs(gy, x, w)
        (n, i), o = x.shape, w.shape[0]
        if self.conv == "implicit":
            gy4 = gy.reshape(n, o, 1, 1)
            gx = self.conv2d_backward_input(gy4, w.reshape(o, i, 1, 1), (n, i, 1, 1),
                                            *self._LINEAR_GEOMETRY)
            gw, gb = self._implicit_weight_bias(gy4, x.reshape(n, i, 1, 1), (o, i, 1, 1),
                                                *self._LINEAR_GEOMETRY)
            return gx.reshape(n, i), gw.reshape(o, i), gb if has_bias else None
        gb = self._channel_sum(gy, n, o, 1) if has_bias else None
        return self.matmul(gy, w), self.matmul(gy.T, x), gb

    # ------------------------------------------------------ softmax and losses
    @staticmethod
    def _rows(shape: Tuple[int, ...], dim: int) -> Tuple[Any, Any, Any]:
        """(outer, D, inner) for reducing ``shape`` along ``dim``."""
        if len(shape) == 0:
            return _i64(1), _i32(1), _i64(1)
        dim = dim % len(shape)
        return (_i64(math.prod(shape[:dim])), _i32(shape[dim]),
                _i64(math.prod(shape[dim + 1:])))

    def _row_kernel(self, kernel: str, dim: int, *arrays: Array) -> Array:
        check_inputs(*arrays)
        out = self.empty(arrays[0].shape, arrays[0].dtype)
        outer, d, inner = self._rows(arrays[0].shape, dim)
        self._launch_1d(kernel, out.dtype, int(outer) * int(inner) if d > 0 else 0,
                        *arrays, out, outer, d, inner)
        return out

    def softmax_forward(self, x: Array, dim: int) -> Array:
        return self._row_kernel("softmax_forward", dim, x)

    def softmax_backward(self, gy: Array, y: Array, dim: int) -> Array:
        return self._row_kernel("softmax_backward", dim, gy, y)

    def log_softmax_forward(self, x: Array, dim: int) -> Array:
        return self._row_kernel("log_softmax_forward", dim, x)

    def log_softmax_backward(self, gy: Array, y: Array, dim: int) -> Array:
        return self._row_kernel("log_softmax_backward", dim, gy, y)

    def _class_weights(self, weight: Optional[Array], c: int, dtype: Any) -> Array:
        """``weight``, or C ones: made once per (C, dtype) and kept (the kernels read it as
        ``const``), so a training step does not fill it again (two memsets a step)."""
        if weight is not None:
            return weight
        ones = self._ones.get((c, np.dtype(dtype)))
        if ones is None:
            ones = self._ones[(c, np.dtype(dtype))] = self.full((c,), 1, dtype)
        return ones

    def cross_entropy_forward(self, logits: Array, target: Array, weight: Optional[Array],
                              ignore_index: int, label_smoothing: float) -> Tuple[Array, Array]:
        """One thread per sample. A target outside [0, C) is not checked here (that would wait
        for the GPU): the kernel raises the device-side error flag, which
        :meth:`synchronize` (and every copy to the host) turns into IndexError."""
        check_inputs(logits, target, weight)
        n, c = logits.shape
        loss = self.empty((n,), logits.dtype)
        logp = self.empty(logits.shape, logits.dtype)
        self._launch_1d("cross_entropy_forward", logits.dtype, n, logits, target,
                        self._class_weights(weight, c, logits.dtype), loss, logp, _i32(n),
                        _i32(c), _i64(ignore_index), logits.dtype.type(label_smoothing),
                        self.errors.array)
        return loss, logp

    def cross_entropy_backward(self, gloss: Array, logp: Array, target: Array,
                               weight: Optional[Array], ignore_index: int,
                               label_smoothing: float) -> Array:
        check_inputs(gloss, logp, target, weight)
        n, c = logp.shape
        gx = self.empty(logp.shape, logp.dtype)
        if c > 0:
            self._launch_1d("cross_entropy_backward", logp.dtype, n, gloss, logp, target,
                            self._class_weights(weight, c, logp.dtype), gx, _i32(n), _i32(c),
                            _i64(ignore_index), logp.dtype.type(label_smoothing),
                            self.errors.array)
        return gx

    # ---------------------------------------------------------------- optimizers
    def sgd_update(self, entries: Sequence[Tuple[Array, Array, Optional[Array]]], lr: float,
                   momentum: float, dampening: float, weight_decay: float, nesterov: bool,
                   maximize: bool, first: bool) -> List[int]:
        """torch.optim.SGD's step, in place, of every (parameter, gradient, momentum buffer)
        of ``entries`` (the buffers are filled from the gradients when ``first``; None without
        momentum): the ``sgd_update`` kernel (``kernels/optim.cu``), one launch per
        SGD_TENSORS tensors of one dtype. Returns the positions of the entries it left alone
        (another dtype, not C-contiguous, shapes that differ), for the caller to step with
        array operations."""
        refused: List[int] = []
        by_dtype: Dict[np.dtype, List[Tuple[Array, Array, Array]]] = {}
        for position, (w, grad, buf) in enumerate(entries):
            arrays = (w, grad) if buf is None else (w, grad, buf)
            if (w.dtype not in (np.float32, np.float64) or (momentum and buf is None)
                    or any(a.dtype != w.dtype or a.shape != w.shape or not a.flags.c_contiguous
                           for a in arrays)):
                refused.append(position)
            elif w.size:
                by_dtype.setdefault(w.dtype, []).append((w, grad, buf))
        flags = (int(maximize) | int(nesterov) << 1 | int(bool(momentum)) << 2
                 | int(first) << 3)
        for dtype, todo in by_dtype.items():
            scalar, unused = dtype.type, self._unused_slot(dtype)
            for start in range(0, len(todo), SGD_TENSORS):
                chunk = todo[start:start + SGD_TENSORS]
                slots = [(w, grad, unused if buf is None else buf) for w, grad, buf in chunk]
                slots += [(unused, unused, unused)] * (SGD_TENSORS - len(chunk))
                self.launcher.launch(
                    "sgd_update", dtype, (grid_1d(max(w.size for w, _, _ in chunk)),
                                          len(chunk)), BLOCK,
                    (*[a for slot in slots for a in slot], self._sizes(chunk), scalar(lr),
                     scalar(momentum), scalar(1 - dampening), scalar(weight_decay),
                     _i32(flags)))
        return refused

    def _unused_slot(self, dtype: np.dtype) -> Array:
        """A one-element array for the kernel's pointers that are not read (the unused
        tensor slots, the buffers without momentum): made once per dtype."""
        key = ("unused", dtype)
        if key not in self._kept:
            self._kept[key] = self.xp.zeros((1,), dtype)
        return self._kept[key]

    def _sizes(self, chunk: Sequence[Tuple[Array, Array, Array]]) -> Array:
        """The element counts of a launch's tensors as a device array, made once per list
        of sizes (an optimizer's tensors keep theirs): no host-to-device copy per step."""
        key = ("sizes",) + tuple(w.size for w, _, _ in chunk)
        if key not in self._kept:
            self._kept[key] = self.xp.asarray(np.array(key[1:], dtype=np.int64))
        return self._kept[key]

    def synchronize(self) -> None:
        """Wait for the kernels launched so far and raise the first error one of them
        recorded in the device-side flag (see :mod:`minitorch.backends.cuda.errors`)."""
        refuse_during_capture("synchronize()")
        self.launcher.synchronize()
        self.errors.check()
