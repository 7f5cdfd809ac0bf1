"""Abbreviations, titles, Roman numerals, initialisms and acronyms.

``EARLY`` runs before numbers ("Dr.", "St.", "No. 5", "e.g."); ``LATE`` after them (Roman
numerals, "U.S.", single initials); ``caps_rule(lexicon)`` decides whether an all-capital word is
spelled ("FBI" -> "F-B-I") or said as a word ("NATO" -> "Nato").
"""

from __future__ import annotations

import re
from collections.abc import Set

from listen.normalise.dates import month_name
from listen.normalise.numbers import WORDS as NUMBER_WORDS
from listen.normalise.numbers import cardinal, ordinal
from listen.normalise.rule import LETTER_A, MAX_SPELLED, Rule, at_end, keep_final_period, spell

__all__ = ["EARLY", "INITIALS", "LATE", "caps_rule", "sayable", "speak_caps", "spell"]

# --- titles before a name -------------------------------------------------------------------------

_TITLES = {
    "Dr": "Doctor",
    "Mr": "Mister",
    "Mrs": "Misses",
    "Ms": "Miz",
    "Prof": "Professor",
    "Gov": "Governor",
    "Sen": "Senator",
    "Rep": "Representative",
    "Lt": "Lieutenant",
    "Gen": "General",
    "Col": "Colonel",
    "Capt": "Captain",
    "Sgt": "Sergeant",
    "Cpl": "Corporal",
    "Maj": "Major",
    "Adm": "Admiral",
    "Cmdr": "Commander",
    "Rev": "Reverend",
    "Hon": "Honorable",
    "Pres": "President",
    "Supt": "Superintendent",
    "Det": "Detective",
    "Insp": "Inspector",
    "Atty": "Attorney",
    "Sec": "Secretary",
    "Secy": "Secretary",
    "Fr": "Father",
    "Mt": "Mount",
    "Ft": "Fort",
    "Ald": "Alderman",
    "Cllr": "Councillor",
}
_UNDOTTED_TITLES = ("Dr", "Mr", "Mrs", "Ms", "Prof", "Mt", "Cllr", "dr", "mr", "mrs", "ms")
_SHOUTED_TITLES = ("DR", "MR", "MRS", "MS", "PROF", "GOV", "SEN", "REP", "SGT", "CAPT", "REV")
"""Dotted titles in a headline set in capitals ("DR. WHO RETURNS")."""
_TITLE = re.compile(
    r"\b(?:("
    + "|".join((*_TITLES, *_SHOUTED_TITLES))
    + r")\.|("
    + "|".join(_UNDOTTED_TITLES)
    + r"))"
    r"(?=\s+(?:[A-Z0-9]|de\b|van\b|von\b|and\b|&))"
)


def _speak_title(m: re.Match[str], uk: bool) -> str:
    written = m[1] or m[2]
    spoken = _TITLES[written[0].upper() + written[1:].lower()]
    if uk and spoken == "Honorable":
        return "Honourable"
    return spoken


# --- Saint or Street ------------------------------------------------------------------------------

_SAINT = re.compile(r"\b(?:St|ST|st)\b\.?(?=\s+[A-Z])|\bSt\.|\bSt\b(?=[\s,;:]|\Z)")
_PREVIOUS = re.compile(r"(\S+)\s+\Z")


def _speak_saint(m: re.Match[str], uk: bool) -> str:
    before = m.string[: m.start()]
    previous = _PREVIOUS.search(before)
    follows_name = m.string[m.end() : m.end() + 2].strip()[:1].isupper()
    word = previous[1] if previous else ""
    sentence_start = not word or word[-1] in ".!?\"'(" or before.strip() == word
    after_name = word[:1].isupper() and not sentence_start and word[-1] not in ",;:"
    street = word[:1].isdigit() or after_name  # "Main St. Louis", not "Arena, St. Louis"
    if follows_name and not street:
        return "Saint"
    if not follows_name and not previous:
        return keep_final_period(m, "Saint")
    return keep_final_period(m, "Street")


# --- other abbreviations --------------------------------------------------------------------------

