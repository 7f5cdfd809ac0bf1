"""Read an article: plain text as scraped from a page, Markdown with front matter, or HTML.

``load(path) -> Article`` reads at most ``Limits.max_file_bytes`` of a regular file, decodes it
(UTF-8 first, bad bytes replaced and reported; BOMs; cp1252 only for files that are not UTF-8 at
all), refuses binary files, removes control characters and normalises to NFC, parses the format,
drops page furniture ("Listen to the article", fact-check blurbs, share prompts, the
reader-comments section and everything after it), checks the word limit, and checks the cover
image (``listen.cover``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from listen.cover import load_cover
from listen.errors import ArticleError, LimitExceeded
from listen.frontmatter import FRONT_MATTER, read_front_matter
from listen.language import NAMES, guess, is_english
from listen.limits import Limits
from listen.models import Article, Block, has_word
from listen.textfile import decode, read_bytes

__all__ = ["decode", "load", "parse_markdown", "parse_text"]

_LOGGER = logging.getLogger(__name__)

MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}

# A whole line that is page furniture, never article text.
_FURNITURE_LINE = re.compile(
    r"^\s*(?:"
    r"listen to (?:the|this) (?:article|story)(?: \(?\d+ min(?:utes?)?\)?)?"
    r"|(?:play|listen|hear)(?: to)? (?:audio|this article|the story)"
    r"|\d+ min(?:ute)? (?:read|listen)"
    r"|advertisement|sponsored content|skip to (?:main )?content"
    r"|share (?:this|the) (?:article|story)(?: on \w+)?"
    r"|(?:share|tweet|email|print|save)(?:\s*[|/·]\s*(?:share|tweet|email|print|save))+"
    r"|fact[ -]?checker|verify the accuracy of this article\b.*"
    r")\s*[.:]?\s*$",
    re.IGNORECASE,
)
# A line that opens the reader-comments section: it and everything after it go.
_COMMENTS_START = re.compile(
    r"^\s*(?:\d[\d,]*\s+comments?|comments?\s*\(\d+\)|comments|reader comments"
    r"|leave a (?:comment|reply)|join the (?:conversation|discussion)|show comments)\s*:?\s*$",
    re.IGNORECASE,
)
_TERMINAL = re.compile(r"[.!?:;\"'”’)\]…]\s*$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_SETEXT = re.compile(r"^(=+|-+)\s*$")
_MD_INLINE = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), ""),  # images are not read aloud
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"<[^>\n]+>"), ""),  # inline HTML tags
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),
    (re.compile(r"(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\1(?![\w*])"), r"\2"),
    (re.compile(r"`([^`]*)`"), r"\1"),
]
_MD_SKIP_LINE = re.compile(r"^\s*(?:```|~~~|\|?\s*:?-{3,}|<!--|-->|\*{3,}|-{3,}|_{3,})")
_MD_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_WORD = re.compile(r"\S+")
_WORD_LETTERS = 10
"""A run of letters without a space counts as one word per this many letters."""


def load(
    path: Path | str,
    limits: Limits | None = None,
    *,
    image_dirs: Sequence[Path] = (),
    strict_cover: bool = False,
) -> Article:
    """Read the article at ``path``; raise ArticleError saying what is wrong and what to do.

    ``limits`` bounds the file, its words and front matter and the cover image; the cover must
    lie beside the article or in one of ``image_dirs`` (see ``listen.cover.load_cover``), and
    a refused one is a warning, or a CoverError when ``strict_cover``.
    """
    path = Path(path)
    limits = limits or Limits()
    text = decode(read_bytes(path, limits.max_file_bytes), path)
    kind = _format_of(path, text)
    if kind == "html":
        from listen.htmlreader import parse_html  # HTML reading lives there (trafilatura)

        article = parse_html(text, path)
        _check_words("\n".join(b.text for b in article.blocks), path, limits)
    else:  # counted before parsing: the parsers never see a text over the limit
        _check_words(text, path, limits)
        if kind == "markdown":
            article = parse_markdown(text, path, limits)
        else:
            article = parse_text(text, path)
    if not article.paragraphs:
        raise ArticleError(
            f"Article '{path}' has no body text once page furniture is removed: "
            "nothing to read aloud; give a file with the article's paragraphs"
        )
    article = _in_english(article, path)
    cover = load_cover(
        article.image, path.parent, image_dirs=image_dirs, limits=limits, strict=strict_cover
    )
    return replace(article, cover=cover) if cover else article


def _in_english(article: Article, path: Path) -> Article:
    """The article, its language settled as English; an ArticleError for one in another
    language, which listen's reading rules and voices would turn into noise.

    A page or front matter that declares English is taken at its word. One that declares
    another language is refused unless its text is plainly English; one that declares none
    is refused only when its text is plainly in another language (``listen.language``)."""
    declared = article.language
    if declared and is_english(declared):
        return article
    written = guess("\n".join([article.title, *(b.text for b in article.blocks)]))
    if declared and written != "en":
        language = NAMES.get(declared.split("-")[0].lower(), f"'{declared}'")
        raise ArticleError(
            f"Article '{path}' declares it is in {language} ('{declared}'), and listen reads "
            "English only: give an English article, or declare it English if it is one "
            '(language: en in Markdown front matter, lang="en" on a page)'
        )
    if not declared and written not in (None, "en"):
        raise ArticleError(
            f"Article '{path}' reads as {NAMES[written]}, and listen reads English only: give an "
            "English article, or, if it is English, a Markdown file whose front matter says "
            "language: en"
        )
    return replace(article, language="en")


def _check_words(text: str, path: Path, limits: Limits) -> None:
    """Refuse more than ``limits.max_words`` words; a run without spaces is a word a 10 letters."""
    count = 0
    for match in _WORD.finditer(text):
        count += max(1, (match.end() - match.start()) // _WORD_LETTERS)
        if count > limits.max_words:
            break
    if count > limits.max_words:
        raise LimitExceeded(
            f"Article '{path}' has more than {limits.max_words:,} words, the limit; "
            "split it or raise the limit with --max-words"
        )


def _format_of(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    head = text.lstrip()[:200].lower()
    if head.startswith(("<!doctype html", "<html")):
        return "html"
    if FRONT_MATTER.match(text):
        return "markdown"
    return "text"


# ---------------------------------------------------------------- plain text


def parse_text(text: str, path: Path) -> Article:
    """Plain text as scraped from a page: the headline is the first line of text."""
    lines, removed = _strip_furniture(text.split("\n"))
    blocks = _text_blocks(lines)
    if not blocks:
        return Article(title=path.stem, blocks=(), source=path, language="", removed=removed)
    title, body = blocks[0].text, blocks[1:]
    return Article(title=title, blocks=tuple(body), source=path, language="", removed=removed)


def _strip_furniture(lines: list[str]) -> tuple[list[str], tuple[str, ...]]:
    kept: list[str] = []
    removed: list[str] = []
    for index, line in enumerate(lines):
        if _COMMENTS_START.match(line) and kept:
            removed.extend(x for x in lines[index:] if x.strip())
            break
        if _FURNITURE_LINE.match(line):
            removed.append(line.strip())
            continue
        kept.append(line)
    return kept, tuple(removed)


def _text_blocks(lines: list[str]) -> list[Block]:
    """One paragraph a line, joining hard-wrapped lines; short unpunctuated lines are headings."""
    paragraphs: list[str] = []
    joinable = False
    for raw in lines:
        line = " ".join(raw.split())
        if not line:
            joinable = False
            continue
        if joinable and paragraphs and line[:1].islower():
            paragraphs[-1] = f"{paragraphs[-1]} {line}"
        else:
            paragraphs.append(line)
        joinable = not _TERMINAL.search(line)
    blocks = [Block("paragraph", p) for p in paragraphs]
    return [_maybe_heading(b, i, len(blocks)) for i, b in enumerate(blocks)]


def _maybe_heading(block: Block, index: int, total: int) -> Block:
    words = block.text.split()
    short = 0 < index < total - 1 and len(words) <= 8
    if short and not _TERMINAL.search(block.text) and has_word(block.text):
        return Block("heading", block.text, level=2)
    return block


# ---------------------------------------------------------------- Markdown


def parse_markdown(text: str, path: Path, limits: Limits | None = None) -> Article:
    """Markdown with optional YAML front matter; the title is front matter's or the first H1."""
    meta, body = read_front_matter(text, path, limits)
    lines, removed = _strip_furniture(body.split("\n"))
    title, blocks = _split_title(meta.title, _markdown_blocks(lines))
    return Article(
        title=title or path.stem,
        blocks=tuple(blocks),
        source=path,
        author=meta.author,
        date=meta.date,
        url=meta.url,
        image=meta.image,
        language=meta.language or "",  # settled by load()
        description=meta.description,
        removed=removed,
    )


