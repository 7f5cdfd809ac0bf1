"""A real HTTP server on 127.0.0.1 that serves a small newsroom, and records what it was asked."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

DATA = Path(__file__).parent / "data" / "fetch"


@dataclass
class Route:
    """What one path answers."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    stream: int = 0
    """Bytes of filler to stream without a Content-Length (the body is ignored)."""


@dataclass
class Seen:
    """One request as the server saw it, and the status it answered."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    status: int = 0


Handler = Route | Callable[[dict[str, list[str]]], Route]


class Site:
    """Routes by path; every request recorded; concurrency and bytes sent measured."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.seen: list[Seen] = []
        self.sent: dict[str, int] = {}
        self.active = 0
        self.most_active = 0
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def file(self, path: str, name: str, content_type: str = "", **options: object) -> Route:
        """Serve a file from tests/data/fetch, with @BASE@ replaced by this server's address."""
        body = (DATA / name).read_bytes().replace(b"@BASE@", self.base.encode())
        kind = content_type or ("application/xml" if name.endswith(".xml") else "text/html")
        route = Route(body=body, content_type=kind, **options)  # type: ignore[arg-type]
        self.routes[path] = route
        return route

    def requests(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    def enter(self) -> None:
        with self._lock:
            self.active += 1
            self.most_active = max(self.most_active, self.active)

    def leave(self) -> None:
        with self._lock:
            self.active -= 1


def _handler_for(site: Site) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            seen = Seen(parts.path, parse_qs(parts.query), dict(self.headers.items()))
            site.seen.append(seen)
            site.enter()
            try:
                self._answer(site.routes.get(parts.path), seen)
            finally:
                site.leave()

        def _answer(self, handler: Handler | None, seen: Seen) -> None:
            route = handler(seen.query) if callable(handler) else handler
            route = route or Route(b"<h1>Not found</h1>", status=404)
            time.sleep(route.delay)
            if _not_modified(route, seen.headers):
                seen.status = 304
                self.send_response(304)
                self.end_headers()
                return
            seen.status = route.status
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            for name, value in [*_validators(route), *route.headers.items()]:
                self.send_header(name, value)
            if route.stream:
                self._stream(route.stream, seen.path)
                return
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            self.wfile.write(route.body)

        def _stream(self, total: int, path: str) -> None:
            self.send_header("Connection", "close")
            self.end_headers()
            chunk, sent = b"x" * 65536, 0
            try:
                while sent < total:
                    self.wfile.write(chunk)
                    sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            site.sent[path] = sent
            self.close_connection = True

    return _Handler


def _validators(route: Route) -> list[tuple[str, str]]:
    pairs = [("ETag", route.etag), ("Last-Modified", route.last_modified)]
    return [(name, value) for name, value in pairs if value]


def _not_modified(route: Route, headers: dict[str, str]) -> bool:
    if route.etag and headers.get("If-None-Match") == route.etag:
        return True
    return bool(route.last_modified and headers.get("If-Modified-Since") == route.last_modified)


@contextmanager
def serving() -> Iterator[Site]:
    site = Site()
    thread = threading.Thread(target=site.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.server.shutdown()
        site.server.server_close()
        thread.join(timeout=5)
