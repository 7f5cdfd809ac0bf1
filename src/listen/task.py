"""One article's render as a pure task: its bytes and settings in, its files' bytes out.

A task runs in whatever process the executor chooses (a local worker, or a Dask worker on
another machine) and writes nothing the caller sees: the coordinating process alone writes the
output folder, the catalogue and the feed. Engines stay warm across the tasks a process runs,
and segments come from a content-addressed cache when the same words were spoken before with
the same voice.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import os
import socket
import sys
import tempfile
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from listen import __version__
from listen.cache import SegmentCache, segment_key
from listen.models import Article, Audio, CheckOptions, Profile, Rendered
from listen.render import Voice, load_source, open_voice, render_article
from listen.tts import availability
from listen.tts.base import Backend

if TYPE_CHECKING:
    from listen.recogniser import Recogniser

__all__ = ["WORKER_CACHE", "RenderResult", "RenderTask", "run_task", "worker_cache_dir"]

WORKER_CACHE = "worker-local"
"""A cache_dir meaning: the segment cache in this worker's own local directory."""

_OPEN = ExitStack()
_VOICES: dict[str, Voice] = {}
atexit.register(_OPEN.close)


@dataclass(frozen=True)
class RenderTask:
    """Everything a worker needs to render one article."""

    key: str
    path: str
    """Where the article was found; its name picks the format, its folder holds its images."""
    data: bytes
    """The article's bytes, as hashed by the caller: what is rendered."""
    profile: Profile
    slug: str
    cache_dir: str | None = None
    """A segment cache folder this worker can reach (local, or on a shared file system)."""
    cache_bytes: int = 0
    check: CheckOptions | None = None
    """Hear the episode back and synthesise flagged sentences again (listen[check])."""


@dataclass(frozen=True)
class RenderResult:
    """A rendered article: its files by name, and what the catalogue and feed record of it."""

    key: str
    digest: str
    """SHA-256 of the article bytes that were rendered."""
    article: Article
    rendered: Rendered
    files: Mapping[str, bytes] = field(default_factory=dict)
    synthesised: int = 0
    reused: int = 0
    worker: str = ""

    @property
    def flagged(self) -> tuple[str, ...]:
        """The sentences its check still flags after the repairs (none when not checked)."""
        return tuple(self.rendered.check["flagged"]) if self.rendered.check else ()

    def check_summary(self, published: bool) -> dict[str, Any]:
        """What a publish run reports of the check: WER, the sentences synthesised again, and
        each one still flagged with its time, what it should say and what was heard."""
        check = self.rendered.check or {}
        by_id = {s["id"]: s for s in check.get("sentences", [])}
        keys = ("id", "start", "end", "expected", "heard")
        flagged = [{k: by_id[i][k] for k in keys} for i in self.flagged]
        redone = [i for round_ in check.get("redone", []) for i in round_]
        return {
            "wer": check.get("wer"),
            "redone": redone,
            "flagged": flagged,
            "published": published,
        }


