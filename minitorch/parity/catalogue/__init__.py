"""Every parity case, one module per group of ops, so a case sits beside its siblings:

==============  ===========================================================
module          cases for
==============  ===========================================================
elementwise     add … minimum, clamp, comparisons (``autograd/ops/elementwise.py``);
                ``//``, ``%``, fmod (``autograd/ops/division.py``)
linalg          matmul, linear (``autograd/ops/linalg.py``)
reduction       sum, mean, var, max/min, argmax (``autograd/ops/reduction.py``)
shape           reshape, view, flatten, permute, cat/stack, indexing (``autograd/ops/shape.py``)
nn              conv2d, pooling, activations, softmax (``autograd/ops/nn.py``); the ops
                composed of others (``nn/functional_composed.py``: gelu, silu, normalize,
                one_hot, adaptive pooling, layer_norm, embedding); embedding_bag
losses          cross_entropy, nll_loss, the pointwise losses (``autograd/ops/loss.py``),
                ctc_loss (``autograd/ops/ctc.py``)
modules         ``minitorch.nn`` layers with torch's initial weights (incl. losses,
                batch norm and dropout)
surface         pointwise math, mm/bmm/mv/dot, prod/cumsum/norm, sort/gather/scatter
indexing        nansum/nanmean, var_mean/std_mean, cummax/cummin, logcumsumexp, roll, rot90,
                take/take_along_dim, index_add/fill/copy, masked_scatter; the ops composed
                of others (diff, unflatten, tensor_split, column_stack, cartesian_prod, ...)
products        addmm/addmv/addr/baddbmm/addbmm, addcmul/addcdiv, tensordot, kron,
                cross, trapezoid (``autograd/ops/products.py``, ``functions.py``)
math            inverse trigonometry, sinc, logit, signbit (``autograd/ops/pointwise.py``);
                atan2, hypot, logaddexp, xlogy, fmax/fmin, copysign, heaviside
                (``autograd/ops/binary_math.py``), float_power
linear_algebra  linalg.inv/det/slogdet/solve, cholesky, qr, eigh, svd, pinv
                (``autograd/ops/decompositions.py``); vector/matrix norms,
                matrix_power, multi_dot (``linalg.py``)
special         lgamma, digamma, polygamma, mvlgamma, erfinv, erfc, i0/i0e/i1/i1e,
                ndtr/log_ndtr/ndtri, entr, xlog1py (``autograd/ops/special.py``) and
                the aliases of ``minitorch.special``
==============  ===========================================================

To add a case, add one line to the module of its op; its seed comes from its name, so no
other case's inputs change. Case names are test ids and must stay unique.
"""

from __future__ import annotations

from typing import Dict, List

from minitorch.parity.case import Case
from minitorch.parity.catalogue import (
    elementwise,
    indexing,
    linalg,
    linear_algebra,
    losses,
    math,
    modules,
    nn,
    products,
    reduction,
    shape,
    special,
    surface,
)

GROUPS = (elementwise, linalg, reduction, shape, nn, losses, modules, surface, indexing,
          products, math, linear_algebra, special)


def all_cases() -> List[Case]:
    """The full catalogue, group by group in ``GROUPS`` order."""
    cases = [case for group in GROUPS for case in group.cases()]
    seen: Dict[str, Case] = {}
    for case in cases:
        if case.name in seen:
            raise ValueError(f"parity case name {case.name!r} is used twice; names are test ids "
                             f"and must be unique")
        seen[case.name] = case
    return cases


CATALOGUE: List[Case] = all_cases()
BY_NAME: Dict[str, Case] = {c.name: c for c in CATALOGUE}
