"""Typography, web addresses, phone numbers and symbols: the characters an engine must not see.

``prepare`` runs first (quotes, dashes, Unicode forms); ``RULES`` speak URLs, e-mail addresses,
phone numbers, hashtags and handles; ``finish`` runs last and turns every symbol left into a word
or a pause, so that only letters, spaces and sentence punctuation reach the engine.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from listen.normalise.numbers import digits
from listen.normalise.rule import Rule, spell

__all__ = ["RULES", "finish", "prepare"]

_TYPOGRAPHY = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u2033": '"',
        "\u2026": "...",
        "\u00bd": " 1/2",
        "\u2153": " 1/3",
        "\u2154": " 2/3",
        "\u00bc": " 1/4",
        "\u00be": " 3/4",
        "\u215b": " 1/8",
        "\u2044": "/",
        "\u2212": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u00ba": "\u00b0",
        "\u00a0": " ",
        "\u200b": "",
        "\u200c": "",
        "\u200d": "",
        "\ufeff": "",
        "\u00ad": "",
        "`": "'",
        "\u2122": "",  # trade mark, registered and copyright signs are not read
        "\u00ae": "",
        "\u00a9": "",
        "~": " ",
        "|": " ",
        "\\": " ",
        "{": " ",
        "}": " ",
        "<": " ",
        ">": " ",
        "*": " ",
    }
)
_BACKTICKS = re.compile(r"''")
_COMPARED = re.compile(r"(?<![<>=-])([<>≤≥])=?\s?(?=[£$€]?\d|\.\d)")
"""A comparison before a figure: "p < 0.05" is "p less than zero point zero five", ">100" "more
than one hundred". Any other "<" or ">" is markup's and goes."""
_COMPARISONS = {"<": "less than", ">": "more than", "≤": "at most", "≥": "at least"}


def _compared(m: re.Match[str]) -> str:
    sign = m[1]
    if m.group(0).startswith(("<=", ">=")):
        sign = "≤" if sign == "<" else "≥"
    return f" {_COMPARISONS[sign]} "


_STARS = re.compile(r"[★☆]{2,10}(?:½)?")
"""A star rating drawn in stars: "★★★★☆" is "four out of five stars"."""


def _stars(m: re.Match[str]) -> str:
    stars = m.group(0)
    filled = stars.count("★") + (0.5 if stars.endswith("½") else 0)
    total = stars.count("★") + stars.count("☆") + (1 if stars.endswith("½") else 0)
    said = f"{filled:g}".replace(".5", " and a half")
    return f" {said} out of {total} stars "


_ABOUT = re.compile(r"(?<![\w~])~\s?(?=[£$€]?\d)")
""""~5%" is "about five percent"; after a word that says so already, the mark goes."""
_SAID_ABOUT = re.compile(
    r"\b(?:about|around|roughly|approx\.?|approximately|some|circa)\s*\Z", re.I
)


def _about(m: re.Match[str]) -> str:
    return "" if _SAID_ABOUT.search(m.string, 0, m.start()) else "about "


