"""The web pages of a published show: show page, article pages, embeds, oEmbed, player files.

:func:`build_site` is pure: a :class:`SiteShow` and its :class:`SiteEpisode` list in, a dict
of relative path -> bytes out; :func:`write_site` writes that dict into the published folder,
each file atomically. Pages are Jinja2 templates (``listen/site/``) with autoescaping on, so a
title such as ``<img src=x onerror=alert(1)>`` is shown as text everywhere. Every resource a
page loads is a relative URL into the same folder: a page never asks another host for anything.

Files::

    index.html                 the show: every episode with its player, feed link, "Play all"
    <slug>/index.html          an article page: headline, byline, player, text, oEmbed link
    embed/<slug>.html          a minimal page for an <iframe>
    oembed/<slug>.json         oEmbed 1.0 "rich" response pointing at the embed page
    player/listen-player.js    the <listen-player> web component
    player/listen-player.css
    site.json                  the inputs, for ``listen embed``
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from listen.errors import ListenError
from listen.fsutil import write_bytes_atomic
from listen.models import Article, Block, Rendered

__all__ = [
    "MANIFEST",
    "PLAYER_FILES",
    "SiteEpisode",
    "SiteError",
    "SiteShow",
    "build_site",
    "embed_code",
    "embed_snippet",
    "episode_pages",
    "load_manifest",
    "player_assets",
    "site_episode",
    "site_episode_from_timing",
    "write_site",
]

PLAYER_FILES = ("listen-player.js", "listen-player.css")
MANIFEST = "site.json"
EMBED_HEIGHT = 180
EMBED_WIDTH = 640
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")


class SiteError(ListenError, ValueError):
    """Site inputs that cannot be published (a bad slug or URL), or a folder without a site."""


@dataclass(frozen=True)
class SiteShow:
    """The show as its pages present it."""

    title: str
    base_url: str
    """Absolute http(s) URL where the published folder is served, e.g. ``https://news.example/listen/``;
    used only where an absolute URL is required (oEmbed, the CMS snippet), never to load a page."""
    feed_url: str = "feed.xml"
    """The podcast feed: relative to the folder's root, or absolute."""
    description: str = ""
    language: str = "en"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SiteShow:
        return cls(**data)


@dataclass(frozen=True)
class SiteEpisode:
    """One episode as its pages present it.

    URLs are relative to the published folder's root (``audio/<slug>.mp3``) or absolute.
    """

    slug: str
    """Lower-case ASCII letters, digits and hyphens (``listen.render.slugify``): a folder name."""
    title: str
    audio_url: str
    duration: float
    """Seconds."""
    timing_url: str | None = None
    """The timing JSON ``listen render`` writes beside the MP3 (``<slug>.json``)."""
    chapters_url: str | None = None
    """The Podcasting 2.0 chapters (``<slug>.chapters.json``)."""
    author: str | None = None
    date: str | None = None
    """ISO 8601 date, YYYY-MM-DD."""
    description: str | None = None
    blocks: tuple[Block, ...] = field(default=())
    """The article's text: ``Article.blocks`` (headings and paragraphs, as written)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SiteEpisode:
        blocks = tuple(Block(**b) for b in data.get("blocks", ()))
        return cls(**{**data, "blocks": blocks})


def build_site(show: SiteShow, episodes: Sequence[SiteEpisode]) -> dict[str, bytes]:
    """Every file of the site, as relative path -> bytes; pure (reads only the templates)."""
    _check(show, episodes)
    env = _environment()
    files = {f"player/{name}": data for name, data in player_assets().items()}
    page = env.get_template("index.html").render(show=show, episodes=episodes, root="")
    files["index.html"] = page.encode()
    for episode in episodes:
        files.update(_episode_files(env, show, episode))
    manifest = {"show": show.to_dict(), "episodes": [e.to_dict() for e in episodes]}
    files[MANIFEST] = _json_bytes(manifest)
    return files


def episode_pages(slug: str) -> tuple[str, ...]:
    """The files :func:`build_site` writes for one episode, relative to the folder's root."""
    return (f"{slug}/index.html", f"embed/{slug}.html", f"oembed/{slug}.json")


def _episode_files(
    env: jinja2.Environment, show: SiteShow, episode: SiteEpisode
) -> dict[str, bytes]:
    context = {"show": show, "episode": episode, "root": "../"}
    page, embed, oembed = episode_pages(episode.slug)
    return {
        page: env.get_template("article.html").render(context).encode(),
        embed: env.get_template("embed.html").render(context).encode(),
        oembed: _json_bytes(_oembed(env, show, episode)),
    }


def _oembed(env: jinja2.Environment, show: SiteShow, episode: SiteEpisode) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": "1.0",
        "type": "rich",
        "title": episode.title,
        "provider_name": show.title,
        "provider_url": _base(show),
        "html": _iframe(env, show, episode),
        "width": EMBED_WIDTH,
        "height": EMBED_HEIGHT,
    }
    if episode.author:
        data["author_name"] = episode.author
    return data


def _iframe(env: jinja2.Environment, show: SiteShow, episode: SiteEpisode) -> str:
    template = env.get_template("_iframe.html")
    return template.render(show=show, episode=episode, height=EMBED_HEIGHT).strip()


def embed_snippet(show: SiteShow, episode: SiteEpisode) -> str:
    """What to paste into a CMS template: the player with absolute URLs, then the iframe."""
    env = _environment()
    template = env.get_template("snippet.html")
    return template.render(show=show, episode=episode, root=_base(show), height=EMBED_HEIGHT)


