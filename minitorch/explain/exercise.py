"""Exercises: write a layer yourself, then let ``minitorch check`` hold it against PyTorch.

    minitorch exercise conv2d          # writes conv2d_exercise.py: signature + formula
    minitorch check conv2d_exercise.py

``check`` runs your function (NumPy arrays in, a NumPy array out) on a grid of cases —
strides, padding, dilation, groups, ceil_mode ... — and compares

1. the output with PyTorch's (shape, then every value), and
2. the gradient of ``L = Σ y · g`` (random g) by central finite differences of *your*
   function, ``(L(x + h) − L(x − h)) / 2h`` element by element, with PyTorch's autograd
   gradient — so a forward pass that is right only on the tested values, or a formula
   that is right only for some arguments, is caught too.

It stops at the first mismatch and prints the case, the index and both values.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np

SIGNATURES: Dict[str, Tuple[str, str]] = {
    "conv2d": ("x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1",
               "x: (N, C, H, W); weight: (O, C // groups, kH, kW); bias: (O,) or None;\n"
               "    stride, padding, dilation: an int or a pair (height, width).\n"
               "    Returns y: (N, O, Ho, Wo) with\n"
               "        Ho = (H + 2·padding − dilation·(kH − 1) − 1) // stride + 1\n"
               "        y[n, o, i, j] = bias[o] + Σ_{c, p, q} x_pad[n, g·C/groups + c,\n"
               "                         i·stride + p·dilation, j·stride + q·dilation] · "
               "weight[o, c, p, q]\n"
               "    where g = o // (O // groups) is o's group and x_pad is x with `padding` "
               "zeros\n    around it (PyTorch computes cross-correlation: the kernel is not "
               "flipped)."),
    "max_pool2d": ("x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False",
                   "x: (N, C, H, W); stride defaults to kernel_size. Returns (N, C, Ho, Wo):\n"
                   "        y[n, c, i, j] = max_{p, q} x_pad[n, c, i·stride + p·dilation,\n"
                   "                                          j·stride + q·dilation]\n"
                   "    x_pad is padded with −inf. Ho = ⌊(H + 2·padding − dilation·(k − 1) − 1)"
                   " / stride⌋ + 1;\n    with ceil_mode ⌈⌉ instead, but a last window that "
                   "would start in the right\n    padding is dropped."),
    "avg_pool2d": ("x, kernel_size, stride=None, padding=0, ceil_mode=False, "
                   "count_include_pad=True, divisor_override=None",
                   "x: (N, C, H, W); stride defaults to kernel_size. Returns (N, C, Ho, Wo):\n"
                   "        y[n, c, i, j] = Σ_{p, q} x_pad[n, c, i·stride + p, j·stride + q] / "
                   "divisor\n    divisor: divisor_override if given; else the window's size "
                   "clipped to the padded\n    input (count_include_pad=True) or to the input "
                   "itself (False). Ho as for max_pool2d."),
    "linear": ("x, weight, bias=None",
               "x: (N, in_features); weight: (out_features, in_features); bias: (out,).\n"
               "        y[n, o] = bias[o] + Σ_i x[n, i] · weight[o, i]      (y = x Wᵀ + b)"),
    "relu": ("x", "y = max(0, x), elementwise."),
    "sigmoid": ("x", "y = 1 / (1 + e^(−x)), elementwise (for large −x, e^(−x) overflows: "
                "use e^x / (1 + e^x) there)."),
    "tanh": ("x", "y = (e^x − e^(−x)) / (e^x + e^(−x)), elementwise (don't call np.tanh: "
             "that's the answer)."),
}

STUB = '''"""Exercise: write {op} yourself with NumPy, then check it against PyTorch:

    minitorch check {path}

