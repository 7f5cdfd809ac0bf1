"""Whether an article is written in English, the only language listen's reading rules know.

:func:`guess` looks at the writing system and, for Latin text, at the short words every
sentence is built from ("the", "and" against "der", "und", "le", "et" ...). It answers only
when the text leaves no doubt, so a list of results, a recipe or a quotation in another
language never turns an English article away. Pure, no model, no network.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

__all__ = ["NAMES", "guess", "is_english"]

NAMES = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "pt": "Portuguese",
    "it": "Italian", "nl": "Dutch", "id": "Indonesian", "ru": "Russian (Cyrillic script)",
    "el": "Greek", "ar": "Arabic", "he": "Hebrew", "ko": "Korean", "ja": "Japanese",
    "zh": "Chinese", "th": "Thai", "hi": "Hindi (Devanagari script)",
}  # fmt: skip
"""Names for messages, by language code (the first part of a tag such as "en-GB")."""

_FUNCTION_WORDS = {
    "en": "the of and to is that for it on with as was by at be this are from have has were",
    "de": "der die und den das nicht ist ein eine mit dem sich auf für von zu auch des im wird",
    "fr": "le la les et des est une un du en que qui dans pour pas sur au avec par sont ce",
    "es": "el la los las y que en un una por con para del se es al lo como pero sus más",
    "pt": "o os as e que em um uma do da dos das para com não por se na no mais é ao",
    "it": "il la le e che di un una per con non sono gli del della nel si è anche da al",
    "nl": "het een van dat op te met voor zijn niet aan er ook als bij naar maar werd",
    "id": "yang dan di ini itu dengan untuk dari dalam tidak akan ke pada juga ada adalah",
}
_WORDS = {code: frozenset(words.split()) for code, words in _FUNCTION_WORDS.items()}
_SCRIPTS = (
    ("CYRILLIC", "ru"), ("GREEK", "el"), ("ARABIC", "ar"), ("HEBREW", "he"), ("HANGUL", "ko"),
    ("HIRAGANA", "ja"), ("KATAKANA", "ja"), ("CJK", "zh"), ("THAI", "th"), ("DEVANAGARI", "hi"),
)  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+")
_SAMPLE_CHARS = 20_000
"""Enough of an article to tell; the rest is not read."""
_MIN_LETTERS = 20
_MIN_HITS = 12
_MARGIN = 3
"""English's function words must outnumber another language's this many times, or the other's
English's, for either to be the answer."""


def guess(text: str) -> str | None:
    """The language ``text`` is plainly written in ("en", "de", "ru" ...), or None when it is
    too short or too mixed to say."""
    sample = text[:_SAMPLE_CHARS]
    script = _script(sample)
    if script is not None:
        return script
    counts = Counter[str]()
    for word in _WORD.findall(sample.lower()):
        for code, words in _WORDS.items():
            if word in words:
                counts[code] += 1
    english = counts.pop("en", 0)
    foreign, hits = counts.most_common(1)[0] if counts else ("", 0)
    if english >= _MIN_HITS and english >= _MARGIN * hits:
        return "en"
    if hits >= _MIN_HITS and hits >= _MARGIN * english:
        return foreign
    return None


def _script(sample: str) -> str | None:
    """The language of a writing system other than Latin that holds most of the letters."""
    letters = [c for c in sample if c.isalpha()]
    if len(letters) < _MIN_LETTERS:
        return None
    scripts = Counter[str]()
    for char in letters:
        if not char.isascii():
            name = unicodedata.name(char, "")
            scripts.update(code for prefix, code in _SCRIPTS if name.startswith(prefix))
    if scripts["ja"]:  # kana among the characters: Japanese, its kanji included
        scripts["ja"] += scripts.pop("zh", 0)
    if not scripts:
        return None
    code, count = scripts.most_common(1)[0]
    return code if count * 2 > len(letters) else None


def is_english(tag: str) -> bool:
    """Whether a language tag names English: "en", "en-GB", "EN_us", the three-letter "eng",
    or the word itself."""
    return tag.replace("_", "-").split("-")[0].strip().lower() in ("en", "eng", "english")
