from __future__ import annotations

import dataclasses
import io
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import feedparser
import podcastparser
import pytest
from lxml import etree
from showkit import FEED_URL, make_episode

from listen.config import ShowConfig
from listen.errors import FeedError
from listen.feed import NAMESPACES, FeedEpisode, build_feed, clean_text, feed_guid, shorten
from listen.feedcheck import check_feed

ROOT = Path(__file__).resolve().parents[1]
FEEDVALIDATOR = ROOT.parent / "shared" / "tools" / "feedvalidator" / "fv-check"
HOSTILE = 'Storm <script>alert("x")</script> & \'quotes\' "too"\x00\x07\x1b\x0c end\x85'


def _xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def _one(node: etree._Element, path: str) -> etree._Element:
    [found] = node.xpath(path, namespaces=NAMESPACES)
    return found


def _text(node: etree._Element, path: str) -> str:
    return "".join(_one(node, path).itertext())


@pytest.fixture
def episodes() -> list[FeedEpisode]:
    return [make_episode(n) for n in (2, 5, 3)]


@pytest.fixture
def feed(show: ShowConfig, episodes: list[FeedEpisode]) -> bytes:
    return build_feed(show, episodes)


def test_channel_tags(show: ShowConfig, feed: bytes) -> None:
    rss = _xml(feed)
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    assert dict(rss.nsmap) == dict(NAMESPACES)
    ch = _one(rss, "/rss/channel")
    assert _text(ch, "title") == show.title
    assert _text(ch, "link") == show.link
    assert _text(ch, "description") == show.description
    assert _text(ch, "language") == "en"
    assert _one(ch, "itunes:image").get("href") == "https://example.org/listen/cover.jpg"
    assert _text(ch, "image/url") == "https://example.org/listen/cover.jpg"
    assert _one(ch, "itunes:category").get("text") == "News"
    assert _one(ch, "itunes:category/itunes:category").get("text") == "Daily News"
    assert _text(ch, "itunes:explicit") == "false"
    assert _text(ch, "itunes:author") == show.author
    assert _text(ch, "itunes:owner/itunes:name") == show.owner_name
    assert _text(ch, "itunes:owner/itunes:email") == show.owner_email
    assert _text(ch, "itunes:type") == "episodic"
    assert _text(ch, "podcast:guid") == str(
        uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), "example.org/listen/feed.xml")
    )
    assert _text(ch, "podcast:locked") == "yes"
    assert _one(ch, "podcast:locked").get("owner") == show.owner_email
    self_link = _one(ch, "atom:link")
    assert (self_link.get("rel"), self_link.get("href")) == ("self", FEED_URL)
    assert self_link.get("type") == "application/rss+xml"
    # lastBuildDate defaults to the newest episode's date: the same episodes, the same bytes
    assert parsedate_to_datetime(_text(ch, "lastBuildDate")) == datetime(
        2026, 11, 5, 6, 30, tzinfo=UTC
    )
    assert _text(ch, "generator").startswith("listen ")


def test_item_tags_newest_first(feed: bytes, episodes: list[FeedEpisode]) -> None:
    items = _xml(feed).xpath("/rss/channel/item")
    assert [_text(i, "guid") for i in items] == [
        "https://news.example.org/story-5",
        "https://news.example.org/story-3",
        "https://news.example.org/story-2",
    ]
    item, episode = items[0], make_episode(5)
    assert _text(item, "title") == "Story number 5"
    assert _text(item, "link") == "https://news.example.org/story-5"
    assert _text(item, "description") == "The story numbered 5.\n\nIts second paragraph."
    assert _text(item, "content:encoded") == (
        "<p>The story numbered 5.</p><p>Its second paragraph.</p>"
    )
    assert _text(item, "pubDate") == format_datetime(episode.published)
    assert _text(item, "pubDate") == "Thu, 05 Nov 2026 06:30:00 +0000"
    assert _one(item, "guid").get("isPermaLink") == "false"
    enclosure = _one(item, "enclosure")
    assert dict(enclosure.attrib) == {
        "url": "https://example.org/listen/story-5.mp3",
        "length": "100005",
        "type": "audio/mpeg",
    }
    assert _text(item, "itunes:duration") == "65"  # 65.4 s, whole seconds
    assert _text(item, "itunes:episodeType") == "full"
    transcript = _one(item, "podcast:transcript")
    assert (transcript.get("url"), transcript.get("type")) == (
        "https://example.org/listen/story-5.vtt",
        "text/vtt",
    )
    chapters = _one(item, "podcast:chapters")
    assert (chapters.get("url"), chapters.get("type")) == (
        "https://example.org/listen/story-5.chapters.json",
        "application/json+chapters",
    )


