"""Shape ops (``autograd/ops/shape.py``): views, copies, cat/stack, indexing."""

from __future__ import annotations

from minitorch.parity.case import Case
from minitorch.parity.catalogue.builder import A, Cases


def cases() -> list[Case]:
    c = Cases()
    c.add("reshape", "reshape", lambda m, x: x.reshape(4, -1), A((2, 3, 4)))
    c.add("reshape_noncontig", "reshape", lambda m, x: x.reshape(-1),
          A((2, 3, 4), noncontig=True))
    c.add("view", "view", lambda m, x: x.view(6, 4), A((2, 3, 4)))
    c.add("flatten", "flatten", lambda m, x: x.flatten(), A((2, 3, 4)))
    c.add("flatten_1_2", "flatten", lambda m, x: x.flatten(1, 2), A((2, 3, 4, 5)))
    c.add("flatten_neg", "flatten", lambda m, x: m.flatten(x, -3, -2), A((2, 3, 4, 5)))
    c.add("F.flatten", "flatten", lambda m, x: m.flatten(x, 1), A((2, 3, 2, 2)))
    c.add("permute", "permute", lambda m, x: x.permute(2, 0, 1), A((2, 3, 4)))
    c.add("transpose", "transpose", lambda m, x: x.transpose(0, -1), A((2, 3, 4)))
    c.add("T", "transpose", lambda m, x: x.T, A((3, 4)))
    c.add("t", "transpose", lambda m, x: x.t(), A((3, 4)))
    c.add("squeeze_all", "squeeze", lambda m, x: x.squeeze(), A((1, 3, 1, 4)))
    c.add("squeeze_dim", "squeeze", lambda m, x: x.squeeze(2), A((1, 3, 1, 4)))
    c.add("unsqueeze", "unsqueeze", lambda m, x: x.unsqueeze(1), A((3, 4)))
    c.add("unsqueeze_neg", "unsqueeze", lambda m, x: x.unsqueeze(-1), A((3, 4)))
    c.add("expand", "expand", lambda m, x: x.expand(2, 3, 4), A((3, 1)))
    c.add("expand_minus1", "expand", lambda m, x: x.expand(5, -1, 4), A((1, 3, 1)))
    c.add("repeat", "repeat", lambda m, x: x.repeat(2, 3), A((2, 3)))
    c.add("repeat_more_dims", "repeat", lambda m, x: x.repeat(3, 1, 2), A((2, 3)))
    c.add("repeat_noncontig", "repeat", lambda m, x: x.repeat((2, 1, 2)),
          A((2, 3, 4), noncontig=True))
    c.add("cat", "cat", lambda m, x, y: m.cat([x, y], 1), A((2, 3)), A((2, 4)))
    c.add("cat_three", "cat", lambda m, x, y, z: m.cat([x, y, z]), A((1, 3)), A((2, 3)),
          A((3, 3), noncontig=True))
    c.add("stack", "stack", lambda m, x, y: m.stack([x, y], 1), A((2, 3)), A((2, 3)))
    c.add("stack_neg", "stack", lambda m, x, y: m.stack([x, y], -1), A((2, 3)), A((2, 3)))
    c.add("getitem_int", "getitem", lambda m, x: x[1], A((3, 4)))
    c.add("getitem_neg_int", "getitem", lambda m, x: x[-1, 2], A((3, 4)))
    c.add("getitem_slice", "getitem", lambda m, x: x[1:, ::2], A((4, 5)))
    c.add("getitem_none_ellipsis", "getitem", lambda m, x: x[None, ..., 1], A((2, 3, 4)))
    c.add("getitem_ellipsis_slice", "getitem", lambda m, x: x[..., 1:3], A((2, 3, 4)))
    c.add("getitem_int_array", "getitem", lambda m, x, i: x[i], A((4, 3)),
          A((5,), values=[0, 2, 2, 3, 0]))  # repeated indices: gradients add up
    c.add("getitem_int_arrays_2d", "getitem", lambda m, x, i, j: x[i, j], A((4, 3)),
          A((4,), values=[0, 1, 3, 3]), A((4,), values=[2, 0, 1, 1]))
    c.add("getitem_slice_array", "getitem", lambda m, x, i: x[:, i], A((3, 4)),
          A((2, 2), values=[3, 0, 0, 1]))
    c.add("getitem_noncontig", "getitem", lambda m, x: x[1:, 0],
          A((3, 4, 2), noncontig=True))
    return c