_WORDS = {
    "vs.": "versus",
    "vs": "versus",
    "e.g.": "for example",
    "i.e.": "that is",
    "etc.": "et cetera",
    "approx.": "approximately",
    "approx": "approximately",
    "Inc.": "Incorporated",
    "Inc": "Incorporated",
    "INC.": "Incorporated",
    "INC": "Incorporated",
    "LTD.": "Limited",
    "LTD": "Limited",
    "CORP.": "Corporation",
    "Ltd.": "Limited",
    "Pvt.": "Private",
    "Pvt": "Private",
    "pvt": "private",
    "Ltd": "Limited",
    "ltd": "limited",
    "Co.": "Company",
    "Corp.": "Corporation",
    "Corp": "Corporation",
    "Bros.": "Brothers",
    "Bros": "Brothers",
    "Dept.": "Department",
    "Dept": "Department",
    "dept.": "department",
    "dept": "department",
    "Ave.": "Avenue",
    "Blvd.": "Boulevard",
    "Rd.": "Road",
    "Jr.": "Junior",
    "Jr": "Junior",
    "jr": "junior",
    "Sr.": "Senior",
    "sr": "senior",
    "a.k.a.": "also known as",
    "ca.": "circa",
    "Vol.": "Volume",
    "Vol": "Volume",
    "vol": "volume",
    "Fig.": "Figure",
    "Prop.": "Proposition",
    "govt": "government",
    "Govt": "Government",
    "Int'l": "International",
    "Nat'l": "National",
    "Univ.": "University",
    "est.": "established",
    "Est.": "Established",
    "pop.": "population",
    "avg.": "average",
    "max.": "maximum",
    "No.": "number",
    "No": "number",
    "Nos.": "numbers",
    "pp.": "pages",
    "p.": "page",
    "Dr.": "Drive",
}
_NEEDS_NUMBER = frozenset({"No.", "No", "Nos.", "pp.", "p.", "Prop.", "pop.", "Vol", "vol"})
_FOUNDED = re.compile(r"\s?(?:1[0-9]|20)\d\d\b")
"""A year after "est.": "Est. 1850" is "Established", "est. $5m" and "the est. cost" "estimated"."""
_WORD = re.compile(
    r"(?<![\w.])(?:No|p|pp)\.(?=\d)|(?<![\w.])(?:"
    + "|".join(re.escape(w) for w in sorted(_WORDS, key=len, reverse=True))
    + r")(?![\w])"
)
"""An abbreviation as a whole word; "No.", "p." and "pp." also run into their number ("No.1")."""
_MONTH_ABBREVIATION = re.compile(
    r"\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.(?=\s|\Z|[,;:])"
)

_WEEKDAYS = {
    "Mon": "Monday",
    "Tue": "Tuesday",
    "Tues": "Tuesday",
    "Wed": "Wednesday",
    "Thu": "Thursday",
    "Thur": "Thursday",
    "Thurs": "Thursday",
    "Fri": "Friday",
    "Sat": "Saturday",
    "Sun": "Sunday",
}
# "Sat.", "Sun." and "Wed." are also words ("The Sun."): only before a date, a comma or a time.
_WEEKDAY_ABBREVIATION = re.compile(
    r"\b(?:(?:Mon|Tues?|Thu(?:rs?)?|Fri)\.(?=\s|\Z|[,;:])"
    r"|(?:Wed|Sat|Sun)\.(?=,|\s+(?:\d|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec))"
    r"|(?:Mon|Tues?|Wed|Thu(?:rs?)?|Fri|Sat|Sun)"
    r"(?=\s+\d{1,2}(?:st|nd|rd|th)?\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r"|,?\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}\b))"
)
"""Dotted, or undotted before a day and a month ("Mon 5 Feb", "Mon November 4")."""
_CIRCA = re.compile(r"(?<![\w.])c\.\s?(?=\d{3,4}s?\b)|(?<![\w.])c\.?\s?(?=[£$€]\d)")
""""c.1850" is "circa eighteen fifty", "a c£5m deal" "a circa five million pound deal"."""

