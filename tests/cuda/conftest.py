"""Shared fixtures for the CUDA backend tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def emulated():
    """The "cuda-emulated" backend (NumPy arrays, kernels run by the emulator)."""
    from minitorch.backends import get_backend

    return get_backend("cuda-emulated")
