"""Text normalisation: written news English to what a newsreader says.

``to_spoken("$2.5bn in 1910-1945")`` -> "two point five billion dollars in nineteen ten to
nineteen forty-five". Pure and deterministic: regular expressions and tables, no model, no network.

The order of the rules lives here. Each step claims what it recognises and leaves words behind,
so later steps only see what earlier ones left alone:

1. typography (quotes, dashes, Unicode forms), then the lexicon's own respellings;
2. addresses that hold digits and dots: e-mail, URLs, phone numbers, hashtags;
3. abbreviations that must be read before numbers ("Dr.", "St.", "No. 5", "Sept.");
4. powers, hexadecimal and version numbers, then dates and times, then money and measures,
   then every other number;
5. Roman numerals, dotted initialisms ("U.S."), all-capital words ("FBI", "NATO");
6. whatever symbol is left becomes a word or a pause.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from listen.normalise import (
    abbreviations,
    dates,
    measures,
    money,
    places,
    quantities,
    symbols,
    technical,
)
from listen.normalise.lexicon import BASE_LEXICON, Lexicon, default_lexicon, load_lexicon
from listen.normalise.rule import Rewrite, Rule
from listen.normalise.spelling import RULES_TO_UK, RULES_TO_US

__all__ = [
    "BASE_LEXICON",
    "Lexicon",
    "Rewrite",
    "default_lexicon",
    "explain",
    "load_lexicon",
    "to_spoken",
]

_ADDRESSES = symbols.RULES
_NUMBERS = (
    *technical.RULES,
    *dates.RULES,
    *money.RULES,
    *measures.RULES,
    *technical.LATE,
    *quantities.RULES,
)


def _pipeline(lexicon: Lexicon) -> tuple[tuple[Rule, ...], tuple[Rule, ...], tuple[Rule, ...]]:
    """The rules for one lexicon: (always, only-with-digits, after-numbers)."""
    before = (*lexicon.rules, *_ADDRESSES, *places.RULES, *abbreviations.EARLY)
    return before, _NUMBERS, (*abbreviations.LATE, lexicon.caps)


def explain(
    text: str, *, lexicon: Lexicon | None = None, spelling: str = "us"
) -> tuple[str, tuple[Rewrite, ...]]:
    """The spoken form of ``text`` and every rewrite that made it, in the order applied."""
    log: list[Rewrite] = []
    return _normalise(text, lexicon, spelling, log), tuple(log)


def to_spoken(text: str, *, lexicon: Lexicon | None = None, spelling: str = "us") -> str:
    """The spoken form of a plain-text snippet: words and sentence punctuation only."""
    return _normalise(text, lexicon, spelling, None)


def _normalise(text: str, lexicon: Lexicon | None, spelling: str, log: list[Rewrite] | None) -> str:
    uk = spelling.lower() in ("uk", "gb", "en-gb", "british")
    before, numbers, after = _pipeline(lexicon if lexicon is not None else default_lexicon())
    text = symbols.prepare(text)
    text = _run(before, text, uk, log)
    if any(c.isdigit() for c in text):
        text = _run(numbers, text, uk, log)
    text = _run(after, text, uk, log)
    text = _run(RULES_TO_UK if uk else RULES_TO_US, text, uk, log)
    return _run(abbreviations.INITIALS, symbols.finish(text), uk, log)


def _run(rules: Sequence[Rule], text: str, uk: bool, log: list[Rewrite] | None) -> str:
    for rule in rules:
        text = rule.pattern.sub(_speaker(rule, uk, log), text)
    return text


def _speaker(rule: Rule, uk: bool, log: list[Rewrite] | None) -> Callable[[re.Match[str]], str]:
    def speak(m: re.Match[str]) -> str:
        spoken = rule.speak(m, uk)
        written = m.group(0)
        if spoken == written:
            return spoken
        if log is not None:
            log.append(Rewrite(written.strip(), spoken.strip(), rule.name))
        return _pad(m, spoken)

    return speak


def _pad(m: re.Match[str], spoken: str) -> str:
    """Keep words apart: "5pm" -> "five P M", never "fiveP M"."""
    string, start, end = m.string, m.start(), m.end()
    if start and string[start - 1].isalnum() and spoken[:1].isalnum():
        spoken = " " + spoken
    if end < len(string) and string[end].isalnum() and spoken[-1:].isalnum():
        spoken += " "
    return spoken
