"""``testing.assert_close`` and ``testing.make_tensor`` against torch: which inputs pass,
and for those that fail the exception type and the whole message (mismatch counts, the
greatest differences and their indices, the tolerances per dtype, the failing item)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import minitorch

A = np.array([[1.0, 2.0, 3.0], [-4.0, 0.0, 6.0]])
NEAR = A + np.array([[0, 1e-4, 0], [0, 0, -3e-6]])  # one float32 mismatch, one within atol


def _convert(lib, x):
    """Arrays become tensors of ``lib`` (recursively in lists and dicts); the rest as is."""
    if isinstance(x, np.ndarray):
        return lib.tensor(x) if x.dtype != object else x
    if isinstance(x, list):
        return [_convert(lib, v) for v in x]
    if isinstance(x, dict):
        return {k: _convert(lib, v) for k, v in x.items()}
    return x


f32, f64, i64 = np.float32, np.float64, np.int64
CASES = {
    "equal": (A.astype(f32), A.astype(f32), {}),
    "within_default": (A.astype(f32), (A + 1e-7).astype(f32), {}),
    "float32": (A.astype(f32), NEAR.astype(f32), {}),
    "float64": (A, NEAR, {}),
    "float16": (A.astype(np.float16), (A * 1.01).astype(np.float16), {}),
    "given_tolerances": (A, NEAR, {"rtol": 0.0, "atol": 1e-3}),
    "exact_tolerances": (A, NEAR, {"rtol": 0, "atol": 0}),
    "only_rtol": (A, NEAR, {"rtol": 1e-3}),
    "integers": (A.astype(i64), (A * 2).astype(i64), {}),
    "booleans": (A > 0, A > 1, {}),
    "zero_dim": (np.array(1.5), np.array(1.5 + 1e-5), {}),
    "nan": (np.array([1.0, math.nan]), np.array([1.0, math.nan]), {}),
    "nan_equal": (np.array([1.0, math.nan]), np.array([1.0, math.nan]), {"equal_nan": True}),
    "inf": (np.array([math.inf, 1.0]), np.array([math.inf, 1.0]), {}),
    "inf_sign": (np.array([math.inf, 1.0]), np.array([-math.inf, 1.0]), {}),
    "shape": (A, A.reshape(3, 2), {}),
    "dtype": (A.astype(f32), A, {}),
    "dtype_unchecked": (A.astype(f32), A, {"check_dtype": False}),
    "msg": (A, NEAR, {"msg": "custom"}),
    "msg_callable": (A, NEAR, {"msg": lambda m: f"Header\n{m}\nFooter"}),
    "numbers": (1.0, 1.0 + 1e-6, {}),
    "int_vs_float": (1, 1.0, {}),
    "numpy_number": (np.float32(1.0), np.float32(1.5), {}),
    "none": (None, 0.0, {}),
    "bools": (True, False, {}),
    "sequence": ([A, 1.0, [2, 3]], [A, 1.0, [2, 4]], {}),
    "sequence_length": ([1.0, 2.0], [1.0], {}),
    "mapping": ({"a": A, "b": 1.0}, {"a": NEAR, "b": 1.0}, {}),
    "mapping_keys": ({"a": 1.0, "c": 2.0}, {"a": 1.0, "b": 2.0}, {}),
    "tensor_vs_number": (np.array(1.0), 1.0, {}),
    "numpy_arrays": (np.array([1.0, 2.0], dtype=object), np.array([1.0, 2.5], dtype=object),
                     {}),
}


@pytest.mark.parametrize("case", CASES)
def test_assert_close_as_torch(case):
    actual, expected, kwargs = CASES[case]
    outcomes = []
    for lib in (torch, minitorch):
        try:
            lib.testing.assert_close(_convert(lib, actual), _convert(lib, expected), **kwargs)
            outcomes.append(None)
        except Exception as error:  # noqa: BLE001 - the exception is what is compared
            outcomes.append((type(error), str(error).replace("minitorch.", "torch.")))
    assert outcomes[1] == outcomes[0]


def test_assert_close_checks_strides_when_asked():
    outcomes = []
    for lib in (torch, minitorch):
        transposed, copy = lib.tensor(A).t(), lib.tensor(A.T.copy())
        lib.testing.assert_close(transposed, copy)
        with pytest.raises(AssertionError) as info:
            lib.testing.assert_close(transposed, copy, check_stride=True)
        outcomes.append(str(info.value))
    assert outcomes[1] == outcomes[0]


def test_assert_close_on_plain_numpy_arrays():
    a, b = A.astype(f32), NEAR.astype(f32)
    errors = []
    for lib in (torch, minitorch):
        with pytest.raises(AssertionError) as info:
            lib.testing.assert_close(a, b)
        errors.append(str(info.value))
    assert errors[1] == errors[0]


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int8", "uint8",
                                   "bool"])
def test_make_tensor(dtype):
    m_dtype = getattr(minitorch, dtype)
    minitorch.manual_seed(0)
    first = minitorch.testing.make_tensor(3, 4, dtype=m_dtype, device="cpu")
    minitorch.manual_seed(0)
    again = minitorch.testing.make_tensor((3, 4), dtype=m_dtype, device="cpu")
    want = torch.testing.make_tensor(3, 4, dtype=getattr(torch, dtype), device="cpu")
    assert first.shape == (3, 4)
    assert str(first.dtype) == str(want.dtype).replace("torch", "minitorch")
    assert np.array_equal(first.numpy(), again.numpy())  # drawn from minitorch's generator
    if dtype != "bool":
        values = first.numpy().astype(np.float64)
        low, high = (0, 9) if dtype == "uint8" else (-9, 9)
        assert values.min() >= low and values.max() <= high
    if dtype != "bool":
        bounded = minitorch.testing.make_tensor(50, dtype=m_dtype, device="cpu", low=2, high=5)
        assert (bounded.numpy() >= 2).all() and (bounded.numpy() < 5).all()
    nc = minitorch.testing.make_tensor(2, 3, dtype=m_dtype, device="cpu", noncontiguous=True,
                                       exclude_zero=True)
    assert nc.shape == (2, 3) and (nc.numpy() != 0).all()
    # every other element of a wider tensor
    assert not nc.is_contiguous()


def test_make_tensor_requires_grad_and_errors():
    x = minitorch.testing.make_tensor(2, dtype=minitorch.float64, device="cpu",
                                      requires_grad=True)
    assert x.requires_grad and x.is_leaf
    for kwargs in ({"dtype": "int64", "requires_grad": True}, {"dtype": "float32", "low": 3,
                                                               "high": 1},
                   {"dtype": "uint8", "low": -5, "high": -1},
                   {"dtype": "float32", "low": math.nan}):
        errors = []
        for lib in (torch, minitorch):
            args = dict(kwargs, dtype=getattr(lib, kwargs["dtype"]))
            with pytest.raises(ValueError) as info:
                lib.testing.make_tensor(2, device="cpu", **args)
            errors.append(str(info.value).replace("minitorch.", "torch."))
        assert errors[1] == errors[0]
