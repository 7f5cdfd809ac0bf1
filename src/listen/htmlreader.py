"""Read an HTML article: main text and metadata by trafilatura, page furniture dropped.

``parse_html(text, path) -> Article`` is called by ``listen.article.load`` for HTML input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from listen.article import _as_str, _iso_date, _markdown_blocks, _split_title, _strip_furniture
from listen.models import Article

__all__ = ["parse_html"]


def parse_html(text: str, path: Path) -> Article:
    """HTML: main text and metadata by trafilatura; scripts, navigation and comments dropped."""
    import trafilatura

    doc: Any = trafilatura.bare_extraction(
        text,
        with_metadata=True,
        include_comments=False,
        include_formatting=True,
        include_tables=False,
        include_images=False,
        favor_precision=True,
    )
    if doc is None or not getattr(doc, "text", None):
        return Article(title=path.stem, blocks=(), source=path)
    lines, removed = _strip_furniture(str(doc.text).split("\n"))
    title, blocks = _split_title(_as_str(doc.title), _markdown_blocks(lines))
    return Article(
        title=title or path.stem,
        blocks=tuple(blocks),
        source=path,
        author=_as_str(doc.author),
        date=_iso_date(doc.date),
        url=_as_str(doc.url),
        image=_as_str(doc.image),
        language=_as_str(doc.language) or "en",
        description=_as_str(doc.description),
        removed=removed,
    )
