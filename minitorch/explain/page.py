"""One self-contained HTML page: a step slider over the frames and the numbers.

Nothing is fetched: the frames are PNG data URIs inside an embedded JSON document, the script
is inline. ``page.html#step=K`` opens step K (0-based). Each slider position shows one frame
(when the op has a sliding window) at its natural size in the top-left corner, its caption and
the text of that step; the whole walkthrough is below.
"""

from __future__ import annotations

import base64
import html
import io
import json
from typing import Any, Dict, List

from minitorch.explain.core import Explanation
from minitorch.explain.render import RENDER, render


def _data_uri(image: Any) -> str:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def page_steps(e: Explanation) -> List[Dict[str, Any]]:
    """The slider's positions: forward frames then backward frames for a windowed op (one
    per output position each), else every step; each {"phase", "title", "text", "image"}."""
    out = []
    if e.geometry is not None:
        for phase, kind in (("forward", "window"), ("backward", "scatter")):
            steps = e.find(kind, phase)
            for step, image in zip(steps, e.frames(phase)):
                out.append({"phase": phase, "title": step.title,
                            "text": "\n".join(RENDER[kind](step)), "image": _data_uri(image)})
        return out
    return [{"phase": s.phase, "title": s.title, "text": "\n".join(RENDER[s.kind](s)),
             "image": None} for s in e.steps]


_TEMPLATE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>minitorch explain: %(op)s</title>
<style>
html, body { margin: 0; padding: 0; background: #fff; font: 14px sans-serif; }
#frame { position: absolute; left: 0; top: 0; image-rendering: pixelated; }
#controls { position: absolute; left: 0; padding: 8px 12px; }
#slider { width: 420px; vertical-align: middle; }
pre { font: 12px monospace; background: #f6f6f6; padding: 8px; white-space: pre; }
</style></head>
<body>
<img id="frame" alt="">
<div id="controls" style="top: %(top)dpx">
  <button id="prev">&#9664;</button>
  <input id="slider" type="range" min="0" max="%(last)d" value="0">
  <button id="next">&#9654;</button> <button id="play">play</button>
  step <span id="index">0</span> / %(last)d &middot; <b id="phase"></b>
  <div id="caption"></div>
  <pre id="text"></pre>
  %(graph)s<details><summary>the whole walkthrough</summary><pre>%(all)s</pre></details>
</div>
<script id="data" type="application/json">%(data)s</script>
<script>
const steps = JSON.parse(document.getElementById("data").textContent);
const slider = document.getElementById("slider");
function show(k) {
  k = Math.max(0, Math.min(steps.length - 1, k | 0));
  slider.value = k;
  const s = steps[k], img = document.getElementById("frame");
  if (s.image) { img.src = s.image; img.style.display = ""; } else { img.style.display = "none"; }
  document.getElementById("index").textContent = k;
  document.getElementById("phase").textContent = s.phase;
  document.getElementById("caption").textContent = s.title;
  document.getElementById("text").textContent = s.text;
}
function fromHash() {
  const m = /step=(\\d+)/.exec(location.hash + location.search);
  show(m ? parseInt(m[1], 10) : 0);
}
slider.addEventListener("input", () => show(slider.value));
document.getElementById("prev").onclick = () => show(+slider.value - 1);
document.getElementById("next").onclick = () => show(+slider.value + 1);
let timer = null;
document.getElementById("play").onclick = () => {
  if (timer) { clearInterval(timer); timer = null; return; }
  timer = setInterval(() => show((+slider.value + 1) %% steps.length), 700);
};
document.addEventListener("keydown", ev => {
  if (ev.key === "ArrowRight") show(+slider.value + 1);
  if (ev.key === "ArrowLeft") show(+slider.value - 1);
});
window.addEventListener("hashchange", fromHash);
fromHash();
</script></body></html>
"""


def _graph_img(e: Explanation) -> str:
    """A model's autograd graph (values and gradients in the nodes) as an inline image."""
    objects = getattr(e, "objects", None)
    if not objects:
        return ""
    import os
    import tempfile

    from minitorch.viz import draw_graph

    with tempfile.TemporaryDirectory() as tmp:
        path = draw_graph(objects["loss"], os.path.join(tmp, "graph.png"),
                          params={"input": objects["input"],
                                  **dict(objects["model"].named_parameters())},
                          named=objects["intermediates"])
        with open(path, "rb") as f:
            data = base64.b64encode(f.read()).decode("ascii")
    return (f'<details open><summary>the autograd graph</summary><img id="graph" alt="graph" '
            f'src="data:image/png;base64,{data}"></details>\n  ')


def to_html(e: Explanation) -> str:
    """The page as a string."""
    steps = page_steps(e)
    top = 0
    if e.geometry is not None:
        from minitorch.explain.frames import layout

        top = layout(e)["size"][1] + 4
    data = json.dumps(steps).replace("</", "<\\/")
    return _TEMPLATE % {"op": html.escape(e.op), "top": top, "last": len(steps) - 1,
                        "all": html.escape(render(e)), "data": data, "graph": _graph_img(e)}


def save_html(e: Explanation, path: str) -> str:
    with open(path, "w", encoding="utf-8") as f:
        f.write(to_html(e))
    return path
