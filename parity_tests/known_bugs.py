"""Kernel bugs found by the parity suite in backends this suite does not own (numba, cuda).

Each entry marks the matching test ``xfail(strict=True)``: when the kernel's owner fixes the
bug, the test passes, strict xfail turns that into a failure, and the entry must be removed.

Key: (backend, case name, dtype) — ``"*"`` matches any dtype.
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple

_CE_SMOOTH_NAN = ("cross_entropy_forward adds (ε/C)·Σ_c w[c]·(-logp[n,c]) even when ε = 0, so a "
                  "-inf logit on a non-target class gives 0·inf = nan instead of torch's finite "
                  "loss")
_CE_IGNORED_ZERO = ("cross_entropy_backward writes 0 for an ignored row; torch backpropagates 0 "
                    "through log_softmax, so a NaN logit in that row gives NaN (0·nan)")
_CUDA = " (the same softmax.cu kernel as cuda-emulated; not run without a GPU)"

KNOWN: Dict[Tuple[str, str, str], str] = {
    **{(backend, "cross_entropy_neg_inf_logits", "*"): _CE_SMOOTH_NAN + note
       for backend, note in (("numba", ""), ("cuda-emulated", ""), ("cuda", _CUDA))},
    **{(backend, "cross_entropy_ignored_nan_row_ls", "*"): _CE_IGNORED_ZERO + note
       for backend, note in (("numba", ""), ("cuda-emulated", ""), ("cuda", _CUDA))},
}


def known_bug(backend: str, case: str, dtype: str) -> Optional[str]:
    return KNOWN.get((backend, case, dtype)) or KNOWN.get((backend, case, "*"))
