"""espeak-ng through the library bundled by espeakng-loader, driven with ctypes.

No system package is needed: espeakng-loader ships ``libespeak-ng.so`` and its data. The
library is loaded and initialised afresh for every segment, in synchronous mode, so
``espeak_Synth`` returns only when every sample has gone through the callback, and then
unloaded. espeak-ng keeps synthesis state in static variables (the pitch "flutter" index, the
wave phase) that ``espeak_Terminate`` and ``espeak_Initialize`` do not reset, so a warm engine
gives a sentence a slightly different waveform and length each time it is spoken; a fresh load
makes a segment's audio depend only on its text and settings (0.7 ms more a segment), with
its random numbers (a variant's breath noise), which it seeds from the clock, seeded alike. The
library's state is global to the process, so all of this runs under one lock. pyttsx3 loads
the same library, which is why listen runs pyttsx3 in a child process (see ``listen.tts.pyttsx3``).

A fresh library has no list of its voices, and finding a voice by name reads all ~250 voice
files (2.7 ms, a third of a short sentence's time). espeak-ng loads a voice file directly only
when the lower-cased name is its path, and most of its voices have capitals in their file names
(``lang/gmw/en-US``). So the voice is looked up by name once, and each segment then names its
file: through a folder of links that stands in for the data folder and adds a lower-case link
to the voice file (:class:`_Shortcuts`), where the file name has capitals. The same voice file
loads either way, so the audio is the same.
"""

from __future__ import annotations

import _ctypes
import atexit
import contextlib
import ctypes
import importlib.util
import logging
import os
import shutil
import stat
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from listen.errors import BackendUnavailable, ProfileError, SynthesisError
from listen.models import Audio, VoiceSettings
from listen.tts.base import Availability, Option, check_settings

__all__ = ["EspeakBackend"]

_LOGGER = logging.getLogger(__name__)

INSTALL = "pip install --force-reinstall espeakng-loader"
BASE_WPM = 175
"""espeak-ng's own default speaking rate, in words per minute: profile rate 1.0."""
MIN_WPM, MAX_WPM = 80, 450

# speak_lib.h
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_PARAMETERS = {"rate": 1, "pitch": 3, "range": 4}
"""espeak_PARAMETER values; "pitch" and "range" may be set in the profile's [options]."""
_VOICE_ERRORS = {1: "buffer full", 2: "not found", -1: "internal error"}
_PREFIX = "listen-espeak-"
"""The link folders' names: this, the owning process's id, a dash and random letters."""
_SEED = 1
"""espeak-ng's random numbers (the breath noise of variants such as ``+f3``) start from this
for every segment; espeak_Initialize seeds them from the clock."""

_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class _Voice(ctypes.Structure):
    """The first fields of speak_lib.h's espeak_VOICE: all that listen reads."""

    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_char_p),
        ("identifier", ctypes.c_char_p),
    ]


