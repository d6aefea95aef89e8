"""``Tensor``: an n-dimensional array that remembers how it was computed.

A tensor holds a backend-native array (``_data``: NumPy on CPU, CuPy on GPU), a
``requires_grad`` flag, and — when it is the result of a recorded op — ``grad_fn``, the
Function that made it. ``backward()`` walks those links in reverse (see
:mod:`minitorch.autograd.engine`) and leaves ``.grad`` on every leaf that requires grad.

Every differentiable method here is a one-liner that calls ``SomeOp.apply``; the math lives
in :mod:`minitorch.autograd.ops`.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import math
import warnings
from typing import Any, Callable, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np

from minitorch import dtypes, return_types
from minitorch.autograd import function as _function
from minitorch.autograd.function import AccumulateGrad, Function
from minitorch.autograd.grad_mode import is_grad_enabled
from minitorch.autograd.ops import (
    binary_math,
    division,
    inplace,
    linalg,
    pointwise,
    products,
    reduction,
    scan,
    select,
    shape,
    special,
)
from minitorch.autograd.ops import elementwise as ew
from minitorch.autograd.ops import nn as nn_ops
from minitorch.foreign import expect_tensor
from minitorch.fperrors import quietly
from minitorch.shapes import (
    broadcast_shapes,
    check_python_int,
    check_slice_steps,
    check_split_sizes,
    normalize_dim,
    normalize_dims,
)

Number = Union[int, float, bool]
return_max, return_min = return_types.max, return_types.min
return_sort, return_topk = return_types.sort, return_types.topk


class Size(tuple):
    """The shape of a tensor: a tuple of ints with PyTorch's repr."""

    def __repr__(self) -> str:
        return f"minitorch.Size({list(self)})"

    # a slice, a concatenation or a repetition of a Size is a Size, as in torch
    def __getitem__(self, index: Any) -> Any:
        item = tuple.__getitem__(self, index)
        return Size(item) if isinstance(index, slice) else item

    def __add__(self, other: Any) -> Size:
        return Size(tuple.__add__(self, other))

    def __radd__(self, other: Any) -> Size:
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def __mul__(self, times: Any) -> Size:
        return Size(tuple.__mul__(self, times))

    __rmul__ = __mul__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n


class device:  # noqa: N801 - the PyTorch name
    """Where a tensor lives: ``device("cpu")`` or ``device("cuda")`` (= ``cuda:0``)."""

    def __init__(self, spec: Union[str, device], index: Optional[int] = None) -> None:
        if isinstance(spec, device):
            spec, index = spec.type, spec.index
        kind, _, idx = str(spec).partition(":")
        if kind not in ("cpu", "cuda"):
            raise RuntimeError(f"Expected one of cpu, cuda device type at start of device "
                               f"string: {spec}")
        self.type = kind
        self.index = int(idx) if idx else index
        if kind == "cuda" and self.index is None:
            self.index = 0

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


_DTYPES = {d.np: d for d in (dtypes.float32, dtypes.float64, dtypes.int64, dtypes.bool_)}


def _device_of(array: Any) -> device:
    return CPU if isinstance(array, np.ndarray) else device("cuda")


@quietly  # 1e300 → float32 is inf, silently, as in torch
def _as_array(value: Any, dtype: Optional[dtypes.dtype] = None) -> np.ndarray:
    """Python data or an ndarray → a NumPy array of one of minitorch's dtypes."""
    if isinstance(value, Tensor):
        value = value.detach().cpu()._data
    if isinstance(value, (list, tuple)) and any(isinstance(v, Tensor) for v in value):
        value = [_as_array(v) for v in value]
    arr = np.asarray(value)
    if not isinstance(value, (np.ndarray, np.generic)) and (arr.dtype.kind in "uO" or (
            arr.dtype.kind == "f" and arr.size and np.abs(arr).max() >= 2.0 ** 63)):
        # Python ints beyond int64: NumPy would wrap 2**63 to -2**63 or make an object array
        arr = np.asarray(value, dtype=np.float64) if check_python_int(
            value, dtype is not None and dtype.is_floating_point) else arr
    target = dtype or (dtypes.get_default_dtype() if arr.dtype.kind == "f" and arr.dtype not in
                       (np.float32, np.float64) else None)
    if target is None:
        if arr.dtype.kind == "f" and not isinstance(value, (np.ndarray, np.generic)):
            target = dtypes.get_default_dtype()  # Python floats become float32, as in torch
        else:
            target = dtypes.from_numpy_dtype(arr.dtype)
    return arr.astype(target.np, copy=False)


def type_description(shape: Tuple[int, ...], np_dtype: Any, cuda: bool) -> str:
    """``minitorch.FloatTensor [2, 3]`` (``minitorch.cuda.`` on the GPU): how error messages
    name a tensor of that shape and (NumPy) dtype."""
    kind = {"float32": "Float", "float64": "Double", "int64": "Long", "bool": "Bool"}
    prefix = "minitorch.cuda." if cuda else "minitorch."
    return f"{prefix}{kind[dtypes.from_numpy_dtype(np_dtype).name]}Tensor {list(shape)}"


