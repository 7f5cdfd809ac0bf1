"""Running ``listen`` as a user would, and what a refused input must look like."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from listen.cli import main

ESPEAK = ("--voice", "espeak")


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` with its bytes, every folder as ``b"<dir>"`` (empty when
    ``directory`` does not exist)."""
    if not directory.exists():
        return {}
    return {
        str(p.relative_to(directory)): b"<dir>" if p.is_dir() else p.read_bytes()
        for p in sorted(directory.rglob("*"))
    }


def assert_refused(result: Result, error: str, out: Path, before: dict[str, bytes]) -> None:
    """Exit 1, exactly the one ``Error:`` line given, no traceback, the output folder as before."""
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert (result.exit_code, errors) == (1, [error]), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == ""
    assert snapshot(out) == before


def write_article(folder: Path, title: str, *front: str, body: str | None = None) -> Path:
    """A small Markdown article in its own folder, with extra front-matter lines."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "article.md"
    lines = ["---", f'title: "{title}"', *front, "---", ""]
    text = body or "The council met on Tuesday. It approved the bridge repairs by six votes to one."
    path.write_text("\n".join(lines) + text + "\n", encoding="utf-8")
    return path
