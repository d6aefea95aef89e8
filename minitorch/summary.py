"""``minitorch.summary(model, input_size)``: the model as a tree of layers, run once on zeros.

One row per module in the order they run (containers too, indented by depth): input and
output shape, kernel shape, parameters, mult-adds, and for convolution and pooling the
output-size formula with the numbers filled in:

    ⌊(32 − 5 + 2·2)/1⌋ + 1 = 32

Mult-adds count the multiply-accumulates of the whole batch: a convolution (1-D or 2-D)
``(output elements) · (C/groups)·(kernel elements)``, a transposed one ``(input elements) ·
(C_out/groups)·(kernel elements)``, a linear layer ``(output elements) · in_features``;
other layers count 0. Memory estimate, as torchinfo does: the input, every leaf layer's
output kept for backward plus its gradient (×2), and the parameters.
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from minitorch import shapes
from minitorch.autograd.grad_mode import no_grad
from minitorch.creation import zeros
from minitorch.explain.formula import size_formula as _axis_formula
from minitorch.nn.layers import AvgPool1d, AvgPool2d, Conv2d, Linear, MaxPool2d, _ConvNd, _MaxPoolNd
from minitorch.nn.module import Module

__all__ = ["summary", "ModelSummary", "size_formula"]


def _pool_geometry(module: Module) -> Tuple[int, int, int, int, int, bool]:
    k = shapes.pair(module.kernel_size, "kernel_size")[0]
    s = shapes.pair(module.stride, "stride")[0]
    d = shapes.pair(getattr(module, "dilation", 1), "dilation")[0]
    pad = shapes.pair(module.padding, "padding")[0]
    return k, s, pad, pad, d, module.ceil_mode


def size_formula(module: Module, in_hw: Tuple[int, int]) -> str:
    """The tutorial's formula for the layer's output height, with this layer's numbers."""
    if isinstance(module, Conv2d):
        quad = shapes.conv2d_padding(module.padding, module.kernel_size, module.stride,
                                     module.dilation)
        geometry = (module.kernel_size[0], module.stride[0], quad[0], quad[1],
                    module.dilation[0], False)
    elif isinstance(module, (MaxPool2d, AvgPool2d)):
        geometry = _pool_geometry(module)
    else:
        return ""
    return _axis_formula(in_hw[0], *geometry)[0]


def _kernel_shape(module: Module) -> Optional[List[int]]:
    if isinstance(module, _ConvNd):  # Conv1d/2d, ConvTranspose1d/2d
        return list(module.weight.shape)
    if isinstance(module, (_MaxPoolNd, AvgPool1d, AvgPool2d)):
        return list(shapes.ntuple(module.kernel_size, "kernel_size", module._dims))
    if isinstance(module, Linear):
        return list(module.weight.shape)
    return None


def _mult_adds(module: Module, in_shape: Sequence[int], out_shape: Sequence[int]) -> int:
    numel = 1
    for d in out_shape:
        numel *= int(d)
    if isinstance(module, _ConvNd):  # per output (per input, transposed): C/groups·kernel
        per = 1
        for d in module.weight.shape[1:]:
            per *= int(d)
        if module._transposed:
            numel = 1
            for d in in_shape:
                numel *= int(d)
        return numel * per
    if isinstance(module, Linear):
        return numel * module.in_features
    return 0