_BEFORE_NUMBER = {
    "Art": "Article", "art": "article", "para": "paragraph", "paras": "paragraphs",
    "Para": "Paragraph", "vol": "volume", "ch": "chapter", "Ch": "Chapter", "sec": "section",
    "Sec": "Section", "fig": "figure", "figs": "figures", "eq": "equation", "Eq": "Equation",
}  # fmt: skip
_NUMBERED = re.compile(r"\b(" + "|".join(_BEFORE_NUMBER) + r")\.\s?(?=\d)")
"""A reference's abbreviation before its number: "Art. 5" is "Article five", "para. 3"
"paragraph three" ("Art" alone may be a name)."""
_VERSUS = re.compile(r"\b([A-Z][\w'.-]*) v\.?(?= [A-Z])")
"""A match or a case, as British papers write it: "Arsenal v Chelsea", "Smith v Jones"."""
_DEFEATED = re.compile(r"(?<=[a-z] )d\.(?= [A-Z][a-z])")
"""Results as sports pages list them: "Heritage d. Titusville 53-9" is "Heritage defeated
Titusville"."""


def _speak_weekday(m: re.Match[str], uk: bool) -> str:
    return keep_final_period(m, _WEEKDAYS[m.group(0).rstrip(".")])


def _speak_word(m: re.Match[str], uk: bool) -> str:
    written = m.group(0)
    after = m.string[m.end() : m.end() + 4]
    counted = after.strip()[:1].isdigit() or (written == "No." and after == " of ")
    if written in _NEEDS_NUMBER and not counted:  # "No. 5", "No. of cases"; not "No. She"
        return written
    spoken = _WORDS[written]
    if written.lower() == "est.":
        if not after.strip():
            return written
        if not _FOUNDED.match(m.string, m.end()):
            spoken = spoken.replace("stablished", "stimated")
    if written.endswith(".") and at_end(m):
        spoken += "."
    return spoken


EARLY = (
    Rule("abbreviation", _NUMBERED, lambda m, uk: _BEFORE_NUMBER[m[1]] + " "),
    Rule("title", _TITLE, _speak_title),
    Rule("abbreviation", _SAINT, _speak_saint),
    Rule("abbreviation", _WORD, _speak_word),
    Rule("month", _MONTH_ABBREVIATION, lambda m, uk: keep_final_period(m, month_name(m[0]))),
    Rule("weekday", _WEEKDAY_ABBREVIATION, _speak_weekday),
    Rule("abbreviation", _CIRCA, lambda m, uk: "circa "),
    Rule("abbreviation", _DEFEATED, lambda m, uk: "defeated"),
    Rule("abbreviation", _VERSUS, lambda m, uk: f"{m[1]} versus"),
)

# --- Roman numerals -------------------------------------------------------------------------------