_FOOTNOTE = re.compile(
    r"(?<=[^\s\[])\[\d{1,3}\](?!\w)|(?<=\w) \[\d{1,3}(?:, ?\d{1,3})*\](?=[.,;:!?]|\s|\Z)"
)
"""A footnote marker: "opened in 1958.[3]", and set off by a space, "per shift [1],"."""
_CITED = re.compile(r"(?<=[A-Za-z]) \(\d{1,3}(?:, ?\d{1,3})*\)(?=[.,;:!?]|\s*\Z)")
"""A reference number in parentheses ending a clause, as health and science sites cite:
"linked to binge eating (2)." """
_LAST_WORD = re.compile(r"[A-Za-z]+\Z")
_AGED = frozenset({
    "boy", "girl", "baby", "child", "son", "daughter", "man", "woman", "wife", "husband",
    "mother", "father", "brother", "sister", "grandmother", "grandfather", "teenager",
    "pensioner", "toddler", "twins", "friend", "partner", "victim",
})  # fmt: skip
"""Words a British paper follows with an age in parentheses: "her daughter (7)."."""
_EDITORIAL = re.compile(r"\[([^\[\]\n]{1,60})\]")
"""Brackets an editor put inside a quotation ("[T]he", "[would]"): read as their content."""
_FOREIGN_DIGIT = re.compile(r"(?![0-9])\d")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_UNSPOKEN = frozenset({"Cc", "Cf", "Cn", "Co", "Cs", "So", "Sc", "Sk", "Sm", "Zl", "Zp"})
_KEPT_SYMBOLS = frozenset("°€£¥₩₹₽₪₦₺×§±")
_KEPT_PUNCTUATION = frozenset("\u2013\u2014\u2015•·")
_LOOSE_PUNCTUATION = re.compile(r"[ \t]+(?=[.,?!:;](?:\s|\Z))")


_STARRED_GRADE = re.compile(r"\b(Grade II)\*(?!\w)")
"""England's middle grade of listed building: "Grade II*" is "Grade two star" (an asterisk is
otherwise not said)."""


def prepare(text: str) -> str:
    """Straight quotes, plain dashes, compatibility characters folded (NFKC), ASCII digits."""
    if "``" in text:
        text = text.replace("``", '"')
    if "~" in text:
        text = _ABOUT.sub(_about, text)
    if "<" in text or ">" in text or "≤" in text or "≥" in text:
        text = _COMPARED.sub(_compared, text)
    if "*" in text:
        text = _STARRED_GRADE.sub(r"\1 star", text)
    text = text.translate(_TYPOGRAPHY)
    if "''" in text:
        text = _BACKTICKS.sub('"', text)
    if not text.isascii():
        if "★" in text:
            text = _STARS.sub(_stars, text)
        text = unicodedata.normalize("NFKC", text)
        text = _FOREIGN_DIGIT.sub(lambda m: str(unicodedata.digit(m.group(0))), text)
        text = _NON_ASCII.sub(_unspoken, text)
    text = _CONTROL.sub(" ", text)
    if "[" in text:
        text = _EDITORIAL.sub(r"\1", _FOOTNOTE.sub("", text))
    if "(" in text:
        text = _CITED.sub(_uncited, text)
    return _LOOSE_PUNCTUATION.sub("", text)


def _uncited(m: re.Match[str]) -> str:
    """A citation goes after a word in small letters, but not after a person's age. After a
    name it goes only when it ends the sentence and is the only one: "Smith (2), Jones (1)."
    counts goals."""
    word = _LAST_WORD.search(m.string, 0, m.start())
    if word is None or word.group(0).lower() in _AGED:
        return m.group(0)
    if word.group(0).islower():
        return ""
    alone = len(_CITED.findall(m.string)) == 1 and _SENTENCE_END.match(m.string, m.end())
    return "" if alone else m.group(0)


_SENTENCE_END = re.compile(r"[.!?](?:\s|\Z)")


def _unspoken(m: re.Match[str]) -> str:
    """Controls, private-use and unassigned code points, emoji: a space, before any rule runs."""
    char = m.group(0)
    if char in _KEPT_SYMBOLS:
        return char
    category = unicodedata.category(char)
    if category in _UNSPOKEN or (category[0] == "P" and char not in _KEPT_PUNCTUATION):
        return " "
    if "\ufe00" <= char <= "\ufe0f":  # a variation selector: how an emoji is drawn, nothing said
        return " "
    return char


# --- web addresses and e-mail -------------------------------------------------------------------

