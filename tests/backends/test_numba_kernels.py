"""The Numba backend's kernels against torch.nn.functional on the same NumPy data.

Tolerances: float32 uses torch.testing.assert_close's defaults (rtol 1.3e-6, atol 1e-5), so the
float32 cases keep reductions short (a few hundred terms at most); float64 uses
rtol = atol = 1e-7 (both sides are float64 throughout, the only differences are summation
order). Every random array comes from a fixed seed.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from minitorch.backends.numba import NumbaBackend, get_num_threads, set_num_threads  # noqa: E402
from minitorch.shapes import conv_output_size, pool_output_size  # noqa: E402

DTYPES = [np.float32, np.float64]


@pytest.fixture(scope="module")
def be():
    return NumbaBackend()


def close(ours, ref, dtype=None):
    """assert_close with this file's tolerances (float64: 1e-7; float32: torch's defaults)."""
    ref = ref.detach() if isinstance(ref, torch.Tensor) else torch.from_numpy(np.asarray(ref))
    ours = torch.from_numpy(np.asarray(ours))
    if ours.dtype == torch.float64:
        torch.testing.assert_close(ours, ref, rtol=1e-7, atol=1e-7, equal_nan=True)
    else:
        torch.testing.assert_close(ours, ref, equal_nan=True)


def rand(rng, shape, dtype):
    return rng.standard_normal(shape).astype(dtype)


# ----------------------------------------------------------------------------------- conv2d
# (N, C, H, W, O, k, stride, padding (t, b, l, r), dilation, groups)
CONV_CASES = [
    (2, 4, 7, 9, 6, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1),
    (2, 4, 8, 7, 6, (3, 2), (2, 2), (0, 0, 0, 0), (1, 1), 1),
    (3, 4, 8, 7, 6, (3, 3), (2, 1), (0, 2, 1, 0), (2, 2), 2),
    (2, 4, 9, 9, 4, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 4),      # depthwise
    (2, 4, 9, 9, 8, (3, 3), (1, 2), (2, 1, 0, 2), (2, 1), 4),      # depthwise, multiplier 2
    (3, 3, 6, 6, 8, (5, 5), (1, 1), (2, 2, 2, 2), (1, 1), 1),      # the seed CNN's shape kind
    (1, 2, 5, 5, 3, (1, 1), (3, 3), (0, 0, 0, 0), (1, 1), 1),      # 1x1, big stride
    (5, 2, 6, 5, 2, (2, 3), (1, 1), (0, 1, 1, 1), (2, 1), 2),      # "same"-like odd padding
    # input grad by the gather route (stride 1, C >= 16, O <= C; see the test below)
    (2, 16, 7, 9, 8, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1),
    (2, 16, 8, 7, 16, (4, 3), (1, 1), (1, 2, 0, 2), (2, 1), 1),     # uneven, dilated
    (2, 16, 6, 6, 16, (3, 3), (1, 1), (2, 2, 2, 2), (1, 1), 1),     # output larger than input
    (2, 16, 5, 5, 8, (1, 1), (1, 1), (1, 1, 1, 1), (1, 1), 1),      # padding > d(k-1): scatter
    # forward by the direct kernel (one group, width stride 1, Wo a multiple of 8)
    (2, 3, 8, 8, 7, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1),       # O = 7: a zero-padded block
    (3, 4, 5, 8, 13, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1),      # Ho = 5: five 8-pixel blocks
    (2, 5, 9, 20, 6, (3, 5), (2, 1), (0, 1, 2, 2), (2, 2), 1),      # row stride 2, dilated
    (1, 16, 4, 24, 20, (2, 3), (1, 1), (1, 0, 1, 1), (1, 1), 1),    # 3 pixel blocks a row; O > C
    (2, 16, 8, 8, 24, (2, 2), (1, 1), (1, 0, 1, 0), (1, 1), 1),     # conv3's kind: O > C
]
# The CONV_CASES whose input grad takes the gather route (8-10 by im2col, 15-16 — O > C — by
# the direct kernel), and those whose forward is direct (float32 and float64 alike).
GATHER = {np.float64: {8, 9, 10, 15, 16}, np.float32: {8, 9, 10, 15, 16}}
DIRECT = {10, 12, 13, 14, 15, 16}


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_conv_routes_are_all_exercised(dtype):
    from minitorch.backends.numba.conv import routes

    def taken(i):
        n, c, h, w, o, k, s, pad, d, g = CONV_CASES[i]
        out_hw = (conv_output_size(h, k[0], s[0], pad[0] + pad[1], d[0]),
                  conv_output_size(w, k[1], s[1], pad[2] + pad[3], d[1]))
        return routes((n, c, h, w), (o, c // g) + k, s, pad, d, g, out_hw, dtype)

    cases = range(len(CONV_CASES))
    gather = {i for i in cases if taken(i)["input"] != "col2im"}
    assert gather == GATHER[dtype]
    direct = {i for i in cases if taken(i)["forward"] == "direct"}
    assert direct == DIRECT
    grads = {i for i in cases if taken(i)["weight"] == "direct"}
    ones = {i for i, case in enumerate(CONV_CASES) if case[-1] == 1}
    assert grads == ones and ones != set(range(len(CONV_CASES)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONV_CASES)
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d(case, dtype, bias):
    check_conv2d(NumbaBackend(), case, dtype, bias)


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_im2col_route(case):
    """float32 through im2col + BLAS everywhere (``conv="im2col"``): the route the direct
    kernels replace stays right for the cases it no longer runs by default."""
    check_conv2d(NumbaBackend(conv="im2col"), case, np.float32, True)


# Direct-route shapes for the vector widths: every Wo (8, 16, 24, 32) runs the width asked
# for (the forward's vectors run along the output channels); O = 20, 6 and 4 leave part of a
# 2n-channel block as zero weights, Wo = 16 with a row stride of 2.
WIDTH_CASES = [CONV_CASES[i] for i in sorted(DIRECT)] + [
    (2, 3, 6, 16, 20, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1),
    (1, 16, 4, 32, 8, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1),
    (2, 5, 7, 18, 17, (3, 3), (2, 1), (0, 1, 0, 0), (1, 1), 1),     # Wo = 16, row stride 2
]


@pytest.fixture(params=[8, 16], ids=["8-lanes", "16-lanes"])
def lanes(request):
    """Force the direct kernels' vector width (both run on any CPU: LLVM splits a 16-lane
    vector into two 8-lane registers on AVX2), and go back to detection afterwards."""
    from minitorch.backends.numba import simd

    simd.set_simd_lanes(request.param)
    yield request.param
    simd.set_simd_lanes(None)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", WIDTH_CASES)
def test_direct_conv2d_at_each_vector_width(case, dtype, lanes, monkeypatch):
    """conv2d by the direct kernels at 8 and 16 float32 lanes (4 and 8 float64 lanes): every
    pass equals torch, and the width that ran is the one asked for, whatever Wo."""
    from minitorch.backends.numba import direct

    ran = []
    run_threads = direct.run_on_pool

    def record(kernel, launcher, key, threads, *args):
        ran.append((kernel.py_func.__name__.split("_")[1], args[-1].lanes))
        return run_threads(kernel, launcher, key, threads, *args)

    monkeypatch.setattr(direct, "run_on_pool", record)
    check_conv2d(NumbaBackend(), case, dtype, True)
    n, c, h, w, o, k, s, pad, d, g = case
    wo = conv_output_size(w, k[1], s[1], pad[2] + pad[3], d[1])
    width = lanes if dtype == np.float32 else lanes // 2
    assert direct.forward_lanes(wo, dtype) == width == direct.weight_lanes(dtype)
    assert ("forward", width) == ran[0] and ("weight", width) in ran
    assert {w for _, w in ran} == {width}



@pytest.mark.parametrize("threads", [1, 2])
def test_direct_forward_in_image_groups(threads):
    """The direct forward computes images in groups (a short last group when G does not
    divide N), shared between threads as they go: every image equals torch's."""
    from minitorch.backends.numba import direct

    n, c, o, h = 19, 5, 12, 8
    before = get_num_threads()
    set_num_threads(threads)
    try:
        group = direct.image_group(n, h * h, get_num_threads())
        assert 1 < group < n and n % group, group
        rng = np.random.default_rng(7)
        x = rng.standard_normal((n, c, h, h)).astype(np.float32)
        w = rng.standard_normal((o, c, 3, 3)).astype(np.float32)
        b = rng.standard_normal(o).astype(np.float32)
        y = direct.forward(x, w, b, (1, 1), (1, 1, 1, 1), (1, 1), 1, (h, h))
        ref = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), torch.tensor(b),
                                         padding=1).numpy()
        np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)
    finally:
        set_num_threads(before)

