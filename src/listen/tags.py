"""ID3v2.3 tags for an episode: the only module that imports mutagen.

Title, author, show, date, genre, description, article URL, length, cover art, and chapters
(CHAP frames under one CTOC). ``update_to_v23()`` runs before ``save(v2_version=3)`` so no
ID3v2.4-only frame leaks into the file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from mutagen import MutagenError
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCON,
    TDRC,
    TIT2,
    TLAN,
    TLEN,
    TPE1,
    TSSE,
    WOAS,
    CTOCFlags,
    Frame,
    PictureType,
)

from listen.errors import TagError
from listen.models import Article, ChapterTiming, Cover

__all__ = ["EpisodeTags", "read_tags", "write_tags"]

_LOGGER = logging.getLogger(__name__)
_NO_OFFSET = 0xFFFFFFFF
_LANGUAGES = {
    "en": "eng",
    "fr": "fra",
    "de": "deu",
    "es": "spa",
    "it": "ita",
    "ja": "jpn",
    "ko": "kor",
    "pt": "por",
    "nl": "nld",
}


@dataclass(frozen=True)
class EpisodeTags:
    """What is written to an episode's ID3 tag."""

    title: str
    show: str
    duration: float
    chapters: tuple[ChapterTiming, ...] = ()
    author: str | None = None
    date: str | None = None
    description: str | None = None
    url: str | None = None
    cover: Cover | None = None
    """Checked cover art (``listen.cover``); the only source of the APIC frame."""
    language: str = "en"
    genre: str = "Podcast"
    encoder: str = "listen"

    @classmethod
    def for_article(
        cls,
        article: Article,
        show: str,
        duration: float,
        chapters: tuple[ChapterTiming, ...],
        encoder: str = "listen",
    ) -> EpisodeTags:
        return cls(
            title=article.title,
            show=show,
            duration=duration,
            chapters=chapters,
            author=article.author,
            date=article.date,
            description=article.description,
            url=article.url,
            cover=article.cover,
            language=article.language,
            encoder=encoder,
        )


def write_tags(path: Path, tags: EpisodeTags) -> None:
    """Write ``tags`` to the MP3 at ``path`` as ID3v2.3."""
    id3 = ID3()
    for frame in _text_frames(tags):
        id3.add(frame)
    if tags.cover:
        id3.add(_apic(tags.cover))
    for frame in _chapter_frames(tags.chapters):
        id3.add(frame)
    id3.update_to_v23()
    try:
        id3.save(path, v2_version=3, v1=0)
    except (MutagenError, OSError) as exc:
        raise TagError(f"Could not write tags to '{path}': {exc}") from exc


def _text_frames(tags: EpisodeTags) -> list[Frame]:
    frames: list[Frame] = [
        TIT2(encoding=3, text=[tags.title]),
        TALB(encoding=3, text=[tags.show]),
        TCON(encoding=3, text=[tags.genre]),
        TLEN(encoding=3, text=[str(round(tags.duration * 1000))]),
        TSSE(encoding=3, text=[tags.encoder]),
        TLAN(encoding=3, text=[_LANGUAGES.get(tags.language[:2].lower(), "eng")]),
    ]
    if tags.author:
        frames.append(TPE1(encoding=3, text=[tags.author]))
    if tags.date:
        frames.append(TDRC(encoding=3, text=[tags.date]))
    if tags.description:
        frames.append(COMM(encoding=3, lang="eng", desc="", text=[tags.description]))
    if tags.url:
        frames.append(WOAS(url=tags.url))
    return frames


def _apic(cover: Cover) -> APIC:
    return APIC(
        encoding=3, mime=cover.mime, type=PictureType.COVER_FRONT, desc="Cover", data=cover.data
    )


def _chapter_frames(chapters: tuple[ChapterTiming, ...]) -> list[Frame]:
    if not chapters:
        return []
    ids = [f"chp{i}" for i in range(len(chapters))]
    frames: list[Frame] = [
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[TIT2(encoding=3, text=["Chapters"])],
        )
    ]
    for element_id, chapter in zip(ids, chapters, strict=True):
        frames.append(
            CHAP(
                element_id=element_id,
                start_time=round(chapter.start * 1000),
                end_time=round(chapter.end * 1000),
                start_offset=_NO_OFFSET,
                end_offset=_NO_OFFSET,
                sub_frames=[TIT2(encoding=3, text=[chapter.title])],
            )
        )
    return frames


def read_tags(path: Path) -> dict[str, object]:
    """The tag as a plain dict (version, title, chapters ...), for tests and reports."""
    try:
        id3 = ID3(path)
    except (MutagenError, OSError) as exc:
        raise TagError(f"Could not read tags from '{path}': {exc}") from exc
    chapters = sorted(id3.getall("CHAP"), key=lambda c: c.start_time)
    return {
        "version": id3.version,
        "title": str(id3["TIT2"]) if "TIT2" in id3 else None,
        "frames": sorted(id3.keys()),
        "chapters": [
            (str(c.sub_frames["TIT2"]), c.start_time / 1000, c.end_time / 1000) for c in chapters
        ],
    }
