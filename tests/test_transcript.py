"""Transcript, player timings and chapters, read back the way their consumers read them."""

from __future__ import annotations

import itertools
import json
import re
from html import unescape

import pytest

from listen.models import ChapterTiming, Segment, SegmentKind, SegmentTiming
from listen.transcript import chapters_json, cue_id, json_text, timings_json, vtt

CUE_TIMING = re.compile(
    r"^(\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3}) --> (\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3})$"
)


def parse_vtt(text: str) -> list[tuple[str, float, float, str]]:
    """A small WebVTT reader: (identifier, start, end, text) per cue; fails on anything odd."""
    assert text.startswith("WEBVTT\n\n")
    cues = []
    for block in text[len("WEBVTT\n\n") :].strip("\n").split("\n\n"):
        ident, timing, *body = block.split("\n")
        found = CUE_TIMING.match(timing)
        assert found, timing
        h1, m1, s1, ms1, h2, m2, s2, ms2 = (int(g) for g in found.groups())
        start = h1 * 3600 + m1 * 60 + s1 + ms1 / 1000
        end = h2 * 3600 + m2 * 60 + s2 + ms2 / 1000
        assert body and all(line.strip() for line in body)
        assert "-->" not in ident and all("-->" not in line for line in body)
        cues.append((ident, start, end, "\n".join(body)))
    return cues


SCRIPT: list[tuple[SegmentKind, str, str, int, int]] = [
    ("intro", "Bus plan. By Ann Lee, for listen.", "Bus plan. By Ann Lee, for listen.", -1, 0),
    ("title", "Bus plan", "Bus plan.", -1, 0),
    ("sentence", "The council voted 7-2.", "The council voted seven to two.", 0, 0),
    ("sentence", "It costs $12m.", "It costs twelve million dollars.", 0, 0),
    ("heading", "Q&A", "Q and A.", 1, 1),
    ("sentence", "Is 3 > 2 & <more>?", "Is three > two & <more>?", 2, 1),
    ("outro", "Thanks.", "Thanks for listening.", -1, 1),
]


def make_timings(start: float = 0.25) -> list[SegmentTiming]:
    timings, clock = [], start
    for kind, text, spoken, paragraph, chapter in SCRIPT:
        segment = Segment(text, spoken, kind, 300, paragraph, chapter)
        length = 0.06 * len(spoken) + 0.0004
        timings.append(SegmentTiming(segment, clock, clock + length))
        clock += length + 0.3
    return timings


def make_chapters(timings: list[SegmentTiming]) -> list[ChapterTiming]:
    return [
        ChapterTiming("Bus plan", 0.0, timings[4].start),
        ChapterTiming("Q&A", timings[4].start, timings[-1].end + 0.1),
    ]


# vtt


def test_vtt_has_one_cue_per_segment_in_order_without_overlap() -> None:
    timings = make_timings()
    cues = parse_vtt(vtt(timings))
    assert [c[0] for c in cues] == [cue_id(i) for i in range(len(timings))]
    for (_, start, end, _), timing in zip(cues, timings, strict=True):
        assert start == pytest.approx(timing.start, abs=0.0005)
        assert end == pytest.approx(timing.end, abs=0.0005)
        assert end > start
    for before, after in itertools.pairwise(cues):
        assert after[1] >= before[2]


def test_vtt_cue_text_joined_is_the_article_as_written() -> None:
    timings = make_timings()
    cues = parse_vtt(vtt(timings))
    assert " ".join(unescape(c[3]) for c in cues) == " ".join(t.segment.text for t in timings)


def test_vtt_shows_the_written_sentence_not_the_engine_respelling() -> None:
    segment = Segment("Putin met the FBI in 2024.", "Pootin met the F-B-I in twenty twenty-four.",
                      "sentence", 0, 0)  # fmt: skip
    assert parse_vtt(vtt([SegmentTiming(segment, 0.0, 1.0)]))[0][3] == segment.text


def test_vtt_has_no_cue_for_a_segment_that_says_nothing() -> None:
    said = Segment("Said.", "Said.", "sentence", 0, 0)
    silent = Segment("™", "", "sentence", 0, 0)
    cues = parse_vtt(vtt([SegmentTiming(said, 0.0, 1.0), SegmentTiming(silent, 1.0, 1.5)]))
    assert [c[3] for c in cues] == ["Said."]


def test_vtt_escapes_what_webvtt_reserves() -> None:
    text = vtt(make_timings())
    assert "Is 3 &gt; 2 &amp; &lt;more&gt;?" in text
    assert "<more>" not in text


def test_vtt_cue_text_with_an_arrow_cannot_end_the_cue() -> None:
    segment = Segment("a --> b", "a --> b", "sentence", 0, 0)
    cues = parse_vtt(vtt([SegmentTiming(segment, 0.0, 1.0)]))
    assert cues[0][3] == "a --&gt; b"


def test_vtt_keeps_each_cue_on_one_line() -> None:
    segment = Segment("one\n\ntwo", "one\n\n two ", "sentence", 0, 0)
    assert parse_vtt(vtt([SegmentTiming(segment, 0.0, 1.0)]))[0][3] == "one two"


def test_vtt_skips_segments_with_nothing_to_say() -> None:
    timings = make_timings()
    silent = SegmentTiming(Segment("", "  ", "sentence", 0, 0), timings[1].end, timings[1].end)
    cues = parse_vtt(vtt([*timings[:2], silent, *timings[2:]]))
    assert len(cues) == len(timings)
    assert cue_id(2) not in [c[0] for c in cues]


