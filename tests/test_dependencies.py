"""Every third-party module listen imports is a declared dependency (or an optional extra)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "listen"


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = [
        r for name, reqs in project["optional-dependencies"].items() if name != "test" for r in reqs
    ]
    return {
        _canonical(re.match(r"[A-Za-z0-9_.-]+", r)[0]) for r in project["dependencies"] + extras
    }  # type: ignore[index]


def _imported() -> dict[str, str]:
    """Top-level module -> the first file that imports it, for modules outside the stdlib."""
    found: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top != "listen" and top not in sys.stdlib_module_names:
                    found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def test_every_import_is_declared() -> None:
    declared = _declared()
    distributions = packages_distributions()
    undeclared = {
        module: where
        for module, where in _imported().items()
        if not {_canonical(d) for d in distributions.get(module, [module])} & declared
    }
    assert undeclared == {}


def test_scipy_is_declared_and_imported() -> None:
    assert "scipy" in _declared() and "scipy" in _imported()
