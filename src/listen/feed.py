"""Episodes and the show in, podcast RSS bytes out: RSS 2.0 with the itunes, podcast
(Podcasting 2.0), content and atom namespaces, built with lxml (never by pasting strings).

Pure: no rendering, no network, no clock unless asked (``lastBuildDate`` is the newest
episode's date by default, so the same episodes give the same bytes).
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote, urlsplit

from lxml import etree

from listen import __version__
from listen.catalogue import EpisodeRecord
from listen.config import ShowConfig
from listen.errors import FeedError

__all__ = [
    "ATOM",
    "CONTENT",
    "DESCRIPTION_LIMIT",
    "EPISODE_TYPES",
    "ITUNES",
    "NAMESPACES",
    "PODCAST",
    "PODCAST_GUID_NAMESPACE",
    "FeedEpisode",
    "build_feed",
    "clean_text",
    "feed_guid",
    "shorten",
]

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
ATOM = "http://www.w3.org/2005/Atom"
NAMESPACES: Mapping[str, str] = {
    "itunes": ITUNES,
    "podcast": PODCAST,
    "content": CONTENT,
    "atom": ATOM,
}
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
DESCRIPTION_LIMIT = 4000
EPISODE_TYPES = ("full", "trailer", "bonus")

# XML 1.0 forbids C0 controls but tab, LF, CR; also lone surrogates and U+FFFE/U+FFFF.
# C1 controls are allowed but discouraged, and never meant in a title: dropped as well.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class FeedEpisode:
    """One item of the feed, with every URL absolute; checked when built."""

    guid: str
    """Stable id, never reused: written as <guid isPermaLink="false">."""
    title: str
    description: str
    published: datetime
    """Timezone-aware."""
    audio_url: str
    audio_bytes: int
    """The enclosure's exact size in bytes."""
    duration: float
    """Seconds; written as whole seconds (at least 1)."""
    link: str | None = None
    transcript_url: str | None = None
    """WebVTT transcript (podcast:transcript type="text/vtt")."""
    chapters_url: str | None = None
    """JSON chapters (podcast:chapters type="application/json+chapters")."""
    episode_type: str = "full"

    def __post_init__(self) -> None:
        problems = []
        if not clean_text(self.guid).strip():
            problems.append("its guid is empty")
        if not clean_text(self.title).strip():
            problems.append("its title is empty")
        if self.published.tzinfo is None or self.published.utcoffset() is None:
            problems.append("its date has no time zone")
        if not _is_http_url(self.audio_url):
            problems.append(f"its audio URL {self.audio_url!r} is not an http(s) URL")
        if not isinstance(self.audio_bytes, int) or self.audio_bytes <= 0:
            problems.append(f"its audio length {self.audio_bytes!r} is not a positive byte count")
        if not self.duration > 0:
            problems.append(f"its duration {self.duration!r} is not positive")
        if self.episode_type not in EPISODE_TYPES:
            problems.append(f"its type {self.episode_type!r} is not one of {EPISODE_TYPES}")
        if problems:
            raise FeedError(f"Episode '{self.guid}' cannot go in a feed: {'; '.join(problems)}")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["published"] = self.published.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeedEpisode:
        fields = dict(data)
        fields["published"] = datetime.fromisoformat(fields["published"])
        return cls(**fields)

    @classmethod
    def from_record(cls, record: EpisodeRecord, base_url: str) -> FeedEpisode:
        """The item for a catalogue row whose files are served under ``base_url``.

        The guid is the record's stable id; the date its first publication. A record that
        cannot be an item (never published, no audio) raises FeedError.
        """
        files = record.files
        if record.first_published is None or "audio" not in files:
            raise FeedError(f"Episode '{record.id}' has not been published: it has no audio yet")

        def url(role: str) -> str | None:
            return base_url + quote(files[role]) if role in files else None

        return cls(
            guid=record.id,
            title=record.title or record.slug,
            description=record.description,
            published=record.first_published,
            audio_url=base_url + quote(files["audio"]),
            audio_bytes=record.bytes or 0,
            duration=record.duration or 0.0,
            link=record.url,
            transcript_url=url("transcript"),
            chapters_url=url("chapters"),
        )


def feed_guid(feed_url: str) -> str:
    """The podcast:guid of a feed: UUIDv5 of its URL without scheme and trailing slashes."""
    bare = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", feed_url.strip()).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def clean_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry (lxml raises on them)."""
    return _FORBIDDEN.sub("", text)


