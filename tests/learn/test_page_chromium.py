"""The one-file HTML page, opened in a real headless Chromium: the step set in the URL is
drawn pixel for pixel like the PNG frame explain produces, with that step's caption."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import minitorch
import minitorch.explain
from minitorch.explain.page import page_steps

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--force-device-scale-factor=1", "--virtual-time-budget=3000",
         "--no-first-run", "--disable-extensions"]


def chromium(*args: str, timeout: float = 30) -> str:
    proc = subprocess.run([CHROMIUM, *FLAGS, *args], capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_page_is_self_contained(tmp_path: Path) -> None:
    e = minitorch.explain("max_pool2d", input_size=(1, 1, 5, 5), kernel_size=2, ceil_mode=True)
    text = Path(e.save_html(str(tmp_path / "p.html"))).read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)|url\(|@import""", text)
    assert len(page_steps(e)) == 2 * 9 and text.count("data:image/png;base64,") == 18


@needs_chromium
def test_slider_step_matches_the_frame_in_chromium(tmp_path: Path) -> None:
    e = minitorch.explain("conv2d", input_size=(1, 1, 7, 7), stride=1, padding=1, dilation=2)
    page = Path(e.save_html(str(tmp_path / "conv.html")))
    forward, backward = e.frames("forward"), e.frames("backward")
    for step, expected, other in ((3, forward[3], forward[2]),
                                  (len(forward) + 5, backward[5], backward[4])):
        shot = tmp_path / f"shot{step}.png"
        chromium(f"--window-size={expected.width + 40},{expected.height + 200}",
                 f"--screenshot={shot}", f"{page.as_uri()}#step={step}")
        got = np.asarray(Image.open(shot).convert("RGB"), dtype=np.int16)
        want = np.asarray(expected.convert("RGB"), dtype=np.int16)
        diff = np.abs(got[:want.shape[0], :want.shape[1]] - want)
        assert diff.max() <= 2, f"step {step}: {int((diff > 2).sum())} pixels differ"
        # a different frame really is different (the comparison can fail)
        assert np.abs(got[:want.shape[0], :want.shape[1]] -
                      np.asarray(other.convert("RGB"), dtype=np.int16)).max() > 2
    dom = chromium("--dump-dom", f"{page.as_uri()}#step=7")
    caption = re.search(r'<div id="caption">(.*?)</div>', dom).group(1)
    assert caption == e.find("window")[7].title
    assert '<span id="index">7</span>' in dom


def test_model_page_has_every_step_and_the_graph(tmp_path: Path) -> None:
    nn = minitorch.nn
    model = nn.Sequential(nn.Linear(3, 2), nn.Tanh())
    e = minitorch.explain(model, input_size=(1, 3))
    text = Path(e.save_html(str(tmp_path / "m.html"))).read_text()
    assert len(page_steps(e)) == len(e.steps)
    assert text.count('id="graph"') == 1 and text.count("data:image/png;base64,") == 1
