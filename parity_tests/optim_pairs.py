"""One model, data and optimizer configuration in torch and in minitorch, stepped in lockstep:
the set-up the optimizer parity tests share."""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, Tuple

import numpy as np
import torch

import minitorch
from minitorch.parity import mt_to_np, on_backend


def small_model(lib: Any) -> Any:
    """Linear(5, 4) → Tanh → Linear(4, 3), built with ``lib.nn`` (torch or minitorch)."""
    return lib.nn.Sequential(lib.nn.Linear(5, 4), lib.nn.Tanh(), lib.nn.Linear(4, 3))


def as_torch(value: minitorch.Tensor) -> torch.Tensor:
    """A minitorch tensor (any backend) as a torch CPU tensor of the same shape."""
    return torch.from_numpy(np.ascontiguousarray(mt_to_np(value))).reshape(tuple(value.shape))


def lockstep(name: str, kw: Dict[str, Any], dtype: str, backend: str, steps: int, *,
             data_seed: int, weight_seed: int,
             closure: bool = False,
             loss: str = "cross_entropy", batch: int = 6) -> Iterator[Tuple[int, Any, Any]]:
    """Build ``small_model`` in torch (weights from ``torch.manual_seed(weight_seed)``) and a
    minitorch copy with the same weights on ``backend``, one ``getattr(optim, name)(**kw)``
    each, and take ``steps`` steps on the same (batch, 5) inputs (``loss``: "cross_entropy"
    with three classes, or "mse_loss" against random (batch, 3) targets: with a batch well
    over the 13 parameters per output, a problem with an isolated minimum); after each step
    yield
    ``(step, (torch model, torch optimizer), (minitorch model, minitorch optimizer))`` while
    still on ``backend``. With ``closure``, each step is ``opt.step(closure)`` (the closure
    clears the gradients, backpropagates the loss and returns it), as LBFGS needs."""
    rng = np.random.default_rng(data_seed)
    x = rng.standard_normal((batch, 5)).astype(dtype)
    y = rng.integers(0, 3, batch) if loss == "cross_entropy" else \
        rng.standard_normal((batch, 3)).astype(dtype)
    torch.manual_seed(weight_seed)
    tm = small_model(torch).to(getattr(torch, dtype))
    t_opt = getattr(torch.optim, name)(tm.parameters(), **kw)
    with on_backend(backend):
        mm = small_model(minitorch).to(getattr(minitorch, dtype))
        mm.load_state_dict({k: minitorch.tensor(v.detach().numpy())
                            for k, v in tm.state_dict().items()})
        xm, ym = minitorch.tensor(x), minitorch.tensor(y)
        if backend == "cuda":
            mm.cuda()
            xm, ym = xm.cuda(), ym.cuda()
        m_opt = getattr(minitorch.optim, name)(mm.parameters(), **kw)
        pairs = ((torch, tm, t_opt, torch.from_numpy(x), torch.from_numpy(y)),
                 (minitorch, mm, m_opt, xm, ym))
        for step in range(steps):
            for lib, model, opt, xs, ys in pairs:
                def loss_and_grads(lib=lib, model=model, opt=opt, xs=xs, ys=ys) -> Any:
                    opt.zero_grad()
                    value = getattr(lib.nn.functional, loss)(model(xs), ys)
                    value.backward()
                    return value

                if closure:
                    opt.step(loss_and_grads)
                else:
                    loss_and_grads()
                    opt.step()
            yield step, (tm, t_opt), (mm, m_opt)


def assert_params_close(tm: Any, mm: Any, step: int, **tol: Any) -> None:
    """Every parameter of ``mm`` equals ``tm``'s within ``tol``; the message names it."""
    for (k, tp), (_, mp) in zip(tm.named_parameters(), mm.named_parameters()):
        msg: Callable[[str], str] = lambda m, k=k: f"step {step} {k}: {m}"  # noqa: E731
        torch.testing.assert_close(as_torch(mp), tp.detach(), **tol, msg=msg)