_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_ROMAN = r"(?=[IVXLCDM]+\b)M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
_COUNTED = [
    "World War",
    "Chapter",
    "Part",
    "Volume",
    "Vol.",
    "Book",
    "Act",
    "Scene",
    "Phase",
    "Section",
    "Article",
    "Title",
    "Episode",
    "Round",
    "Stage",
    "Schedule",
    "Appendix",
    "Super Bowl",
    "Vatican",
    "Class",
    "Type",
    "Level",
    "Grade",
    "Series",
    "Season",
    "Division",
    "Tier",
    "Category",
    "Apollo",
    "Artemis",
    "Gemini",
    "Voyager",
    "Pioneer",
    "Mariner",
    "Saturn",
    "Atlas",
    "Delta",
    "Titan",
    "Ariane",
    "Rocky",
    "Psalm",
    "Canto",
    "Unit",
    "Wave",
]
_COUNTED_ROMAN = re.compile(
    r"\b("
    + "|".join(re.escape(w) for w in (*_COUNTED, *(w.upper() for w in _COUNTED)))
    + rf")\s+({_ROMAN})\b(?!-\w|'(?!s\b)\w)"
    r"|\b(stage|grade|type|phase|class|category|level|tier|part|chapter|volume|title)"
    rf"\s+((?=[IVX]{{2,}}\b){_ROMAN})\b(?!-\w|'(?!s\b)\w)"
)
"""A count before a Roman numeral: "World War II", "Super Bowl LVIII"; after a word in small
letters ("stage IV cancer", "type II diabetes") only a numeral of two letters or more from I, V
and X, since "the part I play" holds a pronoun and "USB type C" a letter."""
_REGNAL = (
    r"Henry|Edward|George|Charles|Louis|William|James|Richard|Elizabeth|Mary|John|Paul|Pius"
    r"|Leo|Benedict|Gregory|Philip|Frederick|Napoleon|Alexander|Peter|Nicholas|Ivan|Ramses"
    r"|Felipe|Carlos|Juan|Willem|Harald|Gustaf|Olav|Haakon|Christian|Frederik|Victor|Umberto"
    r"|Wilhelm|Friedrich|Ludwig|Karl|Franz|Gustav|Carl|Rama|Constantine|Ptolemy|Innocent"
    r"|Clement|Urban|Boniface|Sixtus|Alfonso|Ferdinand|Leopold|Manuel|Pedro|Michael|Stephen"
    r"|Edmund|Harold|David|Robert|Otto|Hussein|Abdullah|Mohammed|Rudolf|Casimir|Boris"
    r"|Ramesses|Amenhotep|Thutmose|Mswati|Sobhuza|Kamehameha|Tupou|Letsie|Olaf|Eric|Magnus"
    r"|Catherine|Anne|Victoria|Isabella|Margaret|Christina|Juliana|Beatrix|Wilhelmina|Maria"
)
_REGNAL_NAME = re.compile(_REGNAL)
_TITLE_AFTER = re.compile(
    r",?\s+(?:of|Count|Countess|Duke|Duchess|King|Queen|Prince|Princess|Earl|Lord|Baron|Emperor"
    r"|Empress|Pope|Tsar|Sultan|Shah|Pharaoh)\b"
)
_SUFFIX_LIMIT = 4
"""After a name that is not a monarch's or a pope's, "II" to "IV" are a family's suffix
("Hank Williams III", "the Third"); higher numerals number a sequel ("Final Fantasy XV")."""
_NAMED_ROMAN = re.compile(
    rf"\b((?:{_REGNAL})\s+(?=[VX]\b|I(?:[,.;:)]|\s+of\b|\Z))|[A-Z][a-z]+\s+(?=[IVXL]{{2,}}\b))"
    r"((?=[IVXL]+\b)(?:XL|L?X{0,3})(?:IX|IV|V?I{0,3}))\b(?!-\w|'(?!s\b)\w)"
)


def roman_value(numeral: str) -> int:
    """``"XIV"`` -> 14 (the numeral is assumed well formed)."""
    total = 0
    for char, following in zip(numeral, [*numeral[1:], ""], strict=False):
        value = _ROMAN_VALUES[char]
        total += -value if following and _ROMAN_VALUES[following] > value else value
    return total


def _speak_counted(m: re.Match[str], uk: bool) -> str:
    word, numeral = (m[1], m[2]) if m[1] else (m[3], m[4])
    if not numeral or m.string.endswith("Xbox ", 0, m.start()):  # the Xbox Series X
        return m.group(0)
    return f"{word} {cardinal(roman_value(numeral), uk=uk)}"


def _speak_named(m: re.Match[str], uk: bool) -> str:
    if not m[2]:
        return m.group(0)
    value = roman_value(m[2])
    ruler = _REGNAL_NAME.fullmatch(m[1].strip()) or _TITLE_AFTER.match(m.string, m.end())
    if value > _SUFFIX_LIMIT and not ruler:
        return f"{m[1]}{cardinal(value, uk=uk)}"
    spoken = ordinal(value)
    return f"{m[1]}the {spoken[0].upper()}{spoken[1:]}"


# --- dotted initialisms and initials ------------------------------------------------------------

_DOTTED = re.compile(r"(?<![\w.-])((?:[A-Za-z]\.)+[A-Za-z](?:\.|(?!-[A-Z])))(?!\w)(-)?")
_INITIAL = re.compile(r"(?<![\w.])([B-HJ-Z])\.(?=\s+[A-Z])")
_NAME_BEFORE = re.compile(r"(?:^\s*|[A-Z][\w'-]*\.?\s+)\Z")


