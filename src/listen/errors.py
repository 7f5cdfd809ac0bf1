"""One error tree for listen: every failure a user can cause or fix is a ListenError."""

from __future__ import annotations

__all__ = [
    "ArticleError",
    "AudioError",
    "BackendUnavailable",
    "CatalogueError",
    "CheckError",
    "ConfigError",
    "CoverError",
    "FeedError",
    "FetchError",
    "LimitExceeded",
    "ListenError",
    "OutputError",
    "OutputLocked",
    "ProfileError",
    "RecogniserUnavailable",
    "SynthesisError",
    "TagError",
]


class ListenError(Exception):
    """Root of every error listen raises on purpose; the CLI prints it as ``Error: <message>``."""


class ArticleError(ListenError, ValueError):
    """An article could not be read, or holds nothing to say."""


class LimitExceeded(ArticleError):
    """An article is over one of its limits (size, words, front matter); the message names it."""


class CoverError(ArticleError):
    """A cover image is not a usable local JPEG or PNG (raised only with strict cover checks)."""


class FetchError(ListenError, OSError):
    """An article or source could not be fetched over HTTP, or fetching it was refused."""


class ProfileError(ListenError, ValueError):
    """A voice profile is unknown or malformed."""


class BackendUnavailable(ListenError, RuntimeError):
    """A TTS engine is not installed here; the message names the step that installs it."""


class RecogniserUnavailable(ListenError, RuntimeError):
    """The speech recogniser for ``listen check`` is not installed; the message says how."""


class CheckError(ListenError, ValueError):
    """An episode cannot be checked: its timing file is missing or malformed."""


class SynthesisError(ListenError, RuntimeError):
    """A TTS engine was installed but failed to speak a segment."""


class AudioError(ListenError, RuntimeError):
    """Decoding, mastering or encoding audio failed."""


class TagError(ListenError, RuntimeError):
    """Writing or reading ID3 tags failed."""


class ConfigError(ListenError, ValueError):
    """listen.toml is missing, unreadable or invalid; the message names the file and the key."""


class FeedError(ListenError, ValueError):
    """A feed could not be built from the episodes given, or a feed file could not be read."""


class CatalogueError(ListenError, RuntimeError):
    """The publish catalogue or the segment cache could not be opened, read or written."""


class OutputError(ListenError, OSError):
    """The output folder cannot be written, or writing it would destroy something."""


class OutputLocked(OutputError):
    """Another listen run is writing to the same output folder."""
