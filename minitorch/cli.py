"""The ``minitorch`` console script.

    minitorch demo                     train the tutorial's CNN briefly, compare with torch
    minitorch train [--epochs N ...]   train on the built-in shapes data or CIFAR-10
    minitorch summary                  the tutorial CNN, layer by layer, with size formulas
    minitorch explain OP [...]         conv2d, pooling, linear, ... step by step (text, GIF, page)
    minitorch exercise OP              write a stub to implement OP yourself
    minitorch check FILE               your implementation against torch + finite differences
    minitorch parity                   per-op parity report against torch
    minitorch bench                    kernels and training step against torch
"""

from __future__ import annotations

import time

_STARTED = time.perf_counter()  # before the imports: "in all" includes them

import argparse  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from typing import Any, Dict, List, Optional, Sequence  # noqa: E402

import numpy as np  # noqa: E402

import minitorch  # noqa: E402


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
    from minitorch.training import evaluate, save_history_plot, train_epoch, warm_up
    from minitorch.utils.tensorboard import SummaryWriter

    minitorch.manual_seed(args.seed)
    if args.backend:
        minitorch.backends.set_backend(args.backend)
    if args.threads:
        minitorch.set_num_threads(args.threads)
    train_loader, test_loader, num_classes = _loaders(args)  # fails before writing anything
    os.makedirs(args.out, exist_ok=True)
    model = TutorialCNN(num_classes).to(args.device)
    optimizer = minitorch.optim.Adam(model.parameters(), lr=args.lr)
    example = next(iter(test_loader))[0][:2].to(args.device)
    compiled = warm_up(model, example, num_classes, args.device,
                       show=None if not args.quiet else False)
    writer = SummaryWriter(os.path.join(args.out, "tensorboard"))
    writer.add_graph(model, example[:1])
    history: List[Dict[str, float]] = []
    step = [0]

    def log_step(n: int, loss: float, acc: float) -> None:
        step[0] += 1
        writer.add_scalar("train/loss", loss, step[0])
        writer.add_scalar("train/accuracy", acc, step[0])

    train_s = eval_s = 0.0
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        with tqdm(total=len(train_loader), desc=f"epoch {epoch}/{args.epochs}",
                  disable=args.quiet, file=sys.stdout, dynamic_ncols=True, unit="batch",
                  bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} batches "
                  "[{elapsed}, ETA {remaining} for this epoch's training, then evaluation; "
                  "{rate_fmt}]{postfix}") as bar:
            tr = train_epoch(model, train_loader, optimizer, args.device, bar, log_step)
        train_s += time.perf_counter() - start
        start = time.perf_counter()
        te = evaluate(model, test_loader, args.device)
        eval_s += time.perf_counter() - start
        history.append({"epoch": epoch, "train_loss": tr["loss"], "train_accuracy": tr["accuracy"],
                        "test_loss": te["loss"], "test_accuracy": te["accuracy"]})
        writer.add_scalar("test/loss", te["loss"], epoch)
        writer.add_scalar("test/accuracy", te["accuracy"], epoch)
        print(f"epoch {epoch}: train loss {tr['loss']:.4f} acc {tr['accuracy']:.3f} | "
              f"test loss {te['loss']:.4f} acc {te['accuracy']:.3f}")
    elapsed = train_s + eval_s
    writer.close()
    checkpoint = os.path.join(args.out, "checkpoint.npz")
    minitorch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "epochs": args.epochs}, checkpoint)
    plot = os.path.join(args.out, "history.png")
    plotted = save_history_plot(history, plot)
    total = time.perf_counter() - _STARTED
    print(f"trained in {elapsed:.1f} s on {args.device} (backend "
          f"{minitorch.backends.current_backend_name()}, {minitorch.get_num_threads()} threads)"
          f": {args.epochs} epoch(s) of training {train_s:.1f} s + evaluation {eval_s:.1f} s")
    print(f"whole command {total:.1f} s: the above, kernel compilation and first pass "
          f"{compiled:.1f} s{' (first run only)' if compiled > 5 else ''}, and "
          f"{total - elapsed - compiled:.1f} s for imports, data, logging and saving")
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
    """``minitorch summary [--model module:attr] [--input-size 1,3,32,32]`` (default: the
    tutorial CNN on one 32×32 RGB image)."""
    from minitorch.explain.command import load_object
    from minitorch.models import TutorialCNN
    from minitorch.summary import summary

    model = load_object(args.model) if args.model else TutorialCNN()
    size = args.input_size or (1, 3, 32, 32)
    try:
        print(summary(model, size if isinstance(size, tuple) else (size,)))
    except (RuntimeError, ValueError, TypeError) as err:
        print(f"minitorch summary: the model does not run on input of size {list(size)}: "
              f"{err}", file=sys.stderr)
        return 2
    return 0


