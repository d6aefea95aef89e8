"""Kernel caches: two processes that start at once with the same *empty* Numba cache
directory both compile, both write the cache without corrupting it, and compute the same
conv2d forward/backward (equal to the NumPy reference backend). A third process then
starts from the warm cache and agrees too.

    PYTHONPATH=. python -m pytest tests/reliability/test_numba_cache.py -q
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
WORKER = r"""
import sys
import numpy as np
import minitorch
import minitorch.nn.functional as F

rng = np.random.default_rng(0)
with minitorch.backends.use_backend(sys.argv[2]):
    x = minitorch.tensor(rng.standard_normal((2, 3, 7, 7)), requires_grad=True)
    w = minitorch.tensor(rng.standard_normal((4, 3, 3, 3)))  # only the input's gradient:
    b = minitorch.tensor(rng.standard_normal(4))  # fewer kernels to compile in CI
    y = F.conv2d(x, w, b, stride=1, padding=1)
    (y * y).sum().backward()
np.savez(sys.argv[1], y=y.detach().numpy(), gx=x.grad.numpy())
"""


def _start(out: Path, cache: Path, backend: str = "numba") -> subprocess.Popen:
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), PYTHONPATH=str(ROOT),
               NUMBA_NUM_THREADS="1")
    return subprocess.Popen([sys.executable, "-c", WORKER, str(out), backend], env=env,
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _finish(proc: subprocess.Popen) -> None:
    output, _ = proc.communicate(timeout=240)
    assert proc.returncode == 0, output.decode(errors="replace")[-3000:]


def test_two_processes_with_an_empty_numba_cache(tmp_path: Path) -> None:
    cache = tmp_path / "numba-cache"
    cache.mkdir()
    outs = [tmp_path / f"run{i}.npz" for i in range(3)]
    procs = [_start(outs[0], cache), _start(outs[1], cache),
             _start(tmp_path / "ref.npz", tmp_path / "unused", backend="numpy")]
    for p in procs:
        _finish(p)
    assert any(cache.rglob("*.nbi")), "the cache directory was not used"
    _finish(_start(outs[2], cache))  # a third run loads what the first two wrote
    ref = np.load(tmp_path / "ref.npz")
    for out in outs:
        got = np.load(out)
        for key in ("y", "gx"):
            np.testing.assert_allclose(got[key], ref[key], rtol=1e-10, atol=1e-10,
                                       err_msg=f"{out.name}:{key}")
