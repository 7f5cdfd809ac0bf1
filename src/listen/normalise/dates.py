"""Dates and times: "Jan. 5, 2026", "12 March 1985", "2026-11-24", "May 3-18", "3:30 p.m."."""

from __future__ import annotations

import re

from listen.normalise.numbers import cardinal, ordinal, year
from listen.normalise.rule import Rule, at_end, spell

__all__ = ["MONTHS", "RULES", "WEEKDAYS", "month_name"]

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_ABBREVIATIONS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_LOOKUP = {**{m.lower(): i for i, m in enumerate(MONTHS, 1)}, **_ABBREVIATIONS}

# "May" and "March" are also a verb; only their capitalised forms start a date on their own.
_MONTH = (
    r"(?:(?i:January|February|April|June|July|August|September|October|November|December)"
    r"|May|March|MAY|MARCH"
    r"|(?i:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)(?:\.|\b))"
)
_ANY_MONTH = (
    r"(?i:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)(?:\.|\b))"
)
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1\d{3}|20\d{2}|\d{1,3}(?=\s?(?:AD|BC|BCE|CE|A\.D\.?|B\.C\.?)))"
_END = r"(?![\w:%$.,/-]\d|[\w%°$])"


def month_name(written: str) -> str:
    """ "Sept." -> "September"; raises KeyError for a word that is not a month."""
    return MONTHS[_LOOKUP[written.rstrip(".").lower()] - 1]


def _day(written: str, uk: bool) -> str:
    return ordinal(int(written.rstrip("stndrhSTNDRH")), uk=uk)


def _year(written: str, uk: bool) -> str:
    return year(int(written), uk=uk)


# --- Month Day, Year ------------------------------------------------------------------------------

_MONTH_DAY = re.compile(
    rf"\b(?P<month>{_MONTH})[\s-]?(?P<day>{_DAY})(?:\s?[-\u2013]\s?(?P<day2>{_DAY}))?"
    rf"(?:(?P<sep>,?\s|-)(?P<year>{_YEAR}))?{_END}"
)


def _speak_month_day(m: re.Match[str], uk: bool) -> str:
    spoken = month_name(m["month"]) + " " + _day(m["day"], uk)
    if m["day2"]:
        spoken += " to " + _day(m["day2"], uk)
    if m["year"]:
        spoken += ", " + _year(m["year"], uk)
    return spoken


# --- Day Month Year -------------------------------------------------------------------------------

_DAY_MONTH = re.compile(
    rf"(?:\b(?P<the>the|The)\s)?\b(?P<day>{_DAY})"
    rf"(?:(?:\s?[-\u2013]\s?|(?<=[0-9a-z])\s(?P<joined>and|to)\s)(?P<day2>{_DAY}))?"
    rf"(?:\s(?:of\s)?|-)(?P<month>{_ANY_MONTH})(?:(?P<sep>,?\s|-)(?P<year>{_YEAR}){_END})?"
    r"(?![\w-])"
)


def _speak_day_month(m: re.Match[str], uk: bool) -> str:
    spoken = (m["the"] or "the") + " " + _day(m["day"], uk)
    if m["day2"]:
        spoken += f" {m['joined'] or 'to'} " + _day(m["day2"], uk)
    if m["month"] in ("may", "march") and not m["year"] and not at_end(m):
        return m.group(0)
    spoken += " of " + month_name(m["month"])
    if m["year"]:
        spoken += ", " + _year(m["year"], uk)
    if m.group(0).endswith(".") and at_end(m):
        spoken += "."
    return spoken


# --- numeric dates --------------------------------------------------------------------------------

_ISO = re.compile(
    r"(?<![\w./-])(1\d{3}|20\d{2})([-/.])(0?[1-9]|1[0-2])\2(3[01]|[12]\d|0?[1-9])"
    r"(?![\w/-]|\.\d)"
)
_NUMERIC = re.compile(r"(?<![\w./-])(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?![\w/-]|\.\d)")


def _date(month: int, day: int, year_words: str, uk: bool) -> str:
    if uk:
        return f"the {ordinal(day)} of {MONTHS[month - 1]}, {year_words}"
    return f"{MONTHS[month - 1]} {ordinal(day)}, {year_words}"


def _speak_iso(m: re.Match[str], uk: bool) -> str:
    return _date(int(m[3]), int(m[4]), year(int(m[1])), uk)


def _speak_numeric(m: re.Match[str], uk: bool) -> str:
    first, second, written_year = int(m[1]), int(m[3]), m[4]
    day_first = uk or first > 12
    month, day = (second, first) if day_first else (first, second)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return m.group(0).replace(m[2], " ")
    return _date(month, day, _short_year(written_year), day_first)


