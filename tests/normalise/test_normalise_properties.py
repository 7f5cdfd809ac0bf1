"""Properties that hold for any input: no exception, nothing an engine would read out literally,
and normalising twice changes nothing."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from listen.normalise import to_spoken

# Letters, marks, spaces and sentence punctuation; hyphens and apostrophes inside words.
_ALLOWED = re.compile(r"[^\W\d_]|[\s.,?!;:'\"-]")
_NEWSY = st.sampled_from(
    [
        "$2.5bn",
        "1910-1945",
        "Dr.",
        "St. Louis",
        "U.S.",
        "BTS",
        "World War II",
        "3:30 p.m.",
        "https://example.com/a?b=1",
        "me@example.org",
        "52-48",
        "May 3-18",
        "Louis XIV",
        "Prof.",
        "Inc.",
        "1/3",
        "½",
        "°C",
        "12kg",
        "€30",
        "£1.2bn",
        "¥500",
        "US$",
        "#1",
        "@user",
        "&",
        "'80s",
        "1990s",
        "COVID-19",
        "5G",
        "Q3",
        "3x",
        "(555) 123-4567",
        "—",
        "…",
        "\u201c",
        "\u2019",
        "-",
        "/",
        "+",
        "%",
        "#",
        "@",
        "Jan. 5, 2026",
        "12 March 1985",
        "2026-11-24",
        "Takaichi",
        "K-pop",
        "NATO",
        "i",
        "I",
        "X",
        " ",
        ".",
        ",",
        "0",
        "00",
        "1,000",
        "1.5",
    ]
)
_TEXT = st.lists(st.one_of(_NEWSY, st.text(max_size=6)), max_size=8).map(" ".join)
_SETTINGS = settings(max_examples=300, derandomize=True, deadline=None, database=None)


def _literal(text: str) -> list[str]:
    return [c for c in text if not _ALLOWED.match(c) and unicodedata.category(c)[0] != "M"]


@_SETTINGS
@given(st.text())
def test_never_raises_on_any_unicode(text: str) -> None:
    assert isinstance(to_spoken(text), str)


@_SETTINGS
@given(_TEXT)
def test_no_digit_or_symbol_survives(text: str) -> None:
    spoken = to_spoken(text)
    assert not any(unicodedata.category(c) == "Nd" for c in spoken), spoken
    assert _literal(spoken) == [], spoken


@_SETTINGS
@given(st.text())
def test_no_digit_or_symbol_survives_any_unicode(text: str) -> None:
    spoken = to_spoken(text)
    assert not any(unicodedata.category(c) == "Nd" for c in spoken), spoken
    assert _literal(spoken) == [], spoken


@_SETTINGS
@given(_TEXT)
def test_idempotent(text: str) -> None:
    once = to_spoken(text)
    assert to_spoken(once) == once


@_SETTINGS
@given(st.text())
def test_idempotent_any_unicode(text: str) -> None:
    once = to_spoken(text)
    assert to_spoken(once) == once
