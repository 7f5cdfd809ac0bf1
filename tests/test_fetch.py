"""HTTP ingest against a real server on 127.0.0.1: feeds, sitemaps, WordPress, and refusals."""

from __future__ import annotations

import gzip
import json
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from httpsite import DATA, Route, Site, serving

from listen import __version__
from listen.article import load
from listen.errors import FetchError
from listen.fetch import (
    FetchedArticle,
    FetchResult,
    FetchSettings,
    MemoryValidatorStore,
    fetch_page,
    fetch_source,
    page_name,
)
from listen.models import Article

PAGES = {
    "/news/harbour-ferry.html": ("harbour-ferry.html", {"etag": '"ferry-1"'}),
    "/news/library-hours.html": (
        "library-hours.html",
        {"last_modified": "Sun, 29 Nov 2026 09:00:00 GMT"},
    ),
    "/news/orchard-harvest.html": ("orchard-harvest.html", {"etag": '"orchard-1"'}),
}


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


def _wordpress(site: Site) -> None:
    posts = [
        _post(site, "tide-gauge", "Tide gauge &#038; sea wall checked", "Ana Ruiz", 1),
        _post(site, "market-hall", "Market hall gets a new roof", "Leo Brandt", 2),
        _post(site, "night-bus", "Night bus trial is extended", "Ana Ruiz", 3),
    ]
    pages = {"1": posts[:2], "2": posts[2:]}

    def answer(query: dict[str, list[str]]) -> Route:
        number = query.get("page", ["1"])[0]
        if number not in pages:
            body = b'{"code":"rest_post_invalid_page_number"}'
            return Route(body, status=400, content_type="application/json")
        return Route(
            json.dumps(pages[number]).encode(),
            content_type="application/json",
            etag=f'"wp-page-{number}"',
            headers={"X-WP-Total": "3", "X-WP-TotalPages": "2"},
        )

    site.routes["/wp-json/wp/v2/posts"] = answer


def _post(site: Site, slug: str, title: str, author: str, day: int) -> dict[str, object]:
    text = (
        f"<p>Officials said on day {day} that the work on the {slug.replace('-', ' ')} "
        "went to plan and cost less than expected.</p>"
        "<p>Residents were invited to a public meeting next month to hear the details.</p>"
    )
    return {
        "id": day,
        "date_gmt": f"2026-11-{20 + day}T08:00:00",
        "link": site.url(f"/{slug}/"),
        "title": {"rendered": title},
        "content": {"rendered": text, "protected": False},
        "_embedded": {"author": [{"id": 1, "name": author}]},
    }


def _read(article: FetchedArticle, tmp_path: Path) -> Article:
    path = tmp_path / article.name
    path.write_bytes(article.data)
    return load(path)


def _titles(result: FetchResult, tmp_path: Path) -> list[str]:
    return [_read(a, tmp_path).title for a in result.articles]


# ---------------------------------------------------------------- every kind of source


def test_rss_with_links_fetches_each_page(site: Site, tmp_path: Path) -> None:
    result = fetch_source(site.url("/feed.xml"), MemoryValidatorStore())
    assert result.failures == ()
    assert [a.key for a in result.articles] == [
        site.url("/news/harbour-ferry.html"),
        site.url("/news/library-hours.html"),
    ]
    assert result.articles[0].data == (DATA / "harbour-ferry.html").read_bytes()
    assert _titles(result, tmp_path) == [
        "Harbour ferry returns after winter repairs",
        "Library opens late for exam season",
    ]
    agents = {s.headers["User-Agent"] for s in site.seen}
    assert agents == {f"listen/{__version__} (+https://github.com/listen-audio/listen)"}


def test_rss_full_text_needs_no_page(site: Site, tmp_path: Path) -> None:
    result = fetch_source(site.url("/full.xml"), MemoryValidatorStore())
    assert [s.path for s in site.seen] == ["/full.xml"]
    first = _read(result.articles[0], tmp_path)
    assert (first.title, first.author, first.date) == (
        "Bridge & road works end a week early",
        "Petra Lund",
        "2026-12-01",
    )
    assert first.paragraphs[0].startswith("The river bridge on the valley road reopened")
    assert "never read" not in result.articles[0].data.decode()
    assert _read(result.articles[1], tmp_path).author == "Samir Okafor"
    assert result.articles[0].key == site.url("/2026/12/bridge-works.html")


def test_news_sitemap(site: Site, tmp_path: Path) -> None:
    result = fetch_source(site.url("/sitemap.xml"), MemoryValidatorStore())
    assert _titles(result, tmp_path) == [
        "Orchards report a late but heavy apple harvest",
        "Harbour ferry returns after winter repairs",
    ]
    assert _read(result.articles[0], tmp_path).author == "Ines Varga"


