"""An article file's bytes and text: bounded reads, decoding, and cleaning.

``read_bytes`` reads at most ``Limits.max_file_bytes`` of a regular file (never a device, a FIFO
or a directory). ``decode`` tries BOMs, then UTF-8 (a few bad bytes are replaced with U+FFFD and
reported), then cp1252 for a file that is mostly not UTF-8; it refuses binary data, removes
control characters and normalises to NFC.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import unicodedata
from pathlib import Path

from listen.errors import ArticleError, LimitExceeded
from listen.limits import format_size

__all__ = ["decode", "read_bytes"]

_LOGGER = logging.getLogger(__name__)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_HIGH_BYTES = bytes(range(128))
"""Deleting these from bytes leaves the bytes that are not ASCII."""


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """At most ``max_bytes`` of a regular file: never a device, a FIFO or a directory."""
    info = _stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise ArticleError(
            f"Could not read '{path}': it is not a regular file (a device, FIFO or socket); "
            "give an article file (.txt, .md or .html)"
        )
    _check_size(info.st_size, path, max_bytes)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(fd, "rb") as file:
            data = file.read(max_bytes + 1)
    except OSError as exc:
        raise ArticleError(f"Could not open file '{path}': {exc.strerror or exc}") from exc
    _check_size(len(data), path, max_bytes)
    if not data.strip():
        raise ArticleError(f"Article '{path}' is empty: nothing to read aloud")
    return data


def _stat(path: Path) -> os.stat_result:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ArticleError(f"Could not open file '{path}': no such file") from None
    except OSError as exc:
        raise ArticleError(f"Could not open file '{path}': {exc.strerror or exc}") from exc
    if stat.S_ISDIR(info.st_mode):
        raise ArticleError(
            f"Could not read '{path}': it is a directory; give an article file (.txt, .md or .html)"
        )
    return info


def _check_size(size: int, path: Path, max_bytes: int) -> None:
    if size > max_bytes:
        raise LimitExceeded(
            f"Article '{path}' is over the {format_size(max_bytes)} file size limit; "
            "split it or raise the limit with --max-file-size"
        )


def decode(data: bytes, path: Path) -> str:
    """Decode an article's bytes and clean the text; refuse binary data.

    BOMs first, then UTF-8 (a few bad bytes are replaced with U+FFFD and reported), then cp1252
    for a file that is mostly not UTF-8. Control characters go, the text is NFC-normalised.
    """
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            return _clean(_check_text(data.decode(codec, errors="replace"), path), path)
    if b"\x00" in data[:8192]:
        raise _binary(path)
    return _clean(_check_text(_utf8_or_cp1252(data, path), path), path)


def _utf8_or_cp1252(data: bytes, path: Path) -> str:
    """UTF-8 unless most non-ASCII sequences are invalid UTF-8, which means cp1252."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    ascii_bytes = len(data) - len(data.translate(None, _HIGH_BYTES))
    good = len(text) - ascii_bytes - bad
    if bad > good:
        _LOGGER.info("Reading '%s' as cp1252: it is not UTF-8", path)
        return data.decode("cp1252", errors="replace")
    _LOGGER.warning(
        "Article '%s' is UTF-8 with %d invalid byte sequence(s); replaced them with U+FFFD "
        "(re-save the file as UTF-8 to fix it)",
        path,
        bad,
    )
    return text


def _check_text(text: str, path: Path) -> str:
    sample = text[:8192]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\t\n\r\f")
    if controls > max(2, len(sample) // 100) or sample.count("\ufffd") > len(sample) // 20:
        raise _binary(path)
    return text


def _clean(text: str, path: Path) -> str:
    """Unix newlines, no control characters (NUL, escape ...), NFC-normalised."""
    text = text.replace("\r\n", "\n")
    for newline in ("\r", "\f", "\v", "\u2028", "\u2029"):
        text = text.replace(newline, "\n")
    text, removed = _CONTROL.subn("", text)
    if removed:
        _LOGGER.warning("Removed %d control character(s) from '%s'", removed, path)
    return unicodedata.normalize("NFC", text)


def _binary(path: Path) -> ArticleError:
    return ArticleError(
        f"Could not read '{path}': it looks like a binary file, not text; "
        "give a .txt, .md or .html article"
    )
