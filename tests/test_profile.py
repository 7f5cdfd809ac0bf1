from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from listen.errors import ProfileError
from listen.profile import (
    BITRATES,
    check_template,
    find_profile,
    list_profiles,
    load_profile,
    parse_bitrate,
    resolve_profile,
)

ROOT = Path(__file__).parents[1]


def test_shipped_profiles() -> None:
    profiles = {p.name: p for p in list_profiles()}
    assert {"joe", "espeak", "system"} <= set(profiles)
    assert profiles["joe"].speech.backend == "piper"
    assert profiles["joe"].speech.options["length_scale"] == 1.0
    assert profiles["espeak"].speech.backend == "espeak"
    assert profiles["system"].speech.backend == "pyttsx3"
    for profile in profiles.values():
        assert profile.pauses.paragraph_ms > profile.pauses.sentence_ms
        assert profile.mastering.bitrate == "64k"
        assert all(lexicon.is_file() for lexicon in profile.lexicons)


def test_unknown_voice_lists_the_known_ones() -> None:
    with pytest.raises(ProfileError, match=r"Unknown voice 'nobody': choose one of .*joe"):
        load_profile("nobody")


def test_profile_by_path_with_pauses(tmp_path: Path) -> None:
    path = tmp_path / "slow.toml"
    path.write_text('backend = "espeak"\nrate = 0.8\n[pauses]\nsentence_ms = 500\n')
    profile = load_profile(str(path))
    assert (profile.name, profile.speech.rate, profile.pauses.sentence_ms) == ("slow", 0.8, 500)
    assert profile.pauses.paragraph_ms == 650 and profile.source == path


def _bad(key: str, allowed: str, value: str) -> str:
    return f"{key} must be {allowed}, not {value}"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('backend = "espeak"\nspeed = 2\n', "unknown keys: speed"),
        ("rate = 1.0\n", "names no backend"),
        ('backend = "espeak"\n[pauses]\nsentence = 5\n', "unknown keys in [pauses]: sentence"),
        ('backend = "espeak"\nrate = 9.0\n', _bad("rate", "a number from 0.25 to 4", "9.0")),
        ('backend = "espeak"\nrate = "fast"\n', _bad("rate", "a number from 0.25 to 4", "'fast'")),
        ('backend = "espeak"\npauses = 5\n', _bad("pauses", "a table", "5")),
        ('backend = ["espeak"]\n', _bad("backend", "a string", "['espeak']")),
        ('backend = "nope"\n', "Unknown backend 'nope': choose one of espeak, piper"),
        ('backend = "espeak"\nspelling = "fr"\n', _bad("spelling", "one of us, uk", "'fr'")),
        (
            'backend = "espeak"\n[pauses]\nheading_ms = 1.5\n',
            _bad("pauses.heading_ms", "a whole number from 0 to 10000", "1.5"),
        ),
        (
            'backend = "espeak"\n[audio]\nloudness = 3\n',
            _bad("audio.loudness", "a number from -40 to -5", "3"),
        ),
        (
            'backend = "espeak"\n[audio]\nbitrate = "lots"\n',
            "audio.bitrate must be an MP3 bit rate for 44.1 kHz: one of 32k",
        ),
        ('backend = "espeak"\n[audio]\nintro = "gone.wav"\n', "audio.intro: file"),
        ('backend = "espeak"\nlexicons = ["nope.toml"]\n', "does not exist"),
        ('backend = "espeak"\nrate = \n', "Could not read voice profile"),
        ('backend = "espeak"\n[options]\nspeed = 2\n', "does not know the option(s) speed"),
    ],
    ids=[
        "unknown-key",
        "no-backend",
        "unknown-pause",
        "rate-range",
        "rate-string",
        "pauses-not-a-table",
        "backend-list",
        "backend-unknown",
        "spelling",
        "pause-not-whole",
        "loudness-range",
        "bitrate",
        "intro-music-missing",
        "lexicon",
        "toml-syntax",
        "unknown-option",
    ],
)
def test_bad_profiles(tmp_path: Path, body: str, problem: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(body)
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    assert problem in str(caught.value)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("backend", ["espeak", "piper", "pyttsx3", "tone"])
def test_pitch_5000_is_refused_for_every_backend(tmp_path: Path, backend: str) -> None:
    path = tmp_path / "shrill.toml"
    path.write_text(f'backend = "{backend}"\n[options]\npitch = 5000\n')
    with pytest.raises(ProfileError, match="pitch") as caught:
        load_profile(str(path))
    assert str(caught.value).startswith(f"Voice profile '{path}': [options] ")


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{title}. By {author}, for {show} on {date}.", None),
        ("Literal {{braces}} and {title}", None),
        ("{title.__class__}", "not {title.__class__}"),
        ("{title[0]}", "not {title[0]}"),
        ("{title:>40}", "not {title:>40}"),
        ("{title!r}", "not {title!r}"),
        ("{url}", "not {url}"),
        ("{}", "not {}"),
        ("{0}", "not {0}"),
        ("{title", "expected '}'"),
    ],
    ids=[
        "all-fields",
        "escaped-braces",
        "attribute",
        "index",
        "format-spec",
        "conversion",
        "unknown-field",
        "positional",
        "numbered",
        "unclosed",
    ],
)
def test_templates(template: str, problem: str | None) -> None:
    found = check_template(template)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_a_bad_template_is_refused_when_the_profile_loads(tmp_path: Path) -> None:
    path = tmp_path / "leaky.toml"
    path.write_text('backend = "espeak"\n[show]\nintro = "{title.__class__.__mro__}"\n')
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    assert str(caught.value).startswith(
        f"Voice profile '{path}': show.intro template is invalid: it may use only {{title}}"
    )