_WORD_TLDS = frozenset(
    [
        "com",
        "org",
        "net",
        "gov",
        "edu",
        "info",
        "news",
        "int",
        "mil",
        "biz",
        "app",
        "shop",
        "online",
    ]
)
_URL_SEPARATORS = {
    ".": "dot",
    "/": "slash",
    "-": "dash",
    "_": "underscore",
    ":": "colon",
    "?": "question mark",
    "=": "equals",
    "&": "and",
    "#": "hash",
    "@": "at",
    "+": "plus",
    "~": "tilde",
    "%": "percent",
}
_URL_PARTS = re.compile(r"[A-Za-z]+|[0-9]+|[./\-_:?=&#@+~%]")
_SCHEME = re.compile(r"^(?:https?|ftp)://", re.IGNORECASE)
_URL = re.compile(
    r"(?:(?:https?|ftp|file)://|www\.)[^\s<>\"'()\[\]]*[^\s<>\"'()\[\].,;:!?]"
    r"|(?<![\w@.])[A-Za-z0-9][\w-]*(?:\.[\w-]+)*\.(?:com|org|net|gov|edu|io|info|co\.uk|uk|de|fr"
    r"|jp|kr|cn|in|eu|ca|au|ly|tv|me|news|ai)(?:/[^\s<>\"'()\[\]]*[^\s<>\"'()\[\].,;:!?])?"
    r"(?![\w@])"
    r"|(?<![\w@.])[A-Za-z0-9][\w-]*\.(?:co|gl|to|be|fi|gd)/[^\s<>\"'()\[\]]*[^\s<>\"'()\[\].,;:!?]",
    re.IGNORECASE,
)
"""A web address: with its scheme or "www.", on a common top-level domain, or a short link
("t.co/...", "goo.gl/...", "amzn.to/...", "youtu.be/...")."""
_EMAIL = re.compile(r"(?<![\w+-])\w(?:[\w.+-]*\w)?@[\w-]+(?:\.[\w-]+)+", re.ASCII)


_ADDRESS_WORDS = {"gov": "guv"}
"""Parts of an address said as a word that engines would misread: "gov.uk" is "guv dot U-K"
(espeak-ng says "gahv"), "GOV.UK" too."""


def _speak_address(text: str, domain_from: int = 0) -> str:
    words = []
    parts = _URL_PARTS.findall(text)
    for i, part in enumerate(parts):
        if part in _URL_SEPARATORS:
            words.append(_URL_SEPARATORS[part])
        elif part.isdigit():
            words.append(digits(part))
        elif part.lower() == "www" or (_is_spelled_tld(parts, i) and i >= domain_from):
            words.append(spell(part))
        elif part.lower() in _ADDRESS_WORDS:
            words.append(_ADDRESS_WORDS[part.lower()])
        else:
            words.append(part.lower() if part.isupper() and len(part) > 3 else part)
    return " ".join(words)


def _is_spelled_tld(parts: list[str], i: int) -> bool:
    part = parts[i]
    after_dot = i > 0 and parts[i - 1] == "."
    at_end = i == len(parts) - 1 or parts[i + 1] in "/?#:"
    return after_dot and at_end and part.lower() not in _WORD_TLDS and len(part) <= 3


def _speak_url(m: re.Match[str], uk: bool) -> str:
    """A web address as a newsreader gives it: the site, and the path only where it is a
    word or two ("bbc dot co dot U-K slash news"); a short link's code ("amzn.to/2hWFJ"), a
    long path or a query is left out, and a tweet's links ("pic.twitter.com/...", "t.co/...")
    go."""
    text = _SCHEME.sub("", m.group(0)).rstrip("/")
    if "://" in text:  # "file:///...": a path on a disk, read whole
        return _speak_address(text)
    host, _, path = text.partition("/")
    if host.lower() in _UNSPOKEN_HOSTS:
        return ""
    if path and not _readable_path(path):
        text = host
    return _speak_address(text)


_UNSPOKEN_HOSTS = frozenset({"pic.twitter.com", "t.co"})
_TOKEN = re.compile(r"[^-_.]+")
_CASE_SWITCH = re.compile(r"(?<=[a-z])[A-Z]|(?<=[A-Z])[a-z]")