def shorten(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """``text`` cut at a word so that it fits in ``limit`` characters, ending in '…'."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" \n\t,;:-") + "…"


def build_feed(
    show: ShowConfig,
    episodes: Iterable[FeedEpisode],
    *,
    built: datetime | None = None,
) -> bytes:
    """The RSS document for ``show`` with its newest ``show.feed_items`` episodes, as UTF-8.

    Items go newest first. ``built`` is the lastBuildDate: by default the newest episode's
    date (or now, for a feed without episodes).
    """
    kept = _newest(episodes, show.feed_items)
    if built is None:
        built = kept[0].published if kept else datetime.now(UTC)
    if built.tzinfo is None:
        raise FeedError("The feed's build time has no time zone")
    rss = etree.Element("rss", nsmap=dict(NAMESPACES), version="2.0")
    channel = etree.SubElement(rss, "channel")
    _channel(channel, show, built)
    for episode in kept:
        _item(etree.SubElement(channel, "item"), episode)
    return etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _newest(episodes: Iterable[FeedEpisode], limit: int) -> list[FeedEpisode]:
    episodes = list(episodes)
    for field, values in (
        ("guid", [e.guid for e in episodes]),
        ("audio URL", [e.audio_url for e in episodes]),
    ):
        seen: set[str] = set()
        for value in values:
            if value in seen:
                raise FeedError(f"Two episodes share the {field} '{value}': each needs its own")
            seen.add(value)
    ordered = sorted(episodes, key=lambda e: (e.published, e.guid), reverse=True)
    return ordered[:limit]


def _channel(channel: etree._Element, show: ShowConfig, built: datetime) -> None:
    _sub(channel, "title", show.title)
    _sub(channel, "link", show.link)
    _sub(channel, "description", _escape(_fit(clean_text(show.description), _escape)))
    _sub(channel, "language", show.language)
    if show.copyright:
        _sub(channel, "copyright", show.copyright)
    _sub(channel, "lastBuildDate", format_datetime(built))
    _sub(channel, "generator", f"listen {__version__}")
    etree.SubElement(
        channel,
        _q(ATOM, "link"),
        href=show.feed_url,
        rel="self",
        type="application/rss+xml",
    )
    image = etree.SubElement(channel, "image")
    for tag, value in (("url", show.cover_url), ("title", show.title), ("link", show.link)):
        _sub(image, tag, value)
    etree.SubElement(channel, _q(ITUNES, "image"), href=show.cover_url)
    category = etree.SubElement(channel, _q(ITUNES, "category"), text=show.category)
    if show.subcategory:
        etree.SubElement(category, _q(ITUNES, "category"), text=show.subcategory)
    _sub(channel, _q(ITUNES, "explicit"), "true" if show.explicit else "false")
    _sub(channel, _q(ITUNES, "author"), show.author)
    owner = etree.SubElement(channel, _q(ITUNES, "owner"))
    _sub(owner, _q(ITUNES, "name"), show.owner_name)
    _sub(owner, _q(ITUNES, "email"), show.owner_email)
    _sub(channel, _q(ITUNES, "type"), show.show_type)
    _sub(channel, _q(PODCAST, "guid"), feed_guid(show.feed_url))
    locked = _sub(channel, _q(PODCAST, "locked"), "yes" if show.locked else "no")
    locked.set("owner", show.owner_email)


def _item(item: etree._Element, episode: FeedEpisode) -> None:
    description = _fit(clean_text(episode.description).strip(), _paragraphs_html)
    _sub(item, "title", episode.title.strip())
    if episode.link:
        _sub(item, "link", episode.link)
    _sub(item, "description", _escape(description))
    _sub(item, _q(CONTENT, "encoded"), _paragraphs_html(description))
    _sub(item, "pubDate", format_datetime(episode.published))
    _sub(item, "guid", episode.guid).set("isPermaLink", "false")
    etree.SubElement(
        item,
        "enclosure",
        url=clean_text(episode.audio_url),
        length=str(episode.audio_bytes),
        type="audio/mpeg",
    )
    _sub(item, _q(ITUNES, "duration"), str(max(1, round(episode.duration))))
    _sub(item, _q(ITUNES, "episodeType"), episode.episode_type)
    if episode.transcript_url:
        etree.SubElement(
            item, _q(PODCAST, "transcript"), url=clean_text(episode.transcript_url), type="text/vtt"
        )
    if episode.chapters_url:
        etree.SubElement(
            item,
            _q(PODCAST, "chapters"),
            url=clean_text(episode.chapters_url),
            type="application/json+chapters",
        )


def _fit(text: str, render: Callable[[str], str], limit: int = DESCRIPTION_LIMIT) -> str:
    """``text`` shortened at a word so that ``render(text)`` fits in ``limit`` characters."""
    budget = limit
    while len(rendered := render(shortened := shorten(text, budget))) > limit:
        budget = max(1, budget - (len(rendered) - limit))
    return shortened


def _escape(text: str) -> str:
    """Plain text for an HTML field: RSS readers treat <description> as HTML, so an
    article's "a < b" must go in escaped and show as written, never turn into markup."""
    return html.escape(text, quote=False)


def _paragraphs_html(text: str) -> str:
    """Plain text as HTML paragraphs, every character escaped (for content:encoded)."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join(f"<p>{_escape(p)}</p>" for p in paragraphs)


def _sub(parent: etree._Element, tag: str, text: str) -> etree._Element:
    element = etree.SubElement(parent, tag)
    element.text = clean_text(text)
    return element


def _q(namespace: str, tag: str) -> str:
    return f"{{{namespace}}}{tag}"


def _is_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)
