"""The named rules that make an extracted web page fit to be read aloud.

Each rule is a small function with a test fixture of its own in tests/data/html/:

* ``headline``: the page's own headline (an h1 the title tags agree with, else og:title), without a
  " | Site" or " | Author" tail;
* ``byline``: an author only when it looks like a person's name ("Username" is not; "Name May"
  loses its date);
* ``tidy`` runs, in order: ``strip_markers`` (footnote markers, "[edit]", "[citation needed]"),
  ``cut_back_matter`` (a "References", "Notes", "External links" or "Further reading" heading and
  everything after it; citation lines), ``demote_sentences`` (a heading must be a short line, not a
  sentence), ``drop_repeats`` (the headline again, the paragraph just read, a pull quote) and
  ``drop_promotions`` ("Read more:" lines and tails, a bare "More:" heading, newsletter, share,
  follow-us and tip prompts, report credits, image credits and copyright lines).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from listen.models import Block, has_word

__all__ = [
    "PageFacts",
    "byline",
    "cut_back_matter",
    "demote_sentences",
    "drop_promotions",
    "drop_repeats",
    "headline",
    "page_facts",
    "strip_markers",
    "tidy",
]

_NOTES = r"(?:citation|clarification|better source|page|verification|year|date) needed"
_MARKER = re.compile(
    rf"\s*\[(?:edit|{_NOTES}|(?:according to |by )?(?:whom|who|when|where|which)\?|dubious|sic\?)\]"
    r"|(?<=[\w.,;:!?\"”’)\]])\[(?:\d{1,3}|[a-z]|note \d+|nb \d+)\](?!\w)",
    re.IGNORECASE,
)
_BACK_MATTER = re.compile(
    r"^(?:references|notes|notes and references|external links|further reading|see also"
    r"|bibliography|footnotes|citations|works cited|sources and notes)\s*:?$",
    re.IGNORECASE,
)
_CITATION = re.compile(r"\b(?:Retrieved|Accessed|Archived from the original)\b.{0,40}\d{4}\.?\s*$")
_SENTENCE_END = re.compile(r"[.!;]\s*[\"”’)]?$|[.!?]\s+[A-Z\"“]")
_HEADING_WORDS = 14
_ENUMERATED = re.compile(r"^\s*\(?\d{1,3}[.)]\s+")
_SOCIAL = r"(?:facebook|twitter|x|instagram|tiktok|linkedin|threads|bluesky|youtube|mastodon)"
_PIECES = "story|article|piece|post"
_PROMOTIONS = (
    # links onward
    r"read more|read also|also read|more reading|related(?: stories| articles)?",
    r"recommended(?: reading| for you)?|more from \w+|more on this|you may also like",
    r"(?:more|see also)\s*:?\s*$|https?://\S+$|click here|.*\bclick(?:ing)? here\b",
    r"follow [^.]{0,80}\bat https?://|more [\w' ]{1,30}:\s*https?://",
    r"(?:see it|shop it|buy it|get it|view it|shop|buy)(?: now)?(?: at [^.]{1,30})?\s*:?\s*$",
    r"(?:see it|shop it|buy it|get it|view it) (?:now|here)\s*:|don'?t miss\s*:?\s*$",
    r"filed under\s*:|tags\s*:|topics\s*:|also\s*:?\s*$|(?:listen|watch)\s*:\s*https?://",
    r"(?:most (?:read|popular|viewed|shared)|trending)\b[^.]{0,40}$",
    r"(?:story continues below|continue reading)\b|advertisement\s*$|sponsored(?: content)?\s*$",
    # sign-ups, shares and follows
    r"sign up (?:for|to)|subscribe (?:to|for|now)|follow us|download (?:our|the) app",
    r"(?:you can )?(?:also )?subscribe to (?:this|our) [^.]{0,30}newsletters?\b",
    r"get (?:the|our) [^.]{0,50}\b(?:inbox|newsletters?)\b|(?:\w+ ){0,4}newsletter$",
    rf".*\bshare this (?:{_PIECES}|page|information)\b",
    rf"(?:did you )?(?:liked?|enjoy(?:ed)?|loved?|find|found) this (?:{_PIECES})\b[^.!]*\?",
    rf"if you (?:liked|enjoyed|appreciated) this (?:{_PIECES})\b",
    rf"(?:be sure to )?(?:follow|like|join|visit|find|reach) [^.]{{0,60}}?\bon {_SOCIAL}\b",
    r"follow @\w|email [^.]{0,40}\bat \S+@\S+|have a (?:news |story )?tip\?",
    # credits, sources and notices
    r"\(\s*(?:additional )?reporting by\b",
    r"(?:additional )?reporting by [^.]{0,150}\bedit(?:ing|ed) by\b",
    r".*\bcontributed to this (?:report|story|article)\.?$|contributing\s*:",
    r"source\s*:[^.]{0,60}$|with (?:[\w.']+ ){0,3}(?:wires?|wire services)\.?$",
    r"(?:main |cover |top |header |featured |lead )?(?:image|photo|picture)s?(?: credits?)?\s*:",
    r"this (?:article|story) (?:was )?(?:originally|first) (?:appeared|published)",
    r"originally published (?:on|in|by|at)\b|citation\s*:",
    rf"(?:editor'?s note\s*:\s*)?this (?:{_PIECES}) (?:was|has been) updated\b",
    r"the views (?:and opinions )?expressed\b",
    r"copyright\b[^.]{0,60}\b\d{4}\b|©|\(c\) ?\d{4}\b",
    r"this copy is for your personal, non-commercial use|order reprints?$|print article$",
)
_PROMO = re.compile(r"^\s*\[?\s*(?:" + "|".join(_PROMOTIONS) + ")", re.IGNORECASE)
_PROMO_TAIL = re.compile(
    r"(?<=[.!?\"”’])\s*\b(?:read more|read also|related|see also)\s*(?::|»|>>)\s*[^.!?]*$", re.I
)
_PROMO_WORDS = 30
_QUOTE_WORDS = 6
_QUOTE_WINDOW = 4
_WEB_LABEL = re.compile(
    r"^\s*(?:breaking(?: news)?|just in|watch|video|photos?|gallery|listen)\s*[:|-]\s+(?=\S)",
    re.IGNORECASE,
)
_TITLE_SEPARATOR = re.compile(r"\s+(?:\||–|—|-|::|»|·|/)\s+")
_NOT_NAMES = frozenset(
    re.findall(
        r"\S+",
        "username user login log sign in admin administrator guest anonymous staff editor editors"
        " password email subscribe home menu search account profile author contributor by"
        " published updated posted share comments none unknown",
    )
)
_DATE_WORDS = re.compile(
    r"(?:\s+|,\s*)(?:(?:on|updated|published|posted)\b|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct"
    r"|nov|dec|mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?(?:\s|$)|\d).*$",
    re.IGNORECASE,
)
_PARTICLES = frozenset(
    re.findall(r"\S+", "de da das do dos du van von der den del della di la le bin ibn al el y")
)


@dataclass(frozen=True)
class PageFacts:
    """What the page states about itself, read before extraction changes the tree."""

    h1: tuple[str, ...] = ()
    og_title: str | None = None
    title_tag: str | None = None


def page_facts(tree: Any) -> PageFacts:
    """The h1 headings, og:title and <title> of a parsed page."""
    h1 = tuple(_squash(e.text_content()) for e in tree.iter("h1"))[:3]
    og = tree.xpath("//meta[@property='og:title' or @name='twitter:title']/@content")
    titles = tree.xpath("//title")
    return PageFacts(
        h1=tuple(t for t in h1 if t),
        og_title=_squash(og[0]) if og else None,
        title_tag=_squash(titles[0].text_content()) if titles else None,
    )


def headline(facts: PageFacts, extracted: str | None) -> str | None:
    """The on-page headline: an h1 that a title tag agrees with, else og:title, else the
    extractor's title; never with a " | Site" or " | Author" tail."""
    tags = [t for t in (facts.og_title, facts.title_tag) if t]
    for h1 in facts.h1:
        clean = _strip_markers(h1)
        if any(_key(clean) and _key(clean) in _key(t) for t in tags):
            return _without_label(clean)
    for candidate in (facts.og_title, extracted, facts.title_tag):
        if candidate and _strip_markers(candidate):
            return _without_label(_without_tail(_strip_markers(candidate)))
    return None


