"""The nightly run: render what is new or changed, keep the catalogue, write the feed.

Orchestration only. Sources are found and hashed (:mod:`listen.sources`), or fetched from a
feed, news sitemap or WordPress API (:mod:`listen.ingest_sources`); an article whose
bytes, voice profile and listen version are unchanged is skipped unread; the others are
rendered as pure tasks on an executor (:mod:`listen.executor`, :mod:`listen.task`), and this
process alone writes the output folder::

    DIR/feed.xml                       the podcast feed, derived from the catalogue
    DIR/catalogue.sqlite               one row per episode: the source of truth
    DIR/<cover>                        the show's artwork
    DIR/<slug>/<version>/<slug>.mp3    one folder per rendered version, with .vtt, .json and
                                       .chapters.json; <version> is a digest of the MP3, so
                                       a URL never serves different bytes

The order of writes keeps a run killed at any moment consistent: (1) each new version folder
is written under a temporary name and renamed into place; (2) the catalogue rows are committed;
(3) the feed is rebuilt from the catalogue, checked, and renamed over the old one; (4) only then
are version folders that no catalogue row names deleted. Every run starts with (3) and (4),
which finishes the work of a run killed between them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, Future, as_completed
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from listen import __version__
from listen.catalogue import CATALOGUE_NAME, Catalogue, EpisodeRecord
from listen.config import ShowConfig, load_config
from listen.errors import ListenError
from listen.fsutil import write_bytes_atomic
from listen.models import CheckOptions, Profile
from listen.output import output_lock, sweep_stale
from listen.profile import resolve_profile
from listen.settle import FEED_NAME, PublishError, settle
from listen.slug import slugify
from listen.sources import Source, find_sources, is_listing, is_url

if TYPE_CHECKING:  # the render and fetch machinery is imported only when there is work for it
    from listen.fetch import FetchSettings
    from listen.ingest_sources import Fetched
    from listen.task import RenderResult, RenderTask

__all__ = [
    "FEED_NAME",
    "PublishError",
    "PublishRequest",
    "PublishSummary",
    "profile_digest",
    "publish",
    "publish_request",
    "show_settings",
    "unpublish",
]

_LOGGER = logging.getLogger(__name__)

CACHE_DIR = ".cache/segments"
_ROLES = {".mp3": "audio", ".vtt": "transcript", ".chapters.json": "chapters", ".json": "timing"}

Progress = Callable[[str, int, int], None]
"""Called as ``progress(article key, articles done, articles to render)``."""


@dataclass(frozen=True)
class PublishRequest:
    """What to publish, where, as which show, with which voice."""

    sources: tuple[str | Path, ...]
    """Files, folders, and feeds, sitemaps or WordPress APIs (by URL or file)."""
    out_dir: Path
    show: ShowConfig
    profile: Profile
    fetch: FetchSettings | None = None
    """Timeouts and limits for fetched sources (None: the defaults)."""
    remote: bool = False
    """Tasks run on other machines (Dask): without a shared cache, each worker keeps its own."""
    check: CheckOptions | None = None
    """Hear each episode back and synthesise flagged sentences again (listen[check])."""
    publish_flagged: bool = False
    """Publish an episode still flagged after its repairs; else the earlier version stays."""


@dataclass(frozen=True)
class PublishSummary:
    """What a run did, for the closing line, --json and monitoring."""

    rendered: tuple[str, ...] = ()
    skipped: int = 0
    failed: tuple[tuple[str, str], ...] = ()
    orphaned: tuple[str, ...] = ()
    synthesised: int = 0
    reused: int = 0
    audio_seconds: float = 0.0
    wall_seconds: float = 0.0
    workers: Mapping[str, int] = field(default_factory=dict)
    feed: Path | None = None
    checks: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Per checked article: its WER, what was synthesised again, what is still flagged."""
    held: tuple[str, ...] = ()
    """Articles not published because their check still flags a sentence."""

    def to_dict(self) -> dict[str, object]:
        return {
            "rendered": list(self.rendered),
            "skipped": self.skipped,
            "failed": [{"id": key, "error": message} for key, message in self.failed],
            "orphaned": list(self.orphaned),
            "segments_synthesised": self.synthesised,
            "segments_reused": self.reused,
            "audio_minutes": round(self.audio_seconds / 60, 2),
            "wall_seconds": round(self.wall_seconds, 3),
            "workers": dict(self.workers),
            "feed": str(self.feed) if self.feed else None,
            "checks": {key: dict(check) for key, check in self.checks.items()},
            "held": list(self.held),
        }


