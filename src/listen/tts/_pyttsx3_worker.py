"""The pyttsx3 worker: the child process that Pyttsx3Backend talks to, one JSON line each way.

Run as ``python -c "from listen.tts._pyttsx3_worker import serve; serve()"``. The first line
on stdin holds the settings (voice, espeak_voice, rate); each later line asks for one chunk of
text to be saved to a WAV path. Every request gets one reply line: ``{"ok": true}`` or
``{"ok": false, "kind": ..., "error": ...}``. See ``listen.tts.pyttsx3`` for why it exists.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import struct
import sys
import time
import wave
from pathlib import Path
from typing import IO, Any

from listen.errors import BackendUnavailable, ProfileError, SynthesisError
from listen.tts.espeak import BASE_WPM

__all__ = ["serve", "start_engine", "take_stdout", "uses_espeak", "wait_for_wav", "wav_complete"]

WAV_TIMEOUT = 30.0
_POLL = 0.005


def uses_espeak() -> bool:
    return sys.platform not in ("win32", "darwin")


def wav_complete(path: Path) -> bool:
    """True when the RIFF and data sizes in the header agree with the file's length."""
    try:
        with path.open("rb") as f:
            head = f.read(12)
            size = os.fstat(f.fileno()).st_size
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:] != b"WAVE":
            return False
        if struct.unpack("<I", head[4:8])[0] + 8 != size:
            return False
        with wave.open(str(path), "rb") as w:
            data = w.getnframes() * w.getsampwidth() * w.getnchannels()
    except (OSError, EOFError, wave.Error):
        return False
    return data + 44 <= size


def wait_for_wav(path: Path, timeout: float = WAV_TIMEOUT) -> None:
    """Return once ``path`` is a complete WAV whose size has stopped changing."""
    deadline = time.monotonic() + timeout
    last = -1
    while time.monotonic() < deadline:
        size = path.stat().st_size if path.exists() else -1
        if size == last and wav_complete(path):
            return
        last = size
        time.sleep(_POLL)
    raise SynthesisError(f"pyttsx3 did not finish writing {path.name} within {timeout:g} s")


def take_stdout() -> IO[str]:
    """Keep a private copy of fd 1 for replies and point fd 1 itself at /dev/null."""
    sys.stdout.flush()
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    return replies


def _preload_espeak() -> None:
    """Make pyttsx3 use the espeak-ng bundled by espeakng-loader, and check its data first:
    without data, espeak_Initialize calls exit()."""
    from listen.tts.espeak import bundled_espeak

    library, data = bundled_espeak()
    os.environ["ESPEAK_DATA_PATH"] = str(data)
    ctypes.CDLL(str(library), mode=ctypes.RTLD_GLOBAL)


def _fix_espeak_synth() -> None:
    """pyttsx3 2.99 tells espeak_Synth the text is ten times its real length; espeak-ng, in
    asynchronous mode, copies that many bytes and reads past the end of the text. That is the
    segfault on long texts (near 2,000 words): give it the true size."""
    espeak = sys.modules.get("pyttsx3.drivers._espeak")
    if espeak is None or not hasattr(espeak, "cSynth"):
        return

    def synth(text: str | bytes, position: int = 0, position_type: int = 1,
              end_position: int = 0, flags: int = 0, user_data: Any = None) -> int:  # fmt: skip
        data = text.encode("utf-8") if isinstance(text, str) else text
        status: int = espeak.cSynth(
            data, len(data) + 1, position, position_type, end_position, flags, None, user_data
        )
        return status

    espeak.Synth = synth  # type: ignore[attr-defined]


class _Engine:
    """pyttsx3's engine and the errors its queued commands reported (they raise nothing)."""

    def __init__(self) -> None:
        import pyttsx3

        self.engine = pyttsx3.init()
        self.errors: list[str] = []
        self.engine.connect("error", self._error)
        _fix_espeak_synth()

    def _error(self, **event: Any) -> None:
        self.errors.append(str(event.get("exception") or event))

    def run(self) -> None:
        """Run the queued commands; raise the first error any of them reported."""
        self.engine.runAndWait()
        if self.errors:
            message = self.errors[0]
            self.errors.clear()
            raise SynthesisError(message)


def start_engine(settings: dict[str, Any]) -> _Engine:
    if uses_espeak():
        with contextlib.suppress(BackendUnavailable, ImportError):
            _preload_espeak()  # else pyttsx3 looks for a system libespeak-ng
    started = _Engine()
    engine = started.engine
    espeak = "pyttsx3.drivers.espeak" in sys.modules
    voice = settings["voice"] or (settings["espeak_voice"] if espeak else None)
    if voice:
        engine.setProperty("voice", voice)
    base = BASE_WPM if espeak else engine.getProperty("rate")  # as EspeakBackend's rate 1.0
    engine.setProperty("rate", round(base * settings["rate"]))
    # Only this first run: with nothing queued, the espeak driver's runAndWait never returns.
    try:
        started.run()
    except SynthesisError as exc:
        raise ProfileError(f"pyttsx3 has no voice '{voice}': {exc}") from exc
    return started


def save(started: _Engine, text: str, path: Path) -> None:
    path.unlink(missing_ok=True)
    started.engine.save_to_file(text, str(path))
    started.run()  # may return before the file is written
    wait_for_wav(path)
    espeak = sys.modules.get("pyttsx3.drivers._espeak")
    if espeak is not None:
        espeak.Synchronize()  # the driver's callback finishes before the next chunk starts


def serve() -> None:
    """The worker's loop: one JSON request per line on stdin, one JSON reply per line."""
    replies = take_stdout()

    def reply(**message: object) -> None:
        replies.write(json.dumps(message) + "\n")
        replies.flush()

    settings = json.loads(sys.stdin.readline())
    try:
        engine = start_engine(settings)
    except Exception as exc:
        reply(ok=False, kind=type(exc).__name__, error=str(exc))
        return
    reply(ok=True)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            save(engine, request["text"], Path(request["path"]))
        except Exception as exc:
            reply(ok=False, kind=type(exc).__name__, error=str(exc))
        else:
            reply(ok=True)
