"""A fake engine for fast unit tests: a quiet tone as long as the text would take to say.

Deterministic and always available. It is never the only test of a feature: the real engines
are tested beside it. Registered as ``tone`` (and as ``silence``, its name before 0.2).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import numpy as np

from listen.models import Audio, VoiceSettings
from listen.tts.base import Availability, Option, check_settings

__all__ = ["ToneBackend"]

TONE_RATE = 22050
"""Sample rate of the tone: the same as Piper's and espeak-ng's, so it is resampled as they are."""
SECONDS_PER_CHAR = 0.060
MIN_SECONDS = 0.200
TONE_HZ = 220.0
LEVEL_DBFS = -30.0


class ToneBackend:
    """A -30 dBFS sine tone lasting 60 ms per character (at least 200 ms), divided by the rate."""

    name: ClassVar[str] = "tone"
    options: ClassVar[Mapping[str, Option]] = {}

    def __init__(self, settings: VoiceSettings) -> None:
        check_settings(type(self), settings)
        self.settings = settings

    @classmethod
    def availability(cls, settings: VoiceSettings) -> Availability:
        return Availability(ok=True, detail="built-in test tone")

    def synthesize(self, text: str) -> Audio:
        seconds = max(MIN_SECONDS, SECONDS_PER_CHAR * len(text.strip())) / self.settings.rate
        count = max(1, round(seconds * TONE_RATE))
        t = np.arange(count, dtype=np.float64) / TONE_RATE
        amplitude = 10 ** (LEVEL_DBFS / 20)
        samples = (amplitude * np.sin(2 * np.pi * TONE_HZ * t)).astype(np.float32)
        return Audio(samples=samples, sample_rate=TONE_RATE)

    def close(self) -> None:
        pass
