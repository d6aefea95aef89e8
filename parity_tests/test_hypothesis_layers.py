"""Hypothesis-generated shapes and hyper-parameters for conv2d and pooling, against torch.

Profiles (see conftest.py): "ci" is derandomized with a handful of examples per test; run
``HYPOTHESIS_PROFILE=deep`` for many more. Shapes stay small so the CUDA emulator keeps up.
"""

from __future__ import annotations

import warnings

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from minitorch.parity import Arg, Case, check_case, run_torch, spread

pytestmark = pytest.mark.small_inputs  # also on the nested-loop kernels

pair = st.tuples(st.integers(1, 3), st.integers(1, 3))


def _every_window_sees_input(size: int, k: int, s: int, p: int, d: int, ceil: bool) -> bool:
    span = size + 2 * p - d * (k - 1) - 1
    if span < 0:
        return False
    out = (-(-span // s) if ceil else span // s) + 1
    if ceil and (out - 1) * s >= size + p:
        out -= 1
    return all(any(0 <= i * s - p + j * d < size for j in range(k)) for i in range(out))


def _check(case: Case, dtype: str, backend: str) -> None:
    """torch first: if torch rejects the hyper-parameters, minitorch must reject them too."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        try:
            run_torch(case, dtype)
        except RuntimeError:
            with pytest.raises((RuntimeError, ValueError)):
                check_case(case, dtype, backend)
            return
        check_case(case, dtype, backend)


@given(data=st.data())
def test_conv2d(data, backend):
    groups = data.draw(st.integers(1, 3), "groups")
    cin = groups * data.draw(st.integers(1, 2), "in per group")
    cout = groups * data.draw(st.integers(1, 2), "out per group")
    kh, kw = data.draw(pair, "kernel")
    dh, dw = data.draw(pair, "dilation")
    kind = data.draw(st.sampled_from(["int", "pair", "same", "valid"]), "padding kind")
    stride = (1, 1) if kind == "same" else data.draw(pair, "stride")
    padding = {"int": data.draw(st.integers(0, 2), "padding"),
               "pair": data.draw(st.tuples(st.integers(0, 2), st.integers(0, 2)), "padding"),
               }.get(kind, kind)
    ph, pw = (padding, padding) if isinstance(padding, int) else \
        (padding if isinstance(padding, tuple) else (0, 0))
    min_h = max(1, dh * (kh - 1) + 1 - 2 * ph) if kind != "same" else 1
    min_w = max(1, dw * (kw - 1) + 1 - 2 * pw) if kind != "same" else 1
    h = data.draw(st.integers(min_h, min_h + 4), "H")
    w = data.draw(st.integers(min_w, min_w + 4), "W")
    n = data.draw(st.integers(1, 2), "N")
    batched = data.draw(st.booleans(), "batched")
    bias = data.draw(st.booleans(), "bias")
    noncontig = data.draw(st.booleans(), "non-contiguous input")
    dtype = data.draw(st.sampled_from(["float32", "float64"]), "dtype")
    x_shape = (n, cin, h, w) if batched else (cin, h, w)
    args = [Arg(x_shape, noncontig=noncontig), Arg((cout, cin // groups, kh, kw))]
    if bias:
        args.append(Arg((cout,)))

    def fn(m, x, wt, b=None):
        return m.nn.functional.conv2d(x, wt, b, stride=stride, padding=padding,
                                      dilation=(dh, dw), groups=groups)

    _check(Case("hyp_conv2d", "conv2d", fn, args), dtype, backend)


@given(data=st.data())
def test_max_pool2d(data, backend):
    kh, kw = data.draw(pair, "kernel")
    stride = data.draw(st.one_of(st.none(), pair), "stride")
    padding = data.draw(st.tuples(st.integers(0, kh // 2), st.integers(0, kw // 2)), "padding")
    dilation = data.draw(pair, "dilation")
    ceil_mode = data.draw(st.booleans(), "ceil_mode")
    h = data.draw(st.integers(max(1, dilation[0] * (kh - 1) + 1 - 2 * padding[0]), 8), "H")
    w = data.draw(st.integers(max(1, dilation[1] * (kw - 1) + 1 - 2 * padding[1]), 8), "W")
    c = data.draw(st.integers(1, 3), "C")
    dtype = data.draw(st.sampled_from(["float32", "float64"]), "dtype")
    # A window made only of padding has no maximum (torch 2.13's CPU backward aborts the
    # process on it), so keep to hyper-parameters where every window sees the input.
    s = stride or (kh, kw)
    assume(_every_window_sees_input(h, kh, s[0], padding[0], dilation[0], ceil_mode))
    assume(_every_window_sees_input(w, kw, s[1], padding[1], dilation[1], ceil_mode))

    def fn(m, x):
        return m.nn.functional.max_pool2d(x, (kh, kw), stride, padding, dilation,
                                          ceil_mode=ceil_mode, return_indices=True)

    # distinct values: with ties torch and we may legally pick different argmax elements only
    # if the tie rule differed; the tie rule itself is tested by max_pool2d_ties.
    _check(Case("hyp_max_pool2d", "max_pool2d", fn, [Arg((2, c, h, w), gen=spread)]), dtype,
           backend)


@given(data=st.data())
def test_avg_pool2d(data, backend):
    kh, kw = data.draw(pair, "kernel")
    stride = data.draw(st.one_of(st.none(), pair), "stride")
    padding = data.draw(st.tuples(st.integers(0, kh // 2), st.integers(0, kw // 2)), "padding")
    ceil_mode = data.draw(st.booleans(), "ceil_mode")
    count_include_pad = data.draw(st.booleans(), "count_include_pad")
    divisor = data.draw(st.one_of(st.none(), st.integers(1, 5)), "divisor_override")
    h = data.draw(st.integers(max(1, kh - 2 * padding[0]), 8), "H")
    w = data.draw(st.integers(max(1, kw - 2 * padding[1]), 8), "W")
    dtype = data.draw(st.sampled_from(["float32", "float64"]), "dtype")

    def fn(m, x):
        return m.nn.functional.avg_pool2d(x, (kh, kw), stride, padding, ceil_mode,
                                          count_include_pad, divisor)

    _check(Case("hyp_avg_pool2d", "avg_pool2d", fn, [Arg((2, 2, h, w))]), dtype, backend)
