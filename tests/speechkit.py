"""Helpers for the audio tests: real espeak speech, as the renderer makes it."""

from __future__ import annotations

from listen.models import SPEECH_RATE, Segment, SpokenSegment
from listen.profile import resolve_profile
from listen.speak import speak
from listen.tts import create_backend


def espeak_spoken(sentences: list[str], pause_ms: int) -> list[SpokenSegment]:
    """Each sentence spoken by the real espeak voice, trimmed and at the speech rate, with
    ``pause_ms`` after it."""
    backend = create_backend(resolve_profile("espeak").speech)
    try:
        segments = [Segment(s, s, "sentence", pause_ms, 0) for s in sentences]
        return list(speak(segments, backend, SPEECH_RATE))
    finally:
        backend.close()
