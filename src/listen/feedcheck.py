"""The feed linter behind ``listen feed-check``: Apple's required tags and the Podcasting 2.0
rules, on any RSS feed (ours before it replaces the published one, or a peer's).

The feed is parsed with a safe lxml parser: no network, no DTD, no entity expansion.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from listen.categories import APPLE_CATEGORIES
from listen.errors import FeedError
from listen.feed import DESCRIPTION_LIMIT, EPISODE_TYPES, NAMESPACES

__all__ = ["APPLE_MEDIA_TYPES", "FeedProblem", "check_feed", "check_feed_file", "parse_feed"]

APPLE_MEDIA_TYPES = (
    "audio/mpeg",
    "audio/x-m4a",
    "video/mp4",
    "video/quicktime",
    "video/x-m4v",
    "application/pdf",
)
_TRANSCRIPT_TYPES = (
    "text/vtt",
    "application/json",
    "text/html",
    "text/plain",
    "application/x-subrip",
    "application/srt",
)
_CHAPTERS_TYPE = "application/json+chapters"
_DURATION = re.compile(r"(?:(?:(\d+):)?(\d+):)?(\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class FeedProblem:
    """One broken rule; ``item`` names the item ("'Title' (guid)"), None for the channel."""

    item: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.item or 'channel'}: {self.message}"


def parse_feed(data: bytes) -> etree._Element:
    """Parse feed bytes safely (no network, no entities, no DTD); raise FeedError if not XML."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"not well-formed XML: {exc}") from exc
    if root is None:
        raise FeedError("not well-formed XML: the document is empty")
    return root


def check_feed_file(
    path: Path,
    *,
    files: Path | None = None,
    previous: Path | None = None,
    require_https: bool = True,
) -> list[FeedProblem]:
    """:func:`check_feed` on a file; FeedError if a file cannot be read."""
    data = _read(path)
    old = _read(previous) if previous is not None and previous.exists() else None
    return check_feed(data, files=files, previous=old, require_https=require_https)


def check_feed(
    data: bytes,
    *,
    files: Path | None = None,
    previous: bytes | None = None,
    require_https: bool = True,
) -> list[FeedProblem]:
    """Every rule the feed breaks, in document order; an empty list means it passes.

    ``files``: the local folder the feed is served from; each enclosure's length must equal
    its file's size there. ``previous``: the feed this one replaces; an enclosure URL it
    already used must still have the same length (new bytes need a new URL).
    ``require_https``: Apple needs https for enclosures and artwork.
    """
    try:
        root = parse_feed(data)
    except FeedError as exc:
        return [FeedProblem(None, f"The feed is {exc}")]
    channel = root.find("channel")
    if root.tag != "rss" or root.get("version") != "2.0" or channel is None:
        return [FeedProblem(None, 'not an RSS 2.0 feed: need <rss version="2.0"><channel>')]
    problems = [FeedProblem(None, m) for m in _channel(channel, require_https)]
    items = channel.findall("item")
    if not items:
        problems.append(FeedProblem(None, "no items: Apple Podcasts needs at least one episode"))
    for item in items:
        label = _label(item)
        problems += [FeedProblem(label, m) for m in _item(item, require_https)]
    problems += _duplicates(items)
    if files is not None:
        problems += _local_sizes(channel, items, files)
    if previous is not None:
        problems += _reused_urls(items, previous)
    return problems


