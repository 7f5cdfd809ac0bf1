"""listen publish end to end: real espeak renders, the real feed parsed by real parsers."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import replace
from pathlib import Path

import feedparser
import podcastparser
import pytest
from lxml import etree

from listen.config import ShowConfig, load_config
from listen.executor import local_executor
from listen.feed import NAMESPACES
from listen.ffmpeg import ffmpeg_exe
from listen.publish import PublishSummary, publish, publish_request, unpublish

pytestmark = pytest.mark.slow

ITUNES = NAMESPACES["itunes"]
PODCAST = NAMESPACES["podcast"]
ARTICLE = """---
title: {title}
date: 2026-11-{day:02d}
url: https://news.example.org/{name}
---

{first}

The council met on Tuesday to discuss the plan for story {day}.

A decision is expected next month.
"""


def write_article(folder: Path, name: str, day: int, title: str | None = None, **text: str) -> Path:
    path = folder / f"{name}.md"
    first = text.get("first", f"This is the opening paragraph of story number {day}.")
    path.write_text(
        ARTICLE.format(title=title or f"Story {day}", day=day, name=name, first=first),
        encoding="utf-8",
    )
    return path


def serial() -> Executor:
    return local_executor(1)


def run(
    sources: Path, out: Path, show_dir: Path, executor: Callable[[], Executor] = serial
) -> PublishSummary:
    request = publish_request(
        [sources], out, show_dir / "listen.toml", base_url="https://cdn.example.org/show/",
        voice="espeak",
    )  # fmt: skip
    return publish(request, executor)


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for day in (1, 2, 3):
        write_article(folder, f"story-{day}", day)
    return folder


@pytest.fixture
def published(articles: Path, tmp_path: Path, show_dir: Path) -> tuple[Path, PublishSummary]:
    out = tmp_path / "site"
    return out, run(articles, out, show_dir)


def decoded_seconds(path: Path) -> float:
    command = [ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1"]
    done = subprocess.run([*command, "-ar", "8000", "-"], capture_output=True, check=True)
    return len(done.stdout) / 2 / 8000


def local_file(out: Path, url: str) -> Path:
    return out / url.removeprefix("https://cdn.example.org/show/")


def test_first_publish_renders_every_article_into_a_valid_feed(
    published: tuple[Path, PublishSummary],
) -> None:
    out, summary = published
    assert sorted(summary.rendered) == ["story-1.md", "story-2.md", "story-3.md"]
    assert summary.failed == () and summary.skipped == 0 and summary.synthesised > 0
    root = etree.fromstring((out / "feed.xml").read_bytes())
    channel = root.find("channel")
    assert channel is not None
    for tag in ("title", "link", "description", "language", "lastBuildDate"):
        assert channel.findtext(tag)
    assert channel.find(f"{{{ITUNES}}}image").get("href").endswith("cover.jpg")
    assert channel.find(f"{{{ITUNES}}}category").get("text") == "News"
    assert channel.findtext(f"{{{ITUNES}}}explicit") in ("true", "false")
    for tag in ("author", "type"):
        assert channel.findtext(f"{{{ITUNES}}}{tag}")
    assert channel.findtext(f"{{{ITUNES}}}owner/{{{ITUNES}}}email")
    assert channel.findtext(f"{{{PODCAST}}}guid") and channel.findtext(f"{{{PODCAST}}}locked")
    self_link = channel.find("{http://www.w3.org/2005/Atom}link")
    assert self_link.get("rel") == "self"
    assert self_link.get("href") == "https://cdn.example.org/show/feed.xml"
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == ["Story 3", "Story 2", "Story 1"]
    for item in items:
        assert item.find("guid").get("isPermaLink") == "false"
        enclosure = item.find("enclosure")
        assert enclosure.get("type") == "audio/mpeg"
        mp3 = local_file(out, enclosure.get("url"))
        assert int(enclosure.get("length")) == mp3.stat().st_size
        duration = int(item.findtext(f"{{{ITUNES}}}duration"))
        assert abs(duration - decoded_seconds(mp3)) <= 1.0
        transcript = item.find(f"{{{PODCAST}}}transcript")
        assert transcript.get("type") == "text/vtt"
        assert local_file(out, transcript.get("url")).read_text().startswith("WEBVTT")
        chapters = item.find(f"{{{PODCAST}}}chapters")
        assert chapters.get("type") == "application/json+chapters"
        assert local_file(out, chapters.get("url")).is_file()
        assert item.findtext("pubDate") and item.findtext(f"{{{ITUNES}}}episodeType")


def test_feed_reads_in_feedparser_and_podcastparser(published: tuple[Path, PublishSummary]) -> None:
    out, _ = published
    parsed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not parsed.bozo
    assert [e.title for e in parsed.entries] == ["Story 3", "Story 2", "Story 1"]
    with (out / "feed.xml").open("rb") as handle:
        podcast = podcastparser.parse("https://cdn.example.org/show/feed.xml", handle)
    episodes = podcast["episodes"]
    assert len(episodes) == 3
    for episode in episodes:
        [enclosure] = episode["enclosures"]
        assert enclosure["file_size"] == local_file(out, enclosure["url"]).stat().st_size
        assert episode["total_time"] > 0
        assert episode["guid"].startswith("https://news.example.org/story-")


def test_unchanged_articles_are_skipped_without_synthesis(
    published: tuple[Path, PublishSummary], articles: Path, show_dir: Path
) -> None:
    out, _ = published
    feed = (out / "feed.xml").read_bytes()
    again = run(articles, out, show_dir)
    assert again.rendered == () and again.skipped == 3 and again.synthesised == 0
    assert (out / "feed.xml").read_bytes() == feed


def test_an_edited_paragraph_is_the_only_speech_made_again(
    published: tuple[Path, PublishSummary], articles: Path, show_dir: Path
) -> None:
    out, _ = published
    old_url = _enclosures(out)["https://news.example.org/story-2"]
    write_article(
        articles, "story-2", 2, first="This opening paragraph of story two was corrected."
    )
    edited = run(articles, out, show_dir)
    assert edited.rendered == ("story-2.md",) and edited.skipped == 2
    assert edited.synthesised == 1 and edited.reused > 0
    new_url = _enclosures(out)["https://news.example.org/story-2"]
    assert new_url != old_url
    assert local_file(out, new_url).is_file() and not local_file(out, old_url).exists()


def test_unpublish_removes_the_item_and_a_later_publish_keeps_it_out(
    published: tuple[Path, PublishSummary], articles: Path, show_dir: Path
) -> None:
    out, _ = published
    url = _enclosures(out)["https://news.example.org/story-1"]
    unpublish(out, "https://news.example.org/story-1", _show(show_dir))
    assert "https://news.example.org/story-1" not in _enclosures(out)
    assert not local_file(out, url).exists()
    run(articles, out, show_dir)
    assert sorted(_enclosures(out)) == [
        "https://news.example.org/story-2",
        "https://news.example.org/story-3",
    ]


def test_a_vanished_article_stays_published_as_an_orphan(
    published: tuple[Path, PublishSummary], articles: Path, show_dir: Path
) -> None:
    out, _ = published
    (articles / "story-3.md").unlink()
    summary = run(articles, out, show_dir)
    assert summary.orphaned == ("https://news.example.org/story-3",)
    assert "https://news.example.org/story-3" in _enclosures(out)


def test_a_failed_article_does_not_stop_the_others(
    articles: Path, tmp_path: Path, show_dir: Path
) -> None:
    (articles / "empty.md").write_text("---\ntitle: Nothing\n---\n", encoding="utf-8")
    summary = run(articles, tmp_path / "site", show_dir)
    assert [key for key, _ in summary.failed] == ["empty.md"]
    assert "no body text" in summary.failed[0][1]
    assert len(_enclosures(tmp_path / "site")) == 3


def test_a_hostile_title_is_escaped_and_the_feed_still_parses(
    tmp_path: Path, show_dir: Path
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    title = "\"<script>alert('x')</script> & 'quotes' \x07bell\""
    write_article(folder, "hostile", 4, title=title)
    run(folder, tmp_path / "site", show_dir)
    data = (tmp_path / "site" / "feed.xml").read_bytes()
    assert b"<script>" not in data and b"\x07" not in data
    [entry] = feedparser.parse(data).entries
    assert entry.title == "<script>alert('x')</script> & 'quotes' bell"


def _show(show_dir: Path) -> ShowConfig:
    show = load_config(show_dir / "listen.toml")
    return replace(show, base_url="https://cdn.example.org/show/")


def _enclosures(out: Path) -> dict[str, str]:
    root = etree.fromstring((out / "feed.xml").read_bytes())
    return {i.findtext("guid"): i.find("enclosure").get("url") for i in root.iter("item")}


def test_pages_follow_the_catalogue(published: tuple[Path, PublishSummary], show_dir: Path) -> None:
    out, _ = published
    show_page = (out / "index.html").read_text(encoding="utf-8")
    for slug in ("story-1", "story-2", "story-3"):
        page = (out / slug / "index.html").read_text(encoding="utf-8")
        [audio] = [u for u in _enclosures(out).values() if f"/{slug}/" in u]
        assert audio.removeprefix("https://cdn.example.org/show/") in page
        assert (out / "embed" / f"{slug}.html").is_file()
        assert (out / "oembed" / f"{slug}.json").is_file()
        assert f'href="{slug}/' in show_page
    assert (out / "player" / "listen-player.js").is_file()
    unpublish(out, "https://news.example.org/story-1", _show(show_dir))
    assert not (out / "story-1" / "index.html").exists()
    assert not (out / "embed" / "story-1.html").exists()
    assert 'href="story-1/' not in (out / "index.html").read_text(encoding="utf-8")


def test_the_longest_article_is_handed_out_first(tmp_path: Path, show_dir: Path) -> None:
    """One worker renders in the order the articles were handed out: longest first, so a long
    article never starts after the short ones and keeps one worker busy alone at the end."""
    folder = tmp_path / "articles"
    folder.mkdir()
    longer = "This opening paragraph goes on for quite a while about the plan. " * 4
    write_article(folder, "a-short", 1)
    write_article(folder, "b-long", 2, first=longer)
    write_article(folder, "c-middling", 3, first=longer[: len(longer) // 2])
    summary = run(folder, tmp_path / "site", show_dir)
    names = [Path(key).stem for key in summary.rendered]  # one worker: in the order handed out
    assert names == ["b-long", "c-middling", "a-short"]
