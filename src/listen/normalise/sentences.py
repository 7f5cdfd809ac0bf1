"""Sentence splitting on the written text, and clause splitting for sentences an engine finds long.

``split_sentences`` knows that "Dr. Smith", "U.S. officials" and "3 p.m. Monday" do not end a
sentence, keeps closing quotes with the sentence they close, and treats a line break as a
boundary. ``split_long`` cuts a long sentence at clause boundaries (; : dashes, commas, then before
a conjunction), never inside a word.
"""

from __future__ import annotations

import re

__all__ = ["split_long", "split_sentences"]

_CANDIDATE = re.compile(r"(\.\.\.|[.!?\u2026]+)([\"'\u201d\u2019)\]]*)\s+|\n\s*")
_OPENERS = "\"'\u201c\u2018([\u00bf\u00a1"
_LIST_NUMBER = re.compile(r"\s*\(?\d{1,3}")
"""A list item's number at the start of a paragraph or heading: its full stop ends no sentence
("1. Ditch the diet")."""
_LAST_WORD = re.compile(r"(\S+)\Z")

# Abbreviations that never end a sentence: they always precede a name or a number.
_NEVER_FINAL = frozenset(
    [
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "mt",
        "gov",
        "sen",
        "rep",
        "lt",
        "gen",
        "col",
        "capt",
        "sgt",
        "cpl",
        "maj",
        "adm",
        "cmdr",
        "rev",
        "hon",
        "pres",
        "supt",
        "det",
        "insp",
        "atty",
        "fr",
        "ft",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "vs",
        "v",
        "e.g",
        "i.e",
        "approx",
        "ca",
        "cf",
        "sec",
        "secy",
    ]
)
# Abbreviations only before a number: "No. 5", "p. 36"; "said no." still ends a sentence.
_BEFORE_NUMBER = frozenset(
    ["no", "nos", "vol", "fig", "figs", "pp", "p", "art", "para", "paras", "ch", "eq"]
)
# Weekday abbreviations: not final before a date ("Tue. Nov. 18", "Sat. 9 a.m.").
_WEEKDAYS = frozenset(["mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"])
_MONTH_WORDS = frozenset(
    [
        *("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct", "nov"),
        *("dec", "january", "february", "march", "april", "june", "july", "august"),
        *("september", "october", "november", "december"),
    ]
)
# Abbreviations that may end a sentence: split only when a typical sentence opener follows.
_MAYBE_FINAL = frozenset(
    [
        "st",
        "inc",
        "ltd",
        "co",
        "corp",
        "jr",
        "sr",
        "bros",
        "etc",
        "a.m",
        "p.m",
        "dept",
        "ave",
        "blvd",
        "rd",
    ]
)
_STARTERS = frozenset(
    [
        "the",
        "a",
        "an",
        "it",
        "it's",
        "he",
        "she",
        "they",
        "we",
        "i",
        "you",
        "this",
        "that",
        "these",
        "those",
        "there",
        "their",
        "his",
        "her",
        "its",
        "our",
        "my",
        "your",
        "but",
        "and",
        "so",
        "yet",
        "or",
        "in",
        "on",
        "at",
        "for",
        "if",
        "when",
        "while",
        "after",
        "before",
        "as",
        "since",
        "although",
        "though",
        "some",
        "many",
        "most",
        "all",
        "no",
        "not",
        "what",
        "why",
        "how",
        "who",
        "where",
        "which",
        "meanwhile",
        "however",
        "still",
        "then",
        "now",
        "last",
        "next",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "officials",
        "police",
        "authorities",
        "both",
        "each",
        "every",
        "such",
        "another",
        "other",
        "others",
        "earlier",
        "later",
        "also",
        "mr",
        "mrs",
        "ms",
        "dr",
    ]
)


def split_sentences(text: str) -> list[str]:
    """Split written text into sentences; abbreviations, initials and decimals do not split."""
    sentences, start = [], 0
    for m in _CANDIDATE.finditer(text):
        if _is_boundary(text, m):
            sentences.append(text[start : m.end()].strip())
            start = m.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def _is_boundary(text: str, m: re.Match[str]) -> bool:
    if m.group(1) == "." and _LIST_NUMBER.fullmatch(text, 0, m.start()):
        return False
    if m.group(1) is None or "\n" in m.group(0):
        return True
    following = text[m.end() : m.end() + 1]
    if not following or not (following.isupper() or following.isdigit() or following in _OPENERS):
        return False
    if "." not in m.group(1) or m.group(1) == "..." or m.group(2):
        return True
    word = _LAST_WORD.search(text, 0, m.start())
    token = (word.group(1) if word else "").lstrip(_OPENERS).rstrip(".").lower()
    if token in _NEVER_FINAL or (token in _BEFORE_NUMBER and following.isdigit()):
        return False
    if token in _WEEKDAYS and (
        following.isdigit() or _next_word(text, m.end()).rstrip(".").lower() in _MONTH_WORDS
    ):
        return False
    if token in _MAYBE_FINAL or _is_initial(token):
        return _next_word(text, m.end()).lower() in _STARTERS
    return True


def _is_initial(token: str) -> bool:
    """A single letter ("F" in "John F. Kennedy") or a dotted initialism ("u.s", "u.n")."""
    letters = token.replace(".", "")
    return letters.isalpha() and (len(letters) == 1 or "." in token)


_NEXT_WORD = re.compile(r"[\"'\u201c\u2018(]*([\w']+)")


def _next_word(text: str, start: int) -> str:
    m = _NEXT_WORD.match(text, start)
    return m.group(1) if m else ""


# --- long sentences ------------------------------------------------------------------------------

_CLAUSE_CUTS = (
    re.compile(r"[;:]\s+|\s*[\u2014\u2013]\s*|\s+-\s+"),
    re.compile(r",\s+"),
    re.compile(
        r"\s+(?=(?:and|but|or|while|which|because|although|though|whereas|so|yet|after|before"
        r"|when|where|who|whose|as|if|until|unless|since)\s)"
    ),
    re.compile(r"\s+"),
)


def split_long(sentence: str, max_chars: int) -> list[str]:
    """Cut ``sentence`` into pieces of at most ``max_chars`` where a reader would pause.

    A single word longer than ``max_chars`` stays whole: it is never cut.
    """
    pieces = []
    rest = sentence.strip()
    while len(rest) > max_chars:
        cut = _best_cut(rest, max_chars)
        if cut is None:
            break
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    return pieces


def _best_cut(text: str, max_chars: int) -> int | None:
    """Where to end the first piece: the latest good boundary, preferring strong ones."""
    shortest = max_chars // 3
    for pattern in _CLAUSE_CUTS:
        ends = [m.end() for m in pattern.finditer(text, 0, max_chars + 1)]
        good = [end for end in ends if shortest <= end <= max_chars]
        if good:
            return good[-1]
    space = re.search(r"\s", text[max_chars:])
    if space is None:
        return None
    return max_chars + space.start()
