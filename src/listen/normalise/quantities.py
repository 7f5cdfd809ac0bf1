"""Numbers in running text: ranges and scores, fractions, ordinals, decades, alphanumerics, years.

Run after dates, times, money and measures, which claim their own numbers first; the last rule
reads out any digit still left, so no digit ever reaches the engine.
"""

from __future__ import annotations

import re

from listen.normalise.numbers import (
    cardinal,
    decade,
    digits,
    fraction,
    number,
    ordinal,
    plural,
    year,
)
from listen.normalise.rule import LETTER_A, MINUS_AFTER, NUM, Rule, spell

__all__ = ["RULES"]

_YEARISH = re.compile(r"1[1-9]\d\d|20\d\d")


def _is_year(written: str) -> bool:
    return _YEARISH.fullmatch(written) is not None


# --- decades --------------------------------------------------------------------------------------

_DECADE = r"'?(\d{2}|\d{3}0)(?:'|(?<=\d{3}0)\s(?=s\b))?s"
_DECADE_RANGE = re.compile(rf"(?<![\w']){_DECADE}\s?[-\u2013]\s?{_DECADE}\b")
_DECADES = re.compile(rf"(?<![\w'.,]){_DECADE}\b")


def _speak_decade_range(m: re.Match[str], uk: bool) -> str:
    return decade(int(m[1])) + " to " + decade(int(m[2]))


def _speak_decade(m: re.Match[str], uk: bool) -> str:
    value = int(m[1])
    if value % 10:
        return cardinal(value) + "'s" if m.group(0).endswith("'s") else m.group(0)
    return decade(value)


# --- quarters and inches -------------------------------------------------------------------------

_QUARTER = re.compile(r"\b([1-4])([QH])\s?((?:19|20)?\d{2})\b")
_HALF = re.compile(r"\bH([12])\s?((?:19|20)\d{2})\b(?![.,]\d)")
"""A half year as markets write it: "H1 2024" is "the first half of twenty twenty-four"."""
_QUARTER_APOSTROPHE = re.compile(r"\b([QH])([1-4])\s?'(\d{2})\b")
_TENOR = re.compile(
    r"\b(\d{1,2})Y(?=\s(?:yields?|notes?|bonds?|Treasur(?:y|ies)|gilts?|Bunds?|swaps?|rates?)\b)"
)
"""A bond's term as dealers write it: "the 10Y yield" is "the ten-year yield"."""
_INCHES = re.compile(rf"(?<![\w.,])(?:({NUM})\s?[-\u2013]\s?)?({NUM})\"")


def _speak_quarter(m: re.Match[str], uk: bool) -> str:
    """ "3Q24" is "the third quarter of twenty-four", "1H 2024" "the first half of twenty
    twenty-four"."""
    written_year = m[3]
    said = year(int(written_year)) if len(written_year) == 4 else cardinal(int(written_year))
    part = "quarter" if m[2] == "Q" else "half"
    return f"the {ordinal(int(m[1]))} {part} of {said}"


def _speak_quarter_apostrophe(m: re.Match[str], uk: bool) -> str:
    """ "Q1'24" is "Q one twenty-four"."""
    return f"{m[1]} {cardinal(int(m[2]))} {cardinal(int(m[3]))}"


def _inches(written: str) -> str:
    return number(written) + (" inch" if written == "1" else " inches")


def _speak_inches(m: re.Match[str], uk: bool) -> str:
    """``12"`` is twelve inches and ``1-2"`` one to two inches, unless the mark closes a
    quotation opened before it."""
    if m.string.count('"', 0, m.start()) % 2:
        return m.group(0)
    if m[1]:
        return f"{number(m[1], uk=uk)} to {_inches(m[2])}"
    return _inches(m[2])


# --- arithmetic: 1-4=5 -------------------------------------------------------------------------

_SUM = re.compile(rf"(?<![\w.,])({NUM})\s?([-+×*/])\s?({NUM})\s?=\s?(-?{NUM})(?![\w])")
_OPERATORS = {"-": "minus", "+": "plus", "×": "times", "*": "times", "/": "divided by"}


def _speak_sum(m: re.Match[str], uk: bool) -> str:
    left, right, total = (number(x.lstrip("-"), uk=uk) for x in (m[1], m[3], m[4]))
    total = ("minus " if m[4].startswith("-") else "") + total
    return f"{left} {_OPERATORS[m[2]]} {right} equals {total}"