class _Shortcuts:
    """A folder that stands in for espeak-ng's data folder: a link to each of its entries, and
    in ``voices/`` a lower-case link to each voice file whose path has capitals, so that
    espeak-ng can load the file by name without listing every voice. One per process, with
    its :class:`_Engine`; the folder is made on first use and removed when the process exits
    (or, if it was killed, by the next process that makes one)."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self._folder: Path | None = None
        self._refused = False

    def quick_name(self, identifier: str) -> tuple[Path, str] | None:
        """The data folder and name that load voice ``identifier`` (a path under ``voices/``
        or ``lang/``, perhaps with a ``+variant``) straight from its file; None when it has
        no file there or no link can be made (call with _LOCK held)."""
        base, plus, variant = identifier.partition("+")
        found = [d / base for d in (self.data / "voices", self.data / "lang")]
        source = next((path for path in found if path.is_file()), None)
        if source is None:
            return None
        if base == base.lower():
            return self.data, identifier
        if self._refused:
            return None
        try:
            link = self._made() / "voices" / base.lower()
            link.parent.mkdir(parents=True, exist_ok=True)
            if not link.is_file():
                link.symlink_to(source)
        except OSError as exc:  # no symbolic links here: name the voice as the user did
            _LOGGER.debug("espeak-ng voice links not made (%s)", exc)
            self._refused = True
            return None
        assert self._folder is not None
        return self._folder, base.lower() + plus + variant

    def _made(self) -> Path:
        if self._folder is None:
            _sweep_orphans(Path(tempfile.gettempdir()))
            folder = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            voices = self.data / "voices"
            for entry in self.data.iterdir():
                if entry != voices:
                    (folder / entry.name).symlink_to(entry, entry.is_dir())
            (folder / "voices").mkdir()
            for entry in voices.iterdir() if voices.is_dir() else ():
                (folder / "voices" / entry.name).symlink_to(entry, entry.is_dir())
            self._folder = folder
        return self._folder


def _sweep_orphans(temp: Path) -> None:
    """Remove the link folders of this user's processes that ended without removing theirs
    (killed, or gone through ``os._exit``); a folder holds only links, so nothing they point
    to is touched. POSIX only: elsewhere ``os.kill(pid, 0)`` would end the process, not ask
    after it, and a process id has no owner to compare."""
    if os.name != "posix":
        return
    for folder in temp.glob(f"{_PREFIX}*-*"):
        pid = folder.name.removeprefix(_PREFIX).partition("-")[0]
        with contextlib.suppress(OSError, ValueError):
            found = folder.lstat()
            if stat.S_ISDIR(found.st_mode) and found.st_uid == os.getuid() and not _alive(int(pid)):
                shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


@dataclass(frozen=True)
class _Engine:
    library: Path
    data: Path
    sample_rate: int
    shortcuts: _Shortcuts


_LOCK = threading.Lock()
_ENGINE: _Engine | None = None
_SINK: list[bytes] = []


def _collect(wav: ctypes._Pointer[ctypes.c_short], count: int, events: int | None) -> int:
    if count > 0 and wav:
        _SINK.append(ctypes.string_at(wav, count * ctypes.sizeof(ctypes.c_short)))
    return 0


_CALLBACK = _SynthCallback(_collect)
"""Kept at module level: the C library holds a pointer to it for the life of the process."""


def bundled_espeak() -> tuple[Path, Path]:
    """The bundled library and its data directory; BackendUnavailable when either is missing."""
    try:
        import espeakng_loader

        library = Path(espeakng_loader.get_library_path())
        data = Path(espeakng_loader.get_data_path())
    except (ImportError, RuntimeError) as exc:
        raise BackendUnavailable(f"espeakng-loader is not usable: {exc}") from exc
    if not library.is_file():
        raise BackendUnavailable(f"espeakng-loader has no library at {library}")
    if not (data / "phontab").is_file():
        raise BackendUnavailable(f"espeakng-loader has no espeak-ng data in {data}")
    return library, data


def _load(library: Path) -> ctypes.CDLL:
    try:
        lib = ctypes.CDLL(str(library))
    except OSError as exc:
        raise BackendUnavailable(f"Could not load {library}: {exc}") from exc
    lib.espeak_Info.argtypes = [ctypes.c_void_p]
    lib.espeak_Info.restype = ctypes.c_char_p
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
    lib.espeak_SetSynthCallback.restype = None
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetVoiceByName.restype = ctypes.c_int
    if hasattr(lib, "espeak_ng_SetRandSeed"):
        lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        lib.espeak_ng_SetRandSeed.restype = None
    lib.espeak_GetCurrentVoice.argtypes = []
    lib.espeak_GetCurrentVoice.restype = ctypes.POINTER(_Voice)
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_SetParameter.restype = ctypes.c_int
    lib.espeak_Synth.argtypes = [
        ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
        ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
    ]  # fmt: skip
    lib.espeak_Synth.restype = ctypes.c_int
    lib.espeak_Synchronize.argtypes = []
    lib.espeak_Synchronize.restype = ctypes.c_int
    lib.espeak_Terminate.argtypes = []
    lib.espeak_Terminate.restype = ctypes.c_int
    return lib


def _version(library: Path) -> str:
    """espeak-ng's version, the library unloaded again so that it keeps no state."""
    lib = _load(library)
    try:
        return str(lib.espeak_Info(None).decode())
    finally:
        _ctypes.dlclose(lib._handle)  # type: ignore[attr-defined]


def _engine() -> _Engine:
    """Find the library and learn its sample rate, once per process (call with _LOCK held)."""
    global _ENGINE
    if _ENGINE is None:
        library, data = bundled_espeak()
        with _fresh(library, data) as (_, rate):
            _ENGINE = _Engine(library, data, rate, _Shortcuts(data))
        _LOGGER.debug("espeak-ng found at %s, %d Hz", library, rate)
    return _ENGINE


