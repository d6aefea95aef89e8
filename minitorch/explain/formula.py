"""The output-size formula of a convolution or pooling window, with the numbers filled in.

    out = ⌊(in + pad_before + pad_after − dilation·(kernel − 1) − 1) / stride⌋ + 1

written as the tutorial writes it, ``⌊(in − kernel + 2·padding)/stride⌋ + 1``, with the
effective kernel ``(dilation·(kernel−1)+1)`` when dilated; ``⌈⌉`` with ``ceil_mode``, where a
last window that would start inside the right padding is dropped (PyTorch's rule).
"""

from __future__ import annotations

from typing import Tuple

from minitorch import shapes


def size_formula(size: int, kernel: int, stride: int, pad_before: int, pad_after: int,
                 dilation: int = 1, ceil_mode: bool = False) -> Tuple[str, int]:
    """(text, out) for one axis, e.g. ``("⌊(5 − 3 + 2·1)/2⌋ + 1 = 3", 3)``."""
    k = f"{kernel}" if dilation == 1 else f"({dilation}·({kernel}−1)+1)"
    p = f"2·{pad_before}" if pad_before == pad_after else f"{pad_before}+{pad_after}"
    if ceil_mode:
        out = shapes.pool_output_size(size, kernel, stride, pad_before, dilation, True)
        raw = -(-(size + 2 * pad_before - dilation * (kernel - 1) - 1) // stride) + 1
        note = "" if raw == out else f" (not {raw}: the last window would start in the padding)"
        return f"⌈({size} − {k} + {p})/{stride}⌉ + 1 = {out}{note}", out
    out = shapes.conv_output_size(size, kernel, stride, pad_before + pad_after, dilation)
    return f"⌊({size} − {k} + {p})/{stride}⌋ + 1 = {out}", out
