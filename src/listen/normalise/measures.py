"""Measures: "12kg", "2°C", "80 km/h", "30 min. later", "a 5 km run" (singular before a noun).

News writes a million as "m" too: "1.5m people" and "4m homes" are counts, "a 5m wall" and
"the 100m hurdles" are lengths. An "m" straight after a number is a million when a counted
noun follows it (a plural, or "people"), unless that noun is a race.
"""

from __future__ import annotations

import re

from listen.normalise.money import attributive
from listen.normalise.numbers import cardinal, fraction, number, year
from listen.normalise.rule import MINUS_AFTER, NUM, Rule

__all__ = ["RULES"]


_UNITS = {
    "nm": "nanometer",
    "mm": "millimeter",
    "cm": "centimeter",
    "m": "meter",
    "km": "kilometer",
    "KM": "kilometer",
    "ft": "foot/feet",
    "yd": "yard",
    "yds": "yard",
    "mi": "mile",
    "mph": "mile per hour/miles per hour",
    "km/h": "kilometer per hour/kilometers per hour",
    "kph": "kilometer per hour/kilometers per hour",
    "kmh": "kilometer per hour/kilometers per hour",
    "kg": "kilogram",
    "KG": "kilogram",
    "Kg": "kilogram",
    "g": "gram",
    "mg": "milligram",
    "μg": "microgram",
    "μm": "micrometer",
    "μs": "microsecond",
    "μL": "microliter",
    "μl": "microliter",
    "mcg": "microgram",
    "lb": "pound",
    "lbs": "pound",
    "oz": "ounce",
    "lb-ft": "pound-foot/pound-feet",
    "Nm": "newton meter",
    "tsp": "teaspoon",
    "tbsp": "tablespoon",
    "Tbsp": "tablespoon",
    "l": "liter",
    "L": "liter",
    "ml": "milliliter",
    "mL": "milliliter",
    "kW": "kilowatt",
    "MW": "megawatt",
    "GW": "gigawatt",
    "kWh": "kilowatt hour",
    "MWh": "megawatt hour",
    "GWh": "gigawatt hour",
    "TWh": "terawatt hour",
    "W": "watt",
    "kV": "kilovolt",
    "V": "volt",
    "Hz": "hertz/hertz",
    "kHz": "kilohertz/kilohertz",
    "MHz": "megahertz/megahertz",
    "GHz": "gigahertz/gigahertz",
    "KB": "kilobyte",
    "kB": "kilobyte",
    "MB": "megabyte",
    "GB": "gigabyte",
    "TB": "terabyte",
    "Mbps": "megabit per second/megabits per second",
    "mbps": "megabit per second/megabits per second",
    "Gbps": "gigabit per second/gigabits per second",
    "ha": "hectare",
    "sq ft": "square foot/square feet",
    "sq km": "square kilometer",
    "sq mi": "square mile",
    "km2": "square kilometer",
    "mi2": "square mile",
    "ft2": "square foot/square feet",
    "m2": "square meter",
    "cm2": "square centimeter",
    "mm2": "square millimeter",
    "km3": "cubic kilometer",
    "m3": "cubic meter",
    "cm3": "cubic centimeter",
    "cc": "cubic centimeter",
    "dL": "deciliter",
    "dl": "deciliter",
    "mmol": "millimole",
    "°C": "degree Celsius/degrees Celsius",
    "°F": "degree Fahrenheit/degrees Fahrenheit",
    "°": "degree",
    "C": "degree Celsius/degrees Celsius",
    "F": "degree Fahrenheit/degrees Fahrenheit",
    "%": "percent/percent",
    "pc": "percent/percent",
    "ms": "millisecond",
    "sec": "second",
    "secs": "second",
    "min": "minute",
    "mins": "minute",
    "hr": "hour",
    "hrs": "hour",
    "h": "hour",
    "s": "second",
    "bp": "basis point",
    "pp": "percentage point",
    "bps": "basis point",
    "ppm": "part per million/parts per million",
    "mpg": "mile per gallon/miles per gallon",
    "fps": "frame per second/frames per second",
    "FPS": "frame per second/frames per second",
    "psi": "P-S-I/P-S-I",
    "mAh": "milliamp hour",
    "mA": "milliamp",
    "dB": "decibel",
    "pts": "point",
    "pt": "point",
    "mmHg": "millimeter of mercury/millimeters of mercury",
    "kcal": "kilocalorie",
    "hp": "horsepower/horsepower",
    "bhp": "brake horsepower/brake horsepower",
    "yr": "year",
    "yrs": "year",
}
_ATTACHED_ONLY = frozenset({"g", "l", "L", "V", "W", "h", "s", "ha", "°", "C", "F", "pp", "pc"})
_NOT_TEMPERATURES = re.compile(
    r"\b(?:iPhone|Class|Form|Room|Gate|Platform|Flat|Apartment|Unit|Suite|Terminal|Block|Row|"
    r"Seat|Year|Grade|Level|Type|Route|Bus|Model|Floor|Pier|Stand|Bay)\s+\Z"
)
"""Words before "5C" or "2F" that make it a name, not a temperature ("Room 5C", "iPhone 5C")."""
_PER_ONLY = frozenset({"s"})
_UNIT = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
_MEASURE = re.compile(
    r"(?<![\w.,$£€¥/])(?P<minus>(?<![\w-])-)?(?P<n1>(?:\d{1,3}\s)?\d+/\d+|" + NUM + r")"
    r"(?:(?!" + MINUS_AFTER + r")\s?(?P<join>-|\u2013|to|x|×|by)\s?(?P<n2>" + NUM + r"))?"
    r"(?:\s(?P<scale>thousand|million|billion))?"
    r"(?P<space>\s?)(?:(?P<unit>" + _UNIT + r")(?![\w°])|(?=/))"
    r"(?:/(?P<per>" + _UNIT + r")(?![\w°]))?"
    r"(?:\.(?=\s+[a-z]))?"  # "30 min. later": the abbreviation's period, not a full stop
)
_UK_SPELLINGS = (("meter", "metre"), ("liter", "litre"), ("percent", "per cent"))


