"""Segments -> speech: a backend speaks each segment, trimmed of its own silence.

The one place an engine is driven. Each :class:`~listen.models.SpokenSegment` holds a segment
and its audio at the episode rate, ready to lay out; a segment cache wraps exactly
:func:`speak` (same segments and voice in, same audio out).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from listen.models import SAMPLE_RATE, Audio, Segment, SpokenSegment
from listen.pcm import resample, trim_silence
from listen.tts.base import Backend

__all__ = ["speak", "speak_segment"]


def speak(segments: Iterable[Segment], backend: Backend) -> Iterator[SpokenSegment]:
    """Speak each segment in turn, lazily: one segment's audio is made when it is asked for."""
    for segment in segments:
        yield SpokenSegment(segment, speak_segment(segment, backend))


def speak_segment(segment: Segment, backend: Backend) -> Audio:
    """One segment's speech, trimmed of the engine's leading and trailing silence, at 44.1 kHz."""
    audio = backend.synthesize(segment.spoken)
    return resample(trim_silence(audio), SAMPLE_RATE)