def _opaque(token: str) -> bool:
    """A code, not a word: letters mixed with digits ("2hWFJ6"), or small and capital letters
    swapping three times or more ("XPxUJuyIAC"; "iPhone" swaps twice)."""
    mixed = any(c.isdigit() for c in token) and any(c.isalpha() for c in token)
    return mixed or len(_CASE_SWITCH.findall(token)) >= 3


def _readable_path(path: str) -> bool:
    segments = path.split("/")
    if len(segments) > 2 or any(c in path for c in "?=&#%"):
        return False
    return not any(_opaque(token) for token in _TOKEN.findall(path))


def _speak_email(m: re.Match[str], uk: bool) -> str:
    text = m.group(0)
    return _speak_address(text, domain_from=text.index("@"))


# --- phones, hashtags, handles ------------------------------------------------------------------

_PHONE = re.compile(
    r"(?<![\w+/.-])(?:\+(\d{1,3})[\s-]?)?(?:\((\d{3})\)[\s-]?|(\d{3})[\s.-])(\d{3})[\s.-](\d{4})"
    r"(?![\w/]|[.-]\d)"
)


def _speak_phone(m: re.Match[str], uk: bool) -> str:
    return _phone_groups(m.group(1), [g for g in m.groups()[1:] if g])


def _phone_groups(country: str | None, groups: Sequence[str]) -> str:
    """A phone number's digit groups said digit by digit, a pause between groups, after
    "plus" and the country code if it has one."""
    spoken = ", ".join(digits(g) for g in groups)
    return f"plus {digits(country)}, {spoken}" if country else spoken


_LOCAL_PHONE = re.compile(
    r"(?:\b(call|phone|telephone|tel\.?|dial|ring|hotline|fax|text|at|on):?\s+|(?<![\w+/.,-]))"
    r"(\d{3})-(\d{4})(?![\w/]|[.,-]\d)",
    re.IGNORECASE,
)
"""A seven-digit local number, "555-0123": after a word that calls for one, or with the
second group's leading zero no range has."""


_TRUNK_PHONE = re.compile(r"(?<![\w+/.,-])(0\d{1,3})-(\d{3,4})-(\d{4})(?![\w/]|[.,-]\d)")
"""A number with its trunk zero and hyphens, as Korea, Japan and others write it: "02-751-1500"."""


def _speak_local_phone(m: re.Match[str], uk: bool) -> str:
    cue, exchange, line = m.groups()
    if cue is None and not line.startswith("0"):
        return m.group(0)  # "100-1500 people"
    spoken = _phone_groups(None, [exchange, line])
    return f"{m.group(0)[: m.start(2) - m.start()]}{spoken}" if cue else spoken


_SPACED_PHONE = re.compile(
    r"(?<![\w+/.,-])(?:\+(\d{1,3})\s?)?(?:\(0\)\s?)?(\d{2,5})((?:\s\d{3,6}){1,3})"
    r"(?![\w/]|[.,-]\d)"
)
"""Digit groups spaced as the UK and most of the world write phone numbers: "020 7946 0958",
"0800 123 4567", "+44 20 7946 0958"."""


def _speak_spaced_phone(m: re.Match[str], uk: bool) -> str:
    country, first, rest = m.group(1), m.group(2), m.group(3).split()
    total = len(first) + sum(len(g) for g in rest)
    if not (country or first.startswith("0")) or not 9 <= total <= 12:
        return m.group(0)  # "2 500 000" people, not a number to call
    return _phone_groups(country, [first, *rest])


_HASHTAG = re.compile(r"(?<![\w&])#([A-Za-z]\w*)")
_HANDLE = re.compile(r"(?<![\w.])@([A-Za-z_]\w*)")
_NUMBER_SIGN = re.compile(r"(?<![\w&])#\s?(?=\d)")

