"""A fake engine for fast unit tests: a quiet tone as long as the text would take to say.

Deterministic and always available. It is never the only test of a feature: the real engines
are tested beside it.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from listen.models import Audio, Profile
from listen.tts.base import Availability

__all__ = ["SilenceBackend"]

SAMPLE_RATE = 22050
SECONDS_PER_CHAR = 0.060
MIN_SECONDS = 0.200
TONE_HZ = 220.0
LEVEL_DBFS = -30.0


class SilenceBackend:
    """A -30 dBFS sine tone lasting 60 ms per character (at least 200 ms), divided by the rate."""

    name: ClassVar[str] = "silence"

    def __init__(self, profile: Profile) -> None:
        self.profile = profile

    @classmethod
    def availability(cls, profile: Profile) -> Availability:
        return Availability(ok=True, detail="built-in test tone")

    def synthesize(self, text: str) -> Audio:
        seconds = max(MIN_SECONDS, SECONDS_PER_CHAR * len(text.strip())) / self.profile.rate
        count = max(1, round(seconds * SAMPLE_RATE))
        t = np.arange(count, dtype=np.float64) / SAMPLE_RATE
        amplitude = 10 ** (LEVEL_DBFS / 20)
        samples = (amplitude * np.sin(2 * np.pi * TONE_HZ * t)).astype(np.float32)
        return Audio(samples=samples, sample_rate=SAMPLE_RATE)

    def close(self) -> None:
        pass
