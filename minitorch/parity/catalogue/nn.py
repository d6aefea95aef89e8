"""The layer ops (``autograd/ops/nn.py``): conv2d, max/avg pooling, relu/tanh/sigmoid,
softmax/log_softmax. (Cross-entropy and the other losses: :mod:`.losses`.)"""

from __future__ import annotations

from typing import Any, Callable

from minitorch.parity.case import Case
from minitorch.parity.catalogue.builder import A, Cases, F
from minitorch.parity.catalogue.losses import probability
from minitorch.parity.inputs import (
    neg_inf_rows,
    nonzero,
    spread,
    ties,
    with_extremes,
    with_nan,
    with_values,
    with_zeros,
)

INF, NAN = float("inf"), float("nan")


def conv(**kw: Any) -> Callable[..., Any]:
    return lambda m, x, w, b=None: F(m).conv2d(x, w, b, **kw)


def mp(**kw: Any) -> Callable[..., Any]:
    return lambda m, x: F(m).max_pool2d(x, **kw)


def ap(**kw: Any) -> Callable[..., Any]:
    return lambda m, x: F(m).avg_pool2d(x, **kw)


def conv2d_cases(c: Cases) -> None:
    c.add("conv2d", "conv2d", conv(), A((2, 3, 7, 7)), A((4, 3, 3, 3)), A((4,)))
    c.add("conv2d_stride2", "conv2d", conv(stride=2), A((2, 3, 7, 7)), A((4, 3, 3, 3)),
          A((4,)))
    c.add("conv2d_stride_rect_pad", "conv2d", conv(stride=(2, 1), padding=(1, 2)),
          A((2, 2, 6, 5)), A((3, 2, 3, 2)), A((3,)))
    c.add("conv2d_pad1", "conv2d", conv(padding=1), A((1, 3, 5, 6)), A((2, 3, 3, 3)), A((2,)))
    c.add("conv2d_same_odd", "conv2d", conv(padding="same"), A((2, 2, 5, 5)),
          A((3, 2, 3, 3)), A((3,)))
    c.add("conv2d_same_even", "conv2d", conv(padding="same"), A((2, 2, 6, 5)),
          A((3, 2, 4, 2)), A((3,)))
    c.add("conv2d_same_even_dilated", "conv2d", conv(padding="same", dilation=(2, 1)),
          A((1, 2, 7, 6)), A((2, 2, 2, 4)), A((2,)))
    c.add("conv2d_valid", "conv2d", conv(padding="valid"), A((2, 3, 6, 6)), A((2, 3, 3, 3)),
          A((2,)))
    c.add("conv2d_dilation2", "conv2d", conv(dilation=2, padding=1), A((2, 2, 7, 7)),
          A((3, 2, 3, 3)), A((3,)))
    c.add("conv2d_groups2", "conv2d", conv(groups=2, padding=1), A((2, 4, 5, 5)),
          A((6, 2, 3, 3)), A((6,)))
    c.add("conv2d_depthwise", "conv2d", conv(groups=3, padding=1), A((2, 3, 5, 5)),
          A((3, 1, 3, 3)), A((3,)))
    c.add("conv2d_depthwise_mult", "conv2d", conv(groups=2, stride=2), A((1, 2, 6, 6)),
          A((4, 1, 2, 2)), A((4,)))
    c.add("conv2d_no_bias", "conv2d", conv(padding=1), A((2, 3, 5, 5)), A((4, 3, 3, 3)))
    c.add("conv2d_unbatched", "conv2d", conv(padding=1), A((3, 5, 5)), A((2, 3, 3, 3)),
          A((2,)))
    c.add("conv2d_batch1_odd", "conv2d", conv(stride=2, padding=2), A((1, 1, 9, 7)),
          A((1, 1, 5, 5)), A((1,)))
    c.add("conv2d_noncontig", "conv2d", conv(padding=1), A((2, 3, 5, 4), noncontig=True),
          A((2, 3, 3, 3), noncontig=True), A((2,)))
    c.add("conv2d_1x1", "conv2d", conv(), A((2, 5, 3, 3)), A((4, 5, 1, 1)), A((4,)))
    # IEEE special values: a zero of the padding still multiplies (0·inf = nan on the border)
    c.add("conv2d_inf_weight_pad", "conv2d", conv(padding=1), A((1, 2, 4, 4)),
          A((3, 2, 3, 3), gen=with_values({0: INF, 30: -INF})), A((3,)), gradcheck=False)
    c.add("conv2d_nan_inf_input_dilated", "conv2d", conv(padding=1, stride=2, dilation=(1, 2)),
          A((2, 2, 5, 6), gen=with_values({7: NAN, 40: INF})), A((2, 2, 3, 2)), A((2,)),
          gradcheck=False)
    c.add("conv2d_groups_neg_inf", "conv2d", conv(padding=(1, 0), groups=2),
          A((1, 4, 4, 4), gen=with_values({20: -INF})), A((4, 2, 2, 3)), A((4,)),
          gradcheck=False)


