"""The floors of the house import only the floors below them: the Tensor, autograd, the
backends and shapes.py never import nn (or anything else above them), and the emulator's
build and launcher modules share the C ABI through ``abi.py`` instead of importing each
other. Checked on the source (every ``import`` statement, also those inside functions)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator, List

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "minitorch"
ABOVE_THE_CORE = ("minitorch.nn", "minitorch.optim", "minitorch.utils", "minitorch.vision",
                  "minitorch.cli", "minitorch.parity")


def _imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _core_files() -> List[Path]:
    files = [PACKAGE / "shapes.py"]
    for floor in ("tensor", "autograd", "backends"):
        files += sorted((PACKAGE / floor).rglob("*.py"))
    return files


@pytest.mark.parametrize("path", _core_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_core_imports_nothing_above_it(path: Path) -> None:
    upward = [name for name in _imports(path)
              if any(name == up or name.startswith(up + ".") for up in ABOVE_THE_CORE)
              or name == "minitorch.nn"]
    assert upward == []


def test_the_detector_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from minitorch.nn import functional as F\n")
    assert "minitorch.nn.functional" in set(_imports(module))


def test_emulator_build_and_launcher_do_not_import_each_other() -> None:
    emulator = PACKAGE / "backends" / "cuda" / "emulator"
    build, launcher = set(_imports(emulator / "build.py")), set(_imports(emulator / "launcher.py"))
    assert not any("emulator.launcher" in name for name in build)
    assert "minitorch.backends.cuda.emulator.abi" in build
    assert "minitorch.backends.cuda.emulator.abi" in launcher
