"""The dtypes after float32/float64/int64/bool — int32, int16, int8, uint8, float16 — against
torch: storage and conversions, type names, creation, limits, the promotion table (every
pair of dtypes × tensor / 0-dim tensor / Python number, for add, mul, div, eq and where),
integer arithmetic that wraps, reductions' result dtypes, indexing and gather index rules,
refusals with torch's messages, and float16 compute (rounded once from float32, as torch's
CPU kernels) with gradients, on the numpy and numba backends."""

from __future__ import annotations

import itertools
import warnings
from typing import Any, Callable

import numpy as np
import pytest
import torch

import minitorch
from minitorch.parity import on_backend

NAMES = ("float16", "float32", "float64", "uint8", "int8", "int16", "int32", "int64", "bool")
NEW = ("float16", "uint8", "int8", "int16", "int32")
CPU_BACKENDS = ("numpy", "numba")


def both(name: str) -> tuple:
    """(minitorch dtype, torch dtype) called ``name``."""
    return getattr(minitorch, name), getattr(torch, name)


def same(ours: Any, theirs: Any, exact: bool = True) -> None:
    """Same dtype (by name), shape and values as torch's result."""
    if isinstance(theirs, torch.Tensor):
        assert repr(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1], \
            (ours.dtype, theirs.dtype)
        assert tuple(ours.shape) == tuple(theirs.shape)
        ours, theirs = ours.detach().numpy(), theirs.detach().numpy()
    if exact:
        np.testing.assert_array_equal(ours, theirs)
    else:
        np.testing.assert_allclose(np.asarray(ours, np.float64), np.asarray(theirs, np.float64),
                                   rtol=2e-3, atol=1e-3)


def raises_like(ours: Callable[[], Any], theirs: Callable[[], Any]) -> None:
    """Both raise: the same exception type and message (torch → minitorch in it)."""
    with pytest.raises(Exception) as expected:
        theirs()
    with pytest.raises(type(expected.value)) as got:
        ours()
    assert str(got.value) == str(expected.value).replace("torch.", "minitorch."), \
        (str(got.value), str(expected.value))


# ------------------------------------------------------------------ storage and names
@pytest.mark.parametrize("name", NEW)
def test_storage_conversions_and_names(name: str) -> None:
    ours, theirs = both(name)
    data = [[0, 1, 7], [3, 2, 5]]
    t, r = minitorch.tensor(data, dtype=ours), torch.tensor(data, dtype=theirs)
    same(t, r)
    assert t.type() == r.type().replace("torch.", "minitorch.")
    assert t.element_size() == r.element_size() and t.itemsize == r.itemsize
    assert t.is_floating_point() == r.is_floating_point()
    assert ours.is_floating_point == theirs.is_floating_point
    assert ours.is_signed == theirs.is_signed and ours.itemsize == theirs.itemsize
    method = {"float16": "half", "uint8": "byte", "int8": "char", "int16": "short",
              "int32": "int"}[name]
    f, g = minitorch.tensor([[1.7, -2.5]]), torch.tensor([[1.7, -2.5]])
    same(getattr(f, method)(), getattr(g, method)())
    same(f.to(ours), g.to(theirs))
    same(f.type(r.type().replace("torch.", "minitorch.")), g.type(r.type()))
    legacy = getattr(minitorch, r.type().split(".")[1])
    same(legacy([1, 2]), getattr(torch, r.type().split(".")[1])([1, 2]))
    assert isinstance(t, legacy) and not isinstance(t.double(), legacy)
    array = np.arange(6).reshape(2, 3).astype(ours.np)
    shared = minitorch.from_numpy(array)
    array[0, 0] = 9  # from_numpy shares the memory, in the array's own dtype
    same(shared, torch.from_numpy(array))
    assert repr(t) == repr(r).replace("torch.", "minitorch.")
    info = minitorch.finfo(ours) if ours.is_floating_point else minitorch.iinfo(ours)
    expected = torch.finfo(theirs) if theirs.is_floating_point else torch.iinfo(theirs)
    assert repr(info) == repr(expected)


