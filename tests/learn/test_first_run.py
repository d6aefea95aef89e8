"""The first run says what it does: on an empty Numba cache a visible
"compiling kernels (first run only)" line with progress, and none once the cache is warm; the
training bar's ETA and the closing lines say what their times include."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(args: list, cache: Path, cwd: Path) -> str:
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    env.pop("MINITORCH_BACKEND", None)
    proc = subprocess.run([sys.executable, "-m", "minitorch", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout.replace("\r", "\n")


def test_cold_cache_is_announced_with_progress_then_silent(tmp_path: Path) -> None:
    cache = tmp_path / "numba-cache"
    cache.mkdir()
    cold = run(["warmup"], cache, tmp_path)
    assert "compiling kernels (first run only)" in cold
    ticks = re.findall(r"compiling kernels \(first run only\):\s+\d+%.*?(\d+)/(\d+)", cold)
    assert ticks and ticks[-1][0] == ticks[-1][1], cold  # the bar reaches its end
    assert "done in" in cold and any(cache.rglob("*.nbi"))

    out = run(["train", "--epochs", "1", "--train-samples", "64", "--test-samples", "32",
               "--batch-size", "32", "--out", str(tmp_path / "run")], cache, tmp_path)
    assert "compiling kernels" not in out  # warm: nothing to announce
    assert "ETA" in out and "for this epoch's training, then evaluation" in out
    m = re.search(r"trained in ([\d.]+) s .*: 1 epoch\(s\) of training ([\d.]+) s \+ "
                  r"evaluation ([\d.]+) s", out)
    assert m, out
    trained, tr, ev = map(float, m.groups())
    assert abs(trained - (tr + ev)) <= 0.11
    w = re.search(r"whole command ([\d.]+) s: the above, kernel compilation and first pass "
                  r"([\d.]+) s.*and ([\d.]+) s for imports, data, logging and saving", out)
    assert w, out
    total, compile_s, rest = map(float, w.groups())
    assert total >= trained and abs(total - (trained + compile_s + rest)) <= 0.21
    assert "warm" in run(["warmup"], cache, tmp_path)
