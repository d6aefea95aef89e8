"""minitorch: a from-scratch deep-learning engine with PyTorch's API.

    import minitorch as torch
    from minitorch import nn

Tensors and reverse-mode autograd (``minitorch.tensor``, ``minitorch.autograd``), the
layers (``minitorch.nn``), optimizers (``minitorch.optim``), and three kernel backends
(``minitorch.backends``: numpy reference, numba CPU, CUDA via CuPy).
"""

import math as _math

from minitorch import (  # noqa: E402 - after Tensor
    accelerator,
    autograd,
    backends,
    cuda,  # noqa: E402
    distributions,  # noqa: F401 - minitorch.distributions
    dtypes,
    fft,
    func,
    linalg,
    memory,  # sets glibc's malloc thresholds on import (see minitorch/memory.py)
    nn,
    optim,
    special,
    testing,
)
from minitorch import functions as _functions
from minitorch.autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from minitorch.backends import cudnn as _cudnn  # noqa: F401 - minitorch.backends.cudnn
from minitorch.backends import mps as _mps  # noqa: F401 - minitorch.backends.mps
from minitorch.creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from minitorch.dtypes import bool_ as bool
from minitorch.dtypes import (
    can_cast,
    cdouble,
    cfloat,
    complex64,
    complex128,
    double,
    dtype,
    finfo,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    iinfo,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    result_type,
    set_default_dtype,
    short,
    uint8,
)
from minitorch.functions import (
    _FORWARDED,
    _TENSOR_PAIRS,
    addcdiv,
    addcmul,
    allclose,
    atleast_1d,
    atleast_2d,
    atleast_3d,
    bernoulli,
    block_diag,
    broadcast_tensors,
    broadcast_to,
    bucketize,
    cartesian_prod,
    cat,
    cdist,
    column_stack,
    concat,
    copysign,
    cumulative_trapezoid,
    dist,
    dstack,
    einsum,
    float_power,
    from_dlpack,
    hstack,
    is_nonzero,
    is_tensor,
    isin,
    logspace,
    maximum,
    meshgrid,
    minimum,
    mm,
    multinomial,
    normal,
    numel,
    polygamma,
    randint_like,
    row_stack,
    searchsorted,
    seed,
    stack,
    std_mean,
    tensordot,
    trapezoid,
    trapz,
    tril_indices,
    triu_indices,
    vander,
    var_mean,
    vstack,
    where,
    xlogy,
)
from minitorch.printing import get_printoptions, set_printoptions
from minitorch.random import Generator, initial_seed, manual_seed
from minitorch.spectrogram import istft, stft
from minitorch.tensor import Size, Tensor, device, matmul
from minitorch.tensor.complexes import (
    angle,
    complex,
    conj,
    imag,
    is_complex,
    polar,
    real,
    view_as_complex,
    view_as_real,
)
from minitorch.tensortypes import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
)
from minitorch.threads import get_num_threads, set_num_threads
from minitorch.windows import (
    bartlett_window,
    blackman_window,
    hamming_window,
    hann_window,
    kaiser_window,
)

globals().update({name: getattr(_functions, name) for name in _FORWARDED})  # exp, sum, ...
globals().update({name: getattr(_functions, name) for name in _TENSOR_PAIRS})  # atan2, ...

__version__ = "0.1.0"

# torch's constants: math's numbers, and None for indexing (x[:, minitorch.newaxis])
pi, e, inf, nan, newaxis = _math.pi, _math.e, _math.inf, _math.nan, None

__all__ = [
    "pi", "e", "inf", "nan", "newaxis",
    "Generator", "Size", "Tensor", "arange", "as_tensor", "autograd", "backends", "bool", "cuda",
    "device", "double", "dtype", "dtypes", "empty", "empty_like", "enable_grad", "eye", "float",
    "float32", "float64", "from_numpy", "full", "full_like", "get_default_dtype", "memory",
    "get_num_threads", "initial_seed", "int64", "is_grad_enabled", "linspace", "long",
    "manual_seed", "matmul", "nn", "no_grad", "ones", "ones_like", "optim", "rand", "rand_like",
    "randint", "randn", "randn_like", "randperm", "set_default_dtype", "set_grad_enabled",
    "set_num_threads", "tensor", "zeros", "zeros_like", "cat", "concat", "stack", "where",
    "maximum", "minimum", "is_tensor", "numel", "allclose", "mm", "from_dlpack", *_FORWARDED,
    "accelerator", "bernoulli", "broadcast_tensors", "broadcast_to", "cdist", "dist", "einsum",
    "hstack", "is_nonzero", "logspace", "meshgrid", "multinomial", "normal", "randint_like",
    "row_stack", "seed", "vstack", "get_printoptions", "set_printoptions", "BoolTensor",
    "DoubleTensor", "FloatTensor", "LongTensor", "inference_mode", "bucketize", "cartesian_prod",
    "column_stack", "dstack", "isin", "searchsorted", "std_mean", "tril_indices", "triu_indices",
    "var_mean", "finfo", "iinfo", "linalg", "tensordot", "trapezoid", "trapz", "addcmul",
    "addcdiv", "float16", "half", "int", "int8", "int16", "int32", "short", "uint8",
    "can_cast", "promote_types", "result_type", "ByteTensor", "CharTensor", "HalfTensor",
    "IntTensor", "ShortTensor",
    *_TENSOR_PAIRS, "xlogy", "copysign", "float_power", "special", "polygamma",
    "hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window",
    "func", "testing",
    "complex64", "complex128", "cfloat", "cdouble", "angle", "complex", "conj", "imag",
    "is_complex", "polar", "real", "view_as_complex", "view_as_real", "fft",
    "stft", "istft",
    "block_diag", "atleast_1d", "atleast_2d", "atleast_3d", "vander", "cumulative_trapezoid",
]


class inference_mode(no_grad):  # noqa: N801 - the PyTorch name
    """``torch.inference_mode``: here the same as ``no_grad`` (nothing is recorded);
    ``inference_mode(False)`` leaves grad mode as it is."""

    def __init__(self, mode: bool = True) -> None:
        self.enabled = mode

    def __enter__(self) -> None:
        self.previous = is_grad_enabled()
        if self.enabled:
            set_grad_enabled(False)


def __getattr__(name: str):  # noqa: ANN202
    """Heavier sub-packages load on first use."""
    import importlib

    if name in ("utils", "vision", "explain", "summary"):  # the last two are callable modules:
        return importlib.import_module(f"minitorch.{name}")  # minitorch.summary(model, size)
    if name in ("save", "load"):
        from minitorch import serialization

        return getattr(serialization, name)
    raise AttributeError(f"module 'minitorch' has no attribute '{name}'")
