from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from listen.models import Audio, VoiceSettings
from listen.tts import create_backend
from listen.tts.tone import ToneBackend


@pytest.fixture
def fake() -> ToneBackend:
    return ToneBackend(VoiceSettings(profile="test", backend="tone"))


def test_always_available() -> None:
    assert ToneBackend.availability(VoiceSettings(profile="test", backend="tone")).ok


def test_same_text_same_samples(fake: ToneBackend) -> None:
    assert np.array_equal(
        fake.synthesize("Hello there.").samples, fake.synthesize("Hello there.").samples
    )


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("", 0.2), ("Hi.", 0.2), ("Ten chars.", 0.6), ("x" * 100, 6.0)],
    ids=["empty", "short-is-200ms", "ten-chars", "hundred-chars"],
)
def test_duration_is_60ms_per_character(fake: ToneBackend, text: str, seconds: float) -> None:
    audio = fake.synthesize(text)
    assert audio.sample_rate == 22050
    assert audio.duration == pytest.approx(seconds, abs=1 / 22050)


def test_a_quiet_tone_not_silence(fake: ToneBackend, loudness: Callable[[Audio], float]) -> None:
    audio = fake.synthesize("Some words to say.")
    assert audio.samples.dtype == np.float32
    peak_dbfs = 20 * np.log10(np.max(np.abs(audio.samples)))
    assert peak_dbfs == pytest.approx(-30, abs=0.1)
    assert loudness(audio) > 0.01


def test_rate_shortens(fake: ToneBackend) -> None:
    faster = ToneBackend(VoiceSettings(profile="test", backend="tone", rate=2.0))
    text = "A sentence long enough to be over the minimum."
    assert faster.synthesize(text).duration == pytest.approx(fake.synthesize(text).duration / 2)


def test_through_the_registry() -> None:
    backend = create_backend(VoiceSettings(profile="test", backend="tone"))
    assert isinstance(backend, ToneBackend)
    backend.close()
