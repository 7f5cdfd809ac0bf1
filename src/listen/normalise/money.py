"""Money and percentages: "$2.5bn", "£1.20", "US$5m", "52%"."""

from __future__ import annotations

import re

from listen.normalise.dates import MONTHS, WEEKDAYS
from listen.normalise.numbers import cardinal, number
from listen.normalise.rule import NUM, Rule

__all__ = ["RULES", "attributive"]

_CURRENCIES = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "US$": ("U-S dollar", "U-S dollars", "cent", "cents"),
    "A$": ("Australian dollar", "Australian dollars", "cent", "cents"),
    "C$": ("Canadian dollar", "Canadian dollars", "cent", "cents"),
    "NZ$": ("New Zealand dollar", "New Zealand dollars", "cent", "cents"),
    "HK$": ("Hong Kong dollar", "Hong Kong dollars", "cent", "cents"),
    "S$": ("Singapore dollar", "Singapore dollars", "cent", "cents"),
    "R$": ("real", "reais", "centavo", "centavos"),
    "£": ("pound", "pounds", "penny", "pence"),
    "€": ("euro", "euros", "cent", "cents"),
    "¥": ("yen", "yen", "", ""),
    "₩": ("won", "won", "", ""),
    "₹": ("rupee", "rupees", "paisa", "paise"),
    "Rs": ("rupee", "rupees", "paisa", "paise"),
    "₽": ("ruble", "rubles", "kopek", "kopeks"),
    "₪": ("shekel", "shekels", "agora", "agorot"),
    "₦": ("naira", "naira", "kobo", "kobo"),
    "N": ("naira", "naira", "kobo", "kobo"),
    "₺": ("lira", "lira", "kurus", "kurus"),
    "USD": ("U-S dollar", "U-S dollars", "cent", "cents"),
    "EUR": ("euro", "euros", "cent", "cents"),
    "GBP": ("pound", "pounds", "penny", "pence"),
    "JPY": ("yen", "yen", "", ""),
    "CNY": ("yuan", "yuan", "", ""),
    "KRW": ("won", "won", "", ""),
    "INR": ("rupee", "rupees", "paisa", "paise"),
    "CHF": ("Swiss franc", "Swiss francs", "centime", "centimes"),
    "AUD": ("Australian dollar", "Australian dollars", "cent", "cents"),
    "CAD": ("Canadian dollar", "Canadian dollars", "cent", "cents"),
}
_SCALES = {
    "thousand": "thousand",
    "million": "million",
    "billion": "billion",
    "trillion": "trillion",
    "k": "thousand",
    "m": "million",
    "mn": "million",
    "mln": "million",
    "b": "billion",
    "bn": "billion",
    "t": "trillion",
    "tn": "trillion",
    "trn": "trillion",
    "lakh crore": "lakh crore",
    "lakh": "lakh",
    "crore": "crore",
    "cr": "crore",
}
_PER = {
    "mo": "month",
    "month": "month",
    "yr": "year",
    "year": "year",
    "wk": "week",
    "week": "week",
    "d": "day",
    "day": "day",
    "hr": "hour",
    "h": "hour",
    "hour": "hour",
    "share": "share",
    "person": "person",
    "bbl": "barrel",
    "barrel": "barrel",
    "oz": "ounce",
    "ounce": "ounce",
    "tonne": "tonne",
    "MWh": "megawatt hour",
    "kWh": "kilowatt hour",
}
_PER_WRITTEN = {
    **_PER,
    **{word.title(): _PER[word] for word in _PER if len(word) > 3 and word.islower()},
}
"""Every unit after a price's slash, and the words among them capitalised as in a headline:
"Save $5/Month"."""
_SYMBOL = (
    r"US\s?\$|A\$|C\$|NZ\$|HK\$|S\$|R\$|\$|£|€|¥|₩|₹|₽|₪|₦|₺|Rs\.?(?=\s?\d)"
    r"|N(?=\d[\d,]*(?:\.\d+)?(?:bn|b|m|mn|k|tn|trn|\s?(?:million|billion|trillion))\b)"
)
"""Currency signs. A Nigerian paper writes the naira as N, taken as one only before an amount
with its scale ("N500m", "N2.5bn"), so "N95" stays a name."""
_CODE = r"USD|EUR|GBP|JPY|CNY|KRW|INR|CHF|AUD|CAD"
_SCALE = (
    r"(?i:thousand|million|billion|trillion|lakh crore|lakh|crore)|bn|tn|trn|mn|mln|cr|[mMbBkKtT]"
)
"""Scales after an amount, the Indian lakh (100,000) and crore (10 million) among them."""


