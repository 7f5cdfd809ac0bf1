"""Side files written from the assembler's timings: WebVTT transcript, player timings, chapters.

Every time here comes from a :class:`~listen.models.SegmentTiming` or
:class:`~listen.models.ChapterTiming`; nothing is re-derived from the audio, so the
transcript, the player's highlighting and the chapters agree with one another to the sample.

- :func:`vtt`: ``<slug>.vtt``, one cue per spoken segment, for ``<podcast:transcript>``
  (type ``text/vtt``).
- :func:`timings_json`: ``<slug>.json``, paragraphs and sentences with start and end, for a web
  player that highlights the sentence being read.
- :func:`chapters_json`: ``<slug>.chapters.json``, Podcasting 2.0 JSON chapters 1.2
  (type ``application/json+chapters``).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from typing import Any

from listen.models import ChapterTiming, SegmentTiming

__all__ = [
    "CHAPTERS_TYPE",
    "VTT_TYPE",
    "chapters_json",
    "cue_id",
    "json_text",
    "timings_json",
    "vtt",
]

VTT_TYPE = "text/vtt"
CHAPTERS_TYPE = "application/json+chapters"
_TOLERANCE_S = 0.001
"""Overlap smaller than this (float rounding in the assembler) is absorbed, not an error."""
_RESERVED = ("version", "chapters", "paragraphs")
_META = ("title", "author", "date", "url", "duration")


def vtt(timings: Sequence[SegmentTiming]) -> str:
    """A WebVTT file with one cue per segment that says something, in order.

    The cue text is the sentence as the article writes it (``Segment.text``: "2024", "FBI",
    "Putin", not the engine's "twenty twenty-four", "F-B-I" and respelled "Pootin"), as the
    player's transcript shows it, on one line, with ``&``, ``<`` and ``>`` escaped; a segment
    that says nothing has no cue. The cue identifier is :func:`cue_id`, shared with
    :func:`timings_json`.
    Times are whole milliseconds; each cue starts no earlier than the previous one ends and
    lasts at least 1 ms.
    """
    _check_order(timings)
    lines = ["WEBVTT", ""]
    previous_end = 0
    for index, timing in enumerate(timings):
        said = _cue_text(timing.segment.spoken)
        if not said:
            continue
        text = _cue_text(timing.segment.text) or said
        start = max(_ms(timing.start), previous_end)
        end = max(_ms(timing.end), start + 1)
        lines += [cue_id(index), f"{_timestamp(start)} --> {_timestamp(end)}", text, ""]
        previous_end = end
    return "\n".join(lines)


def cue_id(index: int) -> str:
    """Identifier of the segment at ``index`` in both the VTT file and the timings JSON."""
    return f"s{index}"


def _check_order(timings: Sequence[SegmentTiming]) -> None:
    previous = 0.0
    for index, timing in enumerate(timings):
        if timing.end < timing.start or timing.start < previous - _TOLERANCE_S:
            raise ValueError(
                f"Segment {index} ({timing.segment.text[:40]!r}) runs {timing.start:.3f}"
                f"-{timing.end:.3f} s, out of order after {previous:.3f} s"
            )
        previous = timing.end


def _cue_text(spoken: str) -> str:
    text = " ".join(spoken.split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))


def _timestamp(ms: int) -> str:
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def timings_json(
    rendered_meta: Mapping[str, Any],
    timings: Sequence[SegmentTiming],
    chapters: Sequence[ChapterTiming],
) -> dict[str, Any]:
    """The player's timing file: metadata, chapters, and paragraphs of timed sentences.

    ``rendered_meta`` gives ``title``, ``author``, ``date``, ``url`` and ``duration`` (missing
    ones are written as null); any other keys (``slug``, ``voice``, ``audio``...) follow them.
    Each paragraph is a run of segments from one article block (or the title, intro or
    outro) with ``index`` (its position in the list), ``kind`` (``title``, ``heading``,
    ``paragraph``, ``intro``, ``outro``), ``block`` (index into ``Article.blocks``, null for
    title, intro and outro), ``chapter``, ``start``, ``end`` and ``sentences``. A sentence has
    ``id`` (its VTT cue identifier), ``text`` as written, ``spoken``, ``start`` and ``end``.
    Times are seconds rounded to the millisecond.
    """
    clash = sorted(set(rendered_meta) & set(_RESERVED))
    if clash:
        raise ValueError(f"Metadata keys {', '.join(clash)} are reserved in the timings file")
    _check_order(timings)
    data: dict[str, Any] = {"version": 1}
    data.update({key: rendered_meta.get(key) for key in _META})
    if isinstance(data["duration"], float | int):
        data["duration"] = _seconds(data["duration"])
    data.update({k: v for k, v in rendered_meta.items() if k not in _META})
    data["chapters"] = [
        {"index": i, "title": c.title, "start": _seconds(c.start), "end": _seconds(c.end)}
        for i, c in enumerate(chapters)
    ]
    data["paragraphs"] = _paragraphs(timings)
    return data


def _paragraphs(timings: Sequence[SegmentTiming]) -> list[dict[str, Any]]:
    def group(item: tuple[int, SegmentTiming]) -> tuple[int, str]:
        segment = item[1].segment
        return segment.block, segment.kind if segment.block < 0 else "block"

    paragraphs = []
    for index, (_, run) in enumerate(itertools.groupby(enumerate(timings), key=group)):
        items = list(run)
        first = items[0][1].segment
        paragraphs.append(
            {
                "index": index,
                "kind": "paragraph" if first.kind == "sentence" else first.kind,
                "block": first.block if first.block >= 0 else None,
                "chapter": first.chapter,
                "start": _seconds(items[0][1].start),
                "end": _seconds(items[-1][1].end),
                "sentences": [_sentence(i, timing) for i, timing in items],
            }
        )
    return paragraphs


def _sentence(index: int, timing: SegmentTiming) -> dict[str, Any]:
    return {
        "id": cue_id(index),
        "text": timing.segment.text,
        "spoken": timing.segment.spoken,
        "start": _seconds(timing.start),
        "end": _seconds(timing.end),
    }


def chapters_json(chapters: Sequence[ChapterTiming], title: str | None = None) -> dict[str, Any]:
    """Podcasting 2.0 JSON chapters (version 1.2.0): ``startTime``, ``endTime`` and ``title``
    for each chapter, ascending by start as the format requires; ``title`` names the episode.
    """
    data: dict[str, Any] = {"version": "1.2.0"}
    if title is not None:
        data["title"] = title
    previous = 0.0
    entries = []
    for chapter in chapters:
        if chapter.start < previous - _TOLERANCE_S or chapter.end < chapter.start:
            raise ValueError(f"Chapter {chapter.title!r} at {chapter.start:.3f} s is out of order")
        previous = chapter.start
        entries.append(
            {
                "startTime": _seconds(chapter.start),
                "endTime": _seconds(chapter.end),
                "title": chapter.title,
            }
        )
    data["chapters"] = entries
    return data


def _seconds(value: float) -> float:
    return round(float(value), 3)


def json_text(data: Mapping[str, Any]) -> str:
    """``data`` as the text of a JSON file: UTF-8 characters kept, indented, final newline.

    NaN and infinity are refused, as JSON has no spelling for them.
    """
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
