"""Spoken segments and pauses -> the episode's PCM, and where every segment and chapter sits.

Imports no engine and runs no encoder: it lays out audio that :mod:`listen.speak` made and
:mod:`listen.master` will master. Pauses are whole samples at the episode's rate
(:func:`episode_rate`), so timings are exact.
Each segment and pause is written to a :class:`~listen.spool.PcmSpool` as it comes, so only
one segment's audio is in memory at a time, however long the article.
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterable, Sequence
from pathlib import Path

import numpy as np

from listen.levels import Analyser
from listen.models import (
    SPEECH_RATE,
    Assembly,
    Audio,
    ChapterTiming,
    SegmentTiming,
    SpokenSegment,
)
from listen.spool import PcmSpool

__all__ = ["LEAD_IN_MS", "assemble", "chapter_timings", "episode_rate", "laying_out"]

_LOGGER = logging.getLogger(__name__)

LEAD_IN_MS = 150
"""Silence before the first word (at most 300 ms is allowed)."""


def episode_rate(intro: Audio | None = None, outro: Audio | None = None) -> int:
    """The rate an episode is laid out at: the engines' own :data:`~listen.models.SPEECH_RATE`,
    or the music's (44.1 kHz, see :func:`listen.master.load_music`) when it has any, so
    the music keeps its highs."""
    return max([SPEECH_RATE, *(m.sample_rate for m in (intro, outro) if m is not None)])


def assemble(
    spoken: Iterable[SpokenSegment],
    chapters: Sequence[str],
    intro: Audio | None = None,
    outro: Audio | None = None,
    spool_dir: Path | None = None,
    rate: int | None = None,
) -> Assembly:
    """Lay the segments end to end, each followed by its pause; ``chapters`` are the script's
    chapter titles. ``intro`` and ``outro`` music (already at the episode's loudness, see
    :func:`listen.master.load_music`) go before the lead-in and after the last pause.
    The result is unmastered (:func:`listen.master.encode_episode` masters it, with the
    loudness and peaks measured here as each piece came) and its PCM is in a temporary file
    in ``spool_dir`` (the system's temporary directory by default):
    close the assembly when done with it. Every segment's audio must be at ``rate`` Hz
    (:func:`episode_rate` by default), as :func:`listen.speak.speak` makes it."""
    layout = laying_out(spoken, chapters, intro, outro, spool_dir, rate)
    while True:
        try:
            next(layout)
        except StopIteration as done:
            return done.value


def laying_out(
    spoken: Iterable[SpokenSegment],
    chapters: Sequence[str],
    intro: Audio | None = None,
    outro: Audio | None = None,
    spool_dir: Path | None = None,
    rate: int | None = None,
) -> Generator[PcmSpool, None, Assembly]:
    """:func:`assemble` a piece at a time, for a caller that works on the episode while it is
    laid out (:func:`listen.early.encode_as_laid_out`): yields the spool each time a segment
    (with its pause) or the music has been added, and returns the assembly."""
    pcm = PcmSpool(rate or episode_rate(intro, outro), spool_dir)
    analyser = Analyser(pcm)
    try:
        return (yield from _lay_out(pcm, analyser, spoken, chapters, intro, outro))
    except BaseException:
        analyser.close()
        pcm.close()
        raise


def _lay_out(
    pcm: PcmSpool,
    analyser: Analyser,
    spoken: Iterable[SpokenSegment],
    chapters: Sequence[str],
    intro: Audio | None,
    outro: Audio | None,
) -> Generator[PcmSpool, None, Assembly]:
    timings: list[SegmentTiming] = []
    rate = pcm.sample_rate

    def add(samples: np.ndarray) -> None:
        pcm.append(samples)
        analyser.add(samples)

    if intro is not None:
        add(_at_rate(intro, rate))
    add(_silence(LEAD_IN_MS, rate))
    yield pcm
    for item in spoken:
        start = len(pcm)
        add(_at_rate(item.audio, rate))
        timings.append(SegmentTiming(item.segment, start / rate, len(pcm) / rate))
        add(_silence(item.segment.pause_ms, rate))
        yield pcm
    if outro is not None:
        add(_at_rate(outro, rate))
        yield pcm
    _LOGGER.debug("assembled %d segments, %.1f s", len(timings), pcm.duration)
    chaptered = chapter_timings(chapters, timings, pcm.duration)
    return Assembly(pcm, tuple(timings), chaptered, analyser.levels())


def chapter_timings(
    chapters: Sequence[str], timings: Sequence[SegmentTiming], duration: float
) -> tuple[ChapterTiming, ...]:
    """One chapter per heading (or one for the whole article), back to back from 0 to the end."""
    starts: dict[int, float] = {}
    for timing in timings:
        starts.setdefault(timing.segment.chapter, timing.start)
    starts[0] = 0.0
    order = sorted(i for i in starts if i < len(chapters))
    ends = [starts[i] for i in order[1:]] + [duration]
    return tuple(
        ChapterTiming(chapters[i], round(starts[i], 3), round(end, 3))
        for i, end in zip(order, ends, strict=True)
    )


def _at_rate(audio: Audio, rate: int) -> np.ndarray:
    if audio.sample_rate != rate:
        raise ValueError(
            f"Audio at {audio.sample_rate} Hz handed to the assembler: resample to {rate}"
        )
    return audio.samples


def _silence(ms: int, rate: int) -> np.ndarray:
    return np.zeros(round(ms * rate / 1000), dtype=np.float32)
