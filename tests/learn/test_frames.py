"""The explain pictures: one frame per output position, the window drawn where PyTorch's
definition puts it (stride, padding, dilation, ceil_mode), sizes and files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import minitorch
import minitorch.explain
from minitorch.explain import frames as fr

torch = pytest.importorskip("torch")
F = torch.nn.functional


def color(img: Image.Image, origin: tuple, r: int, c: int) -> tuple:
    x0, y0, _, _ = fr.cell_box(origin, r, c)
    return img.getpixel((x0 + 5, y0 + 5))


CASES = [
    ("conv2d", dict(input_size=(1, 1, 5, 5), stride=2, padding=1)),
    ("conv2d", dict(input_size=(1, 2, 7, 6), out_channels=2, stride=(2, 1), dilation=(2, 1),
                    padding=(1, 0))),
    ("max_pool2d", dict(input_size=(1, 1, 5, 5), kernel_size=2, ceil_mode=True)),
    ("max_pool2d", dict(input_size=(1, 1, 8, 7), kernel_size=3, stride=2, padding=1,
                        dilation=2, ceil_mode=True)),
    ("avg_pool2d", dict(input_size=(2, 1, 6, 6), kernel_size=3, stride=2, padding=1)),
]


def torch_output_shape(op: str, e: minitorch.explain.Explanation) -> tuple:
    x = torch.tensor(e.tensors["input"])
    p = e.params
    if op == "conv2d":
        y = F.conv2d(x, torch.tensor(e.tensors["weight"]), None, p["stride"], p["padding"],
                     p["dilation"], p["groups"])
    elif op == "max_pool2d":
        y = F.max_pool2d(x, p["kernel_size"], p["stride"], p["padding"], p["dilation"],
                         p["ceil_mode"])
    else:
        y = F.avg_pool2d(x, p["kernel_size"], p["stride"], p["padding"], p["ceil_mode"])
    return tuple(y.shape)


@pytest.mark.parametrize("op,kwargs", CASES, ids=lambda v: str(v))
def test_one_frame_per_output_position_with_the_window_where_torch_puts_it(
        op: str, kwargs: dict) -> None:
    e = minitorch.explain(op, **kwargs)
    shape = torch_output_shape(op, e)
    forward = e.frames("forward")
    backward = e.frames("backward")
    assert len(forward) == len(backward) == int(np.prod(shape))
    assert len({im.size for im in forward + backward}) <= 2
    lay = fr.layout(e)
    assert all(im.size == lay["size"] for im in forward)
    # the drawn window: taps at i·s + p·d (rows) and j·s + q·d (columns) of the padded input
    p = e.params
    stride = p["stride"]
    dil = p.get("dilation", (1, 1))
    k = e.tensors["weight"].shape[2:] if op == "conv2d" else p["kernel_size"]
    pads = e.geometry["pads"]
    h, w = e.tensors["input"].shape[2:]
    hp, wp = e.geometry["padded_hw"]
    ho, wo = shape[2:]
    # ceil_mode: the padded picture grows exactly as far as torch's last window reaches
    assert hp == max(h + 2 * pads[0], (ho - 1) * stride[0] + dil[0] * (k[0] - 1) + 1)
    assert wp == max(w + 2 * pads[2], (wo - 1) * stride[1] + dil[1] * (k[1] - 1) + 1)
    plane = ho * wo
    for idx in sorted({0, 1, wo, plane - 1}):
        i, j = divmod(idx, wo)
        taps = {(i * stride[0] + a * dil[0], j * stride[1] + b * dil[1])
                for a in range(k[0]) for b in range(k[1])}
        img = forward[idx]
        for r in range(hp):
            for c in range(wp):
                got = color(img, lay["inputs"][0], r, c)
                inside = pads[0] <= r < pads[0] + h and pads[2] <= c < pads[2] + w
                if (r, c) in taps:
                    assert got == fr.WINDOW_FILL, (idx, r, c, got)
                elif inside:
                    assert got == fr.WHITE, (idx, r, c, got)
                else:
                    assert got in (fr.PAD_FILL, fr.EXTRA_FILL), (idx, r, c, got)
        # the output fills in: positions up to idx are coloured, later ones still blank
        for q in range(plane):
            got = color(img, lay["output"], *divmod(q, wo))
            assert got == (fr.OUT_NEW if q == idx else fr.OUT_FILL if q < idx else fr.WHITE)


def test_ceil_mode_extra_cells_are_marked() -> None:
    e = minitorch.explain("max_pool2d", input_size=(1, 1, 5, 5), kernel_size=2, ceil_mode=True)
    img = e.frames()[0]
    origin = fr.layout(e)["inputs"][0]
    assert e.geometry["padded_hw"] == (6, 6)
    assert color(img, origin, 5, 0) == fr.EXTRA_FILL and color(img, origin, 0, 5) == \
        fr.EXTRA_FILL and color(img, origin, 4, 4) == fr.WHITE


def test_max_pool_gradient_lands_on_the_maximum() -> None:
    e = minitorch.explain("max_pool2d", input_size=(1, 1, 4, 4), kernel_size=2, input="randn")
    x = torch.tensor(e.tensors["input"])
    _, idx = F.max_pool2d(x, 2, return_indices=True)
    lay = fr.layout(e, "backward")
    for k, img in enumerate(e.frames("backward")):
        r, c = divmod(int(idx.reshape(-1)[k]), 4)
        assert color(img, lay["inputs"][0], r, c) == fr.GRAD_NEW


def test_gif_and_png_files(tmp_path: Path) -> None:
    e = minitorch.explain("conv2d", input_size=(1, 1, 4, 5), kernel_size=2, stride=(1, 2))
    gif = e.save_gif(str(tmp_path / "conv.gif"))
    n = int(np.prod(e.tensors["output"].shape))
    with Image.open(gif) as im:
        assert im.n_frames == n and im.size == fr.layout(e)["size"]
    back = e.save_gif(str(tmp_path / "back.gif"), phase="backward")
    with Image.open(back) as im:
        assert im.n_frames == n
    paths = e.save_frames(str(tmp_path / "frames"))
    assert len(paths) == n and all(Path(p).read_bytes()[:4] == b"\x89PNG" for p in paths)
    with pytest.raises(ValueError, match="no sliding window"):
        minitorch.explain("relu").frames()


def test_avg_pool_gradient_reaches_only_input_pixels_of_the_window() -> None:
    e = minitorch.explain("avg_pool2d", input_size=(1, 1, 5, 5), kernel_size=3, stride=2,
                          padding=1, ceil_mode=True)
    lay = fr.layout(e, "backward")
    hp, wp = e.geometry["padded_hw"]
    for k, img in enumerate(e.frames("backward")):
        i, j = divmod(k, 3)
        for r in range(hp):
            for c in range(wp):
                inside = 1 <= r <= 5 and 1 <= c <= 5
                hit = inside and 2 * i <= r < 2 * i + 3 and 2 * j <= c < 2 * j + 3
                assert (color(img, lay["inputs"][0], r, c) == fr.GRAD_NEW) == hit, (k, r, c)
