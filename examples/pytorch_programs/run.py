"""Run a PyTorch program on torch or on minitorch, changing only its imports.

    python examples/pytorch_programs/run.py --engine minitorch quickstart.py [args...]
    python examples/pytorch_programs/run.py --engine torch quickstart.py [args...]

``--engine minitorch`` makes ``import torch`` import minitorch, ``torch.nn`` minitorch.nn,
``torch.utils.data`` minitorch.utils.data, ``torchvision`` minitorch.vision, and so on: the
program's text is not touched.

Two more things make the two runs comparable number for number:

* ``--same-random``: one seeded NumPy stream feeds every random draw a program makes
  (``manual_seed``, ``randn``/``rand``/``randint``/``randperm``/``*_like``, the in-place
  ``uniform_``/``normal_`` that weight initialisation calls, dropout masks and the
  DataLoader's shuffling), in both engines, so both start from the same weights and see the
  same batches. Without it each engine uses its own generator (same seed, other numbers).
  torch then runs on one thread: its oneDNN RNN kernels sum across threads in an order that
  changes from run to run (an LSTM's weights after three epochs of Adam differed by 4·10⁻⁴
  between two torch runs), which would make the reference itself move.
* ``--state OUT.npz``: after the program ends, the parameters and buffers of every
  top-level ``nn.Module`` it built are saved, keyed ``<n>.<name>`` in creation order.

With ``--engine torch`` and no torchvision installed, ``torchvision`` is minitorch.vision
with its tensors handed over as torch tensors (file decoding and transforms are then
minitorch's on both sides; the engine under test is torch's)."""

from __future__ import annotations

import argparse
import importlib
import importlib.abc
import importlib.util
import runpy
import sys
import types
from pathlib import Path
from typing import Any, List, Optional

import numpy as np

ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- import aliases
class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """``torch[.x]`` → ``minitorch[.x]`` and ``torchvision[.x]`` → ``minitorch.vision[.x]``."""

    PREFIXES = {"torch": "minitorch", "torchvision": "minitorch.vision"}

    def _target(self, name: str) -> Optional[str]:
        head, _, rest = name.partition(".")
        if head not in self.PREFIXES:
            return None
        return self.PREFIXES[head] + ("." + rest if rest else "")

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        real = self._target(name)
        if real is None:
            return None
        return importlib.util.spec_from_loader(name, self, origin=real)

    def create_module(self, spec: Any) -> Any:
        module = importlib.import_module(self._target(spec.name))
        return module

    def exec_module(self, module: Any) -> None:
        pass


def use_minitorch() -> Any:
    sys.path.insert(0, str(ROOT))
    sys.meta_path.insert(0, _Alias())
    import minitorch

    return minitorch


# ------------------------------------------------- torchvision stand-in for the torch engine
def _to_torch(value: Any) -> Any:
    import torch

    from minitorch import Tensor

    if isinstance(value, Tensor):
        return torch.from_numpy(np.array(value.detach().cpu().numpy()))
    if isinstance(value, tuple):
        return tuple(_to_torch(v) for v in value)
    if isinstance(value, list):
        return [_to_torch(v) for v in value]
    return value


def _to_minitorch(value: Any) -> Any:
    import torch

    import minitorch

    if isinstance(value, torch.Tensor):
        return minitorch.tensor(value.detach().cpu().numpy())
    if isinstance(value, (tuple, list)):
        return type(value)(_to_minitorch(v) for v in value)
    return value


def _bridge(obj: Any) -> Any:
    """A callable of minitorch.vision that takes and gives torch tensors."""
    if isinstance(obj, type):
        class Bridged:
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                self._inner = obj(*[_to_minitorch(a) for a in args],
                                  **{k: _to_minitorch(v) for k, v in kwargs.items()})

            def __call__(self, *args: Any, **kwargs: Any) -> Any:
                return _to_torch(self._inner(*[_to_minitorch(a) for a in args], **kwargs))

            def __getitem__(self, index: Any) -> Any:
                return _to_torch(self._inner[index])

            def __len__(self) -> int:
                return len(self._inner)

            def __getattr__(self, name: str) -> Any:
                return _to_torch(getattr(self._inner, name))

        Bridged.__name__ = obj.__name__
        return Bridged
    if callable(obj):
        def call(*args: Any, **kwargs: Any) -> Any:
            return _to_torch(obj(*[_to_minitorch(a) for a in args],
                                 **{k: _to_minitorch(v) for k, v in kwargs.items()}))
        return call
    return obj


def install_torchvision_bridge() -> None:
    if importlib.util.find_spec("torchvision") is not None:
        return
    sys.path.insert(0, str(ROOT))
    import minitorch.vision

    root = types.ModuleType("torchvision")
    sys.modules["torchvision"] = root
    for part in ("datasets", "transforms", "utils"):
        inner = importlib.import_module(f"minitorch.vision.{part}")
        sub = types.ModuleType(f"torchvision.{part}")
        sub.__getattr__ = lambda name, inner=inner: _bridge(getattr(inner, name))
        sys.modules[f"torchvision.{part}"] = sub
        setattr(root, part, sub)
    del minitorch


