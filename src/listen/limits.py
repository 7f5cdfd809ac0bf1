"""How much one article may ask of listen: file size, words, front matter, cover image.

Every limit is checked before anything is synthesised; going over one is a
``LimitExceeded`` error that names the limit and the option that raises it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Limits", "format_size", "parse_size"]

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m|gb|g)?\s*$", re.IGNORECASE)
_UNITS = {"b": 1, "k": 1000, "kb": 1000, "m": 1000**2, "mb": 1000**2, "g": 1000**3, "gb": 1000**3}


@dataclass(frozen=True)
class Limits:
    """Bounds on one article and its cover art; the defaults suit any news article."""

    max_file_bytes: int = 5_000_000
    """Size of the article file (``--max-file-size``)."""
    max_words: int = 50_000
    """Words in the title and body (``--max-words``); a novel-length text is refused."""
    max_front_matter_bytes: int = 64_000
    """Size of the YAML front matter block (``--max-front-matter``)."""
    max_yaml_aliases: int = 20
    """YAML aliases (``*name``) in the front matter; more is refused, never expanded."""
    max_image_bytes: int = 5_000_000
    """Size of the cover image file (``--max-image-size``)."""
    max_image_side: int = 3000
    """Width and height of the cover image, in pixels (``--max-image-side``)."""


def parse_size(text: str) -> int:
    """``"5MB"`` -> 5000000; plain digits are bytes. Raise ValueError on anything else."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a size; write it like 5MB, 64KB or 100000")
    number, unit = match.groups()
    return int(float(number) * _UNITS[(unit or "b").lower()])


def format_size(size: int) -> str:
    """A byte count for a message: ``5000000`` -> ``"5 MB"``, ``64000`` -> ``"64 KB"``."""
    for unit, scale in (("GB", 1000**3), ("MB", 1000**2), ("KB", 1000)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} bytes"