def warmup_command(args: argparse.Namespace) -> int:
    """Compile (or load from Numba's cache) every kernel the tutorial CNN's training calls."""
    from minitorch.models import TutorialCNN
    from minitorch.training import COMPILING, kernel_cache_is_cold, warm_up

    if minitorch.backends.current_backend_name() != "numba":
        print("kernels: the current backend compiles nothing ahead")
        return 0
    cold = kernel_cache_is_cold()
    if not cold:
        print("kernel cache is warm: nothing to compile")
    seconds = warm_up(TutorialCNN(), minitorch.zeros(2, 3, 32, 32), 10, show=cold)
    if cold:
        print(f"{COMPILING}: done in {seconds:.1f} s; later runs load them from the cache")
    return 0


def exercise_command(args: argparse.Namespace) -> int:
    from minitorch.explain import exercise

    if args.command == "exercise":
        try:
            path = exercise.write_stub(args.op, args.out)
        except FileExistsError as err:
            print(f"minitorch exercise: {err}", file=sys.stderr)
            return 2
        print(f"wrote {path}: fill in {args.op}, then run  minitorch check {path}")
        return 0
    passed, report = exercise.check_file(args.file)
    print(report)
    return 0 if passed else 1


def parity_command(argv: Sequence[str]) -> int:
    from minitorch.parity.report import main as parity_main

    return parity_main(list(argv), prog="minitorch parity")


def bench_command(argv: Sequence[str]) -> int:
    """The benchmarks live next to the package in a source checkout (``benchmarks/``), which an
    installed console script does not have on ``sys.path``: add the checkout's root."""
    from pathlib import Path

    try:
        from benchmarks.__main__ import main as bench_main
    except ModuleNotFoundError as err:
        if err.name != "benchmarks":
            raise
        root = Path(__file__).resolve().parents[1]
        if not (root / "benchmarks" / "__main__.py").is_file():
            print(f"minitorch bench: the benchmarks ship with the source checkout "
                  f"(benchmarks/ beside minitorch/), not found next to {root / 'minitorch'}",
                  file=sys.stderr)
            return 2
        sys.path.insert(0, str(root))
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
    from minitorch.explain.command import ints

    p_summary = sub.add_parser("summary", help="layer tree of a model (default: the tutorial "
                               "CNN): shapes, kernels, params, mult-adds, memory, size formulas")
    p_summary.add_argument("--model", help="module:attribute of an nn.Module, a class or a "
                           "function returning one (e.g. mypkg.nets:Net)")
    p_summary.add_argument("--input-size", type=ints, help="with the batch, e.g. 1,3,32,32")
    from minitorch.explain import command as explain_cli

    explain_cli.add_parser(sub)
    sub.add_parser("warmup", help="compile the Numba kernels training uses, with a progress "
                   "bar (make setup runs it; later runs start at once)")
    p_ex = sub.add_parser("exercise", help="write a stub file to implement a layer yourself")
    p_ex.add_argument("op", choices=["conv2d", "max_pool2d", "avg_pool2d", "linear", "relu",
                                     "sigmoid", "tanh"])
    p_ex.add_argument("--out", help="file to write (default OP_exercise.py)")
    p_check = sub.add_parser("check", help="check an exercise file against torch and finite "
                             "differences")
    p_check.add_argument("file")
    sub.add_parser("parity", help="per-op parity report against torch")
    sub.add_parser("bench", help="benchmarks against torch")
    args = parser.parse_args(argv)
    if args.command in ("demo", "train"):
        try:
            if args.command == "demo":
                return demo(args)
            train(args)
        except FileNotFoundError as err:  # e.g. CIFAR-10 not unpacked under --data-root
            print(f"minitorch {args.command}: {err}", file=sys.stderr)
            return 2
        return 0
    if args.command == "explain":
        return explain_cli.run(args)
    if args.command == "warmup":
        return warmup_command(args)
    if args.command in ("exercise", "check"):
        return exercise_command(args)
    return summary_command(args)


if __name__ == "__main__":
    sys.exit(main())