@pytest.mark.parametrize("name", NEW)
def test_creation_with_dtype(name: str) -> None:
    ours, theirs = both(name)
    for make in (lambda L, d: L.zeros(2, 3, dtype=d), lambda L, d: L.ones((2,), dtype=d),
                 lambda L, d: L.full((2, 2), 7, dtype=d), lambda L, d: L.arange(5, dtype=d),
                 lambda L, d: L.arange(1, 9, 3, dtype=d), lambda L, d: L.empty(3, dtype=d).shape,
                 lambda L, d: L.zeros_like(L.ones(2, 2), dtype=d),
                 lambda L, d: L.full_like(L.ones(2, dtype=d), 3),
                 lambda L, d: L.ones_like(L.ones(2, dtype=d)),
                 lambda L, d: L.randint(0, 5, (4,), dtype=d).dtype,
                 lambda L, d: L.ones(3, dtype=d).new_zeros(2)):
        got, want = make(minitorch, ours), make(torch, theirs)
        if isinstance(want, torch.Tensor):
            same(got, want)
        elif isinstance(want, torch.dtype):
            assert repr(got).split(".")[1] == str(want).split(".")[1]
        else:
            assert tuple(got) == tuple(want)


@pytest.mark.parametrize("name", ("uint8", "int8", "int16", "int32"))
def test_python_numbers_out_of_range_refused(name: str) -> None:
    ours, theirs = both(name)
    for data in ([-1, 2 ** 31], [[1.5, 300.7]], 255.9):
        try:
            same(minitorch.tensor(data, dtype=ours), torch.tensor(data, dtype=theirs))
        except AssertionError:
            raise
        except Exception:  # noqa: BLE001 - then torch refuses too, in the same words
            raises_like(lambda d=data: minitorch.tensor(d, dtype=ours),
                        lambda d=data: torch.tensor(d, dtype=theirs))


def test_from_numpy_refuses_other_types() -> None:
    raises_like(lambda: minitorch.from_numpy(np.zeros(2, np.longdouble)),
                lambda: torch.from_numpy(np.zeros(2, np.longdouble)))


# ------------------------------------------------------------------------ promotion
def operand(lib: Any, name: str, kind: str) -> Any:
    """A tensor (kind "tensor"), a 0-dim tensor ("0-dim") or a Python number ("number") of
    ``name``'s category."""
    value = {"bool": True}.get(name, 2.5 if "float" in name else 3)
    if kind == "number":
        return value
    dtype = getattr(lib, name)
    return lib.tensor(value if kind == "0-dim" else [value, 1], dtype=dtype)


OPS = {"add": lambda L, a, b: a + b, "mul": lambda L, a, b: a * b,
       "div": lambda L, a, b: a / b, "eq": lambda L, a, b: a == b,
       "where": lambda L, a, b: L.where(L.tensor([True, False]), a, b)}


def test_promotion_table_against_torch() -> None:
    """Every pair of dtypes, the second operand a tensor, a 0-dim tensor or a number (the
    first a tensor or a 0-dim tensor): the result's dtype and values, and result_type."""
    for a, b, kind_a, kind_b in itertools.product(NAMES, NAMES, ("tensor", "0-dim"),
                                                  ("tensor", "0-dim", "number")):
        x, y = operand(minitorch, a, kind_a), operand(minitorch, b, kind_b)
        tx, ty = operand(torch, a, kind_a), operand(torch, b, kind_b)
        assert repr(minitorch.result_type(x, y)).split(".")[1] == \
            str(torch.result_type(tx, ty)).split(".")[1], (a, b, kind_a, kind_b)
        for name, op in OPS.items():
            try:
                same(op(minitorch, x, y), op(torch, tx, ty))
            except AssertionError as e:
                raise AssertionError(f"{name}({a} {kind_a}, {b} {kind_b}): {e}") from None