def _speak_initial(m: re.Match[str], uk: bool) -> str:
    """The initial in "John F. Kennedy" or "C. S. Lewis" loses its dot; "Plan B. Then" keeps it."""
    if _NAME_BEFORE.search(m.string, 0, m.start()):
        return m[1]
    return m.group(0)


def _speak_dotted(m: re.Match[str], uk: bool) -> str:
    letters = re.sub(r"[.\s]", "", m[1])
    spoken = spell(letters) if len(letters) <= MAX_SPELLED else letters.capitalize()
    if m[2]:
        return spoken + " "
    if m[1].endswith(".") and at_end(m):
        return spoken + "."
    return spoken


LATE = (
    Rule("roman numeral", _COUNTED_ROMAN, _speak_counted),
    Rule("roman numeral", _NAMED_ROMAN, _speak_named),
    Rule("initialism", _DOTTED, _speak_dotted),
)
_LETTER_A = re.compile(r"(?<=[^\W_] )A(?= [a-z])|(?<![\w'.-])A(?= (?:and|or) [A-Z]\b)")
"""A capital "A" inside a sentence, after a word and before one in small letters, is the
letter: "Class A shares", "Series A funding", "vitamin A and B"; so is one anywhere before
"and" or "or" and a letter, which the article never is: "A&E" ("A and E")."""

_LABEL_BEFORE = re.compile(
    r"(?:^|\n)\s*(?:Summary|Update|Updated|Note|Analysis|Opinion|Review|Background|Comment"
    r"|Watch|Listen|Read|Video|Photo|Exclusive|Breaking|Live) \Z"
)
"""A label run into its sentence, as scraped pages leave it ("Summary A good social support
system"): the "A" after it starts the sentence, so it is the article."""

INITIALS = (
    Rule("initial", _INITIAL, _speak_initial),
    Rule(
        "letter",
        _LETTER_A,
        lambda m, uk: m[0] if _LABEL_BEFORE.search(m.string, 0, m.start()) else LETTER_A,
    ),
)
"""Run on the finished text, after punctuation is tidied: "John F. Kennedy" -> "John F Kennedy",
"Class A shares" -> "Class A- shares"."""

# --- all-capital words ----------------------------------------------------------------------------

_AS_WRITTEN = frozenset({"AM", "PM"})
"""Said as letters by every engine already, and the form the time rule writes."""
_CAPS = re.compile(
    r"(?<![^\W_])(?<![^\W_]-)(?<![A-Za-z]\.)([A-Z][A-Z]+)(s|'[sS]|'(?:T|RE|VE|LL|D|M))?(?![^\W_])"
)
"""An all-capital word, with a plural, possessive or contraction ending ("ISN'T", "WE'RE")."""
_VOWELS = frozenset("AEIOUY")
_ONSETS = frozenset(
    [
        "BL",
        "BR",
        "CH",
        "CL",
        "CR",
        "DR",
        "FL",
        "FR",
        "GL",
        "GR",
        "KN",
        "PH",
        "PL",
        "PR",
        "SC",
        "SH",
        "SK",
        "SL",
        "SM",
        "SN",
        "SP",
        "ST",
        "SW",
        "TH",
        "TR",
        "TW",
        "WH",
        "WR",
    ]
)
_CODAS = frozenset(
    [
        "CH",
        "CK",
        "CT",
        "FT",
        "LD",
        "LF",
        "LK",
        "LM",
        "LP",
        "LT",
        "MP",
        "ND",
        "NG",
        "NK",
        "NT",
        "PT",
        "RB",
        "RD",
        "RK",
        "RM",
        "RN",
        "RT",
        "SH",
        "SK",
        "SP",
        "ST",
        "TH",
    ]
)
_RUN = re.compile(r"[AEIOUY]+|[^AEIOUY]+")
_COMMON = frozenset(
    [
        "news",
        "live",
        "san",
        "los",
        "las",
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "do",
        "for",
        "from",
        "go",
        "he",
        "her",
        "him",
        "his",
        "how",
        "if",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "no",
        "not",
        "of",
        "off",
        "on",
        "or",
        "our",
        "out",
        "she",
        "so",
        "the",
        "to",
        "too",
        "up",
        "was",
        "we",
        "who",
        "why",
        "yes",
        "you",
        "all",
        "any",
        "can",
        "did",
        "get",
        "had",
        "has",
        "new",
        "now",
        "old",
        "one",
        "own",
        "say",
        "see",
        "two",
        "way",
        "day",
        "big",
        "end",
        "few",
        "put",
        "run",
        "set",
        "top",
        "war",
        "win",
    ]
)