# --- records: 14-0-1, 3-2-1 ----------------------------------------------------------------------

_RECORD = re.compile(r"(?<![\w.,$£€¥-])(\d{1,2})-(\d{1,2})-(\d{1,2})(?![\w%°-]|[.,]\d)")


def _speak_record(m: re.Match[str], uk: bool) -> str:
    """Three numbers joined by hyphens (dates are read before) are a team's record, a vote or
    a formation: "14-0-1" is "fourteen-oh-one", not a range. With a number of twenty or more
    the parts are listed, "49-30-4" "forty-nine, thirty and four": run together, "thirty"
    and "four" would be heard as thirty-four."""
    words = ["oh" if n == "0" else cardinal(int(n)) for n in m.groups()]
    if max(map(int, m.groups())) < 20:
        return "-".join(words)
    return f"{words[0]}, {words[1]} and {words[2]}"


# --- ranges and scores: 1910-1945, 2024-25, 18-24, 52-48 ------------------------------------------

_RANGE = re.compile(
    rf"(?<![\w.,$£€¥-])({NUM})(?!{MINUS_AFTER})(?:\s?[-\u2013]\s?|\s(?:to|through)\s)({NUM})"
    r"(?![\w%°]|[.,]\d)"
)


def _speak_range(m: re.Match[str], uk: bool) -> str:
    first, second = m[1], m[2]
    if " through " in m.group(0):
        joined = " through "
    else:
        joined = " and " if _BETWEEN.search(m.string, 0, m.start()) else " to "
    if _is_year(first) and (_is_year(second) or (len(second) == 2 and second > first[2:])):
        return year(int(first)) + joined + _end_year(int(first), second)
    if second == "0" and first.isdigit() and len(first) <= 2 and first != "0":
        return _nil_score(m, first, uk)
    return number(first, uk=uk) + joined + number(second, uk=uk)


_BETWEEN = re.compile(r"\bbetween\s+\Z", re.IGNORECASE)


def _end_year(first: int, second: str) -> str:
    """The end of a span of years: "2019-20" ends "twenty", "2000-01" "two thousand one"."""
    if len(second) == 4:
        return year(int(second))
    full = first // 100 * 100 + int(second)
    if full <= first:  # "1999/00" ends in the next century
        full += 100
    return cardinal(int(second)) if int(second) >= 10 else year(full)


def _nil_score(m: re.Match[str], first: str, uk: bool) -> str:
    """A range never ends at zero, so "2-0" is a score: "two-nil" in Britain, "two to nothing"
    in America; "two to zero" is neither."""
    said = cardinal(int(first))
    return f"{said}-nil" if uk else f"{said} to nothing"


# --- tennis: 6-4, 7-6 (5), 6-0 --------------------------------------------------------------------

_SET = r"[0-7]\s?[-\u2013]\s?[0-7](?:\s?\((?:\d{1,2}\s?[-\u2013]\s?)?\d{1,2}\))?"
_SETS = re.compile(
    rf"(?<![\w.,$£€¥(-])(?:{_SET}(?:,\s?|\s))+{_SET}(?![\w%°-]|[.,]\d)|(?<![\w.,-]){_SET}(?<=\))"
)
"""Two or more sets ("6-4, 6-0", "6-4 6-3"), or one with its tie-break ("7-6 (5)")."""
_ONE_SET = re.compile(
    r"([0-7])\s?[-\u2013]\s?([0-7])(?:\s?\((?:(\d{1,2})\s?[-\u2013]\s?)?(\d{1,2})\))?"
)


def _speak_sets(m: re.Match[str], uk: bool) -> str:
    """A tennis score, set by set, as a commentator gives it: "six-four, six-love", and a
    tie-break's score whole, "seven-six, seven-five in the tie-break" for "7-6 (5)" (the
    loser's points). Left for the range rule unless every pair is a set that can end so."""
    sets = [s.groups() for s in _ONE_SET.finditer(m.group(0))]
    if not all(_a_set(int(a), int(b), tb) for a, b, _, tb in sets):
        return m.group(0)
    return ", ".join(_said_set(a, b, tb_first, tb) for a, b, tb_first, tb in sets)


