"""Numbers as words: cardinals, ordinals, years, decimals, digit strings and fractions.

Pure functions from digits to words; the rules that find numbers in text live in ``rules.py``.
US style by default ("one hundred twenty-three"); ``uk=True`` adds the British "and"
("one hundred and twenty-three").
"""

from __future__ import annotations

__all__ = [
    "WORDS",
    "cardinal",
    "decade",
    "digits",
    "fraction",
    "number",
    "ordinal",
    "plural",
    "year",
]

_ONES = [
    "zero",
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
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ("", "", *["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"])
_SCALES = (
    (10**18, "quintillion"),
    (10**15, "quadrillion"),
    (10**12, "trillion"),
    (10**9, "billion"),
    (10**6, "million"),
    (10**3, "thousand"),
)
_LIMIT = 10**21
_IRREGULAR_ORDINALS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}
_DIGIT_WORDS = dict(zip("0123456789", _ONES[:10], strict=True))


def cardinal(n: int, *, uk: bool = False) -> str:
    """``123`` -> "one hundred twenty-three"; beyond quintillions, digit by digit."""
    if n < 0:
        return "minus " + cardinal(-n, uk=uk)
    if n >= _LIMIT:
        return digits(str(n))
    return _cardinal(n, uk, top=True)


def _cardinal(n: int, uk: bool, top: bool) -> str:
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + ("-" + _ONES[ones] if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = _ONES[hundreds] + " hundred"
        return head + (_joiner(uk) + _cardinal(rest, uk, False) if rest else "")
    for value, name in _SCALES:
        if n >= value:
            high, rest = divmod(n, value)
            head = _cardinal(high, uk, False) + " " + name
            if not rest:
                return head
            joiner = _joiner(uk) if rest < 100 else " "
            return head + joiner + _cardinal(rest, uk, False)
    raise AssertionError(n)  # pragma: no cover


def _joiner(uk: bool) -> str:
    return " and " if uk else " "


def ordinal(n: int, *, uk: bool = False) -> str:
    """``22`` -> "twenty-second"."""
    return ordinal_words(cardinal(n, uk=uk))


def ordinal_words(words: str) -> str:
    """Turn the last word of a spoken cardinal into its ordinal: "twenty-one" -> "twenty-first"."""
    head, sep, last = _split_last(words)
    if last in _IRREGULAR_ORDINALS:
        last = _IRREGULAR_ORDINALS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return head + sep + last


def plural(words: str) -> str:
    """Plural of a spoken number: "nineteen ninety" -> "nineteen nineties", "sixth" -> "sixths"."""
    head, sep, last = _split_last(words)
    if last.endswith("y"):
        return head + sep + last[:-1] + "ies"
    if last == "six":
        return head + sep + "sixes"
    return head + sep + last + "s"


def _number_words() -> frozenset[str]:
    bases = [*_ONES, *_TENS[2:], "hundred", *(name for _, name in _SCALES)]
    return frozenset(w for base in bases for w in (base, ordinal_words(base))) | {"point", "oh"}


def _split_last(words: str) -> tuple[str, str, str]:
    cut = max(words.rfind(" "), words.rfind("-"))
    if cut < 0:
        return "", "", words
    return words[:cut], words[cut], words[cut + 1 :]


def digits(text: str) -> str:
    """``"004"`` -> "zero zero four"; non-digits are dropped."""
    return " ".join(_DIGIT_WORDS[d] for d in text if d in _DIGIT_WORDS)


def number(text: str, *, uk: bool = False) -> str:
    """A written number with optional separators and decimals: "13,000.5", "004", ".25"."""
    whole, _, frac = text.partition(".")
    if "," in whole:
        whole = whole.replace(",", "")
    elif (len(whole) > 1 and whole.startswith("0")) or len(whole) > 15:
        spoken = digits(whole)
        return spoken + (" point " + digits(frac) if frac else "")
    if not whole:
        return "point " + digits(frac)
    spoken = cardinal(int(whole), uk=uk)
    return spoken + (" point " + digits(frac) if frac else "")


def year(n: int, *, uk: bool = False) -> str:
    """``1910`` -> "nineteen ten", ``2026`` -> "twenty twenty-six"."""
    if n < 100 or n >= 10000:
        return cardinal(n, uk=uk)
    high, low = divmod(n, 100)
    if n % 1000 == 0 or 2000 < n < 2010:
        return cardinal(n, uk=uk)
    if low == 0:
        return cardinal(high) + " hundred"
    if low < 10:
        return cardinal(high) + " oh " + _ONES[low]
    return cardinal(high) + " " + cardinal(low)


def decade(n: int) -> str:
    """``1990`` -> "nineteen nineties", ``80`` -> "eighties", ``2000`` -> "two thousands"."""
    return plural(year(n) if n >= 100 else cardinal(n))


def fraction(numerator: int, denominator: int, *, uk: bool = False) -> str:
    """``3/4`` -> "three quarters", ``1/3`` -> "one third", ``5/1`` -> "five over one"."""
    top = cardinal(numerator, uk=uk)
    if denominator in (0, 1):
        return top + " over " + cardinal(denominator, uk=uk)
    if denominator == 2:
        bottom = "half" if numerator == 1 else "halves"
    elif denominator == 4:
        bottom = "quarter" if numerator == 1 else "quarters"
    else:
        bottom = ordinal(denominator, uk=uk)
        if numerator != 1:
            bottom = plural(bottom)
    return top + " " + bottom


WORDS = _number_words()
"""Every word a number is spoken with ("twenty", "second", "hundred", "point"), lower case."""
