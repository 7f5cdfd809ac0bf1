"""Which SOURCEs are listings, and when the catalogue's validators are withheld."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_catalogue import record

from listen.catalogue import Catalogue, FetchValidators
from listen.ingest_sources import StaleAwareStore, is_listing


@pytest.mark.parametrize(
    ("source", "listing"),
    [
        ("https://news.example/feed", True),
        ("http://127.0.0.1:8000/wp-json/", True),
        ("saved/feed.XML", True),
        ("news.rss", True),
        ("atom.atom", True),
        ("posts.json", True),
        (Path("articles"), False),
        ("story.html", False),
        ("notes.md", False),
    ],
)
def test_a_listing_is_a_url_or_a_feed_sitemap_or_api_file(source: str, listing: bool) -> None:
    assert is_listing(source) is listing


def test_validators_are_withheld_once_a_fetched_episode_had_another_profile(
    tmp_path: Path,
) -> None:
    page = "https://news.example.org/story-1"
    now = datetime(2026, 12, 1, tzinfo=UTC)
    saved, newer = (FetchValidators(page, f'"v{n}"', None, now) for n in (1, 2))
    with Catalogue(tmp_path) as catalogue:
        catalogue.put(record(1, source=page, voice_hash="a" * 64))
        catalogue.put(record(2))  # a file's episode, with yet another profile: not counted
        catalogue.put_validators(saved)
        assert StaleAwareStore(catalogue, "a" * 64).validators(page) == saved
        assert StaleAwareStore(catalogue, "b" * 64).validators(page) is None
        StaleAwareStore(catalogue, "b" * 64).put_validators(newer)
        assert catalogue.validators(page) == newer