def test_simd_lanes_choice(monkeypatch):
    """MINITORCH_SIMD_LANES forces the width, set_simd_lanes overrides it, bad values are
    refused naming the setting; without either, AVX-512 hosts get 16 lanes."""
    from minitorch.backends.numba import simd

    monkeypatch.delenv(simd.ENV_VAR, raising=False)
    assert simd.simd_lanes() == (16 if "avx512f" in simd.host_features() else 8)
    assert simd.detected_lanes() == simd.simd_lanes() == 2 * simd.simd_lanes(np.float64)
    monkeypatch.setenv(simd.ENV_VAR, "8")
    assert simd.simd_lanes() == 8
    monkeypatch.setenv(simd.ENV_VAR, "16")
    assert simd.simd_lanes() == 16 and simd.simd_lanes(np.float64) == 8
    simd.set_simd_lanes(8)
    try:
        assert simd.simd_lanes() == 8
    finally:
        simd.set_simd_lanes(None)
    monkeypatch.setenv(simd.ENV_VAR, "4")
    with pytest.raises(ValueError, match="MINITORCH_SIMD_LANES must be one of 8, 16"):
        simd.simd_lanes()
    with pytest.raises(ValueError, match="lanes must be one of"):
        simd.set_simd_lanes(32)


@pytest.mark.parametrize("dtype", DTYPES)
def test_simd_prefetch_is_a_hint_only(dtype):
    """simd.prefetch compiles for float32 and float64 arrays and changes nothing: a kernel
    that prefetches every element before summing gives the plain sum."""
    from numba import njit

    from minitorch.backends.numba import simd

    @njit
    def prefetched_sum(a):
        total = 0.0
        for i in range(a.size):
            simd.prefetch(a, i)
        for i in range(a.size):
            total += a[i]
        return total

    a = np.arange(1000, dtype=dtype)
    assert prefetched_sum(a) == float(a.astype(np.float64).sum())


def test_conv_route_is_checked():
    with pytest.raises(ValueError, match="conv must be one of"):
        NumbaBackend(conv="winograd")


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_tiled_gemm(case):
    """The same passes with the pure-Numba tiled GEMM instead of BLAS."""
    check_conv2d(NumbaBackend(gemm="numba"), case, np.float64, True)


