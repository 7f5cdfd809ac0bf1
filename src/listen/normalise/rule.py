"""The rule type every normalisation step shares, and the regex pieces several rules reuse."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "LETTER_A",
    "MINUS_AFTER",
    "NUM",
    "Rewrite",
    "Rule",
    "at_end",
    "keep_final_period",
    "spell",
]

NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
"""A written number: 13,000 / 2.5 / .25 / 004 (no sign)."""
MINUS_AFTER = r"\s[-\u2013]\d"
"""A space, a dash and a digit after a number: the next figure's minus sign, as in a row of
price changes ("113.40 -1.62 -1.41%"), not a range."""

_TAIL = re.compile(r"[\s\"')\]]*\Z")


@dataclass(frozen=True)
class Rewrite:
    """One change the normaliser made: what was written, what is said, and the rule that did it."""

    written: str
    spoken: str
    rule: str


@dataclass(frozen=True)
class Rule:
    """A named pattern and the function that says what it matched.

    ``speak(match, uk)`` returns the spoken words; ``uk`` selects British spellings.
    """

    name: str
    pattern: re.Pattern[str]
    speak: Callable[[re.Match[str], bool], str]


def at_end(match: re.Match[str]) -> bool:
    """True when only closing quotes, brackets or spaces follow the match."""
    return _TAIL.match(match.string, match.end()) is not None


def keep_final_period(match: re.Match[str], spoken: str) -> str:
    """An abbreviation's period also ends the sentence when nothing follows it."""
    written = match.group(0)
    if written.endswith(".") and at_end(match):
        return spoken + "."
    return spoken


MAX_SPELLED = 12
"""Longest capital word, or run of dotted letters, read letter by letter: a longer one is read as a
word. espeak-ng dies (stack smashing, SIGSEGV) on a few hundred spelled letters ("A.A.A.")."""


LETTER_A = "A-"
"""The letter "A" on its own, said as the letter: espeak-ng (and so Piper) reads a lone "A"
before a word as the article ("Class uh shares"), but "A-" as the letter."""


def spell(letters: str) -> str:
    """``"fbi"`` -> "F-B-I", ``"usa"`` -> "U-S.A": capitals joined by hyphens, a dot before "A".

    Hyphens make engines say letter names where joined capitals would read as a word ("W-H-O",
    not "who"). After a hyphen, espeak-ng (and so Piper) reads a lone "A" as the article
    ("D-N-A" -> "D N uh"); after a dot it says the letter, so a later "A" follows a dot.
    """
    word = letters.upper()
    return word[:1] + "".join(("." if c == "A" else "-") + c for c in word[1:])
