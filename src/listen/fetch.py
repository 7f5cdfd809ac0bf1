"""HTTP ingest: fetch a newsroom's feed, news sitemap or WordPress API, and the pages they list.

``fetch_source(url_or_path, store, allowed_hosts=...) -> FetchResult`` reads the listing (see
``listen.ingest``), takes each item's full text from it where it carries one, and fetches the
other items' pages, a few at a time per host. ``fetch_page(url)`` fetches one page, and
``load_page(url)`` reads it as ``listen.article.load`` reads a saved .html file.

Every request goes through httpx with connect and read timeouts, a size limit (the body is
streamed and dropped past ``max_bytes``), at most ``max_redirects`` redirects, listen's
User-Agent, and ``If-None-Match``/``If-Modified-Since`` from the validators remembered last time
(a 304 means unchanged: nothing is fetched). Only http and https are fetched, and only from the
source's own host and the hosts the caller allows, redirects included. A page that cannot be
fetched is a ``FetchFailure`` with the reason; the other articles go on.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Collection, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import httpx

from listen.errors import FetchError, ListenError
from listen.httpclient import (
    USER_AGENT,
    FetchSettings,
    FetchValidators,
    HttpAnswer,
    HttpClient,
    is_url,
    too_large,
    validators_of,
)
from listen.ingest import (
    Item,
    article_html,
    detect_kind,
    parse_feed,
    parse_sitemap,
    parse_sitemap_index,
    parse_wordpress,
    wordpress_url,
)
from listen.limits import Limits

if TYPE_CHECKING:
    from listen.models import Article

__all__ = [
    "USER_AGENT",
    "FetchFailure",
    "FetchResult",
    "FetchSettings",
    "FetchValidators",
    "FetchedArticle",
    "MemoryValidatorStore",
    "ValidatorStore",
    "fetch_page",
    "fetch_source",
    "is_url",
    "load_page",
    "page_name",
]

_LOGGER = logging.getLogger(__name__)

_PAGE_SUFFIX = re.compile(r"\.(?:s?html?|xhtml|php\d?|aspx?|jsp)$", re.IGNORECASE)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_HTML_TYPE = re.compile(r"^(?:text/html|application/xhtml\+xml|text/plain|)$", re.IGNORECASE)
_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.IGNORECASE)
_WP_BASE = re.compile(r"/wp-json/?$")


class ValidatorStore(Protocol):
    """Where validators are remembered between runs (the catalogue's ``fetch_validators``)."""

    def validators(self, url: str) -> FetchValidators | None: ...

    def put_validators(self, validators: FetchValidators) -> None: ...


class MemoryValidatorStore:
    """Validators in a dict: for one process, and for tests."""

    def __init__(self) -> None:
        self.saved: dict[str, FetchValidators] = {}

    def validators(self, url: str) -> FetchValidators | None:
        return self.saved.get(url)

    def put_validators(self, validators: FetchValidators) -> None:
        self.saved[validators.url] = validators


@dataclass(frozen=True)
class FetchedArticle:
    """One article's page as HTML bytes, ready for ``listen.article``."""

    key: str
    """The article's URL as the source lists it: its stable id."""
    name: str
    """A file name for it; the .html suffix tells the reader the format."""
    data: bytes = field(repr=False)
    url: str
    """Where it was read: the page after redirects, or the listed link for full-text items."""
    validators: FetchValidators | None = None
    """What to remember once the article is published (None for full text from a listing)."""


@dataclass(frozen=True)
class FetchFailure:
    """An article that could not be fetched, or was refused; the message says why and what to do."""

    key: str
    message: str


@dataclass(frozen=True)
class FetchResult:
    """What one source gave: new or changed articles, unchanged keys (304), failures."""

    articles: tuple[FetchedArticle, ...] = ()
    unchanged: tuple[str, ...] = ()
    """Keys answered 304: an article page, or the listing itself (then nothing else was asked)."""
    failures: tuple[FetchFailure, ...] = ()
    validators: tuple[FetchValidators, ...] = ()
    """The listing's own validators (feed, sitemap, API pages)."""

    def remember(self, store: ValidatorStore, published: Collection[str] | None = None) -> None:
        """Store validators for the articles in ``published`` (default: all of them).

        The listing's validators are stored only when nothing failed and every article was
        published: otherwise the next run must read the listing again to retry the rest.
        """
        done = {a.key for a in self.articles} if published is None else set(published)
        for article in self.articles:
            if article.key in done and article.validators:
                store.put_validators(article.validators)
        if not self.failures and all(a.key in done for a in self.articles):
            for validators in self.validators:
                store.put_validators(validators)


def page_name(url: str) -> str:
    """A file name for a page: its last path segment, made safe, with an .html suffix."""
    parsed = httpx.URL(url)
    stem = _PAGE_SUFFIX.sub("", parsed.path.rstrip("/").rsplit("/", 1)[-1])
    stem = _UNSAFE_NAME.sub("-", stem).strip(".-")[:80]
    return f"{stem or parsed.host or 'article'}.html"


def fetch_page(
    url: str, *, allowed_hosts: Iterable[str] = (), settings: FetchSettings | None = None
) -> FetchedArticle:
    """Fetch one page (its host and ``allowed_hosts`` only); raise FetchError saying why not."""
    settings = settings or FetchSettings()
    with HttpClient.open(url, allowed_hosts, settings) as http:
        got = http.get(url)
    return _fetched(url, got)


def load_page(
    url: str,
    limits: Limits | None = None,
    *,
    allowed_hosts: Iterable[str] = (),
    settings: FetchSettings | None = None,
    strict_cover: bool = False,
) -> Article:
    """Fetch a page and read it exactly as ``listen.article.load`` reads the saved .html file."""
    from listen.article import load

    limits = limits or Limits()
    settings = settings or FetchSettings(max_bytes=limits.max_file_bytes)
    page = fetch_page(url, allowed_hosts=allowed_hosts, settings=settings)
    with tempfile.TemporaryDirectory(prefix="listen-page-") as folder:
        path = Path(folder) / page.name
        path.write_bytes(page.data)
        try:
            article = load(path, limits, strict_cover=strict_cover)
        except ListenError as exc:  # name the page, not the temporary file
            raise type(exc)(str(exc).replace(str(path), url)) from None
    return replace(article, source=Path(page.name), url=article.url or page.url)


def fetch_source(
    url_or_path: str,
    store: ValidatorStore,
    *,
    allowed_hosts: Iterable[str] = (),
    settings: FetchSettings | None = None,
) -> FetchResult:
    """Every article a feed, news sitemap or WordPress API lists; see the module's docstring.

    A source that cannot be fetched or read at all raises FetchError; a failed article is a
    ``FetchFailure`` in the result. Validators are read from ``store``, never written: call
    ``result.remember(store, published=...)`` once the articles are safely published.
    """
    settings = settings or FetchSettings()
    with HttpClient.open(url_or_path, allowed_hosts, settings) as http:
        return _Run(http, store, settings).source(url_or_path)


# ---------------------------------------------------------------- one run over a source


class _Run:
    def __init__(self, http: HttpClient, store: ValidatorStore, settings: FetchSettings) -> None:
        self.http = http
        self.store = store
        self.settings = settings
        self.unchanged: list[str] = []
        self.failures: list[FetchFailure] = []
        self.validators: list[FetchValidators] = []

    def source(self, where: str) -> FetchResult:
        if not is_url(where):
            items = self._listing(_read_source_file(where, self.settings.max_bytes), where, None)
        elif wordpress_url(where):
            items = self._wordpress(where)
        else:
            got = self._document(where)
            items = [] if got is None else self._listing(got.body, where, got.url)
        articles = self._articles(_first_of_each(items, self.settings.max_items, where))
        return FetchResult(
            articles=tuple(articles),
            unchanged=tuple(self.unchanged),
            failures=tuple(self.failures),
            validators=tuple(self.validators),
        )

    def _document(self, url: str, ok: Collection[int] = ()) -> HttpAnswer | None:
        """A listing, conditionally; None when unchanged (304)."""
        got = self.http.get(url, self.store.validators(url), ok=ok)
        if got.status == 304:
            self.unchanged.append(url)
            return None
        validators = validators_of(url, got)
        if validators and got.status < 300:
            self.validators.append(validators)
        return got

    def _listing(self, data: bytes, where: str, base: str | None) -> list[Item]:
        kind = detect_kind(data, where)
        if kind == "feed":
            return parse_feed(data, where, base)
        if kind == "sitemap":
            return parse_sitemap(data, where)
        if kind == "wordpress":
            return parse_wordpress(data, where)
        items: list[Item] = []
        for child in parse_sitemap_index(data, where):
            try:
                got = self._document(child)
            except FetchError as exc:
                self.failures.append(FetchFailure(child, str(exc)))
                continue
            if got is not None:
                items += parse_sitemap(got.body, child)
        return items

    def _wordpress(self, where: str) -> list[Item]:
        """Every page of a posts API, to X-WP-TotalPages (or a 400/404 past the last page)."""
        items: list[Item] = []
        total: int | None = None
        base = httpx.URL(where)
        if _WP_BASE.search(base.path):  # the API's root: its posts
            base = base.copy_with(path=base.path.rstrip("/") + "/wp/v2/posts")
        for number in range(1, self.settings.wordpress_max_pages + 1):
            if total is not None and number > total:
                break
            url = str(
                base.copy_merge_params(
                    {"page": number, "per_page": self.settings.wordpress_per_page, "_embed": 1}
                )
            )
            got = self._document(url, ok=(400, 404) if number > 1 and total is None else ())
            if got is not None and got.status >= 400:
                break
            if got is not None:
                page = parse_wordpress(got.body, url)
                items += page
                total = _total_pages(got.headers, number, bool(page))
        return items

    def _articles(self, items: list[Item]) -> list[FetchedArticle]:
        to_fetch = [item for item in items if not item.content]
        known = {item.key: self.store.validators(item.key) for item in to_fetch}
        with ThreadPoolExecutor(max_workers=self.settings.workers) as pool:
            fetched = dict(
                zip(
                    (item.key for item in to_fetch),
                    pool.map(lambda item: self._fetch(item, known[item.key]), to_fetch),
                    strict=True,
                )
            )
        articles = []
        for item in items:
            outcome = fetched.get(item.key) if not item.content else _from_listing(item)
            if isinstance(outcome, FetchedArticle):
                articles.append(outcome)
            elif isinstance(outcome, FetchFailure):
                self.failures.append(outcome)
            else:
                self.unchanged.append(item.key)
        return articles

    def _fetch(
        self, item: Item, validators: FetchValidators | None
    ) -> FetchedArticle | FetchFailure | None:
        if not item.link:
            return FetchFailure(item.key, f"Feed item '{item.key}' has no link and no full text")
        try:
            got = self.http.get(item.link, validators)
            return None if got.status == 304 else _fetched(item.key, got)
        except FetchError as exc:
            _LOGGER.warning("%s", exc)
            return FetchFailure(item.key, str(exc))


def _from_listing(item: Item) -> FetchedArticle:
    url = item.link or item.key
    data = article_html(item, item.content or "")
    return FetchedArticle(
        key=item.key, name=page_name(url) if is_url(url) else "article.html", data=data, url=url
    )


def _fetched(key: str, got: HttpAnswer) -> FetchedArticle:
    """A fetched page; refuse what is not HTML, and re-encode a non-UTF-8 page as UTF-8."""
    kind, _, params = got.headers.get("Content-Type", "text/html").partition(";")
    if not _HTML_TYPE.match(kind.strip()):
        raise FetchError(
            f"Could not read '{key}': it is {kind.strip()}, not an HTML page; "
            "link to the article's web page"
        )
    return FetchedArticle(
        key=key,
        name=page_name(got.url),
        data=_utf8(got.body, _CHARSET.search(params)),
        url=got.url,
        validators=validators_of(key, got),
    )


def _utf8(data: bytes, charset: re.Match[str] | None) -> bytes:
    """The page as UTF-8: the reader reads UTF-8 (or cp1252), not the HTTP header's charset.

    A body that is valid UTF-8 stays as it is, whatever the header says (a common mistake).
    """
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        pass
    try:
        return data.decode(charset.group(1) if charset else "cp1252").encode("utf-8")
    except (LookupError, UnicodeDecodeError):
        return data


def _first_of_each(items: list[Item], most: int, where: str) -> list[Item]:
    unique = list({item.key: item for item in reversed(items)}.values())[::-1]
    if len(unique) > most:
        _LOGGER.warning(
            "Source '%s' lists %d articles; taking the first %d (max_items)",
            where,
            len(unique),
            most,
        )
    return unique[:most]


def _total_pages(headers: httpx.Headers, number: int, any_posts: bool) -> int:
    value = headers.get("X-WP-TotalPages", "")
    if value.strip().isdigit():
        return int(value)
    return number + 1 if any_posts else number


def _read_source_file(where: str, max_bytes: int) -> bytes:
    path = Path(where)
    if not path.is_file():
        raise FetchError(f"Could not open source '{where}': no such file")
    try:
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)
    except OSError as exc:
        raise FetchError(f"Could not open source '{where}': {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise too_large(where, max_bytes)
    return data
