"""A plain training loop: what ``minitorch train`` and the demo run.

    for x, y in loader:
        loss = cross_entropy(model(x), y)
        optimizer.zero_grad(); loss.backward(); optimizer.step()
"""

from __future__ import annotations

import sys
import time
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

import minitorch
from minitorch.nn import functional as F

COMPILING = "compiling kernels (first run only)"


def _numba_dispatchers() -> List[Any]:
    """Every ``@njit`` kernel of the Numba backend."""
    import importlib
    import pkgutil

    from numba.core.registry import CPUDispatcher

    import minitorch.backends.numba as package

    found = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        found += [v for v in vars(module).values() if isinstance(v, CPUDispatcher)
                  and getattr(v, "__module__", "") == module.__name__]
    return found


def cached_kernel_fraction() -> float:
    """The share of the Numba backend's kernels that have an entry in Numba's on-disk cache
    (``NUMBA_CACHE_DIR`` or ``__pycache__``); 0.0 on a first run."""
    import os

    kernels = _numba_dispatchers()
    present = 0
    for k in kernels:
        try:
            present += os.path.exists(k._cache._cache_file._index_path)
        except AttributeError:  # another Numba's internals: assume cached, say nothing
            present += 1
    return present / max(len(kernels), 1)


def kernel_cache_is_cold() -> bool:
    """True when the Numba backend is in use and most of its kernels are not compiled yet
    (the tutorial CNN's training uses about a third of them)."""
    if minitorch.backends.current_backend_name() != "numba":
        return False
    return cached_kernel_fraction() < 0.2


def warm_up(model: Any, example: Any, num_classes: int, device: str = "cpu",
            show: Optional[bool] = None, file: Any = None) -> float:
    """One forward and backward pass of ``model`` on ``example`` — every kernel training will
    call is compiled here, before any timing. On a cold Numba cache this prints
    ``compiling kernels (first run only)`` with a progress bar (one tick per layer forward,
    per layer backward, and the loss); ``show=None`` shows it only then. Returns seconds."""
    from tqdm import tqdm

    if show is None:
        show = kernel_cache_is_cold()
    leaves = [m for m in model.modules() if not m._modules]
    start = time.perf_counter()
    with tqdm(total=2 * len(leaves) + 1, desc=COMPILING, disable=not show, unit="step",
              file=file or sys.stdout, bar_format="{desc}: {percentage:3.0f}%|{bar}| "
              "{n_fmt}/{total_fmt} [{elapsed}]") as bar:
        def tick(grad: Any) -> None:  # a gradient hook: returns None, keeps the gradient
            bar.update(1)

        def forward_done(module: Any, inputs: Any, output: Any) -> None:
            bar.update(1)
            if isinstance(output, minitorch.Tensor) and output.requires_grad:
                output.register_hook(tick)
            else:
                bar.update(1)

        handles = [m.register_forward_hook(forward_done) for m in leaves]
        try:
            model.train()
            x = example.to(device)
            logits = model(x)
            target = minitorch.zeros(x.shape[0], dtype=minitorch.int64).to(device)
            loss = F.cross_entropy(logits, target)
            bar.update(1)
            loss.backward()
        finally:
            for h in handles:
                h.remove()
        model.zero_grad(set_to_none=True)
    return time.perf_counter() - start


def train_epoch(model: Any, loader: Iterable[Tuple[Any, Any]], optimizer: Any, device: str = "cpu",
                progress: Optional[Any] = None,
                on_step: Optional[Callable[[int, float, float], None]] = None) -> Dict[str, float]:
    """One pass over ``loader``; returns the mean loss and the training accuracy."""
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        n = y.shape[0]
        batch_loss = loss.item()
        batch_correct = int((logits.detach().argmax(1) == y).sum().item())
        total_loss += batch_loss * n
        correct += batch_correct
        seen += n
        if on_step is not None:
            on_step(n, batch_loss, batch_correct / n)
        if progress is not None:
            progress.update(1)
            progress.set_postfix_str(f"loss {total_loss / seen:.4f} acc {correct / seen:.3f}")
    return {"loss": total_loss / max(seen, 1), "accuracy": correct / max(seen, 1)}


@minitorch.no_grad()
def evaluate(model: Any, loader: Iterable[Tuple[Any, Any]],
             device: str = "cpu") -> Dict[str, float]:
    """Mean loss and accuracy on ``loader`` without recording a graph."""
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        logits = model(x)
        total_loss += F.cross_entropy(logits, y, reduction="sum").item()
        correct += int((logits.argmax(1) == y).sum().item())
        seen += y.shape[0]
    return {"loss": total_loss / max(seen, 1), "accuracy": correct / max(seen, 1)}


def save_history_plot(history: List[Dict[str, float]], path: str) -> bool:
    """Loss and accuracy per epoch as a PNG (needs matplotlib; returns False without it)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    epochs = [h["epoch"] for h in history]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.5))
    ax_loss.plot(epochs, [h["train_loss"] for h in history], "o-", label="train")
    ax_loss.plot(epochs, [h["test_loss"] for h in history], "o-", label="test")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("cross-entropy")
    ax_loss.legend()
    ax_acc.plot(epochs, [h["train_accuracy"] for h in history], "o-", label="train")
    ax_acc.plot(epochs, [h["test_accuracy"] for h in history], "o-", label="test")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy")
    ax_acc.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True