class Tensor:
    """A multi-dimensional array with autograd.

    ``Tensor(2, 3)`` makes an uninitialised (here: zero-filled) float32 tensor of that shape,
    as ``torch.Tensor(2, 3)`` does; ``Tensor([1, 2])`` copies data. Prefer
    :func:`minitorch.tensor` for data."""

    __hash__ = object.__hash__
    __array_priority__ = 1000  # ndarray ⊙ Tensor → Tensor's reflected operator

    def __init__(self, *args: Any, requires_grad: bool = False) -> None:
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            data = _as_array(args[0], dtypes.get_default_dtype())
        else:
            sizes = args[0] if len(args) == 1 and isinstance(args[0], tuple) else args
            data = np.zeros(tuple(int(s) for s in sizes), dtype=dtypes.get_default_dtype().np)
        self._init(data, requires_grad)

    # What a new tensor starts with, as class attributes: an instance gets its own value
    # only when one is assigned (a node, a view's base, a hook list), so wrapping an array,
    # which every op does for its output, sets three attributes rather than twelve.
    grad: Optional[Tensor] = None
    _grad_fn: Optional[Function] = None
    _output_nr = 0
    _base: Optional[Tensor] = None  # for a view: the tensor that owns the storage
    _view_steps: Tuple[Any, ...] = ()  # how the view is read from _base
    _view_version = 0  # the version at which grad_fn was last made for the view
    _view_without_grad = False  # made under no_grad from a tensor requiring grad
    _hooks: Sequence[Callable] = ()  # a list of its own once a hook is registered
    _accumulator: Optional[AccumulateGrad] = None

    def _init(self, data: Any, requires_grad: bool = False) -> None:
        self._data = data
        self.requires_grad = requires_grad
        self._vc = [0]  # version counter, shared with views: bumped by in-place ops

    @classmethod
    def _wrap(cls, data: Any, requires_grad: bool = False) -> Tensor:
        """Wrap a backend array without copying (internal fast path)."""
        t = object.__new__(Tensor)
        if type(data) is not np.ndarray and (not hasattr(data, "__array_namespace__")
                                             or isinstance(data, np.generic)):
            data = np.asarray(data)  # NumPy scalars (0-d results) and Python numbers
        t._init(data, requires_grad)
        return t

    # ----------------------------------------------------------------- attributes
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: Optional[int] = None) -> Union[Size, int]:
        if dim is None:
            return self.shape
        return self._data.shape[normalize_dim(dim, self.ndim)]

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    @property
    def dtype(self) -> dtypes.dtype:
        found = _DTYPES.get(self._data.dtype)  # asked by every op: one lookup
        return found if found is not None else dtypes.from_numpy_dtype(self._data.dtype)

    @property
    def device(self) -> device:
        return _device_of(self._data)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad_fn(self) -> Optional[Function]:
        """The node that made this tensor. A view whose base was changed in place since (by
        another view or by the base itself) gets a fresh node that reads it from the base."""
        if self._base is not None and self._view_version != self._vc[0]:
            self._refresh_view()
        return self._grad_fn

    @grad_fn.setter
    def grad_fn(self, fn: Optional[Function]) -> None:
        self._grad_fn = fn

    def _set_view_of(self, src: Tensor, step: Any) -> None:
        """Record that this tensor is a view of ``src`` (read by ``step``), for in-place ops."""
        self._base = src._base if src._base is not None else src
        self._view_steps = src._view_steps + (step,)
        self._view_version = self._vc[0]
        self._view_without_grad = src._view_without_grad or (
            src.requires_grad and not is_grad_enabled())

    def _refresh_view(self) -> None:
        from minitorch.autograd.grad_mode import enable_grad
        from minitorch.autograd.ops.grad_ops import AsStrided

        self._view_version = self._vc[0]
        base = self._base
        if base is not None and base.requires_grad and self.requires_grad:
            with enable_grad():
                self._grad_fn = AsStrided.apply(base, self._view_steps).grad_fn
            self._output_nr = 0

    def is_floating_point(self) -> bool:
        return self.dtype.is_floating_point

    @property
    def _version(self) -> int:
        return self._vc[0]

    @property
    def data(self) -> Tensor:
        """The same storage, detached from the graph (and from its version counter)."""
        return Tensor._wrap(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data

    def type_description(self) -> str:
        return type_description(self._data.shape, self._data.dtype, self.is_cuda)

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return int(self._data.nbytes)

    def data_ptr(self) -> int:
        """The address of the first element (0 for a tensor with no elements, as torch's):
        a view's differs from its base's by ``storage_offset() · element_size()``."""
        data = self._data
        if data.size == 0:
            return 0
        return int(data.data.ptr) if self.is_cuda else int(data.__array_interface__["data"][0])

    def storage_offset(self) -> int:
        """How many elements into its base's storage a view starts (0 for a tensor that owns
        its storage)."""
        if self._base is None or self._data.size == 0:
            return 0
        return (self.data_ptr() - self._base.data_ptr()) // self._data.itemsize

    def stride(self, dim: Optional[int] = None) -> Union[Tuple[int, ...], int]:
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[normalize_dim(dim, self.ndim)]

    def is_contiguous(self) -> bool:
        return bool(self._data.flags.c_contiguous)

    # ---------------------------------------------------------------- conversions
    def numpy(self) -> np.ndarray:
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if self.is_cuda:
            raise RuntimeError("can't convert cuda:0 device type tensor to numpy. Use "
                               "Tensor.cpu() to copy the tensor to host memory first.")
        return self._data

    def __array__(self, dtype: Any = None, copy: Optional[bool] = None) -> np.ndarray:
        arr = self.numpy()
        return arr.astype(dtype, copy=False) if dtype is not None else arr

    def item(self) -> Number:
        if self.numel() != 1:
            raise RuntimeError(f"a Tensor with {self.numel()} elements cannot be converted to "
                               "Scalar")
        return self.cpu()._data.reshape(()).item()

    def tolist(self) -> Any:
        return self.cpu()._data.tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.dtype.is_floating_point or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self.numel() != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.item())

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self)))

    def __dlpack__(self, *args: Any, **kwargs: Any) -> Any:
        return self.detach()._data.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self) -> Any:
        return self._data.__dlpack_device__()

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)`` or ``to(other_tensor)``."""
        target_dtype, target_device = kwargs.get("dtype"), kwargs.get("device")
        for a in args:
            if isinstance(a, Tensor):
                target_dtype, target_device = a.dtype, a.device
            elif isinstance(a, dtypes.dtype):
                target_dtype = a
            elif a is not None:
                target_device = a
        return self._to(target_dtype, target_device, kwargs.get("copy", False))

    def _to(self, dtype: Optional[dtypes.dtype], dev: Any, copy: bool = False) -> Tensor:
        dtype = dtypes.to_dtype(dtype)
        dev = device(dev) if dev is not None else None
        same_dtype = dtype is None or dtype == self.dtype
        same_device = dev is None or dev.type == self.device.type
        if same_dtype and same_device and not copy:
            return self
        to_dev = back = None
        if not same_device:
            from minitorch.backends.cuda import device as cuda_device

            to_dev, back = ((cuda_device.to_gpu, cuda_device.to_cpu) if dev.type == "cuda"
                            else (cuda_device.to_cpu, cuda_device.to_gpu))
        out = shape.ToCopy.apply(self, dtype=None if dtype is None else dtype.np,
                                 to_device=to_dev, back_device=back)
        if not out.dtype.is_floating_point:
            out.requires_grad = False
        return out

    def float(self) -> Tensor:
        return self._to(dtypes.float32, None)

    def double(self) -> Tensor:
        return self._to(dtypes.float64, None)

    def long(self) -> Tensor:
        return self._to(dtypes.int64, None)

    def bool(self) -> Tensor:
        return self._to(dtypes.bool_, None)

    def type_as(self, other: Tensor) -> Tensor:
        return self._to(other.dtype, None)

    def cpu(self) -> Tensor:
        return self._to(None, "cpu")

    def cuda(self, device: Any = None, non_blocking: bool = False) -> Tensor:
        return self._to(None, "cuda")

    def detach(self) -> Tensor:
        """Same storage, cut from the graph."""
        t = Tensor._wrap(self._data)
        t._vc = self._vc
        return t

    def detach_(self) -> Tensor:
        if self._base is not None and self._base.requires_grad:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set "
                "as True, gradients are views of DDP buckets, and hence detach_() cannot be "
                "called on these gradients. To fix this error, please refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.")
        self.grad_fn, self.requires_grad = None, False
        return self

    def clone(self) -> Tensor:
        return shape.ToCopy.apply(self, node="CloneBackward0")

    def contiguous(self) -> Tensor:
        return self if self.is_contiguous() else self.clone()

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if not self.is_leaf:
            raise RuntimeError("you can only change requires_grad flags of leaf variables.")
        if requires_grad and not self.dtype.is_floating_point:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    # ------------------------------------------------------------------- autograd
    def backward(self, gradient: Optional[Tensor] = None, retain_graph: Optional[bool] = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate d(self)/d(leaf) into each leaf's ``.grad``. A non-scalar needs the
        ``gradient`` to multiply with (a vector-Jacobian product). ``create_graph=True``
        leaves gradients that are on a graph themselves (for higher-order derivatives)."""
        from minitorch.autograd import backward

        if gradient is None and self.numel() != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        backward([self], None if gradient is None else [gradient], retain_graph,
                 create_graph, inputs)

    def register_hook(self, hook: Callable[[Tensor], Optional[Tensor]]) -> Any:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor
        replaces the gradient."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require "
                               "gradient")
        if self.grad_fn is None:
            if not isinstance(self._hooks, list):
                self._hooks = []
            hooks = self._hooks
        else:
            hooks = self.grad_fn.hooks_of_output(self._output_nr)
        hooks.append(hook)
        return _RemovableHandle(hooks, hook)

    def retain_grad(self) -> None:
        """Keep ``.grad`` on a non-leaf tensor after backward."""
        if self.grad_fn is None or getattr(self, "_retains", False):
            return
        self._retains = True

        def keep(g: Tensor) -> None:
            self.grad = g if self.grad is None else self.grad + g

        keep.retains_grad = True  # type: ignore[attr-defined]  # runs after the other hooks
        self.register_hook(keep)

    def _grad_accumulator(self) -> AccumulateGrad:
        if self._accumulator is None:
            self._accumulator = AccumulateGrad(self)
        return self._accumulator

    # ----------------------------------------------------------------- arithmetic
    def _binary(self, other: Any, op: type, reverse: bool = False) -> Tensor:
        a, b = _promote(self, other)
        return op.apply(b, a) if reverse else op.apply(a, b)

    def __add__(self, other: Any) -> Tensor:
        return self._binary(other, ew.Add)

    def __radd__(self, other: Any) -> Tensor:
        return self._binary(other, ew.Add, reverse=True)

    def __sub__(self, other: Any) -> Tensor:
        _no_bool_subtraction(self, other)
        return self._binary(other, ew.Sub)

    def __rsub__(self, other: Any) -> Tensor:
        _no_bool_subtraction(self, other)
        return self._binary(other, ew.Sub, reverse=True)

    def __mul__(self, other: Any) -> Tensor:
        return self._binary(other, ew.Mul)

    def __rmul__(self, other: Any) -> Tensor:
        return self._binary(other, ew.Mul, reverse=True)

    def __truediv__(self, other: Any) -> Tensor:
        a, b = _promote(self, other, true_divide=True)
        return ew.Div.apply(a, b)

    def __rtruediv__(self, other: Any) -> Tensor:
        if isinstance(other, (int, float)) and not isinstance(other, bool):
            # torch: number / x is reciprocal(x) · number (MulBackward0, and its values)
            return self.reciprocal() * other
        a, b = _promote(self, other, true_divide=True)
        return ew.Div.apply(b, a)

    def __pow__(self, other: Any) -> Tensor:
        with _integer_power_errors():
            return self._binary(other, ew.Pow)

    def __rpow__(self, other: Any) -> Tensor:
        with _integer_power_errors():
            return self._binary(other, ew.Pow, reverse=True)

    def __matmul__(self, other: Tensor) -> Tensor:
        return matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return matmul(_tensor_like(other, self), self)

    def __neg__(self) -> Tensor:
        if self.dtype is dtypes.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                               "If you are trying to invert a mask, use the `~` or "
                               "`logical_not()` operator instead.")
        return ew.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return self.abs()

    add = __add__
    sub = __sub__
    mul = __mul__

    def div(self, other: Any, *, rounding_mode: Optional[str] = None) -> Tensor:
        """a / b; ``rounding_mode='floor'``: ⌊a / b⌋, ``'trunc'``: a / b rounded toward 0
        (integers stay integers; the rounded forms have gradient 0, as in torch)."""
        return self._division(other, _rounding_op(rounding_mode)) if rounding_mode \
            is not None else self / other

    pow = __pow__
    matmul = __matmul__
    neg = __neg__

    def exp(self) -> Tensor:
        return ew.Exp.apply(self._floating())

    def log(self) -> Tensor:
        return ew.Log.apply(self._floating())

    def sqrt(self) -> Tensor:
        return ew.Sqrt.apply(self._floating())

    def abs(self) -> Tensor:
        if self.dtype is dtypes.bool_:
            raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
        return ew.Abs.apply(self)

    def clamp(self, min: Optional[Number] = None, max: Optional[Number] = None) -> Tensor:
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        for bound in (min, max):
            if isinstance(bound, Tensor):
                broadcast_shapes(self.shape, bound.shape)
        return ew.Clamp.apply(self, min, max)

    clip = clamp

    def maximum(self, other: Tensor) -> Tensor:
        return self._binary(other, ew.Maximum)

    def minimum(self, other: Tensor) -> Tensor:
        return self._binary(other, ew.Minimum)

    def relu(self) -> Tensor:
        return nn_ops.Relu.apply(self)

    def sigmoid(self) -> Tensor:
        return nn_ops.Sigmoid.apply(self._floating())

    def tanh(self) -> Tensor:
        return nn_ops.Tanh.apply(self._floating())

    def softmax(self, dim: int) -> Tensor:
        return nn_ops.Softmax.apply(self, nn_ops.softmax_dim(self, dim))

    def log_softmax(self, dim: int) -> Tensor:
        return nn_ops.LogSoftmax.apply(self, nn_ops.softmax_dim(self, dim))

    def _floating(self) -> Tensor:
        return self if self.dtype.is_floating_point else self._to(dtypes.get_default_dtype(), None)

    # ---------------------------------------------------------------- comparisons
    def _compare(self, other: Any, op: Callable[[Any, Any], Any]) -> Tensor:
        b = other._data if isinstance(other, Tensor) else other
        if isinstance(other, Tensor):
            broadcast_shapes(self.shape, other.shape)
        return Tensor._wrap(op(self._data, b))

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(other, lambda a, b: a < b)

    def __le__(self, other: Any) -> Tensor:
        return self._compare(other, lambda a, b: a <= b)

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(other, lambda a, b: a > b)

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(other, lambda a, b: a >= b)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, lambda a, b: a == b)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, lambda a, b: a != b)

    lt, le, gt, ge, eq, ne = __lt__, __le__, __gt__, __ge__, __eq__, __ne__

    def __and__(self, other: Any) -> Tensor:
        return self._compare(other, lambda a, b: a & b)

    def __or__(self, other: Any) -> Tensor:
        return self._compare(other, lambda a, b: a | b)

    def __invert__(self) -> Tensor:
        return Tensor._wrap(~self._data)

    def equal(self, other: Tensor) -> bool:
        return self.shape == other.shape and bool((self._data == other._data).all())

    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """True where every element (of the whole tensor, or along ``dim``) is non-zero."""
        return self._truth_reduction("all", dim, keepdim)

    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """True where some element (of the whole tensor, or along ``dim``) is non-zero."""
        return self._truth_reduction("any", dim, keepdim)

    def _truth_reduction(self, name: str, dim: Any, keepdim: bool) -> Tensor:
        """``all`` / ``any`` over ``dim`` (an int, a tuple, or None for every dim); bool."""
        dims = _dims(dim, self.ndim)  # checks range and repeats, as torch
        reduce = getattr(self._data, name)
        if dims is None:
            out = reduce()
            return Tensor._wrap(out.reshape((1,) * self.ndim) if keepdim and dim is not None
                                else out)
        return Tensor._wrap(reduce(axis=dims, keepdims=keepdim))

    def isnan(self) -> Tensor:
        return Tensor._wrap(self._data != self._data)

    # ----------------------------------------------------------------- reductions
    def sum(self, dim: Any = None, keepdim: bool = False,
            dtype: Optional[dtypes.dtype] = None) -> Tensor:
        x = self._to(dtype, None) if dtype is not None else self
        x = x if x.dtype is not dtypes.bool_ else x.long()
        return reduction.Sum.apply(x, _dims(dim, self.ndim), keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False,
             dtype: Optional[dtypes.dtype] = None) -> Tensor:
        x = self._to(dtype, None) if dtype is not None else self
        if not x.dtype.is_floating_point:
            raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either "
                               f"a floating point or complex dtype. Got: "
                               f"{x.type_description().split('.')[-1].split('Tensor')[0]}")
        return reduction.Mean.apply(x, _dims(dim, self.ndim), keepdim)

    def var(self, dim: Any = None, unbiased: Optional[bool] = None, keepdim: bool = False, *,
            correction: Optional[float] = None) -> Tensor:
        return self._spread(reduction.Var, dim, unbiased, keepdim, correction)

    def std(self, dim: Any = None, unbiased: Optional[bool] = None, keepdim: bool = False, *,
            correction: Optional[float] = None) -> Tensor:
        return self._spread(reduction.Std, dim, unbiased, keepdim, correction)

    def _spread(self, op: type, dim: Any, unbiased: Optional[bool], keepdim: bool,
                correction: Optional[float]) -> Tensor:
        """``var`` or ``std``: ``var(unbiased)`` positional form; correction 1 by default."""
        if isinstance(dim, bool):
            dim, unbiased = None, dim
        if correction is None:
            correction = 0 if unbiased is False else 1
        return op.apply(self._floating(), _dims(dim, self.ndim, True), correction, keepdim)

    def _extreme(self, dim: Any, keepdim: bool, largest: bool) -> Any:
        if isinstance(dim, Tensor):
            return self.maximum(dim) if largest else self.minimum(dim)
        if dim is None:
            return reduction.MaxMinAll.apply(self, largest)
        values, indices = reduction.MaxMinDim.apply(self, normalize_dim(dim, self.ndim),
                                                    keepdim, largest)
        return (return_max if largest else return_min)(values, indices)

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        return self._extreme(dim, keepdim, largest=True)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        return self._extreme(dim, keepdim, largest=False)

    def amax(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        dims = _dims(dim, self.ndim)  # checks range and repeats
        if dims is None:
            out = self.max()
            return out.reshape((1,) * self.ndim) if keepdim and dim is not None else out
        return reduction.AMax.apply(self, dims, keepdim)  # ties share the gradient

    def argmax(self, dim: Optional[int] = None, keepdim: bool = False) -> Tensor:
        if dim is None:
            if self.numel() == 0:
                raise IndexError("argmax(): Expected reduction dim to be specified for "
                                 "input.numel() == 0.")
            return Tensor._wrap(self._data.argmax().astype(np.int64))
        return self.detach().max(dim, keepdim).indices

    def argmin(self, dim: Optional[int] = None, keepdim: bool = False) -> Tensor:
        if dim is None:
            if self.numel() == 0:
                raise IndexError("argmin(): Expected reduction dim to be specified for "
                                 "input.numel() == 0.")
            return Tensor._wrap(self._data.argmin().astype(np.int64))
        return self.detach().min(dim, keepdim).indices

    # ------------------------------------------------------------------ shape ops
    def reshape(self, *shape_args: Any) -> Tensor:
        return shape.Reshape.apply(self, _infer_shape(shape_args, self.numel()))

    def view(self, *shape_args: Any) -> Tensor:
        if len(shape_args) == 1 and isinstance(shape_args[0], dtypes.dtype):
            raise RuntimeError("view(dtype) is not supported; use .to(dtype)")
        return shape.Reshape.apply(self, _infer_shape(shape_args, self.numel()), view=True)

    def view_as(self, other: Tensor) -> Tensor:
        return self.view(other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return self.reshape(other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        if self.ndim == 0:
            return self.reshape(1)
        s, e = normalize_dim(start_dim, self.ndim), normalize_dim(end_dim, self.ndim)
        if s > e:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        sizes = self.shape
        middle = 1
        for d in sizes[s:e + 1]:
            middle *= d
        return self.reshape(*sizes[:s], middle, *sizes[e + 1:])

    def unflatten(self, dim: int, sizes: Sequence[int]) -> Tensor:
        """Split dim ``dim`` (size n) into ``sizes`` (∏ sizes = n; one entry may be -1)."""
        d = normalize_dim(dim, self.ndim)
        if not len(sizes):
            raise RuntimeError("unflatten: sizes must be non-empty")
        n, known = (self.shape[d] if self.ndim else 1), math.prod(s for s in sizes if s != -1)
        if n != known and not (-1 in sizes and known and n % known == 0):
            raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to "
                               f"the size of dim {dim} ({n}) in the input tensor")
        return self.reshape(*self.shape[:d], *sizes, *self.shape[d + 1:])

    def permute(self, *dims: Any) -> Tensor:
        if not dims:
            raise TypeError('permute() missing 1 required positional arguments: "dims"')
        dims = tuple(dims[0]) if len(dims) == 1 and not isinstance(dims[0], int) else dims
        if len(dims) != self.ndim:
            raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input "
                               f"does not match the length of the desired ordering of "
                               f"dimensions i.e. input.dim() = {self.ndim} is not equal to "
                               f"len(dims) = {len(dims)}")
        norm = normalize_dims(dims, self.ndim, one_at_a_time=True,
                              repeated="permute(): duplicate dims are not allowed.")
        return shape.Permute.apply(self, norm)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        order = list(range(self.ndim))
        a, b = normalize_dim(dim0, self.ndim), normalize_dim(dim1, self.ndim)
        order[a], order[b] = order[b], order[a]
        return shape.Permute.apply(self, tuple(order), node="TransposeBackward0") \
            if self.ndim else self

    def t(self) -> Tensor:
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                               f"{self.ndim}D")
        return shape.T.apply(self) if self.ndim == 2 else self

    @property
    def T(self) -> Tensor:  # noqa: N802 - the PyTorch name
        return shape.Permute.apply(self, tuple(reversed(range(self.ndim))))

    @property
    def mT(self) -> Tensor:  # noqa: N802 - the PyTorch name
        return self.transpose(-2, -1)

    def squeeze(self, dim: Any = None) -> Tensor:
        if dim is None:
            new = tuple(s for s in self.shape if s != 1)
        else:
            dims = _dims(dim, self.ndim, True) or ()
            new = tuple(s for i, s in enumerate(self.shape) if not (i in dims and s == 1))
        # torch's overloads: squeeze() 0, squeeze(int) 1, squeeze(tuple) 2
        node = 0 if dim is None else 1 if isinstance(dim, int) else 2
        return shape.Reshape.apply(self, new, node=f"SqueezeBackward{node}")

    def unsqueeze(self, dim: int) -> Tensor:
        d = normalize_dim(dim, self.ndim + 1)
        return shape.Reshape.apply(self, self.shape[:d] + (1,) + self.shape[d:],
                                   node="UnsqueezeBackward0")

    def expand(self, *sizes: Any) -> Tensor:
        sizes = tuple(sizes[0]) if len(sizes) == 1 and not isinstance(sizes[0], int) else sizes
        return shape.Expand.apply(self, _expand_target(self.shape, sizes))

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(other.shape)

    def repeat(self, *sizes: Any) -> Tensor:
        sizes = tuple(sizes[0]) if len(sizes) == 1 and not isinstance(sizes[0], int) else sizes
        if len(sizes) < self.ndim:
            raise RuntimeError(f"Number of dimensions of repeat dims can not be smaller than "
                               f"number of dimensions of tensor (repeat dims {list(sizes)}, "
                               f"tensor of size {list(self.shape)})")
        return shape.Repeat.apply(self, tuple(int(r) for r in sizes))

    def chunk(self, chunks: int, dim: int = 0) -> Tuple[Tensor, ...]:
        if chunks <= 0:
            raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
        size = self.size(dim)
        if size == 0:  # torch: `chunks` empty pieces
            return tuple(self.split(0, dim)[0] for _ in range(chunks))
        step = max(-(-size // chunks), 1)
        return self.split(step, dim)

    def split(self, split_size: Union[int, Sequence[int]], dim: int = 0) -> Tuple[Tensor, ...]:
        d = normalize_dim(dim, self.ndim)
        size = self.shape[d]
        if isinstance(split_size, int) and split_size <= 0 and not (split_size == 0 and
                                                                   size == 0):
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {size}" if split_size == 0 else
                               f"split expects split_size be non-negative, but got "
                               f"split_size={split_size}")
        if isinstance(split_size, int) and split_size == 0:
            return (self,)
        if not isinstance(split_size, int):
            check_split_sizes(list(split_size), size)
        sizes = ([split_size] * max(-(-size // split_size), 1) if isinstance(split_size, int)
                 else list(split_size))
        out, start = [], 0
        for s in sizes:
            s = min(s, size - start)
            index = (slice(None),) * d + (slice(start, start + s),)
            out.append(self[index])
            start += s
        return tuple(out)

    def unbind(self, dim: int = 0) -> Tuple[Tensor, ...]:
        d = normalize_dim(dim, self.ndim)
        return tuple(self[(slice(None),) * d + (i,)] for i in range(self.shape[d]))

    def __getitem__(self, index: Any) -> Tensor:
        check_slice_steps(index)
        idx = _convert_index(index)
        try:
            return shape.GetItem.apply(self, idx)
        except IndexError as e:
            msg = str(e).replace("axis", "dimension")
            if msg.startswith("too many indices"):
                msg = f"too many indices for tensor of dimension {self.ndim}"
            raise IndexError(msg) from None

    def __setitem__(self, index: Any, value: Any) -> None:
        idx = _convert_index(index)
        tracked = is_grad_enabled() and (self.requires_grad or (
            isinstance(value, Tensor) and value.requires_grad))
        if not tracked:
            self._check_inplace()
            self._data[idx] = value._data if isinstance(value, Tensor) else value
            self._vc[0] += 1
        elif shape._is_basic(idx):  # a view written in place: the base gets CopySlices
            self[index].copy_(value)
        else:
            self._check_inplace()
            self._inplace(inplace.IndexPut.apply(self, _tensor_like(value, self)._to(
                self.dtype, None), idx))

    # ------------------------------------------------------------ in-place updates
    def _check_inplace(self) -> None:
        """PyTorch's refusals: a leaf that requires grad (or a view of one) cannot change in
        place while recording, and no tensor whose elements overlap (an expand) ever can."""
        if is_grad_enabled():
            if self._view_without_grad:
                raise RuntimeError(
                    "A view was created in no_grad mode and is being modified inplace with grad "
                    "mode enabled. Given that this use case is ambiguous and error-prone, it is "
                    "forbidden. You can clarify your code by moving both the view and the "
                    "inplace either both inside the no_grad block (if you don't want the inplace "
                    "to be tracked) or both outside (if you want the inplace to be tracked).")
            if self.requires_grad and self.is_leaf:
                raise RuntimeError("a leaf Variable that requires grad is being used in an "
                                   "in-place operation.")
            base = self._base
            if base is not None and base.requires_grad and base.is_leaf:
                raise RuntimeError("a view of a leaf Variable that requires grad is being "
                                   "used in an in-place operation.")
        if self._data.size > 1 and any(st == 0 and n > 1 for st, n in
                                        zip(self._data.strides, self._data.shape)):
            raise RuntimeError("unsupported operation: more than one element of the written-to "
                               "tensor refers to a single memory location. Please clone() the "
                               "tensor before performing the operation.")
        flags = getattr(self._data, "flags", None)
        if flags is not None and not flags.writeable:
            # a slice of an expanded view without repeats: NumPy marks it read-only, yet each
            # element has its own memory, so torch writes through to the base
            try:
                flags.writeable = True
            except ValueError:
                pass

    def _inplace(self, result: Tensor) -> Tensor:
        """Write ``result`` into this tensor's storage (views see it) and take over its
        graph position, as PyTorch's in-place ops do."""
        if tuple(result.shape) != tuple(self.shape):
            raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the "
                               f"broadcast shape {list(result.shape)}")
        old_node = self.grad_fn if self._base is not None else None  # before the bump
        self._data[...] = result._data
        self._vc[0] += 1
        if result.grad_fn is not None:
            # an op that saved its output (relu, sigmoid, ...) now saves this tensor: a later
            # in-place edit of it must fail backward, as in torch
            fn = result.grad_fn
            fn._saved_versions = [(self._vc, self._vc[0], what) if counter is result._vc
                                  else (counter, version, what)
                                  for counter, version, what in fn._saved_versions]
            if self._base is not None:
                # torch reads a view changed in place from its rebased base: the view's old
                # nodes leave the gradient's path, and hooks registered on them never fire
                node, nr = old_node, self._output_nr
                while node is not None and node.is_view:
                    node.tensor_hooks.pop(nr, None)
                    node, nr = node.next_functions[0] if node.next_functions else (None, 0)
            self._rebase(result)
        return self

    def _rebase(self, result: Tensor) -> None:
        """Put this tensor, just changed in place to ``result``'s values, on the graph. For a
        view, the base takes a ``CopySlices`` node (the old base outside the view, ``result``
        inside it) and the view is read from the new base (``AsStridedBackward0``)."""
        from minitorch.autograd.ops.grad_ops import AsStrided, CopySlices

        base = self._base
        if base is None:
            self.grad_fn, self._output_nr = result.grad_fn, result._output_nr
            self.requires_grad = True
            return
        node = CopySlices.apply(base, result, self._view_steps).grad_fn
        base.grad_fn, base._output_nr, base.requires_grad = node, 0, True
        self.grad_fn = AsStrided.apply(base, self._view_steps).grad_fn
        self._output_nr, self.requires_grad = 0, True
        self._view_version = self._vc[0]

    def _inplace_op(self, other: Any, op: type, alpha: Optional[Number] = None) -> Tensor:
        self._check_inplace()
        if isinstance(other, Tensor):  # torch's broadcast error, not NumPy's
            broadcast_shapes(self.shape, other.shape)
        _check_inplace_result_type(self, other, op)
        if alpha is not None and alpha != 1:
            other = other * alpha
        a = self._original(other)
        b = other
        if isinstance(b, Tensor) and b.dtype != a.dtype:
            b = b._to(a.dtype, None)
        return self._inplace(op.apply(a, b))

    def _original(self, other: Any = None) -> Tensor:
        """The operand of an in-place op. While recording, a copy of the current values on
        the same graph position: the op may save it for backward, and the storage is about to
        be overwritten (PyTorch saves ``original_self`` the same way)."""
        from minitorch.autograd.function import _attach, _edge

        if not self._recording(other):
            return self
        t = Tensor._wrap(self._data.copy())
        if self.requires_grad:
            _attach(t, *_edge(self))
        return t

    def add_(self, other: Any, alpha: Optional[Number] = None) -> Tensor:
        return self._inplace_op(other, ew.Add, alpha)

    def sub_(self, other: Any, alpha: Optional[Number] = None) -> Tensor:
        return self._inplace_op(other, ew.Sub, alpha)

    def mul_(self, other: Any) -> Tensor:
        return self._inplace_op(other, ew.Mul)

    def div_(self, other: Any, *, rounding_mode: Optional[str] = None) -> Tensor:
        if rounding_mode is not None:
            return self._division_(other, _rounding_op(rounding_mode))
        return self._inplace_op(other, ew.Div)

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_

    def clamp_(self, min: Optional[Number] = None, max: Optional[Number] = None) -> Tensor:
        self._check_inplace()
        return self._inplace(self._original().clamp(min, max))

    def addcmul(self, tensor1: Tensor, tensor2: Tensor, *, value: Number = 1) -> Tensor:
        """self + value·tensor1·tensor2, the three broadcast together; one fused node
        (``AddcmulBackward0``), whose backward multiplies before it sums over broadcast dims
        (Σ g·t2, not (Σ g)·t2: they differ when t2 holds ±inf)."""
        return self._addc(ew.Addcmul, tensor1, tensor2, value)

    def addcdiv(self, tensor1: Tensor, tensor2: Tensor, *, value: Number = 1) -> Tensor:
        """self + value·tensor1/tensor2, the three broadcast together (``AddcdivBackward0``);
        two integer operands are refused, as in PyTorch."""
        return self._addc(ew.Addcdiv, tensor1, tensor2, value)

    def _addc(self, op: type, t1: Tensor, t2: Tensor, value: Number) -> Tensor:
        name = op.__name__.lower()
        expect_tensors(name, t1, t2)
        if op is ew.Addcdiv and not (t1.dtype.is_floating_point or t2.dtype.is_floating_point):
            raise RuntimeError(_ADDCDIV_INTEGERS)
        broadcast_shapes(broadcast_shapes(self.shape, t1.shape), t2.shape)  # torch's error
        target = dtypes.promote(dtypes.promote(self.dtype, t1.dtype), t2.dtype)
        if target is dtypes.bool_:
            raise NotImplementedError(f"\"{name}_cpu_out\" not implemented for 'Bool'")
        c, t1, t2 = (t if t.dtype is target else t._to(target, None) for t in (self, t1, t2))
        return op.apply(c, t1, t2, value if target.is_floating_point else int(value))

    def _fill_raw(self, array: Any) -> Tensor:
        self._check_inplace()
        self._data[...] = array
        self._vc[0] += 1
        return self

    def _recording(self, src: Any = None) -> bool:
        return is_grad_enabled() and (self.requires_grad or (
            isinstance(src, Tensor) and src.requires_grad))

    def _fill_values(self, values: Any, node_name: str) -> Tensor:
        """Overwrite every element (a number or an array of this shape); while recording, the
        old values get a zero gradient through a node called ``node_name``."""
        if not self._recording():
            return self._fill_raw(values)
        self._check_inplace()
        return self._inplace(inplace.Fill.apply(self, values, node_name))

    def zero_(self) -> Tensor:
        return self._fill_values(0, "ZeroBackward0")

    def fill_(self, value: Number) -> Tensor:
        return self._fill_values(value.item() if isinstance(value, Tensor) else value,
                                 "FillBackward2")

    def copy_(self, src: Any) -> Tensor:
        if not isinstance(src, Tensor):
            return self.fill_(src)
        src = src._to(self.dtype, self.device)
        shape = broadcast_shapes(self.shape, src.shape)
        if tuple(shape) != tuple(self.shape):
            raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the "
                               f"broadcast shape {list(shape)}")
        if not self._recording(src):
            return self._fill_raw(src._data)
        self._check_inplace()
        return self._inplace(inplace.CopyFrom.apply(self, src))

    def relu_(self) -> Tensor:
        self._check_inplace()
        return self._inplace(nn_ops.Relu.apply(self))

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
        from minitorch.random import rng

        return self._fill_values(self._host(rng(generator).uniform(a, b, self.shape)),
                                 "UniformBackward0")

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
        from minitorch.random import rng

        return self._fill_values(self._host(rng(generator).normal(mean, std, self.shape)),
                                 "NormalBackward0")

    def _host(self, array: np.ndarray) -> Any:
        """A NumPy array moved to this tensor's device and dtype."""
        array = array.astype(self._data.dtype)
        if self.is_cuda:
            from minitorch.backends.cuda.device import to_gpu

            return to_gpu(array)
        return array

    # ------------------------------------------------------- more math (ops/pointwise.py)
    def _unary(self, op: type, floating: bool = True) -> Tensor:
        """Apply a pointwise op; integer inputs are promoted to the default float first
        (``floating``) or, for rounding-like ops, returned as a copy."""
        if not self.dtype.is_floating_point:
            return op.apply(self._floating()) if floating else self.clone()
        return op.apply(self)

    def sin(self) -> Tensor:
        return self._unary(pointwise.Sin)

    def erf(self) -> Tensor:
        """The error function, (2/√π) ∫₀ˣ e^(-t²) dt; ∂/∂x = (2/√π) e^(-x²)."""
        return self._unary(pointwise.Erf)

    def cos(self) -> Tensor:
        return self._unary(pointwise.Cos)

    def tan(self) -> Tensor:
        return self._unary(pointwise.Tan)

    def sinh(self) -> Tensor:
        return self._unary(pointwise.Sinh)

    def cosh(self) -> Tensor:
        return self._unary(pointwise.Cosh)

    def log1p(self) -> Tensor:
        return self._unary(pointwise.Log1P)

    def log2(self) -> Tensor:
        return self._unary(pointwise.Log2)

    def log10(self) -> Tensor:
        return self._unary(pointwise.Log10)

    def expm1(self) -> Tensor:
        return self._unary(pointwise.Expm1)

    def exp2(self) -> Tensor:
        return self._unary(pointwise.Exp2)

    def reciprocal(self) -> Tensor:
        return self._unary(pointwise.Reciprocal)

    def rsqrt(self) -> Tensor:
        return self._unary(pointwise.Rsqrt)

    def square(self) -> Tensor:
        """x² as torch computes it: ``pow(x, 2)`` (PowBackward0); bools become int64."""
        return self.pow(2) if self.dtype is not dtypes.bool_ else self.long().pow(2)

    def sign(self) -> Tensor:
        return self._signum(pointwise.Sign)

    def sgn(self) -> Tensor:
        """The sign (-1, 0 or 1; 0 for NaN) of a real tensor; gradient 0 (SgnBackward0)."""
        return self._signum(pointwise.Sgn)

    def _signum(self, op: type) -> Tensor:
        """``sign`` or ``sgn``: bools are copied, integers keep their dtype, no gradient."""
        if self.dtype is dtypes.bool_:
            return self.clone()
        if self.dtype.is_floating_point:
            return op.apply(self)
        return Tensor._wrap(_xp_of(self._data).sign(self._data))

    def floor(self) -> Tensor:
        return self._unary(pointwise.Floor, floating=False)

    def ceil(self) -> Tensor:
        return self._unary(pointwise.Ceil, floating=False)

    def trunc(self) -> Tensor:
        return self._unary(pointwise.Trunc, floating=False)

    fix = trunc

    def round(self, decimals: int = 0) -> Tensor:
        if decimals == 0:
            return self._unary(pointwise.Round, floating=False)
        scale = 10.0 ** decimals
        return (self * scale)._unary(pointwise.Round, floating=False) / scale

    def asin(self) -> Tensor:
        """arcsin x;  ∂/∂x = 1 / √(1 - x²)."""
        return self._unary(pointwise.Asin)

    def acos(self) -> Tensor:
        """arccos x;  ∂/∂x = -1 / √(1 - x²)."""
        return self._unary(pointwise.Acos)

    def atan(self) -> Tensor:
        """arctan x;  ∂/∂x = 1 / (1 + x²)."""
        return self._unary(pointwise.Atan)

    def asinh(self) -> Tensor:
        """arsinh x;  ∂/∂x = 1 / √(x² + 1)."""
        return self._unary(pointwise.Asinh)

    def acosh(self) -> Tensor:
        """arcosh x (NaN below 1);  ∂/∂x = 1 / √(x² - 1)."""
        return self._unary(pointwise.Acosh)

    def atanh(self) -> Tensor:
        """artanh x (±inf at ±1);  ∂/∂x = 1 / (1 - x²)."""
        return self._unary(pointwise.Atanh)

    arcsin, arccos, arctan = asin, acos, atan
    arcsinh, arccosh, arctanh = asinh, acosh, atanh

    def deg2rad(self) -> Tensor:
        """x · π/180."""
        return self._unary(pointwise.Deg2Rad)

    def rad2deg(self) -> Tensor:
        """x · 180/π."""
        return self._unary(pointwise.Rad2Deg)

    def sinc(self) -> Tensor:
        """sin(πx) / (πx), 1 at 0."""
        return self._unary(pointwise.Sinc)

    def frac(self) -> Tensor:
        """x - trunc(x), for floating tensors only (as torch);  ∂/∂x = 1."""
        _floating_only(self, "frac")
        return pointwise.Frac.apply(self)

    def logit(self, eps: Optional[float] = None) -> Tensor:
        """ln(x / (1 - x)), x clamped to [eps, 1 - eps] first when ``eps`` is given;
        ∂/∂x = 1 / (x (1 - x)) inside that range, outside 0 (with eps) or NaN (without)."""
        return pointwise.Logit.apply(self._floating(), eps)

    # ------------------------------------------- special functions (ops/special.py)
    def lgamma(self) -> Tensor:
        """ln|Γ(x)| (+inf at 0, -1, -2, …);  ∂/∂x = ψ(x)."""
        return self._unary(special.Lgamma)

    def digamma(self) -> Tensor:
        """ψ(x) = Γ'(x)/Γ(x) (∓inf at ±0, NaN at the negative integers);  ∂/∂x = ψ'(x)."""
        return self._unary(special.Digamma)

    def polygamma(self, n: int) -> Tensor:
        """ψ⁽ⁿ⁾(x), the n-th derivative of ψ (n ≥ 0);  ∂/∂x = ψ⁽ⁿ⁺¹⁾(x)."""
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"polygamma(): argument 'n' (position 1) must be int, not "
                            f"{type(n).__name__}")
        if n < 0:
            raise RuntimeError("polygamma(n, x) does not support negative n.")
        return special.Polygamma.apply(self._floating(), n)

    def mvlgamma(self, p: int) -> Tensor:
        """ln Γₚ(x), the multivariate log-gamma of dimension p ≥ 1."""
        if self.dtype is dtypes.bool_:
            raise RuntimeError("The input tensor may not be a boolean tensor.")
        if p < 1:
            raise RuntimeError("p has to be greater than or equal to 1")
        return special.Mvlgamma.apply(self._floating(), p)

    def erfinv(self) -> Tensor:
        """erf⁻¹ x (±inf at ±1, NaN outside [-1, 1]);  ∂/∂x = (√π/2) e^(y²)."""
        return self._unary(special.Erfinv)

    def erfc(self) -> Tensor:
        """1 - erf x, accurate where it is tiny;  ∂/∂x = -(2/√π) e^(-x²)."""
        return self._unary(special.Erfc)

    def i0(self) -> Tensor:
        """I₀(x), the modified Bessel function of the first kind of order 0;  ∂/∂x = I₁(x)."""
        return self._unary(special.I0)

    def signbit(self) -> Tensor:
        """True where the sign bit is set (-0.0 and -NaN included); no gradient."""
        if self.dtype is dtypes.bool_:
            return self._logic(_xp_of(self._data).zeros(self.shape, dtype=bool))
        return self._logic(_xp_of(self._data).signbit(self._data))

    # ------------------------------------------------ binary math (ops/binary_math.py)
    def _binary_math(self, other: Any, op: type, name: str, *, numbers: bool = False,
                     integers: str = "float", reverse: bool = False) -> Tensor:
        """``op`` on ``self`` and ``other`` promoted as torch promotes them (``reverse``:
        ``other`` is the first operand). ``other`` must be a Tensor unless ``numbers``; an
        integer result type becomes the default float (``integers="float"``), stays
        (``"keep"``) or is refused (``"error"``)."""
        if not numbers:
            expect_tensor(other, name, "other", 1)
        a, b = _promote(self, other, true_divide=integers == "float")
        if integers == "error":
            _floating_only(a, name)
        return op.apply(b, a) if reverse else op.apply(a, b)

    def atan2(self, other: Tensor) -> Tensor:
        """atan2(self, other), the angle of (other, self);  ∂/∂self = other / r²,
        ∂/∂other = -self / r² with r² = self² + other²."""
        return self._binary_math(other, binary_math.Atan2, "atan2")

    def arctan2(self, other: Tensor) -> Tensor:
        """The alias of :meth:`atan2` (its errors name ``arctan2``, as torch's)."""
        return self._binary_math(other, binary_math.Atan2, "arctan2")

    def hypot(self, other: Tensor) -> Tensor:
        """√(self² + other²) (floating tensors only);  ∂/∂self = self / y."""
        return self._binary_math(other, binary_math.Hypot, "hypot", integers="error")

    def logaddexp(self, other: Tensor) -> Tensor:
        """ln(eˢᵉˡᶠ + eᵒᵗʰᵉʳ) without overflow;  ∂/∂self = 1 / (1 + e^(other - self))."""
        return self._binary_math(other, binary_math.Logaddexp, "logaddexp", integers="error")

    def logaddexp2(self, other: Tensor) -> Tensor:
        """log₂(2ˢᵉˡᶠ + 2ᵒᵗʰᵉʳ);  ∂/∂self = 1 / (1 + 2^(other - self))."""
        return self._binary_math(other, binary_math.Logaddexp2, "logaddexp2",
                                 integers="error")

    def xlogy(self, other: Any) -> Tensor:
        """self · ln(other), 0 where self = 0 (unless other is NaN); ``other`` may be a
        number;  ∂/∂self = ln(other) (0 where self = 0), ∂/∂other = self / other."""
        return self._binary_math(other, binary_math.Xlogy, "xlogy", numbers=True)

    def fmax(self, other: Tensor) -> Tensor:
        """The larger of the two, ignoring a NaN (NaN only where both are)."""
        return self._binary_math(other, binary_math.Fmax, "fmax", integers="keep")

    def fmin(self, other: Tensor) -> Tensor:
        """The smaller of the two, ignoring a NaN (NaN only where both are)."""
        return self._binary_math(other, binary_math.Fmin, "fmin", integers="keep")

    def copysign(self, other: Any) -> Tensor:
        """|self| with the sign of ``other`` (a tensor or a number);  ∂/∂self = ±1 (0 where
        self = 0), ∂/∂other = 0."""
        return self._binary_math(other, binary_math.Copysign, "copysign", numbers=True)

    def float_power(self, exponent: Any) -> Tensor:
        """self ** exponent computed in float64 (the result is float64 whatever the inputs,
        as torch: ``pow`` on the operands converted to double)."""
        base = self._to(dtypes.float64, None)
        if isinstance(exponent, Tensor):
            exponent = exponent._to(dtypes.float64, None)
        return base ** exponent

    def heaviside(self, values: Tensor) -> Tensor:
        """0 where self < 0, ``values`` where self = 0, 1 where self > 0; both tensors of
        one dtype. No derivative (backward raises, as in torch)."""
        expect_tensor(values, "heaviside", "values", 1)
        if values.dtype is not self.dtype:
            raise RuntimeError("heaviside is not yet implemented for tensors with different "
                               "dtypes.")
        return binary_math.Heaviside.apply(*_promote(self, values))

    def _division(self, other: Any, op: type, reverse: bool = False) -> Tensor:
        """``op`` (FloorDivide, Remainder, Fmod, DivFloor or DivTrunc:
        ``autograd/ops/division.py``) on the promoted operands (``reverse``: ``other`` is
        the dividend). Integers are divided exactly, outside autograd; a zero integer
        divisor raises, as in torch."""
        t, other = _promote(self, other)
        a, b = (other, t) if reverse else (t, other)
        if t.dtype is dtypes.bool_:
            raise NotImplementedError(f'"{_DIVISION_KERNELS[op][0]}" not implemented for '
                                      "'Bool'")
        if t.dtype.is_floating_point:
            if reverse and op is division.Remainder and not isinstance(a, Tensor):
                op = division.ScalarRemainder  # torch: no derivative for number % tensor
            return op.apply(a, b)
        xp = _xp_of(t._data)
        a, b = (v._data if isinstance(v, Tensor) else v for v in (a, b))
        if bool((xp.asarray(b) == 0).any()):
            raise RuntimeError("ZeroDivisionError")
        name = _DIVISION_KERNELS[op][1]
        if name == "trunc_divide":  # C's integer division: (a - fmod(a, b)) / b is exact
            return Tensor._wrap(xp.asarray(xp.floor_divide(a - xp.fmod(a, b), b)))
        return Tensor._wrap(xp.asarray(getattr(xp, name)(a, b)))

    def _division_(self, other: Any, op: type) -> Tensor:
        """The in-place form of :meth:`_division` (``//=``, ``%=``)."""
        self._check_inplace()
        if isinstance(other, Tensor):
            broadcast_shapes(self.shape, other.shape)
        _check_inplace_result_type(self, other, op)
        return self._inplace(self._original(other)._division(other, op))

    def remainder(self, other: Any) -> Tensor:
        """Python's modulus, ``a - floor(a / b) * b`` (the sign of the divisor; torch's
        ``fmod``-then-fix formula, exact for floats); ∂/∂a = 1, ∂/∂b = -floor(a / b)."""
        return self._division(other, division.Remainder)

    def fmod(self, other: Any) -> Tensor:
        """C's modulus, ``a - trunc(a / b) * b`` (the sign of the dividend); ∂/∂a = 1,
        ∂/∂b = -trunc(a / b)."""
        return self._division(other, division.Fmod)

    def floor_divide(self, other: Any) -> Tensor:
        """``floor(a / b)`` (Python's ``//``); no derivative (backward raises, as in torch).
        Floats: ``inf``/``nan`` for a zero divisor; integers: RuntimeError."""
        return self._division(other, division.FloorDivide)

    remainder_ = functools.partialmethod(_division_, op=division.Remainder)
    fmod_ = functools.partialmethod(_division_, op=division.Fmod)
    floor_divide_ = functools.partialmethod(_division_, op=division.FloorDivide)
    __floordiv__ = floor_divide
    __mod__ = remainder
    __ifloordiv__ = floor_divide_
    __imod__ = remainder_

    def __rfloordiv__(self, other: Any) -> Tensor:
        return self._division(other, division.FloorDivide, reverse=True)

    def __rmod__(self, other: Any) -> Tensor:
        return self._division(other, division.Remainder, reverse=True)

    def true_divide(self, other: Any) -> Tensor:
        return self / other

    divide = div
    multiply = mul
    subtract = sub
    negative = neg
    absolute = abs

    def lerp(self, end: Tensor, weight: Any) -> Tensor:
        """self + weight · (end - self)."""
        return self + weight * (end - self)

    def clamp_min(self, min: Number) -> Tensor:
        return self.clamp(min=min)

    def clamp_max(self, max: Number) -> Tensor:
        return self.clamp(max=max)

    def _apply_(self, fn: Callable[[Tensor], Tensor]) -> Tensor:
        """Change this tensor in place to ``fn(self)``, computed from a copy of the current
        values while recording (see ``_original``)."""
        self._check_inplace()
        return self._inplace(fn(self._original()))

    def exp_(self) -> Tensor:
        return self._apply_(lambda x: x.exp())

    def log_(self) -> Tensor:
        return self._apply_(lambda x: x.log())

    def sqrt_(self) -> Tensor:
        return self._apply_(lambda x: x.sqrt())

    def abs_(self) -> Tensor:
        return self._apply_(lambda x: x.abs())

    def neg_(self) -> Tensor:
        return self._apply_(lambda x: -x)

    def pow_(self, exponent: Any) -> Tensor:
        return self._apply_(lambda x: x ** exponent)

    def sigmoid_(self) -> Tensor:
        return self._apply_(lambda x: x.sigmoid())

    def tanh_(self) -> Tensor:
        return self._apply_(lambda x: x.tanh())

    def clamp_min_(self, min: Number) -> Tensor:
        return self._apply_(lambda x: x.clamp(min=min))

    def clamp_max_(self, max: Number) -> Tensor:
        return self._apply_(lambda x: x.clamp(max=max))

    def lerp_(self, end: Tensor, weight: Any) -> Tensor:
        return self._apply_(lambda x: x.lerp(end, weight))

    def _pointwise_(self, name: str, *args: Any, **kwargs: Any) -> Tensor:
        """The in-place form of the pointwise method ``name``: ``self.name(*args, **kwargs)``
        written into this tensor, refused (torch's error) when its result type cannot be
        stored here (a float result in an integer tensor); a result of a wider float type
        is rounded to this tensor's, through a cast node while recording. As in torch,
        ``asinh_``, ``acosh_`` and ``atanh_`` record a node whose backward raises."""
        self._check_inplace()
        other = args[0] if args else None
        if isinstance(other, Tensor):  # torch's broadcast error, not NumPy's
            broadcast_shapes(self.shape, other.shape)
        if name == "float_power" and self.dtype is not dtypes.float64:
            raise RuntimeError(f"the base given to float_power_ has dtype "
                               f"{_kind_name(self.dtype)} but the operation's result requires "
                               f"dtype Double")
        result = getattr(self._original(other), name)(*args, **kwargs)
        _check_cast(result.dtype, self, name)
        if name in ("asinh", "acosh", "atanh") and result.requires_grad:
            result = inplace.NoDerivative.apply(self._original(), result._data, name)
        if result.dtype is not self.dtype:
            result = result.to(self.dtype)
        return self._inplace(result)

    sin_ = functools.partialmethod(_pointwise_, "sin")
    cos_ = functools.partialmethod(_pointwise_, "cos")
    tan_ = functools.partialmethod(_pointwise_, "tan")
    asin_ = arcsin_ = functools.partialmethod(_pointwise_, "asin")
    acos_ = arccos_ = functools.partialmethod(_pointwise_, "acos")
    atan_ = arctan_ = functools.partialmethod(_pointwise_, "atan")
    sinh_ = functools.partialmethod(_pointwise_, "sinh")
    cosh_ = functools.partialmethod(_pointwise_, "cosh")
    asinh_ = arcsinh_ = functools.partialmethod(_pointwise_, "asinh")
    acosh_ = arccosh_ = functools.partialmethod(_pointwise_, "acosh")
    atanh_ = arctanh_ = functools.partialmethod(_pointwise_, "atanh")
    erf_ = functools.partialmethod(_pointwise_, "erf")
    exp2_ = functools.partialmethod(_pointwise_, "exp2")
    expm1_ = functools.partialmethod(_pointwise_, "expm1")
    log2_ = functools.partialmethod(_pointwise_, "log2")
    log10_ = functools.partialmethod(_pointwise_, "log10")
    log1p_ = functools.partialmethod(_pointwise_, "log1p")
    reciprocal_ = functools.partialmethod(_pointwise_, "reciprocal")
    rsqrt_ = functools.partialmethod(_pointwise_, "rsqrt")
    square_ = functools.partialmethod(_pointwise_, "square")
    sign_ = functools.partialmethod(_pointwise_, "sign")
    sgn_ = functools.partialmethod(_pointwise_, "sgn")
    sinc_ = functools.partialmethod(_pointwise_, "sinc")
    deg2rad_ = functools.partialmethod(_pointwise_, "deg2rad")
    rad2deg_ = functools.partialmethod(_pointwise_, "rad2deg")
    frac_ = functools.partialmethod(_pointwise_, "frac")
    trunc_ = fix_ = functools.partialmethod(_pointwise_, "trunc")
    floor_ = functools.partialmethod(_pointwise_, "floor")
    ceil_ = functools.partialmethod(_pointwise_, "ceil")
    round_ = functools.partialmethod(_pointwise_, "round")
    logit_ = functools.partialmethod(_pointwise_, "logit")
    lgamma_ = functools.partialmethod(_pointwise_, "lgamma")
    digamma_ = functools.partialmethod(_pointwise_, "digamma")
    polygamma_ = functools.partialmethod(_pointwise_, "polygamma")
    mvlgamma_ = functools.partialmethod(_pointwise_, "mvlgamma")
    erfinv_ = functools.partialmethod(_pointwise_, "erfinv")
    erfc_ = functools.partialmethod(_pointwise_, "erfc")
    i0_ = functools.partialmethod(_pointwise_, "i0")
    nan_to_num_ = functools.partialmethod(_pointwise_, "nan_to_num")
    atan2_ = arctan2_ = functools.partialmethod(_pointwise_, "atan2")
    hypot_ = functools.partialmethod(_pointwise_, "hypot")
    xlogy_ = functools.partialmethod(_pointwise_, "xlogy")
    copysign_ = functools.partialmethod(_pointwise_, "copysign")
    float_power_ = functools.partialmethod(_pointwise_, "float_power")
    clip_ = clamp_
    divide_ = true_divide_ = div_
    multiply_ = mul_
    subtract_ = sub_
    negative_ = neg_
    absolute_ = abs_

    # ------------------------------------------------ order statistics and counting
    def median(self, dim: Optional[int] = None, keepdim: bool = False) -> Any:
        """The lower median (element ⌊(n-1)/2⌋ in sorted order), as in PyTorch; with ``dim``,
        ``(values, indices)``. Differentiable through the sort."""
        if dim is None:
            flat = self.reshape(-1)
            return flat.sort().values[(flat.numel() - 1) // 2]
        return self._order_statistic(None, dim, keepdim, return_types.median)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:
        """``(values, indices)`` of the k-th smallest element (1-based) along ``dim``."""
        return self._order_statistic(k, dim, keepdim, return_types.kthvalue)

    def _order_statistic(self, k: Optional[int], dim: int, keepdim: bool, kind: Any) -> Any:
        d = normalize_dim(dim, self.ndim) if self.ndim else 0
        x = self if self.ndim else self.reshape(1)
        n = x.shape[d]
        if k is not None and not 1 <= k <= n:
            raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
        position = (n - 1) // 2 if k is None else k - 1
        ordered = x.sort(d)
        values, indices = ordered.values.select(d, position), ordered.indices.select(d, position)
        if keepdim and self.ndim:
            values, indices = values.unsqueeze(d), indices.unsqueeze(d)
        return kind(values, indices)

    def unique(self, sorted: bool = True, return_inverse: bool = False,
               return_counts: bool = False, dim: Optional[int] = None) -> Any:
        """The distinct elements in increasing order (optionally where each element went,
        and how often each value occurs). No gradient."""
        if dim is not None:
            raise NotImplementedError("minitorch's unique works on all elements (dim=None)")
        values, inverse, counts = np.unique(self.cpu()._data, return_inverse=True,
                                            return_counts=True)
        out = [Tensor._wrap(values)._to(None, self.device)]
        if return_inverse:
            out.append(Tensor._wrap(inverse.reshape(self.shape).astype(np.int64))
                       ._to(None, self.device))
        if return_counts:
            out.append(Tensor._wrap(counts.astype(np.int64))._to(None, self.device))
        return out[0] if len(out) == 1 else tuple(out)

    def bincount(self, weights: Optional[Tensor] = None, minlength: int = 0) -> Tensor:
        """How often each non-negative integer occurs (or the sum of its ``weights``)."""
        if self.ndim != 1 or self.dtype.is_floating_point or self.dtype is dtypes.bool_:
            raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
        w = None if weights is None else weights.detach().cpu()._data
        counts = np.bincount(self.cpu()._data, w, minlength)
        if weights is None:
            counts = counts.astype(np.int64)
        elif weights.dtype is dtypes.float32:
            counts = counts.astype(np.float32)
        return Tensor._wrap(counts)._to(None, self.device)

    def apply_(self, callable: Callable[[Any], Any]) -> Tensor:
        """Replace every element x by ``callable(x)`` (CPU tensors; slow, for small ones)."""
        if self.is_cuda:
            raise TypeError("apply_ is only implemented on CPU tensors")
        flat = self._data.reshape(-1)
        return self._fill_raw(np.array([callable(v) for v in flat.tolist()],
                                       dtype=self._data.dtype).reshape(self.shape))

    def pin_memory(self) -> Tensor:
        """Page-locked host memory speeds up copies to a GPU; minitorch's copies go through
        CuPy, so this returns the tensor unchanged."""
        return self

    def is_pinned(self) -> bool:
        return False

    # ------------------------------------------------- products (ops/products.py)
    def mm(self, mat2: Tensor) -> Tensor:
        if self.ndim != 2:
            raise RuntimeError("self must be a matrix")
        if mat2.ndim != 2:
            raise RuntimeError("mat2 must be a matrix")
        _check_matmul(self, mat2)  # same checks and messages as torch.mm
        return products.Mm.apply(self, mat2)

    def bmm(self, mat2: Tensor) -> Tensor:
        _check_bmm(self, mat2)
        if mat2.shape[0] != self.shape[0] or mat2.shape[1] != self.shape[2]:
            raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to "
                               f"be: [{self.shape[0]}, {self.shape[2]}] but got: "
                               f"[{mat2.shape[0]}, {mat2.shape[1]}].")
        _same_mm_dtype(self, mat2)
        return products.Bmm.apply(self, mat2)

    def mv(self, vec: Tensor) -> Tensor:
        _check_mv(1, self, vec)
        _check_matmul(self, vec)
        return products.Mv.apply(self, vec)

    def dot(self, other: Tensor) -> Tensor:
        if self.ndim != 1 or other.ndim != 1:
            raise RuntimeError(f"1D tensors expected, but got {self.ndim}D and {other.ndim}D "
                               f"tensors")
        _check_matmul(self, other)
        return products.Dot.apply(self, other)

    def inner(self, other: Tensor) -> Tensor:
        if self.ndim == 0 or other.ndim == 0:
            return self * other
        return matmul(self, other.transpose(-1, -2) if other.ndim > 1 else other)

    def outer(self, vec2: Tensor) -> Tensor:
        """y_ij = a_i b_j (a broadcast product, as in PyTorch)."""
        _check_vectors("outer", ("self", self), ("vec2", vec2))
        return self.unsqueeze(1) * vec2.unsqueeze(0)

    ger = outer

    def kron(self, other: Tensor) -> Tensor:
        """The Kronecker product: y[i·q + k, ...] = a[i, ...]·b[k, ...] for b of shape
        (q, ...), the shorter shape padded with leading 1s. Computed as torch does: a viewed
        as (a₀, 1, a₁, 1, ...) times b viewed as (1, b₀, 1, b₁, ...), viewed back
        (``UnsafeViewBackward0`` over ``MulBackward0``)."""
        ndim = max(self.ndim, other.ndim)
        a = (1,) * (ndim - self.ndim) + tuple(self.shape)
        b = (1,) * (ndim - other.ndim) + tuple(other.shape)
        a_view = tuple(x for size in a for x in (size, 1))
        b_view = tuple(x for size in b for x in (1, size))
        product = (shape.Reshape.apply(self, a_view, False, "UnsafeViewBackward0")
                   * shape.Reshape.apply(other, b_view, False, "UnsafeViewBackward0"))
        return shape.Reshape.apply(product, tuple(m * n for m, n in zip(a, b)), False,
                                   "UnsafeViewBackward0")

    # -- minitorch.linalg under torch's older names ------------------------------------------
    def inverse(self) -> Tensor:
        """A⁻¹ (``minitorch.linalg.inv``)."""
        from minitorch import linalg as la

        return la.inv(self)

    def det(self) -> Tensor:
        """det A (``minitorch.linalg.det``)."""
        from minitorch import linalg as la

        return la.det(self)

    def logdet(self) -> Tensor:
        """log det A, NaN where det A < 0 (``minitorch.linalg.logdet``)."""
        from minitorch import linalg as la

        return la.logdet(self)

    def slogdet(self) -> Any:
        """(sign, log|det A|) as ``return_types.slogdet`` (``minitorch.linalg.slogdet``)."""
        from minitorch import linalg as la
        from minitorch import return_types

        return return_types.slogdet(*la.slogdet(self))

    def matrix_power(self, n: int) -> Tensor:
        """Aⁿ (``minitorch.linalg.matrix_power``)."""
        from minitorch import linalg as la

        return la.matrix_power(self, n)

    def pinverse(self, rcond: float = 1e-15) -> Tensor:
        """A⁺ with singular values below rcond·σ_max dropped (``minitorch.linalg.pinv``)."""
        from minitorch import linalg as la

        return la.pinv(self, rtol=rcond)

    def svd(self, some: bool = True, compute_uv: bool = True) -> Any:
        """torch.svd's (U, S, V) — V, not Vᴴ (a transpose of ``linalg.svd``'s Vh); the reduced
        SVD only (``some=True``)."""
        from minitorch import linalg as la
        from minitorch import return_types

        if not some and self.shape[-1] != self.shape[-2]:
            raise NotImplementedError("svd: some=False on a non-square matrix")
        u, s, vh = la.svd(self, full_matrices=False)
        return return_types.svd(u, s, vh.mT)

    def cross(self, other: Tensor, dim: Optional[int] = None) -> Tensor:
        """The cross product along ``dim``; without a dim, the first of size 3 (PyTorch's
        deprecated default, with its warning; ``minitorch.linalg.cross`` takes the last)."""
        from minitorch.linalg import cross

        if dim is None:
            warnings.warn(_CROSS_DEFAULT_DIM, UserWarning, stacklevel=2)
            dim = next((i for i, size in enumerate(self.shape) if size == 3), None)
            if dim is None:
                raise RuntimeError("no dimension of size 3 in input")
        return cross(self, other, dim=dim)

    # ----------------- β·self + α·(a product): addmm, addmv, addr, baddbmm, addbmm (and _)
    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta: Number = 1,
              alpha: Number = 1) -> Tensor:
        """β·self + α·(mat1 @ mat2) for matrices mat1 (n, k) and mat2 (k, p); self
        broadcasts to (n, p). With β = 0 self is not read (its NaN and inf do not
        propagate), as in PyTorch."""
        for name, m in (("mat1", mat1), ("mat2", mat2)):
            if m.ndim != 2:
                raise RuntimeError(f"{name} must be a matrix, got {m.ndim}-D tensor")
        _check_same_dtype("self and mat2", self, mat2)
        _check_same_dtype("mat1 and mat2", mat1, mat2)
        _check_matmul(mat1, mat2)
        return self._add_product(products.Addmm, mat1, mat2, (mat1.shape[0], mat2.shape[1]),
                                 beta, alpha)

    def addmv(self, mat: Tensor, vec: Tensor, *, beta: Number = 1,
              alpha: Number = 1) -> Tensor:
        """β·self + α·(mat @ vec) for a matrix mat (n, k) and a vector vec (k,); self is
        (n,), (1,) or 0-d."""
        _check_mv(self.ndim, mat, vec)
        if not self.dtype == mat.dtype == vec.dtype:
            raise RuntimeError("addmv input tensors must have the same dtype, but got " +
                               ", ".join(_kind_name(t.dtype) for t in (self, mat))
                               + f", and {_kind_name(vec.dtype)}")
        (n, k), size = mat.shape, self.shape[0] if self.ndim else 1
        if vec.shape[0] != k or size not in (1, n):
            raise RuntimeError(f"size mismatch, got input ({size}), mat ({n}x{k}), vec "
                               f"({vec.shape[0]})")
        return self._add_product(products.Addmv, mat, vec, (n,), beta, alpha)

    def addr(self, vec1: Tensor, vec2: Tensor, *, beta: Number = 1,
             alpha: Number = 1) -> Tensor:
        """β·self + α·(vec1 ⊗ vec2): y_ij = β·self_ij + α·vec1_i·vec2_j, self broadcasting
        to (n, m); the three dtypes are promoted together, as in PyTorch."""
        _check_vectors("addr", ("vec1", vec1), ("vec2", vec2))
        target = dtypes.promote(dtypes.promote(self.dtype, vec1.dtype), vec2.dtype)
        if not target.is_floating_point:
            for name, number in (("beta", beta), ("alpha", alpha)):
                if isinstance(number, float):
                    raise RuntimeError(f"For integral input tensors, argument {name} must "
                                       f"not be a floating point number.")
        c, u, v = (t if t.dtype is target else t._to(target, None) for t in (self, vec1, vec2))
        return c._add_product(products.Addr, u, v, (u.shape[0], v.shape[0]), beta, alpha)

    def baddbmm(self, batch1: Tensor, batch2: Tensor, *, beta: Number = 1,
                alpha: Number = 1) -> Tensor:
        """y[i] = β·self[i] + α·(batch1[i] @ batch2[i]); self broadcasts to (B, n, p)."""
        _check_bmm(batch1, batch2)
        if batch2.shape[0] != batch1.shape[0] or batch2.shape[1] != batch1.shape[2]:
            raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to "
                               f"be: [{batch1.shape[0]}, {batch1.shape[2]}] but got: "
                               f"[{batch2.shape[0]}, {batch2.shape[1]}].")
        _same_mm_dtype(batch1, batch2)
        if self.dtype != batch1.dtype:
            raise RuntimeError(f"Input dtypes must be the same, got: input "
                               f"{_scalar_name(self.dtype)}, batch1: "
                               f"{_scalar_name(batch1.dtype)}, batch2: "
                               f"{_scalar_name(batch2.dtype)}")
        return self._add_product(products.Baddbmm, batch1, batch2,
                                 batch1.shape[:2] + batch2.shape[2:], beta, alpha)

    def addbmm(self, batch1: Tensor, batch2: Tensor, *, beta: Number = 1,
               alpha: Number = 1) -> Tensor:
        """β·self + α·Σ_i batch1[i] @ batch2[i] (the batch summed away); self broadcasts to
        (n, p)."""
        _check_bmm(batch1, batch2)
        if batch1.shape[0] != batch2.shape[0]:
            raise RuntimeError(f"batch1 and batch2 must have same number of batches, got "
                               f"{batch1.shape[0]} and {batch2.shape[0]}")
        if batch1.shape[2] != batch2.shape[1]:
            raise RuntimeError(f"Incompatible matrix sizes for bmm ({batch1.shape[1]}x"
                               f"{batch1.shape[2]} and {batch2.shape[1]}x{batch2.shape[2]})")
        _check_same_dtype("self and mat2", self, batch2)
        _check_same_dtype("mat1 and mat2", batch1, batch2)
        return self._add_product(products.Addbmm, batch1, batch2,
                                 (batch1.shape[1], batch2.shape[2]), beta, alpha)

    def _add_product(self, op: type, a: Tensor, b: Tensor, out: Tuple[int, ...],
                     beta: Number, alpha: Number) -> Tensor:
        """β·self + α·P(a, b) of shape ``out`` once the op's own checks passed; an integral
        result takes β and α as integers (truncated), as in PyTorch."""
        _expand_target(self.shape, tuple(out))  # self must broadcast to the output
        if not self.dtype.is_floating_point:
            beta, alpha = int(beta), int(alpha)
        return op.apply(self, a, b, beta, alpha)

    # ----------------------------------------------- more reductions (ops/scan.py)
    def prod(self, dim: Optional[int] = None, keepdim: bool = False,
             dtype: Optional[dtypes.dtype] = None) -> Tensor:
        x = self._to(dtype, None) if dtype is not None else self
        x = x if x.dtype is not dtypes.bool_ else x.long()
        dims = None if dim is None else _dims(dim, self.ndim)
        return scan.Prod.apply(x, dims, keepdim and dims is not None)

    def cumsum(self, dim: int, dtype: Optional[dtypes.dtype] = None) -> Tensor:
        x = self._to(dtype, None) if dtype is not None else self
        x = x if x.dtype is not dtypes.bool_ else x.long()
        if x.ndim == 0:
            return x.clone()
        return scan.Cumsum.apply(x, normalize_dim(dim, self.ndim))

    def cumprod(self, dim: int, dtype: Optional[dtypes.dtype] = None) -> Tensor:
        x = self._to(dtype, None) if dtype is not None else self
        x = x if x.dtype is not dtypes.bool_ else x.long()
        if x.ndim == 0:
            return x.clone()
        return scan.Cumprod.apply(x, normalize_dim(dim, self.ndim))

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        return scan.Logsumexp.apply(self._floating(), _dims(dim, self.ndim), keepdim)

    def logcumsumexp(self, dim: int) -> Tensor:
        """y_i = log Σ_{j ≤ i} e^{x_j} along ``dim``, computed without overflow."""
        if not self.dtype.is_floating_point:
            raise NotImplementedError(f'"logcumsumexp_out_cpu" not implemented for '
                                      f"'{_kind_name(self.dtype)}'")
        return scan.Logcumsumexp.apply(self, normalize_dim(dim, self.ndim))

    def cummax(self, dim: int) -> Any:
        """``(values, indices)``: the running maximum along ``dim`` and where it was found
        (the latest position on ties; a NaN stays the maximum)."""
        values, indices = scan.CumExtreme.apply(self, normalize_dim(dim, self.ndim), True)
        return return_types.cummax(values, indices)

    def cummin(self, dim: int) -> Any:
        """``(values, indices)``: the running minimum along ``dim`` (as :meth:`cummax`)."""
        values, indices = scan.CumExtreme.apply(self, normalize_dim(dim, self.ndim), False)
        return return_types.cummin(values, indices)

    def nansum(self, dim: Any = None, keepdim: bool = False, *,
               dtype: Optional[dtypes.dtype] = None) -> Tensor:
        """Σ over ``dim`` (all dims when None) of the elements that are not NaN."""
        x = self._to(dtype, None) if dtype is not None else self
        x = x if x.dtype is not dtypes.bool_ else x.long()
        return reduction.Nansum.apply(x, _dims(dim, self.ndim, True), keepdim)

    def nanmean(self, dim: Any = None, keepdim: bool = False, *,
                dtype: Optional[dtypes.dtype] = None) -> Tensor:
        """The mean of the elements that are not NaN: nansum(x) / #(x not NaN), composed as
        torch composes it (the result's node is DivBackward0)."""
        x = self._to(dtype, None) if dtype is not None else self
        if not x.dtype.is_floating_point:
            raise RuntimeError(f"nanmean(): expected input to have floating point or complex "
                               f"dtype but got {_kind_name(x.dtype)}")
        count = (~x.isnan()).sum(dim, keepdim)
        return x.nansum(dim, keepdim) / count

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False,
             dtype: Optional[dtypes.dtype] = None) -> Tensor:
        """The vector p-norm over ``dim`` (all elements when None): ``p`` a number, ``inf``,
        ``-inf`` or ``'fro'`` (= 2)."""
        x = self._to(dtype, None) if dtype is not None else self
        if not x.dtype.is_floating_point:
            raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex "
                               f"tensor as input. Got {x.dtype.name.capitalize()}"
                               if x.dtype is not dtypes.int64 else
                               "linalg.vector_norm: Expected a floating point or complex "
                               "tensor as input. Got Long")
        if p is None or p == "fro":
            if isinstance(dim, (list, tuple)) and len(dim) > 2:
                raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got "
                                   + " ".join(str(d) for d in dim))
            p = 2
        elif isinstance(p, str):
            raise RuntimeError(f"minitorch supports the vector norms (p a number, inf or "
                               f"'fro'); got p={p!r}")
        dims = None if dim is None else _dims(dim, self.ndim, True)
        return scan.LinalgVectorNorm.apply(x, float(p), dims, keepdim)

    def amin(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return -((-self).amax(dim, keepdim)) if self.dtype is not dtypes.bool_ else \
            (~(~self).amax(dim, keepdim))

    def count_nonzero(self, dim: Any = None) -> Tensor:
        return (self != 0).sum(dim)

    # ---------------------------------------------- pick and place (ops/select.py)
    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        d = normalize_dim(dim, self.ndim) if self.ndim else 0
        values, indices = select.Sort.apply(self, d, descending)
        return return_sort(values, indices)

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
        return self.detach().sort(dim, descending, stable).indices

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
        d = normalize_dim(dim, self.ndim) if self.ndim else 0
        size = self.shape[d] if self.ndim else 1
        if k < 0 or k > size:
            raise RuntimeError("selected index k out of range")
        x = self if self.ndim else self.reshape(1)
        values, indices = select.Topk.apply(x, k, d, largest)
        if not self.ndim:
            values, indices = values.reshape(()), indices.reshape(())
        return return_topk(values, indices)

    def _index_arg(self, index: Tensor, op: str, dim: int) -> int:
        """Check a gather/scatter index (int64, same rank, in range); returns the axis."""
        if not isinstance(index, Tensor) or index.dtype is not dtypes.int64:
            raise RuntimeError(f"{op}(): Expected dtype int32/int64 for index")
        d = normalize_dim(dim, self.ndim)
        if index.ndim != self.ndim:
            raise RuntimeError("Index tensor must have the same number of dimensions as input "
                               "tensor")
        if index.numel():
            bad = index._data[(index._data < 0) | (index._data >= self.shape[d])]
            if bad.size:
                raise RuntimeError(f"index {int(bad.reshape(-1)[0])} is out of bounds for "
                                   f"dimension {d} with size {self.shape[d]}")
        return d

    def gather(self, dim: int, index: Tensor) -> Tensor:
        d = self._index_arg(index, "gather", dim)
        return select.Gather.apply(self, d, index._data)

    def scatter(self, dim: int, index: Tensor, src: Any = None, value: Any = None,
                reduce: Optional[str] = None) -> Tensor:
        d = self._index_arg(index, "scatter", dim)
        src = value if src is None else src
        if reduce is not None:
            raise NotImplementedError("minitorch's scatter supports reduce=None; use "
                                      "scatter_add for sums")
        if isinstance(src, Tensor):
            return select.Scatter.apply(self, d, index._data, src._to(self.dtype, None))
        return select.Scatter.apply(self, d, index._data, src)

    def scatter_(self, dim: int, index: Tensor, src: Any = None, value: Any = None,
                 reduce: Optional[str] = None) -> Tensor:
        return self._apply_(lambda x: x.scatter(dim, index, src, value, reduce))

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        d = self._index_arg(index, "scatter_add", dim)
        return select.ScatterAdd.apply(self, d, index._data, src._to(self.dtype, None))

    def scatter_add_(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return self._apply_(lambda x: x.scatter_add(dim, index, src))

    def index_select(self, dim: int, index: Tensor) -> Tensor:
        if not isinstance(index, Tensor) or index.dtype is not dtypes.int64:
            raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
        if index.ndim > 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        d = normalize_dim(dim, self.ndim)
        size = self.shape[d] if self.ndim else 1
        bad = index._data[(index._data < 0) | (index._data >= size)]
        if bad.size:
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={int(bad[0])} "
                               f"axis_dim={size}")
        if not self.ndim:
            return self.reshape(1)[index].reshape(index.shape)
        return select.IndexSelect.apply(self, d, index._data.reshape(-1))

    def masked_fill(self, mask: Tensor, value: Any) -> Tensor:
        if mask.dtype is not dtypes.bool_:
            raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with "
                               f"dtype {_scalar_name(mask.dtype)}")
        broadcast_shapes(self.shape, mask.shape)
        v = value.item() if isinstance(value, Tensor) else value
        return select.MaskedFill.apply(self, mask._data, v)

    def masked_fill_(self, mask: Tensor, value: Any) -> Tensor:
        return self._apply_(lambda x: x.masked_fill(mask, value))

    def masked_select(self, mask: Tensor) -> Tensor:
        if mask.dtype is not dtypes.bool_:
            raise RuntimeError("masked_select: expected BoolTensor for mask")
        shape_ = broadcast_shapes(self.shape, mask.shape)
        return self.expand(shape_)[mask.expand(shape_)]

    def flip(self, *dims: Any) -> Tensor:
        dims = tuple(dims[0]) if len(dims) == 1 and not isinstance(dims[0], int) else dims
        return select.Flip.apply(self, _dims(dims, self.ndim, True) or ())

    def fliplr(self) -> Tensor:
        return self.flip(1)

    def flipud(self) -> Tensor:
        return self.flip(0)

    def tril(self, diagonal: int = 0) -> Tensor:
        if self.ndim < 2:
            raise RuntimeError("tril: input tensor must have at least 2 dimensions")
        return select.Tril.apply(self, diagonal)

    def triu(self, diagonal: int = 0) -> Tensor:
        if self.ndim < 2:
            raise RuntimeError("triu: input tensor must have at least 2 dimensions")
        return select.Triu.apply(self, diagonal)

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        """Shift the elements cyclically by ``shifts[i]`` along ``dims[i]``; with ``dims``
        None (or empty), the elements in row-major order by one shift."""
        s = (shifts,) if isinstance(shifts, int) else tuple(shifts)
        d = () if dims is None else (dims,) if isinstance(dims, int) else tuple(dims)
        if not s:
            raise RuntimeError("`shifts` required")
        if len(s) != len(d) and not (not d and len(s) == 1):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(s)}, "
                               f"dims:{len(d)}")
        wrapped = tuple(normalize_dim(a, self.ndim) for a in d) if d else None
        return select.Roll.apply(self, tuple(int(v) for v in s), wrapped)

    def rot90(self, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
        """Turn the plane ``dims`` by k quarter turns, from the first dim towards the second."""
        dims = tuple(dims)
        if len(dims) != 2:
            raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
        if self.ndim < 2:
            raise RuntimeError(f"expected total dims >= 2, but got total dims = {self.ndim}")
        a, b = normalize_dim(dims[0], self.ndim), normalize_dim(dims[1], self.ndim)
        if a == b:
            raise RuntimeError(f"expected rotation dims to be different, but got dim0 = "
                               f"{dims[0]} and dim1 = {dims[1]}")
        return select.Rot90.apply(self, int(k), (a, b))

    def diff(self, n: int = 1, dim: int = -1, prepend: Optional[Tensor] = None,
             append: Optional[Tensor] = None) -> Tensor:
        """The n-th forward difference along ``dim``: out_i = x_{i+1} - x_i, n times (xor for
        bool), after joining ``prepend`` and ``append`` on that dim; composed as torch
        composes it (slices and a subtraction: SubBackward0)."""
        if self.ndim == 0:
            raise RuntimeError("diff expects input to be at least one-dimensional")
        if n < 0:
            raise RuntimeError(f"order must be non-negative but got {n}")
        d = normalize_dim(dim, self.ndim)
        parts = [t for t in (prepend, self, append) if t is not None]
        for t in parts:
            if t.ndim != self.ndim:
                raise RuntimeError("diff expects prepend or append to be the same dimension as "
                                   "input")
            for i, (have, want) in enumerate(zip(t.shape, self.shape)):
                if i != d and have != want:
                    raise RuntimeError(
                        "diff expects the shape of tensor to prepend or append to match that "
                        f"of input except along the differencing dimension; input.size({i}) = "
                        f"{want}, but got tensor.size({i}) = {have}")
        from minitorch.functions import cat

        x = cat(parts, d) if len(parts) > 1 else self
        if n == 0:
            return self._new("zeros", x.shape).copy_(x)
        length = x.shape[d] - 1
        for _ in range(min(n, x.shape[d])):
            later, earlier = x.narrow(d, 1, length), x.narrow(d, 0, length)
            x = later.logical_xor(earlier) if x.dtype is dtypes.bool_ else later - earlier
            length -= 1
        return x

    def take(self, index: Tensor) -> Tensor:
        """y = the elements of the flattened tensor at ``index`` (shaped like ``index``;
        negative indices count from the end)."""
        if index.dtype is not dtypes.int64:
            raise RuntimeError(f"take(): Expected a long tensor for index, but got "
                               f"{_kind_name(index.dtype)}")
        n = self.numel()
        i = index._data
        bad = i[(i < -n) | (i >= n)]
        if bad.size:
            raise IndexError(f"out of range: tried to access index {int(bad.reshape(-1)[0])} "
                             f"on a tensor of {n} elements.")
        return select.Take.apply(self, i % max(n, 1))

    def take_along_dim(self, indices: Tensor, dim: Optional[int] = None) -> Tensor:
        """``gather`` along ``dim`` with ``indices`` and the input broadcast against each other
        (every dim but ``dim``); with ``dim`` None, of the flattened tensor."""
        if dim is None:
            return self.reshape(-1).gather(0, indices.reshape(-1))
        if self.ndim != indices.ndim:
            raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                               f"number of dimensions, but got {self.ndim} dimensions for "
                               f"input, and {indices.ndim} dimensions for indices")
        if indices.dtype is not dtypes.int64:
            raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but "
                               f"got {_kind_name(indices.dtype)}")
        d = normalize_dim(dim, self.ndim)

        def with_size_at_d(shape: Sequence[int], size: int) -> List[int]:
            return [size if i == d else n for i, n in enumerate(shape)]

        index_shape = broadcast_shapes(with_size_at_d(self.shape, indices.shape[d]),
                                       indices.shape)
        self_shape = broadcast_shapes(with_size_at_d(indices.shape, self.shape[d]), self.shape)
        return self.expand(self_shape).gather(d, indices.expand(index_shape))

    def _index_along(self, op: str, dim: int, index: Tensor) -> Tuple[int, Any]:
        """The checks index_add/index_fill/index_copy share, in torch's words: the wrapped dim
        and the index as a 1-D array (index_fill wraps negative indices; the others refuse)."""
        d = normalize_dim(dim, self.ndim)
        if op == "index_fill":
            if index.ndim > 1:
                raise RuntimeError("Index has to be a vector/scalar")
            if index.dtype is not dtypes.int64:
                raise IndexError("index_fill_(): Expected dtype int64 for index.")
        elif index.ndim > 1:
            raise IndexError(f"index_add_(): Index is supposed to be a vector, but got dim: "
                             f"{index.ndim} with type: {_kind_name(index.dtype)} and size: "
                             f"{list(index.shape)}" if op == "index_add" else
                             f"index_copy_(): Index should have dimension 1 or 0 (got "
                             f"{index.ndim})")
        elif index.dtype is not dtypes.int64:
            raise RuntimeError(f"index_add_(): Expected dtype int32/int64 for index but got: "
                               f"{_kind_name(index.dtype)}" if op == "index_add" else
                               f"index_copy_(): Expected a long tensor for index, but got "
                               f"{_kind_name(index.dtype)}")
        size = self.shape[d] if self.ndim else 1
        i = index._data.reshape(-1)
        low = -size if op == "index_fill" else 0
        bad = i[(i < low) | (i >= size)]
        if bad.size:
            where = "index_copy_(): " if op == "index_copy" else ""
            kind = RuntimeError if op == "index_add" else IndexError
            raise kind(f"{where}index {int(bad[0])} is out of bounds for dimension {d} with "
                       f"size {size}")
        return d, i % size if op == "index_fill" else i

    def _check_source(self, op: str, d: int, index: Tensor, source: Tensor) -> None:
        """index_add/index_copy: ``source`` has self's dtype and shape, but index.numel()
        entries along ``d``."""
        if source.dtype is not self.dtype:
            raise RuntimeError(f"index_add_(): self ({_kind_name(self.dtype)}) and source "
                               f"({_kind_name(source.dtype)}) must have the same scalar type"
                               if op == "index_add" else
                               f"index_copy_(): self and source expected to have the same "
                               f"dtype, but got (self) {_kind_name(self.dtype)} and (source) "
                               f"{_kind_name(source.dtype)}")
        rest = [n for i, n in enumerate(self.shape) if i != d]
        source_rest = [n for i, n in enumerate(source.shape) if i != d]
        along = source.shape[d] if d < source.ndim else 1
        if op == "index_add":
            if index.numel() != along:
                raise RuntimeError(f"index_add_(): Number of indices ({index.numel()}) should be "
                                   f"equal to source.size(dim): ({along}), for dim: {d}")
            if source.ndim != self.ndim or rest != source_rest:
                raise RuntimeError(f"source tensor shape must match self tensor shape, excluding "
                                   f"the specified dimension. Got self.shape = "
                                   f"{list(self.shape)} source.shape = {list(source.shape)}")
            return
        if index.numel() != along:
            raise IndexError(f"index_copy_(): Number of indices ({index.numel()}) should be "
                             f"equal to source.size(dim) ({along})")
        if source.ndim != self.ndim or rest != source_rest:
            raise RuntimeError(
                "index_copy_(): Source/destination tensor must have same slice shapes. "
                f"Destination slice shape: {' '.join(map(str, rest))} at dimension {d} and "
                f"source slice shape: {' '.join(map(str, source_rest))} at dimension 0.")

    def index_add(self, dim: int, index: Tensor, source: Tensor, *, alpha: Number = 1) -> Tensor:
        """y = x with α·source[..., i, ...] added to row index[i] of ``dim`` (repeats add up)."""
        d, i = self._index_along("index_add", dim, index)
        self._check_source("index_add", d, index, source)
        return select.IndexAdd.apply(self, d, i, source, alpha)

    def index_add_(self, dim: int, index: Tensor, source: Tensor, *,
                   alpha: Number = 1) -> Tensor:
        return self._apply_(lambda x: x.index_add(dim, index, source, alpha=alpha))

    def index_copy(self, dim: int, index: Tensor, source: Tensor) -> Tensor:
        """y = x with row index[i] of ``dim`` replaced by source[..., i, ...]."""
        d, i = self._index_along("index_copy", dim, index)
        self._check_source("index_copy", d, index, source)
        return select.IndexCopy.apply(self, d, i, source)

    def index_copy_(self, dim: int, index: Tensor, source: Tensor) -> Tensor:
        return self._apply_(lambda x: x.index_copy(dim, index, source))

    def index_fill(self, dim: int, index: Tensor, value: Any) -> Tensor:
        """y = x with the rows ``index`` of ``dim`` set to ``value`` (a number or a 0-d
        tensor, which then takes a gradient)."""
        d, i = self._index_along("index_fill", dim, index)
        if isinstance(value, Tensor):
            if value.ndim:
                raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but "
                                   f"got tensor with {value.ndim} dimension(s).")
            value = value._to(self.dtype, None)
        return select.IndexFill.apply(self, d, i, value)

    def index_fill_(self, dim: int, index: Tensor, value: Any) -> Tensor:
        return self._apply_(lambda x: x.index_fill(dim, index, value))

    def masked_scatter(self, mask: Tensor, source: Tensor) -> Tensor:
        """y = x, where ``mask`` (broadcast with x) is true taking source's elements in turn
        (row-major order)."""
        if mask.dtype is not dtypes.bool_:
            raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with "
                               f"dtype {_kind_name(mask.dtype)}")
        if source.dtype is not self.dtype:
            raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes "
                               f"but got{_kind_name(self.dtype)} and {_kind_name(source.dtype)}")
        shape_ = broadcast_shapes(mask.shape, self.shape)
        m = mask.expand(shape_)._data
        if int(m.sum()) > source.numel():
            raise RuntimeError("Number of elements of source < number of ones in mask")
        x = self if tuple(self.shape) == tuple(shape_) else self.expand(shape_)
        return select.MaskedScatter.apply(x, m, source)

    def masked_scatter_(self, mask: Tensor, source: Tensor) -> Tensor:
        return self._apply_(lambda x: x.masked_scatter(mask, source))

    def tensor_split(self, indices_or_sections: Any, dim: int = 0) -> Tuple[Tensor, ...]:
        """Views along ``dim``: n near-equal pieces (the first size % n one longer), or the
        pieces between the given indices. Each is a slice (SliceBackward0)."""
        if self.ndim == 0:
            raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                               "tensor with 0 dims")
        spec = indices_or_sections
        if isinstance(spec, Tensor):
            if spec.ndim > 1:
                raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a "
                                   f"zero-dimensional or one-dimensional tensor, but got a tensor "
                                   f"with {spec.ndim} dims")
            if spec.dtype is not dtypes.int64:
                raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have "
                                   f"dtype of long, but got {_kind_name(spec.dtype)}")
            spec = spec.item() if spec.ndim == 0 else spec.tolist()
        d = normalize_dim(dim, self.ndim)
        size = self.shape[d]
        if isinstance(spec, int):
            if spec <= 0:
                raise RuntimeError(f"number of sections must be larger than 0, got {spec}")
            q, r = divmod(size, spec)
            spec = list(itertools.accumulate([q + 1] * r + [q] * (spec - r)))[:-1]
        bounds = [0, *spec, size]
        return tuple(shape.GetItem.apply(self, (slice(None),) * d + (slice(a, b),), "Slice")
                     for a, b in zip(bounds[:-1], bounds[1:]))

    def _split_exactly(self, sections: Any, dim: int, name: str, min_ndim: int) -> Tuple[Tensor,
                                                                                         ...]:
        """hsplit/vsplit/dsplit: ``tensor_split`` along ``dim``, a number of sections only if
        it divides the size."""
        if self.ndim < min_ndim:
            raise RuntimeError(f"torch.{name} requires a tensor with at least {min_ndim} "
                               f"dimension, but got a tensor with {self.ndim} dimensions!")
        if isinstance(sections, int) and (sections == 0 or self.shape[dim] % sections):
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the "
                               f"size of the dimension {self.shape[dim]} is not divisible by "
                               f"the split_size {sections}!")
        return self.tensor_split(sections, dim)

    def hsplit(self, sections: Any) -> Tuple[Tensor, ...]:
        """Split along dim 1 (dim 0 of a 1-D tensor)."""
        return self._split_exactly(sections, 1 if self.ndim > 1 else 0, "hsplit", 1)

    def vsplit(self, sections: Any) -> Tuple[Tensor, ...]:
        """Split along dim 0 (at least 2-D)."""
        return self._split_exactly(sections, 0, "vsplit", 2)

    def dsplit(self, sections: Any) -> Tuple[Tensor, ...]:
        """Split along dim 2 (at least 3-D)."""
        return self._split_exactly(sections, 2, "dsplit", 3)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        a, b = normalize_dim(dim1, self.ndim), normalize_dim(dim2, self.ndim)
        if a == b:
            raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
        rest = [d for d in range(self.ndim) if d not in (a, b)]
        x = self.permute(*rest, a, b)
        n = max(0, min(x.shape[-2] - max(-offset, 0), x.shape[-1] - max(offset, 0)))
        rows = np.arange(n) + max(-offset, 0)
        return x[..., rows, rows + offset]

    def diag(self, diagonal: int = 0) -> Tensor:
        if self.ndim == 2:
            return self.diagonal(diagonal)
        if self.ndim != 1:
            raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {self.ndim}D")
        n = self.shape[0] + abs(diagonal)
        out = Tensor._wrap(self._host(np.zeros((n * n,))))
        start = diagonal if diagonal >= 0 else -diagonal * n
        flat_index = Tensor._wrap(np.arange(self.shape[0]) * (n + 1) + start)
        return out.scatter(0, flat_index, self).reshape(n, n) if self.shape[0] else \
            out.reshape(n, n)

    def trace(self) -> Tensor:
        if self.ndim != 2:
            raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {self.ndim}")
        return self.diagonal().sum()

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        idx = np.nonzero(self.cpu()._data.reshape(self.shape or (1,)))
        if as_tuple:
            return tuple(Tensor._wrap(i.astype(np.int64))._to(None, self.device) for i in idx)
        return Tensor._wrap(np.stack(idx, axis=1).astype(np.int64).reshape(
            -1, max(self.ndim, 1) if self.ndim else 0))._to(None, self.device)

    def argwhere(self) -> Tensor:
        return self.nonzero()

    def where(self, condition: Tensor, y: Any) -> Tensor:
        from minitorch.functions import where

        return where(condition, self, y)

    def select(self, dim: int, index: int) -> Tensor:
        d = normalize_dim(dim, self.ndim)
        size = self.shape[d]
        if not -size <= index < size:
            raise IndexError(f"select(): index {index} out of range for tensor of size "
                             f"{list(self.shape)} at dimension {d}")
        return self[(slice(None),) * d + (index,)]

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        d = normalize_dim(dim, self.ndim)
        start = int(start) + (self.shape[d] if int(start) < 0 else 0)
        if start + length > self.shape[d]:
            raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                               f"({self.shape[d]}).")
        return self[(slice(None),) * d + (slice(start, start + length),)]

    def movedim(self, source: Any, destination: Any) -> Tensor:
        if isinstance(source, int) != isinstance(destination, int):
            kinds = ", ".join("int" if isinstance(a, int) else type(a).__name__
                              for a in (source, destination))
            raise TypeError(f"movedim() received an invalid combination of arguments - got "
                            f"({kinds}), but expected one of:\n * (int source, int destination)"
                            f"\n * (tuple of ints source, tuple of ints destination)")
        src = [source] if isinstance(source, int) else list(source)
        dst = [destination] if isinstance(destination, int) else list(destination)
        if len(src) != len(dst):
            raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} "
                               f"dims) should contain the same number of dims as destination "
                               f"({dst} dims)")
        for d in src + dst:  # torch wraps both lists before it looks for repeats
            normalize_dim(d, self.ndim)
        src = list(normalize_dims(src, self.ndim, repeated="movedim: repeated dim in `source` "
                                                           "({dims})"))
        dst = list(normalize_dims(dst, self.ndim, repeated="movedim: repeated dim in "
                                                           "`destination` ({dims})"))
        order = [d for d in range(self.ndim) if d not in src]
        for s, t in sorted(zip(dst, src)):
            order.insert(s, t)
        return self.permute(*order) if self.ndim else self

    moveaxis = movedim

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        return self.transpose(axis0, axis1)

    swapdims = swapaxes

    def ravel(self) -> Tensor:
        return self.reshape(-1)

    def repeat_interleave(self, repeats: Any, dim: Optional[int] = None) -> Tensor:
        x = self.reshape(-1) if dim is None else self
        d = 0 if dim is None else normalize_dim(dim, self.ndim)
        size = x.shape[d]
        counts = repeats._data if isinstance(repeats, Tensor) else repeats
        counts = np.broadcast_to(np.asarray(counts), (size,)) if np.ndim(counts) == 0 else \
            np.asarray(counts)
        if counts.shape != (size,):
            raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {counts.shape[0]} and input.size({d}) = "
                               f"{size}")
        index = np.repeat(np.arange(size), counts)
        return x.index_select(d, Tensor._wrap(index.astype(np.int64))._to(None, self.device))

    def tile(self, *dims: Any) -> Tensor:
        dims = tuple(dims[0]) if len(dims) == 1 and not isinstance(dims[0], int) else dims
        return self.repeat(*((1,) * (self.ndim - len(dims)) + tuple(dims)))

    # -------------------------------------------------- logic and tests (no gradient)
    def _logic(self, value: Any) -> Tensor:
        return Tensor._wrap(value)

    def isfinite(self) -> Tensor:
        return self._logic(self._isfinite(True))

    def isinf(self) -> Tensor:
        return self._logic(self._isfinite(False))

    def _isfinite(self, finite: bool) -> Any:
        xp = np if isinstance(self._data, np.ndarray) else _xp_of(self._data)
        if not self.dtype.is_floating_point:
            return xp.full(self.shape, finite)
        return xp.isfinite(self._data) if finite else xp.isinf(self._data)

    def isposinf(self) -> Tensor:
        return self.isinf() & (self > 0)

    def isneginf(self) -> Tensor:
        return self.isinf() & (self < 0)

    @quietly  # |a - b| of ±3e38 overflows to inf: not close, as in torch
    def isclose(self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
                equal_nan: bool = False) -> Tensor:
        xp = _xp_of(self._data)
        return self._logic(xp.isclose(self._data, other._data, rtol=rtol, atol=atol,
                                      equal_nan=equal_nan))

    def allclose(self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
                 equal_nan: bool = False) -> bool:
        return bool(self.isclose(other, rtol, atol, equal_nan).all())

    def logical_not(self) -> Tensor:
        return self._logic(self._data == 0)

    def logical_and(self, other: Tensor) -> Tensor:
        return self._logic((self._data != 0) & (_raw(other) != 0))

    def logical_or(self, other: Tensor) -> Tensor:
        return self._logic((self._data != 0) | (_raw(other) != 0))

    def logical_xor(self, other: Tensor) -> Tensor:
        return self._logic((self._data != 0) ^ (_raw(other) != 0))

    def bitwise_not(self) -> Tensor:
        if self.dtype.is_floating_point:
            raise RuntimeError("\"bitwise_not_cpu\" not implemented for "
                               f"'{_kind_name(self.dtype)}'")
        return self._logic(~self._data)

    def __xor__(self, other: Any) -> Tensor:
        return self._compare(other, lambda a, b: a ^ b)

    def nan_to_num(self, nan: float = 0.0, posinf: Optional[float] = None,
                   neginf: Optional[float] = None) -> Tensor:
        if not self.dtype.is_floating_point:
            return self.clone()
        info = np.finfo(self._data.dtype)
        big = info.max if posinf is None else posinf
        small = info.min if neginf is None else neginf
        out = self.masked_fill(self.isnan(), nan)
        out = out.masked_fill(self.isposinf(), big)
        return out.masked_fill(self.isneginf(), small)

    # --------------------------------------------------------- new tensors alike
    def _new(self, maker: str, size: Any, *args: Any, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
        from minitorch import creation

        return getattr(creation, maker)(size, *args, dtype=dtype or self.dtype,
                                        device=device or self.device,
                                        requires_grad=requires_grad)

    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
        return self._new("zeros", _size_arg(size), dtype=dtype, device=device,
                         requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
        return self._new("ones", _size_arg(size), dtype=dtype, device=device,
                         requires_grad=requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
        return self._new("empty", _size_arg(size), dtype=dtype, device=device,
                         requires_grad=requires_grad)

    def new_full(self, size: Sequence[int], fill_value: Any, dtype: Any = None,
                 device: Any = None, requires_grad: bool = False) -> Tensor:
        return self._new("full", tuple(size), fill_value, dtype=dtype, device=device,
                         requires_grad=requires_grad)

    def new_tensor(self, data: Any, dtype: Any = None, device: Any = None,
                   requires_grad: bool = False) -> Tensor:
        from minitorch.creation import tensor

        return tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                      requires_grad=requires_grad)

    # ----------------------------------------------------------- types and devices
    def type(self, dtype: Any = None, non_blocking: bool = False) -> Any:
        """``type()`` names the tensor type (``'minitorch.FloatTensor'``); ``type(t)`` with a
        dtype, a tensor-type name (``'torch.cuda.LongTensor'``) or a legacy class
        (``minitorch.DoubleTensor``) converts."""
        if dtype is None:
            return self.type_description().split(" ")[0]
        from minitorch.tensortypes import parse_tensor_type

        target, on_cuda = parse_tensor_type(dtype)
        out = self._to(target, "cuda" if on_cuda else ("cpu" if on_cuda is False else None))
        return out

    def get_device(self) -> int:
        return 0 if self.is_cuda else -1

    def ndimension(self) -> int:
        return self.ndim

    def bernoulli_(self, p: float = 0.5, generator: Any = None) -> Tensor:
        from minitorch.random import rng

        return self._fill_raw(self._host(rng(generator).random(self.shape) < p))

    def random_(self, from_: int = 0, to: Optional[int] = None, generator: Any = None) -> Tensor:
        from minitorch.random import rng

        if to is None:
            from_, to = 0, from_ if from_ else 2 ** 24
        return self._fill_raw(self._host(rng(generator).integers(from_, to, self.shape)))

    def exponential_(self, lambd: float = 1.0, generator: Any = None) -> Tensor:
        from minitorch.random import rng

        return self._fill_raw(self._host(rng(generator).exponential(1 / lambd, self.shape)))

    # ----------------------------------------------------------------------- repr
    def __repr__(self) -> str:
        from minitorch.printing import tensor_repr

        return tensor_repr(self)

    def __str__(self) -> str:
        return self.__repr__()

    def __format__(self, spec: str) -> str:
        """A 0-d tensor formats as its number (``f"{loss:.3f}"``, ``f"{loss}"`` → ``0.25``),
        any other as ``object.__format__`` would: its ``str``, or torch's TypeError for a
        format spec."""
        if self.ndim == 0:
            return format(self.item(), spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, protocol: int) -> Any:
        return (_rebuild, (self.detach().cpu()._data, self.requires_grad))


_function.Tensor = Tensor  # Function.apply wraps its outputs in this class


def _rebuild(data: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor._wrap(data, requires_grad)


class _RemovableHandle:
    def __init__(self, hooks: List[Any], hook: Any) -> None:
        self.hooks, self.hook = hooks, hook

    def remove(self) -> None:
        if self.hook in self.hooks:
            self.hooks.remove(self.hook)


# ------------------------------------------------------------------------- helpers
def _tensor_like(value: Any, like: Tensor) -> Tensor:
    """Wrap a Python number or array as a tensor on ``like``'s device."""
    if isinstance(value, Tensor):
        return value
    t = Tensor._wrap(_as_array(value))
    return t._to(None, like.device) if like.is_cuda else t


def _promote(a: Tensor, other: Any, true_divide: bool = False,
             elementwise: bool = True) -> Tuple[Tensor, Any]:
    """Cast the operands of a binary op to PyTorch's result dtype (and, for an elementwise
    op, check that their shapes broadcast). A Python number stays a number (NumPy keeps the
    array's dtype for it)."""
    if isinstance(other, Tensor):
        if a._data.dtype == other._data.dtype and (not true_divide or a._data.dtype.kind == "f"):
            # the common case, nothing to cast: only the shapes to check
            if elementwise and a._data.shape != other._data.shape:
                broadcast_shapes(a.shape, other.shape)
            return a, other
        if elementwise:
            broadcast_shapes(a.shape, other.shape)
        target = dtypes.promote(a.dtype, other.dtype)
        if other.ndim == 0 and a.ndim > 0 and a.dtype.is_floating_point == \
                other.dtype.is_floating_point and a.dtype is not dtypes.bool_:
            target = a.dtype  # a 0-d tensor acts like a number of its category
        elif a.ndim == 0 and other.ndim > 0 and a.dtype.is_floating_point == \
                other.dtype.is_floating_point and other.dtype is not dtypes.bool_:
            target = other.dtype
    elif isinstance(other, (int, float, bool, np.number)):
        other = other.item() if isinstance(other, np.number) else other
        target = dtypes.promote_scalar(a.dtype, other)
    else:
        return _promote(a, _tensor_like(other, a), true_divide, elementwise)
    if true_divide and not target.is_floating_point:
        target = dtypes.get_default_dtype()
    a = a._to(target, None) if a.dtype is not target else a
    if isinstance(other, Tensor) and other.dtype is not target:
        other = other._to(target, None)
    return a, other


# the kernel torch names for bool operands, the NumPy/CuPy function for integers
_DIVISION_KERNELS = {division.FloorDivide: ("div_floor_cpu", "floor_divide"),
                     division.DivFloor: ("div_floor_cpu", "floor_divide"),
                     division.DivTrunc: ("div_trunc_cpu", "trunc_divide"),
                     division.Remainder: ("remainder_cpu", "remainder"),
                     division.Fmod: ("fmod_cpu", "fmod")}


def _rounding_op(rounding_mode: str) -> type:
    """The Function of ``div``'s ``rounding_mode``."""
    if rounding_mode == "floor":
        return division.DivFloor
    if rounding_mode == "trunc":
        return division.DivTrunc
    raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                       f"found '{rounding_mode}'")


def _check_inplace_result_type(t: Tensor, other: Any, op: type) -> None:
    """torch refuses an in-place op whose result type cannot be stored in ``t``."""
    if isinstance(other, Tensor):
        result = dtypes.promote(t.dtype, other.dtype)
    elif isinstance(other, (bool, int, float, np.number)):
        result = dtypes.promote_scalar(t.dtype, other.item() if isinstance(other, np.number)
                                       else other)
    else:
        return
    if op is ew.Div and not result.is_floating_point:
        result = dtypes.get_default_dtype()
    _check_cast(result, t, op.__name__.lower())


def _check_cast(result: dtypes.dtype, t: Tensor, op: str) -> None:
    """torch refuses to store a float result in an integral tensor, or a non-bool in a bool."""
    if result.is_floating_point and not t.dtype.is_floating_point or \
            result is not dtypes.bool_ and t.dtype is dtypes.bool_:
        raise RuntimeError(f"result type {_kind_name(result)} can't be cast to the desired "
                           f"output type {_kind_name(t.dtype)} (in-place {op} on a tensor of "
                           f"size {list(t.shape)})")


def _dims(dim: Any, ndim: int, one_at_a_time: bool = False) -> Optional[Tuple[int, ...]]:
    """A reduction's ``dim`` argument as wrapped dims (None: every dim); see
    ``shapes.normalize_dims`` for the two orders in which torch checks a list."""
    if dim is None:
        return None
    if isinstance(dim, int):
        d = normalize_dim(dim, ndim)  # a 0-d tensor accepts -1 and 0 only
        return (d,) if ndim else None
    dims = normalize_dims(tuple(dim), ndim, one_at_a_time=one_at_a_time)
    return dims if dims and ndim else None


def _infer_shape(args: Sequence[Any], numel: int) -> Tuple[int, ...]:
    sizes = tuple(args[0]) if len(args) == 1 and not isinstance(args[0], int) else tuple(args)
    sizes = tuple(int(s) for s in sizes)
    if sizes.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in sizes:
        if s != -1:
            known *= s
    if -1 in sizes:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(sizes)}' is invalid for input of size {numel}")
        sizes = tuple(numel // known if s == -1 else s for s in sizes)
    elif known != numel:
        raise RuntimeError(f"shape '{list(sizes)}' is invalid for input of size {numel}")
    return sizes


def _no_bool_subtraction(a: Tensor, b: Any) -> None:
    if a.dtype is dtypes.bool_ and (isinstance(b, bool) or (isinstance(b, Tensor) and
                                                            b.dtype is dtypes.bool_)):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")


@contextlib.contextmanager
def _integer_power_errors() -> Iterator[None]:
    """NumPy's ValueError for an integer to a negative integer power → torch's RuntimeError."""
    try:
        yield
    except ValueError as e:
        if "negative integer powers" not in str(e):
            raise
        raise RuntimeError("Integers to negative integer powers are not allowed.") from None


def _expand_target(have: Tuple[int, ...], sizes: Tuple[int, ...]) -> Tuple[int, ...]:
    """The shape ``expand(*sizes)`` gives a tensor of shape ``have`` (-1 keeps a dim), with
    torch's errors when it cannot."""
    if len(sizes) < len(have):
        raise RuntimeError(f"expand(minitorch.FloatTensor{{{list(have)}}}, size={list(sizes)}): "
                           f"the number of sizes provided ({len(sizes)}) must be greater or "
                           f"equal to the number of dimensions in the tensor ({len(have)})")
    lead = len(sizes) - len(have)
    target = tuple(have[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    for i, (size, want) in enumerate(zip(have, target[lead:])):
        if size != want and size != 1:
            raise RuntimeError(f"The expanded size of the tensor ({want}) must match the "
                               f"existing size ({size}) at non-singleton dimension "
                               f"{i + lead}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                               f"{list(have)}")
    return target


def _convert_index(index: Any) -> Any:
    """Tensor/list indices → arrays, so NumPy's indexing rules apply."""
    if isinstance(index, tuple):
        return tuple(_convert_index(i) for i in index)
    if isinstance(index, Tensor):
        if index.dtype.is_floating_point:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return index._data
    if isinstance(index, list):
        return np.asarray(index)
    return index


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """Matrix product with NumPy's broadcasting rules (``a @ b``)."""
    _check_matmul(a, b)
    # the shapes torch's matmul sends to mm, mv and dot show those nodes (MmBackward0, ...)
    op = _NAMED_PRODUCTS.get((a.ndim, b.ndim), linalg.MatMul)
    return op.apply(a, b)


def _check_matmul(a: Tensor, b: Tensor) -> None:
    """torch's checks (and messages) for ``a @ b``: dtypes, inner sizes, batch dims."""
    if not isinstance(b, Tensor):
        from minitorch.foreign import not_a_tensor

        raise not_a_tensor(b, "matmul", "other", 1)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{a.ndim}D and {b.ndim}D")
    if a.dtype != b.dtype:  # torch never promotes inside matmul
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{a.dtype.name} != {b.dtype.name} (shapes {list(a.shape)} and "
                           f"{list(b.shape)})")
    if a.dtype is dtypes.bool_:
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")
    k_a = a.shape[-1]
    k_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k_a != k_b:
        if a.ndim == 1 and b.ndim == 1:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{k_a}] and src "
                               f"[{k_b}] to have the same number of elements, but got "
                               f"{k_a} and {k_b} elements respectively")
        if b.ndim == 1:
            rows = a.numel() // max(k_a, 1)
            raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{k_a}), vec "
                               f"({k_b}) (shapes {list(a.shape)} and {list(b.shape)})")
        if a.ndim <= 2 and b.ndim <= 2:
            rows = a.shape[0] if a.ndim == 2 else 1
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k_a} and "
                               f"{k_b}x{b.shape[1]})")
        batch = 1
        for d in broadcast_shapes(a.shape[:-2], b.shape[:-2]):
            batch *= d
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{batch}, {k_a}] but got: [{batch}, {k_b}]. (shapes "
                           f"{list(a.shape)} and {list(b.shape)})")
    broadcast_shapes(a.shape[:-2], b.shape[:-2])  # batch dims must broadcast