def _a_set(a: int, b: int, tiebreak: str | None) -> bool:
    won, lost = max(a, b), min(a, b)
    if tiebreak is not None:
        return won == 7 and lost == 6
    return (won == 6 and lost <= 4) or (won == 7 and lost in (5, 6))


def _said_set(a: str, b: str, tb_first: str | None, tb: str | None) -> str:
    said = f"{_game(int(a))}-{_game(int(b))}"
    if tb is None:
        return said
    if tb_first is not None:  # "7-6 (7-5)": both points given
        points = (int(tb_first), int(tb))
    else:  # "7-6 (5)": the loser's points; the winner won by two, and at least seven
        lost = int(tb)
        points = (max(7, lost + 2), lost) if int(a) > int(b) else (lost, max(7, lost + 2))
    return f"{said}, {_game(points[0])}-{_game(points[1])} in the tie-break"


def _game(count: int) -> str:
    return "love" if count == 0 else cardinal(count)


# --- fiscal years: FY2024, FY24, FY 2024-25 ------------------------------------------------------

_FISCAL = re.compile(r"\bFY\s?((?:19|20)\d\d|\d\d)(?:\s?[-/\u2013]\s?((?:19|20)\d\d|\d\d))?\b")


def _speak_fiscal(m: re.Match[str], uk: bool) -> str:
    """ "FY2024" is "fiscal year twenty twenty-four", "FY24" "fiscal year twenty-four"."""
    spoken = "fiscal year " + _year_or_two_digits(m[1])
    return spoken + (" to " + _year_or_two_digits(m[2]) if m[2] else "")


def _year_or_two_digits(written: str) -> str:
    return year(int(written)) if len(written) == 4 else _two_digit_year(int(written))


def _two_digit_year(value: int) -> str:
    return cardinal(value) if value >= 10 else "oh " + cardinal(value)


# --- seasons and tax years: 2023/24, 2023/2024 ---------------------------------------------------

_YEAR_SPAN = re.compile(r"(?<![\w/.,])(1[89]\d\d|20\d\d)/(\d\d|\d{4})(?![\w/]|[.,]\d)")


def _speak_year_span(m: re.Match[str], uk: bool) -> str:
    """A year and a later one: "the 2023/24 season" is "twenty twenty-three to twenty-four",
    "Power, 1922/33" "nineteen twenty-two to thirty-three". A pair that goes back ("1999/12",
    except "1999/00") or spans over a century is left for the fraction rule."""
    first, second = int(m[1]), m[2]
    if len(second) == 4:
        later = first < int(second) <= first + 100
    else:
        later = int(second) > first % 100 or int(second) == (first + 1) % 100
    if not later:
        return m.group(0)
    return year(first) + " to " + _end_year(first, second)


# --- aircraft and teams: the 737 MAX, an A380, the 49ers ----------------------------------------

_BOEING = re.compile(
    r"(?:(?<=Boeing )|\b(?=7[0-8]7(?:-[1-9]00)?s?\s(?:MAX|Max|Dreamliner)\b)"
    r"|(?<![\w.,-])(?<!pages )(?<!pp\. )(?=7[0-8]7-[1-9]00s?\b))"
    r"(7[0-8]7)(?:-([1-9]00|(?<=Boeing 787-)(?:9|10)))?(s?)\b"
    r"|\b(7[0-8]7)[xX]\b"
)
_GRAPHICS = re.compile(r"\b((?:RTX|GTX|RX) ?)([1-9]\d{3})\b(?![.,]\d)")
"""A graphics card's model, said in pairs: "RTX 4090" is "forty ninety"."""
_AIRBUS = re.compile(r"\bA(3(?:00|10|18|19|20|21|30|40|50|80)|220)(neo|ceo|XLR|LR)?(s?)\b")
_TEAM = re.compile(r"(?<![\w.,])(49|76)ers\b")
_ROAD = re.compile(
    r"\b(I-|Interstate |Highway |Hwy\.? |Route |State Route |SR[- ]|U\.S\. |US )(\d{3})\b(?![.,]\d)"
    r"|\bthe (\d{3})(?= (?:[Ff]reeway|[Ee]xpressway|[Tt]urnpike)\b)"
    r"|(?<=\bthe )([AM])(\d{3,4})\b(?![.,]\d)"
)
"""A road's number, said in pairs as drivers say it: "I-405" is "I four oh five", "the 101
freeway" "the one oh one freeway", the British "A303" "A three oh three"."""