def max_pool2d_cases(c: Cases) -> None:
    c.add("max_pool2d", "max_pool2d", mp(kernel_size=2), A((2, 3, 6, 6), gen=spread))
    c.add("max_pool2d_odd", "max_pool2d", mp(kernel_size=2), A((1, 2, 7, 5), gen=spread))
    c.add("max_pool2d_k3s2p1", "max_pool2d", mp(kernel_size=3, stride=2, padding=1),
          A((2, 2, 7, 7), gen=spread))
    c.add("max_pool2d_stride1_overlap", "max_pool2d", mp(kernel_size=3, stride=1),
          A((1, 2, 5, 5), gen=spread))
    c.add("max_pool2d_dilation", "max_pool2d", mp(kernel_size=2, stride=1, dilation=2),
          A((2, 2, 6, 6), gen=spread))
    c.add("max_pool2d_ceil", "max_pool2d", mp(kernel_size=3, stride=2, ceil_mode=True),
          A((2, 2, 6, 8), gen=spread))
    c.add("max_pool2d_ceil_pad", "max_pool2d",
          mp(kernel_size=2, stride=2, padding=1, ceil_mode=True), A((1, 2, 6, 7), gen=spread))
    c.add("max_pool2d_indices", "max_pool2d",
          mp(kernel_size=(2, 3), stride=(2, 1), padding=1, return_indices=True),
          A((2, 2, 5, 6), gen=spread))
    c.add("max_pool2d_ties", "max_pool2d",
          mp(kernel_size=3, stride=1, padding=1, return_indices=True),
          A((2, 2, 5, 5), gen=ties), gradcheck=False)  # ties: not differentiable
    c.add("max_pool2d_nan", "max_pool2d", mp(kernel_size=2, return_indices=True),
          A((1, 2, 4, 4), gen=with_nan), gradcheck=False)
    # windows with nothing but -inf (the first pixel inside wins), +inf, NaN
    c.add("max_pool2d_neg_inf_ceil", "max_pool2d",
          mp(kernel_size=3, stride=2, padding=1, ceil_mode=True, return_indices=True),
          A((1, 2, 6, 5), gen=neg_inf_rows), gradcheck=False)
    c.add("max_pool2d_neg_inf_dilated", "max_pool2d",
          mp(kernel_size=2, stride=1, padding=1, dilation=2, return_indices=True),
          A((2, 1, 6, 6), gen=neg_inf_rows), gradcheck=False)
    c.add("max_pool2d_unbatched", "max_pool2d", mp(kernel_size=2), A((2, 5, 5), gen=spread))
    c.add("max_pool2d_noncontig", "max_pool2d", mp(kernel_size=2),
          A((2, 2, 4, 6), gen=spread, noncontig=True))