def test_wordpress_api_two_pages(site: Site, tmp_path: Path) -> None:
    result = fetch_source(site.url("/wp-json/wp/v2/posts"), MemoryValidatorStore())
    pages = [s.query["page"] for s in site.requests("/wp-json/wp/v2/posts")]
    assert pages == [["1"], ["2"]]
    articles = [_read(a, tmp_path) for a in result.articles]
    assert [(a.title, a.author, a.date) for a in articles] == [
        ("Tide gauge & sea wall checked", "Ana Ruiz", "2026-11-21"),
        ("Market hall gets a new roof", "Leo Brandt", "2026-11-22"),
        ("Night bus trial is extended", "Ana Ruiz", "2026-11-23"),
    ]
    assert [a.key for a in result.articles][2] == site.url("/night-bus/")


# ---------------------------------------------------------------- conditional requests


@pytest.mark.parametrize("path", ["/feed.xml", "/full.xml", "/sitemap.xml", "/wp-json/wp/v2/posts"])
def test_second_run_is_conditional_and_fetches_nothing(site: Site, path: str) -> None:
    store = MemoryValidatorStore()
    first = fetch_source(site.url(path), store)
    first.remember(store)
    assert first.articles
    site.seen.clear()
    second = fetch_source(site.url(path), store)
    assert (second.articles, second.failures) == ((), ())
    assert second.unchanged
    assert [s.status for s in site.seen if s.status == 200] == []
    conditional = site.requests(path)[0].headers
    assert "If-None-Match" in conditional or "If-Modified-Since" in conditional


def test_changed_feed_asks_each_page_conditionally(site: Site) -> None:
    store = MemoryValidatorStore()
    fetch_source(site.url("/feed.xml"), store).remember(store)
    body = site.routes["/feed.xml"].body  # type: ignore[union-attr]
    extra = f"<item><title>Orchards</title><link>{site.url('/news/orchard-harvest.html')}</link>"
    site.file("/feed.xml", "rss-links.xml", etag='"links-2"').body = body.replace(
        b"<item>", f"{extra}</item><item>".encode(), 1
    )
    site.seen.clear()
    result = fetch_source(site.url("/feed.xml"), store)
    assert [a.key for a in result.articles] == [site.url("/news/orchard-harvest.html")]
    assert set(result.unchanged) == {
        site.url("/news/harbour-ferry.html"),
        site.url("/news/library-hours.html"),
    }
    ferry = site.requests("/news/harbour-ferry.html")[0].headers
    library = site.requests("/news/library-hours.html")[0].headers
    assert ferry["If-None-Match"] == '"ferry-1"'
    assert library["If-Modified-Since"] == "Sun, 29 Nov 2026 09:00:00 GMT"
    assert "If-None-Match" not in site.requests("/news/orchard-harvest.html")[0].headers


def test_listing_validators_wait_until_nothing_failed(site: Site) -> None:
    site.routes["/news/library-hours.html"] = Route(b"broken", status=500)
    store = MemoryValidatorStore()
    result = fetch_source(site.url("/feed.xml"), store)
    result.remember(store)
    assert set(store.saved) == {site.url("/news/harbour-ferry.html")}
    site.file("/news/library-hours.html", "library-hours.html")
    retry = fetch_source(site.url("/feed.xml"), store)
    assert [a.key for a in retry.articles] == [site.url("/news/library-hours.html")]
    assert retry.unchanged == (site.url("/news/harbour-ferry.html"),)


# ---------------------------------------------------------------- refusals and failures


def _feed_of(site: Site, *links: str) -> str:
    items = "".join(
        f"<item><title>Item {i}</title><link>{x}</link></item>" for i, x in enumerate(links)
    )
    body = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'
    )
    site.routes["/mixed.xml"] = Route(body.encode(), content_type="application/rss+xml")
    return site.url("/mixed.xml")


def test_links_to_other_hosts_and_schemes_are_refused(site: Site) -> None:
    elsewhere = f"http://localhost:{site.port}/news/library-hours.html"
    feed = _feed_of(site, site.url("/news/harbour-ferry.html"), elsewhere, "ftp://127.0.0.1/x.html")
    result = fetch_source(feed, MemoryValidatorStore())
    assert [a.key for a in result.articles] == [site.url("/news/harbour-ferry.html")]
    assert [f.message for f in result.failures] == [
        f"Refused to fetch '{elsewhere}': its host 'localhost' is neither the source's host nor "
        'in allowed_hosts; add "localhost" to allowed_hosts in listen.toml to fetch it',
        "Refused to fetch 'ftp://127.0.0.1/x.html': only http and https links are fetched",
    ]
    assert not any(s.headers["Host"].startswith("localhost") for s in site.seen)
    allowed = fetch_source(feed, MemoryValidatorStore(), allowed_hosts=["LOCALHOST"])
    assert len(allowed.articles) == 2


