"""listen publish over HTTP: feeds, news sitemaps and WordPress APIs served on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from httpsite import Route, Site, serving
from test_fetch import PAGES, _wordpress
from test_publish import serial
from test_publish_cli import assert_consistent, publish_command

from listen.catalogue import Catalogue
from listen.fetch import FetchSettings
from listen.publish import PublishSummary, publish, publish_request

pytestmark = pytest.mark.slow

BASE = "https://cdn.example.org/show/"


@pytest.fixture
def site() -> Iterator[Site]:
    with serving() as site:
        for path, (name, validators) in PAGES.items():
            site.file(path, name, **validators)
        site.file("/feed.xml", "rss-links.xml", etag='"links-1"')
        site.file("/full.xml", "rss-fulltext.xml", last_modified="Tue, 01 Dec 2026 06:00:00 GMT")
        site.file("/sitemap.xml", "sitemap-news.xml", etag='"sitemap-1"')
        _wordpress(site)
        yield site


def run(
    sources: list[str], out: Path, show_dir: Path, *hosts: str, timeout: float = 30.0
) -> PublishSummary:
    request = publish_request(sources, out, show_dir / "listen.toml", base_url=BASE, voice="espeak")
    show = replace(request.show, allowed_hosts=hosts)
    return publish(replace(request, show=show, fetch=FetchSettings(read_timeout=timeout)), serial)


def publish_json(source: str | Path, out: Path, show_dir: Path) -> tuple[int, dict[str, object]]:
    command = publish_command(Path("."), out, show_dir, "--json")
    command[command.index("publish") + 1] = str(source)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.stderr.count("Traceback") == 0, done.stderr
    return done.returncode, json.loads(done.stdout)


def mixed_feed(site: Site, *links: str) -> str:
    items = "".join(
        f"<item><title>Item {i}</title><link>{x}</link></item>" for i, x in enumerate(links)
    )
    body = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'
    )
    site.routes["/mixed.xml"] = Route(body.encode(), content_type="application/rss+xml", etag='"m"')
    return site.url("/mixed.xml")


def test_a_feed_by_url_then_conditional_runs_that_render_nothing(
    site: Site, tmp_path: Path, show_dir: Path
) -> None:
    out = tmp_path / "site"
    pages = sorted(site.url(p) for p in ("/news/harbour-ferry.html", "/news/library-hours.html"))
    code, summary = publish_json(site.url("/feed.xml"), out, show_dir)
    assert code == 0 and sorted(summary["rendered"]) == pages
    assert sorted(assert_consistent(out)) == pages  # the guids are the article URLs
    site.seen.clear()
    code, summary = publish_json(site.url("/feed.xml"), out, show_dir)
    assert (code, summary["rendered"], summary["orphaned"]) == (0, [], [])
    [listing] = site.seen
    assert (listing.path, listing.status) == ("/feed.xml", 304)
    assert listing.headers["If-None-Match"] == '"links-1"'
    site.file("/feed.xml", "rss-links.xml", etag='"links-2"')  # the feed changes, its pages not
    site.seen.clear()
    code, summary = publish_json(site.url("/feed.xml"), out, show_dir)
    assert (code, summary["rendered"], summary["skipped"], summary["orphaned"]) == (0, [], 2, [])
    [ferry] = site.requests("/news/harbour-ferry.html")
    [library] = site.requests("/news/library-hours.html")
    assert (ferry.status, ferry.headers["If-None-Match"]) == (304, '"ferry-1"')
    assert library.status == 304
    assert library.headers["If-Modified-Since"] == "Sun, 29 Nov 2026 09:00:00 GMT"
    assert sorted(assert_consistent(out)) == pages


def test_full_text_feed_news_sitemap_and_wordpress_api_in_one_run(
    site: Site, tmp_path: Path, show_dir: Path
) -> None:
    out = tmp_path / "site"
    listings = [site.url("/full.xml"), site.url("/sitemap.xml"), site.url("/wp-json/wp/v2/posts")]
    summary = run(listings, out, show_dir)
    expected = {
        site.url("/2026/12/bridge-works.html"),
        site.url("/2026/12/choir-organ.html"),
        site.url("/news/orchard-harvest.html"),
        site.url("/news/harbour-ferry.html"),
        site.url("/tide-gauge/"),
        site.url("/market-hall/"),
        site.url("/night-bus/"),
    }
    assert (set(summary.rendered), summary.failed) == (expected, ())
    assert set(assert_consistent(out)) == expected
    with Catalogue(out) as catalogue:
        titles = {r.id: r.title for r in catalogue.all()}
    assert titles[site.url("/tide-gauge/")] == "Tide gauge & sea wall checked"
    assert titles[site.url("/2026/12/bridge-works.html")] == "Bridge & road works end a week early"
    site.seen.clear()
    again = run(listings, out, show_dir)
    assert (again.rendered, again.failed, again.orphaned) == ((), (), ())
    assert [s.path for s in site.seen if s.status == 200] == []
    asked = {s.path: s.headers for s in site.seen if s.status == 304}
    assert asked["/full.xml"]["If-Modified-Since"] == "Tue, 01 Dec 2026 06:00:00 GMT"
    assert asked["/sitemap.xml"]["If-None-Match"] == '"sitemap-1"'
    assert asked["/wp-json/wp/v2/posts"]["If-None-Match"].startswith('"wp-page-')


def test_a_refused_host_a_server_error_a_timeout_and_a_missing_source_fail_alone(
    site: Site, tmp_path: Path, show_dir: Path
) -> None:
    out = tmp_path / "site"
    ferry = site.url("/news/harbour-ferry.html")
    elsewhere = f"http://localhost:{site.port}/news/library-hours.html"
    site.routes["/broken.html"] = Route(b"oops", status=500)
    site.routes["/slow.html"] = Route(b"<p>late</p>", delay=2.0)
    broken, slow, missing = site.url("/broken.html"), site.url("/slow.html"), site.url("/gone.xml")
    feed = mixed_feed(site, ferry, elsewhere, broken, slow)
    summary = run([feed, missing], out, show_dir, timeout=0.5)
    assert summary.rendered == (ferry,)
    failed = dict(summary.failed)
    assert list(failed) == [elsewhere, broken, slow, missing]
    assert failed[elsewhere] == (
        f"Refused to fetch '{elsewhere}': its host 'localhost' is neither the source's host nor "
        'in allowed_hosts; add "localhost" to allowed_hosts in listen.toml to fetch it'
    )
    assert failed[broken].endswith("HTTP 500 Internal Server Error")
    assert "did not answer within 0.5 s" in failed[slow]
    assert failed[missing].startswith(f"Could not fetch '{missing}'")
    with Catalogue(out) as catalogue:  # the feed must be read again: some articles failed
        assert catalogue.validators(ferry) is not None and catalogue.validators(feed) is None
    site.file("/broken.html", "orchard-harvest.html")
    site.routes["/slow.html"] = Route(b"<p>The slow page answers in time today, in full.</p>")
    site.seen.clear()
    retry = run([feed], out, show_dir, "localhost")
    assert set(retry.rendered) == {elsewhere, broken, slow}
    assert (retry.failed, retry.orphaned) == ((), ())
    assert site.requests("/news/harbour-ferry.html")[0].status == 304
    with Catalogue(out) as catalogue:
        assert catalogue.validators(feed) is not None


def test_a_saved_feed_file_on_the_command_line_fails_with_exit_1_for_a_refused_link(
    site: Site, tmp_path: Path, show_dir: Path
) -> None:
    config = show_dir / "listen.toml"
    config.write_text(
        config.read_text().replace("allowed_hosts = []", 'allowed_hosts = ["127.0.0.1"]')
    )
    ferry = site.url("/news/harbour-ferry.html")
    elsewhere = f"http://localhost:{site.port}/news/library-hours.html"
    feed = tmp_path / "feed.rss"
    feed.write_bytes(site.file("/feed.xml", "rss-links.xml").body)
    feed.write_text(feed.read_text().replace(site.url("/news/library-hours.html"), elsewhere))
    code, summary = publish_json(feed, tmp_path / "site", show_dir)
    assert code == 1
    assert summary["rendered"] == [ferry]
    assert [f["id"] for f in summary["failed"]] == [elsewhere]
    assert "allowed_hosts" in summary["failed"][0]["error"]
    assert list(assert_consistent(tmp_path / "site")) == [ferry]