def _short_year(written: str) -> str:
    if len(written) == 4:
        return year(int(written))
    if written.startswith("0"):
        return "oh " + cardinal(int(written))
    return cardinal(int(written))


# --- times ----------------------------------------------------------------------------------------

_MERIDIEM = r"(?P<{0}>[AaPp]\.?\s?[Mm]\b\.?)"
_ZONE = (
    r"(?:\s?(?P<zone>(?i:[ECMP][SD]?T|GMT|UTC|BST|CET|CEST|JST|KST|AEST|AEDT|HKT)\b"
    r"|(?i:[ECMP]\.[SD]\.T\b\.?)))?"
)
_CLOCK = r"(?P<h{0}>2[0-3]|[01]?\d)(?:[:.](?P<m{0}>[0-5]\d)(?::(?P<s{0}>[0-5]\d))?)?"
_TIME = re.compile(
    r"(?<![\w:.$£€])"
    + _CLOCK.format(1)
    + r"(?:\s?"
    + _MERIDIEM.format("ap1")
    + r")?(?:\s?(?:-|\u2013|to)\s?"
    + _CLOCK.format(2)
    + r"\s?"
    + _MERIDIEM.format("ap2")
    + r")?"
    + _ZONE
)


def _clock(hour: str, minute: str | None, second: str | None, meridiem: bool) -> str:
    h = int(hour)
    if second is not None:
        return _duration(h, int(minute or 0), int(second))
    if minute is None or minute == "00":
        if meridiem:
            return cardinal(h)
        if h in (0, 24) and minute:  # "00:00", "24:00"
            return "midnight"
        return cardinal(h) + (" o'clock" if h <= 12 else " hundred")
    mins = int(minute)
    return cardinal(h) + " " + ("oh " + cardinal(mins) if mins < 10 else cardinal(mins))


def _duration(h: int, m: int, s: int) -> str:
    def unit(n: int, name: str) -> str:
        return f"{cardinal(n)} {name}" + ("" if n == 1 else "s")

    return f"{unit(h, 'hour')} {unit(m, 'minute')} and {unit(s, 'second')}"


def _meridiem(written: str | None) -> str:
    """ "AM" and "PM", the broadcast-script form: after a number every engine says the letters."""
    if not written:
        return ""
    return " AM" if written[0] in "Aa" else " PM"


def _speak_time(m: re.Match[str], uk: bool) -> str:
    if not _is_time(m):
        return m.group(0)
    spoken = _clock(m["h1"], m["m1"], m["s1"], bool(m["ap1"])) + _meridiem(m["ap1"])
    if m["h2"]:
        spoken += " to " + _clock(m["h2"], m["m2"], m["s2"], True) + _meridiem(m["ap2"])
    if m["zone"]:
        spoken += " " + spell(m["zone"].replace(".", ""))
    written = m.group(0)
    if written.endswith(".") and at_end(m):
        spoken += "."
    return spoken


def _is_time(m: re.Match[str]) -> bool:
    """A bare "10.45" is a decimal; a time needs a colon, or a.m./p.m."""
    if m["ap1"] or m["ap2"]:
        return True
    if m["m1"] is None:
        return False
    return ":" in m.group(0) and not m.string[m.end() : m.end() + 1].isdigit()


_WIRE_TIME = re.compile(
    r"(?<![\w.,:])([01]\d|2[0-3])([0-5]\d)"
    r"(?:\s?(hrs)\b|(?=\s?(?:GMT|UTC|BST|CET|CEST|EST|EDT|ET|PT|Zulu|hours|local time)\b))"
)
"""A 24-hour time as wire copy writes it: "0630 GMT", "1400 hrs"."""


def _speak_wire_time(m: re.Match[str], uk: bool) -> str:
    """ "0630 GMT" is "oh six thirty G-M-T", "1400 hrs" "fourteen hundred hours"."""
    hour, minute = int(m[1]), int(m[2])
    said = ("oh " if m[1][0] == "0" and hour else "") + cardinal(hour)
    if minute == 0:
        said += " hundred"
    else:
        said += (" oh " if minute < 10 else " ") + cardinal(minute)
    return said + (" hours" if m[3] else "")


RULES = (
    Rule("time", _WIRE_TIME, _speak_wire_time),
    Rule("date", _ISO, _speak_iso),
    Rule("date", _NUMERIC, _speak_numeric),
    Rule("time", _TIME, _speak_time),
    Rule("date", _MONTH_DAY, _speak_month_day),
    Rule("date", _DAY_MONTH, _speak_day_month),
)
