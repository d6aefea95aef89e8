"""The implicit-GEMM convolution kernels and the two-pass multi-block channel sum
(kernels/conv.cu, kernels/reduction.cu), run by the emulator under several seeded schedules
with the race detector on, against torch.nn.functional on the same data."""

from __future__ import annotations

import numpy as np
import pytest

from minitorch.backends.cuda.backend import CudaBackend, reduce_blocks, split_k
from minitorch.backends.cuda.emulator import EmulatedLauncher

torch = pytest.importorskip("torch")
F = torch.nn.functional

SEEDS = [1, 2, 3]

# N, C, H, W, O, (kH, kW), stride, (top, bottom, left, right), dilation, groups
GEOMETRIES = [
    (2, 3, 7, 6, 4, (3, 3), (1, 1), (0, 0, 0, 0), (1, 1), 1),
    (1, 5, 9, 8, 65, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1),   # O = 65: a second row tile
    (2, 4, 8, 8, 6, (3, 3), (2, 2), (1, 2, 0, 1), (1, 1), 2),    # asymmetric padding, groups
    (1, 2, 9, 8, 3, (2, 3), (1, 2), (0, 1, 2, 0), (2, 2), 1),    # dilation, odd stride mix
    (1, 4, 6, 6, 4, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 4),    # depthwise
    (3, 3, 5, 5, 2, (1, 1), (2, 2), (0, 0, 0, 0), (1, 1), 1),    # 1x1, strided
    (2, 6, 4, 8, 5, (2, 2), (1, 1), (0, 0, 0, 0), (1, 1), 1),    # N·Ho·Wo = 42, K = 24
    (3, 3, 6, 8, 3, (1, 1), (1, 1), (0, 0, 0, 0), (1, 1), 1),    # N·Ho·Wo = 144: 3 col tiles
    (1, 18, 3, 3, 2, (1, 1), (1, 1), (0, 0, 0, 0), (1, 1), 1),   # K = 18 = one tile + 2
    (1, 2, 11, 3, 2, (5, 1), (3, 1), (2, 2, 0, 0), (1, 1), 2),   # tall kernel, stride 3
    (2, 2, 24, 23, 3, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1),  # 1104 pixels: split-K, 3 splits
    (4, 4, 16, 16, 4, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 2),  # split-K with groups
]


def emulated(seed: int, conv: str = "implicit") -> CudaBackend:
    return CudaBackend(np, EmulatedLauncher(seed=seed), name="cuda-emulated", device="cpu",
                       conv=conv)


def torch_conv(x, wt, b, gy_seed, stride, pad, dilation, groups):
    """(y, gx, gw, gb, gy) from torch for the padded convolution."""
    tx = torch.from_numpy(x.copy()).requires_grad_(True)
    tw = torch.from_numpy(wt.copy()).requires_grad_(True)
    tb = torch.from_numpy(b.copy()).requires_grad_(True)
    padded = F.pad(tx, (pad[2], pad[3], pad[0], pad[1]))
    ty = F.conv2d(padded, tw, tb, stride=stride, dilation=dilation, groups=groups)
    gy = np.random.default_rng(gy_seed).standard_normal(tuple(ty.shape)).astype(x.dtype)
    ty.backward(torch.from_numpy(gy))
    return (ty.detach().numpy(), tx.grad.numpy(), tw.grad.numpy(), tb.grad.numpy(), gy)


def close(got, want, dtype) -> None:
    """float32: sums of up to ~1000 products in a different order than torch's, so 1e-4
    rather than torch's default 1.3e-6; float64: 1e-9."""
    tol = {"rtol": 1e-4, "atol": 1e-4} if dtype == np.float32 else {"rtol": 1e-9, "atol": 1e-9}
    torch.testing.assert_close(torch.from_numpy(np.asarray(got)), torch.from_numpy(want), **tol)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("case", GEOMETRIES, ids=lambda c: "x".join(map(str, c[:5])))
