"""listen: turn news articles into publishable audio."""

import importlib.metadata as _metadata

try:
    __version__ = _metadata.version("listen")
except _metadata.PackageNotFoundError:  # a source tree that is not installed
    __version__ = "0.0.0"

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
    ProfileError,
    RecogniserUnavailable,
    SynthesisError,
    TagError,
)
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
