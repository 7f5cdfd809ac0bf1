"""US or UK spelling of the spoken text: "favour" or "favor", "centre" or "center".

A profile picks one (``spelling="us"`` by default); the script then reads consistently in that
variety. Names are left alone (a capitalised word inside a sentence is taken for one, so the
"Sydney Harbour Bridge" keeps its spelling). Only spellings that sound the same are changed:
"aluminium" and "aeroplane" stay as written, because changing them would change the word said.
"""

from __future__ import annotations

import re

from listen.normalise.rule import Rule

__all__ = ["RULES_TO_UK", "RULES_TO_US"]

_OUR = [
    "colour",
    "favour",
    "honour",
    "labour",
    "behaviour",
    "neighbour",
    "harbour",
    "rumour",
    "humour",
    "vapour",
    "flavour",
    "armour",
    "tumour",
    "endeavour",
    "valour",
    "vigour",
    "savour",
    "parlour",
    "odour",
    "clamour",
    "saviour",
    "splendour",
    "rigour",
    "candour",
    "ardour",
    "fervour",
    "demeanour",
]
_OUR_ENDINGS = ("", "s", "ed", "ing", "ite", "ites", "able", "ably", "ful", "hood", "hoods", "er")
_RE = [
    "centre",
    "theatre",
    "metre",
    "litre",
    "fibre",
    "calibre",
    "sombre",
    "spectre",
    "lustre",
    "meagre",
    "sabre",
    "mitre",
    "goitre",
    "kilometre",
    "centimetre",
    "millimetre",
    "nanometre",
    "micrometre",
]
_RE_ENDINGS = (("re", "er"), ("res", "ers"), ("red", "ered"), ("ring", "ering"))
_ISE = [
    "organ",
    "recogn",
    "real",
    "critic",
    "apolog",
    "emphas",
    "author",
    "privat",
    "minim",
    "maxim",
    "character",
    "special",
    "civil",
    "legal",
    "final",
    "memor",
    "mobil",
    "normal",
    "popular",
    "priorit",
    "stabil",
    "summar",
    "symbol",
    "util",
    "capital",
    "central",
    "colon",
    "categor",
    "custom",
    "democrat",
    "destabil",
    "econom",
    "equal",
    "familiar",
    "fertil",
    "formal",
    "global",
    "harmon",
    "hospital",
    "ideal",
    "immun",
    "industrial",
    "initial",
    "jeopard",
    "legitim",
    "liberal",
    "local",
    "marginal",
    "modern",
    "monopol",
    "national",
    "neutral",
    "optim",
    "penal",
    "polar",
    "politic",
    "public",
    "radical",
    "rational",
    "revital",
    "revolution",
    "satir",
    "scrutin",
    "sensational",
    "sympath",
    "synchron",
    "terror",
    "theor",
    "trivial",
    "urban",
    "vandal",
    "visual",
    "western",
    "agon",
    "antagon",
    "bapt",
    "brutal",
    "dramat",
    "energ",
    "evangel",
    "galvan",
    "hypnot",
    "item",
    "mesmer",
    "moistur",
    "ostrac",
    "patron",
    "pasteur",
    "plagiar",
    "pressur",
    "sanit",
    "stigmat",
    "subsid",
    "union",
    "vapor",
    "victim",
    "vocal",
    "commercial",
    "digit",
    "weapon",
]
_ISE_ENDINGS = ("ise", "ised", "ises", "ising", "isation", "isations", "iser", "isers")
_YSE = ["anal", "paral", "catal", "breathal", "dial", "electrol", "hydrol"]
_YSE_ENDINGS = ("yse", "ysed", "ysing")
_LL = [
    "travel",
    "label",
    "cancel",
    "model",
    "counsel",
    "fuel",
    "signal",
    "level",
    "quarrel",
    "tunnel",
    "channel",
    "dial",
    "total",
    "rival",
    "equal",
    "funnel",
    "grovel",
    "marshal",
    "pencil",
    "shovel",
    "snorkel",
    "swivel",
    "unravel",
    "yodel",
]
_LL_ENDINGS = (("led", "ed"), ("ling", "ing"), ("ler", "er"), ("lers", "ers"))
_WORDS = {
    "defence": "defense",
    "defences": "defenses",
    "offence": "offense",
    "offences": "offenses",
    "pretence": "pretense",
    "licence": "license",
    "licences": "licenses",
    "programme": "program",
    "programmes": "programs",
    "grey": "gray",
    "greys": "grays",
    "tyre": "tire",
    "tyres": "tires",
    "cheque": "check",
    "cheques": "checks",
    "manoeuvre": "maneuver",
    "manoeuvres": "maneuvers",
    "catalogue": "catalog",
    "catalogues": "catalogs",
    "analogue": "analog",
    "ageing": "aging",
    "plough": "plow",
    "sceptic": "skeptic",
    "sceptical": "skeptical",
    "scepticism": "skepticism",
    "mould": "mold",
    "oestrogen": "estrogen",
    "paediatric": "pediatric",
    "anaesthetic": "anesthetic",
    "foetus": "fetus",
    "haemorrhage": "hemorrhage",
    "leukaemia": "leukemia",
    "diarrhoea": "diarrhea",
    "orthopaedic": "orthopedic",
    "kerb": "curb",
    "pyjamas": "pajamas",
    "storey": "story",
    "storeys": "stories",
    "draught": "draft",
    "jewellery": "jewelry",
    "marvellous": "marvelous",
    "woollen": "woolen",
    "counsellor": "counselor",
    "counsellors": "counselors",
    "enrolment": "enrollment",
    "fulfil": "fulfill",
    "instalment": "installment",
    "skilful": "skillful",
    "wilful": "willful",
}


