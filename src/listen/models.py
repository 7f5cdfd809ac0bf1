"""The frozen dataclasses that flow between listen's stages.

``article.load -> segment.build_script -> speak -> assemble -> master -> tags -> transcript``:
each stage takes one of these and returns the next; no stage reaches back. A value that crosses
a process or goes to disk has ``to_dict``/``from_dict``: plain JSON types only (paths as
strings, tuples as lists), and ``from_dict(x.to_dict()) == x``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

if TYPE_CHECKING:  # only in annotations: `listen --help` need not load numpy
    import numpy as np

    from listen.levels import Levels
    from listen.spool import PcmSpool

__all__ = [
    "DEFAULT_MAX_WER",
    "SAMPLE_RATE",
    "SPEECH_RATE",
    "Article",
    "Assembly",
    "Audio",
    "Block",
    "BlockKind",
    "ChapterTiming",
    "CheckOptions",
    "Cover",
    "Loudness",
    "Mastering",
    "Pauses",
    "Profile",
    "Rendered",
    "Script",
    "Segment",
    "SegmentKind",
    "SegmentTiming",
    "ShowInfo",
    "SpokenSegment",
    "VoiceSettings",
    "has_word",
]

SAMPLE_RATE = 44_100
"""The MP3's sample rate, and the episode's when it has intro or outro music."""

SPEECH_RATE = 22_050
"""The rate a speech-only episode is laid out and mastered at: every bundled engine (espeak-ng,
Piper's joe, pyttsx3 through espeak-ng) speaks at it, so nothing is resampled until the encoder
raises it to :data:`SAMPLE_RATE`, as an encode of the engine's own WAV would."""

DEFAULT_MAX_WER = 0.3
"""A sentence with more than this share of its words wrong is flagged by ``listen check``."""

_WORDLIKE = re.compile(r"[^\W_]")


def has_word(text: str) -> bool:
    """Whether ``text`` has a letter or digit: a line without one ("___", "[.", "…") is never
    a heading and is never spoken."""
    return _WORDLIKE.search(text) is not None


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


# -- the voice profile, resolved once: each stage receives only its own part -------------------


@dataclass(frozen=True)
class VoiceSettings:
    """What a TTS backend is built from: the profile's top-level voice keys."""

    profile: str
    """The profile's name, for messages ("Voice 'joe': ...")."""
    backend: str
    voice: str | None = None
    """Backend-specific voice or model name; None picks the backend's default."""
    rate: float = 1.0
    """Speaking-rate multiplier: 1.0 is the engine's normal pace, 1.1 ten per cent faster."""
    spelling: Literal["us", "uk"] = "us"
    options: Mapping[str, object] = field(default_factory=dict)
    """Backend-specific settings, checked against the backend's declared options."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "backend": self.backend,
            "voice": self.voice,
            "rate": self.rate,
            "spelling": self.spelling,
            "options": dict(self.options),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VoiceSettings:
        return cls(
            profile=data["profile"],
            backend=data["backend"],
            voice=data.get("voice"),
            rate=data.get("rate", 1.0),
            spelling=data.get("spelling", "us"),
            options=dict(data.get("options", {})),
        )


@dataclass(frozen=True)
class Pauses:
    """Silence after a sentence, the last sentence of a paragraph, and a heading or title: the
    profile's ``[pauses]`` table."""

    sentence_ms: int = 300
    paragraph_ms: int = 650
    heading_ms: int = 800

    def to_dict(self) -> dict[str, Any]:
        return {
            "sentence_ms": self.sentence_ms,
            "paragraph_ms": self.paragraph_ms,
            "heading_ms": self.heading_ms,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Pauses:
        return cls(**{k: int(data[k]) for k in ("sentence_ms", "paragraph_ms", "heading_ms")})


@dataclass(frozen=True)
class Mastering:
    """Loudness, true peak, bit rate and intro and outro music: the profile's ``[audio]`` table."""

    bitrate: str = "64k"
    """MP3 bit rate (CBR), one libmp3lame supports at 44.1 kHz: 32k to 320k."""
    loudness: float = -19.0
    """Integrated loudness target in LUFS (mono podcast default)."""
    true_peak: float = -1.0
    """True-peak ceiling in dBTP."""
    intro: Path | None = None
    """Music before the first word, faded out, at the episode's loudness."""
    outro: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "bitrate": self.bitrate,
            "loudness": self.loudness,
            "true_peak": self.true_peak,
            "intro": _path_text(self.intro),
            "outro": _path_text(self.outro),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Mastering:
        return cls(
            bitrate=data["bitrate"],
            loudness=data["loudness"],
            true_peak=data["true_peak"],
            intro=_path(data.get("intro")),
            outro=_path(data.get("outro")),
        )


@dataclass(frozen=True)
class ShowInfo:
    """The show an episode belongs to, and its spoken intro and outro: the ``[show]`` table."""

    name: str = "listen"
    """Album / show name written to the tags and the feed."""
    intro: str | None = None
    """Spoken intro template: {title}, {author}, {show} and {date} only."""
    outro: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "intro": self.intro, "outro": self.outro}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ShowInfo:
        return cls(name=data["name"], intro=data.get("intro"), outro=data.get("outro"))


@dataclass(frozen=True)
class Profile:
    """A voice profile from voices/<name>.toml, validated and with CLI overrides applied."""

    name: str
    speech: VoiceSettings
    pauses: Pauses = field(default_factory=Pauses)
    mastering: Mastering = field(default_factory=Mastering)
    show: ShowInfo = field(default_factory=ShowInfo)
    lexicons: tuple[Path, ...] = ()
    """Pronunciation lexicons added to the base English one, later ones overriding."""
    description: str = ""
    source: Path | None = None
    """The file the profile was read from."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "speech": self.speech.to_dict(),
            "pauses": self.pauses.to_dict(),
            "mastering": self.mastering.to_dict(),
            "show": self.show.to_dict(),
            "lexicons": [str(p) for p in self.lexicons],
            "description": self.description,
            "source": _path_text(self.source),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Profile:
        return cls(
            name=data["name"],
            speech=VoiceSettings.from_dict(data["speech"]),
            pauses=Pauses.from_dict(data["pauses"]),
            mastering=Mastering.from_dict(data["mastering"]),
            show=ShowInfo.from_dict(data["show"]),
            lexicons=tuple(Path(p) for p in data.get("lexicons", [])),
            description=data.get("description", ""),
            source=_path(data.get("source")),
        )


# -- what is said, and where it sits in the episode -------------------------------------------


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
    block: int = -1
    """Index into ``Article.blocks`` of the heading or paragraph it comes from; -1 for the
    title, intro and outro."""
    chapter: int = 0
    """Index into Script.chapters."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "spoken": self.spoken,
            "kind": self.kind,
            "pause_ms": self.pause_ms,
            "block": self.block,
            "chapter": self.chapter,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Segment:
        return cls(
            text=data["text"],
            spoken=data["spoken"],
            kind=cast(SegmentKind, data["kind"]),
            pause_ms=int(data["pause_ms"]),
            block=int(data.get("block", -1)),
            chapter=int(data.get("chapter", 0)),
        )


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


@dataclass(frozen=True, eq=False)
class SpokenSegment:
    """A segment and its speech: trimmed of the engine's own silence, at the episode rate."""

    segment: Segment
    audio: Audio


@dataclass(frozen=True)
class SegmentTiming:
    """Where a segment's speech sits in the finished episode, in seconds."""

    segment: Segment
    start: float
    end: float

    def to_dict(self) -> dict[str, Any]:
        return {"segment": self.segment.to_dict(), "start": self.start, "end": self.end}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SegmentTiming:
        return cls(Segment.from_dict(data["segment"]), float(data["start"]), float(data["end"]))


@dataclass(frozen=True)
class ChapterTiming:
    title: str
    start: float
    end: float

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "start": self.start, "end": self.end}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChapterTiming:
        return cls(data["title"], float(data["start"]), float(data["end"]))