def publish(
    request: PublishRequest,
    executor: Callable[[], Executor],
    progress: Progress | None = None,
) -> PublishSummary:
    """Publish every article under ``request.sources`` into ``request.out_dir``."""
    started = time.monotonic()
    out = request.out_dir
    listings = [str(s) for s in request.sources if is_listing(s)]
    sources = find_sources([s for s in request.sources if not is_listing(s)])
    out.mkdir(parents=True, exist_ok=True)
    with output_lock(out):
        sweep_stale(out)
        with Catalogue(out) as catalogue:
            settle(out, catalogue, request.show)
            digest = profile_digest(request.profile)
            fetched = _fetch(listings, catalogue, digest, request)
            sources += fetched.sources
            todo = _changed(catalogue, sources, digest)
            tasks = _tasks(catalogue, todo, request, out)
            results, failed = _render(tasks, executor, progress)
            results, held = _gate(results, request.publish_flagged)
            if results:  # else the catalogue is as the first settle left it
                with catalogue.transaction():
                    for result in results:
                        _store(out, catalogue, result, digest)
                settle(out, catalogue, request.show)
            failed = [*fetched.failed, *failed]
            kept = {key for key, _ in failed} | {r.key for r in held}
            fetched.remember(catalogue, {s.key for s in sources} - kept)
            orphaned = _orphans(catalogue, sources, fetched)
    return PublishSummary(
        rendered=tuple(r.key for r in results),
        skipped=len(sources) - len(todo) + len(fetched.unchanged),
        failed=tuple(failed),
        orphaned=orphaned,
        synthesised=sum(r.synthesised for r in results),
        reused=sum(r.reused for r in results),
        audio_seconds=sum(r.rendered.duration for r in results),
        wall_seconds=time.monotonic() - started,
        workers=dict(Counter(r.worker for r in results)),
        feed=out / FEED_NAME,
        checks=_checks(results, held),
        held=tuple(r.key for r in held),
    )


def unpublish(out_dir: Path, episode_id: str, show: ShowConfig) -> EpisodeRecord:
    """Take an episode out of the feed; its files are deleted once the new feed is in place."""
    if not (out_dir / CATALOGUE_NAME).is_file():
        raise PublishError(f"'{out_dir}' holds no published catalogue: check --out")
    with output_lock(out_dir), Catalogue(out_dir) as catalogue:
        record = catalogue.retract(episode_id)
        settle(out_dir, catalogue, show)
    return record


def profile_digest(profile: Profile) -> str:
    """A digest of the resolved voice profile, its lexicons' contents and listen's version."""
    lexicons = [hashlib.sha256(p.read_bytes()).hexdigest() for p in profile.lexicons if p.is_file()]
    settings = json.dumps([profile.to_dict(), lexicons, __version__], sort_keys=True, default=str)
    return hashlib.sha256(settings.encode()).hexdigest()


def _fetch(
    listings: Sequence[str], catalogue: Catalogue, digest: str, request: PublishRequest
) -> Fetched:
    from listen.ingest_sources import Fetched, fetch_listings

    if not listings:
        return Fetched()
    hosts = request.show.allowed_hosts
    return fetch_listings(listings, catalogue, digest, hosts, request.fetch)