def _read(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise FeedError(f"Could not open feed '{path}': no such file") from exc
    except OSError as exc:
        raise FeedError(f"Could not read feed '{path}': {exc.strerror or exc}") from exc


def _channel(channel: etree._Element, require_https: bool) -> Iterator[str]:
    for tag in ("title", "description", "language"):
        if not _text(channel, tag):
            yield f"<{tag}> is missing or empty"
    if not _is_url(_text(channel, "link")):
        yield "<link> is missing or not an http(s) URL"
    if len(_text(channel, "description")) > DESCRIPTION_LIMIT:
        yield f"<description> is longer than Apple's {DESCRIPTION_LIMIT} characters"
    yield from _artwork(channel, require_https)
    yield from _categories(channel)
    yield from _explicit(channel, required=True)
    if not _text(channel, "itunes:author"):
        yield "<itunes:author> is missing or empty"
    if not _text(channel, "itunes:owner/itunes:email"):
        yield "<itunes:owner> with <itunes:email> is missing: Apple e-mails the owner"
    show_type = _text(channel, "itunes:type")
    if show_type and show_type not in ("episodic", "serial"):
        yield f"<itunes:type> is {show_type!r}: must be episodic or serial"
    yield from _podcast_channel(channel)


def _artwork(channel: etree._Element, require_https: bool) -> Iterator[str]:
    image = channel.find("itunes:image", NAMESPACES)
    href = (image.get("href") or "").strip() if image is not None else ""
    if not href:
        yield "<itunes:image href=...> is missing: Apple rejects a show without artwork"
        return
    if not _is_url(href, require_https):
        yield f"<itunes:image> href {href!r} is not an {_scheme(require_https)} URL"
    if not urlsplit(href).path.lower().endswith((".jpg", ".jpeg", ".png")):
        yield f"<itunes:image> href {href!r} must end in .jpg or .png"


def _categories(channel: etree._Element) -> Iterator[str]:
    categories = channel.findall("itunes:category", NAMESPACES)
    if not categories:
        yield "<itunes:category> is missing: choose one of Apple's categories"
    for category in categories:
        name = category.get("text", "")
        if name not in APPLE_CATEGORIES:
            yield f"<itunes:category text={name!r}> is not an Apple Podcasts category"
            continue
        for sub in category.findall("itunes:category", NAMESPACES):
            text = sub.get("text", "")
            if text not in APPLE_CATEGORIES[name]:
                yield f"<itunes:category text={text!r}> is not a subcategory of {name!r}"


def _explicit(element: etree._Element, required: bool) -> Iterator[str]:
    explicit = element.find("itunes:explicit", NAMESPACES)
    if explicit is None:
        if required:
            yield "<itunes:explicit> is missing: true or false"
        return
    if (explicit.text or "").strip() not in ("true", "false"):
        yield f"<itunes:explicit> is {explicit.text!r}: must be true or false"


def _podcast_channel(channel: etree._Element) -> Iterator[str]:
    guid = _text(channel, "podcast:guid")
    if not guid:
        yield "<podcast:guid> is missing: the UUIDv5 of the feed URL"
    else:
        try:
            version = uuid.UUID(guid).version
        except ValueError:
            version = None
        if version != 5:
            yield f"<podcast:guid> {guid!r} is not a version 5 UUID"
    locked = _text(channel, "podcast:locked")
    if locked not in ("yes", "no"):
        yield f"<podcast:locked> is {locked or 'missing'}: must be yes or no"
    selves = [
        link
        for link in channel.findall("atom:link", NAMESPACES)
        if link.get("rel") == "self" and _is_url(link.get("href", ""))
    ]
    if not selves:
        yield '<atom:link rel="self" href=...> with the feed\'s own URL is missing'


def _item(item: etree._Element, require_https: bool) -> Iterator[str]:
    if not _text(item, "title"):
        yield "<title> is missing or empty"
    yield from _guid(item)
    yield from _enclosure(item, require_https)
    yield from _pub_date(item)
    yield from _duration(item)
    episode_type = _text(item, "itunes:episodeType")
    if episode_type and episode_type not in EPISODE_TYPES:
        yield f"<itunes:episodeType> is {episode_type!r}: must be {', '.join(EPISODE_TYPES)}"
    yield from _explicit(item, required=False)
    if len(_text(item, "description")) > DESCRIPTION_LIMIT:
        yield f"<description> is longer than Apple's {DESCRIPTION_LIMIT} characters"
    yield from _podcast_links(item)


def _guid(item: etree._Element) -> Iterator[str]:
    guid = item.find("guid")
    value = (guid.text or "").strip() if guid is not None else ""
    if not value:
        yield "<guid> is missing or empty: each episode needs a stable id"
        return
    assert guid is not None
    permalink = guid.get("isPermaLink", "true")
    if permalink not in ("true", "false"):
        yield f'<guid isPermaLink="{permalink}"> must be "true" or "false"'
    elif permalink == "true" and not _is_url(value):
        yield f'<guid> {value!r} is not a URL, so it needs isPermaLink="false"'


def _enclosure(item: etree._Element, require_https: bool) -> Iterator[str]:
    enclosures = item.findall("enclosure")
    if len(enclosures) != 1:
        yield f"has {len(enclosures)} <enclosure> elements: needs exactly one"
        if not enclosures:
            return
    url, length, kind = (enclosures[0].get(a, "").strip() for a in ("url", "length", "type"))
    if not _is_url(url, require_https):
        yield f"<enclosure> url {url!r} is not an {_scheme(require_https)} URL"
    if not length.isdigit() or int(length) <= 0:
        yield f"<enclosure> length {length!r} is not the file's size in bytes (a positive number)"
    if kind not in APPLE_MEDIA_TYPES:
        yield f"<enclosure> type {kind!r} is not one Apple plays ({', '.join(APPLE_MEDIA_TYPES)})"


def _pub_date(item: etree._Element) -> Iterator[str]:
    text = _text(item, "pubDate")
    if not text:
        yield "<pubDate> is missing"
        return
    try:
        date = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        yield f"<pubDate> {text!r} is not an RFC 2822 date"
        return
    if date.tzinfo is None:
        yield f"<pubDate> {text!r} has no time zone"


def _duration(item: etree._Element) -> Iterator[str]:
    text = _text(item, "itunes:duration")
    if not text:
        yield "<itunes:duration> is missing: the length in seconds"
        return
    match = _DURATION.fullmatch(text)
    if not match:
        yield f"<itunes:duration> {text!r} is not seconds or HH:MM:SS"
        return
    hours, minutes, seconds = match.groups()
    if int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds) <= 0:
        yield "<itunes:duration> is 0: give the episode's length"