_NAMED_PRODUCTS = {(2, 2): products.Mm, (2, 1): products.Mv, (1, 1): products.Dot}


def _xp_of(array: Any) -> Any:
    """NumPy for host arrays, CuPy for device arrays."""
    if isinstance(array, np.ndarray):
        return np
    import cupy

    return cupy


def _raw(value: Any) -> Any:
    return value._data if isinstance(value, Tensor) else value


def _size_arg(size: Sequence[Any]) -> Tuple[int, ...]:
    if len(size) == 1 and not isinstance(size[0], (int, np.integer)):
        return tuple(int(s) for s in size[0])
    return tuple(int(s) for s in size)


def _floating_only(t: Tensor, op: str) -> None:
    """torch's error for an op whose kernel has no integer or bool version."""
    if not t.dtype.is_floating_point:
        raise NotImplementedError(f'"{op}_cpu" not implemented for \'{_kind_name(t.dtype)}\'')


def _kind_name(d: dtypes.dtype) -> str:
    return {"float32": "Float", "float64": "Double", "int64": "Long", "bool": "Bool"}[d.name]


def _scalar_name(d: dtypes.dtype) -> str:
    """PyTorch's C++ scalar-type name: float, double, long, bool."""
    return {"float32": "float", "float64": "double", "int64": "long", "bool": "bool"}[d.name]


