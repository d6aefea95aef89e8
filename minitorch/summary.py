"""``minitorch.summary(model, input_size)``: one row per layer — output shape, parameters,
and for convolution and pooling the output-size formula with the numbers filled in:

    (32 − 5 + 2·2)/1 + 1 = 32
"""

from __future__ import annotations

from typing import Any, List, Sequence, Tuple

from minitorch import shapes
from minitorch.autograd.grad_mode import no_grad
from minitorch.creation import zeros
from minitorch.nn.layers import AvgPool2d, Conv2d, MaxPool2d
from minitorch.nn.module import Module


def size_formula(module: Module, in_hw: Tuple[int, int]) -> str:
    """The tutorial's formula for the layer's output height, with this layer's numbers."""
    if isinstance(module, Conv2d):
        k, s, d = module.kernel_size[0], module.stride[0], module.dilation[0]
        if isinstance(module.padding, str):
            quad = shapes.conv2d_padding(module.padding, module.kernel_size, module.stride,
                                         module.dilation)
            pad_total, p2 = quad[0] + quad[1], f"{quad[0] + quad[1]}"
        else:
            pad_total, p2 = 2 * module.padding[0], f"2·{module.padding[0]}"
        ceil = False
    elif isinstance(module, (MaxPool2d, AvgPool2d)):
        k = shapes.pair(module.kernel_size, "kernel_size")[0]
        s = shapes.pair(module.stride, "stride")[0]
        d = shapes.pair(getattr(module, "dilation", 1), "dilation")[0]
        pad = shapes.pair(module.padding, "padding")[0]
        pad_total, p2 = 2 * pad, f"2·{pad}"
        ceil = module.ceil_mode
    else:
        return ""
    h = in_hw[0]
    kernel = f"{k}" if d == 1 else f"({d}·({k}−1)+1)"
    out = shapes.pool_output_size(h, k, s, pad_total // 2, d, ceil) if ceil else \
        shapes.conv_output_size(h, k, s, pad_total, d)
    rounding = "⌈⌉" if ceil else "⌊⌋"
    return f"{rounding[0]}({h} − {kernel} + {p2})/{s}{rounding[1]} + 1 = {out}"


def summary(model: Module, input_size: Sequence[int], dtype: Any = None) -> str:
    """A table of every leaf layer run by ``model`` on zeros of ``input_size``."""
    rows: List[Tuple[str, str, str, int, str]] = []
    hooks = []
    names = {id(m): n for n, m in model.named_modules()}

    def record(module: Module, inputs: Any, output: Any) -> None:
        x = inputs[0] if inputs else None
        out = output[0] if isinstance(output, tuple) else output
        n_params = sum(p.numel() for p in module.parameters(recurse=False))
        in_hw = tuple(x.shape[-2:]) if x is not None and x.ndim >= 3 else None
        formula = size_formula(module, in_hw) if in_hw else ""
        rows.append((names.get(id(module), "?"), type(module).__name__,
                     str(list(out.shape)), n_params, formula))

    for m in model.modules():
        if not m._modules:
            hooks.append(m.register_forward_hook(record))
    try:
        with no_grad():
            model(zeros(*input_size, dtype=dtype))
    finally:
        for h in hooks:
            h.remove()
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    header = ("Layer", "Type", "Output shape", "Params", "Output size")
    table = [header] + [(n, t, s, f"{p:,}", f) for n, t, s, p, f in rows]
    widths = [max(len(str(r[i])) for r in table) for i in range(5)]
    line = "─" * (sum(widths) + 8)
    out = [line, "  ".join(str(h).ljust(w) for h, w in zip(header, widths)), line]
    out += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)) for r in table[1:]]
    param_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
    out += [line, f"Total params: {total:,}", f"Trainable params: {trainable:,}",
            f"Params size: {param_bytes / 2**20:.2f} MiB", line]
    return "\n".join(out)