def _podcast_links(item: etree._Element) -> Iterator[str]:
    for transcript in item.findall("podcast:transcript", NAMESPACES):
        if not _is_url(transcript.get("url", "")):
            yield f"<podcast:transcript> url {transcript.get('url')!r} is not an http(s) URL"
        if transcript.get("type") not in _TRANSCRIPT_TYPES:
            yield f"<podcast:transcript> type {transcript.get('type')!r} is not a transcript type"
    chapters = item.findall("podcast:chapters", NAMESPACES)
    if len(chapters) > 1:
        yield "has more than one <podcast:chapters>"
    for element in chapters:
        if not _is_url(element.get("url", "")):
            yield f"<podcast:chapters> url {element.get('url')!r} is not an http(s) URL"
        if element.get("type") != _CHAPTERS_TYPE:
            yield f'<podcast:chapters> type {element.get("type")!r} must be "{_CHAPTERS_TYPE}"'


def _duplicates(items: list[etree._Element]) -> list[FeedProblem]:
    problems = []
    for what, values in (
        ("guid", [_text(item, "guid") for item in items]),
        ("enclosure URL", [_enclosure_url(item) for item in items]),
    ):
        counts = Counter(v for v in values if v)
        seen: set[str] = set()
        for item, value in zip(items, values, strict=True):
            if counts[value] > 1 and value:
                if value in seen:
                    problems.append(
                        FeedProblem(
                            _label(item),
                            f"{what} {value!r} is used by {counts[value]} items: "
                            "each episode needs its own",
                        )
                    )
                seen.add(value)
    return problems


def _local_sizes(
    channel: etree._Element, items: list[etree._Element], folder: Path
) -> list[FeedProblem]:
    base = _self_dir(channel)
    problems = []
    for item in items:
        url, length = _enclosure_url(item), _enclosure_length(item)
        if not url:
            continue
        local = _local_path(folder, base, url)
        if local is None or not local.is_file():
            problems.append(FeedProblem(_label(item), f"enclosure {url!r} has no file in {folder}"))
        elif local.stat().st_size != length:
            problems.append(
                FeedProblem(
                    _label(item),
                    f"enclosure length {length} is not the size of {local} "
                    f"({local.stat().st_size} bytes)",
                )
            )
    return problems


def _reused_urls(items: list[etree._Element], previous: bytes) -> list[FeedProblem]:
    try:
        old = parse_feed(previous).findall("channel/item")
    except FeedError:
        return []
    old_lengths = {_enclosure_url(i): _enclosure_length(i) for i in old if _enclosure_url(i)}
    problems = []
    for item in items:
        url, length = _enclosure_url(item), _enclosure_length(item)
        if url in old_lengths and old_lengths[url] != length:
            problems.append(
                FeedProblem(
                    _label(item),
                    f"enclosure URL {url!r} was published with {old_lengths[url]} bytes and now "
                    f"has {length}: new audio needs a new URL",
                )
            )
    return problems


def _self_dir(channel: etree._Element) -> str | None:
    for link in channel.findall("atom:link", NAMESPACES):
        if link.get("rel") == "self" and link.get("href"):
            return link.get("href", "").rsplit("/", 1)[0] + "/"
    return None


def _local_path(folder: Path, base: str | None, url: str) -> Path | None:
    """Where an enclosure lives under ``folder``: relative to the feed's own URL, else by name."""
    if base and url.startswith(base):
        relative = unquote(urlsplit(url[len(base) :]).path)
    else:
        relative = unquote(urlsplit(url).path).rsplit("/", 1)[-1]
    root = folder.resolve()
    local = (root / relative).resolve()
    return local if local.is_relative_to(root) and local != root else None


def _enclosure_url(item: etree._Element) -> str:
    enclosure = item.find("enclosure")
    return (enclosure.get("url") or "").strip() if enclosure is not None else ""


def _enclosure_length(item: etree._Element) -> int | None:
    enclosure = item.find("enclosure")
    length = (enclosure.get("length") or "").strip() if enclosure is not None else ""
    return int(length) if length.isdigit() else None


def _label(item: etree._Element) -> str:
    title = _text(item, "title")
    title = title if len(title) <= 60 else title[:59] + "…"
    guid = _text(item, "guid") or "no guid"
    return f"item {title!r} ({guid})" if title else f"item ({guid})"


def _text(element: etree._Element, path: str) -> str:
    found = element.find(path, NAMESPACES)
    return "".join(found.itertext()).strip() if found is not None else ""


def _is_url(value: str, https: bool = False) -> bool:
    parts = urlsplit(value.strip())
    schemes = ("https",) if https else ("http", "https")
    return parts.scheme in schemes and bool(parts.netloc)


def _scheme(require_https: bool) -> str:
    return "https://" if require_https else "http(s)://"