def _speak_road(m: re.Match[str], uk: bool) -> str:
    if m[2]:
        prefix = {"Hwy ": "Highway ", "Hwy. ": "Highway ", "SR-": "SR ", "I-": "I "}.get(m[1], m[1])
        return prefix + year(int(m[2]))
    if m[3]:
        return "the " + year(int(m[3]))
    letter = LETTER_A if m[4] == "A" else m[4]
    return f"{letter} {year(int(m[5]))}"


_BATTING = re.compile(
    r"(?<![\w.])\.(\d{3})\b(?= (?:hitter|average|batting|clip|on-base|slugging)\b)"
    r"|(?:(?<=\bbatting )|(?<=\bhitting )|(?<=\bbatted )|(?<=\bhit ))\.(\d{3})\b(?![.,]\d)"
)
"""A batting average as baseball says it: "a .300 hitter" is "a three hundred hitter",
"batting .275" "batting two seventy-five"."""
_CALIBER = re.compile(
    r"(?<![\w.])\.(\d{2,3})(?=[- ]?(?:caliber|calibre|cal\.)|"
    r" (?:Special|Magnum|ACP|Remington|Winchester)\b)"
)
"""A cartridge: "a .45-caliber pistol" is "a forty-five caliber pistol"."""
_DOWN = re.compile(r"\b([1-4])(?:st|nd|rd|th)([- ])(?:and|&)\2(\d{1,2})\b(?![.,]\d)")
"""A football down and distance: "4th-and-1" is "fourth-and-one"."""
_STATUS = re.compile(r"\b([45]0\d)(?= (?:errors?|pages?|status|response|codes?)\b)")
"""A web server's status, as developers say it: "a 404 error" is "a four oh four error"."""
_FOR = re.compile(r"(?<![\w.,-])(\d{1,2})-for-(\d{1,2})\b(?!-)")
"""A hitter's or a shooter's line: "went 1-for-3" is "one-for-three"."""
_EPISODE = re.compile(r"\bS(\d{1,2})\s?E(\d{1,3})\b")
"""A series and episode as listings write them: "S02E05" is "season two, episode five"."""
_RESOLUTION = re.compile(r"\b(480|576|720|1080|1440|2160|4320)([pi])\b")
"""A video resolution, said in pairs as the trade says it: "1080p" is "ten eighty P"."""


def _speak_resolution(m: re.Match[str], uk: bool) -> str:
    return f"{year(int(m[1]))} {m[2].upper()}"


def _speak_boeing(m: re.Match[str], uk: bool) -> str:
    """ "Boeing 737-800s" is "seven thirty-seven eight hundreds" (a 737-800 is a Boeing
    without the name), "Boeing 787-9" "seven eighty-seven nine", "777X" "seven seventy-seven X".
    """
    if m[4]:
        return year(int(m[4])) + " X"
    spoken = year(int(m[1])) + (" " + cardinal(int(m[2])) if m[2] else "")
    return plural(spoken) if m[3] else spoken


def _speak_airbus(m: re.Match[str], uk: bool) -> str:
    """ "an A380" is "an A three-eighty", "A321neos" "A three-twenty-one neos"."""
    model = int(m[1])
    spoken = f"{LETTER_A} {cardinal(model // 100)}-{cardinal(model % 100)}"
    if m[2]:
        return f"{spoken} {m[2]}{m[3]}"
    return plural(spoken) if m[3] else spoken


def _speak_team(m: re.Match[str], uk: bool) -> str:
    """ "49ers" are the "forty-niners", "76ers" the "seventy-sixers"."""
    words = cardinal(int(m[1]))
    return words + ("rs" if words.endswith("e") else "ers")


# --- emergency numbers: call 999, dial 911, the 111 service -------------------------------------

_EMERGENCY = re.compile(r"(?<![\w.,])(999|911|111|112|101)(?![\w]|[.,]\d)")
_DIALLED = re.compile(
    r"\b(?:call|calls|called|calling|dial|dials|dialled|dialed|dialling|dialing|ring|rang"
    r"|phone|phoned|text|texted)\s+\Z",
    re.IGNORECASE,
)
_SERVICE = re.compile(r"\s+(?:calls?|services?|operators?|dispatchers?|lines?|emergency|number)\b")