@pytest.mark.parametrize(("given", "rate"), [("64k", "64k"), ("96K", "96k"), ("320", "320k")])
def test_parse_bitrate(given: str, rate: str) -> None:
    assert parse_bitrate(given) == rate


@pytest.mark.parametrize("given", ["junk", "lots", "99999k", "65k", "0k", "", "-64k"])
def test_parse_bitrate_refuses(given: str) -> None:
    with pytest.raises(ValueError, match="32k, 40k"):
        parse_bitrate(given)


def test_bitrates_are_what_libmp3lame_encodes_at_44_1_khz() -> None:
    assert BITRATES[0] == 32 and BITRATES[-1] == 320 and len(BITRATES) == 14


def test_resolve_applies_the_bitrate_override() -> None:
    base = load_profile("espeak")
    resolved = resolve_profile("espeak", bitrate="128k")
    assert resolved.mastering.bitrate == "128k"
    assert resolved.speech == base.speech and resolved.pauses == base.pauses
    with pytest.raises(ProfileError, match="Invalid bit rate: 'lots' is not an MP3 bit rate"):
        resolve_profile("espeak", bitrate="lots")


def test_voices_are_found_from_any_folder(tmp_path: Path) -> None:
    """A cron job runs from another folder: the shipped voices are still found, and a
    voices/ folder in the current directory is not consulted."""
    (tmp_path / "voices").mkdir()
    (tmp_path / "voices" / "cwd-only.toml").write_text('backend = "espeak"\n')
    code = (
        "from listen.profile import find_profile, load_profile\n"
        "print(load_profile('espeak').speech.backend)\n"
        "try:\n    find_profile('cwd-only')\n"
        "except Exception as exc:\n    print(type(exc).__name__)"
    )
    env = {k: v for k, v in os.environ.items() if k != "LISTEN_VOICES"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.stdout.split() == ["espeak", "ProfileError"], done.stderr


def test_listen_voices_adds_and_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "newsroom.toml").write_text('backend = "espeak"\nrate = 1.2\n')
    (tmp_path / "espeak.toml").write_text('backend = "espeak"\nrate = 0.9\n')
    monkeypatch.setenv("LISTEN_VOICES", str(tmp_path))
    assert find_profile("newsroom") == tmp_path / "newsroom.toml"
    assert load_profile("espeak").speech.rate == 0.9
    assert find_profile("joe").parent.name == "voices"


def test_shipped_profiles_round_trip_through_json() -> None:
    import json

    from listen.models import Profile

    for profile in list_profiles():
        data = json.loads(json.dumps(profile.to_dict(), allow_nan=False))
        assert Profile.from_dict(data) == profile
