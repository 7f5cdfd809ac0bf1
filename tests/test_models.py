"""Every dataclass that crosses a process or goes to disk survives JSON: from_dict(to_dict(x))."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from listen.models import (
    ChapterTiming,
    Loudness,
    Mastering,
    Pauses,
    Profile,
    Rendered,
    Segment,
    SegmentTiming,
    ShowInfo,
    VoiceSettings,
)

text = st.text(max_size=30)
seconds = st.floats(min_value=0, max_value=1e5, allow_nan=False)
figures = st.floats(min_value=-200, max_value=50, allow_nan=False)
paths = st.builds(Path, st.from_regex(r"[a-z0-9_./-]{1,20}", fullmatch=True))
numbers = st.one_of(st.integers(-1000, 1000), st.floats(allow_nan=False, allow_infinity=False))

segments = st.builds(
    Segment,
    text=text,
    spoken=text,
    kind=st.sampled_from(["title", "heading", "sentence", "intro", "outro"]),
    pause_ms=st.integers(0, 10_000),
    block=st.integers(-1, 500),
    chapter=st.integers(0, 50),
)
segment_timings = st.builds(SegmentTiming, segment=segments, start=seconds, end=seconds)
chapter_timings = st.builds(ChapterTiming, title=text, start=seconds, end=seconds)
loudness = st.builds(
    Loudness, integrated_lufs=figures, true_peak_dbtp=figures, loudness_range_lu=figures
)
rendered = st.builds(
    Rendered,
    mp3=paths,
    duration=seconds,
    title=text,
    slug=text,
    voice=text,
    timings=st.lists(segment_timings, max_size=4).map(tuple),
    chapters=st.lists(chapter_timings, max_size=3).map(tuple),
    loudness=st.none() | loudness,
    extras=st.dictionaries(st.sampled_from(["vtt", "json", "chapters"]), paths),
)
voice_settings = st.builds(
    VoiceSettings,
    profile=text,
    backend=text,
    voice=st.none() | text,
    rate=st.floats(0.25, 4.0),
    spelling=st.sampled_from(["us", "uk"]),
    options=st.dictionaries(text, numbers, max_size=3),
)
profiles = st.builds(
    Profile,
    name=text,
    speech=voice_settings,
    pauses=st.builds(
        Pauses, st.integers(0, 10_000), st.integers(0, 10_000), st.integers(0, 10_000)
    ),
    mastering=st.builds(
        Mastering,
        bitrate=st.sampled_from(["32k", "64k", "320k"]),
        loudness=figures,
        true_peak=figures,
        intro=st.none() | paths,
        outro=st.none() | paths,
    ),
    show=st.builds(ShowInfo, name=text, intro=st.none() | text, outro=st.none() | text),
    lexicons=st.lists(paths, max_size=3).map(tuple),
    description=text,
    source=st.none() | paths,
)


def through_json(value: Any) -> Any:
    """``value.to_dict()`` written as JSON text and read back, as a file or a pipe would."""
    data = value.to_dict()
    return type(value).from_dict(json.loads(json.dumps(data, allow_nan=False)))


@given(segments)
def test_segment(value: Segment) -> None:
    assert through_json(value) == value


@given(segment_timings)
def test_segment_timing(value: SegmentTiming) -> None:
    assert through_json(value) == value


@given(chapter_timings)
def test_chapter_timing(value: ChapterTiming) -> None:
    assert through_json(value) == value


@given(loudness)
def test_loudness(value: Loudness) -> None:
    assert through_json(value) == value


@given(rendered)
def test_rendered(value: Rendered) -> None:
    assert through_json(value) == value


@given(profiles)
def test_profile(value: Profile) -> None:
    assert through_json(value) == value


def test_paths_and_tuples_become_json_types() -> None:
    value = Rendered(
        mp3=Path("out/a.mp3"),
        duration=1.0,
        title="A",
        slug="a",
        voice="espeak",
        timings=(SegmentTiming(Segment("Hi.", "Hi.", "title", 800), 0.15, 0.5),),
        chapters=(ChapterTiming("A", 0.0, 1.0),),
        extras={"vtt": Path("out/a.vtt")},
    )
    data = value.to_dict()
    assert data["mp3"] == "out/a.mp3" and data["extras"] == {"vtt": "out/a.vtt"}
    assert isinstance(data["timings"], list) and isinstance(data["chapters"], list)
    assert data["timings"][0]["segment"]["block"] == -1
