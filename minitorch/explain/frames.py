"""Pictures of a windowed op (conv2d, max_pool2d, avg_pool2d), drawn with Pillow from the
explain result's numbers: one frame per output position.

Forward frames: the padded input (padding grey, the extra rows/columns ``ceil_mode`` adds
hatched), the window's taps highlighted — spaced ``dilation`` apart, moved ``stride`` between
frames (the previous window outlined) — the kernel, and the output filling in. Backward
frames: dL/dy with the current position highlighted and the gradient of the padded input
accumulating where that position's window lands (max pooling: only the maximum's pixel).
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Tuple

import numpy as np

from minitorch.explain.core import Explanation, Step, fmt

CELL = 34          # pixels per grid cell
GAP = 24           # pixels between grids
TOP = 44           # title band
MARGIN = 12
MIN_WIDTH = 640    # room for the two caption lines

WHITE, INK, GRID = (255, 255, 255), (20, 20, 20), (150, 150, 150)
PAD_FILL, EXTRA_FILL = (222, 222, 222), (200, 200, 200)
WINDOW_FILL, SPAN_LINE, PREV_LINE = (255, 196, 110), (220, 110, 0), (120, 150, 210)
OUT_FILL, OUT_NEW, GRAD_NEW = (214, 234, 214), (120, 200, 120), (140, 190, 255)


def _font(size: int = 12) -> Any:
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType sizes
        return ImageFont.load_default()


def layout(e: Explanation, phase: str = "forward") -> Dict[str, Any]:
    """Where each grid sits: {"inputs": [(x, y) per channel drawn], "kernel": (x, y) | None,
    "output": (x, y), "size": (width, height)}; cells are ``CELL`` pixels."""
    if e.geometry is None:
        raise ValueError(f"{e.op} has no sliding window to draw; frames are for conv2d, "
                         "max_pool2d and avg_pool2d")
    g = e.geometry
    hp, wp = g["padded_hw"]
    ho, wo = g["out_hw"]
    kh, kw = g["kernel"]
    chans = len(e.find("window")[0].data["channels"])
    x = MARGIN
    inputs = []
    for _ in range(chans):
        inputs.append((x, TOP))
        x += wp * CELL + GAP
    kernel = None
    if e.op == "conv2d" and phase == "forward":
        kernel = (x, TOP)
        x += kw * CELL * chans + GAP * chans
    output = (x, TOP)
    x = max(x + wo * CELL + MARGIN, MIN_WIDTH)
    height = TOP + max(hp, ho, kh) * CELL + MARGIN + 18
    return {"inputs": inputs, "kernel": kernel, "output": output, "size": (x, height),
            "channels": chans}


def cell_box(origin: Tuple[int, int], r: int, c: int) -> Tuple[int, int, int, int]:
    """Pixel box (x0, y0, x1, y1) of cell (r, c) of the grid drawn at ``origin``."""
    return (origin[0] + c * CELL, origin[1] + r * CELL,
            origin[0] + (c + 1) * CELL, origin[1] + (r + 1) * CELL)


def _grid(draw: Any, origin: Tuple[int, int], values: np.ndarray, fills: Dict[Tuple[int, int],
          Tuple[int, int, int]], font: Any, label: str, blank: Any = None) -> None:
    h, w = values.shape
    for r in range(h):
        for c in range(w):
            box = cell_box(origin, r, c)
            draw.rectangle(box, fill=fills.get((r, c), WHITE), outline=GRID)
            if blank is not None and blank[r, c]:
                continue
            text = _short(values[r, c])
            f = font if draw.textlength(text, font=font) <= CELL - 4 else _font(9)
            tw = draw.textlength(text, font=f)
            draw.text((box[0] + (CELL - tw) / 2, box[1] + CELL / 2 - 7), text, fill=INK,
                      font=f)
    draw.text((origin[0], origin[1] + h * CELL + 3), label, fill=INK, font=font)


def _short(v: float) -> str:
    """A number that fits a cell: integers as they are, others to 3 significant digits."""
    text = fmt(v)
    return text if len(text) <= 4 or "inf" in text else f"{float(v):.3g}"


def _input_fills(e: Explanation) -> Dict[Tuple[int, int], Tuple[int, int, int]]:
    g = e.geometry
    hp, wp = g["padded_hw"]
    t, _, left, _ = g["pads"]
    h, w = g["input_hw"]
    fills = {}
    for r in range(hp):
        for c in range(wp):
            if not (t <= r < t + h and left <= c < left + w):
                beyond = r >= hp - g["extra"][0] or c >= wp - g["extra"][1]
                fills[(r, c)] = EXTRA_FILL if beyond and any(g["extra"]) else PAD_FILL
    return fills


def _hatch_extra(draw: Any, e: Explanation, origin: Tuple[int, int]) -> None:
    g = e.geometry
    hp, wp = g["padded_hw"]
    for r in range(hp):
        for c in range(wp):
            if r >= hp - g["extra"][0] or c >= wp - g["extra"][1]:
                x0, y0, x1, y1 = cell_box(origin, r, c)
                for k in range(0, CELL, 8):
                    draw.line((x0 + k, y1, x1, y0 + k), fill=GRID)


def _span(draw: Any, origin: Tuple[int, int], rows: List[int], cols: List[int],
          color: Tuple[int, int, int], width: int) -> None:
    x0, y0, _, _ = cell_box(origin, rows[0], cols[0])
    _, _, x1, y1 = cell_box(origin, rows[-1], cols[-1])
    draw.rectangle((x0, y0, x1, y1), outline=color, width=width)


def _forward_frame(e: Explanation, k: int, steps: List[Step], plane: Dict[str, Any]) -> Any:
    from PIL import Image, ImageDraw

    lay = layout(e, "forward")
    img = Image.new("RGB", lay["size"], WHITE)
    draw = ImageDraw.Draw(img)
    font = _font(12)
    s = steps[k].data
    n = s["index"][0]
    padded = e.find("pad")[0].data["padded"]
    base = _input_fills(e)
    for slot, ch in enumerate(s["channels"]):
        fills = dict(base)
        for r in s["rows"]:
            for c in s["cols"]:
                fills[(r, c)] = WINDOW_FILL
        origin = lay["inputs"][slot]
        vals = padded[n, ch]
        _grid(draw, origin, vals, fills, font, f"x_pad[{n},{ch}]")
        _hatch_extra(draw, e, origin)
        prev = steps[k - 1].data if k > 0 and steps[k - 1].data["index"][:2] == \
            s["index"][:2] else None
        if prev is not None:
            _span(draw, origin, prev["rows"], prev["cols"], PREV_LINE, 1)
        _span(draw, origin, s["rows"], s["cols"], SPAN_LINE, 3)
    if lay["kernel"] is not None:
        kx, ky = lay["kernel"]
        for slot in range(len(s["channels"])):
            kern = s["kernel"][slot]
            _grid(draw, (kx, ky), kern, {}, font, f"w[{s['index'][1]},{slot}]")
            kx += kern.shape[1] * CELL + GAP
    out = plane["values"]
    ho, wo = out.shape
    done = np.zeros((ho, wo), dtype=bool)
    for j in range(k + 1):
        d = steps[j].data
        if d["index"][:2] == s["index"][:2]:
            done[d["index"][2], d["index"][3]] = True
    fills = {(r, c): OUT_FILL for r in range(ho) for c in range(wo) if done[r, c]}
    fills[(s["index"][2], s["index"][3])] = OUT_NEW
    _grid(draw, lay["output"], out, fills, font, f"y[{n},{s['index'][1]}]", blank=~done)
    draw.text((MARGIN, 6), _forward_caption(e, s), fill=INK, font=font)
    g = e.geometry
    draw.text((MARGIN, 24), f"kernel {g['kernel']}  stride {g['stride']}  dilation "
              f"{g['dilation']}  padding {g['pads']}  output {g['out_hw']}", fill=INK, font=font)
    return img


def _forward_caption(e: Explanation, s: Dict[str, Any]) -> str:
    idx = ",".join(map(str, s["index"]))
    if "products" in s:
        return f"y[{idx}] = sum(window · kernel) + b = {fmt(s['products'].sum())} + " \
               f"{fmt(s['bias'])} = {fmt(s['value'])}"
    if "argmax" in s:
        return f"y[{idx}] = max = {fmt(s['value'])} from x_pad{list(s['source'])}"
    return f"y[{idx}] = {fmt(s['total'])} / {s['divisor']} = {fmt(s['value'])}"


def _backward_frame(e: Explanation, k: int, steps: List[Step]) -> Any:
    from PIL import Image, ImageDraw

    lay = layout(e, "backward")
    img = Image.new("RGB", lay["size"], WHITE)
    draw = ImageDraw.Draw(img)
    font = _font(12)
    s = steps[k].data
    n, o, i, j = s["index"]
    base = _input_fills(e)
    for slot, ch in enumerate(s["channels"]):
        fills = dict(base)
        if "target" in s:
            r, q = s["target"]
            g = e.geometry
            fills[(r + g["pads"][0], q + g["pads"][2])] = GRAD_NEW
        else:  # average pooling: only the pixels inside the input receive a share
            g = e.geometry
            t, _, left, _ = g["pads"]
            h, w = g["input_hw"]
            for r in s["rows"]:
                for c in s["cols"]:
                    if "share" not in s or (t <= r < t + h and left <= c < left + w):
                        fills[(r, c)] = GRAD_NEW
        origin = lay["inputs"][slot]
        _grid(draw, origin, s["running"][ch], fills, font, f"dL/dx_pad[{n},{ch}]")
        _hatch_extra(draw, e, origin)
        _span(draw, origin, s["rows"], s["cols"], SPAN_LINE, 3)
    gy = e.tensors["grad_output"][n, o]
    _grid(draw, lay["output"], gy, {(i, j): OUT_NEW}, font, f"dL/dy[{n},{o}]")
    if "target" in s:
        what = f"goes to its maximum x{list(s['target'])}"
    elif "share" in s:
        what = f"/ divisor = {fmt(s['share'])} to each input pixel of the window"
    else:
        what = "· w is added onto the window (overlaps add up)"
    draw.text((MARGIN, 6), f"dL/dy[{n},{o},{i},{j}] = {fmt(s['grad'])} {what}", fill=INK,
              font=font)
    draw.text((MARGIN, 24), "backward: each output position sends its gradient back to the "
              "pixels its window read", fill=INK, font=font)
    return img


def frames(e: Explanation, phase: str = "forward", scale: int = 0) -> List[Any]:
    """One Pillow image per output position: ``len(frames) == output.numel()``."""
    layout(e, phase)  # a clear error for an op without a sliding window
    if phase == "forward":
        steps = e.find("window")
        planes: Dict[Tuple[int, int], Dict[str, Any]] = {}
        for s in steps:
            planes.setdefault(s.data["index"][:2], {"values": e.tensors["output"][
                s.data["index"][0], s.data["index"][1]]})
        images = [_forward_frame(e, k, steps, planes[s.data["index"][:2]])
                  for k, s in enumerate(steps)]
    elif phase == "backward":
        steps = e.find("scatter", "backward")
        images = [_backward_frame(e, k, steps) for k in range(len(steps))]
    else:
        raise ValueError(f"phase must be 'forward' or 'backward', got {phase!r}")
    if scale > 1:
        images = [im.resize((im.width * scale, im.height * scale), 0) for im in images]
    return images


def save_gif(e: Explanation, path: str, phase: str = "forward", duration_ms: int = 700) -> str:
    """An animated GIF of :func:`frames` (loops forever)."""
    images = frames(e, phase)
    images[0].save(path, save_all=True, append_images=images[1:], duration=duration_ms,
                   loop=0, optimize=False)
    return path


def save_frames(e: Explanation, folder: str, phase: str = "forward") -> List[str]:
    """``folder/{phase}_000.png``, ... one PNG per frame."""
    os.makedirs(folder, exist_ok=True)
    paths = []
    for k, im in enumerate(frames(e, phase)):
        paths.append(os.path.join(folder, f"{phase}_{k:03d}.png"))
        im.save(paths[-1])
    return paths