def _check_same_dtype(what: str, a: Tensor, b: Tensor) -> None:
    if a.dtype != b.dtype:
        raise RuntimeError(f"{what} must have the same dtype, but got {_kind_name(a.dtype)} "
                           f"and {_kind_name(b.dtype)}")


def _check_bmm(batch1: Tensor, batch2: Tensor) -> None:
    for name, t in (("batch1", batch1), ("batch2", batch2)):
        if t.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")


def _check_mv(input_ndim: int, mat: Tensor, vec: Tensor) -> None:
    """mv's and addmv's ranks: a vector (or, for addmv's input, a number), a matrix, a
    vector."""
    if input_ndim > 1 or mat.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input_ndim}, {mat.ndim}, "
                           f"{vec.ndim}")


def _check_vectors(op: str, *named: Tuple[str, Tensor]) -> None:
    for name, t in named:
        if t.ndim != 1:
            raise RuntimeError(f"{op}: Expected 1-D argument {name}, but got {t.ndim}-D")


def expect_tensors(op: str, tensor1: Any, tensor2: Any, first: int = 1) -> None:
    """addcmul's and addcdiv's operands must be tensors (torch's TypeError, counting
    positions from ``first``)."""
    expect_tensor(tensor1, op, "tensor1", first)
    expect_tensor(tensor2, op, "tensor2", first + 1)