def test_vtt_rounding_never_makes_cues_overlap_or_vanish() -> None:
    seg = Segment("x", "x", "sentence", 0, 0)
    timings = [
        SegmentTiming(seg, 0.0, 1.0006),
        SegmentTiming(seg, 1.0002, 1.0003),
        SegmentTiming(seg, 1.0003, 2.0),
    ]
    cues = parse_vtt(vtt(timings))
    assert [(c[1], c[2]) for c in cues] == [(0.0, 1.001), (1.001, 1.002), (1.002, 2.0)]


def test_vtt_writes_hours() -> None:
    seg = Segment("x", "x", "sentence", 0, 0)
    assert "01:02:05.500 --> 01:02:07.000" in vtt([SegmentTiming(seg, 3725.5, 3727.0)])


def test_vtt_refuses_timings_out_of_order() -> None:
    timings = make_timings()
    with pytest.raises(ValueError, match="out of order"):
        vtt([timings[1], timings[0]])


# timings_json

META = {
    "title": "Bus plan",
    "author": "Ann Lee",
    "date": "2024-05-01",
    "url": "https://example.com/bus",
    "duration": 14.87654,
    "slug": "bus-plan",
    "audio": "bus-plan.mp3",
}


def test_timings_json_groups_sentences_into_paragraphs_for_the_player() -> None:
    timings = make_timings()
    data = json.loads(json_text(timings_json(META, timings, make_chapters(timings))))
    assert data["version"] == 1
    assert (data["title"], data["author"], data["date"]) == ("Bus plan", "Ann Lee", "2024-05-01")
    assert data["url"] == "https://example.com/bus"
    assert data["duration"] == 14.877
    assert (data["slug"], data["audio"]) == ("bus-plan", "bus-plan.mp3")
    paragraphs = data["paragraphs"]
    assert [p["kind"] for p in paragraphs] == [
        "intro",
        "title",
        "paragraph",
        "heading",
        "paragraph",
        "outro",
    ]
    assert [p["index"] for p in paragraphs] == list(range(6))
    assert [p["block"] for p in paragraphs] == [None, None, 0, 1, 2, None]
    assert [p["chapter"] for p in paragraphs] == [0, 0, 0, 1, 1, 1]
    body = paragraphs[2]
    assert [s["text"] for s in body["sentences"]] == ["The council voted 7-2.", "It costs $12m."]
    assert body["sentences"][1]["spoken"] == "It costs twelve million dollars."
    assert (body["start"], body["end"]) == (
        body["sentences"][0]["start"],
        body["sentences"][-1]["end"],
    )


def test_timings_json_sentences_match_the_vtt_cues() -> None:
    timings = make_timings()
    data = timings_json(META, timings, make_chapters(timings))
    sentences = [s for p in data["paragraphs"] for s in p["sentences"]]
    cues = parse_vtt(vtt(timings))
    assert [s["id"] for s in sentences] == [c[0] for c in cues]
    for sentence, cue in zip(sentences, cues, strict=True):
        assert (sentence["start"], sentence["end"]) == pytest.approx((cue[1], cue[2]), abs=0.001)
    assert all(s["start"] == round(s["start"], 3) for s in sentences)


def test_timings_json_chapters_carry_their_times() -> None:
    timings = make_timings()
    chapters = timings_json(META, timings, make_chapters(timings))["chapters"]
    assert [c["title"] for c in chapters] == ["Bus plan", "Q&A"]
    assert chapters[1]["start"] == round(timings[4].start, 3)


def test_timings_json_writes_missing_metadata_as_null() -> None:
    data = json.loads(json_text(timings_json({"title": "T", "duration": 1.0}, [], [])))
    assert data["author"] is None and data["url"] is None and data["paragraphs"] == []


def test_timings_json_refuses_metadata_that_would_replace_its_own_keys() -> None:
    with pytest.raises(ValueError, match="chapters"):
        timings_json({"title": "T", "chapters": []}, [], [])


def test_json_text_refuses_what_json_cannot_say() -> None:
    with pytest.raises(ValueError):
        json_text({"loudness": float("-inf")})


# chapters_json (Podcasting 2.0 JSON chapters 1.2)


def test_chapters_json_follows_the_podcasting_2_0_format() -> None:
    timings = make_timings()
    data = json.loads(json_text(chapters_json(make_chapters(timings), "Bus plan")))
    assert isinstance(data["version"], str) and data["version"].startswith("1.2")
    assert data["title"] == "Bus plan"
    assert isinstance(data["chapters"], list) and len(data["chapters"]) == 2
    for chapter in data["chapters"]:
        assert isinstance(chapter["startTime"], int | float)
        assert isinstance(chapter["endTime"], int | float)
        assert isinstance(chapter["title"], str)
        assert set(chapter) <= {"startTime", "endTime", "title", "img", "url", "toc", "location"}
    starts = [c["startTime"] for c in data["chapters"]]
    assert starts == sorted(starts) and starts[0] == 0.0
    assert data["chapters"][0]["endTime"] == data["chapters"][1]["startTime"]


def test_chapters_json_of_an_article_without_headings_has_one_chapter() -> None:
    data = chapters_json([ChapterTiming("Bus plan", 0.0, 61.25)], None)
    assert data == {
        "version": "1.2.0",
        "chapters": [{"startTime": 0.0, "endTime": 61.25, "title": "Bus plan"}],
    }


def test_chapters_json_refuses_chapters_out_of_order() -> None:
    with pytest.raises(ValueError, match="out of order"):
        chapters_json([ChapterTiming("B", 10.0, 20.0), ChapterTiming("A", 0.0, 10.0)], None)
