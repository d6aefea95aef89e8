"""What the catalogue (``minitorch/parity/catalogue/products.py``) cannot express for the
fused and composite products, always against torch: errors (type and message), β = 0
ignoring NaN and inf in ``input``, integer and mixed dtypes, torch.cross's default-dim
warning, the in-place forms, and ``finfo``/``iinfo``."""

from __future__ import annotations

import subprocess
import sys
import warnings
from typing import Any, Callable

import numpy as np
import pytest
import torch

import minitorch

DTYPES = {"float32": (torch.float32, minitorch.float32),
          "float64": (torch.float64, minitorch.float64),
          "int64": (torch.int64, minitorch.int64), "bool": (torch.bool, minitorch.bool)}


def _pair(shape: tuple, dtype: str = "float32", seed: int = 0) -> tuple:
    """The same values as a torch tensor and as a minitorch tensor."""
    a = np.random.default_rng(seed + len(shape)).standard_normal(shape) * 3
    t, m = DTYPES[dtype]
    return torch.tensor(a).to(t), minitorch.tensor(a).to(m)


def _outcome(lib: Any, fn: Callable[..., Any], args: list) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = fn(lib, *args)
    except Exception as error:  # noqa: BLE001 - the error is what is compared
        message = str(error).split("\n")[0]
        return type(error).__name__, message.replace("torch.", "minitorch.") \
            if lib is torch else message
    return out


def _same(fn: Callable[..., Any], *specs: tuple) -> None:
    """fn(torch, ...) and fn(minitorch, ...) on the same inputs: the same exception (type and
    message), or the same dtype, shape and values."""
    pairs = [_pair(*s) if isinstance(s, tuple) and isinstance(s[0], tuple) else (s, s)
             for s in specs]
    want = _outcome(torch, fn, [p[0] for p in pairs])
    got = _outcome(minitorch, fn, [p[1] for p in pairs])
    if isinstance(want, tuple):
        assert got == want
        return
    assert not isinstance(got, tuple), got
    assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-5,
                               atol=1e-5)


