from __future__ import annotations

from pathlib import Path

import pytest

from listen.errors import ProfileError
from listen.profile import list_profiles, load_profile


def test_shipped_profiles() -> None:
    profiles = {p.name: p for p in list_profiles()}
    assert {"joe", "espeak", "system"} <= set(profiles)
    assert profiles["joe"].backend == "piper"
    assert profiles["joe"].options["length_scale"] == 1.0
    assert profiles["espeak"].backend == "espeak"
    assert profiles["system"].backend == "pyttsx3"
    for profile in profiles.values():
        assert profile.paragraph_pause_ms > profile.sentence_pause_ms
        assert all(lexicon.is_file() for lexicon in profile.lexicons)


def test_unknown_voice_lists_the_known_ones() -> None:
    with pytest.raises(ProfileError, match=r"Unknown voice 'nobody': choose one of .*joe"):
        load_profile("nobody")


def test_profile_by_path_with_pauses(tmp_path: Path) -> None:
    path = tmp_path / "slow.toml"
    path.write_text('backend = "espeak"\nrate = 0.8\n[pauses]\nsentence_ms = 500\n')
    profile = load_profile(str(path))
    assert (profile.name, profile.rate, profile.sentence_pause_ms) == ("slow", 0.8, 500)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('backend = "espeak"\nspeed = 2\n', "unknown keys: speed"),
        ("rate = 1.0\n", "names no backend"),
        ('backend = "espeak"\n[pauses]\nsentence = 5\n', "unknown keys in [pauses]: sentence"),
        ('backend = "espeak"\nrate = 9.0\n', "rate must be between 0.25 and 4.0"),
        ('backend = "espeak"\nlexicons = ["nope.toml"]\n', "does not exist"),
        ('backend = "espeak"\nrate = \n', "Could not read voice profile"),
    ],
    ids=["unknown-key", "no-backend", "unknown-pause", "rate", "lexicon", "toml-syntax"],
)
def test_bad_profiles(tmp_path: Path, body: str, problem: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(body)
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    assert problem in str(caught.value)
    assert str(path) in str(caught.value)