def _uk_to_us() -> dict[str, str]:
    table = dict(_WORDS)
    for stem in _OUR:
        for ending in _OUR_ENDINGS:
            table[stem + ending] = stem[:-2] + "r" + ending
    for stem in _RE:
        for uk, us in _RE_ENDINGS:
            table[stem[:-2] + uk] = stem[:-2] + us
    for stem in _ISE:
        for ending in _ISE_ENDINGS:
            table[stem + ending] = stem + "iz" + ending[2:]
    for stem in _YSE:
        for ending in _YSE_ENDINGS:
            table[stem + ending] = stem + "yz" + ending[2:]
    for stem in _LL:
        for uk, us in _LL_ENDINGS:
            table[stem + uk] = stem + us
    return table


_TO_US = _uk_to_us()
_NOT_BACK = frozenset(
    ["check", "checks", "story", "stories", "curb", "draft", "license", "tire", "tires", "program"]
)
_TO_UK = {us: uk for uk, us in _TO_US.items() if us not in _NOT_BACK}
_CANDIDATE = re.compile(r"\b[A-Za-z][a-z]{3,}\b")
_OPENING = re.compile(r"(?:^|[.!?])[\s\"']*\Z")


_NEXT_CAPITAL = re.compile(r"\s+[A-Z]")
_PARTY_NAMES = frozenset({"labour", "labor"})
"""Britain's Labour and Australia's Labor: names, whatever the spelling, even opening a sentence."""


def _sentence_start(m: re.Match[str]) -> bool:
    """A capital mid-sentence, or one followed by another, marks a name ("Harbour Bridge",
    "Theatre Royal"): left as written. "Colour me." opens a sentence and is respelled."""
    opening = _OPENING.search(m.string, 0, m.start()) is not None
    return opening and _NEXT_CAPITAL.match(m.string, m.end()) is None


def _respell(table: dict[str, str]) -> Rule:
    def speak(m: re.Match[str], uk: bool) -> str:
        word = m.group(0)
        target = table.get(word.lower())
        if target is None or (word[0].isupper() and not _sentence_start(m)):
            return word
        if word[0].isupper() and word.lower() in _PARTY_NAMES:
            return word
        return target.capitalize() if word[0].isupper() else target

    return Rule("spelling", _CANDIDATE, speak)


RULES_TO_US = (_respell(_TO_US),)
RULES_TO_UK = (_respell(_TO_UK),)
