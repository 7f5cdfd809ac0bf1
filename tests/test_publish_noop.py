"""A publish run with nothing new is cheap: it imports no render machinery and rewrites no
file of the published folder (the feed, pages and catalogue are compared, not rebuilt)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_publish import run, write_article

pytestmark = pytest.mark.slow

RENDERING = (
    "scipy",
    "listen.task",
    "listen.render",
    "listen.master",
    "listen.speak",
    "onnxruntime",
)

_PUBLISH = """
import json, sys
from listen.cli import main
main({args!r}, prog_name="listen", standalone_mode=False)
print(json.dumps(sorted(sys.modules)))
"""


def _files(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*")}


def _publish_modules(
    articles: Path, out: Path, show_dir: Path
) -> tuple[dict[str, object], list[str]]:
    args = [
        "publish", str(articles), "--out", str(out), "--config", str(show_dir / "listen.toml"),
        "--base-url", "https://cdn.example.org/show/", "--voice", "espeak", "--json",
    ]  # fmt: skip
    code = _PUBLISH.format(args=args)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    summary, _, modules = done.stdout.rstrip("\n").rpartition("\n")
    return json.loads(summary), json.loads(modules)


def test_a_noop_publish_imports_no_renderer_and_writes_nothing(
    tmp_path: Path, show_dir: Path
) -> None:
    articles, out = tmp_path / "articles", tmp_path / "site"
    articles.mkdir()
    for day in (1, 2):
        write_article(articles, f"story-{day}", day)
    assert len(run(articles, out, show_dir).rendered) == 2
    before = _files(out)
    summary, modules = _publish_modules(articles, out, show_dir)
    assert summary["skipped"] == 2 and summary["rendered"] == []
    assert [m for m in modules if m in RENDERING or m.split(".")[0] in RENDERING] == []
    assert _files(out) == before
    write_article(articles, "story-2", 2, first="The opening paragraph of story two, corrected.")
    summary, modules = _publish_modules(articles, out, show_dir)
    assert summary["rendered"] == ["story-2.md"] and "listen.task" in modules
    assert _files(out) != before
