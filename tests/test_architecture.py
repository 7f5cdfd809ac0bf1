"""The pipeline's shape: one stage per module, and only render.py wires stages together."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "listen"
STAGES = ("article", "segment", "speak", "assemble", "master", "tags", "transcript")
"""load -> build_script -> speak -> assemble -> master -> tags -> transcript."""
PART_OF = {"listen.htmlreader": "article", "listen.fetch": "article", "listen.early": "master"}
"""Helper modules that belong to a stage and may use its module (fetch reads a page it fetched;
early masters and encodes an episode while it is laid out)."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every listen module ``path`` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("listen")}


MODULES = {_module_name(p): _imports(p) for p in sorted(SRC.rglob("*.py"))}


def test_the_assembler_imports_no_engine() -> None:
    assert [m for m in MODULES["listen.assemble"] if m.startswith("listen.tts")] == []
    assert "listen.master" not in MODULES["listen.assemble"]


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m != "listen.render"))
def test_only_render_wires_stages(module: str) -> None:
    own = PART_OF.get(module, module.removeprefix("listen."))
    stages = {f"listen.{s}" for s in STAGES if s != own}
    assert MODULES[module] & stages == set()


def test_render_wires_every_stage() -> None:
    assert {f"listen.{s}" for s in STAGES} <= MODULES["listen.render"]