@contextlib.contextmanager
def _fresh(library: Path, data: Path) -> Iterator[tuple[ctypes.CDLL, int]]:
    """The library newly loaded and initialised, unloaded on leaving so that no synthesis
    state outlives one segment (call with _LOCK held)."""
    lib = _load(library)
    try:
        # DONT_EXIT: without it the C library calls exit() when it cannot find its data.
        rate = lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, str(data).encode(), _INITIALIZE_DONT_EXIT
        )
        if rate <= 0:
            raise BackendUnavailable(f"espeak-ng could not start with the data in {data}")
        yield lib, rate
        lib.espeak_Terminate()
    finally:
        _ctypes.dlclose(lib._handle)  # type: ignore[attr-defined]


def _parameters(settings: VoiceSettings, options: Mapping[str, int | float]) -> dict[int, int]:
    """espeak_PARAMETER -> value for checked settings."""
    wpm = min(MAX_WPM, max(MIN_WPM, round(BASE_WPM * settings.rate)))
    parameters = {_PARAMETERS["rate"]: wpm}
    for key, value in options.items():
        parameters[_PARAMETERS[key]] = round(value)
    return parameters


class EspeakBackend:
    """espeak-ng (formant synthesis): robotic, very fast, any of its ~100 languages."""

    name: ClassVar[str] = "espeak"
    isolate: ClassVar[bool] = True
    """Native code: create_backend runs it in a child process (listen.tts.worker)."""
    options: ClassVar[Mapping[str, Option]] = {
        "pitch": Option(int, 0, 100, "base pitch (espeak-ng's default is 50)"),
        "range": Option(int, 0, 100, "pitch range: 0 is a monotone (default 50)"),
    }

    def __init__(self, settings: VoiceSettings) -> None:
        self.settings = settings
        self.voice = settings.voice or ("en-us" if settings.spelling == "us" else "en")
        self._parameters = _parameters(settings, check_settings(type(self), settings))
        with _LOCK:
            self._engine = _engine()
            self._data, self._name = self._engine.data, self.voice
            with _fresh(self._engine.library, self._engine.data) as (lib, _):
                self._select_voice(lib)
                identifier = lib.espeak_GetCurrentVoice().contents.identifier or b""
            quick = self._engine.shortcuts.quick_name(identifier.decode("utf-8"))
            if quick is not None:
                self._data, self._name = quick

    @classmethod
    def availability(cls, settings: VoiceSettings) -> Availability:
        if importlib.util.find_spec("espeakng_loader") is None:
            return Availability(False, "espeakng-loader is not installed", INSTALL)
        try:
            library, _ = bundled_espeak()
            version = _version(library)
        except BackendUnavailable as exc:
            return Availability(False, str(exc), INSTALL)
        return Availability(True, f"espeak-ng {version} ({library})")

    @property
    def sample_rate(self) -> int:
        return self._engine.sample_rate

    def synthesize(self, text: str) -> Audio:
        data = text.replace("\x00", " ").strip().encode("utf-8")
        if not data:
            return Audio(samples=np.zeros(0, dtype=np.float32), sample_rate=self.sample_rate)
        with _LOCK, _fresh(self._engine.library, self._data) as (lib, _):
            _SINK.clear()
            self._prepare(lib)
            status = lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8,
                                      None, None)  # fmt: skip
            lib.espeak_Synchronize()
            pcm = b"".join(_SINK)
            _SINK.clear()
        if status != 0:
            raise SynthesisError(f"espeak-ng failed (status {status}) to speak: {text[:60]!r}")
        samples = np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768.0
        return Audio(samples=samples, sample_rate=self.sample_rate)

    def close(self) -> None:
        """Nothing to release: the library stays initialised for the life of the process."""

    def _prepare(self, lib: ctypes.CDLL) -> None:
        """Set the callback, voice and parameters on a fresh library (call with _LOCK held)."""
        lib.espeak_SetSynthCallback(_CALLBACK)
        if hasattr(lib, "espeak_ng_SetRandSeed"):  # older libraries have no seed to set
            lib.espeak_ng_SetRandSeed(_SEED)
        self._select_voice(lib)
        for parameter, value in self._parameters.items():
            lib.espeak_SetParameter(parameter, value, 0)

    def _select_voice(self, lib: ctypes.CDLL) -> None:
        status = lib.espeak_SetVoiceByName(self._name.encode("utf-8"))
        if status != 0:
            reason = _VOICE_ERRORS.get(status, f"status {status}")
            raise ProfileError(
                f"Voice '{self.settings.profile}': espeak-ng has no voice '{self.voice}' "
                f"({reason}); "
                "try en-us, or en for British English"
            )
