"""Every CudaBackend kernel, run by the emulator ("cuda-emulated"), against
torch.nn.functional on the same data. Shapes are small: the emulator runs every CUDA thread."""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

DTYPES = [np.float32, np.float64]


def close(got, want, dtype) -> None:
    """torch's default tolerances for float32; rtol = atol = 1e-7 for float64."""
    want = want.detach().numpy() if isinstance(want, torch.Tensor) else want
    tol = {} if dtype == np.float32 else {"rtol": 1e-7, "atol": 1e-7}
    torch.testing.assert_close(torch.from_numpy(np.asarray(got)), torch.from_numpy(want),
                               equal_nan=True, **tol)


def leaf(a: np.ndarray):
    return torch.from_numpy(a.copy()).requires_grad_(True)


def rng_for(*key) -> np.random.Generator:
    """A generator seeded by the case: CRC-32 of its repr, the same in every process (Python's
    ``hash`` of a string is salted per process: the data, and whether a tolerance held, changed
    from run to run)."""
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


# --------------------------------------------------------------------------- conv2d
CONV_CASES = [
    # N, C, H, W, O, (kH, kW), stride, (top, bottom, left, right), dilation, groups, bias
    (2, 3, 7, 6, 4, (3, 3), (1, 1), (0, 0, 0, 0), (1, 1), 1, True),
    (1, 2, 8, 9, 3, (3, 2), (2, 1), (1, 1, 1, 1), (1, 1), 1, False),
    (2, 4, 7, 7, 6, (3, 3), (2, 2), (1, 2, 0, 1), (1, 1), 2, True),   # asymmetric, groups
    (1, 2, 9, 8, 2, (2, 3), (1, 2), (0, 1, 2, 0), (2, 2), 1, True),   # dilation
    (1, 4, 6, 6, 4, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 4, False),  # depthwise
    (2, 3, 5, 5, 2, (1, 1), (2, 2), (0, 0, 0, 0), (1, 1), 1, True),   # 1x1, strided
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d(emulated, case, dtype) -> None:
    n, c, h, w, o, (kh, kw), stride, pad, dilation, groups, has_bias = case
    rng = rng_for("conv", case, dtype)
    x = rng.standard_normal((n, c, h, w)).astype(dtype)
    wt = rng.standard_normal((o, c // groups, kh, kw)).astype(dtype)
    b = rng.standard_normal(o).astype(dtype) if has_bias else None

    tx, tw = leaf(x), leaf(wt)
    tb = leaf(b) if has_bias else None
    padded = F.pad(tx, (pad[2], pad[3], pad[0], pad[1]))
    ty = F.conv2d(padded, tw, tb, stride=stride, dilation=dilation, groups=groups)
    out_hw = tuple(ty.shape[2:])
    gy = rng.standard_normal(ty.shape).astype(dtype)
    ty.backward(torch.from_numpy(gy))

    y = emulated.conv2d_forward(x, wt, b, stride, pad, dilation, groups, out_hw)
    close(y, ty, dtype)
    gx = emulated.conv2d_backward_input(gy, wt, x.shape, stride, pad, dilation, groups)
    close(gx, tx.grad, dtype)
    gw = emulated.conv2d_backward_weight(gy, x, wt.shape, stride, pad, dilation, groups)
    close(gw, tw.grad, dtype)
    if has_bias:
        close(emulated.conv2d_backward_bias(gy), tb.grad, dtype)


# -------------------------------------------------------------------------- pooling
MAX_CASES = [
    # kernel, stride, padding, dilation, ceil_mode, H, W
    ((2, 2), (2, 2), (0, 0), (1, 1), False, 6, 6),
    ((3, 3), (2, 2), (1, 1), (1, 1), True, 7, 6),    # ceil mode: an extra partial window
    ((3, 2), (1, 2), (1, 0), (2, 1), False, 7, 7),   # dilation
    ((3, 3), (3, 3), (1, 1), (1, 1), True, 8, 8),
    ((2, 2), (1, 1), (0, 0), (1, 1), False, 5, 5),   # overlapping windows: scatter-add
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("data", ["random", "ties", "nan", "-inf"])
@pytest.mark.parametrize("case", MAX_CASES)
def test_max_pool2d(emulated, case, data, dtype) -> None:
    kernel, stride, padding, dilation, ceil_mode, h, w = case
    rng = rng_for("max", case, data, dtype)
    if data == "ties":
        x = rng.integers(0, 3, (2, 2, h, w)).astype(dtype)
    else:
        x = rng.standard_normal((2, 2, h, w)).astype(dtype)
    if data == "nan":
        x[rng.random(x.shape) < 0.15] = np.nan
    if data == "-inf":
        x[rng.random(x.shape) < 0.6] = -np.inf

    tx = leaf(x)
    ty, tidx = F.max_pool2d(tx, kernel, stride, padding, dilation, ceil_mode=ceil_mode,
                            return_indices=True)
    gy = rng.standard_normal(ty.shape).astype(dtype)
    ty.backward(torch.from_numpy(gy))

    y, idx = emulated.max_pool2d_forward(x, kernel, stride, padding, dilation,
                                         tuple(ty.shape[2:]))
    close(y, ty, dtype)
    np.testing.assert_array_equal(idx, tidx.numpy())
    assert idx.dtype == np.int64
    # the gather bounded by the window, and without it (every window may hold every pixel)
    close(emulated.max_pool2d_backward(gy, idx, x.shape, (kernel, stride, padding, dilation)),
          tx.grad, dtype)
    close(emulated.max_pool2d_backward(gy, idx, x.shape), tx.grad, dtype)


AVG_CASES = [
    # kernel, stride, padding, ceil_mode, H, W
    ((2, 2), (2, 2), (0, 0), False, 6, 6),
    ((3, 3), (2, 2), (1, 1), True, 6, 7),     # ceil mode: window clipped by the padded edge
    ((3, 2), (2, 1), (1, 1), False, 7, 5),
    ((3, 3), (3, 3), (1, 0), True, 8, 7),
    ((2, 3), (1, 1), (1, 1), True, 4, 5),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("divisor_override", [None, 3])
@pytest.mark.parametrize("case", AVG_CASES)
def test_avg_pool2d(emulated, case, count_include_pad, divisor_override, dtype) -> None:
    kernel, stride, padding, ceil_mode, h, w = case
    rng = rng_for("avg", case, count_include_pad, divisor_override, dtype)
    x = rng.standard_normal((2, 3, h, w)).astype(dtype)
    tx = leaf(x)
    ty = F.avg_pool2d(tx, kernel, stride, padding, ceil_mode=ceil_mode,
                      count_include_pad=count_include_pad, divisor_override=divisor_override)
    gy = rng.standard_normal(ty.shape).astype(dtype)
    ty.backward(torch.from_numpy(gy))
    args = (kernel, stride, padding)
    y = emulated.avg_pool2d_forward(x, *args, tuple(ty.shape[2:]), count_include_pad,
                                    divisor_override)
    close(y, ty, dtype)
    gx = emulated.avg_pool2d_backward(gy, x.shape, *args, count_include_pad, divisor_override)
    close(gx, tx.grad, dtype)


# ---------------------------------------------------------------------- activations
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["relu", "tanh", "sigmoid"])
def test_activations(emulated, name, dtype) -> None:
    rng = rng_for("act", name, dtype)
    x = (rng.standard_normal(600) * 4).astype(dtype)
    x[:6] = [0.0, -0.0, 1000.0, -1000.0, 30.0, -30.0]
    if name == "relu":
        x[6] = np.nan
    tx = leaf(x)
    ty = getattr(torch, name)(tx)
    gy = rng.standard_normal(x.shape).astype(dtype)
    ty.backward(torch.from_numpy(gy))
    y = getattr(emulated, f"{name}_forward")(x)
    close(y, ty, dtype)
    gx = getattr(emulated, f"{name}_backward")(gy, y)
    close(gx, tx.grad, dtype)


# ---------------------------------------------------------------- softmax family
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", [0, 1, 2, -1])
@pytest.mark.parametrize("log", [False, True])
def test_softmax(emulated, dim, log, dtype) -> None:
    rng = rng_for("softmax", dim, log, dtype)
    x = rng.standard_normal((3, 5, 4)).astype(dtype)
    x[0, 0, 0], x[1, 1, 1] = 1e4, -1e4  # stable at ±1e4
    tx = leaf(x)
    ty = (F.log_softmax if log else F.softmax)(tx, dim)
    gy = rng.standard_normal(x.shape).astype(dtype)
    ty.backward(torch.from_numpy(gy))
    kind = "log_softmax" if log else "softmax"
    y = getattr(emulated, f"{kind}_forward")(x, dim)
    close(y, ty, dtype)
    close(getattr(emulated, f"{kind}_backward")(gy, y, dim), tx.grad, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore_index", [-100, 2])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
def test_cross_entropy(emulated, weighted, ignore_index, label_smoothing, dtype) -> None:
    rng = rng_for("ce", weighted, ignore_index, label_smoothing, dtype)
    n, c = 7, 5
    logits = (rng.standard_normal((n, c)) * 3).astype(dtype)
    logits[0, 1] = 1e4
    target = rng.integers(0, c, n).astype(np.int64)
    target[:2] = 2
    if ignore_index == -100:
        target[3] = -100
    weight = rng.random(c).astype(dtype) + 0.5 if weighted else None

    tx = leaf(logits)
    tw = torch.from_numpy(weight) if weighted else None
    tloss = F.cross_entropy(tx, torch.from_numpy(target), weight=tw, ignore_index=ignore_index,
                            reduction="none", label_smoothing=label_smoothing)
    gloss = rng.standard_normal(n).astype(dtype)
    tloss.backward(torch.from_numpy(gloss))

    loss, logp = emulated.cross_entropy_forward(logits, target, weight, ignore_index,
                                                label_smoothing)
    close(loss, tloss, dtype)
    close(logp, F.log_softmax(torch.from_numpy(logits), 1), dtype)
    gx = emulated.cross_entropy_backward(gloss, logp, target, weight, ignore_index,
                                         label_smoothing)
    close(gx, tx.grad, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize("weighted, label_smoothing", [(False, 0.0), (True, 0.2)])
@pytest.mark.parametrize("n", [7, 700])  # one block; three, added by the last to arrive
def test_cross_entropy_reduced_in_the_kernel(emulated, reduction, weighted, label_smoothing,
                                             n, dtype) -> None:
    """The sum / mean formed inside the forward launch and gout / D' read by the backward:
    values and gradients as torch's, one launch each and no other device operation."""
    rng = rng_for("ce-reduced", reduction, weighted, n, dtype)
    c = 5
    logits = (rng.standard_normal((n, c)) * 3).astype(dtype)
    target = rng.integers(0, c, n).astype(np.int64)
    target[::4] = -100
    weight = rng.random(c).astype(dtype) + 0.5 if weighted else None
    tx = leaf(logits)
    tloss = F.cross_entropy(tx, torch.from_numpy(target),
                            weight=torch.from_numpy(weight) if weighted else None,
                            reduction=reduction, label_smoothing=label_smoothing)
    gout = np.asarray(1.5, dtype)
    tloss.backward(torch.from_numpy(gout))
    launched = []
    run = emulated.launcher.launch
    emulated.launcher.launch = lambda kernel, *a, **k: (launched.append(kernel),
                                                        run(kernel, *a, **k))
    try:
        loss, logp, denominator = emulated.cross_entropy_reduced_forward(
            logits, target, weight, -100, label_smoothing, reduction)
        gx = emulated.cross_entropy_reduced_backward(gout, logp, target, weight, -100,
                                                     label_smoothing, reduction, denominator)
    finally:
        del emulated.launcher.launch
    assert launched == ["cross_entropy_forward", "cross_entropy_backward"]
    assert loss.shape == () and (denominator is None) == (reduction == "sum")
    close(loss, tloss, dtype)
    close(gx, tx.grad, dtype)
    again, _, _ = emulated.cross_entropy_reduced_forward(logits, target, weight, -100,
                                                         label_smoothing, reduction)
    assert again.tobytes() == loss.tobytes()  # a fixed-order sum: the same bits


@pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
def test_cross_entropy_mean_of_nothing_is_nan(emulated, label_smoothing) -> None:
    """Every target ignored: the mean is 0/0 = NaN (with label smoothing too), as torch's;
    the gradient of the ignored rows is 0."""
    logits = np.arange(12, dtype=np.float32).reshape(4, 3)
    target = np.full(4, -100)
    tx = leaf(logits)
    tloss = F.cross_entropy(tx, torch.from_numpy(target), label_smoothing=label_smoothing)
    tloss.backward()
    loss, logp, denominator = emulated.cross_entropy_reduced_forward(
        logits, target, None, -100, label_smoothing, "mean")
    assert np.isnan(loss) and np.isnan(tloss.item())
    gx = emulated.cross_entropy_reduced_backward(np.ones((), np.float32), logp, target, None,
                                                 -100, label_smoothing, "mean", denominator)
    np.testing.assert_array_equal(gx, tx.grad.numpy())


@pytest.mark.parametrize("bad", [3, -1, 7])
def test_out_of_range_target_raises_at_the_next_sync(emulated, bad) -> None:
    """No host check (it would wait for the GPU): the kernel records the target in the
    device-side error flag and writes NaN; synchronize() raises torch's IndexError, once."""
    logits = np.zeros((3, 3), np.float32)
    target = np.array([0, bad, 1])
    torch_message = ""
    try:
        F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(target), reduction="none")
    except IndexError as error:
        torch_message = str(error)
    loss, logp = emulated.cross_entropy_forward(logits, target, None, -100, 0.0)
    assert np.isnan(loss[1]) and np.isfinite(loss[[0, 2]]).all()
    with pytest.raises(IndexError, match=re.escape(torch_message)):
        emulated.synchronize()
    emulated.synchronize()  # the flag was cleared
    gx = emulated.cross_entropy_backward(np.ones(3, np.float32), logp, target, None, -100, 0.0)
    assert np.isnan(gx[1]).all()
    with pytest.raises(IndexError, match=re.escape(torch_message)):
        emulated.synchronize()


def test_device_errors_raise_at_a_copy_to_the_host(emulated) -> None:
    """device.to_cpu — under Tensor.cpu(), .item(), printing of CUDA tensors — is a sync
    point: it raises a pending device-side error after the copy, and only once."""
    from minitorch.backends.cuda import device

    class DeviceArray:  # what to_cpu sees of a CuPy array: .get() copies to the host
        def get(self) -> np.ndarray:
            return np.zeros(2)

    emulated.cross_entropy_forward(np.zeros((2, 3), np.float64), np.array([5, 0]), None,
                                   -100, 0.0)
    with pytest.raises(IndexError, match=r"^Target 5 is out of bounds\.$"):
        device.to_cpu(DeviceArray())
    assert device.to_cpu(DeviceArray()).shape == (2,)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [1, 4])
def test_cross_entropy_with_zero_classes(emulated, dtype, n) -> None:
    """C = 0 with every target ignored: torch's per-sample losses are 0 (not uninitialised)."""
    logits = np.zeros((n, 0), dtype)
    target = np.full(n, -100)
    want = F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(target),
                           reduction="none")
    loss, logp = emulated.cross_entropy_forward(logits, target, None, -100, 0.0)
    close(loss, want, dtype)
    assert logp.shape == (n, 0)
    gx = emulated.cross_entropy_backward(np.ones(n, dtype), logp, target, None, -100, 0.0)
    assert gx.shape == (n, 0)
    emulated.synchronize()


@pytest.mark.parametrize("dtype", DTYPES)
def test_max_pool2d_window_wholly_in_padding(emulated, dtype) -> None:
    """A window that sees only padding picks no input (index -1); its gradient goes nowhere
    (it used to be added to gx[plane·H·W - 1]: the previous plane's last pixel, or before the
    array for plane 0)."""
    x = np.arange(1, 9, dtype=dtype).reshape(2, 4, 1, 1)
    # kernel 2, stride 1, padding 1, dilation 3 on a 1×1 image: window (0, 0) taps rows and
    # columns -1 and 2 (all padding); window (1, 1) taps 0 and 3 (the pixel)
    y, indices = emulated.max_pool2d_forward(x, (2, 2), (1, 1), (1, 1), (3, 3), (2, 2))
    assert (indices[..., 0, 0] == -1).all() and (indices[..., 1, 1] == 0).all()
    assert np.isneginf(y[..., 0, 0]).all() and (y[..., 1, 1] == x[..., 0, 0]).all()
    gy = np.arange(1, 1 + y.size, dtype=dtype).reshape(y.shape)
    gx = emulated.max_pool2d_backward(gy, indices, x.shape, ((2, 2), (1, 1), (1, 1), (3, 3)))
    want = np.where(indices == 0, gy, 0).sum(axis=(2, 3), keepdims=True)
    assert np.array_equal(gx, want.astype(dtype))


# --------------------------------------------------------------------------- linear
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("has_bias", [True, False])
def test_linear(emulated, has_bias, dtype) -> None:
    rng = rng_for("linear", has_bias, dtype)
    x = rng.standard_normal((6, 5)).astype(dtype)
    w = rng.standard_normal((4, 5)).astype(dtype)
    b = rng.standard_normal(4).astype(dtype) if has_bias else None
    tx, tw = leaf(x), leaf(w)
    tb = leaf(b) if has_bias else None
    ty = F.linear(tx, tw, tb)
    gy = rng.standard_normal(ty.shape).astype(dtype)
    ty.backward(torch.from_numpy(gy))
    close(emulated.linear_forward(x, w, b), ty, dtype)
    gx, gw, gb = emulated.linear_backward(gy, x, w, has_bias)
    close(gx, tx.grad, dtype)
    close(gw, tw.grad, dtype)
    if has_bias:
        close(gb, tb.grad, dtype)
    else:
        assert gb is None
    close(emulated.matmul(x, w.T), torch.from_numpy(x) @ torch.from_numpy(w).T, dtype)


def test_results_do_not_depend_on_the_schedule() -> None:
    """Every launch runs under the race detector; across schedules (block order, thread
    interleavings) the kernels also give bit-identical results — the shared-memory tree
    reduction of channel_sum included. (Max-pool backward adds with atomics, whose order a
    GPU does not fix either, so its windows do not overlap here.)"""
    from minitorch.backends.cuda.backend import CudaBackend
    from minitorch.backends.cuda.emulator import EmulatedLauncher

    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 8, 8))
    w = rng.standard_normal((4, 3, 3, 3))
    target = np.array([1, 3])
    results = []
    for seed in (0, 1, 2):
        backend = CudaBackend(np, EmulatedLauncher(seed=seed), name="cuda-emulated",
                              device="cpu")
        y = backend.relu_forward(backend.conv2d_forward(x, w, None, (1, 1), (1, 1, 1, 1),
                                                        (1, 1), 1, (8, 8)))
        p, idx = backend.max_pool2d_forward(y, (2, 2), (2, 2), (0, 0), (1, 1), (4, 4))
        gp = backend.max_pool2d_backward(np.ones_like(p), idx, y.shape)
        loss, logp = backend.cross_entropy_forward(np.ascontiguousarray(p.reshape(2, -1)[:, :4]),
                                                   target, None, -100, 0.1)
        results.append([y, p, gp, backend.conv2d_backward_bias(gy := y * 0.5 + 1), loss, logp,
                        backend.conv2d_backward_input(gy, w, x.shape, (1, 1), (1, 1, 1, 1),
                                                      (1, 1), 1)])
    for other in results[1:]:
        for a, b in zip(results[0], other, strict=True):
            assert np.array_equal(a, b)
    close(results[0][3], (y * 0.5 + 1).sum(axis=(0, 2, 3)), np.float64)


def test_empty_inputs(emulated) -> None:
    x = np.zeros((0, 3), np.float32)
    assert emulated.relu_forward(x).shape == (0, 3)
    assert emulated.softmax_forward(x, 1).shape == (0, 3)


def test_every_interface_kernel_is_overridden() -> None:
    """Every backend subclasses Backend itself (no backend inherits another's kernels) and
    writes every kernel of the interface; only ``matmul`` has a default (``xp.matmul``), and
    the COMPOSITES (``conv2d_backward_weight_bias``: no kernel of its own but the two
    parameter gradients, which a backend may fuse, as CudaBackend does)."""
    from minitorch.backends.base import COMPOSITES, Backend
    from minitorch.backends.cuda.backend import CudaBackend
    from minitorch.backends.numba import NumbaBackend
    from minitorch.backends.numpy import NumpyBackend

    kernels = [name for name, value in vars(Backend).items()
               if callable(value) and not name.startswith("_")
               and name != "matmul" and name not in COMPOSITES]
    assert "conv2d_forward" in kernels and "cross_entropy_backward" in kernels
    for cls in (NumpyBackend, NumbaBackend, CudaBackend):
        assert cls.__bases__ == (Backend,)
        assert [k for k in kernels if k not in vars(cls)] == [], cls.__name__


def test_registering_imports_no_cupy() -> None:
    import subprocess
    import sys

    code = ("import sys, minitorch.backends as b; assert 'cuda-emulated' in "
            "b.available_backends(); assert 'cupy' not in sys.modules, 'cupy imported'")
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
