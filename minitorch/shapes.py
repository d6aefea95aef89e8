"""Shape arithmetic and argument checks, written once for every backend.

Every backend receives arguments that already passed these checks, so a bad call fails
here — with PyTorch's exception class and message — before any kernel runs.

The tutorial's formula for the output size of a convolution or a pooling window::

    out = floor((in + 2·padding - dilation·(kernel - 1) - 1) / stride) + 1

(with dilation = 1 this is the tutorial's ``(in - kernel + 2·padding) / stride + 1``).
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple, Union

IntOrPair = Union[int, Sequence[int]]
Pair = Tuple[int, int]
Quad = Tuple[int, int, int, int]


def ntuple(value: IntOrPair, name: str, n: int) -> Tuple[int, ...]:
    """``3 -> (3,) * n``; a sequence of n ints (or of 1, repeated) as it is; anything else is a
    clear error (n = 2: :func:`pair`; n = 1: the 1-D ops)."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int or a tuple of {n} ints, got {value!r}")
    if isinstance(value, int) or (hasattr(value, "__index__") and not hasattr(value, "__len__")):
        return (int(value),) * n
    if not isinstance(value, (tuple, list)) and not hasattr(value, "__len__"):
        raise TypeError(f"{name} must be an int or a tuple of {n} ints, not "
                        f"{type(value).__name__} ({name}={value!r})")
    values = tuple(value)
    if len(values) == 1:
        values = values * n
    if len(values) != n or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values "
                           f"to match the convolution dimensions, but got {name}={list(values)}")
    return values


def pair(value: IntOrPair, name: str) -> Pair:
    """``3 -> (3, 3)``; ``(2, 3) -> (2, 3)``; anything else is a clear error."""
    h, w = ntuple(value, name, 2)
    return (h, w)


def broadcast_shapes(a: Sequence[int], b: Sequence[int]) -> Tuple[int, ...]:
    """NumPy/PyTorch broadcasting: align shapes on the right; each pair of sizes must be equal
    or one of them 1."""
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        da = a[-i] if i <= len(a) else 1
        db = b[-i] if i <= len(b) else 1
        if da != db and da != 1 and db != 1:
            dim = max(len(a), len(b)) - i
            raise RuntimeError(f"The size of tensor a ({da}) must match the size of tensor b "
                               f"({db}) at non-singleton dimension {dim}")
        out.append(da if db == 1 else db)
    return tuple(reversed(out))


def normalize_dim(dim: int, ndim: int) -> int:
    """Wrap a negative dim; a 0-d tensor accepts dims -1 and 0, as in PyTorch."""
    bound = max(ndim, 1)
    if not -bound <= dim < bound:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-bound}, {bound - 1}], but got {dim})")
    return dim % bound


def normalize_dims(dims: Sequence[int], ndim: int, *, one_at_a_time: bool = False,
                   repeated: str = "dim {d} appears multiple times in the list of dims"
                   ) -> Tuple[int, ...]:
    """Wrap every dim of a list and refuse a repeat, in the order torch checks them.

    torch has two orders, and which error a bad list gets depends on it: reductions such as
    ``sum``, ``mean``, ``amax``, ``logsumexp`` and ``movedim`` wrap the whole list first (a dim
    out of range anywhere raises ``IndexError``), while ``permute``, ``flip``, ``squeeze``,
    ``var``/``std``, ``nansum`` and ``norm`` wrap and check one dim at a time (in ``(0, 0, 5)``
    the repeated 0 is found before the 5). ``repeated`` is formatted with ``d`` (the wrapped
    dim) and ``dims`` (the list as given).
    """
    seen: List[int] = []
    wrapped = [] if one_at_a_time else [normalize_dim(d, ndim) for d in dims]
    for i, d in enumerate(dims):
        w = normalize_dim(d, ndim) if one_at_a_time else wrapped[i]
        if w in seen:
            raise RuntimeError(repeated.format(d=w, dims=list(dims)))
        seen.append(w)
    return tuple(seen)


def conv_output_size(size: int, kernel: int, stride: int, pad_total: int, dilation: int) -> int:
    """floor((size + pad_total - dilation·(kernel-1) - 1) / stride) + 1."""
    return (size + pad_total - dilation * (kernel - 1) - 1) // stride + 1


