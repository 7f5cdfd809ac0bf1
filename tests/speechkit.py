"""Helpers for the audio tests: real espeak speech, as the renderer makes it, and a steady joe."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from listen.models import SPEECH_RATE, Segment, SpokenSegment
from listen.normalise import BASE_LEXICON
from listen.profile import resolve_profile
from listen.speak import speak
from listen.tts import create_backend


def espeak_spoken(sentences: list[str], pause_ms: int) -> list[SpokenSegment]:
    """Each sentence spoken by the real espeak voice, trimmed and at the speech rate, with
    ``pause_ms`` after it."""
    backend = create_backend(resolve_profile("espeak").speech)
    try:
        segments = [Segment(s, s, "sentence", pause_ms, 0) for s in sentences]
        return list(speak(segments, backend, SPEECH_RATE))
    finally:
        backend.close()


ROOT = Path(__file__).resolve().parents[1]


def steady_joe(folder: Path, *lexicons: Path) -> str:
    """A copy of the joe profile in ``folder`` with Piper's noise scales at zero and
    ``lexicons`` after the base lexicon; its path, for --voice.

    Piper then speaks each sentence the same way every run: a test's change (a damaged
    sentence, a garbled take) is the only difference from the clean render, where joe's usual
    noise makes every render a new take that speech recognition now and then mishears."""
    profile = tomllib.loads((ROOT / "voices" / "joe.toml").read_text(encoding="utf-8"))
    profile["lexicons"] = [str(BASE_LEXICON), *map(str, lexicons)]
    profile["options"].update(noise_scale=0.0, noise_w_scale=0.0)
    path = folder / "joe-steady.toml"
    path.write_text(_toml(profile), encoding="utf-8")
    return str(path)


def _toml(data: dict[str, Any]) -> str:
    """A voice profile as TOML: top-level keys, then one table per dict."""
    lines = [f"{k} = {json.dumps(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for name, table in data.items():
        if isinstance(table, dict):
            lines += [f"[{name}]", *(f"{k} = {json.dumps(v)}" for k, v in table.items())]
    return "\n".join(lines) + "\n"
