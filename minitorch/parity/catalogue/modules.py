"""The layers of ``minitorch.nn`` as modules: built in torch, and minitorch's copy loads
torch's state_dict, so both start from the same weights (then outputs, input gradients and
parameter gradients are compared)."""

from __future__ import annotations

from typing import Any

import numpy as np

from minitorch.parity.case import Case
from minitorch.parity.catalogue.builder import A, Cases
from minitorch.parity.catalogue.losses import (
    MULTILABEL,
    TARGETS,
    WEIGHTS5,
    counts,
    probability,
    signs,
)
from minitorch.parity.inputs import spread


def conv2d_module_cases(c: Cases) -> None:
    """nn.Conv2d's padding modes (the module pads, then convolves)."""
    for mode in ("zeros", "reflect", "replicate", "circular"):
        c.add(f"Conv2d_{mode}", "nn.Conv2d", lambda m, mod, x: mod(x), A((2, 2, 5, 6)),
              module=lambda m, dt, mode=mode: m.nn.Conv2d(2, 3, 3, padding=(1, 2),
                                                          padding_mode=mode))
        c.add(f"Conv2d_{mode}_same_even", "nn.Conv2d", lambda m, mod, x: mod(x),
              A((1, 2, 5, 5)),
              module=lambda m, dt, mode=mode: m.nn.Conv2d(2, 2, (2, 3), padding="same",
                                                          padding_mode=mode, bias=False))
    c.add("Conv2d_stride_dil_groups", "nn.Conv2d", lambda m, mod, x: mod(x), A((2, 4, 7, 7)),
          module=lambda m, dt: m.nn.Conv2d(4, 4, 3, stride=2, padding=1, dilation=2,
                                           groups=2))


def volume_module_cases(c: Cases) -> None:
    """The 3-D layers: Conv3d's padding modes, ConvTranspose3d (with ``output_size``), the
    pools, BatchNorm3d and InstanceNorm3d (training statistics), Dropout3d at p = 1."""
    for mode in ("zeros", "reflect", "circular"):
        c.add(f"Conv3d_{mode}", "nn.Conv3d", lambda m, mod, x: mod(x), A((2, 2, 3, 4, 4)),
              module=lambda m, dt, mode=mode: m.nn.Conv3d(2, 3, (2, 3, 2), padding=(1, 1, 0),
                                                          padding_mode=mode))
    c.add("Conv3d_stride_dil_groups", "nn.Conv3d", lambda m, mod, x: mod(x),
          A((1, 4, 4, 5, 5)),
          module=lambda m, dt: m.nn.Conv3d(4, 2, 2, stride=(1, 2, 1), dilation=(1, 1, 2),
                                           groups=2, bias=False))
    c.add("ConvTranspose3d_output_size", "nn.ConvTranspose3d",
          lambda m, mod, x: mod(x, output_size=(4, 6, 5)), A((1, 2, 2, 3, 3)),
          module=lambda m, dt: m.nn.ConvTranspose3d(2, 3, 2, stride=2, padding=(0, 0, 1)))
    c.module("nn.MaxPool3d", "nn.MaxPool3d",
             lambda m: m.nn.MaxPool3d(3, 2, 1, ceil_mode=True, return_indices=True),
             A((1, 2, 4, 5, 5), gen=spread))
    c.module("nn.AvgPool3d", "nn.AvgPool3d",
             lambda m: m.nn.AvgPool3d(2, (1, 2, 2), 1, count_include_pad=False),
             A((2, 2, 3, 4, 4)))
    c.module("nn.AdaptiveAvgPool3d", "nn.AdaptiveAvgPool3d",
             lambda m: m.nn.AdaptiveAvgPool3d((None, 2, 3)), A((2, 2, 3, 5, 4)))
    c.module("nn.BatchNorm3d", "nn.BatchNorm3d", lambda m: m.nn.BatchNorm3d(3),
             A((2, 3, 2, 3, 2)))
    c.module("nn.InstanceNorm3d_affine", "nn.InstanceNorm3d",
             lambda m: m.nn.InstanceNorm3d(2, affine=True), A((2, 2, 2, 3, 2)))
    c.module("nn.InstanceNorm3d_unbatched", "nn.InstanceNorm3d",
             lambda m: m.nn.InstanceNorm3d(2), A((2, 3, 2, 2)))
    c.module("nn.Dropout3d_p1", "nn.Dropout3d", lambda m: m.nn.Dropout3d(1.0),
             A((2, 3, 2, 2, 2)))