def player_assets() -> dict[str, bytes]:
    """The player's JavaScript and CSS, as shipped in the package."""
    folder = resources.files("listen") / "player"
    return {name: (folder / name).read_bytes() for name in PLAYER_FILES}


def write_site(out_dir: Path | str, files: Mapping[str, bytes]) -> None:
    """Write each file under ``out_dir`` atomically (temporary file, then ``os.replace``)."""
    out = Path(out_dir)
    for relative, data in files.items():
        target = out / relative
        if Path(relative).is_absolute() or ".." in Path(relative).parts:
            raise SiteError(f"Refusing to write '{relative}' outside '{out}'")
        target.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(target, data)


def load_manifest(folder: Path | str) -> tuple[SiteShow, list[SiteEpisode]]:
    """The show and episodes a published folder was built from (its ``site.json``)."""
    path = Path(folder) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        show = SiteShow.from_dict(data["show"])
        return show, [SiteEpisode.from_dict(e) for e in data["episodes"]]
    except FileNotFoundError:
        raise SiteError(
            f"'{folder}' has no {MANIFEST}: give the folder listen publish wrote"
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise SiteError(f"'{path}' is not a valid site manifest ({exc})") from exc


def _check(show: SiteShow, episodes: Sequence[SiteEpisode]) -> None:
    if urllib.parse.urlsplit(show.base_url).scheme not in ("http", "https"):
        raise SiteError(f"The site's base URL must be an http(s) URL, not {show.base_url!r}")
    seen: set[str] = set()
    for episode in episodes:
        if not _SLUG.fullmatch(episode.slug) or episode.slug in seen:
            raise SiteError(f"Episode slug {episode.slug!r} is not a unique lower-case slug")
        seen.add(episode.slug)
        for url in (episode.audio_url, episode.timing_url, episode.chapters_url):
            if url is not None:
                _check_url(url)
    _check_url(show.feed_url)


def _check_url(url: str) -> None:
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in ("", "http", "https"):
        raise SiteError(f"Refusing the URL {url!r}: only http(s) or relative URLs")


def _href(url: str | None, root: str) -> str:
    """``url`` as seen from a page ``root`` away from the folder's root; absolute URLs unchanged."""
    if not url:
        return ""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme or url.startswith("/"):
        return url
    return urllib.parse.urljoin(root, url) if "://" in root else root + url


def _clock(seconds: float) -> str:
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _absolute(show: SiteShow, path: str) -> str:
    return urllib.parse.urljoin(_base(show), path)


def _base(show: SiteShow) -> str:
    return show.base_url if show.base_url.endswith("/") else show.base_url + "/"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("listen", "site"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(href=_href, clock=_clock)
    env.globals.update(absolute=_absolute, heading_level=lambda b: min(6, max(2, b.level or 2)))
    return env


def _json_bytes(data: Mapping[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()


def embed_code(folder: Path | str, slug: str) -> str:
    """:func:`embed_snippet` for episode ``slug`` of the site published in ``folder``."""
    show, episodes = load_manifest(folder)
    for episode in episodes:
        if episode.slug == slug:
            return embed_snippet(show, episode)
    known = ", ".join(e.slug for e in episodes) or "none"
    raise SiteError(f"No episode '{slug}' in '{folder}' (episodes: {known})")


def site_episode(article: Article, rendered: Rendered, audio_dir: str = "") -> SiteEpisode:
    """The :class:`SiteEpisode` of an article rendered by ``listen render``.

    ``audio_dir`` is where the MP3 and its side files sit, relative to the folder's root
    (``"audio/"``); their names are the ones ``listen render`` gave them.
    """
    base = audio_dir if not audio_dir or audio_dir.endswith("/") else audio_dir + "/"
    return SiteEpisode(
        slug=rendered.slug,
        title=article.title,
        audio_url=base + rendered.mp3.name,
        duration=rendered.duration,
        timing_url=base + f"{rendered.slug}.json",
        chapters_url=base + f"{rendered.slug}.chapters.json",
        author=article.author,
        date=article.date,
        description=article.description,
        blocks=article.blocks,
    )


def site_episode_from_timing(timing: Mapping[str, Any], audio_dir: str = "") -> SiteEpisode:
    """The :class:`SiteEpisode` of an episode from its timing JSON (``<slug>.json``) alone.

    For a publisher that keeps the rendered files but not the articles: the text comes back
    from the timed paragraphs (sentences as written, joined by spaces; headings at level 2).
    """
    base = audio_dir if not audio_dir or audio_dir.endswith("/") else audio_dir + "/"
    slug = str(timing["slug"])
    blocks = tuple(
        Block(kind, " ".join(s["text"] for s in p["sentences"]), 2 if kind == "heading" else 0)
        for p in timing.get("paragraphs", ())
        if (kind := p.get("kind")) in ("heading", "paragraph")
    )
    return SiteEpisode(
        slug=slug,
        title=str(timing["title"]),
        audio_url=base + str(timing.get("audio") or f"{slug}.mp3"),
        duration=float(timing["duration"]),
        timing_url=base + f"{slug}.json",
        chapters_url=base + f"{slug}.chapters.json",
        author=timing.get("author"),
        date=timing.get("date"),
        description=timing.get("description"),
        blocks=blocks,
    )
