"""One random generator for the whole library, so that ``manual_seed(s)`` makes every run
repeat the same numbers (the numbers are minitorch's own, not PyTorch's)."""

from __future__ import annotations

from typing import Optional

import numpy as np


class Generator:
    """A seedable source of random numbers (wraps NumPy's PCG64)."""

    def __init__(self, seed: Optional[int] = None) -> None:
        self._seed = 0 if seed is None else int(seed)
        self.rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> Generator:
        self._seed = int(seed)
        self.rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int:
        return self._seed


default_generator = Generator(0)


def manual_seed(seed: int) -> Generator:
    """Seed the default generator: same seed, same numbers."""
    return default_generator.manual_seed(seed)


def initial_seed() -> int:
    return default_generator.initial_seed()


def rng(generator: Optional[Generator] = None) -> np.random.Generator:
    return (generator or default_generator).rng
