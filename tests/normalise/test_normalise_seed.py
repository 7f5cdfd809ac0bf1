"""The seed article, paragraph by paragraph, as the pipeline will say it."""

from __future__ import annotations

from pathlib import Path

import pytest

from listen.normalise import to_spoken
from listen.normalise.sentences import split_sentences

SEED = Path(__file__).parents[2] / "seeds" / "nara-drum-diplomacy.txt"


@pytest.fixture(scope="module")
def script() -> str:
    paragraphs = [p for p in SEED.read_text(encoding="utf-8").splitlines() if p.strip()]
    return "\n".join(to_spoken(s) for p in paragraphs for s in split_sentences(p))


def test_colonial_rule_is_read_as_a_range_of_years(script: str) -> None:
    assert "nineteen ten to nineteen forty-five" in script


def test_x_formerly_twitter(script: str) -> None:
    assert "on X, formerly Twitter, expressing" in script


def test_initialisms_are_spelled(script: str) -> None:
    assert "two U-S allies" in script
    assert "B-T-S's global hit" in script
    assert "U.S." not in script and "BTS" not in script


def test_no_curly_quotes_digits_or_symbols(script: str) -> None:
    assert not set(script) & set("\u201c\u201d\u2018\u2019$%&@#/+°€£¥0123456789")


def test_names_use_the_base_lexicon(script: str) -> None:
    assert "Tah-kah-ee-chee" in script and "Kay-pop" in script and "Lee Jay-mee-ung" in script
