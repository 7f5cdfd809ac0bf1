"""Helpers for the publishing tests: real cover images and feed episodes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PIL import Image

from listen.feed import FeedEpisode

BASE = "https://example.org/listen/"
FEED_URL = BASE + "feed.xml"


def write_cover(path: Path, size: tuple[int, int] = (1400, 1400), kind: str = "JPEG") -> Path:
    """A real image of ``size`` saved by Pillow as ``kind`` (JPEG, PNG, GIF; CMYK: a CMYK JPEG)."""
    if kind == "CMYK":
        Image.new("CMYK", size, (10, 20, 30, 0)).save(path, format="JPEG")
    else:
        Image.new("RGB", size, (40, 90, 160)).save(path, format=kind)
    return path


def make_episode(number: int, base: str = BASE, **changes: Any) -> FeedEpisode:
    """Episode ``number`` of the test show, published on day ``number`` of November 2026."""
    slug = f"story-{number}"
    fields: dict[str, Any] = {
        "guid": f"https://news.example.org/{slug}",
        "title": f"Story number {number}",
        "description": f"The story numbered {number}.\n\nIts second paragraph.",
        "published": datetime(2026, 11, number, 6, 30, tzinfo=UTC),
        "audio_url": f"{base}{slug}.mp3",
        "audio_bytes": 100_000 + number,
        "duration": 60.4 + number,
        "link": f"https://news.example.org/{slug}",
        "transcript_url": f"{base}{slug}.vtt",
        "chapters_url": f"{base}{slug}.chapters.json",
    }
    fields.update(changes)
    return FeedEpisode(**fields)
