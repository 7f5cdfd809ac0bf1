"""listen: turn news articles into publishable audio."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("listen")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

from listen.errors import (  # noqa: E402
    ArticleError,
    AudioError,
    BackendUnavailable,
    ListenError,
    ProfileError,
    SynthesisError,
    TagError,
)
from listen.models import (  # noqa: E402
    Article,
    Assembly,
    Audio,
    Block,
    ChapterTiming,
    Loudness,
    Profile,
    Rendered,
    Script,
    Segment,
    SegmentTiming,
)

__all__ = [
    "Article",
    "ArticleError",
    "Assembly",
    "Audio",
    "AudioError",
    "BackendUnavailable",
    "Block",
    "ChapterTiming",
    "ListenError",
    "Loudness",
    "Profile",
    "ProfileError",
    "Rendered",
    "Script",
    "Segment",
    "SegmentTiming",
    "SynthesisError",
    "TagError",
    "__version__",
]
