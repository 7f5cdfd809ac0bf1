"""Spoken segments and pauses -> the episode's PCM, and where every segment and chapter sits.

Imports no engine and runs no encoder: it lays out audio that :mod:`listen.speak` made and
:mod:`listen.master` will master. Pauses are whole samples at 44.1 kHz, so timings are exact.
Each segment and pause is written to a :class:`~listen.spool.PcmSpool` as it comes, so only
one segment's audio is in memory at a time, however long the article.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from listen.models import SAMPLE_RATE, Assembly, Audio, ChapterTiming, SegmentTiming, SpokenSegment
from listen.spool import PcmSpool

__all__ = ["LEAD_IN_MS", "assemble", "chapter_timings"]

_LOGGER = logging.getLogger(__name__)

LEAD_IN_MS = 150
"""Silence before the first word (at most 300 ms is allowed)."""


def assemble(
    spoken: Iterable[SpokenSegment],
    chapters: Sequence[str],
    intro: Audio | None = None,
    outro: Audio | None = None,
    spool_dir: Path | None = None,
) -> Assembly:
    """Lay the segments end to end, each followed by its pause; ``chapters`` are the script's
    chapter titles. ``intro`` and ``outro`` music (already at the episode's loudness, see
    :func:`listen.master.load_music`) go before the lead-in and after the last pause.
    The result is unmastered (:func:`listen.master.encode_episode` masters it) and its PCM
    is in a temporary file in ``spool_dir`` (the system's temporary directory by default):
    close the assembly when done with it."""
    pcm = PcmSpool(SAMPLE_RATE, spool_dir)
    try:
        return _lay_out(pcm, spoken, chapters, intro, outro)
    except BaseException:
        pcm.close()
        raise


def _lay_out(
    pcm: PcmSpool,
    spoken: Iterable[SpokenSegment],
    chapters: Sequence[str],
    intro: Audio | None,
    outro: Audio | None,
) -> Assembly:
    timings: list[SegmentTiming] = []
    add = pcm.append
    if intro is not None:
        add(_at_episode_rate(intro))
    add(_silence(LEAD_IN_MS))
    for item in spoken:
        start = len(pcm)
        add(_at_episode_rate(item.audio))
        timings.append(SegmentTiming(item.segment, start / SAMPLE_RATE, len(pcm) / SAMPLE_RATE))
        add(_silence(item.segment.pause_ms))
    if outro is not None:
        add(_at_episode_rate(outro))
    _LOGGER.debug("assembled %d segments, %.1f s", len(timings), pcm.duration)
    return Assembly(pcm, tuple(timings), chapter_timings(chapters, timings, pcm.duration))


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


def _at_episode_rate(audio: Audio) -> np.ndarray:
    if audio.sample_rate != SAMPLE_RATE:
        raise ValueError(
            f"Audio at {audio.sample_rate} Hz handed to the assembler: resample to {SAMPLE_RATE}"
        )
    return audio.samples


def _silence(ms: int) -> np.ndarray:
    return np.zeros(round(ms * SAMPLE_RATE / 1000), dtype=np.float32)
