"""Shared fixtures for the parity suite (minitorch vs torch 2.13, per backend).

Run:  .venv/bin/python -m pytest parity_tests -rs --durations=15

* ``backend``: every test that takes it runs once per backend in ``BACKENDS``; a backend that
  cannot run here is skipped with the reason (``-rs`` lists them). Tests marked
  ``small_inputs`` (their inputs stay tiny) also run on the small-input backends
  (``SMALL_ONLY``: "loops", the nested-loop kernels).
* Hypothesis profiles: ``ci`` (default, and whenever ``CI`` is set): derandomized, few
  examples, so the suite is deterministic and fast; ``deep``: many more random examples
  (``HYPOTHESIS_PROFILE=deep``).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from minitorch.parity import BACKENDS, SMALL_ONLY, backend_unavailable

settings.register_profile("ci", derandomize=True, max_examples=12, deadline=None,
                          print_blob=True, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("deep", max_examples=400, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
# ``make fuzz``: the differential fuzzer's families, 10,000 random cases each
settings.register_profile("fuzz", max_examples=int(os.environ.get("MINITORCH_FUZZ_EXAMPLES",
                                                                  10_000)),
                          deadline=None, print_blob=True, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def skip_unless_available(name: str) -> None:
    why = backend_unavailable(name)
    if why:
        pytest.skip(why)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "small_inputs: also run on the small-input backends "
                                       "(minitorch.parity.SMALL_ONLY)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``backend`` (unless the test names its backends itself)."""
    if "backend" not in metafunc.fixturenames:
        return
    if any("backend" in str(m.args[0]) for m in metafunc.definition.iter_markers("parametrize")):
        return
    names = BACKENDS
    if metafunc.definition.get_closest_marker("small_inputs"):
        names = BACKENDS + tuple(SMALL_ONLY)
    metafunc.parametrize("backend", names, indirect=True, scope="session")


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    """A backend name; skipped (with the missing thing named) where it cannot run."""
    skip_unless_available(request.param)
    return request.param


class Budget:
    """Sizes that keep the suite fast: the CUDA emulator runs every GPU thread on the CPU, so
    on "cuda-emulated" the CNN uses a smaller batch and shorter trajectories."""

    def __init__(self, backend: str) -> None:
        slow = backend == "cuda-emulated"
        self.cnn_batch = 2 if slow else 8
        self.trajectory_batch = 2 if slow else 4
        self.trajectory_steps = 6 if slow else 20


@pytest.fixture(scope="session")
def budget(backend: str) -> Budget:
    return Budget(backend)