def _without_label(title: str) -> str:
    """ "Breaking News: Headline" -> "Headline": a web page's label, stale in an episode's
    title. A label that says what kind of piece it is ("Analysis:", "Exclusive:") stays."""
    return _WEB_LABEL.sub("", title)


def _without_tail(title: str) -> str:
    """ "Headline | Author Name" -> "Headline": the longest part between separators."""
    parts = _TITLE_SEPARATOR.split(title)
    return max(parts, key=lambda p: len(p.split())) if len(parts) > 1 else title


def byline(author: str | None) -> str | None:
    """The author names in ``author`` that look like names; None when none does."""
    if not author:
        return None
    names = [_name(part) for part in re.split(r"\s*[;|]\s*|\s+and\s+", author)]
    kept = [n for n in names if n]
    return "; ".join(kept) if kept else None


def _name(text: str) -> str | None:
    text = re.sub(r"^\s*by\s+", "", text, flags=re.IGNORECASE)
    text = _DATE_WORDS.sub("", text).strip(" ,|-–—")
    words = text.split()
    if not 1 <= len(words) <= 5 or any(w.lower().strip(".") in _NOT_NAMES for w in words):
        return None
    for word in words:
        if word.lower() in _PARTICLES:
            continue
        if not word[:1].isupper() or re.search(r"[\d@/#:?!]", word):
            return None
    return " ".join(words)


