"""Convolution and pooling, one output position at a time — the loops of the textbook,
run on the learner's numbers and kept as steps.

For output pixel (i, j) the window reads padded rows ``i·sh + p·dh`` and columns
``j·sw + q·dw`` (kernel offsets p, q). Convolution sums products with the kernel
(cross-correlation, as PyTorch computes it), max pooling keeps the largest value and where it
was, average pooling divides the window's sum by PyTorch's divisor.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from minitorch import shapes
from minitorch.backends.numpy.windows import pad_after
from minitorch.explain.core import Explanation, Step, check_small
from minitorch.explain.formula import size_formula

Pair = Tuple[int, int]


def _batched(x: np.ndarray, op: str) -> np.ndarray:
    shapes.check_image_input(x.shape, op)
    return x[None] if x.ndim == 3 else x


def _window_index(i: int, j: int, kernel: Pair, stride: Pair,
                  dilation: Pair) -> Tuple[List[int], List[int]]:
    rows = [i * stride[0] + p * dilation[0] for p in range(kernel[0])]
    cols = [j * stride[1] + q * dilation[1] for q in range(kernel[1])]
    return rows, cols


def _routes_step(x_shape: Tuple[int, ...], w_shape: Tuple[int, ...], stride: Pair,
                 pads: Tuple[int, int, int, int], dilation: Pair, groups: int) -> Step:
    """Which Numba kernels (routes) would run each pass of this convolution, per dtype: the
    same walkthrough is computed here in plain loops, the routes are what the default CPU
    backend picks for these shapes (see the table in ``backends/numba/conv.py``)."""
    from minitorch.backends.numba import conv as router

    out_hw = tuple(shapes.conv_output_size(x_shape[2 + a], w_shape[2 + a], stride[a],
                                           pads[2 * a] + pads[2 * a + 1], dilation[a])
                   for a in (0, 1))
    by_dtype = {name: router.routes(tuple(x_shape), tuple(w_shape), stride, pads, dilation,
                                    groups, out_hw, np.dtype(name))
                for name in ("float32", "float64")}
    return Step("routes", "numba routes", {"routes": by_dtype})


def _formula_step(hw: Pair, kernel: Pair, stride: Pair, pads: Tuple[int, int, int, int],
                  dilation: Pair, ceil_mode: bool) -> Step:
    axes = []
    for a, name in enumerate(("height", "width")):
        text, out = size_formula(hw[a], kernel[a], stride[a], pads[2 * a], pads[2 * a + 1],
                                 dilation[a], ceil_mode)
        axes.append({"axis": name, "size": hw[a], "kernel": kernel[a], "stride": stride[a],
                     "pad_before": pads[2 * a], "pad_after": pads[2 * a + 1],
                     "dilation": dilation[a], "ceil_mode": ceil_mode, "out": out, "text": text})
    return Step("formula", "output size", {"axes": axes})


def _geometry(x: np.ndarray, padded: np.ndarray, pads: Sequence[int], extra: Pair,
              kernel: Pair, stride: Pair, dilation: Pair, out_hw: Pair,
              pad_value: float) -> Dict[str, Any]:
    return {"input_hw": tuple(x.shape[2:]), "padded_hw": tuple(padded.shape[2:]),
            "pads": tuple(pads), "extra": extra, "kernel": kernel, "stride": stride,
            "dilation": dilation, "out_hw": out_hw, "pad_value": pad_value}


def explain_conv2d(x: np.ndarray, weight: np.ndarray, bias: Optional[np.ndarray],
                   stride: Any = 1, padding: Any = 0, dilation: Any = 1, groups: int = 1,
                   grad_output: Optional[np.ndarray] = None) -> Explanation:
    """y[n,o,i,j] = b[o] + Σ_{c,p,q} x_pad[n, g·Cg + c, i·sh + p·dh, j·sw + q·dw] · w[o,c,p,q]
    (g = o's group), then the backward pass for L = Σ y · grad_output."""
    x = _batched(x, "conv2d")
    s, pads, d, out_hw = shapes.check_conv2d(x.shape, weight.shape, None if bias is None else
                                             bias.shape, stride, padding, dilation, groups)
    n_, c_, h_, w_ = x.shape
    o_, cg, kh, kw = weight.shape
    og = o_ // groups
    k = (kh, kw)
    check_small(n_ * o_ * out_hw[0] * out_hw[1], "conv2d", (n_, o_) + out_hw)
    xp = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[1]), (pads[2], pads[3])))
    b = np.zeros(o_) if bias is None else bias
    steps = [Step("input", "input and weights", {"x": x, "weight": weight, "bias": bias}),
             _formula_step((h_, w_), k, s, pads, d, False),
             _routes_step(x.shape, weight.shape, s, pads, d, groups),
             Step("pad", "padded input", {"padded": xp, "pads": pads, "value": 0.0})]
    y = np.zeros((n_, o_) + out_hw)
    for n in range(n_):
        for o in range(o_):
            g = o // og
            chans = list(range(g * cg, (g + 1) * cg))
            for i in range(out_hw[0]):
                for j in range(out_hw[1]):
                    rows, cols = _window_index(i, j, k, s, d)
                    win = xp[n][np.ix_(chans, rows, cols)]
                    prod = win * weight[o]
                    y[n, o, i, j] = prod.sum() + b[o]
                    steps.append(Step("window", f"y[{n},{o},{i},{j}]", {
                        "index": (n, o, i, j), "group": g, "channels": chans, "rows": rows,
                        "cols": cols, "window": win, "kernel": weight[o], "products": prod,
                        "bias": float(b[o]), "value": float(y[n, o, i, j])}))
    # im2col: one column per output position, one row per (c, p, q); then W · cols
    for n in range(n_):
        cols_m = np.stack([xp[n][np.ix_(range(c_), *_window_index(i, j, k, s, d))].reshape(-1)
                           for i in range(out_hw[0]) for j in range(out_hw[1])], axis=1)
        steps.append(Step("im2col", f"im2col of image {n}", {
            "n": n, "matrix": cols_m,
            "row_labels": [(c, p, q) for c in range(c_) for p in range(kh) for q in range(kw)],
            "col_labels": [(i, j) for i in range(out_hw[0]) for j in range(out_hw[1])]}))
        for g in range(groups):
            wm = weight[g * og:(g + 1) * og].reshape(og, -1)
            block = cols_m[g * cg * kh * kw:(g + 1) * cg * kh * kw]
            res = wm @ block + b[g * og:(g + 1) * og, None]
            steps.append(Step("matmul", f"W · cols for image {n}, group {g}", {
                "n": n, "group": g, "weight_matrix": wm, "cols": block,
                "bias": b[g * og:(g + 1) * og], "result": res,
                "output": res.reshape((og,) + out_hw)}))
    gy = np.ones_like(y) if grad_output is None else grad_output.reshape(y.shape)
    geometry = _geometry(x, xp, pads, (0, 0), k, s, d, out_hw, 0.0)
    steps += _conv_backward(x, xp, weight, gy, pads, s, d, groups, out_hw)
    t = {"input": x, "weight": weight, "output": y, "grad_output": gy}
    if bias is not None:
        t["bias"] = bias
    for st in steps:
        if st.kind == "col2im":
            t.setdefault("grad_input", np.zeros_like(x))[st.data["n"]] = st.data["result"]
        elif st.kind == "grad_weight":
            t.setdefault("grad_weight", np.zeros_like(weight))[st.data["o"], st.data["c"]] = \
                st.data["value"]
        elif st.kind == "grad_bias" and bias is not None:
            t["grad_bias"] = st.data["value"]
    params = {"stride": s, "padding": padding, "pads": pads, "dilation": d, "groups": groups,
              "out_hw": out_hw}
    return Explanation("conv2d", params, t, steps, geometry)


