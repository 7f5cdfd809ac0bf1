"""Numbers written the technical way: powers, hexadecimal, version numbers, "50-50", and scale
suffixes on bare numbers ("15K runners", "3bn people").

Run first among the number rules, before measures and ranges would read "0x08" as a dimension,
"2^15 - 1" as a range, or "1.8.3" as a decimal followed by a stray number.
"""

from __future__ import annotations

import re

from listen.normalise.numbers import cardinal, digits, number, year
from listen.normalise.rule import NUM, Rule, spell

__all__ = ["LATE", "RULES"]

_DIGIT_NAMES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

# --- powers: 2^15 - 1, 10^5, 10^-3 ----------------------------------------------------------------

_POWER = re.compile(
    rf"(?<![\w.,])(?P<base>{NUM})\s?\^\s?(?P<exp>-?\d+)"
    rf"(?:\s?(?P<op>[-+])\s?(?P<term>{NUM})(?![\w.,]\d|\w))?"
)


def _speak_power(m: re.Match[str], uk: bool) -> str:
    exponent = m["exp"]
    power = ("minus " if exponent.startswith("-") else "") + cardinal(int(exponent.lstrip("-")))
    spoken = f"{number(m['base'], uk=uk)} to the power of {power}"
    if m["op"]:
        spoken += (" minus " if m["op"] == "-" else " plus ") + number(m["term"], uk=uk)
    return spoken


# --- hexadecimal: 0x08, 0xFF ----------------------------------------------------------------------

_HEX = re.compile(r"(?<![\w.])0x(?P<hex>[0-9A-Fa-f]+)\b")


def _speak_hex(m: re.Match[str], uk: bool) -> str:
    said = (_DIGIT_NAMES[int(c)] if c.isdigit() else c.upper() for c in m["hex"])
    return "hex " + " ".join(said)


# --- version numbers: 1.8.3, v2.0.1 ---------------------------------------------------------------

_VERSION = re.compile(r"(?<![\w.,])(?P<v>v)?(?P<parts>\d+(?:\.\d+){2,3})(?![\w]|\.\d)")


def _speak_version(m: re.Match[str], uk: bool) -> str:
    parts = m["parts"].split(".")
    if len(parts[-1]) == 4:  # a date written with dots: 18.11.2026
        return m.group(0)
    spoken = " point ".join(_version_part(p) for p in parts)
    return ("version " if m["v"] else "") + spoken


def _version_part(part: str) -> str:
    if len(part) > 1 and part.startswith("0"):
        return " ".join(_DIGIT_NAMES[int(c)] for c in part)
    return cardinal(int(part))


# --- even odds: 50-50 -----------------------------------------------------------------------------

_EVEN = re.compile(r"(?<![\w.,-])(\d{1,3})-\1(?![\w/-]|[.,]\d)")  # not "1-1/2"


def _speak_even(m: re.Match[str], uk: bool) -> str:
    said = "nil" if uk and m[1] == "0" else cardinal(int(m[1]))
    return f"{said}-{said}"


# --- years before 1100 after a word that introduces a year: "in 1066" ----------------------------

_EARLY_YEAR = re.compile(
    r"\b(?P<word>in|In|of|by|By|since|Since|from|From|until|till|before|Before|after|After"
    r"|around|circa|year|Year)\s(?P<year>10\d\d)(?![\w%°]|[.,]\d)"
    r"(?!\s+(?!(?:and|or|to|the|a|an|when|as|at|after|before|during|until|with|by|that|which"
    r"|was|were|is|he|she|they|it|on|in|until)\b)[a-z])"
)

# --- scale suffixes on bare numbers: 15K runners, 5M users, 3bn people ---------------------------

