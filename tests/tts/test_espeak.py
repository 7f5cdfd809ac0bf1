from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from listen.errors import ProfileError
from listen.models import Audio, VoiceSettings
from listen.tts import create_backend
from listen.tts import espeak as espeak_module
from listen.tts.espeak import EspeakBackend

Check = Callable[[Audio, str], None]


def espeak(**settings: object) -> EspeakBackend:
    return EspeakBackend(VoiceSettings(profile="robot", backend="espeak", **settings))  # type: ignore[arg-type]


def test_available_here() -> None:
    found = EspeakBackend.availability(VoiceSettings(profile="robot", backend="espeak"))
    assert found.ok and found.detail.startswith("espeak-ng "), found


def test_missing_loader_names_the_install_step(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "espeakng_loader", None)
    found = EspeakBackend.availability(VoiceSettings(profile="robot", backend="espeak"))
    assert not found.ok
    assert found.install == "pip install --force-reinstall espeakng-loader"


def test_speaks_a_sentence(sentence: str, speech: Check) -> None:
    audio = espeak(voice="en-us").synthesize(sentence)
    assert audio.sample_rate == 22050
    speech(audio, sentence)


def test_rate_changes_duration_the_right_way(sentence: str) -> None:
    normal = espeak().synthesize(sentence).duration
    assert espeak(rate=1.5).synthesize(sentence).duration < 0.8 * normal
    assert espeak(rate=0.7).synthesize(sentence).duration > 1.2 * normal


def test_backends_keep_their_own_settings_in_one_process(sentence: str) -> None:
    """espeak-ng's voice and rate are global: each call sets them again."""
    slow, fast = espeak(rate=0.8), espeak(rate=1.6, spelling="uk")
    first = slow.synthesize(sentence).duration
    fast.synthesize(sentence)
    assert slow.synthesize(sentence).duration == pytest.approx(first, rel=0.02)


def test_options_pitch_and_range(sentence: str) -> None:
    low = espeak(options={"pitch": 10}).synthesize(sentence)
    high = espeak(options={"pitch": 90}).synthesize(sentence)
    assert not np.array_equal(low.samples[:5000], high.samples[:5000])


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"voice": "zz-nowhere"}, r"espeak-ng has no voice 'zz-nowhere'"),
        ({"options": {"length_scale": 1.0}}, r"does not know the option\(s\) length_scale"),
        (
            {"options": {"pitch": 300}},
            r"Voice 'robot': option pitch must be a whole number from 0 to 100, not 300",
        ),
        ({"rate": 0}, r"rate must be between 0.25 and 4, not 0"),
    ],
    ids=["unknown-voice", "piper-option", "pitch-out-of-range", "zero-rate"],
)
def test_bad_profile(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        espeak(**settings)


def test_empty_text_is_no_audio() -> None:
    assert espeak().synthesize("  ").samples.size == 0


def test_through_the_registry(sentence: str, speech: Check) -> None:
    backend = create_backend(VoiceSettings(profile="robot", backend="espeak", voice="en-us"))
    speech(backend.synthesize(sentence), sentence)
    backend.close()


@pytest.mark.parametrize("voice", ["en-us", "en", "en-gb-x-rp", "en-us+klatt4"])
def test_a_voice_loaded_from_its_file_sounds_as_it_does_by_name(
    voice: str, sentence: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each segment loads the voice straight from its file (through a lower-case link where
    the file's name has capitals), not by searching every voice for its name: same samples."""
    quick = espeak(voice=voice)
    assert quick._name != voice and quick._name == quick._name.lower()
    assert "+klatt4" not in voice or quick._name.endswith("+klatt4")
    # no shortcut: every voice is named as the profile names it
    monkeypatch.setattr(espeak_module._Shortcuts, "quick_name", lambda self, identifier: None)
    named = espeak(voice=voice)
    assert named._name == voice
    spoken = quick.synthesize(sentence).samples
    assert spoken.size > 0
    np.testing.assert_array_equal(spoken, named.synthesize(sentence).samples)


def test_without_symbolic_links_the_voice_is_found_by_name(
    sentence: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = espeak(voice="en-us").synthesize(sentence).samples

    def refuse(*args: object) -> None:
        raise OSError("symbolic links are not allowed here")

    monkeypatch.setattr(espeak_module, "_ENGINE", None)  # a new engine, with no links made
    monkeypatch.setattr(Path, "symlink_to", refuse)
    backend = espeak(voice="en-us")
    assert backend._name == "en-us"
    np.testing.assert_array_equal(backend.synthesize(sentence).samples, expected)


def test_the_folder_of_voice_links_goes_when_the_process_ends() -> None:
    code = (
        "from listen.models import VoiceSettings\n"
        "from listen.tts.espeak import EspeakBackend\n"
        "b = EspeakBackend(VoiceSettings(profile='robot', backend='espeak', voice='en-us'))\n"
        "assert b.synthesize('One more test.').samples.size\n"
        "print(b._data)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    folder = Path(done.stdout.strip())
    assert folder.name.startswith("listen-espeak-")
    assert not folder.exists()


def test_a_killed_process_s_folder_of_voice_links_goes_when_the_next_one_is_made() -> None:
    """A process killed (or ended through ``os._exit``, as an engine's child whose parent died)
    cannot remove its folder: the next process that makes one removes it."""
    code = (
        "import os, signal\n"
        "from listen.models import VoiceSettings\n"
        "from listen.tts.espeak import EspeakBackend\n"
        "b = EspeakBackend(VoiceSettings(profile='robot', backend='espeak', voice='en-us'))\n"
        "print(b._data, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    killed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert killed.returncode == -9
    orphan = Path(killed.stdout.strip())
    assert orphan.name.startswith("listen-espeak-") and (orphan / "phontab").exists()
    data = (orphan / "phontab").resolve().parent
    kept = Path(tempfile.mkdtemp(prefix=f"listen-espeak-{os.getpid()}-"))  # a live process's
    try:
        espeak_module._sweep_orphans(kept.parent)
        assert kept.is_dir()
    finally:
        shutil.rmtree(kept)
    assert not orphan.exists()
    assert (data / "phontab").is_file()  # what the links pointed to is untouched


def test_no_process_is_asked_after_where_signals_would_end_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Windows ``os.kill(pid, 0)`` terminates the process: no sweep there."""
    orphan = tmp_path / "listen-espeak-999999999-abc"
    orphan.mkdir()
    killed: list[int] = []
    monkeypatch.setattr(os, "kill", lambda pid, sig: killed.append(pid))
    monkeypatch.setattr(os, "name", "nt")
    espeak_module._sweep_orphans(tmp_path)
    monkeypatch.undo()
    assert not killed and orphan.is_dir()
    espeak_module._sweep_orphans(tmp_path)  # on POSIX, no such process: swept
    assert not orphan.exists()


def test_a_breathy_variant_speaks_a_sentence_the_same_way_every_time(sentence: str) -> None:
    """The ``+f3`` variant mixes in random breath noise, which espeak-ng seeds from the clock
    when it starts: listen seeds it the same way for every segment."""
    backend = espeak(voice="en-us+f3")
    first = backend.synthesize(sentence).samples
    time.sleep(1.1)  # a second later, the clock's seed would differ
    np.testing.assert_array_equal(backend.synthesize(sentence).samples, first)
