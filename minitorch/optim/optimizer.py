"""``Optimizer``: holds parameter groups and per-parameter state; subclasses define ``step``.

Updates work on the raw arrays under ``no_grad`` — an update is not part of any graph."""

from __future__ import annotations

import copy
from typing import Any, Callable, Dict, Iterable, List, Optional

import numpy as np

from minitorch.autograd.engine import zero_grads
from minitorch.autograd.grad_mode import no_grad
from minitorch.backends.cuda.graphs import is_current_stream_capturing, keeps_device_state
from minitorch.fperrors import restore, silence
from minitorch.tensor import Tensor


def check_positive(**values: float) -> None:
    """torch's hyper-parameter checks: each value must be >= 0 (ValueError naming it)."""
    names = {"lr": "learning rate", "eps": "epsilon value"}
    for key, value in values.items():
        if value < 0.0:
            raise ValueError(f"Invalid {names.get(key, key + ' value')}: {value}")


def check_flags(foreach: Optional[bool] = None, fused: Optional[bool] = None,
                differentiable: bool = False) -> None:
    """torch's checks of the implementation flags. ``foreach``/``fused`` only choose how torch
    loops over parameters (the math is the same here); ``differentiable=True`` would record
    the update in autograd, which these optimizers do not do, so it is refused."""
    if fused and foreach:
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
    if fused and differentiable:
        raise RuntimeError("`fused` does not support `differentiable`")
    if differentiable:
        raise NotImplementedError("differentiable=True (an update recorded in autograd) is not "
                                  "supported by minitorch's optimizers")


def l2_grad(w: Any, grad: Any, group: Dict[str, Any]) -> Any:
    """The gradient a step uses: g (negated when the group maximizes) plus the L2 term
    weight_decay · w."""
    g = -grad if group["maximize"] else grad
    if group["weight_decay"]:
        g = g + group["weight_decay"] * w
    return g


def new_step() -> Any:
    """A step counter shaped like torch's: a 0-d float32 array on the CPU (a tensor in the
    state dict)."""
    return np.zeros((), dtype=np.float32)


def _pack(value: Any) -> Any:
    """A state value for a state dict: arrays as (copied) Tensors, lists of them (L-BFGS's
    history) item by item, anything else as it is."""
    if isinstance(value, list):
        return [_pack(v) for v in value]
    return Tensor._wrap(value.copy()) if hasattr(value, "shape") else value


def _unpack(value: Any, p: Tensor) -> Any:
    """A state value from a state dict: a Tensor (also inside a list) becomes an array on
    ``p``'s device with ``p``'s dtype, torch's policy for every state tensor but "step"."""
    if isinstance(value, list):
        return [_unpack(v, p) for v in value]
    return value.to(p.device)._data.astype(p._data.dtype) if isinstance(value, Tensor) else value


class Optimizer:
    defaults: Dict[str, Any]

    def __init__(self, params: Iterable[Any], defaults: Dict[str, Any]) -> None:
        self.defaults = defaults
        self.state: Dict[Tensor, Dict[str, Any]] = {}
        self.param_groups: List[Dict[str, Any]] = []
        params = list(params)
        if not params:
            raise ValueError("optimizer got an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        for group in groups:
            self.add_param_group(group)
        keeps_device_state(self)  # a CUDA-graph capture then sees the state's arrays

    def add_param_group(self, group: Dict[str, Any]) -> None:
        group = dict(group)
        params = group["params"]
        group["params"] = [params] if isinstance(params, Tensor) else list(params)
        for p in group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is "
                                f"{type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in group["params"]):  # it would be updated twice per step
            raise ValueError("some parameters appear in more than one parameter group")
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        zero_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    @no_grad()
    def step(self, closure: Optional[Callable[[], Any]] = None) -> Any:
        loss = None
        if is_current_stream_capturing() and not all(
                group.get("capturable", True) for group in self.param_groups):
            raise RuntimeError(f"Attempting CUDA graph capture of step() for an instance of "
                               f"{type(self).__name__} but param_groups' capturable is False.")
        if closure is not None:
            from minitorch.autograd.grad_mode import enable_grad

            with enable_grad():
                loss = closure()
        token = silence()  # an inf or nan gradient makes inf or nan parameters, silently
        try:
            for group in self.param_groups:
                self.update_group(group, [p for p in group["params"] if p.grad is not None])
        finally:
            restore(token)
        return loss

    def update_group(self, group: Dict[str, Any], params: List[Tensor]) -> None:
        """Step the parameters of ``group`` that have a gradient (one :meth:`update` each;
        an optimizer with a multi-tensor kernel overrides this)."""
        for p in params:
            self.update(p, p.grad._data, group, self.state.setdefault(p, {}))

    def update(self, p: Tensor, grad: Any, group: Dict[str, Any], state: Dict[str, Any]) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ state dicts
    def state_dict(self) -> Dict[str, Any]:
        """PyTorch's layout: parameters are numbered in group order."""
        index: Dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                packed["params"].append(index[id(p)])
            groups.append(packed)
        state = {index[id(p)]: {k: _pack(v) for k, v in s.items()}
                 for p, s in self.state.items() if id(p) in index and s}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        by_index: Dict[int, Tensor] = {}
        for own, saved in zip(self.param_groups, groups):
            if len(own["params"]) != len(saved["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't "
                                 "match the size of optimizer's group")
            for p, i in zip(own["params"], saved["params"]):
                by_index[i] = p
            own.update({k: copy.deepcopy(v) for k, v in saved.items() if k != "params"})
        self.state = {}
        for i, s in state_dict["state"].items():
            p = by_index[int(i)]
            # torch's policy: "step" stays as saved; every other tensor (0-d ones too, such
            # as NAdam's mu_product) takes the parameter's device and dtype
            self.state[p] = {k: (v.cpu()._data.copy() if k == "step" and isinstance(v, Tensor)
                                 else _unpack(v, p)) for k, v in s.items()}

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        return "\n".join(lines) + "\n)"