def test_redirect_to_another_host_is_refused(site: Site) -> None:
    target = f"http://localhost:{site.port}/news/orchard-harvest.html"
    site.routes["/moved.html"] = Route(status=302, headers={"Location": target})
    result = fetch_source(_feed_of(site, site.url("/moved.html")), MemoryValidatorStore())
    assert [f.message for f in result.failures] == [
        f"Refused to fetch '{site.url('/moved.html')}': it redirects to '{target}', on host "
        "'localhost', which is not allowed; add \"localhost\" to allowed_hosts in listen.toml "
        "to follow it"
    ]
    assert site.requests("/news/orchard-harvest.html") == []


def test_server_error_and_timeout_fail_alone(site: Site) -> None:
    site.routes["/broken.html"] = Route(b"oops", status=500)
    site.routes["/slow.html"] = Route(b"<p>late</p>", delay=2.0)
    feed = _feed_of(
        site,
        site.url("/broken.html"),
        site.url("/news/orchard-harvest.html"),
        site.url("/slow.html"),
    )
    settings = FetchSettings(read_timeout=0.5)
    result = fetch_source(feed, MemoryValidatorStore(), settings=settings)
    assert [a.key for a in result.articles] == [site.url("/news/orchard-harvest.html")]
    assert [f.message for f in result.failures] == [
        f"Could not fetch '{site.url('/broken.html')}': HTTP 500 Internal Server Error",
        f"Could not fetch '{site.url('/slow.html')}': the server did not answer within 0.5 s; "
        "try again later, or raise the read timeout",
    ]


def test_six_redirects_are_refused_five_are_followed(site: Site) -> None:
    for hop in range(1, 7):
        site.routes[f"/hop/{hop}"] = Route(status=301, headers={"Location": f"/hop/{hop + 1}"})
    site.file("/hop/7", "harbour-ferry.html")
    page = fetch_page(site.url("/hop/2"))
    assert (page.url, page.key) == (site.url("/hop/7"), site.url("/hop/2"))
    with pytest.raises(FetchError) as caught:
        fetch_page(site.url("/hop/1"))
    assert str(caught.value) == (
        f"Could not fetch '{site.url('/hop/1')}': more than 5 redirects; "
        "give the address the page ends at"
    )


def test_too_large_page_is_dropped_without_reading_it_all(site: Site) -> None:
    site.routes["/huge.html"] = Route(stream=50_000_000)
    site.routes["/declared.html"] = Route(b"x" * 300_000)
    settings = FetchSettings(max_bytes=200_000)
    for path in ("/huge.html", "/declared.html"):
        with pytest.raises(FetchError) as caught:
            fetch_page(site.url(path), settings=settings)
        assert str(caught.value) == (
            f"Could not fetch '{site.url(path)}': it is over the 200 KB size limit; "
            "raise the limit with --max-file-size"
        )
    deadline = time.monotonic() + 10
    while "/huge.html" not in site.sent and time.monotonic() < deadline:
        time.sleep(0.05)  # the handler notices the closed connection on its next write
    assert site.sent["/huge.html"] < 20_000_000


def test_parallel_requests_per_host_are_limited(site: Site) -> None:
    links = []
    for n in range(6):
        site.routes[f"/slow/{n}.html"] = Route(b"<p>slow page</p>", delay=0.4)
        links.append(site.url(f"/slow/{n}.html"))
    result = fetch_source(
        _feed_of(site, *links), MemoryValidatorStore(), settings=FetchSettings(per_host=2)
    )
    assert len(result.articles) == 6
    assert site.most_active == 2


def test_feed_file_links_only_to_allowed_hosts(site: Site, tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes((DATA / "rss-links.xml").read_bytes().replace(b"@BASE@", site.base.encode()))
    refused = fetch_source(str(feed), MemoryValidatorStore())
    assert (refused.articles, len(refused.failures)) == ((), 2)
    assert 'add "127.0.0.1" to allowed_hosts' in refused.failures[0].message
    allowed = fetch_source(str(feed), MemoryValidatorStore(), allowed_hosts=["127.0.0.1"])
    assert len(allowed.articles) == 2


def test_entity_declarations_are_refused(site: Site) -> None:
    site.file("/bomb.xml", "entity-bomb.xml")
    with pytest.raises(FetchError, match="declares its own XML entities"):
        fetch_source(site.url("/bomb.xml"), MemoryValidatorStore())
    assert site.requests("/x.html") == []


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("ftp://127.0.0.1/feed.xml", "Refused to fetch 'ftp://127.0.0.1/feed.xml': only http"),
        ("/news/harbour-ferry.html", "is not an RSS or Atom feed, a news sitemap or a WordPress"),
        ("/missing.xml", "HTTP 404 Not Found"),
    ],
)
def test_a_source_that_is_no_source_is_an_error(site: Site, source: str, message: str) -> None:
    where = source if "://" in source else site.url(source)
    with pytest.raises(FetchError) as caught:
        fetch_source(where, MemoryValidatorStore())
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://news.example/2026/12/bridge-works.html", "bridge-works.html"),
        ("https://news.example/night-bus/", "night-bus.html"),
        ("https://news.example/", "news.example.html"),
        ("https://news.example/a%20b?id=3", "a-b.html"),
    ],
)
def test_page_name(url: str, name: str) -> None:
    assert page_name(url) == name


