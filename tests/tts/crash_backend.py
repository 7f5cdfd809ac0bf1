"""A test-only backend that dies natively on a marker word, for the worker's crash tests.

It lives in tests/ (never in the package) and is importable in the worker's child process
because the child starts with the parent's ``sys.path``. It speaks a quiet tone, 0.1 s a word,
except that a segment holding ``CRASH_WORD`` calls ``os.abort()`` (SIGABRT, as espeak-ng's
stack-smashing check does), ``PRINT_WORD`` prints to stdout first, and ``HANG_WORD`` sleeps.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import ClassVar

import numpy as np

from listen.errors import ProfileError
from listen.models import Audio, VoiceSettings
from listen.tts.base import Availability, Option, check_settings

CRASH_WORD = "kaboom"
PRINT_WORD = "chatter"
HANG_WORD = "dawdle"
RATE = 16000


class CrashBackend:
    name: ClassVar[str] = "crashy"
    isolate: ClassVar[bool] = True
    """Run in the worker by create_backend, as the native engines are."""
    options: ClassVar[Mapping[str, Option]] = {
        "refuse": Option(int, 0, 1, "1: refuse to start, as an engine refusing a setting does"),
    }

    def __init__(self, settings: VoiceSettings) -> None:
        if check_settings(type(self), settings).get("refuse"):
            raise ProfileError(f"Voice '{settings.profile}': this test voice refuses to start")
        self.settings = settings

    @classmethod
    def availability(cls, settings: VoiceSettings) -> Availability:
        return Availability(True, "a test tone that crashes on purpose")

    def synthesize(self, text: str) -> Audio:
        if PRINT_WORD in text:
            print("noise from the engine on stdout", flush=True)
            os.write(1, b"more noise on fd 1\n")
        if CRASH_WORD in text:
            os.abort()
        if HANG_WORD in text:
            time.sleep(60)
        n = int(0.1 * RATE * max(1, len(text.split())))
        t = np.arange(n, dtype=np.float32) / RATE
        return Audio(
            samples=(0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), sample_rate=RATE
        )

    def close(self) -> None:
        pass