def conv_padding(padding: Union[str, IntOrPair], kernel: Sequence[int], stride: Sequence[int],
                 dilation: Sequence[int]) -> Tuple[int, ...]:
    """Turn ``padding`` (int, n ints, "valid" or "same") into (before, after) per spatial dim:
    (top, bottom, left, right) in 2-D, (front, back, top, bottom, left, right) in 3-D.

    "same" pads ``dilation·(k-1)`` in total per dim; when that is odd the extra element
    goes to the end (bottom/right/back), as PyTorch does."""
    n = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return (0,) * (2 * n)
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: {padding!r}, should be one of "
                               "{'valid', 'same'}")
        if any(s != 1 for s in stride):
            raise RuntimeError(f"padding='same' is not supported for strided convolutions "
                               f"(got stride={list(stride)})")
        pads: List[int] = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)
            pads += [total // 2, total - total // 2]
        return tuple(pads)
    per_dim = ntuple(padding, "padding", n)
    if min(per_dim) < 0:
        raise RuntimeError(f"negative padding is not supported (got padding={list(per_dim)})")
    return tuple(v for p in per_dim for v in (p, p))


def conv2d_padding(padding: Union[str, IntOrPair], kernel_hw: Pair, stride: Pair,
                   dilation: Pair) -> Quad:
    """:func:`conv_padding` of a 2-D convolution: (top, bottom, left, right)."""
    t, b, left, right = conv_padding(padding, kernel_hw, stride, dilation)
    return (t, b, left, right)


def check_conv_channels(x_shape: Sequence[int], w_shape: Sequence[int],
                        b_shape: Optional[Sequence[int]], groups: int,
                        transposed: bool = False) -> None:
    """The weight against the groups and the input's channels, the bias against the weight
    (any number of spatial dims: the messages show the shapes as given). A convolution's
    weight is (C_out, C_in / groups, ...); a transposed one's (C_in, C_out / groups, ...)."""
    o, c = w_shape[0], x_shape[1]
    if not transposed and o <= 0:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at "
                           f"dimension 0, but got weight of size {list(w_shape)} instead")
    if o % groups != 0:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{list(w_shape)}] instead")
    given = "Given transposed=1, " if transposed else f"Given groups={groups}, "
    channels, outputs = (o, w_shape[1] * groups) if transposed else (w_shape[1] * groups, o)
    if c != channels:
        raise RuntimeError(f"{given}weight of size {list(w_shape)}, expected input"
                           f"{list(x_shape)} to have {channels} channels, but got {c} "
                           "channels instead")
    if b_shape is not None and tuple(b_shape) != (outputs,):
        given = "Given transposed=1, " if transposed else "Given "
        raise RuntimeError(f"{given}weight of size {list(w_shape)}, expected bias to be "
                           f"1-dimensional with {outputs} elements, but got bias of size "
                           f"{list(b_shape)} instead")


def check_conv1d(x_shape: Sequence[int], w_shape: Sequence[int],
                 b_shape: Optional[Sequence[int]], stride: IntOrPair,
                 padding: Union[str, IntOrPair], dilation: IntOrPair, groups: int) -> None:
    """Check a conv1d call on a batched (N, C, L) input with torch's 1-D messages; the 2-D
    convolution it then runs on (N, C, 1, L) cannot fail."""
    if len(w_shape) != 3:
        raise RuntimeError(f"Expected {len(w_shape)}-dimensional input for {len(w_shape)}-"
                           f"dimensional weight {list(w_shape)}, but got 3-dimensional input of "
                           f"size {list(x_shape)} instead")
    (s,), (d,) = ntuple(stride, "stride", 1), ntuple(dilation, "dilation", 1)
    if s <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if d <= 0:
        raise RuntimeError("non-positive dilation is not supported")
    if isinstance(padding, str):
        if padding not in ("valid", "same"):
            raise RuntimeError(f"Invalid padding string: {padding!r}")
        if padding == "same" and s != 1:
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        pad_total = 0 if padding == "valid" else d * (w_shape[2] - 1)
    else:
        (p,) = ntuple(padding, "padding", 1)
        if p < 0:
            raise RuntimeError("negative padding is not supported")
        pad_total = 2 * p
    if not isinstance(groups, int) or isinstance(groups, bool) or groups <= 0:
        raise RuntimeError(f"non-positive groups is not supported (got groups={groups})")
    if w_shape[2] <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_width: "
                           f"{w_shape[2]} (weight of size {list(w_shape)})")
    check_conv_channels(x_shape, w_shape, b_shape, groups)
    padded, kernel = x_shape[2] + pad_total, d * (w_shape[2] - 1) + 1
    if padded < kernel:
        raise RuntimeError(f"Calculated padded input size per channel: ({padded}). Kernel size: "
                           f"({kernel}). Kernel size can't be greater than actual input size")


