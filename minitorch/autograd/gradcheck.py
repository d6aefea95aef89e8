"""``gradcheck``: compare autograd's gradients with central finite differences.

For each input element x_i::

    numerical ∂f/∂x_i ≈ (f(x + eps·e_i) - f(x - eps·e_i)) / (2·eps)

and for each output element, backward with a one-hot ``gradient`` gives one row of the
analytical Jacobian. Inputs should be float64 (as in PyTorch), or the differences drown in
rounding."""

from __future__ import annotations

from typing import Any, Callable, Sequence, Tuple, Union

import numpy as np


def _as_tuple(x: Any) -> Tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def gradcheck(fn: Callable[..., Any], inputs: Union[Any, Sequence[Any]], eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """True when analytical and numerical Jacobians agree within ``atol + rtol·|numerical|``
    for every input that requires grad; otherwise raises (or returns False)."""
    from minitorch.autograd.grad_mode import no_grad
    from minitorch.tensor import Tensor

    inputs = _as_tuple(inputs)
    diff_inputs = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    if not diff_inputs:
        raise ValueError("gradcheck expects at least one input tensor to require gradient")

    def outputs() -> Tuple[Tensor, ...]:
        return tuple(o for o in _as_tuple(fn(*inputs)) if isinstance(o, Tensor))

    out = outputs()
    for out_idx, o in enumerate(out):
        if not o.dtype.is_floating_point:
            continue
        n_out = o.numel()
        for inp_idx, x in enumerate(diff_inputs):
            numerical = np.zeros((x.numel(), n_out))
            flat = x._data.reshape(-1)
            with no_grad():
                for i in range(x.numel()):
                    original = flat[i].item()
                    flat[i] = original + eps
                    plus = outputs()[out_idx].detach().cpu()._data.reshape(-1).astype(np.float64)
                    flat[i] = original - eps
                    minus = outputs()[out_idx].detach().cpu()._data.reshape(-1).astype(np.float64)
                    flat[i] = original
                    numerical[i] = (plus - minus) / (2 * eps)
            analytical = np.zeros_like(numerical)
            for j in range(n_out):
                for t in diff_inputs:
                    t.grad = None
                y = outputs()[out_idx]
                if not y.requires_grad:
                    break
                seed = np.zeros(n_out, dtype=y._data.dtype)
                seed[j] = 1
                y.backward(Tensor._wrap(seed.reshape(y.shape)))
                g = x.grad
                analytical[:, j] = 0 if g is None else g.detach().cpu()._data.reshape(-1)
            for t in diff_inputs:
                t.grad = None
            if not np.allclose(analytical, numerical, rtol=rtol, atol=atol, equal_nan=True):
                if raise_exception:
                    worst = np.abs(analytical - numerical).max()
                    raise RuntimeError(
                        f"Jacobian mismatch for output {out_idx} with respect to input "
                        f"{inp_idx} (max abs difference {worst:.3g}),\n"
                        f"numerical:{numerical}\nanalytical:{analytical}\n")
                return False
    return True


def gradgradcheck(fn: Callable[..., Any], inputs: Union[Any, Sequence[Any]],
                  grad_outputs: Any = None, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """``gradcheck`` of the first gradient: the gradients of fn taken with
    ``create_graph=True`` (against fixed random ``grad_outputs``) must equal those taken
    without it, and their own derivatives must match central finite differences of them —
    which checks every op's ``backward_graph``."""
    from minitorch.autograd import grad
    from minitorch.autograd.grad_mode import enable_grad
    from minitorch.tensor import Tensor

    inputs = _as_tuple(inputs)
    diff_inputs = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = [Tensor._wrap(rng.standard_normal(o.shape).astype(o._data.dtype))
                        for o in _as_tuple(fn(*inputs)) if isinstance(o, Tensor)
                        and o.requires_grad]

    def first_gradient(*args: Any) -> Tuple[Any, ...]:
        with enable_grad():  # also while gradcheck perturbs the inputs under no_grad
            outs = [o for o in _as_tuple(fn(*args)) if isinstance(o, Tensor) and o.requires_grad]
            found = grad(outs, diff_inputs, _as_tuple(grad_outputs), create_graph=True,
                         allow_unused=True)
        return tuple(g for g in found if g is not None)

    # the first gradient made on the graph must equal the fast path's (array backward)
    outs = [o for o in _as_tuple(fn(*inputs)) if isinstance(o, Tensor) and o.requires_grad]
    fast = grad(outs, diff_inputs, _as_tuple(grad_outputs), allow_unused=True)
    for i, (g, f) in enumerate(zip(first_gradient(*inputs), fast)):
        if not np.allclose(g.detach().cpu()._data, f.cpu()._data, rtol=rtol, atol=atol,
                           equal_nan=True):
            if raise_exception:
                raise RuntimeError(f"Jacobian mismatch: the gradient with create_graph=True "
                                   f"for input {i} differs from the one without it")
            return False
    return gradcheck(first_gradient, inputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
