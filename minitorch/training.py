"""A plain training loop: what ``minitorch train`` and the demo run.

    for x, y in loader:
        loss = cross_entropy(model(x), y)
        optimizer.zero_grad(); loss.backward(); optimizer.step()
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

import minitorch
from minitorch.nn import functional as F


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
            progress.set_postfix(loss=f"{total_loss / seen:.4f}", acc=f"{correct / seen:.3f}")
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
