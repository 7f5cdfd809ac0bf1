"""A published folder for the player tests, until ``listen publish`` exists: three articles
rendered with the real espeak-ng voice, laid out as publish will (``audio/`` beside the pages),
the site built by :func:`listen.site.build_site`, served by a real ``listen serve`` process,
and a real Chromium (Debian's) driven by Playwright.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

import pytest
from demo_site import DemoSite, build_demo_site
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, Request, sync_playwright

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> DemoSite:
    """Render the three articles with espeak and build the site around them (about a minute)."""
    return build_demo_site(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def site(demo_folder: DemoSite) -> Iterator[DemoSite]:
    """The demo folder served by a real ``listen serve`` process on 127.0.0.1."""
    command = [sys.executable, "-m", "listen", "serve", str(demo_folder.folder), "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None
            base = proc.stdout.readline().split(" at ")[1].split()[0]
            yield replace(demo_folder, base=base)
        finally:
            proc.terminate()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=["--autoplay-policy=no-user-gesture-required"],
    )
    yield browser
    browser.close()


@dataclass
class Watch:
    """What a page did that it must not: console errors, requests to another host, dialogs."""

    host: str
    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(f"{message.type}: {message.text}")

    def request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme != "data" and parts.netloc != self.host:
            self.foreign.append(request.url)


@pytest.fixture
def watch(site: DemoSite) -> Watch:
    return Watch(urlsplit(site.base).netloc)


@pytest.fixture
def page(browser: Browser, site: DemoSite, watch: Watch) -> Iterator[Page]:
    """A fresh page (own storage) in light mode; no console error, foreign request or dialog."""
    context = browser.new_context(color_scheme="light", viewport={"width": 900, "height": 900})
    page = context.new_page()
    page.on("console", watch.console)
    page.on("pageerror", lambda exc: watch.errors.append(f"page error: {exc}"))
    page.on("request", watch.request)
    page.on("dialog", lambda dialog: (watch.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()
    assert watch.errors == []
    assert watch.foreign == []
    assert watch.dialogs == []