def _inplace_form(name: str) -> Callable[..., Tensor]:
    """``t.<name>_(...)``: ``t.<name>(...)`` written into ``t``, which takes over its node;
    refused when the result's dtype cannot be stored in ``t`` (a float into an integer)."""

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        if name.startswith("addc") and len(args) == 2:
            expect_tensors(f"{name}_", *args)
        self._check_inplace()
        result = getattr(self._original(), name)(*args, **kwargs)
        _check_cast(result.dtype, self, name)
        return self._inplace(result)

    method.__name__ = method.__qualname__ = f"{name}_"
    method.__doc__ = f"In-place ``{name}``: the result is written into this tensor."
    return method


for _name in ("addmm", "addmv", "addr", "baddbmm", "addbmm", "addcmul", "addcdiv"):
    setattr(Tensor, f"{_name}_", _inplace_form(_name))

_ADDCDIV_INTEGERS = (
    "Integer division with addcdiv is no longer supported, and in a future  release addcdiv "
    "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can "
    "be implemented as (input + value * minitorch.trunc(tensor1 / tensor2)).to(input.dtype) for "
    "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
    "addcdiv behavior is just the latter implementation: (input + value * tensor1 / "
    "tensor2), for all dtypes.")
_CROSS_DEFAULT_DIM = (
    "Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the "
    "dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will change "
    "to agree with that of linalg.cross in a future release.")


def _same_mm_dtype(a: Tensor, b: Tensor) -> None:
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_kind_name(a.dtype)} but found "
                           f"{_kind_name(b.dtype)}")