def _amount_pattern(i: int) -> str:
    return rf"(?P<n{i}>{NUM})(?:\s?(?P<s{i}>{_SCALE})\b)?"


_MONEY = re.compile(
    rf"(?<![\w$£€¥])(?:(?P<cur>{_SYMBOL})|(?P<code>{_CODE})\s)\s?"
    + _amount_pattern(1)
    + rf"(?:\s?(?:-|\u2013|to)\s?(?P<cur2>{_SYMBOL})?\s?"
    + _amount_pattern(2)
    + r")?(?:\s?/\s?(?P<per>"
    + "|".join(_PER_WRITTEN)
    + r")\b)?"
    + rf"(?:\s(?P<code2>{_CODE})\b)?"
    + r"(?:-(?P<each>a|an|per)-(?P<period>year|month|week|day|night|hour|head|share|person)\b)?"
)
_SUFFIXED = re.compile(
    r"(?<![\w.,])" + _amount_pattern(1) + rf"\s?(?:(?P<cur>€|£|¥)|(?P<code>{_CODE})\b)"
)


_ARTICLE_BEFORE = re.compile(r"(?:^|\s)(?:a|an|A|An)\s*$")
_DETERMINER_BEFORE = re.compile(
    r"(?:^|\s)(?:the|The|this|This|that|its|his|her|their|our|your|whose)\s*$"
)
_NOUN_AFTER = re.compile(r"\s+([a-z][a-z-]*)")
_CAPITAL_BEFORE = re.compile(r"\b[A-Z][a-z]+\s+$")
_CAPITAL_AFTER = re.compile(r"\s+([A-Z][a-z-]+)\b")
_CALENDAR = frozenset(name.lower() for name in (*MONTHS, *WEEKDAYS))
_PRICED = frozenset(
    re.findall(
        r"\S+",
        "deal order plan package bill fine fee loan budget contract settlement investment project"
        " bailout takeover buyout merger acquisition fund bond offering listing stake payout award"
        " grant lawsuit claim debt cut hike shortfall deficit surplus windfall bid round"
        " scheme programme program overhaul upgrade expansion refit stimulus subsidy tax levy"
        " penalty donation gift prize jackpot salary bonus raise pay check cheque rescue",
    )
)
"""Nouns an amount names the size of, even with no article before it, as headlines write:
"Emirates inks $9bn order", "Defendants face $6.5m fine"."""
_NOT_NOUNS = frozenset(
    [
        "of",
        "in",
        "to",
        "and",
        "or",
        "for",
        "that",
        "which",
        "is",
        "was",
        "were",
        "are",
        "be",
        "been",
        "has",
        "have",
        "had",
        "will",
        "would",
        "can",
        "could",
        "may",
        "might",
        "must",
        "should",
        "he",
        "she",
        "it",
        "they",
        "we",
        "you",
        "i",
        "from",
        "on",
        "at",
        "by",
        "with",
        "as",
        "than",
        "per",
        "each",
        "a",
        "an",
        "the",
        "more",
        "less",
        "plus",
        "minus",
        "this",
        "these",
        "those",
        "its",
        "their",
        "his",
        "her",
        "our",
        "your",
        "if",
        "when",
        "while",
    ]
)


def attributive(m: re.Match[str]) -> bool:
    """Whether an amount modifies the noun after it ("a $5 fix", "the $2bn deal", and in a
    headline, which drops its articles, "Council Approves $1.2bn Plan"), so its unit is said in
    the singular, as a newsreader does: "a five-dollar fix"."""
    before = m.string[: m.start()]
    if _ARTICLE_BEFORE.search(before):
        return True
    after = _NOUN_AFTER.match(m.string, m.end())
    if _DETERMINER_BEFORE.search(before) and after and after.group(1) not in _NOT_NOUNS:
        return True
    if after and after.group(1) in _PRICED:
        return True
    capital = _CAPITAL_AFTER.match(m.string, m.end())
    if capital is None or not _CAPITAL_BEFORE.search(before):
        return False
    return capital.group(1).lower() not in _NOT_NOUNS | _CALENDAR


