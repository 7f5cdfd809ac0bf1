"""Voice profiles: voices/<name>.toml -> a validated, frozen Profile.

A voice name is looked up in the directories of ``$LISTEN_VOICES`` (a path list, first match
wins), then among the voices shipped with listen; the current directory plays no part, so a
cron job finds the same voices as an interactive run. A voice may also be given as a path to
a ``.toml`` file.

Every key is checked against one schema (type and range) when the profile loads, before any
synthesis: a problem is one ProfileError naming the file, the key and what it may be.
"""

from __future__ import annotations

import os
import string
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from listen.errors import ProfileError
from listen.models import Mastering, Pauses, Profile, ShowInfo, VoiceSettings
from listen.tts.base import check_options
from listen.tts.registry import load_backend_class

if TYPE_CHECKING:
    from listen.normalise.lexicon import Lexicon

__all__ = [
    "BITRATES",
    "DEFAULT_VOICE",
    "TEMPLATE_FIELDS",
    "check_template",
    "find_profile",
    "list_profiles",
    "load_profile",
    "parse_bitrate",
    "profile_lexicon",
    "resolve_profile",
    "voices_dirs",
]

DEFAULT_VOICE = "joe"
"""The voice profile used when none is named."""
BITRATES = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
"""The CBR bit rates, in kbit/s, that libmp3lame encodes at 44.1 kHz (MPEG-1 Layer III)."""
TEMPLATE_FIELDS = ("title", "author", "show", "date")
"""The only fields a spoken intro or outro template may name."""


@dataclass(frozen=True)
class _Rule:
    allowed: str
    """What the value may be, as the error message says it."""
    ok: Callable[[Any], bool]


def _number(low: float, high: float) -> _Rule:
    def ok(v: Any) -> bool:
        return not isinstance(v, bool) and isinstance(v, int | float) and low <= v <= high

    return _Rule(f"a number from {low:g} to {high:g}", ok)


def _whole(low: int, high: int) -> _Rule:
    def ok(v: Any) -> bool:
        return not isinstance(v, bool) and isinstance(v, int) and low <= v <= high

    return _Rule(f"a whole number from {low} to {high}", ok)


def _choice(values: tuple[str, ...]) -> _Rule:
    return _Rule(f"one of {', '.join(values)}", lambda v: isinstance(v, str) and v in values)


_TEXT = _Rule("a string", lambda v: isinstance(v, str))
_PATHS = _Rule(
    "a list of file paths", lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v)
)
_TABLE = _Rule("a table", lambda v: isinstance(v, dict))
_BITRATE = _Rule(
    f"an MP3 bit rate for 44.1 kHz: one of {', '.join(f'{k}k' for k in BITRATES)}",
    lambda v: _kbps(v) is not None,
)
_PAUSE = _whole(0, 10_000)

_TOP: dict[str, _Rule] = {
    "name": _TEXT,
    "description": _TEXT,
    "backend": _TEXT,  # and a registered backend: checked in _speech
    "voice": _TEXT,
    "rate": _number(0.25, 4.0),
    "spelling": _choice(("us", "uk")),
    "lexicons": _PATHS,
    "options": _TABLE,  # each option: checked against the backend's declaration
}
_TABLES: dict[str, dict[str, _Rule]] = {
    "pauses": {"sentence_ms": _PAUSE, "paragraph_ms": _PAUSE, "heading_ms": _PAUSE},
    "audio": {
        "bitrate": _BITRATE,
        "loudness": _number(-40.0, -5.0),
        "true_peak": _number(-9.0, 0.0),
        "intro": _TEXT,
        "outro": _TEXT,
    },
    "show": {"name": _TEXT, "intro": _TEXT, "outro": _TEXT},
}


def parse_bitrate(value: object) -> str:
    """``"64k"``, ``"64K"``, ``"64"`` or ``64`` as ``"64k"``; ValueError for anything else."""
    kbps = _kbps(value)
    if kbps is None:
        raise ValueError(f"{value!r} is not {_BITRATE.allowed}")
    return f"{kbps}k"


