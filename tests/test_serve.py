from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from listen.serve import ServeError, content_type, make_server, parse_range


@pytest.fixture
def published(tmp_path: Path) -> Path:
    root = tmp_path / "public"
    (root / "audio").mkdir(parents=True)
    (root / "audio" / "ep.mp3").write_bytes(bytes(range(256)) * 40)
    (root / "audio" / "ep.vtt").write_text("WEBVTT\n")
    (root / "audio" / "ep.json").write_text("{}")
    (root / "audio" / "ep.chapters.json").write_text("{}")
    (root / "oembed").mkdir()
    (root / "oembed" / "ep.json").write_text("{}")
    (root / "ep").mkdir()
    (root / "ep" / "index.html").write_text("<p>article</p>")
    (root / "index.html").write_text("<p>show</p>")
    (root / ".ep.1234.part.mp3").write_bytes(b"half")
    (tmp_path / "secret.txt").write_text("outside")
    os.symlink(tmp_path / "secret.txt", root / "link.txt")
    return root


@pytest.fixture
def base(published: Path) -> Iterator[str]:
    server = make_server(published, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _raw_get(base: str, path: str) -> int:
    """GET ``path`` exactly as written: httpx would normalise away the '..'."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    conn.request("GET", path)
    status = conn.getresponse().status
    conn.close()
    return status


def test_range_request_gets_206_and_exactly_those_bytes(base: str, published: Path) -> None:
    data = (published / "audio" / "ep.mp3").read_bytes()
    r = httpx.get(f"{base}/audio/ep.mp3", headers={"Range": "bytes=1000-2999"})
    assert r.status_code == 206
    assert r.content == data[1000:3000]
    assert r.headers["content-range"] == f"bytes 1000-2999/{len(data)}"
    assert r.headers["content-length"] == "2000"
    assert r.headers["accept-ranges"] == "bytes"
    assert r.headers["content-type"] == "audio/mpeg"


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=10000-", 10000, 10239), ("bytes=-100", 10140, 10239), ("bytes=0-999999", 0, 10239)],
)
def test_open_suffix_and_overlong_ranges(
    base: str, published: Path, header: str, first: int, last: int
) -> None:
    data = (published / "audio" / "ep.mp3").read_bytes()
    r = httpx.get(f"{base}/audio/ep.mp3", headers={"Range": header})
    assert r.status_code == 206
    assert r.content == data[first : last + 1]
    assert r.headers["content-range"] == f"bytes {first}-{last}/{len(data)}"


def test_unsatisfiable_range_is_416(base: str) -> None:
    r = httpx.get(f"{base}/audio/ep.mp3", headers={"Range": "bytes=20000-"})
    assert r.status_code == 416
    assert r.headers["content-range"] == "bytes */10240"


def test_whole_file_without_range_and_malformed_range_ignored(base: str, published: Path) -> None:
    data = (published / "audio" / "ep.mp3").read_bytes()
    for headers in ({}, {"Range": "bytes=abc"}, {"Range": "bytes=0-1,5-6"}):
        r = httpx.get(f"{base}/audio/ep.mp3", headers=headers)
        assert r.status_code == 200
        assert r.content == data
        assert r.headers["accept-ranges"] == "bytes"


def test_head_sends_headers_only(base: str) -> None:
    r = httpx.head(f"{base}/audio/ep.mp3", headers={"Range": "bytes=0-9"})
    assert r.status_code == 206
    assert r.headers["content-length"] == "10"
    assert r.content == b""


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/audio/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/audio/%2E%2E/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "/link.txt",
        "/.ep.1234.part.mp3",
        "/nothing.mp3",
        "/audio/ep.mp3%00.html",
        "/%ff",
    ],
)
def test_no_escape_from_the_folder(base: str, path: str) -> None:
    assert _raw_get(base, path) == 404


def test_folder_serves_its_index_and_redirects_to_the_slash(base: str) -> None:
    assert httpx.get(f"{base}/").text == "<p>show</p>"
    assert httpx.get(f"{base}/ep/").text == "<p>article</p>"
    r = httpx.get(f"{base}/ep?x=1")
    assert r.status_code == 301
    assert r.headers["location"] == "/ep/?x=1"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("audio/ep.mp3", "audio/mpeg"),
        ("audio/ep.vtt", "text/vtt; charset=utf-8"),
        ("audio/ep.json", "application/json"),
        ("audio/ep.chapters.json", "application/json+chapters"),
        ("oembed/ep.json", "application/json+oembed"),
        ("index.html", "text/html; charset=utf-8"),
    ],
)
def test_mime_types(base: str, path: str, expected: str) -> None:
    assert httpx.get(f"{base}/{path}").headers["content-type"] == expected


def test_content_type_by_name() -> None:
    assert content_type(Path("feed.xml")) == "application/rss+xml"
    assert content_type(Path("player/listen-player.js")) == "text/javascript; charset=utf-8"
    assert content_type(Path("player/listen-player.css")) == "text/css; charset=utf-8"
    assert content_type(Path("x.bin")) == "application/octet-stream"


def test_parse_range() -> None:
    assert parse_range(None, 100) is None
    assert parse_range("bytes=5-1", 100) is None
    assert parse_range("bytes=-", 100) is None
    assert parse_range("bytes=-0", 100) is False
    assert parse_range("bytes=100-", 100) is False
    assert parse_range("bytes=99-", 100) == (99, 99)
    assert parse_range(" bytes=0-0 ", 100) == (0, 0)


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ServeError, match="not a folder"):
        make_server(tmp_path / "nope")


def test_listen_serve_command(published: Path) -> None:
    command = [sys.executable, "-m", "listen", "serve", str(published), "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().split(" at ")[1].split()[0]
            assert url.startswith("http://127.0.0.1:")
            r = httpx.get(url + "audio/ep.mp3", headers={"Range": "bytes=0-3"})
            assert (r.status_code, r.content) == (206, bytes(range(4)))
        finally:
            proc.terminate()


def test_listen_serve_missing_folder(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "listen", "serve", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error: ") and "not a folder" in proc.stderr
    assert proc.stdout == ""


def test_a_port_in_use_is_an_error(published: Path) -> None:
    first = make_server(published, 0)
    try:
        with pytest.raises(ServeError, match="choose another --port"):
            make_server(published, first.server_address[1])
    finally:
        first.server_close()
