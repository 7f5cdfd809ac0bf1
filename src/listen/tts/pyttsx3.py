"""The platform's own voices through pyttsx3: SAPI5, NSSpeechSynthesizer, or espeak-ng on Linux.

pyttsx3 runs in a child process (``listen.tts._pyttsx3_worker``) as long as the backend lives:

- a crash in the C library, or its exit() when it cannot find its data, ends the worker and
  never listen;
- espeak-ng's state is global to a process and pyttsx3 sets its callback only once, so pyttsx3
  and ``EspeakBackend`` in one process break each other; in two processes they cannot.

The traps of ``save_to_file`` (pyttsx3 2.99 with espeak-ng) and what the worker does:

- ``runAndWait`` returns before the WAV is written: wait until the header's sizes agree with
  the file's length and the length has stopped changing (``wait_for_wav``), with a timeout.
- Texts of ~2,000 words segfault: pyttsx3 tells espeak_Synth the text is ten times longer than
  it is, and espeak-ng copies that much. The worker passes the true size, and never hands the
  engine more than ``MAX_WORDS`` words at once anyway.
- The driver's audio buffer grows by concatenation, so time grows with the square of the
  length: text goes in chunks cut at sentence, then word, boundaries and the audio is joined.
- It prints ("Audio saved to ..."): the worker points file descriptor 1 at /dev/null and
  answers on a private copy of it, so neither listen's stdout nor the replies see it.

On Linux the worker uses the espeak-ng bundled by espeakng-loader: loaded with RTLD_GLOBAL
before pyttsx3 looks the library up by soname, with ESPEAK_DATA_PATH set and checked first.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import wave
import weakref
from collections.abc import Iterator, Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from listen.errors import BackendUnavailable, ListenError, ProfileError, SynthesisError
from listen.models import Audio, VoiceSettings
from listen.tts._pyttsx3_worker import uses_espeak
from listen.tts.base import Availability, Option, check_settings

__all__ = ["Pyttsx3Backend"]

INSTALL = "pip install pyttsx3 espeakng-loader"
MAX_WORDS = 100
"""Longest text handed to the engine at once, in words (espeak-ng crashes near 2,000)."""
MAX_CHARS = 700
START_TIMEOUT = 30.0
CHUNK_TIMEOUT = 60.0
"""Seconds the worker may take over one chunk before listen gives up on it."""
_SENTENCE_END = re.compile(r"(?<=[.!?…;:])\s+")
_WORKER = "from listen.tts._pyttsx3_worker import serve; serve()"


def _chunks(text: str, max_words: int = MAX_WORDS, max_chars: int = MAX_CHARS) -> list[str]:
    """``text`` cut into chunks of at most max_words words and max_chars characters,
    at sentence boundaries where possible, else at word boundaries."""
    pieces = [
        piece
        for sentence in _SENTENCE_END.split(text.strip())
        for piece in _split_sentence(sentence, max_words, max_chars)
    ]
    chunks: list[str] = []
    current: list[str] = []
    words = chars = 0
    for piece in pieces:
        n_words, n_chars = len(piece.split()), len(piece) + 1
        if current and (words + n_words > max_words or chars + n_chars > max_chars):
            chunks.append(" ".join(current))
            current, words, chars = [], 0, 0
        current.append(piece)
        words, chars = words + n_words, chars + n_chars
    if current:
        chunks.append(" ".join(current))
    return chunks


def _split_sentence(sentence: str, max_words: int, max_chars: int) -> Iterator[str]:
    """One sentence as pieces that fit, cut between words (inside a word only if it must)."""
    if len(sentence.split()) <= max_words and len(sentence) <= max_chars:
        if sentence.strip():
            yield sentence.strip()
        return
    current: list[str] = []
    chars = 0
    for long_word in sentence.split():
        for word in (long_word[i : i + max_chars] for i in range(0, len(long_word), max_chars)):
            if current and (len(current) >= max_words or chars + len(word) + 1 > max_chars):
                yield " ".join(current)
                current, chars = [], 0
            current.append(word)
            chars += len(word) + 1
    if current:
        yield " ".join(current)


def _read_wav(path: Path) -> Audio:
    """A WAV file as mono float32 in [-1, 1]; 8, 16 or 32-bit PCM, channels averaged."""
    with wave.open(str(path), "rb") as w:
        width, channels, rate = w.getsampwidth(), w.getnchannels(), w.getframerate()
        frames = w.readframes(w.getnframes())
    if width == 1:
        samples = (np.frombuffer(frames, dtype=np.uint8).astype(np.float32) - 128) / 128
    elif width in (2, 4):
        dtype = np.int16 if width == 2 else np.int32
        samples = np.frombuffer(frames, dtype=dtype).astype(np.float32) / 2 ** (8 * width - 1)
    else:
        raise SynthesisError(f"pyttsx3 wrote {8 * width}-bit audio, which listen cannot read")
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return Audio(samples=samples.astype(np.float32, copy=False), sample_rate=rate)


# -- the parent's side ---------------------------------------------------------------------


class _Worker:
    """A running worker process and a thread that reads its replies."""

    def __init__(self, settings: dict[str, Any], workdir: Path) -> None:
        env = dict(os.environ)
        source = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, env.get("PYTHONPATH")]))
        self.log = (workdir / "worker.log").open("w+b")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env=env,
            text=True,
            encoding="utf-8",
        )
        self._replies: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._replies.put(line)
        self._replies.put(None)

    def ask(self, message: dict[str, Any], timeout: float) -> dict[str, Any]:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(message) + "\n")
            self.proc.stdin.flush()
            line = self._replies.get(timeout=timeout)
        except (BrokenPipeError, OSError):
            line = None
        except queue.Empty:
            self.stop()
            raise SynthesisError(f"pyttsx3 gave no answer within {timeout:g} s") from None
        if line is None:
            raise SynthesisError(f"the pyttsx3 worker stopped: {self._exit()}")
        try:
            answer: dict[str, Any] = json.loads(line)
        except json.JSONDecodeError:
            raise SynthesisError(f"the pyttsx3 worker answered {line.strip()[:80]!r}") from None
        return answer

    def _exit(self) -> str:
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return "it did not exit"
        self.log.seek(0)
        lines = self.log.read().decode("utf-8", "replace").strip().splitlines()
        return f"exit status {code}" + (f"; {lines[-1]}" if lines else "")

    def stop(self) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(timeout=5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.log.close()


def _shutdown(worker: _Worker, workdir: Path) -> None:
    worker.stop()
    shutil.rmtree(workdir, ignore_errors=True)


def _raise_start_error(answer: dict[str, Any], settings: VoiceSettings) -> None:
    detail = answer.get("error", "unknown error")
    if answer.get("kind") == "ProfileError":
        raise ProfileError(f"Voice '{settings.profile}': {detail}")
    raise BackendUnavailable(
        f"Voice '{settings.profile}': pyttsx3 could not start ({detail}); "
        f"install it with: {INSTALL}"
    )


class Pyttsx3Backend:
    """The platform's voices through pyttsx3, run in a child process."""

    name: ClassVar[str] = "pyttsx3"
    options: ClassVar[Mapping[str, Option]] = {}

    def __init__(self, settings: VoiceSettings) -> None:
        check_settings(type(self), settings)
        self.settings = settings
        self._lock = threading.Lock()
        self._workdir = Path(tempfile.mkdtemp(prefix="listen-pyttsx3-"))
        engine = {
            "voice": settings.voice,
            "espeak_voice": "en-us" if settings.spelling == "us" else "en",
            "rate": settings.rate,
        }
        self._worker = _Worker(engine, self._workdir)
        self._finalizer = weakref.finalize(self, _shutdown, self._worker, self._workdir)
        try:
            self._start(engine)
        except ListenError:
            self.close()
            raise

    def _start(self, engine: dict[str, Any]) -> None:
        try:
            answer = self._worker.ask(engine, START_TIMEOUT)
        except SynthesisError as exc:
            raise BackendUnavailable(
                f"Voice '{self.settings.profile}': pyttsx3 did not start: {exc}"
            ) from exc
        if not answer.get("ok"):
            _raise_start_error(answer, self.settings)

    @classmethod
    def availability(cls, settings: VoiceSettings) -> Availability:
        if importlib.util.find_spec("pyttsx3") is None:
            return Availability(False, "pyttsx3 is not installed", INSTALL)
        try:
            found = f"pyttsx3 {version('pyttsx3')}"
        except PackageNotFoundError:
            found = "pyttsx3"
        if not uses_espeak():
            return Availability(True, f"{found} with the system voices")
        from listen.tts.espeak import bundled_espeak

        try:
            library, _ = bundled_espeak()
        except BackendUnavailable as exc:
            return Availability(False, f"{found}, but {exc}", INSTALL)
        return Availability(True, f"{found} with espeak-ng from {library}")

    def synthesize(self, text: str) -> Audio:
        parts = [self._speak(chunk) for chunk in _chunks(text)]
        if not parts:
            return Audio(samples=np.zeros(0, dtype=np.float32), sample_rate=22050)
        rates = {part.sample_rate for part in parts}
        if len(rates) > 1:
            raise SynthesisError(f"pyttsx3 changed sample rate mid-text: {sorted(rates)}")
        samples = np.concatenate([part.samples for part in parts])
        return Audio(samples=samples, sample_rate=parts[0].sample_rate)

    def close(self) -> None:
        self._finalizer()

    def _speak(self, chunk: str) -> Audio:
        with self._lock:
            if not self._finalizer.alive:
                raise SynthesisError(
                    f"Voice '{self.settings.profile}': the pyttsx3 backend is closed"
                )
            path = self._workdir / "chunk.wav"
            answer = self._worker.ask({"text": chunk, "path": str(path)}, CHUNK_TIMEOUT)
            if not answer.get("ok"):
                raise SynthesisError(
                    f"pyttsx3 failed to speak {chunk[:60]!r}: {answer.get('error')}"
                )
            audio = _read_wav(path)
            path.unlink(missing_ok=True)
        return audio