_SCALES = {"k": "thousand", "K": "thousand", "M": "million", "mn": "million", "mln": "million"}
_SCALES |= {"bn": "billion", "BN": "billion", "tn": "trillion", "trn": "trillion"}
_SCALED = re.compile(
    rf"(?<![\w.,$£€¥/-])(?P<n>{NUM})\s?"
    r"(?:(?P<s>bn|BN|trn|tn|mln|mn)\b(?![.,]?\d)"
    r"|(?P<k>[kKM])(?=\s+[a-z]|-[a-z])"
    r"(?![\s-](?:race|run|runs|races|TV|TVs|video|videos|resolution|display"
    r"|screen|screens|monitor|monitors|footage|streaming)\b))"
)
"""A count with its scale: "1.5bn people", "a 3tn economy", "5bn" anywhere (it is never a
unit); "15K runners" and "2M users" only before a word, since "5K" may be a race."""


def _speak_scaled(m: re.Match[str], uk: bool) -> str:
    scale = m["s"] or m["k"]
    if _not_scaled(m["n"], scale):
        return m.group(0)
    return f"{number(m['n'], uk=uk)} {_SCALES[scale]}"


def _not_scaled(written: str, scale: str) -> bool:
    """ "4K" and "8K" are resolutions ("4K output"); "5500M" is a chip's name, not 5.5 billion:
    news writes thousands of millions as billions."""
    if scale in "kK" and written in ("4", "8"):
        return True
    return scale == "M" and len(written.replace(",", "")) >= 4


# --- thousands spaced, as SI style writes them: 2 500 000 ---------------------------------------

_SPACED_THOUSANDS = re.compile(r"(?<![\w.,+-])\d{1,3}(?: \d{3}){2,}(?![\w]|[.,]\d)")
"""At least two spaced groups of three, so "in 2024 1234 people" and "scored 3 123" stay apart;
phone numbers, which start with a zero, were claimed earlier."""

_LINEAGE = re.compile(r"(?<![\w.])([A-Z]{1,4})\.(\d{1,3}(?:\.\d{1,3})*)(?![\w]|\.\d)")


def _speak_lineage(m: re.Match[str], uk: bool) -> str:
    """A virus lineage: "BA.2" is "B-A point two", "XBB.1.5" "X-B-B point one point five"
    (the digits alone left full stops that the engine read as the ends of sentences)."""
    numbers = " point ".join(cardinal(int(n)) for n in m[2].split("."))
    if m[1] == "ID":  # Volkswagen's cars: "ID.3" is "I-D three"
        return f"{spell(m[1])} {numbers}"
    return f"{spell(m[1])} point {numbers}"


_WIFI = re.compile(r"\b802\.11([a-z]{1,2})?\b")


def _speak_wifi(m: re.Match[str], uk: bool) -> str:
    """ "802.11ax", the Wi-Fi standard, is "eight oh two dot eleven A-X"."""
    return "eight oh two dot eleven" + (" " + spell(m[1]) if m[1] else "")


_ISBN = re.compile(r"\b(ISBN|ISSN)(?:-1[03])?:?\s?(\d[\d -]{6,15}[\dXx])\b")


def _speak_isbn(m: re.Match[str], uk: bool) -> str:
    """A book's number digit by digit in its groups: "ISBN 978-0-19-953556-9"."""
    groups = [g for g in re.split(r"[ -]", m[2]) if g]
    said = ", ".join(" ".join(digits(c) if c.isdigit() else "X" for c in g) for g in groups)
    return f"{spell(m[1])} {said}"


RULES = (
    Rule("book number", _ISBN, _speak_isbn),
    Rule("standard", _WIFI, _speak_wifi),
    Rule("lineage", _LINEAGE, _speak_lineage),
    Rule("thousands", _SPACED_THOUSANDS, lambda m, uk: m.group(0).replace(" ", ",")),
    Rule("power", _POWER, _speak_power),
    Rule("hexadecimal", _HEX, _speak_hex),
    Rule("version", _VERSION, _speak_version),
    Rule("even odds", _EVEN, _speak_even),
    Rule("year", _EARLY_YEAR, lambda m, uk: f"{m['word']} {year(int(m['year']), uk=uk)}"),
)
"""Before dates, money and measures."""

LATE = (Rule("scale", _SCALED, _speak_scaled),)
"""After money ("$150K" is money) and before measures and plain numbers."""
