"""Slugs: transliterated titles in any script, a short hash when nothing is left."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from listen.slug import slugify

DATA = Path(__file__).parent / "data"


def _cases() -> list[pytest.param]:
    cases = []
    for line in (DATA / "slugs.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        case, name = line.split("  #  ")
        title, slug = case.split("~")
        cases.append(pytest.param(title, slug, id=name))
    return cases


CASES = _cases()


@pytest.mark.parametrize(("title", "slug"), CASES)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_every_script_gets_its_own_slug() -> None:
    slugs = [slugify(case.values[0]) for case in CASES]
    assert len(set(slugs)) == len(slugs)
    assert "article" not in slugs


@pytest.mark.parametrize("title", ["—", "\u200b", "…", "— • —"])
def test_a_title_with_no_letters_gets_a_short_hash_of_itself(title: str) -> None:
    slug = slugify(title)
    assert re.fullmatch(r"[0-9a-f]{10}", slug)
    assert slug == slugify(title)  # stable from run to run
    assert slug != slugify(title + " ")


def test_slugify_is_short_and_breaks_between_words() -> None:
    slug = slugify("word " * 40)
    assert len(slug) <= 80 and not slug.endswith("-") and set(slug.split("-")) == {"word"}


def test_repeats_in_one_run_are_numbered() -> None:
    taken: set[str] = set()
    assert [slugify("東京", taken) for _ in range(3)] == ["dong-jing", "dong-jing-2", "dong-jing-3"]