_CURRENCIES = {
    "EUR": "euro", "USD": "dollar", "GBP": "sterling", "JPY": "yen", "CHF": "Swiss franc",
    "AUD": "Australian dollar", "CAD": "Canadian dollar", "NZD": "New Zealand dollar",
    "CNY": "yuan", "CNH": "yuan", "HKD": "Hong Kong dollar", "INR": "rupee", "KRW": "won",
    "MXN": "peso", "BRL": "real", "ZAR": "rand", "TRY": "lira", "RUB": "rouble",
    "SEK": "Swedish crown", "NOK": "Norwegian crown",
}  # fmt: skip
_PAIR = "|".join(_CURRENCIES)
_CURRENCY_PAIR = re.compile(rf"\b({_PAIR})/({_PAIR})\b")
"""A currency pair as dealers say it: "EUR/USD" is "euro-dollar", "USD/JPY" "dollar-yen"."""
_INDEX_IN_BRACKETS = re.compile(
    r"(?<=\w) \((?:N225|KOSPI|HSI|SHCOMP|SZCOMP|SENSEX|NIFTY|SPX|INX|DJI|INDU|COMP|CCMP|NDX|RUT"
    r"|VIX|UKX|DAX|CAC|SX5E|SXXP|XJO|TWII|STI|KLCI|TOPX|IBOV)\)"
)
"""An index's code in brackets after its name, as CNN Business writes it: "the Shanghai
Composite (SHCOMP) slumped"."""
_CASHTAG = re.compile(r"(?<![\w$])\$([A-Z]{2,5})\b(?![.,]?\d)")
"""A ticker as social media tags it, "$TSLA": the letters, not "dollar"."""
_PHOTO_CREDIT = re.compile(
    r"\s*\((?:AP|Reuters|AFP|EPA|Getty Images|Getty|Bloomberg|PA|Shutterstock|Xinhua|AAP|CP)"
    r"(?: Photo| Images| Wire)?(?:/[^()\n]{1,60})?\)"
)
"""A picture's credit in a caption: "(AP Photo/Evan Vucci)", "(Reuters/Jane Doe)"."""
_TICKER = re.compile(
    r"\s*\((?:(?:NASDAQ|Nasdaq|NYSE|NYSE American|NYSE Arca|LSE|TSX|TSXV|ASX|OTC|OTCQX|TYO|HKEX"
    r"|SGX|NSE|BSE|Euronext|XETRA|FWB|SIX|KRX|CSE)\s?:\s?[A-Z0-9.\-]{1,10}"
    r"|[A-Z0-9]{2,6}\.[A-Z]{1,2})\)"
)
"""A stock's exchange and ticker, or its Reuters code, in brackets after the company's name:
"Apple (NASDAQ: AAPL)", "Tesla (TSLA.O)". A newsreader leaves them out."""
_INDEX_CODE = re.compile(
    r"(?<=[\w)]) (?:\.(?!NET\b)[A-Z][A-Z0-9]{1,11}\b(?![.\w])"
    r"|[A-Z][A-Z0-9]{1,11}=(?:[A-Z0-9]{1,4})?(?=[\s,;]))"
)
"""An index's or a currency's Reuters code after its name: "the Dow Jones Industrial Average
.DJI fell", "the Nikkei .N225", "the euro EUR= rose". Left out too (".NET" is a name)."""

_WORD_PAIR = re.compile(r"(?<![\w/.])([A-Za-z][A-Za-z'-]{2,})/([A-Za-z][A-Za-z'-]{2,})(?![\w/])")
"""Two words joined by a slash, as a newsreader joins them: "the Pfizer/BioNTech vaccine" is
"Pfizer-BioNTech", "singer/songwriter" "singer-songwriter"; never "slash". Units ("km/h")
and numbers are left to their own rules."""

