"""The shape every TTS backend has: availability, declared options, ``synthesize(text) -> Audio``.

A backend class declares the options a profile may give it (``options``: name -> :class:`Option`,
with type and range); :func:`check_options` is the one check every backend and the profile
loader share, so an unknown or out-of-range option is the same error for every engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Protocol, cast, runtime_checkable

from listen.errors import ProfileError
from listen.models import Audio, VoiceSettings

__all__ = ["Availability", "Backend", "Option", "check_options", "check_settings"]

MIN_RATE, MAX_RATE = 0.25, 4.0
"""The speaking-rate multipliers every backend accepts."""


@dataclass(frozen=True)
class Availability:
    """Whether a backend works on this machine; if not, the exact step that installs it."""

    ok: bool
    detail: str
    """What was found (engine version, library path) or what is missing."""
    install: str | None = None
    """The command that makes it work, when it does not."""


@dataclass(frozen=True)
class Option:
    """One backend option a profile may set under ``[options]``: a number in a closed range."""

    kind: type[int] | type[float]
    low: float
    high: float
    help: str = ""

    def describe(self) -> str:
        what = "a whole number" if self.kind is int else "a number"
        return f"{what} from {self.low:g} to {self.high:g}"

    def accepts(self, value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if self.kind is int and not float(value).is_integer():
            return False
        return self.low <= value <= self.high


@runtime_checkable
class Backend(Protocol):
    """A speech engine, built from a profile's voice settings; speaks one segment at a time.

    ``availability`` never loads the engine and names the install step when it is missing;
    the constructor raises ``ProfileError`` for settings the engine refuses and
    ``BackendUnavailable`` when it cannot start.
    """

    name: ClassVar[str]
    options: ClassVar[Mapping[str, Option]]
    """The options a profile may set for this backend; anything else is refused."""

    def __init__(self, settings: VoiceSettings) -> None: ...

    @classmethod
    def availability(cls, settings: VoiceSettings) -> Availability:
        """Whether the engine (and the voice the settings name) is installed here."""
        ...

    def synthesize(self, text: str) -> Audio:
        """Speak ``text`` (already normalised) and return mono float32 PCM."""
        ...

    def close(self) -> None:
        """Release the engine; it cannot speak afterwards."""
        ...


def check_options(
    backend: str, declared: Mapping[str, Option], options: Mapping[str, object]
) -> dict[str, int | float]:
    """``options`` checked against what ``backend`` declares: a ProfileError for an unknown
    option or a value of the wrong type or out of range (the message names no file)."""
    unknown = sorted(set(options) - set(declared))
    if unknown:
        known = ", ".join(sorted(declared))
        use = f"use {known}" if known else "it takes none"
        raise ProfileError(
            f"the {backend} backend does not know the option(s) {', '.join(unknown)}; {use}"
        )
    checked: dict[str, int | float] = {}
    for key, value in options.items():
        option = declared[key]
        if not option.accepts(value):
            raise ProfileError(f"option {key} must be {option.describe()}, not {value!r}")
        checked[key] = option.kind(cast(float, value))
    return checked


def check_settings(
    backend: type[Backend] | Backend, settings: VoiceSettings
) -> dict[str, int | float]:
    """The rate and options of ``settings`` checked for ``backend``; its options, converted.

    Every backend's constructor calls this, so a backend built without a profile file is
    held to the same rules as one the profile loader checked.
    """
    try:
        if isinstance(settings.rate, bool) or not isinstance(settings.rate, int | float):
            raise ProfileError(f"rate must be a number, not {settings.rate!r}")
        if not MIN_RATE <= settings.rate <= MAX_RATE:
            raise ProfileError(
                f"rate must be between {MIN_RATE:g} and {MAX_RATE:g}, not {settings.rate!r}"
            )
        return check_options(backend.name, backend.options, settings.options)
    except ProfileError as exc:
        raise ProfileError(f"Voice '{settings.profile}': {exc}") from None