SPATIAL = ("depth", "height", "width")  # the names torch's messages give the spatial dims


def check_conv(x_shape: Sequence[int], w_shape: Sequence[int], b_shape: Optional[Sequence[int]],
               stride: IntOrPair, padding: Union[str, IntOrPair], dilation: IntOrPair,
               groups: int) -> Tuple[Tuple[int, ...], Tuple[int, ...], Tuple[int, ...],
                                     Tuple[int, ...]]:
    """Check a convolution on a *batched* (N, C, *spatial) input with n = 2 or 3 spatial dims;
    return (stride, padding as (before, after) per dim, dilation, output spatial size)::

        out_i = floor((in_i + pad_before_i + pad_after_i - dilation_i·(k_i - 1) - 1)
                      / stride_i) + 1
    """
    n = len(x_shape) - 2
    if len(w_shape) != n + 2:
        if n == 2:
            raise RuntimeError(f"weight should have at least three dimensions, expected 4D "
                               f"weight for conv2d, but got weight of size {list(w_shape)}")
        raise RuntimeError(f"expected stride to be a single integer value or a list of "
                           f"{len(w_shape) - 2} values to match the convolution dimensions, but "
                           f"got stride={list(ntuple(stride, 'stride', n))}")
    strides, dilations = ntuple(stride, "stride", n), ntuple(dilation, "dilation", n)
    if min(strides) <= 0:
        raise RuntimeError(f"non-positive stride is not supported (got stride={list(strides)})")
    if min(dilations) <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilations)}"
                           if n == 2 else "non-positive dilation is not supported")
    if not isinstance(groups, int) or isinstance(groups, bool):
        raise TypeError(f"conv{n}d(): argument 'groups' must be int, not "
                        f"{type(groups).__name__}")
    if groups <= 0:
        raise RuntimeError(f"non-positive groups is not supported (got groups={groups})")
    kernel = tuple(w_shape[2:])
    if min(kernel) <= 0:
        sizes = " ".join(f"kernel_{name}: {k}" for name, k in zip(SPATIAL[-n:], kernel))
        raise RuntimeError(f"kernel size should be greater than zero, but got {sizes} "
                           f"(weight of size {list(w_shape)})")
    check_conv_channels(x_shape, w_shape, b_shape, groups)
    pads = conv_padding(padding, kernel, strides, dilations)
    padded = [size + pads[2 * i] + pads[2 * i + 1] for i, size in enumerate(x_shape[2:])]
    eff = [d * (k - 1) + 1 for k, d in zip(kernel, dilations)]
    if any(p < e for p, e in zip(padded, eff)):
        raise RuntimeError(f"Calculated padded input size per channel: "
                           f"({' x '.join(map(str, padded))}). Kernel size: "
                           f"({' x '.join(map(str, eff))}). Kernel size can't be greater than "
                           "actual input size")
    out = tuple(conv_output_size(size, k, s, pads[2 * i] + pads[2 * i + 1], d)
                for i, (size, k, s, d) in enumerate(zip(x_shape[2:], kernel, strides,
                                                        dilations)))
    return strides, pads, dilations, out


def check_conv2d(x_shape: Sequence[int], w_shape: Sequence[int],
                 b_shape: Optional[Sequence[int]], stride: IntOrPair,
                 padding: Union[str, IntOrPair], dilation: IntOrPair,
                 groups: int) -> Tuple[Pair, Quad, Pair, Pair]:
    """:func:`check_conv` of a conv2d call on a batched (N, C, H, W) input: (stride, padding
    quad, dilation, (Ho, Wo))."""
    s, p, d, out = check_conv(x_shape, w_shape, b_shape, stride, padding, dilation, groups)
    return (s[0], s[1]), (p[0], p[1], p[2], p[3]), (d[0], d[1]), (out[0], out[1])


