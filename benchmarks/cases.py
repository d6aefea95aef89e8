"""What is measured: every case is a name, a batch size, its FLOPs (when it is a GEMM-like
operation) and, per engine, a zero-argument callable doing the work once.

Three levels:

* ``kernel`` — the backend kernel called directly on raw arrays
  (``minitorch.backends.get_backend(name).conv2d_forward(...)``); torch's side is the ATen op
  its autograd would call (``aten.convolution_backward`` with one output mask, ...).
* ``op`` — the public API with autograd (``F.cross_entropy(...).backward()``).
* ``model`` — the seed CNN: forward (under ``no_grad``) and a full training step (forward,
  cross-entropy, backward, SGD step).

Inputs are drawn from a seed fixed per case, when a callable is built (nothing big is held
between cases), so every engine gets the same numbers.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from benchmarks.engines import Engine
from benchmarks.timing import Fn

# The seed CNN's convolutions: (C_in, C_out, H = W), kernel 5, padding 2, stride 1.
CONV_LAYERS: Tuple[Tuple[int, int, int], ...] = ((3, 32, 32), (32, 32, 16), (32, 64, 8))
KERNEL, PAD = 5, 2
ACT_SHAPE = (32, 32, 32)  # (C, H, W) of the activation / pooling tensors, batch in front
LINEAR_IN, LINEAR_OUT = 1024, 64
CLASSES = 10


@dataclass
class Case:
    """One benchmark: ``build(engine)`` returns the callable to time for that engine."""

    name: str
    group: str  # "kernel", "op", "model"
    batch: int
    build: Callable[[Engine], Fn]
    flops: Optional[float] = None
    gemm_split: Optional[Tuple[int, str]] = None  # (conv layer index, pass) for the breakdown


def conv_flops(batch: int, c: int, o: int, h: int) -> float:
    """2·N·O·K·L multiply-adds of one conv pass (K = C·5·5, L = H·W: stride 1, 'same')."""
    return 2.0 * batch * o * c * KERNEL * KERNEL * h * h


def _rng(*key: int) -> np.random.Generator:
    return np.random.default_rng(list(key))


def _f32(rng: np.random.Generator, *shape: int, scale: float = 1.0) -> np.ndarray:
    return (rng.standard_normal(shape) * scale).astype(np.float32)


@contextlib.contextmanager
def _no_grad(engine: Engine) -> Iterator[None]:
    if engine.is_torch:
        import torch

        with torch.no_grad():
            yield
    else:
        import minitorch

        with minitorch.no_grad():
            yield


@contextlib.contextmanager
def _backend(engine: Engine) -> Iterator[None]:
    """Select the engine's minitorch backend for CPU tensors (CUDA tensors pick their own)."""
    if engine.is_torch or engine.device == "cuda":
        yield
        return
    from minitorch.backends import use_backend

    with use_backend(engine.backend or "numba"):
        yield


def _kernels(engine: Engine) -> Any:
    from minitorch.backends import get_backend

    return get_backend(engine.backend or "numba")


# --------------------------------------------------------------------------- kernel level
def _suffix(dtype: Any) -> str:
    """Case-name suffix of a dtype: float32 (the default) has none, float64 " f64"."""
    return "" if np.dtype(dtype) == np.float32 else " f64"


