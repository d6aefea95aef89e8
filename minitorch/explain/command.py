"""``minitorch explain``: the command-line face of :func:`minitorch.explain`.

    minitorch explain conv2d --input-size 1,1,5,5 --stride 2 --padding 1 --gif conv.gif
    minitorch explain max_pool2d --kernel-size 2 --ceil-mode --html pool.html
    minitorch explain model --model mypkg.nets:model --input-size 1,1,8,8 --target 3
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import sys
from typing import Any, List, Optional, Union

from minitorch.explain import OPS, explain


def ints(text: str) -> Union[int, tuple]:
    """``"3"`` → 3, ``"2,3"`` → (2, 3)."""
    parts = [int(p) for p in text.replace("x", ",").split(",") if p.strip()]
    return parts[0] if len(parts) == 1 else tuple(parts)


def padding_arg(text: str) -> Any:
    return text if text in ("same", "valid") else ints(text)


def numbers(text: str) -> Any:
    """A generator name (arange, randint, randn, ones, zeros), a JSON list or a .npy file."""
    if text in ("arange", "randint", "randn", "ones", "zeros"):
        return text
    if text.endswith(".npy"):
        import numpy as np

        return np.load(text, allow_pickle=False)
    return json.loads(text)


def load_object(spec: str) -> Any:
    """``pkg.module:attr`` (or a ``path/to/file.py:attr``); a class or a function without
    arguments is called, so ``mypkg.nets:Net`` works as well as ``mypkg.nets:model``."""
    if ":" not in spec:
        raise SystemExit(f"error: --model expects module:attribute, got {spec!r}")
    module_name, attr = spec.rsplit(":", 1)
    if module_name.endswith(".py"):

        loader = importlib.util.spec_from_file_location("_learner_model", module_name)
        if loader is None or loader.loader is None:
            raise SystemExit(f"error: cannot load {module_name}")
        module = importlib.util.module_from_spec(loader)
        loader.loader.exec_module(module)
    else:
        sys.path.insert(0, os.getcwd())
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            raise SystemExit(f"error: --model {spec}: {err}") from None
    try:
        obj = getattr(module, attr)
    except AttributeError:
        raise SystemExit(f"error: --model {spec}: {module_name} has no attribute "
                         f"{attr!r}") from None
    from minitorch.nn.module import Module

    return obj if isinstance(obj, Module) else obj()


def add_parser(sub: Any) -> None:
    p = sub.add_parser("explain", help="watch conv2d, pooling, linear, an activation, "
                       "cross-entropy or a model compute, step by step",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("op", choices=list(OPS) + ["model"])
    p.add_argument("--model", help="module:attribute of an nn.Module (with op 'model')")
    p.add_argument("--input-size", type=ints, help="e.g. 1,1,5,5")
    p.add_argument("--input", type=numbers, help="arange, randint, randn, ones, a JSON list "
                   "or a .npy file")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--weight", type=numbers)
    p.add_argument("--no-bias", action="store_true")
    p.add_argument("--out-channels", type=int, default=1)
    p.add_argument("--out-features", type=int, default=2)
    p.add_argument("--kernel-size", type=ints, default=3)
    p.add_argument("--stride", type=ints)
    p.add_argument("--padding", type=padding_arg, default=0)
    p.add_argument("--dilation", type=ints, default=1)
    p.add_argument("--groups", type=int, default=1)
    p.add_argument("--ceil-mode", action="store_true")
    p.add_argument("--no-count-include-pad", action="store_true")
    p.add_argument("--divisor-override", type=int)
    p.add_argument("--target", type=ints, help="class labels, e.g. 0,2")
    p.add_argument("--grad-output", type=numbers, default="ones",
                   help="dL/dy: ones (L = y.sum()), arange, randint, randn or numbers")
    p.add_argument("--gif", help="write the forward animation here")
    p.add_argument("--backward-gif", help="write the backward animation here")
    p.add_argument("--frames", help="write every frame as PNG into this folder")
    p.add_argument("--html", help="write the one-file page with a step slider here")
    p.add_argument("--graph", help="draw the autograd graph (model) to this .png or .svg")
    p.add_argument("--quiet", action="store_true", help="do not print the walkthrough")


def run(args: argparse.Namespace) -> int:
    target: Optional[List[int]] = None
    if args.target is not None:
        target = list(args.target) if isinstance(args.target, tuple) else [args.target]
    common = dict(input_size=args.input_size, seed=args.seed, grad_output=args.grad_output)
    if args.op == "model":
        if not args.model:
            raise SystemExit("error: explain model needs --model module:attribute")
        e = explain(load_object(args.model), args.input, target=target, **common)
    else:
        e = explain(args.op, args.input, weight=args.weight, bias=not args.no_bias,
                    out_channels=args.out_channels, kernel_size=args.kernel_size,
                    stride=args.stride, padding=args.padding, dilation=args.dilation,
                    groups=args.groups, ceil_mode=args.ceil_mode,
                    count_include_pad=not args.no_count_include_pad,
                    divisor_override=args.divisor_override, out_features=args.out_features,
                    target=target, **common)
    if not args.quiet:
        print(e.text(), end="")
    written = []
    if args.gif:
        written.append(e.save_gif(args.gif))
    if args.backward_gif:
        written.append(e.save_gif(args.backward_gif, phase="backward"))
    if args.frames:
        written += e.save_frames(args.frames) + e.save_frames(args.frames, "backward")
    if args.html:
        written.append(e.save_html(args.html))
    if args.graph:
        from minitorch.viz import draw_graph

        if args.op != "model":
            raise SystemExit("error: --graph draws a model's autograd graph (op 'model')")
        written.append(draw_graph(e.objects["loss"], args.graph,
                                  params=dict(e.objects["model"].named_parameters()),
                                  named=e.objects["intermediates"]))
    for path in written[:4]:
        print(f"wrote {path}")
    if len(written) > 4:
        print(f"... and {len(written) - 4} more files")
    return 0
