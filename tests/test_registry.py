from __future__ import annotations

import subprocess
import sys
from importlib.metadata import EntryPoint

import pytest

from listen.errors import BackendUnavailable, ProfileError
from listen.models import VoiceSettings
from listen.tts import availability, backend_names, create_backend, registry


def test_builtin_backends_are_registered() -> None:
    assert {"piper", "espeak", "pyttsx3", "tone"} <= set(backend_names())


def test_entry_point_backends_register_the_same_way(monkeypatch: pytest.MonkeyPatch) -> None:
    plugin = EntryPoint(
        name="plugin-voice", value="listen.tts.tone:ToneBackend", group="listen.backends"
    )
    monkeypatch.setattr(registry, "entry_points", lambda group: [plugin])
    assert "plugin-voice" in backend_names()
    backend = create_backend(VoiceSettings(profile="p", backend="plugin-voice"))
    audio = backend.synthesize("Hello there.")
    assert audio.duration > 0.2 and audio.sample_rate > 0


def test_unknown_backend() -> None:
    with pytest.raises(ProfileError, match=r"Unknown backend 'nope': choose one of .*espeak"):
        availability(VoiceSettings(profile="x", backend="nope"))


def test_missing_engine_names_the_install_step(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "piper", None)
    with pytest.raises(BackendUnavailable, match=r"install it with: pip install 'listen\[piper\]'"):
        create_backend(VoiceSettings(profile="joe", backend="piper"))


def test_help_never_loads_an_engine() -> None:
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom listen.cli import main\n"
        "CliRunner().invoke(main, ['--help'])\nCliRunner().invoke(main, ['render', '--help'])\n"
        "print(sorted(m for m in ('onnxruntime', 'piper', 'pyttsx3', 'trafilatura') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