def _unit_words(unit: str, value: str, uk: bool) -> str:
    forms = _UNITS[unit]
    one, _, many = forms.partition("/")
    if not many:
        many = one + "s"
    words = one if value in ("1", "-1") else many
    if uk:
        for us, gb in _UK_SPELLINGS:
            words = words.replace(us, gb)
    return words


def _part_of_one(m: re.Match[str]) -> tuple[int, int] | None:
    """A fraction below one on its own ("1/2 tsp"), as (top, bottom); None for anything else."""
    written = m["n1"]
    if "/" not in written or " " in written or m["n2"] or m["per"] or m["scale"] or m["minus"]:
        return None
    top, bottom = (int(x) for x in written.split("/"))
    return (top, bottom) if 0 < top < bottom else None


def _part_of(part: tuple[int, int], unit: str, uk: bool) -> str:
    """ "1/2 tsp" is "half a teaspoon", "3/4 mile" "three quarters of a mile"."""
    article = "an" if unit[:1] in "aeiou" or unit.startswith("hour") else "a"
    if part == (1, 2):
        return f"half {article} {unit}"
    spoken = fraction(*part, uk=uk)
    if spoken.startswith("one "):
        spoken = "a " + spoken.removeprefix("one ")
    return f"{spoken} of {article} {unit}"


def _quantity(written: str, uk: bool) -> str:
    if "/" not in written:
        return number(written, uk=uk)
    whole, _, part = written.rpartition(" ")
    top, bottom = (int(x) for x in part.split("/"))
    spoken = fraction(top, bottom, uk=uk)
    if not whole:
        return spoken
    if top == 1 and bottom > 1:
        spoken = "a " + spoken.removeprefix("one ")
    return cardinal(int(whole), uk=uk) + " and " + spoken


_NEXT_WORD = re.compile(r"\s+([a-z]+)\b")
_COUNTED_IRREGULAR = frozenset({"people", "men", "women", "children", "cattle", "sheep", "fish"})
_NOT_PLURALS = frozenset({
    "this", "his", "was", "has", "its", "yes", "always", "perhaps", "towards", "afterwards",
    "whereas", "besides", "sometimes", "overseas", "downstairs", "upstairs", "nowadays",
})  # fmt: skip
_RACES = frozenset({
    "hurdles", "heats", "finals", "semifinals", "relays", "races", "runners", "swimmers",
    "sprinters", "hurdlers", "events", "titles", "medals", "records",
})  # fmt: skip


