"""HTTP for listen: one httpx client with listen's limits, a host policy, conditional requests.

``HttpClient.get(link, validators)`` fetches a URL with connect and read timeouts, a size limit
(the body is streamed, and gzip or deflate inflated, only up to ``max_bytes``), at most
``max_redirects`` redirects, each checked against the ``HostPolicy`` (http and https only, on the
allowed hosts), listen's User-Agent, ``If-None-Match``/``If-Modified-Since`` from ``validators``,
and at most ``per_host`` requests in flight to one host. Every httpx error becomes a FetchError
here, naming the link and the reason.
"""

from __future__ import annotations

import re
import threading
import zlib
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from listen import __version__
from listen.catalogue import FetchValidators  # one type: the catalogue stores them
from listen.errors import FetchError
from listen.limits import Limits, format_size

__all__ = [
    "USER_AGENT",
    "FetchSettings",
    "FetchValidators",
    "HostPolicy",
    "HttpAnswer",
    "HttpClient",
    "is_url",
    "too_large",
    "validators_of",
]

USER_AGENT = f"listen/{__version__} (+https://github.com/listen-audio/listen)"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


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


def is_url(text: str) -> bool:
    """True when ``text`` has a scheme (``https://...``); it is then never read as a path."""
    return bool(_URL.match(text))


@dataclass(frozen=True)
class HttpAnswer:
    """One answer: a body (2xx), a redirect's Location, a 304, or a status the caller accepts."""

    url: str
    status: int
    headers: httpx.Headers
    body: bytes = b""
    location: str | None = None


class HostPolicy:
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
        host = url.host.rstrip(".")
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
    """A host name as httpx spells it, from a host, ``host:port`` or URL."""
    text = text.strip()
    try:
        return httpx.URL(text if is_url(text) else f"http://{text}").host.rstrip(".")
    except (httpx.InvalidURL, UnicodeError):
        return text.lower().rstrip(".")


class HttpClient:
    """One httpx client, the host policy, and a semaphore per host."""

    def __init__(self, settings: FetchSettings, policy: HostPolicy) -> None:
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
    ) -> Iterator[HttpClient]:
        hosts = [*allowed_hosts, source] if is_url(source) else list(allowed_hosts)
        http = cls(settings, HostPolicy(hosts))
        try:
            yield http
        finally:
            http._client.close()

    def get(
        self, link: str, validators: FetchValidators | None = None, ok: Collection[int] = ()
    ) -> HttpAnswer:
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
    ) -> HttpAnswer:
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

    def _answer(self, response: httpx.Response, link: str, ok: Collection[int]) -> HttpAnswer:
        status, headers = response.status_code, response.headers
        if status in _REDIRECTS:
            location = headers.get("Location")
            if not location:
                raise FetchError(f"Could not fetch '{link}': HTTP {status} without a Location")
            return HttpAnswer(str(response.url), status, headers, location=location)
        if status == 304 or status in ok:
            return HttpAnswer(str(response.url), status, headers)
        if not response.is_success:
            raise FetchError(
                f"Could not fetch '{link}': HTTP {status} {response.reason_phrase}".rstrip()
            )
        return HttpAnswer(str(response.url), status, headers, self._body(response, link))

    def _body(self, response: httpx.Response, link: str) -> bytes:
        """The decoded body, streamed and dropped as soon as it passes ``max_bytes``.

        Decompression is bounded too: a small gzip body that inflates past the limit is
        stopped at the limit, never inflated whole.
        """
        limit = self.settings.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_large(link, limit)
        decoder = _Decoder(response.headers.get("Content-Encoding", ""), link)
        body = bytearray()
        for raw in response.iter_raw(65536):
            body += decoder.decode(raw, limit + 1 - len(body))
            if len(body) > limit:
                raise too_large(link, limit)
        body += decoder.flush()
        if len(body) > limit:
            raise too_large(link, limit)
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


def too_large(where: str, limit: int) -> FetchError:
    return FetchError(
        f"Could not fetch '{where}': it is over the {format_size(limit)} size limit; "
        "raise the limit with --max-file-size"
    )


def validators_of(key: str, got: HttpAnswer) -> FetchValidators | None:
    etag, modified = got.headers.get("ETag"), got.headers.get("Last-Modified")
    if not etag and not modified:
        return None
    return FetchValidators(key, etag, modified, datetime.now(UTC))