def conv_case(layer: int, pass_: str, batch: int, dtype: Any = np.float32) -> Case:
    """Forward ("fwd"), input gradient ("dinput") or weight gradient ("dweight") of conv
    layer ``layer`` (0, 1, 2), in float32 or float64 (name suffix " f64")."""
    c, o, h = CONV_LAYERS[layer]
    s1, pad4 = (1, 1), (PAD, PAD, PAD, PAD)

    def build(engine: Engine) -> Fn:
        rng = _rng(1, layer, batch)
        x, w = _f32(rng, batch, c, h, h), _f32(rng, o, c, KERNEL, KERNEL, scale=0.1)
        b, gy = _f32(rng, o), _f32(rng, batch, o, h, h)
        x, w, b, gy = (a.astype(dtype) for a in (x, w, b, gy))
        xa, wa, ba, gya = (engine.array(a) for a in (x, w, b, gy))
        if engine.is_torch:
            import torch
            import torch.nn.functional as F

            aten = torch.ops.aten
            mask = {"fwd": None, "dinput": [True, False, False],
                    "dweight": [False, True, False]}[pass_]
            if mask is None:
                return lambda: F.conv2d(xa, wa, ba, 1, PAD)
            return lambda: aten.convolution_backward(gya, xa, wa, [o], [1, 1], [PAD, PAD],
                                                     [1, 1], False, [0, 0], 1, mask)
        k = _kernels(engine)
        if pass_ == "fwd":
            return lambda: k.conv2d_forward(xa, wa, ba, s1, pad4, s1, 1, (h, h))
        if pass_ == "dinput":
            return lambda: k.conv2d_backward_input(gya, wa, x.shape, s1, pad4, s1, 1)
        return lambda: k.conv2d_backward_weight(gya, xa, w.shape, s1, pad4, s1, 1)

    return Case(f"conv{layer + 1} {c}->{o}@{h} {pass_}{_suffix(dtype)}", "kernel", batch, build,
                flops=conv_flops(batch, c, o, h),
                gemm_split=(layer, pass_) if np.dtype(dtype) == np.float32 else None)