def _counted_millions(m: re.Match[str]) -> bool:
    """Whether "<number>m" counts millions of the noun after it ("1.5m people")."""
    if m["unit"] != "m" or m["space"] or m["per"] or m["scale"] or m["n2"]:
        return False
    after = _NEXT_WORD.match(m.string, m.end())
    if after is None:
        return False
    word = after.group(1)
    counted = word in _COUNTED_IRREGULAR or _plural(word)
    return (counted and word not in _RACES) or _counted_doing(m, word)


def _plural(word: str) -> bool:
    """Whether a word in small letters reads as a regular plural noun ("people" is not one)."""
    regular = len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us"))
    return regular and word not in _NOT_PLURALS


_KIND_UNITS = frozenset({
    "nm", "μm", "mm", "cm", "W", "kW", "V", "kV", "GB", "TB", "MB", "mAh", "Hz", "kHz", "MHz",
    "GHz",
})  # fmt: skip
"""Units that name a kind of thing when a plural follows ("5nm chips", "9mm rounds", "65W
chargers"); mass and volume do not ("200g oats" is two hundred grams of oats)."""


def _names_kind(m: re.Match[str]) -> bool:
    """Whether an attached measure modifies the plural after it: "5nm chips" is "five
    nanometer chips"."""
    if m["space"] or m["unit"] not in _KIND_UNITS or m["n2"] or m["per"]:
        return False
    after = _NEXT_WORD.match(m.string, m.end())
    return after is not None and _plural(after.group(1))


def _counted_doing(m: re.Match[str], word: str) -> bool:
    """ "17.4m voted Leave": a count that did something, not "a 5m raised bed"."""
    return len(word) > 4 and word.endswith("ed") and not attributive(m)


def _named(m: re.Match[str]) -> bool:
    """Whether a "temperature" is a name: "Room 5C", "iPhone 5C"."""
    if m["unit"] not in ("C", "F"):
        return False
    return _NOT_TEMPERATURES.search(m.string, 0, m.start()) is not None


def _speak_measure(m: re.Match[str], uk: bool) -> str:
    unit, per = m["unit"], m["per"]
    if unit is None and per is None:
        return m.group(0)
    if _counted_millions(m):
        return ("minus " if m["minus"] else "") + _quantity(m["n1"], uk) + " million"
    spaced_alone = m["space"] and unit in _ATTACHED_ONLY and not per
    if spaced_alone or unit in _PER_ONLY or per == "°" or _named(m):
        return m.group(0)
    part = _part_of_one(m)
    if part is not None and unit and not attributive(m):
        return _part_of(part, _unit_words(unit, "1", uk), uk)
    last = m["n2"] or m["n1"]
    spoken = ("minus " if m["minus"] else "") + _quantity(m["n1"], uk)
    if m["n2"]:
        join = "by" if m["join"] in ("x", "×", "by") else "to"
        spoken += f" {join} {number(m['n2'], uk=uk)}"
    if m["scale"]:
        spoken += " " + m["scale"]
        last = "many"
    if attributive(m) or _names_kind(m):
        last = "1"
    if unit:
        spoken += " " + _unit_words(unit, last, uk)
    if per:
        spoken += " per " + _unit_words(per, "1", uk)
    return spoken


# --- imperial pairs: 6ft 2in, 9st 4lb, and stone alone --------------------------------------------

_FEET_INCHES = re.compile(r"(?<![\w.,])(\d{1,2})(?:'|\s?ft)\s?(\d{1,2})(?:\"|\s?in\b)")
_STONE = re.compile(r"(?<![\w.,])(\d{1,2})\s?st(?:\s?(\d{1,2})\s?lbs?)?\b")


def _speak_feet_inches(m: re.Match[str], uk: bool) -> str:
    """ "6ft 2in" and "6'2\"" are "six feet two inches"."""
    feet, inches = int(m[1]), int(m[2])
    return (
        f"{cardinal(feet)} {'foot' if feet == 1 else 'feet'} "
        f"{cardinal(inches)} {'inch' if inches == 1 else 'inches'}"
    )


