"""The protocol every TTS backend implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol, runtime_checkable

from listen.models import Audio

__all__ = ["Availability", "Backend"]


@dataclass(frozen=True)
class Availability:
    """Whether a backend works on this machine; if not, the exact step that installs it."""

    ok: bool
    detail: str
    """What was found (engine version, library path) or what is missing."""
    install: str | None = None
    """The command that makes it work, when it does not."""


@runtime_checkable
class Backend(Protocol):
    """A speech engine. Constructed from a profile; speaks one segment at a time."""

    name: ClassVar[str]

    def synthesize(self, text: str) -> Audio:
        """Speak ``text`` (already normalised) and return mono float32 PCM."""
        ...

    def close(self) -> None:
        """Release the engine."""
        ...