def _singular(units: tuple[str, str, str, str]) -> tuple[str, str, str, str]:
    one, _, cent, cents = units
    return one, one, cent, cents


def _units(m: re.Match[str]) -> tuple[str, str, str, str]:
    key = m["code2"] or m["code"] or re.sub(r"\s|\.", "", m["cur"])
    return _CURRENCIES[key]


def _amount(num: str, scale: str | None, units: tuple[str, str, str, str], uk: bool) -> str:
    one, many, cent, cents = units
    if scale:
        return f"{number(num, uk=uk)} {_SCALES[scale.lower()]} {many}"
    whole, _, frac = num.partition(".")
    whole = whole.replace(",", "")
    if len(frac) > 2 and not frac[2:].strip("0"):
        frac = frac[:2]
    if frac and not frac.strip("0"):
        frac = ""
    if frac and (len(frac) > 2 or not cent):
        return f"{number(num, uk=uk)} {many}"
    value = int(whole or "0")
    parts = [f"{cardinal(value, uk=uk)} {one if value == 1 else many}"] if value else []
    if frac:
        small = int(frac.ljust(2, "0"))
        parts.append(f"{cardinal(small)} {cent if small == 1 else cents}")
    return " and ".join(parts) or f"zero {many}"


def _bare(num: str, scale: str | None, uk: bool) -> str:
    return number(num, uk=uk) + (" " + _SCALES[scale.lower()] if scale else "")


def _speak_money(m: re.Match[str], uk: bool) -> str:
    cents = "." in m["n1"] and not m["s1"]  # "a $12.40 fee" keeps "twelve dollars and forty cents"
    compound = m["each"] is not None  # "$119-a-year plan": a hyphenated modifier
    units = _singular(_units(m)) if (attributive(m) or compound) and not cents else _units(m)
    if m["n2"] is None:
        spoken = _amount(m["n1"], m["s1"], units, uk)
    elif m["cur2"] or (m["s1"] and m["s2"]):
        spoken = (
            _amount(m["n1"], m["s1"], units, uk) + " to " + _amount(m["n2"], m["s2"], units, uk)
        )
    else:
        spoken = _bare(m["n1"], m["s1"], uk) + " to " + _amount(m["n2"], m["s2"], units, uk)
    if m["per"]:
        spoken += " per " + _PER_WRITTEN[m["per"]]
    if compound:
        spoken += f" {m['each']} {m['period']}"
    return _without_leading_one(m, spoken)


def _without_leading_one(m: re.Match[str], spoken: str) -> str:
    """After "a", "$1,000" is "a thousand dollar", never "a one thousand dollar"."""
    if _ARTICLE_BEFORE.search(m.string[: m.start()]) and re.match(
        r"one (?:hundred|thousand|million|billion|trillion)\b", spoken
    ):
        return spoken.removeprefix("one ")
    return spoken


def _speak_suffixed(m: re.Match[str], uk: bool) -> str:
    units = _CURRENCIES[m["code"] or m["cur"]]
    units = _singular(units) if attributive(m) else units
    return _amount(m["n1"], m["s1"], units, uk)


_PENCE = re.compile(r"(?<![\w.,$£€¥])(?P<n>\d+(?:\.\d+)?)p\b(?!\.\d)")
"""Pence as British news writes them: "5p", "0.4p a litre", "a 50p coin"."""
_RESOLUTIONS = frozenset({"144", "240", "360", "480", "576", "720", "1080", "1440", "2160", "4320"})


def _speak_pence(m: re.Match[str], uk: bool) -> str:
    if m["n"] in _RESOLUTIONS:  # "1080p" video
        return m[0]
    unit = "penny" if m["n"] == "1" else "pence"  # "a 5p charge": five pence, as said in the UK
    return f"{number(m['n'], uk=uk)} {unit}"


RULES = (
    Rule("money", _MONEY, _speak_money),
    Rule("money", _SUFFIXED, _speak_suffixed),
    Rule("money", _PENCE, _speak_pence),
)