def pool_case(kind: str, pass_: str, batch: int) -> Case:
    """2×2 / stride 2 max or avg pooling of a (N, 32, 32, 32) tensor, forward or backward."""
    c, h, _ = ACT_SHAPE
    k2, z2, one = (2, 2), (0, 0), (1, 1)

    def build(engine: Engine) -> Fn:
        rng = _rng(2, batch)
        x, gy = _f32(rng, batch, c, h, h), _f32(rng, batch, c, h // 2, h // 2)
        xa, gya = engine.array(x), engine.array(gy)
        if engine.is_torch:
            import torch

            aten = torch.ops.aten
            if kind == "max":
                _, idx = aten.max_pool2d_with_indices(xa, [2, 2], [2, 2], [0, 0], [1, 1], False)
                if pass_ == "fwd":
                    return lambda: aten.max_pool2d_with_indices(xa, [2, 2], [2, 2], [0, 0],
                                                                [1, 1], False)
                return lambda: aten.max_pool2d_with_indices_backward(
                    gya, xa, [2, 2], [2, 2], [0, 0], [1, 1], False, idx)
            if pass_ == "fwd":
                return lambda: aten.avg_pool2d(xa, [2, 2], [2, 2], [0, 0], False, True, None)
            return lambda: aten.avg_pool2d_backward(gya, xa, [2, 2], [2, 2], [0, 0], False, True,
                                                    None)
        k = _kernels(engine)
        if kind == "max":
            _, idx = k.max_pool2d_forward(xa, k2, k2, z2, one, (h // 2, h // 2))
            if pass_ == "fwd":
                return lambda: k.max_pool2d_forward(xa, k2, k2, z2, one, (h // 2, h // 2))
            return lambda: k.max_pool2d_backward(gya, idx, x.shape)
        if pass_ == "fwd":
            return lambda: k.avg_pool2d_forward(xa, k2, k2, z2, (h // 2, h // 2), True, None)
        return lambda: k.avg_pool2d_backward(gya, x.shape, k2, k2, z2, True, None)

    return Case(f"{kind}pool 2x2 {pass_}", "kernel", batch, build)


def activation_case(kind: str, pass_: str, batch: int) -> Case:
    """relu / tanh / sigmoid of a (N, 32, 32, 32) tensor, forward or backward (from y)."""
    ref = {"relu": lambda v: np.maximum(v, 0), "tanh": np.tanh,
           "sigmoid": lambda v: 1 / (1 + np.exp(-v))}[kind]

    def build(engine: Engine) -> Fn:
        rng = _rng(3, batch)
        x, gy = _f32(rng, batch, *ACT_SHAPE), _f32(rng, batch, *ACT_SHAPE)
        y = ref(x).astype(np.float32)
        xa, ya, gya = (engine.array(a) for a in (x, y, gy))
        if engine.is_torch:
            import torch

            aten = torch.ops.aten
            fwd = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[kind]
            if pass_ == "fwd":
                return lambda: fwd(xa)
            if kind == "relu":
                return lambda: aten.threshold_backward(gya, ya, 0)
            bwd = aten.tanh_backward if kind == "tanh" else aten.sigmoid_backward
            return lambda: bwd(gya, ya)
        k = _kernels(engine)
        if pass_ == "fwd":
            fwd_k = getattr(k, f"{kind}_forward")
            return lambda: fwd_k(xa)
        bwd_k = getattr(k, f"{kind}_backward")
        return lambda: bwd_k(gya, ya)

    return Case(f"{kind} {pass_}", "kernel", batch, build)


def linear_case(pass_: str, batch: int) -> Case:
    """Linear 1024 -> 64: forward, or backward (gx, gw and gb — what autograd computes)."""
    def build(engine: Engine) -> Fn:
        rng = _rng(4, batch)
        x, w = _f32(rng, batch, LINEAR_IN), _f32(rng, LINEAR_OUT, LINEAR_IN, scale=0.03)
        b, gy = _f32(rng, LINEAR_OUT), _f32(rng, batch, LINEAR_OUT)
        xa, wa, ba, gya = (engine.array(a) for a in (x, w, b, gy))
        if engine.is_torch:
            import torch.nn.functional as F

            if pass_ == "fwd":
                return lambda: F.linear(xa, wa, ba)
            return lambda: (gya @ wa, gya.t() @ xa, gya.sum(0))
        k = _kernels(engine)
        if pass_ == "fwd":
            return lambda: k.linear_forward(xa, wa, ba)
        return lambda: k.linear_backward(gya, xa, wa, True)

    flops = 2.0 * batch * LINEAR_IN * LINEAR_OUT * (1 if pass_ == "fwd" else 2)
    return Case(f"linear {LINEAR_IN}->{LINEAR_OUT} {pass_}", "kernel", batch, build, flops=flops)


# --------------------------------------------------------------------------- op level
def _functional(engine: Engine) -> Any:
    if engine.is_torch:
        import torch.nn.functional as F

        return F
    from minitorch.nn import functional as F

    return F


def cross_entropy_case(batch: int) -> Case:
    """``F.cross_entropy(logits, target).backward()`` on (N, 10) logits."""
    def build(engine: Engine) -> Fn:
        rng = _rng(5, batch)
        logits = _f32(rng, batch, CLASSES)
        target = rng.integers(0, CLASSES, batch).astype(np.int64)
        F = _functional(engine)
        z, t = engine.tensor(logits, requires_grad=True), engine.tensor(target)

        def step() -> None:
            with _backend(engine):
                z.grad = None
                F.cross_entropy(z, t).backward()

        return step

    return Case("cross_entropy fwd+bwd", "op", batch, build)


def conv_op_case(layer: int, batch: int) -> Case:
    """``F.conv2d(x, w, b).backward(gy)`` through autograd: the kernel cases plus the
    autograd machinery (input grad, weight grad, bias grad)."""
    c, o, h = CONV_LAYERS[layer]

    def build(engine: Engine) -> Fn:
        rng = _rng(6, layer, batch)
        x, w = _f32(rng, batch, c, h, h), _f32(rng, o, c, KERNEL, KERNEL, scale=0.1)
        b, gy = _f32(rng, o), _f32(rng, batch, o, h, h)
        F = _functional(engine)
        xt, wt, bt = (engine.tensor(a, requires_grad=True) for a in (x, w, b))
        gyt = engine.tensor(gy)

        def step() -> None:
            with _backend(engine):
                xt.grad = wt.grad = bt.grad = None
                F.conv2d(xt, wt, bt, 1, PAD).backward(gyt)

        return step

    return Case(f"conv{layer + 1} op fwd+bwd", "op", batch, build,
                flops=3 * conv_flops(batch, c, o, h))


# --------------------------------------------------------------------------- model level
def _cnn(engine: Engine, dtype: Any = np.float32) -> Tuple[Any, Any, Any]:
    """(model, SGD optimizer, functional module) of the seed CNN for ``engine``, with
    parameters of ``dtype``."""
    double = np.dtype(dtype) == np.float64
    from minitorch.models import seed_cnn_layers

    if engine.is_torch:
        import torch

        torch.manual_seed(0)
        model = seed_cnn_layers(torch.nn)
        if double:
            model = model.double()
        if engine.device == "cuda":
            model = model.cuda()
        return model, torch.optim.SGD(model.parameters(), lr=0.01), _functional(engine)
    import minitorch

    minitorch.manual_seed(0)
    model = seed_cnn_layers(minitorch.nn)
    if double:
        model = model.double()
    if engine.device == "cuda":
        model = model.to("cuda")
    return model, minitorch.optim.SGD(model.parameters(), lr=0.01), _functional(engine)


def cnn_flops(batch: int, train: bool) -> float:
    """GEMM FLOPs of the seed CNN: forward = the three convs + two linears; a training step
    adds both gradients of each (the first conv's input gradient is not needed)."""
    convs = sum(conv_flops(batch, c, o, h) for c, o, h in CONV_LAYERS)
    linears = 2.0 * batch * (LINEAR_IN * LINEAR_OUT + LINEAR_OUT * CLASSES)
    if not train:
        return convs + linears
    first = conv_flops(batch, *CONV_LAYERS[0])
    return 3 * convs - first + 3 * linears


def cnn_case(train: bool, batch: int, dtype: Any = np.float32) -> Case:
    """The seed CNN: forward under no_grad, or a full SGD training step, in float32 or
    float64 (name suffix " f64")."""
    def build(engine: Engine) -> Fn:
        rng = _rng(7, batch)
        images = rng.random((batch, 3, 32, 32), dtype=np.float32).astype(dtype)
        labels = rng.integers(0, CLASSES, batch).astype(np.int64)
        model, opt, F = _cnn(engine, dtype)
        x, y = engine.tensor(images), engine.tensor(labels)
        if not train:
            def forward() -> None:
                with _backend(engine), _no_grad(engine):
                    model(x)

            return forward

        def step() -> None:
            with _backend(engine):
                opt.zero_grad()
                F.cross_entropy(model(x), y).backward()
                opt.step()

        return step

    name = ("cnn train step" if train else "cnn forward") + _suffix(dtype)
    return Case(name, "model", batch, build, flops=cnn_flops(batch, train))


# --------------------------------------------------------------------------- the list
def kernel_cases(batch: int) -> List[Case]:
    cases = [conv_case(i, p, batch, dt) for dt in (np.float32, np.float64) for i in range(3)
             for p in ("fwd", "dinput", "dweight")]
    cases += [pool_case(k, p, batch) for k in ("max", "avg") for p in ("fwd", "bwd")]
    cases += [activation_case(k, p, batch) for k in ("relu", "tanh", "sigmoid")
              for p in ("fwd", "bwd")]
    cases += [linear_case(p, batch) for p in ("fwd", "bwd")]
    return cases


def op_cases(batch: int) -> List[Case]:
    return [cross_entropy_case(batch), conv_op_case(1, batch)]


def model_cases(batch: int) -> List[Case]:
    return [cnn_case(False, batch), cnn_case(True, batch), cnn_case(True, batch, np.float64)]


def select(cases: Sequence[Case], only: Optional[Sequence[str]]) -> List[Case]:
    """Cases whose name or group contains one of the ``only`` substrings (all if None)."""
    if not only:
        return list(cases)
    return [c for c in cases if any(s in c.name or s == c.group for s in only)]


def all_cases(kernel_batches: Sequence[int], model_batches: Sequence[int],
              only: Optional[Sequence[str]] = None) -> Dict[str, List[Case]]:
    """Every case, by group, at the given batch sizes, filtered by ``only``."""
    out: Dict[str, List[Case]] = {"kernel": [], "op": [], "model": []}
    for b in kernel_batches:
        out["kernel"] += select(kernel_cases(b), only)
        out["op"] += select(op_cases(b), only)
    for b in model_batches:
        out["model"] += select(model_cases(b), only)
    return out
