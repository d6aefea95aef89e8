"""The walkthrough as text, drawn only from each step's numbers."""

from __future__ import annotations

from typing import Any, Callable, Dict, List

import numpy as np

from minitorch.explain.core import Explanation, Step, fmt, grid

MAX_REPEATED = 24  # window/scatter/dot steps printed in full; the rest are summarised


def _f(v: Any) -> str:
    """A factor in a product: negative numbers in parentheses."""
    return f"({fmt(v)})" if float(v) < 0 else fmt(v)


def _arr(name: str, a: Any) -> List[str]:
    a = np.asarray(a)
    if a.ndim <= 2:
        return [f"  {name} {list(a.shape)}:"] + grid(a)
    lines = [f"  {name} {list(a.shape)}:"]
    for idx in np.ndindex(*a.shape[:-2]):
        lines.append(f"   [{','.join(map(str, idx))}]")
        lines += grid(a[idx], "      ")
    return lines


def _input(s: Step) -> List[str]:
    out = []
    for k in ("x", "weight", "bias", "target"):
        if s.data.get(k) is not None:
            out += _arr(k, s.data[k])
    return out


def _formula(s: Step) -> List[str]:
    lines = ["  out = ⌊(in − kernel + pad_before + pad_after)/stride⌋ + 1  (kernel → "
             "dilation·(kernel−1)+1; ⌈⌉ with ceil_mode)"]
    return lines + [f"  {a['axis']:>6}: {a['text']}" for a in s.data["axes"]]


def _routes(s: Step) -> List[str]:
    lines = ["  on the numba backend (the default on the CPU) these shapes take the routes:"]
    for dtype, passes in s.data["routes"].items():
        lines.append(f"    {dtype}: " + ", ".join(f"{p} → {r}" for p, r in passes.items()))
    return lines


def _pad(s: Step) -> List[str]:
    t, b, left, r = s.data["pads"]
    extra = s.data.get("extra", (0, 0))
    note = f", ceil_mode adds {extra[0]} row(s) below and {extra[1]} column(s) right" \
        if any(extra) else ""
    return [f"  pad {t} above, {b} below, {left} left, {r} right with {fmt(s.data['value'])}"
            f"{note}"] + _arr("x_pad", s.data["padded"])


def _window(s: Step) -> List[str]:
    d = s.data
    where = f"rows {d['rows']} × cols {d['cols']}"
    if "products" in d:
        terms = " + ".join(f"{_f(a)}·{_f(b)}" for a, b in
                           zip(d["window"].reshape(-1), d["kernel"].reshape(-1)))
        return [f"  {s.title}: window at {where} (channels {d['channels']})",
                f"    {terms} + {fmt(d['bias'])} = {fmt(d['value'])}"]
    vals = ", ".join(fmt(v) for v in d["window"].reshape(-1))
    if "argmax" in d:
        return [f"  {s.title}: max({vals}) = {fmt(d['value'])} from x_pad{list(d['source'])} "
                f"(input flat index {d['flat_index']})"]
    return [f"  {s.title}: ({vals}) sum {fmt(d['total'])} / {d['divisor']} = "
            f"{fmt(d['value'])}"]


def _im2col(s: Step) -> List[str]:
    labels = ", ".join(f"({c},{p},{q})" for c, p, q in s.data["row_labels"][:6])
    return [f"  rows = (channel, p, q): {labels}{' ...' if len(s.data['row_labels']) > 6 else ''}"
            f"; one column per output position"] + _arr("cols", s.data["matrix"])


def _matmul(s: Step) -> List[str]:
    d = s.data
    if "weight_matrix" in d:
        return (_arr("W (one row per output channel)", d["weight_matrix"]) +
                _arr("+ b", d["bias"]) + _arr("= W · cols + b", d["result"]))
    if "weight_t" in d:
        return _arr("Wᵀ", d["weight_t"]) + _arr("+ b", d["bias"]) + _arr("= y", d["result"])
    return _arr("left", d["left"]) + _arr("right", d["right"]) + _arr("= result", d["result"])


def _grad_weight(s: Step) -> List[str]:
    d = s.data
    return [f"  dL/dw[{d['o']},{d['c']},p,q] = Σ_(n,i,j) dL/dy[n,{d['o']},i,j] · "
            f"x_pad[n,{d['input_channel']},i·sh+p·dh,j·sw+q·dw]  (correlate input with dL/dy)"
            ] + grid(d["value"])


def _full_conv(s: Step) -> List[str]:
    d = s.data
    return ([f"  dL/dy of output channels {d['out_channels']}, stride-dilated and padded by "
             "dilation·(kernel−1):"] + _arr("dL/dy (dilated, padded)", d["dilated_padded"]) +
            _arr("kernel flipped 180°", d["flipped"]) + _arr("= dL/dx_pad", d["result_padded"])
            + _arr("cropped: dL/dx", d["result"]))


