"""``Tensor``: an n-dimensional array that remembers how it was computed.

A tensor holds a backend-native array (``_data``: NumPy on CPU, CuPy on GPU), a
``requires_grad`` flag, and — when it is the result of a recorded op — ``grad_fn``, the
Function that made it. ``backward()`` walks those links in reverse (see
:mod:`minitorch.autograd.engine`) and leaves ``.grad`` on every leaf that requires grad.

Every differentiable method here is a one-liner that calls ``SomeOp.apply``; the math lives
in :mod:`minitorch.autograd.ops`.
"""
from __future__ import annotations

import sys
from typing import Any, Callable, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np

from minitorch import dtypes
from minitorch.autograd import function as _function
from minitorch.autograd.function import AccumulateGrad, Function
from minitorch.autograd.grad_mode import is_grad_enabled
from minitorch.autograd.ops import shape
from minitorch.shapes import normalize_dim
from minitorch.tensor import helpers
from minitorch.tensor.aliases import Aliases
from minitorch.tensor.basics import _DTYPES, Size, _device_of, device, type_description
from minitorch.tensor.complexes import Complexes
from minitorch.tensor.helpers import _as_array, _size_arg
from minitorch.tensor.indexing import Indexing
from minitorch.tensor.inplace import InPlace
from minitorch.tensor.operators import Operators
from minitorch.tensor.pointwise import PointwiseMath
from minitorch.tensor.products import Products
from minitorch.tensor.reductions import Reductions
from minitorch.tensor.shaping import Shaping
from minitorch.tensor.statistics import Statistics

Number = Union[int, float, bool]


class Tensor(Operators, Reductions, Shaping, InPlace, PointwiseMath, Products, Indexing,
             Complexes, Statistics, Aliases):
    """A multi-dimensional array with autograd.

    ``Tensor(2, 3)`` makes an uninitialised (here: zero-filled) float32 tensor of that shape,
    as ``torch.Tensor(2, 3)`` does; ``Tensor([1, 2])`` copies data. Prefer
    :func:`minitorch.tensor` for data."""

    __module__ = "minitorch"  # <class 'minitorch.Tensor'>, as torch's <class 'torch.Tensor'>
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

    def is_complex(self) -> bool:
        return self.dtype.is_complex

    def is_conj(self) -> bool:
        """False: ``conj()`` here makes a conjugated copy, never a lazily conjugated view."""
        return False

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
        if not (out.dtype.is_floating_point or out.dtype.is_complex):
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

    def half(self) -> Tensor:
        return self._to(dtypes.float16, None)

    def int(self) -> Tensor:
        return self._to(dtypes.int32, None)

    def short(self) -> Tensor:
        return self._to(dtypes.int16, None)

    def char(self) -> Tensor:
        return self._to(dtypes.int8, None)

    def byte(self) -> Tensor:
        return self._to(dtypes.uint8, None)

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
        if requires_grad and not (self.dtype.is_floating_point or self.dtype.is_complex):
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


# The class exists now: bind its name where code written before it refers to it — in
# Function.apply, which wraps its outputs in this class, and in the modules of the mixins
# and helpers, whose methods make tensors and ask ``isinstance(x, Tensor)``.
for _mixin in Tensor.__mro__[1:-1]:
    sys.modules[_mixin.__module__].Tensor = Tensor
_function.Tensor = helpers.Tensor = Tensor


def _rebuild(data: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor._wrap(data, requires_grad)


class _RemovableHandle:
    def __init__(self, hooks: List[Any], hook: Any) -> None:
        self.hooks, self.hook = hooks, hook

    def remove(self) -> None:
        if self.hook in self.hooks:
            self.hooks.remove(self.hook)
