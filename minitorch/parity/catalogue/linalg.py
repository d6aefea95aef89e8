"""Matrix products (``autograd/ops/linalg.py``): matmul in every rank combination, linear."""

from __future__ import annotations

from typing import Any

from minitorch.parity.case import Case
from minitorch.parity.catalogue.builder import A, Cases, F
from minitorch.parity.inputs import with_values


def cases() -> list[Case]:
    c = Cases()
    c.add("matmul_2d", "matmul", lambda m, x, y: x @ y, A((3, 4)), A((4, 5)))
    c.add("matmul_batched_bcast", "matmul", lambda m, x, y: x @ y, A((2, 3, 4)), A((4, 5)))
    c.add("matmul_batched_both", "matmul", lambda m, x, y: x @ y, A((2, 1, 3, 4)),
          A((3, 4, 2)))
    c.add("matmul_vec_mat", "matmul", lambda m, x, y: x @ y, A((4,)), A((4, 5)))
    c.add("matmul_mat_vec", "matmul", lambda m, x, y: x @ y, A((3, 4)), A((4,)))
    c.add("matmul_vec_vec", "matmul", lambda m, x, y: x @ y, A((4,)), A((4,)))
    c.add("rmatmul", "matmul", lambda m, x, y: y.__rmatmul__(x), A((3, 4)), A((4, 2)))
    c.add("matmul_noncontig", "matmul", lambda m, x, y: x @ y, A((3, 4), noncontig=True),
          A((4, 5), noncontig=True))
    c.add("matmul_inf", "matmul", lambda m, x, y: x @ y,
          A((2, 3, 4), gen=with_values({0: float("inf"), 13: -float("inf")})), A((4, 2)),
          gradcheck=False)

    def linear(m: Any, x: Any, w: Any, b: Any = None) -> Any:
        return F(m).linear(x, w, b)

    c.add("linear", "linear", linear, A((4, 5)), A((3, 5)), A((3,)))
    c.add("linear_no_bias", "linear", lambda m, x, w: F(m).linear(x, w), A((4, 5)), A((3, 5)))
    c.add("linear_3d", "linear", linear, A((2, 4, 5)), A((3, 5)), A((3,)))
    c.add("linear_batch1", "linear", linear, A((1, 7)), A((3, 7)), A((3,)))
    c.add("linear_noncontig", "linear", linear, A((4, 5), noncontig=True),
          A((3, 5), noncontig=True), A((3,)))
    c.add("linear_nan_inf", "linear", linear, A((3, 4), gen=with_values({0: float("inf"),
                                                                        5: float("nan")})),
          A((2, 4)), A((2,)), gradcheck=False)
    return c
