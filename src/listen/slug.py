"""File names for episodes: the title as lower-case ASCII words, in any script.

Non-Latin titles are transliterated with anyascii (Chinese to pinyin, Japanese kana to romaji,
Greek, Cyrillic and Arabic to Latin letters, emoji to their names); a title with nothing to
transliterate gets a short hash of itself, so two different titles never share a fixed name.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from anyascii import anyascii

__all__ = ["slugify"]

MAX_SLUG = 80
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_WORD = re.compile(r"[a-z0-9]+")


def slugify(title: str, taken: set[str] | None = None) -> str:
    """Lower-case ASCII words joined by hyphens, at most 80 characters, unique within ``taken``.

    ``taken`` collects the slugs already used in a run; a repeat gets ``-2``, ``-3`` ...
    """
    slug = _join(_WORD.findall(_transliterate(title).lower())) or _hash(title)
    taken = taken if taken is not None else set()
    unique, n = slug, 2
    while unique in taken:
        unique, n = f"{slug}-{n}", n + 1
    taken.add(unique)
    return unique


def _transliterate(title: str) -> str:
    """ASCII as is, every other character through anyascii; a CJK ideograph is a word."""
    return _NON_ASCII.sub(lambda m: _character(m.group()), unicodedata.normalize("NFC", title))


def _character(char: str) -> str:
    ascii_text = anyascii(char)
    return f" {ascii_text} " if unicodedata.name(char, "").startswith("CJK") else ascii_text


def _join(words: list[str]) -> str:
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > MAX_SLUG:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug or (words[0][:MAX_SLUG] if words else "")


def _hash(title: str) -> str:
    return hashlib.sha256(title.encode("utf-8", "surrogatepass")).hexdigest()[:10]
