"""Sentence splitting. Placeholder: splits after . ! ? followed by a space and a capital."""

from __future__ import annotations

import re

__all__ = ["split_sentences"]

_BOUNDARY = re.compile(r"(?<=[.!?][\"'\u201d\u2019]?)\s+(?=[\"'\u201c\u2018]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _BOUNDARY.split(text) if s.strip()]