def _conv_backward(x: np.ndarray, xp: np.ndarray, weight: np.ndarray, gy: np.ndarray,
                   pads: Sequence[int], s: Pair, d: Pair, groups: int,
                   out_hw: Pair) -> List[Step]:
    n_, c_, h_, w_ = x.shape
    o_, cg, kh, kw = weight.shape
    og = o_ // groups
    ho, wo = out_hw
    steps = [Step("grad_output", "dL/dy", {"grad_output": gy}, "backward"),
             Step("grad_bias", "dL/db[o] = Σ_{n,i,j} dL/dy[n,o,i,j]",
                  {"value": gy.sum(axis=(0, 2, 3))}, "backward")]
    # dL/dw: correlate the padded input with dL/dy (dL/dy's pixels stride apart)
    for o in range(o_):
        g = o // og
        for cl in range(cg):
            c = g * cg + cl
            slices = np.zeros((kh, kw, n_, ho, wo))
            for p in range(kh):
                for q in range(kw):
                    r0, c0 = p * d[0], q * d[1]
                    slices[p, q] = xp[:, c, r0:r0 + s[0] * (ho - 1) + 1:s[0],
                                      c0:c0 + s[1] * (wo - 1) + 1:s[1]]
            value = np.einsum("pqnij,nij->pq", slices, gy[:, o])
            steps.append(Step("grad_weight", f"dL/dw[{o},{cl}]", {
                "o": o, "c": cl, "input_channel": c, "slices": slices, "grad_output": gy[:, o],
                "value": value}, "backward"))
    # dL/dx, way 1: full convolution of dL/dy (stride-dilated, padded) with the flipped kernel
    hp, wp = xp.shape[2:]
    for n in range(n_):
        for c in range(c_):
            g = c // cg
            os_ = list(range(g * og, (g + 1) * og))
            dil = np.zeros((og, s[0] * (ho - 1) + 1, s[1] * (wo - 1) + 1))
            dil[:, ::s[0], ::s[1]] = gy[n, os_]
            eh, ew = d[0] * (kh - 1), d[1] * (kw - 1)
            full = np.pad(dil, ((0, 0), (eh, eh), (ew, ew)))
            flipped = weight[os_, c - g * cg, ::-1, ::-1]
            rh, rw = dil.shape[1] + eh, dil.shape[2] + ew
            res = np.zeros((hp, wp))
            for r in range(rh):
                for q_ in range(rw):
                    res[r, q_] = sum((full[:, r + p * d[0], q_ + q * d[1]] * flipped[:, p, q]).sum()
                                     for p in range(kh) for q in range(kw))
            steps.append(Step("full_conv", f"dL/dx[{n},{c}] as a full convolution", {
                "n": n, "c": c, "out_channels": os_, "dilated_padded": full,
                "flipped": flipped, "result_padded": res,
                "result": res[pads[0]:pads[0] + h_, pads[2]:pads[2] + w_]}, "backward"))
    # dL/dx, way 2: dcols = Wᵀ · dL/dy, then col2im adds each column back onto its window
    for n in range(n_):
        dcols = np.concatenate([
            weight[g * og:(g + 1) * og].reshape(og, -1).T @
            gy[n, g * og:(g + 1) * og].reshape(og, -1) for g in range(groups)])
        acc = np.zeros((c_, hp, wp))
        overlaps = np.zeros((c_, hp, wp), dtype=np.int64)
        terms: Dict[Tuple[int, int, int], List[float]] = {}
        for idx in range(ho * wo):
            i, j = divmod(idx, wo)
            rows, cols = _window_index(i, j, (kh, kw), s, d)
            col = dcols[:, idx].reshape(c_, kh, kw)
            for c in range(c_):
                for p, r in enumerate(rows):
                    for q, cc in enumerate(cols):
                        acc[c, r, cc] += col[c, p, q]
                        overlaps[c, r, cc] += 1
                        terms.setdefault((c, r, cc), []).append(float(col[c, p, q]))
        steps.append(Step("col2im", f"col2im for image {n}", {
            "n": n, "dcols": dcols, "overlaps": overlaps, "terms": terms, "result_padded": acc,
            "result": acc[:, pads[0]:pads[0] + h_, pads[2]:pads[2] + w_]}, "backward"))
    # the same scatter as pictures: one output position at a time
    for n in range(n_):
        running = np.zeros((c_, hp, wp))
        for o in range(o_):
            g = o // og
            chans = list(range(g * cg, (g + 1) * cg))
            for i in range(ho):
                for j in range(wo):
                    rows, cols = _window_index(i, j, (kh, kw), s, d)
                    added = gy[n, o, i, j] * weight[o]
                    running[np.ix_(chans, rows, cols)] += added
                    steps.append(Step("scatter", f"dL/dy[{n},{o},{i},{j}] onto the input", {
                        "index": (n, o, i, j), "grad": float(gy[n, o, i, j]),
                        "channels": chans, "rows": rows, "cols": cols, "added": added,
                        "running": running.copy()}, "backward"))
    return steps


