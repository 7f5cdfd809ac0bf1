"""The render pipeline, wired: article files -> tagged MP3s with chapters and timed transcripts.

``article.load -> segment.build_script -> speak.speak -> assemble.assemble ->
master.encode_episode -> tags.write_tags -> transcript``. This module only connects the stages:
it resolves the profile once (command-line overrides applied), hands each stage its own part
of it, and writes each episode's files through ``listen.output``: into a staging folder that
is published as ``OUT/<slug>/`` only when the whole episode is ready, under the output
folder's lock, so a failed or killed run leaves nothing behind and never damages what an
earlier run wrote.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from listen import __version__
from listen.article import load
from listen.assemble import episode_rate, laying_out
from listen.check import CheckOptions, check_and_repair
from listen.early import PREFIX_S, encode_as_laid_out
from listen.errors import ListenError
from listen.executor import available_cores
from listen.limits import Limits
from listen.master import load_music
from listen.models import (
    Article,
    Assembly,
    Audio,
    Loudness,
    Profile,
    Rendered,
    Script,
    SpokenSegment,
)
from listen.normalise.lexicon import Lexicon
from listen.output import check_inputs_outside, output_lock, write_episode
from listen.profile import DEFAULT_VOICE, profile_lexicon, resolve_profile
from listen.recogniser import Recogniser
from listen.segment import build_script
from listen.slug import slugify
from listen.speak import speak, speak_segment
from listen.tags import EpisodeTags, write_tags
from listen.transcript import chapters_json, cue_id, json_text, timings_json, vtt
from listen.tts import create_backend
from listen.tts.base import Backend
from listen.tts.piper import engine_threads

__all__ = [
    "Failed",
    "Progress",
    "Voice",
    "encodes_beside",
    "load_source",
    "open_voice",
    "read_script",
    "render_article",
    "render_files",
    "slugify",
]

_LOGGER = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""Called after each segment is spoken: (slug, segments done, segments in the episode)."""


@dataclass(frozen=True, eq=False)
class Voice:
    """A resolved profile with everything loaded once for a whole run: the engine, the
    pronunciation lexicon, and the intro and outro music at the episode's loudness."""

    profile: Profile
    backend: Backend
    lexicon: Lexicon
    intro: Audio | None = None
    outro: Audio | None = None

    @property
    def rate(self) -> int:
        """The sample rate its episodes are laid out and mastered at."""
        return episode_rate(self.intro, self.outro)


@contextlib.contextmanager
def open_voice(profile: Profile) -> Iterator[Voice]:
    """Load ``profile``'s lexicon, music and engine; the engine is closed on leaving."""
    lexicon = profile_lexicon(profile)
    intro, outro = load_music(profile.mastering)
    backend = create_backend(profile.speech, engine_threads() or available_cores())
    try:
        yield Voice(profile, backend, lexicon, intro, outro)
    finally:
        backend.close()


def read_script(
    path: Path | str, profile: Profile, lexicon: Lexicon | None = None, limits: Limits | None = None
) -> Script:
    """What will be said for the article at ``path`` with ``profile`` (``listen script``)."""
    return _script(load(path, limits), profile, lexicon or profile_lexicon(profile))


def _script(article: Article, profile: Profile, lexicon: Lexicon) -> Script:
    return build_script(
        article, profile.pauses, profile.show, lexicon=lexicon, spelling=profile.speech.spelling
    )


Failed = Callable[[Path | str, ListenError], None]
"""Called with an article's source and its error when ``render_files`` goes on to the next."""


def render_files(
    paths: Sequence[Path | str],
    out_dir: Path | str,
    voice: str = DEFAULT_VOICE,
    *,
    bitrate: str | None = None,
    progress: Progress | None = None,
    limits: Limits | None = None,
    strict_cover: bool = False,
    image_dirs: Sequence[Path] = (),
    check: CheckOptions | None = None,
    on_error: Failed | None = None,
) -> list[Rendered]:
    """Render each article to ``out_dir/<slug>/``; the profile, every input and the output
    folder are checked before anything is synthesised or written, and the folder is locked
    for the run (``listen.output``). ``limits``, ``image_dirs`` and ``strict_cover`` are how
    articles are read (see ``listen.article.load``); a source may also be an http(s) URL.
    With ``check``, each episode is heard back and its flagged sentences synthesised again
    (see :func:`listen.check.check_and_repair`); the result is ``Rendered.check``.

    Without ``on_error`` the first article that fails raises; with it, a ListenError on one
    article is handed to ``on_error`` and the others still render."""
    profile = resolve_profile(voice, bitrate=bitrate)
    out = Path(out_dir)
    articles = [load_source(p, limits, image_dirs, strict_cover) for p in paths]
    taken: set[str] = set()
    slugs = [slugify(a.title, taken) for a in articles]
    check_inputs_outside([p for p in paths if isinstance(p, Path) or "://" not in p], out, slugs)
    checker = _checker(check)
    rendered: list[Rendered] = []
    with open_voice(profile) as loaded, output_lock(out):
        for source, article, slug in zip(paths, articles, slugs, strict=True):
            try:
                rendered.append(render_article(article, out, loaded, slug, progress, checker))
            except ListenError as exc:
                if on_error is None:
                    raise
                on_error(source, exc)
    return rendered


def load_source(
    source: Path | str,
    limits: Limits | None = None,
    image_dirs: Sequence[Path] = (),
    strict_cover: bool = False,
) -> Article:
    """An article file, or an http(s) URL fetched and read as the saved page would be."""
    if isinstance(source, str) and source.lower().startswith(("http://", "https://")):
        from listen.fetch import load_page

        return load_page(source, limits, strict_cover=strict_cover)
    return load(source, limits, image_dirs=image_dirs, strict_cover=strict_cover)