def check_conv_transpose(x_shape: Sequence[int], w_shape: Sequence[int],
                         b_shape: Optional[Sequence[int]], stride: IntOrPair,
                         padding: IntOrPair, output_padding: IntOrPair, groups: int,
                         dilation: IntOrPair) -> Tuple[Tuple[int, ...], Tuple[int, ...],
                                                       Tuple[int, ...], Tuple[int, ...]]:
    """Check a transposed convolution on a batched (N, C_in, *spatial) input (n = 2 or 3
    spatial dims), weight (C_in, C_out / groups, *k); return (stride, padding as (before,
    after) per dim, dilation, output shape). Output size per dim:
    (in − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1."""
    n = len(x_shape) - 2
    if isinstance(padding, str):
        raise TypeError(f"conv_transpose{n}d(): argument 'padding' must be tuple of ints, not "
                        "str")
    if len(w_shape) != n + 2:
        raise RuntimeError(f"expected stride to be a single integer value or a list of "
                           f"{len(w_shape) - 2} values to match the convolution dimensions, but "
                           f"got stride={list(ntuple(stride, 'stride', n))}")
    s, p = ntuple(stride, "stride", n), ntuple(padding, "padding", n)
    op, d = ntuple(output_padding, "output_padding", n), ntuple(dilation, "dilation", n)
    if min(s) <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if min(p) < 0:
        raise RuntimeError("negative padding is not supported")
    if min(d) <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got {list(d)}")
    if not isinstance(groups, int) or isinstance(groups, bool) or groups <= 0:
        raise RuntimeError(f"non-positive groups is not supported (got groups={groups})")
    if any(o >= si and o >= di for o, si, di in zip(op, s, d)):
        names = SPATIAL[-n:]
        got = " ".join(f"{what}_{name}: {v}" for what, values in
                       (("output_padding", op), ("stride", s), ("dilation", d))
                       for name, v in zip(names, values))
        raise RuntimeError(f"output padding must be smaller than either stride or dilation, but "
                           f"got {got}")
    check_conv_channels(x_shape, w_shape, b_shape, groups, transposed=True)
    c_out = w_shape[1] * groups
    sizes = [(i - 1) * si - 2 * pi + di * (k - 1) + oi + 1
             for i, si, pi, di, k, oi in zip(x_shape[2:], s, p, d, w_shape[2:], op)]
    if min(sizes) < 1:
        raise RuntimeError(f"Given input size per channel: "
                           f"({' x '.join(map(str, x_shape[2:]))}). Calculated output size per "
                           f"channel: ({' x '.join(map(str, sizes))}). Output size is too small")
    return s, tuple(v for pi in p for v in (pi, pi)), d, (x_shape[0], c_out, *sizes)


def pool_output_size(size: int, kernel: int, stride: int, pad: int, dilation: int,
                     ceil_mode: bool) -> int:
    """PyTorch's ``pooling_output_shape``: like conv, but with ``ceil_mode`` the division rounds
    up — except that a last window starting inside the right padding is dropped."""
    numerator = size + 2 * pad - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)
    out = numerator // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def pool_stride(stride: Optional[IntOrPair], kernel: Tuple[int, ...]) -> Tuple[int, ...]:
    """A pooling's stride as a tuple like ``kernel``: None (or an empty sequence) means the
    kernel size, as in torch."""
    if stride is None or (not isinstance(stride, int) and len(stride) == 0):
        return kernel
    return ntuple(stride, "stride", len(kernel))


