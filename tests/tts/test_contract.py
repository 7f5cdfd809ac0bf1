"""One contract, every registered backend: availability, declared options accepted and refused,
audio returned, close. Run against the real engines."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest

from listen.errors import ProfileError
from listen.models import Audio, VoiceSettings
from listen.tts import Backend, Option, backend_names, create_backend, load_backend_class

BACKENDS = backend_names()


def settings(backend: str, **options: object) -> VoiceSettings:
    return VoiceSettings(profile="contract", backend=backend, options=options)


def midpoints(declared: Mapping[str, Option]) -> dict[str, object]:
    return {key: option.kind((option.low + option.high) / 2) for key, option in declared.items()}


def test_every_builtin_backend_is_registered() -> None:
    assert {"espeak", "piper", "pyttsx3", "tone"} <= set(BACKENDS)


@pytest.mark.parametrize("name", BACKENDS)
def test_declares_its_shape(name: str) -> None:
    cls = load_backend_class(name)
    assert isinstance(cls.name, str) and cls.name
    assert all(isinstance(o, Option) and o.low <= o.high for o in cls.options.values())
    found = cls.availability(settings(name))
    assert found.ok, f"{name}: {found.detail} (install: {found.install})"
    assert found.detail


@pytest.mark.parametrize("name", BACKENDS)
def test_speaks_with_its_options_and_closes(name: str) -> None:
    cls = load_backend_class(name)
    backend = create_backend(settings(name, **midpoints(cls.options)))
    assert isinstance(backend, Backend)
    audio = backend.synthesize("The council met on Tuesday.")
    assert isinstance(audio, Audio) and audio.sample_rate > 0
    assert audio.samples.ndim == 1 and audio.samples.dtype == np.float32
    assert 0.3 < audio.duration < 15.0  # midpoint options may slow an engine down
    assert np.all(np.abs(audio.samples) <= 1.0) and np.any(audio.samples != 0)
    backend.close()


@pytest.mark.parametrize("name", BACKENDS)
def test_pitch_5000_is_refused(name: str) -> None:
    with pytest.raises(ProfileError, match=r"^Voice 'contract': .*pitch") as caught:
        create_backend(settings(name, pitch=5000))
    assert "5000" in str(caught.value) or "does not know" in str(caught.value)


@pytest.mark.parametrize("name", BACKENDS)
def test_unknown_and_out_of_range_options_are_refused(name: str) -> None:
    cls = load_backend_class(name)
    with pytest.raises(ProfileError, match="does not know the option"):
        create_backend(settings(name, loudness_boost=2))
    for key, option in cls.options.items():
        for bad in (option.high + 1, option.low - 1, "loud", True):
            with pytest.raises(ProfileError, match=f"option {key} must be"):
                create_backend(settings(name, **{key: bad}))


@pytest.mark.parametrize("name", BACKENDS)
@pytest.mark.parametrize("rate", [0, 0.1, 9.0, "fast"])
def test_a_rate_out_of_range_is_refused(name: str, rate: object) -> None:
    with pytest.raises(ProfileError, match="rate must be"):
        create_backend(VoiceSettings(profile="contract", backend=name, rate=rate))  # type: ignore[arg-type]
