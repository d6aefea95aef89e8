"""The legacy tensor-type names: ``minitorch.FloatTensor``, ``LongTensor``, ... and the
strings ``'torch.FloatTensor'`` / ``'minitorch.cuda.LongTensor'`` that ``Tensor.type``
accepts. ``FloatTensor(2, 3)`` makes a tensor; ``isinstance(t, FloatTensor)`` tests its
dtype, as in PyTorch."""

from __future__ import annotations

from typing import Any, Optional, Tuple

from minitorch import dtypes

_KINDS = {d.kind: d for d in dtypes.ALL}


class _TensorTypeMeta(type):
    """``isinstance(t, FloatTensor)``: a tensor of that dtype (on the CPU)."""

    def __instancecheck__(cls, obj: Any) -> bool:
        from minitorch.tensor import Tensor

        return isinstance(obj, Tensor) and obj.dtype is cls.dtype and not obj.is_cuda

    def __repr__(cls) -> str:
        return f"<class 'minitorch.{cls.__name__}'>"


class _LegacyTensor(metaclass=_TensorTypeMeta):
    dtype: dtypes.dtype = dtypes.float32

    def __new__(cls, *args: Any) -> Any:  # noqa: ANN204 - returns a Tensor
        from minitorch.tensor import Tensor

        if len(args) == 1 and not isinstance(args[0], int):
            from minitorch.creation import tensor

            return tensor(args[0], dtype=cls.dtype)
        return Tensor(*args)._to(cls.dtype, None)


FloatTensor = _TensorTypeMeta("FloatTensor", (_LegacyTensor,), {"dtype": dtypes.float32})
DoubleTensor = _TensorTypeMeta("DoubleTensor", (_LegacyTensor,), {"dtype": dtypes.float64})
LongTensor = _TensorTypeMeta("LongTensor", (_LegacyTensor,), {"dtype": dtypes.int64})
BoolTensor = _TensorTypeMeta("BoolTensor", (_LegacyTensor,), {"dtype": dtypes.bool_})
HalfTensor = _TensorTypeMeta("HalfTensor", (_LegacyTensor,), {"dtype": dtypes.float16})
ByteTensor = _TensorTypeMeta("ByteTensor", (_LegacyTensor,), {"dtype": dtypes.uint8})
CharTensor = _TensorTypeMeta("CharTensor", (_LegacyTensor,), {"dtype": dtypes.int8})
ShortTensor = _TensorTypeMeta("ShortTensor", (_LegacyTensor,), {"dtype": dtypes.int16})
IntTensor = _TensorTypeMeta("IntTensor", (_LegacyTensor,), {"dtype": dtypes.int32})


def parse_tensor_type(spec: Any) -> Tuple[Optional[dtypes.dtype], Optional[bool]]:
    """(dtype, on_cuda) for a dtype, a legacy class or a type name; ``on_cuda`` is None when
    the spec names no device (a dtype), False for a CPU type name."""
    if isinstance(spec, type) and issubclass(spec, _LegacyTensor):
        return spec.dtype, False
    if not isinstance(spec, str):
        return dtypes.to_dtype(spec), None
    parts = spec.split(".")
    if len(parts) in (2, 3) and parts[0] in ("torch", "minitorch") and \
            (len(parts) == 2 or parts[1] == "cuda") and parts[-1].endswith("Tensor") and \
            parts[-1][:-len("Tensor")] in _KINDS:
        return _KINDS[parts[-1][:-len("Tensor")]], len(parts) == 3
    raise ValueError(f"invalid type: {spec!r}")