def _pool_setup(x: np.ndarray, op: str, kernel_size: Any, stride: Any, padding: Any,
                dilation: Any, ceil_mode: bool) -> Tuple[Any, ...]:
    x = _batched(x, op)
    k, s, p, d, out_hw = shapes.check_pool(x.shape, kernel_size, stride, padding, dilation,
                                             ceil_mode)
    h_, w_ = x.shape[2:]
    check_small(x.shape[0] * x.shape[1] * out_hw[0] * out_hw[1], op,
                tuple(x.shape[:2]) + tuple(out_hw))
    after = (pad_after(h_, out_hw[0], k[0], s[0], d[0], p[0]),
             pad_after(w_, out_hw[1], k[1], s[1], d[1], p[1]))
    pads = (p[0], p[0], p[1], p[1])
    extra = (after[0] - p[0], after[1] - p[1])
    return x, k, s, p, d, out_hw, pads, extra, after


def explain_max_pool2d(x: np.ndarray, kernel_size: Any, stride: Any = None, padding: Any = 0,
                       dilation: Any = 1, ceil_mode: bool = False,
                       grad_output: Optional[np.ndarray] = None) -> Explanation:
    """y[n,c,i,j] = max_{p,q} x_pad[n, c, i·sh + p·dh, j·sw + q·dw] (padding = −inf); the
    gradient goes back only to where each maximum came from (ties: the first in the window)."""
    x, k, s, p, d, out_hw, pads, extra, after = _pool_setup(x, "max_pool2d", kernel_size,
                                                            stride, padding, dilation, ceil_mode)
    n_, c_, h_, w_ = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], after[0]), (p[1], after[1])),
                constant_values=-np.inf)
    steps = [Step("input", "input", {"x": x}),
             _formula_step((h_, w_), k, s, pads, d, ceil_mode),
             Step("pad", "padded input", {"padded": xp, "pads": pads, "extra": extra,
                                          "value": -np.inf})]
    y = np.zeros((n_, c_) + out_hw)
    idx = np.zeros(y.shape, dtype=np.int64)
    for n in range(n_):
        for c in range(c_):
            for i in range(out_hw[0]):
                for j in range(out_hw[1]):
                    rows, cols = _window_index(i, j, k, s, d)
                    win = xp[n, c][np.ix_(rows, cols)]
                    a = int(np.argmax(win))  # NaN-free input: the first maximum
                    pq = divmod(a, k[1])
                    src = (rows[pq[0]], cols[pq[1]])
                    y[n, c, i, j] = win.flat[a]
                    idx[n, c, i, j] = (src[0] - p[0]) * w_ + (src[1] - p[1])
                    steps.append(Step("window", f"y[{n},{c},{i},{j}]", {
                        "index": (n, c, i, j), "channels": [c], "rows": rows, "cols": cols,
                        "window": win[None], "value": float(win.flat[a]), "argmax": pq,
                        "source": src, "flat_index": int(idx[n, c, i, j])}))
    gy = np.ones_like(y) if grad_output is None else grad_output.reshape(y.shape)
    steps.append(Step("grad_output", "dL/dy", {"grad_output": gy}, "backward"))
    gx = np.zeros_like(x)
    for n in range(n_):
        running = np.zeros((c_,) + xp.shape[2:])
        for c in range(c_):
            for i in range(out_hw[0]):
                for j in range(out_hw[1]):
                    r, q = divmod(int(idx[n, c, i, j]), w_)
                    gx[n, c, r, q] += gy[n, c, i, j]
                    running[c, r + p[0], q + p[1]] += gy[n, c, i, j]
                    rows, cols = _window_index(i, j, k, s, d)
                    steps.append(Step("scatter", f"dL/dy[{n},{c},{i},{j}] to its maximum", {
                        "index": (n, c, i, j), "grad": float(gy[n, c, i, j]), "channels": [c],
                        "rows": rows, "cols": cols, "target": (r, q),
                        "running": running.copy()}, "backward"))
    t = {"input": x, "output": y, "indices": idx, "grad_output": gy, "grad_input": gx}
    params = {"kernel_size": k, "stride": s, "padding": p, "dilation": d,
              "ceil_mode": ceil_mode, "out_hw": out_hw}
    return Explanation("max_pool2d", params, t, steps,
                       _geometry(x, xp, pads, extra, k, s, d, out_hw, -np.inf))


