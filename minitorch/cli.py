"""The ``minitorch`` console script.

    minitorch demo                     train the tutorial's CNN briefly, compare with torch
    minitorch train [--epochs N ...]   train on the built-in shapes data or CIFAR-10
    minitorch summary                  the tutorial CNN, layer by layer, with size formulas
    minitorch parity                   per-op parity report against torch
    minitorch bench                    kernels and training step against torch
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

import minitorch


def _loaders(args: argparse.Namespace) -> tuple:
    from minitorch.utils.data import DataLoader
    from minitorch.vision import datasets

    if args.dataset == "cifar10":
        train = datasets.CIFAR10(args.data_root, train=True)
        test = datasets.CIFAR10(args.data_root, train=False)
    else:
        train = datasets.ShapesDataset(train=True, num_samples=args.train_samples, seed=args.seed)
        test = datasets.ShapesDataset(train=False, num_samples=args.test_samples, seed=args.seed)
    return (DataLoader(train, batch_size=args.batch_size, shuffle=True, generator=args.seed),
            DataLoader(test, batch_size=256), len(train.classes))


def train(args: argparse.Namespace) -> Dict[str, Any]:
    """Train the tutorial CNN; log to TensorBoard, save a checkpoint and a plot."""
    from tqdm import tqdm

    from minitorch.models import TutorialCNN
    from minitorch.training import evaluate, save_history_plot, train_epoch
    from minitorch.utils.tensorboard import SummaryWriter

    minitorch.manual_seed(args.seed)
    if args.backend:
        minitorch.backends.set_backend(args.backend)
    if args.threads:
        minitorch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    train_loader, test_loader, num_classes = _loaders(args)
    model = TutorialCNN(num_classes).to(args.device)
    optimizer = minitorch.optim.Adam(model.parameters(), lr=args.lr)
    writer = SummaryWriter(os.path.join(args.out, "tensorboard"))
    example = next(iter(test_loader))[0][:1].to(args.device)
    writer.add_graph(model, example)
    history: List[Dict[str, float]] = []
    step = [0]

    def log_step(n: int, loss: float, acc: float) -> None:
        step[0] += 1
        writer.add_scalar("train/loss", loss, step[0])
        writer.add_scalar("train/accuracy", acc, step[0])

    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        with tqdm(total=len(train_loader), desc=f"epoch {epoch}/{args.epochs}",
                  disable=args.quiet, file=sys.stdout, dynamic_ncols=True) as bar:
            tr = train_epoch(model, train_loader, optimizer, args.device, bar, log_step)
        te = evaluate(model, test_loader, args.device)
        history.append({"epoch": epoch, "train_loss": tr["loss"], "train_accuracy": tr["accuracy"],
                        "test_loss": te["loss"], "test_accuracy": te["accuracy"]})
        writer.add_scalar("test/loss", te["loss"], epoch)
        writer.add_scalar("test/accuracy", te["accuracy"], epoch)
        print(f"epoch {epoch}: train loss {tr['loss']:.4f} acc {tr['accuracy']:.3f} | "
              f"test loss {te['loss']:.4f} acc {te['accuracy']:.3f}")
    elapsed = time.perf_counter() - start
    writer.close()
    checkpoint = os.path.join(args.out, "checkpoint.npz")
    minitorch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "epochs": args.epochs}, checkpoint)
    plot = os.path.join(args.out, "history.png")
    plotted = save_history_plot(history, plot)
    print(f"trained in {elapsed:.1f} s on {args.device} (backend "
          f"{minitorch.backends.current_backend_name()}, {minitorch.get_num_threads()} threads)")
    print(f"checkpoint: {checkpoint}\ntensorboard: {os.path.join(args.out, 'tensorboard')}"
          + (f"\nplot: {plot}" if plotted else ""))
    return {"model": model, "history": history, "test_loader": test_loader, "seconds": elapsed}


def logits_parity(model: Any, images: Any) -> Dict[str, float]:
    """Load the trained weights into the same network in torch and compare logits."""
    import torch

    from minitorch.models import seed_cnn_layers

    reference = seed_cnn_layers(torch.nn)
    state = {k.removeprefix("model."): torch.from_numpy(np.array(v.cpu().numpy()))
             for k, v in model.state_dict().items()}
    num_classes = state["8.weight"].shape[0]  # 6 for the shapes data, 10 for CIFAR-10
    if num_classes != reference[8].out_features:
        reference[8] = torch.nn.Linear(64, num_classes)
    reference.load_state_dict(state)
    with minitorch.no_grad():
        ours = model(images).cpu().numpy().astype(np.float64)
    with torch.no_grad():
        theirs = reference(torch.from_numpy(images.cpu().numpy())).numpy().astype(np.float64)
    diff = np.abs(ours - theirs)
    return {"max_abs": float(diff.max()),
            "max_rel": float((diff / np.maximum(np.abs(theirs), 1e-6)).max()),
            "argmax_agree": float((ours.argmax(1) == theirs.argmax(1)).mean()),
            "close": bool(np.allclose(ours, theirs, rtol=1.3e-6 * 100, atol=1e-5 * 10))}


def demo(args: argparse.Namespace) -> int:
    result = train(args)
    images = next(iter(result["test_loader"]))[0].to(args.device)
    try:
        parity = logits_parity(result["model"], images)
    except ImportError:
        print("parity: torch is not installed (pip install -e '.[test]')")
        return 0
    final = result["history"][-1]
    print(f"\nparity of the trained model's logits against torch on {images.shape[0]} test "
          f"images: max |Δ| = {parity['max_abs']:.2e}, max rel = {parity['max_rel']:.2e}, "
          f"same predicted class: {parity['argmax_agree']:.1%} -> "
          f"{'PASS' if parity['close'] else 'FAIL'}")
    print(f"test accuracy {final['test_accuracy']:.1%} after {args.epochs} epoch(s)")
    return 0 if parity["close"] else 1


def summary_command(args: argparse.Namespace) -> int:
    from minitorch.models import TutorialCNN
    from minitorch.summary import summary

    print(summary(TutorialCNN(), (1, 3, 32, 32)))
    return 0


def parity_command(argv: Sequence[str]) -> int:
    from minitorch.parity.report import main as parity_main

    return parity_main(list(argv), prog="minitorch parity")


def bench_command(argv: Sequence[str]) -> int:
    from benchmarks.__main__ import main as bench_main

    return bench_main(list(argv))


def _train_parser(p: argparse.ArgumentParser, epochs: int, train_samples: int) -> None:
    p.add_argument("--epochs", type=int, default=epochs)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--device", default="cpu")
    p.add_argument("--backend", default=None, help="CPU kernels: numba (default), numpy, "
                   "cuda-emulated")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--dataset", choices=["shapes", "cifar10"], default="shapes")
    p.add_argument("--data-root", default="data", help="folder holding cifar-10-batches-py/")
    p.add_argument("--train-samples", type=int, default=train_samples)
    p.add_argument("--test-samples", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="runs/minitorch")
    p.add_argument("--quiet", action="store_true")


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("parity", "bench"):
        return (parity_command if argv[0] == "parity" else bench_command)(argv[1:])
    parser = argparse.ArgumentParser(prog="minitorch", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    _train_parser(sub.add_parser("demo", help="short training run + parity against torch"),
                  epochs=2, train_samples=4000)
    _train_parser(sub.add_parser("train", help="train the tutorial CNN"), epochs=5,
                  train_samples=6000)
    sub.add_parser("summary", help="layer-by-layer summary of the tutorial CNN")
    sub.add_parser("parity", help="per-op parity report against torch")
    sub.add_parser("bench", help="benchmarks against torch")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo(args)
    if args.command == "train":
        train(args)
        return 0
    return summary_command(args)


if __name__ == "__main__":
    sys.exit(main())
