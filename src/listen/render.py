"""The render pipeline: article files -> tagged MP3s with chapters and timed transcripts.

``load -> build_script -> assemble -> encode -> tag``; every file is written under a temporary
name in the output directory and renamed only when the whole episode is ready, so a failed run
leaves nothing behind and never damages what an earlier run wrote.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path

from listen import __version__
from listen.article import load
from listen.assemble import assemble, encode_episode
from listen.fsutil import atomic_path
from listen.limits import Limits
from listen.models import Article, Assembly, Profile, Rendered
from listen.profile import DEFAULT_VOICE, load_profile
from listen.segment import build_script
from listen.slug import slugify
from listen.tags import EpisodeTags, write_tags
from listen.transcript import chapters_json, json_text, timings_json, vtt
from listen.tts import create_backend
from listen.tts.base import Backend

__all__ = ["render_article", "render_files", "slugify"]

_LOGGER = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]


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
) -> list[Rendered]:
    """Render each article to ``out_dir``; every input is checked before anything is written."""
    profile = load_profile(voice)
    articles = [_load(p, limits, image_dirs, strict_cover) for p in paths]
    backend = create_backend(profile)
    out = Path(out_dir)
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        taken: set[str] = set()
        return [
            render_article(a, out, profile, backend, slugify(a.title, taken), bitrate, progress)
            for a in articles
        ]
    except BaseException:
        if created and out.is_dir() and not any(out.iterdir()):
            out.rmdir()
        raise
    finally:
        backend.close()


def _load(
    source: Path | str, limits: Limits | None, image_dirs: Sequence[Path], strict_cover: bool
) -> Article:
    """An article file, or an http(s) URL fetched and read as the saved page would be."""
    if isinstance(source, str) and source.lower().startswith(("http://", "https://")):
        from listen.fetch import load_page

        return load_page(source, limits, strict_cover=strict_cover)
    return load(source, limits, image_dirs=image_dirs, strict_cover=strict_cover)


def render_article(
    article: Article,
    out_dir: Path,
    profile: Profile,
    backend: Backend,
    slug: str,
    bitrate: str | None = None,
    progress: Progress | None = None,
) -> Rendered:
    """Render one article to ``out_dir/<slug>.mp3`` plus its .vtt, .json and .chapters.json."""
    script = build_script(article, profile)
    step = (lambda n, total: progress(slug, n, total)) if progress else None
    episode = assemble(script, backend, profile, step)
    names = {
        "mp3": f"{slug}.mp3",
        "vtt": f"{slug}.vtt",
        "json": f"{slug}.json",
        "chapters": f"{slug}.chapters.json",
    }
    with ExitStack() as stack:
        temp = {
            kind: stack.enter_context(atomic_path(out_dir / name)) for kind, name in names.items()
        }
        loudness = encode_episode(episode.audio, temp["mp3"], profile, bitrate or profile.bitrate)
        tags = EpisodeTags.for_article(
            article,
            profile.show,
            episode.duration,
            episode.chapters,
            encoder=f"listen {__version__}",
        )
        write_tags(temp["mp3"], tags)
        rendered = Rendered(
            mp3=out_dir / names["mp3"],
            duration=episode.duration,
            title=article.title,
            slug=slug,
            voice=profile.name,
            timings=episode.timings,
            chapters=episode.chapters,
            loudness=loudness,
            extras={k: out_dir / v for k, v in names.items() if k != "mp3"},
        )
        _write_side_files(temp, article, episode, rendered)
    _LOGGER.info("Rendered %s (%.1f s)", rendered.mp3, rendered.duration)
    return rendered


def _write_side_files(
    temp: dict[str, Path], article: Article, episode: Assembly, rendered: Rendered
) -> None:
    meta = {
        "title": article.title,
        "author": article.author,
        "date": article.date,
        "url": article.url,
        "description": article.description,
        "language": article.language,
        "image": article.image,
        "voice": rendered.voice,
        "duration": round(episode.duration, 3),
        "audio": rendered.mp3.name,
        "slug": rendered.slug,
        "loudness": asdict(rendered.loudness) if rendered.loudness else None,
    }
    temp["vtt"].write_text(vtt(episode.timings), encoding="utf-8")
    timing = timings_json(meta, episode.timings, episode.chapters)
    temp["json"].write_text(json_text(timing), encoding="utf-8")
    chapters = chapters_json(episode.chapters, article.title)
    temp["chapters"].write_text(json_text(chapters), encoding="utf-8")