def check_conv2d(be, case, dtype, bias):
    n, c, h, w, o, k, s, pad, d, g = case
    rng = np.random.default_rng(0)
    x = rand(rng, (n, c, h, w), dtype)
    wt = rand(rng, (o, c // g) + k, dtype)
    b = rand(rng, (o,), dtype) if bias else None
    out_hw = (conv_output_size(h, k[0], s[0], pad[0] + pad[1], d[0]),
              conv_output_size(w, k[1], s[1], pad[2] + pad[3], d[1]))

    tx = torch.from_numpy(x).requires_grad_()
    tw = torch.from_numpy(wt).requires_grad_()
    tb = torch.from_numpy(b).requires_grad_() if bias else None
    ty = F.conv2d(F.pad(tx, (pad[2], pad[3], pad[0], pad[1])), tw, tb, s, 0, d, g)
    assert tuple(ty.shape[2:]) == out_hw
    gy = rand(rng, tuple(ty.shape), dtype)
    ty.backward(torch.from_numpy(gy))

    close(be.conv2d_forward(x, wt, b, s, pad, d, g, out_hw), ty)
    close(be.conv2d_backward_input(gy, wt, x.shape, s, pad, d, g), tx.grad)
    close(be.conv2d_backward_weight(gy, x, wt.shape, s, pad, d, g), tw.grad)
    if bias:
        close(be.conv2d_backward_bias(gy), tb.grad)


@pytest.mark.parametrize("pass_", ["forward", "weight"])
def test_direct_conv_float32_error_is_the_gemm_routes(pass_):
    """The direct kernels sum long reductions in chunks, as a GEMM sums its K blocks — the
    forward K = 800 taps (the seed CNN's conv2), the weight grad the L = 4096 pixels of each
    image. One running sum over all terms would have 1.8× (forward) and 3.2× (weight grad) the
    rms error of the im2col + sgemm route (measured). Reference: the same convolution in
    float64."""
    from minitorch.backends.numba import routes

    rng = np.random.default_rng(3)
    c, o, h, k = (32, 32, 16, 5) if pass_ == "forward" else (8, 8, 64, 3)
    x = rand(rng, (2, c, h, h), np.float32)
    w = rand(rng, (o, c, k, k), np.float32)
    gy = rand(rng, (2, o, h, h), np.float32)
    geo = ((1, 1), (k // 2,) * 4, (1, 1), 1)
    be = NumbaBackend()
    tx, tw = (torch.from_numpy(a).double().requires_grad_() for a in (x, w))
    ty = F.conv2d(tx, tw, None, 1, k // 2)
    ty.backward(torch.from_numpy(gy).double())
    if pass_ == "forward":
        assert routes(x.shape, w.shape, 1, k // 2)["forward"] == "direct"
        exact = ty.detach().numpy()

        def run(be):
            return be.conv2d_forward(x, w, None, *geo, (h, h))
    else:
        assert routes(x.shape, w.shape, 1, k // 2)["weight"] == "direct"
        exact = tw.grad.numpy()

        def run(be):
            return be.conv2d_backward_weight(gy, x, w.shape, *geo)
    direct = run(be)
    gemm = run(NumbaBackend(conv="im2col"))

    def rms(y):
        return float(np.sqrt(np.mean((y.astype(np.float64) - exact) ** 2)))

    assert rms(direct) <= 1.25 * rms(gemm)


@pytest.mark.parametrize("shape", [(8, 8), (32, 1024), (13, 37), (5, 3), (16, 24), (9, 17)])
def test_transpose_into_matches_numpy(shape):
    """The weight grad's register transpose (8 × 8 tiles of lane shuffles, scalar edges)."""
    from minitorch.backends.numba.direct import transpose_into

    a = rand(np.random.default_rng(4), shape, np.float32)
    out = np.full((shape[1], shape[0] + 3), -1.0, np.float32)
    transpose_into(a, out)
    np.testing.assert_array_equal(out[:, :shape[0]], a.T)
    assert (out[:, shape[0]:] == -1).all()


@pytest.mark.parametrize("dtype, size", [(np.float64, 5), (np.float32, 8)])  # f32 8: direct
def test_conv2d_nan_propagates(be, dtype, size):
    rng = np.random.default_rng(1)
    x = rand(rng, (1, 2, size, size), dtype)
    x[0, 1, 2, 2] = np.nan
    w = rand(rng, (3, 2, 3, 3), dtype)
    y = be.conv2d_forward(x, w, None, (1, 1), (1, 1, 1, 1), (1, 1), 1, (size, size))
    tx, tw = torch.from_numpy(x).requires_grad_(), torch.from_numpy(w).requires_grad_()
    ref = F.conv2d(tx, tw, None, 1, 1)
    close(y, ref)
    assert np.isnan(y[0, :, 1:4, 1:4]).all() and not np.isnan(y[0, :, 0, 0]).any()
    gy = rand(rng, tuple(ref.shape), dtype)
    ref.backward(torch.from_numpy(gy))
    gw = be.conv2d_backward_weight(gy, x, w.shape, (1, 1), (1, 1, 1, 1), (1, 1), 1)
    close(gw, tw.grad)
    assert np.isnan(gw[:, 1]).all() and not np.isnan(gw[:, 0]).any()


# ---------------------------------------------------------------------------------- pooling
# (k, stride, padding, dilation, ceil_mode)
MAX_CASES = [
    ((2, 2), (2, 2), (0, 0), (1, 1), False),
    ((3, 3), (2, 2), (1, 1), (1, 1), True),
    ((3, 2), (1, 2), (1, 0), (2, 1), False),
    ((2, 3), (3, 2), (1, 1), (1, 2), True),
    ((3, 3), (2, 2), (0, 0), (1, 1), True),
]


def _max_pool_ref(x, k, s, p, d, ceil):
    tx = torch.from_numpy(x).requires_grad_()
    ty, ti = F.max_pool2d(tx, k, s, p, d, ceil_mode=ceil, return_indices=True)
    return tx, ty, ti


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", MAX_CASES)
@pytest.mark.parametrize("data", ["normal", "ties", "nan", "neginf"])
def test_max_pool2d(be, case, dtype, data):
    k, s, p, d, ceil = case
    rng = np.random.default_rng(2)
    shape = (2, 3, 9, 8)
    if data == "ties":
        x = rng.integers(0, 3, shape).astype(dtype)
    else:
        x = rand(rng, shape, dtype)
    if data == "nan":
        x[rng.random(shape) < 0.1] = np.nan
    if data == "neginf":
        x[:] = -np.inf
        x[0, 0, 3:6, 2:5] = 1.0
    out_hw = tuple(pool_output_size(x.shape[2 + a], k[a], s[a], p[a], d[a], ceil)
                   for a in range(2))
    tx, ty, ti = _max_pool_ref(x, k, s, p, d, ceil)
    y, idx = be.max_pool2d_forward(x, k, s, p, d, out_hw)
    assert idx.dtype == np.int64
    close(y, ty)
    np.testing.assert_array_equal(idx, ti.numpy())
    gy = rand(rng, y.shape, dtype)
    ty.backward(torch.from_numpy(gy))
    close(be.max_pool2d_backward(gy, idx, x.shape), tx.grad)


# The 2x2 / stride-2 / no-padding case has its own branch-free kernels (``_max_pool_2x2_plane``
# forward, ``_max_unpool_2x2_plane`` backward) used when every window is in bounds; NaN planes
# and ceil-mode partial windows go back to the general loop. Shapes: even, odd (leftover
# row/column), tiny; data with ties, -inf, NaN in a few planes only, NaN pairs in one window.
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(2, 3, 8, 8), (2, 3, 9, 7), (1, 2, 2, 2), (3, 2, 5, 6)])
@pytest.mark.parametrize("ceil", [False, True])
@pytest.mark.parametrize("data", ["normal", "ties", "nan_some_planes", "nan_pairs", "neginf"])
def test_max_pool2d_2x2_fast_path(be, shape, ceil, dtype, data):
    rng = np.random.default_rng(12)
    if data == "ties":
        x = rng.integers(0, 2, shape).astype(dtype)
    else:
        x = rand(rng, shape, dtype)
    if data == "nan_some_planes":
        x[0, 1][rng.random(shape[2:]) < 0.2] = np.nan
    if data == "nan_pairs":  # several NaNs per window: the last one in row-major order wins
        x[:, :, :2, :2] = np.nan
        x[-1, -1, 1, :] = np.nan
    if data == "neginf":
        x[:] = -np.inf
        x[0, 0, 0, 1] = 2.0
    out_hw = tuple(pool_output_size(shape[2 + a], 2, 2, 0, 1, ceil) for a in range(2))
    tx, ty, ti = _max_pool_ref(x, 2, 2, 0, 1, ceil)
    y, idx = be.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0), (1, 1), out_hw)
    close(y, ty)
    np.testing.assert_array_equal(idx, ti.numpy())
    gy = rand(rng, y.shape, dtype)
    ty.backward(torch.from_numpy(gy))
    close(be.max_pool2d_backward(gy, idx, x.shape), tx.grad)


@pytest.mark.parametrize("case", [((3, 3), (2, 2), (1, 1)), ((2, 2), (1, 1), (0, 0)),
                                  ((4, 4), (2, 2), (1, 1))])
def test_max_pool2d_backward_indices_outside_2x2_blocks(be, case):
    """The backward's 2x2 fast path must notice indices that leave their block (overlapping or
    shifted windows whose shapes still satisfy 2·Ho ≤ H) and fall back to the scatter-add."""
    k, s, p = case
    rng = np.random.default_rng(13)
    x = rand(rng, (2, 3, 8, 8), np.float64)
    out_hw = tuple(pool_output_size(8, k[a], s[a], p[a], 1, False) for a in range(2))
    tx, ty, ti = _max_pool_ref(x, k, s, p, 1, False)
    y, idx = be.max_pool2d_forward(x, k, s, p, (1, 1), out_hw)
    np.testing.assert_array_equal(idx, ti.numpy())
    gy = rand(rng, y.shape, np.float64)
    ty.backward(torch.from_numpy(gy))
    close(be.max_pool2d_backward(gy, idx, x.shape), tx.grad)


@pytest.mark.parametrize("stray_planes", [1, 6])
def test_max_pool2d_backward_a_few_stray_planes(be, stray_planes):
    """2×2 indices where some planes hold an index outside its block: those planes (alone,
    or all of them) are scatter-added, the others unpooled — the sum equals NumPy's
    scatter-add."""
    rng = np.random.default_rng(14)
    x = rand(rng, (2, 3, 8, 8), np.float32)
    _, idx = be.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0), (1, 1), (4, 4))
    idx = idx.copy()
    for t in range(stray_planes):
        idx[t // 3, t % 3, 0, 0] = 3 * 8 + 3  # (3, 3): block (1, 1), also taken by (1, 1)
    gy = rand(rng, idx.shape, np.float32)
    want = np.zeros((6, 64), np.float32)
    for t in range(6):
        np.add.at(want[t], idx.reshape(6, 16)[t], gy.reshape(6, 16)[t])
    np.testing.assert_allclose(be.max_pool2d_backward(gy, idx, x.shape),
                               want.reshape(x.shape), rtol=1e-6)


def test_conv2d_backward_bias_long_float32_sums(be):
    """Bias grad over planes of 4096 elements, 16 images: float64 partials keep float32 exact
    to rounding (checked against a float64 sum), NaN and Inf propagate."""
    rng = np.random.default_rng(14)
    gy = rand(rng, (16, 5, 64, 64), np.float32) + np.float32(3)
    ref = gy.astype(np.float64).sum(axis=(0, 2, 3)).astype(np.float32)
    np.testing.assert_array_equal(be.conv2d_backward_bias(gy), ref)
    gy[3, 1, 7, 9], gy[0, 2, 0, 0] = np.nan, np.inf
    gb = be.conv2d_backward_bias(gy)
    assert np.isnan(gb[1]) and gb[2] == np.inf and np.isfinite(gb[[0, 3, 4]]).all()


# (k, stride, padding, ceil_mode, count_include_pad, divisor_override)
AVG_CASES = [
    ((2, 2), (2, 2), (0, 0), False, True, None),
    ((3, 3), (2, 2), (1, 1), True, True, None),
    ((3, 3), (2, 2), (1, 1), True, False, None),
    ((3, 2), (1, 2), (1, 1), False, False, None),
    ((2, 3), (3, 2), (1, 1), True, True, 5),
    ((3, 3), (2, 1), (1, 0), False, False, 2),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", AVG_CASES)
def test_avg_pool2d(be, case, dtype):
    k, s, p, ceil, include, div = case
    rng = np.random.default_rng(3)
    x = rand(rng, (2, 3, 9, 8), dtype)
    out_hw = tuple(pool_output_size(x.shape[2 + a], k[a], s[a], p[a], 1, ceil) for a in range(2))
    tx = torch.from_numpy(x).requires_grad_()
    ty = F.avg_pool2d(tx, k, s, p, ceil, include, div)
    y = be.avg_pool2d_forward(x, k, s, p, out_hw, include, div)
    close(y, ty)
    gy = rand(rng, y.shape, dtype)
    ty.backward(torch.from_numpy(gy))
    close(be.avg_pool2d_backward(gy, x.shape, k, s, p, include, div), tx.grad)


# 2x2 / stride 2 / no padding average pooling has its own kernels (``_avg_pool_2x2_fwd`` /
# ``_bwd``) when every window is inside: float32 sums in PyTorch's order, so bitwise equal to
# PyTorch's; a leftover row/column, ceil mode's partial window and other divisors are covered.
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(2, 3, 8, 8), (2, 3, 9, 7), (1, 1, 2, 2)])
@pytest.mark.parametrize("ceil,include,div", [(False, True, None), (True, False, None),
                                              (False, False, 4), (False, True, 3)])
def test_avg_pool2d_2x2_fast_path(be, shape, dtype, ceil, include, div):
    rng = np.random.default_rng(15)
    x = rand(rng, shape, dtype)
    x[0, 0, 0, 0] = np.nan
    out_hw = tuple(pool_output_size(shape[2 + a], 2, 2, 0, 1, ceil) for a in range(2))
    tx = torch.from_numpy(x).requires_grad_()
    ty = F.avg_pool2d(tx, 2, 2, 0, ceil, include, div)
    y = be.avg_pool2d_forward(x, (2, 2), (2, 2), (0, 0), out_hw, include, div)
    gy = rand(rng, y.shape, dtype)
    ty.backward(torch.from_numpy(gy))
    gx = be.avg_pool2d_backward(gy, x.shape, (2, 2), (2, 2), (0, 0), include, div)
    if div in (None, 4) and not ceil:  # the fast path: PyTorch's exact numbers
        np.testing.assert_array_equal(y, ty.detach().numpy())
        np.testing.assert_array_equal(gx, tx.grad.numpy())
    close(y, ty)
    close(gx, tx.grad)


# ------------------------------------------------------------------------------ activations
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["relu", "tanh", "sigmoid"])
def test_activations(be, name, dtype):
    rng = np.random.default_rng(4)
    x = (rand(rng, (3, 4, 5, 6), dtype) * 4).astype(dtype)
    x.reshape(-1)[:6] = [0.0, -0.0, 1000.0, -1000.0, np.inf, -np.inf]
    x.reshape(-1)[6] = np.nan
    tx = torch.from_numpy(x).requires_grad_()
    ty = getattr(torch, name)(tx)
    y = getattr(be, f"{name}_forward")(x)
    assert y.dtype == dtype and y.shape == x.shape
    close(y, ty)
    gy = rand(rng, x.shape, dtype)
    ty.backward(torch.from_numpy(gy))
    close(getattr(be, f"{name}_backward")(gy, y), tx.grad)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
