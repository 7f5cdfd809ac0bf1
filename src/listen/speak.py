"""Segments -> speech: a backend speaks each segment, trimmed of its own silence.

The one place an engine is driven. Each :class:`~listen.models.SpokenSegment` holds a segment
and its audio at the episode's rate, ready to lay out; a segment cache wraps exactly
:func:`speak` (same segments and voice in, same audio out).
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterable, Iterator

from listen.models import Audio, Segment, SpokenSegment
from listen.pcm import resample, trim_silence
from listen.tts.base import Backend

__all__ = ["speak", "speak_segment"]


def speak(segments: Iterable[Segment], backend: Backend, rate: int) -> Iterator[SpokenSegment]:
    """Speak each segment in turn at ``rate`` Hz, lazily: one segment's audio is made when it
    is asked for.
    A backend with ``prefetch`` (an engine in a worker process) is handed the next segments'
    texts as soon as the current one's audio is back, as many as its ``capacity`` (one per
    engine process, see :class:`listen.tts.pool.EnginePool`; 1 if it does not say), so the
    engines speak while this process trims, resamples and lays out the current one."""
    ahead: Callable[[str], None] | None = getattr(backend, "prefetch", None)
    capacity: int = getattr(backend, "capacity", 1) if ahead is not None else 0
    queue = iter(segments)
    sent: collections.deque[Segment] = collections.deque()
    segment = next(queue, None)
    while segment is not None:
        audio = backend.synthesize(segment.spoken)
        while ahead is not None and len(sent) < capacity:
            following = next(queue, None)
            if following is None:
                break
            sent.append(following)
            ahead(following.spoken)
        yield SpokenSegment(segment, _prepared(audio, rate))
        segment = sent.popleft() if sent else next(queue, None)


def speak_segment(segment: Segment, backend: Backend, rate: int) -> Audio:
    """One segment's speech, trimmed of the engine's leading and trailing silence, at ``rate``
    Hz."""
    return _prepared(backend.synthesize(segment.spoken), rate)


def _prepared(audio: Audio, rate: int) -> Audio:
    return resample(trim_silence(audio), rate)
