"""Serve a published folder on 127.0.0.1: byte ranges, exact MIME types, no way out of the folder.

A preview server for a folder written by ``listen publish`` (or the site builder), not a
production web server. What a browser's ``<audio>`` element and a podcast app need:

- ``Range: bytes=...`` answered with ``206 Partial Content`` and ``Content-Range``; a range
  that starts beyond the file gets ``416`` with ``Content-Range: bytes */<size>``; a malformed
  or multi-part ``Range`` header is ignored, as RFC 9110 allows, and the whole file is sent.
- MIME types by name: ``audio/mpeg``, ``text/vtt``, ``application/json``,
  ``application/json+chapters`` for ``*.chapters.json``, ``application/json+oembed`` for
  ``oembed/*.json``, ``application/rss+xml`` for feeds...
- No escape: ``..`` segments (also percent-encoded), backslashes, NUL bytes, hidden files
  (such as the temporary files of an atomic write) and symbolic links that lead outside the
  folder are all ``404``. A folder is served through its ``index.html``.
"""

from __future__ import annotations

import logging
import os
import re
import urllib.parse
from collections.abc import Callable
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO

from listen.errors import ListenError

__all__ = ["HOST", "ServeError", "content_type", "make_server", "parse_range", "resolve"]

_LOGGER = logging.getLogger(__name__)
HOST = "127.0.0.1"
_CHUNK = 64 * 1024
_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".ogg": "audio/ogg",
    ".wav": "audio/wav",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
}
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


class ServeError(ListenError, OSError):
    """The folder to serve does not exist, or the port cannot be opened."""


def content_type(path: Path) -> str:
    """The ``Content-Type`` for a file of the published folder, from its name."""
    name = path.name.lower()
    if name.endswith(".chapters.json"):
        return "application/json+chapters"
    if path.parent.name == "oembed" and name.endswith(".json"):
        return "application/json+oembed"
    if name in ("feed.xml", "rss.xml", "podcast.xml"):
        return "application/rss+xml"
    return _TYPES.get(path.suffix.lower(), "application/octet-stream")


def resolve(root: Path, url_path: str) -> Path | None:
    """The file under ``root`` that ``url_path`` names, or None when it must not be served.

    ``root`` must already be resolved. Folders map to their ``index.html``.
    """
    path = urllib.parse.unquote(urllib.parse.urlsplit(url_path).path, errors="strict")
    parts = [p for p in path.split("/") if p]
    if any(p.startswith(".") or "\\" in p or "\0" in p for p in parts):
        return None
    try:
        target = root.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not target.is_relative_to(root):
        return None
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def parse_range(header: str | None, size: int) -> tuple[int, int] | bool | None:
    """The inclusive ``(first, last)`` byte range a ``Range`` header asks for.

    None: no usable range (absent, malformed, several parts): send the whole file.
    False: a well-formed range that the file cannot satisfy: answer 416.
    """
    match = _RANGE.fullmatch(header.strip()) if header else None
    if not match or match.group(1) == match.group(2) == "":
        return None
    first_text, last_text = match.groups()
    if first_text == "":  # suffix range: the last N bytes
        length = int(last_text)
        return (max(0, size - length), size - 1) if length and size else False
    first = int(first_text)
    last = min(int(last_text), size - 1) if last_text else size - 1
    if last_text and int(last_text) < first:
        return None
    return (first, last) if first < size else False


class _Handler(BaseHTTPRequestHandler):
    root: Path
    server_version = "listen"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._send(body=True)

    def do_HEAD(self) -> None:
        self._send(body=False)

    def _send(self, body: bool) -> None:
        try:
            target = resolve(self.root, self.path)
        except UnicodeDecodeError:
            target = None
        if target is None:
            self._error(HTTPStatus.NOT_FOUND)
        elif target.name == "index.html" and not urllib.parse.urlsplit(self.path).path.endswith(
            ("/", "index.html")
        ):
            self._redirect_to_folder()
        else:
            self._send_file(target, body)

    def _redirect_to_folder(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", urllib.parse.urlunsplit(parts._replace(path=parts.path + "/")))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send_file(self, target: Path, body: bool) -> None:
        with target.open("rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            wanted = parse_range(self.headers.get("Range"), size)
            if wanted is False:
                self._error(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE, f"bytes */{size}")
                return
            first, last = wanted if isinstance(wanted, tuple) else (0, size - 1)
            self.send_response(HTTPStatus.PARTIAL_CONTENT if wanted else HTTPStatus.OK)
            self.send_header("Content-Type", content_type(target))
            self.send_header("Content-Length", str(last - first + 1))
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Last-Modified", formatdate(target.stat().st_mtime, usegmt=True))
            self.send_header("Access-Control-Allow-Origin", "*")
            if wanted:
                self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
            self.end_headers()
            if body:
                _copy(stream, self.wfile.write, first, last - first + 1)

    def _error(self, status: HTTPStatus, content_range: str | None = None) -> None:
        text = f"{status.value} {status.phrase}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(text)))
        if content_range:
            self.send_header("Content-Range", content_range)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(text)

    def log_message(self, format: str, *args: object) -> None:
        _LOGGER.info("%s %s", self.address_string(), format % args)


def _copy(stream: BinaryIO, write: Callable[[bytes], object], start: int, length: int) -> None:
    """Send ``length`` bytes from ``start``; a client that hangs up (seeking audio) is normal."""
    stream.seek(start)
    try:
        while length > 0:
            chunk = stream.read(min(_CHUNK, length))
            if not chunk:
                break
            write(chunk)
            length -= len(chunk)
    except (BrokenPipeError, ConnectionResetError):
        _LOGGER.info("Client closed the connection")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        _LOGGER.info("Connection from %s failed", client_address, exc_info=True)


def make_server(folder: Path | str, port: int = 8000) -> ThreadingHTTPServer:
    """A server for ``folder`` on 127.0.0.1:``port`` (0 picks a free port), not yet started.

    Call ``serve_forever()`` on it; ``server.server_address[1]`` is the port it listens on.
    """
    root = Path(folder)
    if not root.is_dir():
        raise ServeError(f"'{folder}' is not a folder: give the folder listen publish wrote")
    handler = type("Handler", (_Handler,), {"root": root.resolve()})
    try:
        return _Server((HOST, port), handler)
    except OSError as exc:
        raise ServeError(
            f"Cannot listen on {HOST}:{port} ({exc.strerror}): choose another --port"
        ) from exc
