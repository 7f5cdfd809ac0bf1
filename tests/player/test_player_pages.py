"""The published pages in real Chromium: accessibility audit, escaping, screenshot."""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from demo_site import XSS, DemoSite
from playwright.sync_api import Page

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "player.png"


def _ready(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_function(
        "[...document.querySelectorAll('listen-player')].every(p => p.audio && "
        "p.audio.readyState >= 1 && p.chapters.length)"
    )


def _violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in results.response["violations"]
    ]


def test_axe_finds_no_violation_on_the_article_page(page: Page, site: DemoSite) -> None:
    _ready(page, site.url(f"{site.long.slug}/"))
    page.click(".lp-transcript [data-start] >> nth=3")  # playing, a sentence highlighted
    page.wait_for_selector("[aria-current=true]")
    page.click(".lp-play")
    assert _violations(page) == []


def test_axe_finds_no_violation_on_the_show_page(page: Page, site: DemoSite) -> None:
    _ready(page, site.url())
    assert page.locator("listen-player").count() == 3
    assert _violations(page) == []


def test_axe_finds_no_violation_on_the_embed_page(page: Page, site: DemoSite) -> None:
    _ready(page, site.url(f"embed/{site.short.slug}.html"))
    assert _violations(page) == []


def test_axe_finds_no_violation_in_dark_mode(page: Page, site: DemoSite) -> None:
    page.emulate_media(color_scheme="dark")
    _ready(page, site.url(f"{site.long.slug}/"))
    background = page.evaluate("getComputedStyle(document.querySelector('listen-player')).color")
    assert background == "rgb(236, 236, 236)"
    assert _violations(page) == []


@pytest.mark.parametrize("path", ["", "{slug}/", "embed/{slug}.html"])
def test_a_title_with_markup_is_text_and_runs_nothing(
    page: Page, site: DemoSite, path: str
) -> None:
    """The page fixture fails the test if any alert() opens a dialog."""
    _ready(page, site.url(path.format(slug=site.xss.slug)))
    page.wait_for_timeout(300)
    assert page.locator("img").count() == 0
    assert page.locator("body script").count() == 0
    assert page.locator("b").count() == 0
    body = page.text_content("body") or ""
    assert XSS in body or path.startswith("embed")
    assert page.get_attribute(f"listen-player[data-id='{site.xss.slug}']", "data-title") == XSS
    if path:
        assert XSS in page.title()
    if path == "{slug}/":
        assert page.text_content("h1") == XSS
        assert page.locator("h1 + .meta").text_content().startswith("By <script>alert(2)</script>")
        assert "A short story about alert(4) markup." in body  # the reader drops the tags
        assert XSS in (page.text_content(".lp-transcript") or "")


def test_oembed_escapes_the_title_in_its_html(site: DemoSite) -> None:
    url = site.url(f"oembed/{site.xss.slug}.json")
    with urllib.request.urlopen(url) as response:
        assert response.headers["Content-Type"] == "application/json+oembed"
        data = json.load(response)
    assert data["title"] == XSS
    assert data["type"] == "rich"
    assert "<img" not in data["html"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in data["html"]
    assert f'src="https://news.example/listen/embed/{site.xss.slug}.html"' in data["html"]


def test_screenshot_of_the_article_page(page: Page, site: DemoSite, tmp_path: Path) -> None:
    """A PNG of the player on the article page, in light mode, a sentence highlighted.

    ``LISTEN_SCREENSHOT=docs/player.png`` also copies it there, for the README.
    """
    page.set_viewport_size({"width": 960, "height": 820})
    _ready(page, site.url(f"{site.long.slug}/"))
    sentence = page.locator(".lp-transcript [data-start]").nth(6)
    sentence.click()
    start = float(sentence.get_attribute("data-start") or 0)
    page.wait_for_function(f"document.querySelector('audio').currentTime > {start + 1}")
    page.click(".lp-play")
    page.mouse.move(0, 0)
    shot = tmp_path / "player.png"
    page.screenshot(path=str(shot))
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[16:20], "big") == 960
    assert len(data) > 30_000  # a rendered page, not a blank one
    if os.environ.get("LISTEN_SCREENSHOT"):
        shutil.copyfile(shot, ROOT / os.environ["LISTEN_SCREENSHOT"])