def _col2im(s: Step) -> List[str]:
    d = s.data
    lines = _arr("dcols = Wᵀ · dL/dy", d["dcols"]) + \
        _arr("windows covering each padded pixel", d["overlaps"])
    shown = [(k, v) for k, v in d["terms"].items() if len(v) > 1][:8]
    for (c, r, q), vals in shown:
        lines.append(f"    x_pad[{c},{r},{q}]: {' + '.join(fmt(v) for v in vals)} = "
                     f"{fmt(sum(vals))}")
    return lines + _arr("dL/dx", d["result"])


def _scatter(s: Step) -> List[str]:
    d = s.data
    if "target" in d:
        return [f"  {s.title}: {fmt(d['grad'])} lands on x{list(d['target'])}"]
    if "share" in d:
        return [f"  {s.title}: {fmt(d['share'])} to each input pixel of rows {d['rows']} × "
                f"cols {d['cols']}"]
    return [f"  {s.title}: {fmt(d['grad'])} · w added at rows {d['rows']} × cols {d['cols']}"]


def _dot(s: Step) -> List[str]:
    d = s.data
    terms = " + ".join(f"{_f(a)}·{_f(b)}" for a, b in zip(d["x"], d["w"]))
    return [f"  {s.title} = {terms} + {fmt(d['bias'])} = {fmt(d['value'])}"]


def _elementwise(s: Step) -> List[str]:
    return _arr("x", s.data["x"]) + _arr(s.data["formula"], s.data["result"])


def _softmax(s: Step) -> List[str]:
    d = s.data
    if "result" in d:
        return (_arr("softmax(z)", d["softmax"]) + _arr("onehot(target)", d["onehot"]) +
                [f"  divided by N = {d['n']}:"] + _arr("dL/dz", d["result"]))
    lines = []
    for n in range(len(d["max"])):
        lines.append(f"  row {n}: m = {fmt(d['max'][n])}; Σ e^(z−m) = "
                     f"{' + '.join(fmt(v) for v in d['exp'][n])} = {fmt(d['sum'][n])}; "
                     f"log-sum-exp = {fmt(d['logsumexp'][n])}; loss = {fmt(d['logsumexp'][n])}"
                     f" − {fmt(d['target_logit'][n])} = {fmt(d['per_sample'][n])}")
    return lines + [f"  mean over {len(d['max'])} samples: L = {fmt(d['loss'])}"]


def _layer(s: Step) -> List[str]:
    d = s.data
    lines = [f"  {d['repr']}  input {list(d['input_shape'])}"]
    if d.get("command"):
        lines.append(f"  (this layer alone, step by step: {d['command']})")
    return lines + _arr("output", d["output"])


def _layer_grad(s: Step) -> List[str]:
    d = s.data
    lines = [] if d["grad_output"] is None else _arr("dL/d(output)", d["grad_output"])
    for k, v in d["param_grads"].items():
        lines += _arr(f"dL/d{k}", v)
    return lines


RENDER: Dict[str, Callable[[Step], List[str]]] = {
    "input": _input, "formula": _formula, "routes": _routes, "pad": _pad, "window": _window,
    "im2col": _im2col,
    "matmul": _matmul, "grad_output": lambda s: _arr("dL/dy", s.data["grad_output"]),
    "grad_bias": lambda s: _arr("dL/db", s.data["value"]), "grad_weight": _grad_weight,
    "full_conv": _full_conv, "col2im": _col2im, "scatter": _scatter, "dot": _dot,
    "elementwise": _elementwise, "softmax": _softmax, "layer": _layer,
    "loss": lambda s: [f"  L = {s.data['kind']} = {fmt(s.data['value'])}"],
    "layer_grad": _layer_grad, "grad_input": lambda s: _arr("dL/dx", s.data["value"]),
}


def render(e: Explanation) -> str:
    """Every step, forward then backward; long runs of window/scatter steps are cut."""
    lines = [f"== {e.op} " + " ".join(f"{k}={v}" for k, v in e.params.items() if k != "model")]
    phase, counts = None, {}
    for s in e.steps:
        if s.phase != phase:
            phase = s.phase
            lines.append(f"\n-- {phase} --")
        counts[(s.kind, s.phase)] = counts.get((s.kind, s.phase), 0) + 1
        n = counts[(s.kind, s.phase)]
        if s.kind in ("window", "scatter", "dot") and n > MAX_REPEATED:
            if n == MAX_REPEATED + 1:
                total = len(e.find(s.kind, s.phase))
                lines.append(f"  ... {total - MAX_REPEATED} more {s.kind} steps "
                             "(in the result's .steps, the frames and the page)")
            continue
        if s.kind not in ("window", "scatter", "dot"):
            lines.append(f"{s.title}")
        lines += RENDER[s.kind](s)
    return "\n".join(lines) + "\n"
