"""Bad input fails exactly where PyTorch fails, with a message as clear.

``CATALOGUE`` is a table: one row per mistake a learner makes (wrong rank, mismatched channels,
a kernel larger than the padded input, zero strides, bad labels, a freed graph, a bad
state_dict, ...). Each row holds

* ``build(lib)`` — the mistake, written once against a small adapter ``lib`` that exposes the
  same API for torch and for minitorch (``lib.F``, ``lib.nn``, ``lib.t(...)`` for tensors made
  from the same seeded NumPy data);
* the exception class torch raises;
* regexes that *our* message must contain: the argument and the shapes involved.

The test runs every row on torch first (so the table cannot lie about torch), then on each
minitorch backend ("numpy", "numba", "cuda-emulated"; "cuda" only with a GPU), and asserts the
same exception class and a message that names what went wrong — never a NumPy broadcasting
error, a Numba typing error or an IndexError from inside a kernel, and never a silent result.

    PYTHONPATH=. python -m pytest parity_tests/test_bad_input.py -q
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Sequence, Tuple

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minitorch  # noqa: E402
from minitorch.autograd.function import _common_device  # noqa: E402

_HAS_GPU = minitorch.cuda.is_available()
BACKENDS = ["numpy", "numba", "cuda-emulated",
            pytest.param("cuda", marks=pytest.mark.skipif(
                not _HAS_GPU, reason="no CUDA GPU on this machine: the 'cuda' backend rows "
                                     "need one"))]

# Text that betrays an error from deep inside instead of a checked argument.
FORBIDDEN = re.compile(r"numba|TypingError|operands could not be broadcast|axis \d|"
                       r"object is not iterable|integer division or modulo|has no attribute|"
                       r"newaxis|index \d+ is out of bounds for axis", re.IGNORECASE)


class Lib:
    """The same spelling for torch and minitorch: tensors from seeded NumPy data."""

    def __init__(self, name: str, device: str = "cpu") -> None:
        self.name, self.device = name, device
        self.m = torch if name == "torch" else minitorch
        self.F = self.m.nn.functional
        self.nn = self.m.nn

    def t(self, shape: Sequence[int] = (), dtype: str = "float32", requires_grad: bool = False,
          values: Any = None, seed: int = 0) -> Any:
        arr = (np.asarray(values) if values is not None
               else np.random.default_rng(seed).standard_normal(tuple(shape)))
        out = self.m.tensor(arr.astype(dtype))
        if self.device != "cpu":
            out = out.cuda()
        return out.requires_grad_(True) if requires_grad else out

    def long(self, values: Any) -> Any:
        return self.t(values=np.asarray(values), dtype="int64")

    def mod(self, module: Any) -> Any:
        return module.cuda() if self.device != "cpu" else module


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[Lib], Any]
    exc: type
    words: Tuple[str, ...]  # regexes our message must match (re.search, case-sensitive)


def _backward_twice(L: Lib) -> None:
    x = L.t((3,), requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()


def _inplace_after_save(L: Lib) -> None:
    x = L.t((3,), requires_grad=True)
    a = x * 2
    b = a * a  # Mul saves a
    a.add_(1)
    b.sum().backward()


def _inplace_saved_output(L: Lib) -> None:
    x = L.t((3,), requires_grad=True)
    y = x.sigmoid()  # saves its output
    y.mul_(2)
    y.sum().backward()


def _state_dict(L: Lib, edit: Callable[[dict], None], strict: bool = True) -> Any:
    src = L.nn.Linear(4, 3)
    sd = {k: v.detach().clone() for k, v in src.state_dict().items()}
    edit(sd)
    return L.nn.Linear(4, 3).load_state_dict(sd, strict=strict)


def _drop_bias(sd: dict) -> None:
    del sd["bias"]


def _add_extra(sd: dict) -> None:
    sd["extra"] = sd["bias"]


def _wrong_shape(sd: dict) -> None:
    sd["weight"] = sd["weight"][:, :3].clone()



def _hook_returns(make: Callable[[Lib], Any], leaf: bool = False) -> Callable[[Lib], Any]:
    """A backward whose hook (on a leaf, or on an intermediate) returns ``make(L)``."""
    def build(L: Lib) -> Any:
        x = L.t((3,), requires_grad=True)
        y = x * 2

        def _bad(g: Any) -> Any:
            return make(L)

        (x if leaf else y).register_hook(_bad)
        (y * 1).sum().backward()
        return x.grad
    return build



def _relu_inplace_then_edit(L: Lib) -> Any:
    """relu(inplace=True) saves its output, which is the tensor add_ then changes."""
    y = L.t((3,), requires_grad=True) * 1.0
    L.F.relu(y, inplace=True).add_(1.0)
    y.sum().backward()

def _param_in_two_groups(L: Lib) -> Any:
    p = L.m.nn.Parameter(L.t((2,)))
    return L.m.optim.SGD([{"params": [p]}, {"params": [p], "lr": 0.5}], lr=0.1)


def _param_added_again(L: Lib) -> Any:
    p, q = L.m.nn.Parameter(L.t((2,))), L.m.nn.Parameter(L.t((2,)))
    opt = L.m.optim.Adam([p, q])
    opt.add_param_group({"params": [q]})
    return opt


SHAPE_2x3 = r"\[2, 3\]|2x3"
CATALOGUE = [
    # ------------------------------------------------------------------ conv2d: rank and shapes
    Case("conv2d 2-D input", lambda L: L.F.conv2d(L.t((8, 8)), L.t((1, 1, 3, 3))),
         RuntimeError, (r"3D .*4D", r"\[8, 8\]")),
    Case("conv2d 5-D input", lambda L: L.F.conv2d(L.t((1, 1, 1, 8, 8)), L.t((1, 1, 3, 3))),
         RuntimeError, (r"\[1, 1, 1, 8, 8\]",)),
    Case("Conv2d(3, ...) on a 1-channel input",
         lambda L: L.mod(L.nn.Conv2d(3, 4, 3))(L.t((2, 1, 8, 8))),
         RuntimeError, (r"3 channels", r"got 1 channels", r"\[2, 1, 8, 8\]")),
    Case("conv2d weight channels mismatch (unbatched)",
         lambda L: L.F.conv2d(L.t((2, 8, 8)), L.t((4, 3, 3, 3))),
         RuntimeError, (r"3 channels", r"got 2 channels", r"\[4, 3, 3, 3\]")),
    Case("conv2d 3-D weight", lambda L: L.F.conv2d(L.t((1, 1, 8, 8)), L.t((1, 1, 3))),
         RuntimeError, (r"weight", r"\[1, 1, 3\]")),
    Case("conv2d kernel larger than padded input",
         lambda L: L.F.conv2d(L.t((1, 1, 2, 2)), L.t((1, 1, 5, 5)), padding=1),
         RuntimeError, (r"padded input size.*\(4 x 4\)", r"Kernel size: \(5 x 5\)")),
    Case("conv2d dilated kernel larger than input",
         lambda L: L.F.conv2d(L.t((1, 1, 5, 5)), L.t((1, 1, 3, 3)), dilation=3),
         RuntimeError, (r"\(5 x 5\)", r"Kernel size: \(7 x 7\)")),
    Case("conv2d zero stride", lambda L: L.F.conv2d(L.t((1, 1, 8, 8)), L.t((1, 1, 3, 3)),
                                                    stride=0),
         RuntimeError, (r"stride",)),
    Case("conv2d negative stride", lambda L: L.F.conv2d(L.t((1, 1, 8, 8)), L.t((1, 1, 3, 3)),
                                                        stride=-1),
         RuntimeError, (r"stride",)),
    Case("Conv2d module zero stride", lambda L: L.mod(L.nn.Conv2d(1, 1, 3, stride=0))(
        L.t((1, 1, 8, 8))), RuntimeError, (r"stride",)),
    Case("conv2d zero dilation", lambda L: L.F.conv2d(L.t((1, 1, 8, 8)), L.t((1, 1, 3, 3)),
                                                      dilation=0),
         RuntimeError, (r"dilation",)),
    Case("conv2d negative padding", lambda L: L.F.conv2d(L.t((1, 1, 8, 8)), L.t((1, 1, 3, 3)),
                                                         padding=-1),
         RuntimeError, (r"negative padding",)),
    Case("conv2d zero-size kernel", lambda L: L.F.conv2d(L.t((1, 1, 8, 8)), L.t((1, 1, 0, 3))),
         RuntimeError, (r"kernel size should be greater than zero", r"kernel_height: 0")),
    Case("Conv2d module kernel (0, 1)", lambda L: L.mod(L.nn.Conv2d(1, 1, (0, 1)))(
        L.t((1, 1, 8, 8))), RuntimeError, (r"kernel size", r"kernel_height: 0")),
    Case("conv2d stride of 3 values", lambda L: L.F.conv2d(L.t((1, 1, 8, 8)), L.t((1, 1, 3, 3)),
                                                           stride=(1, 1, 1)),
         RuntimeError, (r"stride", r"\[1, 1, 1\]")),
    Case("conv2d float stride", lambda L: L.F.conv2d(L.t((1, 1, 8, 8)), L.t((1, 1, 3, 3)),
                                                     stride=1.5),
         TypeError, (r"stride", r"float")),
    Case("conv2d groups do not divide in-channels",
         lambda L: L.F.conv2d(L.t((1, 3, 8, 8)), L.t((4, 1, 3, 3)), groups=2),
         RuntimeError, (r"groups=2", r"\[1, 3, 8, 8\]", r"2 channels")),
    Case("conv2d groups do not divide out-channels",
         lambda L: L.F.conv2d(L.t((1, 4, 8, 8)), L.t((3, 2, 3, 3)), groups=2),
         RuntimeError, (r"groups=2", r"\[3, 2, 3, 3\]")),
    Case("conv2d zero groups", lambda L: L.F.conv2d(L.t((1, 1, 8, 8)), L.t((1, 1, 3, 3)),
                                                    groups=0),
         RuntimeError, (r"groups",)),
    Case("conv2d float groups", lambda L: L.F.conv2d(L.t((1, 1, 8, 8)), L.t((1, 1, 3, 3)),
                                                     groups=1.5),
         TypeError, (r"groups", r"float")),
    Case("Conv2d(3, 4, groups=2) module", lambda L: L.nn.Conv2d(3, 4, 3, groups=2),
         ValueError, (r"in_channels must be divisible by groups",)),
    Case("Conv2d groups=0 module", lambda L: L.nn.Conv2d(3, 4, 3, groups=0),
         ValueError, (r"groups",)),
    Case("conv2d bias of wrong size",
         lambda L: L.F.conv2d(L.t((1, 1, 8, 8)), L.t((4, 1, 3, 3)), L.t((3,))),
         RuntimeError, (r"bias", r"4 elements", r"\[3\]")),
    Case("conv2d float64 input, float32 weight",
         lambda L: L.F.conv2d(L.t((1, 1, 8, 8), "float64"), L.t((1, 1, 3, 3))),
         RuntimeError, (r"Double", r"Float")),
    Case("conv2d float32 input, float64 weight",
         lambda L: L.F.conv2d(L.t((1, 1, 8, 8)), L.t((1, 1, 3, 3), "float64")),
         RuntimeError, (r"Float", r"Double")),
    Case("conv2d float64 bias", lambda L: L.F.conv2d(L.t((1, 1, 8, 8)), L.t((1, 1, 3, 3)),
                                                     L.t((1,), "float64")),
         RuntimeError, (r"bias", r"Double")),
    Case("conv2d padding string", lambda L: L.F.conv2d(L.t((1, 1, 8, 8)), L.t((1, 1, 3, 3)),
                                                       padding="full"),
         RuntimeError, (r"padding", r"'full'")),
    Case("conv2d padding='same' with stride 2",
         lambda L: L.F.conv2d(L.t((1, 1, 8, 8)), L.t((1, 1, 3, 3)), stride=2, padding="same"),
         RuntimeError, (r"padding='same'", r"strided")),
    # ------------------------------------------------------------------------------ pooling
    Case("max_pool2d 2-D input", lambda L: L.F.max_pool2d(L.t((8, 8)), 2),
         RuntimeError, (r"3D or 4D", r"\[8, 8\]")),
    Case("max_pool2d 5-D input", lambda L: L.F.max_pool2d(L.t((1, 1, 1, 8, 8)), 2),
         RuntimeError, (r"3D or 4D", r"\[1, 1, 1, 8, 8\]")),
    Case("avg_pool2d 2-D input", lambda L: L.F.avg_pool2d(L.t((8, 8)), 2),
         IndexError, (r"Dimension out of range", r"\[8, 8\]")),
    Case("max_pool2d zero channels", lambda L: L.F.max_pool2d(L.t((1, 0, 8, 8)), 2),
         RuntimeError, (r"\[1, 0, 8, 8\]",)),
    Case("max_pool2d padding above half the kernel",
         lambda L: L.F.max_pool2d(L.t((1, 1, 8, 8)), 2, padding=2),
         RuntimeError, (r"pad should be at most half", r"pad=2", r"kernel_size=2")),
    Case("MaxPool2d module padding above half the kernel",
         lambda L: L.mod(L.nn.MaxPool2d(3, padding=2))(L.t((1, 1, 8, 8))),
         RuntimeError, (r"pad should be at most half", r"pad=2", r"kernel_size=3")),
    Case("avg_pool2d padding above half the kernel",
         lambda L: L.F.avg_pool2d(L.t((1, 1, 8, 8)), 2, padding=2),
         RuntimeError, (r"pad should be at most half", r"pad=2", r"kernel_size=2")),
    Case("max_pool2d negative padding", lambda L: L.F.max_pool2d(L.t((1, 1, 8, 8)), 2,
                                                                 padding=-1),
         RuntimeError, (r"pad must be non-negative", r"-1")),
    # the stride defaults to the kernel size, and torch checks it first
    Case("max_pool2d zero kernel", lambda L: L.F.max_pool2d(L.t((1, 1, 8, 8)), 0),
         RuntimeError, (r"^stride should not be zero$",)),
    Case("avg_pool2d zero kernel", lambda L: L.F.avg_pool2d(L.t((1, 1, 8, 8)), 0),
         RuntimeError, (r"^stride should not be zero$",)),
    Case("avg_pool1d zero kernel", lambda L: L.F.avg_pool1d(L.t((1, 1, 8)), 0),
         RuntimeError, (r"^stride should not be zero$",)),
    Case("max_pool2d zero kernel, stride 1",
         lambda L: L.F.max_pool2d(L.t((1, 1, 8, 8)), 0, 1),
         RuntimeError, (r"kernel size should be greater than zero", r"kH: 0")),
    Case("max_pool2d negative kernel", lambda L: L.F.max_pool2d(L.t((1, 1, 8, 8)), -1),
         RuntimeError, (r"kernel size should be greater than zero", r"kH: -1")),
    Case("max_pool2d zero stride", lambda L: L.F.max_pool2d(L.t((1, 1, 8, 8)), 2, stride=0),
         RuntimeError, (r"stride should not be zero",)),
    Case("avg_pool2d negative stride", lambda L: L.F.avg_pool2d(L.t((1, 1, 8, 8)), 2,
                                                                stride=-1),
         RuntimeError, (r"stride should be greater than zero", r"dH: -1")),
    Case("max_pool2d zero dilation", lambda L: L.F.max_pool2d(L.t((1, 1, 8, 8)), 2,
                                                              dilation=0),
         RuntimeError, (r"dilation should be greater than zero",)),
    Case("max_pool2d kernel larger than input", lambda L: L.F.max_pool2d(L.t((1, 1, 2, 2)), 3),
         RuntimeError, (r"\(1x2x2\)", r"\(1x0x0\)", r"too small")),
    Case("avg_pool2d kernel larger than input", lambda L: L.F.avg_pool2d(L.t((1, 1, 2, 2)), 3),
         RuntimeError, (r"\(1x2x2\)", r"too small")),
    Case("max_pool2d kernel of 3 values", lambda L: L.F.max_pool2d(L.t((1, 1, 8, 8)),
                                                                   (2, 2, 2)),
         RuntimeError, (r"kernel_size",)),
    Case("avg_pool2d divisor_override=0",
         lambda L: L.F.avg_pool2d(L.t((1, 1, 8, 8)), 2, divisor_override=0),
         RuntimeError, (r"divisor",)),
    # ---------------------------------------------------------------------- 3-D layers
    Case("conv3d 3-D input", lambda L: L.F.conv3d(L.t((4, 5, 5)), L.t((3, 1, 2, 2, 2))),
         RuntimeError, (r"Expected 4D \(unbatched\) or 5D \(batched\) input to conv3d",
                        r"\[4, 5, 5\]")),
    Case("conv3d 4-D weight", lambda L: L.F.conv3d(L.t((1, 2, 4, 5, 5)), L.t((3, 2, 2, 2))),
         RuntimeError, (r"list of 2 values", r"stride=\[1, 1, 1\]")),
    Case("conv3d kernel larger than padded input",
         lambda L: L.F.conv3d(L.t((1, 2, 4, 5, 5)), L.t((3, 2, 9, 2, 2)), padding=(1, 0, 0)),
         RuntimeError, (r"padded input size per channel: \(6 x 5 x 5\)",
                        r"Kernel size: \(9 x 2 x 2\)")),
    Case("conv3d zero stride",
         lambda L: L.F.conv3d(L.t((1, 2, 4, 5, 5)), L.t((3, 2, 2, 2, 2)), stride=(1, 0, 1)),
         RuntimeError, (r"non-positive stride is not supported",)),
    Case("conv3d zero dilation",
         lambda L: L.F.conv3d(L.t((1, 2, 4, 5, 5)), L.t((3, 2, 2, 2, 2)), dilation=0),
         RuntimeError, (r"non-positive dilation is not supported",)),
    Case("conv3d channel mismatch", lambda L: L.F.conv3d(L.t((1, 2, 4, 5, 5)),
                                                         L.t((3, 3, 2, 2, 2))),
         RuntimeError, (r"weight of size \[3, 3, 2, 2, 2\]", r"to have 3 channels",
                        r"got 2 channels")),
    Case("conv3d bias of wrong size",
         lambda L: L.F.conv3d(L.t((1, 2, 4, 5, 5)), L.t((3, 2, 2, 2, 2)), L.t((4,))),
         RuntimeError, (r"bias to be 1-dimensional with 3 elements", r"\[4\]")),
    Case("conv3d stride of 2 values",
         lambda L: L.F.conv3d(L.t((1, 2, 4, 5, 5)), L.t((3, 2, 2, 2, 2)), stride=(1, 2)),
         RuntimeError, (r"list of 3 values", r"stride=\[1, 2\]")),
    Case("conv3d float64 input, float32 weight",
         lambda L: L.F.conv3d(L.t((1, 2, 4, 5, 5), "float64"), L.t((3, 2, 2, 2, 2))),
         RuntimeError, (r"expected scalar type Double but found Float",)),
    Case("conv3d padding='same' with stride 2",
         lambda L: L.F.conv3d(L.t((1, 2, 4, 5, 5)), L.t((3, 2, 2, 2, 2)), stride=2,
                              padding="same"),
         RuntimeError, (r"padding='same' is not supported for strided convolutions",)),
    Case("conv_transpose3d 3-D input",
         lambda L: L.F.conv_transpose3d(L.t((4, 5, 5)), L.t((1, 3, 2, 2, 2))),
         RuntimeError, (r"Expected 4D \(unbatched\) or 5D \(batched\) input to "
                        r"conv_transpose3d",)),
    Case("conv_transpose3d output_padding not below stride or dilation",
         lambda L: L.F.conv_transpose3d(L.t((1, 2, 3, 3, 3)), L.t((2, 3, 2, 2, 2)),
                                        output_padding=(0, 2, 0)),
         RuntimeError, (r"output padding must be smaller than either stride or dilation",
                        r"output_padding_depth: 0 output_padding_height: 2",
                        r"dilation_width: 1")),
    Case("conv_transpose3d channel mismatch",
         lambda L: L.F.conv_transpose3d(L.t((1, 2, 3, 3, 3)), L.t((3, 2, 2, 2, 2))),
         RuntimeError, (r"Given transposed=1, weight of size \[3, 2, 2, 2, 2\]",
                        r"to have 3 channels")),
    Case("max_pool3d 3-D input", lambda L: L.F.max_pool3d(L.t((4, 5, 5)), 2),
         RuntimeError, (r"non-empty 4D or 5D \(batch mode\) tensor expected for input",)),
    Case("max_pool3d kernel larger than input",
         lambda L: L.F.max_pool3d(L.t((1, 2, 4, 5, 5)), 9),
         RuntimeError, (r"Given input size: \(2x4x5x5\)",
                        r"Calculated output size: \(2x0x0x0\)", r"Output size is too small")),
    Case("max_pool3d zero stride", lambda L: L.F.max_pool3d(L.t((1, 2, 4, 5, 5)), 2, 0),
         RuntimeError, (r"stride should not be zero",)),
    Case("max_pool3d padding above half the effective kernel",
         lambda L: L.F.max_pool3d(L.t((1, 2, 4, 5, 5)), 2, padding=2),
         RuntimeError, (r"pad should be at most half of effective kernel size",
                        r"pad=2, kernel_size=2 and dilation=1")),
    Case("max_pool3d padding above kernel/2 with dilation",
         lambda L: L.F.max_pool3d(L.t((1, 2, 4, 5, 5)), 3, padding=(2, 1, 1), dilation=2),
         RuntimeError, (r"pad should be smaller than or equal to half of kernel size",
                        r"kT: 3 kW: 3 kH: 3 padT: 2 padW: 1 padH: 1")),
    Case("max_pool3d zero dilation",
         lambda L: L.F.max_pool3d(L.t((1, 2, 4, 5, 5)), 2, dilation=(1, 0, 1)),
         RuntimeError, (r"dilation should be greater than zero, but got dilationT: 1 "
                        r"dilationH: 0 dilationW: 1",)),
    Case("max_pool3d of a bool tensor",
         lambda L: L.F.max_pool3d(L.m.ones(1, 1, 2, 2, 2, dtype=L.m.bool), 2),
         NotImplementedError, (r"max_pool3d", r"Bool")),
    Case("avg_pool3d 3-D input", lambda L: L.F.avg_pool3d(L.t((4, 5, 5)), 2),
         RuntimeError, (r"non-empty 4D or 5D \(batch mode\) tensor expected for input",)),
    Case("avg_pool3d kernel larger than input",
         lambda L: L.F.avg_pool3d(L.t((1, 2, 2, 5, 5)), 3, padding=1),
         RuntimeError, (r"input image \(T: 2 H: 5 W: 5\) smaller than kernel size "
                        r"\(kT: 3 kH: 3 kW: 3\)",)),
    Case("avg_pool3d zero stride", lambda L: L.F.avg_pool3d(L.t((1, 2, 4, 5, 5)), 2, 0),
         RuntimeError, (r"stride should not be zero",)),
    Case("avg_pool3d negative padding",
         lambda L: L.F.avg_pool3d(L.t((1, 2, 4, 5, 5)), 2, padding=-1),
         RuntimeError, (r"pad must be non-negative, but got pad: -1",)),
    Case("avg_pool3d divisor_override=0",
         lambda L: L.F.avg_pool3d(L.t((1, 2, 4, 5, 5)), 2, divisor_override=0),
         RuntimeError, (r"divisor must be not zero",)),
    Case("adaptive_avg_pool3d 3-D input",
         lambda L: L.F.adaptive_avg_pool3d(L.t((4, 5, 5)), 2),
         RuntimeError, (r"adaptive_avg_pool3d\(\): Expected 4D or 5D tensor",
                        r"\[4, 5, 5\]")),
    Case("adaptive_avg_pool3d output_size of 2 values",
         lambda L: L.F.adaptive_avg_pool3d(L.t((1, 2, 4, 5, 5)), (2, 3)),
         RuntimeError, (r"adaptive_avg_pool3d: output_size must be 3",)),
    Case("adaptive_avg_pool3d negative output_size",
         lambda L: L.F.adaptive_avg_pool3d(L.t((1, 2, 4, 5, 5)), (2, -1, 2)),
         RuntimeError, (r"elements of output_size must be greater than or equal to 0",)),
    Case("adaptive_avg_pool3d empty depth",
         lambda L: L.F.adaptive_avg_pool3d(L.t((1, 2, 0, 5, 5)), 2),
         RuntimeError, (r"non-zero size for non-batch dimensions", r"dimension 2 being empty")),
    Case("BatchNorm3d 4-D input", lambda L: L.nn.BatchNorm3d(2)(L.t((2, 4, 5, 5))),
         ValueError, (r"expected 5D input \(got 4D input\)",)),
    Case("InstanceNorm3d 3-D input", lambda L: L.nn.InstanceNorm3d(2)(L.t((2, 4, 5))),
         ValueError, (r"expected 4D or 5D input \(got 3D input\)",)),
    # -------------------------------------------------------------------------- activations
    Case("softmax dim out of range", lambda L: L.F.softmax(L.t((2, 3)), 2),
         IndexError, (r"Dimension out of range", r"\[-2, 1\]", r"got 2")),
    Case("log_softmax dim out of range", lambda L: L.F.log_softmax(L.t((2, 3)), -3),
         IndexError, (r"Dimension out of range", r"got -3")),
    Case("softmax of a 0-d tensor along dim 1", lambda L: L.F.softmax(L.t(()), 1),
         IndexError, (r"Dimension out of range", r"\[-1, 0\]")),
    Case("Softmax module dim out of range", lambda L: L.nn.Softmax(dim=3)(L.t((2, 3))),
         IndexError, (r"Dimension out of range", r"got 3")),
    Case("softmax of an int tensor", lambda L: L.F.softmax(L.long([1, 2]), 0),
         NotImplementedError, (r"not implemented for 'Long'",)),
    Case("log_softmax of an int tensor", lambda L: L.F.log_softmax(L.long([1, 2]), 0),
         NotImplementedError, (r"not implemented for 'Long'",)),
    # ------------------------------------------------------------------------------- linear
    Case("Linear(4, 3) on 5 features", lambda L: L.mod(L.nn.Linear(4, 3))(L.t((2, 5))),
         RuntimeError, (r"cannot be multiplied", r"2x5", r"4x3")),
    Case("linear on a 0-d input", lambda L: L.F.linear(L.t(()), L.t((3, 4))),
         RuntimeError, (r"at least 1D", r"0D")),
    Case("linear with a 3-D weight", lambda L: L.F.linear(L.t((2, 4)), L.t((1, 3, 4))),
         RuntimeError, (r"3D",)),
    Case("linear float64 input, float32 weight",
         lambda L: L.F.linear(L.t((2, 4), "float64"), L.t((3, 4))),
         RuntimeError, (r"(?i)double", r"(?i)float")),
    Case("linear float64 bias", lambda L: L.F.linear(L.t((2, 4)), L.t((3, 4)),
                                                     L.t((3,), "float64")),
         RuntimeError, (r"Double", r"Float")),
    Case("linear bias of wrong size", lambda L: L.F.linear(L.t((2, 4)), L.t((3, 4)),
                                                           L.t((5,))),
         RuntimeError, (r"\(3\)", r"\(5\)", r"\[2, 3\]")),
    # ------------------------------------------------------------------------------- matmul
    Case("matmul (2,3) @ (4,5)", lambda L: L.t((2, 3)) @ L.t((4, 5)),
         RuntimeError, (r"2x3", r"4x5")),
    Case("matmul 1-D @ 1-D of different length", lambda L: L.t((3,)) @ L.t((4,)),
         RuntimeError, (r"\[3\]", r"\[4\]")),
    Case("matmul batched inner mismatch", lambda L: L.t((2, 3, 4)) @ L.t((2, 5, 6)),
         RuntimeError, (r"\[2, 4\]", r"\[2, 5\]")),
    Case("matmul batch dims do not broadcast", lambda L: L.t((2, 3, 4)) @ L.t((3, 4, 5)),
         RuntimeError, (r"size of tensor a \(2\)", r"tensor b \(3\)")),
    Case("matmul 4-D @ 3-D batch mismatch", lambda L: L.t((2, 3, 3, 4)) @ L.t((5, 4, 2)),
         RuntimeError, (r"\(3\)", r"\(5\)")),
    Case("matmul 2-D @ 1-D mismatch", lambda L: L.t((2, 3)) @ L.t((4,)),
         RuntimeError, (r"2x3", r"\(4\)")),
    Case("matmul 0-d operand", lambda L: L.t(()) @ L.t((3,)),
         RuntimeError, (r"at least 1D", r"0D")),
    Case("matmul float32 @ float64", lambda L: L.t((2, 3)) @ L.t((3, 2), "float64"),
         RuntimeError, (r"same dtype", r"float32", r"float64")),
    Case("matmul int64 @ float32", lambda L: L.t((2, 3), "int64") @ L.t((3, 2)),
         RuntimeError, (r"same dtype", r"int64", r"float32")),
    Case("matmul bool @ bool", lambda L: L.t((2, 3), "bool") @ L.t((3, 2), "bool"),
         NotImplementedError, (r"Bool",)),
    Case("mm of a 1-D tensor", lambda L: L.m.mm(L.t((3,)), L.t((3, 2))),
         RuntimeError, (r"matrix",)),
    # ------------------------------------------------------------- elementwise broadcasting
    Case("add (2,3) + (4,)", lambda L: L.t((2, 3)) + L.t((4,)),
         RuntimeError, (r"size of tensor a \(3\)", r"tensor b \(4\)", r"dimension 1")),
    Case("mul (2,3) * (2,)", lambda L: L.t((2, 3)) * L.t((2,)),
         RuntimeError, (r"\(3\)", r"\(2\)", r"dimension 1")),
    Case("sub (5,1,3) - (4,2)", lambda L: L.t((5, 1, 3)) - L.t((4, 2)),
         RuntimeError, (r"\(3\)", r"\(2\)")),
    Case("div (2,3) / (2,)", lambda L: L.t((2, 3)) / L.t((2,)), RuntimeError, (r"\(3\)",)),
    Case("pow (2,3) ** (2,)", lambda L: L.t((2, 3)) ** L.t((2,)), RuntimeError, (r"\(3\)",)),
    Case("maximum (2,3), (2,)", lambda L: L.m.maximum(L.t((2, 3)), L.t((2,))),
         RuntimeError, (r"\(3\)", r"\(2\)")),
    Case("lt (2,3) < (2,)", lambda L: L.t((2, 3)) < L.t((2,)), RuntimeError, (r"\(3\)",)),
    Case("where with mismatched branches",
         lambda L: L.m.where(L.t((2, 3), "bool"), L.t((4,)), L.t((2, 3))),
         RuntimeError, (r"\(3\)|\(4\)", r"dimension 1")),
    Case("where with a float condition",
         lambda L: L.m.where(L.t((2, 3)), L.t((2, 3)), L.t((2, 3))),
         RuntimeError, (r"condition", r"boolean", r"Float")),
    Case("in-place add_ that would broadcast the target",
         lambda L: L.t((3,)).add_(L.t((2, 3))),
         RuntimeError, (r"\[3\]", r"\[2, 3\]")),
    Case("in-place add_ of a float into an int tensor",
         lambda L: L.long([1, 2, 3]).add_(L.t((3,))),
         RuntimeError, (r"Float", r"Long")),
    Case("in-place div_ of an int tensor", lambda L: L.long([1, 2, 3]).div_(2),
         RuntimeError, (r"Float", r"Long")),
    Case("mse_loss shapes do not broadcast", lambda L: L.F.mse_loss(L.t((2, 3)), L.t((4,))),
         RuntimeError, (r"\(3\)", r"\(4\)")),
    Case("l1_loss shapes do not broadcast", lambda L: L.F.l1_loss(L.t((2, 3)), L.t((4,))),
         RuntimeError, (r"\(3\)", r"\(4\)")),
    Case("mse_loss on int tensors", lambda L: L.F.mse_loss(L.long([1]), L.long([2])),
         NotImplementedError, (r"Long",)),
    # ------------------------------------------------------------- shapes and reductions
    Case("reshape to a wrong size", lambda L: L.t((2, 3)).reshape(4, 4),
         RuntimeError, (r"\[4, 4\]", r"size 6")),
    Case("view with two -1", lambda L: L.t((6,)).view(-1, -1),
         RuntimeError, (r"only one dimension can be inferred",)),
    Case("view of a transposed tensor", lambda L: L.t((2, 3)).t().view(6),
         RuntimeError, (r"view size is not compatible", r"reshape")),
    Case("permute with the wrong number of dims", lambda L: L.t((2, 3)).permute(0),
         RuntimeError, (r"input.dim\(\) = 2", r"len\(dims\) = 1")),
    Case("permute with a repeated dim", lambda L: L.t((2, 3)).permute(0, 0),
         RuntimeError, (r"duplicate dims",)),
    Case("sum over a dim out of range", lambda L: L.t((2, 3)).sum(2),
         IndexError, (r"Dimension out of range", r"\[-2, 1\]", r"got 2")),
    Case("mean over a repeated dim", lambda L: L.t((2, 3)).mean((1, -1)),
         RuntimeError, (r"dim 1 appears multiple times",)),
    Case("mean of an int tensor", lambda L: L.long([1, 2]).mean(),
         RuntimeError, (r"mean\(\)", r"Long")),
    Case("max(dim) out of range", lambda L: L.t((2, 3)).max(3),
         IndexError, (r"Dimension out of range", r"got 3")),
    Case("max of an empty tensor", lambda L: L.t((0,)).max(),
         RuntimeError, (r"numel\(\) == 0", r"dim")),
    Case("transpose out of range", lambda L: L.t((2, 3)).transpose(0, 2),
         IndexError, (r"Dimension out of range", r"got 2")),
    Case("unsqueeze out of range", lambda L: L.t((2,)).unsqueeze(3),
         IndexError, (r"Dimension out of range", r"\[-2, 1\]")),
    Case("flatten with start after end", lambda L: L.t((2, 3, 4)).flatten(2, 1),
         RuntimeError, (r"start_dim cannot come after end_dim",)),
    Case("Flatten module dim out of range", lambda L: L.nn.Flatten(2)(L.t((2, 3))),
         IndexError, (r"Dimension out of range", r"got 2")),
    Case("expand to fewer dims", lambda L: L.t((2, 3)).expand(3),
         RuntimeError, (r"\[2, 3\]", r"number of sizes provided \(1\)")),
    Case("expand a non-singleton dim", lambda L: L.t((2, 3)).expand(2, 4),
         RuntimeError, (r"expanded size of the tensor \(4\)", r"existing size \(3\)")),
    Case("repeat with fewer dims", lambda L: L.t((2, 3)).repeat(2),
         RuntimeError, (r"repeat dims",)),
    Case("chunk into 0 pieces", lambda L: L.t((4,)).chunk(0),
         RuntimeError, (r"chunks", r"got: 0")),
    Case("split of size 0", lambda L: L.t((4,)).split(0),
         RuntimeError, (r"split_size", r"size of 4")),
    Case("cat of different ranks", lambda L: L.m.cat([L.t((2, 3)), L.t((2,))]),
         RuntimeError, (r"same number of dimensions", r"got 2 and 1")),
    Case("cat of mismatched sizes", lambda L: L.m.cat([L.t((2, 3)), L.t((2, 4))]),
         RuntimeError, (r"Expected size 3 but got size 4", r"tensor number 1")),
    Case("cat of nothing", lambda L: L.m.cat([]), ValueError, (r"non-empty",)),
    Case("cat along a dim out of range", lambda L: L.m.cat([L.t((2, 3)), L.t((2, 3))], 2),
         IndexError, (r"Dimension out of range", r"got 2")),
    Case("stack of mismatched sizes", lambda L: L.m.stack([L.t((2, 3)), L.t((3, 3))]),
         RuntimeError, (r"\[2, 3\] at entry 0", r"\[3, 3\] at entry 1")),
    Case("index out of range", lambda L: L.t((3,))[5],
         IndexError, (r"index 5 is out of bounds for dimension 0 with size 3",)),
    Case("index with a tensor out of range", lambda L: L.t((3,))[L.long([5])],
         IndexError, (r"5", r"size 3")),
    Case("index with a float tensor", lambda L: L.t((3,))[L.t((1,))],
         IndexError, (r"tensors used as indices must be long",)),
    Case("too many indices", lambda L: L.t((3,))[0, 0],
         IndexError, (r"too many indices for tensor of dimension 1",)),
    Case("item of a 3-element tensor", lambda L: L.t((3,)).item(),
         RuntimeError, (r"3 elements",)),
    Case("bool of a 3-element tensor", lambda L: bool(L.t((3,))),
         RuntimeError, (r"more than one value is ambiguous",)),
    Case("clamp with neither bound", lambda L: L.t((3,)).clamp(),
         RuntimeError, (r"min", r"max")),
    Case("pad of odd length", lambda L: L.F.pad(L.t((3, 3)), (1,)),
         RuntimeError, (r"divisible by 2",)),
    Case("pad longer than the input's dims", lambda L: L.F.pad(L.t((3,)), (1, 1, 1, 1)),
         RuntimeError, (r"padding length 4", r"dimension 1")),
    # ------------------------------------------------------------------------ cross_entropy
    Case("cross_entropy label out of range", lambda L: L.F.cross_entropy(
        L.t((3, 4)), L.long([0, 4, 2])), IndexError, (r"Target 4 is out of bounds",)),
    Case("cross_entropy negative label", lambda L: L.F.cross_entropy(
        L.t((3, 4)), L.long([0, -1, 2])), IndexError, (r"Target -1 is out of bounds",)),
    Case("CrossEntropyLoss label out of range", lambda L: L.nn.CrossEntropyLoss()(
        L.t((3, 4)), L.long([0, 1, 7])), IndexError, (r"Target 7 is out of bounds",)),
    Case("cross_entropy spatial label out of range", lambda L: L.F.cross_entropy(
        L.t((1, 3, 2, 2)), L.long([[[0, 1], [2, 3]]])), IndexError, (r"Target 3",)),
    Case("cross_entropy float labels (N,)", lambda L: L.F.cross_entropy(
        L.t((3, 4)), L.t(values=[0.0, 1.0, 2.0])), RuntimeError, (r"Long", r"Float", r"\[3\]")),
    Case("cross_entropy float targets of the wrong shape", lambda L: L.F.cross_entropy(
        L.t((3, 4)), L.t((3, 5))), RuntimeError, (r"\[3, 5\]",)),
    Case("cross_entropy bool labels", lambda L: L.F.cross_entropy(
        L.t((3, 4)), L.t((3,), "bool")), RuntimeError, (r"Bool",)),
    Case("cross_entropy labels of shape (N, 1)", lambda L: L.F.cross_entropy(
        L.t((3, 4)), L.long([[0], [1], [2]])), RuntimeError, (r"\[3, 1\]",)),
    Case("cross_entropy batch sizes differ", lambda L: L.F.cross_entropy(
        L.t((3, 4)), L.long([0, 1])), ValueError, (r"batch_size \(3\)", r"batch_size \(2\)")),
    Case("cross_entropy 2-D input, 0-d label", lambda L: L.F.cross_entropy(
        L.t((2, 4)), L.long(1)), ValueError, (r"batch_size \(2\)",)),
    Case("cross_entropy 1-D input, 2 labels", lambda L: L.F.cross_entropy(
        L.t((4,)), L.long([1, 2])), ValueError, (r"1D target must have size 1", r"2")),
    Case("cross_entropy spatial label shape", lambda L: L.F.cross_entropy(
        L.t((2, 4, 3, 3)), L.long(np.zeros((2, 3, 2), dtype=np.int64))),
        RuntimeError, (r"\[2, 3, 2\]",)),
    Case("cross_entropy class weight of wrong size", lambda L: L.F.cross_entropy(
        L.t((3, 4)), L.long([0, 1, 2]), weight=L.t(values=np.ones(3))),
        RuntimeError, (r"all 4 classes", r"\[3\]")),
    Case("cross_entropy float64 class weight", lambda L: L.F.cross_entropy(
        L.t((3, 4)), L.long([0, 1, 2]), weight=L.t(values=np.ones(4), dtype="float64")),
        RuntimeError, (r"Double|Float",)),
    Case("cross_entropy label_smoothing 1.5", lambda L: L.F.cross_entropy(
        L.t((3, 4)), L.long([0, 1, 2]), label_smoothing=1.5),
        RuntimeError, (r"label_smoothing", r"1.5")),
    Case("cross_entropy bad reduction", lambda L: L.F.cross_entropy(
        L.t((3, 4)), L.long([0, 1, 2]), reduction="avg"), ValueError, (r"avg",)),
    Case("cross_entropy of int logits", lambda L: L.F.cross_entropy(
        L.long(np.ones((3, 4), dtype=np.int64)), L.long([0, 1, 2])),
        NotImplementedError, (r"Long",)),
    Case("cross_entropy target is a list", lambda L: L.F.cross_entropy(L.t((3, 4)), [0, 1, 2]),
         TypeError, (r"target", r"list")),
    Case("nll_loss label out of range", lambda L: L.F.nll_loss(L.t((3, 4)), L.long([0, 9, 2])),
         IndexError, (r"Target 9 is out of bounds",)),
    # ----------------------------------------------------------------------------- autograd
    Case("backward() of a non-scalar", lambda L: (L.t((3,), requires_grad=True) * 2).backward(),
         RuntimeError, (r"grad can be implicitly created only for scalar outputs",)),
    Case("backward() twice through a freed graph", _backward_twice,
         RuntimeError, (r"backward through the graph a second time", r"retain_graph=True")),
    Case("in-place change of a tensor saved for backward", _inplace_after_save,
         RuntimeError, (r"modified by an inplace operation", r"version 1", r"version 0")),
    Case("in-place change of a saved output", _inplace_saved_output,
         RuntimeError, (r"modified by an inplace operation", r"\[3\]")),
    Case("backward() of a tensor without grad", lambda L: L.t((3,)).sum().backward(),
         RuntimeError, (r"does not require grad",)),
    Case("backward() with a gradient of the wrong shape",
         lambda L: (L.t((3,), requires_grad=True) * 2).backward(L.t((2,))),
         RuntimeError, (r"Mismatch in shape", r"\[2\]", r"\[3\]")),
    Case("in-place op on a leaf that requires grad",
         lambda L: L.t((3,), requires_grad=True).add_(1),
         RuntimeError, (r"leaf Variable that requires grad",)),
    Case("requires_grad on an int tensor", lambda L: L.long([1, 2]).requires_grad_(),
         RuntimeError, (r"floating point",)),
    Case("numpy() of a tensor that requires grad",
         lambda L: L.t((3,), requires_grad=True).numpy(),
         RuntimeError, (r"requires grad", r"detach\(\)")),
    # ------------------------------------- edges: what torch refuses, with torch's class
    Case("max_pool2d padding above kernel/2 with dilation",
         lambda L: L.F.max_pool2d(L.t((1, 1, 8, 8)), 2, padding=2, dilation=3),
         RuntimeError, (r"pad should be smaller than or equal to half of kernel size",
                        r"padW = 2", r"kW = 2")),
    Case("max_pool2d padding above kernel/2 (rectangular, dilated)",
         lambda L: L.F.max_pool2d(L.t((1, 1, 8, 8)), (3, 2), padding=(1, 2), dilation=2),
         RuntimeError, (r"pad", r"kernel_size=2", r"dilation=2")),
    Case("MaxPool2d padding above kernel/2 (module)",
         lambda L: L.nn.MaxPool2d(3, padding=2, dilation=2)(L.t((1, 1, 9, 9))),
         RuntimeError, (r"half of kernel size", r"kH = 3")),
    Case("conv2d with zero output channels",
         lambda L: L.F.conv2d(L.t((1, 2, 4, 4)), L.t((0, 2, 3, 3))),
         RuntimeError, (r"at least 1 at dimension 0", r"\[0, 2, 3, 3\]")),
    Case("Conv2d(2, 0, 3)", lambda L: L.mod(L.nn.Conv2d(2, 0, 3))(L.t((1, 2, 4, 4))),
         RuntimeError, (r"at least 1 at dimension 0", r"\[0, 2, 3, 3\]")),
    Case("avg_pool2d float divisor_override",
         lambda L: L.F.avg_pool2d(L.t((1, 1, 4, 4)), 2, divisor_override=2.5),
         TypeError, (r"divisor_override", r"must be int", r"float")),
    Case("avg_pool2d bool divisor_override",
         lambda L: L.F.avg_pool2d(L.t((1, 1, 4, 4)), 2, divisor_override=True),
         TypeError, (r"divisor_override", r"bool")),
    Case("split sizes that do not sum to the dim",
         lambda L: L.t((5,)).split([2, 2]),
         RuntimeError, (r"sum exactly to 5", r"\[2, 2\]")),
    Case("split sizes summing past the dim", lambda L: L.t((5, 2)).split([2, 4]),
         RuntimeError, (r"sum exactly to 5", r"\[2, 4\]")),
    Case("split sizes with a negative entry", lambda L: L.t((4,)).split([5, -1]),
         RuntimeError, (r"non-negative", r"\[5, -1\]")),
    Case("split sizes holding a float", lambda L: L.t((5,)).split([2.0, 3]),
         TypeError, (r"split_sizes", r"float")),
    Case("negative slice step", lambda L: L.t((5,))[::-1],
         ValueError, (r"step must be greater than zero",)),
    Case("negative slice step in a tuple index", lambda L: L.t((5, 2))[1:4:-1, 0],
         ValueError, (r"step must be greater than zero",)),
    Case("tensor from an int beyond int64", lambda L: L.m.tensor([2 ** 63]),
         ValueError, (r"Overflow",)),
    Case("tensor from a negative int beyond int64", lambda L: L.m.tensor(-2 ** 63 - 1),
         ValueError, (r"Overflow",)),
    Case("tensor from a nested int beyond int64", lambda L: L.m.tensor([[1], [2 ** 70]]),
         ValueError, (r"Overflow",)),
    Case("full with an int beyond int64", lambda L: L.m.full((2,), 2 ** 63),
         RuntimeError, (r"int64_t without overflow",)),
    Case("full with an int beyond uint64", lambda L: L.m.full((2,), 2 ** 70),
         OverflowError, (r"int too big",)),
    Case("relu of a bool tensor", lambda L: L.F.relu(L.m.tensor([True, False])),
         RuntimeError, (r"Boolean inputs not supported for relu",)),
    Case("max_pool2d of a bool tensor",
         lambda L: L.F.max_pool2d(L.m.ones(1, 1, 2, 2, dtype=L.m.bool), 2),
         NotImplementedError, (r"max_pool2d", r"Bool")),
    Case("negation of a bool tensor", lambda L: -L.m.tensor([True]),
         RuntimeError, (r"Negation", r"bool")),
    Case("subtraction of bool tensors", lambda L: L.m.tensor([True]) - L.m.tensor([False]),
         RuntimeError, (r"Subtraction", r"bool")),
    Case("abs of a bool tensor", lambda L: L.m.tensor([True]).abs(),
         NotImplementedError, (r"abs", r"Bool")),
    Case("integer to a negative integer power", lambda L: L.long([2, 3]) ** -1,
         RuntimeError, (r"negative integer powers",)),
    Case("zeros with a negative size", lambda L: L.m.zeros(2, -1),
         RuntimeError, (r"negative dimension -1", r"\[2, -1\]")),
    Case("randn with a negative size", lambda L: L.m.randn(-3),
         RuntimeError, (r"negative dimension -3",)),
    Case("arange with step 0", lambda L: L.m.arange(0, 5, 0),
         RuntimeError, (r"step must be nonzero",)),
    Case("arange with a step pointing away", lambda L: L.m.arange(0, 5, -1),
         RuntimeError, (r"inconsistent with step sign",)),
    Case("linspace with negative steps", lambda L: L.m.linspace(0, 1, -1),
         RuntimeError, (r"steps must be non-negative",)),
    Case("randperm(-1)", lambda L: L.m.randperm(-1),
         RuntimeError, (r"n must be greater or equal to 0, got -1",)),
    Case("eye(-1)", lambda L: L.m.eye(-1),
         RuntimeError, (r"n must be greater or equal to 0, got -1",)),
    Case("randint with low >= high", lambda L: L.m.randint(5, 2, (3,)),
         RuntimeError, (r"from=5", r"to=2")),
    Case("argmax of an empty tensor", lambda L: L.t((0,)).argmax(),
         IndexError, (r"argmax\(\)", r"numel\(\) == 0")),
    Case("circular pad wrapping more than once",
         lambda L: L.F.pad(L.t((1, 1, 3, 3)), (4, 4, 0, 0), mode="circular"),
         RuntimeError, (r"wrapping around more than once",)),
    Case("circular pad wrapping past the cropped dim",
         lambda L: L.F.pad(L.t((1, 1, 3, 3)), (-1, 4, 0, 0), mode="circular"),
         RuntimeError, (r"wrapping around more than once",)),
    Case("circular pad cropping below zero",
         lambda L: L.F.pad(L.t((1, 1, 3, 3)), (-2, -2, 0, 0), mode="circular"),
         RuntimeError, (r"empty dimension",)),
    Case("constant pad cropping more than the dim",
         lambda L: L.F.pad(L.t((1, 1, 3, 3)), (-4, 0, 0, 0)),
         RuntimeError, (r"narrow\(\): length must be non-negative", r"\[1, 1, 3, 3\]")),
    Case("replicate pad leaving a negative size",
         lambda L: L.F.pad(L.t((1, 1, 3, 3)), (-2, -2, 0, 0), mode="replicate"),
         RuntimeError, (r"\[1, 1, 3, 3\]",)),
    Case("empty shuffled DataLoader", lambda L: L.m.utils.data.DataLoader(
        L.m.utils.data.TensorDataset(L.t((0, 2))), batch_size=2, shuffle=True),
         ValueError, (r"num_samples should be a positive integer value", r"num_samples=0")),
    Case("RandomSampler with num_samples=-1", lambda L: L.m.utils.data.RandomSampler(
        range(3), num_samples=-1), ValueError, (r"num_samples=-1",)),
    Case("RandomSampler with replacement=1", lambda L: L.m.utils.data.RandomSampler(
        range(3), replacement=1), TypeError, (r"replacement should be a boolean",)),
    Case("TensorDataset of tensors with different first sizes",
         lambda L: L.m.utils.data.TensorDataset(L.t((4, 2)), L.t((3,))), AssertionError,
         (r"Size mismatch between tensors",)),
    # ---------------------------------------------------------- autograd and optimizers
    Case("tensor hook returning a different shape", _hook_returns(lambda L: L.t((1,))),
         RuntimeError, (r"hook '_bad' has changed the size of value",)),
    Case("leaf hook returning a different shape", _hook_returns(lambda L: L.t((3, 1)), True),
         RuntimeError, (r"hook '_bad' has changed the size of value",)),
    Case("tensor hook returning another dtype",
         _hook_returns(lambda L: L.t((3,), dtype="float64")),
         RuntimeError, (r"changed the type of value", r"FloatTensor", r"DoubleTensor")),
    Case("tensor hook returning a float", _hook_returns(lambda L: 3.0),
         TypeError, (r"hook returned 'float'",)),
    Case("a parameter in two optimizer param groups", _param_in_two_groups,
         ValueError, (r"some parameters appear in more than one parameter group",)),
    Case("in-place write into an expanded view",
         lambda L: L.t((1, 3)).expand(2, 3).add_(1.0),
         RuntimeError, (r"more than one element of the written-to tensor",)),
    Case("in-place edit of an in-place activation's saved output", _relu_inplace_then_edit,
         RuntimeError, (r"modified by an inplace operation",)),
    Case("a parameter added again by add_param_group", _param_added_again,
         ValueError, (r"more than one parameter group",)),
    # ---------------------------------------------------------------------- load_state_dict
    Case("load_state_dict missing key (strict)", lambda L: _state_dict(L, _drop_bias),
         RuntimeError, (r"Missing key\(s\) in state_dict", r'"bias"')),
    Case("load_state_dict unexpected key (strict)", lambda L: _state_dict(L, _add_extra),
         RuntimeError, (r"Unexpected key\(s\) in state_dict", r'"extra"')),
    Case("load_state_dict wrong shape (strict)", lambda L: _state_dict(L, _wrong_shape),
         RuntimeError, (r"size mismatch for weight", r"\[3, 3\]", r"\[3, 4\]")),
    Case("load_state_dict wrong shape (non-strict)",
         lambda L: _state_dict(L, _wrong_shape, strict=False),
         RuntimeError, (r"size mismatch for weight", r"\[3, 3\]", r"\[3, 4\]")),
    # ------------------------------------------------------------------------- interpolate
    Case("interpolate size and scale_factor",
         lambda L: L.F.interpolate(L.t((1, 1, 4, 4)), size=3, scale_factor=2), ValueError,
         (r"^only one of size or scale_factor should be defined$",)),
    Case("interpolate neither size nor scale_factor",
         lambda L: L.F.interpolate(L.t((1, 1, 4, 4))), ValueError,
         (r"^either size or scale_factor should be defined$",)),
    Case("interpolate nearest with align_corners",
         lambda L: L.F.interpolate(L.t((1, 1, 4, 4)), scale_factor=2, align_corners=True),
         ValueError, (r"align_corners option can only be set with the interpolating modes",)),
    Case("interpolate size of the wrong length",
         lambda L: L.F.interpolate(L.t((1, 1, 4, 4)), size=(3,)), ValueError,
         (r"same number of spatial dimensions", r"\[4, 4\]", r"\(3,\)")),
    Case("interpolate bilinear on 3-D input",
         lambda L: L.F.interpolate(L.t((1, 1, 4)), scale_factor=2, mode="bilinear"),
         NotImplementedError, (r"^Got 3D input, but bilinear mode needs 4D input$",)),
    Case("interpolate to zero size",
         lambda L: L.F.interpolate(L.t((1, 1, 4, 4)), size=(0, 3)), RuntimeError,
         (r"sizes should be greater than 0", r"\(H: 4, W: 4\)", r"\(H: 0, W: 3\)")),
    Case("cosine_embedding_loss 2-D target",
         lambda L: L.F.cosine_embedding_loss(L.t((2, 3)), L.t((2, 3)), L.t((2, 3))),
         RuntimeError, (r"^0D or 1D target tensor expected, multi-target not supported$",)),
    Case("cosine_embedding_loss 3-D inputs",
         lambda L: L.F.cosine_embedding_loss(L.t((2, 3, 4)), L.t((2, 3, 4)), L.t((2,))),
         RuntimeError, (r"1D target tensor expects 2D input tensors", r"\[2, 3, 4\]")),
    # -------------------------------------------------------------- unfold, fold, shuffle
    Case("unfold blocks do not fit", lambda L: L.F.unfold(L.t((1, 2, 5, 5)), 6), RuntimeError,
         (r"sliding blocks as \(0, 0\)", r"kernel_size=\(6, 6\)")),
    Case("unfold zero kernel", lambda L: L.F.unfold(L.t((1, 2, 5, 5)), 0), RuntimeError,
         (r"^kernel size should be greater than zero, but got kernel_height: 0",)),
    Case("fold channels not divisible", lambda L: L.F.fold(L.t((1, 5, 16)), (5, 6), (2, 3)),
         RuntimeError, (r"divisible by the product of kernel_size", r"input.size\(1\)=5")),
    Case("fold wrong number of blocks", lambda L: L.F.fold(L.t((1, 6, 7)), (5, 6), (2, 3)),
         RuntimeError, (r"4 \* 4 = 16", r"input.size\(2\)=7")),
    Case("pixel_shuffle channels", lambda L: L.F.pixel_shuffle(L.t((1, 5, 2, 2)), 2),
         RuntimeError, (r"input.size\(-3\)=5 is not divisible by 4",)),
    Case("pixel_unshuffle height", lambda L: L.F.pixel_unshuffle(L.t((1, 2, 5, 4)), 2),
         RuntimeError, (r"height to be divisible by downscale_factor", r"=5")),
    Case("dropout1d 4-D input", lambda L: L.F.dropout1d(L.t((1, 2, 3, 4))), RuntimeError,
         (r"dropout1d: Expected 2D or 3D input, but received a 4D input",)),
    # ------------------------------------------------------------- group and instance norm
    Case("group_norm channels not divisible", lambda L: L.F.group_norm(L.t((2, 4, 3)), 3),
         RuntimeError, (r"divisible by num_groups", r"\[2, 4, 3\]", r"num_groups=3")),
    Case("group_norm 1-D input", lambda L: L.F.group_norm(L.t((4,)), 2),
         RuntimeError, (r"at least 2 dimensions", r"received 1")),
    Case("group_norm weight size", lambda L: L.F.group_norm(L.t((2, 4, 3)), 2, L.t((3,))),
         RuntimeError, (r"weight to be a vector of size equal to the number of channels",
                        r"\[3\]", r"\[2, 4, 3\]")),
    Case("GroupNorm(3, 4)", lambda L: L.nn.GroupNorm(3, 4), ValueError,
         (r"num_channels \(4\) must be divisible by num_groups \(3\)",)),
    Case("instance_norm one spatial element", lambda L: L.F.instance_norm(L.t((2, 3, 1))),
         ValueError, (r"more than 1 spatial element", r"\[2, 3, 1\]")),
    Case("InstanceNorm2d(3, affine=True) on 4 channels",
         lambda L: L.mod(L.nn.InstanceNorm2d(3, affine=True))(L.t((2, 4, 3, 3))), ValueError,
         (r"num_features \(3\), but got: 4",)),
]


def _raise_of(fn: Callable[[], Any]) -> BaseException:
    try:
        result = fn()
    except Exception as e:  # noqa: BLE001 - we want whatever it raises
        return e
    pytest.fail(f"no exception raised; returned {type(result).__name__}"
                f"{list(getattr(result, 'shape', []))}: a silent result")


def test_catalogue_ids_are_unique() -> None:
    ids = [c.id for c in CATALOGUE]
    assert len(ids) == len(set(ids))
    assert len(CATALOGUE) >= 100


@pytest.mark.parametrize("case", CATALOGUE, ids=lambda c: c.id)
def test_torch_raises_as_the_table_says(case: Case) -> None:
    err = _raise_of(lambda: case.build(Lib("torch")))
    assert type(err) is case.exc, f"torch raised {type(err).__name__}: {err}"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", CATALOGUE, ids=lambda c: c.id)
def test_minitorch_raises_like_torch(case: Case, backend: str) -> None:
    device = "cuda" if backend == "cuda" else "cpu"
    with minitorch.backends.use_backend("numba" if backend == "cuda" else backend):
        err = _raise_of(lambda: case.build(Lib("minitorch", device)))
    msg = str(err)
    assert type(err) is case.exc, f"raised {type(err).__name__}, torch raises " \
                                  f"{case.exc.__name__}: {msg}"
    for word in case.words:
        assert re.search(word, msg), f"message does not name {word!r}: {msg}"
    assert not FORBIDDEN.search(msg), f"an error from deep inside leaked out: {msg}"


# ------------------------------------------------------------------------------ non-strict
def test_load_state_dict_non_strict_reports_keys_like_torch() -> None:
    for edit in (_drop_bias, _add_extra):
        ours = _state_dict(Lib("minitorch"), edit, strict=False)
        theirs = _state_dict(Lib("torch"), edit, strict=False)
        assert list(ours.missing_keys) == list(theirs.missing_keys)
        assert list(ours.unexpected_keys) == list(theirs.unexpected_keys)


# --------------------------------------------------------------------------- device mismatch
class _FakeCudaArray:
    """A CPU array that is not a NumPy ndarray, as a GPU array is not: a tensor holding it is
    on cuda:0 by the rule every op follows (device-mismatch checks without a GPU)."""

    def __init__(self, array: np.ndarray) -> None:
        self._array = array

    def __getattr__(self, name: str) -> object:
        return getattr(self._array, name)

    def __array_namespace__(self) -> object:
        return np


def _fake_cuda(t: minitorch.Tensor) -> minitorch.Tensor:
    t._data = _FakeCudaArray(t._data)
    assert t.device.type == "cuda"
    return t


@pytest.mark.parametrize("op", ["add", "mul", "conv2d", "matmul", "linear"])
def test_device_mismatch_names_both_devices(op: str) -> None:
    L = Lib("minitorch")
    x = L.t((1, 1, 4, 4) if op == "conv2d" else (2, 3))
    w = _fake_cuda(L.t({"conv2d": (1, 1, 3, 3), "matmul": (3, 2)}.get(op, (2, 3))))
    run = {"add": lambda: x + w, "mul": lambda: x * w,
           "conv2d": lambda: L.F.conv2d(x, w),
           "matmul": lambda: x @ w, "linear": lambda: L.F.linear(x, w)}[op]
    with pytest.raises(RuntimeError, match=r"same device.*cpu and cuda:0"):
        run()


def test_cross_entropy_device_mismatch() -> None:
    L = Lib("minitorch")
    with pytest.raises(RuntimeError, match=r"same device.*cpu and cuda:0"):
        L.F.cross_entropy(L.t((3, 4)), _fake_cuda(L.long([0, 1, 2])))


def test_common_device_logic() -> None:
    L = Lib("minitorch")
    cpu, gpu = L.t((2,)), _fake_cuda(L.t((2,)))
    assert _common_device([cpu, L.t((2,))], "Add") == "cpu"
    assert _common_device([gpu, _fake_cuda(L.t((2,)))], "Add") == "cuda"
    with pytest.raises(RuntimeError, match=r"cuda:0 and cpu! \(in Add\)"):
        _common_device([gpu, cpu], "Add")


@pytest.mark.skipif(not (_HAS_GPU and torch.cuda.is_available()),
                    reason="no CUDA GPU: a real cpu-vs-cuda mismatch needs one")
def test_real_device_mismatch_like_torch() -> None:
    for lib in (Lib("torch"), Lib("minitorch")):
        a, b = lib.t((2, 3)), lib.t((2, 3)).cuda()
        with pytest.raises(RuntimeError, match=r"same device"):
            a + b


# ------------------------------------------------------------------ lists of dims, in torch's order
# A dim list can be bad in two ways at once (a repeat and a dim out of range); torch checks some
# ops' lists whole first and others one dim at a time, so which error wins depends on the op.
DIM_LIST_OPS = {
    "sum": lambda x, d: x.sum(d), "mean": lambda x, d: x.mean(d),
    "amax": lambda x, d: x.amax(d), "amin": lambda x, d: x.amin(d),
    "logsumexp": lambda x, d: x.logsumexp(d), "var": lambda x, d: x.var(d),
    "std": lambda x, d: x.std(d), "flip": lambda x, d: x.flip(d),
    "permute": lambda x, d: x.permute(*d), "squeeze": lambda x, d: x.squeeze(d),
    "norm": lambda x, d: x.norm(dim=d),
    "movedim_source": lambda x, d: x.movedim(d, tuple(range(len(d)))),
    "movedim_destination": lambda x, d: x.movedim(tuple(range(len(d))), d),
    "movedim_int_and_tuple": lambda x, d: x.movedim(0, d),
}
BAD_DIM_LISTS = [(0, 0, 5), (0, 5, 0), (5, 0, 0), (-1, 2, 1), (1, -4, 1), (2, -1, 0)]


@pytest.mark.parametrize("dims", BAD_DIM_LISTS, ids=str)
@pytest.mark.parametrize("op", sorted(DIM_LIST_OPS))
def test_dim_lists_fail_in_torchs_order(op: str, dims: Tuple[int, ...]) -> None:
    fn = DIM_LIST_OPS[op]
    outcomes = []
    for lib in (torch, minitorch):
        x = lib.zeros(1, 1, 1)
        try:
            fn(x, dims)
            outcomes.append(("ok", ""))
        except Exception as e:  # noqa: BLE001 - the class is what is compared
            outcomes.append((type(e).__name__, str(e).split("\n")[0]))
    assert outcomes[1] == outcomes[0], f"{op}{dims}: torch {outcomes[0]}, minitorch {outcomes[1]}"


# ------------------------------------------------- in-place ops whose operand does not broadcast
INPLACE_OPERAND_OPS = {
    "add_": lambda a, b: a.add_(b), "sub_": lambda a, b: a.sub_(b),
    "mul_": lambda a, b: a.mul_(b), "div_": lambda a, b: a.div_(b),
    "copy_": lambda a, b: a.copy_(b), "clamp_": lambda a, b: a.clamp_(b),
    "clamp": lambda a, b: a.clamp(max=b), "addcmul_": lambda a, b: a.addcmul_(b, b),
    "addcdiv_": lambda a, b: a.addcdiv_(b, b),
}


@pytest.mark.parametrize("shapes", [((4, 3, 2), (12, 2)), ((3, 2), (4, 3, 2)), ((2, 3), (3,))],
                         ids=str)
@pytest.mark.parametrize("op", sorted(INPLACE_OPERAND_OPS))
def test_inplace_operands_that_do_not_broadcast_fail_like_torch(op: str, shapes) -> None:
    outcomes = []
    for lib in (torch, minitorch):
        try:
            INPLACE_OPERAND_OPS[op](lib.zeros(*shapes[0]), lib.ones(*shapes[1]))
            outcomes.append(("ok", ""))
        except Exception as e:  # noqa: BLE001 - the class is what is compared
            outcomes.append((type(e).__name__, str(e).split("\n")[0]))
    assert outcomes[1] == outcomes[0], f"{op}{shapes}: torch {outcomes[0]}, mt {outcomes[1]}"


@pytest.mark.parametrize("args", [(1.0, "t"), ("t", 2), ([1.0, 2.0], "t")], ids=str)
@pytest.mark.parametrize("op", ["addcmul_", "addcdiv_"])
def test_addcmul_addcdiv_want_tensors_like_torch(op: str, args) -> None:
    outcomes = []
    for lib in (torch, minitorch):
        operands = [lib.ones(2) if a == "t" else a for a in args]
        try:
            getattr(lib.zeros(2), op)(*operands)
            outcomes.append(("ok", ""))
        except Exception as e:  # noqa: BLE001 - the class is what is compared
            outcomes.append((type(e).__name__, str(e).split(":")[0] + str(e).split(":")[1][:40]))
    assert outcomes[1] == outcomes[0], f"{op}{args}: torch {outcomes[0]}, mt {outcomes[1]}"


@pytest.mark.parametrize("op", ["addcmul_", "addcdiv_"])
@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_addcmul_addcdiv_sum_gradients_after_multiplying(op: str, backend: str) -> None:
    """An operand broadcast over rows whose gradient sums ±inf terms: PyTorch multiplies each
    row's gradient by the other operand, then sums (inf − inf = NaN); summing first gives ±inf."""
    g = np.array([[1.0, -2.0, 0.5], [-3.0, 1.0, 2.0]])
    t2_values = np.array([2.0, np.inf, 0.0]) if op == "addcmul_" else np.array([2.0, 0.0, 4.0])
    grads = []
    with minitorch.backends.use_backend(backend):
        for lib in (torch, minitorch):
            base = lib.tensor(np.zeros((2, 3)), requires_grad=True)
            t1 = lib.tensor(np.array([1.0, 3.0, np.inf]), requires_grad=True)
            t2 = lib.tensor(t2_values, requires_grad=True)
            out = getattr(base * 1.0, op)(t1, t2, value=0.5)
            (out * lib.tensor(g)).sum().backward()
            grads.append([t1.grad.numpy(), t2.grad.numpy()])
    for got, want in zip(grads[1], grads[0]):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def _forwarded_torch_refuses_numbers() -> list:
    """The ``minitorch.<name>(t, ...)`` functions that forward to ``t.<name>(...)`` and whose
    torch twin refuses a Python number for its tensor argument."""
    from minitorch import functions

    names = []
    for name in functions._FORWARDED:
        if "_method" not in getattr(functions, name).__qualname__:  # its own function
            continue
        try:
            getattr(torch, name)(2.0)
        except TypeError:
            names.append(name)
        except Exception:  # noqa: BLE001 - any other refusal is not this test's case
            pass
    return names


@pytest.mark.parametrize("name", _forwarded_torch_refuses_numbers())
def test_forwarded_function_given_a_number_raises_torchs_type_error(name):
    """``minitorch.sin(2.0)`` is torch's TypeError naming the function and the argument (it was
    an AttributeError from ``2.0.sin``)."""
    with pytest.raises(TypeError) as want:
        getattr(torch, name)(2.0)
    with pytest.raises(TypeError, match=rf"^{name}\(\): argument 'input' \(position 1\) must be "
                                        r"Tensor, not float") as got:
        getattr(minitorch, name)(2.0)
    if str(want.value).startswith(f"{name}(): argument 'input'"):  # not torch's _unique2()
        assert str(got.value) == str(want.value)
