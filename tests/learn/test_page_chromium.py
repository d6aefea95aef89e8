"""The one-file HTML page, opened in a real headless Chromium: dragging the slider with the
mouse (over the DevTools protocol), or setting the step in the URL, draws that step pixel for
pixel like the PNG frame explain produces, with that step's caption."""

from __future__ import annotations

import base64
import io
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

from .cdp import Browser

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


def assert_same_pixels(got_image: Image.Image, expected: Image.Image, other: Image.Image,
                       what: str) -> None:
    """``got_image``'s top-left corner is ``expected`` (within 2 levels), and not ``other``."""
    got = np.asarray(got_image.convert("RGB"), dtype=np.int16)
    want = np.asarray(expected.convert("RGB"), dtype=np.int16)
    diff = np.abs(got[:want.shape[0], :want.shape[1]] - want)
    assert diff.max() <= 2, f"{what}: {int((diff > 2).sum())} pixels differ"
    # a different frame really is different (the comparison can fail)
    assert np.abs(got[:want.shape[0], :want.shape[1]] -
                  np.asarray(other.convert("RGB"), dtype=np.int16)).max() > 2


def drag_slider_to(browser: Browser, session: str, step: int) -> None:
    """Press the mouse on the slider's thumb, drag it along the track until the page shows
    ``step``, release: the input/change events come from Chromium itself, as for a user."""
    box = browser.evaluate(session, """(() => { const s = document.getElementById("slider");
        const r = s.getBoundingClientRect();
        return [r.left, r.top + r.height / 2, r.width, +s.value, +s.max]; })()""")
    left, y, width, value, last = box
    def x_of(k: float) -> float:     # the thumb's centre (Chromium's thumb is ~16 px wide)
        return left + 8 + (width - 16) * k / last
    def mouse(kind: str, x: float, **kw: object) -> None:
        browser.send("Input.dispatchMouseEvent", session, type=kind, x=x, y=y,
                     button="left", **kw)
    x = x_of(value)
    mouse("mousePressed", x, buttons=1, clickCount=1)
    for i in range(1, 11):              # a drag is a run of moves with the button held
        mouse("mouseMoved", x + (x_of(step) - x) * i / 10, buttons=1)
    x = x_of(step)
    for _ in range(40):                 # nudge by a pixel until the thumb sits on ``step``
        now = browser.evaluate(session, '+document.getElementById("slider").value')
        if now == step:
            break
        x += 1 if now < step else -1
        mouse("mouseMoved", x, buttons=1)
    mouse("mouseReleased", x, buttons=0, clickCount=1)


def test_page_is_self_contained(tmp_path: Path) -> None:
    e = minitorch.explain("max_pool2d", input_size=(1, 1, 5, 5), kernel_size=2, ceil_mode=True)
    text = Path(e.save_html(str(tmp_path / "p.html"))).read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)|url\(|@import""", text)
    assert len(page_steps(e)) == 2 * 9 and text.count("data:image/png;base64,") == 18


@needs_chromium
def test_dragging_the_slider_shows_the_frame_in_chromium(tmp_path: Path) -> None:
    e = minitorch.explain("conv2d", input_size=(1, 1, 7, 7), stride=1, padding=1, dilation=2)
    page = Path(e.save_html(str(tmp_path / "conv.html")))
    forward, backward = e.frames("forward"), e.frames("backward")
    titles = [s["title"] for s in page_steps(e)]
    flags = [f for f in FLAGS if not f.startswith("--virtual-time")]
    with Browser(CHROMIUM, flags) as browser:
        target = browser.send("Target.createTarget", url="about:blank")["targetId"]
        session = browser.send("Target.attachToTarget", targetId=target,
                               flatten=True)["sessionId"]
        browser.send("Emulation.setDeviceMetricsOverride", session,
                     width=forward[0].width + 40, height=forward[0].height + 200,
                     deviceScaleFactor=1, mobile=False)
        browser.send("Page.enable", session)
        browser.send("Page.navigate", session, url=page.as_uri())
        browser.wait_event("Page.loadEventFired", session)
        for step, expected, other in ((3, forward[3], forward[2]),
                                      (len(forward) + 5, backward[5], backward[4]),
                                      (1, forward[1], forward[2])):
            drag_slider_to(browser, session, step)
            shown = browser.evaluate(session, """(async () => {
                const img = document.getElementById("frame"); await img.decode();
                return [document.getElementById("slider").value,
                        document.getElementById("index").textContent,
                        document.getElementById("caption").textContent]; })()""")
            assert shown == [str(step), str(step), titles[step]]
            png = browser.send("Page.captureScreenshot", session, format="png")["data"]
            assert_same_pixels(Image.open(io.BytesIO(base64.b64decode(png))), expected, other,
                               f"slider at {step}")


@needs_chromium
def test_url_step_matches_the_frame_in_chromium(tmp_path: Path) -> None:
    e = minitorch.explain("conv2d", input_size=(1, 1, 7, 7), stride=1, padding=1, dilation=2)
    page = Path(e.save_html(str(tmp_path / "conv.html")))
    forward, backward = e.frames("forward"), e.frames("backward")
    for step, expected, other in ((3, forward[3], forward[2]),
                                  (len(forward) + 5, backward[5], backward[4])):
        shot = tmp_path / f"shot{step}.png"
        chromium(f"--window-size={expected.width + 40},{expected.height + 200}",
                 f"--screenshot={shot}", f"{page.as_uri()}#step={step}")
        assert_same_pixels(Image.open(shot), expected, other, f"#step={step}")
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