def run_task(task: RenderTask) -> RenderResult:
    """Render ``task`` in a scratch folder and return every file's bytes."""
    voice = _voice(task.profile)
    cache = _cache(task)
    counter = _CachingBackend(voice.backend, cache, _engine_id(task.profile))
    with ExitStack() as stack:
        if cache is not None:
            stack.callback(cache.close)
        scratch = stack.enter_context(tempfile.TemporaryDirectory(prefix="listen-task-"))
        article = _article(task, Path(scratch))
        out = Path(scratch) / "out"
        out.mkdir()
        caching = replace(voice, backend=cast(Backend, counter))
        checker = (task.check, _recogniser()) if task.check is not None else None
        rendered = render_article(article, out, caching, task.slug, checker=checker)
        files = {p.name: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    digest = hashlib.sha256(task.data).hexdigest()
    return RenderResult(
        task.key, digest, article, rendered, files, counter.synthesised, counter.reused, _worker()
    )


def _article(task: RenderTask, scratch: Path) -> Article:
    """The article from its own path when that still holds the same bytes (so images beside
    it are found), else from a copy of the bytes (a worker on another machine)."""
    path = Path(task.path)
    try:
        if path.read_bytes() == task.data:
            return load_source(path)
    except OSError:
        pass
    copy = scratch / path.name
    copy.write_bytes(task.data)
    return load_source(copy)


def _voice(profile: Profile) -> Voice:
    key = hashlib.sha256(repr(profile.to_dict()).encode()).hexdigest()
    if key not in _VOICES:
        _VOICES[key] = _OPEN.enter_context(open_voice(profile))
    return _VOICES[key]


@functools.cache
def _recogniser() -> Recogniser:
    """One speech recogniser per process, loaded by the first task that checks."""
    from listen.recogniser import Recogniser

    return Recogniser()


def _cache(task: RenderTask) -> SegmentCache | None:
    if not task.cache_dir or task.cache_bytes <= 0:
        return None
    folder = worker_cache_dir() if task.cache_dir == WORKER_CACHE else task.cache_dir
    return SegmentCache(folder, task.cache_bytes)


def worker_cache_dir() -> str:
    """A segment cache under the Dask worker's local directory (else the temp folder)."""
    worker = _dask_worker()
    base = tempfile.gettempdir() if worker is None else str(worker.local_directory)
    return os.path.join(base, "listen-segments")


def _dask_worker() -> Any | None:
    """The Dask worker running this task, or None. A process Dask started has imported
    distributed already; any other is not a Dask worker, and importing distributed only to
    ask would cost each local worker a third of a second of its start."""
    distributed = sys.modules.get("distributed")
    if distributed is None:
        return None
    try:
        return distributed.get_worker()
    except ValueError:  # imported, but this task runs outside a worker
        return None


def _engine_id(profile: Profile) -> tuple[dict[str, object], str, str]:
    found = availability(profile.speech)
    return profile.speech.to_dict(), profile.speech.backend, f"{found.detail} listen {__version__}"


class _CachingBackend:
    """A backend that looks each text up in the segment cache before speaking it.

    A text asked for a second time in one task is being synthesised again because the check
    flagged it (or the article says it twice): it is spoken anew, and replaces its entry, so a
    repaired sentence is what the next run reuses.
    """

    def __init__(
        self,
        backend: Backend,
        cache: SegmentCache | None,
        engine: tuple[dict[str, object], str, str],
    ) -> None:
        self._backend = backend
        self._cache = cache
        self._engine = engine
        self.name = backend.name
        self.threaded: bool = getattr(backend, "threaded", False)
        self.capacity: int = getattr(backend, "capacity", 1)
        """How many texts the backend can speak ahead at once (:func:`listen.speak.speak`)."""
        self.synthesised = 0
        self.reused = 0
        self._served: set[str] = set()

    def prefetch(self, text: str) -> None:
        """Start the engine on ``text`` ahead (see :func:`listen.speak.speak`), unless the
        cache will answer it."""
        ahead = getattr(self._backend, "prefetch", None)
        if ahead is None:
            return
        if self._cache is not None:
            key = self._key(text)
            if key not in self._served and key in self._cache:
                return
        ahead(text)

    def _key(self, text: str) -> str:
        settings, engine, version = self._engine
        return segment_key(text, settings, engine, version)

    def synthesize(self, text: str) -> Audio:
        if self._cache is None:
            self.synthesised += 1
            return self._backend.synthesize(text)
        key = self._key(text)
        again = key in self._served
        self._served.add(key)
        audio = None if again else self._cache.get(key)
        if audio is not None:
            self.reused += 1
            return audio
        audio = self._backend.synthesize(text)
        self.synthesised += 1
        self._cache.put(key, audio)
        return audio

    def close(self) -> None:
        """The engine belongs to the worker's open voice, which closes it."""


def _worker() -> str:
    worker = _dask_worker()
    return f"{socket.gethostname()}:{os.getpid()}" if worker is None else str(worker.address)