@dataclass(frozen=True, eq=False)
class Assembly:
    """The whole episode as PCM in a spool on disk (never whole in memory), with where every
    segment and chapter sits in it, and its loudness and peaks measured as it was laid out
    (``levels``, for :func:`listen.master.encode_episode`). Close it when done to remove the
    spool and the measurements."""

    pcm: PcmSpool
    timings: tuple[SegmentTiming, ...]
    chapters: tuple[ChapterTiming, ...]
    levels: Levels | None = None

    @property
    def duration(self) -> float:
        return self.pcm.duration

    def close(self) -> None:
        if self.levels is not None:
            self.levels.close()
        self.pcm.close()

    def __enter__(self) -> Assembly:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class Loudness:
    """Figures measured on the finished episode (ITU-R BS.1770)."""

    integrated_lufs: float
    true_peak_dbtp: float
    loudness_range_lu: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "integrated_lufs": self.integrated_lufs,
            "true_peak_dbtp": self.true_peak_dbtp,
            "loudness_range_lu": self.loudness_range_lu,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Loudness:
        return cls(
            float(data["integrated_lufs"]),
            float(data["true_peak_dbtp"]),
            float(data.get("loudness_range_lu", 0.0)),
        )


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
    check: Mapping[str, Any] | None = None
    """With ``render --check``: the last check of the episode (``EpisodeCheck.to_dict()``) and
    ``redone``, the sentence ids synthesised again in each repair round."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "mp3": str(self.mp3),
            "duration": self.duration,
            "title": self.title,
            "slug": self.slug,
            "voice": self.voice,
            "timings": [t.to_dict() for t in self.timings],
            "chapters": [c.to_dict() for c in self.chapters],
            "loudness": self.loudness.to_dict() if self.loudness else None,
            "extras": {kind: str(path) for kind, path in self.extras.items()},
            "check": dict(self.check) if self.check is not None else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rendered:
        loudness = data.get("loudness")
        return cls(
            mp3=Path(data["mp3"]),
            duration=float(data["duration"]),
            title=data["title"],
            slug=data["slug"],
            voice=data["voice"],
            timings=tuple(SegmentTiming.from_dict(t) for t in data["timings"]),
            chapters=tuple(ChapterTiming.from_dict(c) for c in data["chapters"]),
            loudness=Loudness.from_dict(loudness) if loudness else None,
            extras={kind: Path(p) for kind, p in data.get("extras", {}).items()},
            check=data.get("check"),
        )


def _path_text(path: Path | None) -> str | None:
    return None if path is None else str(path)


def _path(text: str | None) -> Path | None:
    return None if text is None else Path(text)


@dataclass(frozen=True)
class CheckOptions:
    """How an episode is heard back and repaired: ``render --check``, ``publish --check`` and
    listen.toml's ``[check]`` table."""

    max_wer: float = DEFAULT_MAX_WER
    attempts: int = 2
    """Rounds of synthesising the flagged sentences again before one is reported."""