def _speak_emergency(m: re.Match[str], uk: bool) -> str:
    """An emergency number dialled or named ("call 999", "the 111 service") is said digit by
    digit; "999 birds" is left for the number rules."""
    dialled = _DIALLED.search(m.string, 0, m.start()) is not None
    if dialled or _SERVICE.match(m.string, m.end()):
        return digits(m[1])
    return m.group(0)


# --- plurals of numbers: the under-21s, 100s of people -------------------------------------------

_NUMBER_PLURAL = re.compile(
    r"(?<![\w.,'$£€¥])(?<![A-Z]-)(?<!iPhone )(?<!iPad )(?<!Galaxy )(?<!Pixel )(?<!Model )"
    r"(\d{1,3}(?:,\d{3})*)s\b"
)
"""Not a model's name: "iPhone 5s", "Galaxy S10s" stay as they are."""


def _speak_number_plural(m: re.Match[str], uk: bool) -> str:
    """ "the under-21s" are the "under twenty-ones", "100s of people" "hundreds of people"."""
    value = int(m[1].replace(",", ""))
    spoken = cardinal(value, uk=uk)
    if value in (100, 1000, 1_000_000):
        spoken = spoken.removeprefix("one ")
    return plural(spoken)


# --- fractions, multipliers, dimensions ---------------------------------------------------------

_FRACTION = re.compile(
    r"(?<![\w/.,-])(?:(\d{1,3})\s|(\d{1,3})-(?=[1-8]/[2-9]\b))?"
    r"(\d+)/(\d+)(?:st|nd|rd|th|ST|ND|RD|TH)?(?![\w/]|[.,]\d)"
)
"""A fraction, with its whole number before a space or, as US papers write a mixed number
before a hyphen ("1-1/2", "3-1/4": a one-digit fraction whose top is less than its bottom)."""


def _speak_fraction(m: re.Match[str], uk: bool) -> str:
    whole, top, bottom = m[1] or m[2], int(m[3]), int(m[4])
    if whole is None and top == bottom == 50:
        return "fifty-fifty"
    if whole is None and (bottom == 1 < top or _odds(m)):  # "5/1", "odds of 11/4"
        return f"{cardinal(top, uk=uk)} to {cardinal(bottom, uk=uk)}"
    if bottom == 0:
        return number(m[3]) + " over zero"
    if whole is None and top <= bottom in (5, 10, 100) and _rating(m):  # "4/5 stars"
        return f"{cardinal(top, uk=uk)} out of {cardinal(bottom, uk=uk)}"
    spoken = fraction(top, bottom, uk=uk)
    if whole is None:
        return spoken
    if top == 1 and bottom > 1:
        spoken = "a " + spoken.removeprefix("one ")
    return cardinal(int(whole), uk=uk) + " and " + spoken


_ODDS_BEFORE = re.compile(r"\b(?:odds of|odds|at|priced at)\s+\Z", re.IGNORECASE)
_ODDS_AFTER = re.compile(r"\s+(?:favou?rites?|shots?|outsiders?|chances?|odds|on|against)\b")


_RATING_BEFORE = re.compile(
    r"\b(?:rated|rates|scored|scores|rating:?|score:?|verdict:?)\s*\Z", re.I
)
_RATING_AFTER = re.compile(r"\s?(?:stars?|rating)\b")


def _rating(m: re.Match[str]) -> bool:
    """A reviewer's score: "4/5 stars", "rated 9/10", "Verdict: 8/10"."""
    before = _RATING_BEFORE.search(m.string, 0, m.start()) is not None
    return before or _RATING_AFTER.match(m.string, m.end()) is not None


def _odds(m: re.Match[str]) -> bool:
    """Betting odds: "odds of 11/4", "a 9/2 shot", "the 7/4 favourite"."""
    before = _ODDS_BEFORE.search(m.string, 0, m.start()) is not None
    return before or _ODDS_AFTER.match(m.string, m.end()) is not None


# --- ratios and verses: a 2:1 ratio, Psalm 23:4 ---------------------------------------------------