def check_pool(x_shape: Sequence[int], kernel_size: IntOrPair, stride: Optional[IntOrPair],
               padding: IntOrPair, dilation: IntOrPair, ceil_mode: bool,
               dims: int = 2, input_covers_kernel: bool = False
               ) -> Tuple[Tuple[int, ...], ...]:
    """Check a pooling call over the last ``dims`` (2 or 3) dims of its input; return (kernel,
    stride, padding, dilation, output spatial size), each a tuple of ``dims`` ints.
    ``stride=None`` (or empty) means stride = kernel_size. The messages name the dims as
    torch's do: kH kW, or kT kH kW. ``input_covers_kernel``: the input itself, padding aside,
    must be at least the kernel in every dim (avg_pool3d's rule)."""
    k = ntuple(kernel_size, "kernel_size", dims)
    s = pool_stride(stride, k)
    p, d = ntuple(padding, "padding", dims), ntuple(dilation, "dilation", dims)
    letters = "THW"[-dims:]

    def got(prefix: str, values: Sequence[int]) -> str:
        return " ".join(f"{prefix}{letter}: {v}" for letter, v in zip(letters, values))
    if min(s) == 0:  # first, as torch: kernel_size=0 with the default stride says this
        raise RuntimeError("stride should not be zero")
    if min(k) <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got {got('k', k)}")
    if min(s) < 0:
        raise RuntimeError(f"stride should be greater than zero, but got {got('d', s)}")
    if min(d) <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got "
                           f"{got('dilation', d)}")
    if min(p) < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {min(p)}")
    for pi, ki, di in zip(p, k, d):
        if pi > (di * (ki - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={pi}, kernel_size={ki} and dilation={di}")
    c, sizes = x_shape[-dims - 1], x_shape[-dims:]
    if input_covers_kernel and any(n < ki for n, ki in zip(sizes, k)):
        raise RuntimeError(f"input image ({got('', sizes)}) smaller than kernel size "
                           f"({got('k', k)})")
    out = tuple(pool_output_size(*args, ceil_mode) for args in zip(sizes, k, s, p, d))
    if min(out) < 1:
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (c, *sizes)))}). Calculated "
                           f"output size: ({'x'.join(map(str, (c, *out)))}). Output size is too "
                           "small")
    return k, s, p, d, out


def check_image_input(shape: Sequence[int], op: str) -> None:
    """Conv and pooling take (C, H, W) or (N, C, H, W)."""
    if len(shape) not in (3, 4) or 0 in shape[-3:]:
        if op == "conv2d":
            raise RuntimeError(f"Expected 3D (unbatched) or 4D (batched) input to conv2d, but "
                               f"got input of size: {list(shape)}")
        raise RuntimeError(f"non-empty 3D or 4D (batch mode) tensor expected for input, but got "
                           f"input of size: {list(shape)}")


def check_max_pool_padding(kernel: Sequence[int], padding: Sequence[int]) -> None:
    """Max pooling's second rule (after the effective-kernel one of :func:`check_pool`):
    ``padding <= kernel_size // 2`` whatever the dilation, as torch's ``pool2d_shape_check``
    and ``pool3d_shape_check``."""
    if all(p <= k // 2 for k, p in zip(kernel, padding)):
        return
    if len(kernel) == 3:
        (kt, kh, kw), (pt, ph, pw) = kernel, padding
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got "
                           f"kT: {kt} kW: {kw} kH: {kh} padT: {pt} padW: {pw} padH: {ph}")
    raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got "
                       f"padW = {padding[1]}, padH = {padding[0]}, kW = {kernel[1]}, "
                       f"kH = {kernel[0]}")


def check_divisor_override(divisor_override: object, op: str = "avg_pool2d") -> None:
    """``divisor_override`` is None or a nonzero int (negative divides by a negative number)."""
    if divisor_override is None:
        return
    if isinstance(divisor_override, bool) or not isinstance(divisor_override, int):
        if not (hasattr(divisor_override, "__index__") and not isinstance(divisor_override,
                                                                          bool)):
            raise TypeError(f"{op}(): argument 'divisor_override' must be int, not "
                            f"{type(divisor_override).__name__}")
    if int(divisor_override) == 0:  # type: ignore[call-overload]
        raise RuntimeError("divisor must be not zero")


def check_split_sizes(sizes: Sequence[object], size: int) -> None:
    """``split(list_of_sizes)``: ints, none negative, summing exactly to the dim's size."""
    for i, s in enumerate(sizes):
        if isinstance(s, bool) or not isinstance(s, int):
            raise TypeError(f"split_with_sizes(): argument 'split_sizes' (position 2) must be "
                            f"tuple of ints, but found element of type {type(s).__name__} at "
                            f"pos {i}")
    if any(s < 0 for s in sizes):  # type: ignore[operator]
        raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative "
                           f"entries, but got split_sizes={list(sizes)}")
    if sum(sizes) != size:  # type: ignore[arg-type]
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                           f"(input tensor's size at dimension 0), but got "
                           f"split_sizes={list(sizes)}")