# ---------------------------------------------------------------------- one random stream
class SameRandom:
    """Every random draw of a program, in either engine, from one NumPy generator."""

    def __init__(self, lib: Any) -> None:
        self.lib = lib
        self.g = np.random.default_rng(0)

    @staticmethod
    def _size(size: Any) -> tuple:
        if len(size) == 1 and not isinstance(size[0], (int, np.integer)):
            return tuple(int(s) for s in size[0])
        return tuple(int(s) for s in size)

    def _make(self, values: np.ndarray, kwargs: dict, default_float: bool = True) -> Any:
        lib = self.lib
        dtype = kwargs.get("dtype")
        if dtype is None and default_float:
            dtype = lib.get_default_dtype()
        t = lib.tensor(values, dtype=dtype)
        if kwargs.get("device") is not None:
            t = t.to(kwargs["device"])
        if kwargs.get("requires_grad"):
            t.requires_grad_(True)
        return t

    def install(self) -> None:
        lib, me = self.lib, self
        original_seed = lib.manual_seed

        def manual_seed(seed: int) -> Any:
            me.g = np.random.default_rng(int(seed))
            return original_seed(seed)

        def randn(*size: Any, **kw: Any) -> Any:
            return me._make(me.g.standard_normal(me._size(size)), kw)

        def rand(*size: Any, **kw: Any) -> Any:
            return me._make(me.g.random(me._size(size)), kw)

        def randint(*args: Any, **kw: Any) -> Any:
            size = kw.pop("size", None)
            if size is None:
                *bounds, size = args
            else:
                bounds = list(args)
            low, high = (0, bounds[0]) if len(bounds) == 1 else bounds
            kw.setdefault("dtype", lib.int64)
            return me._make(me.g.integers(low, high, tuple(size)), kw, default_float=False)

        def randperm(n: int, **kw: Any) -> Any:
            kw.setdefault("dtype", lib.int64)
            return me._make(me.g.permutation(int(n)), kw, default_float=False)

        def randn_like(t: Any, **kw: Any) -> Any:
            kw.setdefault("dtype", t.dtype)
            return me._make(me.g.standard_normal(tuple(t.shape)), kw)

        def rand_like(t: Any, **kw: Any) -> Any:
            kw.setdefault("dtype", t.dtype)
            return me._make(me.g.random(tuple(t.shape)), kw)

        def uniform_(self: Any, a: float = 0.0, b: float = 1.0, **kw: Any) -> Any:
            with lib.no_grad():
                self.copy_(lib.tensor(me.g.uniform(a, b, tuple(self.shape)), dtype=self.dtype))
            return self

        def normal_(self: Any, mean: float = 0.0, std: float = 1.0, **kw: Any) -> Any:
            with lib.no_grad():
                self.copy_(lib.tensor(me.g.normal(mean, std, tuple(self.shape)),
                                      dtype=self.dtype))
            return self

        def dropout(input: Any, p: float = 0.5, training: bool = True,
                    inplace: bool = False) -> Any:
            if not training or p == 0:
                return input
            keep = lib.tensor(me.g.random(tuple(input.shape)) >= p).to(input.dtype)
            return input * keep / (1 - p)

        def sampler_iter(self: Any) -> Any:
            n = len(self.data_source)
            return iter(me.g.permutation(n).tolist())

        for name, fn in (("manual_seed", manual_seed), ("randn", randn), ("rand", rand),
                         ("randint", randint), ("randperm", randperm),
                         ("randn_like", randn_like), ("rand_like", rand_like)):
            setattr(lib, name, fn)
        lib.Tensor.uniform_ = uniform_
        lib.Tensor.normal_ = normal_
        functional = importlib.import_module(f"{lib.__name__}.nn.functional")
        functional.dropout = dropout
        data = importlib.import_module(f"{lib.__name__}.utils.data")
        data.RandomSampler.__iter__ = sampler_iter
        sampler_module = sys.modules.get(f"{lib.__name__}.utils.data.sampler")
        if sampler_module is not None:
            sampler_module.RandomSampler.__iter__ = sampler_iter


# ------------------------------------------------------------------ final module states
class ModuleTracker:
    """Remembers every nn.Module built, to save the top-level ones' states at the end."""

    def __init__(self, lib: Any) -> None:
        self.lib = lib
        self.modules: List[Any] = []  # strong references: the program's own are gone at exit
        module_class = lib.nn.Module
        original = module_class.__init__
        tracker = self

        def init(self: Any, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            if tracker.built_by_program() and not any(m is self for m in tracker.modules):
                tracker.modules.append(self)

        module_class.__init__ = init

    def built_by_program(self) -> bool:
        """True when the constructor chain was called from the program's code, not from
        inside the engine (e.g. the copies that ``add_graph``'s tracer makes)."""
        frame = sys._getframe(2)
        while frame is not None and frame.f_code.co_name == "__init__":
            frame = frame.f_back
        engine = Path(self.lib.__file__).resolve().parent
        return frame is not None and engine not in Path(frame.f_code.co_filename).resolve(
        ).parents

    def save(self, path: Path) -> None:
        children = {id(c) for m in self.modules for c in m.modules() if c is not m}
        arrays = {}
        for n, m in enumerate(x for x in self.modules if id(x) not in children):
            for name, value in m.state_dict().items():
                arrays[f"{n}.{name}"] = np.array(value.detach().cpu().numpy())
        np.savez(path, **arrays)


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=("torch", "minitorch"), required=True)
    parser.add_argument("--same-random", action="store_true")
    parser.add_argument("--state", type=Path)
    parser.add_argument("program", type=Path)
    parser.add_argument("args", nargs=argparse.REMAINDER)
    opts = parser.parse_args(argv)
    if opts.engine == "minitorch":
        lib = use_minitorch()
    else:
        import torch as lib

        install_torchvision_bridge()
    if opts.same_random:
        SameRandom(lib).install()
        if opts.engine == "torch":  # oneDNN's threaded RNN sums in a run-dependent order
            lib.set_num_threads(1)
    tracker = ModuleTracker(lib)
    sys.argv = [str(opts.program), *opts.args]
    sys.path.insert(0, str(opts.program.resolve().parent))
    try:
        runpy.run_path(str(opts.program), run_name="__main__")
    finally:
        if opts.state is not None:
            tracker.save(opts.state)


if __name__ == "__main__":
    main()