def test_feedparser_reads_every_field(feed: bytes) -> None:
    parsed = feedparser.parse(feed)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert parsed.feed.title == "The Example Daily, read aloud"
    assert parsed.feed.image.href == "https://example.org/listen/cover.jpg"
    assert not parsed.feed.itunes_explicit  # feedparser maps "false" to None
    assert parsed.feed.podcast_guid == feed_guid(FEED_URL)
    assert [t.term for t in parsed.feed.tags] == ["News", "Daily News"]
    first = parsed.entries[0]
    assert first.id == "https://news.example.org/story-5" and first.guidislink is False
    assert first.enclosures[0].href == "https://example.org/listen/story-5.mp3"
    assert first.enclosures[0].length == "100005"
    assert first.itunes_duration == "65"
    assert first.published_parsed[:5] == (2026, 11, 5, 6, 30)
    assert len(parsed.entries) == 3


def test_podcastparser_reads_every_field(feed: bytes) -> None:
    parsed = podcastparser.parse(FEED_URL, io.BytesIO(feed))
    assert parsed["title"] == "The Example Daily, read aloud"
    assert parsed["cover_url"] == "https://example.org/listen/cover.jpg"
    assert parsed["explicit"] is False
    assert parsed["type"] == "episodic"
    assert parsed["itunes_owner"] == {
        "name": "Example Daily newsroom",
        "email": "podcasts@example.org",
    }
    assert parsed["itunes_categories"] == [["News", "Daily News"]]
    episode = parsed["episodes"][0]
    assert episode["guid"] == "https://news.example.org/story-5"
    assert episode["enclosures"] == [
        {
            "url": "https://example.org/listen/story-5.mp3",
            "file_size": 100005,
            "mime_type": "audio/mpeg",
        }
    ]
    assert episode["total_time"] == 65
    assert episode["published"] == int(make_episode(5).published.timestamp())
    assert [e["guid"] for e in parsed["episodes"]] == [
        f"https://news.example.org/story-{n}" for n in (5, 3, 2)
    ]


def test_hostile_text_is_escaped_and_every_parser_still_reads_it(show: ShowConfig) -> None:
    episode = make_episode(1, title=HOSTILE, description=HOSTILE + "\n\nA < B & C > D")
    data = build_feed(dataclasses.replace(show, title=HOSTILE, author="A & B <c>"), [episode])
    assert b"<script>" not in data and b"\x07" not in data and b"\x00" not in data
    clean = 'Storm <script>alert("x")</script> & \'quotes\' "too" end'
    item = _one(_xml(data), "/rss/channel/item")
    assert _text(item, "title") == clean
    # <description> is HTML to readers: the article's text must come out as written, never markup
    assert _text(item, "description").startswith("Storm &lt;script&gt;alert")
    assert _text(item, "description").endswith("A &lt; B &amp; C &gt; D")
    assert feedparser.parse(data).entries[0].title == clean
    assert not feedparser.parse(data).bozo
    summary = feedparser.parse(data).entries[0].summary
    assert "<script>" not in summary and "A &lt; B &amp; C &gt; D" in summary
    parsed = podcastparser.parse(FEED_URL, io.BytesIO(data))
    assert parsed["episodes"][0]["title"] == clean
    assert parsed["title"] == clean
    assert "A &lt; B &amp; C &gt; D" in parsed["episodes"][0]["description_html"]
    assert "<script>" not in parsed["episodes"][0]["description"]
    assert check_feed(data) == []


