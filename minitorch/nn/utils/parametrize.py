"""``nn.utils.parametrize``: a parameter computed from other tensors on every access.

``register_parametrization(module, "weight", P)`` replaces the parameter ``weight`` by
the function ``weight = P(original)``: the optimizer trains ``original`` (stored as
``module.parametrizations.weight.original``), and every read of ``module.weight`` runs
``P`` on it, so gradients flow through ``P`` into ``original``. Examples: a weight kept
symmetric (``P(X) = X.triu() + X.triu(1).T``), weight normalization (``w = g·v/‖v‖``),
spectral normalization (``W / σ(W)``).

If ``P`` has ``right_inverse``, registering (and assigning ``module.weight = W``) stores
``right_inverse(W)`` as the original, so that ``P(original) == W``. When right_inverse
returns several tensors they are stored as ``original0``, ``original1``, ... and ``P``
takes them all.

How: the module's class is swapped for a subclass ``Parametrized<Class>`` that has a
Python property per parametrized name; its getter evaluates the parametrizations, its
setter calls right_inverse. ``remove_parametrizations`` restores a plain parameter (and
the class).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Dict, Iterator, Optional, Sequence, Tuple

from minitorch.autograd.grad_mode import no_grad
from minitorch.nn.container import ModuleDict, ModuleList
from minitorch.nn.module import Module
from minitorch.nn.parameter import Parameter
from minitorch.tensor import Tensor

__all__ = ["ParametrizationList", "cached", "is_parametrized", "register_parametrization",
           "remove_parametrizations", "type_before_parametrizations"]

_cache_enabled = 0
_cache: Dict[Tuple[int, str], Tensor] = {}


@contextmanager
def cached() -> Iterator[None]:
    """Inside this block each parametrized tensor is computed once, at its first read, and
    reused (e.g. a weight read at every step of an RNN)."""
    global _cache_enabled
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache.clear()


def _set_data(target: Tensor, value: Tensor) -> None:
    """Make ``target`` hold ``value``'s values (and shape), keeping its identity, so an
    optimizer that holds the parameter still holds it."""
    target._data = value.detach().clone()._data


def _register(module: Module, name: str, tensor: Tensor) -> None:
    """A parameter stays a parameter, any other tensor becomes a buffer."""
    if isinstance(tensor, Parameter):
        module.register_parameter(name, tensor)
    else:
        module.register_buffer(name, tensor)


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, applied in order, and the original tensor(s)
    they are applied to (``original`` or ``original0``, ``original1``, ...)."""

    def __init__(self, modules: Sequence[Module], original: Tensor,
                 unsafe: bool = False) -> None:
        super().__init__(modules)
        object.__setattr__(self, "unsafe", unsafe)
        with no_grad():
            new: Any = original
            for module in reversed(list(self)):
                if hasattr(module, "right_inverse"):
                    new = module.right_inverse(new)
        if not isinstance(new, (Tensor, tuple, list)):
            raise ValueError("'right_inverse' must return a Tensor or a Sequence of tensors "
                             f"(list, tuple...). Got {type(new).__name__}")
        object.__setattr__(self, "is_tensor", isinstance(new, Tensor))
        object.__setattr__(self, "ntensors", 1 if self.is_tensor else len(new))
        if self.is_tensor:
            if original.dtype != new.dtype:
                raise ValueError("When `right_inverse` outputs one tensor, it may not change "
                                 f"the dtype.\noriginal.dtype: {original.dtype}\n"
                                 f"right_inverse(original).dtype: {new.dtype}")
            _set_data(original, new)  # the caller's parameter object is kept
            _register(self, "original", original)
        else:
            for i, t in enumerate(new):
                if not isinstance(t, Tensor):
                    raise ValueError("'right_inverse' must return a Tensor or a Sequence of "
                                     f"tensors (list, tuple...). Got element {i} of type "
                                     f"{type(t).__name__}")
                t = t.detach().clone()
                if isinstance(original, Parameter):
                    t = Parameter(t, original.requires_grad)
                t.requires_grad_(original.requires_grad)
                _register(self, f"original{i}", t)
        if not unsafe:
            self._check(original)

    def _check(self, original: Tensor) -> None:
        """The parametrized tensor must be a tensor of the original's dtype and shape."""
        value = self()
        if not isinstance(value, Tensor):
            raise ValueError("A parametrization must return a tensor. Got "
                             f"{type(value).__name__}.")
        if value.dtype != original.dtype or value.shape != original.shape:
            raise ValueError("Registering a parametrization may not change the shape or the "
                             f"dtype of the tensor, unless `unsafe` flag is enabled.\n"
                             f"unparametrized dtype: {original.dtype}\n"
                             f"parametrized dtype: {value.dtype}\n"
                             f"unparametrized shape: {original.shape}\n"
                             f"parametrized shape: {value.shape}")

    def originals(self) -> Tuple[Tensor, ...]:
        if self.is_tensor:
            return (self.original,)
        return tuple(getattr(self, f"original{i}") for i in range(self.ntensors))

    def right_inverse(self, value: Tensor) -> None:
        """Store ``value`` so that evaluating gives it back: the right inverses of the
        parametrizations applied last to first."""
        with no_grad():
            for module in reversed(list(self)):
                if not hasattr(module, "right_inverse"):
                    raise RuntimeError(f"parametrization {type(module).__name__} does not "
                                       "implement right_inverse.")
                value = module.right_inverse(value)
            if self.is_tensor and value.dtype != self.original.dtype:
                raise ValueError(f"The tensor returned by `right_inverse` has dtype "
                                 f"{value.dtype} while `original` has dtype "
                                 f"{self.original.dtype}")
            values = (value,) if self.is_tensor else tuple(value)
            if len(values) != self.ntensors:
                raise ValueError("'right_inverse' must return a sequence of tensors of length "
                                 f"{self.ntensors}. Got a sequence of length {len(values)}.")
            for target, v in zip(self.originals(), values):
                _set_data(target, v)

    def forward(self) -> Tensor:  # type: ignore[override]
        """P_k(...P_1(P_0(original)))."""
        modules = list(self)
        x = modules[0](*self.originals())
        for module in modules[1:]:
            x = module(x)
        return x


