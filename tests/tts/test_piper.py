from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from listen.errors import ProfileError, SynthesisError
from listen.models import Audio, VoiceSettings
from listen.tts import create_backend
from listen.tts.piper import PiperBackend

Check = Callable[[Audio, str], None]
SRC = Path(__file__).resolve().parents[2] / "src" / "listen"


def joe(**settings: object) -> VoiceSettings:
    return VoiceSettings(profile="joe", backend="piper", voice="en_US-joe-medium", **settings)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def voice() -> Iterator[PiperBackend]:
    backend = PiperBackend(joe())
    yield backend
    backend.close()


def test_available_here() -> None:
    found = PiperBackend.availability(joe())
    assert found.ok and "en_US-joe-medium.onnx" in found.detail, found


def test_missing_piper_names_the_install_step(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "piper", None)
    found = PiperBackend.availability(joe())
    assert (found.ok, found.install) == (False, "pip install 'listen[piper]'")


@pytest.mark.parametrize(
    ("voice", "detail"),
    [("/nowhere/en_GB-alan-low.onnx", "not found"), ("en_GB-alan-low", "unknown Piper voice")],
    ids=["missing-model-file", "voice-not-shipped"],
)
def test_a_voice_that_is_not_here(voice: str, detail: str) -> None:
    found = PiperBackend.availability(VoiceSettings(profile="alan", backend="piper", voice=voice))
    assert not found.ok and detail in found.detail and found.install is None


def test_a_model_given_by_path(voice: PiperBackend, sentence: str, speech: Check) -> None:
    backend = PiperBackend(VoiceSettings(profile="joe", backend="piper", voice=str(voice.model)))
    speech(backend.synthesize(sentence), sentence)
    backend.close()


def test_speaks_a_sentence(voice: PiperBackend, sentence: str, speech: Check) -> None:
    audio = voice.synthesize(sentence)
    assert audio.sample_rate == 22050
    speech(audio, sentence)


def test_rate_and_length_scale_change_duration(sentence: str) -> None:
    # Piper draws each phoneme's length with noise (noise_w_scale): without it the lengths are
    # the same on every run, so the comparison cannot fail by chance
    steady = {"noise_w_scale": 0.0}
    normal = PiperBackend(joe(options=steady))
    faster = PiperBackend(joe(rate=1.3, options=steady))
    slower = PiperBackend(joe(options={**steady, "length_scale": 1.4}))
    length = normal.synthesize(sentence).duration
    assert faster.synthesize(sentence).duration < 0.9 * length
    assert slower.synthesize(sentence).duration > 1.2 * length
    for backend in (normal, faster, slower):
        backend.close()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"options": {"pitch": 50}}, r"does not know the option\(s\) pitch"),
        ({"options": {"noise_scale": "loud"}}, r"noise_scale must be a number from 0 to 2"),
        ({"rate": -1.0}, r"rate must be between 0.25 and 4"),
    ],
    ids=["espeak-option", "not-a-number", "negative-rate"],
)
def test_bad_profile(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        PiperBackend(joe(**settings))


def test_closed_backend_says_so(sentence: str) -> None:
    backend = create_backend(joe())
    backend.close()
    with pytest.raises(SynthesisError, match="closed"):
        backend.synthesize(sentence)


def test_no_other_module_imports_piper() -> None:
    """piper-tts is GPL and optional: only listen/tts/piper.py may import it."""
    pattern = re.compile(r"^\s*(import piper|from piper[. ])", re.MULTILINE)
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path.name != "piper.py" and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