def _changed(catalogue: Catalogue, sources: Sequence[Source], digest: str) -> list[Source]:
    """New articles, edited ones, and ones last rendered with another profile or version.

    A retracted episode stays retracted; one that failed last time is tried again.
    """
    by_source = {r.source: r for r in catalogue.all()}
    return [s for s in sources if _needs_render(by_source.get(s.key), s, digest)]


def _needs_render(record: EpisodeRecord | None, source: Source, digest: str) -> bool:
    if record is None or record.state == "failed":
        return True
    unchanged = (record.source_hash, record.voice_hash) == (source.digest, digest)
    return record.state == "published" and not unchanged


def _tasks(
    catalogue: Catalogue, todo: Sequence[Source], request: PublishRequest, out: Path
) -> list[RenderTask]:
    if not todo:  # the render machinery (numpy, scipy, the engines) is not even imported
        return []
    from listen.task import RenderTask

    by_source = {r.source: r for r in catalogue.all()}
    taken = {r.slug for r in by_source.values()}
    cache = _cache_dir(request, out)
    tasks = []
    for source in todo:
        record = by_source.get(source.key)
        slug = record.slug if record is not None else slugify(source.path.stem, taken)
        data = source.read()
        profile = request.profile
        limit = request.show.cache_max_bytes
        tasks.append(
            RenderTask(
                source.key, str(source.path), data, profile, slug, cache, limit, request.check
            )
        )
    return tasks


def _cache_dir(request: PublishRequest, out: Path) -> str:
    """The shared cache from listen.toml, else each Dask worker's own, else the folder's."""
    if request.show.shared_cache:
        return request.show.shared_cache
    from listen.task import WORKER_CACHE

    return WORKER_CACHE if request.remote else str(out / CACHE_DIR)


def _render(
    tasks: Sequence[RenderTask], executor: Callable[[], Executor], progress: Progress | None
) -> tuple[list[RenderResult], list[tuple[str, str]]]:
    """Run every task; an article that fails is reported, and the others go on."""
    results: list[RenderResult] = []
    failed: list[tuple[str, str]] = []
    if not tasks:
        return results, failed
    from listen.task import run_task

    pool = executor()
    try:
        futures = {pool.submit(run_task, task): task for task in _longest_first(tasks)}
        for done, future in enumerate(as_completed(futures), start=1):
            _collect(futures[future], future, results, failed)
            if progress is not None:
                progress(futures[future].key, done, len(tasks))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return results, failed


def _longest_first(tasks: Sequence[RenderTask]) -> list[RenderTask]:
    """The tasks, longest article first: a long one handed out last keeps one worker busy
    long after the others have finished (one 4,000-word article among 11 short ones)."""
    return sorted(tasks, key=lambda task: len(task.data), reverse=True)


def _gate(
    results: Sequence[RenderResult], publish_flagged: bool
) -> tuple[list[RenderResult], list[RenderResult]]:
    """The results to publish, and those held back because their check still flags a sentence."""
    if publish_flagged:
        return list(results), []
    return [r for r in results if not r.flagged], [r for r in results if r.flagged]


def _checks(
    published: Sequence[RenderResult], held: Sequence[RenderResult]
) -> dict[str, dict[str, Any]]:
    checks = {r.key: r.check_summary(True) for r in published if r.rendered.check}
    return checks | {r.key: r.check_summary(False) for r in held}


def _collect(
    task: RenderTask,
    future: Future[RenderResult],
    results: list[RenderResult],
    failed: list[tuple[str, str]],
) -> None:
    try:
        results.append(future.result())
    except ListenError as exc:
        failed.append((task.key, str(exc)))
    except Exception as exc:  # a worker that died, or an engine's own bug: this article only
        _LOGGER.debug("Rendering %s failed", task.key, exc_info=True)
        failed.append((task.key, f"{type(exc).__name__}: {exc}"))