# ---------------------------------------------------------------- block rules


def tidy(blocks: Sequence[Block], title: str | None) -> tuple[list[Block], tuple[str, ...]]:
    """Apply the rules in order; return the kept blocks and the text of every dropped one."""
    rules: list[Callable[[list[Block]], list[Block]]] = [
        strip_markers,
        cut_back_matter,
        demote_sentences,
        lambda bs: drop_repeats(bs, title),
        drop_promotions,
    ]
    kept = list(blocks)
    for rule in rules:
        kept = rule(kept)
    dropped = _dropped(blocks, kept)
    return kept, dropped


def _dropped(before: Sequence[Block], after: Sequence[Block]) -> tuple[str, ...]:
    keys = {_key(b.text) for b in after}
    return tuple(b.text for b in before if _key(b.text) not in keys)


def strip_markers(blocks: list[Block]) -> list[Block]:
    """Footnote markers ("[12]"), "[edit]" links and "[citation needed]" are not read, and a
    heading without a letter or digit (a rule of underscores) is not a heading. A paragraph
    without one stays in the text; the script does not speak it."""
    out = [replace(b, text=_strip_markers(b.text)) for b in blocks]
    return [b for b in out if b.text and (b.kind != "heading" or has_word(b.text))]


def _strip_markers(text: str) -> str:
    return re.sub(r"[ \t]{2,}", " ", _MARKER.sub("", text)).strip()


def cut_back_matter(blocks: list[Block]) -> list[Block]:
    """A "References", "Notes", "External links" or "Further reading" heading and all after it
    go; so does a citation line ("Retrieved August 18, 2012.") anywhere."""
    kept: list[Block] = []
    for block in blocks:
        if block.kind == "heading" and _BACK_MATTER.match(block.text):
            break
        if not _CITATION.search(block.text):
            kept.append(block)
    return kept


def demote_sentences(blocks: list[Block]) -> list[Block]:
    """A heading is a short line that is not a sentence; a standfirst is a paragraph."""
    return [
        replace(b, kind="paragraph", level=0) if b.kind == "heading" and _is_sentence(b.text) else b
        for b in blocks
    ]


def _is_sentence(text: str) -> bool:
    text = _ENUMERATED.sub("", text)  # "1. Ditch the diet" is a numbered heading
    return len(text.split()) > _HEADING_WORDS or bool(_SENTENCE_END.search(text))


def drop_repeats(blocks: list[Block], title: str | None) -> list[Block]:
    """The headline again, the block just read again, or a pull quote repeating a sentence of
    the last few paragraphs: read once only."""
    kept: list[Block] = []
    seen = {_key(title)} if title else set()
    for block in blocks:
        key = _key(block.text)
        recent = [_key(b.text) for b in kept[-_QUOTE_WINDOW:] if b.kind == "paragraph"]
        if key in seen or (kept and key == _key(kept[-1].text)):
            continue
        if len(key.split()) >= _QUOTE_WORDS and any(f" {key} " in f" {r} " for r in recent):
            continue
        kept.append(block)
    return kept


def drop_promotions(blocks: list[Block]) -> list[Block]:
    """ "Read more: ..." lines and tails, a bare "More:" heading, newsletter, share, follow-us,
    tip and reprint prompts, report and image credits and copyright lines go, each only as a
    block of its own of at most ``_PROMO_WORDS`` words."""
    kept: list[Block] = []
    for block in blocks:
        if len(block.text.split()) <= _PROMO_WORDS and _PROMO.match(block.text):
            continue
        text = _PROMO_TAIL.sub("", block.text).strip()
        if text:
            kept.append(replace(block, text=text))
    return kept


def _key(text: str | None) -> str:
    return " ".join(re.findall(r"\w+", (text or "").casefold()))


def _squash(text: str) -> str:
    return " ".join(str(text).split())