def pronounceable(word: str) -> bool:
    """A rough test for an all-capital word that reads as a word: NATO, UNESCO, COVID, CERN."""
    if len(word) < 4:
        return False
    runs = _RUN.findall(word)
    if not any(r[0] in _VOWELS for r in runs):
        return False
    for i, run in enumerate(runs):
        if run[0] in _VOWELS:
            if len(run) > (3 if len(word) > 4 else 2):  # "LOUIS", "SEOUL"
                return False
        elif len(run) > 2 or (len(run) == 2 and not _cluster_ok(run, i, len(runs))):
            return False
    return True


def _cluster_ok(run: str, index: int, count: int) -> bool:
    if index == 0:
        return run in _ONSETS
    if index == count - 1:
        return run in _CODAS
    return True


def speak_caps(
    word: str, initialisms: Set[str], acronyms: Set[str], *, shouted: bool = False
) -> str:
    """The spoken form of an all-capital word, from the lexicon's lists or the heuristic.

    In a ``shouted`` clause (a headline or kicker set in capitals) a word is read as a word
    wherever it could be one: "HOW WILL OBAMA PLAY?", not "How W-I-L-L Obama Play?".
    """
    if word in _AS_WRITTEN:
        return word
    if len(word) > MAX_SPELLED:  # a word, not an initialism; and espeak-ng dies on long spellings
        return word.capitalize()
    if shouted and word.lower() in _COMMON:
        return word.capitalize()
    if word in initialisms:
        return spell(word)
    if word in acronyms or word.lower() in _COMMON or pronounceable(word) or _long_word(word):
        return word.capitalize()
    if shouted and sayable(word):
        return word.capitalize()
    return spell(word)


def sayable(word: str) -> bool:
    """A looser test than :func:`pronounceable`, for words in a shouted clause, where most
    capital words are words: three letters or more, vowels and consonants in runs English
    allows ("WILL", "FALLS", "JAM", "STRIKES"), but not "ESPN" or "IBM"."""
    if len(word) < 3:
        return False
    runs = _RUN.findall(word)
    if all(r[0] in _VOWELS for r in runs) or all(r[0] not in _VOWELS for r in runs):
        return False
    last = len(runs) - 1
    for i, run in enumerate(runs):
        if run[0] in _VOWELS:
            if len(run) > 2:
                return False
        elif not _consonants_ok(run, first=i == 0, final=i == last):
            return False
    return True


def _consonants_ok(run: str, *, first: bool, final: bool) -> bool:
    if len(run) == 1:
        return True
    if first:
        return run in _ONSETS or (len(run) == 3 and run[0] == "S" and run[1:] in _ONSETS)
    if final:
        body = run[:-1] if run.endswith("S") and len(run) > 1 else run
        doubled = len(body) == 2 and body[0] == body[1]
        return len(body) <= 1 or body in _CODAS or body in _LOOSE_CODAS or doubled
    return len(run) <= 3


_LOOSE_CODAS = frozenset(
    {"RL", "RP", "RF", "RS", "XT", "LS", "NS", "PS", "TS", "WN", "WL", "TCH", "NCH", "RCH", "GHT"}
)
"""Word endings a shouted word may have beyond the strict list ("GIRLS", "NEXT", "DOWN")."""
_CLAUSE_ENDS = "!?:;\n"
"""Not the full stop: the normaliser is given one sentence, whose full stops are in
abbreviations ("HOW APPLE INC. WON")."""
_LETTERS = re.compile(r"[^\W\d_]+")