def loss_module_cases(c: Cases) -> None:
    c.module("nn.L1Loss", "nn.L1Loss", lambda m: m.nn.L1Loss(), A((3, 4)), A((3, 4)))
    c.module("nn.SmoothL1Loss", "nn.SmoothL1Loss", lambda m: m.nn.SmoothL1Loss(beta=0.4),
             A((3, 4)), A((3, 4)))
    c.module("nn.HuberLoss", "nn.HuberLoss",
             lambda m: m.nn.HuberLoss(reduction="sum", delta=0.6), A((3, 4)), A((3, 4)))
    c.module("nn.BCELoss", "nn.BCELoss", lambda m: m.nn.BCELoss(), A((3, 4), gen=probability),
             A((3, 4), gen=probability))
    c.add("nn.BCEWithLogitsLoss", "nn.BCEWithLogitsLoss", lambda m, module, x, t: module(x, t),
          A((3, 4)), A((3, 4), gen=probability),
          module=lambda m, dt: m.nn.BCEWithLogitsLoss(
              pos_weight=m.tensor(WEIGHTS5[:4], dtype=dt)))
    c.add("nn.KLDivLoss", "nn.KLDivLoss",
          lambda m, module, x, t: module(x.log_softmax(-1), t), A((3, 4)),
          A((3, 4), gen=probability),
          module=lambda m, dt: m.nn.KLDivLoss(reduction="batchmean"))
    c.module("nn.TripletMarginLoss", "nn.TripletMarginLoss",
             lambda m: m.nn.TripletMarginLoss(margin=1.5, swap=True), A((4, 3)), A((4, 3)),
             A((4, 3)))
    c.module("nn.CosineEmbeddingLoss", "nn.CosineEmbeddingLoss",
             lambda m: m.nn.CosineEmbeddingLoss(0.2), A((4, 3)), A((4, 3)),
             A((4,), gen=signs, grad=False))
    c.module("nn.MarginRankingLoss", "nn.MarginRankingLoss",
             lambda m: m.nn.MarginRankingLoss(0.5, reduction="sum"), A((5,)), A((5,)),
             A((5,), gen=signs, grad=False))
    c.module("nn.HingeEmbeddingLoss", "nn.HingeEmbeddingLoss",
             lambda m: m.nn.HingeEmbeddingLoss(2.0), A((3, 4)), A((3, 4), gen=signs, grad=False))
    c.module("nn.PoissonNLLLoss", "nn.PoissonNLLLoss",
             lambda m: m.nn.PoissonNLLLoss(full=True), A((3, 4)),
             A((3, 4), gen=counts, grad=False))
    c.module("nn.GaussianNLLLoss", "nn.GaussianNLLLoss",
             lambda m: m.nn.GaussianNLLLoss(full=True), A((3, 4)), A((3, 4)),
             A((3, 1), gen=probability))


def norm_module_cases(c: Cases) -> None:
    """Batch norm in training mode (batch statistics; the running ones are updated), in eval
    mode after one training batch, without affine parameters; group and instance norm
    (instance norm's running statistics after two batches, in eval); dropout in eval mode and at
    p = 1 (the deterministic cases: a random mask cannot match torch's)."""
    c.module("nn.BatchNorm2d", "nn.BatchNorm2d", lambda m: m.nn.BatchNorm2d(3),
             A((4, 3, 3, 3)))
    c.module("nn.BatchNorm2d_eval", "nn.BatchNorm2d", _trained_batch_norm, A((2, 3, 2, 2)))
    c.module("nn.BatchNorm1d_no_affine", "nn.BatchNorm1d",
             lambda m: m.nn.BatchNorm1d(4, affine=False, momentum=None), A((5, 4, 3)))
    c.module("nn.BatchNorm1d_2d", "nn.BatchNorm1d", lambda m: m.nn.BatchNorm1d(4, eps=1e-3),
             A((6, 4)))
    c.module("nn.GroupNorm", "nn.GroupNorm", lambda m: m.nn.GroupNorm(2, 4), A((3, 4, 2, 2)))
    c.module("nn.InstanceNorm2d_affine", "nn.InstanceNorm2d",
             lambda m: m.nn.InstanceNorm2d(3, affine=True), A((2, 3, 3, 2)))
    c.module("nn.InstanceNorm1d_unbatched", "nn.InstanceNorm1d",
             lambda m: m.nn.InstanceNorm1d(3), A((3, 5)))
    c.module("nn.InstanceNorm2d_eval", "nn.InstanceNorm2d", _trained_instance_norm,
             A((2, 3, 2, 2)))
    c.module("nn.Dropout_eval", "nn.Dropout", lambda m: m.nn.Dropout(0.4).eval(), A((3, 4)))
    c.module("nn.Dropout_p1", "nn.Dropout", lambda m: m.nn.Dropout(1.0), A((3, 4)))
    c.module("nn.Dropout2d_p1", "nn.Dropout2d", lambda m: m.nn.Dropout2d(1.0),
             A((2, 3, 2, 2)))