_RATIO = re.compile(r"(?<![\w:.,])(\d{1,3}):(\d{1,3}(?:,\d{3})+|\d)(?![\d:]|[.,]\d)")
_BOOK_BEFORE = re.compile(r"\b[A-Z][a-z]+\s+\Z")


def _speak_ratio(m: re.Match[str], uk: bool) -> str:
    """ "a 2:1 ratio" and a 2:1 win are "two to one"; "Psalm 23:4" is "Psalm twenty-three four"."""
    first, second = cardinal(int(m[1]), uk=uk), number(m[2], uk=uk)
    if _BOOK_BEFORE.search(m.string, 0, m.start()):
        return f"{first} {second}"
    return f"{first} to {second}"


_TIMES = re.compile(
    rf"(?<![\w.,])({NUM})\s?[x×]\s?({NUM})(?![\w])|(?<![\w.,])({NUM})[x×](?!\w)"
    r"(?:/(day|week|month|year|wk|mo|yr)\b)?"
)


def _speak_times(m: re.Match[str], uk: bool) -> str:
    if m[3]:
        every = {"wk": "week", "mo": "month", "yr": "year"}.get(m[4], m[4])
        if every:  # "3x/week" is "three times a week", "2x/day" "twice a day"
            often = {"1": "once", "2": "twice"}.get(m[3], number(m[3], uk=uk) + " times")
            return f"{often} a {every}"
        return number(m[3], uk=uk) + " times"
    return number(m[1], uk=uk) + " by " + number(m[2], uk=uk)


# --- ordinals -------------------------------------------------------------------------------------

_ORDINAL = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(st|nd|rd|th|ST|ND|RD|TH)\b")
_SUFFIXES = {1: "st", 2: "nd", 3: "rd"}


def _speak_ordinal(m: re.Match[str], uk: bool) -> str:
    value = int(m[1].replace(",", ""))
    expected = "th" if 10 <= value % 100 <= 20 else _SUFFIXES.get(value % 10, "th")
    if m[2].lower() != expected:
        return number(m[1], uk=uk) + " " + m[2]
    return ordinal(value, uk=uk)


# --- alphanumerics: COVID-19, 5G, Q3, F-35, B2A23C ---------------------------------------------

_ALNUM = re.compile(
    r"\b(?:(?<!\d-)[A-Za-z]+-?\d[A-Za-z0-9]*(?:\.\d+\b)?|\d+(?:\.\d+)?[A-Za-z][A-Za-z0-9]*)\b"
)
_RUNS = re.compile(r"[A-Za-z]+|\d+\.\d+|\d+")


def _speak_digits_in_word(run: str) -> str:
    if "." in run:
        return number(run)
    if len(run) == 4 and run.endswith("00") and run[0] != "0" and run[1] != "0":
        return cardinal(int(run[:2])) + " hundred"  # "AC1900" is "A-C nineteen hundred"
    if len(run) <= 2 or (len(run) <= 4 and run.endswith("00") and run[0] != "0"):
        return cardinal(int(run))
    return digits(run)


_PREFIXED_YEAR = re.compile(
    r"\b((?:[Mm]id|[Pp]re|[Pp]ost|[Ee]arly|[Ll]ate)-)((?:1[5-9]|20)\d\d)\b(?!-\d)"
)
"""A year after a prefix: "the mid-2019 refresh" is "mid-twenty nineteen"."""


_DESIGNATION = re.compile(r"[A-Za-z]{1,3}-\d{3}(?:[A-Za-z]{0,2})")
"""A vehicle's, aircraft's or form's designation, whose three digits are said in pairs: "F-150"
is "F one-fifty", "C-130J" "C one-thirty J", "Form I-130" "I one-thirty"."""


def _speak_alnum(m: re.Match[str], uk: bool) -> str:
    parts = _RUNS.findall(m.group(0))
    paired = _DESIGNATION.fullmatch(m.group(0)) is not None
    words = [
        (year(int(p)) if paired else _speak_digits_in_word(p)) if p.isdigit() else _letters(p)
        for p in parts
    ]
    if len(parts) > 2 and parts[-1] == "s" and parts[-2].isdigit():  # "CN-235s", "MiG-29s"
        words[-2:] = [plural(words[-2])]
    return " ".join(words)


def _letters(run: str) -> str:
    return LETTER_A if run == "A" else run


