"""The frozen dataclasses that flow between listen's stages.

``load -> normalise/segment -> synthesize -> assemble -> tag``: each stage takes one of these
and returns the next; no stage reaches back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

__all__ = [
    "Article",
    "Assembly",
    "Audio",
    "Block",
    "BlockKind",
    "ChapterTiming",
    "Cover",
    "Loudness",
    "Profile",
    "Rendered",
    "Script",
    "Segment",
    "SegmentKind",
    "SegmentTiming",
]

BlockKind = Literal["heading", "paragraph"]
SegmentKind = Literal["title", "heading", "sentence", "intro", "outro"]


@dataclass(frozen=True)
class Block:
    """One heading or body paragraph of an article, as written."""

    kind: BlockKind
    text: str
    level: int = 0
    """Heading level (1 to 6); 0 for a paragraph."""


@dataclass(frozen=True, repr=False)
class Cover:
    """Cover art checked by ``listen.cover``: a decoded JPEG or PNG, never any other file."""

    data: bytes
    mime: str
    """``image/jpeg`` or ``image/png``."""
    width: int
    height: int
    source: Path

    def __repr__(self) -> str:
        return f"Cover({self.source}, {self.mime}, {self.width}x{self.height}, {len(self.data)} B)"


@dataclass(frozen=True)
class Article:
    """An article as read from disk: metadata plus its body, page furniture already removed."""

    title: str
    blocks: tuple[Block, ...]
    source: Path
    author: str | None = None
    date: str | None = None
    """ISO 8601 date (YYYY-MM-DD) when the article states one."""
    url: str | None = None
    image: str | None = None
    language: str = "en"
    description: str | None = None
    removed: tuple[str, ...] = ()
    """Lines dropped as page furniture, kept so that a test or --explain can show them."""
    cover: Cover | None = None
    """The checked local cover image named by ``image``, if any (see ``listen.cover``)."""

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(b.text for b in self.blocks if b.kind == "paragraph")


@dataclass(frozen=True)
class Profile:
    """A voice profile from voices/<name>.toml."""

    name: str
    backend: str
    voice: str | None = None
    """Backend-specific voice or model name; None picks the backend's default."""
    rate: float = 1.0
    """Speaking-rate multiplier: 1.0 is the engine's normal pace, 1.1 ten per cent faster."""
    sentence_pause_ms: int = 300
    paragraph_pause_ms: int = 650
    heading_pause_ms: int = 800
    lexicons: tuple[Path, ...] = ()
    spelling: Literal["us", "uk"] = "us"
    options: Mapping[str, object] = field(default_factory=dict)
    """Backend-specific settings, e.g. Piper's length_scale, noise_scale, noise_w_scale."""
    bitrate: str = "64k"
    loudness_target: float = -19.0
    """Integrated loudness target in LUFS (mono podcast default)."""
    true_peak: float = -1.0
    """True-peak ceiling in dBTP."""
    show: str = "listen"
    """Album / show name written to the tags and the feed."""
    intro: str | None = None
    """Spoken intro template, e.g. "{title}. By {author}, for {show}."."""
    outro: str | None = None
    intro_audio: Path | None = None
    outro_audio: Path | None = None
    description: str = ""


@dataclass(frozen=True)
class Segment:
    """One unit of speech: a sentence, a heading, the title, or a spoken intro or outro."""

    text: str
    """As written in the article."""
    spoken: str
    """What the engine is given: the normalised, lexicon-respelled text."""
    kind: SegmentKind
    pause_ms: int
    """Silence after this segment, in milliseconds."""
    paragraph: int = -1
    """Index of the article block it comes from; -1 for title, intro and outro."""
    chapter: int = 0
    """Index into Script.chapters."""


@dataclass(frozen=True)
class Script:
    """Everything that will be said, in order."""

    article: Article
    segments: tuple[Segment, ...]
    chapters: tuple[str, ...]
    """Chapter titles, in order; an article without headings has one chapter, its title."""

    @property
    def spoken(self) -> str:
        return " ".join(s.spoken for s in self.segments)


@dataclass(frozen=True, eq=False)
class Audio:
    """Mono PCM as float32 samples in [-1.0, 1.0]."""

    samples: np.ndarray
    sample_rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


@dataclass(frozen=True)
class SegmentTiming:
    """Where a segment's speech sits in the finished episode, in seconds."""

    segment: Segment
    start: float
    end: float


@dataclass(frozen=True)
class ChapterTiming:
    title: str
    start: float
    end: float


@dataclass(frozen=True, eq=False)
class Assembly:
    """The whole episode as PCM, with where every segment and chapter sits in it."""

    audio: Audio
    timings: tuple[SegmentTiming, ...]
    chapters: tuple[ChapterTiming, ...]

    @property
    def duration(self) -> float:
        return self.audio.duration


@dataclass(frozen=True)
class Loudness:
    """Figures measured on the finished episode (ITU-R BS.1770)."""

    integrated_lufs: float
    true_peak_dbtp: float
    loudness_range_lu: float = 0.0


@dataclass(frozen=True)
class Rendered:
    """One finished episode on disk."""

    mp3: Path
    duration: float
    title: str
    slug: str
    voice: str
    timings: tuple[SegmentTiming, ...]
    chapters: tuple[ChapterTiming, ...]
    loudness: Loudness | None = None
    extras: Mapping[str, Path] = field(default_factory=dict)
    """Side files written beside the MP3, by kind: "vtt", "json", "chapters"."""
