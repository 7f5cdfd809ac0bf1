"""Voice profiles: voices/<name>.toml -> Profile.

Profiles are looked up in $LISTEN_VOICES (a path list), then ./voices, then the voices shipped
with listen. A voice may also be given as a path to a .toml file.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from listen.errors import ProfileError
from listen.models import Profile

__all__ = ["DEFAULT_VOICE", "find_profile", "list_profiles", "load_profile", "voices_dirs"]

DEFAULT_VOICE = "joe"

_TOP_KEYS = {"description", "backend", "voice", "rate", "lexicons", "spelling", "options"}
_TABLES = {"pauses", "audio", "show"}
_PAUSE_KEYS = {
    "sentence_ms": "sentence_pause_ms",
    "paragraph_ms": "paragraph_pause_ms",
    "heading_ms": "heading_pause_ms",
}
_AUDIO_KEYS = {
    "bitrate": "bitrate",
    "loudness": "loudness_target",
    "true_peak": "true_peak",
    "intro": "intro_audio",
    "outro": "outro_audio",
}
_SHOW_KEYS = {"name": "show", "intro": "intro", "outro": "outro"}


def voices_dirs() -> list[Path]:
    """Where profiles are looked up, first match wins."""
    dirs = [Path(p) for p in os.environ.get("LISTEN_VOICES", "").split(os.pathsep) if p]
    dirs.append(Path.cwd() / "voices")
    packaged = Path(__file__).parent / "voices"
    source_tree = Path(__file__).resolve().parents[2] / "voices"
    dirs.extend(d for d in (packaged, source_tree) if d.is_dir())
    unique: list[Path] = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in {u.resolve() for u in unique}:
            unique.append(d)
    return unique


def _profile_files() -> Iterator[Path]:
    seen: set[str] = set()
    for directory in voices_dirs():
        for path in sorted(directory.glob("*.toml")):
            if path.stem not in seen:
                seen.add(path.stem)
                yield path


def find_profile(name: str) -> Path:
    """The file behind a voice name (or a path to a .toml file)."""
    candidate = Path(name)
    if candidate.suffix == ".toml" and candidate.is_file():
        return candidate
    for path in _profile_files():
        if path.stem == name:
            return path
    known = ", ".join(p.stem for p in _profile_files()) or "none found"
    raise ProfileError(f"Unknown voice '{name}': choose one of {known} (see 'listen voices')")


def list_profiles() -> list[Profile]:
    return [load_profile(str(p)) for p in _profile_files()]


def load_profile(name: str = DEFAULT_VOICE) -> Profile:
    """Load and validate a profile; every problem is a ProfileError naming the file."""
    path = find_profile(name)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"Could not read voice profile '{path}': {exc}") from exc
    return _build(path, data)


def _build(path: Path, data: Mapping[str, Any]) -> Profile:
    unknown = set(data) - _TOP_KEYS - _TABLES - {"name"}
    if unknown:
        raise ProfileError(f"Voice profile '{path}' has unknown keys: {', '.join(sorted(unknown))}")
    if "backend" not in data:
        raise ProfileError(f"Voice profile '{path}' names no backend: add backend = \"piper\"")
    fields: dict[str, Any] = {"name": str(data.get("name", path.stem)), "backend": data["backend"]}
    for key in ("description", "voice", "rate", "spelling"):
        if key in data:
            fields[key] = data[key]
    fields["options"] = dict(data.get("options", {}))
    fields["lexicons"] = tuple(_resolve(path, p) for p in data.get("lexicons", []))
    for table, keys in (("pauses", _PAUSE_KEYS), ("audio", _AUDIO_KEYS), ("show", _SHOW_KEYS)):
        fields.update(_table(path, data, table, keys))
    for key in ("intro_audio", "outro_audio"):
        if fields.get(key):
            fields[key] = _resolve(path, fields[key])
    try:
        profile = Profile(**fields)
    except TypeError as exc:
        raise ProfileError(f"Voice profile '{path}' is malformed: {exc}") from exc
    _validate(path, profile)
    return profile


def _table(
    path: Path, data: Mapping[str, Any], table: str, keys: Mapping[str, str]
) -> dict[str, Any]:
    values = data.get(table, {})
    unknown = set(values) - set(keys)
    if unknown:
        raise ProfileError(
            f"Voice profile '{path}' has unknown keys in [{table}]: {', '.join(sorted(unknown))}"
        )
    return {keys[k]: v for k, v in values.items()}


def _resolve(profile_path: Path, value: str) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else (profile_path.parent / p)


def _validate(path: Path, profile: Profile) -> None:
    problems = []
    if not 0.25 <= float(profile.rate) <= 4.0:
        problems.append("rate must be between 0.25 and 4.0")
    pauses = (profile.sentence_pause_ms, profile.paragraph_pause_ms, profile.heading_pause_ms)
    if any(not isinstance(p, int) or not 0 <= p <= 10_000 for p in pauses):
        problems.append("pauses must be whole milliseconds from 0 to 10000")
    if profile.spelling not in ("us", "uk"):
        problems.append('spelling must be "us" or "uk"')
    if not -40.0 <= float(profile.loudness_target) <= -5.0:
        problems.append("loudness must be between -40 and -5 LUFS")
    for lexicon in profile.lexicons:
        if not lexicon.is_file():
            problems.append(f"lexicon '{lexicon}' does not exist")
    if problems:
        raise ProfileError(f"Voice profile '{path}' is invalid: {'; '.join(problems)}")
