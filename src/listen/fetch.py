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
import threading
import zlib
from collections.abc import Collection, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from listen import __version__
from listen.errors import FetchError, ListenError
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
from listen.limits import Limits, format_size

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

USER_AGENT = f"listen/{__version__} (+https://github.com/listen-audio/listen)"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_PAGE_SUFFIX = re.compile(r"\.(?:s?html?|xhtml|php\d?|aspx?|jsp)$", re.IGNORECASE)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class FetchSettings:
    """How listen fetches: timeouts, sizes, redirects, parallelism; the defaults suit a newsroom."""

    connect_timeout: float = 10.0
    """Seconds to wait for a connection."""
    read_timeout: float = 30.0
    """Seconds to wait for each read (and write) once connected."""
    max_bytes: int = Limits().max_file_bytes
    """Largest page or listing, decoded; the same default as an article file's size limit."""
    max_redirects: int = 5
    per_host: int = 4
    """Requests in flight at once to one host."""
    workers: int = 8
    """Requests in flight at once in all."""
    max_items: int = 500
    """Most articles taken from one source; the rest are left for a later run (a warning)."""
    wordpress_per_page: int = 20
    wordpress_max_pages: int = 50
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class FetchValidators:
    """HTTP validators of a fetched URL, sent back next time as a conditional request."""

    url: str
    etag: str | None
    last_modified: str | None
    checked: datetime

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "checked": self.checked.isoformat()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FetchValidators:
        return cls(**{**data, "checked": datetime.fromisoformat(data["checked"])})


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


def is_url(text: str) -> bool:
    """True when ``text`` has a scheme (``https://...``); it is then never read as a path."""
    return bool(_URL.match(text))


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
    with _Http.open(url, allowed_hosts, settings) as http:
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
    with _Http.open(url_or_path, allowed_hosts, settings) as http:
        return _Run(http, store, settings).source(url_or_path)


# ---------------------------------------------------------------- one run over a source