def test_long_descriptions_are_cut_at_a_word_to_4000_characters(show: ShowConfig) -> None:
    words = " ".join(f"word{n}" for n in range(2000))  # about 15,000 characters
    escaped = "<&> " * 2000
    data = build_feed(
        show, [make_episode(1, description=words), make_episode(2, description=escaped)]
    )
    items = _xml(data).xpath("/rss/channel/item")
    for item in items:
        for path in ("description", "content:encoded"):
            assert len(_text(item, path)) <= 4000
    cut = _text(items[1], "description")
    assert cut.endswith("…") and cut[:-1].split()[-1] in words.split()
    assert len(cut) > 3900
    assert check_feed(data) == []


def test_the_feed_keeps_the_newest_items(show: ShowConfig) -> None:
    data = build_feed(
        dataclasses.replace(show, feed_items=3), [make_episode(n) for n in range(1, 8)]
    )
    guids = [_text(i, "guid") for i in _xml(data).xpath("/rss/channel/item")]
    assert guids == [f"https://news.example.org/story-{n}" for n in (7, 6, 5)]


def test_same_input_same_bytes_and_other_timezones(show: ShowConfig) -> None:
    tz = timezone(timedelta(hours=-5))
    late = make_episode(4, published=datetime(2026, 11, 4, 23, 0, tzinfo=tz))
    first = build_feed(show, [make_episode(1), late])
    assert first == build_feed(show, [late, make_episode(1)])
    assert _text(_xml(first), "/rss/channel/item[1]/pubDate") == "Wed, 04 Nov 2026 23:00:00 -0500"
    built = datetime(2026, 12, 1, tzinfo=UTC)
    assert b"Tue, 01 Dec 2026 00:00:00 +0000" in build_feed(show, [late], built=built)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"guid": " \x01"}, "its guid is empty"),
        ({"title": ""}, "its title is empty"),
        ({"published": datetime(2026, 11, 1)}, "its date has no time zone"),
        ({"audio_url": "file:///srv/a.mp3"}, "is not an http(s) URL"),
        ({"audio_bytes": 0}, "its audio length 0 is not a positive byte count"),
        ({"duration": 0.0}, "its duration 0.0 is not positive"),
        ({"episode_type": "special"}, "its type 'special' is not one of"),
    ],
    ids=["guid", "title", "naive-date", "audio-url", "zero-bytes", "zero-duration", "type"],
)
def test_an_episode_that_cannot_go_in_a_feed(changes: dict[str, object], expected: str) -> None:
    with pytest.raises(
        FeedError,
        match="cannot go in a feed: .*" + expected.replace("(", r"\(").replace(")", r"\)"),
    ):
        make_episode(1, **changes)


def test_shared_guids_or_audio_urls_are_refused(show: ShowConfig) -> None:
    with pytest.raises(FeedError, match="Two episodes share the guid"):
        build_feed(show, [make_episode(1), make_episode(2, guid=make_episode(1).guid)])
    with pytest.raises(FeedError, match="Two episodes share the audio URL"):
        build_feed(show, [make_episode(1), make_episode(2, audio_url=make_episode(1).audio_url)])


def test_episode_dict_round_trip() -> None:
    episode = make_episode(3, transcript_url=None)
    assert FeedEpisode.from_dict(episode.to_dict()) == episode
    assert episode.to_dict()["published"] == "2026-11-03T06:30:00+00:00"


def test_podcast_guid_matches_the_namespace_examples() -> None:
    # The podcast namespace's own examples (docs/tags/guid.md)
    assert (
        feed_guid("https://mp3s.nashownotes.com/pc20rss.xml")
        == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    )
    assert feed_guid("podnews.net/rss") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert feed_guid("http://podnews.net/rss///") == "9b024349-ccf0-5f69-a609-6b82873eab3c"


