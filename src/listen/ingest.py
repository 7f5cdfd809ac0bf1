"""What a publish source lists: RSS or Atom feeds, news sitemaps, WordPress's posts API.

Each parser turns one document's bytes into ``Item``s: the article's link, what the listing says
about it, and its full text as HTML when the listing carries it (``content:encoded``, Atom
content, WordPress's ``content.rendered``). Nothing here touches the network: ``listen.fetch``
fetches the documents and the pages. XML is parsed without a DTD, entities or network access,
and a document that declares its own entities is refused before any parser expands them.
"""

from __future__ import annotations

import html
import io
import json
import logging
import re
import time
from dataclasses import dataclass
from typing import Any, Literal

from lxml import etree

from listen.errors import FetchError

__all__ = [
    "Item",
    "SourceKind",
    "article_html",
    "detect_kind",
    "parse_feed",
    "parse_sitemap",
    "parse_sitemap_index",
    "parse_wordpress",
    "wordpress_url",
]

_LOGGER = logging.getLogger(__name__)

SourceKind = Literal["feed", "sitemap", "sitemapindex", "wordpress"]

_WP_PATH = re.compile(r"/wp-json(?:/|$)")
_TAG = re.compile(r"<[^>]+>")
_FEED_ROOTS = {"rss", "feed", "RDF", "channel"}


@dataclass(frozen=True)
class Item:
    """One article as a source lists it."""

    key: str
    """Its stable id: the article's link (a feed's guid when an item has no link)."""
    link: str | None
    title: str | None = None
    author: str | None = None
    published: str | None = None
    """ISO 8601 date or date-time, as the listing gives it."""
    language: str | None = None
    content: str | None = None
    """The full text as HTML when the listing carries it; otherwise the link is fetched."""


def wordpress_url(url: str) -> bool:
    """True for a WordPress REST API address (``/wp-json/...`` or ``?rest_route=...``)."""
    return bool(_WP_PATH.search(url.split("?", 1)[0])) or "rest_route=" in url


def detect_kind(data: bytes, where: str) -> SourceKind:
    """What ``data`` is, from its content: a feed, a sitemap (or index) or WordPress JSON."""
    head = data.lstrip()[:1]
    if head in (b"[", b"{"):
        return "wordpress"
    root = _xml_root(data, where)
    name = etree.QName(root).localname
    if name in ("urlset", "sitemapindex"):
        return "sitemap" if name == "urlset" else "sitemapindex"
    if name in _FEED_ROOTS:
        return "feed"
    raise FetchError(
        f"Source '{where}' is not an RSS or Atom feed, a news sitemap or a WordPress posts API "
        f"(its XML root is <{name}>); give the address of one of those"
    )


def _xml_root(data: bytes, where: str) -> Any:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        tree = etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as exc:
        raise FetchError(
            f"Source '{where}' is not an RSS or Atom feed, a news sitemap or a WordPress posts "
            f"API: it is not well-formed XML ({exc}); give the address of one of those"
        ) from None
    if tree.docinfo.internalDTD is not None and tree.docinfo.internalDTD.entities():
        raise FetchError(
            f"Source '{where}' declares its own XML entities; refused (they can expand without "
            "bound); publish the feed without a DTD"
        )
    return tree.getroot()


# ---------------------------------------------------------------- RSS and Atom


def parse_feed(data: bytes, where: str, base: str | None = None) -> list[Item]:
    """RSS 0.9x/1.0/2.0 or Atom via feedparser, which also sanitises the entries' HTML.

    ``base`` (the feed's URL) resolves relative links. The bytes go in as a stream: feedparser
    never opens a path or URL of its own.
    """
    import feedparser

    _xml_root(data, where)  # refuses entity declarations before feedparser sees them
    headers = {"content-location": base} if base else None
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    language = parsed.feed.get("language")
    items = [_feed_item(entry, language) for entry in parsed.entries]
    return [item for item in items if item is not None]


def _feed_item(entry: Any, language: str | None) -> Item | None:
    link = entry.get("link") or None
    key = link or entry.get("id")
    if not key:
        _LOGGER.warning(
            "Skipping a feed item with neither a link nor an id: %r", entry.get("title")
        )
        return None
    contents = [c for c in entry.get("content", ()) if "html" in c.get("type", "html")]
    body = "".join(c.get("value", "") for c in contents).strip()
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    return Item(
        key=key,
        link=link,
        title=entry.get("title") or None,
        author=entry.get("author") or None,
        published=time.strftime("%Y-%m-%dT%H:%M:%SZ", stamp) if stamp else None,
        language=language,
        content=body or None,
    )