def _markdown_blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    current: list[str] = []
    in_code = False

    def flush() -> None:
        text = _md_inline(" ".join(current))
        if text:
            blocks.append(Block("paragraph", text))
        current.clear()

    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
            flush()
            continue
        if in_code:
            continue
        heading = _MD_HEADING.match(line)
        if heading:
            flush()
            blocks.append(Block("heading", _md_inline(heading.group(2)), len(heading.group(1))))
        elif current and _MD_SETEXT.match(line) and len(current) == 1:
            level = 1 if line.strip().startswith("=") else 2
            blocks.append(Block("heading", _md_inline(current[0]), level))
            current.clear()
        elif not line.strip() or _MD_SKIP_LINE.match(line):
            flush()
        elif _MD_LIST.match(line):
            flush()
            current.append(_MD_LIST.sub("", line))
        else:
            current.append(line.strip().lstrip(">").strip())
    flush()
    return blocks


def _md_inline(text: str) -> str:
    for pattern, repl in _MD_INLINE:
        text = pattern.sub(repl, text)
    return " ".join(text.replace("\\", "").split())


def _split_title(title: str | None, blocks: list[Block]) -> tuple[str | None, list[Block]]:
    """A leading heading is the title when there is none, or when it repeats the title."""
    if blocks and blocks[0].kind == "heading" and (not title or blocks[0].text == title):
        return blocks[0].text, blocks[1:]
    return title, blocks


def _as_str(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or None
    return str(value).strip() or None


def _iso_date(value: object) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = _as_str(value)
    if not text:
        return None
    match = re.match(r"(\d{4}-\d{2}-\d{2})", text)
    if match:
        return match.group(1)
    for fmt in ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    _LOGGER.warning("Ignoring a date that is not a calendar date: %r", text)
    return None
