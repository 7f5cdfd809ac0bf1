from __future__ import annotations

import io
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from listen.errors import BackendUnavailable, ProfileError, SynthesisError
from listen.models import Audio, VoiceSettings
from listen.tts import create_backend
from listen.tts import pyttsx3 as module
from listen.tts._pyttsx3_worker import uses_espeak, wait_for_wav, wav_complete
from listen.tts.espeak import EspeakBackend
from listen.tts.pyttsx3 import MAX_WORDS, Pyttsx3Backend, _chunks, _read_wav

Check = Callable[[Audio, str], None]
linux_only = pytest.mark.skipif(not uses_espeak(), reason="pyttsx3 uses espeak-ng here")


def system(**settings: object) -> VoiceSettings:
    return VoiceSettings(profile="system", backend="pyttsx3", **settings)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def voice() -> Iterator[Pyttsx3Backend]:
    backend = Pyttsx3Backend(system())
    yield backend
    backend.close()


@pytest.fixture(scope="module")
def words(seed: Path) -> list[str]:
    return seed.read_text(encoding="utf-8").split() * 4


@pytest.fixture(scope="module")
def seed() -> Path:
    return Path(__file__).resolve().parents[2] / "seeds" / "nara-drum-diplomacy.txt"


# -- the engine ----------------------------------------------------------------------------


def test_available_here() -> None:
    found = Pyttsx3Backend.availability(system())
    assert found.ok and found.detail.startswith("pyttsx3 "), found


