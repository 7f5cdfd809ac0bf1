"""Article -> Script: what will be said, a segment at a time, with the pause after each."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from listen.models import Article, Block, Pauses, Script, Segment, ShowInfo, has_word
from listen.normalise import to_spoken
from listen.normalise.lexicon import Lexicon, default_lexicon
from listen.normalise.sentences import split_long, split_sentences

__all__ = ["DEFAULT_MAX_CHARS", "build_script", "intro_text"]

DEFAULT_MAX_CHARS = 400
"""Longest segment handed to an engine; longer sentences are split at clause boundaries."""

_END_PUNCT = re.compile(r"[.!?…:;]['\"”’)]*$")
_END_PAUSE_MS = 80
"""Silence after the last word: the last transcript cue ends within 100 ms of the audio."""


def build_script(
    article: Article,
    pauses: Pauses | None = None,
    show: ShowInfo | None = None,
    *,
    lexicon: Lexicon | None = None,
    spelling: str = "us",
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Script:
    """Split the article into segments, normalise each, and set the pause after it.

    ``lexicon`` is loaded once per profile (``listen.profile.profile_lexicon``); without it,
    the base English lexicon. ``show`` gives the spoken intro and outro, if any.
    """
    if lexicon is None:
        lexicon = default_lexicon()
    chapters = _chapters(article)
    headings = sum(b.kind == "heading" for b in article.blocks)
    layout = _Layout(pauses or Pauses(), show or ShowInfo(), max_chars)
    raw = list(_raw_segments(article, layout, len(chapters) - headings))
    segments: list[Segment] = []
    for seg in raw:
        spoken = _spoken(seg.text, lexicon, spelling, seg.kind)
        if has_word(spoken):
            segments.append(replace(seg, spoken=spoken))
        elif segments and seg.pause_ms > segments[-1].pause_ms:  # "[." or "…": nothing to say
            segments[-1] = replace(segments[-1], pause_ms=seg.pause_ms)
    if segments:
        segments[-1] = replace(segments[-1], pause_ms=_END_PAUSE_MS)
    return Script(article=article, segments=tuple(segments), chapters=chapters)


def intro_text(template: str, article: Article, show: ShowInfo) -> str:
    """Fill an intro or outro template (checked when the profile loaded: only {title},
    {author}, {show} and {date}); a sentence naming a missing field is dropped."""
    fields = {
        "title": article.title,
        "author": article.author,
        "show": show.name,
        "date": article.date,
    }
    parts = re.split(r"(?<=[.!?])\s+", template)
    kept = [p for p in parts if all(fields.get(k) for k in re.findall(r"{(\w+)}", p))]
    return " ".join(kept).format(**{k: v or "" for k, v in fields.items()}).strip()


def _chapters(article: Article) -> tuple[str, ...]:
    headings = [b.text for b in article.blocks if b.kind == "heading"]
    if not headings:
        return (article.title,)
    lead = any(b.kind == "paragraph" for b in _before_first_heading(article))
    return ((article.title,) if lead else ()) + tuple(headings)


def _before_first_heading(article: Article) -> Iterator[Block]:
    for block in article.blocks:
        if block.kind == "heading":
            return
        yield block


@dataclass(frozen=True)
class _Layout:
    pauses: Pauses
    show: ShowInfo
    max_chars: int


def _raw_segments(
    article: Article, layout: _Layout, first_heading_chapter: int
) -> Iterator[Segment]:
    """Segments with their pauses and chapters; ``first_heading_chapter`` is 1 when the text
    before the first heading (or the whole headless article) is a chapter of its own, else 0."""
    pauses, show = layout.pauses, layout.show
    if show.intro:
        yield Segment(intro_text(show.intro, article, show), "", "intro", pauses.heading_ms)
    else:
        yield Segment(article.title, "", "title", pauses.heading_ms)
    chapter = first_heading_chapter - 1
    for index, block in enumerate(article.blocks):
        if block.kind == "heading":
            chapter += 1
            yield Segment(block.text, "", "heading", pauses.heading_ms, index, chapter)
            continue
        sentences = [
            p for s in split_sentences(block.text) for p in split_long(s, layout.max_chars)
        ]
        for n, sentence in enumerate(sentences):
            last = n == len(sentences) - 1
            pause = pauses.paragraph_ms if last else pauses.sentence_ms
            yield Segment(sentence, "", "sentence", pause, index, max(chapter, 0))
    if show.outro:
        outro = intro_text(show.outro, article, show)
        yield Segment(outro, "", "outro", pauses.paragraph_ms, -1, max(chapter, 0))


def _spoken(text: str, lexicon: Lexicon, spelling: str, kind: str) -> str:
    spoken = to_spoken(text, lexicon=lexicon, spelling=spelling).strip()
    if spoken and kind in ("title", "heading") and not _END_PUNCT.search(spoken):
        spoken += "."
    return spoken