def explain_avg_pool2d(x: np.ndarray, kernel_size: Any, stride: Any = None, padding: Any = 0,
                       ceil_mode: bool = False, count_include_pad: bool = True,
                       divisor_override: Optional[int] = None,
                       grad_output: Optional[np.ndarray] = None) -> Explanation:
    """y[n,c,i,j] = Σ window / divisor. PyTorch's divisor: the window clipped to the padded
    input (count_include_pad) or to the input itself, or ``divisor_override``."""
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    x, k, s, p, d, out_hw, pads, extra, after = _pool_setup(x, "avg_pool2d", kernel_size,
                                                            stride, padding, 1, ceil_mode)
    n_, c_, h_, w_ = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], after[0]), (p[1], after[1])))
    steps = [Step("input", "input", {"x": x}),
             _formula_step((h_, w_), k, s, pads, d, ceil_mode),
             Step("pad", "padded input", {"padded": xp, "pads": pads, "extra": extra,
                                          "value": 0.0})]
    y = np.zeros((n_, c_) + out_hw)
    divisors = np.zeros(out_hw, dtype=np.int64)
    for i in range(out_hw[0]):
        for j in range(out_hw[1]):
            h0, w0 = i * s[0] - p[0], j * s[1] - p[1]
            h1, w1 = min(h0 + k[0], h_ + p[0]), min(w0 + k[1], w_ + p[1])
            size = (h1 - h0) * (w1 - w0)
            inside = (min(h1, h_) - max(h0, 0)) * (min(w1, w_) - max(w0, 0))
            divisors[i, j] = divisor_override or (size if count_include_pad else inside)
    for n in range(n_):
        for c in range(c_):
            for i in range(out_hw[0]):
                for j in range(out_hw[1]):
                    rows, cols = _window_index(i, j, k, s, d)
                    win = xp[n, c][np.ix_(rows, cols)]
                    y[n, c, i, j] = win.sum() / divisors[i, j]
                    steps.append(Step("window", f"y[{n},{c},{i},{j}]", {
                        "index": (n, c, i, j), "channels": [c], "rows": rows, "cols": cols,
                        "window": win[None], "total": float(win.sum()),
                        "divisor": int(divisors[i, j]), "value": float(y[n, c, i, j])}))
    gy = np.ones_like(y) if grad_output is None else grad_output.reshape(y.shape)
    steps.append(Step("grad_output", "dL/dy", {"grad_output": gy}, "backward"))
    gx = np.zeros_like(x)
    for n in range(n_):
        running = np.zeros((c_,) + xp.shape[2:])
        for c in range(c_):
            for i in range(out_hw[0]):
                for j in range(out_hw[1]):
                    rows, cols = _window_index(i, j, k, s, d)
                    share = gy[n, c, i, j] / divisors[i, j]
                    for r in rows:
                        for q in cols:
                            if p[0] <= r < p[0] + h_ and p[1] <= q < p[1] + w_:
                                running[c, r, q] += share
                    steps.append(Step("scatter", f"dL/dy[{n},{c},{i},{j}] / {divisors[i, j]}", {
                        "index": (n, c, i, j), "grad": float(gy[n, c, i, j]), "channels": [c],
                        "rows": rows, "cols": cols, "share": float(share),
                        "running": running.copy()}, "backward"))
        gx[n] = running[:, p[0]:p[0] + h_, p[1]:p[1] + w_]
    t = {"input": x, "output": y, "divisors": divisors, "grad_output": gy, "grad_input": gx}
    params = {"kernel_size": k, "stride": s, "padding": p, "ceil_mode": ceil_mode,
              "count_include_pad": count_include_pad, "divisor_override": divisor_override,
              "out_hw": out_hw}
    return Explanation("avg_pool2d", params, t, steps,
                       _geometry(x, xp, pads, extra, k, s, d, out_hw, 0.0))
