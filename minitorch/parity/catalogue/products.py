"""The fused and composite products (``autograd/ops/products.py``): β·input + α·product
(addmm, addmv, addr, baddbmm, addbmm), addcmul/addcdiv, tensordot, kron, cross and the
trapezoidal rule."""

from __future__ import annotations

from minitorch.parity.case import Case
from minitorch.parity.catalogue.builder import A, Cases
from minitorch.parity.inputs import positive, with_values

NAN = with_values({0: float("nan"), 3: float("inf")})


def cases() -> list[Case]:
    c = Cases()
    c.add("addmm", "addmm", lambda m, x, a, b: m.addmm(x, a, b), A((3, 5)), A((3, 4)),
          A((4, 5)))
    c.add("addmm_bcast_scaled", "addmm", lambda m, x, a, b: x.addmm(a, b, beta=0.5, alpha=-2),
          A((5,)), A((3, 4)), A((4, 5)))
    c.add("addmm_noncontig", "addmm", lambda m, x, a, b: m.addmm(x, a, b, alpha=3),
          A((3, 1)), A((3, 4), noncontig=True), A((4, 2), noncontig=True))
    c.add("addmm_beta0_nan", "addmm", lambda m, x, a, b: m.addmm(x, a, b, beta=0),
          A((2, 5), gen=NAN), A((2, 4)), A((4, 5)))
    c.add("addmm_inplace", "addmm", lambda m, x, a, b: (x * 1).addmm_(a, b, beta=2),
          A((3, 5)), A((3, 4)), A((4, 5)))
    c.add("addmv", "addmv", lambda m, x, a, v: m.addmv(x, a, v, beta=2, alpha=0.5), A((3,)),
          A((3, 4)), A((4,)))
    c.add("addmv_scalar_input", "addmv", lambda m, x, a, v: x.addmv(a, v), A(()), A((3, 4)),
          A((4,)))
    c.add("addr", "addr", lambda m, x, u, v: m.addr(x, u, v, alpha=2), A((3, 4)), A((3,)),
          A((4,)))
    c.add("addr_bcast_beta0", "addr", lambda m, x, u, v: x.addr(u, v, beta=0),
          A((1, 4), gen=NAN), A((3,)), A((4,)))
    c.add("baddbmm", "baddbmm", lambda m, x, a, b: m.baddbmm(x, a, b, beta=-1, alpha=2),
          A((2, 3, 5)), A((2, 3, 4)), A((2, 4, 5)))
    c.add("baddbmm_bcast", "baddbmm", lambda m, x, a, b: x.baddbmm(a, b), A((3, 1)),
          A((2, 3, 4)), A((2, 4, 5)))
    c.add("baddbmm_inplace", "baddbmm", lambda m, x, a, b: (x * 1).baddbmm_(a, b, alpha=2),
          A((2, 3, 5)), A((2, 3, 4)), A((2, 4, 5)))
    c.add("addbmm", "addbmm", lambda m, x, a, b: m.addbmm(x, a, b, beta=0.5, alpha=2),
          A((3, 5)), A((4, 3, 2)), A((4, 2, 5)))
    c.add("addbmm_bcast_noncontig", "addbmm", lambda m, x, a, b: x.addbmm(a, b), A((5,)),
          A((2, 3, 4), noncontig=True), A((2, 4, 5)))
    c.add("addcmul", "addcmul", lambda m, x, a, b: m.addcmul(x, a, b, value=-0.5), A((3, 4)),
          A((3, 4)), A((3, 4)))
    c.add("addcmul_bcast", "addcmul", lambda m, x, a, b: x.addcmul(a, b), A((4,)), A((3, 1)),
          A((3, 4)))
    c.add("addcmul_inplace", "addcmul", lambda m, x, a, b: (x * 1).addcmul_(a, b, value=2),
          A((3, 4)), A((4,)), A((3, 4)))
    c.add("addcdiv", "addcdiv", lambda m, x, a, b: m.addcdiv(x, a, b, value=3), A((3, 4)),
          A((3, 4)), A((3, 4), gen=positive))
    c.add("addcdiv_bcast", "addcdiv", lambda m, x, a, b: x.addcdiv(a, b), A((3, 1)), A((4,)),
          A((3, 4), gen=positive))
    c.add("addcdiv_inplace", "addcdiv", lambda m, x, a, b: (x * 1).addcdiv_(a, b, value=0.5),
          A((3, 4)), A((3, 4)), A((4,), gen=positive))
    c.add("tensordot", "tensordot", lambda m, a, b: m.tensordot(a, b), A((2, 3, 4)),
          A((3, 4, 5)))
    c.add("tensordot_dims1", "tensordot", lambda m, a, b: m.tensordot(a, b, 1), A((2, 3)),
          A((3, 4)))
    c.add("tensordot_outer", "tensordot", lambda m, a, b: m.tensordot(a, b, dims=0), A((2, 3)),
          A((4,)))
    c.add("tensordot_lists", "tensordot",
          lambda m, a, b: m.tensordot(a, b, dims=([2, 0], [0, 2])), A((2, 3, 4)),
          A((4, 5, 2)))
    c.add("tensordot_size1", "tensordot", lambda m, a, b: m.tensordot(a, b, ([1], [0])),
          A((2, 1)), A((3, 4)))
    c.add("kron", "kron", lambda m, a, b: m.kron(a, b), A((2, 3)), A((3, 2)))
    c.add("kron_ranks", "kron", lambda m, a, b: a.kron(b), A((3,)), A((2, 2, 2)))
    c.add("cross", "cross", lambda m, a, b: m.cross(a, b, dim=1), A((4, 3)), A((4, 3)))
    c.add("cross_bcast", "cross", lambda m, a, b: a.cross(b, 0), A((3, 1, 2)), A((3, 4, 1)))
    c.add("linalg_cross", "cross", lambda m, a, b: m.linalg.cross(a, b), A((2, 4, 3)),
          A((1, 4, 3)))
    c.add("trapezoid", "trapezoid", lambda m, y: m.trapezoid(y), A((3, 5)))
    c.add("trapezoid_dx", "trapezoid", lambda m, y: m.trapezoid(y, dx=0.25, dim=0), A((3, 5)))
    c.add("trapezoid_x", "trapezoid", lambda m, y, x: m.trapezoid(y, x), A((3, 5)), A((5,)))
    c.add("trapezoid_x_bcast", "trapezoid", lambda m, y, x: m.trapz(y, x, dim=1),
          A((2, 4, 3)), A((4, 3)))
    return c
