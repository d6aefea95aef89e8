"""``Parameter``: a tensor that a Module registers as learnable."""

from __future__ import annotations

from typing import Any, Optional

from minitorch.tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor with ``requires_grad=True`` that ``Module.parameters()`` finds.
    It shares storage with the tensor it wraps."""

    def __init__(self, data: Optional[Tensor] = None, requires_grad: bool = True) -> None:
        if data is None:
            from minitorch.creation import empty

            data = empty(0)
        self._init(data._data, requires_grad)
        self._vc = data._vc

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol: int):  # noqa: ANN204
        return (_rebuild_parameter, (self.detach().cpu()._data, self.requires_grad))


def _rebuild_parameter(data, requires_grad):  # noqa: ANN001, ANN202
    return Parameter(Tensor._wrap(data), requires_grad)


class UninitializedParameter(Parameter):
    """A parameter with no shape yet (a lazy module's, until its first call), held as an
    empty tensor; :meth:`materialize` gives it a shape and makes it a :class:`Parameter`."""

    def __init__(self, requires_grad: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        from minitorch.creation import empty

        super().__init__(empty(0, device=device, dtype=dtype), requires_grad)

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> None:
        """Become a Parameter of ``shape`` (uninitialized values: the module then resets
        it), on this parameter's device and dtype unless given."""
        from minitorch.creation import empty

        data = empty(shape, device=device or self.device, dtype=dtype or self.dtype)
        self._init(data._data, self.requires_grad)
        self._vc = data._vc
        self.__class__ = Parameter

    def __repr__(self) -> str:
        return "<UninitializedParameter>"
