"""The show's settings: ``listen.toml`` -> one frozen :class:`ShowConfig`, checked once.

Every problem is a :class:`~listen.errors.ConfigError` naming the file, the key and what it
may be. ``starter_config()`` is the commented file that ``listen init`` writes.
"""

from __future__ import annotations

import re
import tomllib
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from PIL import Image, UnidentifiedImageError

from listen.categories import APPLE_CATEGORIES
from listen.errors import ConfigError, ProfileError
from listen.fsutil import write_text_atomic
from listen.models import DEFAULT_MAX_WER, CheckOptions
from listen.profile import DEFAULT_VOICE, find_profile

__all__ = [
    "CONFIG_NAME",
    "COVER_MAX_PX",
    "COVER_MIN_PX",
    "FEED_NAME",
    "ShowConfig",
    "check_cover",
    "load_config",
    "starter_config",
    "write_starter_config",
]

CONFIG_NAME = "listen.toml"
FEED_NAME = "feed.xml"
COVER_MIN_PX = 1400
COVER_MAX_PX = 3000
_MB = 1024 * 1024
_SHOW_TYPES = ("episodic", "serial")
_FEED_ITEMS = (1, 10_000)
_CACHE_MB = (0, 10_000_000)
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.?)+(?::[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\]"
)

# table -> key -> (type, required)
_SCHEMA: Mapping[str, Mapping[str, tuple[type, bool]]] = {
    "show": {
        "title": (str, True),
        "description": (str, True),
        "author": (str, True),
        "language": (str, True),
        "category": (str, True),
        "subcategory": (str, False),
        "explicit": (bool, True),
        "cover": (str, True),
        "link": (str, False),
        "type": (str, False),
        "locked": (bool, False),
        "copyright": (str, False),
    },
    "owner": {"name": (str, True), "email": (str, True)},
    "publish": {
        "base_url": (str, True),
        "voice": (str, False),
        "feed_items": (int, False),
        "cache_max_mb": (int, False),
        "allowed_hosts": (list, False),
    },
    "executor": {
        "kind": (str, False),
        "scheduler": (str, False),
        "jobs": (int, False),
        "cache": (str, False),
    },
    "check": {
        "enabled": (bool, False),
        "max_wer": (float, False),
        "attempts": (int, False),
        "publish_flagged": (bool, False),
    },
}
_EXECUTORS = ("local", "dask")
_JOBS = (1, 1024)
_ATTEMPTS = (0, 5)


@dataclass(frozen=True)
class ShowConfig:
    """The show as listen.toml describes it, validated; paths are absolute."""

    source: Path
    """The listen.toml this came from."""
    title: str
    description: str
    author: str
    owner_name: str
    owner_email: str
    language: str
    category: str
    subcategory: str | None
    explicit: bool
    cover: Path
    """Square JPEG or PNG, 1400 to 3000 px; published beside the feed as ``cover.name``."""
    base_url: str
    """Where the publish folder is served, always ending in '/'."""
    link: str
    """The show's web page (channel <link>); the base URL unless set."""
    show_type: str = "episodic"
    locked: bool = True
    copyright: str | None = None
    voice: str = DEFAULT_VOICE
    feed_items: int = 100
    """How many of the newest episodes the feed keeps."""
    cache_max_bytes: int = 2048 * _MB
    """Size limit of the segment cache; 0 turns the cache off."""
    allowed_hosts: tuple[str, ...] = ()
    """Hosts besides a feed's own whose article pages publish may fetch."""
    executor: str = "local"
    """Where articles are rendered: "local" processes or a "dask" cluster."""
    scheduler: str | None = None
    """The Dask scheduler's address (tcp://host:8786)."""
    jobs: int | None = None
    """Local render processes; None: one per core."""
    shared_cache: str | None = None
    """A segment cache folder every worker reaches (a shared file system); None: each Dask
    worker keeps its own cache, local processes share the one in the publish folder."""
    check: CheckOptions | None = None
    """Hear each new episode back (listen[check]); None: publish without checking."""
    publish_flagged: bool = False
    """Publish an episode whose check still flags a sentence after its repairs."""

    @property
    def feed_url(self) -> str:
        """The URL the feed is served at (its atom:link rel="self")."""
        return self.base_url + FEED_NAME

    @property
    def cover_url(self) -> str:
        return self.base_url + quote(self.cover.name)