def test_gzip_pages_are_read_and_a_gzip_bomb_is_stopped_at_the_limit(site: Site) -> None:
    page = (DATA / "orchard-harvest.html").read_bytes()
    gzipped = {"Content-Encoding": "gzip"}
    site.routes["/gz.html"] = Route(gzip.compress(page), headers=gzipped)
    site.routes["/bomb.html"] = Route(gzip.compress(bytes(200_000_000)), headers=gzipped)
    assert fetch_page(site.url("/gz.html")).data == page
    assert site.requests("/gz.html")[0].headers["Accept-Encoding"] == "gzip, deflate"
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="over the 5 MB size limit"):
            fetch_page(site.url("/bomb.html"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(site.routes["/bomb.html"].body) < 1_000_000  # type: ignore[union-attr]
    assert peak < 30_000_000


def test_sitemap_index_reads_each_child_sitemap(site: Site) -> None:
    index = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{site.url('/sitemap.xml')}</loc></sitemap>"
        f"<sitemap><loc>{site.url('/gone.xml')}</loc></sitemap>"
        "<sitemap><loc>https://cdn.example/sitemap.xml</loc></sitemap></sitemapindex>"
    )
    site.routes["/index.xml"] = Route(index.encode(), content_type="application/xml")
    result = fetch_source(site.url("/index.xml"), MemoryValidatorStore())
    assert [a.key for a in result.articles] == [
        site.url("/news/orchard-harvest.html"),
        site.url("/news/harbour-ferry.html"),
    ]
    assert [f.key for f in result.failures] == [
        site.url("/gone.xml"),
        "https://cdn.example/sitemap.xml",
    ]
    assert "HTTP 404" in result.failures[0].message
    assert 'add "cdn.example" to allowed_hosts' in result.failures[1].message


def test_a_link_that_is_no_web_page_is_refused_and_latin1_becomes_utf8(site: Site) -> None:
    site.routes["/report.pdf"] = Route(b"%PDF-1.7 ...", content_type="application/pdf")
    latin = "<h1>Café owners welcome the new market</h1>".encode("latin-1")
    site.routes["/cafe.html"] = Route(latin, content_type="text/html; charset=ISO-8859-1")
    result = fetch_source(
        _feed_of(site, site.url("/report.pdf"), site.url("/cafe.html")), MemoryValidatorStore()
    )
    assert [f.message for f in result.failures] == [
        f"Could not read '{site.url('/report.pdf')}': it is application/pdf, not an HTML page; "
        "link to the article's web page"
    ]
    assert result.articles[0].data.decode("utf-8") == latin.decode("latin-1")


def test_wordpress_api_root_and_host_with_port(site: Site, tmp_path: Path) -> None:
    result = fetch_source(site.url("/wp-json/"), MemoryValidatorStore())
    assert len(result.articles) == 3
    elsewhere = f"http://localhost:{site.port}/news/library-hours.html"
    allowed = fetch_source(
        _feed_of(site, elsewhere), MemoryValidatorStore(), allowed_hosts=[f"localhost:{site.port}"]
    )
    assert [a.key for a in allowed.articles] == [elsewhere]


def test_the_catalogue_remembers_validators_between_runs(site: Site, tmp_path: Path) -> None:
    from listen.catalogue import Catalogue

    with Catalogue(tmp_path) as catalogue:
        fetch_source(site.url("/sitemap.xml"), catalogue).remember(catalogue)
    site.seen.clear()
    with Catalogue(tmp_path) as catalogue:
        again = fetch_source(site.url("/sitemap.xml"), catalogue)
        saved = catalogue.validators(site.url("/news/harbour-ferry.html"))
    assert (again.articles, again.unchanged) == ((), (site.url("/sitemap.xml"),))
    assert site.requests("/sitemap.xml")[0].headers["If-None-Match"] == '"sitemap-1"'
    assert saved is not None and saved.etag == '"ferry-1"'