def _shouted(m: re.Match[str], initialisms: Set[str]) -> bool:
    """Whether the clause around a match is set in capitals: at least two capital words of two
    letters or more, more of them than capitalised words (the rules before this one write
    "INC" as "Incorporated"), and no word in small letters but the numbers already spoken
    ("US FALLS"; "FRANCE WINS two to zero"; "DEAR ABBY" before "DEAR ABBY: My husband")."""
    text = m.string
    start = max(text.rfind(c, 0, m.start()) for c in _CLAUSE_ENDS) + 1
    ends = [i for i in (text.find(c, m.end()) for c in _CLAUSE_ENDS) if i >= 0]
    found = list(_LETTERS.finditer(text, start, min(ends, default=len(text))))
    words = [w.group(0) for w in found]
    capitals = [w for w in words if len(w) > 1 and w.isupper()]
    if len(words) == 1 and len(words[0]) >= _LONE_HEADING:  # a heading of one word: "STAFF"
        return words[0].isupper()
    capitalised = sum(w[0].isupper() and not w.isupper() for w in words)
    # a later part of a hyphenated respelling ("Kazak-stan") is not a word in small letters
    small = (w.group(0) for w in found if w.group(0)[0].islower() and text[w.start() - 1] != "-")
    worded = any(_plainly_a_word(w, initialisms) for w in capitals)
    return (
        len(capitals) >= 2
        and len(capitals) > capitalised
        and worded
        and all(w in _SPOKEN_NUMBER for w in small)
    )


def _plainly_a_word(word: str, initialisms: Set[str]) -> bool:
    """A capital word no initialism could be: a common word ("THE"), or four letters or more
    and not listed. A list of agencies ("FBI, DEA, ATF") is not a headline in capitals."""
    return word.lower() in _COMMON or (len(word) >= _LONE_HEADING and word not in initialisms)


_LONE_HEADING = 4


_SPOKEN_NUMBER = NUMBER_WORDS | {"to", "and", "nothing", "nil"}


_LONG_WORD = 6
"""All-capital words this long are words ("WASHINGTON", "EXCLUSIVE", "STOCKHOLM") unless
they cannot be said: initialisms this long are rare, and the lexicon lists them."""


def _long_word(word: str) -> bool:
    """Whether a long all-capital word can be said as a word: it has a vowel, starts with at
    most three consonants and never runs four consonants together ("PITTSBURGH" and
    "CHRISTCHURCH" have four; "LGBTQIA" starts with five)."""
    if len(word) < _LONG_WORD:
        return False
    runs = _RUN.findall(word)
    consonants = [len(r) for r in runs if r[0] not in _VOWELS]
    opening = 0 if runs[0][0] in _VOWELS else len(runs[0])
    return len(consonants) < len(runs) and opening <= 3 and max(consonants, default=0) <= 4


def _spell_with_ending(word: str) -> str:
    """A spelled word's plural or possessive, "ICUs" or "USA's", as "I-C-U's" and "U-S-A's":
    espeak-ng (and so Piper) says "'s" after a spelled letter as the ending, but reads "ICUs" as
    "eye-koo", "DSPs" and "TVs" without their s, "C-E-Os" as "C E O S", and "U-S.A's" as "U S
    dot A's", so a final A takes a hyphen (in the middle, "N.A.A-C-P's", the dot keeps it the
    letter)."""
    spelled = spell(word)
    if spelled.endswith(".A"):
        spelled = spelled[:-2] + "-A"
    return spelled + "'s"


def caps_rule(initialisms: Set[str], acronyms: Set[str]) -> Rule:
    """The initialism/acronym rule for one lexicon's lists."""

    def speak(m: re.Match[str], uk: bool) -> str:
        ending = (m[2] or "").replace("'S", "'s")
        if len(ending) > 1 and ending != "'s":  # a contraction: a word, never an initialism
            return m[1].capitalize() + ending.lower()
        spoken = speak_caps(m[1], initialisms, acronyms, shouted=_shouted(m, initialisms))
        if ending and spoken == spell(m[1]):
            return _spell_with_ending(m[1])
        return spoken + ending

    return Rule("initialism", _CAPS, speak)
