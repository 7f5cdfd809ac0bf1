from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from showkit import make_episode

from listen.config import ShowConfig
from listen.errors import FeedError
from listen.feed import NAMESPACES, build_feed
from listen.feedcheck import FeedProblem, check_feed, check_feed_file, parse_feed

CASES = tomllib.loads(
    (Path(__file__).parent / "data" / "feedcheck_cases.toml").read_text(encoding="utf-8")
)["case"]


@pytest.fixture
def good(show: ShowConfig) -> bytes:
    return build_feed(show, [make_episode(n) for n in (1, 2, 3)])


def _value(rss: etree._Element, case: dict[str, Any]) -> str:
    value = str(case.get("value", ""))
    if value.startswith("="):
        [found] = rss.xpath(value[1:], namespaces=NAMESPACES)
        return str(found if isinstance(found, str) else found.text)
    return value * int(case.get("repeat", 1))


def _break(feed: bytes, case: dict[str, Any]) -> bytes:
    rss = etree.fromstring(feed)
    nodes = rss.xpath(case["path"], namespaces=NAMESPACES)
    assert nodes, f"case {case['id']}: {case['path']} finds nothing in the good feed"
    value = _value(rss, case)
    for node in nodes:
        if case["action"] == "remove":
            node.getparent().remove(node)
        elif case["action"] == "text":
            node.text = value
        elif case["action"] == "attr":
            node.set(case["attr"], value)
        elif case["action"] == "delattr":
            del node.attrib[case["attr"]]
            node.text = case.get("then_text", node.text)
    return etree.tostring(rss, xml_declaration=True, encoding="UTF-8")


def test_a_generated_feed_passes(good: bytes) -> None:
    assert check_feed(good) == []


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_each_broken_rule_is_one_problem(good: bytes, case: dict[str, Any]) -> None:
    problems = check_feed(_break(good, case))
    assert len(problems) == 1, "\n".join(map(str, problems))
    [problem] = problems
    assert case["expect"] in problem.message
    if "item" in case:
        assert problem.item == case["item"]
    elif case["path"].startswith("/rss/channel/item["):
        assert problem.item is not None and problem.item.startswith("item ")
    else:
        assert problem.item is None and str(problem).startswith("channel: ")


def test_problems_name_their_item(good: bytes) -> None:
    problem = FeedProblem("item 'A' (g)", "<pubDate> is missing")
    assert str(problem) == "item 'A' (g): <pubDate> is missing"
    assert str(FeedProblem(None, "x")) == "channel: x"


def test_http_is_allowed_when_asked(show: ShowConfig) -> None:
    http = "http://127.0.0.1:8000/"
    show = show.__class__(**{**show.__dict__, "base_url": http})
    feed = build_feed(show, [make_episode(1, base=http)])
    messages = [p.message for p in check_feed(feed)]
    assert len(messages) == 2 and all("is not an https:// URL" in m for m in messages)
    assert check_feed(feed, require_https=False) == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "The feed is not well-formed XML"),
        (b"<rss version='2.0'><channel><title>x</channel></rss>", "not well-formed XML"),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'/>", "not an RSS 2.0 feed"),
        (b"<rss version='0.91'><channel/></rss>", "not an RSS 2.0 feed"),
    ],
    ids=["empty", "broken", "atom", "rss091"],
)
def test_what_is_not_an_rss_feed(data: bytes, expected: str) -> None:
    [problem] = check_feed(data)
    assert problem.item is None and expected in problem.message


def test_the_parser_reads_no_local_file_and_expands_no_entity(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<rss version="2.0"><channel><title>&x;</title></channel></rss>'
    ).encode()
    root = parse_feed(xxe)
    assert b"TOP-SECRET-VALUE" not in etree.tostring(root)
    assert all("TOP-SECRET" not in str(p) for p in check_feed(xxe))
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
        + ']><rss version="2.0"><channel><title>&i;</title></channel></rss>'
    ).encode()
    # libxml2 refuses the exponential expansion itself: one problem, quickly, never a hang
    [problem] = check_feed(laughs)
    assert "not well-formed XML" in problem.message and len(problem.message) < 300


def _publish_folder(tmp_path: Path, sizes: dict[str, int]) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    for name, size in sizes.items():
        (folder / name).write_bytes(b"\xff" * size)
    return folder


def test_files_match_the_enclosure_lengths(good: bytes, tmp_path: Path) -> None:
    sizes = {f"story-{n}.mp3": 100_000 + n for n in (1, 2, 3)}
    folder = _publish_folder(tmp_path, sizes)
    assert check_feed(good, files=folder) == []
    (folder / "story-2.mp3").write_bytes(b"\xff" * 99)
    (folder / "story-1.mp3").unlink()
    problems = check_feed(good, files=folder)
    assert [str(p) for p in problems] == [
        "item 'Story number 2' (https://news.example.org/story-2): enclosure length 100002 "
        f"is not the size of {(folder / 'story-2.mp3').resolve()} (99 bytes)",
        "item 'Story number 1' (https://news.example.org/story-1): enclosure "
        f"'https://example.org/listen/story-1.mp3' has no file in {folder}",
    ]


def test_files_are_looked_up_under_the_folder_only(show: ShowConfig, tmp_path: Path) -> None:
    outside = tmp_path / "outside.mp3"
    outside.write_bytes(b"x" * 100_001)
    episode = make_episode(1, audio_url="https://example.org/listen/../outside.mp3")
    folder = _publish_folder(tmp_path, {})
    [problem] = check_feed(build_feed(show, [episode]), files=folder)
    assert "has no file in" in problem.message


def test_a_reused_url_with_new_bytes_is_caught(show: ShowConfig) -> None:
    old = build_feed(show, [make_episode(1)])
    new = build_feed(show, [make_episode(1, audio_bytes=5000), make_episode(2)])
    [problem] = check_feed(new, previous=old)
    assert problem.message == (
        "enclosure URL 'https://example.org/listen/story-1.mp3' was published with 100001 "
        "bytes and now has 5000: new audio needs a new URL"
    )
    assert check_feed(build_feed(show, [make_episode(1), make_episode(2)]), previous=old) == []


def test_check_feed_file(good: bytes, tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(good)
    assert check_feed_file(path) == []
    with pytest.raises(FeedError, match=r"Could not open feed '.*nope.xml': no such file"):
        check_feed_file(tmp_path / "nope.xml")
    with pytest.raises(FeedError, match="Could not read feed"):
        check_feed_file(tmp_path)
