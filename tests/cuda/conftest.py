"""Shared fixtures for the CUDA backend tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def emulated():
    """The "cuda-emulated" backend (NumPy arrays, kernels run by the emulator)."""
    from minitorch.backends import get_backend

    return get_backend("cuda-emulated")
