"""Find backends by name: built-ins first, then the ``listen.backends`` entry points."""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import cast

from listen.errors import BackendUnavailable, ProfileError
from listen.models import VoiceSettings
from listen.tts.base import Availability, Backend

__all__ = [
    "BUILTIN_BACKENDS",
    "availability",
    "backend_names",
    "create_backend",
    "load_backend_class",
]

BUILTIN_BACKENDS: dict[str, str] = {
    "piper": "listen.tts.piper:PiperBackend",
    "espeak": "listen.tts.espeak:EspeakBackend",
    "pyttsx3": "listen.tts.pyttsx3:Pyttsx3Backend",
    "tone": "listen.tts.tone:ToneBackend",
    "silence": "listen.tts.tone:ToneBackend",
}
"""Name -> "module:Class"; "silence" is the test tone's name before 0.2, kept for old profiles."""


def _targets() -> dict[str, str]:
    targets = dict(BUILTIN_BACKENDS)
    for ep in entry_points(group="listen.backends"):
        targets.setdefault(ep.name, ep.value)
    return targets


def backend_names() -> list[str]:
    return sorted(_targets())


def load_backend_class(name: str) -> type[Backend]:
    """The backend class registered as ``name``; importing it never loads the engine."""
    target = _targets().get(name)
    if target is None:
        known = ", ".join(backend_names())
        raise ProfileError(f"Unknown backend '{name}': choose one of {known}")
    module_name, _, attr = target.partition(":")
    module = importlib.import_module(module_name)
    cls: type[Backend] = getattr(module, attr)
    return cls


def availability(settings: VoiceSettings) -> Availability:
    return load_backend_class(settings.backend).availability(settings)


def create_backend(settings: VoiceSettings, threads: int | None = None) -> Backend:
    """A ready backend for ``settings``; BackendUnavailable naming the install step if the
    engine is missing, ProfileError for settings it refuses.

    An engine that computes on several threads, given ``threads``, runs in as many processes
    as they share out over (:func:`listen.tts.pool.start_engine`), each told its share;
    without ``threads`` it runs in one process with its own default."""
    cls = load_backend_class(settings.backend)
    found = cls.availability(settings)
    if not found.ok:
        hint = f"; install it with: {found.install}" if found.install else ""
        raise BackendUnavailable(
            f"Voice '{settings.profile}' needs the {settings.backend} engine, which is not "
            f"available here ({found.detail}){hint}"
        )
    if getattr(cls, "isolate", False):  # a native engine: run it where a crash cannot reach
        from listen.tts.worker import WorkerBackend

        target = f"{cls.__module__}:{cls.__qualname__}"
        if threads is not None and getattr(cls, "threaded", False):
            from listen.tts.pool import start_engine

            return cast(Backend, start_engine(target, settings, threads))
        worker = WorkerBackend(target, settings)
        return cast(Backend, worker)  # its name is the wrapped class's, set per instance
    return cls(settings)