def _kbps(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip().lower().removesuffix("k")
    if not text.isdigit() or int(text) not in BITRATES:
        return None
    return int(text)


def check_template(template: str) -> str | None:
    """What is wrong with an intro or outro template, or None: only ``{title}``, ``{author}``,
    ``{show}`` and ``{date}``, without attribute or index access, conversion or format spec."""
    allowed = ", ".join(f"{{{f}}}" for f in TEMPLATE_FIELDS)
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError as exc:
        return f"{exc}; write literal braces as {{{{ and }}}}"
    for _, name, spec, conversion in fields:
        if name is None:
            continue
        if name not in TEMPLATE_FIELDS or spec or conversion:
            written = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            return f"it may use only {allowed}, not {{{written}}}"
    return None


def voices_dirs() -> list[Path]:
    """Where voice names are looked up, first match wins: $LISTEN_VOICES, then listen's own."""
    dirs = [Path(p) for p in os.environ.get("LISTEN_VOICES", "").split(os.pathsep) if p]
    packaged = Path(__file__).parent / "voices"
    source_tree = Path(__file__).resolve().parents[2] / "voices"
    dirs.extend((packaged, source_tree))
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
    candidate = Path(name).expanduser()
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


def resolve_profile(name: str = DEFAULT_VOICE, *, bitrate: str | None = None) -> Profile:
    """The profile a render uses: loaded, checked, and with the command line's overrides."""
    profile = load_profile(name)
    if bitrate is None:
        return profile
    try:
        checked = parse_bitrate(bitrate)
    except ValueError as exc:
        raise ProfileError(f"Invalid bit rate: {exc}") from None
    return replace(profile, mastering=replace(profile.mastering, bitrate=checked))


def profile_lexicon(profile: Profile) -> Lexicon:
    """The base English lexicon, then the profile's own files, later ones overriding.

    Load it once per profile and hand it to every ``segment.build_script``."""
    from listen.normalise.lexicon import BASE_LEXICON, load_lexicon

    paths = [BASE_LEXICON, *profile.lexicons]
    return load_lexicon(list(dict.fromkeys(Path(p).resolve() for p in paths)))


def _build(path: Path, data: Mapping[str, Any]) -> Profile:
    _check(path, data, {**_TOP, **{t: _TABLE for t in _TABLES}}, "")
    if "backend" not in data:
        raise ProfileError(f"Voice profile '{path}' names no backend: add backend = \"piper\"")
    tables = {t: dict(data.get(t, {})) for t in _TABLES}
    for table, rules in _TABLES.items():
        _check(path, tables[table], rules, f"{table}.")
    name = data.get("name", path.stem)
    return Profile(
        name=name,
        speech=_speech(path, name, data),
        pauses=Pauses(**tables["pauses"]),
        mastering=_mastering(path, tables["audio"]),
        show=_show(path, tables["show"]),
        lexicons=tuple(_file(path, "lexicons", p) for p in data.get("lexicons", [])),
        description=data.get("description", ""),
        source=path,
    )


def _check(path: Path, data: Mapping[str, Any], rules: Mapping[str, _Rule], prefix: str) -> None:
    unknown = sorted(set(data) - set(rules))
    if unknown:
        where = f" in [{prefix[:-1]}]" if prefix else ""
        raise ProfileError(
            f"Voice profile '{path}' has unknown keys{where}: {', '.join(unknown)}; "
            f"use {', '.join(rules)}"
        )
    for key, value in data.items():
        if not rules[key].ok(value):
            raise ProfileError(
                f"Voice profile '{path}': {prefix}{key} must be {rules[key].allowed}, not {value!r}"
            )


def _speech(path: Path, name: str, data: Mapping[str, Any]) -> VoiceSettings:
    try:
        cls = load_backend_class(data["backend"])
    except ProfileError as exc:
        raise ProfileError(f"Voice profile '{path}': {exc}") from None
    except ImportError as exc:
        raise ProfileError(
            f"Voice profile '{path}': backend '{data['backend']}' could not be imported ({exc})"
        ) from exc
    settings = VoiceSettings(
        profile=name,
        backend=data["backend"],
        voice=data.get("voice"),
        rate=float(data.get("rate", 1.0)),
        spelling=data.get("spelling", "us"),
        options=dict(data.get("options", {})),
    )
    try:
        check_options(settings.backend, cls.options, settings.options)
    except ProfileError as exc:
        raise ProfileError(f"Voice profile '{path}': [options] {exc}") from None
    return settings


def _show(path: Path, show: Mapping[str, str]) -> ShowInfo:
    for key in ("intro", "outro"):
        problem = check_template(show[key]) if key in show else None
        if problem:
            raise ProfileError(f"Voice profile '{path}': show.{key} template is invalid: {problem}")
    return ShowInfo(**show)


def _mastering(path: Path, audio: Mapping[str, Any]) -> Mastering:
    intro, outro = audio.get("intro"), audio.get("outro")
    return Mastering(
        bitrate=parse_bitrate(audio.get("bitrate", "64k")),
        loudness=float(audio.get("loudness", -19.0)),
        true_peak=float(audio.get("true_peak", -1.0)),
        intro=None if intro is None else _file(path, "audio.intro", intro),
        outro=None if outro is None else _file(path, "audio.outro", outro),
    )


def _file(profile_path: Path, key: str, value: str) -> Path:
    """A path from the profile, relative to the profile's own folder; it must exist."""
    p = Path(value).expanduser()
    p = p if p.is_absolute() else (profile_path.parent / p)
    if not p.is_file():
        raise ProfileError(f"Voice profile '{profile_path}': {key}: file '{p}' does not exist")
    return p
