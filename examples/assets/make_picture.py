"""Draw ``picture.png``, the small colourful picture the tutorial examples load.

It is generated, not photographed, so it can ship with the examples: a sky gradient, a
sun, hills and a house, 64×48 pixels. Run ``python examples/assets/make_picture.py`` to
draw it again (the result is the same every time).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

WIDTH, HEIGHT = 64, 48


def make_picture(width: int = WIDTH, height: int = HEIGHT) -> Image.Image:
    """The picture, drawn 4× larger and shrunk for smooth edges."""
    scale = 4
    w, h = width * scale, height * scale
    t = np.linspace(0.0, 1.0, h)[:, None, None]
    sky = (1 - t) * np.array([40, 110, 230]) + t * np.array([250, 190, 120])
    img = Image.fromarray(np.broadcast_to(sky, (h, w, 3)).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    draw.ellipse([0.68 * w, 0.08 * h, 0.88 * w, 0.35 * h], fill=(255, 220, 40))  # sun
    draw.ellipse([-0.3 * w, 0.55 * h, 0.6 * w, 1.6 * h], fill=(60, 160, 70))     # hills
    draw.ellipse([0.35 * w, 0.62 * h, 1.4 * w, 1.7 * h], fill=(30, 120, 50))
    draw.rectangle([0.15 * w, 0.52 * h, 0.38 * w, 0.8 * h], fill=(200, 60, 50))  # house
    draw.polygon([(0.12 * w, 0.53 * h), (0.265 * w, 0.36 * h), (0.41 * w, 0.53 * h)],
                 fill=(120, 40, 40))
    draw.rectangle([0.24 * w, 0.64 * h, 0.29 * w, 0.8 * h], fill=(90, 50, 20))   # door
    return img.resize((width, height), Image.Resampling.LANCZOS)


if __name__ == "__main__":
    path = Path(__file__).with_name("picture.png")
    make_picture().save(path, optimize=True)
    print(f"wrote {path} ({path.stat().st_size} bytes)")