def avg_pool2d_cases(c: Cases) -> None:
    c.add("avg_pool2d", "avg_pool2d", ap(kernel_size=2), A((2, 3, 6, 6)))
    c.add("avg_pool2d_k3s2p1", "avg_pool2d", ap(kernel_size=3, stride=2, padding=1),
          A((2, 2, 7, 7)))
    c.add("avg_pool2d_ceil", "avg_pool2d", ap(kernel_size=3, stride=2, ceil_mode=True),
          A((1, 2, 6, 8)))
    c.add("avg_pool2d_no_pad_count", "avg_pool2d",
          ap(kernel_size=3, stride=2, padding=1, count_include_pad=False), A((2, 2, 6, 7)))
    c.add("avg_pool2d_ceil_pad_no_count", "avg_pool2d",
          ap(kernel_size=2, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
          A((1, 2, 5, 6)))
    c.add("avg_pool2d_ceil_pad_count", "avg_pool2d",
          ap(kernel_size=3, stride=2, padding=1, ceil_mode=True), A((1, 2, 6, 6)))
    c.add("avg_pool2d_divisor", "avg_pool2d", ap(kernel_size=2, stride=1, divisor_override=3),
          A((2, 2, 5, 5)))
    c.add("avg_pool2d_rect_unbatched", "avg_pool2d", ap(kernel_size=(3, 2), stride=(1, 2)),
          A((2, 5, 6)))
    c.add("avg_pool2d_inf_ceil_no_count", "avg_pool2d",
          ap(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
          A((1, 2, 6, 5), gen=neg_inf_rows), gradcheck=False)
    c.add("avg_pool2d_nan_inf_divisor", "avg_pool2d",
          ap(kernel_size=2, stride=2, padding=1, ceil_mode=True, divisor_override=3),
          A((1, 2, 5, 5), gen=with_values({3: NAN, 30: INF})), gradcheck=False)
    c.add("avg_pool2d_noncontig", "avg_pool2d", ap(kernel_size=2),
          A((2, 2, 4, 6), noncontig=True))


def activation_cases(c: Cases) -> None:
    c.add("relu", "relu", lambda m, x: F(m).relu(x), A((3, 4, 5)))
    c.add("relu_exact_zeros", "relu", lambda m, x: x.relu(), A((4, 6), gen=with_zeros),
          gradcheck=False)  # the kink at exactly 0: torch's gradient there is 0
    c.add("relu_noncontig", "relu", lambda m, x: m.relu(x), A((3, 4), noncontig=True))
    c.add("tanh", "tanh", lambda m, x: m.tanh(x), A((3, 4, 5)))
    c.add("tanh_large", "tanh", lambda m, x: x.tanh(), A((4, 5), gen=with_extremes(50.0)))
    c.add("sigmoid", "sigmoid", lambda m, x: F(m).sigmoid(x), A((3, 4, 5)))
    c.add("sigmoid_pm1000", "sigmoid", lambda m, x: m.sigmoid(x),
          A((4, 5), gen=with_extremes(1000.0)))
    specials = with_values({0: NAN, 1: INF, 2: -INF, 3: 0.0})
    c.add("relu_nan_inf", "relu", lambda m, x: x.relu(), A((3, 4), gen=specials),
          gradcheck=False)
    c.add("tanh_nan_inf", "tanh", lambda m, x: x.tanh(), A((3, 4), gen=specials),
          gradcheck=False)
    c.add("sigmoid_nan_inf", "sigmoid", lambda m, x: x.sigmoid(), A((3, 4), gen=specials),
          gradcheck=False)


def adaptive_pool_cases(c: Cases) -> None:
    """Adaptive pooling (``nn/functional_composed.py``): windows ⌊i·H/oh⌋ … ⌈(i+1)·H/oh⌉,
    overlapping when oh does not divide H, and larger outputs than inputs."""
    c.add("adaptive_avg_pool2d", "adaptive_avg_pool2d",
          lambda m, x: F(m).adaptive_avg_pool2d(x, (3, 4)), A((2, 3, 7, 9)))
    c.add("adaptive_avg_pool2d_1x1", "adaptive_avg_pool2d",
          lambda m, x: F(m).adaptive_avg_pool2d(x, 1), A((2, 3, 4, 5)))
    c.add("adaptive_avg_pool2d_none_upsample", "adaptive_avg_pool2d",
          lambda m, x: F(m).adaptive_avg_pool2d(x, (None, 7)), A((3, 5, 4)))
    c.add("adaptive_avg_pool2d_noncontig", "adaptive_avg_pool2d",
          lambda m, x: F(m).adaptive_avg_pool2d(x, 2), A((2, 2, 6, 5), noncontig=True))
    c.add("adaptive_max_pool2d", "adaptive_max_pool2d",
          lambda m, x: F(m).adaptive_max_pool2d(x, (3, 4), return_indices=True),
          A((2, 3, 7, 9), gen=spread))
    c.add("adaptive_max_pool2d_tiled", "adaptive_max_pool2d",  # max_pool2d's windows
          lambda m, x: F(m).adaptive_max_pool2d(x, (3, 2), return_indices=True),
          A((2, 2, 6, 8), gen=spread))
    c.add("adaptive_max_pool2d_1x1", "adaptive_max_pool2d",
          lambda m, x: F(m).adaptive_max_pool2d(x, 1, return_indices=True),
          A((3, 4, 5), gen=spread))
    c.add("adaptive_max_pool2d_upsample", "adaptive_max_pool2d",
          lambda m, x: F(m).adaptive_max_pool2d(x, (None, 6)), A((2, 5, 4), gen=spread))
    c.add("adaptive_max_pool2d_ties", "adaptive_max_pool2d",
          lambda m, x: F(m).adaptive_max_pool2d(x, 3, return_indices=True),
          A((1, 2, 5, 5), gen=ties), gradcheck=False)  # ties: not differentiable


def layer_norm_embedding_cases(c: Cases) -> None:
    """layer_norm over the last dims (weight, bias, both or neither); rms_norm (with and
    without weight, eps given or the dtype's machine epsilon); group_norm and instance_norm
    (per-sample statistics of groups of channels, of each channel); embedding lookups with
    repeated indices (their gradients add up), padding_idx (no gradient to that row),
    scale_grad_by_freq, and max_norm (rows renormalized in place before the lookup)."""
    ln = lambda shape, eps=1e-5: lambda m, x, *wb: F(m).layer_norm(x, shape, *wb, eps=eps)  # noqa: E731
    c.add("layer_norm", "layer_norm", ln((4,)), A((3, 4)), A((4,)), A((4,)))
    c.add("layer_norm_2d_no_affine", "layer_norm", ln((3, 4), eps=1e-3), A((2, 3, 4)))
    c.add("layer_norm_weight_only_noncontig", "layer_norm", ln([5]),
          A((2, 3, 5), noncontig=True), A((5,)))
    rms = lambda shape, eps=None: lambda m, x, *w: F(m).rms_norm(x, shape, *w, eps=eps)  # noqa: E731
    c.add("rms_norm", "rms_norm", rms((4,)), A((3, 4)), A((4,)))
    c.add("rms_norm_2d_no_weight_eps", "rms_norm", rms([3, 4], eps=1e-3), A((2, 3, 4)))
    c.add("rms_norm_noncontig", "rms_norm", rms((5,), eps=1e-6), A((2, 3, 5), noncontig=True),
          A((5,)))
    gn = lambda g, eps=1e-5: lambda m, x, *wb: F(m).group_norm(x, g, *wb, eps=eps)  # noqa: E731
    c.add("group_norm", "group_norm", gn(2), A((3, 4, 2, 3)), A((4,)), A((4,)))
    c.add("group_norm_no_affine_2d", "group_norm", gn(3, eps=1e-3), A((5, 6)))
    c.add("group_norm_one_group_noncontig", "group_norm", gn(1), A((2, 4, 3), noncontig=True),
          A((4,)))
    c.add("instance_norm", "instance_norm",
          lambda m, x, w, b: F(m).instance_norm(x, weight=w, bias=b), A((3, 4, 2, 3)),
          A((4,)), A((4,)))
    c.add("instance_norm_1d", "instance_norm", lambda m, x: F(m).instance_norm(x, eps=1e-3),
          A((2, 3, 5)))
    emb = lambda **kw: lambda m, w, i: F(m).embedding(i, w, **kw)  # noqa: E731
    idx = [[1, 4, 1], [0, 4, 4]]
    c.add("embedding", "embedding", emb(), A((5, 3)), A((2, 3), values=idx))
    # padding_idx and scale_grad_by_freq change the gradient on purpose: it is no longer the
    # derivative that gradcheck's finite differences see (torch is the reference here)
    c.add("embedding_padding_idx", "embedding", emb(padding_idx=4), A((5, 3)),
          A((2, 3), values=idx), gradcheck=False)
    c.add("embedding_negative_padding_idx_freq", "embedding",
          emb(padding_idx=-4, scale_grad_by_freq=True), A((5, 3)), A((2, 3), values=idx),
          gradcheck=False)
    c.add("embedding_max_norm", "embedding", emb(max_norm=1.2, norm_type=1.5), A((5, 3)),
          A((2, 3), values=idx), gradcheck=False)  # renormalizes its input in place


BAG_INDICES = [1, 4, 4, 0, 5, 3, 1, 2]  # bags of 3, 0, 2 and 3 entries at BAG_OFFSETS
BAG_OFFSETS = [0, 3, 3, 5]


def embedding_bag_cases(c: Cases) -> None:
    """``F.embedding_bag`` (``autograd/ops/select.py:EmbeddingBag``) on a (6, 3) table: bags
    from offsets (one empty) or the rows of a 2-D input, every mode, per-sample weights
    (differentiated too), padding entries left out, ``include_last_offset``. torch has no
    second derivative of it."""
    bag = lambda **kw: lambda m, w, i, o=None: F(m).embedding_bag(i, w, o, **kw)  # noqa: E731
    indices, offsets = A((8,), values=BAG_INDICES), A((4,), values=BAG_OFFSETS)
    for mode in ("sum", "mean", "max"):
        c.add(f"embedding_bag_{mode}", "embedding_bag", bag(mode=mode), A((6, 3)), indices,
              offsets, double_backward=False)
    c.add("embedding_bag_per_sample_weights", "embedding_bag",
          lambda m, w, i, o, a: F(m).embedding_bag(i, w, o, mode="sum", per_sample_weights=a),
          A((6, 3)), indices, offsets, A((8,)), double_backward=False)
    c.add("embedding_bag_2d_max_padding_idx", "embedding_bag", bag(mode="max", padding_idx=4),
          A((6, 3)), A((2, 4), values=BAG_INDICES), double_backward=False)
    c.add("embedding_bag_last_offset_mean_padding_idx", "embedding_bag",
          bag(mode="mean", padding_idx=-5, include_last_offset=True), A((6, 3)), indices,
          A((5,), values=BAG_OFFSETS + [8]), double_backward=False)


def composed_cases(c: Cases) -> None:
    """The ops of ``nn/functional_composed.py`` (built from other ops: gradients by autograd)."""
    c.add("gelu", "gelu", lambda m, x: F(m).gelu(x), A((3, 4, 5)))
    c.add("gelu_tanh", "gelu", lambda m, x: F(m).gelu(x, approximate="tanh"), A((3, 4, 5)))
    c.add("gelu_large", "gelu", lambda m, x: F(m).gelu(x), A((4, 5), gen=with_extremes(30.0)))
    c.add("silu", "silu", lambda m, x: F(m).silu(x), A((3, 4, 5)))
    c.add("silu_large", "silu", lambda m, x: F(m).silu(x), A((4, 5), gen=with_extremes(200.0)))
    c.add("normalize", "normalize", lambda m, x: F(m).normalize(x), A((3, 4)))
    c.add("normalize_p1_dim0", "normalize", lambda m, x: F(m).normalize(x, p=1, dim=0),
          A((3, 4, 2), gen=nonzero))
    # a row whose norm is below eps is divided by eps (the clamp); exact zero rows are checked
    # in test_functional_composed.py (there torch's second derivative of the norm is NaN)
    c.add("normalize_tiny_rows", "normalize", lambda m, x: F(m).normalize(x, dim=-1, eps=1e-3),
          A((4, 6), gen=with_values({k: 1e-5 * (k - 2.5) for k in range(6)})))
    c.add("normalize_inf_noncontig", "normalize",
          lambda m, x: F(m).normalize(x, p=INF, dim=0), A((3, 4), gen=spread, noncontig=True))
    c.add("one_hot", "one_hot", lambda m, i: F(m).one_hot(i, 6), A((2, 3), high=5), grad=False)
    c.add("one_hot_inferred", "one_hot", lambda m, i: F(m).one_hot(i), A((7,), high=4),
          grad=False)


def softmax_cases(c: Cases) -> None:
    c.add("softmax_dim1", "softmax", lambda m, x: F(m).softmax(x, dim=1), A((3, 5)))
    c.add("softmax_dim0_3d", "softmax", lambda m, x: F(m).softmax(x, dim=0), A((3, 4, 2)))
    c.add("softmax_last_noncontig", "softmax", lambda m, x: x.softmax(-1),
          A((3, 4, 5), noncontig=True))
    c.add("softmax_pm1e4", "softmax", lambda m, x: F(m).softmax(x, dim=1),
          A((4, 6), gen=with_extremes(1e4)), gradcheck=False)  # saturated: all-0/1 outputs
    c.add("log_softmax_dim1", "log_softmax", lambda m, x: F(m).log_softmax(x, dim=1),
          A((3, 5)))
    c.add("log_softmax_dim0", "log_softmax", lambda m, x: F(m).log_softmax(x, dim=0),
          A((4, 3, 2)))
    c.add("log_softmax_pm1e4", "log_softmax", lambda m, x: x.log_softmax(1),
          A((4, 6), gen=with_extremes(1e4)),
          # outputs reach ~2e4: float32's spacing there is 2e-3, so 1.3e-6 relative (= 0.026)
          # is the honest bound; absolute 1e-5 cannot hold for entries that large.
          tol32=(1.3e-6, 1e-5), gradcheck=False)
    # rows of only -inf, rows with +inf or NaN: NaN rows, as in torch
    c.add("softmax_inf_nan_rows", "softmax", lambda m, x: F(m).softmax(x, dim=-1),
          A((2, 6, 5), gen=neg_inf_rows), gradcheck=False)
    c.add("log_softmax_inf_nan_rows", "log_softmax", lambda m, x: F(m).log_softmax(x, dim=1),
          A((2, 6, 5), gen=neg_inf_rows), gradcheck=False)


# the kinks and edges of the activations below, placed among normal values: each function's
# own boundaries (0, ±0.5, ±3, 6), the softplus threshold (20) and overflow (±100, ±800), ±inf
KINKS = with_values({0: 0.0, 1: -0.0, 2: 0.5, 3: -0.5, 4: 3.0, 5: -3.0, 6: 6.0, 7: 20.0,
                     8: 21.0, 9: 100.0, 10: -100.0, 11: 800.0, 12: -800.0, 13: INF, 14: -INF})
KINK_NAN = with_values({0: NAN, 1: 0.0, 2: 3.0, 3: -3.0, 4: INF, 5: -INF})

ACTIVATIONS: dict = {  # case name → (function, call): torch's defaults, then other arguments
    "leaky_relu": ("leaky_relu", lambda m, x: F(m).leaky_relu(x)),
    "leaky_relu_0.2": ("leaky_relu", lambda m, x: F(m).leaky_relu(x, 0.2)),
    "elu": ("elu", lambda m, x: F(m).elu(x)),
    "elu_0.5": ("elu", lambda m, x: F(m).elu(x, alpha=0.5)),
    "celu": ("celu", lambda m, x: F(m).celu(x)),
    "celu_2": ("celu", lambda m, x: F(m).celu(x, alpha=2.0)),
    "selu": ("selu", lambda m, x: F(m).selu(x)),
    "softplus": ("softplus", lambda m, x: F(m).softplus(x)),
    "softplus_beta2_th5": ("softplus", lambda m, x: F(m).softplus(x, beta=2.0, threshold=5.0)),
    "softsign": ("softsign", lambda m, x: F(m).softsign(x)),
    "hardtanh": ("hardtanh", lambda m, x: F(m).hardtanh(x)),
    "hardtanh_range": ("hardtanh", lambda m, x: F(m).hardtanh(x, -0.5, 3.0)),
    "relu6": ("relu6", lambda m, x: F(m).relu6(x)),
    "hardswish": ("hardswish", lambda m, x: F(m).hardswish(x)),
    "hardsigmoid": ("hardsigmoid", lambda m, x: F(m).hardsigmoid(x)),
    "logsigmoid": ("logsigmoid", lambda m, x: F(m).logsigmoid(x)),
    "mish": ("mish", lambda m, x: F(m).mish(x)),
    "tanhshrink": ("tanhshrink", lambda m, x: F(m).tanhshrink(x)),
    "softshrink": ("softshrink", lambda m, x: F(m).softshrink(x)),
    "hardshrink": ("hardshrink", lambda m, x: F(m).hardshrink(x, 0.5)),
    "threshold": ("threshold", lambda m, x: F(m).threshold(x, 0.5, -2.0)),
    "softmin": ("softmin", lambda m, x: F(m).softmin(x, dim=1)),
    "glu": ("glu", lambda m, x: F(m).glu(x, dim=1)),
}


def more_activation_cases(c: Cases) -> None:
    """``nn/functional_activations.py``: normal values (and gradcheck), then the kinks and
    edges (values and gradients against torch; finite differences do not hold at a kink).
    NaN inputs compare values only: torch's gradient at a NaN differs between its vector
    loop and its scalar tail (elu's, hardswish's: NaN or 1 by position).
    Second derivatives are compared on the normal values only: at a kink (elu's at 0: α
    here, 0 in torch) and at the overflow edges they are each library's convention, and
    torch has no double backward for hardsigmoid at all."""
    for name, (op, fn) in ACTIVATIONS.items():
        c.add(name, op, fn, A((3, 4, 6)), double_backward=op != "hardsigmoid")
        c.add(f"{name}_kinks", op, fn, A((3, 6), gen=KINKS), gradcheck=False,
              double_backward=False)
        c.add(f"{name}_nan", op, fn, A((2, 4), gen=KINK_NAN), grad=False)
    c.add("prelu_shared", "prelu", lambda m, x, w: F(m).prelu(x, w), A((2, 3, 4), gen=KINKS),
          A((1,)), gradcheck=False, double_backward=False)
    c.add("prelu_per_channel", "prelu", lambda m, x, w: F(m).prelu(x, w), A((2, 3, 4, 2)),
          A((3,)))


def one_d_cases(c: Cases) -> None:
    """``nn/functional_1d.py``: the 2-D kernels on a height of one, with 1-D arguments."""
    def conv1d(**kw: Any) -> Callable[..., Any]:
        return lambda m, x, w, b=None: F(m).conv1d(x, w, b, **kw)

    c.add("conv1d", "conv1d", conv1d(), A((2, 3, 11)), A((4, 3, 3)), A((4,)))
    c.add("conv1d_stride_pad_dil", "conv1d", conv1d(stride=2, padding=2, dilation=2),
          A((2, 3, 12)), A((4, 3, 3)), A((4,)))
    c.add("conv1d_same_even", "conv1d", conv1d(padding="same"), A((1, 2, 9)), A((3, 2, 4)))
    c.add("conv1d_groups", "conv1d", conv1d(groups=2, padding=1), A((2, 4, 8)),
          A((6, 2, 3)), A((6,)))
    c.add("conv1d_unbatched", "conv1d", conv1d(padding="valid"), A((3, 10)), A((2, 3, 5)))
    c.add("max_pool1d", "max_pool1d", lambda m, x: F(m).max_pool1d(x, 3, 2, 1),
          A((2, 3, 11), gen=spread))
    c.add("max_pool1d_dil_ceil_idx", "max_pool1d",
          lambda m, x: F(m).max_pool1d(x, 2, 2, 1, 2, ceil_mode=True, return_indices=True),
          A((2, 3, 10), gen=spread))
    c.add("avg_pool1d", "avg_pool1d", lambda m, x: F(m).avg_pool1d(x, 3, 2, 1),
          A((2, 3, 11)))
    c.add("avg_pool1d_ceil_no_pad_count", "avg_pool1d",
          lambda m, x: F(m).avg_pool1d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
          A((3, 10)))
    c.add("adaptive_avg_pool1d", "adaptive_avg_pool1d",
          lambda m, x: F(m).adaptive_avg_pool1d(x, 4), A((2, 3, 10)))
    c.add("adaptive_max_pool1d", "adaptive_max_pool1d",
          lambda m, x: F(m).adaptive_max_pool1d(x, 3, return_indices=True),
          A((2, 3, 10), gen=spread))


def conv_transpose_cases(c: Cases) -> None:
    """``nn/functional_transposed.py`` (and its 1-D form): the backend's conv2d input
    gradient run forward, with conv2d forward and weight gradient for its backward."""
    def ct2(**kw: Any) -> Callable[..., Any]:
        return lambda m, x, w, b=None: F(m).conv_transpose2d(x, w, b, **kw)

    c.add("conv_transpose2d", "conv_transpose2d", ct2(), A((2, 3, 5, 5)), A((3, 4, 3, 3)),
          A((4,)))
    c.add("conv_transpose2d_stride2_pad_outpad", "conv_transpose2d",
          ct2(stride=2, padding=1, output_padding=1), A((2, 3, 4, 5)), A((3, 2, 3, 3)), A((2,)))
    # output_padding 1 ≥ stride 1 but < dilation 2: a last row no window of the forward reads
    c.add("conv_transpose2d_dilated_outpad", "conv_transpose2d",
          ct2(dilation=2, output_padding=1), A((1, 2, 4, 4)), A((2, 3, 2, 3)))
    c.add("conv_transpose2d_groups_rect", "conv_transpose2d",
          ct2(stride=(2, 1), padding=(1, 0), output_padding=(1, 0), groups=2),
          A((2, 4, 3, 4)), A((4, 3, 3, 2)), A((6,)))
    c.add("conv_transpose2d_unbatched", "conv_transpose2d", ct2(stride=3, padding=2),
          A((3, 4, 4)), A((3, 2, 3, 3)))
    c.add("conv_transpose1d", "conv_transpose1d",
          lambda m, x, w, b: F(m).conv_transpose1d(x, w, b, stride=2, padding=1,
                                                   output_padding=1),
          A((2, 3, 7)), A((3, 4, 3)), A((4,)))


def resize_cases(c: Cases) -> None:
    """``F.interpolate``: nearest (torch's float index arithmetic, fractional scales),
    nearest-exact, linear and bilinear (both corner conventions; an axis that keeps its
    size is copied), area; downsampling too."""
    def resize(**kw: Any) -> Callable[..., Any]:
        return lambda m, x: F(m).interpolate(x, **kw)

    c.add("interpolate_nearest_x2", "interpolate", resize(scale_factor=2), A((2, 3, 4, 5)))
    c.add("interpolate_nearest_size", "interpolate", resize(size=(7, 3)), A((1, 2, 5, 5)))
    c.add("interpolate_nearest_fractional", "interpolate", resize(scale_factor=(1.7, 0.6)),
          A((1, 2, 5, 7)))
    c.add("interpolate_nearest_exact", "interpolate",
          resize(size=(8, 11), mode="nearest-exact"), A((1, 2, 5, 7)))
    c.add("interpolate_bilinear_x2", "interpolate",
          resize(scale_factor=2, mode="bilinear"), A((2, 3, 4, 5)))
    c.add("interpolate_bilinear_corners", "interpolate",
          resize(size=(9, 4), mode="bilinear", align_corners=True), A((1, 2, 5, 7)))
    c.add("interpolate_bilinear_one_axis", "interpolate",
          resize(size=(5, 13), mode="bilinear"), A((1, 2, 5, 7), noncontig=True))
    c.add("interpolate_linear", "interpolate", resize(scale_factor=2.5, mode="linear"),
          A((2, 3, 6)))
    c.add("interpolate_nearest_1d", "interpolate", resize(size=4), A((2, 3, 9)))
    c.add("interpolate_area", "interpolate", resize(size=(3, 2), mode="area"),
          A((2, 3, 6, 6)))
    c.add("interpolate_bicubic_x2", "interpolate", resize(scale_factor=2, mode="bicubic"),
          A((2, 3, 4, 5)))
    c.add("interpolate_bicubic_corners_down", "interpolate",
          resize(size=(3, 7), mode="bicubic", align_corners=True), A((1, 2, 6, 4)))
    c.add("interpolate_bicubic_fractional", "interpolate",
          resize(scale_factor=(1.7, 0.6), mode="bicubic"), A((1, 2, 5, 7), noncontig=True))
    c.add("interpolate_trilinear", "interpolate",
          resize(scale_factor=(1.5, 2, 0.7), mode="trilinear"), A((2, 2, 3, 4, 5)))
    c.add("interpolate_trilinear_corners", "interpolate",
          resize(size=(4, 3, 6), mode="trilinear", align_corners=True), A((1, 2, 3, 5, 4)))
    c.add("interpolate_nearest_3d", "interpolate", resize(size=(5, 3, 7)),
          A((1, 2, 3, 5, 4)))
    c.add("interpolate_nearest_exact_3d", "interpolate",
          resize(scale_factor=(1.5, 0.8, 2), mode="nearest-exact"), A((1, 2, 2, 5, 3)))
    c.add("interpolate_area_3d", "interpolate", resize(size=(2, 3, 2), mode="area"),
          A((1, 2, 4, 5, 3)))


def _grid(r: float) -> Callable[..., Any]:
    """Grid points uniform in [−r, r] (r > 1: some outside the image, read by the padding)."""
    return lambda rng, shape: rng.uniform(-r, r, shape)


def sampling_cases(c: Cases) -> None:
    """``F.grid_sample`` (each mode with each padding mode, both corner conventions, grid
    points inside and outside the image; gradients w.r.t. input and grid — torch has no
    double backward for it) and ``F.affine_grid`` (2-D and 3-D; linear in θ)."""
    def gs(**kw: Any) -> Callable[..., Any]:
        return lambda m, x, g: F(m).grid_sample(x, g, **kw)

    for mode in ("bilinear", "nearest", "bicubic"):
        for pad in ("zeros", "border", "reflection"):
            for corners in (False, True):
                name = f"grid_sample_{mode}_{pad}" + ("_corners" if corners else "")
                c.add(name, "grid_sample", gs(mode=mode, padding_mode=pad,
                                              align_corners=corners),
                      A((2, 2, 4, 5)), A((2, 3, 2, 2), gen=_grid(1.4)),
                      double_backward=False)
    c.add("grid_sample_3d_bilinear", "grid_sample",
          gs(padding_mode="reflection", align_corners=False), A((1, 2, 3, 4, 3)),
          A((1, 2, 2, 3, 3), gen=_grid(1.2)), double_backward=False)
    c.add("affine_grid", "affine_grid",
          lambda m, t: F(m).affine_grid(t, (2, 3, 4, 5), align_corners=False), A((2, 2, 3)))
    c.add("affine_grid_corners", "affine_grid",
          lambda m, t: F(m).affine_grid(t, [1, 1, 3, 2], align_corners=True), A((1, 2, 3)))
    c.add("affine_grid_3d", "affine_grid",
          lambda m, t: F(m).affine_grid(t, (2, 1, 2, 3, 4), align_corners=False),
          A((2, 3, 4)))
    c.add("affine_grid_then_grid_sample", "grid_sample",
          lambda m, x, t: F(m).grid_sample(
              x, F(m).affine_grid(t, (2, 2, 3, 4), align_corners=False), align_corners=False),
          A((2, 2, 4, 5)), A((2, 2, 3), gen=_grid(0.6)), double_backward=False)


def rearrange_cases(c: Cases) -> None:
    """``F.unfold`` / ``F.fold`` (im2col and its adjoint: stride, padding, dilation,
    overlapping blocks, unbatched) and ``F.pixel_shuffle`` / ``F.pixel_unshuffle``; a
    convolution written as unfold, a matrix product and a view."""
    c.add("unfold", "unfold", lambda m, x: F(m).unfold(x, (2, 3), padding=1, stride=(2, 1)),
          A((2, 3, 5, 6)))
    c.add("unfold_dilated_unbatched", "unfold",
          lambda m, x: F(m).unfold(x, 2, dilation=(1, 2)), A((3, 4, 5)))
    c.add("fold_overlapping", "fold",
          lambda m, x: F(m).fold(x, (5, 6), (2, 3), padding=1, stride=(2, 1)),
          A((2, 18, 18)))
    c.add("fold_unbatched", "fold", lambda m, x: F(m).fold(x, (4, 5), 2, dilation=(1, 2)),
          A((12, 9)))
    c.add("conv_as_unfold_matmul", "unfold",
          lambda m, x, w: (w.reshape(4, -1) @ F(m).unfold(x, 3, padding=1)).reshape(2, 4, 5, 5),
          A((2, 3, 5, 5)), A((4, 3, 3, 3)))
    c.add("pixel_shuffle", "pixel_shuffle", lambda m, x: F(m).pixel_shuffle(x, 2),
          A((2, 8, 3, 2)))
    c.add("pixel_unshuffle", "pixel_unshuffle", lambda m, x: F(m).pixel_unshuffle(x, 3),
          A((2, 6, 3)))


def unpool(m: Any, pool: str, x: Any, *args: Any, **kw: Any) -> Any:
    """``max_unpool{1,2}d`` of ``max_pool{1,2}d(x, *args, return_indices=True)``, both with
    the window ``args`` (``kw``: the unpooling's output_size)."""
    y, indices = getattr(F(m), f"max_{pool}")(x, *args, return_indices=True)
    return getattr(F(m), f"max_un{pool}")(y, indices, *args, **kw)


def layer_surface_cases(c: Cases) -> None:
    """``nn/functional_layers.py``: max unpooling of max pooling's indices (default and
    given output sizes), LP pooling (p = 2, 4, 1.5 on positive input, ±inf by max pooling),
    local response norm (3-D, 4-D, 5-D), bilinear (with and without bias, batch dims),
    pdist (p = 2, 1, 3, inf; torch has no double backward for it), channel shuffle, rrelu in
    eval mode (the fixed slope), and the random layers where they are deterministic: eval
    mode, p = 1."""
    c.add("max_unpool2d", "max_unpool2d", lambda m, x: unpool(m, "pool2d", x, 2),
          A((2, 3, 6, 6), gen=spread))
    # overlapping windows can pick one pixel twice: the unpooling writes it once but sends
    # the gradient to both picks (as torch), not the derivative finite differences see
    c.add("max_unpool2d_output_size", "max_unpool2d",
          lambda m, x: unpool(m, "pool2d", x, 3, 2, 1, output_size=(6, 6)),
          A((2, 2, 6, 6), gen=spread), gradcheck=False)
    c.add("max_unpool2d_unbatched_rect", "max_unpool2d",
          lambda m, x: unpool(m, "pool2d", x, (2, 3), (2, 1)), A((2, 5, 6), gen=spread),
          gradcheck=False)
    c.add("max_unpool1d", "max_unpool1d", lambda m, x: unpool(m, "pool1d", x, 2, output_size=[7]),
          A((2, 3, 7), gen=spread))
    lp = lambda *a, **kw: lambda m, x: F(m).lp_pool2d(x, *a, **kw)  # noqa: E731
    c.add("lp_pool2d", "lp_pool2d", lp(2, 2), A((2, 3, 6, 6)))
    c.add("lp_pool2d_p4_rect_ceil", "lp_pool2d", lp(4, (3, 2), stride=(2, 1), ceil_mode=True),
          A((1, 2, 7, 5)))
    c.add("lp_pool2d_p1.5_positive", "lp_pool2d", lp(1.5, 2), A((2, 2, 4, 4), gen=probability))
    c.add("lp_pool2d_inf", "lp_pool2d", lp(INF, 2), A((2, 2, 4, 4), gen=spread))
    c.add("lp_pool1d", "lp_pool1d", lambda m, x: F(m).lp_pool1d(x, 2, 3, 2), A((2, 3, 9)))
    c.add("lp_pool1d_neg_inf", "lp_pool1d", lambda m, x: F(m).lp_pool1d(x, -INF, 2),
          A((2, 3, 8), gen=probability))
    lrn = lambda *a: lambda m, x: F(m).local_response_norm(x, *a)  # noqa: E731
    c.add("local_response_norm", "local_response_norm", lrn(3), A((2, 5, 3, 4)))
    c.add("local_response_norm_3d_params", "local_response_norm", lrn(2, 0.3, 0.6, 2.0),
          A((2, 5, 4)))
    c.add("local_response_norm_5d", "local_response_norm", lrn(4, 0.5), A((2, 5, 2, 3, 2)))
    c.add("bilinear", "bilinear", lambda m, a, b, w, bias: F(m).bilinear(a, b, w, bias),
          A((4, 3)), A((4, 5)), A((2, 3, 5)), A((2,)))
    c.add("bilinear_batch_dims_no_bias", "bilinear", lambda m, a, b, w: F(m).bilinear(a, b, w),
          A((2, 3, 3)), A((2, 3, 4)), A((2, 3, 4), noncontig=True))
    for p in (2, 1, 3, INF):
        c.add(f"pdist_p{p}", "pdist", lambda m, x, p=p: F(m).pdist(x, p), A((5, 3), gen=spread),
              double_backward=False)
    c.add("channel_shuffle", "channel_shuffle", lambda m, x: F(m).channel_shuffle(x, 3),
          A((2, 6, 2, 3)))
    c.add("channel_shuffle_3d_noncontig", "channel_shuffle",
          lambda m, x: F(m).channel_shuffle(x, 2), A((2, 4, 5), noncontig=True))
    c.add("rrelu_eval", "rrelu", lambda m, x: F(m).rrelu(x, 0.1, 0.4), A((3, 4, 5)))
    c.add("rrelu_eval_kinks", "rrelu", lambda m, x: F(m).rrelu(x), A((3, 6), gen=KINKS),
          gradcheck=False, double_backward=False)
    c.add("alpha_dropout_eval", "alpha_dropout", lambda m, x: F(m).alpha_dropout(x, 0.3),
          A((3, 4)))
    c.add("alpha_dropout_p1", "alpha_dropout", lambda m, x: F(m).alpha_dropout(x, 1.0, True),
          A((3, 4)))
    c.add("feature_alpha_dropout_p1", "feature_alpha_dropout",
          lambda m, x: F(m).feature_alpha_dropout(x, 1.0, True), A((2, 3, 4)))
    c.add("dropout3d_p1_unbatched", "dropout3d", lambda m, x: F(m).dropout3d(x, 1.0),
          A((2, 2, 3, 2)))


def three_d_cases(c: Cases) -> None:
    """Volumetric ops (``nn/functional_3d.py``): conv3d and conv_transpose3d run the 2-D
    kernels over the depth taps, the pools their taps with ``xp``; every argument asymmetric
    across (D, H, W) so that a mixed-up axis shows."""
    def f3(name: str, **kw: Any) -> Callable[..., Any]:
        return lambda m, *args: getattr(F(m), name)(*args, **kw)
    c.add("conv3d", "conv3d", f3("conv3d"), A((2, 2, 4, 5, 5)), A((3, 2, 2, 3, 2)), A((3,)))
    c.add("conv3d_stride_pad_dil", "conv3d",
          f3("conv3d", stride=(2, 1, 2), padding=(1, 2, 0), dilation=(1, 2, 1)),
          A((2, 2, 5, 6, 5)), A((3, 2, 3, 2, 2)), A((3,)))
    c.add("conv3d_same_even", "conv3d", f3("conv3d", padding="same", dilation=(2, 1, 1)),
          A((1, 2, 5, 5, 4)), A((2, 2, 2, 3, 2)))
    c.add("conv3d_valid_groups_unbatched", "conv3d", f3("conv3d", padding="valid", groups=2),
          A((4, 3, 4, 4)), A((4, 2, 2, 2, 3)), A((4,)))
    c.add("conv3d_noncontig", "conv3d", f3("conv3d", padding=1),
          A((2, 2, 3, 4, 4), noncontig=True), A((2, 2, 2, 2, 2), noncontig=True))
    c.add("conv3d_nan_inf_pad", "conv3d", f3("conv3d", padding=(1, 0, 1)),
          A((1, 2, 3, 4, 3), gen=with_values({5: NAN, 30: INF})), A((2, 2, 2, 2, 2)),
          A((2,)), gradcheck=False)
    c.add("conv_transpose3d", "conv_transpose3d",
          f3("conv_transpose3d", stride=2, padding=(1, 0, 1), output_padding=(1, 0, 1),
             groups=2), A((2, 4, 3, 3, 2)), A((4, 1, 3, 2, 3)), A((2,)))
    c.add("conv_transpose3d_dilated_unbatched", "conv_transpose3d",
          f3("conv_transpose3d", dilation=(2, 1, 2), output_padding=1, stride=(1, 2, 1)),
          A((2, 3, 2, 3)), A((2, 3, 2, 2, 2)))
    c.add("max_pool3d", "max_pool3d", f3("max_pool3d", kernel_size=2, return_indices=True),
          A((2, 2, 4, 5, 5), gen=spread))
    c.add("max_pool3d_k3s2p1_ceil", "max_pool3d",
          f3("max_pool3d", kernel_size=3, stride=2, padding=1, ceil_mode=True,
             return_indices=True), A((2, 2, 5, 6, 5), gen=spread))
    c.add("max_pool3d_dilated_unbatched", "max_pool3d",
          f3("max_pool3d", kernel_size=(2, 3, 2), stride=1, padding=(1, 1, 0),
             dilation=(2, 1, 2), return_indices=True), A((2, 5, 6, 5), gen=spread))
    c.add("max_pool3d_nan", "max_pool3d", f3("max_pool3d", kernel_size=2, return_indices=True),
          A((1, 2, 4, 4, 4), gen=with_nan), gradcheck=False)
    c.add("max_pool3d_ties", "max_pool3d",
          f3("max_pool3d", kernel_size=2, stride=1, return_indices=True),
          A((1, 1, 3, 4, 4), gen=ties), gradcheck=False)  # ties: not differentiable
    c.add("max_pool3d_neg_inf_ceil", "max_pool3d",
          f3("max_pool3d", kernel_size=2, stride=2, padding=1, ceil_mode=True,
             return_indices=True), A((1, 2, 3, 4, 5), gen=neg_inf_rows), gradcheck=False)
    c.add("avg_pool3d", "avg_pool3d", f3("avg_pool3d", kernel_size=2), A((2, 2, 4, 5, 5)))
    for count in (True, False):
        c.add(f"avg_pool3d_ceil_pad_count_{count}", "avg_pool3d",
              f3("avg_pool3d", kernel_size=(3, 2, 3), stride=(2, 1, 2), padding=(1, 1, 0),
                 ceil_mode=True, count_include_pad=count), A((2, 2, 5, 6, 4)))
    c.add("avg_pool3d_divisor_unbatched", "avg_pool3d",
          f3("avg_pool3d", kernel_size=2, stride=1, divisor_override=3), A((2, 3, 4, 3)))
    c.add("avg_pool3d_noncontig", "avg_pool3d", f3("avg_pool3d", kernel_size=2),
          A((2, 2, 4, 4, 4), noncontig=True))
    c.add("adaptive_avg_pool3d", "adaptive_avg_pool3d",
          f3("adaptive_avg_pool3d", output_size=(2, 3, None)), A((2, 2, 5, 7, 4)))
    c.add("adaptive_avg_pool3d_upsample_unbatched", "adaptive_avg_pool3d",
          f3("adaptive_avg_pool3d", output_size=(3, 5, 2)), A((2, 2, 3, 4)))
    c.add("adaptive_avg_pool3d_1", "adaptive_avg_pool3d",
          f3("adaptive_avg_pool3d", output_size=1), A((2, 2, 3, 4, 3)))


def cases() -> list[Case]:
    c = Cases()
    conv2d_cases(c)
    max_pool2d_cases(c)
    avg_pool2d_cases(c)
    activation_cases(c)
    composed_cases(c)
    more_activation_cases(c)
    one_d_cases(c)
    conv_transpose_cases(c)
    resize_cases(c)
    sampling_cases(c)
    rearrange_cases(c)
    adaptive_pool_cases(c)
    three_d_cases(c)
    layer_norm_embedding_cases(c)
    embedding_bag_cases(c)
    softmax_cases(c)
    layer_surface_cases(c)
    return c