def test_implicit_conv_matches_torch(case, seed: int) -> None:
    n, c, h, w, o, kernel, stride, pad, dilation, groups = case
    dtype = np.float64 if seed != 3 else np.float32
    rng = np.random.default_rng([seed, *case[:5]])
    x = rng.standard_normal((n, c, h, w)).astype(dtype)
    wt = rng.standard_normal((o, c // groups, *kernel)).astype(dtype)
    b = rng.standard_normal(o).astype(dtype)
    y_t, gx_t, gw_t, gb_t, gy = torch_conv(x, wt, b, seed, stride, pad, dilation, groups)
    backend = emulated(seed)
    close(backend.conv2d_forward(x, wt, b, stride, pad, dilation, groups, y_t.shape[2:]),
          y_t, dtype)
    close(backend.conv2d_forward(x, wt, None, stride, pad, dilation, groups, y_t.shape[2:]),
          y_t - b.reshape(1, -1, 1, 1), dtype)
    close(backend.conv2d_backward_input(gy, wt, x.shape, stride, pad, dilation, groups), gx_t,
          dtype)
    close(backend.conv2d_backward_weight(gy, x, wt.shape, stride, pad, dilation, groups), gw_t,
          dtype)
    close(backend.conv2d_backward_bias(gy), gb_t, dtype)
    gw, gb = backend.conv2d_backward_weight_bias(gy, x, wt.shape, stride, pad, dilation, groups)
    close(gw, gw_t, dtype)  # the bias from the weight gradient's column of ones
    close(gb, gb_t, dtype)


def test_im2col_route_stays_selectable_and_agrees() -> None:
    n, c, h, w, o, kernel, stride, pad, dilation, groups = GEOMETRIES[2]
    rng = np.random.default_rng(7)
    x = rng.standard_normal((n, c, h, w))
    wt = rng.standard_normal((o, c // groups, *kernel))
    y_t, gx_t, gw_t, _, gy = torch_conv(x, wt, np.zeros(o), 7, stride, pad, dilation, groups)
    for route in ("im2col", "implicit"):
        backend = emulated(1, route)
        assert backend.conv == route
        close(backend.conv2d_forward(x, wt, None, stride, pad, dilation, groups,
                                     y_t.shape[2:]), y_t, np.float64)
        close(backend.conv2d_backward_input(gy, wt, x.shape, stride, pad, dilation, groups),
              gx_t, np.float64)
        close(backend.conv2d_backward_weight(gy, x, wt.shape, stride, pad, dilation, groups),
              gw_t, np.float64)


def test_unknown_conv_route_is_refused() -> None:
    with pytest.raises(ValueError, match="conv must be one of"):
        CudaBackend(np, EmulatedLauncher(), conv="winograd")


def test_sizes_beyond_32_bit_indexing_are_refused() -> None:
    with pytest.raises(OverflowError, match="32-bit indexing"):
        emulated(1)._check_int32(10, 2**31)


# ----------------------------------------------------------------- channel sum (bias grad)
@pytest.mark.parametrize("blocks", [1, 3, 7])
@pytest.mark.parametrize("shape", [(2, 3, 5, 7), (5, 2, 13, 17), (64, 10)])
def test_multi_block_channel_sum_matches_torch(shape, blocks: int) -> None:
    rng = np.random.default_rng([blocks, *shape])
    gy = rng.standard_normal(shape)
    n, o, length = shape[0], shape[1], int(np.prod(shape[2:], dtype=np.int64))
    want = torch.from_numpy(gy).sum(dim=[d for d in range(len(shape)) if d != 1]).numpy()
    results = [emulated(seed)._channel_sum(gy, n, o, length, blocks=blocks) for seed in SEEDS]
    close(results[0], want, np.float64)
    for other in results[1:]:  # fixed order of additions: the same bits in every schedule
        assert other.tobytes() == results[0].tobytes()


def test_reduce_blocks_fills_the_gpu_but_not_more() -> None:
    assert reduce_blocks(100, 8) == 1                   # too little work for a second block
    assert reduce_blocks(64 * 32 * 32, 16) == 16        # 65536 values: 16 slices of 4096
    assert reduce_blocks(256 * 32 * 32, 64) == 16       # capped at 1024 blocks in all
    assert reduce_blocks(10**9, 4096) == 1              # more channels than the cap


@pytest.mark.parametrize("stride", [(1, 1), (2, 2)])
@pytest.mark.parametrize("out_channels", [3, 20])  # 20: R = 180, split-K in two
def test_input_grad_leaves_out_taps_in_the_padding(stride, out_channels: int) -> None:
    """An infinite weight multiplies only the gy terms that exist: taps landing in the
    padding are left out of the input gradient (torch's result), not added as inf · 0 = NaN —
    also when the reduction is split and the NaN shows only in one split's partial sum."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1, 2, 5, 5))
    wt = rng.standard_normal((out_channels, 2, 3, 3))
    wt[1, 0, 0, 0] = np.inf
    pad = (1, 1, 1, 1)
    _, gx_t, _, _, gy = torch_conv(x, wt, np.zeros(out_channels), 5, stride, pad, (1, 1), 1)
    assert np.isfinite(gx_t).any() and not np.isfinite(gx_t).all()
    for seed in SEEDS:
        gx = emulated(seed).conv2d_backward_input(gy, wt, x.shape, stride, pad, (1, 1), 1)
        torch.testing.assert_close(torch.from_numpy(gx), torch.from_numpy(gx_t))


def test_split_k_chunks_cover_the_reduction_in_multiples_of_the_tile() -> None:
    for pixels, tiles in [(10, 1), (1104, 1), (1024, 2), (262144, 3), (65536, 25), (10**6, 9)]:
        splits, chunk = split_k(pixels, tiles)
        assert chunk % 16 == 0 and (splits - 1) * chunk < pixels <= splits * chunk
        assert splits == 1 or chunk >= 512            # each split has real work
        assert splits * tiles <= max(528, tiles)      # no more blocks than the GPU needs
    assert split_k(262144, 3)[0] > 100                # a long reduction gets many splits


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n, i, o", [(5, 1000, 40), (70, 300, 3), (3, 129, 33)])
def test_linear_split_k_matches_torch(n: int, i: int, o: int, dtype) -> None:
    """A linear layer runs on the implicit-GEMM kernels as a 1 × 1 convolution; a long
    reduction over few output tiles is split (forward: over the input features, in one or two
    levels of in-kernel finish; weight gradient: over the samples), the same bits under every
    schedule."""
    rng = np.random.default_rng(n + i)
    x, w = rng.standard_normal((n, i)).astype(dtype), rng.standard_normal((o, i)).astype(dtype)
    b, gy = rng.standard_normal(o).astype(dtype), rng.standard_normal((n, o)).astype(dtype)
    tx, tw, tb = (torch.from_numpy(a.copy()).requires_grad_(True) for a in (x, w, b))
    ty = F.linear(tx, tw, tb)
    ty.backward(torch.from_numpy(gy))
    results = []
    for seed in SEEDS:
        backend = emulated(seed)
        results.append([backend.linear_forward(x, w, b), *backend.linear_backward(gy, x, w, True)])
    for got, want in zip(results[0], (ty.detach(), tx.grad, tw.grad, tb.grad), strict=True):
        close(got, want.numpy(), dtype)
    for other in results[1:]:
        assert all(np.array_equal(a, c) for a, c in zip(results[0], other, strict=True))


def test_performance_model_counts_the_seed_cnn_convolutions() -> None:
    """benchmarks.gpu_model records a training step without running it: its forward-conv
    FLOPs are the textbook 2·N·O·C·kH·kW·H·W of each layer (and 2·N·O·I of the two linear
    layers, which run on the same kernels), and no launch is unaccounted."""
    from benchmarks.cases import CONV_LAYERS, conv_flops
    from benchmarks.gpu_model import record_step

    works, counts = record_step(batch=8)
    forward = [w.flops for w in works if w.kernel == "conv2d_implicit_forward"]
    assert forward == [conv_flops(8, c, o, h) for c, o, h in CONV_LAYERS] + [
        2.0 * 8 * 64 * 1024, 2.0 * 8 * 10 * 64]
    assert len(works) == sum(counts.values()) and counts["conv2d_implicit_backward_weight"] == 5
    # the bias gradients come with the weight gradients, the split-K sums are added in the
    # same launch: no channel sum, no finish pass, no GEMM; one fill: backward()'s implicit
    # ones gradient of the loss (torch's ones_like)
    assert set(counts) == {"conv2d_implicit_forward", "conv2d_implicit_backward_weight",
                           "conv2d_implicit_backward_input", "max_pool2d_forward",
                           "max_pool2d_backward", "cross_entropy_forward",
                           "cross_entropy_backward", "sgd_update", "CuPy fill"}
    assert counts["CuPy fill"] == 1
    assert all(w.modelled_s() >= w.floor_s() for w in works)
    assert all(w.floor_s() > 0 for w in works if w.kernel != "CuPy fill")  # the fill: overhead


def test_performance_model_counts_the_warps_that_skip_their_part_of_a_tile() -> None:
    from benchmarks.gpu_model import busy_warps

    assert busy_warps(64, 128) == 4.0           # every tile full
    assert busy_warps(32, 76) == (4 + 2) / 2    # conv1's gw | gb: 12 columns in the last tile
    assert busy_warps(10, 64) == 2.0            # 10 rows: one 16-row half of the tile