@dataclass
class ModelSummary:
    """The rows (dicts: name, type, depth, input_shape, output_shape, kernel_shape, params,
    mult_adds, formula, leaf) and the totals; ``str()`` is the table."""

    rows: List[Dict[str, Any]] = field(default_factory=list)
    input_size: Tuple[int, ...] = ()
    total_params: int = 0
    trainable_params: int = 0
    total_mult_adds: int = 0
    input_bytes: int = 0
    forward_backward_bytes: int = 0
    params_bytes: int = 0

    @property
    def total_bytes(self) -> int:
        return self.input_bytes + self.forward_backward_bytes + self.params_bytes

    def __str__(self) -> str:
        header = ("Layer (type)", "Input shape", "Output shape", "Kernel shape", "Params",
                  "Mult-adds", "Output size")
        table = [header] + [(
            "  " * r["depth"] + f"{r['name']} ({r['type']})", str(r["input_shape"]),
            str(r["output_shape"]), str(r["kernel_shape"] or "--"),
            f"{r['params']:,}" if r["leaf"] or r["params"] else "--",
            f"{r['mult_adds']:,}" if r["mult_adds"] else "--", r["formula"])
            for r in self.rows]
        widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
        line = "─" * (sum(widths) + 2 * (len(widths) - 1))
        out = [line, "  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(), line]
        out += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip()
                for row in table[1:]]
        mib = 2 ** 20
        out += [line, f"Total params: {self.total_params:,}",
                f"Trainable params: {self.trainable_params:,}",
                f"Non-trainable params: {self.total_params - self.trainable_params:,}",
                f"Total mult-adds: {self.total_mult_adds:,}", line,
                f"Input size: {self.input_bytes / mib:.2f} MiB",
                f"Forward/backward pass size: {self.forward_backward_bytes / mib:.2f} MiB",
                f"Params size: {self.params_bytes / mib:.2f} MiB",
                f"Estimated total size: {self.total_bytes / mib:.2f} MiB", line]
        return "\n".join(out)

    __repr__ = __str__


def summary(model: Module, input_size: Sequence[int], dtype: Any = None,
            device: str = "cpu") -> ModelSummary:
    """Run ``model`` once on zeros of ``input_size`` (with the batch dimension) and describe
    every module it calls; the returned object prints as a table."""
    rows: List[Dict[str, Any]] = []
    open_rows: Dict[int, List[Dict[str, Any]]] = {}
    names = {id(m): n for n, m in model.named_modules()}
    depth = [0]
    handles = []

    def before(module: Module, inputs: Any) -> None:
        x = inputs[0] if inputs else None
        leaf = not module._modules
        row = {"name": names.get(id(module)) or type(module).__name__,
               "type": type(module).__name__, "depth": depth[0], "leaf": leaf,
               "input_shape": list(x.shape) if hasattr(x, "shape") else None,
               "params": sum(p.numel() for p in module.parameters(recurse=not leaf)),
               "kernel_shape": _kernel_shape(module), "formula": "", "mult_adds": 0}
        rows.append(row)
        open_rows.setdefault(id(module), []).append(row)
        depth[0] += 1

    def after(module: Module, inputs: Any, output: Any) -> None:
        depth[0] -= 1
        row = open_rows[id(module)].pop()
        out = output[0] if isinstance(output, tuple) else output
        row["output_shape"] = list(out.shape) if hasattr(out, "shape") else None
        row["output_bytes"] = (out.numel() * out.element_size()) if row["leaf"] and \
            hasattr(out, "numel") else 0
        if row["output_shape"] is not None:
            row["mult_adds"] = _mult_adds(module, row["input_shape"] or (),
                                          row["output_shape"])
        shape = row["input_shape"]
        if shape is not None and len(shape) >= 3:
            row["formula"] = size_formula(module, tuple(shape[-2:]))

    for m in model.modules():
        if m is model and m._modules:
            continue  # the model itself is the table, not a row
        handles.append(m.register_forward_pre_hook(before))
        handles.append(m.register_forward_hook(after))
    x = zeros(*input_size, dtype=dtype)
    if device != "cpu":
        x = x.to(device)
    try:
        with no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
    params = list(model.parameters())
    return ModelSummary(
        rows=rows, input_size=tuple(input_size),
        total_params=sum(p.numel() for p in params),
        trainable_params=sum(p.numel() for p in params if p.requires_grad),
        total_mult_adds=sum(r["mult_adds"] for r in rows if r["leaf"]),
        input_bytes=x.numel() * x.element_size(),
        forward_backward_bytes=2 * sum(r.get("output_bytes", 0) for r in rows),
        params_bytes=sum(p.numel() * p.element_size() for p in params))


class _CallableModule(types.ModuleType):
    """``minitorch.summary(model, input_size)`` works although ``minitorch.summary`` is this
    module once it is imported."""

    def __call__(self, model: Module, input_size: Sequence[int], dtype: Any = None,
                 device: str = "cpu") -> ModelSummary:
        return summary(model, input_size, dtype, device)


sys.modules[__name__].__class__ = _CallableModule
