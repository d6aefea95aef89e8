"""``minitorch exercise`` writes a stub; ``minitorch check`` passes a right implementation
and stops a planted wrong one at its first mismatch, with the index and both values (the
expected one recomputed here with torch)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from minitorch.explain import exercise

torch = pytest.importorskip("torch")
ROOT = Path(__file__).resolve().parents[2]

HELPERS = '''
import numpy as np

def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)

def out_size(n, k, s, p, d, ceil):
    o = (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)) // s + 1
    if ceil and (o - 1) * s >= n + p:
        o -= 1
    return o
'''

RIGHT = {
    "conv2d": '''
def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    (sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(padding), pair(dilation)
    n, c, h, w = x.shape
    o, cg, kh, kw = weight.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    ho, wo = out_size(h, kh, sh, ph, dh, False), out_size(w, kw, sw, pw, dw, False)
    y = np.zeros((n, o, ho, wo))
    og = o // groups
    for oo in range(o):
        g = oo // og
        for i in range(ho):
            for j in range(wo):
                win = xp[:, g * cg:(g + 1) * cg, i * sh:i * sh + dh * (kh - 1) + 1:dh,
                         j * sw:j * sw + dw * (kw - 1) + 1:dw]
                y[:, oo, i, j] = (win * KERNEL).sum(axis=(1, 2, 3))
        if bias is not None:
            y[:, oo] += bias[oo]
    return y
'''.replace("KERNEL", "weight[oo]"),
    "max_pool2d": '''
def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    (kh, kw), (ph, pw), (dh, dw) = pair(kernel_size), pair(padding), pair(dilation)
    sh, sw = pair(stride if stride is not None else kernel_size)
    n, c, h, w = x.shape
    ho, wo = out_size(h, kh, sh, ph, dh, ceil_mode), out_size(w, kw, sw, pw, dw, ceil_mode)
    bh = max(ph, (ho - 1) * sh + dh * (kh - 1) + 1 - h - ph)
    bw = max(pw, (wo - 1) * sw + dw * (kw - 1) + 1 - w - pw)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, bh), (pw, bw)), constant_values=-np.inf)
    y = np.zeros((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            y[:, :, i, j] = xp[:, :, i * sh:i * sh + dh * (kh - 1) + 1:dh,
                               j * sw:j * sw + dw * (kw - 1) + 1:dw].max(axis=(2, 3))
    return y
''',
    "avg_pool2d": '''
def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    (kh, kw), (ph, pw) = pair(kernel_size), pair(padding)
    sh, sw = pair(stride if stride is not None else kernel_size)
    n, c, h, w = x.shape
    ho, wo = out_size(h, kh, sh, ph, 1, ceil_mode), out_size(w, kw, sw, pw, 1, ceil_mode)
    y = np.zeros((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            h0, w0 = i * sh - ph, j * sw - pw
            h1, w1 = min(h0 + kh, h + ph), min(w0 + kw, w + pw)
            size = (h1 - h0) * (w1 - w0)
            a0, b0, a1, b1 = max(h0, 0), max(w0, 0), min(h1, h), min(w1, w)
            div = divisor_override or (size if count_include_pad else (a1 - a0) * (b1 - b0))
            y[:, :, i, j] = x[:, :, a0:a1, b0:b1].sum(axis=(2, 3)) / div
    return y
''',
    "linear": '''
def linear(x, weight, bias=None):
    return x @ weight.T + (0 if bias is None else bias)
''',
    "relu": "\ndef relu(x):\n    return np.maximum(x, 0)\n",
    "sigmoid": "\ndef sigmoid(x):\n    return np.exp(-np.logaddexp(0, -x))\n",
    "tanh": "\ndef tanh(x):\n    return 2 / (1 + np.exp(-2 * x)) - 1\n",
}

# (op, planted mistake: (text to replace, replacement), the case it must be caught in)
WRONG = [
    ("conv2d", ("weight[oo]).sum", "weight[oo, :, ::-1, ::-1]).sum"), 0),  # flipped kernel
    ("conv2d", ("dh * (kh - 1) + 1:dh", "kh"), 4),  # dilation ignored in the rows
    ("conv2d", ("y[:, oo] += bias[oo]", "y[:, oo] += 0"), 0),
    ("max_pool2d", ("constant_values=-np.inf", "constant_values=0.0"), 2),  # pad with 0
    ("avg_pool2d", ("if count_include_pad", "if not count_include_pad"), 1),
    ("linear", ("x @ weight.T", "x @ weight.T * 1.0001"), 0),
    ("relu", ("np.maximum(x, 0)", "np.maximum(x, 0.01 * x)"), 0),
    ("sigmoid", ("np.exp(-np.logaddexp(0, -x))", "1 / (1 + np.exp(-x)) + 1e-5"), 0),
]


def write(tmp_path: Path, op: str, body: str) -> Path:
    path = tmp_path / f"{op}_exercise.py"
    path.write_text(f'OP = "{op}"\n' + HELPERS + body)
    return path


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "minitorch", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=180)


@pytest.mark.parametrize("op", sorted(RIGHT))
def test_a_right_implementation_passes(tmp_path: Path, op: str) -> None:
    passed, report = exercise.check_file(str(write(tmp_path, op, RIGHT[op])))
    assert passed, report
    assert f"all {len(exercise.cases(op))} cases match" in report


@pytest.mark.parametrize("op,plant,case", WRONG, ids=[f"{w[0]}-{i}" for i, w in
                                                      enumerate(WRONG)])
def test_a_planted_mistake_is_caught_with_index_and_both_values(
        tmp_path: Path, op: str, plant: tuple, case: int) -> None:
    assert plant[0] in RIGHT[op]
    path = write(tmp_path, op, RIGHT[op].replace(plant[0], plant[1], 1))
    passed, report = exercise.check_file(str(path))
    assert not passed
    m = re.search(r"case (\d+) \(.*\): output\[([\d, ]+)\]: yours (\S+), expected (\S+)",
                  report)
    assert m, report
    assert int(m.group(1)) == case, report
    idx = tuple(int(v) for v in m.group(2).split(","))
    c = exercise.cases(op)[case]
    t = {k: torch.tensor(v) for k, v in c.tensors.items()}
    x = t.pop("x")
    fn = getattr(torch, op) if op in ("sigmoid", "tanh") else getattr(torch.nn.functional, op)
    expected = fn(x, *t.values(), **c.kwargs)[idx].item()
    assert float(m.group(4)) == pytest.approx(expected, rel=1e-5, abs=1e-9)
    mod = {}
    exec(compile(path.read_text(), str(path), "exec"), mod)  # noqa: S102 - the test's own file
    yours = mod[op](*[a.copy() for a in c.tensors.values()], **c.kwargs)[idx]
    assert float(m.group(3)) == pytest.approx(yours, rel=1e-5, abs=1e-9)


def test_a_crash_names_the_case(tmp_path: Path) -> None:
    body = RIGHT["conv2d"].replace(":dh,\n", ":1,\n")  # windows of the wrong size
    passed, report = exercise.check_file(str(write(tmp_path, "conv2d", body)))
    assert not passed and "case 4 (" in report and "dilation=2" in report
    assert "your conv2d raised ValueError" in report


def test_wrong_output_shape_is_reported(tmp_path: Path) -> None:
    body = RIGHT["max_pool2d"].replace("out_size(h, kh, sh, ph, dh, ceil_mode)",
                                       "out_size(h, kh, sh, ph, dh, False)")
    passed, report = exercise.check_file(str(write(tmp_path, "max_pool2d", body)))
    assert not passed and "case 2" in report and "output shape [1, 2, 2, 3], expected " \
        "[1, 2, 3, 3]" in report


def test_cli_writes_the_stub_and_checks_it(tmp_path: Path) -> None:
    out = cli("exercise", "conv2d", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    stub = (tmp_path / "conv2d_exercise.py").read_text()
    assert "def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):" \
        in stub and "i·stride + p·dilation" in stub
    with pytest.raises(FileExistsError):  # never overwrites the learner's work
        exercise.write_stub("conv2d", str(tmp_path / "conv2d_exercise.py"))
    first = cli("check", "conv2d_exercise.py", cwd=tmp_path)
    assert first.returncode == 1 and "not written yet" in first.stdout
    (tmp_path / "conv2d_exercise.py").write_text(
        stub.replace('    raise NotImplementedError("write conv2d here")\n', "") +
        textwrap.dedent(HELPERS) + RIGHT["conv2d"].replace("def conv2d", "def _solution") +
        "\nconv2d = _solution\n")
    done = cli("check", "conv2d_exercise.py", cwd=tmp_path)
    assert done.returncode == 0 and "all 7 cases match" in done.stdout, done.stdout


def test_the_grid_covers_every_argument() -> None:
    kinds = {k for c in exercise.cases("conv2d") for k in c.kwargs}
    assert kinds == {"stride", "padding", "dilation", "groups"}
    assert {k for c in exercise.cases("max_pool2d") for k in c.kwargs} >= {
        "stride", "padding", "dilation", "ceil_mode"}
    assert np.isfinite(exercise.cases("relu")[1].tensors["x"]).all()
