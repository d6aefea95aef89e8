"""Linear, the activations and cross-entropy, step by step on the learner's numbers."""

from __future__ import annotations

from typing import Optional

import numpy as np

from minitorch.explain.core import Explanation, Step, check_small

ACTIVATIONS = {
    "relu": ("max(0, x)", "1 if x > 0 else 0",
             lambda x: np.maximum(x, 0), lambda x, y: (x > 0).astype(np.float64)),
    "sigmoid": ("1 / (1 + e^−x)", "σ(x)·(1 − σ(x))",
                lambda x: 1 / (1 + np.exp(-x)), lambda x, y: y * (1 - y)),
    "tanh": ("tanh(x)", "1 − tanh(x)²", np.tanh, lambda x, y: 1 - y * y),
}


def explain_linear(x: np.ndarray, weight: np.ndarray, bias: Optional[np.ndarray],
                   grad_output: Optional[np.ndarray] = None) -> Explanation:
    """y[n,o] = b[o] + Σ_i x[n,i]·W[o,i]  (y = x Wᵀ + b); backward: dL/dx = dL/dy · W,
    dL/dW = dL/dyᵀ · x, dL/db = Σ_n dL/dy."""
    if x.ndim != 2 or weight.ndim != 2 or x.shape[1] != weight.shape[1]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({x.shape[0]}x"
                           f"{x.shape[-1]} and {weight.shape[1]}x{weight.shape[0]})")
    check_small(x.shape[0] * weight.shape[0], "linear", (x.shape[0], weight.shape[0]))
    b = np.zeros(weight.shape[0]) if bias is None else bias
    steps = [Step("input", "input and weights", {"x": x, "weight": weight, "bias": bias})]
    y = np.zeros((x.shape[0], weight.shape[0]))
    for n in range(x.shape[0]):
        for o in range(weight.shape[0]):
            prod = x[n] * weight[o]
            y[n, o] = prod.sum() + b[o]
            steps.append(Step("dot", f"y[{n},{o}]", {"index": (n, o), "x": x[n],
                                                      "w": weight[o], "products": prod,
                                                      "bias": float(b[o]),
                                                      "value": float(y[n, o])}))
    steps.append(Step("matmul", "y = x · Wᵀ + b", {"x": x, "weight_t": weight.T, "bias": b,
                                                   "result": y}))
    gy = np.ones_like(y) if grad_output is None else grad_output.reshape(y.shape)
    gx, gw, gb = gy @ weight, gy.T @ x, gy.sum(0)
    steps += [Step("grad_output", "dL/dy", {"grad_output": gy}, "backward"),
              Step("matmul", "dL/dx = dL/dy · W", {"left": gy, "right": weight, "result": gx},
                   "backward"),
              Step("matmul", "dL/dW = dL/dyᵀ · x", {"left": gy.T, "right": x, "result": gw},
                   "backward"),
              Step("grad_bias", "dL/db = Σ_n dL/dy[n]", {"value": gb}, "backward")]
    t = {"input": x, "weight": weight, "output": y, "grad_output": gy, "grad_input": gx,
         "grad_weight": gw}
    if bias is not None:
        t.update(bias=bias, grad_bias=gb)
    return Explanation("linear", {}, t, steps)


def explain_activation(name: str, x: np.ndarray,
                       grad_output: Optional[np.ndarray] = None) -> Explanation:
    """y = f(x) elementwise; dL/dx = dL/dy · f'(x)."""
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    formula, derivative, f, df = ACTIVATIONS[name]
    y = f(x)
    gy = np.ones_like(y) if grad_output is None else grad_output.reshape(y.shape)
    slope = df(x, y)
    steps = [Step("input", "input", {"x": x}),
             Step("elementwise", f"y = {formula}", {"x": x, "formula": formula, "result": y}),
             Step("grad_output", "dL/dy", {"grad_output": gy}, "backward"),
             Step("elementwise", f"f'(x) = {derivative}", {"x": x, "formula": derivative,
                                                          "result": slope}, "backward"),
             Step("elementwise", "dL/dx = dL/dy · f'(x)", {"x": gy, "formula": "dL/dy · f'(x)",
                                                          "result": gy * slope}, "backward")]
    t = {"input": x, "output": y, "grad_output": gy, "grad_input": gy * slope}
    return Explanation(name, {}, t, steps)


def explain_cross_entropy(logits: np.ndarray, target: np.ndarray) -> Explanation:
    """L = mean_n (log Σ_c e^{z[n,c]} − z[n, t_n]); computed stably with m = max_c z[n,c]:
    log Σ e^z = m + log Σ e^{z−m}. Backward: dL/dz = (softmax(z) − onehot(t)) / N."""
    if logits.ndim != 2:
        raise ValueError(f"explain cross_entropy takes logits of shape (N, C), got "
                         f"{list(logits.shape)}")
    t = target.astype(np.int64).reshape(-1)
    n_, c_ = logits.shape
    if t.shape[0] != n_ or t.min() < 0 or t.max() >= c_:
        raise IndexError(f"Target {t.tolist()} is out of bounds for {c_} classes or does not "
                         f"have {n_} entries")
    m = logits.max(1, keepdims=True)
    shifted = logits - m
    e = np.exp(shifted)
    total = e.sum(1, keepdims=True)
    lse = m + np.log(total)
    per = lse[:, 0] - logits[np.arange(n_), t]
    loss = per.mean()
    soft = e / total
    onehot = np.eye(c_)[t]
    grad = (soft - onehot) / n_
    steps = [Step("input", "logits and targets", {"x": logits, "target": t}),
             Step("softmax", "log-sum-exp, row by row", {
                 "max": m[:, 0], "shifted": shifted, "exp": e, "sum": total[:, 0],
                 "logsumexp": lse[:, 0], "target_logit": logits[np.arange(n_), t],
                 "per_sample": per, "loss": float(loss)}),
             Step("softmax", "dL/dz = (softmax(z) − onehot(target)) / N", {
                 "softmax": soft, "onehot": onehot, "n": n_, "result": grad}, "backward")]
    tensors = {"input": logits, "target": t, "output": np.array(loss), "softmax": soft,
               "grad_input": grad}
    return Explanation("cross_entropy", {}, tensors, steps)