def _inject_new_class(module: Module) -> None:
    cls = module.__class__
    object.__setattr__(module, "__class__",
                       type(f"Parametrized{cls.__name__}", (cls,), {}))


def _inject_property(module: Module, tensor_name: str) -> None:
    def get_parametrized(self: Module) -> Tensor:
        parametrization = self.parametrizations[tensor_name]
        if not _cache_enabled:
            return parametrization()
        key = (id(self), tensor_name)
        if key not in _cache:
            _cache[key] = parametrization()
        return _cache[key]

    def set_original(self: Module, value: Tensor) -> None:
        self.parametrizations[tensor_name].right_inverse(value)

    setattr(module.__class__, tensor_name, property(get_parametrized, set_original))


def register_parametrization(module: Module, tensor_name: str, parametrization: Module, *,
                             unsafe: bool = False) -> Module:
    """Make ``module.<tensor_name>`` computed as ``parametrization(original)`` (see the
    module docstring); a second registration on the same name is applied after the
    first."""
    if is_parametrized(module, tensor_name):
        plist = module.parametrizations[tensor_name]
        if not unsafe:
            current = getattr(module, tensor_name)
            value = parametrization(current)
            if not isinstance(value, Tensor) or value.shape != current.shape \
                    or value.dtype != current.dtype:
                raise ValueError("Registering a parametrization may not change the shape or "
                                 "the dtype of the tensor, unless `unsafe` flag is enabled.")
        plist.append(parametrization)
        object.__setattr__(plist, "unsafe", plist.unsafe or unsafe)
    elif tensor_name in module._parameters or tensor_name in module._buffers:
        original = getattr(module, tensor_name)
        plist = ParametrizationList([parametrization], original, unsafe=unsafe)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            _inject_new_class(module)
            module.parametrizations = ModuleDict()
        module.parametrizations[tensor_name] = plist
        _inject_property(module, tensor_name)
    else:
        raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a "
                         f"parametrized element with name '{tensor_name}'")
    return module


def is_parametrized(module: Module, tensor_name: Optional[str] = None) -> bool:
    """Whether ``module`` has any parametrization (on ``tensor_name``, if given)."""
    plists = module._modules.get("parametrizations")
    if not isinstance(plists, ModuleDict):
        return False
    return len(plists) > 0 if tensor_name is None else tensor_name in plists


def remove_parametrizations(module: Module, tensor_name: str,
                            leave_parametrized: bool = True) -> Module:
    """Turn ``module.<tensor_name>`` back into a plain parameter (or buffer): holding its
    current parametrized value (``leave_parametrized``) or the original."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    plist = module.parametrizations[tensor_name]
    if plist.is_tensor:
        original = plist.original
        if leave_parametrized:
            with no_grad():
                _set_data(original, getattr(module, tensor_name))
    elif leave_parametrized:
        value = getattr(module, tensor_name)
        with no_grad():
            original = Parameter(value.detach().clone(), value.requires_grad) \
                if value.requires_grad else value.detach().clone()
    else:
        raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a tensor "
                         "that is parametrized in terms of a sequence of tensors.")
    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]
    _register(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        object.__setattr__(module, "__class__", module.__class__.__bases__[0])
    return module


def type_before_parametrizations(module: Module) -> type:
    """The module's class as it was before any parametrization was registered."""
    cls = type(module)
    return cls.__bases__[0] if is_parametrized(module) else cls