def test_promote_types_and_can_cast() -> None:
    for a, b in itertools.product(NAMES, NAMES):
        (ma, ta), (mb, tb) = both(a), both(b)
        assert repr(minitorch.promote_types(ma, mb)).split(".")[1] == \
            str(torch.promote_types(ta, tb)).split(".")[1], (a, b)
        assert minitorch.can_cast(ma, mb) == torch.can_cast(ta, tb), (a, b)


# ------------------------------------------------------------------ ops on the new dtypes
def ops_table() -> dict:
    """fn(lib, x) on a 2×3 tensor x of each new dtype holding [[3, 1, 200], [0, 7, 5]]
    (200 is -56 in int8): arithmetic that wraps, division, bitwise ops, reductions and their
    result dtypes, sorting, indexing rules, and float16 math."""
    def index(dtype: str) -> Callable:
        return lambda L, x: x[L.tensor([1, 0], dtype=getattr(L, dtype))]

    def along(op: str, dtype: str) -> Callable:
        def fn(L: Any, x: Any) -> Any:
            i = L.tensor([[0], [2]], dtype=getattr(L, dtype))
            return getattr(x, op)(1, i, x) if op == "scatter" else getattr(x, op)(1, i)
        return fn

    return {
        "add": lambda L, x: x + x, "add_number": lambda L, x: x + 1000,
        "sub_number": lambda L, x: x - 1, "rsub": lambda L, x: 2 - x,
        "mul": lambda L, x: x * x, "mul_float": lambda L, x: x * 2.5,
        "div": lambda L, x: x / 3, "floordiv": lambda L, x: x // 3,
        "rfloordiv": lambda L, x: 100 // (x + 1), "mod": lambda L, x: x % 3,
        "pow": lambda L, x: x ** 2, "neg": lambda L, x: -x, "abs": lambda L, x: x.abs(),
        "clamp": lambda L, x: x.clamp(1, 6), "clamp_max": lambda L, x: x.clamp(max=4),
        "lt_wrapped": lambda L, x: x < 1000, "eq": lambda L, x: x == 3,
        "maximum": lambda L, x: L.maximum(x, x.flip(0)),
        "max": lambda L, x: x.max(), "min_dim": lambda L, x: x.min(dim=1)[0],
        "argmax": lambda L, x: x.argmax(), "amax": lambda L, x: x.amax(1),
        "sum": lambda L, x: x.sum(), "sum_dim": lambda L, x: x.sum(1),
        "prod": lambda L, x: x.prod(), "cumsum": lambda L, x: x.cumsum(1),
        "cumprod": lambda L, x: x.cumprod(0), "mean": lambda L, x: x.mean(),
        "var": lambda L, x: x.var(), "norm": lambda L, x: x.norm(),
        "any": lambda L, x: x.any(), "all": lambda L, x: x.all(1),
        "sort": lambda L, x: x.sort(1, descending=True)[0], "argsort": lambda L, x: x.argsort(1),
        "topk": lambda L, x: x.topk(2)[0], "median": lambda L, x: x.median(),
        "and": lambda L, x: x & 6, "or": lambda L, x: x | x, "xor": lambda L, x: x ^ 5,
        "invert": lambda L, x: ~x, "lshift": lambda L, x: x << 1, "rshift": lambda L, x: x >> 1,
        "bitwise_not": lambda L, x: L.bitwise_not(x),
        "exp": lambda L, x: x.exp(), "sqrt": lambda L, x: x.sqrt(),
        "sigmoid": lambda L, x: x.sigmoid(), "relu": lambda L, x: L.relu(x),
        "index_int32": index("int32"), "index_int16": index("int16"),
        "index_uint8_mask": index("uint8"),
        "gather_int32": along("gather", "int32"), "gather_int16": along("gather", "int16"),
        "scatter_int32": along("scatter", "int32"),
        "index_select_int32": lambda L, x: x.index_select(1, L.tensor([0, 2], dtype=L.int32)),
        "embedding": lambda L, x: L.nn.functional.embedding(L.tensor([1, 0], dtype=x.dtype),
                                                            L.ones(3, 2)),
        "cross_entropy_target": lambda L, x: L.nn.functional.cross_entropy(
            L.ones(2, 3), L.tensor([1, 0], dtype=x.dtype)),
        "matmul": lambda L, x: x @ x.t(), "where": lambda L, x: L.where(x > 3, x, 0),
        "cat": lambda L, x: L.cat([x, x.long()]), "masked_fill": lambda L, x: x.masked_fill(
            x > 3, 2), "add_inplace": lambda L, x: x.clone().add_(300),
        "nonzero": lambda L, x: x.nonzero(), "repr": lambda L, x: repr(x * 3),
        "item": lambda L, x: x[0, 2].item(), "tolist": lambda L, x: x.tolist(),
    }


