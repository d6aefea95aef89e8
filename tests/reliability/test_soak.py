"""Soak test: training the seed CNN for many steps neither leaks memory nor keeps graphs.

CI runs a short soak (60 steps at batch 8, < 30 s); the full soak is

    MINITORCH_SOAK_STEPS=2000 MINITORCH_SOAK_BATCH=64 PYTHONPATH=. \\
        python -m pytest tests/reliability/test_soak.py -q

Checked:

* RSS (``/proc/self/statm``) after the warm-up grows by less than 5% to the end;
* no autograd graph or saved array outlives its step: weak references to the step's loss,
  its ``grad_fn`` and the arrays saved for backward are dead once the step is over — by
  reference counting alone, before any ``gc.collect()`` — and the number of live autograd
  ``Function`` objects does not grow.
"""

from __future__ import annotations

import gc
import os
import weakref

import numpy as np
import pytest

import minitorch
from minitorch.autograd.function import Function
from minitorch.models import TutorialCNN

STEPS = int(os.environ.get("MINITORCH_SOAK_STEPS", "60"))
BATCH = int(os.environ.get("MINITORCH_SOAK_BATCH", "8"))
WARMUP = max(10, STEPS // 10)


def _rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _live_functions() -> int:
    # type(o), not isinstance: isinstance asks a weakref.proxy for its referent's class, and
    # a proxy whose referent is gone (another library's, still tracked by gc) raises.
    return sum(issubclass(type(o), Function) for o in gc.get_objects())


def _graph_arrays(loss: minitorch.Tensor, params: list) -> list:
    """Weak references to every op node of the graph and every array it saved — except the
    parameters' own arrays and their AccumulateGrad nodes, which rightly live on."""
    keep = {id(p._data) for p in params}
    refs, seen, stack = [], set(), [loss.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Function):
            refs.append(weakref.ref(node))
            refs += [weakref.ref(a) for a in node.saved or ()
                     if isinstance(a, np.ndarray) and id(a) not in keep]
        stack += [n for n, _ in node.next_functions]
    return refs


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc (Linux) for RSS")
def test_training_soak_no_leak_no_graph_outlives_its_step() -> None:
    minitorch.manual_seed(0)
    rng = np.random.default_rng(0)
    model = TutorialCNN()
    params = list(model.parameters())
    opt = minitorch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    images = rng.standard_normal((4, BATCH, 3, 32, 32)).astype(np.float32)
    labels = rng.integers(0, 10, size=(4, BATCH))
    rss_after_warmup = functions_after_warmup = None
    losses = []
    for step in range(STEPS):
        x = minitorch.tensor(images[step % 4])
        y = minitorch.tensor(labels[step % 4])
        opt.zero_grad()
        loss = minitorch.nn.functional.cross_entropy(model(x), y)
        refs = [weakref.ref(loss)] + _graph_arrays(loss, params)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        del loss, x, y
        dead = [r() is None for r in refs]
        assert all(dead), f"step {step}: {dead.count(False)} of {len(refs)} graph objects " \
                          "(loss, grad_fn, saved arrays) outlived their step"
        if step == WARMUP - 1:
            gc.collect()
            rss_after_warmup, functions_after_warmup = _rss_bytes(), _live_functions()
    gc.collect()
    assert np.isfinite(losses).all()
    assert _live_functions() <= functions_after_warmup
    growth = (_rss_bytes() - rss_after_warmup) / rss_after_warmup
    assert growth < 0.05, f"RSS grew by {growth:.1%} after the warm-up over {STEPS} steps"
