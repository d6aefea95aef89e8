"""A model (any ``nn.Module``, e.g. ``nn.Sequential``) layer by layer: what each leaf layer
received and produced, then the gradient that came back into each output and each
parameter — computed by minitorch's own autograd."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import numpy as np

from minitorch.explain.core import Explanation, Step


def _pairs(v: Any) -> str:
    return ",".join(str(int(i)) for i in (v if isinstance(v, (tuple, list)) else (v,)))


def layer_command(module: Any, input_shape: Any) -> Optional[str]:
    """The ``minitorch explain`` command that walks through this one layer (its arguments and
    its input size; the numbers there are generated, not the model's)."""
    from minitorch import nn

    size = "--input-size " + ",".join(str(int(d)) for d in input_shape)
    if isinstance(module, nn.Conv2d):
        pad = module.padding if isinstance(module.padding, str) else _pairs(module.padding)
        return (f"minitorch explain conv2d {size} --out-channels {module.out_channels} "
                f"--kernel-size {_pairs(module.kernel_size)} --stride {_pairs(module.stride)} "
                f"--padding {pad} --dilation {_pairs(module.dilation)} "
                f"--groups {module.groups}" + ("" if module.bias is not None else " --no-bias"))
    if isinstance(module, nn.MaxPool2d):
        return (f"minitorch explain max_pool2d {size} --kernel-size "
                f"{_pairs(module.kernel_size)} --stride {_pairs(module.stride)} --padding "
                f"{_pairs(module.padding)} --dilation {_pairs(module.dilation)}"
                + (" --ceil-mode" if module.ceil_mode else ""))
    if isinstance(module, nn.AvgPool2d):
        return (f"minitorch explain avg_pool2d {size} --kernel-size "
                f"{_pairs(module.kernel_size)} --stride {_pairs(module.stride)} --padding "
                f"{_pairs(module.padding)}" + (" --ceil-mode" if module.ceil_mode else "")
                + ("" if module.count_include_pad else " --no-count-include-pad"))
    if isinstance(module, nn.Linear):
        return (f"minitorch explain linear {size} --out-features {module.out_features}"
                + ("" if module.bias is not None else " --no-bias"))
    name = {nn.ReLU: "relu", nn.Sigmoid: "sigmoid", nn.Tanh: "tanh"}.get(type(module))
    return f"minitorch explain {name} {size}" if name else None


def explain_model(model: Any, x: np.ndarray, target: Optional[np.ndarray] = None,
                  grad_output: Optional[np.ndarray] = None) -> Explanation:
    """Forward ``x`` through ``model``, keeping every leaf layer's input and output; the loss
    is cross-entropy with ``target`` when given, else ``Σ output · grad_output`` (ones)."""
    import minitorch
    from minitorch.nn import functional as F

    params = list(model.parameters())
    dtype = params[0].dtype if params else minitorch.float32
    xt = minitorch.tensor(x, dtype=dtype, requires_grad=True)
    names = {id(m): n for n, m in model.named_modules()}
    records: List[Dict[str, Any]] = []

    def hook(module: Any, inputs: Any, output: Any) -> None:
        if isinstance(output, minitorch.Tensor) and output.requires_grad:
            output.retain_grad()
        records.append({"name": names.get(id(module), "?"), "module": module,
                        "input": inputs[0], "output": output})

    handles = [m.register_forward_hook(hook) for m in model.modules() if not m._modules]
    try:
        out = model(xt)
    finally:
        for h in handles:
            h.remove()
    if target is not None:
        loss = F.cross_entropy(out, minitorch.tensor(target.astype(np.int64)))
    else:
        g = np.ones(out.shape) if grad_output is None else grad_output.reshape(out.shape)
        loss = (out * minitorch.tensor(g, dtype=out.dtype)).sum()
    loss.backward()
    steps = [Step("input", "input", {"x": x})]
    for r in records:
        m = r["module"]
        steps.append(Step("layer", f"{r['name']}: {type(m).__name__}", {
            "name": r["name"], "type": type(m).__name__, "repr": repr(m),
            "input_shape": tuple(r["input"].shape), "output": r["output"].detach().numpy(),
            "command": layer_command(m, r["input"].shape)}))
    steps.append(Step("loss", "loss", {"value": float(loss.item()),
                                       "kind": "cross_entropy" if target is not None else
                                       "sum(output · grad_output)"}))
    for r in reversed(records):
        m, o = r["module"], r["output"]
        grads = {n: p.grad.numpy() for n, p in m.named_parameters(recurse=False)
                 if p.grad is not None}
        steps.append(Step("layer_grad", f"{r['name']}: {type(m).__name__}", {
            "name": r["name"], "type": type(m).__name__,
            "grad_output": None if o.grad is None else o.grad.numpy(),
            "param_grads": grads}, "backward"))
    steps.append(Step("grad_input", "dL/dx", {"value": xt.grad.numpy()}, "backward"))
    tensors = {"input": x, "output": out.detach().numpy(), "grad_input": xt.grad.numpy()}
    e = Explanation("model", {"model": repr(model)}, tensors, steps)
    e.objects = {"loss": loss, "input": xt, "model": model,
                 "intermediates": {r["name"]: r["output"] for r in records}}
    return e