def test_missing_pyttsx3_names_the_install_step(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyttsx3", None)
    found = Pyttsx3Backend.availability(system())
    assert (found.ok, found.install) == (False, "pip install pyttsx3 espeakng-loader")


@linux_only
def test_missing_espeak_names_the_install_step(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "espeakng_loader", None)
    found = Pyttsx3Backend.availability(system())
    assert (found.ok, found.install) == (False, "pip install pyttsx3 espeakng-loader")


def test_speaks_a_sentence(voice: Pyttsx3Backend, sentence: str, speech: Check) -> None:
    audio = voice.synthesize(sentence)
    assert audio.sample_rate == 22050
    speech(audio, sentence)


def _voiced_seconds(audio: Audio) -> float:
    """From the first sample above -40 dBFS to the last: the speech, not the pauses around it."""
    loud = np.flatnonzero(np.abs(audio.samples) > 0.01)
    return float(loud[-1] - loud[0]) / audio.sample_rate if loud.size else 0.0


def test_rate_changes_duration_the_right_way(voice: Pyttsx3Backend, sentence: str) -> None:
    normal = _voiced_seconds(voice.synthesize(sentence))
    faster = create_backend(system(rate=1.5))
    assert 0 < _voiced_seconds(faster.synthesize(sentence)) < 0.8 * normal
    faster.close()


def test_unknown_voice_is_a_profile_error() -> None:
    with pytest.raises(ProfileError, match="pyttsx3 has no voice 'zz-nowhere'"):
        Pyttsx3Backend(system(voice="zz-nowhere"))


def test_a_worker_that_exits_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a missing espeak-ng data directory does: the C library calls exit()."""
    monkeypatch.setattr(module, "_WORKER", "import sys; sys.stderr.write('no data'); sys.exit(3)")
    with pytest.raises(BackendUnavailable, match="stopped: exit status 3; no data"):
        Pyttsx3Backend(system())


def test_closed_backend_says_so(sentence: str) -> None:
    backend = Pyttsx3Backend(system())
    backend.close()
    backend.close()
    with pytest.raises(SynthesisError, match="closed"):
        backend.synthesize(sentence)


def test_coexists_with_espeak_in_one_process(
    voice: Pyttsx3Backend, sentence: str, speech: Check
) -> None:
    """Both drive libespeak-ng, whose state is global: pyttsx3's lives in its worker."""
    robot = EspeakBackend(VoiceSettings(profile="robot", backend="espeak"))
    for _ in range(2):
        speech(robot.synthesize(sentence), sentence)
        speech(voice.synthesize(sentence), sentence)


# -- trap (a): runAndWait returns before the WAV is written --------------------------------


def _wav_bytes(seconds: float = 1.0) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(22050)
        w.writeframes((np.arange(round(22050 * seconds)) % 200 - 100).astype(np.int16).tobytes())
    return buffer.getvalue()


def test_wait_returns_only_once_the_wav_is_complete(tmp_path: Path) -> None:
    path, whole = tmp_path / "slow.wav", _wav_bytes()

    def write_slowly() -> None:  # header first with the final sizes, as wave does
        with path.open("wb") as f:
            for start in range(0, len(whole), 4410):
                f.write(whole[start : start + 4410])
                f.flush()
                time.sleep(0.02)

    writer = threading.Thread(target=write_slowly)
    writer.start()
    wait_for_wav(path, timeout=10)
    assert path.stat().st_size == len(whole)
    writer.join()
    assert _read_wav(path).duration == pytest.approx(1.0)


def test_wait_gives_up_on_a_file_that_never_completes(tmp_path: Path) -> None:
    path = tmp_path / "stuck.wav"
    path.write_bytes(_wav_bytes()[:1000])
    with pytest.raises(SynthesisError, match=r"did not finish writing stuck\.wav within 0\.2 s"):
        wait_for_wav(path, timeout=0.2)


@pytest.mark.parametrize(
    ("cut", "complete"),
    [(0, False), (30, False), (1000, False), ("placeholder", False), (None, True)],
    ids=["empty", "half-header", "truncated-data", "sizes-not-patched-yet", "complete"],
)
def testwav_complete(tmp_path: Path, cut: int | str | None, complete: bool) -> None:
    whole = _wav_bytes(0.1)
    if cut == "placeholder":  # SAPI-style: sizes written as 0 and patched on close
        data = whole[:4] + b"\0\0\0\0" + whole[8:40] + b"\0\0\0\0" + whole[44:]
    else:
        data = whole if cut is None else whole[: int(cut)]
    path = tmp_path / "x.wav"
    path.write_bytes(data)
    assert wav_complete(path) is complete


def test_first_call_returns_the_whole_text(sentence: str) -> None:
    """Raw pyttsx3 returns from a new engine's first runAndWait before the file exists."""
    backend = Pyttsx3Backend(system())
    first, second = backend.synthesize(sentence), backend.synthesize(sentence)
    backend.close()
    assert first.duration == pytest.approx(second.duration, rel=0.01)


# -- trap (b): ~2,000 words crash espeak-ng; (c): cost grows with the square of the length --


@pytest.mark.parametrize(
    ("text", "max_words", "max_chars", "expected"),
    [
        ("One. Two three. Four.", 10, 100, ["One. Two three. Four."]),
        ("One two. Three four. Five six.", 2, 100, ["One two.", "Three four.", "Five six."]),
        ("A. B. C. D. E.", 2, 100, ["A. B.", "C. D.", "E."]),
        ("a b c d e f g", 2, 100, ["a b", "c d", "e f", "g"]),
        ("Short. xxxxxxxx", 10, 6, ["Short.", "xxxxxx", "xx"]),
        ("  ", 10, 100, []),
    ],
    ids=[
        "fits",
        "at-sentence-ends",
        "packs-sentences",
        "long-sentence-at-words",
        "long-word-cut",
        "blank",
    ],
)
def test_chunks(text: str, max_words: int, max_chars: int, expected: list[str]) -> None:
    assert _chunks(text, max_words, max_chars) == expected


def test_chunks_are_bounded_and_lose_nothing(words: list[str]) -> None:
    text = " ".join(words[:2500])
    chunks = _chunks(text)
    assert all(len(c.split()) <= module.MAX_WORDS and len(c) <= module.MAX_CHARS for c in chunks)
    assert " ".join(chunks).split() == text.split()


def test_2500_words_do_not_crash(voice: Pyttsx3Backend, words: list[str]) -> None:
    audio = voice.synthesize(" ".join(words[:2500]))
    assert 2500 * 0.2 < audio.duration < 2500 * 0.8


@linux_only
def test_espeak_synth_gets_the_true_text_size() -> None:
    """pyttsx3 passes ten times the length; espeak-ng copies that much and segfaults."""
    code = (
        "from listen.tts._pyttsx3_worker import start_engine\n"
        "start_engine({'voice': None, 'espeak_voice': 'en-us', 'rate': 1.0})\n"
        "from pyttsx3.drivers import _espeak\nsizes = []\n"
        "_espeak.cSynth = lambda text, size, *rest: sizes.append(size) or 0\n"
        "_espeak.Synth('Hello there.')\nprint(sizes)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[13]"


def test_a_crash_in_the_engine_cannot_take_listen_down(
    monkeypatch: pytest.MonkeyPatch, sentence: str
) -> None:
    crash = (
        "import ctypes, sys\nsys.stdin.readline()\nprint('{\"ok\": true}', flush=True)\n"
        "sys.stdin.readline()\nctypes.string_at(0)\n"
    )
    monkeypatch.setattr(module, "_WORKER", crash)
    backend = Pyttsx3Backend(system())
    with pytest.raises(SynthesisError, match=r"worker stopped: exit status -11"):
        backend.synthesize(sentence)
    with pytest.raises(SynthesisError, match=r"worker stopped"):
        backend.synthesize(sentence)
    backend.close()


def test_long_texts_reach_the_engine_in_bounded_chunks(
    voice: Pyttsx3Backend, words: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The quadratic slow-down grows with what one call hands the engine: never more than
    MAX_WORDS words, so work grows linearly (benchmarks/pyttsx3_chunking.py times it)."""
    sent: list[int] = []
    speak = Pyttsx3Backend._speak

    def spy(self: Pyttsx3Backend, chunk: str) -> Audio:
        sent.append(len(chunk.split()))
        return speak(self, chunk)

    monkeypatch.setattr(Pyttsx3Backend, "_speak", spy)
    short = voice.synthesize(" ".join(words[:300])).duration
    calls_short = len(sent)
    long = voice.synthesize(" ".join(words[:1200])).duration
    assert max(sent) <= MAX_WORDS
    assert sum(sent[calls_short:]) == 1200, "no word is lost between chunks"
    assert len(sent) - calls_short >= 1200 // MAX_WORDS
    assert 3.5 < long / short < 4.5, "four times the words, four times the speech"


# -- trap (d): pyttsx3 prints ---------------------------------------------------------------


def test_stdout_stays_clean(capfd: pytest.CaptureFixture[str], sentence: str) -> None:
    backend = Pyttsx3Backend(system())
    backend.synthesize(sentence)
    backend.close()
    assert capfd.readouterr().out == ""


def test_worker_replies_apart_from_what_the_engine_prints() -> None:
    code = (
        "import os\nfrom listen.tts._pyttsx3_worker import take_stdout\nreplies = take_stdout()\n"
        "print('Audio saved to x.wav')\nos.write(1, b'from the C library')\n"
        "replies.write('reply\\n')\nreplies.flush()\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "reply\n"


def test_read_wav_mixes_down_and_scales(tmp_path: Path) -> None:
    path = tmp_path / "stereo8.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(1)
        w.setframerate(16000)
        w.writeframes(bytes([255, 1] * 8000))
    audio = _read_wav(path)
    assert (audio.sample_rate, audio.samples.size, audio.samples.dtype) == (16000, 8000, np.float32)
    assert np.allclose(audio.samples, 0.0, atol=0.01)  # +0.99 and -0.99 averaged