def _store(out: Path, catalogue: Catalogue, result: RenderResult, digest: str) -> None:
    """Put the episode's files in a new version folder and record them (not yet in the feed)."""
    slug = result.rendered.slug
    audio = result.files[f"{slug}.mp3"]
    folder = out / slug / hashlib.sha256(audio).hexdigest()[:12]
    if not folder.is_dir():
        _write_folder(folder, result.files)
    files = {_role(name): (folder / name).relative_to(out).as_posix() for name in result.files}
    earlier = next((r for r in catalogue.all() if r.source == result.key), None)
    catalogue.put(_record(earlier, result, files, digest, len(audio)))


def _role(name: str) -> str:
    return next(role for suffix, role in _ROLES.items() if name.endswith(suffix))


def _write_folder(folder: Path, files: Mapping[str, bytes]) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.with_name(f".{folder.name}.part")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    for name, data in files.items():
        write_bytes_atomic(staging / name, data)
    staging.rename(folder)


def _record(
    earlier: EpisodeRecord | None,
    result: RenderResult,
    files: dict[str, str],
    digest: str,
    size: int,
) -> EpisodeRecord:
    now = datetime.now(UTC)
    article, rendered = result.article, result.rendered
    spoken = "\n".join(t.segment.spoken for t in rendered.timings)
    return EpisodeRecord(
        id=earlier.id if earlier else _episode_id(result),
        slug=rendered.slug,
        source=result.key,
        source_hash=result.digest,
        script_hash=hashlib.sha256(spoken.encode()).hexdigest(),
        voice_hash=digest,
        updated=now,
        state="published",
        files=files,
        duration=rendered.duration,
        bytes=size,
        loudness=rendered.loudness.integrated_lufs if rendered.loudness else None,
        first_published=earlier.first_published if earlier and earlier.first_published else now,
        title=article.title,
        description=article.description or next(iter(article.paragraphs), ""),
        url=article.url,
    )


def _episode_id(result: RenderResult) -> str:
    """A fetched article's id is its URL as the listing gives it; a file's, its own url."""
    return result.key if is_url(result.key) else (result.article.url or result.key)


def _orphans(catalogue: Catalogue, sources: Sequence[Source], fetched: Fetched) -> tuple[str, ...]:
    """Published episodes whose article is no longer among the sources (they stay published).

    A listing that was unchanged (304) or could not be read lists no articles this run, so
    fetched episodes are then not judged; a failed or unchanged article is still listed.
    """
    keys = {s.key for s in sources} | set(fetched.unchanged) | {k for k, _ in fetched.failed}
    records = catalogue.all(["published"])
    judged = [r for r in records if fetched.complete or not is_url(r.source)]
    return tuple(r.id for r in judged if r.source not in keys)


def publish_request(
    sources: Sequence[str | Path],
    out_dir: Path,
    config_path: Path,
    *,
    base_url: str | None = None,
    voice: str | None = None,
    check: bool | None = None,
    publish_flagged: bool | None = None,
) -> PublishRequest:
    """The show from ``config_path`` and its voice resolved once, with command-line overrides:
    ``check`` turns listen.toml's [check] on (its settings, else the defaults) or off."""
    show = show_settings(config_path, base_url)
    profile = resolve_profile(voice or show.voice)
    options = show.check
    if check is not None:
        options = (options or CheckOptions()) if check else None
    if options is not None:
        from listen.recogniser import require_extra

        require_extra()  # before any rendering: a missing extra is one Error: line
    flagged = show.publish_flagged if publish_flagged is None else publish_flagged
    return PublishRequest(
        tuple(sources), out_dir, show, profile, check=options, publish_flagged=flagged
    )


def show_settings(config_path: Path, base_url: str | None = None) -> ShowConfig:
    """The show from ``config_path``, served from ``base_url`` when one is given."""
    show = load_config(config_path)
    if base_url is None:
        return show
    return replace(show, base_url=base_url.rstrip("/") + "/")
