"""Kernel bugs found by the parity suite in backends this suite does not own (numba, cuda).

Each entry marks the matching test ``xfail(strict=True)``: when the kernel's owner fixes the
bug, the test passes, strict xfail turns that into a failure, and the entry must be removed.

Key: (backend, case name, dtype) — ``"*"`` matches any dtype.
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple

KNOWN: Dict[Tuple[str, str, str], str] = {}  # none open


def known_bug(backend: str, case: str, dtype: str) -> Optional[str]:
    return KNOWN.get((backend, case, dtype)) or KNOWN.get((backend, case, "*"))