# ---------------------------------------------------------------- sitemaps


def parse_sitemap(data: bytes, where: str) -> list[Item]:
    """A sitemap's ``<url><loc>``s with Google News' ``news:title`` and ``publication_date``."""
    root = _xml_root(data, where)
    items = []
    for url in root.iterchildren("{*}url"):
        loc = _child_text(url, "loc")
        if not loc:
            continue
        news = next(url.iterchildren("{*}news"), None)
        publication = None if news is None else next(news.iterchildren("{*}publication"), None)
        items.append(
            Item(
                key=loc,
                link=loc,
                title=None if news is None else _child_text(news, "title"),
                published=None if news is None else _child_text(news, "publication_date"),
                language=None if publication is None else _child_text(publication, "language"),
            )
        )
    return items


def parse_sitemap_index(data: bytes, where: str) -> list[str]:
    """The child sitemaps a sitemap index lists."""
    root = _xml_root(data, where)
    locs = (_child_text(s, "loc") for s in root.iterchildren("{*}sitemap"))
    return [loc for loc in locs if loc]


def _child_text(element: Any, name: str) -> str | None:
    child = next(element.iterchildren(f"{{*}}{name}"), None)
    text = None if child is None else (child.text or "").strip()
    return text or None


# ---------------------------------------------------------------- WordPress


def parse_wordpress(data: bytes, where: str) -> list[Item]:
    """One page of ``/wp-json/wp/v2/posts``: a JSON list of posts (``_embed`` for authors)."""
    try:
        posts = json.loads(data)
    except ValueError as exc:
        raise FetchError(f"Source '{where}' is not a WordPress posts list: {exc}") from None
    if not isinstance(posts, list):
        raise FetchError(
            f"Source '{where}' is not a WordPress posts list (it is JSON, not a list of posts); "
            "give the /wp-json/wp/v2/posts address"
        )
    items = [_wordpress_item(post) for post in posts if isinstance(post, dict)]
    return [item for item in items if item is not None]


def _wordpress_item(post: dict[str, Any]) -> Item | None:
    link = post.get("link")
    if not isinstance(link, str) or not link:
        return None
    content = _rendered(post, "content")
    date = post.get("date_gmt")
    return Item(
        key=link,
        link=link,
        title=_text(_rendered(post, "title")),
        author=_wordpress_author(post),
        published=f"{date}Z" if isinstance(date, str) and date else None,
        content=(content or "").strip() or None,
    )


def _rendered(post: dict[str, Any], field: str) -> str | None:
    value = post.get(field)
    rendered = value.get("rendered") if isinstance(value, dict) else None
    return rendered if isinstance(rendered, str) else None


def _wordpress_author(post: dict[str, Any]) -> str | None:
    embedded = post.get("_embedded")
    authors = embedded.get("author") if isinstance(embedded, dict) else None
    first = authors[0] if isinstance(authors, list) and authors else None
    name = first.get("name") if isinstance(first, dict) else None
    return name if isinstance(name, str) and name.strip() else None


def _text(fragment: str | None) -> str | None:
    """An HTML fragment (WordPress's ``title.rendered``) as plain text."""
    if not fragment:
        return None
    return " ".join(html.unescape(_TAG.sub("", fragment)).split()) or None


# ---------------------------------------------------------------- HTML for the reader


def article_html(item: Item, content: str) -> bytes:
    """A minimal HTML page around a listing's full text, its metadata where the reader looks."""
    title = html.escape(item.title or "", quote=True)
    meta = [f"<title>{title}</title>"]
    if item.author:
        meta.append(f'<meta name="author" content="{html.escape(item.author, quote=True)}">')
    if item.published:
        published = html.escape(item.published, quote=True)
        meta.append(f'<meta property="article:published_time" content="{published}">')
    if item.link:
        meta.append(f'<link rel="canonical" href="{html.escape(item.link, quote=True)}">')
    lang = html.escape(item.language or "en", quote=True)
    head = "\n".join([f'<html lang="{lang}">', "<head>", '<meta charset="utf-8">', *meta])
    body = f"<body>\n<article>\n<h1>{title}</h1>\n{content}\n</article>\n</body>"
    page = f"<!DOCTYPE html>\n{head}\n</head>\n{body}\n</html>\n"
    return page.encode("utf-8")