class _Run:
    def __init__(self, http: _Http, store: ValidatorStore, settings: FetchSettings) -> None:
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

    def _document(self, url: str, ok: Collection[int] = ()) -> _Got | None:
        """A listing, conditionally; None when unchanged (304)."""
        got = self.http.get(url, self.store.validators(url), ok=ok)
        if got.status == 304:
            self.unchanged.append(url)
            return None
        validators = _validators(url, got)
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
        for number in range(1, self.settings.wordpress_max_pages + 1):
            if total is not None and number > total:
                break
            url = str(
                httpx.URL(where).copy_merge_params(
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
        except FetchError as exc:
            _LOGGER.warning("%s", exc)
            return FetchFailure(item.key, str(exc))
        return None if got.status == 304 else _fetched(item.key, got)


def _from_listing(item: Item) -> FetchedArticle:
    url = item.link or item.key
    data = article_html(item, item.content or "")
    return FetchedArticle(
        key=item.key, name=page_name(url) if is_url(url) else "article.html", data=data, url=url
    )


def _fetched(key: str, got: _Got) -> FetchedArticle:
    return FetchedArticle(
        key=key,
        name=page_name(got.url),
        data=got.body,
        url=got.url,
        validators=_validators(key, got),
    )


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


def _validators(key: str, got: _Got) -> FetchValidators | None:
    etag, modified = got.headers.get("ETag"), got.headers.get("Last-Modified")
    if not etag and not modified:
        return None
    return FetchValidators(key, etag, modified, datetime.now(UTC))


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
        raise _too_large(where, max_bytes)
    return data


# ---------------------------------------------------------------- HTTP


@dataclass(frozen=True)
class _Got:
    url: str
    status: int
    headers: httpx.Headers
    body: bytes = b""
    location: str | None = None


class _Policy:
    """Which links may be fetched: http(s) on the source's host or an allowed host."""

    def __init__(self, hosts: Iterable[str]) -> None:
        self.hosts = frozenset(_host_of(h) for h in hosts if h and h.strip())

    def check(self, link: str, redirected_from: str | None = None) -> httpx.URL:
        shown = redirected_from or link
        try:
            url = httpx.URL(link)
        except (httpx.InvalidURL, UnicodeError) as exc:
            raise FetchError(f"Refused to fetch '{link}': it is not a valid URL ({exc})") from None
        if url.scheme not in ("http", "https"):
            where = f"it redirects to '{link}', but " if redirected_from else ""
            raise FetchError(
                f"Refused to fetch '{shown}': {where}only http and https links are fetched"
            )
        host = url.host
        if host not in self.hosts:
            if redirected_from:
                raise FetchError(
                    f"Refused to fetch '{shown}': it redirects to '{link}', on host '{host}', "
                    f'which is not allowed; add "{host}" to allowed_hosts in listen.toml to '
                    "follow it"
                )
            raise FetchError(
                f"Refused to fetch '{link}': its host '{host}' is neither the source's host nor "
                f'in allowed_hosts; add "{host}" to allowed_hosts in listen.toml to fetch it'
            )
        return url


def _host_of(text: str) -> str:
    text = text.strip()
    if is_url(text):
        return httpx.URL(text).host
    return text.lower().rstrip(".")


class _Http:
    """One httpx client, the host policy, and a semaphore per host."""

    def __init__(self, settings: FetchSettings, policy: _Policy) -> None:
        self.settings = settings
        self.policy = policy
        self._client = httpx.Client(
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            follow_redirects=False,
            limits=httpx.Limits(max_connections=settings.workers + 1),
        )
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()

    @classmethod
    @contextmanager
    def open(
        cls, source: str, allowed_hosts: Iterable[str], settings: FetchSettings
    ) -> Iterator[_Http]:
        hosts = [*allowed_hosts, source] if is_url(source) else list(allowed_hosts)
        http = cls(settings, _Policy(hosts))
        try:
            yield http
        finally:
            http._client.close()

    def get(
        self, link: str, validators: FetchValidators | None = None, ok: Collection[int] = ()
    ) -> _Got:
        """GET ``link``, following allowed redirects; a 304 or an ``ok`` status is returned."""
        url = self.policy.check(link)
        for _ in range(self.settings.max_redirects + 1):
            got = self._once(url, link, validators, ok)
            if got.location is None:
                return got
            url = self.policy.check(str(url.join(got.location)), redirected_from=link)
        raise FetchError(
            f"Could not fetch '{link}': more than {self.settings.max_redirects} redirects; "
            "give the address the page ends at"
        )

    @contextmanager
    def _slot(self, host: str) -> Iterator[None]:
        with self._lock:
            slot = self._slots.setdefault(host, threading.BoundedSemaphore(self.settings.per_host))
        with slot:
            yield

    def _once(
        self, url: httpx.URL, link: str, validators: FetchValidators | None, ok: Collection[int]
    ) -> _Got:
        headers = {}
        if validators and validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators and validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        try:
            with self._slot(url.host), self._client.stream("GET", url, headers=headers) as response:
                return self._answer(response, link, ok)
        except httpx.TimeoutException as exc:
            raise FetchError(f"Could not fetch '{link}': {self._timeout(exc)}") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            reason = str(exc) or type(exc).__name__
            raise FetchError(f"Could not fetch '{link}': {reason}") from None

    def _answer(self, response: httpx.Response, link: str, ok: Collection[int]) -> _Got:
        status, headers = response.status_code, response.headers
        if status in _REDIRECTS:
            location = headers.get("Location")
            if not location:
                raise FetchError(f"Could not fetch '{link}': HTTP {status} without a Location")
            return _Got(str(response.url), status, headers, location=location)
        if status == 304 or status in ok:
            return _Got(str(response.url), status, headers)
        if not response.is_success:
            raise FetchError(
                f"Could not fetch '{link}': HTTP {status} {response.reason_phrase}".rstrip()
            )
        return _Got(str(response.url), status, headers, self._body(response, link))

    def _body(self, response: httpx.Response, link: str) -> bytes:
        """The decoded body, streamed and dropped as soon as it passes ``max_bytes``.

        Decompression is bounded too: a small gzip body that inflates past the limit is
        stopped at the limit, never inflated whole.
        """
        limit = self.settings.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _too_large(link, limit)
        decoder = _Decoder(response.headers.get("Content-Encoding", ""), link)
        body = bytearray()
        for raw in response.iter_raw(65536):
            body += decoder.decode(raw, limit + 1 - len(body))
            if len(body) > limit:
                raise _too_large(link, limit)
        body += decoder.flush()
        if len(body) > limit:
            raise _too_large(link, limit)
        return bytes(body)

    def _timeout(self, exc: httpx.TimeoutException) -> str:
        if isinstance(exc, httpx.ConnectTimeout):
            return f"no connection within {self.settings.connect_timeout:g} s; try again later"
        return (
            f"the server did not answer within {self.settings.read_timeout:g} s; "
            "try again later, or raise the read timeout"
        )


class _Decoder:
    """gzip or deflate, inflated at most ``room`` bytes at a time; identity passes through."""

    def __init__(self, encoding: str, link: str) -> None:
        self.link = link
        encoding = encoding.strip().lower()
        if encoding in ("", "identity"):
            self._zlib = None
        elif encoding in ("gzip", "x-gzip", "deflate"):
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header
        else:
            raise FetchError(
                f"Could not fetch '{link}': it came with Content-Encoding '{encoding}', which "
                "listen does not read (it asks for gzip or deflate)"
            )

    def decode(self, raw: bytes, room: int) -> bytes:
        if self._zlib is None:
            return raw
        try:
            return self._zlib.decompress(self._zlib.unconsumed_tail + raw, max(room, 1))
        except zlib.error as exc:
            raise FetchError(
                f"Could not fetch '{self.link}': its body is corrupt ({exc})"
            ) from None

    def flush(self) -> bytes:
        return b"" if self._zlib is None else self._zlib.flush()


def _too_large(where: str, limit: int) -> FetchError:
    return FetchError(
        f"Could not fetch '{where}': it is over the {format_size(limit)} size limit; "
        "raise the limit with --max-file-size"
    )
