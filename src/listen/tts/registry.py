"""Find backends by name: built-ins first, then the ``listen.backends`` entry points."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from listen.errors import BackendUnavailable, ProfileError
from listen.models import Profile
from listen.tts.base import Availability, Backend

__all__ = ["availability", "backend_names", "create_backend", "load_backend_class"]

BUILTIN_BACKENDS: dict[str, str] = {
    "piper": "listen.tts.piper:PiperBackend",
    "espeak": "listen.tts.espeak:EspeakBackend",
    "pyttsx3": "listen.tts.pyttsx3:Pyttsx3Backend",
    "silence": "listen.tts.silence:SilenceBackend",
}


def _targets() -> dict[str, str]:
    targets = dict(BUILTIN_BACKENDS)
    for ep in entry_points(group="listen.backends"):
        targets.setdefault(ep.name, ep.value)
    return targets


def backend_names() -> list[str]:
    return sorted(_targets())


def load_backend_class(name: str) -> Any:
    target = _targets().get(name)
    if target is None:
        known = ", ".join(backend_names())
        raise ProfileError(f"Unknown backend '{name}': choose one of {known}")
    module_name, _, attr = target.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attr)


def availability(profile: Profile) -> Availability:
    cls = load_backend_class(profile.backend)
    check: Callable[[Profile], Availability] = cls.availability
    return check(profile)


def create_backend(profile: Profile) -> Backend:
    cls = load_backend_class(profile.backend)
    found = cls.availability(profile)
    if not found.ok:
        hint = f"; install it with: {found.install}" if found.install else ""
        raise BackendUnavailable(
            f"Voice '{profile.name}' needs the {profile.backend} engine, which is not "
            f"available here ({found.detail}){hint}"
        )
    backend: Backend = cls(profile)
    return backend