def test_text_helpers() -> None:
    assert clean_text("a\x00b\x1fc\td\ne\rf\ufffeg\x85h") == "abc\td\ne\rfgh"
    assert shorten("short") == "short"
    assert shorten("one two three four", 12) == "one two…"


def _feedvalidator(path: Path) -> tuple[int, str]:
    done = subprocess.run(
        ["bash", str(FEEDVALIDATOR), str(path), "AA", FEED_URL],
        capture_output=True,
        text=True,
        env={**os.environ, "FV_PYTHON": sys.executable},
        check=False,
        timeout=180,
    )
    return done.returncode, done.stdout + done.stderr


needs_feedvalidator = pytest.mark.skipif(
    not FEEDVALIDATOR.exists(), reason="../shared/tools/feedvalidator is not beside the clone"
)


@needs_feedvalidator
@pytest.mark.parametrize("hostile", [False, True], ids=["plain", "hostile-title"])
def test_the_w3c_feed_validator_accepts_the_feed(
    show: ShowConfig, tmp_path: Path, hostile: bool
) -> None:
    episodes = [make_episode(n) for n in (1, 2, 3)]
    if hostile:
        episodes.append(make_episode(4, title=HOSTILE, description=HOSTILE))
    path = tmp_path / "feed.xml"
    path.write_bytes(build_feed(show, episodes))
    code, output = _feedvalidator(path)
    [summary] = [line for line in output.splitlines() if line.startswith("feedType=")]
    assert "errors=0" in summary, output
    if hostile:  # "title should not contain HTML": a warning about the text, which is escaped
        assert code in (0, 1), output
    else:  # a plain feed is clean at AA: no warnings either
        assert (code, "warnings=0" in summary) == (0, True), output


@needs_feedvalidator
def test_the_w3c_feed_validator_does_catch_a_broken_feed(show: ShowConfig, tmp_path: Path) -> None:
    rss = _xml(build_feed(show, [make_episode(1)]))
    channel = _one(rss, "/rss/channel")
    channel.remove(_one(channel, "title"))
    path = tmp_path / "broken.xml"
    path.write_bytes(etree.tostring(rss, xml_declaration=True, encoding="UTF-8"))
    code, output = _feedvalidator(path)
    assert code == 2 and "title" in output, output


def test_an_item_from_a_catalogue_record() -> None:
    from listen.catalogue import EpisodeRecord

    files = {"audio": "storm harbour-3f2a.mp3", "transcript": "storm.vtt", "chapters": "s.json"}
    published = datetime(2026, 11, 2, 5, tzinfo=UTC)
    record = EpisodeRecord(
        id="articles/storm.md",
        slug="storm",
        source="articles/storm.md",
        source_hash="a",
        script_hash="b",
        voice_hash="c",
        updated=published,
        files=files,
        duration=181.2,
        bytes=1_450_001,
        first_published=published,
        title="Storm closes the harbour",
        description="Ferries stopped.",
        url="https://news.example.org/storm",
    )
    episode = FeedEpisode.from_record(record, "https://example.org/listen/")
    assert episode == FeedEpisode(
        guid="articles/storm.md",
        title="Storm closes the harbour",
        description="Ferries stopped.",
        published=published,
        audio_url="https://example.org/listen/storm%20harbour-3f2a.mp3",
        audio_bytes=1_450_001,
        duration=181.2,
        link="https://news.example.org/storm",
        transcript_url="https://example.org/listen/storm.vtt",
        chapters_url="https://example.org/listen/s.json",
    )
    with pytest.raises(FeedError, match=r"'articles/storm\.md' has not been published"):
        FeedEpisode.from_record(dataclasses.replace(record, first_published=None), "https://x/")
    with pytest.raises(FeedError, match="its audio length 0 is not a positive byte count"):
        FeedEpisode.from_record(dataclasses.replace(record, bytes=None), "https://x/")