def _checker(check: CheckOptions | None) -> tuple[CheckOptions, Recogniser] | None:
    """The recogniser for ``--check``, loaded before anything is synthesised."""
    if check is None:
        return None
    return check, Recogniser()


def render_article(
    article: Article,
    out_dir: Path,
    voice: Voice,
    slug: str,
    progress: Progress | None = None,
    checker: tuple[CheckOptions, Recogniser] | None = None,
) -> Rendered:
    """Render one article to ``out_dir/<slug>/<slug>.mp3`` plus its .vtt, .json and
    .chapters.json, published together (``listen.output.write_episode``): the folder holds the
    earlier version whole until this one is whole. Call it holding ``output_lock(out_dir)``.
    With ``checker``, hear it back and synthesise its flagged sentences again."""
    script = _script(article, voice.profile, voice.lexicon)
    spoken: Iterable[SpokenSegment] = speak(script.segments, voice.backend, voice.rate)
    if progress is not None:
        spoken = _counted(spoken, slug, len(script.segments), progress)
    if checker is None:
        return _finish(article, out_dir, voice, slug, script, spoken)
    parts = list(spoken)
    rendered = _finish(article, out_dir, voice, slug, script, parts)
    redone: list[list[str]] = []

    def redo(indices: tuple[int, ...]) -> None:
        nonlocal rendered
        for i in indices:
            parts[i] = SpokenSegment(
                parts[i].segment, speak_segment(parts[i].segment, voice.backend, voice.rate)
            )
        redone.append([cue_id(i) for i in indices])
        rendered = _finish(article, out_dir, voice, slug, script, parts)

    options, recogniser = checker
    result = check_and_repair(rendered.mp3, redo, recogniser, options.max_wer, options.attempts)
    return replace(rendered, check={**result.to_dict(), "redone": redone})


def _finish(
    article: Article,
    out_dir: Path,
    voice: Voice,
    slug: str,
    script: Script,
    spoken: Iterable[SpokenSegment],
) -> Rendered:
    """Assemble the spoken segments, encoding as they come, and write the episode and its
    side files atomically."""
    profile = voice.profile
    layout = laying_out(spoken, script.chapters, voice.intro, voice.outro, rate=voice.rate)
    with write_episode(out_dir, slug) as work:
        mp3 = work / f"{slug}.mp3"
        prefix = PREFIX_S if encodes_beside(voice.backend) else math.inf
        encoders = engine_threads() or available_cores()
        episode, loudness = encode_as_laid_out(
            layout, mp3, profile.mastering, voice.rate, prefix, encoders
        )
        with episode:
            rendered = _write_episode(work, slug, article, episode, profile, loudness)
    rendered = _moved(rendered, Path(out_dir) / slug)
    _LOGGER.info("Rendered %s (%.1f s)", rendered.mp3, rendered.duration)
    return rendered


def encodes_beside(backend: Backend) -> bool:
    """Whether the MP3 is encoded while ``backend`` speaks: only when the engine leaves a core
    free. One that computes on every core (Piper's onnxruntime, unless $LISTEN_ENGINE_THREADS
    holds it to fewer threads) loses more to an encoder beside it than the encoder gains, so
    its episode is encoded once it has spoken, as the engine's own WAV would be."""
    if not getattr(backend, "threaded", False):
        return True
    threads = engine_threads()
    return threads is not None and threads < available_cores()


def _counted(
    spoken: Iterable[SpokenSegment], slug: str, total: int, progress: Progress
) -> Iterator[SpokenSegment]:
    for n, item in enumerate(spoken, start=1):
        yield item
        progress(slug, n, total)


def _write_episode(
    work: Path,
    slug: str,
    article: Article,
    episode: Assembly,
    profile: Profile,
    loudness: Loudness,
) -> Rendered:
    """Tag the encoded MP3 and write its side files, all into ``work``."""
    names = {"mp3": f"{slug}.mp3", "vtt": f"{slug}.vtt", "json": f"{slug}.json",
             "chapters": f"{slug}.chapters.json"}  # fmt: skip
    mp3 = work / names["mp3"]
    tags = EpisodeTags.for_article(
        article, profile.show.name, episode.duration, episode.chapters, f"listen {__version__}"
    )
    write_tags(mp3, tags)
    rendered = Rendered(
        mp3=mp3,
        duration=episode.duration,
        title=article.title,
        slug=slug,
        voice=profile.name,
        timings=episode.timings,
        chapters=episode.chapters,
        loudness=loudness,
        extras={k: work / v for k, v in names.items() if k != "mp3"},
    )
    _write_side_files(rendered, article)
    return rendered


def _write_side_files(rendered: Rendered, article: Article) -> None:
    meta = {
        "title": article.title,
        "author": article.author,
        "date": article.date,
        "url": article.url,
        "description": article.description,
        "language": article.language,
        "image": article.image,
        "voice": rendered.voice,
        "duration": round(rendered.duration, 3),
        "audio": rendered.mp3.name,
        "slug": rendered.slug,
        "loudness": rendered.loudness.to_dict() if rendered.loudness else None,
    }
    files = rendered.extras
    files["vtt"].write_text(vtt(rendered.timings), encoding="utf-8")
    timing = timings_json(meta, rendered.timings, rendered.chapters)
    files["json"].write_text(json_text(timing), encoding="utf-8")
    chapters = chapters_json(rendered.chapters, article.title)
    files["chapters"].write_text(json_text(chapters), encoding="utf-8")


def _moved(rendered: Rendered, out_dir: Path) -> Rendered:
    return replace(
        rendered,
        mp3=out_dir / rendered.mp3.name,
        extras={k: out_dir / p.name for k, p in rendered.extras.items()},
    )
