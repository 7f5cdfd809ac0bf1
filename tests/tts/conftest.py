from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from listen.models import Audio

SENTENCE = "The two leaders shared a drumming session after their summit in Nara on Tuesday."
"""Fourteen words: about four to five seconds of speech at a normal pace."""

Check = Callable[[Audio, str], None]


def rms(audio: Audio) -> float:
    return float(np.sqrt(np.mean(np.square(audio.samples, dtype=np.float64))))


def check_speech(audio: Audio, text: str) -> None:
    """Mono float32 in [-1, 1], as long as speech of ``text`` can be, and not silent."""
    words = len(text.split())
    assert audio.samples.ndim == 1 and audio.samples.dtype == np.float32
    assert np.all(np.abs(audio.samples) <= 1.0)
    assert 0.15 * words < audio.duration < 0.8 * words, audio.duration
    assert rms(audio) > 0.01  # -40 dBFS: something is being said


@pytest.fixture
def sentence() -> str:
    return SENTENCE


@pytest.fixture
def speech() -> Check:
    return check_speech


@pytest.fixture
def loudness() -> Callable[[Audio], float]:
    """RMS of the samples (1.0 is a full-scale square wave)."""
    return rms