RULES = (
    Rule("credit", _PHOTO_CREDIT, lambda m, uk: ""),
    Rule("currency pair", _CURRENCY_PAIR, lambda m, uk: f"{_CURRENCIES[m[1]]}-{_CURRENCIES[m[2]]}"),
    Rule("cashtag", _CASHTAG, lambda m, uk: m[1]),
    Rule("ticker", _INDEX_IN_BRACKETS, lambda m, uk: ""),
    Rule("ticker", _TICKER, lambda m, uk: ""),
    Rule("ticker", _INDEX_CODE, lambda m, uk: ""),
    Rule("email", _EMAIL, _speak_email),
    Rule("url", _URL, _speak_url),
    Rule("word pair", _WORD_PAIR, lambda m, uk: f"{m[1]}-{m[2]}"),
    Rule("phone", _PHONE, _speak_phone),
    Rule("local phone", _LOCAL_PHONE, _speak_local_phone),
    Rule("phone", _TRUNK_PHONE, lambda m, uk: _phone_groups(None, m.groups())),
    Rule("spaced phone", _SPACED_PHONE, _speak_spaced_phone),
    Rule("hashtag", _HASHTAG, lambda m, uk: "hashtag " + m.group(1)),
    Rule("handle", _HANDLE, lambda m, uk: "at " + m.group(1)),
    Rule("number sign", _NUMBER_SIGN, lambda m, uk: "number "),
)


# --- the last pass --------------------------------------------------------------------------------

_SYMBOL_WORDS = {
    "&": "and",
    "%": "percent",
    "@": "at",
    "+": "plus",
    "±": "plus or minus",
    "=": "equals",
    "°": "degrees",
    "#": "hash",
    "$": "dollar",
    "€": "euro",
    "£": "pound",
    "¥": "yen",
    "₩": "won",
    "₹": "rupee",
    "§": "section",
    "/": "slash",
    "×": "times",
}
_PAUSES = frozenset("()[]{}|•·")
_ALLOWED = re.compile(r"[^\w\s.,?!:;'\"-]|_")
_DASHES = re.compile(r"\s*[\u2013\u2014\u2015]\s*|\s+-+\s+|--+|(?<![\w])-+(?![\w])|\s+/+\s+")
_EDGE_HYPHEN = re.compile(
    r"(?<=\w)(?!(?<=\bA)- [a-z])-+(?=\s|$|[^\w\s-])|(?<=\s)-+(?=\w)|^-+(?=\w)|(?<!\w)-+(?!\w)"
)
"""Hyphens at the edge of a word go, but not the one in ``rule.LETTER_A`` before a word."""
_SPACE_BEFORE = re.compile(r"\s+(?=[.,?!:;]+(?:\s|$))")
_PAUSE_RUN = re.compile(r"([,;:])(?:\s*[,;:])+")
_COMMA_BEFORE_STOP = re.compile(r",\s*(?=[.?!]|$)")
_LEADING = re.compile(r"^[\s,;:]+")
_SPACES = re.compile(r"\s+")


def _symbol(m: re.Match[str]) -> str:
    char = m.group(0)
    if char in _SYMBOL_WORDS:
        return " " + _SYMBOL_WORDS[char] + " "
    if char in _PAUSES:
        return ", "
    if unicodedata.category(char)[0] == "M":
        return char
    return " "


def finish(text: str) -> str:
    """Every remaining symbol said or dropped, dashes as pauses, tidy spaces and commas."""
    text = _DASHES.sub(", ", text)
    text = _ALLOWED.sub(_symbol, text)
    text = _EDGE_HYPHEN.sub(" ", text)
    text = _PAUSE_RUN.sub(r"\1", text)
    text = _COMMA_BEFORE_STOP.sub("", text)
    text = _SPACE_BEFORE.sub("", text)
    text = _LEADING.sub("", text)
    return _SPACES.sub(" ", text).strip()
