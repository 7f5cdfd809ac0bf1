"""Article -> Script: what will be said, a segment at a time, with the pause after each."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from listen.models import Article, Block, Profile, Script, Segment
from listen.normalise import to_spoken
from listen.normalise.lexicon import BASE_LEXICON, Lexicon, load_lexicon
from listen.normalise.sentences import split_long, split_sentences

__all__ = ["DEFAULT_MAX_CHARS", "build_script", "intro_text", "profile_lexicon"]

DEFAULT_MAX_CHARS = 400
"""Longest segment handed to an engine; longer sentences are split at clause boundaries."""

_END_PUNCT = re.compile(r"[.!?…:;]['\"”’)]*$")
_END_PAUSE_MS = 80
"""Silence after the last word: the last transcript cue ends within 100 ms of the audio."""


def build_script(
    article: Article,
    profile: Profile,
    *,
    lexicon: Lexicon | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Script:
    """Split the article into segments, normalise each, and set its pause from the profile."""
    if lexicon is None:
        lexicon = profile_lexicon(profile)
    chapters = _chapters(article)
    headings = sum(b.kind == "heading" for b in article.blocks)
    raw = list(_raw_segments(article, profile, max_chars, len(chapters) - headings))
    segments: list[Segment] = []
    for seg in raw:
        spoken = _spoken(seg.text, lexicon, profile.spelling, seg.kind)
        if spoken:
            segments.append(replace(seg, spoken=spoken))
    if segments:
        segments[-1] = replace(segments[-1], pause_ms=_END_PAUSE_MS)
    return Script(article=article, segments=tuple(segments), chapters=chapters)


def profile_lexicon(profile: Profile) -> Lexicon:
    """The base English lexicon, then the profile's own files, later ones overriding."""
    paths = [BASE_LEXICON, *profile.lexicons]
    unique = list(dict.fromkeys(Path(p).resolve() for p in paths))
    return load_lexicon(unique)


def intro_text(template: str, article: Article, profile: Profile) -> str:
    """Fill an intro or outro template; a sentence naming a missing field is dropped."""
    fields = {
        "title": article.title,
        "author": article.author,
        "show": profile.show,
        "date": article.date,
        "url": article.url,
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


def _raw_segments(
    article: Article, profile: Profile, max_chars: int, first_heading_chapter: int
) -> Iterator[Segment]:
    """Segments with their pauses and chapters; ``first_heading_chapter`` is 1 when the text
    before the first heading (or the whole headless article) is a chapter of its own, else 0."""
    if profile.intro:
        yield Segment(
            intro_text(profile.intro, article, profile), "", "intro", profile.heading_pause_ms
        )
    else:
        yield Segment(article.title, "", "title", profile.heading_pause_ms)
    chapter = first_heading_chapter - 1
    for index, block in enumerate(article.blocks):
        if block.kind == "heading":
            chapter += 1
            yield Segment(block.text, "", "heading", profile.heading_pause_ms, index, chapter)
            continue
        sentences = [p for s in split_sentences(block.text) for p in split_long(s, max_chars)]
        for n, sentence in enumerate(sentences):
            last = n == len(sentences) - 1
            pause = profile.paragraph_pause_ms if last else profile.sentence_pause_ms
            yield Segment(sentence, "", "sentence", pause, index, max(chapter, 0))
    if profile.outro:
        yield Segment(
            intro_text(profile.outro, article, profile),
            "",
            "outro",
            profile.paragraph_pause_ms,
            -1,
            max(chapter, 0),
        )


def _spoken(text: str, lexicon: Lexicon, spelling: str, kind: str) -> str:
    spoken = to_spoken(text, lexicon=lexicon, spelling=spelling).strip()
    if spoken and kind in ("title", "heading") and not _END_PUNCT.search(spoken):
        spoken += "."
    return spoken
