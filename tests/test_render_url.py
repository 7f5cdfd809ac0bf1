"""`listen render URL`: a page fetched from 127.0.0.1 gives the saved page's episode."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from clitools import ESPEAK, assert_refused, run, snapshot
from httpsite import DATA, Route, Site, serving


@pytest.fixture
def site() -> Iterator[Site]:
    with serving() as site:
        site.file("/news/harbour-ferry.html", "harbour-ferry.html")
        yield site


def _render(source: str | Path, out: Path) -> list[dict[str, object]]:
    """``listen render --json`` in its own process, as a user runs it."""
    command = [sys.executable, "-m", "listen", "render", str(source), *ESPEAK, "-o", str(out)]
    proc = subprocess.run([*command, "--json"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return list(json.loads(proc.stdout))


def _sentences(timing: dict[str, object]) -> list[tuple[str, float, float]]:
    paragraphs = timing["paragraphs"]
    assert isinstance(paragraphs, list)
    return [(s["text"], s["start"], s["end"]) for p in paragraphs for s in p["sentences"]]


@pytest.mark.slow
def test_rendering_a_url_gives_the_saved_pages_episode(site: Site, tmp_path: Path) -> None:
    saved = tmp_path / "saved" / "harbour-ferry.html"
    saved.parent.mkdir()
    shutil.copy(DATA / "harbour-ferry.html", saved)
    url = site.url("/news/harbour-ferry.html")
    [from_url] = _render(url, tmp_path / "from-url")
    [from_file] = _render(saved, tmp_path / "from-file")
    assert from_url["duration"] == from_file["duration"] > 10
    slug = "harbour-ferry-returns-after-winter-repairs"
    files = [tmp_path / d / slug / f"{slug}.json" for d in ("from-url", "from-file")]
    timings = [json.loads(f.read_text()) for f in files]
    assert _sentences(timings[0]) == _sentences(timings[1])
    assert _sentences(timings[0])[1][0].startswith("The small ferry that links the old harbour")
    assert timings[0]["url"] == url
    assert [s.path for s in site.seen] == ["/news/harbour-ferry.html"]


@pytest.mark.parametrize(
    ("path", "route", "error"),
    [
        ("/gone.html", Route(b"gone", status=404), "Could not fetch '{url}': HTTP 404 Not Found"),
        (
            "/away.html",
            Route(status=302, headers={"Location": "https://elsewhere.example/x.html"}),
            "Refused to fetch '{url}': it redirects to 'https://elsewhere.example/x.html', on "
            "host 'elsewhere.example', which is not allowed; add \"elsewhere.example\" to "
            "allowed_hosts in listen.toml to follow it",
        ),
        (
            "/tiny.html",
            Route(b"x" * 2000),
            "Could not fetch '{url}': it is over the 1 KB size limit; "
            "raise the limit with --max-file-size",
        ),
    ],
)
def test_a_page_that_cannot_be_fetched_is_one_error_line(
    site: Site, out_dir: Path, path: str, route: Route, error: str
) -> None:
    site.routes[path] = route
    url = site.url(path)
    before = snapshot(out_dir)
    result = run("render", url, *ESPEAK, "-o", out_dir, "--max-file-size", "1KB")
    assert_refused(result, "Error: " + error.format(url=url), out_dir, before)