F32 = "float32"
ERRORS = {
    "addmm_shapes": (lambda m, x, a, b: m.addmm(x, a, b), ((2, 5),), ((2, 3),), ((4, 5),)),
    "addmm_mat1_1d": (lambda m, x, a, b: m.addmm(x, a, b), ((2, 5),), ((3,),), ((3, 5),)),
    "addmm_mat2_1d": (lambda m, x, a, b: m.addmm(x, a, b), ((2, 5),), ((2, 3),), ((3,),)),
    "addmm_input": (lambda m, x, a, b: m.addmm(x, a, b), ((3, 5),), ((2, 3),), ((3, 5),)),
    "addmm_input_3d": (lambda m, x, a, b: m.addmm(x, a, b), ((1, 2, 5),), ((2, 3),),
                       ((3, 5),)),
    "addmm_dtype_input": (lambda m, x, a, b: m.addmm(x, a, b), ((2, 5), "float64"),
                          ((2, 3),), ((3, 5),)),
    "addmm_dtype_mat1": (lambda m, x, a, b: m.addmm(x, a, b), ((2, 5),), ((2, 3), "float64"),
                         ((3, 5),)),
    "addmm_dtype_mat2": (lambda m, x, a, b: m.addmm(x, a, b), ((2, 5),), ((2, 3),),
                         ((3, 5), "float64")),
    "addmm_bool": (lambda m, x, a, b: m.addmm(x, a, b), ((2, 5), "bool"), ((2, 3), "bool"),
                   ((3, 5), "bool")),
    "addmm_int": (lambda m, x, a, b: m.addmm(x, a, b, beta=2, alpha=-3), ((2, 5), "int64"),
                  ((2, 3), "int64"), ((3, 5), "int64")),
    "addmm_int_float_scalars": (lambda m, x, a, b: m.addmm(x, a, b, beta=0.5, alpha=1.5),
                                ((2, 5), "int64"), ((2, 3), "int64"), ((3, 5), "int64")),
    "addmm_input_scalar": (lambda m, x, a, b: m.addmm(x, a, b), ((),), ((2, 3),), ((3, 5),)),
    "addmv_sizes": (lambda m, x, a, v: m.addmv(x, a, v), ((2,),), ((2, 3),), ((4,),)),
    "addmv_input": (lambda m, x, a, v: m.addmv(x, a, v), ((3,),), ((2, 3),), ((3,),)),
    "addmv_input_2d": (lambda m, x, a, v: m.addmv(x, a, v), ((1, 2),), ((2, 3),), ((3,),)),
    "addmv_vec_2d": (lambda m, x, a, v: m.addmv(x, a, v), ((2,),), ((2, 3),), ((3, 1),)),
    "addmv_dtype": (lambda m, x, a, v: m.addmv(x, a, v), ((2,),), ((2, 3),),
                    ((3,), "float64")),
    "addr_input": (lambda m, x, u, v: m.addr(x, u, v), ((3, 3),), ((2,),), ((3,),)),
    "addr_vec1_2d": (lambda m, x, u, v: m.addr(x, u, v), ((2, 3),), ((2, 1),), ((3,),)),
    "addr_vec2_2d": (lambda m, x, u, v: m.addr(x, u, v), ((2, 3),), ((2,),), ((3, 1),)),
    "addr_promotes": (lambda m, x, u, v: m.addr(x, u, v), ((2, 3),), ((2,),),
                      ((3,), "float64")),
    "addr_int": (lambda m, x, u, v: m.addr(x, u, v, beta=2, alpha=3), ((2, 3), "int64"),
                 ((2,), "int64"), ((3,), "int64")),
    "addr_int_float_beta": (lambda m, x, u, v: m.addr(x, u, v, beta=0.5), ((2, 3), "int64"),
                            ((2,), "int64"), ((3,), "int64")),
    "baddbmm_sizes": (lambda m, x, a, b: m.baddbmm(x, a, b), ((2, 3, 4),), ((2, 3, 5),),
                      ((2, 6, 4),)),
    "baddbmm_batches": (lambda m, x, a, b: m.baddbmm(x, a, b), ((2, 3, 4),), ((2, 3, 5),),
                        ((3, 5, 4),)),
    "baddbmm_input": (lambda m, x, a, b: m.baddbmm(x, a, b), ((2, 2, 4),), ((2, 3, 5),),
                      ((2, 5, 4),)),
    "baddbmm_dtype": (lambda m, x, a, b: m.baddbmm(x, a, b), ((2, 3, 4),), ((2, 3, 5),),
                      ((2, 5, 4), "float64")),
    "baddbmm_dtype_input": (lambda m, x, a, b: m.baddbmm(x, a, b), ((2, 3, 4), "float64"),
                            ((2, 3, 5),), ((2, 5, 4),)),
    "addbmm_sizes": (lambda m, x, a, b: m.addbmm(x, a, b), ((3, 4),), ((2, 3, 5),),
                     ((2, 6, 4),)),
    "addbmm_batches": (lambda m, x, a, b: m.addbmm(x, a, b), ((3, 4),), ((2, 3, 5),),
                       ((3, 5, 4),)),
    "addbmm_input": (lambda m, x, a, b: m.addbmm(x, a, b), ((2, 4),), ((2, 3, 5),),
                     ((2, 5, 4),)),
    "addbmm_dtype": (lambda m, x, a, b: m.addbmm(x, a, b), ((3, 4),), ((2, 3, 5),),
                     ((2, 5, 4), "float64")),
    "addbmm_dtype_input": (lambda m, x, a, b: m.addbmm(x, a, b), ((3, 4), "float64"),
                           ((2, 3, 5),), ((2, 5, 4),)),
    "addcmul_shapes": (lambda m, x, a, b: m.addcmul(x, a, b), ((3,),), ((2, 3),), ((4,),)),
    "addcmul_promotes": (lambda m, x, a, b: m.addcmul(x, a, b, value=2), ((3,), "int64"),
                         ((2, 3), "int64"), ((3,),)),
    "addcmul_int_float_value": (lambda m, x, a, b: m.addcmul(x, a, b, value=0.5),
                                ((3,), "int64"), ((3,), "int64"), ((3,), "int64")),
    "addcmul_bool": (lambda m, x, a, b: m.addcmul(x, a, b), ((3,), "bool"), ((3,), "bool"),
                     ((3,), "bool")),
    "addcmul_number": (lambda m, x, b: m.addcmul(x, 2, b), ((3,),), ((3,),)),
    "addcdiv_integers": (lambda m, x, a, b: m.addcdiv(x, a, b), ((3,),), ((3,), "int64"),
                         ((3,), "int64")),
    "addcdiv_mixed": (lambda m, x, a, b: m.addcdiv(x, a, b, value=-1), ((3,), "int64"),
                      ((3,),), ((3,), "int64")),
    "addcmul_inplace_shape": (lambda m, x, a, b: x.addcmul_(a, b), ((3,),), ((2, 3),),
                              ((3,),)),
    "addcmul_inplace_double_into_float": (lambda m, x, a, b: x.addcmul_(a, b), ((3,),),
                                          ((3,), "float64"), ((3,),)),
    "tensordot_sizes": (lambda m, a, b: m.tensordot(a, b, dims=1), ((2, 3),), ((4, 5),)),
    "tensordot_negative": (lambda m, a, b: m.tensordot(a, b, dims=-1), ((2, 3),), ((3, 5),)),
    "tensordot_too_many": (lambda m, a, b: m.tensordot(a, b, dims=3), ((2, 3),), ((3, 5),)),
    "tensordot_lengths": (lambda m, a, b: m.tensordot(a, b, dims=([1], [0, 1])), ((2, 3),),
                          ((3, 5),)),
    "tensordot_list_sizes": (lambda m, a, b: m.tensordot(a, b, dims=([0], [0])), ((2, 3),),
                             ((3, 5),)),
    "tensordot_ints": (lambda m, a, b: m.tensordot(a, b, dims=(1, 0)), ((2, 3),), ((3, 5),)),
    "tensordot_dtype": (lambda m, a, b: m.tensordot(a, b), ((2, 3),), ((3, 5), "float64")),
    "tensordot_repeated": (lambda m, a, b: m.tensordot(a, b, dims=([0, 0], [0, 1])),
                           ((3, 3),), ((3, 3),)),
    "tensordot_tensor_dims": (lambda m, a, b: m.tensordot(a, b, dims=m.tensor(1)),
                              ((2, 3),), ((3, 5),)),
    "tensordot_negative_lists": (lambda m, a, b: m.tensordot(a, b, ([-1], [-2])), ((2, 3),),
                                 ((3, 5),)),
    "tensordot_int": (lambda m, a, b: m.tensordot(a, b, 1), ((2, 3), "int64"),
                      ((3, 5), "int64")),
    "kron_promotes": (lambda m, a, b: m.kron(a, b), ((2, 3),), ((3, 2), "int64")),
    "kron_0d": (lambda m, a, b: m.kron(a, b), ((),), ((3, 2),)),
    "cross_no_size_3": (lambda m, a, b: m.cross(a, b), ((4, 2),), ((4, 2),)),
    "cross_default_dim": (lambda m, a, b: m.cross(a, b), ((3, 3, 4),), ((3, 3, 4),)),
    "cross_dim_length": (lambda m, a, b: m.cross(a, b, dim=0), ((4, 3),), ((4, 3),)),
    "cross_shapes": (lambda m, a, b: m.cross(a, b, dim=1), ((4, 3),), ((5, 3),)),
    "cross_ranks": (lambda m, a, b: m.cross(a, b, dim=-1), ((4, 3),), ((3,),)),
    "cross_dim_range": (lambda m, a, b: m.cross(a, b, dim=2), ((4, 3),), ((4, 3),)),
    "cross_dtype": (lambda m, a, b: m.cross(a, b, dim=1), ((4, 3),), ((4, 3), "float64")),
    "cross_int": (lambda m, a, b: m.cross(a, b, dim=1), ((4, 3), "int64"), ((4, 3), "int64")),
    "linalg_cross_last": (lambda m, a, b: m.linalg.cross(a, b), ((3, 4),), ((3, 4),)),
    "trapezoid_bool": (lambda m, y: m.trapezoid(y), ((3,), "bool")),
    "trapezoid_x_and_dx": (lambda m, y, x: m.trapezoid(y, x, dx=1), ((3,),), ((3,),)),
    "trapezoid_x_length": (lambda m, y, x: m.trapezoid(y, x), ((3,),), ((4,),)),
    "trapezoid_empty": (lambda m, y: m.trapezoid(y), ((2, 0),)),
    "trapezoid_0d": (lambda m, y: m.trapezoid(y), ((),)),
    "trapezoid_int": (lambda m, y: m.trapezoid(y, dx=2), ((4,), "int64")),
    "trapezoid_int_x": (lambda m, y, x: m.trapezoid(y, x), ((4,), "int64"), ((4,), "int64")),
    "trapezoid_x_double": (lambda m, y, x: m.trapezoid(y, x), ((4,),), ((4,), "float64")),
    "trapezoid_x_same_rank": (lambda m, y, x: m.trapz(y, x, dim=0), ((4, 3),), ((4, 3),)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_and_dtypes_match_torch(name):
    fn, *specs = ERRORS[name]
    _same(fn, *specs)


@pytest.mark.parametrize("op", ["addmm", "addmv", "addr", "baddbmm", "addbmm"])
@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_beta_zero_ignores_input(op, value):
    shapes = {"addmm": ((2, 5), (2, 3), (3, 5)), "addmv": ((2,), (2, 3), (3,)),
              "addr": ((2, 3), (2,), (3,)), "baddbmm": ((2, 2, 5), (2, 2, 3), (2, 3, 5)),
              "addbmm": ((2, 5), (4, 2, 3), (4, 3, 5))}[op]
    filled = np.full(shapes[0], value)
    _same(lambda m, a, b: getattr(m, op)(m.tensor(filled), a, b, beta=0, alpha=2),
          (shapes[1],), (shapes[2],))
    _same(lambda m, a, b: getattr(m.tensor(filled), op + "_")(a, b, beta=0), (shapes[1],),
          (shapes[2],))


@pytest.mark.parametrize("op", ["addmm_", "addmv_", "addr_", "baddbmm_", "addbmm_",
                                "addcmul_", "addcdiv_"])
def test_inplace_forms_match_torch(op):
    """Values, the node the tensor moves onto, and the gradient reaching the operands."""
    shapes = {"addmm_": ((2, 5), (2, 3), (3, 5)), "addmv_": ((2,), (2, 3), (3,)),
              "addr_": ((2, 3), (2,), (3,)), "baddbmm_": ((2, 2, 5), (2, 2, 3), (2, 3, 5)),
              "addbmm_": ((2, 5), (4, 2, 3), (4, 3, 5)), "addcmul_": ((2, 3), (3,), (2, 1)),
              "addcdiv_": ((2, 3), (2, 3), (3,))}[op]
    kwargs = {"value": 0.5} if op.startswith("addc") else {"beta": 0.5, "alpha": 2}
    got = {}
    for lib in (torch, minitorch):
        arrays = [np.random.default_rng(i).uniform(0.5, 2, s) for i, s in enumerate(shapes)]
        leaves = [lib.tensor(a, requires_grad=True) for a in arrays]
        x = leaves[0] * 1
        y = getattr(x, op)(*leaves[1:], **kwargs)
        assert y is x
        (y * y).sum().backward()
        got[lib.__name__] = (type(y.grad_fn).__name__ if lib is torch else y.grad_fn.name(),
                             y.detach().numpy(), [t.grad.numpy() for t in leaves])
    assert got["minitorch"][0] == got["torch"][0]
    np.testing.assert_allclose(got["minitorch"][1], got["torch"][1], rtol=1e-12)
    for g, w in zip(got["minitorch"][2], got["torch"][2]):
        np.testing.assert_allclose(g, w, rtol=1e-12)


def test_keyword_only_scalars_match_torch():
    for lib in (torch, minitorch):
        x, a, b = lib.zeros(2, 2), lib.zeros(2, 3), lib.zeros(3, 2)
        with pytest.raises(TypeError):
            lib.addmm(x, a, b, 2)
        with pytest.raises(TypeError):
            lib.addcmul(x, x, x, 2)


def test_cross_default_dim_warns_as_torch():
    """torch warns once per process: its text comes from a fresh interpreter."""
    code = ("import torch, warnings\nwith warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n"
            "    torch.cross(torch.zeros(4, 3), torch.zeros(4, 3))\n"
            "print(w[0].category.__name__); print(str(w[0].message))")
    lines = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.split("\n")
    category, message = lines[0], "\n".join(lines[1:]).split(" (Triggered internally")[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        minitorch.cross(minitorch.zeros(4, 3), minitorch.zeros(4, 3))
    assert [(type(w.message).__name__, str(w.message)) for w in caught] == [(category,
                                                                             message)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        minitorch.cross(minitorch.zeros(4, 3), minitorch.zeros(4, 3), dim=1)
        minitorch.linalg.cross(minitorch.zeros(4, 3), minitorch.zeros(4, 3))
    assert not caught


@pytest.mark.parametrize("dtype", [None, "float32", "float64"])
def test_finfo_matches_torch(dtype):
    want = torch.finfo(DTYPES[dtype][0]) if dtype else torch.finfo()
    got = minitorch.finfo(DTYPES[dtype][1]) if dtype else minitorch.finfo()
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution",
                 "dtype"):
        assert getattr(got, attr) == getattr(want, attr), attr
        assert type(getattr(got, attr)) is type(getattr(want, attr)), attr
    assert repr(got) == repr(want)


def test_finfo_follows_the_default_dtype():
    minitorch.set_default_dtype(minitorch.float64)
    try:
        assert repr(minitorch.finfo()) == repr(torch.finfo(torch.float64))
    finally:
        minitorch.set_default_dtype(minitorch.float32)


def test_iinfo_matches_torch():
    want, got = torch.iinfo(torch.int64), minitorch.iinfo(minitorch.int64)
    for attr in ("bits", "min", "max", "dtype"):
        assert getattr(got, attr) == getattr(want, attr)
        assert type(getattr(got, attr)) is type(getattr(want, attr))
    assert repr(got) == repr(want)


@pytest.mark.parametrize("call", ["finfo:int64", "finfo:bool", "iinfo:float32",
                                  "iinfo:float64", "iinfo:bool"])
def test_info_errors_match_torch(call):
    kind, dtype = call.split(":")
    _same(lambda m: getattr(m, kind)(getattr(m, dtype)))
