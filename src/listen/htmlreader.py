"""Read an HTML article: main text by trafilatura, then listen's named rules for listening.

``parse_html(text, path) -> Article`` is called by ``listen.article.load`` for HTML input. The page
is parsed with lxml (a page nested deeper than lxml reads is refused with one ArticleError); what
is never read aloud (figures and captions, footnote markers, edit links, reference lists) is
pruned as trafilatura finds the main text, favouring precision, and again favouring recall when
that finds next to nothing; trafilatura's XML body becomes blocks (``_blocks``: a layout table's
text cells are read, a data table is not), and the rules in ``listen.htmlrules`` tidy them. The
extractor's logging and warnings never reach stderr: listen reports its own errors.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree

from listen.article import _iso_date, _strip_furniture
from listen.errors import ArticleError
from listen.htmlrules import byline, headline, page_facts, tidy
from listen.models import Article, Block

__all__ = ["UNREAD_XPATH", "parse_html"]

_CAPTION_CLASSES = (
    "caption",
    "wp-caption",
    "wp-caption-text",
    "image-caption",
    "img-caption",
    "photo-caption",
    "media-caption",
    "caption-text",
    "credit",
    "image-credit",
    "photo-credit",
)
UNREAD_XPATH = [
    # figures, photo captions and credits
    "//figure",
    "//figcaption",
    "//picture",
    "//*[not(self::body or self::article or self::main)][{}]".format(
        " or ".join(f"contains(concat(' ', @class, ' '), ' {c} ')" for c in _CAPTION_CLASSES)
    ),
    # footnote markers, "[edit]" links, "[citation needed]" and reference lists
    "//sup[contains(@class, 'reference') or contains(@class, 'noprint')]",
    "//sup[a[starts-with(@href, '#cite_note') or starts-with(@href, '#fn')]]",
    "//*[contains(@class, 'mw-editsection')]",
    "//*[contains(@class, 'reflist')]",
    "//ol[contains(@class, 'references')]",
    "//ol[contains(@class, 'footnotes')]",
]
"""Parts of a page that are never read aloud, pruned before the main text is found."""

_QUIET_LOGGERS = ("trafilatura", "htmldate", "courlan", "justext", "readability", "lxml")
_DEEP = "Excessive depth"
_BLOCK_TAGS = {"p", "head", "quote", "item", "code"}
_LEAD_IN_WORDS = 10
_SHORT_BODY_WORDS = 80
"""Fewer words than this from the precise reading: read again, favouring recall."""
_TEXT_CELL_WORDS = 40
"""A table cell this long (in words) holds running text: the table lays out the article, and
only such cells are read."""


_HTML_LANG = re.compile(
    r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*)", re.I
)
"""The page's declared language, ``<html lang="de">``, which trafilatura's metadata leaves out."""


def parse_html(text: str, path: Path) -> Article:
    """HTML: the article's main text and metadata; page furniture, figures and notes dropped."""
    reading = _read(text, path, precise=True)
    if _words(reading.blocks) < _SHORT_BODY_WORDS:
        recall = _read(text, path, precise=False)
        if _words(recall.blocks) > _words(reading.blocks):
            reading = recall
    doc = reading.doc
    if doc is None:
        return Article(title=path.stem, blocks=(), source=path)
    return Article(
        title=reading.title or path.stem,
        blocks=reading.blocks,
        source=path,
        author=byline(_str(doc.author)),
        date=_iso_date(doc.date),
        url=_str(doc.url),
        image=_str(doc.image),
        language=_declared_language(text)
        or _str(doc.language)
        or "",  # listen.article.load settles it
        description=_str(doc.description),
        removed=reading.removed,
    )


def _declared_language(text: str) -> str | None:
    found = _HTML_LANG.search(text, 0, 20_000)
    return found.group(1) if found else None


@dataclass(frozen=True)
class _Reading:
    doc: Any
    title: str | None = None
    blocks: tuple[Block, ...] = ()
    removed: tuple[str, ...] = ()


def _read(text: str, path: Path, *, precise: bool) -> _Reading:
    """One extraction: ``precise`` keeps less text when unsure. When it finds next to nothing (a
    reprint notice instead of the article), ``parse_html`` reads again favouring recall."""
    tree = _parse(text, path)
    facts = page_facts(tree)
    doc = _extract(tree, path, precise)
    if doc is None or doc.body is None:
        return _Reading(None)
    title = headline(facts, doc.title)
    kept, removed = _without_furniture(_blocks(doc.body))
    blocks, dropped = tidy(kept, title)
    return _Reading(doc, title, tuple(blocks), (*removed, *dropped))


def _words(blocks: tuple[Block, ...]) -> int:
    return sum(len(b.text.split()) for b in blocks if b.kind == "paragraph")