# --- years, plain numbers, and the last resort ----------------------------------------------------

_YEAR = re.compile(r"(?<![\w.,$£€¥'-])(1[1-9]\d\d|20\d\d)(?![\w%°]|[.,]\d)")
_ERA_YEAR = re.compile(r"(?<![\w.,])(\d{1,4})\s?(A\.?D\.?|B\.?C\.?E?\.?|BCE|CE)(?![\w])")
_NUMBER = re.compile(rf"(?P<minus>(?<![\w.-])-)?(?:(?<=\.\.\.)|(?<![\w.]))(?P<n>{NUM})(?![\w])")
_DIGITS = re.compile(r"\d+")


def _speak_era(m: re.Match[str], uk: bool) -> str:
    value, era = int(m[1]), m[2].replace(".", "")
    spoken = year(value) if value >= 1000 else _short_era_year(value)
    return spoken + " " + spell(era)


def _short_era_year(value: int) -> str:
    if value < 100 or value % 100 == 0 or value % 100 < 10:
        return cardinal(value)
    return cardinal(value // 100) + " " + cardinal(value % 100)


def _speak_number(m: re.Match[str], uk: bool) -> str:
    return ("minus " if m["minus"] else "") + number(m["n"], uk=uk)


RULES = (
    Rule("decade", _DECADE_RANGE, _speak_decade_range),
    Rule("decade", _DECADES, _speak_decade),
    Rule("year", _ERA_YEAR, _speak_era),
    Rule("arithmetic", _SUM, _speak_sum),
    Rule("quarter", _QUARTER, _speak_quarter),
    Rule("quarter", _QUARTER_APOSTROPHE, _speak_quarter_apostrophe),
    Rule("quarter", _HALF, lambda m, uk: f"the {ordinal(int(m[1]))} half of {year(int(m[2]))}"),
    Rule("term", _TENOR, lambda m, uk: cardinal(int(m[1])) + "-year"),
    Rule("measure", _INCHES, _speak_inches),
    Rule("year", _FISCAL, _speak_fiscal),
    Rule("aircraft", _BOEING, _speak_boeing),
    Rule("aircraft", _AIRBUS, _speak_airbus),
    Rule("road", _ROAD, _speak_road),
    Rule("status", _STATUS, lambda m, uk: year(int(m[1]))),
    Rule("batting", _BATTING, lambda m, uk: year(int(m[1] or m[2]))),
    Rule("caliber", _CALIBER, lambda m, uk: year(int(m[1]))),
    Rule("down", _DOWN, lambda m, uk: f"{ordinal(int(m[1]))}{m[2]}and{m[2]}{cardinal(int(m[3]))}"),
    Rule("record", _FOR, lambda m, uk: f"{cardinal(int(m[1]))}-for-{cardinal(int(m[2]))}"),
    Rule("model", _GRAPHICS, lambda m, uk: m[1].rstrip() + " " + year(int(m[2]))),
    Rule("resolution", _RESOLUTION, _speak_resolution),
    Rule(
        "episode",
        _EPISODE,
        lambda m, uk: f"season {cardinal(int(m[1]))}, episode {cardinal(int(m[2]))}",
    ),
    Rule("year", _YEAR_SPAN, _speak_year_span),
    Rule("phone", _EMERGENCY, _speak_emergency),
    Rule("ratio", _RATIO, _speak_ratio),
    Rule("fraction", _FRACTION, _speak_fraction),
    Rule("record", _RECORD, _speak_record),
    Rule("tennis", _SETS, _speak_sets),
    Rule("range", _RANGE, _speak_range),
    Rule("multiplier", _TIMES, _speak_times),
    Rule("ordinal", _ORDINAL, _speak_ordinal),
    Rule("team", _TEAM, _speak_team),
    Rule("plural", _NUMBER_PLURAL, _speak_number_plural),
    Rule("year", _PREFIXED_YEAR, lambda m, uk: m[1] + year(int(m[2]), uk=uk)),
    Rule("alphanumeric", _ALNUM, _speak_alnum),
    Rule("year", _YEAR, lambda m, uk: year(int(m[1]), uk=uk)),
    Rule("cardinal", _NUMBER, _speak_number),
    Rule("digits", _DIGITS, lambda m, uk: " " + digits(m.group(0)) + " "),
)
