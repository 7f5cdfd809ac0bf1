"""listen: turn news articles into publishable audio.

The package imports only its error tree up front: the data types and ``__version__`` (which
reads the installed metadata) load on first use, so ``listen --help`` starts quickly.
"""

import importlib as _importlib
import typing as _typing

from listen.errors import (
    ArticleError,
    AudioError,
    BackendUnavailable,
    CatalogueError,
    CheckError,
    ConfigError,
    CoverError,
    FeedError,
    FetchError,
    LimitExceeded,
    ListenError,
    OutputError,
    OutputLocked,
    ProfileError,
    RecogniserUnavailable,
    SynthesisError,
    TagError,
)

if _typing.TYPE_CHECKING:
    from listen.models import (
        Article,
        Assembly,
        Audio,
        Block,
        ChapterTiming,
        Cover,
        Loudness,
        Mastering,
        Pauses,
        Profile,
        Rendered,
        Script,
        Segment,
        SegmentTiming,
        ShowInfo,
        SpokenSegment,
        VoiceSettings,
    )

    __version__: str

_MODELS = frozenset(
    {
        "Article",
        "Assembly",
        "Audio",
        "Block",
        "ChapterTiming",
        "Cover",
        "Loudness",
        "Mastering",
        "Pauses",
        "Profile",
        "Rendered",
        "Script",
        "Segment",
        "SegmentTiming",
        "ShowInfo",
        "SpokenSegment",
        "VoiceSettings",
    }
)

__all__ = [
    "Article",
    "ArticleError",
    "Assembly",
    "Audio",
    "AudioError",
    "BackendUnavailable",
    "Block",
    "CatalogueError",
    "ChapterTiming",
    "CheckError",
    "ConfigError",
    "Cover",
    "CoverError",
    "FeedError",
    "FetchError",
    "LimitExceeded",
    "ListenError",
    "Loudness",
    "Mastering",
    "OutputError",
    "OutputLocked",
    "Pauses",
    "Profile",
    "ProfileError",
    "RecogniserUnavailable",
    "Rendered",
    "Script",
    "Segment",
    "SegmentTiming",
    "ShowInfo",
    "SpokenSegment",
    "SynthesisError",
    "TagError",
    "VoiceSettings",
    "__version__",
]


def __getattr__(name: str) -> _typing.Any:
    """``__version__`` and the data types of listen.models, loaded when first asked for."""
    if name == "__version__":
        value: _typing.Any = _version()
    elif name in _MODELS:
        value = getattr(_importlib.import_module("listen.models"), name)
    else:
        raise AttributeError(f"module 'listen' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def _version() -> str:
    import importlib.metadata as metadata

    try:
        return metadata.version("listen")
    except metadata.PackageNotFoundError:  # a source tree that is not installed
        return "0.0.0"