def _trained_batch_norm(m: Any) -> Any:
    """A BatchNorm2d whose running statistics saw one batch (the same in both libraries),
    switched to eval mode."""
    bn = m.nn.BatchNorm2d(3, momentum=0.5)
    batch = np.random.default_rng(8).standard_normal((4, 3, 2, 2)) * 2 + 1
    with m.no_grad():
        bn(m.tensor(batch, dtype=bn.weight.dtype).to(bn.weight.device))
    return bn.eval()


def _trained_instance_norm(m: Any) -> Any:
    """An InstanceNorm2d tracking running statistics, after two training batches (the same
    in both libraries: the running statistics average the per-sample ones), in eval mode."""
    norm = m.nn.InstanceNorm2d(3, momentum=0.3, affine=True, track_running_stats=True)
    rng = np.random.default_rng(9)
    with m.no_grad():
        for scale in (1.0, 3.0):
            batch = rng.standard_normal((4, 3, 2, 2)) * scale + scale
            norm(m.tensor(batch, dtype=norm.weight.dtype).to(norm.weight.device))
    return norm.eval()


def layer_surface_module_cases(c: Cases) -> None:
    """The modules of ``nn/pooling.py``, ``nn/linear.py`` and the new losses, dropouts and
    rrelu (the random ones in eval mode or at p = 1)."""
    c.add("nn.MaxUnpool2d", "nn.MaxUnpool2d",
          lambda m, mod, x: mod(*m.nn.functional.max_pool2d(x, 2, 1, return_indices=True),
                                output_size=(5, 5)),
          A((2, 2, 5, 5), gen=spread), module=lambda m, dt: m.nn.MaxUnpool2d(2, 1),
          gradcheck=False)  # overlapping windows: see max_unpool2d_output_size
    c.add("nn.MaxUnpool1d", "nn.MaxUnpool1d",
          lambda m, mod, x: mod(*m.nn.functional.max_pool1d(x, 3, 2, 1, return_indices=True)),
          A((2, 3, 9), gen=spread), module=lambda m, dt: m.nn.MaxUnpool1d(3, 2, 1),
          gradcheck=False)  # overlapping windows: see max_unpool2d_output_size
    c.module("nn.LPPool2d", "nn.LPPool2d", lambda m: m.nn.LPPool2d(2, (2, 3), stride=1),
             A((2, 2, 4, 5)))
    c.module("nn.LPPool1d", "nn.LPPool1d", lambda m: m.nn.LPPool1d(3, 2),
             A((2, 2, 6), gen=probability))
    c.module("nn.LocalResponseNorm", "nn.LocalResponseNorm",
             lambda m: m.nn.LocalResponseNorm(3, alpha=0.2), A((2, 4, 3, 3)))
    c.module("nn.Bilinear", "nn.Bilinear", lambda m: m.nn.Bilinear(3, 4, 2), A((5, 3)),
             A((5, 4)))
    c.module("nn.Bilinear_no_bias", "nn.Bilinear", lambda m: m.nn.Bilinear(2, 3, 4, bias=False),
             A((2, 3, 2)), A((2, 3, 3)))
    c.module("nn.ChannelShuffle", "nn.ChannelShuffle", lambda m: m.nn.ChannelShuffle(2),
             A((2, 4, 3)))
    c.module("nn.RReLU_eval", "nn.RReLU", lambda m: m.nn.RReLU(0.2, 0.5).eval(), A((3, 4)))
    c.module("nn.AlphaDropout_eval", "nn.AlphaDropout", lambda m: m.nn.AlphaDropout(0.3).eval(),
             A((3, 4)))
    c.module("nn.FeatureAlphaDropout_p1", "nn.FeatureAlphaDropout",
             lambda m: m.nn.FeatureAlphaDropout(1.0), A((2, 3, 2)))
    c.module("nn.MultiMarginLoss", "nn.MultiMarginLoss",
             lambda m: m.nn.MultiMarginLoss(p=2, margin=1.5), A((6, 5)),
             A((6,), values=TARGETS), double_backward=False)
    c.module("nn.MultiLabelMarginLoss", "nn.MultiLabelMarginLoss",
             lambda m: m.nn.MultiLabelMarginLoss(reduction="sum"), A((5, 4)),
             A((5, 4), values=MULTILABEL), double_backward=False)
    c.module("nn.TripletMarginWithDistanceLoss", "nn.TripletMarginWithDistanceLoss",
             lambda m: m.nn.TripletMarginWithDistanceLoss(
                 distance_function=m.nn.PairwiseDistance(p=1.5), swap=True),
             A((4, 3)), A((4, 3)), A((4, 3)))