def load_config(path: Path | str = CONFIG_NAME) -> ShowConfig:
    """Read and validate ``path``; raise ConfigError naming the file and key on any problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(
            f"Could not open config '{path}': no such file; run 'listen init' to write a starter"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Could not read config '{path}': {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Config '{path}' is not valid TOML: {exc}") from exc
    return _build(path, data)


def _build(path: Path, data: Mapping[str, Any]) -> ShowConfig:
    _check_shape(path, data)
    tables = ("show", "owner", "publish", "executor", "check")
    show, owner, publish, run, check = (data.get(t, {}) for t in tables)
    base = path.resolve().parent
    base_url = _url(path, "publish.base_url", publish["base_url"]).rstrip("/") + "/"
    config = ShowConfig(
        source=path.resolve(),
        title=_text(path, "show.title", show["title"]),
        description=_text(path, "show.description", show["description"]),
        author=_text(path, "show.author", show["author"]),
        owner_name=_text(path, "owner.name", owner["name"]),
        owner_email=_email(path, owner["email"]),
        language=_language(path, show["language"]),
        category=show["category"],
        subcategory=show.get("subcategory"),
        explicit=show["explicit"],
        cover=base / show["cover"],
        base_url=base_url,
        link=_url(path, "show.link", show["link"]) if "link" in show else base_url,
        show_type=_choice(path, "show.type", show.get("type", "episodic"), _SHOW_TYPES),
        locked=show.get("locked", True),
        copyright=show.get("copyright"),
        voice=_voice(path, base, publish.get("voice", DEFAULT_VOICE)),
        feed_items=_within(path, "publish.feed_items", publish.get("feed_items", 100), _FEED_ITEMS),
        cache_max_bytes=_MB
        * _within(path, "publish.cache_max_mb", publish.get("cache_max_mb", 2048), _CACHE_MB),
        allowed_hosts=_hosts(path, publish.get("allowed_hosts", [])),
        executor=_choice(path, "executor.kind", run.get("kind", "local"), _EXECUTORS),
        scheduler=_scheduler(path, run.get("scheduler")),
        jobs=_within(path, "executor.jobs", run["jobs"], _JOBS) if "jobs" in run else None,
        shared_cache=_text(path, "executor.cache", run["cache"]) if "cache" in run else None,
        check=_check_options(path, check),
        publish_flagged=check.get("publish_flagged", False),
    )
    _category(path, config.category, config.subcategory)
    check_cover(config.cover, where=f"Config '{path}': [show] cover")
    return config


def _check_shape(path: Path, data: Mapping[str, Any]) -> None:
    """Known tables only, known keys only, every required key present, each of its type."""
    for table, value in data.items():
        if table not in _SCHEMA or not isinstance(value, dict):
            raise ConfigError(
                f"Config '{path}' has an unknown key '{table}': "
                f"the tables are {', '.join(f'[{t}]' for t in _SCHEMA)}"
            )
    for table, keys in _SCHEMA.items():
        values = data.get(table, {})
        for key in values:
            if key not in keys:
                raise ConfigError(
                    f"Config '{path}' has an unknown key '{table}.{key}': "
                    f"[{table}] takes {', '.join(keys)}"
                )
        for key, (kind, required) in keys.items():
            if key not in values:
                if required:
                    raise ConfigError(f"Config '{path}' is missing '{table}.{key}': add it")
                continue
            _check_type(path, f"{table}.{key}", values[key], kind)


def _check_type(path: Path, key: str, value: Any, kind: type) -> None:
    if isinstance(value, bool):
        fits = kind is bool
    else:
        fits = isinstance(value, (int, float) if kind is float else kind)
    if fits:
        return
    wanted = {
        str: "a string",
        bool: "true or false",
        int: "a whole number",
        float: "a number",
        list: "a list",
    }[kind]
    raise ConfigError(f"Config '{path}': '{key}' must be {wanted}, not {value!r}")


def _text(path: Path, key: str, value: str) -> str:
    if not value.strip():
        raise ConfigError(f"Config '{path}': '{key}' is empty: give it some text")
    return value.strip()


def _url(path: Path, key: str, value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(
            f"Config '{path}': '{key}' = {value!r} is not an http:// or https:// URL "
            "(without ?query or #fragment)"
        )
    return value.strip()


def _hosts(path: Path, values: list[Any]) -> tuple[str, ...]:
    for value in values:
        if not isinstance(value, str) or not _HOST.fullmatch(value.strip()):
            raise ConfigError(
                f"Config '{path}': 'publish.allowed_hosts' holds {value!r}, which is not a host "
                'name: list hosts such as ["cdn.example.org", "www.example.org"]'
            )
    return tuple(v.strip().lower() for v in values)


def _scheduler(path: Path, value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("tcp", "tls", "ws", "wss", "inproc") or not parts.netloc:
        raise ConfigError(
            f"Config '{path}': 'executor.scheduler' = {value!r} is not a scheduler address "
            "such as tcp://host:8786"
        )
    return value.strip()


def _check_options(path: Path, table: Mapping[str, Any]) -> CheckOptions | None:
    """The [check] settings, checked even while the check is off; None when it is off."""
    max_wer = float(table.get("max_wer", DEFAULT_MAX_WER))
    if not 0.0 <= max_wer <= 1.0:
        raise ConfigError(f"Config '{path}': 'check.max_wer' = {max_wer} must be from 0 to 1")
    attempts = _within(path, "check.attempts", table.get("attempts", 2), _ATTEMPTS)
    return CheckOptions(max_wer, attempts) if table.get("enabled", False) else None


def _email(path: Path, value: str) -> str:
    if not _EMAIL.fullmatch(value.strip()):
        raise ConfigError(
            f"Config '{path}': 'owner.email' = {value!r} is not an e-mail address "
            "(name@example.org)"
        )
    return value.strip()


def _language(path: Path, value: str) -> str:
    if not _LANGUAGE.fullmatch(value):
        raise ConfigError(
            f"Config '{path}': 'show.language' = {value!r} is not a language code "
            "such as en, en-us or fr-ca"
        )
    return value.lower()


def _choice(path: Path, key: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ConfigError(
            f"Config '{path}': '{key}' = {value!r} is not allowed: choose {' or '.join(allowed)}"
        )
    return value


def _within(path: Path, key: str, value: int, bounds: tuple[int, int]) -> int:
    low, high = bounds
    if not low <= value <= high:
        raise ConfigError(f"Config '{path}': '{key}' = {value} must be from {low} to {high}")
    return value


def _category(path: Path, category: str, subcategory: str | None) -> None:
    if category not in APPLE_CATEGORIES:
        raise ConfigError(
            f"Config '{path}': 'show.category' = {category!r} is not an Apple Podcasts "
            f"category: choose one of {', '.join(APPLE_CATEGORIES)}"
        )
    allowed = APPLE_CATEGORIES[category]
    if subcategory is not None and subcategory not in allowed:
        choices = ", ".join(allowed) if allowed else "none: leave it out"
        raise ConfigError(
            f"Config '{path}': 'show.subcategory' = {subcategory!r} is not a subcategory "
            f"of {category!r}: choose one of {choices}"
        )


def _voice(path: Path, base: Path, voice: str) -> str:
    if voice.endswith(".toml") and not Path(voice).is_absolute():
        voice = str(base / voice)
    try:
        find_profile(voice)
    except ProfileError as exc:
        raise ConfigError(f"Config '{path}': 'publish.voice': {exc}") from exc
    return voice


def check_cover(path: Path, where: str = "Cover") -> tuple[int, int]:
    """Check Apple's artwork rules with Pillow; return (width, height) or raise ConfigError.

    A square JPEG or PNG, 1400 to 3000 pixels a side, in RGB (not CMYK).
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # too big anyway
            with Image.open(path) as image:
                kind, (width, height), mode = image.format, image.size, image.mode
                image.verify()
    except FileNotFoundError as exc:
        raise ConfigError(f"{where} '{path}' does not exist: add the show's artwork") from exc
    except Image.DecompressionBombError as exc:
        raise ConfigError(f"{where} '{path}' is far larger than 3000 px a side") from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ConfigError(f"{where} '{path}' is not a readable JPEG or PNG image") from exc
    problems = []
    if kind not in ("JPEG", "PNG"):
        problems.append(f"it is {kind}, not JPEG or PNG")
    if width != height:
        problems.append(f"it is {width}x{height} px, not square")
    if not COVER_MIN_PX <= min(width, height) <= max(width, height) <= COVER_MAX_PX:
        problems.append(f"sides must be {COVER_MIN_PX} to {COVER_MAX_PX} px, not {width}x{height}")
    if mode == "CMYK":
        problems.append("it is CMYK: save it as RGB")
    if problems:
        raise ConfigError(f"{where} '{path}' breaks Apple's artwork rules: {'; '.join(problems)}")
    return width, height


def write_starter_config(path: Path | str = CONFIG_NAME) -> Path:
    """Write the starter listen.toml at ``path``; refuse to overwrite an existing file."""
    path = Path(path)
    if path.exists() or path.is_symlink():
        raise ConfigError(
            f"Config '{path}' already exists: edit it, or move it away to start again"
        )
    write_text_atomic(path, starter_config())
    return path


def starter_config() -> str:
    """A commented listen.toml that loads once its cover image exists."""
    categories = ", ".join(APPLE_CATEGORIES)
    text = resources.files("listen").joinpath("starter.toml").read_text(encoding="utf-8")
    return text.replace("{categories}", categories)