def _speak_stone(m: re.Match[str], uk: bool) -> str:
    """ "9st 4lb" is "nine stone four pounds"; "10st" "ten stone", but "21st" is an ordinal."""
    value = int(m[1])
    ordinal_st = value % 10 == 1 and value % 100 != 11
    if ordinal_st and not m[2]:
        return m.group(0)
    spoken = f"{cardinal(value)} stone"
    if m[2]:
        pounds = int(m[2])
        spoken += f" {cardinal(pounds)} {'pound' if pounds == 1 else 'pounds'}"
    return spoken


_PERCENT_RANGE = re.compile(rf"(?<![\w.,-])({NUM})%\s?[-\u2013]\s?({NUM})%")


def _speak_percent_range(m: re.Match[str], uk: bool) -> str:
    """ "25%-30%" is "twenty-five to thirty percent"; a result whose shares make a whole
    ("won 52%-48%") is "fifty-two percent to forty-eight percent"."""
    unit = "per cent" if uk else "percent"
    first, second = (float(x.replace(",", "")) for x in (m[1], m[2]))
    if first >= second and 95 <= first + second <= 100:
        return f"{number(m[1], uk=uk)} {unit} to {number(m[2], uk=uk)} {unit}"
    return f"{number(m[1], uk=uk)} to {number(m[2], uk=uk)} {unit}"


_PRESSURE = re.compile(
    r"(?<![\w/.,])(\d{2,3})/(\d{2,3})\s?mm\s?Hg\b"
    r"|(?:(?<=\bpressure of )|(?<=\bpressure was )|(?<=\bpressure )|(?<=\bBP of )|(?<=\bBP ))"
    r"(\d{2,3})/(\d{2,3})\b(?![/.,]\d)"
)
"""Blood pressure, as a doctor reads it: "120/80 mmHg" is "one twenty over eighty
millimeters of mercury"."""


def _speak_pressure(m: re.Match[str], uk: bool) -> str:
    high, low = (int(x) for x in (m[1] or m[3], m[2] or m[4]))
    spoken = f"{year(high)} over {year(low)}"  # in pairs: "one twenty over eighty"
    return spoken + (" " + _unit_words("mmHg", "many", uk) if m[1] else "")


_MEASURE_PAIR = re.compile(r"(?<=\d[A-Za-z]{2})/(?=\d+(?:\.\d+)?\s?[A-Za-z])")
"""A slash between two measures, "16GB/512GB", parts them as a pause would."""
_HOURS_MINUTES = re.compile(
    r"(?<![\w.,])(\d{1,3})\s?h(?:rs?)?\s?(\d{1,2})\s?m(?:in|ins)?\b(?![.,]\d)"
)
"""A time taken, "2h 15m": its "m" is minutes, not meters."""


def _speak_hours_minutes(m: re.Match[str], uk: bool) -> str:
    hours, minutes = str(int(m[1])), str(int(m[2]))
    return (
        f"{cardinal(int(hours))} {_unit_words('h', hours, uk)} "
        f"{cardinal(int(minutes))} {_unit_words('min', minutes, uk)}"
    )


_HYPHEN_POINT = re.compile(r"(?<=\d)-(pts?|yrs?)\b")
"""A margin or a term as a modifier: "a 3-pt lead" is "a three-point lead", "the 10-yr note"
"the ten-year note"."""

RULES = (
    Rule("measure", _MEASURE_PAIR, lambda m, uk: " / "),
    Rule("measure", _HYPHEN_POINT, lambda m, uk: "-point" if m[1][0] == "p" else "-year"),
    Rule("measure", _HOURS_MINUTES, _speak_hours_minutes),
    Rule("measure", _PRESSURE, _speak_pressure),
    Rule("measure", _PERCENT_RANGE, _speak_percent_range),
    Rule("measure", _FEET_INCHES, _speak_feet_inches),
    Rule("measure", _STONE, _speak_stone),
    Rule("measure", _MEASURE, _speak_measure),
)