@pytest.mark.parametrize("backend", CPU_BACKENDS)
def test_ops_on_new_dtypes(backend: str) -> None:
    """Every op of :func:`ops_table` on every new dtype: torch's values and dtype, or torch's
    error type and message."""
    data = [[3, 1, 200], [0, 7, 5]]
    failures = []
    for name, (op, fn) in itertools.product(NEW, ops_table().items()):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # uint8 masks: torch's deprecation warning
                want = fn(torch, torch.tensor(data).to(getattr(torch, name)))
        except Exception as e:  # noqa: BLE001 - torch's refusal is the expected answer
            want = e
        try:
            with on_backend(backend), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                got = fn(minitorch, minitorch.tensor(data).to(getattr(minitorch, name)))
        except Exception as e:  # noqa: BLE001
            got = e
        try:
            if isinstance(want, Exception):
                assert type(got) is type(want), repr(got)
                message = str(want).replace("torch.", "minitorch.")  # ours may explain more:
                assert str(got) in (message, ) or str(got).startswith(message + " ("), str(got)
            elif isinstance(want, str):
                assert got == want.replace("torch.", "minitorch.")
            elif isinstance(want, torch.Tensor):
                assert not isinstance(got, Exception), repr(got)
                same(got, want, exact=not want.is_floating_point())
            else:
                assert got == want
        except AssertionError as e:
            failures.append(f"{op} on {name}: {e}")
    assert not failures, "\n".join(failures)


def test_uint8_index_warns_as_torch() -> None:
    x = minitorch.arange(3)
    with pytest.warns(UserWarning, match="indexing with dtype minitorch.uint8 is now deprecated"):
        x[minitorch.tensor([1, 0, 1], dtype=minitorch.uint8)]


@pytest.mark.parametrize("name", ("int32", "float16"))
def test_refusals_name_the_dtype(name: str) -> None:
    ours, theirs = both(name)
    cases = [lambda L, d: L.ones(2, 3, dtype=d).mean(),
             lambda L, d: L.ones(2).masked_fill(L.tensor([1, 0], dtype=d), 0),
             lambda L, d: L.ones(2, 3, dtype=d) & 1,
             lambda L, d: ~L.ones(2, 3, dtype=d),
             lambda L, d: L.ones(2, 3, dtype=d).gather(1, L.zeros(2, 1, dtype=L.int8)),
             lambda L, d: L.ones(2, 3, dtype=d).softmax(0) if d is not L.float16 else
             L.ones(2, dtype=d)[L.tensor([0.5])]]
    for case in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                case(torch, theirs)
            except Exception:  # noqa: BLE001
                raises_like(lambda c=case: c(minitorch, ours), lambda c=case: c(torch, theirs))