def cases() -> list[Case]:
    c = Cases()
    layer_surface_module_cases(c)
    conv2d_module_cases(c)
    volume_module_cases(c)
    c.module("nn.CosineSimilarity", "nn.CosineSimilarity",
             lambda m: m.nn.CosineSimilarity(dim=-1), A((3, 4)), A((3, 4)))
    c.module("nn.PairwiseDistance", "nn.PairwiseDistance",
             lambda m: m.nn.PairwiseDistance(p=3.0, keepdim=True), A((3, 4)), A((3, 4)))
    c.module("nn.Unfold", "nn.Unfold", lambda m: m.nn.Unfold((2, 2), stride=2),
             A((2, 3, 4, 6)))
    c.module("nn.Fold", "nn.Fold", lambda m: m.nn.Fold((4, 6), 2, stride=2), A((2, 12, 6)))
    c.module("nn.PixelShuffle", "nn.PixelShuffle", lambda m: m.nn.PixelShuffle(2),
             A((1, 8, 2, 3)))
    c.module("nn.Softmax2d", "nn.Softmax2d", lambda m: m.nn.Softmax2d(), A((2, 3, 2, 2)))
    c.module("nn.Dropout1d_p1", "nn.Dropout1d", lambda m: m.nn.Dropout1d(1.0), A((2, 3, 4)))
    c.module("nn.Upsample_bilinear", "nn.Upsample",
             lambda m: m.nn.Upsample(scale_factor=1.5, mode="bilinear"), A((2, 3, 4, 4)))
    c.module("nn.UpsamplingNearest2d", "nn.UpsamplingNearest2d",
             lambda m: m.nn.UpsamplingNearest2d(size=(5, 3)), A((1, 2, 3, 3)))
    c.module("nn.UpsamplingBilinear2d", "nn.UpsamplingBilinear2d",
             lambda m: m.nn.UpsamplingBilinear2d(scale_factor=2), A((1, 2, 3, 3)))
    c.module("nn.MaxPool2d", "nn.MaxPool2d", lambda m: m.nn.MaxPool2d(3, 2, 1, ceil_mode=True),
             A((2, 2, 6, 6), gen=spread))
    c.module("nn.MaxPool2d_indices", "nn.MaxPool2d",
             lambda m: m.nn.MaxPool2d(2, return_indices=True), A((1, 2, 5, 5), gen=spread))
    c.module("nn.AvgPool2d", "nn.AvgPool2d",
             lambda m: m.nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
             A((2, 2, 6, 6)))
    c.module("nn.AvgPool2d_divisor", "nn.AvgPool2d",
             lambda m: m.nn.AvgPool2d(2, divisor_override=5), A((2, 2, 4, 4)))
    c.module("nn.AdaptiveAvgPool2d", "nn.AdaptiveAvgPool2d",
             lambda m: m.nn.AdaptiveAvgPool2d((2, None)), A((2, 2, 5, 3)))
    c.module("nn.AdaptiveMaxPool2d", "nn.AdaptiveMaxPool2d",
             lambda m: m.nn.AdaptiveMaxPool2d(2, return_indices=True),
             A((2, 2, 5, 3), gen=spread))
    c.module("nn.LayerNorm", "nn.LayerNorm", lambda m: m.nn.LayerNorm([2, 3], bias=False),
             A((4, 2, 3)))
    c.module("nn.RMSNorm", "nn.RMSNorm", lambda m: m.nn.RMSNorm([2, 3]), A((4, 2, 3)))
    c.module("nn.RMSNorm_eps_no_affine", "nn.RMSNorm",
             lambda m: m.nn.RMSNorm(3, eps=1e-4, elementwise_affine=False), A((4, 3)))
    c.add("nn.Embedding", "nn.Embedding", lambda m, module, i: module(i),
          A((2, 3), values=[[1, 4, 1], [0, 2, 4]]),
          module=lambda m, dt: m.nn.Embedding(5, 3, padding_idx=1, dtype=dt),
          gradcheck=False)  # padding_idx: that row's gradient is 0 on purpose
    c.module("nn.ReLU", "nn.ReLU", lambda m: m.nn.ReLU(), A((3, 4)))
    c.module("nn.Tanh", "nn.Tanh", lambda m: m.nn.Tanh(), A((3, 4)))
    c.module("nn.Sigmoid", "nn.Sigmoid", lambda m: m.nn.Sigmoid(), A((3, 4)))
    c.module("nn.GELU", "nn.GELU", lambda m: m.nn.GELU(), A((3, 4)))
    c.module("nn.GELU_tanh", "nn.GELU", lambda m: m.nn.GELU("tanh"), A((3, 4)))
    c.module("nn.SiLU", "nn.SiLU", lambda m: m.nn.SiLU(), A((3, 4)))
    c.module("nn.Linear", "nn.Linear", lambda m: m.nn.Linear(5, 3), A((4, 5)))
    c.module("nn.Linear_no_bias", "nn.Linear", lambda m: m.nn.Linear(5, 3, bias=False),
             A((4, 5)))
    c.module("nn.Flatten", "nn.Flatten", lambda m: m.nn.Flatten(), A((2, 3, 2, 2)))
    c.module("nn.Flatten_args", "nn.Flatten", lambda m: m.nn.Flatten(0, 1), A((2, 3, 2)))
    c.module("nn.Unflatten", "nn.Unflatten", lambda m: m.nn.Unflatten(1, (2, -1)), A((3, 6)))
    c.module("nn.Softmax", "nn.Softmax", lambda m: m.nn.Softmax(dim=1), A((3, 4)))
    c.module("nn.LogSoftmax", "nn.LogSoftmax", lambda m: m.nn.LogSoftmax(dim=-1), A((3, 4)))
    c.module("nn.MSELoss", "nn.MSELoss", lambda m: m.nn.MSELoss(reduction="sum"), A((3, 4)),
             A((3, 4)))
    c.add("nn.CrossEntropyLoss", "nn.CrossEntropyLoss", lambda m, module, x, t: module(x, t),
          A((6, 5)), A((6,), values=TARGETS),
          module=lambda m, dt: m.nn.CrossEntropyLoss(weight=m.tensor(WEIGHTS5, dtype=dt),
                                                     ignore_index=4, label_smoothing=0.1))
    c.add("nn.NLLLoss", "nn.NLLLoss", lambda m, module, x, t: module(x.log_softmax(1), t),
          A((6, 5)), A((6,), values=TARGETS),
          module=lambda m, dt: m.nn.NLLLoss(weight=m.tensor(WEIGHTS5, dtype=dt)))
    loss_module_cases(c)
    norm_module_cases(c)
    c.module("nn.Sequential", "nn.Sequential",
             lambda m: m.nn.Sequential(m.nn.Conv2d(2, 3, 3, padding=1), m.nn.ReLU(),
                                       m.nn.MaxPool2d(2), m.nn.Conv2d(3, 2, 2), m.nn.Tanh(),
                                       m.nn.AvgPool2d(2), m.nn.Flatten(), m.nn.Linear(2, 3),
                                       m.nn.Sigmoid(), m.nn.Linear(3, 2),
                                       m.nn.LogSoftmax(1)),
             A((2, 2, 6, 6)))
    return c