{doc_indent}
"""

import numpy as np

OP = "{op}"


def {op}({signature}):
    """{doc}
    """
    raise NotImplementedError("write {op} here")
'''


def write_stub(op: str, path: Optional[str] = None) -> str:
    """Write the exercise file for ``op`` (default ``{op}_exercise.py``); never overwrites."""
    if op not in SIGNATURES:
        raise ValueError(f"no exercise for {op!r}; choose one of {', '.join(SIGNATURES)}")
    path = path or f"{op}_exercise.py"
    if os.path.exists(path):
        raise FileExistsError(f"{path} exists; pass another path or remove it")
    signature, doc = SIGNATURES[op]
    with open(path, "w", encoding="utf-8") as f:
        f.write(STUB.format(op=op, path=path, signature=signature, doc=doc,
                            doc_indent=doc.replace("\n    ", "\n")))
    return path


@dataclass
class Case:
    """One call: the tensor inputs (x first) and the other arguments."""

    tensors: Dict[str, np.ndarray]
    kwargs: Dict[str, Any]

    def describe(self) -> str:
        shapes = ", ".join(f"{k} {list(v.shape)}" for k, v in self.tensors.items())
        args = ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        return f"{shapes}{', ' + args if args else ''}"


def cases(op: str, seed: int = 0) -> List[Case]:
    """The grid: every argument the op takes, each where it changes the answer."""
    rng = np.random.default_rng(seed)

    def r(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape)

    if op == "conv2d":
        grid = [((1, 1, 5, 5), (1, 1, 3, 3), {}), ((1, 1, 5, 5), (1, 1, 3, 3), {"stride": 2}),
                ((1, 2, 5, 4), (3, 2, 3, 3), {"padding": 1}),
                ((2, 2, 6, 6), (2, 2, 2, 3), {"stride": (2, 1), "padding": (1, 0)}),
                ((1, 1, 7, 7), (1, 1, 3, 3), {"dilation": 2}),
                ((1, 4, 5, 5), (4, 2, 3, 3), {"groups": 2, "padding": 1}),
                ((1, 2, 6, 5), (2, 2, 2, 2), {"stride": 2, "dilation": (1, 2), "padding": 1})]
        out = []
        for k, (xs, ws, kw) in enumerate(grid):
            t = {"x": r(*xs), "weight": r(*ws)}
            if k != 2:
                t["bias"] = r(ws[0])
            out.append(Case(t, kw))
        return out
    if op == "max_pool2d":
        grid = [(2, {}), (3, {"stride": 2}), (2, {"ceil_mode": True}),
                (3, {"stride": 2, "padding": 1}), (2, {"dilation": 2, "stride": 1}),
                ((3, 2), {"stride": (2, 1), "padding": (1, 0), "ceil_mode": True})]
        return [Case({"x": r(1, 2, 5, 6)}, {"kernel_size": k, **kw}) for k, kw in grid]
    if op == "avg_pool2d":
        grid = [(2, {}), (3, {"stride": 2, "padding": 1}),
                (3, {"stride": 2, "padding": 1, "count_include_pad": False}),
                (2, {"ceil_mode": True}), (3, {"stride": 2, "padding": 1, "ceil_mode": True}),
                (2, {"divisor_override": 3})]
        return [Case({"x": r(1, 2, 5, 6)}, {"kernel_size": k, **kw}) for k, kw in grid]
    if op == "linear":
        return [Case({"x": r(2, 3), "weight": r(4, 3), "bias": r(4)}, {}),
                Case({"x": r(5, 2), "weight": r(1, 2)}, {})]
    if op in ("relu", "sigmoid", "tanh"):
        big = np.array([[-30.0, -1.5, 0.5, 2.0, 30.0]])
        return [Case({"x": r(3, 4)}, {}), Case({"x": big}, {})]
    raise ValueError(f"no checks for {op!r}; choose one of {', '.join(SIGNATURES)}")


def reference(op: str, case: Case) -> Tuple[np.ndarray, Dict[str, np.ndarray], np.ndarray]:
    """(output, gradient of Σ y·g per tensor input, g) from PyTorch."""
    import torch

    t = {k: torch.tensor(v, requires_grad=True) for k, v in case.tensors.items()}
    x = t.pop("x")
    fn = getattr(torch.nn.functional, op) if op not in ("sigmoid", "tanh") else \
        getattr(torch, op)
    y = fn(x, *t.values(), **case.kwargs)
    g = np.random.default_rng(1).standard_normal(tuple(y.shape))
    (y * torch.tensor(g)).sum().backward()
    grads = {"x": x.grad.numpy()}
    grads.update({k: v.grad.numpy() for k, v in t.items()})
    return y.detach().numpy(), grads, g


@dataclass
class Mismatch:
    case: int
    description: str
    what: str
    index: Tuple[int, ...]
    yours: float
    expected: float

    def __str__(self) -> str:
        return (f"case {self.case} ({self.description}): {self.what}"
                f"[{', '.join(map(str, self.index))}]: yours {self.yours:.6g}, "
                f"expected {self.expected:.6g}")


def _first_mismatch(yours: np.ndarray, expected: np.ndarray, rtol: float,
                    atol: float) -> Optional[Tuple[Tuple[int, ...], float, float]]:
    bad = ~np.isclose(yours, expected, rtol=rtol, atol=atol, equal_nan=True)
    if not bad.any():
        return None
    idx = tuple(int(i) for i in np.argwhere(bad)[0])
    return idx, float(yours[idx]), float(expected[idx])


def check_function(op: str, fn: Callable[..., Any], h: float = 1e-6) -> List[Any]:
    """Run the grid; a list of one :class:`Mismatch` (or a message string), or empty."""
    for k, case in enumerate(cases(op)):
        args = [case.tensors[name] for name in case.tensors]
        expected, grads, g = reference(op, case)
        try:
            y = np.asarray(fn(*[a.copy() for a in args], **case.kwargs), dtype=np.float64)
        except NotImplementedError:
            return [f"{op} is not written yet (it raises NotImplementedError)"]
        except Exception as err:  # the learner's bug, reported with the case that hit it
            return [f"case {k} ({case.describe()}): your {op} raised "
                    f"{type(err).__name__}: {err}"]
        if y.shape != expected.shape:
            return [f"case {k} ({case.describe()}): output shape {list(y.shape)}, expected "
                    f"{list(expected.shape)}"]
        bad = _first_mismatch(y, expected, 1e-6, 1e-8)
        if bad:
            return [Mismatch(k, case.describe(), "output", *bad)]
        for slot, name in enumerate(case.tensors):
            numeric = np.zeros_like(args[slot])
            for idx in np.ndindex(*args[slot].shape):
                values = []
                for sign in (1, -1):
                    moved = [a.copy() for a in args]
                    moved[slot][idx] += sign * h
                    values.append(float((np.asarray(fn(*moved, **case.kwargs)) * g).sum()))
                numeric[idx] = (values[0] - values[1]) / (2 * h)
            bad = _first_mismatch(numeric, grads[name], 1e-4, 1e-5)
            if bad:
                return [Mismatch(k, case.describe(), f"dL/d{name} (finite differences of "
                                 "yours vs torch's autograd)", *bad)]
    return []


def load(path: str) -> Tuple[str, Callable[..., Any]]:
    """The exercise file's ``OP`` and its function of that name."""
    spec = importlib.util.spec_from_file_location("_exercise", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    op = getattr(module, "OP", None) or os.path.basename(path).split("_exercise")[0]
    if op not in SIGNATURES or not hasattr(module, op):
        raise ValueError(f"{path} should define OP (one of {', '.join(SIGNATURES)}) and a "
                         "function of that name")
    return op, getattr(module, op)


def check_file(path: str) -> Tuple[bool, str]:
    """(passed, report) for an exercise file."""
    op, fn = load(path)
    try:
        import torch  # noqa: F401 - the reference
    except ImportError:
        return False, "check compares with PyTorch: install it with  pip install -e '.[test]'"
    problems = check_function(op, fn)
    n = len(cases(op))
    if not problems:
        return True, (f"{op}: all {n} cases match PyTorch — outputs, and gradients by finite "
                      "differences of your function")
    return False, f"{op}: first mismatch — {problems[0]}"
