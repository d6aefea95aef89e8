"""The layers of ``minitorch.nn`` as modules: built in torch, and minitorch's copy loads
torch's state_dict, so both start from the same weights (then outputs, input gradients and
parameter gradients are compared)."""

from __future__ import annotations

from minitorch.parity.case import Case
from minitorch.parity.catalogue.builder import A, Cases
from minitorch.parity.catalogue.losses import TARGETS, WEIGHTS5
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


def cases() -> list[Case]:
    c = Cases()
    conv2d_module_cases(c)
    c.module("nn.MaxPool2d", "nn.MaxPool2d", lambda m: m.nn.MaxPool2d(3, 2, 1, ceil_mode=True),
             A((2, 2, 6, 6), gen=spread))
    c.module("nn.MaxPool2d_indices", "nn.MaxPool2d",
             lambda m: m.nn.MaxPool2d(2, return_indices=True), A((1, 2, 5, 5), gen=spread))
    c.module("nn.AvgPool2d", "nn.AvgPool2d",
             lambda m: m.nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
             A((2, 2, 6, 6)))
    c.module("nn.AvgPool2d_divisor", "nn.AvgPool2d",
             lambda m: m.nn.AvgPool2d(2, divisor_override=5), A((2, 2, 4, 4)))
    c.module("nn.ReLU", "nn.ReLU", lambda m: m.nn.ReLU(), A((3, 4)))
    c.module("nn.Tanh", "nn.Tanh", lambda m: m.nn.Tanh(), A((3, 4)))
    c.module("nn.Sigmoid", "nn.Sigmoid", lambda m: m.nn.Sigmoid(), A((3, 4)))
    c.module("nn.Linear", "nn.Linear", lambda m: m.nn.Linear(5, 3), A((4, 5)))
    c.module("nn.Linear_no_bias", "nn.Linear", lambda m: m.nn.Linear(5, 3, bias=False),
             A((4, 5)))
    c.module("nn.Flatten", "nn.Flatten", lambda m: m.nn.Flatten(), A((2, 3, 2, 2)))
    c.module("nn.Flatten_args", "nn.Flatten", lambda m: m.nn.Flatten(0, 1), A((2, 3, 2)))
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
    c.module("nn.Sequential", "nn.Sequential",
             lambda m: m.nn.Sequential(m.nn.Conv2d(2, 3, 3, padding=1), m.nn.ReLU(),
                                       m.nn.MaxPool2d(2), m.nn.Conv2d(3, 2, 2), m.nn.Tanh(),
                                       m.nn.AvgPool2d(2), m.nn.Flatten(), m.nn.Linear(2, 3),
                                       m.nn.Sigmoid(), m.nn.Linear(3, 2),
                                       m.nn.LogSoftmax(1)),
             A((2, 2, 6, 6)))
    return c