def test_vector_activations_at_each_width_and_size(be, name, dtype, lanes):
    """tanh / sigmoid run whole SIMD vectors: sizes below one vector (padded), exact
    multiples, and a remainder (the last vector again) all equal torch, at 8 and 16 lanes."""
    rng = np.random.default_rng(6)
    for size in (1, 3, 8, 16, 17, 40, 1000):
        x = (rand(rng, (size,), dtype) * 6).astype(dtype)
        close(getattr(be, f"{name}_forward")(x), getattr(torch, name)(torch.from_numpy(x)))


# col2im input grads (C < 16) whose L = Ho·Wo is a whole number of panels at 8 and 16 lanes:
# one group, two groups, a stride-2 scatter (the products on the panel kernel, then col2im);
# then Wo = 32, a whole number of panels at every width: the product and scatter fused — the
# seed CNN's conv1 kind, two groups, row stride 2, dilation 2, and 2 channels × 3 rows of
# taps (fewer than a block of 8 per q: overlapping runs in one block).
COL2IM_PANEL_CASES = [
    (2, 3, 8, 8, 6, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1),
    (2, 4, 8, 8, 6, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 2),
    (3, 3, 16, 16, 5, (3, 3), (2, 2), (1, 1, 1, 1), (1, 1), 1),
]
FUSED_CASES = [
    (2, 3, 6, 32, 4, (5, 5), (1, 1), (2, 2, 2, 2), (1, 1), 1),
    (1, 4, 4, 32, 6, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 2),
    (1, 3, 9, 32, 4, (3, 3), (2, 1), (1, 1, 1, 1), (1, 1), 1),
    (1, 2, 8, 36, 4, (3, 3), (1, 1), (0, 0, 0, 0), (2, 2), 1),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", COL2IM_PANEL_CASES)
def test_col2im_products_on_the_panel_kernel(case, dtype, lanes):
    """The scatter's per-image products (wᵀ @ gy[n]) run on the panel kernel where L fits
    whole panels — at 8 and 16 float32 lanes — and every pass still equals torch; the
    tiled study GEMM and ``conv="im2col"`` keep their own GEMM."""
    from minitorch.backends.numba import conv, im2col
    from minitorch.backends.numba.gemm import blas_gemm_address

    n, c, h, w, o, k, s, pad, d, g = case
    routes = conv.routes((n, c, h, w), (o, c // g) + k, s, pad, d, g,
                         (conv_output_size(h, k[0], s[0], pad[0] + pad[1], d[0]),
                          conv_output_size(w, k[1], s[1], pad[2] + pad[3], d[1])), dtype)
    assert routes["input"] == "col2im"
    address = blas_gemm_address(np.dtype(dtype))
    width = lanes if dtype == np.float32 else lanes // 2
    assert im2col.panel_lanes(np.dtype(dtype), 64, address) == width
    assert im2col.panel_lanes(np.dtype(dtype), 64, 0) == 0  # the study GEMM
    assert im2col.panel_lanes(np.dtype(dtype), 64, address, own_gemm=False) == 0
    check_conv2d(NumbaBackend(), case, dtype, True)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", FUSED_CASES)
def test_col2im_fused_product_and_scatter(case, dtype, lanes, monkeypatch):
    """Width stride 1 and whole panels along Wo: the scatter's products go straight into the
    padded gradient (``_conv_backward_input_fused``, no column matrix), at 8 and 16 float32
    lanes, and every pass equals torch."""
    from minitorch.backends.numba import im2col

    calls = []
    real = im2col._conv_backward_input_fused
    monkeypatch.setattr(im2col, "_conv_backward_input_fused",
                        lambda *a: calls.append(a[-1].lanes) or real(*a))
    check_conv2d(NumbaBackend(), case, dtype, True)
    assert calls == [lanes if dtype == np.float32 else lanes // 2]


# ----------------------------------------------------------------------------------- linear
@pytest.mark.parametrize("gemm", ["blas", "numba"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [True, False])
def test_linear(dtype, bias, gemm):
    rng = np.random.default_rng(5)
    x, w = rand(rng, (7, 33), dtype), rand(rng, (5, 33), dtype)
    check_linear(NumbaBackend(gemm=gemm), x, w, rand(rng, (5,), dtype) if bias else None,
                 rand(rng, (7, 5), dtype))


def check_linear(be, x, w, b, gy):
    """The backend's linear forward and backward (gy given) against torch's: y, gx, gw and
    gb (None without a bias)."""
    tx, tw = (torch.from_numpy(np.array(a)).requires_grad_() for a in (x, w))  # writable
    tb = None if b is None else torch.from_numpy(b).requires_grad_()
    ty = F.linear(tx, tw, tb)
    close(be.linear_forward(x, w, b), ty)
    ty.backward(torch.from_numpy(gy))
    gx, gw, gb = be.linear_backward(gy, x, w, b is not None)
    close(gx, tx.grad)
    close(gw, tw.grad)
    if b is None:
        assert gb is None
    else:
        close(gb, tb.grad)


def test_linear_large_product_path(be, monkeypatch):
    """Products at or above SERIAL_GEMM_MACS keep the full BLAS pool; small ones run on one
    BLAS thread and restore the count afterwards."""
    from minitorch.backends.numba import linear
    from minitorch.backends.numba.threads import get_blas_num_threads

    rng = np.random.default_rng(15)
    x, w, b = rand(rng, (9, 40), np.float32), rand(rng, (6, 40), np.float32), rand(rng, (6,),
                                                                                 np.float32)
    before = get_blas_num_threads()
    small = be.linear_forward(x, w, b)
    assert get_blas_num_threads() == before
    monkeypatch.setattr(linear, "SERIAL_GEMM_MACS", 0)
    close(be.linear_forward(x, w, b), small)
    gx, gw, gb = be.linear_backward(small, x, w, True)
    close(gb, torch.from_numpy(small.astype(np.float64).sum(0).astype(np.float32)))
    close(gx, torch.from_numpy(small @ w))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n,i", [(1, 40), (2, 40), (9, 40), (3, 1)])
def test_linear_split_over_threads(be, monkeypatch, dtype, n, i):
    """Products from SPLIT_GEMM_MACS on run as stripes of the in_features over Numba's
    threads (one BLAS call each): same numbers as torch, any number of rows, and with fewer
    in_features than threads (empty stripes)."""
    import numba

    from minitorch.backends.numba import linear

    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("needs a Numba pool of 2 threads (NUMBA_NUM_THREADS < 2)")
    rng = np.random.default_rng(17)
    x, w, b = rand(rng, (n, i), dtype), rand(rng, (7, i), dtype), rand(rng, (7,), dtype)
    monkeypatch.setattr(linear, "SPLIT_GEMM_MACS", 0)
    before = get_num_threads()
    set_num_threads(2)
    try:
        assert linear._split_address(1, linear.gemm_blas, x.dtype) != 0
        tx, tw = torch.from_numpy(x).requires_grad_(), torch.from_numpy(w).requires_grad_()
        ty = F.linear(tx, tw, torch.from_numpy(b))
        close(be.linear_forward(x, w, b), ty)
        gy = rand(rng, (n, 7), dtype)
        ty.backward(torch.from_numpy(gy))
        gx, gw, _ = be.linear_backward(gy, x, w, True)
        close(gx, tx.grad)
        close(gw, tw.grad)
    finally:
        set_num_threads(before)


# (n, in, out): rows left over after blocks of 8 (13, 300), more than CHUNK_K of the inner
# dimension (in 320: the forward's chunks; n 300: gw's), uneven panel shares (out 96 = 3 or
# 6 panels over 2 threads), one panel (out 32 at 16 float32 lanes).
PANEL_CASES = [(1, 64, 32), (13, 320, 96), (64, 128, 64), (300, 64, 32)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n,i,o", PANEL_CASES)
@pytest.mark.parametrize("threads", [1, 2])
def test_linear_panel_kernels(be, monkeypatch, dtype, lanes, n, i, o, threads):
    """Products the panel kernels fit (whole panels of 2n columns, C-contiguous) run there
    — at 8 and 16 float32 lanes, on one thread or two — and equal torch: output, both
    gradients and the bias gradient; without a bias, gb is None."""
    from minitorch.backends.numba import linear, panel_gemm

    ran = []
    for name in ("linear_forward", "linear_backward"):
        real = getattr(panel_gemm, name)
        monkeypatch.setattr(panel_gemm, name,
                            lambda *a, real=real, name=name: ran.append(name) or real(*a))
    monkeypatch.setattr(linear, "SPLIT_GEMM_MACS", 0)
    rng = np.random.default_rng(23)
    x, w, b = rand(rng, (n, i), dtype), rand(rng, (o, i), dtype), rand(rng, (o,), dtype)
    gy = rand(rng, (n, o), dtype)
    before = get_num_threads()
    set_num_threads(min(threads, before))
    try:
        for bias in (b, None):
            check_linear(be, x, w, bias, gy)
    finally:
        set_num_threads(before)
    assert ran == ["linear_forward", "linear_backward"] * 2


def test_linear_panel_kernels_take_what_they_fit(be, monkeypatch):
    """Read-only inputs (another compiled variant, so another address) still run the panel
    kernels right; shapes without whole panels (and, were the backend to pass one, a
    non-contiguous x) go the BLAS way — all equal torch."""
    from minitorch.backends.numba import linear, panel_gemm
    from minitorch.backends.numba.simd import simd_lanes

    monkeypatch.setattr(linear, "SPLIT_GEMM_MACS", 0)
    rng = np.random.default_rng(29)
    width = 2 * simd_lanes(np.float32)
    x, w = rand(rng, (9, 2 * width), np.float32), rand(rng, (width, 2 * width), np.float32)
    x.setflags(write=False)
    w.setflags(write=False)
    fits = panel_gemm.lanes_for
    assert fits(x, w, backward=False) == fits(x, w, backward=True) == width // 2
    assert not fits(x, w[:-1], backward=False)
    assert not fits(x[:, :-1], w[:, :-1], backward=True)
    assert not fits(np.asfortranarray(x), w, backward=True)
    assert not fits(x.astype(np.float16), w.astype(np.float16), backward=True)
    for xi, wi in ((x, w), (x, np.ascontiguousarray(w[:-1]))):
        check_linear(be, xi, wi, None, rand(rng, (xi.shape[0], wi.shape[0]), np.float32))


# ---------------------------------------------------------------------------------- softmax
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,dim", [((6, 10), 1), ((6, 10), 0), ((2, 5, 3, 4), 1),
                                       ((2, 5, 3), -1), ((7,), 0)])
@pytest.mark.parametrize("log", [False, True])
def test_softmax(be, shape, dim, dtype, log):
    rng = np.random.default_rng(6)
    x = (rand(rng, shape, dtype) * 3).astype(dtype)
    tx = torch.from_numpy(x).requires_grad_()
    ty = (F.log_softmax if log else F.softmax)(tx, dim)
    name = "log_softmax" if log else "softmax"
    y = getattr(be, f"{name}_forward")(x, dim)
    close(y, ty)
    gy = rand(rng, shape, dtype)
    ty.backward(torch.from_numpy(gy))
    close(getattr(be, f"{name}_backward")(gy, y, dim), tx.grad)


@pytest.mark.parametrize("log", [False, True])
def test_softmax_extremes(be, log):
    x = np.array([[1e4, -1e4, 0.0], [np.nan, 1.0, 2.0], [-np.inf, -np.inf, -np.inf],
                  [-np.inf, 0.0, 1.0]])
    fn = F.log_softmax if log else F.softmax
    name = "log_softmax" if log else "softmax"
    close(getattr(be, f"{name}_forward")(x, 1), fn(torch.from_numpy(x), 1))


# ---------------------------------------------------------------------------- cross entropy
CE_CASES = list(itertools.product([False, True], [-100, 2], [0.0, 0.2]))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted,ignore_index,eps", CE_CASES)
def test_cross_entropy(be, dtype, weighted, ignore_index, eps):
    rng = np.random.default_rng(7)
    n, c = 9, 5
    logits = (rand(rng, (n, c), dtype) * 3).astype(dtype)
    target = rng.integers(0, c, n).astype(np.int64)
    target[[1, 4]] = ignore_index if ignore_index >= 0 else -100
    if ignore_index < 0:
        target[4] = 2
    weight = rng.random(c).astype(dtype) + 0.5 if weighted else None
    tl = torch.from_numpy(logits).requires_grad_()
    tloss = F.cross_entropy(tl, torch.from_numpy(target),
                            torch.from_numpy(weight) if weighted else None,
                            ignore_index=ignore_index, reduction="none", label_smoothing=eps)
    loss, logp = be.cross_entropy_forward(logits, target, weight, ignore_index, eps)
    close(loss, tloss)
    close(logp, F.log_softmax(torch.from_numpy(logits), 1))
    gloss = rand(rng, (n,), dtype)
    tloss.backward(torch.from_numpy(gloss))
    close(be.cross_entropy_backward(gloss, logp, target, weight, ignore_index, eps), tl.grad)


# ---------------------------------------------------------------------------------- threads
def test_set_num_threads(be):
    from minitorch.backends.numba.threads import get_blas_num_threads

    before = get_num_threads()
    try:
        set_num_threads(1)
        assert get_num_threads() == 1
        assert get_blas_num_threads() in (None, 1)
        x = np.random.default_rng(8).standard_normal((2, 3, 6, 6))
        w = np.random.default_rng(9).standard_normal((4, 3, 3, 3))
        y1 = be.conv2d_forward(x, w, None, (1, 1), (1, 1, 1, 1), (1, 1), 1, (6, 6))
    finally:
        set_num_threads(before)
    y2 = be.conv2d_forward(x, w, None, (1, 1), (1, 1, 1, 1), (1, 1), 1, (6, 6))
    np.testing.assert_allclose(y1, y2, rtol=1e-12, atol=1e-12)
    assert get_num_threads() == before


def test_sized_call_runs_small_work_on_the_calling_thread(be):
    """Work under SERIAL_WORK runs with Numba's pool cut to one thread (restored after, also
    when the kernel raises); larger work keeps the pool; the numbers are the same either way."""
    import numba

    from minitorch.backends.numba.threads import SERIAL_WORK, sized_call

    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("needs a Numba pool of 2 threads (NUMBA_NUM_THREADS < 2)")
    before = get_num_threads()
    set_num_threads(2)
    try:
        assert sized_call(SERIAL_WORK - 1, numba.get_num_threads) == 1
        assert sized_call(SERIAL_WORK, numba.get_num_threads) == 2
        with pytest.raises(ZeroDivisionError):
            sized_call(1, lambda: 1 / 0)
        assert numba.get_num_threads() == 2
        x = rand(np.random.default_rng(16), (1, 8, 16, 16), np.float32)  # small: one thread
        big = np.tile(x, (64, 1, 1, 1))  # 131072 elements: the pool
        y = be.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0), (1, 1), (8, 8))[0]
        yb = be.max_pool2d_forward(big, (2, 2), (2, 2), (0, 0), (1, 1), (8, 8))[0]
        np.testing.assert_array_equal(yb[:1], y)
    finally:
        set_num_threads(before)


def test_parallel_for_chunks_the_range():
    """parallel_for cuts range(n) into one contiguous chunk per thread (fewer when a chunk
    would hold less than grain items), runs them all before returning, and raises what a
    chunk raised."""
    from minitorch.backends.numba.threads import parallel_for

    def record(lo, hi, out):
        out.append((lo, hi))

    threads = get_num_threads()
    for n, grain in ((0, 1), (1, 1), (7, 1), (100, 1), (100, 60), (100, 200)):
        seen = []
        parallel_for(record, n, seen, grain=grain)
        seen.sort()
        assert len(seen) == max(1, min(n // grain, threads)), (n, grain, seen)
        assert seen[0][0] == 0 and seen[-1][1] == n
        assert all(a[1] == b[0] for a, b in zip(seen, seen[1:]))

    def fail(lo, hi):
        if lo > 0 or threads == 1:
            raise ValueError(f"chunk {lo}:{hi}")

    with pytest.raises(ValueError, match="chunk"):
        parallel_for(fail, 10)


def test_claim_hands_out_every_item_once():
    """Threads sharing items through claim() (an atomic counter) take each item exactly
    once, however many threads run."""
    from numba import njit

    from minitorch.backends.numba.threads import claim, parallel_for

    @njit(nogil=True)
    def take(lo, hi, counter, owner):
        for t in range(lo, hi):
            n = claim(counter)
            while n < owner.shape[0]:
                owner[n] += t + 1
                n = claim(counter)

    for threads in sorted({1, get_num_threads()}):
        owner, counter = np.zeros(1000, np.int64), np.zeros(1, np.int64)
        parallel_for(take, threads, counter, owner)
        assert (owner >= 1).all() and (owner <= threads).all()
        assert counter[0] == owner.shape[0] + threads  # every thread's last claim overshoots


def test_warm_cache_compiles_what_a_training_step_uses():
    """warm_cache() runs every kernel family of a seed-CNN float32 step, reporting progress
    as it goes; afterwards the direct conv kernels hold a variant for every vector width the
    seed CNN's layers take, and the conv/pool/cross-entropy kernels are compiled."""
    from minitorch.backends.numba import direct, pool, softmax, warm_cache
    from minitorch.backends.numba.warm import SEED_CONVS

    seen = []
    timings = warm_cache(progress=lambda done, total, name: seen.append((done, total, name)))
    total = seen[0][1]
    assert [d for d, _, _ in seen] == list(range(total + 1)) and seen[-1][2] == "done"
    assert [name for name, _ in timings] == [name for _, _, name in seen[:-1]]
    assert any("weight grad" in n for n, _ in timings) and all(s >= 0 for _, s in timings)
    forward = {sig[-1].lanes for sig in direct.direct_forward.signatures}
    assert {direct.forward_lanes(h) for _, _, h in SEED_CONVS} <= forward
    assert direct.weight_lanes() in {sig[-1].lanes for sig in direct.direct_weight_grad.signatures}
    for kernel in (pool._max_pool_2x2_fwd, pool._max_unpool_2x2, softmax._cross_entropy_fwd,
                   softmax._cross_entropy_bwd):
        assert kernel.signatures, kernel


def test_aligned_scratch_is_reused_per_thread_and_shape_and_never_shared():
    """aligned_scratch hands the calling thread the same 64-byte aligned buffer for the same
    tag, shape and dtype; another shape, dtype, tag or thread gets another buffer; beyond
    SCRATCH_BUFFERS the oldest is dropped."""
    import threading

    from minitorch.backends.numba.simd import ALIGN, SCRATCH_BUFFERS, aligned_scratch

    f32, f64 = np.dtype(np.float32), np.dtype(np.float64)
    a = aligned_scratch("t", (3, 5), f32)
    assert a.shape == (3, 5) and a.dtype == f32 and a.flags.c_contiguous
    assert a.ctypes.data % ALIGN == 0
    assert aligned_scratch("t", (3, 5), f32) is a
    others = [aligned_scratch("t", (5, 3), f32), aligned_scratch("t", (3, 5), f64),
              aligned_scratch("u", (3, 5), f32)]
    assert all(o is not a for o in others)
    seen = []
    worker = threading.Thread(target=lambda: seen.append(aligned_scratch("t", (3, 5), f32)))
    worker.start()
    worker.join()
    assert seen[0] is not a and not np.shares_memory(seen[0], a)
    for i in range(SCRATCH_BUFFERS):
        aligned_scratch("fill", (i + 1,), f32)
    assert aligned_scratch("t", (3, 5), f32) is not a  # dropped, made anew


def test_direct_conv_from_two_threads_at_once_matches_one_thread():
    """The direct kernels' scratch buffers are per thread: two threads running the forward and
    the weight grad of different layers at the same time get what one thread gets."""
    import threading

    from minitorch.backends.numba import NumbaBackend

    be = NumbaBackend()
    rng = np.random.default_rng(3)
    jobs = []
    geo = ((1, 1), (2, 2, 2, 2), (1, 1), 1)
    for c, o, h in ((3, 32, 32), (32, 64, 8)):
        x = rng.standard_normal((2, c, h, h)).astype(np.float32)
        w = rng.standard_normal((o, c, 5, 5)).astype(np.float32)
        b = rng.standard_normal(o).astype(np.float32)
        gy = rng.standard_normal((2, o, h, h)).astype(np.float32)
        jobs.append((lambda x=x, w=w, b=b, gy=gy: (
            be.conv2d_forward(x, w, b, *geo, (x.shape[2], x.shape[3])),
            be.conv2d_backward_weight(gy, x, w.shape, *geo))))
    expected = [job() for job in jobs]
    results: dict = {}

    def run(i: int) -> None:
        results[i] = [jobs[i]() for _ in range(20)]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, want in enumerate(expected):
        for got in results[i]:
            np.testing.assert_array_equal(got[0], want[0])
            np.testing.assert_array_equal(got[1], want[1])


def test_flip_swap_is_the_flipped_transposed_weight():
    """flip_swap(w)[c, o, p, q] == w[o, c, kH-1-p, kW-1-q] for every dtype and kernel shape
    (rectangular and 1 x 1 too)."""
    from minitorch.backends.numba.copies import flip_swap

    rng = np.random.default_rng(5)
    for dtype in (np.float32, np.float64):
        for shape in ((64, 32, 5, 5), (3, 2, 3, 1), (2, 4, 1, 4), (1, 1, 1, 1), (0, 3, 2, 2)):
            w = rng.standard_normal(shape).astype(dtype)
            want = np.ascontiguousarray(w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))
            got = flip_swap(w)
            assert got.flags.c_contiguous and got.dtype == w.dtype
            np.testing.assert_array_equal(got, want)


def test_call_native_runs_a_kernel_by_address_on_numbas_pool():
    """A prange launcher that calls a parallel_for-style kernel through call_native and
    native_address computes what the kernel computes called directly, on any thread count;
    the address is the same for the same key (found once)."""
    from numba import njit, prange

    from minitorch.backends.numba.threads import call_native, native_address

    @njit(nogil=True)
    def axpy(lo, hi, a, x, y):
        for t in range(lo, hi):
            y[t] += a * x[t]

    @njit(parallel=True)
    def launch(address, n, a, x, y):
        for t in prange(n):
            call_native(address, t, t + 1, a, x, y)

    rng = np.random.default_rng(11)
    x = rng.standard_normal(37)
    before = get_num_threads()
    try:
        for threads in sorted({1, 2, get_num_threads()}):
            set_num_threads(threads)
            y, want = np.zeros(37), np.zeros(37)
            args = (1.5, x, y)
            address = native_address(axpy, "f64", args)
            assert native_address(axpy, "f64", args) == address
            launch(address, 37, *args)
            axpy(0, 37, 1.5, x, want)
            np.testing.assert_array_equal(y, want)
    finally:
        set_num_threads(before)


def test_direct_conv_on_numbas_pool_takes_read_only_inputs():
    """Read-only input and gradient arrays (another Numba type) run on the pool through
    their own compiled kernel and give what writeable ones give."""
    from minitorch.backends.numba import NumbaBackend

    be = NumbaBackend()
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 32, 8, 8)).astype(np.float32)
    w = rng.standard_normal((64, 32, 5, 5)).astype(np.float32)
    gy = rng.standard_normal((2, 64, 8, 8)).astype(np.float32)
    geo = ((1, 1), (2, 2, 2, 2), (1, 1), 1)
    before = get_num_threads()
    set_num_threads(2)
    try:
        want = (be.conv2d_forward(x, w, None, *geo, (8, 8)),
                be.conv2d_backward_weight(gy, x, w.shape, *geo))
        xr, gyr = x.copy(), gy.copy()
        xr.flags.writeable = gyr.flags.writeable = False
        got = (be.conv2d_forward(xr, w, None, *geo, (8, 8)),
               be.conv2d_backward_weight(gyr, xr, w.shape, *geo))
    finally:
        set_num_threads(before)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