def check_slice_steps(index: object) -> None:
    """A slice in an index must step forwards (torch has no negative strides)."""
    for item in index if isinstance(index, tuple) else (index,):
        if isinstance(item, slice) and item.step is not None and not hasattr(item.step,
                                                                              "shape"):
            if int(item.step) < 0:
                raise ValueError("step must be greater than zero")


INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1


def check_python_int(value: object, floating: bool = False) -> bool:
    """Python data whose ints do not all fit in int64: True if it becomes a float tensor
    anyway (a float among the values, or a float dtype asked for); otherwise torch's
    ValueError — NumPy would wrap 2**63 to -2**63 or build an object array."""
    def walk(v: object) -> Tuple[bool, bool]:  # (has a float, has an int beyond int64)
        if isinstance(v, (list, tuple)):
            parts = [walk(x) for x in v]
            return any(p[0] for p in parts), any(p[1] for p in parts)
        if isinstance(v, float):
            return True, False
        big = isinstance(v, int) and not isinstance(v, bool) and \
            not INT64_MIN <= v <= INT64_MAX
        return False, big
    has_float, big = walk(value)
    if big and not (has_float or floating):
        raise ValueError("Overflow when unpacking long long")
    return big


def pad_pairs(pad: Sequence[int], shape: Sequence[int], mode: str) -> None:
    """Check ``F.pad``'s (before, after) pairs against the padded dims, for every mode.

    Negative entries crop. constant: the crops may not remove more than the dim holds;
    reflect/replicate: no padded dim may end up negative, nor all of them empty; reflect:
    each pad < the dim's size. circular: each pad <= the dim's size, and
    positive pads wrap around the *cropped* dim, so they may not exceed it either (torch
    would read its own not-yet-written output there)."""
    ndim = len(shape)
    if mode != "constant" and (ndim - len(pad) // 2 not in (1, 2) or len(pad) > 6):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    pairs = [(pad[2 * i], pad[2 * i + 1], shape[ndim - 1 - i]) for i in range(len(pad) // 2)]
    if mode == "circular":
        if any(b > size or a > size for b, a, size in pairs):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if any(size + b + a < 0 for b, a, size in pairs):
            raise RuntimeError("Negative padding value is resulting in an empty dimension.")
        empty = 0 in shape or any(size + b + a == 0 for b, a, size in pairs)
        if not empty and any(max(b, a, 0) > size + min(b, 0) + min(a, 0)
                             for b, a, size in pairs):
            raise RuntimeError("Padding value causes wrapping around more than once. (a "
                               "positive pad may not exceed what the negative pads leave of "
                               f"the dim: padding {list(pad)}, input of size {list(shape)})")
        return
    if mode in ("reflect", "replicate"):  # torch: pad, then crop; an empty result fails
        out = [shape[ndim - 1 - i] + pad[2 * i] + pad[2 * i + 1] for i in range(len(pad) // 2)]
        if out and (min(out) < 0 or max(out) < 1):
            raise RuntimeError(f"input of size {list(shape)} is too small for padding "
                               f"{list(pad)}: calculated output size of the padded dims "
                               f"{out[::-1]}")
    for i in range(len(pad) // 2):
        before, after = pad[2 * i], pad[2 * i + 1]
        dim = ndim - 1 - i
        size = shape[dim]
        kept = size + min(before, 0) + min(after, 0)
        if mode == "reflect" and max(before, after) >= size:
            raise RuntimeError(f"Argument #4: Padding size should be less than the "
                               f"corresponding input dimension, but got: padding ({before}, "
                               f"{after}) at dimension {dim} of input {list(shape)}")
        if mode != "constant":
            continue
        if kept < 0:  # torch crops first: a crop longer than the dim fails, whatever follows
            raise RuntimeError(f"narrow(): length must be non-negative. (padding ({before}, "
                               f"{after}) at dimension {dim} of input {list(shape)} crops "
                               f"{-min(before, 0) - min(after, 0)} of its {size} elements)")


def check_sizes(sizes: Sequence[int]) -> None:
    """A new tensor's sizes are non-negative (NumPy: ValueError; torch: RuntimeError)."""
    for s in sizes:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(sizes)}")


def check_fill_int(value: object, floating: bool) -> None:
    """An int fill value for an integer tensor must fit in int64 (NumPy would wrap it)."""
    if floating or isinstance(value, bool) or not isinstance(value, int):
        return
    if INT64_MAX < value < 2 ** 64:
        raise RuntimeError("value cannot be converted to type int64_t without overflow")
    if not INT64_MIN <= value <= INT64_MAX:
        raise OverflowError("int too big to convert")


def check_range(start: float, end: float, step: float) -> None:
    """``arange``: a nonzero step pointing from start towards end."""
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError(f"upper bound and lower bound inconsistent with step sign "
                           f"(start={start}, end={end}, step={step})")


def check_count(n: int, what: str) -> None:
    """A count (``randperm``, ``eye``, ``linspace`` steps) is non-negative."""
    if n < 0:
        raise RuntimeError(f"number of steps must be non-negative (got steps={n})"
                           if what == "steps" else f"n must be greater or equal to 0, got {n}")
# ------------------------------------------------------------------------------- losses
REDUCTIONS = ("none", "mean", "sum")


def check_reduction(reduction: str, extra: Tuple[str, ...] = ()) -> str:
    """torch's ``_Reduction.get_enum``: 'none', 'mean', 'sum' (plus ``extra``) or ValueError."""
    if reduction not in REDUCTIONS + extra:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def legacy_reduction(size_average: Optional[bool], reduce: Optional[bool],
                     reduction: str) -> str:
    """The deprecated ``size_average``/``reduce`` pair, mapped to a reduction as in torch
    (with its warning); ``reduction`` when both are None."""
    if size_average is None and reduce is None:
        return reduction
    import warnings

    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use "
                  f"reduction='{ret}' instead.", stacklevel=3)
    return ret


def warn_target_size(input_shape: Sequence[int], target_shape: Sequence[int]) -> None:
    """torch's warning for a pointwise loss whose target broadcasts against the input, then
    the broadcast check itself."""
    if tuple(input_shape) != tuple(target_shape):
        import warnings

        warnings.warn(f"Using a target size ({_size(target_shape)}) that is different to the "
                      f"input size ({_size(input_shape)}). This will likely lead to incorrect "
                      "results due to broadcasting. Please ensure they have the same size.",
                      stacklevel=3)
        broadcast_shapes(input_shape, target_shape)


def check_loss_weight(weight: Sequence[int], input: Sequence[int], expand: bool) -> None:
    """A loss weight must broadcast to the input's shape: torch's expand message when the loss
    expands it first (``expand``), its broadcasting message otherwise."""
    if expand:
        for i in range(1, len(weight) + 1):
            size = input[-i] if i <= len(input) else 1
            if weight[-i] != size and weight[-i] != 1:
                raise RuntimeError(f"Attempting to broadcast a dimension of length "
                                   f"{weight[-i]} at {-i}! Mismatching argument at index 1 had "
                                   f"{_size(weight)}; but expected shape should be "
                                   f"broadcastable to {list(input)}")
    else:
        out = broadcast_shapes(weight, input)
        if tuple(out) != tuple(input):
            raise RuntimeError(f"output with shape {list(input)} doesn't match the broadcast "
                               f"shape {list(out)}")


def _size(shape: Sequence[int]) -> str:
    return f"minitorch.Size({list(shape)})"


# ----------------------------------------------------------------- normalization, dropout
def check_batch_norm_batch(shape: Sequence[int]) -> None:
    """Training statistics need more than one value per channel."""
    count = shape[0] if shape else 1
    for s in shape[2:]:
        count *= s
    if count == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input "
                         f"size {_size(shape)}")


def check_dropout_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def warn_dropout2d_rank(ndim: int) -> None:
    """torch's warnings for dropout2d on input that is not (N, C, H, W) or (C, H, W)."""
    import warnings

    if ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {ndim}-D input to dropout2d, which is deprecated "
                      "and will result in an error in a future release. To retain the behavior "
                      "and silence this warning, please use dropout instead. Note that "
                      "dropout2d exists to provide channel-wise dropout on inputs with 2 "
                      "spatial dimensions, a channel dimension, and an optional batch "
                      "dimension (i.e. 3D or 4D inputs).", stacklevel=3)
    if ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L), where C is the channel dim. This behavior will change "
                      "in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise "
                      "dropout behavior, please switch to using dropout1d instead.",
                      stacklevel=3)
