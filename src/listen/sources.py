"""Find the articles a publish run reads: files given directly, or every article in a folder.

Each article gets a stable key, its path relative to the folder it was found in (a file given
directly is keyed by its name), and a digest of its bytes, so a run can tell unchanged articles
from changed ones without parsing them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from listen.errors import ArticleError

__all__ = ["ARTICLE_SUFFIXES", "LISTING_SUFFIXES", "Source", "find_sources", "is_listing", "is_url"]

ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
LISTING_SUFFIXES = frozenset({".xml", ".rss", ".atom", ".json"})
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(text: str) -> bool:
    """True when ``text`` has a scheme (``https://...``), as a fetched article's key has."""
    return bool(_URL.match(text))


def is_listing(argument: str | Path) -> bool:
    """True for a URL, or a file named like a feed, sitemap or API answer (.xml, .rss, .atom,
    .json): a source for :mod:`listen.ingest_sources`, not article files."""
    text = str(argument)
    return is_url(text) or Path(text).suffix.lower() in LISTING_SUFFIXES


@dataclass(frozen=True)
class Source:
    """One article: a file found on disk, or a page fetched from a listing."""

    path: Path
    key: str
    """The path relative to the folder it was found in, with '/' separators (a URL if fetched)."""
    digest: str
    """SHA-256 of the file's bytes, in hex."""
    data: bytes | None = field(default=None, repr=False, compare=False)
    """The article's bytes when it was fetched: ``path`` is then only a name (its suffix picks
    the format) and ``key`` is its URL."""

    def read(self) -> bytes:
        """The article's bytes: fetched ones from memory, files from disk."""
        if self.data is not None:
            return self.data
        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise ArticleError(f"Could not read '{self.path}': {exc.strerror or exc}") from exc


def find_sources(arguments: Sequence[str | Path]) -> list[Source]:
    """Every article under ``arguments`` (files or folders), each once, in a stable order."""
    found: dict[str, Source] = {}
    for argument in arguments:
        for path, key in _walk(Path(argument)):
            if key in found and found[key].path != path:
                raise ArticleError(
                    f"Two articles have the same key '{key}' ({found[key].path} and {path}): "
                    "give each source folder once, or rename one of them"
                )
            found[key] = Source(path, key, _digest(path))
    return sorted(found.values(), key=lambda s: s.key)


def _walk(argument: Path) -> Iterator[tuple[Path, str]]:
    if argument.is_file():
        yield argument.resolve(), argument.name
        return
    if not argument.is_dir():
        raise ArticleError(f"Could not open source '{argument}': no such file or folder")
    for path in sorted(argument.rglob("*")):
        hidden = any(part.startswith(".") for part in path.relative_to(argument).parts)
        if path.suffix.lower() in ARTICLE_SUFFIXES and path.is_file() and not hidden:
            yield path.resolve(), path.relative_to(argument).as_posix()


def _digest(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as exc:
        raise ArticleError(f"Could not read '{path}': {exc.strerror or exc}") from exc