# ------------------------------------------------------------------ float16 compute
HALF_CASES = {
    "matmul": lambda L, F, x, w, b, im, k: x @ w.t(),
    "mm": lambda L, F, x, w, b, im, k: L.mm(x, w.t()),
    "linear": lambda L, F, x, w, b, im, k: F.linear(x, w, b),
    "conv2d": lambda L, F, x, w, b, im, k: F.conv2d(im, k, padding=1),
    "softmax": lambda L, F, x, w, b, im, k: F.softmax(x, 1),
    "log_softmax": lambda L, F, x, w, b, im, k: F.log_softmax(x, 0),
    "cross_entropy": lambda L, F, x, w, b, im, k: F.cross_entropy(F.linear(x, w, b),
                                                                  L.tensor([1, 0, 4, 2])),
    "mse_loss": lambda L, F, x, w, b, im, k: F.mse_loss(x @ w.t(), L.zeros(4, 5).half()),
    "layer_norm": lambda L, F, x, w, b, im, k: F.layer_norm(x, (6,)),
    "sum_mean_var": lambda L, F, x, w, b, im, k: (x * 100).sum() + x.mean() + x.var(),
    "pointwise": lambda L, F, x, w, b, im, k: x.tanh() + F.gelu(x) * x.sigmoid() - x.exp(),
    "number_beyond_half": lambda L, F, x, w, b, im, k: x * 1e-3 * 1e5,
    "logsumexp_cumsum": lambda L, F, x, w, b, im, k: x.logsumexp(1).sum() + x.cumsum(1)[0, 3],
}


@pytest.mark.parametrize("backend", CPU_BACKENDS)
def test_float16_compute_and_gradients(backend: str) -> None:
    """Forward values within an ulp of torch's float16 (both compute in float32 and round),
    float16 gradients on float16 leaves within a few ulps (torch rounds inside composite
    backward kernels too)."""
    g = np.random.default_rng(0)
    arrays = [g.standard_normal(s) for s in ((4, 6), (5, 6), (5,), (2, 3, 6, 6), (4, 3, 3, 3))]
    for name, fn in HALF_CASES.items():
        results = []
        for L in (torch, minitorch):
            with on_backend(backend) if L is minitorch else warnings.catch_warnings():
                leaves = [L.tensor(a, dtype=L.float16, requires_grad=True) for a in arrays]
                y = fn(L, L.nn.functional, *leaves)
                y.float().sum().backward()
                results.append((y, [leaf.grad for leaf in leaves]))
        (want, want_grads), (got, got_grads) = results
        same(got, want, exact=False)
        for a, b in zip(got_grads, want_grads):
            assert (a is None) == (b is None), name
            if b is not None:
                assert a.dtype is minitorch.float16, name
                np.testing.assert_allclose(a.numpy().astype(float), b.numpy().astype(float),
                                           rtol=2e-2, atol=2e-2, err_msg=name)


def test_float16_printing() -> None:
    values = [0.1, 1e-5, 65504.0, -2.5, 3.0]
    for data in (values, values[3:], [[1e-3, 7.0]], 0.333):
        assert repr(minitorch.tensor(data, dtype=minitorch.half)) == \
            repr(torch.tensor(data, dtype=torch.half)).replace("torch.", "minitorch.")


def test_image_bytes_stay_uint8() -> None:
    """PILToTensor and np.asarray(image) give uint8 tensors, as torch(vision) does; the usual
    conversion to floats matches torch's."""
    from PIL import Image

    from minitorch.vision import transforms

    pixels = np.random.default_rng(1).integers(0, 256, (4, 5, 3), dtype=np.uint8)
    image = Image.fromarray(pixels, mode="RGB")
    got = transforms.PILToTensor()(image)
    want = torch.from_numpy(np.asarray(image).transpose(2, 0, 1).copy())
    same(got, want)
    same(minitorch.from_numpy(np.asarray(image)).permute(2, 0, 1).float() / 255,
         torch.from_numpy(np.asarray(image).copy()).permute(2, 0, 1).float() / 255)
    same(transforms.ToTensor()(image), want.float() / 255)


@pytest.mark.parametrize("dtype", ["float16", "int32", "uint8"])
def test_indexing_a_new_dtype_gives_views_written_through_as_in_torch(dtype: str) -> None:
    """Slices and single elements of a float16 tensor are views (not float32 round trips)."""
    written = []
    for lib in (torch, minitorch):
        x = lib.zeros(4, 4, dtype=getattr(lib, dtype))
        x[1:3].fill_(2)
        x[0, 1].add_(3)
        x[::2, 3].fill_(1)
        written.append(x.tolist())
    assert written[1] == written[0]
