"""The result of ``minitorch.explain``: numbers first, text and pictures drawn from them.

An :class:`Explanation` holds the op's arguments, its tensors (as float64 NumPy arrays) and a
list of :class:`Step` objects. Each step keeps the numbers it talks about in ``data``; the
text (:mod:`minitorch.explain.render`), the frames and GIF (:mod:`~minitorch.explain.frames`)
and the HTML page (:mod:`~minitorch.explain.page`) are all drawn from those numbers, so what
a test checks in ``data`` is what a reader sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np

ArrayLike = Union[np.ndarray, Sequence[Any], float, int, str, None]

MAX_POSITIONS = 2048  # output positions explain walks one by one (each a step and a frame)


def check_small(positions: int, op: str, shape: Sequence[int]) -> None:
    """explain is for inputs small enough to read: a clear error past :data:`MAX_POSITIONS`."""
    if positions > MAX_POSITIONS:
        raise ValueError(f"explain {op}: the output {list(shape)} has {positions} positions, "
                         f"more than the {MAX_POSITIONS} a walkthrough shows; try a smaller "
                         "input (e.g. input_size=(1, 1, 6, 6)) or fewer channels")


@dataclass
class Step:
    """One step of the walkthrough: ``kind`` says how to draw it, ``data`` holds its numbers.

    Kinds: ``input``, ``pad``, ``formula``, ``window`` (one output position: the window, its
    products and their sum, or its max and where it came from), ``im2col``, ``matmul``,
    ``grad_output``, ``grad_bias``, ``grad_weight``, ``full_conv``, ``col2im``, ``scatter``
    (one output position's gradient landing on the input), ``elementwise``, ``linear``,
    ``softmax``, ``layer``.
    """

    kind: str
    title: str
    data: Dict[str, Any] = field(default_factory=dict)
    phase: str = "forward"


@dataclass
class Explanation:
    """Everything ``explain`` computed; ``str(e)`` is the walkthrough as text."""

    op: str
    params: Dict[str, Any]
    tensors: Dict[str, np.ndarray]
    steps: List[Step]
    geometry: Optional[Dict[str, Any]] = None  # windowed ops: what the frames draw

    def find(self, kind: str, phase: Optional[str] = None) -> List[Step]:
        """The steps of one kind (and phase), in order."""
        return [s for s in self.steps if s.kind == kind and (phase is None or s.phase == phase)]

    def text(self) -> str:
        from minitorch.explain.render import render

        return render(self)

    def __str__(self) -> str:
        return self.text()

    def frames(self, phase: str = "forward", scale: int = 0) -> List[Any]:
        """Pillow images, one per output position (``phase`` = "forward" or "backward")."""
        from minitorch.explain.frames import frames

        return frames(self, phase, scale)

    def save_gif(self, path: str, phase: str = "forward", duration_ms: int = 700) -> str:
        from minitorch.explain.frames import save_gif

        return save_gif(self, path, phase, duration_ms)

    def save_frames(self, folder: str, phase: str = "forward") -> List[str]:
        from minitorch.explain.frames import save_frames

        return save_frames(self, folder, phase)

    def save_html(self, path: str) -> str:
        from minitorch.explain.page import save_html

        return save_html(self, path)


def fmt(v: Any) -> str:
    """A number as a learner reads it: integers without ``.0``, others to 4 significant
    digits, ``-inf`` for the max-pool padding."""
    v = float(v)
    if np.isinf(v):
        return "-inf" if v < 0 else "inf"
    if np.isnan(v):
        return "nan"
    if v == int(v) and abs(v) < 1e9:
        return str(int(v))
    return f"{v:.4g}"


def grid(a: np.ndarray, indent: str = "    ") -> List[str]:
    """A 2-D array as aligned text rows (1-D: one row)."""
    a = np.atleast_2d(np.asarray(a))
    cells = [[fmt(v) for v in row] for row in a]
    width = max((len(c) for row in cells for c in row), default=1)
    return [indent + " ".join(c.rjust(width) for c in row) for row in cells]


def make_array(spec: ArrayLike, shape: Sequence[int], seed: int, what: str) -> np.ndarray:
    """The learner's numbers (list, NumPy, minitorch or torch tensor) or a generated tensor:
    ``"arange"`` (1, 2, 3, ...), ``"ones"``, ``"zeros"``, ``"randint"`` (integers −1..2,
    sums stay readable) or ``"randn"``; random ones from ``seed``."""
    shape = tuple(int(s) for s in shape)
    if isinstance(spec, str) or spec is None:
        kind = spec or "randint"
        rng = np.random.default_rng(seed)
        if kind == "arange":
            return np.arange(1, int(np.prod(shape)) + 1, dtype=np.float64).reshape(shape)
        if kind == "ones":
            return np.ones(shape)
        if kind == "zeros":
            return np.zeros(shape)
        if kind == "randint":
            return rng.integers(-1, 3, size=shape).astype(np.float64)
        if kind == "randn":
            return np.round(rng.standard_normal(shape), 2)
        raise ValueError(f"{what}: expected numbers or one of 'arange', 'ones', 'zeros', "
                         f"'randint', 'randn', got {spec!r}")
    arr = to_numpy(spec)
    if shape and arr.size == int(np.prod(shape)) and arr.shape != shape:
        arr = arr.reshape(shape)
    return arr


def to_numpy(value: Any) -> np.ndarray:
    """Any tensor-like as a float64 array (minitorch, torch, NumPy, nested lists)."""
    if hasattr(value, "detach"):
        value = value.detach()
    if hasattr(value, "cpu"):
        value = value.cpu()
    if hasattr(value, "numpy"):
        value = value.numpy()
    return np.array(value, dtype=np.float64)