def _parse(text: str, path: Path) -> Any:
    parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True, remove_comments=True)
    try:
        tree = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ArticleError(f"Could not read '{path}' as HTML: {exc}; give the page's HTML") from exc
    if any(_DEEP in e.message for e in parser.error_log):
        raise _too_deep(path)
    return tree


def _too_deep(path: Path) -> ArticleError:
    return ArticleError(
        f"Could not read '{path}': its HTML nests elements too deeply to parse; "
        "save the article's text as a .txt or .md file and render that"
    )


def _extract(tree: Any, path: Path, precise: bool) -> Any:
    try:
        import trafilatura
    except ImportError as exc:
        raise ArticleError(
            f"Could not read '{path}': reading HTML needs trafilatura, which is not installed; "
            "install it with: pip install 'trafilatura>=1.12'"
        ) from exc
    with _quiet():
        try:
            return trafilatura.bare_extraction(
                tree,
                with_metadata=True,
                include_comments=False,
                include_formatting=True,
                include_tables=True,
                include_images=False,
                prune_xpath=UNREAD_XPATH,
                favor_precision=precise,
            )
        except RecursionError:
            raise _too_deep(path) from None


@contextmanager
def _quiet() -> Iterator[None]:
    """Keep the extractor's logging and warnings off stderr: listen reports its own errors."""
    loggers = [logging.getLogger(name) for name in _QUIET_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


# ---------------------------------------------------------------- trafilatura XML -> blocks


def _without_furniture(blocks: list[Block]) -> tuple[list[Block], tuple[str, ...]]:
    """The article module's furniture lines and comments section, applied to whole blocks."""
    lines, removed = _strip_furniture([b.text for b in blocks])
    kept: list[Block] = []
    wanted = iter(lines)
    line = next(wanted, None)
    for block in blocks:
        if block.text == line:
            kept.append(block)
            line = next(wanted, None)
    return kept, removed


def _blocks(body: Any) -> list[Block]:
    """Headings and paragraphs from trafilatura's XML, in reading order."""
    return [b for b in _walk(body) if b.text]


def _walk(element: Any) -> Iterator[Block]:
    for child in element:
        tag = child.tag
        if tag == "table":
            if _holds_text(child):
                yield from _walk_cells(child)
        elif tag == "head":
            yield Block("heading", _text(child), _level(child))
        elif tag in _BLOCK_TAGS and not _has_blocks(child):
            yield from _paragraph(child)
        elif tag in ("list", "quote", "div", "row", "cell", "item", "p"):
            yield from _walk(child)


def _walk_cells(table: Any) -> Iterator[Block]:
    for cell in table.iter("cell"):
        if len(_text(cell).split()) < _TEXT_CELL_WORDS:
            continue  # navigation or a label beside the text
        if _has_blocks(cell):
            yield from _walk(cell)
        else:
            yield Block("paragraph", _text(cell))


def _holds_text(table: Any) -> bool:
    """A layout table holds the article's running text; a data table (results, standings)
    holds short cells and is not read."""
    return any(
        len(_text(cell).split()) >= _TEXT_CELL_WORDS or _has_blocks(cell)
        for cell in table.iter("cell")
    )


def _has_blocks(element: Any) -> bool:
    return any(child.tag in (*_BLOCK_TAGS, "list", "table") for child in element)


def _paragraph(element: Any) -> Iterator[Block]:
    """A paragraph; a bold lead-in phrase ("Why it matters") is a sentence of its own."""
    lead = _lead_in(element)
    text = _text(element)
    if lead and len(text) > len(lead):
        rest = text[len(lead) :].strip()
        end = "" if re.search(r"[.:!?]$", lead) else "."
        yield Block("paragraph", f"{lead}{end}\n{rest}")
    else:
        yield Block("paragraph", text)


def _lead_in(element: Any) -> str | None:
    if (element.text or "").strip() or not len(element):
        return None
    first = element[0]
    if first.tag != "hi" or "#b" not in (first.get("rend") or ""):
        return None
    lead = _text(first).rstrip(" -–—")
    after = _text(element)[len(lead) :].lstrip(" -–—")
    starts_sentence = not after or after[:1].isupper() or after[:1] in "\"“‘'([0123456789"
    if lead and len(lead.split()) <= _LEAD_IN_WORDS and starts_sentence:
        return lead if _text(element).startswith(lead) else None
    return None


def _text(element: Any) -> str:
    """The element's text, a line break (<lb/>) kept as a new line, other spaces collapsed."""
    lines = "".join(_pieces(element)).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines if line.strip())


def _pieces(element: Any) -> Iterator[str]:
    yield element.text or ""
    for child in element:
        if child.tag == "lb":
            yield "\n"
        else:
            yield from _pieces(child)
        yield child.tail or ""


def _level(element: Any) -> int:
    match = re.match(r"h([1-6])", element.get("rend") or "")
    return int(match.group(1)) if match else 2


def _str(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None
